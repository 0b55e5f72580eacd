/* federation/tags.c - a Note's hashtags, mentions and language (issue #10), in Mastodon's
 * shapes (app/serializers/activitypub/note_serializer.rb): content with the tags and
 * mentions linked, "tag" with a Hashtag per distinct tag and a Mention per mentioned
 * actor, every mentioned actor addressed in "cc", "contentMap" {LANGUAGE: content}; and
 * the delivery of the post to mentioned actors who do not get it as followers. */
#include "federation/fed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Mastodon's (app/lib/activitypub/adapter.rb): "Hashtag" is not an AS2 context term, so
 * without it a JSON-LD reader (Fedify) reads the type as a blank-node IRI and drops the
 * tag. The data-integrity context comes second (proof.c adds it there otherwise); these
 * terms after it redefine none of its protected ones. */
json_t *fed_note_context(void)
{
    return json_pack("[s,s,{s:s,s:s,s:s,s:s,s:s,s:{s:s,s:s}}]", FED_AS_CONTEXT, FED_DI_CONTEXT,
                     "Hashtag", "as:Hashtag", "sensitive", "as:sensitive", "toot",
                     "http://joinmastodon.org/ns#", "votersCount", "toot:votersCount", "blurhash",
                     "toot:blurhash", "focalPoint", "@container", "@list", "@id",
                     "toot:focalPoint");
}

const json_t *fed_mention_find(const json_t *mentions, const char *acct, size_t len)
{
    const json_t *m;
    size_t i;

    json_array_foreach(mentions, i, m)
    {
        const char *a = json_string_value(json_object_get(m, "acct"));
        if (a != NULL && strlen(a) == len && strncasecmp(a, acct, len) == 0)
            return m;
    }
    return NULL;
}

char *fed_note_html(struct fed *fed, const struct fed_post_input *in)
{
    struct fed_text_links l = {.base = fed->base_url, .mentions = in->mentions};

    return fed_text_to_html_links(in->text, &l);
}

/* {"type":"Hashtag","href":BASE/tags/NAME,"name":"#Name"}, NAME lower-cased. */
static json_t *hashtag(struct fed *fed, const char *p, size_t len)
{
    char *norm = fed_hashtag_norm(p, len), *esc = norm ? fed_url_escape(norm) : NULL;
    json_t *t = NULL;
    struct hr_buf href, name;

    hr_buf_init(&href, 4096);
    hr_buf_init(&name, 1024);
    hr_buf_addf(&href, "%s/tags/%s", fed->base_url, esc ? esc : "");
    hr_buf_adds(&name, "#");
    hr_buf_add(&name, p, len);
    if (esc != NULL && href.err == HR_OK && name.err == HR_OK)
        t = json_pack("{s:s,s:s,s:s}", "type", "Hashtag", "href", href.data, "name", name.data);
    hr_buf_fini(&href);
    hr_buf_fini(&name);
    free(norm);
    free(esc);
    return t;
}

/* The distinct hashtags of TEXT, in order of first use, appended to TAGS. */
static int add_hashtags(struct fed *fed, const char *text, json_t *tags, struct hr_err *err)
{
    struct fed_strset seen = {0};
    struct fed_entity e;
    size_t n = strlen(text), from = 0;
    int rc = HR_OK;

    while (rc == HR_OK && fed_entity_next(text, n, from, &e)) {
        from = e.start + e.len;
        if (e.kind != FED_ENTITY_HASHTAG)
            continue;
        char *norm = fed_hashtag_norm(text + e.start + 1, e.len - 1);
        int added = norm ? fed_strset_add(&seen, norm) : HR_ENOMEM;
        if (added == HR_OK &&
            json_array_append_new(tags, hashtag(fed, text + e.start + 1, e.len - 1)) != 0)
            added = HR_ENOMEM;
        if (added == HR_ENOMEM)
            rc = hr_fail(err, HR_ENOMEM, "hashtags");
        free(norm);
    }
    fed_strset_fini(&seen);
    return rc;
}

/* One Mention per resolved mention (the draft resolved each distinct one once). */
static int add_mentions(const json_t *mentions, json_t *tags, struct hr_err *err)
{
    const json_t *m;
    size_t i;

    json_array_foreach(mentions, i, m)
    {
        const char *acct = json_string_value(json_object_get(m, "acct"));
        const char *href = json_string_value(json_object_get(m, "href"));
        struct hr_buf name;
        json_t *t;

        if (acct == NULL || href == NULL)
            continue;
        hr_buf_init(&name, FED_ACCT_MAX + 2);
        hr_buf_addf(&name, "@%s", acct);
        t = name.err == HR_OK
                ? json_pack("{s:s,s:s,s:s}", "type", "Mention", "href", href, "name", name.data)
                : NULL;
        hr_buf_fini(&name);
        if (t == NULL || json_array_append_new(tags, t) != 0)
            return hr_fail(err, HR_ENOMEM, "mentions");
    }
    return HR_OK;
}

static bool is_type(const json_t *t, const char *type)
{
    const char *s = json_string_value(json_object_get(t, "type"));

    return s != NULL && strcmp(s, type) == 0;
}

static bool in_list(const json_t *list, const char *s)
{
    const json_t *v;
    size_t i;

    json_array_foreach(list, i, v) if (json_is_string(v) &&
                                       strcmp(json_string_value(v), s) == 0) return true;
    return false;
}

/* cc: the mentions of PREV (an edit) no longer mentioned leave it; every mention of TAGS
 * not yet in to or cc joins it (a direct message has them in to already). */
static void address_mentions(json_t *note, const json_t *prev, const json_t *tags)
{
    json_t *cc = json_object_get(note, "cc"), *to = json_object_get(note, "to");
    const json_t *t;
    size_t i;

    if (!json_is_array(cc))
        json_object_set_new(note, "cc", cc = json_array());
    json_array_foreach(json_object_get(prev, "tag"), i, t)
    {
        const char *href = json_string_value(json_object_get(t, "href"));
        if (!is_type(t, "Mention") || href == NULL)
            continue;
        for (size_t j = json_array_size(cc); j-- > 0;)
            if (json_is_string(json_array_get(cc, j)) &&
                strcmp(json_string_value(json_array_get(cc, j)), href) == 0)
                json_array_remove(cc, j);
    }
    json_array_foreach(tags, i, t)
    {
        const char *href = json_string_value(json_object_get(t, "href"));
        if (is_type(t, "Mention") && href != NULL && !in_list(to, href) && !in_list(cc, href))
            json_array_append_new(cc, json_string(href));
    }
}

/* The tags of NOTE that are not ours to set (a quote's Link), then ours. */
static json_t *kept_tags(const json_t *note)
{
    json_t *tags = json_array();
    const json_t *t;
    size_t i;

    json_array_foreach(json_object_get(note, "tag"), i, t)
    {
        if (!is_type(t, "Hashtag") && !is_type(t, "Mention"))
            json_array_append(tags, (json_t *)(uintptr_t)t);
    }
    return tags;
}

static void set_content_map(json_t *note, const char *language)
{
    const json_t *content = json_object_get(note, "content");

    if (language == NULL || language[0] == '\0' || strcmp(language, "und") == 0 ||
        !json_is_string(content))
        json_object_del(note, "contentMap");
    else
        json_object_set_new(note, "contentMap",
                            json_pack("{s:O}", language, (json_t *)(uintptr_t)content));
}

int fed_note_add_tags(struct fed *fed, const char *name, const struct fed_post_input *in,
                      const json_t *prev, json_t *note, struct hr_err *err)
{
    json_t *tags = kept_tags(note);
    int rc = tags ? HR_OK : hr_fail(err, HR_ENOMEM, "tags");

    (void)name;
    if (rc == HR_OK && in->text != NULL)
        rc = add_hashtags(fed, in->text, tags, err);
    if (rc == HR_OK)
        rc = add_mentions(in->mentions, tags, err);
    if (rc == HR_OK) {
        address_mentions(note, prev, tags);
        if (json_array_size(tags) > 0)
            json_object_set(note, "tag", tags);
        else
            json_object_del(note, "tag");
        set_content_map(note, in->language);
    }
    json_decref(tags);
    return rc;
}

/* ---- delivery to mentioned actors ---- */

static int follower_inbox(const struct store_follower *f, void *ctx)
{
    const char *inbox = f->shared_inbox[0] != '\0' ? f->shared_inbox : f->inbox;
    int rc = fed_strset_add(ctx, inbox);

    return rc == HR_EEXIST ? HR_OK : rc;
}

/* The inboxes of mentioned actor HREF: from the draft's resolved MENTIONS, else from the
 * cache of remote actors (a Delete has no draft). false when unknown or local (our own
 * accounts are not sent our posts over HTTP). */
static bool mention_inbox(struct store_txn *txn, const json_t *mentions, const char *href,
                          char *inbox, char *shared, size_t cap)
{
    struct store_remote_actor r = {0};
    const json_t *m;
    size_t i;

    inbox[0] = shared[0] = '\0';
    json_array_foreach(mentions, i, m)
    {
        const char *h = json_string_value(json_object_get(m, "href"));
        if (h != NULL && strcmp(h, href) == 0) {
            const char *in = json_string_value(json_object_get(m, "inbox"));
            const char *sh = json_string_value(json_object_get(m, "shared_inbox"));
            snprintf(inbox, cap, "%s", in ? in : "");
            snprintf(shared, cap, "%s", sh ? sh : "");
            return inbox[0] != '\0';
        }
    }
    if (store_remote_actor_get(txn, href, &r, NULL) == HR_OK) {
        snprintf(inbox, cap, "%s", r.inbox ? r.inbox : "");
        snprintf(shared, cap, "%s", r.shared_inbox ? r.shared_inbox : "");
    }
    store_remote_actor_fini(&r);
    return inbox[0] != '\0';
}

/* One job per inbox a mentioned actor reads (its shared inbox first) that the followers'
 * fan-out did not already get: a mentioned follower is not sent the activity twice. */
int fed_note_deliver_mentions(struct store_txn *txn, const char *account, const char *activity_id,
                              const json_t *note, const json_t *mentions, struct hr_err *err)
{
    struct fed_strset sent = {0};
    char inbox[FED_ID_MAX + 1], shared[FED_ID_MAX + 1];
    const json_t *t;
    size_t i;
    int rc = HR_OK;

    if (!json_is_array(json_object_get(note, "tag")))
        return HR_OK;
    if (fed_note_to_followers(note))
        rc = store_follower_each(txn, account, NULL, SIZE_MAX, follower_inbox, &sent, err);
    json_array_foreach(json_object_get(note, "tag"), i, t)
    {
        const char *href = json_string_value(json_object_get(t, "href"));
        if (rc != HR_OK || !is_type(t, "Mention") || href == NULL ||
            !mention_inbox(txn, mentions, href, inbox, shared, sizeof inbox))
            continue;
        int added = fed_strset_add(&sent, shared[0] ? shared : inbox);
        if (added == HR_OK)
            rc = fed_enqueue(txn, account, activity_id, shared[0] ? shared : inbox,
                             shared[0] ? "" : href, err);
        else if (added != HR_EEXIST)
            rc = hr_fail(err, HR_ENOMEM, "mention delivery");
    }
    fed_strset_fini(&sent);
    return rc;
}
