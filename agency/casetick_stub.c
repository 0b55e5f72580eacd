/* agency/casetick_stub.c - TEMPORARY (issue #12): agency_case_tick belongs to helper A
 * (agency/cases.c: due acknowledgements); this stub lets the watchdog's branch build alone.
 * The lead deletes this file when merging A's branch. */
#include "agency/agency_int.h"

int agency_case_tick(struct store *st, struct fed *fed, int64_t now_ms, struct hr_err *err)
{
    (void)st, (void)fed, (void)now_ms, (void)err;
    return HR_OK;
}
