/* federation/ssrf.c - which addresses outbound requests may connect to.
 * A remote document (actor, key, object) names URLs that we then fetch; without this
 * check a peer could make Herald request its own admin API, the cloud metadata service or
 * anything else on the internal network (server-side request forgery). The check runs
 * on the address curl is about to connect to (http.c), after DNS, so a name that
 * resolves to a private address is refused too. Ranges: IANA special-purpose registries
 * (RFC 6890), as GoToSocial's sanitizer uses them. */
#include "federation/http.h"

#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

struct v4_net {
    uint32_t net;
    unsigned bits;
};

#define V4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))

static const struct v4_net v4_refused[] = {
    {V4(0, 0, 0, 0), 8},       /* "this network"; 0.0.0.0 reaches localhost (CVE-2026-33693) */
    {V4(10, 0, 0, 0), 8},      /* private (RFC 1918) */
    {V4(100, 64, 0, 0), 10},   /* shared address space, CGNAT (RFC 6598) */
    {V4(127, 0, 0, 0), 8},     /* loopback */
    {V4(169, 254, 0, 0), 16},  /* link-local: cloud metadata at 169.254.169.254 */
    {V4(172, 16, 0, 0), 12},   /* private (RFC 1918) */
    {V4(192, 0, 0, 0), 24},    /* IETF protocol assignments */
    {V4(192, 0, 2, 0), 24},    /* documentation TEST-NET-1 */
    {V4(192, 31, 196, 0), 24}, /* AS112-v4 */
    {V4(192, 52, 193, 0), 24}, /* AMT */
    {V4(192, 88, 99, 0), 24},  /* deprecated 6to4 relay anycast */
    {V4(192, 168, 0, 0), 16},  /* private (RFC 1918) */
    {V4(192, 175, 48, 0), 24}, /* direct delegation AS112 */
    {V4(198, 18, 0, 0), 15},   /* benchmarking */
    {V4(198, 51, 100, 0), 24}, /* documentation TEST-NET-2 */
    {V4(203, 0, 113, 0), 24},  /* documentation TEST-NET-3 */
    {V4(224, 0, 0, 0), 4},     /* multicast */
    {V4(240, 0, 0, 0), 4},     /* reserved, and the broadcast 255.255.255.255 */
};

struct v6_net {
    unsigned char net[16];
    unsigned bits;
};

/* Holes in 2000::/3, the only IPv6 block we connect to. */
static const struct v6_net v6_refused[] = {
    {{0x20, 0x01}, 23},                         /* IETF assignments: Teredo, ORCHID, benchmarking */
    {{0x20, 0x01, 0x0d, 0xb8}, 32},             /* documentation */
    {{0x20, 0x02}, 16},                         /* 6to4: a tunnel to any embedded IPv4 */
    {{0x26, 0x20, 0x00, 0x4f, 0x80, 0x00}, 48}, /* AS112-v6 direct delegation */
    {{0x3f, 0xff}, 20},                         /* documentation (RFC 9637) */
};

static bool v4_is_public(uint32_t a)
{
    size_t i;

    for (i = 0; i < sizeof v4_refused / sizeof v4_refused[0]; i++) {
        uint32_t mask = ~(uint32_t)0 << (32 - v4_refused[i].bits);

        if ((a & mask) == v4_refused[i].net)
            return false;
    }
    return true;
}

static bool v6_in(const unsigned char a[16], const struct v6_net *n)
{
    unsigned full = n->bits / 8, rest = n->bits % 8;

    if (memcmp(a, n->net, full) != 0)
        return false;
    if (rest == 0)
        return true;
    return ((a[full] ^ n->net[full]) & (0xffu << (8 - rest)) & 0xffu) == 0;
}

/* IPv6 forms that carry an IPv4 address in their last 32 bits and reach it: mapped
 * (::ffff:a.b.c.d), compatible (::a.b.c.d, which includes :: and ::1; Mastodon
 * GHSA-vwhj-3g83-v276) and NAT64 (64:ff9b::/96 well-known, 64:ff9b:1::/48 local use). */
static bool v6_embedded_v4(const unsigned char a[16], uint32_t *v4)
{
    static const unsigned char zero[12];
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const unsigned char nat64[12] = {0, 0x64, 0xff, 0x9b};
    static const unsigned char nat64_local[6] = {0, 0x64, 0xff, 0x9b, 0, 1};

    if (memcmp(a, zero, 12) != 0 && memcmp(a, mapped, 12) != 0 && memcmp(a, nat64, 12) != 0 &&
        memcmp(a, nat64_local, 6) != 0)
        return false;
    *v4 = V4(a[12], a[13], a[14], a[15]);
    return true;
}

static bool v6_is_public(const unsigned char a[16])
{
    uint32_t v4;
    size_t i;

    /* Judged by the IPv4 inside first, so the rule stays right if a NAT64 prefix is
     * ever allowed; today all these forms lie outside 2000::/3 and end up refused. */
    if (v6_embedded_v4(a, &v4) && !v4_is_public(v4))
        return false;
    if ((a[0] & 0xe0) != 0x20) /* not 2000::/3 global unicast */
        return false;
    for (i = 0; i < sizeof v6_refused / sizeof v6_refused[0]; i++) {
        if (v6_in(a, &v6_refused[i]))
            return false;
    }
    return true;
}

bool fed_addr_is_public(const struct sockaddr *sa)
{
    struct sockaddr_in in4;
    struct sockaddr_in6 in6;

    if (sa == NULL)
        return false;
    /* memcpy: SA may come from curl's struct curl_sockaddr, not aligned for either type. */
    if (sa->sa_family == AF_INET) {
        memcpy(&in4, sa, sizeof in4);
        return v4_is_public(ntohl(in4.sin_addr.s_addr));
    }
    if (sa->sa_family == AF_INET6) {
        memcpy(&in6, sa, sizeof in6);
        return v6_is_public(in6.sin6_addr.s6_addr);
    }
    return false;
}
