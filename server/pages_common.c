/* server/pages_common.c - pieces more than one page kind shows (server/web.h): a post, a
 * list of posts with its pager, account labels, avatars, feed links, OpenGraph. */
#include "server/pages.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *pages_actor(struct http_req *r, const char *name)
{
    struct fed_doc d = {0};
    json_t *j;

    fed_actor(r->app->fed, name, &d);
    j = d.status == 200 && d.body ? json_loads(d.body, 0, NULL) : NULL;
    fed_doc_fini(&d);
    return j;
}

json_t *pages_accounts(struct http_req *r, const char *only)
{
    json_t *items = NULL;

    if (fed_web_accounts(r->app->fed, only, &items, NULL) != HR_OK)
        return NULL;
    return items;
}

const json_t *pages_account_find(const json_t *accounts, const char *name)
{
    const json_t *a;
    size_t i;

    json_array_foreach(accounts, i, a)
    {
        const char *n = json_string_value(json_object_get(a, "name"));
        if (n != NULL && name != NULL && strcmp(n, name) == 0)
            return a;
    }
    return NULL;
}

void pages_t_link(struct web *w, const char *msgid, const char *key, const char *href,
                  const char *text, const char *rel)
{
    const char *tmpl = hr_tr(w->lang, msgid), *at;
    char ph[64];

    snprintf(ph, sizeof ph, "{%s}", key);
    at = strstr(tmpl, ph);
    if (at == NULL) { /* a translation without the link: its text alone */
        web_text(w, tmpl);
        return;
    }
    web_textn(w, tmpl, (size_t)(at - tmpl));
    web_raw(w, "<a href=\"");
    web_text(w, href);
    if (rel != NULL) {
        web_raw(w, "\" rel=\"");
        web_text(w, rel);
    }
    web_raw(w, "\">");
    web_text(w, text);
    web_raw(w, "</a>");
    web_text(w, at + strlen(ph));
}

void pages_avatar(struct web *w, const json_t *account, const char *cls, const char *alt)
{
    const char *src = json_string_value(json_object_get(account, "avatar"));

    if (src == NULL)
        return;
    web_raw(w, "<img class=\"");
    web_text(w, cls);
    web_raw(w, "\" src=\"");
    web_text(w, src);
    web_raw(w, "\" alt=\"");
    web_text(w, alt);
    web_raw(w, "\">");
}

void pages_feed_links(struct web *w, const char *path, const char *title)
{
    char href[300];

    snprintf(href, sizeof href, "%s.rss", path);
    web_link(w, "alternate", "application/rss+xml", href, title);
    snprintf(href, sizeof href, "%s.atom", path);
    web_link(w, "alternate", "application/atom+xml", href, title);
}

void pages_feed_anchors(struct web *w, const char *path)
{
    web_raw(w, "<p class=\"feeds\">");
    web_t(w, "Subscribe to the feed:");
    web_raw(w, " <a href=\"");
    web_text(w, path);
    web_raw(w, ".rss\" type=\"application/rss+xml\">RSS</a> \xc2\xb7 <a href=\"");
    web_text(w, path);
    web_raw(w, ".atom\" type=\"application/atom+xml\">Atom</a></p>");
}

void pages_og_common(struct web *w, const char *type, const char *title, const char *url,
                     const char *description, const char *image, const char *name)
{
    char handle[300];

    web_meta(w, "og:type", type, true);
    web_meta(w, "og:title", title, true);
    web_meta(w, "og:site_name", w->r->app->cfg.domain, true);
    if (url != NULL)
        web_meta(w, "og:url", url, true);
    if (description != NULL && description[0] != '\0') {
        web_meta(w, "og:description", description, true);
        web_meta(w, "description", description, false);
    }
    if (image != NULL)
        web_meta(w, "og:image", image, true);
    if (name != NULL) {
        snprintf(handle, sizeof handle, "@%s@%s", name, w->r->app->cfg.domain);
        web_meta(w, "fediverse:creator", handle, false);
    }
}

/* ---- one post ---- */

static const char *post_lang(const json_t *note)
{
    const char *k;
    const json_t *v;

    json_object_foreach((json_t *)json_object_get(note, "contentMap"), k, v)
    {
        return k; /* one language per post (federation/tags.c) */
    }
    return NULL;
}

/* Images with their alt text: in the alt attribute and visible under the image. */
static void post_media(struct web *w, const json_t *note)
{
    const json_t *a;
    size_t i;

    json_array_foreach(json_object_get(note, "attachment"), i, a)
    {
        const char *url = json_string_value(json_object_get(a, "url"));
        const char *type = json_string_value(json_object_get(a, "mediaType"));
        const char *alt = json_string_value(json_object_get(a, "name"));
        json_int_t wd = json_integer_value(json_object_get(a, "width"));
        json_int_t ht = json_integer_value(json_object_get(a, "height"));

        if (url == NULL || type == NULL || strncmp(type, "image/", 6) != 0)
            continue;
        web_raw(w, "<figure class=\"media\"><a href=\"");
        web_text(w, url);
        web_raw(w, "\"><img src=\"");
        web_text(w, url);
        web_raw(w, "\" alt=\"");
        web_text(w, alt ? alt : "");
        web_raw(w, "\"");
        if (wd > 0 && ht > 0)
            web_rawf(w, " width=\"%lld\" height=\"%lld\"", (long long)wd, (long long)ht);
        web_raw(w, " loading=\"lazy\"></a>");
        if (alt != NULL && alt[0] != '\0') {
            /* the same words as the alt attribute: hidden from screen readers, which
             * already read the alt text */
            web_raw(w, "<figcaption aria-hidden=\"true\">");
            web_text(w, alt);
            web_raw(w, "</figcaption>");
        }
        web_raw(w, "</figure>");
    }
}

static unsigned long total_of(const json_t *o, const char *key)
{
    json_int_t n = json_integer_value(json_object_get(json_object_get(o, key), "totalItems"));

    return n > 0 ? (unsigned long)n : 0;
}

static void poll_option(struct web *w, const json_t *opt, unsigned long total, const char *lang)
{
    const char *name = json_string_value(json_object_get(opt, "name"));
    unsigned long n = total_of(opt, "replies");
    unsigned long pct = total > 0 ? (n * 100 + total / 2) / total : 0;
    char num[24], per[24];

    snprintf(num, sizeof num, "%lu", n);
    snprintf(per, sizeof per, "%lu", pct);
    web_raw(w, "<li><span class=\"option\"");
    if (lang != NULL) {
        web_raw(w, " lang=\"");
        web_text(w, lang);
        web_raw(w, "\"");
    }
    web_raw(w, ">");
    web_text(w, name);
    web_raw(w, "</span> <span class=\"votes\">");
    /* TRANSLATORS: a poll option's result: {count} votes, {percent} of all votes */
    web_sub(w, TRN(w->lang, "{count} vote ({percent}%)", "{count} votes ({percent}%)", n),
              "count", num, "percent", per, NULL);
    web_rawf(w, "</span><meter min=\"0\" max=\"100\" value=\"%lu\" aria-label=\"", pct);
    web_text(w, name);
    web_raw(w, "\">");
    web_text(w, per);
    web_raw(w, "%</meter></li>");
}

/* A poll's results: every option with its count and share, the voters, open or closed. */
static void post_poll(struct web *w, const json_t *note, const char *lang)
{
    const json_t *opts = json_object_get(note, "oneOf"), *o;
    const char *end = json_string_value(json_object_get(note, "endTime"));
    const char *closed = json_string_value(json_object_get(note, "closed"));
    unsigned long total = 0,
                  voters = (unsigned long)json_integer_value(json_object_get(note, "votersCount"));
    char num[24], now[32];
    size_t i;

    if (!json_is_array(opts))
        opts = json_object_get(note, "anyOf");
    if (json_array_size(opts) == 0)
        return;
    json_array_foreach(opts, i, o) total += total_of(o, "replies");
    web_raw(w, "<div class=\"poll\"><ul>");
    json_array_foreach(opts, i, o) poll_option(w, o, total, lang);
    web_raw(w, "</ul><p class=\"meta\">");
    snprintf(num, sizeof num, "%lu", voters);
    web_sub(w, TRN(w->lang, "{count} person voted", "{count} people voted", voters), "count", num,
              NULL);
    hr_iso8601(hr_now_ms(), now);
    if (closed != NULL || (end != NULL && strcmp(end, now) <= 0)) {
        web_raw(w, " \xc2\xb7 ");
        web_t(w, "Closed");
        if (closed != NULL || end != NULL) {
            web_raw(w, " ");
            web_time(w, closed ? closed : end);
        }
    } else if (end != NULL) {
        web_raw(w, " \xc2\xb7 ");
        web_t(w, "Open until");
        web_raw(w, " ");
        web_time(w, end);
    }
    web_raw(w, "</p></div>");
}

/* The post's own words, images and poll, in the post's language. A content warning hides
 * them behind a <details> that opens without script. */
static void post_body(struct web *w, const json_t *note)
{
    const char *lang = post_lang(note);
    const char *cw = json_string_value(json_object_get(note, "summary"));

    web_raw(w, "<div class=\"body\"");
    if (lang != NULL) {
        web_raw(w, " lang=\"");
        web_text(w, lang);
        web_raw(w, "\"");
    }
    web_raw(w, ">");
    if (cw != NULL && cw[0] != '\0') {
        web_raw(w, "<details class=\"cw\"><summary>");
        web_text(w, cw);
        web_raw(w, "</summary>");
    }
    /* our own content: generated from escaped text by fed_text_to_html */
    web_markup(w, json_string_value(json_object_get(note, "content")));
    post_media(w, note);
    post_poll(w, note, lang);
    if (cw != NULL && cw[0] != '\0')
        web_raw(w, "</details>");
    web_raw(w, "</div>");
}

/* TMPL: a translated plural form with {count}. */
static void post_count(struct web *w, const char *tmpl, unsigned long n)
{
    char num[24];

    snprintf(num, sizeof num, "%lu", n);
    web_raw(w, " \xc2\xb7 <span>");
    web_sub(w, tmpl, "count", num, NULL);
    web_raw(w, "</span>");
}

static void post_meta(struct web *w, const json_t *note, bool link)
{
    const char *id = json_string_value(json_object_get(note, "id"));
    const char *updated = json_string_value(json_object_get(note, "updated"));
    char name[32], hex[64], url[700];
    unsigned long n;

    web_raw(w, "<footer class=\"meta\">");
    if (link && web_note_ids(w->r, id, name, hex)) {
        web_post_url(w->r, name, hex, url, sizeof url);
        web_raw(w, "<a href=\"");
        web_text(w, url);
        web_raw(w, "\">");
        web_time(w, json_string_value(json_object_get(note, "published")));
        web_raw(w, "</a>");
    } else {
        web_time(w, json_string_value(json_object_get(note, "published")));
    }
    if (updated != NULL) {
        web_raw(w, " \xc2\xb7 <span class=\"edited\">");
        web_t(w, "Edited");
        web_raw(w, " ");
        web_time(w, updated);
        web_raw(w, "</span>");
    }
    n = total_of(note, "replies");
    post_count(w, TRN(w->lang, "{count} reply", "{count} replies", n), n);
    n = total_of(note, "likes");
    post_count(w, TRN(w->lang, "{count} like", "{count} likes", n), n);
    n = total_of(note, "shares");
    post_count(w, TRN(w->lang, "{count} share", "{count} shares", n), n);
    web_raw(w, "</footer>");
}

static void post_byline(struct web *w, const json_t *author)
{
    const char *name = json_string_value(json_object_get(author, "name"));
    char url[600];

    if (name == NULL)
        return;
    web_profile_url(w->r, name, url, sizeof url);
    web_raw(w, "<p class=\"byline\"><a href=\"");
    web_text(w, url);
    web_raw(w, "\">");
    pages_avatar(w, author, "avatar-small", "");
    web_name(w, json_string_value(json_object_get(author, "display_name")), name);
    web_raw(w, "</a></p>");
}

void pages_post_entry(struct web *w, const json_t *note, bool link, const json_t *author)
{
    web_raw(w, "<article class=\"post\">");
    if (author != NULL)
        post_byline(w, author);
    post_body(w, note);
    post_meta(w, note, link);
    web_raw(w, "</article>\n");
}

void pages_post_item(struct web *w, const json_t *note, bool link)
{
    pages_post_entry(w, note, link, NULL);
}

/* The account NAME of one of our Notes (from its attributedTo). */
static const json_t *author_of(struct web *w, const json_t *note, const json_t *accounts)
{
    const char *by = json_string_value(json_object_get(note, "attributedTo"));
    const char *base = w->r->app->cfg.base_url;
    size_t n = strlen(base);

    if (accounts == NULL || by == NULL || strncmp(by, base, n) != 0 ||
        strncmp(by + n, "/users/", 7) != 0)
        return NULL;
    return pages_account_find(accounts, by + n + 7);
}

void pages_post_list_by(struct web *w, const json_t *items, uint64_t next, const char *path,
                        const json_t *accounts)
{
    const char *lang = http_arg(w->r, "lang");
    const json_t *note;
    size_t i;

    if (json_array_size(items) == 0) {
        web_raw(w, "<p>");
        web_t(w, "No posts yet.");
        web_raw(w, "</p>");
    }
    json_array_foreach(items, i, note)
        pages_post_entry(w, note, true, author_of(w, note, accounts));
    if (next > 0) {
        web_raw(w, "<nav class=\"pager\" aria-label=\"");
        web_t(w, "More posts");
        web_raw(w, "\"><a rel=\"next\" href=\"");
        web_text(w, path);
        web_rawf(w, "?before=%llu", (unsigned long long)next);
        if (lang != NULL && strcmp(lang, w->lang) == 0) { /* keep a chosen language */
            web_raw(w, "&amp;lang=");
            web_text(w, w->lang);
        }
        web_raw(w, "\">");
        web_t(w, "Older posts");
        web_raw(w, "</a></nav>");
    }
}

void pages_post_list(struct web *w, const json_t *items, uint64_t next, const char *path)
{
    pages_post_list_by(w, items, next, path, NULL);
}

int pages_cursor(struct http_req *r, uint64_t *before)
{
    const char *s = http_arg(r, "before");

    *before = 0;
    return s == NULL ? HR_OK : hr_parse_u64(s, UINT64_MAX, before);
}
