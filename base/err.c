/* base/err.c - the error type. */
#include "base/hr.h"

#include <stdio.h>

int hr_fail(struct hr_err *err, enum hr_rc code, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return code;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    /* a message may quote peer input: never let it split a log line or a header */
    for (char *p = err->msg; *p != '\0'; p++)
        if (*p == '\r' || *p == '\n')
            *p = ' ';
    return code;
}

const char *hr_rc_name(enum hr_rc rc)
{
    static const char *const names[] = {
        [HR_OK] = "OK",           [HR_EINVAL] = "EINVAL",       [HR_ENOTFOUND] = "ENOTFOUND",
        [HR_EEXIST] = "EEXIST",   [HR_ETOOBIG] = "ETOOBIG",     [HR_ESIG] = "ESIG",
        [HR_EFORBIDDEN] = "EFORBIDDEN", [HR_ENET] = "ENET",     [HR_ESCHEMA] = "ESCHEMA",
        [HR_EIO] = "EIO",         [HR_ENOMEM] = "ENOMEM",       [HR_EINTERNAL] = "EINTERNAL",
        [HR_EGONE] = "EGONE",     [HR_ELIMIT] = "ELIMIT",       [HR_ESTALE] = "ESTALE",
    };
    if ((unsigned)rc < sizeof names / sizeof names[0] && names[rc] != NULL)
        return names[rc];
    return "EUNKNOWN";
}
