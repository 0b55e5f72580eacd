/* server/server.h - herald serve: the HTTP front (libmicrohttpd), routing, content
 * negotiation, public pages; and the context the CLI hands to it. */
#ifndef HERALD_SERVER_H
#define HERALD_SERVER_H

#include "base/hr.h"
#include "federation/fed.h"
#include "server/config.h"

struct store; /* opaque here: server hands it to agency and federation, never opens it */

struct app {
    const char *data_dir;
    const char *as; /* operator the CLI acts as (--as), or AGENCY_LOCAL */
    struct config cfg;
    struct store *st;
    struct fed *fed;
};

/* printf to stdout with control characters (a remote name or a citizen's words could hold
 * terminal escapes) printed as '?'; one line of at most 4 KiB (server/cli_say.c). */
void cli_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Fills a federation config from the file config. */
void app_fed_config(const struct app *app, struct fed_config *out);

/* Runs the server on LISTEN (ADDR:PORT) until SIGTERM/SIGINT. HR_EEXIST when the port is
 * in use, HR_EINVAL for a bad address. */
int server_run(struct app *app, const char *listen, struct hr_err *err);

#endif
