/* tests/fuzz/fuzz_text_html.c - our own HTML from untrusted text:
 * 1. fed_text_to_html (post text -> <p>/<br>/<a>): the output may contain only the tags
 *    it is documented to make, never "<script", every <a> links to http:// or https://,
 *    and the visible text, unescaped, is exactly the input's text (nothing lost, nothing
 *    injected) but for bidi override/isolate controls, which become U+FFFD, and the HTML
 *    holds no such control anywhere (not even one made of two escaped pieces);
 * 2. hr_buf_add_html on the raw bytes: no raw < > " ' in the output, and unescaping it
 *    gives the input back, with the same bidi controls as U+FFFD.
 * Input: the text. Any violation abort()s so libFuzzer reports the input. */
#include "fuzz.h"

#include "federation/fed_int.h"

#include <strings.h>

#define A_OPEN "<a href=\""
#define A_TAIL "\" rel=\"nofollow noopener noreferrer\" target=\"_blank\">"

static const struct {
    const char *text;
    char ch;
} entities[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};

static bool starts(const char *p, const char *prefix)
{
    return strncmp(p, prefix, strlen(prefix)) == 0;
}

/* Decodes the entity at P (which is '&') into *CH; returns its length. Unknown: abort. */
static size_t entity(const char *p, size_t avail, char *ch)
{
    for (size_t i = 0; i < sizeof entities / sizeof entities[0]; i++) {
        size_t n = strlen(entities[i].text);
        if (n <= avail && memcmp(p, entities[i].text, n) == 0) {
            *ch = entities[i].ch;
            return n;
        }
    }
    fprintf(stderr, "bare '&' or unknown entity at \"%.12s\"\n", p);
    abort();
}

/* An href value: starts with http(s)://, ends at the first '"', holds no raw markup or
 * white space. Returns the decoded length written to OUT (capacity >= the raw length). */
static size_t href_value(const char **pp, char *out)
{
    const char *p = *pp;
    size_t n = 0;

    FUZZ_CHECK(starts(p, "http://") || starts(p, "https://"));
    while (*p != '"') {
        FUZZ_CHECK(*p != '\0' && *p != '<' && *p != '>' && *p != '\'' && *p != ' ' && *p != '\t' &&
                   *p != '\n' && *p != '\r');
        if (*p == '&')
            p += entity(p, strlen(p), &out[n]);
        else
            out[n] = *p++;
        n++;
    }
    *pp = p;
    return n;
}

struct walk {
    char *vis, *href; /* visible text and the current href, both decoded */
    size_t n_vis, n_href, a_start;
    bool in_p, in_a;
};

/* One tag at *PP (which is '<'): only the ones fed_text_to_html makes, properly nested. */
static void tag(struct walk *w, const char **pp)
{
    const char *p = *pp;

    if (starts(p, "<p>") || starts(p, "</p>")) {
        FUZZ_CHECK(!w->in_a && w->in_p == (p[1] == '/'));
        w->in_p = p[1] != '/';
        p += p[1] == '/' ? 4 : 3;
    } else if (starts(p, "<br>")) {
        FUZZ_CHECK(w->in_p && !w->in_a);
        p += 4;
    } else if (starts(p, A_OPEN)) {
        FUZZ_CHECK(w->in_p && !w->in_a);
        p += strlen(A_OPEN);
        w->n_href = href_value(&p, w->href);
        FUZZ_CHECK(starts(p, A_TAIL));
        p += strlen(A_TAIL);
        w->in_a = true;
        w->a_start = w->n_vis;
    } else if (starts(p, "</a>")) {
        FUZZ_CHECK(w->in_a);
        /* the link text is the URL it points to: no "click here" spoofing */
        FUZZ_CHECK(w->n_vis - w->a_start == w->n_href &&
                   memcmp(w->vis + w->a_start, w->href, w->n_href) == 0);
        w->in_a = false;
        p += 4;
    } else {
        fprintf(stderr, "unexpected markup \"%.20s\"\n", p);
        abort();
    }
    *pp = p;
}

/* IN with U+202A-U+202E and U+2066-U+2069 as U+FFFD (3 bytes each way: same length),
 * written independently of base/buf.c. */
static void neutralise(const char *in, size_t n, char *out)
{
    const unsigned char *u = (const unsigned char *)in;

    memmove(out, in, n);
    for (size_t i = 0; i + 2 < n; i++) {
        bool bidi = u[i] == 0xe2 && ((u[i + 1] == 0x80 && u[i + 2] >= 0xaa && u[i + 2] <= 0xae) ||
                                     (u[i + 1] == 0x81 && u[i + 2] >= 0xa6 && u[i + 2] <= 0xa9));
        if (bidi) {
            memcpy(out + i, "\xef\xbf\xbd", 3);
            i += 2;
        }
    }
}

/* What the reader should see: each line without one trailing CR, lines concatenated. */
static size_t expected_text(const char *in, char *out)
{
    size_t n = 0;

    while (*in != '\0') {
        size_t len = strcspn(in, "\n");
        size_t keep = len > 0 && in[len - 1] == '\r' ? len - 1 : len;
        memcpy(out + n, in, keep);
        n += keep;
        in += len + (in[len] == '\n');
    }
    return n;
}

static void check_text_html(const char *in, const char *html)
{
    size_t cap = strlen(html) + 1;
    struct walk w = {.vis = malloc(cap), .href = malloc(cap)};
    char *want = malloc(strlen(in) + 1);
    const char *p = html;
    size_t n_want;

    FUZZ_CHECK(w.vis != NULL && w.href != NULL && want != NULL);
    for (const char *s = html; (s = strchr(s, '<')) != NULL; s++)
        FUZZ_CHECK(strncasecmp(s, "<script", 7) != 0);
    while (*p != '\0') {
        if (*p == '<') {
            tag(&w, &p);
            continue;
        }
        FUZZ_CHECK(w.in_p);
        FUZZ_CHECK(*p != '>' && *p != '"' && *p != '\''); /* raw: would end or open markup */
        if (*p == '&')
            p += entity(p, strlen(p), &w.vis[w.n_vis]);
        else
            w.vis[w.n_vis] = *p++;
        w.n_vis++;
    }
    FUZZ_CHECK(!w.in_p && !w.in_a);
    neutralise(html, strlen(html), w.href); /* as scratch: the HTML has no control left */
    FUZZ_CHECK(memcmp(w.href, html, strlen(html)) == 0);
    /* a control split by a line break or a link's end is none on the page: compare the
     * two texts with the controls neutralised alike */
    neutralise(w.vis, w.n_vis, w.vis);
    n_want = expected_text(in, want);
    neutralise(want, n_want, want);
    FUZZ_CHECK(w.n_vis == n_want && memcmp(w.vis, want, n_want) == 0);
    free(want);
    free(w.href);
    free(w.vis);
}

static void check_add_html(const uint8_t *data, size_t size)
{
    struct hr_buf b;
    size_t j = 0;
    char *want = malloc(size + 1);

    FUZZ_CHECK(want != NULL);
    neutralise((const char *)data, size, want);
    hr_buf_init(&b, 1u << 20);
    hr_buf_add_html(&b, (const char *)data, size);
    if (size <= 65536) /* 6 bytes out per byte in at most: far below the limit */
        FUZZ_CHECK(b.err == HR_OK);
    if (b.err != HR_OK) {
        hr_buf_fini(&b);
        free(want);
        return;
    }
    for (size_t i = 0; i < b.len; j++) {
        char ch = b.data[i];
        FUZZ_CHECK(ch != '<' && ch != '>' && ch != '"' && ch != '\'');
        if (ch == '&')
            i += entity(b.data + i, b.len - i, &ch);
        else
            i++;
        FUZZ_CHECK(j < size && ch == want[j]);
    }
    FUZZ_CHECK(j == size);
    FUZZ_CHECK(b.len == 0 || b.data[b.len] == '\0');
    hr_buf_fini(&b);
    free(want);
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
    char *text = fuzz_cstr(data, size);
    char *html = fed_text_to_html(text);

    /* ~13 bytes out per byte in at most (a link is escaped twice plus its tags) */
    if (size <= 65536)
        FUZZ_CHECK(html != NULL);
    if (html != NULL)
        check_text_html(text, html);
    free(html);
    free(text);
    check_add_html(data, size);
    return 0;
}
