/* federation/attactor.c - what the actor document shows of the attestations an account
 * imported (profile key "attestations", written by herald attest import after checking):
 * a PropertyValue per attestation that Mastodon and other clients show as a profile
 * field, and the "attestations" links a verifier follows (docs/FEDERATION.md). The field
 * says only who attests; a verifier checks the linked credential itself. */
#include "federation/fed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "Issuer Name (host)": the name alone could imitate another issuer; the host cannot. */
static void issuer_text(const json_t *e, char *out, size_t cap)
{
    const char *name = json_string_value(json_object_get(e, "issuer_name"));
    const char *issuer = json_string_value(json_object_get(e, "issuer"));
    char host[256] = "";

    if (issuer == NULL || fed_url_host(issuer, host, sizeof host, NULL) != HR_OK)
        snprintf(host, sizeof host, "?");
    if (name != NULL && strcmp(name, issuer ? issuer : "") != 0)
        snprintf(out, cap, "%s (%s)", name, host);
    else
        snprintf(out, cap, "%s", host);
}

/* The field: English name, Chinese link text (both name the issuer). */
static json_t *field(const json_t *e)
{
    const char *url = json_string_value(json_object_get(e, "url"));
    char who[400], label[500];
    struct hr_buf v;
    json_t *f = NULL;

    issuer_text(e, who, sizeof who);
    snprintf(label, sizeof label, "Verified official account \xe2\x80\x94 attested by %s", who);
    hr_buf_init(&v, 4096);
    hr_buf_adds(&v, "<a href=\"");
    hr_buf_add_html(&v, url, strlen(url));
    hr_buf_adds(&v, "\" rel=\"nofollow noopener noreferrer\" target=\"_blank\">"
                    "\xe5\xb7\xb2\xe8\xae\xa4\xe8\xaf\x81\xe5\xae\x98\xe6\x96\xb9\xe8\xb4\xa6"
                    "\xe5\x8f\xb7\xe2\x80\x94\xe2\x80\x94\xe7\x94\xb1");
    hr_buf_add_html(&v, who, strlen(who));
    hr_buf_adds(&v, "\xe8\xae\xa4\xe8\xaf\x81</a>");
    if (v.err == HR_OK)
        f = json_pack("{s:s,s:s,s:s}", "type", "PropertyValue", "name", label, "value", v.data);
    hr_buf_fini(&v);
    return f;
}

/* The "attestations" term, in the inline object of the actor's @context. */
static int add_term(json_t *actor)
{
    json_t *ctx = json_object_get(actor, "@context"), *v;
    size_t i;

    json_array_foreach(ctx, i, v) if (json_is_object(v)) return json_object_set_new(
        v, "attestations",
        json_pack("{s:s,s:s}", "@id", FED_HERALD_NS "attestations", "@type", "@id")) == 0
        ? HR_OK
        : HR_ENOMEM;
    return HR_OK;
}

int fed_actor_add_attestations(struct fed *fed, const struct store_account *a,
                               const json_t *profile, json_t *actor)
{
    const json_t *list = json_object_get(profile, "attestations"), *e;
    json_t *att = json_object_get(actor, "attachment"), *links;
    size_t i;
    int rc = HR_OK;

    (void)fed;
    (void)a;
    if (json_array_size(list) == 0)
        return HR_OK;
    if (!json_is_array(att)) {
        att = json_array();
        if (att == NULL || json_object_set_new(actor, "attachment", att) != 0)
            return HR_ENOMEM;
    }
    links = json_array();
    json_array_foreach(list, i, e)
    {
        if (!json_is_string(json_object_get(e, "url")) || rc != HR_OK)
            continue;
        rc = json_array_append_new(att, field(e)) == 0 &&
                     json_array_append(links, json_object_get(e, "url")) == 0
                 ? HR_OK
                 : HR_ENOMEM;
    }
    if (rc == HR_OK && (links == NULL || json_object_set(actor, "attestations", links) != 0))
        rc = HR_ENOMEM;
    json_decref(links);
    return rc == HR_OK ? add_term(actor) : rc;
}
