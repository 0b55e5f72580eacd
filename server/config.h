/* server/config.h - DIR/herald.conf: "key = value" lines; '#' at the start of a line or
 * after a space or tab starts a comment. Unknown keys, malformed lines and out-of-range
 * values are errors that name the line. */
#ifndef HERALD_CONFIG_H
#define HERALD_CONFIG_H

#include "base/hr.h"

#include <sys/socket.h>

struct config {
    char domain[256];
    char base_url[512];
    char listen[128];
    bool allow_private_network;
    uint64_t signature_window;     /* seconds */
    uint64_t inbox_max_body;       /* bytes */
    uint64_t media_max_body;       /* bytes: admin API bodies with images (issue #10) */
    uint64_t json_max_depth;
    uint64_t json_max_string;      /* bytes */
    uint64_t json_max_items;
    uint64_t fetch_max_bytes;
    uint64_t fetch_timeout;        /* ms */
    uint64_t fetch_max_redirects;
    uint64_t key_refetch_interval; /* seconds */
    uint64_t deliver_concurrency;
    uint64_t deliver_per_host;
    uint64_t deliver_signers;
    uint64_t deliver_timeout;      /* ms */
    uint64_t deliver_give_up;      /* seconds */
    uint64_t http_threads;
    uint64_t inbox_threads;
    uint64_t max_headers;
    uint64_t max_header_bytes;
    uint64_t max_connections;
    uint64_t max_connections_per_ip;
    uint64_t connection_timeout;   /* seconds */
    uint64_t map_size_mb;
    uint64_t inbound_max_objects_per_actor;
    uint64_t inbound_max_bytes_per_actor;
    uint64_t inbound_max_objects_per_domain;
    uint64_t inbound_max_bytes_per_domain;
    uint64_t inbound_share_percent;
    uint64_t inbound_retention_days;
    uint64_t seen_retention_days;
    char log_level[16];
    char federation_mode[16];
    char http_signature_first[16]; /* cavage or rfc9421: the first knock of a delivery */
    uint64_t inbox_rate_per_minute;
    uint64_t key_fetch_max_total;
    uint64_t key_fetch_max_per_domain;
    uint64_t key_fetch_timeout;    /* ms */
    uint64_t key_fail_cache;       /* seconds */
    uint64_t inbox_queue_max;
    uint64_t inbox_actor_per_second;
    uint64_t inbox_follows_per_minute;
    uint64_t website_recheck_hours;
    char trust_anchors[4096];      /* space-separated issuer actor URLs */
    uint64_t verify_rate_per_minute;
    char languages[64];
    char timezone[64];            /* pages and feeds show dates in it (issue #11) */
    uint64_t poll_update_minutes; /* Update(Question) at most this often (0: every second) */
    uint64_t page_cache_mb;       /* rendered public responses kept (server/cache.c; 0 off) */
    char metrics_listen[128];     /* issue #12: ADDR:PORT of a /metrics-only listener, or "" */
    char metrics_token[256];      /* issue #12: bearer token for /metrics on listen, or "" */
};

/* Defaults for every key. */
void config_defaults(struct config *c);
/* Reads PATH over the defaults. HR_ENOTFOUND when missing, HR_EINVAL naming the line. */
int config_load(const char *path, struct config *c, struct hr_err *err);
/* Parses TEXT (the file's content) over *c; NAME is used in messages. */
int config_parse(const char *text, const char *name, struct config *c, struct hr_err *err);
/* The one check of a listen address (the `listen` key and `serve --listen`): "IPv4:PORT"
 * or "[IPv6]:PORT" (an IPv6 literal also without brackets), port 0-65535, no host names.
 * Fills *SS and *LEN when not NULL. HR_EINVAL with a message quoting the value. */
int config_listen_parse(const char *s, struct sockaddr_storage *ss, socklen_t *len,
                        struct hr_err *err);
/* Writes a fresh config with DOMAIN and BASE_URL set and every other key commented with
 * its default. Refuses to overwrite (HR_EEXIST). */
int config_write_new(const char *path, const char *domain, const char *base_url,
                     struct hr_err *err);

#endif
