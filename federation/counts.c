/* federation/counts.c - a post's replies, likes and shares (issue #10; docs/FEDERATION.md
 * "Counts"). The Note names the three collections by id only: it is signed
 * (eddsa-jcs-2022 over the whole document), so counts that change every minute would
 * break its proof or force a re-signing per like. The collections are served live at
 * their ids with totalItems and a first page of items: what a Mastodon-shaped client reads
 * to show the counts. Records: federation/reactions.c. */
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

    (void)fed, (void)name, (void)in, (void)prev;
    if (id == NULL)
        return hr_fail(err, HR_EINVAL, "a Note without an id");
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        snprintf(url, sizeof url, "%s/%s", id, kinds[i]);
        json_object_set_new(note, kinds[i],
                            json_pack("{s:s,s:s}", "id", url, "type", "Collection"));
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
