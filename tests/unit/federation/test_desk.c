/* tests/unit/federation/test_desk.c - which of our accounts a citizen's Note concerns
 * (federation/desk.c), seen through a recording desk hook: a reply to a live post of ours,
 * a mention, a direct message (no Public, no followers), a follow-up of a Note a case
 * holds (the 'm' index), one call per account, none for our own actors or non-Notes, one
 * Delete call for a Note's deletion; and the text that keyword routing reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/federation/fedfix.h"

#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE "https://social.city.example"
#define ANN "https://a.example/users/ann"
#define PUB "https://www.w3.org/ns/activitystreams#Public"

struct call {
    char type[16], account[32], id[300], thread[300], why[16], vis[16];
};

struct fixture {
    char dir[64];
    struct store *st;
    struct fed *fed;
    char note[1200]; /* a post of health's */
    struct call calls[8];
    size_t n;
};

static int record(void *ctx, struct store_txn *txn, const struct fed_desk_note *n,
                  struct hr_err *err)
{
    struct fixture *fx = ctx;
    static const char *const whys[] = {"reply", "mention", "direct", "followup"};
    struct call *c = &fx->calls[fx->n < 8 ? fx->n : 7];

    (void)txn, (void)err;
    fx->n++;
    snprintf(c->type, sizeof c->type, "%s", n->type);
    snprintf(c->account, sizeof c->account, "%s", n->account);
    snprintf(c->id, sizeof c->id, "%s", n->id ? n->id : "");
    snprintf(c->thread, sizeof c->thread, "%s", n->thread ? n->thread : "");
    snprintf(c->why, sizeof c->why, "%s", whys[n->why]);
    snprintf(c->vis, sizeof c->vis, "%s", fed_visibility_name(n->visibility));
    return HR_OK;
}

static void account(struct fixture *fx, const char *name)
{
    fedfix_account(fx->st,
                   (struct store_account){.name = (char *)(uintptr_t)name,
                                          .kind = (char *)(uintptr_t) "agency",
                                          .display_name = (char *)(uintptr_t)name,
                                          .summary = (char *)(uintptr_t) "", .created_ms = 1},
                   false);
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    struct fed_config cfg = {.domain = "social.city.example", .base_url = BASE,
                             .json_max_depth = 64, .json_max_string = 100000,
                             .json_max_items = 1000, .fetch_max_bytes = 1 << 20};
    struct fed_post_input in = {.text = "A notice."};
    struct fed_post *p = NULL;
    struct store_txn *txn = NULL;

    if (fx == NULL || fedfix_open(fx->dir, &fx->st, &fx->fed, "desk", cfg) != 0)
        return -1;
    account(fx, "health");
    account(fx, "roads");
    if (fed_post_prepare(fx->fed, "health", &in, &p, NULL) != HR_OK ||
        store_txn_begin(fx->st, STORE_WRITE, &txn, NULL) != HR_OK ||
        fed_post_commit(txn, p, NULL) != HR_OK || store_txn_commit(txn, NULL) != HR_OK)
        return -1;
    snprintf(fx->note, sizeof fx->note, "%s", fed_post_id(p));
    fed_post_free(p);
    fed_set_desk_hooks(fx->fed, &(struct fed_desk_hooks){record, fx});
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    if (fx == NULL || fedfix_close(fx->dir, fx->st, fx->fed) != 0)
        return -1;
    free(fx);
    return 0;
}

/* Runs fed_desk_inbound on ACTIVITY (JSON text) by ACTOR; the calls are in FX. */
static void inbound(struct fixture *fx, const char *activity, const char *actor)
{
    json_t *act = json_loads(activity, 0, NULL);
    struct store_txn *txn = NULL;

    assert_non_null(act);
    fx->n = 0;
    memset(fx->calls, 0, sizeof fx->calls);
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(fed_desk_inbound(fx->fed, txn, act, actor, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    json_decref(act);
}

/* A Create (or TYPE) of Note N by ann with the given JSON members inside the Note. */
static char *create(const char *type, int n, const char *members)
{
    static char buf[8192];

    snprintf(buf, sizeof buf,
             "{\"type\":\"%s\",\"id\":\"" ANN "/s/%d/a\",\"actor\":\"" ANN "\","
             "\"object\":{\"type\":\"Note\",\"id\":\"" ANN "/s/%d\",\"attributedTo\":\"" ANN "\","
             "\"content\":\"<p>hi</p>\"%s%s}}",
             type, n, n, members[0] ? "," : "", members);
    return buf;
}

static void a_reply_to_our_post_concerns_its_account(void **state)
{
    struct fixture *fx = *state;
    char m[4000];

    snprintf(m, sizeof m, "\"inReplyTo\":\"%s\",\"to\":[\"" PUB "\"]", fx->note);
    inbound(fx, create("Create", 1, m), ANN);
    assert_int_equal(fx->n, 1);
    assert_string_equal(fx->calls[0].account, "health");
    assert_string_equal(fx->calls[0].why, "reply");
    assert_string_equal(fx->calls[0].thread, fx->note);
    assert_string_equal(fx->calls[0].vis, "public");
    /* a reply to a post that is not ours (or not there) concerns nobody */
    inbound(fx, create("Create", 2, "\"inReplyTo\":\"" BASE "/users/health/notes/nope\""), ANN);
    assert_int_equal(fx->n, 0);
}

static void mentions_and_direct_messages_concern_the_named_accounts_once(void **state)
{
    struct fixture *fx = *state;

    /* public with a Mention tag: a mention, thread from context */
    inbound(fx,
            create("Create", 3,
                   "\"to\":[\"" PUB "\"],\"context\":\"https://a.example/ctx/9\","
                   "\"tag\":[{\"type\":\"Mention\",\"href\":\"" BASE "/users/health\"},"
                   "{\"type\":\"Hashtag\",\"href\":\"" BASE "/users/roads\"}]"),
            ANN);
    assert_int_equal(fx->n, 1); /* a Hashtag's href names nobody */
    assert_string_equal(fx->calls[0].why, "mention");
    assert_string_equal(fx->calls[0].thread, "https://a.example/ctx/9");
    /* to two of our actors only: direct, once each, though named twice */
    inbound(fx,
            create("Create", 4,
                   "\"to\":[\"" BASE "/users/health\",\"" BASE "/users/roads\"],"
                   "\"cc\":\"" BASE "/users/health\","
                   "\"tag\":{\"type\":\"Mention\",\"href\":\"" BASE "/users/health\"}"),
            ANN);
    assert_int_equal(fx->n, 2);
    assert_string_equal(fx->calls[0].account, "health");
    assert_string_equal(fx->calls[1].account, "roads");
    assert_string_equal(fx->calls[0].why, "direct");
    assert_string_equal(fx->calls[0].thread, ANN "/s/4"); /* no context: its own id */
    /* to the author's followers and cc us: a mention, not direct */
    inbound(fx, create("Create", 5, "\"to\":[\"" ANN "/followers\"],\"cc\":[\"" BASE "/users/roads\"]"),
            ANN);
    assert_int_equal(fx->n, 1);
    assert_string_equal(fx->calls[0].why, "mention");
    assert_string_equal(fx->calls[0].vis, "followers");
    /* an unknown local name is nobody */
    inbound(fx, create("Create", 6, "\"to\":[\"" BASE "/users/ghost\"]"), ANN);
    assert_int_equal(fx->n, 0);
}

static void a_follow_up_of_a_known_note_goes_to_its_case(void **state)
{
    struct fixture *fx = *state;
    struct store_txn *txn = NULL;
    const char *c = "{\"id\":\"c7\",\"account\":\"roads\",\"department\":\"health\","
                    "\"thread\":\"T7\"}";
    char key[400];
    size_t klen = fed_desk_msg_key("https://b.example/x/1", key, sizeof key);

    assert_true(klen > 0);
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_rec_put(txn, STORE_T_CASES, "c7", 2, c, strlen(c), 0, NULL), HR_OK);
    assert_int_equal(store_rec_put(txn, STORE_T_CASE_IDX, key, klen, "c7", 2, 0, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    /* it also names health, the case's department: no second case there */
    inbound(fx,
            create("Create", 8,
                   "\"inReplyTo\":\"https://b.example/x/1\",\"to\":[\"" BASE "/users/health\"]"),
            ANN);
    assert_int_equal(fx->n, 1);
    assert_string_equal(fx->calls[0].account, "roads");
    assert_string_equal(fx->calls[0].why, "followup");
    assert_string_equal(fx->calls[0].thread, "T7");
}

static void deletes_are_handed_up_once_and_others_not_at_all(void **state)
{
    struct fixture *fx = *state;
    char m[4000];

    inbound(fx, "{\"type\":\"Delete\",\"id\":\"" ANN "#d\",\"actor\":\"" ANN "\","
                "\"object\":{\"type\":\"Tombstone\",\"id\":\"" ANN "/s/1\"}}",
            ANN);
    assert_int_equal(fx->n, 1);
    assert_string_equal(fx->calls[0].type, "Delete");
    assert_string_equal(fx->calls[0].account, "");
    assert_string_equal(fx->calls[0].id, ANN "/s/1");
    /* an actor deleting itself is not a message */
    inbound(fx, "{\"type\":\"Delete\",\"id\":\"" ANN "#d2\",\"actor\":\"" ANN "\",\"object\":\"" ANN "\"}",
            ANN);
    assert_int_equal(fx->n, 0);
    /* not a Note */
    inbound(fx, "{\"type\":\"Create\",\"id\":\"" ANN "/q\",\"actor\":\"" ANN "\","
                "\"object\":{\"type\":\"Question\",\"id\":\"" ANN "/q/1\",\"to\":[\"" BASE "/users/health\"]}}",
            ANN);
    assert_int_equal(fx->n, 0);
    /* our own actor writing to us: no case */
    snprintf(m, sizeof m,
             "{\"type\":\"Create\",\"id\":\"%s/a\",\"actor\":\"" BASE "/users/roads\","
             "\"object\":{\"type\":\"Note\",\"id\":\"%s/n\",\"inReplyTo\":\"%s\"}}",
             fx->note, fx->note, fx->note);
    inbound(fx, m, BASE "/users/roads");
    assert_int_equal(fx->n, 0);
    /* an Update of a Note concerning us is handed up like a Create */
    snprintf(m, sizeof m, "\"inReplyTo\":\"%s\"", fx->note);
    inbound(fx, create("Update", 1, m), ANN);
    assert_int_equal(fx->n, 1);
    assert_string_equal(fx->calls[0].type, "Update");
}

static void keyword_text_is_the_words_without_markup(void **state)
{
    struct hr_buf b;
    const char *html = "<p>a <b>pot</b>hole<script>evil()</script></p><p>next&amp;line</p>";

    (void)state;
    hr_buf_init(&b, 1024);
    fed_html_text(html, strlen(html), &b);
    assert_non_null(strstr(b.data, "a pothole"));
    assert_non_null(strstr(b.data, "next&line"));
    assert_null(strstr(b.data, "evil"));
    assert_null(strstr(b.data, "<"));
    hr_buf_fini(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_reply_to_our_post_concerns_its_account),
        cmocka_unit_test(mentions_and_direct_messages_concern_the_named_accounts_once),
        cmocka_unit_test(a_follow_up_of_a_known_note_goes_to_its_case),
        cmocka_unit_test(deletes_are_handed_up_once_and_others_not_at_all),
        cmocka_unit_test(keyword_text_is_the_words_without_markup),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
