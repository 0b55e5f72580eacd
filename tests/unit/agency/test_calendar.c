/* tests/unit/agency/test_calendar.c - deadlines in an account's working calendar (weekends,
 * working hours, holidays, a case opened out of hours, the DST changes of Europe/Berlin,
 * working hours against working days), the desk settings' checks (each bad value: a clear
 * error and nothing stored) and holidays imported from iCalendar files (multi-day and
 * recurring events; a file that is not iCalendar, or broken, stores nothing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/storetpl.h"

#include "agency/agency_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIXTURES HERALD_FIXTURES "/desk/"

struct fixture {
    char dir[64];
    struct store *st;
};

/* Unix ms of a UTC civil time (days_from_civil, H. Hinnant's algorithm). */
static int64_t utc(int y, int mo, int d, int h, int mi)
{
    y -= mo <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;

    return ((days * 24 + h) * 60 + mi) * 60000;
}

static const char *const berlin_holidays[] = {"2026-12-24", "2026-12-25", "2027-01-01"};

static bool berlin_holiday(void *ctx, const char *date)
{
    (void)ctx;
    for (size_t i = 0; i < sizeof berlin_holidays / sizeof berlin_holidays[0]; i++)
        if (strcmp(date, berlin_holidays[i]) == 0)
            return true;
    return false;
}

/* Europe/Berlin, mon-fri 09:00-17:00, with the three holidays above. */
static struct agency_calendar berlin(void)
{
    struct agency_calendar c = {.tz = "Europe/Berlin",
                                .weekdays = 0x1f,
                                .start_min = 540,
                                .end_min = 1020,
                                .holiday = berlin_holiday};
    return c;
}

static int64_t due(const struct agency_calendar *c, int64_t opened, bool hours, unsigned n)
{
    int64_t out = 0;

    assert_int_equal(agency_calendar_due(c, opened, hours, n, &out, NULL), HR_OK);
    return out;
}

static void hours_skip_the_weekend(void **state)
{
    struct agency_calendar c = berlin();

    (void)state;
    /* Friday 2026-12-04 16:00 CET: one hour on Friday, seven on Monday -> Mon 16:00 CET */
    assert_true(due(&c, utc(2026, 12, 4, 15, 0), true, 8) == utc(2026, 12, 7, 15, 0));
}

static void a_case_opened_out_of_hours_starts_at_the_next_working_morning(void **state)
{
    struct agency_calendar c = berlin();

    (void)state;
    /* Tuesday 20:00 CET -> Wednesday 09:00 + 2h */
    assert_true(due(&c, utc(2026, 12, 1, 19, 0), true, 2) == utc(2026, 12, 2, 10, 0));
    /* Saturday -> Monday 09:00 + 8h = Monday 17:00 */
    assert_true(due(&c, utc(2026, 12, 5, 10, 0), true, 8) == utc(2026, 12, 7, 16, 0));
    /* 07:00 on a Monday: the working day is still ahead, so 1d is Tuesday's close */
    assert_true(due(&c, utc(2026, 11, 30, 6, 0), false, 1) == utc(2026, 12, 1, 16, 0));
}

static void days_end_at_the_close_of_the_nth_working_day_after_receipt(void **state)
{
    struct agency_calendar c = berlin();

    (void)state;
    /* Monday 10:00 -> Thursday 17:00 CET */
    assert_true(due(&c, utc(2026, 11, 30, 9, 0), false, 3) == utc(2026, 12, 3, 16, 0));
    /* Friday 16:00 (received that day) -> Wednesday 17:00 */
    assert_true(due(&c, utc(2026, 12, 4, 15, 0), false, 3) == utc(2026, 12, 9, 16, 0));
    /* Friday 18:00 (after hours: received Monday) -> Thursday 17:00 */
    assert_true(due(&c, utc(2026, 12, 4, 17, 0), false, 3) == utc(2026, 12, 10, 16, 0));
}

static void holidays_are_not_working_days(void **state)
{
    struct agency_calendar c = berlin();

    (void)state;
    /* Wednesday 2026-12-23: Thursday 24 and Friday 25 are holidays -> Mon 28, Tue 29,
     * Wed 30: due Wednesday 30 at 17:00 CET */
    assert_true(due(&c, utc(2026, 12, 23, 9, 0), false, 3) == utc(2026, 12, 30, 16, 0));
    /* 8h from Wednesday 16:00: one hour, then Monday 28 until 16:00 */
    assert_true(due(&c, utc(2026, 12, 23, 15, 0), true, 8) == utc(2026, 12, 28, 15, 0));
}

static void deadlines_follow_berlin_across_both_dst_changes(void **state)
{
    struct agency_calendar c = berlin();

    (void)state;
    /* 2026-10-25 the clocks go back: Friday 16:00 CEST (14:00Z) + 8h -> Monday 16:00 CET,
     * which is 15:00Z */
    assert_true(due(&c, utc(2026, 10, 23, 14, 0), true, 8) == utc(2026, 10, 26, 15, 0));
    /* 2027-03-28 they go forward: Friday 12:00 CET + 3d -> Wednesday 17:00 CEST = 15:00Z */
    assert_true(due(&c, utc(2027, 3, 26, 11, 0), false, 3) == utc(2027, 3, 31, 15, 0));
}

static void a_working_day_of_25_hours_counts_25_hours(void **state)
{
    struct agency_calendar c = {
        .tz = "Europe/Berlin", .weekdays = 0x7f, .start_min = 0, .end_min = 1440};

    (void)state;
    /* around the clock: 24 working hours from Saturday 12:00 CEST are 24 real hours */
    assert_true(due(&c, utc(2026, 10, 24, 10, 0), true, 24) == utc(2026, 10, 25, 10, 0));
}

static void working_hours_and_working_days_differ(void **state)
{
    struct agency_calendar c = berlin();

    (void)state;
    /* Monday 10:00 CET: 8h is Tuesday 10:00, 1d is Tuesday 17:00 */
    assert_true(due(&c, utc(2026, 11, 30, 9, 0), true, 8) == utc(2026, 12, 1, 9, 0));
    assert_true(due(&c, utc(2026, 11, 30, 9, 0), false, 1) == utc(2026, 12, 1, 16, 0));
}

static void the_zone_decides_the_working_day(void **state)
{
    struct agency_calendar c = berlin();

    (void)state;
    snprintf(c.tz, sizeof c.tz, "Asia/Shanghai"); /* UTC+8, no DST */
    /* Monday 2026-11-30 10:00 in Shanghai (02:00Z) + 2h -> 12:00 = 04:00Z */
    assert_true(due(&c, utc(2026, 11, 30, 2, 0), true, 2) == utc(2026, 11, 30, 4, 0));
    snprintf(c.tz, sizeof c.tz, "Nowhere/Atlantis");
    assert_int_equal(agency_calendar_due(&c, 0, true, 2, &(int64_t){0}, NULL), HR_EINVAL);
}

/* ---- the store: settings, holidays, agency_deadline_ms ---- */

/* The accounts (RSA keys: slow under valgrind) are made once, in a template store that
 * each test gets a fresh copy of (tests/unit/tmpdir.h). */
static int fill(struct store *st)
{
    return agency_account_add(st, AGENCY_LOCAL, "health", "agency", NULL, NULL, NULL) == HR_OK &&
                   agency_account_create(st, AGENCY_LOCAL,
                                         &(struct agency_account_new){.name = "roads",
                                                                      .kind = "department",
                                                                      .parent = "health"},
                                         NULL) == HR_OK &&
                   agency_account_add(st, AGENCY_LOCAL, "mayor", "service", NULL, NULL, NULL) ==
                       HR_OK &&
                   agency_operator_add(st, AGENCY_LOCAL, "ed", NULL) == HR_OK &&
                   agency_grant(st, AGENCY_LOCAL, "ed", "editor", "health", NULL) == HR_OK
               ? HR_OK
               : HR_EIO;
}

STORETPL_GROUP("calendar-tpl", fill)

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);

    if (fx == NULL || storetpl_open(template_dir, fx->dir, "calendar", &fx->st) != 0)
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

/* What is stored for ACCOUNT, as compact JSON text (caller frees). */
static char *stored(struct fixture *fx, const char *account)
{
    struct store_txn *txn = NULL;
    json_t *s = NULL;
    char *out;

    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    assert_int_equal(agency_desk_settings(txn, account, &s, NULL), HR_OK);
    store_txn_abort(txn);
    out = json_dumps(s, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(s);
    return out;
}

static void each_bad_setting_is_refused_with_a_clear_error_and_nothing_stored(void **state)
{
    struct fixture *fx = *state;
    static const struct {
        const char *key, *value, *says;
    } bad[] = {
        {"deadline", "0d", "1d to 60d"},
        {"deadline", "61d", "1d to 60d"},
        {"deadline", "481h", "1h to 480h"},
        {"deadline", "3w", "working days"},
        {"deadline", "-1d", "working"},
        {"timezone", "Mars/Olympus", "zone"},
        {"timezone", "../etc/passwd", "zone"},
        {"weekdays", "mon-funday", "mon..sun"},
        {"weekdays", "mon,", "mon..sun"},
        {"hours", "17:00-09:00", "start before end"},
        {"hours", "9-17", "HH:MM"},
        {"hours", "09:00-24:30", "HH:MM"},
        {"ack", "yes", "on or off"},
        {"ack_text", "case {id}", "placeholders"},
        {"max_silence_days", "0", "1 to 365"},
        {"max_silence_days", "366", "1 to 365"},
        {"draft_wait_hours", "721", "1 to 720"},
        {"draft_wait_hours", "12h", "1 to 720"},
        {"department", "nobody", "not an account"},
        {"department", "mayor", "agency or department"},
        {"colour", "red", "unknown desk setting"},
    };
    char *before = stored(fx, "health"), *after;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct hr_err err = {0};
        assert_int_not_equal(
            agency_desk_set(fx->st, AGENCY_LOCAL, "health", bad[i].key, bad[i].value, &err), HR_OK);
        if (strstr(err.msg, bad[i].says) == NULL)
            fail_msg("%s=%s: '%s' does not say '%s'", bad[i].key, bad[i].value, err.msg,
                     bad[i].says);
    }
    after = stored(fx, "health");
    assert_string_equal(before, after);
    assert_string_equal(after, "{}");
    free(before);
    free(after);
}

static void a_setting_is_stored_and_an_empty_value_resets_it(void **state)
{
    struct fixture *fx = *state;
    struct hr_err err = {0};
    char *s;

    assert_int_equal(agency_desk_set(fx->st, AGENCY_LOCAL, "health", "department", "roads", &err),
                     HR_OK);
    assert_int_equal(agency_desk_set(fx->st, AGENCY_LOCAL, "health", "ack", "on", &err), HR_OK);
    assert_int_equal(
        agency_desk_set(fx->st, AGENCY_LOCAL, "health", "max_silence_days", "30", &err), HR_OK);
    s = stored(fx, "health");
    assert_string_equal(s, "{\"ack\":true,\"department\":\"roads\",\"max_silence_days\":30}");
    free(s);
    assert_int_equal(agency_desk_set(fx->st, AGENCY_LOCAL, "health", "ack", "", &err), HR_OK);
    s = stored(fx, "health");
    assert_string_equal(s, "{\"department\":\"roads\",\"max_silence_days\":30}");
    free(s);
}

static void only_an_admin_of_the_account_changes_its_desk(void **state)
{
    struct fixture *fx = *state;
    struct hr_err err = {0};
    char *s;

    assert_int_equal(agency_desk_set(fx->st, "ed", "health", "deadline", "8h", &err),
                     HR_EFORBIDDEN);
    /* refused before anything of the request is judged: a bad key, a malformed file */
    assert_int_equal(agency_desk_set(fx->st, "ed", "health", "nosuchkey", "1", &err),
                     HR_EFORBIDDEN);
    assert_int_equal(agency_desk_holidays_import(fx->st, "ed", "health", "not a calendar", 14,
                                                 NULL, &err),
                     HR_EFORBIDDEN);
    assert_int_equal(agency_desk_set(fx->st, AGENCY_LOCAL, "nosuch", "deadline", "8h", &err),
                     HR_ENOTFOUND);
    s = stored(fx, "health");
    assert_string_equal(s, "{}");
    free(s);
}

static char *read_fixture(const char *name, size_t *len)
{
    char path[512];
    FILE *f;
    char *buf = calloc(1, 1 << 16);

    snprintf(path, sizeof path, "%s%s", FIXTURES, name);
    f = fopen(path, "rb");
    assert_non_null(f);
    assert_non_null(buf);
    *len = fread(buf, 1, (1 << 16) - 1, f);
    fclose(f);
    return buf;
}

static json_t *holidays(struct fixture *fx, const char *account)
{
    json_t *list = NULL;

    assert_int_equal(agency_desk_holidays_list(fx->st, AGENCY_LOCAL, account, &list, NULL), HR_OK);
    return list;
}

static bool has_date(const json_t *list, const char *date, const char *summary)
{
    const json_t *h;
    size_t i;

    json_array_foreach(list, i, h) if (strcmp(json_string_value(json_object_get(h, "date")),
                                              date) == 0) return summary == NULL ||
        strcmp(json_string_value(json_object_get(h, "summary")), summary) == 0;
    return false;
}

static void an_ics_file_gives_its_all_day_and_recurring_holidays(void **state)
{
    struct fixture *fx = *state;
    size_t len, added = 0;
    char *ics = read_fixture("holidays.ics", &len);
    struct hr_err err = {0};
    json_t *list;

    assert_int_equal(
        agency_desk_holidays_import(fx->st, AGENCY_LOCAL, "health", ics, len, &added, &err), HR_OK);
    list = holidays(fx, "health");
    assert_int_equal(json_array_size(list), added);
    assert_true(has_date(list, "2027-01-01", "Neujahr"));
    /* DTEND is exclusive: 24, 25 and 26 December */
    assert_true(has_date(list, "2026-12-24", "Weihnachten"));
    assert_true(has_date(list, "2026-12-26", "Weihnachten"));
    assert_false(has_date(list, "2026-12-27", NULL));
    /* RRULE:FREQ=YEARLY expanded, less its EXDATE */
    assert_true(has_date(list, "2026-05-01", "Tag der Arbeit"));
    assert_true(has_date(list, "2027-05-01", "Tag der Arbeit"));
    assert_false(has_date(list, "2028-05-01", NULL));
    /* a timed event is no day off */
    assert_false(has_date(list, "2026-12-18", NULL));
    json_decref(list);
    free(ics);
}

static void a_file_that_is_not_icalendar_or_is_broken_stores_nothing(void **state)
{
    struct fixture *fx = *state;
    static const char *const files[] = {"not-ics.csv", "broken.ics"};
    json_t *list;

    for (size_t i = 0; i < 2; i++) {
        size_t len, added = 99;
        char *text = read_fixture(files[i], &len);
        struct hr_err err = {0};
        assert_int_equal(
            agency_desk_holidays_import(fx->st, AGENCY_LOCAL, "health", text, len, &added, &err),
            HR_EINVAL);
        assert_non_null(strstr(err.msg, "nothing imported"));
        assert_int_equal(added, 99);
        free(text);
    }
    assert_int_equal(agency_desk_holidays_import(fx->st, AGENCY_LOCAL, "health", "", 0, NULL, NULL),
                     HR_EINVAL);
    list = holidays(fx, "health");
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);
}

static void holidays_clear_removes_every_date(void **state)
{
    struct fixture *fx = *state;
    size_t len, removed = 0;
    char *ics = read_fixture("holidays.ics", &len);
    json_t *list;

    assert_int_equal(
        agency_desk_holidays_import(fx->st, AGENCY_LOCAL, "health", ics, len, NULL, NULL), HR_OK);
    assert_int_equal(agency_desk_holidays_clear(fx->st, AGENCY_LOCAL, "health", &removed, NULL),
                     HR_OK);
    assert_true(removed >= 6);
    list = holidays(fx, "health");
    assert_int_equal(json_array_size(list), 0);
    json_decref(list);
    free(ics);
}

static int64_t deadline_of(struct fixture *fx, const char *account, int64_t opened)
{
    struct store_txn *txn = NULL;
    int64_t out = 0;

    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    assert_int_equal(agency_deadline_ms(txn, account, opened, &out, NULL), HR_OK);
    store_txn_abort(txn);
    return out;
}

static void the_account_deadline_reads_its_settings_and_imported_holidays(void **state)
{
    struct fixture *fx = *state;
    size_t len;
    char *ics = read_fixture("holidays.ics", &len);

    unsetenv("TZ"); /* the default zone: UTC */
    /* defaults: 3d, mon-fri 09:00-17:00 UTC; Monday 10:00 -> Thursday 17:00 */
    assert_true(deadline_of(fx, "health", utc(2026, 11, 30, 10, 0)) == utc(2026, 12, 3, 17, 0));
    assert_int_equal(
        agency_desk_set(fx->st, AGENCY_LOCAL, "health", "timezone", "Europe/Berlin", NULL), HR_OK);
    assert_int_equal(
        agency_desk_holidays_import(fx->st, AGENCY_LOCAL, "health", ics, len, NULL, NULL), HR_OK);
    /* Wednesday 23 December: 24-26 are holidays -> Mon 28, Tue 29, Wed 30, 17:00 CET */
    assert_true(deadline_of(fx, "health", utc(2026, 12, 23, 9, 0)) == utc(2026, 12, 30, 16, 0));
    assert_int_equal(agency_desk_set(fx->st, AGENCY_LOCAL, "health", "deadline", "4h", NULL),
                     HR_OK);
    assert_int_equal(agency_desk_set(fx->st, AGENCY_LOCAL, "health", "hours", "08:00-12:00", NULL),
                     HR_OK);
    assert_int_equal(agency_desk_set(fx->st, AGENCY_LOCAL, "health", "weekdays", "mon,wed", NULL),
                     HR_OK);
    /* Tuesday 2026-12-01 10:00 CET is no working day: Wednesday 08:00-12:00 */
    assert_true(deadline_of(fx, "health", utc(2026, 12, 1, 9, 0)) == utc(2026, 12, 2, 11, 0));
    free(ics);
}

static void a_case_is_overdue_only_unanswered_open_and_past_its_deadline(void **state)
{
    json_t *c = json_pack("{s:s,s:I}", "status", "new", "deadline_ms", (json_int_t)1000);

    (void)state;
    assert_false(agency_case_overdue(c, 999));
    assert_true(agency_case_overdue(c, 1000));
    json_object_set_new(c, "status", json_string("closed"));
    assert_false(agency_case_overdue(c, 5000));
    json_object_set_new(c, "status", json_string("answered"));
    json_object_set_new(c, "first_answer_ms", json_integer(900));
    assert_false(agency_case_overdue(c, 5000));
    json_decref(c);
}

int main(void)
{
    const struct CMUnitTest t[] = {
        cmocka_unit_test(hours_skip_the_weekend),
        cmocka_unit_test(a_case_opened_out_of_hours_starts_at_the_next_working_morning),
        cmocka_unit_test(days_end_at_the_close_of_the_nth_working_day_after_receipt),
        cmocka_unit_test(holidays_are_not_working_days),
        cmocka_unit_test(deadlines_follow_berlin_across_both_dst_changes),
        cmocka_unit_test(a_working_day_of_25_hours_counts_25_hours),
        cmocka_unit_test(working_hours_and_working_days_differ),
        cmocka_unit_test(the_zone_decides_the_working_day),
        cmocka_unit_test(a_case_is_overdue_only_unanswered_open_and_past_its_deadline),
        cmocka_unit_test_setup_teardown(
            each_bad_setting_is_refused_with_a_clear_error_and_nothing_stored, setup, teardown),
        cmocka_unit_test_setup_teardown(a_setting_is_stored_and_an_empty_value_resets_it, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(only_an_admin_of_the_account_changes_its_desk, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(an_ics_file_gives_its_all_day_and_recurring_holidays, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_file_that_is_not_icalendar_or_is_broken_stores_nothing,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(holidays_clear_removes_every_date, setup, teardown),
        cmocka_unit_test_setup_teardown(
            the_account_deadline_reads_its_settings_and_imported_holidays, setup, teardown),
    };
    return cmocka_run_group_tests(t, group_setup, group_teardown);
}
