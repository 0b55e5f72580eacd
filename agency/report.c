/* agency/report.c - evaluation reports: the figures of a period per account and per
 * department, and the four index scores (activity, spread, service, interaction).
 * docs/evaluation.md is the specification: every figure and formula here is defined there,
 * with a worked example that tests/unit/agency/test_report.c checks to the digit.
 * One read transaction; nothing is written. */
#include "agency/report.h"
#include "agency/agency_int.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define WEEK_MS   (7 * REPORT_DAY_MS)
#define WINDOW_MS (14 * REPORT_DAY_MS) /* the two-weeks rule */
#define HOUR_MS   3600000LL

/* ---- growable list of durations or times (ms) ---- */
struct i64v {
    int64_t *v;
    size_t n, cap;
    int err;
};

static void v_push(struct i64v *a, int64_t x)
{
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 16;
        int64_t *p = realloc(a->v, cap * sizeof *p);
        if (p == NULL) {
            a->err = HR_ENOMEM;
            return;
        }
        a->v = p;
        a->cap = cap;
    }
    a->v[a->n++] = x;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void v_sort(struct i64v *a)
{
    if (a->n > 1)
        qsort(a->v, a->n, sizeof *a->v, cmp_i64);
}

/* The median of a sorted list: the middle value, or the mean of the two middle values
 * rounded down to the millisecond; -1 when empty. */
static int64_t v_median(const struct i64v *a)
{
    if (a->n == 0)
        return -1;
    if (a->n % 2 == 1)
        return a->v[a->n / 2];
    return (a->v[a->n / 2 - 1] + a->v[a->n / 2]) / 2;
}

/* The 90th percentile by nearest rank: the value at rank ceil(0.9 n) of the sorted list. */
static int64_t v_p90(const struct i64v *a)
{
    size_t rank = (9 * a->n + 9) / 10;
    return a->n == 0 ? -1 : a->v[rank - 1];
}

static json_t *ms_or_null(int64_t ms)
{
    return ms < 0 ? json_null() : json_integer(ms);
}

static double round1(double x)
{
    return round(x * 10.0) / 10.0;
}

static double clamp01(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

/* ---- the index formulas (docs/evaluation.md "Indices") ---- */
double agency_report_activity(long windows, long covered, double silence_days)
{
    double regular = windows > 0 ? (double)covered / (double)windows : 0;
    double quiet = clamp01((42.0 - silence_days) / 28.0); /* 1 up to 14 days, 0 from 42 */

    return round1(100.0 * (0.6 * regular + 0.4 * quiet));
}

double agency_report_spread(long active, long hosts)
{
    double a = clamp01(log10(1.0 + (double)active) / log10(101.0)); /* 100 active followers */
    double h = clamp01(log10(1.0 + (double)hosts) / log10(51.0));   /* 50 instances */

    return round1(50.0 * a + 50.0 * h);
}

double agency_report_service(double share, int64_t median_ms, int64_t deadline_ms, long answered,
                             long overdue)
{
    double speed = 0;

    if (answered > 0 && deadline_ms > 0)
        speed = clamp01(1.0 - (double)median_ms / (2.0 * (double)deadline_ms));
    else if (answered > 0)
        speed = median_ms <= 0 ? 1 : 0;
    return round1(100.0 * (0.6 * clamp01(share) + 0.3 * speed + 0.1 / (1.0 + (double)overdue)));
}

double agency_report_interaction(long given, long received, long posts)
{
    double per_post = (2.0 * (double)given + (double)received) / (double)(posts > 0 ? posts : 1);

    return round1(100.0 * clamp01(log10(1.0 + per_post) / log10(11.0))); /* 10 per post */
}

/* ---- one account's (or department's) working state ---- */
struct rep {
    struct store_txn *txn;
    const struct agency_report_query *q;
    const char *name;
    int64_t start;     /* max(from, the account's creation): no silence before it existed */
    int64_t end;       /* min(to, now): what is observed */
    struct i64v times; /* posts published in the period */
    json_t *notes;     /* every post's Note id (reactions may come to older posts) */
    long rejected;
    struct i64v approval; /* submission -> the approval that released it, in the period */
    long unapproved;      /* published in the period with no approval (the policy's 0) */
    json_t *answer_notes; /* Notes of case answers (not counted twice as own replies) */
    long answers;
    json_t *active; /* actors who reacted in the period: set */
    long likes, shares, replies, own;
    struct hr_err *err;
};

static const char *jstr(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static int64_t jms(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

static bool in_period(const struct rep *r, int64_t ms)
{
    return ms >= r->q->from_ms && ms < r->q->to_ms;
}

/* ---- posts: the Create activities of the outbox (boosts, edits, deletions excluded) ---- */
static int post_cb(uint64_t seq, const char *activity_id, void *ctx)
{
    struct rep *r = ctx;
    struct store_object o = {0};
    json_t *act = NULL;
    const json_t *obj;
    const char *note = NULL;

    (void)seq;
    if (store_object_get(r->txn, activity_id, &o, NULL) != HR_OK || strcmp(o.type, "Create") != 0)
        goto out;
    act = json_loadb(o.json, o.json_len, 0, NULL);
    obj = json_object_get(act, "object");
    note = json_is_string(obj) ? json_string_value(obj)
                               : json_string_value(json_object_get(obj, "id"));
    if (note != NULL)
        json_array_append_new(r->notes, json_string(note));
    if (in_period(r, o.published_ms))
        v_push(&r->times, o.published_ms);
out:
    json_decref(act);
    store_object_fini(&o);
    return HR_OK;
}

static int collect_posts(struct rep *r)
{
    int rc = store_outbox_page(r->txn, r->name, 0, SIZE_MAX, post_cb, r, r->err);

    v_sort(&r->times);
    return rc == HR_OK && r->times.err ? hr_fail(r->err, HR_ENOMEM, "report") : rc;
}

/* ---- drafts: rejections, and the time from submission to the approval that released it.
 * Only a release by at least one approver is an approval (four eyes); a draft published
 * with none (its policy asked for 0) is counted apart. Boosts are left out of both, as
 * they are of the posts: they republish someone else's words. */
struct draft_walk {
    struct rep *r;
    int64_t submitted, approved;
};

static void draft_released(struct draft_walk *w, int64_t published)
{
    if (w->approved < 0) {
        if (in_period(w->r, published))
            w->r->unapproved++;
    } else if (in_period(w->r, w->approved)) {
        v_push(&w->r->approval, w->approved - w->submitted);
    }
    w->submitted = w->approved = -1;
}

static int draft_event_cb(const char *v, size_t vlen, void *ctx)
{
    struct draft_walk *w = ctx;
    json_t *ev = json_loadb(v, vlen, 0, NULL);
    const char *action = jstr(ev, "action");
    int64_t t = jms(ev, "time");

    if (strcmp(action, "draft.reject") == 0 && in_period(w->r, t))
        w->r->rejected++;
    if (strcmp(action, "draft.submit") == 0) {
        w->submitted = t;
        w->approved = -1;
    } else if (strcmp(action, "draft.approve") == 0 && w->submitted >= 0) {
        w->approved = t;
    } else if (strcmp(action, "post.publish") == 0 && w->submitted >= 0) {
        draft_released(w, t);
    } else if (strcmp(action, "draft.edit") == 0 || strcmp(action, "draft.withdraw") == 0 ||
               strcmp(action, "draft.reject") == 0) {
        w->submitted = w->approved = -1; /* back to the author: a new submission counts */
    }
    json_decref(ev);
    return HR_OK;
}

static int draft_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct rep *r = ctx;
    json_t *d = json_loadb(v, vlen, 0, NULL);
    struct draft_walk w = {r, -1, -1};
    int rc = HR_OK;

    (void)k, (void)klen;
    if (json_is_object(d) && strcmp(jstr(d, "account"), r->name) == 0 &&
        strcmp(jstr(d, "kind"), "boost") != 0)
        rc = store_draft_log_each(r->txn, jstr(d, "id"), draft_event_cb, &w, r->err);
    json_decref(d);
    return rc;
}

static int collect_drafts(struct rep *r)
{
    int rc = store_rec_each(r->txn, STORE_T_DRAFTS, NULL, 0, false, draft_cb, r, r->err);

    v_sort(&r->approval);
    return rc == HR_OK && r->approval.err ? hr_fail(r->err, HR_ENOMEM, "report") : rc;
}

/* ---- reactions to the account's posts in the period (federation/reactions.c) ---- */
struct react_walk {
    struct rep *r;
    size_t plen;
};

static void react_count(struct rep *r, const char *kind, const char *who, const json_t *val)
{
    if (!in_period(r, jms(val, "ms")))
        return;
    if (strcmp(kind, "own") == 0) {
        if (json_object_get(r->answer_notes, who) == NULL) /* an answer counts once */
            r->own++;
        return;
    }
    if (strcmp(kind, "reply") == 0)
        who = jstr(val, "actor");
    if (strcmp(kind, "like") == 0)
        r->likes++;
    else if (strcmp(kind, "share") == 0)
        r->shares++;
    else if (strcmp(kind, "reply") == 0)
        r->replies++;
    else
        return;
    if (who[0] != '\0')
        json_object_set_new(r->active, who, json_true());
}

static int react_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct react_walk *w = ctx;
    const char *kind = (const char *)k + w->plen, *sep, *end = (const char *)k + klen;
    char who[512];
    json_t *val;

    sep = memchr(kind, '\0', (size_t)(end - kind));
    if (sep == NULL || (size_t)(end - sep - 1) >= sizeof who)
        return HR_OK;
    memcpy(who, sep + 1, (size_t)(end - sep - 1));
    who[end - sep - 1] = '\0';
    val = json_loadb(v, vlen, 0, NULL);
    react_count(w->r, kind, who, val);
    json_decref(val);
    return HR_OK;
}

static int collect_reactions(struct rep *r)
{
    size_t i;
    const json_t *n;
    int rc = HR_OK;

    json_array_foreach(r->notes, i, n)
    {
        size_t plen = strlen(json_string_value(n)) + 1;
        struct react_walk w = {r, plen};
        if (plen > 480)
            continue;
        rc = store_rec_each(r->txn, STORE_T_REACTIONS, json_string_value(n), plen, false, react_cb,
                            &w, r->err);
        if (rc != HR_OK)
            break;
    }
    return rc;
}

/* Active followers: actors who reacted in the period and follow the account now. */
static long active_followers(struct rep *r)
{
    const char *actor;
    json_t *v;
    long n = 0;

    json_object_foreach(r->active, actor, v)
    {
        struct store_follower f = {0};
        if (store_follower_get(r->txn, r->name, actor, &f, NULL) == HR_OK)
            n++;
        store_follower_fini(&f);
    }
    return n;
}

/* ---- followers at the period's start and end: today's, with the history replayed
 * backwards; a follower older than the history counts from its created_ms ---- */
struct fol_walk {
    json_t *now;      /* actor -> created_ms of today's followers */
    json_t *recorded; /* actors with a "+" in the history */
    struct i64v plus, minus;
    size_t plen;
};

static int fol_cb(const struct store_follower *f, void *ctx)
{
    struct fol_walk *w = ctx;

    json_object_set_new(w->now, f->actor, json_integer(f->created_ms));
    return HR_OK;
}

static int hist_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct fol_walk *w = ctx;
    const unsigned char *p = (const unsigned char *)k + w->plen;
    int64_t ms;
    char actor[480];

    if (klen < w->plen + 9 || vlen != 1 || klen - w->plen - 9 >= sizeof actor)
        return HR_OK;
    ms = (int64_t)store_read_be64(p);
    memcpy(actor, p + 9, klen - w->plen - 9);
    actor[klen - w->plen - 9] = '\0';
    if (*(const char *)v == '+') {
        v_push(&w->plus, ms);
        json_object_set_new(w->recorded, actor, json_true());
    } else {
        v_push(&w->minus, ms);
    }
    return HR_OK;
}

static long followers_at(const struct fol_walk *w, int64_t t)
{
    long n = (long)json_object_size(w->now);
    const char *actor;
    const json_t *c;

    for (size_t i = 0; i < w->plus.n; i++)
        n -= w->plus.v[i] >= t;
    for (size_t i = 0; i < w->minus.n; i++)
        n += w->minus.v[i] >= t;
    json_object_foreach(w->now, actor, c)
    {
        if (json_object_get(w->recorded, actor) == NULL && json_integer_value(c) >= t)
            n--;
    }
    return n;
}

static int collect_followers(struct rep *r, json_t *fig)
{
    struct fol_walk w = {json_object(), json_object(), {0}, {0}, 0};
    unsigned char prefix[64];
    size_t alen = strlen(r->name);
    int rc = HR_OK;

    if (alen + 3 > sizeof prefix)
        rc = hr_fail(r->err, HR_EINVAL, "account name too long");
    prefix[0] = 'f', prefix[1] = '\0';
    if (rc == HR_OK) {
        memcpy(prefix + 2, r->name, alen + 1);
        w.plen = alen + 3;
        rc = store_follower_each(r->txn, r->name, NULL, SIZE_MAX, fol_cb, &w, r->err);
    }
    if (rc == HR_OK)
        rc = store_rec_each(r->txn, STORE_T_HISTORY, prefix, w.plen, false, hist_cb, &w, r->err);
    if (rc == HR_OK && (w.plus.err || w.minus.err || !w.now || !w.recorded))
        rc = hr_fail(r->err, HR_ENOMEM, "report");
    if (rc == HR_OK) {
        json_object_set_new(fig, "followers_start", json_integer(followers_at(&w, r->q->from_ms)));
        json_object_set_new(fig, "followers_end", json_integer(followers_at(&w, r->q->to_ms)));
    }
    json_decref(w.now);
    json_decref(w.recorded);
    free(w.plus.v);
    free(w.minus.v);
    return rc;
}

/* ---- instances reached: hosts with a successful delivery on a day of the period ---- */
struct reach_walk {
    json_t *hosts;
    size_t plen;
    int64_t first_day, last_day;
};

static int reach_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct reach_walk *w = ctx;
    const unsigned char *p = (const unsigned char *)k + w->plen;
    char host[300];
    int64_t day;

    (void)v, (void)vlen;
    if (klen < w->plen + 5 || klen - w->plen - 5 >= sizeof host)
        return HR_OK;
    day = (int64_t)(((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]);
    if (day < w->first_day || day > w->last_day)
        return HR_OK;
    memcpy(host, p + 5, klen - w->plen - 5);
    host[klen - w->plen - 5] = '\0';
    json_object_set_new(w->hosts, host, json_true());
    return HR_OK;
}

static int collect_reach(struct rep *r, long *hosts)
{
    struct reach_walk w = {json_object(), strlen(r->name) + 1, r->q->from_ms / REPORT_DAY_MS,
                           (r->q->to_ms - 1) / REPORT_DAY_MS};
    int rc = w.hosts ? store_rec_each(r->txn, STORE_T_REACH, r->name, w.plen, false, reach_cb, &w,
                                      r->err)
                     : hr_fail(r->err, HR_ENOMEM, "report");

    *hosts = (long)json_object_size(w.hosts);
    json_decref(w.hosts);
    return rc;
}

/* ---- cases (agency_int.h "THE CASE RECORD FORMAT") ---- */
static const int64_t buckets_ms[] = {HOUR_MS, 4 * HOUR_MS, 24 * HOUR_MS, 3 * REPORT_DAY_MS,
                                     7 * REPORT_DAY_MS};
#define N_BUCKETS (sizeof buckets_ms / sizeof buckets_ms[0] + 1)

struct case_walk {
    struct rep *r;
    const char *field; /* "account" or "department" */
    long opened, answered, due, within, overdue;
    struct i64v first, deadline;
    long hist[N_BUCKETS];
};

/* The answers of the case published in the period: the agency's own words. */
static void case_answers(struct rep *r, const json_t *c)
{
    size_t i;
    const json_t *a;

    json_array_foreach(json_object_get(c, "answers"), i, a)
    {
        if (jms(a, "published_ms") < 0 || !in_period(r, jms(a, "published_ms")))
            continue;
        r->answers++;
        if (json_is_string(json_object_get(a, "note")))
            json_object_set_new(r->answer_notes, jstr(a, "note"), json_true());
    }
}

static void case_first(struct case_walk *w, int64_t took)
{
    size_t b = 0;

    w->answered++;
    v_push(&w->first, took);
    while (b < N_BUCKETS - 1 && took >= buckets_ms[b])
        b++;
    w->hist[b]++;
}

static int case_cb(const json_t *c, void *ctx)
{
    struct case_walk *w = ctx;
    int64_t opened = jms(c, "opened_ms"), dl = jms(c, "deadline_ms"),
            fa = jms(c, "first_answer_ms");
    bool answered, settled, in_time;

    if (strcmp(jstr(c, w->field), w->r->name) != 0)
        return HR_OK;
    if (strcmp(w->field, "account") == 0)
        case_answers(w->r, c);
    if (opened < 0 || !in_period(w->r, opened))
        return HR_OK;
    w->opened++;
    answered = fa >= 0 && fa < w->r->end;
    in_time = answered && dl >= 0 && fa <= dl;
    settled = answered || (dl >= 0 && dl < w->r->end);
    if (answered)
        case_first(w, fa - opened);
    if (settled) {
        w->due++;
        v_push(&w->deadline, dl >= 0 ? dl - opened : 0);
    }
    w->within += in_time;
    w->overdue += dl >= 0 && dl < w->r->end && !in_time;
    return HR_OK;
}

static json_t *case_figures(struct case_walk *w)
{
    json_t *o = json_object(), *h = json_array();
    int64_t med = v_median(&w->first), dmed = v_median(&w->deadline);
    double share = w->due > 0 ? (double)w->within / (double)w->due : 0;

    for (size_t b = 0; b < N_BUCKETS; b++)
        json_array_append_new(h, json_integer(w->hist[b]));
    json_object_set_new(o, "opened", json_integer(w->opened));
    json_object_set_new(o, "answered", json_integer(w->answered));
    json_object_set_new(o, "overdue", json_integer(w->overdue));
    json_object_set_new(o, "due", json_integer(w->due));
    json_object_set_new(o, "answered_within_deadline", json_integer(w->within));
    json_object_set_new(o, "share_within_deadline",
                        w->due > 0 ? json_real(round(share * 10000.0) / 10000.0) : json_null());
    json_object_set_new(o, "first_answer_median_ms", ms_or_null(med));
    json_object_set_new(o, "first_answer_p90_ms", ms_or_null(v_p90(&w->first)));
    json_object_set_new(o, "deadline_median_ms", ms_or_null(dmed));
    json_object_set_new(o, "first_answer_histogram", h);
    return o;
}

/* The service index, or null when no case was due in the period (nothing to judge). */
static json_t *service_index(const struct case_walk *w)
{
    double share = w->due > 0 ? (double)w->within / (double)w->due : 0;
    json_t *in = json_pack("{s:I,s:I,s:I,s:I,s:I}", "due", (json_int_t)w->due, "within",
                           (json_int_t)w->within, "answered", (json_int_t)w->answered, "overdue",
                           (json_int_t)w->overdue, "first_answer_median_ms",
                           (json_int_t)v_median(&w->first));

    json_object_set_new(in, "deadline_median_ms", json_integer(v_median(&w->deadline)));
    json_object_set_new(in, "score",
                        w->due > 0 ? json_real(agency_report_service(share, v_median(&w->first),
                                                                     v_median(&w->deadline),
                                                                     w->answered, w->overdue))
                                   : json_null());
    return in;
}

static int collect_cases(struct rep *r, const char *field, json_t *fig, json_t *idx)
{
    struct case_walk w = {.r = r, .field = field};
    int rc = agency_case_each(r->txn, case_cb, &w, r->err);

    v_sort(&w.first);
    v_sort(&w.deadline);
    if (rc == HR_OK && (w.first.err || w.deadline.err))
        rc = hr_fail(r->err, HR_ENOMEM, "report");
    if (rc == HR_OK) {
        json_object_set_new(fig, "cases", case_figures(&w));
        json_object_set_new(idx, "service", service_index(&w));
    }
    free(w.first.v);
    free(w.deadline.v);
    return rc;
}

/* ---- activity: the two-weeks rule and the longest silence ---- */
static int64_t longest_silence(const struct rep *r)
{
    int64_t prev = r->start, longest = 0;

    for (size_t i = 0; i < r->times.n; i++) {
        if (r->times.v[i] - prev > longest)
            longest = r->times.v[i] - prev;
        prev = r->times.v[i];
    }
    return r->end - prev > longest ? r->end - prev : longest;
}

static json_t *activity_index(const struct rep *r, int64_t silence)
{
    long windows = (long)((r->end - r->start + WINDOW_MS - 1) / WINDOW_MS), covered = 0;
    long last = -1;

    if (windows < 1)
        windows = 1;
    for (size_t i = 0; i < r->times.n; i++) {
        long k = (long)((r->times.v[i] - r->start) / WINDOW_MS);
        covered += k != last;
        last = k;
    }
    /* an account made after the observed end was never observed: no score */
    return json_pack("{s:I,s:I,s:f,s:o}", "windows", (json_int_t)windows, "covered",
                     (json_int_t)covered, "silence_days", (double)silence / REPORT_DAY_MS, "score",
                     r->start < r->end ? json_real(agency_report_activity(
                                             windows, covered, (double)silence / REPORT_DAY_MS))
                                       : json_null());
}

static json_t *per_week(const struct rep *r)
{
    size_t weeks = (size_t)((r->q->to_ms - r->q->from_ms + WEEK_MS - 1) / WEEK_MS);
    json_t *a = json_array();

    for (size_t k = 0; k < weeks; k++) {
        long n = 0;
        for (size_t i = 0; i < r->times.n; i++)
            n += (size_t)((r->times.v[i] - r->q->from_ms) / WEEK_MS) == k;
        json_array_append_new(a, json_integer(n));
    }
    return a;
}

static json_t *per_post(long n, long posts)
{
    return posts > 0 ? json_real(round((double)n / (double)posts * 100.0) / 100.0) : json_null();
}

/* The reactions, spread and interaction figures and indices. */
static void fill_reach(struct rep *r, json_t *fig, json_t *idx, long hosts)
{
    long posts = (long)r->times.n, active = active_followers(r);
    long given = r->answers + r->own, received = r->replies + r->likes + r->shares;

    json_object_set_new(fig, "active_followers", json_integer(active));
    json_object_set_new(fig, "instances_reached", json_integer(hosts));
    json_object_set_new(fig, "replies", json_integer(r->replies));
    json_object_set_new(fig, "likes", json_integer(r->likes));
    json_object_set_new(fig, "boosts", json_integer(r->shares));
    json_object_set_new(fig, "replies_per_post", per_post(r->replies, posts));
    json_object_set_new(fig, "likes_per_post", per_post(r->likes, posts));
    json_object_set_new(fig, "boosts_per_post", per_post(r->shares, posts));
    json_object_set_new(fig, "own_replies", json_integer(r->own));
    json_object_set_new(fig, "answers_given", json_integer(r->answers));
    json_object_set_new(idx, "spread",
                        json_pack("{s:I,s:I,s:f}", "active_followers", (json_int_t)active,
                                  "instances", (json_int_t)hosts, "score",
                                  agency_report_spread(active, hosts)));
    json_object_set_new(idx, "interaction",
                        json_pack("{s:I,s:I,s:I,s:f}", "given", (json_int_t)given, "received",
                                  (json_int_t)received, "posts", (json_int_t)posts, "score",
                                  agency_report_interaction(given, received, posts)));
}

static void fill_posts(struct rep *r, json_t *fig, json_t *idx)
{
    int64_t silence = longest_silence(r);

    json_object_set_new(fig, "posts", json_integer((json_int_t)r->times.n));
    json_object_set_new(fig, "posts_per_week", per_week(r));
    json_object_set_new(fig, "longest_silence_ms", json_integer(silence));
    json_object_set_new(fig, "drafts_rejected", json_integer(r->rejected));
    json_object_set_new(fig, "drafts_approved", json_integer((json_int_t)r->approval.n));
    json_object_set_new(fig, "drafts_unapproved", json_integer(r->unapproved));
    json_object_set_new(fig, "approval_median_ms", ms_or_null(v_median(&r->approval)));
    json_object_set_new(idx, "activity", activity_index(r, silence));
}

static void rep_fini(struct rep *r)
{
    free(r->times.v);
    free(r->approval.v);
    json_decref(r->notes);
    json_decref(r->answer_notes);
    json_decref(r->active);
}

/* One account's row: FIG gets the figures and "indices". */
static int account_row(struct store_txn *txn, const struct agency_report_query *q, const char *name,
                       json_t *fig, struct hr_err *err)
{
    struct rep r = {.txn = txn,
                    .q = q,
                    .name = name,
                    .err = err,
                    .end = q->now_ms < q->to_ms ? q->now_ms : q->to_ms};
    json_t *idx = json_object();
    struct store_account a = {0};
    long hosts = 0;
    int rc;

    r.start = q->from_ms;
    if (store_account_get(txn, name, &a, NULL) == HR_OK && a.created_ms > r.start)
        r.start = a.created_ms < r.end ? a.created_ms : r.end;
    store_account_fini(&a);
    r.notes = json_array(), r.answer_notes = json_object(), r.active = json_object();
    rc = idx && r.notes && r.answer_notes && r.active ? collect_posts(&r)
                                                      : hr_fail(err, HR_ENOMEM, "report");
    if (rc == HR_OK)
        rc = collect_drafts(&r);
    if (rc == HR_OK)
        rc = collect_cases(&r, "account", fig, idx);
    if (rc == HR_OK)
        rc = collect_reactions(&r);
    if (rc == HR_OK)
        rc = collect_followers(&r, fig);
    if (rc == HR_OK)
        rc = collect_reach(&r, &hosts);
    if (rc == HR_OK) {
        fill_posts(&r, fig, idx);
        fill_reach(&r, fig, idx, hosts);
        json_object_set(fig, "indices", idx);
    }
    json_decref(idx);
    rep_fini(&r);
    return rc;
}

/* ---- departments: the cases' "department", and the parents of accounts ---- */
static int dept_case_cb(const json_t *c, void *ctx)
{
    if (jstr(c, "department")[0] != '\0')
        json_object_set_new(ctx, jstr(c, "department"), json_true());
    return HR_OK;
}

static json_t *sum_members(json_t *accounts, const char *dept, json_t *row)
{
    static const char *const keys[] = {"posts",         "drafts_rejected", "followers_start",
                                       "followers_end", "replies",         "likes",
                                       "boosts",        "answers_given"};
    json_t *members = json_array();
    const json_t *a;
    size_t i;

    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        json_object_set_new(row, keys[k], json_integer(0));
    json_array_foreach(accounts, i, a)
    {
        if (strcmp(jstr(a, "account"), dept) != 0 && strcmp(jstr(a, "parent"), dept) != 0)
            continue;
        json_array_append_new(members, json_string(jstr(a, "account")));
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            json_object_set_new(row, keys[k],
                                json_integer(json_integer_value(json_object_get(row, keys[k])) +
                                             json_integer_value(json_object_get(a, keys[k]))));
    }
    return members;
}

static int department_row(struct store_txn *txn, const struct agency_report_query *q,
                          const char *dept, json_t *accounts, json_t *row, struct hr_err *err)
{
    struct rep r = {.txn = txn,
                    .q = q,
                    .name = dept,
                    .err = err,
                    .end = q->now_ms < q->to_ms ? q->now_ms : q->to_ms};
    json_t *idx = json_object();
    int rc = idx ? HR_OK : hr_fail(err, HR_ENOMEM, "report");

    json_object_set_new(row, "department", json_string(dept));
    json_object_set_new(row, "members", sum_members(accounts, dept, row));
    if (rc == HR_OK)
        rc = collect_cases(&r, "department", row, idx);
    if (rc == HR_OK)
        json_object_set(row, "indices", idx);
    json_decref(idx);
    return rc;
}

struct acct_walk {
    json_t *rows, *depts;
    const char *only;
};

static int acct_cb(const struct store_account *a, void *ctx)
{
    struct acct_walk *w = ctx;
    json_t *profile = json_loads(a->profile ? a->profile : "{}", 0, NULL);
    const char *parent = json_string_value(json_object_get(profile, "parent"));
    json_t *row;

    if (parent != NULL && parent[0] != '\0')
        json_object_set_new(w->depts, parent, json_true());
    if (w->only == NULL || strcmp(w->only, a->name) == 0) {
        row = json_pack("{s:s,s:s,s:s?}", "account", a->name, "kind", a->kind ? a->kind : "",
                        "parent", parent && parent[0] ? parent : NULL);
        json_array_append_new(w->rows, row);
    }
    json_decref(profile);
    return HR_OK;
}

static int build_rows(struct store_txn *txn, const struct agency_report_query *q, json_t *report,
                      struct hr_err *err)
{
    struct acct_walk w = {json_array(), json_object(), q->account};
    json_t *depts = json_array(), *row;
    const char *d;
    json_t *v;
    size_t i;
    int rc = store_account_each(txn, acct_cb, &w, err);

    if (rc == HR_OK)
        rc = agency_case_each(txn, dept_case_cb, w.depts, err);
    json_array_foreach(w.rows, i, row)
    {
        if (rc == HR_OK)
            rc = account_row(txn, q, jstr(row, "account"), row, err);
    }
    json_object_foreach(w.depts, d, v)
    {
        if (rc != HR_OK || (q->account != NULL && strcmp(q->account, d) != 0))
            continue;
        row = json_object();
        rc = department_row(txn, q, d, w.rows, row, err);
        json_array_append_new(depts, row);
    }
    json_object_set_new(report, "accounts", w.rows);
    json_object_set_new(report, "departments", depts);
    json_decref(w.depts);
    return rc;
}

int agency_report_build(struct store *st, const char *operator,
                        const struct agency_report_query * q, json_t **out, struct hr_err *err)
{
    struct store_txn *txn = NULL;
    struct store_account a = {0};
    json_t *report = NULL;
    int rc = HR_OK;

    if (q->from_ms >= q->to_ms)
        return hr_fail(err, HR_EINVAL, "the period is empty: --from must be before --to");
    rc = agency_may(st, operator, AGENCY_REPORT_READ, q->account, NULL, err);
    if (rc == HR_OK)
        rc = store_txn_begin(st, STORE_READ, &txn, err);
    if (rc == HR_OK && q->account != NULL && store_account_get(txn, q->account, &a, NULL) != HR_OK)
        rc = hr_fail(err, HR_ENOTFOUND, "no account named %s", q->account);
    if (rc == HR_OK) {
        report = json_pack("{s:{s:I,s:I,s:I}}", "period", "from_ms", (json_int_t)q->from_ms,
                           "to_ms", (json_int_t)q->to_ms, "now_ms", (json_int_t)q->now_ms);
        rc = report ? build_rows(txn, q, report, err) : hr_fail(err, HR_ENOMEM, "report");
    }
    store_account_fini(&a);
    store_txn_abort(txn);
    if (rc == HR_OK)
        *out = report;
    else
        json_decref(report);
    return rc;
}
