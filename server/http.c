/* server/http.c - the HTTP front: libmicrohttpd with a thread pool, request bodies with a
 * hard cap, replies with ETag/Cache-Control, SIGTERM handling, the delivery worker. */
#include "server/attest.h"
#include "server/cache.h"
#include "server/http_int.h"
#include "server/web.h"
#include "server/media_front.h"
#include "server/metrics.h"
#include "server/router.h"
#include "agency/agency.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <malloc.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HTTP_DISCARD_MAX (4u << 20) /* bytes of an oversize body read before answering */

void app_fed_config(const struct app *app, struct fed_config *out)
{
    const struct config *c = &app->cfg;

    *out = (struct fed_config){
        .data_dir = app->data_dir,
        .domain = c->domain,
        .base_url = c->base_url,
        .allow_private = c->allow_private_network,
        .signature_window_s = (int64_t)c->signature_window,
        .inbox_max_body = c->inbox_max_body,
        .json_max_depth = c->json_max_depth,
        .json_max_string = c->json_max_string,
        .json_max_items = c->json_max_items,
        .fetch_max_bytes = c->fetch_max_bytes,
        .fetch_timeout_ms = (long)c->fetch_timeout,
        .fetch_max_redirects = (int)c->fetch_max_redirects,
        .key_refetch_interval_s = (int64_t)c->key_refetch_interval,
        .inbound_max_objects_per_actor = c->inbound_max_objects_per_actor,
        .inbound_max_bytes_per_actor = c->inbound_max_bytes_per_actor,
        .inbound_max_objects_per_domain = c->inbound_max_objects_per_domain,
        .inbound_max_bytes_per_domain = c->inbound_max_bytes_per_domain,
        .inbound_share_percent = c->inbound_share_percent,
        .inbound_retention_s = (int64_t)c->inbound_retention_days * 86400,
        .seen_retention_s = (int64_t)c->seen_retention_days * 86400,
        .deliver_concurrency = (int)c->deliver_concurrency,
        .deliver_per_host = (int)c->deliver_per_host,
        .deliver_signers = (int)c->deliver_signers,
        .deliver_timeout_ms = (long)c->deliver_timeout,
        .deliver_give_up_s = (int64_t)c->deliver_give_up,
        .allowlist = strcmp(c->federation_mode, "allowlist") == 0,
        .inbox_rate_per_minute = c->inbox_rate_per_minute,
        .key_fetch_max_total = (size_t)c->key_fetch_max_total,
        .key_fetch_max_per_domain = (size_t)c->key_fetch_max_per_domain,
        .key_fetch_timeout_ms = (long)c->key_fetch_timeout,
        .key_fail_cache_s = (int64_t)c->key_fail_cache,
        .inbox_queue_max = (size_t)c->inbox_queue_max,
        .inbox_actor_per_second = c->inbox_actor_per_second,
        .inbox_follows_per_minute = c->inbox_follows_per_minute,
        .rfc9421_first = strcmp(c->http_signature_first, "rfc9421") == 0,
        .languages = c->languages,
    };
}

const char *http_header(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *http_arg(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

bool http_wants_json(struct http_req *r)
{
    const char *accept = http_header(r, "Accept");

    if (accept == NULL)
        return true;
    if (strstr(accept, "application/activity+json") != NULL ||
        strstr(accept, "application/ld+json") != NULL || strstr(accept, "application/json"))
        return true;
    return strstr(accept, "text/html") == NULL;
}

static bool etag_matches(struct http_req *r, const char *etag)
{
    const char *inm = http_header(r, "If-None-Match");

    return inm != NULL && (strcmp(inm, "*") == 0 || strstr(inm, etag) != NULL);
}

/* Embeds (server/embed.c): the only documents another site may frame. */
static bool embed_route(const char *url)
{
    size_t n = strlen(url);

    return strncmp(url, "/@", 2) == 0 && n > 6 && strcmp(url + n - 6, "/embed") == 0;
}

/* Feeds and oEmbed: read by feed readers and by the agency's own site from script. */
static bool public_read(const char *url)
{
    size_t n = strlen(url);

    return strcmp(url, "/api/oembed") == 0 || (n > 4 && strcmp(url + n - 4, ".rss") == 0) ||
           (n > 5 && strcmp(url + n - 5, ".atom") == 0);
}

/* Pages run no script and submit no form (CSP Level 3 §6.1.3 default-src, §6.4.1
 * form-action, §6.3.1 base-uri), take styles and images from us alone (no inline style:
 * server/web.c's stylesheet), and only embeds may be framed, by anyone; nothing else we
 * serve is a document at all: a JSON body opened in a browser gets an empty, sandboxed
 * origin. */
static const char *csp_for(const struct http_req *r, const char *ct)
{
    if (ct != NULL && strncmp(ct, "text/html", 9) == 0)
        return embed_route(r->url)
                   ? "default-src 'none'; style-src 'self'; img-src 'self'; "
                     "form-action 'none'; base-uri 'none'; frame-ancestors *"
                   : "default-src 'none'; style-src 'self'; img-src 'self'; "
                     "form-action 'none'; base-uri 'none'; frame-ancestors 'none'";
    return "default-src 'none'; form-action 'none'; base-uri 'none'; "
           "frame-ancestors 'none'; sandbox";
}

enum MHD_Result http_reply(struct http_req *r, int status, const char *ct, const char *body,
                           const char *cache)
{
    size_t len = body ? strlen(body) : 0;
    char etag[48] = "";

    if (status == 200 && body != NULL) {
        fed_etag(body, len, etag);
        http_cache_keep(r, status, ct, body, len, etag, cache);
    }
    return http_reply_etag(r, status, ct, body, len, etag, cache);
}

enum MHD_Result http_reply_etag(struct http_req *r, int status, const char *ct,
                                const char *body, size_t len, const char *etag,
                                const char *cache)
{
    struct MHD_Response *resp;
    enum MHD_Result ret;

    if (status == 200 && etag[0] != '\0' && etag_matches(r, etag)) {
        status = MHD_HTTP_NOT_MODIFIED;
        len = 0;
    }
    if (status == MHD_HTTP_NOT_MODIFIED)
        len = 0; /* HEAD: MHD sends the headers of the full body and leaves the body out */
    resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)(body ? body : ""),
                                           MHD_RESPMEM_MUST_COPY);
    if (resp == NULL)
        return MHD_NO;
    if (ct != NULL)
        MHD_add_response_header(resp, "Content-Type", ct);
    if (etag[0] != '\0')
        MHD_add_response_header(resp, "ETag", etag);
    if (r->retry_after_s > 0) {
        char ra[24];
        snprintf(ra, sizeof ra, "%lld", (long long)r->retry_after_s);
        MHD_add_response_header(resp, "Retry-After", ra);
    }
    MHD_add_response_header(resp, "Cache-Control", cache ? cache : "no-store");
    MHD_add_response_header(resp, "Vary", "Accept, Accept-Language");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Content-Security-Policy", csp_for(r, ct));
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    if (!embed_route(r->url))
        MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    if (r->link[0] != '\0')
        MHD_add_response_header(resp, "Link", r->link);
    if (r->cache_hit) /* for operators and tests: this answer was rendered earlier */
        MHD_add_response_header(resp, "X-Cache", "hit");
    if (strncmp(r->url, "/.well-known/", 13) == 0 || strncmp(r->url, "/nodeinfo/", 10) == 0 ||
        public_read(r->url)) /* public documents a reader on another site may fetch */
        MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
    ret = MHD_queue_response(r->conn, (unsigned)status, resp);
    r->replied = true;
    MHD_destroy_response(resp);
    metrics_request(r->url, status); /* herald_http_requests_total (server/metrics.c) */
    return ret;
}

enum MHD_Result http_redirect(struct http_req *r, const char *location)
{
    struct hr_buf b;
    struct MHD_Response *resp;
    enum MHD_Result ret;

    hr_buf_init(&b, 4096); /* a body for clients that do not follow Location */
    hr_buf_adds(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>"
                    "Moved</title></head><body><p><a href=\"");
    hr_buf_add_html(&b, location, strlen(location));
    hr_buf_adds(&b, "\">");
    hr_buf_add_html(&b, location, strlen(location));
    hr_buf_adds(&b, "</a></p></body></html>\n");
    if (b.err != HR_OK) {
        hr_buf_fini(&b);
        return MHD_NO;
    }
    resp = MHD_create_response_from_buffer(b.len, b.data, MHD_RESPMEM_MUST_COPY);
    hr_buf_fini(&b);
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, "Location", location);
    MHD_add_response_header(resp, "Content-Type", "text/html; charset=utf-8");
    MHD_add_response_header(resp, "Cache-Control", "public, max-age=300");
    MHD_add_response_header(resp, "Vary", "Accept, Accept-Language");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Content-Security-Policy", csp_for(r, "text/html"));
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    ret = MHD_queue_response(r->conn, MHD_HTTP_FOUND, resp);
    r->replied = true;
    MHD_destroy_response(resp);
    metrics_request(r->url, MHD_HTTP_FOUND);
    return ret;
}

enum MHD_Result http_reply_error(struct http_req *r, int status, const char *code,
                                 const char *msg)
{
    metrics_error(r->method, r->url, code); /* an inbox refusal, by its code */
    if (!r->in_error && web_wants_html_error(r)) { /* a browser: a page in its language */
        r->in_error = true;
        return web_error(r, status, code, msg);
    }
    json_t *j = json_pack("{s:s,s:s}", "error", code, "message", msg ? msg : "");
    char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
    enum MHD_Result ret = http_reply(r, status, "application/json", body, NULL);

    free(body);
    json_decref(j);
    return ret;
}

static void client_address(struct http_req *r)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;

    snprintf(r->client, sizeof r->client, "-");
    if (sa != NULL && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, r->client,
                  sizeof r->client);
    else if (sa != NULL && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                  r->client, sizeof r->client);
}

/* Once per process: a request from loopback without X-Forwarded-For means the proxy in
 * front does not name its clients, and every client then shares the loopback address's
 * failed-login and rate buckets (docs/operating.md, "nginx"). */
static void warn_no_forwarded_for(const char *peer)
{
    static atomic_bool warned;

    if (atomic_exchange(&warned, true))
        return;
    hr_log(HR_LOG_WARN, "http",
           "request from %s without X-Forwarded-For: client limits (failed logins, inbox "
           "rates) then count every client behind the proxy as one; set proxy_set_header "
           "X-Forwarded-For in the proxy (logged once)",
           peer);
}

/* Behind the TLS proxy on the same machine every connection comes from loopback: then
 * (and only then) the proxy's X-Forwarded-For names the client, for limits and logs. The
 * last address is the one the proxy itself saw. */
static void forwarded_for(struct http_req *r)
{
    const char *xff, *last;
    char addr[64];
    unsigned char buf[16];
    size_t n;

    if (strcmp(r->client, "127.0.0.1") != 0 && strcmp(r->client, "::1") != 0)
        return;
    xff = http_header(r, "X-Forwarded-For");
    if (xff == NULL) {
        warn_no_forwarded_for(r->client);
        return;
    }
    last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    while (*last == ' ')
        last++;
    n = strcspn(last, " ");
    if (n == 0 || n >= sizeof addr)
        return;
    memcpy(addr, last, n);
    addr[n] = '\0';
    if (inet_pton(AF_INET, addr, buf) == 1 || inet_pton(AF_INET6, addr, buf) == 1)
        snprintf(r->client, sizeof r->client, "%s", addr);
}

struct framing {
    unsigned content_length, transfer_encoding;
};

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    struct framing *f = cls;

    (void)kind;
    (void)value;
    if (strcasecmp(key, "Content-Length") == 0)
        f->content_length++;
    else if (strcasecmp(key, "Transfer-Encoding") == 0)
        f->transfer_encoding++;
    return MHD_YES;
}

struct strictness {
    unsigned host;
    bool bad_byte;
};

static bool has_ctl(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] == '\r' || p[i] == '\n' || p[i] == '\0')
            return true;
    return false;
}

static enum MHD_Result check_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    size_t key_size, const char *value, size_t value_size)
{
    struct strictness *s = cls;

    (void)kind;
    if (has_ctl(key, key_size) || (value != NULL && has_ctl(value, value_size)))
        s->bad_byte = true;
    if (key_size == 4 && strncasecmp(key, "Host", 4) == 0)
        s->host++;
    return MHD_YES;
}

/* A CR, LF or NUL inside a header (libmicrohttpd passes a bare CR on) and a second Host
 * are what request smuggling and header injection are made of: a proxy in front may read
 * such a request differently from us (RFC 9110 §5.5 forbids the three in field values,
 * RFC 9112 §3.2 says a request with more than one Host gets 400). Refused before
 * anything else of the request is looked at; NULL when the headers are clean. */
static const char *headers_unclean(struct MHD_Connection *conn)
{
    struct strictness s = {0};

    MHD_get_connection_values_n(conn, MHD_HEADER_KIND, check_header, &s);
    if (s.bad_byte)
        return "a request header carries CR, LF or NUL";
    if (s.host > 1)
        return "more than one Host header";
    return NULL;
}

/* An inbox POST while inbox_queue_max POSTs already wait for a verifier: refused (503,
 * Retry-After) before its body is read, so a flood costs headers, not memory (issue 8 §4). */
static bool inbox_queue_full(struct http_req *r)
{
    size_t n = strlen(r->url);
    int64_t wait_s = 0;

    if (strcmp(r->method, "POST") != 0 || n < 6 || strcmp(r->url + n - 6, "/inbox") != 0 ||
        !fed_inbox_full(r->app->fed, &wait_s))
        return false;
    r->retry_after_s = wait_s;
    return true;
}

/* Requests begun since start-up: the scheduler tells an idle server by it (trim_when_idle). */
static atomic_uint_fast64_t requests_begun;

/* First call of a request: set up its context; refuse a declared oversize body at once. */
static enum MHD_Result begin(struct app *app, struct MHD_Connection *conn, const char *url,
                             const char *method, void **con_cls)
{
    struct http_req *r = calloc(1, sizeof *r);
    struct framing framing = {0};
    const char *cl, *unclean;
    uint64_t n = UINT64_MAX, limit = media_http_body_limit(app, method, url);

    if (r == NULL)
        return MHD_NO;
    atomic_fetch_add_explicit(&requests_begun, 1, memory_order_relaxed);
    r->app = app;
    r->conn = conn;
    r->url = url;
    r->method = method;
    hr_buf_init(&r->body, limit);
    *con_cls = r;
    if ((unclean = headers_unclean(conn)) != NULL)
        return http_reply_error(r, 400, "bad_request", unclean);
    client_address(r);
    forwarded_for(r);
    if (MHD_get_connection_values(conn, MHD_HEADER_KIND, NULL, NULL) >
        (int)app->cfg.max_headers)
        return http_reply_error(r, 431, "too_many_headers", "too many request headers");
    /* two lengths, or a length and chunking: a proxy in front may frame the body one way
     * and we the other (request smuggling), so neither reading is trusted (RFC 9112 §6.3) */
    MHD_get_connection_values(conn, MHD_HEADER_KIND, count_framing, &framing);
    if (framing.content_length > 1 || (framing.content_length > 0 && framing.transfer_encoding > 0))
        return http_reply_error(r, 400, "bad_request", "conflicting message framing headers");
    cl = http_header(r, "Content-Length");
    if (cl != NULL && (hr_parse_u64(cl, UINT64_MAX, &n) != HR_OK || n > limit)) {
        r->too_big = true;
        /* a modest excess is read and dropped, so the client is still listening when the
         * 413 comes; an absurd one is answered at once and the connection closed */
        if (n > HTTP_DISCARD_MAX)
            return http_reply_error(r, 413, "too_large", "request body over the limit");
    }
    if (inbox_queue_full(r))
        return http_reply_error(r, 503, "inbox_busy", "too many inbox requests waiting; retry later");
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    struct http_req *r = *con_cls;

    (void)version;
    if (r == NULL)
        return begin(cls, conn, url, method, con_cls);
    if (*upload_data_size > 0) {
        /* chunked bodies have no Content-Length: the cap is enforced as bytes arrive */
        if (!r->too_big)
            hr_buf_add(&r->body, upload_data, *upload_data_size);
        if (r->body.err != HR_OK)
            r->too_big = true;
        r->discarded += *upload_data_size;
        *upload_data_size = 0;
        if (r->too_big && r->discarded > HTTP_DISCARD_MAX && !r->replied)
            return http_reply_error(r, 413, "too_large", "request body over the limit");
        return MHD_YES;
    }
    if (r->replied)
        return MHD_YES;
    if (r->too_big)
        return http_reply_error(r, 413, "too_large", "request body over the limit");
    return router_dispatch(r);
}

/* Inbox requests handed to the workers and not yet completed (answered and sent, or their
 * connection gone). */
static atomic_size_t inbox_open;

void http_inbox_suspend(struct http_req *r)
{
    atomic_fetch_add(&inbox_open, 1);
    r->inbox_state = 1;
    MHD_suspend_connection(r->conn);
}

/* Waits (at most LIMIT_MS) for every suspended inbox request to be answered: stopping the
 * daemon with a suspended connection is undefined in libmicrohttpd, and a request dropped
 * there was acknowledged to nobody. */
static void inbox_wait_answered(int64_t limit_ms)
{
    int64_t end = hr_mono_ms() + limit_ms;
    struct timespec ts = {0, 5 * 1000 * 1000};

    while (atomic_load(&inbox_open) > 0 && hr_mono_ms() < end)
        nanosleep(&ts, NULL);
    if (atomic_load(&inbox_open) > 0)
        hr_log(HR_LOG_WARN, "server", "stopping with %zu inbox answers unsent",
               (size_t)atomic_load(&inbox_open));
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http_req *r = *con_cls;

    (void)cls;
    (void)conn;
    (void)toe;
    if (r == NULL)
        return;
    if (r->inbox_state != 0)
        atomic_fetch_sub(&inbox_open, 1);
    for (size_t i = 0; i < r->n_hdrs; i++) {
        free(r->hdrs[i].name);
        free(r->hdrs[i].value);
    }
    free(r->hdrs);
    free(r->cache_key);
    attest_verify_job_free(r->verify);
    fed_doc_fini(&r->get_doc);
    hr_buf_fini(&r->body);
    free(r);
    *con_cls = NULL;
}

/* Binds a listening socket ourselves, so that "port in use" is a clear error before
 * anything starts. The address is checked by config_listen_parse, as in herald.conf. */
static int bind_listen(const char *listen_on, int *fd_out, struct hr_err *err)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int fd, one = 1;

    if (config_listen_parse(listen_on, &ss, &sl, err) != HR_OK)
        return HR_EINVAL;
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return hr_fail(err, HR_EIO, "socket: %s", strerror(errno));
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, sl) != 0 || listen(fd, 1024) != 0) {
        int e = errno;
        close(fd);
        return hr_fail(err, e == EADDRINUSE ? HR_EEXIST : HR_EIO, "cannot listen on %s: %s",
                       listen_on, strerror(e));
    }
    *fd_out = fd;
    return HR_OK;
}

int http_listen_socket(const char *listen_on, int *fd_out, struct hr_err *err)
{
    return bind_listen(listen_on, fd_out, err);
}

/* On a loopback address Herald sits behind a proxy, and knows its clients only from the
 * proxy's X-Forwarded-For: said once at start-up, so an operator whose proxy sends none
 * learns it before every client shares one failed-login bucket. */
static void note_loopback(int fd)
{
    struct sockaddr_storage ss = {0};
    socklen_t sl = sizeof ss;
    bool loop = false;

    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
        return;
    if (ss.ss_family == AF_INET)
        loop = (ntohl(((struct sockaddr_in *)&ss)->sin_addr.s_addr) >> 24) == 127;
    else if (ss.ss_family == AF_INET6)
        loop = IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)&ss)->sin6_addr);
    if (loop)
        hr_log(HR_LOG_INFO, "server",
               "listening on loopback: client limits (failed logins, inbox rates) rely on "
               "X-Forwarded-For from the proxy in front; without it all clients share one "
               "bucket");
}

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];

    (void)cls;
    vsnprintf(line, sizeof line, fmt, ap);
    line[strcspn(line, "\n")] = '\0';
    hr_log(HR_LOG_DEBUG, "http", "%s", line);
}

/* "%00" decodes to a NUL that would cut the path short: /users/health%00/x would be routed
 * as /users/health. A decoded NUL becomes DEL (0x7f) instead, which no account name, path
 * or parameter accepts, so whatever checks the value refuses it. */
static size_t url_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    size_t n = MHD_http_unescape(s);

    (void)cls;
    (void)conn;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\0')
            s[i] = 0x7f;
    return n;
}

static struct MHD_Daemon *start_daemon(struct app *app, int fd)
{
    const struct config *c = &app->cfg;

    return MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_USE_TURBO |
            MHD_ALLOW_SUSPEND_RESUME,
        0, NULL, NULL, on_request, app, MHD_OPTION_LISTEN_SOCKET, fd,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)c->http_threads, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)c->max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        (unsigned)c->max_connections_per_ip, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)c->connection_timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)(c->max_header_bytes + 16384),
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_EXTERNAL_LOGGER, mhd_log,
        NULL, MHD_OPTION_UNESCAPE_CALLBACK, url_unescape, NULL, MHD_OPTION_END);
}

/* The scheduler publishes approved drafts when their time comes. It polls once a second
 * (and at once after start-up, so a post that fell due while the server was down goes out
 * now); a due draft is published in one transaction with its state change, so a crash
 * at the scheduled moment publishes it either once or, after the restart, once. */
struct scheduler {
    struct app *app;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
    uint64_t seen;     /* requests_begun at the last tick */
    unsigned quiet_s;  /* ticks without a new request */
};

#define TRIM_QUIET_S 3   /* seconds without a request before memory is handed back */
#define TRIM_EVERY_S 15  /* and again this often while it stays quiet (deliveries, expiry) */

/* glibc keeps what a burst freed in each thread's arena (an MHD thread, 8 inbox workers,
 * the delivery signers), so private memory stayed at its peak after a load (19.4 MiB
 * RssAnon, bench/RESULTS.md); once the server is quiet, expired pages leave the cache and
 * malloc_trim returns the free pages of every arena to the kernel. Not under load: a trim
 * costs a walk of the free lists, and the next burst would ask the kernel again. */
static void trim_when_idle(struct scheduler *s)
{
    uint64_t n = atomic_load_explicit(&requests_begun, memory_order_relaxed);

    if (n != s->seen) {
        s->seen = n;
        s->quiet_s = 0;
        return;
    }
    s->quiet_s++;
    if (s->quiet_s < TRIM_QUIET_S || (s->quiet_s - TRIM_QUIET_S) % TRIM_EVERY_S != 0)
        return;
    http_cache_sweep(s->app);
    malloc_trim(0);
}

static void *scheduler_main(void *arg)
{
    struct scheduler *s = arg;
    struct timespec ts;
    struct hr_err err = {0};
    size_t n = 0;
    int64_t next = 0;

    pthread_mutex_lock(&s->mu);
    while (!s->stop) {
        pthread_mutex_unlock(&s->mu);
        if (agency_scheduler_run(s->app->st, s->app->fed, hr_now_ms(), &n, &next, &err) != HR_OK)
            hr_log(HR_LOG_ERR, "schedule", "publishing a due draft failed: %s", err.msg);
        else if (n > 0)
            hr_log(HR_LOG_INFO, "schedule", "published %zu scheduled post(s)", n);
        fed_kinds_recheck(s->app->fed, hr_now_ms()); /* remote parents, daily (kinds_check.c) */
        media_gc_due(s->app, hr_now_ms()); /* unreferenced media, hourly (media_cli.c) */
        /* poll results: at most every poll_update_minutes, and at closing (polls.c) */
        fed_polls_tick(s->app->fed, hr_now_ms(), s->app->cfg.poll_update_minutes * 60000);
        /* the totals inside our Notes, as rarely (counts.c) */
        fed_counts_tick(s->app->fed, hr_now_ms(), s->app->cfg.poll_update_minutes * 60000);
        /* overdue cases, watchdog alarms, acknowledgements (agency/watchdog.c, issue #12) */
        agency_desk_tick(s->app->st, s->app->fed, hr_clock_ms());
        trim_when_idle(s);
        pthread_mutex_lock(&s->mu);
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        if (!s->stop)
            pthread_cond_timedwait(&s->cv, &s->mu, &ts);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

static int scheduler_start(struct scheduler *s, struct app *app, struct hr_err *err)
{
    s->app = app;
    s->stop = false;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, NULL);
    if (pthread_create(&s->thread, NULL, scheduler_main, s) != 0)
        return hr_fail(err, HR_EINTERNAL, "cannot start the scheduler");
    return HR_OK;
}

static void scheduler_stop(struct scheduler *s)
{
    pthread_mutex_lock(&s->mu);
    s->stop = true;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->thread, NULL);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
}

/* glibc gives each thread that meets a locked arena an arena of its own, up to 8 per core:
 * the HTTP threads, 8 inbox workers and the signers each keep one, and what a burst
 * leaves scattered in them is not returned even by malloc_trim (RssAnon stayed at 8 MiB
 * after 20 s idle, 6 MiB with two arenas). No more arenas than cores: only that many
 * threads run at once. An operator's MALLOC_ARENA_MAX or GLIBC_TUNABLES wins. */
static void limit_arenas(void)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);

    if (getenv("MALLOC_ARENA_MAX") != NULL || getenv("GLIBC_TUNABLES") != NULL)
        return;
    mallopt(M_ARENA_MAX, (int)(cores < 2 ? 2 : cores > 64 ? 64 : cores));
}

static enum hr_level level_of(const char *s)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};

    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0)
            return (enum hr_level)i;
    return HR_LOG_INFO;
}

int server_run(struct app *app, const char *listen_on, struct hr_err *err)
{
    struct MHD_Daemon *d = NULL;
    struct scheduler sched = {0};
    bool sched_on = false;
    sigset_t set;
    int fd = -1, sig = 0, rc;

    hr_log_max = level_of(app->cfg.log_level);
    limit_arenas(); /* before any thread starts */
    /* dates on pages and feeds (server/web.c localtime_r): set before our threads start;
     * everything stored or signed is UTC and never reads TZ */
    setenv("TZ", app->cfg.timezone, 1);
    tzset();
    signal(SIGPIPE, SIG_IGN);
    /* every thread inherits the block; the main thread waits for the signal */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    rc = bind_listen(listen_on, &fd, err);
    if (rc == HR_OK)
        rc = http_cache_start(app, err);
    if (rc == HR_OK)
        rc = fed_worker_start(app->fed, err);
    if (rc == HR_OK)
        rc = fed_inbox_start(app->fed, app->cfg.inbox_threads, err);
    if (rc == HR_OK && (rc = scheduler_start(&sched, app, err)) == HR_OK)
        sched_on = true;
    if (rc == HR_OK)
        rc = fed_website_start(app->fed, (int64_t)app->cfg.website_recheck_hours * 3600, err);
    if (rc == HR_OK) /* metrics_listen: /metrics on a listener of its own (issue #12) */
        rc = metrics_start(app, err);
    if (rc == HR_OK) {
        d = start_daemon(app, fd);
        if (d == NULL)
            rc = hr_fail(err, HR_EIO, "cannot start the HTTP server on %s", listen_on);
    }
    if (rc != HR_OK) {
        if (fd >= 0)
            close(fd);
        if (sched_on)
            scheduler_stop(&sched);
        metrics_stop();
        fed_website_stop(app->fed);
        fed_inbox_stop(app->fed);
        fed_worker_stop(app->fed);
        http_cache_stop();
        return rc;
    }
    hr_log(HR_LOG_INFO, "server", "listening on %s as %s (herald %s)", listen_on,
           app->cfg.base_url, HERALD_VERSION);
    note_loopback(fd);
    sigwait(&set, &sig);
    hr_log(HR_LOG_INFO, "server", "stopping on signal %d", sig);
    scheduler_stop(&sched);
    fed_website_stop(app->fed);
    /* answer what the inbox workers hold before the connections go away: new inbox POSTs
     * get 503 from here on, queued ones their real answer, and each answer is sent */
    fed_inbox_stop(app->fed);
    attest_verify_drain();
    inbox_wait_answered(10000);
    MHD_stop_daemon(d); /* closes the listening socket it was given */
    metrics_stop();
    fed_worker_stop(app->fed);
    http_cache_stop(); /* after the daemon: no request holds an entry */
    return HR_OK;
}
