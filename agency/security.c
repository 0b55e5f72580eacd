/* agency/security.c - an account's keys and its freeze. Rotation replaces both key pairs
 * and keeps the old Ed25519 public key listed as superseded, so posts proven before the
 * rotation still verify and nothing proven after it by the old key does. A freeze (a
 * suspected hijack) stops publishing and deliveries but keeps the followers; lifting it
 * takes two admins, so one stolen admin token cannot undo it. Profile keys:
 * "ed25519_key_id", "ed25519_superseded", "frozen" (docs/storage.md). */
#include "agency/agency_int.h"
#include "federation/fed.h"
#include "keys/keys.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REASON_MAX 500

/* One change to one account, in one write transaction: loaded whole (the record is
 * rewritten with its private keys), its profile parsed. */
struct acct_edit {
    struct store_txn *txn;
    struct store_account a;
    json_t *profile;
};

static int edit_begin(struct store *st, const char *name, struct acct_edit *e, struct hr_err *err)
{
    int rc = store_txn_begin(st, STORE_WRITE, &e->txn, err);

    if (rc == HR_OK)
        rc = store_account_get_private(e->txn, name, &e->a, err);
    if (rc == HR_OK) {
        e->profile = json_loads(e->a.profile ? e->a.profile : "{}", 0, NULL);
        if (!json_is_object(e->profile))
            rc = hr_fail(err, HR_EIO, "account %s: stored profile is not a JSON object", name);
    }
    return rc;
}

/* HR_ENOTFOUND (with the message) when there is no account NAME. */
static int account_exists(struct store *st, const char *name, struct hr_err *err)
{
    struct store_account a = {0};
    struct store_txn *txn = NULL;
    int rc = store_txn_begin(st, STORE_READ, &txn, err);

    if (rc == HR_OK)
        rc = store_account_get(txn, name, &a, err);
    store_txn_abort(txn);
    store_account_fini(&a);
    return rc;
}

/* Stores the account with its edited profile, audits ACTION and, with FED, queues
 * Update(actor) (signed with the keys just stored); commits. */
static int edit_commit(struct acct_edit *e, struct fed *fed, const char *by, const char *action,
                       const char *details, struct hr_err *err)
{
    char *text = json_dumps(e->profile, JSON_COMPACT | JSON_SORT_KEYS);
    int rc = text ? HR_OK : hr_fail(err, HR_ENOMEM, "profile");

    if (rc == HR_OK) {
        free(e->a.profile);
        e->a.profile = text;
        rc = store_account_put(e->txn, &e->a, err);
    }
    if (rc == HR_OK)
        rc = agency_audit(e->txn, by, action, e->a.name, details, err);
    if (rc == HR_OK && fed != NULL)
        rc = fed_actor_update_queue(fed, e->txn, e->a.name, err);
    if (rc == HR_OK) {
        rc = store_txn_commit(e->txn, err);
        e->txn = NULL;
    }
    return rc;
}

static void edit_end(struct acct_edit *e)
{
    store_txn_abort(e->txn);
    json_decref(e->profile);
    store_account_fini(&e->a);
}

/* ---- rotation ---- */

struct new_keys {
    char *rsa_priv, *rsa_pub, *ed_priv, *ed_pub;
};

static void new_keys_fini(struct new_keys *k)
{
    keys_secret_free(k->rsa_priv);
    keys_secret_free(k->ed_priv);
    free(k->rsa_pub);
    free(k->ed_pub);
    memset(k, 0, sizeof *k);
}

static bool fragment_used(const json_t *profile, const char *current, const char *frag)
{
    const json_t *old;
    size_t i;

    if (strcmp(current, frag) == 0)
        return true;
    json_array_foreach(json_object_get(profile, "ed25519_superseded"), i, old)
    {
        const char *id = json_string_value(json_object_get(old, "id"));
        if (id != NULL && strcmp(id, frag) == 0)
            return true;
    }
    return false;
}

/* The next key id: never one this account used before, or a verifier holding an old
 * proof would check it against the new key. */
static void next_fragment(const json_t *profile, const char *current, char out[128])
{
    size_t n = json_array_size(json_object_get(profile, "ed25519_superseded")) + 2;

    do
        snprintf(out, 128, FED_ED_KEY_FRAGMENT "-%zu", n++);
    while (fragment_used(profile, current, out));
}

/* The old Ed25519 key joins "ed25519_superseded"; the new one becomes current. */
static int supersede(struct acct_edit *e, const char *current, const char *next, int64_t now)
{
    json_t *list = json_object_get(e->profile, "ed25519_superseded");
    json_t *old = json_pack("{s:s,s:s,s:I}", "id", current, "publicKeyMultibase",
                            e->a.ed_pub_multibase, "superseded_ms", (json_int_t)now);

    if (old == NULL)
        return HR_ENOMEM;
    if (!json_is_array(list)) {
        list = json_array();
        if (list == NULL || json_object_set_new(e->profile, "ed25519_superseded", list) != 0) {
            json_decref(old);
            return HR_ENOMEM;
        }
    }
    if (json_array_append_new(list, old) != 0)
        return HR_ENOMEM;
    return json_object_set_new(e->profile, "ed25519_key_id", json_string(next)) == 0 ? HR_OK
                                                                                     : HR_ENOMEM;
}

/* Swaps the new keys into the account (K then holds the old ones, wiped by its fini). */
static void keys_swap(struct store_account *a, struct new_keys *k)
{
    char *t;

    t = a->rsa_priv_pem, a->rsa_priv_pem = k->rsa_priv, k->rsa_priv = t;
    t = a->rsa_pub_pem, a->rsa_pub_pem = k->rsa_pub, k->rsa_pub = t;
    t = a->ed_priv_pem, a->ed_priv_pem = k->ed_priv, k->ed_priv = t;
    t = a->ed_pub_multibase, a->ed_pub_multibase = k->ed_pub, k->ed_pub = t;
}

static int rotate_in(struct acct_edit *e, struct new_keys *k, char next[128], struct hr_err *err)
{
    char current[128];

    fed_ed_key_fragment(e->a.profile, current, sizeof current);
    next_fragment(e->profile, current, next);
    if (supersede(e, current, next, hr_now_ms()) != HR_OK)
        return hr_fail(err, HR_ENOMEM, "rotation");
    keys_swap(&e->a, k);
    return HR_OK;
}

int agency_keys_rotate(struct store *st, struct fed *fed, const char *by, const char *name,
                       char key_id[128], struct hr_err *err)
{
    struct acct_edit e = {0};
    struct new_keys k = {0};
    char next[128] = "", details[200];
    int rc = agency_may(st, by, AGENCY_KEYS_ROTATE, name, NULL, err);

    /* an unknown account is refused before the slow part */
    if (rc == HR_OK)
        rc = account_exists(st, name, err);
    /* generated before the transaction: slow, and the writer lock is shared */
    if (rc == HR_OK)
        rc = keys_rsa_generate(&k.rsa_priv, &k.rsa_pub, err);
    if (rc == HR_OK)
        rc = keys_ed25519_generate(&k.ed_priv, &k.ed_pub, err);
    if (rc == HR_OK)
        rc = edit_begin(st, name, &e, err);
    if (rc == HR_OK)
        rc = rotate_in(&e, &k, next, err);
    if (rc == HR_OK) {
        snprintf(details, sizeof details, "rsa and ed25519 replaced; ed25519 key id %s", next);
        rc = edit_commit(&e, fed, by, "keys.rotate", details, err);
    }
    if (rc == HR_OK && fed != NULL) { /* this process's deliveries sign with the new key */
        fed_account_key_check(fed, name, e.a.rsa_pub_pem);
        fed_wake(fed);
    }
    if (rc == HR_OK && key_id != NULL)
        snprintf(key_id, 128, "%s", next);
    new_keys_fini(&k);
    edit_end(&e);
    return rc;
}

/* ---- freeze ---- */

int agency_frozen_refuse(struct store_txn *txn, const char *name, struct hr_err *err)
{
    struct store_account a = {0};
    int64_t since = 0;
    char when[32];

    if (store_account_get(txn, name, &a, NULL) == HR_OK)
        since = fed_frozen_since(a.profile);
    store_account_fini(&a);
    if (since == 0)
        return HR_OK;
    hr_iso8601(since, when);
    return hr_fail(err, HR_EFORBIDDEN,
                   "account '%s' is frozen since %s: nothing is published until two admins "
                   "lift the freeze (herald account unfreeze)",
                   name, when);
}

static int check_reason(const char *reason, struct hr_err *err)
{
    size_t n = reason ? strlen(reason) : 0;

    if (n == 0)
        return hr_fail(err, HR_EINVAL, "a reason is required (--reason TEXT)");
    if (n > REASON_MAX)
        return hr_fail(err, HR_EINVAL, "the reason is longer than %d bytes", REASON_MAX);
    if (!hr_utf8_valid(reason, n) || strpbrk(reason, "\r\n") != NULL)
        return hr_fail(err, HR_EINVAL, "the reason must be one line of UTF-8 text");
    return HR_OK;
}

int agency_account_freeze(struct store *st, struct fed *fed, const char *by, const char *name,
                          const char *reason, struct hr_err *err)
{
    struct acct_edit e = {0};
    json_t *f = NULL;
    int rc = check_reason(reason, err);

    if (rc == HR_OK)
        rc = agency_may(st, by, AGENCY_ACCOUNT_FREEZE, name, NULL, err);
    if (rc == HR_OK)
        rc = edit_begin(st, name, &e, err);
    if (rc == HR_OK && json_object_get(e.profile, "frozen") != NULL)
        rc = hr_fail(err, HR_EEXIST, "account '%s' is frozen already", name);
    if (rc == HR_OK) {
        f = json_pack("{s:s,s:I,s:s}", "reason", reason, "since_ms", (json_int_t)hr_now_ms(), "by",
                      by);
        if (f == NULL || json_object_set_new(e.profile, "frozen", f) != 0)
            rc = hr_fail(err, HR_ENOMEM, "freeze");
    }
    if (rc == HR_OK)
        rc = agency_schedule_hold(e.txn, name, true, err);
    /* the Update(actor) queued here is the one job of a frozen account that goes out: it
     * carries the notice (federation/security.c) */
    if (rc == HR_OK)
        rc = edit_commit(&e, fed, by, "account.freeze", reason, err);
    if (rc == HR_OK && fed != NULL)
        fed_wake(fed);
    edit_end(&e);
    return rc;
}

/* The first admin's request: recorded in the freeze, audited, nothing else changes. */
static int unfreeze_request(struct acct_edit *e, const char *by, json_t *f, struct hr_err *err)
{
    const char *who = json_string_value(json_object_get(f, "unfreeze_by"));

    if (who != NULL)
        return hr_fail(err, HR_EEXIST,
                       "lifting the freeze of '%s' was requested by %s already: a second "
                       "admin approves with herald account unfreeze %s --approve",
                       e->a.name, who, e->a.name);
    if (json_object_set_new(f, "unfreeze_by", json_string(by)) != 0 ||
        json_object_set_new(f, "unfreeze_ms", json_integer(hr_now_ms())) != 0)
        return hr_fail(err, HR_ENOMEM, "unfreeze");
    return edit_commit(e, NULL, by, "account.unfreeze.request", "awaiting a second admin", err);
}

/* The second admin lifts the freeze: the held deliveries are due now, followers learn. */
static int unfreeze_approve(struct acct_edit *e, struct fed *fed, const char *by, json_t *f,
                            size_t *resumed, struct hr_err *err)
{
    const char *who = json_string_value(json_object_get(f, "unfreeze_by"));
    char details[200];
    int rc;

    if (who == NULL)
        return hr_fail(err, HR_EINVAL,
                       "nobody asked to lift the freeze of '%s': one admin runs herald account "
                       "unfreeze %s, then a second admin approves",
                       e->a.name, e->a.name);
    rc = agency_may_txn(e->txn, by, AGENCY_UNFREEZE_APPROVE, e->a.name, who, err);
    snprintf(details, sizeof details, "requested by %s", who);
    if (rc == HR_OK)
        rc = fed_deliveries_resume(e->txn, e->a.name, resumed, err);
    if (rc == HR_OK)
        rc = agency_schedule_hold(e->txn, e->a.name, false, err);
    if (rc == HR_OK && json_object_del(e->profile, "frozen") != 0)
        rc = hr_fail(err, HR_EINTERNAL, "unfreeze");
    if (rc == HR_OK)
        rc = edit_commit(e, fed, by, "account.unfreeze", details, err);
    return rc;
}

int agency_account_unfreeze(struct store *st, struct fed *fed, const char *by, const char *name,
                            bool approve, size_t *resumed, struct hr_err *err)
{
    struct acct_edit e = {0};
    json_t *f = NULL;
    size_t n = 0;
    int rc = agency_may(st, by, approve ? AGENCY_UNFREEZE_APPROVE : AGENCY_UNFREEZE_REQUEST, name,
                        NULL, err);

    if (rc == HR_OK)
        rc = edit_begin(st, name, &e, err);
    if (rc == HR_OK && !json_is_object(f = json_object_get(e.profile, "frozen")))
        rc = hr_fail(err, HR_EINVAL, "account '%s' is not frozen", name);
    if (rc == HR_OK)
        rc = approve ? unfreeze_approve(&e, fed, by, f, &n, err) : unfreeze_request(&e, by, f, err);
    if (rc == HR_OK && approve && fed != NULL)
        fed_wake(fed);
    if (rc == HR_OK && resumed != NULL)
        *resumed = n;
    edit_end(&e);
    return rc;
}
