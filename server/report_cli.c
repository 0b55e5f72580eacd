/* server/report_cli.c - `herald report` and the admin API's GET /reports (issue #12 part 5):
 * the period parsed in the instance's time zone, the report built by agency/report.c (who
 * may read it is agency_may's), rendered as JSON, CSV (RFC 4180) or one HTML page
 * (server/report_html.c). docs/evaluation.md describes every figure. */
#include "server/desk_front.h"
#include "server/report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define REPORT_MAX (16u << 20)

/* ---- the period ---- */
/* Local midnight starting DATE (YYYY-MM-DD), checked to be a real day. */
static int day_start(const char *date, int64_t *out, struct hr_err *err)
{
    struct tm tm = {0};
    int y = 0, m = 0, d = 0;
    time_t t;

    for (size_t i = 0; i < 10; i++) {
        bool dash = i == 4 || i == 7;
        if (date[i] == '\0' || (dash ? date[i] != '-' : (date[i] < '0' || date[i] > '9')))
            return hr_fail(err, HR_EINVAL, "bad date '%.20s': want YYYY-MM-DD", date);
    }
    if (date[10] != '\0')
        return hr_fail(err, HR_EINVAL, "bad date '%.20s': want YYYY-MM-DD", date);
    for (size_t i = 0; i < 4; i++)
        y = y * 10 + (date[i] - '0');
    m = (date[5] - '0') * 10 + (date[6] - '0');
    d = (date[8] - '0') * 10 + (date[9] - '0');
    tm.tm_year = y - 1900, tm.tm_mon = m - 1, tm.tm_mday = d, tm.tm_isdst = -1;
    t = mktime(&tm);
    /* mktime normalises 2026-02-30 to March 2: a changed day means there is no such day */
    if (t == (time_t)-1 || y < 1970 || tm.tm_year != y - 1900 || tm.tm_mon != m - 1 ||
        tm.tm_mday != d)
        return hr_fail(err, HR_EINVAL, "bad date '%s': no such day", date);
    *out = (int64_t)t * 1000;
    return HR_OK;
}

/* Local midnight of the day after DATE: --to is inclusive. */
static int day_after(const char *date, int64_t *out, struct hr_err *err)
{
    int64_t start;
    struct tm tm;
    time_t t;
    int rc = day_start(date, &start, err);

    if (rc != HR_OK)
        return rc;
    t = (time_t)(start / 1000);
    localtime_r(&t, &tm);
    tm.tm_mday++, tm.tm_hour = 0, tm.tm_min = 0, tm.tm_sec = 0, tm.tm_isdst = -1;
    *out = (int64_t)mktime(&tm) * 1000;
    return HR_OK;
}

int report_period(const char *from, const char *to, int64_t now_ms, struct agency_report_query *q,
                  struct hr_err *err)
{
    int rc = HR_OK;

    q->now_ms = now_ms;
    q->to_ms = now_ms;
    if (to != NULL)
        rc = day_after(to, &q->to_ms, err);
    q->from_ms = q->to_ms - 30 * REPORT_DAY_MS;
    if (rc == HR_OK && from != NULL)
        rc = day_start(from, &q->from_ms, err);
    if (rc == HR_OK && q->from_ms >= q->to_ms)
        rc = hr_fail(err, HR_EINVAL, "--from %s is after --to %s", from ? from : "(30 days back)",
                     to ? to : "(today)");
    return rc;
}

static void local_date(int64_t ms, char out[16])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    if (localtime_r(&t, &tm) == NULL || strftime(out, 16, "%Y-%m-%d", &tm) == 0)
        snprintf(out, 16, "?");
}

void report_label_period(json_t *report, const char *timezone)
{
    json_t *p = json_object_get(report, "period");
    char from[16], to[16];

    local_date(json_integer_value(json_object_get(p, "from_ms")), from);
    local_date(json_integer_value(json_object_get(p, "to_ms")) - 1, to);
    json_object_set_new(p, "from", json_string(from));
    json_object_set_new(p, "to", json_string(to));
    json_object_set_new(p, "timezone", json_string(timezone));
}

/* ---- the columns ---- */
const struct report_col report_cols[] = {
    {"account", N_("Account"), "account", RK_TEXT},
    {"parent", N_("Parent department"), "parent", RK_TEXT},
    {"posts", N_("Posts published"), "posts", RK_INT},
    {"drafts_rejected", N_("Drafts rejected"), "drafts_rejected", RK_INT},
    {"drafts_approved", N_("Drafts approved"), "drafts_approved", RK_INT},
    {"drafts_unapproved", N_("Drafts published without approval"), "drafts_unapproved", RK_INT},
    {"approval_median_h", N_("Median time from submission to approval (hours)"),
     "approval_median_ms", RK_HOURS},
    {"followers_start", N_("Followers at start"), "followers_start", RK_INT},
    {"followers_end", N_("Followers at end"), "followers_end", RK_INT},
    {"active_followers", N_("Active followers"), "active_followers", RK_INT},
    {"instances_reached", N_("Instances reached"), "instances_reached", RK_INT},
    {"replies", N_("Replies received"), "replies", RK_INT},
    {"likes", N_("Likes received"), "likes", RK_INT},
    {"boosts", N_("Boosts received"), "boosts", RK_INT},
    {"replies_per_post", N_("Replies per post"), "replies_per_post", RK_RATIO},
    {"likes_per_post", N_("Likes per post"), "likes_per_post", RK_RATIO},
    {"boosts_per_post", N_("Boosts per post"), "boosts_per_post", RK_RATIO},
    {"own_replies", N_("Own replies"), "own_replies", RK_INT},
    {"answers_given", N_("Answers given"), "answers_given", RK_INT},
    {"cases_opened", N_("Cases opened"), "cases.opened", RK_INT},
    {"cases_answered", N_("Cases answered"), "cases.answered", RK_INT},
    {"cases_overdue", N_("Cases overdue"), "cases.overdue", RK_INT},
    {"share_within_deadline", N_("Answered within the deadline"), "cases.share_within_deadline",
     RK_SHARE},
    {"first_answer_median_h", N_("Median time to first answer (hours)"),
     "cases.first_answer_median_ms", RK_HOURS},
    {"first_answer_p90_h", N_("90th percentile time to first answer (hours)"),
     "cases.first_answer_p90_ms", RK_HOURS},
    {"longest_silence_days", N_("Longest silence (days)"), "longest_silence_ms", RK_DAYS},
    {"activity", N_("Activity index"), "indices.activity.score", RK_SCORE},
    {"spread", N_("Spread index"), "indices.spread.score", RK_SCORE},
    {"service", N_("Service index"), "indices.service.score", RK_SCORE},
    {"interaction", N_("Interaction index"), "indices.interaction.score", RK_SCORE},
};
const size_t report_n_cols = sizeof report_cols / sizeof report_cols[0];

const json_t *report_get(const json_t *row, const char *path)
{
    char part[64];
    const char *dot;

    while (row != NULL && (dot = strchr(path, '.')) != NULL) {
        snprintf(part, sizeof part, "%.*s", (int)(dot - path), path);
        row = json_object_get(row, part);
        path = dot + 1;
    }
    return row ? json_object_get(row, path) : NULL;
}

void report_value(struct hr_buf *b, const json_t *v, enum report_kind kind, bool percent)
{
    double x = json_number_value(v);

    if (v == NULL || json_is_null(v))
        return;
    switch (kind) {
    case RK_TEXT:
        hr_buf_adds(b, json_string_value(v) ? json_string_value(v) : "");
        break;
    case RK_INT:
        hr_buf_addf(b, "%lld", (long long)json_integer_value(v));
        break;
    case RK_HOURS:
        hr_buf_addf(b, "%.2f", x / 3600000.0);
        break;
    case RK_DAYS:
        hr_buf_addf(b, "%.2f", x / 86400000.0);
        break;
    case RK_RATIO:
        hr_buf_addf(b, "%.2f", x);
        break;
    case RK_SHARE:
        hr_buf_addf(b, percent ? "%.1f%%" : "%.4f", percent ? x * 100.0 : x);
        break;
    case RK_SCORE:
        hr_buf_addf(b, "%.1f", x);
        break;
    }
}

/* ---- CSV: RFC 4180 (CRLF line ends; a field with a comma, quote, CR or LF in quotes, its
 * quotes doubled) ---- */
static void csv_field(struct hr_buf *b, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        hr_buf_adds(b, s);
        return;
    }
    hr_buf_add(b, "\"", 1);
    for (; *s; s++) {
        if (*s == '"')
            hr_buf_add(b, "\"", 1);
        hr_buf_add(b, s, 1);
    }
    hr_buf_add(b, "\"", 1);
}

static void csv_row(struct hr_buf *b, const json_t *row, const json_t *period)
{
    struct hr_buf v;

    for (size_t c = 0; c < report_n_cols; c++) {
        hr_buf_init(&v, 4096);
        report_value(&v, report_get(row, report_cols[c].path), report_cols[c].kind, false);
        csv_field(b, v.data ? v.data : "");
        hr_buf_fini(&v);
        hr_buf_add(b, ",", 1);
        if (c == 1) { /* the period after the names: rows of several reports can be joined */
            csv_field(b, json_string_value(json_object_get(period, "from")));
            hr_buf_add(b, ",", 1);
            csv_field(b, json_string_value(json_object_get(period, "to")));
            hr_buf_add(b, ",", 1);
        }
    }
    if (b->err == HR_OK && b->len > 0)
        b->data[--b->len] = '\0'; /* the last comma */
    hr_buf_adds(b, "\r\n");
}

static void report_csv(struct hr_buf *b, const json_t *report)
{
    const json_t *row;
    size_t i;

    for (size_t c = 0; c < report_n_cols; c++) {
        hr_buf_adds(b, report_cols[c].csv);
        hr_buf_adds(b, c == 1 ? ",from,to," : c + 1 < report_n_cols ? "," : "\r\n");
    }
    json_array_foreach(json_object_get(report, "accounts"), i, row)
        csv_row(b, row, json_object_get(report, "period"));
}

int report_render(const json_t *report, const char *format, const char *lang, char **out,
                  const char **ct, struct hr_err *err)
{
    struct hr_buf b;

    if (strcmp(format, "json") == 0) {
        *out = json_dumps(report, JSON_INDENT(1) | JSON_REAL_PRECISION(10));
        *ct = "application/json";
        return *out ? HR_OK : hr_fail(err, HR_ENOMEM, "report");
    }
    if (strcmp(format, "csv") != 0 && strcmp(format, "html") != 0)
        return hr_fail(err, HR_EINVAL, "unknown format '%.20s': json, csv or html", format);
    hr_buf_init(&b, REPORT_MAX);
    if (strcmp(format, "csv") == 0)
        report_csv(&b, report);
    else
        report_html(&b, report, lang);
    *ct = format[0] == 'c' ? "text/csv; charset=utf-8" : "text/html; charset=utf-8";
    if (b.err != HR_OK) {
        hr_buf_fini(&b);
        return hr_fail(err, HR_ETOOBIG, "report larger than %u bytes", REPORT_MAX);
    }
    *out = hr_buf_take(&b);
    return *out ? HR_OK : hr_fail(err, HR_ENOMEM, "report");
}

/* ---- the command line ---- */
struct report_args {
    const char *from, *to, *account, *format, *lang, *output;
};

static int parse_args(int argc, char **argv, struct report_args *a)
{
    static const char *const names[] = {"--from",   "--to",   "--account",
                                        "--format", "--lang", "--output"};
    const char **slots[] = {&a->from, &a->to, &a->account, &a->format, &a->lang, &a->output};
    size_t k;

    for (int i = 1; i < argc; i += 2) {
        for (k = 0; k < sizeof names / sizeof names[0] && strcmp(argv[i], names[k]) != 0; k++)
            ;
        if (k == sizeof names / sizeof names[0] || i + 1 >= argc) {
            fprintf(stderr, "herald: report: %s %s (see 'herald help')\n", argv[i],
                    k == sizeof names / sizeof names[0] ? "is not an option" : "needs a value");
            return 2;
        }
        *slots[k] = argv[i + 1];
    }
    if (a->format == NULL) {
        fprintf(stderr, "herald: report: --format json|csv|html is required\n");
        return 2;
    }
    return 0;
}

/* Writes BODY to PATH through a temporary file renamed into place: a failed write leaves
 * nothing (no half report) at PATH. */
static int write_output(const char *path, const char *body, struct hr_err *err)
{
    char tmp[4096];
    FILE *f;
    size_t n = strlen(body);
    int ok;

    if (snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof tmp)
        return hr_fail(err, HR_EINVAL, "--output path too long");
    f = fopen(tmp, "wx");
    if (f == NULL)
        return hr_fail(err, HR_EIO, "cannot write %s: %s", tmp, strerror(errno));
    ok = fwrite(body, 1, n, f) == n;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return hr_fail(err, HR_EIO, "cannot write %s", path);
    }
    return HR_OK;
}

static int cli_render(struct app *app, const struct report_args *a, char **out, struct hr_err *err)
{
    struct agency_report_query q = {.account = a->account};
    json_t *report = NULL;
    const char *ct, *lang = hr_i18n_pick(a->lang, NULL, "en");
    int rc;

    setenv("TZ", app->cfg.timezone, 1); /* dates are the instance's days; one thread here */
    tzset();
    rc = report_period(a->from, a->to, hr_clock_ms(), &q, err);
    if (rc == HR_OK && strcmp(a->format, "json") != 0 && strcmp(a->format, "csv") != 0 &&
        strcmp(a->format, "html") != 0)
        rc = hr_fail(err, HR_EINVAL, "unknown format '%.20s': json, csv or html", a->format);
    if (rc == HR_OK && a->lang != NULL && strcasecmp(lang, a->lang) != 0)
        rc = hr_fail(err, HR_EINVAL, "unknown language '%.20s': en or zh-CN", a->lang);
    if (rc == HR_OK)
        rc = agency_report_build(app->st, app->as, &q, &report, err);
    if (rc == HR_OK) {
        report_label_period(report, app->cfg.timezone);
        rc = report_render(report, a->format, lang, out, &ct, err);
    }
    json_decref(report);
    return rc;
}

int desk_cli_report(struct app *app, int argc, char **argv)
{
    struct report_args a = {0};
    struct hr_err err = {0};
    char *body = NULL;
    int rc = parse_args(argc, argv, &a);

    if (rc != 0)
        return rc;
    rc = cli_render(app, &a, &body, &err);
    if (rc == HR_OK && a.output != NULL)
        rc = write_output(a.output, body, &err);
    else if (rc == HR_OK)
        rc = fputs(body, stdout) >= 0 && (body[0] == '\0' || body[strlen(body) - 1] == '\n' ||
                                          fputc('\n', stdout) != EOF)
                 ? HR_OK
                 : hr_fail(&err, HR_EIO, "cannot write the report");
    free(body);
    if (rc == HR_OK)
        return 0;
    fprintf(stderr, "herald: report: %s\n", err.msg);
    return rc == HR_EINVAL ? 2 : 1;
}

/* ---- GET /reports?from=&to=&account=&format=json|csv|html&lang= ---- */
enum MHD_Result desk_api_reports(struct http_req *r, const char *op, const char *rest, json_t *body)
{
    struct agency_report_query q = {.account = http_arg(r, "account")};
    const char *format = http_arg(r, "format"), *ct = NULL;
    const char *lang = hr_i18n_pick(http_arg(r, "lang"), NULL, "en");
    struct hr_err err = {0};
    json_t *report = NULL;
    char *out = NULL;
    enum MHD_Result ret;
    int rc;

    (void)rest, (void)body;
    rc = report_period(http_arg(r, "from"), http_arg(r, "to"), hr_clock_ms(), &q, &err);
    if (rc == HR_OK && http_arg(r, "lang") != NULL && strcasecmp(lang, http_arg(r, "lang")) != 0)
        rc = hr_fail(&err, HR_EINVAL, "unknown language: en or zh-CN");
    if (rc == HR_OK)
        rc = agency_report_build(r->app->st, op, &q, &report, &err);
    if (rc == HR_OK) {
        report_label_period(report, r->app->cfg.timezone);
        rc = report_render(report, format ? format : "json", lang, &out, &ct, &err);
    }
    ret = rc == HR_OK ? http_reply(r, 200, ct, out, "no-store") : admin_reply_rc(r, rc, &err);
    free(out);
    json_decref(report);
    return ret;
}
