/* server/cache.c - the cache of rendered public responses (contract: server/cache.h).
 * A chained hash table for lookups and one LRU list for eviction, under one mutex: the
 * critical sections are a hash walk and a few pointer moves (replies are copied into the
 * MHD response outside the lock, the entry held by a reference count). */
#include "server/cache.h"
#include "server/web.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_CACHE_BUCKETS 4096u /* a power of two */

struct entry {
    struct page_doc doc; /* first: page_cache_release finds the entry from it */
    struct entry *chain, *newer, *older;
    uint64_t hash, gen;
    int64_t expires_ms;
    size_t bytes;
    unsigned refs;
    bool dead;           /* out of the table while held: freed at the last release */
    char *key;           /* the strings live in the same allocation, after the struct */
};

struct page_cache {
    pthread_mutex_t mu;
    size_t max_bytes, bytes, count;
    struct entry *newest, *oldest;
    struct entry *buckets[PAGE_CACHE_BUCKETS];
};

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;

    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

int page_cache_new(size_t max_bytes, struct page_cache **out, struct hr_err *err)
{
    struct page_cache *c = calloc(1, sizeof *c);

    if (c == NULL)
        return hr_fail(err, HR_ENOMEM, "page cache");
    pthread_mutex_init(&c->mu, NULL);
    c->max_bytes = max_bytes;
    *out = c;
    return HR_OK;
}

void page_cache_free(struct page_cache *c)
{
    struct entry *e, *next;

    if (c == NULL)
        return;
    for (e = c->newest; e != NULL; e = next) {
        next = e->older;
        free(e);
    }
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static void lru_unlink(struct page_cache *c, struct entry *e)
{
    if (e->newer != NULL)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    if (e->older != NULL)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void lru_push(struct page_cache *c, struct entry *e)
{
    e->older = c->newest;
    e->newer = NULL;
    if (c->newest != NULL)
        c->newest->newer = e;
    c->newest = e;
    if (c->oldest == NULL)
        c->oldest = e;
}

/* Takes E out of the table and the list; freed now, or by its last holder. */
static void drop(struct page_cache *c, struct entry *e)
{
    struct entry **pp = &c->buckets[e->hash & (PAGE_CACHE_BUCKETS - 1)];

    while (*pp != e)
        pp = &(*pp)->chain;
    *pp = e->chain;
    lru_unlink(c, e);
    c->bytes -= e->bytes;
    c->count--;
    if (e->refs == 0)
        free(e);
    else
        e->dead = true;
}

static struct entry *find(struct page_cache *c, const char *key, uint64_t hash)
{
    struct entry *e = c->buckets[hash & (PAGE_CACHE_BUCKETS - 1)];

    while (e != NULL && (e->hash != hash || strcmp(e->key, key) != 0))
        e = e->chain;
    return e;
}

const struct page_doc *page_cache_get(struct page_cache *c, const char *key, uint64_t gen,
                                      int64_t now_ms)
{
    uint64_t hash = fnv1a(key);
    struct entry *e;

    pthread_mutex_lock(&c->mu);
    e = find(c, key, hash);
    if (e != NULL && (e->gen != gen || now_ms >= e->expires_ms)) {
        drop(c, e);
        e = NULL;
    }
    if (e != NULL) {
        e->refs++;
        lru_unlink(c, e);
        lru_push(c, e);
    }
    pthread_mutex_unlock(&c->mu);
    return e ? &e->doc : NULL;
}

void page_cache_release(struct page_cache *c, const struct page_doc *d)
{
    struct entry *e = (struct entry *)(uintptr_t)d; /* doc is the first member */

    if (d == NULL)
        return;
    pthread_mutex_lock(&c->mu);
    if (--e->refs == 0 && e->dead)
        free(e);
    pthread_mutex_unlock(&c->mu);
}

/* Appends S (N bytes and a NUL) at *P; returns where it went. */
static char *place(char **p, const char *s, size_t n)
{
    char *at = *p;

    memcpy(at, s, n);
    at[n] = '\0';
    *p += n + 1;
    return at;
}

/* One allocation holding the entry, its key, body and header values. */
static struct entry *entry_new(const char *key, const struct page_doc *d, size_t *bytes)
{
    const char *link = d->link ? d->link : "";
    size_t lk = strlen(key), lct = strlen(d->ct), le = strlen(d->etag);
    size_t lc = strlen(d->cache), ll = strlen(link);
    size_t n = sizeof(struct entry) + lk + d->len + lct + le + lc + ll + 6;
    struct entry *e = calloc(1, n);
    char *p;

    if (e == NULL)
        return NULL;
    p = (char *)(e + 1);
    e->key = place(&p, key, lk);
    e->doc.body = place(&p, d->body, d->len);
    e->doc.len = d->len;
    e->doc.ct = place(&p, d->ct, lct);
    e->doc.etag = place(&p, d->etag, le);
    e->doc.cache = place(&p, d->cache, lc);
    e->doc.link = place(&p, link, ll);
    *bytes = n;
    return e;
}

bool page_cache_put(struct page_cache *c, const char *key, uint64_t gen, int64_t now_ms,
                    const struct page_doc *d)
{
    struct entry *e, *old;
    size_t bytes = 0;

    if (d->len + strlen(key) > c->max_bytes / 8)
        return false; /* one huge page would push out everything else */
    e = entry_new(key, d, &bytes);
    if (e == NULL)
        return false;
    e->hash = fnv1a(key);
    e->gen = gen;
    e->expires_ms = now_ms + PAGE_CACHE_TTL_MS;
    e->bytes = bytes;
    pthread_mutex_lock(&c->mu);
    if ((old = find(c, key, e->hash)) != NULL)
        drop(c, old);
    while (c->oldest != NULL && c->bytes + bytes > c->max_bytes)
        drop(c, c->oldest);
    e->chain = c->buckets[e->hash & (PAGE_CACHE_BUCKETS - 1)];
    c->buckets[e->hash & (PAGE_CACHE_BUCKETS - 1)] = e;
    lru_push(c, e);
    c->bytes += bytes;
    c->count++;
    pthread_mutex_unlock(&c->mu);
    return true;
}

void page_cache_expire(struct page_cache *c, uint64_t gen, int64_t now_ms)
{
    struct entry *e, *newer;

    pthread_mutex_lock(&c->mu);
    for (e = c->oldest; e != NULL; e = newer) {
        newer = e->newer;
        if (e->gen != gen || now_ms >= e->expires_ms)
            drop(c, e);
    }
    pthread_mutex_unlock(&c->mu);
}

size_t page_cache_bytes(struct page_cache *c)
{
    size_t n;

    pthread_mutex_lock(&c->mu);
    n = c->bytes;
    pthread_mutex_unlock(&c->mu);
    return n;
}

size_t page_cache_count(struct page_cache *c)
{
    size_t n;

    pthread_mutex_lock(&c->mu);
    n = c->count;
    pthread_mutex_unlock(&c->mu);
    return n;
}

/* ---------------------------------------------------------------- herald serve's cache */

static struct page_cache *served; /* set before the HTTP threads start, cleared after */

int http_cache_start(const struct app *app, struct hr_err *err)
{
    if (app->cfg.page_cache_mb == 0)
        return HR_OK;
    return page_cache_new((size_t)app->cfg.page_cache_mb << 20, &served, err);
}

void http_cache_stop(void)
{
    page_cache_free(served);
    served = NULL;
}

/* Only what is the same for every reader goes in: a request that names its sender (an
 * authorized fetch's signature, a bearer token, a cookie) may get an answer meant for that
 * sender alone (federation/visibility.c), so it never meets the cache either way. */
static bool anonymous(struct http_req *r)
{
    static const char *const personal[] = {"Authorization", "Signature", "Signature-Input",
                                            "Cookie"};

    for (size_t i = 0; i < sizeof personal / sizeof personal[0]; i++)
        if (http_header(r, personal[i]) != NULL)
            return false;
    return true;
}

/* Routes whose answer is a function of the store, the path, the query, the variant and
 * the language alone. Not /media/ (files on disk), /attestations and /verify (rate limited
 * per client, answered from a thread). */
static bool cacheable_route(const char *url)
{
    static const char *const prefixes[] = {"/@", "/tags/", "/users/", "/static/",
                                           "/.well-known/", "/nodeinfo/", "/feed."};

    if (strcmp(url, "/") == 0)
        return true;
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strncmp(url, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    return false;
}

/* Query arguments as decoded by MHD, each length-prefixed: "a=b&c" and a="b&c" differ. */
static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    struct hr_buf *b = cls;

    (void)kind;
    hr_buf_addf(b, "|%zu:%s", strlen(key), key);
    if (value != NULL)
        hr_buf_addf(b, "=%zu:%s", strlen(value), value);
    return MHD_YES;
}

/* "VARIANT|LANG|PATH|ARGS": JSON and HTML, and each interface language, are apart. */
static char *cache_key(struct http_req *r)
{
    struct hr_buf b;

    hr_buf_init(&b, 4096);
    hr_buf_addf(&b, "%c|%s|%s", http_wants_json(r) ? 'j' : 'h', web_lang(r), r->url);
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, add_arg, &b);
    if (b.err != HR_OK) {
        hr_buf_fini(&b);
        return NULL;
    }
    return hr_buf_take(&b);
}

bool http_cache_answer(struct http_req *r, enum MHD_Result *ret)
{
    const struct page_doc *d;

    /* a request routed again after a suspension was looked at the first time */
    if (served == NULL || r->cache_key != NULL || !cacheable_route(r->url) || !anonymous(r))
        return false;
    r->cache_gen = fed_store_generation(r->app->fed); /* before rendering: see http_cache_keep */
    if (r->cache_gen == UINT64_MAX || (r->cache_key = cache_key(r)) == NULL)
        return false;
    d = page_cache_get(served, r->cache_key, r->cache_gen, hr_mono_ms());
    if (d == NULL)
        return false;
    snprintf(r->link, sizeof r->link, "%s", d->link);
    r->cache_hit = true;
    *ret = http_reply_etag(r, 200, d->ct, d->body, d->len, d->etag, d->cache);
    page_cache_release(served, d);
    free(r->cache_key);
    r->cache_key = NULL; /* answered: nothing to keep */
    return true;
}

/* The entry carries the generation read before the page was rendered: a write that
 * committed meanwhile makes it stale at once rather than serving a page that may predate
 * that write as current. */
void http_cache_keep(struct http_req *r, int status, const char *ct, const char *body,
                     size_t len, const char *etag, const char *cache)
{
    struct page_doc d = {body, len, ct, etag, cache, r->link};

    if (served == NULL || r->cache_key == NULL || status != 200 || body == NULL ||
        ct == NULL || cache == NULL || strncmp(cache, "public", 6) != 0 ||
        strstr(cache, "no-") != NULL || r->retry_after_s > 0)
        return;
    page_cache_put(served, r->cache_key, r->cache_gen, hr_mono_ms(), &d);
}

void http_cache_sweep(const struct app *app)
{
    if (served != NULL)
        page_cache_expire(served, fed_store_generation(app->fed), hr_mono_ms());
}
