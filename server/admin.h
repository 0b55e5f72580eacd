/* server/admin.h - the admin HTTP API (/api/herald/v1/...). */
#ifndef HERALD_ADMIN_H
#define HERALD_ADMIN_H

#include "server/http_int.h"

#define ADMIN_PREFIX "/api/herald/v1/"

/* Answers a request whose path starts with ADMIN_PREFIX (the body, if any, is complete). */
enum MHD_Result admin_dispatch(struct http_req *r);

#endif
