/* federation/tags.c - issue #10 (FOUNDATION STUB: to be filled). */
#include "federation/fed_int.h"

int fed_note_add_tags(struct fed *fed, const char *name, const struct fed_post_input *in,
                     const json_t *prev, json_t *note, struct hr_err *err)
{
    (void)fed, (void)name, (void)in, (void)prev, (void)note, (void)err;
    return HR_OK;
}

int fed_note_deliver_mentions(struct store_txn *txn, const char *account,
                              const char *activity_id, const json_t *note, struct hr_err *err)
{
    (void)txn, (void)account, (void)activity_id, (void)note, (void)err;
    return HR_OK;
}
