/* federation/attachments.c - a Note's images as Mastodon sends and reads them: "attachment"
 * [{"type":"Document","mediaType","url","name": alt text,"blurhash","width","height"}]
 * (ActivityStreams Vocabulary §4 attachment, name; blurhash, width and height as in
 * Mastodon's ActivityPub::NoteSerializer; Mastodon reads them by name, so our @context,
 * set when the Note is signed (publish.c), does not declare toot:blurhash). The files are
 * our re-encodings (agency/images.c), served at BASE/media/SHA256.EXT.
 *
 * An edit is a whole new revision: the draft of an edit resends its images, so the Note's
 * attachments are IN's, and an edit without images has none (PREV is not consulted). */
#include "federation/fed_int.h"

#include <string.h>

static json_t *document(const struct fed *fed, const json_t *a)
{
    const char *type = json_string_value(json_object_get(a, "media_type"));
    const char *sha = json_string_value(json_object_get(a, "sha256"));
    const char *alt = json_string_value(json_object_get(a, "alt"));
    const char *hash = json_string_value(json_object_get(a, "blurhash"));
    char url[700];

    fed_media_url(fed, sha, type, url, sizeof url);
    if (url[0] == '\0' || alt == NULL)
        return NULL;
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:I}", "type", "Document", "mediaType", type,
                     "url", url, "name", alt, "blurhash", hash ? hash : "", "width",
                     json_integer_value(json_object_get(a, "width")), "height",
                     json_integer_value(json_object_get(a, "height")));
}

int fed_note_add_attachments(struct fed *fed, const char *name, const struct fed_post_input *in,
                             const json_t *prev, json_t *note, struct hr_err *err)
{
    json_t *list;
    const json_t *a;
    size_t i;

    (void)name, (void)prev;
    json_object_del(note, "attachment");
    if (json_array_size(in->attachments) == 0)
        return HR_OK;
    if ((list = json_array()) == NULL)
        return hr_fail(err, HR_ENOMEM, "attachment");
    json_array_foreach(in->attachments, i, a) {
        json_t *d = document(fed, a);
        if (d == NULL || json_array_append_new(list, d) != 0) {
            json_decref(list);
            return hr_fail(err, HR_EINVAL, "attachment %zu of the draft is malformed", i + 1);
        }
    }
    if (json_object_set_new(note, "attachment", list) != 0)
        return hr_fail(err, HR_ENOMEM, "attachment");
    return HR_OK;
}
