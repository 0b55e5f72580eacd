/* store/store.h - Herald's durable state (LMDB underneath; nobody else sees it).
 * A struct store is shared by all threads of a process, and several processes (the
 * server and the CLI) may open the same directory at once. A struct store_txn belongs to
 * the thread that began it and ends (commit or abort) in the function that began it;
 * never hold one across network I/O, signing or JSON building. A commit is durable
 * (synchronous) when it returns HR_OK.
 * Strings returned inside records are heap copies owned by the record (free with the
 * matching _fini); nothing points into LMDB's map once a function returns. */
#ifndef HERALD_STORE_H
#define HERALD_STORE_H

#include "base/hr.h"

#define STORE_SCHEMA 1

struct store;
struct store_txn;
enum store_mode { STORE_READ, STORE_WRITE };

enum { STORE_CREATE = 1 }; /* store_open flag: create DIR (0700) when missing */

/* Opens the environment in DIR (the data directory). MAP_MB is the map size in MiB.
 * Errors: HR_ENOTFOUND (no such directory and no STORE_CREATE, or no store in it),
 * HR_ESCHEMA (written by a newer Herald), HR_EIO. */
int store_open(const char *dir, unsigned flags, size_t map_mb, struct store **out,
               struct hr_err *err);
void store_close(struct store *st); /* NULL: no-op */
/* Test seam for transient faults: when FN is set, every store_txn_begin first calls
 * FN(CTX, WRITE); an hr_rc other than HR_OK (HR_EIO, as LMDB's MDB_READERS_FULL or
 * MDB_MAP_FULL map to) makes the begin fail with it. FN NULL: off. Set it before other
 * threads use ST; FN is called from any thread. */
void store_fault_hook(struct store *st, int (*fn)(void *ctx, bool write), void *ctx);
int store_txn_begin(struct store *st, enum store_mode mode, struct store_txn **out,
                    struct hr_err *err);
/* A nested write transaction inside PARENT: its commit folds into PARENT, its abort undoes
 * only its own changes (one activity of a group commit can fail alone). */
int store_txn_begin_child(struct store_txn *parent, struct store_txn **out, struct hr_err *err);
int store_txn_commit(struct store_txn *txn, struct hr_err *err); /* always frees txn */
void store_txn_abort(struct store_txn *txn);                     /* frees; NULL: no-op */
unsigned store_schema_version(struct store_txn *txn);
/* The id of the last committed write transaction, by any process that has the store open:
 * it changes whenever the stored state did, and only then (a read-only or empty write
 * transaction leaves it). Cheap (no transaction): what a cache of rendered pages checks its
 * entries against (server/cache.c). Any thread. */
uint64_t store_generation(struct store *st);

/* Monotonic sequence shared by the whole store (outbox order, delivery ids, inbound). */
int store_seq_next(struct store_txn *txn, uint64_t *out, struct hr_err *err);

/* ---- accounts ---- */
struct store_account {
    char *name, *kind, *display_name, *summary;
    int64_t created_ms;
    char *rsa_pub_pem, *rsa_priv_pem;  /* RSA-2048 for HTTP signatures */
    char *ed_pub_multibase, *ed_priv_pem; /* Ed25519 for object proofs */
    /* The extensible profile: a JSON object text ("{}" when empty; NULL is stored as "{}").
     * Its keys are listed in docs/storage.md ("Account profile keys"). */
    char *profile;
};
void store_account_fini(struct store_account *a); /* wipes private keys */
/* HR_EEXIST when NAME exists. */
int store_account_add(struct store_txn *txn, const struct store_account *a, struct hr_err *err);
/* Overwrites the existing account A->name, private keys included (load it with
 * store_account_get_private first). HR_ENOTFOUND when there is none. */
int store_account_put(struct store_txn *txn, const struct store_account *a, struct hr_err *err);
/* The public fields; the private key PEMs stay NULL (actor documents, checks, lists). */
int store_account_get(struct store_txn *txn, const char *name, struct store_account *out,
                      struct hr_err *err); /* HR_ENOTFOUND */
/* Everything, private key PEMs included: only for loading the signing keys. */
int store_account_get_private(struct store_txn *txn, const char *name,
                              struct store_account *out, struct hr_err *err);
/* Calls CB for each account (public fields) in name order; a non-zero return from CB stops
 * and is returned. */
int store_account_each(struct store_txn *txn,
                       int (*cb)(const struct store_account *a, void *ctx), void *ctx,
                       struct hr_err *err);

/* ---- objects (our Notes, Creates, Accepts), keyed by their full id URL ---- */
struct store_object {
    char *id, *account, *type;
    int64_t published_ms;
    char *json;
    size_t json_len;
};
void store_object_fini(struct store_object *o);
int store_object_put(struct store_txn *txn, const struct store_object *o, struct hr_err *err);
int store_object_get(struct store_txn *txn, const char *id, struct store_object *out,
                     struct hr_err *err); /* HR_ENOTFOUND */
int store_object_del(struct store_txn *txn, const char *id, struct hr_err *err);

/* ---- outbox: account + sequence -> activity id, newest first ---- */
int store_outbox_add(struct store_txn *txn, const char *account, const char *activity_id,
                     uint64_t *seq_out, struct hr_err *err);
/* Walks ACCOUNT's outbox newest first, starting strictly below BEFORE (0: from the newest),
 * at most LIMIT entries. */
int store_outbox_page(struct store_txn *txn, const char *account, uint64_t before, size_t limit,
                      int (*cb)(uint64_t seq, const char *activity_id, void *ctx), void *ctx,
                      struct hr_err *err);
uint64_t store_outbox_count(struct store_txn *txn, const char *account);

/* ---- followers of our accounts ---- */
struct store_follower {
    char *actor, *inbox, *shared_inbox, *follow_id;
    int64_t created_ms;
};
void store_follower_fini(struct store_follower *f);
/* Idempotent: replaces the record when ACTOR already follows ACCOUNT. *added (may be NULL)
 * says whether it is a new follower. */
int store_follower_put(struct store_txn *txn, const char *account, const struct store_follower *f,
                       bool *added, struct hr_err *err);
int store_follower_get(struct store_txn *txn, const char *account, const char *actor,
                       struct store_follower *out, struct hr_err *err);
/* HR_ENOTFOUND when ACTOR does not follow ACCOUNT. */
int store_follower_del(struct store_txn *txn, const char *account, const char *actor,
                       struct hr_err *err);
/* Removes ACTOR from the followers of every account; *removed counts them. */
int store_follower_del_everywhere(struct store_txn *txn, const char *actor, size_t *removed,
                                  struct hr_err *err);
/* Followers of ACCOUNT in actor order, strictly after AFTER (NULL: from the start). */
int store_follower_each(struct store_txn *txn, const char *account, const char *after,
                        size_t limit, int (*cb)(const struct store_follower *f, void *ctx),
                        void *ctx, struct hr_err *err);
uint64_t store_follower_count(struct store_txn *txn, const char *account);

/* ---- remote actors (cache) ---- */
struct store_remote_actor {
    char *id, *key_id, *key_pem, *inbox, *shared_inbox;
    int64_t fetched_ms;
    /* issue #11: the actor's name and preferredUsername as fetched, plain text for pages
     * to escape; NULL when unknown (records written before them, or absent) */
    char *name, *username;
};
void store_remote_actor_fini(struct store_remote_actor *r);
/* Stores the actor and indexes its key id. */
int store_remote_actor_put(struct store_txn *txn, const struct store_remote_actor *r,
                           struct hr_err *err);
int store_remote_actor_get(struct store_txn *txn, const char *id, struct store_remote_actor *out,
                           struct hr_err *err);
int store_remote_actor_by_key(struct store_txn *txn, const char *key_id,
                              struct store_remote_actor *out, struct hr_err *err);
int store_remote_actor_del(struct store_txn *txn, const char *id, struct hr_err *err);

/* ---- delivery jobs, ordered by due time ---- */
struct store_delivery {
    uint64_t id;
    int64_t due_ms, created_ms;
    uint32_t attempts;
    char *inbox;        /* where to POST */
    char *account;      /* which of our accounts signs */
    char *activity_id;  /* body = the stored object with this id */
    char *recipient;    /* follower actor this job serves (for 410 handling), may be "" */
    bool claimed;       /* leased by a worker (set by claim, cleared by retry) */
};
void store_delivery_fini(struct store_delivery *d);
/* Adds a job due at D->due_ms; D->id is ignored and the new id returned in *id_out. */
int store_delivery_add(struct store_txn *txn, const struct store_delivery *d, uint64_t *id_out,
                       struct hr_err *err);
/* Claims up to MAX jobs due at NOW_MS or earlier: each is moved to due NOW_MS + LEASE_MS
 * (so a crashed worker's jobs come back) and returned in OUT (caller frees each with
 * store_delivery_fini and the array with free). */
int store_delivery_claim(struct store_txn *txn, int64_t now_ms, int64_t lease_ms, size_t max,
                         struct store_delivery **out, size_t *n_out, struct hr_err *err);
/* Makes every claimed job due at NOW_MS again: called by a worker that holds the data
 * directory's worker lock at start-up, so jobs of a worker that died are not left waiting
 * for their lease to run out. *n_out counts them. */
int store_delivery_release(struct store_txn *txn, int64_t now_ms, size_t *n_out,
                           struct hr_err *err);
/* Removes job ID (done or given up). HR_ENOTFOUND when it is not there. */
int store_delivery_del(struct store_txn *txn, uint64_t id, struct hr_err *err);
/* Reschedules job ID to DUE_MS with ATTEMPTS. */
int store_delivery_retry(struct store_txn *txn, uint64_t id, int64_t due_ms, uint32_t attempts,
                         struct hr_err *err);
/* Removes every job for which PRED is true; *n_out counts them. */
int store_delivery_drop_if(struct store_txn *txn,
                           bool (*pred)(const struct store_delivery *d, void *ctx), void *ctx,
                           size_t *n_out, struct hr_err *err);
/* Makes every unclaimed job for which PRED is true due at DUE_MS, its attempts unchanged
 * (held deliveries of a frozen account resume); *n_out counts them. */
int store_delivery_retime_if(struct store_txn *txn,
                             bool (*pred)(const struct store_delivery *d, void *ctx), void *ctx,
                             int64_t due_ms, size_t *n_out, struct hr_err *err);
/* Due time of the earliest job, or INT64_MAX when the queue is empty. */
int64_t store_delivery_next_due(struct store_txn *txn);
uint64_t store_delivery_count(struct store_txn *txn);
/* created_ms of the job queued longest ago, or INT64_MAX when the queue is empty
 * (store/delivery_age.c; metrics). */
int64_t store_delivery_oldest_ms(struct store_txn *txn);

/* ---- inbound activity ids already processed ---- */
/* HR_EEXIST when ID was seen (then *digest_out, if non-NULL, gets the stored digest). */
int store_seen_put(struct store_txn *txn, const char *id, const char *digest, int64_t now_ms,
                   char digest_out[65], struct hr_err *err);
bool store_seen_has(struct store_txn *txn, const char *id);

/* ---- inbound activities kept for later processing (other types) ---- */
int store_inbound_add(struct store_txn *txn, const char *account, const char *actor,
                      const char *type, const char *json, size_t len, struct hr_err *err);
uint64_t store_inbound_count(struct store_txn *txn);

/* ---- what remote actors made us store: usage per actor and per registrable domain ----
 * Rows written on behalf of a remote actor (inbound activities, seen ids, the Accept kept
 * for a follower) carry who they are charged to, and the usage rows are updated in the
 * same transaction as the rows themselves; pruning or replacing a row releases its
 * charge. So a quota read from here holds across restarts. */
struct store_charge {
    const char *actor;  /* remote actor id (at most 400 bytes) */
    const char *domain; /* its registrable domain, as federation computed it */
};
struct store_usage {
    uint64_t objects, bytes;
};
enum store_usage_kind { STORE_USAGE_ACTOR = 'a', STORE_USAGE_DOMAIN = 'd' };
/* Zeros when NAME has nothing stored. */
void store_usage_get(struct store_txn *txn, int kind, const char *name, struct store_usage *out);
/* Adds (or, negative, releases) OBJECTS and BYTES to both FROM->actor and FROM->domain. */
int store_usage_charge(struct store_txn *txn, const struct store_charge *from, int64_t objects,
                       int64_t bytes, struct hr_err *err);
/* An inbound activity kept at NOW_MS, charged to FROM (one object, the row's bytes). */
int store_inbound_add_from(struct store_txn *txn, const char *account,
                           const struct store_charge *from, const char *type, const char *json,
                           size_t len, int64_t now_ms, struct hr_err *err);
/* The same with PROOF (JSON text, NULL or "": not checked): the FEP-8b32 outcome kept
 * with the row. */
int store_inbound_add_proven(struct store_txn *txn, const char *account,
                             const struct store_charge *from, const char *type,
                             const char *proof, const char *json, size_t len, int64_t now_ms,
                             struct hr_err *err);
/* store_seen_put with the row's bytes charged to FROM (no object: a seen id is bookkeeping). */
int store_seen_put_from(struct store_txn *txn, const char *id, const char *digest, int64_t now_ms,
                        const struct store_charge *from, struct hr_err *err);
/* Keeps ACCEPT_ID (an object already stored) as the one Accept of FROM->actor's follow of
 * ACCOUNT: the Accept kept before it, if another, is deleted and its charge released, and
 * the new one is charged (one object, its bytes). ACCEPT_ID NULL: the follower left, its
 * Accept is deleted. Repeated Follows therefore never accumulate. HR_ENOTFOUND when
 * ACCEPT_ID is not stored. */
int store_accept_keep(struct store_txn *txn, const char *account, const struct store_charge *from,
                      const char *accept_id, struct hr_err *err);

/* Pruning by age, in small steps: each call visits at most MAX rows (so one write
 * transaction never holds the lock long), deletes those written before BEFORE_MS and
 * releases their charges. P starts zeroed; call again (a new transaction each time) until
 * P->done. Our own objects, outbox, followers, deliveries and records are never touched. */
struct store_prune {
    size_t visited, removed;
    bool done;
    unsigned char resume[512]; /* the next key to look at (seen ids are not in time order) */
    size_t resume_len;
};
int store_inbound_prune(struct store_txn *txn, int64_t before_ms, size_t max,
                        struct store_prune *p, struct hr_err *err);
int store_seen_prune(struct store_txn *txn, int64_t before_ms, size_t max, struct store_prune *p,
                     struct hr_err *err);
/* Timeline rows (Creates of actors our accounts follow) written no later than the newest
 * inbound row store_inbound_prune removed: they have outlived the same retention. */
int store_timeline_prune(struct store_txn *txn, size_t max, struct store_prune *p,
                         struct hr_err *err);

/* Bytes of the map held by inbound data (the pages of the seen, inbound, usage, remote
 * actor and timeline tables, as TXN sees them) and the map size, for the inbound reserve. */
void store_inbound_share(struct store_txn *txn, uint64_t *used_bytes, uint64_t *map_bytes);

/* ---- domain policy: blocked domains, and the allow-list ---- */
enum store_domain_kind { STORE_DOMAIN_BLOCK = 'b', STORE_DOMAIN_ALLOW = 'a' };
struct store_domain {
    char *host, *reason;
    int kind; /* enum store_domain_kind */
    int64_t created_ms;
};
void store_domain_fini(struct store_domain *d);
/* Idempotent: replaces the reason of an existing entry. */
int store_domain_put(struct store_txn *txn, int kind, const char *host, const char *reason,
                     struct hr_err *err);
int store_domain_del(struct store_txn *txn, int kind, const char *host,
                     struct hr_err *err); /* HR_ENOTFOUND */
bool store_domain_has(struct store_txn *txn, int kind, const char *host);
int store_domain_each(struct store_txn *txn, int (*cb)(const struct store_domain *d, void *ctx),
                      void *ctx, struct hr_err *err);

/* Removes the followers (of every account) whose actor id is on HOST or a subdomain of
 * it, and the queued deliveries to such inboxes; *followers and *jobs count them. DROPPED,
 * if not NULL, is shown each job that goes (with CTX), before it goes: what a job refers to
 * (a webhook's event body) can be released after; it must not write to TXN. */
int store_purge_host(struct store_txn *txn, const char *host,
                     void (*dropped)(const struct store_delivery *d, void *ctx), void *ctx,
                     size_t *followers, size_t *jobs, struct hr_err *err);

/* ---- records of the agency layer ----
 * Tables whose values the agency module encodes itself (JSON): the store keeps them
 * durable, ordered by key and transactional; the typed API lives in agency/. Keys are
 * bytes (at most 480); BE64 numbers in keys keep numeric order. */
enum store_table {
    STORE_T_OPERATORS,  /* name -> operator */
    STORE_T_GRANTS,     /* operator NUL role NUL account-or-"*" -> "" */
    STORE_T_TOKENS,     /* sha256(token) hex -> token record */
    STORE_T_POLICY,     /* account -> publishing policy */
    STORE_T_DRAFTS,     /* draft id -> draft */
    STORE_T_DRAFT_LOG,  /* draft id NUL BE64(seq) -> history event */
    STORE_T_SCHEDULE,   /* BE64(due ms) draft id -> "" */
    STORE_T_AUDIT,      /* BE64(seq) -> audit entry (hash-chained) */
    STORE_T_FOLLOWING,  /* account NUL remote actor -> following record */
    STORE_T_TIMELINE,   /* account NUL BE64(seq) -> remote post */
    STORE_T_INSTANCE,   /* instance keys and settings */
    STORE_T_MEDIA,      /* sha256 hex -> media record; sha256 NUL referrer -> "" (issue #10) */
    STORE_T_REACTIONS,  /* our note id NUL kind NUL remote actor -> reaction (likes, shares,
                           replies; issue #10) */
    STORE_T_VOTES,      /* our question id NUL remote actor -> vote (polls; issue #10) */
    /* issue #12, the citizen desk and supervision (docs/desk.md, docs/storage.md): */
    STORE_T_CASES,      /* case id ("c" + decimal seq) -> case (agency/cases.c) */
    STORE_T_CASE_IDX,   /* the ways to a case: 't' NUL account NUL hex SHA-256(citizen NUL
                           thread) -> latest case id; 'm' NUL message id -> case ids (space-
                           separated); 'd' NUL draft id -> case id; 'o' BE64(deadline ms) case
                           id -> "" while unanswered; 'a' NUL case id -> "" while its
                           acknowledgement is due (docs/storage.md "case_index") */
    STORE_T_DESK,       /* desk settings: 'r' NUL BE64(seq) -> routing rule; 'a' NUL account
                           -> the account's desk settings (department, deadline, calendar,
                           acknowledgement, max_silence_days); 'h' NUL account NUL date ->
                           holiday; 'w' NUL alarm key -> watchdog alarm state */
    STORE_T_HOSTS,      /* remote host -> delivery health {"first_fail_ms", "last_fail_ms",
                           "last_ok_ms", "fails", "last_status"} (federation/deliver.c) */
    STORE_T_REACH,      /* account NUL BE32(day since epoch, UTC) NUL host -> "": a delivery of
                           the account's succeeded at that host that day (reports' spread) */
    STORE_T_HISTORY,    /* 'f' NUL account NUL BE64(ms) NUL actor -> "+" | "-": followers
                           gained and lost, for reports (store/followers.c) */
    STORE_T_HOOKS,      /* webhooks: 'w' NUL id -> webhook (url, events, secret); 'e' NUL
                           BE64(seq) -> event body delivered to them (agency/events.c); 'n'
                           NUL BE64(seq) -> {"refs","ms"}: its jobs still queued
                           (federation/hookjob.c) */
    STORE_T_COUNT_
};
/* FLAGS: STORE_NOOVERWRITE makes an existing key HR_EEXIST. */
enum { STORE_NOOVERWRITE = 1 };
int store_rec_put(struct store_txn *txn, enum store_table t, const void *key, size_t klen,
                  const void *val, size_t vlen, unsigned flags, struct hr_err *err);
/* *val is a heap copy (NUL-terminated, *vlen bytes; caller frees). HR_ENOTFOUND. */
int store_rec_get(struct store_txn *txn, enum store_table t, const void *key, size_t klen,
                  char **val, size_t *vlen, struct hr_err *err);
int store_rec_del(struct store_txn *txn, enum store_table t, const void *key, size_t klen,
                  struct hr_err *err); /* HR_ENOTFOUND */
/* Calls CB for each record whose key starts with PREFIX (PLEN 0: all), in key order or
 * REVERSE; K and V are valid only during the call. A non-zero return stops the walk and is
 * returned. */
int store_rec_each(struct store_txn *txn, enum store_table t, const void *prefix, size_t plen,
                   bool reverse,
                   int (*cb)(const void *k, size_t klen, const void *v, size_t vlen, void *ctx),
                   void *ctx, struct hr_err *err);
uint64_t store_rec_count(struct store_txn *txn, enum store_table t);
/* Big-endian u64 for keys. */
void store_put_be64(uint64_t v, unsigned char out[8]);
uint64_t store_read_be64(const unsigned char in[8]);

/* ---- accounts our accounts follow, and their timelines (store/following.c) ----
 * A following record is a JSON text per (account NAME, remote ACTOR); a timeline entry is
 * an activity JSON text per account, newest first. JSON passed to callbacks is LEN bytes,
 * not NUL-terminated, valid during the call. */
int store_following_put(struct store_txn *txn, const char *name, const char *actor,
                        const char *json, struct hr_err *err);
/* *JSON (caller frees) and *LEN; HR_ENOTFOUND. */
int store_following_get(struct store_txn *txn, const char *name, const char *actor,
                        char **json, size_t *len, struct hr_err *err);
int store_following_del(struct store_txn *txn, const char *name, const char *actor,
                        struct hr_err *err); /* HR_ENOTFOUND */
/* Each record of NAME (NULL: of every account); a non-zero return from CB stops the walk. */
int store_following_each(struct store_txn *txn, const char *name,
                         int (*cb)(const char *name, const char *actor, const char *json,
                                   size_t len, void *ctx),
                         void *ctx, struct hr_err *err);
int store_timeline_add(struct store_txn *txn, const char *name, const char *json,
                       struct hr_err *err);
/* NAME's timeline newest first; a non-zero return from CB stops the walk. */
int store_timeline_each(struct store_txn *txn, const char *name,
                        int (*cb)(const char *json, size_t len, void *ctx), void *ctx,
                        struct hr_err *err);

/* ---- keyed records of the agency layer (store/agency_keys.c): the key layouts of the
 * tables above stay here; callers name operator, role, draft id, time or sequence. ---- */
/* SCOPE: an account name, or NULL for instance-wide ("*"). */
int store_grant_put(struct store_txn *txn, const char *op, const char *role, const char *scope,
                    struct hr_err *err);
int store_grant_del(struct store_txn *txn, const char *op, const char *role, const char *scope,
                    struct hr_err *err); /* HR_ENOTFOUND */
bool store_grant_has(struct store_txn *txn, const char *op, const char *role, const char *scope);
/* Every grant (OP NULL) or OP's, in key order; SCOPE "*" is instance-wide. */
int store_grant_each(struct store_txn *txn, const char *op,
                     int (*cb)(const char *op, const char *role, const char *scope, void *ctx),
                     void *ctx, struct hr_err *err);
int store_draft_log_add(struct store_txn *txn, const char *id, uint64_t seq, const char *v,
                        size_t vlen, struct hr_err *err);
/* Draft ID's history events, oldest first. */
int store_draft_log_each(struct store_txn *txn, const char *id,
                         int (*cb)(const char *v, size_t vlen, void *ctx), void *ctx,
                         struct hr_err *err);
int store_schedule_put(struct store_txn *txn, int64_t at_ms, const char *id, struct hr_err *err);
int store_schedule_del(struct store_txn *txn, int64_t at_ms, const char *id,
                       struct hr_err *err); /* HR_ENOTFOUND */
/* Scheduled drafts, earliest first. */
int store_schedule_each(struct store_txn *txn, int (*cb)(int64_t at_ms, const char *id, void *ctx),
                        void *ctx, struct hr_err *err);
/* HR_EEXIST when SEQ is taken. */
int store_audit_put(struct store_txn *txn, uint64_t seq, const char *v, size_t vlen,
                    struct hr_err *err);
/* SEQ is 0 for a malformed key. */
int store_audit_each(struct store_txn *txn, bool reverse,
                     int (*cb)(uint64_t seq, const char *v, size_t vlen, void *ctx), void *ctx,
                     struct hr_err *err);

/* ---- counts of everything, for tests and stats ---- */
struct store_stats {
    uint64_t accounts, objects, followers, remote_actors, deliveries, seen, inbound;
    uint64_t votes, reactions; /* issue #10: records of STORE_T_VOTES, STORE_T_REACTIONS
                                  but those whose key starts with '!' (indexes, markers) */
};
int store_stats_get(struct store_txn *txn, struct store_stats *out, struct hr_err *err);

#endif
