/* server/pages_post.c - /@NAME/ID: one post's page (issue #11 item 1). Only for a post of
 * NAME's that anyone may read (fed_own_post); a deleted one answers 410 with a page. */
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
    json_t *items = NULL;
    const json_t *it;
    size_t i;

    if (fed_web_replies(w->r->app->fed, note_id, &items, NULL) != HR_OK ||
        json_array_size(items) == 0) {
        json_decref(items);
        return;
    }
    web_raw(w, "<section aria-labelledby=\"replies\"><h2 id=\"replies\">");
    web_t(w, "Replies");
    web_raw(w, "</h2>");
    json_array_foreach(items, i, it)
    {
        web_raw(w, "<div class=\"reply\">");
        if (json_is_true(json_object_get(it, "own")))
            pages_post_item(w, json_object_get(it, "note"), true);
        else
            citizen_reply(w, it);
        web_raw(w, "</div>");
    }
    web_raw(w, "</section>");
    json_decref(items);
}

enum MHD_Result pages_post(struct http_req *r, const char *name, const char *id)
{
    char path[200], url[700], handle[300], *title;
    struct fed_doc d = {0};
    json_t *note, *actor;
    const char *dn;
    struct web w;

    snprintf(path, sizeof path, "/users/%s/notes/%s", name, id);
    fed_own_post(r->app->fed, name, path, &d);
    if (d.status == 410) {
        fed_doc_fini(&d);
        return http_reply_error(r, 410, "gone", "this post was deleted by its author");
    }
    if (d.status != 200) {
        enum MHD_Result ret = http_reply_error(r, d.status == 406 ? 404 : d.status,
                                               d.status == 406 ? "not_found" : d.error,
                                               d.status == 406 ? "no such post" : d.message);
        fed_doc_fini(&d);
        return ret;
    }
    note = json_loads(d.body, 0, NULL);
    fed_doc_fini(&d);
    actor = pages_actor(r, name);
    if (note == NULL || actor == NULL) {
        json_decref(note);
        json_decref(actor);
        return http_reply_error(r, 500, "internal", "post unreadable");
    }
    web_begin(&w, r);
    web_post_url(r, name, id, url, sizeof url);
    dn = json_string_value(json_object_get(actor, "name"));
    snprintf(handle, sizeof handle, "@%s@%s", name, r->app->cfg.domain);
    /* TRANSLATORS: a post page's title: the account's display name and handle */
    title = web_tfs(w.lang, "Post by {name} ({handle})", "name", dn ? dn : name, "handle",
                    handle, NULL);
    web_head(&w, title ? title : handle, url);
    free(title);
    web_link(&w, "alternate", "application/activity+json",
             json_string_value(json_object_get(note, "id")), NULL);
    embed_discovery(&w, url); /* server/embed.c: oEmbed */
    web_body(&w);
    web_raw(&w, "<p class=\"byline\">");
    web_raw(&w, "<a href=\"");
    web_profile_url(r, name, url, sizeof url);
    web_text(&w, url);
    web_raw(&w, "\">");
    web_name(&w, dn, name);
    web_raw(&w, "</a></p>");
    pages_post_item(&w, note, false);
    replies(&w, json_string_value(json_object_get(note, "id")));
    json_decref(note);
    json_decref(actor);
    return web_finish(&w, 200, "public, max-age=60");
}
