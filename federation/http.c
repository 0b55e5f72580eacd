/* federation/http.c - outbound HTTP with libcurl: signed one-shot GETs (redirects followed
 * by hand, so each hop is re-checked and re-signed) and the curl-multi POST engine of the
 * delivery worker. Every transfer goes through the same guard: scheme list, address check
 * at connect time (ssrf.c), body cap, timeouts, no proxy from the environment. */
#include "federation/http.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "federation/httpsig.h"

#define HTTP_DEFAULT_MAX_BYTES   ((size_t)1024 * 1024)
#define HTTP_DEFAULT_TIMEOUT_MS  10000L
#define HTTP_DEFAULT_REDIRECTS   2
#define HTTP_URL_MAX             8192 /* longer URLs are refused (Mastodon's peers use <300) */
#define HTTP_HOST_MAX            512
#define HTTP_ORIGIN_MAX          (HTTP_HOST_MAX + 32) /* scheme://host[:port] */
#define HTTP_HEADER_MAX          16384
#define HTTP_LOCATION_MAX        HTTP_URL_MAX
#define HTTP_RETRY_AFTER_MAX     64 /* longest IMF-fixdate is 29 bytes */
#define HTTP_RETRY_AFTER_LIMIT_S ((uint64_t)365 * 86400)

/* ---- process-wide libcurl initialisation ---- */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* curl_global_init is not thread-safe and must run once before any other curl call;
 * doing it lazily here keeps every caller (CLI, server, tests) correct without a hook. */
static int http_global_init(struct hr_err *err)
{
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK)
        return hr_fail(err, HR_EINTERNAL, "curl_global_init: %s", curl_easy_strerror(curl_init_rc));
    return HR_OK;
}

/* ---- URLs (curl_url; never parsed by hand) ---- */

/* The parts Herald uses of one parsed URL; strings belong to curl (curl_free). */
struct url_view {
    char *scheme, *host, *port, *path, *query;
};

static void url_view_fini(struct url_view *v)
{
    curl_free(v->scheme);
    curl_free(v->host);
    curl_free(v->port);
    curl_free(v->path);
    curl_free(v->query);
    memset(v, 0, sizeof *v);
}

static void ascii_lower(char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
    }
}

static bool url_has_part(CURLU *u, CURLUPart part)
{
    char *s = NULL;
    bool has = curl_url_get(u, part, &s, 0) == CURLUE_OK;

    curl_free(s);
    return has;
}

/* Refuses what must never reach a request: credentials ("https://trusted.example@evil/"
 * is a known confusion trick, and they would be sent as Basic auth) and IPv6 zone ids
 * (link-local by definition). */
static int url_check(CURLU *u, struct hr_err *err)
{
    if (url_has_part(u, CURLUPART_USER) || url_has_part(u, CURLUPART_PASSWORD) ||
        url_has_part(u, CURLUPART_OPTIONS))
        return hr_fail(err, HR_EINVAL, "URL with credentials refused");
    if (url_has_part(u, CURLUPART_ZONEID))
        return hr_fail(err, HR_EINVAL, "URL with an IPv6 zone id refused");
    return HR_OK;
}

static int url_parse(const char *url, CURLU **out, struct hr_err *err)
{
    CURLU *u = NULL;
    CURLUcode uc;
    int rc;

    if (url == NULL || strlen(url) > HTTP_URL_MAX)
        return hr_fail(err, HR_EINVAL, "URL missing or over %d bytes", HTTP_URL_MAX);
    u = curl_url();
    if (u == NULL)
        return hr_fail(err, HR_ENOMEM, "curl_url");
    uc = curl_url_set(u, CURLUPART_URL, url, 0);
    if (uc != CURLUE_OK)
        rc = hr_fail(err, HR_EINVAL, "bad URL: %s", curl_url_strerror(uc));
    else
        rc = url_check(u, err);
    if (rc == HR_OK) {
        *out = u;
        u = NULL;
    }
    curl_url_cleanup(u);
    return rc;
}

static bool ascii_only(const char *s)
{
    for (; *s != '\0'; s++) {
        if ((unsigned char)*s >= 0x80)
            return false;
    }
    return true;
}

/* Scheme and host lowercased (RFC 3986 §6.2.2.1), host as curl normalised it (percent-
 * decoded, IPv4 in dotted form); the port only when it is not the scheme's default.
 * Internationalised hosts must come in their punycode form: curl sends the ACE form in
 * Host, and curl 7.88's CURLU_PUNYCODE conversion is broken (fails with "out of memory"),
 * so we could not sign what is sent. Fediverse ids use the ACE form anyway. */
static int url_view_get(CURLU *u, struct url_view *v, struct hr_err *err)
{
    CURLUcode port_rc, query_rc;

    memset(v, 0, sizeof *v);
    if (curl_url_get(u, CURLUPART_SCHEME, &v->scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &v->host, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PATH, &v->path, 0) != CURLUE_OK) {
        url_view_fini(v);
        return hr_fail(err, HR_EINVAL, "URL without scheme, host or path");
    }
    port_rc = curl_url_get(u, CURLUPART_PORT, &v->port, CURLU_NO_DEFAULT_PORT);
    query_rc = curl_url_get(u, CURLUPART_QUERY, &v->query, 0);
    if ((port_rc != CURLUE_OK && port_rc != CURLUE_NO_PORT) ||
        (query_rc != CURLUE_OK && query_rc != CURLUE_NO_QUERY)) {
        url_view_fini(v);
        return hr_fail(err, HR_EINVAL, "bad URL port or query");
    }
    if (!ascii_only(v->host)) {
        url_view_fini(v);
        return hr_fail(err, HR_EINVAL, "non-ASCII host: use its punycode form");
    }
    ascii_lower(v->scheme);
    ascii_lower(v->host);
    return HR_OK;
}

static void view_host(const struct url_view *v, struct hr_buf *b)
{
    hr_buf_adds(b, v->host);
    if (v->port != NULL)
        hr_buf_addf(b, ":%s", v->port);
}

/* The request-target of an origin-form request (RFC 9110 §7.1): path and query, no
 * fragment; an empty query ("?") is dropped, as curl drops it on the wire. */
static void view_target(const struct url_view *v, struct hr_buf *b)
{
    hr_buf_adds(b, v->path);
    if (v->query != NULL && v->query[0] != '\0')
        hr_buf_addf(b, "?%s", v->query);
}

static void view_origin(const struct url_view *v, struct hr_buf *b)
{
    hr_buf_addf(b, "%s://", v->scheme);
    view_host(v, b);
}

static bool view_is_http(const struct url_view *v)
{
    return strcmp(v->scheme, "https") == 0 || strcmp(v->scheme, "http") == 0;
}

/* Plain http only for loopback testing: a man in the middle could otherwise swap the
 * documents (keys!) we fetch. Checked first, so a file: or ftp: URL is refused as a
 * scheme whatever else is wrong with it. */
static int url_scheme_allowed(CURLU *u, bool allow_private, struct hr_err *err)
{
    char *scheme = NULL;
    int rc;

    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
        curl_free(scheme);
        return hr_fail(err, HR_EINVAL, "URL without scheme");
    }
    ascii_lower(scheme);
    if (strcmp(scheme, "https") == 0 || (allow_private && strcmp(scheme, "http") == 0))
        rc = HR_OK;
    else
        rc = hr_fail(err, HR_EFORBIDDEN, "scheme %s refused", scheme);
    curl_free(scheme);
    return rc;
}

static int url_string(CURLU *u, char **out, struct hr_err *err)
{
    char *s = NULL;
    char *copy = NULL;

    if (curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK)
        copy = strdup(s);
    curl_free(s);
    if (copy == NULL)
        return hr_fail(err, HR_ENOMEM, "URL string");
    *out = copy;
    return HR_OK;
}

static int buf_rc(const struct hr_buf *b, const char *what, struct hr_err *err)
{
    if (b->err == HR_OK)
        return HR_OK;
    return hr_fail(err, b->err == HR_ETOOBIG ? HR_ETOOBIG : HR_ENOMEM, "%s too long", what);
}

typedef void (*view_render_fn)(const struct url_view *v, struct hr_buf *b);

static int url_render(const char *url, view_render_fn render, char *out, size_t out_size,
                      struct hr_err *err)
{
    struct url_view v = {0};
    struct hr_buf b;
    CURLU *u = NULL;
    int rc;

    if (out == NULL || out_size == 0)
        return hr_fail(err, HR_EINVAL, "no output buffer");
    hr_buf_init(&b, out_size - 1);
    rc = http_global_init(err);
    if (rc == HR_OK)
        rc = url_parse(url, &u, err);
    if (rc == HR_OK)
        rc = url_view_get(u, &v, err);
    if (rc == HR_OK && !view_is_http(&v))
        rc = hr_fail(err, HR_EINVAL, "not an http(s) URL");
    if (rc == HR_OK) {
        render(&v, &b);
        rc = buf_rc(&b, "URL part", err);
    }
    if (rc == HR_OK)
        memcpy(out, b.data, b.len + 1);
    hr_buf_fini(&b);
    url_view_fini(&v);
    curl_url_cleanup(u);
    return rc;
}

int fed_url_host(const char *url, char *out, size_t out_size, struct hr_err *err)
{
    return url_render(url, view_host, out, out_size, err);
}

int fed_url_origin(const char *url, char *out, size_t out_size, struct hr_err *err)
{
    return url_render(url, view_origin, out, out_size, err);
}

int fed_url_target(const char *url, char *out, size_t out_size, struct hr_err *err)
{
    return url_render(url, view_target, out, out_size, err);
}

/* ---- one transfer: guard, body sink, options, outcome ---- */

struct guard {
    bool allow_private;
    bool refused; /* the address check refused a connect: HR_EFORBIDDEN, not HR_ENET */
};

struct sink {
    struct hr_buf buf;
    size_t max, seen;
    bool keep;    /* GET keeps the body; POST only counts it */
    bool too_big; /* the write callback stopped the transfer at max */
};

/* What every transfer carries for the callbacks; it must outlive the transfer. */
struct xfer {
    struct guard guard;
    struct sink sink;
    char errbuf[CURL_ERROR_SIZE];
};

static void xfer_init(struct xfer *x, const struct fed_http_opts *o, bool keep)
{
    memset(x, 0, sizeof *x);
    x->guard.allow_private = o->allow_private;
    hr_buf_init(&x->sink.buf, o->max_bytes);
    x->sink.max = o->max_bytes;
    x->sink.keep = keep;
}

/* CURLOPT_OPENSOCKETFUNCTION: curl calls this with each resolved address just before it
 * connects, so the check sees exactly what is connected to (no DNS rebinding window). */
static curl_socket_t guard_open(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
    struct guard *g = clientp;
    int type = a->socktype;

    (void)purpose;
    if (!g->allow_private && !fed_addr_is_public(&a->addr)) {
        g->refused = true;
        return CURL_SOCKET_BAD;
    }
#ifdef SOCK_CLOEXEC
    type |= SOCK_CLOEXEC; /* never leak connections into a child process */
#endif
    return socket(a->family, type, a->protocol);
}

/* The cap is checked here as well as by CURLOPT_MAXFILESIZE_LARGE because a chunked or
 * close-delimited body has no Content-Length for curl to check up front. */
static size_t sink_write(char *p, size_t size, size_t n, void *userdata)
{
    struct sink *s = userdata;
    size_t len = size * n;

    if (len > s->max - s->seen) {
        s->too_big = true;
        return 0; /* CURLE_WRITE_ERROR */
    }
    s->seen += len;
    if (!s->keep)
        return len;
    hr_buf_add(&s->buf, p, len);
    return s->buf.err == HR_OK ? len : 0;
}

static int easy_setup(CURL *e, const struct fed_http_opts *o, struct xfer *x, long timeout_ms,
                      struct hr_err *err)
{
    const char *protocols = o->allow_private ? "http,https" : "https";
    bool bad = false;

    bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK; /* threads: no SIGALRM */
    /* An environment proxy would connect for us and bypass the address check. */
    bad |= curl_easy_setopt(e, CURLOPT_PROXY, "") != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, protocols) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, protocols) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, guard_open) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, &x->guard) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink_write) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_WRITEDATA, &x->sink) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_bytes) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_USERAGENT, o->user_agent) != CURLE_OK;
    bad |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf) != CURLE_OK;
    return bad ? hr_fail(err, HR_EINTERNAL, "curl_easy_setopt failed") : HR_OK;
}

/* Maps a finished transfer to an hr_rc. The cap is tested before the guard: when one
 * of several addresses was refused and another connected, the guard flag is set although
 * the transfer went on. */
static int transfer_rc(CURLcode c, const struct xfer *x, const char *method, const char *host,
                       struct hr_err *err)
{
    if (c == CURLE_OK)
        return HR_OK;
    if (x->sink.too_big || c == CURLE_FILESIZE_EXCEEDED)
        return hr_fail(err, HR_ETOOBIG, "%s %s: response body over %zu bytes", method, host,
                       x->sink.max);
    if (x->guard.refused)
        return hr_fail(err, HR_EFORBIDDEN, "%s %s: address refused (not public)", method, host);
    if (c == CURLE_OUT_OF_MEMORY || x->sink.buf.err == HR_ENOMEM)
        return hr_fail(err, HR_ENOMEM, "%s %s: out of memory", method, host);
    if (c == CURLE_UNSUPPORTED_PROTOCOL)
        return hr_fail(err, HR_EFORBIDDEN, "%s %s: scheme refused", method, host);
    return hr_fail(err, HR_ENET, "%s %s: %s", method, host,
                   x->errbuf[0] != '\0' ? x->errbuf : curl_easy_strerror(c));
}

/* A response header of the final response, through curl's own header parser. Values
 * longer than MAX are treated as absent: nothing a peer sends is copied unbounded. */
static int header_dup(CURL *e, const char *name, size_t max, char **out)
{
    struct curl_header *h = NULL;

    *out = NULL;
    if (curl_easy_header(e, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK)
        return HR_OK;
    if (strlen(h->value) > max)
        return HR_OK;
    *out = strdup(h->value);
    return *out != NULL ? HR_OK : HR_ENOMEM;
}

/* RFC 9110 §10.2.3: delay-seconds or an HTTP-date. -1 when absent or malformed. */
static int64_t retry_after_parse(const char *v, int64_t now_ms)
{
    uint64_t s;
    int64_t when;

    if (v == NULL)
        return -1;
    if (hr_parse_u64(v, HTTP_RETRY_AFTER_LIMIT_S, &s) == HR_OK)
        return (int64_t)s;
    if (hr_http_date_parse(v, &when) != HR_OK)
        return -1;
    if (when <= now_ms)
        return 0;
    return (when - now_ms + 999) / 1000;
}

static bool has_crlf(const char *s)
{
    return strpbrk(s, "\r\n") != NULL;
}

static int slist_add(struct curl_slist **l, const char *name, const char *value, struct hr_err *err)
{
    struct curl_slist *n = NULL;
    struct hr_buf b;

    hr_buf_init(&b, HTTP_HEADER_MAX);
    hr_buf_addf(&b, "%s: %s", name, value);
    if (b.err == HR_OK)
        n = curl_slist_append(*l, b.data);
    hr_buf_fini(&b);
    if (n == NULL)
        return hr_fail(err, HR_ENOMEM, "%s header", name);
    *l = n;
    return HR_OK;
}

static struct fed_http_opts opts_resolve(const struct fed_http_opts *in)
{
    struct fed_http_opts o = {0};

    if (in != NULL)
        o = *in;
    if (o.max_bytes == 0)
        o.max_bytes = HTTP_DEFAULT_MAX_BYTES;
    if (o.timeout_ms <= 0)
        o.timeout_ms = HTTP_DEFAULT_TIMEOUT_MS;
    /* 0 is a real setting here (server config fetch_max_redirects = 0: follow none), so
     * only a negative value asks for the default; 0 for the others would be meaningless. */
    if (o.max_redirects < 0)
        o.max_redirects = HTTP_DEFAULT_REDIRECTS;
    if (o.user_agent == NULL)
        o.user_agent = "Herald/" HERALD_VERSION;
    return o;
}

/* ---- signed GET ---- */

/* What one request of a GET produced. */
struct hop {
    struct xfer x;
    long status;
    char *content_type, *location, *retry_after;
};

static void hop_fini(struct hop *h)
{
    hr_buf_fini(&h->x.sink.buf);
    free(h->content_type);
    free(h->location);
    free(h->retry_after);
    memset(h, 0, sizeof *h);
}

/* Host is set by us, not by curl, so that it is exactly the value that was signed. */
static int get_headers(const struct url_view *v, const char *accept,
                       const struct fed_signer *signer, struct curl_slist **out, struct hr_err *err)
{
    struct curl_slist *l = NULL;
    struct hr_buf host, target;
    char date[32];
    char *sig = NULL;
    int rc;

    hr_buf_init(&host, HTTP_HOST_MAX);
    hr_buf_init(&target, HTTP_URL_MAX);
    view_host(v, &host);
    view_target(v, &target);
    hr_http_date(hr_now_ms(), date);
    rc = buf_rc(&host, "host", err);
    if (rc == HR_OK)
        rc = buf_rc(&target, "request target", err);
    if (rc == HR_OK && signer != NULL)
        rc = fed_sig_sign(signer->key, signer->key_id, "GET", target.data, host.data, date, NULL,
                          NULL, &sig, err);
    if (rc == HR_OK)
        rc = slist_add(&l, "Host", host.data, err);
    if (rc == HR_OK)
        rc = slist_add(&l, "Date", date, err);
    if (rc == HR_OK)
        rc = slist_add(&l, "Accept", accept, err);
    if (rc == HR_OK && sig != NULL)
        rc = slist_add(&l, "Signature", sig, err);
    if (rc == HR_OK) {
        *out = l;
        l = NULL;
    }
    curl_slist_free_all(l);
    free(sig);
    hr_buf_fini(&host);
    hr_buf_fini(&target);
    return rc;
}

static int hop_capture(CURL *e, struct hop *h, struct hr_err *err)
{
    char *ct = NULL;
    int rc = HR_OK;

    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &h->status);
    curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &ct);
    if (ct != NULL && (h->content_type = strdup(ct)) == NULL)
        rc = HR_ENOMEM;
    if (rc == HR_OK)
        rc = header_dup(e, "Location", HTTP_LOCATION_MAX, &h->location);
    if (rc == HR_OK)
        rc = header_dup(e, "Retry-After", HTTP_RETRY_AFTER_MAX, &h->retry_after);
    return rc == HR_OK ? HR_OK : hr_fail(err, rc, "response headers: out of memory");
}

static int get_perform(CURL *e, const char *url, struct curl_slist *headers, const char *host,
                       struct hop *h, struct hr_err *err)
{
    struct hr_err detail = {0};
    int rc;

    if (curl_easy_setopt(e, CURLOPT_URL, url) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers) != CURLE_OK)
        return hr_fail(err, HR_EINTERNAL, "curl_easy_setopt failed");
    rc = transfer_rc(curl_easy_perform(e), &h->x, "GET", host, &detail);
    if (rc == HR_ENET) {
        /* curl's text tells a remote caller whether a name resolved or a port is open
         * (a probe of our network view): it goes to the log, the caller gets a code */
        hr_log(HR_LOG_INFO, "fed", "GET host=%s failed: %s", host, detail.msg);
        rc = hr_fail(err, HR_ENET, "GET %s: fetch_failed", host);
    } else if (rc != HR_OK) {
        hr_fail(err, rc, "%s", detail.msg);
    }
    if (rc == HR_OK)
        rc = hop_capture(e, h, err);
    hr_log(HR_LOG_DEBUG, "fed", "%s: GET host=%s status=%ld rc=%s", __func__, host, h->status,
           hr_rc_name(rc));
    return rc;
}

/* The origin of U ("scheme://host[:port]", lowercase) into OUT. */
static int hop_origin(CURLU *u, char *out, size_t cap, struct hr_err *err)
{
    struct url_view v = {0};
    struct hr_buf b;
    int rc = url_view_get(u, &v, err);

    hr_buf_init(&b, cap - 1);
    if (rc == HR_OK) {
        view_origin(&v, &b);
        rc = buf_rc(&b, "origin", err);
    }
    if (rc == HR_OK)
        memcpy(out, b.data, b.len + 1);
    hr_buf_fini(&b);
    url_view_fini(&v);
    return rc;
}

/* Before a hop connects: its scheme, the caller's domain policy on its URL, then the
 * origin rule. FIRST (HTTP_ORIGIN_MAX bytes) is the origin of the first hop, set by it.
 * *SIGNED says whether this hop may carry the signature: only on FIRST's origin. */
static int hop_check(const struct fed_http_opts *o, CURLU *u, char *first, bool redirect,
                     bool *signed_hop, struct hr_err *err)
{
    char origin[HTTP_ORIGIN_MAX], *url = NULL;
    int rc = url_scheme_allowed(u, o->allow_private, err);

    if (rc == HR_OK)
        rc = url_string(u, &url, err);
    if (rc == HR_OK && o->hop_allowed != NULL && !o->hop_allowed(o->hop_ctx, url))
        rc = hr_fail(err, HR_EFORBIDDEN, "%s to a blocked (or not allowed) domain refused",
                     redirect ? "redirect" : "GET");
    free(url);
    if (rc == HR_OK)
        rc = hop_origin(u, origin, sizeof origin, err);
    if (rc != HR_OK)
        return rc;
    if (!redirect)
        memcpy(first, origin, sizeof origin);
    *signed_hop = strcmp(origin, first) == 0;
    if (!*signed_hop && o->same_origin_only)
        return hr_fail(err, HR_EFORBIDDEN, "redirect to another origin refused");
    return HR_OK;
}

/* One request of a GET, after hop_check (scheme, domain policy, origin; FIRST and
 * REDIRECT as there): signed by SIGNER again for every hop on the first origin (a redirect
 * may go to another path), and never for a hop on another origin. */
static int get_hop(CURL *e, const struct fed_http_opts *o, CURLU *u, const char *accept,
                   const struct fed_signer *signer, char *first, bool redirect,
                   int64_t deadline, struct hop *h, struct hr_err *err)
{
    struct url_view v = {0};
    struct curl_slist *headers = NULL;
    char *url = NULL;
    long left = (long)(deadline - hr_mono_ms());
    bool same_origin = false;
    int rc;

    xfer_init(&h->x, o, true);
    rc = hop_check(o, u, first, redirect, &same_origin, err);
    if (rc == HR_OK)
        rc = url_view_get(u, &v, err);
    if (rc == HR_OK)
        rc = get_headers(&v, accept, same_origin ? signer : NULL, &headers, err);
    if (rc == HR_OK)
        rc = url_string(u, &url, err);
    if (rc == HR_OK && left <= 0)
        rc = hr_fail(err, HR_ENET, "GET %s: timed out", v.host);
    if (rc == HR_OK)
        rc = easy_setup(e, o, &h->x, left, err);
    if (rc == HR_OK)
        rc = get_perform(e, url, headers, v.host, h, err);
    free(url);
    curl_slist_free_all(headers);
    url_view_fini(&v);
    return rc;
}

static bool status_is_redirect(long status)
{
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* RFC 9110 §10.2.2: Location may be relative; it is resolved against the URL that
 * answered by setting it on a copy of that URL, as curl itself would. */
static int url_follow(CURLU *cur, const char *location, CURLU **out, struct hr_err *err)
{
    CURLU *next = curl_url_dup(cur);
    CURLUcode uc;
    int rc;

    if (next == NULL)
        return hr_fail(err, HR_ENOMEM, "curl_url_dup");
    uc = curl_url_set(next, CURLUPART_URL, location, 0);
    if (uc == CURLUE_UNSUPPORTED_SCHEME)
        rc = hr_fail(err, HR_EFORBIDDEN, "redirect to an unsupported scheme refused");
    else if (uc != CURLUE_OK)
        rc = hr_fail(err, HR_ENET, "bad redirect Location: %s", curl_url_strerror(uc));
    else
        rc = url_check(next, err);
    if (rc == HR_OK) {
        *out = next;
        next = NULL;
    }
    curl_url_cleanup(next);
    return rc;
}

/* Moves the last hop into R (written only on success). */
static int response_fill(struct hop *h, CURLU *u, struct fed_http_response *r, struct hr_err *err)
{
    struct fed_http_response tmp = {0};
    int rc;

    rc = url_string(u, &tmp.final_url, err);
    if (rc != HR_OK)
        return rc;
    tmp.body_len = h->x.sink.buf.len;
    tmp.body = hr_buf_take(&h->x.sink.buf); /* "" for an empty body */
    if (tmp.body == NULL) {
        fed_http_response_fini(&tmp);
        return hr_fail(err, HR_ENOMEM, "response body");
    }
    tmp.status = h->status;
    tmp.content_type = h->content_type;
    h->content_type = NULL;
    tmp.retry_after = h->retry_after;
    h->retry_after = NULL;
    *r = tmp;
    return HR_OK;
}

static int get_args_check(const char *url, const char *accept, const struct fed_signer *signer,
                          const struct fed_http_response *r, struct hr_err *err)
{
    if (url == NULL || accept == NULL || r == NULL)
        return hr_fail(err, HR_EINVAL, "GET: missing argument");
    if (has_crlf(accept))
        return hr_fail(err, HR_EINVAL, "GET: line break in Accept");
    if (signer != NULL && (signer->key == NULL || signer->key_id == NULL))
        return hr_fail(err, HR_EINVAL, "GET: signer without key or keyId");
    return HR_OK;
}

int fed_http_get(const struct fed_http_opts *opts, const char *url, const char *accept,
                 const struct fed_signer *signer, struct fed_http_response *r, struct hr_err *err)
{
    struct fed_http_opts o = opts_resolve(opts);
    struct hop h = {0};
    CURLU *u = NULL, *next = NULL;
    CURL *e = NULL;
    int64_t deadline = hr_mono_ms() + o.timeout_ms; /* one budget for all hops */
    char first[HTTP_ORIGIN_MAX] = "";
    int rc, hops = 0;

    rc = get_args_check(url, accept, signer, r, err);
    if (rc == HR_OK)
        rc = http_global_init(err);
    if (rc == HR_OK)
        rc = url_parse(url, &u, err);
    if (rc == HR_OK && (e = curl_easy_init()) == NULL)
        rc = hr_fail(err, HR_ENOMEM, "curl_easy_init");
    while (rc == HR_OK) {
        rc = get_hop(e, &o, u, accept, signer, first, hops > 0, deadline, &h, err);
        if (rc != HR_OK || !status_is_redirect(h.status) || h.location == NULL)
            break;
        if (hops++ >= o.max_redirects) {
            rc = hr_fail(err, HR_ENET, "too many redirects");
            break;
        }
        rc = url_follow(u, h.location, &next, err);
        curl_url_cleanup(u);
        u = next;
        next = NULL;
        hop_fini(&h);
    }
    if (rc == HR_OK)
        rc = response_fill(&h, u, r, err);
    hop_fini(&h);
    curl_easy_cleanup(e);
    curl_url_cleanup(u);
    return rc;
}

void fed_http_response_fini(struct fed_http_response *r)
{
    if (r == NULL)
        return;
    free(r->content_type);
    free(r->body);
    free(r->final_url);
    free(r->retry_after);
    memset(r, 0, sizeof *r);
}

/* ---- asynchronous POST engine ---- */

/* One queued or running POST; owns copies of everything curl reads during the transfer. */
struct post {
    struct xfer x;
    CURL *easy;
    struct curl_slist *headers;
    char *url, *origin, *body; /* origin: the per-host limit's key and the log's host */
    size_t len;
    void *user;
    struct post *prev, *next;
};

struct post_list {
    struct post *head, *tail;
    size_t n;
};

/* Transfers wait in QUEUED and are handed to curl only when a connection slot is free
 * for them: curl starts a transfer's timeout clock when it is added, even when its own
 * connection limits then park it, so a POST queued behind a slow host would time out
 * unsent (seen with curl 7.88). The curl limits are set as well, as a backstop. */
struct fed_poster {
    CURLM *multi;
    struct fed_http_opts opts;
    char *user_agent; /* opts.user_agent points here */
    size_t max_total, max_per_host;
    struct post_list queued, running;
    bool dirty;        /* queue grew or a slot was freed since the last start */
    /* finished transfers' easy handles, reset, for the next ones: a fan-out would
     * otherwise allocate and free curl's buffers for every delivery */
    CURL **spare;
    size_t n_spare;
    atomic_bool woken; /* fed_poster_wakeup ran (from any thread) */
};

static void list_append(struct post_list *l, struct post *t)
{
    if (t == NULL) /* never, but gcc -O2 -Wnull-dereference cannot see that */
        return;
    t->prev = l->tail;
    t->next = NULL;
    if (l->tail != NULL)
        l->tail->next = t;
    else
        l->head = t;
    l->tail = t;
    l->n++;
}

static void list_remove(struct post_list *l, struct post *t)
{
    if (t->prev != NULL)
        t->prev->next = t->next;
    else
        l->head = t->next;
    if (t->next != NULL)
        t->next->prev = t->prev;
    else
        l->tail = t->prev;
    t->prev = t->next = NULL;
    l->n--;
}

static void post_free(struct fed_poster *p, struct post *t)
{
    if (t == NULL)
        return;
    if (t->easy != NULL && p != NULL && p->n_spare < p->max_total) {
        curl_easy_reset(t->easy);
        p->spare[p->n_spare++] = t->easy;
    } else {
        curl_easy_cleanup(t->easy);
    }
    curl_slist_free_all(t->headers);
    hr_buf_fini(&t->x.sink.buf);
    free(t->url);
    free(t->origin);
    free(t->body);
    free(t);
}

/* Copies the caller's headers. Line breaks are refused (header injection), and an empty
 * "Expect:" is added: curl would otherwise send "Expect: 100-continue" for large bodies
 * and wait for an interim answer that many inbox servers never send. */
static int post_headers(const char *const *headers, struct curl_slist **l, struct hr_err *err)
{
    struct curl_slist *n;
    bool has_expect = false;
    size_t i;

    for (i = 0; headers != NULL && headers[i] != NULL; i++) {
        if (has_crlf(headers[i]) || strlen(headers[i]) > HTTP_HEADER_MAX)
            return hr_fail(err, HR_EINVAL, "POST: bad header %zu", i);
        if (strncasecmp(headers[i], "Expect:", 7) == 0)
            has_expect = true;
        n = curl_slist_append(*l, headers[i]);
        if (n == NULL)
            return hr_fail(err, HR_ENOMEM, "POST headers");
        *l = n;
    }
    if (has_expect)
        return HR_OK;
    n = curl_slist_append(*l, "Expect:");
    if (n == NULL)
        return hr_fail(err, HR_ENOMEM, "POST headers");
    *l = n;
    return HR_OK;
}

static int post_copy(struct post *t, CURLU *u, const char *body, size_t len, struct hr_err *err)
{
    struct url_view v = {0};
    struct hr_buf origin;
    int rc;

    t->body = malloc(len > 0 ? len : 1);
    t->len = len;
    if (t->body == NULL)
        return hr_fail(err, HR_ENOMEM, "POST body of %zu bytes", len);
    if (len > 0)
        memcpy(t->body, body, len);
    hr_buf_init(&origin, HTTP_HOST_MAX);
    rc = url_string(u, &t->url, err);
    if (rc == HR_OK)
        rc = url_view_get(u, &v, err);
    if (rc == HR_OK) {
        view_origin(&v, &origin);
        rc = buf_rc(&origin, "POST origin", err);
    }
    if (rc == HR_OK)
        t->origin = hr_buf_take(&origin);
    hr_buf_fini(&origin);
    url_view_fini(&v);
    return rc;
}

static int post_setup(struct fed_poster *p, struct post *t, struct hr_err *err)
{
    CURL *e = t->easy;
    int rc;

    rc = easy_setup(e, &p->opts, &t->x, p->opts.timeout_ms, err);
    if (rc != HR_OK)
        return rc;
    /* POSTFIELDS is not copied by curl: t->body lives until the transfer is reported. */
    if (curl_easy_setopt(e, CURLOPT_URL, t->url) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_POST, 1L) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->body) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->len) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_PRIVATE, t) != CURLE_OK)
        return hr_fail(err, HR_EINTERNAL, "curl_easy_setopt failed");
    return HR_OK;
}

static int post_new(struct fed_poster *p, CURLU *u, const char *const *headers, const char *body,
                    size_t len, void *user, struct post **out, struct hr_err *err)
{
    struct post *t = calloc(1, sizeof *t);
    int rc;

    if (t == NULL)
        return hr_fail(err, HR_ENOMEM, "POST");
    xfer_init(&t->x, &p->opts, false);
    t->user = user;
    rc = post_copy(t, u, body, len, err);
    if (rc == HR_OK)
        rc = post_headers(headers, &t->headers, err);
    if (rc == HR_OK)
        t->easy = p->n_spare > 0 ? p->spare[--p->n_spare] : curl_easy_init();
    if (rc == HR_OK && t->easy == NULL)
        rc = hr_fail(err, HR_ENOMEM, "curl_easy_init");
    if (rc == HR_OK)
        rc = post_setup(p, t, err);
    if (rc == HR_OK) {
        *out = t;
        t = NULL;
    }
    post_free(p, t);
    return rc;
}

static int poster_limits(struct fed_poster *p)
{
    bool bad = false;

    /* Per-host bound: one slow inbox must not take every connection. The cache keeps
     * max_total idle connections so deliveries to the same host reuse them. */
    bad |=
        curl_multi_setopt(p->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)p->max_total) != CURLM_OK;
    bad |= curl_multi_setopt(p->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)p->max_per_host) !=
           CURLM_OK;
    bad |= curl_multi_setopt(p->multi, CURLMOPT_MAXCONNECTS, (long)p->max_total) != CURLM_OK;
    bad |= curl_multi_setopt(p->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX) != CURLM_OK;
    return bad ? HR_EINTERNAL : HR_OK;
}

int fed_poster_new(const struct fed_http_opts *opts, int max_total, int max_per_host,
                   struct fed_poster **out, struct hr_err *err)
{
    struct fed_poster *p = NULL;
    int rc;

    if (out == NULL || max_total <= 0 || max_per_host <= 0)
        return hr_fail(err, HR_EINVAL, "poster: bad connection limits");
    rc = http_global_init(err);
    if (rc != HR_OK)
        return rc;
    p = calloc(1, sizeof *p);
    if (p == NULL)
        return hr_fail(err, HR_ENOMEM, "poster");
    p->opts = opts_resolve(opts);
    p->user_agent = strdup(p->opts.user_agent);
    p->opts.user_agent = p->user_agent;
    p->max_total = (size_t)max_total;
    p->max_per_host = (size_t)max_per_host;
    p->multi = curl_multi_init();
    p->spare = calloc(p->max_total, sizeof *p->spare);
    if (p->user_agent == NULL || p->multi == NULL || p->spare == NULL)
        rc = hr_fail(err, HR_ENOMEM, "poster");
    else if (poster_limits(p) != HR_OK)
        rc = hr_fail(err, HR_EINTERNAL, "curl_multi_setopt failed");
    if (rc != HR_OK) {
        fed_poster_free(p);
        return rc;
    }
    *out = p;
    return HR_OK;
}

void fed_poster_abandon(struct fed_poster *p, void (*free_user)(void *user))
{
    struct post_list *lists[2];
    struct post *t;

    if (p == NULL)
        return;
    lists[0] = &p->running;
    lists[1] = &p->queued;
    for (size_t i = 0; i < 2; i++) {
        while ((t = lists[i]->head) != NULL) {
            if (i == 0)
                curl_multi_remove_handle(p->multi, t->easy);
            list_remove(lists[i], t);
            if (free_user != NULL)
                free_user(t->user);
            post_free(p, t);
        }
    }
}

void fed_poster_free(struct fed_poster *p)
{
    if (p == NULL)
        return;
    fed_poster_abandon(p, NULL);
    while (p->n_spare > 0)
        curl_easy_cleanup(p->spare[--p->n_spare]);
    free(p->spare);
    curl_multi_cleanup(p->multi);
    free(p->user_agent);
    free(p);
}

int fed_poster_add(struct fed_poster *p, const char *url, const char *const *headers,
                   const char *body, size_t len, void *user, struct hr_err *err)
{
    struct post *t = NULL;
    CURLU *u = NULL;
    int rc;

    if (p == NULL || (body == NULL && len > 0))
        return hr_fail(err, HR_EINVAL, "POST: missing argument");
    rc = url_parse(url, &u, err);
    if (rc == HR_OK)
        rc = url_scheme_allowed(u, p->opts.allow_private, err);
    if (rc == HR_OK)
        rc = post_new(p, u, headers, body, len, user, &t, err);
    if (rc == HR_OK) {
        list_append(&p->queued, t);
        p->dirty = true;
    }
    curl_url_cleanup(u);
    return rc;
}

static void copy_msg(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);

    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* RFC 9421 §5.1 Accept-Signature of a refusal, for the delivery's second knock; one
 * longer than the result holds is dropped (the knock then signs our default). */
static void post_accept_signature(const struct post *t, struct fed_post_result *res)
{
    struct curl_header *h = NULL;

    if (curl_easy_header(t->easy, "Accept-Signature", 0, CURLH_HEADER, -1, &h) == CURLHE_OK &&
        strlen(h->value) < sizeof res->accept_signature)
        copy_msg(res->accept_signature, sizeof res->accept_signature, h->value);
}

static void post_result(const struct post *t, CURLcode c, struct fed_post_result *res)
{
    struct hr_err e = {0};
    char *retry_after = NULL;

    memset(res, 0, sizeof *res);
    res->user = t->user;
    res->retry_after_s = -1;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &res->status);
    /* A status line is all a delivery needs; an over-long answer body is not read. */
    if (res->status > 0 && (t->x.sink.too_big || c == CURLE_FILESIZE_EXCEEDED)) {
        c = CURLE_OK;
        copy_msg(res->errmsg, sizeof res->errmsg, "response body over the cap, not read");
    }
    res->rc = transfer_rc(c, &t->x, "POST", t->origin, &e);
    if (res->rc != HR_OK)
        copy_msg(res->errmsg, sizeof res->errmsg, e.msg);
    if (res->rc == HR_OK && (res->status == 429 || res->status == 503) &&
        header_dup(t->easy, "Retry-After", HTTP_RETRY_AFTER_MAX, &retry_after) == HR_OK)
        res->retry_after_s = retry_after_parse(retry_after, hr_now_ms());
    free(retry_after);
    if (res->rc == HR_OK && (res->status == 401 || res->status == 403))
        post_accept_signature(t, res);
    hr_log(HR_LOG_DEBUG, "fed", "%s: POST host=%s status=%ld rc=%s", __func__, t->origin,
           res->status, hr_rc_name((enum hr_rc)res->rc));
}

static size_t poster_host_load(const struct fed_poster *p, const char *origin)
{
    const struct post *t;
    size_t n = 0;

    for (t = p->running.head; t != NULL; t = t->next)
        n += strcmp(t->origin, origin) == 0;
    return n;
}

/* Hands queued transfers to curl in FIFO order, skipping hosts at their limit (so one
 * slow host does not hold up the others). Reports transfers curl refused to take. */
static int poster_start(struct fed_poster *p,
                        void (*done)(const struct fed_post_result *res, void *ctx), void *ctx)
{
    struct fed_post_result res;
    struct post *t, *next;
    int failed = 0;

    p->dirty = false;
    for (t = p->queued.head; t != NULL && p->running.n < p->max_total; t = next) {
        next = t->next;
        if (poster_host_load(p, t->origin) >= p->max_per_host)
            continue;
        list_remove(&p->queued, t);
        if (curl_multi_add_handle(p->multi, t->easy) == CURLM_OK) {
            list_append(&p->running, t);
            continue;
        }
        memset(&res, 0, sizeof res);
        res.user = t->user;
        res.rc = HR_ENOMEM;
        res.retry_after_s = -1;
        copy_msg(res.errmsg, sizeof res.errmsg, "curl_multi_add_handle failed");
        post_free(p, t);
        if (done != NULL)
            done(&res, ctx);
        failed++;
    }
    return failed;
}

/* Reports finished transfers. DONE runs after the transfer is released, so it may add
 * new POSTs to P. */
static int poster_drain(struct fed_poster *p,
                        void (*done)(const struct fed_post_result *res, void *ctx), void *ctx)
{
    struct fed_post_result res;
    struct post *t;
    CURLMsg *m;
    char *priv;
    int left, n = 0;

    while ((m = curl_multi_info_read(p->multi, &left)) != NULL) {
        if (m->msg != CURLMSG_DONE)
            continue;
        priv = NULL;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
        t = (struct post *)(void *)priv;
        post_result(t, m->data.result, &res); /* m is invalid once the handle is removed */
        curl_multi_remove_handle(p->multi, t->easy);
        list_remove(&p->running, t);
        post_free(p, t);
        p->dirty = true;
        if (done != NULL)
            done(&res, ctx);
        n++;
    }
    return n;
}

/* poll(2) of our own rather than curl's revents: it also reports a hung-up or closed
 * WAKE_FD, which would otherwise turn the wait into a busy loop. */
static bool fd_ready(int fd)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN, .revents = 0};

    return poll(&pfd, 1, 0) > 0;
}

/* Waits for socket activity, WAKE_FD or DEADLINE. Returns true when the run must end. */
static bool poster_wait(struct fed_poster *p, int64_t deadline, int wake_fd)
{
    struct curl_waitfd w = {.fd = wake_fd, .events = CURL_WAIT_POLLIN, .revents = 0};
    int64_t left = deadline - hr_mono_ms();
    int n = 0;

    if (left <= 0)
        return true;
    if (curl_multi_poll(p->multi, wake_fd >= 0 ? &w : NULL, wake_fd >= 0 ? 1u : 0u, (int)left,
                        &n) != CURLM_OK)
        return true;
    if (atomic_exchange(&p->woken, false))
        return true;
    return wake_fd >= 0 && fd_ready(wake_fd);
}

void fed_poster_wakeup(struct fed_poster *p)
{
    atomic_store(&p->woken, true);
    (void)curl_multi_wakeup(p->multi);
}

int fed_poster_run(struct fed_poster *p, int timeout_ms, int wake_fd,
                   void (*done)(const struct fed_post_result *res, void *ctx), void *ctx)
{
    int64_t deadline = hr_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    int reported = 0, running = 0;

    if (p == NULL)
        return 0;
    for (;;) {
        if (p->dirty)
            reported += poster_start(p, done, ctx);
        if (curl_multi_perform(p->multi, &running) != CURLM_OK)
            break;
        reported += poster_drain(p, done, ctx);
        if (reported > 0 || poster_wait(p, deadline, wake_fd))
            break;
    }
    return reported;
}

size_t fed_poster_active(const struct fed_poster *p)
{
    return p != NULL ? p->queued.n + p->running.n : 0;
}

void fed_poster_trim(struct fed_poster *p)
{
    if (p == NULL || fed_poster_active(p) > 0)
        return;
    while (p->n_spare > 0)
        curl_easy_cleanup(p->spare[--p->n_spare]);
}
