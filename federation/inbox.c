/* federation/inbox.c - POST /inbox and /users/NAME/inbox. Everything is decided before the
 * answer: a request that fails any check gets its error status and nothing is stored;
 * a 202 means the activity was processed and committed (never "accepted, then dropped").
 * Order: cheap checks on the bytes first (signature header, digest, date), then JSON,
 * then the (possibly remote) key, then the origin rules, then one write transaction. */
#include "federation/fed_int.h"
#include "federation/httpsig.h"
#include "federation/httpsig9.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct inbox_ctx {
    struct fed *fed;
    const struct fed_inbox_req *req;
    struct fed_inbox_res *res;
    struct fed_sig sig;
    struct fed_sig9 sig9; /* when rfc9421: Signature-Input present (federation/httpsig9.h) */
    bool rfc9421;
    char key_id[2048];
    json_t *act;            /* the parsed activity */
    const char *id, *type, *actor;
    struct fed_remote signer;
    char digest[65];        /* sha256 hex of the body, for the seen table */
    struct fed_charge from; /* whom what we store is charged to (federation/quota.c) */
    bool unrecorded;        /* over a quota, a withdrawal carried out without storing */
    char *proof;            /* FEP-8b32 outcome, JSON, stored with the activity */
};

static int reject(struct inbox_ctx *c, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int reject(struct inbox_ctx *c, int status, const char *code, const char *fmt, ...)
{
    va_list ap;

    c->res->status = status;
    c->res->error = code;
    va_start(ap, fmt);
    vsnprintf(c->res->message, sizeof c->res->message, fmt, ap);
    va_end(ap);
    for (char *p = c->res->message; *p != '\0'; p++)
        if (*p == '\r' || *p == '\n')
            *p = ' ';
    return HR_EINVAL;
}

static const char *hdr(struct inbox_ctx *c, const char *name)
{
    return c->req->header(c->req->ctx, name);
}

/* Domain policy and the per-host rate, on the keyId alone: before the body is parsed and
 * long before any key is fetched. */
static int check_policy(struct inbox_ctx *c, const char *key_id)
{
    int64_t wait_s = 0;

    if (strlen(key_id) > FED_ID_MAX || fed_url_check(key_id, NULL) != HR_OK)
        return reject(c, 400, "signature_malformed", "keyId is not an http(s) URL (max 400 bytes)");
    if (!fed_domain_permitted(c->fed, key_id))
        return reject(c, 403, "domain_blocked", "this server does not federate with that domain");
    if (!fed_rate_allow(c->fed, key_id, c->req->client, &wait_s)) {
        c->res->retry_after_s = wait_s;
        return reject(c, 429, "rate_limited", "too many requests from that host; retry later");
    }
    return HR_OK;
}

/* The signed Host must be ours: a request signed for another server (and captured there)
 * verifies here just as well, byte for byte, unless the receiver checks whom it was for.
 * Compared as origins (case, default port), so "Host: EXAMPLE:443" is https://example. */
static bool host_is_ours(struct inbox_ctx *c)
{
    const char *host = hdr(c, "host");
    size_t scheme = strcspn(c->fed->origin, ":");
    char url[600];
    int n;

    if (host == NULL || host[0] == '\0' || strlen(host) > 300 || strpbrk(host, "/?#@\\ \t") != NULL)
        return false;
    n = snprintf(url, sizeof url, "%.*s://%s/", (int)scheme, c->fed->origin, host);
    return n > 0 && (size_t)n < sizeof url && fed_is_local(c->fed, url);
}

static int check_policy(struct inbox_ctx *c, const char *key_id);
static bool host_is_ours(struct inbox_ctx *c);

/* Both signature schemes end alike: the request is addressed to us, and its keyId (KEY_ID,
 * a slice of a signature header) fits, is kept, and meets the domain policy. */
static int signed_for_us(struct inbox_ctx *c, struct hr_slice key_id)
{
    if (!host_is_ours(c))
        return reject(c, 401, "host_mismatch", "the request is addressed to another host");
    if (key_id.len >= sizeof c->key_id)
        return reject(c, 400, "signature_malformed", "keyId too long");
    memcpy(c->key_id, key_id.p, key_id.len);
    c->key_id[key_id.len] = '\0';
    return check_policy(c, c->key_id);
}

/* RFC 9421: Signature-Input and Signature parsed, the one signature chosen (the first
 * with an accepted algorithm, federation/httpsig9.h), covering what we require. A request
 * carrying both schemes is judged by RFC 9421 alone: one request, one verdict. */
static int check_sig9_header(struct inbox_ctx *c)
{
    const char *in = hdr(c, "signature-input"), *sig = hdr(c, "signature");
    const char *code = "signature_input_malformed";
    struct hr_err err = {0};

    c->rfc9421 = true;
    if (sig == NULL)
        return reject(c, 401, code, "Signature-Input without a Signature header");
    if (fed_sig9_parse((struct hr_slice){in, strlen(in)}, (struct hr_slice){sig, strlen(sig)},
                       &c->sig9, &code, &err) != HR_OK)
        return reject(c, 401, code, "%s", err.msg);
    if (fed_sig9_require(&c->sig9, c->req->method, &code, &err) != HR_OK)
        return reject(c, 401, code, "%s", err.msg);
    return signed_for_us(c, c->sig9.key_id);
}

/* RFC 9530 Content-Digest (required: the signature covers it) and the created window. */
static int check_sig9_digest_and_time(struct inbox_ctx *c)
{
    const char *digest = hdr(c, "content-digest");
    const char *code = "content_digest_malformed";
    struct hr_err err = {0};

    if (digest == NULL)
        return reject(c, 401, "content_digest_missing", "Content-Digest header required on POST");
    if (fed_content_digest_check((struct hr_slice){digest, strlen(digest)}, c->req->body,
                                 c->req->body_len, &code, &err) != HR_OK)
        return reject(c, 401, code, "%s", err.msg);
    if (fed_sig9_check_time(&c->sig9, hr_now_ms(), c->fed->cfg.signature_window_s, &code,
                            &err) != HR_OK)
        return reject(c, 401, code, "%s", err.msg);
    return HR_OK;
}

/* Signature (or Authorization: Signature ...) parsed, and covering what we require. */
static int check_signature_header(struct inbox_ctx *c)
{
    const char *v = hdr(c, "signature");
    const char *auth = hdr(c, "authorization");
    struct hr_err err = {0};
    struct hr_slice s;

    if (hdr(c, "signature-input") != NULL) /* RFC 9421: Signature-Input + Signature */
        return check_sig9_header(c);
    if (v == NULL && auth != NULL && strncmp(auth, "Signature ", 10) == 0)
        v = auth + 10;
    if (v == NULL)
        return reject(c, 401, "signature_missing", "request is not signed (HTTP Signature required)");
    s.p = v;
    s.len = strlen(v);
    if (fed_sig_parse(s, &c->sig, &err) != HR_OK)
        return reject(c, 400, "signature_malformed", "Signature header: %s", err.msg);
    if (fed_sig_require(&c->sig, c->req->method, &err) != HR_OK)
        return reject(c, 401, "signature_incomplete", "%s", err.msg);
    return signed_for_us(c, c->sig.key_id);
}

static int check_digest_and_date(struct inbox_ctx *c)
{
    const char *digest = hdr(c, "digest");
    struct hr_err err = {0};
    int rc;

    if (c->rfc9421)
        return check_sig9_digest_and_time(c);
    if (digest == NULL)
        return reject(c, 401, "digest_missing", "Digest header required on POST");
    rc = fed_digest_check((struct hr_slice){digest, strlen(digest)}, c->req->body,
                          c->req->body_len, &err);
    if (rc != HR_OK)
        return reject(c, 401, "digest_mismatch", "%s", err.msg);
    rc = fed_sig_check_time(&c->sig, hdr(c, "date"), hr_now_ms(), c->fed->cfg.signature_window_s,
                            &err);
    if (rc != HR_OK)
        return reject(c, 401, "date_out_of_window", "%s", err.msg);
    return HR_OK;
}

static int parse_activity(struct inbox_ctx *c)
{
    struct fed_json_limits lim;
    struct fed_activity a;
    struct hr_err err = {0};
    const char *code = "malformed_json";

    fed_json_limits_of(c->fed, &lim);
    if (fed_activity_parse(c->req->body, c->req->body_len, &lim, &a, &code, &err) != HR_OK)
        return reject(c, 400, code, "%s", err.msg);
    c->act = a.json;
    c->id = a.id;
    c->type = a.type;
    c->actor = a.actor;
    if (!fed_domain_permitted(c->fed, c->actor))
        return reject(c, 403, "domain_blocked", "this server does not federate with that domain");
    return HR_OK;
}

/* A key that could not be had. The peer learns only that (one body for every cause:
 * whether a name resolved or a port answered is none of its business); the cause goes
 * to the log. Key fetch limits reached: 503, try again once a fetch has finished. */
static int key_failed(struct inbox_ctx *c, int rc, const struct hr_err *err)
{
    hr_log(HR_LOG_INFO, "fed", "key unavailable key=%s: %s", c->key_id, err->msg);
    if (rc == HR_ELIMIT) {
        c->res->retry_after_s = fed_keyfetch_retry_after(c->fed);
        return reject(c, 503, "key_fetch_busy", "too many key fetches in flight; retry later");
    }
    return reject(c, 401, "key_unavailable", "cannot obtain the key named by keyId");
}

/* The chosen scheme's check of the signature with KEY. For RFC 9421 the target URI is
 * built from our own origin (host_is_ours already held the Host header to it). */
static int sig_check(struct inbox_ctx *c, const struct keys_key *key, struct hr_err *err)
{
    struct fed_sig_request sr = {.method = c->req->method, .target = c->req->target,
                                 .header = c->req->header, .ctx = c->req->ctx};
    char scheme[16];
    struct fed_sig9_request r9 = {.method = c->req->method, .target = c->req->target,
                                  .scheme = scheme, .authority = c->fed->host,
                                  .header = c->req->header, .ctx = c->req->ctx};

    if (!c->rfc9421)
        return fed_sig_verify(&c->sig, &sr, key, err);
    snprintf(scheme, sizeof scheme, "%.*s", (int)strcspn(c->fed->origin, ":"), c->fed->origin);
    return fed_sig9_verify(&c->sig9, &r9, key, err);
}

/* Verify with the cached key; on failure refetch once (the peer may have rotated), at
 * most once per keyId per key_refetch_interval_s (refetch floods are a DoS lever). */
static int verify_signature(struct inbox_ctx *c)
{
    struct hr_err err = {0};
    int rc = fed_remote_resolve(c->fed, c->key_id, false, &c->signer, &err);

    if (rc != HR_OK && fed_is_local(c->fed, c->key_id))
        return reject(c, 403, "origin", "%s", err.msg);
    if (rc != HR_OK)
        return key_failed(c, rc, &err);
    rc = sig_check(c, c->signer.key, &err);
    if (rc != HR_OK && c->signer.from_cache && fed_refetch_allowed(c->fed, c->key_id)) {
        fed_remote_fini(&c->signer);
        rc = fed_remote_resolve(c->fed, c->key_id, true, &c->signer, &err);
        if (rc == HR_ELIMIT)
            return key_failed(c, rc, &err);
        if (rc == HR_OK)
            rc = sig_check(c, c->signer.key, &err);
    }
    if (rc != HR_OK)
        return reject(c, 401, "signature_invalid", "signature does not verify: %s", err.msg);
    if (c->actor != NULL && strcmp(c->signer.actor, c->actor) != 0) /* NULL: a GET */
        return reject(c, 401, "key_owner_mismatch", "signed by %s, but the actor is %s",
                      c->signer.actor, c->actor);
    return HR_OK;
}

/* FEP-fe34: ids must live on the signer's origin, and nothing remote may claim ours. */
static int check_origin(struct inbox_ctx *c)
{
    const json_t *obj = json_object_get(c->act, "object");
    const char *obj_id = fed_json_id(obj);

    if (fed_is_local(c->fed, c->actor) || fed_is_local(c->fed, c->id))
        return reject(c, 403, "origin", "remote activity claims an id on our host");
    if (!fed_same_origin(c->id, c->actor))
        return reject(c, 403, "origin", "activity id is not on the actor's origin");
    if (!json_is_object(obj))
        return HR_OK; /* a reference: handlers decide what it may point at */
    /* an answer to our Follow embeds that Follow (ours): on_answer matches it against the
     * Follow we stored for exactly this actor */
    if (strcmp(c->type, "Accept") == 0 || strcmp(c->type, "Reject") == 0)
        return HR_OK;
    if (obj_id != NULL && fed_is_local(c->fed, obj_id))
        return reject(c, 403, "origin", "embedded object claims an id on our host");
    if (obj_id != NULL && !fed_same_origin(obj_id, c->actor))
        return reject(c, 403, "origin", "embedded object is not on the actor's origin");
    return HR_OK;
}

/* Burst limits on verified requests (limits.c): per actor, and Follows per domain. */
static int check_bursts(struct inbox_ctx *c)
{
    int64_t wait_s = 0;

    if (!fed_actor_allow(c->fed, c->actor, &wait_s)) {
        c->res->retry_after_s = wait_s;
        return reject(c, 429, "actor_rate_limited", "too many activities from that actor");
    }
    if (strcmp(c->type, "Follow") == 0 && !fed_follow_allow(c->fed, c->actor, &wait_s)) {
        c->res->retry_after_s = wait_s;
        return reject(c, 429, "follow_rate_limited", "too many new followers from that domain");
    }
    return HR_OK;
}

/* ---- handlers: each runs inside the one write transaction ---- */

/* Our account NAME when URL is its actor id. */
static int local_account(struct inbox_ctx *c, const char *url, char name[32])
{
    char prefix[600];
    size_t n;

    snprintf(prefix, sizeof prefix, "%s/users/", c->fed->base_url);
    n = strlen(prefix);
    if (url == NULL || strncmp(url, prefix, n) != 0 || strlen(url + n) >= 32 ||
        !hr_name_valid(url + n))
        return HR_ENOTFOUND;
    snprintf(name, 32, "%s", url + n);
    return HR_OK;
}

static int on_follow(struct inbox_ctx *c, struct store_txn *txn, struct hr_err *err);
static int on_undo(struct inbox_ctx *c, struct store_txn *txn, struct hr_err *err);
static int on_delete(struct inbox_ctx *c, struct store_txn *txn, struct hr_err *err);
static int on_create(struct inbox_ctx *c, struct store_txn *txn, struct hr_err *err);
static int on_other(struct inbox_ctx *c, struct store_txn *txn, struct hr_err *err);
static int on_accept(struct inbox_ctx *c, struct store_txn *txn, struct hr_err *err);
static int on_reject(struct inbox_ctx *c, struct store_txn *txn, struct hr_err *err);

static const struct {
    const char *type;
    int (*fn)(struct inbox_ctx *c, struct store_txn *txn, struct hr_err *err);
} handlers[] = {
    {"Follow", on_follow},
    {"Undo", on_undo},
    {"Delete", on_delete},
    {"Create", on_create},
    {"Update", on_create},
    {"Accept", on_accept},
    {"Reject", on_reject},
};

/* Accept/Reject of a Follow we sent: only the actor we asked can answer it. */
static int on_answer(struct inbox_ctx *c, struct store_txn *txn, bool accepted, struct hr_err *err)
{
    const json_t *obj = json_object_get(c->act, "object");
    int rc = fed_following_answer(c->fed, txn, c->actor, obj, accepted, err);

    return rc == HR_ENOTFOUND ? on_other(c, txn, err) : rc;
}

static int on_accept(struct inbox_ctx *c, struct store_txn *txn, struct hr_err *err)
{
    return on_answer(c, txn, true, err);
}

static int on_reject(struct inbox_ctx *c, struct store_txn *txn, struct hr_err *err)
{
    return on_answer(c, txn, false, err);
}

static int on_other(struct inbox_ctx *c, struct store_txn *txn, struct hr_err *err)
{
    if (c->unrecorded)
        return HR_OK; /* over a quota: a withdrawal stores nothing */
    return store_inbound_add_proven(txn, c->req->account ? c->req->account : "", &c->from.ch,
                                    c->type, c->proof, c->req->body, c->req->body_len,
                                    hr_now_ms(), err);
}

/* Follow: store the follower and queue a signed Accept, in the same transaction. */
static int on_follow(struct inbox_ctx *c, struct store_txn *txn, struct hr_err *err)
{
    const char *target = fed_json_id(json_object_get(c->act, "object"));
    struct store_follower f = {0};
    struct store_account a = {0};
    char name[32], accept_id[700];
    int rc;

    if (local_account(c, target, name) != HR_OK ||
        store_account_get(txn, name, &a, NULL) != HR_OK) {
        reject(c, 404, "not_found", "Follow of an account that is not here");
        return HR_ENOTFOUND;
    }
    store_account_fini(&a);
    f.actor = c->signer.actor;
    f.inbox = c->signer.inbox;
    f.shared_inbox = c->signer.shared_inbox;
    f.follow_id = (char *)(uintptr_t)c->id;
    f.created_ms = hr_now_ms();
    rc = store_follower_put(txn, name, &f, NULL, err);
    if (rc == HR_OK)
        rc = fed_accept_queue(c->fed, txn, name, c->act, c->signer.inbox, accept_id,
                              sizeof accept_id, err);
    if (rc == HR_OK) /* one Accept per follower: a repeated Follow replaces it */
        rc = store_accept_keep(txn, name, &c->from.ch, accept_id, err);
    return rc;
}

static int on_undo(struct inbox_ctx *c, struct store_txn *txn, struct hr_err *err)
{
    const json_t *obj = json_object_get(c->act, "object");
    const char *type = json_string_value(json_object_get(obj, "type"));
    const char *inner_actor = fed_json_id(json_object_get(obj, "actor"));
    const char *target = fed_json_id(json_object_get(obj, "object"));
    char name[32];
    int rc;

    if (!json_is_object(obj) || type == NULL || strcmp(type, "Follow") != 0)
        return on_other(c, txn, err); /* Undo of Like/Announce: kept for later issues */
    if (inner_actor == NULL || strcmp(inner_actor, c->actor) != 0) {
        reject(c, 403, "origin", "Undo of someone else's Follow");
        return HR_EFORBIDDEN;
    }
    if (local_account(c, target, name) != HR_OK) {
        reject(c, 404, "not_found", "Undo of a Follow of an account that is not here");
        return HR_ENOTFOUND;
    }
    rc = store_follower_del(txn, name, c->actor, err);
    if (rc == HR_OK || rc == HR_ENOTFOUND) /* already gone: idempotent */
        rc = store_accept_keep(txn, name, &c->from.ch, NULL, err);
    return rc;
}

/* attributedTo (a reference or an array of them; absent is fine) names ACTOR only. */
static bool attributed_to(const json_t *obj, const char *actor)
{
    const json_t *by = json_object_get(obj, "attributedTo"), *v;
    const char *id;
    size_t i;

    if (by == NULL)
        return true;
    if (!json_is_array(by))
        return (id = fed_json_id(by)) != NULL && strcmp(id, actor) == 0;
    json_array_foreach(by, i, v)
    {
        if ((id = fed_json_id(v)) == NULL || strcmp(id, actor) != 0)
            return false;
    }
    return true;
}

static bool is_actor_type(const json_t *obj)
{
    static const char *const types[] = {"Person", "Organization", "Service", "Group",
                                        "Application"};
    const char *t = json_string_value(json_object_get(obj, "type"));

    for (size_t i = 0; t != NULL && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(t, types[i]) == 0)
            return true;
    return false;
}

/* Another actor we know of: a neighbour on the same server is still someone else. */
static bool known_actor(struct store_txn *txn, const char *id)
{
    struct store_remote_actor r = {0};
    bool known = store_remote_actor_get(txn, id, &r, NULL) == HR_OK;

    store_remote_actor_fini(&r);
    return known;
}

static int forbid(struct inbox_ctx *c, const char *msg)
{
    reject(c, 403, "origin", "%s", msg);
    return HR_EFORBIDDEN;
}

static int on_delete(struct inbox_ctx *c, struct store_txn *txn, struct hr_err *err)
{
    const json_t *o = json_object_get(c->act, "object");
    const char *obj = fed_json_id(o);
    int rc;

    if (obj == NULL || !fed_same_origin(obj, c->actor))
        return forbid(c, "Delete of an object on another origin");
    if (json_is_object(o) && !attributed_to(o, c->actor))
        return forbid(c, "Delete of an object attributed to another actor");
    if (strcmp(obj, c->actor) != 0 && known_actor(txn, obj))
        return forbid(c, "Delete of another actor");
    if (strcmp(obj, c->actor) != 0)
        return on_other(c, txn, err); /* a post of theirs: for later issues */
    rc = store_follower_del_everywhere(txn, c->actor, NULL, err);
    if (rc == HR_OK) {
        rc = store_remote_actor_del(txn, c->actor, NULL);
        if (rc == HR_ENOTFOUND)
            rc = HR_OK;
    }
    return rc;
}

/* Create/Update: the embedded object must be the actor's own: attributed to it, or the
 * actor itself (a profile update). An Update by reference can only mean the actor. */
static int on_create(struct inbox_ctx *c, struct store_txn *txn, struct hr_err *err)
{
    const json_t *obj = json_object_get(c->act, "object");
    const char *id = fed_json_id(obj);

    if (json_is_object(obj) && !attributed_to(obj, c->actor))
        return forbid(c, "object is attributed to another actor");
    if (json_is_object(obj) && is_actor_type(obj) && (id == NULL || strcmp(id, c->actor) != 0))
        return forbid(c, "an actor may only create or update itself");
    if (json_is_string(obj) && !fed_same_origin(id, c->actor))
        return forbid(c, "object is on another origin");
    if (json_is_string(obj) && strcmp(c->type, "Update") == 0 && strcmp(id, c->actor) != 0)
        return forbid(c, "Update by reference of another object");
    if (strcmp(c->type, "Create") == 0 && json_is_object(obj)) {
        /* a notice of an agency we follow: into the timelines of our followers of it */
        int rc = fed_timeline_add(txn, c->actor, c->req->body, c->proof, err);
        if (rc != HR_OK)
            return rc;
    }
    return on_other(c, txn, err);
}

/* Likes, shares, replies and votes on our posts (federation/reactions.c), before the
 * handler: a refused vote stores nothing, a counted one nothing more. */
static int react(struct inbox_ctx *c, struct store_txn *txn, bool *done, struct hr_err *err)
{
    struct fed_react_res rr = {0};
    int rc = fed_react_inbound(c->fed, txn, c->act, c->actor, c->signer.inbox, done, &rr, err);

    if (rc != HR_OK && rr.status != 0)
        reject(c, rr.status, rr.code, "%s", rr.message);
    return rc;
}

static int dispatch(struct inbox_ctx *c, struct store_txn *txn, struct hr_err *err)
{
    bool done = false;
    int rc = react(c, txn, &done, err);

    if (rc != HR_OK || done)
        return rc;
    /* a citizen's message to one of our accounts opens or updates a case (federation/desk.c),
     * in this transaction: the 202 means the case is on disk */
    if (strcmp(c->type, "Create") == 0 || strcmp(c->type, "Update") == 0 ||
        strcmp(c->type, "Delete") == 0) {
        rc = fed_desk_inbound(c->fed, txn, c->act, c->actor, err);
        if (rc != HR_OK)
            return rc;
    }
    for (size_t i = 0; i < sizeof handlers / sizeof handlers[0]; i++)
        if (strcmp(c->type, handlers[i].type) == 0)
            return handlers[i].fn(c, txn, err);
    return on_other(c, txn, err);
}

/* Quotas and the inbound reserve (federation/quota.c), before anything is written. */
static int admit(struct inbox_ctx *c, struct store_txn *txn)
{
    struct fed_quota_refusal q;

    if (fed_charge_of(c->actor, &c->from) != HR_OK)
        return reject(c, 400, "invalid_activity", "actor has no host");
    if (fed_quota_admit(c->fed, txn, &c->from, c->req->body_len, &q) == HR_OK)
        return HR_OK;
    c->res->retry_after_s = q.retry_after_s;
    return reject(c, q.status, q.code, "%s", q.message);
}

/* Undo and Delete take back what their actor gave us (a follow, a post, the actor itself).
 * Refused for a quota, they would keep a follower we must stop sending to, or words their
 * author withdrew, until pruning made room. Over a quota they are still carried out, but
 * store nothing: no seen id (both are idempotent), no signer cache, no inbound copy. */
static bool withdrawal_over_quota(struct inbox_ctx *c)
{
    if (strcmp(c->type, "Undo") != 0 && strcmp(c->type, "Delete") != 0)
        return false;
    hr_log(HR_LOG_INFO, "fed", "inbox over quota, %s carried out unrecorded id=%s reason=%s",
           c->type, c->id, c->res->error ? c->res->error : "-");
    c->res->status = 0;
    c->res->error = NULL;
    c->res->message[0] = '\0';
    c->res->retry_after_s = 0;
    c->unrecorded = true;
    return true;
}

/* Stores one verified activity inside a child of the batch transaction: dedupe by id,
 * cache the verified signer, run the handler. A failure undoes only this activity. */
static void commit_one(struct inbox_ctx *c, struct store_txn *batch)
{
    struct store_txn *txn = NULL;
    struct hr_err err = {0};
    int rc = store_txn_begin_child(batch, &txn, &err);

    /* over a quota nothing is written; a repeat is still answered 202 below */
    if (rc == HR_OK && !store_seen_has(txn, c->id) && admit(c, txn) != HR_OK &&
        !withdrawal_over_quota(c)) {
        store_txn_abort(txn);
        return;
    }
    if (rc == HR_OK && !c->unrecorded) {
        rc = store_seen_put_from(txn, c->id, c->digest, hr_now_ms(), &c->from.ch, NULL);
        if (rc == HR_EEXIST) { /* a repeat: already processed, nothing to do */
            store_txn_abort(txn);
            c->res->status = 202;
            return;
        }
    }
    if (rc == HR_OK && !c->unrecorded)
        rc = fed_remote_store(txn, &c->signer, &err);
    if (rc == HR_OK)
        rc = dispatch(c, txn, &err);
    if (rc == HR_OK) {
        rc = store_txn_commit(txn, &err);
        txn = NULL;
    }
    store_txn_abort(txn);
    if (rc == HR_OK) {
        c->res->status = 202;
        return;
    }
    if (c->res->status == 0) {
        reject(c, 500, "internal", "could not store the activity");
        hr_log(HR_LOG_ERR, "fed", "inbox store failed id=%s reason=%s", c->id, err.msg);
    }
}

/* Group commit: several verified activities share one durable commit, so ingest is not
 * bounded by one fsync per activity. Nobody gets a 202 before the commit returned. */
static void commit_batch(struct fed *fed, struct inbox_ctx **cs, size_t n)
{
    struct store_txn *txn = NULL;
    struct hr_err err = {0};
    int rc = store_txn_begin(fed->st, STORE_WRITE, &txn, &err);

    for (size_t i = 0; i < n && rc == HR_OK; i++)
        commit_one(cs[i], txn);
    if (rc == HR_OK) {
        rc = store_txn_commit(txn, &err);
        txn = NULL;
    }
    store_txn_abort(txn);
    if (rc == HR_OK)
        return;
    hr_log(HR_LOG_ERR, "fed", "inbox batch of %zu failed: %s", n, err.msg);
    for (size_t i = 0; i < n; i++) {
        cs[i]->res->error = NULL;
        reject(cs[i], 500, "internal", "could not store the activity");
    }
}

/* A Delete of an actor we hold nothing about: its key is usually gone (410), so it cannot
 * be verified, and there is nothing here to delete either. Answer 202 without a fetch, as
 * Mastodon does, so that servers announcing deletions to everyone do not retry for days. */
static bool unknown_self_delete(struct inbox_ctx *c)
{
    const char *obj = fed_json_id(json_object_get(c->act, "object"));
    struct store_remote_actor r = {0};
    struct store_txn *txn = NULL;
    bool known = true;

    if (strcmp(c->type, "Delete") != 0 || obj == NULL || strcmp(obj, c->actor) != 0)
        return false;
    if (store_txn_begin(c->fed->st, STORE_READ, &txn, NULL) == HR_OK)
        known = store_remote_actor_get(txn, c->actor, &r, NULL) == HR_OK;
    store_txn_abort(txn);
    store_remote_actor_fini(&r);
    return !known;
}

/* Every check that needs no write: the answer is known unless *needs_commit. */
static void verify(struct inbox_ctx *c, bool *needs_commit)
{
    int rc = check_signature_header(c);

    *needs_commit = false;
    if (rc == HR_OK)
        rc = check_digest_and_date(c);
    if (rc == HR_OK)
        rc = parse_activity(c);
    if (rc == HR_OK && unknown_self_delete(c)) {
        c->res->status = 202;
        return;
    }
    if (rc == HR_OK)
        rc = verify_signature(c);
    if (rc == HR_OK)
        rc = check_origin(c);
    if (rc == HR_OK)
        rc = check_bursts(c);
    if (rc == HR_OK) {
        keys_sha256_hex(c->req->body, c->req->body_len, c->digest);
        c->proof = fed_inbox_proofs(c->fed, c->act, c->actor);
        *needs_commit = true;
    }
}

/* Logs the outcome once and releases what the context holds. */
static void finish(struct inbox_ctx *c)
{
    if (c->res->status == 202 && c->id != NULL) {
        fed_wake(c->fed);
        hr_log(HR_LOG_INFO, "fed", "inbox accepted type=%s id=%s actor=%s", c->type, c->id,
               c->actor);
    } else if (c->res->status != 202) {
        hr_log(HR_LOG_WARN, "fed", "inbox rejected status=%d reason=%s client=%s key=%s: %s",
               c->res->status, c->res->error, c->req->client ? c->req->client : "-",
               c->key_id[0] ? c->key_id : "-", c->res->message);
    }
    fed_remote_fini(&c->signer);
    json_decref(c->act);
    c->act = NULL;
    free(c->proof);
    c->proof = NULL;
}

void fed_inbox_post(struct fed *fed, const struct fed_inbox_req *req, struct fed_inbox_res *res)
{
    struct inbox_ctx c = {.fed = fed, .req = req, .res = res};
    struct inbox_ctx *one = &c;
    bool needs_commit;

    memset(res, 0, sizeof *res);
    verify(&c, &needs_commit);
    if (needs_commit)
        commit_batch(fed, &one, 1);
    finish(&c);
}

/* ---- the inbox workers: verifiers (may wait on the network) and one committer ---- */

struct inbox_job {
    struct inbox_ctx c;
    void (*done)(void *ctx);
    void *done_ctx;
    struct hr_link link; /* in verify_q or commit_q */
    /* a signed GET (fed_get_submit): verified, then served or refused; never committed */
    struct fed_inbox_req get_req;
    struct fed_inbox_res get_res;
    char *get_target;
    const char *path, *page;
    fed_serve_fn *serve;
    struct fed_doc *doc;
    int64_t *retry_after_s;
};

struct fed_inbox_pool {
    pthread_mutex_t mu;
    pthread_cond_t verify_cv, commit_cv;
    struct hr_fifo verify_q, commit_q;
    bool stop;    /* no more submits: each is refused (503) */
    bool joined;  /* the threads are gone; the pool lives on until fed_free */
    pthread_t *verifiers, committer;
    size_t n_verifiers;
    size_t verifying; /* verifier threads still running: the committer outlives them all */
};

static void q_push(struct hr_fifo *q, struct inbox_job *j)
{
    hr_fifo_push(q, &j->link);
}

static struct inbox_job *q_pop(struct hr_fifo *q)
{
    struct hr_link *l = hr_fifo_pop(q);

    return l != NULL ? HR_CONTAINER(l, struct inbox_job, link) : NULL;
}

static void job_done(struct inbox_job *j)
{
    finish(&j->c);
    j->done(j->done_ctx); /* after this the request's memory may be gone */
    free(j);
}

/* A signed GET (authorized fetch, federation/visibility.c): the inbox's checks of the
 * signature, its coverage (host on GET), Host, time window, domain policy, per-host rate
 * and the guarded key fetch; no body, so no digest and no activity. */
static int verify_get(struct inbox_ctx *c)
{
    const char *code = "date_out_of_window";
    struct hr_err err = {0};
    int64_t now = hr_now_ms(), window = c->fed->cfg.signature_window_s;
    int rc = check_signature_header(c);

    if (rc == HR_OK && c->rfc9421 && fed_sig9_check_time(&c->sig9, now, window, &code, &err) != HR_OK)
        rc = reject(c, 401, code, "%s", err.msg);
    else if (rc == HR_OK && !c->rfc9421 &&
             fed_sig_check_time(&c->sig, hdr(c, "date"), now, window, &err) != HR_OK)
        rc = reject(c, 401, "date_out_of_window", "%s", err.msg);
    return rc == HR_OK ? verify_signature(c) : rc;
}

/* An authorized signer's key is kept as the inbox keeps its signers' (a follower's
 * server fetching with its instance actor needs no key fetch the next time). Only signers
 * in the audience: a stranger's signed GET stores nothing. */
static void keep_signer(struct inbox_ctx *c)
{
    struct store_txn *txn = NULL;

    if (c->signer.from_cache || store_txn_begin(c->fed->st, STORE_WRITE, &txn, NULL) != HR_OK)
        return;
    if (fed_remote_store(txn, &c->signer, NULL) == HR_OK) {
        store_txn_commit(txn, NULL);
        txn = NULL;
    }
    store_txn_abort(txn);
}

/* Serves J's path to its verified signer, or answers as for an unknown id: whether a
 * non-public post exists is nobody else's business. Only the limits on the requester's
 * host and on key fetches keep their 429/503, so that a legitimate server retries. */
static void serve_get(struct inbox_job *j)
{
    struct inbox_ctx *c = &j->c;
    int rc = verify_get(c);

    if (rc == HR_OK && fed_object_visible_to(c->fed, j->path, c->signer.actor)) {
        keep_signer(c);
        j->serve(c->fed, j->path, j->page, j->doc);
        hr_log(HR_LOG_INFO, "fed", "authorized fetch path=%s actor=%s status=%d", j->path,
               c->signer.actor, j->doc->status);
        return;
    }
    if (c->res->status == 429 || c->res->status == 503) {
        *j->retry_after_s = c->res->retry_after_s;
        fed_doc_error(j->doc, c->res->status, c->res->error, "%s", c->res->message);
    } else {
        fed_doc_error(j->doc, 404, "not_found", "no such object");
    }
    hr_log(HR_LOG_INFO, "fed", "authorized fetch refused path=%s key=%s reason=%s", j->path,
           c->key_id[0] ? c->key_id : "-", rc == HR_OK ? "not_in_audience" : c->res->error);
}

static void get_done(struct inbox_job *j)
{
    fed_remote_fini(&j->c.signer);
    free(j->get_target);
    j->done(j->done_ctx); /* after this the request's memory may be gone */
    free(j);
}

static void *verifier_main(void *arg)
{
    struct fed_inbox_pool *p = arg;
    struct inbox_job *j;
    bool needs_commit;

    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (!p->stop && p->verify_q.head == NULL)
            pthread_cond_wait(&p->verify_cv, &p->mu);
        j = q_pop(&p->verify_q);
        if (j == NULL) { /* stopping and drained: the committer may finish once all are out */
            p->verifying--;
            pthread_cond_broadcast(&p->commit_cv);
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
        pthread_mutex_unlock(&p->mu);
        fed_inbox_queued(j->c.fed, -1);
        if (j->doc != NULL) {
            serve_get(j);
            get_done(j);
            continue;
        }
        verify(&j->c, &needs_commit);
        if (!needs_commit) {
            job_done(j);
            continue;
        }
        pthread_mutex_lock(&p->mu);
        q_push(&p->commit_q, j);
        pthread_cond_signal(&p->commit_cv);
        pthread_mutex_unlock(&p->mu);
    }
}

#define FED_COMMIT_BATCH 256

static void *committer_main(void *arg)
{
    struct fed_inbox_pool *p = arg;
    struct inbox_job *jobs[FED_COMMIT_BATCH];
    struct inbox_ctx *cs[FED_COMMIT_BATCH];
    struct fed *fed = NULL;
    size_t n;

    for (;;) {
        pthread_mutex_lock(&p->mu);
        /* a verifier that holds the last job may still hand it over: wait for all of them
         * to finish, or that request would stay suspended for ever */
        while (p->commit_q.head == NULL && !(p->stop && p->verifying == 0))
            pthread_cond_wait(&p->commit_cv, &p->mu);
        for (n = 0; n < FED_COMMIT_BATCH && p->commit_q.head != NULL; n++)
            jobs[n] = q_pop(&p->commit_q);
        pthread_mutex_unlock(&p->mu);
        if (n == 0)
            return NULL;
        for (size_t i = 0; i < n; i++)
            cs[i] = &jobs[i]->c;
        fed = cs[0]->fed;
        commit_batch(fed, cs, n);
        for (size_t i = 0; i < n; i++)
            job_done(jobs[i]);
    }
}

/* Queues J for a verifier; frees it when refused (HR_EGONE: stopping). */
static int pool_submit(struct fed *fed, struct inbox_job *j, struct hr_err *err)
{
    struct fed_inbox_pool *p = fed->inbox;

    pthread_mutex_lock(&p->mu);
    if (p->stop) { /* decided under the lock: a job queued before stop is always answered */
        pthread_mutex_unlock(&p->mu);
        free(j->get_target);
        free(j);
        return hr_fail(err, HR_EGONE, "server is stopping");
    }
    q_push(&p->verify_q, j);
    fed_inbox_queued(fed, 1); /* bounded by inbox_queue_max: fed_inbox_full */
    pthread_cond_signal(&p->verify_cv);
    pthread_mutex_unlock(&p->mu);
    return HR_OK;
}

int fed_inbox_submit(struct fed *fed, const struct fed_inbox_req *req, struct fed_inbox_res *res,
                     void (*done)(void *ctx), void *ctx, struct hr_err *err)
{
    struct inbox_job *j;

    if (fed->inbox == NULL)
        return hr_fail(err, HR_EGONE, "inbox workers are not running");
    j = calloc(1, sizeof *j);
    if (j == NULL)
        return hr_fail(err, HR_ENOMEM, "inbox job");
    memset(res, 0, sizeof *res);
    j->c = (struct inbox_ctx){.fed = fed, .req = req, .res = res};
    j->done = done;
    j->done_ctx = ctx;
    return pool_submit(fed, j, err);
}

/* The request target as the signer signed it: PATH, and "?page=" with PAGE escaped the
 * way our own collection links escape it (a peer follows those links as given). */
static char *get_target(const char *path, const char *page)
{
    char *esc = page ? fed_url_escape(page) : NULL;
    struct hr_buf b;

    hr_buf_init(&b, 8192);
    hr_buf_adds(&b, path);
    if (esc != NULL)
        hr_buf_addf(&b, "?page=%s", esc);
    free(esc);
    if (b.err != HR_OK || (page != NULL && esc == NULL)) {
        hr_buf_fini(&b);
        return NULL;
    }
    return hr_buf_take(&b);
}

int fed_get_submit(struct fed *fed, const struct fed_inbox_req *req, const char *path,
                   const char *page, fed_serve_fn *serve, struct fed_doc *doc,
                   int64_t *retry_after_s, void (*done)(void *ctx), void *ctx,
                   struct hr_err *err)
{
    struct inbox_job *j;

    if (fed->inbox == NULL)
        return hr_fail(err, HR_EGONE, "inbox workers are not running");
    j = calloc(1, sizeof *j);
    if (j == NULL || (j->get_target = get_target(path, page)) == NULL) {
        free(j);
        return hr_fail(err, HR_ENOMEM, "signed GET");
    }
    j->get_req = *req;
    j->get_req.method = req->method ? req->method : "GET"; /* HEAD is signed as head */
    j->get_req.target = j->get_target;
    j->c = (struct inbox_ctx){.fed = fed, .req = &j->get_req, .res = &j->get_res};
    j->done = done;
    j->done_ctx = ctx;
    j->path = path;
    j->page = page;
    j->serve = serve;
    j->doc = doc;
    j->retry_after_s = retry_after_s;
    return pool_submit(fed, j, err);
}

static void pool_free(struct fed_inbox_pool *p)
{
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->verify_cv);
    pthread_cond_destroy(&p->commit_cv);
    free(p->verifiers);
    free(p);
}

int fed_inbox_start(struct fed *fed, size_t threads, struct hr_err *err)
{
    struct fed_inbox_pool *p = calloc(1, sizeof *p);

    if (p == NULL || (p->verifiers = calloc(threads, sizeof *p->verifiers)) == NULL) {
        free(p);
        return hr_fail(err, HR_ENOMEM, "inbox workers");
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->verify_cv, NULL);
    pthread_cond_init(&p->commit_cv, NULL);
    if (pthread_create(&p->committer, NULL, committer_main, p) != 0) {
        pool_free(p);
        return hr_fail(err, HR_EINTERNAL, "cannot start the inbox committer");
    }
    pthread_mutex_lock(&p->mu);
    for (; p->n_verifiers < threads; p->n_verifiers++, p->verifying++)
        if (pthread_create(&p->verifiers[p->n_verifiers], NULL, verifier_main, p) != 0)
            break;
    pthread_mutex_unlock(&p->mu);
    fed->inbox = p;
    if (p->n_verifiers == 0) {
        fed_inbox_stop(fed);
        return hr_fail(err, HR_EINTERNAL, "cannot start the inbox workers");
    }
    return fed_prune_start(fed, err); /* retention (federation/quota.c); stopped below */
}

/* Refuses new submits, lets queued requests finish (each gets its answer), then joins the
 * threads. The pool itself stays until fed_inbox_free: an HTTP thread may still be calling
 * fed_inbox_submit, which must find it (and be refused), not freed memory. */
void fed_inbox_stop(struct fed *fed)
{
    struct fed_inbox_pool *p = fed->inbox;

    if (p == NULL || p->joined)
        return;
    fed_prune_stop(fed);
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->verify_cv);
    pthread_mutex_unlock(&p->mu);
    for (size_t i = 0; i < p->n_verifiers; i++)
        pthread_join(p->verifiers[i], NULL);
    pthread_mutex_lock(&p->mu);
    pthread_cond_broadcast(&p->commit_cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->committer, NULL);
    p->joined = true;
}

void fed_inbox_free(struct fed *fed)
{
    fed_inbox_stop(fed);
    if (fed->inbox != NULL)
        pool_free(fed->inbox);
    fed->inbox = NULL;
}
