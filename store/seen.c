/* store/seen.c - inbound activity ids already processed (replay and duplicate guard),
 * and the count of inbound activities kept. Charged writes, pruning and the rows' layout
 * with whom they are charged to: store/usage.c. */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_seen_put(struct store_txn *txn, const char *id, const char *digest, int64_t now_ms,
                   char digest_out[65], struct hr_err *err)
{
    struct store_enc e;
    MDB_val v;
    int rc;

    if (store_db_get(txn, DB_SEEN, id, strlen(id), &v, NULL) == HR_OK) {
        if (digest_out != NULL) {
            struct store_dec d;
            char *s;
            store_dec_init(&d, &v);
            (void)store_dec_u64(&d);
            s = store_dec_str(&d);
            snprintf(digest_out, 65, "%s", s ? s : "");
            free(s);
        }
        return hr_fail(err, HR_EEXIST, "activity already processed");
    }
    store_enc_init(&e);
    store_enc_u64(&e, (uint64_t)now_ms);
    store_enc_str(&e, digest);
    rc = e.b.err != HR_OK ? hr_fail(err, e.b.err, "seen: record")
                          : store_db_put(txn, DB_SEEN, id, strlen(id), e.b.data, e.b.len, 0, err);
    hr_buf_fini(&e.b);
    return rc;
}

bool store_seen_has(struct store_txn *txn, const char *id)
{
    MDB_val v;

    return store_db_get(txn, DB_SEEN, id, strlen(id), &v, NULL) == HR_OK;
}

uint64_t store_inbound_count(struct store_txn *txn)
{
    return store_db_entries(txn, DB_INBOUND);
}
