/* federation/websitecheck.c - does an account's website link back to it? (issue 9 §5)
 * `herald website check NAME` and the rechecker thread of herald serve fetch the page with
 * every outbound guard, look for rel="me" (federation/relme.c) and record the outcome in
 * the account's profile; a change of the verified state sends Update(actor), so remote
 * servers (Mastodon re-verifies profile links on Update) see it. */
#include "federation/fed_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define WEBSITE_POLL_MS  5000          /* how soon a newly set website is checked by herald serve */
#define WEBSITE_RETRY_MS (3600 * 1000) /* an unreachable website is tried again after this */
#define WEBSITE_ACCEPT   "text/html"   /* the only type judged (fed_website_judge) */

/* "text/html" with any parameters, in any case (RFC 9110 §8.3.1). */
static bool is_html(const char *ct)
{
    size_t n = strlen("text/html");

    return ct != NULL && strncasecmp(ct, "text/html", n) == 0 &&
           (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ' || ct[n] == '\t');
}

void fed_website_judge(const char *content_type, const char *body, size_t len,
                       const struct fed_relme_query *q, struct fed_website_result *out)
{
    out->definite = true;
    out->verified = false;
    if (!is_html(content_type))
        snprintf(out->reason, sizeof out->reason, "not an HTML page (Content-Type %.60s)",
                 content_type ? content_type : "missing");
    else if (len > FED_WEBSITE_MAX_BYTES)
        snprintf(out->reason, sizeof out->reason, "page larger than %d bytes",
                 FED_WEBSITE_MAX_BYTES);
    else if (fed_relme_find(body, len, q, out->found, sizeof out->found)) {
        out->verified = true;
        snprintf(out->reason, sizeof out->reason, "rel=\"me\" link to %.200s found", out->found);
    } else
        snprintf(out->reason, sizeof out->reason, "no rel=\"me\" link to this account");
}

/* The URLs a rel=me link may name: the profile page (what Mastodon compares with the
 * actor's url) and the actor id, normalised. */
struct website_targets {
    char profile[600], actor[600];
    const char *list[2];
};

static int targets_of(const struct fed *fed, const char *name, struct website_targets *t)
{
    char raw[600];
    int rc;

    snprintf(raw, sizeof raw, "%s/@%s", fed->base_url, name);
    rc = fed_relme_normalise(raw, t->profile, sizeof t->profile, NULL);
    fed_actor_url(fed, name, raw, sizeof raw);
    if (rc == HR_OK)
        rc = fed_relme_normalise(raw, t->actor, sizeof t->actor, NULL);
    t->list[0] = t->profile;
    t->list[1] = t->actor;
    return rc;
}

/* The account's website (from its profile) into URL; HR_ENOTFOUND / HR_EINVAL. */
static int website_of(struct fed *fed, const char *name, char *url, size_t cap, struct hr_err *err)
{
    struct store_account a = {0};
    struct store_txn *txn = NULL;
    json_t *profile = NULL;
    const char *site;
    int rc;

    if (!hr_name_valid(name))
        return hr_fail(err, HR_ENOTFOUND, "no account named '%.40s'", name ? name : "");
    rc = store_txn_begin(fed->st, STORE_READ, &txn, err);
    if (rc == HR_OK)
        rc = store_account_get(txn, name, &a, err);
    store_txn_abort(txn);
    if (rc == HR_ENOTFOUND)
        rc = hr_fail(err, HR_ENOTFOUND, "no account named '%s'", name);
    if (rc == HR_OK) {
        profile = json_loads(a.profile ? a.profile : "{}", 0, NULL);
        site = json_string_value(json_object_get(profile, "website"));
        if (site == NULL || site[0] == '\0')
            rc = hr_fail(err, HR_EINVAL, "account %s has no website (account set %s website URL)",
                         name, name);
        else
            snprintf(url, cap, "%s", site);
    }
    json_decref(profile);
    store_account_fini(&a);
    return rc;
}

/* Fetches URL unsigned (a website is no ActivityPub server: our key is not shown to it),
 * redirects to other origins followed, each hop checked, and judges the page. */
static void website_fetch(struct fed *fed, const char *url, const struct website_targets *t,
                          struct fed_website_result *out)
{
    struct fed_http_opts o;
    struct fed_http_response r = {0};
    struct fed_relme_query q = {.targets = t->list, .n_targets = 2};
    struct hr_err err = {0};
    int rc;

    fed_http_opts(fed, &o);
    o.max_bytes = FED_WEBSITE_MAX_BYTES;
    rc = fed_http_get(&o, url, WEBSITE_ACCEPT, NULL, &r, &err);
    if (rc != HR_OK) {
        /* refused (scheme, address, domain policy) or too big: a fact about the site;
         * a network failure may pass */
        out->definite = rc != HR_ENET;
        snprintf(out->reason, sizeof out->reason, "%s", err.msg);
    } else if (r.status != 200) {
        out->definite = r.status < 500 && r.status != 429;
        snprintf(out->reason, sizeof out->reason, "the website answered HTTP %ld", r.status);
    } else {
        q.page_url = r.final_url ? r.final_url : url;
        fed_website_judge(r.content_type, r.body, r.body_len, &q, out);
    }
    fed_http_response_fini(&r);
}

/* Writes the outcome into PROFILE; true when the verified state changed. */
static bool outcome_apply(json_t *profile, const struct fed_website_result *res, int64_t now)
{
    bool was = json_integer_value(json_object_get(profile, "website_verified_ms")) > 0;
    bool now_verified = res->definite ? res->verified : was;
    char line[300];

    snprintf(line, sizeof line, "%s: %s",
             res->verified   ? "verified"
             : res->definite ? "not verified"
                             : "unreachable",
             res->reason);
    json_object_set_new(profile, "website_checked_ms", json_integer(now));
    json_object_set_new(profile, "website_result", json_string(line));
    if (now_verified && !was)
        json_object_set_new(profile, "website_verified_ms", json_integer(now));
    else if (!now_verified)
        json_object_del(profile, "website_verified_ms");
    return now_verified != was;
}

/* Records RES for NAME unless its website changed during the fetch (then the new one is
 * checked next and nothing is recorded for the old). */
static int outcome_store(struct fed *fed, const char *name, struct fed_website_result *res,
                         struct hr_err *err)
{
    struct store_account a = {0};
    struct store_txn *txn = NULL;
    json_t *profile = NULL;
    char *text = NULL;
    const char *site;
    int rc = store_txn_begin(fed->st, STORE_WRITE, &txn, err);

    if (rc == HR_OK)
        rc = store_account_get_private(txn, name, &a, err);
    if (rc == HR_OK) {
        profile = json_loads(a.profile ? a.profile : "{}", 0, NULL);
        site = json_string_value(json_object_get(profile, "website"));
        if (!json_is_object(profile) || site == NULL || strcmp(site, res->url) != 0)
            rc = hr_fail(err, HR_EEXIST, "the website of %s changed during the check", name);
    }
    if (rc == HR_OK) {
        res->changed = outcome_apply(profile, res, hr_now_ms());
        text = json_dumps(profile, JSON_COMPACT | JSON_SORT_KEYS);
        free(a.profile);
        a.profile = text;
        rc = text ? store_account_put(txn, &a, err) : hr_fail(err, HR_ENOMEM, "profile");
    }
    if (rc == HR_OK && res->changed)
        rc = fed_actor_update_queue(fed, txn, name, err);
    if (rc == HR_OK) {
        rc = store_txn_commit(txn, err);
        txn = NULL;
    }
    store_txn_abort(txn);
    json_decref(profile);
    store_account_fini(&a);
    return rc;
}

int fed_website_check(struct fed *fed, const char *name, struct fed_website_result *out,
                      struct hr_err *err)
{
    struct website_targets t;
    int rc;

    memset(out, 0, sizeof *out);
    rc = website_of(fed, name, out->url, sizeof out->url, err);
    if (rc == HR_OK && targets_of(fed, name, &t) != HR_OK)
        rc = hr_fail(err, HR_EINTERNAL, "cannot form the profile URL of %s", name);
    if (rc != HR_OK)
        return rc;
    website_fetch(fed, out->url, &t, out);
    rc = outcome_store(fed, name, out, err);
    if (rc == HR_OK && out->changed)
        fed_wake(fed);
    return rc;
}

/* ---- the rechecker thread of herald serve ---- */

struct fed_website {
    struct fed *fed;
    int64_t recheck_ms;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
};

static bool website_stopping(struct fed_website *w)
{
    bool stop;

    pthread_mutex_lock(&w->mu);
    stop = w->stop;
    pthread_mutex_unlock(&w->mu);
    return stop;
}

/* The names of accounts whose website is due: never checked (set or changed since), or
 * checked RECHECK_MS ago. */
struct due_scan {
    int64_t now, recheck_ms;
    struct fed_strset names;
};

static int due_add(const struct store_account *a, void *ctx)
{
    struct due_scan *s = ctx;
    json_t *p = json_loads(a->profile ? a->profile : "{}", 0, NULL);
    const char *site = json_string_value(json_object_get(p, "website"));
    const char *last = json_string_value(json_object_get(p, "website_result"));
    int64_t checked = json_integer_value(json_object_get(p, "website_checked_ms"));
    int64_t every = s->recheck_ms;

    /* a site that was down is tried again sooner than one that answered */
    if (last != NULL && strncmp(last, "unreachable", 11) == 0 && every > WEBSITE_RETRY_MS)
        every = WEBSITE_RETRY_MS;
    if (site != NULL && site[0] != '\0' &&
        (checked <= 0 || (every > 0 && s->now - checked >= every)))
        (void)fed_strset_add(&s->names, a->name); /* ENOMEM: checked next round */
    json_decref(p);
    return 0;
}

static void website_round(struct fed_website *w)
{
    struct due_scan s = {.now = hr_now_ms(), .recheck_ms = w->recheck_ms};
    struct store_txn *txn = NULL;
    struct fed_website_result res;
    struct hr_err err = {0};

    if (store_txn_begin(w->fed->st, STORE_READ, &txn, &err) == HR_OK)
        (void)store_account_each(txn, due_add, &s, &err);
    store_txn_abort(txn);
    for (size_t i = 0; i < s.names.cap && !website_stopping(w); i++) {
        if (s.names.slots == NULL || s.names.slots[i] == NULL)
            continue;
        if (fed_website_check(w->fed, s.names.slots[i], &res, &err) != HR_OK)
            hr_log(HR_LOG_WARN, "fed", "website check account=%s failed: %s", s.names.slots[i],
                   err.msg);
        else
            hr_log(HR_LOG_INFO, "fed", "website check account=%s verified=%d%s", s.names.slots[i],
                   res.verified, res.changed ? " changed" : "");
    }
    fed_strset_fini(&s.names);
}

static void *website_main(void *arg)
{
    struct fed_website *w = arg;
    struct timespec until;
    bool stop = false;

    while (!stop) {
        website_round(w);
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += WEBSITE_POLL_MS / 1000;
        pthread_mutex_lock(&w->mu);
        while (!w->stop && pthread_cond_timedwait(&w->cv, &w->mu, &until) == 0)
            ;
        stop = w->stop;
        pthread_mutex_unlock(&w->mu);
    }
    return NULL;
}

int fed_website_start(struct fed *fed, int64_t recheck_s, struct hr_err *err)
{
    struct fed_website *w = calloc(1, sizeof *w);

    if (w == NULL)
        return hr_fail(err, HR_ENOMEM, "website rechecker");
    w->fed = fed;
    w->recheck_ms = recheck_s * 1000;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    fed->website = w;
    if (pthread_create(&w->thread, NULL, website_main, w) != 0) {
        fed->website = NULL;
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        free(w);
        return hr_fail(err, HR_EINTERNAL, "cannot start the website rechecker");
    }
    return HR_OK;
}

void fed_website_stop(struct fed *fed)
{
    struct fed_website *w = fed->website;

    if (w == NULL)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    fed->website = NULL;
    free(w);
}
