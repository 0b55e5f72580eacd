/* agency/agency.h - the government domain: accounts and their kinds (more to come:
 * operators, approval, cases, watchdog, reports, audit). */
#ifndef HERALD_AGENCY_H
#define HERALD_AGENCY_H

#include "base/hr.h"
#include "store/store.h"

#define AGENCY_TEXT_MAX 500 /* display name and summary, bytes */

/* true for agency, department, official, service */
bool agency_kind_valid(const char *kind);

/* Creates account NAME of KIND with a fresh RSA-2048 and Ed25519 key pair. DISPLAY and
 * SUMMARY may be NULL. Errors: HR_EINVAL (name, kind, text), HR_EEXIST, HR_EIO. */
int agency_account_add(struct store *st, const char *name, const char *kind,
                       const char *display, const char *summary, struct hr_err *err);

#endif
