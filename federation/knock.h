/* federation/knock.h - double-knocking for deliveries: which HTTP signature scheme a POST
 * to a host tries first (the one remembered for the host, else http_signature_first),
 * the one retry with the other scheme after a refusal, and remembering what worked.
 * Internal to federation/. The state machine is pure; the memory lives in the store. */
#ifndef HERALD_FED_KNOCK_H
#define HERALD_FED_KNOCK_H

#include "base/hr.h"
#include "store/store.h"

struct fed;

enum fed_scheme { FED_SCHEME_CAVAGE, FED_SCHEME_RFC9421 };

#define FED_KNOCK_HOSTS_MAX 10000 /* hosts remembered at most; past it, new ones are not */

struct fed_knock {
    enum fed_scheme now; /* the scheme of the knock in flight */
    bool second;         /* this is the retry with the other scheme */
};

enum fed_knock_step {
    FED_KNOCK_DONE,    /* record the outcome as it is (success, retry later, give up) */
    FED_KNOCK_AGAIN,   /* the first knock was refused: sign with K->now and POST again */
    FED_KNOCK_LEARNED, /* the second knock worked: remember K->now for the host, then done */
};

void fed_knock_init(struct fed_knock *k, enum fed_scheme first);
/* The step after the answer to K->now: RC (HR_OK when a response came) and STATUS.
 * A 401 or 403 to the first knock is taken as a refusal of the signature scheme (a 403 for
 * another reason costs one more request); any other answer, and every answer to the second
 * knock, is final for this attempt. */
enum fed_knock_step fed_knock_next(struct fed_knock *k, int rc, long status);

/* The first scheme for HOST (host[:port], lowercase): the remembered one, else the
 * configured default. A store error falls back to the default. */
enum fed_scheme fed_knock_first(struct fed *fed, const char *host);
/* Remembers in TXN that SCHEME worked at HOST after the other was refused. Bounded by
 * FED_KNOCK_HOSTS_MAX (a host over the bound is not remembered: HR_OK, logged once). */
int fed_knock_remember(struct store_txn *txn, const char *host, enum fed_scheme scheme,
                       struct hr_err *err);
/* The remembered scheme of HOST: HR_ENOTFOUND when none. */
int fed_knock_get(struct store_txn *txn, const char *host, enum fed_scheme *out,
                  struct hr_err *err);

#endif
