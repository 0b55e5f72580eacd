/* federation/httpsig9.h - RFC 9421 HTTP Message Signatures (Signature-Input + Signature)
 * and RFC 9530 Content-Digest, next to draft-cavage in federation/httpsig.h.
 * Internal to federation/; pure functions, thread-safe.
 * Every refusal comes with *code, the inbox's error code for it (docs/FEDERATION.md). */
#ifndef HERALD_FED_HTTPSIG9_H
#define HERALD_FED_HTTPSIG9_H

#include "base/hr.h"
#include "federation/sfv.h"
#include "keys/keys.h"

enum fed_sig9_alg { FED_SIG9_BY_KEY, FED_SIG9_RSA_V1_5_SHA256, FED_SIG9_ED25519 };

/* The one signature Herald checks. Slices point into the header values parsed. */
struct fed_sig9 {
    struct fed_sf_member input; /* its Signature-Input member: label, components, params */
    struct hr_slice key_id;
    enum fed_sig9_alg alg;      /* FED_SIG9_BY_KEY: no alg parameter, the key decides */
    int64_t created, expires;   /* seconds; expires 0 when absent */
    struct hr_slice signature;  /* base64 text of the Signature member */
};

/* Parses Signature-Input INPUT and Signature SIGNATURE and picks the signature to check:
 * the FIRST member of Signature-Input (in header order) whose alg parameter is absent or
 * one Herald verifies (rsa-v1_5-sha256, ed25519); members with other algorithms are
 * skipped, never "any of them". Its label must have a byte sequence in SIGNATURE and a
 * keyid. Refusals (HR_EINVAL): *code "signature_input_malformed" (structured-field
 * errors, label without signature, keyid missing or not a string, created/expires not
 * integers, expires before created), "signature_alg_unsupported" (no usable member). */
int fed_sig9_parse(struct hr_slice input, struct hr_slice signature, struct fed_sig9 *out,
                   const char **code, struct hr_err *err);

/* Herald's coverage policy for METHOD (RFC 9421 §7.2.1 leaves it to the verifier):
 * "@method"; "@target-uri", or "@authority" and "@path"; "content-digest" on POST;
 * the created parameter. Components with parameters, unknown derived components and
 * "@signature-params"/"@status" are refused. *code: "signature_incomplete",
 * "signature_created_missing", "signature_component_unsupported",
 * "signature_input_malformed" (a component listed twice or not lowercase). */
int fed_sig9_require(const struct fed_sig9 *sig, const char *method, const char **code,
                     struct hr_err *err);

/* created within WINDOW_S of NOW_MS both ways ("date_out_of_window"); expires, when
 * given, not passed ("signature_expired"). HR_ESIG. */
int fed_sig9_check_time(const struct fed_sig9 *sig, int64_t now_ms, int64_t window_s,
                        const char **code, struct hr_err *err);

/* The request as RFC 9421 §2.2 derives its components. */
struct fed_sig9_request {
    const char *method;    /* "POST" */
    const char *target;    /* path and query as sent/received */
    const char *scheme;    /* "https" */
    const char *authority; /* host[:port], lowercase, no default port (§2.2.3) */
    /* value of header NAME (lowercase), several fields joined by ", "; NULL if absent */
    const char *(*header)(void *ctx, const char *name);
    void *ctx;
};

/* The §2.5 signature base for SIG over REQ (caller frees *out). HR_EINVAL when a covered
 * header is missing or holds control bytes. */
int fed_sig9_base(const struct fed_sig9 *sig, const struct fed_sig9_request *req, char **out,
                  struct hr_err *err);

/* Verifies SIG over REQ with PUB: rsa-v1_5-sha256 needs an RSA key, ed25519 an Ed25519
 * key (no alg: the key's type decides). HR_ESIG when it does not verify or the key does
 * not fit the algorithm. */
int fed_sig9_verify(const struct fed_sig9 *sig, const struct fed_sig9_request *req,
                    const struct keys_key *pub, struct hr_err *err);

/* Checks an RFC 9530 Content-Digest VALUE against BODY: a dictionary of byte sequences;
 * sha-256 and sha-512 are checked (each one given must match), other algorithms ignored.
 * HR_EINVAL ("content_digest_malformed": not a dictionary, wrong length, neither
 * sha-256 nor sha-512), HR_ESIG ("content_digest_mismatch"). */
int fed_content_digest_check(struct hr_slice value, const void *body, size_t len,
                             const char **code, struct hr_err *err);
/* "sha-256=:<base64>:" for BODY (OUT holds at least 64 bytes). */
void fed_content_digest_make(const void *body, size_t len, char out[64]);

/* What to sign outbound: the label, the components (default: "@method" "@target-uri",
 * plus "content-digest" for a POST), and nonce/tag asked for by the peer. */
#define FED_SIG9_SIGN_MAX 12
struct fed_sig9_plan {
    char label[32];
    char components[FED_SIG9_SIGN_MAX][32];
    size_t n;
    char nonce[128], tag[64]; /* empty: not sent */
};
/* The default plan for METHOD (label "sig1"). */
void fed_sig9_plan_default(const char *method, struct fed_sig9_plan *out);
/* Adopts an Accept-Signature VALUE (RFC 9421 §5.1) into PLAN: its first member's label
 * and components (ours are added when it asks for fewer), nonce and tag. Returns false and
 * leaves PLAN as it was when the request cannot be met (unparseable, a component or alg we
 * do not produce, another keyid). */
bool fed_sig9_plan_accept(struct fed_sig9_plan *plan, const char *accept_signature,
                          const char *key_id);

/* Signs REQ with PRIV (RSA: rsa-v1_5-sha256) per PLAN at CREATED (seconds): the complete
 * Signature-Input and Signature header values (caller frees both). */
int fed_sig9_sign(const struct keys_key *priv, const char *key_id,
                  const struct fed_sig9_plan *plan, int64_t created,
                  const struct fed_sig9_request *req, char **input_out, char **signature_out,
                  struct hr_err *err);

#endif
