/* server/pages.h - what the page kinds share (server/pages_common.c). */
#ifndef HERALD_PAGES_H
#define HERALD_PAGES_H

#include "server/web.h"

/* NAME's actor document (ours), or NULL. */
json_t *pages_actor(struct http_req *r, const char *name);
/* One of our posts as an <article>; LINK: its date links to its page. */
void pages_post_item(struct web *w, const json_t *note, bool link);
/* ITEMS (fed_web_posts) and an "Older posts" link to PATH?before=NEXT when NEXT > 0. */
void pages_post_list(struct web *w, const json_t *items, uint64_t next, const char *path);
/* ?before=N: the page cursor (0: newest). HR_EINVAL when malformed. */
int pages_cursor(struct http_req *r, uint64_t *before);

#endif
