/* tests/unit/agency/test_polls.c - the checks on a draft's poll (agency/polls.c): what an
 * editor may put to a public consultation, and the record it becomes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "agency/agency_int.h"

#include <string.h>

#define NOW 1800000000000LL /* 2027-01-15 */
#define DAY (24LL * 3600 * 1000)

static struct agency_draft_input poll2(void)
{
    struct agency_draft_input in = {.text = "Which day?", .n_poll_options = 2,
                                    .poll_closes_ms = NOW + DAY};

    in.poll_options[0] = "Monday";
    in.poll_options[1] = "Tuesday";
    return in;
}

static int check(const struct agency_draft_input *in, const char *expect_in_msg)
{
    struct hr_err err = {0};
    int rc = agency_draft_poll_check(in, NOW, &err);

    if (expect_in_msg != NULL)
        assert_non_null(strstr(err.msg, expect_in_msg));
    return rc;
}

static void two_options_closing_tomorrow_are_a_poll(void **state)
{
    struct agency_draft_input in = poll2();

    (void)state;
    assert_int_equal(check(&in, NULL), HR_OK);
}

static void one_option_or_eleven_are_refused(void **state)
{
    struct agency_draft_input in = poll2();

    (void)state;
    in.n_poll_options = 1;
    assert_int_equal(check(&in, "2 to 10 options"), HR_EINVAL);
    in.n_poll_options = 11;
    assert_int_equal(check(&in, "2 to 10 options"), HR_EINVAL);
}

static void ten_distinct_options_are_the_most(void **state)
{
    static const char *const names[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
    struct agency_draft_input in = poll2();

    (void)state;
    for (size_t i = 0; i < 10; i++)
        in.poll_options[i] = names[i];
    in.n_poll_options = 10;
    assert_int_equal(check(&in, NULL), HR_OK);
}

static void an_empty_long_or_repeated_option_is_refused(void **state)
{
    char long_opt[202];
    struct agency_draft_input in = poll2();

    (void)state;
    in.poll_options[1] = "";
    assert_int_equal(check(&in, "option 2 must be 1 to 200 bytes"), HR_EINVAL);
    memset(long_opt, 'x', 201);
    long_opt[201] = '\0';
    in.poll_options[1] = long_opt;
    assert_int_equal(check(&in, "1 to 200 bytes"), HR_EINVAL);
    long_opt[200] = '\0';
    assert_int_equal(check(&in, NULL), HR_OK);
    in.poll_options[1] = "Monday";
    assert_int_equal(check(&in, "repeats option 1"), HR_EINVAL);
}

static void control_characters_and_bad_utf8_are_refused(void **state)
{
    struct agency_draft_input in = poll2();

    (void)state;
    in.poll_options[0] = "Mon\nday";
    assert_int_equal(check(&in, "control character"), HR_EINVAL);
    in.poll_options[0] = "Mon\x7f";
    assert_int_equal(check(&in, "control character"), HR_EINVAL);
    in.poll_options[0] = "Mon\xc3";
    assert_int_equal(check(&in, "not valid UTF-8"), HR_EINVAL);
    in.poll_options[0] = "星期一";
    assert_int_equal(check(&in, NULL), HR_OK);
}

static void closing_time_is_required_in_the_future_and_within_a_year(void **state)
{
    struct agency_draft_input in = poll2();

    (void)state;
    in.poll_closes_ms = 0;
    assert_int_equal(check(&in, "closing time"), HR_EINVAL);
    in.poll_closes_ms = NOW;
    assert_int_equal(check(&in, "has passed"), HR_EINVAL);
    in.poll_closes_ms = NOW + 367 * DAY;
    assert_int_equal(check(&in, "at most a year"), HR_EINVAL);
    in.poll_closes_ms = NOW + 365 * DAY;
    assert_int_equal(check(&in, NULL), HR_OK);
}

static void no_poll_is_no_record_and_a_poll_is_its_record(void **state)
{
    struct agency_draft_input none = {.text = "x"}, in = poll2();
    json_t *out = (json_t *)1;

    (void)state;
    assert_int_equal(agency_draft_poll(&none, &out, NULL), HR_OK);
    assert_null(out);
    none.poll_multiple = true; /* --multiple alone is a poll without options */
    assert_int_equal(agency_draft_poll(&none, &out, NULL), HR_EINVAL);
    in.poll_closes_ms = hr_now_ms() + DAY;
    in.poll_multiple = true;
    assert_int_equal(agency_draft_poll(&in, &out, NULL), HR_OK);
    assert_string_equal(json_string_value(json_array_get(json_object_get(out, "options"), 1)),
                        "Tuesday");
    assert_true(json_is_true(json_object_get(out, "multiple")));
    assert_int_equal(json_integer_value(json_object_get(out, "closes_ms")), in.poll_closes_ms);
    json_decref(out);
}

int main(void)
{
    const struct CMUnitTest t[] = {
        cmocka_unit_test(two_options_closing_tomorrow_are_a_poll),
        cmocka_unit_test(one_option_or_eleven_are_refused),
        cmocka_unit_test(ten_distinct_options_are_the_most),
        cmocka_unit_test(an_empty_long_or_repeated_option_is_refused),
        cmocka_unit_test(control_characters_and_bad_utf8_are_refused),
        cmocka_unit_test(closing_time_is_required_in_the_future_and_within_a_year),
        cmocka_unit_test(no_poll_is_no_record_and_a_poll_is_its_record),
    };
    return cmocka_run_group_tests(t, NULL, NULL);
}
