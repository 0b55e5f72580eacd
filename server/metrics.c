/* server/metrics.c - /metrics for Prometheus (issue #12 part 6). The text exposition
 * format 0.0.4 (prometheus.io/docs/instrumenting/exposition_formats): "# HELP" and "# TYPE"
 * lines per family, label values with backslash, double quote and newline escaped.
 * Counters of what happened are process memory (atomics), reset on restart as Prometheus
 * expects of a counter; gauges are read from the store at each scrape (agency_gauges).
 * Labels come from small fixed sets - a route name, never a raw path - so a scanner cannot
 * make the series grow. Access: metrics_listen (a second daemon for a private interface,
 * no auth) and/or metrics_token (a bearer token on the main listener); neither: 404. */
#include "server/metrics.h"
#include "server/admin.h"
#include "server/mastoapi.h"
#include "agency/agency.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define METRICS_CT "text/plain; version=0.0.4; charset=utf-8"

static const char *const routes[] = {"inbox",   "actor",    "note",  "outbox", "collections",
                                     "webfinger", "nodeinfo", "page",  "feed",   "embed",
                                     "media",   "admin",    "mastodon_api", "metrics", "other"};
enum { N_ROUTES = sizeof routes / sizeof routes[0], R_OTHER = N_ROUTES - 1 };
enum { STATUS_MIN = 100, STATUS_MAX = 599 };

static atomic_uint_fast64_t requests[N_ROUTES][STATUS_MAX - STATUS_MIN + 1];
static atomic_int_fast64_t started_ms;

/* Inbox outcomes: refusal codes are the inbox's static strings (a bounded set); past
 * REASONS_MAX distinct ones, "other". Slot 0: accepted. */
#define REASONS_MAX 64
static struct {
    pthread_mutex_t mu;
    size_t n;
    const char *code[REASONS_MAX];
    uint64_t count[REASONS_MAX];
    uint64_t other;
} inbox = {.mu = PTHREAD_MUTEX_INITIALIZER};

static int route_of_users(const char *rest)
{
    const char *sub = strchr(rest, '/');

    if (sub == NULL)
        return 1; /* actor */
    if (strcmp(sub, "/inbox") == 0)
        return 0;
    if (strncmp(sub, "/notes/", 7) == 0)
        return 2;
    if (strcmp(sub, "/outbox") == 0 || strncmp(sub, "/outbox?", 8) == 0)
        return 3;
    if (strncmp(sub, "/followers", 10) == 0 || strncmp(sub, "/following", 10) == 0 ||
        strncmp(sub, "/collections/", 13) == 0 || strncmp(sub, "/liked", 6) == 0)
        return 4;
    return R_OTHER;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);

    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The route label of URL: a fixed name, never the path itself. */
static int route_of(const char *url)
{
    if (strcmp(url, "/inbox") == 0)
        return 0;
    if (strncmp(url, "/users/", 7) == 0)
        return route_of_users(url + 7);
    if (strcmp(url, "/.well-known/webfinger") == 0)
        return 5;
    if (strcmp(url, "/.well-known/nodeinfo") == 0 || strncmp(url, "/nodeinfo/", 10) == 0)
        return 6;
    if (strcmp(url, "/metrics") == 0)
        return 13;
    if (strncmp(url, ADMIN_PREFIX, strlen(ADMIN_PREFIX)) == 0)
        return 11;
    if (mastoapi_path(url))
        return 12;
    if (strncmp(url, "/media/", 7) == 0)
        return 10;
    if (strcmp(url, "/api/oembed") == 0 || ends_with(url, "/embed"))
        return 9;
    if (ends_with(url, ".rss") || ends_with(url, ".atom"))
        return 8;
    if (strcmp(url, "/") == 0 || strncmp(url, "/@", 2) == 0 || strncmp(url, "/tags/", 6) == 0 ||
        strncmp(url, "/static/", 8) == 0)
        return 7;
    return R_OTHER;
}

void metrics_request(const char *url, int status)
{
    if (status < STATUS_MIN || status > STATUS_MAX)
        return;
    atomic_fetch_add_explicit(&requests[route_of(url ? url : "")][status - STATUS_MIN], 1,
                              memory_order_relaxed);
}

void metrics_inbox(const char *code)
{
    const char *c = code ? code : "";
    size_t i;

    pthread_mutex_lock(&inbox.mu);
    for (i = 0; i < inbox.n && strcmp(inbox.code[i], c) != 0; i++)
        ;
    if (i == inbox.n && i < REASONS_MAX && strlen(c) <= 40 &&
        strspn(c, "abcdefghijklmnopqrstuvwxyz_0123456789") == strlen(c))
        inbox.code[inbox.n++] = c; /* a static string: the inbox's own codes */
    if (i < inbox.n)
        inbox.count[i]++;
    else
        inbox.other++;
    pthread_mutex_unlock(&inbox.mu);
}

void metrics_error(const char *method, const char *url, const char *code)
{
    if (method != NULL && url != NULL && strcmp(method, "POST") == 0 && route_of(url) == 0)
        metrics_inbox(code != NULL && code[0] != '\0' ? code : "internal");
}

/* ---- rendering ---- */

static void family(struct hr_buf *b, const char *name, const char *type, const char *help)
{
    hr_buf_addf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value escaped as the format asks: \\, \" and \n. */
static void label(struct hr_buf *b, const char *v)
{
    for (const char *p = v; *p != '\0'; p++) {
        if (*p == '\\' || *p == '"')
            hr_buf_addf(b, "\\%c", *p);
        else if (*p == '\n')
            hr_buf_adds(b, "\\n");
        else
            hr_buf_add(b, p, 1);
    }
}

static void sample1(struct hr_buf *b, const char *name, const char *key, const char *value,
                    uint64_t n)
{
    hr_buf_addf(b, "%s{%s=\"", name, key);
    label(b, value);
    hr_buf_addf(b, "\"} %llu\n", (unsigned long long)n);
}

static void render_requests(struct hr_buf *b)
{
    family(b, "herald_http_requests_total", "counter",
           "HTTP replies by route (a fixed set of names) and status code.");
    for (int r = 0; r < N_ROUTES; r++)
        for (int s = 0; s <= STATUS_MAX - STATUS_MIN; s++) {
            uint64_t n = atomic_load_explicit(&requests[r][s], memory_order_relaxed);
            if (n > 0)
                hr_buf_addf(b, "herald_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                            routes[r], s + STATUS_MIN, (unsigned long long)n);
        }
}

static void render_inbox(struct hr_buf *b)
{
    static const char *const name = "herald_inbox_activities_total";

    family(b, name, "counter",
           "Inbox POSTs accepted, and refused by reason (the error code of the answer).");
    pthread_mutex_lock(&inbox.mu);
    for (size_t i = 0; i < inbox.n; i++) {
        bool ok = inbox.code[i][0] == '\0';
        hr_buf_addf(b, "%s{result=\"%s\",reason=\"", name, ok ? "accepted" : "refused");
        label(b, ok ? "none" : inbox.code[i]);
        hr_buf_addf(b, "\"} %llu\n", (unsigned long long)inbox.count[i]);
    }
    if (inbox.other > 0)
        hr_buf_addf(b, "%s{result=\"refused\",reason=\"other\"} %llu\n", name,
                    (unsigned long long)inbox.other);
    pthread_mutex_unlock(&inbox.mu);
}

static void render_outcomes(struct hr_buf *b, const char *name, const char *help,
                            const uint64_t n[FED_OUT_COUNT_])
{
    static const char *const outcome[FED_OUT_COUNT_] = {"delivered", "retried", "gave_up",
                                                        "dropped"};

    family(b, name, "counter", help);
    for (int i = 0; i < FED_OUT_COUNT_; i++)
        sample1(b, name, "outcome", outcome[i], n[i]);
}

/* Every member of OBJ ({label value: n}) as a sample of NAME with label KEY. */
static void render_map(struct hr_buf *b, const char *name, const char *type, const char *help,
                       const char *key, json_t *obj)
{
    const char *k;
    json_t *v;

    family(b, name, type, help);
    json_object_foreach(obj, k, v)
        sample1(b, name, key, k, (uint64_t)json_integer_value(v));
}

static void render_store(struct hr_buf *b, const json_t *g)
{
    int64_t oldest = json_integer_value(json_object_get(g, "queue_oldest_ms"));
    int64_t age = oldest > 0 ? hr_now_ms() - oldest : 0;

    family(b, "herald_delivery_queue_depth", "gauge",
           "Deliveries queued (followers' inboxes and webhooks), due or waiting for a retry.");
    hr_buf_addf(b, "herald_delivery_queue_depth %lld\n",
                (long long)json_integer_value(json_object_get(g, "queue_depth")));
    family(b, "herald_delivery_queue_oldest_seconds", "gauge",
           "Age of the delivery queued longest ago (0 when the queue is empty).");
    hr_buf_addf(b, "herald_delivery_queue_oldest_seconds %.3f\n", (double)(age < 0 ? 0 : age) / 1e3);
    render_map(b, "herald_posts_total", "counter", "Activities in each account's outbox.",
               "account", json_object_get(g, "posts"));
    render_map(b, "herald_cases_open", "gauge",
               "Cases not closed (new, assigned, answered), by department.", "department",
               json_object_get(g, "cases_open"));
    render_map(b, "herald_cases_overdue", "gauge",
               "Cases without an answer (new, assigned) past their deadline, by department.",
               "department", json_object_get(g, "cases_overdue"));
    render_map(b, "herald_watchdog_alarms", "gauge", "Watchdog alarms up, by kind.", "kind",
               json_object_get(g, "alarms"));
}

char *metrics_render(struct app *app)
{
    uint64_t fed_out[FED_OUT_COUNT_], hook_out[FED_OUT_COUNT_];
    struct hr_err err = {0};
    json_t *g = NULL;
    struct hr_buf b;

    if (agency_gauges(app->st, hr_clock_ms(), &g, &err) != HR_OK) {
        hr_log(HR_LOG_ERR, "metrics", "store figures not read: %s", err.msg);
        return NULL;
    }
    hr_buf_init(&b, 16u << 20);
    family(&b, "herald_build_info", "gauge", "Herald's version, as a label (always 1).");
    hr_buf_addf(&b, "herald_build_info{version=\"%s\"} 1\n", HERALD_VERSION);
    family(&b, "herald_process_start_time_seconds", "gauge",
           "Start time of the process since the Unix epoch in seconds.");
    hr_buf_addf(&b, "herald_process_start_time_seconds %.3f\n",
                (double)atomic_load(&started_ms) / 1e3);
    render_requests(&b);
    render_inbox(&b);
    fed_delivery_outcomes(fed_out, hook_out);
    render_outcomes(&b, "herald_deliveries_total",
                    "Deliveries to peers' inboxes by outcome (retried: one failed attempt).",
                    fed_out);
    render_outcomes(&b, "herald_webhook_deliveries_total",
                    "Webhook deliveries by outcome (retried: one failed attempt).", hook_out);
    render_store(&b, g);
    json_decref(g);
    if (b.err != HR_OK) {
        hr_buf_fini(&b);
        return NULL;
    }
    return hr_buf_take(&b);
}

/* ---- the main listener's /metrics ---- */

/* A bearer token equal to metrics_token, compared in constant time (agency_token_equal). */
static bool token_ok(struct http_req *r)
{
    const char *auth = http_header(r, "Authorization");

    return auth != NULL && strncmp(auth, "Bearer ", 7) == 0 &&
           agency_token_equal(auth + 7, r->app->cfg.metrics_token);
}

enum MHD_Result metrics_get(struct http_req *r)
{
    enum MHD_Result ret;
    char *text;

    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0)
        return http_reply_error(r, 405, "method_not_allowed", "GET only");
    if (r->app->cfg.metrics_token[0] == '\0')
        return http_reply_error(r, 404, "not_found", "no such page");
    if (!token_ok(r))
        return http_reply_error(r, 401, "unauthorized", "metrics need the bearer token");
    text = metrics_render(r->app);
    if (text == NULL)
        return http_reply_error(r, 500, "internal", "metrics not available");
    ret = http_reply(r, 200, METRICS_CT, text, "no-store");
    free(text);
    return ret;
}

/* ---- metrics_listen: a daemon of its own ---- */

static struct MHD_Daemon *daemon_;

static enum MHD_Result plain(struct MHD_Connection *conn, unsigned status, const char *ct,
                             const char *body)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        strlen(body), (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
    enum MHD_Result ret;

    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", ct);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    ret = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    metrics_request("/metrics", (int)status);
    return ret;
}

static enum MHD_Result on_metrics(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls)
{
    static int seen;
    enum MHD_Result ret;
    char *text;

    (void)version, (void)upload;
    if (*con_cls == NULL) { /* headers only so far */
        *con_cls = &seen;
        return MHD_YES;
    }
    if (*upload_size > 0) { /* a body is read and dropped: nothing here takes one */
        *upload_size = 0;
        return MHD_YES;
    }
    if (strcmp(url, "/metrics") != 0)
        return plain(conn, 404, "application/json",
                     "{\"error\":\"not_found\",\"message\":\"only /metrics here\"}");
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return plain(conn, 405, "application/json",
                     "{\"error\":\"method_not_allowed\",\"message\":\"GET only\"}");
    if ((text = metrics_render(cls)) == NULL)
        return plain(conn, 500, "application/json",
                     "{\"error\":\"internal\",\"message\":\"metrics not available\"}");
    ret = plain(conn, 200, METRICS_CT, text);
    free(text);
    return ret;
}

int metrics_start(struct app *app, struct hr_err *err)
{
    int fd = -1, rc;

    atomic_store(&started_ms, hr_now_ms());
    if (app->cfg.metrics_token[0] != '\0' && strlen(app->cfg.metrics_token) < 16)
        return hr_fail(err, HR_EINVAL, "metrics_token must have at least 16 characters");
    if (app->cfg.metrics_listen[0] == '\0')
        return HR_OK;
    rc = http_listen_socket(app->cfg.metrics_listen, &fd, err);
    if (rc != HR_OK)
        return rc;
    daemon_ = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, 0, NULL, NULL,
                               on_metrics, app, MHD_OPTION_LISTEN_SOCKET, fd,
                               MHD_OPTION_CONNECTION_LIMIT, 32u,
                               MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
    if (daemon_ == NULL) {
        close(fd);
        return hr_fail(err, HR_EIO, "cannot serve metrics on %s", app->cfg.metrics_listen);
    }
    hr_log(HR_LOG_INFO, "server", "metrics on http://%s/metrics", app->cfg.metrics_listen);
    return HR_OK;
}

void metrics_stop(void)
{
    if (daemon_ != NULL)
        MHD_stop_daemon(daemon_);
    daemon_ = NULL;
}
