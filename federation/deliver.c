/* federation/deliver.c - the delivery worker: one thread inside `herald serve` that claims
 * due jobs from the store, signs each request once and POSTs them concurrently through
 * libcurl multi, then records the outcomes in one write transaction per batch.
 * Woken at once by a publish (a datagram on DIR/wake.sock, also from the CLI), never by
 * slow polling. A job is claimed with a lease, so a crash loses nothing: at start-up the
 * worker (holding DIR/worker.lock) releases the jobs a dead worker had claimed. */
#include "federation/fed_int.h"
#include "federation/httpsig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define LEASE_MS (10 * 60 * 1000)
#define BACKOFF_BASE_MS 10000
#define BACKOFF_MAX_MS (6 * 3600 * 1000LL)

struct inflight {
    uint64_t id;
    uint32_t attempts;
    int64_t created_ms;
    char *account, *recipient, *inbox;
    bool used;
};

struct outcome {
    struct inflight job;
    long status;
    int rc;
    int64_t retry_after_s;
};

struct fed_worker {
    struct fed *fed;
    pthread_t thread;
    int wake_fd, lock_fd;
    _Atomic int stop;
    struct fed_poster *poster;
    struct inflight *slots;
    size_t n_slots;
    struct outcome *done;
    size_t n_done;
    /* body cache: a fan-out sends one activity to many inboxes */
    char *body_id, *body, digest[64];
};

static void wake_path(const struct fed *fed, struct sockaddr_un *sa)
{
    memset(sa, 0, sizeof *sa);
    sa->sun_family = AF_UNIX;
    snprintf(sa->sun_path, sizeof sa->sun_path, "%s/wake.sock", fed->data_dir);
}

void fed_wake(struct fed *fed)
{
    struct sockaddr_un sa;
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return;
    wake_path(fed, &sa);
    /* no server running, or its buffer is full (already awake): both are fine */
    (void)sendto(fd, "w", 1, 0, (struct sockaddr *)&sa, sizeof sa);
    close(fd);
}

static void drain(int fd)
{
    char buf[64];

    while (recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0)
        ;
}

static int load_body(struct fed_worker *w, const char *activity_id, struct hr_err *err)
{
    struct store_object o = {0};
    struct store_txn *txn = NULL;
    int rc;

    if (w->body_id != NULL && strcmp(w->body_id, activity_id) == 0)
        return HR_OK;
    rc = store_txn_begin(w->fed->st, STORE_READ, &txn, err);
    if (rc == HR_OK)
        rc = store_object_get(txn, activity_id, &o, err);
    store_txn_abort(txn);
    if (rc != HR_OK)
        return rc;
    free(w->body_id);
    free(w->body);
    w->body_id = strdup(activity_id);
    w->body = o.json;
    o.json = NULL;
    store_object_fini(&o);
    fed_digest_make(w->body, strlen(w->body), w->digest);
    return w->body_id ? HR_OK : hr_fail(err, HR_ENOMEM, "body cache");
}

static void inflight_fini(struct inflight *j)
{
    free(j->account);
    free(j->recipient);
    free(j->inbox);
    memset(j, 0, sizeof *j);
}

/* Signs and queues one job; the signature is the only per-delivery work. */
static int start_job(struct fed_worker *w, const struct store_delivery *d, struct inflight *slot,
                     struct hr_err *err)
{
    char host[300], target[2100], date[32], key_id[600], h[6][4200];
    const char *headers[7];
    const struct keys_key *key = NULL;
    char *sig = NULL;
    int rc = load_body(w, d->activity_id, err);

    if (rc == HR_OK)
        rc = fed_account_key(w->fed, d->account, &key, err);
    if (rc == HR_OK)
        rc = fed_url_host(d->inbox, host, sizeof host, err);
    if (rc == HR_OK)
        rc = fed_url_target(d->inbox, target, sizeof target, err);
    hr_http_date(hr_now_ms(), date);
    snprintf(key_id, sizeof key_id, "%s/users/%s#main-key", w->fed->base_url, d->account);
    if (rc == HR_OK)
        rc = fed_sig_sign(key, key_id, "POST", target, host, date, w->digest,
                          "application/activity+json", &sig, err);
    if (rc != HR_OK)
        return rc;
    snprintf(h[0], sizeof h[0], "Date: %s", date);
    snprintf(h[1], sizeof h[1], "Digest: %s", w->digest);
    snprintf(h[2], sizeof h[2], "Content-Type: application/activity+json");
    snprintf(h[3], sizeof h[3], "Host: %s", host);
    snprintf(h[4], sizeof h[4], "Accept: application/activity+json");
    if (snprintf(h[5], sizeof h[5], "Signature: %s", sig) >= (int)sizeof h[5])
        rc = hr_fail(err, HR_ETOOBIG, "signature header too long");
    free(sig);
    for (int i = 0; i < 6; i++)
        headers[i] = h[i];
    headers[6] = NULL;
    *slot = (struct inflight){.id = d->id, .attempts = d->attempts, .created_ms = d->created_ms,
                              .used = true, .account = strdup(d->account),
                              .recipient = strdup(d->recipient), .inbox = strdup(d->inbox)};
    if (rc == HR_OK && (!slot->account || !slot->recipient || !slot->inbox))
        rc = hr_fail(err, HR_ENOMEM, "delivery");
    if (rc == HR_OK)
        rc = fed_poster_add(w->poster, d->inbox, headers, w->body, strlen(w->body), slot, err);
    if (rc != HR_OK)
        inflight_fini(slot);
    return rc;
}

static struct inflight *free_slot(struct fed_worker *w)
{
    for (size_t i = 0; i < w->n_slots; i++)
        if (!w->slots[i].used)
            return &w->slots[i];
    return NULL;
}

/* A job that cannot even be started (its object or account is gone, its URL is bad) is
 * dropped: retrying would fail the same way. */
static void drop_job(struct fed_worker *w, uint64_t id, const char *why)
{
    struct store_txn *txn = NULL;

    hr_log(HR_LOG_WARN, "deliver", "dropping job=%llu reason=%s", (unsigned long long)id, why);
    if (store_txn_begin(w->fed->st, STORE_WRITE, &txn, NULL) != HR_OK)
        return;
    if (store_delivery_del(txn, id, NULL) == HR_OK)
        store_txn_commit(txn, NULL);
    else
        store_txn_abort(txn);
}

/* Claims as many due jobs as there are free slots and starts them. */
static void claim_and_start(struct fed_worker *w)
{
    size_t room = w->n_slots - fed_poster_active(w->poster), n = 0;
    struct store_delivery *jobs = NULL;
    struct store_txn *txn = NULL;
    struct hr_err err = {0};
    int rc;

    if (room == 0)
        return;
    rc = store_txn_begin(w->fed->st, STORE_WRITE, &txn, &err);
    if (rc == HR_OK)
        rc = store_delivery_claim(txn, hr_now_ms(), LEASE_MS, room, &jobs, &n, &err);
    if (rc == HR_OK && n > 0) {
        rc = store_txn_commit(txn, &err);
        txn = NULL;
    }
    store_txn_abort(txn);
    if (rc != HR_OK) {
        hr_log(HR_LOG_ERR, "deliver", "claim failed: %s", err.msg);
        n = 0;
    }
    for (size_t i = 0; i < n; i++) {
        struct inflight *slot = free_slot(w);
        if (!fed_domain_permitted(w->fed, jobs[i].inbox))
            drop_job(w, jobs[i].id, "domain blocked or not allowed");
        else if (slot == NULL || start_job(w, &jobs[i], slot, &err) != HR_OK)
            drop_job(w, jobs[i].id, slot ? err.msg : "no slot");
        store_delivery_fini(&jobs[i]);
    }
    free(jobs);
}

static void on_done(const struct fed_post_result *res, void *ctx)
{
    struct fed_worker *w = ctx;
    struct inflight *slot = res->user;
    struct outcome *o = &w->done[w->n_done++];

    o->job = *slot;
    o->status = res->status;
    o->rc = res->rc;
    o->retry_after_s = res->retry_after_s;
    memset(slot, 0, sizeof *slot); /* strings now owned by the outcome */
    if (res->rc != HR_OK)
        hr_log(HR_LOG_INFO, "deliver", "job=%llu inbox=%s failed: %s",
               (unsigned long long)o->job.id, o->job.inbox, res->errmsg);
}

/* Exponential backoff from 10 s, capped at 6 h, with jitter so that a recovering peer
 * is not hit by every server at the same second. */
static int64_t backoff_ms(uint32_t attempts, int64_t retry_after_s)
{
    int64_t d = BACKOFF_BASE_MS;

    for (uint32_t i = 0; i < attempts && d < BACKOFF_MAX_MS; i++)
        d *= 2;
    if (d > BACKOFF_MAX_MS)
        d = BACKOFF_MAX_MS;
    d += (int64_t)((uint64_t)hr_mono_ms() % (uint64_t)(d / 5 + 1));
    if (retry_after_s > 0 && retry_after_s * 1000 > d)
        d = retry_after_s * 1000 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : retry_after_s * 1000;
    return d;
}

static bool retryable(const struct outcome *o)
{
    if (o->rc == HR_EFORBIDDEN) /* refused by the SSRF guard: will not change */
        return false;
    if (o->rc != HR_OK)
        return true; /* timeouts, connection errors */
    return o->status == 408 || o->status == 429 || o->status >= 500;
}

/* Records one outcome inside TXN. */
static int record(struct fed_worker *w, struct store_txn *txn, const struct outcome *o)
{
    int64_t now = hr_now_ms();
    int rc;

    if (o->rc == HR_OK && o->status >= 200 && o->status < 300)
        return store_delivery_del(txn, o->job.id, NULL);
    if (retryable(o) && now - o->job.created_ms < w->fed->cfg.deliver_give_up_s * 1000)
        return store_delivery_retry(txn, o->job.id, now + backoff_ms(o->job.attempts,
                                                                     o->retry_after_s),
                                    o->job.attempts + 1, NULL);
    hr_log(HR_LOG_WARN, "deliver", "giving up job=%llu inbox=%s status=%ld attempts=%u",
           (unsigned long long)o->job.id, o->job.inbox, o->status, o->job.attempts + 1);
    rc = store_delivery_del(txn, o->job.id, NULL);
    /* 410 Gone from a follower's own inbox: the follower is gone too */
    if (rc == HR_OK && o->status == 410 && o->job.recipient[0] != '\0') {
        size_t removed = 0;
        rc = store_follower_del_everywhere(txn, o->job.recipient, &removed, NULL);
    }
    return rc;
}

/* All outcomes of one poll in one write transaction (group commit). */
static void record_all(struct fed_worker *w)
{
    struct store_txn *txn = NULL;
    struct hr_err err = {0};
    int rc;

    if (w->n_done == 0)
        return;
    rc = store_txn_begin(w->fed->st, STORE_WRITE, &txn, &err);
    for (size_t i = 0; i < w->n_done && rc == HR_OK; i++) {
        rc = record(w, txn, &w->done[i]);
        if (rc == HR_ENOTFOUND)
            rc = HR_OK; /* released or finished elsewhere */
    }
    if (rc == HR_OK) {
        rc = store_txn_commit(txn, &err);
        txn = NULL;
    }
    store_txn_abort(txn);
    if (rc != HR_OK)
        hr_log(HR_LOG_ERR, "deliver", "recording outcomes failed: %s", err.msg);
    for (size_t i = 0; i < w->n_done; i++)
        inflight_fini(&w->done[i].job);
    w->n_done = 0;
}

static int poll_timeout(struct fed_worker *w)
{
    struct store_txn *txn = NULL;
    int64_t due = INT64_MAX, now = hr_now_ms();

    if (fed_poster_active(w->poster) == w->n_slots)
        return 1000;
    if (store_txn_begin(w->fed->st, STORE_READ, &txn, NULL) == HR_OK)
        due = store_delivery_next_due(txn);
    store_txn_abort(txn);
    if (due <= now)
        return 0;
    /* a safety net of 5 s: the wake-up datagram is the normal path */
    return due - now > 5000 ? 5000 : (int)(due - now);
}

static void *worker_main(void *arg)
{
    struct fed_worker *w = arg;

    while (!w->stop) {
        int timeout;
        claim_and_start(w);
        timeout = poll_timeout(w);
        if (timeout == 0 && fed_poster_active(w->poster) < w->n_slots)
            timeout = 10;
        fed_poster_run(w->poster, timeout, w->wake_fd, on_done, w);
        drain(w->wake_fd);
        record_all(w);
    }
    return NULL;
}

static int open_wake_socket(struct fed_worker *w, struct hr_err *err)
{
    struct sockaddr_un sa;
    char lock[600];

    snprintf(lock, sizeof lock, "%s/worker.lock", w->fed->data_dir);
    w->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (w->lock_fd < 0 || flock(w->lock_fd, LOCK_EX | LOCK_NB) != 0)
        return hr_fail(err, HR_EEXIST, "another herald serve already delivers for %s",
                       w->fed->data_dir);
    wake_path(w->fed, &sa);
    unlink(sa.sun_path); /* ours: we hold the worker lock */
    w->wake_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (w->wake_fd < 0 || bind(w->wake_fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        return hr_fail(err, HR_EIO, "wake socket %s: %s", sa.sun_path, strerror(errno));
    return HR_OK;
}

static int release_claimed(struct fed *fed, struct hr_err *err)
{
    struct store_txn *txn = NULL;
    size_t n = 0;
    int rc = store_txn_begin(fed->st, STORE_WRITE, &txn, err);

    if (rc == HR_OK)
        rc = store_delivery_release(txn, hr_now_ms(), &n, err);
    if (rc == HR_OK) {
        rc = store_txn_commit(txn, err);
        txn = NULL;
    }
    store_txn_abort(txn);
    if (rc == HR_OK && n > 0)
        hr_log(HR_LOG_INFO, "deliver", "resuming %zu deliveries interrupted by a stop", n);
    return rc;
}

static void worker_free(struct fed_worker *w)
{
    if (w == NULL)
        return;
    for (size_t i = 0; i < w->n_slots; i++)
        inflight_fini(&w->slots[i]);
    fed_poster_free(w->poster);
    if (w->wake_fd >= 0)
        close(w->wake_fd);
    if (w->lock_fd >= 0)
        close(w->lock_fd);
    free(w->slots);
    free(w->done);
    free(w->body_id);
    free(w->body);
    free(w);
}

int fed_worker_start(struct fed *fed, struct hr_err *err)
{
    struct fed_worker *w = calloc(1, sizeof *w);
    struct fed_http_opts o;
    int rc;

    if (w == NULL)
        return hr_fail(err, HR_ENOMEM, "worker");
    w->fed = fed;
    w->wake_fd = w->lock_fd = -1;
    w->n_slots = (size_t)(fed->cfg.deliver_concurrency > 0 ? fed->cfg.deliver_concurrency : 64);
    w->slots = calloc(w->n_slots, sizeof *w->slots);
    w->done = calloc(w->n_slots, sizeof *w->done);
    fed_http_opts(fed, &o);
    o.timeout_ms = fed->cfg.deliver_timeout_ms;
    rc = (w->slots && w->done) ? open_wake_socket(w, err) : hr_fail(err, HR_ENOMEM, "worker");
    if (rc == HR_OK)
        rc = fed_poster_new(&o, (int)w->n_slots, fed->cfg.deliver_per_host, &w->poster, err);
    if (rc == HR_OK)
        rc = release_claimed(fed, err);
    if (rc == HR_OK && pthread_create(&w->thread, NULL, worker_main, w) != 0)
        rc = hr_fail(err, HR_EINTERNAL, "cannot start the delivery thread");
    if (rc != HR_OK) {
        worker_free(w);
        return rc;
    }
    fed->worker = w;
    return HR_OK;
}

void fed_worker_stop(struct fed *fed)
{
    struct fed_worker *w = fed->worker;

    if (w == NULL)
        return;
    w->stop = 1;
    fed_wake(fed);
    pthread_join(w->thread, NULL);
    fed->worker = NULL;
    /* in-flight jobs stay claimed in the store; the next start releases them */
    worker_free(w);
}
