/* federation/deliver.c - the delivery worker inside `herald serve`: one I/O thread that
 * claims due jobs from the store and POSTs them concurrently through libcurl multi, and a
 * few signer threads (one per CPU core by default) that sign each request once. A job is
 * POSTed as soon as it is signed, so the first delivery of a fan-out does not wait for the
 * rest of its batch, and signing - most of a fan-out's CPU - runs on every core.
 * Outcomes are recorded in one write transaction per batch (group commit).
 * Woken at once by a publish (a datagram on DIR/wake.sock, also from the CLI), never by
 * slow polling. A job is claimed with a lease, so a crash loses nothing: at start-up the
 * worker (holding DIR/worker.lock) releases the jobs a dead worker had claimed. */
#include "federation/fed_int.h"
#include "federation/httpsig.h"
#include "federation/httpsig9.h"
#include "federation/knock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define LEASE_MS (10 * 60 * 1000)
#define BACKOFF_BASE_MS 10000
#define BACKOFF_MAX_MS (6 * 3600 * 1000LL)
#define RECORD_BATCH 64     /* outcomes recorded in one transaction at most... */
#define RECORD_DELAY_MS 20  /* ...and no later than this after the first of them */
#define MAX_SIGNERS 64
#define TRANSIENT_RETRY_MS 2000 /* a job not started for a transient fault is due again */

/* One activity's body, shared by every job of its fan-out. */
struct body {
    atomic_int refs;
    char *id, *json;
    size_t len;
    char digest[64];
};

/* One claimed delivery from its claim to its recorded outcome. */
struct job {
    struct hr_link link; /* in todo, ready or done */
    uint64_t id;
    uint32_t attempts;
    int64_t created_ms;
    char *account, *recipient, *inbox, *activity_id;
    struct body *body; /* NULL in a job that could not be started */
    /* double-knocking (federation/knock.h): set by the first signing, switched on a refusal */
    bool knock_set, learned;
    struct fed_knock knock;
    char accept_signature[512]; /* the refusal's Accept-Signature, for the second knock */
    char *hook_secret; /* a webhook delivery (federation/hookjob.c): its webhook's secret */
    int outcome;       /* FED_OUT_* + 1 as record() saw it, 0 none (counted once committed) */
    /* filled by a signer */
    int sign_rc;
    char *headers[9]; /* NULL-terminated "Name: value" lines */
    char sign_err[sizeof(((struct hr_err *)0)->msg)];
    /* filled when the POST ends */
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
    size_t n_slots;  /* POSTs in flight at most (deliver_concurrency) */
    size_t in_pipe;  /* jobs claimed and not yet finished (worker thread only) */
    struct body *body; /* the last body loaded: a fan-out sends one activity to many */
    struct hr_fifo done; /* finished, outcome not yet recorded (worker thread only) */
    int64_t done_since; /* hr_mono_ms of the first of them */
    /* signers: TODO is signed into READY; both guarded by MU */
    pthread_mutex_t mu;
    pthread_cond_t cond;
    bool signers_stop;
    struct hr_fifo todo, ready;
    pthread_t signers[MAX_SIGNERS];
    size_t n_signers;
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

/* ---- jobs and their lists ---- */

static struct job *job_of(struct hr_link *l)
{
    return l != NULL ? HR_CONTAINER(l, struct job, link) : NULL;
}

static void body_unref(struct body *b)
{
    if (b == NULL || atomic_fetch_sub(&b->refs, 1) != 1)
        return;
    free(b->id);
    free(b->json);
    free(b);
}

static void headers_free(struct job *j)
{
    for (size_t i = 0; i < sizeof j->headers / sizeof j->headers[0]; i++) {
        free(j->headers[i]);
        j->headers[i] = NULL;
    }
}

static void job_free(struct job *j)
{
    if (j == NULL)
        return;
    free(j->account);
    free(j->recipient);
    free(j->inbox);
    free(j->activity_id);
    keys_secret_free(j->hook_secret);
    headers_free(j);
    body_unref(j->body);
    free(j);
}

static void job_free_user(void *j)
{
    job_free(j);
}

static void chain_free(struct hr_link *l)
{
    while (l != NULL) {
        struct hr_link *next = l->next;
        job_free(job_of(l));
        l = next;
    }
}

/* The body of ACTIVITY_ID with a reference for the caller: the last one loaded when it is
 * the same activity (the usual case: a fan-out's jobs are claimed together). */
static int body_get(struct fed_worker *w, const char *activity_id, struct body **out,
                    struct hr_err *err)
{
    struct store_object o = {0};
    struct store_txn *txn = NULL;
    struct body *b;
    int rc;

    if (w->body == NULL || strcmp(w->body->id, activity_id) != 0) {
        rc = store_txn_begin(w->fed->st, STORE_READ, &txn, err);
        if (rc == HR_OK) /* a webhook's event, or one of our activities */
            rc = fed_hook_event_id(activity_id, NULL)
                     ? fed_hook_body(txn, activity_id, &o.json, err)
                     : store_object_get(txn, activity_id, &o, err);
        store_txn_abort(txn);
        if (rc != HR_OK)
            return rc;
        b = calloc(1, sizeof *b);
        if (b != NULL) {
            atomic_init(&b->refs, 1);
            b->id = strdup(activity_id);
            b->json = o.json;
            o.json = NULL;
        }
        store_object_fini(&o);
        if (b == NULL || b->id == NULL || b->json == NULL) {
            body_unref(b);
            return hr_fail(err, HR_ENOMEM, "body cache");
        }
        b->len = strlen(b->json);
        fed_digest_make(b->json, b->len, b->digest);
        body_unref(w->body);
        w->body = b;
    }
    atomic_fetch_add(&w->body->refs, 1);
    *out = w->body;
    return HR_OK;
}

/* The job of D, or NULL when out of memory. When its secret or body cannot be had, *ERR
 * says why and the job is returned without them: it still knows what it was for, so its
 * outcome (dropped, retried, given up) is recorded like any other's. */
static struct job *job_new(struct fed_worker *w, const struct store_delivery *d,
                           struct hr_err *err)
{
    struct job *j = calloc(1, sizeof *j);

    if (j == NULL) {
        hr_fail(err, HR_ENOMEM, "delivery");
        return NULL;
    }
    *j = (struct job){.id = d->id, .attempts = d->attempts, .created_ms = d->created_ms,
                      .account = strdup(d->account), .recipient = strdup(d->recipient),
                      .inbox = strdup(d->inbox), .activity_id = strdup(d->activity_id),
                      .retry_after_s = -1};
    if (!j->account || !j->recipient || !j->inbox || !j->activity_id) {
        hr_fail(err, HR_ENOMEM, "delivery");
        job_free(j);
        return NULL;
    }
    if (fed_hook_job(d->account) &&
        fed_hook_secret(w->fed->st, d->account, &j->hook_secret, err) != HR_OK)
        return j;
    (void)body_get(w, d->activity_id, &j->body, err);
    return j;
}

/* ---- signing (signer threads) ---- */

static char *line(const char *name, const char *value)
{
    size_t n = strlen(name) + strlen(value) + 3;
    char *s = malloc(n);

    if (s != NULL)
        snprintf(s, n, "%s: %s", name, value);
    return s;
}

/* What one signing of a delivery needs besides the key. */
struct sign_ctx {
    char host[300], target[2100], date[32], key_id[600], scheme[16];
    char content_digest[64];
    const struct job *j;
};

static const char *sign_header(void *ctx, const char *name)
{
    const struct sign_ctx *s = ctx;

    if (strcmp(name, "content-digest") == 0)
        return s->content_digest;
    if (strcmp(name, "digest") == 0)
        return s->j->body->digest;
    if (strcmp(name, "date") == 0)
        return s->date;
    if (strcmp(name, "host") == 0)
        return s->host;
    return strcmp(name, "content-type") == 0 ? "application/activity+json" : NULL;
}

/* RFC 9421 (rsa-v1_5-sha256, created now): our default components, or what the refusal's
 * Accept-Signature asked for when we can produce it. */
static int sign_rfc9421(const struct keys_key *key, struct sign_ctx *s, struct job *j,
                        struct hr_err *err)
{
    struct fed_sig9_request r = {"POST", s->target, s->scheme, s->host, sign_header, s};
    struct fed_sig9_plan plan;
    char *input = NULL, *sig = NULL;
    int rc;

    fed_sig9_plan_default("POST", &plan);
    if (j->accept_signature[0] != '\0' &&
        !fed_sig9_plan_accept(&plan, j->accept_signature, s->key_id))
        hr_log(HR_LOG_INFO, "deliver", "job=%llu Accept-Signature not met, default signed",
               (unsigned long long)j->id);
    snprintf(s->scheme, sizeof s->scheme, "%.*s", (int)strcspn(j->inbox, ":"), j->inbox);
    rc = fed_sig9_sign(key, s->key_id, &plan, hr_now_ms() / 1000, &r, &input, &sig, err);
    if (rc == HR_OK) {
        j->headers[6] = line("Content-Digest", s->content_digest);
        j->headers[7] = line("Signature-Input", input);
        j->headers[5] = line("Signature", sig);
    }
    free(input);
    free(sig);
    return rc;
}

static int sign_cavage(const struct keys_key *key, struct sign_ctx *s, struct job *j,
                       struct hr_err *err)
{
    char *sig = NULL;
    int rc = fed_sig_sign(key, s->key_id, "POST", s->target, s->host, s->date, j->body->digest,
                          "application/activity+json", &sig, err);

    if (rc == HR_OK)
        j->headers[5] = line("Signature", sig);
    free(sig);
    return rc;
}

/* The request headers of J, signed: the only per-delivery work besides the POST. The
 * first signing picks the scheme (federation/knock.h); a second knock re-signs. */
static int sign_job(struct fed *fed, struct job *j, struct hr_err *err)
{
    struct sign_ctx s = {.j = j};
    const struct keys_key *key = NULL;
    int rc;

    if (j->hook_secret != NULL) { /* a webhook: JSON with an HMAC, no account key */
        headers_free(j);
        return fed_hook_headers(j->body->json, j->body->len, j->hook_secret, hr_now_ms(),
                                j->headers, err);
    }
    rc = fed_account_key(fed, j->account, &key, err);

    if (rc == HR_OK)
        rc = fed_url_host(j->inbox, s.host, sizeof s.host, err);
    if (rc == HR_OK)
        rc = fed_url_target(j->inbox, s.target, sizeof s.target, err);
    if (rc == HR_OK && !j->knock_set)
        fed_knock_init(&j->knock, fed_knock_first(fed, s.host));
    j->knock_set = true;
    hr_http_date(hr_now_ms(), s.date);
    snprintf(s.key_id, sizeof s.key_id, "%s/users/%s#main-key", fed->base_url, j->account);
    fed_content_digest_make(j->body->json, j->body->len, s.content_digest);
    headers_free(j);
    if (rc == HR_OK)
        rc = j->knock.now == FED_SCHEME_RFC9421 ? sign_rfc9421(key, &s, j, err)
                                                : sign_cavage(key, &s, j, err);
    if (rc != HR_OK)
        return rc;
    j->headers[0] = line("Date", s.date);
    j->headers[1] = line("Digest", j->body->digest);
    j->headers[2] = line("Content-Type", "application/activity+json");
    j->headers[3] = line("Host", s.host);
    j->headers[4] = line("Accept", "application/activity+json");
    for (size_t i = 0; i < (j->knock.now == FED_SCHEME_RFC9421 ? 8 : 6); i++)
        if (j->headers[i] == NULL)
            return hr_fail(err, HR_ENOMEM, "delivery headers");
    return HR_OK;
}

static void *signer_main(void *arg)
{
    struct fed_worker *w = arg;
    struct hr_err err;
    struct job *j;
    bool first;

    (void)prctl(PR_SET_NAME, "herald-sign"); /* as top -H and perf show it */
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->signers_stop && w->todo.n == 0)
            pthread_cond_wait(&w->cond, &w->mu);
        j = w->signers_stop ? NULL : job_of(hr_fifo_pop(&w->todo));
        if (j == NULL)
            break;
        pthread_mutex_unlock(&w->mu);
        err = (struct hr_err){0};
        j->sign_rc = sign_job(w->fed, j, &err);
        if (j->sign_rc != HR_OK)
            snprintf(j->sign_err, sizeof j->sign_err, "%s", err.msg);
        pthread_mutex_lock(&w->mu);
        hr_fifo_push(&w->ready, &j->link);
        first = w->ready.n == 1; /* otherwise the I/O thread has a wake-up pending */
        if (first) {
            pthread_mutex_unlock(&w->mu);
            fed_poster_wakeup(w->poster);
            pthread_mutex_lock(&w->mu);
        }
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* ---- the I/O thread ---- */

/* Errors after which a job can never be sent as it stands: its activity or account is gone
 * (HR_ENOTFOUND), its URL is bad (HR_EINVAL), its target is forbidden (HR_EFORBIDDEN).
 * Anything else (a failed read transaction, a full reader table, a full map, no memory) is
 * transient: dropping the job then would lose a post for a follower for good. */
static bool permanent(int rc)
{
    return rc == HR_ENOTFOUND || rc == HR_EINVAL || rc == HR_EFORBIDDEN;
}

/* A job that cannot even be started is dropped with the next recorded batch when the
 * cause is permanent (retrying would fail the same way), and otherwise made due again
 * shortly, its attempts unchanged (it was never sent). */
static void job_drop(struct fed_worker *w, struct job *j, int rc, const char *why)
{
    if (permanent(rc)) {
        hr_log(HR_LOG_WARN, "deliver", "dropping job=%llu reason=%s", (unsigned long long)j->id,
               why);
        j->status = -1; /* marks a drop for record() */
    } else {
        hr_log(HR_LOG_WARN, "deliver", "job=%llu not started, retried shortly: %s",
               (unsigned long long)j->id, why);
        j->status = -2; /* marks a transient failure for record() */
    }
    j->rc = rc;
    if (w->done.n == 0)
        w->done_since = hr_mono_ms();
    hr_fifo_push(&w->done, &j->link);
    w->in_pipe--;
}

/* Claims are taken in batches (one durable commit each), with up to two rounds of
 * deliver_concurrency in the pipeline: one in flight, one being signed behind it. */
static size_t claim_room(const struct fed_worker *w)
{
    size_t cap = 2 * w->n_slots, min = w->n_slots / 2 > 0 ? w->n_slots / 2 : 1;

    return w->in_pipe + min <= cap ? cap - w->in_pipe : 0;
}

/* Claims due jobs and hands them to the signers. */
/* Starts claimed job D: queued for signing (1), or carried to the next recorded batch as a
 * drop or a transient failure (0). */
static size_t claim_one(struct fed_worker *w, const struct store_delivery *d,
                        struct hr_fifo *got)
{
    struct hr_err err = {0};
    struct job *j = job_new(w, d, &err);
    int rc = err.code;

    if (j == NULL) { /* out of memory: still claimed, tried again when its lease ends */
        hr_log(HR_LOG_ERR, "deliver", "job=%llu not started: %s", (unsigned long long)d->id,
               err.msg);
        return 0;
    }
    if (rc == HR_OK && !fed_domain_permitted(w->fed, j->inbox))
        rc = HR_EFORBIDDEN;
    w->in_pipe++;
    if (rc == HR_EFORBIDDEN && err.code == HR_OK) {
        job_drop(w, j, rc, "domain blocked or not allowed");
        return 0;
    }
    if (rc != HR_OK) {
        job_drop(w, j, rc, err.msg);
        return 0;
    }
    hr_fifo_push(got, &j->link);
    return 1;
}

static void claim(struct fed_worker *w)
{
    size_t room = claim_room(w), n = 0, claimed = 0, queued = 0;
    struct store_delivery *jobs = NULL;
    struct store_txn *txn = NULL;
    struct hr_err err = {0};
    struct hr_fifo got = {0};
    int rc;

    if (room == 0)
        return;
    rc = store_txn_begin(w->fed->st, STORE_WRITE, &txn, &err);
    if (rc == HR_OK)
        rc = store_delivery_claim(txn, hr_now_ms(), LEASE_MS, room, &jobs, &n, &err);
    claimed = rc == HR_OK ? n : 0;
    if (claimed > 0) /* frozen accounts' jobs wait (federation/security.c) */
        rc = fed_deliveries_hold(w->fed, txn, jobs, &n, &err);
    if (rc == HR_OK && claimed > 0) {
        rc = store_txn_commit(txn, &err);
        txn = NULL;
    }
    store_txn_abort(txn);
    if (rc != HR_OK) {
        hr_log(HR_LOG_ERR, "deliver", "claim failed: %s", err.msg);
        for (size_t i = 0; i < n && jobs != NULL; i++)
            store_delivery_fini(&jobs[i]);
        n = 0;
    }
    for (size_t i = 0; i < n; i++) {
        queued += claim_one(w, &jobs[i], &got);
        store_delivery_fini(&jobs[i]);
    }
    free(jobs);
    if (queued == 0)
        return;
    pthread_mutex_lock(&w->mu);
    hr_fifo_append(&w->todo, &got);
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->mu);
}

/* Hands the signed jobs to curl. */
static void start_ready(struct fed_worker *w)
{
    struct hr_err err;
    struct hr_link *l, *next;
    struct job *j;

    pthread_mutex_lock(&w->mu);
    l = hr_fifo_take(&w->ready);
    pthread_mutex_unlock(&w->mu);
    for (; l != NULL; l = next) {
        next = l->next;
        j = job_of(l);
        err = (struct hr_err){0};
        if (j->sign_rc != HR_OK)
            job_drop(w, j, j->sign_rc, j->sign_err);
        else if (fed_poster_add(w->poster, j->inbox, (const char *const *)j->headers,
                                j->body->json, j->body->len, j, &err) != HR_OK)
            job_drop(w, j, err.code, err.msg);
    }
}

/* The first knock was refused: the job goes back to the signers with the other scheme,
 * still in the pipeline and unrecorded (its attempts unchanged: one attempt, two knocks). */
static void knock_again(struct fed_worker *w, struct job *j, const struct fed_post_result *res)
{
    hr_log(HR_LOG_INFO, "deliver", "job=%llu inbox=%s status=%ld, knocking again with %s",
           (unsigned long long)j->id, j->inbox, res->status,
           j->knock.now == FED_SCHEME_RFC9421 ? "rfc9421" : "draft-cavage");
    snprintf(j->accept_signature, sizeof j->accept_signature, "%s", res->accept_signature);
    pthread_mutex_lock(&w->mu);
    hr_fifo_push(&w->todo, &j->link);
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->mu);
}

static void on_done(const struct fed_post_result *res, void *ctx)
{
    struct fed_worker *w = ctx;
    struct job *j = res->user;
    /* a webhook has one knock: its signature is ours alone */
    enum fed_knock_step step =
        j->hook_secret != NULL ? FED_KNOCK_DONE : fed_knock_next(&j->knock, res->rc, res->status);

    if (step == FED_KNOCK_AGAIN) {
        knock_again(w, j, res);
        return;
    }
    j->learned = step == FED_KNOCK_LEARNED;
    j->status = res->status;
    j->rc = res->rc;
    j->retry_after_s = res->retry_after_s;
    if (res->rc != HR_OK)
        hr_log(HR_LOG_INFO, "deliver", "job=%llu inbox=%s failed: %s", (unsigned long long)j->id,
               j->inbox, res->errmsg);
    if (w->done.n == 0)
        w->done_since = hr_mono_ms();
    hr_fifo_push(&w->done, &j->link);
    w->in_pipe--;
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

static bool retryable(const struct job *j)
{
    if (j->rc == HR_EFORBIDDEN) /* refused by the SSRF guard: will not change */
        return false;
    if (j->rc != HR_OK)
        return true; /* timeouts, connection errors */
    return j->status == 408 || j->status == 429 || j->status >= 500;
}

static void learn(struct store_txn *txn, const struct job *j)
{
    char host[300];
    struct hr_err err = {0};

    if (fed_url_host(j->inbox, host, sizeof host, &err) != HR_OK ||
        fed_knock_remember(txn, host, j->knock.now, &err) != HR_OK)
        hr_log(HR_LOG_WARN, "deliver", "knock for %s not remembered: %s", j->inbox, err.msg);
    else
        hr_log(HR_LOG_INFO, "deliver", "host=%s takes %s: remembered", host,
               j->knock.now == FED_SCHEME_RFC9421 ? "rfc9421" : "draft-cavage");
}

/* What the watchdog and the reports read of a POST's outcome (issue #12): the host's health
 * (STORE_T_HOSTS: since when it fails; written when that changes, and on every failure)
 * and, on success, that the account reached the host today (STORE_T_REACH). Best effort:
 * a failure here is logged, never a reason to lose the outcome itself. */
static void note_health(struct store_txn *txn, const struct job *j, bool ok, int64_t now)
{
    char host[300], *v = NULL, key[400];
    size_t len = 0, hlen, alen;
    json_t *h = NULL;
    struct hr_err err = {0};
    int rc;

    if (fed_url_host(j->inbox, host, sizeof host, &err) != HR_OK)
        return;
    hlen = strlen(host);
    if (store_rec_get(txn, STORE_T_HOSTS, host, hlen, &v, &len, NULL) == HR_OK)
        h = json_loadb(v, len, 0, NULL);
    free(v);
    if (!json_is_object(h)) {
        json_decref(h);
        h = json_object();
    }
    if (ok && json_object_get(h, "first_fail_ms") == NULL &&
        json_object_get(h, "last_ok_ms") != NULL) {
        rc = HR_OK; /* healthy and known: nothing changed, nothing written */
    } else {
        if (ok) {
            json_object_del(h, "first_fail_ms");
            json_object_set_new(h, "fails", json_integer(0));
            json_object_set_new(h, "last_ok_ms", json_integer(now));
        } else {
            if (json_object_get(h, "first_fail_ms") == NULL)
                json_object_set_new(h, "first_fail_ms", json_integer(now));
            json_object_set_new(h, "last_fail_ms", json_integer(now));
            json_object_set_new(h, "last_status", json_integer(j->rc == HR_OK ? j->status : 0));
            json_object_set_new(h, "fails",
                                json_integer(json_integer_value(json_object_get(h, "fails")) + 1));
        }
        v = json_dumps(h, JSON_COMPACT | JSON_SORT_KEYS);
        rc = v ? store_rec_put(txn, STORE_T_HOSTS, host, hlen, v, strlen(v), 0, &err) : HR_ENOMEM;
        free(v);
    }
    json_decref(h);
    alen = strlen(j->account);
    if (rc == HR_OK && ok && alen + hlen + 6 <= sizeof key) {
        unsigned char day[8];
        store_put_be64((uint64_t)(now / 86400000), day);
        memcpy(key, j->account, alen);
        key[alen] = '\0';
        memcpy(key + alen + 1, day + 4, 4); /* BE32 day */
        key[alen + 5] = '\0';
        memcpy(key + alen + 6, host, hlen);
        rc = store_rec_put(txn, STORE_T_REACH, key, alen + 6 + hlen, "", 0, 0, &err);
    }
    if (rc != HR_OK)
        hr_log(HR_LOG_WARN, "deliver", "host health of %s not recorded: %s", host, err.msg);
}

struct pending {
    json_t *hosts, *seen; /* asked; asked and with a job */
};

static bool pending_cb(const struct store_delivery *d, void *ctx)
{
    struct pending *p = ctx;
    char host[300];

    if (!fed_hook_job(d->account) && fed_url_host(d->inbox, host, sizeof host, NULL) == HR_OK &&
        json_object_get(p->hosts, host) != NULL)
        json_object_set_new(p->seen, host, json_true());
    return false; /* only looked at */
}

int fed_hosts_pending(struct store_txn *txn, json_t *hosts, struct hr_err *err)
{
    struct pending p = {.hosts = hosts, .seen = json_object()};
    const char *host;
    json_t *v, *tmp;
    int rc = p.seen ? HR_OK : hr_fail(err, HR_ENOMEM, "pending hosts");

    if (rc == HR_OK && json_object_size(hosts) > 0)
        rc = store_delivery_drop_if(txn, pending_cb, &p, NULL, err);
    json_object_foreach_safe(hosts, tmp, host, v)
    {
        if (rc == HR_OK && json_object_get(p.seen, host) == NULL)
            json_object_del(hosts, host);
    }
    json_decref(p.seen);
    return rc;
}

/* Outcomes recorded since start-up (metrics; reset on restart): [0] federation's jobs,
 * [1] webhooks'. */
static atomic_uint_fast64_t outcomes[2][FED_OUT_COUNT_];

void fed_delivery_outcomes(uint64_t fed_out[FED_OUT_COUNT_], uint64_t hook_out[FED_OUT_COUNT_])
{
    for (int i = 0; i < FED_OUT_COUNT_; i++) {
        fed_out[i] = atomic_load_explicit(&outcomes[0][i], memory_order_relaxed);
        hook_out[i] = atomic_load_explicit(&outcomes[1][i], memory_order_relaxed);
    }
}

/* A job ended for good (J->outcome says how): a webhook job's event body goes with the
 * last job that needed it. */
static int finished(struct store_txn *txn, struct job *j, int outcome)
{
    struct hr_err err = {0};

    j->outcome = outcome + 1;
    if (!fed_hook_job(j->account))
        return HR_OK;
    if (fed_hook_release(txn, j->activity_id, &err) != HR_OK) /* never a reason to resend */
        hr_log(HR_LOG_WARN, "deliver", "webhook event %s not released: %s", j->activity_id,
               err.msg);
    return HR_OK;
}

/* Records one outcome inside TXN. */
static int record(struct fed_worker *w, struct store_txn *txn, struct job *j)
{
    int64_t now = hr_now_ms();
    bool ok = j->rc == HR_OK && j->status >= 200 && j->status < 300;
    bool hook = fed_hook_job(j->account);
    int rc;

    if (j->status == -1) { /* dropped before its POST */
        rc = store_delivery_del(txn, j->id, NULL);
        return rc == HR_OK ? finished(txn, j, FED_OUT_DROPPED) : rc;
    }
    if (j->status == -2 && now - j->created_ms < w->fed->cfg.deliver_give_up_s * 1000)
        return store_delivery_retry(txn, j->id, now + TRANSIENT_RETRY_MS, j->attempts, NULL);
    if (j->status == -2) { /* never started, out of time: no POST, so no word on the host */
        hr_log(HR_LOG_WARN, "deliver", "giving up job=%llu: never started",
               (unsigned long long)j->id);
        rc = store_delivery_del(txn, j->id, NULL);
        return rc == HR_OK ? finished(txn, j, FED_OUT_GAVE_UP) : rc;
    }
    if (j->learned) /* the second knock worked: the next delivery there starts with it */
        learn(txn, j);
    if (!hook) /* a webcare tool's host is not a peer: no health, no reach */
        note_health(txn, j, ok, now);
    if (ok) {
        rc = store_delivery_del(txn, j->id, NULL);
        return rc == HR_OK ? finished(txn, j, FED_OUT_DELIVERED) : rc;
    }
    if ((retryable(j) || (!hook && fed_rotation_grace(txn, j->account, j->rc, j->status, now))) &&
        now - j->created_ms < w->fed->cfg.deliver_give_up_s * 1000) {
        j->outcome = FED_OUT_RETRIED + 1;
        return store_delivery_retry(txn, j->id, now + backoff_ms(j->attempts, j->retry_after_s),
                                    j->attempts + 1, NULL);
    }
    hr_log(HR_LOG_WARN, "deliver", "giving up job=%llu inbox=%s status=%ld attempts=%u",
           (unsigned long long)j->id, j->inbox, j->status, j->attempts + 1);
    rc = store_delivery_del(txn, j->id, NULL);
    if (rc == HR_OK)
        rc = finished(txn, j, FED_OUT_GAVE_UP);
    /* 410 Gone from a follower's own inbox: the follower is gone too */
    if (rc == HR_OK && j->status == 410 && j->recipient[0] != '\0') {
        size_t removed = 0;
        rc = store_follower_del_everywhere(txn, j->recipient, &removed, NULL);
    }
    return rc;
}

/* The committed batch's outcomes into the counters. */
static void count_outcomes(struct hr_link *l)
{
    for (; l != NULL; l = l->next) {
        const struct job *j = job_of(l);
        if (j->outcome > 0)
            atomic_fetch_add_explicit(&outcomes[fed_hook_job(j->account)][j->outcome - 1], 1,
                                      memory_order_relaxed);
    }
}

/* The finished jobs' outcomes in one write transaction (group commit). Until it commits
 * they stay claimed in the store: a crash before it only means they are sent again. */
static void record_all(struct fed_worker *w)
{
    struct store_txn *txn = NULL;
    struct hr_err err = {0};
    struct hr_link *l;
    int rc;

    if (w->done.n == 0)
        return;
    rc = store_txn_begin(w->fed->st, STORE_WRITE, &txn, &err);
    for (l = w->done.head; l != NULL && rc == HR_OK; l = l->next) {
        rc = record(w, txn, job_of(l));
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
    else
        count_outcomes(w->done.head);
    chain_free(hr_fifo_take(&w->done));
}

static bool record_due(const struct fed_worker *w)
{
    return w->done.n >= RECORD_BATCH ||
           (w->done.n > 0 && (w->in_pipe == 0 || hr_mono_ms() - w->done_since >= RECORD_DELAY_MS));
}

/* How long the I/O thread may sleep: until the next due job, the recording deadline, a
 * wake-up (publish, signer, finished POST) or a safety net of 5 s. */
static int poll_timeout(struct fed_worker *w)
{
    struct store_txn *txn = NULL;
    int64_t due = INT64_MAX, now = hr_now_ms(), t = 5000;

    if (w->done.n > 0) {
        t = RECORD_DELAY_MS - (hr_mono_ms() - w->done_since);
        if (t < 0)
            t = 0;
    }
    if (claim_room(w) == 0) /* a finished POST or a signer wakes us */
        return (int)t;
    if (store_txn_begin(w->fed->st, STORE_READ, &txn, NULL) == HR_OK)
        due = store_delivery_next_due(txn);
    store_txn_abort(txn);
    if (due <= now)
        return t < 10 ? (int)t : 10; /* a claim failed just now: try again shortly */
    return due - now < t ? (int)(due - now) : (int)t;
}

/* The spare handles a fan-out left (one per concurrent delivery, with curl's buffers)
 * are freed once nothing was sent for POSTER_IDLE_MS: an idle server's memory goes back
 * to what it was (bench/run "memory after idle"), and a new fan-out makes new ones in
 * microseconds. */
#define POSTER_IDLE_MS 5000

static void *worker_main(void *arg)
{
    struct fed_worker *w = arg;
    int64_t busy_ms = hr_mono_ms();

    (void)prctl(PR_SET_NAME, "herald-deliver");
    while (!w->stop) {
        claim(w);
        start_ready(w);
        fed_poster_run(w->poster, poll_timeout(w), w->wake_fd, on_done, w);
        drain(w->wake_fd);
        start_ready(w);
        if (record_due(w))
            record_all(w);
        if (fed_poster_active(w->poster) > 0)
            busy_ms = hr_mono_ms();
        else if (hr_mono_ms() - busy_ms >= POSTER_IDLE_MS)
            fed_poster_trim(w->poster);
    }
    record_all(w);
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

static size_t signer_count(const struct fed *fed)
{
    long n = fed->cfg.deliver_signers;

    if (n <= 0) {
        n = sysconf(_SC_NPROCESSORS_ONLN);
        if (n > 8)
            n = 8;
    }
    return n < 1 ? 1 : n > MAX_SIGNERS ? MAX_SIGNERS : (size_t)n;
}

static int signers_start(struct fed_worker *w, struct hr_err *err)
{
    size_t want = signer_count(w->fed);

    while (w->n_signers < want) {
        if (pthread_create(&w->signers[w->n_signers], NULL, signer_main, w) != 0)
            return hr_fail(err, HR_EINTERNAL, "cannot start a signer thread");
        w->n_signers++;
    }
    return HR_OK;
}

static void signers_stop(struct fed_worker *w)
{
    pthread_mutex_lock(&w->mu);
    w->signers_stop = true;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->mu);
    for (size_t i = 0; i < w->n_signers; i++)
        pthread_join(w->signers[i], NULL);
    w->n_signers = 0;
}

/* Jobs still in the pipeline stay claimed in the store; the next start releases them. */
static void worker_free(struct fed_worker *w)
{
    if (w == NULL)
        return;
    signers_stop(w);
    fed_poster_abandon(w->poster, job_free_user);
    fed_poster_free(w->poster);
    chain_free(hr_fifo_take(&w->todo));
    chain_free(hr_fifo_take(&w->ready));
    chain_free(hr_fifo_take(&w->done));
    body_unref(w->body);
    if (w->wake_fd >= 0)
        close(w->wake_fd);
    if (w->lock_fd >= 0)
        close(w->lock_fd);
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->mu);
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
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cond, NULL);
    fed_http_opts(fed, &o);
    o.timeout_ms = fed->cfg.deliver_timeout_ms;
    rc = open_wake_socket(w, err);
    if (rc == HR_OK)
        rc = fed_poster_new(&o, (int)w->n_slots, fed->cfg.deliver_per_host, &w->poster, err);
    if (rc == HR_OK)
        rc = release_claimed(fed, err);
    if (rc == HR_OK)
        rc = signers_start(w, err);
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
    fed_poster_wakeup(w->poster);
    pthread_join(w->thread, NULL);
    fed->worker = NULL;
    worker_free(w);
}
