/* agency/calendar.c - deadlines counted in an account's working calendar: time zone,
 * weekdays, hours and holidays (imported from iCalendar files with libical); docs/desk.md.
 * FOUNDATION STUB: three calendar days; issue #12 part 2 (helper B). */
#include "agency/agency_int.h"

int agency_deadline_ms(struct store_txn *txn, const char *account, int64_t opened_ms,
                       int64_t *out, struct hr_err *err)
{
    (void)txn, (void)account, (void)err;
    *out = opened_ms + 3 * 86400000LL; /* STUB: helper B */
    return HR_OK;
}
