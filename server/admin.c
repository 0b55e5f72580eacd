/* server/admin.c - the admin HTTP API under /api/herald/v1/ (JSON, bearer tokens).
 * Every call is authenticated by a token that carries its operator's roles and no more;
 * what each call needs is decided by agency_may (agency/authz.c, the one table the CLI
 * uses too); the draft verbs go through agency_draft_verb like the CLI's. Errors: {"error": CODE, "message": TEXT} with
 * 400/401/403/404/409/422. Failed authentications are limited per client address and
 * logged without the token. */
#include "server/admin.h"
#include "agency/agency.h"
#include "server/attest.h"
#include "server/media_front.h"
#include "server/desk_front.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define API "/api/herald/v1"
#define AUTH_FAILS_PER_MINUTE 10

struct call {
    struct http_req *r;
    char op[64];
    const char *rest; /* path after the route prefix, e.g. "d12/approve" */
    json_t *body;     /* parsed POST body (object), or NULL */
};

/* ---- replies ---- */

static int status_of(int rc)
{
    switch (rc) {
    case HR_EINVAL: return 422;
    case HR_ENOTFOUND: return 404;
    case HR_EEXIST: return 409;
    case HR_EFORBIDDEN: return 403;
    case HR_ETOOBIG: return 413;
    case HR_EGONE: return 409;
    case HR_ESTALE: return 409;
    default: return 500;
    }
}

static const char *code_of(int status)
{
    switch (status) {
    case 400: return "bad_request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 409: return "conflict";
    case 413: return "too_large";
    case 422: return "invalid";
    case 429: return "rate_limited";
    default: return "internal";
    }
}

static enum MHD_Result fail_rc(struct call *c, int rc, const struct hr_err *err)
{
    int status = status_of(rc);

    return http_reply_error(c->r, status, rc == HR_ESTALE ? "revision_changed" : code_of(status),
                            err && err->msg[0] ? err->msg : "request failed");
}

static enum MHD_Result reply_json(struct call *c, int status, json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    enum MHD_Result ret = s ? http_reply(c->r, status, "application/json", s, NULL)
                            : http_reply_error(c->r, 500, "internal", "out of memory");

    free(s);
    json_decref(j);
    return ret;
}

static enum MHD_Result reply_text_json(struct call *c, int status, char *s)
{
    enum MHD_Result ret = http_reply(c->r, status, "application/json", s, NULL);

    free(s);
    return ret;
}


/* ---- authentication ---- */

/* Failed logins per exact client address and minute (a hashed slot table let addresses that
 * shared a slot lock each other out). 4096 addresses are remembered; past that the least
 * recently seen is forgotten. */
static pthread_once_t fails_once = PTHREAD_ONCE_INIT;
static struct hr_rate *fails;

static void fails_init(void)
{
    if (hr_rate_new(4096, 60000, &fails) != HR_OK)
        fails = NULL;
}

static bool auth_throttled(const char *client, bool count_one)
{
    pthread_once(&fails_once, fails_init);
    if (fails == NULL)
        return true; /* out of memory at start: refuse rather than not count */
    if (count_one)
        return !hr_rate_hit(fails, client, AUTH_FAILS_PER_MINUTE - 1, hr_mono_ms(), NULL);
    return !hr_rate_check(fails, client, AUTH_FAILS_PER_MINUTE, hr_mono_ms(), NULL);
}

static int authenticate(struct call *c)
{
    const char *auth = http_header(c->r, "Authorization");
    struct hr_err err = {0};

    if (auth_throttled(c->r->client, false))
        return 429;
    if (auth != NULL && strncmp(auth, "Bearer ", 7) == 0 &&
        agency_token_auth(c->r->app->st, auth + 7, c->op, &err) == HR_OK)
        return 0;
    auth_throttled(c->r->client, true);
    hr_log(HR_LOG_WARN, "admin", "authentication failed client=%s path=%s", c->r->client,
           c->r->url);
    return 401;
}

/* ---- helpers for handlers ---- */

static const char *body_str(struct call *c, const char *key)
{
    return json_string_value(json_object_get(c->body, key));
}

/* The authorization table's verdict (HR_OK or HR_EFORBIDDEN with the reason in ERR). */
static int may(struct call *c, enum agency_action action, const char *account,
               const char *subject, struct hr_err *err)
{
    return agency_may(c->r->app->st, c->op, action, account, subject, err);
}

/* ---- handlers ---- */

static enum MHD_Result h_me(struct call *c)
{
    return reply_json(c, 200, json_pack("{s:s}", "operator", c->op));
}

static int account_cb(const struct store_account *a, void *ctx)
{
    json_array_append_new(ctx, json_pack("{s:s,s:s,s:s}", "name", a->name, "kind", a->kind,
                                         "display_name", a->display_name));
    return HR_OK;
}

/* POST /accounts {"name","kind","display_name","summary","parent" (or "agency")}: the
 * rules of kinds are agency_account_create's. A remote parent is checked by the
 * scheduler, never by an HTTP thread (federation/kinds_check.c). */
static int account_create(struct call *c, struct hr_err *err)
{
    struct agency_account_new in = {
        .name = body_str(c, "name"), .kind = body_str(c, "kind"),
        .display = body_str(c, "display_name"), .summary = body_str(c, "summary"),
        .parent = body_str(c, "parent") ? body_str(c, "parent") : body_str(c, "agency")};

    if (body_str(c, "parent") != NULL && body_str(c, "agency") != NULL)
        return hr_fail(err, HR_EINVAL, "give \"parent\" or \"agency\", not both");
    return agency_account_create(c->r->app->st, c->op, &in, err);
}

static enum MHD_Result h_accounts(struct call *c)
{
    struct hr_err err = {0};
    json_t *arr;
    int rc;

    if (strcmp(c->r->method, "POST") == 0) {
        if ((rc = may(c, AGENCY_ACCOUNT_CREATE, NULL, NULL, &err)) != HR_OK)
            return fail_rc(c, rc, &err);
        rc = account_create(c, &err);
        return rc == HR_OK ? reply_json(c, 201, json_pack("{s:s}", "name", body_str(c, "name")))
                           : fail_rc(c, rc, &err);
    }
    arr = json_array();
    rc = agency_account_each(c->r->app->st, c->op, account_cb, arr, &err);
    if (rc != HR_OK) {
        json_decref(arr);
        return fail_rc(c, rc, &err);
    }
    return reply_json(c, 200, arr);
}

/* POST /accounts/NAME/profile {"key": K, "value": V}: V null, absent or "" clears */
static enum MHD_Result h_account_profile(struct call *c, const char *name)
{
    const json_t *v = json_object_get(c->body, "value");
    struct hr_err err = {0};
    /* "field" takes {"name": LABEL, "value": TEXT} (agency/fields.c), as JSON text */
    const char *key = body_str(c, "key");
    char *field = json_is_object(v) && key != NULL && strcmp(key, "field") == 0
                      ? json_dumps(v, JSON_COMPACT)
                      : NULL;
    int rc;

    if (body_str(c, "key") == NULL ||
        (v != NULL && !json_is_null(v) && !json_is_string(v) && field == NULL)) {
        free(field);
        return http_reply_error(c->r, 422, "invalid",
                                "{\"key\": string, \"value\": string, object or null} expected");
    }
    rc = agency_account_set(c->r->app->st, c->r->app->fed, c->op, name, body_str(c, "key"),
                            field ? field : json_string_value(v), &err);
    free(field);
    if (rc != HR_OK)
        return fail_rc(c, rc, &err);
    if (json_string_length(v) > 4096) /* an image (avatar, header): not echoed back */
        v = NULL;
    return reply_json(c, 200, json_pack("{s:s,s:s,s:O}", "account", name, "key",
                                        body_str(c, "key"), "value", v ? v : json_null()));
}

/* POST /accounts/NAME/keys/rotate, /freeze {"reason": T}, /unfreeze {"approve": bool}
 * (agency/security.c; its rows in the authorization table) */
static enum MHD_Result h_account_security(struct call *c, const char *name, const char *verb)
{
    const json_t *approve = json_object_get(c->body, "approve");
    struct hr_err err = {0};
    char key_id[128];
    size_t resumed = 0;
    int rc;

    if (strcmp(verb, "/keys/rotate") == 0) {
        rc = agency_keys_rotate(c->r->app->st, c->r->app->fed, c->op, name, key_id, &err);
        return rc == HR_OK ? reply_json(c, 200, json_pack("{s:s,s:s}", "account", name,
                                                          "ed25519_key_id", key_id))
                           : fail_rc(c, rc, &err);
    }
    if (strcmp(verb, "/freeze") == 0) {
        if (!json_is_string(json_object_get(c->body, "reason")))
            return http_reply_error(c->r, 422, "invalid", "{\"reason\": string} expected");
        rc = agency_account_freeze(c->r->app->st, c->r->app->fed, c->op, name,
                                   body_str(c, "reason"), &err);
        return rc == HR_OK ? reply_json(c, 200, json_pack("{s:s,s:b}", "account", name,
                                                          "frozen", 1))
                           : fail_rc(c, rc, &err);
    }
    if (approve != NULL && !json_is_boolean(approve))
        return http_reply_error(c->r, 422, "invalid", "{\"approve\": boolean} expected");
    rc = agency_account_unfreeze(c->r->app->st, c->r->app->fed, c->op, name,
                                 json_is_true(approve), &resumed, &err);
    return rc == HR_OK ? reply_json(c, 200, json_pack("{s:s,s:b,s:I}", "account", name, "frozen",
                                                      !json_is_true(approve), "resumed",
                                                      (json_int_t)resumed))
                       : fail_rc(c, rc, &err);
}

static bool security_verb(const char *slash)
{
    return strcmp(slash, "/keys/rotate") == 0 || strcmp(slash, "/freeze") == 0 ||
           strcmp(slash, "/unfreeze") == 0;
}

/* POST /accounts/NAME/link {"actor": URL, "kind": K (optional)}, .../unlink {"actor": URL}:
 * the remote accounts in NAME's account matrix (agency_account_link) */
static enum MHD_Result h_account_link(struct call *c, const char *name, bool on)
{
    struct hr_err err = {0};
    int rc;

    if (body_str(c, "actor") == NULL)
        return http_reply_error(c->r, 422, "invalid", "{\"actor\": URL} expected");
    rc = agency_account_link(c->r->app->st, c->op, name, body_str(c, "actor"), body_str(c, "kind"),
                             on, &err);
    if (rc != HR_OK)
        return fail_rc(c, rc, &err);
    return reply_json(c, 200, json_pack("{s:s,s:s,s:b}", "account", name, "actor",
                                        body_str(c, "actor"), "linked", on));
}

/* POST /accounts/NAME/policy {"approvals": N}, POST /accounts/NAME/profile, /link, /unlink, /keys/rotate, /freeze, /unfreeze */
static enum MHD_Result h_account_policy(struct call *c)
{
    char name[32];
    const char *slash = strchr(c->rest, '/');
    json_t *n = json_object_get(c->body, "approvals");
    bool valid = json_is_integer(n) && json_integer_value(n) >= 0 && json_integer_value(n) <= 3;
    char want[8] = "";
    struct hr_err err = {0};
    int rc;

    if (slash == NULL ||
        (strcmp(slash, "/policy") != 0 && strcmp(slash, "/profile") != 0 &&
         strcmp(slash, "/link") != 0 && strcmp(slash, "/unlink") != 0 && !security_verb(slash)) ||
        (size_t)(slash - c->rest) >= 32)
        return http_reply_error(c->r, 404, "not_found", "no such endpoint");
    memcpy(name, c->rest, (size_t)(slash - c->rest));
    name[slash - c->rest] = '\0';
    if (security_verb(slash))
        return h_account_security(c, name, slash);
    if (strcmp(slash, "/profile") == 0)
        return h_account_profile(c, name);
    if (strcmp(slash, "/link") == 0 || strcmp(slash, "/unlink") == 0)
        return h_account_link(c, name, strcmp(slash, "/link") == 0);
    if (valid)
        snprintf(want, sizeof want, "%d", (int)json_integer_value(n));
    if ((rc = may(c, AGENCY_SET_APPROVALS, name, valid ? want : NULL, &err)) != HR_OK)
        return fail_rc(c, rc, &err);
    if (!valid)
        return http_reply_error(c->r, 422, "invalid", "approvals must be 0 to 3");
    rc = agency_set_approvals(c->r->app->st, c->op, name, (unsigned)json_integer_value(n), &err);
    return rc == HR_OK ? reply_json(c, 200, json_pack("{s:s,s:O}", "account", name, "approvals", n))
                       : fail_rc(c, rc, &err);
}

static int operator_cb(const struct agency_operator *o, void *ctx)
{
    json_array_append_new(ctx, json_pack("{s:s,s:b,s:s}", "name", o->name, "disabled",
                                         o->disabled, "roles", o->roles));
    return HR_OK;
}

/* POST /operators/NAME/VERB (disable, grant, revoke); *known false for another VERB. */
static int operator_change(struct call *c, const char *name, const char *verb, bool *known,
                           struct hr_err *err)
{
    static const struct {
        const char *verb;
        enum agency_action action;
    } verbs[] = {{"/disable", AGENCY_OPERATOR_MANAGE}, {"/grant", AGENCY_GRANT},
                 {"/revoke", AGENCY_REVOKE}};
    struct store *st = c->r->app->st;
    const char *role = body_str(c, "role"), *account = body_str(c, "account");

    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
        int rc;
        if (strcmp(verb, verbs[i].verb) != 0)
            continue;
        *known = true;
        rc = may(c, verbs[i].action, NULL, name, err); /* NAME: the grantee for grant */
        if (rc != HR_OK || verbs[i].action == AGENCY_OPERATOR_MANAGE)
            return rc == HR_OK ? agency_operator_disable(st, c->op, name, err) : rc;
        return verbs[i].action == AGENCY_GRANT ? agency_grant(st, c->op, name, role, account, err)
                                               : agency_revoke(st, c->op, name, role, account, err);
    }
    *known = false;
    return HR_ENOTFOUND;
}

/* GET/POST /operators, POST /operators/NAME/disable|grant|revoke */
static enum MHD_Result h_operators(struct call *c)
{
    struct hr_err err = {0};
    char name[32];
    const char *verb = strchr(c->rest, '/');
    bool known = false;
    json_t *arr;
    int rc;

    if (strcmp(c->r->method, "GET") == 0) {
        if ((rc = may(c, AGENCY_OPERATOR_LIST, NULL, NULL, &err)) != HR_OK)
            return fail_rc(c, rc, &err);
        arr = json_array();
        rc = agency_operator_each(c->r->app->st, operator_cb, arr, &err);
        return rc == HR_OK ? reply_json(c, 200, arr) : (json_decref(arr), fail_rc(c, rc, &err));
    }
    if (c->rest[0] == '\0') {
        if ((rc = may(c, AGENCY_OPERATOR_MANAGE, NULL, NULL, &err)) != HR_OK)
            return fail_rc(c, rc, &err);
        rc = agency_operator_add(c->r->app->st, c->op, body_str(c, "name"), &err);
        return rc == HR_OK ? reply_json(c, 201, json_pack("{s:s}", "name", body_str(c, "name")))
                           : fail_rc(c, rc, &err);
    }
    if (verb == NULL || (size_t)(verb - c->rest) >= sizeof name)
        return http_reply_error(c->r, 404, "not_found", "no such endpoint");
    memcpy(name, c->rest, (size_t)(verb - c->rest));
    name[verb - c->rest] = '\0';
    rc = operator_change(c, name, verb, &known, &err);
    if (!known)
        return http_reply_error(c->r, 404, "not_found", "no such endpoint");
    return rc == HR_OK ? reply_json(c, 200, json_pack("{s:s}", "operator", name))
                       : fail_rc(c, rc, &err);
}

static int token_cb(const struct agency_token_info *t, void *ctx)
{
    json_array_append_new(ctx, json_pack("{s:s,s:s,s:I,s:I,s:b}", "id", t->id, "operator",
                                         t->operator, "created", (json_int_t)t->created_ms,
                                         "expires", (json_int_t)t->expires_ms, "revoked",
                                         t->revoked));
    return HR_OK;
}

/* GET/POST /tokens, POST /tokens/ID/revoke: admin only */
static enum MHD_Result h_tokens(struct call *c)
{
    json_t *days = json_object_get(c->body, "expires_days"), *arr;
    struct hr_err err = {0};
    char *token = NULL, id[17];
    int rc;

    if (strcmp(c->r->method, "GET") == 0) {
        if ((rc = may(c, AGENCY_TOKEN_LIST, NULL, NULL, &err)) != HR_OK)
            return fail_rc(c, rc, &err);
        arr = json_array();
        rc = agency_token_each(c->r->app->st, token_cb, arr, &err);
        return rc == HR_OK ? reply_json(c, 200, arr) : (json_decref(arr), fail_rc(c, rc, &err));
    }
    if (c->rest[0] != '\0') {
        if (strlen(c->rest) != 23 || strcmp(c->rest + 16, "/revoke") != 0)
            return http_reply_error(c->r, 404, "not_found", "no such endpoint");
        snprintf(id, sizeof id, "%.16s", c->rest);
        if ((rc = may(c, AGENCY_TOKEN_REVOKE, NULL, NULL, &err)) != HR_OK)
            return fail_rc(c, rc, &err);
        rc = agency_token_revoke(c->r->app->st, c->op, id, &err);
        return rc == HR_OK ? reply_json(c, 200, json_pack("{s:s}", "revoked", id))
                           : fail_rc(c, rc, &err);
    }
    /* a token of someone else would let its holder act as them: the table refuses it */
    if ((rc = may(c, AGENCY_TOKEN_MINT, NULL, body_str(c, "operator"), &err)) != HR_OK)
        return fail_rc(c, rc, &err);
    if (days != NULL && (!json_is_integer(days) || json_integer_value(days) < 0))
        return http_reply_error(c->r, 422, "invalid", "expires_days must be a whole number");
    rc = agency_token_create(c->r->app->st, c->op, body_str(c, "operator"),
                             (unsigned)json_integer_value(days), &token, id, &err);
    if (rc != HR_OK)
        return fail_rc(c, rc, &err);
    /* the only time the token is shown; the store keeps its hash */
    json_t *j = json_pack("{s:s,s:s}", "id", id, "token", token);
    agency_secret_free(token);
    return reply_json(c, 201, j);
}

static json_t *draft_result_json(const struct agency_draft_result *r)
{
    return json_pack("{s:s,s:s,s:i,s:i,s:s}", "id", r->id, "state", r->state, "approvals",
                     (int)r->approvals, "required", (int)r->required, "published_id",
                     r->published_id);
}

/* "poll": {"options": [..], "multiple": bool, "closes": TIME}; agency_draft_poll checks the
 * options themselves. */
static int poll_input(const json_t *poll, struct agency_draft_input *in, struct hr_err *err)
{
    const json_t *opts = json_object_get(poll, "options"), *v;
    const json_t *multiple = json_object_get(poll, "multiple");
    const char *closes = json_string_value(json_object_get(poll, "closes"));
    size_t i;

    if (poll == NULL || json_is_null(poll))
        return HR_OK;
    if (!json_is_object(poll) || !json_is_array(opts))
        return hr_fail(err, HR_EINVAL, "poll: {\"options\":[..],\"multiple\":false,"
                                       "\"closes\":\"2026-12-31T12:00:00Z\"}");
    if (json_array_size(opts) > AGENCY_POLL_OPTIONS_MAX)
        return hr_fail(err, HR_EINVAL, "a poll has at most %d options", AGENCY_POLL_OPTIONS_MAX);
    json_array_foreach(opts, i, v)
    {
        if (!json_is_string(v))
            return hr_fail(err, HR_EINVAL, "poll option %zu must be a string", i + 1);
        in->poll_options[in->n_poll_options++] = json_string_value(v);
    }
    if (multiple != NULL && !json_is_boolean(multiple))
        return hr_fail(err, HR_EINVAL, "poll.multiple must be true or false");
    in->poll_multiple = json_is_true(multiple);
    if (closes == NULL || hr_iso8601_parse(closes, &in->poll_closes_ms) != HR_OK ||
        in->poll_closes_ms <= 0)
        return hr_fail(err, HR_EINVAL, "poll.closes: use 2026-12-31T12:00:00Z");
    return HR_OK;
}

static int draft_input(struct call *c, struct agency_draft_input *in, struct hr_err *err)
{
    const char *at = body_str(c, "at");

    in->text = body_str(c, "text");
    in->cw = body_str(c, "cw");
    in->reply_to = body_str(c, "reply_to");
    in->replaces = body_str(c, "replaces");
    in->deletes = body_str(c, "deletes");
    in->boosts = body_str(c, "boosts");
    in->quote = body_str(c, "quote");
    in->language = body_str(c, "language");
    in->visibility = body_str(c, "visibility");
    in->at_ms = 0;
    if (at != NULL && hr_iso8601_parse(at, &in->at_ms) != HR_OK)
        return hr_fail(err, HR_EINVAL, "at: use 2026-12-01T09:00:00Z");
    return poll_input(json_object_get(c->body, "poll"), in, err);
}

/* POST /drafts (VERB "new") and POST /drafts/ID/VERB: parse, dispatch, print. */
static enum MHD_Result draft_verb(struct call *c, const char *id, const char *verb)
{
    struct agency_draft_request rq = {.id = id, .account = body_str(c, "account"),
                                      .rev = body_str(c, "rev"),
                                      .comment = body_str(c, "comment"),
                                      .submit = json_is_true(json_object_get(c->body, "submit"))};
    struct agency_draft_result res = {0};
    struct hr_err err = {0};
    unsigned char *images[AGENCY_DRAFT_IMAGES_MAX] = {0};
    int rc;

    if (agency_draft_verb_parse(verb, &rq.verb) != HR_OK ||
        (id == NULL) != (rq.verb == AGENCY_VERB_NEW))
        return http_reply_error(c->r, 404, "not_found", "no such endpoint");
    rc = draft_input(c, &rq.in, &err);
    if (rc == HR_OK) /* "images": [{"data": base64, "alt"}] (server/media_http.c) */
        rc = media_api_draft_images(c->body, &rq.in, images, &err);
    if (rc == HR_OK)
        rc = agency_draft_verb(c->r->app->st, c->r->app->fed, c->op, &rq, &res, &err);
    media_api_images_free(images);
    if (rc != HR_OK)
        return fail_rc(c, rc, &err);
    return reply_json(c, id == NULL ? 201 : 200, draft_result_json(&res));
}

/* /drafts, /drafts/ID, /drafts/ID/VERB; reading rights are checked by the agency layer */
static enum MHD_Result h_drafts(struct call *c)
{
    const char *account = http_arg(c->r, "account"), *slash;
    char id[48], *json = NULL;
    struct hr_err err = {0};
    int rc;

    if (c->rest[0] == '\0' && strcmp(c->r->method, "GET") == 0) {
        rc = agency_draft_list(c->r->app->st, c->op, account, http_arg(c->r, "state"), &json,
                               &err);
        return rc == HR_OK ? reply_text_json(c, 200, json) : fail_rc(c, rc, &err);
    }
    if (c->rest[0] == '\0')
        return draft_verb(c, NULL, "new");
    slash = strchr(c->rest, '/');
    snprintf(id, sizeof id, "%.*s", slash ? (int)(slash - c->rest) : 47, c->rest);
    if (slash != NULL && strcmp(c->r->method, "POST") == 0)
        return draft_verb(c, id, slash + 1);
    if (slash != NULL)
        return http_reply_error(c->r, 405, "method_not_allowed", "POST to change a draft");
    rc = agency_draft_show(c->r->app->st, c->op, id, &json, &err);
    return rc == HR_OK ? reply_text_json(c, 200, json) : fail_rc(c, rc, &err);
}

/* GET /posts?account=NAME[&page=CURSOR]: the account's outbox, for operators */
/* The outbox page BODY (freed) with each post's counts, as `herald posts` shows them. */
static enum MHD_Result reply_with_counts(struct call *c, char *body)
{
    json_t *page = json_loads(body, 0, NULL);

    if (page == NULL || fed_posts_counts(c->r->app->fed, page, NULL) != HR_OK) {
        json_decref(page);
        return reply_text_json(c, 200, body);
    }
    free(body);
    return reply_json(c, 200, page);
}

static enum MHD_Result h_posts(struct call *c)
{
    const char *account = http_arg(c->r, "account"), *page = http_arg(c->r, "page");
    struct fed_doc d = {0};

    struct hr_err err = {0};
    int rc;

    if (account == NULL)
        return http_reply_error(c->r, 400, "bad_request", "account=NAME is required");
    if ((rc = may(c, AGENCY_POSTS_READ, account, NULL, &err)) != HR_OK)
        return fail_rc(c, rc, &err);
    fed_outbox(c->r->app->fed, account, page ? page : "true", &d);
    if (d.status != 200) {
        enum MHD_Result ret = http_reply_error(c->r, d.status, d.error ? d.error : "internal",
                                               d.message);
        fed_doc_fini(&d);
        return ret;
    }
    return reply_with_counts(c, d.body);
}

static int audit_cb(const struct agency_audit_entry *e, void *ctx)
{
    json_array_append_new(ctx, json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s}", "seq",
                                         (json_int_t)e->seq, "time", (json_int_t)e->time_ms,
                                         "operator", e->operator, "action", e->action, "target",
                                         e->target, "details", e->details, "prev", e->prev,
                                         "hash", e->hash));
    return HR_OK;
}

/* GET /audit[?since_days=N&account=NAME], GET /audit/verify: auditors and admins */
static enum MHD_Result h_audit(struct call *c)
{
    const char *account = http_arg(c->r, "account"), *days = http_arg(c->r, "since_days");
    struct hr_err err = {0};
    uint64_t n = 0, d = 0;
    json_t *arr;
    int rc;

    if ((rc = may(c, AGENCY_AUDIT_READ, NULL, NULL, &err)) != HR_OK)
        return fail_rc(c, rc, &err);
    if (strcmp(c->rest, "verify") == 0) {
        rc = agency_audit_verify(c->r->app->st, &n, &err);
        return reply_json(c, 200, json_pack("{s:b,s:I,s:s}", "intact", rc == HR_OK, "entries",
                                            (json_int_t)n, "message", err.msg));
    }
    if (days != NULL && hr_parse_u64(days, 36500, &d) != HR_OK)
        return http_reply_error(c->r, 400, "bad_request", "since_days must be a number");
    arr = json_array();
    rc = agency_audit_list(c->r->app->st, days ? hr_now_ms() - (int64_t)d * 86400000 : 0,
                           account, audit_cb, arr, &err);
    return rc == HR_OK ? reply_json(c, 200, arr) : (json_decref(arr), fail_rc(c, rc, &err));
}

/* ---- attestations (agency/attest.c): GET /attestations, POST /attestations {issuer,
 * subject, name, kind, valid_until?}, POST /attestations/import {url, account?},
 * POST /attestations/ID/revoke {reason?} ---- */

static enum MHD_Result h_attest_issue(struct call *c)
{
    struct fed_attest_input in = {.issuer = body_str(c, "issuer"),
                                  .subject = body_str(c, "subject"),
                                  .name = body_str(c, "name"),
                                  .kind = body_str(c, "kind")};
    const char *until = body_str(c, "valid_until");
    struct hr_err err = {0};
    char *url = NULL;
    enum MHD_Result ret;
    int rc;

    if (in.issuer == NULL)
        return http_reply_error(c->r, 422, "invalid", "issuer (an account name) is required");
    if (until != NULL && hr_iso8601_parse(until, &in.valid_until_ms) != HR_OK)
        return http_reply_error(c->r, 422, "invalid", "valid_until must be YYYY-MM-DDTHH:MM:SSZ");
    rc = agency_attest_issue(c->r->app->st, c->r->app->fed, c->op, &in, &url, &err);
    if (rc != HR_OK)
        return fail_rc(c, rc, &err);
    ret = reply_json(c, 201, json_pack("{s:s}", "url", url));
    free(url);
    return ret;
}

static enum MHD_Result h_attestations(struct call *c)
{
    struct hr_err err = {0};
    json_t *all = NULL;
    int rc;

    if (strcmp(c->r->method, "POST") == 0)
        return h_attest_issue(c);
    rc = agency_attest_list(c->r->app->st, c->r->app->fed, c->op, &all, &err);
    return rc == HR_OK ? reply_json(c, 200, all) : fail_rc(c, rc, &err);
}

static enum MHD_Result h_attestation(struct call *c)
{
    const char *slash = strchr(c->rest, '/');
    struct hr_err err = {0};
    char id[64];
    int rc;

    if (strcmp(c->rest, "import") == 0) /* it fetches: on a thread (server/attest_http.c) */
        return attest_http_import(c->r, c->op, body_str(c, "url"), body_str(c, "account"));
    if (slash == NULL || strcmp(slash, "/revoke") != 0 || (size_t)(slash - c->rest) >= sizeof id)
        return http_reply_error(c->r, 404, "not_found", "no such endpoint");
    memcpy(id, c->rest, (size_t)(slash - c->rest));
    id[slash - c->rest] = '\0';
    rc = agency_attest_revoke(c->r->app->st, c->op, id, body_str(c, "reason"), &err);
    return rc == HR_OK ? reply_json(c, 200, json_pack("{s:s,s:b}", "id", id, "revoked", 1))
                       : fail_rc(c, rc, &err);
}

/* The desk's routes, by their first path segment (server/desk_front.h). */
static enum MHD_Result h_desk(struct call *c)
{
    static const struct {
        const char *seg;
        enum MHD_Result (*fn)(struct http_req *r, const char *op, const char *rest,
                              json_t *body);
    } faces[] = {{"/cases", desk_api_cases},     {"/routes", desk_api_routes},
                 {"/desk", desk_api_desk},       {"/status", desk_api_status},
                 {"/reports", desk_api_reports}, {"/webhooks", desk_api_webhooks}};
    const char *path = c->r->url + strlen(API);

    for (size_t i = 0; i < sizeof faces / sizeof faces[0]; i++) {
        size_t n = strlen(faces[i].seg);
        if (strncmp(path, faces[i].seg, n) == 0 && (path[n] == '\0' || path[n] == '/'))
            return faces[i].fn(c->r, c->op, c->rest, c->body);
    }
    return http_reply_error(c->r, 404, "not_found", "no such endpoint");
}

enum MHD_Result admin_reply_json(struct http_req *r, int status, json_t *j)
{
    struct call c = {.r = r};

    return reply_json(&c, status, j);
}

enum MHD_Result admin_reply_rc(struct http_req *r, int rc, const struct hr_err *err)
{
    struct call c = {.r = r};

    return fail_rc(&c, rc, err);
}

static const struct route {
    const char *method, *prefix;
    bool exact;
    enum MHD_Result (*fn)(struct call *c);
} routes[] = {
    {"GET", "/me", true, h_me},
    {"GET", "/accounts", true, h_accounts},
    {"POST", "/accounts", true, h_accounts},
    {"POST", "/accounts/", false, h_account_policy},
    {"GET", "/operators", true, h_operators},
    {"POST", "/operators", true, h_operators},
    {"POST", "/operators/", false, h_operators},
    {"GET", "/tokens", true, h_tokens},
    {"POST", "/tokens", true, h_tokens},
    {"POST", "/tokens/", false, h_tokens},
    {"GET", "/drafts", true, h_drafts},
    {"POST", "/drafts", true, h_drafts},
    {"GET", "/drafts/", false, h_drafts},
    {"POST", "/drafts/", false, h_drafts},
    {"GET", "/posts", true, h_posts},
    {"GET", "/audit", true, h_audit},
    {"GET", "/audit/", false, h_audit},
    {"GET", "/attestations", true, h_attestations},
    {"POST", "/attestations", true, h_attestations},
    {"POST", "/attestations/", false, h_attestation},
    /* issue #12: the citizen desk and supervision (server/desk_front.h) */
    {"GET", "/cases", true, h_desk},
    {"GET", "/cases/", false, h_desk},
    {"POST", "/cases/", false, h_desk},
    {"GET", "/routes", true, h_desk},
    {"POST", "/routes", true, h_desk},
    {"POST", "/routes/", false, h_desk},
    {"GET", "/desk/", false, h_desk},
    {"POST", "/desk/", false, h_desk},
    {"GET", "/status", true, h_desk},
    {"GET", "/reports", true, h_desk},
    {"GET", "/webhooks", true, h_desk},
    {"POST", "/webhooks", true, h_desk},
    {"POST", "/webhooks/", false, h_desk},
};

static enum MHD_Result audit_head(struct http_req *r)
{
    struct hr_err err = {0};
    char *head = NULL;
    enum MHD_Result ret;

    if (agency_audit_head(r->app->st, r->app->cfg.base_url, &head, &err) != HR_OK)
        return http_reply_error(r, 500, "internal", err.msg);
    ret = http_reply(r, 200, "application/json", head, "no-store");
    free(head);
    return ret;
}

static int parse_body(struct call *c)
{
    json_error_t jerr;

    if (strcmp(c->r->method, "POST") != 0)
        return HR_OK;
    c->body = json_loadb(c->r->body.data ? c->r->body.data : "{}",
                         c->r->body.len ? c->r->body.len : 2, JSON_REJECT_DUPLICATES, &jerr);
    return json_is_object(c->body) ? HR_OK : HR_EINVAL;
}

enum MHD_Result admin_dispatch(struct http_req *r)
{
    struct call c = {.r = r};
    const char *path = r->url + strlen(API);
    enum MHD_Result ret;
    int st;

    if (strcmp(path, "/audit/head") == 0 && strcmp(r->method, "GET") == 0)
        return audit_head(r); /* public: archives and other agencies record it */
    st = authenticate(&c);
    if (st == 429)
        return http_reply_error(r, 429, "rate_limited", "too many failed authentications");
    if (st == 401)
        return http_reply_error(r, 401, "unauthorized", "a valid bearer token is required");
    if (parse_body(&c) != HR_OK) {
        json_decref(c.body);
        return http_reply_error(r, 400, "bad_request", "the body must be a JSON object");
    }
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        size_t n = strlen(routes[i].prefix);
        if (strcmp(r->method, routes[i].method) != 0 || strncmp(path, routes[i].prefix, n) != 0 ||
            (routes[i].exact ? path[n] != '\0' : path[n] == '\0'))
            continue;
        c.rest = routes[i].exact ? "" : path + n;
        ret = routes[i].fn(&c);
        json_decref(c.body);
        return ret;
    }
    json_decref(c.body);
    return http_reply_error(r, 404, "not_found", "no such endpoint");
}
