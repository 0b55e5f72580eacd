/* store/domains.c - domain policy. Key: kind byte ':' host. Host matching (subdomains
 * included) is the caller's; this file stores entries and purges a host's traces. */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void store_domain_fini(struct store_domain *d)
{
    if (d == NULL)
        return;
    free(d->host);
    free(d->reason);
    memset(d, 0, sizeof *d);
}

static size_t domain_key(char *out, size_t cap, int kind, const char *host)
{
    int n = snprintf(out, cap, "%c:%s", kind, host);

    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

int store_domain_put(struct store_txn *txn, int kind, const char *host, const char *reason,
                     struct hr_err *err)
{
    char key[300];
    size_t klen = domain_key(key, sizeof key, kind, host);
    struct store_enc e;
    int rc;

    if (klen == 0)
        return hr_fail(err, HR_EINVAL, "domain name too long");
    store_enc_init(&e);
    store_enc_u64(&e, (uint64_t)hr_now_ms());
    store_enc_str(&e, reason);
    rc = e.b.err != HR_OK ? hr_fail(err, e.b.err, "domains: record")
                          : store_db_put(txn, DB_DOMAINS, key, klen, e.b.data, e.b.len, 0, err);
    hr_buf_fini(&e.b);
    return rc;
}

int store_domain_del(struct store_txn *txn, int kind, const char *host, struct hr_err *err)
{
    char key[300];
    size_t klen = domain_key(key, sizeof key, kind, host);
    int rc;

    if (klen == 0)
        return hr_fail(err, HR_ENOTFOUND, "no such domain entry");
    rc = store_db_del(txn, DB_DOMAINS, key, klen, NULL);
    if (rc == HR_ENOTFOUND)
        return hr_fail(err, HR_ENOTFOUND, "%s is not %s", host,
                       kind == STORE_DOMAIN_BLOCK ? "blocked" : "on the allow-list");
    return rc == HR_OK ? HR_OK : hr_fail(err, rc, "domains: delete failed");
}

bool store_domain_has(struct store_txn *txn, int kind, const char *host)
{
    char key[300];
    size_t klen = domain_key(key, sizeof key, kind, host);
    MDB_val v;

    return klen != 0 && store_db_get(txn, DB_DOMAINS, key, klen, &v, NULL) == HR_OK;
}

int store_domain_each(struct store_txn *txn, int (*cb)(const struct store_domain *d, void *ctx),
                      void *ctx, struct hr_err *err)
{
    MDB_cursor *cur = NULL;
    MDB_val k, v;
    int mrc, rc = HR_OK;

    mrc = mdb_cursor_open(txn->txn, txn->st->dbi[DB_DOMAINS], &cur);
    if (mrc != 0)
        return store_mdb_fail(err, mrc, "domains");
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0 && rc == HR_OK;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        struct store_domain d = {0};
        struct store_dec dec;
        if (k.mv_size < 3)
            continue;
        store_dec_init(&dec, &v);
        d.kind = ((const char *)k.mv_data)[0];
        d.host = strndup((const char *)k.mv_data + 2, k.mv_size - 2);
        d.created_ms = (int64_t)store_dec_u64(&dec);
        d.reason = store_dec_str(&dec);
        rc = dec.bad || d.host == NULL ? hr_fail(err, HR_EIO, "domains: corrupt record")
                                       : cb(&d, ctx);
        store_domain_fini(&d);
    }
    mdb_cursor_close(cur);
    return rc;
}

/* true when URL's host is HOST or ends in ".HOST" (no URL parser here: store/ has no curl;
 * the authority is what follows "scheme://" up to '/', ':' or the end). */
static bool url_on_host(const char *url, size_t len, const char *host)
{
    const char *p = memchr(url, ':', len), *end = url + len, *h;
    size_t hl = strlen(host), n;

    if (p == NULL || end - p < 3 || p[1] != '/' || p[2] != '/')
        return false;
    h = p + 3;
    for (n = 0; h + n < end && h[n] != '/' && h[n] != ':' && h[n] != '?' && h[n] != '#'; n++)
        if (h[n] == '@')
            return false; /* userinfo: never ours to judge; such ids are refused elsewhere */
    if (n == hl)
        return strncasecmp(h, host, hl) == 0;
    return n > hl && h[n - hl - 1] == '.' && strncasecmp(h + n - hl, host, hl) == 0;
}

static int purge_followers(struct store_txn *txn, const char *host, size_t *count,
                           struct hr_err *err)
{
    MDB_cursor *cur = NULL;
    MDB_val k, v;
    int mrc, rc = HR_OK;

    *count = 0;
    mrc = mdb_cursor_open(txn->txn, txn->st->dbi[DB_FOLLOWS_BY_ACTOR], &cur);
    if (mrc != 0)
        return store_mdb_fail(err, mrc, "follows_by_actor");
    /* index key: actor NUL account */
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0 && rc == HR_OK;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        const char *key = k.mv_data;
        size_t alen = strnlen(key, k.mv_size);
        char actor[512];
        if (alen >= sizeof actor || !url_on_host(key, alen, host))
            continue;
        memcpy(actor, key, alen);
        actor[alen] = '\0';
        size_t removed = 0;
        mdb_cursor_close(cur); /* deleting: restart the walk after */
        cur = NULL;
        rc = store_follower_del_everywhere(txn, actor, &removed, err);
        *count += removed;
        if (rc == HR_OK && (mrc = mdb_cursor_open(txn->txn, txn->st->dbi[DB_FOLLOWS_BY_ACTOR],
                                                  &cur)) != 0)
            return store_mdb_fail(err, mrc, "follows_by_actor");
    }
    mdb_cursor_close(cur);
    return rc;
}

struct purge_jobs {
    const char *host;
    void (*dropped)(const struct store_delivery *d, void *ctx);
    void *ctx;
};

static bool job_on_host(const struct store_delivery *d, void *ctx)
{
    const struct purge_jobs *p = ctx;

    if (!url_on_host(d->inbox, strlen(d->inbox), p->host))
        return false;
    if (p->dropped != NULL)
        p->dropped(d, p->ctx);
    return true;
}

int store_purge_host(struct store_txn *txn, const char *host,
                     void (*dropped)(const struct store_delivery *d, void *ctx), void *ctx,
                     size_t *followers, size_t *jobs, struct hr_err *err)
{
    struct purge_jobs p = {.host = host, .dropped = dropped, .ctx = ctx};
    size_t f = 0, j = 0;
    int rc = purge_followers(txn, host, &f, err);

    if (rc == HR_OK)
        rc = store_delivery_drop_if(txn, job_on_host, &p, &j, err);
    if (rc == HR_OK) {
        if (followers != NULL)
            *followers = f;
        if (jobs != NULL)
            *jobs = j;
    }
    return rc;
}
