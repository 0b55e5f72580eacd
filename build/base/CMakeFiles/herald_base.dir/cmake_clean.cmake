file(REMOVE_RECURSE
  "CMakeFiles/herald_base.dir/buf.c.o"
  "CMakeFiles/herald_base.dir/buf.c.o.d"
  "CMakeFiles/herald_base.dir/err.c.o"
  "CMakeFiles/herald_base.dir/err.c.o.d"
  "CMakeFiles/herald_base.dir/log.c.o"
  "CMakeFiles/herald_base.dir/log.c.o.d"
  "CMakeFiles/herald_base.dir/util.c.o"
  "CMakeFiles/herald_base.dir/util.c.o.d"
  "libherald_base.a"
  "libherald_base.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/herald_base.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
