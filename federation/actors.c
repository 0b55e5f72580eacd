/* federation/actors.c - who signed this? Resolves a keyId to its owner actor and public
 * key, with the checks that stop origin confusion (FEP-fe34; Mastodon CVE-2024-23832,
 * Misskey CVE-2024-52590, Akkoma's "exact id" fix):
 * - a fetched document must be ActivityStreams JSON, its id must equal the URL asked, and
 *   redirects must stay on that URL's origin;
 * - the key must name the actor as owner, and the actor must list the key back;
 * - the actor's inbox must be on the actor's own origin;
 * - a keyId on our own host is answered from our store, never fetched. */
#include "federation/fed_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FED_PEM_MAX 16384

void fed_remote_fini(struct fed_remote *r)
{
    if (r == NULL)
        return;
    free(r->actor);
    free(r->key_id);
    free(r->key_pem);
    free(r->inbox);
    free(r->shared_inbox);
    free(r->name);
    free(r->username);
    keys_key_free(r->key);
    memset(r, 0, sizeof *r);
}

static bool is_ap_type(const char *ct)
{
    size_t n;

    if (ct == NULL)
        return false;
    n = strcspn(ct, ";");
    while (n > 0 && ct[n - 1] == ' ')
        n--;
    if (n == 25 && strncasecmp(ct, "application/activity+json", 25) == 0)
        return true;
    /* ld+json only with the ActivityStreams profile (as Mastodon checks) */
    return n == 19 && strncasecmp(ct, "application/ld+json", 19) == 0 &&
           strstr(ct, "https://www.w3.org/ns/activitystreams") != NULL;
}

/* GET URL and parse it, demanding an AS content type and id == URL; TIMEOUT_MS for all
 * of it (<= 0: already spent). */
int fed_fetch_doc(struct fed *fed, const char *url, long timeout_ms, json_t **out,
                  struct hr_err *err)
{
    struct fed_http_opts o;
    struct fed_http_response r = {0};
    struct fed_signer signer;
    struct fed_json_limits lim;
    char signer_key_id[600];
    bool have_signer;
    const char *id;
    json_t *j = NULL;
    int rc;

    if (!fed_domain_permitted(fed, url))
        return hr_fail(err, HR_EFORBIDDEN, "%s is on a blocked (or not allowed) domain", url);
    if (timeout_ms <= 0)
        return hr_fail(err, HR_ENET, "%s: fetch_failed (time budget spent)", url);
    fed_http_opts(fed, &o);
    o.timeout_ms = timeout_ms;
    /* a redirect off the id's origin could only fail the origin check below: refused
     * before it connects, and the signature never travels there */
    o.same_origin_only = true;
    /* authorized-fetch peers answer only signed GETs */
    have_signer = fed_default_signer(fed, &signer, signer_key_id, sizeof signer_key_id) == HR_OK;
    rc = fed_http_get(&o, url, FED_ACCEPT_AP, have_signer ? &signer : NULL, &r, err);
    if (rc != HR_OK)
        goto out;
    if (r.status != 200) {
        rc = hr_fail(err, r.status == 410 ? HR_EGONE : HR_ENET, "%s answered HTTP %ld", url,
                     r.status);
        goto out;
    }
    /* FEP-fe34: a document is authentic when fetched from its id's origin; a redirect to
     * another host would let that host answer for this one (the id check below cannot
     * tell: the other host simply echoes the id it was asked for) */
    if (!fed_same_origin(r.final_url, url)) {
        rc = hr_fail(err, HR_EFORBIDDEN, "%s redirected to another origin", url);
        goto out;
    }
    if (!is_ap_type(r.content_type)) {
        rc = hr_fail(err, HR_EFORBIDDEN, "%s is not served as ActivityStreams JSON", url);
        goto out;
    }
    fed_json_limits_of(fed, &lim);
    rc = fed_json_parse(r.body, r.body_len, &lim, &j, err);
    if (rc != HR_OK)
        goto out;
    id = json_string_value(json_object_get(j, "id"));
    if (!json_is_object(j) || id == NULL || strcmp(id, url) != 0) {
        rc = hr_fail(err, HR_EFORBIDDEN, "document at %s has a different id", url);
        goto out;
    }
    *out = j;
    j = NULL;
out:
    json_decref(j);
    fed_http_response_fini(&r);
    return rc;
}

/* The publicKey entry of ACTOR whose id is KEY_ID (object or array of objects). */
static const json_t *find_key(const json_t *actor, const char *key_id)
{
    const json_t *pk = json_object_get(actor, "publicKey"), *k;
    size_t i;

    if (json_is_object(pk))
        return strcmp(fed_json_id(pk) ? fed_json_id(pk) : "", key_id) == 0 ? pk : NULL;
    json_array_foreach(pk, i, k)
    {
        const char *id = fed_json_id(k);
        if (json_is_object(k) && id != NULL && strcmp(id, key_id) == 0)
            return k;
    }
    return NULL;
}

static char *dup_str(const json_t *v)
{
    const char *s = json_string_value(v);
    return strdup(s ? s : "");
}

/* Issue #11: a name or preferredUsername a page may show (escaped) next to the actor's
 * replies; a longer one is not shown at all rather than cut. */
#define FED_ACTOR_NAME_MAX 200

static char *bounded(const json_t *v, size_t max)
{
    const char *s = json_string_value(v);

    return s != NULL && s[0] != '\0' && strlen(s) <= max && hr_utf8_valid(s, strlen(s))
               ? strdup(s)
               : NULL;
}

/* Fills OUT from a verified-shape actor document. */
static int from_actor(struct fed *fed, const json_t *actor, const char *key_id,
                      struct fed_remote *out, struct hr_err *err)
{
    const json_t *key = find_key(actor, key_id);
    const char *id = fed_json_id(actor), *owner, *pem, *inbox, *shared;
    int rc;

    if (key == NULL)
        return hr_fail(err, HR_ESIG, "actor %s does not list key %s", id, key_id);
    owner = json_string_value(json_object_get(key, "owner"));
    pem = json_string_value(json_object_get(key, "publicKeyPem"));
    inbox = json_string_value(json_object_get(actor, "inbox"));
    shared = json_string_value(json_object_get(json_object_get(actor, "endpoints"), "sharedInbox"));
    if (owner == NULL || strcmp(owner, id) != 0)
        return hr_fail(err, HR_ESIG, "key %s is not owned by %s", key_id, id);
    if (pem == NULL || strlen(pem) > FED_PEM_MAX)
        return hr_fail(err, HR_ESIG, "key %s has no usable publicKeyPem", key_id);
    if (inbox == NULL || !fed_same_origin(inbox, id) ||
        (shared != NULL && !fed_same_origin(shared, id)))
        return hr_fail(err, HR_EFORBIDDEN, "actor %s has an inbox on another origin", id);
    if (fed_is_local(fed, id))
        return hr_fail(err, HR_EFORBIDDEN, "remote document claims our own host");
    rc = keys_public_load(pem, strlen(pem), &out->key, err);
    if (rc != HR_OK)
        return hr_fail(err, HR_ESIG, "key %s: %s", key_id, err ? err->msg : "unusable");
    out->actor = strdup(id);
    out->key_id = strdup(key_id);
    out->key_pem = strdup(pem);
    out->inbox = strdup(inbox);
    out->shared_inbox = dup_str(json_object_get(json_object_get(actor, "endpoints"), "sharedInbox"));
    if (!out->actor || !out->key_id || !out->key_pem || !out->inbox || !out->shared_inbox)
        return hr_fail(err, HR_ENOMEM, "remote actor");
    out->name = bounded(json_object_get(actor, "name"), FED_ACTOR_NAME_MAX);
    out->username = bounded(json_object_get(actor, "preferredUsername"), FED_ACTOR_NAME_MAX);
    return HR_OK;
}

/* keyId without its fragment: the document that holds the key. */
static int key_doc_url(const char *key_id, char *out, size_t cap, struct hr_err *err)
{
    size_t n = strcspn(key_id, "#");

    if (n >= cap || fed_url_check(key_id, NULL) != HR_OK)
        return hr_fail(err, HR_EINVAL, "keyId is not an http(s) URL");
    memcpy(out, key_id, n);
    out[n] = '\0';
    return HR_OK;
}

static long ms_left(int64_t deadline)
{
    return (long)(deadline - hr_mono_ms());
}

/* The key document and, for a standalone key, its owner: within one key_fetch_timeout. */
static int fetch_remote(struct fed *fed, const char *key_id, struct fed_remote *out,
                        struct hr_err *err)
{
    int64_t deadline = hr_mono_ms() + fed_keyfetch_timeout_ms(fed);
    char url[2100];
    json_t *doc = NULL, *actor = NULL;
    const char *owner;
    int rc = key_doc_url(key_id, url, sizeof url, err);

    if (rc == HR_OK)
        rc = fed_fetch_doc(fed, url, ms_left(deadline), &doc, err);
    if (rc != HR_OK)
        goto out;
    owner = json_string_value(json_object_get(doc, "owner"));
    if (owner != NULL && find_key(doc, key_id) == NULL) {
        /* a standalone key document (GoToSocial style): its owner must list it back */
        if (!fed_same_origin(owner, key_id)) {
            rc = hr_fail(err, HR_EFORBIDDEN, "key %s names an owner on another origin", key_id);
            goto out;
        }
        rc = fed_fetch_doc(fed, owner, ms_left(deadline), &actor, err);
        if (rc == HR_OK)
            rc = from_actor(fed, actor, key_id, out, err);
    } else {
        rc = from_actor(fed, doc, key_id, out, err);
    }
out:
    if (rc != HR_OK)
        fed_remote_fini(out);
    json_decref(doc);
    json_decref(actor);
    return rc;
}

/* ---- parsed remote keys, by keyId (direct-mapped: a collision replaces) ---- */

static struct fed_pk_entry *pk_slot(struct fed *fed, const char *key_id)
{
    return &fed->pk[hr_fnv1a_str(key_id) % FED_PKCACHE];
}

static void pk_entry_fini(struct fed_pk_entry *e)
{
    free(e->key_id);
    free(e->pem);
    keys_key_free(e->key);
    memset(e, 0, sizeof *e);
}

void fed_pk_cache_free(struct fed *fed)
{
    for (size_t i = 0; i < FED_PKCACHE; i++)
        pk_entry_fini(&fed->pk[i]);
}

/* The key of KEY_ID parsed from PEM: shared from the cache when it holds that very PEM,
 * else parsed (and kept). */
static int pk_load(struct fed *fed, const char *key_id, const char *pem, struct keys_key **out,
                   struct hr_err *err)
{
    struct fed_pk_entry *e = pk_slot(fed, key_id), fresh = {0};
    int rc = HR_ENOTFOUND;

    pthread_mutex_lock(&fed->pk_mu);
    if (e->key != NULL && strcmp(e->key_id, key_id) == 0 && strcmp(e->pem, pem) == 0)
        rc = keys_key_share(e->key, out, err);
    pthread_mutex_unlock(&fed->pk_mu);
    if (rc != HR_ENOTFOUND)
        return rc;
    rc = keys_public_load(pem, strlen(pem), out, err);
    if (rc != HR_OK)
        return rc;
    fresh.key_id = strdup(key_id);
    fresh.pem = strdup(pem);
    if (fresh.key_id == NULL || fresh.pem == NULL ||
        keys_key_share(*out, &fresh.key, NULL) != HR_OK) {
        pk_entry_fini(&fresh); /* not kept: the caller's key is fine */
        return HR_OK;
    }
    pthread_mutex_lock(&fed->pk_mu);
    pk_entry_fini(e);
    *e = fresh;
    pthread_mutex_unlock(&fed->pk_mu);
    return HR_OK;
}

static int from_cache(struct fed *fed, const char *key_id, struct fed_remote *out,
                      struct hr_err *err)
{
    struct store_remote_actor r = {0};
    struct store_txn *txn = NULL;
    int rc = store_txn_begin(fed->st, STORE_READ, &txn, err);

    if (rc == HR_OK)
        rc = store_remote_actor_by_key(txn, key_id, &r, NULL);
    store_txn_abort(txn);
    if (rc != HR_OK)
        return HR_ENOTFOUND;
    rc = pk_load(fed, key_id, r.key_pem, &out->key, err);
    if (rc == HR_OK) {
        out->actor = r.id;
        out->key_id = r.key_id;
        out->key_pem = r.key_pem;
        out->inbox = r.inbox;
        out->shared_inbox = r.shared_inbox;
        out->name = r.name;
        out->username = r.username;
        out->from_cache = true;
        memset(&r, 0, sizeof r);
    }
    store_remote_actor_fini(&r);
    return rc;
}

/* A fetch within the key-fetch limits (limits.c): refused at once when they are reached
 * or when this keyId failed a moment ago, remembered when it fails. */
static int fetch_gated(struct fed *fed, const char *key_id, struct fed_remote *out,
                       struct hr_err *err)
{
    struct fed_keyfetch kf;
    int rc = fed_keyfetch_begin(fed, key_id, &kf, err);

    if (rc != HR_OK)
        return rc;
    rc = fetch_remote(fed, key_id, out, err);
    fed_keyfetch_end(fed, key_id, &kf, rc);
    return rc;
}

/* One of our own accounts' keys, straight from the store. */
static int from_local(struct fed *fed, const char *key_id, struct fed_remote *out,
                      struct hr_err *err)
{
    (void)fed;
    (void)key_id;
    (void)out;
    /* our actors never post to our own inbox over the network: whoever presents our
     * key id is either us looping or someone claiming to be us */
    return hr_fail(err, HR_EFORBIDDEN, "keyId on our own host is not accepted from the network");
}

int fed_remote_resolve(struct fed *fed, const char *key_id, bool refresh, struct fed_remote *out,
                       struct hr_err *err)
{
    memset(out, 0, sizeof *out);
    if (fed_url_check(key_id, NULL) != HR_OK)
        return hr_fail(err, HR_EINVAL, "keyId is not an http(s) URL");
    if (fed_is_local(fed, key_id))
        return from_local(fed, key_id, out, err);
    if (!refresh && from_cache(fed, key_id, out, err) == HR_OK)
        return HR_OK;
    fed_remote_fini(out);
    return fetch_gated(fed, key_id, out, err);
}

int fed_remote_store(struct store_txn *txn, const struct fed_remote *r, struct hr_err *err)
{
    struct store_remote_actor s = {
        .id = r->actor,
        .key_id = r->key_id,
        .key_pem = r->key_pem,
        .inbox = r->inbox,
        .shared_inbox = r->shared_inbox,
        .fetched_ms = hr_now_ms(),
        .name = r->name,
        .username = r->username,
    };

    return store_remote_actor_put(txn, &s, err);
}

/* One refetch per keyId per key_refetch_interval_s, keyed by the exact keyId (a hashed slot
 * shared by two keys let one keyId block another's refetch). */
bool fed_refetch_allowed(struct fed *fed, const char *key_id)
{
    if (fed->refetch == NULL)
        return true; /* interval 0: no throttle */
    return hr_rate_hit(fed->refetch, key_id, 1, hr_mono_ms(), NULL);
}

/* The actor document at URL, checked like a key owner (id == URL, key listed back, inbox on
 * its origin); used to follow another agency. */
int fed_remote_fetch_actor(struct fed *fed, const char *url, struct fed_remote *out,
                           struct hr_err *err)
{
    const json_t *pk;
    const char *key_id;
    json_t *doc = NULL;
    int rc;

    memset(out, 0, sizeof *out);
    if (strlen(url) > FED_ID_MAX || fed_url_check(url, NULL) != HR_OK)
        return hr_fail(err, HR_EINVAL, "not an http(s) actor URL");
    if (fed_is_local(fed, url))
        return hr_fail(err, HR_EINVAL, "%.200s is one of our own accounts", url);
    rc = fed_fetch_doc(fed, url, fed->cfg.fetch_timeout_ms, &doc, err);
    pk = json_object_get(doc, "publicKey");
    if (json_is_array(pk))
        pk = json_array_get(pk, 0);
    key_id = fed_json_id(pk);
    if (rc == HR_OK && key_id == NULL)
        rc = hr_fail(err, HR_EINVAL, "%.200s has no public key: not an actor", url);
    if (rc == HR_OK)
        rc = from_actor(fed, doc, key_id, out, err);
    if (rc != HR_OK)
        fed_remote_fini(out);
    json_decref(doc);
    return rc;
}
