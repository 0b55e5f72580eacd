file(REMOVE_RECURSE
  "CMakeFiles/herald_keys.dir/codec.c.o"
  "CMakeFiles/herald_keys.dir/codec.c.o.d"
  "CMakeFiles/herald_keys.dir/keys.c.o"
  "CMakeFiles/herald_keys.dir/keys.c.o.d"
  "libherald_keys.a"
  "libherald_keys.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/herald_keys.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
