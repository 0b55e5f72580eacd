/* store/agency_keys.c - the keys of the agency layer's tables, built and split here only:
 * grants (operator NUL role NUL scope), draft history (draft id NUL BE64 seq), the
 * schedule (BE64 due ms, draft id) and the audit chain (BE64 seq). The agency layer names
 * what it wants; the byte layout of a key stays in store/. */
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 480

/* "op NUL role NUL scope" into OUT; 0 when it does not fit or a part is empty. */
static size_t grant_key(unsigned char out[KEY_MAX], const char *op, const char *role,
                        const char *scope)
{
    size_t a = op ? strlen(op) : 0, b = role ? strlen(role) : 0;
    size_t c = scope ? strlen(scope) : 1;

    if (a == 0 || b == 0 || c == 0 || a + b + c + 2 > KEY_MAX)
        return 0;
    memcpy(out, op, a + 1);
    memcpy(out + a + 1, role, b + 1);
    memcpy(out + a + b + 2, scope ? scope : "*", c);
    return a + b + c + 2;
}

int store_grant_put(struct store_txn *txn, const char *op, const char *role, const char *scope,
                    struct hr_err *err)
{
    unsigned char k[KEY_MAX];
    size_t n = grant_key(k, op, role, scope);

    return n ? store_rec_put(txn, STORE_T_GRANTS, k, n, "", 0, 0, err)
             : hr_fail(err, HR_EINVAL, "grant: bad operator, role or scope");
}

int store_grant_del(struct store_txn *txn, const char *op, const char *role, const char *scope,
                    struct hr_err *err)
{
    unsigned char k[KEY_MAX];
    size_t n = grant_key(k, op, role, scope);

    return n ? store_rec_del(txn, STORE_T_GRANTS, k, n, err) : HR_ENOTFOUND;
}

bool store_grant_has(struct store_txn *txn, const char *op, const char *role, const char *scope)
{
    unsigned char k[KEY_MAX];
    size_t n = grant_key(k, op, role, scope);
    char *v = NULL;

    if (n == 0 || store_rec_get(txn, STORE_T_GRANTS, k, n, &v, NULL, NULL) != HR_OK)
        return false;
    free(v);
    return true;
}

struct grant_walk {
    int (*cb)(const char *op, const char *role, const char *scope, void *ctx);
    void *ctx;
};

static int grant_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct grant_walk *w = ctx;
    char key[KEY_MAX + 1];
    const char *role, *scope;

    (void)v;
    (void)vlen;
    if (klen > KEY_MAX)
        return HR_OK;
    memcpy(key, k, klen);
    key[klen] = '\0';
    role = key + strlen(key) + 1;
    if ((size_t)(role - key) >= klen)
        return HR_OK; /* malformed: skipped, as before */
    scope = role + strlen(role) + 1;
    if ((size_t)(scope - key) > klen)
        return HR_OK;
    return w->cb(key, role, scope, w->ctx);
}

int store_grant_each(struct store_txn *txn, const char *op,
                     int (*cb)(const char *op, const char *role, const char *scope, void *ctx),
                     void *ctx, struct hr_err *err)
{
    struct grant_walk w = {.cb = cb, .ctx = ctx};
    size_t n = op ? strlen(op) : 0;

    if (n + 1 > KEY_MAX)
        return HR_OK;
    return store_rec_each(txn, STORE_T_GRANTS, op, op ? n + 1 : 0, false, grant_cb, &w, err);
}

/* "id NUL" [BE64 seq] */
static size_t log_key(unsigned char out[KEY_MAX], const char *id, bool with_seq, uint64_t seq)
{
    size_t n = id ? strlen(id) : 0;

    if (n == 0 || n + 9 > KEY_MAX)
        return 0;
    memcpy(out, id, n + 1);
    if (!with_seq)
        return n + 1;
    store_put_be64(seq, out + n + 1);
    return n + 9;
}

int store_draft_log_add(struct store_txn *txn, const char *id, uint64_t seq, const char *v,
                        size_t vlen, struct hr_err *err)
{
    unsigned char k[KEY_MAX];
    size_t n = log_key(k, id, true, seq);

    return n ? store_rec_put(txn, STORE_T_DRAFT_LOG, k, n, v, vlen, 0, err)
             : hr_fail(err, HR_EINVAL, "draft id");
}

struct value_walk {
    int (*cb)(const char *v, size_t vlen, void *ctx);
    void *ctx;
};

static int value_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct value_walk *w = ctx;

    (void)k;
    (void)klen;
    return w->cb(v, vlen, w->ctx);
}

int store_draft_log_each(struct store_txn *txn, const char *id,
                         int (*cb)(const char *v, size_t vlen, void *ctx), void *ctx,
                         struct hr_err *err)
{
    struct value_walk w = {.cb = cb, .ctx = ctx};
    unsigned char k[KEY_MAX];
    size_t n = log_key(k, id, false, 0);

    return n ? store_rec_each(txn, STORE_T_DRAFT_LOG, k, n, false, value_cb, &w, err) : HR_OK;
}

static size_t sched_key(unsigned char out[KEY_MAX], int64_t at_ms, const char *id)
{
    size_t n = id ? strlen(id) : 0;

    if (n == 0 || n + 8 > KEY_MAX)
        return 0;
    store_put_be64((uint64_t)at_ms, out);
    memcpy(out + 8, id, n);
    return n + 8;
}

int store_schedule_put(struct store_txn *txn, int64_t at_ms, const char *id, struct hr_err *err)
{
    unsigned char k[KEY_MAX];
    size_t n = sched_key(k, at_ms, id);

    return n ? store_rec_put(txn, STORE_T_SCHEDULE, k, n, "", 0, 0, err)
             : hr_fail(err, HR_EINVAL, "draft id");
}

int store_schedule_del(struct store_txn *txn, int64_t at_ms, const char *id, struct hr_err *err)
{
    unsigned char k[KEY_MAX];
    size_t n = sched_key(k, at_ms, id);

    return n ? store_rec_del(txn, STORE_T_SCHEDULE, k, n, err) : HR_ENOTFOUND;
}

struct sched_walk {
    int (*cb)(int64_t at_ms, const char *id, void *ctx);
    void *ctx;
};

static int sched_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct sched_walk *w = ctx;
    char id[KEY_MAX];

    (void)v;
    (void)vlen;
    if (klen <= 8 || klen - 8 >= sizeof id)
        return HR_OK;
    memcpy(id, (const char *)k + 8, klen - 8);
    id[klen - 8] = '\0';
    return w->cb((int64_t)store_read_be64(k), id, w->ctx);
}

int store_schedule_each(struct store_txn *txn, int (*cb)(int64_t at_ms, const char *id, void *ctx),
                        void *ctx, struct hr_err *err)
{
    struct sched_walk w = {.cb = cb, .ctx = ctx};

    return store_rec_each(txn, STORE_T_SCHEDULE, NULL, 0, false, sched_cb, &w, err);
}

int store_audit_put(struct store_txn *txn, uint64_t seq, const char *v, size_t vlen,
                    struct hr_err *err)
{
    unsigned char k[8];

    store_put_be64(seq, k);
    return store_rec_put(txn, STORE_T_AUDIT, k, 8, v, vlen, STORE_NOOVERWRITE, err);
}

struct audit_walk {
    int (*cb)(uint64_t seq, const char *v, size_t vlen, void *ctx);
    void *ctx;
};

static int audit_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct audit_walk *w = ctx;

    return w->cb(klen == 8 ? store_read_be64(k) : 0, v, vlen, w->ctx);
}

int store_audit_each(struct store_txn *txn, bool reverse,
                     int (*cb)(uint64_t seq, const char *v, size_t vlen, void *ctx), void *ctx,
                     struct hr_err *err)
{
    struct audit_walk w = {.cb = cb, .ctx = ctx};

    return store_rec_each(txn, STORE_T_AUDIT, NULL, 0, reverse, audit_cb, &w, err);
}
