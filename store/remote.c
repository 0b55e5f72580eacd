/* store/remote.c - cache of remote actors (their inbox and public key), indexed by key id. */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

void store_remote_actor_fini(struct store_remote_actor *r)
{
    if (r == NULL)
        return;
    free(r->id);
    free(r->key_id);
    free(r->key_pem);
    free(r->inbox);
    free(r->shared_inbox);
    free(r->name);
    free(r->username);
    memset(r, 0, sizeof *r);
}

int store_remote_actor_put(struct store_txn *txn, const struct store_remote_actor *r,
                           struct hr_err *err)
{
    struct store_remote_actor old = {0};
    struct store_enc e;
    int rc;

    /* a rotated key: drop the old key id's index entry */
    if (store_remote_actor_get(txn, r->id, &old, NULL) == HR_OK) {
        if (strcmp(old.key_id, r->key_id) != 0 && old.key_id[0] != '\0')
            store_db_del(txn, DB_REMOTE_KEYS, old.key_id, strlen(old.key_id), NULL);
        store_remote_actor_fini(&old);
    }
    store_enc_init(&e);
    store_enc_str(&e, r->key_id);
    store_enc_str(&e, r->key_pem);
    store_enc_str(&e, r->inbox);
    store_enc_str(&e, r->shared_inbox);
    store_enc_u64(&e, (uint64_t)r->fetched_ms);
    store_enc_str(&e, r->name); /* appended fields: older records end before them */
    store_enc_str(&e, r->username);
    rc = e.b.err != HR_OK ? hr_fail(err, e.b.err, "remote_actors: record too large")
                          : store_db_put(txn, DB_REMOTE_ACTORS, r->id, strlen(r->id), e.b.data,
                                         e.b.len, 0, err);
    hr_buf_fini(&e.b);
    if (rc == HR_OK && r->key_id != NULL && r->key_id[0] != '\0')
        rc = store_db_put(txn, DB_REMOTE_KEYS, r->key_id, strlen(r->key_id), r->id, strlen(r->id),
                          0, err);
    return rc;
}

int store_remote_actor_get(struct store_txn *txn, const char *id, struct store_remote_actor *out,
                           struct hr_err *err)
{
    MDB_val v;
    struct store_dec d;
    struct store_remote_actor r = {0};
    int rc = store_db_get(txn, DB_REMOTE_ACTORS, id, strlen(id), &v, err);

    if (rc != HR_OK)
        return rc;
    store_dec_init(&d, &v);
    r.key_id = store_dec_str(&d);
    r.key_pem = store_dec_str(&d);
    r.inbox = store_dec_str(&d);
    r.shared_inbox = store_dec_str(&d);
    r.fetched_ms = (int64_t)store_dec_u64(&d);
    if (!d.bad && d.off < d.len) {
        r.name = store_dec_str(&d);
        r.username = store_dec_str(&d);
    }
    r.id = strdup(id);
    if (d.bad || r.id == NULL) {
        store_remote_actor_fini(&r);
        return hr_fail(err, HR_EIO, "remote_actors: corrupt record");
    }
    *out = r;
    return HR_OK;
}

int store_remote_actor_by_key(struct store_txn *txn, const char *key_id,
                              struct store_remote_actor *out, struct hr_err *err)
{
    MDB_val v;
    char id[1024];
    int rc = store_db_get(txn, DB_REMOTE_KEYS, key_id, strlen(key_id), &v, err);

    if (rc != HR_OK)
        return rc;
    if (v.mv_size >= sizeof id)
        return hr_fail(err, HR_EIO, "remote_keys: corrupt entry");
    memcpy(id, v.mv_data, v.mv_size);
    id[v.mv_size] = '\0';
    return store_remote_actor_get(txn, id, out, err);
}

int store_remote_actor_del(struct store_txn *txn, const char *id, struct hr_err *err)
{
    struct store_remote_actor old = {0};
    int rc = store_remote_actor_get(txn, id, &old, err);

    if (rc != HR_OK)
        return rc;
    if (old.key_id[0] != '\0')
        store_db_del(txn, DB_REMOTE_KEYS, old.key_id, strlen(old.key_id), NULL);
    store_remote_actor_fini(&old);
    return store_db_del(txn, DB_REMOTE_ACTORS, id, strlen(id), err);
}
