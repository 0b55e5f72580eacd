/* tests/unit/store/test_store.c - store round trips on a real LMDB in a temporary dir. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/tmpdir.h"

#include "store/store.h"
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fixture {
    char dir[64];
    struct store *st;
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);

    if (tmpdir_make(fx->dir, "store") != 0)
        return -1;
    if (store_open(fx->dir, STORE_CREATE, 64, &fx->st, NULL) != HR_OK)
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

static void opening_a_missing_directory_without_create_is_not_found(void **state)
{
    struct store *st = NULL;
    struct hr_err err = {0};

    (void)state;
    assert_int_equal(store_open("/tmp/herald-does-not-exist-xyz", 0, 64, &st, &err),
                     HR_ENOTFOUND);
    assert_non_null(strstr(err.msg, "herald init"));
    assert_null(st);
}

static void a_created_directory_is_private_to_its_owner(void **state)
{
    struct fixture *fx = *state;
    char sub[128];
    struct store *st = NULL;
    struct stat sb;

    snprintf(sub, sizeof sub, "%s/new", fx->dir);
    assert_int_equal(store_open(sub, STORE_CREATE, 64, &st, NULL), HR_OK);
    assert_int_equal(stat(sub, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    store_close(st);
}

static void a_store_of_a_newer_schema_is_refused(void **state)
{
    struct fixture *fx = *state;
    struct store_txn *txn = begin(fx, STORE_WRITE);
    struct store *again = NULL;
    struct hr_err err = {0};
    unsigned char be[8];

    store_be64(STORE_SCHEMA + 1, be);
    assert_int_equal(store_db_put(txn, DB_META, "schema", 6, be, 8, 0, NULL), HR_OK);
    commit(txn);
    assert_int_equal(store_open(fx->dir, 0, 64, &again, &err), HR_ESCHEMA);
    assert_non_null(strstr(err.msg, "newer"));
}

static struct store_account sample_account(const char *name)
{
    struct store_account a = {
        .name = (char *)(uintptr_t)name, .kind = (char *)(uintptr_t) "agency",
        .display_name = (char *)(uintptr_t) "Health", .summary = (char *)(uintptr_t) "",
        .created_ms = 1234, .rsa_pub_pem = (char *)(uintptr_t) "PUB",
        .rsa_priv_pem = (char *)(uintptr_t) "PRIV", .ed_pub_multibase = (char *)(uintptr_t) "z6",
        .ed_priv_pem = (char *)(uintptr_t) "EDPRIV"};
    return a;
}

static void an_account_round_trips_and_cannot_be_added_twice(void **state)
{
    struct fixture *fx = *state;
    struct store_account a = sample_account("health"), got = {0};
    struct store_txn *txn = begin(fx, STORE_WRITE);

    assert_int_equal(store_account_add(txn, &a, NULL), HR_OK);
    assert_int_equal(store_account_add(txn, &a, NULL), HR_EEXIST);
    commit(txn);
    txn = begin(fx, STORE_READ);
    /* the usual read leaves the private keys in the record: never copied out */
    assert_int_equal(store_account_get(txn, "health", &got, NULL), HR_OK);
    assert_string_equal(got.kind, "agency");
    assert_string_equal(got.rsa_pub_pem, "PUB");
    assert_string_equal(got.ed_pub_multibase, "z6");
    assert_null(got.rsa_priv_pem);
    assert_null(got.ed_priv_pem);
    assert_int_equal(got.created_ms, 1234);
    store_account_fini(&got);
    assert_int_equal(store_account_get_private(txn, "health", &got, NULL), HR_OK);
    assert_string_equal(got.rsa_priv_pem, "PRIV");
    assert_string_equal(got.ed_priv_pem, "EDPRIV");
    assert_string_equal(got.ed_pub_multibase, "z6");
    store_account_fini(&got);
    assert_int_equal(store_account_get(txn, "nobody", &got, NULL), HR_ENOTFOUND);
    assert_int_equal(store_account_get_private(txn, "nobody", &got, NULL), HR_ENOTFOUND);
    store_txn_abort(txn);
}

static struct store_follower follower(const char *actor)
{
    struct store_follower f = {.actor = (char *)(uintptr_t)actor,
                               .inbox = (char *)(uintptr_t) "https://a.example/inbox",
                               .shared_inbox = (char *)(uintptr_t) "",
                               .follow_id = (char *)(uintptr_t) "https://a.example/f/1",
                               .created_ms = 5};
    return f;
}

static int count_cb(const struct store_follower *f, void *ctx)
{
    (void)f;
    (*(int *)ctx)++;
    return HR_OK;
}

static void follower_put_twice_is_one_follower(void **state)
{
    struct fixture *fx = *state;
    struct store_follower f = follower("https://a.example/u/1");
    struct store_txn *txn = begin(fx, STORE_WRITE);
    bool added = false;
    int n = 0;

    assert_int_equal(store_follower_put(txn, "health", &f, &added, NULL), HR_OK);
    assert_true(added);
    assert_int_equal(store_follower_put(txn, "health", &f, &added, NULL), HR_OK);
    assert_false(added);
    commit(txn);
    txn = begin(fx, STORE_READ);
    assert_int_equal(store_follower_count(txn, "health"), 1);
    assert_int_equal(store_follower_each(txn, "health", NULL, SIZE_MAX, count_cb, &n, NULL), HR_OK);
    assert_int_equal(n, 1);
    store_txn_abort(txn);
}

static void followers_page_after_a_cursor_and_leave_other_accounts_alone(void **state)
{
    struct fixture *fx = *state;
    struct store_txn *txn = begin(fx, STORE_WRITE);
    char actor[64];
    int n = 0;

    for (int i = 0; i < 5; i++) {
        snprintf(actor, sizeof actor, "https://a.example/u/%d", i);
        struct store_follower f = follower(actor);
        assert_int_equal(store_follower_put(txn, "health", &f, NULL, NULL), HR_OK);
        assert_int_equal(store_follower_put(txn, "healthy", &f, NULL, NULL), HR_OK);
    }
    commit(txn);
    txn = begin(fx, STORE_READ);
    assert_int_equal(
        store_follower_each(txn, "health", "https://a.example/u/2", 10, count_cb, &n, NULL), HR_OK);
    assert_int_equal(n, 2); /* u/3 and u/4: strictly after, and not "healthy"'s */
    store_txn_abort(txn);
}

static void deleting_an_actor_everywhere_removes_each_follow(void **state)
{
    struct fixture *fx = *state;
    struct store_follower f = follower("https://a.example/u/9");
    struct store_txn *txn = begin(fx, STORE_WRITE);
    size_t removed = 0;

    assert_int_equal(store_follower_put(txn, "health", &f, NULL, NULL), HR_OK);
    assert_int_equal(store_follower_put(txn, "police", &f, NULL, NULL), HR_OK);
    assert_int_equal(store_follower_del_everywhere(txn, f.actor, &removed, NULL), HR_OK);
    assert_int_equal(removed, 2);
    assert_int_equal(store_follower_count(txn, "health"), 0);
    assert_int_equal(store_follower_del(txn, "police", f.actor, NULL), HR_ENOTFOUND);
    commit(txn);
}

struct page {
    uint64_t seqs[8];
    int n;
};

static int page_cb(uint64_t seq, const char *id, void *ctx)
{
    struct page *p = ctx;

    (void)id;
    p->seqs[p->n++] = seq;
    return HR_OK;
}

static void outbox_pages_newest_first_below_the_cursor(void **state)
{
    struct fixture *fx = *state;
    struct store_txn *txn = begin(fx, STORE_WRITE);
    uint64_t seq[5];
    struct page p = {0};

    for (int i = 0; i < 5; i++)
        assert_int_equal(store_outbox_add(txn, "health", "https://x/1", &seq[i], NULL), HR_OK);
    assert_int_equal(store_outbox_add(txn, "other", "https://x/2", NULL, NULL), HR_OK);
    commit(txn);
    txn = begin(fx, STORE_READ);
    assert_int_equal(store_outbox_count(txn, "health"), 5);
    assert_int_equal(store_outbox_page(txn, "health", 0, 2, page_cb, &p, NULL), HR_OK);
    assert_int_equal(p.n, 2);
    assert_true(p.seqs[0] == seq[4] && p.seqs[1] == seq[3]);
    p.n = 0;
    assert_int_equal(store_outbox_page(txn, "health", seq[3], 8, page_cb, &p, NULL), HR_OK);
    assert_int_equal(p.n, 3);
    assert_true(p.seqs[0] == seq[2] && p.seqs[2] == seq[0]);
    store_txn_abort(txn);
}

static uint64_t add_job(struct fixture *fx, int64_t due)
{
    struct store_delivery d = {.due_ms = due, .created_ms = due,
                               .inbox = (char *)(uintptr_t) "https://b.example/inbox",
                               .account = (char *)(uintptr_t) "health",
                               .activity_id = (char *)(uintptr_t) "https://x/1/activity",
                               .recipient = (char *)(uintptr_t) ""};
    struct store_txn *txn = begin(fx, STORE_WRITE);
    uint64_t id = 0;

    assert_int_equal(store_delivery_add(txn, &d, &id, NULL), HR_OK);
    commit(txn);
    return id;
}

static size_t claim(struct fixture *fx, int64_t now)
{
    struct store_txn *txn = begin(fx, STORE_WRITE);
    struct store_delivery *jobs = NULL;
    size_t n = 0;

    assert_int_equal(store_delivery_claim(txn, now, 1000, 10, &jobs, &n, NULL), HR_OK);
    commit(txn);
    for (size_t i = 0; i < n; i++) {
        assert_true(jobs[i].claimed);
        store_delivery_fini(&jobs[i]);
    }
    free(jobs);
    return n;
}

static void a_claimed_job_is_leased_and_released_after_a_crash(void **state)
{
    struct fixture *fx = *state;
    struct store_txn *txn;
    size_t released = 0;

    add_job(fx, 100);
    add_job(fx, 5000);
    assert_int_equal(claim(fx, 200), 1);  /* only the due one */
    assert_int_equal(claim(fx, 300), 0);  /* leased until 1200 */
    txn = begin(fx, STORE_WRITE);
    assert_int_equal(store_delivery_release(txn, 400, &released, NULL), HR_OK);
    commit(txn);
    assert_int_equal(released, 1);
    assert_int_equal(claim(fx, 400), 1);  /* due again at once */
}

static void retry_moves_a_job_and_delete_removes_it(void **state)
{
    struct fixture *fx = *state;
    uint64_t id = add_job(fx, 100);
    struct store_txn *txn = begin(fx, STORE_WRITE);

    assert_int_equal(store_delivery_retry(txn, id, 9000, 3, NULL), HR_OK);
    assert_int_equal(store_delivery_next_due(txn), 9000);
    assert_int_equal(store_delivery_del(txn, id, NULL), HR_OK);
    assert_int_equal(store_delivery_del(txn, id, NULL), HR_ENOTFOUND);
    assert_int_equal(store_delivery_count(txn), 0);
    assert_int_equal(store_delivery_next_due(txn), INT64_MAX);
    commit(txn);
}

static void a_seen_activity_id_is_reported_with_its_digest(void **state)
{
    struct fixture *fx = *state;
    struct store_txn *txn = begin(fx, STORE_WRITE);
    char digest[65] = "";

    assert_int_equal(store_seen_put(txn, "https://a/1", "abc", 1, NULL, NULL), HR_OK);
    assert_int_equal(store_seen_put(txn, "https://a/1", "def", 2, digest, NULL), HR_EEXIST);
    assert_string_equal(digest, "abc");
    assert_true(store_seen_has(txn, "https://a/1"));
    commit(txn);
}

static void an_object_round_trips(void **state)
{
    struct fixture *fx = *state;
    struct store_object o = {.id = (char *)(uintptr_t) "https://x/n/1",
                             .account = (char *)(uintptr_t) "health",
                             .type = (char *)(uintptr_t) "Note", .published_ms = 7,
                             .json = (char *)(uintptr_t) "{\"a\":1}"},
                        got = {0};
    struct store_txn *txn = begin(fx, STORE_WRITE);

    assert_int_equal(store_object_put(txn, &o, NULL), HR_OK);
    assert_int_equal(store_object_get(txn, "https://x/n/1", &got, NULL), HR_OK);
    assert_string_equal(got.json, "{\"a\":1}");
    assert_int_equal(got.json_len, 7);
    assert_int_equal(store_object_get(txn, "https://x/n/2", &got, NULL), HR_ENOTFOUND);
    commit(txn);
    store_object_fini(&got);
}

static void a_remote_actor_is_found_by_its_key_and_a_new_key_replaces_the_old(void **state)
{
    struct fixture *fx = *state;
    struct store_remote_actor r = {.id = (char *)(uintptr_t) "https://a/u/1",
                                   .key_id = (char *)(uintptr_t) "https://a/u/1#k1",
                                   .key_pem = (char *)(uintptr_t) "PEM",
                                   .inbox = (char *)(uintptr_t) "https://a/u/1/inbox",
                                   .shared_inbox = (char *)(uintptr_t) "", .fetched_ms = 1},
                              got = {0};
    struct store_txn *txn = begin(fx, STORE_WRITE);

    assert_int_equal(store_remote_actor_put(txn, &r, NULL), HR_OK);
    r.key_id = (char *)(uintptr_t) "https://a/u/1#k2";
    assert_int_equal(store_remote_actor_put(txn, &r, NULL), HR_OK);
    assert_int_equal(store_remote_actor_by_key(txn, "https://a/u/1#k1", &got, NULL), HR_ENOTFOUND);
    assert_int_equal(store_remote_actor_by_key(txn, "https://a/u/1#k2", &got, NULL), HR_OK);
    assert_string_equal(got.id, "https://a/u/1");
    commit(txn);
    store_remote_actor_fini(&got);
}

struct keys_seen {
    char keys[8][16];
    int n;
};

static int rec_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct keys_seen *ks = ctx;

    (void)v;
    (void)vlen;
    memcpy(ks->keys[ks->n], k, klen);
    ks->keys[ks->n++][klen] = '\0';
    return HR_OK;
}

static void records_walk_a_prefix_both_ways(void **state)
{
    struct fixture *fx = *state;
    struct store_txn *txn = begin(fx, STORE_WRITE);
    const char *keys[] = {"a", "b1", "b2", "b3", "c"};
    struct keys_seen ks = {0};
    char *val = NULL;

    for (int i = 0; i < 5; i++)
        assert_int_equal(store_rec_put(txn, STORE_T_DRAFTS, keys[i], strlen(keys[i]), "v", 1, 0,
                                       NULL),
                         HR_OK);
    assert_int_equal(store_rec_put(txn, STORE_T_DRAFTS, "a", 1, "w", 1, STORE_NOOVERWRITE, NULL),
                     HR_EEXIST);
    assert_int_equal(store_rec_each(txn, STORE_T_DRAFTS, "b", 1, false, rec_cb, &ks, NULL), HR_OK);
    assert_int_equal(ks.n, 3);
    assert_string_equal(ks.keys[0], "b1");
    ks.n = 0;
    assert_int_equal(store_rec_each(txn, STORE_T_DRAFTS, "b", 1, true, rec_cb, &ks, NULL), HR_OK);
    assert_int_equal(ks.n, 3);
    assert_string_equal(ks.keys[0], "b3");
    ks.n = 0;
    assert_int_equal(store_rec_each(txn, STORE_T_DRAFTS, "c", 1, true, rec_cb, &ks, NULL), HR_OK);
    assert_int_equal(ks.n, 1);
    assert_int_equal(store_rec_get(txn, STORE_T_DRAFTS, "b2", 2, &val, NULL, NULL), HR_OK);
    assert_string_equal(val, "v");
    free(val);
    assert_int_equal(store_rec_del(txn, STORE_T_DRAFTS, "b2", 2, NULL), HR_OK);
    assert_int_equal(store_rec_get(txn, STORE_T_DRAFTS, "b2", 2, &val, NULL, NULL), HR_ENOTFOUND);
    assert_int_equal(store_rec_count(txn, STORE_T_DRAFTS), 4);
    commit(txn);
}

int main(void)
{
    const struct CMUnitTest t[] = {
        cmocka_unit_test(opening_a_missing_directory_without_create_is_not_found),
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(a_created_directory_is_private_to_its_owner),
        T(a_store_of_a_newer_schema_is_refused),
        T(an_account_round_trips_and_cannot_be_added_twice),
        T(follower_put_twice_is_one_follower),
        T(followers_page_after_a_cursor_and_leave_other_accounts_alone),
        T(deleting_an_actor_everywhere_removes_each_follow),
        T(outbox_pages_newest_first_below_the_cursor),
        T(a_claimed_job_is_leased_and_released_after_a_crash),
        T(retry_moves_a_job_and_delete_removes_it),
        T(a_seen_activity_id_is_reported_with_its_digest),
        T(an_object_round_trips),
        T(a_remote_actor_is_found_by_its_key_and_a_new_key_replaces_the_old),
        T(records_walk_a_prefix_both_ways),
#undef T
    };
    return cmocka_run_group_tests(t, NULL, NULL);
}
