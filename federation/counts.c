/* federation/counts.c - a post's replies, likes and shares (issue #10; docs/FEDERATION.md
 * "Counts"). The collections are served live at their ids with totalItems and a first
 * page of items. The Note itself embeds them with their totalItems too, because that is
 * where Mastodon reads a remote post's counts (its "untrusted" favourites and reblogs
 * counts); the Note is signed (eddsa-jcs-2022 over the whole document), so those totals
 * are refreshed by re-signing the stored Note at most every poll_update_minutes after a
 * change (fed_counts_tick), not per like. Records: federation/reactions.c. */
#include "federation/fed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNTS_PAGE 40 /* items per page, as Mastodon pages its collections */

static const char *const kinds[] = {"replies", "likes", "shares"};

int fed_note_add_counts(struct fed *fed, const char *name, const struct fed_post_input *in,
                        const json_t *prev, json_t *note, struct hr_err *err)
{
    const char *id = json_string_value(json_object_get(note, "id"));
    char url[1400];

    (void)fed, (void)name, (void)in;
    if (id == NULL)
        return hr_fail(err, HR_EINVAL, "a Note without an id");
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        const json_t *had = json_object_get(prev, kinds[i]);
        snprintf(url, sizeof url, "%s/%s", id, kinds[i]);
        if (json_is_object(had) && json_is_integer(json_object_get(had, "totalItems")))
            json_object_set_new(note, kinds[i], json_deep_copy(had)); /* an edit keeps them */
        else
            json_object_set_new(note, kinds[i], json_pack("{s:s,s:s,s:i}", "id", url, "type",
                                                          "Collection", "totalItems", 0));
    }
    return HR_OK;
}

/* ---- counting ---- */

struct walk {
    size_t plen;     /* the prefix NOTE NUL KIND NUL */
    size_t total;
    size_t from, to; /* items [from, to) go into ITEMS */
    json_t *items;
};

static int walk_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct walk *w = ctx;

    (void)v, (void)vlen;
    if (w->items != NULL && w->total >= w->from && w->total < w->to)
        json_array_append_new(w->items, json_stringn((const char *)k + w->plen, klen - w->plen));
    w->total++;
    return HR_OK;
}

static int walk_kind(struct store_txn *txn, const char *note, const char *kind, struct walk *w)
{
    char prefix[1400];
    int n = snprintf(prefix, sizeof prefix, "%s%c%s%c", note, '\0', kind, '\0');

    if (n <= 0 || (size_t)n >= sizeof prefix)
        return HR_OK;
    w->plen = (size_t)n;
    return store_rec_each(txn, STORE_T_REACTIONS, prefix, (size_t)n, false, walk_cb, w, NULL);
}

/* The records behind collection KIND of NOTE: replies are our own replies first. */
static void walk_collection(struct store_txn *txn, const char *note, const char *kind,
                            struct walk *w)
{
    if (strcmp(kind, "replies") == 0) {
        walk_kind(txn, note, "own", w);
        walk_kind(txn, note, "reply", w);
    } else {
        walk_kind(txn, note, strcmp(kind, "likes") == 0 ? "like" : "share", w);
    }
}

size_t fed_note_count(struct store_txn *txn, const char *note, const char *kind)
{
    struct walk w = {0};

    walk_collection(txn, note, kind, &w);
    return w.total;
}

size_t fed_note_votes(struct store_txn *txn, const char *note)
{
    char prefix[1300];
    int n = snprintf(prefix, sizeof prefix, "%s%c", note, '\0');
    struct walk w = {0};

    if (n > 0 && (size_t)n < sizeof prefix)
        store_rec_each(txn, STORE_T_VOTES, prefix, (size_t)n, false, walk_cb, &w, NULL);
    return w.total;
}

/* ---- the collections at their ids ---- */

/* "/users/NAME/notes/HEX/KIND" -> the note's id and KIND; false for anything else. */
static bool collection_path(const struct fed *fed, const char *path, char *note, size_t cap,
                            const char **kind)
{
    const char *slash = strrchr(path, '/');
    size_t n;

    if (slash == NULL || strncmp(path, "/users/", 7) != 0 || strstr(path, "/notes/") == NULL)
        return false;
    *kind = NULL;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(slash + 1, kinds[i]) == 0)
            *kind = kinds[i];
    n = (size_t)(slash - path);
    if (*kind == NULL || strlen(fed->base_url) + n >= cap)
        return false;
    snprintf(note, cap, "%s%.*s", fed->base_url, (int)n, path);
    return true;
}

/* VISIBILITY SEAM (issue #10 item 3, helper C): the one place that decides who may read a
 * post's collections. Until authorized fetch is merged, only a public or unlisted post's
 * (addressed to Public) are served; C's check of a signed GET replaces this call. */
bool fed_note_collection_is(const struct fed *fed, const char *path)
{
    char note[1300];
    const char *kind;

    return collection_path(fed, path, note, sizeof note, &kind);
}

static json_t *collection_doc(struct store_txn *txn, const char *note, const char *kind,
                              size_t page)
{
    char id[1500], page_id[1600], next[1600];
    size_t p = page ? page : 1;
    struct walk w = {.from = (p - 1) * COUNTS_PAGE, .to = p * COUNTS_PAGE, .items = json_array()};
    json_t *pg;

    walk_collection(txn, note, kind, &w);
    snprintf(id, sizeof id, "%s/%s", note, kind);
    snprintf(page_id, sizeof page_id, "%s?page=%zu", id, p);
    snprintf(next, sizeof next, "%s?page=%zu", id, p + 1);
    pg = json_pack("{s:s,s:s,s:s,s:o}", "id", page_id, "type", "CollectionPage", "partOf", id,
                   "items", w.items);
    if (pg != NULL && w.total > w.to)
        json_object_set_new(pg, "next", json_string(next));
    if (pg == NULL || page > 0) {
        if (pg != NULL)
            json_object_set_new(pg, "@context", json_string(FED_AS_CONTEXT));
        return pg;
    }
    return json_pack("{s:s,s:s,s:s,s:I,s:o}", "@context", FED_AS_CONTEXT, "id", id, "type",
                     "Collection", "totalItems", (json_int_t)w.total, "first", pg);
}

int fed_note_collection(struct fed *fed, const char *path, const char *page,
                        struct fed_doc *doc)
{
    struct store_txn *txn = NULL;
    const char *kind = NULL;
    char note_id[1300];
    json_t *note = NULL, *body = NULL;
    uint64_t pg = 0;
    int rc;

    if (!collection_path(fed, path, note_id, sizeof note_id, &kind))
        return HR_ENOTFOUND;
    if (page != NULL && (hr_parse_u64(page, 1000000, &pg) != HR_OK || pg == 0)) {
        fed_doc_error(doc, 400, "invalid", "page must be a number from 1");
        return HR_OK;
    }
    rc = store_txn_begin(fed->st, STORE_READ, &txn, NULL);
    if (rc == HR_OK)
        rc = fed_own_note_get(txn, note_id, &note);
    if (rc == HR_OK) /* who may read it was decided by the caller (server/router.c) */
        body = collection_doc(txn, note_id, kind, (size_t)pg);
    store_txn_abort(txn);
    if (body != NULL)
        fed_doc_json(doc, 200, body);
    else if (rc == HR_EGONE)
        fed_doc_error(doc, 410, "gone", "the post was deleted");
    else if (rc == HR_OK || rc == HR_ENOTFOUND)
        fed_doc_error(doc, 404, "not_found", "no such collection");
    else
        fed_doc_error(doc, 500, "internal", "store unavailable");
    json_decref(body);
    json_decref(note);
    return HR_OK;
}

void fed_note_counts(struct fed *fed, const char *note_id, struct fed_counts *out)
{
    struct store_txn *txn = NULL;

    *out = (struct fed_counts){0};
    if (note_id == NULL || store_txn_begin(fed->st, STORE_READ, &txn, NULL) != HR_OK)
        return;
    out->replies = fed_note_count(txn, note_id, "replies");
    out->likes = fed_note_count(txn, note_id, "likes");
    out->shares = fed_note_count(txn, note_id, "shares");
    store_txn_abort(txn);
}

/* ---- herald posts NAME: the counts of each post on an outbox page ---- */

static json_t *counts_of(struct store_txn *txn, const json_t *note)
{
    const char *id = json_string_value(json_object_get(note, "id"));
    const char *type = json_string_value(json_object_get(note, "type"));
    json_t *c = json_pack("{s:I,s:I,s:I}", "replies", (json_int_t)fed_note_count(txn, id, "replies"),
                          "likes", (json_int_t)fed_note_count(txn, id, "likes"), "shares",
                          (json_int_t)fed_note_count(txn, id, "shares"));

    if (c != NULL && type != NULL && strcmp(type, "Question") == 0) {
        json_object_set_new(c, "votes", json_integer((json_int_t)fed_note_votes(txn, id)));
    }
    return c;
}

int fed_posts_counts(struct fed *fed, json_t *page, struct hr_err *err)
{
    struct store_txn *txn = NULL;
    json_t *item;
    size_t i;
    int rc = store_txn_begin(fed->st, STORE_READ, &txn, err);

    json_array_foreach(rc == HR_OK ? json_object_get(page, "orderedItems") : NULL, i, item)
    {
        const char *type = json_string_value(json_object_get(item, "type"));
        const json_t *obj = json_object_get(item, "object");
        json_t *note = NULL;
        if (type == NULL || strcmp(type, "Create") != 0 ||
            fed_own_note_get(txn, fed_json_id(obj), &note) != HR_OK)
            continue;
        json_object_set_new(item, "counts", counts_of(txn, note));
        json_decref(note);
    }
    store_txn_abort(txn);
    return rc;
}

/* ---- the totals inside the stored Note, refreshed after a change ---- */

#define DIRTY "!counts" /* "!counts" NUL NOTE -> {"ms": first change unreported, "seq": N} */

static size_t dirty_key(const char *note, char *key, size_t cap)
{
    int n = snprintf(key, cap, "%s%c%s", DIRTY, '\0', note);

    return n > 0 && (size_t)n < cap && n <= 480 ? (size_t)n : 0;
}

int fed_counts_touch(struct store_txn *txn, const char *note, struct hr_err *err)
{
    char key[600], *val = NULL, *out;
    size_t klen = dirty_key(note, key, sizeof key), len = 0;
    json_t *rec = NULL;
    int rc;

    if (klen == 0)
        return HR_OK; /* an id too long to index: its Note keeps older totals */
    if (store_rec_get(txn, STORE_T_REACTIONS, key, klen, &val, &len, NULL) == HR_OK)
        rec = json_loadb(val, len, 0, NULL);
    free(val);
    if (rec == NULL)
        rec = json_pack("{s:I,s:I}", "ms", (json_int_t)hr_now_ms(), "seq", (json_int_t)0);
    json_object_set_new(rec, "seq",
                        json_integer(json_integer_value(json_object_get(rec, "seq")) + 1));
    out = fed_json_dump(rec);
    rc = out ? store_rec_put(txn, STORE_T_REACTIONS, key, klen, out, strlen(out), 0, err)
             : hr_fail(err, HR_ENOMEM, "counts");
    free(out);
    json_decref(rec);
    return rc;
}

int fed_counts_drop(struct store_txn *txn, const char *note, struct hr_err *err)
{
    char key[600];
    size_t klen = dirty_key(note, key, sizeof key);
    int rc = klen ? store_rec_del(txn, STORE_T_REACTIONS, key, klen, err) : HR_OK;

    return rc == HR_ENOTFOUND ? HR_OK : rc;
}

struct stale {
    char note[1200];
    json_int_t seq;
};

struct stale_walk {
    int64_t now, interval;
    struct stale s[16];
    size_t n;
};

static int stale_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct stale_walk *w = ctx;
    size_t plen = strlen(DIRTY) + 1;
    json_t *rec = json_loadb(v, vlen, 0, NULL);

    if (w->now >= json_integer_value(json_object_get(rec, "ms")) + w->interval &&
        klen - plen < sizeof w->s[0].note) {
        memcpy(w->s[w->n].note, (const char *)k + plen, klen - plen);
        w->s[w->n].note[klen - plen] = '\0';
        w->s[w->n].seq = json_integer_value(json_object_get(rec, "seq"));
        w->n++;
    }
    json_decref(rec);
    return w->n == sizeof w->s / sizeof w->s[0] ? HR_EEXIST : HR_OK;
}

/* The stored Note of S with its current totals, signed again: *JSON, and the version it
 * replaces (OLD) for the compare at commit. HR_ENOTFOUND when it is gone or not ours. */
static int refresh_build(struct fed *fed, const struct stale *s, struct store_object *old,
                         char **json, struct hr_err *err)
{
    struct store_txn *txn = NULL;
    json_t *note = NULL;
    int rc = store_txn_begin(fed->st, STORE_READ, &txn, err);

    if (rc == HR_OK && store_object_get(txn, s->note, old, NULL) != HR_OK)
        rc = HR_ENOTFOUND;
    if (rc == HR_OK && fed_own_note_get(txn, s->note, &note) != HR_OK)
        rc = HR_ENOTFOUND;
    for (size_t i = 0; rc == HR_OK && i < sizeof kinds / sizeof kinds[0]; i++) {
        json_t *c = json_object_get(note, kinds[i]);
        if (json_is_object(c))
            json_object_set_new(c, "totalItems",
                                json_integer((json_int_t)fed_note_count(txn, s->note, kinds[i])));
    }
    store_txn_abort(txn);
    if (rc == HR_OK)
        rc = fed_signed_dump(fed, old->account, note, json, err);
    json_decref(note);
    return rc;
}

/* Stores the refreshed Note unless it changed meanwhile (an edit, a poll report: the next
 * tick tries again), and settles the change record: gone when no reaction came since the
 * build, else due again after the interval. */
static int refresh_commit(struct fed *fed, const struct stale *s, const struct store_object *old,
                          const char *json, struct hr_err *err)
{
    struct store_object now = {0}, o = *old;
    struct store_txn *txn = NULL;
    char key[600], *val = NULL;
    size_t klen = dirty_key(s->note, key, sizeof key), len = 0;
    json_t *rec = NULL;
    int rc = store_txn_begin(fed->st, STORE_WRITE, &txn, err);

    o.json = (char *)(uintptr_t)json;
    if (rc == HR_OK)
        rc = store_object_get(txn, s->note, &now, err);
    if (rc == HR_OK && strcmp(now.json, old->json) != 0)
        rc = hr_fail(err, HR_EEXIST, "the post changed meanwhile");
    if (rc == HR_OK)
        rc = store_object_put(txn, &o, err);
    if (rc == HR_OK && store_rec_get(txn, STORE_T_REACTIONS, key, klen, &val, &len, NULL) == HR_OK)
        rec = json_loadb(val, len, 0, NULL);
    if (rc == HR_OK && rec != NULL && json_integer_value(json_object_get(rec, "seq")) != s->seq) {
        char *out;
        json_object_set_new(rec, "ms", json_integer(hr_now_ms()));
        out = fed_json_dump(rec);
        rc = out ? store_rec_put(txn, STORE_T_REACTIONS, key, klen, out, strlen(out), 0, err)
                 : hr_fail(err, HR_ENOMEM, "counts");
        free(out);
    } else if (rc == HR_OK && rec != NULL) {
        rc = store_rec_del(txn, STORE_T_REACTIONS, key, klen, err);
    }
    if (rc == HR_OK) {
        rc = store_txn_commit(txn, err);
        txn = NULL;
    }
    store_txn_abort(txn);
    store_object_fini(&now);
    json_decref(rec);
    free(val);
    return rc;
}

/* Drops the change record of a post that is gone. */
static void refresh_drop(struct fed *fed, void *item)
{
    const struct stale *s = item;
    struct store_txn *txn = NULL;
    char key[600];
    size_t klen = dirty_key(s->note, key, sizeof key);

    if (klen == 0 || store_txn_begin(fed->st, STORE_WRITE, &txn, NULL) != HR_OK)
        return;
    if (store_rec_del(txn, STORE_T_REACTIONS, key, klen, NULL) == HR_OK)
        store_txn_commit(txn, NULL);
    else
        store_txn_abort(txn);
}

/* fed_due_run's RUN: the Note with its totals, signed again and stored. */
static int refresh_one(struct fed *fed, void *item, int64_t now_ms, struct hr_err *err)
{
    const struct stale *s = item;
    struct store_object old = {0};
    char *json = NULL;
    int rc = refresh_build(fed, s, &old, &json, err);

    (void)now_ms;
    if (rc == HR_OK)
        rc = refresh_commit(fed, s, &old, json, err);
    free(json);
    store_object_fini(&old);
    return rc;
}

static const char *stale_id(const void *item)
{
    return ((const struct stale *)item)->note;
}

size_t fed_counts_tick(struct fed *fed, int64_t now_ms, int64_t interval_ms)
{
    struct stale_walk w = {.now = now_ms, .interval = interval_ms};
    char prefix[16];
    int n = snprintf(prefix, sizeof prefix, "%s%c", DIRTY, '\0');
    const struct fed_due d = {
        .table = STORE_T_REACTIONS, .prefix = prefix, .plen = (size_t)n, .collect = stale_cb,
        .walk = &w, .items = w.s, .n = &w.n, .item_size = sizeof w.s[0], .run = refresh_one,
        .drop = refresh_drop, .id = stale_id, .mod = "counts", .noun = "totals",
        .verb = "refreshed"};

    return fed_due_run(fed, &d, now_ms);
}
