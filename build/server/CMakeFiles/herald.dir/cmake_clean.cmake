file(REMOVE_RECURSE
  "CMakeFiles/herald.dir/main.c.o"
  "CMakeFiles/herald.dir/main.c.o.d"
  "herald"
  "herald.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/herald.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
