/* store/objects.c - our objects by id, and each account's outbox in publication order. */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void store_object_fini(struct store_object *o)
{
    if (o == NULL)
        return;
    free(o->id);
    free(o->account);
    free(o->type);
    free(o->json);
    memset(o, 0, sizeof *o);
}

int store_object_put(struct store_txn *txn, const struct store_object *o, struct hr_err *err)
{
    struct store_enc e;
    int rc;

    store_enc_init(&e);
    store_enc_str(&e, o->account);
    store_enc_str(&e, o->type);
    store_enc_u64(&e, (uint64_t)o->published_ms);
    store_enc_str(&e, o->json);
    if (e.b.err != HR_OK)
        rc = hr_fail(err, e.b.err, "objects: record too large");
    else
        rc = store_db_put(txn, DB_OBJECTS, o->id, strlen(o->id), e.b.data, e.b.len, 0, err);
    hr_buf_fini(&e.b);
    return rc;
}

int store_object_get(struct store_txn *txn, const char *id, struct store_object *out,
                     struct hr_err *err)
{
    MDB_val v;
    struct store_dec d;
    struct store_object o = {0};
    int rc = store_db_get(txn, DB_OBJECTS, id, strlen(id), &v, err);

    if (rc != HR_OK)
        return rc;
    store_dec_init(&d, &v);
    o.account = store_dec_str(&d);
    o.type = store_dec_str(&d);
    o.published_ms = (int64_t)store_dec_u64(&d);
    o.json = store_dec_str(&d);
    o.id = strdup(id);
    if (d.bad || o.id == NULL) {
        store_object_fini(&o);
        return hr_fail(err, HR_EIO, "objects: corrupt record");
    }
    o.json_len = strlen(o.json);
    *out = o;
    return HR_OK;
}

int store_object_del(struct store_txn *txn, const char *id, struct hr_err *err)
{
    return store_db_del(txn, DB_OBJECTS, id, strlen(id), err);
}

/* outbox key: account NUL seq(BE64) — one account's entries are contiguous and ordered */
static size_t outbox_key(char *out, size_t cap, const char *account, uint64_t seq)
{
    size_t n = strlen(account);

    if (n + 9 > cap)
        return 0;
    memcpy(out, account, n);
    out[n] = '\0';
    store_be64(seq, (unsigned char *)out + n + 1);
    return n + 9;
}

int store_outbox_add(struct store_txn *txn, const char *account, const char *activity_id,
                     uint64_t *seq_out, struct hr_err *err)
{
    char key[96], cname[96];
    uint64_t seq;
    size_t klen;
    int rc = store_seq_next(txn, &seq, err);

    if (rc != HR_OK)
        return rc;
    klen = outbox_key(key, sizeof key, account, seq);
    if (klen == 0)
        return hr_fail(err, HR_EINVAL, "outbox: account name too long");
    rc = store_db_put(txn, DB_OUTBOX, key, klen, activity_id, strlen(activity_id), 0, err);
    snprintf(cname, sizeof cname, "outbox:%s", account);
    if (rc == HR_OK)
        rc = store_counter_add(txn, cname, 1, err);
    if (rc == HR_OK && seq_out != NULL)
        *seq_out = seq;
    return rc;
}

int store_outbox_page(struct store_txn *txn, const char *account, uint64_t before, size_t limit,
                      int (*cb)(uint64_t seq, const char *activity_id, void *ctx), void *ctx,
                      struct hr_err *err)
{
    char key[96], idbuf[2048];
    size_t plen = strlen(account) + 1, klen, n = 0;
    MDB_cursor *cur = NULL;
    MDB_val k, v;
    int mrc, rc = HR_OK;

    klen = outbox_key(key, sizeof key, account, before ? before : UINT64_MAX);
    if (klen == 0)
        return hr_fail(err, HR_EINVAL, "outbox: account name too long");
    mrc = mdb_cursor_open(txn->txn, txn->st->dbi[DB_OUTBOX], &cur);
    if (mrc != 0)
        return store_mdb_fail(err, mrc, "outbox");
    k.mv_data = key;
    k.mv_size = klen;
    /* position at the first key >= (account, before), then step back: strictly below */
    mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    mrc = mdb_cursor_get(cur, &k, &v, mrc == 0 ? MDB_PREV : MDB_LAST);
    while (mrc == 0 && n < limit && rc == HR_OK) {
        if (k.mv_size != plen + 8 || memcmp(k.mv_data, key, plen) != 0)
            break;
        if (v.mv_size >= sizeof idbuf) {
            rc = hr_fail(err, HR_EIO, "outbox: corrupt entry");
            break;
        }
        memcpy(idbuf, v.mv_data, v.mv_size);
        idbuf[v.mv_size] = '\0';
        rc = cb(store_get_be64((const unsigned char *)k.mv_data + plen), idbuf, ctx);
        n++;
        mrc = mdb_cursor_get(cur, &k, &v, MDB_PREV);
    }
    mdb_cursor_close(cur);
    return rc;
}

uint64_t store_outbox_count(struct store_txn *txn, const char *account)
{
    char cname[96];

    snprintf(cname, sizeof cname, "outbox:%s", account);
    return store_counter_get(txn, cname);
}
