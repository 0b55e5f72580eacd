/* tests/unit/federation/test_reactions.c - polls and counts against a real store: the
 * Question as published, the vote rules (once per actor for oneOf, per actor and option
 * for anyOf, only while open, only existing options, never a reply), the reaction records
 * and their Undo/Delete, the live collections, and the Update(Question) reports. */
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
#define DAY (24LL * 3600 * 1000)

struct fixture {
    char dir[64];
    struct store *st;
    struct fed *fed;
    char q[1200], qm[1200], note[1200]; /* oneOf Question, anyOf Question, a Note */
    int64_t closes;
};

static void publish(struct fixture *fx, const char *text, json_t *poll, const char *reply_to,
                    char out[1200])
{
    struct fed_post_input in = {.text = text, .poll = poll, .reply_to = reply_to};
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
    json_t *poll;

    if (fx == NULL || fedfix_open(fx->dir, &fx->st, &fx->fed, "react", cfg) != 0)
        return -1;
    fedfix_account(fx->st,
                   (struct store_account){.name = (char *)(uintptr_t) "health",
                                          .kind = (char *)(uintptr_t) "agency",
                                          .display_name = (char *)(uintptr_t) "Health",
                                          .summary = (char *)(uintptr_t) "", .created_ms = 1},
                   false);
    fx->closes = (hr_now_ms() / 1000 + 86400) * 1000;
    poll = json_pack("{s:[s,s],s:b,s:I}", "options", "Yes", "No", "multiple", 0, "closes_ms",
                     (json_int_t)fx->closes);
    publish(fx, "Open on Sundays?", poll, NULL, fx->q);
    json_object_set_new(poll, "multiple", json_true());
    publish(fx, "Which days?", poll, NULL, fx->qm);
    json_decref(poll);
    publish(fx, "A notice.", NULL, NULL, fx->note);
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

/* Runs the inbox's reaction step for ACTIVITY (JSON text) by ACTOR at NOW_MS, committed
 * when accepted. *CODE: the refusal's error code, or "" */
static int inbound_at(struct fixture *fx, const char *activity, const char *actor, int64_t now,
                      bool *vote, const char **code)
{
    json_t *act = json_loads(activity, 0, NULL);
    struct fed_react_res res = {0};
    struct store_txn *txn = NULL;
    bool done = false;
    int rc;

    assert_non_null(act);
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    if (now != 0)
        rc = fed_vote_inbound(fx->fed, txn, act, actor, ANN "/inbox", now, &done, &res, NULL);
    else
        rc = fed_react_inbound(fx->fed, txn, act, actor, ANN "/inbox", &done, &res, NULL);
    if (rc == HR_OK)
        assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    else
        store_txn_abort(txn);
    json_decref(act);
    if (vote != NULL)
        *vote = done;
    if (code != NULL)
        *code = res.code ? res.code : "";
    return rc;
}

static int inbound(struct fixture *fx, const char *activity, const char *actor, const char **code)
{
    return inbound_at(fx, activity, actor, 0, NULL, code);
}

static char *vote_of(const char *actor, const char *question, const char *option)
{
    static int n;
    json_t *j = json_pack("{s:s,s:s,s:s,s:{s:s,s:s,s:s,s:s,s:s}}", "id", "", "type", "Create",
                          "actor", actor, "object", "id", "", "type", "Note", "name", option,
                          "attributedTo", actor, "inReplyTo", question);
    char id[300];
    char *s;

    snprintf(id, sizeof id, "%s/votes/%d", actor, ++n);
    json_object_set_new(j, "id", json_string(id));
    json_object_set_new(json_object_get(j, "object"), "id", json_string(id));
    s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

static int vote(struct fixture *fx, const char *actor, const char *q, const char *option,
                const char **code)
{
    char *body = vote_of(actor, q, option);
    bool is_vote = false;
    int rc = inbound_at(fx, body, actor, 0, &is_vote, code);

    free(body);
    if (rc == HR_OK)
        assert_true(is_vote);
    return rc;
}

static json_t *results(struct fixture *fx, const char *q)
{
    json_t *r = NULL;

    assert_int_equal(fed_poll_results(fx->fed, q, &r, NULL), HR_OK);
    return r;
}

static json_int_t votes_for(const json_t *r, size_t option)
{
    return json_integer_value(json_object_get(json_array_get(json_object_get(r, "options"), option),
                                              "votes"));
}

static json_t *stored(struct fixture *fx, const char *id)
{
    struct store_txn *txn = NULL;
    json_t *j = NULL;

    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    assert_int_equal(fed_own_note_get(txn, id, &j), HR_OK);
    store_txn_abort(txn);
    return j;
}

static void a_poll_is_a_question_as_mastodon_emits_it(void **state)
{
    struct fixture *fx = *state;
    json_t *q = stored(fx, fx->q), *qm = stored(fx, fx->qm);
    char end[32];

    hr_iso8601(fx->closes, end);
    assert_string_equal(json_string_value(json_object_get(q, "type")), "Question");
    assert_string_equal(json_string_value(json_object_get(json_array_get(
                            json_object_get(q, "oneOf"), 1), "name")), "No");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(json_array_get(
                         json_object_get(q, "oneOf"), 0), "replies"), "totalItems")), 0);
    assert_null(json_object_get(q, "anyOf"));
    assert_non_null(json_object_get(qm, "anyOf"));
    assert_string_equal(json_string_value(json_object_get(q, "endTime")), end);
    assert_int_equal(json_integer_value(json_object_get(q, "votersCount")), 0);
    assert_null(json_object_get(q, "closed"));
    json_decref(q);
    json_decref(qm);
}

static int react(struct fixture *fx, const char *type, const char *actor, int n,
                 const char *undo_by, const char **code);

/* TotalItems of collection KIND inside the stored Note ID */
static json_int_t embedded(struct fixture *fx, const char *id, const char *kind)
{
    json_t *n = stored(fx, id);
    json_int_t v = json_integer_value(json_object_get(json_object_get(n, kind), "totalItems"));

    json_decref(n);
    return v;
}

static void a_note_carries_its_counts_refreshed_and_signed_after_a_change(void **state)
{
    struct fixture *fx = *state;
    json_t *n = stored(fx, fx->note);
    struct fed_proof_result r = {0};
    const char *code;
    char want[1300];

    snprintf(want, sizeof want, "%s/likes", fx->note);
    assert_string_equal(json_string_value(json_object_get(json_object_get(n, "likes"), "id")),
                        want);
    assert_int_equal(embedded(fx, fx->note, "likes"), 0);
    assert_non_null(json_object_get(json_object_get(n, "replies"), "totalItems"));
    assert_non_null(json_object_get(json_object_get(n, "shares"), "totalItems"));
    json_decref(n);
    /* a like is counted at once in the collection, in the Note after the interval */
    assert_int_equal(react(fx, "Like", ANN, 1, NULL, &code), HR_OK);
    assert_int_equal(react(fx, "Announce", BOB, 1, NULL, &code), HR_OK);
    assert_int_equal(fed_counts_tick(fx->fed, hr_now_ms(), 5 * 60000), 0); /* held */
    assert_int_equal(embedded(fx, fx->note, "likes"), 0);
    assert_int_equal(fed_counts_tick(fx->fed, hr_now_ms() + 5 * 60000, 5 * 60000), 1);
    assert_int_equal(embedded(fx, fx->note, "likes"), 1);
    assert_int_equal(embedded(fx, fx->note, "shares"), 1);
    assert_int_equal(fed_counts_tick(fx->fed, hr_now_ms() + DAY, 0), 0); /* nothing new */
    /* the refreshed Note is signed again: its proof verifies */
    n = stored(fx, fx->note);
    fed_proof_check(fx->fed, n, NULL, &r);
    assert_int_equal(r.state, FED_PROOF_VALID);
    json_decref(n);
    /* an Undo moves it back at the next refresh */
    assert_int_equal(react(fx, "Like", ANN, 1, ANN, &code), HR_OK);
    assert_int_equal(fed_counts_tick(fx->fed, hr_now_ms(), 0), 1);
    assert_int_equal(embedded(fx, fx->note, "likes"), 0);
}

static void a_oneof_vote_counts_once_per_actor(void **state)
{
    struct fixture *fx = *state;
    const char *code;
    json_t *r;

    assert_int_equal(vote(fx, ANN, fx->q, "Yes", &code), HR_OK);
    assert_int_not_equal(vote(fx, ANN, fx->q, "No", &code), HR_OK);
    assert_string_equal(code, "vote_duplicate");
    assert_int_not_equal(vote(fx, ANN, fx->q, "Yes", &code), HR_OK);
    assert_string_equal(code, "vote_duplicate");
    assert_int_equal(vote(fx, BOB, fx->q, "No", &code), HR_OK);
    r = results(fx, fx->q);
    assert_int_equal(json_integer_value(json_object_get(r, "votersCount")), 2);
    assert_int_equal(votes_for(r, 0), 1);
    assert_int_equal(votes_for(r, 1), 1);
    assert_int_equal(json_array_size(json_object_get(r, "votes")), 2);
    json_decref(r);
}

static void an_anyof_vote_counts_once_per_actor_and_option(void **state)
{
    struct fixture *fx = *state;
    const char *code;
    json_t *r;

    assert_int_equal(vote(fx, ANN, fx->qm, "Yes", &code), HR_OK);
    assert_int_equal(vote(fx, ANN, fx->qm, "No", &code), HR_OK);
    assert_int_not_equal(vote(fx, ANN, fx->qm, "No", &code), HR_OK);
    assert_string_equal(code, "vote_duplicate");
    r = results(fx, fx->qm);
    assert_int_equal(json_integer_value(json_object_get(r, "votersCount")), 1);
    assert_int_equal(votes_for(r, 0), 1);
    assert_int_equal(votes_for(r, 1), 1);
    json_decref(r);
}

static void a_vote_at_or_after_endtime_is_refused(void **state)
{
    struct fixture *fx = *state;
    char *body = vote_of(ANN, fx->q, "Yes");
    const char *code;
    bool is_vote;
    json_t *r;

    assert_int_not_equal(inbound_at(fx, body, ANN, fx->closes, &is_vote, &code), HR_OK);
    assert_string_equal(code, "poll_closed");
    assert_int_equal(inbound_at(fx, body, ANN, fx->closes - 1, &is_vote, &code), HR_OK);
    free(body);
    r = results(fx, fx->q);
    assert_int_equal(json_integer_value(json_object_get(r, "votersCount")), 1);
    json_decref(r);
}

static void unknown_options_and_non_polls_are_refused(void **state)
{
    struct fixture *fx = *state;
    char unknown[1300];
    const char *code;

    assert_int_not_equal(vote(fx, ANN, fx->q, "yes", &code), HR_OK);
    assert_string_equal(code, "poll_option_unknown");
    assert_int_not_equal(vote(fx, ANN, fx->q, "", &code), HR_OK);
    assert_string_equal(code, "vote_malformed");
    assert_int_not_equal(vote(fx, ANN, fx->q, "Ye\ts", &code), HR_OK);
    assert_string_equal(code, "vote_malformed");
    assert_int_not_equal(vote(fx, ANN, fx->note, "Yes", &code), HR_OK);
    assert_string_equal(code, "not_a_poll");
    snprintf(unknown, sizeof unknown, "%s/users/health/notes/ffff", BASE);
    assert_int_equal(vote(fx, ANN, unknown, "Yes", &code), HR_ENOTFOUND);
    assert_string_equal(code, "not_found");
}

static void a_vote_attributed_to_another_actor_is_refused(void **state)
{
    struct fixture *fx = *state;
    char *body = vote_of(ANN, fx->q, "Yes");
    const char *code;

    /* signed by bob (the inbox checked that), but the vote claims to be ann's */
    assert_int_not_equal(inbound(fx, body, BOB, &code), HR_OK);
    assert_string_equal(code, "origin");
    free(body);
}

static void a_reply_with_content_is_a_reply_not_a_vote(void **state)
{
    struct fixture *fx = *state;
    char body[3000];
    bool is_vote = true;
    struct store_txn *txn = NULL;

    snprintf(body, sizeof body,
             "{\"id\":\"%s/n/1\",\"type\":\"Create\",\"actor\":\"%s\",\"object\":{\"id\":\"%s/n/1\","
             "\"type\":\"Note\",\"name\":\"Yes\",\"content\":\"I vote yes!\",\"attributedTo\":"
             "\"%s\",\"inReplyTo\":\"%s\"}}",
             ANN, ANN, ANN, ANN, fx->q);
    assert_int_equal(inbound_at(fx, body, ANN, 0, &is_vote, NULL), HR_OK);
    assert_false(is_vote);
    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    assert_int_equal(fed_note_count(txn, fx->q, "replies"), 1);
    assert_int_equal(fed_note_votes(txn, fx->q), 0);
    store_txn_abort(txn);
}

static size_t count(struct fixture *fx, const char *note, const char *kind)
{
    struct store_txn *txn = NULL;
    size_t n;

    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    n = fed_note_count(txn, note, kind);
    store_txn_abort(txn);
    return n;
}

/* TYPE (Like, Announce) of NOTE by ACTOR, its id ending in N; or, with UNDO_BY, the Undo
 * of it by UNDO_BY. */
static char *reaction(const char *type, const char *actor, int n, const char *note,
                      const char *undo_by)
{
    char id[300];
    json_t *j;
    char *s;

    snprintf(id, sizeof id, "%s/%s/%d", actor, type, n);
    j = json_pack("{s:s,s:s,s:s,s:s}", "id", id, "type", type, "actor", actor, "object", note);
    if (undo_by != NULL) {
        snprintf(id, sizeof id, "%s/undo/%d", undo_by, n);
        j = json_pack("{s:s,s:s,s:s,s:o}", "id", id, "type", "Undo", "actor", undo_by, "object",
                      j);
    }
    s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

/* inbound() of reaction(...), freed */
static int react(struct fixture *fx, const char *type, const char *actor, int n,
                 const char *undo_by, const char **code)
{
    char *body = reaction(type, actor, n, fx->note, undo_by);
    int rc = inbound(fx, body, undo_by ? undo_by : actor, code);

    free(body);
    return rc;
}

static void likes_and_shares_count_once_per_actor_until_undone(void **state)
{
    struct fixture *fx = *state;
    const char *code;

    assert_int_equal(react(fx, "Like", ANN, 1, NULL, &code), HR_OK);
    assert_int_equal(react(fx, "Like", ANN, 2, NULL, &code), HR_OK);
    assert_int_equal(count(fx, fx->note, "likes"), 1);
    assert_int_equal(react(fx, "Like", BOB, 1, NULL, &code), HR_OK);
    assert_int_equal(count(fx, fx->note, "likes"), 2);
    /* bob cannot take back ann's like; ann can */
    assert_int_equal(react(fx, "Like", ANN, 2, BOB, &code), HR_EFORBIDDEN);
    assert_string_equal(code, "origin");
    assert_int_equal(count(fx, fx->note, "likes"), 2);
    assert_int_equal(react(fx, "Like", ANN, 2, ANN, &code), HR_OK);
    assert_int_equal(count(fx, fx->note, "likes"), 1);
    /* shares likewise */
    assert_int_equal(react(fx, "Announce", ANN, 1, NULL, &code), HR_OK);
    assert_int_equal(react(fx, "Announce", ANN, 1, NULL, &code), HR_OK);
    assert_int_equal(count(fx, fx->note, "shares"), 1);
    assert_int_equal(react(fx, "Announce", ANN, 1, ANN, &code), HR_OK);
    assert_int_equal(count(fx, fx->note, "shares"), 0);
    assert_int_equal(count(fx, fx->note, "likes"), 1);
}

static void delete_post(struct fixture *fx, const char *id)
{
    struct fed_post *p = NULL;
    struct store_txn *txn = NULL;

    assert_int_equal(fed_post_prepare_delete(fx->fed, "health", id, &p, NULL), HR_OK);
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(fed_post_commit(txn, p, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    fed_post_free(p);
}

static uint64_t records(struct fixture *fx, enum store_table t)
{
    struct store_txn *txn = NULL;
    uint64_t n;

    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    n = store_rec_count(txn, t);
    store_txn_abort(txn);
    return n;
}

static void replies_count_ours_first_and_leave_when_their_author_deletes(void **state)
{
    struct fixture *fx = *state;
    char ours[1200], body[3000];
    struct fed_doc d = {0};
    const char *code;
    json_t *j;

    snprintf(body, sizeof body,
             "{\"id\":\"%s/n/7/activity\",\"type\":\"Create\",\"actor\":\"%s\",\"object\":{\"id\":"
             "\"%s/n/7\",\"type\":\"Note\",\"content\":\"When?\",\"attributedTo\":\"%s\","
             "\"inReplyTo\":\"%s\"}}",
             ANN, ANN, ANN, ANN, fx->note);
    assert_int_equal(inbound(fx, body, ANN, &code), HR_OK);
    publish(fx, "Tomorrow.", NULL, fx->note, ours);
    assert_int_equal(count(fx, fx->note, "replies"), 2);
    /* the Note itself is no collection: left to the router */
    assert_int_equal(fed_note_collection(fx->fed, fx->note + strlen(BASE), NULL, &d),
                     HR_ENOTFOUND);
    assert_int_equal(d.status, 0);
    snprintf(body, sizeof body, "%s/replies", fx->note + strlen(BASE));
    assert_int_equal(fed_note_collection(fx->fed, body, NULL, &d), HR_OK);
    assert_int_equal(d.status, 200);
    j = json_loads(d.body, 0, NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "totalItems")), 2);
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(json_object_get(j, "first"), "items"), 0)), ours);
    json_decref(j);
    fed_doc_fini(&d);
    /* bob cannot delete ann's reply; ann can */
    snprintf(body, sizeof body, "{\"id\":\"%s/del/1\",\"type\":\"Delete\",\"actor\":\"%s\","
             "\"object\":\"%s/n/7\"}", BOB, BOB, ANN);
    assert_int_equal(inbound(fx, body, BOB, &code), HR_OK);
    assert_int_equal(count(fx, fx->note, "replies"), 2);
    snprintf(body, sizeof body, "{\"id\":\"%s/del/1\",\"type\":\"Delete\",\"actor\":\"%s\","
             "\"object\":{\"id\":\"%s/n/7\",\"type\":\"Tombstone\"}}", ANN, ANN, ANN);
    assert_int_equal(inbound(fx, body, ANN, &code), HR_OK);
    assert_int_equal(count(fx, fx->note, "replies"), 1);
    /* the post deleted: nothing of its reactions is kept */
    assert_int_equal(react(fx, "Like", BOB, 3, NULL, &code), HR_OK);
    delete_post(fx, fx->note);
    assert_int_equal(records(fx, STORE_T_REACTIONS), 0);
}

static void results_go_out_when_votes_changed_and_once_at_closing(void **state)
{
    struct fixture *fx = *state;
    const char *code;
    json_t *q;

    assert_int_equal(fed_polls_tick(fx->fed, hr_now_ms(), 0), 0); /* nothing new */
    assert_int_equal(vote(fx, ANN, fx->q, "Yes", &code), HR_OK);
    assert_int_equal(vote(fx, BOB, fx->q, "Yes", &code), HR_OK);
    /* within the interval of an earlier report: nothing; the first report is not held */
    assert_int_equal(fed_polls_tick(fx->fed, hr_now_ms(), 5 * 60000), 1);
    assert_int_equal(fed_polls_tick(fx->fed, hr_now_ms(), 0), 0);
    q = stored(fx, fx->q);
    assert_int_equal(json_integer_value(json_object_get(q, "votersCount")), 2);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(json_array_get(
                         json_object_get(q, "oneOf"), 0), "replies"), "totalItems")), 2);
    assert_null(json_object_get(q, "closed"));
    assert_non_null(json_object_get(q, "proof"));
    json_decref(q);
    assert_int_equal(vote(fx, ANN, fx->qm, "No", &code), HR_OK);
    assert_int_equal(fed_polls_tick(fx->fed, hr_now_ms(), 5 * 60000), 1); /* qm: first */
    assert_int_equal(vote(fx, BOB, fx->qm, "No", &code), HR_OK);
    assert_int_equal(fed_polls_tick(fx->fed, hr_now_ms(), 5 * 60000), 0); /* held */
    /* at closing: both polls, once */
    assert_int_equal(fed_polls_tick(fx->fed, fx->closes, 5 * 60000), 2);
    assert_int_equal(fed_polls_tick(fx->fed, fx->closes + 60000, 0), 0);
    q = stored(fx, fx->qm);
    assert_string_equal(json_string_value(json_object_get(q, "closed")),
                        json_string_value(json_object_get(q, "endTime")));
    assert_int_equal(json_integer_value(json_object_get(q, "votersCount")), 2);
    json_decref(q);
}

static void an_edit_keeps_the_published_poll(void **state)
{
    struct fixture *fx = *state;
    json_t *prev = stored(fx, fx->q), *note = json_pack("{s:s,s:s}", "id", fx->q, "type", "Note");
    json_t *poll = json_pack("{s:[s,s,s],s:b,s:I}", "options", "A", "B", "C", "multiple", 1,
                             "closes_ms", (json_int_t)fx->closes + DAY);
    struct fed_post_input in = {.text = "x", .poll = poll};

    assert_int_equal(fed_note_add_poll(fx->fed, "health", &in, prev, note, NULL), HR_OK);
    assert_true(json_equal(json_object_get(note, "oneOf"), json_object_get(prev, "oneOf")));
    assert_null(json_object_get(note, "anyOf"));
    assert_true(json_equal(json_object_get(note, "endTime"), json_object_get(prev, "endTime")));
    json_decref(note);
    /* and a plain post does not become a poll by an edit */
    note = json_pack("{s:s,s:s}", "id", fx->note, "type", "Note");
    json_decref(prev);
    prev = stored(fx, fx->note);
    assert_int_equal(fed_note_add_poll(fx->fed, "health", &in, prev, note, NULL), HR_EINVAL);
    json_decref(note);
    json_decref(prev);
    json_decref(poll);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest t[] = {
        T(a_poll_is_a_question_as_mastodon_emits_it),
        T(a_note_carries_its_counts_refreshed_and_signed_after_a_change),
        T(a_oneof_vote_counts_once_per_actor),
        T(an_anyof_vote_counts_once_per_actor_and_option),
        T(a_vote_at_or_after_endtime_is_refused),
        T(unknown_options_and_non_polls_are_refused),
        T(a_vote_attributed_to_another_actor_is_refused),
        T(a_reply_with_content_is_a_reply_not_a_vote),
        T(likes_and_shares_count_once_per_actor_until_undone),
        T(replies_count_ours_first_and_leave_when_their_author_deletes),
        T(results_go_out_when_votes_changed_and_once_at_closing),
        T(an_edit_keeps_the_published_poll),
    };
#undef T
    return cmocka_run_group_tests(t, NULL, NULL);
}
