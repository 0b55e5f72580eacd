/* federation/relme.c - finds a rel="me" link to one of our accounts in a web page, the
 * check behind website binding (federation/website.c). The page is parsed by gumbo, an
 * HTML5 parser (WHATWG HTML §13.2), so what counts is what a browser would build: a
 * rel=me inside a comment, a <script>, a <style> or an attribute value is text, not a
 * link. The one module that includes gumbo.h (scripts/lint). */
#include "federation/fed_int.h"

#include <curl/curl.h>
#include <gumbo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The same URL, written either way, compares equal: lower-case scheme and host, the
 * default port left out, no fragment, and no trailing slash after a non-empty path
 * ("https://x.example/@a/" is "https://x.example/@a"). */
int fed_relme_normalise(const char *url, char *out, size_t cap, struct hr_err *err)
{
    char origin[300], target[1200];
    size_t n;
    int rc = fed_url_origin(url, origin, sizeof origin, err);

    if (rc == HR_OK)
        rc = fed_url_target(url, target, sizeof target, err);
    if (rc != HR_OK)
        return rc;
    n = strlen(target);
    if (n > 1 && target[n - 1] == '/')
        target[n - 1] = '\0';
    if (strcmp(target, "/") == 0)
        target[0] = '\0';
    if ((size_t)snprintf(out, cap, "%s%s", origin, target) >= cap)
        return hr_fail(err, HR_ETOOBIG, "URL too long");
    return HR_OK;
}

/* HREF resolved against the page's URL BASE (RFC 3986 §5.2, by curl_url) and normalised.
 * Browsers strip leading and trailing ASCII white space from an href (HTML §2.5.2). */
static int href_resolve(const char *base, const char *href, char *out, size_t cap)
{
    static const char ws[] = " \t\n\f\r";
    char trimmed[2048];
    size_t n;
    CURLU *u = curl_url();
    char *abs = NULL;
    int rc = HR_EINVAL;

    href += strspn(href, ws);
    for (n = strlen(href); n > 0 && strchr(ws, href[n - 1]) != NULL; n--)
        ;
    if (n >= sizeof trimmed) {
        curl_url_cleanup(u);
        return HR_EINVAL;
    }
    memcpy(trimmed, href, n);
    trimmed[n] = '\0';
    if (u != NULL && curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_URL, trimmed, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_URL, &abs, 0) == CURLUE_OK)
        rc = fed_relme_normalise(abs, out, cap, NULL);
    curl_free(abs);
    curl_url_cleanup(u);
    return rc;
}

/* true when REL (a space-separated token list, HTML §4.6.7) holds "me", in any case. */
static bool rel_has_me(const char *rel)
{
    static const char ws[] = " \t\n\f\r";
    const char *p = rel;

    while (p != NULL && *p != '\0') {
        size_t skip = strspn(p, ws), n;

        p += skip;
        n = strcspn(p, ws);
        if (n == 2 && (p[0] == 'm' || p[0] == 'M') && (p[1] == 'e' || p[1] == 'E'))
            return true;
        p += n;
    }
    return false;
}

/* The normalised href of an <a> or <link> element NODE with rel=me, into OUT; false when
 * NODE is not one. */
static bool relme_href(const GumboNode *node, const char *base, char *out, size_t cap)
{
    const GumboElement *e = &node->v.element;
    const GumboAttribute *rel, *href;

    if (e->tag != GUMBO_TAG_A && e->tag != GUMBO_TAG_LINK)
        return false;
    /* gumbo lower-cases attribute names: REL="ME" is found as rel */
    rel = gumbo_get_attribute(&e->attributes, "rel");
    href = gumbo_get_attribute(&e->attributes, "href");
    if (rel == NULL || href == NULL || !rel_has_me(rel->value))
        return false;
    return href_resolve(base, href->value, out, cap) == HR_OK;
}

static bool target_match(const char *href, const char *const *targets, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(href, targets[i]) == 0)
            return true;
    return false;
}

struct node_stack {
    const GumboNode **v;
    size_t n, cap;
};

/* Pushes NODE's children, last first (so the walk is in document order); false on ENOMEM.
 * <template> contents are never rendered: they are not walked. */
static bool push_children(struct node_stack *st, const GumboNode *node)
{
    const GumboVector *kids;

    if (node->type == GUMBO_NODE_TEMPLATE)
        return true;
    kids =
        node->type == GUMBO_NODE_DOCUMENT ? &node->v.document.children : &node->v.element.children;
    if (st->n + kids->length > st->cap) {
        size_t ncap = (st->n + kids->length) * 2 + 16;
        const GumboNode **nv = realloc(st->v, ncap * sizeof *nv);

        if (nv == NULL)
            return false;
        st->v = nv;
        st->cap = ncap;
    }
    for (size_t i = kids->length; i > 0; i--)
        st->v[st->n++] = kids->data[i - 1];
    return true;
}

/* Walks the tree with an explicit stack: a page nesting thousands of elements must not
 * exhaust ours. Out of memory ends the walk as "not found", the safe answer. */
static bool tree_find(const GumboNode *root, const struct fed_relme_query *q, char *found,
                      size_t cap)
{
    struct node_stack st = {0};
    char href[1600];
    bool hit = false;

    for (const GumboNode *node = root; node != NULL && !hit;
         node = st.n > 0 ? st.v[--st.n] : NULL) {
        if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE &&
            node->type != GUMBO_NODE_DOCUMENT)
            continue; /* text, comments, CDATA, white space: never a link */
        if (node->type != GUMBO_NODE_DOCUMENT && relme_href(node, q->page_url, href, sizeof href) &&
            target_match(href, q->targets, q->n_targets)) {
            hit = true;
            if (found != NULL && cap > 0)
                snprintf(found, cap, "%s", href);
        } else if (!push_children(&st, node)) {
            break;
        }
    }
    free(st.v);
    return hit;
}

bool fed_relme_find(const char *html, size_t len, const struct fed_relme_query *q, char *found,
                    size_t cap)
{
    GumboOutput *out;
    bool hit;

    if (found != NULL && cap > 0)
        found[0] = '\0';
    if (html == NULL || q == NULL || q->page_url == NULL)
        return false;
    out = gumbo_parse_with_options(&kGumboDefaultOptions, html, len);
    if (out == NULL)
        return false;
    hit = tree_find(out->document, q, found, cap);
    gumbo_destroy_output(&kGumboDefaultOptions, out);
    return hit;
}
