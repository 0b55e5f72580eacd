/* federation/polls.c - a poll of ours is a Question (as Mastodon emits it: oneOf or anyOf
 * of Notes with a name and replies.totalItems, endTime, votersCount, closed once closed);
 * votes arrive as Create(Note) with name = an option and inReplyTo = the Question
 * (docs/FEDERATION.md "Polls").
 * Votes are kept in STORE_T_VOTES: QUESTION NUL ACTOR -> {"choices":[..],"times":[..],
 * "inbox":URL}; the state of each poll still to report is "!poll" NUL QUESTION ->
 * {"account","closes_ms","seq","sent_seq","sent_ms"}: seq counts recorded votes, so a vote
 * that arrives while an update is being built is not lost (docs/storage.md). */
#include "federation/fed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POLL_STATE "!poll"

static bool is_question(const json_t *note)
{
    const char *t = json_string_value(json_object_get(note, "type"));

    return t != NULL && strcmp(t, "Question") == 0;
}

/* The options array of a Question (oneOf or anyOf), or NULL. */
static const json_t *options_of(const json_t *q, bool *multiple)
{
    const json_t *any = json_object_get(q, "anyOf");

    if (multiple != NULL)
        *multiple = json_is_array(any);
    return json_is_array(any) ? any : json_object_get(q, "oneOf");
}

static json_t *question_options(const json_t *names)
{
    json_t *arr = json_array(), *v;
    size_t i;

    json_array_foreach(names, i, v)
    {
        json_t *o = json_pack("{s:s,s:O,s:{s:s,s:i}}", "type", "Note", "name", v, "replies",
                              "type", "Collection", "totalItems", 0);
        if (o == NULL || json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

/* An edit keeps the poll as it was published: the options of a running consultation are
 * never changed, nor its closing time, nor its counts (docs/publishing.md). */
static int keep_poll(const json_t *prev, json_t *note)
{
    static const char *const keys[] = {"oneOf", "anyOf", "endTime", "votersCount", "closed"};

    json_object_set_new(note, "type", json_string("Question"));
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        json_t *v = json_object_get(prev, keys[i]);
        if (v != NULL)
            json_object_set(note, keys[i], v);
    }
    return HR_OK;
}

int fed_note_add_poll(struct fed *fed, const char *name, const struct fed_post_input *in,
                      const json_t *prev, json_t *note, struct hr_err *err)
{
    const json_t *names = json_object_get(in->poll, "options");
    json_int_t closes = json_integer_value(json_object_get(in->poll, "closes_ms"));
    char when[32];
    json_t *opts;

    (void)fed, (void)name;
    if (prev != NULL && is_question(prev))
        return keep_poll(prev, note);
    if (in->poll == NULL)
        return HR_OK;
    if (prev != NULL)
        return hr_fail(err, HR_EINVAL, "a poll cannot be added to a published post");
    if (!json_is_array(names) || json_array_size(names) < 2 || closes <= 0)
        return hr_fail(err, HR_EINVAL, "the draft's poll is malformed");
    opts = question_options(names);
    if (opts == NULL)
        return hr_fail(err, HR_ENOMEM, "poll");
    hr_iso8601(closes, when);
    json_object_set_new(note, "type", json_string("Question"));
    json_object_set_new(note,
                        json_is_true(json_object_get(in->poll, "multiple")) ? "anyOf" : "oneOf",
                        opts);
    json_object_set_new(note, "endTime", json_string(when));
    json_object_set_new(note, "votersCount", json_integer(0));
    return HR_OK;
}

/* ---- the state of a poll still to report ---- */

static size_t state_key(const char *question, char *key, size_t cap)
{
    int n = snprintf(key, cap, "%s%c%s", POLL_STATE, '\0', question);

    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

static json_t *rec_get_json(struct store_txn *txn, enum store_table t, const char *key,
                            size_t klen)
{
    char *val = NULL;
    size_t len = 0;
    json_t *j = NULL;

    if (store_rec_get(txn, t, key, klen, &val, &len, NULL) == HR_OK)
        j = json_loadb(val, len, 0, NULL);
    free(val);
    return j;
}

static int rec_put_json(struct store_txn *txn, enum store_table t, const char *key, size_t klen,
                        const json_t *j, struct hr_err *err)
{
    char *val = fed_json_dump(j);
    int rc = val ? store_rec_put(txn, t, key, klen, val, strlen(val), 0, err)
                 : hr_fail(err, HR_ENOMEM, "record");

    free(val);
    return rc;
}

int fed_poll_register(struct store_txn *txn, const char *account, const json_t *note, bool gone,
                      struct hr_err *err)
{
    const char *id = json_string_value(json_object_get(note, "id"));
    int64_t closes = 0;
    char key[1300];
    size_t klen;
    json_t *st;
    int rc;

    if (!is_question(note) || id == NULL || (klen = state_key(id, key, sizeof key)) == 0)
        return HR_OK;
    if (gone) {
        rc = store_rec_del(txn, STORE_T_VOTES, key, klen, err);
        return rc == HR_ENOTFOUND ? HR_OK : rc;
    }
    if (json_object_get(note, "closed") != NULL)
        return HR_OK;
    if ((st = rec_get_json(txn, STORE_T_VOTES, key, klen)) != NULL) {
        json_decref(st); /* an edit: the poll keeps its state */
        return HR_OK;
    }
    if (hr_xsd_datetime_parse(json_string_value(json_object_get(note, "endTime")), &closes) !=
        HR_OK)
        return hr_fail(err, HR_EINVAL, "the Question has no endTime");
    st = json_pack("{s:s,s:I,s:i,s:i,s:i}", "account", account, "closes_ms", (json_int_t)closes,
                   "seq", 0, "sent_seq", 0, "sent_ms", 0);
    rc = st ? rec_put_json(txn, STORE_T_VOTES, key, klen, st, err)
            : hr_fail(err, HR_ENOMEM, "poll state");
    json_decref(st);
    return rc;
}

/* One more vote recorded on QUESTION: its next update is due. */
static int poll_touch(struct store_txn *txn, const char *question, struct hr_err *err)
{
    char key[1300];
    size_t klen = state_key(question, key, sizeof key);
    json_t *st = klen ? rec_get_json(txn, STORE_T_VOTES, key, klen) : NULL;
    int rc;

    if (st == NULL)
        return HR_OK; /* published before polls were registered: counted, not reported */
    json_object_set_new(st, "seq",
                        json_integer(json_integer_value(json_object_get(st, "seq")) + 1));
    rc = rec_put_json(txn, STORE_T_VOTES, key, klen, st, err);
    json_decref(st);
    return rc;
}

/* ---- inbound votes ---- */

static int refuse(struct fed_react_res *res, int status, const char *code, const char *msg)
{
    res->status = status;
    res->code = code;
    snprintf(res->message, sizeof res->message, "%s", msg);
    return status == 404 ? HR_ENOTFOUND : status == 410 ? HR_EGONE : HR_EINVAL;
}

/* A vote as Mastodon sends it: a Note with a name and nothing to read. A Note with content
 * is a reply, even when it has a name. */
static bool looks_like_vote(const json_t *obj)
{
    const json_t *content = json_object_get(obj, "content");

    return json_is_object(obj) && json_object_get(obj, "name") != NULL &&
           (content == NULL || json_is_null(content) ||
            (json_is_string(content) && json_string_length(content) == 0));
}

static bool name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;

    if (n == 0 || n > 200)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return false;
    return true;
}

static bool has_option(const json_t *q, const char *choice)
{
    const json_t *v;
    size_t i;

    json_array_foreach(options_of(q, NULL), i, v)
    {
        const char *n = json_string_value(json_object_get(v, "name"));
        if (n != NULL && strcmp(n, choice) == 0)
            return true;
    }
    return false;
}

static bool open_at(const json_t *q, int64_t now_ms)
{
    int64_t end = 0;

    if (json_object_get(q, "closed") != NULL)
        return false;
    return hr_xsd_datetime_parse(json_string_value(json_object_get(q, "endTime")), &end) ==
               HR_OK &&
           now_ms < end;
}

static bool in_array(const json_t *arr, const char *s)
{
    const json_t *v;
    size_t i;

    json_array_foreach(arr, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
            return true;
    }
    return false;
}

/* The checks on the Question itself: open, the option exists, not voted before. */
static int vote_check(const json_t *q, const json_t *prior, const char *choice, int64_t now_ms,
                      struct fed_react_res *res)
{
    bool multiple;

    if (!is_question(q))
        return refuse(res, 422, "not_a_poll", "a vote on a post that is not a poll");
    if (!open_at(q, now_ms))
        return refuse(res, 403, "poll_closed", "the poll is closed");
    if (!has_option(q, choice))
        return refuse(res, 422, "poll_option_unknown", "no such option in this poll");
    options_of(q, &multiple);
    if (prior != NULL && (!multiple || in_array(json_object_get(prior, "choices"), choice)))
        return refuse(res, 409, "vote_duplicate",
                      multiple ? "this actor already chose this option"
                               : "this actor already voted in this poll");
    return HR_OK;
}

static int vote_record(struct store_txn *txn, const char *question, const char *actor,
                       const char *inbox, json_t *prior, const char *choice, int64_t now_ms,
                       struct hr_err *err)
{
    char key[2400];
    int n = snprintf(key, sizeof key, "%s%c%s", question, '\0', actor);
    json_t *v = prior ? json_incref(prior)
                      : json_pack("{s:[],s:[],s:s}", "choices", "times", "inbox",
                                  inbox ? inbox : "");
    int rc;

    if (n <= 0 || (size_t)n >= sizeof key || n > 480)
        rc = hr_fail(err, HR_EINVAL, "vote key too long");
    else if (v == NULL)
        rc = hr_fail(err, HR_ENOMEM, "vote");
    else {
        json_array_append_new(json_object_get(v, "choices"), json_string(choice));
        json_array_append_new(json_object_get(v, "times"), json_integer(now_ms));
        rc = rec_put_json(txn, STORE_T_VOTES, key, (size_t)n, v, err);
    }
    json_decref(v);
    return rc == HR_OK ? poll_touch(txn, question, err) : rc;
}

static json_t *vote_prior(struct store_txn *txn, const char *question, const char *actor)
{
    char key[2400];
    int n = snprintf(key, sizeof key, "%s%c%s", question, '\0', actor);

    return n > 0 && (size_t)n < sizeof key ? rec_get_json(txn, STORE_T_VOTES, key, (size_t)n)
                                           : NULL;
}

/* The vote's own shape: who cast it and which option it names. */
static int vote_shape(const json_t *obj, const char *actor, const char **choice,
                      struct fed_react_res *res)
{
    const json_t *by = json_object_get(obj, "attributedTo");

    *choice = json_string_value(json_object_get(obj, "name"));
    if (!json_is_string(by))
        return refuse(res, 400, "vote_malformed", "a vote names its voter in attributedTo");
    if (strcmp(json_string_value(by), actor) != 0) /* FEP-fe34: one's own votes only */
        return refuse(res, 403, "origin", "a vote attributed to another actor");
    if (!name_ok(*choice))
        return refuse(res, 400, "vote_malformed",
                      "a vote's name must be 1 to 200 bytes without control characters");
    return HR_OK;
}

int fed_vote_inbound(struct fed *fed, struct store_txn *txn, const json_t *act,
                     const char *actor, const char *inbox, int64_t now_ms, bool *is_vote,
                     struct fed_react_res *res, struct hr_err *err)
{
    const char *type = json_string_value(json_object_get(act, "type"));
    const json_t *obj = json_object_get(act, "object");
    const char *target = json_string_value(json_object_get(obj, "inReplyTo"));
    const char *choice = NULL;
    json_t *q = NULL, *prior = NULL;
    int rc;

    *is_vote = false;
    if (type == NULL || strcmp(type, "Create") != 0 || !looks_like_vote(obj) ||
        target == NULL || !fed_is_local(fed, target))
        return HR_OK;
    *is_vote = true;
    rc = vote_shape(obj, actor, &choice, res);
    if (rc == HR_OK && strlen(target) + strlen(actor) + 1 > 480) /* a store key's limit */
        return refuse(res, 400, "vote_malformed", "the question and voter ids are too long");
    if (rc == HR_OK) {
        rc = fed_own_note_get(txn, target, &q);
        if (rc == HR_ENOTFOUND)
            return refuse(res, 404, "not_found", "a vote on a post that is not here");
        if (rc == HR_EGONE)
            return refuse(res, 410, "gone", "a vote on a deleted post");
    }
    if (rc == HR_OK && (prior = vote_prior(txn, target, actor)) != NULL &&
        !json_is_array(json_object_get(prior, "choices")))
        json_decref(prior), prior = NULL;
    if (rc == HR_OK)
        rc = vote_check(q, prior, choice, now_ms, res);
    if (rc == HR_OK)
        rc = vote_record(txn, target, actor, inbox, prior, choice, now_ms, err);
    json_decref(q);
    json_decref(prior);
    return rc;
}

/* ---- counting ---- */

struct tally {
    const json_t *q;  /* the Question */
    json_int_t counts[16];
    json_int_t voters;
    json_t *rows;     /* NULL, or [{"actor","option","time"}] for the record */
    json_t *inboxes;  /* NULL, or [[actor, inbox]] of the voters */
    size_t qlen;      /* the prefix QUESTION NUL */
};

static int tally_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct tally *t = ctx;
    json_t *rec = json_loadb(v, vlen, 0, NULL), *c;
    const json_t *opts = options_of(t->q, NULL), *times = json_object_get(rec, "times");
    json_t *actor = json_stringn((const char *)k + t->qlen, klen - t->qlen);
    size_t i;

    t->voters++;
    json_array_foreach(json_object_get(rec, "choices"), i, c)
    {
        for (size_t o = 0; o < json_array_size(opts) && o < 16; o++)
            if (json_equal(json_object_get(json_array_get(opts, o), "name"), c))
                t->counts[o]++;
        if (t->rows != NULL)
            json_array_append_new(t->rows,
                                  json_pack("{s:O,s:O,s:O}", "actor", actor, "option", c,
                                            "time", json_array_get(times, i)));
    }
    if (t->inboxes != NULL && json_string_length(json_object_get(rec, "inbox")) > 0)
        json_array_append_new(t->inboxes,
                              json_pack("[O,O]", actor, json_object_get(rec, "inbox")));
    json_decref(actor);
    json_decref(rec);
    return HR_OK;
}

static int tally_run(struct store_txn *txn, const char *question, struct tally *t,
                     struct hr_err *err)
{
    char prefix[1300];
    int n = snprintf(prefix, sizeof prefix, "%s%c", question, '\0');

    if (n <= 0 || (size_t)n >= sizeof prefix)
        return hr_fail(err, HR_EINVAL, "question id too long");
    t->qlen = (size_t)n;
    return store_rec_each(txn, STORE_T_VOTES, prefix, (size_t)n, false, tally_cb, t, err);
}

/* Q with the counts of T (and closed, when CLOSING). */
static void tally_apply(json_t *q, const struct tally *t, bool closing)
{
    json_t *opts = (json_t *)(uintptr_t)options_of(q, NULL), *o;
    size_t i;

    json_array_foreach(opts, i, o)
    {
        json_object_set_new(o, "replies", json_pack("{s:s,s:I}", "type", "Collection",
                                                    "totalItems", i < 16 ? t->counts[i] : 0));
    }
    json_object_set_new(q, "votersCount", json_integer(t->voters));
    if (closing) /* Mastodon emits closed as the closing time */
        json_object_set(q, "closed", json_object_get(q, "endTime"));
}

int fed_poll_results(struct fed *fed, const char *question, json_t **out, struct hr_err *err)
{
    struct store_txn *txn = NULL;
    struct tally t = {.rows = json_array()};
    json_t *q = NULL, *opts = json_array(), *o;
    int rc = store_txn_begin(fed->st, STORE_READ, &txn, err);
    bool multiple = false;
    size_t i;

    if (rc == HR_OK && (rc = fed_own_note_get(txn, question, &q)) != HR_OK)
        rc = hr_fail(err, rc, "no poll of ours at %.300s", question);
    if (rc == HR_OK && !is_question(q))
        rc = hr_fail(err, HR_EINVAL, "%.300s is not a poll", question);
    t.q = q;
    if (rc == HR_OK)
        rc = tally_run(txn, question, &t, err);
    store_txn_abort(txn);
    json_array_foreach(options_of(q, &multiple), i, o)
    {
        json_array_append_new(opts, json_pack("{s:O,s:I}", "name", json_object_get(o, "name"),
                                              "votes", i < 16 ? t.counts[i] : 0));
    }
    if (rc == HR_OK)
        *out = json_pack("{s:s,s:O,s:b,s:O,s:b,s:I,s:o,s:o}", "question", question, "content",
                         json_object_get(q, "content"), "multiple", multiple, "closes",
                         json_object_get(q, "endTime"), "open", open_at(q, hr_now_ms()),
                         "votersCount", t.voters, "options", opts, "votes", t.rows);
    else
        json_decref(opts), json_decref(t.rows);
    if (rc == HR_OK && *out == NULL)
        rc = hr_fail(err, HR_ENOMEM, "poll results");
    json_decref(q);
    return rc;
}

/* ---- reporting: Update(Question) to the followers and the voters ---- */

struct due {
    char question[1200], account[32];
    json_int_t seq;
    bool closing;
};

struct due_walk {
    int64_t now, interval;
    struct due d[16];
    size_t n;
};

static int due_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct due_walk *w = ctx;
    size_t plen = strlen(POLL_STATE) + 1;
    json_t *st = json_loadb(v, vlen, 0, NULL);
    json_int_t seq = json_integer_value(json_object_get(st, "seq"));
    json_int_t sent_seq = json_integer_value(json_object_get(st, "sent_seq"));
    json_int_t sent_ms = json_integer_value(json_object_get(st, "sent_ms"));
    bool closing = w->now >= json_integer_value(json_object_get(st, "closes_ms"));
    const char *account = json_string_value(json_object_get(st, "account"));
    struct due *d = &w->d[w->n];

    if (closing || (seq != sent_seq && w->now >= sent_ms + w->interval)) {
        if (account != NULL && strlen(account) < sizeof d->account &&
            klen - plen < sizeof d->question) {
            memcpy(d->question, (const char *)k + plen, klen - plen);
            d->question[klen - plen] = '\0';
            snprintf(d->account, sizeof d->account, "%s", account);
            d->seq = seq;
            d->closing = closing;
            w->n++;
        }
    }
    json_decref(st);
    return w->n == sizeof w->d / sizeof w->d[0] ? HR_EEXIST : HR_OK;
}

/* What one report writes, built before the write transaction. */
struct report {
    struct store_object old; /* the Question as read */
    char *q_json, *update_json;
    char update_id[1300];
    json_t *inboxes;
};

static json_int_t seq_now(struct store_txn *txn, const char *question, json_int_t seq)
{
    char key[1300];
    size_t klen = state_key(question, key, sizeof key);
    json_t *st = klen ? rec_get_json(txn, STORE_T_VOTES, key, klen) : NULL;

    if (st != NULL)
        seq = json_integer_value(json_object_get(st, "seq"));
    json_decref(st);
    return seq;
}

static int report_build(struct fed *fed, struct due *d, struct report *r,
                        struct hr_err *err)
{
    struct store_txn *txn = NULL;
    struct tally t = {.inboxes = json_array()};
    char actor[512], id[40];
    json_t *q = NULL, *upd = NULL;
    int rc = store_txn_begin(fed->st, STORE_READ, &txn, err);

    if (rc == HR_OK)
        rc = store_object_get(txn, d->question, &r->old, err);
    q = rc == HR_OK ? json_loadb(r->old.json, r->old.json_len, 0, NULL) : NULL;
    t.q = q;
    if (rc == HR_OK && (q == NULL || !is_question(q)))
        rc = hr_fail(err, HR_EINVAL, "%.300s is no longer a poll", d->question);
    if (rc == HR_OK)
        rc = tally_run(txn, d->question, &t, err);
    if (rc == HR_OK) /* the votes counted are exactly those up to this seq */
        d->seq = seq_now(txn, d->question, d->seq);
    store_txn_abort(txn);
    r->inboxes = t.inboxes;
    if (rc == HR_OK) {
        tally_apply(q, &t, d->closing);
        rc = fed_signed_dump(fed, d->account, q, &r->q_json, err);
        json_object_del(q, "@context");
    }
    fed_actor_url(fed, d->account, actor, sizeof actor);
    fed_new_id(id);
    snprintf(r->update_id, sizeof r->update_id, "%s/updates/%s", d->question, id);
    upd = rc == HR_OK ? json_pack("{s:s,s:s,s:s,s:O*,s:O*,s:O}", "id", r->update_id, "type",
                                  "Update", "actor", actor, "to", json_object_get(q, "to"),
                                  "cc", json_object_get(q, "cc"), "object", q)
                      : NULL;
    if (rc == HR_OK)
        rc = upd ? fed_signed_dump(fed, d->account, upd, &r->update_json, err)
                 : hr_fail(err, HR_ENOMEM, "Update(Question)");
    json_decref(upd);
    json_decref(q);
    return rc;
}

static void report_fini(struct report *r)
{
    store_object_fini(&r->old);
    free(r->q_json);
    free(r->update_json);
    json_decref(r->inboxes);
}

/* The voters who do not follow the account get the results at their own inbox. */
static int report_voters(struct store_txn *txn, const struct due *d, const struct report *r,
                         struct hr_err *err)
{
    struct store_follower f = {0};
    const json_t *pair;
    int rc = HR_OK;
    size_t i;

    json_array_foreach(r->inboxes, i, pair)
    {
        const char *actor = json_string_value(json_array_get(pair, 0));
        const char *inbox = json_string_value(json_array_get(pair, 1));
        if (rc != HR_OK || actor == NULL || inbox == NULL)
            continue;
        if (store_follower_get(txn, d->account, actor, &f, NULL) == HR_OK) {
            store_follower_fini(&f);
            continue; /* the fan-out reaches them */
        }
        rc = fed_enqueue(txn, d->account, r->update_id, inbox, actor, err);
    }
    return rc;
}

static int report_state(struct store_txn *txn, const struct due *d, int64_t now_ms,
                        struct hr_err *err)
{
    char key[1300];
    size_t klen = state_key(d->question, key, sizeof key);
    json_t *st = klen ? rec_get_json(txn, STORE_T_VOTES, key, klen) : NULL;
    int rc;

    if (d->closing || st == NULL) { /* reported for the last time */
        json_decref(st);
        rc = klen ? store_rec_del(txn, STORE_T_VOTES, key, klen, err) : HR_OK;
        return rc == HR_ENOTFOUND ? HR_OK : rc;
    }
    json_object_set_new(st, "sent_seq", json_integer(d->seq));
    json_object_set_new(st, "sent_ms", json_integer(now_ms));
    rc = rec_put_json(txn, STORE_T_VOTES, key, klen, st, err);
    json_decref(st);
    return rc;
}

static int report_commit(struct fed *fed, const struct due *d, const struct report *r,
                         int64_t now_ms, struct hr_err *err)
{
    struct store_object now = {0}, o = {.id = r->old.id, .account = r->old.account,
                                        .type = r->old.type,
                                        .published_ms = r->old.published_ms, .json = r->q_json};
    struct store_txn *txn = NULL;
    json_t *q = json_loads(r->q_json, 0, NULL);
    int rc = store_txn_begin(fed->st, STORE_WRITE, &txn, err);

    if (rc == HR_OK)
        rc = store_object_get(txn, d->question, &now, err);
    if (rc == HR_OK && strcmp(now.json, r->old.json) != 0)
        rc = hr_fail(err, HR_EEXIST, "the poll changed meanwhile");
    if (rc == HR_OK)
        rc = store_object_put(txn, &o, err);
    o.id = (char *)(uintptr_t)r->update_id;
    o.type = (char *)(uintptr_t) "Update";
    o.json = r->update_json;
    o.published_ms = now_ms;
    if (rc == HR_OK)
        rc = store_object_put(txn, &o, err);
    if (rc == HR_OK && q != NULL && fed_note_to_followers(q))
        rc = fed_fanout_queue(txn, d->account, r->update_id, err);
    if (rc == HR_OK)
        rc = report_voters(txn, d, r, err);
    if (rc == HR_OK)
        rc = report_state(txn, d, now_ms, err);
    if (rc == HR_OK) {
        rc = store_txn_commit(txn, err);
        txn = NULL;
    }
    store_txn_abort(txn);
    store_object_fini(&now);
    json_decref(q);
    return rc;
}

static void report_drop(struct fed *fed, void *item)
{
    const struct due *d = item;
    struct store_txn *txn = NULL;
    char key[1300];
    size_t klen = state_key(d->question, key, sizeof key);

    if (klen == 0 || store_txn_begin(fed->st, STORE_WRITE, &txn, NULL) != HR_OK)
        return;
    if (store_rec_del(txn, STORE_T_VOTES, key, klen, NULL) == HR_OK)
        store_txn_commit(txn, NULL);
    else
        store_txn_abort(txn);
}

/* fed_due_run's RUN: the results, signed and queued for the voters and followers. */
static int report_one(struct fed *fed, void *item, int64_t now_ms, struct hr_err *err)
{
    struct report r = {0};
    int rc = report_build(fed, item, &r, err);

    if (rc == HR_OK)
        rc = report_commit(fed, item, &r, now_ms, err);
    report_fini(&r);
    return rc;
}

static const char *due_id(const void *item)
{
    return ((const struct due *)item)->question;
}

/* The scheduler thread calls this once a second: one read transaction over the polls
 * still to report (few: the open ones), and work only for those due. */
size_t fed_polls_tick(struct fed *fed, int64_t now_ms, int64_t interval_ms)
{
    struct due_walk w = {.now = now_ms, .interval = interval_ms};
    char prefix[8];
    int n = snprintf(prefix, sizeof prefix, "%s%c", POLL_STATE, '\0');
    const struct fed_due d = {
        .table = STORE_T_VOTES, .prefix = prefix, .plen = (size_t)n, .collect = due_cb,
        .walk = &w, .items = w.d, .n = &w.n, .item_size = sizeof w.d[0], .run = report_one,
        .drop = report_drop, .id = due_id, .mod = "poll", .noun = "results",
        .verb = "sent"};
    size_t sent = fed_due_run(fed, &d, now_ms);

    if (sent > 0)
        fed_wake(fed);
    return sent;
}
