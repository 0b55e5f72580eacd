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

/* ---- who may do what: the one authorization table (agency/authz.c) ----
 * Every face (CLI, admin API, later the public pages, staff console and client API) asks
 * agency_may before it acts; the rows are documented in docs/publishing.md. */
enum agency_action {
    AGENCY_ACCOUNT_LIST,    /* any operator */
    AGENCY_ACCOUNT_CREATE,  /* admin instance-wide */
    AGENCY_SET_APPROVALS,   /* admin on the account; SUBJECT the new count: never lower */
    AGENCY_FOLLOW,          /* follow/unfollow from the account: admin on it */
    AGENCY_FOLLOWING_READ,  /* whom accounts follow, their timeline: any operator */
    AGENCY_FOLLOWERS_READ,  /* any role on the account */
    AGENCY_POSTS_READ,      /* the outbox (public anyway): any operator */
    AGENCY_STATS_READ,      /* counts: any operator */
    AGENCY_OPERATOR_LIST,   /* admin or auditor instance-wide */
    AGENCY_OPERATOR_MANAGE, /* add, disable: admin instance-wide */
    AGENCY_GRANT,           /* admin instance-wide; SUBJECT the grantee: never oneself */
    AGENCY_REVOKE,          /* admin instance-wide */
    AGENCY_TOKEN_LIST,      /* admin instance-wide */
    AGENCY_TOKEN_MINT,      /* admin instance-wide; SUBJECT whose token: only one's own */
    AGENCY_TOKEN_REVOKE,    /* admin instance-wide */
    AGENCY_DOMAIN_LIST,     /* any operator */
    AGENCY_DOMAIN_MANAGE,   /* block, allow: admin instance-wide */
    AGENCY_AUDIT_READ,      /* list, verify: admin or auditor instance-wide */
    AGENCY_DRAFT_READ,      /* admin, editor, approver or auditor on the account */
    AGENCY_DRAFT_CREATE,    /* editor on the account */
    AGENCY_DRAFT_EDIT,      /* editor on the account */
    AGENCY_DRAFT_SUBMIT,    /* editor on the account */
    AGENCY_DRAFT_WITHDRAW,  /* editor on the account */
    AGENCY_DRAFT_APPROVE,   /* approver on the account, never the local shell user */
    AGENCY_DRAFT_REJECT,    /* approver on the account, never the local shell user */
    AGENCY_ACCOUNT_PROFILE, /* agency_account_set: admin on the account */
    AGENCY_ATTEST_ISSUE,    /* attest issue: admin on the issuing account */
    AGENCY_ATTEST_REVOKE,   /* attest revoke: admin on the issuing account */
    AGENCY_ATTEST_LIST,     /* attest list (public anyway): any operator */
    AGENCY_ATTEST_IMPORT,   /* attest import: admin on the attested account */
    AGENCY_KEYS_ROTATE,     /* new RSA and Ed25519 keys: admin on the account */
    AGENCY_ACCOUNT_FREEZE,  /* stop publishing and deliveries: admin on the account */
    AGENCY_UNFREEZE_REQUEST, /* the first admin's request to lift a freeze: admin on it */
    AGENCY_UNFREEZE_APPROVE, /* the second admin lifts it: admin on it, never the
                              * requester (agency/security.c), never the shell user */
    AGENCY_ACCOUNT_LINK,    /* link/unlink a remote account to a parent: admin on the parent */
    AGENCY_MEDIA_GC,        /* remove media files nothing refers to: admin instance-wide */
    AGENCY_POLL_RESULTS,    /* a poll's record (herald poll results): as draft.read */
    /* issue #12: the citizen desk and supervision; ACCOUNT of a case action is the case's
     * department (the account whose responders handle it) */
    AGENCY_CASE_READ,       /* case list/show: admin, responder or auditor on the department */
    AGENCY_CASE_HANDLE,     /* assign, close, reopen, tag: admin or responder on it */
    AGENCY_CASE_ANSWER,     /* draft the answer from the case: responder on the department */
    AGENCY_ROUTE_READ,      /* routing rules: any operator */
    AGENCY_ROUTE_MANAGE,    /* route add/remove: admin instance-wide */
    AGENCY_DESK_SETTINGS,   /* deadline, calendar, acknowledgement, department, silence
                             * limit of an account: admin on the account */
    AGENCY_STATUS_READ,     /* the watchdog's alarms: any operator */
    AGENCY_REPORT_READ,     /* reports: admin or auditor on the account (NULL: instance) */
    AGENCY_WEBHOOK_LIST,    /* admin or auditor instance-wide */
    AGENCY_WEBHOOK_MANAGE,  /* webhook add/remove: admin instance-wide */
};
/* HR_OK when OPERATOR may do ACTION on ACCOUNT (NULL: instance-wide) with SUBJECT (the
 * grantee, whose token, the new approval count; NULL when none), else HR_EFORBIDDEN with a
 * message naming the missing role or the rule. AGENCY_LOCAL (the shell user, who owns the
 * data directory) may do everything but approve and reject. */
int agency_may(struct store *st, const char *operator, enum agency_action action,
               const char *account, const char *subject, struct hr_err *err);
const char *agency_action_name(enum agency_action action); /* static, e.g. "role.grant" */

struct fed;
/* Removes the media files (and their records) that no profile and no live draft or post
 * refers to and that were last stored more than MIN_AGE_MS ago (agency/mediagc.c);
 * *REMOVED counts them (may be NULL). Right: AGENCY_MEDIA_GC. */
int agency_media_gc(struct store *st, struct fed *fed, const char *by, int64_t min_age_ms,
                    size_t *removed, struct hr_err *err);
#define AGENCY_MEDIA_GC_MIN_AGE_MS (3600 * 1000) /* the default grace: an hour */
/* Images travel as standard base64 with padding (admin API, profile keys avatar/header;
 * agency/mediafiles.c). decode: *OUT is the bytes (caller frees); HR_EINVAL when TEXT is
 * not base64 or decodes to more than 16 MiB. encode: NULL on ENOMEM, caller frees. */
int agency_media_b64_decode(const char *text, unsigned char **out, size_t *len,
                            struct hr_err *err);
char *agency_media_b64_encode(const void *p, size_t n);
/* PATH's bytes (a regular file of at most 16 MiB) into *OUT (caller frees); HR_EINVAL with
 * the reason (agency/images.c). */
int agency_media_read(const char *path, unsigned char **out, size_t *len, struct hr_err *err);

/* ---- what the faces need of the store, behind the table (agency/faces.c) ---- */
int agency_open(const char *dir, bool create, size_t map_mb, struct store **out,
                struct hr_err *err);
void agency_close(struct store *st); /* NULL: no-op */
void agency_secret_free(char *s);    /* a token as agency_token_create returned it */
int agency_account_each(struct store *st, const char *by,
                        int (*cb)(const struct store_account *a, void *ctx), void *ctx,
                        struct hr_err *err);
/* HR_ENOTFOUND when ACCOUNT does not exist. */
int agency_follower_each(struct store *st, const char *by, const char *account,
                         int (*cb)(const struct store_follower *f, void *ctx), void *ctx,
                         struct hr_err *err);
int agency_domain_each(struct store *st, const char *by,
                       int (*cb)(const struct store_domain *d, void *ctx), void *ctx,
                       struct hr_err *err);
int agency_stats(struct store *st, const char *by, struct store_stats *out, struct hr_err *err);

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
 * SUMMARY may be NULL. Errors: HR_EINVAL (name, kind, text), HR_EEXIST, HR_EIO. An official
 * or a department needs a parent: agency_account_create. */
int agency_account_add(struct store *st, const char *by, const char *name, const char *kind,
                       const char *display, const char *summary, struct hr_err *err);
struct agency_account_new {
    const char *name, *kind, *display, *summary; /* display, summary: may be NULL */
    const char *parent; /* the agency of an official, the parent of a department (required);
                           optional for agency and service: a local name or an actor URL */
};
/* agency_account_add with the parent (stored as profile "parent", agency_parent_check). */
int agency_account_create(struct store *st, const char *by, const struct agency_account_new *in,
                          struct hr_err *err);

/* ---- account kinds (agency/kinds.c) ---- */
/* HR_OK when PARENT may be the parent of account NAME (NULL when not created yet) of KIND:
 * required for official and department; a local account of a fitting kind (official:
 * agency; department, service: agency or department; agency: agency) that is not NAME nor
 * below it, or an http(s) actor URL. HR_EINVAL with the reason. */
int agency_parent_check(struct store_txn *txn, const char *name, const char *kind,
                        const char *parent, struct hr_err *err);
bool agency_parent_is_url(const char *value); /* "http://" or "https://" */
/* Lists (ON) or stops listing remote actor URL in the account matrix of agency or
 * department PARENT, KIND (may be NULL) shown with it; agency_may(AGENCY_ACCOUNT_LINK),
 * audited. HR_EEXIST when linked already, HR_ENOTFOUND when unlinking what is not. */
int agency_account_link(struct store *st, const char *by, const char *parent, const char *url,
                        const char *kind, bool on, struct hr_err *err);

/* ---- the profile (agency/profile.c) ----
 * Sets profile attribute KEY of account NAME to VALUE (NULL or "": cleared), after
 * agency_may(AGENCY_ACCOUNT_PROFILE) and the key's own check; stores it, audits it and,
 * when FED is not NULL, queues Update(actor) to the followers, all in one transaction.
 * HR_EINVAL for an unknown key (the message lists the known ones) or a value the key
 * refuses; HR_ENOTFOUND for an unknown account. */
struct fed;
int agency_account_set(struct store *st, struct fed *fed, const char *by, const char *name,
                       const char *key, const char *value, struct hr_err *err);
/* The settable keys, for usage lines: "display_name, summary, ..." into OUT. */
void agency_profile_keys(char *out, size_t cap);

/* ---- key rotation and freeze (agency/security.c) ----
 * Rotation: new RSA-2048 and Ed25519 keys for NAME; the old Ed25519 key stays in the
 * actor's assertionMethod with `expires` (old proofs still verify), the new one gets a new
 * id (*KEY_ID, the fragment, when not NULL); audited; Update(actor) to the followers in the
 * same transaction when FED is not NULL. */
int agency_keys_rotate(struct store *st, struct fed *fed, const char *by, const char *name,
                       char key_id[128], struct hr_err *err);
/* Freeze: NAME publishes nothing and its deliveries are held until the freeze is lifted;
 * REASON (1-500 bytes) is audited. HR_EEXIST when it is frozen already. */
int agency_account_freeze(struct store *st, struct fed *fed, const char *by, const char *name,
                          const char *reason, struct hr_err *err);
/* Lifting a freeze takes two admins: without APPROVE, BY records the request; with it,
 * another admin (not the requester, not the shell user) lifts the freeze, the held
 * deliveries resume (*RESUMED counts them) and followers get Update(actor). HR_EINVAL when
 * NAME is not frozen or (APPROVE) nothing was requested, HR_EEXIST for a second request,
 * HR_EFORBIDDEN for the requester's own approval. */
int agency_account_unfreeze(struct store *st, struct fed *fed, const char *by,
                            const char *name, bool approve, size_t *resumed,
                            struct hr_err *err);

/* ---- drafts and four-eyes approval ----
 * A draft moves draft -> submitted -> approved -> published, or to rejected (edit to
 * reopen) or withdrawn. Every approval is bound to the SHA-256 of the exact revision it
 * approved: an edit makes a new revision, voids the approvals and reopens the draft. An
 * approver never approves their own draft nor the same revision twice. The approval that
 * completes a draft publishes it in the same commit (or schedules it for its time); the
 * scheduler publishes a due draft exactly once, also across crashes. */
struct fed;
#define AGENCY_LANGUAGE_DEFAULT "und" /* BCP 47 "undetermined" until posts carry one */
#define AGENCY_DRAFT_IMAGES_MAX 4
#define AGENCY_POLL_OPTIONS_MAX 10
struct agency_draft_input {
    const char *text, *cw, *reply_to;
    const char *language;   /* NULL: AGENCY_LANGUAGE_DEFAULT */
    const char *visibility; /* public | unlisted | followers | direct; NULL: "public" (an
                             * edit: the post's own); direct needs a mention */
    int64_t at_ms;          /* publish time; 0: as soon as approved */
    const char *replaces;   /* an edit of this published Note (Update), or NULL */
    const char *deletes;    /* a deletion of this published Note (Delete), or NULL */
    const char *boosts;     /* a boost (Announce) of this post URL, or NULL */
    const char *quote;      /* a new post quoting this post URL, or NULL */
    /* issue #10 (docs/publishing.md): images, each with its mandatory alt text, and a poll */
    struct agency_draft_image {
        const char *path;        /* CLI: a file to read, or NULL */
        const void *bytes;       /* API: the decoded bytes, when PATH is NULL */
        size_t len;
        const char *alt;         /* required, 1..1500 bytes of UTF-8 */
    } images[AGENCY_DRAFT_IMAGES_MAX];
    size_t n_images;
    const char *poll_options[AGENCY_POLL_OPTIONS_MAX];
    size_t n_poll_options;       /* 0: no poll; else 2..AGENCY_POLL_OPTIONS_MAX */
    bool poll_multiple;          /* anyOf instead of oneOf */
    int64_t poll_closes_ms;      /* required with a poll */
};
struct agency_draft_result {
    char id[32], state[16];    /* state: agency_draft_state_name(code) */
    int code;                  /* enum agency_draft_state */
    unsigned approvals, required;
    char published_id[1200]; /* the Note, once published */
};
int agency_draft_new(struct store *st, struct fed *fed, const char *by, const char *account,
                     const struct agency_draft_input *in, bool submit,
                     struct agency_draft_result *res, struct hr_err *err);
int agency_draft_edit(struct store *st, struct fed *fed, const char *by, const char *id,
                      const struct agency_draft_input *in, struct agency_draft_result *res,
                      struct hr_err *err);
int agency_draft_submit(struct store *st, struct fed *fed, const char *by, const char *id,
                        struct agency_draft_result *res, struct hr_err *err);
/* REV: the rev_sha256 the approver read (draft show prints it), required. When the draft
 * has another revision now: HR_ESTALE, and nothing changes. */
int agency_draft_approve(struct store *st, struct fed *fed, const char *by, const char *id,
                         const char *rev, const char *comment, struct agency_draft_result *res,
                         struct hr_err *err);
int agency_draft_reject(struct store *st, const char *by, const char *id, const char *rev,
                        const char *comment, struct agency_draft_result *res,
                        struct hr_err *err);
int agency_draft_withdraw(struct store *st, const char *by, const char *id,
                          struct agency_draft_result *res, struct hr_err *err);

/* One dispatcher for every face: the CLI and the API parse their input into a request and
 * print the result; the rules live behind it. */
enum agency_draft_verb {
    AGENCY_VERB_NEW, AGENCY_VERB_EDIT, AGENCY_VERB_SUBMIT, AGENCY_VERB_APPROVE,
    AGENCY_VERB_REJECT, AGENCY_VERB_WITHDRAW
};
struct agency_draft_request {
    enum agency_draft_verb verb;
    const char *id;       /* all but new */
    const char *account;  /* new */
    const char *rev;      /* approve, reject: the revision hash that was read */
    const char *comment;  /* approve (optional), reject (required) */
    bool submit;          /* new: submit at once */
    struct agency_draft_input in; /* new, edit */
};
/* "new", "approve", ... -> VERB; HR_ENOTFOUND for anything else. */
int agency_draft_verb_parse(const char *name, enum agency_draft_verb *out);
int agency_draft_verb(struct store *st, struct fed *fed, const char *by,
                      const struct agency_draft_request *rq, struct agency_draft_result *res,
                      struct hr_err *err);

/* A stored draft, typed (decoded from its record in agency/drafts.c only). */
enum agency_draft_state {
    AGENCY_DRAFT_DRAFT, AGENCY_DRAFT_SUBMITTED, AGENCY_DRAFT_APPROVED, AGENCY_DRAFT_PUBLISHED,
    AGENCY_DRAFT_REJECTED, AGENCY_DRAFT_WITHDRAWN, AGENCY_DRAFT_FAILED
};
enum agency_draft_kind { AGENCY_KIND_POST, AGENCY_KIND_EDIT, AGENCY_KIND_DELETE, AGENCY_KIND_BOOST };
struct agency_draft {
    char id[48], account[32], author[64];
    char rev_sha256[65]; /* the revision an approval must name */
    enum agency_draft_state state;
    enum agency_draft_kind kind;
    unsigned rev;        /* 1, 2, ...: one per edit */
    int64_t at_ms;       /* publish time; 0: when approved */
};
const char *agency_draft_state_name(enum agency_draft_state s); /* static */
/* Draft ID as BY may read it (draft.read on its account). */
int agency_draft_get(struct store *st, const char *by, const char *id, struct agency_draft *out,
                     struct hr_err *err);
/* The draft with its full history as JSON (caller frees), when BY may read it. */
int agency_draft_show(struct store *st, const char *by, const char *id, char **json,
                      struct hr_err *err);
/* Drafts of ACCOUNT (NULL: all, which needs a reading role instance-wide) in STATE (NULL:
 * any) as a JSON array (caller frees). */
int agency_draft_list(struct store *st, const char *by, const char *account, const char *state,
                      char **json, struct hr_err *err);
/* The record of a consultation (issue #10): ID is the Question's URL or the id of the draft
 * that published it; BY needs poll.results on its account. *OUT (caller frees): the JSON of
 * fed_poll_results, or with CSV true an RFC 4180 table (docs/publishing.md). */
int agency_poll_results(struct store *st, struct fed *fed, const char *by, const char *id,
                        bool csv, char **out, struct hr_err *err);
/* Following other agencies: HANDLE is @user@host or an actor URL. Audited. */
int agency_follow(struct store *st, struct fed *fed, const char *by, const char *account,
                  const char *handle, char *actor_out, size_t cap, struct hr_err *err);
int agency_unfollow(struct store *st, struct fed *fed, const char *by, const char *account,
                    const char *handle, struct hr_err *err);

/* Publishes every approved draft due at NOW_MS. *next_ms: the next due time (INT64_MAX). */
int agency_scheduler_run(struct store *st, struct fed *fed, int64_t now_ms, size_t *published,
                         int64_t *next_ms, struct hr_err *err);


/* ---- official-status attestations (agency/attest.c; docs/authenticity.md) ----
 * Issue: IN->issuer must be ours and BY admin on it; the signed credential is stored,
 * audited, and served at *URL_OUT (caller frees). Revoke: ID (or its URL) joins its
 * issuer's revocation list. Import: the attestation at URL is fetched and checked
 * (fed_attest_check), must be about one of our accounts (ACCOUNT, when not NULL), and is
 * kept in its profile ("attestations") with Update(actor) to the followers; *ENTRY_OUT
 * (may be NULL) gets what was kept. */
struct fed_attest_input;
typedef struct json_t json_t;
int agency_attest_issue(struct store *st, struct fed *fed, const char *by,
                        const struct fed_attest_input *in, char **url_out, struct hr_err *err);
int agency_attest_revoke(struct store *st, const char *by, const char *id, const char *reason,
                         struct hr_err *err);
int agency_attest_list(struct store *st, struct fed *fed, const char *by, json_t **out,
                       struct hr_err *err);
int agency_attest_import(struct store *st, struct fed *fed, const char *by, const char *url,
                         const char *account, json_t **entry_out, struct hr_err *err);

/* ---- the citizen desk and supervision (issue #12; docs/desk.md, docs/evaluation.md) ----
 * Times here are the desk's clock, hr_clock_ms(). A case's department is a local account
 * (agency or department kind) whose responders handle it. */
struct fed_desk_note;
/* The inbox's hook (fed_set_desk_hooks; CTX is the struct fed): a citizen's Note opens a
 * case, joins the open case of the same citizen and thread, or (Update/Delete) changes the
 * message it was. Inside the inbox's write transaction (agency/cases.c). */
int agency_desk_note(void *ctx, struct store_txn *txn, const struct fed_desk_note *n,
                     struct hr_err *err);
/* What the server's scheduler runs about once a second (agency/watchdog.c): flags overdue
 * cases (event case.overdue, once per case), raises and clears watchdog alarms (event
 * watchdog.alarm when one goes up), sends due acknowledgements. NOW_MS: hr_clock_ms(). */
void agency_desk_tick(struct store *st, struct fed *fed, int64_t now_ms);
/* Cases, for the faces (agency/cases.c; docs/desk.md "Cases"). BY needs case.read,
 * case.handle or case.answer on the case's department; each change is audited. Times: the
 * desk's clock. Errors: HR_ENOTFOUND (no such case), HR_EFORBIDDEN, HR_EINVAL, HR_EEXIST (the
 * case is not in a state that allows it). */
struct agency_case_filter {
    const char *account, *department, *status; /* NULL: any */
    bool overdue; /* only unanswered cases past their deadline */
};
/* *OUT: a new array of the cases BY may read that match F, in id order. */
int agency_case_list(struct store *st, const char *by, const struct agency_case_filter *f,
                     json_t **out, struct hr_err *err);
int agency_case_get(struct store *st, const char *by, const char *id, json_t **out,
                    struct hr_err *err);
/* OPERATOR must be an active responder on the department; status becomes "assigned". */
int agency_case_assign(struct store *st, const char *by, const char *id, const char *operator,
                       struct hr_err *err);
int agency_case_close(struct store *st, const char *by, const char *id, const char *comment,
                      struct hr_err *err);
int agency_case_reopen(struct store *st, const char *by, const char *id, struct hr_err *err);
/* The answer TEXT as a draft of the case's department by BY (case.answer), in reply to the
 * citizen's latest message, with the case's visibility and the citizen mentioned; SUBMIT
 * submits it at once. Approval as for any draft of the department. */
int agency_case_answer(struct store *st, struct fed *fed, const char *by, const char *id,
                       const char *text, bool submit, struct agency_draft_result *res,
                       struct hr_err *err);
/* Routing rules (agency/routes.c): MATCH "account", "tag" or "keyword". */
struct agency_route_input {
    const char *department, *match, *value;
};
int agency_route_add(struct store *st, const char *by, const struct agency_route_input *in,
                     json_t **out, struct hr_err *err);
int agency_route_list(struct store *st, const char *by, json_t **out, struct hr_err *err);
int agency_route_remove(struct store *st, const char *by, const char *id, struct hr_err *err);

/* ---- desk settings, holidays and the watchdog (issue #12; agency/desk.c, watchdog.c) ----
 * Each is checked with agency_may (desk.settings on ACCOUNT to change, status.read to read
 * alarms) and every change is audited. Setting KEY of ACCOUNT to VALUE ("" resets it to the
 * default): HR_EINVAL with a message saying what is wanted, and nothing stored. */
int agency_desk_set(struct store *st, const char *by, const char *account, const char *key,
                    const char *value, struct hr_err *err);
/* *OUT (new): {"account", "settings": effective values, "set": what was set explicitly,
 * "holidays": count}. Right: desk.settings or case.read on ACCOUNT. */
int agency_desk_show(struct store *st, const char *by, const char *account, json_t **out,
                     struct hr_err *err);
/* Holidays from an iCalendar text (RFC 5545): every all-day VEVENT's dates, recurring
 * ones expanded for three years ahead; added to those stored. A text that is not
 * iCalendar, or that names no all-day event: HR_EINVAL, nothing stored. *ADDED may be
 * NULL. */
int agency_desk_holidays_import(struct store *st, const char *by, const char *account,
                                const char *ics, size_t len, size_t *added,
                                struct hr_err *err);
/* *OUT (new): [{"date": "YYYY-MM-DD", "summary"}] in date order. */
int agency_desk_holidays_list(struct store *st, const char *by, const char *account,
                              json_t **out, struct hr_err *err);
int agency_desk_holidays_clear(struct store *st, const char *by, const char *account,
                               size_t *removed, struct hr_err *err);
/* The watchdog's alarms at NOW_MS, computed now (not the tick's records): *OUT (new) an
 * array of {"kind", "account" | "host", "since_ms", "message", ...} ordered by kind and
 * name. Kinds: silent, unstaffed, overdue_case, draft_waiting, host_failing. */
int agency_watchdog_alarms(struct store *st, const char *by, int64_t now_ms, json_t **out,
                           struct hr_err *err);

/* ---- webhooks (issue #12 part 7; agency/webhooks.c, docs/operating.md "Webhooks") ----
 * URL: https (http to loopback only with allow_private_network); EVENTS: comma-separated
 * event types, NULL or "" for all; INSTANCE: the base URL events name. *OUT = {"id",
 * "url", "events", "secret"}: the only time the secret is shown. */
int agency_webhook_add(struct store *st, struct fed *fed, const char *by, const char *url,
                       const char *events, const char *instance, json_t **out,
                       struct hr_err *err);
/* Every webhook, secrets left out (new array). */
int agency_webhook_list(struct store *st, const char *by, json_t **out, struct hr_err *err);
/* Removes webhook ID and its queued deliveries. HR_ENOTFOUND. */
int agency_webhook_remove(struct store *st, const char *by, const char *id, struct hr_err *err);
/* Queues a "ping" event to webhook ID alone. HR_ENOTFOUND. */
int agency_webhook_test(struct store *st, const char *by, const char *id, struct hr_err *err);
/* Gauges for /metrics read in one transaction (agency/gauges.c): {"posts": {account: n},
 * "cases_open": {department: n}, "cases_overdue": {department: n}, "alarms": {kind: n}}
 * (new). NOW_MS: hr_clock_ms(). */
int agency_gauges(struct store *st, int64_t now_ms, json_t **out, struct hr_err *err);
/* GIVEN equals the configured secret WANT (not empty), compared in constant time (the
 * metrics_token; agency/gauges.c). */
bool agency_token_equal(const char *given, const char *want);

#endif
