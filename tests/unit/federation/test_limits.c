/* tests/unit/federation/test_limits.c - federation/limits.c: key fetch caps per registrable
 * domain (subdomains together) and in total, the failed-fetch cache keyed by the exact
 * keyId, the inbox queue bound, the burst limit per actor and the Follow limit per
 * registrable domain. No network: the caps are taken and released by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/federation/fedfix.h"

#include "federation/fed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fixture {
    char dir[64];
    struct store *st;
    struct fed *fed;
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    struct fed_config cfg = {.domain = "social.city.example",
                             .base_url = "https://social.city.example",
                             .fetch_timeout_ms = 10000,
                             .key_fetch_max_total = 3,
                             .key_fetch_max_per_domain = 2,
                             .key_fail_cache_s = 300,
                             .inbox_queue_max = 2,
                             .inbox_actor_per_second = 3,
                             .inbox_follows_per_minute = 2};

    if (fx == NULL || fedfix_open(fx->dir, &fx->st, &fx->fed, "limits", cfg) != 0)
        return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    if (fedfix_close(fx->dir, fx->st, fx->fed) != 0)
        return -1;
    free(fx);
    return 0;
}

static int begin(struct fixture *fx, const char *key_id, struct fed_keyfetch *kf)
{
    return fed_keyfetch_begin(fx->fed, key_id, kf, NULL);
}

static void subdomains_of_one_registrable_domain_share_its_fetch_cap(void **state)
{
    struct fixture *fx = *state;
    struct fed_keyfetch a, b, c;
    struct hr_err err = {0};

    assert_int_equal(begin(fx, "https://a.evil.example/u#k", &a), HR_OK);
    assert_string_equal(a.domain, "evil.example");
    assert_int_equal(begin(fx, "https://b.evil.example:8443/u#k", &b), HR_OK);
    assert_int_equal(fed_keyfetch_begin(fx->fed, "https://c.evil.example/u#k", &c, &err),
                     HR_ELIMIT);
    assert_non_null(strstr(err.msg, "evil.example"));
    assert_false(c.held);
    /* one finished: the domain may fetch again */
    fed_keyfetch_end(fx->fed, "https://a.evil.example/u#k", &a, HR_OK);
    assert_int_equal(begin(fx, "https://c.evil.example/u#k", &c), HR_OK);
    fed_keyfetch_end(fx->fed, "https://b.evil.example:8443/u#k", &b, HR_OK);
    fed_keyfetch_end(fx->fed, "https://c.evil.example/u#k", &c, HR_OK);
}

static void a_public_suffix_does_not_join_unrelated_sites(void **state)
{
    struct fixture *fx = *state;
    struct fed_keyfetch a, b, c;

    /* github.io is a public suffix: x.github.io and y.github.io are two registrants */
    assert_int_equal(begin(fx, "https://x.github.io/u#k", &a), HR_OK);
    assert_int_equal(begin(fx, "https://x.github.io/v#k", &b), HR_OK);
    assert_int_equal(begin(fx, "https://y.github.io/u#k", &c), HR_OK);
    fed_keyfetch_end(fx->fed, "https://x.github.io/u#k", &a, HR_OK);
    fed_keyfetch_end(fx->fed, "https://x.github.io/v#k", &b, HR_OK);
    fed_keyfetch_end(fx->fed, "https://y.github.io/u#k", &c, HR_OK);
}

static void the_total_cap_refuses_a_new_domain_until_a_fetch_ends(void **state)
{
    struct fixture *fx = *state;
    struct fed_keyfetch k[4];

    assert_int_equal(begin(fx, "https://one.example/u#k", &k[0]), HR_OK);
    assert_int_equal(begin(fx, "https://two.example/u#k", &k[1]), HR_OK);
    assert_int_equal(begin(fx, "https://three.example/u#k", &k[2]), HR_OK);
    assert_int_equal(begin(fx, "https://four.example/u#k", &k[3]), HR_ELIMIT);
    fed_keyfetch_end(fx->fed, "https://two.example/u#k", &k[1], HR_OK);
    assert_int_equal(begin(fx, "https://four.example/u#k", &k[3]), HR_OK);
    fed_keyfetch_end(fx->fed, "https://one.example/u#k", &k[0], HR_OK);
    fed_keyfetch_end(fx->fed, "https://three.example/u#k", &k[2], HR_OK);
    fed_keyfetch_end(fx->fed, "https://four.example/u#k", &k[3], HR_OK);
}

static void a_failed_fetch_is_remembered_for_that_exact_key_id_only(void **state)
{
    struct fixture *fx = *state;
    struct fed_keyfetch kf;
    struct hr_err err = {0};

    assert_int_equal(begin(fx, "https://p.example/users/a#main-key", &kf), HR_OK);
    fed_keyfetch_end(fx->fed, "https://p.example/users/a#main-key", &kf, HR_ENET);
    assert_int_equal(fed_keyfetch_begin(fx->fed, "https://p.example/users/a#main-key", &kf, &err),
                     HR_ENET);
    assert_non_null(strstr(err.msg, "failed recently"));
    assert_false(kf.held);
    /* a neighbour on the same host, and a keyId differing in one byte, are fetched */
    assert_int_equal(begin(fx, "https://p.example/users/b#main-key", &kf), HR_OK);
    fed_keyfetch_end(fx->fed, "https://p.example/users/b#main-key", &kf, HR_OK);
    assert_int_equal(begin(fx, "https://p.example/users/a#main-kez", &kf), HR_OK);
    fed_keyfetch_end(fx->fed, "https://p.example/users/a#main-kez", &kf, HR_OK);
    /* a success is not remembered as a failure */
    assert_int_equal(begin(fx, "https://p.example/users/b#main-key", &kf), HR_OK);
    fed_keyfetch_end(fx->fed, "https://p.example/users/b#main-key", &kf, HR_OK);
}

static void the_inbox_queue_is_full_at_its_bound(void **state)
{
    struct fixture *fx = *state;
    int64_t wait_s = 0;

    assert_false(fed_inbox_full(fx->fed, &wait_s));
    fed_inbox_queued(fx->fed, 1);
    assert_false(fed_inbox_full(fx->fed, &wait_s));
    fed_inbox_queued(fx->fed, 1);
    assert_true(fed_inbox_full(fx->fed, &wait_s));
    assert_int_equal(wait_s, 10); /* the key fetch timeout, rounded up */
    fed_inbox_queued(fx->fed, -1);
    assert_false(fed_inbox_full(fx->fed, &wait_s));
    fed_inbox_queued(fx->fed, -1);
}

static void one_actors_burst_does_not_spend_another_actors_allowance(void **state)
{
    struct fixture *fx = *state;
    const char *a = "https://big.example/users/a", *b = "https://big.example/users/b";
    int64_t wait_s = 0;

    for (int i = 0; i < 3; i++)
        assert_true(fed_actor_allow(fx->fed, a, &wait_s));
    assert_false(fed_actor_allow(fx->fed, a, &wait_s));
    assert_true(wait_s >= 1);
    assert_true(fed_actor_allow(fx->fed, b, &wait_s));
}

static void follows_are_counted_per_registrable_domain(void **state)
{
    struct fixture *fx = *state;
    int64_t wait_s = 0;

    assert_true(fed_follow_allow(fx->fed, "https://a.farm.example/u/1", &wait_s));
    assert_true(fed_follow_allow(fx->fed, "https://b.farm.example/u/2", &wait_s));
    assert_false(fed_follow_allow(fx->fed, "https://c.farm.example/u/3", &wait_s));
    assert_true(wait_s >= 1 && wait_s <= 60);
    assert_true(fed_follow_allow(fx->fed, "https://other.example/u/1", &wait_s));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(subdomains_of_one_registrable_domain_share_its_fetch_cap),
        T(a_public_suffix_does_not_join_unrelated_sites),
        T(the_total_cap_refuses_a_new_domain_until_a_fetch_ends),
        T(a_failed_fetch_is_remembered_for_that_exact_key_id_only),
        T(the_inbox_queue_is_full_at_its_bound),
        T(one_actors_burst_does_not_spend_another_actors_allowance),
        T(follows_are_counted_per_registrable_domain),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
