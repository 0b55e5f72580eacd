/* tests/unit/agency/test_cases.c - the citizen desk's cases without the inbox: a citizen's
 * Note (as federation/desk.c hands it up) opens a case or joins the open one of the same
 * citizen and thread; an answered case waits again when the citizen writes; a closed one is
 * followed by a new case naming it; Update and Delete are reflected; routing rules apply
 * tag, then keyword, then account, first match by id; the answer goes through the draft
 * workflow of the department and marks the case answered; the acknowledgement is filed by
 * agency_case_tick; refusals (rights, bad input) leave everything as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/tmpdir.h"

#include "agency/agency_int.h"
#include "federation/fed.h"

#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE "https://social.city.example"
#define L AGENCY_LOCAL
#define CIT "https://town.example/users/"
#define DAY 86400000LL

struct fixture {
    char dir[64];
    struct store *st;
    struct fed *fed;
};

/* What the working calendar (agency/calendar.c) says a case of ACCOUNT opened at MS is due:
 * the case must carry exactly that. */
static int64_t due(struct fixture *fx, const char *account, int64_t ms)
{
    struct store_txn *txn = NULL;
    int64_t out = 0;

    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    assert_int_equal(agency_deadline_ms(txn, account, ms, &out, NULL), HR_OK);
    store_txn_abort(txn);
    assert_true(out > ms);
    return out;
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    struct fed_config cfg = {.domain = "social.city.example", .base_url = BASE,
                             .json_max_depth = 64, .json_max_string = 100000,
                             .json_max_items = 1000, .fetch_max_bytes = 1 << 20};
    struct agency_account_new roads = {.name = "roads", .kind = "department", .parent = "health"};
    static const char *const grants[][3] = {{"resp", "responder", "roads"},
                                            {"resp", "responder", "health"},
                                            {"ap", "approver", "roads"},
                                            {"ed", "editor", "roads"},
                                            {"aud", "auditor", "health"}};

    if (tmpdir_make(fx->dir, "cases") != 0 || agency_open(fx->dir, true, 64, &fx->st, NULL) != HR_OK)
        return -1;
    cfg.data_dir = fx->dir;
    struct hr_err err = {0};
    if (fed_new(fx->st, &cfg, &fx->fed, &err) != HR_OK ||
        agency_account_add(fx->st, L, "health", "agency", NULL, NULL, &err) != HR_OK ||
        agency_account_create(fx->st, L, &roads, &err) != HR_OK ||
        agency_set_approvals(fx->st, L, "health", 0, &err) != HR_OK ||
        agency_set_approvals(fx->st, L, "roads", 1, &err) != HR_OK) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    for (size_t i = 0; i < sizeof grants / sizeof grants[0]; i++) {
        agency_operator_add(fx->st, L, grants[i][0], NULL); /* resp twice: EEXIST */
        if (agency_grant(fx->st, L, grants[i][0], grants[i][1], grants[i][2], NULL) != HR_OK)
            return -1;
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    if (fx == NULL) /* setup failed */
        return -1;
    fed_free(fx->fed);
    agency_close(fx->st);
    if (tmpdir_remove(fx->dir) != 0)
        return -1;
    free(fx);
    return 0;
}

/* Hands a Note up as the inbox would: TYPE by citizen WHO (a name under CIT), Note id N,
 * to ACCOUNT for WHY in THREAD, with HTML and the tag array TAGS (JSON text or NULL). */
struct msg {
    const char *type, *who, *n, *account, *thread, *html, *tags, *irt;
    enum fed_desk_why why;
    enum fed_visibility vis;
    int64_t ms;
};

static int hand_up(struct fixture *fx, struct msg m)
{
    char actor[200], id[300];
    json_t *obj;
    struct fed_desk_note n;
    struct store_txn *txn = NULL;
    int rc;

    snprintf(actor, sizeof actor, CIT "%s", m.who);
    snprintf(id, sizeof id, CIT "%s/statuses/%s", m.who, m.n);
    obj = json_pack("{s:s,s:s,s:s,s:s}", "type", "Note", "id", id, "attributedTo", actor,
                    "content", m.html ? m.html : "<p>hello</p>");
    if (m.tags != NULL)
        json_object_set_new(obj, "tag", json_loads(m.tags, 0, NULL));
    n = (struct fed_desk_note){.type = m.type ? m.type : "Create", .actor = actor, .id = id,
                               .object = obj, .account = m.account ? m.account : "health",
                               .why = m.why, .in_reply_to = m.irt,
                               .thread = m.thread ? m.thread : id, .visibility = m.vis,
                               .received_ms = m.ms ? m.ms : hr_clock_ms()};
    if (strcmp(n.type, "Delete") == 0) {
        n.object = NULL;
        n.account = "";
    }
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    rc = agency_desk_note(fx->fed, txn, &n, NULL);
    if (rc == HR_OK)
        assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    else
        store_txn_abort(txn);
    json_decref(obj);
    return rc;
}

/* The cases of citizen WHO (every one, in id order), as the local user lists them. */
static json_t *cases_of(struct fixture *fx, const char *who)
{
    struct agency_case_filter f = {0};
    json_t *all = NULL, *out = json_array(), *c;
    char actor[200];
    size_t i;

    snprintf(actor, sizeof actor, CIT "%s", who);
    assert_int_equal(agency_case_list(fx->st, L, &f, &all, NULL), HR_OK);
    json_array_foreach(all, i, c) if (strcmp(json_string_value(json_object_get(c, "citizen")),
                                             actor) == 0) json_array_append(out, c);
    json_decref(all);
    return out;
}

static json_t *case_get(struct fixture *fx, const char *id)
{
    json_t *c = NULL;

    assert_int_equal(agency_case_get(fx->st, L, id, &c, NULL), HR_OK);
    return c;
}

static const char *s_of(const json_t *j, const char *k)
{
    const char *v = json_string_value(json_object_get(j, k));

    return v ? v : "";
}

/* The id of citizen WHO's only case into ID. */
static void only_case(struct fixture *fx, const char *who, char id[32])
{
    json_t *all = cases_of(fx, who);

    assert_int_equal(json_array_size(all), 1);
    snprintf(id, 32, "%s", s_of(json_array_get(all, 0), "id"));
    json_decref(all);
}

static void a_reply_opens_a_case_and_the_same_thread_joins_it(void **state)
{
    struct fixture *fx = *state;
    char id[32];
    json_t *c, *m;

    assert_int_equal(hand_up(fx, (struct msg){.who = "ann", .n = "1", .thread = BASE "/t1",
                                              .why = FED_DESK_REPLY,
                                              .html = "<p>Is it <b>safe</b>?<script>x()</script></p>"}),
                     HR_OK);
    only_case(fx, "ann", id);
    c = case_get(fx, id);
    assert_string_equal(s_of(c, "status"), "new");
    assert_string_equal(s_of(c, "why"), "reply");
    assert_string_equal(s_of(c, "department"), "health");
    assert_string_equal(s_of(c, "visibility"), "public");
    m = json_array_get(json_object_get(c, "messages"), 0);
    assert_non_null(strstr(s_of(m, "html"), "<b>safe</b>"));
    assert_null(strstr(s_of(m, "html"), "script"));
    assert_non_null(strstr(s_of(m, "original"), "<script>x()</script>"));
    assert_int_equal(json_integer_value(json_object_get(c, "deadline_ms")),
                     due(fx, "health", json_integer_value(json_object_get(c, "opened_ms"))));
    json_decref(c);
    /* the same citizen and thread: joins; another thread: a case of its own */
    assert_int_equal(hand_up(fx, (struct msg){.who = "ann", .n = "2", .thread = BASE "/t1"}), HR_OK);
    assert_int_equal(hand_up(fx, (struct msg){.who = "ann", .n = "1", .thread = BASE "/t1"}),
                     HR_OK); /* a redelivery changes nothing */
    c = case_get(fx, id);
    assert_int_equal(json_array_size(json_object_get(c, "messages")), 2);
    json_decref(c);
    assert_int_equal(hand_up(fx, (struct msg){.who = "ann", .n = "3", .thread = BASE "/t2",
                                              .why = FED_DESK_DIRECT, .vis = FED_VIS_DIRECT}),
                     HR_OK);
    c = cases_of(fx, "ann");
    assert_int_equal(json_array_size(c), 2);
    assert_string_equal(s_of(json_array_get(c, 1), "why"), "direct");
    assert_string_equal(s_of(json_array_get(c, 1), "visibility"), "direct");
    json_decref(c);
}

static void update_and_delete_are_reflected(void **state)
{
    struct fixture *fx = *state;
    char id[32];
    json_t *c, *m;

    assert_int_equal(hand_up(fx, (struct msg){.who = "eve", .n = "1", .html = "<p>first</p>"}), HR_OK);
    assert_int_equal(hand_up(fx, (struct msg){.who = "eve", .n = "2", .thread = CIT "eve/statuses/1",
                                              .html = "<p>second</p>"}),
                     HR_OK);
    only_case(fx, "eve", id);
    assert_int_equal(hand_up(fx, (struct msg){.type = "Update", .who = "eve", .n = "1",
                                              .html = "<p>first, edited</p>"}),
                     HR_OK);
    /* someone else's Delete of eve's message changes nothing */
    assert_int_equal(hand_up(fx, (struct msg){.type = "Delete", .who = "mallory", .n = "x"}), HR_OK);
    assert_int_equal(hand_up(fx, (struct msg){.type = "Delete", .who = "eve", .n = "2"}), HR_OK);
    c = case_get(fx, id);
    m = json_array_get(json_object_get(c, "messages"), 0);
    assert_string_equal(s_of(m, "html"), "<p>first, edited</p>");
    assert_true(json_is_integer(json_object_get(m, "edited_ms")));
    m = json_array_get(json_object_get(c, "messages"), 1);
    assert_string_equal(s_of(m, "html"), "");
    assert_string_equal(s_of(m, "original"), "");
    assert_true(json_is_integer(json_object_get(m, "deleted_ms")));
    assert_string_equal(s_of(c, "status"), "new");
    json_decref(c);
}

/* Tags and keywords are compared in Unicode lower case, not only ASCII's. */
static void routing_folds_case_beyond_ascii(void **state)
{
    struct fixture *fx = *state;
    struct agency_route_input kw = {"health", "keyword", "Ремонт"};
    struct agency_route_input tag = {"roads", "tag", "#МОСТ"};
    json_t *r1 = NULL, *r2 = NULL, *c;

    assert_int_equal(agency_route_add(fx->st, L, &kw, &r1, NULL), HR_OK);
    assert_int_equal(agency_route_add(fx->st, L, &tag, &r2, NULL), HR_OK);
    assert_string_equal(s_of(r2, "value"), "мост");
    assert_int_equal(hand_up(fx, (struct msg){.who = "uf1", .n = "1", .html = "<p>hello</p>",
                                              .tags = "[{\"type\":\"Hashtag\",\"name\":\"#Мост\"}]"}),
                     HR_OK);
    assert_int_equal(hand_up(fx, (struct msg){.who = "uf2", .n = "1",
                                              .html = "<p>РЕМОНТ дороги</p>"}),
                     HR_OK);
    c = cases_of(fx, "uf1");
    assert_string_equal(s_of(json_array_get(c, 0), "department"), "roads");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(json_array_get(c, 0), "tags"), 0)),
        "мост");
    json_decref(c);
    c = cases_of(fx, "uf2");
    assert_string_equal(s_of(json_array_get(c, 0), "department"), "health");
    json_decref(c);
    for (json_t *r[] = {r1, r2}, **p = r; p < r + 2; p++) {
        assert_int_equal(agency_route_remove(fx->st, L, s_of(*p, "id"), NULL), HR_OK);
        json_decref(*p);
    }
}

static void routing_tries_tags_then_keywords_then_accounts(void **state)
{
    struct fixture *fx = *state;
    struct agency_route_input acc = {"roads", "account", "health"};
    struct agency_route_input kw = {"health", "keyword", "Pothole"};
    struct agency_route_input tag = {"roads", "tag", "#Water"};
    json_t *r1 = NULL, *r2 = NULL, *r3 = NULL, *c;

    assert_int_equal(agency_route_add(fx->st, L, &acc, &r1, NULL), HR_OK);
    assert_int_equal(agency_route_add(fx->st, L, &kw, &r2, NULL), HR_OK);
    assert_int_equal(agency_route_add(fx->st, L, &tag, &r3, NULL), HR_OK);
    assert_string_equal(s_of(r3, "value"), "water");
    /* a tag rule wins over an earlier keyword and account rule */
    assert_int_equal(hand_up(fx, (struct msg){.who = "rt1", .n = "1", .html = "<p>pothole</p>",
                                              .tags = "[{\"type\":\"Hashtag\",\"name\":\"#WATER\"}]"}),
                     HR_OK);
    /* a keyword (ASCII case folded, markup ignored) wins over the account rule */
    assert_int_equal(hand_up(fx, (struct msg){.who = "rt2", .n = "1",
                                              .html = "<p>a big <b>POT</b><i>HOLE</i></p>"}),
                     HR_OK);
    assert_int_equal(hand_up(fx, (struct msg){.who = "rt3", .n = "1", .html = "<p>noise</p>"}), HR_OK);
    /* a lone tag may be one object, not an array (Fedify sends it so) */
    assert_int_equal(hand_up(fx, (struct msg){.who = "rt4", .n = "1", .html = "<p>pothole</p>",
                                              .tags = "{\"type\":\"Hashtag\",\"name\":\"#water\"}"}),
                     HR_OK);
    c = cases_of(fx, "rt4");
    assert_string_equal(s_of(json_array_get(c, 0), "department"), "roads");
    assert_string_equal(json_string_value(json_array_get(json_object_get(json_array_get(c, 0), "tags"), 0)),
                        "water");
    json_decref(c);
    c = cases_of(fx, "rt1");
    assert_string_equal(s_of(json_array_get(c, 0), "department"), "roads");
    json_decref(c);
    c = cases_of(fx, "rt2");
    assert_string_equal(s_of(json_array_get(c, 0), "department"), "health");
    json_decref(c);
    c = cases_of(fx, "rt3");
    assert_string_equal(s_of(json_array_get(c, 0), "department"), "roads");
    json_decref(c);
    for (json_t *r[] = {r1, r2, r3}, **p = r; p < r + 3; p++) {
        assert_int_equal(agency_route_remove(fx->st, L, s_of(*p, "id"), NULL), HR_OK);
        json_decref(*p);
    }
    /* no rule: the account's desk setting "department" */
    struct store_txn *txn = NULL;
    char key[16];
    int n = snprintf(key, sizeof key, "a%chealth", '\0');
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_rec_put(txn, STORE_T_DESK, key, (size_t)n, "{\"department\":\"roads\"}",
                                   22, 0, NULL),
                     HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    assert_int_equal(hand_up(fx, (struct msg){.who = "rt4", .n = "1"}), HR_OK);
    c = cases_of(fx, "rt4");
    assert_string_equal(s_of(json_array_get(c, 0), "department"), "roads");
    json_decref(c);
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_rec_del(txn, STORE_T_DESK, key, (size_t)n, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
}

/* Publishes draft ID of roads by the approver. */
static void approve(struct fixture *fx, const char *id)
{
    struct agency_draft d;
    struct agency_draft_result res = {0};
    char rev[65];

    assert_int_equal(agency_draft_get(fx->st, L, id, &d, NULL), HR_OK);
    snprintf(rev, sizeof rev, "%s", d.rev_sha256);
    assert_int_equal(agency_draft_approve(fx->st, fx->fed, "ap", id, rev, "ok", &res, NULL), HR_OK);
    assert_string_equal(res.state, "published");
}

static void an_answer_goes_through_approval_and_a_new_message_reopens_the_wait(void **state)
{
    struct fixture *fx = *state;
    struct agency_draft_result res = {0};
    struct hr_err err = {0};
    char id[32], reply_to[300];
    json_t *c;

    assert_int_equal(hand_up(fx, (struct msg){.who = "bo", .n = "1", .account = "roads",
                                              .why = FED_DESK_MENTION}),
                     HR_OK);
    only_case(fx, "bo", id);
    /* an editor of the department is not its responder */
    assert_int_equal(agency_case_answer(fx->st, fx->fed, "ed", id, "Soon.", true, &res, &err),
                     HR_EFORBIDDEN);
    assert_int_equal(agency_case_answer(fx->st, fx->fed, "ed", id, " ", true, &res, &err),
                     HR_EFORBIDDEN); /* the role before the text */
    assert_int_equal(agency_case_assign(fx->st, "resp", id, "ed", &err), HR_EINVAL);
    assert_non_null(strstr(err.msg, "not an active responder"));
    assert_int_equal(agency_case_assign(fx->st, "resp", id, "resp", NULL), HR_OK);
    assert_int_equal(agency_case_answer(fx->st, fx->fed, "resp", id, "We fix it.", true, &res, NULL),
                     HR_OK);
    assert_string_equal(res.state, "submitted");
    c = case_get(fx, id);
    assert_string_equal(s_of(c, "status"), "assigned");
    assert_true(json_is_integer(json_object_get(json_array_get(json_object_get(c, "answers"), 0),
                                                "submitted_ms")));
    json_decref(c);
    approve(fx, res.id);
    c = case_get(fx, id);
    assert_string_equal(s_of(c, "status"), "answered");
    assert_true(json_is_integer(json_object_get(c, "first_answer_ms")));
    snprintf(reply_to, sizeof reply_to, "%s",
             s_of(json_array_get(json_object_get(c, "answers"), 0), "note"));
    assert_non_null(strstr(reply_to, BASE "/users/roads/notes/"));
    json_decref(c);
    /* the citizen writes again in the thread (thread: the case's): waits again from then */
    c = case_get(fx, id);
    int64_t later = hr_clock_ms() + DAY;
    assert_int_equal(hand_up(fx, (struct msg){.who = "bo", .n = "2", .account = "roads",
                                              .thread = s_of(c, "thread"), .irt = reply_to,
                                              .why = FED_DESK_FOLLOWUP, .ms = later}),
                     HR_OK);
    json_decref(c);
    c = case_get(fx, id);
    assert_string_equal(s_of(c, "status"), "new");
    assert_int_equal(json_integer_value(json_object_get(c, "deadline_ms")),
                     due(fx, s_of(c, "department"), later));
    assert_int_equal(json_array_size(json_object_get(c, "messages")), 2);
    json_decref(c);
}

static void a_message_after_closing_opens_a_new_case_naming_it(void **state)
{
    struct fixture *fx = *state;
    char id[32];
    json_t *all;

    assert_int_equal(hand_up(fx, (struct msg){.who = "cy", .n = "1", .thread = BASE "/t9"}), HR_OK);
    only_case(fx, "cy", id);
    assert_int_equal(agency_case_close(fx->st, "resp", id, "done", NULL), HR_OK);
    assert_int_equal(agency_case_close(fx->st, "resp", id, NULL, NULL), HR_EEXIST);
    assert_int_equal(hand_up(fx, (struct msg){.who = "cy", .n = "2", .thread = BASE "/t9"}), HR_OK);
    all = cases_of(fx, "cy");
    assert_int_equal(json_array_size(all), 2);
    assert_string_equal(s_of(json_array_get(all, 0), "status"), "closed");
    assert_string_equal(s_of(json_array_get(all, 1), "status"), "new");
    assert_string_equal(s_of(json_array_get(all, 1), "previous"), id);
    json_decref(all);
    assert_int_equal(agency_case_reopen(fx->st, "resp", id, NULL), HR_OK);
    json_t *c = case_get(fx, id);
    assert_string_equal(s_of(c, "status"), "new");
    json_decref(c);
}

/* Everything a refusal must leave alone: the cases, the routes, the audit chain's length. */
static char *snapshot(struct fixture *fx)
{
    struct agency_case_filter f = {0};
    json_t *cases = NULL, *routes = NULL;
    uint64_t n = 0;
    char *a, *b, *out = malloc(1 << 20);

    assert_int_equal(agency_case_list(fx->st, L, &f, &cases, NULL), HR_OK);
    assert_int_equal(agency_route_list(fx->st, L, &routes, NULL), HR_OK);
    assert_int_equal(agency_audit_verify(fx->st, &n, NULL), HR_OK);
    a = json_dumps(cases, JSON_SORT_KEYS);
    b = json_dumps(routes, JSON_SORT_KEYS);
    snprintf(out, 1 << 20, "%s|%s|%llu", a, b, (unsigned long long)n);
    free(a);
    free(b);
    json_decref(cases);
    json_decref(routes);
    return out;
}

static void refusals_store_nothing(void **state)
{
    struct fixture *fx = *state;
    struct agency_draft_result res = {0};
    struct hr_err err = {0};
    struct agency_case_filter bad = {.status = "open"};
    json_t *j = NULL;
    char id[32], *before;

    assert_int_equal(hand_up(fx, (struct msg){.who = "dee", .n = "1", .account = "roads"}), HR_OK);
    only_case(fx, "dee", id);
    before = snapshot(fx);
    assert_int_equal(agency_case_get(fx->st, L, "c999999", &j, &err), HR_ENOTFOUND);
    assert_non_null(strstr(err.msg, "no case c999999"));
    assert_int_equal(agency_case_get(fx->st, "aud", id, &j, &err), HR_EFORBIDDEN); /* health's */
    assert_int_equal(agency_case_assign(fx->st, "resp", id, "nobody", &err), HR_EINVAL);
    assert_int_equal(agency_case_assign(fx->st, "resp", id, NULL, &err), HR_EINVAL);
    assert_int_equal(agency_case_assign(fx->st, "ed", id, "resp", &err), HR_EFORBIDDEN);
    assert_int_equal(agency_case_close(fx->st, "ap", id, NULL, &err), HR_EFORBIDDEN);
    assert_int_equal(agency_case_reopen(fx->st, "resp", id, &err), HR_EEXIST);
    assert_int_equal(agency_case_answer(fx->st, fx->fed, "resp", id, " ", true, &res, &err),
                     HR_EINVAL);
    assert_int_equal(agency_case_answer(fx->st, fx->fed, "resp", "c0", "x", true, &res, &err),
                     HR_ENOTFOUND);
    assert_int_equal(agency_case_list(fx->st, L, &bad, &j, &err), HR_EINVAL);
    assert_int_equal(agency_route_add(fx->st, L, &(struct agency_route_input){"nowhere", "tag", "x"},
                                      &j, &err),
                     HR_EINVAL);
    assert_int_equal(agency_route_add(fx->st, L, &(struct agency_route_input){"roads", "color", "x"},
                                      &j, &err),
                     HR_EINVAL);
    assert_int_equal(agency_route_add(fx->st, L, &(struct agency_route_input){"roads", "tag", "a b"},
                                      &j, &err),
                     HR_EINVAL);
    assert_int_equal(agency_route_add(fx->st, L,
                                      &(struct agency_route_input){"roads", "keyword", "caf\xe9"},
                                      &j, &err),
                     HR_EINVAL);
    assert_non_null(strstr(err.msg, "UTF-8"));
    assert_int_equal(agency_route_add(fx->st, L,
                                      &(struct agency_route_input){"roads", "account", "ghost"},
                                      &j, &err),
                     HR_EINVAL);
    assert_int_equal(agency_route_add(fx->st, "resp", &(struct agency_route_input){"roads", "tag", "x"},
                                      &j, &err),
                     HR_EFORBIDDEN);
    assert_int_equal(agency_route_remove(fx->st, L, "r99999", &err), HR_ENOTFOUND);
    assert_int_equal(agency_route_remove(fx->st, L, "17", &err), HR_EINVAL);
    char *after = snapshot(fx);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void the_acknowledgement_goes_out_through_the_tick(void **state)
{
    struct fixture *fx = *state;
    struct store_txn *txn = NULL;
    char id[32], key[16];
    int n = snprintf(key, sizeof key, "a%chealth", '\0');
    json_t *c;

    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_rec_put(txn, STORE_T_DESK, key, (size_t)n, "{\"ack\":true}", 12, 0, NULL),
                     HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    assert_int_equal(hand_up(fx, (struct msg){.who = "ack", .n = "1"}), HR_OK);
    only_case(fx, "ack", id);
    c = case_get(fx, id);
    assert_true(json_is_true(json_object_get(c, "ack_due")));
    json_decref(c);
    assert_int_equal(agency_case_tick(fx->st, fx->fed, hr_clock_ms(), NULL), HR_OK);
    c = case_get(fx, id);
    assert_null(json_object_get(c, "ack_due"));
    const char *draft = s_of(c, "ack_draft");
    struct agency_draft d;
    assert_int_equal(agency_draft_get(fx->st, L, draft, &d, NULL), HR_OK);
    assert_string_equal(agency_draft_state_name(d.state), "published"); /* health: 0 approvals */
    char *show = NULL;
    assert_int_equal(agency_draft_show(fx->st, L, draft, &show, NULL), HR_OK);
    assert_non_null(strstr(show, id)); /* "received as case cN" */
    free(show);
    assert_string_equal(s_of(c, "status"), "new"); /* an acknowledgement is not an answer */
    json_decref(c);
    assert_int_equal(agency_case_tick(fx->st, fx->fed, hr_clock_ms(), NULL), HR_OK); /* once */
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_rec_del(txn, STORE_T_DESK, key, (size_t)n, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_reply_opens_a_case_and_the_same_thread_joins_it),
        cmocka_unit_test(update_and_delete_are_reflected),
        cmocka_unit_test(routing_tries_tags_then_keywords_then_accounts),
        cmocka_unit_test(routing_folds_case_beyond_ascii),
        cmocka_unit_test(an_answer_goes_through_approval_and_a_new_message_reopens_the_wait),
        cmocka_unit_test(a_message_after_closing_opens_a_new_case_naming_it),
        cmocka_unit_test(refusals_store_nothing),
        cmocka_unit_test(the_acknowledgement_goes_out_through_the_tick),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
