/* agency/polls.c - the poll of a draft (a public consultation; docs/publishing.md §
 * "Running a consultation"). Checked here, before the write transaction, so that a draft
 * with a poll that could not be published as a Mastodon-shaped Question is never stored. */
#include "agency/agency_int.h"
#include "federation/fed.h"

#include <stdio.h>
#include <stdlib.h>
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

/* ---- the record of a consultation ---- */

/* The Question's URL of ID (a URL, or a draft that published it) and its account. */
static int question_of(struct store *st, const char *by, const char *id, char *url, size_t cap,
                       char account[32], struct hr_err *err)
{
    struct store_object o = {0};
    struct store_txn *txn = NULL;
    char *json = NULL;
    json_t *d = NULL;
    int rc = HR_OK;

    if (strncmp(id, "http://", 7) == 0 || strncmp(id, "https://", 8) == 0) {
        snprintf(url, cap, "%s", id);
    } else if ((rc = agency_draft_show(st, by, id, &json, err)) == HR_OK) {
        const char *pub;
        d = json_loads(json, 0, NULL);
        pub = json_string_value(json_object_get(d, "published_id"));
        snprintf(url, cap, "%s", pub ? pub : "");
        if (url[0] == '\0')
            rc = hr_fail(err, HR_ENOTFOUND, "draft %.60s has not been published", id);
    }
    if (rc == HR_OK)
        rc = store_txn_begin(st, STORE_READ, &txn, err);
    if (rc == HR_OK && store_object_get(txn, url, &o, NULL) != HR_OK)
        rc = hr_fail(err, HR_ENOTFOUND, "no post of ours at %.300s", url);
    if (rc == HR_OK)
        snprintf(account, 32, "%s", o.account);
    store_txn_abort(txn);
    store_object_fini(&o);
    json_decref(d);
    free(json);
    return rc;
}

/* One CSV field, RFC 4180 §2: quoted when it holds a comma, a quote, CR or LF; a quote
 * inside is doubled. Option names come from us, actor ids from peers: both are quoted. */
static void csv_field(struct hr_buf *b, const char *s, bool last)
{
    const char *p = s ? s : "";

    if (strpbrk(p, ",\"\r\n") == NULL) {
        hr_buf_adds(b, p);
    } else {
        hr_buf_adds(b, "\"");
        for (; *p != '\0'; p++) {
            if (*p == '"')
                hr_buf_adds(b, "\"\"");
            else
                hr_buf_add(b, p, 1);
        }
        hr_buf_adds(b, "\"");
    }
    hr_buf_adds(b, last ? "\r\n" : ",");
}

static void csv_row(struct hr_buf *b, const char *const f[8])
{
    for (size_t i = 0; i < 8; i++)
        csv_field(b, f[i], i == 7);
}

static const char *num(char buf[24], json_int_t v)
{
    snprintf(buf, 24, "%lld", (long long)v);
    return buf;
}

/* kind,question,state,closes,option,votes,actor,time: one "poll" row (votes = voters),
 * one "option" row per option, one "vote" row per vote. */
static char *results_csv(const json_t *r)
{
    const char *q = json_string_value(json_object_get(r, "question"));
    const char *state = json_is_true(json_object_get(r, "open")) ? "open" : "closed";
    const char *closes = json_string_value(json_object_get(r, "closes"));
    char n[24], when[32];
    const json_t *v;
    struct hr_buf b;
    size_t i;

    hr_buf_init(&b, 64u << 20);
    csv_row(&b, (const char *const[8]){"kind", "question", "state", "closes", "option", "votes",
                                      "actor", "time"});
    csv_row(&b, (const char *const[8]){"poll", q, state, closes, "",
                                      num(n, json_integer_value(json_object_get(r, "votersCount"))),
                                      "", ""});
    json_array_foreach(json_object_get(r, "options"), i, v)
    {
        csv_row(&b, (const char *const[8]){"option", q, state, closes,
                                          json_string_value(json_object_get(v, "name")),
                                          num(n, json_integer_value(json_object_get(v, "votes"))),
                                          "", ""});
    }
    json_array_foreach(json_object_get(r, "votes"), i, v)
    {
        hr_iso8601(json_integer_value(json_object_get(v, "time")), when);
        csv_row(&b, (const char *const[8]){"vote", q, state, closes,
                                          json_string_value(json_object_get(v, "option")), "",
                                          json_string_value(json_object_get(v, "actor")), when});
    }
    return b.err == HR_OK ? hr_buf_take(&b) : (hr_buf_fini(&b), NULL);
}

int agency_poll_results(struct store *st, struct fed *fed, const char *by, const char *id,
                        bool csv, char **out, struct hr_err *err)
{
    char url[1300], account[32];
    json_t *r = NULL;
    int rc = id ? question_of(st, by, id, url, sizeof url, account, err)
                : hr_fail(err, HR_EINVAL, "poll results needs an ID");

    if (rc == HR_OK)
        rc = agency_may(st, by, AGENCY_POLL_RESULTS, account, NULL, err);
    if (rc == HR_OK)
        rc = fed_poll_results(fed, url, &r, err);
    if (rc == HR_OK) {
        *out = csv ? results_csv(r) : json_dumps(r, JSON_INDENT(2) | JSON_SORT_KEYS);
        if (*out == NULL)
            rc = hr_fail(err, HR_ENOMEM, "poll results");
    }
    json_decref(r);
    return rc;
}
