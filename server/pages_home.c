/* server/pages_home.c - /: the instance's home page (issue #11 item 1): the agency, its
 * accounts grouped by kind, the latest posts of all of them. */
#include "server/pages.h"

#include <string.h>

enum MHD_Result pages_home(struct http_req *r)
{
    struct fed_web_query q = {.limit = 20};
    json_t *items = NULL;
    uint64_t next = 0;
    struct web w;

    if (pages_cursor(r, &q.before) != HR_OK)
        return http_reply_error(r, 400, "bad_request", "before must be a number");
    fed_web_posts(r->app->fed, &q, &items, &next, NULL);
    web_begin(&w, r);
    web_head(&w, r->app->cfg.domain, r->app->cfg.base_url);
    feeds_discovery(&w, NULL, NULL); /* server/feeds.c */
    web_body(&w);
    web_raw(&w, "<h1>");
    web_text(&w, r->app->cfg.domain);
    web_raw(&w, "</h1><h2>");
    web_t(&w, "Latest posts");
    web_raw(&w, "</h2>");
    pages_post_list(&w, items, next, "/");
    json_decref(items);
    return web_finish(&w, 200, "public, max-age=60");
}
