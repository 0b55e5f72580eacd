/* server/pages_profile.c - /@NAME: an account's page (issue #11 item 1): header image,
 * avatar, name next to its handle, kind, parent, an official's disclaimer, verified
 * website, fields, summary, feeds and the latest posts. Read from fed_web_accounts (one
 * read), not from the actor document: the page speaks the reader's language, the actor
 * the instance's. */
#include "server/pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A frozen account (agency/security.c) says so above everything else. */
static void frozen_notice(struct web *w, const json_t *acct)
{
    if (!json_is_true(json_object_get(acct, "frozen")))
        return;
    web_raw(w, "<p class=\"frozen\" role=\"alert\"><strong>");
    web_t(w, "Frozen");
    web_raw(w, ":</strong> ");
    web_t(w, "This account is frozen by its agency while a suspected compromise is "
             "investigated: it publishes nothing until two administrators lift the freeze.");
    web_raw(w, "</p>");
}

/* The parent's page: ours (/@NAME) or its actor URL; its name as recorded. */
static void parent_href(struct web *w, const json_t *acct, char *href, size_t cap,
                        const char **label)
{
    const char *parent = json_string_value(json_object_get(acct, "parent"));
    const char *pname = json_string_value(json_object_get(acct, "parent_name"));

    if (json_is_true(json_object_get(acct, "parent_local")))
        web_profile_url(w->r, parent, href, cap);
    else
        snprintf(href, cap, "%s", parent);
    *label = pname ? pname : parent;
}

static void kind_and_parent(struct web *w, const json_t *acct)
{
    const char *kind = json_string_value(json_object_get(acct, "kind"));
    const char *label;
    char href[700];

    web_raw(w, "<p class=\"kind\"><span class=\"badge\">");
    web_text(w, fed_kind_label(w->lang, kind));
    web_raw(w, "</span>");
    if (json_object_get(acct, "parent") != NULL) {
        parent_href(w, acct, href, sizeof href, &label);
        web_raw(w, " ");
        pages_t_link(w, N_("Part of {parent}"), "parent", href, label, NULL);
        if (!json_is_true(json_object_get(acct, "parent_local")) &&
            !json_is_true(json_object_get(acct, "parent_confirmed"))) {
            web_raw(w, " (");
            web_t(w, "unconfirmed");
            web_raw(w, ")");
        }
    }
    web_raw(w, "</p>");
    if (kind != NULL && strcmp(kind, "official") == 0) {
        /* problem 1 in DESIGN.md: the same words as the actor's (federation/kinds_text.c) */
        web_raw(w, "<p class=\"notice disclaimer\">");
        if (json_object_get(acct, "parent") != NULL) {
            parent_href(w, acct, href, sizeof href, &label);
            pages_t_link(w,
                         N_("Personal account: views are my own and not the official position "
                            "of {agency}"),
                         "agency", href, label, NULL);
        } else {
            web_tf(w,
                   "Personal account: views are my own and not the official position "
                   "of {agency}",
                   "agency", w->r->app->cfg.domain, NULL);
        }
        web_raw(w, "</p>");
    }
}

static void website(struct web *w, const json_t *acct)
{
    const char *site = json_string_value(json_object_get(acct, "website"));

    if (site == NULL)
        return;
    web_raw(w, "<dt>");
    web_t(w, "Website");
    web_raw(w, "</dt><dd><a href=\"");
    web_text(w, site);
    web_raw(w, "\" rel=\"me nofollow noopener\">");
    web_text(w, site);
    web_raw(w, "</a>");
    if (json_is_true(json_object_get(acct, "website_verified"))) {
        /* rel=me verified (federation/websitecheck.c): the site links back */
        web_raw(w, " <span class=\"verified\">\xe2\x9c\x93 ");
        web_t(w, "verified: the website links back to this account");
        web_raw(w, "</span>");
    }
    web_raw(w, "</dd>");
}

static void fields(struct web *w, const json_t *acct)
{
    const json_t *list = json_object_get(acct, "fields"), *f;
    size_t i;

    if (json_object_get(acct, "website") == NULL && json_array_size(list) == 0)
        return;
    web_raw(w, "<dl class=\"fields\">");
    website(w, acct);
    json_array_foreach(list, i, f)
    {
        web_raw(w, "<dt>");
        web_text(w, json_string_value(json_object_get(f, "name")));
        web_raw(w, "</dt><dd>");
        web_text(w, json_string_value(json_object_get(f, "value")));
        web_raw(w, "</dd>");
    }
    web_raw(w, "</dl>");
}

static void profile_head(struct web *w, const json_t *acct, const char *url)
{
    const char *name = json_string_value(json_object_get(acct, "name"));
    const char *dn = json_string_value(json_object_get(acct, "display_name"));
    const char *summary = json_string_value(json_object_get(acct, "summary"));
    char title[600], path[64], *desc;

    snprintf(title, sizeof title, "%s (@%s@%s)", dn ? dn : name, name, w->r->app->cfg.domain);
    web_head(w, title, url);
    desc = summary && summary[0]
               ? NULL
               : web_tfs(w->lang, "Posts by {name}", "name", dn ? dn : name, NULL);
    pages_og_common(w, "profile", title, url, desc ? desc : summary,
                    json_string_value(json_object_get(acct, "avatar")), name);
    free(desc);
    web_meta(w, "profile:username", name, true);
    web_link(w, "alternate", "application/activity+json",
             json_string_value(json_object_get(acct, "actor")), NULL);
    snprintf(path, sizeof path, "/@%s", name);
    pages_feed_links(w, path, title);
    pages_feed_links(w, "/feed", w->r->app->cfg.domain);
}

static void profile_card(struct web *w, const json_t *acct)
{
    const char *name = json_string_value(json_object_get(acct, "name"));
    const char *dn = json_string_value(json_object_get(acct, "display_name"));
    const char *header = json_string_value(json_object_get(acct, "header"));
    const char *summary = json_string_value(json_object_get(acct, "summary"));
    char *alt;

    frozen_notice(w, acct);
    web_raw(w, "<div class=\"profile\">");
    if (header != NULL) {
        alt = web_tfs(w->lang, "Header image of {name}", "name", dn, NULL);
        web_raw(w, "<img class=\"header-img\" src=\"");
        web_text(w, header);
        web_raw(w, "\" alt=\"");
        web_text(w, alt);
        web_raw(w, "\">");
        free(alt);
    }
    alt = web_tfs(w->lang, "Profile picture of {name}", "name", dn, NULL);
    pages_avatar(w, acct, "avatar", alt ? alt : "");
    free(alt);
    web_raw(w, "<h1>");
    web_name(w, dn, name);
    web_raw(w, "</h1>");
    kind_and_parent(w, acct);
    if (summary != NULL && summary[0] != '\0') {
        web_raw(w, "<p class=\"summary\">");
        web_text(w, summary);
        web_raw(w, "</p>");
    }
    fields(w, acct);
    web_raw(w, "</div>");
}

enum MHD_Result pages_profile(struct http_req *r, const char *name)
{
    struct fed_web_query q = {.account = name, .limit = PAGES_LIMIT, .unlisted = true};
    json_t *accounts = pages_accounts(r, name), *items = NULL;
    const json_t *acct = json_array_get(accounts, 0);
    char url[600], path[64];
    uint64_t next = 0;
    struct web w;

    if (acct == NULL) {
        json_decref(accounts);
        return http_reply_error(r, 404, "not_found", "no such account");
    }
    if (pages_cursor(r, &q.before) != HR_OK) {
        json_decref(accounts);
        return http_reply_error(r, 400, "bad_request", "before must be a number");
    }
    if (fed_web_posts(r->app->fed, &q, &items, &next, NULL) != HR_OK) {
        json_decref(accounts);
        return http_reply_error(r, 500, "internal", "posts unreadable");
    }
    web_begin(&w, r);
    web_profile_url(r, name, url, sizeof url);
    profile_head(&w, acct, url);
    web_body(&w);
    profile_card(&w, acct);
    snprintf(path, sizeof path, "/@%s", name);
    pages_feed_anchors(&w, path);
    web_raw(&w, "<section aria-labelledby=\"posts\"><h2 id=\"posts\">");
    web_t(&w, "Posts");
    web_raw(&w, "</h2>");
    pages_post_list(&w, items, next, path);
    web_raw(&w, "</section>");
    json_decref(accounts);
    json_decref(items);
    return web_finish(&w, 200, PAGES_CACHE);
}
