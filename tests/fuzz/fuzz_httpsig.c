/* tests/fuzz/fuzz_httpsig.c - the Signature header (draft-cavage-12) as a peer sends it:
 * fed_sig_parse on the raw bytes, then, for what parses, the signing string against one
 * fixed request, the coverage policy and the time checks. Input: the header value. */
#include "fuzz.h"

#include "federation/httpsig.h"

/* The request every parsed signature is evaluated against (a typical inbox POST). */
static const char *const fake_headers[][2] = {
    {"host", "social.example"},
    {"date", "Fri, 14 Mar 2025 15:09:26 GMT"},
    {"digest", "SHA-256=0xsI30GVcGfEu8/hUsxM5V5eaeEnMDg1EKTfOlztHq8="},
    {"content-type", "application/activity+json"},
    {"user-agent", " Fedify/2.3.6 "},
    {"accept", "application/activity+json,\tapplication/ld+json"},
};

static const char *fake_header(void *ctx, const char *name)
{
    (void)ctx;
    /* names reach the callback lowercased (draft-cavage-12 §2.3 step 1) */
    for (const char *p = name; *p != '\0'; p++)
        FUZZ_CHECK(!(*p >= 'A' && *p <= 'Z'));
    for (size_t i = 0; i < sizeof fake_headers / sizeof fake_headers[0]; i++)
        if (strcmp(fake_headers[i][0], name) == 0)
            return fake_headers[i][1];
    return NULL;
}

static bool inside(struct hr_slice s, const uint8_t *data, size_t size)
{
    uintptr_t lo = (uintptr_t)data, p = (uintptr_t)s.p;

    return s.len == 0 || (p >= lo && s.len <= size && p - lo <= size - s.len);
}

/* What a successful parse promises (federation/httpsig.h). */
static void check_parsed(const struct fed_sig *sig, const uint8_t *data, size_t size)
{
    FUZZ_CHECK(sig->key_id.len > 0 && inside(sig->key_id, data, size));
    FUZZ_CHECK(sig->signature.len > 0 && inside(sig->signature, data, size));
    FUZZ_CHECK(inside(sig->algorithm, data, size));
    FUZZ_CHECK(sig->n_headers >= 1 && sig->n_headers <= FED_SIG_MAX_HEADERS);
    for (size_t i = 0; i < sig->n_headers; i++) {
        FUZZ_CHECK(sig->headers[i].len > 0);
        /* the default list ("date") is a static string, the rest point into the input */
        FUZZ_CHECK(inside(sig->headers[i], data, size) || hr_slice_eq(sig->headers[i], "date"));
    }
    FUZZ_CHECK(sig->created >= 0 && sig->expires >= 0);
    FUZZ_CHECK(sig->expires == 0 || sig->created == 0 || sig->expires >= sig->created);
}

/* The signing string has one line per signed header, each "name: value", no CR. */
static void check_string(const struct fed_sig *sig, const char *s)
{
    size_t lines = 1;

    for (const char *p = s; *p != '\0'; p++)
        lines += *p == '\n';
    FUZZ_CHECK(lines == sig->n_headers);
    FUZZ_CHECK(strchr(s, '\r') == NULL);
    FUZZ_CHECK(strstr(s, ": ") != NULL);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    hr_log_max = HR_LOG_ERR;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fed_sig_request req = {"POST", "/users/health/inbox?x=1", fake_header, NULL};
    struct hr_slice value = {(const char *)data, size};
    struct fed_sig sig;
    struct hr_err err = {0};
    char *s = NULL;
    int rc;

    memset(&sig, 0xA5, sizeof sig); /* out must be untouched on failure, filled on success */
    rc = fed_sig_parse(value, &sig, &err);
    if (rc != HR_OK) {
        fuzz_check_err(&err, rc);
        return 0;
    }
    check_parsed(&sig, data, size);

    memset(&err, 0, sizeof err);
    rc = fed_sig_string(&sig, &req, &s, &err);
    if (rc == HR_OK)
        check_string(&sig, s);
    else
        fuzz_check_err(&err, rc);
    free(s);

    memset(&err, 0, sizeof err);
    rc = fed_sig_require(&sig, "POST", &err);
    if (rc != HR_OK)
        fuzz_check_err(&err, rc);
    memset(&err, 0, sizeof err);
    /* 2025-03-14T15:09:26Z, the fake Date: both the in-window and the created paths run */
    rc = fed_sig_check_time(&sig, fake_header(NULL, "date"), 1741964966000, 300, &err);
    if (rc != HR_OK)
        fuzz_check_err(&err, rc);
    return 0;
}
