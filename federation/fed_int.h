/* federation/fed_int.h - internals shared by the federation sources (never included outside). */
#ifndef HERALD_FED_INT_H
#define HERALD_FED_INT_H

#include "federation/fed.h"
#include "federation/http.h"
#include "keys/keys.h"

#include <jansson.h>
#include <pthread.h>

#define FED_AS_CONTEXT "https://www.w3.org/ns/activitystreams"
#define FED_PUBLIC "https://www.w3.org/ns/activitystreams#Public"
#define FED_ACCEPT_AP                                                                              \
    "application/activity+json, application/ld+json; "                                          \
    "profile=\"https://www.w3.org/ns/activitystreams\""
#define FED_ID_MAX 400 /* bytes in an id we store: LMDB keys stop at 511 with our prefixes */

struct fed_keycache_entry {
    char name[32];
    struct keys_key *key;
    uint64_t pub_hash; /* hr_fnv1a of the public PEM it was loaded with: a rotation changes it */
};

#define FED_RATE_KEYS 65536 /* remembered keys per rate table (least recently used evicted) */

struct fed_worker;
struct fed_inbox_pool;
struct fed_pruner;

/* A remote key as parsed from the PEM stored for its keyId: parsing it again for every
 * inbox request was most of an ingest's CPU. Used while the stored PEM is the same. */
#define FED_PKCACHE 512
struct fed_pk_entry {
    char *key_id, *pem;
    struct keys_key *key;
};

/* A served actor document and the account fields it was built from (public ones only):
 * it is reused while the stored account still has those fields. */
#define FED_ACTOR_CACHE 16
struct fed_actor_entry {
    struct store_account a;
    char *body;
};

/* An Ed25519 verification method of a remote actor, as read from its assertionMethod
 * (federation/proof.c): proofs of one actor's posts do not each fetch the actor. */
#define FED_MKCACHE 256
struct fed_mk_entry {
    char *vm, *controller, *multibase;
    int64_t superseded_ms; /* 0: current */
    int64_t fetched_ms;
};

struct fed {
    struct store *st;
    struct fed_config cfg;
    char *data_dir, *domain, *base_url;
    char host[256];     /* host[:port] of base_url */
    char origin[300];   /* scheme://host[:port] */
    char user_agent[128];
    pthread_mutex_t mu; /* guards keycache */
    struct fed_keycache_entry *keycache;
    size_t n_keycache, cap_keycache;
    /* keys replaced by a rotation: signer threads may still hold them (borrowed until
     * fed_free), so they are kept, one per rotation, and freed with FED */
    struct keys_key **retired;
    size_t n_retired;
    struct hr_rate *refetch;   /* key refetches per keyId; NULL: interval 0 */
    struct hr_rate *host_rate; /* inbox requests per (keyId domain, client) per minute */
    struct fed_limits *limits; /* key fetch caps, failed-fetch cache, burst limits */
    struct fed_worker *worker;
    struct fed_inbox_pool *inbox;
    struct fed_pruner *pruner; /* federation/quota.c */
    struct fed_website *website; /* the website rechecker (federation/website.c) */
    pthread_mutex_t pk_mu; /* guards pk */
    struct fed_pk_entry pk[FED_PKCACHE];
    pthread_mutex_t actor_mu; /* guards actors */
    struct fed_actor_entry actors[FED_ACTOR_CACHE];
    size_t actor_next; /* the entry replaced next when none is free */
    pthread_mutex_t mk_mu; /* guards mk */
    struct fed_mk_entry mk[FED_MKCACHE];
    size_t mk_next;
    int64_t kinds_scan_ms; /* next scan for due parent checks (scheduler thread only) */
    struct fed_desk_hooks desk; /* issue #12: the citizen desk (federation/desk.c) */
};
void fed_mk_cache_free(struct fed *fed);

void fed_actor_cache_free(struct fed *fed);
void fed_pk_cache_free(struct fed *fed);

/* "BASE/users/NAME" and friends, into OUT. */
void fed_actor_url(const struct fed *fed, const char *name, char *out, size_t cap);
/* Queues one delivery of ACTIVITY_ID per distinct inbox of ACCOUNT's followers (shared
 * inboxes first), interleaved by host. */
int fed_fanout_queue(struct store_txn *txn, const char *account, const char *activity_id,
                     struct hr_err *err);
/* GET URL with every outbound guard (domain policy, SSRF, size, same-origin redirects,
 * signed), demanding an ActivityStreams content type and id == URL. */
int fed_fetch_doc(struct fed *fed, const char *url, long timeout_ms, json_t **out,
                  struct hr_err *err);
/* The FEP-8b32 outcome for an inbound activity ACT of ACTOR, as stored with it:
 * {"activity": R, "object": R} with R = {"state": "proven"|"unproven"|"none", "method",
 * "created", "reason"} (the embedded object is checked with the activity's @context when
 * it has none). Heap JSON text; NULL on ENOMEM. Never fails on a bad proof. */
char *fed_inbox_proofs(struct fed *fed, const json_t *act, const char *actor);
/* The actor document of A (new reference; NULL on ENOMEM). */
json_t *fed_actor_json(struct fed *fed, const struct store_account *a);
/* The actor's assertionMethod: current Ed25519 key and superseded ones (security.c). */
int fed_actor_add_keys(struct fed *fed, const struct store_account *a, const json_t *profile,
                       json_t *actor);
/* A frozen account's notice: a summary paragraph and an "Account status" PropertyValue. */
int fed_actor_add_freeze(struct fed *fed, const struct store_account *a, const json_t *profile,
                         json_t *actor);
/* True for a 401/403 answer to a delivery of ACCOUNT whose keys were rotated less than
 * FED_ROTATION_GRACE_MS ago: the peer may still hold the old key (security.c). */
#define FED_ROTATION_GRACE_MS (15 * 60 * 1000)
bool fed_rotation_grace(struct store_txn *txn, const char *account, int rc, long status,
                        int64_t now);
/* Inside the claim transaction: reschedules (holds) the claimed JOBS of frozen accounts
 * and removes them from JOBS (*N shrinks; the held ones are finalised). */
int fed_deliveries_hold(struct fed *fed, struct store_txn *txn, struct store_delivery *jobs,
                        size_t *n, struct hr_err *err);
/* The signing key of our account NAME (cached; borrowed until fed_free). */
int fed_account_key(struct fed *fed, const char *name, const struct keys_key **out,
                    struct hr_err *err);
/* true when URL's host may federate with us (not blocked; listed in allow-list mode). */
bool fed_domain_permitted(struct fed *fed, const char *url);
/* Counts one inbox request from URL's registrable domain and CLIENT; false (and the seconds
 * to wait) past the limit. */
bool fed_rate_allow(struct fed *fed, const char *url, const char *client, int64_t *retry_after_s);
/* fed_http_opts.hop_allowed: fed_domain_permitted(CTX, URL). */
bool fed_hop_permitted(void *ctx, const char *url);

/* ---- limits.c: limits shaped like the abuse they stop ---- */
struct fed_limits;
int fed_limits_new(const struct fed_config *cfg, struct fed_limits **out, struct hr_err *err);
void fed_limits_free(struct fed_limits *l); /* NULL: no-op */
/* One key fetch in flight: its registrable domain, held until fed_keyfetch_end. */
struct fed_keyfetch {
    char domain[256];
    bool held;
};
/* Before fetching KEY_ID: HR_ENET when its last fetch failed less than key_fail_cache_s
 * ago (answered from memory, nothing fetched); HR_ELIMIT when key_fetch_max_per_domain
 * fetches for its registrable domain, or key_fetch_max_total in all, are in flight
 * (refused, not queued); else HR_OK and KF holds a slot. */
int fed_keyfetch_begin(struct fed *fed, const char *key_id, struct fed_keyfetch *kf,
                       struct hr_err *err);
/* Releases KF's slot; a failed fetch (RC != HR_OK) is remembered for KEY_ID. */
void fed_keyfetch_end(struct fed *fed, const char *key_id, struct fed_keyfetch *kf, int rc);
/* Seconds after which a refused key fetch is worth trying again (the fetch timeout). */
int64_t fed_keyfetch_retry_after(const struct fed *fed);
/* The time budget of one key resolution (key document and owner), in ms. */
long fed_keyfetch_timeout_ms(const struct fed *fed);
/* The inbox queue length (fed_inbox_full): +1 when a POST is queued, -1 when a verifier
 * takes it. */
void fed_inbox_queued(struct fed *fed, int delta);
/* Counts one verified activity of ACTOR: false past inbox_actor_per_second. */
bool fed_actor_allow(struct fed *fed, const char *actor, int64_t *retry_after_s);
/* Counts one Follow by ACTOR against its registrable domain: false past
 * inbox_follows_per_minute. */
bool fed_follow_allow(struct fed *fed, const char *actor, int64_t *retry_after_s);

/* The key our outbound GETs are signed with: the first account's (by name). */
int fed_default_signer(struct fed *fed, struct fed_signer *out, char *key_id, size_t cap);
/* true when URL's origin is ours */
bool fed_is_local(const struct fed *fed, const char *url);
/* true when both URLs parse and share scheme, host and port */
bool fed_same_origin(const char *a, const char *b);
void fed_http_opts(const struct fed *fed, struct fed_http_opts *o);

/* Serialises J compactly (caller frees); NULL on ENOMEM. */
char *fed_json_dump(const json_t *j);
/* Limits on JSON from peers; 0 in a field means "no limit" for that field. */
struct fed_json_limits {
    size_t max_depth, max_string, max_items;
};
void fed_json_limits_of(const struct fed *fed, struct fed_json_limits *out);
/* Parses BODY (valid UTF-8, no NUL) with duplicate keys refused and every limit checked. */
int fed_json_parse(const char *body, size_t len, const struct fed_json_limits *lim, json_t **out,
                   struct hr_err *err);

/* A parsed inbound activity: id, type and actor are borrowed from JSON. */
struct fed_activity {
    json_t *json;
    const char *id, *type, *actor;
};
/* Parses and validates the envelope of an activity: a JSON object within LIM, with an
 * http(s) id, a type (1-64 bytes) and an http(s) actor (string or object with id).
 * On error *code is a static error code ("malformed_json", "not_an_object",
 * "invalid_activity") and err says why. OUT->json is owned by the caller (json_decref). */
int fed_activity_parse(const char *body, size_t len, const struct fed_json_limits *lim,
                       struct fed_activity *out, const char **code, struct hr_err *err);
/* The id of a value that is either a string or an object with a string "id". */
const char *fed_json_id(const json_t *v);
/* A new object with only the id, type, actor and object of ACT, as strings (what an
 * Accept/Reject embeds); NULL when one is missing or out of memory. */
json_t *fed_activity_ref(const json_t *act);

/* Remote actors: struct fed_remote is in fed.h. */
/* Resolves KEY_ID to its owner and public key: cache first unless REFRESH, else a signed
 * GET of the key's document with every origin and id check. Nothing is stored here. */
int fed_remote_resolve(struct fed *fed, const char *key_id, bool refresh, struct fed_remote *out,
                       struct hr_err *err);
/* The actor at URL, fetched and checked (see actors.c). */
int fed_remote_fetch_actor(struct fed *fed, const char *url, struct fed_remote *out,
                           struct hr_err *err);
/* Accept (ACCEPTED) or Reject of one of our Follows by ACTOR; HR_ENOTFOUND when it is not. */
int fed_following_answer(struct fed *fed, struct store_txn *txn, const char *actor,
                         const json_t *object, bool accepted, struct hr_err *err);
json_t *fed_following_actors(struct fed *fed, const char *name);
/* Keeps a Create's JSON in the timeline of each account following ACTOR (accepted). */
/* (JSON is the raw activity; PROOF its fed_inbox_proofs outcome, NULL: none recorded.) */
int fed_timeline_add(struct store_txn *txn, const char *actor, const char *json,
                     const char *proof, struct hr_err *err);

/* Stores a verified remote actor in the cache (inside TXN). */
int fed_remote_store(struct store_txn *txn, const struct fed_remote *r, struct hr_err *err);
/* Our stored object at PATH (its id, BASE + PATH, into ID) into *OUT; on HR_ENOTFOUND or a
 * store failure DOC already holds the 404 or 500 answer. */
int fed_object_load(struct fed *fed, const char *path, char id[1200], struct store_object *out,
                    struct fed_doc *doc);
/* The registrable domain (Public Suffix List, via libpsl) of HOST ("host" or "host:port"),
 * lower-cased, into OUT: "a.b.example.co.uk" -> "example.co.uk". An IP address, a bare
 * public suffix or a single label is its own domain. HR_EINVAL when HOST is empty or does
 * not fit. Thread-safe. */
int fed_reg_domain(const char *host, char *out, size_t cap);
/* true when KEY_ID may be refetched now (at most once per key_refetch_interval_s); marks it. */
bool fed_refetch_allowed(struct fed *fed, const char *key_id);

/* ---- quotas on what remote actors make us store (federation/quota.c) ---- */
/* Whom a stored row is charged to: ACTOR and its registrable domain. */
struct fed_charge {
    char domain[256];
    struct store_charge ch; /* points into this struct and at the actor string */
};
/* Fills OUT for ACTOR (borrowed: must outlive OUT). HR_EINVAL when ACTOR has no host. */
int fed_charge_of(const char *actor, struct fed_charge *out);
/* Why an inbound write is refused: 429 quota_actor / quota_domain, 507 inbound_reserve. */
struct fed_quota_refusal {
    int status;
    const char *code;
    int64_t retry_after_s;
    char message[256];
};
/* Inside the write transaction, before anything is written for the activity: HR_OK when
 * FROM may have about LEN more bytes stored; else HR_ETOOBIG with *out filled. */
int fed_quota_admit(struct fed *fed, struct store_txn *txn, const struct fed_charge *from,
                    size_t len, struct fed_quota_refusal *out);

/* Queues the delivery of the stored activity ACTIVITY_ID, signed by ACCOUNT, to INBOX. */
int fed_enqueue(struct store_txn *txn, const char *account, const char *activity_id,
                const char *inbox, const char *recipient, struct hr_err *err);

/* Builds an Accept of FOLLOW by our account NAME, stores it and queues it to INBOX; its id
 * goes to ID_OUT (ID_CAP bytes, 700 is enough; may be NULL). */
int fed_accept_queue(struct fed *fed, struct store_txn *txn, const char *name,
                     const json_t *follow, const char *inbox, char *id_out, size_t id_cap,
                     struct hr_err *err);

/* A fresh object id suffix: time-ordered and unguessable enough for uniqueness. */
void fed_new_id(char out[40]);

/* Percent-encodes S for a query value (caller frees; NULL on ENOMEM). */
char *fed_url_escape(const char *s);
/* Validates URL as an absolute http(s) URL (curl_url); HR_EINVAL otherwise. */
int fed_url_check(const char *url, struct hr_err *err);
/* Text -> HTML paragraphs with escaped text and clickable http(s) links (caller frees). */
char *fed_text_to_html(const char *text);

/* A set of strings (distinct inboxes of a fan-out). */
struct fed_strset {
    char **slots;
    size_t cap, n;
};
int fed_strset_add(struct fed_strset *s, const char *v); /* HR_EEXIST when present */
void fed_strset_fini(struct fed_strset *s);

void fed_doc_json(struct fed_doc *doc, int status, json_t *body);
void fed_doc_error(struct fed_doc *doc, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- website binding (federation/relme.c, website.c, accountsdoc.c) ---- */
#define FED_WEBSITE_MAX_BYTES (1024 * 1024) /* a page larger than this is refused */
/* What a page must link to with rel="me": TARGETS are normalised (fed_relme_normalise);
 * PAGE_URL (the page's final URL) resolves relative hrefs. */
struct fed_relme_query {
    const char *page_url;
    const char *const *targets;
    size_t n_targets;
};
/* URL with lower-case scheme and host, no default port, no fragment, no trailing slash. */
int fed_relme_normalise(const char *url, char *out, size_t cap, struct hr_err *err);
/* true when the HTML page has an <a> or <link> whose rel holds "me" and whose href is one
 * of Q's targets (the first such href, normalised, into FOUND when not NULL). Parsed as a
 * browser would (gumbo): comments, scripts and attribute text never count. */
bool fed_relme_find(const char *html, size_t len, const struct fed_relme_query *q, char *found,
                    size_t cap);
/* Judges a fetched page: text/html only, at most FED_WEBSITE_MAX_BYTES, then the rel=me
 * search; fills OUT's verified, definite and reason. */
void fed_website_judge(const char *content_type, const char *body, size_t len,
                       const struct fed_relme_query *q, struct fed_website_result *out);
/* actor_extend (docs.c): the "Website" PropertyValue and attributionDomains. */
int fed_actor_add_website(struct fed *fed, const struct store_account *a, const json_t *profile,
                          json_t *actor);

/* ---- attestations (federation/attest.c, attcheck.c, attactor.c) ---- */
json_t *fed_attest_context(void); /* new reference; NULL on ENOMEM */
/* BASE/attestations/revoked/ISSUER: where our account ISSUER's revocation list is. */
void fed_attest_list_url(const struct fed *fed, const char *issuer, char *out, size_t cap);
/* Our account ISSUER's revocation list, signed now (new reference in *OUT). */
int fed_attest_revocations(struct fed *fed, const char *issuer, json_t **out,
                           struct hr_err *err);
/* One of our documents by URL, from the store: an actor, a revocation list (signed now) or
 * a stored object (new reference in *OUT). HR_ENOTFOUND. */
int fed_attest_local_object(struct fed *fed, const char *url, json_t **out, struct hr_err *err);
/* Actor document part: the "Verified official account" fields and the "attestations"
 * links from the profile key "attestations". */
int fed_actor_add_attestations(struct fed *fed, const struct store_account *a,
                               const json_t *profile, json_t *actor);
/* ---- account kinds (federation/kinds.c, kinds_check.c, kinds_text.c) ---- */
/* Our JSON-LD namespace is FED_HERALD_NS (fed.h; docs/FEDERATION.md "Terms of Herald's
 * namespace"). */
/* The words of kinds (kinds_text.c: English, the rest from the gettext catalogs). */
enum fed_text {
    FED_T_TYPE_FIELD, FED_T_KIND_AGENCY, FED_T_KIND_DEPARTMENT, FED_T_KIND_OFFICIAL,
    FED_T_KIND_SERVICE, FED_T_PARENT_FIELD, FED_T_UNCONFIRMED, FED_T_DISCLAIMER_FIELD,
    FED_T_DISCLAIMER, /* with an {agency} placeholder */
    FED_TEXT_N
};
/* true when LANG (N bytes, e.g. "zh") is English or has an interface catalog. */
bool fed_language_known(const char *lang, size_t n);
/* Text T in LANG (English when LANG has no catalog); static. */
const char *fed_text(const char *lang, size_t n, enum fed_text t);
enum fed_text fed_kind_text(const char *kind); /* FED_T_KIND_* of KIND */
/* [PropertyValue "Account type": label] in the instance's languages (new reference). */
json_t *fed_kinds_type_field(struct fed *fed, const char *kind);
/* actor_extend: kind terms, the parent back-pointer and field, an official's disclaimer. */
int fed_actor_add_kinds(struct fed *fed, const struct store_account *a, const json_t *profile,
                        json_t *actor);

/* actor_extend: "icon" and "image" from the profile keys "avatar" and "header"
 * (federation/actor_media.c). */
int fed_actor_add_media(struct fed *fed, const struct store_account *a, const json_t *profile,
                        json_t *actor);

/* ---- issue #10: a Note's parts, one file per feature (federation/note.c calls them in
 * order). Each sets (replaces) its own fields of NOTE from IN; PREV is the Note as
 * published before (an edit) or NULL (a new post), so an edit can keep what may not
 * change. */
int fed_note_extend(struct fed *fed, const char *name, const struct fed_post_input *in,
                    const json_t *prev, json_t *note, struct hr_err *err);
/* to/cc by visibility (federation/visibility.c) */
int fed_note_add_address(struct fed *fed, const char *name, const struct fed_post_input *in,
                         const json_t *prev, json_t *note, struct hr_err *err);
/* Hashtag and Mention tags, their links in content, contentMap (federation/tags.c) */
int fed_note_add_tags(struct fed *fed, const char *name, const struct fed_post_input *in,
                      const json_t *prev, json_t *note, struct hr_err *err);
/* Document attachments with alt text and blurhash (federation/attachments.c) */
int fed_note_add_attachments(struct fed *fed, const char *name,
                             const struct fed_post_input *in, const json_t *prev, json_t *note,
                             struct hr_err *err);
/* Question: oneOf/anyOf, endTime, votersCount (federation/polls.c) */
int fed_note_add_poll(struct fed *fed, const char *name, const struct fed_post_input *in,
                      const json_t *prev, json_t *note, struct hr_err *err);
/* replies, likes and shares collections (federation/counts.c) */
int fed_note_add_counts(struct fed *fed, const char *name, const struct fed_post_input *in,
                        const json_t *prev, json_t *note, struct hr_err *err);
/* Delivery beyond the followers: one job per mentioned actor's inbox not already queued
 * (federation/tags.c). NOTE: the Note as published (its tag and addressing); MENTIONS:
 * the draft's resolved mentions with their inboxes (NULL: a Delete; the cache of remote
 * actors is asked). */
int fed_note_deliver_mentions(struct store_txn *txn, const char *account,
                              const char *activity_id, const json_t *note,
                              const json_t *mentions, struct hr_err *err);
/* Whether a Note with this addressing goes to the followers (federation/visibility.c):
 * false for direct messages. */
bool fed_note_to_followers(const json_t *note);

/* ---- issue #10: entities in a post's plain text (federation/entities.c) ---- */
#define FED_HASHTAG_MAX 200 /* bytes of a tag name: longer ones stay text */
#define FED_ACCT_MAX 300    /* bytes of "user@host" */
enum fed_entity_kind { FED_ENTITY_LINK, FED_ENTITY_HASHTAG, FED_ENTITY_MENTION };
/* An entity's span in the text, its '#' or '@' included. */
struct fed_entity {
    enum fed_entity_kind kind;
    size_t start, len;
};
/* The first entity in P[FROM..N) (plain, valid UTF-8, one line or more); false when none.
 * A link wins over a tag or mention inside it; '#' and '@' count only where Mastodon's
 * look-behinds allow (not after a letter, digit, '_', '=' or '/'). */
bool fed_entity_next(const char *p, size_t n, size_t from, struct fed_entity *out);
/* What links a post's hashtags and mentions: BASE for BASE/tags/NAME, and the resolved
 * mentions ([{"acct","href","url"}], see fed.h) a "@user@host" is linked to. */
struct fed_text_links {
    const char *base;
    const json_t *mentions;
};
/* fed_text_to_html with hashtags linked to their tag page and resolved mentions to their
 * profile (Mastodon's markup); L NULL: links only. Caller frees; NULL on ENOMEM. */
char *fed_text_to_html_links(const char *text, const struct fed_text_links *l);
/* The Note's content for IN (federation/tags.c): its text with links, tags and mentions. */
char *fed_note_html(struct fed *fed, const struct fed_post_input *in);
/* "@user@host" or "user@host" -> the actor URL from host's WebFinger (following.c); its
 * profile page (rel http://webfinger.net/rel/profile-page) into PROFILE when not NULL
 * ("" when none; set PROFILE[0] = '\0' before). */
int fed_webfinger_lookup(struct fed *fed, const char *handle, char *actor, size_t cap,
                         char *profile, size_t pcap, struct hr_err *err);
/* actor_extend: the profile "fields" as PropertyValues after the other attachments
 * (federation/fields.c). */
int fed_actor_add_fields(struct fed *fed, const struct store_account *a, const json_t *profile,
                         json_t *actor);
/* The @context of our posts and their activities, Mastodon's terms after the AS2 one
 * and the data-integrity one (Hashtag, sensitive, toot: votersCount, blurhash, focalPoint):
 * new reference, NULL on
 * ENOMEM (federation/tags.c). */
json_t *fed_note_context(void);
/* The resolved mention of ACCT (LEN bytes, case-insensitive) in MENTIONS, or NULL. */
const json_t *fed_mention_find(const json_t *mentions, const char *acct, size_t len);
/* ---- issue #10: reactions and votes on our posts (federation/reactions.c, polls.c,
 * counts.c; docs/FEDERATION.md "Polls" and "Counts"). The inbox calls fed_react_inbound
 * once per verified activity, inside its transaction. */
struct fed_react_res {
    int status;       /* HTTP status of a refusal */
    const char *code; /* static error code */
    char message[200];
};
/* HR_OK: recorded, or nothing of ours (the inbox goes on as before); *DONE: a vote, which
 * is stored nowhere else (never a reply, never in a timeline). Any other code: refused,
 * RES says how, and nothing may be stored (the inbox aborts its transaction). INBOX: the
 * verified signer's inbox (Update(Question) goes there). */
int fed_react_inbound(struct fed *fed, struct store_txn *txn, const json_t *act,
                      const char *actor, const char *inbox, bool *done,
                      struct fed_react_res *res, struct hr_err *err);
/* The vote part of it (federation/polls.c): *IS_VOTE when ACT is a Create of a vote on a
 * post of ours, then recorded or refused as of NOW_MS. */
int fed_vote_inbound(struct fed *fed, struct store_txn *txn, const json_t *act,
                     const char *actor, const char *inbox, int64_t now_ms, bool *is_vote,
                     struct fed_react_res *res, struct hr_err *err);
/* NOTE (ours, as published) created (GONE false) or deleted: its poll registered for
 * result updates, a reply of ours to one of our posts counted first in its replies. */
int fed_reactions_published(struct store_txn *txn, const char *account, const json_t *note,
                            bool gone, struct hr_err *err);
int fed_poll_register(struct store_txn *txn, const char *account, const json_t *note,
                      bool gone, struct hr_err *err);
/* The stored post ID when it is a live Note or Question of ours: *OUT the parsed JSON
 * (caller decrefs). HR_ENOTFOUND; HR_EGONE for a Tombstone. */
int fed_own_note_get(struct store_txn *txn, const char *id, json_t **out);
/* Signs DOC as NAME (publish.c's signed_dump): *OUT the serialised document. */
int fed_signed_dump(struct fed *fed, const char *name, json_t *doc, char **out,
                    struct hr_err *err);
/* Records behind the collection KIND ("replies", "likes", "shares") of NOTE, and the
 * voters of a Question (federation/counts.c). */
size_t fed_note_count(struct store_txn *txn, const char *note, const char *kind);
size_t fed_note_votes(struct store_txn *txn, const char *note);
/* NOTE's likes, shares or replies changed in TXN: its embedded totals are due for a
 * refresh (fed_counts_tick). */
int fed_counts_touch(struct store_txn *txn, const char *note, struct hr_err *err);
/* Issue #11 (federation/replies.c): the record kept of a citizen's reply OBJ (a Note, in
 * reply to a post of ours) by ACTOR at MS: {"actor","ms","vis"} and, only when the reply
 * was addressed publicly (vis "public" or "unlisted"), "url", "content" (HTML as received,
 * at most 64 KiB, shown only through fed_sanitize_html), "published", "language",
 * "summary", "sensitive". New reference; NULL when OBJ has no id or memory ran out. */
json_t *fed_reply_record(const json_t *obj, const char *actor, int64_t ms);
/* Whether a reply record may appear on a public page (its own addressing was public). */
bool fed_reply_shown(const json_t *rec);
/* NOTE is deleted: no refresh is due any more. */
int fed_counts_drop(struct store_txn *txn, const char *note, struct hr_err *err);

/* ---- posts due to be signed again (federation/due.c): poll results, embedded counts ----
 * COLLECT (a store_rec_each callback over PREFIX of TABLE, in one read transaction) fills
 * WALK's batch: *N items of ITEM_SIZE bytes at ITEMS. RUN builds and stores one outside
 * that transaction; HR_ENOTFOUND (gone) or HR_EINVAL (not such a post) make DROP remove
 * its record; other failures are logged as "NOUN of ID not VERB" and retried next tick. */
struct fed_due {
    enum store_table table;
    const char *prefix;
    size_t plen;
    int (*collect)(const void *k, size_t klen, const void *v, size_t vlen, void *walk);
    void *walk, *items;
    const size_t *n;
    size_t item_size;
    int (*run)(struct fed *fed, void *item, int64_t now_ms, struct hr_err *err);
    void (*drop)(struct fed *fed, void *item);
    const char *(*id)(const void *item);
    const char *mod, *noun, *verb;
};
/* The number of items RUN stored. */
size_t fed_due_run(struct fed *fed, const struct fed_due *d, int64_t now_ms);

#endif
