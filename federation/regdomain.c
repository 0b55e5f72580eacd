/* federation/regdomain.c - the registrable domain of a host (a.b.example.co.uk ->
 * example.co.uk), from the Public Suffix List through libpsl: limits that count a remote
 * "domain" must count every subdomain of one registrant together, or an attacker with a
 * wildcard DNS record gets a fresh allowance per subdomain. A hand-made suffix list would
 * be wrong for co.uk, github.io and thousands more. */
#include "federation/fed_int.h"

#include <arpa/inet.h>
#include <libpsl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t psl_once = PTHREAD_ONCE_INIT;
static const psl_ctx_t *psl;

static void psl_init(void)
{
    /* the newer of libpsl's built-in list and Debian's publicsuffix package (kept for the
     * process: the context is read-only and shared by all threads) */
    psl = psl_latest(NULL);
    if (psl == NULL)
        psl = psl_builtin();
    if (psl == NULL)
        hr_log(HR_LOG_WARN, "fed", "no public suffix list: limits count each host on its own");
}

int fed_reg_domain(const char *host, char *out, size_t cap)
{
    char *lower = NULL;
    const char *reg = NULL;
    unsigned char addr[4];
    size_t n;

    n = strcspn(host, ":"); /* host[:port] -> host; an IPv6 literal keeps its brackets */
    if (host[0] == '[')
        n = strlen(host);
    if (n == 0 || n >= cap)
        return HR_EINVAL;
    memcpy(out, host, n);
    out[n] = '\0';
    if (host[0] == '[' || inet_pton(AF_INET, out, addr) == 1)
        return HR_OK; /* an address is its own domain */
    pthread_once(&psl_once, psl_init);
    if (psl != NULL && psl_str_to_utf8lower(out, "utf-8", NULL, &lower) == PSL_SUCCESS)
        reg = psl_registrable_domain(psl, lower);
    /* NULL: an IP address, a bare public suffix or a single label: the host itself */
    if (reg != NULL && strlen(reg) < cap)
        memmove(out, reg, strlen(reg) + 1);
    else if (lower != NULL && strlen(lower) < cap)
        memmove(out, lower, strlen(lower) + 1);
    psl_free_string(lower);
    return HR_OK;
}
