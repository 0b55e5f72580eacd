/* tests/unit/agency/test_agency.c - audit chain, operators and roles, tokens, policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/tmpdir.h"

#include "agency/agency.h"
#include "keys/keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fixture {
    char dir[64];
    struct store *st;
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);

    if (tmpdir_make(fx->dir, "agency") != 0 || store_open(fx->dir, STORE_CREATE, 64, &fx->st, NULL) != HR_OK)
        return -1;
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

static void audit_n(struct fixture *fx, int n)
{
    for (int i = 0; i < n; i++) {
        struct store_txn *txn = NULL;
        char target[16];
        snprintf(target, sizeof target, "t%d", i + 1);
        assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
        assert_int_equal(agency_audit(txn, "alice", "test.action", target, "{\"n\":1}", NULL),
                         HR_OK);
        assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    }
}

/* Rewrites audit entry SEQ with the byte at OFFSET (from the end when negative) changed. */
static void tamper(struct fixture *fx, uint64_t seq, long offset, char with)
{
    struct store_txn *txn = NULL;
    unsigned char key[8];
    char *v = NULL;
    size_t len = 0;

    store_put_be64(seq, key);
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_rec_get(txn, STORE_T_AUDIT, key, 8, &v, &len, NULL), HR_OK);
    v[offset >= 0 ? (size_t)offset : len - (size_t)(-offset)] = with;
    assert_int_equal(store_rec_put(txn, STORE_T_AUDIT, key, 8, v, len, 0, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    free(v);
}

static void an_intact_chain_verifies(void **state)
{
    struct fixture *fx = *state;
    uint64_t n = 0;

    audit_n(fx, 5);
    assert_int_equal(agency_audit_verify(fx->st, &n, NULL), HR_OK);
    assert_int_equal(n, 5);
}

static void one_changed_byte_fails_at_exactly_that_entry(void **state)
{
    struct fixture *fx = *state;
    struct hr_err err = {0};
    char *v = NULL, *p;
    struct store_txn *txn = NULL;
    unsigned char key[8];
    size_t len;

    audit_n(fx, 5);
    /* "alice" -> "alicf" inside entry 3 */
    store_put_be64(3, key);
    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    assert_int_equal(store_rec_get(txn, STORE_T_AUDIT, key, 8, &v, &len, NULL), HR_OK);
    store_txn_abort(txn);
    p = strstr(v, "alice");
    assert_non_null(p);
    tamper(fx, 3, (long)(p - v) + 4, 'f');
    free(v);
    assert_int_equal(agency_audit_verify(fx->st, NULL, &err), HR_ESIG);
    assert_non_null(strstr(err.msg, "audit entry 3 "));
}

static void a_changed_field_or_broken_json_is_caught_at_its_entry(void **state)
{
    struct fixture *fx = *state;
    struct hr_err err = {0};

    audit_n(fx, 4);
    tamper(fx, 2, -3, 'x'); /* inside the last field (time): not JSON any more */
    assert_int_equal(agency_audit_verify(fx->st, NULL, &err), HR_ESIG);
    assert_non_null(strstr(err.msg, "audit entry 2 "));
    tamper(fx, 2, 0, '['); /* no longer a JSON object */
    assert_int_equal(agency_audit_verify(fx->st, NULL, &err), HR_ESIG);
    assert_non_null(strstr(err.msg, "audit entry 2 "));
}

static void a_removed_entry_breaks_the_chain_after_it(void **state)
{
    struct fixture *fx = *state;
    struct store_txn *txn = NULL;
    struct hr_err err = {0};
    unsigned char key[8];

    audit_n(fx, 4);
    store_put_be64(2, key);
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_rec_del(txn, STORE_T_AUDIT, key, 8, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    assert_int_equal(agency_audit_verify(fx->st, NULL, &err), HR_ESIG);
    assert_non_null(strstr(err.msg, "audit entry 3 "));
}

static void the_head_is_signed_by_the_instance_key(void **state)
{
    struct fixture *fx = *state;
    char *head = NULL;

    audit_n(fx, 2);
    assert_int_equal(agency_audit_head(fx->st, "https://a.example", &head, NULL), HR_OK);
    assert_non_null(strstr(head, "\"algorithm\":\"Ed25519\""));
    assert_non_null(strstr(head, "\"seq\":3")); /* 2 + the key's own creation */
    assert_null(strstr(head, "PRIVATE"));
    free(head);
}

static void add_account(struct fixture *fx, const char *name)
{
    assert_int_equal(agency_account_add(fx->st, AGENCY_LOCAL, name, "agency", NULL, NULL, NULL),
                     HR_OK);
}

static void roles_hold_per_account_or_instance_wide_and_can_be_revoked(void **state)
{
    struct fixture *fx = *state;

    add_account(fx, "health");
    assert_int_equal(agency_operator_add(fx->st, AGENCY_LOCAL, "ann", NULL), HR_OK);
    assert_int_equal(agency_operator_add(fx->st, AGENCY_LOCAL, "ann", NULL), HR_EEXIST);
    assert_int_equal(agency_grant(fx->st, AGENCY_LOCAL, "ann", "editor", "health", NULL), HR_OK);
    assert_int_equal(agency_grant(fx->st, AGENCY_LOCAL, "ann", "auditor", NULL, NULL), HR_OK);
    assert_true(agency_can(fx->st, "ann", "editor", "health"));
    assert_false(agency_can(fx->st, "ann", "editor", "police"));
    assert_true(agency_can(fx->st, "ann", "auditor", "police"));
    assert_false(agency_can(fx->st, "ann", "approver", "health"));
    assert_int_equal(agency_grant(fx->st, AGENCY_LOCAL, "ann", "king", NULL, NULL), HR_EINVAL);
    assert_int_equal(agency_grant(fx->st, AGENCY_LOCAL, "bob", "editor", NULL, NULL),
                     HR_ENOTFOUND);
    assert_int_equal(agency_revoke(fx->st, AGENCY_LOCAL, "ann", "editor", "health", NULL), HR_OK);
    assert_false(agency_can(fx->st, "ann", "editor", "health"));
    assert_int_equal(agency_revoke(fx->st, AGENCY_LOCAL, "ann", "editor", "health", NULL),
                     HR_ENOTFOUND);
}

static void tokens_authenticate_until_revoked_or_their_operator_is_disabled(void **state)
{
    struct fixture *fx = *state;
    char *token = NULL, *token2 = NULL, id[17], id2[17], op[64];

    assert_int_equal(agency_operator_add(fx->st, AGENCY_LOCAL, "ann", NULL), HR_OK);
    assert_int_equal(agency_token_create(fx->st, AGENCY_LOCAL, "ann", 0, &token, id, NULL), HR_OK);
    assert_int_equal(agency_token_create(fx->st, AGENCY_LOCAL, "ann", 7, &token2, id2, NULL),
                     HR_OK);
    assert_int_equal(agency_token_auth(fx->st, token, op, NULL), HR_OK);
    assert_string_equal(op, "ann");
    assert_int_equal(agency_token_auth(fx->st, "hrd_0000", op, NULL), HR_EFORBIDDEN);
    token[10] ^= 1;
    assert_int_equal(agency_token_auth(fx->st, token, op, NULL), HR_EFORBIDDEN);
    token[10] ^= 1;
    assert_int_equal(agency_token_revoke(fx->st, AGENCY_LOCAL, id, NULL), HR_OK);
    assert_int_equal(agency_token_auth(fx->st, token, op, NULL), HR_EFORBIDDEN);
    assert_int_equal(agency_token_auth(fx->st, token2, op, NULL), HR_OK);
    assert_int_equal(agency_operator_disable(fx->st, AGENCY_LOCAL, "ann", NULL), HR_OK);
    assert_int_equal(agency_token_auth(fx->st, token2, op, NULL), HR_EFORBIDDEN);
    keys_secret_free(token);
    keys_secret_free(token2);
}

static void disabling_the_last_approver_of_a_publishing_account_is_refused(void **state)
{
    struct fixture *fx = *state;
    struct hr_err err = {0};

    add_account(fx, "health"); /* agency: 1 approval by default */
    assert_int_equal(agency_operator_add(fx->st, AGENCY_LOCAL, "ed", NULL), HR_OK);
    assert_int_equal(agency_operator_add(fx->st, AGENCY_LOCAL, "ap", NULL), HR_OK);
    assert_int_equal(agency_operator_add(fx->st, AGENCY_LOCAL, "ap2", NULL), HR_OK);
    assert_int_equal(agency_grant(fx->st, AGENCY_LOCAL, "ed", "editor", "health", NULL), HR_OK);
    assert_int_equal(agency_grant(fx->st, AGENCY_LOCAL, "ap", "approver", "health", NULL), HR_OK);
    assert_int_equal(agency_operator_disable(fx->st, AGENCY_LOCAL, "ap", &err), HR_EFORBIDDEN);
    assert_non_null(strstr(err.msg, "health"));
    assert_int_equal(agency_operator_disable(fx->st, AGENCY_LOCAL, "ed", &err), HR_EFORBIDDEN);
    assert_int_equal(agency_grant(fx->st, AGENCY_LOCAL, "ap2", "approver", NULL, NULL), HR_OK);
    assert_int_equal(agency_operator_disable(fx->st, AGENCY_LOCAL, "ap", NULL), HR_OK);
    assert_false(agency_can(fx->st, "ap", "approver", "health"));
}

static void approvals_default_by_kind_and_are_bounded(void **state)
{
    struct fixture *fx = *state;
    struct store_txn *txn = NULL;
    unsigned n = 9;

    add_account(fx, "health");
    assert_int_equal(agency_account_create(fx->st, AGENCY_LOCAL,
                                           &(struct agency_account_new){.name = "mayor",
                                                                        .kind = "official",
                                                                        .parent = "health"},
                                           NULL),
                     HR_OK);
    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    assert_int_equal(agency_approvals_required(txn, "health", &n, NULL), HR_OK);
    assert_int_equal(n, 1);
    assert_int_equal(agency_approvals_required(txn, "mayor", &n, NULL), HR_OK);
    assert_int_equal(n, 0);
    store_txn_abort(txn);
    assert_int_equal(agency_set_approvals(fx->st, AGENCY_LOCAL, "health", 4, NULL), HR_EINVAL);
    assert_int_equal(agency_set_approvals(fx->st, AGENCY_LOCAL, "nobody", 1, NULL), HR_ENOTFOUND);
    assert_int_equal(agency_set_approvals(fx->st, AGENCY_LOCAL, "health", 3, NULL), HR_OK);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest t[] = {
        T(an_intact_chain_verifies),
        T(one_changed_byte_fails_at_exactly_that_entry),
        T(a_changed_field_or_broken_json_is_caught_at_its_entry),
        T(a_removed_entry_breaks_the_chain_after_it),
        T(the_head_is_signed_by_the_instance_key),
        T(roles_hold_per_account_or_instance_wide_and_can_be_revoked),
        T(tokens_authenticate_until_revoked_or_their_operator_is_disabled),
        T(disabling_the_last_approver_of_a_publishing_account_is_refused),
        T(approvals_default_by_kind_and_are_bounded),
    };
#undef T
    return cmocka_run_group_tests(t, NULL, NULL);
}
