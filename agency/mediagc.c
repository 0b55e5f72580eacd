/* agency/mediagc.c - "a deleted post's media is removed once nothing references it"
 * (issue #10). Mark and sweep, no reference counts to drift: a file is live while an
 * account's profile shows it (avatar, header) or a draft refers to it, unless that draft
 * was withdrawn or published a post that is now deleted (a Tombstone); a post edited since
 * keeps the images of every version, which its /versions/ pages still show. Every other
 * record in STORE_T_MEDIA whose last use (touched_ms: each store renews it) is older than
 * MIN_AGE goes, record and file: the grace period spares images a draft being prepared
 * has just stored and not yet committed. Records go in one transaction, files after its
 * commit: a crash in between leaves a stray file, never a record without its file. */
#include "agency/agency_int.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct sweep {
    struct store_txn *txn;
    json_t *live;  /* sha256 -> true */
    json_t *dead;  /* [[sha256, media_type]] */
    int64_t before_ms;
};

static void mark(struct sweep *s, const json_t *m)
{
    const char *sha = json_string_value(json_object_get(m, "sha256"));
    const char *pre = json_string_value(json_object_get(m, "preview_sha256"));

    if (sha != NULL)
        json_object_set_new(s->live, sha, json_true());
    if (pre != NULL)
        json_object_set_new(s->live, pre, json_true());
}

static int account_cb(const struct store_account *a, void *ctx)
{
    json_t *p = json_loads(a->profile ? a->profile : "{}", 0, NULL);

    mark(ctx, json_object_get(p, "avatar"));
    mark(ctx, json_object_get(p, "header"));
    json_decref(p);
    return 0;
}

/* Whether draft D's images are still shown somewhere. */
static bool draft_live(struct store_txn *txn, const json_t *d)
{
    const char *state = json_string_value(json_object_get(d, "state"));
    const char *kind = json_string_value(json_object_get(d, "kind"));
    const char *note;
    struct store_object o = {0};
    bool live;

    if (state == NULL || strcmp(state, "withdrawn") == 0)
        return false;
    if (strcmp(state, "published") != 0)
        return true; /* may still be approved and published */
    note = json_string_value(json_object_get(d, kind && strcmp(kind, "edit") == 0
                                                    ? "target" : "published_id"));
    if (note == NULL || store_object_get(txn, note, &o, NULL) != HR_OK)
        return false;
    live = strcmp(o.type, "Tombstone") != 0;
    store_object_fini(&o);
    return live;
}

static int draft_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct sweep *s = ctx;
    json_t *d = json_loadb(v, vlen, 0, NULL), *a;
    size_t i;

    (void)k, (void)klen;
    if (json_array_size(json_object_get(d, "attachments")) > 0 && draft_live(s->txn, d))
        json_array_foreach(json_object_get(d, "attachments"), i, a) mark(s, a);
    json_decref(d);
    return 0;
}

static int media_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct sweep *s = ctx;
    json_t *r = json_loadb(v, vlen, 0, NULL);
    char sha[65];

    if (klen == 64) {
        memcpy(sha, k, 64);
        sha[64] = '\0';
        if (json_object_get(s->live, sha) == NULL &&
            json_integer_value(json_object_get(r, "touched_ms")) < s->before_ms)
            json_array_append_new(s->dead, json_pack("[s,s]", sha, json_string_value(
                                                         json_object_get(r, "media_type"))));
    }
    json_decref(r);
    return 0;
}

static int find_dead(struct store *st, struct sweep *s, struct hr_err *err)
{
    int rc = store_txn_begin(st, STORE_READ, &s->txn, err);

    if (rc == HR_OK)
        rc = store_account_each(s->txn, account_cb, s, err);
    if (rc == HR_OK)
        rc = store_rec_each(s->txn, STORE_T_DRAFTS, NULL, 0, false, draft_cb, s, err);
    if (rc == HR_OK)
        rc = store_rec_each(s->txn, STORE_T_MEDIA, NULL, 0, false, media_cb, s, err);
    store_txn_abort(s->txn);
    s->txn = NULL;
    return rc;
}

/* Deletes the dead records; a record used again meanwhile (touched since) stays, and is
 * dropped from S->dead. */
static int drop_records(struct store *st, struct sweep *s, const char *by, struct hr_err *err)
{
    struct store_txn *txn = NULL;
    char details[64];
    int rc = store_txn_begin(st, STORE_WRITE, &txn, err);

    for (size_t i = json_array_size(s->dead); rc == HR_OK && i-- > 0;) {
        const char *sha = json_string_value(json_array_get(json_array_get(s->dead, i), 0));
        json_t *r = NULL;
        if (agency_rec_json(txn, STORE_T_MEDIA, sha, &r, NULL) != HR_OK ||
            json_integer_value(json_object_get(r, "touched_ms")) >= s->before_ms)
            json_array_remove(s->dead, i);
        else
            rc = store_rec_del(txn, STORE_T_MEDIA, sha, 64, err);
        json_decref(r);
    }
    snprintf(details, sizeof details, "%zu removed", json_array_size(s->dead));
    if (rc == HR_OK && json_array_size(s->dead) > 0)
        rc = agency_audit(txn, by, "media.gc", "*", details, err);
    if (rc == HR_OK && json_array_size(s->dead) > 0) {
        rc = store_txn_commit(txn, err);
        txn = NULL;
    }
    store_txn_abort(txn);
    return rc;
}

int agency_media_gc(struct store *st, struct fed *fed, const char *by, int64_t min_age_ms,
                    size_t *removed, struct hr_err *err)
{
    struct sweep s = {.live = json_object(), .dead = json_array(),
                      .before_ms = hr_now_ms() - min_age_ms};
    char path[4200];
    const json_t *d;
    size_t i;
    int rc = agency_may(st, by, AGENCY_MEDIA_GC, NULL, NULL, err);

    if (rc == HR_OK && (s.live == NULL || s.dead == NULL))
        rc = hr_fail(err, HR_ENOMEM, "media gc");
    if (rc == HR_OK)
        rc = find_dead(st, &s, err);
    if (rc == HR_OK && json_array_size(s.dead) > 0)
        rc = drop_records(st, &s, by, err);
    json_array_foreach(s.dead, i, d) {
        if (rc == HR_OK &&
            agency_media_path(fed, json_string_value(json_array_get(d, 0)),
                              json_string_value(json_array_get(d, 1)), path,
                              sizeof path) == HR_OK)
            unlink(path);
    }
    if (rc == HR_OK && removed != NULL)
        *removed = json_array_size(s.dead);
    json_decref(s.live);
    json_decref(s.dead);
    return rc;
}
