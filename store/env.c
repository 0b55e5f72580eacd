/* store/env.c - the LMDB environment, transactions, meta and counters. */
#include "store/store_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const db_names[DB_COUNT_] = {
    [DB_META] = "meta",
    [DB_ACCOUNTS] = "accounts",
    [DB_OBJECTS] = "objects",
    [DB_OUTBOX] = "outbox",
    [DB_FOLLOWERS] = "followers",
    [DB_FOLLOWS_BY_ACTOR] = "follows_by_actor",
    [DB_REMOTE_ACTORS] = "remote_actors",
    [DB_REMOTE_KEYS] = "remote_keys",
    [DB_DELIVERIES] = "deliveries",
    [DB_DELIVERY_IDS] = "delivery_ids",
    [DB_SEEN] = "seen",
    [DB_INBOUND] = "inbound",
    [DB_COUNTERS] = "counters",
    [DB_DOMAINS] = "domains",
    [DB_USAGE] = "inbound_usage",
    [DB_ACCEPTS] = "accepts_by_follower",
    [DB_REC_FIRST_ + STORE_T_OPERATORS] = "operators",
    [DB_REC_FIRST_ + STORE_T_GRANTS] = "grants",
    [DB_REC_FIRST_ + STORE_T_TOKENS] = "tokens",
    [DB_REC_FIRST_ + STORE_T_POLICY] = "policy",
    [DB_REC_FIRST_ + STORE_T_DRAFTS] = "drafts",
    [DB_REC_FIRST_ + STORE_T_DRAFT_LOG] = "draft_log",
    [DB_REC_FIRST_ + STORE_T_SCHEDULE] = "schedule",
    [DB_REC_FIRST_ + STORE_T_AUDIT] = "audit",
    [DB_REC_FIRST_ + STORE_T_FOLLOWING] = "following",
    [DB_REC_FIRST_ + STORE_T_TIMELINE] = "timeline",
    [DB_REC_FIRST_ + STORE_T_INSTANCE] = "instance",
    [DB_REC_FIRST_ + STORE_T_MEDIA] = "media",
    [DB_REC_FIRST_ + STORE_T_REACTIONS] = "reactions",
    [DB_REC_FIRST_ + STORE_T_VOTES] = "votes",
    [DB_REC_FIRST_ + STORE_T_CASES] = "cases",
    [DB_REC_FIRST_ + STORE_T_CASE_IDX] = "case_index",
    [DB_REC_FIRST_ + STORE_T_DESK] = "desk",
    [DB_REC_FIRST_ + STORE_T_HOSTS] = "host_health",
    [DB_REC_FIRST_ + STORE_T_REACH] = "reach",
    [DB_REC_FIRST_ + STORE_T_HISTORY] = "history",
    [DB_REC_FIRST_ + STORE_T_HOOKS] = "webhooks",
};

int store_mdb_fail(struct hr_err *err, int mrc, const char *what)
{
    switch (mrc) {
    case MDB_NOTFOUND:
        return hr_fail(err, HR_ENOTFOUND, "%s: not found", what);
    case MDB_KEYEXIST:
        return hr_fail(err, HR_EEXIST, "%s: already exists", what);
    case MDB_MAP_FULL:
        return hr_fail(err, HR_EIO, "%s: data store full (raise map_size_mb)", what);
    default:
        return hr_fail(err, HR_EIO, "%s: %s", what, mdb_strerror(mrc));
    }
}

static int check_dir(const char *dir, unsigned flags, struct hr_err *err)
{
    struct stat sb;

    if (stat(dir, &sb) == 0) {
        if (!S_ISDIR(sb.st_mode))
            return hr_fail(err, HR_EINVAL, "%s is not a directory", dir);
        return HR_OK;
    }
    if (errno != ENOENT || !(flags & STORE_CREATE))
        return hr_fail(err, HR_ENOTFOUND, "no data directory at %s (run 'herald init' first)", dir);
    /* private keys live here: owner-only from the first moment */
    if (mkdir(dir, 0700) != 0)
        return hr_fail(err, HR_EIO, "cannot create %s: %s", dir, strerror(errno));
    return HR_OK;
}

static int schema_check(struct store_txn *t, bool create, struct hr_err *err)
{
    MDB_val v;
    unsigned char be[8];
    int rc = store_db_get(t, DB_META, "schema", 6, &v, NULL);

    if (rc == HR_ENOTFOUND) {
        if (!create)
            return hr_fail(err, HR_ENOTFOUND, "data directory holds no Herald store");
        store_be64(STORE_SCHEMA, be);
        return store_db_put(t, DB_META, "schema", 6, be, 8, 0, err);
    }
    if (rc != HR_OK || v.mv_size != 8)
        return hr_fail(err, HR_EIO, "meta: unreadable schema version");
    if (store_get_be64(v.mv_data) > STORE_SCHEMA)
        return hr_fail(err, HR_ESCHEMA,
                       "data directory has schema %llu, newer than this Herald (%d): upgrade Herald",
                       (unsigned long long)store_get_be64(v.mv_data), STORE_SCHEMA);
    return HR_OK;
}

static int open_dbs(struct store *st, unsigned flags, struct hr_err *err)
{
    struct store_txn t = {.st = st, .write = true};
    int mrc, rc = HR_OK;

    mrc = mdb_txn_begin(st->env, NULL, 0, &t.txn);
    if (mrc != 0)
        return store_mdb_fail(err, mrc, "open");
    for (int i = 0; i < DB_COUNT_ && rc == HR_OK; i++) {
        mrc = mdb_dbi_open(t.txn, db_names[i], MDB_CREATE, &st->dbi[i]);
        if (mrc != 0)
            rc = store_mdb_fail(err, mrc, db_names[i]);
    }
    if (rc == HR_OK)
        rc = schema_check(&t, (flags & STORE_CREATE) != 0, err);
    if (rc != HR_OK) {
        mdb_txn_abort(t.txn);
        return rc;
    }
    mrc = mdb_txn_commit(t.txn);
    return mrc == 0 ? HR_OK : store_mdb_fail(err, mrc, "open");
}

int store_open(const char *dir, unsigned flags, size_t map_mb, struct store **out,
               struct hr_err *err)
{
    struct store *st = NULL;
    int mrc, rc;

    rc = check_dir(dir, flags, err);
    if (rc != HR_OK)
        return rc;
    st = calloc(1, sizeof *st);
    if (st == NULL)
        return hr_fail(err, HR_ENOMEM, "store");
    mrc = mdb_env_create(&st->env);
    if (mrc == 0)
        mrc = mdb_env_set_maxdbs(st->env, DB_COUNT_ + 4);
    if (mrc == 0)
        mrc = mdb_env_set_mapsize(st->env, (size_t)(map_mb ? map_mb : 1024) << 20);
    if (mrc == 0)
        mrc = mdb_env_set_maxreaders(st->env, 256);
    /* MDB_NOTLS: read txns are not tied to thread-local slots (MHD thread pools);
     * no MDB_NOSYNC/MDB_NOMETASYNC: a commit that returned is on disk. */
    if (mrc == 0)
        mrc = mdb_env_open(st->env, dir, MDB_NOTLS, 0600);
    if (mrc != 0) {
        rc = store_mdb_fail(err, mrc, dir);
        goto fail;
    }
    rc = open_dbs(st, flags, err);
    if (rc != HR_OK)
        goto fail;
    *out = st;
    return HR_OK;
fail:
    if (st->env != NULL)
        mdb_env_close(st->env);
    free(st);
    return rc;
}

void store_close(struct store *st)
{
    if (st == NULL)
        return;
    mdb_env_close(st->env);
    free(st);
}

int store_txn_begin(struct store *st, enum store_mode mode, struct store_txn **out,
                    struct hr_err *err)
{
    struct store_txn *t = calloc(1, sizeof *t);
    int mrc;

    if (t == NULL)
        return hr_fail(err, HR_ENOMEM, "txn");
    t->st = st;
    t->write = mode == STORE_WRITE;
    if (st->fault != NULL && (mrc = st->fault(st->fault_ctx, t->write)) != HR_OK) {
        free(t);
        return hr_fail(err, mrc, "begin: injected fault (as a full reader table or map)");
    }
    mrc = mdb_txn_begin(st->env, NULL, t->write ? 0 : MDB_RDONLY, &t->txn);
    if (mrc == MDB_MAP_RESIZED) {
        /* another process grew the map: adopt its size and retry once */
        mdb_env_set_mapsize(st->env, 0);
        mrc = mdb_txn_begin(st->env, NULL, t->write ? 0 : MDB_RDONLY, &t->txn);
    }
    if (mrc != 0) {
        free(t);
        return store_mdb_fail(err, mrc, "begin");
    }
    *out = t;
    return HR_OK;
}

void store_fault_hook(struct store *st, int (*fn)(void *ctx, bool write), void *ctx)
{
    st->fault = fn;
    st->fault_ctx = ctx;
}

int store_txn_begin_child(struct store_txn *parent, struct store_txn **out, struct hr_err *err)
{
    struct store_txn *t = calloc(1, sizeof *t);
    int mrc;

    if (t == NULL)
        return hr_fail(err, HR_ENOMEM, "txn");
    t->st = parent->st;
    t->write = true;
    mrc = mdb_txn_begin(parent->st->env, parent->txn, 0, &t->txn);
    if (mrc != 0) {
        free(t);
        return store_mdb_fail(err, mrc, "begin nested");
    }
    *out = t;
    return HR_OK;
}

int store_txn_commit(struct store_txn *txn, struct hr_err *err)
{
    int mrc = mdb_txn_commit(txn->txn);

    free(txn);
    return mrc == 0 ? HR_OK : store_mdb_fail(err, mrc, "commit");
}

void store_txn_abort(struct store_txn *txn)
{
    if (txn == NULL)
        return;
    mdb_txn_abort(txn->txn);
    free(txn);
}

/* mdb_env_info reads the newer meta page from the shared map: commits made by another
 * process (the CLI publishing a post) are seen as soon as their meta page is written. */
uint64_t store_generation(struct store *st)
{
    MDB_envinfo info;

    if (mdb_env_info(st->env, &info) != 0)
        return UINT64_MAX;
    return (uint64_t)info.me_last_txnid;
}

unsigned store_schema_version(struct store_txn *txn)
{
    MDB_val v;

    if (store_db_get(txn, DB_META, "schema", 6, &v, NULL) != HR_OK || v.mv_size != 8)
        return 0;
    return (unsigned)store_get_be64(v.mv_data);
}

int store_seq_next(struct store_txn *txn, uint64_t *out, struct hr_err *err)
{
    MDB_val v;
    unsigned char be[8];
    uint64_t n = 0;
    int rc;

    if (store_db_get(txn, DB_META, "seq", 3, &v, NULL) == HR_OK && v.mv_size == 8)
        n = store_get_be64(v.mv_data);
    n++;
    store_be64(n, be);
    rc = store_db_put(txn, DB_META, "seq", 3, be, 8, 0, err);
    if (rc == HR_OK)
        *out = n;
    return rc;
}

int store_db_get(struct store_txn *t, enum store_db db, const void *k, size_t klen, MDB_val *val,
                 struct hr_err *err)
{
    MDB_val key = {.mv_size = klen, .mv_data = (void *)(uintptr_t)k};
    int mrc;

    if (klen == 0 || klen > 511)
        return hr_fail(err, HR_ENOTFOUND, "%s: key length %zu", db_names[db], klen);
    mrc = mdb_get(t->txn, t->st->dbi[db], &key, val);
    return mrc == 0 ? HR_OK : store_mdb_fail(err, mrc, db_names[db]);
}

int store_db_put(struct store_txn *t, enum store_db db, const void *k, size_t klen, const void *v,
                 size_t vlen, unsigned flags, struct hr_err *err)
{
    MDB_val key = {.mv_size = klen, .mv_data = (void *)(uintptr_t)k};
    MDB_val val = {.mv_size = vlen, .mv_data = (void *)(uintptr_t)v};
    int mrc;

    if (klen == 0 || klen > 511) /* LMDB's default maximum key size */
        return hr_fail(err, HR_EINVAL, "%s: key too long (%zu bytes)", db_names[db], klen);
    mrc = mdb_put(t->txn, t->st->dbi[db], &key, &val, flags);
    return mrc == 0 ? HR_OK : store_mdb_fail(err, mrc, db_names[db]);
}

int store_db_del(struct store_txn *t, enum store_db db, const void *k, size_t klen,
                 struct hr_err *err)
{
    MDB_val key = {.mv_size = klen, .mv_data = (void *)(uintptr_t)k};
    int mrc;

    if (klen == 0 || klen > 511)
        return hr_fail(err, HR_ENOTFOUND, "%s: key length %zu", db_names[db], klen);
    mrc = mdb_del(t->txn, t->st->dbi[db], &key, NULL);
    return mrc == 0 ? HR_OK : store_mdb_fail(err, mrc, db_names[db]);
}

uint64_t store_db_entries(struct store_txn *t, enum store_db db)
{
    MDB_stat s;

    if (mdb_stat(t->txn, t->st->dbi[db], &s) != 0)
        return 0;
    return s.ms_entries;
}

uint64_t store_counter_get(struct store_txn *t, const char *name)
{
    MDB_val v;

    if (store_db_get(t, DB_COUNTERS, name, strlen(name), &v, NULL) != HR_OK || v.mv_size != 8)
        return 0;
    return store_get_be64(v.mv_data);
}

int store_counter_add(struct store_txn *t, const char *name, int64_t delta, struct hr_err *err)
{
    uint64_t n = store_counter_get(t, name);
    unsigned char be[8];

    if (delta < 0 && (uint64_t)(-delta) > n)
        n = 0;
    else
        n = (uint64_t)((int64_t)n + delta);
    store_be64(n, be);
    return store_db_put(t, DB_COUNTERS, name, strlen(name), be, 8, 0, err);
}

static int count_visible(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    (void)v, (void)vlen;
    if (klen > 0 && *(const char *)k != '!')
        (*(uint64_t *)ctx)++;
    return HR_OK;
}

/* The records of T that are facts, not bookkeeping: keys starting with '!' are the
 * modules' own indexes and markers (a reply's reverse index, a post whose totals are due
 * to be signed again, a poll's report state), which come and go on the scheduler's clock. */
static uint64_t facts(struct store_txn *txn, enum store_table t)
{
    uint64_t n = 0;

    store_rec_each(txn, t, "", 0, false, count_visible, &n, NULL);
    return n;
}

int store_stats_get(struct store_txn *txn, struct store_stats *out, struct hr_err *err)
{
    (void)err;
    out->accounts = store_db_entries(txn, DB_ACCOUNTS);
    out->objects = store_db_entries(txn, DB_OBJECTS);
    out->followers = store_db_entries(txn, DB_FOLLOWERS);
    out->remote_actors = store_db_entries(txn, DB_REMOTE_ACTORS);
    out->deliveries = store_db_entries(txn, DB_DELIVERIES);
    out->seen = store_db_entries(txn, DB_SEEN);
    out->inbound = store_db_entries(txn, DB_INBOUND);
    out->votes = facts(txn, STORE_T_VOTES);
    out->reactions = facts(txn, STORE_T_REACTIONS);
    return HR_OK;
}
