file(REMOVE_RECURSE
  "CMakeFiles/herald_federation.dir/fed_version.c.o"
  "CMakeFiles/herald_federation.dir/fed_version.c.o.d"
  "libherald_federation.a"
  "libherald_federation.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/herald_federation.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
