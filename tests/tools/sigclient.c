/* tests/tools/sigclient.c - sends one HTTP request signed the way a remote ActivityPub
 * server signs it (draft-cavage-12, rsa-sha256, Digest SHA-256), with knobs to break each
 * part. Prints the response status on the first line and the body after it (per request
 * with --repeat or --each). Exit 0 when every request got a response, 1 on transport errors,
 * 2 on usage errors, 3 when fed_sig_sign disagrees with the independently built signature.
 *
 *   sigclient --url URL [--method POST|GET] [--body FILE | --body-text TEXT]
 *             [--key PEM --key-id URL] [--date-offset S | --date TEXT] [--no-digest]
 *             [--digest VALUE] [--no-signature | --signature TEXT] [--headers "LIST"]
 *             [--algorithm ALG] [--tamper-body] [--content-type TYPE] [--accept TYPE]
 *             [--host HOST] [--header "Name: value"]... [--repeat N | --each FROM:TO]
 *             [--verbose] [--target PATH] [--send-host HOST] [--omit NAME]...
 *             [--sig-prepend TEXT] [--sig-append TEXT] [--sign-cmd CMD]
 *             [--rfc9421 LIST [--sig9-created S | --sig9-no-created] [--sig9-expires S]
 *              [--sig9-alg ALG|-]
 *              [--sig9-extra TEXT] [--sig9-target-uri URI] [--sig9-label L]
 *              [--sig9-prepend TEXT] [--content-digest VALUE]
 *              [--sig9-input TEXT] [--sig9-signature TEXT]]
 *
 * --rfc9421 signs with RFC 9421 instead: LIST is the inner list of covered components as
 * it goes into Signature-Input ('"@method" "@target-uri" "content-digest"'), parameters
 * created (now + --sig9-created seconds), keyid and alg (default rsa-v1_5-sha256) and
 * --sig9-extra appended raw; a Content-Digest (sha-256) is sent with a POST. The signature
 * base (RFC 9421 §2.5) is built here from the request as sent, independently of
 * federation/httpsig9.c. --sig9-prepend puts raw members before ours in Signature-Input;
 * --sig9-input / --sig9-signature replace the header values outright.
 *
 * --repeat sends the same signed request N times (a replay). --each sends one request per
 * number n from FROM to TO, one after the other, with every "{n}" in --url, --key-id and
 * --body-text replaced by n, each dated, digested and signed on its own: hundreds of remote
 * actors' requests from one process (a process per request is what makes a big test slow).
 *
 * Knobs for hostile requests: --target signs (request-target) for another path than the
 * one the request goes to (a replay to another inbox); --send-host sends another Host
 * than the one signed; --omit leaves a header out after it was signed (header NAME, as
 * listed in --headers; "host" also keeps curl from adding its own); --sig-prepend and
 * --sig-append put raw text around the Signature value (duplicate parameters); --sign-cmd
 * runs CMD with the signing string on stdin and takes the base64 signature from its
 * stdout, for keys Herald's own loader refuses (1024-bit RSA) or signatures made without
 * a key at all (exponent 1), so that only the server's key policy can stop them.
 *
 * The signing string is built here from the request exactly as it is sent (draft-cavage-12
 * §2.3), independently of federation/httpsig.c; when the header list is one fed_sig_sign
 * can produce, its output is used and must agree byte for byte (RSASSA-PKCS1-v1_5 is
 * deterministic), which cross-checks Herald's own outbound signer. Only loopback URLs. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>

#include "base/hr.h"
#include "federation/httpsig.h"
#include "federation/httpsig9.h"
#include "keys/keys.h"

#define SC_FILE_MAX  (64 * 1024 * 1024)
#define SC_RESP_MAX  (16 * 1024 * 1024)
#define SC_EXTRA_MAX 16
#define SC_SENT_MAX  24
#define SC_OMIT_MAX  4
#define SC_SIG_MAX   16384 /* --sign-cmd output */

struct opts {
    const char *url, *method, *body_file, *body_text, *key_file, *key_id;
    const char *date, *digest, *signature, *headers, *algorithm, *content_type, *accept;
    const char *host, *extra[SC_EXTRA_MAX];
    const char *target, *send_host, *sig_prepend, *sig_append, *sign_cmd, *omit[SC_OMIT_MAX];
    const char *rfc9421, *sig9_alg, *sig9_extra, *sig9_target_uri, *sig9_label, *sig9_prepend;
    const char *content_digest, *sig9_input, *sig9_signature;
    int64_t sig9_created, sig9_expires;
    bool sig9_no_created, sig9_has_expires;
    size_t n_extra, n_omit;
    int64_t date_offset;
    uint64_t repeat, each_from, each_to; /* each_to == 0: no --each */
    bool no_digest, no_signature, tamper, verbose;
};

/* One header as sent: NAME is lowercase. */
struct sent {
    char name[64];
    const char *value;
};

struct request {
    char *path; /* path and query as curl sends them */
    char host[300], date[64], digest[128];
    char *body;
    size_t body_len;
    struct sent hdr[SC_SENT_MAX];
    size_t n_hdr;
    char *signature; /* heap */
    char *sig9_input; /* heap: the Signature-Input value (--rfc9421) */
    char content_digest[160];
};

static int usage(const char *why)
{
    fprintf(stderr, "sigclient: %s\n", why);
    fprintf(stderr, "usage: sigclient --url URL [--method POST|GET] [--body FILE|--body-text T]"
                    " [--key PEM --key-id URL] [--date-offset S] [--date TEXT] [--no-digest]"
                    " [--digest V] [--no-signature] [--signature TEXT] [--headers LIST]"
                    " [--algorithm A] [--tamper-body] [--content-type T] [--accept T]"
                    " [--host H] [--header 'N: v'] [--repeat N | --each FROM:TO] [--verbose]"
                    " [--target PATH]"
                    " [--send-host H] [--omit NAME] [--sig-prepend T] [--sig-append T]"
                    " [--sign-cmd CMD]\n");
    return 2;
}

static bool parse_i64(const char *s, int64_t *out)
{
    uint64_t v;
    bool neg = s[0] == '-';

    if (hr_parse_u64(neg ? s + 1 : s, 10LL * 366 * 86400, &v) != HR_OK)
        return false;
    *out = neg ? -(int64_t)v : (int64_t)v;
    return true;
}

/* Options that take a value, and where it goes. */
static const char **opt_slot(struct opts *o, const char *name)
{
    static const struct {
        const char *name;
        size_t off;
    } table[] = {
        {"--url", offsetof(struct opts, url)},
        {"--method", offsetof(struct opts, method)},
        {"--body", offsetof(struct opts, body_file)},
        {"--body-text", offsetof(struct opts, body_text)},
        {"--key", offsetof(struct opts, key_file)},
        {"--key-id", offsetof(struct opts, key_id)},
        {"--date", offsetof(struct opts, date)},
        {"--digest", offsetof(struct opts, digest)},
        {"--signature", offsetof(struct opts, signature)},
        {"--headers", offsetof(struct opts, headers)},
        {"--algorithm", offsetof(struct opts, algorithm)},
        {"--content-type", offsetof(struct opts, content_type)},
        {"--accept", offsetof(struct opts, accept)},
        {"--host", offsetof(struct opts, host)},
        {"--target", offsetof(struct opts, target)},
        {"--send-host", offsetof(struct opts, send_host)},
        {"--sig-prepend", offsetof(struct opts, sig_prepend)},
        {"--sig-append", offsetof(struct opts, sig_append)},
        {"--sign-cmd", offsetof(struct opts, sign_cmd)},
        {"--rfc9421", offsetof(struct opts, rfc9421)},
        {"--sig9-alg", offsetof(struct opts, sig9_alg)},
        {"--sig9-extra", offsetof(struct opts, sig9_extra)},
        {"--sig9-target-uri", offsetof(struct opts, sig9_target_uri)},
        {"--sig9-label", offsetof(struct opts, sig9_label)},
        {"--sig9-prepend", offsetof(struct opts, sig9_prepend)},
        {"--content-digest", offsetof(struct opts, content_digest)},
        {"--sig9-input", offsetof(struct opts, sig9_input)},
        {"--sig9-signature", offsetof(struct opts, sig9_signature)},
    };
    size_t i;

    for (i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(name, table[i].name) == 0)
            return (const char **)(void *)((char *)o + table[i].off);
    return NULL;
}

static int each_parse(const char *s, struct opts *o)
{
    const char *colon = strchr(s, ':');
    char from[24];
    uint64_t to;

    if (colon == NULL || (size_t)(colon - s) >= sizeof from)
        return -1;
    memcpy(from, s, (size_t)(colon - s));
    from[colon - s] = '\0';
    if (hr_parse_u64(from, 1000000, &o->each_from) != HR_OK ||
        hr_parse_u64(colon + 1, 1000000, &to) != HR_OK || to < o->each_from)
        return -1;
    o->each_to = to + 1; /* exclusive, so that 0 can mean "no --each" */
    return 0;
}

static int opts_parse(int argc, char **argv, struct opts *o)
{
    const char **slot;
    int i;

    o->method = "POST";
    o->content_type = "application/activity+json";
    o->accept = "application/activity+json";
    o->algorithm = "rsa-sha256";
    o->sig9_alg = "rsa-v1_5-sha256";
    o->sig9_label = "sig1";
    o->repeat = 1;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--no-digest") == 0)
            o->no_digest = true;
        else if (strcmp(a, "--no-signature") == 0)
            o->no_signature = true;
        else if (strcmp(a, "--tamper-body") == 0)
            o->tamper = true;
        else if (strcmp(a, "--verbose") == 0)
            o->verbose = true;
        else if (strcmp(a, "--sig9-no-created") == 0)
            o->sig9_no_created = true;
        else if (i + 1 >= argc)
            return usage("missing value or unknown option");
        else if (strcmp(a, "--date-offset") == 0) {
            if (!parse_i64(argv[++i], &o->date_offset))
                return usage("--date-offset takes seconds");
        } else if (strcmp(a, "--sig9-created") == 0) {
            if (!parse_i64(argv[++i], &o->sig9_created))
                return usage("--sig9-created takes seconds");
        } else if (strcmp(a, "--sig9-expires") == 0) {
            if (!parse_i64(argv[++i], &o->sig9_expires))
                return usage("--sig9-expires takes seconds");
            o->sig9_has_expires = true;
        } else if (strcmp(a, "--repeat") == 0) {
            if (hr_parse_u64(argv[++i], 100000, &o->repeat) != HR_OK || o->repeat == 0)
                return usage("--repeat takes 1..100000");
        } else if (strcmp(a, "--each") == 0) {
            if (each_parse(argv[++i], o) != 0)
                return usage("--each takes FROM:TO, 0 <= FROM <= TO <= 1000000");
        } else if (strcmp(a, "--header") == 0) {
            if (o->n_extra == SC_EXTRA_MAX || strpbrk(argv[i + 1], "\r\n") != NULL)
                return usage("too many --header or CR/LF in one");
            o->extra[o->n_extra++] = argv[++i];
        } else if (strcmp(a, "--omit") == 0) {
            if (o->n_omit == SC_OMIT_MAX)
                return usage("too many --omit");
            o->omit[o->n_omit++] = argv[++i];
        } else if ((slot = opt_slot(o, a)) != NULL)
            *slot = argv[++i];
        else
            return usage("unknown option");
    }
    if (o->url == NULL)
        return usage("--url is required");
    if (strcmp(o->method, "POST") != 0 && strcmp(o->method, "GET") != 0)
        return usage("--method is POST or GET");
    if (o->body_file != NULL && o->body_text != NULL)
        return usage("--body and --body-text exclude each other");
    if (o->each_to != 0 && o->repeat != 1)
        return usage("--repeat and --each exclude each other");
    if (!o->no_signature && o->signature == NULL &&
        ((o->key_file == NULL && o->sign_cmd == NULL) || o->key_id == NULL))
        return usage("signing needs --key (or --sign-cmd) and --key-id (or --no-signature / "
                     "--signature)");
    if (o->target != NULL && (o->target[0] != '/' || strpbrk(o->target, " \r\n") != NULL))
        return usage("--target is a path starting with /");
    if ((o->send_host != NULL && strpbrk(o->send_host, "\r\n") != NULL) ||
        (o->sig_prepend != NULL && strpbrk(o->sig_prepend, "\r\n") != NULL) ||
        (o->sig_append != NULL && strpbrk(o->sig_append, "\r\n") != NULL))
        return usage("CR/LF in --send-host, --sig-prepend or --sig-append");
    if (o->headers == NULL)
        o->headers = strcmp(o->method, "POST") == 0 && !o->no_digest
                         ? "(request-target) host date digest"
                         : "(request-target) host date";
    return 0;
}

static int file_read(const char *path, char **out, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL, *p;
    size_t len = 0, cap = 0, n;

    if (f == NULL)
        return -1;
    for (;;) {
        if (cap - len < 65536) {
            cap = cap ? cap * 2 : 131072;
            if (cap > SC_FILE_MAX + 65536 || (p = realloc(data, cap + 1)) == NULL)
                goto fail;
            data = p;
        }
        n = fread(data + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    if (ferror(f))
        goto fail;
    fclose(f);
    data[len] = '\0';
    *out = data;
    *out_len = len;
    return 0;
fail:
    free(data);
    fclose(f);
    return -1;
}

/* Splits URL into the Host header value and the request target; refuses anything but
 * loopback, so a test can never send traffic off the machine. */
static int url_split(const char *url, struct request *rq)
{
    CURLU *u = curl_url();
    char *host = NULL, *port = NULL, *path = NULL, *query = NULL;
    struct in_addr a;
    int rc = -1, n;

    if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK)
        goto out;
    if (strcmp(host, "localhost") != 0 &&
        (inet_pton(AF_INET, host, &a) != 1 || (ntohl(a.s_addr) >> 24) != 127)) {
        fprintf(stderr, "sigclient: only 127.0.0.0/8 URLs, not %s\n", host);
        goto out;
    }
    curl_url_get(u, CURLUPART_PORT, &port, 0);
    curl_url_get(u, CURLUPART_QUERY, &query, 0);
    n = snprintf(rq->host, sizeof rq->host, "%s%s%s", host, port ? ":" : "", port ? port : "");
    if (n <= 0 || (size_t)n >= sizeof rq->host)
        goto out;
    rq->path = malloc(strlen(path) + (query ? strlen(query) + 2 : 1));
    if (rq->path == NULL)
        goto out;
    snprintf(rq->path, strlen(path) + (query ? strlen(query) + 2 : 1), "%s%s%s", path,
             query ? "?" : "", query ? query : "");
    rc = 0;
out:
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_free(query);
    curl_url_cleanup(u);
    return rc;
}

static void hdr_add(struct request *rq, const char *name, const char *value)
{
    size_t i;

    if (rq->n_hdr == SC_SENT_MAX)
        return;
    for (i = 0; name[i] != '\0' && i + 1 < sizeof rq->hdr[0].name; i++)
        rq->hdr[rq->n_hdr].name[i] =
            (name[i] >= 'A' && name[i] <= 'Z') ? (char)(name[i] - 'A' + 'a') : name[i];
    rq->hdr[rq->n_hdr].name[i] = '\0';
    rq->hdr[rq->n_hdr].value = value;
    rq->n_hdr++;
}

static const char *hdr_get(const struct request *rq, const char *name, size_t len)
{
    size_t i;

    for (i = 0; i < rq->n_hdr; i++)
        if (strlen(rq->hdr[i].name) == len && strncasecmp(rq->hdr[i].name, name, len) == 0)
            return rq->hdr[i].value;
    return NULL;
}

/* The path (request-target) is signed for: the one requested unless --target. */
static const char *signed_target(const struct opts *o, const struct request *rq)
{
    return o->target != NULL ? o->target : rq->path;
}

/* draft-cavage-12 §2.3, built from the headers as sent. */
static char *signing_string(const struct opts *o, const struct request *rq)
{
    struct hr_buf b;
    const char *p = o->headers, *value;
    size_t len;
    bool first = true;

    hr_buf_init(&b, 1 << 20);
    while (*p != '\0') {
        while (*p == ' ')
            p++;
        len = strcspn(p, " ");
        if (len == 0)
            break;
        if (!first)
            hr_buf_adds(&b, "\n");
        first = false;
        if (len == 16 && strncasecmp(p, "(request-target)", len) == 0) {
            hr_buf_addf(&b, "(request-target): %s %s",
                        strcmp(o->method, "POST") == 0 ? "post" : "get", signed_target(o, rq));
        } else if ((value = hdr_get(rq, p, len)) != NULL) {
            hr_buf_addf(&b, "%.*s: %s", (int)len, p, value);
        } else {
            fprintf(stderr, "sigclient: cannot sign '%.*s': header not sent\n", (int)len, p);
            hr_buf_fini(&b);
            return NULL;
        }
        p += len;
    }
    return hr_buf_take(&b);
}

/* When the list is one fed_sig_sign produces, its Signature value must equal ours. */
static int cross_check(const struct opts *o, const struct request *rq, const struct keys_key *key,
                       const char *ours)
{
    static const char *const forms[] = {"(request-target) host date",
                                        "(request-target) host date digest",
                                        "(request-target) host date digest content-type"};
    const char *ct = hdr_get(rq, "content-type", 12);
    char *theirs = NULL;
    struct hr_err err = {0};
    size_t i;
    int rc = 0;

    for (i = 0; i < 3; i++)
        if (strcmp(o->headers, forms[i]) == 0)
            break;
    if (i == 3 || strcmp(o->algorithm, "rsa-sha256") != 0)
        return 0;
    if (fed_sig_sign(key, o->key_id, o->method, signed_target(o, rq), rq->host, rq->date,
                     i >= 1 ? rq->digest : NULL, i == 2 ? ct : NULL, &theirs, &err) != HR_OK) {
        fprintf(stderr, "sigclient: fed_sig_sign failed: %s\n", err.msg);
        return 3;
    }
    if (strstr(theirs, strstr(ours, "signature=\"")) == NULL || strstr(theirs, o->key_id) == NULL) {
        fprintf(stderr, "sigclient: fed_sig_sign disagrees:\n  ours:   %s\n  theirs: %s\n", ours,
                theirs);
        rc = 3;
    }
    free(theirs);
    return rc;
}

/* --sign-cmd: CMD reads the signing string on stdin (a temporary file) and prints the
 * base64 signature; trailing whitespace is dropped. */
static int sign_external(const char *cmd, const char *str, char **out)
{
    char tmp[] = "/tmp/sigclient.XXXXXX", *line = NULL, *sig = NULL;
    struct hr_buf b;
    size_t n = 0, len = strlen(str);
    FILE *p = NULL;
    int fd = mkstemp(tmp), rc = 1;

    if (fd < 0 || write(fd, str, len) != (ssize_t)len) {
        fprintf(stderr, "sigclient: cannot write a temporary file: %s\n", strerror(errno));
        goto out;
    }
    hr_buf_init(&b, 65536);
    hr_buf_addf(&b, "(%s) < %s", cmd, tmp);
    line = hr_buf_take(&b);
    if (line == NULL || (p = popen(line, "r")) == NULL)
        goto out;
    sig = calloc(1, SC_SIG_MAX + 1);
    if (sig == NULL)
        goto out;
    n = fread(sig, 1, SC_SIG_MAX, p);
    while (n > 0 && (sig[n - 1] == '\n' || sig[n - 1] == '\r' || sig[n - 1] == ' '))
        n--;
    sig[n] = '\0';
    if (pclose(p) != 0 || n == 0 || strpbrk(sig, "\"\r\n") != NULL) {
        fprintf(stderr, "sigclient: --sign-cmd failed or printed no signature\n");
        p = NULL;
        goto out;
    }
    p = NULL;
    *out = sig;
    sig = NULL;
    rc = 0;
out:
    if (p != NULL)
        pclose(p);
    if (fd >= 0) {
        close(fd);
        unlink(tmp);
    }
    free(line);
    free(sig);
    return rc;
}

static int sign(const struct opts *o, struct request *rq)
{
    struct keys_key *key = NULL;
    struct hr_err err = {0};
    struct hr_buf b;
    char *pem = NULL, *str = NULL, *sig = NULL;
    size_t pem_len;
    int rc = 1;

    str = signing_string(o, rq);
    if (str == NULL)
        goto out;
    if (o->verbose)
        fprintf(stderr, "signing string:\n%s\n", str);
    if (o->sign_cmd != NULL) {
        if (sign_external(o->sign_cmd, str, &sig) != 0)
            goto out;
    } else {
        if (file_read(o->key_file, &pem, &pem_len) != 0) {
            fprintf(stderr, "sigclient: cannot read %s: %s\n", o->key_file, strerror(errno));
            goto out;
        }
        if (keys_private_load(pem, &key, &err) != HR_OK) {
            fprintf(stderr, "sigclient: %s: %s\n", o->key_file, err.msg);
            goto out;
        }
        if (keys_rsa_sign(key, str, strlen(str), &sig, &err) != HR_OK) {
            fprintf(stderr, "sigclient: signing failed %s\n", err.msg);
            goto out;
        }
    }
    hr_buf_init(&b, 1 << 20);
    hr_buf_addf(&b, "keyId=\"%s\",algorithm=\"%s\",headers=\"%s\",signature=\"%s\"", o->key_id,
                o->algorithm, o->headers, sig);
    rq->signature = hr_buf_take(&b);
    rc = rq->signature == NULL ? 1 : 0;
    if (rc == 0 && key != NULL)
        rc = cross_check(o, rq, key, rq->signature);
out:
    free(sig);
    free(str);
    keys_secret_free(pem);
    keys_key_free(key);
    return rc;
}

/* --sig-prepend and --sig-append around the Signature value. */
static int sig_wrap(const struct opts *o, struct request *rq)
{
    struct hr_buf b;

    if (o->sig_prepend == NULL && o->sig_append == NULL)
        return 0;
    hr_buf_init(&b, 1 << 20);
    hr_buf_addf(&b, "%s%s%s", o->sig_prepend ? o->sig_prepend : "", rq->signature,
                o->sig_append ? o->sig_append : "");
    free(rq->signature);
    rq->signature = hr_buf_take(&b);
    return rq->signature == NULL ? 1 : 0;
}

/* Changes one byte the digest covered: the case of the first letter inside the first JSON
 * string, so the body stays valid JSON and only the Digest/signature can catch it. */
static void tamper(struct request *rq)
{
    char *q = memchr(rq->body, '"', rq->body_len);
    size_t i = q ? (size_t)(q - rq->body) + 1 : 0;

    for (; i < rq->body_len; i++) {
        char c = rq->body[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
            rq->body[i] = (char)(c ^ 0x20);
            return;
        }
    }
    if (rq->body_len > 0)
        rq->body[rq->body_len - 1] ^= 1;
}

struct resp {
    char *data;
    size_t len;
};

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
    struct resp *r = ctx;
    size_t add = size * n;
    char *np;

    if (add > SC_RESP_MAX - r->len)
        return 0;
    np = realloc(r->data, r->len + add + 1);
    if (np == NULL)
        return 0;
    r->data = np;
    memcpy(r->data + r->len, p, add);
    r->len += add;
    r->data[r->len] = '\0';
    return add;
}

static bool omitted(const struct opts *o, const char *name)
{
    for (size_t i = 0; i < o->n_omit; i++)
        if (strcasecmp(o->omit[i], name) == 0)
            return true;
    return false;
}

static struct curl_slist *header_list(const struct opts *o, const struct request *rq)
{
    struct curl_slist *l = NULL, *n;
    char line[16384];
    size_t i;

    for (i = 0; i < rq->n_hdr; i++) {
        const char *value = rq->hdr[i].value;
        int k;

        if (omitted(o, rq->hdr[i].name))
            continue;
        if (o->send_host != NULL && strcmp(rq->hdr[i].name, "host") == 0)
            value = o->send_host;
        k = snprintf(line, sizeof line, "%s: %s", rq->hdr[i].name, value);
        if (k <= 0 || (size_t)k >= sizeof line || (n = curl_slist_append(l, line)) == NULL)
            goto fail;
        l = n;
        if (o->verbose)
            fprintf(stderr, "> %s\n", line);
    }
    if (rq->signature != NULL && !omitted(o, "signature")) {
        int k = snprintf(line, sizeof line, "Signature: %s", rq->signature);
        if (k <= 0 || (size_t)k >= sizeof line || (n = curl_slist_append(l, line)) == NULL)
            goto fail;
        l = n;
        if (o->verbose)
            fprintf(stderr, "> %s\n", line);
    }
    /* Suppress what curl would add on its own: these requests are exactly what we say. */
    for (i = 0; i < o->n_omit; i++) {
        int k = snprintf(line, sizeof line, "%s:", o->omit[i]);
        if (k <= 0 || (size_t)k >= sizeof line || (n = curl_slist_append(l, line)) == NULL)
            goto fail;
        l = n;
    }
    if (hdr_get(rq, "content-type", 12) == NULL && (n = curl_slist_append(l, "Content-Type:")))
        l = n;
    if (hdr_get(rq, "expect", 6) == NULL && (n = curl_slist_append(l, "Expect:")) != NULL)
        l = n;
    if (hdr_get(rq, "accept", 6) == NULL && (n = curl_slist_append(l, "Accept:")) != NULL)
        l = n;
    return l;
fail:
    curl_slist_free_all(l);
    return NULL;
}

static int send_once(const struct opts *o, const struct request *rq, struct curl_slist *hl)
{
    CURL *c = curl_easy_init();
    struct resp r = {0};
    long status = 0;
    CURLcode cc;
    int rc = 1;

    if (c == NULL)
        return 1;
    curl_easy_setopt(c, CURLOPT_URL, o->url);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    if (strcmp(o->method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
    }
    cc = curl_easy_perform(c);
    if (cc == CURLE_OK || cc == CURLE_SEND_ERROR || cc == CURLE_RECV_ERROR)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status == 0) {
        printf("000\n");
        fprintf(stderr, "sigclient: %s: %s\n", o->url, curl_easy_strerror(cc));
    } else {
        printf("%ld\n%s%s", status, r.data ? r.data : "",
               r.len > 0 && r.data[r.len - 1] != '\n' ? "\n" : "");
        rc = 0;
    }
    fflush(stdout);
    free(r.data);
    curl_easy_cleanup(c);
    return rc;
}

/* Headers in the order Mastodon sends them; each can be dropped or replaced. */
static void headers_build(const struct opts *o, struct request *rq)
{
    size_t i;

    hdr_add(rq, "host", o->host != NULL ? o->host : rq->host);
    if (o->host != NULL)
        snprintf(rq->host, sizeof rq->host, "%s", o->host);
    if (rq->date[0] != '\0')
        hdr_add(rq, "date", rq->date);
    if (rq->digest[0] != '\0')
        hdr_add(rq, "digest", rq->digest);
    if (strcmp(o->method, "POST") == 0 && o->content_type[0] != '\0')
        hdr_add(rq, "content-type", o->content_type);
    if (o->accept[0] != '\0')
        hdr_add(rq, "accept", o->accept);
    for (i = 0; i < o->n_extra; i++) {
        const char *colon = strchr(o->extra[i], ':');
        char name[64];
        size_t len = colon ? (size_t)(colon - o->extra[i]) : 0;

        if (len == 0 || len >= sizeof name)
            continue;
        memcpy(name, o->extra[i], len);
        name[len] = '\0';
        colon++;
        while (*colon == ' ')
            colon++;
        hdr_add(rq, name, colon);
    }
}

static int request_prepare(const struct opts *o, struct request *rq)
{
    int n;

    if (url_split(o->url, rq) != 0)
        return usage("bad or non-loopback --url");
    if (o->body_file != NULL && file_read(o->body_file, &rq->body, &rq->body_len) != 0) {
        fprintf(stderr, "sigclient: cannot read %s\n", o->body_file);
        return 1;
    }
    if (rq->body == NULL) {
        rq->body = strdup(o->body_text != NULL ? o->body_text : "");
        rq->body_len = rq->body ? strlen(rq->body) : 0;
        if (rq->body == NULL)
            return 1;
    }
    if (o->date != NULL) {
        n = snprintf(rq->date, sizeof rq->date, "%s", o->date);
        if (n < 0 || (size_t)n >= sizeof rq->date)
            return usage("--date too long");
    } else {
        hr_http_date(hr_now_ms() + o->date_offset * 1000, rq->date);
    }
    if (o->digest != NULL) {
        n = snprintf(rq->digest, sizeof rq->digest, "%s", o->digest);
        if (n < 0 || (size_t)n >= sizeof rq->digest)
            return usage("--digest too long");
    } else if (!o->no_digest && strcmp(o->method, "POST") == 0) {
        fed_digest_make(rq->body, rq->body_len, rq->digest);
    }
    if (o->rfc9421 != NULL && strcmp(o->method, "POST") == 0) {
        if (o->content_digest != NULL)
            snprintf(rq->content_digest, sizeof rq->content_digest, "%s", o->content_digest);
        else
            fed_content_digest_make(rq->body, rq->body_len, rq->content_digest);
    }
    headers_build(o, rq);
    if (rq->content_digest[0] != '\0')
        hdr_add(rq, "content-digest", rq->content_digest);
    return 0;
}

/* ---- RFC 9421 (--rfc9421) ---------------------------------------------------------- */

/* One component's value (RFC 9421 §2.1, §2.2), from the request as sent. */
static void sig9_value(const struct opts *o, const struct request *rq, const char *name,
                       struct hr_buf *b)
{
    const char *q = strchr(rq->path, '?');
    size_t plen = q ? (size_t)(q - rq->path) : strlen(rq->path);
    const char *v;

    if (strcmp(name, "@method") == 0)
        hr_buf_adds(b, o->method);
    else if (strcmp(name, "@target-uri") == 0 && o->sig9_target_uri != NULL)
        hr_buf_adds(b, o->sig9_target_uri);
    else if (strcmp(name, "@target-uri") == 0)
        hr_buf_addf(b, "http://%s%s", rq->host, rq->path);
    else if (strcmp(name, "@authority") == 0)
        hr_buf_adds(b, rq->host);
    else if (strcmp(name, "@scheme") == 0)
        hr_buf_adds(b, "http");
    else if (strcmp(name, "@request-target") == 0)
        hr_buf_adds(b, rq->path);
    else if (strcmp(name, "@path") == 0)
        hr_buf_add(b, rq->path, plen);
    else if (strcmp(name, "@query") == 0)
        hr_buf_adds(b, q ? q : "?");
    else if ((v = hdr_get(rq, name, strlen(name))) != NULL)
        hr_buf_adds(b, v);
}

/* §2.5: one line per quoted name of LIST, then @signature-params. */
static char *sig9_base(const struct opts *o, const struct request *rq, const char *params)
{
    struct hr_buf b;
    const char *p = o->rfc9421;

    hr_buf_init(&b, 1 << 20);
    while ((p = strchr(p, '"')) != NULL) {
        const char *end = strchr(p + 1, '"');
        char name[64];
        if (end == NULL || (size_t)(end - p) >= sizeof name)
            break;
        snprintf(name, sizeof name, "%.*s", (int)(end - p - 1), p + 1);
        hr_buf_addf(&b, "\"%s\": ", name);
        sig9_value(o, rq, name, &b);
        hr_buf_add(&b, "\n", 1);
        p = end + 1;
        while (*p != '\0' && *p != ' ' && *p != '"') /* ;params of a component */
            p++;
    }
    hr_buf_addf(&b, "\"@signature-params\": (%s)%s", o->rfc9421, params);
    return hr_buf_take(&b);
}

static char *sig9_params(const struct opts *o)
{
    struct hr_buf b;

    hr_buf_init(&b, 1 << 16);
    if (!o->sig9_no_created)
        hr_buf_addf(&b, ";created=%lld", (long long)(hr_now_ms() / 1000 + o->sig9_created));
    if (o->sig9_has_expires)
        hr_buf_addf(&b, ";expires=%lld", (long long)(hr_now_ms() / 1000 + o->sig9_expires));
    if (o->key_id != NULL)
        hr_buf_addf(&b, ";keyid=\"%s\"", o->key_id);
    if (strcmp(o->sig9_alg, "-") != 0)
        hr_buf_addf(&b, ";alg=\"%s\"", o->sig9_alg);
    if (o->sig9_extra != NULL)
        hr_buf_adds(&b, o->sig9_extra);
    return hr_buf_take(&b);
}

static int sig9_rsa(const struct opts *o, const char *base, char **b64)
{
    struct keys_key *key = NULL;
    struct hr_err err = {0};
    char *pem = NULL;
    size_t pem_len;
    int rc = 1;

    if (o->key_file == NULL || file_read(o->key_file, &pem, &pem_len) != 0)
        fprintf(stderr, "sigclient: --rfc9421 needs a readable --key\n");
    else if (keys_private_load(pem, &key, &err) != HR_OK ||
             keys_rsa_sign(key, base, strlen(base), b64, &err) != HR_OK)
        fprintf(stderr, "sigclient: %s: %s\n", o->key_file, err.msg);
    else
        rc = 0;
    keys_secret_free(pem);
    keys_key_free(key);
    return rc;
}

/* Signature-Input into rq->sig9_input (and the header list), Signature into rq->signature. */
static int sign9(const struct opts *o, struct request *rq)
{
    char *params = sig9_params(o), *base = NULL, *b64 = NULL;
    struct hr_buf b;
    int rc = params == NULL;

    if (rc == 0 && o->sig9_signature == NULL) {
        base = sig9_base(o, rq, params);
        if (o->verbose && base != NULL)
            fprintf(stderr, "signature base:\n%s\n", base);
        rc = base == NULL || sig9_rsa(o, base, &b64) != 0;
    }
    hr_buf_init(&b, 1 << 20);
    if (o->sig9_input != NULL)
        hr_buf_adds(&b, o->sig9_input);
    else
        hr_buf_addf(&b, "%s%s=(%s)%s", o->sig9_prepend ? o->sig9_prepend : "", o->sig9_label,
                    o->rfc9421, params ? params : "");
    rq->sig9_input = hr_buf_take(&b);
    hr_buf_init(&b, 1 << 20);
    if (o->sig9_signature != NULL)
        hr_buf_adds(&b, o->sig9_signature);
    else if (b64 != NULL)
        hr_buf_addf(&b, "%s=:%s:", o->sig9_label, b64);
    rq->signature = hr_buf_take(&b);
    if (rq->sig9_input != NULL)
        hdr_add(rq, "signature-input", rq->sig9_input);
    free(params);
    free(base);
    free(b64);
    return rc != 0 || rq->sig9_input == NULL || rq->signature == NULL;
}

/* Prepares, signs and sends O's request COUNT times; 0 when every send got an answer. */
static int run(const struct opts *o, uint64_t count)
{
    struct request rq = {0};
    struct curl_slist *hl = NULL;
    uint64_t i;
    int rc = request_prepare(o, &rq);

    if (rc == 0 && o->rfc9421 != NULL)
        rc = sign9(o, &rq);
    else if (rc == 0 && !o->no_signature) {
        if (o->signature != NULL)
            rq.signature = strdup(o->signature);
        else
            rc = sign(o, &rq);
        if (rc == 0 && rq.signature == NULL)
            rc = 1;
    }
    if (rc == 0 && rq.signature != NULL)
        rc = sig_wrap(o, &rq);
    if (rc == 0 && o->tamper)
        tamper(&rq);
    if (rc == 0 && (hl = header_list(o, &rq)) == NULL)
        rc = 1;
    for (i = 0; rc == 0 && i < count; i++)
        rc = send_once(o, &rq, hl);
    curl_slist_free_all(hl);
    free(rq.sig9_input);
    free(rq.signature);
    free(rq.body);
    free(rq.path);
    return rc;
}

/* TEXT with every "{n}" replaced by N (heap; NULL stays NULL, and on no memory). */
static char *each_subst(const char *text, uint64_t n)
{
    struct hr_buf b;
    const char *p, *hit;

    if (text == NULL)
        return NULL;
    hr_buf_init(&b, 1 << 20);
    for (p = text; (hit = strstr(p, "{n}")) != NULL; p = hit + 3) {
        hr_buf_add(&b, p, (size_t)(hit - p));
        hr_buf_addf(&b, "%llu", (unsigned long long)n);
    }
    hr_buf_add(&b, p, strlen(p));
    if (b.err != HR_OK) {
        hr_buf_fini(&b);
        return NULL;
    }
    return hr_buf_take(&b);
}

/* --each: one request per number, the same options but for the substituted ones. */
static int run_each(const struct opts *o)
{
    int rc = 0;

    for (uint64_t n = o->each_from; rc == 0 && n < o->each_to; n++) {
        struct opts one = *o;
        char *url = each_subst(o->url, n), *key_id = each_subst(o->key_id, n),
             *body = each_subst(o->body_text, n);

        one.url = url;
        one.key_id = key_id;
        one.body_text = body;
        if (url == NULL || (o->key_id != NULL && key_id == NULL) ||
            (o->body_text != NULL && body == NULL))
            rc = 1;
        else
            rc = run(&one, 1);
        free(url);
        free(key_id);
        free(body);
    }
    return rc;
}

int main(int argc, char **argv)
{
    struct opts o = {0};
    int rc;

    rc = opts_parse(argc, argv, &o);
    if (rc != 0)
        return rc;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    rc = o.each_to != 0 ? run_each(&o) : run(&o, o.repeat);
    curl_global_cleanup();
    return rc;
}
