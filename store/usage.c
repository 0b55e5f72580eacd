/* store/usage.c - what remote actors made us store, per actor and per registrable domain,
 * kept in the same write transaction as the rows it counts (so a quota survives restarts
 * and a crash cannot leave it out of step), the one Accept kept per follower, pruning of
 * inbound rows and seen ids by age, and the share of the map inbound data holds.
 *
 * Record layouts written here (codec.c fields):
 *   inbound  BE64(seq) -> u64 ms, str account, str actor, str type, str domain, raw body
 *   seen     id        -> u64 ms, str digest, str actor, str domain
 * Rows written before this file existed lack the domain: for an inbound row the four bytes
 * read as its length are the start of a JSON body ('{' or whitespace, read as at least
 * 150 MB, beyond any record), so both old layouts decode as "charged to nobody", which is
 * what they were. An empty domain means the same. */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t usage_key(char *out, size_t cap, int kind, const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n + 1 > cap || n + 1 > 511)
        return 0;
    out[0] = (char)kind;
    memcpy(out + 1, name, n);
    return n + 1;
}

void store_usage_get(struct store_txn *txn, int kind, const char *name, struct store_usage *out)
{
    char key[512];
    size_t klen = usage_key(key, sizeof key, kind, name);
    MDB_val v;

    out->objects = out->bytes = 0;
    if (klen == 0 || store_db_get(txn, DB_USAGE, key, klen, &v, NULL) != HR_OK ||
        v.mv_size != 16)
        return;
    out->objects = store_get_be64(v.mv_data);
    out->bytes = store_get_be64((const unsigned char *)v.mv_data + 8);
}

static uint64_t clamp_add(uint64_t n, int64_t delta)
{
    if (delta < 0 && (uint64_t)(-delta) > n)
        return 0; /* a release never goes below zero (rows older than the counters) */
    return (uint64_t)((int64_t)n + delta);
}

static int usage_add(struct store_txn *txn, int kind, const char *name, int64_t objects,
                     int64_t bytes, struct hr_err *err)
{
    char key[512];
    unsigned char val[16];
    size_t klen = usage_key(key, sizeof key, kind, name);
    struct store_usage u;

    if (klen == 0)
        return hr_fail(err, HR_EINVAL, "usage: name too long");
    store_usage_get(txn, kind, name, &u);
    u.objects = clamp_add(u.objects, objects);
    u.bytes = clamp_add(u.bytes, bytes);
    if (u.objects == 0 && u.bytes == 0) { /* nothing left: no row (the table stays small) */
        int rc = store_db_del(txn, DB_USAGE, key, klen, NULL);
        return rc == HR_ENOTFOUND ? HR_OK : rc;
    }
    store_be64(u.objects, val);
    store_be64(u.bytes, val + 8);
    return store_db_put(txn, DB_USAGE, key, klen, val, 16, 0, err);
}

static bool charged(const struct store_charge *from)
{
    return from != NULL && from->actor != NULL && from->actor[0] != '\0' &&
           from->domain != NULL && from->domain[0] != '\0';
}

int store_usage_charge(struct store_txn *txn, const struct store_charge *from, int64_t objects,
                       int64_t bytes, struct hr_err *err)
{
    int rc;

    if (!charged(from))
        return HR_OK;
    rc = usage_add(txn, STORE_USAGE_ACTOR, from->actor, objects, bytes, err);
    if (rc == HR_OK)
        rc = usage_add(txn, STORE_USAGE_DOMAIN, from->domain, objects, bytes, err);
    return rc;
}

int store_inbound_add_from(struct store_txn *txn, const char *account,
                           const struct store_charge *from, const char *type, const char *json,
                           size_t len, int64_t now_ms, struct hr_err *err)
{
    return store_inbound_add_proven(txn, account, from, type, NULL, json, len, now_ms, err);
}

int store_inbound_add_proven(struct store_txn *txn, const char *account,
                             const struct store_charge *from, const char *type,
                             const char *proof, const char *json, size_t len, int64_t now_ms,
                             struct hr_err *err)
{
    unsigned char key[8];
    struct store_enc e;
    uint64_t seq;
    int rc = store_seq_next(txn, &seq, err);

    if (rc != HR_OK)
        return rc;
    store_be64(seq, key);
    store_enc_init(&e);
    store_enc_u64(&e, (uint64_t)now_ms);
    store_enc_str(&e, account);
    store_enc_str(&e, from ? from->actor : "");
    store_enc_str(&e, type);
    store_enc_str(&e, from ? from->domain : "");
    store_enc_str(&e, proof ? proof : "");
    hr_buf_add(&e.b, json, len); /* the raw body last: no length prefix needed */
    rc = e.b.err != HR_OK ? hr_fail(err, e.b.err, "inbound: record too large")
                          : store_db_put(txn, DB_INBOUND, key, 8, e.b.data, e.b.len, 0, err);
    if (rc == HR_OK)
        rc = store_usage_charge(txn, from, 1, (int64_t)(e.b.len + 8), err);
    hr_buf_fini(&e.b);
    return rc;
}

int store_inbound_add(struct store_txn *txn, const char *account, const char *actor,
                      const char *type, const char *json, size_t len, struct hr_err *err)
{
    struct store_charge nobody = {.actor = actor, .domain = ""};

    return store_inbound_add_from(txn, account, &nobody, type, json, len, hr_now_ms(), err);
}

int store_seen_put_from(struct store_txn *txn, const char *id, const char *digest, int64_t now_ms,
                        const struct store_charge *from, struct hr_err *err)
{
    struct store_enc e;
    MDB_val v;
    int rc;

    if (store_db_get(txn, DB_SEEN, id, strlen(id), &v, NULL) == HR_OK)
        return hr_fail(err, HR_EEXIST, "activity already processed");
    store_enc_init(&e);
    store_enc_u64(&e, (uint64_t)now_ms);
    store_enc_str(&e, digest);
    if (charged(from)) {
        store_enc_str(&e, from->actor);
        store_enc_str(&e, from->domain);
    }
    rc = e.b.err != HR_OK ? hr_fail(err, e.b.err, "seen: record")
                          : store_db_put(txn, DB_SEEN, id, strlen(id), e.b.data, e.b.len, 0, err);
    if (rc == HR_OK)
        rc = store_usage_charge(txn, from, 0, (int64_t)(e.b.len + strlen(id)), err);
    hr_buf_fini(&e.b);
    return rc;
}

/* ---- the one Accept kept per (account, follower) ---- */

/* Bytes of object ID's row (key and value), 0 when it is not stored. */
static size_t object_size(struct store_txn *txn, const char *id)
{
    MDB_val v;

    if (store_db_get(txn, DB_OBJECTS, id, strlen(id), &v, NULL) != HR_OK)
        return 0;
    return v.mv_size + strlen(id);
}

static int accept_drop(struct store_txn *txn, const struct store_charge *from, const char *id,
                       struct hr_err *err)
{
    size_t len = object_size(txn, id);
    int rc = store_object_del(txn, id, NULL);

    if (rc == HR_ENOTFOUND)
        return HR_OK; /* already gone: nothing to release */
    if (rc == HR_OK)
        rc = store_usage_charge(txn, from, -1, -(int64_t)len, err);
    return rc;
}

int store_accept_keep(struct store_txn *txn, const char *account, const struct store_charge *from,
                      const char *accept_id, struct hr_err *err)
{
    char key[1024], old[1024];
    size_t klen = store_key2(key, sizeof key, account, from->actor);
    MDB_val v;
    int rc = HR_OK;

    if (accept_id != NULL && store_db_get(txn, DB_OBJECTS, accept_id, strlen(accept_id), &v,
                                          err) != HR_OK)
        return HR_ENOTFOUND;
    if (klen == 0)
        return hr_fail(err, HR_EINVAL, "accepts: actor id too long");
    if (store_db_get(txn, DB_ACCEPTS, key, klen, &v, NULL) == HR_OK && v.mv_size < sizeof old) {
        memcpy(old, v.mv_data, v.mv_size);
        old[v.mv_size] = '\0';
        if (accept_id != NULL && strcmp(old, accept_id) == 0)
            return HR_OK; /* already the one kept, and charged */
        rc = accept_drop(txn, from, old, err);
    }
    if (rc != HR_OK)
        return rc;
    if (accept_id == NULL) {
        rc = store_db_del(txn, DB_ACCEPTS, key, klen, NULL);
        return rc == HR_ENOTFOUND ? HR_OK : rc;
    }
    rc = store_db_put(txn, DB_ACCEPTS, key, klen, accept_id, strlen(accept_id), 0, err);
    if (rc == HR_OK)
        rc = store_usage_charge(txn, from, 1, (int64_t)object_size(txn, accept_id), err);
    return rc;
}

/* ---- pruning by age ---- */

/* Releases what an inbound row was charged: actor is its 3rd field, domain its 5th. */
static int inbound_release(struct store_txn *txn, const MDB_val *k, const MDB_val *v,
                           struct hr_err *err)
{
    struct store_charge from = {0};
    struct store_dec d;
    char *actor, *domain = NULL;
    int rc = HR_OK;

    store_dec_init(&d, v);
    (void)store_dec_u64(&d);
    store_dec_skip(&d);
    actor = store_dec_str(&d);
    store_dec_skip(&d);
    if (!d.bad)
        domain = store_dec_str(&d);
    from.actor = actor;
    from.domain = domain;
    if (!d.bad)
        rc = store_usage_charge(txn, &from, -1, -(int64_t)(k->mv_size + v->mv_size), err);
    /* rows go in sequence order: this one is the newest pruned so far (timeline_prune) */
    if (rc == HR_OK && k->mv_size == 8)
        rc = store_db_put(txn, DB_META, "inbound_pruned", 14, k->mv_data, 8, 0, err);
    free(actor);
    free(domain);
    return rc;
}

/* Releases what a seen row was charged: actor and domain follow the digest. */
static int seen_release(struct store_txn *txn, const MDB_val *k, const MDB_val *v,
                        struct hr_err *err)
{
    struct store_charge from = {0};
    struct store_dec d;
    char *actor, *domain;
    int rc = HR_OK;

    store_dec_init(&d, v);
    (void)store_dec_u64(&d);
    store_dec_skip(&d);
    actor = store_dec_str(&d);
    domain = store_dec_str(&d);
    from.actor = actor;
    from.domain = domain;
    if (!d.bad)
        rc = store_usage_charge(txn, &from, 0, -(int64_t)(k->mv_size + v->mv_size), err);
    free(actor);
    free(domain);
    return rc;
}

/* How one table is pruned: which rows are old, whether they come in age order (then the
 * first row that is not old ends a pass), and what deleting one releases. */
struct prune_kind {
    enum store_db db;
    bool in_order;
    bool (*is_old)(const MDB_val *k, const MDB_val *v, int64_t limit);
    int (*release)(struct store_txn *txn, const MDB_val *k, const MDB_val *v,
                   struct hr_err *err);
};

/* inbound and seen values start with the time they were written */
static bool written_before(const MDB_val *k, const MDB_val *v, int64_t before_ms)
{
    (void)k;
    return v->mv_size >= 8 && (int64_t)store_get_be64(v->mv_data) < before_ms;
}

/* timeline keys end with the store-wide sequence number of the write */
static bool seq_up_to(const MDB_val *k, const MDB_val *v, int64_t seq)
{
    (void)v;
    return k->mv_size >= 8 &&
           store_get_be64((const unsigned char *)k->mv_data + k->mv_size - 8) <= (uint64_t)seq;
}

static int release_nothing(struct store_txn *txn, const MDB_val *k, const MDB_val *v,
                           struct hr_err *err)
{
    (void)txn;
    (void)k;
    (void)v;
    (void)err;
    return HR_OK;
}

/* Walks K->db from P->resume (or the start), at most MAX rows, deleting the old ones. */
static int prune(struct store_txn *txn, const struct prune_kind *kind, int64_t limit, size_t max,
                 struct store_prune *p, struct hr_err *err)
{
    MDB_cursor *cur = NULL;
    MDB_val k = {.mv_size = p->resume_len, .mv_data = p->resume}, v;
    size_t n = 0;
    int rc = HR_OK, mrc = mdb_cursor_open(txn->txn, txn->st->dbi[kind->db], &cur);

    if (mrc != 0)
        return store_mdb_fail(err, mrc, "prune");
    mrc = mdb_cursor_get(cur, &k, &v, p->resume_len ? MDB_SET_RANGE : MDB_FIRST);
    for (; mrc == 0 && n < max && rc == HR_OK; n++) {
        bool old = kind->is_old(&k, &v, limit);
        if (!old && kind->in_order)
            break;
        if (old) {
            rc = kind->release(txn, &k, &v, err);
            mrc = rc == HR_OK ? mdb_cursor_del(cur, 0) : 0;
            if (mrc != 0)
                rc = store_mdb_fail(err, mrc, "prune");
            p->removed++;
        }
        mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    }
    p->visited += n;
    p->done = mrc != 0 || (n < max && rc == HR_OK) || k.mv_size > sizeof p->resume;
    if (!p->done) {
        memcpy(p->resume, k.mv_data, k.mv_size); /* the next row, looked at next time */
        p->resume_len = k.mv_size;
    }
    mdb_cursor_close(cur);
    return rc;
}

int store_inbound_prune(struct store_txn *txn, int64_t before_ms, size_t max,
                        struct store_prune *p, struct hr_err *err)
{
    static const struct prune_kind k = {DB_INBOUND, true, written_before, inbound_release};

    return prune(txn, &k, before_ms, max, p, err);
}

int store_seen_prune(struct store_txn *txn, int64_t before_ms, size_t max, struct store_prune *p,
                     struct hr_err *err)
{
    static const struct prune_kind k = {DB_SEEN, false, written_before, seen_release};

    return prune(txn, &k, before_ms, max, p, err);
}

/* A timeline row is written in the same transaction as the inbound row of its Create, with
 * a smaller sequence number; sequence numbers follow commit order. So every timeline row
 * up to the newest pruned inbound row is older than the inbound retention too. */
int store_timeline_prune(struct store_txn *txn, size_t max, struct store_prune *p,
                         struct hr_err *err)
{
    static const struct prune_kind k = {DB_REC_FIRST_ + STORE_T_TIMELINE, false, seq_up_to,
                                        release_nothing};
    MDB_val v;

    if (store_db_get(txn, DB_META, "inbound_pruned", 14, &v, NULL) != HR_OK || v.mv_size != 8 ||
        store_get_be64(v.mv_data) > INT64_MAX) {
        p->done = true; /* nothing pruned yet: nothing is known to be old */
        return HR_OK;
    }
    return prune(txn, &k, (int64_t)store_get_be64(v.mv_data), max, p, err);
}

/* ---- the inbound share of the map ---- */

static uint64_t db_pages(struct store_txn *txn, enum store_db db)
{
    MDB_stat s;

    if (mdb_stat(txn->txn, txn->st->dbi[db], &s) != 0)
        return 0;
    return (uint64_t)s.ms_branch_pages + s.ms_leaf_pages + s.ms_overflow_pages;
}

void store_inbound_share(struct store_txn *txn, uint64_t *used_bytes, uint64_t *map_bytes)
{
    static const enum store_db inbound[] = {
        DB_SEEN,         DB_INBOUND,     DB_USAGE, DB_ACCEPTS,
        DB_REMOTE_ACTORS, DB_REMOTE_KEYS, DB_REC_FIRST_ + STORE_T_TIMELINE,
    };
    uint64_t pages = 0;
    MDB_envinfo info;
    MDB_stat env;

    for (size_t i = 0; i < sizeof inbound / sizeof inbound[0]; i++)
        pages += db_pages(txn, inbound[i]);
    if (mdb_env_info(txn->st->env, &info) != 0 || mdb_env_stat(txn->st->env, &env) != 0) {
        *used_bytes = *map_bytes = 0;
        return;
    }
    *used_bytes = pages * env.ms_psize;
    *map_bytes = info.me_mapsize;
}
