/* agency/report.h - evaluation reports (issue #12 part 5): per account and per department,
 * the figures of a period and four index scores after the Chinese government-microblog
 * evaluation indices (activity, spread, service, interaction). docs/evaluation.md defines
 * every figure and formula; agency/report.c computes exactly that. */
#ifndef HERALD_AGENCY_REPORT_H
#define HERALD_AGENCY_REPORT_H

#include "agency/agency.h"

#include <jansson.h>

#define REPORT_DAY_MS 86400000LL

/* The period [FROM_MS, TO_MS) (Unix ms); NOW_MS is the desk's clock (hr_clock_ms): what has
 * not happened by then is not counted as missed. ACCOUNT NULL: every account. */
struct agency_report_query {
    const char *account;
    int64_t from_ms, to_ms, now_ms;
};

/* Builds the report for OPERATOR (AGENCY_REPORT_READ on ACCOUNT, or instance-wide when
 * ACCOUNT is NULL): *OUT is a new object {"period", "accounts": [...], "departments":
 * [...]} (docs/evaluation.md "JSON"). HR_EINVAL (from >= to), HR_ENOTFOUND (no such
 * account), HR_EFORBIDDEN, HR_EIO. */
int agency_report_build(struct store *st, const char *operator,
                        const struct agency_report_query * q, json_t **out, struct hr_err *err);

/* ---- the index formulas (docs/evaluation.md "Indices"), each 0-100 rounded to 0.1 ---- */
/* WINDOWS two-week windows of the period, COVERED of them with a post, SILENCE_DAYS the
 * longest silence. */
double agency_report_activity(long windows, long covered, double silence_days);
/* ACTIVE followers (who reacted in the period), HOSTS instances reached. */
double agency_report_spread(long active, long hosts);
/* SHARE answered within the deadline (0..1), MEDIAN_MS first-answer time, DEADLINE_MS the
 * median deadline, ANSWERED cases with a first answer, OVERDUE cases. */
double agency_report_service(double share, int64_t median_ms, int64_t deadline_ms, long answered,
                             long overdue);
/* GIVEN answers and own replies, RECEIVED replies, likes and boosts, POSTS published. */
double agency_report_interaction(long given, long received, long posts);

#endif
