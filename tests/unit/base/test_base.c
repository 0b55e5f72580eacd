/* tests/unit/base/test_base.c - the string builder, parsers, dates, UTF-8 and names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/hr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void a_buffer_stops_at_its_limit_and_reports_it(void **state)
{
    struct hr_buf b;

    (void)state;
    hr_buf_init(&b, 8);
    hr_buf_adds(&b, "12345");
    hr_buf_adds(&b, "6789");
    assert_int_equal(b.err, HR_ETOOBIG);
    assert_null(hr_buf_take(&b));
}

static void a_buffer_formats_and_hands_over_its_string(void **state)
{
    struct hr_buf b;
    char *s;

    (void)state;
    hr_buf_init(&b, 64);
    hr_buf_addf(&b, "%s=%d", "n", 42);
    s = hr_buf_take(&b);
    assert_string_equal(s, "n=42");
    free(s);
}

static void html_escaping_covers_the_five_characters(void **state)
{
    struct hr_buf b;
    const char *in = "<a href=\"x\">'&'</a>";

    (void)state;
    hr_buf_init(&b, 256);
    hr_buf_add_html(&b, in, strlen(in));
    assert_string_equal(b.data, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    hr_buf_fini(&b);
}

/* U+202A..U+202E and U+2066..U+2069 become U+FFFD; their neighbours U+2029, U+202F,
 * U+2065, U+206A and the marks U+200E/U+200F pass, and so does a truncated sequence. */
static void html_escaping_neutralises_every_bidi_override_and_isolate(void **state)
{
    static const char *const controls[] = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
                                           "\u2066", "\u2067", "\u2068", "\u2069"};
    static const char *const kept[] = {"\u2029", "\u202f", "\u2065", "\u206a", "\u200e",
                                       "\u200f", "\xe2\x80", "\xe2"};
    struct hr_buf b;
    char in[32];

    (void)state;
    for (size_t i = 0; i < sizeof controls / sizeof controls[0]; i++) {
        snprintf(in, sizeof in, "a%sb<", controls[i]);
        hr_buf_init(&b, 256);
        hr_buf_add_html(&b, in, strlen(in));
        assert_string_equal(b.data, "a\xef\xbf\xbd" "b&lt;");
        hr_buf_fini(&b);
        hr_buf_init(&b, 256);
        hr_buf_add_markup(&b, in, strlen(in));
        assert_string_equal(b.data, "a\xef\xbf\xbd" "b<");
        hr_buf_fini(&b);
    }
    for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
        hr_buf_init(&b, 256);
        hr_buf_add_html(&b, kept[i], strlen(kept[i]));
        assert_string_equal(b.data, kept[i]);
        hr_buf_fini(&b);
    }
}

/* Our own markup passes as it is (no double escaping), only the controls change. */
static void markup_of_our_own_passes_but_for_bidi_controls(void **state)
{
    const char *in = "<p>a &amp; <a href=\"https://x.example/\">\u202ex</a></p>";
    struct hr_buf b;

    (void)state;
    hr_buf_init(&b, 256);
    hr_buf_add_markup(&b, in, strlen(in));
    assert_string_equal(b.data,
                        "<p>a &amp; <a href=\"https://x.example/\">\xef\xbf\xbdx</a></p>");
    hr_buf_fini(&b);
}

static void numbers_parse_strictly(void **state)
{
    uint64_t v = 0;

    (void)state;
    assert_int_equal(hr_parse_u64("42", 100, &v), HR_OK);
    assert_int_equal(v, 42);
    assert_int_equal(hr_parse_u64("101", 100, &v), HR_EINVAL);
    assert_int_equal(hr_parse_u64("-1", UINT64_MAX, &v), HR_EINVAL);
    assert_int_equal(hr_parse_u64(" 1", UINT64_MAX, &v), HR_EINVAL);
    assert_int_equal(hr_parse_u64("1x", UINT64_MAX, &v), HR_EINVAL);
    assert_int_equal(hr_parse_u64("", UINT64_MAX, &v), HR_EINVAL);
    assert_int_equal(hr_parse_u64("99999999999999999999999", UINT64_MAX, &v), HR_EINVAL);
}

static void http_dates_round_trip_and_garbage_is_refused(void **state)
{
    char s[32];
    int64_t ms = 0;

    (void)state;
    hr_http_date(784111777000, s);
    assert_string_equal(s, "Sun, 06 Nov 1994 08:49:37 GMT"); /* RFC 7231 §7.1.1.1 */
    assert_int_equal(hr_http_date_parse(s, &ms), HR_OK);
    assert_int_equal(ms, 784111777000);
    assert_int_equal(hr_http_date_parse("Sun, 06 Nov 1994 08:49:37 UTC", &ms), HR_EINVAL);
    assert_int_equal(hr_http_date_parse("Sun, 06 Foo 1994 08:49:37 GMT", &ms), HR_EINVAL);
    assert_int_equal(hr_http_date_parse("yesterday", &ms), HR_EINVAL);
    assert_int_equal(hr_http_date_parse("", &ms), HR_EINVAL);
}

static void utf8_validation_refuses_overlongs_surrogates_and_nul(void **state)
{
    (void)state;
    assert_true(hr_utf8_valid("gr\xc3\xbc\xc3\x9f", 6));
    assert_true(hr_utf8_valid("\xf0\x9f\x98\x80", 4));
    assert_false(hr_utf8_valid("\xc0\xaf", 2));         /* overlong '/' */
    assert_false(hr_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
    assert_false(hr_utf8_valid("a\0b", 3));
    assert_false(hr_utf8_valid("\xe2\x82", 2));         /* truncated */
    assert_false(hr_utf8_valid("\xff", 1));
}

static void account_names_are_lowercase_words(void **state)
{
    (void)state;
    assert_true(hr_name_valid("health"));
    assert_true(hr_name_valid("city_police2"));
    assert_false(hr_name_valid(""));
    assert_false(hr_name_valid("_x"));
    assert_false(hr_name_valid("Health"));
    assert_false(hr_name_valid("../etc"));
    assert_false(hr_name_valid("a/b"));
    assert_false(hr_name_valid("a%2Fb"));
    assert_false(hr_name_valid("abcdefghijabcdefghijabcdefghijk")); /* 31 */
}

static void error_messages_never_carry_line_breaks(void **state)
{
    struct hr_err err = {0};

    (void)state;
    assert_int_equal(hr_fail(&err, HR_EINVAL, "bad %s", "a\r\nInjected: 1"), HR_EINVAL);
    assert_null(strchr(err.msg, '\n'));
    assert_null(strchr(err.msg, '\r'));
}

struct item {
    int v;
    struct hr_link link;
};

static int item_v(struct hr_link *l)
{
    return l != NULL ? HR_CONTAINER(l, struct item, link)->v : -1;
}

static void a_fifo_keeps_order_and_appends_and_takes_whole(void **state)
{
    struct item it[5] = {{.v = 0}, {.v = 1}, {.v = 2}, {.v = 3}, {.v = 4}};
    struct hr_fifo q = {0}, other = {0};
    struct hr_link *chain;

    (void)state;
    assert_null(hr_fifo_pop(&q));
    hr_fifo_push(&q, &it[0].link);
    hr_fifo_push(&q, &it[1].link);
    assert_int_equal(item_v(hr_fifo_pop(&q)), 0);
    hr_fifo_push(&other, &it[2].link);
    hr_fifo_push(&other, &it[3].link);
    hr_fifo_append(&q, &other);
    assert_int_equal(other.n, 0);
    assert_null(other.head);
    hr_fifo_append(&q, &other); /* appending nothing changes nothing */
    hr_fifo_push(&q, &it[4].link);
    assert_int_equal(q.n, 4);
    assert_int_equal(item_v(hr_fifo_pop(&q)), 1);
    chain = hr_fifo_take(&q);
    assert_int_equal(q.n, 0);
    assert_null(hr_fifo_pop(&q));
    for (int want = 2; want <= 4; want++, chain = chain->next)
        assert_int_equal(item_v(chain), want);
    assert_null(chain);
    hr_fifo_append(&q, &other);
    assert_null(q.tail);
    hr_fifo_push(&q, &it[0].link); /* a drained queue is usable again */
    assert_int_equal(item_v(hr_fifo_pop(&q)), 0);
    assert_null(q.head);
    assert_null(q.tail);
}

static void fnv1a_matches_the_published_vectors_and_chains(void **state)
{
    (void)state;
    /* FNV-1a 64 reference values (Fowler/Noll/Vo test suite) */
    assert_true(hr_fnv1a_str("") == 0xcbf29ce484222325ull);
    assert_true(hr_fnv1a_str("a") == 0xaf63dc4c8601ec8cull);
    assert_true(hr_fnv1a_str("foobar") == 0x85944171f73967e8ull);
    assert_true(hr_fnv1a(hr_fnv1a(HR_FNV_INIT, "foo", 3), "bar", 3) == hr_fnv1a_str("foobar"));
}

static void a_rate_window_counts_each_key_exactly_and_resets(void **state)
{
    struct hr_rate *r = NULL;
    int64_t retry = 0;

    (void)state;
    assert_int_equal(hr_rate_new(0, 1000, &r), HR_EINVAL);
    assert_int_equal(hr_rate_new(8, 0, &r), HR_EINVAL);
    assert_int_equal(hr_rate_new(8, 60000, &r), HR_OK);
    for (int i = 0; i < 3; i++)
        assert_true(hr_rate_hit(r, "a.example", 3, 1000, &retry));
    assert_false(hr_rate_hit(r, "a.example", 3, 1000, &retry));
    assert_int_equal(retry, 60);
    assert_false(hr_rate_check(r, "a.example", 3, 2000, NULL));
    /* another key is never charged for a.example's events */
    assert_true(hr_rate_check(r, "b.example", 3, 2000, NULL));
    assert_true(hr_rate_hit(r, "b.example", 1, 2000, NULL));
    /* the window ends: a fresh allowance */
    assert_true(hr_rate_hit(r, "a.example", 3, 61000, &retry));
    assert_int_equal(retry, 60);
    hr_rate_free(r);
    hr_rate_free(NULL);
}

static void a_check_adds_no_key_and_a_window_starts_at_the_first_hit(void **state)
{
    struct hr_rate *r = NULL;

    (void)state;
    assert_int_equal(hr_rate_new(8, 300000, &r), HR_OK);
    /* as the failed-key cache uses it: checked at 0, failed at 299 s */
    assert_true(hr_rate_check(r, "https://k.example/a#key", 1, 0, NULL));
    assert_int_equal(hr_rate_size(r), 0);
    assert_true(hr_rate_hit(r, "https://k.example/a#key", 0, 299000, NULL) == false);
    /* remembered for the whole window from the failure, not from the earlier check */
    assert_false(hr_rate_check(r, "https://k.example/a#key", 1, 500000, NULL));
    assert_true(hr_rate_check(r, "https://k.example/a#key", 1, 599000, NULL));
    hr_rate_free(r);
}

static void a_full_rate_table_forgets_the_least_recently_used_key(void **state)
{
    struct hr_rate *r = NULL;
    char key[32];

    (void)state;
    assert_int_equal(hr_rate_new(4, 60000, &r), HR_OK);
    assert_true(hr_rate_hit(r, "victim", 1, 0, NULL));
    assert_false(hr_rate_hit(r, "victim", 1, 0, NULL));
    for (int i = 0; i < 3; i++) {
        snprintf(key, sizeof key, "k%d", i);
        assert_true(hr_rate_hit(r, key, 1, 0, NULL));
    }
    assert_false(hr_rate_hit(r, "victim", 1, 0, NULL)); /* still remembered: used recently */
    assert_int_equal(hr_rate_size(r), 4);
    for (int i = 3; i < 100; i++) {
        snprintf(key, sizeof key, "k%d", i);
        assert_true(hr_rate_hit(r, key, 1, 0, NULL));
    }
    assert_int_equal(hr_rate_size(r), 4);
    hr_rate_free(r);
}

static void xsd_datetimes_read_fractions_and_offsets(void **state)
{
    int64_t ms = 0;

    (void)state;
    assert_int_equal(hr_xsd_datetime_parse("2026-12-05T11:10:36Z", &ms), HR_OK);
    assert_int_equal(ms, 1796469036000LL);
    /* Fedify (Temporal.Instant) prints nanoseconds: kept to the millisecond */
    assert_int_equal(hr_xsd_datetime_parse("2026-12-05T11:10:36.085035907Z", &ms), HR_OK);
    assert_int_equal(ms, 1796469036085LL);
    assert_int_equal(hr_xsd_datetime_parse("2026-12-05T12:10:36.5+01:00", &ms), HR_OK);
    assert_int_equal(ms, 1796469036500LL);
    assert_int_equal(hr_xsd_datetime_parse("2026-12-05T10:40:36-00:30", &ms), HR_OK);
    assert_int_equal(ms, 1796469036000LL);
    for (const char *const *bad = (const char *const[]){"2026-12-05T11:10:36", "2026-12-05 11:10:36Z",
                                                        "2026-12-05T11:10:36.Z", "2026-12-05T11:10:36+1:00",
                                                        "2026-13-05T11:10:36Z", "2026-12-05T11:10:36Zjunk",
                                                        "yesterday", NULL};
         *bad; bad++)
        if (hr_xsd_datetime_parse(*bad, &ms) != HR_EINVAL)
            fail_msg("accepted %s", *bad);
}

int main(void)
{
    const struct CMUnitTest t[] = {
        cmocka_unit_test(xsd_datetimes_read_fractions_and_offsets),
        cmocka_unit_test(a_buffer_stops_at_its_limit_and_reports_it),
        cmocka_unit_test(a_buffer_formats_and_hands_over_its_string),
        cmocka_unit_test(html_escaping_covers_the_five_characters),
        cmocka_unit_test(html_escaping_neutralises_every_bidi_override_and_isolate),
        cmocka_unit_test(markup_of_our_own_passes_but_for_bidi_controls),
        cmocka_unit_test(numbers_parse_strictly),
        cmocka_unit_test(http_dates_round_trip_and_garbage_is_refused),
        cmocka_unit_test(utf8_validation_refuses_overlongs_surrogates_and_nul),
        cmocka_unit_test(account_names_are_lowercase_words),
        cmocka_unit_test(error_messages_never_carry_line_breaks),
        cmocka_unit_test(a_fifo_keeps_order_and_appends_and_takes_whole),
        cmocka_unit_test(fnv1a_matches_the_published_vectors_and_chains),
        cmocka_unit_test(a_rate_window_counts_each_key_exactly_and_resets),
        cmocka_unit_test(a_full_rate_table_forgets_the_least_recently_used_key),
        cmocka_unit_test(a_check_adds_no_key_and_a_window_starts_at_the_first_hit),
    };
    return cmocka_run_group_tests(t, NULL, NULL);
}
