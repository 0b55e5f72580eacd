/* tests/unit/agency/test_watchdog.c - each alarm kind raised and cleared (silent,
 * unstaffed, overdue_case, draft_waiting, host_failing); the tick's pass flags an overdue
 * case once (overdue_ms set the first time, kept after), keeps raised alarms as
 * STORE_T_DESK 'w' records in the format /metrics reads (raised_ms kept while up) and
 * removes them when they clear. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/storetpl.h"

#include "agency/agency_int.h"
#include "federation/fed.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOUR 3600000LL
#define DAY  (24 * HOUR)

struct fixture {
    char dir[64];
    struct store *st;
    int64_t t0; /* a moment after the accounts were made */
};

/* health (agency: one approval needed) staffed by ed (editor) and ap (approver), made once
 * in a template store (its RSA key is slow under valgrind) that each test copies. */
static int fill(struct store *st)
{
    return agency_account_add(st, AGENCY_LOCAL, "health", "agency", NULL, NULL, NULL) == HR_OK &&
                   agency_operator_add(st, AGENCY_LOCAL, "ed", NULL) == HR_OK &&
                   agency_operator_add(st, AGENCY_LOCAL, "ap", NULL) == HR_OK &&
                   agency_grant(st, AGENCY_LOCAL, "ed", "editor", "health", NULL) == HR_OK &&
                   agency_grant(st, AGENCY_LOCAL, "ap", "approver", "health", NULL) == HR_OK
               ? HR_OK
               : HR_EIO;
}

STORETPL_GROUP("watchdog-tpl", fill)

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);

    if (fx == NULL || storetpl_open(template_dir, fx->dir, "watchdog", &fx->st) != 0)
        return -1;
    fx->t0 = hr_now_ms() + 1000;
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

static json_t *alarms_at(struct fixture *fx, int64_t now)
{
    json_t *a = NULL;

    assert_int_equal(agency_watchdog_alarms(fx->st, AGENCY_LOCAL, now, &a, NULL), HR_OK);
    return a;
}

/* The alarm of KIND about SUBJECT at NOW (borrowed from *HOLD, which the caller decrefs). */
static const json_t *find(struct fixture *fx, int64_t now, const char *kind, const char *subject,
                          json_t **hold)
{
    const json_t *a;
    size_t i;

    *hold = alarms_at(fx, now);
    json_array_foreach(*hold, i, a)
    {
        const char *who = json_string_value(json_object_get(a, "account"));
        if (who == NULL)
            who = json_string_value(json_object_get(a, "host"));
        if (strcmp(json_string_value(json_object_get(a, "kind")), kind) == 0 &&
            strcmp(who, subject) == 0)
            return a;
    }
    return NULL;
}

static bool up(struct fixture *fx, int64_t now, const char *kind, const char *subject)
{
    json_t *hold = NULL;
    bool found = find(fx, now, kind, subject, &hold) != NULL;

    json_decref(hold);
    return found;
}

static void put(struct fixture *fx, enum store_table t, const char *key, const char *json)
{
    struct store_txn *txn = NULL;

    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_rec_put(txn, t, key, strlen(key), json, strlen(json), 0, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
}

static json_t *get(struct fixture *fx, enum store_table t, const char *key, size_t klen)
{
    struct store_txn *txn = NULL;
    char *v = NULL;
    size_t len = 0;
    json_t *j = NULL;

    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    if (store_rec_get(txn, t, key, klen, &v, &len, NULL) == HR_OK)
        j = json_loadb(v, len, 0, NULL);
    store_txn_abort(txn);
    free(v);
    return j;
}

static void a_staffed_new_account_raises_nothing(void **state)
{
    struct fixture *fx = *state;
    json_t *a = alarms_at(fx, fx->t0);

    assert_int_equal(json_array_size(a), 0);
    json_decref(a);
}

static void an_account_silent_past_its_limit_is_raised_and_a_longer_limit_clears_it(void **state)
{
    struct fixture *fx = *state;
    json_t *hold = NULL;
    const json_t *a;

    assert_false(up(fx, fx->t0 + 13 * DAY, "silent", "health"));
    a = find(fx, fx->t0 + 15 * DAY, "silent", "health", &hold);
    assert_non_null(a);
    assert_non_null(strstr(json_string_value(json_object_get(a, "message")), "limit 14 days"));
    assert_true(json_integer_value(json_object_get(a, "since_ms")) <= fx->t0);
    json_decref(hold);
    assert_int_equal(
        agency_desk_set(fx->st, AGENCY_LOCAL, "health", "max_silence_days", "30", NULL), HR_OK);
    assert_false(up(fx, fx->t0 + 15 * DAY, "silent", "health"));
}

static void an_account_without_editor_or_enough_approvers_is_unstaffed(void **state)
{
    struct fixture *fx = *state;
    json_t *hold = NULL;
    const json_t *a;

    assert_int_equal(agency_set_approvals(fx->st, AGENCY_LOCAL, "health", 2, NULL), HR_OK);
    a = find(fx, fx->t0, "unstaffed", "health", &hold);
    assert_non_null(a);
    assert_string_equal(json_string_value(json_object_get(a, "missing")), "approver");
    json_decref(hold);
    assert_int_equal(agency_operator_disable(fx->st, AGENCY_LOCAL, "ed", NULL), HR_OK);
    a = find(fx, fx->t0, "unstaffed", "health", &hold);
    assert_non_null(a);
    assert_string_equal(json_string_value(json_object_get(a, "missing")), "editor");
    json_decref(hold);
    assert_int_equal(agency_operator_add(fx->st, AGENCY_LOCAL, "ed2", NULL), HR_OK);
    assert_int_equal(agency_operator_add(fx->st, AGENCY_LOCAL, "ap2", NULL), HR_OK);
    assert_int_equal(agency_grant(fx->st, AGENCY_LOCAL, "ed2", "editor", NULL, NULL), HR_OK);
    assert_int_equal(agency_grant(fx->st, AGENCY_LOCAL, "ap2", "approver", "health", NULL), HR_OK);
    assert_false(up(fx, fx->t0, "unstaffed", "health"));
}

static void an_editor_is_not_their_own_approver(void **state)
{
    struct fixture *fx = *state;

    assert_int_equal(agency_grant(fx->st, AGENCY_LOCAL, "ap", "editor", "health", NULL), HR_OK);
    assert_int_equal(agency_set_approvals(fx->st, AGENCY_LOCAL, "health", 2, NULL), HR_OK);
    /* ed has one approver besides themself (ap), ap has none: two are needed */
    assert_true(up(fx, fx->t0, "unstaffed", "health"));
}

#define CASE_JSON                                                                                  \
    "{\"id\":\"c1\",\"account\":\"health\",\"department\":\"health\",\"status\":\"new\","          \
    "\"opened_ms\":%lld,\"deadline_ms\":%lld,\"keep\":\"me\"}"

static void an_overdue_case_is_flagged_once_and_its_alarm_clears_when_answered(void **state)
{
    struct fixture *fx = *state;
    char json[400];
    json_t *c, *w;
    int64_t first;

    snprintf(json, sizeof json, CASE_JSON, (long long)fx->t0, (long long)(fx->t0 + DAY));
    put(fx, STORE_T_CASES, "c1", json);
    assert_false(up(fx, fx->t0 + HOUR, "overdue_case", "health"));
    assert_true(up(fx, fx->t0 + 2 * DAY, "overdue_case", "health"));
    assert_int_equal(agency_watchdog_run(fx->st, fx->t0 + 2 * DAY, NULL), HR_OK);
    c = get(fx, STORE_T_CASES, "c1", 2);
    first = json_integer_value(json_object_get(c, "overdue_ms"));
    assert_true(first == fx->t0 + 2 * DAY);
    assert_string_equal(json_string_value(json_object_get(c, "keep")), "me");
    json_decref(c);
    /* a later pass does not flag it again */
    assert_int_equal(agency_watchdog_run(fx->st, fx->t0 + 3 * DAY, NULL), HR_OK);
    c = get(fx, STORE_T_CASES, "c1", 2);
    assert_true(json_integer_value(json_object_get(c, "overdue_ms")) == first);
    json_decref(c);
    w = get(fx, STORE_T_DESK, "w\0overdue_case:health", 21);
    assert_non_null(w);
    assert_string_equal(json_string_value(json_object_get(w, "kind")), "overdue_case");
    assert_string_equal(json_string_value(json_object_get(w, "account")), "health");
    assert_int_equal(json_integer_value(json_object_get(w, "count")), 1);
    assert_true(json_integer_value(json_object_get(w, "raised_ms")) == first);
    assert_true(json_integer_value(json_object_get(w, "since_ms")) == fx->t0 + DAY);
    assert_non_null(json_object_get(w, "message"));
    json_decref(w);
    /* answered: the alarm and its record go */
    snprintf(json, sizeof json,
             "{\"id\":\"c1\",\"account\":\"health\",\"department\":\"health\",\"status\":"
             "\"answered\",\"deadline_ms\":%lld,\"first_answer_ms\":%lld,\"overdue_ms\":%lld}",
             (long long)(fx->t0 + DAY), (long long)(fx->t0 + 3 * DAY), (long long)first);
    put(fx, STORE_T_CASES, "c1", json);
    assert_false(up(fx, fx->t0 + 4 * DAY, "overdue_case", "health"));
    assert_int_equal(agency_watchdog_run(fx->st, fx->t0 + 4 * DAY, NULL), HR_OK);
    assert_null(get(fx, STORE_T_DESK, "w\0overdue_case:health", 21));
}

static void a_draft_waiting_past_draft_wait_hours_is_raised_until_decided(void **state)
{
    struct fixture *fx = *state;
    char json[300];

    snprintf(json, sizeof json,
             "{\"id\":\"d9\",\"account\":\"health\",\"state\":\"submitted\",\"updated\":%lld}",
             (long long)fx->t0);
    put(fx, STORE_T_DRAFTS, "d9", json);
    assert_false(up(fx, fx->t0 + 47 * HOUR, "draft_waiting", "health"));
    assert_true(up(fx, fx->t0 + 49 * HOUR, "draft_waiting", "health"));
    assert_int_equal(
        agency_desk_set(fx->st, AGENCY_LOCAL, "health", "draft_wait_hours", "72", NULL), HR_OK);
    assert_false(up(fx, fx->t0 + 49 * HOUR, "draft_waiting", "health"));
    snprintf(json, sizeof json,
             "{\"id\":\"d9\",\"account\":\"health\",\"state\":\"approved\",\"updated\":%lld}",
             (long long)fx->t0);
    put(fx, STORE_T_DRAFTS, "d9", json);
    assert_false(up(fx, fx->t0 + 99 * HOUR, "draft_waiting", "health"));
}

/* A delivery job of ACCOUNT to INBOX (a webhook's when ACCOUNT is one); its id. */
static uint64_t queue_job(struct fixture *fx, const char *account, const char *inbox)
{
    struct store_delivery d = {.inbox = (char *)(uintptr_t)inbox,
                               .account = (char *)(uintptr_t)account,
                               .activity_id = (char *)(uintptr_t) "https://gov.example/a/1",
                               .recipient = (char *)(uintptr_t) "",
                               .created_ms = fx->t0,
                               .due_ms = fx->t0};
    struct store_txn *txn = NULL;
    uint64_t id = 0;

    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_delivery_add(txn, &d, &id, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    return id;
}

static void unqueue_job(struct fixture *fx, uint64_t id)
{
    struct store_txn *txn = NULL;

    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_delivery_del(txn, id, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
}

static void a_host_failing_for_a_day_is_raised_and_clears_when_it_recovers(void **state)
{
    struct fixture *fx = *state;
    char json[200];
    json_t *w;

    snprintf(json, sizeof json, "{\"first_fail_ms\":%lld,\"fails\":7,\"last_status\":503}",
             (long long)fx->t0);
    put(fx, STORE_T_HOSTS, "peer.example", json);
    queue_job(fx, "health", "https://peer.example/inbox");
    assert_false(up(fx, fx->t0 + 23 * HOUR, "host_failing", "peer.example"));
    assert_true(up(fx, fx->t0 + 25 * HOUR, "host_failing", "peer.example"));
    assert_int_equal(agency_watchdog_run(fx->st, fx->t0 + 25 * HOUR, NULL), HR_OK);
    w = get(fx, STORE_T_DESK, "w\0host_failing:peer.example", 27);
    assert_non_null(w);
    assert_string_equal(json_string_value(json_object_get(w, "host")), "peer.example");
    json_decref(w);
    put(fx, STORE_T_HOSTS, "peer.example", "{\"fails\":0,\"last_ok_ms\":1}");
    assert_false(up(fx, fx->t0 + 26 * HOUR, "host_failing", "peer.example"));
    assert_int_equal(agency_watchdog_run(fx->st, fx->t0 + 26 * HOUR, NULL), HR_OK);
    assert_null(get(fx, STORE_T_DESK, "w\0host_failing:peer.example", 27));
}

/* The health record still says "failing since" when the jobs were given up or purged, but
 * nothing is failing any more: no delivery to the host is pending. */
static void a_failing_host_with_nothing_queued_any_more_is_not_raised(void **state)
{
    struct fixture *fx = *state;
    char json[200];
    uint64_t a, b;

    snprintf(json, sizeof json, "{\"first_fail_ms\":%lld,\"fails\":7,\"last_status\":503}",
             (long long)fx->t0);
    put(fx, STORE_T_HOSTS, "peer.example", json);
    a = queue_job(fx, "health", "https://peer.example/inbox");
    b = queue_job(fx, "health", "https://peer.example/users/x/inbox");
    queue_job(fx, "health", "https://other.example/inbox");
    queue_job(fx, FED_HOOK_ACCOUNT "wh1", "https://peer.example/hook"); /* not a peer's inbox */
    assert_true(up(fx, fx->t0 + 25 * HOUR, "host_failing", "peer.example"));
    unqueue_job(fx, a);                                                      /* given up */
    assert_true(up(fx, fx->t0 + 25 * HOUR, "host_failing", "peer.example")); /* b is left */
    unqueue_job(fx, b);
    assert_false(up(fx, fx->t0 + 25 * HOUR, "host_failing", "peer.example"));
    assert_int_equal(agency_watchdog_run(fx->st, fx->t0 + 25 * HOUR, NULL), HR_OK);
    assert_null(get(fx, STORE_T_DESK, "w\0host_failing:peer.example", 27));
}

static void a_raised_alarm_keeps_its_raised_time_across_passes(void **state)
{
    struct fixture *fx = *state;
    json_t *w;

    assert_int_equal(agency_watchdog_run(fx->st, fx->t0 + 15 * DAY, NULL), HR_OK);
    assert_int_equal(agency_watchdog_run(fx->st, fx->t0 + 16 * DAY, NULL), HR_OK);
    w = get(fx, STORE_T_DESK, "w\0silent:health", 15);
    assert_non_null(w);
    assert_true(json_integer_value(json_object_get(w, "raised_ms")) == fx->t0 + 15 * DAY);
    assert_non_null(strstr(json_string_value(json_object_get(w, "message")), "16 days"));
    json_decref(w);
}

static void status_is_for_operators_only(void **state)
{
    struct fixture *fx = *state;
    json_t *a = NULL;

    assert_int_equal(agency_watchdog_alarms(fx->st, "ed", fx->t0, &a, NULL), HR_OK);
    json_decref(a);
    assert_int_equal(agency_watchdog_alarms(fx->st, "stranger", fx->t0, &a, NULL), HR_EFORBIDDEN);
    assert_null(a);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest t[] = {
        T(a_staffed_new_account_raises_nothing),
        T(an_account_silent_past_its_limit_is_raised_and_a_longer_limit_clears_it),
        T(an_account_without_editor_or_enough_approvers_is_unstaffed),
        T(an_editor_is_not_their_own_approver),
        T(an_overdue_case_is_flagged_once_and_its_alarm_clears_when_answered),
        T(a_draft_waiting_past_draft_wait_hours_is_raised_until_decided),
        T(a_host_failing_for_a_day_is_raised_and_clears_when_it_recovers),
        T(a_failing_host_with_nothing_queued_any_more_is_not_raised),
        T(a_raised_alarm_keeps_its_raised_time_across_passes),
        T(status_is_for_operators_only),
    };
    return cmocka_run_group_tests(t, group_setup, group_teardown);
}
