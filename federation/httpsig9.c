/* federation/httpsig9.c - RFC 9421 HTTP Message Signatures: pick the one signature to
 * check, Herald's coverage policy, the time window, the §2.5 signature base, verify and
 * sign; and RFC 9530 Content-Digest. Structured fields go through federation/sfv.c.
 * Every check names the attack it stops; *code is the inbox's error code. */
#include "federation/httpsig9.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIG9_BASE_MAX  (64 * 1024)
#define SIG9_TIME_MAX  253402300799LL /* 9999-12-31: no overflow in ms */
#define SIG9_WINDOW_MAX (7 * 86400)

static int fail(const char **code, const char *c, enum hr_rc rc, struct hr_err *err,
                const char *msg)
{
    *code = c;
    return hr_fail(err, rc, "%s", msg);
}

/* ---- choosing the signature (§4.3 leaves the choice to the verifier) ------------ */

static bool alg_of(const struct fed_sf_member *m, enum fed_sig9_alg *out)
{
    const struct fed_sf_param *a = fed_sf_param_get(&m->params, "alg");

    if (a == NULL) {
        *out = FED_SIG9_BY_KEY;
        return true;
    }
    if (a->type != FED_SF_STRING)
        return false;
    if (hr_slice_eq(a->str, "rsa-v1_5-sha256"))
        *out = FED_SIG9_RSA_V1_5_SHA256;
    else if (hr_slice_eq(a->str, "ed25519"))
        *out = FED_SIG9_ED25519;
    else
        return false; /* rsa-pss, ecdsa, hmac (a shared secret with a public key!) */
    return true;
}

static int time_param(const struct fed_sf_member *m, const char *name, int64_t *out,
                      const char **code, struct hr_err *err)
{
    const struct fed_sf_param *p = fed_sf_param_get(&m->params, name);

    *out = 0;
    if (p == NULL)
        return HR_OK;
    if (p->type != FED_SF_INTEGER || p->num <= 0 || p->num > SIG9_TIME_MAX)
        return fail(code, "signature_input_malformed", HR_EINVAL, err,
                    "Signature-Input: created/expires is not a time");
    *out = p->num;
    return HR_OK;
}

/* The chosen member's keyid, times and signature bytes. */
static int sig9_fill(struct fed_sig9 *s, const struct fed_sf_dict *sigs, const char **code,
                     struct hr_err *err)
{
    const struct fed_sf_param *kid = fed_sf_param_get(&s->input.params, "keyid");
    const char *bad = "signature_input_malformed";
    int rc;

    if (s->input.type != FED_SF_INNER)
        return fail(code, bad, HR_EINVAL, err, "Signature-Input member is not an inner list");
    if (kid == NULL || kid->type != FED_SF_STRING || kid->str.len == 0)
        return fail(code, bad, HR_EINVAL, err, "Signature-Input: keyid missing");
    s->key_id = kid->str;
    rc = time_param(&s->input, "created", &s->created, code, err);
    if (rc == HR_OK)
        rc = time_param(&s->input, "expires", &s->expires, code, err);
    if (rc == HR_OK && s->expires != 0 && s->created != 0 && s->expires < s->created)
        rc = fail(code, bad, HR_EINVAL, err, "Signature-Input: expires before created");
    for (size_t i = 0; rc == HR_OK && i < sigs->n; i++)
        if (sigs->m[i].key.len == s->input.key.len &&
            memcmp(sigs->m[i].key.p, s->input.key.p, s->input.key.len) == 0)
            s->signature = sigs->m[i].bytes;
    if (rc == HR_OK && s->signature.p == NULL)
        rc = fail(code, bad, HR_EINVAL, err, "Signature has no value for the chosen label");
    return rc;
}

int fed_sig9_parse(struct hr_slice input, struct hr_slice signature, struct fed_sig9 *out,
                   const char **code, struct hr_err *err)
{
    struct fed_sf_dict *in = malloc(sizeof *in), *sigs = malloc(sizeof *sigs);
    struct fed_sig9 s = {0};
    int rc = in && sigs ? HR_OK : fail(code, "internal", HR_ENOMEM, err, "signature");
    size_t i;

    if (rc == HR_OK && (fed_sf_dict_parse(input, in, err) != HR_OK ||
                        fed_sf_dict_parse(signature, sigs, err) != HR_OK)) {
        *code = "signature_input_malformed"; /* err says which field and byte */
        rc = HR_EINVAL;
    }
    for (i = 0; rc == HR_OK && i < sigs->n; i++)
        if (sigs->m[i].type != FED_SF_BYTES)
            rc = fail(code, "signature_input_malformed", HR_EINVAL, err,
                      "Signature member is not a byte sequence");
    for (i = 0; rc == HR_OK && i < in->n && !alg_of(&in->m[i], &s.alg); i++)
        ;
    if (rc == HR_OK && i == in->n)
        rc = fail(code, "signature_alg_unsupported", HR_EINVAL, err,
                  "no signature with an accepted algorithm (rsa-v1_5-sha256, ed25519)");
    if (rc == HR_OK) {
        s.input = in->m[i];
        rc = sig9_fill(&s, sigs, code, err);
    }
    if (rc == HR_OK)
        *out = s;
    free(in);
    free(sigs);
    return rc;
}

/* ---- coverage policy ----------------------------------------------------------- */

static const char *const derived[] = {"@method",  "@target-uri", "@authority", "@scheme",
                                      "@request-target", "@path", "@query"};

static bool is_derived_known(struct hr_slice name)
{
    for (size_t i = 0; i < sizeof derived / sizeof derived[0]; i++)
        if (hr_slice_eq(name, derived[i]))
            return true;
    return false;
}

/* A header name: lowercase tchar (§2.1: component names are lowercased by the signer). */
static bool is_field_name(struct hr_slice name)
{
    for (size_t i = 0; i < name.len; i++) {
        char c = name.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              (c != '\0' && strchr("-_.!#$%&'*+^`|~", c) != NULL)))
            return false;
    }
    return name.len > 0 && name.len < 64;
}

static bool covers(const struct fed_sig9 *sig, const char *name)
{
    for (size_t i = 0; i < sig->input.n_items; i++)
        if (hr_slice_eq(sig->input.items[i].str, name))
            return true;
    return false;
}

/* Each component once, known, without parameters (;sf ;key ;bs ;req ;name change what is
 * signed; we would have to implement each to be sure we sign-check the same bytes). */
static int check_components(const struct fed_sig9 *sig, const char **code, struct hr_err *err)
{
    for (size_t i = 0; i < sig->input.n_items; i++) {
        struct hr_slice n = sig->input.items[i].str;
        for (size_t k = 0; k < i; k++)
            if (sig->input.items[k].str.len == n.len && memcmp(sig->input.items[k].str.p, n.p,
                                                               n.len) == 0)
                return fail(code, "signature_input_malformed", HR_EINVAL, err,
                            "a component is listed twice");
        if (sig->input.items[i].params.n != 0)
            return fail(code, "signature_component_unsupported", HR_EINVAL, err,
                        "component parameters are not supported");
        if (n.len > 0 && n.p[0] == '@' ? !is_derived_known(n) : !is_field_name(n))
            return fail(code, "signature_component_unsupported", HR_EINVAL, err,
                        "unsupported component (or a name that is not lowercase)");
    }
    return HR_OK;
}

/* Without @method a signed GET stands for a POST; without the target URI (or authority
 * and path) it is replayable at another endpoint or server; without content-digest any
 * body fits; without created it is replayable for ever. */
int fed_sig9_require(const struct fed_sig9 *sig, const char *method, const char **code,
                     struct hr_err *err)
{
    const char *inc = "signature_incomplete";
    int rc = check_components(sig, code, err);

    if (rc != HR_OK)
        return rc;
    if (!covers(sig, "@method"))
        return fail(code, inc, HR_EINVAL, err, "signature does not cover @method");
    if (!covers(sig, "@target-uri") && !(covers(sig, "@authority") && covers(sig, "@path")))
        return fail(code, inc, HR_EINVAL, err,
                    "signature does not cover @target-uri (or @authority and @path)");
    if (method != NULL && hr_streq_ci(method, "POST") && !covers(sig, "content-digest"))
        return fail(code, inc, HR_EINVAL, err, "signature does not cover content-digest");
    if (sig->created == 0)
        return fail(code, "signature_created_missing", HR_EINVAL, err,
                    "Signature-Input has no created parameter");
    return HR_OK;
}

int fed_sig9_check_time(const struct fed_sig9 *sig, int64_t now_ms, int64_t window_s,
                        const char **code, struct hr_err *err)
{
    int64_t t = sig->created * 1000, w = window_s * 1000;

    if (window_s < 0 || window_s > SIG9_WINDOW_MAX || now_ms < 0)
        return fail(code, "internal", HR_EINVAL, err, "bad time window");
    if (t > now_ms + w) /* pre-signed to be replayed later */
        return fail(code, "date_out_of_window", HR_ESIG, err, "created is in the future");
    if (t < now_ms - w) /* captured and replayed now */
        return fail(code, "date_out_of_window", HR_ESIG, err, "created too old");
    if (sig->expires != 0 && sig->expires * 1000 < now_ms)
        return fail(code, "signature_expired", HR_ESIG, err, "signature expired");
    return HR_OK;
}

/* ---- the signature base (§2.5) --------------------------------------------------- */

/* §2.2.6 @path: the target up to '?' ("/" when empty); §2.2.7 @query: "?" and the query,
 * "?" alone when there is none. */
static void add_path_query(struct hr_buf *b, const char *target, bool query)
{
    const char *q = strchr(target, '?');
    size_t plen = q ? (size_t)(q - target) : strlen(target);

    if (!query) {
        hr_buf_add(b, plen ? target : "/", plen ? plen : 1);
        return;
    }
    hr_buf_adds(b, q ? q : "?");
}

static int add_derived(struct hr_buf *b, struct hr_slice n, const struct fed_sig9_request *r)
{
    if (hr_slice_eq(n, "@method"))
        hr_buf_adds(b, r->method);
    else if (hr_slice_eq(n, "@target-uri"))
        hr_buf_addf(b, "%s://%s%s", r->scheme, r->authority, r->target);
    else if (hr_slice_eq(n, "@authority"))
        hr_buf_adds(b, r->authority);
    else if (hr_slice_eq(n, "@scheme"))
        hr_buf_adds(b, r->scheme);
    else if (hr_slice_eq(n, "@request-target"))
        hr_buf_adds(b, r->target);
    else if (hr_slice_eq(n, "@path") || hr_slice_eq(n, "@query"))
        add_path_query(b, r->target, hr_slice_eq(n, "@query"));
    else
        return HR_EINVAL;
    return HR_OK;
}

/* §2.1: the field value with leading and trailing whitespace removed; a control byte
 * could forge further lines of the base. */
static int add_field(struct hr_buf *b, struct hr_slice n, const struct fed_sig9_request *r,
                     struct hr_err *err)
{
    char name[64];
    const char *v;
    size_t len;

    snprintf(name, sizeof name, "%.*s", (int)n.len, n.p);
    v = r->header ? r->header(r->ctx, name) : NULL;
    if (v == NULL) /* signing an absent field would let it be added afterwards */
        return hr_fail(err, HR_EINVAL, "covered field %s missing from the request", name);
    while (*v == ' ' || *v == '\t')
        v++;
    len = strlen(v);
    while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
        len--;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)v[i] < 0x20 && v[i] != '\t') || v[i] == 0x7f)
            return hr_fail(err, HR_EINVAL, "field %s has a control byte", name);
    hr_buf_add(b, v, len);
    return HR_OK;
}

static bool request_ok(const struct fed_sig9_request *r)
{
    const char *parts[] = {r->method, r->target, r->scheme, r->authority};

    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        if (parts[i] == NULL || parts[i][0] == '\0' || strpbrk(parts[i], " \r\n\t") != NULL)
            return false;
    return true;
}

int fed_sig9_base(const struct fed_sig9 *sig, const struct fed_sig9_request *req, char **out,
                  struct hr_err *err)
{
    struct hr_buf b;
    int rc = request_ok(req) ? HR_OK : hr_fail(err, HR_EINVAL, "request line unusable");

    hr_buf_init(&b, SIG9_BASE_MAX);
    for (size_t i = 0; rc == HR_OK && i < sig->input.n_items; i++) {
        struct hr_slice n = sig->input.items[i].str;
        hr_buf_addf(&b, "\"%.*s\": ", (int)n.len, n.p);
        if (n.len > 0 && n.p[0] == '@')
            rc = add_derived(&b, n, req) == HR_OK
                     ? HR_OK
                     : hr_fail(err, HR_EINVAL, "unsupported derived component");
        else
            rc = add_field(&b, n, req, err);
        hr_buf_add(&b, "\n", 1);
    }
    hr_buf_adds(&b, "\"@signature-params\": ");
    fed_sf_inner_serialize(&sig->input, &b);
    if (rc == HR_OK && b.err != HR_OK)
        rc = hr_fail(err, b.err, "signature base too long");
    if (rc == HR_OK && (*out = hr_buf_take(&b)) == NULL)
        rc = hr_fail(err, HR_ENOMEM, "signature base");
    hr_buf_fini(&b);
    return rc;
}

/* ---- verify ---------------------------------------------------------------------- */

static int verify_ed25519(const struct fed_sig9 *sig, const char *base,
                          const struct keys_key *pub, struct hr_err *err)
{
    unsigned char raw[64];
    size_t n = 0;

    if (keys_base64_decode(sig->signature, raw, sizeof raw, &n) != HR_OK || n != 64)
        return hr_fail(err, HR_ESIG, "ed25519 signature is not 64 bytes of base64");
    return keys_ed25519_verify(pub, base, strlen(base), raw, err);
}

int fed_sig9_verify(const struct fed_sig9 *sig, const struct fed_sig9_request *req,
                    const struct keys_key *pub, struct hr_err *err)
{
    enum fed_sig9_alg alg = sig->alg;
    char *base = NULL;
    int rc;

    if (alg == FED_SIG9_BY_KEY)
        alg = keys_key_is_rsa(pub) ? FED_SIG9_RSA_V1_5_SHA256 : FED_SIG9_ED25519;
    /* the algorithm must fit the key: never let the signer's alg pick how a key is used */
    if (alg == FED_SIG9_RSA_V1_5_SHA256 && !keys_key_is_rsa(pub))
        return hr_fail(err, HR_ESIG, "rsa-v1_5-sha256 signature, but the key is not RSA");
    if (alg == FED_SIG9_ED25519 && !keys_key_is_ed25519(pub))
        return hr_fail(err, HR_ESIG, "ed25519 signature, but the key is not Ed25519");
    rc = fed_sig9_base(sig, req, &base, err);
    if (rc == HR_OK && alg == FED_SIG9_RSA_V1_5_SHA256) {
        rc = keys_rsa_verify(pub, base, strlen(base), sig->signature, err);
        if (rc == HR_EINVAL)
            rc = HR_ESIG;
    } else if (rc == HR_OK) {
        rc = verify_ed25519(sig, base, pub, err);
    }
    free(base);
    return rc;
}

/* ---- Content-Digest (RFC 9530) ------------------------------------------------------ */

static int digest_one(const struct fed_sf_member *m, const void *body, size_t len, bool *found,
                      const char **code, struct hr_err *err)
{
    unsigned char got[64], want[64];
    bool is256 = hr_slice_eq(m->key, "sha-256");
    size_t n = 0, need = is256 ? 32 : 64;

    if (!is256 && !hr_slice_eq(m->key, "sha-512"))
        return HR_OK; /* RFC 9530 §2: unknown algorithms are ignored */
    if (m->type != FED_SF_BYTES || keys_base64_decode(m->bytes, got, sizeof got, &n) != HR_OK ||
        n != need)
        return fail(code, "content_digest_malformed", HR_EINVAL, err,
                    "Content-Digest value has the wrong length or is not base64");
    if (is256)
        keys_sha256(body, len, want);
    else
        keys_sha512(body, len, want);
    if (memcmp(got, want, need) != 0) /* the body is not the one that was signed */
        return fail(code, "content_digest_mismatch", HR_ESIG, err,
                    "Content-Digest does not match the body");
    *found = true;
    return HR_OK;
}

int fed_content_digest_check(struct hr_slice value, const void *body, size_t len,
                             const char **code, struct hr_err *err)
{
    struct fed_sf_dict *d = malloc(sizeof *d);
    bool found = false;
    int rc = d ? HR_OK : fail(code, "internal", HR_ENOMEM, err, "digest");

    if (rc == HR_OK && fed_sf_dict_parse(value, d, err) != HR_OK) {
        *code = "content_digest_malformed";
        rc = HR_EINVAL;
    }
    for (size_t i = 0; rc == HR_OK && i < d->n; i++)
        rc = digest_one(&d->m[i], body, len, &found, code, err);
    if (rc == HR_OK && !found)
        rc = fail(code, "content_digest_malformed", HR_EINVAL, err,
                  "Content-Digest has neither sha-256 nor sha-512");
    free(d);
    return rc;
}

void fed_content_digest_make(const void *body, size_t len, char out[64])
{
    size_t n;

    memcpy(out, "sha-256=:", 9);
    keys_sha256_b64(body, len, out + 9);
    n = strlen(out);
    out[n] = ':';
    out[n + 1] = '\0';
}
