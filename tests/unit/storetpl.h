/* tests/unit/storetpl.h - a store made once per test executable (accounts carry RSA-2048
 * keys: slow under valgrind) that each test opens a fresh copy of. Header-only, like
 * tmpdir.h. */
#ifndef HERALD_TEST_STORETPL_H
#define HERALD_TEST_STORETPL_H

#include "store/store.h"
#include "tests/unit/tmpdir.h"

/* A new store in a fresh directory TPL ("/tmp/herald-TAG-XXXXXX") filled by FILL, closed
 * again; 0, or -1 when any step failed. */
static inline int storetpl_make(char tpl[64], const char *tag, int (*fill)(struct store *st))
{
    struct store *st = NULL;
    int rc;

    if (tmpdir_make(tpl, tag) != 0 || store_open(tpl, STORE_CREATE, 64, &st, NULL) != HR_OK)
        return -1;
    rc = fill(st) == HR_OK ? 0 : -1;
    store_close(st);
    return rc;
}

/* A fresh directory DIR holding a copy of template TPL, opened into *ST; 0 or -1. */
static inline int storetpl_open(const char *tpl, char dir[64], const char *tag,
                                struct store **st)
{
    return tmpdir_make(dir, tag) == 0 && tmpdir_copy(tpl, dir) == 0 &&
                   store_open(dir, 0, 64, st, NULL) == HR_OK
               ? 0
               : -1;
}

/* A test executable's template: `template_dir`, and the cmocka group set-up that makes it
 * with FILL (under "/tmp/herald-TAG-XXXXXX") and the group teardown that removes it. */
#define STORETPL_GROUP(TAG, FILL)                                                           \
    static char template_dir[64];                                                           \
    static int group_setup(void **state)                                                    \
    {                                                                                       \
        (void)state;                                                                        \
        return storetpl_make(template_dir, (TAG), (FILL));                                  \
    }                                                                                       \
    static int group_teardown(void **state)                                                 \
    {                                                                                       \
        (void)state;                                                                        \
        return tmpdir_remove(template_dir);                                                 \
    }

#endif
