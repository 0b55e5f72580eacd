/* federation/kinds_check.c - does a remote parent list the account that names it? The
 * parent's actor and its matrix (its "accounts" collection, on the parent's own origin)
 * are read with every outbound guard (fed_fetch_doc), when the parent is set and daily;
 * the answer goes to the profile ("parent_confirmed_ms", "parent_checked_ms",
 * "parent_name") and the followers get Update(actor) when what the actor shows changed.
 * An unreachable parent keeps the last answer: an outage is not a denial. */
#include "federation/fed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KINDS_RECHECK_MS 86400000LL /* a remote parent's matrix is read again daily */
#define KINDS_SCAN_MS    10000LL    /* how often the scheduler looks for due checks */
#define KINDS_SCAN_BATCH 16         /* remote parents checked per scan at most */
#define KINDS_NAME_MAX   200        /* bytes of a remote parent's name we keep */

static bool same(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

struct check_result {
    bool reached; /* both documents were read */
    bool listed;  /* the matrix lists our actor */
    char name[KINDS_NAME_MAX + 1];
};

static bool item_is(const json_t *item, const char *actor)
{
    const char *id = json_is_string(item) ? json_string_value(item)
                                          : json_string_value(json_object_get(item, "id"));

    return id != NULL && strcmp(id, actor) == 0;
}

/* Only the first document of the matrix is read (Herald's is never paged). */
static bool matrix_lists(const json_t *matrix, const char *actor)
{
    static const char *const keys[] = {"orderedItems", "items"};
    const json_t *item;
    size_t i;

    for (size_t k = 0; k < 2; k++)
        json_array_foreach(json_object_get(matrix, keys[k]), i,
                           item) if (item_is(item, actor)) return true;
    return false;
}

/* The parent's name: text we only ever escape, cut at a character boundary. */
static void keep_name(const json_t *parent, char out[KINDS_NAME_MAX + 1])
{
    const char *n = json_string_value(json_object_get(parent, "name"));
    size_t len = n ? strlen(n) : 0;

    out[0] = '\0';
    if (len > KINDS_NAME_MAX)
        len = KINDS_NAME_MAX;
    while (len > 0 && ((unsigned char)n[len] & 0xC0) == 0x80)
        len--;
    if (n != NULL && hr_utf8_valid(n, len)) {
        memcpy(out, n, len);
        out[len] = '\0';
    }
}

static int fetch_check(struct fed *fed, const char *parent, const char *actor,
                       struct check_result *r, struct hr_err *err)
{
    json_t *doc = NULL, *matrix = NULL;
    const char *url;
    int rc = fed_fetch_doc(fed, parent, fed->cfg.fetch_timeout_ms, &doc, err);

    if (rc == HR_OK) {
        keep_name(doc, r->name);
        url = json_string_value(json_object_get(doc, "accounts"));
        /* the parent's word only counts from the parent's own origin */
        if (url == NULL || !fed_same_origin(url, parent))
            rc = hr_fail(err, HR_EINVAL, "%s publishes no account matrix on its origin", parent);
    }
    if (rc == HR_OK)
        rc = fed_fetch_doc(fed, url, fed->cfg.fetch_timeout_ms, &matrix, err);
    if (rc == HR_OK) {
        r->reached = true;
        r->listed = matrix_lists(matrix, actor);
    }
    json_decref(doc);
    json_decref(matrix);
    return rc;
}

/* Writes R into PROFILE; true when what the actor shows changed. */
static bool record(json_t *profile, const struct check_result *r, int64_t now_ms)
{
    bool was = json_integer_value(json_object_get(profile, "parent_confirmed_ms")) > 0;
    const char *old = json_string_value(json_object_get(profile, "parent_name"));
    bool changed = false;

    json_object_set_new(profile, "parent_checked_ms", json_integer(now_ms));
    if (!r->reached)
        return false;
    if (r->listed && !was)
        json_object_set_new(profile, "parent_confirmed_ms", json_integer(now_ms));
    if (!r->listed && was)
        json_object_del(profile, "parent_confirmed_ms");
    changed = r->listed != was;
    if (r->name[0] != '\0' && (old == NULL || strcmp(old, r->name) != 0)) {
        json_object_set_new(profile, "parent_name", json_string(r->name));
        changed = true;
    }
    return changed;
}

/* Stores R for NAME, unless its parent changed meanwhile (that change starts a new check). */
static int store_result(struct fed *fed, const char *name, const char *parent,
                        const struct check_result *r, int64_t now_ms, struct hr_err *err)
{
    struct store_account a = {0};
    struct store_txn *txn = NULL;
    json_t *profile = NULL;
    char *text = NULL;
    bool changed = false;
    int rc = store_txn_begin(fed->st, STORE_WRITE, &txn, err);

    if (rc == HR_OK)
        rc = store_account_get_private(txn, name, &a, err);
    if (rc == HR_OK)
        profile = json_loads(a.profile ? a.profile : "{}", 0, NULL);
    if (rc == HR_OK && !same(json_string_value(json_object_get(profile, "parent")), parent))
        rc = HR_EEXIST;
    if (rc == HR_OK) {
        changed = record(profile, r, now_ms);
        text = json_dumps(profile, JSON_COMPACT | JSON_SORT_KEYS);
        free(a.profile);
        a.profile = text;
        rc = text ? store_account_put(txn, &a, err) : hr_fail(err, HR_ENOMEM, "profile");
    }
    if (rc == HR_OK && changed)
        rc = fed_actor_update_queue(fed, txn, name, err);
    if (rc == HR_OK) {
        rc = store_txn_commit(txn, err);
        txn = NULL;
    }
    store_txn_abort(txn);
    json_decref(profile);
    store_account_fini(&a);
    return rc == HR_EEXIST ? HR_OK : rc;
}

int fed_parent_check(struct fed *fed, const char *name, int64_t now_ms, struct hr_err *err)
{
    struct store_account a = {0};
    struct store_txn *txn = NULL;
    struct check_result r = {0};
    struct hr_err ferr = {0};
    json_t *profile = NULL;
    char parent[600] = "", actor[600];
    int rc = store_txn_begin(fed->st, STORE_READ, &txn, err);

    if (rc == HR_OK)
        rc = store_account_get(txn, name, &a, err);
    store_txn_abort(txn);
    if (rc == HR_OK) {
        profile = json_loads(a.profile ? a.profile : "{}", 0, NULL);
        const char *p = json_string_value(json_object_get(profile, "parent"));
        snprintf(parent, sizeof parent, "%s", p ? p : "");
    }
    json_decref(profile);
    store_account_fini(&a);
    if (rc != HR_OK || (strncmp(parent, "https://", 8) != 0 && strncmp(parent, "http://", 7) != 0))
        return rc; /* a local parent is decided when the actor is built */
    fed_actor_url(fed, name, actor, sizeof actor);
    if (fetch_check(fed, parent, actor, &r, &ferr) != HR_OK)
        hr_log(HR_LOG_WARN, "kinds", "parent check account=%s parent=%s failed: %s", name, parent,
               ferr.msg);
    rc = store_result(fed, name, parent, &r, now_ms, err);
    if (rc == HR_OK && r.reached)
        hr_log(HR_LOG_INFO, "kinds", "parent check account=%s parent=%s listed=%d", name, parent,
               (int)r.listed);
    return rc;
}

/* Accounts whose remote parent was never checked, or not for a day. */
struct due_walk {
    int64_t now_ms;
    char names[KINDS_SCAN_BATCH][32];
    size_t n;
};

static int due_one(const struct store_account *a, void *ctx)
{
    struct due_walk *w = ctx;
    json_t *profile = json_loads(a->profile ? a->profile : "{}", 0, NULL);
    const char *parent = json_string_value(json_object_get(profile, "parent"));
    json_int_t checked = json_integer_value(json_object_get(profile, "parent_checked_ms"));

    if (w->n < KINDS_SCAN_BATCH && parent != NULL &&
        (strncmp(parent, "https://", 8) == 0 || strncmp(parent, "http://", 7) == 0) &&
        (checked <= 0 || w->now_ms - checked >= KINDS_RECHECK_MS))
        snprintf(w->names[w->n++], sizeof w->names[0], "%s", a->name);
    json_decref(profile);
    return HR_OK;
}

void fed_kinds_recheck(struct fed *fed, int64_t now_ms)
{
    struct due_walk *w;
    struct store_txn *txn = NULL;
    struct hr_err err = {0};

    if (now_ms < fed->kinds_scan_ms)
        return;
    fed->kinds_scan_ms = now_ms + KINDS_SCAN_MS;
    w = calloc(1, sizeof *w);
    if (w == NULL)
        return;
    w->now_ms = now_ms;
    if (store_txn_begin(fed->st, STORE_READ, &txn, NULL) == HR_OK)
        store_account_each(txn, due_one, w, NULL);
    store_txn_abort(txn);
    for (size_t i = 0; i < w->n; i++)
        if (fed_parent_check(fed, w->names[i], now_ms, &err) != HR_OK)
            hr_log(HR_LOG_WARN, "kinds", "parent check account=%s: %s", w->names[i], err.msg);
    free(w);
}
