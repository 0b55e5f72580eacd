/* keys/proof.c - FEP-8b32 Object Integrity Proofs with the eddsa-jcs-2022 cryptosuite
 * (W3C vc-di-eddsa §3.3): the Ed25519 signature over
 *   SHA-256(JCS(proof configuration)) || SHA-256(JCS(document without "proof")),
 * where the proof configuration is the proof without proofValue and with the document's
 * @context. One proof object per document (never an array: Mastodon refuses arrays). */
#include "keys/keys.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define PROOF_TYPE "DataIntegrityProof"
#define PROOF_SUITE "eddsa-jcs-2022"
#define PROOF_PURPOSE "assertionMethod"

/* SHA-256 of JCS(J) into OUT. */
static int jcs_hash(const json_t *j, unsigned char out[32], struct hr_err *err)
{
    char *canon = NULL;
    size_t len = 0;
    int rc = keys_jcs(j, &canon, &len, err);

    if (rc == HR_OK)
        keys_sha256(canon, len, out);
    free(canon);
    return rc;
}

/* The 64 bytes that are signed: hash(proof config) || hash(document without proof). */
static int hash_data(const json_t *doc, const json_t *config, unsigned char out[64],
                     struct hr_err *err)
{
    json_t *bare = json_copy((json_t *)(uintptr_t)doc); /* shallow: only "proof" goes */
    int rc;

    if (bare == NULL)
        return hr_fail(err, HR_ENOMEM, "proof");
    json_object_del(bare, "proof");
    rc = jcs_hash(config, out, err);
    if (rc == HR_OK)
        rc = jcs_hash(bare, out + 32, err);
    json_decref(bare);
    return rc;
}

/* {type, cryptosuite, verificationMethod, proofPurpose, created} (+ DOC's @context). */
static json_t *config_new(const json_t *doc, const char *vm, const char *created)
{
    json_t *c = json_pack("{s:s,s:s,s:s,s:s,s:s}", "type", PROOF_TYPE, "cryptosuite",
                          PROOF_SUITE, "verificationMethod", vm, "proofPurpose",
                          PROOF_PURPOSE, "created", created);
    json_t *ctx = json_object_get(doc, "@context");

    if (c != NULL && ctx != NULL && json_object_set(c, "@context", ctx) != 0) {
        json_decref(c);
        return NULL;
    }
    return c;
}

int keys_proof_add(json_t *doc, const struct keys_key *priv, const char *vm,
                   const char *created, struct hr_err *err)
{
    unsigned char data[64], sig[64];
    json_t *config = NULL;
    char *value = NULL;
    int rc;

    if (!json_is_object(doc) || vm == NULL || created == NULL)
        return hr_fail(err, HR_EINVAL, "proof: a JSON object, a key id and a time are needed");
    if (json_object_get(doc, "proof") != NULL)
        return hr_fail(err, HR_EEXIST, "proof: the document already carries one");
    config = config_new(doc, vm, created);
    rc = config ? hash_data(doc, config, data, err) : hr_fail(err, HR_ENOMEM, "proof");
    if (rc == HR_OK)
        rc = keys_ed25519_sign(priv, data, sizeof data, sig, err);
    if (rc == HR_OK && (value = keys_multibase_encode(sig, sizeof sig)) == NULL)
        rc = hr_fail(err, HR_ENOMEM, "proof");
    if (rc == HR_OK) {
        /* the emitted proof takes its terms from the document's @context */
        json_object_del(config, "@context");
        if (json_object_set_new(config, "proofValue", json_string(value)) != 0 ||
            json_object_set(doc, "proof", config) != 0)
            rc = hr_fail(err, HR_ENOMEM, "proof");
    }
    free(value);
    json_decref(config);
    return rc;
}

static const char *str(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

int keys_proof_read(const json_t *doc, struct keys_proof *out, struct hr_err *err)
{
    const json_t *p = json_object_get(doc, "proof");

    if (p == NULL)
        return hr_fail(err, HR_ENOTFOUND, "no proof");
    if (!json_is_object(p))
        return hr_fail(err, HR_EINVAL, "proof is not one object (a set or chain of proofs is "
                                       "not accepted)");
    if (str(p, "type") == NULL || strcmp(str(p, "type"), PROOF_TYPE) != 0)
        return hr_fail(err, HR_EINVAL, "proof type is not " PROOF_TYPE);
    if (str(p, "cryptosuite") == NULL || strcmp(str(p, "cryptosuite"), PROOF_SUITE) != 0)
        return hr_fail(err, HR_EINVAL, "proof cryptosuite is not " PROOF_SUITE);
    if (str(p, "proofPurpose") == NULL || strcmp(str(p, "proofPurpose"), PROOF_PURPOSE) != 0)
        return hr_fail(err, HR_EINVAL, "proof purpose is not " PROOF_PURPOSE);
    if (str(p, "verificationMethod") == NULL || str(p, "created") == NULL ||
        str(p, "proofValue") == NULL)
        return hr_fail(err, HR_EINVAL, "proof lacks verificationMethod, created or proofValue");
    out->verification_method = str(p, "verificationMethod");
    out->created = str(p, "created");
    return HR_OK;
}

/* vc-di-eddsa §3.3.2: a proof's own @context must be the start of the document's. */
static bool context_prefix(const json_t *proof_ctx, const json_t *doc_ctx)
{
    if (json_equal((json_t *)(uintptr_t)proof_ctx, (json_t *)(uintptr_t)doc_ctx))
        return true;
    if (!json_is_array(proof_ctx) || !json_is_array(doc_ctx) ||
        json_array_size(proof_ctx) > json_array_size(doc_ctx))
        return false;
    for (size_t i = 0; i < json_array_size(proof_ctx); i++)
        if (!json_equal(json_array_get(proof_ctx, i), json_array_get(doc_ctx, i)))
            return false;
    return true;
}

/* The proof configuration of DOC's proof: the proof without proofValue, with @context. */
static int config_of(const json_t *doc, json_t **out, struct hr_err *err)
{
    const json_t *p = json_object_get(doc, "proof"), *dctx = json_object_get(doc, "@context");
    const json_t *pctx = json_object_get(p, "@context");
    json_t *c = json_copy((json_t *)(uintptr_t)p);

    if (c == NULL)
        return hr_fail(err, HR_ENOMEM, "proof");
    json_object_del(c, "proofValue");
    if (pctx != NULL && (dctx == NULL || !context_prefix(pctx, dctx))) {
        json_decref(c);
        return hr_fail(err, HR_ESIG, "the proof's @context is not the document's");
    }
    if (pctx == NULL && dctx != NULL &&
        json_object_set(c, "@context", (json_t *)(uintptr_t)dctx) != 0) {
        json_decref(c);
        return hr_fail(err, HR_ENOMEM, "proof");
    }
    *out = c;
    return HR_OK;
}

int keys_proof_verify(const json_t *doc, const char *pub_multibase, struct hr_err *err)
{
    struct keys_proof info;
    unsigned char data[64], sig[64];
    json_t *config = NULL;
    int rc = keys_proof_read(doc, &info, err);

    if (rc != HR_OK)
        return rc;
    if (keys_multibase_decode(str(json_object_get(doc, "proof"), "proofValue"), sig,
                              sizeof sig) != HR_OK)
        return hr_fail(err, HR_EINVAL, "proofValue is not a base58btc Ed25519 signature");
    rc = config_of(doc, &config, err);
    if (rc == HR_OK)
        rc = hash_data(doc, config, data, err);
    if (rc == HR_OK)
        rc = keys_ed25519_verify_multibase(pub_multibase, data, sizeof data, sig, err);
    json_decref(config);
    return rc;
}
