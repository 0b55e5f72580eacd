/* bench/tools/mkdata.c - fills a Herald data directory for the benchmarks, through the
 * store and federation APIs (no HTTP, no server needed).
 *
 *   mkdata --data DIR --domain HOST --base-url URL --account NAME
 *          [--publish N]                 N posts through fed_publish_note (one durable commit
 *                                        each, exactly what `herald post` does); refused
 *                                        unless NAME has 0 followers, so no fan-out is paid
 *          [--direct N]                  N posts written with store_* in batched write
 *                                        transactions (10,000 posts per commit), same
 *                                        documents as fed_publish_note writes
 *          [--followers N --inbox-base URL [--shared K] [--prefix P]]
 *                                        N followers; follower i's actor is URL/P/i, its inbox
 *                                        URL/P/i/inbox; with --shared K its sharedInbox is
 *                                        URL/s/(i mod K)/inbox (so K distinct delivery targets)
 *          [--text-bytes B]              post length (default 280)
 *          [--map-mb M]                  LMDB map size, as map_size_mb in herald.conf
 *                                        (default 4096; a million posts need ~3 GiB)
 *
 * Prints one "key=value" line per phase on stdout (rates, counts) for bench/run to read.
 * Exit 0 on success, 1 on a store error, 2 on usage errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/hr.h"
#include "federation/fed.h"
#include "store/store.h"

#define MKDATA_BATCH 10000

struct opts {
    const char *data, *domain, *base_url, *account, *inbox_base, *prefix;
    uint64_t publish, direct, followers, shared, text_bytes, map_mb;
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int usage(void)
{
    fprintf(stderr, "usage: mkdata --data DIR --domain HOST --base-url URL --account NAME\n"
                    "              [--publish N] [--direct N] [--followers N --inbox-base URL\n"
                    "              [--shared K] [--prefix P]] [--text-bytes B] [--map-mb M]\n");
    return 2;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
    *o = (struct opts){.text_bytes = 280, .prefix = "u", .map_mb = 4096};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t *num = NULL;
        const char **str = NULL;

        if (strcmp(a, "--data") == 0)
            str = &o->data;
        else if (strcmp(a, "--domain") == 0)
            str = &o->domain;
        else if (strcmp(a, "--base-url") == 0)
            str = &o->base_url;
        else if (strcmp(a, "--account") == 0)
            str = &o->account;
        else if (strcmp(a, "--inbox-base") == 0)
            str = &o->inbox_base;
        else if (strcmp(a, "--prefix") == 0)
            str = &o->prefix;
        else if (strcmp(a, "--publish") == 0)
            num = &o->publish;
        else if (strcmp(a, "--direct") == 0)
            num = &o->direct;
        else if (strcmp(a, "--followers") == 0)
            num = &o->followers;
        else if (strcmp(a, "--shared") == 0)
            num = &o->shared;
        else if (strcmp(a, "--text-bytes") == 0)
            num = &o->text_bytes;
        else if (strcmp(a, "--map-mb") == 0)
            num = &o->map_mb;
        if (v == NULL || (num == NULL && str == NULL))
            return usage();
        if (str != NULL)
            *str = v;
        else if (hr_parse_u64(v, 100000000, num) != HR_OK)
            return usage();
        i++;
    }
    if (!o->data || !o->domain || !o->base_url || !o->account || !hr_name_valid(o->account))
        return usage();
    if (o->followers > 0 && o->inbox_base == NULL)
        return usage();
    if (o->text_bytes < 16 || o->text_bytes > 10000 || o->map_mb < 16)
        return usage();
    return 0;
}

/* Post text of about BYTES bytes: plain ASCII, like a typical agency announcement. */
static void post_text(uint64_t n, size_t bytes, char *out)
{
    static const char filler[] = "Flu vaccination clinics open on Monday at the city health "
                                 "centres; bring your card. More on the city website. ";
    size_t len = (size_t)snprintf(out, bytes + 1, "Bench post %llu. ", (unsigned long long)n);

    while (len < bytes) {
        size_t k = sizeof filler - 1 < bytes - len ? sizeof filler - 1 : bytes - len;
        memcpy(out + len, filler, k);
        len += k;
    }
    out[bytes] = '\0';
}

static int counts(struct store *st, const char *account, uint64_t *followers, uint64_t *deliveries,
                  uint64_t *posts)
{
    struct store_txn *txn = NULL;
    int rc = store_txn_begin(st, STORE_READ, &txn, NULL);

    if (rc != HR_OK)
        return rc;
    *followers = store_follower_count(txn, account);
    *deliveries = store_delivery_count(txn);
    *posts = store_outbox_count(txn, account);
    store_txn_abort(txn);
    return HR_OK;
}

/* Exactly the path `herald post` takes, N times. The fan-out scan runs inside each
 * publish, so with 0 followers a publish is: build JSON, one write txn, one commit. */
static int do_publish(struct fed *fed, struct store *st, const struct opts *o)
{
    uint64_t f0, d0, p0, f1, d1, p1;
    char *text = malloc(o->text_bytes + 1);
    double t0, t_first = 0, t_last0 = 0, t1;
    struct hr_err err = {0};
    uint64_t edge = o->publish / 10 ? o->publish / 10 : 1;

    if (text == NULL || counts(st, o->account, &f0, &d0, &p0) != HR_OK)
        return 1;
    if (f0 != 0) {
        fprintf(stderr,
                "mkdata: --publish needs an account with 0 followers (has %llu): "
                "publish first, then add followers\n",
                (unsigned long long)f0);
        free(text);
        return 2;
    }
    t0 = now_s();
    for (uint64_t i = 0; i < o->publish; i++) {
        char *id = NULL;
        if (i == edge)
            t_first = now_s() - t0;
        if (i == o->publish - edge)
            t_last0 = now_s();
        post_text(p0 + i + 1, o->text_bytes, text);
        if (fed_publish_note(fed, o->account, text, &id, &err) != HR_OK) {
            fprintf(stderr, "mkdata: publish %llu: %s\n", (unsigned long long)i, err.msg);
            free(text);
            return 1;
        }
        free(id);
    }
    t1 = now_s();
    free(text);
    if (counts(st, o->account, &f1, &d1, &p1) != HR_OK)
        return 1;
    /* first and last tenth at the same rate: no cost grows with the outbox */
    printf("publish posts=%llu seconds=%.3f per_s=%.1f first_tenth_ms_per_post=%.3f "
           "last_tenth_ms_per_post=%.3f followers=%llu deliveries_queued=%llu\n",
           (unsigned long long)o->publish, t1 - t0, (double)o->publish / (t1 - t0),
           t_first * 1000.0 / (double)edge, (t1 - t_last0) * 1000.0 / (double)edge,
           (unsigned long long)f1, (unsigned long long)(d1 - d0));
    return 0;
}

/* The Note and Create fed_publish_note stores (federation/publish.c build_create), so reads
 * of direct-written posts cost what reads of published ones cost. */
static int direct_one(struct store_txn *txn, const struct opts *o, const char *text, uint64_t n,
                      int64_t when_ms, struct hr_err *err)
{
    char actor[600], note_id[800], create_id[900], when[32];
    struct store_object obj = {.account = (char *)(uintptr_t)o->account, .published_ms = when_ms};
    struct hr_buf note, create;
    int rc;

    snprintf(actor, sizeof actor, "%s/users/%s", o->base_url, o->account);
    snprintf(note_id, sizeof note_id, "%s/notes/%013lld%016llx", actor, (long long)when_ms,
             (unsigned long long)(n * 0x9e3779b97f4a7c15ULL));
    snprintf(create_id, sizeof create_id, "%s/activity", note_id);
    hr_iso8601(when_ms, when);
    hr_buf_init(&note, 1u << 20);
    hr_buf_init(&create, 1u << 20);
    hr_buf_addf(
        &note,
        "{\"id\":\"%s\",\"type\":\"Note\",\"attributedTo\":\"%s\",\"content\":\"<p>%s</p>\","
        "\"published\":\"%s\",\"url\":\"%s\","
        "\"to\":[\"https://www.w3.org/ns/activitystreams#Public\"],"
        "\"cc\":[\"%s/followers\"],\"sensitive\":false",
        note_id, actor, text, when, note_id, actor);
    hr_buf_addf(&create,
                "{\"@context\":\"https://www.w3.org/ns/activitystreams\",\"id\":\"%s\","
                "\"type\":\"Create\",\"actor\":\"%s\",\"published\":\"%s\","
                "\"to\":[\"https://www.w3.org/ns/activitystreams#Public\"],"
                "\"cc\":[\"%s/followers\"],\"object\":%s}}",
                create_id, actor, when, actor, note.data ? note.data : "");
    hr_buf_adds(&note, ",\"@context\":\"https://www.w3.org/ns/activitystreams\"}");
    if (note.err != HR_OK || create.err != HR_OK) {
        rc = hr_fail(err, HR_ENOMEM, "direct post");
        goto out;
    }
    obj.id = note_id;
    obj.type = (char *)(uintptr_t) "Note";
    obj.json = note.data;
    rc = store_object_put(txn, &obj, err);
    obj.id = create_id;
    obj.type = (char *)(uintptr_t) "Create";
    obj.json = create.data;
    if (rc == HR_OK)
        rc = store_object_put(txn, &obj, err);
    if (rc == HR_OK)
        rc = store_outbox_add(txn, o->account, create_id, NULL, err);
out:
    hr_buf_fini(&note);
    hr_buf_fini(&create);
    return rc;
}

static int do_direct(struct store *st, const struct opts *o)
{
    char *text = malloc(o->text_bytes + 1);
    int64_t base_ms = hr_now_ms() - (int64_t)o->direct * 1000;
    struct hr_err err = {0};
    double t0 = now_s(), t1;
    uint64_t done = 0;
    int rc = text ? HR_OK : HR_ENOMEM;

    while (rc == HR_OK && done < o->direct) {
        struct store_txn *txn = NULL;
        uint64_t end = done + MKDATA_BATCH < o->direct ? done + MKDATA_BATCH : o->direct;
        rc = store_txn_begin(st, STORE_WRITE, &txn, &err);
        for (; rc == HR_OK && done < end; done++) {
            post_text(done + 1, o->text_bytes, text);
            /* one post a second, oldest first, ending now */
            rc = direct_one(txn, o, text, done + 1, base_ms + (int64_t)done * 1000, &err);
        }
        if (rc == HR_OK)
            rc = store_txn_commit(txn, &err);
        else
            store_txn_abort(txn);
    }
    free(text);
    if (rc != HR_OK) {
        fprintf(stderr, "mkdata: direct write after %llu posts: %s\n", (unsigned long long)done,
                err.msg);
        return 1;
    }
    t1 = now_s();
    printf("direct posts=%llu seconds=%.3f per_s=%.1f\n", (unsigned long long)o->direct, t1 - t0,
           (double)o->direct / (t1 - t0));
    return 0;
}

static int do_followers(struct store *st, const struct opts *o)
{
    char actor[600], inbox[700], shared[700];
    struct store_txn *txn = NULL;
    struct hr_err err = {0};
    double t0 = now_s();
    int rc = store_txn_begin(st, STORE_WRITE, &txn, &err);

    for (uint64_t i = 0; rc == HR_OK && i < o->followers; i++) {
        struct store_follower f = {.actor = actor,
                                   .inbox = inbox,
                                   .shared_inbox = shared,
                                   .follow_id = actor,
                                   .created_ms = hr_now_ms()};
        snprintf(actor, sizeof actor, "%s/%s/%llu", o->inbox_base, o->prefix,
                 (unsigned long long)i);
        snprintf(inbox, sizeof inbox, "%s/inbox", actor);
        if (o->shared > 0)
            snprintf(shared, sizeof shared, "%s/s/%llu/inbox", o->inbox_base,
                     (unsigned long long)(i % o->shared));
        else
            shared[0] = '\0';
        rc = store_follower_put(txn, o->account, &f, NULL, &err);
    }
    if (rc == HR_OK)
        rc = store_txn_commit(txn, &err);
    else
        store_txn_abort(txn);
    if (rc != HR_OK) {
        fprintf(stderr, "mkdata: followers: %s\n", err.msg);
        return 1;
    }
    printf("followers added=%llu distinct_inboxes=%llu seconds=%.3f\n",
           (unsigned long long)o->followers,
           (unsigned long long)(o->shared ? o->shared : o->followers), now_s() - t0);
    return 0;
}

int main(int argc, char **argv)
{
    struct store *st = NULL;
    struct fed *fed = NULL;
    struct hr_err err = {0};
    struct fed_config fc = {0};
    struct opts o;
    int rc = parse_args(argc, argv, &o);

    if (rc != 0)
        return rc;
    hr_log_max = HR_LOG_WARN;
    /* LMDB records the map size: pass the one herald.conf sets (map_size_mb) */
    if (store_open(o.data, 0, o.map_mb, &st, &err) != HR_OK) {
        fprintf(stderr, "mkdata: %s\n", err.msg);
        return 1;
    }
    fc = (struct fed_config){.data_dir = o.data,
                             .domain = o.domain,
                             .base_url = o.base_url,
                             .allow_private = true,
                             .signature_window_s = 3600,
                             .deliver_concurrency = 1,
                             .deliver_per_host = 1};
    if (fed_new(st, &fc, &fed, &err) != HR_OK) {
        fprintf(stderr, "mkdata: %s\n", err.msg);
        store_close(st);
        return 1;
    }
    if (o.publish > 0)
        rc = do_publish(fed, st, &o);
    if (rc == 0 && o.direct > 0)
        rc = do_direct(st, &o);
    if (rc == 0 && o.followers > 0)
        rc = do_followers(st, &o);
    fed_free(fed);
    store_close(st);
    return rc;
}
