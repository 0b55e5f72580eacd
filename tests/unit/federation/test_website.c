/* tests/unit/federation/test_website.c - website binding (issue 9 §5): the rel=me finder on
 * the HTML pages of tests/fixtures/website, the page rules (HTML only, 1 MiB), the profile
 * key checks, the actor's Website field and attributionDomains, and accounts.json. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/federation/fedfix.h"

#include "federation/fed_int.h"
#include "keys/keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE "https://social.city.example"
#define PAGE "https://www.city.example/health/"

struct fixture {
    char dir[64];
    struct store *st;
    struct fed *fed;
};

static char *read_fixture(const char *name, size_t *len)
{
    char path[512];
    FILE *f;
    char *buf = malloc(1 << 16);

    snprintf(path, sizeof path, "%s/website/%s", HERALD_FIXTURES, name);
    f = fopen(path, "rb");
    assert_non_null(f);
    assert_non_null(buf);
    *len = fread(buf, 1, (1 << 16) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* The finder's answer for fixture NAME, as the page PAGE, looking for account health. */
static bool found_in(const char *name, char *found, size_t cap)
{
    char profile[600], actor[600];
    const char *targets[] = {profile, actor};
    struct fed_relme_query q = {.page_url = PAGE, .targets = targets, .n_targets = 2};
    size_t len;
    char *html = read_fixture(name, &len);
    bool hit;

    assert_int_equal(fed_relme_normalise(BASE "/@health", profile, sizeof profile, NULL), HR_OK);
    assert_int_equal(fed_relme_normalise(BASE "/users/health", actor, sizeof actor, NULL), HR_OK);
    hit = fed_relme_find(html, len, &q, found, cap);
    free(html);
    return hit;
}

static void a_rel_me_link_to_the_profile_url_is_found(void **state)
{
    char found[600];

    (void)state;
    assert_true(found_in("a_match.html", found, sizeof found));
    assert_string_equal(found, BASE "/@health");
}

static void a_link_element_with_rel_me_to_the_actor_id_is_found(void **state)
{
    char found[600];

    (void)state;
    assert_true(found_in("link_match.html", found, sizeof found));
    assert_string_equal(found, BASE "/users/health");
}

static void
rel_me_among_other_tokens_with_host_case_port_and_slash_differences_is_found(void **state)
{
    char found[600];

    (void)state;
    assert_true(found_in("rel_me_nofollow.html", found, sizeof found));
    assert_string_equal(found, BASE "/@health");
}

static void uppercase_rel_and_href_are_found(void **state)
{
    (void)state;
    assert_true(found_in("uppercase_rel.html", NULL, 0));
}

static void a_relative_href_is_resolved_against_the_page_url(void **state)
{
    char profile[600];
    const char *targets[] = {profile};
    struct fed_relme_query q = {.page_url = BASE "/about", .targets = targets, .n_targets = 1};
    size_t len;
    char *html = read_fixture("relative_href.html", &len);

    (void)state;
    assert_int_equal(fed_relme_normalise(BASE "/@health", profile, sizeof profile, NULL), HR_OK);
    assert_true(fed_relme_find(html, len, &q, NULL, 0));
    q.page_url = PAGE; /* on the agency's own host, "/@health" is not our account */
    assert_false(fed_relme_find(html, len, &q, NULL, 0));
    free(html);
}

static void links_to_other_actors_hosts_or_without_the_me_token_do_not_count(void **state)
{
    (void)state;
    assert_false(found_in("other_actor.html", NULL, 0));
}

static void rel_me_in_comments_scripts_styles_templates_or_text_does_not_count(void **state)
{
    (void)state;
    assert_false(found_in("hidden.html", NULL, 0));
}

static void malformed_html_is_parsed_as_a_browser_would(void **state)
{
    (void)state;
    /* error recovery (WHATWG HTML §13.2) still builds the link... */
    assert_true(found_in("malformed_match.html", NULL, 0));
    /* ...but a tag cut off by the end of the file is dropped (eof-in-tag) */
    assert_false(found_in("malformed_none.html", NULL, 0));
}

static void judge(const char *ct, const char *body, size_t len, struct fed_website_result *r)
{
    char profile[600];
    const char *targets[] = {profile};
    struct fed_relme_query q = {.page_url = PAGE, .targets = targets, .n_targets = 1};

    assert_int_equal(fed_relme_normalise(BASE "/@health", profile, sizeof profile, NULL), HR_OK);
    memset(r, 0, sizeof *r);
    fed_website_judge(ct, body, len, &q, r);
}

static void only_text_html_pages_are_judged(void **state)
{
    static const char page[] = "<a rel=me href=\"" BASE "/@health\">us</a>";
    struct fed_website_result r;

    (void)state;
    judge("text/html; charset=utf-8", page, strlen(page), &r);
    assert_true(r.verified);
    judge("TEXT/HTML", page, strlen(page), &r);
    assert_true(r.verified);
    judge("application/json", page, strlen(page), &r);
    assert_false(r.verified);
    assert_true(r.definite);
    assert_non_null(strstr(r.reason, "not an HTML page"));
    judge("text/htmlx", page, strlen(page), &r);
    assert_false(r.verified);
    judge(NULL, page, strlen(page), &r);
    assert_false(r.verified);
}

static void a_page_over_one_mebibyte_is_refused_even_with_the_link(void **state)
{
    static const char link[] = "<a rel=me href=\"" BASE "/@health\">us</a>";
    size_t len = FED_WEBSITE_MAX_BYTES + 1;
    char *big = malloc(len + 1);
    struct fed_website_result r;

    (void)state;
    assert_non_null(big);
    memset(big, ' ', len);
    memcpy(big, link, strlen(link));
    big[len] = '\0';
    judge("text/html", big, len, &r);
    assert_false(r.verified);
    assert_true(r.definite);
    assert_non_null(strstr(r.reason, "larger than"));
    judge("text/html", big, FED_WEBSITE_MAX_BYTES, &r); /* at the cap: still read */
    assert_true(r.verified);
    free(big);
}

static void website_urls_are_https_or_loopback_http_on_a_test_instance(void **state)
{
    struct fixture *fx = *state;
    char out[600];
    char longer[700];
    struct hr_err err = {0};

    /* stored as curl_url writes it: scheme lower-cased, the path made explicit */
    assert_int_equal(
        fed_website_url_check(fx->fed, "HTTPS://www.city.example", out, sizeof out, NULL), HR_OK);
    assert_string_equal(out, "https://www.city.example/");
    assert_int_equal(
        fed_website_url_check(fx->fed, "https://www.city.example/x?y#z", out, sizeof out, NULL),
        HR_OK);
    assert_int_equal(
        fed_website_url_check(fx->fed, "http://www.city.example/", out, sizeof out, &err),
        HR_EINVAL);
    assert_non_null(strstr(err.msg, "https"));
    assert_int_equal(
        fed_website_url_check(fx->fed, "http://127.0.0.1:8080/", out, sizeof out, NULL),
        HR_EINVAL); /* allow_private is off */
    assert_int_equal(
        fed_website_url_check(NULL, "https://u:p@www.city.example/", out, sizeof out, NULL),
        HR_EINVAL);
    assert_int_equal(fed_website_url_check(NULL, "www.city.example", out, sizeof out, NULL),
                     HR_EINVAL);
    assert_int_equal(fed_website_url_check(NULL, "javascript:alert(1)", out, sizeof out, NULL),
                     HR_EINVAL);
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    memcpy(longer, "https://x.example/", 18);
    assert_int_equal(fed_website_url_check(NULL, longer, out, sizeof out, NULL), HR_EINVAL);
}

static void loopback_http_websites_need_allow_private(void **state)
{
    struct fed_config cfg = {.domain = "127.0.0.1:9",
                             .base_url = "http://127.0.0.1:9",
                             .allow_private = true,
                             .json_max_depth = 64,
                             .json_max_string = 100000,
                             .json_max_items = 1000,
                             .fetch_max_bytes = 1 << 20};
    struct store *st = NULL;
    struct fed *fed = NULL;
    char dir[64], out[600];

    (void)state;
    assert_int_equal(fedfix_open(dir, &st, &fed, "web", cfg), 0);
    assert_int_equal(fed_website_url_check(fed, "http://127.0.0.2:8080/", out, sizeof out, NULL),
                     HR_OK);
    assert_int_equal(fed_website_url_check(fed, "http://[::1]/", out, sizeof out, NULL), HR_OK);
    assert_int_equal(fed_website_url_check(fed, "http://www.city.example/", out, sizeof out, NULL),
                     HR_EINVAL);
    assert_int_equal(fed_website_url_check(fed, "http://10.0.0.1/", out, sizeof out, NULL),
                     HR_EINVAL);
    assert_int_equal(fedfix_close(dir, st, fed), 0);
}

static void attribution_domains_are_normalised_host_names(void **state)
{
    char out[2600];

    (void)state;
    assert_int_equal(
        fed_attribution_domains_check("  News.City.Example\tcity.example ", out, sizeof out, NULL),
        HR_OK);
    assert_string_equal(out, "news.city.example city.example");
    assert_int_equal(fed_attribution_domains_check("city.example/path", out, sizeof out, NULL),
                     HR_EINVAL);
    assert_int_equal(fed_attribution_domains_check("a.example:443", out, sizeof out, NULL),
                     HR_EINVAL);
    assert_int_equal(fed_attribution_domains_check("a.ex b.ex c.ex d.ex e.ex f.ex g.ex h.ex "
                                                   "i.ex j.ex k.ex",
                                                   out, sizeof out, NULL),
                     HR_EINVAL);
}

static void add_account(struct store *st, const char *name, const char *profile)
{
    fedfix_account(st,
                   (struct store_account){.name = (char *)(uintptr_t)name,
                                          .kind = (char *)(uintptr_t) "agency",
                                          .display_name = (char *)(uintptr_t) "",
                                          .summary = (char *)(uintptr_t) "", .created_ms = 1,
                                          .profile = (char *)(uintptr_t)profile},
                   false);
}

static void the_actor_links_its_website_with_rel_me_and_lists_attribution_domains(void **state)
{
    struct fixture *fx = *state;
    struct store_account a = {
        .name = (char *)(uintptr_t) "health",
        .kind = (char *)(uintptr_t) "agency",
        .display_name = (char *)(uintptr_t) "",
        .summary = (char *)(uintptr_t) "",
        .rsa_pub_pem = (char *)(uintptr_t) "",
        .ed_pub_multibase = (char *)(uintptr_t) "",
        .profile =
            (char *)(uintptr_t) "{\"website\":\"https://www.city.example/?a=1&b=\\\"2\\\"\","
                                "\"attribution_domains\":\"news.city.example www.city.example\"}"};
    json_t *j = fed_actor_json(fx->fed, &a), *att, *dom;

    assert_non_null(j);
    att = json_object_get(j, "attachment");
    assert_int_equal(json_array_size(att), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(att, 1), "name")),
                        "Website");
    /* the link's text is its href (Mastodon verifies only such a link), both escaped */
    assert_string_equal(json_string_value(json_object_get(json_array_get(att, 1), "value")),
                        "<a href=\"https://www.city.example/?a=1&amp;b=&quot;2&quot;\" "
                        "rel=\"me nofollow noopener noreferrer\" target=\"_blank\">"
                        "https://www.city.example/?a=1&amp;b=&quot;2&quot;</a>");
    dom = json_object_get(j, "attributionDomains");
    assert_int_equal(json_array_size(dom), 2);
    assert_string_equal(json_string_value(json_array_get(dom, 0)), "www.city.example");
    assert_string_equal(json_string_value(json_array_get(dom, 1)), "news.city.example");
    json_decref(j);
    a.profile = (char *)(uintptr_t) "{}";
    j = fed_actor_json(fx->fed, &a);
    assert_int_equal(json_array_size(json_object_get(j, "attachment")), 1);
    assert_null(json_object_get(j, "attributionDomains"));
    json_decref(j);
}

static void accounts_json_lists_kind_parent_website_and_attestations(void **state)
{
    struct fixture *fx = *state;
    struct fed_doc d = {0};
    json_t *j, *acc;

    add_account(
        fx->st, "health",
        "{\"website\":\"https://www.city.example/\",\"website_verified_ms\":1000,"
        "\"website_checked_ms\":2000,\"attestations\":[{\"url\":\"https://reg.example/a/1\","
        "\"issuer\":\"https://reg.example/users/reg\",\"issuer_name\":\"Registry\","
        "\"kind\":\"agency\",\"valid_until_ms\":3000},{\"issuer\":\"no url: left out\"}]}");
    add_account(fx->st, "vaccines", "{\"parent\":\"health\"}");
    fed_accounts_doc(fx->fed, &d);
    assert_int_equal(d.status, 200);
    assert_string_equal(d.content_type, "application/json");
    j = json_loads(d.body, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "instance")), BASE);
    acc = json_object_get(j, "accounts");
    assert_int_equal(json_array_size(acc), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(acc, 0), "handle")),
                        "@health@social.city.example");
    assert_true(json_is_true(
        json_object_get(json_object_get(json_array_get(acc, 0), "website"), "verified")));
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(acc, 0), "website"), "verified_at")),
                        "1970-01-01T00:00:01Z");
    assert_int_equal(json_array_size(json_object_get(json_array_get(acc, 0), "attestations")), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(acc, 1), "parent")),
                        BASE "/users/health");
    assert_null(json_object_get(json_array_get(acc, 1), "website"));
    json_decref(j);
    fed_doc_fini(&d);
}

static void checking_an_unknown_account_or_one_without_website_stores_nothing(void **state)
{
    struct fixture *fx = *state;
    struct fed_website_result r;
    struct hr_err err = {0};

    assert_int_equal(fed_website_check(fx->fed, "nobody", &r, &err), HR_ENOTFOUND);
    assert_int_equal(fed_website_check(fx->fed, "../x", &r, &err), HR_ENOTFOUND);
    add_account(fx->st, "plain", "{}");
    assert_int_equal(fed_website_check(fx->fed, "plain", &r, &err), HR_EINVAL);
    assert_non_null(strstr(err.msg, "no website"));
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    struct fed_config cfg = {.domain = "social.city.example",
                             .base_url = BASE,
                             .json_max_depth = 64,
                             .json_max_string = 100000,
                             .json_max_items = 1000,
                             .fetch_max_bytes = 1 << 20};

    if (fx == NULL || fedfix_open(fx->dir, &fx->st, &fx->fed, "web", cfg) != 0)
        return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    if (fedfix_close(fx->dir, fx->st, fx->fed) != 0)
        return -1;
    free(fx);
    return 0;
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_rel_me_link_to_the_profile_url_is_found),
        cmocka_unit_test(a_link_element_with_rel_me_to_the_actor_id_is_found),
        cmocka_unit_test(
            rel_me_among_other_tokens_with_host_case_port_and_slash_differences_is_found),
        cmocka_unit_test(uppercase_rel_and_href_are_found),
        cmocka_unit_test(a_relative_href_is_resolved_against_the_page_url),
        cmocka_unit_test(links_to_other_actors_hosts_or_without_the_me_token_do_not_count),
        cmocka_unit_test(rel_me_in_comments_scripts_styles_templates_or_text_does_not_count),
        cmocka_unit_test(malformed_html_is_parsed_as_a_browser_would),
        cmocka_unit_test(only_text_html_pages_are_judged),
        cmocka_unit_test(a_page_over_one_mebibyte_is_refused_even_with_the_link),
        T(website_urls_are_https_or_loopback_http_on_a_test_instance),
        cmocka_unit_test(loopback_http_websites_need_allow_private),
        cmocka_unit_test(attribution_domains_are_normalised_host_names),
        T(the_actor_links_its_website_with_rel_me_and_lists_attribution_domains),
        T(accounts_json_lists_kind_parent_website_and_attestations),
        T(checking_an_unknown_account_or_one_without_website_stores_nothing),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
