/* agency/desk.c - each account's desk settings: its default department, the deadline for a
 * first answer and the working calendar it is counted in, the automatic acknowledgement,
 * the watchdog's limits (docs/desk.md). Every value is checked before anything is stored;
 * the stored record (STORE_T_DESK 'a' NUL account) holds only what was set explicitly, so a
 * changed default (config `timezone`) reaches every account that did not choose. */
#include "agency/agency_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int agency_desk_settings(struct store_txn *txn, const char *account, json_t **out,
                         struct hr_err *err)
{
    char key[80];
    int n = snprintf(key, sizeof key, "a%c%s", '\0', account);
    char *v = NULL;
    size_t len = 0;
    int rc;

    *out = NULL;
    if (n <= 0 || (size_t)n >= sizeof key)
        return hr_fail(err, HR_EINVAL, "account name too long");
    rc = store_rec_get(txn, STORE_T_DESK, key, (size_t)n, &v, &len, err);
    if (rc == HR_ENOTFOUND) {
        *out = json_object();
        return *out ? HR_OK : hr_fail(err, HR_ENOMEM, "desk settings");
    }
    if (rc != HR_OK)
        return rc;
    *out = json_loadb(v, len, 0, NULL);
    free(v);
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return hr_fail(err, HR_EIO, "desk settings of %s: unreadable record", account);
    }
    return HR_OK;
}

/* ---- the keys: each check turns VALUE into what is stored (*OUT, new) ---- */

struct check {
    struct store_txn *txn;
    const char *account, *value;
    json_t *out;
    struct hr_err *err;
};

static int check_department(struct check *c)
{
    struct store_account a = {0};
    int rc = hr_name_valid(c->value) ? store_account_get(c->txn, c->value, &a, NULL) : HR_ENOTFOUND;
    bool fits = rc == HR_OK && (strcmp(a.kind, "agency") == 0 || strcmp(a.kind, "department") == 0);

    store_account_fini(&a);
    if (rc != HR_OK)
        return hr_fail(c->err, HR_EINVAL, "department '%.40s' is not an account here", c->value);
    if (!fits)
        return hr_fail(c->err, HR_EINVAL,
                       "department '%.40s' must be an account of kind "
                       "agency or department",
                       c->value);
    c->out = json_string(c->value);
    return HR_OK;
}

static int check_deadline(struct check *c)
{
    bool hours;
    unsigned n;
    int rc = agency_desk_parse_deadline(c->value, &hours, &n, c->err);

    if (rc == HR_OK)
        c->out = json_string(c->value);
    return rc;
}

static int check_timezone(struct check *c)
{
    if (!agency_tz_valid(c->value))
        return hr_fail(c->err, HR_EINVAL,
                       "timezone '%.64s' is not a zone name libical knows "
                       "(IANA tzdata, e.g. Europe/Berlin, Asia/Shanghai)",
                       c->value);
    c->out = json_string(c->value);
    return HR_OK;
}

static int check_weekdays(struct check *c)
{
    unsigned mask;
    int rc = agency_desk_parse_weekdays(c->value, &mask, c->err);

    if (rc == HR_OK)
        c->out = json_string(c->value);
    return rc;
}

static int check_hours(struct check *c)
{
    int a, b;
    int rc = agency_desk_parse_hours(c->value, &a, &b, c->err);

    if (rc == HR_OK)
        c->out = json_string(c->value);
    return rc;
}

static int check_ack(struct check *c)
{
    if (strcmp(c->value, "on") != 0 && strcmp(c->value, "off") != 0)
        return hr_fail(c->err, HR_EINVAL, "ack must be on or off");
    c->out = json_boolean(strcmp(c->value, "on") == 0);
    return HR_OK;
}

/* 1..500 bytes of UTF-8 without control characters; {case} and {deadline} the only
 * placeholders (a typo such as {deadlin} would reach citizens verbatim). */
static int check_ack_text(struct check *c)
{
    const char *p = c->value;
    size_t len = strlen(p);

    if (len > AGENCY_TEXT_MAX || !hr_utf8_valid(p, len))
        return hr_fail(c->err, HR_EINVAL, "ack_text must be 1 to %d bytes of UTF-8",
                       AGENCY_TEXT_MAX);
    for (; *p != '\0'; p++) {
        if ((unsigned char)*p < 0x20 && *p != '\n')
            return hr_fail(c->err, HR_EINVAL, "ack_text: no control characters");
        if (*p == '{' && strncmp(p, "{case}", 6) != 0 && strncmp(p, "{deadline}", 10) != 0)
            return hr_fail(c->err, HR_EINVAL,
                           "ack_text: the only placeholders are {case} and "
                           "{deadline}");
    }
    c->out = json_string(c->value);
    return HR_OK;
}

static int check_number(struct check *c, const char *name, uint64_t max)
{
    uint64_t n = 0;

    if (c->value[0] < '1' || c->value[0] > '9' || hr_parse_u64(c->value, max, &n) != HR_OK)
        return hr_fail(c->err, HR_EINVAL, "%s must be a whole number from 1 to %llu", name,
                       (unsigned long long)max);
    c->out = json_integer((json_int_t)n);
    return HR_OK;
}

static int check_silence(struct check *c)
{
    return check_number(c, "max_silence_days", 365);
}

static int check_wait(struct check *c)
{
    return check_number(c, "draft_wait_hours", 720);
}

static const struct key {
    const char *name;
    int (*check)(struct check *c);
} keys[] = {
    {"department", check_department}, {"deadline", check_deadline},
    {"timezone", check_timezone},     {"weekdays", check_weekdays},
    {"hours", check_hours},           {"ack", check_ack},
    {"ack_text", check_ack_text},     {"max_silence_days", check_silence},
    {"draft_wait_hours", check_wait},
};
#define KEY_NAMES                                                                                  \
    "department, deadline, timezone, weekdays, hours, ack, ack_text, max_silence_days, "           \
    "draft_wait_hours"

static const struct key *key_of(const char *name)
{
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (name != NULL && strcmp(name, keys[i].name) == 0)
            return &keys[i];
    return NULL;
}

int agency_desk_effective(struct store_txn *txn, const char *account, json_t **out,
                          struct hr_err *err)
{
    char tz[64];
    json_t *d;
    int rc = agency_desk_settings(txn, account, out, err);

    if (rc != HR_OK)
        return rc;
    agency_tz_default(tz);
    d = json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:s,s:i,s:i}", "department", account, "deadline", "3d",
                  "timezone", tz, "weekdays", "mon-fri", "hours", "09:00-17:00", "ack", 0,
                  "ack_text", AGENCY_ACK_TEXT_DEFAULT, "max_silence_days", 14, "draft_wait_hours",
                  48);
    if (d == NULL || json_object_update(d, *out) != 0) {
        json_decref(d);
        json_decref(*out);
        *out = NULL;
        return hr_fail(err, HR_ENOMEM, "desk settings");
    }
    json_decref(*out);
    *out = d;
    return HR_OK;
}

/* ---- set ---- */

struct set_ctx {
    const char *by, *account, *key, *value;
    struct hr_err *err;
};

static int put_settings(struct store_txn *txn, const char *account, const json_t *s,
                        struct hr_err *err)
{
    char key[80];
    int n = snprintf(key, sizeof key, "a%c%s", '\0', account);
    char *v = json_dumps(s, JSON_COMPACT | JSON_SORT_KEYS);
    int rc = v ? store_rec_put(txn, STORE_T_DESK, key, (size_t)n, v, strlen(v), 0, err)
               : hr_fail(err, HR_ENOMEM, "desk settings");

    free(v);
    return rc;
}

/* The account exists (HR_ENOTFOUND with a message otherwise). */
static int account_known(struct store_txn *txn, const char *account, struct hr_err *err)
{
    struct store_account a = {0};
    int rc = hr_name_valid(account) ? store_account_get(txn, account, &a, NULL) : HR_ENOTFOUND;

    store_account_fini(&a);
    return rc == HR_ENOTFOUND
               ? hr_fail(err, HR_ENOTFOUND, "no account named '%.40s'", account ? account : "")
               : rc;
}

static int set_txn(struct store_txn *txn, void *ctx)
{
    struct set_ctx *c = ctx;
    struct check ck = {.txn = txn, .account = c->account, .value = c->value, .err = c->err};
    const struct key *k = key_of(c->key);
    json_t *s = NULL;
    char details[600];
    int rc = agency_may_txn(txn, c->by, AGENCY_DESK_SETTINGS, c->account, NULL, c->err);

    if (rc == HR_OK && k == NULL) /* after the role check: the refused learn nothing more */
        rc = hr_fail(c->err, HR_EINVAL, "unknown desk setting '%.40s': use " KEY_NAMES,
                     c->key ? c->key : "");
    if (rc == HR_OK)
        rc = account_known(txn, c->account, c->err);
    if (rc == HR_OK && c->value[0] != '\0') {
        rc = k->check(&ck);
        if (rc == HR_OK && ck.out == NULL)
            rc = hr_fail(c->err, HR_ENOMEM, "desk setting");
    }
    if (rc == HR_OK)
        rc = agency_desk_settings(txn, c->account, &s, c->err);
    if (rc == HR_OK) {
        if (ck.out != NULL)
            json_object_set(s, k->name, ck.out);
        else /* "": back to the default */
            json_object_del(s, k->name);
        rc = put_settings(txn, c->account, s, c->err);
    }
    snprintf(details, sizeof details, "%s=%.500s", c->key, c->value);
    if (rc == HR_OK)
        rc = agency_audit(txn, c->by, "desk.set", c->account, details, c->err);
    json_decref(ck.out);
    json_decref(s);
    return rc;
}

int agency_desk_set(struct store *st, const char *by, const char *account, const char *key,
                    const char *value, struct hr_err *err)
{
    struct set_ctx c = {.by = by, .account = account, .key = key, .value = value, .err = err};

    if (value == NULL)
        c.value = "";
    return agency_write(st, set_txn, &c, err);
}

/* ---- show ---- */

static int count_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    (void)k, (void)klen, (void)v, (void)vlen;
    ++*(size_t *)ctx;
    return HR_OK;
}

static size_t holiday_count(struct store_txn *txn, const char *account)
{
    char prefix[80];
    int n = snprintf(prefix, sizeof prefix, "h%c%s%c", '\0', account, '\0');
    size_t count = 0;

    if (n > 0 && (size_t)n < sizeof prefix)
        store_rec_each(txn, STORE_T_DESK, prefix, (size_t)n, false, count_cb, &count, NULL);
    return count;
}

int agency_desk_show(struct store *st, const char *by, const char *account, json_t **out,
                     struct hr_err *err)
{
    struct store_txn *txn = NULL;
    json_t *eff = NULL, *set = NULL;
    int rc = store_txn_begin(st, STORE_READ, &txn, err);

    *out = NULL;
    if (rc == HR_OK && agency_may_txn(txn, by, AGENCY_DESK_SETTINGS, account, NULL, NULL) != HR_OK)
        rc = agency_may_txn(txn, by, AGENCY_CASE_READ, account, NULL, err);
    if (rc == HR_OK)
        rc = account_known(txn, account, err);
    if (rc == HR_OK)
        rc = agency_desk_effective(txn, account, &eff, err);
    if (rc == HR_OK)
        rc = agency_desk_settings(txn, account, &set, err);
    if (rc == HR_OK) {
        *out = json_pack("{s:s,s:O,s:O,s:I}", "account", account, "settings", eff, "set", set,
                         "holidays", (json_int_t)holiday_count(txn, account));
        rc = *out ? HR_OK : hr_fail(err, HR_ENOMEM, "desk settings");
    }
    json_decref(eff);
    json_decref(set);
    store_txn_abort(txn);
    return rc;
}
