/* agency/polls.c - the poll of a draft (a public consultation). */
#include "agency/agency_int.h"

int agency_draft_poll(const struct agency_draft_input *in, json_t **out, struct hr_err *err)
{
    *out = NULL; /* FOUNDATION STUB: issue #10 item 5 fills this */
    return in->n_poll_options == 0 ? HR_OK : hr_fail(err, HR_EINVAL, "polls are not supported yet");
}
