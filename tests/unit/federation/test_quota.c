/* tests/unit/federation/test_quota.c - quotas per remote actor and per registrable domain,
 * the inbound reserve, and the retention pruner (which never removes our own posts),
 * against a real store in a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/federation/fedfix.h"

#include "federation/fed_int.h"
#include "keys/keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE "https://social.city.example"
#define ALICE "https://a.example.co.uk/users/alice"
#define BOB "https://b.example.co.uk/users/bob"
#define DAY_MS (86400 * 1000LL)

struct fixture {
    char dir[64];
    struct store *st;
    struct fed *fed;
};

static int start(void **state, const struct fed_config *tune)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    struct fed_config cfg = *tune;

    cfg.domain = "social.city.example";
    cfg.base_url = BASE;
    if (fx == NULL || fedfix_open(fx->dir, &fx->st, &fx->fed, "quota", cfg) != 0)
        return -1;
    *state = fx;
    return 0;
}

static int setup(void **state)
{
    struct fed_config cfg = {.inbound_max_objects_per_actor = 2,
                             .inbound_max_bytes_per_actor = 100000,
                             .inbound_max_objects_per_domain = 3,
                             .inbound_max_bytes_per_domain = 1000000,
                             .inbound_share_percent = 1, /* of 64 MiB: about 670 kB */
                             .inbound_retention_s = 30 * 86400,
                             .seen_retention_s = 10 * 86400};

    return start(state, &cfg);
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    if (fedfix_close(fx->dir, fx->st, fx->fed) != 0)
        return -1;
    free(fx);
    return 0;
}

/* Stores an inbound activity of LEN bytes from ACTOR at MS, charged as the inbox does. */
static void receive(struct fixture *fx, const char *actor, size_t len, int64_t ms)
{
    struct fed_charge from;
    struct store_txn *txn = NULL;
    char *body = malloc(len + 1);

    assert_non_null(body);
    memset(body, 'x', len);
    body[len] = '\0';
    assert_int_equal(fed_charge_of(actor, &from), HR_OK);
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_inbound_add_from(txn, "", &from.ch, "Like", body, len, ms, NULL),
                     HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    free(body);
}

/* What fed_quota_admit answers for one more activity of LEN bytes from ACTOR. */
static int admit(struct fixture *fx, const char *actor, size_t len, struct fed_quota_refusal *q)
{
    struct fed_charge from;
    struct store_txn *txn = NULL;
    int rc;

    assert_int_equal(fed_charge_of(actor, &from), HR_OK);
    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    rc = fed_quota_admit(fx->fed, txn, &from, len, q);
    store_txn_abort(txn);
    return rc;
}

static void subdomains_of_one_registrant_are_charged_together(void **state)
{
    struct fed_charge a, b;

    (void)state;
    assert_int_equal(fed_charge_of(ALICE, &a), HR_OK);
    assert_int_equal(fed_charge_of(BOB, &b), HR_OK);
    assert_string_equal(a.domain, "example.co.uk");
    assert_string_equal(b.domain, "example.co.uk");
    assert_string_equal(a.ch.actor, ALICE);
    assert_int_equal(fed_charge_of("not a url", &a), HR_EINVAL);
}

static void an_actor_over_its_object_quota_is_refused_with_429(void **state)
{
    struct fixture *fx = *state;
    struct fed_quota_refusal q;

    assert_int_equal(admit(fx, ALICE, 100, &q), HR_OK);
    receive(fx, ALICE, 100, hr_now_ms());
    assert_int_equal(admit(fx, ALICE, 100, &q), HR_OK);
    receive(fx, ALICE, 100, hr_now_ms());
    assert_int_equal(admit(fx, ALICE, 100, &q), HR_ELIMIT);
    assert_int_equal(q.status, 429);
    assert_string_equal(q.code, "quota_actor");
    assert_true(q.retry_after_s > 0);
    assert_non_null(strstr(q.message, ALICE));
    assert_non_null(strstr(q.message, "example.co.uk"));
    /* another actor of the same registrant still has room, until the domain is full */
    assert_int_equal(admit(fx, BOB, 100, &q), HR_OK);
    receive(fx, BOB, 100, hr_now_ms());
    assert_int_equal(admit(fx, BOB, 100, &q), HR_ELIMIT);
    assert_string_equal(q.code, "quota_domain");
    assert_int_equal(admit(fx, "https://other.example/users/c", 100, &q), HR_OK);
}

static void an_actor_over_its_byte_quota_is_refused(void **state)
{
    struct fixture *fx = *state;
    struct fed_quota_refusal q;

    receive(fx, ALICE, 60000, hr_now_ms());
    assert_int_equal(admit(fx, ALICE, 30000, &q), HR_OK);
    assert_int_equal(admit(fx, ALICE, 50000, &q), HR_ELIMIT);
    assert_string_equal(q.code, "quota_actor");
}

static void a_full_inbound_share_refuses_everyone_with_507(void **state)
{
    struct fixture *fx = *state;
    struct fed_quota_refusal q;

    /* three actors, each within its quota, together past 1% of the map */
    receive(fx, "https://x.example/users/1", 250000, hr_now_ms());
    receive(fx, "https://y.example/users/2", 250000, hr_now_ms());
    assert_int_equal(admit(fx, "https://z.example/users/3", 100, &q), HR_OK);
    receive(fx, "https://z.example/users/3", 250000, hr_now_ms());
    assert_int_equal(admit(fx, "https://new.example/users/4", 100, &q), HR_ELIMIT);
    assert_int_equal(q.status, 507);
    assert_string_equal(q.code, "inbound_reserve");
    assert_int_equal(q.retry_after_s, 3600); /* pruning frees room over time */
}

static void add_account(struct fixture *fx)
{
    char *rsa_priv = NULL, *rsa_pub = NULL, *ed_priv = NULL, *ed_pub = NULL;
    struct store_account a = {.name = (char *)(uintptr_t) "health",
                              .kind = (char *)(uintptr_t) "agency",
                              .display_name = (char *)(uintptr_t) "Health"};
    struct store_txn *txn = NULL;

    assert_int_equal(keys_rsa_generate(&rsa_priv, &rsa_pub, NULL), HR_OK);
    assert_int_equal(keys_ed25519_generate(&ed_priv, &ed_pub, NULL), HR_OK);
    a.rsa_priv_pem = rsa_priv;
    a.rsa_pub_pem = rsa_pub;
    a.ed_priv_pem = ed_priv;
    a.ed_pub_multibase = ed_pub;
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_account_add(txn, &a, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    free(rsa_priv);
    free(rsa_pub);
    free(ed_priv);
    free(ed_pub);
}

static void the_pruner_removes_old_inbound_data_and_seen_ids_and_keeps_our_posts(void **state)
{
    struct fixture *fx = *state;
    struct store_stats before, after;
    struct store_txn *txn = NULL;
    struct fed_charge from;
    int64_t now = hr_now_ms();
    char *note = NULL;
    size_t n = 0;

    add_account(fx);
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(fed_charge_of(ALICE, &from), HR_OK);
    assert_int_equal(store_seen_put_from(txn, ALICE "/likes/old", "d", now - 20 * DAY_MS,
                                         &from.ch, NULL),
                     HR_OK);
    assert_int_equal(store_seen_put_from(txn, ALICE "/likes/new", "d", now, &from.ch, NULL),
                     HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    receive(fx, ALICE, 100, now - 40 * DAY_MS);
    receive(fx, ALICE, 100, now - 1 * DAY_MS);
    assert_int_equal(fed_publish_note(fx->fed, "health", "Our notice", &note, NULL), HR_OK);
    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    assert_int_equal(store_stats_get(txn, &before, NULL), HR_OK);
    store_txn_abort(txn);

    assert_int_equal(fed_prune_run(fx->fed, now, &n, NULL), HR_OK);
    assert_int_equal(n, 2); /* the 40-day-old activity and the 20-day-old seen id */
    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    assert_int_equal(store_stats_get(txn, &after, NULL), HR_OK);
    assert_false(store_seen_has(txn, ALICE "/likes/old"));
    assert_true(store_seen_has(txn, ALICE "/likes/new"));
    store_txn_abort(txn);
    assert_int_equal(after.inbound, before.inbound - 1);
    assert_int_equal(after.seen, before.seen - 1);
    assert_int_equal(after.objects, before.objects);
    assert_int_equal(after.deliveries, before.deliveries);

    /* a month later everything inbound is gone, our post stays */
    assert_int_equal(fed_prune_run(fx->fed, now + 31 * DAY_MS, &n, NULL), HR_OK);
    assert_int_equal(n, 2);
    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    assert_int_equal(store_stats_get(txn, &after, NULL), HR_OK);
    assert_int_equal(store_outbox_count(txn, "health"), 1);
    store_txn_abort(txn);
    assert_int_equal(after.inbound, 0);
    assert_int_equal(after.seen, 0);
    assert_int_equal(after.objects, 2); /* the Note and its Create */
    free(note);
}

static void no_limits_configured_admits_everything(void **state)
{
    struct fed_config none = {0};
    struct fed_quota_refusal q;
    void *s = NULL;

    (void)state;
    assert_int_equal(start(&s, &none), 0);
    receive(s, ALICE, 300000, hr_now_ms());
    receive(s, ALICE, 300000, hr_now_ms());
    receive(s, ALICE, 300000, hr_now_ms());
    assert_int_equal(admit(s, ALICE, 300000, &q), HR_OK);
    assert_int_equal(teardown(&s), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest t[] = {
        T(subdomains_of_one_registrant_are_charged_together),
        T(an_actor_over_its_object_quota_is_refused_with_429),
        T(an_actor_over_its_byte_quota_is_refused),
        T(a_full_inbound_share_refuses_everyone_with_507),
        T(the_pruner_removes_old_inbound_data_and_seen_ids_and_keeps_our_posts),
        cmocka_unit_test(no_limits_configured_admits_everything),
    };
#undef T
    return cmocka_run_group_tests(t, NULL, NULL);
}
