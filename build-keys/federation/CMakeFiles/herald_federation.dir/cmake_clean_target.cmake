file(REMOVE_RECURSE
  "libherald_federation.a"
)
