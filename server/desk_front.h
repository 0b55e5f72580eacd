/* server/desk_front.h - the citizen desk and supervision at the server's faces (issue #12):
 * the commands case, route, desk, status, report and webhook, and their admin API routes.
 * Every decision about who may do what is agency_may's (agency/authz.c); these files parse,
 * call agency/ and print. docs/desk.md and docs/evaluation.md describe them. */
#ifndef HERALD_DESK_FRONT_H
#define HERALD_DESK_FRONT_H

#include "agency/agency.h"
#include "server/http_int.h"
#include "server/server.h"

#include <jansson.h>

/* ---- command line: ARGV[0] is the command's name; the store is open (APP->st, APP->fed).
 * Each returns the exit code: 0, 1 (refused or failed, one line on stderr), 2 (usage). */
/* case list|show|assign|close|reopen|answer (server/cases_cli.c) */
int desk_cli_case(struct app *app, int argc, char **argv);
/* route add|list|remove (server/cases_cli.c) */
int desk_cli_route(struct app *app, int argc, char **argv);
/* desk show|set|holidays ... (server/desk_cli.c) */
int desk_cli_desk(struct app *app, int argc, char **argv);
/* status [--json]: the watchdog's alarms; exit 0 none, 3 when any is up (server/desk_cli.c) */
int desk_cli_status(struct app *app, int argc, char **argv);
/* report [--from DATE] [--to DATE] [--account NAME] --format json|csv|html
 * [--lang L] [--output FILE] (server/report_cli.c) */
int desk_cli_report(struct app *app, int argc, char **argv);
/* webhook add|list|remove|test (server/webhook_cli.c) */
int desk_cli_webhook(struct app *app, int argc, char **argv);

/* Usage lines for 'herald help' (each one string literal). */
#define DESK_CLI_USAGE_CASES                                                                  \
    "  case list [--account NAME] [--department NAME] [--status S] [--overdue] [--json]\n"     \
    "  case show ID [--json] | case assign ID OPERATOR | case close ID [--comment TEXT]\n"   \
    "  case reopen ID\n"                                                                       \
    "  case answer ID TEXT [--draft]          the answer, submitted for the department's\n"   \
    "                                         approval (--draft: kept for an editor)\n"       \
    "  route add --department NAME (--account NAME | --tag TAG | --keyword WORD)\n"            \
    "  route list [--json] | route remove ID\n"
#define DESK_CLI_USAGE_DESK                                                                   \
    "  desk show NAME [--json] | desk set NAME KEY VALUE   deadline, calendar, ack, limits\n" \
    "  desk holidays NAME import FILE.ics | desk holidays NAME list [--json] | ... clear\n"    \
    "  status [--json]                        the watchdog's alarms (exit 3 when any is up)\n"
#define DESK_CLI_USAGE_REPORT                                                                 \
    "  report [--from DATE] [--to DATE] [--account NAME] --format json|csv|html\n"               \
    "         [--lang en|zh-CN] [--output FILE]   figures and indices (docs/evaluation.md)\n"
#define DESK_CLI_USAGE_WEBHOOK                                                                \
    "  webhook add URL [--events LIST] | webhook list [--json] | webhook remove|test ID\n"

/* ---- admin API (server/admin.c routes to these; OP is the authenticated operator, REST
 * the path after the route's prefix, BODY the parsed POST body or NULL). */
enum MHD_Result desk_api_cases(struct http_req *r, const char *op, const char *rest,
                               json_t *body);   /* /cases, /cases/ID[/VERB] (cases_cli.c) */
enum MHD_Result desk_api_routes(struct http_req *r, const char *op, const char *rest,
                                json_t *body);  /* /routes, /routes/ID (cases_cli.c) */
enum MHD_Result desk_api_desk(struct http_req *r, const char *op, const char *rest,
                              json_t *body);    /* /desk/NAME[...] (desk_cli.c) */
enum MHD_Result desk_api_status(struct http_req *r, const char *op, const char *rest,
                                json_t *body);  /* /status (desk_cli.c) */
enum MHD_Result desk_api_reports(struct http_req *r, const char *op, const char *rest,
                                 json_t *body); /* /reports (report_cli.c) */
enum MHD_Result desk_api_webhooks(struct http_req *r, const char *op, const char *rest,
                                  json_t *body); /* /webhooks[/ID] (webhook_cli.c) */

/* Shared replies of the admin API (server/admin.c): J (stolen) as JSON; an agency error
 * as {"error", "message"} with the status of RC (422, 404, 409, 403, 413, 500). */
enum MHD_Result admin_reply_json(struct http_req *r, int status, json_t *j);
enum MHD_Result admin_reply_rc(struct http_req *r, int rc, const struct hr_err *err);

#endif
