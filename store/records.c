/* store/records.c - ordered, transactional byte records for the agency layer's tables. */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

static enum store_db db_of(enum store_table t)
{
    return (enum store_db)(DB_REC_FIRST_ + (int)t);
}

void store_put_be64(uint64_t v, unsigned char out[8])
{
    store_be64(v, out);
}

uint64_t store_read_be64(const unsigned char in[8])
{
    return store_get_be64(in);
}

int store_rec_put(struct store_txn *txn, enum store_table t, const void *key, size_t klen,
                  const void *val, size_t vlen, unsigned flags, struct hr_err *err)
{
    if ((unsigned)t >= STORE_T_COUNT_ || klen > 480)
        return hr_fail(err, HR_EINVAL, "record key too long");
    return store_db_put(txn, db_of(t), key, klen, val, vlen,
                        (flags & STORE_NOOVERWRITE) ? MDB_NOOVERWRITE : 0, err);
}

int store_rec_get(struct store_txn *txn, enum store_table t, const void *key, size_t klen,
                  char **val, size_t *vlen, struct hr_err *err)
{
    MDB_val v;
    char *copy;
    int rc;

    if ((unsigned)t >= STORE_T_COUNT_)
        return hr_fail(err, HR_EINVAL, "no such table");
    rc = store_db_get(txn, db_of(t), key, klen, &v, err);
    if (rc != HR_OK)
        return rc;
    copy = malloc(v.mv_size + 1);
    if (copy == NULL)
        return hr_fail(err, HR_ENOMEM, "record");
    memcpy(copy, v.mv_data, v.mv_size);
    copy[v.mv_size] = '\0';
    *val = copy;
    if (vlen != NULL)
        *vlen = v.mv_size;
    return HR_OK;
}

int store_rec_del(struct store_txn *txn, enum store_table t, const void *key, size_t klen,
                  struct hr_err *err)
{
    if ((unsigned)t >= STORE_T_COUNT_)
        return hr_fail(err, HR_EINVAL, "no such table");
    return store_db_del(txn, db_of(t), key, klen, err);
}

/* Positions CUR at the first (or, reversed, the last) key with PREFIX. */
static int seek(MDB_cursor *cur, const unsigned char *prefix, size_t plen, bool reverse,
                MDB_val *k, MDB_val *v)
{
    unsigned char after[481];
    size_t n = plen;

    if (plen == 0)
        return mdb_cursor_get(cur, k, v, reverse ? MDB_LAST : MDB_FIRST);
    if (!reverse) {
        k->mv_data = (void *)(uintptr_t)prefix;
        k->mv_size = plen;
        return mdb_cursor_get(cur, k, v, MDB_SET_RANGE);
    }
    /* reversed: the first key past every key with PREFIX, then one step back */
    memcpy(after, prefix, plen);
    while (n > 0 && after[n - 1] == 0xff)
        n--;
    if (n == 0)
        return mdb_cursor_get(cur, k, v, MDB_LAST);
    after[n - 1]++;
    k->mv_data = after;
    k->mv_size = n;
    if (mdb_cursor_get(cur, k, v, MDB_SET_RANGE) == 0)
        return mdb_cursor_get(cur, k, v, MDB_PREV);
    return mdb_cursor_get(cur, k, v, MDB_LAST);
}

int store_rec_each(struct store_txn *txn, enum store_table t, const void *prefix, size_t plen,
                   bool reverse,
                   int (*cb)(const void *k, size_t klen, const void *v, size_t vlen, void *ctx),
                   void *ctx, struct hr_err *err)
{
    MDB_cursor *cur = NULL;
    MDB_val k, v;
    int mrc, rc = HR_OK;

    if ((unsigned)t >= STORE_T_COUNT_ || plen > 480)
        return hr_fail(err, HR_EINVAL, "bad table or prefix");
    mrc = mdb_cursor_open(txn->txn, txn->st->dbi[db_of(t)], &cur);
    if (mrc != 0)
        return store_mdb_fail(err, mrc, "records");
    for (mrc = seek(cur, prefix, plen, reverse, &k, &v); mrc == 0 && rc == HR_OK;
         mrc = mdb_cursor_get(cur, &k, &v, reverse ? MDB_PREV : MDB_NEXT)) {
        if (plen > 0 && (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0))
            break;
        rc = cb(k.mv_data, k.mv_size, v.mv_data, v.mv_size, ctx);
    }
    mdb_cursor_close(cur);
    return rc;
}

uint64_t store_rec_count(struct store_txn *txn, enum store_table t)
{
    return (unsigned)t < STORE_T_COUNT_ ? store_db_entries(txn, db_of(t)) : 0;
}
