/* federation/knock.c - see knock.h. Remembered schemes are records of the store's
 * instance table under "knock:HOST" -> "cavage" | "rfc9421": they survive restarts, and
 * one write happens only when a second knock succeeded, so a host that takes both schemes
 * never flips (the first knock keeps working) and a host that takes one is learned once. */
#include "federation/knock.h"

#include "federation/fed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KNOCK_PREFIX "knock:"

void fed_knock_init(struct fed_knock *k, enum fed_scheme first)
{
    k->now = first;
    k->second = false;
}

enum fed_knock_step fed_knock_next(struct fed_knock *k, int rc, long status)
{
    if (rc != HR_OK) /* no answer: the next attempt starts over from the first scheme */
        return FED_KNOCK_DONE;
    if (!k->second && (status == 401 || status == 403)) {
        k->now = k->now == FED_SCHEME_CAVAGE ? FED_SCHEME_RFC9421 : FED_SCHEME_CAVAGE;
        k->second = true;
        return FED_KNOCK_AGAIN;
    }
    if (k->second && status >= 200 && status < 300)
        return FED_KNOCK_LEARNED;
    return FED_KNOCK_DONE;
}

static int knock_key(const char *host, char *out, size_t cap, struct hr_err *err)
{
    int n = snprintf(out, cap, KNOCK_PREFIX "%s", host != NULL ? host : "");

    if (host == NULL || host[0] == '\0' || n < 0 || (size_t)n >= cap)
        return hr_fail(err, HR_EINVAL, "knock: bad host");
    return HR_OK;
}

int fed_knock_get(struct store_txn *txn, const char *host, enum fed_scheme *out,
                  struct hr_err *err)
{
    char key[320], *v = NULL;
    size_t vlen = 0;
    int rc = knock_key(host, key, sizeof key, err);

    if (rc == HR_OK)
        rc = store_rec_get(txn, STORE_T_INSTANCE, key, strlen(key), &v, &vlen, err);
    if (rc == HR_OK)
        *out = strcmp(v, "rfc9421") == 0 ? FED_SCHEME_RFC9421 : FED_SCHEME_CAVAGE;
    free(v);
    return rc;
}

enum fed_scheme fed_knock_first(struct fed *fed, const char *host)
{
    enum fed_scheme def = fed->cfg.rfc9421_first ? FED_SCHEME_RFC9421 : FED_SCHEME_CAVAGE;
    enum fed_scheme got = def;
    struct store_txn *txn = NULL;

    if (store_txn_begin(fed->st, STORE_READ, &txn, NULL) == HR_OK &&
        fed_knock_get(txn, host, &got, NULL) != HR_OK)
        got = def;
    store_txn_abort(txn);
    return got;
}

static int count_one(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    (void)k, (void)klen, (void)v, (void)vlen;
    return ++*(size_t *)ctx >= FED_KNOCK_HOSTS_MAX; /* stops the walk at the bound */
}

int fed_knock_remember(struct store_txn *txn, const char *host, enum fed_scheme scheme,
                       struct hr_err *err)
{
    const char *v = scheme == FED_SCHEME_RFC9421 ? "rfc9421" : "cavage";
    enum fed_scheme old;
    char key[320];
    size_t n = 0;
    int rc = knock_key(host, key, sizeof key, err);

    if (rc != HR_OK)
        return rc;
    if (fed_knock_get(txn, host, &old, NULL) != HR_OK) { /* a new host: within the bound? */
        store_rec_each(txn, STORE_T_INSTANCE, KNOCK_PREFIX, strlen(KNOCK_PREFIX), false,
                       count_one, &n, NULL);
        if (n >= FED_KNOCK_HOSTS_MAX) {
            hr_log(HR_LOG_WARN, "deliver", "knock memory full (%d hosts), %s not remembered",
                   FED_KNOCK_HOSTS_MAX, host);
            return HR_OK;
        }
    }
    return store_rec_put(txn, STORE_T_INSTANCE, key, strlen(key), v, strlen(v), 0, err);
}
