/* store/store_int.h - internals shared by the store sources. MDB_val never leaves store/. */
#ifndef HERALD_STORE_INT_H
#define HERALD_STORE_INT_H

#include "store/store.h"

#include <lmdb.h>

enum store_db {
    DB_META,
    DB_ACCOUNTS,
    DB_OBJECTS,
    DB_OUTBOX,
    DB_FOLLOWERS,
    DB_FOLLOWS_BY_ACTOR,
    DB_REMOTE_ACTORS,
    DB_REMOTE_KEYS,
    DB_DELIVERIES,
    DB_DELIVERY_IDS,
    DB_SEEN,
    DB_INBOUND,
    DB_COUNTERS,
    DB_DOMAINS,
    DB_USAGE,   /* 'a' actor | 'd' domain -> BE64 objects, BE64 bytes (store/usage.c) */
    DB_ACCEPTS, /* account NUL follower actor -> id of the Accept we keep for it */
    DB_REC_FIRST_, /* STORE_T_* tables follow, in enum store_table order */
    DB_COUNT_ = DB_REC_FIRST_ + STORE_T_COUNT_
};

struct store {
    MDB_env *env;
    MDB_dbi dbi[DB_COUNT_];
    int (*fault)(void *ctx, bool write); /* test seam: see store_fault_hook */
    void *fault_ctx;
};

struct store_txn {
    struct store *st;
    MDB_txn *txn;
    bool write;
};

/* Maps an LMDB return code to hr_rc with a message naming WHAT. */
int store_mdb_fail(struct hr_err *err, int mrc, const char *what);

int store_db_get(struct store_txn *t, enum store_db db, const void *k, size_t klen,
                 MDB_val *val, struct hr_err *err);
int store_db_put(struct store_txn *t, enum store_db db, const void *k, size_t klen,
                 const void *v, size_t vlen, unsigned flags, struct hr_err *err);
int store_db_del(struct store_txn *t, enum store_db db, const void *k, size_t klen,
                 struct hr_err *err);
uint64_t store_db_entries(struct store_txn *t, enum store_db db);

/* Named counters (big-endian u64 in DB_COUNTERS). */
uint64_t store_counter_get(struct store_txn *t, const char *name);
int store_counter_add(struct store_txn *t, const char *name, int64_t delta, struct hr_err *err);

/* Record codec: a sequence of fields, strings as u32 length + bytes, ints as u64, BE. */
struct store_enc {
    struct hr_buf b;
};
void store_enc_init(struct store_enc *e);
void store_enc_str(struct store_enc *e, const char *s); /* NULL stored as "" */
void store_enc_u64(struct store_enc *e, uint64_t v);
struct store_dec {
    const unsigned char *p;
    size_t len, off;
    bool bad;
};
void store_dec_init(struct store_dec *d, const MDB_val *v);
char *store_dec_str(struct store_dec *d);  /* heap copy; NULL and d->bad on error */
void store_dec_skip(struct store_dec *d);  /* past one string, not copied */
uint64_t store_dec_u64(struct store_dec *d);

void store_be64(uint64_t v, unsigned char out[8]);
uint64_t store_get_be64(const unsigned char in[8]);

/* Builds "A\0B" keys (two strings joined by NUL). Returns length, or 0 when too long. */
size_t store_key2(char *out, size_t cap, const char *a, const char *b);

#endif
