/* federation/actor_media.c - an account's avatar and header on its actor, as Mastodon reads
 * them: "icon" and "image", each {"type":"Image","mediaType":..,"url":..} (ActivityStreams
 * Vocabulary §4 icon, image). The files are ours, re-encoded (media/), content-addressed
 * under DATA_DIR/media and served at BASE/media/SHA256.EXT (server/media_http.c). */
#include "federation/fed_int.h"

#include <stdio.h>
#include <string.h>

const char *fed_data_dir(const struct fed *fed)
{
    return fed->data_dir;
}

const char *fed_media_ext(const char *media_type)
{
    static const char *const map[][2] = {
        {"image/jpeg", "jpg"}, {"image/png", "png"}, {"image/webp", "webp"}, {"image/gif", "gif"}};

    for (size_t i = 0; media_type != NULL && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i][0], media_type) == 0)
            return map[i][1];
    return NULL;
}

void fed_media_url(const struct fed *fed, const char *sha256, const char *media_type,
                   char *out, size_t cap)
{
    const char *ext = fed_media_ext(media_type);

    if (ext == NULL || sha256 == NULL || strlen(sha256) != 64)
        snprintf(out, cap, "%s", "");
    else
        snprintf(out, cap, "%s/media/%s.%s", fed->base_url, sha256, ext);
}

/* {"type":"Image","mediaType":..,"url":..} for the profile's KEY, or NULL. */
static json_t *image_of(const struct fed *fed, const json_t *profile, const char *key)
{
    const json_t *m = json_object_get(profile, key);
    const char *type = json_string_value(json_object_get(m, "media_type"));
    char url[700];

    fed_media_url(fed, json_string_value(json_object_get(m, "sha256")), type, url, sizeof url);
    if (url[0] == '\0')
        return NULL;
    return json_pack("{s:s,s:s,s:s}", "type", "Image", "mediaType", type, "url", url);
}

int fed_actor_add_media(struct fed *fed, const struct store_account *a, const json_t *profile,
                        json_t *actor)
{
    static const char *const keys[][2] = {{"avatar", "icon"}, {"header", "image"}};

    (void)a;
    for (size_t i = 0; i < 2; i++) {
        json_t *img = image_of(fed, profile, keys[i][0]);
        if (img != NULL && json_object_set_new(actor, keys[i][1], img) != 0)
            return HR_ENOMEM;
    }
    return HR_OK;
}
