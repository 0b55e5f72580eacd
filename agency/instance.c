/* agency/instance.c - the instance's own Ed25519 key (it signs the audit chain head) and
 * the signed head document. */
#include "agency/agency_int.h"
#include "keys/keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int create_key(struct store_txn *txn, void *ctx)
{
    struct hr_err *err = ctx;
    char *priv = NULL, *pub = NULL;
    json_t *j = NULL, *have = NULL;
    int rc;

    if (agency_rec_json(txn, STORE_T_INSTANCE, "ed25519", &have, NULL) == HR_OK) {
        json_decref(have);
        return HR_OK; /* already there */
    }
    rc = keys_ed25519_generate(&priv, &pub, err);
    if (rc == HR_OK) {
        j = json_pack("{s:s,s:s,s:I}", "private_pem", priv, "public_multibase", pub, "created",
                      (json_int_t)hr_now_ms());
        rc = j ? agency_rec_put_json(txn, STORE_T_INSTANCE, "ed25519", j, 0, err)
               : hr_fail(err, HR_ENOMEM, "instance key");
    }
    if (rc == HR_OK)
        rc = agency_audit(txn, AGENCY_LOCAL, "instance.key.create", "instance", pub, err);
    json_decref(j);
    keys_secret_free(priv);
    free(pub);
    return rc;
}

int agency_instance_init(struct store *st, struct hr_err *err)
{
    struct store_txn *txn = NULL;
    json_t *have = NULL;
    bool present = false;

    /* the common case (the key exists) takes no write lock */
    if (store_txn_begin(st, STORE_READ, &txn, NULL) == HR_OK)
        present = agency_rec_json(txn, STORE_T_INSTANCE, "ed25519", &have, NULL) == HR_OK;
    store_txn_abort(txn);
    json_decref(have);
    return present ? HR_OK : agency_write(st, create_key, err, err);
}

/* Signs "herald-audit-head-v1\nSEQ\nHASH\nSIGNED_AT" with the instance key. */
static int sign_head(const json_t *key, const char *text, char **sig_b64, struct hr_err *err)
{
    struct keys_key *priv = NULL;
    unsigned char sig[64];
    int rc = keys_private_load(json_string_value(json_object_get(key, "private_pem")), &priv, err);

    if (rc == HR_OK)
        rc = keys_ed25519_sign(priv, text, strlen(text), sig, err);
    keys_key_free(priv);
    if (rc == HR_OK) {
        *sig_b64 = keys_base64_encode(sig, sizeof sig);
        if (*sig_b64 == NULL)
            rc = hr_fail(err, HR_ENOMEM, "signature");
    }
    return rc;
}

int agency_audit_head(struct store *st, const char *base_url, char **json_out, struct hr_err *err)
{
    struct agency_audit_entry last = {0};
    struct store_txn *txn = NULL;
    json_t *key = NULL, *doc = NULL;
    char text[256], when[32], *sig = NULL;
    int64_t now = hr_now_ms();
    int rc = agency_instance_init(st, err);

    if (rc == HR_OK)
        rc = store_txn_begin(st, STORE_READ, &txn, err);
    if (rc == HR_OK)
        rc = agency_rec_json(txn, STORE_T_INSTANCE, "ed25519", &key, err);
    if (rc == HR_OK)
        rc = agency_audit_last(txn, &last, err); /* the key's creation is always entry 1 */
    store_txn_abort(txn);
    hr_iso8601(now, when);
    snprintf(text, sizeof text, "herald-audit-head-v1\n%llu\n%s\n%s",
             (unsigned long long)last.seq, last.hash, when);
    if (rc == HR_OK)
        rc = sign_head(key, text, &sig, err);
    if (rc == HR_OK)
        doc = json_pack("{s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "instance", base_url, "seq",
                        (json_int_t)last.seq, "hash", last.hash, "signed_at", when,
                        "algorithm", "Ed25519", "public_key_multibase",
                        json_string_value(json_object_get(key, "public_multibase")),
                        "signed_text", text, "signature", sig);
    if (rc == HR_OK && (doc == NULL || (*json_out = json_dumps(doc, JSON_COMPACT)) == NULL))
        rc = hr_fail(err, HR_ENOMEM, "audit head");
    free(sig);
    json_decref(doc);
    json_decref(key);
    agency_audit_entry_fini(&last);
    return rc;
}
