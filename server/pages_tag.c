/* server/pages_tag.c - /tags/TAG: our public posts with a hashtag (issue #11 item 1). */
#include "server/pages.h"

#include <stdio.h>
#include <string.h>

enum MHD_Result pages_tag(struct http_req *r, const char *tag)
{
    struct fed_web_query q = {.tag = tag, .limit = 20};
    char title[200], path[200];
    json_t *items = NULL;
    uint64_t next = 0;
    struct web w;

    if (pages_cursor(r, &q.before) != HR_OK)
        return http_reply_error(r, 400, "bad_request", "before must be a number");
    fed_web_posts(r->app->fed, &q, &items, &next, NULL);
    web_begin(&w, r);
    snprintf(title, sizeof title, "#%s", tag);
    web_head(&w, title, NULL);
    feeds_discovery(&w, NULL, tag); /* server/feeds.c */
    web_body(&w);
    web_raw(&w, "<h1>");
    web_text(&w, title);
    web_raw(&w, "</h1>");
    snprintf(path, sizeof path, "/tags/%s", tag);
    pages_post_list(&w, items, next, path);
    json_decref(items);
    return web_finish(&w, 200, "public, max-age=60");
}
