/* federation/attcheck.c - official-status attestations, the checking side: one attestation
 * (shape, the issuer's proof, validity, revocation, subject), and the chain from an actor to
 * a trust anchor (an issuer is trusted when it is an anchor, or itself holds a valid
 * attestation from a trusted issuer; at most FED_ATTEST_DEPTH issuers, loops refused).
 * Every remote document comes through the guarded fetch (domain policy, SSRF, size, time,
 * same-origin redirects, id == URL); ours are read from the store without the network. */
#include "federation/fed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ACCEPT_LD "application/ld+json, application/activity+json;q=0.9"

/* ---- documents ---- */

static bool ld_type(const char *ct)
{
    size_t n = ct ? strcspn(ct, "; ") : 0;

    return (n == 19 && strncasecmp(ct, "application/ld+json", 19) == 0) ||
           (n == 25 && strncasecmp(ct, "application/activity+json", 25) == 0);
}

/* A remote JSON-LD document: every outbound guard, and its id must be URL (FEP-fe34). */
static int fetch_ld(struct fed *fed, const char *url, json_t **out, struct hr_err *err)
{
    struct fed_http_opts o;
    struct fed_http_response r = {0};
    struct fed_json_limits lim;
    json_t *j = NULL;
    int rc;

    if (!fed_domain_permitted(fed, url))
        return hr_fail(err, HR_EFORBIDDEN, "%s is on a blocked (or not allowed) domain", url);
    fed_http_opts(fed, &o);
    o.same_origin_only = true;
    rc = fed_http_get(&o, url, ACCEPT_LD, NULL, &r, err);
    if (rc == HR_OK && r.status != 200)
        rc = hr_fail(err, HR_ENET, "%s answered HTTP %ld", url, r.status);
    if (rc == HR_OK && !fed_same_origin(r.final_url, url))
        rc = hr_fail(err, HR_EFORBIDDEN, "%s redirected to another origin", url);
    if (rc == HR_OK && !ld_type(r.content_type))
        rc = hr_fail(err, HR_EFORBIDDEN, "%s is not served as JSON-LD", url);
    fed_json_limits_of(fed, &lim);
    if (rc == HR_OK)
        rc = fed_json_parse(r.body, r.body_len, &lim, &j, err);
    if (rc == HR_OK &&
        (!json_is_object(j) || fed_json_id(j) == NULL || strcmp(fed_json_id(j), url) != 0))
        rc = hr_fail(err, HR_EFORBIDDEN, "the document at %s has a different id", url);
    if (rc == HR_OK) {
        *out = j;
        j = NULL;
    }
    json_decref(j);
    fed_http_response_fini(&r);
    return rc;
}

/* Our actor at PATH "/users/NAME", as we serve it. */
static int local_actor(struct fed *fed, const char *name, json_t **out, struct hr_err *err)
{
    struct store_txn *txn = NULL;
    struct store_account a = {0};
    int rc = hr_name_valid(name) ? store_txn_begin(fed->st, STORE_READ, &txn, err)
                                 : hr_fail(err, HR_ENOTFOUND, "no such account here");

    if (rc == HR_OK)
        rc = store_account_get(txn, name, &a, err);
    store_txn_abort(txn);
    if (rc == HR_OK && (*out = fed_actor_json(fed, &a)) == NULL)
        rc = hr_fail(err, HR_ENOMEM, "actor document");
    store_account_fini(&a);
    return rc;
}

int fed_attest_local_object(struct fed *fed, const char *url, json_t **out, struct hr_err *err)
{
    const char *path = url + strlen(fed->base_url);
    struct store_txn *txn = NULL;
    struct store_object o = {0};
    int rc;

    if (strncmp(path, "/users/", 7) == 0 && strchr(path + 7, '/') == NULL)
        return local_actor(fed, path + 7, out, err);
    if (strncmp(path, "/attestations/revoked/", 22) == 0)
        return hr_name_valid(path + 22) ? fed_attest_revocations(fed, path + 22, out, err)
                                        : hr_fail(err, HR_ENOTFOUND, "no such issuer here");
    if (!fed_object_public(fed, path)) /* /verify is public: so is what it reads (issue #10) */
        return hr_fail(err, HR_ENOTFOUND, "nothing is published at %s", url);
    rc = store_txn_begin(fed->st, STORE_READ, &txn, err);
    if (rc == HR_OK)
        rc = store_object_get(txn, url, &o, err);
    store_txn_abort(txn);
    if (rc == HR_ENOTFOUND)
        hr_fail(err, rc, "nothing is published at %s", url);
    if (rc == HR_OK && (*out = json_loadb(o.json, o.json_len, 0, NULL)) == NULL)
        rc = hr_fail(err, HR_EIO, "stored object %s is damaged", url);
    store_object_fini(&o);
    return rc;
}

/* URL's document: ours from the store, an actor or post with fed_fetch_doc (ActivityStreams
 * content types), anything else (credentials, lists) as JSON-LD. */
static int get_doc(struct fed *fed, const char *url, bool as, json_t **out, struct hr_err *err)
{
    if (url == NULL || fed_url_check(url, NULL) != HR_OK || strlen(url) > FED_ID_MAX)
        return hr_fail(err, HR_EINVAL, "not an http(s) URL: %.80s", url ? url : "");
    if (fed_is_local(fed, url))
        return fed_attest_local_object(fed, url, out, err);
    if (as)
        return fed_fetch_doc(fed, url, fed->cfg.fetch_timeout_ms, out, err);
    return fetch_ld(fed, url, out, err);
}

/* ---- one attestation ---- */

static const char *or_empty(const char *s)
{
    return s != NULL ? s : "";
}

static bool has_type(const json_t *doc, const char *type)
{
    const json_t *t = json_object_get(doc, "type"), *v;
    size_t i;

    if (json_is_string(t))
        return strcmp(json_string_value(t), type) == 0;
    json_array_foreach(t, i, v) if (json_is_string(v) &&
                                    strcmp(json_string_value(v), type) == 0) return true;
    return false;
}

static int proof_by(struct fed *fed, const json_t *doc, const char *issuer, const char *what,
                    struct hr_err *err)
{
    struct fed_proof_result pr;

    fed_proof_check(fed, doc, issuer, &pr);
    if (pr.state == FED_PROOF_VALID)
        return HR_OK;
    if (pr.state == FED_PROOF_NONE)
        return hr_fail(err, HR_ESIG, "%s carries no proof by its issuer", what);
    return hr_fail(err, HR_ESIG, "the issuer's signature on %s does not verify: %s", what,
                   pr.reason);
}

static int validity(const json_t *doc, struct hr_err *err)
{
    const char *from = json_string_value(json_object_get(doc, "validFrom"));
    const char *until = json_string_value(json_object_get(doc, "validUntil"));
    int64_t f = 0, u = 0, now = hr_now_ms();

    if (from == NULL || hr_iso8601_parse(from, &f) != HR_OK)
        return hr_fail(err, HR_ESIG, "the attestation has no valid validFrom date");
    if (until != NULL && hr_iso8601_parse(until, &u) != HR_OK)
        return hr_fail(err, HR_ESIG, "the attestation's validUntil is not a date");
    if (f > now)
        return hr_fail(err, HR_ESIG, "the attestation is not valid before %s", from);
    if (until != NULL && u <= now)
        return hr_fail(err, HR_ESIG, "the attestation expired on %s", until);
    return HR_OK;
}

/* Is URL in the issuer's signed revocation list? */
static int not_revoked(struct fed *fed, const json_t *doc, const char *url, const char *issuer,
                       struct hr_err *err)
{
    const char *list_url =
        fed_json_id(json_object_get(json_object_get(doc, "credentialStatus"), "revocationList"));
    json_t *list = NULL, *v;
    size_t i;
    int rc;

    if (list_url == NULL || !fed_same_origin(list_url, issuer))
        return hr_fail(err, HR_ESIG, "the attestation names no revocation list on its issuer");
    rc = get_doc(fed, list_url, false, &list, err);
    if (rc == HR_OK &&
        (!has_type(list, "RevocationList") ||
         strcmp(or_empty(fed_json_id(json_object_get(list, "issuer"))), issuer) != 0))
        rc = hr_fail(err, HR_ESIG, "the revocation list is not one of the issuer's");
    if (rc == HR_OK)
        rc = proof_by(fed, list, issuer, "the revocation list", err);
    json_array_foreach(rc == HR_OK ? json_object_get(list, "revoked") : NULL, i, v)
    {
        const char *reason = json_string_value(json_object_get(v, "revocationReason"));
        if (strcmp(or_empty(fed_json_id(v)), url) == 0) {
            rc = hr_fail(err, HR_ESIG, "the issuer revoked this attestation on %s%s%.120s",
                         or_empty(json_string_value(json_object_get(v, "revokedAt"))),
                         reason && *reason ? ": " : "", reason ? reason : "");
            break;
        }
    }
    json_decref(list);
    return rc;
}

/* The checked attestation as the profile keeps it (docs/storage.md "attestations"). */
static json_t *entry_of(const char *url, const json_t *doc, const char *issuer)
{
    const json_t *cs = json_object_get(doc, "credentialSubject");
    const char *until = json_string_value(json_object_get(doc, "validUntil"));
    const char *iname = json_string_value(json_object_get(json_object_get(doc, "issuer"), "name"));
    int64_t u = 0;

    if (until != NULL)
        (void)hr_iso8601_parse(until, &u);
    return json_pack("{s:s,s:s,s:s,s:O,s:O,s:O,s:I}", "url", url, "issuer", issuer, "issuer_name",
                     iname ? iname : issuer, "subject", json_object_get(cs, "id"), "name",
                     json_object_get(cs, "name"), "kind", json_object_get(cs, "kind"),
                     "valid_until_ms", (json_int_t)u);
}

static int shape(const json_t *doc, const char **issuer, struct hr_err *err)
{
    const json_t *cs = json_object_get(doc, "credentialSubject");
    const char *name = json_string_value(json_object_get(cs, "name"));

    *issuer = fed_json_id(json_object_get(doc, "issuer"));
    if (!has_type(doc, "VerifiableCredential") || !has_type(doc, "OfficialStatusCredential"))
        return hr_fail(err, HR_EINVAL, "not an official-status attestation (its type)");
    if (*issuer == NULL || fed_url_check(*issuer, NULL) != HR_OK)
        return hr_fail(err, HR_EINVAL, "the attestation names no issuer actor URL");
    if (fed_json_id(cs) == NULL || name == NULL || strlen(name) > 200 ||
        !fed_attest_kind_valid(json_string_value(json_object_get(cs, "kind"))))
        return hr_fail(err, HR_EINVAL,
                       "the attestation's credentialSubject needs id, name "
                       "and kind (agency, department or official)");
    return HR_OK;
}

int fed_attest_check(struct fed *fed, const char *url, const char *subject, json_t **entry,
                     struct hr_err *err)
{
    json_t *doc = NULL;
    const char *issuer = NULL, *about;
    int rc = get_doc(fed, url, false, &doc, err);

    if (rc == HR_OK)
        rc = shape(doc, &issuer, err);
    if (rc == HR_OK && !fed_same_origin(url, issuer))
        rc = hr_fail(err, HR_ESIG, "the attestation is not served by its issuer's server");
    if (rc == HR_OK)
        rc = proof_by(fed, doc, issuer, "the attestation", err);
    about = rc == HR_OK ? fed_json_id(json_object_get(doc, "credentialSubject")) : NULL;
    if (rc == HR_OK && subject != NULL && strcmp(about, subject) != 0)
        rc = hr_fail(err, HR_EFORBIDDEN, "the attestation is about %.200s, not %.200s", about,
                     subject);
    if (rc == HR_OK)
        rc = validity(doc, err);
    if (rc == HR_OK)
        rc = not_revoked(fed, doc, url, issuer, err);
    if (rc == HR_OK && (*entry = entry_of(url, doc, issuer)) == NULL)
        rc = hr_fail(err, HR_ENOMEM, "attestation");
    json_decref(doc);
    return rc;
}
