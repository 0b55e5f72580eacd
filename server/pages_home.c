/* server/pages_home.c - /: the instance's home page (issue #11 item 1): the agency, its
 * accounts grouped by kind, how to follow them, the latest posts of all of them. */
#include "server/pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The instance's agency: its only agency account without a parent (none or several:
 * the instance is shown by its domain). */
static const json_t *home_agency(const json_t *accounts)
{
    const json_t *a, *found = NULL;
    size_t i;

    json_array_foreach(accounts, i, a)
    {
        const char *kind = json_string_value(json_object_get(a, "kind"));
        if (kind == NULL || strcmp(kind, "agency") != 0 || json_object_get(a, "parent"))
            continue;
        if (found != NULL)
            return NULL;
        found = a;
    }
    return found;
}

static void agency_intro(struct web *w, const json_t *agency)
{
    const char *name = json_string_value(json_object_get(agency, "name"));
    const char *summary = json_string_value(json_object_get(agency, "summary"));
    char url[600];

    web_profile_url(w->r, name, url, sizeof url);
    web_raw(w, "<section class=\"intro\" aria-labelledby=\"agency\">");
    pages_avatar(w, agency, "avatar", "");
    web_raw(w, "<h1 id=\"agency\">");
    web_name(w, json_string_value(json_object_get(agency, "display_name")), name);
    web_raw(w, "</h1>");
    if (summary != NULL && summary[0] != '\0') {
        web_raw(w, "<p class=\"summary\">");
        web_text(w, summary);
        web_raw(w, "</p>");
    }
    web_raw(w, "<p><a href=\"");
    web_text(w, url);
    web_raw(w, "\">");
    web_t(w, "Profile and posts");
    web_raw(w, "</a></p></section>");
}

static void account_entry(struct web *w, const json_t *a)
{
    const char *name = json_string_value(json_object_get(a, "name"));
    char url[600];

    web_profile_url(w->r, name, url, sizeof url);
    web_raw(w, "<li><a href=\"");
    web_text(w, url);
    web_raw(w, "\">");
    pages_avatar(w, a, "avatar-small", "");
    web_name(w, json_string_value(json_object_get(a, "display_name")), name);
    web_raw(w, "</a></li>");
}

/* The account matrix: one list per kind, in the order people look for them. */
static void matrix(struct web *w, const json_t *accounts)
{
    static const struct {
        const char *kind, *heading;
    } groups[] = {
        {"agency", N_("Agencies")},
        {"department", N_("Departments")},
        {"official", N_("Officials")},
        {"service", N_("Services")},
    };
    const json_t *a;
    size_t i;

    web_raw(w, "<section aria-labelledby=\"accounts\"><h2 id=\"accounts\">");
    web_t(w, "Accounts");
    web_raw(w, "</h2>");
    if (json_array_size(accounts) == 0) {
        web_raw(w, "<p>");
        web_t(w, "No accounts yet.");
        web_raw(w, "</p>");
    }
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
        bool any = false;
        json_array_foreach(accounts, i, a)
        {
            const char *kind = json_string_value(json_object_get(a, "kind"));
            if (kind == NULL || strcmp(kind, groups[g].kind) != 0)
                continue;
            if (!any) {
                web_raw(w, "<h3>");
                web_t(w, groups[g].heading);
                web_raw(w, "</h3><ul class=\"accounts\">");
            }
            any = true;
            account_entry(w, a);
        }
        if (any)
            web_raw(w, "</ul>");
    }
    web_raw(w, "</section>");
}

static void how_to_follow(struct web *w, const json_t *agency, const json_t *accounts)
{
    const json_t *example = agency ? agency : json_array_get(accounts, 0);
    const char *name = json_string_value(json_object_get(example, "name"));
    char handle[300];

    web_raw(w, "<section aria-labelledby=\"follow\"><h2 id=\"follow\">");
    web_t(w, "How to follow");
    web_raw(w, "</h2><p>");
    if (name != NULL) {
        snprintf(handle, sizeof handle, "@%s@%s", name, w->r->app->cfg.domain);
        web_tf(w,
               "Search for an account's address, such as {handle}, in any fediverse app "
               "(Mastodon, for example) and choose Follow. You need no account here.",
               "handle", handle, NULL);
    } else {
        web_t(w, "Search for an account's address in any fediverse app (Mastodon, for "
                 "example) and choose Follow. You need no account here.");
    }
    web_raw(w, "</p>");
    pages_feed_anchors(w, "/feed");
    web_raw(w, "</section>");
}

enum MHD_Result pages_home(struct http_req *r)
{
    struct fed_web_query q = {.limit = PAGES_LIMIT};
    json_t *items = NULL, *accounts;
    const json_t *agency;
    uint64_t next = 0;
    struct web w;
    char *title;

    if (pages_cursor(r, &q.before) != HR_OK)
        return http_reply_error(r, 400, "bad_request", "before must be a number");
    accounts = pages_accounts(r, NULL);
    if (accounts == NULL || fed_web_posts(r->app->fed, &q, &items, &next, NULL) != HR_OK) {
        json_decref(accounts);
        return http_reply_error(r, 500, "internal", "home page unreadable");
    }
    agency = home_agency(accounts);
    web_begin(&w, r);
    title = agency ? web_tfs(w.lang, "{name} on {domain}", "name",
                             json_string_value(json_object_get(agency, "display_name")), "domain",
                             r->app->cfg.domain, NULL)
                   : NULL;
    web_head(&w, title ? title : r->app->cfg.domain, r->app->cfg.base_url);
    pages_og_common(&w, "website", title ? title : r->app->cfg.domain, r->app->cfg.base_url,
                    agency ? json_string_value(json_object_get(agency, "summary")) : NULL,
                    agency ? json_string_value(json_object_get(agency, "avatar")) : NULL, NULL);
    pages_feed_links(&w, "/feed", r->app->cfg.domain);
    web_body(&w);
    if (agency != NULL) {
        agency_intro(&w, agency);
    } else {
        web_raw(&w, "<h1>");
        web_text(&w, r->app->cfg.domain);
        web_raw(&w, "</h1>");
    }
    matrix(&w, accounts);
    how_to_follow(&w, agency, accounts);
    web_raw(&w, "<section aria-labelledby=\"latest\"><h2 id=\"latest\">");
    web_t(&w, "Latest posts");
    web_raw(&w, "</h2>");
    pages_post_list_by(&w, items, next, "/", accounts);
    web_raw(&w, "</section>");
    free(title);
    json_decref(items);
    json_decref(accounts);
    return web_finish(&w, 200, PAGES_CACHE);
}
