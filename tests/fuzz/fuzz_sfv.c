/* tests/fuzz/fuzz_sfv.c - the RFC 8941 subset parser (federation/sfv.c) and what RFC 9421
 * builds on it (federation/httpsig9.c). Input: "SIGNATURE-INPUT\nSIGNATURE\nBODY" (missing
 * parts are empty). Properties besides not crashing: every parsed slice lies inside the
 * input; the counts stay within the documented maxima; an inner list re-serialised by
 * fed_sf_inner_serialize parses again to the same items and parameters; a chosen
 * signature's base has exactly one line per covered component plus @signature-params;
 * failures are only the documented codes. */
#include "fuzz.h"

#include "federation/httpsig9.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    hr_log_max = HR_LOG_ERR;
    return 0;
}

static struct hr_slice cut(const uint8_t **p, const uint8_t *end)
{
    const uint8_t *nl = memchr(*p, '\n', (size_t)(end - *p));
    struct hr_slice s = {(const char *)*p, (size_t)((nl ? nl : end) - *p)};

    *p = nl ? nl + 1 : end;
    return s;
}

static bool inside(struct hr_slice s, struct hr_slice in)
{
    return s.len == 0 || (s.p >= in.p && s.p + s.len <= in.p + in.len);
}

static void check_member(const struct fed_sf_member *m, struct hr_slice in)
{
    FUZZ_CHECK(inside(m->key, in) && m->key.len > 0);
    FUZZ_CHECK(m->n_items <= FED_SF_MAX_ITEMS && m->params.n <= FED_SF_MAX_PARAMS);
    FUZZ_CHECK(m->type == FED_SF_INNER || m->type == FED_SF_BYTES);
    for (size_t i = 0; i < m->n_items; i++)
        FUZZ_CHECK(inside(m->items[i].str, in));
    for (size_t i = 0; i < m->params.n; i++)
        FUZZ_CHECK(inside(m->params.p[i].key, in) && inside(m->params.p[i].str, in));
}

/* "k=" + the serialisation parses back to the same shape. */
static void check_round_trip(const struct fed_sf_member *m)
{
    static struct fed_sf_dict again;
    struct hr_buf b;
    char *s;

    hr_buf_init(&b, 2 * FED_SF_MAX_BYTES);
    hr_buf_adds(&b, "k=");
    fed_sf_inner_serialize(m, &b);
    s = hr_buf_take(&b);
    if (s == NULL || strlen(s) > FED_SF_MAX_BYTES) {
        free(s);
        return;
    }
    FUZZ_CHECK(fed_sf_dict_parse((struct hr_slice){s, strlen(s)}, &again, NULL) == HR_OK);
    FUZZ_CHECK(again.n == 1 && again.m[0].n_items == m->n_items);
    FUZZ_CHECK(again.m[0].params.n == m->params.n);
    for (size_t i = 0; i < m->n_items; i++)
        FUZZ_CHECK(again.m[0].items[i].str.len == m->items[i].str.len &&
                   memcmp(again.m[0].items[i].str.p, m->items[i].str.p, m->items[i].str.len) == 0);
    free(s);
}

static const char *fake_header(void *ctx, const char *name)
{
    (void)ctx;
    return strcmp(name, "content-digest") == 0 ? "sha-256=:AAAA:" : "v";
}

static void check_signature(struct hr_slice in, struct hr_slice sig, const uint8_t *body,
                            size_t blen)
{
    struct fed_sig9_request req = {"POST", "/inbox?x=1", "https", "h.example", fake_header, NULL};
    const char *code = NULL;
    struct hr_err err = {0};
    struct fed_sig9 s;
    size_t lines = 1;
    char *base = NULL;
    int rc = fed_sig9_parse(in, sig, &s, &code, &err);

    if (rc != HR_OK) {
        fuzz_check_err(&err, rc);
        FUZZ_CHECK(code != NULL);
        return;
    }
    FUZZ_CHECK(inside(s.key_id, in) && inside(s.signature, sig));
    (void)fed_sig9_require(&s, "POST", &code, NULL);
    (void)fed_sig9_check_time(&s, 1741964966000, 300, &code, NULL);
    if (fed_sig9_base(&s, &req, &base, NULL) == HR_OK) {
        for (const char *p = base; (p = strchr(p, '\n')) != NULL; p++)
            lines++;
        FUZZ_CHECK(lines == s.input.n_items + 1);
    }
    free(base);
    rc = fed_content_digest_check(in, body, blen, &code, &err);
    FUZZ_CHECK(rc == HR_OK || rc == HR_EINVAL || rc == HR_ESIG);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fed_sf_dict d;
    const uint8_t *p = data, *end = data + size;
    struct hr_slice in = cut(&p, end), sig = cut(&p, end);
    struct hr_err err = {0};
    int rc = fed_sf_dict_parse(in, &d, &err);

    if (rc != HR_OK) {
        fuzz_check_err(&err, rc);
        FUZZ_CHECK(rc == HR_EINVAL);
    } else {
        FUZZ_CHECK(d.n >= 1 && d.n <= FED_SF_MAX_MEMBERS);
        for (size_t i = 0; i < d.n; i++) {
            check_member(&d.m[i], in);
            if (d.m[i].type == FED_SF_INNER)
                check_round_trip(&d.m[i]);
        }
    }
    check_signature(in, sig, p, (size_t)(end - p));
    return 0;
}
