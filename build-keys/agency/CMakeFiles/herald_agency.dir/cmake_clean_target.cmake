file(REMOVE_RECURSE
  "libherald_agency.a"
)
