file(REMOVE_RECURSE
  "CMakeFiles/herald_store.dir/accounts.c.o"
  "CMakeFiles/herald_store.dir/accounts.c.o.d"
  "CMakeFiles/herald_store.dir/codec.c.o"
  "CMakeFiles/herald_store.dir/codec.c.o.d"
  "CMakeFiles/herald_store.dir/deliveries.c.o"
  "CMakeFiles/herald_store.dir/deliveries.c.o.d"
  "CMakeFiles/herald_store.dir/env.c.o"
  "CMakeFiles/herald_store.dir/env.c.o.d"
  "CMakeFiles/herald_store.dir/followers.c.o"
  "CMakeFiles/herald_store.dir/followers.c.o.d"
  "CMakeFiles/herald_store.dir/objects.c.o"
  "CMakeFiles/herald_store.dir/objects.c.o.d"
  "CMakeFiles/herald_store.dir/remote.c.o"
  "CMakeFiles/herald_store.dir/remote.c.o.d"
  "CMakeFiles/herald_store.dir/seen.c.o"
  "CMakeFiles/herald_store.dir/seen.c.o.d"
  "libherald_store.a"
  "libherald_store.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/herald_store.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
