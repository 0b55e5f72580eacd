/* federation/website.c - an account's website in its actor document (issue 9 §5): the
 * profile keys "website" and "attribution_domains" are checked here, and the actor gets a
 * "Website" PropertyValue linking with rel="me" and toot:attributionDomains. Checking the
 * link back is federation/websitecheck.c. */
#include "federation/fed_int.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WEBSITE_URL_MAX 500
#define ATTRIBUTION_MAX 10

/* HOST as curl_url gives it ("[::1]" for IPv6) names a loopback address or localhost. */
static bool host_is_loopback(const char *host)
{
    char bare[64];
    unsigned char a[16];
    size_t n = strlen(host);

    if (hr_streq_ci(host, "localhost"))
        return true;
    if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof bare) {
        memcpy(bare, host + 1, n - 2);
        bare[n - 2] = '\0';
        return inet_pton(AF_INET6, bare, a) == 1 && memcmp(a, &in6addr_loopback, 16) == 0;
    }
    return inet_pton(AF_INET, host, a) == 1 && a[0] == 127;
}

/* The scheme rule: https, or http to a loopback host on a loopback-testing instance. */
static int website_scheme_ok(const struct fed *fed, const char *scheme, const char *host,
                             struct hr_err *err)
{
    if (hr_streq_ci(scheme, "https"))
        return HR_OK;
    if (hr_streq_ci(scheme, "http") && fed != NULL && fed->cfg.allow_private &&
        host_is_loopback(host))
        return HR_OK;
    return hr_fail(err, HR_EINVAL, "website must be an https URL%s",
                   fed != NULL && fed->cfg.allow_private ? " (or http on a loopback address)" : "");
}

int fed_website_url_check(const struct fed *fed, const char *url, char *out, size_t cap,
                          struct hr_err *err)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *user = NULL, *pass = NULL, *norm = NULL;
    int rc = HR_OK;

    if (u == NULL)
        return hr_fail(err, HR_ENOMEM, "website");
    if (url == NULL || strlen(url) > WEBSITE_URL_MAX)
        rc = hr_fail(err, HR_EINVAL, "website is longer than %d bytes", WEBSITE_URL_MAX);
    else if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
             curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
             curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
             curl_url_get(u, CURLUPART_URL, &norm, 0) != CURLUE_OK)
        rc = hr_fail(err, HR_EINVAL, "website is not an absolute URL");
    else if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
             curl_url_get(u, CURLUPART_PASSWORD, &pass, 0) == CURLUE_OK)
        rc = hr_fail(err, HR_EINVAL, "website must not carry a user name or password");
    else
        rc = website_scheme_ok(fed, scheme, host, err);
    if (rc == HR_OK && (size_t)snprintf(out, cap, "%s", norm) >= cap)
        rc = hr_fail(err, HR_EINVAL, "website is too long");
    curl_free(scheme);
    curl_free(host);
    curl_free(user);
    curl_free(pass);
    curl_free(norm);
    curl_url_cleanup(u);
    return rc;
}

int fed_attribution_domains_check(const char *in, char *out, size_t cap, struct hr_err *err)
{
    static const char ws[] = " \t";
    const char *p = in ? in : "";
    size_t used = 0, count = 0;
    char host[256], one[256];

    out[0] = '\0';
    while (*(p += strspn(p, ws)) != '\0') {
        size_t n = strcspn(p, ws);

        if (n >= sizeof one || ++count > ATTRIBUTION_MAX)
            return hr_fail(err, HR_EINVAL,
                           "attribution_domains: at most %d host names of "
                           "at most 253 bytes",
                           ATTRIBUTION_MAX);
        memcpy(one, p, n);
        one[n] = '\0';
        if (fed_host_normalise(one, host, sizeof host, NULL) != HR_OK)
            return hr_fail(err, HR_EINVAL, "attribution_domains: '%.60s' is not a host name", one);
        used += (size_t)snprintf(out + used, cap > used ? cap - used : 0, "%s%s", used ? " " : "",
                                 host);
        if (used >= cap)
            return hr_fail(err, HR_EINVAL, "attribution_domains is too long");
        p += n;
    }
    return HR_OK;
}

/* Mastodon verifies a remote field only when its value is one link whose text is its
 * href (app/models/account/field.rb, extract_url_from_html), then looks on that page for
 * rel="me" back to the actor's url: so the text is the URL itself, escaped like the href. */
static char *website_link_html(const char *site)
{
    struct hr_buf b;

    hr_buf_init(&b, 4096);
    hr_buf_adds(&b, "<a href=\"");
    hr_buf_add_html(&b, site, strlen(site));
    hr_buf_adds(&b, "\" rel=\"me nofollow noopener noreferrer\" target=\"_blank\">");
    hr_buf_add_html(&b, site, strlen(site));
    hr_buf_adds(&b, "</a>");
    if (b.err != HR_OK) {
        hr_buf_fini(&b);
        return NULL;
    }
    return hr_buf_take(&b);
}

static int add_website_field(json_t *actor, const char *site)
{
    json_t *att = json_object_get(actor, "attachment");
    char *html = website_link_html(site);
    json_t *field =
        html ? json_pack("{s:s,s:s,s:s}", "type", "PropertyValue", "name", "Website", "value", html)
             : NULL;
    int rc = HR_ENOMEM;

    free(html);
    if (field != NULL && json_is_array(att) && json_array_append_new(att, field) == 0)
        return HR_OK;
    if (field != NULL && att == NULL &&
        json_object_set_new(actor, "attachment", json_pack("[o]", field)) == 0)
        return HR_OK;
    json_decref(field);
    return rc;
}

/* Appends HOST to ARR unless present. */
static int host_add(json_t *arr, const char *host)
{
    size_t i;
    json_t *v;

    json_array_foreach(arr, i, v) if (strcmp(json_string_value(v), host) == 0) return HR_OK;
    return json_array_append_new(arr, json_string(host)) == 0 ? HR_OK : HR_ENOMEM;
}

/* toot:attributionDomains (Mastodon 4.4): the hosts whose pages may credit this account
 * as author: the website's host, then the admin's "attribution_domains". */
static int add_attribution(json_t *actor, const char *site, const char *extra)
{
    json_t *arr = json_array();
    char host[300], list[2600], *save = NULL;
    CURLU *u = curl_url();
    char *h = NULL;
    int rc = arr && u ? HR_OK : HR_ENOMEM;

    if (rc == HR_OK && site != NULL && curl_url_set(u, CURLUPART_URL, site, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK &&
        fed_host_normalise(h, host, sizeof host, NULL) == HR_OK)
        rc = host_add(arr, host); /* what fed_host_normalise refuses ([::1]) is left out */
    snprintf(list, sizeof list, "%s", extra ? extra : "");
    for (char *t = strtok_r(list, " ", &save); rc == HR_OK && t; t = strtok_r(NULL, " ", &save))
        rc = host_add(arr, t);
    if (rc == HR_OK && json_array_size(arr) > 0)
        rc = json_object_set(actor, "attributionDomains", arr) == 0 ? HR_OK : HR_ENOMEM;
    json_decref(arr);
    curl_free(h);
    curl_url_cleanup(u);
    return rc;
}

int fed_actor_add_website(struct fed *fed, const struct store_account *a, const json_t *profile,
                          json_t *actor)
{
    const char *site = json_string_value(json_object_get(profile, "website"));
    const char *extra = json_string_value(json_object_get(profile, "attribution_domains"));
    int rc = HR_OK;

    (void)fed;
    (void)a;
    if (site != NULL && site[0] != '\0')
        rc = add_website_field(actor, site);
    if (rc == HR_OK)
        rc = add_attribution(actor, site, extra);
    return rc;
}
