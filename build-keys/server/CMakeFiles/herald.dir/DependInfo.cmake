
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/server/cli.c" "server/CMakeFiles/herald.dir/cli.c.o" "gcc" "server/CMakeFiles/herald.dir/cli.c.o.d"
  "/work/main/server/config.c" "server/CMakeFiles/herald.dir/config.c.o" "gcc" "server/CMakeFiles/herald.dir/config.c.o.d"
  "/work/main/server/http.c" "server/CMakeFiles/herald.dir/http.c.o" "gcc" "server/CMakeFiles/herald.dir/http.c.o.d"
  "/work/main/server/main.c" "server/CMakeFiles/herald.dir/main.c.o" "gcc" "server/CMakeFiles/herald.dir/main.c.o.d"
  "/work/main/server/pages.c" "server/CMakeFiles/herald.dir/pages.c.o" "gcc" "server/CMakeFiles/herald.dir/pages.c.o.d"
  "/work/main/server/router.c" "server/CMakeFiles/herald.dir/router.c.o" "gcc" "server/CMakeFiles/herald.dir/router.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/main/build-keys/agency/CMakeFiles/herald_agency.dir/DependInfo.cmake"
  "/work/main/build-keys/federation/CMakeFiles/herald_federation.dir/DependInfo.cmake"
  "/work/main/build-keys/store/CMakeFiles/herald_store.dir/DependInfo.cmake"
  "/work/main/build-keys/keys/CMakeFiles/herald_keys.dir/DependInfo.cmake"
  "/work/main/build-keys/base/CMakeFiles/herald_base.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
