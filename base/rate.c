/* base/rate.c - fixed-window event counters keyed exactly by a string.
 *
 * Why not a hashed slot table (what Herald had): two keys that share a slot share a budget,
 * so an attacker who finds a colliding key can spend a victim's allowance or reset it. Here
 * keys are compared in full; the table is bounded by evicting the least recently used key,
 * which an attacker can only force by keeping CAP distinct keys busy within one window. */
#include "base/hr.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct rate_node {
    char *key;
    uint64_t hash, count;
    int64_t window_start;
    struct rate_node *chain;             /* bucket chain */
    struct rate_node *newer, *older;     /* LRU list: head is the newest */
};

struct hr_rate {
    pthread_mutex_t mu;
    int64_t window_ms;
    size_t cap, n, nbuckets;
    struct rate_node **buckets;
    struct rate_node *newest, *oldest;
};

uint64_t hr_fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;

    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ull;
    return h;
}

uint64_t hr_fnv1a_str(const char *s)
{
    return hr_fnv1a(HR_FNV_INIT, s, strlen(s));
}

int hr_rate_new(size_t cap, int64_t window_ms, struct hr_rate **out)
{
    struct hr_rate *r;
    size_t nb = 16;

    if (cap == 0 || window_ms <= 0)
        return HR_EINVAL;
    while (nb < cap && nb < ((size_t)1 << 30))
        nb <<= 1;
    r = calloc(1, sizeof *r);
    if (r == NULL)
        return HR_ENOMEM;
    r->buckets = calloc(nb, sizeof *r->buckets);
    if (r->buckets == NULL) {
        free(r);
        return HR_ENOMEM;
    }
    pthread_mutex_init(&r->mu, NULL);
    r->cap = cap;
    r->nbuckets = nb;
    r->window_ms = window_ms;
    *out = r;
    return HR_OK;
}

void hr_rate_free(struct hr_rate *r)
{
    struct rate_node *n, *next;

    if (r == NULL)
        return;
    for (n = r->newest; n != NULL; n = next) {
        next = n->older;
        free(n->key);
        free(n);
    }
    pthread_mutex_destroy(&r->mu);
    free(r->buckets);
    free(r);
}

static void lru_unlink(struct hr_rate *r, struct rate_node *n)
{
    if (n->newer != NULL)
        n->newer->older = n->older;
    else
        r->newest = n->older;
    if (n->older != NULL)
        n->older->newer = n->newer;
    else
        r->oldest = n->newer;
    n->newer = n->older = NULL;
}

static void lru_push(struct hr_rate *r, struct rate_node *n)
{
    n->older = r->newest;
    n->newer = NULL;
    if (r->newest != NULL)
        r->newest->newer = n;
    r->newest = n;
    if (r->oldest == NULL)
        r->oldest = n;
}

static void chain_unlink(struct hr_rate *r, struct rate_node *n)
{
    struct rate_node **pp = &r->buckets[n->hash & (r->nbuckets - 1)];

    while (*pp != n)
        pp = &(*pp)->chain;
    *pp = n->chain;
}

static struct rate_node *node_find(struct hr_rate *r, const char *key, uint64_t h)
{
    struct rate_node *n = r->buckets[h & (r->nbuckets - 1)];

    for (; n != NULL; n = n->chain)
        if (n->hash == h && strcmp(n->key, key) == 0)
            break;
    return n;
}

/* The node of KEY, created (evicting the least recently used one when full) if absent;
 * NULL only when memory runs out. */
static struct rate_node *node_get(struct hr_rate *r, const char *key, int64_t now)
{
    uint64_t h = hr_fnv1a_str(key);
    struct rate_node *n = node_find(r, key, h);

    if (n != NULL) {
        lru_unlink(r, n);
        lru_push(r, n);
        return n;
    }
    if (r->n >= r->cap) { /* evict the least recently used: its count is forgotten */
        n = r->oldest;
        lru_unlink(r, n);
        chain_unlink(r, n);
        free(n->key);
        r->n--;
    } else {
        n = malloc(sizeof *n);
        if (n == NULL)
            return NULL;
    }
    memset(n, 0, sizeof *n);
    n->key = strdup(key);
    if (n->key == NULL) {
        free(n);
        return NULL;
    }
    n->hash = h;
    n->window_start = now;
    n->chain = r->buckets[h & (r->nbuckets - 1)];
    r->buckets[h & (r->nbuckets - 1)] = n;
    lru_push(r, n);
    r->n++;
    return n;
}

/* N's count in the window that holds NOW (a window that has ended counts 0). */
static uint64_t count_now(const struct hr_rate *r, const struct rate_node *n, int64_t now)
{
    return now - n->window_start >= r->window_ms || now < n->window_start ? 0 : n->count;
}

static int64_t seconds_left(const struct hr_rate *r, const struct rate_node *n, int64_t now)
{
    return (r->window_ms - (now - n->window_start) + 999) / 1000;
}

bool hr_rate_hit(struct hr_rate *r, const char *key, uint64_t limit, int64_t now_ms,
                 int64_t *retry_after_s)
{
    struct rate_node *n;
    bool ok = false;
    int64_t wait_s = 1; /* out of memory: refuse rather than count nothing */

    pthread_mutex_lock(&r->mu);
    n = node_get(r, key, now_ms);
    if (n != NULL) {
        if (count_now(r, n, now_ms) == 0 && n->count != 0) {
            n->window_start = now_ms; /* the old window ended: this hit opens a new one */
            n->count = 0;
        }
        ok = ++n->count <= limit;
        wait_s = seconds_left(r, n, now_ms);
    }
    pthread_mutex_unlock(&r->mu);
    if (retry_after_s != NULL)
        *retry_after_s = wait_s;
    return ok;
}

/* A peek: an absent key is not added (checking costs no table room, and a key's window
 * starts with its first event, not with a check before it). */
bool hr_rate_check(struct hr_rate *r, const char *key, uint64_t limit, int64_t now_ms,
                   int64_t *retry_after_s)
{
    const struct rate_node *n;
    uint64_t count = 0;
    int64_t wait_s = 0;

    pthread_mutex_lock(&r->mu);
    n = node_find(r, key, hr_fnv1a_str(key));
    if (n != NULL && (count = count_now(r, n, now_ms)) > 0)
        wait_s = seconds_left(r, n, now_ms);
    pthread_mutex_unlock(&r->mu);
    if (retry_after_s != NULL)
        *retry_after_s = wait_s;
    return count < limit;
}

size_t hr_rate_size(struct hr_rate *r)
{
    size_t n;

    pthread_mutex_lock(&r->mu);
    n = r->n;
    pthread_mutex_unlock(&r->mu);
    return n;
}
