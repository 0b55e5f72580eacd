/* agency/records.c - JSON records on the store's tables, and the one-transaction helper. */
#include "agency/agency_int.h"

#include <stdlib.h>
#include <string.h>

int agency_rec_json(struct store_txn *txn, enum store_table t, const char *key, json_t **out,
                    struct hr_err *err)
{
    char *v = NULL;
    size_t len = 0;
    json_t *j;
    int rc = store_rec_get(txn, t, key, strlen(key), &v, &len, NULL);

    if (rc != HR_OK)
        return rc == HR_ENOTFOUND ? HR_ENOTFOUND : hr_fail(err, rc, "record %.60s", key);
    j = json_loadb(v, len, 0, NULL);
    free(v);
    if (!json_is_object(j)) {
        json_decref(j);
        return hr_fail(err, HR_EIO, "record %.60s is corrupt", key);
    }
    *out = j;
    return HR_OK;
}

int agency_rec_put_json(struct store_txn *txn, enum store_table t, const char *key,
                        const json_t *j, unsigned flags, struct hr_err *err)
{
    char *v = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    int rc;

    if (v == NULL)
        return hr_fail(err, HR_ENOMEM, "record");
    rc = store_rec_put(txn, t, key, strlen(key), v, strlen(v), flags, err);
    free(v);
    return rc;
}

int agency_write(struct store *st, int (*fn)(struct store_txn *txn, void *ctx), void *ctx,
                 struct hr_err *err)
{
    struct store_txn *txn = NULL;
    int rc = store_txn_begin(st, STORE_WRITE, &txn, err);

    if (rc == HR_OK)
        rc = fn(txn, ctx);
    if (rc == HR_OK) {
        rc = store_txn_commit(txn, err);
        txn = NULL;
    }
    store_txn_abort(txn);
    return rc;
}
