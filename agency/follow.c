/* agency/follow.c - an agency account following another server's account (audited). */
#include "agency/agency_int.h"
#include "federation/fed.h"

#include <stdio.h>
#include <string.h>

struct follow_op {
    struct fed *fed;
    const char *by, *account, *actor;
    const struct fed_remote *target;
    bool on;
    struct hr_err *err;
};

static int follow_txn(struct store_txn *txn, void *ctx)
{
    struct follow_op *o = ctx;
    struct store_account a = {0};
    char target[600];
    int rc = store_account_get(txn, o->account, &a, o->err);

    store_account_fini(&a);
    if (rc == HR_OK)
        rc = agency_may_txn(txn, o->by, AGENCY_FOLLOW, o->account, NULL, o->err);
    if (rc == HR_OK)
        rc = o->on ? fed_follow(o->fed, txn, o->account, o->target, o->err)
                   : fed_unfollow(o->fed, txn, o->account, o->actor, o->err);
    snprintf(target, sizeof target, "%s/%.500s", o->account, o->actor);
    if (rc == HR_OK)
        rc = agency_audit(txn, o->by, o->on ? "follow.request" : "follow.undo", target, "",
                          o->err);
    return rc;
}

int agency_follow(struct store *st, struct fed *fed, const char *by, const char *account,
                  const char *handle, char *actor_out, size_t cap, struct hr_err *err)
{
    struct fed_remote r = {0};
    struct follow_op o = {.fed = fed, .by = by, .account = account, .on = true, .err = err};
    int rc = hr_name_valid(account) ? fed_resolve_actor(fed, handle, &r, err)
                                    : hr_fail(err, HR_EINVAL, "bad account name");

    o.target = &r;
    o.actor = r.actor;
    if (rc == HR_OK)
        rc = agency_write(st, follow_txn, &o, err);
    if (rc == HR_OK) {
        snprintf(actor_out, cap, "%s", r.actor);
        fed_wake(fed);
    }
    fed_remote_fini(&r);
    return rc;
}

int agency_unfollow(struct store *st, struct fed *fed, const char *by, const char *account,
                    const char *handle, struct hr_err *err)
{
    struct fed_remote r = {0};
    struct follow_op o = {.fed = fed, .by = by, .account = account, .actor = handle,
                          .on = false, .err = err};
    int rc;

    /* a handle is resolved; an actor URL is taken as it is (the server may be gone) */
    if (strncmp(handle, "http", 4) != 0) {
        rc = fed_resolve_actor(fed, handle, &r, err);
        if (rc != HR_OK)
            return rc;
        o.actor = r.actor;
    }
    rc = agency_write(st, follow_txn, &o, err);
    if (rc == HR_OK)
        fed_wake(fed);
    fed_remote_fini(&r);
    return rc;
}
