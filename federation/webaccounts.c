/* federation/webaccounts.c - what the public web shows of our accounts (issue #11;
 * server/pages*.c): one flat object per account read in one short read transaction, so a
 * page needs neither the whole actor document nor one read per thing it shows. */
#include "federation/fed_int.h"

#include <stdio.h>
#include <string.h>

struct web_accounts {
    struct fed *fed;
    const char *only;
    json_t *out;
};

static void set_str(json_t *o, const char *key, const char *v)
{
    if (v != NULL && v[0] != '\0')
        json_object_set_new(o, key, json_string(v));
}

/* The URL of the profile's image KEY (avatar, header), when there is one. */
static void set_image(struct fed *fed, json_t *o, const json_t *profile, const char *key)
{
    const json_t *m = json_object_get(profile, key);
    char url[700];

    fed_media_url(fed, json_string_value(json_object_get(m, "sha256")),
                  json_string_value(json_object_get(m, "media_type")), url, sizeof url);
    set_str(o, key, url);
}

static void set_profile(struct fed *fed, json_t *o, const json_t *profile)
{
    const char *parent = json_string_value(json_object_get(profile, "parent"));

    set_image(fed, o, profile, "avatar");
    set_image(fed, o, profile, "header");
    set_str(o, "parent", parent);
    json_object_set_new(o, "parent_local", json_boolean(parent != NULL && hr_name_valid(parent)));
    set_str(o, "parent_name", json_string_value(json_object_get(profile, "parent_name")));
    json_object_set_new(
        o, "parent_confirmed",
        json_boolean(json_integer_value(json_object_get(profile, "parent_confirmed_ms")) > 0));
    set_str(o, "website", json_string_value(json_object_get(profile, "website")));
    json_object_set_new(
        o, "website_verified",
        json_boolean(json_integer_value(json_object_get(profile, "website_verified_ms")) > 0));
    if (json_is_array(json_object_get(profile, "fields")))
        json_object_set(o, "fields", json_object_get(profile, "fields"));
    json_object_set_new(o, "frozen",
                        json_boolean(json_is_object(json_object_get(profile, "frozen"))));
}

static int account_cb(const struct store_account *a, void *ctx)
{
    struct web_accounts *w = ctx;
    json_t *profile, *o;
    char actor[600];

    if (w->only != NULL && strcmp(w->only, a->name) != 0)
        return HR_OK;
    fed_actor_url(w->fed, a->name, actor, sizeof actor);
    o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "name", a->name, "kind", a->kind, "display_name",
                  a->display_name[0] ? a->display_name : a->name, "summary", a->summary, "actor",
                  actor);
    if (o == NULL || json_array_append_new(w->out, o) != 0)
        return HR_ENOMEM;
    profile = json_loads(a->profile ? a->profile : "{}", 0, NULL);
    set_profile(w->fed, o, profile);
    json_decref(profile);
    return HR_OK;
}

/* One account: a lookup, not a walk over all of them. */
static int one(struct store_txn *txn, struct web_accounts *w, struct hr_err *err)
{
    struct store_account a = {0};
    int rc = hr_name_valid(w->only) ? store_account_get(txn, w->only, &a, NULL) : HR_ENOTFOUND;

    if (rc == HR_OK)
        rc = account_cb(&a, w);
    store_account_fini(&a);
    if (rc == HR_ENOTFOUND)
        return HR_OK; /* an empty list */
    return rc == HR_OK ? HR_OK : hr_fail(err, rc, "web account %s", w->only);
}

int fed_web_accounts(struct fed *fed, const char *only, json_t **items, struct hr_err *err)
{
    struct web_accounts w = {.fed = fed, .only = only, .out = json_array()};
    struct store_txn *txn = NULL;
    int rc = w.out ? HR_OK : hr_fail(err, HR_ENOMEM, "web accounts");

    *items = NULL;
    if (rc == HR_OK)
        rc = store_txn_begin(fed->st, STORE_READ, &txn, err);
    if (rc == HR_OK && only == NULL)
        rc = store_account_each(txn, account_cb, &w, err);
    if (rc == HR_OK && only != NULL)
        rc = one(txn, &w, err);
    store_txn_abort(txn);
    if (rc != HR_OK) {
        json_decref(w.out);
        return rc;
    }
    *items = w.out;
    return HR_OK;
}
