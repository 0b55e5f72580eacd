/* tests/unit/agencyfix.h - the fixture the agency unit tests share: a fresh copy of the
 * executable's template store (storetpl.h: its accounts and operators made once, their RSA
 * keys being slow under valgrind), opened, with a struct fed on it. Header-only, like
 * storetpl.h. A test file writes its cast as a fill function and has:
 *
 *   group setup:    STORETPL_GROUP("TAG-tpl", fill)
 *   setup/teardown: agencyfix_setup(state, template_dir, "TAG", NULL) / agencyfix_teardown
 *
 * or embeds a struct agencyfix in its own fixture and calls agencyfix_init/_fini. */
#ifndef HERALD_TEST_AGENCYFIX_H
#define HERALD_TEST_AGENCYFIX_H

#include "agency/agency.h"
#include "federation/fed.h"
#include "tests/unit/storetpl.h"

#define AGENCYFIX_DOMAIN "social.city.example"
#define AGENCYFIX_BASE   "https://" AGENCYFIX_DOMAIN

struct agencyfix {
    char dir[64]; /* the store's copy, removed by agencyfix_fini */
    struct store *st;
    struct fed *fed; /* on st, data_dir = dir */
};

/* A grant of ROLE to the operator GRANTEE, for agencyfix_grant_all: ACCOUNT NULL = every
 * account. */
struct agencyfix_grant {
    const char *grantee, *role, *account;
};

/* The federation settings every agency test starts from (AGENCYFIX_BASE, the usual JSON
 * and fetch limits); a test sets what it needs more (languages, allow_private) on it and
 * passes it to agencyfix_init. data_dir is set there. */
static inline struct fed_config agencyfix_config(void)
{
    struct fed_config cfg = {.domain = AGENCYFIX_DOMAIN,
                             .base_url = AGENCYFIX_BASE,
                             .json_max_depth = 64,
                             .json_max_string = 100000,
                             .json_max_items = 1000,
                             .fetch_max_bytes = 1 << 20};
    return cfg;
}

/* Adds the N operators of GRANTS (one named twice is added once) and grants each its role;
 * HR_OK, or the first grant's error. For a template's fill function. */
static inline int agencyfix_grant_all(struct store *st, const struct agencyfix_grant *grants,
                                      size_t n)
{
    int rc = HR_OK;

    for (size_t i = 0; i < n && rc == HR_OK; i++) {
        agency_operator_add(st, AGENCY_LOCAL, grants[i].grantee, NULL); /* again: EEXIST */
        rc = agency_grant(st, AGENCY_LOCAL, grants[i].grantee, grants[i].role, grants[i].account,
                          NULL);
    }
    return rc;
}

/* FX (zeroed by the caller) as a fresh copy of template TPL in "/tmp/herald-TAG-XXXXXX",
 * opened, with a struct fed made from CFG (NULL: agencyfix_config()). 0, or -1 with what
 * was made left for agencyfix_fini. */
static inline int agencyfix_init(struct agencyfix *fx, const char *tpl, const char *tag,
                                 const struct fed_config *cfg)
{
    struct fed_config c = cfg != NULL ? *cfg : agencyfix_config();

    if (storetpl_open(tpl, fx->dir, tag, &fx->st) != 0)
        return -1;
    c.data_dir = fx->dir;
    return fed_new(fx->st, &c, &fx->fed, NULL) == HR_OK ? 0 : -1;
}

/* Frees what agencyfix_init made (any part of it) and removes its directory; 0 or -1. */
static inline int agencyfix_fini(struct agencyfix *fx)
{
    fed_free(fx->fed);
    agency_close(fx->st);
    return fx->dir[0] != '\0' ? tmpdir_remove(fx->dir) : 0;
}

/* cmocka setup for a test whose state is a struct agencyfix: agencyfix_init's arguments. */
static inline int agencyfix_setup(void **state, const char *tpl, const char *tag,
                                  const struct fed_config *cfg)
{
    struct agencyfix *fx = calloc(1, sizeof *fx);

    *state = NULL;
    if (fx == NULL || agencyfix_init(fx, tpl, tag, cfg) != 0) {
        if (fx != NULL)
            agencyfix_fini(fx);
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

/* cmocka teardown for agencyfix_setup: agencyfix_fini and the struct freed; 0 or -1
 * (also -1 after a failed setup, which left nothing). */
static inline int agencyfix_teardown(void **state)
{
    struct agencyfix *fx = *state;
    int rc;

    if (fx == NULL)
        return -1;
    rc = agencyfix_fini(fx);
    free(fx);
    return rc;
}

#endif
