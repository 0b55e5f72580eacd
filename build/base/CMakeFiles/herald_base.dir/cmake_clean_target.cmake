file(REMOVE_RECURSE
  "libherald_base.a"
)
