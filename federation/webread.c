/* federation/webread.c - what the public web shows (issue #11; server/pages*.c, feeds,
 * embeds): our own live posts anyone may read, newest first, for one account, every
 * account or one hashtag, and the replies a post's page shows.
 *
 * Outbox sequence numbers are one counter for the whole store (store_seq_next), so "every
 * account" is a merge of the accounts' outboxes by sequence, and the cursor of the next
 * page is the last sequence shown whichever account it came from. A post is read from
 * its Note (the latest version: edits, counts), not from its Create. Followers-only and
 * direct posts never appear; unlisted ones only where the query asks (an account's own
 * page and feed, as Mastodon shows them on a profile but not in public timelines). */
#include "federation/fed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WEB_LIMIT_MAX 40
#define WEB_SCAN_MAX 2000 /* outbox entries read for one page (a rare tag stops here) */

struct head {
    char name[32];
    uint64_t seq;        /* of the entry at hand; 0: this account has no more */
    char *activity;      /* its activity id (heap) */
};

struct one {
    uint64_t seq;
    char *activity;
};

static int first_cb(uint64_t seq, const char *activity_id, void *ctx)
{
    struct one *o = ctx;

    o->seq = seq;
    o->activity = strdup(activity_id);
    return o->activity ? HR_OK : HR_ENOMEM;
}

/* Moves H to its account's next entry strictly below BEFORE. */
static void advance(struct store_txn *txn, struct head *h, uint64_t before)
{
    struct one o = {0};

    free(h->activity);
    h->activity = NULL;
    h->seq = 0;
    if (before == 1)
        return;
    if (store_outbox_page(txn, h->name, before, 1, first_cb, &o, NULL) == HR_OK && o.seq > 0) {
        h->seq = o.seq;
        h->activity = o.activity;
    } else {
        free(o.activity);
    }
}

struct heads {
    struct head *h;
    size_t n, cap;
    const char *only;
};

static int account_cb(const struct store_account *a, void *ctx)
{
    struct heads *hs = ctx;

    if (hs->only != NULL && strcmp(hs->only, a->name) != 0)
        return HR_OK;
    if (hs->n == hs->cap) {
        size_t cap = hs->cap ? hs->cap * 2 : 16;
        struct head *h = realloc(hs->h, cap * sizeof *h);
        if (h == NULL)
            return HR_ENOMEM;
        hs->h = h;
        hs->cap = cap;
    }
    memset(&hs->h[hs->n], 0, sizeof hs->h[hs->n]);
    snprintf(hs->h[hs->n].name, sizeof hs->h[hs->n].name, "%s", a->name);
    hs->n++;
    return HR_OK;
}

/* NOTE carries the Hashtag TAG (lower-cased by Unicode, as fed_hashtag_norm stores it). */
static bool has_tag(const json_t *note, const char *tag)
{
    const json_t *t;
    size_t i;
    bool found = false;

    json_array_foreach(json_object_get(note, "tag"), i, t)
    {
        const char *type = json_string_value(json_object_get(t, "type"));
        const char *name = json_string_value(json_object_get(t, "name"));
        char *norm;
        if (type == NULL || name == NULL || strcmp(type, "Hashtag") != 0)
            continue;
        name += name[0] == '#';
        norm = fed_hashtag_norm(name, strlen(name));
        found = norm != NULL && strcmp(norm, tag) == 0;
        free(norm);
        if (found)
            break;
    }
    return found;
}

/* The Note behind ACTIVITY when the web may list it under Q (TAG: Q's tag lower-cased);
 * NULL otherwise. */
static json_t *listed(struct store_txn *txn, const char *activity, const struct fed_web_query *q,
                      const char *tag)
{
    size_t n = strlen(activity);
    enum fed_visibility v;
    char note_id[1200];
    json_t *note = NULL;

    if (n <= 9 || n - 9 >= sizeof note_id || strcmp(activity + n - 9, "/activity") != 0 ||
        strstr(activity, "/notes/") == NULL)
        return NULL; /* a share (Announce) or anything else that is not a post */
    memcpy(note_id, activity, n - 9);
    note_id[n - 9] = '\0';
    if (fed_own_note_get(txn, note_id, &note) != HR_OK)
        return NULL; /* deleted */
    v = fed_note_visibility(note);
    if (!(v == FED_VIS_PUBLIC || (v == FED_VIS_UNLISTED && q->unlisted)) ||
        (tag != NULL && !has_tag(note, tag))) {
        json_decref(note);
        return NULL;
    }
    return note;
}

int fed_web_posts(struct fed *fed, const struct fed_web_query *q, json_t **items,
                  uint64_t *next, struct hr_err *err)
{
    struct heads hs = {.only = q->account};
    struct store_txn *txn = NULL;
    size_t limit = q->limit == 0 || q->limit > WEB_LIMIT_MAX ? WEB_LIMIT_MAX : q->limit;
    size_t scanned = 0;
    uint64_t last = 0;
    json_t *out = json_array();
    /* NULL for a name no tag can have (too long): then nothing is listed */
    char *tag = q->tag != NULL ? fed_hashtag_norm(q->tag, strlen(q->tag)) : NULL;
    int rc;

    *items = NULL;
    *next = 0;
    if (out == NULL) {
        free(tag);
        return hr_fail(err, HR_ENOMEM, "web posts");
    }
    if (q->tag != NULL && tag == NULL) {
        *items = out;
        return HR_OK;
    }
    rc = store_txn_begin(fed->st, STORE_READ, &txn, err);
    if (rc == HR_OK)
        rc = store_account_each(txn, account_cb, &hs, err);
    for (size_t i = 0; rc == HR_OK && i < hs.n; i++)
        advance(txn, &hs.h[i], q->before);
    while (rc == HR_OK && json_array_size(out) < limit && scanned < WEB_SCAN_MAX) {
        struct head *top = NULL;
        json_t *note;

        for (size_t i = 0; i < hs.n; i++)
            if (hs.h[i].seq > 0 && (top == NULL || hs.h[i].seq > top->seq))
                top = &hs.h[i];
        if (top == NULL)
            break;
        scanned++;
        last = top->seq;
        note = listed(txn, top->activity, q, tag);
        if (note != NULL && json_array_append_new(out, note) != 0)
            rc = hr_fail(err, HR_ENOMEM, "web posts");
        advance(txn, top, top->seq);
    }
    if (rc == HR_OK && last > 1)
        for (size_t i = 0; i < hs.n; i++)
            if (hs.h[i].seq > 0) { /* something older remains */
                *next = last;
                break;
            }
    for (size_t i = 0; i < hs.n; i++)
        free(hs.h[i].activity);
    free(hs.h);
    free(tag);
    store_txn_abort(txn);
    if (rc != HR_OK) {
        json_decref(out);
        return rc;
    }
    *items = out;
    return HR_OK;
}

/* ---- replies under a post ---- */

struct reply_walk {
    struct store_txn *txn;
    json_t *out;
    size_t plen;
    bool own;
};

static int own_reply_cb(const void *key, size_t klen, const void *val, size_t vlen, void *ctx)
{
    struct reply_walk *w = ctx;
    char id[1200];
    size_t n = klen - w->plen;
    json_t *note = NULL;

    (void)val;
    (void)vlen;
    if (klen <= w->plen || n >= sizeof id)
        return HR_OK;
    memcpy(id, (const char *)key + w->plen, n);
    id[n] = '\0';
    if (fed_own_note_get(w->txn, id, &note) != HR_OK)
        return HR_OK;
    if (fed_note_visibility(note) == FED_VIS_PUBLIC || fed_note_visibility(note) == FED_VIS_UNLISTED)
        json_array_append_new(w->out, json_pack("{s:b,s:O}", "own", 1, "note", note));
    json_decref(note);
    return HR_OK;
}

/* Whether the account that wrote NOTE_ID has opted in to show citizens' replies
 * (agency/profile.c key "replies"; absent: hidden). */
static bool replies_shown(struct store_txn *txn, const char *note_id)
{
    struct store_object o = {0};
    struct store_account a = {0};
    json_t *profile = NULL;
    const char *v;
    bool shown = false;

    if (store_object_get(txn, note_id, &o, NULL) == HR_OK && o.account != NULL &&
        o.account[0] != '\0' && store_account_get(txn, o.account, &a, NULL) == HR_OK) {
        profile = json_loads(a.profile ? a.profile : "{}", 0, NULL);
        v = json_string_value(json_object_get(profile, "replies"));
        shown = v != NULL && strcmp(v, "shown") == 0;
    }
    json_decref(profile);
    store_account_fini(&a);
    store_object_fini(&o);
    return shown;
}

/* "@user@host" for ACTOR with preferredUsername USERNAME, or NULL. */
static json_t *handle_of(const char *actor, const char *username)
{
    char host[300], h[600];

    if (username == NULL || fed_url_host(actor, host, sizeof host, NULL) != HR_OK ||
        snprintf(h, sizeof h, "@%s@%s", username, host) >= (int)sizeof h)
        return NULL;
    return json_string(h);
}

/* The page item of a shown reply record REC (id REPLY): the record's fields, the actor's
 * name and handle as the remote-actor cache has them (absent when it has not). */
static json_t *citizen_item(struct store_txn *txn, const char *reply, const json_t *rec)
{
    static const char *const keep[] = {"url", "actor", "content", "published", "language",
                                       "summary", "sensitive", "ms"};
    const char *actor = json_string_value(json_object_get(rec, "actor"));
    struct store_remote_actor r = {0};
    json_t *item = json_pack("{s:b,s:s}", "own", 0, "id", reply);

    for (size_t i = 0; item != NULL && i < sizeof keep / sizeof keep[0]; i++) {
        json_t *v = json_object_get(rec, keep[i]);
        if (v != NULL)
            json_object_set(item, keep[i], v);
    }
    if (item != NULL && actor != NULL && store_remote_actor_get(txn, actor, &r, NULL) == HR_OK) {
        if (r.name != NULL)
            json_object_set_new(item, "name", json_string(r.name));
        json_t *h = handle_of(actor, r.username);
        if (h != NULL)
            json_object_set_new(item, "handle", h);
    }
    store_remote_actor_fini(&r);
    return item;
}

static int citizen_reply_cb(const void *key, size_t klen, const void *val, size_t vlen,
                            void *ctx)
{
    struct reply_walk *w = ctx;
    char id[1200];
    size_t n = klen - w->plen;
    json_t *rec = NULL, *item = NULL;

    if (klen <= w->plen || n >= sizeof id)
        return HR_OK;
    memcpy(id, (const char *)key + w->plen, n);
    id[n] = '\0';
    rec = json_loadb(val, vlen, 0, NULL);
    if (rec != NULL && fed_reply_shown(rec) && json_is_string(json_object_get(rec, "content")))
        item = citizen_item(w->txn, id, rec);
    json_decref(rec);
    if (item != NULL && json_array_append_new(w->out, item) != 0)
        return HR_ENOMEM;
    return HR_OK;
}

static int by_ms(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "ms"));
    json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "ms"));

    return (x > y) - (x < y);
}

/* NOTE_ID's shown citizens' replies appended to OUT, oldest first (as received). */
static int citizen_replies(struct store_txn *txn, const char *note_id, json_t *out,
                           struct hr_err *err)
{
    struct reply_walk w = {.txn = txn};
    char prefix[1300];
    int n = snprintf(prefix, sizeof prefix, "%s%c%s%c", note_id, '\0', "reply", '\0');
    json_t **v = NULL;
    size_t count;
    int rc;

    if (n <= 0 || (size_t)n >= sizeof prefix || !replies_shown(txn, note_id))
        return HR_OK;
    w.out = json_array();
    w.plen = (size_t)n;
    if (w.out == NULL)
        return hr_fail(err, HR_ENOMEM, "web replies");
    rc = store_rec_each(txn, STORE_T_REACTIONS, prefix, (size_t)n, false, citizen_reply_cb, &w,
                        err);
    count = json_array_size(w.out);
    v = count ? calloc(count, sizeof *v) : NULL;
    if (rc == HR_OK && count > 0 && v == NULL)
        rc = hr_fail(err, HR_ENOMEM, "web replies");
    for (size_t i = 0; rc == HR_OK && i < count; i++)
        v[i] = json_array_get(w.out, i);
    if (rc == HR_OK && count > 0)
        qsort(v, count, sizeof *v, by_ms);
    for (size_t i = 0; rc == HR_OK && i < count; i++) {
        json_object_del(v[i], "ms");
        if (json_array_append(out, v[i]) != 0)
            rc = hr_fail(err, HR_ENOMEM, "web replies");
    }
    free(v);
    json_decref(w.out);
    return rc;
}

int fed_web_replies(struct fed *fed, const char *note_id, json_t **items, struct hr_err *err)
{
    struct reply_walk w = {0};
    char prefix[1300];
    int n = snprintf(prefix, sizeof prefix, "%s%c%s%c", note_id, '\0', "own", '\0');
    int rc;

    *items = NULL;
    if (n <= 0 || (size_t)n >= sizeof prefix)
        return hr_fail(err, HR_EINVAL, "note id too long");
    w.out = json_array();
    w.plen = (size_t)n;
    if (w.out == NULL)
        return hr_fail(err, HR_ENOMEM, "web replies");
    rc = store_txn_begin(fed->st, STORE_READ, &w.txn, err);
    if (rc == HR_OK)
        rc = store_rec_each(w.txn, STORE_T_REACTIONS, prefix, (size_t)n, false, own_reply_cb, &w,
                            err);
    if (rc == HR_OK) /* after ours: federation/reactions.c and replies.c keep them */
        rc = citizen_replies(w.txn, note_id, w.out, err);
    store_txn_abort(w.txn);
    if (rc != HR_OK) {
        json_decref(w.out);
        return rc;
    }
    *items = w.out;
    return HR_OK;
}
