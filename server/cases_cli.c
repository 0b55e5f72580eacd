/* server/cases_cli.c - herald case list|show|assign|close|reopen|answer and herald route
 * add|list|remove, and the admin API's /cases and /routes: thin over agency/cases.c and
 * agency/routes.c (authorization, audit). docs/desk.md describes both faces. */
#include "server/desk_front.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CASE_USAGE                                                                                 \
    "usage: case list [--account NAME] [--department NAME] [--status S] [--overdue] [--json] | " \
    "case show ID [--json] | case assign ID OPERATOR | case close ID [--comment TEXT] | "         \
    "case reopen ID | case answer ID TEXT [--draft]"
#define ROUTE_USAGE                                                                                \
    "usage: route add --department NAME (--account NAME | --tag TAG | --keyword WORD) | "        \
    "route list [--json] | route remove ID"

static const char *s_of(const json_t *j, const char *k)
{
    const char *v = json_string_value(json_object_get(j, k));

    return v ? v : "";
}

static void print_json(const json_t *j)
{
    char *text = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);

    printf("%s\n", text ? text : "null");
    free(text);
}

static void date_of(const json_t *j, const char *k, char out[32])
{
    if (json_is_integer(json_object_get(j, k)))
        hr_iso8601(json_integer_value(json_object_get(j, k)), out);
    else
        snprintf(out, 32, "-");
}

/* Exit code: 0; 1 with the error's line; 2 for a usage error (HR_EINVAL from parsing). */
static int done(int rc, const struct hr_err *err, bool usage)
{
    if (rc == HR_OK)
        return 0;
    fprintf(stderr, "herald: %s\n", err->msg[0] ? err->msg : "failed");
    return usage ? 2 : 1;
}

/* ---- case ---- */

static int case_list(struct app *app, int argc, char **argv)
{
    struct agency_case_filter f = {0};
    struct hr_err err = {0};
    bool as_json = false;
    json_t *all = NULL, *c;
    size_t i;
    int rc;

    for (int a = 2; a < argc; a++) {
        const char **slot = strcmp(argv[a], "--account") == 0      ? &f.account
                            : strcmp(argv[a], "--department") == 0 ? &f.department
                            : strcmp(argv[a], "--status") == 0     ? &f.status
                                                                   : NULL;
        if (strcmp(argv[a], "--overdue") == 0)
            f.overdue = true;
        else if (strcmp(argv[a], "--json") == 0)
            as_json = true;
        else if (slot != NULL && a + 1 < argc)
            *slot = argv[++a];
        else
            return done(hr_fail(&err, HR_EINVAL, "%s", CASE_USAGE), &err, true);
    }
    rc = agency_case_list(app->st, app->as, &f, &all, &err);
    if (rc == HR_OK && as_json)
        print_json(all);
    json_array_foreach(rc == HR_OK && !as_json ? all : NULL, i, c) {
        char dl[32];
        date_of(c, "deadline_ms", dl);
        cli_say("%s %s %s -> %s %s %s due %s%s\n", s_of(c, "id"), s_of(c, "status"), s_of(c, "why"),
            s_of(c, "department"), s_of(c, "account"),
            s_of(c, "citizen_acct")[0] ? s_of(c, "citizen_acct") : s_of(c, "citizen"), dl,
            json_is_true(json_object_get(c, "overdue")) ? " OVERDUE" : "");
    }
    json_decref(all);
    return done(rc, &err, false);
}

static void show_text(const json_t *c)
{
    const json_t *m;
    size_t i;
    char t[32];

    date_of(c, "opened_ms", t);
    cli_say("case %s: %s, %s to %s, department %s, opened %s\n", s_of(c, "id"), s_of(c, "status"),
        s_of(c, "why"), s_of(c, "account"), s_of(c, "department"), t);
    date_of(c, "deadline_ms", t);
    cli_say("citizen %s %s, visibility %s, deadline %s%s\n", s_of(c, "citizen"),
        s_of(c, "citizen_acct"), s_of(c, "visibility"), t,
        json_is_true(json_object_get(c, "overdue")) ? " OVERDUE" : "");
    if (json_object_get(c, "assignee"))
        cli_say("assignee %s\n", s_of(c, "assignee"));
    json_array_foreach(json_object_get(c, "messages"), i, m) {
        date_of(m, "ms", t);
        cli_say("- %s %s%s%s\n  %s\n", t, s_of(m, "id"),
            json_object_get(m, "edited_ms") ? " (edited)" : "",
            json_object_get(m, "deleted_ms") ? " (withdrawn by the citizen)" : "",
            s_of(m, "html"));
    }
    json_array_foreach(json_object_get(c, "answers"), i, m)
        cli_say("answer: draft %s by %s%s%s\n", s_of(m, "draft"), s_of(m, "by"),
            json_object_get(m, "note") ? ", published as " : "", s_of(m, "note"));
}

static int case_show(struct app *app, int argc, char **argv)
{
    struct hr_err err = {0};
    bool as_json = argc == 4 && strcmp(argv[3], "--json") == 0;
    json_t *c = NULL;
    int rc;

    if (argc != 3 && !as_json)
        return done(hr_fail(&err, HR_EINVAL, "usage: case show ID [--json]"), &err, true);
    rc = agency_case_get(app->st, app->as, argv[2], &c, &err);
    if (rc == HR_OK && as_json)
        print_json(c);
    else if (rc == HR_OK)
        show_text(c);
    json_decref(c);
    return done(rc, &err, false);
}

static int case_assign(struct app *app, int argc, char **argv)
{
    struct hr_err err = {0};
    int rc;

    if (argc != 4)
        return done(hr_fail(&err, HR_EINVAL, "usage: case assign ID OPERATOR"), &err, true);
    rc = agency_case_assign(app->st, app->as, argv[2], argv[3], &err);
    if (rc == HR_OK)
        printf("case %s assigned to %s\n", argv[2], argv[3]);
    return done(rc, &err, false);
}

static int case_close(struct app *app, int argc, char **argv)
{
    struct hr_err err = {0};
    const char *comment = argc == 5 && strcmp(argv[3], "--comment") == 0 ? argv[4] : NULL;
    int rc;

    if (argc != 3 && comment == NULL)
        return done(hr_fail(&err, HR_EINVAL, "usage: case close ID [--comment TEXT]"), &err, true);
    rc = agency_case_close(app->st, app->as, argv[2], comment, &err);
    if (rc == HR_OK)
        printf("case %s closed\n", argv[2]);
    return done(rc, &err, false);
}

static int case_reopen(struct app *app, int argc, char **argv)
{
    struct hr_err err = {0};
    int rc;

    if (argc != 3)
        return done(hr_fail(&err, HR_EINVAL, "usage: case reopen ID"), &err, true);
    rc = agency_case_reopen(app->st, app->as, argv[2], &err);
    if (rc == HR_OK)
        printf("case %s reopened\n", argv[2]);
    return done(rc, &err, false);
}

static int case_answer(struct app *app, int argc, char **argv)
{
    struct agency_draft_result res = {0};
    struct hr_err err = {0};
    /* submitted for approval unless --draft: a responder holds case.answer, not
     * draft.submit, so an answer left as a draft waits for an editor */
    bool flag = argc == 5 && (strcmp(argv[4], "--submit") == 0 || strcmp(argv[4], "--draft") == 0);
    bool submit = !(flag && strcmp(argv[4], "--draft") == 0);
    int rc;

    if (argc != 4 && !flag)
        return done(hr_fail(&err, HR_EINVAL, "usage: case answer ID TEXT [--draft]"), &err, true);
    rc = agency_case_answer(app->st, app->fed, app->as, argv[2], argv[3], submit, &res, &err);
    if (rc == HR_OK)
        printf("%s %s%s%s\n", res.id, res.state, res.published_id[0] ? " " : "",
               res.published_id);
    return done(rc, &err, false);
}

int desk_cli_case(struct app *app, int argc, char **argv)
{
    static const struct {
        const char *verb;
        int (*fn)(struct app *, int, char **);
    } verbs[] = {{"list", case_list},     {"show", case_show},     {"assign", case_assign},
                 {"close", case_close},   {"reopen", case_reopen}, {"answer", case_answer}};
    struct hr_err err = {0};

    for (size_t i = 0; argc >= 2 && i < sizeof verbs / sizeof verbs[0]; i++)
        if (strcmp(argv[1], verbs[i].verb) == 0)
            return verbs[i].fn(app, argc, argv);
    return done(hr_fail(&err, HR_EINVAL, "%s", CASE_USAGE), &err, true);
}

/* ---- route ---- */

static int route_add(struct app *app, int argc, char **argv)
{
    struct agency_route_input in = {0};
    struct hr_err err = {0};
    json_t *r = NULL;
    int rc;

    for (int a = 2; a < argc; a++) {
        const char *match = strcmp(argv[a], "--account") == 0 ? "account"
                            : strcmp(argv[a], "--tag") == 0   ? "tag"
                            : strcmp(argv[a], "--keyword") == 0 ? "keyword"
                                                                : NULL;
        if (a + 1 >= argc || (match == NULL && strcmp(argv[a], "--department") != 0) ||
            (match != NULL && in.match != NULL))
            return done(hr_fail(&err, HR_EINVAL, "%s", ROUTE_USAGE), &err, true);
        if (match != NULL) {
            in.match = match;
            in.value = argv[++a];
        } else {
            in.department = argv[++a];
        }
    }
    if (in.department == NULL || in.match == NULL)
        return done(hr_fail(&err, HR_EINVAL, "%s", ROUTE_USAGE), &err, true);
    rc = agency_route_add(app->st, app->as, &in, &r, &err);
    if (rc == HR_OK)
        cli_say("%s: %s %s -> %s\n", s_of(r, "id"), s_of(r, "match"), s_of(r, "value"),
            s_of(r, "department"));
    json_decref(r);
    return done(rc, &err, false);
}

static int route_list(struct app *app, int argc, char **argv)
{
    struct hr_err err = {0};
    bool as_json = argc == 3 && strcmp(argv[2], "--json") == 0;
    json_t *all = NULL, *r;
    size_t i;
    int rc;

    if (argc != 2 && !as_json)
        return done(hr_fail(&err, HR_EINVAL, "usage: route list [--json]"), &err, true);
    rc = agency_route_list(app->st, app->as, &all, &err);
    if (rc == HR_OK && as_json)
        print_json(all);
    json_array_foreach(rc == HR_OK && !as_json ? all : NULL, i, r)
        cli_say("%s: %s %s -> %s\n", s_of(r, "id"), s_of(r, "match"), s_of(r, "value"),
            s_of(r, "department"));
    json_decref(all);
    return done(rc, &err, false);
}

static int route_remove(struct app *app, int argc, char **argv)
{
    struct hr_err err = {0};
    int rc;

    if (argc != 3)
        return done(hr_fail(&err, HR_EINVAL, "usage: route remove ID"), &err, true);
    rc = agency_route_remove(app->st, app->as, argv[2], &err);
    if (rc == HR_OK)
        printf("route %s removed\n", argv[2]);
    return done(rc, &err, false);
}

int desk_cli_route(struct app *app, int argc, char **argv)
{
    struct hr_err err = {0};

    if (argc >= 2 && strcmp(argv[1], "add") == 0)
        return route_add(app, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "list") == 0)
        return route_list(app, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "remove") == 0)
        return route_remove(app, argc, argv);
    return done(hr_fail(&err, HR_EINVAL, "%s", ROUTE_USAGE), &err, true);
}

/* ---- admin API ---- */

static const char *body_str(const json_t *body, const char *key)
{
    return json_string_value(json_object_get(body, key));
}

static enum MHD_Result reply_ok(struct http_req *r, int rc, const struct hr_err *err, json_t *j)
{
    if (rc != HR_OK) {
        json_decref(j);
        return admin_reply_rc(r, rc, err);
    }
    return admin_reply_json(r, 200, j);
}

/* GET /cases?account=&department=&status=&overdue=1 */
static enum MHD_Result cases_list(struct http_req *r, const char *op)
{
    const char *overdue = http_arg(r, "overdue");
    struct agency_case_filter f = {.account = http_arg(r, "account"),
                                   .department = http_arg(r, "department"),
                                   .status = http_arg(r, "status"),
                                   .overdue = overdue && strcmp(overdue, "0") != 0};
    struct hr_err err = {0};
    json_t *all = NULL;
    int rc = agency_case_list(r->app->st, op, &f, &all, &err);

    return reply_ok(r, rc, &err, rc == HR_OK ? json_pack("{s:o}", "cases", all) : NULL);
}

static enum MHD_Result case_verb(struct http_req *r, const char *op, const char *id,
                                 const char *verb, json_t *body)
{
    struct hr_err err = {0};
    int rc;

    if (strcmp(verb, "answer") == 0) {
        struct agency_draft_result res = {0};
        const json_t *sub = json_object_get(body, "submit");
        if (sub != NULL && !json_is_boolean(sub))
            return http_reply_error(r, 422, "invalid", "submit: true or false");
        rc = agency_case_answer(r->app->st, r->app->fed, op, id, body_str(body, "text"),
                                sub == NULL || json_is_true(sub), &res, &err);
        return reply_ok(r, rc, &err,
                        json_pack("{s:s,s:s,s:s,s:s}", "case", id, "draft", res.id, "state",
                                  res.state, "published_id", res.published_id));
    }
    if (strcmp(verb, "assign") == 0)
        rc = agency_case_assign(r->app->st, op, id, body_str(body, "operator"), &err);
    else if (strcmp(verb, "close") == 0)
        rc = agency_case_close(r->app->st, op, id, body_str(body, "comment"), &err);
    else if (strcmp(verb, "reopen") == 0)
        rc = agency_case_reopen(r->app->st, op, id, &err);
    else
        return http_reply_error(r, 404, "not_found", "no such endpoint");
    if (rc != HR_OK)
        return admin_reply_rc(r, rc, &err);
    json_t *c = NULL;
    rc = agency_case_get(r->app->st, op, id, &c, &err);
    return reply_ok(r, rc, &err, c);
}

enum MHD_Result desk_api_cases(struct http_req *r, const char *op, const char *rest, json_t *body)
{
    const char *slash = strchr(rest, '/');
    struct hr_err err = {0};
    char id[32];
    json_t *c = NULL;
    int rc;

    if (strcmp(r->method, "GET") == 0 && rest[0] == '\0')
        return cases_list(r, op);
    if (rest[0] == '\0' || (size_t)(slash ? slash - rest : (ptrdiff_t)strlen(rest)) >= sizeof id)
        return http_reply_error(r, 404, "not_found", "no such case");
    snprintf(id, sizeof id, "%.*s", (int)(slash ? slash - rest : (ptrdiff_t)strlen(rest)), rest);
    if (strcmp(r->method, "POST") == 0 && slash != NULL)
        return case_verb(r, op, id, slash + 1, body);
    if (strcmp(r->method, "GET") != 0 || slash != NULL)
        return http_reply_error(r, 404, "not_found", "no such endpoint");
    rc = agency_case_get(r->app->st, op, id, &c, &err);
    return reply_ok(r, rc, &err, c);
}

enum MHD_Result desk_api_routes(struct http_req *r, const char *op, const char *rest, json_t *body)
{
    struct hr_err err = {0};
    json_t *j = NULL;
    int rc;

    if (strcmp(r->method, "GET") == 0 && rest[0] == '\0') {
        rc = agency_route_list(r->app->st, op, &j, &err);
        return reply_ok(r, rc, &err, rc == HR_OK ? json_pack("{s:o}", "routes", j) : NULL);
    }
    if (strcmp(r->method, "POST") == 0 && rest[0] == '\0') {
        struct agency_route_input in = {.department = body_str(body, "department"),
                                        .match = body_str(body, "match"),
                                        .value = body_str(body, "value")};
        rc = agency_route_add(r->app->st, op, &in, &j, &err);
        if (rc != HR_OK)
            return admin_reply_rc(r, rc, &err);
        return admin_reply_json(r, 201, j);
    }
    const char *slash = strchr(rest, '/');
    char id[32];
    if (strcmp(r->method, "POST") != 0 || slash == NULL || strcmp(slash, "/remove") != 0 ||
        (size_t)(slash - rest) >= sizeof id)
        return http_reply_error(r, 404, "not_found", "no such endpoint");
    snprintf(id, sizeof id, "%.*s", (int)(slash - rest), rest);
    rc = agency_route_remove(r->app->st, op, id, &err);
    return reply_ok(r, rc, &err, rc == HR_OK ? json_pack("{s:s,s:b}", "id", id, "removed", 1) : NULL);
}
