/* server/webhook_cli.c - FOUNDATION STUB (helper D, issue #12 parts 6 and 7). */
#include "server/desk_front.h"

#include <stdio.h>

int desk_cli_webhook(struct app *app, int argc, char **argv)
{
    (void)app, (void)argc;
    fprintf(stderr, "herald: %s: not built yet\n", argv[0]);
    return 1; /* STUB */
}

enum MHD_Result desk_api_webhooks(struct http_req *r, const char *op, const char *rest, json_t *body)
{
    (void)op, (void)rest, (void)body;
    return http_reply_error(r, 501, "not_implemented", "not built yet"); /* STUB */
}

