/* tests/unit/server/test_report.c - the report's renderings (server/report_cli.c,
 * server/report_html.c): the period parsed from dates, CSV quoted as RFC 4180 says, and the
 * HTML page self-contained, escaped and balanced, in both languages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "server/report.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOW 1893456000000LL /* 2030-01-01T00:00:00Z */

/* A report of one account with a hostile name and parent, as agency/report.c shapes it. */
static json_t *sample(void)
{
    json_t *r = json_loads(
        "{\"period\":{\"from_ms\":0,\"to_ms\":1,\"from\":\"2030-01-01\",\"to\":\"2030-01-28\","
        "\"timezone\":\"UTC\"},\"accounts\":[{\"account\":\"a,\\\"b\\\"<script>&\","
        "\"parent\":\"line\\nbreak\",\"posts\":3,\"posts_per_week\":[2,0,1,0],"
        "\"approval_median_ms\":10800000,\"replies_per_post\":0.67,"
        "\"cases\":{\"opened\":5,\"share_within_deadline\":0.5,\"first_answer_median_ms\":null,"
        "\"first_answer_histogram\":[0,1,1,0,1,0]},"
        "\"indices\":{\"activity\":{\"score\":95.7},\"spread\":{\"score\":29.0},"
        "\"service\":{\"score\":null},\"interaction\":{\"score\":72.3}}}],"
        "\"departments\":[{\"department\":\"<dept>\",\"members\":[\"x<y\"],\"posts\":3,"
        "\"cases\":{\"opened\":1}}]}",
        0, NULL);
    assert_non_null(r);
    return r;
}

static char *render(const char *format, const char *lang)
{
    json_t *r = sample();
    char *out = NULL;
    const char *ct = NULL;

    assert_int_equal(report_render(r, format, lang, &out, &ct, NULL), HR_OK);
    json_decref(r);
    return out;
}

static size_t count(const char *s, const char *what)
{
    size_t n = 0;

    for (const char *p = strstr(s, what); p != NULL; p = strstr(p + 1, what))
        n++;
    return n;
}

static void csv_quotes_commas_quotes_and_line_breaks(void **state)
{
    char *csv = render("csv", "en");
    const char *row;

    (void)state;
    assert_true(strncmp(csv, "account,parent,from,to,posts,", 29) == 0);
    row = strstr(csv, "\r\n") + 2;
    /* a,"b"<script>& -> "a,""b""<script>&"; a line break in quotes too */
    assert_true(
        strncmp(row, "\"a,\"\"b\"\"<script>&\",\"line\nbreak\",2030-01-01,2030-01-28,3,", 56) == 0);
    assert_non_null(strstr(row, ",3.00,")); /* approval median: 3 hours */
    assert_non_null(strstr(row, ",0.5000,"));
    assert_non_null(strstr(row, ",95.7,29.0,,72.3\r\n")); /* null service: empty */
    assert_int_equal(count(csv, "\r\n"), 2);
    free(csv);
}

static void html_is_one_self_contained_escaped_page(void **state)
{
    char *html = render("html", "en");

    (void)state;
    assert_true(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    assert_non_null(strstr(html, "</html>"));
    assert_null(strstr(html, "<script")); /* the name is escaped, and we add none */
    assert_non_null(strstr(html, "a,&quot;b&quot;&lt;script&gt;&amp;"));
    assert_non_null(strstr(html, "&lt;dept&gt;"));
    assert_null(strstr(html, "src="));
    assert_null(strstr(html, "href="));
    assert_null(strstr(html, "http"));
    assert_int_equal(count(html, "<svg"), 3); /* indices, posts per week, first answers */
    assert_int_equal(count(html, "<svg"), count(html, "</svg>"));
    assert_int_equal(count(html, "<section"), count(html, "</section>"));
    assert_int_equal(count(html, "<table"), count(html, "</table>"));
    assert_int_equal(count(html, "<tr"), count(html, "</tr>"));
    assert_non_null(strstr(html, "@media print"));
    assert_non_null(strstr(html, "Posts per week"));
    free(html);
}

static void html_in_chinese_has_chinese_labels(void **state)
{
    char *html = render("html", "zh-CN");

    (void)state;
    assert_non_null(strstr(html, "<html lang=\"zh-CN\">"));
    assert_null(strstr(html, "Posts per week"));
    assert_null(strstr(html, "Evaluation report"));
    free(html);
}

static void an_unknown_format_is_refused(void **state)
{
    json_t *r = sample();
    char *out = NULL;
    const char *ct = NULL;
    struct hr_err err = {0};

    (void)state;
    assert_int_equal(report_render(r, "xml", "en", &out, &ct, &err), HR_EINVAL);
    assert_null(out);
    json_decref(r);
}

static void dates_are_days_of_the_time_zone_and_to_is_inclusive(void **state)
{
    struct agency_report_query q = {0};
    struct hr_err err = {0};

    (void)state;
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    assert_int_equal(report_period("2030-01-01", "2030-01-31", NOW, &q, &err), HR_OK);
    assert_int_equal(q.from_ms, NOW - 8 * 3600000LL); /* midnight in Beijing */
    assert_int_equal(q.to_ms - q.from_ms, 31 * REPORT_DAY_MS);
    assert_int_equal(report_period(NULL, NULL, NOW, &q, &err), HR_OK);
    assert_int_equal(q.to_ms, NOW);
    assert_int_equal(q.from_ms, NOW - 30 * REPORT_DAY_MS);
    setenv("TZ", "UTC", 1);
    tzset();
}

static void bad_dates_and_a_reversed_period_are_refused(void **state)
{
    static const char *const bad[] = {"2030-02-30",  "2030-13-01", "2030-1-01", "20300101",
                                      "2030-01-01x", "",           "yesterday", "1969-12-31"};
    struct agency_report_query q = {0};
    struct hr_err err = {0};

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(report_period(bad[i], NULL, NOW, &q, &err), HR_EINVAL);
        assert_non_null(strstr(err.msg, "date"));
        assert_int_equal(report_period(NULL, bad[i], NOW, &q, &err), HR_EINVAL);
    }
    assert_int_equal(report_period("2030-01-05", "2030-01-04", NOW, &q, &err), HR_EINVAL);
    assert_non_null(strstr(err.msg, "after"));
    assert_int_equal(report_period("2030-01-05", "2030-01-05", NOW, &q, &err), HR_OK); /* a day */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_quotes_commas_quotes_and_line_breaks),
        cmocka_unit_test(html_is_one_self_contained_escaped_page),
        cmocka_unit_test(html_in_chinese_has_chinese_labels),
        cmocka_unit_test(an_unknown_format_is_refused),
        cmocka_unit_test(dates_are_days_of_the_time_zone_and_to_is_inclusive),
        cmocka_unit_test(bad_dates_and_a_reversed_period_are_refused),
    };
    hr_i18n_init(HERALD_LOCALEDIR, NULL);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
