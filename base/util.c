/* base/util.c - small parsers, the clock, dates, UTF-8 and name checks. */
#include "base/hr.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

int hr_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    char *end = NULL;
    unsigned long long v;

    if (s == NULL || *s < '0' || *s > '9')
        return HR_EINVAL;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v > max)
        return HR_EINVAL;
    *out = (uint64_t)v;
    return HR_OK;
}

int hr_parse_u64_slice(struct hr_slice s, uint64_t max, uint64_t *out)
{
    char tmp[24];

    if (s.len == 0 || s.len >= sizeof tmp)
        return HR_EINVAL;
    memcpy(tmp, s.p, s.len);
    tmp[s.len] = '\0';
    return hr_parse_u64(tmp, max, out);
}

int64_t hr_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t hr_mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* HERALD_CLOCK_SHIFT, parsed once (hr_clock_ms). */
static int64_t clock_shift = 0;
static pthread_once_t clock_once = PTHREAD_ONCE_INIT;

static void clock_shift_init(void)
{
    const char *s = getenv("HERALD_CLOCK_SHIFT"), *p;
    int64_t sign = 1, n = 0, unit;
    char *end = NULL;

    if (s == NULL || *s == '\0')
        return;
    p = s;
    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    errno = 0;
    if (*p >= '0' && *p <= '9')
        n = (int64_t)strtoll(p, &end, 10);
    switch (end && end != p && errno == 0 && end[0] != '\0' && end[1] == '\0' ? *end : 0) {
    case 's': unit = 1000; break;
    case 'm': unit = 60000; break;
    case 'h': unit = 3600000; break;
    case 'd': unit = 86400000; break;
    default: unit = 0;
    }
    if (unit == 0 || n > 36500LL * 86400000 / unit) {
        fprintf(stderr, "herald: HERALD_CLOCK_SHIFT=%s ignored: want [+-]N followed by s, m, h "
                        "or d\n", s);
        return;
    }
    clock_shift = sign * n * unit;
}

int64_t hr_clock_shift_ms(void)
{
    pthread_once(&clock_once, clock_shift_init);
    return clock_shift;
}

int64_t hr_clock_ms(void)
{
    return hr_now_ms() + hr_clock_shift_ms();
}

static const char *const wdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void hr_http_date(int64_t unix_ms, char out[32])
{
    time_t t = (time_t)(unix_ms / 1000);
    struct tm tm;

    gmtime_r(&t, &tm);
    /* format by hand: strftime's %a/%b follow the locale */
    snprintf(out, 32, "%s, %02d %s %04d %02d:%02d:%02d GMT", wdays[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void hr_iso8601(int64_t unix_ms, char out[32])
{
    time_t t = (time_t)(unix_ms / 1000);
    struct tm tm;

    gmtime_r(&t, &tm);
    /* the modulos tell gcc's truncation check what gmtime_r already guarantees */
    snprintf(out, 32, "%04u-%02u-%02uT%02u:%02u:%02uZ", (unsigned)(tm.tm_year + 1900) % 10000u,
             (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u,
             (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u);
}

static int month_index(const char *m)
{
    for (int i = 0; i < 12; i++)
        if (strncmp(m, months[i], 3) == 0)
            return i;
    return -1;
}

/* days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm) */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* RFC 7231 §7.1.1.1: IMF-fixdate is what senders use; we accept only it, strictly,
 * since every ActivityPub implementation signs an IMF-fixdate Date header. */
int hr_http_date_parse(const char *s, int64_t *out_ms)
{
    char wd[4], mon[4], gmt[4];
    int day, year, hh, mm, ss, n = 0, mi;

    if (s == NULL || strlen(s) != 29)
        return HR_EINVAL;
    if (sscanf(s, "%3s, %2d %3s %4d %2d:%2d:%2d %3s%n", wd, &day, mon, &year, &hh, &mm, &ss, gmt,
               &n) != 8 ||
        n != 29)
        return HR_EINVAL;
    mi = month_index(mon);
    if (mi < 0 || strcmp(gmt, "GMT") != 0 || day < 1 || day > 31 || year < 1970 || hh > 23 ||
        mm > 59 || ss > 60 || hh < 0 || mm < 0 || ss < 0)
        return HR_EINVAL;
    *out_ms = (days_from_civil(year, (unsigned)mi + 1, (unsigned)day) * 86400 + hh * 3600 +
               mm * 60 + ss) *
              1000;
    return HR_OK;
}

int hr_iso8601_parse(const char *s, int64_t *out_ms)
{
    int y, mo, d, h, mi, sec, n = 0;

    if (s == NULL || strlen(s) != 20 ||
        sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 20)
        return HR_EINVAL;
    if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        sec > 59 || h < 0 || mi < 0 || sec < 0)
        return HR_EINVAL;
    *out_ms = (days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec) *
              1000;
    return HR_OK;
}

bool hr_slice_eq(struct hr_slice a, const char *s)
{
    size_t n = strlen(s);
    return a.len == n && memcmp(a.p, s, n) == 0;
}

bool hr_slice_ieq(struct hr_slice a, const char *s)
{
    size_t n = strlen(s);
    return a.len == n && strncasecmp(a.p, s, n) == 0;
}

bool hr_streq_ci(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

bool hr_utf8_valid(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0;

    while (i < n) {
        unsigned c = s[i];
        size_t len;
        uint32_t cp;
        if (c == 0)
            return false;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > n)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
            return false;
        i += len;
    }
    return true;
}

bool hr_name_valid(const char *name)
{
    size_t n = name ? strlen(name) : 0;

    if (n == 0 || n > 30)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '_' && i > 0)))
            return false;
    }
    return true;
}

void hr_fifo_push(struct hr_fifo *q, struct hr_link *l)
{
    l->next = NULL;
    if (q->tail != NULL)
        q->tail->next = l;
    else
        q->head = l;
    q->tail = l;
    q->n++;
}

struct hr_link *hr_fifo_pop(struct hr_fifo *q)
{
    struct hr_link *l = q->head;

    if (l == NULL)
        return NULL;
    q->head = l->next;
    if (q->head == NULL)
        q->tail = NULL;
    q->n--;
    l->next = NULL;
    return l;
}

struct hr_link *hr_fifo_take(struct hr_fifo *q)
{
    struct hr_link *head = q->head;

    *q = (struct hr_fifo){0};
    return head;
}

void hr_fifo_append(struct hr_fifo *q, struct hr_fifo *from)
{
    if (from->head == NULL)
        return;
    if (q->tail != NULL)
        q->tail->next = from->head;
    else
        q->head = from->head;
    q->tail = from->tail;
    q->n += from->n;
    *from = (struct hr_fifo){0};
}

int hr_xsd_datetime_parse(const char *s, int64_t *out_ms)
{
    char head[21];
    const char *p;
    int64_t ms, frac = 0, scale = 100, off = 0;

    if (s == NULL || strlen(s) < 20 || strlen(s) > 40)
        return HR_EINVAL;
    memcpy(head, s, 19);
    memcpy(head + 19, "Z", 2);
    if (hr_iso8601_parse(head, &ms) != HR_OK)
        return HR_EINVAL;
    p = s + 19;
    if (*p == '.') { /* fraction: milliseconds kept, the rest read and dropped */
        if (!isdigit((unsigned char)*++p))
            return HR_EINVAL;
        for (; isdigit((unsigned char)*p); p++, scale /= 10)
            frac += (*p - '0') * scale;
    }
    if (*p == '+' || *p == '-') {
        int oh, om, n = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &n) != 2 || n != 5 || p[6] != '\0' ||
            oh < 0 || oh > 14 || om < 0 || om > 59)
            return HR_EINVAL;
        off = (*p == '+' ? 1 : -1) * ((int64_t)oh * 3600 + om * 60) * 1000;
    } else if (strcmp(p, "Z") != 0) {
        return HR_EINVAL;
    }
    *out_ms = ms + frac - off;
    return HR_OK;
}
