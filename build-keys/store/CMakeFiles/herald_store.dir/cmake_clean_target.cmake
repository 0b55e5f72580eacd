file(REMOVE_RECURSE
  "libherald_store.a"
)
