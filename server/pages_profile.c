/* server/pages_profile.c - /@NAME: an account's page (issue #11 item 1). */
#include "server/pages.h"

#include <stdio.h>
#include <string.h>

/* A frozen account (agency/security.c) says so above everything else: its actor carries
 * an "Account status" field only while frozen. */
static void frozen_notice(struct web *w, const json_t *actor)
{
    const json_t *f;
    size_t i;

    json_array_foreach(json_object_get(actor, "attachment"), i, f)
    {
        const char *n = json_string_value(json_object_get(f, "name"));
        if (n == NULL || strcmp(n, "Account status") != 0)
            continue;
        web_raw(w, "<p class=\"notice\" role=\"alert\"><strong>");
        web_text(w, json_string_value(json_object_get(f, "value")));
        web_raw(w, ":</strong> ");
        web_text(w, fed_frozen_notice());
        web_raw(w, "</p>");
        return;
    }
}

enum MHD_Result pages_profile(struct http_req *r, const char *name)
{
    struct fed_web_query q = {.account = name, .limit = 20, .unlisted = true};
    json_t *actor = pages_actor(r, name), *items = NULL;
    char url[600], path[64];
    uint64_t next = 0;
    struct web w;

    if (actor == NULL)
        return http_reply_error(r, 404, "not_found", "no such account");
    if (pages_cursor(r, &q.before) != HR_OK) {
        json_decref(actor);
        return http_reply_error(r, 400, "bad_request", "before must be a number");
    }
    fed_web_posts(r->app->fed, &q, &items, &next, NULL);
    web_begin(&w, r);
    web_profile_url(r, name, url, sizeof url);
    {
        const char *dn = json_string_value(json_object_get(actor, "name"));
        char title[400];
        snprintf(title, sizeof title, "%s (@%s@%s)", dn ? dn : name, name, r->app->cfg.domain);
        web_head(&w, title, url);
    }
    web_link(&w, "alternate", "application/activity+json",
             json_string_value(json_object_get(actor, "id")), NULL);
    feeds_discovery(&w, name, NULL); /* server/feeds.c */
    web_body(&w);
    frozen_notice(&w, actor);
    web_raw(&w, "<h1>");
    web_name(&w, json_string_value(json_object_get(actor, "name")), name);
    web_raw(&w, "</h1><p class=\"kind\">");
    web_text(&w, json_string_value(json_object_get(json_array_get(json_object_get(actor, "attachment"), 0), "value")));
    web_raw(&w, "</p>");
    web_markup(&w, json_string_value(json_object_get(actor, "summary"))); /* ours */
    snprintf(path, sizeof path, "/@%s", name);
    pages_post_list(&w, items, next, path);
    json_decref(actor);
    json_decref(items);
    return web_finish(&w, 200, "public, max-age=60");
}
