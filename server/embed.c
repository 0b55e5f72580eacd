/* server/embed.c - embeds and oEmbed (issue #11 item 2).
 *
 * /@NAME/embed (the account's latest posts, ?limit=1..40, ?theme=light|dark) and
 * /@NAME/ID/embed (one post) are the only documents another site may frame (server/http.c
 * embed_route: CSP frame-ancestors *, no X-Frame-Options). They are pages in the minimal
 * frame (web.embed): no site header or footer, no script at all. Every link opens outside
 * the frame (<base target="_blank">, and explicit target/rel on ours): a click inside the
 * frame would otherwise load one of our pages, which refuse to be framed.
 *
 * /api/oembed?url=URL answers as Mastodon's Api::OEmbedController does (type "rich",
 * version "1.0", author_name, author_url, provider_name, provider_url, cache_age 86400,
 * html, width (maxwidth or 400), height), with two differences: the html is an <iframe> of
 * the post's embed and nothing else (Mastodon adds a <script> of its embed.js; we serve no
 * script), and height is always a number (maxheight or 400: oEmbed 1.0 §2.3.4.4 requires
 * it for "rich"). */
#include "server/pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EMBED_LIMIT_DEFAULT 10
#define EMBED_LIMIT_MAX     40
#define EMBED_CACHE         "public, max-age=300"
#define OEMBED_CACHE_AGE    86400
#define OEMBED_SIZE_DEFAULT 400
#define OEMBED_SIZE_MAX     10000

/* ---- the embed pages ---- */

/* A date that links to the post's page, in a new tab. */
static void embed_date_link(struct web *w, const json_t *note)
{
    const char *id = json_string_value(json_object_get(note, "id"));
    char name[32], hex[64], url[700];

    web_raw(w, "<p class=\"meta\">");
    if (web_note_ids(w->r, id, name, hex)) {
        web_post_url(w->r, name, hex, url, sizeof url);
        web_raw(w, "<a href=\"");
        web_text(w, url);
        web_raw(w, "\" target=\"_blank\" rel=\"noopener\">");
        web_time(w, json_string_value(json_object_get(note, "published")));
        web_raw(w, "</a>");
    } else {
        web_time(w, json_string_value(json_object_get(note, "published")));
    }
    web_raw(w, "</p>");
}

/* Our images (under BASE/media/) with their alt text. */
static void embed_images(struct web *w, const json_t *note)
{
    size_t n = strlen(w->r->app->cfg.base_url), i;
    const json_t *a;

    json_array_foreach(json_object_get(note, "attachment"), i, a)
    {
        const char *type = json_string_value(json_object_get(a, "mediaType"));
        const char *url = json_string_value(json_object_get(a, "url"));
        const char *alt = json_string_value(json_object_get(a, "name"));
        if (type == NULL || url == NULL || strncmp(type, "image/", 6) != 0 ||
            strncmp(url, w->r->app->cfg.base_url, n) != 0 || strncmp(url + n, "/media/", 7) != 0)
            continue;
        web_raw(w, "<figure><img src=\"");
        web_text(w, url);
        web_raw(w, "\" alt=\"");
        web_text(w, alt ? alt : "");
        web_raw(w, "\" loading=\"lazy\"></figure>");
    }
}

/* One of our posts: content warning, content (our generated HTML), images, date. */
static void embed_item(struct web *w, const json_t *note)
{
    const char *k, *summary = json_string_value(json_object_get(note, "summary"));
    const json_t *v;

    web_raw(w, "<article class=\"post\"");
    json_object_foreach((json_t *)json_object_get(note, "contentMap"), k, v)
    {
        (void)v;
        web_raw(w, " lang=\"");
        web_text(w, k);
        web_raw(w, "\"");
        break; /* one language per post */
    }
    web_raw(w, ">");
    if (summary != NULL && summary[0] != '\0') {
        web_raw(w, "<p class=\"cw\">");
        web_text(w, summary);
        web_raw(w, "</p>");
    }
    web_markup(w, json_string_value(json_object_get(note, "content")));
    embed_images(w, note);
    embed_date_link(w, note);
    web_raw(w, "</article>\n");
}

/* The account's name and handle, linking to its profile, in a new tab. */
static void embed_header(struct web *w, const json_t *actor, const char *name)
{
    char url[600];

    web_profile_url(w->r, name, url, sizeof url);
    web_raw(w, "<header class=\"embed-head\"><a href=\"");
    web_text(w, url);
    web_raw(w, "\" target=\"_blank\" rel=\"noopener\">");
    web_name(w, json_string_value(json_object_get(actor, "name")), name);
    web_raw(w, "</a></header>\n");
}

static void embed_more(struct web *w, const char *name, bool timeline)
{
    char url[600];

    web_profile_url(w->r, name, url, sizeof url);
    web_raw(w, "<p class=\"more\"><a href=\"");
    web_text(w, url);
    web_raw(w, "\" target=\"_blank\" rel=\"noopener\">");
    if (timeline)
        web_tf(w, "View more posts on {domain}", "domain", w->r->app->cfg.domain, NULL);
    else
        web_tf(w, "View on {domain}", "domain", w->r->app->cfg.domain, NULL);
    web_raw(w, "</a></p>");
}

/* ?theme= and ?limit=: HR_EINVAL with the message for a value out of range. */
static int embed_args(struct http_req *r, const char **theme, uint64_t *limit, const char **msg)
{
    const char *t = http_arg(r, "theme"), *l = http_arg(r, "limit");

    *theme = NULL;
    *limit = EMBED_LIMIT_DEFAULT;
    if (t != NULL && strcmp(t, "light") != 0 && strcmp(t, "dark") != 0) {
        *msg = "theme must be light or dark";
        return HR_EINVAL;
    }
    *theme = t; /* NULL: the reader's own setting (prefers-color-scheme) */
    if (l != NULL && (hr_parse_u64(l, EMBED_LIMIT_MAX, limit) != HR_OK || *limit == 0)) {
        *msg = "limit must be a number from 1 to 40";
        return HR_EINVAL;
    }
    return HR_OK;
}

/* The frame's head: its title, no indexing (the post's page is the one to index), and
 * every link opening outside the frame. */
static void embed_begin(struct web *w, struct http_req *r, const char *theme, const char *title)
{
    web_begin(w, r);
    w->embed = true;
    w->theme = theme;
    web_head(w, title, NULL);
    web_meta(w, "robots", "noindex", false);
    /* HTML §4.2.3: target only, no href, so CSP base-uri 'none' has nothing to refuse */
    web_raw(w, "<base target=\"_blank\">");
    web_body(w);
}

static enum MHD_Result embed_timeline(struct http_req *r, const char *name, json_t *actor,
                                      const char *theme, uint64_t limit)
{
    struct fed_web_query q = {.account = name, .limit = (size_t)limit, .unlisted = true};
    const char *dn = json_string_value(json_object_get(actor, "name"));
    char handle[300], *title;
    json_t *items = NULL;
    const json_t *note;
    uint64_t next = 0;
    struct web w;
    size_t i;

    if (fed_web_posts(r->app->fed, &q, &items, &next, NULL) != HR_OK)
        return http_reply_error(r, 500, "internal", "posts unreadable");
    snprintf(handle, sizeof handle, "@%s@%s", name, r->app->cfg.domain);
    title = web_tfs(web_lang(r), "Posts by {name} ({handle})", "name", dn && dn[0] ? dn : name,
                    "handle", handle, NULL);
    embed_begin(&w, r, theme, title ? title : handle);
    free(title);
    embed_header(&w, actor, name);
    if (json_array_size(items) == 0) {
        web_raw(&w, "<p>");
        web_t(&w, "No posts yet.");
        web_raw(&w, "</p>");
    }
    json_array_foreach(items, i, note) embed_item(&w, note);
    embed_more(&w, name, true);
    json_decref(items);
    return web_finish(&w, 200, EMBED_CACHE);
}

/* Account NAME's post ID as a Note (new reference), or NULL with the HTTP status in
 * *STATUS (404: none that anyone may read; 410: deleted; 500). */
static json_t *embed_note(struct http_req *r, const char *name, const char *id, int *status)
{
    char path[200];
    struct fed_doc d = {0};
    json_t *note = NULL;

    snprintf(path, sizeof path, "/users/%s/notes/%s", name, id);
    fed_own_post(r->app->fed, name, path, &d);
    *status = d.status == 406 ? 404 : d.status;
    if (d.status == 200 && (note = json_loads(d.body, 0, NULL)) == NULL)
        *status = 500;
    fed_doc_fini(&d);
    return note;
}

static enum MHD_Result embed_post(struct http_req *r, const char *name, const char *id,
                                  json_t *actor, const char *theme)
{
    const char *dn = json_string_value(json_object_get(actor, "name"));
    char handle[300], *title;
    int status = 0;
    json_t *note = embed_note(r, name, id, &status);
    struct web w;

    if (note == NULL && status == 410)
        return http_reply_error(r, 410, "gone", "this post was deleted by its author");
    if (note == NULL && status == 404)
        return http_reply_error(r, 404, "not_found", "no such post");
    if (note == NULL)
        return http_reply_error(r, 500, "internal", "post unreadable");
    snprintf(handle, sizeof handle, "@%s@%s", name, r->app->cfg.domain);
    title = web_tfs(web_lang(r), "Post by {name} ({handle})", "name", dn && dn[0] ? dn : name,
                    "handle", handle, NULL);
    embed_begin(&w, r, theme, title ? title : handle);
    free(title);
    embed_header(&w, actor, name);
    embed_item(&w, note);
    embed_more(&w, name, false);
    json_decref(note);
    return web_finish(&w, 200, EMBED_CACHE);
}

enum MHD_Result embed_get(struct http_req *r, const char *name, const char *id)
{
    const char *theme = NULL, *msg = NULL;
    uint64_t limit = 0;
    enum MHD_Result ret;
    json_t *actor;

    if (embed_args(r, &theme, &limit, &msg) != HR_OK)
        return http_reply_error(r, 400, "bad_request", msg);
    actor = pages_actor(r, name);
    if (actor == NULL)
        return http_reply_error(r, 404, "not_found", "no such account");
    ret = id == NULL ? embed_timeline(r, name, actor, theme, limit)
                     : embed_post(r, name, id, actor, theme);
    json_decref(actor);
    return ret;
}

/* ---- oEmbed discovery ---- */

/* S percent-encoded for a query value (RFC 3986 §2.3: unreserved characters stay). */
static void query_encode(struct hr_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";

    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p) != NULL) {
            hr_buf_add(b, (const char *)p, 1);
        } else {
            char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            hr_buf_add(b, esc, 3);
        }
    }
}

void embed_discovery(struct web *w, const char *page_url)
{
    struct hr_buf b;

    hr_buf_init(&b, 4096);
    hr_buf_adds(&b, w->r->app->cfg.base_url);
    hr_buf_adds(&b, "/api/oembed?format=json&url=");
    query_encode(&b, page_url);
    if (b.err == HR_OK)
        web_link(w, "alternate", "application/json+oembed", b.data, NULL);
    hr_buf_fini(&b);
}

/* ---- /api/oembed ---- */

/* From URL, one of our post URLs (BASE/@NAME/ID, the page, or BASE/users/NAME/notes/ID,
 * the ActivityPub id): NAME and ID. The URL must be an absolute http(s) URL (curl_url,
 * fed_url_valid), start with our base URL exactly, and continue with nothing but the path
 * of a post: no query, fragment, dot segments or percent-escapes. */
static bool oembed_target(struct http_req *r, const char *url, char name[32], char id[64])
{
    const char *base = r->app->cfg.base_url, *p, *slash;
    size_t n = strlen(base), len;

    if (url == NULL || strlen(url) > 1000 || fed_url_valid(url, NULL) != HR_OK ||
        strncmp(url, base, n) != 0)
        return false;
    if (web_note_ids(r, url, name, id))
        return true;
    p = url + n;
    if (strncmp(p, "/@", 2) != 0 || (slash = strchr(p + 2, '/')) == NULL ||
        (size_t)(slash - p - 2) >= 32)
        return false;
    memcpy(name, p + 2, (size_t)(slash - p - 2));
    name[slash - p - 2] = '\0';
    len = strspn(slash + 1, "0123456789abcdef");
    if (!hr_name_valid(name) || len == 0 || len >= 64 || slash[1 + len] != '\0')
        return false;
    memcpy(id, slash + 1, len);
    id[len] = '\0';
    return true;
}

/* ?KEY= as a size in 1..OEMBED_SIZE_MAX, DEF when absent; HR_EINVAL otherwise. */
static int oembed_size(struct http_req *r, const char *key, uint64_t def, uint64_t *out)
{
    const char *s = http_arg(r, key);

    *out = def;
    if (s == NULL)
        return HR_OK;
    if (hr_parse_u64(s, OEMBED_SIZE_MAX, out) != HR_OK || *out == 0)
        return HR_EINVAL;
    return HR_OK;
}

/* The iframe a site pastes: no script, sandboxed: links may open new tabs (popups, not
 * sandboxed themselves) or, on a click, the top page; allow-same-origin keeps the frame's
 * own origin so that its stylesheet matches CSP 'self' (harmless without allow-scripts:
 * nothing runs). A title for screen readers (WCAG 2.1 SC 4.1.2). */
static char *oembed_html(struct http_req *r, const char *name, const char *id, const char *title,
                         uint64_t width, uint64_t height)
{
    char src[700];
    struct hr_buf b;

    web_post_url(r, name, id, src, sizeof src);
    hr_buf_init(&b, 8192);
    hr_buf_adds(&b, "<iframe src=\"");
    hr_buf_add_html(&b, src, strlen(src));
    hr_buf_adds(&b, "/embed\" class=\"herald-embed\" style=\"max-width: 100%; border: 0\"");
    hr_buf_addf(&b, " width=\"%llu\" height=\"%llu\"", (unsigned long long)width,
                (unsigned long long)height);
    hr_buf_adds(&b, " sandbox=\"allow-same-origin allow-popups allow-popups-to-escape-sandbox "
                    "allow-top-navigation-by-user-activation\" allowfullscreen=\"allowfullscreen\""
                    " loading=\"lazy\" title=\"");
    hr_buf_add_html(&b, title, strlen(title));
    hr_buf_adds(&b, "\"></iframe>");
    return hr_buf_take(&b);
}

static json_t *oembed_doc(struct http_req *r, const char *name, const char *id, const json_t *actor,
                          const json_t *note, uint64_t width, uint64_t height)
{
    const char *dn = json_string_value(json_object_get(actor, "name"));
    char handle[300], profile[600], root[600], *title, *text, *html = NULL;
    json_t *j = NULL;

    snprintf(handle, sizeof handle, "@%s@%s", name, r->app->cfg.domain);
    web_profile_url(r, name, profile, sizeof profile);
    snprintf(root, sizeof root, "%s/", r->app->cfg.base_url);
    title = web_tfs(web_lang(r), "Post by {name} ({handle})", "name", dn && dn[0] ? dn : name,
                    "handle", handle, NULL);
    text = web_post_excerpt(note, 200);
    if (title != NULL)
        html = oembed_html(r, name, id, title, width, height);
    if (text != NULL && html != NULL)
        j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:I,s:I}", "type", "rich", "version",
                      "1.0", "title", text, "author_name", dn && dn[0] ? dn : name, "author_url",
                      profile, "provider_name", r->app->cfg.domain, "provider_url", root,
                      "cache_age", OEMBED_CACHE_AGE, "html", html, "width", (json_int_t)width,
                      "height", (json_int_t)height);
    free(title);
    free(text);
    free(html);
    return j;
}

/* Checks the query; *MSG, *CODE and the status when it is refused, else 0. */
static int oembed_check(struct http_req *r, uint64_t *width, uint64_t *height, const char **code,
                        const char **msg)
{
    const char *format = http_arg(r, "format"), *url = http_arg(r, "url");

    *code = "bad_request";
    if (url == NULL || url[0] == '\0') {
        *msg = "url is required";
        return 400;
    }
    /* oEmbed 1.0: 501 Not Implemented for a format the provider does not serve */
    if (format != NULL && strcmp(format, "json") != 0) {
        *code = "not_implemented";
        *msg = "only format=json is served";
        return 501;
    }
    if (oembed_size(r, "maxwidth", OEMBED_SIZE_DEFAULT, width) != HR_OK ||
        oembed_size(r, "maxheight", OEMBED_SIZE_DEFAULT, height) != HR_OK) {
        *msg = "maxwidth and maxheight must be numbers from 1 to 10000";
        return 400;
    }
    return 0;
}

enum MHD_Result oembed_get(struct http_req *r)
{
    const char *code = NULL, *msg = NULL;
    uint64_t width = 0, height = 0;
    char name[32], id[64], *body = NULL;
    json_t *actor = NULL, *note = NULL, *doc = NULL;
    enum MHD_Result ret;
    int status = oembed_check(r, &width, &height, &code, &msg);

    if (status != 0)
        return http_reply_error(r, status, code, msg);
    /* unknown, foreign, followers-only, direct and deleted posts alike: 404, as Mastodon */
    if (oembed_target(r, http_arg(r, "url"), name, id) && (actor = pages_actor(r, name)) != NULL)
        note = embed_note(r, name, id, &status);
    if (note == NULL) {
        json_decref(actor);
        return status == 500 ? http_reply_error(r, 500, "internal", "post unreadable")
                             : http_reply_error(r, 404, "not_found", "no such post of ours");
    }
    doc = oembed_doc(r, name, id, actor, note, width, height);
    body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    ret = body ? http_reply(r, 200, "application/json; charset=utf-8", body, EMBED_CACHE)
               : http_reply_error(r, 500, "internal", "oEmbed unavailable");
    free(body);
    json_decref(doc);
    json_decref(note);
    json_decref(actor);
    return ret;
}
