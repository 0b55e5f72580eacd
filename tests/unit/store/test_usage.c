/* tests/unit/store/test_usage.c - what remote actors made us store: usage per actor and
 * per domain kept with the rows, the one Accept per follower, pruning by age (which never
 * touches our own data), and the inbound share of the map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/tmpdir.h"

#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALICE "https://a.example/users/alice"
#define BOB "https://b.a.example/users/bob"

struct fixture {
    char dir[64];
    struct store *st;
};

static const struct store_charge alice = {.actor = ALICE, .domain = "a.example"};
static const struct store_charge bob = {.actor = BOB, .domain = "a.example"};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);

    if (fx == NULL || tmpdir_make(fx->dir, "usage") != 0 ||
        store_open(fx->dir, STORE_CREATE, 64, &fx->st, NULL) != HR_OK)
        return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    store_close(fx->st);
    if (tmpdir_remove(fx->dir) != 0)
        return -1;
    free(fx);
    return 0;
}

static struct store_txn *begin(struct fixture *fx, enum store_mode mode)
{
    struct store_txn *txn = NULL;

    assert_int_equal(store_txn_begin(fx->st, mode, &txn, NULL), HR_OK);
    return txn;
}

static void commit(struct store_txn *txn)
{
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
}

static struct store_usage usage(struct fixture *fx, int kind, const char *name)
{
    struct store_txn *txn = begin(fx, STORE_READ);
    struct store_usage u;

    store_usage_get(txn, kind, name, &u);
    store_txn_abort(txn);
    return u;
}

static struct store_stats stats(struct fixture *fx)
{
    struct store_txn *txn = begin(fx, STORE_READ);
    struct store_stats s = {0};

    assert_int_equal(store_stats_get(txn, &s, NULL), HR_OK);
    store_txn_abort(txn);
    return s;
}

static void add_inbound(struct fixture *fx, const struct store_charge *from, int64_t ms)
{
    static const char body[] = "{\"type\":\"Like\"}";
    struct store_txn *txn = begin(fx, STORE_WRITE);

    assert_int_equal(store_inbound_add_from(txn, "health", from, "Like", body, sizeof body - 1,
                                            ms, NULL),
                     HR_OK);
    commit(txn);
}

static int timeline_step(struct store_txn *txn, int64_t unused, size_t max,
                                   struct store_prune *p, struct hr_err *err)
{
    (void)unused;
    return store_timeline_prune(txn, max, p, err);
}

/* Runs a whole pass of PRUNE in steps of MAX rows, one transaction each. */
static size_t prune_all(struct fixture *fx,
                        int (*prune)(struct store_txn *, int64_t, size_t, struct store_prune *,
                                     struct hr_err *),
                        int64_t before_ms, size_t max)
{
    struct store_prune p = {0};
    size_t steps = 0;

    while (!p.done) {
        struct store_txn *txn = begin(fx, STORE_WRITE);
        assert_int_equal(prune(txn, before_ms, max, &p, NULL), HR_OK);
        commit(txn);
        assert_true(++steps < 1000);
    }
    return p.removed;
}

static void inbound_rows_are_charged_to_their_actor_and_domain(void **state)
{
    struct fixture *fx = *state;

    add_inbound(fx, &alice, 1000);
    add_inbound(fx, &alice, 1000);
    add_inbound(fx, &bob, 1000);
    assert_int_equal(usage(fx, STORE_USAGE_ACTOR, ALICE).objects, 2);
    assert_int_equal(usage(fx, STORE_USAGE_ACTOR, BOB).objects, 1);
    assert_int_equal(usage(fx, STORE_USAGE_DOMAIN, "a.example").objects, 3);
    assert_true(usage(fx, STORE_USAGE_ACTOR, ALICE).bytes > 2 * 15);
    assert_int_equal(usage(fx, STORE_USAGE_DOMAIN, "a.example").bytes,
                     usage(fx, STORE_USAGE_ACTOR, ALICE).bytes +
                         usage(fx, STORE_USAGE_ACTOR, BOB).bytes);
    assert_int_equal(usage(fx, STORE_USAGE_ACTOR, "https://nobody.example/").objects, 0);
}

static void pruning_old_inbound_rows_releases_their_charge_and_keeps_newer_ones(void **state)
{
    struct fixture *fx = *state;

    add_inbound(fx, &alice, 1000);
    add_inbound(fx, &bob, 1000);
    add_inbound(fx, &alice, 9000);
    assert_int_equal(prune_all(fx, store_inbound_prune, 5000, 256), 2);
    assert_int_equal(stats(fx).inbound, 1);
    assert_int_equal(usage(fx, STORE_USAGE_ACTOR, ALICE).objects, 1);
    assert_int_equal(usage(fx, STORE_USAGE_ACTOR, BOB).objects, 0);
    assert_int_equal(usage(fx, STORE_USAGE_ACTOR, BOB).bytes, 0);
    assert_int_equal(usage(fx, STORE_USAGE_DOMAIN, "a.example").objects, 1);
    assert_int_equal(prune_all(fx, store_inbound_prune, 10000, 256), 1);
    assert_int_equal(usage(fx, STORE_USAGE_DOMAIN, "a.example").bytes, 0);
}

static void seen_ids_are_charged_bytes_and_pruned_by_age_in_small_steps(void **state)
{
    struct fixture *fx = *state;
    struct store_txn *txn = begin(fx, STORE_WRITE);
    char id[64];

    for (int i = 0; i < 10; i++) {
        snprintf(id, sizeof id, "https://a.example/likes/%d", i);
        assert_int_equal(store_seen_put_from(txn, id, "d1", i < 7 ? 1000 : 9000, &alice, NULL),
                         HR_OK);
    }
    /* a row in the layout written before quotas: pruned, charged to nobody */
    assert_int_equal(store_seen_put(txn, "https://old.example/1", "d0", 500, NULL, NULL), HR_OK);
    assert_int_equal(store_seen_put_from(txn, "https://a.example/likes/0", "d2", 2, &alice, NULL),
                     HR_EEXIST);
    commit(txn);
    assert_int_equal(usage(fx, STORE_USAGE_ACTOR, ALICE).objects, 0);
    assert_true(usage(fx, STORE_USAGE_ACTOR, ALICE).bytes > 10 * 20);
    assert_int_equal(prune_all(fx, store_seen_prune, 5000, 3), 8);
    assert_int_equal(stats(fx).seen, 3);
    txn = begin(fx, STORE_READ);
    assert_true(store_seen_has(txn, "https://a.example/likes/8"));
    assert_false(store_seen_has(txn, "https://a.example/likes/1"));
    assert_false(store_seen_has(txn, "https://old.example/1"));
    store_txn_abort(txn);
    assert_true(usage(fx, STORE_USAGE_ACTOR, ALICE).bytes > 0);
    assert_int_equal(prune_all(fx, store_seen_prune, 10000, 2), 3);
    assert_int_equal(usage(fx, STORE_USAGE_ACTOR, ALICE).bytes, 0);
}

static void put_object(struct fixture *fx, const char *id, const char *type)
{
    struct store_object o = {.id = (char *)(uintptr_t)id, .account = (char *)(uintptr_t) "health",
                             .type = (char *)(uintptr_t)type, .published_ms = 1,
                             .json = (char *)(uintptr_t) "{\"type\":\"Note\"}"};
    struct store_txn *txn = begin(fx, STORE_WRITE);

    assert_int_equal(store_object_put(txn, &o, NULL), HR_OK);
    commit(txn);
}

static void pruning_never_touches_our_own_data(void **state)
{
    struct fixture *fx = *state;
    struct store_follower f = {.actor = (char *)(uintptr_t)ALICE,
                               .inbox = (char *)(uintptr_t)ALICE "/inbox",
                               .follow_id = (char *)(uintptr_t) "x"};
    struct store_stats before, after;
    struct store_txn *txn;

    put_object(fx, "https://us.example/users/health/notes/1", "Note");
    txn = begin(fx, STORE_WRITE);
    assert_int_equal(store_outbox_add(txn, "health", "https://us.example/n/1", NULL, NULL), HR_OK);
    assert_int_equal(store_follower_put(txn, "health", &f, NULL, NULL), HR_OK);
    assert_int_equal(store_rec_put(txn, STORE_T_AUDIT, "k", 1, "v", 1, 0, NULL), HR_OK);
    assert_int_equal(store_seen_put_from(txn, "https://a.example/x", "d", 1, &alice, NULL), HR_OK);
    commit(txn);
    add_inbound(fx, &alice, 1);
    before = stats(fx);
    prune_all(fx, store_inbound_prune, INT64_MAX, 1);
    prune_all(fx, store_seen_prune, INT64_MAX, 1);
    after = stats(fx);
    assert_int_equal(after.inbound, 0);
    assert_int_equal(after.seen, 0);
    assert_int_equal(after.objects, before.objects);
    assert_int_equal(after.followers, before.followers);
    txn = begin(fx, STORE_READ);
    assert_int_equal(store_outbox_count(txn, "health"), 1);
    assert_int_equal(store_rec_count(txn, STORE_T_AUDIT), 1);
    store_txn_abort(txn);
}

static void a_repeated_follow_keeps_one_accept_and_leaving_removes_it(void **state)
{
    struct fixture *fx = *state;
    struct store_txn *txn;
    struct store_object o = {0};

    put_object(fx, "https://us.example/users/health/accepts/1", "Accept");
    txn = begin(fx, STORE_WRITE);
    assert_int_equal(store_accept_keep(txn, "health", &alice,
                                       "https://us.example/users/health/accepts/1", NULL),
                     HR_OK);
    commit(txn);
    assert_int_equal(usage(fx, STORE_USAGE_ACTOR, ALICE).objects, 1);
    put_object(fx, "https://us.example/users/health/accepts/2", "Accept");
    txn = begin(fx, STORE_WRITE);
    assert_int_equal(store_accept_keep(txn, "health", &alice,
                                       "https://us.example/users/health/accepts/2", NULL),
                     HR_OK);
    assert_int_equal(store_object_get(txn, "https://us.example/users/health/accepts/1", &o, NULL),
                     HR_ENOTFOUND);
    assert_int_equal(store_accept_keep(txn, "health", &alice, "https://us.example/none", NULL),
                     HR_ENOTFOUND);
    assert_int_equal(store_accept_keep(txn, "health", &alice,
                                       "https://us.example/users/health/accepts/2", NULL),
                     HR_OK); /* the same again: still one, charged once */
    commit(txn);
    assert_int_equal(usage(fx, STORE_USAGE_ACTOR, ALICE).objects, 1);
    assert_int_equal(stats(fx).objects, 1);
    txn = begin(fx, STORE_WRITE);
    assert_int_equal(store_accept_keep(txn, "health", &alice, NULL, NULL), HR_OK);
    assert_int_equal(store_accept_keep(txn, "health", &alice, NULL, NULL), HR_OK);
    commit(txn);
    assert_int_equal(stats(fx).objects, 0);
    assert_int_equal(usage(fx, STORE_USAGE_ACTOR, ALICE).objects, 0);
    assert_int_equal(usage(fx, STORE_USAGE_DOMAIN, "a.example").bytes, 0);
}

static void uncharged_rows_count_for_nobody(void **state)
{
    struct fixture *fx = *state;
    struct store_txn *txn = begin(fx, STORE_WRITE);

    assert_int_equal(store_inbound_add(txn, "health", ALICE, "Like", "{}", 2, NULL), HR_OK);
    commit(txn);
    assert_int_equal(usage(fx, STORE_USAGE_ACTOR, ALICE).objects, 0);
    assert_int_equal(prune_all(fx, store_inbound_prune, INT64_MAX, 8), 1);
    assert_int_equal(usage(fx, STORE_USAGE_ACTOR, ALICE).objects, 0);
}

/* A Create of an actor we follow: a timeline row, then its inbound row, in one txn. */
static void add_followed_create(struct fixture *fx, int64_t ms)
{
    struct store_txn *txn = begin(fx, STORE_WRITE);
    unsigned char key[7 + 8] = "health";
    uint64_t seq;

    assert_int_equal(store_seq_next(txn, &seq, NULL), HR_OK);
    store_put_be64(seq, key + 7);
    assert_int_equal(store_rec_put(txn, STORE_T_TIMELINE, key, sizeof key, "{}", 2, 0, NULL),
                     HR_OK);
    assert_int_equal(store_inbound_add_from(txn, "", &alice, "Create", "{}", 2, ms, NULL), HR_OK);
    commit(txn);
}

static uint64_t timeline_rows(struct fixture *fx)
{
    struct store_txn *txn = begin(fx, STORE_READ);
    uint64_t n = store_rec_count(txn, STORE_T_TIMELINE);

    store_txn_abort(txn);
    return n;
}

static void timeline_rows_go_with_the_inbound_rows_of_their_time(void **state)
{
    struct fixture *fx = *state;

    add_followed_create(fx, 1000);
    add_followed_create(fx, 2000);
    add_followed_create(fx, 9000);
    assert_int_equal(prune_all(fx, timeline_step, 0, 8), 0); /* nothing known old */
    assert_int_equal(timeline_rows(fx), 3);
    assert_int_equal(prune_all(fx, store_inbound_prune, 5000, 8), 2);
    assert_int_equal(prune_all(fx, timeline_step, 0, 1), 2);
    assert_int_equal(timeline_rows(fx), 1);
    assert_int_equal(stats(fx).inbound, 1);
}

static void the_inbound_share_grows_with_inbound_rows_only(void **state)
{
    struct fixture *fx = *state;
    uint64_t used0, used1, used2, map;
    struct store_txn *txn = begin(fx, STORE_READ);
    char *big = malloc(200000);
    char id[64];

    store_inbound_share(txn, &used0, &map);
    store_txn_abort(txn);
    assert_int_equal(map, 64u << 20);
    assert_non_null(big);
    memset(big, 'x', 199999);
    big[199999] = '\0';
    for (int i = 0; i < 5; i++) {
        snprintf(id, sizeof id, "https://us.example/users/health/notes/%d", i);
        struct store_object o = {.id = id, .account = (char *)(uintptr_t) "health",
                                 .type = (char *)(uintptr_t) "Note", .json = big};
        txn = begin(fx, STORE_WRITE);
        assert_int_equal(store_object_put(txn, &o, NULL), HR_OK);
        commit(txn);
    }
    txn = begin(fx, STORE_READ);
    store_inbound_share(txn, &used1, &map);
    store_txn_abort(txn);
    assert_int_equal(used1, used0); /* our own posts are not inbound */
    txn = begin(fx, STORE_WRITE);
    assert_int_equal(store_inbound_add_from(txn, "", &alice, "Create", big, 199999, 1, NULL),
                     HR_OK);
    store_inbound_share(txn, &used2, &map); /* the writer sees its own rows */
    commit(txn);
    assert_true(used2 >= used1 + 199999);
    free(big);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest t[] = {
        T(inbound_rows_are_charged_to_their_actor_and_domain),
        T(pruning_old_inbound_rows_releases_their_charge_and_keeps_newer_ones),
        T(seen_ids_are_charged_bytes_and_pruned_by_age_in_small_steps),
        T(pruning_never_touches_our_own_data),
        T(a_repeated_follow_keeps_one_accept_and_leaving_removes_it),
        T(uncharged_rows_count_for_nobody),
        T(timeline_rows_go_with_the_inbound_rows_of_their_time),
        T(the_inbound_share_grows_with_inbound_rows_only),
    };
#undef T
    return cmocka_run_group_tests(t, NULL, NULL);
}
