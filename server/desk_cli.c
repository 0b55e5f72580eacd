/* server/desk_cli.c - FOUNDATION STUB (helper B, issue #12 parts 2 and 4). */
#include "server/desk_front.h"

#include <stdio.h>

int desk_cli_desk(struct app *app, int argc, char **argv)
{
    (void)app, (void)argc;
    fprintf(stderr, "herald: %s: not built yet\n", argv[0]);
    return 1; /* STUB */
}

int desk_cli_status(struct app *app, int argc, char **argv)
{
    (void)app, (void)argc;
    fprintf(stderr, "herald: %s: not built yet\n", argv[0]);
    return 1; /* STUB */
}

enum MHD_Result desk_api_desk(struct http_req *r, const char *op, const char *rest, json_t *body)
{
    (void)op, (void)rest, (void)body;
    return http_reply_error(r, 501, "not_implemented", "not built yet"); /* STUB */
}

enum MHD_Result desk_api_status(struct http_req *r, const char *op, const char *rest, json_t *body)
{
    (void)op, (void)rest, (void)body;
    return http_reply_error(r, 501, "not_implemented", "not built yet"); /* STUB */
}

