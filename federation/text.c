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

/* Length of the URL starting at P (which begins with http:// or https://): up to white
 * space or a character that cannot end a link in prose; trailing punctuation is left to
 * the sentence. 0 when curl_url does not accept it. */
static size_t link_len(const char *p)
{
    size_t n = 0;
    char tmp[2049];

    while (p[n] != '\0' && p[n] != ' ' && p[n] != '\n' && p[n] != '\t' && p[n] != '\r' &&
           p[n] != '<' && p[n] != '>' && p[n] != '"' && n < 2048)
        n++;
    while (n > 0 && strchr(".,;:!?)'", p[n - 1]) != NULL)
        n--;
    if (n <= 8)
        return 0;
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    return fed_url_check(tmp, NULL) == HR_OK ? n : 0;
}

static bool link_start(const char *p)
{
    return strncmp(p, "https://", 8) == 0 || strncmp(p, "http://", 7) == 0;
}

static void add_line(struct hr_buf *b, const char *p, size_t n)
{
    size_t i = 0, start = 0;

    while (i < n) {
        size_t l = link_start(p + i) ? link_len(p + i) : 0;
        if (l == 0 || l > n - i) {
            i++;
            continue;
        }
        hr_buf_add_html(b, p + start, i - start);
        hr_buf_adds(b, "<a href=\"");
        hr_buf_add_html(b, p + i, l);
        hr_buf_adds(b, "\" rel=\"nofollow noopener noreferrer\" target=\"_blank\">");
        hr_buf_add_html(b, p + i, l);
        hr_buf_adds(b, "</a>");
        i += l;
        start = i;
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
            add_line(&b, p, n);
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
