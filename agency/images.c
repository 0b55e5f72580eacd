/* agency/images.c - the images of a draft: each with its alt text (mandatory: public bodies
 * owe an accessible description; 1..1500 bytes of UTF-8, Mastodon's limit), decoded and
 * re-encoded (media/), then stored content-addressed with a 400-pixel preview
 * (agency/mediafiles.c). Everything is checked and processed first, in memory, and only
 * then written: one refused image means no file and no record for any of them. */
#include "agency/agency_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ALT_MAX 1500

struct processed {
    struct media_image full, preview;
};

static int alt_check(size_t i, const char *alt, struct hr_err *err)
{
    size_t n = alt ? strlen(alt) : 0;

    if (n == 0)
        return hr_fail(err, HR_EINVAL, "image %zu has no alt text: describe it for people "
                                       "who cannot see it (--alt TEXT after its --image)", i + 1);
    if (n > ALT_MAX)
        return hr_fail(err, HR_EINVAL, "image %zu: alt text is longer than %d bytes", i + 1,
                       ALT_MAX);
    if (!hr_utf8_valid(alt, n))
        return hr_fail(err, HR_EINVAL, "image %zu: alt text is not valid UTF-8", i + 1);
    return HR_OK;
}

int agency_media_read(const char *path, unsigned char **out, size_t *len, struct hr_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    size_t n = 0;
    ssize_t r = 1;
    int rc = HR_OK;

    *out = NULL;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
        rc = hr_fail(err, HR_EINVAL, "cannot read %.200s: %s", path,
                     fd < 0 ? strerror(errno) : "not a regular file");
    else if ((uint64_t)sb.st_size > MEDIA_INPUT_MAX)
        rc = hr_fail(err, HR_EINVAL, "%.200s: the image is over %u MiB", path,
                     MEDIA_INPUT_MAX >> 20);
    else if ((*out = malloc((size_t)sb.st_size + 1)) == NULL)
        rc = hr_fail(err, HR_ENOMEM, "reading %.200s", path);
    while (rc == HR_OK && n < (size_t)sb.st_size &&
           (r = read(fd, *out + n, (size_t)sb.st_size - n)) > 0)
        n += (size_t)r;
    if (rc == HR_OK && r < 0)
        rc = hr_fail(err, HR_EINVAL, "cannot read %.200s: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    if (rc != HR_OK) {
        free(*out);
        *out = NULL;
    }
    *len = n;
    return rc;
}

/* Image I of IN: alt checked, read, re-encoded full size and as a preview. */
static int process_one(const struct agency_draft_image *im, size_t i, struct processed *p,
                       struct hr_err *err)
{
    unsigned char *owned = NULL;
    const void *bytes = im->bytes;
    size_t len = im->len;
    struct hr_err e = {0};
    int rc = alt_check(i, im->alt, err);

    if (rc == HR_OK && im->path != NULL) {
        rc = agency_media_read(im->path, &owned, &len, &e);
        bytes = owned;
    }
    if (rc == HR_OK && bytes == NULL)
        rc = hr_fail(&e, HR_EINVAL, "no image data");
    if (rc == HR_OK)
        rc = media_process(bytes, len, MEDIA_ATTACHMENT, &p->full, &e);
    if (rc == HR_OK)
        rc = media_process(bytes, len, MEDIA_PREVIEW, &p->preview, &e);
    if (rc != HR_OK && e.msg[0] != '\0') /* alt_check wrote ERR itself */
        hr_fail(err, rc, "image %zu: %s", i + 1, e.msg);
    free(owned);
    return rc;
}

/* Stores P and returns its attachment entry with ALT. */
static int store_one(struct store *st, struct fed *fed, struct processed *p, const char *alt,
                     json_t *list, struct hr_err *err)
{
    json_t *full = NULL, *preview = NULL;
    int rc = agency_media_store(st, fed, &p->full, &full, err);

    if (rc == HR_OK)
        rc = agency_media_store(st, fed, &p->preview, &preview, err);
    if (rc == HR_OK &&
        (json_object_set_new(full, "alt", json_string(alt)) != 0 ||
         json_object_set(full, "preview_sha256", json_object_get(preview, "sha256")) != 0 ||
         json_array_append(list, full) != 0))
        rc = hr_fail(err, HR_ENOMEM, "attachments");
    json_decref(full);
    json_decref(preview);
    return rc;
}

int agency_draft_images(struct store *st, struct fed *fed, const char *account,
                        const struct agency_draft_input *in, json_t **out, struct hr_err *err)
{
    struct processed p[AGENCY_DRAFT_IMAGES_MAX] = {0};
    json_t *list = NULL;
    int rc = HR_OK;

    (void)account;
    *out = NULL;
    if (in->n_images == 0)
        return HR_OK;
    if (in->n_images > AGENCY_DRAFT_IMAGES_MAX)
        return hr_fail(err, HR_EINVAL, "at most %d images per post", AGENCY_DRAFT_IMAGES_MAX);
    if (fed == NULL)
        return hr_fail(err, HR_EINTERNAL, "images need the data directory");
    for (size_t i = 0; i < in->n_images && rc == HR_OK; i++)
        rc = process_one(&in->images[i], i, &p[i], err);
    if (rc == HR_OK && (list = json_array()) == NULL)
        rc = hr_fail(err, HR_ENOMEM, "attachments");
    for (size_t i = 0; i < in->n_images && rc == HR_OK; i++)
        rc = store_one(st, fed, &p[i], in->images[i].alt, list, err);
    for (size_t i = 0; i < AGENCY_DRAFT_IMAGES_MAX; i++) {
        media_image_fini(&p[i].full);
        media_image_fini(&p[i].preview);
    }
    if (rc == HR_OK)
        *out = list;
    else
        json_decref(list);
    return rc;
}
