/* federation/polls.c - issue #10 (FOUNDATION STUB: to be filled). */
#include "federation/fed_int.h"

int fed_note_add_poll(struct fed *fed, const char *name, const struct fed_post_input *in,
                     const json_t *prev, json_t *note, struct hr_err *err)
{
    (void)fed, (void)name, (void)in, (void)prev, (void)note, (void)err;
    return HR_OK;
}
