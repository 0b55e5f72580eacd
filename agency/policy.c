/* agency/policy.c - the publishing policy of each account: how many approvals a post
 * needs before it goes out (0-3). */
#include "agency/agency_int.h"

#include <stdio.h>
#include <string.h>

#define APPROVALS_MAX 3

static unsigned kind_default(const char *kind)
{
    /* an agency or department speaks for the institution: four eyes by default */
    return strcmp(kind, "agency") == 0 || strcmp(kind, "department") == 0 ? 1 : 0;
}

int agency_approvals_required(struct store_txn *txn, const char *account, unsigned *out,
                              struct hr_err *err)
{
    struct store_account a = {0};
    json_t *p = NULL;
    int rc = store_account_get(txn, account, &a, err);

    if (rc != HR_OK)
        return rc;
    *out = kind_default(a.kind);
    store_account_fini(&a);
    if (agency_rec_json(txn, STORE_T_POLICY, account, &p, NULL) == HR_OK &&
        json_is_integer(json_object_get(p, "approvals")))
        *out = (unsigned)json_integer_value(json_object_get(p, "approvals"));
    json_decref(p);
    return HR_OK;
}

struct set_ctx {
    const char *by, *account;
    unsigned n;
    struct hr_err *err;
};

static int set_txn(struct store_txn *txn, void *ctx)
{
    struct set_ctx *c = ctx;
    struct store_account a = {0};
    char details[64];
    json_t *p;
    int rc = store_account_get(txn, c->account, &a, c->err);

    store_account_fini(&a);
    if (rc != HR_OK)
        return rc;
    p = json_pack("{s:i}", "approvals", (int)c->n);
    rc = p ? agency_rec_put_json(txn, STORE_T_POLICY, c->account, p, 0, c->err)
           : hr_fail(c->err, HR_ENOMEM, "policy");
    json_decref(p);
    snprintf(details, sizeof details, "approvals=%u", c->n);
    return rc == HR_OK ? agency_audit(txn, c->by, "account.policy", c->account, details, c->err)
                       : rc;
}

int agency_set_approvals(struct store *st, const char *by, const char *account, unsigned n,
                         struct hr_err *err)
{
    struct set_ctx c = {.by = by, .account = account, .n = n, .err = err};

    if (n > APPROVALS_MAX)
        return hr_fail(err, HR_EINVAL, "approvals must be 0 to %d", APPROVALS_MAX);
    if (!hr_name_valid(account))
        return hr_fail(err, HR_EINVAL, "bad account name");
    return agency_write(st, set_txn, &c, err);
}
