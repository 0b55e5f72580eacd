/* agency/polls.c - the poll of a draft (a public consultation; docs/publishing.md §
 * "Running a consultation"). Checked here, before the write transaction, so that a draft
 * with a poll that could not be published as a Mastodon-shaped Question is never stored. */
#include "agency/agency_int.h"

#include <string.h>

#define POLL_OPTION_MAX 200                          /* bytes of UTF-8 in one option */
#define POLL_HORIZON_MS (366LL * 24 * 3600 * 1000)   /* closes at most a year ahead */

/* An option: 1..200 bytes of UTF-8, no control characters (they would not show, or would
 * break the CSV record of the consultation). */
static int option_check(const char *s, size_t i, struct hr_err *err)
{
    size_t n = s ? strlen(s) : 0;

    if (n == 0 || n > POLL_OPTION_MAX)
        return hr_fail(err, HR_EINVAL, "poll option %zu must be 1 to %d bytes", i + 1,
                       POLL_OPTION_MAX);
    if (!hr_utf8_valid(s, n))
        return hr_fail(err, HR_EINVAL, "poll option %zu is not valid UTF-8", i + 1);
    for (size_t k = 0; k < n; k++)
        if ((unsigned char)s[k] < 0x20 || s[k] == 0x7f)
            return hr_fail(err, HR_EINVAL, "poll option %zu contains a control character",
                           i + 1);
    return HR_OK;
}

static int options_check(const struct agency_draft_input *in, struct hr_err *err)
{
    if (in->n_poll_options < 2 || in->n_poll_options > AGENCY_POLL_OPTIONS_MAX)
        return hr_fail(err, HR_EINVAL, "a poll needs 2 to %d options",
                       AGENCY_POLL_OPTIONS_MAX);
    for (size_t i = 0; i < in->n_poll_options; i++) {
        int rc = option_check(in->poll_options[i], i, err);
        if (rc != HR_OK)
            return rc;
        /* a vote names its option: two equal names could not be told apart */
        for (size_t k = 0; k < i; k++)
            if (strcmp(in->poll_options[k], in->poll_options[i]) == 0)
                return hr_fail(err, HR_EINVAL, "poll option %zu repeats option %zu", i + 1,
                               k + 1);
    }
    return HR_OK;
}

int agency_draft_poll_check(const struct agency_draft_input *in, int64_t now_ms,
                            struct hr_err *err)
{
    int rc = options_check(in, err);

    if (rc != HR_OK)
        return rc;
    if (in->poll_closes_ms <= 0)
        return hr_fail(err, HR_EINVAL, "a poll needs its closing time (--closes 2026-12-31T12:00:00Z)");
    if (in->poll_closes_ms <= now_ms)
        return hr_fail(err, HR_EINVAL, "the poll's closing time has passed");
    if (in->poll_closes_ms > now_ms + POLL_HORIZON_MS)
        return hr_fail(err, HR_EINVAL, "a poll closes at most a year from now");
    return HR_OK;
}

int agency_draft_poll(const struct agency_draft_input *in, json_t **out, struct hr_err *err)
{
    json_t *opts, *poll;
    int rc;

    *out = NULL;
    if (in->n_poll_options == 0 && !in->poll_multiple && in->poll_closes_ms == 0)
        return HR_OK;
    rc = agency_draft_poll_check(in, hr_now_ms(), err);
    if (rc != HR_OK)
        return rc;
    opts = json_array();
    for (size_t i = 0; opts != NULL && i < in->n_poll_options; i++)
        if (json_array_append_new(opts, json_string(in->poll_options[i])) != 0)
            json_decref(opts), opts = NULL;
    poll = opts ? json_pack("{s:o,s:b,s:I}", "options", opts, "multiple", in->poll_multiple,
                            "closes_ms", (json_int_t)in->poll_closes_ms)
                : NULL;
    if (poll == NULL)
        return hr_fail(err, HR_ENOMEM, "poll");
    *out = poll;
    return HR_OK;
}
