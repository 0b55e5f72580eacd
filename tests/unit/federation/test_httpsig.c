/* tests/unit/federation/test_httpsig.c - draft-cavage HTTP signatures.
 * Part 1 runs every case folder in tests/fixtures/httpsig/ (requests signed by Fedify,
 * see that folder's README.md): parse -> require -> time -> digest -> verify, and the
 * first failing step must be the one named in the case's `expect`. The clock is the
 * case's Date header (or its `now` file), never the machine's.
 * Part 2 is hand-written tables: hostile Signature headers, the signing string, the
 * policy, the time window and our own signer. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#include "federation/httpsig.h"
#include "federation/httpsig9.h"

#define FIX_DIR      HERALD_FIXTURES "/httpsig"
#define WINDOW_S     300 /* the window the fixtures are checked with */
#define MAX_FIXTURES 128
#define MAX_REQ_HDRS 32

/* ---- helpers -------------------------------------------------------------------- */

static struct hr_slice sl(const char *s)
{
    return (struct hr_slice){s, strlen(s)};
}

/* Whole file, NUL-terminated; NULL when it does not exist. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;

    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len != NULL)
        *len = (size_t)n;
    return buf;
}

static char *slurp_in(const char *dir, const char *name, size_t *len)
{
    char path[1024];
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);

    assert_true(n > 0 && (size_t)n < sizeof path);
    return slurp(path, len);
}

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

/* A parsed fixture `request` file (format in tests/fixtures/httpsig/README.md). */
struct req {
    char *buf, *method, *target;
    const char *body;
    size_t body_len, n;
    char *names[MAX_REQ_HDRS], *values[MAX_REQ_HDRS];
    char *joined[64]; /* answers of req_header, freed with the request */
    size_t n_joined;
};

static char *cut_line(char **p)
{
    char *line = *p, *nl = strchr(line, '\n');

    assert_non_null(nl);
    *nl = '\0';
    *p = nl + 1;
    return line;
}

static void req_load(struct req *r, const char *dir)
{
    size_t len;
    char *p, *line, *colon;

    memset(r, 0, sizeof *r);
    r->buf = slurp_in(dir, "request", &len);
    assert_non_null(r->buf);
    p = r->buf;
    line = cut_line(&p);
    r->method = line;
    r->target = strchr(line, ' ');
    assert_non_null(r->target);
    *r->target++ = '\0';
    while (*(line = cut_line(&p)) != '\0') {
        assert_true(r->n < MAX_REQ_HDRS);
        colon = strstr(line, ": ");
        assert_non_null(colon);
        *colon = '\0';
        r->names[r->n] = line;
        r->values[r->n++] = colon + 2;
    }
    r->body = p;
    r->body_len = len - (size_t)(p - r->buf);
}

/* Header callback: case-insensitive name; repeated headers joined with ", " (§2.3). */
static const char *req_header(void *ctx, const char *name)
{
    struct req *r = ctx;
    size_t total = 0, count = 0, pos = 0;
    char *out;

    for (size_t i = 0; i < r->n; i++)
        if (strcasecmp(r->names[i], name) == 0) {
            total += strlen(r->values[i]) + 2;
            count++;
        }
    if (count == 0)
        return NULL;
    assert_true(r->n_joined < sizeof r->joined / sizeof r->joined[0]);
    out = r->joined[r->n_joined++] = malloc(total);
    assert_non_null(out);
    for (size_t i = 0; i < r->n; i++) {
        size_t n = strlen(r->values[i]);
        if (strcasecmp(r->names[i], name) != 0)
            continue;
        if (pos > 0) {
            memcpy(out + pos, ", ", 2);
            pos += 2;
        }
        memcpy(out + pos, r->values[i], n);
        pos += n;
    }
    out[pos] = '\0';
    return out;
}

static void req_free(struct req *r)
{
    free(r->buf);
    for (size_t i = 0; i < r->n_joined; i++)
        free(r->joined[i]);
}

/* ---- part 1: the fixture cases ---------------------------------------------------- */

struct fixture_case {
    char dir[512];
    char name[160];
};

static int64_t case_now(const char *dir, struct req *r)
{
    char *now = slurp_in(dir, "now", NULL);
    const char *date = now ? now : req_header(r, "date");
    int64_t ms = 0;

    if (now != NULL)
        chomp(now);
    assert_non_null(date);
    assert_int_equal(hr_http_date_parse(date, &ms), HR_OK);
    free(now);
    return ms;
}

/* The RFC 9421 pipeline (a request with Signature-Input), in the inbox's order:
 * parse -> require -> time (created) -> digest (Content-Digest) -> verify. The target URI
 * is https://HOST TARGET, as the fixtures were signed for https://herald.example. */
static const char *case_run9(const char *dir, struct req *r, const struct keys_key *pub,
                             struct hr_err *err)
{
    const char *in = req_header(r, "signature-input"), *sv = req_header(r, "signature");
    const char *cd = req_header(r, "content-digest"), *code = NULL;
    struct fed_sig9_request view = {r->method, r->target, "https", req_header(r, "host"),
                                    req_header, r};
    struct fed_sig9 sig;

    if (sv == NULL || fed_sig9_parse(sl(in), sl(sv), &sig, &code, err) != HR_OK)
        return "parse";
    if (fed_sig9_require(&sig, r->method, &code, err) != HR_OK)
        return "require";
    if (fed_sig9_check_time(&sig, case_now(dir, r), WINDOW_S, &code, err) != HR_OK)
        return "time";
    if (strcmp(r->method, "POST") == 0 &&
        (cd == NULL || fed_content_digest_check(sl(cd), r->body, r->body_len, &code, err) != HR_OK))
        return "digest";
    if (fed_sig9_verify(&sig, &view, pub, err) != HR_OK)
        return "verify";
    return "ok";
}

/* Runs the inbound pipeline and returns the first step that failed, or "ok". */
static const char *case_run(const char *dir, struct req *r, struct hr_err *err)
{
    struct fed_sig_request view = {r->method, r->target, req_header, r};
    const char *sig_value = req_header(r, "signature"), *digest = req_header(r, "digest");
    struct keys_key *pub = NULL;
    struct fed_sig sig;
    size_t pem_len;
    char *pem = slurp_in(dir, "key.pub.pem", &pem_len);
    const char *step = "ok";

    assert_non_null(pem);
    assert_int_equal(keys_public_load(pem, pem_len, &pub, NULL), HR_OK);
    if (req_header(r, "signature-input") != NULL)
        step = case_run9(dir, r, pub, err);
    else if (sig_value == NULL || fed_sig_parse(sl(sig_value), &sig, err) != HR_OK)
        step = "parse";
    else if (fed_sig_require(&sig, r->method, err) != HR_OK)
        step = "require";
    else if (fed_sig_check_time(&sig, req_header(r, "date"), case_now(dir, r), WINDOW_S, err) !=
             HR_OK)
        step = "time";
    else if (digest != NULL && fed_digest_check(sl(digest), r->body, r->body_len, err) != HR_OK)
        step = "digest";
    else if (fed_sig_verify(&sig, &view, pub, err) != HR_OK)
        step = "verify";
    keys_key_free(pub);
    free(pem);
    return step;
}

static void fixture_case_ends_at_its_expected_step(void **state)
{
    const struct fixture_case *fc = *state;
    struct hr_err err = {0};
    struct req r;
    char *expect = slurp_in(fc->dir, "expect", NULL);
    const char *got;

    assert_non_null(expect);
    chomp(expect);
    req_load(&r, fc->dir);
    got = case_run(fc->dir, &r, &err);
    if (strcmp(got, expect) != 0)
        fail_msg("%s: expected %s, got %s (%s)", fc->dir, expect, got, err.msg);
    req_free(&r);
    free(expect);
}

static int case_cmp(const void *a, const void *b)
{
    return strcmp(((const struct fixture_case *)a)->dir, ((const struct fixture_case *)b)->dir);
}

/* Every sub-folder with an `expect` file is a case; sorted so the order is stable. */
static size_t cases_find(struct fixture_case *cases, size_t cap)
{
    DIR *d = opendir(FIX_DIR);
    struct dirent *e;
    size_t n = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL && n < cap) {
        char path[1024];
        FILE *f;
        snprintf(path, sizeof path, "%s/%s/expect", FIX_DIR, e->d_name);
        if (e->d_name[0] == '.' || (f = fopen(path, "r")) == NULL)
            continue;
        fclose(f);
        snprintf(cases[n].dir, sizeof cases[n].dir, "%s/%s", FIX_DIR, e->d_name);
        n++;
    }
    closedir(d);
    qsort(cases, n, sizeof cases[0], case_cmp);
    return n;
}

static int run_fixture_group(void)
{
    static struct fixture_case cases[MAX_FIXTURES];
    static struct CMUnitTest tests[MAX_FIXTURES];
    size_t n = cases_find(cases, MAX_FIXTURES);

    for (size_t i = 0; i < n; i++) {
        char *expect = slurp_in(cases[i].dir, "expect", NULL);
        chomp(expect);
        snprintf(cases[i].name, sizeof cases[i].name, "fixture %s ends at %s",
                 strrchr(cases[i].dir, '/') + 1, expect);
        free(expect);
        tests[i] = (struct CMUnitTest){cases[i].name, fixture_case_ends_at_its_expected_step, NULL,
                                       NULL, &cases[i]};
    }
    if (n < 10) {
        fprintf(stderr, "only %zu fixture cases found in %s\n", n, FIX_DIR);
        return 1;
    }
    return _cmocka_run_group_tests("httpsig fixtures", tests, n, NULL, NULL);
}

/* ---- part 2a: hostile Signature headers ------------------------------------------- */

#define KID  "keyId=\"https://remote.example/users/alice#main-key\""
#define ALG  "algorithm=\"rsa-sha256\""
#define HDR  "headers=\"(request-target) host date digest\""
#define SIG  "signature=\"c2lnbmF0dXJl\""
#define GOOD KID "," ALG "," HDR "," SIG

static const struct {
    const char *why, *value;
    int rc;
} parse_table[] = {
    {"a well-formed header parses", GOOD, HR_OK},
    {"spaces after commas are allowed", KID ", " ALG ",\t" HDR ", " SIG, HR_OK},
    {"an unknown quoted parameter is ignored", GOOD ",foo=\"bar\"", HR_OK},
    {"commas and '=' inside quotes belong to the value",
     "keyId=\"https://r.example/k?a=1,b=2\"," SIG, HR_OK},
    {"algorithm hs2019 is accepted", KID ",algorithm=\"hs2019\"," HDR "," SIG, HR_OK},
    {"an absent algorithm is accepted", KID "," HDR "," SIG, HR_OK},
    {"created and expires may be bare digits",
     KID ",algorithm=\"hs2019\",created=1402170695,expires=1402170699," SIG, HR_OK},
    {"created may be quoted digits", KID ",created=\"1402170695\"," SIG, HR_OK},
    {"duplicate keyId is refused", GOOD ",keyId=\"https://evil.example/k\"", HR_EINVAL},
    {"duplicate signature is refused", GOOD "," SIG, HR_EINVAL},
    {"duplicate headers is refused", GOOD "," HDR, HR_EINVAL},
    {"duplicate created is refused", GOOD ",created=1,created=2", HR_EINVAL},
    {"missing signature is refused", KID "," ALG "," HDR, HR_EINVAL},
    {"missing keyId is refused", ALG "," HDR "," SIG, HR_EINVAL},
    {"empty keyId is refused", "keyId=\"\"," SIG, HR_EINVAL},
    {"empty signature is refused", KID ",signature=\"\"", HR_EINVAL},
    {"algorithm hmac-sha256 is refused", KID ",algorithm=\"hmac-sha256\"," HDR "," SIG, HR_EINVAL},
    {"algorithm ecdsa-sha256 is refused", KID ",algorithm=\"ecdsa-sha256\"," SIG, HR_EINVAL},
    {"an empty algorithm is refused", KID ",algorithm=\"\"," SIG, HR_EINVAL},
    {"an unterminated quote is refused", KID "," SIG ",headers=\"date", HR_EINVAL},
    {"an unterminated keyId quote is refused", "keyId=\"https://remote.example/", HR_EINVAL},
    {"empty headers is refused", KID ",headers=\"\"," SIG, HR_EINVAL},
    {"a doubled space in headers is refused", KID ",headers=\"host  date\"," SIG, HR_EINVAL},
    {"a trailing space in headers is refused", KID ",headers=\"host date \"," SIG, HR_EINVAL},
    {"a header listed twice is refused", KID ",headers=\"date host Date\"," SIG, HR_EINVAL},
    {"17 headers are refused", KID ",headers=\"a b c d e f g h i j k l m n o p q\"," SIG,
     HR_EINVAL},
    {"16 headers are accepted", KID ",headers=\"a b c d e f g h i j k l m n o p\"," SIG, HR_OK},
    {"an unquoted keyId is refused", "keyId=abc," SIG, HR_EINVAL},
    {"an unquoted signature is refused", KID ",signature=c2ln", HR_EINVAL},
    {"an unquoted algorithm is refused", KID ",algorithm=hs2019," SIG, HR_EINVAL},
    {"an unquoted unknown parameter is refused", GOOD ",foo=bar", HR_EINVAL},
    {"created with letters is refused", KID ",created=12a," SIG, HR_EINVAL},
    {"created zero is refused", KID ",created=0," SIG, HR_EINVAL},
    {"created past year 9999 is refused", KID ",created=99999999999999," SIG, HR_EINVAL},
    {"negative created is refused", KID ",created=-5," SIG, HR_EINVAL},
    {"expires before created is refused", KID ",created=200,expires=100," SIG, HR_EINVAL},
    {"a CR in a value is refused", KID ",signature=\"c2ln\rbmF0\"", HR_EINVAL},
    {"an LF in a value is refused", KID ",signature=\"c2ln\nbmF0\"", HR_EINVAL},
    {"a DEL byte is refused", KID ",signature=\"c2ln\x7f\"", HR_EINVAL},
    {"a non-ASCII byte is refused", "keyId=\"https://r\xc3\xa9mote.example/k\"," SIG, HR_EINVAL},
    {"a tab inside quotes is refused", KID ",signature=\"c2ln\tbmF0\"", HR_EINVAL},
    {"a backslash escape is refused", "keyId=\"a\\\"b\"," SIG, HR_EINVAL},
    {"a trailing comma is refused", GOOD ",", HR_EINVAL},
    {"a leading comma is refused", "," GOOD, HR_EINVAL},
    {"two commas are refused", KID ",," SIG, HR_EINVAL},
    {"a parameter without '=' is refused", GOOD ",keyId", HR_EINVAL},
    {"spaces around '=' are refused", "keyId = \"a\"," SIG, HR_EINVAL},
    {"parameters glued without a comma are refused", KID SIG, HR_EINVAL},
    {"a leftover \"Signature \" prefix is refused", "Signature " GOOD, HR_EINVAL},
    {"an empty value is refused", "", HR_EINVAL},
    {"only whitespace is refused", "   ", HR_EINVAL},
    {"parameter names are case-sensitive", "keyid=\"a\"," SIG, HR_EINVAL},
};

static void hostile_signature_headers_are_refused_and_good_ones_parse(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof parse_table / sizeof parse_table[0]; i++) {
        struct fed_sig sig;
        struct hr_err err = {0};
        int rc = fed_sig_parse(sl(parse_table[i].value), &sig, &err);
        if (rc != parse_table[i].rc)
            fail_msg("%s: rc %d want %d (%s)", parse_table[i].why, rc, parse_table[i].rc, err.msg);
        if (rc != HR_OK && err.msg[0] == '\0')
            fail_msg("%s: refused without a message", parse_table[i].why);
    }
}

static void parsed_fields_point_into_the_header_value(void **state)
{
    static const char v[] = KID ",algorithm=\"hs2019\",created=1402170695,"
                                "headers=\"(Request-Target) Host\"," SIG;
    struct fed_sig sig;
    (void)state;

    assert_int_equal(fed_sig_parse(sl(v), &sig, NULL), HR_OK);
    assert_true(hr_slice_eq(sig.key_id, "https://remote.example/users/alice#main-key"));
    assert_true(hr_slice_eq(sig.algorithm, "hs2019"));
    assert_true(hr_slice_eq(sig.signature, "c2lnbmF0dXJl"));
    assert_int_equal(sig.n_headers, 2);
    assert_true(hr_slice_eq(sig.headers[0], "(Request-Target)")); /* original bytes kept */
    assert_true(hr_slice_eq(sig.headers[1], "Host"));
    assert_int_equal(sig.created, 1402170695);
    assert_int_equal(sig.expires, 0);
    assert_true(sig.key_id.p >= v && sig.key_id.p < v + sizeof v);
}

static void absent_headers_parameter_means_date_alone(void **state)
{
    struct fed_sig sig;
    (void)state;

    assert_int_equal(fed_sig_parse(sl(KID "," SIG), &sig, NULL), HR_OK);
    assert_int_equal(sig.n_headers, 1);
    assert_true(hr_slice_eq(sig.headers[0], "date"));
    assert_int_equal(sig.algorithm.len, 0);
}

static void signature_headers_over_8_kib_or_with_nul_are_refused(void **state)
{
    enum { BIG = 9 * 1024 };
    char *v = malloc(BIG + 1);
    struct fed_sig sig;
    size_t fixed = strlen(GOOD ",x=\"\"");
    (void)state;

    /* exactly 8192 bytes, well-formed: accepted */
    memcpy(v, GOOD ",x=\"", strlen(GOOD ",x=\""));
    memset(v + strlen(GOOD ",x=\""), 'a', 8192 - fixed);
    memcpy(v + 8192 - 1, "\"", 1);
    assert_int_equal(fed_sig_parse((struct hr_slice){v, 8192}, &sig, NULL), HR_OK);
    /* 9 KiB: refused before it is scanned */
    memset(v + strlen(GOOD ",x=\""), 'a', BIG - fixed);
    v[BIG - 1] = '"';
    assert_int_equal(fed_sig_parse((struct hr_slice){v, BIG}, &sig, NULL), HR_EINVAL);
    /* a NUL inside the slice */
    assert_int_equal(
        fed_sig_parse((struct hr_slice){KID ",signature=\"a\0b\"", strlen(KID) + 16}, &sig, NULL),
        HR_EINVAL);
    free(v);
}

/* ---- part 2b: policy ------------------------------------------------------------ */

static const struct {
    const char *why, *method, *value;
    int rc;
} require_table[] = {
    {"a POST covering target, host, date and digest passes", "POST", GOOD, HR_OK},
    {"a GET without digest passes", "GET", KID ",headers=\"(request-target) host date\"," SIG,
     HR_OK},
    {"a POST whose headers lack digest is refused", "POST",
     KID ",headers=\"(request-target) host date\"," SIG, HR_EINVAL},
    {"lowercase post is still a POST", "post", KID ",headers=\"(request-target) host date\"," SIG,
     HR_EINVAL},
    {"headers lacking (request-target) are refused", "GET", KID ",headers=\"host date\"," SIG,
     HR_EINVAL},
    {"headers lacking host are refused", "GET", KID ",headers=\"(request-target) date\"," SIG,
     HR_EINVAL},
    {"headers lacking date are refused", "GET", KID ",headers=\"(request-target) host\"," SIG,
     HR_EINVAL},
    {"hs2019 may cover (created) instead of date", "GET",
     KID ",algorithm=\"hs2019\",created=1,headers=\"(request-target) host (created)\"," SIG, HR_OK},
    {"rsa-sha256 may not replace date by (created)", "GET",
     KID "," ALG ",created=1,headers=\"(request-target) host (created)\"," SIG, HR_EINVAL},
    {"the default header list (date alone) is refused", "GET", KID "," SIG, HR_EINVAL},
    {"header names are matched case-insensitively", "POST",
     KID ",headers=\"(Request-Target) HOST Date Digest\"," SIG, HR_OK},
};

static void signature_policy_requires_target_host_date_and_digest_on_post(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof require_table / sizeof require_table[0]; i++) {
        struct fed_sig sig;
        struct hr_err err = {0};
        int rc;
        assert_int_equal(fed_sig_parse(sl(require_table[i].value), &sig, NULL), HR_OK);
        rc = fed_sig_require(&sig, require_table[i].method, &err);
        if (rc != require_table[i].rc)
            fail_msg("%s: rc %d want %d (%s)", require_table[i].why, rc, require_table[i].rc,
                     err.msg);
    }
}

/* ---- part 2c: the signing string -------------------------------------------------- */

/* A request given as NULL-terminated name/value pairs. */
struct pairs {
    const char *const *kv;
};

static const char *pairs_header(void *ctx, const char *name)
{
    const struct pairs *p = ctx;

    for (size_t i = 0; p->kv[i] != NULL; i += 2)
        if (strcmp(p->kv[i], name) == 0)
            return p->kv[i + 1];
    return NULL;
}

static int string_of(const char *sig_value, const char *method, const char *target,
                     const char *const *kv, char **out)
{
    struct pairs p = {kv};
    struct fed_sig_request req = {method, target, pairs_header, &p};
    struct fed_sig sig;

    assert_int_equal(fed_sig_parse(sl(sig_value), &sig, NULL), HR_OK);
    return fed_sig_string(&sig, &req, out, NULL);
}

/* draft-cavage-12 Appendix C.3 ("All Headers Test"): the spec's own signing string. */
static void signing_string_matches_draft_cavage_appendix_c3(void **state)
{
    static const char *const kv[] = {"host",
                                     "example.com",
                                     "date",
                                     "Sun, 05 Jan 2014 21:31:40 GMT",
                                     "content-type",
                                     "application/json",
                                     "digest",
                                     "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
                                     "content-length",
                                     "18",
                                     NULL};
    char *s = NULL;
    (void)state;

    assert_int_equal(string_of(KID ",headers=\"(request-target) host date content-type digest "
                                   "content-length\"," SIG,
                               "POST", "/foo?param=value&pet=dog", kv, &s),
                     HR_OK);
    assert_string_equal(s, "(request-target): post /foo?param=value&pet=dog\n"
                           "host: example.com\n"
                           "date: Sun, 05 Jan 2014 21:31:40 GMT\n"
                           "content-type: application/json\n"
                           "digest: SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=\n"
                           "content-length: 18");
    free(s);
}

static void signing_string_lowercases_names_and_trims_values(void **state)
{
    static const char *const kv[] = {"host", "  example.com\t", "date", "D", NULL};
    char *s = NULL;
    (void)state;

    assert_int_equal(
        string_of(KID ",headers=\"(REQUEST-TARGET) Host DATE\"," SIG, "GET", "/a", kv, &s), HR_OK);
    assert_string_equal(s, "(request-target): get /a\nhost: example.com\ndate: D");
    free(s);
}

static void signing_string_covers_created_and_expires_for_hs2019_only(void **state)
{
    static const char *const kv[] = {"host", "h", NULL};
    char *s = NULL;
    (void)state;

    assert_int_equal(string_of(KID ",algorithm=\"hs2019\",created=1402170695,expires=1402170699,"
                                   "headers=\"(request-target) (created) (expires) host\"," SIG,
                               "POST", "/foo", kv, &s),
                     HR_OK);
    assert_string_equal(s, "(request-target): post /foo\n(created): 1402170695\n"
                           "(expires): 1402170699\nhost: h");
    free(s);
    /* §2.3: an rsa-* algorithm with (created) is an error */
    assert_int_equal(
        string_of(KID "," ALG ",created=1402170695,headers=\"(created)\"," SIG, "GET", "/", kv, &s),
        HR_EINVAL);
    /* (created) listed without the parameter */
    assert_int_equal(string_of(KID ",headers=\"(created)\"," SIG, "GET", "/", kv, &s), HR_EINVAL);
}

static void signing_string_refuses_missing_headers_and_line_injection(void **state)
{
    static const char *const inject[] = {"host", "h\ndate: forged", NULL};
    static const char *const cr[] = {"host", "h\rx", NULL};
    static const char *const plain[] = {"host", "h", NULL};
    char *s = NULL;
    (void)state;

    assert_int_equal(string_of(KID ",headers=\"host date\"," SIG, "GET", "/", plain, &s),
                     HR_EINVAL);
    assert_int_equal(string_of(KID ",headers=\"host\"," SIG, "GET", "/", inject, &s), HR_EINVAL);
    assert_int_equal(string_of(KID ",headers=\"host\"," SIG, "GET", "/", cr, &s), HR_EINVAL);
    assert_int_equal(string_of(KID ",headers=\"(request-target)\"," SIG, "GET", "/a b", plain, &s),
                     HR_EINVAL);
    assert_int_equal(
        string_of(KID ",headers=\"(request-target)\"," SIG, "GET", "/a\nhost: x", plain, &s),
        HR_EINVAL);
    assert_int_equal(string_of(KID ",headers=\"(request-target)\"," SIG, "G ET", "/", plain, &s),
                     HR_EINVAL);
    assert_int_equal(string_of(KID ",headers=\"(bogus)\"," SIG, "GET", "/", plain, &s), HR_EINVAL);
}

/* ---- part 2d: time -------------------------------------------------------------- */

#define T0_DATE "Fri, 14 Mar 2025 15:09:26 GMT"
#define T0_S    1741964966LL
#define T0_MS   (T0_S * 1000)

static int time_check(const char *sig_value, const char *date, int64_t now_ms)
{
    struct fed_sig sig;

    assert_int_equal(fed_sig_parse(sl(sig_value), &sig, NULL), HR_OK);
    return fed_sig_check_time(&sig, date, now_ms, WINDOW_S, NULL);
}

static void date_within_the_window_in_either_direction_passes(void **state)
{
    (void)state;
    assert_int_equal(time_check(GOOD, T0_DATE, T0_MS), HR_OK);
    assert_int_equal(time_check(GOOD, T0_DATE, T0_MS + WINDOW_S * 1000), HR_OK);
    assert_int_equal(time_check(GOOD, T0_DATE, T0_MS - WINDOW_S * 1000), HR_OK);
}

static void date_outside_the_window_is_a_signature_failure(void **state)
{
    struct fed_sig sig;
    struct hr_err err = {0};
    (void)state;

    assert_int_equal(fed_sig_parse(sl(GOOD), &sig, NULL), HR_OK);
    assert_int_equal(
        fed_sig_check_time(&sig, T0_DATE, T0_MS + (WINDOW_S + 1) * 1000, WINDOW_S, &err), HR_ESIG);
    assert_non_null(strstr(err.msg, "too old"));
    assert_int_equal(
        fed_sig_check_time(&sig, T0_DATE, T0_MS - (WINDOW_S + 1) * 1000, WINDOW_S, &err), HR_ESIG);
    assert_non_null(strstr(err.msg, "future"));
}

static void missing_or_non_imf_fixdate_date_is_invalid(void **state)
{
    (void)state;
    assert_int_equal(time_check(GOOD, NULL, T0_MS), HR_EINVAL);
    assert_int_equal(time_check(GOOD, "yesterday", T0_MS), HR_EINVAL);
    assert_int_equal(time_check(GOOD, "Friday, 14-Mar-25 15:09:26 GMT", T0_MS), HR_EINVAL);
    assert_int_equal(time_check(GOOD, "Fri Mar 14 15:09:26 2025", T0_MS), HR_EINVAL);
    assert_int_equal(time_check(GOOD, "2025-03-14T15:09:26Z", T0_MS), HR_EINVAL);
    assert_int_equal(time_check(GOOD, "Fri, 14 Mar 2025 15:09:26 UTC", T0_MS), HR_EINVAL);
}

static void hs2019_created_in_the_future_beyond_the_window_is_refused(void **state)
{
    char v[256];
    (void)state;

    snprintf(v, sizeof v,
             KID ",algorithm=\"hs2019\",created=%lld,"
                 "headers=\"(request-target) host (created)\"," SIG,
             T0_S + WINDOW_S + 1);
    assert_int_equal(time_check(v, NULL, T0_MS), HR_ESIG);
    snprintf(v, sizeof v,
             KID ",algorithm=\"hs2019\",created=%lld,"
                 "headers=\"(request-target) host (created)\"," SIG,
             T0_S + 10);
    assert_int_equal(time_check(v, NULL, T0_MS), HR_OK); /* small skew: fine, no Date needed */
    snprintf(v, sizeof v,
             KID ",algorithm=\"hs2019\",created=%lld,"
                 "headers=\"(request-target) host (created)\"," SIG,
             T0_S - WINDOW_S - 1);
    assert_int_equal(time_check(v, NULL, T0_MS), HR_ESIG);
}

static void expires_in_the_past_is_refused(void **state)
{
    char v[256];
    (void)state;

    snprintf(v, sizeof v, KID ",algorithm=\"hs2019\",created=%lld,expires=%lld," HDR "," SIG,
             T0_S - 60, T0_S - 1);
    assert_int_equal(time_check(v, T0_DATE, T0_MS), HR_ESIG);
    snprintf(v, sizeof v, KID ",algorithm=\"hs2019\",created=%lld,expires=%lld," HDR "," SIG,
             T0_S - 60, T0_S + 60);
    assert_int_equal(time_check(v, T0_DATE, T0_MS), HR_OK);
}

static void a_signed_date_is_checked_even_when_created_is_fine(void **state)
{
    char v[256];
    (void)state;

    snprintf(v, sizeof v, KID ",algorithm=\"hs2019\",created=%lld," HDR "," SIG, T0_S);
    assert_int_equal(time_check(v, "Fri, 14 Mar 2025 10:00:00 GMT", T0_MS), HR_ESIG);
    assert_int_equal(time_check(v, NULL, T0_MS), HR_EINVAL);
}

/* ---- part 2e: our signer and verify ------------------------------------------------ */

static struct keys_key *fixture_key(const char *name, bool priv)
{
    char path[512];
    size_t len;
    char *pem;
    struct keys_key *k = NULL;

    snprintf(path, sizeof path, "%s/keys/%s", FIX_DIR, name);
    pem = slurp(path, &len);
    assert_non_null(pem);
    if (priv)
        assert_int_equal(keys_private_load(pem, &k, NULL), HR_OK);
    else
        assert_int_equal(keys_public_load(pem, len, &k, NULL), HR_OK);
    keys_secret_free(pem);
    return k;
}

static void our_signature_has_the_documented_form_and_verifies(void **state)
{
    static const char prefix[] =
        "keyId=\"https://herald.example/users/health#main-key\",algorithm=\"rsa-sha256\","
        "headers=\"(request-target) host date digest content-type\",signature=\"";
    static const char *const kv[] = {"host",
                                     "remote.example",
                                     "date",
                                     T0_DATE,
                                     "digest",
                                     "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=",
                                     "content-type",
                                     "application/activity+json",
                                     NULL};
    struct keys_key *priv = fixture_key("alice.pem", true),
                    *pub = fixture_key("alice.pub.pem", false);
    struct pairs p = {kv};
    struct fed_sig_request req = {"POST", "/users/bob/inbox", pairs_header, &p};
    struct fed_sig sig;
    char *out = NULL;
    (void)state;

    assert_int_equal(fed_sig_sign(priv, "https://herald.example/users/health#main-key", "POST",
                                  "/users/bob/inbox", "remote.example", T0_DATE, kv[5], kv[7], &out,
                                  NULL),
                     HR_OK);
    assert_int_equal(strncmp(out, prefix, strlen(prefix)), 0);
    assert_int_equal(out[strlen(out) - 1], '"');
    assert_int_equal(fed_sig_parse(sl(out), &sig, NULL), HR_OK);
    assert_int_equal(fed_sig_require(&sig, "POST", NULL), HR_OK);
    assert_int_equal(fed_sig_verify(&sig, &req, pub, NULL), HR_OK);
    req.target = "/users/carol/inbox"; /* replay at another inbox */
    assert_int_equal(fed_sig_verify(&sig, &req, pub, NULL), HR_ESIG);
    free(out);
    keys_key_free(priv);
    keys_key_free(pub);
}

static void signature_for_a_get_covers_target_host_and_date_only(void **state)
{
    struct keys_key *priv = fixture_key("alice.pem", true);
    char *out = NULL;
    (void)state;

    assert_int_equal(fed_sig_sign(priv, "https://h.example/a#k", "GET", "/users/bob",
                                  "remote.example", T0_DATE, NULL, NULL, &out, NULL),
                     HR_OK);
    assert_non_null(strstr(out, ",headers=\"(request-target) host date\",signature=\""));
    free(out);
    keys_key_free(priv);
}

static void sign_refuses_a_key_id_that_would_break_out_of_its_quotes(void **state)
{
    struct keys_key *priv = fixture_key("alice.pem", true),
                    *pub = fixture_key("alice.pub.pem", false);
    char *out = NULL;
    (void)state;

    assert_int_equal(
        fed_sig_sign(priv, "a\",keyId=\"b", "GET", "/", "h", T0_DATE, NULL, NULL, &out, NULL),
        HR_EINVAL);
    assert_int_equal(
        fed_sig_sign(priv, "a\r\nX: y", "GET", "/", "h", T0_DATE, NULL, NULL, &out, NULL),
        HR_EINVAL);
    assert_int_equal(fed_sig_sign(priv, "", "GET", "/", "h", T0_DATE, NULL, NULL, &out, NULL),
                     HR_EINVAL);
    assert_int_equal(fed_sig_sign(pub, "k", "GET", "/", "h", T0_DATE, NULL, NULL, &out, NULL),
                     HR_EINVAL); /* a public key cannot sign */
    assert_null(out);
    keys_key_free(priv);
    keys_key_free(pub);
}

static void verify_refuses_a_non_rsa_key(void **state)
{
    static const char ed_pem[] = "-----BEGIN PUBLIC KEY-----\n"
                                 "MCowBQYDK2VwAyEAsA2Nk45/dz1RVlqtNqYj9TRPf10ZYPnPPo4SYg6igQ8=\n"
                                 "-----END PUBLIC KEY-----\n";
    static const char *const kv[] = {"host", "h", "date", T0_DATE, NULL};
    struct pairs p = {kv};
    struct fed_sig_request req = {"GET", "/", pairs_header, &p};
    struct keys_key *ed = NULL;
    struct fed_sig sig;
    (void)state;

    assert_int_equal(keys_public_load(ed_pem, strlen(ed_pem), &ed, NULL), HR_OK);
    assert_int_equal(
        fed_sig_parse(sl(KID ",headers=\"(request-target) host date\"," SIG), &sig, NULL), HR_OK);
    assert_int_equal(fed_sig_verify(&sig, &req, ed, NULL), HR_ESIG);
    keys_key_free(ed);
}

/* ---- part 3: RFC 9421 and RFC 9530 ------------------------------------------------- */

/* RFC 9421 Appendix B.1.4 test-key-ed25519 (public), B.2 test request, B.2.6 signature. */
static const char b26_pub[] = "-----BEGIN PUBLIC KEY-----\n"
                              "MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=\n"
                              "-----END PUBLIC KEY-----\n";
#define B26_INPUT                                                                                  \
    "sig-b26=(\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" "                    \
    "\"content-length\");created=1618884473;keyid=\"test-key-ed25519\""
#define B26_SIG                                                                                    \
    "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRC" \
    "w==:"
static const char *const b2_kv[] = {"date",           "Tue, 20 Apr 2021 02:07:55 GMT",
                                    "content-type",   "application/json",
                                    "content-length", "18",
                                    NULL};

static void rfc9421_appendix_b26_ed25519_vector_verifies(void **state)
{
    static const char want_base[] =
        "\"date\": Tue, 20 Apr 2021 02:07:55 GMT\n\"@method\": POST\n\"@path\": /foo\n"
        "\"@authority\": example.com\n\"content-type\": application/json\n"
        "\"content-length\": 18\n\"@signature-params\": (\"date\" \"@method\" \"@path\" "
        "\"@authority\" \"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-"
        "ed25519\"";
    struct pairs p = {b2_kv};
    struct fed_sig9_request req = {"POST", "/foo?param=Value&Pet=dog", "https", "example.com",
                                   pairs_header, &p};
    struct keys_key *pub = NULL;
    const char *code = NULL;
    struct fed_sig9 sig;
    char *base = NULL;
    (void)state;

    assert_int_equal(keys_public_load(b26_pub, strlen(b26_pub), &pub, NULL), HR_OK);
    assert_int_equal(fed_sig9_parse(sl(B26_INPUT), sl(B26_SIG), &sig, &code, NULL), HR_OK);
    assert_int_equal(fed_sig9_base(&sig, &req, &base, NULL), HR_OK);
    assert_string_equal(base, want_base);
    assert_int_equal(fed_sig9_verify(&sig, &req, pub, NULL), HR_OK);
    /* Herald's policy still refuses it for an inbox POST: no content-digest covered */
    assert_int_equal(fed_sig9_require(&sig, "POST", &code, NULL), HR_EINVAL);
    assert_string_equal(code, "signature_incomplete");
    req.authority = "example.org"; /* another server */
    assert_int_equal(fed_sig9_verify(&sig, &req, pub, NULL), HR_ESIG);
    free(base);
    keys_key_free(pub);
}

static const struct {
    const char *why, *value;
    int rc;
} sf_table[] = {
    {"an inner list with parameters parses", "sig1=(\"@method\" \"x\");created=1;keyid=\"k\"",
     HR_OK},
    {"spaces inside an inner list are allowed", "sig1=( \"@method\"  \"x\" )", HR_OK},
    {"members separated by OWS parse", "a=:AAAA:,\tb=(\"x\")", HR_OK},
    {"an empty inner list parses", "a=()", HR_OK},
    {"item parameters and ?1 parse", "a=(\"x\";sf);p=?1;q;n=-5", HR_OK},
    {"leading and trailing spaces are discarded", "  a=()  ", HR_OK},
    {"an empty field is refused", "", HR_EINVAL},
    {"an uppercase key is refused", "Sig1=()", HR_EINVAL},
    {"a token item is refused", "a=(x)", HR_EINVAL},
    {"an unterminated inner list is refused", "a=(\"x\"", HR_EINVAL},
    {"an unterminated string is refused", "a=(\"x)", HR_EINVAL},
    {"items without a space between are refused", "a=(\"x\"\"y\")", HR_EINVAL},
    {"bytes after a member are refused", "a=(\"x\")z", HR_EINVAL},
    {"a trailing comma is refused", "a=(\"x\"),", HR_EINVAL},
    {"a key given twice is refused", "a=(\"x\"), a=(\"y\")", HR_EINVAL},
    {"a parameter given twice is refused", "a=(\"x\");k=1;k=2", HR_EINVAL},
    {"a decimal is refused", "a=(\"x\");k=1.5", HR_EINVAL},
    {"a token parameter value is refused", "a=(\"x\");k=tok", HR_EINVAL},
    {"a byte sequence parameter value is refused", "a=(\"x\");k=:AAAA:", HR_EINVAL},
    {"a bare string member is refused", "a=\"str\"", HR_EINVAL},
    {"a bare key (boolean) member is refused", "a", HR_EINVAL},
    {"a string escape is refused", "a=(\"x\\\"y\")", HR_EINVAL},
    {"a non-ASCII byte is refused", "a=(\"caf\xc3\xa9\")", HR_EINVAL},
    {"a control byte is refused", "a=(\"x\ty\")", HR_EINVAL},
    {"a byte sequence with a non-base64 byte is refused", "a=:AA!A:", HR_EINVAL},
    {"an unterminated byte sequence is refused", "a=:AAAA", HR_EINVAL},
    {"a 16-digit integer is refused", "a=();k=1234567890123456", HR_EINVAL},
    {"nine members are refused",
     "a=(),b=(),c=(),d=(),e=(),f=(),g=(),h=(),i=()", HR_EINVAL},
    {"seventeen items are refused",
     "a=(\"1\" \"2\" \"3\" \"4\" \"5\" \"6\" \"7\" \"8\" \"9\" \"10\" \"11\" \"12\" \"13\" \"14\" "
     "\"15\" \"16\" \"17\")",
     HR_EINVAL},
    {"nine parameters are refused", "a=();a=1;b=1;c=1;d=1;e=1;f=1;g=1;h=1;i=1", HR_EINVAL},
};

static void structured_fields_outside_the_subset_are_refused(void **state)
{
    struct fed_sf_dict *d = malloc(sizeof *d);
    char big[9000];
    (void)state;

    assert_non_null(d);
    for (size_t i = 0; i < sizeof sf_table / sizeof sf_table[0]; i++) {
        struct hr_err err = {0};
        int rc = fed_sf_dict_parse(sl(sf_table[i].value), d, &err);
        if (rc != sf_table[i].rc)
            fail_msg("%s: rc %d (%s)", sf_table[i].why, rc, err.msg);
    }
    /* a NUL is not a key character (strchr finds the terminator: a fuzzer finding) */
    assert_int_equal(fed_sf_dict_parse((struct hr_slice){"a=();k\0x=1", 11}, d, NULL), HR_EINVAL);
    memset(big, ' ', sizeof big);
    memcpy(big, "a=()", 4);
    assert_int_equal(fed_sf_dict_parse((struct hr_slice){big, sizeof big}, d, NULL), HR_EINVAL);
    free(d);
}

static void inner_lists_serialise_canonically(void **state)
{
    struct fed_sf_dict *d = malloc(sizeof *d);
    struct hr_buf b;
    char *s;
    (void)state;

    assert_int_equal(
        fed_sf_dict_parse(sl("s=(  \"@method\"   \"x\";sf );created=5;keyid=\"k\";q"), d, NULL),
        HR_OK);
    hr_buf_init(&b, 1024);
    fed_sf_inner_serialize(&d->m[0], &b);
    s = hr_buf_take(&b);
    assert_string_equal(s, "(\"@method\" \"x\";sf);created=5;keyid=\"k\";q");
    free(s);
    free(d);
}

#define IN9(label, alg) label "=(\"@method\" \"@target-uri\" \"content-digest\");created=1" alg

static void the_first_signature_with_an_accepted_algorithm_is_checked(void **state)
{
    const char *code = NULL;
    struct fed_sig9 sig;
    (void)state;

    assert_int_equal(fed_sig9_parse(sl(IN9("a", ";alg=\"hmac-sha256\";keyid=\"ka\"") ", " IN9(
                                        "b", ";keyid=\"kb\"") ", " IN9("c", ";keyid=\"kc\"")),
                                    sl("a=:AAAA:, b=:BBBB:, c=:CCCC:"), &sig, &code, NULL),
                     HR_OK);
    assert_true(hr_slice_eq(sig.key_id, "kb")); /* a skipped, b chosen, c never looked at */
    assert_true(hr_slice_eq(sig.signature, "BBBB"));
    assert_int_equal(sig.alg, FED_SIG9_BY_KEY);
    assert_int_equal(fed_sig9_parse(sl(IN9("a", ";alg=\"rsa-pss-sha512\";keyid=\"ka\"")),
                                    sl("a=:AAAA:"), &sig, &code, NULL),
                     HR_EINVAL);
    assert_string_equal(code, "signature_alg_unsupported");
    /* the chosen label must have its own signature: another label's is not used */
    assert_int_equal(fed_sig9_parse(sl(IN9("b", ";keyid=\"kb\"")), sl("c=:CCCC:"), &sig, &code,
                                    NULL),
                     HR_EINVAL);
    assert_string_equal(code, "signature_input_malformed");
    assert_int_equal(fed_sig9_parse(sl(IN9("b", "")), sl("b=:BBBB:"), &sig, &code, NULL),
                     HR_EINVAL); /* no keyid */
    assert_string_equal(code, "signature_input_malformed");
    assert_int_equal(fed_sig9_parse(sl(IN9("b", ";keyid=\"k\"")), sl("b=(\"x\")"), &sig, &code,
                                    NULL),
                     HR_EINVAL); /* Signature member that is not a byte sequence */
}

static const struct {
    const char *input, *method, *code;
} require9_table[] = {
    {"s=(\"@method\" \"@target-uri\" \"content-digest\");created=1;keyid=\"k\"", "POST", NULL},
    {"s=(\"@method\" \"@authority\" \"@path\" \"content-digest\");created=1;keyid=\"k\"", "POST",
     NULL},
    {"s=(\"@method\" \"@target-uri\");created=1;keyid=\"k\"", "GET", NULL},
    {"s=(\"@method\" \"@target-uri\");created=1;keyid=\"k\"", "POST", "signature_incomplete"},
    {"s=(\"@target-uri\" \"content-digest\");created=1;keyid=\"k\"", "POST",
     "signature_incomplete"},
    {"s=(\"@method\" \"@authority\" \"content-digest\");created=1;keyid=\"k\"", "POST",
     "signature_incomplete"},
    {"s=(\"@method\" \"@target-uri\" \"content-digest\");keyid=\"k\"", "POST",
     "signature_created_missing"},
    {"s=(\"@method\" \"@target-uri\" \"content-digest\";sf);created=1;keyid=\"k\"", "POST",
     "signature_component_unsupported"},
    {"s=(\"@method\" \"@target-uri\" \"content-digest\" \"@query-param\");created=1;keyid=\"k\"",
     "POST", "signature_component_unsupported"},
    {"s=(\"@method\" \"@target-uri\" \"Content-Digest\");created=1;keyid=\"k\"", "POST",
     "signature_component_unsupported"},
    {"s=(\"@method\" \"@target-uri\" \"content-digest\" \"@method\");created=1;keyid=\"k\"",
     "POST", "signature_input_malformed"},
    {"s=(\"@method\" \"@target-uri\" \"content-digest\");created=5;expires=4;keyid=\"k\"", "POST",
     "parse"},
};

static void rfc9421_policy_requires_method_target_digest_and_created(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof require9_table / sizeof require9_table[0]; i++) {
        const char *code = NULL;
        struct hr_err err = {0};
        struct fed_sig9 sig;
        int rc = fed_sig9_parse(sl(require9_table[i].input), sl("s=:AAAA:"), &sig, &code, &err);
        if (rc != HR_OK) {
            if (require9_table[i].code == NULL || strcmp(require9_table[i].code, "parse") != 0)
                fail_msg("%s: parse failed: %s", require9_table[i].input, err.msg);
            continue;
        }
        rc = fed_sig9_require(&sig, require9_table[i].method, &code, &err);
        if (require9_table[i].code == NULL ? rc != HR_OK
                                           : rc == HR_OK || strcmp(code, require9_table[i].code))
            fail_msg("%s %s: rc %d code %s (%s)", require9_table[i].method,
                     require9_table[i].input, rc, code ? code : "-", err.msg);
    }
}

static void created_is_checked_against_the_window_and_expires_honoured(void **state)
{
    const char *code = NULL;
    struct fed_sig9 sig;
    (void)state;

    assert_int_equal(fed_sig9_parse(sl("s=(\"@method\");created=1741964966;keyid=\"k\""),
                                    sl("s=:AAAA:"), &sig, &code, NULL),
                     HR_OK);
    assert_int_equal(fed_sig9_check_time(&sig, T0_MS, WINDOW_S, &code, NULL), HR_OK);
    assert_int_equal(fed_sig9_check_time(&sig, T0_MS + WINDOW_S * 1000, WINDOW_S, &code, NULL),
                     HR_OK);
    assert_int_equal(
        fed_sig9_check_time(&sig, T0_MS + (WINDOW_S + 1) * 1000, WINDOW_S, &code, NULL), HR_ESIG);
    assert_string_equal(code, "date_out_of_window");
    assert_int_equal(
        fed_sig9_check_time(&sig, T0_MS - (WINDOW_S + 1) * 1000, WINDOW_S, &code, NULL), HR_ESIG);
    assert_string_equal(code, "date_out_of_window");
    assert_int_equal(fed_sig9_parse(sl("s=(\"@method\");created=1741964966;expires=1741964976;"
                                       "keyid=\"k\""),
                                    sl("s=:AAAA:"), &sig, &code, NULL),
                     HR_OK);
    assert_int_equal(fed_sig9_check_time(&sig, T0_MS + 10000, WINDOW_S, &code, NULL), HR_OK);
    assert_int_equal(fed_sig9_check_time(&sig, T0_MS + 11000, WINDOW_S, &code, NULL), HR_ESIG);
    assert_string_equal(code, "signature_expired");
}

/* sha-256 / sha-512 of "hello" */
#define H256 "sha-256=:LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=:"
#define H512                                                                                       \
    "sha-512=:m3HSJL1i83hdltRq0+o9czGb+8KJDKra4t/3JRlnPKcjI8PZm6XBHXx6zG4UuMXaDEZjR1wuXDre9G9zvN7A" \
    "Qw==:"

static const struct {
    const char *value, *code;
} digest9_table[] = {
    {H256, NULL},
    {H512, NULL},
    {H256 ", " H512, NULL},
    {"md5=:XUFAKrxLKna5cZ2REBfFkg==:, " H256, NULL},
    {"sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:", "content_digest_mismatch"},
    {H256 ", sha-512=:z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGl"
          "ODJ6+SfaPg==:",
     "content_digest_mismatch"},
    {"md5=:XUFAKrxLKna5cZ2REBfFkg==:", "content_digest_malformed"},
    {"sha-256=:AAAA:", "content_digest_malformed"},
    {"SHA-256=LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=", "content_digest_malformed"},
    {"sha-256=(\"x\")", "content_digest_malformed"},
    {"", "content_digest_malformed"},
};

static void content_digest_checks_sha256_and_sha512_against_the_body(void **state)
{
    char made[64];
    (void)state;

    for (size_t i = 0; i < sizeof digest9_table / sizeof digest9_table[0]; i++) {
        const char *code = NULL;
        struct hr_err err = {0};
        int rc = fed_content_digest_check(sl(digest9_table[i].value), "hello", 5, &code, &err);
        if (digest9_table[i].code == NULL ? rc != HR_OK
                                          : rc == HR_OK || strcmp(code, digest9_table[i].code))
            fail_msg("%s: rc %d code %s (%s)", digest9_table[i].value, rc, code ? code : "-",
                     err.msg);
    }
    fed_content_digest_make("hello", 5, made);
    assert_string_equal(made, H256);
}

static void our_rfc9421_signature_verifies_and_binds_method_and_target(void **state)
{
    static const char *const kv[] = {"content-digest", H256, NULL};
    struct keys_key *priv = fixture_key("alice.pem", true),
                    *pub = fixture_key("alice.pub.pem", false);
    struct pairs p = {kv};
    struct fed_sig9_request req = {"POST", "/users/bob/inbox", "https", "remote.example",
                                   pairs_header, &p};
    struct fed_sig9_plan plan;
    const char *code = NULL;
    char *input = NULL, *sigv = NULL;
    struct fed_sig9 sig;
    (void)state;

    fed_sig9_plan_default("POST", &plan);
    assert_int_equal(fed_sig9_sign(priv, "https://herald.example/users/health#main-key", &plan,
                                   T0_S, &req, &input, &sigv, NULL),
                     HR_OK);
    assert_string_equal(input, "sig1=(\"@method\" \"@target-uri\" \"content-digest\");created="
                               "1741964966;keyid=\"https://herald.example/users/health#main-key\";"
                               "alg=\"rsa-v1_5-sha256\"");
    assert_int_equal(strncmp(sigv, "sig1=:", 6), 0);
    assert_int_equal(fed_sig9_parse(sl(input), sl(sigv), &sig, &code, NULL), HR_OK);
    assert_int_equal(fed_sig9_require(&sig, "POST", &code, NULL), HR_OK);
    assert_int_equal(fed_sig9_verify(&sig, &req, pub, NULL), HR_OK);
    req.target = "/users/carol/inbox"; /* replay at another inbox */
    assert_int_equal(fed_sig9_verify(&sig, &req, pub, NULL), HR_ESIG);
    req.target = "/users/bob/inbox";
    req.method = "PUT";
    assert_int_equal(fed_sig9_verify(&sig, &req, pub, NULL), HR_ESIG);
    free(input);
    free(sigv);
    keys_key_free(priv);
    keys_key_free(pub);
}

static void algorithm_and_key_type_must_agree(void **state)
{
    static const char *const kv[] = {"content-digest", H256, NULL};
    struct keys_key *ed = NULL, *rsa = fixture_key("alice.pub.pem", false);
    struct pairs p = {kv};
    struct fed_sig9_request req = {"POST", "/", "https", "h", pairs_header, &p};
    const char *code = NULL;
    struct fed_sig9 sig;
    (void)state;

    assert_int_equal(keys_public_load(b26_pub, strlen(b26_pub), &ed, NULL), HR_OK);
    assert_int_equal(fed_sig9_parse(sl(IN9("s", ";keyid=\"k\";alg=\"rsa-v1_5-sha256\"")),
                                    sl("s=:AAAA:"), &sig, &code, NULL),
                     HR_OK);
    assert_int_equal(fed_sig9_verify(&sig, &req, ed, NULL), HR_ESIG);
    assert_int_equal(fed_sig9_parse(sl(IN9("s", ";keyid=\"k\";alg=\"ed25519\"")), sl("s=:AAAA:"),
                                    &sig, &code, NULL),
                     HR_OK);
    assert_int_equal(fed_sig9_verify(&sig, &req, rsa, NULL), HR_ESIG);
    assert_int_equal(fed_sig9_verify(&sig, &req, ed, NULL), HR_ESIG); /* not 64 bytes */
    keys_key_free(ed);
    keys_key_free(rsa);
}

static void accept_signature_is_met_when_we_can_produce_it(void **state)
{
    struct fed_sig9_plan plan, before;
    const char *kid = "https://h.example/users/a#main-key";
    (void)state;

    fed_sig9_plan_default("POST", &plan);
    assert_true(fed_sig9_plan_accept(
        &plan, "sig2=(\"@method\" \"@authority\" \"@path\" \"content-digest\");nonce=\"n1\";tag=\"t\"",
        kid));
    assert_string_equal(plan.label, "sig2");
    assert_int_equal(plan.n, 5); /* theirs, then our @target-uri */
    assert_string_equal(plan.components[1], "@authority");
    assert_string_equal(plan.components[4], "@target-uri");
    assert_string_equal(plan.nonce, "n1");
    assert_string_equal(plan.tag, "t");
    before = plan;
    assert_false(fed_sig9_plan_accept(&plan, "s=(\"@method\");alg=\"ed25519\"", kid));
    assert_false(fed_sig9_plan_accept(&plan, "s=(\"@method\" \"@query-param\")", kid));
    assert_false(fed_sig9_plan_accept(&plan, "s=(\"@method\");keyid=\"https://o/k\"", kid));
    assert_false(fed_sig9_plan_accept(&plan, "s=(\"@method\";sf)", kid));
    assert_false(fed_sig9_plan_accept(&plan, "not a structured field", kid));
    assert_true(memcmp(&plan, &before, sizeof plan) == 0);
    assert_true(fed_sig9_plan_accept(&plan, "s=(\"@method\");keyid=\"https://h.example/users/a#main-key\";alg=\"rsa-v1_5-sha256\"", kid));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hostile_signature_headers_are_refused_and_good_ones_parse),
        cmocka_unit_test(parsed_fields_point_into_the_header_value),
        cmocka_unit_test(absent_headers_parameter_means_date_alone),
        cmocka_unit_test(signature_headers_over_8_kib_or_with_nul_are_refused),
        cmocka_unit_test(signature_policy_requires_target_host_date_and_digest_on_post),
        cmocka_unit_test(signing_string_matches_draft_cavage_appendix_c3),
        cmocka_unit_test(signing_string_lowercases_names_and_trims_values),
        cmocka_unit_test(signing_string_covers_created_and_expires_for_hs2019_only),
        cmocka_unit_test(signing_string_refuses_missing_headers_and_line_injection),
        cmocka_unit_test(date_within_the_window_in_either_direction_passes),
        cmocka_unit_test(date_outside_the_window_is_a_signature_failure),
        cmocka_unit_test(missing_or_non_imf_fixdate_date_is_invalid),
        cmocka_unit_test(hs2019_created_in_the_future_beyond_the_window_is_refused),
        cmocka_unit_test(expires_in_the_past_is_refused),
        cmocka_unit_test(a_signed_date_is_checked_even_when_created_is_fine),
        cmocka_unit_test(our_signature_has_the_documented_form_and_verifies),
        cmocka_unit_test(signature_for_a_get_covers_target_host_and_date_only),
        cmocka_unit_test(sign_refuses_a_key_id_that_would_break_out_of_its_quotes),
        cmocka_unit_test(verify_refuses_a_non_rsa_key),
        cmocka_unit_test(rfc9421_appendix_b26_ed25519_vector_verifies),
        cmocka_unit_test(structured_fields_outside_the_subset_are_refused),
        cmocka_unit_test(inner_lists_serialise_canonically),
        cmocka_unit_test(the_first_signature_with_an_accepted_algorithm_is_checked),
        cmocka_unit_test(rfc9421_policy_requires_method_target_digest_and_created),
        cmocka_unit_test(created_is_checked_against_the_window_and_expires_honoured),
        cmocka_unit_test(content_digest_checks_sha256_and_sha512_against_the_body),
        cmocka_unit_test(our_rfc9421_signature_verifies_and_binds_method_and_target),
        cmocka_unit_test(algorithm_and_key_type_must_agree),
        cmocka_unit_test(accept_signature_is_met_when_we_can_produce_it),
    };
    int failed = run_fixture_group();

    failed += cmocka_run_group_tests_name("httpsig", tests, NULL, NULL);
    return failed;
}
