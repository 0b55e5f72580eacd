/* server/pages.h - what the page kinds share (server/pages_common.c). */
#ifndef HERALD_PAGES_H
#define HERALD_PAGES_H

#include "server/web.h"

#define PAGES_LIMIT 20 /* posts per page */
#define PAGES_CACHE "public, max-age=60"

/* NAME's actor document (ours), or NULL. */
json_t *pages_actor(struct http_req *r, const char *name);
/* Our accounts as pages show them (fed_web_accounts): ONLY one, or all (NULL). New array,
 * NULL on failure. */
json_t *pages_accounts(struct http_req *r, const char *only);
/* The entry of account NAME in ACCOUNTS (borrowed), or NULL. */
const json_t *pages_account_find(const json_t *accounts, const char *name);
/* One of our posts as an <article>; LINK: its date links to its page. */
void pages_post_item(struct web *w, const json_t *note, bool link);
/* The same with a byline naming AUTHOR (an entry of pages_accounts; NULL: none). */
void pages_post_entry(struct web *w, const json_t *note, bool link, const json_t *author);
/* ITEMS (fed_web_posts) and an "Older posts" link to PATH?before=NEXT when NEXT > 0.
 * ACCOUNTS (may be NULL): each post gets a byline naming its account. */
void pages_post_list(struct web *w, const json_t *items, uint64_t next, const char *path);
void pages_post_list_by(struct web *w, const json_t *items, uint64_t next, const char *path,
                        const json_t *accounts);
/* ?before=N: the page cursor (0: newest). HR_EINVAL when malformed. */
int pages_cursor(struct http_req *r, uint64_t *before);

/* MSGID translated with its one placeholder {KEY} as a link to HREF saying TEXT. */
void pages_t_link(struct web *w, const char *msgid, const char *key, const char *href,
                  const char *text, const char *rel);
/* <img> of ACCOUNT's avatar (class CLS, alt ALT; "" for a decorative one); nothing when
 * it has none. */
void pages_avatar(struct web *w, const json_t *account, const char *cls, const char *alt);
/* <link rel="alternate"> to PATH.rss and PATH.atom (PATH: "/@NAME", "/tags/T", "/feed"). */
void pages_feed_links(struct web *w, const char *path, const char *title);
/* "RSS" and "Atom" links to PATH.rss and PATH.atom, in a paragraph. */
void pages_feed_anchors(struct web *w, const char *path);
/* OpenGraph and fediverse:creator for ACCOUNT (its handle). */
void pages_og_common(struct web *w, const char *type, const char *title, const char *url,
                     const char *description, const char *image, const char *name);

#endif
