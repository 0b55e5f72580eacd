/* agency/events.c - what the desk and the publishing workflow tell the outside: events
 * (case.opened, case.overdue, case.answered, draft.submitted, draft.approved,
 * post.published, watchdog.alarm) delivered to the configured webhooks through the durable
 * delivery queue, signed with HMAC-SHA256 (federation/hookjob.c; docs/operating.md
 * "Webhooks"). An event is stored once (STORE_T_HOOKS 'e' NUL BE64(seq)) with one delivery
 * job per webhook that wants it, in the transaction of the change it reports: it goes out
 * if and only if that change committed. No webhook wants it: nothing is stored. */
#include "agency/agency_int.h"
#include "federation/fed.h"

#include <stdio.h>
#include <string.h>

/* Fields of a draft an outside tool may see: never its text's media bytes or history. */
static json_t *draft_data(json_t *d)
{
    static const char *const safe[] = {"id", "account", "state", "published_id", "case", "rev"};
    json_t *out = json_object();

    for (size_t i = 0; out != NULL && i < sizeof safe / sizeof safe[0]; i++) {
        json_t *v = json_object_get(d, safe[i]);
        if (v != NULL)
            json_object_set(out, safe[i], v);
    }
    json_decref(d);
    return out;
}

/* The webhooks that want TYPE, from their records (STORE_T_HOOKS 'w' NUL id). */
struct wanting {
    const char *type;
    json_t *hooks; /* [{"id","url","instance"}] */
};

static bool wants(const json_t *h, const char *type)
{
    size_t i;
    json_t *e;

    json_array_foreach(json_object_get(h, "events"), i, e)
        if (json_is_string(e) && strcmp(json_string_value(e), type) == 0)
            return true;
    return false;
}

static int want_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct wanting *w = ctx;
    json_t *h = json_loadb(v, vlen, 0, NULL);

    (void)k, (void)klen;
    if (json_is_object(h) && wants(h, w->type))
        json_array_append_new(w->hooks,
                              json_pack("{s:O?,s:O?,s:O?}", "id", json_object_get(h, "id"),
                                        "url", json_object_get(h, "url"), "instance",
                                        json_object_get(h, "instance")));
    json_decref(h);
    return 0;
}

/* One durable job per webhook of HOOKS for event SEQ, due now. */
static int queue_jobs(struct store_txn *txn, const json_t *hooks, uint64_t seq, int64_t now,
                      struct hr_err *err)
{
    char account[96], activity[48], inbox[600], none[1] = "";
    size_t i;
    json_t *h;
    int rc = HR_OK;

    snprintf(activity, sizeof activity, "%s%llu", FED_HOOK_EVENT, (unsigned long long)seq);
    json_array_foreach(hooks, i, h) {
        const char *id = json_string_value(json_object_get(h, "id"));
        const char *url = json_string_value(json_object_get(h, "url"));
        if (id == NULL || url == NULL || strlen(url) >= sizeof inbox)
            continue;
        snprintf(account, sizeof account, "%s%s", FED_HOOK_ACCOUNT, id);
        snprintf(inbox, sizeof inbox, "%s", url);
        rc = store_delivery_add(txn,
                                &(struct store_delivery){.due_ms = now, .created_ms = now,
                                                         .inbox = inbox, .account = account,
                                                         .activity_id = activity,
                                                         .recipient = none},
                                NULL, err);
        if (rc != HR_OK)
            return rc;
    }
    return HR_OK;
}

/* The body every webhook of HOOKS receives for event SEQ. */
static json_t *event_body(const char *type, json_t *data, const json_t *hooks, uint64_t seq,
                          int64_t now)
{
    char id[32], at[32];
    json_t *inst = json_object_get(json_array_get(hooks, 0), "instance");

    snprintf(id, sizeof id, "ev%llu", (unsigned long long)seq);
    hr_iso8601(now, at);
    return json_pack("{s:s,s:s,s:s,s:O?,s:o}", "id", id, "type", type, "created_at", at,
                     "instance", inst, "data", data);
}

int agency_event_queue(struct store_txn *txn, const char *type, json_t *data,
                       const json_t *hooks, struct hr_err *err)
{
    unsigned char key[10];
    uint64_t seq = 0;
    int64_t now = hr_now_ms(); /* when it is sent and signed: wall time, not the desk's */
    json_t *body = NULL, *refs = NULL;
    char *text = NULL, *rtext = NULL;
    int rc = store_seq_next(txn, &seq, err);

    if (rc == HR_OK) {
        body = event_body(type, data, hooks, seq, now);
        data = NULL; /* stolen by json_pack's "o", also on failure */
        refs = json_pack("{s:I,s:I}", "refs", (json_int_t)json_array_size(hooks), "ms",
                         (json_int_t)now);
        text = body ? json_dumps(body, JSON_COMPACT) : NULL;
        rtext = refs ? json_dumps(refs, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        if (text == NULL || rtext == NULL)
            rc = hr_fail(err, HR_ENOMEM, "event %s", type);
    }
    json_decref(data);
    if (rc == HR_OK)
        rc = store_rec_put(txn, STORE_T_HOOKS, key, fed_hook_key('e', seq, key), text,
                           strlen(text), STORE_NOOVERWRITE, err);
    if (rc == HR_OK)
        rc = store_rec_put(txn, STORE_T_HOOKS, key, fed_hook_key('n', seq, key), rtext,
                           strlen(rtext), STORE_NOOVERWRITE, err);
    if (rc == HR_OK)
        rc = queue_jobs(txn, hooks, seq, now, err);
    free(text);
    free(rtext);
    json_decref(body);
    json_decref(refs);
    return rc;
}

int agency_event(struct store_txn *txn, const char *type, json_t *data, struct hr_err *err)
{
    struct wanting w = {.type = type, .hooks = json_array()};
    static const char prefix[2] = {'w', '\0'};
    int rc = w.hooks ? HR_OK : hr_fail(err, HR_ENOMEM, "event %s", type);

    if (data == NULL || !json_is_object(data)) {
        json_decref(data);
        data = json_object();
    }
    if (rc == HR_OK)
        rc = store_rec_each(txn, STORE_T_HOOKS, prefix, sizeof prefix, false, want_cb, &w, err);
    if (rc == HR_OK && json_array_size(w.hooks) > 0) {
        rc = agency_event_queue(txn, type, data, w.hooks, err);
        data = NULL;
    }
    json_decref(data);
    json_decref(w.hooks);
    return rc;
}

int agency_draft_event(struct store_txn *txn, const char *action, const json_t *d,
                       struct hr_err *err)
{
    static const struct {
        const char *action, *event;
    } map[] = {{"draft.submit", "draft.submitted"},
               {"draft.release", "draft.approved"}, /* once, not per approval */
               {"post.publish", "post.published"}};
    int rc = HR_OK;

    for (size_t i = 0; i < sizeof map / sizeof map[0] && rc == HR_OK; i++)
        if (strcmp(action, map[i].action) == 0)
            rc = agency_event(txn, map[i].event, draft_data(json_deep_copy(d)), err);
    return rc == HR_OK ? agency_case_draft_event(txn, action, d, err) : rc;
}
