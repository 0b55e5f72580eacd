file(REMOVE_RECURSE
  "CMakeFiles/herald_federation.dir/actors.c.o"
  "CMakeFiles/herald_federation.dir/actors.c.o.d"
  "CMakeFiles/herald_federation.dir/deliver.c.o"
  "CMakeFiles/herald_federation.dir/deliver.c.o.d"
  "CMakeFiles/herald_federation.dir/docs.c.o"
  "CMakeFiles/herald_federation.dir/docs.c.o.d"
  "CMakeFiles/herald_federation.dir/fed.c.o"
  "CMakeFiles/herald_federation.dir/fed.c.o.d"
  "CMakeFiles/herald_federation.dir/http.c.o"
  "CMakeFiles/herald_federation.dir/http.c.o.d"
  "CMakeFiles/herald_federation.dir/httpsig.c.o"
  "CMakeFiles/herald_federation.dir/httpsig.c.o.d"
  "CMakeFiles/herald_federation.dir/inbox.c.o"
  "CMakeFiles/herald_federation.dir/inbox.c.o.d"
  "CMakeFiles/herald_federation.dir/publish.c.o"
  "CMakeFiles/herald_federation.dir/publish.c.o.d"
  "CMakeFiles/herald_federation.dir/ssrf.c.o"
  "CMakeFiles/herald_federation.dir/ssrf.c.o.d"
  "CMakeFiles/herald_federation.dir/text.c.o"
  "CMakeFiles/herald_federation.dir/text.c.o.d"
  "libherald_federation.a"
  "libherald_federation.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/herald_federation.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
