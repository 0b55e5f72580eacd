/* server/attest.h - the faces of official-status attestations: herald attest (CLI),
 * GET /attestations..., and GET /verify (server/attest_cli.c, server/attest_http.c). */
#ifndef HERALD_SERVER_ATTEST_H
#define HERALD_SERVER_ATTEST_H

#include "server/http_int.h"

/* herald attest VERB ...: APP is open; prints the result; HR_ESIG from verify when the
 * target is not verified (exit 1). */
int cli_attest(struct app *app, int argc, char **argv, struct hr_err *err);
/* GET /attestations, /attestations/ID, /attestations/revoked/NAME */
enum MHD_Result attest_http_get(struct http_req *r);
/* GET /verify?url=POST_OR_ACTOR_URL[&format=json]: answered from a thread (it fetches), at
 * most verify_rate_per_minute per client address. */
enum MHD_Result attest_http_verify(struct http_req *r);
/* POST /api/herald/v1/attestations/import {url, account?} for operator OP (authenticated by
 * admin.c): agency_attest_import on a thread, like /verify; called again on resumption. */
enum MHD_Result attest_http_import(struct http_req *r, const char *op, const char *url,
                                   const char *account);
/* herald serve is stopping: new /verify checks and imports get 503; returns once every
 * check in flight has resumed its connection (each is bounded by the fetch timeouts), so
 * the HTTP daemon can stop without a thread still touching a request. */
void attest_verify_drain(void);
/* Frees a /verify job a request still holds when it completes (NULL: no-op). */
void attest_verify_job_free(struct verify_job *job);

#endif
