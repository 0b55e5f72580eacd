/* server/router.h - maps a finished request to its handler. */
#ifndef HERALD_ROUTER_H
#define HERALD_ROUTER_H

#include "server/http_int.h"

enum MHD_Result router_dispatch(struct http_req *r);

#endif
