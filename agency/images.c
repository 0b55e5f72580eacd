/* agency/images.c - the images of a draft: decoded, re-encoded, stored content-addressed. */
#include "agency/agency_int.h"

int agency_draft_images(struct store *st, struct fed *fed, const char *account,
                        const struct agency_draft_input *in, json_t **out, struct hr_err *err)
{
    (void)st, (void)fed, (void)account;
    *out = NULL; /* FOUNDATION STUB: issue #10 item 4 fills this */
    return in->n_images == 0 ? HR_OK : hr_fail(err, HR_EINVAL, "images are not supported yet");
}
