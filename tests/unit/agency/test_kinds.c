/* tests/unit/agency/test_kinds.c - the rules of account kinds: who must name a parent,
 * which kinds a parent may be, URLs, cycles; the "parent" profile key; linking remote
 * accounts. Every refusal leaves the store as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/storetpl.h"

#include "agency/agency.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REMOTE "https://ministry.example/users/health"

struct fixture {
    char dir[64];
    struct store *st;
};

static int add(struct store *st, const char *name, const char *kind, const char *parent,
               struct hr_err *err)
{
    struct agency_account_new in = {.name = name, .kind = kind, .parent = parent};

    return agency_account_create(st, AGENCY_LOCAL, &in, err);
}

/* Accounts: health (agency), roads (department of health), sub (department of roads),
 * alerts (service of roads), mayor (official of health). */
/* The five accounts (RSA keys: slow under valgrind) are made once, in a template store
 * that each test gets a fresh copy of (tests/unit/tmpdir.h). */
static int fill(struct store *st)
{
    return add(st, "health", "agency", NULL, NULL) == HR_OK &&
                   add(st, "roads", "department", "health", NULL) == HR_OK &&
                   add(st, "sub", "department", "roads", NULL) == HR_OK &&
                   add(st, "alerts", "service", "roads", NULL) == HR_OK &&
                   add(st, "mayor", "official", "health", NULL) == HR_OK
               ? HR_OK
               : HR_EIO;
}

STORETPL_GROUP("kinds-tpl", fill)

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);

    if (fx == NULL || storetpl_open(template_dir, fx->dir, "kinds", &fx->st) != 0)
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

/* NAME's profile key KEY as text ("" when absent; JSON for non-strings). */
static void profile_key(struct fixture *fx, const char *name, const char *key, char *out,
                        size_t cap)
{
    struct store_account a = {0};
    struct store_txn *txn = NULL;
    json_t *p, *v;
    char *dump;

    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    assert_int_equal(store_account_get(txn, name, &a, NULL), HR_OK);
    store_txn_abort(txn);
    p = json_loads(a.profile, 0, NULL);
    v = json_object_get(p, key);
    dump = v && !json_is_string(v) ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    snprintf(out, cap, "%s", json_is_string(v) ? json_string_value(v) : dump ? dump : "");
    free(dump);
    json_decref(p);
    store_account_fini(&a);
}

static size_t account_count(struct fixture *fx)
{
    struct store_stats s = {0};

    assert_int_equal(agency_stats(fx->st, AGENCY_LOCAL, &s, NULL), HR_OK);
    return (size_t)s.accounts;
}

static void officials_and_departments_must_name_a_parent_the_others_may(void **state)
{
    struct fixture *fx = *state;
    struct hr_err err = {0};
    size_t n = account_count(fx);

    assert_int_equal(add(fx->st, "o1", "official", NULL, &err), HR_EINVAL);
    assert_non_null(strstr(err.msg, "official's agency must be named (--agency"));
    assert_int_equal(add(fx->st, "d1", "department", "", &err), HR_EINVAL);
    assert_non_null(strstr(err.msg, "department's parent must be named (--parent"));
    assert_int_equal(agency_account_add(fx->st, AGENCY_LOCAL, "o2", "official", NULL, NULL, &err),
                     HR_EINVAL);
    assert_int_equal(account_count(fx), n);
    assert_int_equal(add(fx->st, "a2", "agency", NULL, NULL), HR_OK);
    assert_int_equal(add(fx->st, "s2", "service", NULL, NULL), HR_OK);
    assert_int_equal(account_count(fx), n + 2);
}

static void a_parent_must_be_of_a_fitting_kind(void **state)
{
    struct fixture *fx = *state;
    struct hr_err err = {0};
    size_t n = account_count(fx);

    assert_int_equal(add(fx->st, "o1", "official", "roads", &err), HR_EINVAL);
    assert_non_null(strstr(err.msg, "must be of kind agency, and 'roads' is of kind department"));
    assert_int_equal(add(fx->st, "o1", "official", "alerts", &err), HR_EINVAL);
    assert_int_equal(add(fx->st, "d1", "department", "mayor", &err), HR_EINVAL);
    assert_non_null(strstr(err.msg, "agency or department, and 'mayor' is of kind official"));
    assert_int_equal(add(fx->st, "s1", "service", "mayor", &err), HR_EINVAL);
    assert_int_equal(add(fx->st, "a1", "agency", "roads", &err), HR_EINVAL);
    assert_int_equal(add(fx->st, "o1", "official", "nobody", &err), HR_EINVAL);
    assert_non_null(strstr(err.msg, "'nobody' is no local account"));
    assert_int_equal(account_count(fx), n);
    assert_int_equal(add(fx->st, "d1", "department", "sub", NULL), HR_OK);
}

static void a_remote_parent_is_an_http_url(void **state)
{
    struct fixture *fx = *state;
    struct hr_err err = {0};
    char v[600];
    size_t n = account_count(fx);

    assert_int_equal(add(fx->st, "o1", "official", "ftp://ministry.example/u", &err), HR_EINVAL);
    assert_non_null(strstr(err.msg, "is not an http(s) URL"));
    assert_int_equal(add(fx->st, "o1", "official", "https://", &err), HR_EINVAL);
    assert_non_null(strstr(err.msg, "not a valid http(s) actor URL"));
    assert_int_equal(add(fx->st, "o1", "official", "https://a b.example/u", &err), HR_EINVAL);
    assert_int_equal(add(fx->st, "o1", "official", "Ministry Of Health", &err), HR_EINVAL);
    assert_non_null(strstr(err.msg, "neither a local account name nor an http(s) actor URL"));
    assert_int_equal(account_count(fx), n);
    assert_int_equal(add(fx->st, "o1", "official", REMOTE, NULL), HR_OK);
    profile_key(fx, "o1", "parent", v, sizeof v);
    assert_string_equal(v, REMOTE);
}

static void no_account_is_its_own_ancestor(void **state)
{
    struct fixture *fx = *state;
    struct hr_err err = {0};
    char v[600];

    assert_int_equal(
        agency_account_set(fx->st, NULL, AGENCY_LOCAL, "roads", "parent", "roads", &err),
        HR_EINVAL);
    assert_non_null(strstr(err.msg, "its own parent"));
    assert_int_equal(agency_account_set(fx->st, NULL, AGENCY_LOCAL, "roads", "parent", "sub", &err),
                     HR_EINVAL);
    assert_non_null(strstr(err.msg, "a cycle"));
    profile_key(fx, "roads", "parent", v, sizeof v);
    assert_string_equal(v, "health");
    /* moving sub up is no cycle */
    assert_int_equal(
        agency_account_set(fx->st, NULL, AGENCY_LOCAL, "sub", "parent", "health", NULL), HR_OK);
    profile_key(fx, "sub", "parent", v, sizeof v);
    assert_string_equal(v, "health");
}

static void a_new_parent_starts_unconfirmed_and_a_required_one_cannot_be_cleared(void **state)
{
    struct fixture *fx = *state;
    struct store_account a = {0};
    struct store_txn *txn = NULL;
    struct hr_err err = {0};
    char v[600];

    /* as if the daily check had confirmed a remote parent */
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_account_get_private(txn, "mayor", &a, NULL), HR_OK);
    free(a.profile);
    a.profile = strdup("{\"parent\":\"" REMOTE "\",\"parent_confirmed_ms\":5,"
                       "\"parent_checked_ms\":5,\"parent_name\":\"Ministry\"}");
    assert_int_equal(store_account_put(txn, &a, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    store_account_fini(&a);
    assert_int_equal(agency_account_set(fx->st, NULL, AGENCY_LOCAL, "mayor", "parent", NULL, &err),
                     HR_EINVAL);
    profile_key(fx, "mayor", "parent_confirmed_ms", v, sizeof v);
    assert_string_equal(v, "5");
    assert_int_equal(agency_account_set(fx->st, NULL, AGENCY_LOCAL, "mayor", "parent",
                                        "https://other.example/users/x", NULL),
                     HR_OK);
    profile_key(fx, "mayor", "parent_confirmed_ms", v, sizeof v);
    assert_string_equal(v, "");
    profile_key(fx, "mayor", "parent_checked_ms", v, sizeof v);
    assert_string_equal(v, "");
    profile_key(fx, "mayor", "parent_name", v, sizeof v);
    assert_string_equal(v, "");
    /* an optional parent can be cleared */
    assert_int_equal(agency_account_set(fx->st, NULL, AGENCY_LOCAL, "alerts", "parent", NULL, NULL),
                     HR_OK);
    profile_key(fx, "alerts", "parent", v, sizeof v);
    assert_string_equal(v, "");
}

static void a_local_parent_s_name_is_kept_by_its_children_and_follows_a_rename(void **state)
{
    struct fixture *fx = *state;
    char v[600];

    profile_key(fx, "mayor", "parent_name", v, sizeof v);
    assert_string_equal(v, "health");
    assert_int_equal(agency_account_set(fx->st, NULL, AGENCY_LOCAL, "health", "display_name",
                                        "City Health", NULL),
                     HR_OK);
    profile_key(fx, "mayor", "parent_name", v, sizeof v);
    assert_string_equal(v, "City Health");
    profile_key(fx, "roads", "parent_name", v, sizeof v);
    assert_string_equal(v, "City Health");
    profile_key(fx, "sub", "parent_name", v, sizeof v);
    assert_string_equal(v, "roads");
    assert_int_equal(
        agency_account_set(fx->st, NULL, AGENCY_LOCAL, "sub", "parent", "health", NULL), HR_OK);
    profile_key(fx, "sub", "parent_name", v, sizeof v);
    assert_string_equal(v, "City Health");
}

static void remote_accounts_are_linked_once_to_an_agency_or_a_department(void **state)
{
    struct fixture *fx = *state;
    struct hr_err err = {0};
    char v[600];

    assert_int_equal(
        agency_account_link(fx->st, AGENCY_LOCAL, "health", REMOTE, "official", true, NULL), HR_OK);
    assert_int_equal(agency_account_link(fx->st, AGENCY_LOCAL, "health", REMOTE, NULL, true, &err),
                     HR_EEXIST);
    assert_int_equal(agency_account_link(fx->st, AGENCY_LOCAL, "mayor", REMOTE, NULL, true, &err),
                     HR_EINVAL);
    assert_non_null(strstr(err.msg, "only an agency or a department lists accounts"));
    assert_int_equal(agency_account_link(fx->st, AGENCY_LOCAL, "health", "mailto:x@example.org",
                                         NULL, true, &err),
                     HR_EINVAL);
    assert_int_equal(
        agency_account_link(fx->st, AGENCY_LOCAL, "health", REMOTE, "wizard", true, &err),
        HR_EINVAL);
    assert_int_equal(agency_account_link(fx->st, AGENCY_LOCAL, "nobody", REMOTE, NULL, true, &err),
                     HR_ENOTFOUND);
    profile_key(fx, "health", "linked", v, sizeof v);
    assert_string_equal(v, "[{\"id\":\"" REMOTE "\",\"kind\":\"official\"}]");
    assert_int_equal(agency_account_link(fx->st, AGENCY_LOCAL, "health",
                                         "https://other.example/users/y", NULL, false, &err),
                     HR_ENOTFOUND);
    assert_int_equal(agency_account_link(fx->st, AGENCY_LOCAL, "health", REMOTE, NULL, false, NULL),
                     HR_OK);
    profile_key(fx, "health", "linked", v, sizeof v);
    assert_string_equal(v, "[]");
}

static void linking_needs_the_admin_role_on_the_parent(void **state)
{
    struct fixture *fx = *state;
    struct hr_err err = {0};

    assert_int_equal(agency_operator_add(fx->st, AGENCY_LOCAL, "ed", NULL), HR_OK);
    assert_int_equal(agency_grant(fx->st, AGENCY_LOCAL, "ed", "editor", "health", NULL), HR_OK);
    assert_int_equal(agency_account_link(fx->st, "ed", "health", REMOTE, NULL, true, &err),
                     HR_EFORBIDDEN);
    assert_int_equal(agency_grant(fx->st, AGENCY_LOCAL, "ed", "admin", "health", NULL), HR_OK);
    assert_int_equal(agency_account_link(fx->st, "ed", "health", REMOTE, NULL, true, NULL), HR_OK);
    assert_string_equal(agency_action_name(AGENCY_ACCOUNT_LINK), "account.link");
}

int main(void)
{
    const struct CMUnitTest t[] = {
        cmocka_unit_test_setup_teardown(officials_and_departments_must_name_a_parent_the_others_may,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_parent_must_be_of_a_fitting_kind, setup, teardown),
        cmocka_unit_test_setup_teardown(a_remote_parent_is_an_http_url, setup, teardown),
        cmocka_unit_test_setup_teardown(no_account_is_its_own_ancestor, setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_new_parent_starts_unconfirmed_and_a_required_one_cannot_be_cleared, setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_local_parent_s_name_is_kept_by_its_children_and_follows_a_rename, setup, teardown),
        cmocka_unit_test_setup_teardown(
            remote_accounts_are_linked_once_to_an_agency_or_a_department, setup, teardown),
        cmocka_unit_test_setup_teardown(linking_needs_the_admin_role_on_the_parent, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(t, group_setup, group_teardown);
}
