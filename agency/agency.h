/* agency/agency.h - the government domain: accounts and their kinds, operators and
 * roles, API tokens, the publishing policy, and the tamper-evident audit log (to come:
 * cases, watchdog, reports).
 * BY in the functions below is the operator who acts, recorded in the audit log:
 * an operator name, or AGENCY_LOCAL for a shell user running the CLI without --as. */
#ifndef HERALD_AGENCY_H
#define HERALD_AGENCY_H

#include "base/hr.h"
#include "store/store.h"

#define AGENCY_TEXT_MAX 500 /* display name and summary, bytes */
#define AGENCY_LOCAL "(local)" /* the CLI's operator when no --as is given */

/* ---- audit log ---- */
struct agency_audit_entry {
    uint64_t seq;
    int64_t time_ms;
    char operator[64], action[64], target[512];
    char *details; /* heap; agency_audit_entry_fini */
    char details_sha256[65], prev[65], hash[65];
};
void agency_audit_entry_fini(struct agency_audit_entry *e);
/* Appends an entry inside TXN (the transaction of the change it records). */
int agency_audit(struct store_txn *txn, const char *operator, const char *action,
                 const char *target, const char *details, struct hr_err *err);
/* Walks the chain from the first entry. HR_ESIG naming the first entry that does not
 * match (its message says which and why); *count = entries checked. */
int agency_audit_verify(struct store *st, uint64_t *count, struct hr_err *err);
/* Entries at or after SINCE_MS concerning ACCOUNT (NULL: all), oldest first. */
int agency_audit_list(struct store *st, int64_t since_ms, const char *account,
                      int (*cb)(const struct agency_audit_entry *e, void *ctx), void *ctx,
                      struct hr_err *err);
/* The chain head as a JSON document signed with the instance's Ed25519 key (caller frees). */
int agency_audit_head(struct store *st, const char *base_url, char **json_out,
                      struct hr_err *err);
/* Creates the instance's Ed25519 key if it has none (init does this; older stores on first
 * use). */
int agency_instance_init(struct store *st, struct hr_err *err);

/* ---- operators, roles, tokens ---- */
/* Roles: admin, editor, approver, responder, auditor. */
bool agency_role_valid(const char *role);
int agency_operator_add(struct store *st, const char *by, const char *name, struct hr_err *err);
/* Refused (HR_EFORBIDDEN, saying why) when it would leave an account with nobody able to
 * get a post published. Revokes the operator's tokens at once. */
int agency_operator_disable(struct store *st, const char *by, const char *name,
                            struct hr_err *err);
struct agency_operator {
    char name[64];
    bool disabled;
    int64_t created_ms;
    char roles[1024]; /* "role@account role@*" */
};
int agency_operator_each(struct store *st, int (*cb)(const struct agency_operator *o, void *ctx),
                         void *ctx, struct hr_err *err);
/* ACCOUNT NULL: instance-wide. */
int agency_grant(struct store *st, const char *by, const char *operator, const char *role,
                 const char *account, struct hr_err *err);
int agency_revoke(struct store *st, const char *by, const char *operator, const char *role,
                  const char *account, struct hr_err *err);
/* true when OPERATOR (active) holds ROLE on ACCOUNT or instance-wide. */
bool agency_can(struct store *st, const char *operator, const char *role, const char *account);

/* A new token for OPERATOR, valid EXPIRES_DAYS (0: no expiry). *token (caller frees with
 * keys_secret_free) is shown once; only its SHA-256 is stored. ID (17 bytes) names it. */
int agency_token_create(struct store *st, const char *by, const char *operator,
                        unsigned expires_days, char **token, char id[17], struct hr_err *err);
int agency_token_revoke(struct store *st, const char *by, const char *id, struct hr_err *err);
struct agency_token_info {
    char id[17], operator[64];
    int64_t created_ms, expires_ms; /* 0: no expiry */
    bool revoked;
};
int agency_token_each(struct store *st, int (*cb)(const struct agency_token_info *t, void *ctx),
                      void *ctx, struct hr_err *err);
/* The operator TOKEN belongs to: HR_EFORBIDDEN when unknown, expired, revoked or disabled. */
int agency_token_auth(struct store *st, const char *token, char operator[64],
                      struct hr_err *err);

/* ---- federation policy ---- */
/* Blocks/unblocks (KIND STORE_DOMAIN_BLOCK) or allows/disallows (STORE_DOMAIN_ALLOW) DOMAIN,
 * audited; see fed_domain_set for what a block drops. */
int agency_domain_set(struct store *st, const char *by, int kind, bool on, const char *domain,
                      const char *reason, size_t *followers, size_t *jobs, struct hr_err *err);

/* ---- publishing policy ---- */
/* Approvals a post of ACCOUNT needs: the stored setting, else the kind's default
 * (agency and department 1, official and service 0). */
int agency_approvals_required(struct store_txn *txn, const char *account, unsigned *out,
                              struct hr_err *err);
int agency_set_approvals(struct store *st, const char *by, const char *account, unsigned n,
                         struct hr_err *err);

/* true for agency, department, official, service */
bool agency_kind_valid(const char *kind);

/* Creates account NAME of KIND with a fresh RSA-2048 and Ed25519 key pair. DISPLAY and
 * SUMMARY may be NULL. Errors: HR_EINVAL (name, kind, text), HR_EEXIST, HR_EIO. */
int agency_account_add(struct store *st, const char *by, const char *name, const char *kind,
                       const char *display, const char *summary, struct hr_err *err);

/* ---- drafts and four-eyes approval ----
 * A draft moves draft -> submitted -> approved -> published, or to rejected (edit to
 * reopen) or withdrawn. Every approval is bound to the SHA-256 of the exact revision it
 * approved: an edit makes a new revision, voids the approvals and reopens the draft. An
 * approver never approves their own draft nor the same revision twice. The approval that
 * completes a draft publishes it in the same commit (or schedules it for its time); the
 * scheduler publishes a due draft exactly once, also across crashes. */
struct fed;
struct agency_draft_input {
    const char *text, *cw, *reply_to;
    int64_t at_ms;          /* publish time; 0: as soon as approved */
    const char *replaces;   /* an edit of this published Note (Update), or NULL */
    const char *deletes;    /* a deletion of this published Note (Delete), or NULL */
    const char *boosts;     /* a boost (Announce) of this post URL, or NULL */
    const char *quote;      /* a new post quoting this post URL, or NULL */
};
struct agency_draft_result {
    char id[32], state[16];
    unsigned approvals, required;
    char published_id[1200]; /* the Note, once published */
};
int agency_draft_new(struct store *st, struct fed *fed, const char *by, const char *account,
                     const struct agency_draft_input *in, bool submit,
                     struct agency_draft_result *res, struct hr_err *err);
int agency_draft_edit(struct store *st, const char *by, const char *id,
                      const struct agency_draft_input *in, struct agency_draft_result *res,
                      struct hr_err *err);
int agency_draft_submit(struct store *st, struct fed *fed, const char *by, const char *id,
                        struct agency_draft_result *res, struct hr_err *err);
int agency_draft_approve(struct store *st, struct fed *fed, const char *by, const char *id,
                         const char *comment, struct agency_draft_result *res,
                         struct hr_err *err);
int agency_draft_reject(struct store *st, const char *by, const char *id, const char *comment,
                        struct agency_draft_result *res, struct hr_err *err);
int agency_draft_withdraw(struct store *st, const char *by, const char *id,
                          struct agency_draft_result *res, struct hr_err *err);
/* The draft with its full history as JSON (caller frees). */
int agency_draft_show(struct store *st, const char *id, char **json, struct hr_err *err);
/* Drafts of ACCOUNT (NULL: all) in STATE (NULL: any) as a JSON array (caller frees). */
int agency_draft_list(struct store *st, const char *account, const char *state, char **json,
                      struct hr_err *err);
/* Following other agencies: HANDLE is @user@host or an actor URL. Audited. */
int agency_follow(struct store *st, struct fed *fed, const char *by, const char *account,
                  const char *handle, char *actor_out, size_t cap, struct hr_err *err);
int agency_unfollow(struct store *st, struct fed *fed, const char *by, const char *account,
                    const char *handle, struct hr_err *err);

/* Publishes every approved draft due at NOW_MS. *next_ms: the next due time (INT64_MAX). */
int agency_scheduler_run(struct store *st, struct fed *fed, int64_t now_ms, size_t *published,
                         int64_t *next_ms, struct hr_err *err);

#endif
