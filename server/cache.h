/* server/cache.h - a bounded cache of rendered public responses (pages, feeds, ActivityPub
 * documents), so that a page read by thousands costs one rendering per store change.
 * An entry is valid while the store's generation (store_generation) is the one it was
 * rendered at and for at most PAGE_CACHE_TTL_MS; any committed write, by any process,
 * invalidates every entry. The cache is shared by all threads (one mutex). */
#ifndef HERALD_CACHE_H
#define HERALD_CACHE_H

#include "server/http_int.h"

#include <stddef.h>
#include <stdint.h>

/* Pages may show the time (a poll that closed, "edited" marks): an entry is not served
 * longer than this even when nothing was written. */
#define PAGE_CACHE_TTL_MS 30000

struct page_cache;

/* One stored response: all strings NUL-terminated; LINK "" when there is none. */
struct page_doc {
    const char *body;
    size_t len;
    const char *ct, *etag, *cache, *link;
};

/* MAX_BYTES bounds the memory of entries, keys and bookkeeping included. HR_ENOMEM. */
int page_cache_new(size_t max_bytes, struct page_cache **out, struct hr_err *err);
void page_cache_free(struct page_cache *c); /* NULL: no-op; no entry may be held */
/* The entry under KEY rendered at GEN and not expired at NOW_MS, held until
 * page_cache_release; NULL when there is none (a stale one is dropped). */
const struct page_doc *page_cache_get(struct page_cache *c, const char *key, uint64_t gen,
                                      int64_t now_ms);
void page_cache_release(struct page_cache *c, const struct page_doc *d);
/* Stores a copy of D under KEY (replacing an older one), evicting the least recently used
 * entries to stay within the bound; false when D alone is over an eighth of it or memory
 * ran out (nothing stored). */
bool page_cache_put(struct page_cache *c, const char *key, uint64_t gen, int64_t now_ms,
                    const struct page_doc *d);
/* Drops the entries expired at NOW_MS or older than GEN (the idle sweep). */
void page_cache_expire(struct page_cache *c, uint64_t gen, int64_t now_ms);
size_t page_cache_bytes(struct page_cache *c);
size_t page_cache_count(struct page_cache *c);

/* ---- herald serve's cache (one per process; config page_cache_mb, 0 = off) ---- */
int http_cache_start(const struct app *app, struct hr_err *err);
void http_cache_stop(void);
/* A public GET or HEAD: answered from the cache (true, *RET set), or R is marked so that
 * its reply is kept (false). Requests that carry a signature, credentials or a cookie are
 * neither answered from nor kept in the cache. */
bool http_cache_answer(struct http_req *r, enum MHD_Result *ret);
/* Called by http_reply with the reply about to be sent: kept when R was marked, STATUS is
 * 200 and CACHE says public. */
void http_cache_keep(struct http_req *r, int status, const char *ct, const char *body,
                     size_t len, const char *etag, const char *cache);
/* The scheduler, while the server is idle: drops expired and stale entries. */
void http_cache_sweep(const struct app *app);

#endif
