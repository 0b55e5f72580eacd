/* tests/unit/server/test_cache.c - the page cache's bounds, eviction and invalidation
 * (server/cache.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "server/cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct page_doc doc_of(const char *body)
{
    return (struct page_doc){body, strlen(body), "text/html; charset=utf-8", "\"e1\"",
                             "public, max-age=60", ""};
}

static bool put(struct page_cache *c, const char *key, uint64_t gen, int64_t now,
                const char *body)
{
    struct page_doc d = doc_of(body);

    return page_cache_put(c, key, gen, now, &d);
}

/* the body under KEY at GEN and NOW, copied ("" when there is none) */
static void got(struct page_cache *c, const char *key, uint64_t gen, int64_t now, char *out,
                size_t cap)
{
    const struct page_doc *d = page_cache_get(c, key, gen, now);

    snprintf(out, cap, "%s", d ? d->body : "");
    page_cache_release(c, d);
}

static void a_stored_page_comes_back_with_its_headers(void **state)
{
    struct page_cache *c = NULL;
    struct page_doc d = {"<p>hi</p>", 9, "text/html", "\"abc\"", "public, max-age=60",
                         "<http://x/@a>; rel=\"alternate\""};
    const struct page_doc *hit;

    (void)state;
    assert_int_equal(page_cache_new(1 << 20, &c, NULL), HR_OK);
    assert_true(page_cache_put(c, "h|en|/@a", 7, 1000, &d));
    hit = page_cache_get(c, "h|en|/@a", 7, 1001);
    assert_non_null(hit);
    assert_int_equal(hit->len, 9);
    assert_string_equal(hit->body, "<p>hi</p>");
    assert_string_equal(hit->ct, "text/html");
    assert_string_equal(hit->etag, "\"abc\"");
    assert_string_equal(hit->cache, "public, max-age=60");
    assert_string_equal(hit->link, d.link);
    page_cache_release(c, hit);
    assert_null(page_cache_get(c, "j|en|/@a", 7, 1001)); /* another variant: no entry */
    page_cache_free(c);
}

static void a_write_makes_every_entry_stale(void **state)
{
    struct page_cache *c = NULL;
    char body[64];

    (void)state;
    assert_int_equal(page_cache_new(1 << 20, &c, NULL), HR_OK);
    assert_true(put(c, "a", 5, 0, "old a"));
    assert_true(put(c, "b", 5, 0, "old b"));
    got(c, "a", 6, 1, body, sizeof body);
    assert_string_equal(body, "");
    assert_int_equal(page_cache_count(c), 1); /* the stale one was dropped */
    page_cache_expire(c, 6, 1);
    assert_int_equal(page_cache_count(c), 0);
    assert_int_equal(page_cache_bytes(c), 0);
    page_cache_free(c);
}

static void an_entry_expires_after_the_ttl(void **state)
{
    struct page_cache *c = NULL;
    char body[64];

    (void)state;
    assert_int_equal(page_cache_new(1 << 20, &c, NULL), HR_OK);
    assert_true(put(c, "a", 1, 1000, "page"));
    got(c, "a", 1, 1000 + PAGE_CACHE_TTL_MS - 1, body, sizeof body);
    assert_string_equal(body, "page");
    got(c, "a", 1, 1000 + PAGE_CACHE_TTL_MS, body, sizeof body);
    assert_string_equal(body, "");
    page_cache_free(c);
}

static void the_bound_evicts_the_least_recently_used(void **state)
{
    struct page_cache *c = NULL;
    char key[32], body[1024], out[1024];
    size_t bound = 64 * 1024;

    (void)state;
    memset(body, 'x', sizeof body - 1);
    body[sizeof body - 1] = '\0';
    assert_int_equal(page_cache_new(bound, &c, NULL), HR_OK);
    for (int i = 0; i < 200; i++) {
        snprintf(key, sizeof key, "k%d", i);
        assert_true(put(c, key, 1, 0, body));
        if (i >= 1) {
            got(c, "k0", 1, 0, out, sizeof out); /* k0 stays the most recently used */
            assert_string_equal(out, body);
        }
        assert_true(page_cache_bytes(c) <= bound);
    }
    got(c, "k1", 1, 0, out, sizeof out);
    assert_string_equal(out, ""); /* evicted long ago */
    got(c, "k199", 1, 0, out, sizeof out);
    assert_string_equal(out, body);
    assert_true(page_cache_count(c) > 10 && page_cache_count(c) < 64);
    page_cache_free(c);
}

static void a_page_over_an_eighth_of_the_bound_is_not_stored(void **state)
{
    struct page_cache *c = NULL;
    char *big = malloc(10000);

    (void)state;
    assert_non_null(big);
    memset(big, 'y', 9999);
    big[9999] = '\0';
    assert_int_equal(page_cache_new(64 * 1024, &c, NULL), HR_OK);
    assert_true(put(c, "small", 1, 0, "s"));
    assert_false(put(c, "big", 1, 0, big));
    assert_int_equal(page_cache_count(c), 1); /* and nothing was evicted for it */
    page_cache_free(c);
    free(big);
}

static void a_held_entry_survives_its_eviction_until_released(void **state)
{
    struct page_cache *c = NULL;
    const struct page_doc *held;

    (void)state;
    assert_int_equal(page_cache_new(1 << 20, &c, NULL), HR_OK);
    assert_true(put(c, "a", 1, 0, "first"));
    held = page_cache_get(c, "a", 1, 0);
    assert_non_null(held);
    assert_true(put(c, "a", 1, 0, "second")); /* replaces it in the table */
    page_cache_expire(c, 2, 0);               /* and a write drops the replacement */
    assert_string_equal(held->body, "first"); /* still readable (ASan: not freed) */
    page_cache_release(c, held);
    assert_int_equal(page_cache_count(c), 0);
    page_cache_free(c);
}

int main(void)
{
    const struct CMUnitTest t[] = {
        cmocka_unit_test(a_stored_page_comes_back_with_its_headers),
        cmocka_unit_test(a_write_makes_every_entry_stale),
        cmocka_unit_test(an_entry_expires_after_the_ttl),
        cmocka_unit_test(the_bound_evicts_the_least_recently_used),
        cmocka_unit_test(a_page_over_an_eighth_of_the_bound_is_not_stored),
        cmocka_unit_test(a_held_entry_survives_its_eviction_until_released),
    };
    return cmocka_run_group_tests(t, NULL, NULL);
}
