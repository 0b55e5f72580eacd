/* server/media_masto.c - images in Mastodon's client API entities (server/mastoapi.c), read
 * back from our ActivityPub documents so both faces always agree: an Account's avatar and
 * header from the actor's icon and image, a Status's media_attachments from the Note's
 * attachment (Mastodon's MediaAttachment entity; docs.joinmastodon.org/entities/
 * MediaAttachment). Our files are never animated, so *_static is the same URL. */
#include "server/media_front.h"

#include <stdint.h>
#include <string.h>

void masto_account_media(const json_t *actor, json_t *account)
{
    static const char *const map[][3] = {{"icon", "avatar", "avatar_static"},
                                         {"image", "header", "header_static"}};

    for (size_t i = 0; i < 2; i++) {
        const json_t *url = json_object_get(json_object_get(actor, map[i][0]), "url");
        if (!json_is_string(url))
            continue;
        json_object_set(account, map[i][1], (json_t *)(uintptr_t)url);
        json_object_set(account, map[i][2], (json_t *)(uintptr_t)url);
    }
}

/* {"width","height","size":"WxH","aspect"} of a Document. */
static json_t *meta_of(const json_t *doc)
{
    json_int_t w = json_integer_value(json_object_get(doc, "width"));
    json_int_t h = json_integer_value(json_object_get(doc, "height"));
    char size[48];

    snprintf(size, sizeof size, "%lldx%lld", (long long)w, (long long)h);
    return json_pack("{s:{s:I,s:I,s:s,s:f}}", "original", "width", w, "height", h, "size",
                     size, "aspect", h > 0 ? (double)w / (double)h : 1.0);
}

static json_t *attachment_of(const json_t *doc)
{
    const json_t *url = json_object_get(doc, "url");
    const char *u = json_string_value(url), *slash = u ? strrchr(u, '/') : NULL;
    char id[65];

    if (slash == NULL || strlen(slash + 1) < 64)
        return NULL;
    snprintf(id, sizeof id, "%.64s", slash + 1); /* the file's SHA-256 */
    return json_pack("{s:s,s:s,s:O,s:O,s:n,s:n,s:n,s:o,s:O,s:O}", "id", id, "type", "image",
                     "url", url, "preview_url", url, "remote_url", "preview_remote_url",
                     "text_url", "meta", meta_of(doc), "description",
                     json_object_get(doc, "name"), "blurhash", json_object_get(doc, "blurhash"));
}

void masto_status_media(const json_t *note, json_t *status)
{
    json_t *list = json_array();
    const json_t *doc;
    size_t i;

    json_array_foreach(json_object_get(note, "attachment"), i, doc) {
        json_t *a = json_is_object(doc) ? attachment_of(doc) : NULL;
        if (a != NULL)
            json_array_append_new(list, a);
    }
    if (list != NULL)
        json_object_set_new(status, "media_attachments", list);
}
