file(REMOVE_RECURSE
  "CMakeFiles/herald.dir/cli.c.o"
  "CMakeFiles/herald.dir/cli.c.o.d"
  "CMakeFiles/herald.dir/config.c.o"
  "CMakeFiles/herald.dir/config.c.o.d"
  "CMakeFiles/herald.dir/http.c.o"
  "CMakeFiles/herald.dir/http.c.o.d"
  "CMakeFiles/herald.dir/main.c.o"
  "CMakeFiles/herald.dir/main.c.o.d"
  "CMakeFiles/herald.dir/pages.c.o"
  "CMakeFiles/herald.dir/pages.c.o.d"
  "CMakeFiles/herald.dir/router.c.o"
  "CMakeFiles/herald.dir/router.c.o.d"
  "herald"
  "herald.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/herald.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
