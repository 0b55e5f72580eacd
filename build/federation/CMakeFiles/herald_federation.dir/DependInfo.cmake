
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/federation/actors.c" "federation/CMakeFiles/herald_federation.dir/actors.c.o" "gcc" "federation/CMakeFiles/herald_federation.dir/actors.c.o.d"
  "/work/main/federation/deliver.c" "federation/CMakeFiles/herald_federation.dir/deliver.c.o" "gcc" "federation/CMakeFiles/herald_federation.dir/deliver.c.o.d"
  "/work/main/federation/docs.c" "federation/CMakeFiles/herald_federation.dir/docs.c.o" "gcc" "federation/CMakeFiles/herald_federation.dir/docs.c.o.d"
  "/work/main/federation/fed.c" "federation/CMakeFiles/herald_federation.dir/fed.c.o" "gcc" "federation/CMakeFiles/herald_federation.dir/fed.c.o.d"
  "/work/main/federation/http.c" "federation/CMakeFiles/herald_federation.dir/http.c.o" "gcc" "federation/CMakeFiles/herald_federation.dir/http.c.o.d"
  "/work/main/federation/httpsig.c" "federation/CMakeFiles/herald_federation.dir/httpsig.c.o" "gcc" "federation/CMakeFiles/herald_federation.dir/httpsig.c.o.d"
  "/work/main/federation/inbox.c" "federation/CMakeFiles/herald_federation.dir/inbox.c.o" "gcc" "federation/CMakeFiles/herald_federation.dir/inbox.c.o.d"
  "/work/main/federation/publish.c" "federation/CMakeFiles/herald_federation.dir/publish.c.o" "gcc" "federation/CMakeFiles/herald_federation.dir/publish.c.o.d"
  "/work/main/federation/ssrf.c" "federation/CMakeFiles/herald_federation.dir/ssrf.c.o" "gcc" "federation/CMakeFiles/herald_federation.dir/ssrf.c.o.d"
  "/work/main/federation/text.c" "federation/CMakeFiles/herald_federation.dir/text.c.o" "gcc" "federation/CMakeFiles/herald_federation.dir/text.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/main/build/store/CMakeFiles/herald_store.dir/DependInfo.cmake"
  "/work/main/build/keys/CMakeFiles/herald_keys.dir/DependInfo.cmake"
  "/work/main/build/base/CMakeFiles/herald_base.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
