/* agency/domains.c - domain policy changes, each with its audit entry. */
#include "agency/agency_int.h"
#include "federation/fed.h"

#include <stdio.h>

struct domain_change {
    const char *by, *domain, *reason;
    int kind;
    bool on;
    size_t *followers, *jobs;
    struct hr_err *err;
};

static int domain_txn(struct store_txn *txn, void *ctx)
{
    struct domain_change *c = ctx;
    static const char *const actions[2][2] = {{"domain.disallow", "domain.allow"},
                                              {"domain.unblock", "domain.block"}};
    char host[256];
    int rc = fed_host_normalise(c->domain, host, sizeof host, c->err);

    if (rc == HR_OK)
        rc = fed_domain_set(txn, c->kind, c->on, host, c->reason, c->followers, c->jobs, c->err);
    if (rc == HR_OK)
        rc = agency_audit(txn, c->by, actions[c->kind == STORE_DOMAIN_BLOCK][c->on], host,
                          c->reason ? c->reason : "", c->err);
    return rc;
}

int agency_domain_set(struct store *st, const char *by, int kind, bool on, const char *domain,
                      const char *reason, size_t *followers, size_t *jobs, struct hr_err *err)
{
    struct domain_change c = {.by = by, .domain = domain, .reason = reason, .kind = kind,
                              .on = on, .followers = followers, .jobs = jobs, .err = err};

    return agency_write(st, domain_txn, &c, err);
}
