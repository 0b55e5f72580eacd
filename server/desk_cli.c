/* server/desk_cli.c - the desk settings and the watchdog at the faces (issue #12 parts 2
 * and 4): herald desk show|set|holidays, herald status, and the admin API's /desk/NAME...
 * and /status. The rules live in agency/ (desk.c, holidays.c, watchdog.c); this file parses
 * and prints. herald status exits 0 with no alarm up, 3 with any (cron, Nagios-style checks:
 * docs/desk.md), 1 when it cannot tell. */
#include "server/desk_front.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define EXIT_ALARMS 3

static int cli_fail(const struct hr_err *err)
{
    fprintf(stderr, "herald: %s\n", err->msg[0] ? err->msg : "refused");
    return 1;
}

static int cli_usage(const char *what)
{
    fprintf(stderr, "herald: usage: %s (see 'herald help')\n", what);
    return 2;
}

/* The desk's default time zone is the instance's config `timezone`: agency/calendar.c reads
 * it from TZ, which herald serve sets from the config before any thread starts; the CLI is
 * single-threaded and does the same here. */
static void default_zone(const struct app *app)
{
    setenv("TZ", app->cfg.timezone[0] ? app->cfg.timezone : "UTC", 1);
}

static void print_json(const json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);

    if (s != NULL)
        printf("%s\n", s);
    free(s);
}

static void utc_text(int64_t ms, char out[32])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;

    if (gmtime_r(&t, &tm) == NULL || strftime(out, 32, "%Y-%m-%d %H:%MZ", &tm) == 0)
        snprintf(out, 32, "?");
}

/* ---- herald desk ---- */

static int desk_show(struct app *app, const char *name, bool as_json)
{
    struct hr_err err = {0};
    json_t *d = NULL, *v;
    const char *key;

    if (agency_desk_show(app->st, app->as, name, &d, &err) != HR_OK)
        return cli_fail(&err);
    if (as_json) {
        print_json(d);
    } else {
        json_object_foreach(json_object_get(d, "settings"), key, v)
        {
            char *s = json_is_string(v) ? NULL : json_dumps(v, JSON_ENCODE_ANY);
            printf("%-17s %s%s\n", key, s ? s : json_string_value(v),
                   json_object_get(json_object_get(d, "set"), key) ? "" : "  (default)");
            free(s);
        }
        printf("%-17s %lld dates\n", "holidays",
               (long long)json_integer_value(json_object_get(d, "holidays")));
    }
    json_decref(d);
    return 0;
}

static int desk_set(struct app *app, const char *name, const char *key, const char *value)
{
    struct hr_err err = {0};

    if (agency_desk_set(app->st, app->as, name, key, value, &err) != HR_OK)
        return cli_fail(&err);
    if (value[0] == '\0')
        printf("%s of %s reset to the default\n", key, name);
    else
        printf("%s of %s set to %s\n", key, name, value);
    return 0;
}

static int holidays_import(struct app *app, const char *name, const char *file)
{
    struct hr_err err = {0};
    unsigned char *bytes = NULL;
    size_t len = 0, added = 0;
    int rc = agency_media_read(file, &bytes, &len, &err);

    if (rc == HR_OK)
        rc = agency_desk_holidays_import(app->st, app->as, name, (const char *)bytes, len, &added,
                                         &err);
    free(bytes);
    if (rc != HR_OK)
        return cli_fail(&err);
    printf("%zu holiday date%s imported for %s\n", added, added == 1 ? "" : "s", name);
    return 0;
}

static int holidays_list(struct app *app, const char *name, bool as_json)
{
    struct hr_err err = {0};
    json_t *list = NULL, *h;
    size_t i;

    if (agency_desk_holidays_list(app->st, app->as, name, &list, &err) != HR_OK)
        return cli_fail(&err);
    if (as_json)
        print_json(list);
    else
        json_array_foreach(list, i, h)
            printf("%s  %s\n", json_string_value(json_object_get(h, "date")),
                   json_string_value(json_object_get(h, "summary")));
    json_decref(list);
    return 0;
}

static int holidays_clear(struct app *app, const char *name)
{
    struct hr_err err = {0};
    size_t removed = 0;

    if (agency_desk_holidays_clear(app->st, app->as, name, &removed, &err) != HR_OK)
        return cli_fail(&err);
    printf("%zu holiday date%s removed from %s\n", removed, removed == 1 ? "" : "s", name);
    return 0;
}

static int desk_holidays(struct app *app, int argc, char **argv)
{
    const char *use = "desk holidays NAME import FILE.ics | desk holidays NAME list [--json] | "
                      "desk holidays NAME clear";
    bool as_json = argc == 5 && strcmp(argv[4], "--json") == 0;

    if (argc < 4)
        return cli_usage(use);
    if (strcmp(argv[3], "import") == 0 && argc == 5)
        return holidays_import(app, argv[2], argv[4]);
    if (strcmp(argv[3], "list") == 0 && (argc == 4 || as_json))
        return holidays_list(app, argv[2], as_json);
    if (strcmp(argv[3], "clear") == 0 && argc == 4)
        return holidays_clear(app, argv[2]);
    return cli_usage(use);
}

int desk_cli_desk(struct app *app, int argc, char **argv)
{
    const char *use = "desk show NAME [--json] | desk set NAME KEY VALUE | desk holidays NAME "
                      "import FILE.ics|list|clear";

    default_zone(app);
    if (argc >= 3 && strcmp(argv[1], "show") == 0 &&
        (argc == 3 || (argc == 4 && strcmp(argv[3], "--json") == 0)))
        return desk_show(app, argv[2], argc == 4);
    if (argc == 5 && strcmp(argv[1], "set") == 0)
        return desk_set(app, argv[2], argv[3], argv[4]);
    if (argc >= 2 && strcmp(argv[1], "holidays") == 0)
        return desk_holidays(app, argc, argv);
    return cli_usage(use);
}

/* ---- herald status ---- */

static void print_alarms(const json_t *alarms)
{
    const json_t *a;
    size_t i;
    char since[32];

    if (json_array_size(alarms) == 0) {
        printf("OK: no alarms\n");
        return;
    }
    printf("%zu alarm%s\n%-14s %-20s %-18s %s\n", json_array_size(alarms),
           json_array_size(alarms) == 1 ? "" : "s", "KIND", "ACCOUNT/HOST", "SINCE (UTC)",
           "MESSAGE");
    json_array_foreach(alarms, i, a)
    {
        const char *who = json_string_value(json_object_get(a, "account"));
        if (who == NULL)
            who = json_string_value(json_object_get(a, "host"));
        utc_text(json_integer_value(json_object_get(a, "since_ms")), since);
        printf("%-14s %-20s %-18s %s\n", json_string_value(json_object_get(a, "kind")),
               who ? who : "-", since, json_string_value(json_object_get(a, "message")));
    }
}

int desk_cli_status(struct app *app, int argc, char **argv)
{
    struct hr_err err = {0};
    bool as_json = argc == 2 && strcmp(argv[1], "--json") == 0;
    json_t *alarms = NULL, *out;
    int64_t now = hr_clock_ms();
    int code;

    if (argc > 2 || (argc == 2 && !as_json))
        return cli_usage("status [--json]");
    default_zone(app);
    if (agency_watchdog_alarms(app->st, app->as, now, &alarms, &err) != HR_OK)
        return cli_fail(&err);
    code = json_array_size(alarms) > 0 ? EXIT_ALARMS : 0;
    if (as_json) {
        out = json_pack("{s:O,s:b,s:I}", "alarms", alarms, "ok", code == 0, "now_ms",
                        (json_int_t)now);
        print_json(out);
        json_decref(out);
    } else {
        print_alarms(alarms);
    }
    json_decref(alarms);
    return code;
}

/* ---- admin API ---- */

/* REST "NAME" or "NAME/holidays" or "NAME/holidays/clear" into NAME and *SUB. */
static bool split_name(const char *rest, char name[64], const char **sub)
{
    size_t n = strcspn(rest, "/");

    if (n == 0 || n >= 64)
        return false;
    memcpy(name, rest, n);
    name[n] = '\0';
    *sub = rest[n] == '/' ? rest + n + 1 : "";
    return true;
}

static enum MHD_Result api_show(struct http_req *r, const char *op, const char *name, bool holidays)
{
    struct hr_err err = {0};
    json_t *out = NULL;
    int rc = holidays ? agency_desk_holidays_list(r->app->st, op, name, &out, &err)
                      : agency_desk_show(r->app->st, op, name, &out, &err);

    if (rc != HR_OK)
        return admin_reply_rc(r, rc, &err);
    if (holidays)
        out = json_pack("{s:s,s:o}", "account", name, "holidays", out);
    return admin_reply_json(r, 200, out);
}

static enum MHD_Result api_set(struct http_req *r, const char *op, const char *name,
                               const json_t *body)
{
    struct hr_err err = {0};
    const json_t *key = json_object_get(body, "key"), *value = json_object_get(body, "value");
    json_t *out = NULL;
    int rc;

    if (!json_is_string(key) || (value != NULL && !json_is_string(value)))
        return http_reply_error(r, 422, "invalid",
                                "want {\"key\": NAME, \"value\": TEXT} (\"\" resets it)");
    rc = agency_desk_set(r->app->st, op, name, json_string_value(key),
                         value ? json_string_value(value) : "", &err);
    if (rc == HR_OK)
        rc = agency_desk_show(r->app->st, op, name, &out, &err);
    return rc == HR_OK ? admin_reply_json(r, 200, out) : admin_reply_rc(r, rc, &err);
}

static enum MHD_Result api_holidays(struct http_req *r, const char *op, const char *name,
                                    const char *verb, const json_t *body)
{
    struct hr_err err = {0};
    const json_t *ics = json_object_get(body, "ics");
    size_t n = 0;
    int rc;

    if (strcmp(verb, "clear") == 0) {
        rc = agency_desk_holidays_clear(r->app->st, op, name, &n, &err);
        return rc == HR_OK ? admin_reply_json(r, 200, json_pack("{s:I}", "removed", (json_int_t)n))
                           : admin_reply_rc(r, rc, &err);
    }
    if (verb[0] != '\0')
        return http_reply_error(r, 404, "not_found", "no such endpoint");
    if (!json_is_string(ics))
        return http_reply_error(r, 422, "invalid", "want {\"ics\": the iCalendar text}");
    rc = agency_desk_holidays_import(r->app->st, op, name, json_string_value(ics),
                                     json_string_length(ics), &n, &err);
    return rc == HR_OK ? admin_reply_json(r, 200, json_pack("{s:I}", "imported", (json_int_t)n))
                       : admin_reply_rc(r, rc, &err);
}

/* GET /desk/NAME, GET /desk/NAME/holidays, POST /desk/NAME {"key","value"},
 * POST /desk/NAME/holidays {"ics"}, POST /desk/NAME/holidays/clear. */
enum MHD_Result desk_api_desk(struct http_req *r, const char *op, const char *rest, json_t *body)
{
    char name[64];
    const char *sub = "";
    bool get = strcmp(r->method, "GET") == 0;

    if (!split_name(rest, name, &sub))
        return http_reply_error(r, 404, "not_found", "want /desk/ACCOUNT");
    if (get && (sub[0] == '\0' || strcmp(sub, "holidays") == 0))
        return api_show(r, op, name, sub[0] != '\0');
    if (!get && sub[0] == '\0')
        return api_set(r, op, name, body);
    if (!get && strncmp(sub, "holidays", 8) == 0 && (sub[8] == '\0' || sub[8] == '/'))
        return api_holidays(r, op, name, sub[8] ? sub + 9 : "", body);
    return http_reply_error(r, 404, "not_found", "no such endpoint");
}

/* GET /status: {"alarms": [...], "ok": true when none is up}. */
enum MHD_Result desk_api_status(struct http_req *r, const char *op, const char *rest, json_t *body)
{
    struct hr_err err = {0};
    json_t *alarms = NULL;
    int64_t now = hr_clock_ms();
    int rc = agency_watchdog_alarms(r->app->st, op, now, &alarms, &err);

    (void)rest, (void)body;
    if (rc != HR_OK)
        return admin_reply_rc(r, rc, &err);
    return admin_reply_json(r, 200,
                            json_pack("{s:b,s:I,s:o}", "ok", json_array_size(alarms) == 0, "now_ms",
                                      (json_int_t)now, "alarms", alarms));
}
