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

struct fanout {
    struct store_txn *txn;
    const char *account, *activity_id;
    struct fed_strset inboxes;
    int rc;
    struct hr_err *err;
};

/* One job per distinct inbox: followers on one server share its sharedInbox, so a
 * post to 10,000 followers on 500 servers is 500 signed requests, not 10,000. */
static int fanout_one(const struct store_follower *f, void *ctx)
{
    struct fanout *fo = ctx;
    bool shared = f->shared_inbox[0] != '\0';
    const char *inbox = shared ? f->shared_inbox : f->inbox;
    int rc = fed_strset_add(&fo->inboxes, inbox);

    if (rc == HR_EEXIST)
        return HR_OK;
    if (rc != HR_OK)
        return hr_fail(fo->err, rc, "fan-out");
    return fed_enqueue(fo->txn, fo->account, fo->activity_id, inbox, shared ? "" : f->actor,
                       fo->err);
}

struct fed_post {
    char *account;
    char note_id[1200];
    json_t *create;      /* Create with the Note embedded */
    char *create_json;   /* serialised once, before any transaction */
    char *note_json;
};

void fed_post_free(struct fed_post *p)
{
    if (p == NULL)
        return;
    free(p->account);
    json_decref(p->create);
    free(p->create_json);
    free(p->note_json);
    free(p);
}

const char *fed_post_id(const struct fed_post *p)
{
    return p->note_id;
}

static json_t *build_note(struct fed *fed, const char *name, const struct fed_post_input *in,
                          const char *note_id, const char *when)
{
    char actor[512], followers[600];
    char *html = fed_text_to_html(in->text);
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
    return note;
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
    p->create = note ? json_pack("{s:s, s:s, s:s, s:s, s:s, s:[s], s:[s], s:o}", "@context",
                                 FED_AS_CONTEXT, "id", create_id, "type", "Create", "actor",
                                 actor, "published", when, "to", FED_PUBLIC, "cc", followers,
                                 "object", note)
                     : NULL;
    if (p->create != NULL) {
        p->create_json = fed_json_dump(p->create);
        json_object_set_new(note, "@context", json_string(FED_AS_CONTEXT));
        p->note_json = fed_json_dump(note);
        json_object_del(note, "@context");
    }
    if (p->create_json == NULL || p->note_json == NULL) {
        fed_post_free(p);
        return hr_fail(err, HR_ENOMEM, "building the post");
    }
    *out = p;
    return HR_OK;
}

/* Stores the Note and its Create, the outbox entry and the fan-out, in TXN. */
int fed_post_commit(struct store_txn *txn, const struct fed_post *p, struct hr_err *err)
{
    struct store_object o = {.account = p->account, .published_ms = hr_now_ms()};
    struct fanout fo = {.txn = txn, .account = p->account, .err = err};
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
    fo.activity_id = o.id;
    if (rc == HR_OK)
        rc = store_follower_each(txn, p->account, NULL, SIZE_MAX, fanout_one, &fo, err);
    fed_strset_fini(&fo.inboxes);
    return rc;
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
                     const json_t *follow, const char *inbox, struct hr_err *err)
{
    char actor[512], id[40], accept_id[700];
    struct store_object o = {0};
    json_t *accept;
    char *body;
    int rc;

    fed_actor_url(fed, name, actor, sizeof actor);
    fed_new_id(id);
    snprintf(accept_id, sizeof accept_id, "%s/accepts/%s", actor, id);
    /* the Follow is embedded as received, so the follower can match it by id */
    accept = json_pack("{s:s, s:s, s:s, s:s, s:O}", "@context", FED_AS_CONTEXT, "id", accept_id,
                       "type", "Accept", "actor", actor, "object", follow);
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
    free(body);
    return rc;
}
