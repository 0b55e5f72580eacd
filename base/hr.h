/* base/hr.h - the leaf every Herald module uses: error type, capped string
 * builder, byte slices, logging, small parsers and the clock.
 * libc (and POSIX threads) only. Thread-safe: nothing here keeps mutable state except
 * hr_log_max, set once at start-up, and struct hr_rate, which locks itself. */
#ifndef HERALD_HR_H
#define HERALD_HR_H

#include <locale.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HERALD_VERSION "0.1.0"

enum hr_rc { /* 0 is success, the rest fit a switch */
             HR_OK = 0,
             HR_EINVAL,
             HR_ENOTFOUND,
             HR_EEXIST,
             HR_ETOOBIG,
             HR_ESIG,
             HR_EFORBIDDEN,
             HR_ENET,
             HR_ESCHEMA,
             HR_EIO,
             HR_ENOMEM,
             HR_EINTERNAL,
             HR_EGONE,
             HR_ELIMIT,
             HR_ESTALE /* the caller acted on a version that has changed since it read it */
};

struct hr_err {
    enum hr_rc code;
    char msg[256]; /* one line, operator-safe: never keys, tokens or bodies */
};

/* Fills *err (if non-NULL) with CODE and the formatted one-line message; returns CODE.
 * CR and LF in the message are replaced by spaces. */
int hr_fail(struct hr_err *err, enum hr_rc code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *hr_rc_name(enum hr_rc rc); /* static string, e.g. "EINVAL" */

/* Peer bytes: never assumed NUL-terminated. */
struct hr_slice {
    const char *p;
    size_t len;
};

/* Intrusive FIFO queue: a struct that is queued embeds a struct hr_link. Not locked. */
struct hr_link {
    struct hr_link *next;
};
struct hr_fifo {
    struct hr_link *head, *tail;
    size_t n;
};
void hr_fifo_push(struct hr_fifo *q, struct hr_link *l);
struct hr_link *hr_fifo_pop(struct hr_fifo *q);            /* NULL when empty */
struct hr_link *hr_fifo_take(struct hr_fifo *q);           /* all, as a chain; q emptied */
void hr_fifo_append(struct hr_fifo *q, struct hr_fifo *from); /* from emptied */
#define HR_CONTAINER(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* Capped, NUL-terminated string builder. Errors are sticky in .err (HR_ENOMEM or
 * HR_ETOOBIG when LIMIT would be passed); check once at the end. */
struct hr_buf {
    char *data;
    size_t len, cap, limit;
    int err;
};
void hr_buf_init(struct hr_buf *b, size_t limit);
void hr_buf_add(struct hr_buf *b, const char *p, size_t n);
void hr_buf_adds(struct hr_buf *b, const char *s);
void hr_buf_addf(struct hr_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *hr_buf_take(struct hr_buf *b); /* caller frees; b is reset (NULL on error) */
void hr_buf_fini(struct hr_buf *b);

/* HTML escaping of untrusted text (& < > " '); bidi embedding, override and isolate
 * controls (U+202A-U+202E, U+2066-U+2069) become U+FFFD. */
void hr_buf_add_html(struct hr_buf *b, const char *p, size_t n);
/* Markup Herald generated itself from escaped text (a post's content), copied as it is
 * but for the same bidi controls, which become U+FFFD. Never for anything received. */
void hr_buf_add_markup(struct hr_buf *b, const char *p, size_t n);

/* Logging: one stderr line per event, "TIME level mod: message". */
enum hr_level { HR_LOG_ERR, HR_LOG_WARN, HR_LOG_INFO, HR_LOG_DEBUG };
extern enum hr_level hr_log_max;
void hr_log_(enum hr_level lv, const char *mod, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
#define hr_log(lv, mod, ...)                                                                       \
    do {                                                                                           \
        if ((lv) <= hr_log_max)                                                                    \
            hr_log_((lv), (mod), __VA_ARGS__);                                                     \
    } while (0)

/* Parses all of S (decimal, no sign, no spaces) into *OUT, at most MAX.
 * HR_EINVAL on anything else. */
int hr_parse_u64(const char *s, uint64_t max, uint64_t *out);
int hr_parse_u64_slice(struct hr_slice s, uint64_t max, uint64_t *out);

int64_t hr_now_ms(void);   /* wall clock, Unix ms */
int64_t hr_mono_ms(void);  /* monotonic ms, for timeouts */
/* The desk's clock (issue #12): hr_now_ms() moved by HERALD_CLOCK_SHIFT when that is set
 * ("+3d", "-90m", "36h", "600s": a signed whole number of s, m, h or d), so that tests and
 * drills can see deadlines and silences pass without waiting. Case times, deadlines, the
 * watchdog and report defaults read it; signatures, Date headers, published times and
 * delivery retries never do (they stay on hr_now_ms). Read once; an unparsable value is
 * ignored with a warning on stderr. */
int64_t hr_clock_ms(void);
int64_t hr_clock_shift_ms(void); /* the shift in effect (0 normally) */
/* RFC 7231 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"); OUT holds 30 bytes. */
void hr_http_date(int64_t unix_ms, char out[32]);
/* Parses an IMF-fixdate (RFC 7231 §7.1.1.1) into Unix ms; other forms are refused. */
int hr_http_date_parse(const char *s, int64_t *out_ms);
/* ISO 8601 UTC, second precision: "2026-01-02T03:04:05Z". */
void hr_iso8601(int64_t unix_ms, char out[32]);
/* Parses exactly "YYYY-MM-DDTHH:MM:SSZ" (UTC). HR_EINVAL on anything else. */
int hr_iso8601_parse(const char *s, int64_t *out_ms);
/* xsd:dateTime as peers write it in proofs: "2026-01-02T03:04:05" + optional fraction
 * (kept to the millisecond) + "Z" or "+HH:MM"/"-HH:MM". Other forms: HR_EINVAL. */
int hr_xsd_datetime_parse(const char *s, int64_t *out_ms);

bool hr_slice_eq(struct hr_slice a, const char *s);
bool hr_slice_ieq(struct hr_slice a, const char *s); /* ASCII case-insensitive */
bool hr_streq_ci(const char *a, const char *b);

/* Valid UTF-8 (no overlongs, no surrogates, no NUL)? */
bool hr_utf8_valid(const char *p, size_t n);

/* Account names: 1..30 chars of [a-z0-9_], starting with a letter or digit. */
bool hr_name_valid(const char *name);

/* FNV-1a, 64 bits: for hash tables, never for anything an attacker must not collide.
 * Chain calls by passing the previous result as H (start with HR_FNV_INIT). */
#define HR_FNV_INIT 14695981039346656037ull
uint64_t hr_fnv1a(uint64_t h, const void *p, size_t n);
uint64_t hr_fnv1a_str(const char *s);

/* Fixed-window event counters keyed exactly by a string (no slot sharing between keys).
 * At most CAP keys are remembered; a new key past that evicts the least recently used
 * one. Locked inside: shared by all threads. NOW_MS is monotonic (hr_mono_ms).
 * hr_rate_hit counts one event for KEY and is true while the window's count is <= LIMIT;
 * hr_rate_check counts nothing, adds no key, and is true while the count is < LIMIT (a
 * window starts at a key's first hit, never at a check). Both set
 * *retry_after_s (may be NULL) to the seconds until KEY's window ends. Out of memory
 * counts as over the limit. */
struct hr_rate;
int hr_rate_new(size_t cap, int64_t window_ms, struct hr_rate **out); /* HR_EINVAL, HR_ENOMEM */
void hr_rate_free(struct hr_rate *r);                                 /* NULL: no-op */
bool hr_rate_hit(struct hr_rate *r, const char *key, uint64_t limit, int64_t now_ms,
                 int64_t *retry_after_s);
bool hr_rate_check(struct hr_rate *r, const char *key, uint64_t limit, int64_t now_ms,
                   int64_t *retry_after_s);
size_t hr_rate_size(struct hr_rate *r); /* keys remembered */

/* ---- interface languages (base/i18n.c): gettext catalogs chosen per request ----
 * hr_i18n_init: once, before any thread (it sets LOCPATH and unsets LANGUAGE). LOCALEDIR
 * holds LL_CC/LC_MESSAGES/herald.mo (the build's locale/ directory); NULL or missing
 * leaves English only. */
int hr_i18n_init(const char *localedir, struct hr_err *err);
/* newlocale(MASK, NAME, 0), kept for the life of the process. glibc 2.36 loses the LOCPATH
 * search list it builds for a locale read from files (a few dozen bytes, once per locale);
 * under LeakSanitizer that allocation is not reported, so a process with no leak of its
 * own ends without a report, and without symbolizing one (half a second per run of an
 * instrumented binary. */
locale_t hr_newlocale(int mask, const char *name);
/* The interface languages shipped, English first: {"en", "zh-CN", ..., NULL}. */
const char *const *hr_i18n_languages(void);
/* The language of one response: QUERY (a ?lang= value) if shipped, else the best of
 * ACCEPT_LANGUAGE, else the first shipped of PREFERRED (the instance's `languages`,
 * "zh, en"), else "en". Returns one of hr_i18n_languages(). */
const char *hr_i18n_pick(const char *query, const char *accept_language, const char *preferred);
/* MSGID translated into LANG (a tag from hr_i18n_pick); MSGID itself when untranslated.
 * Mark strings with TR() so that xgettext finds them (po/README.md). */
const char *hr_tr(const char *lang, const char *msgid);
const char *hr_trn(const char *lang, const char *one, const char *many, unsigned long n);
#define TR(lang, msgid) hr_tr((lang), (msgid))
#define TRN(lang, one, many, n) hr_trn((lang), (one), (many), (n))
#define N_(msgid) (msgid)
/* Translations carry named placeholders, never printf formats (a translation cannot then
 * read arguments that are not there): TMPL with each "{KEY}" replaced by the value of the
 * NULL-terminated KEY, VALUE (const char *) pairs, at most 16; unknown keys stay as they
 * are. EMIT gets the pieces in order. */
void hr_subst_v(const char *tmpl, void (*emit)(void *ctx, const char *p, size_t n), void *ctx,
                va_list ap);
/* Appends the result to B, as it is (the caller escapes what needs it). */
void hr_buf_subst(struct hr_buf *b, const char *tmpl, ...) __attribute__((sentinel)); /* marked for xgettext, translated later with hr_tr */

#endif
