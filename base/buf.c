/* base/buf.c - capped string builder (the idea of curl's dynbuf). */
#include "base/hr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hr_buf_init(struct hr_buf *b, size_t limit)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->limit = limit;
    b->err = HR_OK;
}

static bool grow(struct hr_buf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (b->err != HR_OK)
        return false;
    if (extra > b->limit || b->len > b->limit - extra) {
        b->err = HR_ETOOBIG;
        return false;
    }
    need = b->len + extra + 1;
    if (need <= b->cap)
        return true;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    if (cap > b->limit + 1)
        cap = b->limit + 1;
    p = realloc(b->data, cap);
    if (p == NULL) {
        b->err = HR_ENOMEM;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void hr_buf_add(struct hr_buf *b, const char *p, size_t n)
{
    if (!grow(b, n))
        return;
    if (n > 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void hr_buf_adds(struct hr_buf *b, const char *s)
{
    hr_buf_add(b, s, strlen(s));
}

void hr_buf_addf(struct hr_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (b->err != HR_OK)
        return;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->err = HR_EINVAL;
        return;
    }
    if (!grow(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *hr_buf_take(struct hr_buf *b)
{
    char *p = NULL;

    if (b->err == HR_OK) {
        p = b->data ? b->data : calloc(1, 1);
        b->data = NULL;
    }
    hr_buf_fini(b);
    return p;
}

void hr_buf_fini(struct hr_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->err = HR_OK;
}

/* Length of the bidirectional embedding, override or isolate control at P (U+202A-U+202E,
 * U+2066-U+2069, 3 bytes each in UTF-8), or 0. They reorder what a reader sees without
 * changing what is stored ("Trojan Source", Unicode UTS #39 §4 and UAX #9 §2). */
static size_t bidi_control(const unsigned char *p, size_t n)
{
    if (n < 3 || p[0] != 0xe2)
        return 0;
    if (p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae)
        return 3;
    if (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)
        return 3;
    return 0;
}

static const char *html_entity(char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&#39;";
    default: return NULL;
    }
}

/* The one path by which text reaches HTML. ESCAPE: markup characters become entities
 * (text); otherwise they pass (our own generated markup). Bidi controls become U+FFFD in
 * both, so that no page, and no post we generate, can forget them (docs/decisions.md). */
static void html_add(struct hr_buf *b, const char *p, size_t n, bool escape)
{
    size_t start = 0, i = 0;

    while (i < n) {
        size_t skip = bidi_control((const unsigned char *)p + i, n - i);
        const char *rep = skip ? "\xef\xbf\xbd" : escape ? html_entity(p[i]) : NULL;
        if (rep == NULL) {
            i++;
            continue;
        }
        hr_buf_add(b, p + start, i - start);
        hr_buf_adds(b, rep);
        i += skip ? skip : 1;
        start = i;
    }
    hr_buf_add(b, p + start, n - start);
}

void hr_buf_add_html(struct hr_buf *b, const char *p, size_t n)
{
    html_add(b, p, n, true);
}

void hr_buf_add_markup(struct hr_buf *b, const char *p, size_t n)
{
    html_add(b, p, n, false);
}
