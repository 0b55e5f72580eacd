/* federation/sanitize.c - HTML from remote servers, made safe to show (issue #11).
 *
 * The input is parsed as an HTML5 fragment by gumbo (the WHATWG tree-construction
 * algorithm, the one a browser runs), and the tree is written back out through an
 * allow-list: nothing of the input's bytes reaches the output except text, escaped by
 * hr_buf_add_html, and the values of attributes we checked. So the mutation tricks that
 * beat regex or tag-scanning sanitisers (a <style> or <noscript> whose content a browser
 * parses differently, SVG/MathML namespace confusion, entity-encoded schemes) meet a parse
 * that already decided what is text and what is markup, and a writer that emits only our
 * own tags. Namespace: anything outside the HTML namespace goes with its content.
 *
 * The output re-parses to the tree it was written from (sanitising it again changes
 * nothing): a tag the parser would not nest where the tree has it (a block inside a <p>,
 * an <a> inside an <a>, an <li> directly inside an <li>) is dropped and its content kept,
 * and <pre> is followed by the newline the parser removes after it (HTML §13.2.6.4.7). */
#include "federation/fed_int.h"

#include <curl/curl.h>
#include <gumbo.h>
#include <string.h>
#include <strings.h>

#define SAN_DEPTH_MAX   64           /* deeper nodes are dropped, text and all */
#define SAN_IN_MAX      (1u << 20)   /* stored replies are capped far below this */
#define SAN_OUT_MAX     (512u << 10) /* one remote HTML's share of a page */
#define SAN_CLOSE_MAX   14           /* strlen("</blockquote>") + 1 */
#define SAN_HREF_MAX    2048
#define SAN_ESCAPE_MAX  6            /* bytes out per byte in: '"' is "&quot;" */

enum { SAN_BLOCK = 1, SAN_VOID = 2, SAN_LIST = 4, SAN_CLASS = 8 };

static const struct allowed {
    GumboTag tag;
    const char *name;
    unsigned flags;
} allowed[] = {
    {GUMBO_TAG_P, "p", SAN_BLOCK},
    {GUMBO_TAG_BR, "br", SAN_VOID},
    {GUMBO_TAG_A, "a", SAN_CLASS},
    {GUMBO_TAG_SPAN, "span", SAN_CLASS},
    {GUMBO_TAG_STRONG, "strong", 0},
    {GUMBO_TAG_EM, "em", 0},
    {GUMBO_TAG_B, "b", 0},
    {GUMBO_TAG_I, "i", 0},
    {GUMBO_TAG_U, "u", 0},
    {GUMBO_TAG_S, "s", 0},
    {GUMBO_TAG_DEL, "del", 0},
    {GUMBO_TAG_CODE, "code", 0},
    {GUMBO_TAG_PRE, "pre", SAN_BLOCK},
    {GUMBO_TAG_BLOCKQUOTE, "blockquote", SAN_BLOCK},
    {GUMBO_TAG_UL, "ul", SAN_BLOCK | SAN_LIST},
    {GUMBO_TAG_OL, "ol", SAN_BLOCK | SAN_LIST},
    {GUMBO_TAG_LI, "li", SAN_BLOCK},
};

/* Dropped with everything inside: code, styles, embedded documents, forms, metadata, and
 * the raw-text elements whose content is markup to a browser in one context and text in
 * another. (Any other unknown element is unwrapped: its content stays, sanitised.) */
static const GumboTag dropped[] = {
    GUMBO_TAG_SCRIPT,   GUMBO_TAG_STYLE,    GUMBO_TAG_TEMPLATE, GUMBO_TAG_IFRAME,
    GUMBO_TAG_OBJECT,   GUMBO_TAG_EMBED,    GUMBO_TAG_APPLET,   GUMBO_TAG_NOSCRIPT,
    GUMBO_TAG_NOEMBED,  GUMBO_TAG_NOFRAMES, GUMBO_TAG_FRAMESET, GUMBO_TAG_FRAME,
    GUMBO_TAG_SVG,      GUMBO_TAG_MATH,     GUMBO_TAG_SELECT,   GUMBO_TAG_OPTION,
    GUMBO_TAG_OPTGROUP, GUMBO_TAG_DATALIST, GUMBO_TAG_TEXTAREA, GUMBO_TAG_INPUT,
    GUMBO_TAG_BUTTON,   GUMBO_TAG_FORM,     GUMBO_TAG_KEYGEN,   GUMBO_TAG_OUTPUT,
    GUMBO_TAG_TITLE,    GUMBO_TAG_HEAD,     GUMBO_TAG_META,     GUMBO_TAG_BASE,
    GUMBO_TAG_LINK,     GUMBO_TAG_XMP,      GUMBO_TAG_PLAINTEXT, GUMBO_TAG_LISTING,
    GUMBO_TAG_AUDIO,    GUMBO_TAG_VIDEO,    GUMBO_TAG_SOURCE,   GUMBO_TAG_TRACK,
    GUMBO_TAG_CANVAS,   GUMBO_TAG_IMG,      GUMBO_TAG_IMAGE,    GUMBO_TAG_PARAM,
    GUMBO_TAG_MAP,      GUMBO_TAG_AREA,
};

/* The classes Mastodon's own sanitiser keeps (app/lib/sanitize_config.rb): mentions,
 * hashtags and the parts of a long link it hides or elides. */
static const char *const classes[] = {"h-card", "u-url", "mention", "hashtag", "invisible",
                                      "ellipsis"};

struct san {
    struct hr_buf b;               /* the output, capped at SAN_OUT_MAX and OUT's room */
    size_t budget;                 /* content bytes allowed; the rest is for closing tags */
    bool full;                     /* budget spent: only closing tags from here on */
    GumboTag open[SAN_DEPTH_MAX];  /* the tags written and not yet closed */
    size_t nopen;
};

static const struct allowed *allowed_of(GumboTag tag)
{
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        if (allowed[i].tag == tag)
            return &allowed[i];
    return NULL;
}

static bool is_dropped(GumboTag tag)
{
    for (size_t i = 0; i < sizeof dropped / sizeof dropped[0]; i++)
        if (dropped[i] == tag)
            return true;
    return false;
}

static bool is_open(const struct san *s, GumboTag tag)
{
    for (size_t i = 0; i < s->nopen; i++)
        if (s->open[i] == tag)
            return true;
    return false;
}

/* Whether TAG, written here, re-parses where it stands: a block start tag closes an open
 * <p> (HTML §13.2.6.4.7 "in body"), an <li> closes the <li> it would sit in, an <a> the <a>. */
static bool nests(const struct san *s, const struct allowed *a)
{
    if ((a->flags & SAN_BLOCK) && is_open(s, GUMBO_TAG_P))
        return false;
    if (a->tag == GUMBO_TAG_A && is_open(s, GUMBO_TAG_A))
        return false;
    if (a->tag != GUMBO_TAG_LI)
        return true;
    for (size_t i = s->nopen; i > 0; i--) {
        GumboTag t = s->open[i - 1];
        if (t == GUMBO_TAG_UL || t == GUMBO_TAG_OL)
            return true;
        if (t == GUMBO_TAG_LI)
            return false;
    }
    return true;
}

/* An absolute http: or https: URL with a host. The value is already entity-decoded by
 * the parser; white space and controls anywhere are refused rather than stripped, since
 * browsers strip some of them ("java\tscript:") and we would have to agree on which. */
static bool href_ok(const char *v)
{
    CURLU *u = NULL;
    char *scheme = NULL, *host = NULL;
    bool ok;

    if (strncasecmp(v, "http://", 7) != 0 && strncasecmp(v, "https://", 8) != 0)
        return false;
    for (const unsigned char *p = (const unsigned char *)v; *p != '\0'; p++)
        if (*p <= 0x20 || *p == 0x7f || p - (const unsigned char *)v >= SAN_HREF_MAX)
            return false;
    u = curl_url();
    ok = u != NULL && curl_url_set(u, CURLUPART_URL, v, 0) == CURLUE_OK &&
         curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
         curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host[0] != '\0' &&
         (strcasecmp(scheme, "http") == 0 || strcasecmp(scheme, "https") == 0);
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return ok;
}

/* The bit of the known class P (N bytes), or 0. */
static unsigned class_bit(const char *p, size_t n)
{
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        if (strlen(classes[i]) == n && memcmp(classes[i], p, n) == 0)
            return 1u << i;
    return 0;
}

/* class="..." with the known tokens of V only, each once (ASCII white space separates
 * tokens, HTML §2.3.8). */
static void add_classes(struct san *s, const char *v)
{
    static const char ws[] = " \t\n\f\r";
    unsigned seen = 0, bit;
    bool any = false;

    while (*(v += strspn(v, ws)) != '\0') {
        size_t n = strcspn(v, ws);
        if ((bit = class_bit(v, n)) != 0 && !(seen & bit)) {
            hr_buf_adds(&s->b, any ? " " : " class=\"");
            hr_buf_add(&s->b, v, n);
            seen |= bit;
            any = true;
        }
        v += n;
    }
    if (any)
        hr_buf_adds(&s->b, "\"");
}

static const char *attr(const GumboElement *e, const char *name)
{
    const GumboAttribute *at = gumbo_get_attribute(&e->attributes, name);

    return at != NULL ? at->value : NULL;
}

/* The code point of the UTF-8 sequence at P (N bytes left), *LEN bytes long; 0xfffd for
 * a byte that starts no valid sequence (RFC 3629 §4), *LEN 1. The parser should hand us
 * valid UTF-8, but gumbo 0.10.1 writes a lone byte for an overflowing "&#x8888888888;". */
static unsigned utf8_at(const unsigned char *p, size_t n, size_t *len)
{
    static const unsigned min[] = {0, 0, 0x80, 0x800, 0x10000};
    unsigned c = p[0];
    size_t need = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
                : c >= 0xf0 && c <= 0xf4 ? 4 : 0;

    *len = 1;
    if (need == 1)
        return c;
    if (need == 0 || need > n)
        return 0xfffd;
    c &= 0x3fu >> (need - 1);
    for (size_t k = 1; k < need; k++) {
        if ((p[k] & 0xc0) != 0x80)
            return 0xfffd;
        c = c << 6 | (p[k] & 0x3fu);
    }
    if (c < min[need] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0xfffd;
    *len = need;
    return c;
}

/* Controls (but tab, LF and FF), noncharacters and invalid bytes: a character reference
 * can put them in the tree, but written raw they would not parse back the same (HTML
 * §13.2.3.5 replaces some, and CR is a line break), and none is text a reader needs. */
static bool unwanted(unsigned c)
{
    return c == 0xfffd || (c < 0x20 && c != '\t' && c != '\n' && c != '\f') || (c >= 0x7f && c <= 0x9f) ||
           (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe;
}

/* N bytes of parsed text at T, escaped, with unwanted characters as U+FFFD. */
static void add_text(struct san *s, const char *t, size_t n)
{
    size_t start = 0, i = 0, len;

    while (i < n) {
        unsigned c = utf8_at((const unsigned char *)t + i, n - i, &len);
        if (!unwanted(c)) {
            i += len;
            continue;
        }
        hr_buf_add_html(&s->b, t + start, i - start);
        hr_buf_adds(&s->b, "\xef\xbf\xbd");
        i += len;
        start = i;
    }
    hr_buf_add_html(&s->b, t + start, n - start);
}

static void open_tag(struct san *s, const struct allowed *a, const GumboElement *e,
                     const char *href)
{
    const char *cls = (a->flags & SAN_CLASS) ? attr(e, "class") : NULL;

    hr_buf_adds(&s->b, "<");
    hr_buf_adds(&s->b, a->name);
    if (href != NULL) {
        hr_buf_adds(&s->b, " href=\"");
        add_text(s, href, strlen(href));
        hr_buf_adds(&s->b, "\" rel=\"nofollow noopener noreferrer ugc\" target=\"_blank\"");
    }
    if (cls != NULL)
        add_classes(s, cls);
    hr_buf_adds(&s->b, a->tag == GUMBO_TAG_PRE ? ">\n" : ">");
}

/* Text up to the budget, cut at a UTF-8 character boundary. */
static void text(struct san *s, const char *t)
{
    size_t n = strlen(t);

    while (n > 0 && !s->full) {
        size_t room = s->b.len < s->budget ? (s->budget - s->b.len) / SAN_ESCAPE_MAX : 0;
        size_t take = n < room ? n : room;
        while (take > 0 && take < n && ((unsigned char)t[take] & 0xc0) == 0x80)
            take--;
        if (take == 0) {
            s->full = true;
            return;
        }
        add_text(s, t, take);
        t += take;
        n -= take;
    }
}

static void walk(struct san *s, const GumboNode *n, size_t depth);

static void children(struct san *s, const GumboVector *v, size_t depth)
{
    for (unsigned i = 0; i < v->length && !s->full; i++)
        walk(s, v->data[i], depth);
}

/* Whether to write E's tag here (*HREF: the link it keeps), or only its content. The tag
 * is written only when it fits the budget whole: at most 128 bytes with its classes, plus
 * the escaped href and our rel. */
static const struct allowed *writable(struct san *s, const GumboElement *e, const char **href)
{
    const struct allowed *a = allowed_of(e->tag);
    size_t need = 128;

    *href = NULL;
    if (a == NULL || !nests(s, a) || s->nopen >= SAN_DEPTH_MAX)
        return NULL;
    if (a->tag == GUMBO_TAG_A) {
        *href = attr(e, "href");
        if (*href == NULL || !href_ok(*href))
            return NULL; /* a link to nowhere safe: its text stays, unlinked */
        need += SAN_ESCAPE_MAX * strlen(*href) + 64;
    }
    return s->b.len + need <= s->budget ? a : NULL;
}

static void element(struct san *s, const GumboElement *e, size_t depth)
{
    const struct allowed *a;
    const char *href;

    if (e->tag_namespace != GUMBO_NAMESPACE_HTML || is_dropped(e->tag))
        return;
    a = writable(s, e, &href);
    if (a == NULL) {
        children(s, &e->children, depth + 1);
        return;
    }
    open_tag(s, a, e, href);
    if (a->flags & SAN_VOID)
        return;
    s->open[s->nopen++] = a->tag;
    children(s, &e->children, depth + 1);
    s->nopen--;
    hr_buf_adds(&s->b, "</");
    hr_buf_adds(&s->b, a->name);
    hr_buf_adds(&s->b, ">");
}

static void walk(struct san *s, const GumboNode *n, size_t depth)
{
    if (depth > SAN_DEPTH_MAX)
        return;
    switch (n->type) {
    case GUMBO_NODE_TEXT:
    case GUMBO_NODE_WHITESPACE:
        text(s, n->v.text.text);
        return;
    case GUMBO_NODE_ELEMENT:
        element(s, &n->v.element, depth);
        return;
    default: /* a template's contents, comments, CDATA (foreign content only), doctype */
        return;
    }
}

/* The <body> element of a parsed document (gumbo always makes one), or NULL. */
static const GumboNode *document_body(const GumboOutput *tree)
{
    const GumboVector *kids;

    if (tree->root == NULL || tree->root->type != GUMBO_NODE_ELEMENT)
        return NULL;
    kids = &tree->root->v.element.children;
    for (unsigned i = 0; i < kids->length; i++) {
        const GumboNode *n = kids->data[i];
        if (n->type == GUMBO_NODE_ELEMENT && n->v.element.tag == GUMBO_TAG_BODY)
            return n;
    }
    return NULL;
}

void fed_sanitize_html(const char *html, size_t len, struct hr_buf *out)
{
    GumboOptions opt = kGumboDefaultOptions;
    const GumboNode *body;
    GumboOutput *tree;
    struct san s = {0};
    size_t room = out->err == HR_OK && out->limit > out->len ? out->limit - out->len : 0;
    size_t cap = room < SAN_OUT_MAX ? room : SAN_OUT_MAX;
    size_t reserve = SAN_DEPTH_MAX * SAN_CLOSE_MAX;

    if (html == NULL || cap <= reserve)
        return;
    /* Parsed as a whole document and read from its <body>: the same "in body" insertion
     * mode as the fragment parsing of HTML §13.2.9 with a <div> context, but gumbo 0.10.1's
     * fragment mode reads memory it never initialised on some foreign-content input
     * (<math><mtext><table><mglyph>..., found by valgrind); what the parser puts in <head>
     * (<title>, <meta>, <style> before any text) is dropped, as the allow-list would. */
    opt.max_errors = 0;
    tree = gumbo_parse_with_options(&opt, html, len < SAN_IN_MAX ? len : SAN_IN_MAX);
    if (tree == NULL)
        return;
    hr_buf_init(&s.b, cap);
    s.budget = cap - reserve;
    body = document_body(tree);
    if (body != NULL)
        children(&s, &body->v.element.children, 1);
    if (s.b.err == HR_OK) {
        /* a document parse drops whitespace before the first content: so do we, or a
         * second pass would change the output (fuzz_sanitize's fixed-point check) */
        size_t lead = s.b.len > 0 ? strspn(s.b.data, " \t\n\f\r") : 0;
        if (s.b.len > lead)
            hr_buf_add(out, s.b.data + lead, s.b.len - lead);
    }
    hr_buf_fini(&s.b);
    gumbo_destroy_output(&opt, tree);
}
