
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/server/main.c" "server/CMakeFiles/herald.dir/main.c.o" "gcc" "server/CMakeFiles/herald.dir/main.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/main/build/server/CMakeFiles/herald_server.dir/DependInfo.cmake"
  "/work/main/build/agency/CMakeFiles/herald_agency.dir/DependInfo.cmake"
  "/work/main/build/federation/CMakeFiles/herald_federation.dir/DependInfo.cmake"
  "/work/main/build/store/CMakeFiles/herald_store.dir/DependInfo.cmake"
  "/work/main/build/keys/CMakeFiles/herald_keys.dir/DependInfo.cmake"
  "/work/main/build/base/CMakeFiles/herald_base.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
