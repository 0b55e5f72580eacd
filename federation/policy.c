/* federation/policy.c - who may talk to us: domain blocks, the allow-list mode of a closed
 * government network, and the inbox rate limit per remote registrable domain. A block covers the
 * domain and its subdomains; it is checked before any key fetch, so a blocked server
 * cannot even make us connect to it. */
#include "federation/fed_int.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

int fed_host_normalise(const char *in, char *out, size_t cap, struct hr_err *err)
{
    size_t n = in ? strlen(in) : 0;

    if (n > 0 && in[n - 1] == '.')
        n--; /* "example.org." is example.org */
    if (n == 0 || n >= cap || n > 253)
        return hr_fail(err, HR_EINVAL, "a domain needs 1 to 253 characters");
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
            return hr_fail(err, HR_EINVAL,
                           "bad domain '%.60s': use a host name (punycode for IDN), no port",
                           in);
        out[i] = c;
    }
    out[n] = '\0';
    if (out[0] == '.' || out[0] == '-' || strstr(out, "..") != NULL)
        return hr_fail(err, HR_EINVAL, "bad domain '%.60s'", in);
    return HR_OK;
}

/* Host of URL, lowercase, without port (curl_url). */
static int url_bare_host(const char *url, char *out, size_t cap)
{
    CURLU *u = curl_url();
    char *host = NULL;
    int rc = HR_EINVAL;

    if (u != NULL && curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
        rc = fed_host_normalise(host, out, cap, NULL);
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}

/* Does KIND list HOST or one of its parent domains? */
static bool listed(struct store_txn *txn, int kind, const char *host)
{
    for (const char *p = host; p != NULL; p = strchr(p, '.'), p = p ? p + 1 : NULL)
        if (*p != '\0' && store_domain_has(txn, kind, p))
            return true;
    return false;
}

bool fed_domain_permitted(struct fed *fed, const char *url)
{
    struct store_txn *txn = NULL;
    char host[256];
    bool ok;

    if (url_bare_host(url, host, sizeof host) != HR_OK)
        return false;
    if (store_txn_begin(fed->st, STORE_READ, &txn, NULL) != HR_OK)
        return false; /* cannot tell: refuse rather than let a blocked server through */
    ok = !listed(txn, STORE_DOMAIN_BLOCK, host) &&
         (!fed->cfg.allowlist || listed(txn, STORE_DOMAIN_ALLOW, host));
    store_txn_abort(txn);
    return ok;
}

/* fed_http_opts.hop_allowed: every hop of an outbound GET, redirects included, meets the
 * same domain policy as the URL a peer first gave us. */
bool fed_hop_permitted(void *ctx, const char *url)
{
    return fed_domain_permitted(ctx, url);
}

/* store_purge_host's DROPPED: the event of each webhook job that goes, into an array. */
static void dropped_hook(const struct store_delivery *d, void *ctx)
{
    if (fed_hook_job(d->account))
        json_array_append_new(ctx, json_string(d->activity_id));
}

/* Drops HOST's followers and queued jobs; a webhook job's event loses that reference, so
 * the event body goes with its last job here as when it is delivered or given up. */
static int purge(struct store_txn *txn, const char *host, size_t *followers, size_t *jobs,
                 struct hr_err *err)
{
    json_t *events = json_array(), *e;
    size_t i;
    int rc = events ? HR_OK : hr_fail(err, HR_ENOMEM, "purge of %s", host);

    if (rc == HR_OK)
        rc = store_purge_host(txn, host, dropped_hook, events, followers, jobs, err);
    json_array_foreach(events, i, e)
    {
        if (rc == HR_OK)
            rc = fed_hook_release(txn, json_string_value(e), err);
    }
    json_decref(events);
    return rc;
}

int fed_domain_set(struct store_txn *txn, int kind, bool on, const char *domain,
                   const char *reason, size_t *followers, size_t *jobs, struct hr_err *err)
{
    char host[256];
    int rc = fed_host_normalise(domain, host, sizeof host, err);

    if (followers != NULL)
        *followers = 0;
    if (jobs != NULL)
        *jobs = 0;
    if (rc == HR_OK)
        rc = on ? store_domain_put(txn, kind, host, reason ? reason : "", err)
                : store_domain_del(txn, kind, host, err);
    /* a block drops that domain's followers and everything queued for it, at once */
    if (rc == HR_OK && on && kind == STORE_DOMAIN_BLOCK)
        rc = purge(txn, host, followers, jobs, err);
    return rc;
}

/* Fixed one-minute windows per exact (registrable domain of the keyId, client address): a
 * server's own deliveries come from its addresses, so junk that merely names a big server's
 * keyId from elsewhere cannot spend that server's allowance; and the subdomains of one
 * registrant share one allowance (a wildcard DNS record is not a thousand servers). */
bool fed_rate_allow(struct fed *fed, const char *url, const char *client, int64_t *retry_after_s)
{
    char host[256], dom[256], key[600];

    if (fed->cfg.inbox_rate_per_minute == 0 || fed->host_rate == NULL)
        return true;
    if (url_bare_host(url, host, sizeof host) != HR_OK ||
        fed_reg_domain(host, dom, sizeof dom) != HR_OK)
        return true; /* the request is refused later for its bad keyId */
    snprintf(key, sizeof key, "%s|%s", dom, client ? client : "");
    return hr_rate_hit(fed->host_rate, key, fed->cfg.inbox_rate_per_minute, hr_mono_ms(),
                       retry_after_s);
}
