/* federation/proof.c - FEP-8b32 Object Integrity Proofs on our documents and on what
 * remote servers send. The cryptography (JCS, eddsa-jcs-2022) is in keys/; this file
 * decides which key a proof may use: a verification method listed in the owner's
 * assertionMethod (FEP-521a Multikey), controlled by the owner, on the owner's origin, and
 * not expired before the proof was made (a superseded key still proves older posts). */
#include "federation/fed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MK_TTL_MS (3600 * 1000) /* a remote verification method is re-read after an hour */

/* ---- signing our documents ---- */

/* The data-integrity context defines proof's terms; without it a JSON-LD processor drops
 * the proof. Appended to DOC's @context unless present. */
static int context_add(json_t *doc)
{
    json_t *ctx = json_object_get(doc, "@context"), *arr;
    size_t i;
    json_t *v;

    json_array_foreach(ctx, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), FED_DI_CONTEXT) == 0)
            return HR_OK;
    }
    if (json_is_array(ctx))
        return json_array_append_new(ctx, json_string(FED_DI_CONTEXT)) == 0 ? HR_OK : HR_ENOMEM;
    arr = ctx ? json_pack("[O,s]", ctx, FED_DI_CONTEXT) : json_pack("[s]", FED_DI_CONTEXT);
    return arr && json_object_set_new(doc, "@context", arr) == 0 ? HR_OK : HR_ENOMEM;
}

int fed_proof_sign(struct fed *fed, struct store_txn *txn, const char *name, json_t *doc,
                   struct hr_err *err)
{
    struct store_account a = {0};
    struct store_txn *own = NULL;
    struct keys_key *priv = NULL;
    char actor[512], vm[700], created[32], frag[128] = FED_ED_KEY_FRAGMENT;
    int rc = txn ? HR_OK : store_txn_begin(fed->st, STORE_READ, &own, err);

    if (rc == HR_OK)
        rc = store_account_get_private(txn ? txn : own, name, &a, err);
    store_txn_abort(own);
    if (rc == HR_OK)
        rc = keys_private_load(a.ed_priv_pem, &priv, err);
    if (rc == HR_OK) /* the current key's id: a rotation gives each key its own */
        fed_ed_key_fragment(a.profile, frag, sizeof frag);
    store_account_fini(&a);
    if (rc == HR_OK && context_add(doc) != HR_OK)
        rc = hr_fail(err, HR_ENOMEM, "proof context");
    fed_actor_url(fed, name, actor, sizeof actor);
    snprintf(vm, sizeof vm, "%s%s", actor, frag);
    hr_iso8601(hr_now_ms(), created);
    if (rc == HR_OK)
        rc = keys_proof_add(doc, priv, vm, created, err);
    keys_key_free(priv);
    return rc;
}

/* ---- which key a proof may use ---- */

static void mk_fini(struct fed_mk_entry *e)
{
    free(e->vm);
    free(e->controller);
    free(e->multibase);
    memset(e, 0, sizeof *e);
}

void fed_mk_cache_free(struct fed *fed)
{
    for (size_t i = 0; i < FED_MKCACHE; i++)
        mk_fini(&fed->mk[i]);
}

static int mk_copy(const struct fed_mk_entry *from, struct fed_mk_entry *to)
{
    *to = (struct fed_mk_entry){.vm = strdup(from->vm), .controller = strdup(from->controller),
                                .multibase = strdup(from->multibase),
                                .superseded_ms = from->superseded_ms,
                                .fetched_ms = from->fetched_ms};
    if (to->vm == NULL || to->controller == NULL || to->multibase == NULL) {
        mk_fini(to);
        return HR_ENOMEM;
    }
    return HR_OK;
}

static bool mk_cached(struct fed *fed, const char *vm, struct fed_mk_entry *out)
{
    bool found = false;

    pthread_mutex_lock(&fed->mk_mu);
    for (size_t i = 0; i < FED_MKCACHE && !found; i++) {
        const struct fed_mk_entry *e = &fed->mk[i];
        if (e->vm != NULL && strcmp(e->vm, vm) == 0 && hr_now_ms() - e->fetched_ms < MK_TTL_MS)
            found = mk_copy(e, out) == HR_OK;
    }
    pthread_mutex_unlock(&fed->mk_mu);
    return found;
}

static void mk_keep(struct fed *fed, const struct fed_mk_entry *e)
{
    struct fed_mk_entry copy, *slot = NULL;

    if (mk_copy(e, &copy) != HR_OK)
        return;
    pthread_mutex_lock(&fed->mk_mu);
    for (size_t i = 0; i < FED_MKCACHE && slot == NULL; i++)
        if (fed->mk[i].vm != NULL && strcmp(fed->mk[i].vm, e->vm) == 0)
            slot = &fed->mk[i];
    if (slot == NULL) {
        slot = &fed->mk[fed->mk_next];
        fed->mk_next = (fed->mk_next + 1) % FED_MKCACHE;
    }
    mk_fini(slot);
    *slot = copy;
    pthread_mutex_unlock(&fed->mk_mu);
}

/* The Multikey entry of ACTOR's assertionMethod (object or array) whose id is VM. */
static const json_t *find_method(const json_t *actor, const char *vm)
{
    const json_t *am = json_object_get(actor, "assertionMethod"), *k;
    size_t i;

    if (json_is_object(am))
        return strcmp(fed_json_id(am) ? fed_json_id(am) : "", vm) == 0 ? am : NULL;
    json_array_foreach(am, i, k)
    {
        const char *id = fed_json_id(k);
        if (json_is_object(k) && id != NULL && strcmp(id, vm) == 0)
            return k;
    }
    return NULL;
}

/* OUT from the entry VM of the actor document ACTOR (whose id is its URL). */
static int method_of(const json_t *actor, const char *vm, struct fed_mk_entry *out,
                     struct hr_err *err)
{
    const json_t *k = find_method(actor, vm);
    const char *type = json_string_value(json_object_get(k, "type"));
    const char *ctl = json_string_value(json_object_get(k, "controller"));
    const char *mb = json_string_value(json_object_get(k, "publicKeyMultibase"));
    const char *expires = json_string_value(json_object_get(k, "expires"));
    struct fed_mk_entry e = {.vm = (char *)(uintptr_t)vm, .fetched_ms = hr_now_ms()};

    if (k == NULL)
        return hr_fail(err, HR_ESIG, "the actor does not list this key in assertionMethod");
    if (type == NULL || strcmp(type, "Multikey") != 0 || mb == NULL)
        return hr_fail(err, HR_ESIG, "the key is not a Multikey");
    if (ctl == NULL || strcmp(ctl, fed_json_id(actor)) != 0)
        return hr_fail(err, HR_ESIG, "the key's controller is not the actor listing it");
    if (expires != NULL && hr_xsd_datetime_parse(expires, &e.superseded_ms) != HR_OK)
        return hr_fail(err, HR_ESIG, "the key's expiry is not a date");
    e.controller = (char *)(uintptr_t)ctl;
    e.multibase = (char *)(uintptr_t)mb;
    return mk_copy(&e, out) == HR_OK ? HR_OK : hr_fail(err, HR_ENOMEM, "proof key");
}

/* VM without its fragment into OUT: the document that lists it. */
static int method_doc(const char *vm, char *out, size_t cap)
{
    const char *hash = strchr(vm, '#');
    size_t n = hash ? (size_t)(hash - vm) : strlen(vm);

    if (n == 0 || n >= cap)
        return HR_EINVAL;
    memcpy(out, vm, n);
    out[n] = '\0';
    return HR_OK;
}

/* One of our accounts: its actor document as we serve it, built from the store. */
static int local_method(struct fed *fed, const char *doc_url, const char *vm,
                        struct fed_mk_entry *out, struct hr_err *err)
{
    char prefix[600];
    struct store_account a = {0};
    struct store_txn *txn = NULL;
    json_t *actor = NULL;
    size_t n = (size_t)snprintf(prefix, sizeof prefix, "%s/users/", fed->base_url);
    int rc;

    if (strncmp(doc_url, prefix, n) != 0 || !hr_name_valid(doc_url + n))
        return hr_fail(err, HR_ESIG, "the key is not one of our accounts' keys");
    rc = store_txn_begin(fed->st, STORE_READ, &txn, err);
    if (rc == HR_OK)
        rc = store_account_get(txn, doc_url + n, &a, err);
    store_txn_abort(txn);
    if (rc == HR_OK && (actor = fed_actor_json(fed, &a)) == NULL)
        rc = hr_fail(err, HR_ENOMEM, "actor document");
    if (rc == HR_OK)
        rc = method_of(actor, vm, out, err);
    json_decref(actor);
    store_account_fini(&a);
    return rc;
}

static int remote_method(struct fed *fed, const char *doc_url, const char *vm, bool refresh,
                         struct fed_mk_entry *out, struct hr_err *err)
{
    struct fed_keyfetch kf;
    json_t *actor = NULL;
    int rc;

    if (!refresh && mk_cached(fed, vm, out))
        return HR_OK;
    rc = fed_keyfetch_begin(fed, vm, &kf, err);
    if (rc != HR_OK)
        return rc;
    rc = fed_fetch_doc(fed, doc_url, fed->cfg.fetch_timeout_ms, &actor, err);
    if (rc == HR_OK)
        rc = method_of(actor, vm, out, err);
    fed_keyfetch_end(fed, vm, &kf, rc);
    if (rc == HR_OK)
        mk_keep(fed, out);
    json_decref(actor);
    return rc;
}

/* ---- checking a proof ---- */

/* Records the outcome; returns its state so a caller can end with it. */
static int result_fail(struct fed_proof_result *out, enum fed_proof_state state,
                       const char *why)
{
    out->state = state;
    snprintf(out->reason, sizeof out->reason, "%s", why);
    return (int)state;
}

/* The key the proof names, with the owner rules: on the owner's origin, controlled by it. */
static int proof_key(struct fed *fed, const char *vm, const char *owner, bool refresh,
                     struct fed_mk_entry *key, struct hr_err *err)
{
    char doc_url[FED_ID_MAX + 1];

    if (fed_url_check(vm, NULL) != HR_OK || method_doc(vm, doc_url, sizeof doc_url) != HR_OK)
        return hr_fail(err, HR_ESIG, "verificationMethod is not an http(s) URL");
    if (!fed_same_origin(vm, owner))
        return hr_fail(err, HR_ESIG, "the key is on another origin than its owner");
    if (fed_is_local(fed, vm))
        return local_method(fed, doc_url, vm, key, err);
    return remote_method(fed, doc_url, vm, refresh, key, err);
}

/* The owner of DOC: its actor (activities), else its attributedTo, else DOC itself. */
static const char *owner_of(const json_t *doc)
{
    const char *o = fed_json_id(json_object_get(doc, "actor"));
    const json_t *at = json_object_get(doc, "attributedTo");

    if (o == NULL && json_is_array(at))
        at = json_array_get(at, 0);
    if (o == NULL)
        o = fed_json_id(at);
    return o != NULL ? o : fed_json_id(doc);
}

static int verify_with(const json_t *doc, const struct fed_mk_entry *key, int64_t created_ms,
                       struct fed_proof_result *out)
{
    struct hr_err e = {0};

    snprintf(out->controller, sizeof out->controller, "%s", key->controller);
    out->superseded_ms = key->superseded_ms;
    if (key->superseded_ms != 0 && created_ms >= key->superseded_ms)
        return result_fail(out, FED_PROOF_INVALID,
                           "the key was superseded before this proof was made");
    if (keys_proof_verify(doc, key->multibase, &e) != HR_OK)
        return result_fail(out, FED_PROOF_INVALID, e.msg);
    out->reason[0] = '\0';
    return (int)(out->state = FED_PROOF_VALID);
}

static int check(struct fed *fed, const json_t *doc, const char *owner,
                 struct fed_proof_result *out)
{
    struct keys_proof p;
    struct fed_mk_entry key = {0};
    struct hr_err e = {0};
    int rc = keys_proof_read(doc, &p, &e);

    memset(out, 0, sizeof *out);
    if (rc != HR_OK)
        return result_fail(out, rc == HR_ENOTFOUND ? FED_PROOF_NONE : FED_PROOF_INVALID, e.msg);
    snprintf(out->method, sizeof out->method, "%s", p.verification_method);
    if (hr_xsd_datetime_parse(p.created, &out->created_ms) != HR_OK)
        return result_fail(out, FED_PROOF_INVALID, "the proof's created is not a date");
    owner = owner ? owner : owner_of(doc);
    if (owner == NULL)
        return result_fail(out, FED_PROOF_INVALID, "the document names no owner");
    if (proof_key(fed, p.verification_method, owner, false, &key, &e) != HR_OK)
        return result_fail(out, FED_PROOF_INVALID, e.msg);
    if (strcmp(key.controller, owner) != 0) {
        mk_fini(&key);
        return result_fail(out, FED_PROOF_INVALID, "the key's controller is not the owner");
    }
    verify_with(doc, &key, out->created_ms, out);
    /* a cached key may be stale (the actor rotated): read it again, once */
    if (out->state != FED_PROOF_VALID && !fed_is_local(fed, key.vm) &&
        fed_refetch_allowed(fed, key.vm)) {
        mk_fini(&key);
        if (proof_key(fed, p.verification_method, owner, true, &key, &e) == HR_OK &&
            strcmp(key.controller, owner) == 0)
            verify_with(doc, &key, out->created_ms, out);
    }
    mk_fini(&key);
    return (int)out->state;
}

void fed_proof_check(struct fed *fed, const json_t *doc, const char *owner,
                     struct fed_proof_result *out)
{
    json_t *bare;

    /* A Linked Data Signature (Mastodon's RsaSignature2017) is added after the proof was
     * made, over the document with the proof: the proof is checked without it (as Fedify's
     * detachSignature does). */
    if (!json_is_object(json_object_get(doc, "signature"))) {
        (void)check(fed, doc, owner, out);
        return;
    }
    bare = json_copy((json_t *)(uintptr_t)doc);
    json_object_del(bare, "signature");
    if (bare == NULL) {
        memset(out, 0, sizeof *out);
        result_fail(out, FED_PROOF_INVALID, "out of memory");
        return;
    }
    (void)check(fed, bare, owner, out);
    json_decref(bare);
}

/* ---- what the inbox keeps of an activity's proofs ---- */

static json_t *outcome_json(const struct fed_proof_result *r)
{
    static const char *const names[] = {"none", "proven", "unproven"};
    char created[32] = "";

    if (r->created_ms != 0)
        hr_iso8601(r->created_ms, created);
    return json_pack("{s:s,s:s,s:s,s:s}", "state", names[r->state], "method", r->method,
                     "created", created, "reason", r->reason);
}

#define NONE_JSON "{\"state\":\"none\",\"method\":\"\",\"created\":\"\",\"reason\":\"\"}"
#define NO_PROOFS "{\"activity\":" NONE_JSON ",\"object\":" NONE_JSON "}"

char *fed_inbox_proofs(struct fed *fed, const json_t *act, const char *actor)
{
    const json_t *obj = json_object_get(act, "object");
    struct fed_proof_result a, o = {.state = FED_PROOF_NONE};
    json_t *out;
    char *s;

    /* most of the fediverse sends no proofs: that answer is a constant */
    if (json_object_get(act, "proof") == NULL &&
        (!json_is_object(obj) || json_object_get(obj, "proof") == NULL))
        return strdup(NO_PROOFS);
    fed_proof_check(fed, act, actor, &a);
    if (json_is_object(obj) && json_object_get(obj, "proof") != NULL) {
        /* an embedded object is read with the activity's @context (FEP-8b32) */
        json_t *copy = json_copy((json_t *)(uintptr_t)obj);
        if (copy != NULL && json_object_get(copy, "@context") == NULL &&
            json_object_get(act, "@context") != NULL)
            json_object_set(copy, "@context", json_object_get(act, "@context"));
        if (copy != NULL)
            fed_proof_check(fed, copy, NULL, &o);
        json_decref(copy);
    }
    out = json_pack("{s:o,s:o}", "activity", outcome_json(&a), "object", outcome_json(&o));
    s = out ? json_dumps(out, JSON_COMPACT) : NULL;
    json_decref(out);
    return s;
}
