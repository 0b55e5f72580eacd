/* tests/unit/federation/test_deliver.c - the delivery worker against a real store: a job
 * is dropped only when its activity is truly gone; a transient store fault (a read
 * transaction that cannot begin, as with a full reader table) leaves it for retry; a peer
 * that refuses draft-cavage gets a second knock with RFC 9421, which is remembered. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/federation/fedfix.h"

#include "federation/fed_int.h"
#include "federation/knock.h"
#include "keys/keys.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BASE "http://127.0.0.1:9"
#define ACTIVITY BASE "/users/health/activities/1"
/* port 1 on loopback: nothing listens, so a POST fails at once and is retried */
#define INBOX "http://127.0.0.1:1/inbox"
#define S(x) ((char *)(uintptr_t)(x)) /* the store structs carry char * */

struct fixture {
    char dir[64];
    struct store *st;
    struct fed *fed;
    pthread_t test_thread;
    atomic_bool faulty;
    atomic_int faults;
};

/* Fails every read transaction of the worker's threads while FAULTY is set. */
static int fault(void *ctx, bool write)
{
    struct fixture *fx = ctx;

    if (write || !atomic_load(&fx->faulty) || pthread_equal(pthread_self(), fx->test_thread))
        return HR_OK;
    atomic_fetch_add(&fx->faults, 1);
    return HR_EIO;
}

static void add_account(struct store *st)
{
    struct store_account a = {.name = S("health"), .kind = S("agency"),
                              .display_name = S("Health"), .summary = S(""), .created_ms = 1};
    struct store_txn *txn = NULL;
    char *rsa_priv = NULL, *rsa_pub = NULL, *ed_priv = NULL, *ed_pub = NULL;

    assert_int_equal(keys_rsa_generate(&rsa_priv, &rsa_pub, NULL), HR_OK);
    assert_int_equal(keys_ed25519_generate(&ed_priv, &ed_pub, NULL), HR_OK);
    a.rsa_priv_pem = rsa_priv;
    a.rsa_pub_pem = rsa_pub;
    a.ed_priv_pem = ed_priv;
    a.ed_pub_multibase = ed_pub;
    assert_int_equal(store_txn_begin(st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_account_add(txn, &a, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    keys_secret_free(rsa_priv);
    keys_secret_free(ed_priv);
    free(rsa_pub);
    free(ed_pub);
}

static void add_job_to(struct fixture *fx, const char *inbox)
{
    struct store_delivery d = {.inbox = S(inbox), .account = S("health"),
                               .activity_id = S(ACTIVITY), .recipient = S("")};
    struct store_txn *txn = NULL;
    uint64_t id;

    d.created_ms = hr_now_ms();
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_delivery_add(txn, &d, &id, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
}

static void add_job(struct fixture *fx, bool with_activity)
{
    struct store_object o = {.id = S(ACTIVITY), .account = S("health"), .type = S("Create"),
                             .published_ms = 1,
                             .json = S("{\"id\":\"" ACTIVITY "\",\"type\":\"Create\"}")};
    struct store_delivery d = {.inbox = S(INBOX), .account = S("health"),
                               .activity_id = S(ACTIVITY), .recipient = S("")};
    struct store_txn *txn = NULL;
    uint64_t id;

    o.json_len = strlen(o.json);
    d.created_ms = hr_now_ms();
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    if (with_activity)
        assert_int_equal(store_object_put(txn, &o, NULL), HR_OK);
    assert_int_equal(store_delivery_add(txn, &d, &id, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    struct fed_config cfg = {.domain = "127.0.0.1:9", .base_url = BASE, .allow_private = true,
                             .json_max_depth = 64, .json_max_string = 100000,
                             .json_max_items = 1000, .fetch_max_bytes = 1 << 20,
                             .deliver_concurrency = 4, .deliver_per_host = 2,
                             .deliver_signers = 1, .deliver_timeout_ms = 5000,
                             .deliver_give_up_s = 3600};

    if (fx == NULL || fedfix_open(fx->dir, &fx->st, &fx->fed, "deliver", cfg) != 0)
        return -1;
    add_account(fx->st);
    fx->test_thread = pthread_self();
    store_fault_hook(fx->st, fault, fx);
    *state = fx;
    return 0;
}

/* Without the account: webhook jobs are signed with their webhook's secret, not a key. */
static int setup_bare(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    struct fed_config cfg = {.domain = "127.0.0.1:9",
                             .base_url = BASE,
                             .allow_private = true,
                             .json_max_depth = 64,
                             .json_max_string = 100000,
                             .json_max_items = 1000,
                             .fetch_max_bytes = 1 << 20,
                             .deliver_concurrency = 4,
                             .deliver_per_host = 2,
                             .deliver_signers = 1,
                             .deliver_timeout_ms = 5000,
                             .deliver_give_up_s = 3600};

    if (fx == NULL || fedfix_open(fx->dir, &fx->st, &fx->fed, "deliver", cfg) != 0)
        return -1;
    fx->test_thread = pthread_self();
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    if (fedfix_close(fx->dir, fx->st, fx->fed) != 0)
        return -1;
    free(fx);
    return 0;
}

static void nap(void)
{
    struct timespec ts = {0, 20 * 1000 * 1000};

    nanosleep(&ts, NULL);
}

static uint64_t jobs(struct fixture *fx, int64_t *next_due)
{
    struct store_txn *txn = NULL;
    uint64_t n;

    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    n = store_delivery_count(txn);
    *next_due = store_delivery_next_due(txn);
    store_txn_abort(txn);
    return n;
}

/* Polls (at most a minute, for valgrind) until the job has been sent once and rescheduled
 * with the backoff of a failed POST: due within minutes, not at its 10-minute lease. */
static bool wait_attempted(struct fixture *fx)
{
    int64_t due, now;

    for (int i = 0; i < 3000; i++, nap()) {
        now = hr_now_ms();
        if (jobs(fx, &due) == 1 && due > now + 3000 && due < now + 120000)
            return true;
    }
    return false;
}

static void a_job_survives_failing_reads_and_is_sent_once_they_recover(void **state)
{
    struct fixture *fx = *state;
    int64_t due;

    atomic_store(&fx->faulty, true);
    add_job(fx, true);
    assert_int_equal(fed_worker_start(fx->fed, NULL), HR_OK);
    /* the worker claims the job and cannot load its activity, several times over */
    for (int i = 0; i < 3000 && atomic_load(&fx->faults) < 3; i++)
        nap();
    assert_true(atomic_load(&fx->faults) >= 3);
    assert_int_equal(jobs(fx, &due), 1); /* not dropped */
    atomic_store(&fx->faulty, false);
    assert_true(wait_attempted(fx)); /* claimed again, signed, POSTed, rescheduled */
    fed_worker_stop(fx->fed);
}

static void a_job_whose_activity_is_gone_is_dropped(void **state)
{
    struct fixture *fx = *state;
    int64_t due;
    uint64_t n = 1;

    add_job(fx, false);
    assert_int_equal(fed_worker_start(fx->fed, NULL), HR_OK);
    for (int i = 0; i < 3000 && (n = jobs(fx, &due)) != 0; i++)
        nap();
    assert_int_equal(n, 0);
    fed_worker_stop(fx->fed);
}

/* ---- a peer that takes RFC 9421 only: 401 with Accept-Signature to draft-cavage ---- */

struct peer {
    int fd, port;
    pthread_t thread;
    atomic_int cavage, rfc9421, with_nonce; /* requests seen */
    bool takes_all; /* a webcare tool: 202 to every request, signed or not */
};

/* One request per connection (Connection: close); the headers decide the answer. */
static void peer_serve(struct peer *p, int c)
{
    static const char refuse[] = "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n"
                                 "Accept-Signature: sig7=(\"@method\" \"@target-uri\" "
                                 "\"content-digest\");created;nonce=\"n42\"\r\n"
                                 "Connection: close\r\n\r\n";
    static const char ok[] = "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n"
                             "Connection: close\r\n\r\n";
    char buf[16384];
    size_t n = 0;
    ssize_t r;

    while (n < sizeof buf - 1 && (r = recv(c, buf + n, sizeof buf - 1 - n, 0)) > 0) {
        n += (size_t)r;
        buf[n] = '\0';
        if (strstr(buf, "\r\n\r\n") != NULL && strstr(buf, "}") != NULL)
            break; /* headers and the (small JSON) body are in */
    }
    buf[n] = '\0';
    if (p->takes_all) {
        atomic_fetch_add(&p->cavage, 1);
        (void)!send(c, ok, sizeof ok - 1, MSG_NOSIGNAL);
    } else if (strstr(buf, "\nSignature-Input:") == NULL) {
        atomic_fetch_add(&p->cavage, 1);
        (void)!send(c, refuse, sizeof refuse - 1, MSG_NOSIGNAL);
    } else {
        atomic_fetch_add(&p->rfc9421, 1);
        if (strstr(buf, "sig7=(") != NULL && strstr(buf, "nonce=\"n42\"") != NULL)
            atomic_fetch_add(&p->with_nonce, 1);
        (void)!send(c, ok, sizeof ok - 1, MSG_NOSIGNAL);
    }
    close(c);
}

static void *peer_main(void *arg)
{
    struct peer *p = arg;
    int c;

    while ((c = accept(p->fd, NULL, NULL)) >= 0)
        peer_serve(p, c);
    return NULL;
}

static void peer_start(struct peer *p)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;

    p->fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(p->fd >= 0);
    assert_int_equal(bind(p->fd, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(listen(p->fd, 16), 0);
    assert_int_equal(getsockname(p->fd, (struct sockaddr *)&sa, &len), 0);
    p->port = ntohs(sa.sin_port);
    assert_int_equal(pthread_create(&p->thread, NULL, peer_main, p), 0);
}

static void peer_stop(struct peer *p)
{
    shutdown(p->fd, SHUT_RDWR);
    close(p->fd);
    pthread_join(p->thread, NULL);
}

static void a_refused_cavage_knock_is_retried_with_rfc9421_and_remembered(void **state)
{
    struct fixture *fx = *state;
    struct peer p = {0};
    struct store_txn *txn = NULL;
    enum fed_scheme s = FED_SCHEME_CAVAGE;
    char inbox[64], host[32];

    peer_start(&p);
    snprintf(inbox, sizeof inbox, "http://127.0.0.1:%d/inbox", p.port);
    snprintf(host, sizeof host, "127.0.0.1:%d", p.port);
    add_job(fx, true); /* the activity, and a job to the dead port 1 */
    add_job_to(fx, inbox);
    assert_int_equal(fed_worker_start(fx->fed, NULL), HR_OK);
    for (int i = 0; i < 3000 && atomic_load(&p.rfc9421) < 1; i++)
        nap();
    /* one attempt, two knocks: 401 to draft-cavage, then RFC 9421 as Accept-Signature asked */
    assert_int_equal(atomic_load(&p.cavage), 1);
    assert_int_equal(atomic_load(&p.rfc9421), 1);
    assert_int_equal(atomic_load(&p.with_nonce), 1);
    for (int i = 0; i < 3000 && s != FED_SCHEME_RFC9421; i++, nap()) {
        assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
        (void)fed_knock_get(txn, host, &s, NULL);
        store_txn_abort(txn);
    }
    assert_int_equal(s, FED_SCHEME_RFC9421);
    add_job_to(fx, inbox); /* the next delivery knocks with RFC 9421 at once */
    fed_wake(fx->fed);
    for (int i = 0; i < 3000 && atomic_load(&p.rfc9421) < 2; i++)
        nap();
    assert_int_equal(atomic_load(&p.rfc9421), 2);
    assert_int_equal(atomic_load(&p.cavage), 1);
    fed_worker_stop(fx->fed);
    peer_stop(&p);
}

/* ---- webhook jobs: the event body goes with the last job that needs it ---- */

static void put_rec(struct fixture *fx, const void *key, size_t klen, const char *json)
{
    struct store_txn *txn = NULL;

    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_rec_put(txn, STORE_T_HOOKS, key, klen, json, strlen(json), 0, NULL),
                     HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
}

static void hook(struct fixture *fx, const char *id, const char *url)
{
    char key[80], json[200];

    snprintf(json, sizeof json, "{\"id\":\"%s\",\"url\":\"%s\",\"secret\":\"s3cret\"}", id, url);
    put_rec(fx, key, fed_hook_rec_key(id, key), json);
}

/* Event SEQ (a ping) with REFS jobs, as agency/events.c stores it. */
static void hook_event(struct fixture *fx, uint64_t seq, int refs)
{
    unsigned char key[10];
    char json[64];

    snprintf(json, sizeof json, "{\"id\":\"ev%llu\",\"type\":\"ping\"}", (unsigned long long)seq);
    put_rec(fx, key, fed_hook_key('e', seq, key), json);
    snprintf(json, sizeof json, "{\"ms\":1,\"refs\":%d}", refs);
    put_rec(fx, key, fed_hook_key('n', seq, key), json);
}

static void hook_job(struct fixture *fx, const char *id, const char *url, uint64_t seq,
                     int64_t created_ms)
{
    char account[32], activity[32];
    struct store_delivery d = {.inbox = S(url),
                               .account = account,
                               .activity_id = activity,
                               .recipient = S(""),
                               .created_ms = created_ms};
    struct store_txn *txn = NULL;

    snprintf(account, sizeof account, "%s%s", FED_HOOK_ACCOUNT, id);
    snprintf(activity, sizeof activity, "%s%llu", FED_HOOK_EVENT, (unsigned long long)seq);
    assert_int_equal(store_txn_begin(fx->st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_delivery_add(txn, &d, NULL, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
}

/* Event SEQ's record of KIND: its refs for 'n', 1 for a body, 0 when gone. */
static json_int_t hook_rec(struct fixture *fx, char kind, uint64_t seq)
{
    unsigned char key[10];
    struct store_txn *txn = NULL;
    char *v = NULL;
    size_t len = 0;
    json_int_t out = 0;
    json_t *j;

    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    if (store_rec_get(txn, STORE_T_HOOKS, key, fed_hook_key(kind, seq, key), &v, &len, NULL) ==
        HR_OK) {
        j = json_loadb(v, len, 0, NULL);
        out = kind == 'n' ? json_integer_value(json_object_get(j, "refs")) : 1;
        json_decref(j);
    }
    store_txn_abort(txn);
    free(v);
    return out;
}

static void webhook_events_go_with_their_last_job_delivered_or_given_up(void **state)
{
    struct fixture *fx = *state;
    struct peer p = {.takes_all = true};
    char url[64];
    int64_t due, now = hr_now_ms();

    peer_start(&p);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hook", p.port);
    hook(fx, "wh1", url);
    hook(fx, "wh2", INBOX); /* nothing listens */
    hook_event(fx, 1, 1);   /* delivered */
    hook_job(fx, "wh1", url, 1, now);
    hook_event(fx, 2, 1); /* its one job older than deliver_give_up_s: given up at once */
    hook_job(fx, "wh2", INBOX, 2, now - 7200 * 1000LL);
    hook_event(fx, 3, 2); /* delivered to wh1, retried to wh2: kept for the retry */
    hook_job(fx, "wh1", url, 3, now);
    hook_job(fx, "wh2", INBOX, 3, now);
    assert_int_equal(fed_worker_start(fx->fed, NULL), HR_OK);
    for (int i = 0;
         i < 3000 && (hook_rec(fx, 'e', 1) || hook_rec(fx, 'e', 2) || hook_rec(fx, 'n', 3) != 1 ||
                      jobs(fx, &due) != 1 || due < hr_now_ms() + 3000);
         i++)
        nap();
    fed_worker_stop(fx->fed);
    peer_stop(&p);
    assert_int_equal(atomic_load(&p.cavage), 2); /* events 1 and 3 to wh1 */
    assert_int_equal(hook_rec(fx, 'e', 1) + hook_rec(fx, 'n', 1), 0);
    assert_int_equal(hook_rec(fx, 'e', 2) + hook_rec(fx, 'n', 2), 0);
    assert_int_equal(hook_rec(fx, 'e', 3), 1);
    assert_int_equal(hook_rec(fx, 'n', 3), 1);
    assert_int_equal(jobs(fx, &due), 1); /* event 3's retry to wh2 */
}

/* A job that cannot be started (its webhook is gone, or has no secret) is dropped, and
 * still releases its event: the job knows what it was for without its secret. */
static void a_webhook_job_that_cannot_start_is_dropped_and_releases_its_event(void **state)
{
    struct fixture *fx = *state;
    int64_t due;
    char key[80];

    hook_event(fx, 4, 1);
    hook_job(fx, "gone", INBOX, 4, hr_now_ms()); /* no webhook record */
    put_rec(fx, key, fed_hook_rec_key("wh4", key), "{\"id\":\"wh4\",\"url\":\"" INBOX "\"}");
    hook_event(fx, 5, 1);
    hook_job(fx, "wh4", INBOX, 5, hr_now_ms()); /* a webhook without its secret */
    assert_int_equal(fed_worker_start(fx->fed, NULL), HR_OK);
    for (int i = 0; i < 3000 && jobs(fx, &due) != 0; i++)
        nap();
    fed_worker_stop(fx->fed);
    assert_int_equal(jobs(fx, &due), 0);
    assert_int_equal(hook_rec(fx, 'e', 4) + hook_rec(fx, 'n', 4), 0);
    assert_int_equal(hook_rec(fx, 'e', 5) + hook_rec(fx, 'n', 5), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_job_survives_failing_reads_and_is_sent_once_they_recover,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(a_job_whose_activity_is_gone_is_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_refused_cavage_knock_is_retried_with_rfc9421_and_remembered, setup, teardown),
        cmocka_unit_test_setup_teardown(webhook_events_go_with_their_last_job_delivered_or_given_up,
                                        setup_bare, teardown),
        cmocka_unit_test_setup_teardown(
            a_webhook_job_that_cannot_start_is_dropped_and_releases_its_event, setup_bare,
            teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
