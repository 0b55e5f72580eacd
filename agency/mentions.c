/* agency/mentions.c - a draft's @user@host mentions and its language, settled when the
 * draft is made (before the write transaction; federation/mentions.c does the looking
 * up): a name that does not resolve is the author's error now, not a failure at publish. */
#include "agency/agency_int.h"
#include "federation/fed.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

int agency_draft_mentions(struct store *st, struct fed *fed, const char *account,
                          const struct agency_draft_input *in, json_t **out, struct hr_err *err)
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
    (void)err; /* nothing here fails: an unreadable account gets the instance default */
    if (account != NULL && store_txn_begin(st, STORE_READ, &txn, NULL) == HR_OK)
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

static bool alnum_run(const char *s, size_t n, size_t min, size_t max, bool letters_only)
{
    if (n < min || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = (char)(s[i] | 0x20);
        bool letter = c >= 'a' && c <= 'z', digit = s[i] >= '0' && s[i] <= '9';
        if (!letter && !(digit && !letters_only))
            return false;
    }
    return true;
}

bool agency_language_valid(const char *tag)
{
    size_t n = tag ? strlen(tag) : 0, first = tag ? strcspn(tag, "-") : 0;
    const char *p;

    if (n == 0 || n > 35 || !alnum_run(tag, first, 2, 3, true))
        return false;
    for (p = tag + first; *p == '-'; p += 1 + strcspn(p + 1, "-"))
        if (!alnum_run(p + 1, strcspn(p + 1, "-"), 1, 8, false))
            return false;
    return *p == '\0';
}
