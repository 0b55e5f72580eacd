/* federation/text.c - post text to HTML, URL escaping/validation, a string set. */
#include "federation/fed_int.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

char *fed_url_escape(const char *s)
{
    char *e = curl_easy_escape(NULL, s, 0);
    char *copy = e ? strdup(e) : NULL;

    curl_free(e);
    return copy;
}

int fed_url_check(const char *url, struct hr_err *err)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL;
    int rc = HR_OK;

    if (u == NULL)
        return hr_fail(err, HR_ENOMEM, "url");
    if (url == NULL || strlen(url) > 2048 ||
        curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
        (strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0))
        rc = hr_fail(err, HR_EINVAL, "not an absolute http(s) URL");
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}

static void add_link(struct hr_buf *b, const char *p, size_t l)
{
    hr_buf_adds(b, "<a href=\"");
    hr_buf_add_html(b, p, l);
    hr_buf_adds(b, "\" rel=\"nofollow noopener noreferrer\" target=\"_blank\">");
    hr_buf_add_html(b, p, l);
    hr_buf_adds(b, "</a>");
}

/* Mastodon's markup for a hashtag (app/lib/text_formatter.rb): the tag page of its
 * lower-cased name, the name shown as written. */
static bool add_hashtag(struct hr_buf *b, const char *p, size_t l, const struct fed_text_links *x)
{
    char *norm = fed_hashtag_norm(p + 1, l - 1);
    char *esc = norm ? fed_url_escape(norm) : NULL;

    if (esc != NULL) {
        hr_buf_adds(b, "<a href=\"");
        hr_buf_add_html(b, x->base, strlen(x->base));
        hr_buf_adds(b, "/tags/");
        hr_buf_add_html(b, esc, strlen(esc));
        hr_buf_adds(b, "\" class=\"mention hashtag\" rel=\"tag\">#<span>");
        hr_buf_add_html(b, p + 1, l - 1);
        hr_buf_adds(b, "</span></a>");
    }
    free(norm);
    free(esc);
    return esc != NULL;
}

/* A mention resolved when the draft was made, linked to the account's profile as
 * Mastodon links it; one that was not resolved stays text. */
static bool add_mention(struct hr_buf *b, const char *p, size_t l, const struct fed_text_links *x)
{
    const json_t *m = fed_mention_find(x->mentions, p + 1, l - 1);
    const char *url = json_string_value(json_object_get(m, "url"));
    const char *at = memchr(p + 1, '@', l - 1);

    if (url == NULL || url[0] == '\0' || at == NULL)
        return false;
    hr_buf_adds(b, "<span class=\"h-card\" translate=\"no\"><a href=\"");
    hr_buf_add_html(b, url, strlen(url));
    hr_buf_adds(b, "\" class=\"u-url mention\">@<span>");
    hr_buf_add_html(b, p + 1, (size_t)(at - p - 1));
    hr_buf_adds(b, "</span></a></span>");
    return true;
}

static void add_line(struct hr_buf *b, const char *p, size_t n, const struct fed_text_links *x)
{
    struct fed_entity e;
    size_t start = 0;

    while (fed_entity_next(p, n, start, &e)) {
        const char *s = p + e.start;
        hr_buf_add_html(b, p + start, e.start - start);
        if (e.kind == FED_ENTITY_LINK)
            add_link(b, s, e.len);
        else if (x == NULL || !(e.kind == FED_ENTITY_HASHTAG ? add_hashtag(b, s, e.len, x)
                                                             : add_mention(b, s, e.len, x)))
            hr_buf_add_html(b, s, e.len);
        start = e.start + e.len;
    }
    hr_buf_add_html(b, p + start, n - start);
}

/* Text escaped in pieces (around links) could form a bidi control from two pieces (a
 * link cut at 2,048 bytes inside a UTF-8 sequence): one more pass over the whole of B,
 * which it takes. */
static char *whole_pass(struct hr_buf *b)
{
    struct hr_buf out;

    hr_buf_init(&out, b->limit);
    if (b->err != HR_OK)
        out.err = b->err;
    else
        hr_buf_add_markup(&out, b->data ? b->data : "", b->len);
    hr_buf_fini(b);
    return hr_buf_take(&out);
}

char *fed_text_to_html(const char *text)
{
    return fed_text_to_html_links(text, NULL);
}

char *fed_text_to_html_links(const char *text, const struct fed_text_links *l)
{
    struct hr_buf b;
    const char *p = text;
    bool open = false;

    hr_buf_init(&b, 1u << 20);
    while (*p != '\0') {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        bool blank = n == 0 || (n == 1 && p[0] == '\r');
        if (n > 0 && p[n - 1] == '\r')
            n--;
        if (blank) {
            if (open)
                hr_buf_adds(&b, "</p>");
            open = false;
        } else {
            hr_buf_adds(&b, open ? "<br>" : "<p>");
            open = true;
            add_line(&b, p, n, l);
        }
        p += nl ? (size_t)(nl - p) + 1 : strlen(p);
    }
    if (open)
        hr_buf_adds(&b, "</p>");
    return whole_pass(&b);
}

static int strset_grow(struct fed_strset *s)
{
    struct fed_strset bigger = {0};

    bigger.cap = s->cap ? s->cap * 2 : 64;
    bigger.slots = calloc(bigger.cap, sizeof *bigger.slots);
    if (bigger.slots == NULL)
        return HR_ENOMEM;
    for (size_t i = 0; i < s->cap; i++) {
        if (s->slots[i] == NULL)
            continue;
        size_t j = hr_fnv1a_str(s->slots[i]) & (bigger.cap - 1);
        while (bigger.slots[j] != NULL)
            j = (j + 1) & (bigger.cap - 1);
        bigger.slots[j] = s->slots[i];
    }
    free(s->slots);
    s->slots = bigger.slots;
    s->cap = bigger.cap;
    return HR_OK;
}

int fed_strset_add(struct fed_strset *s, const char *v)
{
    size_t j;

    if ((s->n + 1) * 2 > s->cap && strset_grow(s) != HR_OK)
        return HR_ENOMEM;
    for (j = hr_fnv1a_str(v) & (s->cap - 1); s->slots[j] != NULL; j = (j + 1) & (s->cap - 1))
        if (strcmp(s->slots[j], v) == 0)
            return HR_EEXIST;
    s->slots[j] = strdup(v);
    if (s->slots[j] == NULL)
        return HR_ENOMEM;
    s->n++;
    return HR_OK;
}

void fed_strset_fini(struct fed_strset *s)
{
    for (size_t i = 0; i < s->cap; i++)
        free(s->slots[i]);
    free(s->slots);
    memset(s, 0, sizeof *s);
}
