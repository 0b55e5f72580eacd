/* tests/unit/federation/test_visibility.c - the four visibilities (federation/visibility.c):
 * addressing as Mastodon writes it, who may read a post and what lies under it, the public
 * faces (outbox, post pages) and the deliveries, against a real store. */
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

#define BASE "https://social.city.example"
#define ME BASE "/users/health"
#define FOLLOWERS ME "/followers"
#define ANN "https://ann.example/users/ann"          /* follows health */
#define ANN_SERVER "https://ann.example/actor"       /* ann's instance actor */
#define BOB "https://bob.example/users/bob"          /* mentioned, follows nobody */
#define EVE "https://eve.example/users/eve"          /* nobody to us */
#define ANN_LOOKALIKE "https://ann.example:8443/actor" /* another origin on ann's host */

struct fixture {
    char dir[64];
    struct store *st;
    struct fed *fed;
    char ids[4][1200]; /* one post per visibility, in enum fed_visibility order */
};

static json_t *mention(const char *href, const char *inbox)
{
    return json_pack("[{s:s,s:s,s:s,s:s}]", "acct", "bob@bob.example", "href", href, "inbox",
                     inbox, "shared_inbox", "");
}

static void commit(struct fixture *fx, struct fed_post *p)
{
    struct store_txn *txn = NULL;

    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(fed_post_commit(txn, p, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
}

static void publish(struct fixture *fx, const char *vis, char id[1200])
{
    json_t *m = mention(BOB, "https://bob.example/users/bob/inbox");
    struct fed_post_input in = {.text = "Clinic hours", .visibility = vis, .mentions = m};
    struct fed_post *p = NULL;

    assert_int_equal(fed_post_prepare(fx->fed, "health", &in, &p, NULL), HR_OK);
    commit(fx, p);
    snprintf(id, 1200, "%s", fed_post_id(p));
    fed_post_free(p);
    json_decref(m);
}

static void follow(struct fixture *fx, const char *actor)
{
    struct store_follower f = {.actor = (char *)(uintptr_t)actor,
                               .inbox = (char *)(uintptr_t) "https://ann.example/inbox",
                               .shared_inbox = (char *)(uintptr_t) "",
                               .follow_id = (char *)(uintptr_t) "https://ann.example/f/1",
                               .created_ms = 1};
    struct store_txn *txn = NULL;

    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_follower_put(txn, "health", &f, NULL, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    struct fed_config cfg = {.domain = "social.city.example", .base_url = BASE,
                             .json_max_depth = 64, .json_max_string = 100000,
                             .json_max_items = 1000, .fetch_max_bytes = 1 << 20};
    static const char *const vis[] = {"public", "unlisted", "followers", "direct"};

    if (fx == NULL || fedfix_open(fx->dir, &fx->st, &fx->fed, "vis", cfg) != 0)
        return -1;
    fedfix_account(fx->st,
                   (struct store_account){.name = (char *)(uintptr_t) "health",
                                          .kind = (char *)(uintptr_t) "agency",
                                          .display_name = (char *)(uintptr_t) "Health",
                                          .summary = (char *)(uintptr_t) "", .created_ms = 1},
                   false);
    follow(fx, ANN);
    for (size_t i = 0; i < 4; i++)
        publish(fx, vis[i], fx->ids[i]);
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

static json_t *stored(struct fixture *fx, const char *id)
{
    struct store_object o = {0};
    struct store_txn *txn = NULL;
    json_t *j;

    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    assert_int_equal(store_object_get(txn, id, &o, NULL), HR_OK);
    store_txn_abort(txn);
    j = json_loadb(o.json, o.json_len, 0, NULL);
    store_object_fini(&o);
    assert_non_null(j);
    return j;
}

/* "to cc" of DOC as one line, e.g. "P F" (P: as:Public, F: our followers, B: bob). */
static void audience(const json_t *doc, char out[64])
{
    const char *keys[] = {"to", "cc"};
    const json_t *v;
    size_t i, n = 0;

    for (size_t k = 0; k < 2; k++) {
        if (k == 1)
            out[n++] = '|';
        json_array_foreach(json_object_get(doc, keys[k]), i, v) {
            const char *s = json_string_value(v);
            if (n < 62)
                out[n++] = strcmp(s, FED_PUBLIC) == 0  ? 'P'
                           : strcmp(s, FOLLOWERS) == 0 ? 'F'
                           : strcmp(s, BOB) == 0       ? 'B'
                                                       : '?';
        }
    }
    out[n] = '\0';
}

static void each_visibility_is_addressed_as_mastodon_addresses_it(void **state)
{
    struct fixture *fx = *state;
    /* bob is mentioned in every one: tags.c adds him to cc unless he is in to already */
    static const char *const want[] = {"P|FB", "F|PB", "F|B", "B|"};
    char a[64], create_id[1300];

    for (size_t i = 0; i < 4; i++) {
        json_t *note = stored(fx, fx->ids[i]), *create;
        snprintf(create_id, sizeof create_id, "%s/activity", fx->ids[i]);
        create = stored(fx, create_id);
        audience(note, a);
        assert_string_equal(a, want[i]);
        audience(create, a); /* the Create goes to whom the Note goes */
        assert_string_equal(a, want[i]);
        assert_int_equal(fed_note_visibility(note), (int)i);
        assert_int_equal(fed_note_visibility(create), (int)i);
        assert_int_equal(fed_note_to_followers(note), i != FED_VIS_DIRECT);
        json_decref(note);
        json_decref(create);
    }
}

static void a_direct_post_without_mentions_or_an_unknown_visibility_is_refused(void **state)
{
    struct fixture *fx = *state;
    struct fed_post_input in = {.text = "t", .visibility = "direct"};
    struct fed_post *p = NULL;
    struct hr_err err = {0};

    assert_int_equal(fed_post_prepare(fx->fed, "health", &in, &p, &err), HR_EINVAL);
    assert_non_null(strstr(err.msg, "mention"));
    assert_null(p);
    in.visibility = "private";
    assert_int_equal(fed_post_prepare(fx->fed, "health", &in, &p, &err), HR_EINVAL);
    assert_null(p);
}

static void an_edit_keeps_the_audience_it_was_published_to(void **state)
{
    struct fixture *fx = *state;
    struct fed_post_input in = {.text = "Clinic hours (corrected)", .visibility = "public"};
    struct fed_post *p = NULL;
    json_t *note, *update;
    char a[64];

    assert_int_equal(fed_post_prepare_update(fx->fed, "health", fx->ids[FED_VIS_FOLLOWERS], &in,
                                             &p, NULL),
                     HR_OK);
    commit(fx, p);
    update = json_loads(fed_post_activity(p), 0, NULL);
    fed_post_free(p);
    note = stored(fx, fx->ids[FED_VIS_FOLLOWERS]);
    audience(note, a);
    assert_string_equal(a, "F|");
    audience(update, a);
    assert_string_equal(a, "F|");
    json_decref(note);
    json_decref(update);
}

/* Deleted, a post answers 410 to everyone, but its Update (kept at NOTE/updates/ID, with
 * the text) still goes only to the audience the post had. */
static void a_deleted_posts_update_stays_with_the_posts_audience(void **state)
{
    struct fixture *fx = *state;
    struct fed_post_input in = {.text = "Slots on Friday"};
    const char *note = fx->ids[FED_VIS_FOLLOWERS];
    struct fed_post *p = NULL;
    struct fed_doc d = {0};
    char update[1300];
    json_t *u;

    assert_int_equal(fed_post_prepare_update(fx->fed, "health", note, &in, &p, NULL), HR_OK);
    commit(fx, p);
    u = json_loads(fed_post_activity(p), 0, NULL);
    snprintf(update, sizeof update, "%s", json_string_value(json_object_get(u, "id")) + strlen(BASE));
    json_decref(u);
    fed_post_free(p);
    assert_int_equal(fed_post_prepare_delete(fx->fed, "health", note, &p, NULL), HR_OK);
    commit(fx, p);
    fed_post_free(p);
    fed_object(fx->fed, note + strlen(BASE), &d);
    assert_int_equal(d.status, 410);
    fed_doc_fini(&d);
    assert_false(fed_object_public(fx->fed, update));
    assert_false(fed_object_visible_to(fx->fed, update, EVE));
    assert_true(fed_object_visible_to(fx->fed, update, ANN));
    fed_object(fx->fed, update, &d);
    assert_int_equal(d.status, 404);
    assert_null(d.body);
    fed_doc_fini(&d);
}

static bool visible(struct fixture *fx, size_t vis, const char *sub, const char *actor)
{
    char path[1300];

    snprintf(path, sizeof path, "%s%s", fx->ids[vis] + strlen(BASE), sub);
    return fed_object_visible_to(fx->fed, path, actor);
}

static void public_and_unlisted_posts_are_for_anyone(void **state)
{
    struct fixture *fx = *state;
    char path[1300];

    for (size_t v = FED_VIS_PUBLIC; v <= FED_VIS_UNLISTED; v++) {
        snprintf(path, sizeof path, "%s/activity", fx->ids[v] + strlen(BASE));
        assert_true(fed_object_public(fx->fed, path));
        assert_true(visible(fx, v, "", NULL));
        assert_true(visible(fx, v, "/activity", EVE));
    }
    assert_true(fed_object_public(fx->fed, "/users/health/notes/ffff")); /* nothing: 404 later */
    assert_true(fed_object_public(fx->fed, "/users/health/outbox"));
}

static void a_followers_only_post_is_for_followers_their_servers_and_the_addressed(void **state)
{
    struct fixture *fx = *state;
    const char *subs[] = {"", "/activity", "/replies", "/versions/ab"};

    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
        char path[1300];
        snprintf(path, sizeof path, "%s%s", fx->ids[FED_VIS_FOLLOWERS] + strlen(BASE), subs[i]);
        assert_false(fed_object_public(fx->fed, path));
        assert_false(visible(fx, FED_VIS_FOLLOWERS, subs[i], NULL)); /* unsigned */
        assert_false(visible(fx, FED_VIS_FOLLOWERS, subs[i], EVE));
        assert_false(visible(fx, FED_VIS_FOLLOWERS, subs[i], ANN_LOOKALIKE));
        assert_true(visible(fx, FED_VIS_FOLLOWERS, subs[i], ANN));
        assert_true(visible(fx, FED_VIS_FOLLOWERS, subs[i], ANN_SERVER));
    }
}

static void a_direct_post_is_for_the_mentioned_alone(void **state)
{
    struct fixture *fx = *state;

    assert_false(visible(fx, FED_VIS_DIRECT, "", NULL));
    assert_false(visible(fx, FED_VIS_DIRECT, "", ANN)); /* a follower is not addressed */
    assert_false(visible(fx, FED_VIS_DIRECT, "", ANN_SERVER));
    assert_false(visible(fx, FED_VIS_DIRECT, "/activity", EVE));
    assert_true(visible(fx, FED_VIS_DIRECT, "", BOB));
    assert_true(visible(fx, FED_VIS_DIRECT, "/activity", BOB));
}

static void unsigned_readers_get_the_answer_of_an_unknown_id(void **state)
{
    struct fixture *fx = *state;
    struct fed_doc d = {0}, unknown = {0};

    fed_object(fx->fed, "/users/health/notes/ffff", &unknown);
    for (size_t v = FED_VIS_FOLLOWERS; v <= FED_VIS_DIRECT; v++) {
        fed_object(fx->fed, fx->ids[v] + strlen(BASE), &d);
        assert_int_equal(d.status, unknown.status);
        assert_string_equal(d.error, unknown.error);
        assert_string_equal(d.message, unknown.message);
        assert_null(d.body);
        fed_doc_fini(&d);
        fed_own_post(fx->fed, "health", fx->ids[v] + strlen(BASE), &d); /* pages, API */
        assert_int_equal(d.status, 404);
        assert_null(d.body);
        fed_doc_fini(&d);
    }
    fed_own_post(fx->fed, "health", fx->ids[FED_VIS_UNLISTED] + strlen(BASE), &d);
    assert_int_equal(d.status, 200);
    fed_doc_fini(&d);
    fed_doc_fini(&unknown);
}

static void the_outbox_shows_public_and_unlisted_posts_the_operator_sees_all(void **state)
{
    struct fixture *fx = *state;
    struct fed_doc d = {0};

    fed_outbox(fx->fed, "health", "true", &d);
    assert_int_equal(d.status, 200);
    assert_non_null(strstr(d.body, fx->ids[FED_VIS_PUBLIC]));
    assert_non_null(strstr(d.body, fx->ids[FED_VIS_UNLISTED]));
    assert_null(strstr(d.body, fx->ids[FED_VIS_FOLLOWERS]));
    assert_null(strstr(d.body, fx->ids[FED_VIS_DIRECT]));
    fed_doc_fini(&d);
    fed_outbox_all(fx->fed, "health", "true", &d);
    assert_int_equal(d.status, 200);
    for (size_t v = 0; v < 4; v++)
        assert_non_null(strstr(d.body, fx->ids[v]));
    assert_non_null(strstr(d.body, "\"visibility\":\"followers\""));
    assert_non_null(strstr(d.body, "\"visibility\":\"direct\""));
    fed_doc_fini(&d);
}

static void a_non_public_post_of_ours_cannot_be_boosted(void **state)
{
    struct fixture *fx = *state;
    struct hr_err err = {0};

    assert_int_equal(fed_boost_check(fx->fed, fx->ids[FED_VIS_PUBLIC], NULL), HR_OK);
    assert_int_equal(fed_boost_check(fx->fed, fx->ids[FED_VIS_UNLISTED], NULL), HR_OK);
    assert_int_equal(fed_boost_check(fx->fed, fx->ids[FED_VIS_FOLLOWERS], &err), HR_EINVAL);
    assert_non_null(strstr(err.msg, "followers-only"));
    assert_int_equal(fed_boost_check(fx->fed, fx->ids[FED_VIS_DIRECT], NULL), HR_EINVAL);
    assert_int_equal(fed_boost_check(fx->fed, "https://peer.example/notes/1", NULL), HR_OK);
}

static void a_direct_post_is_not_queued_to_the_followers(void **state)
{
    struct fixture *fx = *state;
    struct store_stats before = {0}, after = {0};
    struct store_txn *txn = NULL;
    char id[1200];

    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    assert_int_equal(store_stats_get(txn, &before, NULL), HR_OK);
    store_txn_abort(txn);
    publish(fx, "direct", id);    /* bob's inbox only */
    publish(fx, "followers", id); /* ann's, and bob's: he is mentioned */
    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    assert_int_equal(store_stats_get(txn, &after, NULL), HR_OK);
    store_txn_abort(txn);
    assert_int_equal(after.deliveries, before.deliveries + 3);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest t[] = {
        T(each_visibility_is_addressed_as_mastodon_addresses_it),
        T(a_direct_post_without_mentions_or_an_unknown_visibility_is_refused),
        T(an_edit_keeps_the_audience_it_was_published_to),
        T(public_and_unlisted_posts_are_for_anyone),
        T(a_followers_only_post_is_for_followers_their_servers_and_the_addressed),
        T(a_direct_post_is_for_the_mentioned_alone),
        T(unsigned_readers_get_the_answer_of_an_unknown_id),
        T(the_outbox_shows_public_and_unlisted_posts_the_operator_sees_all),
        T(a_non_public_post_of_ours_cannot_be_boosted),
        T(a_direct_post_is_not_queued_to_the_followers),
        T(a_deleted_posts_update_stays_with_the_posts_audience),
    };
    return cmocka_run_group_tests(t, NULL, NULL);
}
