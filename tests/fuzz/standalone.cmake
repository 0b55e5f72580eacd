# tests/fuzz/standalone.cmake - builds the fuzz targets from a top-level CMakeLists.txt
# that does not (yet) know HERALD_FUZZ, without editing it:
#   cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DHERALD_FUZZ=ON -DHERALD_TESTS=OFF \
#         -DCMAKE_PROJECT_TOP_LEVEL_INCLUDES=tests/fuzz/standalone.cmake
# It does what the top-level snippet in docs/testing.md does: instrument every library,
# then read tests/fuzz/CMakeLists.txt once the top-level directory has defined them (a
# deferred include: deferred calls may not add subdirectories).
# tests/fuzz/run uses it only when the top level has no HERALD_FUZZ option.
if(HERALD_FUZZ)
  add_compile_options(-fsanitize=address,undefined -fsanitize=fuzzer-no-link
    -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
  # EVAL: a deferred call's arguments are expanded when it runs, not now
  cmake_language(EVAL CODE
    "cmake_language(DEFER CALL include [[${CMAKE_CURRENT_LIST_DIR}/CMakeLists.txt]])")
endif()
