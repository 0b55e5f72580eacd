/* server/cases_cli.c - FOUNDATION STUB (helper A, issue #12 parts 1 and 3). */
#include "server/desk_front.h"

#include <stdio.h>

int desk_cli_case(struct app *app, int argc, char **argv)
{
    (void)app, (void)argc;
    fprintf(stderr, "herald: %s: not built yet\n", argv[0]);
    return 1; /* STUB */
}

int desk_cli_route(struct app *app, int argc, char **argv)
{
    (void)app, (void)argc;
    fprintf(stderr, "herald: %s: not built yet\n", argv[0]);
    return 1; /* STUB */
}

enum MHD_Result desk_api_cases(struct http_req *r, const char *op, const char *rest, json_t *body)
{
    (void)op, (void)rest, (void)body;
    return http_reply_error(r, 501, "not_implemented", "not built yet"); /* STUB */
}

enum MHD_Result desk_api_routes(struct http_req *r, const char *op, const char *rest, json_t *body)
{
    (void)op, (void)rest, (void)body;
    return http_reply_error(r, 501, "not_implemented", "not built yet"); /* STUB */
}

