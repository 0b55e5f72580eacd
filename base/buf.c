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

void hr_buf_add_html(struct hr_buf *b, const char *p, size_t n)
{
    size_t start = 0;

    for (size_t i = 0; i < n; i++) {
        const char *rep = NULL;
        switch (p[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: break;
        }
        if (rep != NULL) {
            hr_buf_add(b, p + start, i - start);
            hr_buf_adds(b, rep);
            start = i + 1;
        }
    }
    hr_buf_add(b, p + start, n - start);
}
