/* federation/httpsig.h - HTTP signatures (draft-cavage-http-signatures-12, as Mastodon
 * and Fedify use them) and the Digest header (RFC 3230, SHA-256).
 * Internal to federation/ (server/ reaches it through fed.h); pure functions, thread-safe. */
#ifndef HERALD_FED_HTTPSIG_H
#define HERALD_FED_HTTPSIG_H

#include "base/hr.h"
#include "keys/keys.h"

#define FED_SIG_MAX_HEADERS 16

/* A parsed Signature header. Slices point into the header value given to fed_sig_parse. */
struct fed_sig {
    struct hr_slice key_id;
    struct hr_slice algorithm;  /* empty when absent (then hs2019 is assumed) */
    struct hr_slice signature;  /* base64 as sent */
    struct hr_slice headers[FED_SIG_MAX_HEADERS]; /* lowercased names, in signed order */
    size_t n_headers;           /* "date" alone when the parameter is absent (§2.1.6) */
    int64_t created, expires;   /* seconds; 0 when absent */
};

/* Parses a Signature header value (also the value of "Authorization: Signature ...",
 * with the "Signature " prefix stripped by the caller). Refuses: missing keyId or
 * signature, duplicate parameters, unknown algorithms (only rsa-sha256 and hs2019),
 * empty or over-long header lists, values that are not quoted strings (created/expires
 * may be bare integers), control characters, over 8 KiB. Header names are matched
 * case-insensitively; the slices keep their original bytes. HR_EINVAL + message. */
int fed_sig_parse(struct hr_slice value, struct fed_sig *out, struct hr_err *err);

/* Request view used to build the signing string. */
struct fed_sig_request {
    const char *method; /* "POST"; lowercased in (request-target) */
    const char *target; /* path and query exactly as received / sent */
    /* Returns the value of the header named NAME (lowercase), or NULL when absent. When a
     * header occurs more than once the values are joined with ", " (draft-cavage §2.3). */
    const char *(*header)(void *ctx, const char *name);
    void *ctx;
};

/* Builds the draft-cavage §2.3 signing string for SIG's header list. (request-target),
 * (created) and (expires) are supported. A listed header missing from the request is
 * HR_EINVAL. *out is heap-allocated (caller frees). */
int fed_sig_string(const struct fed_sig *sig, const struct fed_sig_request *req, char **out,
                   struct hr_err *err);

/* The policy Herald requires before it even looks at the key, for METHOD:
 * (request-target), host and date (or (created) with hs2019) always; digest on POST.
 * HR_EINVAL naming the first missing one. */
int fed_sig_require(const struct fed_sig *sig, const char *method, struct hr_err *err);

/* Checks the signing time: Date header (or created) within WINDOW_S seconds of NOW_MS
 * in either direction, and expires (when present) not passed. HR_ESIG with a message
 * ("date too old", ...); HR_EINVAL when the Date header is missing or unparseable. */
int fed_sig_check_time(const struct fed_sig *sig, const char *date_header, int64_t now_ms,
                       int64_t window_s, struct hr_err *err);

/* Verifies the signature bytes with PUB over the signing string built from REQ.
 * HR_ESIG when it does not verify. */
int fed_sig_verify(const struct fed_sig *sig, const struct fed_sig_request *req,
                   const struct keys_key *pub, struct hr_err *err);

/* Digest: "SHA-256=<base64>" for BODY (OUT holds at least 64 bytes). */
void fed_digest_make(const void *body, size_t len, char out[64]);
/* Checks a Digest header value against BODY. The value may list several
 * comma-separated algorithm=value pairs; SHA-256 (case-insensitive name) must be among
 * them and match. HR_EINVAL when malformed or without SHA-256, HR_ESIG on mismatch. */
int fed_digest_check(struct hr_slice value, const void *body, size_t len, struct hr_err *err);

/* Signs an outbound request (draft-cavage, algorithm rsa-sha256) over
 * "(request-target) host date" plus "digest" (and "content-type") when DIGEST (CONTENT_TYPE)
 * is non-NULL. Returns the complete Signature header value in *out (caller frees). */
int fed_sig_sign(const struct keys_key *priv, const char *key_id, const char *method,
                 const char *target, const char *host, const char *date, const char *digest,
                 const char *content_type, char **out, struct hr_err *err);

#endif
