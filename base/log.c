/* base/log.c - one stderr line per event (redis serverLog, OpenBSD log.h). */
#include "base/hr.h"

#include <stdio.h>
#include <string.h>

enum hr_level hr_log_max = HR_LOG_INFO;

void hr_log_(enum hr_level lv, const char *mod, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warn", "info", "debug"};
    char line[1024], when[32];
    va_list ap;
    int n;

    hr_iso8601(hr_now_ms(), when);
    n = snprintf(line, sizeof line, "%s %s %s: ", when, names[lv], mod);
    if (n < 0 || (size_t)n >= sizeof line)
        return;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    /* peer text may end up here: keep one event on one line */
    for (char *p = line; *p != '\0'; p++)
        if (*p == '\r' || *p == '\n')
            *p = ' ';
    fprintf(stderr, "%s\n", line);
}
