/* server/report.h - the evaluation report's faces (issue #12 part 5): the period from the
 * command line or the query, and the report rendered as JSON, CSV or one self-contained
 * HTML page (docs/evaluation.md). The figures are agency/report.c's. */
#ifndef HERALD_SERVER_REPORT_H
#define HERALD_SERVER_REPORT_H

#include "agency/report.h"
#include "base/hr.h"

#include <jansson.h>

/* Fills Q's period from FROM and TO (YYYY-MM-DD in the process's time zone, TZ; either
 * NULL): [start of FROM, start of the day after TO); TO NULL: NOW_MS; FROM NULL: 30 days
 * before the end. HR_EINVAL with a message for a malformed or impossible date, or FROM
 * after TO. */
int report_period(const char *from, const char *to, int64_t now_ms, struct agency_report_query *q,
                  struct hr_err *err);
/* Adds "from", "to" (the last day, inclusive) and "timezone" to REPORT's "period". */
void report_label_period(json_t *report, const char *timezone);
/* REPORT rendered as FORMAT ("json", "csv" or "html"; labels in LANG): *OUT (caller
 * frees), *CT its content type. HR_EINVAL for an unknown format. */
int report_render(const json_t *report, const char *format, const char *lang, char **out,
                  const char **ct, struct hr_err *err);
/* The HTML page (server/report_html.c). */
void report_html(struct hr_buf *b, const json_t *report, const char *lang);

/* A value of a row by a dotted PATH ("cases.opened", "indices.spread.score"), or NULL. */
const json_t *report_get(const json_t *row, const char *path);
/* The figures in the order CSV and the HTML tables show them. */
enum report_kind { RK_TEXT, RK_INT, RK_HOURS, RK_DAYS, RK_RATIO, RK_SHARE, RK_SCORE };
struct report_col {
    const char *csv, *label, *path;
    enum report_kind kind;
};
extern const struct report_col report_cols[];
extern const size_t report_n_cols;
/* V formatted as KIND for CSV or HTML ("" for null): hours and days with two decimals, a
 * share as a ratio (CSV) or percent (PERCENT true), a score with one. */
void report_value(struct hr_buf *b, const json_t *v, enum report_kind kind, bool percent);

#endif
