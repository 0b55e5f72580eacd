/* server/cli_say.c - what the command line prints of text others wrote. */
#include "server/server.h"

#include <stdarg.h>
#include <stdio.h>

void cli_say(const char *fmt, ...)
{
    char line[4096];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    for (char *p = line; *p != '\0'; p++)
        if (((unsigned char)*p < 0x20 && *p != '\n') || *p == 0x7f)
            *p = '?';
    fputs(line, stdout);
}
