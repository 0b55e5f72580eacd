/* agency/cases.c - the citizen desk's cases: a citizen's reply, mention or direct message
 * opens a case (or joins the open one of the same citizen and thread), routed to a
 * department, with a deadline; responders assign, answer (through the approval workflow)
 * and close it (docs/desk.md). The record format is agency_int.h's ("the citizen desk");
 * the ways to a case are STORE_T_CASE_IDX's (docs/storage.md "The citizen desk"):
 *   't' NUL account NUL hex SHA-256(citizen NUL thread) -> the latest case of that citizen
 *       and thread (open, or closed: a new message then opens a new case naming it)
 *   'm' NUL message id -> ids of the cases holding it (or answered with it), space-separated
 *   'd' NUL draft id -> the case it answers
 *   'o' BE64(deadline ms) case id -> "" while the case waits for an answer
 *   'a' NUL case id -> "" while its automatic acknowledgement is due */
#include "agency/agency_int.h"
#include "federation/fed.h"
#include "keys/keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CASE_TAGS_MAX 20
#define CASE_TAG_MAX  100
#define CASE_MSG_IDS_MAX 400 /* bytes of case ids one message index entry keeps */

struct each_ctx {
    int (*cb)(const json_t *c, void *ctx);
    void *ctx;
};

static int each_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct each_ctx *e = ctx;
    json_t *c = json_loadb(v, vlen, 0, NULL);
    int rc;

    (void)k, (void)klen;
    if (!json_is_object(c)) { /* a record we cannot read is skipped, not fatal to a report */
        json_decref(c);
        return HR_OK;
    }
    rc = e->cb(c, e->ctx);
    json_decref(c);
    return rc;
}

int agency_case_each(struct store_txn *txn, int (*cb)(const json_t *c, void *ctx), void *ctx,
                     struct hr_err *err)
{
    struct each_ctx e = {cb, ctx};

    return store_rec_each(txn, STORE_T_CASES, NULL, 0, false, each_cb, &e, err);
}

/* ---- records and indexes ---- */

static const char *str(const json_t *c, const char *k)
{
    const char *v = json_string_value(json_object_get(c, k));

    return v ? v : "";
}

static int64_t num(const json_t *c, const char *k)
{
    return (int64_t)json_integer_value(json_object_get(c, k));
}

static int case_load(struct store_txn *txn, const char *id, json_t **out, struct hr_err *err)
{
    int rc = id != NULL && id[0] == 'c' && strlen(id) < 24
                 ? agency_rec_json(txn, STORE_T_CASES, id, out, err)
                 : HR_ENOTFOUND;

    return rc == HR_ENOTFOUND
               ? hr_fail(err, HR_ENOTFOUND, "no case %.24s (herald case list)", id ? id : "")
               : rc;
}

static int case_save(struct store_txn *txn, const json_t *c, struct hr_err *err)
{
    return agency_rec_put_json(txn, STORE_T_CASES, str(c, "id"), c, 0, err);
}

static size_t thread_key(const char *account, const char *citizen, const char *thread,
                         char key[112])
{
    struct hr_buf b;
    char hex[65];
    int n;

    hr_buf_init(&b, 2048);
    hr_buf_add(&b, citizen, strlen(citizen));
    hr_buf_add(&b, "", 1);
    hr_buf_add(&b, thread, strlen(thread));
    keys_sha256_hex(b.data ? b.data : "", b.len, hex);
    hr_buf_fini(&b);
    n = snprintf(key, 112, "t%c%s%c%s", '\0', account, '\0', hex);
    return n > 0 && n < 112 ? (size_t)n : 0;
}

static size_t small_key(char kind, const char *id, char key[48])
{
    int n = snprintf(key, 48, "%c%c%s", kind, '\0', id);

    return n > 0 && n < 48 ? (size_t)n : 0;
}

static size_t due_key(const json_t *c, char key[48])
{
    size_t n = strlen(str(c, "id"));

    if (n > 24)
        return 0;
    key[0] = 'o';
    store_put_be64((uint64_t)num(c, "deadline_ms"), (unsigned char *)key + 1);
    memcpy(key + 9, str(c, "id"), n);
    return 9 + n;
}

static bool waiting(const json_t *c)
{
    return strcmp(str(c, "status"), "new") == 0 || strcmp(str(c, "status"), "assigned") == 0;
}

/* The watchdog's index of unanswered cases by deadline: put or drop C's entry. */
static int due_put(struct store_txn *txn, const json_t *c, bool on, struct hr_err *err)
{
    char key[48];
    size_t klen = due_key(c, key);
    int rc;

    if (klen == 0)
        return HR_OK;
    if (on)
        return store_rec_put(txn, STORE_T_CASE_IDX, key, klen, "", 0, 0, err);
    rc = store_rec_del(txn, STORE_T_CASE_IDX, key, klen, NULL);
    return rc == HR_ENOTFOUND ? HR_OK : rc;
}

static int idx_put(struct store_txn *txn, const char *key, size_t klen, const char *v,
                   struct hr_err *err)
{
    return klen == 0 ? HR_OK : store_rec_put(txn, STORE_T_CASE_IDX, key, klen, v, strlen(v), 0, err);
}

/* Message (or our answer) ID belongs to case CASE_ID too. */
static int msg_index(struct store_txn *txn, const char *id, const char *case_id,
                     struct hr_err *err)
{
    char key[512], *ids = NULL;
    size_t klen = fed_desk_msg_key(id, key, sizeof key), len = 0, n = strlen(case_id);
    struct hr_buf b;
    int rc = HR_OK;

    if (klen == 0)
        return HR_OK;
    if (store_rec_get(txn, STORE_T_CASE_IDX, key, klen, &ids, &len, NULL) == HR_OK) {
        for (const char *p = ids; (p = strstr(p, case_id)) != NULL; p += n)
            if ((p == ids || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) {
                free(ids);
                return HR_OK;
            }
    }
    hr_buf_init(&b, CASE_MSG_IDS_MAX);
    if (ids != NULL)
        hr_buf_addf(&b, "%s ", ids);
    hr_buf_add(&b, case_id, n);
    if (b.err == HR_OK) /* a message in that many cases is not followed into one more */
        rc = store_rec_put(txn, STORE_T_CASE_IDX, key, klen, b.data, b.len, 0, err);
    hr_buf_fini(&b);
    free(ids);
    return rc;
}

/* ---- a citizen's message ---- */

/* The message record of N, and its text without markup into *TEXT (caller frees). */
static json_t *message_of(const struct fed_desk_note *n, char **text)
{
    json_t *w = fed_note_words(n->object), *m;
    const char *content = str(w, "content");
    struct hr_buf h, t;

    hr_buf_init(&h, 600u << 10);
    hr_buf_init(&t, 80u << 10);
    fed_sanitize_html(content, strlen(content), &h);
    fed_html_text(content, strlen(content), &t);
    m = json_pack("{s:s,s:I,s:s,s:s}", "id", n->id, "ms", (json_int_t)n->received_ms, "html",
                  h.data && h.err == HR_OK ? h.data : "", "original", content);
    if (m != NULL && json_object_get(w, "language"))
        json_object_set(m, "language", json_object_get(w, "language"));
    if (m != NULL && json_object_get(w, "summary"))
        json_object_set(m, "summary", json_object_get(w, "summary"));
    if (m != NULL && n->in_reply_to != NULL)
        json_object_set_new(m, "in_reply_to", json_string(n->in_reply_to));
    *text = t.err == HR_OK ? hr_buf_take(&t) : NULL;
    hr_buf_fini(&t);
    hr_buf_fini(&h);
    json_decref(w);
    return m;
}

/* One Hashtag tag T into TAGS: its name without '#', in lower case (fed_hashtag_norm, as
 * pages and routes compare tags), once. */
static void hashtag_add(json_t *tags, const json_t *t)
{
    const char *type = json_string_value(json_object_get(t, "type"));
    const char *name = json_string_value(json_object_get(t, "name"));
    const json_t *have;
    char *low;
    size_t j;
    bool dup = false;

    if (type == NULL || strcmp(type, "Hashtag") != 0 || name == NULL)
        return;
    name += name[0] == '#';
    if (name[0] == '\0' || strlen(name) > CASE_TAG_MAX || json_array_size(tags) >= CASE_TAGS_MAX)
        return;
    if ((low = fed_hashtag_norm(name, strlen(name))) == NULL)
        return;
    json_array_foreach(tags, j, have) dup |= strcmp(json_string_value(have), low) == 0;
    if (!dup)
        json_array_append_new(tags, json_string(low));
    free(low);
}

/* The Note's Hashtag names: "tag" is an array, or one object (ActivityStreams allows both;
 * Fedify sends a lone tag as an object). */
static void hashtags_add(json_t *tags, const json_t *obj)
{
    const json_t *list = json_object_get(obj, "tag"), *t;
    size_t i;

    if (json_is_object(list))
        hashtag_add(tags, list);
    json_array_foreach(list, i, t) hashtag_add(tags, t);
}

static const char *why_name(enum fed_desk_why w)
{
    return w == FED_DESK_REPLY     ? "reply"
           : w == FED_DESK_MENTION ? "mention"
           : w == FED_DESK_DIRECT  ? "direct"
                                   : "reply"; /* a follow-up without a case: answers ours */
}

/* "@user@host" of the citizen, from the actor we fetched to verify them; NULL unknown. */
static json_t *citizen_acct(struct store_txn *txn, const char *actor)
{
    struct store_remote_actor r = {0};
    const char *host = strstr(actor, "://"), *end;
    json_t *acct = NULL;
    char buf[400];

    if (host != NULL && store_remote_actor_get(txn, actor, &r, NULL) == HR_OK &&
        r.username != NULL && r.username[0] != '\0' && strcspn(r.username, "@ /:") == strlen(r.username)) {
        host += 3;
        end = host + strcspn(host, "/?#");
        if (end > host && snprintf(buf, sizeof buf, "@%s@%.*s", r.username, (int)(end - host),
                                   host) < (int)sizeof buf)
            acct = json_string(buf);
    }
    store_remote_actor_fini(&r);
    return acct;
}

static int deadline_from(struct store_txn *txn, json_t *c, int64_t from_ms, struct hr_err *err)
{
    int64_t dl = 0;
    int rc = agency_deadline_ms(txn, str(c, "account"), from_ms, &dl, err);

    if (rc == HR_OK)
        json_object_set_new(c, "deadline_ms", json_integer(dl));
    return rc;
}

static int event_opened(struct store_txn *txn, const json_t *c, struct hr_err *err)
{
    char iso[32];

    hr_iso8601(num(c, "deadline_ms"), iso);
    return agency_event(txn, "case.opened",
                        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I}", "id", str(c, "id"), "account",
                                  str(c, "account"), "department", str(c, "department"),
                                  "citizen", str(c, "citizen"), "why", str(c, "why"),
                                  "deadline", iso, "deadline_ms",
                                  (json_int_t)num(c, "deadline_ms")),
                        err);
}

/* The indexes of a newly stored case C: thread, message, deadline, acknowledgement. */
static int index_new(struct store_txn *txn, const json_t *c, const struct fed_desk_note *n,
                     struct hr_err *err)
{
    char key[112], akey[48];
    size_t tlen = thread_key(n->account, n->actor, str(c, "thread"), key);
    int rc = idx_put(txn, key, tlen, str(c, "id"), err);

    if (rc == HR_OK)
        rc = msg_index(txn, n->id, str(c, "id"), err);
    if (rc == HR_OK)
        rc = due_put(txn, c, true, err);
    if (rc == HR_OK && json_is_true(json_object_get(c, "ack_due")))
        rc = idx_put(txn, akey, small_key('a', str(c, "id"), akey), "", err);
    return rc;
}

/* A new case for N (PREV: the closed case of the same citizen and thread, or NULL). */
static int open_case(struct store_txn *txn, const struct fed_desk_note *n, const char *prev,
                     struct hr_err *err)
{
    char id[24], dept[32], *text = NULL;
    json_t *msg = message_of(n, &text), *tags = json_array(), *c = NULL, *settings = NULL;
    uint64_t seq;
    int rc = msg && tags ? store_seq_next(txn, &seq, err) : hr_fail(err, HR_ENOMEM, "case");

    if (rc == HR_OK) {
        hashtags_add(tags, n->object);
        rc = agency_route_pick(txn, n->account, tags, text, dept, err);
    }
    if (rc == HR_OK)
        rc = agency_desk_settings(txn, n->account, &settings, err);
    if (rc == HR_OK) {
        snprintf(id, sizeof id, "c%llu", (unsigned long long)seq);
        c = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:O,s:I,s:[O],s:[]}", "id", id,
                      "account", n->account, "department", dept, "citizen", n->actor,
                      "thread", n->thread, "why", why_name(n->why), "visibility",
                      fed_visibility_name(n->visibility), "status", "new", "tags", tags,
                      "opened_ms", (json_int_t)n->received_ms, "messages", msg, "answers");
        rc = c ? deadline_from(txn, c, n->received_ms, err) : hr_fail(err, HR_ENOMEM, "case");
    }
    if (rc == HR_OK) {
        json_t *acct = citizen_acct(txn, n->actor);
        if (acct != NULL)
            json_object_set_new(c, "citizen_acct", acct);
        if (prev != NULL)
            json_object_set_new(c, "previous", json_string(prev));
        if (json_is_true(json_object_get(settings, "ack")))
            json_object_set_new(c, "ack_due", json_true());
        rc = case_save(txn, c, err);
    }
    if (rc == HR_OK)
        rc = index_new(txn, c, n, err);
    if (rc == HR_OK)
        rc = event_opened(txn, c, err);
    json_decref(settings);
    json_decref(c);
    json_decref(tags);
    json_decref(msg);
    free(text);
    return rc;
}

/* N joins open case C: a message after an answer makes the case wait again, with a
 * deadline counted from that message (docs/desk.md). */
static int join_case(struct store_txn *txn, json_t *c, const struct fed_desk_note *n,
                     struct hr_err *err)
{
    char *text = NULL;
    json_t *msg = message_of(n, &text);
    int rc = msg ? HR_OK : hr_fail(err, HR_ENOMEM, "case");

    free(text);
    if (rc == HR_OK && json_array_append_new(json_object_get(c, "messages"), msg) != 0)
        rc = hr_fail(err, HR_ENOMEM, "case");
    msg = NULL;
    if (rc == HR_OK && json_is_array(json_object_get(c, "tags")))
        hashtags_add(json_object_get(c, "tags"), n->object);
    if (rc == HR_OK && strcmp(str(c, "status"), "answered") == 0) {
        json_object_set_new(c, "status", json_string("new"));
        json_object_set_new(c, "waiting_since_ms", json_integer(n->received_ms));
        rc = deadline_from(txn, c, n->received_ms, err);
        if (rc == HR_OK)
            rc = due_put(txn, c, true, err);
    }
    if (rc == HR_OK)
        rc = case_save(txn, c, err);
    if (rc == HR_OK)
        rc = msg_index(txn, n->id, str(c, "id"), err);
    return rc;
}

static int file_message(struct store_txn *txn, const struct fed_desk_note *n, struct hr_err *err)
{
    char key[112], *id = NULL;
    size_t klen = thread_key(n->account, n->actor, n->thread, key), len = 0;
    json_t *c = NULL;
    int rc;

    if (klen == 0 || store_rec_get(txn, STORE_T_CASE_IDX, key, klen, &id, &len, NULL) != HR_OK ||
        agency_rec_json(txn, STORE_T_CASES, id, &c, NULL) != HR_OK)
        rc = open_case(txn, n, NULL, err);
    else if (strcmp(str(c, "status"), "closed") == 0)
        rc = open_case(txn, n, id, err);
    else
        rc = join_case(txn, c, n, err);
    json_decref(c);
    free(id);
    return rc;
}

/* The element of C's array ARRAY whose KEY is VALUE, or NULL. */
static json_t *entry_of(const json_t *c, const char *array, const char *key, const char *value)
{
    json_t *e;
    size_t i;

    json_array_foreach(json_object_get(c, array), i, e) if (strcmp(str(e, key), value) == 0)
        return e;
    return NULL;
}

/* The message ID in case C (by its citizen), or NULL. */
static json_t *message_in(const json_t *c, const char *id)
{
    return entry_of(c, "messages", "id", id);
}

/* Message M of case C edited (REPLACE: N's new words) or withdrawn (its words dropped: the
 * citizen took them back; the case and its times stay). */
static int reflect(struct store_txn *txn, json_t *c, json_t *m, const struct fed_desk_note *n,
                   bool replace, struct hr_err *err)
{
    char *text = NULL;
    json_t *fresh = replace ? message_of(n, &text) : NULL;

    free(text);
    if (replace && fresh == NULL)
        return hr_fail(err, HR_ENOMEM, "case");
    json_object_del(m, "language");
    json_object_del(m, "summary");
    if (replace) {
        json_object_set(m, "html", json_object_get(fresh, "html"));
        json_object_set(m, "original", json_object_get(fresh, "original"));
        if (json_object_get(fresh, "language"))
            json_object_set(m, "language", json_object_get(fresh, "language"));
        if (json_object_get(fresh, "summary"))
            json_object_set(m, "summary", json_object_get(fresh, "summary"));
        json_object_set_new(m, "edited_ms", json_integer(n->received_ms));
        hashtags_add(json_object_get(c, "tags"), n->object);
    } else {
        json_object_set_new(m, "html", json_string(""));
        json_object_set_new(m, "original", json_string(""));
        json_object_set_new(m, "deleted_ms", json_integer(n->received_ms));
    }
    json_decref(fresh);
    return case_save(txn, c, err);
}

/* An Update (REPLACE) or Delete of a message cases hold: each case of N's account (a
 * Delete: every case) written by N's actor reflects it. *FOUND: some case held it. */
static int on_known(struct store_txn *txn, const struct fed_desk_note *n, bool replace,
                    bool *found, struct hr_err *err)
{
    char *ids = NULL, *save = NULL;
    int rc = HR_OK;

    *found = false;
    if (fed_desk_cases_of(txn, n->id, &ids) != HR_OK)
        return HR_OK;
    for (char *cid = strtok_r(ids, " ", &save); cid != NULL && rc == HR_OK;
         cid = strtok_r(NULL, " ", &save)) {
        json_t *c = NULL, *m;
        if (agency_rec_json(txn, STORE_T_CASES, cid, &c, NULL) != HR_OK)
            continue;
        m = message_in(c, n->id);
        if (m != NULL && strcmp(str(c, "citizen"), n->actor) == 0 &&
            (n->account[0] == '\0' || strcmp(str(c, "account"), n->account) == 0)) {
            *found = true;
            if (strcmp(n->type, "Create") != 0) /* a Create again: a redelivery */
                rc = reflect(txn, c, m, n, replace, err);
        }
        json_decref(c);
    }
    free(ids);
    return rc;
}

int agency_desk_note(void *ctx, struct store_txn *txn, const struct fed_desk_note *n,
                     struct hr_err *err)
{
    bool del = strcmp(n->type, "Delete") == 0, found = false;
    int rc;

    (void)ctx;
    if (n->id == NULL || n->actor == NULL || n->account == NULL ||
        (!del && (n->object == NULL || n->thread == NULL || !hr_name_valid(n->account))))
        return HR_OK;
    rc = on_known(txn, n, strcmp(n->type, "Update") == 0, &found, err);
    if (rc != HR_OK || found || del)
        return rc;
    return file_message(txn, n, err);
}

/* ---- the operators' side ---- */

struct list_ctx {
    struct store_txn *txn;
    const char *by;
    const struct agency_case_filter *f;
    int64_t now_ms;
    json_t *out;
};

static bool overdue(const json_t *c, int64_t now_ms)
{
    return waiting(c) && num(c, "deadline_ms") < now_ms;
}

/* A list row: the case without its words. */
static json_t *summary_of(const json_t *c, int64_t now_ms)
{
    json_t *s = json_deep_copy(c);

    if (s == NULL)
        return NULL;
    json_object_set_new(s, "message_count", json_integer((json_int_t)json_array_size(
                                                 json_object_get(c, "messages"))));
    json_object_set_new(s, "answer_count", json_integer((json_int_t)json_array_size(
                                                json_object_get(c, "answers"))));
    json_object_set_new(s, "overdue", json_boolean(overdue(c, now_ms)));
    json_object_del(s, "messages");
    json_object_del(s, "answers");
    return s;
}

static bool wanted(const struct agency_case_filter *f, const json_t *c, int64_t now_ms)
{
    return (f->account == NULL || strcmp(f->account, str(c, "account")) == 0) &&
           (f->department == NULL || strcmp(f->department, str(c, "department")) == 0) &&
           (f->status == NULL || strcmp(f->status, str(c, "status")) == 0) &&
           (!f->overdue || overdue(c, now_ms));
}

static int list_cb(const json_t *c, void *ctx)
{
    struct list_ctx *l = ctx;

    if (!wanted(l->f, c, l->now_ms) ||
        agency_may_txn(l->txn, l->by, AGENCY_CASE_READ, str(c, "department"), NULL, NULL) != HR_OK)
        return HR_OK;
    return json_array_append_new(l->out, summary_of(c, l->now_ms)) == 0 ? HR_OK : HR_ENOMEM;
}

int agency_case_list(struct store *st, const char *by, const struct agency_case_filter *f,
                     json_t **out, struct hr_err *err)
{
    static const char *const states[] = {"new", "assigned", "answered", "closed"};
    struct list_ctx l = {.by = by, .f = f, .now_ms = hr_clock_ms(), .out = json_array()};
    bool ok = f->status == NULL;
    int rc;

    for (size_t i = 0; i < 4 && !ok; i++)
        ok = strcmp(f->status, states[i]) == 0;
    if (!ok) {
        json_decref(l.out);
        return hr_fail(err, HR_EINVAL, "status: new, assigned, answered or closed");
    }
    rc = l.out ? store_txn_begin(st, STORE_READ, &l.txn, err) : hr_fail(err, HR_ENOMEM, "cases");
    if (rc == HR_OK)
        rc = agency_case_each(l.txn, list_cb, &l, err);
    if (rc == HR_ENOMEM)
        rc = hr_fail(err, HR_ENOMEM, "cases");
    store_txn_abort(l.txn);
    if (rc == HR_OK)
        *out = json_incref(l.out);
    json_decref(l.out);
    return rc;
}

int agency_case_get(struct store *st, const char *by, const char *id, json_t **out,
                    struct hr_err *err)
{
    struct store_txn *txn = NULL;
    json_t *c = NULL;
    int rc = store_txn_begin(st, STORE_READ, &txn, err);

    if (rc == HR_OK)
        rc = case_load(txn, id, &c, err);
    if (rc == HR_OK)
        rc = agency_may_txn(txn, by, AGENCY_CASE_READ, str(c, "department"), NULL, err);
    store_txn_abort(txn);
    if (rc == HR_OK) {
        json_object_set_new(c, "overdue", json_boolean(overdue(c, hr_clock_ms())));
        *out = json_incref(c);
    }
    json_decref(c);
    return rc;
}

/* One handling step: load case ID, check BY's right (case.handle), run STEP, save, audit. */
struct handle {
    const char *by, *id, *action;
    const char *operator, *comment; /* assign; close */
    int (*step)(struct store_txn *txn, struct handle *h, json_t *c);
    struct hr_err *err;
};

static int handle_tx(struct store_txn *txn, void *ctx)
{
    struct handle *h = ctx;
    json_t *c = NULL;
    char *details = NULL;
    int rc = case_load(txn, h->id, &c, h->err);

    if (rc == HR_OK)
        rc = agency_may_txn(txn, h->by, AGENCY_CASE_HANDLE, str(c, "department"), NULL, h->err);
    if (rc == HR_OK)
        rc = h->step(txn, h, c);
    if (rc == HR_OK)
        rc = case_save(txn, c, h->err);
    if (rc == HR_OK) {
        json_t *d = json_pack("{s:s,s:s?,s:s?}", "status", str(c, "status"), "assignee",
                              json_string_value(json_object_get(c, "assignee")), "comment",
                              h->comment);
        details = d ? json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        json_decref(d);
        rc = agency_audit(txn, h->by, h->action, h->id, details, h->err);
    }
    free(details);
    json_decref(c);
    return rc;
}

static int run_handle(struct store *st, struct handle *h)
{
    return agency_write(st, handle_tx, h, h->err);
}

static int step_assign(struct store_txn *txn, struct handle *h, json_t *c)
{
    const char *dept = str(c, "department");

    if (strcmp(str(c, "status"), "closed") == 0)
        return hr_fail(h->err, HR_EEXIST, "case %s is closed: reopen it first", h->id);
    if (h->operator == NULL || !agency_operator_active(txn, h->operator) ||
        !agency_role_held(txn, h->operator, "responder", dept))
        return hr_fail(h->err, HR_EINVAL, "%.40s is not an active responder of %s",
                       h->operator ? h->operator : "", dept);
    json_object_set_new(c, "assignee", json_string(h->operator));
    if (strcmp(str(c, "status"), "new") == 0)
        json_object_set_new(c, "status", json_string("assigned"));
    return HR_OK;
}

int agency_case_assign(struct store *st, const char *by, const char *id, const char *operator,
                       struct hr_err *err)
{
    struct handle h = {.by = by, .id = id, .action = "case.assign", .operator = operator,
                       .step = step_assign, .err = err};

    return run_handle(st, &h);
}

static int step_close(struct store_txn *txn, struct handle *h, json_t *c)
{
    char key[48];
    int rc;

    if (strcmp(str(c, "status"), "closed") == 0)
        return hr_fail(h->err, HR_EEXIST, "case %s is already closed", h->id);
    if (h->comment != NULL && strlen(h->comment) > 2000)
        return hr_fail(h->err, HR_EINVAL, "a comment is at most 2000 bytes");
    rc = due_put(txn, c, false, h->err);
    if (rc == HR_OK) { /* closed: no acknowledgement goes out any more */
        json_object_del(c, "ack_due");
        rc = store_rec_del(txn, STORE_T_CASE_IDX, key, small_key('a', h->id, key), NULL);
        rc = rc == HR_ENOTFOUND ? HR_OK : rc;
    }
    json_object_set_new(c, "status", json_string("closed"));
    json_object_set_new(c, "closed_ms", json_integer(hr_clock_ms()));
    if (h->comment != NULL)
        json_object_set_new(c, "close_comment", json_string(h->comment));
    return rc;
}

int agency_case_close(struct store *st, const char *by, const char *id, const char *comment,
                      struct hr_err *err)
{
    struct handle h = {.by = by, .id = id, .action = "case.close", .comment = comment,
                       .step = step_close, .err = err};

    return run_handle(st, &h);
}

/* Reopened: waiting again; a case answered before gets a fresh deadline from now, one
 * never answered keeps its own. */
static int step_reopen(struct store_txn *txn, struct handle *h, json_t *c)
{
    int64_t now = hr_clock_ms();
    int rc = HR_OK;

    if (strcmp(str(c, "status"), "closed") != 0)
        return hr_fail(h->err, HR_EEXIST, "case %s is %s, not closed", h->id, str(c, "status"));
    json_object_set_new(c, "status", json_string(json_object_get(c, "assignee") ? "assigned"
                                                                              : "new"));
    json_object_set_new(c, "reopened_ms", json_integer(now));
    json_object_del(c, "closed_ms");
    if (json_object_get(c, "first_answer_ms") != NULL) {
        json_object_set_new(c, "waiting_since_ms", json_integer(now));
        rc = deadline_from(txn, c, now, h->err);
    }
    return rc == HR_OK ? due_put(txn, c, true, h->err) : rc;
}

int agency_case_reopen(struct store *st, const char *by, const char *id, struct hr_err *err)
{
    struct handle h = {.by = by, .id = id, .action = "case.reopen", .step = step_reopen,
                       .err = err};

    return run_handle(st, &h);
}

/* ---- answering: a draft of the department, through its approval workflow ---- */

/* What an answer (or acknowledgement) of case C needs, copied out of its record. */
struct reply_to {
    char dept[32], visibility[16], reply_to[512], acct[400];
};

static int reply_of(const json_t *c, struct reply_to *r, struct hr_err *err)
{
    const json_t *m;
    size_t i;

    memset(r, 0, sizeof *r);
    snprintf(r->dept, sizeof r->dept, "%s", str(c, "department"));
    snprintf(r->visibility, sizeof r->visibility, "%s", str(c, "visibility"));
    snprintf(r->acct, sizeof r->acct, "%s", str(c, "citizen_acct"));
    json_array_foreach(json_object_get(c, "messages"), i, m) if (!json_object_get(m, "deleted_ms"))
        snprintf(r->reply_to, sizeof r->reply_to, "%s", str(m, "id"));
    if (r->reply_to[0] == '\0')
        return hr_fail(err, HR_EEXIST, "the citizen withdrew every message of case %s",
                       str(c, "id"));
    return HR_OK;
}

/* TEXT with the citizen's @user@host in front when it lacks it: the answer reaches them
 * whatever its visibility (a direct one cannot go out without). Caller frees. */
static char *with_mention(const char *text, const char *acct)
{
    struct hr_buf b;

    hr_buf_init(&b, (64u << 10) + 512);
    if (acct[0] != '\0' && strstr(text, acct) == NULL)
        hr_buf_addf(&b, "%s ", acct);
    hr_buf_add(&b, text, strlen(text));
    return b.err == HR_OK ? hr_buf_take(&b) : (hr_buf_fini(&b), NULL);
}

static int read_reply(struct store *st, const char *by, const char *id, struct reply_to *r,
                      struct hr_err *err)
{
    struct store_txn *txn = NULL;
    json_t *c = NULL;
    int rc = store_txn_begin(st, STORE_READ, &txn, err);

    if (rc == HR_OK)
        rc = case_load(txn, id, &c, err);
    if (rc == HR_OK && by != NULL)
        rc = agency_may_txn(txn, by, AGENCY_CASE_ANSWER, str(c, "department"), NULL, err);
    if (rc == HR_OK && strcmp(str(c, "status"), "closed") == 0)
        rc = hr_fail(err, HR_EEXIST, "case %s is closed: reopen it first", id);
    if (rc == HR_OK)
        rc = reply_of(c, r, err);
    store_txn_abort(txn);
    json_decref(c);
    return rc;
}

int agency_case_answer(struct store *st, struct fed *fed, const char *by, const char *id,
                       const char *text, bool submit, struct agency_draft_result *res,
                       struct hr_err *err)
{
    struct reply_to r;
    char *full = NULL;
    int rc;

    if (by == NULL)
        return hr_fail(err, HR_EFORBIDDEN, "an answer needs an operator");
    rc = read_reply(st, by, id, &r, err); /* the case and the role before the text */
    if (rc == HR_OK && (text == NULL || text[strspn(text, " \t\r\n")] == '\0'))
        rc = hr_fail(err, HR_EINVAL, "an answer needs its text");
    if (rc == HR_OK && (full = with_mention(text, r.acct)) == NULL)
        rc = hr_fail(err, HR_ETOOBIG, "the answer is too long");
    if (rc == HR_OK) {
        struct agency_draft_input in = {.text = full, .reply_to = r.reply_to,
                                        .visibility = r.visibility};
        rc = agency_draft_new_for_case(st, fed, by, r.dept, &in, submit, id, false, res, err);
    }
    free(full);
    return rc;
}

int agency_case_link_draft(struct store_txn *txn, const char *by, const char *case_id,
                           const char *draft_id, bool ack, struct hr_err *err)
{
    char key[48];
    json_t *c = NULL, *a;
    int rc = case_load(txn, case_id, &c, err);

    if (rc == HR_OK && ack) {
        json_object_del(c, "ack_due");
        json_object_set_new(c, "ack_draft", json_string(draft_id));
        rc = store_rec_del(txn, STORE_T_CASE_IDX, key, small_key('a', case_id, key), NULL);
        rc = rc == HR_ENOTFOUND ? HR_OK : rc;
    } else if (rc == HR_OK) {
        if (strcmp(str(c, "status"), "closed") == 0)
            rc = hr_fail(err, HR_EEXIST, "case %s is closed: reopen it first", case_id);
        a = json_pack("{s:s,s:s}", "draft", draft_id, "by", by);
        if (rc == HR_OK && (a == NULL || json_array_append_new(json_object_get(c, "answers"), a)))
            rc = hr_fail(err, HR_ENOMEM, "case");
        if (rc == HR_OK)
            rc = idx_put(txn, key, small_key('d', draft_id, key), case_id, err);
        if (rc == HR_OK)
            rc = agency_audit(txn, by, "case.answer", case_id, draft_id, err);
    }
    if (rc == HR_OK)
        rc = case_save(txn, c, err);
    json_decref(c);
    return rc;
}

/* The answers[] entry of DRAFT in case C (NULL: none). */
static json_t *answer_of(const json_t *c, const char *draft)
{
    return entry_of(c, "answers", "draft", draft);
}

/* Published: the case is answered (the first answer's time kept), no longer waits, and
 * the citizen's reply to our answer joins it (the answer note in the 'm' index). */
static int answered(struct store_txn *txn, json_t *c, json_t *a, const json_t *d,
                    struct hr_err *err)
{
    int64_t now = hr_clock_ms();
    int64_t since = json_object_get(c, "waiting_since_ms") ? num(c, "waiting_since_ms")
                                                           : num(c, "opened_ms");
    bool first = json_object_get(c, "first_answer_ms") == NULL;
    const char *note = str(d, "published_id");
    int rc = waiting(c) ? due_put(txn, c, false, err) : HR_OK;

    json_object_set_new(a, "note", json_string(note));
    json_object_set_new(a, "published_ms", json_integer(now));
    if (first)
        json_object_set_new(c, "first_answer_ms", json_integer(now));
    json_object_set_new(c, "answered_ms", json_integer(now));
    if (strcmp(str(c, "status"), "closed") != 0)
        json_object_set_new(c, "status", json_string("answered"));
    if (rc == HR_OK)
        rc = msg_index(txn, note, str(c, "id"), err);
    if (rc == HR_OK)
        rc = agency_event(txn, "case.answered",
                          json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:b}", "id", str(c, "id"),
                                    "account", str(c, "account"), "department",
                                    str(c, "department"), "draft", str(d, "id"), "note", note,
                                    "response_ms", (json_int_t)(now - since), "first", first),
                          err);
    return rc;
}

int agency_case_draft_event(struct store_txn *txn, const char *action, const json_t *d,
                            struct hr_err *err)
{
    bool submit = strcmp(action, "draft.submit") == 0;
    bool publish = strcmp(action, "post.publish") == 0;
    char key[48], *id = NULL;
    size_t klen, len = 0;
    json_t *c = NULL, *a;
    int rc = HR_OK;

    if (!submit && !publish)
        return HR_OK;
    klen = small_key('d', str(d, "id"), key);
    if (klen == 0 || store_rec_get(txn, STORE_T_CASE_IDX, key, klen, &id, &len, NULL) != HR_OK)
        return HR_OK; /* not an answer */
    if (agency_rec_json(txn, STORE_T_CASES, id, &c, NULL) == HR_OK &&
        (a = answer_of(c, str(d, "id"))) != NULL) {
        if (submit)
            json_object_set_new(a, "submitted_ms", json_integer(hr_clock_ms()));
        else
            rc = answered(txn, c, a, d, err);
        if (rc == HR_OK)
            rc = case_save(txn, c, err);
    }
    json_decref(c);
    free(id);
    return rc;
}

/* ---- the automatic acknowledgement (desk settings "ack", "ack_text") ---- */

static int ack_ids_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    (void)v, (void)vlen;
    if (klen > 2 && klen < 26)
        json_array_append_new(ctx, json_stringn((const char *)k + 2, klen - 2));
    return 0;
}

/* The acknowledgement's text for case C: the account's "ack_text" or the default in the
 * account's language, {case} and {deadline} (the date, UTC) filled in. Caller frees. */
static char *ack_text(struct store_txn *txn, const json_t *c)
{
    json_t *settings = NULL, *profile = NULL;
    struct store_account a = {0};
    const char *tmpl = NULL, *lang = NULL;
    char date[32];
    struct hr_buf b;

    hr_iso8601(num(c, "deadline_ms"), date);
    date[10] = '\0';
    if (agency_desk_settings(txn, str(c, "account"), &settings, NULL) == HR_OK)
        tmpl = json_string_value(json_object_get(settings, "ack_text"));
    if (store_account_get(txn, str(c, "department"), &a, NULL) == HR_OK && a.profile)
        profile = json_loads(a.profile, 0, NULL);
    lang = hr_i18n_pick(NULL, NULL, json_string_value(json_object_get(profile, "language")));
    if (tmpl == NULL || tmpl[0] == '\0')
        /* TRANSLATORS: the automatic acknowledgement of a citizen's message, posted as a
         * reply; {case} is the case's id (c17), {deadline} a date (YYYY-MM-DD) */
        tmpl = TR(lang, "We received your message as case {case} and will answer by {deadline}.");
    hr_buf_init(&b, 8192);
    hr_buf_subst(&b, tmpl, "case", str(c, "id"), "deadline", date, NULL);
    json_decref(settings);
    json_decref(profile);
    store_account_fini(&a);
    return b.err == HR_OK ? hr_buf_take(&b) : (hr_buf_fini(&b), NULL);
}

/* An acknowledgement that cannot go out (the citizen withdrew everything, the case was
 * closed, the draft was refused) is not due any more: the reason is kept on the case. */
static int ack_drop(struct store *st, const char *id, const char *why, struct hr_err *err)
{
    struct store_txn *txn = NULL;
    json_t *c = NULL;
    char key[48];
    int rc = store_txn_begin(st, STORE_WRITE, &txn, err);

    if (rc == HR_OK) {
        int gone = store_rec_del(txn, STORE_T_CASE_IDX, key, small_key('a', id, key), NULL);
        rc = gone == HR_ENOTFOUND ? HR_OK : gone;
    }
    if (rc == HR_OK && agency_rec_json(txn, STORE_T_CASES, id, &c, NULL) == HR_OK) {
        json_object_del(c, "ack_due");
        json_object_set_new(c, "ack_error", json_string(why));
        rc = case_save(txn, c, err);
    }
    if (rc == HR_OK) {
        rc = store_txn_commit(txn, err);
        txn = NULL;
    }
    store_txn_abort(txn);
    json_decref(c);
    return rc;
}

static int ack_one(struct store *st, struct fed *fed, const char *id, struct hr_err *err)
{
    struct store_txn *txn = NULL;
    struct agency_draft_result res = {0};
    struct hr_err why = {0};
    struct reply_to r;
    json_t *c = NULL;
    char *text = NULL, *full = NULL;
    bool ok = read_reply(st, NULL, id, &r, &why) == HR_OK;
    int rc = ok ? store_txn_begin(st, STORE_READ, &txn, err) : HR_OK;

    if (ok && rc == HR_OK && case_load(txn, id, &c, &why) == HR_OK)
        text = ack_text(txn, c);
    store_txn_abort(txn);
    full = text ? with_mention(text, r.acct) : NULL;
    if (rc == HR_OK && full != NULL) {
        struct agency_draft_input in = {.text = full, .reply_to = r.reply_to,
                                        .visibility = r.visibility};
        if (agency_draft_new_for_case(st, fed, AGENCY_LOCAL, r.dept, &in, true, id, true, &res,
                                      &why) != HR_OK)
            full[0] = '\0';
    }
    if (rc == HR_OK && (full == NULL || full[0] == '\0'))
        rc = ack_drop(st, id, why.msg[0] ? why.msg : "no acknowledgement could be written", err);
    free(text);
    free(full);
    json_decref(c);
    return rc;
}

int agency_case_tick(struct store *st, struct fed *fed, int64_t now_ms, struct hr_err *err)
{
    struct store_txn *txn = NULL;
    json_t *ids = json_array(), *v;
    size_t i;
    int rc = ids ? store_txn_begin(st, STORE_READ, &txn, err) : hr_fail(err, HR_ENOMEM, "ack");

    (void)now_ms;
    if (rc == HR_OK)
        rc = store_rec_each(txn, STORE_T_CASE_IDX, "a", 2, false, ack_ids_cb, ids, err);
    store_txn_abort(txn);
    json_array_foreach(rc == HR_OK ? ids : NULL, i, v) {
        if (rc == HR_OK)
            rc = ack_one(st, fed, json_string_value(v), err);
    }
    json_decref(ids);
    return rc;
}
