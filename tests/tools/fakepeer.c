/* tests/tools/fakepeer.c - a fake remote ActivityPub server for integration tests.
 *
 *   fakepeer --listen ADDR:PORT --root DIR
 *
 * GET/HEAD /p/q  serves DIR/p/q.json as application/activity+json. Per-file overrides:
 *                DIR/p/q.json.type (Content-Type), .status (HTTP status; the .json may then be
 *                absent), .delay (milliseconds before answering), .location (Location header),
 *                .chunk ("BYTES MS": sent chunked, without Content-Length, BYTES at a time
 *                with MS milliseconds before each: a slow or endless-looking response),
 *                .hold (slow mode: while this file exists the answer waits, polled every
 *                10 ms for at most 120 s; a test removes it to let the answer go, so it can
 *                act while the fetch is provably still held).
 *                /.well-known/webfinger serves DIR/.well-known/webfinger.json (with .type).
 *                Unknown paths are 404. Every GET is logged as one line in DIR/_fetched.log
 *                ("GET /p/q sig=0|1 accept=... host=..."), when it arrives (before any
 *                delay or hold), so a test can tell whether and under which name Herald
 *                fetched.
 * POST /p/q      is recorded as DIR/_received/NNNNNN.headers (request line + headers),
 *                NNNNNN.status (the status we answered) and NNNNNN.json (the body, written
 *                last, so a complete record exists once the .json does) and answered 202.
 *                DIR/p/q.post_status, else DIR/_post_status (e.g. 500 or 410), overrides the
 *                status; DIR/_post_delay delays the answer (ms) before the POST is recorded,
 *                DIR/_post_hold after it (the record exists while the sender still waits for
 *                its answer: what a sender killed at that moment has delivered but cannot
 *                know). All three are re-read on every request so a test can change them
 *                while we run; a delayed answer only holds up its own connection's thread.
 *                Bodies over 1 MiB get 413 and are not recorded.
 *
 * Listens on 127.0.0.0/8 only (PORT 0 picks a free port). Prints "ready PORT" on stdout once
 * listening; exits 0 on SIGTERM or SIGINT, 1 when it cannot listen. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "base/hr.h"

#define FP_BODY_MAX   (1024 * 1024)
#define FP_FILE_MAX   (16 * 1024 * 1024)
#define FP_DELAY_MAX  60000
#define FP_HOLD_MAX   120000 /* ms a .hold file can keep an answer waiting */
#define FP_PATH_MAX   1024
#define FP_HEADER_MAX (64 * 1024)
#define FP_CHUNK_MAX  (1024 * 1024)

struct peer {
    char root[FP_PATH_MAX];
    pthread_mutex_t lock; /* guards seq and _fetched.log appends */
    unsigned long seq;    /* last NNNNNN used in _received */
};

struct conn {
    char *body;
    size_t len, cap;
    bool too_big;
};

/* Reads all of PATH (at most MAX bytes) into a NUL-terminated heap buffer.
 * Returns 0, or -1 (errno ENOENT when absent, EFBIG when over MAX). */
static int file_read(const char *path, size_t max, char **out, size_t *out_len)
{
    struct stat st;
    char *data = NULL;
    size_t got = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int rc = -1;

    if (fd < 0)
        return -1;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        goto out;
    if ((size_t)st.st_size > max) {
        errno = EFBIG;
        goto out;
    }
    data = malloc((size_t)st.st_size + 1);
    if (data == NULL)
        goto out;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    data[got] = '\0';
    *out = data;
    *out_len = got;
    data = NULL;
    rc = 0;
out:
    free(data);
    close(fd);
    return rc;
}

/* Small control file (status, delay, type, location): first line, trimmed. */
static bool ctl_read(const char *path, char *out, size_t out_size)
{
    char *data = NULL;
    size_t len = 0, i = 0, j;

    if (file_read(path, 4096, &data, &len) != 0)
        return false;
    while (i < len && (data[i] == ' ' || data[i] == '\t'))
        i++;
    j = i;
    while (j < len && data[j] != '\n' && data[j] != '\r')
        j++;
    while (j > i && (data[j - 1] == ' ' || data[j - 1] == '\t'))
        j--;
    if (j - i >= out_size) {
        free(data);
        return false;
    }
    memcpy(out, data + i, j - i);
    out[j - i] = '\0';
    free(data);
    return true;
}

static bool ctl_number(const char *path, uint64_t min, uint64_t max, uint64_t *out)
{
    char text[64];
    uint64_t v;

    if (!ctl_read(path, text, sizeof text) || hr_parse_u64(text, max, &v) != HR_OK || v < min)
        return false;
    *out = v;
    return true;
}

static void sleep_ms(uint64_t ms)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Only plain relative paths map to files: no "..", no hidden or "_" components (the
 * control files), nothing outside a conservative character set. */
static bool url_path_ok(const char *url)
{
    const char *p;

    if (url[0] != '/' || strlen(url) > 512)
        return false;
    /* /.well-known/webfinger is served from DIR/.well-known/webfinger.json (the query is
     * not part of URL: one JRD answers every resource) */
    if (strncmp(url, "/.well-known/", 13) == 0)
        url += 12;
    for (p = url; *p != '\0'; p++) {
        bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || strchr("/-._~@:+", *p) != NULL;
        if (!plain)
            return false;
        if (*p == '/' && (p[1] == '.' || p[1] == '_' || p[1] == '/' || p[1] == '\0'))
            return false;
    }
    return true;
}

/* DIR + URL + SUFFIX into OUT; false when it does not fit. */
static bool root_path(const struct peer *peer, const char *url, const char *suffix, char *out,
                      size_t out_size)
{
    int n = snprintf(out, out_size, "%s%s%s", peer->root, url, suffix);

    return n > 0 && (size_t)n < out_size;
}

/* A body sent in chunks (.chunk): BYTES per call, after MS milliseconds. */
struct chunked {
    char *body;
    size_t len;
    uint64_t bytes, ms;
};

static ssize_t chunk_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct chunked *ch = cls;
    size_t n;

    if (pos >= ch->len)
        return MHD_CONTENT_READER_END_OF_STREAM;
    sleep_ms(ch->ms);
    n = ch->len - (size_t)pos;
    if (n > ch->bytes)
        n = (size_t)ch->bytes;
    if (n > max)
        n = max;
    memcpy(buf, ch->body + pos, n);
    return (ssize_t)n;
}

static void chunk_free(void *cls)
{
    struct chunked *ch = cls;

    free(ch->body);
    free(ch);
}

/* "BYTES MS" from a .chunk file; false when absent or malformed. */
static bool chunk_spec(const char *path, uint64_t *bytes, uint64_t *ms)
{
    char text[64], *sp;

    if (!ctl_read(path, text, sizeof text) || (sp = strchr(text, ' ')) == NULL)
        return false;
    *sp = '\0';
    return hr_parse_u64(text, FP_CHUNK_MAX, bytes) == HR_OK && *bytes > 0 &&
           hr_parse_u64(sp + 1, FP_DELAY_MAX, ms) == HR_OK;
}

/* CHUNK (non-NULL) sends BODY chunked as it says; the response owns BODY either way. */
static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, char *body, size_t len,
                             const char *type, const char *location, const uint64_t *chunk)
{
    static char empty[1];
    struct MHD_Response *r;
    struct chunked *ch;
    enum MHD_Result ret;

    if (body != NULL && chunk != NULL) {
        ch = malloc(sizeof *ch);
        if (ch == NULL) {
            free(body);
            return MHD_NO;
        }
        *ch = (struct chunked){body, len, chunk[0], chunk[1]};
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, chunk_read, ch, chunk_free);
        if (r == NULL)
            chunk_free(ch);
        body = NULL;
    } else if (body != NULL)
        r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    else
        r = MHD_create_response_from_buffer(0, empty, MHD_RESPMEM_PERSISTENT);
    if (r == NULL) {
        free(body);
        return MHD_NO;
    }
    if (type != NULL)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (location != NULL)
        MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, location);
    ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static void fetch_log(struct peer *peer, struct MHD_Connection *c, const char *method,
                      const char *url)
{
    const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Signature");
    const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    char path[FP_PATH_MAX + 32], line[2048];
    int n, fd;

    if (!root_path(peer, "/_fetched.log", "", path, sizeof path))
        return;
    n = snprintf(line, sizeof line, "%s %s sig=%d accept=%s host=%s\n", method, url, sig != NULL,
                 accept != NULL && strpbrk(accept, "\r\n") == NULL ? accept : "-",
                 host != NULL && strpbrk(host, "\r\n ") == NULL ? host : "-");
    if (n <= 0 || (size_t)n >= sizeof line)
        return;
    pthread_mutex_lock(&peer->lock);
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) {
        if (write(fd, line, (size_t)n) != n)
            fprintf(stderr, "fakepeer: short write to %s\n", path);
        close(fd);
    }
    pthread_mutex_unlock(&peer->lock);
}

/* Slow mode: waits while PATH exists (at most FP_HOLD_MAX ms). */
static void hold_while(const char *path)
{
    struct stat st;

    for (int waited = 0; waited < FP_HOLD_MAX && stat(path, &st) == 0; waited += 10)
        sleep_ms(10);
}

static enum MHD_Result serve_get(struct peer *peer, struct MHD_Connection *c, const char *method,
                                 const char *url)
{
    char path[FP_PATH_MAX + 64], type[256] = "application/activity+json", location[2048];
    char *body = NULL;
    size_t len = 0;
    uint64_t status = 200, delay = 0, chunk[2];
    bool have_body, have_status, have_location, have_chunk;

    fetch_log(peer, c, method, url);
    if (!url_path_ok(url) || !root_path(peer, url, ".json", path, sizeof path - 16))
        return reply(c, 404, NULL, 0, NULL, NULL, NULL);
    have_body = file_read(path, FP_FILE_MAX, &body, &len) == 0;
    root_path(peer, url, ".json.status", path, sizeof path);
    have_status = ctl_number(path, 100, 599, &status);
    if (!have_body && !have_status)
        return reply(c, 404, NULL, 0, NULL, NULL, NULL);
    root_path(peer, url, ".json.type", path, sizeof path);
    ctl_read(path, type, sizeof type);
    root_path(peer, url, ".json.location", path, sizeof path);
    have_location = ctl_read(path, location, sizeof location);
    root_path(peer, url, ".json.delay", path, sizeof path);
    if (ctl_number(path, 0, FP_DELAY_MAX, &delay))
        sleep_ms(delay);
    root_path(peer, url, ".json.hold", path, sizeof path);
    hold_while(path);
    root_path(peer, url, ".json.chunk", path, sizeof path);
    have_chunk = chunk_spec(path, &chunk[0], &chunk[1]);
    return reply(c, (unsigned)status, body, len, have_body ? type : NULL,
                 have_location ? location : NULL, have_chunk && have_body ? chunk : NULL);
}

struct header_dump {
    char *buf;
    size_t len, cap;
    bool overflow;
};

static void dump_add(struct header_dump *d, const char *s, size_t n)
{
    if (d->overflow || n > FP_HEADER_MAX - d->len)
        d->overflow = true;
    else {
        memcpy(d->buf + d->len, s, n);
        d->len += n;
    }
}

static enum MHD_Result dump_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    struct header_dump *d = cls;

    (void)kind;
    dump_add(d, key, strlen(key));
    dump_add(d, ": ", 2);
    if (value != NULL)
        dump_add(d, value, strlen(value));
    dump_add(d, "\n", 1);
    return MHD_YES;
}

static enum MHD_Result dump_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    struct header_dump *d = cls;

    (void)kind;
    dump_add(d, d->len > 0 && memchr(d->buf, '?', d->len) != NULL ? "&" : "?", 1);
    dump_add(d, key, strlen(key));
    if (value != NULL) {
        dump_add(d, "=", 1);
        dump_add(d, value, strlen(value));
    }
    return MHD_YES;
}

/* Writes DATA to DIR/_received/NAME via a temporary name and rename(), so a polling test
 * never sees a half-written file. */
static int record_write(const char *dir, const char *name, const char *data, size_t len)
{
    char tmp[FP_PATH_MAX + 64], final[FP_PATH_MAX + 64];
    size_t done = 0;
    int fd, n1, n2;

    n1 = snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
    n2 = snprintf(final, sizeof final, "%s/%s", dir, name);
    if (n1 <= 0 || (size_t)n1 >= sizeof tmp || n2 <= 0 || (size_t)n2 >= sizeof final)
        return -1;
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(fd);
            unlink(tmp);
            return -1;
        }
        done += (size_t)n;
    }
    if (close(fd) != 0 || rename(tmp, final) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

static void record_post(struct peer *peer, struct MHD_Connection *c, const char *url,
                        const char *version, const struct conn *cc, unsigned status)
{
    struct header_dump d = {0};
    char dir[FP_PATH_MAX + 32], name[64], code[16];
    unsigned long seq;
    int n;

    if (!root_path(peer, "/_received", "", dir, sizeof dir))
        return;
    d.buf = malloc(FP_HEADER_MAX + 1);
    if (d.buf == NULL)
        return;
    dump_add(&d, "POST ", 5);
    dump_add(&d, url, strlen(url));
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, dump_arg, &d);
    dump_add(&d, " ", 1);
    dump_add(&d, version, strlen(version));
    dump_add(&d, "\n", 1);
    MHD_get_connection_values(c, MHD_HEADER_KIND, dump_header, &d);
    pthread_mutex_lock(&peer->lock);
    seq = ++peer->seq;
    pthread_mutex_unlock(&peer->lock);
    n = snprintf(code, sizeof code, "%u\n", status);
    snprintf(name, sizeof name, "%06lu.headers", seq);
    if (record_write(dir, name, d.buf, d.len) != 0)
        fprintf(stderr, "fakepeer: cannot write %s/%s\n", dir, name);
    snprintf(name, sizeof name, "%06lu.status", seq);
    if (record_write(dir, name, code, (size_t)n) != 0)
        fprintf(stderr, "fakepeer: cannot write %s/%s\n", dir, name);
    snprintf(name, sizeof name, "%06lu.json", seq);
    if (record_write(dir, name, cc->body != NULL ? cc->body : "", cc->len) != 0)
        fprintf(stderr, "fakepeer: cannot write %s/%s\n", dir, name);
    free(d.buf);
}

static enum MHD_Result serve_post(struct peer *peer, struct MHD_Connection *c, const char *url,
                                  const char *version, const struct conn *cc)
{
    char path[FP_PATH_MAX + 64];
    uint64_t status = 202, delay = 0, hold = 0;
    bool per_path = url_path_ok(url) && root_path(peer, url, ".post_status", path, sizeof path) &&
                    ctl_number(path, 100, 599, &status);

    if (cc->too_big)
        return reply(c, 413, NULL, 0, NULL, NULL, NULL);
    if (!per_path && root_path(peer, "/_post_status", "", path, sizeof path))
        ctl_number(path, 100, 599, &status);
    if (root_path(peer, "/_post_delay", "", path, sizeof path) &&
        ctl_number(path, 0, FP_DELAY_MAX, &delay))
        sleep_ms(delay);
    record_post(peer, c, url, version, cc, (unsigned)status);
    if (root_path(peer, "/_post_hold", "", path, sizeof path) &&
        ctl_number(path, 0, FP_DELAY_MAX, &hold))
        sleep_ms(hold);
    return reply(c, (unsigned)status, NULL, 0, NULL, NULL, NULL);
}

static bool body_add(struct conn *cc, const char *data, size_t n)
{
    size_t cap;
    char *p;

    if (cc->too_big || n > FP_BODY_MAX - cc->len) {
        cc->too_big = true;
        return true;
    }
    if (cc->len + n + 1 > cc->cap) {
        cap = cc->cap ? cc->cap : 4096;
        while (cap < cc->len + n + 1)
            cap *= 2;
        p = realloc(cc->body, cap);
        if (p == NULL)
            return false;
        cc->body = p;
        cc->cap = cap;
    }
    memcpy(cc->body + cc->len, data, n);
    cc->len += n;
    cc->body[cc->len] = '\0';
    return true;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct peer *peer = cls;
    struct conn *cc = *con_cls;

    if (cc == NULL) {
        cc = calloc(1, sizeof *cc);
        if (cc == NULL)
            return MHD_NO;
        *con_cls = cc;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (!body_add(cc, upload_data, *upload_data_size))
            return MHD_NO;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
        return serve_get(peer, c, method, url);
    if (strcmp(method, "POST") == 0)
        return serve_post(peer, c, url, version, cc);
    return reply(c, 405, NULL, 0, NULL, NULL, NULL);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct conn *cc = *con_cls;

    (void)cls;
    (void)c;
    (void)toe;
    if (cc != NULL) {
        free(cc->body);
        free(cc);
        *con_cls = NULL;
    }
}

/* Continues numbering after whatever a previous run left in _received. */
static int received_init(struct peer *peer)
{
    char dir[FP_PATH_MAX + 32];
    struct dirent *e;
    DIR *d;

    if (!root_path(peer, "/_received", "", dir, sizeof dir))
        return -1;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return -1;
    d = opendir(dir);
    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        char num[16];
        size_t k = strspn(e->d_name, "0123456789");
        uint64_t v;

        if (k == 0 || k >= sizeof num || e->d_name[k] != '.')
            continue;
        memcpy(num, e->d_name, k);
        num[k] = '\0';
        if (hr_parse_u64(num, 999999999, &v) == HR_OK && v > peer->seq)
            peer->seq = (unsigned long)v;
    }
    closedir(d);
    return 0;
}

/* "127.x.y.z:PORT" only: the tests must never talk to anything beyond loopback. */
static int listen_parse(const char *s, struct sockaddr_in *sa)
{
    char host[64];
    const char *colon = strrchr(s, ':');
    uint64_t port;

    if (colon == NULL || (size_t)(colon - s) >= sizeof host)
        return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    if (hr_parse_u64(colon + 1, 65535, &port) != HR_OK)
        return -1;
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
        return -1;
    if ((ntohl(sa->sin_addr.s_addr) >> 24) != 127)
        return -1;
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: fakepeer --listen 127.x.y.z:PORT --root DIR\n");
    return 2;
}

int main(int argc, char **argv)
{
    static struct peer peer;
    struct sockaddr_in sa;
    struct MHD_Daemon *d = NULL;
    const union MHD_DaemonInfo *info;
    const char *listen_addr = NULL, *root = NULL;
    sigset_t set;
    int i, sig = 0, n;

    for (i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--listen") == 0)
            listen_addr = argv[i + 1];
        else if (strcmp(argv[i], "--root") == 0)
            root = argv[i + 1];
        else
            return usage();
    }
    if (i != argc || listen_addr == NULL || root == NULL)
        return usage();
    if (listen_parse(listen_addr, &sa) != 0) {
        fprintf(stderr, "fakepeer: --listen must be 127.x.y.z:PORT, not %s\n", listen_addr);
        return 2;
    }
    n = snprintf(peer.root, sizeof peer.root, "%s", root);
    if (n <= 0 || (size_t)n >= sizeof peer.root) {
        fprintf(stderr, "fakepeer: --root too long\n");
        return 2;
    }
    while (n > 1 && peer.root[n - 1] == '/')
        peer.root[--n] = '\0';
    if (pthread_mutex_init(&peer.lock, NULL) != 0 || received_init(&peer) != 0) {
        fprintf(stderr, "fakepeer: cannot use %s/_received: %s\n", peer.root, strerror(errno));
        return 1;
    }
    /* Blocked before MHD starts its threads, so only sigwait() below sees them. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                             MHD_USE_POLL | MHD_USE_ERROR_LOG,
                         0, NULL, NULL, on_request, &peer, MHD_OPTION_SOCK_ADDR, &sa,
                         MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                         MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000, MHD_OPTION_CONNECTION_TIMEOUT,
                         (unsigned)30, MHD_OPTION_END);
    if (d == NULL) {
        fprintf(stderr, "fakepeer: cannot listen on %s\n", listen_addr);
        return 1;
    }
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("ready %u\n", info != NULL ? (unsigned)info->port : (unsigned)ntohs(sa.sin_port));
    fflush(stdout);
    while (sigwait(&set, &sig) != 0)
        ;
    MHD_stop_daemon(d);
    pthread_mutex_destroy(&peer.lock);
    return 0;
}
