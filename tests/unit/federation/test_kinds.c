/* tests/unit/federation/test_kinds.c - what kinds put on the actor (default language
 * English, or the configured ones in order), the matrix, and the languages check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/federation/fedfix.h"

#include "keys/keys.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define BASE   "https://social.city.example"
#define REMOTE "https://ministry.example/users/health"

struct fixture {
    char dir[64];
    struct store *st;
    struct fed *fed;
};

static void add(struct store *st, const char *name, const char *kind, const char *profile)
{
    fedfix_account(st,
                   (struct store_account){.name = (char *)(uintptr_t)name,
                                          .kind = (char *)(uintptr_t)kind,
                                          .display_name = (char *)(uintptr_t) "",
                                          .summary = (char *)(uintptr_t) "", .created_ms = 1,
                                          .profile = (char *)(uintptr_t)profile},
                   false);
}

static int open_with(void **state, const char *languages)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    struct fed_config cfg = {.domain = "social.city.example",
                             .base_url = BASE,
                             .json_max_depth = 64,
                             .json_max_string = 100000,
                             .json_max_items = 1000,
                             .fetch_max_bytes = 1 << 20,
                             .languages = languages};

    if (fx == NULL || fedfix_open(fx->dir, &fx->st, &fx->fed, "kinds", cfg) != 0)
        return -1;
    add(fx->st, "health", "agency", "{}");
    add(fx->st, "mayor", "official", "{\"parent\":\"health\"}");
    add(fx->st, "stray", "official",
        "{\"parent\":\"" REMOTE "\",\"parent_name\":\"Ministry <b>\"}");
    add(fx->st, "sure", "department", "{\"parent\":\"" REMOTE "\",\"parent_confirmed_ms\":7}");
    *state = fx;
    return 0;
}

static int setup_en(void **state)
{
    return open_with(state, NULL);
}

static int setup_zh_en(void **state)
{
    return open_with(state, "zh,en");
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    if (fedfix_close(fx->dir, fx->st, fx->fed) != 0)
        return -1;
    free(fx);
    return 0;
}

static json_t *get(struct fixture *fx, const char *name, bool matrix)
{
    struct fed_doc d = {0};
    json_t *j;

    if (matrix)
        fed_matrix(fx->fed, name, &d);
    else
        fed_actor(fx->fed, name, &d);
    j = d.status == 200 ? json_loads(d.body, 0, NULL) : NULL;
    fed_doc_fini(&d);
    return j;
}

static const char *field(const json_t *actor, size_t i, const char *what)
{
    return json_string_value(
        json_object_get(json_array_get(json_object_get(actor, "attachment"), i), what));
}

static void without_a_languages_key_everything_is_english(void **state)
{
    json_t *j = get(*state, "mayor", false);

    assert_string_equal(field(j, 0, "name"), "Account type");
    assert_string_equal(field(j, 0, "value"), "Official (personal account)");
    assert_string_equal(field(j, 1, "value"), "<a href=\"" BASE "/users/health\">health</a>");
    assert_string_equal(field(j, 2, "name"), "Disclaimer");
    assert_string_equal(json_string_value(json_object_get(j, "summary")),
                        "<p>Personal account: views are my own and not the official position "
                        "of <a href=\"" BASE "/users/health\">health</a></p>");
    assert_string_equal(json_string_value(json_object_get(j, "worksFor")), BASE "/users/health");
    assert_true(json_is_true(json_object_get(j, "parentConfirmed")));
    json_decref(j);
}

static void the_configured_languages_come_in_their_order(void **state)
{
    json_t *j = get(*state, "health", false);

    assert_string_equal(field(j, 0, "name"), "账号类型 / Account type");
    assert_string_equal(field(j, 0, "value"), "政府机构 / Government agency");
    assert_string_equal(json_string_value(json_object_get(j, "accounts")),
                        BASE "/users/health/accounts");
    assert_null(json_object_get(j, "parentOrganization"));
    json_decref(j);
}

static void a_remote_parent_is_unconfirmed_until_recorded_and_its_name_escaped(void **state)
{
    json_t *stray = get(*state, "stray", false), *sure = get(*state, "sure", false);

    assert_string_equal(field(stray, 1, "value"),
                        "<a href=\"" REMOTE "\">Ministry &lt;b&gt;</a> (unconfirmed)");
    assert_true(json_is_false(json_object_get(stray, "parentConfirmed")));
    assert_string_equal(field(sure, 1, "value"), "<a href=\"" REMOTE "\">" REMOTE "</a>");
    assert_string_equal(json_string_value(json_object_get(sure, "parentOrganization")), REMOTE);
    assert_true(json_is_true(json_object_get(sure, "parentConfirmed")));
    json_decref(stray);
    json_decref(sure);
}

static void the_matrix_lists_local_children_with_their_kind(void **state)
{
    json_t *m = get(*state, "health", true), *item;

    assert_non_null(m);
    assert_string_equal(json_string_value(json_object_get(m, "type")), "OrderedCollection");
    assert_int_equal(json_integer_value(json_object_get(m, "totalItems")), 1);
    item = json_array_get(json_object_get(m, "orderedItems"), 0);
    assert_string_equal(json_string_value(json_object_get(item, "id")), BASE "/users/mayor");
    assert_string_equal(json_string_value(json_object_get(item, "accountKind")), "official");
    assert_string_equal(json_string_value(json_object_get(item, "type")), "Person");
    json_decref(m);
    assert_null(get(*state, "mayor", true)); /* an official lists nobody: 404 */
    assert_null(get(*state, "nobody", true));
}

static void only_shipped_languages_are_accepted(void **state)
{
    (void)state;
    assert_int_equal(fed_languages_check("zh,en", NULL), HR_OK);
    assert_int_equal(fed_languages_check("en", NULL), HR_OK);
    assert_int_equal(fed_languages_check("fr", NULL), HR_EINVAL);
    assert_int_equal(fed_languages_check("en,zhx", NULL), HR_EINVAL);
    assert_int_equal(fed_languages_check("", NULL), HR_EINVAL);
    assert_int_equal(fed_languages_check(" , ", NULL), HR_EINVAL);
}

int main(void)
{
    const struct CMUnitTest t[] = {
        cmocka_unit_test_setup_teardown(without_a_languages_key_everything_is_english, setup_en,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_configured_languages_come_in_their_order, setup_zh_en,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            a_remote_parent_is_unconfirmed_until_recorded_and_its_name_escaped, setup_en, teardown),
        cmocka_unit_test_setup_teardown(the_matrix_lists_local_children_with_their_kind, setup_en,
                                        teardown),
        cmocka_unit_test(only_shipped_languages_are_accepted),
    };
    return cmocka_run_group_tests(t, NULL, NULL);
}
