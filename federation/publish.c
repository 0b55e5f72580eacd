/* federation/publish.c - a post becomes a Note, its Create, an outbox entry and one
 * delivery job per distinct inbox, all in one write transaction: a post is either
 * published and queued to every follower, or not at all. */
#include "federation/fed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FED_POST_MAX 100000 /* bytes of text in one post */

int fed_enqueue(struct store_txn *txn, const char *account, const char *activity_id,
                const char *inbox, const char *recipient, struct hr_err *err)
{
    struct store_delivery d = {
        .due_ms = hr_now_ms(),
        .created_ms = hr_now_ms(),
        .inbox = (char *)(uintptr_t)inbox,
        .account = (char *)(uintptr_t)account,
        .activity_id = (char *)(uintptr_t)activity_id,
        .recipient = (char *)(uintptr_t)(recipient ? recipient : ""),
    };

    return store_delivery_add(txn, &d, NULL, err);
}

/* One delivery of a fan-out, before it is queued. */
struct fan_job {
    char *inbox, *recipient;
    char host[300];   /* the inbox's host: jobs are interleaved by it */
    size_t order;     /* follower order */
    size_t rank;      /* 0 for the first job of its host, 1 for the second, ... */
    size_t host_first; /* order of its host's first job */
};

struct fanout {
    struct fed_strset inboxes;
    struct fan_job *jobs;
    size_t n, cap;
    struct hr_err *err;
};

/* One job per distinct inbox: followers on one server share its sharedInbox, so a
 * post to 10,000 followers on 500 servers is 500 signed requests, not 10,000. */
static int fanout_one(const struct store_follower *f, void *ctx)
{
    struct fanout *fo = ctx;
    bool shared = f->shared_inbox[0] != '\0';
    const char *inbox = shared ? f->shared_inbox : f->inbox;
    struct fan_job *j;
    int rc = fed_strset_add(&fo->inboxes, inbox);

    if (rc == HR_EEXIST)
        return HR_OK;
    if (rc != HR_OK)
        return hr_fail(fo->err, rc, "fan-out");
    if (fo->n == fo->cap) {
        size_t cap = fo->cap ? fo->cap * 2 : 64;
        struct fan_job *bigger = realloc(fo->jobs, cap * sizeof *bigger);
        if (bigger == NULL)
            return hr_fail(fo->err, HR_ENOMEM, "fan-out");
        fo->jobs = bigger;
        fo->cap = cap;
    }
    j = &fo->jobs[fo->n];
    *j = (struct fan_job){.inbox = strdup(inbox), .recipient = strdup(shared ? "" : f->actor),
                          .order = fo->n};
    if (j->inbox == NULL || j->recipient == NULL) {
        free(j->inbox);
        free(j->recipient);
        return hr_fail(fo->err, HR_ENOMEM, "fan-out");
    }
    if (fed_url_host(inbox, j->host, sizeof j->host, NULL) != HR_OK)
        j->host[0] = '\0'; /* queued all the same: the worker drops a bad URL, logged */
    fo->n++;
    return HR_OK;
}

static int by_host(const void *a, const void *b)
{
    const struct fan_job *x = a, *y = b;
    int c = strcmp(x->host, y->host);

    return c != 0 ? c : (x->order > y->order) - (x->order < y->order);
}

static int by_rank(const void *a, const void *b)
{
    const struct fan_job *x = a, *y = b;

    if (x->rank != y->rank)
        return (x->rank > y->rank) - (x->rank < y->rank);
    return (x->host_first > y->host_first) - (x->host_first < y->host_first);
}

/* Queues one job per distinct inbox of ACCOUNT's followers, interleaved by host (first
 * job of every host, then every second, ...): jobs are claimed in queue order, and in
 * follower order a claimed batch could all go to one host and wait on its per-host limit
 * while other hosts' connections stay idle. */
int fed_fanout_queue(struct store_txn *txn, const char *account, const char *activity_id,
                     struct hr_err *err)
{
    struct fanout fo = {.err = err};
    int rc = store_follower_each(txn, account, NULL, SIZE_MAX, fanout_one, &fo, err);

    if (rc == HR_OK && fo.n > 0) {
        qsort(fo.jobs, fo.n, sizeof *fo.jobs, by_host);
        for (size_t i = 0; i < fo.n; i++) {
            bool same = i > 0 && strcmp(fo.jobs[i].host, fo.jobs[i - 1].host) == 0;
            fo.jobs[i].rank = same ? fo.jobs[i - 1].rank + 1 : 0;
            fo.jobs[i].host_first = same ? fo.jobs[i - 1].host_first : fo.jobs[i].order;
        }
        qsort(fo.jobs, fo.n, sizeof *fo.jobs, by_rank);
    }
    for (size_t i = 0; i < fo.n; i++) {
        if (rc == HR_OK)
            rc = fed_enqueue(txn, account, activity_id, fo.jobs[i].inbox, fo.jobs[i].recipient,
                             err);
        free(fo.jobs[i].inbox);
        free(fo.jobs[i].recipient);
    }
    free(fo.jobs);
    fed_strset_fini(&fo.inboxes);
    return rc;
}

enum post_kind { POST_CREATE, POST_UPDATE, POST_DELETE, POST_ANNOUNCE };

struct fed_post {
    enum post_kind kind;
    char *account;
    char note_id[1200];
    json_t *create;      /* Create with the Note embedded */
    char *create_json;   /* serialised once, before any transaction */
    char *note_json;
    /* edits and deletes: what was read at prepare time (a concurrent change is refused),
     * the Update/Delete activity, and the previous version kept at version_id */
    char *old_json, *activity_json, *version_json;
    char activity_id[1400], version_id[1400];
    json_t *addressed; /* the Note whose addressing and tags decide the recipients */
    json_t *mentions;  /* the draft's resolved mentions (their inboxes), or NULL */
};

void fed_post_free(struct fed_post *p)
{
    if (p == NULL)
        return;
    free(p->account);
    json_decref(p->create);
    free(p->create_json);
    free(p->note_json);
    free(p->old_json);
    free(p->activity_json);
    free(p->version_json);
    json_decref(p->addressed);
    json_decref(p->mentions);
    free(p);
}

const char *fed_post_id(const struct fed_post *p)
{
    return p->note_id;
}

const char *fed_post_activity(const struct fed_post *p)
{
    return p->activity_json;
}

/* A quote: the quoted post as a FEP-e232 Link tag and as quoteUrl (what Misskey and
 * Mastodon 4.4+ read), and a visible "RE:" line for everyone else. */
static void add_quote(json_t *note, const char *url)
{
    struct hr_buf b;
    const char *content = json_string_value(json_object_get(note, "content"));

    hr_buf_init(&b, 1u << 21);
    hr_buf_adds(&b, content ? content : "");
    hr_buf_adds(&b, "<p class=\"quote-inline\">RE: <a href=\"");
    hr_buf_add_html(&b, url, strlen(url));
    hr_buf_adds(&b, "\">");
    hr_buf_add_html(&b, url, strlen(url));
    hr_buf_adds(&b, "</a></p>");
    if (b.err == HR_OK)
        json_object_set_new(note, "content", json_string(b.data));
    hr_buf_fini(&b);
    json_object_set_new(note, "quoteUrl", json_string(url));
    json_object_set_new(note, "tag",
                        json_pack("[{s:s,s:s,s:s,s:s}]", "type", "Link", "mediaType",
                                  "application/activity+json", "href", url, "name",
                                  "RE: quoted post"));
}

static json_t *build_note(struct fed *fed, const char *name, const struct fed_post_input *in,
                          const char *note_id, const char *when)
{
    char actor[512], followers[600];
    char *html = fed_note_html(fed, in);
    json_t *note;

    if (html == NULL)
        return NULL;
    fed_actor_url(fed, name, actor, sizeof actor);
    snprintf(followers, sizeof followers, "%s/followers", actor);
    note = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:[s], s:b}", "id", note_id, "type",
                     "Note", "attributedTo", actor, "content", html, "published", when, "url",
                     note_id, "to", FED_PUBLIC, "cc", followers, "sensitive",
                     in->cw != NULL && in->cw[0] != '\0');
    free(html);
    if (note != NULL && in->cw != NULL && in->cw[0] != '\0')
        json_object_set_new(note, "summary", json_string(in->cw));
    if (note != NULL && in->reply_to != NULL && in->reply_to[0] != '\0')
        json_object_set_new(note, "inReplyTo", json_string(in->reply_to));
    if (note != NULL && in->quote != NULL && in->quote[0] != '\0')
        add_quote(note, in->quote);
    return note;
}

/* *OUT = DOC (one of NAME's documents) with @context AS, signed (the context gains the
 * data-integrity one) and serialised. A proof DOC carried before (an edited copy) is
 * dropped first: it no longer matches. RC: the running result; nothing is done unless it
 * is HR_OK, so a chain of builds stops at its first failure. */
static int signed_dump(struct fed *fed, const char *name, json_t *doc, int rc, char **out,
                       struct hr_err *err)
{
    if (rc != HR_OK)
        return rc;
    if (doc == NULL)
        return hr_fail(err, HR_ENOMEM, "building a document");
    json_object_del(doc, "proof");
    json_object_set_new(doc, "@context", fed_note_context());
    rc = fed_proof_sign(fed, NULL, name, doc, err);
    if (rc == HR_OK && (*out = fed_json_dump(doc)) == NULL)
        rc = hr_fail(err, HR_ENOMEM, "serialising a signed document");
    return rc;
}

int fed_signed_dump(struct fed *fed, const char *name, json_t *doc, char **out,
                    struct hr_err *err)
{
    return signed_dump(fed, name, doc, HR_OK, out, err);
}

/* NOTE signed as served at its id, then without @context for embedding in an activity
 * whose @context is the same (the proof is checked with the embedding @context). */
static int signed_note(struct fed *fed, const char *name, json_t *note, int rc, char **out,
                       struct hr_err *err)
{
    rc = signed_dump(fed, name, note, rc, out, err);
    json_object_del(note, "@context");
    return rc;
}

static int check_input(const struct fed_post_input *in, struct hr_err *err)
{
    size_t n = in->text ? strlen(in->text) : 0;

    if (n == 0 || n > FED_POST_MAX)
        return hr_fail(err, HR_EINVAL, "post text must be 1 to %d bytes", FED_POST_MAX);
    if (!hr_utf8_valid(in->text, n))
        return hr_fail(err, HR_EINVAL, "post text is not valid UTF-8");
    if (in->cw != NULL && (strlen(in->cw) > 500 || !hr_utf8_valid(in->cw, strlen(in->cw))))
        return hr_fail(err, HR_EINVAL, "content warning must be valid UTF-8, at most 500 bytes");
    if (in->quote != NULL && in->quote[0] != '\0' &&
        (strlen(in->quote) > FED_ID_MAX || fed_url_check(in->quote, NULL) != HR_OK))
        return hr_fail(err, HR_EINVAL, "a quote must be the http(s) URL of a post");
    if (in->reply_to != NULL && in->reply_to[0] != '\0' &&
        (strlen(in->reply_to) > FED_ID_MAX || fed_url_check(in->reply_to, NULL) != HR_OK))
        return hr_fail(err, HR_EINVAL, "reply-to must be an http(s) URL");
    return HR_OK;
}

int fed_post_prepare(struct fed *fed, const char *name, const struct fed_post_input *in,
                     struct fed_post **out, struct hr_err *err)
{
    struct fed_post *p = NULL;
    char actor[512], followers[600], create_id[1300], id[40], when[32];
    json_t *note;
    int rc = check_input(in, err);

    if (rc != HR_OK)
        return rc;
    p = calloc(1, sizeof *p);
    if (p == NULL || (p->account = strdup(name)) == NULL) {
        fed_post_free(p);
        return hr_fail(err, HR_ENOMEM, "post");
    }
    fed_actor_url(fed, name, actor, sizeof actor);
    snprintf(followers, sizeof followers, "%s/followers", actor);
    fed_new_id(id);
    snprintf(p->note_id, sizeof p->note_id, "%s/notes/%s", actor, id);
    snprintf(create_id, sizeof create_id, "%s/activity", p->note_id);
    hr_iso8601(hr_now_ms(), when);
    note = build_note(fed, name, in, p->note_id, when);
    if (note != NULL)
        rc = fed_note_extend(fed, name, in, NULL, note, err);
    rc = signed_note(fed, name, note, rc, &p->note_json, err);
    p->addressed = json_incref(note);
    p->mentions = in->mentions ? json_deep_copy(in->mentions) : NULL;
    p->create = rc == HR_OK ? json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:O, s:O}",
                                        "@context", FED_AS_CONTEXT, "id", create_id, "type",
                                        "Create", "actor", actor, "published", when, "to",
                                        json_object_get(note, "to"), "cc",
                                        json_object_get(note, "cc"), "object", note)
                            : NULL;
    json_decref(note);
    rc = signed_dump(fed, name, p->create, rc, &p->create_json, err);
    if (rc != HR_OK) {
        fed_post_free(p);
        return rc;
    }
    *out = p;
    return HR_OK;
}

static int commit_change(struct store_txn *txn, const struct fed_post *p, struct hr_err *err);

/* The followers (unless a direct message) and every mentioned actor. */
static int deliver(struct store_txn *txn, const struct fed_post *p, const char *activity_id,
                   struct hr_err *err)
{
    int rc = HR_OK;

    if (p->addressed == NULL || fed_note_to_followers(p->addressed))
        rc = fed_fanout_queue(txn, p->account, activity_id, err);
    if (rc == HR_OK && p->addressed != NULL)
        rc = fed_note_deliver_mentions(txn, p->account, activity_id, p->addressed,
                                       p->mentions, err);
    return rc;
}

/* Stores the Note and its Create, the outbox entry and the fan-out, in TXN. */
int fed_post_commit(struct store_txn *txn, const struct fed_post *p, struct hr_err *err)
{
    if (p->kind != POST_CREATE)
        return commit_change(txn, p, err);
    {
    struct store_object o = {.account = p->account, .published_ms = hr_now_ms()};
    struct store_account a = {0};
    int rc = store_account_get(txn, p->account, &a, err);

    store_account_fini(&a);
    o.id = (char *)(uintptr_t)p->note_id;
    o.type = (char *)(uintptr_t) "Note";
    o.json = p->note_json;
    if (rc == HR_OK)
        rc = store_object_put(txn, &o, err);
    o.id = (char *)(uintptr_t)json_string_value(json_object_get(p->create, "id"));
    o.type = (char *)(uintptr_t) "Create";
    o.json = p->create_json;
    if (rc == HR_OK)
        rc = store_object_put(txn, &o, err);
    if (rc == HR_OK)
        rc = store_outbox_add(txn, p->account, o.id, NULL, err);
    if (rc == HR_OK)
        rc = deliver(txn, p, o.id, err);
    if (rc == HR_OK) /* its poll, and our reply counted (federation/reactions.c) */
        rc = fed_reactions_published(txn, p->account, p->addressed, false, err);
    return rc;
    }
}

int fed_publish_note(struct fed *fed, const char *name, const char *text, char **note_id,
                     struct hr_err *err)
{
    struct fed_post_input in = {.text = text};
    struct store_txn *txn = NULL;
    struct fed_post *p = NULL;
    int rc = fed_post_prepare(fed, name, &in, &p, err);

    if (rc == HR_OK)
        rc = store_txn_begin(fed->st, STORE_WRITE, &txn, err);
    if (rc == HR_OK)
        rc = fed_post_commit(txn, p, err);
    if (rc == HR_OK) {
        rc = store_txn_commit(txn, err);
        txn = NULL;
    }
    if (rc == HR_OK) {
        fed_wake(fed);
        *note_id = strdup(p->note_id);
        if (*note_id == NULL)
            rc = hr_fail(err, HR_ENOMEM, "note id");
    }
    store_txn_abort(txn);
    fed_post_free(p);
    return rc;
}

int fed_accept_queue(struct fed *fed, struct store_txn *txn, const char *name,
                     const json_t *follow, const char *inbox, char *id_out, size_t id_cap,
                     struct hr_err *err)
{
    char actor[512], id[40], accept_id[700];
    struct store_object o = {0};
    json_t *accept, *ref = fed_activity_ref(follow);
    char *body;
    int rc;

    fed_actor_url(fed, name, actor, sizeof actor);
    fed_new_id(id);
    snprintf(accept_id, sizeof accept_id, "%s/accepts/%s", actor, id);
    /* the Follow by its four fields only, never as received: the Accept is ours, served
     * under our domain (fed_activity_ref) */
    accept = ref ? json_pack("{s:s, s:s, s:s, s:s, s:o}", "@context", FED_AS_CONTEXT, "id",
                             accept_id, "type", "Accept", "actor", actor, "object", ref)
                 : NULL;
    body = accept ? fed_json_dump(accept) : NULL;
    json_decref(accept);
    if (body == NULL)
        return hr_fail(err, HR_ENOMEM, "Accept");
    o.id = accept_id;
    o.account = (char *)(uintptr_t)name;
    o.type = (char *)(uintptr_t) "Accept";
    o.published_ms = hr_now_ms();
    o.json = body;
    rc = store_object_put(txn, &o, err);
    if (rc == HR_OK)
        rc = fed_enqueue(txn, name, accept_id, inbox, "", err);
    if (rc == HR_OK && id_out != NULL)
        snprintf(id_out, id_cap, "%s", accept_id);
    free(body);
    return rc;
}

/* ---- edits (Update) and deletes (Delete + Tombstone) of our published Notes ---- */

/* Reads our Note NOTE_ID of account NAME and its Create, as they are now. */
static int read_published(struct fed *fed, const char *name, const char *note_id,
                          struct store_object *note, struct store_object *create,
                          struct hr_err *err)
{
    struct store_txn *txn = NULL;
    char create_id[1300];
    int rc = store_txn_begin(fed->st, STORE_READ, &txn, err);

    snprintf(create_id, sizeof create_id, "%s/activity", note_id);
    if (rc == HR_OK && store_object_get(txn, note_id, note, NULL) != HR_OK)
        rc = hr_fail(err, HR_ENOTFOUND, "no published post %.200s", note_id);
    if (rc == HR_OK && strcmp(note->type, "Tombstone") == 0)
        rc = hr_fail(err, HR_EGONE, "%.200s was deleted", note_id);
    if (rc == HR_OK && (strcmp(note->account, name) != 0 || strcmp(note->type, "Note") != 0))
        rc = hr_fail(err, HR_ENOTFOUND, "%.200s is not a post of %s", note_id, name);
    if (rc == HR_OK && store_object_get(txn, create_id, create, NULL) != HR_OK)
        rc = hr_fail(err, HR_ENOTFOUND, "the Create of %.200s is missing", note_id);
    store_txn_abort(txn);
    return rc;
}

static int new_change(struct fed *fed, const char *name, const char *note_id,
                      enum post_kind kind, struct fed_post **out, json_t **note,
                      json_t **create, struct hr_err *err)
{
    struct store_object n = {0}, c = {0};
    struct fed_post *p = calloc(1, sizeof *p);
    char id[40];
    int rc = p ? read_published(fed, name, note_id, &n, &c, err) : hr_fail(err, HR_ENOMEM, "post");

    if (rc == HR_OK) {
        p->kind = kind;
        p->account = strdup(name);
        snprintf(p->note_id, sizeof p->note_id, "%s", note_id);
        p->old_json = n.json;
        n.json = NULL;
        *note = json_loads(p->old_json, 0, NULL);
        *create = json_loads(c.json, 0, NULL);
        fed_new_id(id);
        snprintf(p->activity_id, sizeof p->activity_id, "%s/%s/%s", note_id,
                 kind == POST_UPDATE ? "updates" : "delete", id);
        snprintf(p->version_id, sizeof p->version_id, "%s/versions/%s", note_id, id);
        if (p->account == NULL || *note == NULL || *create == NULL)
            rc = hr_fail(err, HR_EIO, "stored post is unreadable");
    }
    store_object_fini(&n);
    store_object_fini(&c);
    if (rc != HR_OK) {
        fed_post_free(p);
        return rc;
    }
    *out = p;
    return HR_OK;
}

static json_t *wrap(const char *type, const char *id, const json_t *note, json_t *object)
{
    return json_pack("{s:s,s:s,s:s,s:O,s:s,s:O,s:O,s:o}", "@context", FED_AS_CONTEXT, "id", id,
                     "type", type, "actor", json_object_get(note, "attributedTo"), "published",
                     json_string_value(json_object_get(object, "updated"))
                         ? json_string_value(json_object_get(object, "updated"))
                         : json_string_value(json_object_get(object, "deleted")),
                     "to", json_object_get(note, "to"), "cc", json_object_get(note, "cc"),
                     "object", object);
}

int fed_post_prepare_update(struct fed *fed, const char *name, const char *note_id,
                            const struct fed_post_input *in, struct fed_post **out,
                            struct hr_err *err)
{
    json_t *note = NULL, *create = NULL, *updated = NULL, *version, *versions;
    struct fed_post *p = NULL;
    char when[32], *html = NULL;
    int rc = check_input(in, err);

    if (rc == HR_OK)
        rc = new_change(fed, name, note_id, POST_UPDATE, &p, &note, &create, err);
    if (rc != HR_OK)
        goto out;
    hr_iso8601(hr_now_ms(), when);
    /* the previous version stays readable at its own id */
    version = json_deep_copy(note);
    json_object_set_new(version, "id", json_string(p->version_id));
    json_object_set_new(version, "versionOf", json_string(note_id));
    rc = signed_dump(fed, name, version, rc, &p->version_json, err);
    json_decref(version);
    html = fed_note_html(fed, in);
    updated = json_deep_copy(note);
    json_object_set_new(updated, "content", json_string(html ? html : ""));
    json_object_set_new(updated, "updated", json_string(when));
    json_object_del(updated, "summary");
    json_object_set_new(updated, "sensitive", json_boolean(in->cw && in->cw[0]));
    if (in->cw && in->cw[0])
        json_object_set_new(updated, "summary", json_string(in->cw));
    rc = rc == HR_OK ? fed_note_extend(fed, name, in, note, updated, err) : rc;
    p->addressed = json_incref(updated);
    p->mentions = in->mentions ? json_deep_copy(in->mentions) : NULL;
    versions = json_object_get(updated, "versions");
    if (!json_is_array(versions))
        json_object_set_new(updated, "versions", versions = json_array());
    json_array_append_new(versions, json_string(p->version_id));
    rc = signed_note(fed, name, updated, rc, &p->note_json, err);
    json_object_set(create, "object", updated);
    rc = signed_dump(fed, name, create, rc, &p->create_json, err);
    if (rc == HR_OK) {
        json_t *act = wrap("Update", p->activity_id, note, json_incref(updated));
        rc = signed_dump(fed, name, act, rc, &p->activity_json, err);
        json_decref(act);
    }
out:
    free(html);
    json_decref(note);
    json_decref(create);
    json_decref(updated);
    if (rc == HR_OK)
        *out = p;
    else
        fed_post_free(p);
    return rc;
}

static bool is_question(const json_t *note)
{
    const char *t = json_string_value(json_object_get(note, "type"));

    return t != NULL && strcmp(t, "Question") == 0;
}

int fed_post_prepare_delete(struct fed *fed, const char *name, const char *note_id,
                            struct fed_post **out, struct hr_err *err)
{
    json_t *note = NULL, *create = NULL, *tomb = NULL, *act = NULL;
    struct fed_post *p = NULL;
    char when[32];
    int rc = new_change(fed, name, note_id, POST_DELETE, &p, &note, &create, err);

    if (rc != HR_OK)
        goto out;
    hr_iso8601(hr_now_ms(), when);
    tomb = json_pack("{s:s,s:s,s:s,s:s}", "id", note_id, "type", "Tombstone", "formerType",
                     is_question(note) ? "Question" : "Note",
                     "deleted", when);
    p->addressed = json_incref(note);
    /* earlier versions of a deleted post go too: deleted means no longer served */
    p->version_json = json_is_array(json_object_get(note, "versions"))
                          ? fed_json_dump(json_object_get(note, "versions"))
                          : strdup("[]");
    act = tomb ? wrap("Delete", p->activity_id, note, json_incref(tomb)) : NULL;
    json_object_set_new(tomb, "@context", json_string(FED_AS_CONTEXT));
    p->note_json = tomb ? fed_json_dump(tomb) : NULL;
    rc = signed_dump(fed, name, act, rc, &p->activity_json, err);
    if (rc == HR_OK && p->note_json == NULL)
        rc = hr_fail(err, HR_ENOMEM, "building the Delete");
out:
    json_decref(note);
    json_decref(create);
    json_decref(tomb);
    json_decref(act);
    if (rc == HR_OK)
        *out = p;
    else
        fed_post_free(p);
    return rc;
}

static int put(struct store_txn *txn, const struct fed_post *p, const char *id, const char *type,
               const char *json, struct hr_err *err)
{
    struct store_object o = {.id = (char *)(uintptr_t)id, .account = p->account,
                             .type = (char *)(uintptr_t)type, .published_ms = hr_now_ms(),
                             .json = (char *)(uintptr_t)json};
    return store_object_put(txn, &o, err);
}

/* Update or Delete: the Note as read at prepare time must still be there, unchanged. */
static int commit_announce(struct store_txn *txn, const struct fed_post *p, struct hr_err *err)
{
    int rc = put(txn, p, p->activity_id, "Announce", p->activity_json, err);

    if (rc == HR_OK)
        rc = store_outbox_add(txn, p->account, p->activity_id, NULL, err);
    if (rc == HR_OK)
        rc = fed_fanout_queue(txn, p->account, p->activity_id, err);
    return rc;
}

static int commit_change(struct store_txn *txn, const struct fed_post *p, struct hr_err *err)
{
    struct store_object now = {0};
    char create_id[1300];
    int rc;

    if (p->kind == POST_ANNOUNCE)
        return commit_announce(txn, p, err);
    rc = store_object_get(txn, p->note_id, &now, err);

    if (rc == HR_OK && strcmp(now.json, p->old_json) != 0)
        rc = hr_fail(err, HR_EEXIST, "the post changed meanwhile: try again");
    store_object_fini(&now);
    snprintf(create_id, sizeof create_id, "%s/activity", p->note_id);
    if (rc == HR_OK && p->kind == POST_UPDATE) {
        rc = put(txn, p, p->version_id, "Note", p->version_json, err);
        if (rc == HR_OK)
            rc = put(txn, p, p->note_id, "Note", p->note_json, err);
        if (rc == HR_OK)
            rc = put(txn, p, create_id, "Create", p->create_json, err);
    } else if (rc == HR_OK) {
        json_t *versions = p->version_json ? json_loads(p->version_json, 0, NULL) : NULL, *v;
        size_t i;
        rc = put(txn, p, p->note_id, "Tombstone", p->note_json, err);
        if (rc == HR_OK) /* no more poll results; our reply no longer counted */
            rc = fed_reactions_published(txn, p->account, p->addressed, true, err);
        if (rc == HR_OK) /* the outbox skips what is gone */
            rc = store_object_del(txn, create_id, err);
        json_array_foreach(versions, i, v) if (rc == HR_OK && json_is_string(v))
            store_object_del(txn, json_string_value(v), NULL);
        json_decref(versions);
    }
    if (rc == HR_OK)
        rc = put(txn, p, p->activity_id, p->kind == POST_UPDATE ? "Update" : "Delete",
                 p->activity_json, err);
    if (rc == HR_OK)
        rc = deliver(txn, p, p->activity_id, err);
    return rc;
}

/* A boost: Announce of URL to NAME's followers (and in its outbox). */
int fed_post_prepare_announce(struct fed *fed, const char *name, const char *url,
                              struct fed_post **out, struct hr_err *err)
{
    char actor[512], followers[600], id[40], when[32];
    struct fed_post *p;
    json_t *ann;
    int rc;

    if (url == NULL || strlen(url) > FED_ID_MAX || fed_url_check(url, NULL) != HR_OK)
        return hr_fail(err, HR_EINVAL, "a boost needs the http(s) URL of a post");
    p = calloc(1, sizeof *p);
    if (p == NULL || (p->account = strdup(name)) == NULL) {
        fed_post_free(p);
        return hr_fail(err, HR_ENOMEM, "boost");
    }
    p->kind = POST_ANNOUNCE;
    fed_actor_url(fed, name, actor, sizeof actor);
    snprintf(followers, sizeof followers, "%s/followers", actor);
    fed_new_id(id);
    snprintf(p->activity_id, sizeof p->activity_id, "%s/announces/%s", actor, id);
    snprintf(p->note_id, sizeof p->note_id, "%.1199s", p->activity_id);
    hr_iso8601(hr_now_ms(), when);
    ann = json_pack("{s:s,s:s,s:s,s:s,s:s,s:[s],s:[s],s:s}", "@context", FED_AS_CONTEXT, "id",
                    p->activity_id, "type", "Announce", "actor", actor, "published", when, "to",
                    FED_PUBLIC, "cc", followers, "object", url);
    rc = signed_dump(fed, name, ann, HR_OK, &p->activity_json, err);
    json_decref(ann);
    if (rc != HR_OK) {
        fed_post_free(p);
        return rc;
    }
    *out = p;
    return HR_OK;
}
