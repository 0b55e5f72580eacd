/* server/mastoapi.c - the public, unauthenticated, read-only subset of Mastodon's client
 * API, so that a Mastodon app (or library) pointed at our domain shows each account with
 * its kind, parent and disclaimer as peers see them: every entity is built from the same
 * documents peers read (the actor, the outbox, the Note), never from a second copy of the
 * rules. Ids: an account's id is its name; a status's is NAME-HEX for BASE/users/NAME/
 * notes/HEX ('-' is in neither). Errors are Mastodon's: {"error": "..."} with its status. */
#include "server/mastoapi.h"
#include "server/media_front.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MASTO_COMPAT "4.3.0" /* the Mastodon API version whose entity shapes we follow */
#define MASTO_AVATAR "/avatars/original/missing.svg"
#define MASTO_CACHE  "public, max-age=60"

static const char avatar_svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 4 4\">"
                                 "<rect width=\"4\" height=\"4\" fill=\"#9ea7b3\"/></svg>\n";

bool mastoapi_path(const char *url)
{
    return strncmp(url, "/api/v1/", 8) == 0 || strncmp(url, "/api/v2/", 8) == 0 ||
           strcmp(url, MASTO_AVATAR) == 0;
}

static enum MHD_Result masto_error(struct http_req *r, int status, const char *msg)
{
    json_t *j = json_pack("{s:s}", "error", msg);
    char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
    enum MHD_Result ret = http_reply(r, status, "application/json; charset=utf-8",
                                     body ? body : "{\"error\":\"internal\"}", NULL);

    free(body);
    json_decref(j);
    return ret;
}

/* Replies J (stolen) as 200 JSON. */
static enum MHD_Result masto_json(struct http_req *r, json_t *j)
{
    char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
    enum MHD_Result ret =
        body ? http_reply(r, 200, "application/json; charset=utf-8", body, MASTO_CACHE)
             : masto_error(r, 500, "internal error");

    free(body);
    json_decref(j);
    return ret;
}

/* D's JSON body when its status is 200 (new reference), else NULL; D is finished. */
static json_t *doc_json(struct fed_doc *d)
{
    json_t *j = d->status == 200 && d->body ? json_loads(d->body, 0, NULL) : NULL;

    fed_doc_fini(d);
    return j;
}

static json_int_t total_of(struct fed_doc *d)
{
    json_t *j = doc_json(d);
    json_int_t n = json_integer_value(json_object_get(j, "totalItems"));

    json_decref(j);
    return n;
}

/* ---- Account ---- */
/* verified_at of a field: the website's, when the website check found the link back. */
static json_t *verified_at(const json_t *profile, const char *value)
{
    const char *site = json_string_value(json_object_get(profile, "website"));
    json_int_t ms = json_integer_value(json_object_get(profile, "website_verified_ms"));
    char when[32];

    if (site == NULL || site[0] == '\0' || ms <= 0 || value == NULL || !strstr(value, site))
        return json_null();
    hr_iso8601((int64_t)ms, when);
    return json_string(when);
}

/* The actor's PropertyValues as Mastodon fields. */
static json_t *fields_of(const json_t *actor, const json_t *profile)
{
    json_t *out = json_array(), *pv;
    size_t i;

    json_array_foreach(json_object_get(actor, "attachment"), i, pv)
    {
        const char *name = json_string_value(json_object_get(pv, "name"));
        const char *value = json_string_value(json_object_get(pv, "value"));
        if (name != NULL && value != NULL)
            json_array_append_new(out, json_pack("{s:s,s:s,s:o}", "name", name, "value", value,
                                                 "verified_at", verified_at(profile, value)));
    }
    return out;
}

static json_int_t count_of(struct http_req *r, const char *name, int which)
{
    struct fed_doc d = {0};

    if (which == 0)
        fed_outbox(r->app->fed, name, NULL, &d);
    else if (which == 1)
        fed_followers(r->app->fed, name, NULL, &d);
    else
        fed_following(r->app->fed, name, &d);
    return total_of(&d);
}

/* Mastodon's Account entity for our account NAME, or NULL when there is none. */
static json_t *account_entity(struct http_req *r, const char *name)
{
    struct fed_doc d = {0};
    json_t *actor, *profile = NULL, *j = NULL;
    char avatar[600];
    const char *type;
    bool bot;

    fed_actor(r->app->fed, name, &d);
    actor = doc_json(&d);
    if (actor == NULL || fed_account_profile(r->app->fed, name, &profile, NULL) != HR_OK)
        goto out;
    snprintf(avatar, sizeof avatar, "%s" MASTO_AVATAR, r->app->cfg.base_url);
    /* clients show a Service as automated (fed_kind_type: kind service) */
    type = json_string_value(json_object_get(actor, "type"));
    bot = type != NULL && strcmp(type, "Service") == 0;
    j = json_pack(
        "{s:s,s:s,s:s,s:O,s:O,s:O,s:O,s:s,s:s,s:s,s:s,s:b,s:b,s:b,s:b,s:b,s:O,"
        "s:I,s:I,s:I,s:n,s:[],s:o}",
        "id", name, "username", name, "acct", name, "display_name", json_object_get(actor, "name"),
        "note", json_object_get(actor, "summary"), "url", json_object_get(actor, "url"), "uri",
        json_object_get(actor, "id"), "avatar", avatar, "avatar_static", avatar, "header", avatar,
        "header_static", avatar, "locked", 0, "bot", bot, "group", 0, "discoverable", 1,
        "indexable", 1, "created_at", json_object_get(actor, "published"), "followers_count",
        count_of(r, name, 1), "following_count", count_of(r, name, 2), "statuses_count",
        count_of(r, name, 0), "last_status_at", "emojis", "fields", fields_of(actor, profile));
    if (j != NULL) /* icon, image (server/media_masto.c) */
        masto_account_media(actor, j);
out:
    json_decref(actor);
    json_decref(profile);
    return j;
}

/* ---- Status ---- */
/* "BASE/users/NAME/notes/HEX" -> "NAME-HEX" into OUT; false for any other id. */
static bool status_id_of(struct http_req *r, const char *note_id, char *out, size_t cap)
{
    const char *base = r->app->cfg.base_url, *p, *slash;
    size_t n = strlen(base);

    if (note_id == NULL || strncmp(note_id, base, n) != 0 || strncmp(note_id + n, "/users/", 7))
        return false;
    p = note_id + n + 7;
    slash = strchr(p, '/');
    if (slash == NULL || strncmp(slash, "/notes/", 7) != 0 || strchr(slash + 7, '/') != NULL)
        return false;
    return snprintf(out, cap, "%.*s-%s", (int)(slash - p), p, slash + 7) < (int)cap;
}

/* "NAME-HEX" -> NAME and the Note's path "/users/NAME/notes/HEX". */
static bool status_path_of(const char *id, char name[32], char *path, size_t cap)
{
    const char *dash = strchr(id, '-');
    size_t n = dash ? (size_t)(dash - id) : 0;

    if (n == 0 || n >= 32 || dash[1] == '\0' ||
        strspn(dash + 1, "0123456789abcdef") != strlen(dash + 1))
        return false;
    memcpy(name, id, n);
    name[n] = '\0';
    return hr_name_valid(name) &&
           snprintf(path, cap, "/users/%s/notes/%s", name, dash + 1) < (int)cap;
}

static json_t *str_or_null(const json_t *v)
{
    return json_is_string(v) ? json_incref((json_t *)(uintptr_t)v) : json_null();
}

/* The language of NOTE: the one key of its contentMap (federation/tags.c), else NULL. */
static const char *note_language(const json_t *note)
{
    void *it = json_object_iter((json_t *)(uintptr_t)json_object_get(note, "contentMap"));

    return it ? json_object_iter_key(it) : NULL;
}

/* Mastodon's Tag and Mention entities of NOTE's Hashtag and Mention tags: "name" without
 * its '#', "url" the tag page; a mention's id is its acct (no remote account ids here). */
static json_t *note_tags(const json_t *note, const char *type)
{
    json_t *out = json_array();
    const json_t *t;
    size_t i;

    json_array_foreach(json_object_get(note, "tag"), i, t) {
        const char *ty = json_string_value(json_object_get(t, "type"));
        const char *name = json_string_value(json_object_get(t, "name"));
        const char *href = json_string_value(json_object_get(t, "href"));
        if (ty == NULL || strcmp(ty, type) != 0 || name == NULL || href == NULL ||
            strlen(name) < 2)
            continue;
        if (type[0] == 'H')
            json_array_append_new(out, json_pack("{s:s,s:s}", "name", name + 1, "url", href));
        else
            json_array_append_new(out, json_pack("{s:s,s:s%,s:s,s:s}", "id", name + 1, "username",
                                                 name + 1, strcspn(name + 1, "@"), "url", href,
                                                 "acct", name + 1));
    }
    return out;
}

/* Mastodon's Poll entity of a Question: the counts as last reported (federation/polls.c),
 * the same the Question shows to other servers. */
static json_t *poll_entity(const char *id, const json_t *note)
{
    const json_t *any = json_object_get(note, "anyOf"), *o;
    const json_t *opts = json_is_array(any) ? any : json_object_get(note, "oneOf");
    const char *end = json_string_value(json_object_get(note, "endTime"));
    int64_t end_ms = 0;
    json_int_t total = 0;
    json_t *options = json_array();
    size_t i;

    json_array_foreach(opts, i, o)
    {
        json_int_t n = json_integer_value(
            json_object_get(json_object_get(o, "replies"), "totalItems"));
        total += n;
        json_array_append_new(options, json_pack("{s:O,s:I}", "title", json_object_get(o, "name"),
                                                 "votes_count", n));
    }
    hr_xsd_datetime_parse(end, &end_ms);
    return json_pack("{s:s,s:s?,s:b,s:b,s:I,s:O,s:o,s:[]}", "id", id, "expires_at", end, "expired",
                     json_object_get(note, "closed") != NULL || hr_now_ms() >= end_ms, "multiple",
                     json_is_array(any), "votes_count", total, "voters_count",
                     json_object_get(note, "votersCount"), "options", options, "emojis");
}

/* ST with the live counts of NOTE (federation/counts.c) and its poll, if it is one. */
static json_t *with_counts(struct http_req *r, const json_t *note, json_t *st)
{
    const char *type = json_string_value(json_object_get(note, "type"));
    struct fed_counts c;

    if (st == NULL)
        return NULL;
    fed_note_counts(r->app->fed, json_string_value(json_object_get(note, "id")), &c);
    json_object_set_new(st, "replies_count", json_integer((json_int_t)c.replies));
    json_object_set_new(st, "reblogs_count", json_integer((json_int_t)c.shares));
    json_object_set_new(st, "favourites_count", json_integer((json_int_t)c.likes));
    if (type != NULL && strcmp(type, "Question") == 0)
        json_object_set_new(st, "poll", poll_entity(json_string_value(json_object_get(st, "id")),
                                                    note));
    return st;
}

/* Mastodon's Status entity of NOTE (ours, by ACCOUNT). */
static json_t *status_entity(struct http_req *r, const json_t *note, json_t *account)
{
    const char *cw = json_string_value(json_object_get(note, "summary"));
    const char *url = json_string_value(json_object_get(note, "url"));
    const char *lang = note_language(note);
    char id[200];
    json_t *st;

    if (!status_id_of(r, json_string_value(json_object_get(note, "id")), id, sizeof id))
        return NULL;
    st = json_pack("{s:s,s:O,s:n,s:n,s:b,s:s,s:s,s:o,s:O,s:s,s:I,s:I,s:I,s:o,s:O,s:n,s:n,"
                     "s:O,s:[],s:[],s:[],s:[],s:n,s:n}",
                     "id", id, "created_at", json_object_get(note, "published"), "in_reply_to_id",
                     "in_reply_to_account_id", "sensitive", cw != NULL && cw[0] != '\0',
                     "spoiler_text", cw ? cw : "", "visibility",
                     fed_visibility_name(fed_note_visibility(note)), "language",
                     lang ? json_string(lang) : json_null(), "uri", json_object_get(note, "id"),
                     "url", url ? url : json_string_value(json_object_get(note, "id")),
                     "replies_count", (json_int_t)0, "reblogs_count", (json_int_t)0,
                     "favourites_count", (json_int_t)0, "edited_at",
                     str_or_null(json_object_get(note, "updated")), "content",
                     json_object_get(note, "content"), "reblog", "application", "account", account,
                     "media_attachments", "mentions", "tags", "emojis", "card", "poll");
    if (st != NULL) /* attachment (server/media_masto.c) */
        masto_status_media(note, st);
    return st;
}

/* status_entity with NOTE's tags and mentions (issue #10). */
static json_t *status_entity_tagged(struct http_req *r, const json_t *note, json_t *account)
{
    json_t *st = status_entity(r, note, account);

    if (st != NULL) {
        json_object_set_new(st, "tags", note_tags(note, "Hashtag"));
        json_object_set_new(st, "mentions", note_tags(note, "Mention"));
    }
    return st;
}

/* The Note at PATH when it is a live post of NAME (not deleted), else NULL. */
static json_t *own_note(struct http_req *r, const char *name, const char *path)
{
    struct fed_doc d = {0};

    fed_own_post(r->app->fed, name, path, &d);
    return doc_json(&d);
}

/* ---- routes ---- */
static enum MHD_Result get_account(struct http_req *r, const char *name)
{
    json_t *j = hr_name_valid(name) ? account_entity(r, name) : NULL;

    return j ? masto_json(r, j) : masto_error(r, 404, "Record not found");
}

/* acct=NAME or NAME@OUR_DOMAIN: we only ever answer for our own accounts. */
static enum MHD_Result get_lookup(struct http_req *r)
{
    const char *acct = http_arg(r, "acct"), *at;
    char name[32];
    size_t n;

    if (acct == NULL || acct[0] == '\0')
        return masto_error(r, 400, "Missing required parameter: acct");
    if (acct[0] == '@')
        acct++;
    at = strchr(acct, '@');
    n = at ? (size_t)(at - acct) : strlen(acct);
    if (n == 0 || n >= sizeof name || (at != NULL && !hr_streq_ci(at + 1, r->app->cfg.domain)))
        return masto_error(r, 404, "Record not found");
    memcpy(name, acct, n);
    name[n] = '\0';
    return get_account(r, name);
}

/* The Note id an outbox item (a Create) carries, or NULL (an Announce, ...). */
static const char *created_note(const json_t *activity)
{
    const json_t *obj = json_object_get(activity, "object");
    const char *type = json_string_value(json_object_get(activity, "type"));

    if (type == NULL || strcmp(type, "Create") != 0)
        return NULL;
    return json_is_string(obj) ? json_string_value(obj)
                               : json_string_value(json_object_get(obj, "id"));
}

/* Appends the status of each live Note created in the outbox page ITEMS. */
static void statuses_add(struct http_req *r, const char *name, const json_t *items, json_t *account,
                         json_t *out)
{
    size_t base = strlen(r->app->cfg.base_url), i;
    const json_t *item;
    json_t *note, *st;

    json_array_foreach(items, i, item)
    {
        const char *id = created_note(item);
        if (id == NULL || strncmp(id, r->app->cfg.base_url, base) != 0)
            continue;
        note = own_note(r, name, id + base);
        st = note ? with_counts(r, note, status_entity_tagged(r, note, account)) : NULL;
        if (st != NULL)
            json_array_append_new(out, st);
        json_decref(note);
    }
}

/* The newest public posts (one outbox page: 20 at most; no pagination yet). */
static enum MHD_Result get_statuses(struct http_req *r, const char *name)
{
    json_t *account = hr_name_valid(name) ? account_entity(r, name) : NULL;
    struct fed_doc d = {0};
    json_t *page, *out;

    if (account == NULL)
        return masto_error(r, 404, "Record not found");
    fed_outbox(r->app->fed, name, "true", &d);
    page = doc_json(&d);
    out = json_array();
    statuses_add(r, name, json_object_get(page, "orderedItems"), account, out);
    json_decref(page);
    json_decref(account);
    return masto_json(r, out);
}

static enum MHD_Result get_status(struct http_req *r, const char *id)
{
    char name[32], path[200];
    json_t *note = NULL, *account = NULL, *st = NULL;

    if (status_path_of(id, name, path, sizeof path) && (note = own_note(r, name, path)) != NULL &&
        (account = account_entity(r, name)) != NULL)
        st = with_counts(r, note, status_entity_tagged(r, note, account));
    json_decref(note);
    json_decref(account);
    return st ? masto_json(r, st) : masto_error(r, 404, "Record not found");
}

/* ---- instance ---- */
static json_t *languages(const struct config *c)
{
    json_t *arr = json_array();
    const char *p = c->languages[0] ? c->languages : "en";

    while (*p != '\0') {
        size_t n = strcspn(p, ", ");
        if (n > 0)
            json_array_append_new(arr, json_stringn(p, n));
        p += n;
        p += strspn(p, ", ");
    }
    return arr;
}

static json_int_t user_count(struct http_req *r)
{
    struct fed_doc d = {0};
    json_t *j;
    json_int_t n;

    fed_nodeinfo(r->app->fed, &d);
    j = doc_json(&d);
    n = json_integer_value(
        json_object_get(json_object_get(json_object_get(j, "usage"), "users"), "total"));
    json_decref(j);
    return n;
}

/* What posting allows: up to 4 images per post (issue #10); no featured tags. */
static json_t *statuses_config(void)
{
    return json_pack("{s:i,s:i,s:i}", "max_characters", 500, "max_media_attachments", 4,
                     "characters_reserved_per_url", 23);
}

static enum MHD_Result get_instance(struct http_req *r, bool v2)
{
    const struct config *c = &r->app->cfg;
    char version[64], avatar[600];
    json_t *j;

    snprintf(version, sizeof version, MASTO_COMPAT " (compatible; Herald " HERALD_VERSION ")");
    snprintf(avatar, sizeof avatar, "%s" MASTO_AVATAR, c->base_url);
    if (!v2)
        j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:{},s:{s:I,s:i,s:i},s:n,s:o,s:b,s:b,s:b,"
                      "s:{s:o},s:n,s:[]}",
                      "uri", c->domain, "title", c->domain, "short_description", "", "description",
                      "", "email", "", "version", version, "urls", "stats", "user_count",
                      user_count(r), "status_count", 0, "domain_count", 0, "thumbnail", "languages",
                      languages(c), "registrations", 0, "approval_required", 0, "invites_enabled",
                      0, "configuration", "statuses", statuses_config(), "contact_account",
                      "rules");
    else
        j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:{s:{s:I}},s:{s:s},s:o,s:{s:{},s:o,s:{s:b}},"
                      "s:{s:b,s:b,s:n},s:{s:s,s:n},s:[]}",
                      "domain", c->domain, "title", c->domain, "version", version, "source_url", "",
                      "description", "", "usage", "users", "active_month", user_count(r),
                      "thumbnail", "url", avatar, "languages", languages(c), "configuration",
                      "urls", "statuses", statuses_config(), "translation", "enabled", 0,
                      "registrations", "enabled", 0, "approval_required", 0, "message", "contact",
                      "email", "", "account", "rules");
    return masto_json(r, j);
}

/* "/api/v1/accounts/ID[/statuses]" */
static enum MHD_Result get_accounts(struct http_req *r, const char *rest)
{
    const char *slash = strchr(rest, '/');
    char name[32];
    size_t n = slash ? (size_t)(slash - rest) : strlen(rest);

    if (strcmp(rest, "lookup") == 0)
        return get_lookup(r);
    if (n == 0 || n >= sizeof name || (slash != NULL && strcmp(slash, "/statuses") != 0))
        return masto_error(r, 404, "Record not found");
    memcpy(name, rest, n);
    name[n] = '\0';
    return slash ? get_statuses(r, name) : get_account(r, name);
}

enum MHD_Result mastoapi_get(struct http_req *r)
{
    const char *u = r->url;

    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0)
        return masto_error(r, 405, "This server answers only the public, read-only API");
    if (strcmp(u, MASTO_AVATAR) == 0)
        return http_reply(r, 200, "image/svg+xml", avatar_svg, "public, max-age=86400");
    if (strcmp(u, "/api/v1/instance") == 0 || strcmp(u, "/api/v2/instance") == 0)
        return get_instance(r, u[6] == '2');
    if (strncmp(u, "/api/v1/accounts/", 17) == 0)
        return get_accounts(r, u + 17);
    if (strncmp(u, "/api/v1/statuses/", 17) == 0 && strchr(u + 17, '/') == NULL)
        return get_status(r, u + 17);
    /* what needs a token on Mastodon needs one here too, and we issue none */
    return masto_error(r, 401, "The access token is invalid");
}
