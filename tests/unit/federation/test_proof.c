/* tests/unit/federation/test_proof.c - FEP-8b32 proofs on what we publish and the rules
 * for which key may prove what (federation/proof.c), against a real store: every Note,
 * Create, Update, Delete and Announce carries one proof that verifies; a changed document,
 * another account's key, a key on another origin, a proof set, a missing proof and an
 * unreachable key each end as an outcome, never as a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/federation/fedfix.h"

#include "federation/fed_int.h"
#include "keys/keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE "https://social.city.example"
#define HEALTH BASE "/users/health"
#define POLICE BASE "/users/police"

struct fixture {
    char dir[64];
    struct store *st;
    struct fed *fed;
};

/* Each account its own Ed25519 key: proofs are about whose key. */
static void add_account(struct store *st, const char *name)
{
    fedfix_account(st,
                   (struct store_account){.name = (char *)(uintptr_t)name,
                                          .kind = (char *)(uintptr_t) "agency",
                                          .display_name = (char *)(uintptr_t)name,
                                          .summary = (char *)(uintptr_t) "", .created_ms = 1},
                   true);
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    struct fed_config cfg = {.domain = "social.city.example", .base_url = BASE,
                             .json_max_depth = 64, .json_max_string = 100000,
                             .json_max_items = 1000, .fetch_max_bytes = 1 << 20,
                             .fetch_timeout_ms = 2000};

    if (fx == NULL || fedfix_open(fx->dir, &fx->st, &fx->fed, "proof", cfg) != 0)
        return -1;
    add_account(fx->st, "health");
    add_account(fx->st, "police");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    int rc = fedfix_close(fx->dir, fx->st, fx->fed);

    free(fx);
    return rc;
}

/* The stored document ID, parsed. */
static json_t *stored(struct fixture *fx, const char *id)
{
    struct store_txn *txn = NULL;
    struct store_object o = {0};
    json_t *j;

    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    assert_int_equal(store_object_get(txn, id, &o, NULL), HR_OK);
    store_txn_abort(txn);
    j = json_loads(o.json, 0, NULL);
    assert_non_null(j);
    store_object_fini(&o);
    return j;
}

static void expect(struct fixture *fx, const json_t *doc, const char *owner, int state,
                   const char *reason_part)
{
    struct fed_proof_result r;

    fed_proof_check(fx->fed, doc, owner, &r);
    if ((int)r.state != state || (reason_part && strstr(r.reason, reason_part) == NULL))
        fail_msg("proof state %d (want %d), reason '%s' (want '%s')", r.state, state, r.reason,
                 reason_part ? reason_part : "");
}

static void one_proof_object(const json_t *doc)
{
    const json_t *p = json_object_get(doc, "proof"), *ctx = json_object_get(doc, "@context");

    assert_true(json_is_object(p));
    assert_string_equal(json_string_value(json_object_get(p, "type")), "DataIntegrityProof");
    assert_string_equal(json_string_value(json_object_get(p, "cryptosuite")), "eddsa-jcs-2022");
    assert_string_equal(json_string_value(json_object_get(p, "proofPurpose")), "assertionMethod");
    /* the data-integrity context defines the proof's terms for JSON-LD readers */
    assert_true(json_is_array(ctx));
    assert_string_equal(json_string_value(json_array_get(ctx, 1)), FED_DI_CONTEXT);
}

static void a_published_note_and_its_create_carry_one_verifying_proof(void **state)
{
    struct fixture *fx = *state;
    char *id = NULL, create_id[1300];
    json_t *note, *create;
    struct fed_proof_result r;

    assert_int_equal(fed_publish_note(fx->fed, "health", "Flu shots from Monday.", &id, NULL),
                     HR_OK);
    note = stored(fx, id);
    snprintf(create_id, sizeof create_id, "%s/activity", id);
    create = stored(fx, create_id);
    one_proof_object(note);
    one_proof_object(create);
    fed_proof_check(fx->fed, note, NULL, &r);
    assert_int_equal(r.state, FED_PROOF_VALID);
    assert_string_equal(r.method, HEALTH FED_ED_KEY_FRAGMENT);
    assert_string_equal(r.controller, HEALTH);
    assert_true(r.created_ms > 0);
    expect(fx, create, NULL, FED_PROOF_VALID, NULL);
    /* a Linked Data Signature added on top (Mastodon's, Fedify's) is not part of the proof */
    json_object_set_new(create, "signature",
                        json_pack("{s:s,s:s}", "type", "RsaSignature2017", "signatureValue", "x"));
    expect(fx, create, NULL, FED_PROOF_VALID, NULL);
    json_object_del(create, "signature");
    /* the embedded Note verifies read with the Create's @context */
    json_t *inner = json_copy(json_object_get(create, "object"));
    json_object_set(inner, "@context", json_object_get(create, "@context"));
    expect(fx, inner, NULL, FED_PROOF_VALID, NULL);
    json_decref(inner);
    json_decref(note);
    json_decref(create);
    free(id);
}

static void updates_deletes_and_announces_are_signed(void **state)
{
    struct fixture *fx = *state;
    struct fed_post_input in = {.text = "Flu shots from Tuesday."};
    struct fed_post *p = NULL;
    struct store_txn *txn = NULL;
    char *id = NULL;
    json_t *doc;

    assert_int_equal(fed_publish_note(fx->fed, "health", "Flu shots from Monday.", &id, NULL),
                     HR_OK);
    assert_int_equal(fed_post_prepare_update(fx->fed, "health", id, &in, &p, NULL), HR_OK);
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(fed_post_commit(txn, p, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    doc = stored(fx, id); /* the edited Note: signed again, the old proof gone */
    expect(fx, doc, NULL, FED_PROOF_VALID, NULL);
    json_decref(doc);
    doc = json_loads(fed_post_activity(p), 0, NULL);
    assert_string_equal(json_string_value(json_object_get(doc, "type")), "Update");
    one_proof_object(doc);
    expect(fx, doc, NULL, FED_PROOF_VALID, NULL);
    json_decref(doc);
    fed_post_free(p);

    assert_int_equal(fed_post_prepare_announce(fx->fed, "police", id, &p, NULL), HR_OK);
    doc = json_loads(fed_post_activity(p), 0, NULL);
    expect(fx, doc, NULL, FED_PROOF_VALID, NULL);
    json_decref(doc);
    fed_post_free(p);

    assert_int_equal(fed_post_prepare_delete(fx->fed, "health", id, &p, NULL), HR_OK);
    doc = json_loads(fed_post_activity(p), 0, NULL);
    assert_string_equal(json_string_value(json_object_get(doc, "type")), "Delete");
    expect(fx, doc, NULL, FED_PROOF_VALID, NULL);
    json_decref(doc);
    fed_post_free(p);
    free(id);
}

static void a_changed_document_is_unproven(void **state)
{
    struct fixture *fx = *state;
    char *id = NULL;
    json_t *note;

    assert_int_equal(fed_publish_note(fx->fed, "health", "Water is safe to drink.", &id, NULL),
                     HR_OK);
    note = stored(fx, id);
    json_object_set_new(note, "content", json_string("<p>Water is NOT safe to drink.</p>"));
    expect(fx, note, NULL, FED_PROOF_INVALID, "does not verify");
    json_decref(note);
    free(id);
}

static void another_accounts_key_does_not_prove_a_post(void **state)
{
    struct fixture *fx = *state;
    char *id = NULL;
    json_t *note;

    assert_int_equal(fed_publish_note(fx->fed, "police", "Road closed.", &id, NULL), HR_OK);
    note = stored(fx, id);
    /* police's valid proof on a document that says health wrote it */
    json_object_set_new(note, "attributedTo", json_string(HEALTH));
    expect(fx, note, NULL, FED_PROOF_INVALID, "controller");
    /* and as is, police's proof does not make it health's */
    json_object_set_new(note, "attributedTo", json_string(POLICE));
    expect(fx, note, HEALTH, FED_PROOF_INVALID, "controller");
    expect(fx, note, NULL, FED_PROOF_VALID, NULL);
    json_decref(note);
    free(id);
}

static json_t *with_proof_field(struct fixture *fx, const char *id, const char *field,
                                json_t *value)
{
    json_t *note = stored(fx, id);

    json_object_set_new(json_object_get(note, "proof"), field, value);
    return note;
}

static void keys_on_other_origins_and_unreachable_keys_leave_it_unproven(void **state)
{
    struct fixture *fx = *state;
    char *id = NULL;
    json_t *note;

    assert_int_equal(fed_publish_note(fx->fed, "health", "Boil water notice.", &id, NULL), HR_OK);
    note = with_proof_field(fx, id, "verificationMethod",
                            json_string("https://other.example/users/health#ed25519-key"));
    expect(fx, note, NULL, FED_PROOF_INVALID, "another origin");
    json_decref(note);
    note = with_proof_field(fx, id, "verificationMethod", json_string(HEALTH "#no-such-key"));
    expect(fx, note, NULL, FED_PROOF_INVALID, "assertionMethod");
    json_decref(note);
    note = with_proof_field(fx, id, "verificationMethod", json_string("ftp://x/y#k"));
    expect(fx, note, NULL, FED_PROOF_INVALID, "http(s)");
    json_decref(note);
    /* a remote owner whose key cannot be fetched (loopback is refused here): unproven */
    note = stored(fx, id);
    json_object_set_new(note, "attributedTo", json_string("http://127.0.0.1:1/users/x"));
    json_object_set_new(json_object_get(note, "proof"), "verificationMethod",
                        json_string("http://127.0.0.1:1/users/x#k"));
    expect(fx, note, NULL, FED_PROOF_INVALID, NULL);
    json_decref(note);
    free(id);
}

static void malformed_or_missing_proofs_are_outcomes(void **state)
{
    struct fixture *fx = *state;
    char *id = NULL;
    json_t *note;

    assert_int_equal(fed_publish_note(fx->fed, "health", "Clinic hours.", &id, NULL), HR_OK);
    note = stored(fx, id);
    json_object_set_new(note, "proof", json_pack("[O]", json_object_get(note, "proof")));
    expect(fx, note, NULL, FED_PROOF_INVALID, "not one object");
    json_object_del(note, "proof");
    expect(fx, note, NULL, FED_PROOF_NONE, NULL);
    json_decref(note);
    note = with_proof_field(fx, id, "created", json_string("yesterday"));
    expect(fx, note, NULL, FED_PROOF_INVALID, "date");
    json_decref(note);
    note = with_proof_field(fx, id, "proofValue", json_integer(7));
    expect(fx, note, NULL, FED_PROOF_INVALID, "proofValue");
    json_decref(note);
    free(id);
}

static void the_inbox_keeps_the_outcome_of_the_activity_and_its_object(void **state)
{
    struct fixture *fx = *state;
    char *id = NULL, create_id[1300], *out;
    json_t *create, *o;

    assert_int_equal(fed_publish_note(fx->fed, "police", "Road closed.", &id, NULL), HR_OK);
    snprintf(create_id, sizeof create_id, "%s/activity", id);
    create = stored(fx, create_id);
    out = fed_inbox_proofs(fx->fed, create, POLICE);
    o = json_loads(out, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(json_object_get(o, "activity"), "state")),
                        "proven");
    assert_string_equal(json_string_value(json_object_get(json_object_get(o, "object"), "state")),
                        "proven");
    json_decref(o);
    free(out);
    /* without any proof: both none, the same fields as a checked outcome */
    json_t *bare = json_deep_copy(create);
    json_object_del(bare, "proof");
    json_object_del(json_object_get(bare, "object"), "proof");
    out = fed_inbox_proofs(fx->fed, bare, POLICE);
    o = json_loads(out, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(json_object_get(o, "activity"), "state")),
                        "none");
    assert_string_equal(json_string_value(json_object_get(json_object_get(o, "object"), "state")),
                        "none");
    assert_int_equal(json_object_size(json_object_get(o, "activity")), 4);
    json_decref(o);
    free(out);
    json_decref(bare);
    json_object_set_new(json_object_get(create, "object"), "content", json_string("forged"));
    out = fed_inbox_proofs(fx->fed, create, POLICE);
    o = json_loads(out, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(json_object_get(o, "activity"), "state")),
                        "unproven");
    assert_string_equal(json_string_value(json_object_get(json_object_get(o, "object"), "state")),
                        "unproven");
    json_decref(o);
    free(out);
    json_decref(create);
    free(id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_published_note_and_its_create_carry_one_verifying_proof,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(updates_deletes_and_announces_are_signed, setup, teardown),
        cmocka_unit_test_setup_teardown(a_changed_document_is_unproven, setup, teardown),
        cmocka_unit_test_setup_teardown(another_accounts_key_does_not_prove_a_post, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            keys_on_other_origins_and_unreachable_keys_leave_it_unproven, setup, teardown),
        cmocka_unit_test_setup_teardown(malformed_or_missing_proofs_are_outcomes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_inbox_keeps_the_outcome_of_the_activity_and_its_object,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
