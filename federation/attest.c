/* federation/attest.c - official-status attestations, the issuing side: a local account
 * (a national registry, a parent agency) signs a W3C VC 2.0-shaped credential saying that
 * an actor is an agency, a department or an official, with its Ed25519 key (FEP-8b32
 * eddsa-jcs-2022, so any peer, Fedify included, checks it against the issuer actor's
 * assertionMethod). Each is stored as an object at BASE/attestations/ID and indexed in the
 * instance table ("attest" NUL ID -> record) so that it can be listed and revoked; the
 * issuer's revocation list BASE/attestations/revoked/NAME is built and signed when it is
 * asked for, so it is always current. The checking side is federation/attcheck.c. */
#include "federation/fed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REC_PREFIX       "attest" /* instance-table key prefix, then NUL, then the id */
#define SUBJECT_NAME_MAX 200      /* bytes of credentialSubject.name */
#define REASON_MAX       300      /* bytes of a revocation reason */

static const char *const kinds[] = {"agency", "department", "official"};

/* The @context of our credentials: VC 2.0, then our terms (FEDERATION.md "Attestations"). */
json_t *fed_attest_context(void)
{
    return json_pack(
        "[s,{s:s,s:s,s:s,s:s,s:{s:s,s:s},s:s,s:s,s:s,s:s,s:{s:s,s:s}}]", FED_VC_CONTEXT,
        "OfficialStatusCredential", FED_HERALD_NS "OfficialStatusCredential", "kind",
        FED_HERALD_NS "accountKind", "RevocationList", FED_HERALD_NS "RevocationList",
        "RevocationListEntry", FED_HERALD_NS "RevocationListEntry", "revocationList", "@id",
        FED_HERALD_NS "revocationList", "@type", "@id", "revokedAt", FED_HERALD_NS "revokedAt",
        "revocationReason", FED_HERALD_NS "revocationReason", "revoked", FED_HERALD_NS "revoked",
        "attestationOf", FED_HERALD_NS "attestationOf", "attestations", "@id",
        FED_HERALD_NS "attestations", "@type", "@id");
}

bool fed_attest_kind_valid(const char *kind)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kind != NULL && strcmp(kind, kinds[i]) == 0)
            return true;
    return false;
}

void fed_attest_list_url(const struct fed *fed, const char *issuer, char *out, size_t cap)
{
    snprintf(out, cap, "%s/attestations/revoked/%s", fed->base_url, issuer);
}

bool fed_attest_local_subject(const struct fed *fed, const char *url, char name[32])
{
    char prefix[600];
    size_t n = (size_t)snprintf(prefix, sizeof prefix, "%s/users/", fed->base_url);

    if (url == NULL || strncmp(url, prefix, n) != 0 || strlen(url + n) >= 32 ||
        !hr_name_valid(url + n))
        return false;
    snprintf(name, 32, "%s", url + n);
    return true;
}

static int input_check(const struct fed_attest_input *in, struct hr_err *err)
{
    size_t n = in->name ? strlen(in->name) : 0;

    if (in->subject == NULL || fed_url_check(in->subject, NULL) != HR_OK ||
        strlen(in->subject) > FED_ID_MAX)
        return hr_fail(err, HR_EINVAL, "--subject must be an http(s) actor URL");
    if (n == 0 || n > SUBJECT_NAME_MAX || !hr_utf8_valid(in->name, n))
        return hr_fail(err, HR_EINVAL, "--name must be 1 to %d bytes of UTF-8", SUBJECT_NAME_MAX);
    if (!fed_attest_kind_valid(in->kind))
        return hr_fail(err, HR_EINVAL, "--kind must be agency, department or official");
    if (in->valid_until_ms != 0 && in->valid_until_ms <= hr_now_ms())
        return hr_fail(err, HR_EINVAL, "--valid-until must be in the future");
    return HR_OK;
}

/* The unsigned credential. */
static json_t *credential(struct fed *fed, const struct store_account *issuer,
                          const struct fed_attest_input *in, const char *id_url)
{
    char actor[512], list[600], entry[700], from[32], until[32];
    json_t *j;

    fed_actor_url(fed, issuer->name, actor, sizeof actor);
    fed_attest_list_url(fed, issuer->name, list, sizeof list);
    snprintf(entry, sizeof entry, "%s#%s", list, strrchr(id_url, '/') + 1);
    hr_iso8601(hr_now_ms(), from);
    j = json_pack("{s:o,s:s,s:[s,s],s:{s:s,s:s},s:s,s:{s:s,s:s,s:s},s:{s:s,s:s,s:s}}", "@context",
                  fed_attest_context(), "id", id_url, "type", "VerifiableCredential",
                  "OfficialStatusCredential", "issuer", "id", actor, "name",
                  issuer->display_name[0] ? issuer->display_name : issuer->name, "validFrom", from,
                  "credentialSubject", "id", in->subject, "name", in->name, "kind", in->kind,
                  "credentialStatus", "id", entry, "type", "RevocationListEntry", "revocationList",
                  list);
    if (j != NULL && in->valid_until_ms != 0) {
        hr_iso8601(in->valid_until_ms, until);
        if (json_object_set_new(j, "validUntil", json_string(until)) != 0) {
            json_decref(j);
            return NULL;
        }
    }
    return j;
}

int fed_attest_build(struct fed *fed, const struct fed_attest_input *in, json_t **out,
                     struct hr_err *err)
{
    struct store_txn *txn = NULL;
    struct store_account a = {0};
    char idpart[40], id_url[600];
    json_t *doc = NULL;
    int rc = input_check(in, err);

    fed_new_id(idpart);
    snprintf(id_url, sizeof id_url, "%s/attestations/%s", fed->base_url, idpart);
    if (rc == HR_OK)
        rc = store_txn_begin(fed->st, STORE_READ, &txn, err);
    if (rc == HR_OK)
        rc = store_account_get(txn, in->issuer, &a, err);
    if (rc == HR_ENOTFOUND)
        hr_fail(err, rc, "no account named %s to issue from", in->issuer);
    if (rc == HR_OK && (doc = credential(fed, &a, in, id_url)) == NULL)
        rc = hr_fail(err, HR_ENOMEM, "attestation");
    if (rc == HR_OK)
        rc = fed_proof_sign(fed, txn, in->issuer, doc, err);
    store_txn_abort(txn);
    store_account_fini(&a);
    if (rc == HR_OK) {
        *out = doc;
        doc = NULL;
    }
    json_decref(doc);
    return rc;
}

/* The instance-table key of attestation ID ("attest" NUL ID). */
static size_t rec_key(const char *id, char *out, size_t cap)
{
    size_t n = sizeof REC_PREFIX + strlen(id);

    if (n > cap)
        return 0;
    memcpy(out, REC_PREFIX, sizeof REC_PREFIX);
    memcpy(out + sizeof REC_PREFIX, id, strlen(id));
    return n;
}

static int rec_put(struct store_txn *txn, const char *id, const json_t *rec, struct hr_err *err)
{
    char key[128], *v = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
    size_t klen = rec_key(id, key, sizeof key);
    int rc = v == NULL   ? hr_fail(err, HR_ENOMEM, "attestation record")
             : klen == 0 ? hr_fail(err, HR_EINVAL, "attestation id too long")
                         : store_rec_put(txn, STORE_T_INSTANCE, key, klen, v, strlen(v), 0, err);

    free(v);
    return rc;
}

int fed_attest_record(struct store_txn *txn, const char *id, json_t **out, struct hr_err *err)
{
    char key[128], *v = NULL;
    size_t klen = rec_key(id, key, sizeof key), vlen = 0;
    int rc;

    if (klen == 0 || id[0] == '\0' || strchr(id, '/') != NULL)
        return hr_fail(err, HR_ENOTFOUND, "no attestation %.60s", id);
    rc = store_rec_get(txn, STORE_T_INSTANCE, key, klen, &v, &vlen, NULL);
    if (rc == HR_ENOTFOUND)
        return hr_fail(err, rc, "no attestation %.60s was issued here", id);
    if (rc == HR_OK && (*out = json_loadb(v, vlen, 0, NULL)) == NULL)
        rc = hr_fail(err, HR_EIO, "attestation record %.60s is damaged", id);
    else if (rc != HR_OK)
        hr_fail(err, rc, "store");
    free(v);
    return rc;
}

int fed_attest_store(struct fed *fed, struct store_txn *txn, const char *issuer, const json_t *doc,
                     struct hr_err *err)
{
    const char *url = json_string_value(json_object_get(doc, "id"));
    const json_t *cs = json_object_get(doc, "credentialSubject");
    struct store_object o = {.account = (char *)(uintptr_t)issuer,
                             .type = (char *)(uintptr_t) "OfficialStatusCredential",
                             .published_ms = hr_now_ms()};
    json_t *rec;
    int rc;

    (void)fed;
    o.id = (char *)(uintptr_t)url;
    o.json = fed_json_dump(doc);
    if (o.json == NULL || url == NULL)
        rc = hr_fail(err, HR_ENOMEM, "attestation");
    else {
        o.json_len = strlen(o.json);
        rc = store_object_put(txn, &o, err);
    }
    rec = json_pack("{s:s,s:s,s:O,s:O,s:O,s:O?,s:I}", "url", url ? url : "", "issuer", issuer,
                    "subject", json_object_get(cs, "id"), "name", json_object_get(cs, "name"),
                    "kind", json_object_get(cs, "kind"), "valid_until",
                    json_object_get(doc, "validUntil"), "issued_ms", (json_int_t)o.published_ms);
    if (rc == HR_OK)
        rc = rec ? rec_put(txn, strrchr(url, '/') + 1, rec, err)
                 : hr_fail(err, HR_ENOMEM, "attestation record");
    json_decref(rec);
    free((char *)(uintptr_t)o.json);
    return rc;
}

int fed_attest_revoke(struct store_txn *txn, const char *id, const char *reason, struct hr_err *err)
{
    json_t *rec = NULL;
    size_t n = reason ? strlen(reason) : 0;
    int rc;

    if (n > REASON_MAX || !hr_utf8_valid(reason ? reason : "", n))
        return hr_fail(err, HR_EINVAL, "--reason must be at most %d bytes of UTF-8", REASON_MAX);
    rc = fed_attest_record(txn, id, &rec, err);
    if (rc == HR_OK && json_object_get(rec, "revoked_ms") != NULL)
        rc = hr_fail(err, HR_EEXIST, "attestation %s is already revoked", id);
    if (rc == HR_OK && (json_object_set_new(rec, "revoked_ms", json_integer(hr_now_ms())) != 0 ||
                        json_object_set_new(rec, "reason", json_string(reason ? reason : "")) != 0))
        rc = hr_fail(err, HR_ENOMEM, "attestation record");
    if (rc == HR_OK)
        rc = rec_put(txn, id, rec, err);
    json_decref(rec);
    return rc;
}

struct each_ctx {
    const char *issuer; /* NULL: all */
    json_t *arr;
};

static int each_rec(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct each_ctx *c = ctx;
    json_t *rec = json_loadb(v, vlen, 0, NULL);
    const char *issuer = json_string_value(json_object_get(rec, "issuer"));

    (void)k;
    (void)klen;
    if (rec != NULL && (c->issuer == NULL || (issuer && strcmp(issuer, c->issuer) == 0)))
        return json_array_append_new(c->arr, rec) == 0 ? HR_OK : HR_ENOMEM;
    json_decref(rec);
    return HR_OK;
}

int fed_attest_list(struct fed *fed, const char *issuer, json_t **out, struct hr_err *err)
{
    struct store_txn *txn = NULL;
    struct each_ctx c = {.issuer = issuer, .arr = json_array()};
    int rc =
        c.arr ? store_txn_begin(fed->st, STORE_READ, &txn, err) : hr_fail(err, HR_ENOMEM, "list");

    if (rc == HR_OK)
        rc = store_rec_each(txn, STORE_T_INSTANCE, REC_PREFIX, sizeof REC_PREFIX, false, each_rec,
                            &c, err);
    store_txn_abort(txn);
    if (rc == HR_OK)
        *out = c.arr;
    else
        json_decref(c.arr);
    return rc;
}

/* ---- serving ---- */

/* The revocation list of our account ISSUER, signed now (id: fed_attest_list_url). */
int fed_attest_revocations(struct fed *fed, const char *issuer, json_t **out, struct hr_err *err)
{
    char url[600], actor[512], when[32], now[32];
    struct store_txn *txn = NULL;
    json_t *all = NULL, *doc, *v;
    size_t i;
    int rc = fed_attest_list(fed, issuer, &all, err);

    fed_attest_list_url(fed, issuer, url, sizeof url);
    fed_actor_url(fed, issuer, actor, sizeof actor);
    hr_iso8601(hr_now_ms(), now);
    doc = json_pack("{s:o,s:s,s:[s],s:s,s:s,s:[]}", "@context", fed_attest_context(), "id", url,
                    "type", "RevocationList", "issuer", actor, "validFrom", now, "revoked");
    json_array_foreach(all, i, v)
    {
        json_t *ms = json_object_get(v, "revoked_ms");
        if (ms == NULL || doc == NULL)
            continue;
        hr_iso8601(json_integer_value(ms), when);
        json_array_append_new(json_object_get(doc, "revoked"),
                              json_pack("{s:O,s:s,s:O}", "id", json_object_get(v, "url"),
                                        "revokedAt", when, "revocationReason",
                                        json_object_get(v, "reason")));
    }
    json_decref(all);
    if (rc == HR_OK && doc == NULL)
        rc = hr_fail(err, HR_ENOMEM, "revocation list");
    if (rc == HR_OK)
        rc = store_txn_begin(fed->st, STORE_READ, &txn, err);
    if (rc == HR_OK)
        rc = fed_proof_sign(fed, txn, issuer, doc, err);
    store_txn_abort(txn);
    if (rc == HR_OK)
        *out = json_incref(doc);
    json_decref(doc);
    return rc;
}

static void serve_revocations(struct fed *fed, const char *name, struct fed_doc *doc)
{
    struct store_txn *txn = NULL;
    struct store_account a = {0};
    struct hr_err err = {0};
    json_t *list = NULL;
    bool known = hr_name_valid(name) && store_txn_begin(fed->st, STORE_READ, &txn, NULL) == HR_OK &&
                 store_account_get(txn, name, &a, NULL) == HR_OK;

    store_txn_abort(txn);
    store_account_fini(&a);
    if (!known) {
        fed_doc_error(doc, 404, "not_found", "no such issuer");
        return;
    }
    if (fed_attest_revocations(fed, name, &list, &err) != HR_OK) {
        fed_doc_error(doc, 500, "internal", "revocation list unavailable");
        return;
    }
    fed_doc_json(doc, 200, list);
    json_decref(list);
}

static void serve_index(struct fed *fed, struct fed_doc *doc)
{
    char url[600];
    json_t *all = NULL, *items, *v, *coll;
    size_t i;

    if (fed_attest_list(fed, NULL, &all, NULL) != HR_OK) {
        fed_doc_error(doc, 500, "internal", "store unavailable");
        return;
    }
    items = json_array();
    json_array_foreach(all, i, v) json_array_append(items, json_object_get(v, "url"));
    snprintf(url, sizeof url, "%s/attestations", fed->base_url);
    coll = json_pack("{s:s,s:s,s:s,s:I,s:o}", "@context", FED_AS_CONTEXT, "id", url, "type",
                     "Collection", "totalItems", (json_int_t)json_array_size(all), "items", items);
    fed_doc_json(doc, 200, coll);
    json_decref(coll);
    json_decref(all);
}

void fed_attest_serve(struct fed *fed, const char *path, struct fed_doc *doc)
{
    const char *rest = path + strlen("/attestations");

    if (rest[0] == '\0') {
        serve_index(fed, doc);
        return;
    }
    if (strncmp(rest, "/revoked/", 9) == 0) {
        serve_revocations(fed, rest + 9, doc);
        return;
    }
    if (rest[0] != '/' || rest[1] == '\0' ||
        strspn(rest + 1, "0123456789abcdef") != strlen(rest + 1)) {
        fed_doc_error(doc, 404, "not_found", "no such attestation");
        return;
    }
    fed_object(fed, path, doc);
}
