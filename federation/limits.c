/* federation/limits.c - limits shaped like the abuse they stop (issue 8 §4, §4b).
 *
 * Key fetches. An inbox POST signed with an unknown keyId makes a verifier fetch that key,
 * and the verifier waits as long as the key's server takes. Unknown keyIds on random
 * subdomains, each served slowly, used to hold every verifier, so genuine peers (whose
 * keys we hold) waited behind them. Now at most key_fetch_max_per_domain fetches for one
 * registrable domain (subdomains counted together, Public Suffix List) and
 * key_fetch_max_total in all are in flight; a request that would need one more is refused
 * at once (503, retry later) rather than queued, so a verifier is always free for a request
 * whose key is cached. A failed fetch is remembered for key_fail_cache_s by its exact keyId
 * (the next request with it is answered from memory, with no fetch), as Mastodon's circuit
 * breaker does for its refetches.
 *
 * Bursts. The per-domain rate (policy.c) lets a large, legitimate server send a lot; one
 * of its actors sending hundreds of activities in a second is still abuse, and so is a
 * registrable domain that mints followers by the thousand. Both are counted only for
 * requests whose signature verified, so nobody can spend another actor's or domain's
 * allowance with forged requests. */
#include "federation/fed_int.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define LIM_DEF_TOTAL      6
#define LIM_DEF_PER_DOMAIN 2

/* A registrable domain with key fetches in flight. */
struct kf_slot {
    char domain[256];
    size_t n; /* 0: free */
};

struct fed_limits {
    pthread_mutex_t mu; /* guards total and slots */
    size_t total, max_total, max_per_domain;
    struct kf_slot *slots;   /* max_total of them: no more domains can be in flight */
    struct hr_rate *failed;  /* keyIds whose last fetch failed; window = key_fail_cache_s */
    struct hr_rate *actor;   /* verified activities per actor, one-second windows */
    struct hr_rate *follows; /* verified Follows per registrable domain, one-minute windows */
    atomic_size_t queued;    /* inbox POSTs waiting for a verifier */
};

void fed_limits_free(struct fed_limits *l)
{
    if (l == NULL)
        return;
    hr_rate_free(l->failed);
    hr_rate_free(l->actor);
    hr_rate_free(l->follows);
    free(l->slots);
    pthread_mutex_destroy(&l->mu);
    free(l);
}

int fed_limits_new(const struct fed_config *cfg, struct fed_limits **out, struct hr_err *err)
{
    struct fed_limits *l = calloc(1, sizeof *l);
    bool bad;

    if (l == NULL)
        return hr_fail(err, HR_ENOMEM, "limits");
    pthread_mutex_init(&l->mu, NULL);
    l->max_total = cfg->key_fetch_max_total ? cfg->key_fetch_max_total : LIM_DEF_TOTAL;
    l->max_per_domain =
        cfg->key_fetch_max_per_domain ? cfg->key_fetch_max_per_domain : LIM_DEF_PER_DOMAIN;
    l->slots = calloc(l->max_total, sizeof *l->slots);
    bad = l->slots == NULL;
    bad = bad || (cfg->key_fail_cache_s > 0 &&
                  hr_rate_new(FED_RATE_KEYS, cfg->key_fail_cache_s * 1000, &l->failed) != HR_OK);
    bad = bad || hr_rate_new(FED_RATE_KEYS, 1000, &l->actor) != HR_OK;
    bad = bad || hr_rate_new(FED_RATE_KEYS, 60000, &l->follows) != HR_OK;
    if (bad) {
        fed_limits_free(l);
        return hr_fail(err, HR_ENOMEM, "limits");
    }
    *out = l;
    return HR_OK;
}

/* The registrable domain of URL's host into OUT (256 bytes). */
static int url_domain(const char *url, char out[256])
{
    char host[256];

    if (fed_url_host(url, host, sizeof host, NULL) != HR_OK)
        return HR_EINVAL;
    return fed_reg_domain(host, out, 256);
}

/* Takes a slot for DOMAIN, under l->mu: false when a cap is reached. */
static bool slot_take(struct fed_limits *l, const char *domain)
{
    struct kf_slot *mine = NULL, *free_slot = NULL;

    for (size_t i = 0; i < l->max_total; i++) {
        if (l->slots[i].n > 0 && strcmp(l->slots[i].domain, domain) == 0)
            mine = &l->slots[i];
        else if (l->slots[i].n == 0 && free_slot == NULL)
            free_slot = &l->slots[i];
    }
    if (l->total >= l->max_total || (mine != NULL && mine->n >= l->max_per_domain))
        return false;
    if (mine == NULL) {
        mine = free_slot; /* total < max_total: some slot is free */
        memcpy(mine->domain, domain, strlen(domain) + 1);
    }
    mine->n++;
    l->total++;
    return true;
}

int fed_keyfetch_begin(struct fed *fed, const char *key_id, struct fed_keyfetch *kf,
                       struct hr_err *err)
{
    struct fed_limits *l = fed->limits;
    bool ok;

    memset(kf, 0, sizeof *kf);
    if (l->failed != NULL && !hr_rate_check(l->failed, key_id, 1, hr_mono_ms(), NULL))
        return hr_fail(err, HR_ENET, "fetch of this key failed recently (not retried yet)");
    if (url_domain(key_id, kf->domain) != HR_OK)
        return hr_fail(err, HR_EINVAL, "keyId has no host");
    pthread_mutex_lock(&l->mu);
    ok = slot_take(l, kf->domain);
    pthread_mutex_unlock(&l->mu);
    if (!ok)
        return hr_fail(err, HR_ELIMIT, "key fetches for %s (or in all) at their limit",
                       kf->domain);
    kf->held = true;
    return HR_OK;
}

void fed_keyfetch_end(struct fed *fed, const char *key_id, struct fed_keyfetch *kf, int rc)
{
    struct fed_limits *l = fed->limits;

    if (!kf->held)
        return;
    pthread_mutex_lock(&l->mu);
    for (size_t i = 0; i < l->max_total; i++) {
        if (l->slots[i].n > 0 && strcmp(l->slots[i].domain, kf->domain) == 0) {
            l->slots[i].n--;
            l->total--;
            break;
        }
    }
    pthread_mutex_unlock(&l->mu);
    kf->held = false;
    if (rc != HR_OK && l->failed != NULL)
        hr_rate_hit(l->failed, key_id, 0, hr_mono_ms(), NULL);
}

long fed_keyfetch_timeout_ms(const struct fed *fed)
{
    long t = fed->cfg.key_fetch_timeout_ms;

    return t > 0 ? t : fed->cfg.fetch_timeout_ms;
}

int64_t fed_keyfetch_retry_after(const struct fed *fed)
{
    return (int64_t)(fed_keyfetch_timeout_ms(fed) + 999) / 1000;
}

bool fed_actor_allow(struct fed *fed, const char *actor, int64_t *retry_after_s)
{
    if (fed->cfg.inbox_actor_per_second == 0)
        return true;
    return hr_rate_hit(fed->limits->actor, actor, fed->cfg.inbox_actor_per_second, hr_mono_ms(),
                       retry_after_s);
}

bool fed_follow_allow(struct fed *fed, const char *actor, int64_t *retry_after_s)
{
    char dom[256];

    if (fed->cfg.inbox_follows_per_minute == 0 || url_domain(actor, dom) != HR_OK)
        return true;
    return hr_rate_hit(fed->limits->follows, dom, fed->cfg.inbox_follows_per_minute,
                       hr_mono_ms(), retry_after_s);
}

/* Counted here, not in the worker pool: the HTTP threads ask before the pool exists and
 * after it is gone (start-up and shutdown), and the limits live as long as FED. */
void fed_inbox_queued(struct fed *fed, int delta)
{
    if (delta > 0)
        atomic_fetch_add(&fed->limits->queued, (size_t)delta);
    else
        atomic_fetch_sub(&fed->limits->queued, (size_t)-delta);
}

bool fed_inbox_full(struct fed *fed, int64_t *retry_after_s)
{
    size_t max = fed->cfg.inbox_queue_max;

    *retry_after_s = fed_keyfetch_retry_after(fed); /* a held verifier is free by then */
    return max > 0 && atomic_load(&fed->limits->queued) >= max;
}
