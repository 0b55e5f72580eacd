/* agency/tokens.c - bearer tokens for the admin API. A token is shown once; only its
 * SHA-256 is stored, so a copy of the data directory does not hand out working tokens.
 * A token carries no more than its operator's roles, checked on every use. */
#include "agency/agency_int.h"
#include "keys/keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_PREFIX "hrd_"

struct token_change {
    const char *by, *operator, *id;
    unsigned days;
    char hash[65];
    struct hr_err *err;
};

static int create_txn(struct store_txn *txn, void *ctx)
{
    struct token_change *c = ctx;
    int64_t now = hr_now_ms();
    json_t *j;
    int rc;

    if (!agency_operator_active(txn, c->operator))
        return hr_fail(c->err, HR_ENOTFOUND, "no active operator named '%s'", c->operator);
    j = json_pack("{s:s,s:s,s:I,s:I,s:b}", "operator", c->operator, "id", c->id, "created",
                  (json_int_t)now, "expires",
                  (json_int_t)(c->days ? now + (int64_t)c->days * 86400000 : 0), "revoked", 0);
    rc = j ? agency_rec_put_json(txn, STORE_T_TOKENS, c->hash, j, STORE_NOOVERWRITE, c->err)
           : hr_fail(c->err, HR_ENOMEM, "token");
    json_decref(j);
    return rc == HR_OK ? agency_audit(txn, c->by, "token.create", c->operator, c->id, c->err) : rc;
}

int agency_token_create(struct store *st, const char *by, const char *operator,
                        unsigned expires_days, char **token, char id[17], struct hr_err *err)
{
    struct token_change c = {.by = by, .operator = operator, .days = expires_days, .err = err};
    char secret[65], *t;
    int rc;

    if (!hr_name_valid(operator))
        return hr_fail(err, HR_EINVAL, "bad operator name");
    if (expires_days > 3650)
        return hr_fail(err, HR_EINVAL, "--expires must be at most 3650 days");
    if (keys_random_hex(32, secret, sizeof secret) != HR_OK)
        return hr_fail(err, HR_EINTERNAL, "no randomness");
    t = malloc(sizeof TOKEN_PREFIX + 64);
    if (t == NULL)
        return hr_fail(err, HR_ENOMEM, "token");
    snprintf(t, sizeof TOKEN_PREFIX + 64, "%s%s", TOKEN_PREFIX, secret);
    keys_sha256_hex(t, strlen(t), c.hash);
    snprintf(id, 17, "%.16s", c.hash);
    c.id = id;
    rc = agency_write(st, create_txn, &c, err);
    if (rc != HR_OK) {
        keys_secret_free(t);
        return rc;
    }
    *token = t;
    return HR_OK;
}

struct token_walk {
    const char *id;
    char hash[65];
    int (*cb)(const struct agency_token_info *t, void *ctx);
    void *ctx;
};

static int info_of(const void *k, size_t klen, const void *v, size_t vlen,
                   struct agency_token_info *out)
{
    json_t *j = json_loadb(v, vlen, 0, NULL);
    const char *op = json_string_value(json_object_get(j, "operator"));

    memset(out, 0, sizeof *out);
    if (j == NULL || op == NULL || klen < 16) {
        json_decref(j);
        return HR_EIO;
    }
    memcpy(out->id, k, 16);
    snprintf(out->operator, sizeof out->operator, "%s", op);
    out->created_ms = json_integer_value(json_object_get(j, "created"));
    out->expires_ms = json_integer_value(json_object_get(j, "expires"));
    out->revoked = json_is_true(json_object_get(j, "revoked"));
    json_decref(j);
    return HR_OK;
}

static int each_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct token_walk *w = ctx;
    struct agency_token_info t;

    if (info_of(k, klen, v, vlen, &t) != HR_OK)
        return HR_EIO;
    return w->cb(&t, w->ctx);
}

int agency_token_each(struct store *st, int (*cb)(const struct agency_token_info *t, void *ctx),
                      void *ctx, struct hr_err *err)
{
    struct token_walk w = {.cb = cb, .ctx = ctx};
    struct store_txn *txn = NULL;
    int rc = store_txn_begin(st, STORE_READ, &txn, err);

    if (rc == HR_OK)
        rc = store_rec_each(txn, STORE_T_TOKENS, NULL, 0, false, each_cb, &w, err);
    store_txn_abort(txn);
    return rc;
}

static int find_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct token_walk *w = ctx;

    (void)v;
    (void)vlen;
    if (klen >= sizeof w->hash)
        return HR_OK;
    memcpy(w->hash, k, klen);
    w->hash[klen] = '\0';
    return HR_EEXIST;
}

static int revoke_txn(struct store_txn *txn, void *ctx)
{
    struct token_change *c = ctx;
    struct token_walk w = {0};
    json_t *j = NULL;
    int rc;

    /* the id is the hash's first 16 hex digits: a prefix walk finds the record */
    rc = store_rec_each(txn, STORE_T_TOKENS, c->id, strlen(c->id), false, find_cb, &w, NULL);
    if (rc != HR_EEXIST)
        return hr_fail(c->err, HR_ENOTFOUND, "no token with id %.16s", c->id);
    rc = agency_rec_json(txn, STORE_T_TOKENS, w.hash, &j, c->err);
    if (rc == HR_OK && json_is_true(json_object_get(j, "revoked")))
        rc = hr_fail(c->err, HR_EEXIST, "token %s is already revoked", c->id);
    if (rc == HR_OK) {
        json_object_set_new(j, "revoked", json_true());
        rc = agency_rec_put_json(txn, STORE_T_TOKENS, w.hash, j, 0, c->err);
    }
    if (rc == HR_OK)
        rc = agency_audit(txn, c->by, "token.revoke",
                          json_string_value(json_object_get(j, "operator")), c->id, c->err);
    json_decref(j);
    return rc;
}

int agency_token_revoke(struct store *st, const char *by, const char *id, struct hr_err *err)
{
    struct token_change c = {.by = by, .id = id, .err = err};

    if (id == NULL || strlen(id) != 16 || strspn(id, "0123456789abcdef") != 16)
        return hr_fail(err, HR_EINVAL, "a token id is 16 hex digits (see herald token list)");
    return agency_write(st, revoke_txn, &c, err);
}

int agency_token_auth(struct store *st, const char *token, char operator[64], struct hr_err *err)
{
    struct store_txn *txn = NULL;
    char hash[65];
    json_t *j = NULL;
    const char *op;
    int64_t exp;
    int rc;

    if (token == NULL || strncmp(token, TOKEN_PREFIX, 4) != 0 || strlen(token) != 68)
        return hr_fail(err, HR_EFORBIDDEN, "invalid token");
    keys_sha256_hex(token, strlen(token), hash);
    rc = store_txn_begin(st, STORE_READ, &txn, err);
    if (rc == HR_OK)
        rc = agency_rec_json(txn, STORE_T_TOKENS, hash, &j, NULL);
    op = json_string_value(json_object_get(j, "operator"));
    exp = json_integer_value(json_object_get(j, "expires"));
    if (rc != HR_OK || op == NULL || json_is_true(json_object_get(j, "revoked")) ||
        (exp != 0 && exp < hr_now_ms()) || !agency_operator_active(txn, op))
        rc = hr_fail(err, HR_EFORBIDDEN, "invalid, expired or revoked token");
    else
        snprintf(operator, 64, "%s", op);
    store_txn_abort(txn);
    json_decref(j);
    return rc;
}
