/* federation/accountsdoc.c - /.well-known/herald/accounts.json: every account of this
 * instance with its kind, parent, website (and whether it links back) and attestations, in
 * one file an agency's website can link to or read (issue 9 §5; schema in
 * docs/FEDERATION.md). Built from the store on each request: accounts are few. */
#include "federation/fed_int.h"

#include <stdio.h>
#include <string.h>

struct accounts_scan {
    struct fed *fed;
    json_t *list;
};

/* ISO 8601 of the profile's KEY (Unix ms), or JSON null when absent. */
static json_t *when_of(const json_t *profile, const char *key)
{
    json_int_t ms = json_integer_value(json_object_get(profile, key));
    char when[32];

    if (ms <= 0)
        return json_null();
    hr_iso8601((int64_t)ms, when);
    return json_string(when);
}

static json_t *website_entry(const json_t *profile)
{
    const char *site = json_string_value(json_object_get(profile, "website"));

    if (site == NULL || site[0] == '\0')
        return NULL;
    return json_pack("{s:s,s:b,s:o,s:o}", "url", site, "verified",
                     json_integer_value(json_object_get(profile, "website_verified_ms")) > 0,
                     "verified_at", when_of(profile, "website_verified_ms"), "checked_at",
                     when_of(profile, "website_checked_ms"));
}

/* The "attestations" profile key (written by `herald attest import`): the links only. */
static json_t *attestation_entries(const json_t *profile)
{
    const json_t *in = json_object_get(profile, "attestations");
    static const char *const keys[] = {"url", "issuer", "issuer_name", "kind"};
    json_t *out = json_array(), *v;
    size_t i;

    json_array_foreach(in, i, v)
    {
        json_t *e = json_object();

        if (!json_is_string(json_object_get(v, "url")) || e == NULL) {
            json_decref(e);
            continue;
        }
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            if (json_is_string(json_object_get(v, keys[k])))
                json_object_set(e, keys[k], json_object_get(v, keys[k]));
        if (json_integer_value(json_object_get(v, "valid_until_ms")) > 0)
            json_object_set_new(e, "valid_until", when_of(v, "valid_until_ms"));
        json_array_append_new(out, e);
    }
    return out;
}

/* "parent": a local account name, or a remote actor URL; always shown as an actor URL. */
static json_t *parent_entry(struct fed *fed, const json_t *profile)
{
    const char *parent = json_string_value(json_object_get(profile, "parent"));
    char actor[512];

    if (parent == NULL || parent[0] == '\0')
        return NULL;
    if (hr_name_valid(parent)) {
        fed_actor_url(fed, parent, actor, sizeof actor);
        return json_string(actor);
    }
    return fed_url_check(parent, NULL) == HR_OK ? json_string(parent) : NULL;
}

static int account_add(const struct store_account *a, void *ctx)
{
    struct accounts_scan *s = ctx;
    json_t *profile = json_loads(a->profile ? a->profile : "{}", 0, NULL);
    char actor[512], url[512], handle[320];
    json_t *e, *v;

    fed_actor_url(s->fed, a->name, actor, sizeof actor);
    snprintf(url, sizeof url, "%s/@%s", s->fed->base_url, a->name);
    snprintf(handle, sizeof handle, "@%s@%s", a->name, s->fed->domain);
    e = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "name", a->name, "kind", a->kind, "type",
                  fed_kind_type(a->kind), "display_name",
                  a->display_name[0] ? a->display_name : a->name, "actor", actor, "url", url,
                  "handle", handle);
    if (e == NULL || json_array_append_new(s->list, e) != 0) {
        json_decref(profile);
        return HR_ENOMEM;
    }
    if ((v = parent_entry(s->fed, profile)) != NULL)
        json_object_set_new(e, "parent", v);
    if ((v = website_entry(profile)) != NULL)
        json_object_set_new(e, "website", v);
    json_object_set_new(e, "attestations", attestation_entries(profile));
    json_decref(profile);
    return HR_OK;
}

void fed_accounts_doc(struct fed *fed, struct fed_doc *doc)
{
    struct accounts_scan s = {.fed = fed, .list = json_array()};
    struct store_txn *txn = NULL;
    struct hr_err err = {0};
    json_t *body = NULL;
    int rc = s.list ? HR_OK : HR_ENOMEM;

    if (rc == HR_OK)
        rc = store_txn_begin(fed->st, STORE_READ, &txn, &err);
    if (rc == HR_OK)
        rc = store_account_each(txn, account_add, &s, &err);
    store_txn_abort(txn);
    if (rc == HR_OK)
        body = json_pack("{s:s,s:s,s:O}", "instance", fed->base_url, "domain", fed->domain,
                         "accounts", s.list);
    if (body == NULL) {
        fed_doc_error(doc, 500, "internal", "accounts unavailable");
    } else {
        fed_doc_json(doc, 200, body);
        doc->content_type = "application/json";
    }
    json_decref(body);
    json_decref(s.list);
}
