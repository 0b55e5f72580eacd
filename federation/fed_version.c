/* federation/fed_version.c - placeholder translation unit (removed when fed.c lands). */
#include "base/hr.h"

const char *fed_version_(void);
const char *fed_version_(void)
{
    return HERALD_VERSION;
}
