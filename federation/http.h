/* federation/http.h - Herald's outbound HTTP (libcurl underneath; nobody else includes
 * curl.h): one-shot signed GETs for remote documents, and an asynchronous POST engine
 * (curl multi) for the delivery worker.
 * SSRF guard: unless ALLOW_PRIVATE, only https URLs are fetched and every address curl
 * connects to (checked at connect time, after DNS, for each redirect hop) must be public:
 * no loopback, private, link-local, unique-local, multicast, unspecified, documentation,
 * CGNAT, benchmark or reserved ranges, IPv4-mapped/-compatible IPv6 forms and 6to4/Teredo
 * included. */
#ifndef HERALD_FED_HTTP_H
#define HERALD_FED_HTTP_H

#include "base/hr.h"
#include "keys/keys.h"

struct sockaddr;

/* Returns true when SA (AF_INET or AF_INET6) is a publicly routable unicast address. */
bool fed_addr_is_public(const struct sockaddr *sa);

struct fed_http_opts {
    bool allow_private;   /* loopback tests: http and private addresses allowed */
    size_t max_bytes;     /* response body cap; larger is HR_ETOOBIG (default 1 MiB) */
    long timeout_ms;      /* whole transfer (default 10 s) */
    int max_redirects;    /* default 2 */
    const char *user_agent;
    /* GET only. Asked with each hop's URL before anything connects, the first hop and
     * every redirect target: false refuses the hop (HR_EFORBIDDEN). Herald passes its
     * domain policy (blocked domains, allow-list). NULL: every hop may go. */
    bool (*hop_allowed)(void *ctx, const char *url);
    void *hop_ctx;
    /* GET only. A redirect to another origin than the URL asked for is refused
     * (HR_EFORBIDDEN, before connecting) when true; when false it is followed, but
     * unsigned: a signature is made for one origin and never shown to another. */
    bool same_origin_only;
};

/* Who signs outbound GETs (authorized fetch): the key and its keyId. May be NULL. */
struct fed_signer {
    const struct keys_key *key;
    const char *key_id;
};

struct fed_http_response {
    long status;
    char *content_type;  /* as sent, or NULL */
    char *body;          /* NUL-terminated, body_len bytes */
    size_t body_len;
    char *final_url;     /* URL of the last hop (after redirects) */
    char *retry_after;   /* Retry-After header or NULL */
};
void fed_http_response_fini(struct fed_http_response *r);

/* GET URL with "Accept: ACCEPT", signed by SIGNER (when non-NULL) with draft-cavage
 * rsa-sha256 over (request-target) host date — re-signed for each redirect hop on the
 * origin of URL (other origins: see opts->same_origin_only); redirects are followed
 * manually and at most opts->max_redirects times, each target checked (scheme, SSRF guard,
 * opts->hop_allowed) before it is connected to. Any HTTP status is HR_OK with r->status
 * set; errors: HR_EFORBIDDEN (scheme, address, domain or origin refused), HR_ETOOBIG (body
 * over max_bytes), HR_ENET (DNS, connect, TLS, timeout: the message says only
 * "fetch_failed", never curl's text or whether the name resolved; that goes to the log),
 * HR_EINVAL (bad URL; parsed with curl_url). */
int fed_http_get(const struct fed_http_opts *opts, const char *url, const char *accept,
                 const struct fed_signer *signer, struct fed_http_response *r,
                 struct hr_err *err);

/* Asynchronous POST engine for deliveries (one per delivery thread, not shared). */
struct fed_poster;
struct fed_post_result {
    void *user;          /* as given to fed_poster_add */
    long status;         /* HTTP status, 0 when no response */
    int rc;              /* HR_OK when a response came; HR_ENET/HR_EFORBIDDEN otherwise */
    int64_t retry_after_s; /* from a 429/503 Retry-After (seconds), or -1 */
    char errmsg[128];
    char accept_signature[512]; /* RFC 9421 §5.1 header of a 401/403, or "" */
};
int fed_poster_new(const struct fed_http_opts *opts, int max_total, int max_per_host,
                   struct fed_poster **out, struct hr_err *err);
void fed_poster_free(struct fed_poster *p);
/* Drops every queued and running POST, unreported, handing each one's user pointer to
 * FREE_USER (when not NULL). */
void fed_poster_abandon(struct fed_poster *p, void (*free_user)(void *user));
/* Queues a POST of BODY to URL with HEADERS (NULL-terminated "Name: value" strings,
 * copied). BODY is copied. Connections are kept alive and reused per host. */
int fed_poster_add(struct fed_poster *p, const char *url, const char *const *headers,
                   const char *body, size_t len, void *user, struct hr_err *err);
/* Runs transfers for at most TIMEOUT_MS, returning early when WAKE_FD (-1: none) becomes
 * readable or when at least one transfer finished; each finished transfer is reported
 * through DONE. Returns the number reported. */
int fed_poster_run(struct fed_poster *p, int timeout_ms, int wake_fd,
                   void (*done)(const struct fed_post_result *res, void *ctx), void *ctx);
size_t fed_poster_active(const struct fed_poster *p);
/* With nothing queued or running: frees the spare transfer handles kept for the next
 * fan-out (each holds curl's buffers), so an idle server gives their memory back. */
void fed_poster_trim(struct fed_poster *p);
/* Makes a fed_poster_run in another thread return at once (or the next one, when none
 * runs). The only poster call that is safe from any thread. */
void fed_poster_wakeup(struct fed_poster *p);

/* Host part (lowercase, with ":port" when not default) of URL via curl_url; HR_EINVAL. */
int fed_url_host(const char *url, char *out, size_t out_size, struct hr_err *err);
/* Origin "scheme://host[:port]" of URL (lowercase scheme and host), for origin rules. */
int fed_url_origin(const char *url, char *out, size_t out_size, struct hr_err *err);
/* Path and query of URL ("/users/a?x=1"), for (request-target). */
int fed_url_target(const char *url, char *out, size_t out_size, struct hr_err *err);

#endif
