/* store/accounts.c - our accounts, keyed by name. */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

static void wipe_free(char *s)
{
    if (s == NULL)
        return;
    /* volatile writes: the compiler may not drop a wipe before free */
    for (volatile char *p = s; *p != '\0'; p++)
        *p = '\0';
    free(s);
}

void store_account_fini(struct store_account *a)
{
    if (a == NULL)
        return;
    free(a->name);
    free(a->kind);
    free(a->display_name);
    free(a->summary);
    free(a->rsa_pub_pem);
    wipe_free(a->rsa_priv_pem);
    free(a->ed_pub_multibase);
    wipe_free(a->ed_priv_pem);
    free(a->profile);
    memset(a, 0, sizeof *a);
}

/* WITH_PRIVATE: the private key PEMs too; otherwise they are skipped, never copied. */
static int decode(const MDB_val *v, bool with_private, struct store_account *out,
                  struct hr_err *err)
{
    struct store_dec d;
    struct store_account a = {0};

    store_dec_init(&d, v);
    a.name = store_dec_str(&d);
    a.kind = store_dec_str(&d);
    a.display_name = store_dec_str(&d);
    a.summary = store_dec_str(&d);
    a.created_ms = (int64_t)store_dec_u64(&d);
    a.rsa_pub_pem = store_dec_str(&d);
    if (with_private)
        a.rsa_priv_pem = store_dec_str(&d);
    else
        store_dec_skip(&d);
    a.ed_pub_multibase = store_dec_str(&d);
    if (with_private)
        a.ed_priv_pem = store_dec_str(&d);
    else
        store_dec_skip(&d);
    /* records written before the profile existed end here */
    a.profile = !d.bad && d.off == d.len ? strdup("{}") : store_dec_str(&d);
    if (a.profile == NULL)
        d.bad = true;
    if (d.bad) {
        store_account_fini(&a);
        return hr_fail(err, HR_EIO, "accounts: corrupt record");
    }
    *out = a;
    return HR_OK;
}

static int account_write(struct store_txn *txn, const struct store_account *a, unsigned flags,
                         struct hr_err *err)
{
    struct store_enc e;
    int rc;

    store_enc_init(&e);
    store_enc_str(&e, a->name);
    store_enc_str(&e, a->kind);
    store_enc_str(&e, a->display_name);
    store_enc_str(&e, a->summary);
    store_enc_u64(&e, (uint64_t)a->created_ms);
    store_enc_str(&e, a->rsa_pub_pem);
    store_enc_str(&e, a->rsa_priv_pem);
    store_enc_str(&e, a->ed_pub_multibase);
    store_enc_str(&e, a->ed_priv_pem);
    store_enc_str(&e, a->profile != NULL && a->profile[0] != '\0' ? a->profile : "{}");
    if (e.b.err != HR_OK)
        rc = hr_fail(err, e.b.err, "accounts: record too large");
    else
        rc = store_db_put(txn, DB_ACCOUNTS, a->name, strlen(a->name), e.b.data, e.b.len,
                          flags, err);
    /* the record holds private keys: wipe the encoding buffer */
    if (e.b.data != NULL)
        memset(e.b.data, 0, e.b.len);
    hr_buf_fini(&e.b);
    return rc;
}

int store_account_add(struct store_txn *txn, const struct store_account *a, struct hr_err *err)
{
    int rc = account_write(txn, a, MDB_NOOVERWRITE, err);

    if (rc == HR_EEXIST)
        rc = hr_fail(err, HR_EEXIST, "account '%s' already exists", a->name);
    return rc;
}

int store_account_put(struct store_txn *txn, const struct store_account *a, struct hr_err *err)
{
    MDB_val v;

    if (store_db_get(txn, DB_ACCOUNTS, a->name, strlen(a->name), &v, NULL) != HR_OK)
        return hr_fail(err, HR_ENOTFOUND, "no account named '%s'", a->name);
    if (a->rsa_priv_pem == NULL || a->ed_priv_pem == NULL)
        return hr_fail(err, HR_EINVAL, "accounts: a rewrite needs the private keys");
    return account_write(txn, a, 0, err);
}

static int account_get(struct store_txn *txn, const char *name, bool with_private,
                       struct store_account *out, struct hr_err *err)
{
    MDB_val v;
    int rc = store_db_get(txn, DB_ACCOUNTS, name, strlen(name), &v, NULL);

    if (rc == HR_ENOTFOUND)
        return hr_fail(err, HR_ENOTFOUND, "no account named '%s'", name);
    if (rc != HR_OK)
        return hr_fail(err, rc, "accounts: read failed");
    return decode(&v, with_private, out, err);
}

int store_account_get(struct store_txn *txn, const char *name, struct store_account *out,
                      struct hr_err *err)
{
    return account_get(txn, name, false, out, err);
}

int store_account_get_private(struct store_txn *txn, const char *name,
                              struct store_account *out, struct hr_err *err)
{
    return account_get(txn, name, true, out, err);
}

int store_account_each(struct store_txn *txn, int (*cb)(const struct store_account *a, void *ctx),
                       void *ctx, struct hr_err *err)
{
    MDB_cursor *cur = NULL;
    MDB_val k, v;
    int mrc, rc = HR_OK;

    mrc = mdb_cursor_open(txn->txn, txn->st->dbi[DB_ACCOUNTS], &cur);
    if (mrc != 0)
        return store_mdb_fail(err, mrc, "accounts");
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0 && rc == HR_OK;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        struct store_account a;
        rc = decode(&v, false, &a, err);
        if (rc == HR_OK) {
            rc = cb(&a, ctx);
            store_account_fini(&a);
        }
    }
    mdb_cursor_close(cur);
    return rc;
}
