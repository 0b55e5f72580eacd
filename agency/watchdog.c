/* agency/watchdog.c - the liveness watchdog: silent accounts, accounts nobody can publish
 * for, overdue cases, drafts waiting too long, hosts failing for a day (docs/desk.md).
 *
 * The alarms are computed from the store at a given time (agency_watchdog_alarms: herald
 * status and GET /status compute them fresh, so a moved clock shows at once). The server's
 * tick (agency_desk_tick) also keeps the raised ones as STORE_T_DESK 'w' NUL alarm-key ->
 * {"kind", "account" | "host", "since_ms", "raised_ms", "message"} (read by /metrics), emits
 * watchdog.alarm when one goes up, and flags overdue cases (case.overdue, once per case). */
#include "agency/agency_int.h"
#include "federation/fed.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOUR_MS       3600000LL
#define DAY_MS        86400000LL
#define HOST_FAIL_MS  DAY_MS /* deliveries to a host failing for a day */
#define TICK_EVERY_MS 30000  /* the tick's real work, at most this often */

struct scan {
    struct store_txn *txn;
    int64_t now;
    json_t *alarms;  /* alarm key -> alarm */
    json_t *overdue; /* ids of cases overdue and not flagged yet */
    json_t *counts;  /* department -> {"count", "since_ms", "oldest"} of overdue cases */
    struct hr_err *err;
};

static void days_text(int64_t ms, char *out, size_t cap)
{
    if (ms >= 2 * DAY_MS)
        snprintf(out, cap, "%lld days", (long long)(ms / DAY_MS));
    else
        snprintf(out, cap, "%lld hours", (long long)(ms / HOUR_MS));
}

/* Adds alarm KIND of SUBJECT (an account, or a host for host_failing). */
static int alarm_up(struct scan *s, const char *kind, const char *subject, int64_t since_ms,
                    const char *message, json_t *extra)
{
    char key[400];
    json_t *a = json_pack("{s:s,s:s,s:I,s:s}", "kind", kind,
                          strcmp(kind, "host_failing") == 0 ? "host" : "account", subject,
                          "since_ms", (json_int_t)since_ms, "message", message);

    snprintf(key, sizeof key, "%s:%s", kind, subject);
    if (a != NULL && extra != NULL)
        json_object_update(a, extra);
    json_decref(extra);
    if (a == NULL || json_object_set_new(s->alarms, key, a) != 0)
        return hr_fail(s->err, HR_ENOMEM, "alarms");
    return HR_OK;
}

static int raisef(struct scan *s, const char *kind, const char *subject, int64_t since_ms,
                  json_t *extra, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int raisef(struct scan *s, const char *kind, const char *subject, int64_t since_ms,
                  json_t *extra, const char *fmt, ...)
{
    char msg[400];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return alarm_up(s, kind, subject, since_ms, msg, extra);
}

/* ---- silent: nothing published for longer than max_silence_days ---- */

struct last_post {
    struct store_txn *txn;
    int64_t ms;
};

static int last_post_cb(uint64_t seq, const char *activity_id, void *ctx)
{
    struct last_post *l = ctx;
    struct store_object o = {0};

    (void)seq;
    if (store_object_get(l->txn, activity_id, &o, NULL) == HR_OK && o.published_ms > l->ms)
        l->ms = o.published_ms;
    store_object_fini(&o);
    return l->ms > 0; /* the newest entry that resolves */
}

static int check_silent(struct scan *s, const struct store_account *a, const json_t *set)
{
    struct last_post l = {s->txn, 0};
    int64_t limit = json_integer_value(json_object_get(set, "max_silence_days")) * DAY_MS;
    char since[40];

    store_outbox_page(s->txn, a->name, 0, 8, last_post_cb, &l, NULL);
    if (l.ms == 0) { /* never posted: silent counted from its creation */
        if (s->now - a->created_ms <= limit)
            return HR_OK;
        days_text(s->now - a->created_ms, since, sizeof since);
        return raisef(s, "silent", a->name, a->created_ms, NULL,
                      "account '%s' has published nothing since it was created %s ago (limit "
                      "%lld days)",
                      a->name, since, (long long)(limit / DAY_MS));
    }
    if (s->now - l.ms <= limit)
        return HR_OK;
    days_text(s->now - l.ms, since, sizeof since);
    return raisef(s, "silent", a->name, l.ms, NULL,
                  "account '%s' has published nothing for %s (limit %lld days)", a->name, since,
                  (long long)(limit / DAY_MS));
}

/* ---- unstaffed: no active editor, or too few approvers besides the editor ---- */

#define PEOPLE_MAX 256
struct people {
    struct store_txn *txn;
    const char *account;
    char editors[PEOPLE_MAX][32], approvers[PEOPLE_MAX][32];
    size_t n_editors, n_approvers;
};

static int people_cb(const char *op, const char *role, const char *scope, void *ctx)
{
    struct people *p = ctx;
    bool editor = strcmp(role, "editor") == 0, approver = strcmp(role, "approver") == 0;

    if ((!editor && !approver) || (strcmp(scope, "*") != 0 && strcmp(scope, p->account) != 0) ||
        !agency_operator_active(p->txn, op))
        return HR_OK;
    if (editor && p->n_editors < PEOPLE_MAX)
        snprintf(p->editors[p->n_editors++], 32, "%.31s", op);
    if (approver && p->n_approvers < PEOPLE_MAX)
        snprintf(p->approvers[p->n_approvers++], 32, "%.31s", op);
    return HR_OK;
}

/* The most approvers any one editor has besides themself (four eyes: never their own;
 * one operator granted both "@*" and "@account" counts once). */
static size_t best_approvers(const struct people *p)
{
    size_t best = 0;

    for (size_t e = 0; e < p->n_editors; e++) {
        size_t others = 0;
        for (size_t a = 0; a < p->n_approvers; a++) {
            bool dup = strcmp(p->approvers[a], p->editors[e]) == 0;
            for (size_t b = 0; b < a && !dup; b++)
                dup = strcmp(p->approvers[b], p->approvers[a]) == 0;
            others += !dup;
        }
        best = others > best ? others : best;
    }
    return best;
}

static int check_unstaffed(struct scan *s, const struct store_account *a)
{
    struct people *p = calloc(1, sizeof *p);
    unsigned need = 0;
    size_t have;
    int rc = HR_OK;

    if (p == NULL)
        return hr_fail(s->err, HR_ENOMEM, "watchdog");
    p->txn = s->txn;
    p->account = a->name;
    if (agency_approvals_required(s->txn, a->name, &need, NULL) == HR_OK &&
        store_grant_each(s->txn, NULL, people_cb, p, NULL) == HR_OK) {
        have = best_approvers(p);
        if (p->n_editors == 0)
            rc = raisef(s, "unstaffed", a->name, s->now, json_pack("{s:s}", "missing", "editor"),
                        "account '%s': no active editor (nobody can write a post for it)", a->name);
        else if (have < need)
            rc = raisef(s, "unstaffed", a->name, s->now, json_pack("{s:s}", "missing", "approver"),
                        "account '%s': a post needs %u approval%s, but its editors have only "
                        "%zu active approver%s besides themselves",
                        a->name, need, need == 1 ? "" : "s", have, have == 1 ? "" : "s");
    }
    free(p);
    return rc;
}

static int account_cb(const struct store_account *a, void *ctx)
{
    struct scan *s = ctx;
    json_t *set = NULL;
    int rc = agency_desk_effective(s->txn, a->name, &set, s->err);

    if (rc == HR_OK)
        rc = check_silent(s, a, set);
    if (rc == HR_OK)
        rc = check_unstaffed(s, a);
    json_decref(set);
    return rc;
}

/* ---- overdue cases: one alarm per department, with the count ---- */

static int case_cb(const json_t *c, void *ctx)
{
    struct scan *s = ctx;
    const char *dept = json_string_value(json_object_get(c, "department"));
    const char *id = json_string_value(json_object_get(c, "id"));
    int64_t due = json_integer_value(json_object_get(c, "deadline_ms"));
    json_t *n;

    if (!agency_case_overdue(c, s->now) || dept == NULL || id == NULL)
        return HR_OK;
    if (json_object_get(c, "overdue_ms") == NULL)
        json_array_append_new(s->overdue, json_string(id));
    n = json_object_get(s->counts, dept);
    if (n == NULL) {
        n = json_pack("{s:i,s:I,s:s}", "count", 0, "since_ms", (json_int_t)due, "oldest", id);
        if (n == NULL || json_object_set_new(s->counts, dept, n) != 0)
            return hr_fail(s->err, HR_ENOMEM, "watchdog");
    }
    json_object_set_new(n, "count",
                        json_integer(json_integer_value(json_object_get(n, "count")) + 1));
    if (due < json_integer_value(json_object_get(n, "since_ms"))) {
        json_object_set_new(n, "since_ms", json_integer(due));
        json_object_set_new(n, "oldest", json_string(id));
    }
    return HR_OK;
}

static int raise_overdue(struct scan *s)
{
    const char *dept;
    json_t *n;
    int rc = HR_OK;
    char since[40];

    json_object_foreach(s->counts, dept, n)
    {
        json_int_t count = json_integer_value(json_object_get(n, "count"));
        int64_t due = json_integer_value(json_object_get(n, "since_ms"));
        days_text(s->now - due, since, sizeof since);
        if (rc == HR_OK)
            rc = raisef(
                s, "overdue_case", dept, due,
                json_pack("{s:I,s:O}", "count", count, "oldest", json_object_get(n, "oldest")),
                "department '%s': %lld case%s past the deadline unanswered (the oldest, "
                "%s, for %s)",
                dept, (long long)count, count == 1 ? "" : "s",
                json_string_value(json_object_get(n, "oldest")), since);
    }
    return rc;
}

/* ---- drafts submitted and waiting longer than draft_wait_hours ---- */

static int64_t submitted_at(struct store_txn *txn, const char *id, const json_t *d);

static int draft_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct scan *s = ctx;
    json_t *d = json_loadb(v, vlen, 0, NULL), *set = NULL;
    const char *account = json_string_value(json_object_get(d, "account"));
    const char *state = json_string_value(json_object_get(d, "state"));
    char id[64], since[40];
    int rc = HR_OK;

    if (klen >= sizeof id || account == NULL || state == NULL || strcmp(state, "submitted") != 0 ||
        agency_desk_effective(s->txn, account, &set, NULL) != HR_OK) {
        json_decref(d);
        return HR_OK;
    }
    memcpy(id, k, klen);
    id[klen] = '\0';
    int64_t at = submitted_at(s->txn, id, d);
    int64_t limit = json_integer_value(json_object_get(set, "draft_wait_hours")) * HOUR_MS;
    if (s->now - at > limit) {
        days_text(s->now - at, since, sizeof since);
        rc = raisef(s, "draft_waiting", id, at,
                    json_pack("{s:s,s:s}", "account", account, "draft", id),
                    "draft %s of '%s' has waited for approval for %s (limit %lld hours)", id,
                    account, since, (long long)(limit / HOUR_MS));
    }
    json_decref(set);
    json_decref(d);
    return rc;
}

struct submit_walk {
    int64_t ms;
};

static int submit_cb(const char *v, size_t vlen, void *ctx)
{
    struct submit_walk *w = ctx;
    json_t *ev = json_loadb(v, vlen, 0, NULL);
    const char *action = json_string_value(json_object_get(ev, "action"));

    if (action != NULL && strcmp(action, "draft.submit") == 0)
        w->ms = json_integer_value(json_object_get(ev, "time"));
    json_decref(ev);
    return HR_OK;
}

/* When draft ID was last submitted: its history's last draft.submit, else its last save. */
static int64_t submitted_at(struct store_txn *txn, const char *id, const json_t *d)
{
    struct submit_walk w = {0};

    store_draft_log_each(txn, id, submit_cb, &w, NULL);
    return w.ms > 0 ? w.ms : json_integer_value(json_object_get(d, "updated"));
}

/* ---- hosts our deliveries have failed at for a day, with deliveries still pending ---- */

struct host_walk {
    int64_t now;
    json_t *failing; /* host -> its health record */
};

static int host_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct host_walk *w = ctx;
    json_t *h = json_loadb(v, vlen, 0, NULL);
    const json_t *first = json_object_get(h, "first_fail_ms");
    char host[300];

    if (json_is_integer(first) && klen < sizeof host &&
        w->now - json_integer_value(first) >= HOST_FAIL_MS) {
        memcpy(host, k, klen);
        host[klen] = '\0';
        json_object_set(w->failing, host, h);
    }
    json_decref(h);
    return HR_OK;
}

static int raise_host(struct scan *s, const char *host, const json_t *h)
{
    int64_t first = json_integer_value(json_object_get(h, "first_fail_ms"));
    char since[40];

    days_text(s->now - first, since, sizeof since);
    return raisef(s, "host_failing", host, first,
                  json_pack("{s:I}", "fails", json_integer_value(json_object_get(h, "fails"))),
                  "deliveries to %s have failed for %s (%lld attempts, last status %lld)", host,
                  since, (long long)json_integer_value(json_object_get(h, "fails")),
                  (long long)json_integer_value(json_object_get(h, "last_status")));
}

/* The health record keeps "failing since" until a delivery there succeeds; the alarm also
 * needs a delivery still queued for the host: once all were given up or purged (a domain
 * block) nothing is failing any more. The queue is walked only when some host qualifies. */
static int raise_hosts(struct scan *s)
{
    struct host_walk w = {.now = s->now, .failing = json_object()};
    const char *host;
    json_t *h;
    int rc = w.failing ? HR_OK : hr_fail(s->err, HR_ENOMEM, "watchdog");

    if (rc == HR_OK)
        rc = store_rec_each(s->txn, STORE_T_HOSTS, NULL, 0, false, host_cb, &w, s->err);
    if (rc == HR_OK)
        rc = fed_hosts_pending(s->txn, w.failing, s->err);
    json_object_foreach(w.failing, host, h)
    {
        if (rc == HR_OK)
            rc = raise_host(s, host, h);
    }
    json_decref(w.failing);
    return rc;
}

/* Every alarm at S->now into S->alarms. */
static int scan_all(struct scan *s)
{
    int rc = store_account_each(s->txn, account_cb, s, s->err);

    if (rc == HR_OK)
        rc = agency_case_each(s->txn, case_cb, s, s->err);
    if (rc == HR_OK)
        rc = raise_overdue(s);
    if (rc == HR_OK)
        rc = store_rec_each(s->txn, STORE_T_DRAFTS, NULL, 0, false, draft_cb, s, s->err);
    if (rc == HR_OK)
        rc = raise_hosts(s);
    return rc;
}

static int scan_begin(struct scan *s, struct store_txn *txn, int64_t now, struct hr_err *err)
{
    *s = (struct scan){.txn = txn,
                       .now = now,
                       .err = err,
                       .alarms = json_object(),
                       .overdue = json_array(),
                       .counts = json_object()};
    if (s->alarms == NULL || s->overdue == NULL || s->counts == NULL)
        return hr_fail(err, HR_ENOMEM, "watchdog");
    return scan_all(s);
}

static void scan_end(struct scan *s)
{
    json_decref(s->alarms);
    json_decref(s->overdue);
    json_decref(s->counts);
}

int agency_watchdog_alarms(struct store *st, const char *by, int64_t now_ms, json_t **out,
                           struct hr_err *err)
{
    struct store_txn *txn = NULL;
    struct scan s = {0};
    const char *key;
    json_t *a;
    int rc = store_txn_begin(st, STORE_READ, &txn, err);

    *out = NULL;
    if (rc == HR_OK)
        rc = agency_may_txn(txn, by, AGENCY_STATUS_READ, NULL, NULL, err);
    if (rc == HR_OK)
        rc = scan_begin(&s, txn, now_ms, err);
    if (rc == HR_OK && (*out = json_array()) == NULL)
        rc = hr_fail(err, HR_ENOMEM, "alarms");
    if (rc == HR_OK) { /* keys kind:subject: sorted, they order by kind and name */
        json_object_foreach(s.alarms, key, a) json_array_append(*out, a);
    }
    scan_end(&s);
    store_txn_abort(txn);
    return rc;
}

/* ---- the tick ---- */

/* What case.overdue tells a webhook: the case's handle and times, not the citizen's words
 * (personal data: a webcare tool reads them through the API with a responder's token). */
static json_t *overdue_event(const json_t *c)
{
    static const char *const keys[] = {"id",          "account",    "department",
                                       "status",      "assignee",   "opened_ms",
                                       "deadline_ms", "overdue_ms", "why"};
    json_t *e = json_object();

    for (size_t i = 0; e != NULL && i < sizeof keys / sizeof keys[0]; i++)
        if (json_object_get(c, keys[i]) != NULL)
            json_object_set(e, keys[i], json_object_get(c, keys[i]));
    return e;
}

/* Flags case ID overdue (once: only when not flagged yet) and emits case.overdue. */
static int flag_overdue(struct store_txn *txn, const char *id, int64_t now, struct hr_err *err)
{
    json_t *c = NULL;
    int rc = agency_rec_json(txn, STORE_T_CASES, id, &c, err);

    if (rc == HR_OK && agency_case_overdue(c, now) && json_object_get(c, "overdue_ms") == NULL) {
        json_object_set_new(c, "overdue_ms", json_integer(now));
        rc = agency_rec_put_json(txn, STORE_T_CASES, id, c, 0, err);
        if (rc == HR_OK)
            rc = agency_event(txn, "case.overdue", overdue_event(c), err);
    }
    json_decref(c);
    return rc == HR_ENOTFOUND ? HR_OK : rc;
}

struct sync {
    struct store_txn *txn;
    const json_t *alarms;
    json_t *gone; /* stored keys no longer up */
    json_t *kept; /* stored alarm keys still up -> their stored record */
    struct hr_err *err;
};

static int stored_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct sync *y = ctx;
    char key[400];
    json_t *a;

    if (klen < 2 || klen - 2 >= sizeof key)
        return HR_OK;
    memcpy(key, (const char *)k + 2, klen - 2);
    key[klen - 2] = '\0';
    if (json_object_get(y->alarms, key) == NULL)
        return json_array_append_new(y->gone, json_string(key));
    a = json_loadb(v, vlen, 0, NULL);
    if (json_is_object(a))
        json_object_set(y->kept, key, a);
    json_decref(a);
    return HR_OK;
}

static int wkey(const char *key, char *out, size_t cap, size_t *len)
{
    int n = snprintf(out, cap, "w%c%s", '\0', key);

    if (n <= 0 || (size_t)n >= cap)
        return HR_EINVAL;
    *len = (size_t)n;
    return HR_OK;
}

/* The record of alarm A: raised_ms NOW when new, else the stored one's; an unstaffed
 * alarm's since_ms is when it was first seen (nothing in the store dates it). */
static json_t *alarm_record(const json_t *a, const json_t *old, int64_t now)
{
    json_t *rec = json_deep_copy(a);
    const char *kind = json_string_value(json_object_get(a, "kind"));

    if (rec == NULL)
        return NULL;
    json_object_set_new(
        rec, "raised_ms",
        json_integer(old ? json_integer_value(json_object_get(old, "raised_ms")) : now));
    if (old != NULL && kind != NULL && strcmp(kind, "unstaffed") == 0)
        json_object_set(rec, "since_ms", json_object_get(old, "since_ms"));
    return rec;
}

/* Stores every alarm up (new ones with raised_ms NOW and a watchdog.alarm event; known ones
 * keep their raised_ms) and removes the records of alarms that cleared. */
static int sync_alarms(struct sync *y, int64_t now)
{
    const char *key;
    json_t *a, *k;
    char wk[420];
    size_t len, i;
    int rc = store_rec_each(y->txn, STORE_T_DESK, "w", 2, false, stored_cb, y, y->err);

    json_object_foreach((json_t *)(uintptr_t)y->alarms, key, a)
    {
        const json_t *old = json_object_get(y->kept, key);
        json_t *rec = alarm_record(a, old, now);
        if (rc == HR_OK && rec == NULL)
            rc = hr_fail(y->err, HR_ENOMEM, "alarm");
        if (rc == HR_OK && !json_equal(rec, old) && wkey(key, wk, sizeof wk, &len) == HR_OK) {
            char *v = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
            rc = v ? store_rec_put(y->txn, STORE_T_DESK, wk, len, v, strlen(v), 0, y->err)
                   : hr_fail(y->err, HR_ENOMEM, "alarm");
            free(v);
        }
        if (rc == HR_OK && old == NULL)
            rc = agency_event(y->txn, "watchdog.alarm", json_incref(rec), y->err);
        json_decref(rec);
    }
    json_array_foreach(y->gone, i, k)
    {
        if (rc == HR_OK && wkey(json_string_value(k), wk, sizeof wk, &len) == HR_OK)
            rc = store_rec_del(y->txn, STORE_T_DESK, wk, len, y->err);
    }
    return rc;
}

/* One pass of the watchdog at NOW: in one write transaction, so that a flag, a record and
 * its event are written together or not at all. */
int agency_watchdog_run(struct store *st, int64_t now, struct hr_err *err)
{
    struct store_txn *txn = NULL;
    struct scan s = {0};
    struct sync y = {0};
    json_t *id;
    size_t i;
    int rc = store_txn_begin(st, STORE_WRITE, &txn, err);

    if (rc == HR_OK)
        rc = scan_begin(&s, txn, now, err);
    json_array_foreach(s.overdue, i, id)
    {
        if (rc == HR_OK)
            rc = flag_overdue(txn, json_string_value(id), now, err);
    }
    y = (struct sync){
        .txn = txn, .alarms = s.alarms, .gone = json_array(), .kept = json_object(), .err = err};
    if (rc == HR_OK)
        rc = y.gone && y.kept ? sync_alarms(&y, now) : hr_fail(err, HR_ENOMEM, "watchdog");
    if (rc == HR_OK) {
        rc = store_txn_commit(txn, err);
        txn = NULL;
    }
    store_txn_abort(txn);
    json_decref(y.gone);
    json_decref(y.kept);
    scan_end(&s);
    return rc;
}

void agency_desk_tick(struct store *st, struct fed *fed, int64_t now_ms)
{
    static int64_t last_ms; /* the scheduler thread's own */
    struct hr_err err = {0};

    if (last_ms != 0 && now_ms - last_ms < TICK_EVERY_MS && now_ms >= last_ms)
        return;
    last_ms = now_ms;
    if (agency_watchdog_run(st, now_ms, &err) != HR_OK)
        hr_log(HR_LOG_ERR, "desk", "watchdog pass failed: %s", err.msg);
    err = (struct hr_err){0};
    if (agency_case_tick(st, fed, now_ms, &err) != HR_OK)
        hr_log(HR_LOG_ERR, "desk", "acknowledgements failed: %s", err.msg);
}
