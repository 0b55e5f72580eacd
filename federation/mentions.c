/* federation/mentions.c - the @user@host mentions of a draft's text, each resolved once
 * when the draft is made (issue #10): WebFinger and the actor document through the
 * guarded outbound paths (federation/following.c, actors.c), our own accounts from the
 * store. What an approver approves is then who will be notified. */
#include "federation/fed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* true when HOST ("host[:port]") is our own: the domain of our handles or our base URL's. */
static bool own_host(const struct fed *fed, const char *host)
{
    return hr_streq_ci(host, fed->cfg.domain ? fed->cfg.domain : "") ||
           hr_streq_ci(host, fed->host);
}

/* Our account USER, read from the store (no request to ourselves). */
static int resolve_local(struct fed *fed, const char *acct, const char *user, json_t **out,
                         struct hr_err *err)
{
    struct store_txn *txn = NULL;
    struct store_account a = {0};
    char actor[512], url[600];
    int rc = hr_name_valid(user) ? store_txn_begin(fed->st, STORE_READ, &txn, err) : HR_ENOTFOUND;

    if (rc == HR_OK)
        rc = store_account_get(txn, user, &a, NULL);
    store_txn_abort(txn);
    store_account_fini(&a);
    if (rc == HR_ENOTFOUND)
        return hr_fail(err, HR_EINVAL, "mention @%s: no such account here", acct);
    if (rc != HR_OK)
        return rc;
    fed_actor_url(fed, user, actor, sizeof actor);
    snprintf(url, sizeof url, "%s/@%s", fed->base_url, user);
    /* inbox "": our own accounts are not sent our posts over HTTP (tags.c) */
    *out = json_pack("{s:s,s:s,s:s,s:s,s:s}", "acct", acct, "href", actor, "inbox", "",
                     "shared_inbox", "", "url", url);
    return *out ? HR_OK : hr_fail(err, HR_ENOMEM, "mention");
}

/* A remote ACCT: WebFinger, then the actor document, fetched and checked. */
static int resolve_remote(struct fed *fed, const char *acct, json_t **out, struct hr_err *err)
{
    struct fed_remote r = {0};
    struct hr_err why = {0};
    char actor[512], profile[512] = "";
    int rc = fed_webfinger_lookup(fed, acct, actor, sizeof actor, profile, sizeof profile, &why);

    if (rc == HR_OK && !fed_domain_permitted(fed, actor))
        rc = hr_fail(&why, HR_EFORBIDDEN, "its domain is blocked (or not on the allow-list)");
    if (rc == HR_OK)
        rc = fed_remote_fetch_actor(fed, actor, &r, &why);
    if (rc != HR_OK)
        return hr_fail(err, rc == HR_EFORBIDDEN ? HR_EFORBIDDEN : HR_EINVAL,
                       "mention @%s: no such account (%s)", acct, why.msg);
    /* the profile page is linked from our HTML: only an http(s) URL, else the actor */
    if (profile[0] == '\0' || fed_url_check(profile, NULL) != HR_OK)
        snprintf(profile, sizeof profile, "%s", r.actor);
    *out = json_pack("{s:s,s:s,s:s,s:s,s:s}", "acct", acct, "href", r.actor, "inbox",
                     r.inbox ? r.inbox : "", "shared_inbox", r.shared_inbox ? r.shared_inbox : "",
                     "url", profile);
    fed_remote_fini(&r);
    return *out ? HR_OK : hr_fail(err, HR_ENOMEM, "mention");
}

static int resolve_one(struct fed *fed, const char *acct, json_t **out, struct hr_err *err)
{
    char user[64];
    const char *at = strchr(acct, '@');
    size_t n = at ? (size_t)(at - acct) : 0;

    if (at == NULL || n >= sizeof user)
        return hr_fail(err, HR_EINVAL, "mention @%s: not a user@host handle", acct);
    memcpy(user, acct, n);
    user[n] = '\0';
    if (own_host(fed, at + 1))
        return resolve_local(fed, acct, user, out, err);
    return resolve_remote(fed, acct, out, err);
}

/* The distinct "user@host" of TEXT in order (case-insensitive), at most FED_MENTIONS_MAX. */
static int collect(const char *text, json_t *accts, struct hr_err *err)
{
    struct fed_entity e;
    size_t n = strlen(text), from = 0;

    while (fed_entity_next(text, n, from, &e)) {
        from = e.start + e.len;
        if (e.kind != FED_ENTITY_MENTION ||
            fed_mention_find(accts, text + e.start + 1, e.len - 1) != NULL)
            continue;
        if (json_array_size(accts) == FED_MENTIONS_MAX)
            return hr_fail(err, HR_EINVAL, "a post mentions at most %d accounts", FED_MENTIONS_MAX);
        json_array_append_new(accts, json_pack("{s:s%}", "acct", text + e.start + 1, e.len - 1));
    }
    return HR_OK;
}

int fed_mentions_resolve(struct fed *fed, const char *text, json_t **out, struct hr_err *err)
{
    json_t *accts = json_array(), *list = NULL, *a;
    size_t i;
    int rc = accts ? collect(text ? text : "", accts, err) : hr_fail(err, HR_ENOMEM, "mentions");

    *out = NULL;
    if (rc == HR_OK && json_array_size(accts) > 0 && fed == NULL)
        rc = hr_fail(err, HR_EINVAL, "mentions are resolved by the server: none here");
    if (rc == HR_OK && json_array_size(accts) > 0)
        list = json_array();
    json_array_foreach(accts, i, a)
    {
        json_t *m = NULL;
        if (rc == HR_OK)
            rc = resolve_one(fed, json_string_value(json_object_get(a, "acct")), &m, err);
        if (rc == HR_OK && json_array_append_new(list, m) != 0)
            rc = hr_fail(err, HR_ENOMEM, "mentions");
    }
    json_decref(accts);
    if (rc == HR_OK)
        *out = list;
    else
        json_decref(list);
    return rc;
}

void fed_language_default(const struct fed *fed, char *out, size_t cap)
{
    const char *list = fed && fed->cfg.languages && fed->cfg.languages[0] ? fed->cfg.languages
                       : fed                                              ? "en"
                                                                          : "und";
    size_t n = strcspn(list, ", ");

    snprintf(out, cap, "%.*s", (int)n, list);
}
