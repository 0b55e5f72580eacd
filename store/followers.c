/* store/followers.c - who follows our accounts. Key: account NUL actor. A second index
 * (actor NUL account) lets a remote actor's Delete drop its follows everywhere. */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void store_follower_fini(struct store_follower *f)
{
    if (f == NULL)
        return;
    free(f->actor);
    free(f->inbox);
    free(f->shared_inbox);
    free(f->follow_id);
    memset(f, 0, sizeof *f);
}

static int decode(const MDB_val *k, const MDB_val *v, size_t plen, struct store_follower *out,
                  struct hr_err *err)
{
    struct store_dec d;
    struct store_follower f = {0};

    store_dec_init(&d, v);
    f.inbox = store_dec_str(&d);
    f.shared_inbox = store_dec_str(&d);
    f.follow_id = store_dec_str(&d);
    f.created_ms = (int64_t)store_dec_u64(&d);
    f.actor = strndup((const char *)k->mv_data + plen, k->mv_size - plen);
    if (d.bad || f.actor == NULL) {
        store_follower_fini(&f);
        return hr_fail(err, HR_EIO, "followers: corrupt record");
    }
    *out = f;
    return HR_OK;
}

/* A follower gained ('+') or lost ('-') at the desk's clock (STORE_T_HISTORY 'f' NUL
 * account NUL BE64(ms) NUL actor): reports replay it to know the followers at a period's
 * start (docs/evaluation.md). Bookkeeping of ours, charged to no remote actor's quota; an
 * actor id too long for a key leaves no record (the follow itself must not fail for it). */
static int history_add(struct store_txn *txn, const char *account, const char *actor, char sign,
                       struct hr_err *err)
{
    unsigned char key[480], be[8];
    size_t alen = strlen(account), plen = strlen(actor), n = 0;

    if (2 + alen + 1 + 8 + 1 + plen > sizeof key)
        return HR_OK;
    store_put_be64((uint64_t)hr_clock_ms(), be);
    key[n++] = 'f';
    key[n++] = '\0';
    memcpy(key + n, account, alen + 1);
    n += alen + 1;
    memcpy(key + n, be, 8);
    n += 8;
    key[n++] = '\0';
    memcpy(key + n, actor, plen);
    n += plen;
    return store_rec_put(txn, STORE_T_HISTORY, key, n, sign == '+' ? "+" : "-", 1, 0, err);
}

static void counter_name(char *out, size_t cap, const char *account)
{
    snprintf(out, cap, "followers:%s", account);
}

int store_follower_put(struct store_txn *txn, const char *account, const struct store_follower *f,
                       bool *added, struct hr_err *err)
{
    char key[1024], rkey[1024], cname[96];
    size_t klen = store_key2(key, sizeof key, account, f->actor);
    size_t rlen = store_key2(rkey, sizeof rkey, f->actor, account);
    struct store_enc e;
    MDB_val old;
    bool is_new;
    int rc;

    if (klen == 0 || rlen == 0)
        return hr_fail(err, HR_EINVAL, "followers: actor id too long");
    is_new = store_db_get(txn, DB_FOLLOWERS, key, klen, &old, NULL) == HR_ENOTFOUND;
    store_enc_init(&e);
    store_enc_str(&e, f->inbox);
    store_enc_str(&e, f->shared_inbox);
    store_enc_str(&e, f->follow_id);
    store_enc_u64(&e, (uint64_t)f->created_ms);
    rc = e.b.err != HR_OK ? hr_fail(err, e.b.err, "followers: record too large")
                          : store_db_put(txn, DB_FOLLOWERS, key, klen, e.b.data, e.b.len, 0, err);
    hr_buf_fini(&e.b);
    if (rc == HR_OK)
        rc = store_db_put(txn, DB_FOLLOWS_BY_ACTOR, rkey, rlen, "", 0, 0, err);
    counter_name(cname, sizeof cname, account);
    if (rc == HR_OK && is_new)
        rc = store_counter_add(txn, cname, 1, err);
    if (rc == HR_OK && is_new)
        rc = history_add(txn, account, f->actor, '+', err);
    if (rc == HR_OK && added != NULL)
        *added = is_new;
    return rc;
}

int store_follower_get(struct store_txn *txn, const char *account, const char *actor,
                       struct store_follower *out, struct hr_err *err)
{
    char key[1024];
    size_t klen = store_key2(key, sizeof key, account, actor);
    MDB_val k = {.mv_size = klen, .mv_data = key}, v;
    int rc;

    if (klen == 0)
        return hr_fail(err, HR_ENOTFOUND, "followers: actor id too long");
    rc = store_db_get(txn, DB_FOLLOWERS, key, klen, &v, err);
    if (rc != HR_OK)
        return rc;
    return decode(&k, &v, strlen(account) + 1, out, err);
}

int store_follower_del(struct store_txn *txn, const char *account, const char *actor,
                       struct hr_err *err)
{
    char key[1024], rkey[1024], cname[96];
    size_t klen = store_key2(key, sizeof key, account, actor);
    size_t rlen = store_key2(rkey, sizeof rkey, actor, account);
    int rc;

    if (klen == 0 || rlen == 0)
        return hr_fail(err, HR_ENOTFOUND, "%s does not follow %s", actor, account);
    rc = store_db_del(txn, DB_FOLLOWERS, key, klen, NULL);
    if (rc == HR_ENOTFOUND)
        return hr_fail(err, HR_ENOTFOUND, "%s does not follow %s", actor, account);
    if (rc != HR_OK)
        return hr_fail(err, rc, "followers: delete failed");
    rc = store_db_del(txn, DB_FOLLOWS_BY_ACTOR, rkey, rlen, NULL);
    if (rc == HR_ENOTFOUND)
        rc = HR_OK;
    counter_name(cname, sizeof cname, account);
    if (rc == HR_OK)
        rc = store_counter_add(txn, cname, -1, err);
    if (rc == HR_OK) /* store_follower_del_everywhere and store_purge_host come here too */
        rc = history_add(txn, account, actor, '-', err);
    return rc;
}

/* Collects up to 64 accounts ACTOR follows (collect first, delete after: deleting under
 * a cursor walk is easy to get wrong). */
static int follows_of(struct store_txn *txn, const char *actor, char accounts[64][32], size_t *n_out,
                      struct hr_err *err)
{
    char prefix[512];
    size_t plen = strlen(actor) + 1, n = 0;
    MDB_cursor *cur = NULL;
    MDB_val k, v;
    int mrc;

    if (plen > sizeof prefix - 32)
        return hr_fail(err, HR_EINVAL, "actor id too long");
    memcpy(prefix, actor, plen);
    mrc = mdb_cursor_open(txn->txn, txn->st->dbi[DB_FOLLOWS_BY_ACTOR], &cur);
    if (mrc != 0)
        return store_mdb_fail(err, mrc, "follows_by_actor");
    k.mv_data = prefix;
    k.mv_size = plen;
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); mrc == 0 && n < 64;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size <= plen || memcmp(k.mv_data, prefix, plen) != 0 || k.mv_size - plen >= 32)
            break;
        memcpy(accounts[n], (const char *)k.mv_data + plen, k.mv_size - plen);
        accounts[n][k.mv_size - plen] = '\0';
        n++;
    }
    mdb_cursor_close(cur);
    *n_out = n;
    return HR_OK;
}

int store_follower_del_everywhere(struct store_txn *txn, const char *actor, size_t *removed,
                                  struct hr_err *err)
{
    char accounts[64][32];
    size_t n = 0, total = 0;
    int rc;

    do {
        rc = follows_of(txn, actor, accounts, &n, err);
        for (size_t i = 0; i < n && rc == HR_OK; i++)
            rc = store_follower_del(txn, accounts[i], actor, err);
        total += n;
    } while (rc == HR_OK && n == 64);
    if (rc == HR_OK && removed != NULL)
        *removed = total;
    return rc;
}

int store_follower_each(struct store_txn *txn, const char *account, const char *after,
                        size_t limit, int (*cb)(const struct store_follower *f, void *ctx),
                        void *ctx, struct hr_err *err)
{
    char key[1024];
    size_t plen = strlen(account) + 1, klen, n = 0;
    MDB_cursor *cur = NULL;
    MDB_val k, v;
    int mrc, rc = HR_OK;

    klen = store_key2(key, sizeof key, account, after ? after : "");
    if (klen == 0)
        return hr_fail(err, HR_EINVAL, "followers: cursor too long");
    mrc = mdb_cursor_open(txn->txn, txn->st->dbi[DB_FOLLOWERS], &cur);
    if (mrc != 0)
        return store_mdb_fail(err, mrc, "followers");
    k.mv_data = key;
    k.mv_size = klen;
    mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    if (mrc == 0 && after != NULL && k.mv_size == klen && memcmp(k.mv_data, key, klen) == 0)
        mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT); /* strictly after the cursor */
    for (; mrc == 0 && n < limit && rc == HR_OK; mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        struct store_follower f;
        if (k.mv_size <= plen || memcmp(k.mv_data, key, plen) != 0)
            break;
        rc = decode(&k, &v, plen, &f, err);
        if (rc == HR_OK) {
            rc = cb(&f, ctx);
            store_follower_fini(&f);
        }
        n++;
    }
    mdb_cursor_close(cur);
    return rc;
}

uint64_t store_follower_count(struct store_txn *txn, const char *account)
{
    char cname[96];

    counter_name(cname, sizeof cname, account);
    return store_counter_get(txn, cname);
}
