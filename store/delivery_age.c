/* store/delivery_age.c - how long the oldest queued delivery has waited (issue #12: the
 * herald_delivery_queue_oldest_seconds gauge). Job ids come from the store's one
 * monotonic sequence and are never reused, so the lowest id in DB_DELIVERY_IDS is the job
 * created first: one cursor step and one lookup, whatever the queue's length. */
#include "store/store_int.h"

#include <stdint.h>
#include <string.h>

int64_t store_delivery_oldest_ms(struct store_txn *txn)
{
    MDB_cursor *cur = NULL;
    MDB_val k, v, jk, jv;
    unsigned char key[16];
    struct store_dec d;
    int64_t created = INT64_MAX;

    if (mdb_cursor_open(txn->txn, txn->st->dbi[DB_DELIVERY_IDS], &cur) != 0)
        return INT64_MAX;
    if (mdb_cursor_get(cur, &k, &v, MDB_FIRST) == 0 && k.mv_size == 8 && v.mv_size == 8) {
        memcpy(key, v.mv_data, 8); /* the job's key: due(BE64) id(BE64) */
        memcpy(key + 8, k.mv_data, 8);
        jk = (MDB_val){.mv_size = sizeof key, .mv_data = key};
        if (mdb_get(txn->txn, txn->st->dbi[DB_DELIVERIES], &jk, &jv) == 0) {
            store_dec_init(&d, &jv);
            for (int i = 0; i < 4; i++) /* inbox, account, activity id, recipient */
                store_dec_skip(&d);
            (void)store_dec_u64(&d); /* attempts */
            created = (int64_t)store_dec_u64(&d);
            if (d.bad)
                created = INT64_MAX;
        }
    }
    mdb_cursor_close(cur);
    return created;
}
