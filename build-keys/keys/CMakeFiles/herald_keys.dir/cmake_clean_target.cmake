file(REMOVE_RECURSE
  "libherald_keys.a"
)
