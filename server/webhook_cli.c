/* server/webhook_cli.c - `herald webhook add|list|remove|test` and the admin API's
 * /webhooks (issue #12 part 7). Parsing and printing only: agency/webhooks.c checks the
 * URL, asks agency_may and writes the audit entry. The secret is printed once, by add. */
#include "server/desk_front.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    fprintf(stderr, "usage: herald webhook add URL [--events LIST] | webhook list [--json] | "
                    "webhook remove ID | webhook test ID\n");
    return 2;
}

static int fail(const struct hr_err *err)
{
    fprintf(stderr, "herald: %s\n", err->msg[0] ? err->msg : "failed");
    return 1;
}

static void print_events(const json_t *events)
{
    size_t i;
    json_t *e;

    json_array_foreach(events, i, e) printf("%s%s", i ? "," : "", json_string_value(e));
}

static int cli_add(struct app *app, int argc, char **argv)
{
    const char *events = NULL;
    struct hr_err err = {0};
    json_t *out = NULL;
    bool as_json = false;

    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--events") == 0 && i + 1 < argc)
            events = argv[++i];
        else if (strcmp(argv[i], "--json") == 0)
            as_json = true;
        else
            return usage();
    }
    if (agency_webhook_add(app->st, app->fed, app->as, argv[2], events, app->cfg.base_url,
                           &out, &err) != HR_OK)
        return fail(&err);
    if (as_json) {
        char *s = json_dumps(out, JSON_COMPACT);
        printf("%s\n", s ? s : "{}");
        free(s);
    } else {
        printf("webhook %s -> %s\nevents: ", json_string_value(json_object_get(out, "id")),
               json_string_value(json_object_get(out, "url")));
        print_events(json_object_get(out, "events"));
        printf("\nsecret: %s\n(shown once: keep it in the receiving tool; see docs/operating.md "
               "\"Webhooks\" for checking X-Herald-Signature)\n",
               json_string_value(json_object_get(out, "secret")));
    }
    json_decref(out);
    return 0;
}

static int cli_list(struct app *app, bool as_json)
{
    struct hr_err err = {0};
    json_t *all = NULL, *h;
    size_t i;

    if (agency_webhook_list(app->st, app->as, &all, &err) != HR_OK)
        return fail(&err);
    if (as_json) {
        char *s = json_dumps(all, JSON_COMPACT);
        printf("%s\n", s ? s : "[]");
        free(s);
    }
    else
        json_array_foreach(all, i, h) {
            printf("%s  %s  ", json_string_value(json_object_get(h, "id")),
                   json_string_value(json_object_get(h, "url")));
            print_events(json_object_get(h, "events"));
            printf("\n");
        }
    json_decref(all);
    return 0;
}

int desk_cli_webhook(struct app *app, int argc, char **argv)
{
    struct hr_err err = {0};
    const char *verb = argc > 1 ? argv[1] : "";

    if (strcmp(verb, "add") == 0 && argc >= 3)
        return cli_add(app, argc, argv);
    if (strcmp(verb, "list") == 0 && (argc == 2 || (argc == 3 && !strcmp(argv[2], "--json"))))
        return cli_list(app, argc == 3);
    if (strcmp(verb, "remove") == 0 && argc == 3) {
        if (agency_webhook_remove(app->st, app->as, argv[2], &err) != HR_OK)
            return fail(&err);
        printf("webhook %s removed\n", argv[2]);
        return 0;
    }
    if (strcmp(verb, "test") == 0 && argc == 3) {
        if (agency_webhook_test(app->st, app->as, argv[2], &err) != HR_OK)
            return fail(&err);
        fed_wake(app->fed); /* the server's worker sends it now */
        printf("ping queued for webhook %s\n", argv[2]);
        return 0;
    }
    return usage();
}

/* ---- admin API ---- */

/* "events" of a POST body: a comma-separated string or an array of strings, into OUT. */
static bool body_events(const json_t *body, char *out, size_t cap)
{
    const json_t *e = json_object_get(body, "events");
    size_t i, used = 0;
    json_t *v;

    out[0] = '\0';
    if (e == NULL || json_is_null(e))
        return true;
    if (json_is_string(e))
        return (size_t)snprintf(out, cap, "%s", json_string_value(e)) < cap;
    if (!json_is_array(e) || json_array_size(e) == 0)
        return false;
    json_array_foreach(e, i, v) {
        if (!json_is_string(v))
            return false;
        used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? "," : "",
                                 json_string_value(v));
        if (used >= cap)
            return false;
    }
    return true;
}

static enum MHD_Result api_add(struct http_req *r, const char *op, json_t *body)
{
    const char *url = json_string_value(json_object_get(body, "url"));
    struct hr_err err = {0};
    json_t *out = NULL;
    char events[512];

    if (url == NULL)
        return http_reply_error(r, 422, "invalid", "\"url\" is required");
    if (!body_events(body, events, sizeof events))
        return http_reply_error(r, 422, "invalid",
                                "\"events\" must be a comma-separated string or an array of "
                                "event names");
    int rc = agency_webhook_add(r->app->st, r->app->fed, op, url, events, r->app->cfg.base_url,
                                &out, &err);

    if (rc != HR_OK)
        return admin_reply_rc(r, rc, &err);
    return admin_reply_json(r, 201, out);
}

enum MHD_Result desk_api_webhooks(struct http_req *r, const char *op, const char *rest,
                                  json_t *body)
{
    const char *slash = strchr(rest, '/');
    struct hr_err err = {0};
    char id[72];
    json_t *all = NULL;
    int rc;

    if (rest[0] == '\0' && strcmp(r->method, "POST") == 0)
        return api_add(r, op, body);
    if (rest[0] == '\0') {
        rc = agency_webhook_list(r->app->st, op, &all, &err);
        return rc == HR_OK ? admin_reply_json(r, 200, all) : admin_reply_rc(r, rc, &err);
    }
    if (slash == NULL || (size_t)(slash - rest) >= sizeof id ||
        (strcmp(slash, "/remove") != 0 && strcmp(slash, "/test") != 0))
        return http_reply_error(r, 404, "not_found", "no such endpoint");
    memcpy(id, rest, (size_t)(slash - rest));
    id[slash - rest] = '\0';
    rc = strcmp(slash, "/remove") == 0 ? agency_webhook_remove(r->app->st, op, id, &err)
                                       : agency_webhook_test(r->app->st, op, id, &err);
    if (rc != HR_OK)
        return admin_reply_rc(r, rc, &err);
    if (strcmp(slash, "/test") == 0)
        fed_wake(r->app->fed);
    return admin_reply_json(r, 200, json_pack("{s:s,s:b}", "id", id,
                                              strcmp(slash, "/test") == 0 ? "queued" : "removed",
                                              1));
}
