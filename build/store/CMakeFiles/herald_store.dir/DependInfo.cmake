
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/store/accounts.c" "store/CMakeFiles/herald_store.dir/accounts.c.o" "gcc" "store/CMakeFiles/herald_store.dir/accounts.c.o.d"
  "/work/main/store/codec.c" "store/CMakeFiles/herald_store.dir/codec.c.o" "gcc" "store/CMakeFiles/herald_store.dir/codec.c.o.d"
  "/work/main/store/deliveries.c" "store/CMakeFiles/herald_store.dir/deliveries.c.o" "gcc" "store/CMakeFiles/herald_store.dir/deliveries.c.o.d"
  "/work/main/store/env.c" "store/CMakeFiles/herald_store.dir/env.c.o" "gcc" "store/CMakeFiles/herald_store.dir/env.c.o.d"
  "/work/main/store/followers.c" "store/CMakeFiles/herald_store.dir/followers.c.o" "gcc" "store/CMakeFiles/herald_store.dir/followers.c.o.d"
  "/work/main/store/objects.c" "store/CMakeFiles/herald_store.dir/objects.c.o" "gcc" "store/CMakeFiles/herald_store.dir/objects.c.o.d"
  "/work/main/store/remote.c" "store/CMakeFiles/herald_store.dir/remote.c.o" "gcc" "store/CMakeFiles/herald_store.dir/remote.c.o.d"
  "/work/main/store/seen.c" "store/CMakeFiles/herald_store.dir/seen.c.o" "gcc" "store/CMakeFiles/herald_store.dir/seen.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/main/build/base/CMakeFiles/herald_base.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
