/* federation/visibility.c - who a post is for (issue #10): its addressing as Mastodon
 * writes it for each of the four visibilities, and who may read it back (authorized fetch).
 *
 *   public     to [as:Public]          cc [followers]    outbox, pages, anyone may fetch
 *   unlisted   to [followers]          cc [as:Public]    outbox, pages, anyone may fetch
 *   followers  to [followers]          cc []             a signed GET by a follower (or by
 *                                                        an actor on a follower's origin)
 *   direct     to [each mention]       cc []             a signed GET by an addressed actor
 *
 * (tags.c adds the mentioned actors to cc.) Mastodon keeps a post's visibility for ever:
 * an edit keeps the addressing it was published with. */
#include "federation/fed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[] = {"public", "unlisted", "followers", "direct"};

int fed_visibility_parse(const char *s, enum fed_visibility *out)
{
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (s != NULL && strcmp(s, names[i]) == 0) {
            *out = (enum fed_visibility)i;
            return HR_OK;
        }
    return HR_EINVAL;
}

const char *fed_visibility_name(enum fed_visibility v)
{
    return (size_t)v < sizeof names / sizeof names[0] ? names[v] : "direct";
}

static bool list_has(const json_t *list, const char *s)
{
    const json_t *v;
    size_t i;

    if (json_is_string(list))
        return strcmp(json_string_value(list), s) == 0;
    json_array_foreach(list, i, v) if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
        return true;
    return false;
}

/* Addressed: in the to or cc of DOC. */
static bool addressed(const json_t *doc, const char *s)
{
    return list_has(json_object_get(doc, "to"), s) || list_has(json_object_get(doc, "cc"), s);
}

/* DOC: one of our Notes, or an activity of ours (Create, Update, Announce) addressed like
 * it. The followers collection is the author's (attributedTo or actor) + "/followers". */
enum fed_visibility fed_note_visibility(const json_t *doc)
{
    const char *by = json_string_value(json_object_get(doc, "attributedTo"));
    char followers[700];

    if (list_has(json_object_get(doc, "to"), FED_PUBLIC))
        return FED_VIS_PUBLIC;
    if (list_has(json_object_get(doc, "cc"), FED_PUBLIC))
        return FED_VIS_UNLISTED;
    if (by == NULL)
        by = json_string_value(json_object_get(doc, "actor"));
    snprintf(followers, sizeof followers, "%s/followers", by ? by : "");
    return by != NULL && addressed(doc, followers) ? FED_VIS_FOLLOWERS : FED_VIS_DIRECT;
}

/* Direct: to each mentioned actor; at least one (agency/drafts.c refuses the draft before). */
static json_t *mention_hrefs(const json_t *mentions)
{
    json_t *to = json_array();
    const json_t *m;
    size_t i;

    json_array_foreach(mentions, i, m) {
        const char *href = json_string_value(json_object_get(m, "href"));
        if (to != NULL && href != NULL && !list_has(to, href))
            json_array_append_new(to, json_string(href));
    }
    return to;
}

int fed_note_add_address(struct fed *fed, const char *name, const struct fed_post_input *in,
                         const json_t *prev, json_t *note, struct hr_err *err)
{
    enum fed_visibility v = FED_VIS_PUBLIC;
    char actor[512], followers[600];
    json_t *to, *cc;

    if (prev != NULL) { /* an edit: the audience it was published to, unchanged */
        json_object_set(note, "to", json_object_get(prev, "to"));
        json_object_set(note, "cc", json_object_get(prev, "cc"));
        return HR_OK;
    }
    if (in->visibility != NULL && fed_visibility_parse(in->visibility, &v) != HR_OK)
        return hr_fail(err, HR_EINVAL, "visibility: public, unlisted, followers or direct");
    fed_actor_url(fed, name, actor, sizeof actor);
    snprintf(followers, sizeof followers, "%s/followers", actor);
    to = v == FED_VIS_PUBLIC      ? json_pack("[s]", FED_PUBLIC)
         : v == FED_VIS_DIRECT    ? mention_hrefs(in->mentions)
                                  : json_pack("[s]", followers);
    cc = v == FED_VIS_PUBLIC     ? json_pack("[s]", followers)
         : v == FED_VIS_UNLISTED ? json_pack("[s]", FED_PUBLIC)
                                 : json_array();
    if (to == NULL || cc == NULL) {
        json_decref(to);
        json_decref(cc);
        return hr_fail(err, HR_ENOMEM, "addressing");
    }
    if (v == FED_VIS_DIRECT && json_array_size(to) == 0) {
        json_decref(to);
        json_decref(cc);
        return hr_fail(err, HR_EINVAL, "a direct post needs at least one @user@host mention");
    }
    json_object_set_new(note, "to", to);
    json_object_set_new(note, "cc", cc);
    return HR_OK;
}

bool fed_note_to_followers(const json_t *note)
{
    return fed_note_visibility(note) != FED_VIS_DIRECT;
}

/* ---- authorized fetch ---- */

/* The id of the post PATH belongs to: BASE + "/users/NAME/notes/ID" when PATH is that or
 * lies under it (its Create, versions, updates, collections); false for anything else. */
static bool post_of(const struct fed *fed, const char *path, char id[1200], char name[32])
{
    const char *p, *end;
    size_t n;

    if (strncmp(path, "/users/", 7) != 0)
        return false;
    p = path + 7;
    end = strchr(p, '/');
    if (end == NULL || (size_t)(end - p) >= 32 || strncmp(end, "/notes/", 7) != 0)
        return false;
    memcpy(name, p, (size_t)(end - p));
    name[end - p] = '\0';
    p = end + 7;
    n = strcspn(p, "/?");
    if (n == 0 || !hr_name_valid(name))
        return false;
    return snprintf(id, 1200, "%s%.*s", fed->base_url, (int)(p + n - path), path) < 1200;
}

static json_t *object_json(struct store_txn *txn, const char *id, bool *tombstone)
{
    struct store_object o = {0};
    json_t *j = NULL;

    if (store_object_get(txn, id, &o, NULL) == HR_OK) {
        *tombstone = strcmp(o.type, "Tombstone") == 0;
        j = json_loadb(o.json, o.json_len, 0, NULL);
    }
    store_object_fini(&o);
    return j;
}

/* What decides who may read PATH, parsed (new reference): the post PATH belongs to; once
 * that post is deleted (a Tombstone, 410 for everyone), the object at PATH itself, whose
 * addressing is the post's (an Update kept at NOTE/updates/ID still holds the text, and
 * its Delete is for the same audience). NULL: not under a post, or nothing stored. */
static json_t *post_load(struct fed *fed, const char *path, char name[32])
{
    struct store_txn *txn = NULL;
    char id[1200], here[1200];
    bool gone = false;
    json_t *j = NULL;

    if (!post_of(fed, path, id, name) || store_txn_begin(fed->st, STORE_READ, &txn, NULL) != HR_OK)
        return NULL;
    j = object_json(txn, id, &gone);
    if (gone) {
        json_decref(j);
        j = NULL;
        if (snprintf(here, sizeof here, "%s%s", fed->base_url, path) < (int)sizeof here &&
            strcmp(here, id) != 0)
            j = object_json(txn, here, &gone);
    }
    store_txn_abort(txn);
    return j;
}

bool fed_object_public(struct fed *fed, const char *path)
{
    char name[32];
    json_t *post = post_load(fed, path, name);
    enum fed_visibility v = post ? fed_note_visibility(post) : FED_VIS_PUBLIC;

    json_decref(post);
    return v == FED_VIS_PUBLIC || v == FED_VIS_UNLISTED;
}

struct origin_walk {
    const char *actor, *prefix;
    bool found;
};

static int same_origin_follower(const struct store_follower *f, void *ctx)
{
    struct origin_walk *w = ctx;

    if (strncmp(f->actor, w->prefix, strlen(w->prefix)) != 0)
        return HR_EEXIST; /* past the actors whose ids start like the signer's: stop */
    if (!fed_same_origin(f->actor, w->actor))
        return HR_OK;
    w->found = true;
    return HR_EEXIST;
}

/* ACTOR follows NAME, or shares its origin with one of NAME's followers: the follower's
 * server fetching with its instance actor, as Mastodon does (FEP-fe34: "or shares its
 * origin"). Followers are keyed by actor id, so the walk starts at ACTOR's
 * scheme://authority and stops at the first id that no longer starts with it. */
static bool follower_or_its_server(struct store_txn *txn, const char *name, const char *actor)
{
    struct store_follower f = {0};
    struct origin_walk w = {.actor = actor};
    const char *slashes = strstr(actor, "://");
    char prefix[400];
    bool follows = store_follower_get(txn, name, actor, &f, NULL) == HR_OK;

    store_follower_fini(&f);
    if (follows || slashes == NULL)
        return follows;
    snprintf(prefix, sizeof prefix, "%.*s", (int)(slashes + 3 - actor + strcspn(slashes + 3, "/")),
             actor);
    w.prefix = prefix;
    store_follower_each(txn, name, prefix, SIZE_MAX, same_origin_follower, &w, NULL);
    return w.found;
}

bool fed_object_visible_to(struct fed *fed, const char *path, const char *actor)
{
    struct store_txn *txn = NULL;
    char name[32], actor_url[512], followers[600];
    json_t *post = post_load(fed, path, name);
    enum fed_visibility v = post ? fed_note_visibility(post) : FED_VIS_PUBLIC;
    bool ok = v == FED_VIS_PUBLIC || v == FED_VIS_UNLISTED;

    if (!ok && actor != NULL)
        ok = addressed(post, actor);
    fed_actor_url(fed, name, actor_url, sizeof actor_url);
    snprintf(followers, sizeof followers, "%s/followers", actor_url);
    if (!ok && actor != NULL && v == FED_VIS_FOLLOWERS && addressed(post, followers) &&
        store_txn_begin(fed->st, STORE_READ, &txn, NULL) == HR_OK) {
        ok = follower_or_its_server(txn, name, actor);
        store_txn_abort(txn);
    }
    json_decref(post);
    return ok;
}

int fed_post_visibility(struct fed *fed, const char *url, enum fed_visibility *out)
{
    size_t n = strlen(fed->base_url);
    char name[32];
    json_t *post;

    if (url == NULL || strncmp(url, fed->base_url, n) != 0 || url[n] != '/')
        return HR_ENOTFOUND;
    post = post_load(fed, url + n, name);
    if (post == NULL)
        return HR_ENOTFOUND;
    *out = fed_note_visibility(post);
    json_decref(post);
    return HR_OK;
}

/* Announce (a boost): a non-public post of ours stays with its audience (Mastodon refuses
 * to reblog private and direct posts). Posts of others are for their server to judge. */
int fed_boost_check(struct fed *fed, const char *url, struct hr_err *err)
{
    enum fed_visibility v;

    if (fed_post_visibility(fed, url, &v) != HR_OK || v == FED_VIS_PUBLIC ||
        v == FED_VIS_UNLISTED)
        return HR_OK;
    return hr_fail(err, HR_EINVAL, "a %s post cannot be boosted",
                   v == FED_VIS_DIRECT ? "direct" : "followers-only");
}
