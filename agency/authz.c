/* agency/authz.c - who may do what: the one authorization table. The CLI, the admin API
 * and every later face (public pages, staff console, client API) ask agency_may; none of
 * them keeps a role list of its own. The table is data, documented row by row in
 * docs/publishing.md ("Who may do what"); a change here is a change there. */
#include "agency/agency_int.h"

#include <stdio.h>
#include <string.h>

#define R_ADMIN (1u << 0)
#define R_EDITOR (1u << 1)
#define R_APPROVER (1u << 2)
#define R_RESPONDER (1u << 3)
#define R_AUDITOR (1u << 4)
#define R_ALL (R_ADMIN | R_EDITOR | R_APPROVER | R_RESPONDER | R_AUDITOR)

static const char *const role_names[] = {"admin", "editor", "approver", "responder", "auditor"};

enum scope {
    ANY_OPERATOR,  /* any active operator: no role needed */
    INSTANCE,      /* the role held instance-wide */
    ON_ACCOUNT,    /* the role held on the account or instance-wide (no account: instance) */
};

enum rule {
    NO_RULE,
    NOT_SELF,       /* SUBJECT (the grantee) is not the operator itself */
    ONLY_SELF,      /* SUBJECT (whose token) is the operator itself */
    NOT_LOWER,      /* SUBJECT (the new approvals, "0"-"3") is not below the current */
};

static const struct row {
    enum agency_action action;
    const char *name;
    unsigned roles;
    enum scope scope;
    bool local;  /* the shell user without --as (AGENCY_LOCAL) may */
    enum rule rule;
    const char *why; /* the refusal of RULE */
} table[] = {
    {AGENCY_ACCOUNT_LIST, "account.list", 0, ANY_OPERATOR, true, NO_RULE, NULL},
    {AGENCY_ACCOUNT_CREATE, "account.create", R_ADMIN, INSTANCE, true, NO_RULE, NULL},
    {AGENCY_SET_APPROVALS, "account.policy", R_ADMIN, ON_ACCOUNT, true, NOT_LOWER,
     "lowering the approvals an account needs is done by the shell user on the server "
     "(herald account set without --as)"},
    {AGENCY_FOLLOW, "follow", R_ADMIN, ON_ACCOUNT, true, NO_RULE, NULL},
    {AGENCY_FOLLOWING_READ, "following.read", 0, ANY_OPERATOR, true, NO_RULE, NULL},
    {AGENCY_FOLLOWERS_READ, "followers.read", R_ALL, ON_ACCOUNT, true, NO_RULE, NULL},
    {AGENCY_POSTS_READ, "posts.read", 0, ANY_OPERATOR, true, NO_RULE, NULL},
    {AGENCY_STATS_READ, "stats.read", 0, ANY_OPERATOR, true, NO_RULE, NULL},
    {AGENCY_OPERATOR_LIST, "operator.list", R_ADMIN | R_AUDITOR, INSTANCE, true, NO_RULE, NULL},
    {AGENCY_OPERATOR_MANAGE, "operator.manage", R_ADMIN, INSTANCE, true, NO_RULE, NULL},
    {AGENCY_GRANT, "role.grant", R_ADMIN, INSTANCE, true, NOT_SELF,
     "an operator cannot grant itself roles"},
    {AGENCY_REVOKE, "role.revoke", R_ADMIN, INSTANCE, true, NO_RULE, NULL},
    {AGENCY_TOKEN_LIST, "token.list", R_ADMIN, INSTANCE, true, NO_RULE, NULL},
    {AGENCY_TOKEN_MINT, "token.create", R_ADMIN, INSTANCE, true, ONLY_SELF,
     "tokens of other operators are created by the shell user on the server "
     "(herald token create without --as)"},
    {AGENCY_TOKEN_REVOKE, "token.revoke", R_ADMIN, INSTANCE, true, NO_RULE, NULL},
    {AGENCY_DOMAIN_LIST, "domain.list", 0, ANY_OPERATOR, true, NO_RULE, NULL},
    {AGENCY_DOMAIN_MANAGE, "domain.manage", R_ADMIN, INSTANCE, true, NO_RULE, NULL},
    {AGENCY_AUDIT_READ, "audit.read", R_ADMIN | R_AUDITOR, INSTANCE, true, NO_RULE, NULL},
    {AGENCY_DRAFT_READ, "draft.read", R_ADMIN | R_EDITOR | R_APPROVER | R_AUDITOR, ON_ACCOUNT,
     true, NO_RULE, NULL},
    {AGENCY_DRAFT_CREATE, "draft.create", R_EDITOR, ON_ACCOUNT, true, NO_RULE, NULL},
    {AGENCY_DRAFT_EDIT, "draft.edit", R_EDITOR, ON_ACCOUNT, true, NO_RULE, NULL},
    {AGENCY_DRAFT_SUBMIT, "draft.submit", R_EDITOR, ON_ACCOUNT, true, NO_RULE, NULL},
    {AGENCY_DRAFT_WITHDRAW, "draft.withdraw", R_EDITOR, ON_ACCOUNT, true, NO_RULE, NULL},
    /* four eyes: the shell user is nobody's approver; "never the author" needs the draft
     * and is checked by agency/drafts.c in the same transaction */
    {AGENCY_DRAFT_APPROVE, "draft.approve", R_APPROVER, ON_ACCOUNT, false, NO_RULE, NULL},
    {AGENCY_DRAFT_REJECT, "draft.reject", R_APPROVER, ON_ACCOUNT, false, NO_RULE, NULL},
    {AGENCY_ACCOUNT_PROFILE, "account.profile", R_ADMIN, ON_ACCOUNT, true, NO_RULE, NULL},
    {AGENCY_ATTEST_ISSUE, "attest.issue", R_ADMIN, ON_ACCOUNT, true, NO_RULE, NULL},
    {AGENCY_ATTEST_REVOKE, "attest.revoke", R_ADMIN, ON_ACCOUNT, true, NO_RULE, NULL},
    {AGENCY_ATTEST_LIST, "attest.list", 0, ANY_OPERATOR, true, NO_RULE, NULL},
    {AGENCY_ATTEST_IMPORT, "attest.import", R_ADMIN, ON_ACCOUNT, true, NO_RULE, NULL},
    {AGENCY_KEYS_ROTATE, "keys.rotate", R_ADMIN, ON_ACCOUNT, true, NO_RULE, NULL},
    {AGENCY_ACCOUNT_FREEZE, "account.freeze", R_ADMIN, ON_ACCOUNT, true, NO_RULE, NULL},
    {AGENCY_UNFREEZE_REQUEST, "account.unfreeze", R_ADMIN, ON_ACCOUNT, true, NO_RULE, NULL},
    /* two admins: SUBJECT is the requester (agency/security.c reads it in the same
     * transaction); the shell user is anonymous and may have made the request at the same
     * console, so it never approves */
    {AGENCY_UNFREEZE_APPROVE, "account.unfreeze.approve", R_ADMIN, ON_ACCOUNT, false, NOT_SELF,
     "the admin who asked to lift the freeze cannot approve it: a second admin must"},
    {AGENCY_ACCOUNT_LINK, "account.link", R_ADMIN, ON_ACCOUNT, true, NO_RULE, NULL},
    {AGENCY_MEDIA_GC, "media.gc", R_ADMIN, INSTANCE, true, NO_RULE, NULL},
    /* who votes is personal data of the voters: the roles that read the account's drafts */
    {AGENCY_POLL_RESULTS, "poll.results", R_ADMIN | R_EDITOR | R_APPROVER | R_AUDITOR,
     ON_ACCOUNT, true, NO_RULE, NULL},
    /* issue #12, the citizen desk: a case's ACCOUNT is its department (docs/desk.md) */
    {AGENCY_CASE_READ, "case.read", R_ADMIN | R_RESPONDER | R_AUDITOR, ON_ACCOUNT, true,
     NO_RULE, NULL},
    {AGENCY_CASE_HANDLE, "case.handle", R_ADMIN | R_RESPONDER, ON_ACCOUNT, true, NO_RULE, NULL},
    {AGENCY_CASE_ANSWER, "case.answer", R_RESPONDER, ON_ACCOUNT, true, NO_RULE, NULL},
    /* which department gets what is no secret inside the agency: responders of one
     * department see where cases go */
    {AGENCY_ROUTE_READ, "route.read", 0, ANY_OPERATOR, true, NO_RULE, NULL},
    {AGENCY_ROUTE_MANAGE, "route.manage", R_ADMIN, INSTANCE, true, NO_RULE, NULL},
    {AGENCY_DESK_SETTINGS, "desk.settings", R_ADMIN, ON_ACCOUNT, true, NO_RULE, NULL},
    {AGENCY_STATUS_READ, "status.read", 0, ANY_OPERATOR, true, NO_RULE, NULL},
    {AGENCY_REPORT_READ, "report.read", R_ADMIN | R_AUDITOR, ON_ACCOUNT, true, NO_RULE, NULL},
    {AGENCY_WEBHOOK_LIST, "webhook.list", R_ADMIN | R_AUDITOR, INSTANCE, true, NO_RULE, NULL},
    {AGENCY_WEBHOOK_MANAGE, "webhook.manage", R_ADMIN, INSTANCE, true, NO_RULE, NULL},
};

static const struct row *row_of(enum agency_action action)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].action == action)
            return &table[i];
    return NULL;
}

const char *agency_action_name(enum agency_action action)
{
    const struct row *r = row_of(action);

    return r ? r->name : "unknown";
}

static bool holds_one(struct store_txn *txn, const char *op, unsigned roles, const char *acc)
{
    for (size_t i = 0; i < sizeof role_names / sizeof role_names[0]; i++)
        if ((roles & (1u << i)) && agency_role_held(txn, op, role_names[i], acc))
            return true;
    return false;
}

/* "the admin role" / "one of the admin, auditor roles", for refusals. */
static void roles_text(unsigned roles, char *out, size_t cap)
{
    size_t n = 0, k = 0, used;

    for (size_t i = 0; i < sizeof role_names / sizeof role_names[0]; i++)
        n += (roles >> i) & 1u;
    used = (size_t)snprintf(out, cap, "%s", n > 1 ? "one of the " : "the ");
    for (size_t i = 0; i < sizeof role_names / sizeof role_names[0] && used < cap; i++)
        if (roles & (1u << i))
            used += (size_t)snprintf(out + used, cap - used, "%s%s", k++ ? ", " : "",
                                     role_names[i]);
    if (used < cap)
        snprintf(out + used, cap - used, " role%s", n > 1 ? "s" : "");
}

static int check_rule(struct store_txn *txn, const struct row *r, const char *op,
                      const char *account, const char *subject, struct hr_err *err)
{
    unsigned now = 0;
    uint64_t want;

    if (r->rule == NOT_SELF && subject != NULL && strcmp(subject, op) == 0)
        return hr_fail(err, HR_EFORBIDDEN, "%s", r->why);
    if (r->rule == ONLY_SELF && subject != NULL && strcmp(subject, op) != 0)
        return hr_fail(err, HR_EFORBIDDEN, "%s", r->why);
    if (r->rule == NOT_LOWER && subject != NULL && account != NULL &&
        hr_parse_u64(subject, 1000, &want) == HR_OK &&
        agency_approvals_required(txn, account, &now, NULL) == HR_OK && want < now)
        /* one token alone must not open a route around the four eyes */
        return hr_fail(err, HR_EFORBIDDEN, "%s", r->why);
    return HR_OK;
}

/* The shell user owns the data directory and may do anything but what four eyes forbid. */
static int local_refused(const struct row *r, const char *account, struct hr_err *err)
{
    char need[96];

    roles_text(r->roles, need, sizeof need);
    return hr_fail(err, HR_EFORBIDDEN,
                   "%s does not hold %s on %s: the local shell user is nobody's approver "
                   "(use --as OPERATOR)",
                   AGENCY_LOCAL, need, account ? account : "the instance");
}

int agency_may_txn(struct store_txn *txn, const char *op, enum agency_action action,
                   const char *account, const char *subject, struct hr_err *err)
{
    const struct row *r = row_of(action);
    const char *acc = r && r->scope == ON_ACCOUNT ? account : NULL;
    char need[96];

    if (r == NULL || op == NULL)
        return hr_fail(err, HR_EFORBIDDEN, "refused: unknown action");
    if (strcmp(op, AGENCY_LOCAL) == 0)
        return r->local ? HR_OK : local_refused(r, account, err);
    if (!agency_operator_active(txn, op))
        return hr_fail(err, HR_EFORBIDDEN, "operator '%s' is unknown or disabled", op);
    if (r->scope != ANY_OPERATOR && !holds_one(txn, op, r->roles, acc)) {
        roles_text(r->roles, need, sizeof need);
        return hr_fail(err, HR_EFORBIDDEN, "operator '%s' does not hold %s %s%s", op, need,
                       acc ? "on " : "instance-wide", acc ? acc : "");
    }
    return check_rule(txn, r, op, account, subject, err);
}

int agency_may(struct store *st, const char *op, enum agency_action action, const char *account,
               const char *subject, struct hr_err *err)
{
    struct store_txn *txn = NULL;
    int rc = store_txn_begin(st, STORE_READ, &txn, err);

    if (rc == HR_OK)
        rc = agency_may_txn(txn, op, action, account, subject, err);
    store_txn_abort(txn);
    return rc;
}
