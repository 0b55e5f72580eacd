/* agency/events.c - what the desk and the publishing workflow tell the outside: events
 * (case.opened, case.overdue, case.answered, draft.submitted, draft.approved,
 * post.published, watchdog.alarm) delivered to the configured webhooks through the durable
 * delivery queue, signed with HMAC-SHA256 (docs/desk.md "Webhooks"). FOUNDATION STUB for
 * agency_event: issue #12 part 7 (helper D). */
#include "agency/agency_int.h"

#include <string.h>

int agency_event(struct store_txn *txn, const char *type, json_t *data, struct hr_err *err)
{
    (void)txn, (void)type, (void)err;
    json_decref(data);
    return HR_OK; /* STUB: helper D */
}

int agency_draft_event(struct store_txn *txn, const char *action, const json_t *d,
                       struct hr_err *err)
{
    static const struct {
        const char *action, *event;
    } map[] = {{"draft.submit", "draft.submitted"},
               {"draft.approve", "draft.approved"},
               {"post.publish", "post.published"}};
    int rc = HR_OK;

    for (size_t i = 0; i < sizeof map / sizeof map[0] && rc == HR_OK; i++)
        if (strcmp(action, map[i].action) == 0)
            rc = agency_event(txn, map[i].event, json_deep_copy(d), err);
    return rc == HR_OK ? agency_case_draft_event(txn, action, d, err) : rc;
}
