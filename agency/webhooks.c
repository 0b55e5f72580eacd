/* agency/webhooks.c - the webhooks a webcare tool or monitoring system registers (issue #12
 * part 7): add, list, remove, test; each change audited, each face asking agency_may
 * (AGENCY_WEBHOOK_MANAGE, AGENCY_WEBHOOK_LIST). Record: STORE_T_HOOKS 'w' NUL id ->
 * {"id", "url", "events", "secret", "instance", "created_ms", "created_by"}. The secret is
 * shown once, when the webhook is added; lists never carry it. */
#include "agency/agency_int.h"
#include "federation/fed.h"
#include "keys/keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const event_types[] = {"case.opened",     "case.overdue",   "case.answered",
                                          "draft.submitted", "draft.approved", "post.published",
                                          "watchdog.alarm"};
#define N_TYPES (sizeof event_types / sizeof event_types[0])

/* LIST ("a,b", NULL or "": every type) checked into a new array. */
static int parse_events(const char *list, json_t **out, struct hr_err *err)
{
    json_t *a = json_array();
    const char *p = list ? list : "";

    if (a == NULL)
        return hr_fail(err, HR_ENOMEM, "webhook");
    for (size_t i = 0; *p == '\0' && i < N_TYPES; i++)
        json_array_append_new(a, json_string(event_types[i]));
    while (*p != '\0') {
        size_t n = strcspn(p, ","), i;
        for (i = 0; i < N_TYPES; i++)
            if (strlen(event_types[i]) == n && strncmp(p, event_types[i], n) == 0)
                break;
        if (i == N_TYPES) {
            json_decref(a);
            return hr_fail(err, HR_EINVAL,
                           "unknown event \"%.*s\" (case.opened, case.overdue, case.answered, "
                           "draft.submitted, draft.approved, post.published, watchdog.alarm)",
                           (int)(n > 64 ? 64 : n), p);
        }
        json_t *s = json_string(event_types[i]);
        size_t k;
        json_t *e;
        bool dup = false;
        json_array_foreach(a, k, e) dup = dup || json_equal(e, s);
        if (!dup)
            json_array_append(a, s);
        json_decref(s);
        p += n + (p[n] == ',');
    }
    *out = a;
    return HR_OK;
}

/* 32 random bytes as 64 hex characters (the HMAC key, as printed). */
static int new_secret(char out[65], struct hr_err *err)
{
    if (keys_random_hex(32, out, 65) != HR_OK)
        return hr_fail(err, HR_EINTERNAL, "no random bytes for the webhook secret");
    return HR_OK;
}

struct hook_add {
    const char *by, *url, *instance;
    json_t *events, *out;
    struct hr_err *err;
};

static int add_txn(struct store_txn *txn, void *ctx)
{
    struct hook_add *a = ctx;
    char id[32], key[80], secret[65];
    uint64_t seq = 0;
    json_t *rec = NULL;
    char *text = NULL;
    int rc = agency_may_txn(txn, a->by, AGENCY_WEBHOOK_MANAGE, NULL, NULL, a->err);

    if (rc == HR_OK)
        rc = store_seq_next(txn, &seq, a->err);
    if (rc == HR_OK)
        rc = new_secret(secret, a->err);
    if (rc != HR_OK)
        return rc;
    snprintf(id, sizeof id, "wh%llu", (unsigned long long)seq);
    rec = json_pack("{s:s,s:s,s:O,s:s,s:s,s:I,s:s}", "id", id, "url", a->url, "events",
                    a->events, "secret", secret, "instance", a->instance, "created_ms",
                    (json_int_t)hr_now_ms(), "created_by", a->by);
    text = rec ? json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    rc = text ? store_rec_put(txn, STORE_T_HOOKS, key, fed_hook_rec_key(id, key), text, strlen(text),
                              STORE_NOOVERWRITE, a->err)
              : hr_fail(a->err, HR_ENOMEM, "webhook");
    if (rc == HR_OK)
        rc = agency_audit(txn, a->by, "webhook.add", id, a->url, a->err);
    if (rc == HR_OK)
        a->out = json_pack("{s:s,s:s,s:O,s:s}", "id", id, "url", a->url, "events", a->events,
                           "secret", secret);
    keys_secret_free(text);
    json_decref(rec);
    keys_wipe(secret, sizeof secret);
    return rc == HR_OK && a->out == NULL ? hr_fail(a->err, HR_ENOMEM, "webhook") : rc;
}

int agency_webhook_add(struct store *st, struct fed *fed, const char *by, const char *url,
                       const char *events, const char *instance, json_t **out,
                       struct hr_err *err)
{
    char norm[600];
    struct hook_add a = {.by = by, .url = norm, .instance = instance ? instance : "", .err = err};
    /* the role first: a refused caller gets no verdict on a URL */
    int rc = agency_may(st, by, AGENCY_WEBHOOK_MANAGE, NULL, NULL, err);

    *out = NULL;
    if (rc == HR_OK)
        rc = fed_webhook_url_check(fed, url, norm, sizeof norm, err);
    if (rc == HR_OK)
        rc = parse_events(events, &a.events, err);
    if (rc == HR_OK)
        rc = agency_write(st, add_txn, &a, err);
    json_decref(a.events);
    if (rc == HR_OK)
        *out = a.out;
    else
        json_decref(a.out);
    return rc;
}

/* ---- list ---- */

static int list_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    json_t *h = json_loadb(v, vlen, 0, NULL);

    (void)k, (void)klen;
    if (json_is_object(h)) {
        json_object_del(h, "secret"); /* shown once, at add, never again */
        json_object_del(h, "instance");
        json_array_append(ctx, h);
    }
    json_decref(h);
    return 0;
}

int agency_webhook_list(struct store *st, const char *by, json_t **out, struct hr_err *err)
{
    static const char prefix[2] = {'w', '\0'};
    struct store_txn *txn = NULL;
    json_t *a = json_array();
    int rc = a ? store_txn_begin(st, STORE_READ, &txn, err) : hr_fail(err, HR_ENOMEM, "list");

    if (rc == HR_OK)
        rc = agency_may_txn(txn, by, AGENCY_WEBHOOK_LIST, NULL, NULL, err);
    if (rc == HR_OK)
        rc = store_rec_each(txn, STORE_T_HOOKS, prefix, sizeof prefix, false, list_cb, a, err);
    store_txn_abort(txn);
    if (rc != HR_OK) {
        json_decref(a);
        return rc;
    }
    *out = a;
    return HR_OK;
}

/* ---- remove: the record, and its queued deliveries with their events' references ---- */

struct hook_remove {
    const char *by, *id;
    char account[96];
    json_t *events; /* activity ids of the jobs dropped */
    struct hr_err *err;
};

static bool of_hook(const struct store_delivery *d, void *ctx)
{
    struct hook_remove *r = ctx;

    if (strcmp(d->account, r->account) != 0)
        return false;
    json_array_append_new(r->events, json_string(d->activity_id));
    return true;
}

static int remove_txn(struct store_txn *txn, void *ctx)
{
    struct hook_remove *r = ctx;
    char key[80];
    size_t n = 0, i;
    json_t *h = NULL, *e;
    int rc = agency_may_txn(txn, r->by, AGENCY_WEBHOOK_MANAGE, NULL, NULL, r->err);

    if (rc == HR_OK)
        rc = fed_hook_get(txn, r->id, &h, r->err);
    json_decref(h);
    if (rc == HR_OK)
        rc = store_rec_del(txn, STORE_T_HOOKS, key, fed_hook_rec_key(r->id, key), r->err);
    if (rc == HR_OK)
        rc = store_delivery_drop_if(txn, of_hook, r, &n, r->err);
    json_array_foreach(r->events, i, e) {
        if (rc == HR_OK) /* their events lose these references */
            rc = fed_hook_release(txn, json_string_value(e), r->err);
    }
    if (rc == HR_OK)
        rc = agency_audit(txn, r->by, "webhook.remove", r->id, "", r->err);
    return rc;
}

int agency_webhook_remove(struct store *st, const char *by, const char *id, struct hr_err *err)
{
    struct hook_remove r = {.by = by, .id = id, .events = json_array(), .err = err};
    int rc = r.events ? HR_OK : hr_fail(err, HR_ENOMEM, "webhook");

    snprintf(r.account, sizeof r.account, "%s%.64s", FED_HOOK_ACCOUNT, id);
    if (rc == HR_OK)
        rc = agency_write(st, remove_txn, &r, err);
    json_decref(r.events);
    return rc;
}

/* ---- test: a "ping" event to this webhook alone ---- */

struct hook_test {
    const char *by, *id;
    struct hr_err *err;
};

static int test_txn(struct store_txn *txn, void *ctx)
{
    struct hook_test *t = ctx;
    json_t *h = NULL, *hooks = NULL;
    int rc = agency_may_txn(txn, t->by, AGENCY_WEBHOOK_MANAGE, NULL, NULL, t->err);

    if (rc == HR_OK)
        rc = fed_hook_get(txn, t->id, &h, t->err);
    if (rc == HR_OK) {
        json_object_del(h, "secret");
        hooks = json_pack("[O]", h);
        rc = hooks ? agency_event_queue(txn, "ping",
                                        json_pack("{s:s,s:s}", "webhook", t->id, "by", t->by),
                                        hooks, t->err)
                   : hr_fail(t->err, HR_ENOMEM, "webhook");
    }
    if (rc == HR_OK)
        rc = agency_audit(txn, t->by, "webhook.test", t->id, "", t->err);
    json_decref(h);
    json_decref(hooks);
    return rc;
}

int agency_webhook_test(struct store *st, const char *by, const char *id, struct hr_err *err)
{
    struct hook_test t = {.by = by, .id = id, .err = err};

    return agency_write(st, test_txn, &t, err);
}
