/* keys/keys.h - key generation, encodings, signatures and digests (OpenSSL underneath;
 * nobody else includes OpenSSL). Private keys travel only as PEM strings between the
 * store and this module; they are never logged or put in an error message.
 * All functions are thread-safe. Returned strings are heap-allocated; the caller frees
 * (private PEM strings with keys_secret_free, which wipes them first). */
#ifndef HERALD_KEYS_H
#define HERALD_KEYS_H

#include "base/hr.h"

struct keys_key; /* opaque: a parsed public or private key, immutable, shareable by threads */

/* RSA-2048 key pair as PKCS#8 private PEM and SubjectPublicKeyInfo public PEM. */
int keys_rsa_generate(char **priv_pem, char **pub_pem, struct hr_err *err);
/* Ed25519 key pair: PKCS#8 private PEM and the public key as FEP-521a Multikey
 * publicKeyMultibase ("z" + base58btc(0xed 0x01 || 32-byte key)). */
int keys_ed25519_generate(char **priv_pem, char **pub_multibase, struct hr_err *err);

/* Parses a PEM private key (RSA or Ed25519). HR_EINVAL when it is not one. */
int keys_private_load(const char *pem, struct keys_key **out, struct hr_err *err);
/* Parses a PEM public key ("PUBLIC KEY" SPKI or "RSA PUBLIC KEY" PKCS#1). Refuses RSA keys
 * under 2048 or over 8192 bits and exponents other than 65537 (HR_EINVAL). */
int keys_public_load(const char *pem, size_t len, struct keys_key **out, struct hr_err *err);
void keys_key_free(struct keys_key *key); /* NULL: no-op */
/* A second handle on KEY (the parsed key itself is shared, reference-counted): one thread
 * may free its handle while others still use theirs. */
int keys_key_share(const struct keys_key *key, struct keys_key **out, struct hr_err *err);
bool keys_key_is_rsa(const struct keys_key *key);
/* The public exponent of the RSA key KEY; HR_EINVAL for other keys or one over 64 bits. */
int keys_rsa_exponent(const struct keys_key *key, uint64_t *out, struct hr_err *err);

/* RSASSA-PKCS1-v1_5 with SHA-256 over DATA; *sig_b64 is standard base64 (caller frees). */
int keys_rsa_sign(const struct keys_key *priv, const char *data, size_t len, char **sig_b64,
                  struct hr_err *err);
/* HR_OK when SIG_B64 (standard base64) is a valid RSASSA-PKCS1-v1_5 SHA-256 signature of
 * DATA; HR_ESIG when not; HR_EINVAL when SIG_B64 is not base64. */
int keys_rsa_verify(const struct keys_key *pub, const char *data, size_t len,
                    struct hr_slice sig_b64, struct hr_err *err);
/* Ed25519 sign/verify over raw bytes; signature as raw 64 bytes. */
int keys_ed25519_sign(const struct keys_key *priv, const void *data, size_t len,
                      unsigned char sig[64], struct hr_err *err);
int keys_ed25519_verify_multibase(const char *pub_multibase, const void *data, size_t len,
                                  const unsigned char sig[64], struct hr_err *err);

/* SHA-256 of DATA: raw, standard base64 (45 bytes incl. NUL), lowercase hex (65 bytes). */
void keys_sha256(const void *data, size_t len, unsigned char out[32]);
void keys_sha256_b64(const void *data, size_t len, char out[48]);
void keys_sha256_hex(const void *data, size_t len, char out[65]);
/* Standard base64 with padding; decode refuses anything else (HR_EINVAL) and
 * whitespace. decode writes at most CAP bytes (HR_ETOOBIG past it). */
char *keys_base64_encode(const void *data, size_t len); /* caller frees; NULL on ENOMEM */
int keys_base64_decode(struct hr_slice in, unsigned char *out, size_t cap, size_t *out_len);
/* N cryptographically random bytes as lowercase hex (2N chars + NUL in OUT). */
int keys_random_hex(size_t n, char *out, size_t out_size);

void keys_secret_free(char *s); /* wipes with OPENSSL_cleanse, then frees; NULL: no-op */
/* HMAC-SHA256 (RFC 2104) of DATA keyed with KEY, as 64 lowercase hex digits (keys/hmac.c;
 * webhook signatures). HR_EINTERNAL on failure (OUT ""). */
int keys_hmac_sha256_hex(const void *key, size_t klen, const void *data, size_t len,
                         char out[65]);
/* A and B equal over N bytes, in time independent of where they differ. */
bool keys_equal_ct(const void *a, const void *b, size_t n);
void keys_wipe(void *p, size_t n); /* OPENSSL_cleanse; NULL: no-op */

/* ---- multibase ("z" + base58btc), Ed25519 seeds ---- */
char *keys_multibase_encode(const void *data, size_t len); /* LEN <= 64; NULL: ENOMEM */
/* Decodes MB into exactly OUT_LEN bytes; HR_EINVAL for anything else. */
int keys_multibase_decode(const char *mb, unsigned char *out, size_t out_len);
/* An Ed25519 private key from its 32-byte seed (published test vectors use these). */
int keys_ed25519_seed_load(const unsigned char seed[32], struct keys_key **out,
                           struct hr_err *err);
/* The Multikey publicKeyMultibase of the Ed25519 key KEY (public or private). */
int keys_ed25519_multibase(const struct keys_key *key, char **out, struct hr_err *err);

/* ---- RFC 8785 JSON Canonicalization Scheme ---- */
#define KEYS_JCS_MAX (8u << 20) /* bytes of canonical output; more is HR_ETOOBIG */
typedef struct json_t json_t;
/* The canonical UTF-8 form of J (any value; integers are read as IEEE doubles, as I-JSON
 * says: decode documents with JSON_DECODE_INT_AS_REAL when integers may pass 2^53).
 * HR_EINVAL for a member name holding U+0000 or nesting deeper than 64. */
int keys_jcs(const json_t *j, char **out, size_t *len, struct hr_err *err);

/* ---- FEP-8b32 Object Integrity Proofs, cryptosuite eddsa-jcs-2022 ---- */
struct keys_proof {
    const char *verification_method, *created; /* borrowed from the document */
};
/* Adds DOC's "proof" (one object: type DataIntegrityProof, eddsa-jcs-2022,
 * proofPurpose assertionMethod, verificationMethod VM, created CREATED, proofValue),
 * signed with the Ed25519 private key PRIV. DOC must not carry a proof yet (HR_EEXIST). */
int keys_proof_add(json_t *doc, const struct keys_key *priv, const char *vm,
                   const char *created, struct hr_err *err);
/* Reads DOC's proof: HR_ENOTFOUND when there is none, HR_EINVAL (with the reason) when it
 * is an array, another type, suite or purpose, or lacks a field. */
int keys_proof_read(const json_t *doc, struct keys_proof *out, struct hr_err *err);
/* HR_OK when DOC's proof verifies with the Multikey PUB_MULTIBASE; HR_ESIG when it does
 * not (a changed document, another key); HR_EINVAL / HR_ENOTFOUND as keys_proof_read. */
int keys_proof_verify(const json_t *doc, const char *pub_multibase, struct hr_err *err);

/* ---- RFC 9421 HTTP Message Signatures (federation/httpsig9.c) ---- */
bool keys_key_is_ed25519(const struct keys_key *key);
/* Ed25519 verification with a parsed public key (an SPKI PEM through keys_public_load, or
 * keys_ed25519_public_load). HR_ESIG when it does not verify, HR_EINVAL for another key. */
int keys_ed25519_verify(const struct keys_key *pub, const void *data, size_t len,
                        const unsigned char sig[64], struct hr_err *err);
/* Parses an FEP-521a Multikey publicKeyMultibase into a public key. HR_EINVAL. */
int keys_ed25519_public_load(const char *pub_multibase, struct keys_key **out,
                             struct hr_err *err);
/* SPKI "PUBLIC KEY" PEM of KEY's public half (caller frees). */
int keys_public_pem(const struct keys_key *key, char **out, struct hr_err *err);
/* SHA-512 of DATA (RFC 9530 Content-Digest sha-512). */
void keys_sha512(const void *data, size_t len, unsigned char out[64]);

#endif
