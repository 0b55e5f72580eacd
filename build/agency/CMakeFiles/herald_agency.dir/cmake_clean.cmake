file(REMOVE_RECURSE
  "CMakeFiles/herald_agency.dir/accounts.c.o"
  "CMakeFiles/herald_agency.dir/accounts.c.o.d"
  "libherald_agency.a"
  "libherald_agency.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/herald_agency.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
