/* federation/desk.c - which of our accounts a citizen's Note concerns, handed up to the
 * agency's desk through the hooks server wires (fed_set_desk_hooks): a reply to a post of
 * ours, a mention of an account of ours, a message addressed to one directly, or a
 * follow-up in a thread the desk knows. FOUNDATION STUB: detection is issue #12 part 1. */
#include "federation/fed_int.h"

#include <string.h>

void fed_set_desk_hooks(struct fed *fed, const struct fed_desk_hooks *hooks)
{
    fed->desk = hooks ? *hooks : (struct fed_desk_hooks){0};
}

int fed_desk_inbound(struct fed *fed, struct store_txn *txn, const json_t *act,
                     const char *actor, struct hr_err *err)
{
    (void)txn, (void)act, (void)actor, (void)err;
    if (fed->desk.note == NULL)
        return HR_OK;
    return HR_OK; /* STUB: helper A */
}
