/* tests/unit/federation/fedfix.h - the federation unit tests' fixture: a store in a fresh
 * temporary directory and a federation context over it. Header-only. */
#ifndef HERALD_TEST_FEDFIX_H
#define HERALD_TEST_FEDFIX_H

#include "federation/fed.h"
#include "tests/unit/tmpdir.h"

/* CFG as given, its data_dir set to the new directory (DIR, 64 bytes); -1 on failure. */
static inline int fedfix_open(char dir[64], struct store **st, struct fed **fed, const char *tag,
                              struct fed_config cfg)
{
    if (tmpdir_make(dir, tag) != 0 || store_open(dir, STORE_CREATE, 64, st, NULL) != HR_OK)
        return -1;
    cfg.data_dir = dir;
    return fed_new(*st, &cfg, fed, NULL) == HR_OK ? 0 : -1;
}

static inline int fedfix_close(const char *dir, struct store *st, struct fed *fed)
{
    fed_free(fed);
    store_close(st);
    return tmpdir_remove(dir);
}

#endif
