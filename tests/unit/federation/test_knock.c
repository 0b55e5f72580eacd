/* tests/unit/federation/test_knock.c - double-knocking for deliveries (federation/knock.h):
 * the state machine (which answer leads to a second knock, when a scheme is learned) and
 * the per-host memory in the store (first scheme, remembering, the bound, restarts). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "federation/fed_int.h"
#include "federation/knock.h"
#include "tests/unit/federation/fedfix.h"

struct fx {
    char dir[64];
    struct store *st;
    struct fed *fed;
};

static struct fed_config config(bool rfc9421_first)
{
    return (struct fed_config){.domain = "herald.example", .base_url = "https://herald.example",
                               .json_max_depth = 64, .json_max_string = 100000,
                               .json_max_items = 1000, .fetch_max_bytes = 1 << 20,
                               .rfc9421_first = rfc9421_first};
}

static int setup(void **state)
{
    struct fx *fx = calloc(1, sizeof *fx);

    *state = fx;
    return fx == NULL || fedfix_open(fx->dir, &fx->st, &fx->fed, "knock", config(false)) != 0;
}

static int teardown(void **state)
{
    struct fx *fx = *state;
    int rc = fedfix_close(fx->dir, fx->st, fx->fed);

    free(fx);
    return rc;
}

static void remember(struct fx *fx, const char *host, enum fed_scheme s)
{
    struct store_txn *txn = NULL;

    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(fed_knock_remember(txn, host, s, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
}

/* ---- the state machine ---- */

static void a_401_to_cavage_knocks_again_with_rfc9421_and_success_is_learned(void **state)
{
    struct fed_knock k;
    (void)state;

    fed_knock_init(&k, FED_SCHEME_CAVAGE);
    assert_int_equal(fed_knock_next(&k, HR_OK, 401), FED_KNOCK_AGAIN);
    assert_int_equal(k.now, FED_SCHEME_RFC9421);
    assert_int_equal(fed_knock_next(&k, HR_OK, 202), FED_KNOCK_LEARNED);
    assert_int_equal(k.now, FED_SCHEME_RFC9421);
}

static void a_403_to_rfc9421_knocks_again_with_cavage(void **state)
{
    struct fed_knock k;
    (void)state;

    fed_knock_init(&k, FED_SCHEME_RFC9421);
    assert_int_equal(fed_knock_next(&k, HR_OK, 403), FED_KNOCK_AGAIN);
    assert_int_equal(k.now, FED_SCHEME_CAVAGE);
    assert_int_equal(fed_knock_next(&k, HR_OK, 200), FED_KNOCK_LEARNED);
}

static void the_second_knock_is_the_last_whatever_it_gets(void **state)
{
    struct fed_knock k;
    (void)state;

    fed_knock_init(&k, FED_SCHEME_CAVAGE);
    assert_int_equal(fed_knock_next(&k, HR_OK, 401), FED_KNOCK_AGAIN);
    assert_int_equal(fed_knock_next(&k, HR_OK, 401), FED_KNOCK_DONE); /* no third knock */
    assert_int_equal(k.now, FED_SCHEME_RFC9421);
    fed_knock_init(&k, FED_SCHEME_CAVAGE);
    assert_int_equal(fed_knock_next(&k, HR_OK, 403), FED_KNOCK_AGAIN);
    assert_int_equal(fed_knock_next(&k, HR_OK, 503), FED_KNOCK_DONE); /* retried later */
}

static void a_first_knock_that_works_or_fails_otherwise_learns_nothing(void **state)
{
    static const long statuses[] = {200, 202, 400, 404, 410, 429, 500, 503};
    struct fed_knock k;
    (void)state;

    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        fed_knock_init(&k, FED_SCHEME_CAVAGE);
        assert_int_equal(fed_knock_next(&k, HR_OK, statuses[i]), FED_KNOCK_DONE);
        assert_int_equal(k.now, FED_SCHEME_CAVAGE);
    }
    fed_knock_init(&k, FED_SCHEME_CAVAGE); /* no answer at all: not a refusal */
    assert_int_equal(fed_knock_next(&k, HR_ENET, 0), FED_KNOCK_DONE);
    assert_int_equal(fed_knock_next(&k, HR_ENET, 401), FED_KNOCK_DONE);
}

/* ---- the memory ---- */

static void the_first_knock_is_the_configured_scheme_until_a_host_is_learned(void **state)
{
    struct fx *fx = *state;

    assert_int_equal(fed_knock_first(fx->fed, "peer.example"), FED_SCHEME_CAVAGE);
    remember(fx, "peer.example", FED_SCHEME_RFC9421);
    assert_int_equal(fed_knock_first(fx->fed, "peer.example"), FED_SCHEME_RFC9421);
    assert_int_equal(fed_knock_first(fx->fed, "other.example"), FED_SCHEME_CAVAGE);
    assert_int_equal(fed_knock_first(fx->fed, "peer.example:8443"), FED_SCHEME_CAVAGE);
    remember(fx, "peer.example", FED_SCHEME_CAVAGE); /* the host changed its mind */
    assert_int_equal(fed_knock_first(fx->fed, "peer.example"), FED_SCHEME_CAVAGE);
}

static void http_signature_first_rfc9421_makes_rfc9421_the_default(void **state)
{
    struct fx *fx = *state;
    struct fed *fed9 = NULL;
    struct fed_config cfg = config(true);

    cfg.data_dir = fx->dir;
    assert_int_equal(fed_new(fx->st, &cfg, &fed9, NULL), HR_OK);
    assert_int_equal(fed_knock_first(fed9, "peer.example"), FED_SCHEME_RFC9421);
    remember(fx, "peer.example", FED_SCHEME_CAVAGE);
    assert_int_equal(fed_knock_first(fed9, "peer.example"), FED_SCHEME_CAVAGE);
    fed_free(fed9);
}

static void what_was_learned_survives_a_restart(void **state)
{
    struct fx *fx = *state;

    remember(fx, "peer.example", FED_SCHEME_RFC9421);
    fed_free(fx->fed);
    store_close(fx->st);
    fx->fed = NULL;
    assert_int_equal(store_open(fx->dir, 0, 64, &fx->st, NULL), HR_OK);
    struct fed_config cfg = config(false);
    cfg.data_dir = fx->dir;
    assert_int_equal(fed_new(fx->st, &cfg, &fx->fed, NULL), HR_OK);
    assert_int_equal(fed_knock_first(fx->fed, "peer.example"), FED_SCHEME_RFC9421);
}

static void the_memory_is_bounded_but_known_hosts_still_update(void **state)
{
    struct fx *fx = *state;
    struct store_txn *txn = NULL;
    enum fed_scheme s;
    char host[64];

    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    for (int i = 0; i < FED_KNOCK_HOSTS_MAX; i++) {
        snprintf(host, sizeof host, "h%05d.example", i);
        assert_int_equal(fed_knock_remember(txn, host, FED_SCHEME_RFC9421, NULL), HR_OK);
    }
    assert_int_equal(fed_knock_remember(txn, "one-too-many.example", FED_SCHEME_RFC9421, NULL),
                     HR_OK);
    assert_int_equal(fed_knock_get(txn, "one-too-many.example", &s, NULL), HR_ENOTFOUND);
    assert_int_equal(fed_knock_remember(txn, "h00042.example", FED_SCHEME_CAVAGE, NULL), HR_OK);
    assert_int_equal(fed_knock_get(txn, "h00042.example", &s, NULL), HR_OK);
    assert_int_equal(s, FED_SCHEME_CAVAGE);
    assert_int_equal(fed_knock_remember(txn, "", FED_SCHEME_CAVAGE, NULL), HR_EINVAL);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_401_to_cavage_knocks_again_with_rfc9421_and_success_is_learned),
        cmocka_unit_test(a_403_to_rfc9421_knocks_again_with_cavage),
        cmocka_unit_test(the_second_knock_is_the_last_whatever_it_gets),
        cmocka_unit_test(a_first_knock_that_works_or_fails_otherwise_learns_nothing),
        cmocka_unit_test_setup_teardown(
            the_first_knock_is_the_configured_scheme_until_a_host_is_learned, setup, teardown),
        cmocka_unit_test_setup_teardown(http_signature_first_rfc9421_makes_rfc9421_the_default,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(what_was_learned_survives_a_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(the_memory_is_bounded_but_known_hosts_still_update, setup,
                                        teardown),
    };
    return cmocka_run_group_tests_name("knock", tests, NULL, NULL);
}
