/* tests/unit/federation/test_replies.c - citizens' replies kept for the post page (issue
 * #11): with their words only when addressed publicly, shown by fed_web_replies only where
 * the account opted in, oldest first after ours, edited by their author only, charged to
 * their author's quota and released when deleted, named from the remote-actor cache. */
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
#define ANN "https://a.example/users/ann"
#define BOB "https://a.example/users/bob"
#define PUBLIC "https://www.w3.org/ns/activitystreams#Public"

struct fixture {
    char dir[64];
    struct store *st;
    struct fed *fed;
    char note[1200];
};

static void publish(struct fixture *fx, const char *text, const char *reply_to, char out[1200])
{
    struct fed_post_input in = {.text = text, .reply_to = reply_to};
    struct fed_post *p = NULL;
    struct store_txn *txn = NULL;

    assert_int_equal(fed_post_prepare(fx->fed, "health", &in, &p, NULL), HR_OK);
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(fed_post_commit(txn, p, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    snprintf(out, 1200, "%s", fed_post_id(p));
    fed_post_free(p);
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    struct fed_config cfg = {.domain = "social.city.example", .base_url = BASE,
                             .json_max_depth = 64, .json_max_string = 100000,
                             .json_max_items = 1000, .fetch_max_bytes = 1 << 20};

    if (fx == NULL || fedfix_open(fx->dir, &fx->st, &fx->fed, "replies", cfg) != 0)
        return -1;
    fedfix_account(fx->st,
                   (struct store_account){.name = (char *)(uintptr_t) "health",
                                          .kind = (char *)(uintptr_t) "agency",
                                          .display_name = (char *)(uintptr_t) "Health",
                                          .summary = (char *)(uintptr_t) "", .created_ms = 1},
                   false);
    publish(fx, "A notice.", NULL, fx->note);
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

/* The account's profile key "replies" set to VALUE, as agency/profile.c stores it. */
static void set_replies(struct fixture *fx, const char *value)
{
    struct store_account a = {0};
    struct store_txn *txn = NULL;
    char profile[64];

    snprintf(profile, sizeof profile, "{\"replies\":\"%s\"}", value);
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_account_get_private(txn, "health", &a, NULL), HR_OK);
    free(a.profile);
    a.profile = strdup(profile);
    assert_int_equal(store_account_put(txn, &a, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    store_account_fini(&a);
}

/* TYPE (Create or Update) of ACTOR's Note N replying to our note, addressed TO and CC
 * (JSON arrays), with CONTENT; the inbox's reaction step run and committed. */
static int reply(struct fixture *fx, const char *type, const char *actor, int n, const char *to,
                 const char *cc, const char *content)
{
    json_t *act = json_pack(
        "{s:s,s:s,s:s,s:{s:s,s:s,s:s,s:s,s:{s:s},s:s,s:s,s:o,s:o,s:s,s:b}}", "id", "x", "type",
        type, "actor", actor, "object", "type", "Note", "id", "", "attributedTo", actor,
        "inReplyTo", fx->note, "contentMap", "zh-CN", content, "content", content, "published",
        "2026-01-02T03:04:05Z", "to", json_loads(to, 0, NULL), "cc", json_loads(cc, 0, NULL),
        "summary", "CW <b>", "sensitive", 1);
    char id[300];
    struct fed_react_res res = {0};
    struct store_txn *txn = NULL;
    bool done = false;
    int rc;

    snprintf(id, sizeof id, "%s/statuses/%d", actor, n);
    json_object_set_new(json_object_get(act, "object"), "id", json_string(id));
    json_object_set_new(json_object_get(act, "object"), "url", json_string(id));
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    rc = fed_react_inbound(fx->fed, txn, act, actor, ANN "/inbox", &done, &res, NULL);
    assert_int_equal(rc, HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    json_decref(act);
    return rc;
}

/* Returns once the clock has moved on: the next reply is received later (order is by the
 * millisecond received). A poll of the clock, not a sleep. */
static void next_ms(void)
{
    int64_t now = hr_now_ms();

    while (hr_now_ms() == now)
        ;
}

static json_t *web_replies(struct fixture *fx)
{
    json_t *items = NULL;

    assert_int_equal(fed_web_replies(fx->fed, fx->note, &items, NULL), HR_OK);
    return items;
}

static size_t replies_count(struct fixture *fx)
{
    struct store_txn *txn = NULL;
    size_t n;

    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    n = fed_note_count(txn, fx->note, "replies");
    store_txn_abort(txn);
    return n;
}

static struct store_usage usage(struct fixture *fx, const char *actor)
{
    struct store_txn *txn = NULL;
    struct store_usage u = {0};

    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    store_usage_get(txn, STORE_USAGE_ACTOR, actor, &u);
    store_txn_abort(txn);
    return u;
}

static void a_public_reply_is_shown_only_once_the_account_opts_in(void **state)
{
    struct fixture *fx = *state;
    json_t *items, *it;

    reply(fx, "Create", ANN, 1, "[\"" PUBLIC "\"]", "[]", "<p>Thanks <script>x</script></p>");
    assert_int_equal(replies_count(fx), 1);
    items = web_replies(fx);
    assert_int_equal(json_array_size(items), 0); /* default: hidden */
    json_decref(items);
    set_replies(fx, "hidden");
    items = web_replies(fx);
    assert_int_equal(json_array_size(items), 0);
    json_decref(items);
    set_replies(fx, "shown");
    items = web_replies(fx);
    assert_int_equal(json_array_size(items), 1);
    it = json_array_get(items, 0);
    assert_true(json_is_false(json_object_get(it, "own")));
    assert_string_equal(json_string_value(json_object_get(it, "id")), ANN "/statuses/1");
    assert_string_equal(json_string_value(json_object_get(it, "url")), ANN "/statuses/1");
    assert_string_equal(json_string_value(json_object_get(it, "actor")), ANN);
    /* as received: the page sanitises it */
    assert_string_equal(json_string_value(json_object_get(it, "content")),
                        "<p>Thanks <script>x</script></p>");
    assert_string_equal(json_string_value(json_object_get(it, "language")), "zh-CN");
    assert_string_equal(json_string_value(json_object_get(it, "published")),
                        "2026-01-02T03:04:05Z");
    assert_string_equal(json_string_value(json_object_get(it, "summary")), "CW <b>");
    assert_true(json_is_true(json_object_get(it, "sensitive")));
    assert_null(json_object_get(it, "name")); /* no cached actor: the page shows the URL */
    assert_null(json_object_get(it, "ms"));
    json_decref(items);
}

static void followers_only_and_direct_replies_are_counted_but_never_shown(void **state)
{
    struct fixture *fx = *state;
    json_t *items;

    set_replies(fx, "shown");
    reply(fx, "Create", ANN, 1, "[\"" ANN "/followers\"]", "[]", "<p>for my followers</p>");
    reply(fx, "Create", BOB, 2, "[\"" BASE "/users/health\"]", "[]", "<p>just to you</p>");
    reply(fx, "Create", BOB, 3, "[\"" BOB "/followers\"]", "[\"" PUBLIC "\"]", "<p>unlisted</p>");
    assert_int_equal(replies_count(fx), 3);
    items = web_replies(fx);
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "content")),
                        "<p>unlisted</p>");
    json_decref(items);
}

static void replies_come_after_ours_oldest_first_with_the_cached_name_and_handle(void **state)
{
    struct fixture *fx = *state;
    struct store_remote_actor r = {.id = (char *)(uintptr_t)ANN, .key_id = (char *)(uintptr_t)"k",
                                   .key_pem = (char *)(uintptr_t)"", .inbox = (char *)(uintptr_t)"",
                                   .shared_inbox = (char *)(uintptr_t)"",
                                   .name = (char *)(uintptr_t)"Ann <i>\xe2\x80\xae",
                                   .username = (char *)(uintptr_t)"ann"};
    struct store_txn *txn = NULL;
    char ours[1200];
    json_t *items;

    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_remote_actor_put(txn, &r, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    set_replies(fx, "shown");
    reply(fx, "Create", BOB, 9, "[\"" PUBLIC "\"]", "[]", "first");
    next_ms();
    reply(fx, "Create", ANN, 1, "[\"" PUBLIC "\"]", "[]", "second");
    publish(fx, "Ours.", fx->note, ours);
    items = web_replies(fx);
    assert_int_equal(json_array_size(items), 3);
    assert_true(json_is_true(json_object_get(json_array_get(items, 0), "own")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 1), "content")),
                        "first");
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 2), "name")),
                        "Ann <i>\xe2\x80\xae"); /* plain text: the page escapes it */
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 2), "handle")),
                        "@ann@a.example");
    json_decref(items);
}

static void only_its_author_edits_a_reply_and_its_place_is_kept(void **state)
{
    struct fixture *fx = *state;
    json_t *items;

    set_replies(fx, "shown");
    reply(fx, "Create", ANN, 1, "[\"" PUBLIC "\"]", "[]", "typo");
    next_ms();
    reply(fx, "Create", ANN, 2, "[\"" PUBLIC "\"]", "[]", "later");
    reply(fx, "Update", ANN, 1, "[\"" PUBLIC "\"]", "[]", "fixed");
    items = web_replies(fx);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "content")),
                        "fixed");
    json_decref(items);
    /* bob's Update of ann's reply id changes nothing (the inbox also refuses it) */
    reply(fx, "Update", BOB, 1, "[\"" PUBLIC "\"]", "[]", "hijack");
    items = web_replies(fx);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "content")),
                        "fixed");
    json_decref(items);
    /* an edit to followers-only takes it off the page */
    reply(fx, "Update", ANN, 1, "[\"" ANN "/followers\"]", "[]", "private now");
    items = web_replies(fx);
    assert_int_equal(json_array_size(items), 1);
    assert_int_equal(replies_count(fx), 2);
    json_decref(items);
}

static void a_reply_is_charged_to_its_author_and_released_when_deleted(void **state)
{
    struct fixture *fx = *state;
    json_t *act = json_pack("{s:s,s:s,s:s,s:s}", "id", "d", "type", "Delete", "actor", ANN,
                            "object", ANN "/statuses/1");
    struct fed_react_res res = {0};
    struct store_txn *txn = NULL;
    struct store_usage u;
    bool done;

    reply(fx, "Create", ANN, 1, "[\"" PUBLIC "\"]", "[]", "words");
    u = usage(fx, ANN);
    assert_int_equal(u.objects, 1);
    assert_true(u.bytes > 5);
    reply(fx, "Update", ANN, 1, "[\"" PUBLIC "\"]", "[]", "more words");
    assert_int_equal(usage(fx, ANN).objects, 1); /* replaced, not added */
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(fed_react_inbound(fx->fed, txn, act, ANN, ANN "/inbox", &done, &res, NULL),
                     HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    json_decref(act);
    u = usage(fx, ANN);
    assert_int_equal(u.objects, 0);
    assert_int_equal(u.bytes, 0);
    assert_int_equal(replies_count(fx), 0);
}

static void content_is_capped_at_64_kib(void **state)
{
    struct fixture *fx = *state;
    char *big = malloc(100000);
    json_t *items;

    memset(big, 'a', 99999);
    big[99999] = '\0';
    set_replies(fx, "shown");
    reply(fx, "Create", ANN, 1, "[\"" PUBLIC "\"]", "[]", big);
    items = web_replies(fx);
    assert_int_equal(
        strlen(json_string_value(json_object_get(json_array_get(items, 0), "content"))), 65536);
    json_decref(items);
    free(big);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest t[] = {
        T(a_public_reply_is_shown_only_once_the_account_opts_in),
        T(followers_only_and_direct_replies_are_counted_but_never_shown),
        T(replies_come_after_ours_oldest_first_with_the_cached_name_and_handle),
        T(only_its_author_edits_a_reply_and_its_place_is_kept),
        T(a_reply_is_charged_to_its_author_and_released_when_deleted),
        T(content_is_capped_at_64_kib),
    };
#undef T
    return cmocka_run_group_tests(t, NULL, NULL);
}
