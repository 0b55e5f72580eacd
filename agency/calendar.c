/* agency/calendar.c - deadlines counted in an account's working calendar: time zone,
 * weekdays, hours and holidays (imported from iCalendar files with libical); docs/desk.md.
 *
 * Time zones come from libical's builtin zones (icaltimezone_get_builtin_timezone, which on
 * Debian reads tzdata), never from setenv("TZ") + localtime: the server is multithreaded and
 * TZ is process-wide. libical's zone objects expand their DST changes lazily, so every use of
 * libical in this file holds CAL_LOCK (docs/decisions.md "libical"). */
#include "agency/agency_int.h"

#include <libical/ical.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS 86400000LL
/* How far a deadline is searched for: a calendar with no working day in three years (every
 * day a holiday) falls back to plain calendar time, with a warning, rather than fail the
 * inbox that opens the case. */
#define SEARCH_DAYS 1100

static pthread_mutex_t cal_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t cal_once = PTHREAD_ONCE_INIT;

static void cal_init(void)
{
    icalerror_set_errors_are_fatal(0); /* bad input is ours to report, never an abort */
}

void agency_ical_lock(void)
{
    pthread_once(&cal_once, cal_init);
    pthread_mutex_lock(&cal_lock);
}

void agency_ical_unlock(void)
{
    pthread_mutex_unlock(&cal_lock);
}

/* The zone named NAME (under the lock); NULL when libical does not know it. */
static icaltimezone *zone_of(const char *name)
{
    if (name == NULL || name[0] == '\0' || strlen(name) > 63 || strstr(name, "..") != NULL)
        return NULL;
    if (strcmp(name, "UTC") == 0)
        return icaltimezone_get_utc_timezone();
    return icaltimezone_get_builtin_timezone(name);
}

bool agency_tz_valid(const char *name)
{
    bool ok;

    agency_ical_lock();
    ok = zone_of(name) != NULL;
    agency_ical_unlock();
    return ok;
}

void agency_tz_default(char out[64])
{
    const char *tz = getenv("TZ"); /* the server sets it from config `timezone` at start */

    if (tz != NULL && tz[0] == ':')
        tz++;
    snprintf(out, 64, "%s", tz != NULL && agency_tz_valid(tz) ? tz : "UTC");
}

/* ---- the setting values' syntax (desk.c checks them, this file reads them) ---- */

int agency_desk_parse_deadline(const char *v, bool *hours, unsigned *n, struct hr_err *err)
{
    size_t len = v ? strlen(v) : 0;
    uint64_t x = 0;
    char num[8];

    if (len < 2 || len > 4 || (v[len - 1] != 'd' && v[len - 1] != 'h'))
        return hr_fail(err, HR_EINVAL,
                       "deadline must be working days (\"3d\", 1-60) or working "
                       "hours (\"8h\", 1-480)");
    memcpy(num, v, len - 1);
    num[len - 1] = '\0';
    *hours = v[len - 1] == 'h';
    if (num[0] < '1' || num[0] > '9' || hr_parse_u64(num, *hours ? 480 : 60, &x) != HR_OK)
        return hr_fail(err, HR_EINVAL,
                       "deadline '%.8s': want 1d to 60d (working days) or 1h "
                       "to 480h (working hours)",
                       v);
    *n = (unsigned)x;
    return HR_OK;
}

static const char *const day_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

static int day_index(const char *p, size_t n)
{
    for (int i = 0; i < 7; i++)
        if (n == 3 && strncmp(p, day_names[i], 3) == 0)
            return i;
    return -1;
}

/* One item of the list: "mon" or a range "mon-fri" (wrapping: "sat-mon"). */
static int weekday_item(const char *p, size_t n, unsigned *mask)
{
    int a = day_index(p, n < 3 ? n : 3), b;

    if (n == 3 && a >= 0) {
        *mask |= 1u << a;
        return HR_OK;
    }
    if (n != 7 || p[3] != '-' || a < 0 || (b = day_index(p + 4, 3)) < 0)
        return HR_EINVAL;
    for (int d = a;; d = (d + 1) % 7) {
        *mask |= 1u << d;
        if (d == b)
            break;
    }
    return HR_OK;
}

int agency_desk_parse_weekdays(const char *v, unsigned *mask, struct hr_err *err)
{
    const char *p = v ? v : "";
    bool bad = false;

    *mask = 0;
    while (!bad && *p != '\0') {
        size_t n = strcspn(p, ",");
        bad = weekday_item(p, n, mask) != HR_OK || (p[n] == ',' && p[n + 1] == '\0');
        p += p[n] == ',' ? n + 1 : n;
    }
    if (bad || *mask == 0)
        return hr_fail(err, HR_EINVAL,
                       "weekdays '%.40s': want days mon..sun as a list or "
                       "range (\"mon-fri\", \"mon,tue,thu\")",
                       v ? v : "");
    return HR_OK;
}

static int clock_min(const char *p, bool end)
{
    if (p[0] < '0' || p[0] > '2' || p[1] < '0' || p[1] > '9' || p[2] != ':' || p[3] < '0' ||
        p[3] > '5' || p[4] < '0' || p[4] > '9')
        return -1;
    int h = (p[0] - '0') * 10 + p[1] - '0', m = (p[3] - '0') * 10 + p[4] - '0';
    if (h > 24 || (h == 24 && (m != 0 || !end)))
        return -1;
    return h * 60 + m;
}

int agency_desk_parse_hours(const char *v, int *start_min, int *end_min, struct hr_err *err)
{
    int a = -1, b = -1;

    if (v != NULL && strlen(v) == 11 && v[5] == '-') {
        a = clock_min(v, false);
        b = clock_min(v + 6, true);
    }
    if (a < 0 || b < 0 || a >= b)
        return hr_fail(err, HR_EINVAL,
                       "hours '%.20s': want HH:MM-HH:MM, start before end "
                       "(\"09:00-17:00\"; \"24:00\" ends at midnight)",
                       v ? v : "");
    *start_min = a;
    *end_min = b;
    return HR_OK;
}

/* ---- the calendar ---- */

/* Local midnight of DAY plus MIN minutes, as Unix ms (under the lock). */
static int64_t local_ms(struct icaltimetype day, int min, icaltimezone *z)
{
    struct icaltimetype t = day;

    t.is_date = 0;
    t.hour = t.minute = t.second = 0;
    t.zone = NULL;
    icaltime_adjust(&t, 0, min / 60, min % 60, 0); /* 24:00 is the next midnight */
    return (int64_t)icaltime_as_timet_with_zone(t, z) * 1000;
}

/* Is DAY a working day, and its working hours [*S, *E) in Unix ms (under the lock). */
static bool work_day(const struct agency_calendar *cal, icaltimezone *z, struct icaltimetype day,
                     int64_t *s, int64_t *e)
{
    int mon0 = (icaltime_day_of_week(day) + 5) % 7; /* libical: 1 = Sunday */
    char date[16];

    if (!(cal->weekdays & (1u << mon0)))
        return false;
    snprintf(date, sizeof date, "%04d-%02d-%02d", day.year, day.month, day.day);
    if (cal->holiday != NULL && cal->holiday(cal->ctx, date))
        return false;
    *s = local_ms(day, cal->start_min, z);
    *e = local_ms(day, cal->end_min, z);
    return *e > *s;
}

static struct icaltimetype day_of(int64_t ms, icaltimezone *z)
{
    struct icaltimetype t = icaltime_from_timet_with_zone((time_t)(ms / 1000), 0, z);

    t.is_date = 1;
    t.hour = t.minute = t.second = 0;
    t.zone = NULL;
    return t;
}

static void next_day(struct icaltimetype *day)
{
    icaltime_adjust(day, 1, 0, 0, 0);
}

/* "Nh": the working time from OPENED counted up to N hours. */
static bool due_hours(const struct agency_calendar *cal, icaltimezone *z, int64_t opened,
                      unsigned n, int64_t *out)
{
    struct icaltimetype day = day_of(opened, z);
    int64_t left = (int64_t)n * 3600000, s, e;

    for (int i = 0; i < SEARCH_DAYS; i++, next_day(&day)) {
        if (!work_day(cal, z, day, &s, &e) || e <= opened)
            continue;
        s = s > opened ? s : opened;
        if (left <= e - s) {
            *out = s + left;
            return true;
        }
        left -= e - s;
    }
    return false;
}

/* "Nd": the close of the Nth working day after the day the case reached the desk (the
 * working day of the first working moment at or after OPENED), which itself does not count:
 * a deadline in days ends with the last day, and the day of receipt is not counted (as in
 * BGB §187(1), §188(1) and the usual rules for administrative deadlines). */
static bool due_days(const struct agency_calendar *cal, icaltimezone *z, int64_t opened, unsigned n,
                     int64_t *out)
{
    struct icaltimetype day = day_of(opened, z);
    int64_t s, e;
    bool received = false;

    for (int i = 0; i < SEARCH_DAYS; i++, next_day(&day)) {
        if (!work_day(cal, z, day, &s, &e) || (!received && e <= opened))
            continue;
        if (received && --n == 0) {
            *out = e;
            return true;
        }
        received = true;
    }
    return false;
}

int agency_calendar_due(const struct agency_calendar *cal, int64_t opened_ms, bool hours,
                        unsigned n, int64_t *out, struct hr_err *err)
{
    icaltimezone *z;
    bool found = false;

    if (n == 0 || cal->weekdays == 0 || cal->start_min >= cal->end_min)
        return hr_fail(err, HR_EINVAL, "a deadline needs working days and hours");
    agency_ical_lock();
    z = zone_of(cal->tz);
    if (z != NULL)
        found = hours ? due_hours(cal, z, opened_ms, n, out) : due_days(cal, z, opened_ms, n, out);
    agency_ical_unlock();
    if (z == NULL)
        return hr_fail(err, HR_EINVAL, "unknown time zone '%.64s'", cal->tz);
    if (!found) {
        hr_log(HR_LOG_WARN, "desk", "no working time in %d days: deadline in calendar time",
               SEARCH_DAYS);
        *out = opened_ms + (int64_t)n * (hours ? 3600000 : DAY_MS);
    }
    return HR_OK;
}

void agency_date_local(int64_t ms, const char *tz, char *out, size_t cap)
{
    icaltimezone *z;
    struct icaltimetype t;

    agency_ical_lock();
    z = zone_of(tz);
    if (z == NULL)
        z = icaltimezone_get_utc_timezone();
    t = icaltime_from_timet_with_zone((time_t)(ms / 1000), 0, z);
    agency_ical_unlock();
    snprintf(out, cap, "%04d-%02d-%02d %02d:%02d", t.year, t.month, t.day, t.hour, t.minute);
}

/* ---- an account's calendar, from its desk settings ---- */

struct hol_ctx {
    struct store_txn *txn;
    const char *account;
};

static bool is_holiday(void *ctx, const char *date)
{
    struct hol_ctx *h = ctx;
    char key[128], *v = NULL;
    size_t len = 0;
    int n = snprintf(key, sizeof key, "h%c%s%c%s", '\0', h->account, '\0', date);
    bool found;

    if (n <= 0 || (size_t)n >= sizeof key)
        return false;
    found = store_rec_get(h->txn, STORE_T_DESK, key, (size_t)n, &v, &len, NULL) == HR_OK;
    free(v);
    return found;
}

int agency_deadline_ms(struct store_txn *txn, const char *account, int64_t opened_ms, int64_t *out,
                       struct hr_err *err)
{
    struct hol_ctx h = {txn, account};
    struct agency_calendar cal = {.holiday = is_holiday, .ctx = &h};
    struct hr_err e = {0};
    json_t *s = NULL;
    bool hours = false;
    unsigned n = 0;
    int rc = agency_desk_effective(txn, account, &s, err);

    if (rc == HR_OK) {
        snprintf(cal.tz, sizeof cal.tz, "%s", json_string_value(json_object_get(s, "timezone")));
        if (agency_desk_parse_deadline(json_string_value(json_object_get(s, "deadline")), &hours,
                                       &n, &e) != HR_OK ||
            agency_desk_parse_weekdays(json_string_value(json_object_get(s, "weekdays")),
                                       &cal.weekdays, &e) != HR_OK ||
            agency_desk_parse_hours(json_string_value(json_object_get(s, "hours")), &cal.start_min,
                                    &cal.end_min, &e) != HR_OK)
            rc = HR_EIO; /* desk.c stored only checked values: the record was damaged */
    }
    json_decref(s);
    if (rc == HR_EIO)
        return hr_fail(err, HR_EIO, "desk settings of %s: %s", account, e.msg);
    return rc == HR_OK ? agency_calendar_due(&cal, opened_ms, hours, n, out, err) : rc;
}

bool agency_case_overdue(const json_t *c, int64_t now_ms)
{
    const json_t *due = json_object_get(c, "deadline_ms");
    const char *status = json_string_value(json_object_get(c, "status"));

    return json_is_integer(due) && json_integer_value(due) <= now_ms &&
           json_object_get(c, "first_answer_ms") == NULL &&
           (status == NULL || strcmp(status, "closed") != 0);
}
