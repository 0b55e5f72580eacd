/* federation/ownpost.c - which stored objects are posts of ours, for the HTML pages.
 * Everything else stored under our domain (Accepts, which answer what peers sent, and the
 * activities around our posts) is served as JSON to ActivityPub clients only, so that
 * nothing a peer wrote can come back as a page of the agency's own site. */
#include "federation/fed_int.h"

#include <string.h>

static bool str_is(const json_t *v, const char *s)
{
    const char *t = json_string_value(v);

    return t != NULL && strcmp(t, s) == 0;
}

/* Ours: stored under its own id by account NAME as a Note or a Tombstone; a Note also
 * says so itself (type Note, attributedTo NAME's actor). Decided by what we recorded at
 * publishing, not by what the JSON claims alone. */
static bool own_post(const struct fed *fed, const char *name, const char *id,
                     const struct store_object *o)
{
    char actor[512];
    json_t *j;
    bool ok;

    if (strcmp(o->account, name) != 0 || strcmp(o->id, id) != 0)
        return false;
    if (strcmp(o->type, "Tombstone") == 0)
        return true;
    if (strcmp(o->type, "Note") != 0)
        return false;
    fed_actor_url(fed, name, actor, sizeof actor);
    j = json_loadb(o->json, o->json_len, 0, NULL);
    /* a poll is a Question, stored as a Note (federation/polls.c) */
    ok = (str_is(json_object_get(j, "type"), "Note") ||
          str_is(json_object_get(j, "type"), "Question")) &&
         str_is(json_object_get(j, "id"), id) &&
         str_is(json_object_get(j, "attributedTo"), actor);
    json_decref(j);
    return ok;
}

void fed_own_post(struct fed *fed, const char *name, const char *path, struct fed_doc *doc)
{
    struct store_object o = {0};
    char id[1200];

    if (!fed_object_public(fed, path)) {
        /* followers-only and direct posts have no page: the answer for an unknown id */
        fed_doc_error(doc, 404, "not_found", "no such object");
    } else if (fed_object_load(fed, path, id, &o, doc) != HR_OK) {
        /* DOC holds the 404 or 500 */
    } else if (!own_post(fed, name, id, &o)) {
        fed_doc_error(doc, 406, "not_acceptable",
                      "this object has no HTML page; ask for application/activity+json");
    } else {
        doc->status = strcmp(o.type, "Tombstone") == 0 ? 410 : 200;
        doc->content_type = "application/activity+json";
        doc->body = o.json;
        o.json = NULL;
    }
    store_object_fini(&o);
}
