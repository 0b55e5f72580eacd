/* server/pages_tag.c - /tags/TAG: our public posts with a hashtag (issue #11 item 1). */
#include "server/pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum MHD_Result pages_tag(struct http_req *r, const char *tag)
{
    struct fed_web_query q = {.tag = tag, .limit = PAGES_LIMIT};
    char hash[200], path[200], url[1200], *title;
    json_t *items = NULL, *accounts;
    uint64_t next = 0;
    struct web w;

    if (pages_cursor(r, &q.before) != HR_OK)
        return http_reply_error(r, 400, "bad_request", "before must be a number");
    accounts = pages_accounts(r, NULL);
    if (accounts == NULL || fed_web_posts(r->app->fed, &q, &items, &next, NULL) != HR_OK) {
        json_decref(accounts);
        return http_reply_error(r, 500, "internal", "posts unreadable");
    }
    if (q.before == 0 && json_array_size(items) == 0) {
        /* no post of ours has this tag: nothing to show, as for an unknown account */
        json_decref(items);
        json_decref(accounts);
        return http_reply_error(r, 404, "not_found", "no posts with this tag");
    }
    web_begin(&w, r);
    snprintf(hash, sizeof hash, "#%s", tag);
    snprintf(path, sizeof path, "/tags/%s", tag);
    snprintf(url, sizeof url, "%s%s", r->app->cfg.base_url, path);
    title = web_tfs(w.lang, "Posts tagged {tag} on {domain}", "tag", hash, "domain",
                    r->app->cfg.domain, NULL);
    web_head(&w, title ? title : hash, url);
    pages_og_common(&w, "website", title ? title : hash, url, NULL, NULL, NULL);
    pages_feed_links(&w, path, hash);
    web_body(&w);
    web_raw(&w, "<h1>");
    web_tf(&w, "Posts tagged {tag}", "tag", hash, NULL);
    web_raw(&w, "</h1>");
    pages_feed_anchors(&w, path);
    pages_post_list_by(&w, items, next, path, accounts);
    free(title);
    json_decref(items);
    json_decref(accounts);
    return web_finish(&w, 200, PAGES_CACHE);
}
