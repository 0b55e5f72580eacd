/* agency/agency_version.c - placeholder translation unit. */
#include "base/hr.h"

const char *agency_version_(void);
const char *agency_version_(void)
{
    return HERALD_VERSION;
}
