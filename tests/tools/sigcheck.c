/* tests/tools/sigcheck.c - verifies a request fakepeer recorded, the way a remote server
 * would: draft-cavage-12 signature over the headers its "headers" parameter lists, and
 * the Digest header against the body.
 *
 *   sigcheck HEADERS-FILE BODY-FILE PUBLIC-KEY-PEM [EXPECTED-KEY-ID]
 *
 * HEADERS-FILE is fakepeer's NNNNNN.headers ("POST /path HTTP/1.1" then "Name: value"
 * lines). The signing string is rebuilt here from those lines (independently of
 * federation/httpsig.c); fed_sig_parse only splits the Signature header's parameters.
 * Requires (request-target), host, date and digest to be signed. Prints "ok" and exits 0,
 * or prints the reason and exits 1 (2 on usage errors). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/hr.h"
#include "federation/httpsig.h"
#include "keys/keys.h"

#define CK_FILE_MAX (16 * 1024 * 1024)
#define CK_LINES    128

struct recorded {
    char *text;            /* the headers file, split in place */
    char *method, *target; /* from the request line */
    char *name[CK_LINES], *value[CK_LINES];
    size_t n;
};

static char *file_read(const char *path, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL, *p;
    size_t len = 0, cap = 0, n;

    if (f == NULL)
        return NULL;
    for (;;) {
        if (cap - len < 4096) {
            cap = cap ? cap * 2 : 65536;
            if (cap > CK_FILE_MAX || (p = realloc(data, cap + 1)) == NULL) {
                free(data);
                fclose(f);
                return NULL;
            }
            data = p;
        }
        n = fread(data + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    data[len] = '\0';
    *out_len = len;
    return data;
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int fail(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    return 1;
}

static int parse_recorded(char *text, struct recorded *r)
{
    char *line = text, *nl, *next, *colon, *sp;

    r->text = text;
    nl = strchr(line, '\n');
    if (nl == NULL)
        return -1;
    *nl = '\0';
    sp = strchr(line, ' ');
    if (sp == NULL)
        return -1;
    *sp = '\0';
    r->method = line;
    r->target = sp + 1;
    sp = strchr(r->target, ' '); /* " HTTP/1.1" */
    if (sp != NULL)
        *sp = '\0';
    for (line = nl + 1; line != NULL && *line != '\0' && r->n < CK_LINES; line = next) {
        nl = strchr(line, '\n');
        next = NULL;
        if (nl != NULL) {
            *nl = '\0';
            next = nl + 1;
        }
        colon = strchr(line, ':');
        if (colon == NULL)
            return -1;
        *colon = '\0';
        r->name[r->n] = line;
        r->value[r->n] = colon + 1 + (colon[1] == ' ');
        r->n++;
    }
    return 0;
}

/* draft-cavage-12 §2.3: several occurrences joined with ", ". NULL when absent. */
static char *header_join(const struct recorded *r, const char *name, size_t len)
{
    struct hr_buf b;
    bool any = false;
    size_t i;

    hr_buf_init(&b, 1 << 20);
    for (i = 0; i < r->n; i++) {
        if (strlen(r->name[i]) != len || strncasecmp(r->name[i], name, len) != 0)
            continue;
        if (any)
            hr_buf_adds(&b, ", ");
        hr_buf_adds(&b, r->value[i]);
        any = true;
    }
    if (!any) {
        hr_buf_fini(&b);
        return NULL;
    }
    return hr_buf_take(&b);
}

static char *signing_string(const struct recorded *r, const struct fed_sig *sig, char *why,
                            size_t why_size)
{
    struct hr_buf b;
    size_t i, k;
    char *v;

    hr_buf_init(&b, 1 << 20);
    for (i = 0; i < sig->n_headers; i++) {
        const struct hr_slice h = sig->headers[i];
        if (i > 0)
            hr_buf_adds(&b, "\n");
        for (k = 0; k < h.len; k++) {
            char c = h.p[k];
            hr_buf_addf(&b, "%c", c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        }
        if (hr_slice_ieq(h, "(request-target)")) {
            hr_buf_adds(&b, ": ");
            for (k = 0; r->method[k] != '\0'; k++) {
                char c = r->method[k];
                hr_buf_addf(&b, "%c", c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
            }
            hr_buf_addf(&b, " %s", r->target);
            continue;
        }
        v = header_join(r, h.p, h.len);
        if (v == NULL) {
            snprintf(why, why_size, "signed header %.*s was not sent", (int)h.len, h.p);
            hr_buf_fini(&b);
            return NULL;
        }
        hr_buf_addf(&b, ": %s", v);
        free(v);
    }
    return hr_buf_take(&b);
}

static bool covers(const struct fed_sig *sig, const char *name)
{
    size_t i;

    for (i = 0; i < sig->n_headers; i++)
        if (hr_slice_ieq(sig->headers[i], name))
            return true;
    return false;
}

static int check(const struct recorded *r, const char *body, size_t body_len, const char *pub_pem,
                 const char *want_key_id)
{
    static const char *const required[] = {"(request-target)", "host", "date", "digest"};
    struct keys_key *pub = NULL;
    struct hr_err err = {0};
    struct fed_sig sig;
    char *sigval = header_join(r, "signature", 9), *digest = header_join(r, "digest", 6);
    char *str = NULL, why[256] = "";
    size_t i;
    int rc = 1;

    if (sigval == NULL || digest == NULL) {
        rc = fail("missing %s header", sigval == NULL ? "Signature" : "Digest");
        goto out;
    }
    if (fed_sig_parse((struct hr_slice){sigval, strlen(sigval)}, &sig, &err) != HR_OK) {
        rc = fail("Signature header does not parse: %s", err.msg);
        goto out;
    }
    for (i = 0; i < 4; i++)
        if (!covers(&sig, required[i])) {
            rc = fail("signature does not cover %s", required[i]);
            goto out;
        }
    if (want_key_id != NULL && !hr_slice_eq(sig.key_id, want_key_id)) {
        rc = fail("keyId is not %s", want_key_id);
        goto out;
    }
    if (fed_digest_check((struct hr_slice){digest, strlen(digest)}, body, body_len, &err) !=
        HR_OK) {
        rc = fail("Digest does not match the body: %s", err.msg);
        goto out;
    }
    str = signing_string(r, &sig, why, sizeof why);
    if (str == NULL) {
        rc = fail("%s", why);
        goto out;
    }
    if (keys_public_load(pub_pem, strlen(pub_pem), &pub, &err) != HR_OK) {
        rc = fail("public key: %s", err.msg);
        goto out;
    }
    if (keys_rsa_verify(pub, str, strlen(str), sig.signature, &err) != HR_OK) {
        printf("signature does not verify over:\n%s\n", str);
        goto out;
    }
    printf("ok\n");
    rc = 0;
out:
    keys_key_free(pub);
    free(str);
    free(sigval);
    free(digest);
    return rc;
}

int main(int argc, char **argv)
{
    struct recorded r = {0};
    char *headers = NULL, *body = NULL, *pem = NULL;
    size_t hlen, blen, plen;
    int rc = 2;

    if (argc < 4 || argc > 5) {
        fprintf(stderr, "usage: sigcheck HEADERS-FILE BODY-FILE PUBLIC-KEY-PEM [KEY-ID]\n");
        return 2;
    }
    headers = file_read(argv[1], &hlen);
    body = file_read(argv[2], &blen);
    pem = file_read(argv[3], &plen);
    if (headers == NULL || body == NULL || pem == NULL) {
        fprintf(stderr, "sigcheck: cannot read an input file\n");
        goto out;
    }
    if (parse_recorded(headers, &r) != 0) {
        rc = fail("%s: not a recorded request", argv[1]);
        goto out;
    }
    rc = check(&r, body, blen, pem, argc == 5 ? argv[4] : NULL);
out:
    free(headers);
    free(body);
    free(pem);
    return rc;
}
