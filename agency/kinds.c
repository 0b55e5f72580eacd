/* agency/kinds.c - the rules of account kinds (issue #9 item 3): an official names the
 * agency it belongs to, a department its parent; a service and an agency may name one.
 * A parent is a local account of a fitting kind or a remote actor URL, never the account
 * itself nor one of its own descendants. An agency or a department also lists remote
 * accounts an admin links to it (herald account link). What peers see of it:
 * federation/kinds.c. */
#include "agency/agency_int.h"
#include "federation/fed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KINDS_DEPTH_MAX  32  /* parent chain walked for a cycle; deeper counts as one */
#define KINDS_URL_MAX    500 /* bytes of a remote actor URL */
#define KINDS_LINKED_MAX 500 /* remote accounts linked to one parent */
#define KINDS_CHILDREN_MAX 10000 /* local accounts renamed with their parent */

static const struct kind_rule {
    const char *kind;
    bool required;
    const char *parents[2]; /* the kinds a local parent may be */
    const char *option;     /* how the CLI names it */
    const char *what;       /* "an official's agency" */
} rules[] = {
    {"agency", false, {"agency", NULL}, "--parent", "an agency's parent"},
    {"department", true, {"agency", "department"}, "--parent", "a department's parent"},
    {"official", true, {"agency", NULL}, "--agency", "an official's agency"},
    {"service", false, {"agency", "department"}, "--parent", "a service's parent"},
};

static const struct kind_rule *rule_of(const char *kind)
{
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (kind != NULL && strcmp(rules[i].kind, kind) == 0)
            return &rules[i];
    return NULL;
}

bool agency_parent_is_url(const char *value)
{
    return value != NULL &&
           (strncmp(value, "https://", 8) == 0 || strncmp(value, "http://", 7) == 0);
}

static int check_url(const struct kind_rule *r, const char *url, struct hr_err *err)
{
    struct hr_err uerr = {0};

    if (strlen(url) > KINDS_URL_MAX || fed_url_valid(url, &uerr) != HR_OK)
        return hr_fail(err, HR_EINVAL, "%s '%.80s' is not a valid http(s) actor URL", r->what, url);
    return HR_OK;
}

/* The local parent named by account A's profile, or "" (none, or a remote one). */
static int parent_of(struct store_txn *txn, const char *name, char out[32], struct hr_err *err)
{
    struct store_account a = {0};
    json_t *profile = NULL;
    const char *p;
    int rc = store_account_get(txn, name, &a, err);

    out[0] = '\0';
    if (rc == HR_OK)
        profile = json_loads(a.profile ? a.profile : "{}", 0, NULL);
    p = json_string_value(json_object_get(profile, "parent"));
    if (p != NULL && hr_name_valid(p))
        snprintf(out, 32, "%s", p);
    json_decref(profile);
    store_account_fini(&a);
    return rc;
}

/* NAME would be its own ancestor: PARENT is NAME or has NAME above it. */
static int check_cycle(struct store_txn *txn, const char *name, const char *parent,
                       struct hr_err *err)
{
    char at[32], up[32];

    snprintf(at, sizeof at, "%s", parent);
    for (int depth = 0; at[0] != '\0'; depth++) {
        if (strcmp(at, name) == 0 || depth >= KINDS_DEPTH_MAX)
            return hr_fail(err, HR_EINVAL,
                           "'%s' cannot be under '%s': '%s' is already above "
                           "'%s' (a cycle)",
                           name, parent, name, parent);
        if (parent_of(txn, at, up, err) != HR_OK)
            return hr_fail(err, HR_EIO, "parent chain of '%s' is broken", name);
        memcpy(at, up, sizeof at);
    }
    return HR_OK;
}

static int check_local(struct store_txn *txn, const struct kind_rule *r, const char *name,
                       const char *parent, struct hr_err *err)
{
    struct store_account p = {0};
    int rc;

    if (!hr_name_valid(parent))
        return hr_fail(err, HR_EINVAL,
                       "%s '%.80s' is neither a local account name nor an "
                       "http(s) actor URL",
                       r->what, parent);
    if (name != NULL && strcmp(name, parent) == 0)
        return hr_fail(err, HR_EINVAL, "an account cannot be its own parent");
    rc = store_account_get(txn, parent, &p, NULL);
    if (rc == HR_ENOTFOUND)
        return hr_fail(err, HR_EINVAL,
                       "%s '%s' is no local account (an account on another "
                       "server is named by its actor URL)",
                       r->what, parent);
    if (rc == HR_OK && strcmp(p.kind, r->parents[0]) != 0 &&
        (r->parents[1] == NULL || strcmp(p.kind, r->parents[1]) != 0))
        rc = hr_fail(err, HR_EINVAL, "%s must be of kind %s%s%s, and '%s' is of kind %s", r->what,
                     r->parents[0], r->parents[1] ? " or " : "", r->parents[1] ? r->parents[1] : "",
                     parent, p.kind);
    else if (rc != HR_OK)
        rc = hr_fail(err, HR_EIO, "cannot read account '%s'", parent);
    store_account_fini(&p);
    if (rc == HR_OK && name != NULL)
        rc = check_cycle(txn, name, parent, err);
    return rc;
}

int agency_parent_check(struct store_txn *txn, const char *name, const char *kind,
                        const char *parent, struct hr_err *err)
{
    const struct kind_rule *r = rule_of(kind);

    if (r == NULL)
        return hr_fail(err, HR_EINVAL, "unknown kind '%.20s'", kind ? kind : "");
    if (parent == NULL || parent[0] == '\0')
        return r->required ? hr_fail(err, HR_EINVAL,
                                     "%s must be named (%s NAME_OR_ACTOR_URL): a "
                                     "local account or a remote actor URL",
                                     r->what, r->option)
                           : HR_OK;
    if (agency_parent_is_url(parent))
        return check_url(r, parent, err);
    if (strstr(parent, "://") != NULL)
        return hr_fail(err, HR_EINVAL, "%s '%.80s' is not an http(s) URL", r->what, parent);
    return check_local(txn, r, name, parent, err);
}

/* PROFILE's "parent_name": local account NAME's display name (or its name), so that a
 * child's actor document depends on its own record only (the actor cache compares it). */
static int name_keep(struct store_txn *txn, const char *name, json_t *profile,
                     struct hr_err *err)
{
    struct store_account a = {0};
    int rc = store_account_get(txn, name, &a, err);

    if (rc == HR_OK && json_object_set_new(profile, "parent_name",
                                           json_string(a.display_name[0] ? a.display_name
                                                                         : a.name)) != 0)
        rc = hr_fail(err, HR_ENOMEM, "profile");
    store_account_fini(&a);
    return rc;
}

/* profile.c's "parent" row: a new parent starts unconfirmed and is checked again. */
int agency_parent_apply(struct store_txn *txn, const struct store_account *a, json_t *profile,
                        const char *value, struct hr_err *err)
{
    int rc = agency_parent_check(txn, a->name, a->kind, value, err);

    if (rc != HR_OK)
        return rc;
    json_object_del(profile, "parent_confirmed_ms");
    json_object_del(profile, "parent_checked_ms");
    json_object_del(profile, "parent_name");
    if (value == NULL)
        json_object_del(profile, "parent");
    else if (json_object_set_new(profile, "parent", json_string(value)) != 0)
        return hr_fail(err, HR_ENOMEM, "profile");
    return value && !agency_parent_is_url(value) ? name_keep(txn, value, profile, err) : HR_OK;
}

int agency_parent_profile(struct store_txn *txn, const char *parent, char **out,
                          struct hr_err *err)
{
    json_t *p = json_object();
    int rc = p ? HR_OK : hr_fail(err, HR_ENOMEM, "profile");

    if (rc == HR_OK && parent != NULL && parent[0] != '\0') {
        if (json_object_set_new(p, "parent", json_string(parent)) != 0)
            rc = hr_fail(err, HR_ENOMEM, "profile");
        else if (!agency_parent_is_url(parent))
            rc = name_keep(txn, parent, p, err);
    }
    if (rc == HR_OK && (*out = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
        rc = hr_fail(err, HR_ENOMEM, "profile");
    json_decref(p);
    return rc;
}

/* ---- a parent's new display name reaches its children's documents ---- */
struct children_walk {
    const char *parent;
    char (*names)[32];
    size_t n, cap;
};

static int child_one(const struct store_account *a, void *ctx)
{
    struct children_walk *w = ctx;
    json_t *profile = json_loads(a->profile ? a->profile : "{}", 0, NULL);
    const char *p = json_string_value(json_object_get(profile, "parent"));

    if (p != NULL && strcmp(p, w->parent) == 0 && w->n < w->cap)
        snprintf(w->names[w->n++], 32, "%s", a->name);
    json_decref(profile);
    return HR_OK;
}

static int child_rename(struct store_txn *txn, struct fed *fed, const char *child,
                        const char *display, struct hr_err *err)
{
    struct store_account a = {0};
    json_t *profile = NULL;
    char *text = NULL;
    int rc = store_account_get_private(txn, child, &a, err);

    if (rc == HR_OK)
        profile = json_loads(a.profile ? a.profile : "{}", 0, NULL);
    if (rc == HR_OK && !json_is_object(profile)) /* a macro: no call inside */
        rc = hr_fail(err, HR_EIO, "account %s: stored profile is not a JSON object", child);
    if (rc == HR_OK && (json_object_set_new(profile, "parent_name", json_string(display)) != 0 ||
                        (text = json_dumps(profile, JSON_COMPACT | JSON_SORT_KEYS)) == NULL))
        rc = hr_fail(err, HR_ENOMEM, "profile");
    if (rc == HR_OK) {
        free(a.profile);
        a.profile = text;
        rc = store_account_put(txn, &a, err);
    }
    if (rc == HR_OK && fed != NULL)
        rc = fed_actor_update_queue(fed, txn, child, err);
    json_decref(profile);
    store_account_fini(&a);
    return rc;
}

int agency_children_rename(struct store_txn *txn, struct fed *fed, const char *parent,
                           const char *display, struct hr_err *err)
{
    struct children_walk w = {.parent = parent, .cap = KINDS_CHILDREN_MAX};
    int rc;

    w.names = calloc(w.cap, sizeof *w.names);
    if (w.names == NULL)
        return hr_fail(err, HR_ENOMEM, "children of %s", parent);
    rc = store_account_each(txn, child_one, &w, err);
    for (size_t i = 0; i < w.n && rc == HR_OK; i++)
        rc = child_rename(txn, fed, w.names[i], display, err);
    free(w.names);
    return rc;
}

/* ---- remote accounts linked to an agency or a department ---- */
struct link_op {
    const char *by, *parent, *url, *kind;
    bool on;
    struct hr_err *err;
};

static int link_find(const json_t *linked, const char *url)
{
    const json_t *e;
    size_t i;

    json_array_foreach(linked, i, e) if (strcmp(json_string_value(json_object_get(e, "id"))
                                                    ? json_string_value(json_object_get(e, "id"))
                                                    : "",
                                                url) == 0) return (int)i;
    return -1;
}

/* Changes PROFILE's "linked" list as OP says. */
static int link_edit(json_t *profile, const struct link_op *op, struct hr_err *err)
{
    json_t *linked = json_object_get(profile, "linked");
    int at;

    if (!json_is_array(linked)) {
        linked = json_array();
        if (linked == NULL || json_object_set_new(profile, "linked", linked) != 0)
            return hr_fail(err, HR_ENOMEM, "profile");
    }
    at = link_find(linked, op->url);
    if (!op->on) {
        if (at < 0)
            return hr_fail(err, HR_ENOTFOUND, "%s is not linked to '%s'", op->url, op->parent);
        return json_array_remove(linked, (size_t)at) == 0 ? HR_OK
                                                          : hr_fail(err, HR_ENOMEM, "profile");
    }
    if (at >= 0)
        return hr_fail(err, HR_EEXIST, "%s is already linked to '%s'", op->url, op->parent);
    if (json_array_size(linked) >= KINDS_LINKED_MAX)
        return hr_fail(err, HR_ETOOBIG, "'%s' already lists %d linked accounts", op->parent,
                       KINDS_LINKED_MAX);
    if (json_array_append_new(linked, op->kind
                                          ? json_pack("{s:s,s:s}", "id", op->url, "kind", op->kind)
                                          : json_pack("{s:s}", "id", op->url)) != 0)
        return hr_fail(err, HR_ENOMEM, "profile");
    return HR_OK;
}

static int link_txn(struct store_txn *txn, void *ctx)
{
    const struct link_op *op = ctx;
    struct store_account a = {0};
    json_t *profile = NULL;
    char *text = NULL;
    struct hr_err *err = op->err;
    int rc = store_account_get_private(txn, op->parent, &a, err);

    if (rc == HR_OK && strcmp(a.kind, "agency") != 0 && strcmp(a.kind, "department") != 0)
        rc = hr_fail(err, HR_EINVAL,
                     "'%s' is of kind %s: only an agency or a department "
                     "lists accounts",
                     op->parent, a.kind);
    if (rc == HR_OK)
        profile = json_loads(a.profile ? a.profile : "{}", 0, NULL);
    if (rc == HR_OK && !json_is_object(profile))
        rc = hr_fail(err, HR_EIO, "account %s: stored profile is not a JSON object", op->parent);
    if (rc == HR_OK)
        rc = link_edit(profile, op, err);
    if (rc == HR_OK && (text = json_dumps(profile, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
        rc = hr_fail(err, HR_ENOMEM, "profile");
    if (rc == HR_OK) {
        free(a.profile);
        a.profile = text;
        rc = store_account_put(txn, &a, err);
    }
    if (rc == HR_OK)
        rc = agency_audit(txn, op->by, op->on ? "account.link" : "account.unlink", op->parent,
                          op->url, err);
    json_decref(profile);
    store_account_fini(&a);
    return rc;
}

int agency_account_link(struct store *st, const char *by, const char *parent, const char *url,
                        const char *kind, bool on, struct hr_err *err)
{
    struct link_op op = {
        .by = by, .parent = parent, .url = url, .kind = kind, .on = on, .err = err};
    struct hr_err uerr = {0};
    int rc = agency_may(st, by, AGENCY_ACCOUNT_LINK, parent, NULL, err);

    if (rc != HR_OK)
        return rc;
    if (url == NULL || !agency_parent_is_url(url) || strlen(url) > KINDS_URL_MAX ||
        fed_url_valid(url, &uerr) != HR_OK)
        return hr_fail(err, HR_EINVAL, "'%.80s' is not an http(s) actor URL", url ? url : "");
    if (on && kind != NULL && !agency_kind_valid(kind))
        return hr_fail(err, HR_EINVAL,
                       "unknown kind '%.20s': use agency, department, official "
                       "or service",
                       kind);
    return agency_write(st, link_txn, &op, err);
}
