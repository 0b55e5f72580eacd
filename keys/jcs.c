/* keys/jcs.c - RFC 8785 JSON Canonicalization Scheme over a jansson value: the bytes an
 * eddsa-jcs-2022 proof hashes. jansson's own output is not canonical (its number format,
 * and key order by bytes, not by UTF-16 code units), so this small serialiser is ours:
 * strings escaped per RFC 8785 §3.2.2.2, numbers as ECMAScript's Number.prototype.toString
 * (§3.2.2.3), object members sorted by their names' UTF-16 code units (§3.2.3). */
#include "keys/keys.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JCS_DEPTH 64 /* deeper documents are refused: recursion stays bounded */

static void addc(struct hr_buf *b, char c)
{
    hr_buf_add(b, &c, 1);
}

/* ---- numbers (ECMA-262 Number::toString, radix 10) ---- */

/* The shortest decimal digits D (no dot, no sign) and exponent N of V > 0 such that
 * V == 0.D x 10^N round-trips: glibc's printf rounds correctly, so the first precision
 * whose output reads back as V is the shortest, and of that length the nearest. */
static void shortest_digits(double v, char d[24], int *n)
{
    char tmp[40];
    int k = 0, e = 0;

    for (int p = 1; p <= 17; p++) {
        snprintf(tmp, sizeof tmp, "%.*e", p - 1, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    /* tmp is "D.DDDDe[+-]XX" */
    for (const char *s = tmp; *s != 'e'; s++)
        if (*s != '.')
            d[k++] = *s;
    while (k > 1 && d[k - 1] == '0')
        k--;
    d[k] = '\0';
    e = (int)strtol(strchr(tmp, 'e') + 1, NULL, 10);
    *n = e + 1;
}

/* ECMA-262 §6.1.6.1.20 steps for a finite non-zero positive V, into B. */
static void number_positive(struct hr_buf *b, double v)
{
    char d[24];
    int n, k;

    shortest_digits(v, d, &n);
    k = (int)strlen(d);
    if (k <= n && n <= 21) { /* integer: digits then zeros */
        hr_buf_adds(b, d);
        for (int i = 0; i < n - k; i++)
            addc(b, '0');
    } else if (0 < n && n <= 21) { /* point inside the digits */
        hr_buf_add(b, d, (size_t)n);
        addc(b, '.');
        hr_buf_adds(b, d + n);
    } else if (-6 < n && n <= 0) { /* 0.000ddd */
        hr_buf_adds(b, "0.");
        for (int i = 0; i < -n; i++)
            addc(b, '0');
        hr_buf_adds(b, d);
    } else { /* exponent form: d[.ddd]e+X */
        addc(b, d[0]);
        if (k > 1) {
            addc(b, '.');
            hr_buf_adds(b, d + 1);
        }
        hr_buf_addf(b, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
    }
}

static int number(struct hr_buf *b, double v, struct hr_err *err)
{
    if (!isfinite(v))
        return hr_fail(err, HR_EINVAL, "JCS: NaN and Infinity have no JSON form");
    if (v == 0) { /* also -0 */
        addc(b, '0');
        return HR_OK;
    }
    if (v < 0)
        addc(b, '-');
    number_positive(b, fabs(v));
    return HR_OK;
}

/* ---- strings ---- */

static void string(struct hr_buf *b, const char *s, size_t len)
{
    addc(b, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': hr_buf_adds(b, "\\\""); break;
        case '\\': hr_buf_adds(b, "\\\\"); break;
        case '\b': hr_buf_adds(b, "\\b"); break;
        case '\f': hr_buf_adds(b, "\\f"); break;
        case '\n': hr_buf_adds(b, "\\n"); break;
        case '\r': hr_buf_adds(b, "\\r"); break;
        case '\t': hr_buf_adds(b, "\\t"); break;
        default:
            if (c < 0x20)
                hr_buf_addf(b, "\\u%04x", c);
            else
                addc(b, (char)c);
        }
    }
    addc(b, '"');
}

/* ---- member order: UTF-16 code units of the names ---- */

/* The next UTF-16 code unit of the valid UTF-8 string at *P (jansson validates UTF-8);
 * *PENDING carries the low surrogate of a supplementary character. */
static unsigned utf16_next(const unsigned char **p, unsigned *pending)
{
    const unsigned char *s = *p;
    unsigned cp;

    if (*pending != 0) {
        cp = *pending;
        *pending = 0;
        return cp;
    }
    if (s[0] < 0x80) {
        cp = s[0];
        *p = s + 1;
    } else if (s[0] < 0xe0) {
        cp = (s[0] & 0x1fu) << 6 | (s[1] & 0x3fu);
        *p = s + 2;
    } else if (s[0] < 0xf0) {
        cp = (s[0] & 0x0fu) << 12 | (s[1] & 0x3fu) << 6 | (s[2] & 0x3fu);
        *p = s + 3;
    } else {
        cp = (s[0] & 0x07u) << 18 | (s[1] & 0x3fu) << 12 | (s[2] & 0x3fu) << 6 | (s[3] & 0x3fu);
        *p = s + 4;
        cp -= 0x10000;
        *pending = 0xdc00 | (cp & 0x3ff);
        return 0xd800 | (cp >> 10);
    }
    return cp;
}

static int utf16_cmp(const void *x, const void *y)
{
    const unsigned char *a = *(const unsigned char *const *)x;
    const unsigned char *b = *(const unsigned char *const *)y;
    unsigned pa = 0, pb = 0;

    for (;;) {
        bool ea = *a == '\0' && pa == 0, eb = *b == '\0' && pb == 0;
        unsigned ua, ub;
        if (ea || eb)
            return (int)eb - (int)ea;
        ua = utf16_next(&a, &pa);
        ub = utf16_next(&b, &pb);
        if (ua != ub)
            return ua < ub ? -1 : 1;
    }
}

/* ---- values ---- */

static int value(struct hr_buf *b, const json_t *j, int depth, struct hr_err *err);

static int object(struct hr_buf *b, const json_t *j, int depth, struct hr_err *err)
{
    size_t n = json_object_size(j), i = 0;
    const char **names = malloc((n ? n : 1) * sizeof *names);
    int rc = HR_OK;

    if (names == NULL)
        return hr_fail(err, HR_ENOMEM, "JCS");
    for (void *it = json_object_iter((json_t *)(uintptr_t)j); it != NULL && rc == HR_OK;
         it = json_object_iter_next((json_t *)(uintptr_t)j, it)) {
        names[i] = json_object_iter_key(it);
        if (strlen(names[i]) != json_object_iter_key_len(it))
            rc = hr_fail(err, HR_EINVAL, "JCS: a member name holds U+0000");
        i++;
    }
    qsort(names, i, sizeof *names, utf16_cmp);
    addc(b, '{');
    for (size_t k = 0; k < i && rc == HR_OK; k++) {
        if (k > 0)
            addc(b, ',');
        string(b, names[k], strlen(names[k]));
        addc(b, ':');
        rc = value(b, json_object_get(j, names[k]), depth + 1, err);
    }
    addc(b, '}');
    free(names);
    return rc;
}

static int value(struct hr_buf *b, const json_t *j, int depth, struct hr_err *err)
{
    int rc = HR_OK;

    if (depth > JCS_DEPTH)
        return hr_fail(err, HR_EINVAL, "JCS: nested deeper than %d", JCS_DEPTH);
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return object(b, j, depth, err);
    case JSON_ARRAY:
        addc(b, '[');
        for (size_t i = 0; i < json_array_size(j) && rc == HR_OK; i++) {
            if (i > 0)
                addc(b, ',');
            rc = value(b, json_array_get(j, i), depth + 1, err);
        }
        addc(b, ']');
        return rc;
    case JSON_STRING:
        string(b, json_string_value(j), json_string_length(j));
        return HR_OK;
    case JSON_INTEGER: /* I-JSON: every number is an IEEE 754 double */
        return number(b, (double)json_integer_value(j), err);
    case JSON_REAL:
        return number(b, json_real_value(j), err);
    case JSON_TRUE:
        hr_buf_adds(b, "true");
        return HR_OK;
    case JSON_FALSE:
        hr_buf_adds(b, "false");
        return HR_OK;
    default:
        hr_buf_adds(b, "null");
        return HR_OK;
    }
}

int keys_jcs(const json_t *j, char **out, size_t *len, struct hr_err *err)
{
    struct hr_buf b;
    int rc;

    if (j == NULL)
        return hr_fail(err, HR_EINVAL, "JCS: no value");
    hr_buf_init(&b, KEYS_JCS_MAX);
    rc = value(&b, j, 0, err);
    if (rc == HR_OK && b.err != HR_OK)
        rc = hr_fail(err, b.err, "JCS: canonical form over %d bytes", KEYS_JCS_MAX);
    if (rc != HR_OK) {
        hr_buf_fini(&b);
        return rc;
    }
    *len = b.len;
    *out = hr_buf_take(&b);
    return *out ? HR_OK : hr_fail(err, HR_ENOMEM, "JCS");
}
