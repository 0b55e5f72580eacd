/* federation/fed.h - ActivityPub for Herald: documents (actor, WebFinger, NodeInfo,
 * collections), publishing (Note + Create + delivery jobs in one transaction), the inbox
 * (signature verification, origin rules, dispatch) and the delivery worker.
 * One struct fed per process, shared by all threads. Returned strings are heap-allocated
 * (caller frees). */
#ifndef HERALD_FED_H
#define HERALD_FED_H

#include "base/hr.h"
#include "store/store.h"

struct fed_config {
    const char *data_dir;   /* for the delivery wake-up socket */
    const char *domain;     /* host[:port] of our handles: acct:NAME@DOMAIN */
    const char *base_url;   /* scheme://host[:port], no trailing slash */
    bool allow_private;     /* loopback testing: http and private addresses allowed */
    int64_t signature_window_s;
    size_t inbox_max_body;
    size_t json_max_depth;  /* nesting levels */
    size_t json_max_string; /* bytes in one string (or key) */
    size_t json_max_items;  /* members of one array or object */
    size_t fetch_max_bytes;
    long fetch_timeout_ms;
    int fetch_max_redirects;
    int64_t key_refetch_interval_s;
    /* what outsiders may make us store (federation/quota.c); 0 = no limit */
    uint64_t inbound_max_objects_per_actor, inbound_max_bytes_per_actor;
    uint64_t inbound_max_objects_per_domain, inbound_max_bytes_per_domain;
    uint64_t inbound_share_percent; /* of the map: inbound writes stop beyond it */
    int64_t inbound_retention_s, seen_retention_s; /* pruned when older; 0 = kept */
    int deliver_concurrency;
    int deliver_per_host;
    int deliver_signers; /* threads signing deliveries; 0 = one per CPU core */
    long deliver_timeout_ms;
    int64_t deliver_give_up_s; /* retries stop this long after the job was created */
    bool allowlist;            /* federation_mode = allowlist */
    uint64_t inbox_rate_per_minute; /* per remote registrable domain; 0 = unlimited */
    /* issue 8 §4/§4b: limits shaped like the abuse (federation/limits.c) */
    size_t key_fetch_max_total;      /* key fetches in flight at once; 0 = default 6 */
    size_t key_fetch_max_per_domain; /* ... for one registrable domain; 0 = default 2 */
    long key_fetch_timeout_ms;       /* one budget for a key and its owner; 0 = fetch_timeout */
    int64_t key_fail_cache_s;        /* a failed key fetch is not retried for this; 0 = off */
    size_t inbox_queue_max;          /* inbox POSTs waiting for a verifier; 0 = unbounded */
    uint64_t inbox_actor_per_second; /* activities from one remote actor; 0 = unlimited */
    uint64_t inbox_follows_per_minute; /* new Follows per registrable domain; 0 = unlimited */
    bool rfc9421_first; /* http_signature_first = rfc9421: deliveries knock with RFC 9421 */
    const char *languages; /* instance languages, "zh,en" (NULL: "en"); outlives fed */
};

struct fed;
int fed_new(struct store *st, const struct fed_config *cfg, struct fed **out, struct hr_err *err);
void fed_free(struct fed *fed);

/* The pruner (inside herald serve): a thread that removes inbound activities and seen ids
 * older than their retention, in small transactions. fed_prune_run is one full pass as of
 * NOW_MS (tests call it directly); *removed counts the rows deleted. */
int fed_prune_start(struct fed *fed, struct hr_err *err);
void fed_prune_stop(struct fed *fed);
int fed_prune_run(struct fed *fed, int64_t now_ms, size_t *removed, struct hr_err *err);

/* A document answer: HTTP status, content type and body (or an error code and message). */
struct fed_doc {
    int status;
    const char *content_type; /* static string */
    char *body;               /* heap: the JSON/XML body, or NULL */
    const char *error;        /* static error code for JSON errors, or NULL */
    char message[256];
    char etag[48];            /* strong ETag ("..."), or "" */
};
void fed_doc_fini(struct fed_doc *d);
/* The strong ETag of a response body: "\"" + 32 hex digits of its SHA-256 + "\"". */
void fed_etag(const char *body, size_t len, char out[48]);
/* store_generation of FED's store: changes with every committed write, by any process
 * (server/cache.c checks its entries against it). UINT64_MAX when unknown. Any thread. */
uint64_t fed_store_generation(struct fed *fed);

/* GET handlers. PATH is the request path (no query); QUERY values are raw (decoded by MHD).
 * Every handler fills *doc; an unknown account/object is status 404. */
void fed_webfinger(struct fed *fed, const char *resource, struct fed_doc *doc);
void fed_nodeinfo_links(struct fed *fed, struct fed_doc *doc);
void fed_nodeinfo(struct fed *fed, struct fed_doc *doc);
void fed_host_meta(struct fed *fed, struct fed_doc *doc);
void fed_actor(struct fed *fed, const char *name, struct fed_doc *doc);
/* PAGE: NULL for the collection, "true" for the first page, or a cursor. */
void fed_outbox(struct fed *fed, const char *name, const char *page, struct fed_doc *doc);
void fed_followers(struct fed *fed, const char *name, const char *page, struct fed_doc *doc);
void fed_following(struct fed *fed, const char *name, struct fed_doc *doc);
/* An object of ours by its full id (BASE + PATH). */
void fed_object(struct fed *fed, const char *path, struct fed_doc *doc);
/* A post of our account NAME at BASE + PATH, for its HTML page: 200 with the Note, 410
 * with the Tombstone, 404 when nothing is stored there, 406 (not_acceptable) when what is
 * stored there is not a post of NAME (an Accept, a Create, ...). */
void fed_own_post(struct fed *fed, const char *name, const char *path, struct fed_doc *doc);

/* Publishing in two steps, so that a publication can be part of a larger transaction (an
 * approval that completes a draft publishes in the same commit): prepare builds and
 * serialises the Create(Note) outside any transaction; commit stores the Note, the Create,
 * the outbox entry and one delivery job per distinct inbox inside TXN. After the caller's
 * commit, fed_wake() starts the deliveries. */
struct fed_post_input {
    const char *text;     /* plain text: escaped, paragraphs, links made clickable */
    const char *cw;       /* content warning (Note summary), or NULL */
    const char *reply_to; /* inReplyTo URL, or NULL */
    const char *quote;    /* URL of a post quoted (FEP-e232 link, quoteUrl), or NULL */
    /* issue #10: everything below comes from the draft record as the approver approved it
     * (agency/drafts.c keeps the formats; docs/publishing.md) */
    const char *language;   /* BCP 47; NULL or "und": no contentMap */
    const char *visibility; /* public | unlisted | followers | direct; NULL: public */
    const struct json_t *mentions; /* [{"acct":"user@host","href":ACTOR,"inbox":URL,"shared_inbox":URL,
                                      "url":PROFILE}] (inbox "": one of our accounts) */
    const struct json_t *attachments; /* [{"sha256","media_type","alt","width","height","blurhash",
                                  "size"}] in order */
    const struct json_t *poll;     /* {"options":[..],"multiple":bool,"closes_ms":N} or NULL */
};
/* ---- issue #10: reactions and polls (federation/counts.c, polls.c) ---- */
/* GET PATH "/users/NAME/notes/ID/replies|likes|shares" (PAGE: NULL or "1".."N"): DOC
 * holds the collection with live totalItems. HR_ENOTFOUND (DOC untouched) for another
 * path. No visibility check of its own: the caller serves it only to the post's audience
 * (server/router.c get_guarded, like the post itself). */
int fed_note_collection(struct fed *fed, const char *path, const char *page,
                        struct fed_doc *doc);
/* PATH names such a collection. */
bool fed_note_collection_is(const struct fed *fed, const char *path);
/* Adds "counts" {replies, likes, shares[, votes]} to each Create of our posts in the outbox
 * page PAGE (herald posts NAME). */
int fed_posts_counts(struct fed *fed, struct json_t *page, struct hr_err *err);
/* Live counts of our post NOTE_ID (0 each when it is not ours). */
struct fed_counts {
    size_t replies, likes, shares;
};
void fed_note_counts(struct fed *fed, const char *note_id, struct fed_counts *out);
/* The record of the consultation QUESTION (our Question's id): question, content, multiple,
 * closes, open, votersCount, options [{name, votes}], votes [{actor, option, time}]. */
int fed_poll_results(struct fed *fed, const char *question, struct json_t **out,
                     struct hr_err *err);
/* Sends Update(Question) with the current counts for each poll with new votes whose last
 * update is INTERVAL_MS old, and once at closing; returns how many were sent. */
size_t fed_polls_tick(struct fed *fed, int64_t now_ms, int64_t interval_ms);
/* The scheduler thread, once a second: posts whose likes, shares or replies changed at
 * least INTERVAL_MS ago get their stored Note's totalItems refreshed and signed again
 * (federation/counts.c). Returns how many. */
size_t fed_counts_tick(struct fed *fed, int64_t now_ms, int64_t interval_ms);

struct fed_post;
int fed_post_prepare(struct fed *fed, const char *name, const struct fed_post_input *in,
                     struct fed_post **out, struct hr_err *err);
const char *fed_post_id(const struct fed_post *p); /* the Note id; lives with P */
/* An edit of our published NOTE_ID: Update(Note) with the new text; the previous version
 * stays readable at NOTE_ID/versions/ID and is listed in the Note's "versions". */
int fed_post_prepare_update(struct fed *fed, const char *name, const char *note_id,
                            const struct fed_post_input *in, struct fed_post **out,
                            struct hr_err *err);
/* A delete: the Note becomes a Tombstone (answered 410), its Create goes, and a Delete is
 * delivered. Both refuse (HR_EEXIST) at commit when the Note changed since prepare. */
int fed_post_prepare_delete(struct fed *fed, const char *name, const char *note_id,
                            struct fed_post **out, struct hr_err *err);
int fed_post_commit(struct store_txn *txn, const struct fed_post *p, struct hr_err *err);
void fed_post_free(struct fed_post *p);
/* The Update, Delete or Announce as it will be stored and delivered (JSON); NULL for a
 * new post (its Create is stored with the Note). */
const char *fed_post_activity(const struct fed_post *p);

/* Publishing: stores the Note and its Create, adds it to NAME's outbox and queues one
 * delivery per distinct inbox of NAME's followers, in one write transaction; then wakes the
 * delivery worker (also across processes). *note_id: the Note's id (caller frees). */
int fed_publish_note(struct fed *fed, const char *name, const char *text, char **note_id,
                     struct hr_err *err);

/* Inbox. */
struct fed_inbox_req {
    const char *account;  /* NULL for the shared inbox */
    const char *method;   /* "POST" */
    const char *target;   /* path + query as received */
    const char *(*header)(void *ctx, const char *name); /* lowercase name -> value or NULL */
    void *ctx;
    const char *body;
    size_t body_len;
    const char *client;   /* client address, for logs */
};
struct fed_inbox_res {
    int status;          /* 202 on success */
    int64_t retry_after_s; /* with 429/503: seconds until the peer may try again */
    const char *error;   /* static code when status >= 400 */
    char message[256];
};
void fed_inbox_post(struct fed *fed, const struct fed_inbox_req *req, struct fed_inbox_res *res);

/* The same, asynchronously, on the inbox workers (inside herald serve): REQ and RES must
 * stay valid until DONE(CTX) is called from a worker thread, once RES holds the answer
 * (after the durable commit when the status is 202). HR_EGONE (DONE not called) once
 * fed_inbox_stop has begun: answer 503. */
int fed_inbox_submit(struct fed *fed, const struct fed_inbox_req *req, struct fed_inbox_res *res,
                     void (*done)(void *ctx), void *ctx, struct hr_err *err);
/* THREADS verifiers (they may wait on remote key fetches) and one committer that stores
 * verified activities in group commits. Stop lets queued requests finish first. */
int fed_inbox_start(struct fed *fed, size_t threads, struct hr_err *err);
/* true when inbox_queue_max POSTs already wait for a verifier: the caller answers 503 with
 * Retry-After *RETRY_AFTER_S before reading the body. Thread-safe. */
bool fed_inbox_full(struct fed *fed, int64_t *retry_after_s);
void fed_inbox_stop(struct fed *fed);
/* After the HTTP front has stopped (nothing can submit any more): frees what stop left. */
void fed_inbox_free(struct fed *fed);

/* Delivery worker thread (inside herald serve). */
int fed_worker_start(struct fed *fed, struct hr_err *err);
void fed_worker_stop(struct fed *fed);
/* Wakes a running worker (this process or another on the same data directory). */
void fed_wake(struct fed *fed);

/* ---- media (issue #10; federation/actor_media.c) ---- */
/* The data directory (media files live in its media/ subdirectory); lives with FED. */
const char *fed_data_dir(const struct fed *fed);
/* "jpg", "png", "webp" or "gif" for MEDIA_TYPE; NULL for anything else. */
const char *fed_media_ext(const char *media_type);
/* BASE/media/SHA256.EXT, the public URL of a stored media file ("" when the type is not an
 * image type we serve). */
void fed_media_url(const struct fed *fed, const char *sha256, const char *media_type,
                   char *out, size_t cap);

/* Domain policy, inside TXN (the caller audits in the same transaction). KIND:
 * STORE_DOMAIN_BLOCK or STORE_DOMAIN_ALLOW; ON adds, !ON removes (HR_ENOTFOUND when absent).
 * Adding a block also drops that domain's followers and queued deliveries (counted in
 * *followers, *jobs; may be NULL). HR_EINVAL for a bad domain. */
int fed_domain_set(struct store_txn *txn, int kind, bool on, const char *domain,
                   const char *reason, size_t *followers, size_t *jobs, struct hr_err *err);
/* Lowercase host name check for domain entries: letters, digits, '-', '.'; no port. */
int fed_host_normalise(const char *in, char *out, size_t cap, struct hr_err *err);

/* ---- following other servers' accounts ---- */
/* A remote actor whose document passed every check, with its parsed public key. */
struct keys_key;
struct fed_remote {
    char *actor, *key_id, *key_pem, *inbox, *shared_inbox;
    struct keys_key *key;
    bool from_cache;
    char *name, *username; /* issue #11: name and preferredUsername, or NULL (too long, absent) */
};
void fed_remote_fini(struct fed_remote *r);
/* Issue #10 (federation/mentions.c): the distinct @user@host mentions of TEXT, each
 * resolved now (WebFinger and the actor, guarded; our own accounts from the store), as
 * [{"acct","href","inbox","shared_inbox","url"}] (inbox "" for our own accounts) into
 * *OUT (new reference; NULL when TEXT mentions nobody). HR_EINVAL naming the first
 * mention that does not resolve, or more than FED_MENTIONS_MAX; HR_EFORBIDDEN for a
 * blocked domain. FED NULL: any mention is an error. */
#define FED_MENTIONS_MAX 20
int fed_mentions_resolve(struct fed *fed, const char *text, struct json_t **out,
                         struct hr_err *err);
/* A post's default language when neither the draft nor the account names one: the first
 * of the instance's languages ("en" when unset), "und" when FED is NULL. */
void fed_language_default(const struct fed *fed, char *out, size_t cap);
/* HANDLE: "@user@host", "user@host" (WebFinger) or an actor URL; the actor is fetched and
 * checked. Nothing is stored. */
int fed_resolve_actor(struct fed *fed, const char *handle, struct fed_remote *out,
                      struct hr_err *err);
/* Inside TXN: the following record (pending), the Follow stored and queued. HR_EEXIST. */
int fed_follow(struct fed *fed, struct store_txn *txn, const char *name,
               const struct fed_remote *target, struct hr_err *err);
/* Inside TXN: Undo(Follow) queued, the record removed. HR_ENOTFOUND. */
int fed_unfollow(struct fed *fed, struct store_txn *txn, const char *name, const char *actor,
                 struct hr_err *err);
/* NAME's following records (JSON array: actor, state, since) and timeline (newest first,
 * at most LIMIT), as JSON text (caller frees). */
int fed_following_list(struct fed *fed, const char *name, char **json, struct hr_err *err);
int fed_timeline_list(struct fed *fed, const char *name, size_t limit, char **json,
                      struct hr_err *err);
/* An Announce (boost) of URL by NAME, to its followers, prepared for fed_post_commit. */
int fed_post_prepare_announce(struct fed *fed, const char *name, const char *url,
                              struct fed_post **out, struct hr_err *err);

/* Account kinds -> ActivityStreams actor types ("Organization", "Person", "Service"). */
const char *fed_kind_type(const char *kind);

/* ---- object integrity proofs (FEP-8b32, eddsa-jcs-2022; federation/proof.c) ---- */
#define FED_DI_CONTEXT "https://w3id.org/security/data-integrity/v1"
#define FED_ED_KEY_FRAGMENT "#ed25519-key" /* our accounts' current assertionMethod key */
struct store_txn;
typedef struct json_t json_t;
/* Signs DOC, one of account NAME's documents without a proof: adds the data-integrity
 * context and one proof by NAME's Ed25519 key (read inside TXN; NULL: a read transaction
 * of its own), verificationMethod
 * ACTOR#ed25519-key, created now. */
int fed_proof_sign(struct fed *fed, struct store_txn *txn, const char *name, json_t *doc,
                   struct hr_err *err);

enum fed_proof_state { FED_PROOF_NONE, FED_PROOF_VALID, FED_PROOF_INVALID };
struct fed_proof_result {
    enum fed_proof_state state;
    char method[600];      /* the proof's verificationMethod */
    char controller[600];  /* who controls that key (the owner, when VALID) */
    int64_t created_ms;    /* the proof's created */
    int64_t superseded_ms; /* the key's expiry (a rotation); 0: a current key */
    char reason[256];      /* why NONE or INVALID, one line, safe to show */
};
/* Checks DOC's proof. The key must be an Ed25519 Multikey in the assertionMethod of OWNER
 * (the actor the caller holds responsible; NULL: DOC's actor, else attributedTo, else its
 * id), controlled by OWNER, on OWNER's origin, not expired when the proof was made; ours
 * are read from the store, remote ones fetched with every outbound guard (cached an hour,
 * read again once when a proof fails). Never fails: the outcome is in OUT. */
void fed_proof_check(struct fed *fed, const json_t *doc, const char *owner,
                     struct fed_proof_result *out);

/* ---- key rotation and freeze (federation/security.c) ---- */
/* The fragment of the current Ed25519 key id ("#ed25519-key", "#ed25519-key-2", ...) from
 * the profile JSON text PROFILE (profile key "ed25519_key_id"). */
void fed_ed_key_fragment(const char *profile, char *out, size_t cap);
/* When the account with profile PROFILE was frozen (Unix ms), 0 when it is not. */
int64_t fed_frozen_since(const char *profile);
const char *fed_frozen_notice(void); /* the profile notice, English / Chinese; static */
/* Drops the cached signing key of NAME when RSA_PUB_PEM (the stored public key) is not the
 * one it was loaded with: the next delivery signs with the rotated key. */
void fed_account_key_check(struct fed *fed, const char *name, const char *rsa_pub_pem);
/* Makes the held (and any other waiting) deliveries of NAME due now, inside TXN. */
int fed_deliveries_resume(struct store_txn *txn, const char *name, size_t *n,
                          struct hr_err *err);

/* Queues Update(actor) with NAME's current actor document (signed) to every follower
 * inbox, inside TXN, after the account was changed in TXN. */
int fed_actor_update_queue(struct fed *fed, struct store_txn *txn, const char *name,
                           struct hr_err *err);

/* ---- website binding (issue 9 §5; federation/website.c) ---- */
/* The profile key "website": an https URL (http only to a loopback host when
 * allow_private_network is on; FED may be NULL: no private network), at most 500 bytes,
 * no user name or password; curl_url's form of it into OUT. HR_EINVAL says why. */
int fed_website_url_check(const struct fed *fed, const char *url, char *out, size_t cap,
                          struct hr_err *err);
/* The profile key "attribution_domains": up to 10 host names separated by spaces, each
 * checked by fed_host_normalise; the normalised list (one space between) into OUT. */
int fed_attribution_domains_check(const char *in, char *out, size_t cap, struct hr_err *err);
struct fed_website_result {
    bool verified;   /* the page links back with rel="me" */
    bool definite;   /* the answer is about the page (false: unreachable for now) */
    bool changed;    /* the verified state changed and Update(actor) was queued */
    char url[600];   /* the website checked */
    char found[600]; /* the matching href, normalised */
    char reason[256];
};
/* Fetches account NAME's website with every outbound guard (scheme, SSRF per hop, domain
 * policy per redirect hop, fetch_timeout, 1 MiB) and records the outcome in its profile
 * ("website_checked_ms", "website_verified_ms", "website_result"); a change of the
 * verified state queues Update(actor) in the same transaction. A check that could not
 * reach the site (network, 5xx) keeps the verified state. HR_ENOTFOUND (no account),
 * HR_EINVAL (no website set): nothing stored. HR_OK whatever the page said: see OUT. */
int fed_website_check(struct fed *fed, const char *name, struct fed_website_result *out,
                      struct hr_err *err);
/* Inside herald serve: a thread that checks every website set or changed since its last
 * check (within seconds) and rechecks each one every RECHECK_S seconds (0: never again
 * after the first check). Stop returns once the check in progress has ended. */
int fed_website_start(struct fed *fed, int64_t recheck_s, struct hr_err *err);
void fed_website_stop(struct fed *fed);
/* GET /.well-known/herald/accounts.json (schema: docs/FEDERATION.md). */
void fed_accounts_doc(struct fed *fed, struct fed_doc *doc);

/* ---- official-status attestations (federation/attest.c, attcheck.c) ---- */
#define FED_VC_CONTEXT "https://www.w3.org/ns/credentials/v2"
#define FED_HERALD_NS "https://w3id.org/herald/ns#" /* our terms: docs/FEDERATION.md */
#define FED_ATTEST_DEPTH 3   /* issuers between an actor and a trust anchor, at most */
#define FED_ATTEST_MAX 8     /* attestations an actor may list that we look at */
struct fed_attest_input {
    const char *issuer;  /* our issuing account */
    const char *subject; /* the attested actor's URL */
    const char *name;    /* the subject's official name */
    const char *kind;    /* agency, department or official */
    int64_t valid_until_ms; /* 0: no end */
};
bool fed_attest_kind_valid(const char *kind);
/* The credential for IN, signed by IN->issuer's Ed25519 key, with a fresh id
 * BASE/attestations/ID (new reference in *OUT). HR_EINVAL names the bad input. */
int fed_attest_build(struct fed *fed, const struct fed_attest_input *in, json_t **out,
                     struct hr_err *err);
/* Inside TXN: stores DOC (from fed_attest_build) and its index record. */
int fed_attest_store(struct fed *fed, struct store_txn *txn, const char *issuer,
                     const json_t *doc, struct hr_err *err);
/* The index record of attestation ID (the last path segment): url, issuer (account),
 * subject, name, kind, valid_until, issued_ms, revoked_ms, reason. HR_ENOTFOUND. */
int fed_attest_record(struct store_txn *txn, const char *id, json_t **out, struct hr_err *err);
/* Inside TXN: marks ID revoked now (its issuer's revocation list shows it from then on).
 * HR_EEXIST when already revoked, HR_ENOTFOUND, HR_EINVAL for a bad REASON. */
int fed_attest_revoke(struct store_txn *txn, const char *id, const char *reason,
                      struct hr_err *err);
/* The index records (of ISSUER, or all when NULL), oldest first, as a JSON array. */
int fed_attest_list(struct fed *fed, const char *issuer, json_t **out, struct hr_err *err);
/* GET /attestations (Collection), /attestations/ID (the credential), and
 * /attestations/revoked/NAME (NAME's revocation list, signed at each request). */
void fed_attest_serve(struct fed *fed, const char *path, struct fed_doc *doc);
/* true when URL is the actor of one of our accounts (not checked to exist): its name in
 * NAME. */
bool fed_attest_local_subject(const struct fed *fed, const char *url, char name[32]);
/* Fetches the attestation at URL (ours from the store, others with every outbound guard)
 * and checks it: shape, the issuer's proof, validity now, revocation (the issuer's signed
 * list), and, when SUBJECT is not NULL, that it attests SUBJECT. HR_OK with *ENTRY (new
 * reference: url, issuer, issuer_name, subject, name, kind, valid_until_ms); else HR_ESIG,
 * HR_EFORBIDDEN, HR_ENET... with a message saying what failed. */
int fed_attest_check(struct fed *fed, const char *url, const char *subject, json_t **entry,
                     struct hr_err *err);
/* What can be proven about TARGET (a post URL, an actor URL or @user@host): the post's
 * proof, the actor's attestations and their chain up to a trust anchor (ANCHORS: space
 * separated issuer actor URLs). A JSON object (new reference; NULL only on ENOMEM):
 * target, actor, post {url, proof, reason}, verified (bool), anchor, chain [...],
 * problems [...]. See docs/authenticity.md. */
json_t *fed_attest_verify(struct fed *fed, const char *target, const char *anchors);
/* ---- account kinds (federation/kinds*.c) ---- */
/* HR_OK when LIST ("zh,en") names only languages Herald ships, at least one. */
int fed_languages_check(const char *list, struct hr_err *err);
/* GET ACTOR/accounts: the account matrix of agency or department NAME (local accounts
 * whose profile "parent" is NAME, and the remote ones linked to it); 404 for others. */
void fed_matrix(struct fed *fed, const char *name, struct fed_doc *doc);
/* When account NAME's parent is a remote actor URL: reads the parent's actor and matrix
 * (every outbound guard) and records in the profile whether it lists NAME
 * (parent_confirmed_ms), when it was checked and the parent's name; Update(actor) when
 * that changed what the actor shows. A fetch failure is logged and keeps the last
 * answer; HR_OK then too. Does network I/O: never call it from an HTTP thread. */
int fed_parent_check(struct fed *fed, const char *name, int64_t now_ms, struct hr_err *err);
/* From the scheduler (one thread), every second: every ten seconds, checks the accounts
 * whose remote parent was never checked or not for a day. */
void fed_kinds_recheck(struct fed *fed, int64_t now_ms);
/* Account NAME's profile attributes (a JSON object, new reference). HR_ENOTFOUND. */
int fed_account_profile(struct fed *fed, const char *name, json_t **out, struct hr_err *err);
/* Validates URL as an absolute http(s) URL (curl_url); HR_EINVAL with a message. */
int fed_url_valid(const char *url, struct hr_err *err);

/* ---- visibility and authorized fetch (issue #10; federation/visibility.c) ---- */
enum fed_visibility { FED_VIS_PUBLIC, FED_VIS_UNLISTED, FED_VIS_FOLLOWERS, FED_VIS_DIRECT };
/* "public", "unlisted", "followers", "direct"; HR_EINVAL (no message) for anything else. */
int fed_visibility_parse(const char *s, enum fed_visibility *out);
const char *fed_visibility_name(enum fed_visibility v); /* static string */
/* The visibility of one of our Notes (or of an activity of ours), from its to/cc. */
enum fed_visibility fed_note_visibility(const json_t *doc);
/* true when what is at PATH (a request path) may be served to anyone: everything except
 * a followers-only or direct post of ours and what lies under it (NOTE/activity,
 * /versions/..., /updates/..., collections such as /replies). */
bool fed_object_public(struct fed *fed, const char *path);
/* true when ACTOR (a verified signer; NULL: nobody) may read what is at PATH: anyone for
 * public ones; for a followers-only post an addressed actor, a follower of its account, or
 * an actor on a follower's origin (that server's instance actor); for a direct post an
 * addressed actor. Reads the store. */
bool fed_object_visible_to(struct fed *fed, const char *path, const char *actor);
/* The visibility of our post at URL (HR_ENOTFOUND: not a live post of ours). No message. */
int fed_post_visibility(struct fed *fed, const char *url, enum fed_visibility *out);
/* HR_EINVAL when URL is a followers-only or direct post of ours (it cannot be boosted). */
int fed_boost_check(struct fed *fed, const char *url, struct hr_err *err);
/* Something served at PATH (with its page, NULL for none): fed_object_page, the outbox... */
typedef void fed_serve_fn(struct fed *fed, const char *path, const char *page,
                          struct fed_doc *doc);
/* fed_object for a fed_serve_fn (PAGE ignored): no visibility check of its own; the
 * caller has decided (fed_object_public, fed_get_submit). */
void fed_object_page(struct fed *fed, const char *path, const char *page, struct fed_doc *doc);
/* A signed GET of PATH (not fed_object_public), handed to the inbox verifiers: the key may
 * have to be fetched, which must not hold up an HTTP thread. The signature is checked as
 * an inbox POST's is (draft-cavage or RFC 9421, Host ours, date window, domain policy, the
 * per-host rate, the guarded key fetch), without the body parts; then SERVE(PATH, PAGE)
 * fills *DOC when fed_object_visible_to admits the signer. Every refusal is the 404 of an
 * unknown id, except the limits on the requester's host and on key fetches (429 and 503,
 * *RETRY_AFTER_S set), which say nothing about PATH.
 * REQ->header/ctx/client are used (method and target are built from PATH and PAGE). REQ,
 * PATH, PAGE and DOC must stay valid until DONE(CTX), called once from a worker thread.
 * HR_EGONE (DONE not called) once the inbox is stopping. */
int fed_get_submit(struct fed *fed, const struct fed_inbox_req *req, const char *path,
                   const char *page, fed_serve_fn *serve, struct fed_doc *doc,
                   int64_t *retry_after_s, void (*done)(void *ctx), void *ctx,
                   struct hr_err *err);
/* The operator's view of NAME's outbox: every post whatever its visibility (fed_outbox
 * shows public and unlisted ones only). */
void fed_outbox_all(struct fed *fed, const char *name, const char *page, struct fed_doc *doc);

/* ---- the public web's reads (issue #11; federation/webread.c) ---- */
/* The label of account kind KIND ("agency", ...) in interface language LANG (a tag of
 * hr_i18n_languages()): the words the actor carries (federation/kinds_text.c); static. */
const char *fed_kind_label(const char *lang, const char *kind);
struct fed_web_query {
    const char *account; /* NULL: every account of ours */
    const char *tag;     /* NULL: any; else a hashtag name without '#', any case */
    uint64_t before;     /* cursor from a previous page's *next; 0: from the newest */
    size_t limit;        /* 1..40 (0 or more: 40) */
    bool unlisted;       /* also unlisted posts (an account's own page and feed) */
};
/* Our live public posts (stored Notes and Questions, latest version) matching Q, newest
 * first: *ITEMS a new array; *NEXT the cursor of the next page, 0 when there is none. */
int fed_web_posts(struct fed *fed, const struct fed_web_query *q, struct json_t **items,
                  uint64_t *next, struct hr_err *err);
/* The replies the page of our post NOTE_ID shows, as a new array, oldest first:
 *   {"own":true, "note":NOTE}  a public or unlisted reply by one of our accounts;
 *   {"own":false, "id","url","actor","name","handle","content","published","language",
 *    "summary","sensitive"}     a citizen's reply, only where the account shows them
 *                               (profile key replies=shown) and only when the reply itself
 *                               was addressed public or unlisted; name, handle ("@u@host")
 *                               and summary are plain text to escape, content HTML for
 *                               fed_sanitize_html; name, handle, language, summary may be
 *                               absent (show the actor URL when handle is). */
int fed_web_replies(struct fed *fed, const char *note_id, struct json_t **items,
                    struct hr_err *err);

/* Our accounts as pages show them (federation/webaccounts.c), ONLY one (NULL: all, in
 * name order): *ITEMS a new array of {"name","kind","display_name","summary" (plain text),
 * "actor", "avatar","header" (URLs, absent when unset), "parent" (a local name or an actor
 * URL), "parent_local", "parent_name", "parent_confirmed" (a remote one),
 * "website", "website_verified", "fields":[{name,
 * value}], "frozen"}; empty when ONLY does not exist. One read transaction. */
int fed_web_accounts(struct fed *fed, const char *only, struct json_t **items,
                     struct hr_err *err);

/* ---- HTML from remote servers (issue #11; federation/sanitize.c) ----
 * HTML5-parses HTML (LEN bytes, not NUL-terminated) with gumbo and appends to OUT only
 * what the allow-list keeps: text (escaped, bidi controls neutralised) inside p, br, a
 * (http/https href only, rel="nofollow noopener noreferrer ugc"), span, strong, em, b, i,
 * u, s, del, code, pre, blockquote, ul, ol, li; everything else is dropped with its
 * attributes (script, style and friends with their content). Never fails on input; the
 * output is at most 512 KiB and fits OUT's room (its content is cut there, its tags still
 * closed), so OUT->err is never set by a long reply. sanitize(sanitize(x)) == sanitize(x). */
void fed_sanitize_html(const char *html, size_t len, struct hr_buf *out);

/* ---- the citizen desk's inbound side (issue #12; federation/desk.c) ----
 * The inbox hands up, inside its one write transaction, every verified Create/Update of a
 * Note that concerns one of our accounts, and every Delete of a Note, so that the agency
 * layer opens or updates a case in the same commit as the 202 (federation never includes
 * agency's headers: server wires these hooks at start-up, fed_set_desk_hooks). */
enum fed_desk_why {
    FED_DESK_REPLY,   /* inReplyTo is a live post of ours (ACCOUNT's) */
    FED_DESK_MENTION, /* a Mention tag (or to/cc) names ACCOUNT, the Note is not direct */
    FED_DESK_DIRECT,  /* addressed to ACCOUNT (and perhaps others) without public/followers */
    FED_DESK_FOLLOWUP /* inReplyTo is a Note the desk knows (a case message or our answer) */
};
struct fed_desk_note {
    const char *type;        /* "Create", "Update" or "Delete" */
    const char *actor;       /* the verified author (the citizen) */
    const char *id;          /* the Note's id */
    const json_t *object;    /* the Note (Create/Update); NULL for a Delete */
    const char *account;     /* our account concerned (local name); "" for a Delete */
    enum fed_desk_why why;
    const char *in_reply_to; /* the Note it answers, or NULL */
    const char *thread;      /* conversation key: our post it (finally) answers, else the
                                Note's context/conversation, else its own id */
    enum fed_visibility visibility;
    int64_t received_ms;     /* hr_clock_ms() at the inbox */
};
struct fed_desk_hooks {
    /* one call per (Note, account concerned); a non-HR_OK return refuses the activity and
     * rolls the transaction back */
    int (*note)(void *ctx, struct store_txn *txn, const struct fed_desk_note *n,
                struct hr_err *err);
    void *ctx;
};
void fed_set_desk_hooks(struct fed *fed, const struct fed_desk_hooks *hooks);
/* Called by the inbox for Create, Update and Delete (federation/desk.c): works out which of
 * our accounts ACT concerns and calls the note hook for each. No hooks: nothing. */
int fed_desk_inbound(struct fed *fed, struct store_txn *txn, const json_t *act,
                     const char *actor, struct hr_err *err);
/* The desk's index of messages (STORE_T_CASE_IDX 'm' NUL ID -> the ids of the cases that
 * hold message ID, or whose published answer it is, separated by spaces): its key into KEY;
 * 0 when ID is empty or longer than an id we store. */
size_t fed_desk_msg_key(const char *id, char *key, size_t cap);
/* *OUT (caller frees) the case ids message ID belongs to; HR_ENOTFOUND. No message. */
int fed_desk_cases_of(struct store_txn *txn, const char *id, char **out);
/* The text of HTML without its markup (script and style dropped), appended to OUT: what
 * keyword routing reads. At most the first 64 KiB of HTML are read. */
void fed_html_text(const char *html, size_t len, struct hr_buf *out);
/* The words of a citizen's Note OBJ whatever its addressing, bounded as a kept reply's
 * (federation/replies.c): {"content" (HTML as received, at most 64 KiB), "language" (when
 * its contentMap names a valid one), "summary" (when present)}. New; NULL on ENOMEM. */
json_t *fed_note_words(const json_t *obj);

/* ---- webhooks in the delivery queue (issue #12 part 7; federation/hookjob.c) ----
 * A webhook delivery is a job whose account is FED_HOOK_ACCOUNT + the webhook's id and
 * whose activity id is FED_HOOK_EVENT + the event's sequence number. Its body is the event
 * (STORE_T_HOOKS 'e' NUL BE64(seq)), POSTed as application/json with X-Herald-Event,
 * X-Herald-Delivery, X-Herald-Timestamp and X-Herald-Signature: sha256=HEX of
 * HMAC-SHA256(secret, timestamp "." body); never signed as ActivityPub, never fanned out.
 * 'n' NUL BE64(seq) -> {"refs": jobs still queued for it, "ms": created}: the body is
 * removed with the last of them (delivered, given up, dropped, or its webhook removed). */
#define FED_HOOK_ACCOUNT "!hook:"
#define FED_HOOK_EVENT "!event:"
bool fed_hook_job(const char *account);
/* true when ACTIVITY_ID is FED_HOOK_EVENT + a number (into *SEQ, may be NULL). */
bool fed_hook_event_id(const char *activity_id, uint64_t *seq);
/* KIND ('e' body, 'n' refs) NUL BE64(SEQ) into KEY; returns its length (10). */
size_t fed_hook_key(char kind, uint64_t seq, unsigned char key[10]);
/* Webhook ID's record key, 'w' NUL ID, into KEY; its length, 0 for an id that is empty
 * or longer than 64 bytes. */
size_t fed_hook_rec_key(const char *id, char key[80]);
/* Webhook ID's record (STORE_T_HOOKS 'w' NUL id) into *OUT (new). HR_ENOTFOUND. */
int fed_hook_get(struct store_txn *txn, const char *id, json_t **out, struct hr_err *err);
/* The secret of the webhook of job ACCOUNT (caller wipes and frees). HR_ENOTFOUND. */
int fed_hook_secret(struct store *st, const char *account, char **out, struct hr_err *err);
/* The event body of ACTIVITY_ID (caller frees). HR_ENOTFOUND. */
int fed_hook_body(struct store_txn *txn, const char *activity_id, char **out,
                  struct hr_err *err);
/* One job for ACTIVITY_ID ended: its reference is released, the body removed with the
 * last one. Not an event id, or already released: HR_OK. */
int fed_hook_release(struct store_txn *txn, const char *activity_id, struct hr_err *err);
/* "sha256=" + hex HMAC-SHA256 keyed with SECRET (its ASCII bytes as printed) over
 * TIMESTAMP "." BODY; "" on failure. */
void fed_hook_signature(const char *secret, const char *timestamp, const char *body, size_t len,
                        char out[72]);
/* The six request header lines of a webhook POST of BODY signed at NOW_MS. */
int fed_hook_headers(const char *body, size_t len, const char *secret, int64_t now_ms,
                     char *headers[7], struct hr_err *err);
/* A webhook URL: https, or http to a loopback host when allow_private_network is on
 * (fed_website_url_check's rule, curl_url), at most 500 bytes; normalised into OUT. */
int fed_webhook_url_check(const struct fed *fed, const char *url, char *out, size_t cap,
                          struct hr_err *err);
/* Deliveries recorded since this process started, by outcome (metrics): federation's and
 * webhooks'. Index: FED_OUT_DELIVERED, _RETRIED, _GAVE_UP, _DROPPED. */
enum { FED_OUT_DELIVERED, FED_OUT_RETRIED, FED_OUT_GAVE_UP, FED_OUT_DROPPED, FED_OUT_COUNT_ };
void fed_delivery_outcomes(uint64_t fed_out[FED_OUT_COUNT_], uint64_t hook_out[FED_OUT_COUNT_]);
/* Removes from HOSTS (an object keyed by host, as the worker keys STORE_T_HOSTS) every host
 * no federation delivery is queued for any more (all delivered, given up or purged): the
 * watchdog's host_failing is about deliveries still pending. One walk of the queue. */
int fed_hosts_pending(struct store_txn *txn, struct json_t *hosts, struct hr_err *err);

/* ---- case folding of hashtags and words (federation/entities.c) ----
 * NAME (LEN bytes of valid UTF-8, without '#') lower-cased code point by code point
 * (towlower in glibc's C.UTF-8: Unicode's simple lower case), as the tag's URL and its
 * identity everywhere (pages, cases, routes); heap, NULL on ENOMEM or a name longer than a
 * tag may be. */
char *fed_hashtag_norm(const char *name, size_t len);
/* S (valid UTF-8, any length) lower-cased the same way, for case-blind word search; heap,
 * NULL on ENOMEM. */
char *fed_text_lower(const char *s);

#endif
