/* federation/actorupdate.c - a changed profile reaches the followers' servers: an
 * Update(actor) carrying the whole new actor document, stored and queued to every follower
 * inbox in the caller's transaction (the change and its announcement commit together). */
#include "federation/fed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FED_PUBLIC "https://www.w3.org/ns/activitystreams#Public"

/* Update{actor} with id ACTOR#updates/MS, addressed like a public post. */
static json_t *update_json(struct fed *fed, const struct store_account *a, const char *id,
                           const char *when)
{
    char actor[512], followers[600];
    json_t *doc = fed_actor_json(fed, a);

    if (doc == NULL)
        return NULL;
    fed_actor_url(fed, a->name, actor, sizeof actor);
    snprintf(followers, sizeof followers, "%s/followers", actor);
    /* the actor document's own @context covers the embedded object's terms */
    return json_pack("{s:O,s:s,s:s,s:s,s:s,s:[s],s:[s],s:o}", "@context",
                     json_object_get(doc, "@context"), "id", id, "type", "Update", "actor",
                     actor, "published", when, "to", FED_PUBLIC, "cc", followers, "object",
                     doc);
}

int fed_actor_update_queue(struct fed *fed, struct store_txn *txn, const char *name,
                           struct hr_err *err)
{
    struct store_account a = {0};
    char actor[512], id[600], when[32];
    int64_t now = hr_now_ms();
    json_t *j = NULL;
    char *body = NULL;
    int rc = store_account_get(txn, name, &a, err);

    if (rc != HR_OK)
        return rc;
    fed_actor_url(fed, name, actor, sizeof actor);
    snprintf(id, sizeof id, "%s#updates/%lld", actor, (long long)now);
    hr_iso8601(now, when);
    j = update_json(fed, &a, id, when);
    rc = j ? fed_proof_sign(fed, txn, name, j, err) : hr_fail(err, HR_ENOMEM, "Update(actor)");
    body = rc == HR_OK ? json_dumps(j, JSON_COMPACT) : NULL;
    if (rc == HR_OK && body == NULL)
        rc = hr_fail(err, HR_ENOMEM, "Update(actor)");
    if (rc == HR_OK) {
        struct store_object o = {.id = id, .account = a.name, .type = (char *)(uintptr_t)"Update",
                                 .published_ms = now, .json = body};
        rc = store_object_put(txn, &o, err);
    }
    if (rc == HR_OK)
        rc = fed_fanout_queue(txn, name, id, err);
    free(body);
    json_decref(j);
    store_account_fini(&a);
    return rc;
}
