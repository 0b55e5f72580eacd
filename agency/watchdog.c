/* agency/watchdog.c - the liveness watchdog: silent accounts, accounts nobody can publish
 * for, overdue cases, drafts waiting too long, hosts failing for a day (docs/desk.md).
 * FOUNDATION STUB: issue #12 part 4 (helper B). */
#include "agency/agency_int.h"

void agency_desk_tick(struct store *st, struct fed *fed, int64_t now_ms)
{
    (void)st, (void)fed, (void)now_ms; /* STUB: helper B */
}
