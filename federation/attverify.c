/* federation/attverify.c - what can be proven about a post or an actor: the post's object
 * proof by its author's key, the author's attestations, and the chain of issuers up to one
 * of the configured trust anchors. The answer is data (a JSON report) that the CLI prints
 * and /verify explains in plain words; nothing here is stored. */
#include "federation/fed_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct chain {
    struct fed *fed;
    const char *anchors; /* space-separated actor URLs */
    json_t *steps, *problems, *visited;
    char anchor[600];
};

static void problem(struct chain *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct chain *c, const char *fmt, ...)
{
    char line[700];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    json_array_append_new(c->problems, json_string(line));
}

static bool anchor_listed(const char *anchors, const char *actor)
{
    size_t n = strlen(actor);

    for (const char *p = anchors; p != NULL && *p != '\0';) {
        size_t len;
        p += strspn(p, " \t");
        len = strcspn(p, " \t");
        if (len == n && n > 0 && strncmp(p, actor, n) == 0)
            return true;
        p += len;
    }
    return false;
}

static bool seen(const json_t *visited, const char *actor)
{
    size_t i;
    json_t *v;

    json_array_foreach(visited, i, v) if (strcmp(json_string_value(v), actor) == 0) return true;
    return false;
}

/* The actor document at URL (ours from the store). */
static int actor_doc(struct fed *fed, const char *url, json_t **out, struct hr_err *err)
{
    if (fed_is_local(fed, url))
        return fed_attest_local_object(fed, url, out, err);
    return fed_fetch_doc(fed, url, fed->cfg.fetch_timeout_ms, out, err);
}

static bool trusted(struct chain *c, const char *actor, int depth);

/* Checks one attestation URL of ACTOR, records the step; true when it leads to an anchor. */
static bool step(struct chain *c, const char *actor, const char *url, int depth)
{
    struct hr_err e = {0};
    json_t *entry = NULL, *s;
    bool ok = fed_attest_check(c->fed, url, actor, &entry, &e) == HR_OK;

    s = ok ? json_incref(entry)
           : json_pack("{s:s,s:s,s:b,s:s}", "attestation", url, "subject", actor, "ok", 0, "reason",
                       e.msg);
    if (ok && s != NULL)
        json_object_set_new(s, "ok", json_true());
    if (s != NULL)
        json_array_append_new(c->steps, s);
    if (!ok)
        problem(c, "attestation %s: %s", url, e.msg);
    ok = ok && trusted(c, json_string_value(json_object_get(entry, "issuer")), depth + 1);
    json_decref(entry);
    return ok;
}

static bool trusted(struct chain *c, const char *actor, int depth)
{
    struct hr_err e = {0};
    json_t *doc = NULL, *links, *v;
    bool ok = false;
    size_t i;

    if (anchor_listed(c->anchors, actor)) {
        snprintf(c->anchor, sizeof c->anchor, "%s", actor);
        return true;
    }
    if (depth >= FED_ATTEST_DEPTH) {
        problem(c, "%s: no trust anchor within %d issuers", actor, FED_ATTEST_DEPTH);
        return false;
    }
    if (seen(c->visited, actor)) {
        problem(c, "%s: the attestations form a loop", actor);
        return false;
    }
    json_array_append_new(c->visited, json_string(actor));
    if (actor_doc(c->fed, actor, &doc, &e) != HR_OK) {
        problem(c, "%s: the actor could not be read: %s", actor, e.msg);
        return false;
    }
    links = json_object_get(doc, "attestations");
    if (json_is_string(links) || json_is_object(links))
        links = json_pack("[O]", links);
    else
        json_incref(links);
    if (json_array_size(links) == 0)
        problem(c, "%s is not a trust anchor of this server and lists no attestation", actor);
    json_array_foreach(links, i, v)
    {
        if (ok || i >= FED_ATTEST_MAX || fed_json_id(v) == NULL)
            break;
        ok = step(c, actor, fed_json_id(v), depth);
    }
    json_decref(links);
    json_decref(doc);
    return ok;
}

/* ---- the target: a handle, an actor or a post ---- */

/* "@user@host" or "user@host" into an actor URL (ours without the network). */
static int handle_actor(struct fed *fed, const char *handle, char *out, size_t cap,
                        struct hr_err *err)
{
    const char *h = handle[0] == '@' ? handle + 1 : handle;
    const char *at = strchr(h, '@');
    struct fed_remote r = {0};
    char name[32];
    int rc;

    if (at != NULL && strcmp(at + 1, fed->domain) == 0 && (size_t)(at - h) < sizeof name) {
        memcpy(name, h, (size_t)(at - h));
        name[at - h] = '\0';
        fed_actor_url(fed, name, out, cap);
        return hr_name_valid(name) ? HR_OK : hr_fail(err, HR_EINVAL, "not a handle: %.80s", handle);
    }
    rc = fed_resolve_actor(fed, handle, &r, err);
    if (rc == HR_OK)
        snprintf(out, cap, "%s", r.actor);
    fed_remote_fini(&r);
    return rc;
}

static const char *state_name(enum fed_proof_state s)
{
    return s == FED_PROOF_VALID ? "valid" : s == FED_PROOF_INVALID ? "invalid" : "none";
}

/* TARGET's document; a post's proof goes into REPORT and its author into ACTOR. */
static int target_actor(struct fed *fed, const char *target, json_t *report, char *actor,
                        size_t cap, struct hr_err *err)
{
    struct fed_proof_result pr;
    const char *author;
    json_t *doc = NULL;
    int rc;

    if (strncmp(target, "http://", 7) != 0 && strncmp(target, "https://", 8) != 0)
        return handle_actor(fed, target, actor, cap, err);
    rc = actor_doc(fed, target, &doc, err); /* a post is fetched the same way */
    if (rc == HR_OK && json_is_string(json_object_get(doc, "inbox"))) {
        snprintf(actor, cap, "%s", target);
    } else if (rc == HR_OK) {
        fed_proof_check(fed, doc, NULL, &pr);
        author = fed_json_id(json_object_get(doc, "attributedTo"));
        snprintf(actor, cap, "%s", author ? author : "");
        json_object_set_new(report, "post",
                            json_pack("{s:s,s:s,s:s,s:s}", "url", target, "proof",
                                      state_name(pr.state), "reason", pr.reason, "key", pr.method));
        if (author == NULL)
            rc = hr_fail(err, HR_EINVAL, "the post names no author (attributedTo)");
    }
    json_decref(doc);
    return rc;
}

static bool post_ok(const json_t *report)
{
    const json_t *post = json_object_get(report, "post");

    return post == NULL || strcmp(json_string_value(json_object_get(post, "proof")), "valid") == 0;
}

json_t *fed_attest_verify(struct fed *fed, const char *target, const char *anchors)
{
    struct chain c = {.fed = fed,
                      .anchors = anchors,
                      .steps = json_array(),
                      .problems = json_array(),
                      .visited = json_array()};
    json_t *report = json_pack("{s:s}", "target", target ? target : "");
    struct hr_err e = {0};
    char actor[600] = "";
    bool ok = false;

    if (report == NULL || c.steps == NULL || c.problems == NULL || c.visited == NULL)
        goto out;
    if (target == NULL || target[0] == '\0' || strlen(target) > FED_ID_MAX)
        problem(&c, "give a post URL, an actor URL or @user@host");
    else if (target_actor(fed, target, report, actor, sizeof actor, &e) != HR_OK)
        problem(&c, "%s", e.msg);
    else
        ok = trusted(&c, actor, 0);
    if (!post_ok(report))
        problem(&c, "the post's proof: %s",
                json_string_value(json_object_get(json_object_get(report, "post"), "reason")));
    json_object_set_new(report, "actor", actor[0] ? json_string(actor) : json_null());
    json_object_set_new(report, "verified", json_boolean(ok && post_ok(report)));
    json_object_set_new(report, "anchor", c.anchor[0] ? json_string(c.anchor) : json_null());
    json_object_set(report, "chain", c.steps);
    json_object_set(report, "problems", c.problems);
out:
    json_decref(c.steps);
    json_decref(c.problems);
    json_decref(c.visited);
    return report;
}
