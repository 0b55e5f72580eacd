/* bench/tools/inboxload.c - inbox ingest load: signed Create(Note) replies POSTed the way a
 * remote server delivers them (draft-cavage-12 rsa-sha256 over (request-target) host date
 * digest content-type, Digest SHA-256), over C keep-alive connections (plain sockets, one
 * epoll loop). Signing is done before the clock starts (or, paced, at send time), so the
 * figure is what the server can accept, not what this tool can sign.
 *
 *   inboxload --url URL --key PEM --key-id URL --actor URL --to URL [--in-reply-to URL]
 *             [--follow]                    first one signed Follow of --to (must be 202):
 *                                           the server fetches and caches our key
 *             [-n N] [-c C] [--threads T]   N distinct activities pre-signed by T threads,
 *                                           then sent over C connections (default 1000, 32, 2)
 *             [--rate R --seconds S]        paced instead: R activities a second for S
 *                                           seconds, each signed when sent (soak load)
 *             [--id-prefix P]               makes ids distinct across runs (default: pid+time)
 *
 * Prints one line: "inbox sent=.. accepted=.. rejected=.. errors=.. seconds=.. per_s=..
 * p50_ms=.. p99_ms=.. sign_s=..", where accepted counts 202 answers (Herald answers 202
 * only after the activity's durable commit). Exit 0 when every request got an answer
 * (whatever its status), 1 on transport errors, 2 on usage errors. Loopback URLs only. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/hr.h"
#include "federation/httpsig.h"
#include "keys/keys.h"

#define IL_CONN_MAX 4096
#define IL_RECV_MAX 65536
#define IL_CT       "application/activity+json"

struct opts {
    const char *url, *key_file, *key_id, *actor, *to, *in_reply_to, *id_prefix;
    uint64_t n, conns, threads, rate, seconds;
    bool follow;
};

struct target {
    char host[64], hostport[80], path[1024], origin[300];
    struct sockaddr_in sa;
};

struct req {
    char *bytes;
    size_t len;
};

struct conn {
    int fd;
    struct req *cur; /* in flight, or NULL when idle */
    bool own_cur;    /* paced mode: the request is freed when answered */
    size_t sent;
    double started;
    char buf[IL_RECV_MAX];
    size_t got;
};

struct load {
    const struct opts *o;
    const struct target *t;
    const struct keys_key *key;
    struct req *reqs;     /* pre-signed (N of them), or NULL in paced mode */
    uint64_t next, total; /* next request to send, how many to send */
    uint64_t answered, accepted, rejected, errors;
    double *lat; /* ms per answered request */
    int ep;
    struct conn *conns;
    int shown; /* rejections shown on stderr */
    double sign_s;
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int usage(void)
{
    fprintf(stderr, "usage: inboxload --url URL --key PEM --key-id URL --actor URL --to URL\n"
                    "                 [--in-reply-to URL] [--follow] [-n N] [-c C] [--threads T]\n"
                    "                 [--rate R --seconds S] [--id-prefix P]\n");
    return 2;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
    static char prefix[64];

    *o = (struct opts){.n = 1000, .conns = 32, .threads = 2};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        const char **str = NULL;
        uint64_t *num = NULL;

        if (strcmp(a, "--follow") == 0) {
            o->follow = true;
            continue;
        }
        if (strcmp(a, "--url") == 0)
            str = &o->url;
        else if (strcmp(a, "--key") == 0)
            str = &o->key_file;
        else if (strcmp(a, "--key-id") == 0)
            str = &o->key_id;
        else if (strcmp(a, "--actor") == 0)
            str = &o->actor;
        else if (strcmp(a, "--to") == 0)
            str = &o->to;
        else if (strcmp(a, "--in-reply-to") == 0)
            str = &o->in_reply_to;
        else if (strcmp(a, "--id-prefix") == 0)
            str = &o->id_prefix;
        else if (strcmp(a, "-n") == 0)
            num = &o->n;
        else if (strcmp(a, "-c") == 0)
            num = &o->conns;
        else if (strcmp(a, "--threads") == 0)
            num = &o->threads;
        else if (strcmp(a, "--rate") == 0)
            num = &o->rate;
        else if (strcmp(a, "--seconds") == 0)
            num = &o->seconds;
        if (v == NULL || (str == NULL && num == NULL))
            return usage();
        if (str != NULL)
            *str = v;
        else if (hr_parse_u64(v, 100000000, num) != HR_OK)
            return usage();
        i++;
    }
    if (!o->url || !o->key_file || !o->key_id || !o->actor || !o->to)
        return usage();
    if (o->conns == 0 || o->conns > IL_CONN_MAX || o->threads == 0 || o->threads > 64)
        return usage();
    if ((o->rate > 0) != (o->seconds > 0))
        return usage();
    if (o->id_prefix == NULL) {
        snprintf(prefix, sizeof prefix, "%ld-%lld", (long)getpid(), (long long)hr_now_ms());
        o->id_prefix = prefix;
    }
    return 0;
}

/* http://127.x.y.z:PORT/path only: this tool never leaves the machine. */
static int parse_target(const char *url, const char *actor, struct target *t)
{
    const char *p = url + 7, *slash, *colon;
    uint64_t port = 80;
    size_t hl;

    memset(t, 0, sizeof *t);
    if (strncmp(url, "http://", 7) != 0)
        return -1;
    slash = strchr(p, '/');
    if (slash == NULL || strlen(slash) >= sizeof t->path)
        return -1;
    colon = memchr(p, ':', (size_t)(slash - p));
    hl = (size_t)((colon ? colon : slash) - p);
    if (hl == 0 || hl >= sizeof t->host)
        return -1;
    memcpy(t->host, p, hl);
    if (colon != NULL) {
        char ps[8];
        size_t pl = (size_t)(slash - colon - 1);
        if (pl == 0 || pl >= sizeof ps)
            return -1;
        memcpy(ps, colon + 1, pl);
        ps[pl] = '\0';
        if (hr_parse_u64(ps, 65535, &port) != HR_OK)
            return -1;
    }
    memcpy(t->hostport, p, (size_t)(slash - p));
    snprintf(t->path, sizeof t->path, "%s", slash);
    t->sa.sin_family = AF_INET;
    t->sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, t->host, &t->sa.sin_addr) != 1 ||
        (ntohl(t->sa.sin_addr.s_addr) >> 24) != 127)
        return -1;
    /* the actor's origin: scheme://host[:port] (ids must live there) */
    p = strstr(actor, "://");
    slash = p ? strchr(p + 3, '/') : NULL;
    if (slash == NULL || (size_t)(slash - actor) >= sizeof t->origin)
        return -1;
    memcpy(t->origin, actor, (size_t)(slash - actor));
    return 0;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    struct hr_buf b;
    char chunk[4096];
    size_t n;

    if (f == NULL)
        return NULL;
    hr_buf_init(&b, 1u << 20);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        hr_buf_add(&b, chunk, n);
    fclose(f);
    return hr_buf_take(&b);
}

/* The activity body: a reply (Create of a Note) to our account, or a Follow of it. */
static void activity_body(const struct load *l, uint64_t i, bool follow, struct hr_buf *b)
{
    const struct opts *o = l->o;
    char when[32];

    hr_iso8601(hr_now_ms(), when);
    if (follow) {
        hr_buf_addf(b,
                    "{\"@context\":\"https://www.w3.org/ns/activitystreams\","
                    "\"id\":\"%s/follows/%s\",\"type\":\"Follow\",\"actor\":\"%s\","
                    "\"object\":\"%s\"}",
                    l->t->origin, o->id_prefix, o->actor, o->to);
        return;
    }
    hr_buf_addf(b,
                "{\"@context\":\"https://www.w3.org/ns/activitystreams\","
                "\"id\":\"%s/activities/%s-%llu\",\"type\":\"Create\",\"actor\":\"%s\","
                "\"published\":\"%s\",\"to\":[\"%s\"],"
                "\"cc\":[\"https://www.w3.org/ns/activitystreams#Public\"],"
                "\"object\":{\"id\":\"%s/notes/%s-%llu\",\"type\":\"Note\","
                "\"attributedTo\":\"%s\",",
                l->t->origin, o->id_prefix, (unsigned long long)i, o->actor, when, o->to,
                l->t->origin, o->id_prefix, (unsigned long long)i, o->actor);
    if (o->in_reply_to != NULL)
        hr_buf_addf(b, "\"inReplyTo\":\"%s\",", o->in_reply_to);
    hr_buf_addf(b,
                "\"content\":\"<p>Thank you for the update. When does the clinic near the "
                "station open? (bench reply %llu)</p>\",\"published\":\"%s\",\"to\":[\"%s\"],"
                "\"cc\":[\"https://www.w3.org/ns/activitystreams#Public\"]}}",
                (unsigned long long)i, when, o->to);
}

/* Builds the complete HTTP request for activity I, signed now. */
static int build_req(const struct load *l, uint64_t i, bool follow, struct req *out)
{
    char date[32], digest[64], *sig = NULL;
    struct hr_buf body, r;
    struct hr_err err = {0};
    int rc;

    hr_buf_init(&body, 1u << 20);
    activity_body(l, i, follow, &body);
    if (body.err != HR_OK) {
        hr_buf_fini(&body);
        return -1;
    }
    hr_http_date(hr_now_ms(), date);
    fed_digest_make(body.data, body.len, digest);
    rc = fed_sig_sign(l->key, l->o->key_id, "POST", l->t->path, l->t->hostport, date, digest, IL_CT,
                      &sig, &err);
    if (rc != HR_OK) {
        fprintf(stderr, "inboxload: sign: %s\n", err.msg);
        hr_buf_fini(&body);
        return -1;
    }
    hr_buf_init(&r, 1u << 21);
    hr_buf_addf(&r,
                "POST %s HTTP/1.1\r\nHost: %s\r\nDate: %s\r\nDigest: %s\r\n"
                "Content-Type: " IL_CT "\r\nAccept: " IL_CT "\r\nUser-Agent: inboxload\r\n"
                "Signature: %s\r\nContent-Length: %zu\r\n\r\n",
                l->t->path, l->t->hostport, date, digest, sig, body.len);
    hr_buf_add(&r, body.data, body.len);
    free(sig);
    hr_buf_fini(&body);
    if (r.err != HR_OK) {
        hr_buf_fini(&r);
        return -1;
    }
    out->len = r.len;
    out->bytes = hr_buf_take(&r);
    return out->bytes ? 0 : -1;
}

struct signer_arg {
    struct load *l;
    uint64_t first, step;
    int rc;
};

static void *signer_main(void *arg)
{
    struct signer_arg *s = arg;

    for (uint64_t i = s->first; i < s->l->total && s->rc == 0; i += s->step)
        s->rc = build_req(s->l, i, false, &s->l->reqs[i]);
    return NULL;
}

static int presign(struct load *l)
{
    pthread_t th[64];
    struct signer_arg args[64];
    double t0 = now_s();
    uint64_t nt = l->o->threads;
    int rc = 0;

    l->reqs = calloc(l->total, sizeof *l->reqs);
    if (l->reqs == NULL)
        return -1;
    for (uint64_t t = 0; t < nt; t++) {
        args[t] = (struct signer_arg){.l = l, .first = t, .step = nt};
        if (pthread_create(&th[t], NULL, signer_main, &args[t]) != 0)
            return -1;
    }
    for (uint64_t t = 0; t < nt; t++) {
        pthread_join(th[t], NULL);
        rc |= args[t].rc;
    }
    l->sign_s = now_s() - t0;
    return rc;
}

static int conn_open(struct load *l, struct conn *c)
{
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
    int one = 1;

    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        return -1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (const struct sockaddr *)&l->t->sa, sizeof l->t->sa) != 0 &&
        errno != EINPROGRESS) {
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    c->got = 0;
    return epoll_ctl(l->ep, EPOLL_CTL_ADD, c->fd, &ev);
}

static void conn_close(struct load *l, struct conn *c)
{
    if (c->fd >= 0) {
        epoll_ctl(l->ep, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
    }
    c->fd = -1;
    c->got = 0;
}

static void req_done(struct conn *c)
{
    if (c->own_cur && c->cur != NULL) {
        free(c->cur->bytes);
        free(c->cur);
    }
    c->cur = NULL;
    c->own_cur = false;
    c->sent = 0;
}

/* Gives idle connection C its next request, if one is due. */
static void conn_next(struct load *l, struct conn *c, double t0)
{
    if (c->cur != NULL || l->next >= l->total)
        return;
    if (l->reqs != NULL) {
        c->cur = &l->reqs[l->next];
    } else {
        /* paced: due when the schedule says so; signed now, with a fresh Date */
        if ((double)l->next > (now_s() - t0) * (double)l->o->rate)
            return;
        c->cur = calloc(1, sizeof *c->cur);
        if (c->cur == NULL || build_req(l, l->next, false, c->cur) != 0) {
            free(c->cur);
            c->cur = NULL;
            l->errors++;
            l->next++;
            return;
        }
        c->own_cur = true;
    }
    l->next++;
    c->sent = 0;
    c->started = now_s();
}

static int conn_send(struct conn *c)
{
    while (c->cur != NULL && c->sent < c->cur->len) {
        ssize_t n = send(c->fd, c->cur->bytes + c->sent, c->cur->len - c->sent, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (n <= 0)
            return -1;
        c->sent += (size_t)n;
    }
    return 0;
}

/* A complete response in C->buf? Returns its length (and status, close flag), 0 when
 * more is needed, -1 when it is malformed. */
static long response_len(struct conn *c, int *status, bool *close_after)
{
    char *end, *p;
    long clen = 0;

    c->buf[c->got] = '\0'; /* recv leaves room for it */
    end = strstr(c->buf, "\r\n\r\n");
    if (end == NULL)
        return c->got >= IL_RECV_MAX - 1 ? -1 : 0;
    if (strncmp(c->buf, "HTTP/1.", 7) != 0 || c->got < 12)
        return -1;
    *status = (int)strtol(c->buf + 9, NULL, 10);
    *close_after = false;
    for (p = strstr(c->buf, "\r\n"); p != NULL && p < end; p = strstr(p + 2, "\r\n")) {
        if (strncasecmp(p + 2, "Content-Length:", 15) == 0)
            clen = strtol(p + 17, NULL, 10);
        else if (strncasecmp(p + 2, "Connection: close", 17) == 0)
            *close_after = true;
    }
    if (clen < 0 || end + 4 - c->buf + clen >= IL_RECV_MAX)
        return -1;
    if ((long)c->got < end + 4 - c->buf + clen)
        return 0;
    return end + 4 - c->buf + clen;
}

static void record(struct load *l, struct conn *c, int status)
{
    if (status == 202) {
        l->accepted++;
    } else {
        l->rejected++;
        if (l->shown++ < 3)
            fprintf(stderr, "inboxload: answer %d: %.300s\n", status,
                    strstr(c->buf, "\r\n\r\n") ? strstr(c->buf, "\r\n\r\n") + 4 : "");
    }
    l->lat[l->answered++] = (now_s() - c->started) * 1000.0;
    req_done(c);
}

static int conn_read(struct load *l, struct conn *c)
{
    for (;;) {
        ssize_t n = recv(c->fd, c->buf + c->got, IL_RECV_MAX - 1 - c->got, 0);
        int status = 0;
        bool close_after = false;
        long len;

        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (n <= 0)
            return -1;
        c->got += (size_t)n;
        while ((len = response_len(c, &status, &close_after)) > 0) {
            if (c->cur == NULL)
                return -1; /* an answer nobody asked for */
            record(l, c, status);
            memmove(c->buf, c->buf + len, c->got - (size_t)len);
            c->got -= (size_t)len;
            if (close_after)
                return -1;
        }
        if (len < 0)
            return -1;
    }
}

static void conn_fail(struct load *l, struct conn *c)
{
    if (c->cur != NULL) {
        l->errors++;
        l->answered++; /* counted, without a latency */
        l->lat[l->answered - 1] = -1;
        req_done(c);
    }
    conn_close(l, c);
}

static int run(struct load *l)
{
    struct epoll_event evs[256];
    double t0 = now_s(), limit = l->o->rate ? (double)l->o->seconds + 30 : 600;
    uint64_t nconn = l->o->conns < l->total ? l->o->conns : l->total;

    l->conns = calloc(nconn, sizeof *l->conns);
    l->lat = calloc(l->total ? l->total : 1, sizeof *l->lat);
    l->ep = epoll_create1(EPOLL_CLOEXEC);
    if (l->conns == NULL || l->lat == NULL || l->ep < 0)
        return -1;
    for (uint64_t i = 0; i < nconn; i++)
        if (conn_open(l, &l->conns[i]) != 0)
            return -1;
    while (l->answered < l->total && now_s() - t0 < limit) {
        int n = epoll_wait(l->ep, evs, 256, l->o->rate ? 2 : 1000);
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if ((evs[i].events & EPOLLIN) && conn_read(l, c) != 0)
                conn_fail(l, c);
            else if ((evs[i].events & (EPOLLERR | EPOLLHUP)) && !(evs[i].events & EPOLLIN))
                conn_fail(l, c);
        }
        for (uint64_t i = 0; i < nconn; i++) {
            struct conn *c = &l->conns[i];
            if (c->fd < 0 && l->next < l->total && conn_open(l, c) != 0)
                continue;
            conn_next(l, c, t0);
            if (c->fd >= 0 && conn_send(c) != 0)
                conn_fail(l, c);
        }
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double pct(const double *v, size_t n, double p)
{
    size_t i;

    if (n == 0)
        return 0;
    i = (size_t)(p * (double)(n - 1) + 0.5);
    return v[i];
}

static void report(struct load *l, double secs)
{
    size_t n = 0;

    for (uint64_t i = 0; i < l->answered; i++)
        if (l->lat[i] >= 0)
            l->lat[n++] = l->lat[i];
    qsort(l->lat, n, sizeof *l->lat, cmp_double);
    printf("inbox sent=%llu accepted=%llu rejected=%llu errors=%llu seconds=%.3f per_s=%.1f "
           "p50_ms=%.2f p99_ms=%.2f sign_s=%.2f\n",
           (unsigned long long)l->next, (unsigned long long)l->accepted,
           (unsigned long long)l->rejected, (unsigned long long)l->errors, secs,
           (double)l->accepted / secs, pct(l->lat, n, 0.5), pct(l->lat, n, 0.99), l->sign_s);
}

/* One signed Follow, so the server fetches and caches our actor before the clock starts. */
static int send_follow(const struct opts *o, const struct target *t, const struct keys_key *key)
{
    struct req r = {0};
    struct load l = {.o = o, .t = t, .key = key, .total = 1};
    struct opts one = *o;
    int rc;

    one.conns = 1;
    one.rate = 0;
    l.o = &one;
    if (build_req(&l, 0, true, &r) != 0)
        return -1;
    l.reqs = &r;
    rc = run(&l);
    free(r.bytes);
    if (l.conns)
        close(l.conns[0].fd);
    close(l.ep);
    free(l.conns);
    free(l.lat);
    if (rc != 0 || l.accepted != 1) {
        fprintf(stderr, "inboxload: the Follow was not accepted\n");
        return -1;
    }
    printf("follow accepted\n");
    return 0;
}

int main(int argc, char **argv)
{
    struct opts o;
    struct target t;
    struct keys_key *key = NULL;
    struct load l = {0};
    struct hr_err err = {0};
    char *pem;
    double t0;
    int rc = parse_args(argc, argv, &o);

    if (rc != 0)
        return rc;
    if (parse_target(o.url, o.actor, &t) != 0) {
        fprintf(stderr, "inboxload: --url must be http://127.x.x.x[:PORT]/PATH and --actor "
                        "an absolute URL\n");
        return 2;
    }
    pem = read_file(o.key_file);
    if (pem == NULL || keys_private_load(pem, &key, &err) != HR_OK) {
        fprintf(stderr, "inboxload: key %s: %s\n", o.key_file, pem ? err.msg : "unreadable");
        keys_secret_free(pem);
        return 2;
    }
    keys_secret_free(pem);
    if (o.follow && send_follow(&o, &t, key) != 0) {
        keys_key_free(key);
        return 1;
    }
    l = (struct load){.o = &o, .t = &t, .key = key};
    l.total = o.rate ? o.rate * o.seconds : o.n;
    if (l.total > 0 && o.rate == 0 && presign(&l) != 0) {
        fprintf(stderr, "inboxload: signing failed\n");
        return 1;
    }
    t0 = now_s();
    if (l.total > 0) {
        rc = run(&l);
        report(&l, now_s() - t0);
    }
    keys_key_free(key);
    if (rc != 0)
        return 1;
    return l.errors || l.answered < l.total ? 1 : 0;
}
