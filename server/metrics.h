/* server/metrics.h - /metrics in the Prometheus text exposition format 0.0.4 (issue #12
 * part 6; docs/operating.md "Metrics"): counters of what happened since start-up (in
 * memory, atomics) and gauges read from the store at each scrape. */
#ifndef HERALD_METRICS_H
#define HERALD_METRICS_H

#include "server/http_int.h"

/* A reply with STATUS went out for URL (every reply of the main listener). */
void metrics_request(const char *url, int status);
/* An inbox POST was answered: CODE NULL accepted (202), else refused with that error code. */
void metrics_inbox(const char *code);
/* An error reply CODE to METHOD URL: an inbox POST's refusal is counted (metrics_inbox). */
void metrics_error(const char *method, const char *url, const char *code);
/* GET /metrics on the main listener: 404 unless metrics_token is set, then 401 without
 * "Authorization: Bearer TOKEN". */
enum MHD_Result metrics_get(struct http_req *r);
/* The text of every family now (caller frees); NULL on failure. */
char *metrics_render(struct app *app);
/* metrics_listen (when set): a second daemon serving only /metrics, without auth. */
int metrics_start(struct app *app, struct hr_err *err);
void metrics_stop(void);

#endif
