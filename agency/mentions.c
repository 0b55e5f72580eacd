/* agency/mentions.c - @user@host mentions of a draft, resolved when the draft is made. */
#include "agency/agency_int.h"

int agency_draft_mentions(struct store *st, struct fed *fed, const char *account,
                          const struct agency_draft_input *in, json_t **out,
                          struct hr_err *err)
{
    (void)st, (void)fed, (void)account, (void)in, (void)err;
    *out = NULL; /* FOUNDATION STUB: issue #10 item 2 fills this */
    return HR_OK;
}
