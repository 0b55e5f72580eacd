/* server/pages.c - plain HTML for people: the profile page of an account (with its kind,
 * and the personal-views notice of an official), a post's page and an index. Text from
 * the store is escaped; post content is HTML we generated from escaped text ourselves. */
#include "server/http_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_MAX (1u << 20)

static void page_head(struct hr_buf *b, const char *title)
{
    hr_buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                   "<title>");
    hr_buf_add_html(b, title, strlen(title));
    hr_buf_adds(b, "</title><style>body{font-family:sans-serif;max-width:40em;margin:2em auto;"
                   "padding:0 1em;line-height:1.5}.kind{color:#555}.post{border-top:1px solid "
                   "#ddd;padding:.5em 0}.meta{color:#666;font-size:.9em}</style></head><body>\n");
}

static void add_str(struct hr_buf *b, const json_t *j, const char *key)
{
    const char *s = json_string_value(json_object_get(j, key));

    if (s != NULL)
        hr_buf_add_html(b, s, strlen(s));
}

static enum MHD_Result reply_page(struct http_req *r, struct hr_buf *b, const char *cache)
{
    enum MHD_Result ret;

    hr_buf_adds(b, "</body></html>\n");
    if (b->err != HR_OK)
        ret = http_reply_error(r, 500, "internal", "page too large");
    else
        ret = http_reply(r, 200, "text/html; charset=utf-8", b->data, cache);
    hr_buf_fini(b);
    return ret;
}

static json_t *fetch_json(struct fed_doc *d)
{
    json_t *j = d->status == 200 && d->body ? json_loads(d->body, 0, NULL) : NULL;

    fed_doc_fini(d);
    return j;
}

static void add_post(struct hr_buf *b, const json_t *note)
{
    const char *content = json_string_value(json_object_get(note, "content"));
    const char *id = json_string_value(json_object_get(note, "id"));

    hr_buf_adds(b, "<div class=\"post\">");
    /* our own content: generated from escaped text by fed_text_to_html */
    hr_buf_adds(b, content ? content : "");
    hr_buf_adds(b, "<div class=\"meta\"><a href=\"");
    hr_buf_add_html(b, id ? id : "", id ? strlen(id) : 0);
    hr_buf_adds(b, "\">");
    add_str(b, note, "published");
    hr_buf_adds(b, "</a></div></div>\n");
}

enum MHD_Result pages_profile(struct http_req *r, const char *name)
{
    struct fed_doc d = {0};
    json_t *actor, *page, *items, *it;
    const char *title, *summary;
    struct hr_buf b;
    size_t i;

    fed_actor(r->app->fed, name, &d);
    if (d.status != 200) {
        fed_doc_fini(&d);
        return http_reply_error(r, 404, "not_found", "no such account");
    }
    actor = fetch_json(&d);
    fed_outbox(r->app->fed, name, "true", &d);
    page = fetch_json(&d);
    hr_buf_init(&b, PAGE_MAX);
    title = json_string_value(json_object_get(actor, "name"));
    page_head(&b, title ? title : name);
    hr_buf_adds(&b, "<h1>");
    add_str(&b, actor, "name");
    hr_buf_addf(&b, "</h1><p class=\"kind\">@%s@", name);
    hr_buf_add_html(&b, r->app->cfg.domain, strlen(r->app->cfg.domain));
    hr_buf_adds(&b, " &middot; ");
    add_str(&b, json_array_get(json_object_get(actor, "attachment"), 0), "value");
    hr_buf_adds(&b, "</p>");
    summary = json_string_value(json_object_get(actor, "summary"));
    hr_buf_adds(&b, summary ? summary : ""); /* ours: built from escaped text */
    items = json_object_get(page, "orderedItems");
    json_array_foreach(items, i, it) add_post(&b, json_object_get(it, "object"));
    json_decref(actor);
    json_decref(page);
    return reply_page(r, &b, "public, max-age=60");
}

enum MHD_Result pages_note(struct http_req *r, const char *path)
{
    struct fed_doc d = {0};
    const char *author;
    json_t *note;
    struct hr_buf b;

    fed_object(r->app->fed, path, &d);
    if (d.status == 410) {
        fed_doc_fini(&d);
        hr_buf_init(&b, PAGE_MAX);
        page_head(&b, "Deleted post");
        hr_buf_adds(&b, "<p>This post was deleted by its author.</p>");
        hr_buf_adds(&b, "</body></html>\n");
        enum MHD_Result ret = http_reply(r, 410, "text/html; charset=utf-8", b.data, NULL);
        hr_buf_fini(&b);
        return ret;
    }
    if (d.status != 200) {
        fed_doc_fini(&d);
        return http_reply_error(r, 404, "not_found", "no such post");
    }
    note = fetch_json(&d);
    if (json_object_get(note, "object") != NULL) /* the Create: show its Note */
        note = json_incref(json_object_get(note, "object")), json_decref(note);
    author = json_string_value(json_object_get(note, "attributedTo"));
    hr_buf_init(&b, PAGE_MAX);
    page_head(&b, "Post");
    hr_buf_adds(&b, "<p class=\"kind\">Posted by <a href=\"");
    hr_buf_add_html(&b, author ? author : "", author ? strlen(author) : 0);
    hr_buf_adds(&b, "\">");
    hr_buf_add_html(&b, author ? author : "", author ? strlen(author) : 0);
    hr_buf_adds(&b, "</a></p>");
    add_post(&b, note);
    json_decref(note);
    return reply_page(r, &b, "public, max-age=300");
}

enum MHD_Result pages_index(struct http_req *r)
{
    struct hr_buf b;

    hr_buf_init(&b, PAGE_MAX);
    page_head(&b, r->app->cfg.domain);
    hr_buf_adds(&b, "<h1>");
    hr_buf_add_html(&b, r->app->cfg.domain, strlen(r->app->cfg.domain));
    hr_buf_addf(&b, "</h1><p>Official accounts published with Herald %s. Follow them from any "
                    "fediverse server.</p>",
                HERALD_VERSION);
    return reply_page(r, &b, "public, max-age=60");
}
