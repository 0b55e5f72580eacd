/* server/pages_post.c - /@NAME/ID: one post's page (issue #11 item 1). Only for a post of
 * NAME's that anyone may read (fed_own_post); a deleted one answers 410 with a page. The
 * thread: the post it answers when that is ours and public, our own replies, and
 * citizens' replies where the account shows them (fed_web_replies). */
#include "server/pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *str(const json_t *it, const char *key)
{
    const char *s = json_string_value(json_object_get(it, key));

    return s != NULL && s[0] != '\0' ? s : NULL;
}

/* A citizen's reply (fed.h fed_web_replies): every field is what a remote server sent.
 * Name, handle and summary are text (escaped; bidi controls neutralised, the name isolated
 * in <bdi>), the content goes through the sanitiser, the link is http(s) only and marked
 * as user content. The name always sits next to the handle, or the actor URL without one. */
static void citizen_reply(struct web *w, const json_t *it)
{
    const char *lang = str(it, "language"), *name = str(it, "name"), *url = str(it, "url");
    const char *handle = str(it, "handle"), *summary = str(it, "summary");

    web_raw(w, "<article class=\"reply remote\"");
    if (lang != NULL) {
        web_raw(w, " lang=\"");
        web_text(w, lang);
        web_raw(w, "\"");
    }
    web_raw(w, "><p class=\"byline\">");
    if (name != NULL) {
        web_raw(w, "<span class=\"name\"><bdi>");
        web_text(w, name);
        web_raw(w, "</bdi></span> ");
    }
    web_raw(w, "<span class=\"handle\">");
    web_text(w, handle ? handle : str(it, "actor"));
    web_raw(w, "</span></p>");
    if (summary != NULL) { /* a content warning: the words behind it, opened on request */
        web_raw(w, "<details><summary>");
        web_text(w, summary);
        web_raw(w, "</summary>");
    }
    web_raw(w, "<div class=\"content\">");
    web_remote_html(w, str(it, "content"));
    web_raw(w, summary != NULL ? "</div></details>" : "</div>");
    if (url != NULL && (strncmp(url, "https://", 8) == 0 || strncmp(url, "http://", 7) == 0)) {
        web_raw(w, "<p class=\"meta\"><a href=\"");
        web_text(w, url);
        web_raw(w, "\" rel=\"nofollow noopener noreferrer ugc\">");
        if (str(it, "published") != NULL)
            web_time(w, str(it, "published"));
        else
            web_text(w, url);
        web_raw(w, "</a></p>");
    }
    web_raw(w, "</article>");
}

static void replies(struct web *w, const char *note_id)
{
    const char *base = w->r->app->cfg.base_url;
    json_t *items = NULL, *accounts;
    const json_t *it;
    size_t i;

    if (fed_web_replies(w->r->app->fed, note_id, &items, NULL) != HR_OK ||
        json_array_size(items) == 0) {
        json_decref(items);
        return;
    }
    accounts = pages_accounts(w->r, NULL); /* only when there are replies to name */
    web_raw(w, "<section aria-labelledby=\"replies\"><h2 id=\"replies\">");
    web_t(w, "Replies");
    web_raw(w, "</h2>");
    json_array_foreach(items, i, it)
    {
        const json_t *note = json_object_get(it, "note");
        const char *by = json_string_value(json_object_get(note, "attributedTo"));
        size_t n = strlen(base);

        web_raw(w, "<div class=\"reply\">");
        if (json_is_true(json_object_get(it, "own"))) {
            const json_t *author =
                by && strncmp(by, base, n) == 0 && strncmp(by + n, "/users/", 7) == 0
                    ? pages_account_find(accounts, by + n + 7)
                    : NULL;
            pages_post_entry(w, note, true, author);
        } else {
            citizen_reply(w, it);
        }
        web_raw(w, "</div>");
    }
    web_raw(w, "</section>");
    json_decref(accounts);
    json_decref(items);
}

/* The post NOTE answers, when it is a public post of ours: shown above it. */
static void in_reply_to(struct web *w, const json_t *note)
{
    const char *parent = json_string_value(json_object_get(note, "inReplyTo"));
    char name[32], id[64], path[200];
    struct fed_doc d = {0};
    json_t *pnote, *accounts;

    if (parent == NULL || !web_note_ids(w->r, parent, name, id))
        return;
    snprintf(path, sizeof path, "/users/%s/notes/%s", name, id);
    fed_own_post(w->r->app->fed, name, path, &d);
    pnote = d.status == 200 && d.body ? json_loads(d.body, 0, NULL) : NULL;
    fed_doc_fini(&d);
    if (pnote == NULL)
        return;
    accounts = pages_accounts(w->r, name);
    /* above the page's h1: a labelled region, not a heading, keeps headings in order */
    web_raw(w, "<section class=\"parent\" aria-label=\"");
    web_t(w, "In reply to");
    web_raw(w, "\"><p class=\"label\">");
    web_t(w, "In reply to");
    web_raw(w, "</p>");
    pages_post_entry(w, pnote, true, json_array_get(accounts, 0));
    web_raw(w, "</section>");
    json_decref(accounts);
    json_decref(pnote);
}

/* The first image of NOTE, else NULL. */
static const char *first_image(const json_t *note)
{
    const json_t *a;
    size_t i;

    json_array_foreach(json_object_get(note, "attachment"), i, a)
    {
        const char *type = json_string_value(json_object_get(a, "mediaType"));
        if (type != NULL && strncmp(type, "image/", 6) == 0)
            return json_string_value(json_object_get(a, "url"));
    }
    return NULL;
}

static void post_head(struct web *w, const json_t *note, const json_t *author, const char *url)
{
    const char *name = json_string_value(json_object_get(author, "name"));
    const char *dn = json_string_value(json_object_get(author, "display_name"));
    const char *img = first_image(note);
    const char *published = json_string_value(json_object_get(note, "published"));
    char handle[300], og[600], *title, *excerpt;

    snprintf(handle, sizeof handle, "@%s@%s", name, w->r->app->cfg.domain);
    /* TRANSLATORS: a post page's title: the account's display name and handle */
    title = web_tfs(w->lang, "Post by {name} ({handle})", "name", dn ? dn : name, "handle", handle,
                    NULL);
    web_head(w, title ? title : handle, url);
    free(title);
    snprintf(og, sizeof og, "%s (%s)", dn ? dn : name, handle);
    excerpt = web_post_excerpt(note, 200);
    pages_og_common(w, "article", og, url, excerpt,
                    img ? img : json_string_value(json_object_get(author, "avatar")), name);
    free(excerpt);
    if (published != NULL)
        web_meta(w, "article:published_time", published, true);
    web_link(w, "alternate", "application/activity+json",
             json_string_value(json_object_get(note, "id")), NULL);
    snprintf(og, sizeof og, "/@%s", name);
    pages_feed_links(w, og, handle);
}

static enum MHD_Result post_missing(struct http_req *r, struct fed_doc *d)
{
    enum MHD_Result ret;

    if (d->status == 410)
        ret = http_reply_error(r, 410, "gone", "this post was deleted by its author");
    else if (d->status == 404 || d->status == 406)
        ret = http_reply_error(r, 404, "not_found", "no such post");
    else
        ret = http_reply_error(r, d->status, d->error, d->message);
    fed_doc_fini(d);
    return ret;
}

enum MHD_Result pages_post(struct http_req *r, const char *name, const char *id)
{
    char path[200], url[700];
    struct fed_doc d = {0};
    json_t *note, *accounts;
    const json_t *author;
    struct web w;

    snprintf(path, sizeof path, "/users/%s/notes/%s", name, id);
    fed_own_post(r->app->fed, name, path, &d);
    if (d.status != 200)
        return post_missing(r, &d);
    note = json_loads(d.body, 0, NULL);
    fed_doc_fini(&d);
    accounts = pages_accounts(r, name);
    author = json_array_get(accounts, 0);
    if (note == NULL || author == NULL) {
        json_decref(note);
        json_decref(accounts);
        return http_reply_error(r, 500, "internal", "post unreadable");
    }
    web_begin(&w, r);
    web_post_url(r, name, id, url, sizeof url);
    post_head(&w, note, author, url);
    embed_discovery(&w, url); /* server/embed.c: oEmbed */
    web_body(&w);
    in_reply_to(&w, note);
    web_raw(&w, "<div class=\"thread-main\"><h1 class=\"byline\"><a href=\"");
    web_profile_url(r, name, url, sizeof url);
    web_text(&w, url);
    web_raw(&w, "\">");
    pages_avatar(&w, author, "avatar-small", "");
    web_name(&w, json_string_value(json_object_get(author, "display_name")), name);
    web_raw(&w, "</a></h1>");
    pages_post_entry(&w, note, false, NULL);
    web_raw(&w, "</div>");
    replies(&w, json_string_value(json_object_get(note, "id")));
    json_decref(note);
    json_decref(accounts);
    return web_finish(&w, 200, PAGES_CACHE);
}
