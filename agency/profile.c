/* agency/profile.c - what an account shows of itself, set one key at a time through one
 * table: each key has its check and its apply, so the CLI and the API offer exactly the
 * same keys with the same rules. A change reaches followers' servers as Update(actor) in
 * the same transaction as the change itself. */
#include "agency/agency_int.h"
#include "federation/fed.h"
#include "store/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Inside one set: the account (private keys too: the record is rewritten whole) and its
 * parsed profile, which an apply changes. */
struct profile_edit {
    struct store_txn *txn;
    struct fed *fed;
    struct store_account a;
    json_t *profile;
    json_t *prepared; /* what a key's prepare made before the transaction, or NULL */
};

struct profile_key {
    const char *key;
    /* VALUE is NULL when clearing. Check, then change E; HR_EINVAL with a message. */
    int (*set)(struct profile_edit *e, const char *value, struct hr_err *err);
};

static int check_text(const char *what, const char *s, size_t max, struct hr_err *err)
{
    size_t n = s ? strlen(s) : 0;

    if (n > max)
        return hr_fail(err, HR_EINVAL, "%s is longer than %zu bytes", what, max);
    if (!hr_utf8_valid(s ? s : "", n))
        return hr_fail(err, HR_EINVAL, "%s is not valid UTF-8", what);
    return HR_OK;
}

/* Replaces the account string *FIELD by a copy of VALUE ("" when NULL). */
static int set_field(char **field, const char *value, struct hr_err *err)
{
    char *copy = strdup(value ? value : "");

    if (copy == NULL)
        return hr_fail(err, HR_ENOMEM, "profile");
    free(*field);
    *field = copy;
    return HR_OK;
}

static int set_display_name(struct profile_edit *e, const char *value, struct hr_err *err)
{
    if (check_text("display name", value, AGENCY_TEXT_MAX, err) != HR_OK)
        return HR_EINVAL;
    /* children show their parent's name (agency/kinds.c) */
    if (agency_children_rename(e->txn, e->fed, e->a.name, value ? value : e->a.name, err) != HR_OK)
        return HR_EIO;
    return set_field(&e->a.display_name, value, err);
}

static int set_summary(struct profile_edit *e, const char *value, struct hr_err *err)
{
    if (check_text("summary", value, AGENCY_TEXT_MAX, err) != HR_OK)
        return HR_EINVAL;
    return set_field(&e->a.summary, value, err);
}

/* "website" (issue 9 §5, federation/website.c): a new or changed website is unverified
 * until checked (herald serve checks it within seconds; herald website check at once);
 * the same one set again keeps its state and is checked again. */
static int set_website(struct profile_edit *e, const char *value, struct hr_err *err)
{
    const char *old = json_string_value(json_object_get(e->profile, "website"));
    char url[600];

    if (value != NULL && fed_website_url_check(e->fed, value, url, sizeof url, err) != HR_OK)
        return HR_EINVAL;
    json_object_del(e->profile, "website_checked_ms");
    if (value != NULL && old != NULL && strcmp(old, url) == 0)
        return HR_OK;
    json_object_del(e->profile, "website_verified_ms");
    json_object_del(e->profile, "website_result");
    if (value == NULL)
        return json_object_del(e->profile, "website") == 0 || old == NULL ? HR_OK : HR_ENOMEM;
    if (json_object_set_new(e->profile, "website", json_string(url)) != 0)
        return hr_fail(err, HR_ENOMEM, "profile");
    return HR_OK;
}

/* "attribution_domains": extra hosts for toot:attributionDomains, space-separated. */
static int set_attribution_domains(struct profile_edit *e, const char *value,
                                   struct hr_err *err)
{
    char list[2600];

    if (value == NULL) {
        json_object_del(e->profile, "attribution_domains");
        return HR_OK;
    }
    if (fed_attribution_domains_check(value, list, sizeof list, err) != HR_OK)
        return HR_EINVAL;
    if (json_object_set_new(e->profile, "attribution_domains", json_string(list)) != 0)
        return hr_fail(err, HR_ENOMEM, "profile");
    return HR_OK;
}

/* Imported attestations are written only by herald attest import, after their check
 * (agency/attest.c); here they can only be cleared, e.g. when the agency no longer wants
 * one shown. */
static int set_attestations(struct profile_edit *e, const char *value, struct hr_err *err)
{
    if (value != NULL)
        return hr_fail(err, HR_EINVAL,
                       "attestations are added with herald attest import URL (checked); "
                       "account set NAME attestations without a value clears them");
    (void)json_object_del(e->profile, "attestations"); /* absent: already clear */
    return HR_OK;
}

static int set_parent(struct profile_edit *e, const char *value, struct hr_err *err)
{
    return agency_parent_apply(e->txn, &e->a, e->profile, value, err);
}

/* "language" (issue #10): the default language of the account's posts, a BCP 47 tag;
 * a draft without --lang takes it (agency_draft_language). */
static int set_language(struct profile_edit *e, const char *value, struct hr_err *err)
{
    if (value == NULL) {
        (void)json_object_del(e->profile, "language");
        return HR_OK;
    }
    if (!agency_language_valid(value))
        return hr_fail(err, HR_EINVAL, "language: a BCP 47 tag such as en, zh or de-CH");
    if (json_object_set_new(e->profile, "language", json_string(value)) != 0)
        return hr_fail(err, HR_ENOMEM, "profile");
    return HR_OK;
}

/* "avatar" and "header" (issue #10): VALUE is the image file, standard base64 (the CLI
 * reads the file and encodes it; the API takes it so in JSON). It is decoded, checked and
 * re-encoded (media/: 400x400 and 1500x500, cropped around the centre, metadata dropped)
 * and stored content-addressed before the transaction; the profile keeps
 * {"sha256","media_type","width","height","blurhash"} (docs/storage.md). */
static int prepare_image(struct store *st, struct profile_edit *e, const char *value,
                         enum media_kind kind, struct hr_err *err)
{
    size_t len = 0;
    unsigned char *bytes = NULL;
    struct media_image img = {0};
    int rc;

    if (value == NULL || value[0] == '\0')
        return HR_OK; /* clearing */
    rc = agency_media_b64_decode(value, &bytes, &len, err);
    if (rc == HR_OK)
        rc = media_process(bytes, len, kind, &img, err);
    if (rc == HR_OK)
        rc = agency_media_store(st, e->fed, &img, &e->prepared, err);
    if (rc == HR_OK)
        json_object_del(e->prepared, "size");
    media_image_fini(&img);
    free(bytes);
    return rc;
}

static int prepare_avatar(struct store *st, struct profile_edit *e, const char *value,
                          struct hr_err *err)
{
    return prepare_image(st, e, value, MEDIA_AVATAR, err);
}

static int prepare_header(struct store *st, struct profile_edit *e, const char *value,
                          struct hr_err *err)
{
    return prepare_image(st, e, value, MEDIA_HEADER, err);
}

/* Sets or clears profile key KEY from E->prepared. */
static int set_image(struct profile_edit *e, const char *key, struct hr_err *err)
{
    if (e->prepared == NULL) {
        json_object_del(e->profile, key);
        return HR_OK;
    }
    if (json_object_set(e->profile, key, e->prepared) != 0)
        return hr_fail(err, HR_ENOMEM, "profile");
    return HR_OK;
}

/* "field" (issue #10): one labelled profile field added, changed or removed; VALUE is
 * {"name": LABEL, "value": TEXT} as JSON text (agency/fields.c); none clears them all. */
static int set_fields(struct profile_edit *e, const char *value, struct hr_err *err)
{
    return agency_fields_apply(e->profile, value, err);
}

static int set_avatar(struct profile_edit *e, const char *value, struct hr_err *err)
{
    (void)value;
    return set_image(e, "avatar", err);
}

static int set_header(struct profile_edit *e, const char *value, struct hr_err *err)
{
    (void)value;
    return set_image(e, "header", err);
}

/* "replies" (issue #11): whether the post pages show citizens' replies (publicly
 * addressed ones only, sanitised); "shown" or "hidden", cleared is hidden: each account
 * opts in, since what strangers write then appears on the agency's own domain. */
static int set_replies(struct profile_edit *e, const char *value, struct hr_err *err)
{
    if (value == NULL) {
        (void)json_object_del(e->profile, "replies"); /* absent: already hidden */
        return HR_OK;
    }
    if (strcmp(value, "shown") != 0 && strcmp(value, "hidden") != 0)
        return hr_fail(err, HR_EINVAL, "replies is shown or hidden, not '%.40s'", value);
    if (json_object_set_new(e->profile, "replies", json_string(value)) != 0)
        return hr_fail(err, HR_ENOMEM, "profile");
    return HR_OK;
}

static const struct profile_key keys_table[] = {
    {"display_name", set_display_name},
    {"summary", set_summary},
    {"website", set_website},
    {"attribution_domains", set_attribution_domains},
    {"attestations", set_attestations},
    {"parent", set_parent},
    {"language", set_language},
    {"field", set_fields},
    {"avatar", set_avatar},
    {"header", set_header},
    {"replies", set_replies},
};
#define N_KEYS (sizeof keys_table / sizeof keys_table[0])

/* Keys with work to do before the transaction (image decoding, files): fills E->prepared,
 * which their set then applies. */
static const struct {
    const char *key;
    int (*prepare)(struct store *st, struct profile_edit *e, const char *value,
                   struct hr_err *err);
} prepares[] = {
    {"avatar", prepare_avatar},
    {"header", prepare_header},
};

static int key_prepare(struct store *st, struct profile_edit *e, const char *key,
                       const char *value, struct hr_err *err)
{
    for (size_t i = 0; i < sizeof prepares / sizeof prepares[0]; i++)
        if (strcmp(prepares[i].key, key) == 0)
            return prepares[i].prepare(st, e, value, err);
    return HR_OK;
}

void agency_profile_keys(char *out, size_t cap)
{
    size_t n = 0;

    if (cap > 0)
        out[0] = '\0';
    for (size_t i = 0; i < N_KEYS && n < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? ", " : "", keys_table[i].key);
}

static const struct profile_key *key_find(const char *key)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (key != NULL && strcmp(keys_table[i].key, key) == 0)
            return &keys_table[i];
    return NULL;
}

static int edit_begin(struct store *st, const char *name, struct profile_edit *e,
                      struct hr_err *err)
{
    json_error_t je;
    int rc = store_txn_begin(st, STORE_WRITE, &e->txn, err);

    if (rc == HR_OK)
        rc = store_account_get_private(e->txn, name, &e->a, err);
    if (rc == HR_OK) {
        e->profile = json_loads(e->a.profile ? e->a.profile : "{}", 0, &je);
        if (!json_is_object(e->profile))
            rc = hr_fail(err, HR_EIO, "account %s: stored profile is not a JSON object", name);
    }
    return rc;
}

/* Stores the edited account, audits the change, announces it. */
static int edit_commit(struct profile_edit *e, const char *by, const char *key,
                       const char *value, struct hr_err *err)
{
    char *text = json_dumps(e->profile, JSON_COMPACT | JSON_SORT_KEYS);
    char details[200];
    int rc = text ? set_field(&e->a.profile, text, err) : hr_fail(err, HR_ENOMEM, "profile");

    free(text);
    /* the audit names the key, not the value: values can be long or personal */
    snprintf(details, sizeof details, "%s %s", key, value && *value ? "set" : "cleared");
    if (rc == HR_OK)
        rc = store_account_put(e->txn, &e->a, err);
    if (rc == HR_OK)
        rc = agency_audit(e->txn, by, "account.profile", e->a.name, details, err);
    if (rc == HR_OK && e->fed != NULL)
        rc = fed_actor_update_queue(e->fed, e->txn, e->a.name, err);
    if (rc == HR_OK) {
        rc = store_txn_commit(e->txn, err);
        e->txn = NULL;
    }
    return rc;
}

int agency_account_set(struct store *st, struct fed *fed, const char *by, const char *name,
                       const char *key, const char *value, struct hr_err *err)
{
    const struct profile_key *k = key_find(key);
    struct profile_edit e = {.fed = fed};
    char known[400];
    int rc;

    if (k == NULL) {
        agency_profile_keys(known, sizeof known);
        return hr_fail(err, HR_EINVAL, "unknown profile key '%.40s': use %s",
                       key ? key : "", known);
    }
    rc = agency_may(st, by, AGENCY_ACCOUNT_PROFILE, name, NULL, err);
    if (rc == HR_OK)
        rc = key_prepare(st, &e, key, value, err);
    if (rc == HR_OK)
        rc = edit_begin(st, name, &e, err);
    if (rc == HR_OK)
        rc = k->set(&e, value && *value ? value : NULL, err);
    if (rc == HR_OK)
        rc = edit_commit(&e, by, key, value, err);
    if (rc == HR_OK && fed != NULL)
        fed_wake(fed);
    store_txn_abort(e.txn);
    json_decref(e.profile);
    json_decref(e.prepared);
    store_account_fini(&e.a);
    return rc;
}
