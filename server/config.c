/* server/config.c - the configuration file. One table describes every key: its type,
 * default, range and the comment init writes, so parser, defaults and docs agree. */
#include "server/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum ctype { C_STR, C_BOOL, C_U64 };

static const struct ckey {
    const char *name;
    enum ctype type;
    size_t off, size;
    const char *def;
    uint64_t min, max;
    const char *help;
} keys[] = {
#define S(f, d, h) {#f, C_STR, offsetof(struct config, f), sizeof(((struct config *)0)->f), d, 0, 0, h}
#define B(f, d, h) {#f, C_BOOL, offsetof(struct config, f), 0, d, 0, 1, h}
#define U(f, d, lo, hi, h) {#f, C_U64, offsetof(struct config, f), 0, d, lo, hi, h}
    S(domain, "", "host of the handles: @NAME@DOMAIN (required)"),
    S(base_url, "", "public URL peers reach us at, e.g. https://social.city.example (required)"),
    S(listen, "127.0.0.1:8080", "address:port herald serve binds (behind the TLS proxy)"),
    B(allow_private_network, "false",
      "fetch and deliver to http:// and private/loopback addresses (loopback testing only)"),
    U(signature_window, "3600", 30, 86400, "seconds a signed request's Date may differ from now"),
    U(inbox_max_body, "262144", 1024, 16777216, "largest inbox POST body in bytes (413 beyond)"),
    U(media_max_body, "25165824", 1024, 134217728,
      "largest admin API body that carries images (drafts, profile), in bytes"),
    U(json_max_depth, "64", 4, 1000, "deepest JSON nesting accepted from peers"),
    U(json_max_string, "131072", 256, 16777216, "longest JSON string (or key) accepted from peers"),
    U(json_max_items, "10000", 16, 1000000, "most members of one JSON array or object from peers"),
    U(fetch_max_bytes, "1048576", 4096, 67108864, "largest remote document fetched, in bytes"),
    U(fetch_timeout, "10000", 100, 120000, "milliseconds for one remote fetch"),
    U(fetch_max_redirects, "2", 0, 10, "redirects followed by one remote fetch"),
    U(key_refetch_interval, "300", 0, 86400,
      "seconds between refetches of one keyId after a failed signature"),
    U(deliver_concurrency, "64", 1, 4096, "deliveries in flight at once"),
    U(deliver_per_host, "8", 1, 256, "deliveries in flight to one remote host"),
    U(deliver_signers, "0", 0, 64,
      "threads signing deliveries (0 = one per CPU core; signing is most of a fan-out's CPU)"),
    U(deliver_timeout, "15000", 100, 300000, "milliseconds for one delivery POST"),
    U(deliver_give_up, "259200", 60, 2592000, "seconds after which a failing delivery is dropped"),
    U(http_threads, "2", 1, 256, "threads answering HTTP requests (they never wait on peers)"),
    U(inbox_threads, "8", 1, 256,
      "threads verifying inbox requests (they may wait on a peer's key document)"),
    U(max_headers, "64", 8, 1000, "most request headers accepted (431 beyond)"),
    U(max_header_bytes, "16384", 2048, 1048576, "bytes of request line and headers (431 beyond)"),
    U(max_connections, "1024", 8, 65536, "open client connections at most"),
    U(max_connections_per_ip, "64", 1, 65536, "open connections from one client address"),
    U(connection_timeout, "30", 1, 3600, "seconds an idle or dribbling connection is kept"),
    U(map_size_mb, "4096", 16, 1048576, "LMDB map size in MiB (address space, not disk)"),
    U(inbound_max_objects_per_actor, "50000", 0, 1000000000,
      "activities (and Accepts) kept for one remote actor (429 beyond; 0 = no limit)"),
    U(inbound_max_bytes_per_actor, "134217728", 0, 1099511627776,
      "bytes kept for one remote actor, seen ids included (429 beyond; 0 = no limit)"),
    U(inbound_max_objects_per_domain, "1000000", 0, 1000000000,
      "activities kept for one registrable domain (429 beyond; 0 = no limit)"),
    U(inbound_max_bytes_per_domain, "1073741824", 0, 1099511627776,
      "bytes kept for one registrable domain (429 beyond; 0 = no limit)"),
    U(inbound_share_percent, "50", 0, 90,
      "percent of the map inbound data may fill (507 beyond; 0 = no reserve)"),
    U(inbound_retention_days, "30", 0, 3650,
      "days received activities are kept before the server prunes them (0 = kept)"),
    U(seen_retention_days, "30", 0, 3650,
      "days ids of processed activities are kept for duplicate detection (0 = kept)"),
    S(log_level, "info", "error, warn, info or debug"),
    S(federation_mode, "open",
      "open (everyone but blocked domains) or allowlist (only domains added with herald domain allow)"),
    U(inbox_rate_per_minute, "6000", 0, 10000000,
      "inbox requests one remote host may send per minute (429 beyond; 0 = no limit)"),
    U(key_fetch_max_total, "6", 1, 256,
      "key fetches in flight at once (keep 2 or more below inbox_threads; 503 beyond, not queued)"),
    U(key_fetch_max_per_domain, "2", 1, 256,
      "key fetches in flight for one registrable domain, subdomains together (503 beyond)"),
    U(key_fetch_timeout, "10000", 100, 120000,
      "milliseconds to fetch an inbox request's key document and its owner"),
    U(key_fail_cache, "300", 0, 86400,
      "seconds a failed key fetch is remembered by keyId and not retried (0 = off)"),
    U(inbox_queue_max, "256", 0, 1000000,
      "inbox POSTs waiting for a verifier (503 beyond, before the body is read; 0 = no limit)"),
    U(inbox_actor_per_second, "30", 0, 1000000,
      "activities one remote actor may send per second (429 beyond; 0 = no limit)"),
    U(inbox_follows_per_minute, "1000", 0, 10000000,
      "new Follows one remote registrable domain may send per minute (429 beyond; 0 = no limit)"),
    S(http_signature_first, "cavage",
      "signature scheme of a delivery's first knock: cavage (draft-cavage) or rfc9421"),
    U(website_recheck_hours, "24", 0, 8760,
      "hours between rechecks of each account's website rel=me link (0 = only after a change)"),
    S(trust_anchors, "",
      "issuer actor URLs (space-separated) whose attestations this server trusts (attest verify, /verify)"),
    U(verify_rate_per_minute, "10", 0, 100000,
      "/verify requests one client address may make per minute (429 beyond; 0 = no limit)"),
    S(languages, "en",
      "the instance's languages, in order (en, zh): account type labels and disclaimers"),
    S(timezone, "UTC",
      "time zone of dates on pages and feeds, as in /usr/share/zoneinfo (Asia/Shanghai)"),
    U(poll_update_minutes, "5", 0, 1440,
      "minutes between result updates (Update(Question)) of a poll with new votes; 0 = each second"),
    U(page_cache_mb, "8", 0, 4096,
      "MiB of rendered public pages, feeds and documents kept until the next write (0 = off)"),
    S(metrics_listen, "",
      "ADDR:PORT of a second listener serving only /metrics, without auth (a private interface)"),
    S(metrics_token, "",
      "bearer token (16+ characters) for /metrics on the main listener; neither set: 404"),
#undef S
#undef B
#undef U
};

static int set_value(struct config *c, const struct ckey *k, const char *v, const char *where,
                     struct hr_err *err)
{
    char *field = (char *)c + k->off;
    uint64_t n;

    switch (k->type) {
    case C_STR:
        if (strlen(v) >= k->size)
            return hr_fail(err, HR_EINVAL, "%s: value of '%s' is too long (at most %zu bytes): '%.40s'",
                           where, k->name, k->size - 1, v);
        memcpy(field, v, strlen(v) + 1);
        return HR_OK;
    case C_BOOL:
        if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
            return hr_fail(err, HR_EINVAL, "%s: '%s' must be true or false", where, k->name);
        *(bool *)(void *)field = strcmp(v, "true") == 0;
        return HR_OK;
    case C_U64:
        if (hr_parse_u64(v, k->max, &n) != HR_OK || n < k->min)
            return hr_fail(err, HR_EINVAL, "%s: '%s' must be a whole number from %llu to %llu",
                           where, k->name, (unsigned long long)k->min,
                           (unsigned long long)k->max);
        *(uint64_t *)(void *)field = n;
        return HR_OK;
    }
    return HR_EINTERNAL;
}

void config_defaults(struct config *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        set_value(c, &keys[i], keys[i].def, "defaults", NULL);
}

static char *trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

/* Cuts a trailing comment: a '#' after a space or tab starts one ("log_level = debug  #
 * more detail"); a '#' right after another character is part of the value ("a#b"). */
static void cut_comment(char *s)
{
    for (char *p = s; *p != '\0'; p++)
        if (*p == '#' && p > s && (p[-1] == ' ' || p[-1] == '\t')) {
            *p = '\0';
            return;
        }
}

/* Checks beyond the type and range of the table, for keys whose values have a syntax. */
static int check_value(const struct config *c, const struct ckey *k, const char *where,
                       struct hr_err *err)
{
    if (k->off == offsetof(struct config, listen)) {
        struct hr_err e = {0};
        if (config_listen_parse(c->listen, NULL, NULL, &e) != HR_OK)
            return hr_fail(err, HR_EINVAL, "%s: %s", where, e.msg);
    }
    if (k->off == offsetof(struct config, timezone)) {
        char path[128];
        struct stat st;
        /* a zoneinfo name: no "..", no leading '/', and the file must exist */
        snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", c->timezone);
        if (c->timezone[0] == '\0' || c->timezone[0] == '/' || strstr(c->timezone, "..") ||
            strspn(c->timezone, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+-/") !=
                strlen(c->timezone) ||
            (strcmp(c->timezone, "UTC") != 0 && (stat(path, &st) != 0 || !S_ISREG(st.st_mode))))
            return hr_fail(err, HR_EINVAL,
                           "%s: timezone '%.64s' is not a zone of /usr/share/zoneinfo (tzdata)",
                           where, c->timezone);
    }
    return HR_OK;
}

static int parse_line(char *line, const char *where, struct config *c, struct hr_err *err)
{
    char *eq, *key, *val;

    line = trim(line);
    if (*line == '\0' || *line == '#')
        return HR_OK;
    eq = strchr(line, '=');
    if (eq == NULL)
        return hr_fail(err, HR_EINVAL, "%s: expected 'key = value'", where);
    *eq = '\0';
    key = trim(line);
    cut_comment(eq + 1);
    val = trim(eq + 1);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(keys[i].name, key) == 0) {
            if (set_value(c, &keys[i], val, where, err) != HR_OK)
                return HR_EINVAL;
            return check_value(c, &keys[i], where, err);
        }
    return hr_fail(err, HR_EINVAL, "%s: unknown key '%.64s'", where, key);
}

int config_parse(const char *text, const char *name, struct config *c, struct hr_err *err)
{
    char line[4096], where[600];
    const char *p = text;
    unsigned lineno = 0;
    int rc = HR_OK;

    while (*p != '\0' && rc == HR_OK) {
        size_t n = strcspn(p, "\n");
        lineno++;
        snprintf(where, sizeof where, "%s line %u", name, lineno);
        if (n >= sizeof line)
            return hr_fail(err, HR_EINVAL, "%s: line too long", where);
        memcpy(line, p, n);
        line[n] = '\0';
        if (memchr(p, '\0', n) != NULL)
            return hr_fail(err, HR_EINVAL, "%s: NUL byte", where);
        rc = parse_line(line, where, c, err);
        p += n + (p[n] == '\n');
    }
    return rc;
}

/* String keys with a fixed set of values, checked after parsing. */
static int check_choices(const struct config *c, const char *name, struct hr_err *err)
{
    static const char *const levels[] = {"error", "warn", "info", "debug"};
    bool ok = false;

    for (size_t i = 0; i < 4; i++)
        ok = ok || strcmp(c->log_level, levels[i]) == 0;
    if (!ok)
        return hr_fail(err, HR_EINVAL, "%s: log_level must be error, warn, info or debug, not '%s'",
                       name, c->log_level);
    if (strcmp(c->federation_mode, "open") != 0 && strcmp(c->federation_mode, "allowlist") != 0)
        return hr_fail(err, HR_EINVAL, "%s: federation_mode must be open or allowlist, not '%s'",
                       name, c->federation_mode);
    if (strcmp(c->http_signature_first, "cavage") != 0 &&
        strcmp(c->http_signature_first, "rfc9421") != 0)
        return hr_fail(err, HR_EINVAL, "%s: http_signature_first must be cavage or rfc9421, not '%s'",
                       name, c->http_signature_first);
    return HR_OK;
}

/* Splits "ADDR:PORT" / "[V6]:PORT" into HOST (NUL-terminated) and PORT. */
static int split_listen(const char *s, char host[static 64], uint64_t *port, struct hr_err *err)
{
    const char *colon = strrchr(s, ':');
    size_t hl;

    if (colon == NULL || hr_parse_u64(colon + 1, 65535, port) != HR_OK)
        return hr_fail(err, HR_EINVAL, "listen address '%.60s' must be IP:PORT or [IPv6]:PORT",
                       s);
    hl = (size_t)(colon - s);
    if (hl >= 2 && s[0] == '[' && s[hl - 1] == ']') {
        s++;
        hl -= 2;
    }
    if (hl == 0 || hl >= 64)
        return hr_fail(err, HR_EINVAL, "listen address '%.60s' has no IP address before the port",
                       s);
    memcpy(host, s, hl);
    host[hl] = '\0';
    return HR_OK;
}

int config_listen_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len,
                        struct hr_err *err)
{
    struct sockaddr_storage tmp = {0};
    struct sockaddr_in *v4 = (struct sockaddr_in *)&tmp;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&tmp;
    char host[64];
    uint64_t port;
    socklen_t sl;

    if (split_listen(s, host, &port, err) != HR_OK)
        return HR_EINVAL;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        sl = sizeof *v4;
    } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        sl = sizeof *v6;
    } else {
        return hr_fail(err, HR_EINVAL, "listen host '%s' must be an IP address, not a name", host);
    }
    if (ss != NULL)
        *ss = tmp;
    if (len != NULL)
        *len = sl;
    return HR_OK;
}

int config_load(const char *path, struct config *c, struct hr_err *err)
{
    FILE *f = fopen(path, "r");
    struct hr_buf b;
    char chunk[4096];
    size_t n;
    int rc;

    if (f == NULL)
        return hr_fail(err, errno == ENOENT ? HR_ENOTFOUND : HR_EIO, "cannot read %s: %s", path,
                       strerror(errno));
    hr_buf_init(&b, 1u << 20);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        hr_buf_add(&b, chunk, n);
    fclose(f);
    if (b.err != HR_OK) {
        hr_buf_fini(&b);
        return hr_fail(err, HR_EINVAL, "%s is too large", path);
    }
    if (b.len > 0 && strlen(b.data) != b.len) {
        hr_buf_fini(&b);
        return hr_fail(err, HR_EINVAL, "%s contains a NUL byte", path);
    }
    rc = config_parse(b.data ? b.data : "", path, c, err);
    hr_buf_fini(&b);
    return rc == HR_OK ? check_choices(c, path, err) : rc;
}

int config_write_new(const char *path, const char *domain, const char *base_url,
                     struct hr_err *err)
{
    struct hr_buf b;
    int fd, rc = HR_OK;

    hr_buf_init(&b, 65536);
    hr_buf_adds(&b, "# Herald configuration: key = value; '#' at the start of a line, or after a\n"
                    "# space or tab, starts a comment.\n"
                    "# Every key is listed with its default; uncomment to change it.\n\n");
    hr_buf_addf(&b, "# %s\ndomain = %s\n\n", keys[0].help, domain);
    hr_buf_addf(&b, "# %s\nbase_url = %s\n\n", keys[1].help, base_url);
    for (size_t i = 2; i < sizeof keys / sizeof keys[0]; i++)
        hr_buf_addf(&b, "# %s\n# %s = %s\n\n", keys[i].help, keys[i].name, keys[i].def);
    if (b.err != HR_OK) {
        hr_buf_fini(&b);
        return hr_fail(err, HR_ENOMEM, "config");
    }
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        rc = hr_fail(err, errno == EEXIST ? HR_EEXIST : HR_EIO, "cannot create %s: %s", path,
                     strerror(errno));
    } else {
        if (write(fd, b.data, b.len) != (ssize_t)b.len || fsync(fd) != 0)
            rc = hr_fail(err, HR_EIO, "cannot write %s: %s", path, strerror(errno));
        close(fd);
    }
    hr_buf_fini(&b);
    return rc;
}
