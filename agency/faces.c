/* agency/faces.c - the thin functions the faces (CLI, admin API) use instead of calling
 * store/ themselves: opening the data directory, lists and counts, each behind its row of
 * the authorization table. */
#include "agency/agency_int.h"
#include "keys/keys.h"

#include <stdint.h>

int agency_open(const char *dir, bool create, size_t map_mb, struct store **out,
                struct hr_err *err)
{
    return store_open(dir, create ? STORE_CREATE : 0, map_mb, out, err);
}

void agency_close(struct store *st)
{
    store_close(st);
}

void agency_secret_free(char *s)
{
    keys_secret_free(s);
}

struct read_op {
    const char *by, *account;
    enum agency_action action;
    int (*fn)(struct store_txn *txn, struct read_op *r, struct hr_err *err);
    int (*account_cb)(const struct store_account *a, void *ctx);
    int (*follower_cb)(const struct store_follower *f, void *ctx);
    int (*domain_cb)(const struct store_domain *d, void *ctx);
    void *ctx;
    struct store_stats *stats;
};

/* One read transaction: the table's verdict on R, then R's walk. */
static int read_run(struct store *st, struct read_op *r, struct hr_err *err)
{
    struct store_txn *txn = NULL;
    int rc = store_txn_begin(st, STORE_READ, &txn, err);

    if (rc == HR_OK)
        rc = agency_may_txn(txn, r->by, r->action, r->account, NULL, err);
    if (rc == HR_OK)
        rc = r->fn(txn, r, err);
    store_txn_abort(txn);
    return rc;
}

static int accounts_fn(struct store_txn *txn, struct read_op *r, struct hr_err *err)
{
    return store_account_each(txn, r->account_cb, r->ctx, err);
}

int agency_account_each(struct store *st, const char *by,
                        int (*cb)(const struct store_account *a, void *ctx), void *ctx,
                        struct hr_err *err)
{
    struct read_op r = {.by = by, .action = AGENCY_ACCOUNT_LIST, .fn = accounts_fn,
                        .account_cb = cb, .ctx = ctx};

    return read_run(st, &r, err);
}

static int followers_fn(struct store_txn *txn, struct read_op *r, struct hr_err *err)
{
    struct store_account a = {0};
    int rc = store_account_get(txn, r->account, &a, err);

    store_account_fini(&a);
    if (rc == HR_ENOTFOUND)
        return hr_fail(err, HR_ENOTFOUND, "no account named '%.40s'", r->account);
    return rc == HR_OK ? store_follower_each(txn, r->account, NULL, SIZE_MAX,
                                             r->follower_cb, r->ctx, err)
                       : rc;
}

int agency_follower_each(struct store *st, const char *by, const char *account,
                         int (*cb)(const struct store_follower *f, void *ctx), void *ctx,
                         struct hr_err *err)
{
    struct read_op r = {.by = by, .account = account, .action = AGENCY_FOLLOWERS_READ,
                        .fn = followers_fn, .follower_cb = cb, .ctx = ctx};

    if (!hr_name_valid(account))
        return hr_fail(err, HR_EINVAL, "bad account name");
    return read_run(st, &r, err);
}

static int domains_fn(struct store_txn *txn, struct read_op *r, struct hr_err *err)
{
    return store_domain_each(txn, r->domain_cb, r->ctx, err);
}

int agency_domain_each(struct store *st, const char *by,
                       int (*cb)(const struct store_domain *d, void *ctx), void *ctx,
                       struct hr_err *err)
{
    struct read_op r = {.by = by, .action = AGENCY_DOMAIN_LIST, .fn = domains_fn,
                        .domain_cb = cb, .ctx = ctx};

    return read_run(st, &r, err);
}

static int stats_fn(struct store_txn *txn, struct read_op *r, struct hr_err *err)
{
    return store_stats_get(txn, r->stats, err);
}

int agency_stats(struct store *st, const char *by, struct store_stats *out, struct hr_err *err)
{
    struct read_op r = {.by = by, .action = AGENCY_STATS_READ, .fn = stats_fn, .stats = out};

    return read_run(st, &r, err);
}
