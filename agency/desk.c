/* agency/desk.c - each account's desk settings: its default department, the deadline for a
 * first answer and the working calendar it is counted in, the automatic acknowledgement,
 * the watchdog's silence limit (docs/desk.md). FOUNDATION: the getter is real; setting and
 * checking them is issue #12 part 2 (helper B). */
#include "agency/agency_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int agency_desk_settings(struct store_txn *txn, const char *account, json_t **out,
                         struct hr_err *err)
{
    char key[80];
    int n = snprintf(key, sizeof key, "a%c%s", '\0', account);
    char *v = NULL;
    size_t len = 0;
    int rc;

    *out = NULL;
    if (n <= 0 || (size_t)n >= sizeof key)
        return hr_fail(err, HR_EINVAL, "account name too long");
    rc = store_rec_get(txn, STORE_T_DESK, key, (size_t)n, &v, &len, err);
    if (rc == HR_ENOTFOUND) {
        *out = json_object();
        return *out ? HR_OK : hr_fail(err, HR_ENOMEM, "desk settings");
    }
    if (rc != HR_OK)
        return rc;
    *out = json_loadb(v, len, 0, NULL);
    free(v);
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return hr_fail(err, HR_EIO, "desk settings of %s: unreadable record", account);
    }
    return HR_OK;
}
