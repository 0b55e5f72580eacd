
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/base/buf.c" "base/CMakeFiles/herald_base.dir/buf.c.o" "gcc" "base/CMakeFiles/herald_base.dir/buf.c.o.d"
  "/work/main/base/err.c" "base/CMakeFiles/herald_base.dir/err.c.o" "gcc" "base/CMakeFiles/herald_base.dir/err.c.o.d"
  "/work/main/base/log.c" "base/CMakeFiles/herald_base.dir/log.c.o" "gcc" "base/CMakeFiles/herald_base.dir/log.c.o.d"
  "/work/main/base/util.c" "base/CMakeFiles/herald_base.dir/util.c.o" "gcc" "base/CMakeFiles/herald_base.dir/util.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
