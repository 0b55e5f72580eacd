/* tests/unit/federation/test_ssrf.c - fed_addr_is_public over a table of addresses:
 * every special-purpose IPv4 and IPv6 range, the IPv6 forms that embed an IPv4 address
 * (the Mastodon `::` and IPv4-compatible CVEs, Lemmy's 0.0.0.0), and public neighbours
 * just outside each refused range. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cmocka.h>

#include "federation/http.h"

struct addr_case {
    const char *addr;
    bool is_public;
};

/* One address a line reads as a table. */
/* clang-format off */
static const struct addr_case v4_cases[] = {
    {"8.8.8.8", true},
    {"1.1.1.1", true},
    {"11.0.0.1", true},
    {"0.0.0.0", false}, /* reaches localhost on Linux (CVE-2026-33693) */
    {"0.1.2.3", false},
    {"9.255.255.255", true},
    {"10.0.0.1", false},
    {"10.255.255.255", false},
    {"100.63.255.255", true},
    {"100.64.0.1", false},
    {"100.127.255.255", false},
    {"100.128.0.0", true},
    {"126.255.255.255", true},
    {"127.0.0.1", false},
    {"127.255.255.254", false},
    {"128.0.0.1", true},
    {"169.254.169.254", false}, /* cloud metadata */
    {"169.255.0.1", true},
    {"172.15.255.255", true},
    {"172.16.0.1", false},
    {"172.31.255.255", false},
    {"172.32.0.0", true},
    {"192.0.0.8", false},
    {"192.0.1.1", true},
    {"192.0.2.1", false},
    {"192.31.196.1", false},
    {"192.52.193.1", false},
    {"192.88.99.1", false},
    {"192.167.255.255", true},
    {"192.168.1.1", false},
    {"192.169.0.0", true},
    {"192.175.48.1", false},
    {"198.17.255.255", true},
    {"198.18.0.1", false},
    {"198.19.255.255", false},
    {"198.20.0.0", true},
    {"198.51.100.7", false},
    {"203.0.113.9", false},
    {"223.255.255.255", true},
    {"224.0.0.1", false},
    {"239.255.255.250", false},
    {"240.0.0.1", false},
    {"255.255.255.255", false}, /* broadcast */
};

static const struct addr_case v6_cases[] = {
    {"2606:4700::1111", true},
    {"2a00:1450:4001:82a::200e", true},
    {"2001:200::1", true}, /* just past 2001::/23 */
    {"2003::1", true},
    {"3fff:1000::1", true}, /* just past 3fff::/20 */
    {"::", false},          /* unspecified reaches loopback (CVE-2026-46348) */
    {"::1", false},
    {"::ffff:127.0.0.1", false}, /* IPv4-mapped */
    {"::ffff:10.0.0.1", false},
    {"::ffff:8.8.8.8", false}, /* mapped forms are outside 2000::/3 even when public */
    {"::127.0.0.1", false},    /* IPv4-compatible (GHSA-vwhj-3g83-v276) */
    {"::8.8.8.8", false},
    {"::ffff:0:7f00:1", false}, /* SIIT IPv4-translated */
    {"64:ff9b::7f00:1", false}, /* NAT64 of 127.0.0.1 */
    {"64:ff9b::808:808", false},
    {"64:ff9b:1::a00:1", false},
    {"100::1", false}, /* discard-only */
    {"1fff:ffff::1", false},
    {"fe80::1", false},
    {"febf::1", false},
    {"fc00::1", false},
    {"fd12:3456::1", false},
    {"fec0::1", false}, /* deprecated site-local */
    {"ff02::1", false},
    {"ff0e::1", false},
    {"2001::1", false}, /* Teredo */
    {"2001:0:4136:e378:8000:63bf:3fff:fdd2", false},
    {"2001:1ff::1", false},
    {"2001:db8::1", false},
    {"2001:db8:ffff::1", false},
    {"2002:7f00:1::", false}, /* 6to4 of 127.0.0.1 */
    {"2002:808:808::", false},
    {"2620:4f:8000::1", false},
    {"2620:4f:8001::1", true},
    {"3fff::1", false},
    {"3fff:fff::1", false},
    {"4000::1", false},
    {"e000::1", false},
};
/* clang-format on */

static void every_ipv4_address_is_judged_as_the_table_says(void **state)
{
    struct sockaddr_in sin;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof v4_cases / sizeof v4_cases[0]; i++) {
        memset(&sin, 0, sizeof sin);
        sin.sin_family = AF_INET;
        assert_int_equal(inet_pton(AF_INET, v4_cases[i].addr, &sin.sin_addr), 1);
        if (fed_addr_is_public((const struct sockaddr *)&sin) != v4_cases[i].is_public)
            fail_msg("%s should be %s", v4_cases[i].addr,
                     v4_cases[i].is_public ? "public" : "refused");
    }
}

static void every_ipv6_address_is_judged_as_the_table_says(void **state)
{
    struct sockaddr_in6 sin6;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof v6_cases / sizeof v6_cases[0]; i++) {
        memset(&sin6, 0, sizeof sin6);
        sin6.sin6_family = AF_INET6;
        assert_int_equal(inet_pton(AF_INET6, v6_cases[i].addr, &sin6.sin6_addr), 1);
        if (fed_addr_is_public((const struct sockaddr *)&sin6) != v6_cases[i].is_public)
            fail_msg("%s should be %s", v6_cases[i].addr,
                     v6_cases[i].is_public ? "public" : "refused");
    }
}

static void other_address_families_and_null_are_never_public(void **state)
{
    struct sockaddr_un sun;

    (void)state;
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    assert_false(fed_addr_is_public((const struct sockaddr *)&sun));
    assert_false(fed_addr_is_public(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_ipv4_address_is_judged_as_the_table_says),
        cmocka_unit_test(every_ipv6_address_is_judged_as_the_table_says),
        cmocka_unit_test(other_address_families_and_null_are_never_public),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
