/* server/attest_http.c - attestations over HTTP: the credentials, the issuer's revocation
 * list and index (GET /attestations...), and /verify, a page and JSON that say what can be
 * proven about a post or an account. /verify fetches from other servers, so it runs on a
 * thread of its own while the connection is suspended (HTTP threads never wait on peers),
 * at most VERIFY_INFLIGHT at once and verify_rate_per_minute per client address. Every
 * string a remote server sent reaches the page only through web_text (escaped). */
#include "server/attest.h"
#include "agency/agency.h"
#include "server/web.h"

#include <jansson.h>
#include <pthread.h>
#include <time.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VERIFY_INFLIGHT  4    /* /verify checks running at once (each may wait on peers) */
#define VERIFY_RATE_KEYS 4096 /* client addresses remembered by the rate limit */

/* ---- GET /attestations... ---- */

enum MHD_Result attest_http_get(struct http_req *r)
{
    struct fed_doc d = {0};
    const char *accept = http_header(r, "Accept");
    bool list = strncmp(r->url, "/attestations/revoked/", 22) == 0;
    bool index = strcmp(r->url, "/attestations") == 0;
    const char *ct = "application/ld+json";
    enum MHD_Result ret;

    fed_attest_serve(r->app->fed, r->url, &d);
    /* the credential is JSON-LD first; ActivityPub clients asking for AS JSON get that type */
    if (index || (accept != NULL && strstr(accept, "application/activity+json") != NULL))
        ct = "application/activity+json";
    if (d.status != 200 || d.body == NULL)
        ret = http_reply_error(r, d.status ? d.status : 500, d.error ? d.error : "internal",
                               d.message);
    else /* the revocation list is signed when asked for: never served from a cache */
        ret = http_reply(r, 200, ct, d.body,
                         list    ? "no-cache"
                         : index ? "public, max-age=30"
                                 : "public, max-age=300");
    fed_doc_fini(&d);
    return ret;
}

/* ---- GET /verify ---- */

/* A /verify check, or an admin API import (it fetches too), run on its own thread. */
struct verify_job {
    struct http_req *r;
    char *target;   /* the URL to verify or import */
    json_t *report; /* verify: the report; import: the entry kept */
    bool import;
    char *account; /* import: the account named, or NULL */
    char op[64];   /* import: the operator */
    int rc;        /* import: the outcome */
    struct hr_err err;
};

static atomic_int inflight;
static atomic_bool stopping; /* herald serve is stopping: no new checks */
static struct hr_rate *verify_rate;
static pthread_once_t rate_once = PTHREAD_ONCE_INIT;

static void rate_init(void)
{
    /* lives as long as the process: one table for every request */
    (void)hr_rate_new(VERIFY_RATE_KEYS, 60 * 1000, &verify_rate);
}

static void *verify_run(void *arg)
{
    struct verify_job *job = arg;
    struct http_req *r = job->r;

    if (job->import)
        job->rc = agency_attest_import(r->app->st, r->app->fed, job->op, job->target, job->account,
                                       &job->report, &job->err);
    else
        job->report = fed_attest_verify(r->app->fed, job->target, r->app->cfg.trust_anchors);
    atomic_fetch_sub(&inflight, 1);
    r->inbox_state = 2;
    MHD_resume_connection(r->conn);
    return NULL;
}

void attest_verify_drain(void)
{
    struct timespec ts = {0, 5 * 1000 * 1000};
    bool logged = false;

    atomic_store(&stopping, true);
    while (atomic_load(&inflight) > 0) {
        if (!logged)
            hr_log(HR_LOG_INFO, "server", "waiting for %d /verify check(s) to finish",
                   atomic_load(&inflight));
        logged = true;
        nanosleep(&ts, NULL);
    }
}

void attest_verify_job_free(struct verify_job *job)
{
    if (job == NULL)
        return;
    free(job->target);
    free(job->account);
    json_decref(job->report);
    free(job);
}

static bool wants_json(struct http_req *r)
{
    const char *f = http_arg(r, "format");

    if (f != NULL)
        return strcmp(f, "json") == 0;
    return http_wants_json(r);
}

static const char *str(const json_t *j, const char *key)
{
    const char *s = json_string_value(json_object_get(j, key));

    return s ? s : "";
}

/* <code>TEXT</code>, escaped */
static void code(struct web *w, const char *text)
{
    web_raw(w, "<code>");
    web_text(w, text);
    web_raw(w, "</code>");
}

/* One proven link of the chain: who attests whom. */
static void proven_link(struct web *w, const json_t *v)
{
    web_raw(w, "<li>");
    /* TRANSLATORS: {subject} and {issuer} are account URLs, {kind} an account kind
     * (agency, department, official, service), {name} and {issuer_name} names */
    web_tf(w, "{subject} is attested as {kind} “{name}” by {issuer_name} ({issuer}).",
           "subject", str(v, "subject"), "kind", str(v, "kind"), "name", str(v, "name"),
           "issuer_name", str(v, "issuer_name"), "issuer", str(v, "issuer"), NULL);
    web_raw(w, " <a href=\"");
    web_text(w, str(v, "url"));
    web_raw(w, "\" rel=\"nofollow noopener noreferrer\">");
    web_t(w, "attestation");
    web_raw(w, "</a></li>\n");
}

/* What the chain proves, one sentence for each proven link. */
static void proven(struct web *w, const json_t *rep)
{
    const json_t *post = json_object_get(rep, "post"), *v;
    size_t i;

    web_raw(w, "<h2>");
    web_t(w, "Proven");
    web_raw(w, "</h2>\n<ul>\n");
    if (post != NULL && strcmp(str(post, "proof"), "valid") == 0) {
        web_raw(w, "<li>");
        web_tf(w, "This post was signed by the key of {actor} and has not been changed since.",
               "actor", str(rep, "actor"), NULL);
        web_raw(w, "</li>\n");
    }
    json_array_foreach(json_object_get(rep, "chain"), i, v)
    {
        if (json_is_true(json_object_get(v, "ok")))
            proven_link(w, v);
    }
    if (json_is_string(json_object_get(rep, "anchor"))) {
        web_raw(w, "<li>");
        web_tf(w, "{anchor} is a trust anchor of this server.", "anchor", str(rep, "anchor"),
               NULL);
        web_raw(w, "</li>\n");
    }
    web_raw(w, "</ul>\n");
}

static void not_proven(struct web *w, const json_t *rep)
{
    const json_t *v;
    size_t i;

    web_raw(w, "<h2>");
    web_t(w, "Not proven");
    web_raw(w, "</h2>\n<ul>\n");
    json_array_foreach(json_object_get(rep, "problems"), i, v)
    {
        web_raw(w, "<li lang=\"en\">"); /* the verifier's own words */
        web_text(w, json_string_value(v));
        web_raw(w, "</li>\n");
    }
    web_raw(w, "<li>");
    web_t(w, "Never proven here: that what a post says is true, or that the people behind an "
             "account acted within their mandate.");
    web_raw(w, "</li>\n</ul>\n");
}

static enum MHD_Result reply_page(struct http_req *r, const json_t *rep)
{
    bool ok = json_is_true(json_object_get(rep, "verified"));
    struct web w;

    web_begin(&w, r);
    web_head(&w, TR(w.lang, "Verify a post or an account"), NULL);
    web_meta(&w, "robots", "noindex", false);
    web_body(&w);
    web_raw(&w, "<h1>");
    web_t(&w, "Verify a post or an account");
    web_raw(&w, "</h1>\n<p>");
    web_t(&w, "Checked:");
    web_raw(&w, " ");
    code(&w, str(rep, "target"));
    web_raw(&w, ok ? "</p>\n<p class=\"ok\"><strong>" : "</p>\n<p class=\"no\"><strong>");
    web_t(&w, ok ? N_("Verified: signed by an account attested by an issuer this server trusts.")
                 : N_("Not verified."));
    web_raw(&w, "</strong></p>\n");
    proven(&w, rep);
    not_proven(&w, rep);
    return web_finish(&w, 200, "no-store");
}

static enum MHD_Result answer(struct http_req *r)
{
    struct verify_job *job = r->verify;
    enum MHD_Result ret;
    char *text;

    r->verify = NULL;
    if (job->report == NULL)
        ret = http_reply_error(r, 500, "internal", "out of memory");
    else if (wants_json(r)) {
        text = json_dumps(job->report, JSON_COMPACT);
        ret = text ? http_reply(r, 200, "application/json", text, "no-store")
                   : http_reply_error(r, 500, "internal", "out of memory");
        free(text);
    } else {
        ret = reply_page(r, job->report);
    }
    attest_verify_job_free(job);
    return ret;
}

/* Runs JOB (owned from here) on its own thread; the connection waits suspended. */
static enum MHD_Result start(struct http_req *r, struct verify_job *job)
{
    pthread_attr_t attr;
    pthread_t t;
    int rc;

    if (atomic_load(&stopping)) {
        attest_verify_job_free(job);
        r->retry_after_s = 5;
        return http_reply_error(r, 503, "unavailable", "the server is stopping");
    }
    if (atomic_fetch_add(&inflight, 1) >= VERIFY_INFLIGHT) {
        atomic_fetch_sub(&inflight, 1);
        attest_verify_job_free(job);
        r->retry_after_s = 5;
        return http_reply_error(r, 503, "busy", "too many checks running; retry in a moment");
    }
    job->r = r;
    job->rc = HR_ENOMEM; /* until the thread says otherwise */
    r->verify = job;
    http_inbox_suspend(r); /* before the thread: it may resume at once */
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    rc = pthread_create(&t, &attr, verify_run, job);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        atomic_fetch_sub(&inflight, 1);
        r->inbox_state = 2;
        MHD_resume_connection(r->conn); /* answered with the missing report: 500 */
    }
    return MHD_YES;
}

static struct verify_job *job_new(const char *target)
{
    struct verify_job *job = calloc(1, sizeof *job);

    if (job != NULL && (job->target = strdup(target)) == NULL) {
        free(job);
        job = NULL;
    }
    return job;
}

enum MHD_Result attest_http_verify(struct http_req *r)
{
    const char *url = http_arg(r, "url");
    uint64_t limit = r->app->cfg.verify_rate_per_minute;
    struct verify_job *job;
    int64_t retry = 60;

    if (r->inbox_state == 2 && r->verify != NULL)
        return answer(r);
    if (url == NULL || url[0] == '\0')
        return http_reply_error(r, 400, "bad_request",
                                "give ?url=POST_OR_ACTOR_URL (add &format=json for JSON)");
    if (strlen(url) > 400 || (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0))
        return http_reply_error(r, 400, "bad_request", "url must be an http(s) URL");
    pthread_once(&rate_once, rate_init);
    if (limit != 0 && (verify_rate == NULL ||
                       !hr_rate_hit(verify_rate, r->client, limit, hr_mono_ms(), &retry))) {
        r->retry_after_s = retry > 0 ? retry : 1;
        return http_reply_error(r, 429, "rate_limited",
                                "too many checks from your address; retry after a minute");
    }
    job = job_new(url);
    return job ? start(r, job) : http_reply_error(r, 500, "internal", "out of memory");
}

/* ---- POST /api/herald/v1/attestations/import, on a thread too ---- */

static int import_status(int rc)
{
    switch (rc) {
    case HR_EINVAL:
    case HR_ESIG:
        return 422;
    case HR_EFORBIDDEN:
        return 403;
    case HR_ENOTFOUND:
        return 404;
    case HR_ETOOBIG:
        return 413;
    case HR_ENET:
    case HR_EGONE:
        return 502;
    default:
        return 500;
    }
}

static const char *import_code(int status)
{
    return status == 403   ? "forbidden"
           : status == 404 ? "not_found"
           : status == 413 ? "too_large"
           : status == 422 ? "invalid"
           : status == 502 ? "fetch_failed"
                           : "internal";
}

static enum MHD_Result import_answer(struct http_req *r)
{
    struct verify_job *job = r->verify;
    char *text = job->rc == HR_OK ? json_dumps(job->report, JSON_COMPACT) : NULL;
    int status = job->rc != HR_OK ? import_status(job->rc) : text ? 200 : 500;
    enum MHD_Result ret;

    r->verify = NULL;
    if (status == 200)
        ret = http_reply(r, 200, "application/json", text, NULL);
    else
        ret = http_reply_error(r, status, import_code(status),
                               job->err.msg[0] ? job->err.msg : "import failed");
    free(text);
    attest_verify_job_free(job);
    return ret;
}

enum MHD_Result attest_http_import(struct http_req *r, const char *op, const char *url,
                                   const char *account)
{
    struct verify_job *job;

    if (r->inbox_state == 2 && r->verify != NULL)
        return import_answer(r);
    if (url == NULL)
        return http_reply_error(r, 422, "invalid", "url is required");
    job = job_new(url);
    if (job == NULL || (account != NULL && (job->account = strdup(account)) == NULL)) {
        attest_verify_job_free(job);
        return http_reply_error(r, 500, "internal", "out of memory");
    }
    job->import = true;
    snprintf(job->op, sizeof job->op, "%s", op);
    return start(r, job);
}
