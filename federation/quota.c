/* federation/quota.c - nobody outside can fill the store.
 *
 * Three bounds on what remote actors make us store, all checked inside the inbox's write
 * transaction before anything of the activity is written (so a refusal stores nothing):
 *  - per remote actor and per registrable domain (libpsl: every subdomain of one
 *    registrant counts together), objects and bytes, from the usage rows store/usage.c
 *    keeps in the same transactions as the rows themselves: 429 quota_actor/quota_domain;
 *  - the inbound reserve: once the inbound tables hold inbound_share_percent of the map,
 *    inbound writes stop (507 inbound_reserve) and the rest of the map stays for what
 *    only we write: posts, approvals, deliveries, the audit log;
 *  - retention: the pruner removes inbound activities and seen ids older than their
 *    retention, which is also what releases quota.
 * See docs/storage.md ("Inbound quotas") and docs/decisions.md. */
#include "federation/fed_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A hint to the peer: quota comes back as the pruner removes old rows, not by a window. */
#define FED_QUOTA_RETRY_S 3600
#define FED_PRUNE_INTERVAL_MS (10 * 60 * 1000)
#define FED_PRUNE_BATCH 1024 /* rows visited per write transaction */

int fed_charge_of(const char *actor, struct fed_charge *out)
{
    char host[300];

    memset(out, 0, sizeof *out);
    if (fed_url_host(actor, host, sizeof host, NULL) != HR_OK ||
        fed_reg_domain(host, out->domain, sizeof out->domain) != HR_OK)
        return HR_EINVAL;
    out->ch.actor = actor;
    out->ch.domain = out->domain;
    return HR_OK;
}

static int refuse(struct fed_quota_refusal *out, int status, const char *code, const char *fmt,
                  ...) __attribute__((format(printf, 4, 5)));

static int refuse(struct fed_quota_refusal *out, int status, const char *code, const char *fmt,
                  ...)
{
    va_list ap;

    out->status = status;
    out->code = code;
    out->retry_after_s = FED_QUOTA_RETRY_S; /* 429 and 507: pruning frees room over time */
    va_start(ap, fmt);
    vsnprintf(out->message, sizeof out->message, fmt, ap);
    va_end(ap);
    return HR_ELIMIT;
}

/* U plus one more object of LEN bytes would pass MAX_OBJECTS or MAX_BYTES (0: no limit). */
static bool over(const struct store_usage *u, size_t len, uint64_t max_objects,
                 uint64_t max_bytes)
{
    return (max_objects != 0 && u->objects + 1 > max_objects) ||
           (max_bytes != 0 && u->bytes + len > max_bytes);
}

static bool reserve_full(struct fed *fed, struct store_txn *txn)
{
    uint64_t used, map;

    if (fed->cfg.inbound_share_percent == 0)
        return false;
    store_inbound_share(txn, &used, &map);
    return map != 0 && used >= map / 100 * fed->cfg.inbound_share_percent;
}

int fed_quota_admit(struct fed *fed, struct store_txn *txn, const struct fed_charge *from,
                    size_t len, struct fed_quota_refusal *out)
{
    const struct fed_config *c = &fed->cfg;
    struct store_usage u;

    memset(out, 0, sizeof *out);
    if (reserve_full(fed, txn))
        return refuse(out, 507, "inbound_reserve",
                      "inbound storage is full (actor %.120s, domain %.80s); retry later",
                      from->ch.actor, from->domain);
    store_usage_get(txn, STORE_USAGE_ACTOR, from->ch.actor, &u);
    if (over(&u, len, c->inbound_max_objects_per_actor, c->inbound_max_bytes_per_actor))
        return refuse(out, 429, "quota_actor",
                      "actor %.120s (domain %.80s) has %llu objects, %llu bytes stored here",
                      from->ch.actor, from->domain, (unsigned long long)u.objects,
                      (unsigned long long)u.bytes);
    store_usage_get(txn, STORE_USAGE_DOMAIN, from->domain, &u);
    if (over(&u, len, c->inbound_max_objects_per_domain, c->inbound_max_bytes_per_domain))
        return refuse(out, 429, "quota_domain",
                      "domain %.80s (actor %.120s) has %llu objects, %llu bytes stored here",
                      from->domain, from->ch.actor, (unsigned long long)u.objects,
                      (unsigned long long)u.bytes);
    return HR_OK;
}

/* ---- retention: the pruner ---- */

struct fed_pruner {
    struct fed *fed;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
};

/* A pass over millions of seen ids must not hold up a SIGTERM: it stops between steps. */
static bool stopping(struct fed *fed)
{
    struct fed_pruner *p = fed->pruner;
    bool stop;

    if (p == NULL)
        return false;
    pthread_mutex_lock(&p->mu);
    stop = p->stop;
    pthread_mutex_unlock(&p->mu);
    return stop;
}

/* Runs one table's pass to its end, one small write transaction per step; a step that
 * removed nothing is aborted (no commit, no fsync for a scan that found nothing old). */
static int prune_table(struct fed *fed, int64_t before_ms,
                       int (*step)(struct store_txn *, int64_t, size_t, struct store_prune *,
                                   struct hr_err *),
                       size_t *removed, struct hr_err *err)
{
    struct store_prune p = {0};
    int rc = HR_OK;

    while (!p.done && rc == HR_OK && !stopping(fed)) {
        struct store_txn *txn = NULL;
        size_t before = p.removed;

        rc = store_txn_begin(fed->st, STORE_WRITE, &txn, err);
        if (rc == HR_OK)
            rc = step(txn, before_ms, FED_PRUNE_BATCH, &p, err);
        if (rc == HR_OK && p.removed > before) {
            rc = store_txn_commit(txn, err);
            txn = NULL;
        }
        store_txn_abort(txn);
    }
    *removed += p.removed;
    return rc;
}

static int timeline_step(struct store_txn *txn, int64_t unused, size_t max, struct store_prune *p,
                         struct hr_err *err)
{
    (void)unused; /* the limit is the newest inbound row pruned, kept in the store */
    return store_timeline_prune(txn, max, p, err);
}

int fed_prune_run(struct fed *fed, int64_t now_ms, size_t *removed, struct hr_err *err)
{
    int rc = HR_OK;

    *removed = 0;
    if (fed->cfg.inbound_retention_s > 0)
        rc = prune_table(fed, now_ms - fed->cfg.inbound_retention_s * 1000, store_inbound_prune,
                         removed, err);
    if (rc == HR_OK && fed->cfg.inbound_retention_s > 0)
        rc = prune_table(fed, 0, timeline_step, removed, err);
    if (rc == HR_OK && fed->cfg.seen_retention_s > 0)
        rc = prune_table(fed, now_ms - fed->cfg.seen_retention_s * 1000, store_seen_prune,
                         removed, err);
    return rc;
}

static void prune_once(struct fed *fed)
{
    struct hr_err err = {0};
    size_t n = 0;

    if (fed_prune_run(fed, hr_now_ms(), &n, &err) != HR_OK)
        hr_log(HR_LOG_ERR, "fed", "pruning inbound data failed: %s", err.msg);
    else if (n > 0)
        hr_log(HR_LOG_INFO, "fed", "pruned %zu inbound rows past their retention", n);
}

static void *pruner_main(void *arg)
{
    struct fed_pruner *p = arg;
    struct timespec until;
    bool stop = false;

    while (!stop) {
        prune_once(p->fed);
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += FED_PRUNE_INTERVAL_MS / 1000;
        pthread_mutex_lock(&p->mu);
        while (!p->stop && pthread_cond_timedwait(&p->cv, &p->mu, &until) == 0)
            ;
        stop = p->stop;
        pthread_mutex_unlock(&p->mu);
    }
    return NULL;
}

int fed_prune_start(struct fed *fed, struct hr_err *err)
{
    struct fed_pruner *p = calloc(1, sizeof *p);

    if (p == NULL)
        return hr_fail(err, HR_ENOMEM, "pruner");
    p->fed = fed;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    fed->pruner = p; /* before the thread starts: it reads fed->pruner (stopping) */
    if (pthread_create(&p->thread, NULL, pruner_main, p) != 0) {
        fed->pruner = NULL;
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->cv);
        free(p);
        return hr_fail(err, HR_EINTERNAL, "cannot start the pruner");
    }
    return HR_OK;
}

void fed_prune_stop(struct fed *fed)
{
    struct fed_pruner *p = fed->pruner;

    if (p == NULL)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    fed->pruner = NULL;
    free(p);
}
