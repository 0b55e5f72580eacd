/* federation/httpsig.c - draft-cavage-http-signatures-12 Signature headers (parse, build
 * the signing string, policy, time window, verify, sign) and the RFC 3230 Digest header.
 * Everything here reads attacker-controlled bytes: the parser is a small hand-written
 * state machine over a bounded slice, and each check names the attack it stops. */
#include "federation/httpsig.h"

#include <stdlib.h>
#include <string.h>

#define SIG_VALUE_MAX  8192            /* Signature header bytes: a real one is ~600 */
#define SIG_NAME_MAX   64              /* one signed header name, lowercased */
#define SIG_STRING_MAX (64 * 1024)     /* signing string: bounds work per request */
#define SIG_TIME_MAX   253402300799ULL /* 9999-12-31T23:59:59Z: no overflow in ms */
#define DIGEST_MAX     1024            /* Digest header bytes */
#define SIG_WINDOW_MAX (7 * 86400)     /* sanity bound for a configured window */

enum sig_param { P_KEYID, P_ALGORITHM, P_HEADERS, P_SIGNATURE, P_CREATED, P_EXPIRES, P_NONE };

static const char *const param_names[] = {"keyId",     "algorithm", "headers",
                                          "signature", "created",   "expires"};

/* ---- small byte helpers -------------------------------------------------------- */

/* RFC 9110 §5.6.2 tchar */
static bool is_tchar(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

/* Control bytes (CR, LF, NUL, ...) and bytes >= 0x80: a CR/LF in a value could forge
 * extra lines in the signing string or a log; a NUL truncates C-string consumers; high
 * bytes make keyId comparisons depend on encodings. HTAB only where ALLOW_TAB. */
static bool has_bad_byte(const char *p, size_t n, bool allow_tab)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if ((c < 0x20 && !(allow_tab && c == '\t')) || c >= 0x7f)
            return true;
    }
    return false;
}

static bool slice_ieq(struct hr_slice a, struct hr_slice b)
{
    if (a.len != b.len)
        return false;
    for (size_t i = 0; i < a.len; i++) {
        char x = a.p[i], y = b.p[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

static bool sig_has_header(const struct fed_sig *sig, const char *name)
{
    for (size_t i = 0; i < sig->n_headers; i++)
        if (hr_slice_ieq(sig->headers[i], name))
            return true;
    return false;
}

/* hs2019 is the default when the parameter is absent (draft-cavage-12 §2.1.3). */
static bool sig_is_hs2019(const struct fed_sig *sig)
{
    return sig->algorithm.len == 0 || hr_slice_ieq(sig->algorithm, "hs2019");
}

/* ---- Signature header: the scanner ---------------------------------------------- */

struct cursor {
    const char *p;
    size_t len, pos;
};

static void skip_ows(struct cursor *c)
{
    while (c->pos < c->len && is_ows(c->p[c->pos]))
        c->pos++;
}

/* name = 1*tchar, immediately followed by '=' (no spaces: no real signer emits them). */
static int scan_name(struct cursor *c, struct hr_slice *name, struct hr_err *err)
{
    size_t start = c->pos;

    while (c->pos < c->len && is_tchar((unsigned char)c->p[c->pos]) && c->p[c->pos] != '=')
        c->pos++;
    if (c->pos == start)
        return hr_fail(err, HR_EINVAL, "Signature: parameter name expected at byte %zu", c->pos);
    if (c->pos == c->len || c->p[c->pos] != '=')
        return hr_fail(err, HR_EINVAL, "Signature: '=' expected at byte %zu", c->pos);
    *name = (struct hr_slice){c->p + start, c->pos - start};
    c->pos++;
    return HR_OK;
}

/* A quoted string without escapes. A backslash is refused instead of interpreted: two
 * parsers that disagree on `\"` would see different keyIds in one header. */
static int scan_quoted(struct cursor *c, struct hr_slice *val, struct hr_err *err)
{
    size_t start = ++c->pos; /* past the opening quote */

    while (c->pos < c->len && c->p[c->pos] != '"') {
        if (c->p[c->pos] == '\\' || c->p[c->pos] == '\t')
            return hr_fail(err, HR_EINVAL, "Signature: escape or tab in a quoted value");
        c->pos++;
    }
    if (c->pos == c->len) /* unterminated: never read past the slice */
        return hr_fail(err, HR_EINVAL, "Signature: unterminated quoted value");
    *val = (struct hr_slice){c->p + start, c->pos - start};
    c->pos++;
    return HR_OK;
}

/* Value: a quoted string, or bare digits (only created/expires may be bare; checked by
 * the caller, which knows the name). */
static int scan_value(struct cursor *c, struct hr_slice *val, bool *quoted, struct hr_err *err)
{
    size_t start = c->pos;

    *quoted = c->pos < c->len && c->p[c->pos] == '"';
    if (*quoted)
        return scan_quoted(c, val, err);
    while (c->pos < c->len && c->p[c->pos] >= '0' && c->p[c->pos] <= '9')
        c->pos++;
    if (c->pos == start)
        return hr_fail(err, HR_EINVAL, "Signature: value must be a quoted string");
    *val = (struct hr_slice){c->p + start, c->pos - start};
    return HR_OK;
}

/* ---- Signature header: the parameters ------------------------------------------ */

static enum sig_param param_lookup(struct hr_slice name)
{
    /* parameter names are case-sensitive (draft-cavage-12 §2.1) */
    for (size_t i = 0; i < sizeof param_names / sizeof param_names[0]; i++)
        if (hr_slice_eq(name, param_names[i]))
            return (enum sig_param)i;
    return P_NONE;
}

/* headers="a b c": single-space separated names (§2.1.6). Empty names (leading, trailing
 * or doubled spaces), repeats and more than FED_SIG_MAX_HEADERS are refused: a repeated
 * name would let one signature stand for two different requests' header sets. */
static int parse_header_list(struct hr_slice list, struct fed_sig *sig, struct hr_err *err)
{
    size_t start = 0, n = 0;

    for (size_t i = 0; i <= list.len; i++) {
        struct hr_slice name = {list.p + start, i - start};
        if (i < list.len && list.p[i] != ' ')
            continue;
        if (name.len == 0)
            return hr_fail(err, HR_EINVAL, "Signature: empty name in headers");
        if (n == FED_SIG_MAX_HEADERS)
            return hr_fail(err, HR_EINVAL, "Signature: over %d signed headers",
                           FED_SIG_MAX_HEADERS);
        for (size_t k = 0; k < n; k++)
            if (slice_ieq(sig->headers[k], name))
                return hr_fail(err, HR_EINVAL, "Signature: header listed twice");
        sig->headers[n++] = name;
        start = i + 1;
    }
    sig->n_headers = n;
    return HR_OK;
}

/* created/expires: Unix seconds, 1..year 9999, so the ms arithmetic cannot overflow. */
static int parse_seconds(struct hr_slice v, int64_t *out, struct hr_err *err)
{
    uint64_t s = 0;

    if (hr_parse_u64_slice(v, SIG_TIME_MAX, &s) != HR_OK || s == 0)
        return hr_fail(err, HR_EINVAL, "Signature: created/expires is not a time");
    *out = (int64_t)s;
    return HR_OK;
}

/* Records one parameter. Duplicates are refused: "first wins" in one parser and "last
 * wins" in another is how a keyId or signature gets smuggled past a check. Unknown
 * parameters are ignored (§2.1), but must still be well-formed. */
static int param_store(struct fed_sig *sig, unsigned *seen, struct hr_slice name,
                       struct hr_slice val, bool quoted, struct hr_err *err)
{
    enum sig_param p = param_lookup(name);

    if (p == P_NONE)
        return quoted ? HR_OK : hr_fail(err, HR_EINVAL, "Signature: unquoted value");
    if (*seen & (1u << p))
        return hr_fail(err, HR_EINVAL, "Signature: duplicate %s", param_names[p]);
    *seen |= 1u << p;
    if (!quoted && p != P_CREATED && p != P_EXPIRES)
        return hr_fail(err, HR_EINVAL, "Signature: %s must be quoted", param_names[p]);
    switch (p) {
    case P_KEYID:
        sig->key_id = val;
        break;
    case P_ALGORITHM:
        sig->algorithm = val;
        break;
    case P_SIGNATURE:
        sig->signature = val;
        break;
    case P_HEADERS:
        return parse_header_list(val, sig, err);
    case P_CREATED:
        return parse_seconds(val, &sig->created, err);
    case P_EXPIRES:
        return parse_seconds(val, &sig->expires, err);
    case P_NONE:
        break;
    }
    return HR_OK;
}

/* What must hold once all parameters are read (§2.1): keyId and signature present, a
 * known algorithm. "hmac-*" is refused outright: a shared-secret algorithm with a public
 * key is the classic algorithm-confusion forgery. */
static int sig_finish(struct fed_sig *sig, unsigned seen, struct hr_err *err)
{
    if (sig->key_id.len == 0)
        return hr_fail(err, HR_EINVAL, "Signature: keyId missing");
    if (sig->signature.len == 0)
        return hr_fail(err, HR_EINVAL, "Signature: signature missing");
    if ((seen & (1u << P_ALGORITHM)) && !hr_slice_ieq(sig->algorithm, "rsa-sha256") &&
        !hr_slice_ieq(sig->algorithm, "hs2019"))
        return hr_fail(err, HR_EINVAL, "Signature: unsupported algorithm");
    if (sig->expires != 0 && sig->created != 0 && sig->expires < sig->created)
        return hr_fail(err, HR_EINVAL, "Signature: expires before created");
    if (!(seen & (1u << P_HEADERS))) { /* §2.1.6 default, as this module's header says */
        sig->headers[0] = (struct hr_slice){"date", 4};
        sig->n_headers = 1;
    }
    return HR_OK;
}

int fed_sig_parse(struct hr_slice value, struct fed_sig *out, struct hr_err *err)
{
    struct fed_sig sig = {0};
    struct cursor c = {value.p, value.len, 0};
    unsigned seen = 0;
    int rc = HR_OK;

    if (value.len > SIG_VALUE_MAX) /* bounds parse work and what we keep per request */
        return hr_fail(err, HR_EINVAL, "Signature header over %d bytes", SIG_VALUE_MAX);
    if (value.p == NULL || has_bad_byte(value.p, value.len, true))
        return hr_fail(err, HR_EINVAL, "Signature header has control or non-ASCII bytes");
    while (rc == HR_OK) {
        struct hr_slice name = {0}, val = {0};
        bool quoted = false;
        skip_ows(&c);
        rc = scan_name(&c, &name, err);
        if (rc == HR_OK)
            rc = scan_value(&c, &val, &quoted, err);
        if (rc == HR_OK)
            rc = param_store(&sig, &seen, name, val, quoted, err);
        skip_ows(&c);
        if (rc != HR_OK || c.pos == c.len)
            break;
        if (c.p[c.pos++] != ',') /* e.g. two values glued together */
            rc = hr_fail(err, HR_EINVAL, "Signature: ',' expected at byte %zu", c.pos - 1);
    }
    if (rc == HR_OK)
        rc = sig_finish(&sig, seen, err);
    if (rc == HR_OK)
        *out = sig;
    return rc;
}

/* ---- the signing string (§2.3) ------------------------------------------------- */

static void add_lower(struct hr_buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char ch = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
        hr_buf_add(b, &ch, 1);
    }
}

/* "(request-target): post /inbox". METHOD must be a token and TARGET free of spaces and
 * control bytes, or a crafted target could add lines to what gets signed. */
static int line_request_target(struct hr_buf *b, const struct fed_sig_request *req,
                               struct hr_err *err)
{
    size_t ml = req->method ? strlen(req->method) : 0, tl = req->target ? strlen(req->target) : 0;

    if (ml == 0 || tl == 0)
        return hr_fail(err, HR_EINVAL, "(request-target) needs a method and a target");
    for (size_t i = 0; i < ml; i++)
        if (!is_tchar((unsigned char)req->method[i]))
            return hr_fail(err, HR_EINVAL, "(request-target): bad method");
    if (has_bad_byte(req->target, tl, false) || memchr(req->target, ' ', tl) != NULL)
        return hr_fail(err, HR_EINVAL, "(request-target): bad target");
    hr_buf_adds(b, "(request-target): ");
    add_lower(b, req->method, ml);
    hr_buf_add(b, " ", 1);
    hr_buf_add(b, req->target, tl);
    return HR_OK;
}

/* (created)/(expires): §2.3 says an algorithm starting with "rsa" MUST NOT use them
 * (they are only meaningful for hs2019, where the parameter is part of the input). */
static int line_time(struct hr_buf *b, const struct fed_sig *sig, const char *name, int64_t value,
                     struct hr_err *err)
{
    if (!sig_is_hs2019(sig))
        return hr_fail(err, HR_EINVAL, "%s is not allowed with this algorithm", name);
    if (value == 0)
        return hr_fail(err, HR_EINVAL, "%s signed but the parameter is missing", name);
    hr_buf_addf(b, "%s: %lld", name, (long long)value);
    return HR_OK;
}

/* "name: value" with the value's surrounding whitespace trimmed (§2.3 step 2). CR, LF,
 * NUL and other control bytes are refused: a value with a line break could forge
 * further "name: value" lines in the signing string. */
static int line_header(struct hr_buf *b, const struct fed_sig_request *req, const char *name,
                       struct hr_err *err)
{
    const char *v = req->header ? req->header(req->ctx, name) : NULL;
    size_t n;

    if (v == NULL) /* signing nothing would let the header be added afterwards */
        return hr_fail(err, HR_EINVAL, "signed header %s missing from the request", name);
    while (is_ows(*v))
        v++;
    n = strlen(v);
    while (n > 0 && is_ows(v[n - 1]))
        n--;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return hr_fail(err, HR_EINVAL, "header %s has a control byte", name);
    }
    hr_buf_addf(b, "%s: ", name);
    hr_buf_add(b, v, n);
    return HR_OK;
}

/* One line of the signing string. Names are lowercased (§2.3 step 1); the pseudo-headers
 * are dispatched by their lowercased name, so "(Request-Target)" is the same thing. */
static int sig_line(struct hr_buf *b, const struct fed_sig *sig, struct hr_slice raw,
                    const struct fed_sig_request *req, struct hr_err *err)
{
    char name[SIG_NAME_MAX];

    if (raw.len == 0 || raw.len >= sizeof name)
        return hr_fail(err, HR_EINVAL, "signed header name empty or too long");
    for (size_t i = 0; i < raw.len; i++)
        name[i] = raw.p[i] >= 'A' && raw.p[i] <= 'Z' ? (char)(raw.p[i] - 'A' + 'a') : raw.p[i];
    name[raw.len] = '\0';
    if (strcmp(name, "(request-target)") == 0)
        return line_request_target(b, req, err);
    if (strcmp(name, "(created)") == 0)
        return line_time(b, sig, name, sig->created, err);
    if (strcmp(name, "(expires)") == 0)
        return line_time(b, sig, name, sig->expires, err);
    if (name[0] == '(')
        return hr_fail(err, HR_EINVAL, "unknown pseudo-header in headers");
    return line_header(b, req, name, err);
}

int fed_sig_string(const struct fed_sig *sig, const struct fed_sig_request *req, char **out,
                   struct hr_err *err)
{
    struct hr_buf b;
    int rc = HR_OK;
    char *s;

    if (sig->n_headers == 0 || sig->n_headers > FED_SIG_MAX_HEADERS)
        return hr_fail(err, HR_EINVAL, "signature covers no headers");
    hr_buf_init(&b, SIG_STRING_MAX);
    for (size_t i = 0; i < sig->n_headers && rc == HR_OK; i++) {
        if (i > 0)
            hr_buf_add(&b, "\n", 1);
        rc = sig_line(&b, sig, sig->headers[i], req, err);
    }
    if (rc == HR_OK && b.err != HR_OK)
        rc = hr_fail(err, b.err, "signing string too long");
    s = rc == HR_OK ? hr_buf_take(&b) : NULL;
    hr_buf_fini(&b);
    if (rc == HR_OK && s == NULL)
        rc = hr_fail(err, HR_ENOMEM, "signing string");
    if (rc == HR_OK)
        *out = s;
    return rc;
}

/* ---- policy and time ----------------------------------------------------------- */

/* Herald's minimum coverage. Without (request-target) a signature for one endpoint could
 * be replayed at another; without host, at another server; without date/(created), at
 * any time; without digest on POST, with any body. */
int fed_sig_require(const struct fed_sig *sig, const char *method, struct hr_err *err)
{
    bool is_post = method != NULL && hr_streq_ci(method, "POST");

    if (!sig_has_header(sig, "(request-target)"))
        return hr_fail(err, HR_EINVAL, "signature does not cover (request-target)");
    if (!sig_has_header(sig, "host"))
        return hr_fail(err, HR_EINVAL, "signature does not cover host");
    if (!sig_has_header(sig, "date") && !(sig_is_hs2019(sig) && sig_has_header(sig, "(created)")))
        return hr_fail(err, HR_EINVAL, "signature does not cover date");
    if (is_post && !sig_has_header(sig, "digest"))
        return hr_fail(err, HR_EINVAL, "signature does not cover digest");
    return HR_OK;
}

static int check_window(const char *what, int64_t t_ms, int64_t now_ms, int64_t window_ms,
                        struct hr_err *err)
{
    if (t_ms > now_ms + window_ms) /* pre-signed requests to be replayed later */
        return hr_fail(err, HR_ESIG, "%s is in the future", what);
    if (t_ms < now_ms - window_ms) /* captured requests replayed now */
        return hr_fail(err, HR_ESIG, "%s too old", what);
    return HR_OK;
}

static int check_date(const char *date_header, int64_t now_ms, int64_t window_ms,
                      struct hr_err *err)
{
    int64_t date_ms = 0;

    if (date_header == NULL)
        return hr_fail(err, HR_EINVAL, "Date header missing");
    if (hr_http_date_parse(date_header, &date_ms) != HR_OK)
        return hr_fail(err, HR_EINVAL, "Date header is not an IMF-fixdate");
    return check_window("date", date_ms, now_ms, window_ms, err);
}

int fed_sig_check_time(const struct fed_sig *sig, const char *date_header, int64_t now_ms,
                       int64_t window_s, struct hr_err *err)
{
    int64_t window_ms = window_s * 1000;
    int rc = HR_OK;

    if (window_s < 0 || window_s > SIG_WINDOW_MAX || now_ms < 0)
        return hr_fail(err, HR_EINVAL, "bad time window");
    /* The Date header counts when it is signed, or when nothing else dates the request. */
    if (sig_has_header(sig, "date") || sig->created == 0)
        rc = check_date(date_header, now_ms, window_ms, err);
    if (rc == HR_OK && sig->created != 0)
        rc = check_window("created", sig->created * 1000, now_ms, window_ms, err);
    if (rc == HR_OK && sig->expires != 0 && sig->expires * 1000 < now_ms)
        rc = hr_fail(err, HR_ESIG, "signature expired");
    return rc;
}

/* ---- verify and sign ----------------------------------------------------------- */

int fed_sig_verify(const struct fed_sig *sig, const struct fed_sig_request *req,
                   const struct keys_key *pub, struct hr_err *err)
{
    char *s = NULL;
    int rc;

    if (!hr_slice_ieq(sig->algorithm, "rsa-sha256") && !sig_is_hs2019(sig))
        return hr_fail(err, HR_EINVAL, "Signature: unsupported algorithm");
    /* Both names mean RSASSA-PKCS1-v1_5 SHA-256 here, as at Mastodon: hs2019 with an
     * Ed25519 key is not something any peer sends for HTTP signatures today. */
    if (!keys_key_is_rsa(pub))
        return hr_fail(err, HR_ESIG, "signature key is not an RSA key");
    rc = fed_sig_string(sig, req, &s, err);
    if (rc == HR_OK)
        rc = keys_rsa_verify(pub, s, strlen(s), sig->signature, err);
    free(s);
    return rc;
}

/* Header values we print into a quoted parameter: a quote, backslash or control byte in
 * a keyId would let it break out of its quotes. */
static bool quotable(const char *s)
{
    return s != NULL && *s != '\0' && !has_bad_byte(s, strlen(s), false) &&
           strpbrk(s, "\"\\") == NULL;
}

struct sign_view {
    const char *host, *date, *digest, *content_type;
};

static const char *sign_view_header(void *ctx, const char *name)
{
    const struct sign_view *v = ctx;

    if (strcmp(name, "host") == 0)
        return v->host;
    if (strcmp(name, "date") == 0)
        return v->date;
    if (strcmp(name, "digest") == 0)
        return v->digest;
    return strcmp(name, "content-type") == 0 ? v->content_type : NULL;
}

/* The header list of an outbound signature, also used for the headers="..." text. */
static void sign_list(struct fed_sig *sig, const char *digest, const char *content_type)
{
    static const char *const names[] = {"(request-target)", "host", "date", "digest",
                                        "content-type"};

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if ((i == 3 && digest == NULL) || (i == 4 && content_type == NULL))
            continue;
        sig->headers[sig->n_headers++] = (struct hr_slice){names[i], strlen(names[i])};
    }
}

static int sign_header(const struct fed_sig *sig, const char *key_id, const char *b64, char **out,
                       struct hr_err *err)
{
    struct hr_buf b;
    char *s;

    hr_buf_init(&b, SIG_VALUE_MAX);
    hr_buf_addf(&b, "keyId=\"%s\",algorithm=\"rsa-sha256\",headers=\"", key_id);
    for (size_t i = 0; i < sig->n_headers; i++) {
        if (i > 0)
            hr_buf_add(&b, " ", 1);
        hr_buf_add(&b, sig->headers[i].p, sig->headers[i].len);
    }
    hr_buf_addf(&b, "\",signature=\"%s\"", b64);
    if (b.err != HR_OK) {
        int code = b.err;
        hr_buf_fini(&b);
        return hr_fail(err, code, "Signature header");
    }
    s = hr_buf_take(&b);
    if (s == NULL)
        return hr_fail(err, HR_ENOMEM, "Signature header");
    *out = s;
    return HR_OK;
}

int fed_sig_sign(const struct keys_key *priv, const char *key_id, const char *method,
                 const char *target, const char *host, const char *date, const char *digest,
                 const char *content_type, char **out, struct hr_err *err)
{
    struct fed_sig sig = {.algorithm = {"rsa-sha256", 10}};
    struct sign_view view = {host, date, digest, content_type};
    struct fed_sig_request req = {method, target, sign_view_header, &view};
    char *text = NULL, *b64 = NULL;
    int rc;

    if (!quotable(key_id))
        return hr_fail(err, HR_EINVAL, "keyId cannot be put in a Signature header");
    if (host == NULL || date == NULL)
        return hr_fail(err, HR_EINVAL, "signing needs host and date");
    sign_list(&sig, digest, content_type);
    rc = fed_sig_string(&sig, &req, &text, err);
    if (rc == HR_OK)
        rc = keys_rsa_sign(priv, text, strlen(text), &b64, err);
    if (rc == HR_OK)
        rc = sign_header(&sig, key_id, b64, out, err);
    free(text);
    free(b64);
    return rc;
}

/* ---- Digest (RFC 3230) --------------------------------------------------------- */

void fed_digest_make(const void *body, size_t len, char out[64])
{
    memcpy(out, "SHA-256=", 8);
    keys_sha256_b64(body, len, out + 8);
}

/* One "alg=value" item. SHA-256 (any case, RFC 3230 §4.1.1) must decode to exactly 32
 * bytes; other algorithms are skipped, but must still be well-formed. */
static int digest_item(struct hr_slice item, unsigned char got[32], bool *found, struct hr_err *err)
{
    const char *eq = memchr(item.p, '=', item.len);
    struct hr_slice alg, val;
    size_t n = 0;

    if (eq == NULL || eq == item.p || eq == item.p + item.len - 1)
        return hr_fail(err, HR_EINVAL, "Digest: item is not algorithm=value");
    alg = (struct hr_slice){item.p, (size_t)(eq - item.p)};
    val = (struct hr_slice){eq + 1, item.len - alg.len - 1};
    for (size_t i = 0; i < alg.len; i++)
        if (!is_tchar((unsigned char)alg.p[i]))
            return hr_fail(err, HR_EINVAL, "Digest: bad algorithm name");
    if (!hr_slice_ieq(alg, "SHA-256"))
        return HR_OK;
    if (*found) /* two SHA-256 values: which one was checked would depend on the parser */
        return hr_fail(err, HR_EINVAL, "Digest: SHA-256 given twice");
    if (keys_base64_decode(val, got, 32, &n) != HR_OK || n != 32)
        return hr_fail(err, HR_EINVAL, "Digest: SHA-256 value is not 32 bytes of base64");
    *found = true;
    return HR_OK;
}

static struct hr_slice trim_ows(struct hr_slice s)
{
    while (s.len > 0 && is_ows(s.p[0])) {
        s.p++;
        s.len--;
    }
    while (s.len > 0 && is_ows(s.p[s.len - 1]))
        s.len--;
    return s;
}

int fed_digest_check(struct hr_slice value, const void *body, size_t len, struct hr_err *err)
{
    unsigned char got[32], want[32];
    bool found = false;
    size_t start = 0;
    int rc = HR_OK;

    if (value.p == NULL || value.len == 0 || value.len > DIGEST_MAX ||
        has_bad_byte(value.p, value.len, true))
        return hr_fail(err, HR_EINVAL, "Digest header empty, too long or with control bytes");
    for (size_t i = 0; i <= value.len && rc == HR_OK; i++) {
        if (i < value.len && value.p[i] != ',')
            continue;
        rc = digest_item(trim_ows((struct hr_slice){value.p + start, i - start}), got, &found, err);
        start = i + 1;
    }
    if (rc != HR_OK)
        return rc;
    if (!found)
        return hr_fail(err, HR_EINVAL, "Digest: no SHA-256 value");
    keys_sha256(body, len, want);
    if (memcmp(got, want, sizeof want) != 0) /* the body is not the one that was signed */
        return hr_fail(err, HR_ESIG, "Digest does not match the body");
    return HR_OK;
}
