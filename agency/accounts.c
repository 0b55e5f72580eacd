/* agency/accounts.c - accounts belong to the agency; each has a kind that peers and
 * citizens can see (DESIGN.md problem 1: agency vs. an official's personal account). */
#include "agency/agency_int.h"
#include "keys/keys.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *const kinds[] = {"agency", "department", "official", "service"};

bool agency_kind_valid(const char *kind)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kind != NULL && strcmp(kind, kinds[i]) == 0)
            return true;
    return false;
}

static int check_text(const char *what, const char *s, struct hr_err *err)
{
    size_t n = s ? strlen(s) : 0;

    if (n > AGENCY_TEXT_MAX)
        return hr_fail(err, HR_EINVAL, "%s is longer than %d bytes", what, AGENCY_TEXT_MAX);
    if (!hr_utf8_valid(s ? s : "", n))
        return hr_fail(err, HR_EINVAL, "%s is not valid UTF-8", what);
    return HR_OK;
}

static int check_input(const char *name, const char *kind, const char *display,
                       const char *summary, struct hr_err *err)
{
    if (!hr_name_valid(name))
        return hr_fail(err, HR_EINVAL,
                       "bad account name '%.40s': use 1-30 of a-z, 0-9 and _ (not first)",
                       name ? name : "");
    if (!agency_kind_valid(kind))
        return hr_fail(err, HR_EINVAL, "unknown kind '%.20s': use agency, department, official "
                                       "or service", kind ? kind : "");
    if (check_text("display name", display, err) != HR_OK)
        return HR_EINVAL;
    return check_text("summary", summary, err);
}

int agency_account_add(struct store *st, const char *by, const char *name, const char *kind,
                       const char *display, const char *summary, struct hr_err *err)
{
    struct agency_account_new in = {.name = name, .kind = kind, .display = display,
                                    .summary = summary};

    return agency_account_create(st, by, &in, err);
}

int agency_account_create(struct store *st, const char *by, const struct agency_account_new *in,
                          struct hr_err *err)
{
    const char *name = in->name, *kind = in->kind, *display = in->display;
    const char *summary = in->summary;
    struct store_account a = {0};
    struct store_txn *txn = NULL;
    int rc = check_input(name, kind, display, summary, err);

    if (rc != HR_OK)
        return rc;
    /* the parent rules are checked before the slow key generation, and again in the txn */
    rc = store_txn_begin(st, STORE_READ, &txn, err);
    if (rc == HR_OK)
        rc = agency_parent_check(txn, name, kind, in->parent, err);
    store_txn_abort(txn);
    txn = NULL;
    if (rc != HR_OK)
        return rc;
    /* keys are made before the transaction: generation is slow and the writer lock is shared */
    rc = keys_rsa_generate(&a.rsa_priv_pem, &a.rsa_pub_pem, err);
    if (rc == HR_OK)
        rc = keys_ed25519_generate(&a.ed_priv_pem, &a.ed_pub_multibase, err);
    a.name = (char *)(uintptr_t)name;
    a.kind = (char *)(uintptr_t)kind;
    a.display_name = (char *)(uintptr_t)(display ? display : "");
    a.summary = (char *)(uintptr_t)(summary ? summary : "");
    a.created_ms = hr_now_ms();
    if (rc == HR_OK)
        rc = store_txn_begin(st, STORE_WRITE, &txn, err);
    if (rc == HR_OK)
        rc = agency_parent_check(txn, name, kind, in->parent, err);
    if (rc == HR_OK)
        rc = agency_parent_profile(txn, in->parent, &a.profile, err);
    if (rc == HR_OK)
        rc = store_account_add(txn, &a, err);
    if (rc == HR_OK)
        rc = agency_audit(txn, by, "account.add", name, kind, err);
    if (rc == HR_OK) {
        rc = store_txn_commit(txn, err);
        txn = NULL;
    }
    store_txn_abort(txn);
    keys_secret_free(a.rsa_priv_pem);
    keys_secret_free(a.ed_priv_pem);
    free(a.rsa_pub_pem);
    free(a.ed_pub_multibase);
    free(a.profile);
    return rc;
}
