/* tests/unit/federation/test_regdomain.c - registrable domains from the Public Suffix List. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "federation/fed_int.h"

static const struct {
    const char *host, *want;
} cases[] = {
    {"example.com", "example.com"},
    {"a.b.example.com", "example.com"},
    {"Mastodon.Social", "mastodon.social"},
    {"x.y.example.co.uk", "example.co.uk"},
    {"someone.github.io", "someone.github.io"}, /* github.io is a public suffix */
    {"deep.someone.github.io", "someone.github.io"},
    {"social.city.example:8443", "city.example"},
    {"127.0.0.1", "127.0.0.1"},
    {"127.0.0.2:8080", "127.0.0.2"},
    {"[::1]:8080", "[::1]:8080"},
    {"localhost", "localhost"},
    {"co.uk", "co.uk"}, /* a bare suffix is its own domain */
};

static void every_host_maps_to_the_registrable_domain_in_the_table(void **state)
{
    char out[256];

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(fed_reg_domain(cases[i].host, out, sizeof out), HR_OK);
        if (strcmp(out, cases[i].want) != 0)
            fail_msg("%s -> %s, want %s", cases[i].host, out, cases[i].want);
    }
}

static void empty_or_oversized_hosts_are_refused(void **state)
{
    char out[8];

    (void)state;
    assert_int_equal(fed_reg_domain("", out, sizeof out), HR_EINVAL);
    assert_int_equal(fed_reg_domain(":80", out, sizeof out), HR_EINVAL);
    assert_int_equal(fed_reg_domain("averylonghost.example", out, sizeof out), HR_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_host_maps_to_the_registrable_domain_in_the_table),
        cmocka_unit_test(empty_or_oversized_hosts_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
