/* agency/mentions.c - a draft's @user@host mentions and its language, settled when the
 * draft is made (before the write transaction; federation/mentions.c does the looking
 * up): a name that does not resolve is the author's error now, not a failure at publish. */
#include "agency/agency_int.h"
#include "federation/fed.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

int agency_draft_mentions(struct store *st, struct fed *fed, const char *account,
                          const struct agency_draft_input *in, json_t **out,
                          struct hr_err *err)
{
    (void)st, (void)account;
    return fed_mentions_resolve(fed, in->text, out, err);
}

int agency_draft_language(struct store *st, struct fed *fed, const char *account,
                          const struct agency_draft_input *in, char *out, size_t cap,
                          struct hr_err *err)
{
    struct store_txn *txn = NULL;
    struct store_account a = {0};
    json_t *profile = NULL;
    const char *lang;
    int rc = HR_OK;

    if (in->language != NULL) {
        snprintf(out, cap, "%s", in->language);
        return HR_OK;
    }
    if (account != NULL && store_txn_begin(st, STORE_READ, &txn, err) == HR_OK)
        rc = store_account_get(txn, account, &a, NULL);
    store_txn_abort(txn);
    profile = rc == HR_OK && a.profile ? json_loads(a.profile, 0, NULL) : NULL;
    lang = json_string_value(json_object_get(profile, "language"));
    if (lang != NULL && lang[0] != '\0')
        snprintf(out, cap, "%s", lang);
    else
        fed_language_default(fed, out, cap);
    json_decref(profile);
    store_account_fini(&a);
    return HR_OK;
}
