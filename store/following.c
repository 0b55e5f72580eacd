/* store/following.c - the accounts our accounts follow (account NUL actor -> JSON record)
 * and their timelines (account NUL BE64 seq -> activity JSON). The key layouts live here
 * only; federation names the account and the actor. */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#define FOLLOW_KEY_MAX 480
#define NAME_MAX_ 40 /* account names are at most 30 bytes (hr_name_valid) */

static size_t follow_key(unsigned char out[FOLLOW_KEY_MAX], const char *name, const char *actor)
{
    size_t a = strlen(name), b = strlen(actor);

    if (a == 0 || b == 0 || a + b + 1 > FOLLOW_KEY_MAX)
        return 0;
    memcpy(out, name, a + 1);
    memcpy(out + a + 1, actor, b);
    return a + b + 1;
}

int store_following_put(struct store_txn *txn, const char *name, const char *actor,
                        const char *json, struct hr_err *err)
{
    unsigned char k[FOLLOW_KEY_MAX];
    size_t n = follow_key(k, name, actor);

    return n ? store_rec_put(txn, STORE_T_FOLLOWING, k, n, json, strlen(json), 0, err)
             : hr_fail(err, HR_EINVAL, "following: bad account or actor");
}

int store_following_get(struct store_txn *txn, const char *name, const char *actor,
                        char **json, size_t *len, struct hr_err *err)
{
    unsigned char k[FOLLOW_KEY_MAX];
    size_t n = follow_key(k, name, actor);

    return n ? store_rec_get(txn, STORE_T_FOLLOWING, k, n, json, len, err)
             : hr_fail(err, HR_ENOTFOUND, "following: not found");
}

int store_following_del(struct store_txn *txn, const char *name, const char *actor,
                        struct hr_err *err)
{
    unsigned char k[FOLLOW_KEY_MAX];
    size_t n = follow_key(k, name, actor);

    return n ? store_rec_del(txn, STORE_T_FOLLOWING, k, n, err)
             : hr_fail(err, HR_ENOTFOUND, "following: not found");
}

struct following_walk {
    int (*cb)(const char *name, const char *actor, const char *json, size_t len, void *ctx);
    void *ctx;
};

static int following_split(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct following_walk *w = ctx;
    char name[NAME_MAX_ + 1], actor[FOLLOW_KEY_MAX];
    size_t a = strnlen(k, klen);

    if (a == 0 || a > NAME_MAX_ || a + 1 >= klen || klen - a - 1 >= sizeof actor)
        return HR_OK; /* not a key this file wrote: skipped */
    memcpy(name, k, a);
    name[a] = '\0';
    memcpy(actor, (const char *)k + a + 1, klen - a - 1);
    actor[klen - a - 1] = '\0';
    return w->cb(name, actor, v, vlen, w->ctx);
}

int store_following_each(struct store_txn *txn, const char *name,
                         int (*cb)(const char *name, const char *actor, const char *json,
                                   size_t len, void *ctx),
                         void *ctx, struct hr_err *err)
{
    struct following_walk w = {.cb = cb, .ctx = ctx};

    return store_rec_each(txn, STORE_T_FOLLOWING, name, name ? strlen(name) + 1 : 0, false,
                          following_split, &w, err);
}

int store_timeline_add(struct store_txn *txn, const char *name, const char *json,
                       struct hr_err *err)
{
    unsigned char k[NAME_MAX_ + 9];
    size_t a = strlen(name);
    uint64_t seq;
    int rc;

    if (a == 0 || a > NAME_MAX_)
        return hr_fail(err, HR_EINVAL, "timeline: bad account name");
    rc = store_seq_next(txn, &seq, err);
    if (rc != HR_OK)
        return rc;
    memcpy(k, name, a + 1);
    store_put_be64(seq, k + a + 1);
    return store_rec_put(txn, STORE_T_TIMELINE, k, a + 9, json, strlen(json), 0, err);
}

struct timeline_walk {
    int (*cb)(const char *json, size_t len, void *ctx);
    void *ctx;
};

static int timeline_value(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct timeline_walk *w = ctx;

    (void)k;
    (void)klen;
    return w->cb(v, vlen, w->ctx);
}

int store_timeline_each(struct store_txn *txn, const char *name,
                        int (*cb)(const char *json, size_t len, void *ctx), void *ctx,
                        struct hr_err *err)
{
    struct timeline_walk w = {.cb = cb, .ctx = ctx};

    return store_rec_each(txn, STORE_T_TIMELINE, name, strlen(name) + 1, true, timeline_value,
                          &w, err);
}
