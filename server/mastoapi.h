/* server/mastoapi.h - the public, read-only subset of Mastodon's client API (no token, no
 * writes): what a Mastodon app shows of our accounts and posts (docs/FEDERATION.md). */
#ifndef HERALD_MASTOAPI_H
#define HERALD_MASTOAPI_H

#include "server/http_int.h"

/* true for the paths mastoapi_get answers: /api/v1/..., /api/v2/..., the default avatar. */
bool mastoapi_path(const char *url);
/* Answers R (any method: only GET and HEAD are served, the rest 405). */
enum MHD_Result mastoapi_get(struct http_req *r);

#endif
