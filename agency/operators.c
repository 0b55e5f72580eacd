/* agency/operators.c - people are operators with roles; accounts belong to the agency.
 * A role is granted per account or instance-wide ("*"). Disabling an operator (hand-over
 * when staff leave) kills their tokens at once and keeps their drafts, but is refused when
 * it would leave an account that could publish with nobody able to. */
#include "agency/agency_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const roles[] = {"admin", "editor", "approver", "responder", "auditor"};

bool agency_role_valid(const char *role)
{
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (role != NULL && strcmp(role, roles[i]) == 0)
            return true;
    return false;
}

bool agency_operator_active(struct store_txn *txn, const char *operator)
{
    json_t *o = NULL;
    bool ok = false;

    if (operator != NULL && agency_rec_json(txn, STORE_T_OPERATORS, operator, &o, NULL) == HR_OK)
        ok = !json_is_true(json_object_get(o, "disabled"));
    json_decref(o);
    return ok;
}

bool agency_role_held(struct store_txn *txn, const char *operator, const char *role,
                      const char *account)
{
    if (!agency_operator_active(txn, operator))
        return false;
    return store_grant_has(txn, operator, role, NULL) ||
           (account != NULL && store_grant_has(txn, operator, role, account));
}

bool agency_can(struct store *st, const char *operator, const char *role, const char *account)
{
    struct store_txn *txn = NULL;
    bool ok = false;

    if (store_txn_begin(st, STORE_READ, &txn, NULL) == HR_OK)
        ok = agency_role_held(txn, operator, role, account);
    store_txn_abort(txn);
    return ok;
}

struct op_change {
    const char *by, *name, *role, *account;
    bool on;
    struct hr_err *err;
    struct store_txn *txn_for_tokens;
};

static int add_txn(struct store_txn *txn, void *ctx)
{
    struct op_change *c = ctx;
    json_t *j = json_pack("{s:s,s:I,s:b}", "name", c->name, "created", (json_int_t)hr_now_ms(),
                          "disabled", 0);
    int rc = j ? agency_rec_put_json(txn, STORE_T_OPERATORS, c->name, j, STORE_NOOVERWRITE, c->err)
               : hr_fail(c->err, HR_ENOMEM, "operator");

    json_decref(j);
    if (rc == HR_EEXIST)
        return hr_fail(c->err, HR_EEXIST, "operator '%s' already exists", c->name);
    return rc == HR_OK ? agency_audit(txn, c->by, "operator.add", c->name, "", c->err) : rc;
}

int agency_operator_add(struct store *st, const char *by, const char *name, struct hr_err *err)
{
    struct op_change c = {.by = by, .name = name, .err = err};

    if (!hr_name_valid(name))
        return hr_fail(err, HR_EINVAL, "bad operator name '%.40s': use 1-30 of a-z, 0-9 and _",
                       name ? name : "");
    return agency_write(st, add_txn, &c, err);
}

/* Accounts that can publish now, so a revoke can be refused when it would strand one. */
struct strand_walk {
    struct store_txn *txn;
    char names[256][32];
    size_t n;
    char stranded[32];
};
static bool publishable(struct store_txn *txn, const char *account, const char *exclude);

static int publishable_now(const struct store_account *a, void *ctx)
{
    struct strand_walk *w = ctx;

    if (w->n < 256 && publishable(w->txn, a->name, NULL))
        snprintf(w->names[w->n++], 32, "%.31s", a->name);
    return HR_OK;
}

static bool stranded_any(struct strand_walk *w)
{
    for (size_t i = 0; i < w->n; i++)
        if (!publishable(w->txn, w->names[i], NULL)) {
            snprintf(w->stranded, sizeof w->stranded, "%s", w->names[i]);
            return true;
        }
    return false;
}

static int grant_txn(struct store_txn *txn, void *ctx)
{
    struct op_change *c = ctx;
    struct store_account a = {0};
    char target[200];
    int rc;

    if (!agency_operator_active(txn, c->name))
        return hr_fail(c->err, HR_ENOTFOUND, "no active operator named '%s'", c->name);
    if (c->account != NULL && store_account_get(txn, c->account, &a, c->err) != HR_OK)
        return HR_ENOTFOUND;
    store_account_fini(&a);
    struct strand_walk *w = c->on ? NULL : calloc(1, sizeof *w);
    if (w != NULL) {
        w->txn = txn;
        store_account_each(txn, publishable_now, w, NULL);
    }
    rc = c->on ? store_grant_put(txn, c->name, c->role, c->account, c->err)
               : store_grant_del(txn, c->name, c->role, c->account, NULL);
    if (rc == HR_OK && w != NULL && stranded_any(w))
        rc = hr_fail(c->err, HR_EFORBIDDEN,
                     "refused: without this role nobody could publish on '%s' (grant it to "
                     "someone else first)",
                     w->stranded);
    free(w);
    if (rc == HR_ENOTFOUND)
        return hr_fail(c->err, HR_ENOTFOUND, "%s does not hold %s on %s", c->name, c->role,
                       c->account ? c->account : "the instance");
    snprintf(target, sizeof target, "%s/%s@%s", c->name, c->role, c->account ? c->account : "*");
    return rc == HR_OK ? agency_audit(txn, c->by, c->on ? "role.grant" : "role.revoke", target,
                                      "", c->err)
                       : rc;
}

static int change_grant(struct store *st, struct op_change *c)
{
    if (!agency_role_valid(c->role))
        return hr_fail(c->err, HR_EINVAL,
                       "unknown role '%.20s': use admin, editor, approver, responder or auditor",
                       c->role ? c->role : "");
    if (!hr_name_valid(c->name) || (c->account != NULL && !hr_name_valid(c->account)))
        return hr_fail(c->err, HR_EINVAL, "bad operator or account name");
    return agency_write(st, grant_txn, c, c->err);
}

int agency_grant(struct store *st, const char *by, const char *operator, const char *role,
                 const char *account, struct hr_err *err)
{
    struct op_change c = {.by = by, .name = operator, .role = role, .account = account,
                          .on = true, .err = err};
    return change_grant(st, &c);
}

int agency_revoke(struct store *st, const char *by, const char *operator, const char *role,
                  const char *account, struct hr_err *err)
{
    struct op_change c = {.by = by, .name = operator, .role = role, .account = account,
                          .on = false, .err = err};
    return change_grant(st, &c);
}

/* ---- who can still get a post of an account published ---- */
#define MAX_PEOPLE 256

struct people {
    const char *account, *exclude;
    struct store_txn *txn;
    char editors[MAX_PEOPLE][32], approvers[MAX_PEOPLE][32];
    size_t n_editors, n_approvers;
};

static int people_cb(const char *op, const char *role, const char *scope, void *ctx)
{
    struct people *p = ctx;

    if (strcmp(scope, "*") != 0 && strcmp(scope, p->account) != 0)
        return HR_OK;
    if ((p->exclude && strcmp(op, p->exclude) == 0) || !agency_operator_active(p->txn, op))
        return HR_OK;
    if (strcmp(role, "editor") == 0 && p->n_editors < MAX_PEOPLE)
        snprintf(p->editors[p->n_editors++], 32, "%.31s", op);
    if (strcmp(role, "approver") == 0 && p->n_approvers < MAX_PEOPLE)
        snprintf(p->approvers[p->n_approvers++], 32, "%.31s", op);
    return HR_OK;
}

/* Some editor has enough approvers other than themself (four eyes: never their own). */
static bool publishable(struct store_txn *txn, const char *account, const char *exclude)
{
    struct people *p = calloc(1, sizeof *p);
    unsigned need = 0;
    bool ok = false;

    if (p == NULL || agency_approvals_required(txn, account, &need, NULL) != HR_OK) {
        free(p);
        return true; /* cannot tell: do not block the hand-over on it */
    }
    p->account = account;
    p->exclude = exclude;
    p->txn = txn;
    store_grant_each(txn, NULL, people_cb, p, NULL);
    for (size_t e = 0; e < p->n_editors && !ok; e++) {
        size_t others = 0;
        for (size_t a = 0; a < p->n_approvers; a++)
            others += strcmp(p->approvers[a], p->editors[e]) != 0;
        ok = others >= need;
    }
    free(p);
    return ok;
}

struct disable_walk {
    struct store_txn *txn;
    const char *name;
    char blocked[32];
};

static int check_account(const struct store_account *a, void *ctx)
{
    struct disable_walk *w = ctx;

    if (publishable(w->txn, a->name, NULL) && !publishable(w->txn, a->name, w->name)) {
        snprintf(w->blocked, sizeof w->blocked, "%s", a->name);
        return HR_EFORBIDDEN;
    }
    return HR_OK;
}

static int revoke_tokens_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct op_change *c = ctx;
    json_t *t = json_loadb(v, vlen, 0, NULL);
    char key[80];
    int rc = HR_OK;

    if (t != NULL && klen < sizeof key &&
        json_is_string(json_object_get(t, "operator")) &&
        strcmp(json_string_value(json_object_get(t, "operator")), c->name) == 0 &&
        !json_is_true(json_object_get(t, "revoked"))) {
        memcpy(key, k, klen);
        key[klen] = '\0';
        json_object_set_new(t, "revoked", json_true());
        rc = agency_rec_put_json(c->txn_for_tokens, STORE_T_TOKENS, key, t, 0, c->err);
    }
    json_decref(t);
    return rc;
}

static int disable_txn(struct store_txn *txn, void *ctx)
{
    struct op_change *c = ctx;
    struct disable_walk w = {.txn = txn, .name = c->name};
    json_t *o = NULL;
    int rc = agency_rec_json(txn, STORE_T_OPERATORS, c->name, &o, c->err);

    if (rc == HR_ENOTFOUND)
        return hr_fail(c->err, HR_ENOTFOUND, "no operator named '%s'", c->name);
    if (rc == HR_OK && json_is_true(json_object_get(o, "disabled")))
        rc = hr_fail(c->err, HR_EEXIST, "operator '%s' is already disabled", c->name);
    if (rc == HR_OK && store_account_each(txn, check_account, &w, NULL) == HR_EFORBIDDEN)
        rc = hr_fail(c->err, HR_EFORBIDDEN,
                     "refused: %s is needed to publish on '%s' (grant editor/approver to "
                     "someone else first)",
                     c->name, w.blocked);
    if (rc == HR_OK) {
        json_object_set_new(o, "disabled", json_true());
        json_object_set_new(o, "disabled_at", json_integer(hr_now_ms()));
        rc = agency_rec_put_json(txn, STORE_T_OPERATORS, c->name, o, 0, c->err);
    }
    c->txn_for_tokens = txn;
    if (rc == HR_OK) /* hand-over: their tokens die with the same commit */
        rc = store_rec_each(txn, STORE_T_TOKENS, NULL, 0, false, revoke_tokens_cb, c, c->err);
    if (rc == HR_OK)
        rc = agency_audit(txn, c->by, "operator.disable", c->name, "", c->err);
    json_decref(o);
    return rc;
}

int agency_operator_disable(struct store *st, const char *by, const char *name, struct hr_err *err)
{
    struct op_change c = {.by = by, .name = name, .err = err};

    if (!hr_name_valid(name))
        return hr_fail(err, HR_EINVAL, "bad operator name");
    return agency_write(st, disable_txn, &c, err);
}

struct each_walk {
    struct store_txn *txn;
    int (*cb)(const struct agency_operator *o, void *ctx);
    void *ctx;
};

/* One operator's grants -> "role@scope role@scope". */
static int roles_cb(const char *op, const char *role, const char *scope, void *ctx)
{
    struct agency_operator *o = ctx;
    size_t used = strlen(o->roles);

    (void)op;
    snprintf(o->roles + used, sizeof o->roles - used, "%s%s@%s", used ? " " : "", role, scope);
    return HR_OK;
}

static int op_cb(const void *k, size_t klen, const void *v, size_t vlen, void *ctx)
{
    struct each_walk *w = ctx;
    struct agency_operator o = {0};
    json_t *j = json_loadb(v, vlen, 0, NULL);
    int rc;

    if (j == NULL || klen >= sizeof o.name)
        return HR_EIO;
    memcpy(o.name, k, klen);
    o.disabled = json_is_true(json_object_get(j, "disabled"));
    o.created_ms = json_integer_value(json_object_get(j, "created"));
    json_decref(j);
    rc = store_grant_each(w->txn, o.name, roles_cb, &o, NULL);
    return rc == HR_OK ? w->cb(&o, w->ctx) : rc;
}

int agency_operator_each(struct store *st, int (*cb)(const struct agency_operator *o, void *ctx),
                         void *ctx, struct hr_err *err)
{
    struct each_walk w = {.cb = cb, .ctx = ctx};
    int rc = store_txn_begin(st, STORE_READ, &w.txn, err);

    if (rc == HR_OK)
        rc = store_rec_each(w.txn, STORE_T_OPERATORS, NULL, 0, false, op_cb, &w, err);
    store_txn_abort(w.txn);
    return rc == HR_EIO ? hr_fail(err, HR_EIO, "operators: corrupt record") : rc;
}
