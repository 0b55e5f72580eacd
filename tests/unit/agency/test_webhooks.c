/* tests/unit/agency/test_webhooks.c - webhooks without the network: the signature's known
 * answer, an event becoming one durable job per webhook that wants it (and nothing for
 * the others, nothing at all without webhooks), the body trimmed for draft events, bad
 * URLs and event names refused with nothing stored, who may manage and list them, and
 * removal taking the queued jobs and their event bodies along. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/tmpdir.h"

#include "agency/agency_int.h"
#include "federation/fed.h"
#include "store/store.h"

#include <jansson.h>

#include <stdlib.h>
#include <string.h>

#define BASE "https://social.city.example"
#define L AGENCY_LOCAL

struct fixture {
    char dir[64];
    struct store *st;
    struct fed *fed;
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    struct fed_config cfg = {.domain = "social.city.example", .base_url = BASE,
                             .allow_private = true, .json_max_depth = 64,
                             .json_max_string = 100000, .json_max_items = 1000,
                             .fetch_max_bytes = 1 << 20};

    if (fx == NULL || tmpdir_make(fx->dir, "webhooks") != 0 ||
        agency_open(fx->dir, true, 64, &fx->st, NULL) != HR_OK)
        return -1;
    cfg.data_dir = fx->dir;
    if (fed_new(fx->st, &cfg, &fx->fed, NULL) != HR_OK ||
        agency_operator_add(fx->st, L, "aud", NULL) != HR_OK ||
        agency_grant(fx->st, L, "aud", "auditor", NULL, NULL) != HR_OK)
        return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    fed_free(fx->fed);
    agency_close(fx->st);
    if (tmpdir_remove(fx->dir) != 0)
        return -1;
    free(fx);
    return 0;
}

/* ---- helpers ---- */

static char *add(struct fixture *fx, const char *url, const char *events)
{
    json_t *out = NULL;
    struct hr_err err = {0};
    char *id;

    assert_int_equal(agency_webhook_add(fx->st, fx->fed, L, url, events, BASE, &out, &err), HR_OK);
    assert_int_equal(strlen(json_string_value(json_object_get(out, "secret"))), 64);
    id = strdup(json_string_value(json_object_get(out, "id")));
    json_decref(out);
    return id;
}

/* agency_event TYPE in a committed transaction. */
static void emit(struct fixture *fx, const char *type, json_t *data)
{
    struct store_txn *txn = NULL;
    struct hr_err err = {0};

    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(agency_event(txn, type, data, &err), HR_OK);
    assert_int_equal(store_txn_commit(txn, &err), HR_OK);
}

static uint64_t jobs(struct fixture *fx)
{
    struct store_txn *txn = NULL;
    uint64_t n;

    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    n = store_delivery_count(txn);
    store_txn_abort(txn);
    return n;
}

static uint64_t hook_records(struct fixture *fx)
{
    struct store_txn *txn = NULL;
    uint64_t n;

    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    n = store_rec_count(txn, STORE_T_HOOKS);
    store_txn_abort(txn);
    return n;
}

static bool no_job(const struct store_delivery *d, void *ctx)
{
    json_t *all = ctx;

    json_array_append_new(all, json_pack("{s:s,s:s,s:s}", "account", d->account, "activity",
                                         d->activity_id, "inbox", d->inbox));
    return false;
}

/* Every queued job as {"account","activity","inbox"}, due order. */
static json_t *queued(struct fixture *fx)
{
    struct store_txn *txn = NULL;
    json_t *all = json_array();

    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    assert_int_equal(store_delivery_drop_if(txn, no_job, all, NULL, NULL), HR_OK);
    store_txn_abort(txn);
    return all;
}

static json_t *event_body(struct fixture *fx, const char *activity)
{
    struct store_txn *txn = NULL;
    char *text = NULL;
    json_t *j;

    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    assert_int_equal(fed_hook_body(txn, activity, &text, NULL), HR_OK);
    store_txn_abort(txn);
    j = json_loads(text, 0, NULL);
    free(text);
    assert_non_null(j);
    return j;
}

/* ---- tests ---- */

static void test_signature_is_hmac_sha256_of_timestamp_dot_body(void **state)
{
    char sig[72];

    (void)state;
    /* python3: hmac.new(b"s3cret", b"1700000000." + body, hashlib.sha256).hexdigest() */
    fed_hook_signature("s3cret", "1700000000", "{\"id\":\"ev1\",\"type\":\"ping\"}", 26, sig);
    assert_string_equal(sig, "sha256=b20f49525ec543bf687c389ce30171a8"
                             "28782309856fc674b3c3b1df08855189");
}

static void test_headers_carry_event_delivery_timestamp_and_signature(void **state)
{
    static const char body[] = "{\"id\":\"ev1\",\"type\":\"ping\"}";
    char *h[7] = {0};

    (void)state;
    assert_int_equal(fed_hook_headers(body, strlen(body), "s3cret", 1700000000123LL, h, NULL),
                     HR_OK);
    assert_string_equal(h[0], "Content-Type: application/json");
    assert_string_equal(h[1], "X-Herald-Event: ping");
    assert_string_equal(h[2], "X-Herald-Delivery: ev1");
    assert_string_equal(h[3], "X-Herald-Timestamp: 1700000000");
    assert_string_equal(h[4], "X-Herald-Signature: sha256=b20f49525ec543bf687c389ce30171a8"
                              "28782309856fc674b3c3b1df08855189");
    for (int i = 0; i < 7; i++)
        free(h[i]);
}

static void test_an_event_queues_one_job_per_webhook_that_wants_it(void **state)
{
    struct fixture *fx = *state;
    char *all = add(fx, "http://127.0.0.1:9/all", NULL);
    char *pub = add(fx, "https://webcare.example/hook", "post.published");
    json_t *q, *body;

    emit(fx, "draft.submitted", json_pack("{s:s}", "id", "d1"));
    q = queued(fx);
    assert_int_equal(json_array_size(q), 1); /* only the webhook of every event */
    assert_string_equal(json_string_value(json_object_get(json_array_get(q, 0), "inbox")),
                        "http://127.0.0.1:9/all");
    assert_true(fed_hook_job(json_string_value(json_object_get(json_array_get(q, 0), "account"))));
    body = event_body(fx, json_string_value(json_object_get(json_array_get(q, 0), "activity")));
    assert_string_equal(json_string_value(json_object_get(body, "type")), "draft.submitted");
    assert_string_equal(json_string_value(json_object_get(body, "instance")), BASE);
    assert_non_null(json_string_value(json_object_get(body, "created_at")));
    assert_string_equal(json_string_value(json_object_get(json_object_get(body, "data"), "id")),
                        "d1");
    json_decref(body);
    json_decref(q);
    emit(fx, "post.published", json_pack("{s:s}", "id", "d1"));
    assert_int_equal(jobs(fx), 3); /* both want it: two more */
    free(all);
    free(pub);
}

static void test_an_event_nobody_wants_stores_nothing(void **state)
{
    struct fixture *fx = *state;
    char *pub;

    emit(fx, "case.opened", json_pack("{s:s}", "id", "c1")); /* no webhook at all */
    assert_int_equal(hook_records(fx), 0);
    pub = add(fx, "https://webcare.example/hook", "post.published,watchdog.alarm");
    emit(fx, "case.opened", json_pack("{s:s}", "id", "c1")); /* not subscribed */
    assert_int_equal(jobs(fx), 0);
    assert_int_equal(hook_records(fx), 1); /* the webhook alone, no event body */
    free(pub);
}

static void test_draft_events_carry_only_safe_fields(void **state)
{
    struct fixture *fx = *state;
    struct store_txn *txn = NULL;
    json_t *d = json_pack("{s:s,s:s,s:s,s:I,s:s,s:[{s:s}]}", "id", "d7", "account", "health",
                          "state", "submitted", "rev", (json_int_t)2, "text", "secret plans",
                          "attachments", "data", "AAAA");
    char *id = add(fx, "https://webcare.example/hook", "draft.submitted");
    json_t *q, *body, *data;

    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    /* agency_case_draft_event may be a stub or helper A's: either answers HR_OK for a
     * draft that belongs to no case */
    assert_int_equal(agency_draft_event(txn, "draft.submit", d, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    q = queued(fx);
    assert_int_equal(json_array_size(q), 1);
    body = event_body(fx, json_string_value(json_object_get(json_array_get(q, 0), "activity")));
    data = json_object_get(body, "data");
    assert_string_equal(json_string_value(json_object_get(data, "id")), "d7");
    assert_int_equal(json_integer_value(json_object_get(data, "rev")), 2);
    assert_null(json_object_get(data, "text"));
    assert_null(json_object_get(data, "attachments"));
    json_decref(body);
    json_decref(q);
    json_decref(d);
    free(id);
}

static void test_bad_urls_and_event_names_are_refused_and_nothing_is_stored(void **state)
{
    static const char *const bad[] = {"ftp://webcare.example/hook", "http://webcare.example/hook",
                                      "https://user:pw@webcare.example/hook", "not a url", "",
                                      "http://10.0.0.1/hook"};
    struct fixture *fx = *state;
    struct hr_err err = {0};
    json_t *out = NULL;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err = (struct hr_err){0};
        assert_int_equal(agency_webhook_add(fx->st, fx->fed, L, bad[i], NULL, BASE, &out, &err),
                         HR_EINVAL);
        assert_null(out);
        assert_non_null(strstr(err.msg, "webhook URL"));
    }
    assert_int_equal(agency_webhook_add(fx->st, fx->fed, L, "https://webcare.example/hook",
                                        "post.published,case.reopened", BASE, &out, &err),
                     HR_EINVAL);
    assert_non_null(strstr(err.msg, "case.reopened"));
    assert_int_equal(hook_records(fx), 0);
}

static void test_an_auditor_may_list_but_not_add_remove_or_test(void **state)
{
    struct fixture *fx = *state;
    char *id = add(fx, "https://webcare.example/hook", NULL);
    json_t *out = NULL, *list = NULL;

    assert_int_equal(agency_webhook_add(fx->st, fx->fed, "aud", "https://x.example/", NULL, BASE,
                                        &out, NULL),
                     HR_EFORBIDDEN);
    /* the role before the URL or the events are judged */
    assert_int_equal(agency_webhook_add(fx->st, fx->fed, "aud", "ftp://127.0.0.1/", "nosuch", BASE,
                                        &out, NULL),
                     HR_EFORBIDDEN);
    assert_int_equal(agency_webhook_remove(fx->st, "aud", id, NULL), HR_EFORBIDDEN);
    assert_int_equal(agency_webhook_test(fx->st, "aud", id, NULL), HR_EFORBIDDEN);
    assert_int_equal(agency_webhook_list(fx->st, "aud", &list, NULL), HR_OK);
    assert_int_equal(json_array_size(list), 1);
    assert_null(json_object_get(json_array_get(list, 0), "secret")); /* shown once, at add */
    assert_int_equal(jobs(fx), 0);
    assert_int_equal(hook_records(fx), 1);
    json_decref(list);
    free(id);
}

static void test_removing_a_webhook_takes_its_jobs_and_event_bodies(void **state)
{
    struct fixture *fx = *state;
    char *a = add(fx, "https://a.example/hook", NULL), *b = add(fx, "https://b.example/hook", NULL);

    emit(fx, "watchdog.alarm", json_pack("{s:s}", "kind", "silence"));
    assert_int_equal(jobs(fx), 2);
    assert_int_equal(hook_records(fx), 4); /* two webhooks, one body, its refs */
    assert_int_equal(agency_webhook_remove(fx->st, L, a, NULL), HR_OK);
    assert_int_equal(jobs(fx), 1);
    assert_int_equal(hook_records(fx), 3); /* b's job still needs the body */
    assert_int_equal(agency_webhook_remove(fx->st, L, b, NULL), HR_OK);
    assert_int_equal(jobs(fx), 0);
    assert_int_equal(hook_records(fx), 0);
    assert_int_equal(agency_webhook_remove(fx->st, L, b, NULL), HR_ENOTFOUND);
    free(a);
    free(b);
}

static void test_a_ping_goes_to_the_one_webhook_tested(void **state)
{
    struct fixture *fx = *state;
    char *a = add(fx, "https://a.example/hook", "post.published");
    char *b = add(fx, "https://b.example/hook", NULL);
    json_t *q, *body;

    assert_int_equal(agency_webhook_test(fx->st, L, a, NULL), HR_OK);
    q = queued(fx);
    assert_int_equal(json_array_size(q), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(q, 0), "inbox")),
                        "https://a.example/hook");
    body = event_body(fx, json_string_value(json_object_get(json_array_get(q, 0), "activity")));
    assert_string_equal(json_string_value(json_object_get(body, "type")), "ping");
    assert_int_equal(agency_webhook_test(fx->st, L, "wh999", NULL), HR_ENOTFOUND);
    json_decref(body);
    json_decref(q);
    free(a);
    free(b);
}

static void test_the_last_release_removes_the_body(void **state)
{
    struct fixture *fx = *state;
    char *a = add(fx, "https://a.example/hook", NULL), *b = add(fx, "https://b.example/hook", NULL);
    json_t *q;
    struct store_txn *txn = NULL;
    const char *act;

    emit(fx, "case.opened", json_pack("{s:s}", "id", "c1"));
    q = queued(fx);
    act = json_string_value(json_object_get(json_array_get(q, 0), "activity"));
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(fed_hook_release(txn, act, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    assert_int_equal(hook_records(fx), 4); /* one job left: body and refs stay */
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(fed_hook_release(txn, act, NULL), HR_OK);
    assert_int_equal(fed_hook_release(txn, act, NULL), HR_OK); /* again: nothing left to do */
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    assert_int_equal(hook_records(fx), 2); /* the two webhooks */
    json_decref(q);
    free(a);
    free(b);
}

/* A domain block drops the jobs queued to that host (federation/policy.c): the event keeps
 * its body while another webhook's job still needs it, and loses it with the last one. */
static void test_blocking_a_webhooks_host_takes_the_event_body_with_its_last_job(void **state)
{
    struct fixture *fx = *state;
    char *a = add(fx, "https://a.example/hook", NULL),
         *b = add(fx, "https://hooks.b.example/x", NULL);
    struct store_txn *txn = NULL;
    size_t followers = 9, dropped = 9;

    emit(fx, "case.opened", json_pack("{s:s}", "id", "c1"));
    assert_int_equal(hook_records(fx), 4); /* two webhooks, one body, its refs */
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(
        fed_domain_set(txn, STORE_DOMAIN_BLOCK, true, "a.example", "", &followers, &dropped, NULL),
        HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    assert_int_equal(dropped, 1);
    assert_int_equal(jobs(fx), 1);
    assert_int_equal(hook_records(fx), 4); /* b's job still needs the body */
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(
        fed_domain_set(txn, STORE_DOMAIN_BLOCK, true, "b.example", "", &followers, &dropped, NULL),
        HR_OK); /* a subdomain's jobs go too */
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    assert_int_equal(dropped, 1);
    assert_int_equal(jobs(fx), 0);
    assert_int_equal(hook_records(fx), 2); /* the two webhooks, no event left */
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_signature_is_hmac_sha256_of_timestamp_dot_body),
        cmocka_unit_test(test_headers_carry_event_delivery_timestamp_and_signature),
        cmocka_unit_test_setup_teardown(test_an_event_queues_one_job_per_webhook_that_wants_it,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_an_event_nobody_wants_stores_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_draft_events_carry_only_safe_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_bad_urls_and_event_names_are_refused_and_nothing_is_stored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_an_auditor_may_list_but_not_add_remove_or_test, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_removing_a_webhook_takes_its_jobs_and_event_bodies,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_ping_goes_to_the_one_webhook_tested, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_the_last_release_removes_the_body, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_blocking_a_webhooks_host_takes_the_event_body_with_its_last_job, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
