/* federation/reactions.c - what remote actors do to our posts: Like (a like), Announce (a
 * share), Create(Note) in reply (a reply), a vote (federation/polls.c), and their Undo or
 * Delete (docs/FEDERATION.md "Counts"). Kept in STORE_T_REACTIONS:
 *   NOTE NUL "like"|"share" NUL ACTOR -> {"id":ACTIVITY,"ms":N}   (once per actor)
 *   NOTE NUL "reply" NUL REPLY       -> {"actor":ACTOR,"ms":N,"vis":V, and when V is
 *                                       "public" or "unlisted" "url","content","published",
 *                                       "language","summary","sensitive"} (replies.c),
 *                                       charged to ACTOR's quota (one object, its bytes)
 *   NOTE NUL "own" NUL REPLY         -> {"ms":N}  (our own replies, listed first)
 *   "!reply" NUL REPLY               -> NOTE      (a Delete names the reply only)
 * Only the verified signer's own reactions are recorded: the inbox has checked that the
 * activity's actor signed it and that embedded objects are on its origin. */
#include "federation/fed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fed_own_note_get(struct store_txn *txn, const char *id, json_t **out)
{
    struct store_object o = {0};
    const char *t;
    json_t *j = NULL;
    int rc = id ? store_object_get(txn, id, &o, NULL) : HR_ENOTFOUND;

    if (rc == HR_OK && strcmp(o.type, "Tombstone") == 0)
        rc = HR_EGONE;
    else if (rc == HR_OK && (strcmp(o.type, "Note") != 0 || o.account[0] == '\0'))
        rc = HR_ENOTFOUND;
    if (rc == HR_OK) {
        j = json_loadb(o.json, o.json_len, 0, NULL);
        t = json_string_value(json_object_get(j, "type"));
        /* a Question is stored as a Note (publish.c): both are posts */
        if (t == NULL || (strcmp(t, "Note") != 0 && strcmp(t, "Question") != 0) ||
            !json_is_string(json_object_get(j, "id")) ||
            strcmp(json_string_value(json_object_get(j, "id")), id) != 0) {
            json_decref(j);
            j = NULL;
            rc = HR_ENOTFOUND;
        }
    }
    store_object_fini(&o);
    if (rc == HR_OK)
        *out = j;
    return rc;
}

static bool own_live_note(struct store_txn *txn, const char *id)
{
    json_t *j = NULL;
    bool ok = fed_own_note_get(txn, id, &j) == HR_OK;

    json_decref(j);
    return ok;
}

static size_t react_key(const char *note, const char *kind, const char *who, char *key,
                        size_t cap)
{
    int n = snprintf(key, cap, "%s%c%s%c%s", note, '\0', kind, '\0', who);

    return n > 0 && (size_t)n < cap && n <= 480 ? (size_t)n : 0;
}

static int put_json(struct store_txn *txn, const char *key, size_t klen, json_t *v,
                    struct hr_err *err)
{
    char *val = v ? fed_json_dump(v) : NULL;
    int rc = val ? store_rec_put(txn, STORE_T_REACTIONS, key, klen, val, strlen(val), 0, err)
                 : hr_fail(err, HR_ENOMEM, "reaction");

    free(val);
    json_decref(v);
    return rc;
}

static int del_key(struct store_txn *txn, const char *key, size_t klen, struct hr_err *err)
{
    int rc = klen ? store_rec_del(txn, STORE_T_REACTIONS, key, klen, err) : HR_OK;

    return rc == HR_ENOTFOUND ? HR_OK : rc;
}

/* Like or Announce of a live post of ours: one per actor (a repeat replaces it). */
static int on_like_or_share(struct store_txn *txn, const json_t *act, const char *actor,
                            const char *kind, struct hr_err *err)
{
    const char *note = fed_json_id(json_object_get(act, "object"));
    const char *id = json_string_value(json_object_get(act, "id"));
    char key[2600];
    size_t klen;
    int rc;

    if (note == NULL || !own_live_note(txn, note) ||
        (klen = react_key(note, kind, actor, key, sizeof key)) == 0)
        return HR_OK; /* not ours: stored as any other activity */
    rc = put_json(txn, key, klen, json_pack("{s:s,s:I}", "id", id ? id : "", "ms",
                                            (json_int_t)hr_now_ms()), err);
    return rc == HR_OK ? fed_counts_touch(txn, note, err) : rc;
}

static int refuse(struct fed_react_res *res, int status, const char *code, const char *msg)
{
    res->status = status;
    res->code = code;
    snprintf(res->message, sizeof res->message, "%s", msg);
    return HR_EFORBIDDEN;
}

/* Undo(Like) and Undo(Announce): only the actor who liked or shared takes it back. */
static int on_undo(struct store_txn *txn, const json_t *act, const char *actor,
                   struct fed_react_res *res, struct hr_err *err)
{
    const json_t *inner = json_object_get(act, "object");
    const char *type = json_string_value(json_object_get(inner, "type"));
    const char *by = fed_json_id(json_object_get(inner, "actor"));
    const char *note = fed_json_id(json_object_get(inner, "object"));
    const char *kind = NULL;
    char key[2600];

    if (type != NULL && strcmp(type, "Like") == 0)
        kind = "like";
    else if (type != NULL && strcmp(type, "Announce") == 0)
        kind = "share";
    if (kind == NULL || !json_is_object(inner) || note == NULL)
        return HR_OK;
    if (by == NULL || strcmp(by, actor) != 0)
        return refuse(res, 403, "origin", "Undo of someone else's Like or Announce");
    int rc = del_key(txn, key, react_key(note, kind, actor, key, sizeof key), err);

    return rc == HR_OK ? fed_counts_touch(txn, note, err) : rc;
}

static size_t reverse_key(const char *reply, char *key, size_t cap)
{
    int n = snprintf(key, cap, "!reply%c%s", '\0', reply);

    return n > 0 && (size_t)n < cap && n <= 480 ? (size_t)n : 0;
}

/* A citizen's reply record of LEN bytes (key and value) stored (SIGN 1) or removed (-1):
 * what outsiders make us keep counts against their quota (federation/quota.c). */
static int charge(struct store_txn *txn, const char *actor, size_t len, int sign,
                  struct hr_err *err)
{
    struct fed_charge ch;

    if (actor == NULL || fed_charge_of(actor, &ch) != HR_OK)
        return HR_OK;
    return store_usage_charge(txn, &ch.ch, sign, sign * (int64_t)len, err);
}

/* The record under KEY released from its author's quota before it is replaced or deleted. */
static int release(struct store_txn *txn, const char *key, size_t klen, struct hr_err *err)
{
    char *val = NULL;
    size_t len = 0;
    json_t *rec = NULL;
    int rc = HR_OK;

    if (store_rec_get(txn, STORE_T_REACTIONS, key, klen, &val, &len, NULL) != HR_OK)
        return HR_OK;
    rec = json_loadb(val, len, 0, NULL);
    rc = charge(txn, json_string_value(json_object_get(rec, "actor")), klen + len, -1, err);
    json_decref(rec);
    free(val);
    return rc;
}

/* Records REPLY (by ACTOR with record REC, or ours when ACTOR is NULL) to NOTE, and the
 * way back. REC is consumed. */
static int reply_put(struct store_txn *txn, const char *note, const char *reply,
                     const char *actor, json_t *rec, struct hr_err *err)
{
    char key[2600], back[1300], *val = NULL;
    size_t klen = react_key(note, actor ? "reply" : "own", reply, key, sizeof key);
    size_t blen = reverse_key(reply, back, sizeof back);
    json_t *v = actor ? rec : json_pack("{s:I}", "ms", (json_int_t)hr_now_ms());
    int rc;

    if (klen == 0 || blen == 0 || v == NULL) {
        json_decref(v);
        return v == NULL ? hr_fail(err, HR_ENOMEM, "reply") : HR_OK; /* ids too long to index */
    }
    val = fed_json_dump(v);
    json_decref(v);
    if (val == NULL)
        return hr_fail(err, HR_ENOMEM, "reply");
    rc = actor ? release(txn, key, klen, err) : HR_OK;
    if (rc == HR_OK)
        rc = store_rec_put(txn, STORE_T_REACTIONS, key, klen, val, strlen(val), 0, err);
    if (rc == HR_OK && actor != NULL)
        rc = charge(txn, actor, klen + strlen(val), 1, err);
    free(val);
    if (rc == HR_OK)
        rc = store_rec_put(txn, STORE_T_REACTIONS, back, blen, note, strlen(note), 0, err);
    return rc == HR_OK ? fed_counts_touch(txn, note, err) : rc;
}

/* A reply is gone (deleted by its author, or our own deleted): not counted any more. */
static int reply_del(struct store_txn *txn, const char *reply, const char *actor,
                     struct hr_err *err)
{
    char back[1300], key[2600], *note = NULL, *val = NULL;
    size_t blen = reverse_key(reply, back, sizeof back), len = 0;
    json_t *rec = NULL;
    int rc = HR_OK;

    if (blen == 0 || store_rec_get(txn, STORE_T_REACTIONS, back, blen, &note, &len, NULL) != HR_OK)
        return HR_OK;
    size_t klen = react_key(note, actor ? "reply" : "own", reply, key, sizeof key);
    if (klen != 0 && store_rec_get(txn, STORE_T_REACTIONS, key, klen, &val, &len, NULL) == HR_OK)
        rec = json_loadb(val, len, 0, NULL);
    /* only its author deletes a reply: a record under another actor stays */
    const char *by = json_string_value(json_object_get(rec, "actor"));
    if (rec != NULL && (actor == NULL || (by != NULL && strcmp(by, actor) == 0))) {
        rc = actor ? release(txn, key, klen, err) : HR_OK;
        if (rc == HR_OK)
            rc = del_key(txn, key, klen, err);
        if (rc == HR_OK)
            rc = del_key(txn, back, blen, err);
        if (rc == HR_OK)
            rc = fed_counts_touch(txn, note, err);
    }
    json_decref(rec);
    free(val);
    free(note);
    return rc;
}

/* Create(Note) in reply to a live post of ours, that is not a vote. */
static int on_reply(struct store_txn *txn, const json_t *act, const char *actor,
                    struct hr_err *err)
{
    const json_t *obj = json_object_get(act, "object");
    const char *note = json_string_value(json_object_get(obj, "inReplyTo"));
    const char *id = json_string_value(json_object_get(obj, "id"));

    if (!json_is_object(obj) || note == NULL || id == NULL || !own_live_note(txn, note))
        return HR_OK;
    return reply_put(txn, note, id, actor, fed_reply_record(obj, actor, hr_now_ms()), err);
}

/* Update(Note) of a reply we keep, by its author: its words replaced, its place (ms) kept.
 * The inbox's own checks (attributedTo, origin) still run after this and can refuse it. */
static int on_reply_update(struct store_txn *txn, const json_t *act, const char *actor,
                           struct hr_err *err)
{
    const json_t *obj = json_object_get(act, "object");
    const char *id = json_string_value(json_object_get(obj, "id"));
    char back[1300], key[2600], *note = NULL, *val = NULL;
    size_t blen = id ? reverse_key(id, back, sizeof back) : 0, len = 0, klen;
    json_t *old = NULL;
    int rc = HR_OK;

    if (!json_is_object(obj) || blen == 0 ||
        store_rec_get(txn, STORE_T_REACTIONS, back, blen, &note, &len, NULL) != HR_OK)
        return HR_OK;
    klen = react_key(note, "reply", id, key, sizeof key);
    if (klen != 0 && store_rec_get(txn, STORE_T_REACTIONS, key, klen, &val, &len, NULL) == HR_OK)
        old = json_loadb(val, len, 0, NULL);
    const char *by = json_string_value(json_object_get(old, "actor"));
    json_int_t ms = json_integer_value(json_object_get(old, "ms"));
    if (by != NULL && strcmp(by, actor) == 0) /* only its author edits a reply */
        rc = reply_put(txn, note, id, actor, fed_reply_record(obj, actor, ms), err);
    json_decref(old);
    free(val);
    free(note);
    return rc;
}

int fed_react_inbound(struct fed *fed, struct store_txn *txn, const json_t *act,
                      const char *actor, const char *inbox, bool *done,
                      struct fed_react_res *res, struct hr_err *err)
{
    const char *type = json_string_value(json_object_get(act, "type"));
    int rc;

    *done = false;
    if (type == NULL)
        return HR_OK;
    if (strcmp(type, "Create") == 0) {
        rc = fed_vote_inbound(fed, txn, act, actor, inbox, hr_now_ms(), done, res, err);
        if (rc != HR_OK || *done)
            return rc;
        return on_reply(txn, act, actor, err);
    }
    if (strcmp(type, "Update") == 0)
        return on_reply_update(txn, act, actor, err);
    if (strcmp(type, "Like") == 0)
        return on_like_or_share(txn, act, actor, "like", err);
    if (strcmp(type, "Announce") == 0)
        return on_like_or_share(txn, act, actor, "share", err);
    if (strcmp(type, "Undo") == 0)
        return on_undo(txn, act, actor, res, err);
    if (strcmp(type, "Delete") == 0) {
        const char *obj = fed_json_id(json_object_get(act, "object"));
        return obj && strcmp(obj, actor) != 0 ? reply_del(txn, obj, actor, err) : HR_OK;
    }
    return HR_OK;
}

/* The keys of every reaction to one post (collected first: no deletes during a walk). */
static int collect_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    (void)v, (void)vlen;
    return json_array_append_new(ctx, json_stringn(k, klen)) == 0 ? HR_OK : HR_ENOMEM;
}

/* NOTE was deleted: its likes, shares and replies go, with the way back from each reply. */
static int forget_note(struct store_txn *txn, const char *note, struct hr_err *err)
{
    char prefix[1300], back[1300];
    int n = snprintf(prefix, sizeof prefix, "%s%c", note, '\0');
    json_t *keys = json_array(), *k;
    size_t i;
    int rc = n > 0 && (size_t)n < sizeof prefix && keys != NULL
                 ? store_rec_each(txn, STORE_T_REACTIONS, prefix, (size_t)n, false, collect_cb,
                                  keys, err)
                 : HR_OK;

    json_array_foreach(keys, i, k)
    {
        const char *key = json_string_value(k);
        size_t klen = json_string_length(k), blen;
        const char *kind = key + n, *who = kind + strlen(kind) + 1;
        if (rc != HR_OK)
            break;
        if (strcmp(kind, "reply") == 0)
            rc = release(txn, key, klen, err);
        if (rc == HR_OK)
            rc = del_key(txn, key, klen, err);
        if (rc == HR_OK && strcmp(kind, "like") != 0 && strcmp(kind, "share") != 0 &&
            (blen = reverse_key(who, back, sizeof back)) != 0)
            rc = del_key(txn, back, blen, err);
    }
    json_decref(keys);
    return rc == HR_OK ? fed_counts_drop(txn, note, err) : rc;
}

int fed_reactions_published(struct store_txn *txn, const char *account, const json_t *note,
                            bool gone, struct hr_err *err)
{
    const char *id = json_string_value(json_object_get(note, "id"));
    const char *parent = json_string_value(json_object_get(note, "inReplyTo"));
    int rc = fed_poll_register(txn, account, note, gone, err);

    if (rc != HR_OK || id == NULL)
        return rc;
    if (gone) {
        rc = reply_del(txn, id, NULL, err);
        return rc == HR_OK ? forget_note(txn, id, err) : rc;
    }
    if (parent != NULL && own_live_note(txn, parent))
        rc = reply_put(txn, parent, id, NULL, NULL, err);
    return rc;
}
