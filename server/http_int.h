/* server/http_int.h - what the server sources share: the per-request context and reply helpers. */
#ifndef HERALD_HTTP_INT_H
#define HERALD_HTTP_INT_H

#include "server/server.h"

#include <microhttpd.h>

struct http_hdr {
    char *name, *value; /* lowercase name; repeated headers joined with ", " */
};

/* Owns everything one request allocated; freed in the request-completed callback. */
struct http_req {
    struct app *app;
    struct MHD_Connection *conn;
    const char *method, *url;
    struct hr_buf body;
    bool too_big;
    uint64_t discarded; /* body bytes received, kept or not */
    bool replied;
    int64_t retry_after_s; /* > 0: a Retry-After header goes with the reply */
    char client[64];
    /* an inbox POST handed to the inbox workers: headers copied, connection suspended */
    struct http_hdr *hdrs;
    size_t n_hdrs;
    int inbox_state; /* 0 not yet, 1 submitted, 2 answered */
    char account[32];
    struct fed_inbox_req inbox_req;
    struct fed_inbox_res inbox_res;
    struct verify_job *verify; /* a /verify answered from a thread (server/attest_http.c) */
    struct fed_doc get_doc;    /* a signed GET answered by the inbox workers (router.c) */
    char path_buf[256];        /* r->url rewritten: /@NAME/ID asked for as JSON (router.c) */
    char link[800];            /* a Link header for the reply ("" none): rel=alternate */
    bool in_error;             /* writing an error page: its own failure is JSON */
    char *cache_key;           /* a public GET whose reply may be kept (server/cache.c) */
    uint64_t cache_gen;        /* the store generation read before it was rendered */
    bool cache_hit;            /* answered from the cache: X-Cache: hit */
};

/* Suspends R's connection while the inbox workers handle it (inbox_state 1); counted until
 * the request completes, so that a stopping server answers every one before it closes. */
void http_inbox_suspend(struct http_req *r);

/* Queues a reply. CT: content type; BODY may be NULL (empty). CACHE: Cache-Control value or
 * NULL. Adds a strong ETag and answers 304 to a matching If-None-Match on 200s. */
enum MHD_Result http_reply(struct http_req *r, int status, const char *ct, const char *body,
                           const char *cache);
/* http_reply with the body's length and ETag known (a reply from server/cache.c). */
enum MHD_Result http_reply_etag(struct http_req *r, int status, const char *ct,
                                const char *body, size_t len, const char *etag,
                                const char *cache);
/* {"error": CODE, "message": MSG} */
enum MHD_Result http_reply_error(struct http_req *r, int status, const char *code,
                                 const char *msg);
/* true when the client asked for ActivityStreams JSON (or anything but HTML) */
bool http_wants_json(struct http_req *r);
const char *http_header(struct http_req *r, const char *name);
const char *http_arg(struct http_req *r, const char *name);

/* A listening socket bound to LISTEN_ON (ADDR:PORT, config_listen_parse) into *FD_OUT:
 * HR_EEXIST when in use (the metrics listener, server/metrics.c). */
int http_listen_socket(const char *listen_on, int *fd_out, struct hr_err *err);

/* A 302 to LOCATION (an absolute path or URL), for browsers sent from an ActivityPub id
 * to its page (server/router.c). */
enum MHD_Result http_redirect(struct http_req *r, const char *location);

#endif
