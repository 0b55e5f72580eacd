/* server/pages.c - plain HTML for people: the profile page of an account (with its kind,
 * and the personal-views notice of an official), a post's page and an index. Only what
 * Herald wrote gets a page: our own Notes (fed_own_post decides), never an Accept or
 * anything else a peer's words are in. Every string goes through base/buf.c's escaper
 * (hr_buf_add_html), and the post HTML we generated from escaped text ourselves through
 * its twin for our own markup (hr_buf_add_markup): both neutralise bidi controls. Every
 * display name stands next to the canonical @name@domain, which a display name cannot
 * imitate. */
#include "server/http_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_MAX (1u << 20)

/* Everything up to and including "<title>": the caller writes the title (escaped), then
 * page_body. */
static void page_head(struct hr_buf *b)
{
    hr_buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                   "<title>");
}

static void page_body(struct hr_buf *b)
{
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

static enum MHD_Result reply_page(struct http_req *r, struct hr_buf *b, int status,
                                  const char *cache)
{
    enum MHD_Result ret;

    hr_buf_adds(b, "</body></html>\n");
    if (b->err != HR_OK)
        ret = http_reply_error(r, 500, "internal", "page too large");
    else
        ret = http_reply(r, status, "text/html; charset=utf-8", b->data, cache);
    hr_buf_fini(b);
    return ret;
}

static json_t *fetch_json(struct fed_doc *d)
{
    json_t *j = d->status == 200 && d->body ? json_loads(d->body, 0, NULL) : NULL;

    fed_doc_fini(d);
    return j;
}

static void add_markup(struct hr_buf *b, const json_t *j, const char *key)
{
    const char *s = json_string_value(json_object_get(j, key));

    if (s != NULL)
        hr_buf_add_markup(b, s, strlen(s));
}

/* "@NAME@DOMAIN", the canonical handle (NAME passed hr_name_valid). */
static void add_handle(struct hr_buf *b, struct http_req *r, const char *name)
{
    hr_buf_addf(b, "@%s@", name);
    hr_buf_add_html(b, r->app->cfg.domain, strlen(r->app->cfg.domain));
}

/* "Display Name (@name@domain)" for a title. */
static void add_title(struct hr_buf *b, struct http_req *r, const json_t *actor,
                      const char *name)
{
    add_str(b, actor, "name");
    hr_buf_adds(b, json_string_value(json_object_get(actor, "name")) ? " (" : "(");
    add_handle(b, r, name);
    hr_buf_adds(b, ")");
}

static void add_post(struct hr_buf *b, const json_t *note)
{
    const char *id = json_string_value(json_object_get(note, "id"));

    hr_buf_adds(b, "<div class=\"post\">");
    if (json_string_value(json_object_get(note, "summary")) != NULL) {
        hr_buf_adds(b, "<p class=\"cw\">");
        add_str(b, note, "summary");
        hr_buf_adds(b, "</p>");
    }
    /* our own content: generated from escaped text by fed_text_to_html */
    add_markup(b, note, "content");
    hr_buf_adds(b, "<div class=\"meta\"><a href=\"");
    hr_buf_add_html(b, id ? id : "", id ? strlen(id) : 0);
    hr_buf_adds(b, "\">");
    add_str(b, note, "published");
    hr_buf_adds(b, "</a></div></div>\n");
}

/* An outbox item we may show: the Create of a Note attributed to ACTOR, its id under
 * ACTOR's notes. The outbox holds only what we published, and this says so again. */
static const json_t *own_note_of(const json_t *item, const char *actor)
{
    const json_t *note = json_object_get(item, "object");
    const char *type = json_string_value(json_object_get(item, "type"));
    const char *ntype = json_string_value(json_object_get(note, "type"));
    const char *by = json_string_value(json_object_get(note, "attributedTo"));
    const char *id = json_string_value(json_object_get(note, "id"));
    size_t n = strlen(actor);

    /* a poll is a Question (federation/polls.c) */
    if (type == NULL || strcmp(type, "Create") != 0 || ntype == NULL ||
        (strcmp(ntype, "Note") != 0 && strcmp(ntype, "Question") != 0) || by == NULL ||
        strcmp(by, actor) != 0 || id == NULL || strncmp(id, actor, n) != 0 ||
        strncmp(id + n, "/notes/", 7) != 0)
        return NULL;
    return note;
}

/* NAME's actor document (ours), or NULL. */
static json_t *actor_json(struct http_req *r, const char *name)
{
    struct fed_doc d = {0};

    fed_actor(r->app->fed, name, &d);
    return fetch_json(&d);
}

static void add_profile_posts(struct hr_buf *b, const json_t *actor, const json_t *page)
{
    const char *me = json_string_value(json_object_get(actor, "id"));
    const json_t *it, *note;
    size_t i;

    json_array_foreach(json_object_get(page, "orderedItems"), i, it)
    {
        note = me ? own_note_of(it, me) : NULL;
        if (note != NULL)
            add_post(b, note);
    }
}

/* A frozen account (agency/security.c) says so above everything else: its actor carries
 * an "Account status" field only while frozen. */
static void add_frozen_notice(struct hr_buf *b, const json_t *actor)
{
    const json_t *f;
    size_t i;

    json_array_foreach(json_object_get(actor, "attachment"), i, f)
    {
        const char *n = json_string_value(json_object_get(f, "name"));
        if (n == NULL || strcmp(n, "Account status") != 0)
            continue;
        hr_buf_adds(b, "<p class=\"frozen\" role=\"alert\"><strong>");
        add_str(b, f, "value");
        hr_buf_adds(b, ":</strong> ");
        hr_buf_add_html(b, fed_frozen_notice(), strlen(fed_frozen_notice()));
        hr_buf_adds(b, "</p>");
        return;
    }
}

enum MHD_Result pages_profile(struct http_req *r, const char *name)
{
    struct fed_doc d = {0};
    json_t *actor = actor_json(r, name), *page;
    struct hr_buf b;

    if (actor == NULL)
        return http_reply_error(r, 404, "not_found", "no such account");
    fed_outbox(r->app->fed, name, "true", &d);
    page = fetch_json(&d);
    hr_buf_init(&b, PAGE_MAX);
    page_head(&b);
    add_title(&b, r, actor, name);
    page_body(&b);
    add_frozen_notice(&b, actor);
    hr_buf_adds(&b, "<h1>");
    add_str(&b, actor, "name");
    hr_buf_adds(&b, "</h1><p class=\"kind\">");
    add_handle(&b, r, name);
    hr_buf_adds(&b, " &middot; ");
    add_str(&b, json_array_get(json_object_get(actor, "attachment"), 0), "value");
    hr_buf_adds(&b, "</p>");
    add_markup(&b, actor, "summary"); /* ours: built from escaped text */
    add_profile_posts(&b, actor, page);
    json_decref(actor);
    json_decref(page);
    return reply_page(r, &b, 200, "public, max-age=60");
}

/* A post's page: only for a post of NAME's (fed_own_post); a browser asking for anything
 * else stored under our domain gets its JSON error, never a page. */
enum MHD_Result pages_note(struct http_req *r, const char *name, const char *path)
{
    struct fed_doc d = {0};
    json_t *note, *actor;
    struct hr_buf b;

    fed_own_post(r->app->fed, name, path, &d);
    if (d.status != 200 && d.status != 410) {
        enum MHD_Result ret = http_reply_error(r, d.status, d.error ? d.error : "internal",
                                               d.message);
        fed_doc_fini(&d);
        return ret;
    }
    hr_buf_init(&b, PAGE_MAX);
    page_head(&b);
    if (d.status == 410) {
        fed_doc_fini(&d);
        hr_buf_adds(&b, "Deleted post");
        page_body(&b);
        hr_buf_adds(&b, "<p>This post was deleted by its author.</p>");
        return reply_page(r, &b, 410, NULL);
    }
    note = fetch_json(&d);
    actor = actor_json(r, name);
    hr_buf_adds(&b, "Post by ");
    add_title(&b, r, actor, name);
    page_body(&b);
    hr_buf_adds(&b, "<p class=\"kind\">Posted by <a href=\"");
    add_str(&b, actor, "id");
    hr_buf_adds(&b, "\">");
    add_str(&b, actor, "name");
    hr_buf_adds(&b, "</a> ");
    add_handle(&b, r, name);
    hr_buf_adds(&b, "</p>");
    add_post(&b, note);
    json_decref(note);
    json_decref(actor);
    return reply_page(r, &b, 200, "public, max-age=300");
}

enum MHD_Result pages_index(struct http_req *r)
{
    struct hr_buf b;

    hr_buf_init(&b, PAGE_MAX);
    page_head(&b);
    hr_buf_add_html(&b, r->app->cfg.domain, strlen(r->app->cfg.domain));
    page_body(&b);
    hr_buf_adds(&b, "<h1>");
    hr_buf_add_html(&b, r->app->cfg.domain, strlen(r->app->cfg.domain));
    hr_buf_addf(&b, "</h1><p>Official accounts published with Herald %s. Follow them from any "
                    "fediverse server.</p>",
                HERALD_VERSION);
    return reply_page(r, &b, 200, "public, max-age=60");
}
