/* agency/attest.c - official-status attestations through the authorization table and the
 * audit log: issuing and revoking need admin on the issuing account, importing needs
 * admin on the attested account (agency/authz.c rows attest.*). The documents and checks
 * are federation's (federation/attest.c, attcheck.c). */
#include "agency/agency_int.h"
#include "federation/fed.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int agency_attest_issue(struct store *st, struct fed *fed, const char *by,
                        const struct fed_attest_input *in, char **url_out, struct hr_err *err)
{
    struct store_txn *txn = NULL;
    json_t *doc = NULL;
    char details[300];
    int rc = agency_may(st, by, AGENCY_ATTEST_ISSUE, in->issuer, NULL, err);

    if (rc == HR_OK)
        rc = fed_attest_build(fed, in, &doc, err);
    if (rc == HR_OK)
        rc = store_txn_begin(st, STORE_WRITE, &txn, err);
    if (rc == HR_OK)
        rc = fed_attest_store(fed, txn, in->issuer, doc, err);
    snprintf(details, sizeof details, "%.100s %s %.180s", in->kind, in->subject ? in->subject : "",
             doc ? json_string_value(json_object_get(doc, "id")) : "");
    if (rc == HR_OK)
        rc = agency_audit(txn, by, "attest.issue", in->issuer, details, err);
    if (rc == HR_OK) {
        rc = store_txn_commit(txn, err);
        txn = NULL;
    }
    if (rc == HR_OK && (*url_out = strdup(json_string_value(json_object_get(doc, "id")))) == NULL)
        rc = hr_fail(err, HR_ENOMEM, "attestation");
    store_txn_abort(txn);
    json_decref(doc);
    return rc;
}

/* "BASE/attestations/ID" or "ID" -> "ID" */
static const char *id_of(const char *id_or_url)
{
    const char *slash = strrchr(id_or_url, '/');

    return slash ? slash + 1 : id_or_url;
}

int agency_attest_revoke(struct store *st, const char *by, const char *id, const char *reason,
                         struct hr_err *err)
{
    struct store_txn *txn = NULL;
    json_t *rec = NULL;
    const char *issuer = NULL;
    int rc = store_txn_begin(st, STORE_WRITE, &txn, err);

    id = id_of(id);
    if (rc == HR_OK)
        rc = fed_attest_record(txn, id, &rec, err);
    issuer = json_string_value(json_object_get(rec, "issuer"));
    if (rc == HR_OK)
        rc = agency_may_txn(txn, by, AGENCY_ATTEST_REVOKE, issuer ? issuer : "", NULL, err);
    if (rc == HR_OK)
        rc = fed_attest_revoke(txn, id, reason, err);
    if (rc == HR_OK)
        rc = agency_audit(txn, by, "attest.revoke", issuer, id, err);
    if (rc == HR_OK) {
        rc = store_txn_commit(txn, err);
        txn = NULL;
    }
    store_txn_abort(txn);
    json_decref(rec);
    return rc;
}

int agency_attest_list(struct store *st, struct fed *fed, const char *by, json_t **out,
                       struct hr_err *err)
{
    int rc = agency_may(st, by, AGENCY_ATTEST_LIST, NULL, NULL, err);

    return rc == HR_OK ? fed_attest_list(fed, NULL, out, err) : rc;
}

/* PROFILE's "attestations" with ENTRY in place of any entry with the same url. */
static int entries_put(json_t *profile, json_t *entry, struct hr_err *err)
{
    json_t *list = json_object_get(profile, "attestations"), *fresh = json_array(), *v;
    const char *url = json_string_value(json_object_get(entry, "url"));
    size_t i;

    json_array_foreach(list, i, v)
    {
        const char *have = json_string_value(json_object_get(v, "url"));
        if (have == NULL || strcmp(have, url) != 0)
            json_array_append(fresh, v);
    }
    if (json_array_size(fresh) >= FED_ATTEST_MAX) {
        json_decref(fresh);
        return hr_fail(err, HR_ETOOBIG, "the account already shows %d attestations",
                       FED_ATTEST_MAX);
    }
    if (fresh == NULL || json_array_append(fresh, entry) != 0 ||
        json_object_set_new(profile, "attestations", fresh) != 0)
        return hr_fail(err, HR_ENOMEM, "profile");
    return HR_OK;
}

/* Inside TXN: account NAME's profile gains ENTRY. */
static int keep(struct store_txn *txn, const char *name, json_t *entry, struct hr_err *err)
{
    struct store_account a = {0};
    json_t *profile = NULL;
    char *text = NULL;
    int rc = store_account_get_private(txn, name, &a, err);

    if (rc == HR_OK) /* not inside json_is_object: it is a macro that evaluates twice */
        profile = json_loads(a.profile ? a.profile : "{}", 0, NULL);
    if (rc == HR_OK && !json_is_object(profile))
        rc = hr_fail(err, HR_EIO, "account %s: stored profile is not a JSON object", name);
    if (rc == HR_OK)
        rc = entries_put(profile, entry, err);
    if (rc == HR_OK && (text = json_dumps(profile, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
        rc = hr_fail(err, HR_ENOMEM, "profile");
    if (rc == HR_OK) {
        free(a.profile);
        a.profile = text;
        text = NULL;
        rc = store_account_put(txn, &a, err);
    }
    free(text);
    json_decref(profile);
    store_account_fini(&a);
    return rc;
}

static int import_store(struct store *st, struct fed *fed, const char *by, const char *name,
                        json_t *entry, struct hr_err *err)
{
    struct store_txn *txn = NULL;
    int rc = store_txn_begin(st, STORE_WRITE, &txn, err);

    if (rc == HR_OK)
        rc = agency_may_txn(txn, by, AGENCY_ATTEST_IMPORT, name, NULL, err);
    if (rc == HR_OK)
        rc = keep(txn, name, entry, err);
    if (rc == HR_OK)
        rc = agency_audit(txn, by, "attest.import", name,
                          json_string_value(json_object_get(entry, "url")), err);
    if (rc == HR_OK)
        rc = fed_actor_update_queue(fed, txn, name, err);
    if (rc == HR_OK) {
        rc = store_txn_commit(txn, err);
        txn = NULL;
    }
    store_txn_abort(txn);
    if (rc == HR_OK)
        fed_wake(fed);
    return rc;
}

int agency_attest_import(struct store *st, struct fed *fed, const char *by, const char *url,
                         const char *account, json_t **entry_out, struct hr_err *err)
{
    json_t *entry = NULL;
    const char *subject;
    char name[32];
    int rc = HR_OK;

    /* an operator who may not import for ACCOUNT makes us fetch nothing */
    if (account != NULL)
        rc = agency_may(st, by, AGENCY_ATTEST_IMPORT, account, NULL, err);
    if (rc == HR_OK)
        rc = fed_attest_check(fed, url, NULL, &entry, err);
    subject = json_string_value(json_object_get(entry, "subject"));
    if (rc == HR_OK && !fed_attest_local_subject(fed, subject, name))
        rc = hr_fail(err, HR_EFORBIDDEN,
                     "the attestation is about %.200s, which is not one of our accounts", subject);
    if (rc == HR_OK && account != NULL && strcmp(account, name) != 0)
        rc = hr_fail(err, HR_EFORBIDDEN, "the attestation is about %.200s, not account %s", subject,
                     account);
    if (rc == HR_OK)
        rc = import_store(st, fed, by, name, entry, err);
    if (rc == HR_OK && entry_out != NULL)
        *entry_out = json_incref(entry);
    json_decref(entry);
    return rc;
}
