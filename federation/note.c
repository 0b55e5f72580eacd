/* federation/note.c - a Note's parts, one call per feature (issue #10), in this order:
 * addressing first (mentions add to cc), then tags, attachments, the poll (which may make
 * the Note a Question) and the reaction collections. */
#include "federation/fed_int.h"

int fed_note_extend(struct fed *fed, const char *name, const struct fed_post_input *in,
                    const json_t *prev, json_t *note, struct hr_err *err)
{
    int rc = fed_note_add_address(fed, name, in, prev, note, err);

    if (rc == HR_OK)
        rc = fed_note_add_tags(fed, name, in, prev, note, err);
    if (rc == HR_OK)
        rc = fed_note_add_attachments(fed, name, in, prev, note, err);
    if (rc == HR_OK)
        rc = fed_note_add_poll(fed, name, in, prev, note, err);
    if (rc == HR_OK)
        rc = fed_note_add_counts(fed, name, in, prev, note, err);
    return rc;
}
