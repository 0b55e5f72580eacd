/* tests/unit/agency/test_report.c - the evaluation report (agency/report.c) over a store
 * built by hand: the worked example of docs/evaluation.md, every figure counted by hand in
 * the comments, every index formula, the follower history store/followers.c writes, and
 * the refusals (empty period, unknown account, an operator without report.read). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "agency/report.h"
#include "agency/agency_int.h"
#include "tests/unit/storetpl.h"

#include <stdio.h>
#include <string.h>

#define L       AGENCY_LOCAL
#define H       3600000LL
#define D       (24 * H)
#define F       1893456000000LL /* 2030-01-01T00:00:00Z: the period's start */
#define TO      (F + 28 * D)    /* 2030-01-29T00:00:00Z: the period is 28 days */
#define NOTE(n) "https://gov.example/users/health/notes/" n
#define ACT(n)  "https://gov.example/users/health/activities/" n
#define P2      "https://peer.example/users/"

struct fixture {
    char dir[64];
    struct store *st;
    struct store_txn *txn;
};

static void put_json(struct store_txn *txn, enum store_table t, const void *k, size_t klen,
                     const char *json)
{
    assert_int_equal(store_rec_put(txn, t, k, klen, json, strlen(json), 0, NULL), HR_OK);
}

/* A post: its Note and the Create in the outbox (or an Announce: a boost). */
static void post(struct store_txn *txn, const char *act, const char *note, const char *type,
                 int64_t ms)
{
    char json[512];
    struct store_object o = {.id = (char *)(uintptr_t)act,
                             .account = (char *)(uintptr_t) "health",
                             .type = (char *)(uintptr_t)type,
                             .published_ms = ms,
                             .json = json};

    snprintf(json, sizeof json, "{\"id\":\"%s\",\"type\":\"%s\",\"object\":\"%s\"}", act, type,
             note);
    o.json_len = strlen(json);
    assert_int_equal(store_object_put(txn, &o, NULL), HR_OK);
    assert_int_equal(store_outbox_add(txn, "health", act, NULL, NULL), HR_OK);
}

/* A draft of ACCOUNT and its log: N (action, time) events. */
static void draft(struct store_txn *txn, const char *id, const char *account,
                  const char *const *actions, const int64_t *times, size_t n)
{
    char json[256];

    snprintf(json, sizeof json, "{\"id\":\"%s\",\"account\":\"%s\"}", id, account);
    put_json(txn, STORE_T_DRAFTS, id, strlen(id), json);
    for (size_t i = 0; i < n; i++) {
        uint64_t seq;
        assert_int_equal(store_seq_next(txn, &seq, NULL), HR_OK);
        snprintf(json, sizeof json, "{\"action\":\"%s\",\"time\":%lld,\"operator\":\"ed\"}",
                 actions[i], (long long)times[i]);
        assert_int_equal(store_draft_log_add(txn, id, seq, json, strlen(json), NULL), HR_OK);
    }
}

static size_t key3(char *k, size_t cap, const char *a, const char *b, const char *c)
{
    int n = snprintf(k, cap, "%s%c%s%c%s", a, '\0', b, '\0', c);
    assert_true(n > 0 && (size_t)n < cap);
    return (size_t)n;
}

static void reaction(struct store_txn *txn, const char *note, const char *kind, const char *who,
                     const char *json)
{
    char k[512];
    put_json(txn, STORE_T_REACTIONS, k, key3(k, sizeof k, note, kind, who), json);
}

/* A history record 'f' NUL health NUL BE64(ms) NUL actor -> SIGN. */
static void history(struct store_txn *txn, const char *actor, int64_t ms, const char *sign)
{
    unsigned char k[256];
    size_t n = 0;

    k[n++] = 'f', k[n++] = '\0';
    memcpy(k + n, "health", 7), n += 7;
    store_put_be64((uint64_t)ms, k + n), n += 8;
    k[n++] = '\0';
    memcpy(k + n, actor, strlen(actor)), n += strlen(actor);
    assert_int_equal(store_rec_put(txn, STORE_T_HISTORY, k, n, sign, 1, 0, NULL), HR_OK);
}

static void follower(struct store_txn *txn, const char *actor, int64_t created)
{
    struct store_follower f = {.actor = (char *)(uintptr_t)actor,
                               .inbox = (char *)(uintptr_t) "https://p/inbox",
                               .shared_inbox = (char *)(uintptr_t) "",
                               .follow_id = (char *)(uintptr_t) "",
                               .created_ms = created};
    assert_int_equal(store_follower_put(txn, "health", &f, NULL, NULL), HR_OK);
}

struct keys {
    unsigned char k[64][256];
    size_t len[64], n;
};

static int drop_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct keys *ks = ctx;

    (void)v, (void)vlen;
    assert_true(ks->n < 64 && klen <= 256);
    memcpy(ks->k[ks->n], k, klen);
    ks->len[ks->n++] = klen;
    return HR_OK;
}

/* Drops the history store_follower_put wrote at today's time: the example's is by hand. */
static void history_clear(struct store_txn *txn)
{
    static struct keys ks;

    ks.n = 0;
    assert_int_equal(store_rec_each(txn, STORE_T_HISTORY, NULL, 0, false, drop_cb, &ks, NULL),
                     HR_OK);
    for (size_t i = 0; i < ks.n; i++)
        assert_int_equal(store_rec_del(txn, STORE_T_HISTORY, ks.k[i], ks.len[i], NULL), HR_OK);
}

static void reach(struct store_txn *txn, const char *account, int64_t day, const char *host)
{
    unsigned char k[128];
    size_t n = strlen(account) + 1;

    memcpy(k, account, n);
    k[n++] = (unsigned char)(day >> 24), k[n++] = (unsigned char)(day >> 16);
    k[n++] = (unsigned char)(day >> 8), k[n++] = (unsigned char)day;
    k[n++] = '\0';
    memcpy(k + n, host, strlen(host)), n += strlen(host);
    assert_int_equal(store_rec_put(txn, STORE_T_REACH, k, n, "", 0, 0, NULL), HR_OK);
}

static void a_case(struct store_txn *txn, const char *id, const char *account, const char *dept,
                   int64_t opened, int64_t first, const char *answer_note, int64_t answer_ms)
{
    json_t *c = json_pack("{s:s,s:s,s:s,s:I,s:I,s:[]}", "id", id, "account", account, "department",
                          dept, "opened_ms", (json_int_t)opened, "deadline_ms",
                          (json_int_t)(opened + 3 * D), "answers");
    char *s;

    if (first >= 0)
        json_object_set_new(c, "first_answer_ms", json_integer(first));
    if (answer_note != NULL)
        json_array_append_new(
            json_object_get(c, "answers"),
            json_pack("{s:s,s:I}", "note", answer_note, "published_ms", (json_int_t)answer_ms));
    s = json_dumps(c, JSON_COMPACT);
    put_json(txn, STORE_T_CASES, id, strlen(id), s);
    free(s);
    json_decref(c);
}

/* transport's profile names health as its parent department. */
static void parent_of_transport(struct store_txn *txn)
{
    struct store_account a = {0};

    assert_int_equal(store_account_get_private(txn, "transport", &a, NULL), HR_OK);
    free(a.profile);
    a.profile = strdup("{\"parent\":\"health\"}");
    assert_int_equal(store_account_put(txn, &a, NULL), HR_OK);
    store_account_fini(&a);
}

static void example_posts(struct store_txn *txn)
{
    post(txn, ACT("p0"), NOTE("p0"), "Create", F - 10 * D); /* before the period */
    post(txn, ACT("p1"), NOTE("p1"), "Create", F + 1 * D);
    post(txn, ACT("p2"), NOTE("p2"), "Create", F + 3 * D);
    post(txn, ACT("b1"), "https://peer.example/notes/9", "Announce", F + 5 * D); /* a boost */
    post(txn, ACT("p3"), NOTE("p3"), "Create", F + 20 * D);
}

static void example_drafts(struct store_txn *txn)
{
    static const char *const a1[] = {"draft.create", "draft.submit", "draft.approve",
                                     "post.publish"};
    static const int64_t t1[] = {F + D - 5 * H, F + D - 4 * H, F + D - H, F + D};
    static const char *const a2[] = {"draft.submit", "draft.approve", "draft.approve",
                                     "post.publish"};
    static const int64_t t2[] = {F + 3 * D - 10 * H, F + 3 * D - 2 * H, F + 3 * D - H, F + 3 * D};
    static const char *const a3[] = {"draft.submit", "draft.reject"};
    static const int64_t t3[] = {F + 5 * D, F + 5 * D + 2 * H};
    static const char *const a4[] = {"draft.submit", "draft.edit", "draft.submit", "post.publish"};
    static const int64_t t4[] = {F + 19 * D, F + 19 * D + H, F + 20 * D - 2 * H, F + 20 * D};

    static const char *const a6[] = {"draft.submit", "draft.approve", "post.publish"};
    static const int64_t t6[] = {F + 6 * D, F + 6 * D + H, F + 6 * D + H};
    static const char *const a7[] = {"draft.submit", "post.publish"};
    static const int64_t t7[] = {F + 7 * D, F + 7 * D};

    draft(txn, "d1", "health", a1, t1, 4);    /* approved after 3 h */
    draft(txn, "d2", "health", a2, t2, 4);    /* the second approval released it: 9 h */
    draft(txn, "d3", "health", a3, t3, 2);    /* rejected */
    draft(txn, "d4", "health", a4, t4, 4);    /* resubmitted, published with no approval */
    draft(txn, "d5", "transport", a3, t3, 2); /* transport's: not health's */
    draft(txn, "d6", "health", a6, t6, 3);    /* a boost, approved after 1 h: not counted */
    put_json(txn, STORE_T_DRAFTS, "d6", 2,
             "{\"id\":\"d6\",\"account\":\"health\",\"kind\":\"boost\"}");
    draft(txn, "d7", "health", a7, t7, 2); /* a boost with no approval: not counted either */
    put_json(txn, STORE_T_DRAFTS, "d7", 2,
             "{\"id\":\"d7\",\"account\":\"health\",\"kind\":\"boost\"}");
}

static void example_followers(struct store_txn *txn)
{
    follower(txn, P2 "ann", F - 30 * D); /* older than the history */
    follower(txn, P2 "bob", F + 2 * D);
    follower(txn, P2 "dave", F - 5 * D);
    follower(txn, P2 "gina", F + 12 * D); /* older than the history too, stored in the period */
    history_clear(txn);
    history(txn, P2 "bob", F + 2 * D, "+");
    history(txn, P2 "dave", F - 5 * D, "+");
    history(txn, P2 "eve", F - 20 * D, "+");
    history(txn, P2 "eve", F + 10 * D, "-");
    history(txn, P2 "frank", F + 4 * D, "+");
    history(txn, P2 "frank", F + 6 * D, "-");
}

static void example_reactions(struct store_txn *txn)
{
    char ms[64];

#define MS(t) (snprintf(ms, sizeof ms, "{\"ms\":%lld}", (long long)(t)), ms)
    reaction(txn, NOTE("p1"), "like", P2 "bob", MS(F + D + H));
    reaction(txn, NOTE("p1"), "like", P2 "zed", MS(F + 2 * D)); /* not a follower */
    reaction(txn, NOTE("p1"), "share", P2 "ann", MS(F + 2 * D));
    reaction(txn, NOTE("p0"), "like", P2 "ann", MS(F + D));      /* an old post, in the period */
    reaction(txn, NOTE("p0"), "like", P2 "dave", MS(F - 3 * D)); /* before the period */
    reaction(txn, NOTE("p1"), "own", NOTE("o1"), MS(F + D + 3 * H));
    reaction(txn, NOTE("p3"), "own", NOTE("o2"), MS(F + 21 * D + H)); /* also c2's answer */
    snprintf(ms, sizeof ms, "{\"actor\":\"%s\",\"ms\":%lld}", P2 "bob", (long long)(F + D + 2 * H));
    reaction(txn, NOTE("p1"), "reply", P2 "bob/r1", ms);
    snprintf(ms, sizeof ms, "{\"actor\":\"%s\",\"ms\":%lld}", P2 "gina", (long long)(F + 21 * D));
    reaction(txn, NOTE("p3"), "reply", P2 "gina/r2", ms);
#undef MS
}

static void example_cases(struct store_txn *txn)
{
    a_case(txn, "c1", "health", "health", F + 2 * D, F + 2 * D + 4 * H, NOTE("a1"),
           F + 2 * D + 4 * H);
    a_case(txn, "c2", "health", "health", F + 21 * D, F + 21 * D + H, NOTE("o2"), F + 21 * D + H);
    a_case(txn, "c3", "health", "health", F + 10 * D, F + 15 * D, NULL, 0); /* late */
    a_case(txn, "c4", "health", "health", F + 12 * D, -1, NULL, 0);         /* never answered */
    a_case(txn, "c5", "health", "health", F + 27 * D, -1, NULL, 0); /* deadline after the end */
    a_case(txn, "c6", "health", "health", F - 5 * D, F + D, NOTE("a6"), F + D); /* opened before */
    a_case(txn, "c7", "transport", "health", F + 3 * D, F + 3 * D + 2 * H, NULL, 0);
}

/* The two accounts (RSA keys: slow under valgrind), the operators and the worked example
 * are made once, in a template store that each test gets a fresh copy of. */
static int fill(struct store *st)
{
    static const char *const grants[][3] = {
        {"aud", "auditor", "health"}, {"ed", "editor", "health"}, {"boss", "auditor", NULL}};
    struct store_txn *txn = NULL;

    if (agency_account_add(st, L, "health", "agency", NULL, NULL, NULL) != HR_OK ||
        agency_account_add(st, L, "transport", "agency", NULL, NULL, NULL) != HR_OK)
        return HR_EIO;
    for (size_t i = 0; i < sizeof grants / sizeof grants[0]; i++)
        if (agency_operator_add(st, L, grants[i][0], NULL) != HR_OK ||
            agency_grant(st, L, grants[i][0], grants[i][1], grants[i][2], NULL) != HR_OK)
            return HR_EIO;
    if (store_txn_begin(st, STORE_WRITE, &txn, NULL) != HR_OK)
        return HR_EIO;
    parent_of_transport(txn);
    example_posts(txn);
    example_drafts(txn);
    example_followers(txn);
    example_reactions(txn);
    reach(txn, "health", F / D + 1, "a.example");
    reach(txn, "health", F / D + 2, "b.example");
    reach(txn, "health", F / D + 3, "b.example");
    reach(txn, "health", F / D - 1, "c.example"); /* the day before */
    reach(txn, "health", TO / D, "d.example");    /* the day after */
    reach(txn, "transport", F / D + 1, "e.example");
    example_cases(txn);
    return store_txn_commit(txn, NULL);
}

STORETPL_GROUP("report-tpl", fill)

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);

    if (fx == NULL || storetpl_open(template_dir, fx->dir, "report", &fx->st) != 0)
        return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    agency_close(fx->st);
    if (tmpdir_remove(fx->dir) != 0)
        return -1;
    free(fx);
    return 0;
}

static json_t *report_of(struct fixture *fx, const char *op, const char *account)
{
    struct agency_report_query q = {.account = account, .from_ms = F, .to_ms = TO, .now_ms = TO};
    json_t *r = NULL;
    struct hr_err err = {0};

    assert_int_equal(agency_report_build(fx->st, op, &q, &r, &err), HR_OK);
    return r;
}

static const json_t *row_named(const json_t *r, const char *list, const char *key, const char *name)
{
    const json_t *row;
    size_t i;

    json_array_foreach(json_object_get(r, list), i, row)
    {
        if (strcmp(json_string_value(json_object_get(row, key)), name) == 0)
            return row;
    }
    fail_msg("no %s row %s", list, name);
    return NULL;
}

static json_int_t num(const json_t *o, const char *a, const char *b)
{
    const json_t *v = json_object_get(o, a);
    if (b != NULL)
        v = json_object_get(v, b);
    assert_true(json_is_integer(v));
    return json_integer_value(v);
}

static double score(const json_t *o, const char *index)
{
    const json_t *v =
        json_object_get(json_object_get(json_object_get(o, "indices"), index), "score");
    assert_true(json_is_number(v));
    return json_number_value(v);
}

static void the_worked_example_posts_drafts_and_activity_match_the_hand_count(void **state)
{
    json_t *r = report_of(*state, L, NULL);
    const json_t *h = row_named(r, "accounts", "account", "health"), *w;

    assert_int_equal(num(h, "posts", NULL), 3); /* p1, p2, p3; p0 before, b1 a boost */
    w = json_object_get(h, "posts_per_week");   /* days 1, 3 | - | 20 | - */
    assert_int_equal(json_array_size(w), 4);
    assert_int_equal(json_integer_value(json_array_get(w, 0)), 2);
    assert_int_equal(json_integer_value(json_array_get(w, 1)), 0);
    assert_int_equal(json_integer_value(json_array_get(w, 2)), 1);
    assert_int_equal(num(h, "longest_silence_ms", NULL), 17 * D); /* gaps 1, 2, 17, 8 days */
    assert_int_equal(num(h, "drafts_rejected", NULL), 1);         /* d3 */
    assert_int_equal(num(h, "drafts_approved", NULL), 2);         /* d1 3 h, d2 9 h */
    assert_int_equal(num(h, "approval_median_ms", NULL), 6 * H);
    assert_int_equal(num(h, "drafts_unapproved", NULL), 1); /* d4; the boosts d6, d7 neither */
    /* 2 windows, both covered; 100 x (0.6 x 1 + 0.4 x (42 - 17) / 28) = 95.714 */
    assert_int_equal(num(json_object_get(h, "indices"), "activity", "windows"), 2);
    assert_int_equal(num(json_object_get(h, "indices"), "activity", "covered"), 2);
    assert_float_equal(score(h, "activity"), 95.7, 1e-9);
    assert_int_equal(num(row_named(r, "accounts", "account", "transport"), "drafts_rejected", NULL),
                     1); /* d5 */
    json_decref(r);
}

static void the_worked_example_followers_and_spread_match_the_hand_count(void **state)
{
    json_t *r = report_of(*state, L, NULL);
    const json_t *h = row_named(r, "accounts", "account", "health");

    /* start: 4 today - 2 (+ bob, frank) + 2 (- eve, frank) - 1 (gina, stored in the period) */
    assert_int_equal(num(h, "followers_start", NULL), 3);
    assert_int_equal(num(h, "followers_end", NULL), 4);
    assert_int_equal(num(h, "active_followers", NULL), 3);  /* ann, bob, gina; zed follows not */
    assert_int_equal(num(h, "instances_reached", NULL), 2); /* a, b; c before, d after */
    /* 50 x log10(4)/log10(101) + 50 x log10(3)/log10(51) = 15.019 + 13.971 = 28.99 */
    assert_float_equal(score(h, "spread"), 29.0, 1e-9);
    assert_int_equal(
        num(row_named(r, "accounts", "account", "transport"), "instances_reached", NULL), 1);
    json_decref(r);
}

static void the_worked_example_reactions_and_interaction_match_the_hand_count(void **state)
{
    json_t *r = report_of(*state, L, NULL);
    const json_t *h = row_named(r, "accounts", "account", "health");

    assert_int_equal(num(h, "likes", NULL), 3);         /* bob, zed on p1; ann on p0 */
    assert_int_equal(num(h, "boosts", NULL), 1);        /* ann */
    assert_int_equal(num(h, "replies", NULL), 2);       /* bob, gina */
    assert_int_equal(num(h, "own_replies", NULL), 1);   /* o1; o2 is c2's answer */
    assert_int_equal(num(h, "answers_given", NULL), 3); /* a1, o2, a6 */
    assert_float_equal(json_real_value(json_object_get(h, "likes_per_post")), 1.0, 1e-9);
    assert_float_equal(json_real_value(json_object_get(h, "replies_per_post")), 0.67, 1e-9);
    assert_float_equal(json_real_value(json_object_get(h, "boosts_per_post")), 0.33, 1e-9);
    /* G = 4, Rc = 6, P = 3: (8 + 6) / 3 = 4.667; 100 x log10(5.667)/log10(11) = 72.34 */
    assert_float_equal(score(h, "interaction"), 72.3, 1e-9);
    json_decref(r);
}

static void the_worked_example_cases_and_service_match_the_hand_count(void **state)
{
    json_t *r = report_of(*state, L, NULL);
    const json_t *h = row_named(r, "accounts", "account", "health");
    const json_t *c = json_object_get(h, "cases"), *hist;

    assert_int_equal(num(c, "opened", NULL), 5);   /* c1-c5; c6 before the period */
    assert_int_equal(num(c, "answered", NULL), 3); /* c1, c2, c3 */
    assert_int_equal(num(c, "due", NULL), 4);      /* c5's deadline is after the end */
    assert_int_equal(num(c, "answered_within_deadline", NULL), 2);
    assert_int_equal(num(c, "overdue", NULL), 2); /* c3 late, c4 never */
    assert_float_equal(json_real_value(json_object_get(c, "share_within_deadline")), 0.5, 1e-9);
    assert_int_equal(num(c, "first_answer_median_ms", NULL), 4 * H); /* 1 h, 4 h, 120 h */
    assert_int_equal(num(c, "first_answer_p90_ms", NULL), 120 * H);  /* rank ceil(2.7) = 3 */
    assert_int_equal(num(c, "deadline_median_ms", NULL), 3 * D);
    hist = json_object_get(c, "first_answer_histogram");
    assert_int_equal(json_integer_value(json_array_get(hist, 0)), 0);
    assert_int_equal(json_integer_value(json_array_get(hist, 1)), 1);
    assert_int_equal(json_integer_value(json_array_get(hist, 2)), 1);
    assert_int_equal(json_integer_value(json_array_get(hist, 4)), 1);
    /* speed 1 - 4/144; 100 x (0.6 x 0.5 + 0.3 x 0.97222 + 0.1/3) = 62.5 */
    assert_float_equal(score(h, "service"), 62.5, 1e-9);
    /* transport's own case c7, in time after 2 h: 100 x (0.6 + 0.3 x (1 - 2/144) + 0.1) */
    assert_float_equal(score(row_named(r, "accounts", "account", "transport"), "service"), 99.6,
                       1e-9);
    json_decref(r);
}

static void the_department_sums_its_members_and_judges_its_cases(void **state)
{
    json_t *r = report_of(*state, L, NULL);
    const json_t *d = row_named(r, "departments", "department", "health");
    const json_t *c = json_object_get(d, "cases");

    assert_int_equal(json_array_size(json_object_get(d, "members")), 2); /* health, transport */
    assert_int_equal(num(d, "posts", NULL), 3);
    assert_int_equal(num(d, "drafts_rejected", NULL), 2); /* d3, d5 */
    assert_int_equal(num(c, "opened", NULL), 6);          /* c1-c5, c7 */
    assert_int_equal(num(c, "due", NULL), 5);
    assert_int_equal(num(c, "answered_within_deadline", NULL), 3);
    assert_int_equal(num(c, "first_answer_median_ms", NULL), 3 * H); /* (2 h + 4 h) / 2 */
    /* 100 x (0.6 x 0.6 + 0.3 x (1 - 3/144) + 0.1/3) = 68.71 */
    assert_float_equal(score(d, "service"), 68.7, 1e-9);
    assert_int_equal(json_array_size(json_object_get(r, "departments")), 1);
    json_decref(r);
}

static void the_formulas_give_their_end_points(void **state)
{
    (void)state;
    assert_float_equal(agency_report_activity(3, 3, 14.0), 100.0, 1e-9);
    assert_float_equal(agency_report_activity(3, 0, 42.0), 0.0, 1e-9);
    assert_float_equal(agency_report_activity(2, 1, 28.0), 50.0, 1e-9); /* 30 + 40 x 0.5 */
    assert_float_equal(agency_report_spread(0, 0), 0.0, 1e-9);
    assert_float_equal(agency_report_spread(100, 50), 100.0, 1e-9);
    assert_float_equal(agency_report_spread(5000, 0), 50.0, 1e-9); /* capped */
    assert_float_equal(agency_report_service(1.0, 0, 3 * D, 4, 0), 100.0, 1e-9);
    assert_float_equal(agency_report_service(1.0, 3 * D, 3 * D, 4, 0), 85.0, 1e-9);
    assert_float_equal(agency_report_service(0.0, 0, 3 * D, 0, 4), 2.0, 1e-9); /* 0.1/5 */
    assert_float_equal(agency_report_interaction(0, 0, 0), 0.0, 1e-9);
    assert_float_equal(agency_report_interaction(5, 0, 1), 100.0, 1e-9); /* 10 per post */
    assert_float_equal(agency_report_interaction(0, 10, 1), 100.0, 1e-9);
    assert_float_equal(agency_report_interaction(1, 0, 1), 45.8, 1e-9); /* log 3 / log 11 */
}

static void an_auditor_of_the_account_reads_it_but_not_the_instance(void **state)
{
    struct fixture *fx = *state;
    struct agency_report_query q = {.account = "health", .from_ms = F, .to_ms = TO, .now_ms = TO};
    struct hr_err err = {0};
    json_t *r = NULL;

    assert_int_equal(agency_report_build(fx->st, "aud", &q, &r, &err), HR_OK);
    assert_int_equal(json_array_size(json_object_get(r, "accounts")), 1);
    json_decref(r);
    r = NULL;
    q.account = NULL;
    assert_int_equal(agency_report_build(fx->st, "aud", &q, &r, &err), HR_EFORBIDDEN);
    assert_null(r);
    q.account = "health";
    assert_int_equal(agency_report_build(fx->st, "ed", &q, &r, &err), HR_EFORBIDDEN);
    assert_null(r);
    q.account = NULL;
    assert_int_equal(agency_report_build(fx->st, "boss", &q, &r, &err), HR_OK);
    json_decref(r);
}

static void an_empty_period_or_unknown_account_is_refused(void **state)
{
    struct fixture *fx = *state;
    struct agency_report_query q = {.from_ms = TO, .to_ms = TO, .now_ms = TO};
    struct hr_err err = {0};
    json_t *r = NULL;

    assert_int_equal(agency_report_build(fx->st, L, &q, &r, &err), HR_EINVAL);
    assert_non_null(strstr(err.msg, "before"));
    q.from_ms = F, q.account = "nobody";
    assert_int_equal(agency_report_build(fx->st, L, &q, &r, &err), HR_ENOTFOUND);
    assert_non_null(strstr(err.msg, "nobody"));
    assert_null(r);
}

/* An account is observed from when it was made: no silence, no empty windows before it
 * existed; a period that ended before it was made gives no activity score. */
static void an_account_is_observed_from_its_creation(void **state)
{
    struct fixture *fx = *state;
    struct store_txn *txn = NULL;
    struct store_account a = {0};
    struct agency_report_query q = {.account = "health"};
    json_t *r = NULL;
    const json_t *act;
    int64_t made;

    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    assert_int_equal(store_account_get(txn, "health", &a, NULL), HR_OK);
    made = a.created_ms;
    store_account_fini(&a);
    store_txn_abort(txn);
    q.from_ms = made - 20 * D, q.to_ms = made + D, q.now_ms = made + 2 * H;
    assert_int_equal(agency_report_build(fx->st, L, &q, &r, NULL), HR_OK);
    act = json_object_get(json_object_get(row_named(r, "accounts", "account", "health"), "indices"),
                          "activity");
    assert_int_equal(num(row_named(r, "accounts", "account", "health"), "longest_silence_ms", NULL),
                     2 * H); /* not 20 days and 2 hours */
    assert_int_equal(num(act, "windows", NULL), 1);
    assert_float_equal(score(row_named(r, "accounts", "account", "health"), "activity"), 40.0, 1e-9);
    json_decref(r);
    q.to_ms = made - 10 * D, q.now_ms = made + 2 * H; /* over before the account was made */
    assert_int_equal(agency_report_build(fx->st, L, &q, &r, NULL), HR_OK);
    act = json_object_get(json_object_get(row_named(r, "accounts", "account", "health"), "indices"),
                          "activity");
    assert_true(json_is_null(json_object_get(act, "score")));
    json_decref(r);
}

static int count_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    (void)k, (void)klen;
    if (vlen == 1)
        (*(int *)ctx) += *(const char *)v == '+' ? 1 : 100;
    return HR_OK;
}

static void a_new_follower_and_a_removal_are_written_to_the_history(void **state)
{
    struct fixture *fx = *state;
    struct store_txn *txn = NULL;
    size_t removed = 0;
    int n = 0;

    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    history_clear(txn);
    follower(txn, P2 "new", F);
    follower(txn, P2 "new", F); /* the same follower again: no second + */
    assert_int_equal(store_follower_del(txn, "health", P2 "bob", NULL), HR_OK);
    assert_int_equal(store_follower_del_everywhere(txn, P2 "ann", &removed, NULL), HR_OK);
    assert_int_equal(store_rec_each(txn, STORE_T_HISTORY, NULL, 0, false, count_cb, &n, NULL),
                     HR_OK);
    assert_int_equal(n, 1 + 100 + 100); /* + new, - bob, - ann */
    store_txn_abort(txn);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(the_worked_example_posts_drafts_and_activity_match_the_hand_count),
        T(the_worked_example_followers_and_spread_match_the_hand_count),
        T(the_worked_example_reactions_and_interaction_match_the_hand_count),
        T(the_worked_example_cases_and_service_match_the_hand_count),
        T(the_department_sums_its_members_and_judges_its_cases),
        T(an_auditor_of_the_account_reads_it_but_not_the_instance),
        T(an_empty_period_or_unknown_account_is_refused),
        T(an_account_is_observed_from_its_creation),
        T(a_new_follower_and_a_removal_are_written_to_the_history),
        cmocka_unit_test(the_formulas_give_their_end_points),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
