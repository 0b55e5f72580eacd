/* agency/holidays.c - an account's holidays (STORE_T_DESK 'h' NUL account NUL YYYY-MM-DD ->
 * summary), imported from the iCalendar files HR systems export (RFC 5545), parsed with
 * libical: every all-day VEVENT's dates from DTSTART up to DTEND (exclusive, RFC 5545
 * §3.6.1) or DURATION, recurring ones (RRULE, less EXDATE) expanded by libical's recurrence
 * iterator up to three years ahead. The whole file is parsed before anything is stored:
 * a file with any error stores nothing. */
#include "agency/agency_int.h"

#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ICS_MAX          (4u << 20) /* bytes of an imported file */
#define HOLIDAYS_MAX     5000       /* dates one import may add */
#define EVENT_DAYS_MAX   366        /* days one occurrence may cover */
#define EXPAND_STEPS_MAX 200000     /* occurrences one RRULE may be walked through */
#define AHEAD_DAYS       (3 * 366)  /* how far recurring holidays are expanded */
#define SUMMARY_MAX      200

struct parse {
    json_t *dates;             /* "YYYY-MM-DD" -> summary */
    struct icaltimetype until; /* the expansion window's end (a date) */
    size_t skipped;            /* timed (not all-day) events */
    char error[200];
};

static void add_day(struct parse *p, struct icaltimetype d, const char *summary)
{
    char date[16];

    if (json_object_size(p->dates) >= HOLIDAYS_MAX) {
        snprintf(p->error, sizeof p->error, "more than %d holiday dates in one file", HOLIDAYS_MAX);
        return;
    }
    snprintf(date, sizeof date, "%04d-%02d-%02d", d.year, d.month, d.day);
    if (json_object_get(p->dates, date) == NULL)
        json_object_set_new(p->dates, date, json_string(summary));
}

/* The dates of one occurrence [START, END). */
static void add_span(struct parse *p, struct icaltimetype start, struct icaltimetype end,
                     const char *summary)
{
    struct icaltimetype d = start;

    for (int i = 0; i < EVENT_DAYS_MAX && p->error[0] == '\0'; i++) {
        add_day(p, d, summary);
        icaltime_adjust(&d, 1, 0, 0, 0);
        if (icaltime_compare_date_only(d, end) >= 0)
            break;
    }
}

static bool excluded(icalcomponent *ev, struct icaltimetype d)
{
    for (icalproperty *x = icalcomponent_get_first_property(ev, ICAL_EXDATE_PROPERTY); x != NULL;
         x = icalcomponent_get_next_property(ev, ICAL_EXDATE_PROPERTY))
        if (icaltime_compare_date_only(icalproperty_get_exdate(x), d) == 0)
            return true;
    return false;
}

/* Every occurrence of RRULE from START (each LENGTH days long) until the window's end. */
static void expand(struct parse *p, icalcomponent *ev, struct icalrecurrencetype rule,
                   struct icaltimetype start, int length, const char *summary)
{
    icalrecur_iterator *it = icalrecur_iterator_new(rule, start);
    struct icaltimetype d, end;

    if (it == NULL) {
        snprintf(p->error, sizeof p->error, "a recurrence rule (RRULE) libical cannot expand");
        return;
    }
    for (int i = 0; i < EXPAND_STEPS_MAX && p->error[0] == '\0'; i++) {
        d = icalrecur_iterator_next(it);
        if (icaltime_is_null_time(d) || icaltime_compare_date_only(d, p->until) > 0)
            break;
        if (excluded(ev, d))
            continue;
        end = d;
        icaltime_adjust(&end, length, 0, 0, 0);
        add_span(p, d, end, summary);
    }
    icalrecur_iterator_free(it);
}

static const char *summary_of(icalcomponent *ev, char out[SUMMARY_MAX + 1])
{
    const char *s = icalcomponent_get_summary(ev);
    size_t n = s ? strlen(s) : 0;

    if (n > SUMMARY_MAX)
        n = SUMMARY_MAX;
    while (n > 0 && !hr_utf8_valid(s, n)) /* never cut a character in two */
        n--;
    memcpy(out, s ? s : "", n);
    out[n] = '\0';
    return out;
}

/* libical keeps "20271345" as month 13, day 45: a real calendar date or the file is refused */
static bool date_ok(struct icaltimetype t)
{
    return t.year >= 1900 && t.year <= 2200 && t.month >= 1 && t.month <= 12 && t.day >= 1 &&
           t.day <= icaltime_days_in_month(t.month, t.year);
}

static void one_event(struct parse *p, icalcomponent *ev)
{
    struct icaltimetype start = icalcomponent_get_dtstart(ev), end;
    icalproperty *rr = icalcomponent_get_first_property(ev, ICAL_RRULE_PROPERTY);
    char summary[SUMMARY_MAX + 1];
    int length;

    if (icaltime_is_null_time(start) || !icaltime_is_valid_time(start) || !date_ok(start)) {
        snprintf(p->error, sizeof p->error, "an event (VEVENT) without a valid DTSTART");
        return;
    }
    if (!start.is_date) { /* a timed event is not a day off: skipped, and counted */
        p->skipped++;
        return;
    }
    end = icalcomponent_get_dtend(ev); /* from DTEND, else DTSTART + DURATION */
    if (icaltime_is_null_time(end) || icaltime_compare_date_only(end, start) <= 0) {
        end = start; /* RFC 5545 §3.6.1: a DATE DTSTART alone lasts one day */
        icaltime_adjust(&end, 1, 0, 0, 0);
    }
    length = icaltime_as_timet(end) > icaltime_as_timet(start)
                 ? (int)((icaltime_as_timet(end) - icaltime_as_timet(start) + 43200) / 86400)
                 : 1;
    if (length > EVENT_DAYS_MAX)
        length = EVENT_DAYS_MAX;
    summary_of(ev, summary);
    if (rr != NULL)
        expand(p, ev, icalproperty_get_rrule(rr), start, length, summary);
    else
        add_span(p, start, end, summary);
}

/* The first parse error libical recorded in C or below it (X-LIC-ERROR), into P. */
static bool parse_error(struct parse *p, icalcomponent *c)
{
    icalproperty *e = icalcomponent_get_first_property(c, ICAL_XLICERROR_PROPERTY);

    if (e != NULL) {
        snprintf(p->error, sizeof p->error, "not valid iCalendar: %.150s",
                 icalproperty_get_xlicerror(e));
        return true;
    }
    for (icalcomponent *s = icalcomponent_get_first_component(c, ICAL_ANY_COMPONENT); s != NULL;
         s = icalcomponent_get_next_component(c, ICAL_ANY_COMPONENT))
        if (parse_error(p, s))
            return true;
    return false;
}

static void parse_calendar(struct parse *p, const char *text)
{
    icalcomponent *cal = icalparser_parse_string(text);

    if (cal == NULL || icalcomponent_isa(cal) != ICAL_VCALENDAR_COMPONENT) {
        snprintf(p->error, sizeof p->error, "not an iCalendar file (want BEGIN:VCALENDAR)");
    } else if (!parse_error(p, cal)) {
        for (icalcomponent *ev = icalcomponent_get_first_component(cal, ICAL_VEVENT_COMPONENT);
             ev != NULL && p->error[0] == '\0';
             ev = icalcomponent_get_next_component(cal, ICAL_VEVENT_COMPONENT))
            one_event(p, ev);
    }
    if (p->error[0] == '\0' && json_object_size(p->dates) == 0)
        snprintf(p->error, sizeof p->error,
                 "no all-day event (VEVENT with a DATE DTSTART) in "
                 "the file%s",
                 p->skipped ? "; timed events are not holidays" : "");
    icalcomponent_free(cal);
}

/* TEXT's holidays as {"YYYY-MM-DD": summary} (*OUT, new), or HR_EINVAL with the reason. */
static int holidays_parse(const char *text, size_t len, int64_t now_ms, json_t **out,
                          struct hr_err *err)
{
    struct parse p = {0};
    char *copy = NULL;

    *out = NULL;
    if (len == 0 || len > ICS_MAX || memchr(text, '\0', len) != NULL || !hr_utf8_valid(text, len))
        return hr_fail(err, HR_EINVAL,
                       "not an iCalendar file: want 1 byte to 4 MiB of UTF-8 "
                       "text");
    p.dates = json_object();
    copy = strndup(text, len);
    if (copy == NULL || p.dates == NULL) {
        free(copy);
        json_decref(p.dates);
        return hr_fail(err, HR_ENOMEM, "holidays");
    }
    agency_ical_lock();
    p.until = icaltime_from_timet_with_zone((time_t)(now_ms / 1000) + AHEAD_DAYS * 86400LL, 1,
                                            icaltimezone_get_utc_timezone());
    parse_calendar(&p, copy);
    agency_ical_unlock();
    free(copy);
    if (p.error[0] != '\0') {
        json_decref(p.dates);
        return hr_fail(err, HR_EINVAL, "%s: nothing imported", p.error);
    }
    *out = p.dates;
    return HR_OK;
}

/* ---- the store ---- */

static int hkey(const char *account, const char *date, char *key, size_t cap, size_t *len)
{
    int n = snprintf(key, cap, "h%c%s%c%s", '\0', account, '\0', date ? date : "");

    if (n <= 0 || (size_t)n >= cap)
        return HR_EINVAL;
    *len = (size_t)n;
    return HR_OK;
}

struct hol_op {
    const char *by, *account;
    const json_t *dates;
    size_t count;
    json_t *list;
    struct hr_err *err;
};

static int may_change(struct store_txn *txn, struct hol_op *o)
{
    struct store_account a = {0};
    int rc = agency_may_txn(txn, o->by, AGENCY_DESK_SETTINGS, o->account, NULL, o->err);

    if (rc == HR_OK &&
        (!hr_name_valid(o->account) || store_account_get(txn, o->account, &a, NULL) != HR_OK))
        rc = hr_fail(o->err, HR_ENOTFOUND, "no account named '%.40s'", o->account);
    store_account_fini(&a);
    return rc;
}

static int import_txn(struct store_txn *txn, void *ctx)
{
    struct hol_op *o = ctx;
    const char *date;
    const json_t *v;
    char key[128], details[64];
    size_t klen;
    int rc = may_change(txn, o);

    json_object_foreach((json_t *)(uintptr_t)o->dates, date, v)
    {
        if (rc == HR_OK && hkey(o->account, date, key, sizeof key, &klen) == HR_OK)
            rc = store_rec_put(txn, STORE_T_DESK, key, klen, json_string_value(v),
                               strlen(json_string_value(v)), 0, o->err);
    }
    snprintf(details, sizeof details, "%zu dates", json_object_size(o->dates));
    return rc == HR_OK
               ? agency_audit(txn, o->by, "desk.holidays.import", o->account, details, o->err)
               : rc;
}

int agency_desk_holidays_import(struct store *st, const char *by, const char *account,
                                const char *ics, size_t len, size_t *added, struct hr_err *err)
{
    struct hol_op o = {.by = by, .account = account, .err = err};
    json_t *dates = NULL;
    /* the role first: only who may change the calendar gets a file parsed */
    int rc = agency_may(st, by, AGENCY_DESK_SETTINGS, account, NULL, err);

    if (rc == HR_OK)
        rc = holidays_parse(ics, len, hr_clock_ms(), &dates, err);
    o.dates = dates;
    if (rc == HR_OK)
        rc = agency_write(st, import_txn, &o, err);
    if (rc == HR_OK && added != NULL)
        *added = json_object_size(dates);
    json_decref(dates);
    return rc;
}

static int list_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct hol_op *o = ctx;
    const char *date = (const char *)k + klen - 10; /* the key ends with YYYY-MM-DD */
    json_t *e;

    if (klen < 12)
        return HR_OK;
    e = json_pack("{s:s%,s:s%}", "date", date, (size_t)10, "summary", (const char *)v, vlen);
    return e != NULL && json_array_append_new(o->list, e) == 0
               ? HR_OK
               : hr_fail(o->err, HR_ENOMEM, "holidays");
}

int agency_desk_holidays_list(struct store *st, const char *by, const char *account, json_t **out,
                              struct hr_err *err)
{
    struct hol_op o = {.by = by, .account = account, .err = err, .list = json_array()};
    struct store_txn *txn = NULL;
    char prefix[128];
    size_t plen = 0;
    int rc = store_txn_begin(st, STORE_READ, &txn, err);

    *out = NULL;
    if (rc == HR_OK && agency_may_txn(txn, by, AGENCY_DESK_SETTINGS, account, NULL, NULL) != HR_OK)
        rc = agency_may_txn(txn, by, AGENCY_CASE_READ, account, NULL, err);
    if (rc == HR_OK && hkey(account, NULL, prefix, sizeof prefix, &plen) != HR_OK)
        rc = hr_fail(err, HR_EINVAL, "bad account name");
    if (rc == HR_OK && o.list == NULL)
        rc = hr_fail(err, HR_ENOMEM, "holidays");
    if (rc == HR_OK)
        rc = store_rec_each(txn, STORE_T_DESK, prefix, plen, false, list_cb, &o, err);
    store_txn_abort(txn);
    if (rc == HR_OK)
        *out = o.list;
    else
        json_decref(o.list);
    return rc;
}

static int key_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct hol_op *o = ctx;
    json_t *key = json_stringn((const char *)k, klen);

    (void)v, (void)vlen;
    return key != NULL && json_array_append_new(o->list, key) == 0
               ? HR_OK
               : hr_fail(o->err, HR_ENOMEM, "holidays");
}

static int clear_txn(struct store_txn *txn, void *ctx)
{
    struct hol_op *o = ctx;
    char prefix[128], details[64];
    size_t plen = 0, i;
    json_t *k;
    int rc = may_change(txn, o);

    if (rc == HR_OK && hkey(o->account, NULL, prefix, sizeof prefix, &plen) != HR_OK)
        rc = hr_fail(o->err, HR_EINVAL, "bad account name");
    if (rc == HR_OK) /* keys first: no deletes under a cursor */
        rc = store_rec_each(txn, STORE_T_DESK, prefix, plen, false, key_cb, o, o->err);
    json_array_foreach(o->list, i, k)
    {
        if (rc == HR_OK)
            rc = store_rec_del(txn, STORE_T_DESK, json_string_value(k), json_string_length(k),
                               o->err);
    }
    o->count = json_array_size(o->list);
    snprintf(details, sizeof details, "%zu dates", o->count);
    return rc == HR_OK
               ? agency_audit(txn, o->by, "desk.holidays.clear", o->account, details, o->err)
               : rc;
}

int agency_desk_holidays_clear(struct store *st, const char *by, const char *account,
                               size_t *removed, struct hr_err *err)
{
    struct hol_op o = {.by = by, .account = account, .err = err, .list = json_array()};
    int rc = o.list ? agency_write(st, clear_txn, &o, err) : hr_fail(err, HR_ENOMEM, "holidays");

    if (rc == HR_OK && removed != NULL)
        *removed = o.count;
    json_decref(o.list);
    return rc;
}
