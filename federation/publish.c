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

static json_t *build_create(struct fed *fed, const char *name, const char *text, char *note_id,
                            size_t cap)
{
    char actor[512], followers[600], create_id[1300], id[40], when[32];
    char *html = fed_text_to_html(text);
    json_t *note, *create;

    if (html == NULL)
        return NULL;
    fed_actor_url(fed, name, actor, sizeof actor);
    snprintf(followers, sizeof followers, "%s/followers", actor);
    fed_new_id(id);
    snprintf(note_id, cap, "%s/notes/%s", actor, id);
    snprintf(create_id, sizeof create_id, "%s/activity", note_id);
    hr_iso8601(hr_now_ms(), when);
    note = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:[s], s:[s], s:b}", "id", note_id, "type",
                     "Note", "attributedTo", actor, "content", html, "published", when, "url",
                     note_id, "to", FED_PUBLIC, "cc", followers, "sensitive", 0);
    free(html);
    if (note == NULL)
        return NULL;
    create = json_pack("{s:s, s:s, s:s, s:s, s:s, s:[s], s:[s], s:o}", "@context",
                       FED_AS_CONTEXT, "id", create_id, "type", "Create", "actor", actor,
                       "published", when, "to", FED_PUBLIC, "cc", followers, "object", note);
    return create;
}

/* Stores NOTE and CREATE, the outbox entry and the fan-out, in TXN. */
static int publish_txn(struct store_txn *txn, const char *name, json_t *create,
                       const char *create_json, struct hr_err *err)
{
    json_t *note = json_object_get(create, "object");
    struct store_object o = {.account = (char *)(uintptr_t)name, .published_ms = hr_now_ms()};
    struct fanout fo = {.txn = txn, .account = name, .err = err};
    char *note_json = NULL;
    int rc;

    json_object_set_new(note, "@context", json_string(FED_AS_CONTEXT));
    note_json = fed_json_dump(note);
    json_object_del(note, "@context");
    if (note_json == NULL)
        return hr_fail(err, HR_ENOMEM, "note");
    o.id = (char *)(uintptr_t)json_string_value(json_object_get(note, "id"));
    o.type = (char *)(uintptr_t) "Note";
    o.json = note_json;
    rc = store_object_put(txn, &o, err);
    o.id = (char *)(uintptr_t)json_string_value(json_object_get(create, "id"));
    o.type = (char *)(uintptr_t) "Create";
    o.json = (char *)(uintptr_t)create_json;
    if (rc == HR_OK)
        rc = store_object_put(txn, &o, err);
    if (rc == HR_OK)
        rc = store_outbox_add(txn, name, o.id, NULL, err);
    fo.activity_id = o.id;
    if (rc == HR_OK)
        rc = store_follower_each(txn, name, NULL, SIZE_MAX, fanout_one, &fo, err);
    fed_strset_fini(&fo.inboxes);
    free(note_json);
    return rc;
}

int fed_publish_note(struct fed *fed, const char *name, const char *text, char **note_id,
                     struct hr_err *err)
{
    struct store_account a = {0};
    struct store_txn *txn = NULL;
    char id[1200], *create_json = NULL;
    json_t *create = NULL;
    size_t n = text ? strlen(text) : 0;
    int rc;

    if (n == 0 || n > FED_POST_MAX)
        return hr_fail(err, HR_EINVAL, "post text must be 1 to %d bytes", FED_POST_MAX);
    if (!hr_utf8_valid(text, n))
        return hr_fail(err, HR_EINVAL, "post text is not valid UTF-8");
    rc = store_txn_begin(fed->st, STORE_READ, &txn, err);
    if (rc == HR_OK)
        rc = store_account_get(txn, name, &a, err);
    store_txn_abort(txn);
    txn = NULL;
    store_account_fini(&a);
    if (rc != HR_OK)
        return rc;
    /* build and serialise before the write transaction: it holds the single writer lock */
    create = build_create(fed, name, text, id, sizeof id);
    create_json = create ? fed_json_dump(create) : NULL;
    if (create_json == NULL) {
        rc = hr_fail(err, HR_ENOMEM, "building the post");
        goto out;
    }
    rc = store_txn_begin(fed->st, STORE_WRITE, &txn, err);
    if (rc == HR_OK)
        rc = publish_txn(txn, name, create, create_json, err);
    if (rc == HR_OK) {
        rc = store_txn_commit(txn, err);
        txn = NULL;
    }
    if (rc == HR_OK) {
        fed_wake(fed);
        *note_id = strdup(id);
        if (*note_id == NULL)
            rc = hr_fail(err, HR_ENOMEM, "note id");
    }
out:
    store_txn_abort(txn);
    free(create_json);
    json_decref(create);
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
