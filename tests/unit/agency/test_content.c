/* tests/unit/agency/test_content.c - what a draft settles about its content (issue #10):
 * its language (the draft's, else the account's, else the instance's first), its mentions
 * resolved when it is made (one that does not resolve refuses the draft, nothing stored),
 * and the profile keys "language" and "field" with their limits. No network: the mentions
 * here are of our own accounts, resolved from the store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/agencyfix.h"

#include "agency/agency.h"
#include "agency/agency_int.h"
#include "federation/fed.h"

#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE AGENCYFIX_BASE
#define L    AGENCY_LOCAL

/* health and police (agencies), made once in a template store (their RSA keys are slow
 * under valgrind) that each test gets a copy of; the catalogs are bound once too. */
static int fill(struct store *st)
{
    int rc = hr_i18n_init(HERALD_LOCALEDIR, NULL);

    if (rc == HR_OK)
        rc = agency_account_add(st, L, "health", "agency", NULL, NULL, NULL);

    return rc == HR_OK ? agency_account_add(st, L, "police", "agency", NULL, NULL, NULL) : rc;
}

STORETPL_GROUP("content-tpl", fill)

/* The instance's languages zh and en: a draft's language falls back to the first. */
static int setup(void **state)
{
    struct fed_config cfg = agencyfix_config();

    cfg.languages = "zh,en";
    return agencyfix_setup(state, template_dir, "content", &cfg);
}

static int teardown(void **state)
{
    return agencyfix_teardown(state);
}

/* A new draft of health with IN; the draft record as shown, or NULL when refused. */
static json_t *draft(struct agencyfix *fx, const struct agency_draft_input *in, struct hr_err *err)
{
    struct agency_draft_result res = {0};
    char *show = NULL;
    json_t *d;

    if (agency_draft_new(fx->st, fx->fed, L, "health", in, false, &res, err) != HR_OK)
        return NULL;
    assert_int_equal(agency_draft_show(fx->st, L, res.id, &show, NULL), HR_OK);
    d = json_loads(show, 0, NULL);
    free(show);
    assert_non_null(d);
    return d;
}

static const char *lang_of(const json_t *d)
{
    static char out[40];
    const json_t *v = json_object_get(d, "language");

    if (v == NULL) /* draft show may nest the record */
        v = json_object_get(json_object_get(d, "draft"), "language");
    snprintf(out, sizeof out, "%s", json_string_value(v) ? json_string_value(v) : "?");
    return out;
}

static void language_tags_are_checked_as_bcp_47(void **state)
{
    static const char *const good[] = {"en", "zh", "und", "de-CH", "zh-Hant-TW", "es-419"};
    static const char *const bad[] = {"",       "e",     "english",      "en-", "-en",
                                      "en--US", "zh_TW", "en-abcdefghi", "1a"};

    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_true(agency_language_valid(good[i]));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(agency_language_valid(bad[i]));
}

static void a_draft_takes_its_language_then_the_accounts_then_the_instances(void **state)
{
    struct agencyfix *fx = *state;
    struct agency_draft_input in = {.text = "Flu shots"};
    struct hr_err err = {0};
    json_t *d;

    d = draft(fx, &in, NULL);
    assert_string_equal(lang_of(d), "zh"); /* the instance's first */
    json_decref(d);
    assert_int_equal(agency_account_set(fx->st, fx->fed, L, "health", "language", "en", NULL),
                     HR_OK);
    d = draft(fx, &in, NULL);
    assert_string_equal(lang_of(d), "en"); /* the account's */
    json_decref(d);
    in.language = "de-CH";
    d = draft(fx, &in, NULL);
    assert_string_equal(lang_of(d), "de-CH"); /* the draft's own */
    json_decref(d);
    in.language = "english";
    assert_null(draft(fx, &in, &err));
    assert_non_null(strstr(err.msg, "BCP 47"));
    assert_int_equal(agency_account_set(fx->st, fx->fed, L, "health", "language", "en_US", &err),
                     HR_EINVAL);
}

static void a_mention_of_our_own_account_resolves_and_an_unknown_one_refuses_the_draft(void **state)
{
    struct agencyfix *fx = *state;
    struct agency_draft_input in = {.text = "With @police@social.city.example today"};
    struct hr_err err = {0};
    char *list = NULL;
    json_t *d = draft(fx, &in, NULL), *m;

    m = json_object_get(d, "mentions");
    if (m == NULL)
        m = json_object_get(json_object_get(d, "draft"), "mentions");
    assert_int_equal(json_array_size(m), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(m, 0), "href")),
                        BASE "/users/police");
    assert_string_equal(json_string_value(json_object_get(json_array_get(m, 0), "inbox")), "");
    json_decref(d);
    assert_int_equal(agency_draft_list(fx->st, L, "health", NULL, &list, NULL), HR_OK);
    d = json_loads(list, 0, NULL);
    free(list);
    in.text = "With @nobody@social.city.example today";
    assert_null(draft(fx, &in, &err));
    assert_non_null(strstr(err.msg, "mention @nobody@social.city.example: no such account"));
    assert_int_equal(agency_draft_list(fx->st, L, "health", NULL, &list, NULL), HR_OK);
    m = json_loads(list, 0, NULL);
    assert_int_equal(json_array_size(m), json_array_size(d)); /* nothing stored */
    free(list);
    json_decref(m);
    json_decref(d);
}

static void more_than_twenty_mentions_are_refused(void **state)
{
    struct agencyfix *fx = *state;
    char text[2048] = "";
    struct agency_draft_input in = {.text = text};
    struct hr_err err = {0};
    size_t n = 0;

    for (int i = 0; i <= FED_MENTIONS_MAX; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "@u%d@social.city.example ", i);
    assert_null(draft(fx, &in, &err));
    assert_non_null(strstr(err.msg, "at most 20"));
}

static void fields_are_set_changed_removed_and_limited_to_four(void **state)
{
    json_t *p = json_object();
    char big[2200];
    struct hr_err err = {0};

    (void)state;
    assert_int_equal(agency_fields_apply(p, "{\"name\":\"Hours\",\"value\":\"9-17\"}", NULL),
                     HR_OK);
    assert_int_equal(agency_fields_apply(p, "{\"name\":\"Web\",\"value\":\"https://x\"}", NULL),
                     HR_OK);
    assert_int_equal(agency_fields_apply(p, "{\"name\":\"Hours\",\"value\":\"8-16\"}", NULL),
                     HR_OK);
    assert_int_equal(json_array_size(json_object_get(p, "fields")), 2);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(p, "fields"), 0), "value")),
                        "8-16");
    assert_int_equal(agency_fields_apply(p, "{\"name\":\"C\",\"value\":\"c\"}", NULL), HR_OK);
    assert_int_equal(agency_fields_apply(p, "{\"name\":\"D\",\"value\":\"d\"}", NULL), HR_OK);
    assert_int_equal(agency_fields_apply(p, "{\"name\":\"E\",\"value\":\"e\"}", &err), HR_EINVAL);
    assert_non_null(strstr(err.msg, "at most 4 fields"));
    assert_int_equal(agency_fields_apply(p, "{\"name\":\"C\",\"value\":\"\"}", NULL), HR_OK);
    assert_int_equal(json_array_size(json_object_get(p, "fields")), 3);
    snprintf(big, sizeof big, "{\"name\":\"F\",\"value\":\"%02048d\"}", 0); /* 2048 > 2047 */
    assert_int_equal(agency_fields_apply(p, big, NULL), HR_EINVAL);
    assert_int_equal(agency_fields_apply(p, "{\"name\":\"\",\"value\":\"v\"}", NULL), HR_EINVAL);
    assert_int_equal(agency_fields_apply(p, "{\"name\":\"\\u00ff\",\"value\":3}", NULL), HR_EINVAL);
    assert_int_equal(agency_fields_apply(p, "not json", NULL), HR_EINVAL);
    assert_int_equal(json_array_size(json_object_get(p, "fields")), 3); /* unchanged */
    assert_int_equal(agency_fields_apply(p, NULL, NULL), HR_OK);
    assert_null(json_object_get(p, "fields"));
    json_decref(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(language_tags_are_checked_as_bcp_47),
        cmocka_unit_test_setup_teardown(
            a_draft_takes_its_language_then_the_accounts_then_the_instances, setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_mention_of_our_own_account_resolves_and_an_unknown_one_refuses_the_draft, setup,
            teardown),
        cmocka_unit_test_setup_teardown(more_than_twenty_mentions_are_refused, setup, teardown),
        cmocka_unit_test(fields_are_set_changed_removed_and_limited_to_four),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
