/* agency/gauges.c - what /metrics reads from the store at each scrape (issue #12 part 6):
 * the delivery queue, posts per account, open and overdue cases per department, watchdog
 * alarms per kind. One read transaction: the figures agree with each other. Counters of
 * things that happen (requests, inbox outcomes, deliveries) live in memory elsewhere. */
#include "agency/agency_int.h"
#include "keys/keys.h"

#include <string.h>

static void bump(json_t *obj, const char *label)
{
    json_object_set_new(obj, label,
                        json_integer(json_integer_value(json_object_get(obj, label)) + 1));
}

struct gauge_ctx {
    struct store_txn *txn;
    int64_t now;
    json_t *out;
};

static int posts_cb(const struct store_account *a, void *ctx)
{
    struct gauge_ctx *g = ctx;

    json_object_set_new(json_object_get(g->out, "posts"), a->name,
                        json_integer((json_int_t)store_outbox_count(g->txn, a->name)));
    return 0;
}

/* Open: not closed (new, assigned, answered). Overdue: not answered yet (new or assigned)
 * and past its deadline on the desk's clock. */
static int case_cb(const json_t *c, void *ctx)
{
    struct gauge_ctx *g = ctx;
    const char *st = json_string_value(json_object_get(c, "status"));
    const char *dep = json_string_value(json_object_get(c, "department"));
    json_t *dl = json_object_get(c, "deadline_ms");

    if (st == NULL || dep == NULL || strcmp(st, "closed") == 0)
        return 0;
    bump(json_object_get(g->out, "cases_open"), dep);
    if ((strcmp(st, "new") == 0 || strcmp(st, "assigned") == 0) && json_is_integer(dl) &&
        json_integer_value(dl) < g->now)
        bump(json_object_get(g->out, "cases_overdue"), dep);
    return 0;
}

/* STORE_T_DESK 'w' NUL key -> {"kind", ...}: an alarm that is up (a cleared one carries
 * "cleared_ms" or is gone). */
static int alarm_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct gauge_ctx *g = ctx;
    json_t *a = json_loadb(v, vlen, 0, NULL);
    const char *kind = json_string_value(json_object_get(a, "kind"));

    (void)k, (void)klen;
    if (kind != NULL && json_object_get(a, "cleared_ms") == NULL)
        bump(json_object_get(g->out, "alarms"), kind);
    json_decref(a);
    return 0;
}

int agency_gauges(struct store *st, int64_t now_ms, json_t **out, struct hr_err *err)
{
    static const char alarms[2] = {'w', '\0'};
    struct gauge_ctx g = {.now = now_ms};
    int64_t oldest;
    int rc;

    *out = NULL;
    g.out = json_pack("{s:{},s:{},s:{},s:{}}", "posts", "cases_open", "cases_overdue", "alarms");
    if (g.out == NULL)
        return hr_fail(err, HR_ENOMEM, "metrics");
    rc = store_txn_begin(st, STORE_READ, &g.txn, err);
    if (rc == HR_OK) {
        oldest = store_delivery_oldest_ms(g.txn);
        json_object_set_new(g.out, "queue_depth",
                            json_integer((json_int_t)store_delivery_count(g.txn)));
        json_object_set_new(g.out, "queue_oldest_ms",
                            json_integer(oldest == INT64_MAX ? 0 : (json_int_t)oldest));
        rc = store_account_each(g.txn, posts_cb, &g, err);
    }
    if (rc == HR_OK)
        rc = agency_case_each(g.txn, case_cb, &g, err);
    if (rc == HR_OK)
        rc = store_rec_each(g.txn, STORE_T_DESK, alarms, sizeof alarms, false, alarm_cb, &g, err);
    store_txn_abort(g.txn);
    if (rc != HR_OK) {
        json_decref(g.out);
        return rc;
    }
    *out = g.out;
    return HR_OK;
}

bool agency_token_equal(const char *given, const char *want)
{
    unsigned char a[32], w[32];

    /* digests of equal length: neither the content nor the length of WANT shows in the
     * time the comparison takes */
    keys_sha256(given, strlen(given), a);
    keys_sha256(want, strlen(want), w);
    return want[0] != '\0' && keys_equal_ct(a, w, sizeof a);
}
