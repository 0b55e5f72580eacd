/* tests/unit/federation/test_http.c - federation/http.c against a tiny HTTP/1.1 server
 * that runs in this process on 127.0.0.1 (ephemeral port, one thread per connection,
 * canned answers keyed by path). Nothing leaves loopback. Covers the SSRF guard (scheme
 * and connect-time address), redirects, the body cap, timeouts, signed GETs (verified
 * with the public key on the server side), the URL helpers and the POST engine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "federation/http.h"
#include "federation/httpsig.h"
#include "keys/keys.h"

#define SRV_HEAD_MAX  16384
#define SRV_CONNS_MAX 256
#define SRV_WAIT_MS   10000 /* a safety net only: no test waits for it */
#define BIG_BODY      ((size_t)2 * 1024 * 1024)
#define KEY_ID        "https://herald.test/users/health#main-key"

/* ---- the loopback server ---- */

struct req {
    char head[SRV_HEAD_MAX + 1];
    size_t head_len;
    char method[16];
    char target[512];
    char *body;
    size_t body_len;
};

static struct {
    int listen_fd, port;
    int stop[2]; /* written once at shutdown; never drained, so every poll sees it */
    pthread_t acceptor;
    pthread_mutex_t mu;
    pthread_t conns[SRV_CONNS_MAX];
    size_t n_conns;
    /* last request to /signed, for the test thread to check */
    char sig[4096], date[128], host[256], target[512];
    int inbox_posts;
    int elsewhere_hits; /* requests that reached /elsewhere */
} srv;

static struct keys_key *priv_key, *pub_key;

/* 1 when FD is readable; 0 on shutdown or after SRV_WAIT_MS. */
static int srv_wait(int fd)
{
    struct pollfd p[2] = {{fd, POLLIN, 0}, {srv.stop[0], POLLIN, 0}};

    if (poll(p, 2, SRV_WAIT_MS) <= 0 || p[1].revents != 0)
        return 0;
    return 1;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Value of header NAME in the request head, copied to OUT ("" when absent). */
static void req_header(const struct req *rq, const char *name, char *out, size_t size)
{
    const char *line = strstr(rq->head, "\r\n");
    size_t len = strlen(name), n;

    out[0] = '\0';
    while (line != NULL && line[2] != '\0') {
        line += 2;
        if (strncasecmp(line, name, len) == 0 && line[len] == ':') {
            line += len + 1;
            while (*line == ' ')
                line++;
            n = strcspn(line, "\r");
            if (n >= size)
                n = size - 1;
            memcpy(out, line, n);
            out[n] = '\0';
            return;
        }
        line = strstr(line, "\r\n");
    }
}

static char *head_end(char *p, size_t n)
{
    size_t i;

    for (i = 0; i + 4 <= n; i++) {
        if (memcmp(p + i, "\r\n\r\n", 4) == 0)
            return p + i;
    }
    return NULL;
}

static int read_body(int fd, struct req *rq, size_t have)
{
    char cl[32];
    size_t got;

    req_header(rq, "Content-Length", cl, sizeof cl);
    rq->body_len = strtoul(cl, NULL, 10);
    rq->body = calloc(1, rq->body_len + 1);
    if (rq->body == NULL)
        return -1;
    got = have - rq->head_len < rq->body_len ? have - rq->head_len : rq->body_len;
    memcpy(rq->body, rq->head + rq->head_len, got);
    while (got < rq->body_len) {
        ssize_t n;

        if (!srv_wait(fd) || (n = recv(fd, rq->body + got, rq->body_len - got, 0)) <= 0)
            return -1;
        got += (size_t)n;
    }
    return 0;
}

static int read_request(int fd, struct req *rq)
{
    char *end;
    size_t have = 0;
    ssize_t n;

    memset(rq, 0, sizeof *rq);
    while ((end = head_end(rq->head, have)) == NULL) {
        if (have == SRV_HEAD_MAX || !srv_wait(fd))
            return -1;
        n = recv(fd, rq->head + have, SRV_HEAD_MAX - have, 0);
        if (n <= 0)
            return -1;
        have += (size_t)n;
    }
    rq->head_len = (size_t)(end - rq->head) + 4;
    end[2] = '\0'; /* the head is a string from here on; the body starts at end + 4 */
    if (sscanf(rq->head, "%15s %511s", rq->method, rq->target) != 2)
        return -1;
    return read_body(fd, rq, have);
}

static int respond(int fd, int status, const char *headers, const char *body)
{
    char head[1024];

    snprintf(head, sizeof head, "HTTP/1.1 %d Canned\r\nContent-Length: %zu\r\n%s\r\n", status,
             strlen(body), headers);
    if (send_all(fd, head, strlen(head)) != 0 || send_all(fd, body, strlen(body)) != 0)
        return 1;
    return 0;
}

/* 2 MiB of "a", with a Content-Length (curl's MAXFILESIZE stops it) or without one
 * and delimited by closing the connection (only the write callback can stop it). */
static int send_big(int fd, bool with_length)
{
    static char chunk[65536];
    char head[256];
    size_t sent;

    memset(chunk, 'a', sizeof chunk);
    if (with_length)
        snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", BIG_BODY);
    else
        snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
    if (send_all(fd, head, strlen(head)) != 0)
        return 1;
    for (sent = 0; sent < BIG_BODY; sent += sizeof chunk) {
        if (send_all(fd, chunk, sizeof chunk) != 0)
            return 1;
    }
    return with_length ? 0 : 1;
}

static int handle_big(int fd, const struct req *rq)
{
    (void)rq;
    return send_big(fd, true);
}

static int handle_big_stream(int fd, const struct req *rq)
{
    (void)rq;
    return send_big(fd, false);
}

/* Never answers: waits for the client to give up and close (or for shutdown). */
static int handle_slow(int fd, const struct req *rq)
{
    char c;

    (void)rq;
    while (srv_wait(fd) && recv(fd, &c, 1, 0) > 0)
        ;
    return 1;
}

static int handle_signed(int fd, const struct req *rq)
{
    int missing;

    pthread_mutex_lock(&srv.mu);
    req_header(rq, "Signature", srv.sig, sizeof srv.sig);
    req_header(rq, "Date", srv.date, sizeof srv.date);
    req_header(rq, "Host", srv.host, sizeof srv.host);
    snprintf(srv.target, sizeof srv.target, "%s", rq->target);
    missing = srv.sig[0] == '\0' || srv.date[0] == '\0' || srv.host[0] == '\0';
    pthread_mutex_unlock(&srv.mu);
    if (missing)
        return respond(fd, 401, "", "unsigned");
    return respond(fd, 200, "Content-Type: application/activity+json\r\n", "{\"signed\":true}");
}

static int handle_inbox(int fd, const struct req *rq)
{
    if (strcmp(rq->method, "POST") != 0 || rq->body_len == 0 || rq->body[0] != '{')
        return respond(fd, 400, "", "bad post");
    pthread_mutex_lock(&srv.mu);
    srv.inbox_posts++;
    pthread_mutex_unlock(&srv.mu);
    return respond(fd, 202, "", "");
}

static int handle_abs(int fd, const struct req *rq)
{
    char loc[128];

    (void)rq;
    snprintf(loc, sizeof loc, "Location: http://127.0.0.1:%d/ok\r\n", srv.port);
    return respond(fd, 301, loc, "");
}

/* A redirect to the same server under another origin: "localhost" is not "127.0.0.1". */
static int redirect_to_localhost(int fd, const char *path)
{
    char loc[128];

    snprintf(loc, sizeof loc, "Location: http://localhost:%d%s\r\n", srv.port, path);
    return respond(fd, 302, loc, "");
}

static int handle_to_other_signed(int fd, const struct req *rq)
{
    (void)rq;
    return redirect_to_localhost(fd, "/signed");
}

static int handle_to_elsewhere(int fd, const struct req *rq)
{
    (void)rq;
    return redirect_to_localhost(fd, "/elsewhere");
}

static int handle_elsewhere(int fd, const struct req *rq)
{
    (void)rq;
    pthread_mutex_lock(&srv.mu);
    srv.elsewhere_hits++;
    pthread_mutex_unlock(&srv.mu);
    return respond(fd, 200, "Content-Type: application/activity+json\r\n", "{}");
}

static int handle_busy_date(int fd, const struct req *rq)
{
    char date[32], hdr[64];

    (void)rq;
    hr_http_date(hr_now_ms() + 120 * 1000, date);
    snprintf(hdr, sizeof hdr, "Retry-After: %s\r\n", date);
    return respond(fd, 503, hdr, "busy");
}

static const struct route {
    const char *path;
    int status;
    const char *headers, *body;
    int (*fn)(int fd, const struct req *rq); /* when set, answers instead of the fields */
} routes[] = {
    {"/ok", 200, "Content-Type: application/activity+json\r\n", "{\"id\":\"ok\"}", NULL},
    {"/redirect", 302, "Location: /ok\r\n", "", NULL},
    {"/chain1", 302, "Location: /chain2\r\n", "", NULL},
    {"/chain2", 303, "Location: chain3\r\n", "", NULL}, /* relative to the path */
    {"/chain3", 307, "Location: /ok\r\n", "", NULL},
    {"/to-ftp", 302, "Location: ftp://127.0.0.1/x\r\n", "", NULL},
    {"/to-file", 302, "Location: file:///etc/passwd\r\n", "", NULL},
    {"/to-js", 302, "Location: javascript:alert(1)\r\n", "", NULL},
    {"/to-signed", 302, "Location: /signed?page=2\r\n", "", NULL},
    {"/limited", 429, "Retry-After: 7\r\n", "slow down", NULL},
    {"/abs", 0, NULL, NULL, handle_abs},
    {"/big", 0, NULL, NULL, handle_big},
    {"/big-stream", 0, NULL, NULL, handle_big_stream},
    {"/slow", 0, NULL, NULL, handle_slow},
    {"/signed", 0, NULL, NULL, handle_signed},
    {"/inbox", 0, NULL, NULL, handle_inbox},
    {"/busy-date", 0, NULL, NULL, handle_busy_date},
    {"/to-other-signed", 0, NULL, NULL, handle_to_other_signed},
    {"/to-elsewhere", 0, NULL, NULL, handle_to_elsewhere},
    {"/via-ok", 302, "Location: /to-elsewhere\r\n", "", NULL},
    {"/elsewhere", 0, NULL, NULL, handle_elsewhere},
};

/* Returns nonzero when the connection is to be closed. */
static int route(int fd, const struct req *rq)
{
    size_t i, n = strcspn(rq->target, "?");

    for (i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (strlen(routes[i].path) != n || strncmp(routes[i].path, rq->target, n) != 0)
            continue;
        if (routes[i].fn != NULL)
            return routes[i].fn(fd, rq);
        return respond(fd, routes[i].status, routes[i].headers, routes[i].body);
    }
    return respond(fd, 404, "", "no such path");
}

static void *conn_main(void *arg)
{
    int fd = (int)(intptr_t)arg;
    struct req *rq = malloc(sizeof *rq);
    int done = rq == NULL;

    while (!done) {
        done = read_request(fd, rq) != 0 || route(fd, rq) != 0;
        free(rq->body);
        rq->body = NULL;
    }
    free(rq);
    close(fd);
    return NULL;
}

static void *accept_main(void *arg)
{
    int fd;

    (void)arg;
    for (;;) {
        struct pollfd p[2] = {{srv.listen_fd, POLLIN, 0}, {srv.stop[0], POLLIN, 0}};

        if (poll(p, 2, -1) < 0 && errno == EINTR)
            continue;
        if (p[1].revents != 0)
            break;
        fd = accept(srv.listen_fd, NULL, NULL);
        if (fd < 0)
            continue;
        pthread_mutex_lock(&srv.mu);
        if (srv.n_conns == SRV_CONNS_MAX ||
            pthread_create(&srv.conns[srv.n_conns], NULL, conn_main, (void *)(intptr_t)fd) != 0)
            close(fd);
        else
            srv.n_conns++;
        pthread_mutex_unlock(&srv.mu);
    }
    return NULL;
}

static int srv_start(void)
{
    struct sockaddr_in sin = {0};
    socklen_t len = sizeof sin;

    pthread_mutex_init(&srv.mu, NULL);
    if (pipe(srv.stop) != 0)
        return -1;
    srv.listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sin.sin_port = 0; /* ephemeral */
    if (srv.listen_fd < 0 || bind(srv.listen_fd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
        listen(srv.listen_fd, 64) != 0 ||
        getsockname(srv.listen_fd, (struct sockaddr *)&sin, &len) != 0)
        return -1;
    srv.port = ntohs(sin.sin_port);
    return pthread_create(&srv.acceptor, NULL, accept_main, NULL) == 0 ? 0 : -1;
}

static void srv_stop(void)
{
    size_t i;

    if (write(srv.stop[1], "x", 1) != 1)
        return;
    pthread_join(srv.acceptor, NULL);
    for (i = 0; i < srv.n_conns; i++)
        pthread_join(srv.conns[i], NULL);
    close(srv.listen_fd);
    close(srv.stop[0]);
    close(srv.stop[1]);
    pthread_mutex_destroy(&srv.mu);
}

static int group_setup(void **state)
{
    char *priv = NULL, *pub = NULL;
    int rc = -1;

    (void)state;
    signal(SIGPIPE, SIG_IGN);
    if (keys_rsa_generate(&priv, &pub, NULL) == HR_OK &&
        keys_private_load(priv, &priv_key, NULL) == HR_OK &&
        keys_public_load(pub, strlen(pub), &pub_key, NULL) == HR_OK)
        rc = srv_start();
    keys_secret_free(priv);
    free(pub);
    return rc;
}

static int group_teardown(void **state)
{
    (void)state;
    srv_stop();
    keys_key_free(priv_key);
    keys_key_free(pub_key);
    return 0;
}

/* ---- helpers ---- */

static const char *url_of(const char *scheme, const char *path)
{
    static char buf[256];

    snprintf(buf, sizeof buf, "%s://127.0.0.1:%d%s", scheme, srv.port, path);
    return buf;
}

/* A loopback port with nothing listening (bound, then closed). */
static int closed_port(void)
{
    struct sockaddr_in sin = {0};
    socklen_t len = sizeof sin;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
    close(fd);
    return ntohs(sin.sin_port);
}

static int get(const struct fed_http_opts *o, const char *url, struct fed_http_response *r,
               struct hr_err *err)
{
    memset(r, 0, sizeof *r);
    memset(err, 0, sizeof *err);
    return fed_http_get(o, url, "application/activity+json", NULL, r, err);
}

static const struct fed_http_opts loopback = {
    .allow_private = true, .max_redirects = -1, .user_agent = "test"}; /* -1: default 2 */
static const struct fed_http_opts public_only = {.allow_private = false, .max_redirects = -1};

/* ---- the SSRF guard ---- */

static void plain_http_is_refused_unless_private_networks_are_allowed(void **state)
{
    struct fed_http_response r;
    struct hr_err err;

    (void)state;
    assert_int_equal(get(&public_only, url_of("http", "/ok"), &r, &err), HR_EFORBIDDEN);
    assert_non_null(strstr(err.msg, "scheme"));
}

static void https_to_loopback_is_refused_by_the_address_check_at_connect(void **state)
{
    const char *const hosts[] = {"127.0.0.1", "[::1]", "localhost",
                                 "0.0.0.0",   "[::]",  "[::ffff:127.0.0.1]"};
    struct fed_http_response r;
    struct hr_err err;
    char url[128];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        snprintf(url, sizeof url, "https://%s:%d/ok", hosts[i], srv.port);
        assert_int_equal(get(&public_only, url, &r, &err), HR_EFORBIDDEN);
        assert_non_null(strstr(err.msg, "address refused"));
    }
}

static void a_closed_loopback_port_is_refused_before_connecting_not_a_network_error(void **state)
{
    struct fed_http_response r;
    struct hr_err err;
    char url[128];

    (void)state;
    snprintf(url, sizeof url, "https://127.0.0.1:%d/ok", closed_port());
    assert_int_equal(get(&public_only, url, &r, &err), HR_EFORBIDDEN);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/ok", closed_port());
    assert_int_equal(get(&loopback, url, &r, &err), HR_ENET); /* guard off: a real refusal */
}

static void other_schemes_are_refused_even_for_loopback_tests(void **state)
{
    struct fed_http_response r;
    struct hr_err err;

    (void)state;
    assert_int_equal(get(&loopback, url_of("ftp", "/ok"), &r, &err), HR_EFORBIDDEN);
    assert_int_equal(get(&loopback, "file:///etc/passwd", &r, &err), HR_EFORBIDDEN);
}

static void urls_with_credentials_or_garbage_are_invalid(void **state)
{
    struct fed_http_response r;
    struct hr_err err;
    char url[128];

    (void)state;
    snprintf(url, sizeof url, "http://user:pw@127.0.0.1:%d/ok", srv.port);
    assert_int_equal(get(&loopback, url, &r, &err), HR_EINVAL);
    assert_int_equal(get(&loopback, "not a url", &r, &err), HR_EINVAL);
    assert_int_equal(get(&loopback, "", &r, &err), HR_EINVAL);
    assert_int_equal(fed_http_get(&loopback, NULL, "a/b", NULL, &r, NULL), HR_EINVAL);
    assert_int_equal(fed_http_get(&loopback, url_of("http", "/ok"), "a\r\nX: y", NULL, &r, NULL),
                     HR_EINVAL);
}

/* ---- fetching ---- */

static void a_loopback_fetch_returns_status_body_and_content_type(void **state)
{
    struct fed_http_response r;
    struct hr_err err;

    (void)state;
    assert_int_equal(get(&loopback, url_of("http", "/ok"), &r, &err), HR_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "application/activity+json");
    assert_string_equal(r.body, "{\"id\":\"ok\"}");
    assert_int_equal(r.body_len, strlen("{\"id\":\"ok\"}"));
    assert_string_equal(r.final_url, url_of("http", "/ok"));
    assert_null(r.retry_after);
    fed_http_response_fini(&r);
    fed_http_response_fini(&r); /* idempotent */
}

static void a_missing_document_is_a_status_not_an_error(void **state)
{
    struct fed_http_response r;
    struct hr_err err;

    (void)state;
    assert_int_equal(get(&loopback, url_of("http", "/nothing-here"), &r, &err), HR_OK);
    assert_int_equal(r.status, 404);
    fed_http_response_fini(&r);
}

static void relative_and_absolute_redirects_are_followed(void **state)
{
    struct fed_http_response r;
    struct hr_err err;

    (void)state;
    assert_int_equal(get(&loopback, url_of("http", "/redirect"), &r, &err), HR_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.final_url, url_of("http", "/ok"));
    fed_http_response_fini(&r);
    assert_int_equal(get(&loopback, url_of("http", "/abs"), &r, &err), HR_OK);
    assert_int_equal(r.status, 200);
    fed_http_response_fini(&r);
}

static void three_chained_redirects_pass_a_limit_of_three_and_fail_a_limit_of_two(void **state)
{
    struct fed_http_opts o = loopback;
    struct fed_http_response r;
    struct hr_err err;

    (void)state;
    o.max_redirects = 3;
    assert_int_equal(get(&o, url_of("http", "/chain1"), &r, &err), HR_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.final_url, url_of("http", "/ok"));
    fed_http_response_fini(&r);
    o.max_redirects = 2;
    assert_int_equal(get(&o, url_of("http", "/chain1"), &r, &err), HR_ENET);
    assert_string_equal(err.msg, "too many redirects");
    o.max_redirects = 0; /* none */
    assert_int_equal(get(&o, url_of("http", "/redirect"), &r, &err), HR_ENET);
    o.max_redirects = -1; /* the default, 2 */
    assert_int_equal(get(&o, url_of("http", "/chain1"), &r, &err), HR_ENET);
    assert_int_equal(get(&o, url_of("http", "/chain2"), &r, &err), HR_OK);
    assert_int_equal(r.status, 200);
    fed_http_response_fini(&r);
}

static void a_redirect_to_another_scheme_is_refused(void **state)
{
    struct fed_http_response r;
    struct hr_err err;

    (void)state;
    assert_int_equal(get(&loopback, url_of("http", "/to-ftp"), &r, &err), HR_EFORBIDDEN);
    assert_int_equal(get(&loopback, url_of("http", "/to-file"), &r, &err), HR_EFORBIDDEN);
    assert_int_equal(get(&loopback, url_of("http", "/to-js"), &r, &err), HR_EFORBIDDEN);
}

static void a_body_over_the_cap_is_too_big_with_or_without_content_length(void **state)
{
    struct fed_http_response r;
    struct hr_err err;

    (void)state;
    assert_int_equal(get(&loopback, url_of("http", "/big"), &r, &err), HR_ETOOBIG);
    assert_int_equal(get(&loopback, url_of("http", "/big-stream"), &r, &err), HR_ETOOBIG);
}

static void a_raised_cap_lets_the_big_body_through(void **state)
{
    struct fed_http_opts o = loopback;
    struct fed_http_response r;
    struct hr_err err;

    (void)state;
    o.max_bytes = BIG_BODY;
    assert_int_equal(get(&o, url_of("http", "/big"), &r, &err), HR_OK);
    assert_int_equal(r.body_len, BIG_BODY);
    assert_int_equal(r.body[BIG_BODY], '\0');
    fed_http_response_fini(&r);
}

static void a_response_slower_than_the_timeout_is_a_network_error(void **state)
{
    struct fed_http_opts o = loopback;
    struct fed_http_response r;
    struct hr_err err;

    (void)state;
    o.timeout_ms = 300;
    assert_int_equal(get(&o, url_of("http", "/slow"), &r, &err), HR_ENET);
}

static void a_429_is_returned_with_its_retry_after(void **state)
{
    struct fed_http_response r;
    struct hr_err err;

    (void)state;
    assert_int_equal(get(&loopback, url_of("http", "/limited"), &r, &err), HR_OK);
    assert_int_equal(r.status, 429);
    assert_string_equal(r.retry_after, "7");
    assert_string_equal(r.body, "slow down");
    fed_http_response_fini(&r);
}

/* ---- signed GET ---- */

static const char *captured_header(void *ctx, const char *name)
{
    (void)ctx;
    if (strcmp(name, "host") == 0)
        return srv.host;
    if (strcmp(name, "date") == 0)
        return srv.date;
    return NULL;
}

/* Verifies what the server received, as a peer would. */
static void assert_captured_signature_verifies(const char *want_target)
{
    struct fed_sig_request req = {"GET", srv.target, captured_header, NULL};
    struct fed_sig sig;
    char want_host[64];

    pthread_mutex_lock(&srv.mu);
    snprintf(want_host, sizeof want_host, "127.0.0.1:%d", srv.port);
    assert_string_equal(srv.host, want_host);
    assert_string_equal(srv.target, want_target);
    assert_non_null(strstr(srv.sig, "keyId=\"" KEY_ID "\""));
    assert_int_equal(fed_sig_parse((struct hr_slice){srv.sig, strlen(srv.sig)}, &sig, NULL), HR_OK);
    assert_true(hr_slice_eq(sig.key_id, KEY_ID));
    assert_int_equal(fed_sig_verify(&sig, &req, pub_key, NULL), HR_OK);
    assert_int_equal(fed_sig_check_time(&sig, srv.date, hr_now_ms(), 60, NULL), HR_OK);
    pthread_mutex_unlock(&srv.mu);
}

static void a_signed_get_carries_signature_date_and_host_that_verify(void **state)
{
    struct fed_signer signer = {priv_key, KEY_ID};
    struct fed_http_response r = {0};
    struct hr_err err = {0};

    (void)state;
    assert_int_equal(fed_http_get(&loopback, url_of("http", "/signed"), "application/activity+json",
                                  &signer, &r, &err),
                     HR_OK);
    assert_int_equal(r.status, 200);
    fed_http_response_fini(&r);
    assert_captured_signature_verifies("/signed");
}

static void a_signed_get_is_signed_again_for_the_redirect_target(void **state)
{
    struct fed_signer signer = {priv_key, KEY_ID};
    struct fed_http_response r = {0};
    struct hr_err err = {0};

    (void)state;
    assert_int_equal(fed_http_get(&loopback, url_of("http", "/to-signed"),
                                  "application/activity+json", &signer, &r, &err),
                     HR_OK);
    assert_int_equal(r.status, 200);
    fed_http_response_fini(&r);
    assert_captured_signature_verifies("/signed?page=2");
}

static void an_unsigned_get_sends_no_signature(void **state)
{
    struct fed_http_response r;
    struct hr_err err;

    (void)state;
    assert_int_equal(get(&loopback, url_of("http", "/signed"), &r, &err), HR_OK);
    assert_int_equal(r.status, 401);
    fed_http_response_fini(&r);
}

/* ---- every hop meets the caller's policy (issue 8 §5) ---- */

/* A domain policy that refuses the host "localhost" (a blocked domain, or one off the
 * allow-list: the same question to http.c). */
static bool refuse_localhost(void *ctx, const char *url)
{
    int *asked = ctx;

    (*asked)++;
    return strstr(url, "://localhost:") == NULL;
}

static int elsewhere_hits(void)
{
    int n;

    pthread_mutex_lock(&srv.mu);
    n = srv.elsewhere_hits;
    pthread_mutex_unlock(&srv.mu);
    return n;
}

static void a_redirect_chain_into_a_refused_domain_stops_before_connecting(void **state)
{
    struct fed_http_opts o = loopback;
    struct fed_http_response r;
    struct hr_err err;
    int asked = 0, before = elsewhere_hits();

    (void)state;
    o.hop_allowed = refuse_localhost;
    o.hop_ctx = &asked;
    assert_int_equal(get(&o, url_of("http", "/via-ok"), &r, &err), HR_EFORBIDDEN);
    assert_non_null(strstr(err.msg, "blocked (or not allowed) domain"));
    assert_int_equal(asked, 3); /* /via-ok, /to-elsewhere, then the refused hop */
    assert_int_equal(elsewhere_hits(), before); /* the refused origin saw no request */
    /* the policy allows it: the same chain reaches it (the test can see a connection) */
    o.hop_allowed = NULL;
    assert_int_equal(get(&o, url_of("http", "/via-ok"), &r, &err), HR_OK);
    assert_int_equal(elsewhere_hits(), before + 1);
    fed_http_response_fini(&r);
}

static void the_first_hop_is_asked_too(void **state)
{
    struct fed_http_opts o = loopback;
    struct fed_http_response r;
    struct hr_err err;
    char url[128];
    int asked = 0, before = elsewhere_hits();

    (void)state;
    o.hop_allowed = refuse_localhost;
    o.hop_ctx = &asked;
    snprintf(url, sizeof url, "http://localhost:%d/elsewhere", srv.port);
    assert_int_equal(get(&o, url, &r, &err), HR_EFORBIDDEN);
    assert_int_equal(elsewhere_hits(), before);
}

static void a_same_origin_only_get_refuses_a_cross_origin_redirect_before_connecting(void **state)
{
    struct fed_http_opts o = loopback;
    struct fed_http_response r;
    struct hr_err err;
    int before = elsewhere_hits();

    (void)state;
    o.same_origin_only = true;
    assert_int_equal(get(&o, url_of("http", "/to-elsewhere"), &r, &err), HR_EFORBIDDEN);
    assert_string_equal(err.msg, "redirect to another origin refused");
    assert_int_equal(elsewhere_hits(), before);
    /* a same-origin redirect is still followed */
    assert_int_equal(get(&o, url_of("http", "/redirect"), &r, &err), HR_OK);
    assert_int_equal(r.status, 200);
    fed_http_response_fini(&r);
}

static void a_signed_get_redirected_to_another_origin_arrives_there_unsigned(void **state)
{
    struct fed_signer signer = {priv_key, KEY_ID};
    struct fed_http_response r = {0};
    struct hr_err err = {0};
    char want_host[64];

    (void)state;
    pthread_mutex_lock(&srv.mu);
    snprintf(srv.sig, sizeof srv.sig, "stale");
    pthread_mutex_unlock(&srv.mu);
    assert_int_equal(fed_http_get(&loopback, url_of("http", "/to-other-signed"),
                                  "application/activity+json", &signer, &r, &err),
                     HR_OK);
    assert_int_equal(r.status, 401); /* /signed answers 401 to an unsigned GET */
    fed_http_response_fini(&r);
    snprintf(want_host, sizeof want_host, "localhost:%d", srv.port);
    pthread_mutex_lock(&srv.mu);
    assert_string_equal(srv.host, want_host); /* it did reach the second origin */
    assert_string_equal(srv.sig, "");         /* without the Signature header */
    pthread_mutex_unlock(&srv.mu);
}

/* 64 bytes in one label: the resolver refuses the name without sending a query. */
#define UNRESOLVABLE "http://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.test"

static void a_name_that_does_not_resolve_and_a_refused_connection_read_alike(void **state)
{
    struct fed_http_response r;
    struct hr_err e1, e2;
    char url[128];

    (void)state;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/x", closed_port());
    assert_int_equal(get(&loopback, url, &r, &e1), HR_ENET);
    assert_int_equal(get(&loopback, UNRESOLVABLE "/x", &r, &e2), HR_ENET);
    assert_non_null(strstr(e1.msg, ": fetch_failed"));
    assert_non_null(strstr(e2.msg, ": fetch_failed"));
    assert_null(strstr(e1.msg, "connect"));
    assert_null(strstr(e2.msg, "resolve"));
}

/* ---- URL helpers ---- */

static void url_helpers_lowercase_the_host_and_drop_default_ports(void **state)
{
    static const struct {
        const char *url, *host, *origin, *target;
    } cases[] = {
        {"HTTPS://Social.EXAMPLE/Users/A?x=1#frag", "social.example", "https://social.example",
         "/Users/A?x=1"},
        {"https://a.example:443/", "a.example", "https://a.example", "/"},
        {"http://a.example:80", "a.example", "http://a.example", "/"},
        {"https://a.example:8443/p?", "a.example:8443", "https://a.example:8443", "/p"},
        {"http://a.example:443/x", "a.example:443", "http://a.example:443", "/x"},
        {"https://[2001:DB8::1]:8443/a/../b", "[2001:db8::1]:8443", "https://[2001:db8::1]:8443",
         "/b"},
        {"https://xn--bcher-kva.example/", "xn--bcher-kva.example", "https://xn--bcher-kva.example",
         "/"},
        {"https://%61.example/%7e", "a.example", "https://a.example", "/%7e"}, /* curl decodes */
        {"http://0x7f.1:8080/", "127.0.0.1:8080", "http://127.0.0.1:8080", "/"},
    };
    char out[256];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(fed_url_host(cases[i].url, out, sizeof out, NULL), HR_OK);
        assert_string_equal(out, cases[i].host);
        assert_int_equal(fed_url_origin(cases[i].url, out, sizeof out, NULL), HR_OK);
        assert_string_equal(out, cases[i].origin);
        assert_int_equal(fed_url_target(cases[i].url, out, sizeof out, NULL), HR_OK);
        assert_string_equal(out, cases[i].target);
    }
}

static void url_helpers_refuse_credentials_garbage_and_other_schemes(void **state)
{
    static const char *const bad[] = {
        "https://user:pass@a.example/",
        "https://user@a.example/",
        "https://:pass@a.example/",
        "https://a.example@evil.example/",
        "https://[fe80::1%25eth0]/",
        "not a url",
        "",
        "https://",
        "javascript:alert(1)",
        "ftp://a.example/x",
        "/relative/path",
        "https://a.example/a b",
        "https://b\xc3\xbc\x63her.example/", /* IDN: punycode form only */
    };
    struct hr_err err;
    char out[256];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (fed_url_host(bad[i], out, sizeof out, &err) != HR_EINVAL ||
            fed_url_origin(bad[i], out, sizeof out, NULL) != HR_EINVAL ||
            fed_url_target(bad[i], out, sizeof out, NULL) != HR_EINVAL)
            fail_msg("accepted: %s", bad[i]);
    }
    assert_int_equal(fed_url_host(NULL, out, sizeof out, NULL), HR_EINVAL);
}

static void url_helpers_report_a_buffer_too_small(void **state)
{
    char out[10];

    (void)state;
    assert_int_equal(fed_url_host("https://a.example/", out, sizeof out, NULL), HR_OK);
    assert_int_equal(fed_url_host("https://abcdefghij.example/", out, sizeof out, NULL),
                     HR_ETOOBIG);
    assert_int_equal(fed_url_host("https://a.example/", out, 0, NULL), HR_EINVAL);
}

/* ---- the POST engine ---- */

struct done_log {
    int n, not_202;
    struct fed_post_result last;
    int seen[8];
    long status[8];
    int rc[8];
};

static void on_done(const struct fed_post_result *res, void *ctx)
{
    struct done_log *log = ctx;

    log->last = *res;
    log->n++;
    if (res->status != 202 || res->rc != HR_OK)
        log->not_202++;
    if (res->user != NULL) {
        int id = *(const int *)res->user;

        log->seen[id]++;
        log->status[id] = res->status;
        log->rc[id] = res->rc;
    }
}

/* Runs P until nothing is active (bounded so a bug fails instead of hanging). */
static void run_all(struct fed_poster *p, struct done_log *log)
{
    int rounds;

    for (rounds = 0; fed_poster_active(p) > 0 && rounds < 100; rounds++)
        fed_poster_run(p, 5000, -1, on_done, log);
    assert_int_equal(fed_poster_active(p), 0);
}

static size_t srv_connections(void)
{
    size_t n;

    pthread_mutex_lock(&srv.mu);
    n = srv.n_conns;
    pthread_mutex_unlock(&srv.mu);
    return n;
}

static const char *const json_headers[] = {"Content-Type: application/activity+json", NULL};

/* Posts five bodies with the given limits; returns the connections the server accepted. */
static size_t post_five(int max_total, int max_per_host)
{
    static int ids[5] = {0, 1, 2, 3, 4};
    struct done_log log = {0};
    struct fed_poster *p = NULL;
    size_t conns = srv_connections();
    char body[64];
    int i, before;

    pthread_mutex_lock(&srv.mu);
    before = srv.inbox_posts;
    pthread_mutex_unlock(&srv.mu);
    assert_int_equal(fed_poster_new(&loopback, max_total, max_per_host, &p, NULL), HR_OK);
    for (i = 0; i < 5; i++) {
        snprintf(body, sizeof body, "{\"n\":%d}", i);
        assert_int_equal(fed_poster_add(p, url_of("http", "/inbox"), json_headers, body,
                                        strlen(body), (void *)&ids[i], NULL),
                         HR_OK);
    }
    assert_int_equal(fed_poster_active(p), 5);
    run_all(p, &log);
    assert_int_equal(log.n, 5);
    assert_int_equal(log.not_202, 0);
    for (i = 0; i < 5; i++)
        assert_int_equal(log.seen[i], 1);
    assert_int_equal(log.last.retry_after_s, -1);
    pthread_mutex_lock(&srv.mu);
    assert_int_equal(srv.inbox_posts - before, 5);
    pthread_mutex_unlock(&srv.mu);
    fed_poster_free(p);
    return srv_connections() - conns;
}

static void five_posts_are_all_delivered_and_reported_with_202(void **state)
{
    (void)state;
    assert_in_range(post_five(4, 2), 1, 2); /* at most two connections to one host */
}

static void posts_to_one_host_reuse_one_kept_alive_connection(void **state)
{
    (void)state;
    assert_int_equal(post_five(1, 1), 1);
}

static void a_429_post_reports_retry_after_seconds(void **state)
{
    struct done_log log = {0};
    struct fed_poster *p = NULL;

    (void)state;
    assert_int_equal(fed_poster_new(&loopback, 4, 2, &p, NULL), HR_OK);
    assert_int_equal(
        fed_poster_add(p, url_of("http", "/limited"), json_headers, "{}", 2, NULL, NULL), HR_OK);
    run_all(p, &log);
    assert_int_equal(log.n, 1);
    assert_int_equal(log.last.rc, HR_OK);
    assert_int_equal(log.last.status, 429);
    assert_int_equal(log.last.retry_after_s, 7);
    fed_poster_free(p);
}

static void a_503_with_an_http_date_reports_the_seconds_until_then(void **state)
{
    struct done_log log = {0};
    struct fed_poster *p = NULL;

    (void)state;
    assert_int_equal(fed_poster_new(&loopback, 4, 2, &p, NULL), HR_OK);
    assert_int_equal(
        fed_poster_add(p, url_of("http", "/busy-date"), json_headers, "{}", 2, NULL, NULL), HR_OK);
    run_all(p, &log);
    assert_int_equal(log.last.status, 503);
    assert_in_range(log.last.retry_after_s, 60, 121);
    fed_poster_free(p);
}

static void posts_obey_the_guard_the_scheme_and_the_timeout(void **state)
{
    struct fed_http_opts o = loopback;
    struct done_log log = {0};
    struct fed_poster *p = NULL;

    (void)state;
    assert_int_equal(fed_poster_new(&public_only, 4, 2, &p, NULL), HR_OK);
    assert_int_equal(fed_poster_add(p, url_of("http", "/inbox"), NULL, "{}", 2, NULL, NULL),
                     HR_EFORBIDDEN);
    assert_int_equal(fed_poster_add(p, "https://u:p@a.example/", NULL, "{}", 2, NULL, NULL),
                     HR_EINVAL);
    assert_int_equal(fed_poster_add(p, url_of("https", "/inbox"), NULL, "{}", 2, NULL, NULL),
                     HR_OK);
    run_all(p, &log);
    assert_int_equal(log.last.rc, HR_EFORBIDDEN);
    assert_int_equal(log.last.status, 0);
    fed_poster_free(p);

    o.timeout_ms = 300;
    assert_int_equal(fed_poster_new(&o, 4, 2, &p, NULL), HR_OK);
    assert_int_equal(fed_poster_add(p, url_of("http", "/slow"), NULL, "{}", 2, NULL, NULL), HR_OK);
    run_all(p, &log);
    assert_int_equal(log.last.rc, HR_ENET);
    assert_true(log.last.errmsg[0] != '\0');
    fed_poster_free(p);
}

/* curl starts the timeout clock when a transfer is added to the multi handle, even when
 * its connection limits park it; the poster must keep such a POST queued until a slot is
 * free, or it would time out together with the slow one ahead of it. */
static void a_post_queued_behind_a_slow_one_gets_its_own_full_timeout(void **state)
{
    static int ids[2] = {0, 1};
    struct fed_http_opts o = loopback;
    struct done_log log = {0};
    struct fed_poster *p = NULL;

    (void)state;
    o.timeout_ms = 400;
    assert_int_equal(fed_poster_new(&o, 1, 1, &p, NULL), HR_OK);
    assert_int_equal(fed_poster_add(p, url_of("http", "/slow"), NULL, "{}", 2, &ids[0], NULL),
                     HR_OK);
    assert_int_equal(fed_poster_add(p, url_of("http", "/inbox"), NULL, "{}", 2, &ids[1], NULL),
                     HR_OK);
    assert_int_equal(fed_poster_active(p), 2);
    run_all(p, &log);
    assert_int_equal(log.rc[0], HR_ENET);
    assert_int_equal(log.rc[1], HR_OK);
    assert_int_equal(log.status[1], 202);
    fed_poster_free(p);
}

static void a_readable_wake_fd_ends_the_run_early(void **state)
{
    struct fed_poster *p = NULL;
    int fds[2];

    (void)state;
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], "w", 1), 1);
    assert_int_equal(fed_poster_new(&loopback, 4, 2, &p, NULL), HR_OK);
    /* With nothing queued only the wake fd can end this run before 60 s. */
    assert_int_equal(fed_poster_run(p, 60000, fds[0], on_done, NULL), 0);
    fed_poster_free(p);
    close(fds[0]);
    close(fds[1]);
}

static void a_freed_poster_with_transfers_in_flight_releases_them(void **state)
{
    struct fed_poster *p = NULL;

    (void)state;
    assert_int_equal(fed_poster_new(&loopback, 4, 2, &p, NULL), HR_OK);
    assert_int_equal(fed_poster_add(p, url_of("http", "/slow"), NULL, "{}", 2, NULL, NULL), HR_OK);
    assert_int_equal(fed_poster_add(p, url_of("http", "/inbox"), NULL, NULL, 0, NULL, NULL), HR_OK);
    assert_int_equal(fed_poster_run(p, 1, -1, NULL, NULL) >= 0, 1);
    fed_poster_free(p);
    fed_poster_free(NULL);
    assert_int_equal(fed_poster_new(&loopback, 0, 2, &p, NULL), HR_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_http_is_refused_unless_private_networks_are_allowed),
        cmocka_unit_test(https_to_loopback_is_refused_by_the_address_check_at_connect),
        cmocka_unit_test(a_closed_loopback_port_is_refused_before_connecting_not_a_network_error),
        cmocka_unit_test(other_schemes_are_refused_even_for_loopback_tests),
        cmocka_unit_test(urls_with_credentials_or_garbage_are_invalid),
        cmocka_unit_test(a_loopback_fetch_returns_status_body_and_content_type),
        cmocka_unit_test(a_missing_document_is_a_status_not_an_error),
        cmocka_unit_test(relative_and_absolute_redirects_are_followed),
        cmocka_unit_test(three_chained_redirects_pass_a_limit_of_three_and_fail_a_limit_of_two),
        cmocka_unit_test(a_redirect_to_another_scheme_is_refused),
        cmocka_unit_test(a_redirect_chain_into_a_refused_domain_stops_before_connecting),
        cmocka_unit_test(the_first_hop_is_asked_too),
        cmocka_unit_test(a_same_origin_only_get_refuses_a_cross_origin_redirect_before_connecting),
        cmocka_unit_test(a_signed_get_redirected_to_another_origin_arrives_there_unsigned),
        cmocka_unit_test(a_name_that_does_not_resolve_and_a_refused_connection_read_alike),
        cmocka_unit_test(a_body_over_the_cap_is_too_big_with_or_without_content_length),
        cmocka_unit_test(a_raised_cap_lets_the_big_body_through),
        cmocka_unit_test(a_response_slower_than_the_timeout_is_a_network_error),
        cmocka_unit_test(a_429_is_returned_with_its_retry_after),
        cmocka_unit_test(a_signed_get_carries_signature_date_and_host_that_verify),
        cmocka_unit_test(a_signed_get_is_signed_again_for_the_redirect_target),
        cmocka_unit_test(an_unsigned_get_sends_no_signature),
        cmocka_unit_test(url_helpers_lowercase_the_host_and_drop_default_ports),
        cmocka_unit_test(url_helpers_refuse_credentials_garbage_and_other_schemes),
        cmocka_unit_test(url_helpers_report_a_buffer_too_small),
        cmocka_unit_test(five_posts_are_all_delivered_and_reported_with_202),
        cmocka_unit_test(posts_to_one_host_reuse_one_kept_alive_connection),
        cmocka_unit_test(a_429_post_reports_retry_after_seconds),
        cmocka_unit_test(a_503_with_an_http_date_reports_the_seconds_until_then),
        cmocka_unit_test(posts_obey_the_guard_the_scheme_and_the_timeout),
        cmocka_unit_test(a_post_queued_behind_a_slow_one_gets_its_own_full_timeout),
        cmocka_unit_test(a_readable_wake_fd_ends_the_run_early),
        cmocka_unit_test(a_freed_poster_with_transfers_in_flight_releases_them),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
