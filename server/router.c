/* server/router.c - routes by method and path. Account names in paths are validated
 * before any lookup ([a-z0-9_], at most 30): "../", "%2F" and friends never reach the
 * store or a file name. */
#include "server/router.h"
#include "server/admin.h"
#include "server/attest.h"
#include "server/cache.h"
#include "server/mastoapi.h"
#include "server/media_front.h"
#include "server/metrics.h"
#include "server/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CACHE_DOC "public, max-age=180"
#define CACHE_COLL "public, max-age=30"
#define CACHE_OBJ "public, max-age=300"
#define CACHE_PRIVATE "private, no-store" /* an authorized fetch: for that reader alone */

static enum MHD_Result reply_doc(struct http_req *r, struct fed_doc *d, const char *cache)
{
    enum MHD_Result ret;

    if ((d->status >= 400 && d->status != 410) || d->body == NULL)
        ret = http_reply_error(r, d->status ? d->status : 500, d->error ? d->error : "internal",
                               d->message);
    else
        ret = http_reply(r, d->status, d->content_type, d->body, cache);
    fed_doc_fini(d);
    return ret;
}

/* "/users/NAME[/REST]": copies NAME, points *rest at "/REST" or "". */
static bool users_path(const char *url, char name[32], const char **rest)
{
    const char *p, *end;
    size_t n;

    if (strncmp(url, "/users/", 7) != 0)
        return false;
    p = url + 7;
    end = strchr(p, '/');
    n = end ? (size_t)(end - p) : strlen(p);
    if (n == 0 || n >= 32)
        return false;
    memcpy(name, p, n);
    name[n] = '\0';
    *rest = p + n;
    return hr_name_valid(name);
}

/* Skips one id of [0-9a-f]; NULL when there is none. */
static const char *hex_id(const char *p)
{
    const char *start = p;

    while ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))
        p++;
    return p == start ? NULL : p;
}

/* "/notes/ID" and what hangs off it: "/activity", "/versions/ID", "/updates/ID",
 * "/delete/ID"; or "/accepts/ID". IDs are [0-9a-f]. */
static bool note_path(const char *rest)
{
    static const char *const subs[] = {"/versions/", "/updates/", "/delete/"};
    const char *p;

    if (strncmp(rest, "/notes/", 7) != 0 && strncmp(rest, "/accepts/", 9) != 0)
        return false;
    p = hex_id(strchr(rest + 1, '/') + 1);
    if (p == NULL)
        return false;
    if (*p == '\0' || strcmp(p, "/activity") == 0)
        return true;
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (strncmp(p, subs[i], strlen(subs[i])) == 0) {
            p = hex_id(p + strlen(subs[i]));
            return p != NULL && *p == '\0';
        }
    return false;
}

/* Header lookup for the inbox workers: from the copy, never from MHD (the connection is
 * suspended and belongs to MHD's thread). */
static const char *inbox_header(void *ctx, const char *name)
{
    const struct http_req *r = ctx;

    for (size_t i = 0; i < r->n_hdrs; i++)
        if (strcmp(r->hdrs[i].name, name) == 0)
            return r->hdrs[i].value;
    return NULL;
}

static enum MHD_Result copy_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    struct http_req *r = cls;
    struct hr_buf b;
    char *name;

    (void)kind;
    name = strdup(key);
    if (name == NULL)
        return MHD_NO;
    for (char *p = name; *p != '\0'; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    for (size_t i = 0; i < r->n_hdrs; i++) {
        if (strcmp(r->hdrs[i].name, name) != 0)
            continue;
        /* draft-cavage §2.3: repeated headers are signed as one, joined by ", " */
        hr_buf_init(&b, 65536);
        hr_buf_addf(&b, "%s, %s", r->hdrs[i].value, value ? value : "");
        free(name);
        if (b.err != HR_OK)
            return MHD_NO;
        free(r->hdrs[i].value);
        r->hdrs[i].value = hr_buf_take(&b);
        return MHD_YES;
    }
    r->hdrs[r->n_hdrs].name = name;
    r->hdrs[r->n_hdrs].value = strdup(value ? value : "");
    r->n_hdrs++;
    return MHD_YES;
}

static int copy_headers(struct http_req *r)
{
    int n = MHD_get_connection_values(r->conn, MHD_HEADER_KIND, NULL, NULL);

    r->hdrs = calloc((size_t)(n > 0 ? n : 1), sizeof *r->hdrs);
    if (r->hdrs == NULL)
        return HR_ENOMEM;
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, copy_header, r);
    for (size_t i = 0; i < r->n_hdrs; i++)
        if (r->hdrs[i].value == NULL)
            return HR_ENOMEM;
    return HR_OK;
}

/* The media type (case-insensitive, RFC 9110 §8.3.1) is one of the JSON ones exactly:
 * "application/jsonx" or "application/ld+json-ish" are other types, not parameters. */
static bool content_type_ok(struct http_req *r)
{
    static const char *const types[] = {"application/activity+json", "application/ld+json",
                                        "application/json"};
    const char *ct = http_header(r, "Content-Type");
    size_t n;

    if (ct == NULL)
        return false;
    n = strcspn(ct, "; \t");
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (n == strlen(types[i]) && strncasecmp(ct, types[i], n) == 0)
            return true;
    return false;
}

/* Called from an inbox worker once the answer is known. */
static void inbox_done(void *ctx)
{
    struct http_req *r = ctx;

    r->inbox_state = 2;
    MHD_resume_connection(r->conn);
}

static enum MHD_Result inbox_answer(struct http_req *r)
{
    const struct fed_inbox_res *res = &r->inbox_res;

    if (res->status == 202) {
        metrics_inbox(NULL); /* refusals are counted in http_reply_error */
        return http_reply(r, 202, "application/json", "{\"status\":\"accepted\"}", NULL);
    }
    r->retry_after_s = res->retry_after_s; /* set with 429, 503 and 507 */
    return http_reply_error(r, res->status ? res->status : 500,
                            res->error ? res->error : "internal", res->message);
}

static enum MHD_Result post_inbox(struct http_req *r, const char *account)
{
    struct fed_doc probe = {0};
    struct hr_err err = {0};

    if (r->inbox_state == 2)
        return inbox_answer(r);
    if (account != NULL) {
        fed_actor(r->app->fed, account, &probe); /* 404 before any signature work */
        if (probe.status == 404)
            return reply_doc(r, &probe, NULL);
        fed_doc_fini(&probe);
    }
    if (!content_type_ok(r))
        return http_reply_error(r, 415, "unsupported_media_type",
                                "Content-Type must be application/activity+json");
    if (copy_headers(r) != HR_OK)
        return http_reply_error(r, 500, "internal", "out of memory");
    snprintf(r->account, sizeof r->account, "%s", account ? account : "");
    r->inbox_req = (struct fed_inbox_req){
        .account = account ? r->account : NULL, .method = "POST", .target = r->url,
        .header = inbox_header, .ctx = r, .body = r->body.data ? r->body.data : "",
        .body_len = r->body.len, .client = r->client};
    /* suspend first: the worker may finish and resume before submit returns */
    http_inbox_suspend(r);
    if (fed_inbox_submit(r->app->fed, &r->inbox_req, &r->inbox_res, inbox_done, r, &err) !=
        HR_OK) {
        r->inbox_res.status = 503;
        r->inbox_res.error = "unavailable";
        r->inbox_res.retry_after_s = 30;
        snprintf(r->inbox_res.message, sizeof r->inbox_res.message, "%s", "server is stopping");
        inbox_done(r);
    }
    return MHD_YES;
}

static bool is_signed(struct http_req *r)
{
    const char *auth = http_header(r, "Authorization");

    return http_header(r, "Signature") != NULL || http_header(r, "Signature-Input") != NULL ||
           (auth != NULL && strncmp(auth, "Signature ", 10) == 0);
}

/* Whatever lies under a post (the Note, its Create, versions, collections such as
 * /replies): SERVE(path, PAGE) for anyone when the post is public or unlisted; for a
 * followers-only or direct post only after a signed GET from its audience, verified on
 * the inbox workers (a key fetch must not hold up this thread). Unsigned, badly signed or
 * from outside the audience: the 404 of an unknown id (federation/visibility.c). */
static enum MHD_Result get_guarded(struct http_req *r, fed_serve_fn *serve, const char *page,
                                   const char *cache)
{
    struct fed_doc d = {0};
    struct hr_err err = {0};

    if (r->inbox_state == 2)
        return reply_doc(r, &r->get_doc, CACHE_PRIVATE);
    if (fed_object_public(r->app->fed, r->url)) {
        serve(r->app->fed, r->url, page, &d);
        return reply_doc(r, &d, cache);
    }
    if (!is_signed(r))
        return http_reply_error(r, 404, "not_found", "no such object");
    if (fed_inbox_full(r->app->fed, &r->retry_after_s))
        return http_reply_error(r, 503, "unavailable", "too many requests waiting; retry later");
    if (copy_headers(r) != HR_OK)
        return http_reply_error(r, 500, "internal", "out of memory");
    r->inbox_req = (struct fed_inbox_req){.method = r->method, .target = r->url,
                                          .header = inbox_header, .ctx = r,
                                          .client = r->client};
    http_inbox_suspend(r); /* first: the worker may answer before submit returns */
    if (fed_get_submit(r->app->fed, &r->inbox_req, r->url, page, serve, &r->get_doc,
                       &r->retry_after_s, inbox_done, r, &err) != HR_OK) {
        r->get_doc.status = 503;
        r->get_doc.error = "unavailable";
        snprintf(r->get_doc.message, sizeof r->get_doc.message, "%s", "server is stopping");
        r->retry_after_s = 30;
        inbox_done(r);
    }
    return MHD_YES;
}

/* fed_note_collection as a fed_serve_fn (get_guarded checked the path first) */
static void note_collection(struct fed *fed, const char *path, const char *page,
                            struct fed_doc *d)
{
    if (fed_note_collection(fed, path, page, d) != HR_OK) {
        d->status = 404;
        d->error = "not_found";
        snprintf(d->message, sizeof d->message, "%s", "no such object");
    }
}

static enum MHD_Result get_users(struct http_req *r, const char *name, const char *rest)
{
    struct fed_doc d = {0};

    if (rest[0] == '\0') {
        if (!http_wants_json(r)) { /* a browser: to the account's page */
            snprintf(r->path_buf, sizeof r->path_buf, "/@%s", name);
            return http_redirect(r, r->path_buf);
        }
        web_profile_url(r, name, r->path_buf, sizeof r->path_buf);
        snprintf(r->link, sizeof r->link, "<%s>; rel=\"alternate\"; type=\"text/html\"",
                 r->path_buf);
        fed_actor(r->app->fed, name, &d);
        return reply_doc(r, &d, CACHE_DOC);
    }
    if (strcmp(rest, "/outbox") == 0) {
        fed_outbox(r->app->fed, name, http_arg(r, "page"), &d);
        return reply_doc(r, &d, CACHE_COLL);
    }
    if (strcmp(rest, "/followers") == 0) {
        fed_followers(r->app->fed, name, http_arg(r, "page"), &d);
        return reply_doc(r, &d, CACHE_COLL);
    }
    if (strcmp(rest, "/following") == 0) {
        fed_following(r->app->fed, name, &d);
        return reply_doc(r, &d, CACHE_COLL);
    }
    if (strcmp(rest, "/accounts") == 0) { /* the account matrix (federation/kinds.c) */
        fed_matrix(r->app->fed, name, &d);
        return reply_doc(r, &d, CACHE_COLL);
    }
    /* a post's replies, likes and shares, live (federation/counts.c), to the post's
     * audience only, like the post */
    if (fed_note_collection_is(r->app->fed, r->url))
        return get_guarded(r, note_collection, http_arg(r, "page"), CACHE_COLL);
    if (note_path(rest)) {
        const char *id = rest + 7, *end = id + strspn(id, "0123456789abcdef");
        bool note = strncmp(rest, "/notes/", 7) == 0 && *end == '\0';

        if (note && !http_wants_json(r)) { /* a browser: to the post's page */
            snprintf(r->path_buf, sizeof r->path_buf, "/@%s/%s", name, id);
            return http_redirect(r, r->path_buf);
        }
        if (!http_wants_json(r)) { /* an activity, a version...: JSON only, if it exists */
            fed_own_post(r->app->fed, name, r->url, &d);
            if (d.status == 200 || d.status == 410) {
                fed_doc_fini(&d);
                return http_reply_error(r, 406, "not_acceptable",
                                        "this object has no HTML page; ask for "
                                        "application/activity+json");
            }
            return reply_doc(r, &d, NULL);
        }
        if (note && r->link[0] == '\0') {
            char url[600];
            web_post_url(r, name, id, url, sizeof url);
            snprintf(r->link, sizeof r->link, "<%s>; rel=\"alternate\"; type=\"text/html\"", url);
        }
        return get_guarded(r, fed_object_page, NULL, CACHE_OBJ);
    }
    return http_reply_error(r, 404, "not_found", "no such page");
}

/* Copies the segment of P up to '/', '.' or the end into OUT (CAP bytes); its length. */
static size_t segment(const char *p, char *out, size_t cap)
{
    size_t n = strcspn(p, "/.");

    if (n >= cap)
        return 0;
    memcpy(out, p, n);
    out[n] = '\0';
    return n;
}

/* "/@NAME", "/@NAME.rss|.atom", "/@NAME/embed", "/@NAME/ID", "/@NAME/ID/embed". An
 * ActivityPub client gets JSON at the first and fourth: the actor, or the Note through
 * the same guard as at its id (get_guarded with the path rewritten). */
static enum MHD_Result get_web_account(struct http_req *r)
{
    const char *p = r->url + 2, *rest;
    char name[32], id[64];
    size_t n = segment(p, name, sizeof name);

    if (n == 0 || !hr_name_valid(name))
        return http_reply_error(r, 404, "not_found", "no such account");
    rest = p + n;
    if (strcmp(rest, ".rss") == 0 || strcmp(rest, ".atom") == 0)
        return feeds_get(r, rest + 1, name, NULL);
    if (strcmp(rest, "/embed") == 0)
        return embed_get(r, name, NULL);
    if (rest[0] == '\0') {
        if (http_wants_json(r)) {
            snprintf(r->path_buf, sizeof r->path_buf, "/users/%s", name);
            r->url = r->path_buf;
            return get_users(r, name, "");
        }
        return pages_profile(r, name);
    }
    if (rest[0] != '/')
        return http_reply_error(r, 404, "not_found", "no such page");
    n = strspn(rest + 1, "0123456789abcdef");
    if (n == 0 || n >= sizeof id)
        return http_reply_error(r, 404, "not_found", "no such post");
    memcpy(id, rest + 1, n);
    id[n] = '\0';
    rest += 1 + n;
    if (strcmp(rest, "/embed") == 0)
        return embed_get(r, name, id);
    if (rest[0] != '\0')
        return http_reply_error(r, 404, "not_found", "no such page");
    if (http_wants_json(r)) {
        char url[600];
        web_post_url(r, name, id, url, sizeof url);
        snprintf(r->link, sizeof r->link, "<%s>; rel=\"alternate\"; type=\"text/html\"", url);
        snprintf(r->path_buf, sizeof r->path_buf, "/users/%s/notes/%s", name, id);
        r->url = r->path_buf;
        return get_guarded(r, fed_object_page, NULL, CACHE_OBJ);
    }
    return pages_post(r, name, id);
}

/* "/tags/TAG", "/tags/TAG.rss|.atom". A tag is what federation/entities.c links: letters,
 * digits, '_' and the like, never '/', '.', markup or controls (MHD has decoded %XX). */
static enum MHD_Result get_web_tag(struct http_req *r, const char *p)
{
    char tag[128];
    size_t n = segment(p, tag, sizeof tag);
    const char *rest = p + n;

    if (n == 0 || n > 100 || strpbrk(tag, "<>\"'&?#%\\ ") != NULL)
        return http_reply_error(r, 404, "not_found", "no such tag");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)tag[i] < 0x20 || tag[i] == 0x7f)
            return http_reply_error(r, 404, "not_found", "no such tag");
    if (strcmp(rest, ".rss") == 0 || strcmp(rest, ".atom") == 0)
        return feeds_get(r, rest + 1, NULL, tag);
    if (rest[0] != '\0')
        return http_reply_error(r, 404, "not_found", "no such tag");
    return pages_tag(r, tag);
}

static enum MHD_Result get_route(struct http_req *r)
{
    struct fed_doc d = {0};
    const char *rest;
    char name[32];

    if (strcmp(r->url, "/.well-known/webfinger") == 0) {
        fed_webfinger(r->app->fed, http_arg(r, "resource"), &d);
        return reply_doc(r, &d, CACHE_DOC);
    }
    if (strcmp(r->url, "/.well-known/nodeinfo") == 0) {
        fed_nodeinfo_links(r->app->fed, &d);
        return reply_doc(r, &d, CACHE_DOC);
    }
    if (strcmp(r->url, "/nodeinfo/2.1") == 0) {
        fed_nodeinfo(r->app->fed, &d);
        return reply_doc(r, &d, CACHE_COLL);
    }
    if (strcmp(r->url, "/.well-known/herald/accounts.json") == 0) {
        fed_accounts_doc(r->app->fed, &d);
        return reply_doc(r, &d, CACHE_COLL);
    }
    if (strcmp(r->url, "/.well-known/host-meta") == 0) {
        fed_host_meta(r->app->fed, &d);
        return reply_doc(r, &d, CACHE_DOC);
    }
    if (strncmp(r->url, "/@", 2) == 0)
        return get_web_account(r);
    if (strncmp(r->url, "/tags/", 6) == 0)
        return get_web_tag(r, r->url + 6);
    if (strcmp(r->url, "/") == 0)
        return pages_home(r);
    if (strcmp(r->url, "/feed.rss") == 0 || strcmp(r->url, "/feed.atom") == 0)
        return feeds_get(r, r->url + 6, NULL, NULL);
    if (strncmp(r->url, "/static/", 8) == 0)
        return web_static_get(r);
    if (strcmp(r->url, "/favicon.ico") == 0) /* browsers ask; we have none: nothing, cached */
        return http_reply(r, 204, NULL, NULL, "public, max-age=86400");
    if (strcmp(r->url, "/attestations") == 0 || strncmp(r->url, "/attestations/", 14) == 0)
        return attest_http_get(r);
    if (strcmp(r->url, "/verify") == 0)
        return attest_http_verify(r);
    if (users_path(r->url, name, &rest))
        return get_users(r, name, rest);
    if (strncmp(r->url, "/media/", 7) == 0) /* our images (server/media_http.c) */
        return media_http_get(r);
    return http_reply_error(r, 404, "not_found", "no such page");
}

enum MHD_Result router_dispatch(struct http_req *r)
{
    const char *rest;
    char name[32];

    if (strncmp(r->url, ADMIN_PREFIX, strlen(ADMIN_PREFIX)) == 0)
        return admin_dispatch(r);
    if (strcmp(r->url, "/metrics") == 0) /* never cached (server/metrics.c) */
        return metrics_get(r);
    if (mastoapi_path(r->url)) /* Mastodon's public client API (server/mastoapi.c) */
        return mastoapi_get(r);
    if (strcmp(r->url, "/api/oembed") == 0 &&
        (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0))
        return oembed_get(r);

    if (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0) {
        enum MHD_Result ret;
        if (http_cache_answer(r, &ret)) /* rendered before, nothing written since */
            return ret;
        return get_route(r);
    }
    if (strcmp(r->method, "POST") != 0)
        return http_reply_error(r, 405, "method_not_allowed", "only GET, HEAD and POST");
    if (strcmp(r->url, "/inbox") == 0)
        return post_inbox(r, NULL);
    if (users_path(r->url, name, &rest) && strcmp(rest, "/inbox") == 0)
        return post_inbox(r, name);
    if (strncmp(r->url, "/users/", 7) == 0 && strstr(r->url, "/inbox") != NULL)
        return http_reply_error(r, 404, "not_found", "no such account");
    return http_reply_error(r, 405, "method_not_allowed", "POST only to inboxes");
}
