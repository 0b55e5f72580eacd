/* federation/following.c - our accounts following other servers' accounts (agencies pass
 * each other's notices on): WebFinger resolution, Follow/Undo sent, Accept/Reject
 * received, the following collection, and the timeline of what followed accounts post. */
#include "federation/fed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fed_webfinger_lookup(struct fed *fed, const char *handle, char *actor, size_t cap,
                         char *profile, size_t pcap, struct hr_err *err)
{
    struct fed_http_opts o;
    struct fed_http_response r = {0};
    char url[700], *esc = NULL;
    const char *at, *href = NULL;
    json_t *j = NULL, *l;
    size_t i;
    int rc;

    if (handle[0] == '@')
        handle++;
    at = strchr(handle, '@');
    if (at == NULL || at == handle || strchr(at + 1, '@') != NULL || strlen(handle) > 300 ||
        strpbrk(handle, "/?# ") != NULL)
        return hr_fail(err, HR_EINVAL, "a handle is @user@host (or give the actor URL)");
    esc = fed_url_escape(handle);
    /* loopback test instances speak http; everything else https */
    snprintf(url, sizeof url, "%s://%s/.well-known/webfinger?resource=acct%%3A%s",
             fed->cfg.allow_private ? "http" : "https", at + 1, esc ? esc : "");
    free(esc);
    fed_http_opts(fed, &o);
    rc = fed_http_get(&o, url, "application/jrd+json, application/json", NULL, &r, err);
    if (rc == HR_OK && r.status != 200)
        rc = hr_fail(err, HR_ENOTFOUND, "WebFinger for %s answered %ld", handle, r.status);
    if (rc == HR_OK && (j = json_loadb(r.body, r.body_len, 0, NULL)) == NULL)
        rc = hr_fail(err, HR_EINVAL, "WebFinger for %s is not JSON", handle);
    json_array_foreach(json_object_get(j, "links"), i, l)
    {
        const char *rel = json_string_value(json_object_get(l, "rel"));
        const char *type = json_string_value(json_object_get(l, "type"));
        if (href == NULL && rel && strcmp(rel, "self") == 0 && type &&
            (strstr(type, "activity+json") || strstr(type, "ld+json")))
            href = json_string_value(json_object_get(l, "href"));
        if (profile != NULL && profile[0] == '\0' && rel && json_is_string(json_object_get(l, "href")) &&
            strcmp(rel, "http://webfinger.net/rel/profile-page") == 0)
            snprintf(profile, pcap, "%s", json_string_value(json_object_get(l, "href")));
    }
    if (rc == HR_OK && (href == NULL || strlen(href) >= cap))
        rc = hr_fail(err, HR_ENOTFOUND, "WebFinger for %s names no ActivityPub actor", handle);
    if (rc == HR_OK)
        snprintf(actor, cap, "%s", href);
    json_decref(j);
    fed_http_response_fini(&r);
    return rc;
}

int fed_resolve_actor(struct fed *fed, const char *handle, struct fed_remote *out,
                      struct hr_err *err)
{
    char actor[512];
    int rc = HR_OK;

    if (strncmp(handle, "https://", 8) == 0 || strncmp(handle, "http://", 7) == 0)
        snprintf(actor, sizeof actor, "%s", handle);
    else
        rc = fed_webfinger_lookup(fed, handle, actor, sizeof actor, NULL, 0, err);
    if (rc == HR_OK && !fed_domain_permitted(fed, actor))
        rc = hr_fail(err, HR_EFORBIDDEN, "that domain is blocked (or not on the allow-list)");
    return rc == HR_OK ? fed_remote_fetch_actor(fed, actor, out, err) : rc;
}

static int put_following(struct store_txn *txn, const char *name, const char *actor,
                         const json_t *rec, struct hr_err *err)
{
    char *v = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
    int rc = v ? store_following_put(txn, name, actor, v, err)
               : hr_fail(err, HR_ENOMEM, "following record");

    free(v);
    return rc;
}

static int get_following(struct store_txn *txn, const char *name, const char *actor,
                         json_t **out)
{
    char *v = NULL;
    size_t len = 0;
    int rc = store_following_get(txn, name, actor, &v, &len, NULL);

    if (rc == HR_OK) {
        *out = json_loadb(v, len, 0, NULL);
        rc = *out ? HR_OK : HR_EIO;
    }
    free(v);
    return rc;
}

/* Stores the activity J as our object ID and queues it to INBOX. */
static int send_activity(struct store_txn *txn, const char *name, const char *id, const char *type,
                         json_t *j, const char *inbox, struct hr_err *err)
{
    char *body = fed_json_dump(j);
    struct store_object o = {.id = (char *)(uintptr_t)id, .account = (char *)(uintptr_t)name,
                             .type = (char *)(uintptr_t)type, .published_ms = hr_now_ms(),
                             .json = body};
    int rc = body ? store_object_put(txn, &o, err) : hr_fail(err, HR_ENOMEM, "activity");

    if (rc == HR_OK)
        rc = fed_enqueue(txn, name, id, inbox, "", err);
    free(body);
    return rc;
}

int fed_follow(struct fed *fed, struct store_txn *txn, const char *name,
               const struct fed_remote *target, struct hr_err *err)
{
    char actor[512], id[40], follow_id[700];
    json_t *follow, *rec, *have = NULL;
    int rc;

    if (get_following(txn, name, target->actor, &have) == HR_OK) {
        json_decref(have);
        return hr_fail(err, HR_EEXIST, "%s already follows %s", name, target->actor);
    }
    fed_actor_url(fed, name, actor, sizeof actor);
    fed_new_id(id);
    snprintf(follow_id, sizeof follow_id, "%s/follows/%s", actor, id);
    follow = json_pack("{s:s,s:s,s:s,s:s,s:s}", "@context", FED_AS_CONTEXT, "id", follow_id,
                       "type", "Follow", "actor", actor, "object", target->actor);
    rec = json_pack("{s:s,s:s,s:s,s:s,s:s,s:I}", "actor", target->actor, "inbox", target->inbox,
                    "shared_inbox", target->shared_inbox, "state", "pending", "follow_id",
                    follow_id, "since", (json_int_t)hr_now_ms());
    rc = follow && rec ? put_following(txn, name, target->actor, rec, err)
                       : hr_fail(err, HR_ENOMEM, "Follow");
    if (rc == HR_OK)
        rc = send_activity(txn, name, follow_id, "Follow", follow, target->inbox, err);
    json_decref(follow);
    json_decref(rec);
    return rc;
}

int fed_unfollow(struct fed *fed, struct store_txn *txn, const char *name, const char *actor_url,
                 struct hr_err *err)
{
    char actor[512], id[40], undo_id[700];
    json_t *rec = NULL, *undo;
    int rc = get_following(txn, name, actor_url, &rec);

    if (rc != HR_OK)
        return hr_fail(err, HR_ENOTFOUND, "%s does not follow %.200s", name, actor_url);
    fed_actor_url(fed, name, actor, sizeof actor);
    fed_new_id(id);
    snprintf(undo_id, sizeof undo_id, "%s/undos/%s", actor, id);
    undo = json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:s,s:s,s:s}}", "@context", FED_AS_CONTEXT, "id",
                     undo_id, "type", "Undo", "actor", actor, "object", "id",
                     json_string_value(json_object_get(rec, "follow_id")), "type", "Follow",
                     "actor", actor, "object", actor_url);
    rc = undo ? send_activity(txn, name, undo_id, "Undo", undo,
                              json_string_value(json_object_get(rec, "inbox")), err)
              : hr_fail(err, HR_ENOMEM, "Undo");
    if (rc == HR_OK)
        rc = store_following_del(txn, name, actor_url, err);
    json_decref(undo);
    json_decref(rec);
    return rc;
}

/* Accept/Reject of our Follow, from the actor we asked: the Follow (its id, or embedded) must
 * be ours and must name that actor. */
int fed_following_answer(struct fed *fed, struct store_txn *txn, const char *actor,
                         const json_t *object, bool accepted, struct hr_err *err)
{
    const char *follow_id = fed_json_id(object);
    char prefix[600], name[32];
    json_t *rec = NULL;
    size_t n;
    int rc;

    snprintf(prefix, sizeof prefix, "%s/users/", fed->base_url);
    n = strlen(prefix);
    if (follow_id == NULL || strncmp(follow_id, prefix, n) != 0)
        return hr_fail(err, HR_ENOTFOUND, "not an answer to one of our Follows");
    snprintf(name, sizeof name, "%.*s", (int)strcspn(follow_id + n, "/"), follow_id + n);
    rc = get_following(txn, name, actor, &rec);
    if (rc != HR_OK || strcmp(json_string_value(json_object_get(rec, "follow_id")) ?
                                  json_string_value(json_object_get(rec, "follow_id")) : "",
                              follow_id) != 0) {
        json_decref(rec);
        return hr_fail(err, HR_ENOTFOUND, "no Follow of ours matches this answer");
    }
    json_object_set_new(rec, "state", json_string(accepted ? "accepted" : "rejected"));
    rc = put_following(txn, name, actor, rec, err);
    json_decref(rec);
    return rc;
}

struct timeline_walk {
    struct store_txn *txn;
    const char *actor;
    const char *json; /* the row: {"proof": ..., "activity": the raw body} */
    int rc;
    struct hr_err *err;
};

static int timeline_cb(const char *name, const char *actor, const char *v, size_t vlen,
                       void *ctx)
{
    struct timeline_walk *w = ctx;
    json_t *rec;
    bool accepted;

    if (strcmp(actor, w->actor) != 0)
        return HR_OK;
    rec = json_loadb(v, vlen, 0, NULL);
    accepted = json_is_string(json_object_get(rec, "state")) &&
               strcmp(json_string_value(json_object_get(rec, "state")), "accepted") == 0;
    json_decref(rec);
    if (!accepted)
        return HR_OK;
    w->rc = store_timeline_add(w->txn, name, w->json, w->err);
    return w->rc;
}

/* A Create from an actor some of our accounts follow (accepted): kept in their timelines. */
int fed_timeline_add(struct store_txn *txn, const char *actor, const char *json,
                     const char *proof, struct hr_err *err)
{
    struct timeline_walk w = {.txn = txn, .actor = actor, .err = err};
    struct hr_buf row;
    int rc;

    /* the body stays byte for byte what the peer signed: its proof can be checked again */
    hr_buf_init(&row, 1u << 24);
    hr_buf_adds(&row, "{\"proof\":");
    hr_buf_adds(&row, proof ? proof : "null");
    hr_buf_adds(&row, ",\"activity\":");
    hr_buf_adds(&row, json);
    hr_buf_adds(&row, "}");
    w.json = row.data;
    rc = row.err == HR_OK ? store_following_each(txn, NULL, timeline_cb, &w, err)
                          : hr_fail(err, row.err, "timeline row");
    hr_buf_fini(&row);
    return rc;
}

struct list_walk {
    json_t *arr;
    size_t limit;
    bool accepted_only;
};

static int following_cb(const char *name, const char *actor, const char *v, size_t vlen,
                        void *ctx)
{
    struct list_walk *w = ctx;
    json_t *rec = json_loadb(v, vlen, 0, NULL);
    const char *state = json_string_value(json_object_get(rec, "state"));

    (void)name;
    (void)actor;
    if (rec != NULL && (!w->accepted_only || (state && strcmp(state, "accepted") == 0)))
        json_array_append_new(w->arr, w->accepted_only ? json_incref(json_object_get(rec, "actor"))
                                                       : json_incref(rec));
    json_decref(rec);
    return HR_OK;
}

static int timeline_list_cb(const char *v, size_t vlen, void *ctx)
{
    struct list_walk *w = ctx;
    json_t *row = json_loadb(v, vlen, 0, NULL);

    /* rows written before proofs were checked hold the bare activity */
    if (row != NULL && json_object_get(row, "activity") == NULL)
        row = json_pack("{s:n,s:o}", "proof", "activity", row);
    if (row != NULL)
        json_array_append_new(w->arr, row);
    return json_array_size(w->arr) >= w->limit ? HR_EEXIST : HR_OK;
}

static int list(struct fed *fed, bool timeline, const char *name, struct list_walk *w,
                char **json, struct hr_err *err)
{
    struct store_txn *txn = NULL;
    int rc = w->arr ? store_txn_begin(fed->st, STORE_READ, &txn, err) : HR_ENOMEM;

    if (rc == HR_OK && timeline)
        rc = store_timeline_each(txn, name, timeline_list_cb, w, err);
    else if (rc == HR_OK)
        rc = store_following_each(txn, name, following_cb, w, err);
    store_txn_abort(txn);
    if (rc == HR_EEXIST)
        rc = HR_OK;
    if (rc == HR_OK && (*json = json_dumps(w->arr, JSON_INDENT(2))) == NULL)
        rc = hr_fail(err, HR_ENOMEM, "list");
    json_decref(w->arr);
    return rc;
}

int fed_following_list(struct fed *fed, const char *name, char **json, struct hr_err *err)
{
    struct list_walk w = {.arr = json_array(), .limit = SIZE_MAX};

    return list(fed, false, name, &w, json, err);
}

int fed_timeline_list(struct fed *fed, const char *name, size_t limit, char **json,
                      struct hr_err *err)
{
    struct list_walk w = {.arr = json_array(), .limit = limit ? limit : 1};

    return list(fed, true, name, &w, json, err);
}

/* The ids of the accounts NAME follows (accepted), for the following collection. */
json_t *fed_following_actors(struct fed *fed, const char *name)
{
    struct list_walk w = {.arr = json_array(), .limit = SIZE_MAX, .accepted_only = true};
    struct store_txn *txn = NULL;

    if (w.arr != NULL && store_txn_begin(fed->st, STORE_READ, &txn, NULL) == HR_OK)
        store_following_each(txn, name, following_cb, &w, NULL);
    store_txn_abort(txn);
    return w.arr;
}
