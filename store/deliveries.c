/* store/deliveries.c - the delivery queue. Key: due(BE64) id(BE64), so the earliest job is
 * the first key; DB_DELIVERY_IDS maps id -> due so a job can be found again. A claim moves
 * the job forward by a lease instead of removing it: a worker killed mid-delivery leaves
 * its jobs to come due again (at-least-once, never lost). */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

void store_delivery_fini(struct store_delivery *d)
{
    if (d == NULL)
        return;
    free(d->inbox);
    free(d->account);
    free(d->activity_id);
    free(d->recipient);
    memset(d, 0, sizeof *d);
}

static void job_key(unsigned char key[16], int64_t due, uint64_t id)
{
    store_be64((uint64_t)(due < 0 ? 0 : due), key);
    store_be64(id, key + 8);
}

static int job_put(struct store_txn *txn, const struct store_delivery *d, struct hr_err *err)
{
    unsigned char key[16], idk[8], due[8];
    struct store_enc e;
    int rc;

    job_key(key, d->due_ms, d->id);
    store_enc_init(&e);
    store_enc_str(&e, d->inbox);
    store_enc_str(&e, d->account);
    store_enc_str(&e, d->activity_id);
    store_enc_str(&e, d->recipient);
    store_enc_u64(&e, d->attempts);
    store_enc_u64(&e, (uint64_t)d->created_ms);
    store_enc_u64(&e, d->claimed ? 1 : 0);
    rc = e.b.err != HR_OK
             ? hr_fail(err, e.b.err, "deliveries: record too large")
             : store_db_put(txn, DB_DELIVERIES, key, sizeof key, e.b.data, e.b.len, 0, err);
    hr_buf_fini(&e.b);
    store_be64(d->id, idk);
    store_be64((uint64_t)d->due_ms, due);
    if (rc == HR_OK)
        rc = store_db_put(txn, DB_DELIVERY_IDS, idk, 8, due, 8, 0, err);
    return rc;
}

static int job_decode(const MDB_val *k, const MDB_val *v, struct store_delivery *out,
                      struct hr_err *err)
{
    struct store_dec d;
    struct store_delivery j = {0};

    if (k->mv_size != 16)
        return hr_fail(err, HR_EIO, "deliveries: corrupt key");
    j.due_ms = (int64_t)store_get_be64(k->mv_data);
    j.id = store_get_be64((const unsigned char *)k->mv_data + 8);
    store_dec_init(&d, v);
    j.inbox = store_dec_str(&d);
    j.account = store_dec_str(&d);
    j.activity_id = store_dec_str(&d);
    j.recipient = store_dec_str(&d);
    j.attempts = (uint32_t)store_dec_u64(&d);
    j.created_ms = (int64_t)store_dec_u64(&d);
    j.claimed = store_dec_u64(&d) != 0;
    if (d.bad) {
        store_delivery_fini(&j);
        return hr_fail(err, HR_EIO, "deliveries: corrupt record");
    }
    *out = j;
    return HR_OK;
}

int store_delivery_add(struct store_txn *txn, const struct store_delivery *d, uint64_t *id_out,
                       struct hr_err *err)
{
    struct store_delivery j = *d;
    int rc;

    j.claimed = false;
    rc = store_seq_next(txn, &j.id, err);

    if (rc == HR_OK)
        rc = job_put(txn, &j, err);
    if (rc == HR_OK && id_out != NULL)
        *id_out = j.id;
    return rc;
}

/* Finds job ID: its current due time, then the record. */
static int job_find(struct store_txn *txn, uint64_t id, int64_t *due, struct hr_err *err)
{
    unsigned char idk[8];
    MDB_val v;
    int rc;

    store_be64(id, idk);
    rc = store_db_get(txn, DB_DELIVERY_IDS, idk, 8, &v, NULL);
    if (rc == HR_ENOTFOUND)
        return hr_fail(err, HR_ENOTFOUND, "no delivery job %llu", (unsigned long long)id);
    if (rc != HR_OK || v.mv_size != 8)
        return hr_fail(err, HR_EIO, "delivery_ids: corrupt entry");
    *due = (int64_t)store_get_be64(v.mv_data);
    return HR_OK;
}

int store_delivery_del(struct store_txn *txn, uint64_t id, struct hr_err *err)
{
    unsigned char key[16], idk[8];
    int64_t due = 0;
    int rc = job_find(txn, id, &due, err);

    if (rc != HR_OK)
        return rc;
    job_key(key, due, id);
    store_be64(id, idk);
    rc = store_db_del(txn, DB_DELIVERIES, key, sizeof key, err);
    if (rc == HR_OK)
        rc = store_db_del(txn, DB_DELIVERY_IDS, idk, 8, err);
    return rc;
}

int store_delivery_retry(struct store_txn *txn, uint64_t id, int64_t due_ms, uint32_t attempts,
                         struct hr_err *err)
{
    unsigned char key[16];
    struct store_delivery j = {0};
    MDB_val k = {.mv_size = 16, .mv_data = key}, v;
    int64_t due = 0;
    int rc = job_find(txn, id, &due, err);

    if (rc != HR_OK)
        return rc;
    job_key(key, due, id);
    rc = store_db_get(txn, DB_DELIVERIES, key, 16, &v, err);
    if (rc == HR_OK)
        rc = job_decode(&k, &v, &j, err);
    if (rc == HR_OK)
        rc = store_db_del(txn, DB_DELIVERIES, key, 16, err);
    if (rc == HR_OK) {
        j.due_ms = due_ms;
        j.attempts = attempts;
        j.claimed = false;
        rc = job_put(txn, &j, err);
    }
    store_delivery_fini(&j);
    return rc;
}

/* Reads up to MAX due jobs into a fresh array. */
static int due_jobs(struct store_txn *txn, int64_t now_ms, size_t max, struct store_delivery **out,
                    size_t *n_out, struct hr_err *err)
{
    struct store_delivery *jobs = calloc(max ? max : 1, sizeof *jobs);
    MDB_cursor *cur = NULL;
    MDB_val k, v;
    size_t n = 0;
    int mrc, rc = HR_OK;

    if (jobs == NULL)
        return hr_fail(err, HR_ENOMEM, "deliveries");
    mrc = mdb_cursor_open(txn->txn, txn->st->dbi[DB_DELIVERIES], &cur);
    if (mrc != 0) {
        free(jobs);
        return store_mdb_fail(err, mrc, "deliveries");
    }
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); mrc == 0 && n < max && rc == HR_OK;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size == 16 && (int64_t)store_get_be64(k.mv_data) > now_ms)
            break;
        rc = job_decode(&k, &v, &jobs[n], err);
        if (rc == HR_OK)
            n++;
    }
    mdb_cursor_close(cur);
    *out = jobs;
    *n_out = n;
    return rc;
}

int store_delivery_claim(struct store_txn *txn, int64_t now_ms, int64_t lease_ms, size_t max,
                         struct store_delivery **out, size_t *n_out, struct hr_err *err)
{
    struct store_delivery *jobs = NULL;
    size_t n = 0;
    int rc = due_jobs(txn, now_ms, max, &jobs, &n, err);

    for (size_t i = 0; i < n && rc == HR_OK; i++) {
        unsigned char key[16];
        job_key(key, jobs[i].due_ms, jobs[i].id);
        rc = store_db_del(txn, DB_DELIVERIES, key, 16, err);
        jobs[i].due_ms = now_ms + lease_ms;
        jobs[i].claimed = true;
        if (rc == HR_OK)
            rc = job_put(txn, &jobs[i], err);
    }
    if (rc != HR_OK) {
        for (size_t i = 0; i < n; i++)
            store_delivery_fini(&jobs[i]);
        free(jobs);
        return rc;
    }
    *out = jobs;
    *n_out = n;
    return HR_OK;
}

int store_delivery_release(struct store_txn *txn, int64_t now_ms, size_t *n_out,
                           struct hr_err *err)
{
    struct store_delivery *jobs = NULL;
    size_t n = 0, released = 0;
    /* every job, due or not: a lease can reach well past now */
    int rc = due_jobs(txn, INT64_MAX, store_delivery_count(txn), &jobs, &n, err);

    for (size_t i = 0; i < n; i++) {
        if (rc == HR_OK && jobs[i].claimed) {
            rc = store_delivery_retry(txn, jobs[i].id, now_ms, jobs[i].attempts, err);
            released++;
        }
        store_delivery_fini(&jobs[i]);
    }
    free(jobs);
    if (rc == HR_OK && n_out != NULL)
        *n_out = released;
    return rc;
}

int store_delivery_drop_if(struct store_txn *txn,
                           bool (*pred)(const struct store_delivery *d, void *ctx), void *ctx,
                           size_t *n_out, struct hr_err *err)
{
    struct store_delivery *jobs = NULL;
    size_t n = 0, dropped = 0;
    int rc = due_jobs(txn, INT64_MAX, store_delivery_count(txn), &jobs, &n, err);

    for (size_t i = 0; i < n; i++) {
        if (rc == HR_OK && pred(&jobs[i], ctx)) {
            rc = store_delivery_del(txn, jobs[i].id, err);
            dropped++;
        }
        store_delivery_fini(&jobs[i]);
    }
    free(jobs);
    if (rc == HR_OK && n_out != NULL)
        *n_out = dropped;
    return rc;
}

/* Unclaimed jobs only: a claimed one is on its way and comes back through its worker. */
int store_delivery_retime_if(struct store_txn *txn,
                             bool (*pred)(const struct store_delivery *d, void *ctx), void *ctx,
                             int64_t due_ms, size_t *n_out, struct hr_err *err)
{
    struct store_delivery *jobs = NULL;
    size_t n = 0, moved = 0;
    int rc = due_jobs(txn, INT64_MAX, store_delivery_count(txn), &jobs, &n, err);

    for (size_t i = 0; i < n; i++) {
        if (rc == HR_OK && !jobs[i].claimed && pred(&jobs[i], ctx)) {
            rc = store_delivery_retry(txn, jobs[i].id, due_ms, jobs[i].attempts, err);
            moved++;
        }
        store_delivery_fini(&jobs[i]);
    }
    free(jobs);
    if (rc == HR_OK && n_out != NULL)
        *n_out = moved;
    return rc;
}

int64_t store_delivery_next_due(struct store_txn *txn)
{
    MDB_cursor *cur = NULL;
    MDB_val k, v;
    int64_t due = INT64_MAX;

    if (mdb_cursor_open(txn->txn, txn->st->dbi[DB_DELIVERIES], &cur) != 0)
        return INT64_MAX;
    if (mdb_cursor_get(cur, &k, &v, MDB_FIRST) == 0 && k.mv_size == 16)
        due = (int64_t)store_get_be64(k.mv_data);
    mdb_cursor_close(cur);
    return due;
}

uint64_t store_delivery_count(struct store_txn *txn)
{
    return store_db_entries(txn, DB_DELIVERIES);
}
