/* agency/cases.c - the citizen desk's cases: a citizen's reply, mention or direct message
 * opens a case (or joins the open one of the same citizen and thread), routed to a
 * department, with a deadline; responders assign, answer (through the approval workflow)
 * and close it (docs/desk.md). FOUNDATION: agency_case_each is real; the rest is issue #12
 * part 1 (helper A). */
#include "agency/agency_int.h"
#include "federation/fed.h"

#include <stdlib.h>
#include <string.h>

struct each_ctx {
    int (*cb)(const json_t *c, void *ctx);
    void *ctx;
};

static int each_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct each_ctx *e = ctx;
    json_t *c = json_loadb(v, vlen, 0, NULL);
    int rc;

    (void)k, (void)klen;
    if (!json_is_object(c)) { /* a record we cannot read is skipped, not fatal to a report */
        json_decref(c);
        return HR_OK;
    }
    rc = e->cb(c, e->ctx);
    json_decref(c);
    return rc;
}

int agency_case_each(struct store_txn *txn, int (*cb)(const json_t *c, void *ctx), void *ctx,
                     struct hr_err *err)
{
    struct each_ctx e = {cb, ctx};

    return store_rec_each(txn, STORE_T_CASES, NULL, 0, false, each_cb, &e, err);
}

int agency_desk_note(void *ctx, struct store_txn *txn, const struct fed_desk_note *n,
                     struct hr_err *err)
{
    (void)ctx, (void)txn, (void)n, (void)err;
    return HR_OK; /* STUB: helper A */
}

int agency_case_draft_event(struct store_txn *txn, const char *action, const json_t *d,
                            struct hr_err *err)
{
    (void)txn, (void)action, (void)d, (void)err;
    return HR_OK; /* STUB: helper A */
}
