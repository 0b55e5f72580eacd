/* tests/unit/agency/test_security.c - key rotation (the old Ed25519 key stays listed,
 * superseded; proofs made before still verify, proofs by the old key after do not; ids are
 * never reused) and the freeze state machine (no publishing, held deliveries, the two-admin
 * unfreeze rule and its refusals), without the CLI. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/agencyfix.h"

#include "agency/agency.h"
#include "federation/fed.h"
#include "keys/keys.h"
#include "store/store.h"

#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BASE AGENCYFIX_BASE
#define ME   BASE "/users/health"
#define L    AGENCY_LOCAL
#define S(x) ((char *)(uintptr_t)(x)) /* the store's record structs hold char * */

/* The cast, made once in a template store (its accounts' RSA keys are the slow part under
 * valgrind) that each test gets a copy of. */
static int fill(struct store *st)
{
    static const struct agencyfix_grant grants[] = {{"adm1", "admin", "health"},
                                                    {"adm2", "admin", NULL},
                                                    {"ed", "editor", "health"},
                                                    {"other", "admin", "roads"}};
    struct agency_account_new roads = {.name = "roads", .kind = "department", .parent = "health"};
    int rc = agency_account_add(st, L, "health", "agency", NULL, NULL, NULL);

    if (rc == HR_OK)
        rc = agency_account_create(st, L, &roads, NULL);
    if (rc == HR_OK)
        rc = agency_set_approvals(st, L, "health", 0, NULL);
    return rc == HR_OK ? agencyfix_grant_all(st, grants, sizeof grants / sizeof grants[0]) : rc;
}

STORETPL_GROUP("security-tpl", fill)

static int setup(void **state)
{
    return agencyfix_setup(state, template_dir, "security", NULL);
}

static int teardown(void **state)
{
    return agencyfix_teardown(state);
}

/* ---- helpers ---- */

static json_t *actor_doc(struct agencyfix *fx)
{
    struct fed_doc d = {0};
    json_t *j;

    fed_actor(fx->fed, "health", &d);
    assert_int_equal(d.status, 200);
    j = json_loads(d.body, 0, NULL);
    fed_doc_fini(&d);
    assert_non_null(j);
    return j;
}

static struct store_account account(struct agencyfix *fx, bool priv)
{
    struct store_account a = {0};
    struct store_txn *txn = NULL;

    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    assert_int_equal(priv ? store_account_get_private(txn, "health", &a, NULL)
                          : store_account_get(txn, "health", &a, NULL),
                     HR_OK);
    store_txn_abort(txn);
    return a;
}

/* A Note-like document of health's, signed by its current key now. */
static json_t *signed_doc(struct agencyfix *fx)
{
    json_t *doc = json_pack("{s:s,s:s,s:s,s:s,s:s}", "@context",
                            "https://www.w3.org/ns/activitystreams", "id", ME "/notes/1", "type",
                            "Note", "attributedTo", ME, "content", "<p>Boil water</p>");
    struct store_txn *txn = NULL;

    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    assert_int_equal(fed_proof_sign(fx->fed, txn, "health", doc, NULL), HR_OK);
    store_txn_abort(txn);
    return doc;
}

static void add_follower(struct agencyfix *fx)
{
    struct store_follower f = {.actor = S("https://peer.example/users/ann"),
                               .inbox = S("https://peer.example/users/ann/inbox"),
                               .shared_inbox = S(""),
                               .follow_id = S("https://peer.example/f/1")};
    struct store_txn *txn = NULL;

    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_follower_put(txn, "health", &f, NULL, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
}

static uint64_t deliveries(struct agencyfix *fx)
{
    struct store_txn *txn = NULL;
    uint64_t n;

    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    n = store_delivery_count(txn);
    store_txn_abort(txn);
    return n;
}

static uint64_t outbox(struct agencyfix *fx)
{
    struct store_txn *txn = NULL;
    uint64_t n;

    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    n = store_outbox_count(txn, "health");
    store_txn_abort(txn);
    return n;
}

static bool frozen(struct agencyfix *fx)
{
    struct store_account a = account(fx, false);
    bool f = fed_frozen_since(a.profile) != 0;

    store_account_fini(&a);
    return f;
}

/* ---- rotation ---- */

/* One rotation, checked from every side (each rotation makes an RSA key: the slow part,
 * minutes under valgrind): the actor lists the old key superseded and the new one under a
 * new id; a proof made before still verifies and the new key proves what is signed now; a
 * proof by the old key dated after the rotation is refused, also under the new id; the
 * followers get Update(actor). */
static void check_listing(struct agencyfix *fx, const struct store_account *before)
{
    struct store_account after = account(fx, false);
    json_t *actor = actor_doc(fx), *am = json_object_get(actor, "assertionMethod");

    assert_string_not_equal(before->rsa_pub_pem, after.rsa_pub_pem);
    assert_string_not_equal(before->ed_pub_multibase, after.ed_pub_multibase);
    assert_int_equal(json_array_size(am), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(am, 0), "id")),
                        ME "#ed25519-key-2");
    assert_null(json_object_get(json_array_get(am, 0), "expires"));
    assert_string_equal(json_string_value(json_object_get(json_array_get(am, 1), "id")),
                        ME "#ed25519-key");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(am, 1), "publicKeyMultibase")),
        before->ed_pub_multibase);
    assert_non_null(json_string_value(json_object_get(json_array_get(am, 1), "expires")));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(actor, "publicKey"), "publicKeyPem")),
        after.rsa_pub_pem);
    json_decref(actor);
    store_account_fini(&after);
}

static void check_proof_before(struct agencyfix *fx, const json_t *doc)
{
    struct fed_proof_result r;
    json_t *now;

    fed_proof_check(fx->fed, doc, NULL, &r);
    assert_int_equal(r.state, FED_PROOF_VALID);
    assert_string_equal(r.method, ME "#ed25519-key");
    assert_true(r.superseded_ms > 0);
    now = signed_doc(fx); /* and the new key proves what is signed now */
    fed_proof_check(fx->fed, now, NULL, &r);
    assert_int_equal(r.state, FED_PROOF_VALID);
    assert_string_equal(r.method, ME "#ed25519-key-2");
    assert_int_equal(r.superseded_ms, 0);
    json_decref(now);
}

static void check_old_key_after(struct agencyfix *fx, const struct keys_key *old_priv)
{
    struct fed_proof_result r;
    char created[32];
    json_t *doc = json_pack("{s:s,s:s,s:s,s:s}", "id", ME "/notes/2", "type", "Note",
                            "attributedTo", ME, "content", "forged after the rotation");

    hr_iso8601(hr_now_ms() + 2000, created); /* past the rotation's second, rounded up */
    assert_int_equal(keys_proof_add(doc, old_priv, ME "#ed25519-key", created, NULL), HR_OK);
    fed_proof_check(fx->fed, doc, NULL, &r);
    assert_int_equal(r.state, FED_PROOF_INVALID);
    assert_non_null(strstr(r.reason, "superseded"));
    json_object_del(doc, "proof"); /* nor does the old key pass as the new id */
    assert_int_equal(keys_proof_add(doc, old_priv, ME "#ed25519-key-2", created, NULL), HR_OK);
    fed_proof_check(fx->fed, doc, NULL, &r);
    assert_int_equal(r.state, FED_PROOF_INVALID);
    json_decref(doc);
}

static void a_rotation_supersedes_the_old_key_and_old_proofs_still_verify(void **state)
{
    struct agencyfix *fx = *state;
    struct store_account before = account(fx, false), old = account(fx, true);
    struct keys_key *old_priv = NULL;
    json_t *doc = signed_doc(fx);
    char key_id[128];

    assert_int_equal(keys_private_load(old.ed_priv_pem, &old_priv, NULL), HR_OK);
    add_follower(fx);
    assert_int_equal(deliveries(fx), 0);
    assert_int_equal(agency_keys_rotate(fx->st, fx->fed, "adm1", "health", key_id, NULL), HR_OK);
    assert_string_equal(key_id, "#ed25519-key-2");
    assert_int_equal(deliveries(fx), 1); /* Update(actor) to the follower */
    check_listing(fx, &before);
    check_proof_before(fx, doc);
    check_old_key_after(fx, old_priv);
    keys_key_free(old_priv);
    json_decref(doc);
    store_account_fini(&before);
    store_account_fini(&old);
}

static void rotating_twice_never_reuses_a_key_id(void **state)
{
    struct agencyfix *fx = *state;
    char key_id[128];
    json_t *actor, *am;

    assert_int_equal(agency_keys_rotate(fx->st, fx->fed, L, "health", key_id, NULL), HR_OK);
    assert_int_equal(agency_keys_rotate(fx->st, fx->fed, L, "health", key_id, NULL), HR_OK);
    assert_string_equal(key_id, "#ed25519-key-3");
    actor = actor_doc(fx);
    am = json_object_get(actor, "assertionMethod");
    assert_int_equal(json_array_size(am), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(am, 2), "id")),
                        ME "#ed25519-key-2");
    json_decref(actor);
}

static void rotation_needs_an_admin_on_the_account_and_changes_nothing_otherwise(void **state)
{
    struct agencyfix *fx = *state;
    struct store_account before = account(fx, false), after;
    struct hr_err err = {0};

    assert_int_equal(agency_keys_rotate(fx->st, fx->fed, "ed", "health", NULL, &err),
                     HR_EFORBIDDEN);
    assert_non_null(strstr(err.msg, "admin"));
    assert_int_equal(agency_keys_rotate(fx->st, fx->fed, "other", "health", NULL, NULL),
                     HR_EFORBIDDEN);
    assert_int_equal(agency_keys_rotate(fx->st, fx->fed, L, "nobody", NULL, NULL), HR_ENOTFOUND);
    after = account(fx, false);
    assert_string_equal(before.rsa_pub_pem, after.rsa_pub_pem);
    assert_string_equal(before.profile, after.profile);
    store_account_fini(&before);
    store_account_fini(&after);
}

/* ---- freeze ---- */

static void a_freeze_needs_a_reason_and_an_admin(void **state)
{
    struct agencyfix *fx = *state;
    struct hr_err err = {0};
    char long_reason[502];

    assert_int_equal(agency_account_freeze(fx->st, fx->fed, "adm1", "health", "", &err), HR_EINVAL);
    memset(long_reason, 'x', sizeof long_reason - 1);
    long_reason[sizeof long_reason - 1] = '\0';
    assert_int_equal(agency_account_freeze(fx->st, fx->fed, "adm1", "health", long_reason, &err),
                     HR_EINVAL);
    assert_non_null(strstr(err.msg, "500"));
    assert_int_equal(agency_account_freeze(fx->st, fx->fed, "adm1", "health", "a\nb", NULL),
                     HR_EINVAL);
    assert_int_equal(agency_account_freeze(fx->st, fx->fed, L, "nobody", "hijack", NULL),
                     HR_ENOTFOUND);
    assert_int_equal(agency_account_freeze(fx->st, fx->fed, "ed", "health", "hijack", NULL),
                     HR_EFORBIDDEN);
    assert_false(frozen(fx));
    assert_int_equal(agency_account_freeze(fx->st, fx->fed, "adm1", "health", "hijack", NULL),
                     HR_OK);
    assert_true(frozen(fx));
    assert_int_equal(agency_account_freeze(fx->st, fx->fed, "adm2", "health", "again", NULL),
                     HR_EEXIST);
}

static void a_frozen_account_publishes_nothing_and_stores_nothing(void **state)
{
    struct agencyfix *fx = *state;
    struct agency_draft_input in = {.text = "Send your bank details here"};
    struct agency_draft_result res = {0};
    struct hr_err err = {0};
    char *list = NULL;

    add_follower(fx);
    assert_int_equal(agency_account_freeze(fx->st, fx->fed, L, "health", "hijack", NULL), HR_OK);
    assert_int_equal(deliveries(fx), 1); /* the Update(actor) with the notice */
    assert_int_equal(agency_draft_new(fx->st, fx->fed, L, "health", &in, true, &res, &err),
                     HR_EFORBIDDEN);
    assert_non_null(strstr(err.msg, "frozen"));
    assert_int_equal(outbox(fx), 0);
    assert_int_equal(deliveries(fx), 1);
    assert_int_equal(agency_draft_list(fx->st, L, "health", NULL, &list, NULL), HR_OK);
    assert_string_equal(list, "[]");
    free(list);
}

static void a_frozen_account_shows_the_notice_but_not_the_reason(void **state)
{
    struct agencyfix *fx = *state;
    json_t *actor;
    char *text;

    assert_int_equal(
        agency_account_freeze(fx->st, fx->fed, L, "health", "token of anna leaked", NULL), HR_OK);
    actor = actor_doc(fx);
    text = json_dumps(actor, 0);
    assert_non_null(strstr(json_string_value(json_object_get(actor, "summary")), "frozen"));
    assert_non_null(strstr(text, "Account status"));
    assert_null(strstr(text, "anna"));
    free(text);
    json_decref(actor);
}

static void one_admin_alone_cannot_lift_a_freeze(void **state)
{
    struct agencyfix *fx = *state;
    struct hr_err err = {0};

    assert_int_equal(agency_account_freeze(fx->st, fx->fed, "adm1", "health", "hijack", NULL),
                     HR_OK);
    assert_int_equal(agency_account_unfreeze(fx->st, fx->fed, "adm1", "health", true, NULL, &err),
                     HR_EINVAL); /* nothing requested yet */
    assert_int_equal(agency_account_unfreeze(fx->st, fx->fed, "adm1", "health", false, NULL, NULL),
                     HR_OK);
    assert_true(frozen(fx)); /* a request changes nothing else */
    assert_int_equal(agency_account_unfreeze(fx->st, fx->fed, "adm1", "health", false, NULL, NULL),
                     HR_EEXIST);
    assert_int_equal(agency_account_unfreeze(fx->st, fx->fed, "adm1", "health", true, NULL, &err),
                     HR_EFORBIDDEN);
    assert_non_null(strstr(err.msg, "second admin"));
    assert_int_equal(agency_account_unfreeze(fx->st, fx->fed, "ed", "health", true, NULL, NULL),
                     HR_EFORBIDDEN);
    assert_int_equal(agency_account_unfreeze(fx->st, fx->fed, "other", "health", true, NULL, NULL),
                     HR_EFORBIDDEN);
    assert_true(frozen(fx));
}

static void the_shell_user_counts_as_one_admin_at_most(void **state)
{
    struct agencyfix *fx = *state;
    struct hr_err err = {0};

    assert_int_equal(agency_account_freeze(fx->st, fx->fed, "adm1", "health", "hijack", NULL),
                     HR_OK);
    assert_int_equal(agency_account_unfreeze(fx->st, fx->fed, L, "health", false, NULL, NULL),
                     HR_OK);
    assert_int_equal(agency_account_unfreeze(fx->st, fx->fed, L, "health", true, NULL, &err),
                     HR_EFORBIDDEN);
    assert_true(frozen(fx));
    assert_int_equal(agency_account_unfreeze(fx->st, fx->fed, "adm1", "health", true, NULL, NULL),
                     HR_OK);
    assert_false(frozen(fx));
}

/* A job of health's made due far ahead, as a held one is. */
static void add_held_job(struct agencyfix *fx)
{
    struct store_delivery d = {.due_ms = hr_now_ms() + 3600000,
                               .created_ms = hr_now_ms(),
                               .inbox = S("https://peer.example/inbox"),
                               .account = S("health"),
                               .activity_id = S(ME "/notes/x/activity"),
                               .recipient = S("")};
    struct store_txn *txn = NULL;

    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_delivery_add(txn, &d, NULL, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
}

static void a_second_admin_lifts_the_freeze_and_held_deliveries_resume(void **state)
{
    struct agencyfix *fx = *state;
    struct agency_draft_input in = {.text = "Back to normal"};
    struct agency_draft_result res = {0};
    struct store_txn *txn = NULL;
    size_t resumed = 0;

    assert_int_equal(agency_account_freeze(fx->st, fx->fed, "adm1", "health", "hijack", NULL),
                     HR_OK);
    add_held_job(fx);
    assert_int_equal(agency_account_unfreeze(fx->st, fx->fed, "adm1", "health", false, NULL, NULL),
                     HR_OK);
    assert_int_equal(
        agency_account_unfreeze(fx->st, fx->fed, "adm2", "health", true, &resumed, NULL), HR_OK);
    assert_int_equal(resumed, 1);
    assert_false(frozen(fx));
    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    assert_true(store_delivery_next_due(txn) <= hr_now_ms());
    store_txn_abort(txn);
    assert_int_equal(agency_account_unfreeze(fx->st, fx->fed, "adm2", "health", false, NULL, NULL),
                     HR_EINVAL); /* not frozen any more */
    assert_int_equal(agency_draft_new(fx->st, fx->fed, L, "health", &in, true, &res, NULL), HR_OK);
    assert_string_equal(res.state, "published");
}

static void a_scheduled_post_of_a_frozen_account_waits_and_does_not_fail(void **state)
{
    struct agencyfix *fx = *state;
    struct agency_draft_input in = {.text = "Scheduled notice", .at_ms = hr_now_ms() + 1100};
    struct agency_draft_result res = {0};
    struct agency_draft d = {0};
    struct timespec ts = {0, 50 * 1000 * 1000};
    size_t published = 0;
    int64_t next = 0;

    assert_int_equal(agency_draft_new(fx->st, fx->fed, L, "health", &in, true, &res, NULL), HR_OK);
    assert_string_equal(res.state, "approved");
    assert_int_equal(agency_account_freeze(fx->st, fx->fed, "adm1", "health", "hijack", NULL),
                     HR_OK);
    while (hr_now_ms() <= in.at_ms) /* its time must have come; apply_due reads the clock */
        nanosleep(&ts, NULL);
    assert_int_equal(agency_scheduler_run(fx->st, fx->fed, hr_now_ms(), &published, &next, NULL),
                     HR_OK);
    assert_int_equal(published, 0);
    assert_int_equal(agency_draft_get(fx->st, L, res.id, &d, NULL), HR_OK);
    assert_string_equal(agency_draft_state_name(d.state), "approved");
    assert_int_equal(outbox(fx), 0);
    assert_int_equal(agency_account_unfreeze(fx->st, fx->fed, "adm1", "health", false, NULL, NULL),
                     HR_OK);
    assert_int_equal(agency_account_unfreeze(fx->st, fx->fed, "adm2", "health", true, NULL, NULL),
                     HR_OK);
    assert_int_equal(agency_scheduler_run(fx->st, fx->fed, hr_now_ms(), &published, &next, NULL),
                     HR_OK);
    assert_int_equal(published, 1);
    assert_int_equal(outbox(fx), 1);
}

/* More than the scheduler's batch (64) of a frozen account's posts come due before
 * another account's: they are off the schedule, so the other post goes out at once and the
 * scheduler does not spin on them. */
static void a_frozen_accounts_posts_do_not_hold_up_the_schedule(void **state)
{
    struct agencyfix *fx = *state;
    struct agency_draft_input in = {.text = "Held notice"};
    struct agency_draft_result res = {0};
    struct timespec ts = {0, 50 * 1000 * 1000};
    size_t published = 0;
    int64_t next = 0;

    /* each 1.5 s after its own approval (never past at approval, also under valgrind) */
    for (int i = 0; i < 65; i++) {
        in.at_ms = hr_now_ms() + 1500;
        assert_int_equal(agency_draft_new(fx->st, fx->fed, L, "health", &in, true, &res, NULL),
                         HR_OK);
    }
    assert_int_equal(agency_set_approvals(fx->st, L, "roads", 0, NULL), HR_OK);
    in.text = "Roads notice";
    in.at_ms = hr_now_ms() + 1500; /* after every held one in schedule order */
    assert_int_equal(agency_draft_new(fx->st, fx->fed, L, "roads", &in, true, &res, NULL), HR_OK);
    assert_string_equal(res.state, "approved");
    assert_int_equal(agency_account_freeze(fx->st, fx->fed, "adm1", "health", "hijack", NULL),
                     HR_OK);
    while (hr_now_ms() <= in.at_ms)
        nanosleep(&ts, NULL);
    assert_int_equal(agency_scheduler_run(fx->st, fx->fed, hr_now_ms(), &published, &next, NULL),
                     HR_OK);
    assert_int_equal(published, 1); /* the roads notice */
    assert_true(next > hr_now_ms()); /* nothing due is left to retry at once */
    assert_int_equal(agency_account_unfreeze(fx->st, fx->fed, "adm1", "health", false, NULL, NULL),
                     HR_OK);
    assert_int_equal(agency_account_unfreeze(fx->st, fx->fed, "adm2", "health", true, NULL, NULL),
                     HR_OK);
    assert_int_equal(agency_scheduler_run(fx->st, fx->fed, hr_now_ms(), &published, &next, NULL),
                     HR_OK);
    assert_int_equal(published, 64); /* back on the schedule: one batch now, the rest next */
    assert_int_equal(agency_scheduler_run(fx->st, fx->fed, hr_now_ms(), &published, &next, NULL),
                     HR_OK);
    assert_int_equal(published, 1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(a_rotation_supersedes_the_old_key_and_old_proofs_still_verify),
        T(rotating_twice_never_reuses_a_key_id),
        T(rotation_needs_an_admin_on_the_account_and_changes_nothing_otherwise),
        T(a_freeze_needs_a_reason_and_an_admin),
        T(a_frozen_account_publishes_nothing_and_stores_nothing),
        T(a_frozen_account_shows_the_notice_but_not_the_reason),
        T(one_admin_alone_cannot_lift_a_freeze),
        T(the_shell_user_counts_as_one_admin_at_most),
        T(a_second_admin_lifts_the_freeze_and_held_deliveries_resume),
        T(a_scheduled_post_of_a_frozen_account_waits_and_does_not_fail),
        T(a_frozen_accounts_posts_do_not_hold_up_the_schedule),
    };
#undef T
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
