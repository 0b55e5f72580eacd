/* server/web.h - the public web (issue #11): server-rendered pages, feeds and embeds for
 * people without a fediverse account. One frame for every page (server/web.c): the
 * interface language (base/i18n.c: ?lang=, Accept-Language, the instance's languages),
 * the head with its stylesheet (no inline script or style: the CSP forbids both), the
 * site header, the footer with the language switch, and HTML error pages.
 *
 * Escaping rules, in one place: text that is ours or plain text from anyone goes through
 * web_text (escaped, bidi controls neutralised); post HTML we generated ourselves from
 * escaped text through web_markup; HTML from remote servers through web_remote_html
 * (fed_sanitize_html, gumbo allow-list). Nothing else writes received bytes into a page.
 *
 * Routes (server/router.c):
 *   /                       pages_home     (server/pages_home.c)
 *   /@NAME                  pages_profile  (server/pages_profile.c)
 *   /@NAME/ID               pages_post     (server/pages_post.c)
 *   /tags/TAG               pages_tag      (server/pages_tag.c)
 *   /@NAME.rss .atom, /tags/TAG.rss .atom, /feed.rss .atom   feeds_get (server/feeds.c)
 *   /@NAME/embed, /@NAME/ID/embed                            embed_get (server/embed.c)
 *   /api/oembed?url=                                        oembed_get (server/embed.c)
 *   /static/herald.css                                      web_static_get (server/web.c)
 * ActivityPub clients asking for /@NAME or /@NAME/ID get the actor or the Note (JSON);
 * browsers asking for /users/NAME or a Note's id are redirected to the page. */
#ifndef HERALD_WEB_H
#define HERALD_WEB_H

#include "server/http_int.h"

#include <jansson.h>

#define WEB_PAGE_MAX (2u << 20)

struct web {
    struct http_req *r;
    struct hr_buf b;
    const char *lang;  /* interface language, one of hr_i18n_languages() */
    bool embed;        /* an embed route: minimal frame, may be framed by any site */
    const char *theme; /* embeds: "light" or "dark"; NULL follows the reader's setting */
    bool body_open;
};

/* Starts a response to R: picks the language, empties the buffer. */
void web_begin(struct web *w, struct http_req *r);
/* "<!DOCTYPE html><html lang=..><head>..<title>TITLE</title>", stylesheet, canonical
 * link when CANONICAL (an absolute URL) is given. The caller may add web_meta/web_link
 * lines, then web_body. TITLE is plain text (escaped here). */
void web_head(struct web *w, const char *title, const char *canonical);
/* <meta property="KEY" content="VALUE"> (OpenGraph) or <meta name="KEY" ...>; escaped. */
void web_meta(struct web *w, const char *key, const char *value, bool property);
/* <link rel="REL" type="TYPE" href="HREF" [title="TITLE"]>; escaped; TYPE/TITLE may be NULL. */
void web_link(struct web *w, const char *rel, const char *type, const char *href,
              const char *title);
/* </head><body>, skip link, site header (not in embeds), <main id="main">. */
void web_body(struct web *w);
/* </main>, footer (language switch; not in embeds), </body></html>, and the reply with
 * STATUS and CACHE (Cache-Control). Frees the buffer. */
enum MHD_Result web_finish(struct web *w, int status, const char *cache);

/* An HTML error page in the reader's language (404, 410, 429, 400, 500...). CODE and MSG
 * are the JSON error's; MSG is shown under a translated headline. */
enum MHD_Result web_error(struct http_req *r, int status, const char *code, const char *msg);
/* True when an error for R should be an HTML page: a GET or HEAD from a browser (Accept
 * names text/html before any JSON type) outside the APIs and inboxes. */
bool web_wants_html_error(struct http_req *r);

/* ---- writing ---- */
void web_text(struct web *w, const char *s);             /* escaped; NULL: nothing */
void web_textn(struct web *w, const char *s, size_t n);  /* escaped */
void web_raw(struct web *w, const char *s);              /* our own literal markup */
void web_rawf(struct web *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void web_t(struct web *w, const char *msgid);            /* translated, escaped */
/* MSGID translated, its "{KEY}" placeholders replaced by the KEY, VALUE pairs that follow
 * (NULL-terminated), everything escaped: web_tf(w, "Posts by {name}", "name", dn, NULL). */
void web_tf(struct web *w, const char *msgid, ...) __attribute__((sentinel));
/* As web_tf for a template already translated (TRN's plural forms). */
void web_sub(struct web *w, const char *tmpl, ...) __attribute__((sentinel));
/* The same into a heap string, not escaped (titles, feed text): caller frees. */
char *web_tfs(const char *lang, const char *msgid, ...) __attribute__((sentinel));
void web_markup(struct web *w, const char *html);        /* HTML we generated (our posts) */
void web_remote_html(struct web *w, const char *html);   /* remote HTML: sanitised */
/* <time datetime="ISO">date and time in the instance's time zone, the reader's language</time>.
 * ISO is an RFC 3339 UTC time ("2026-12-05T17:16:23Z"); unreadable ones print as given. */
void web_time(struct web *w, const char *iso);
/* "@NAME@DOMAIN" (escaped) for one of our accounts. */
void web_handle(struct web *w, const char *name);
/* <span class="name"><bdi>DISPLAY</bdi></span> <span class="handle">@NAME@DOMAIN</span>:
 * a display name is never shown without the canonical handle. DISPLAY may be NULL. */
void web_name(struct web *w, const char *display, const char *name);

/* ---- small helpers ---- */
/* The interface language of R alone (for feeds and JSON that say a language). */
const char *web_lang(struct http_req *r);
/* Our page URLs: BASE/@NAME, BASE/@NAME/ID (ID: the hex id of a Note under /notes/). */
void web_profile_url(struct http_req *r, const char *name, char *out, size_t cap);
void web_post_url(struct http_req *r, const char *name, const char *id, char *out, size_t cap);
/* From a Note's id (BASE/users/NAME/notes/ID): NAME and ID; false for anything else. */
bool web_note_ids(struct http_req *r, const char *note_id, char name[32], char id[64]);
/* A post's text for a title, description or feed item title: its summary (content
 * warning) if any, else its content stripped of tags and cut at MAX bytes on a character
 * boundary with an ellipsis. Heap string (caller frees). */
char *web_post_excerpt(const json_t *note, size_t max);

/* ---- the routes (see the list above) ---- */
enum MHD_Result pages_home(struct http_req *r);
enum MHD_Result pages_profile(struct http_req *r, const char *name);
enum MHD_Result pages_post(struct http_req *r, const char *name, const char *id);
enum MHD_Result pages_tag(struct http_req *r, const char *tag);
/* KIND: "rss" or "atom"; ACCOUNT or TAG (at most one) or neither (the instance). */
enum MHD_Result feeds_get(struct http_req *r, const char *kind, const char *account,
                          const char *tag);
/* ID NULL: the account's timeline (?limit=, ?theme=light|dark); else one post. */
enum MHD_Result embed_get(struct http_req *r, const char *name, const char *id);
enum MHD_Result oembed_get(struct http_req *r);
/* In a post page's head: the oEmbed discovery link for PAGE_URL (server/embed.c). */
void embed_discovery(struct web *w, const char *page_url);
enum MHD_Result web_static_get(struct http_req *r);

#endif
