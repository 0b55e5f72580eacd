/* server/media_http.c - our media files over HTTP, and images in admin API bodies. A media
 * name is checked character by character before it becomes a path, so nothing but
 * DATA_DIR/media/AB/SHA256.EXT is ever opened ("../", "%2F", NUL never get that far). The
 * files are our own re-encodings (media/), served with their real type, nosniff, and a
 * CSP that sandboxes one opened as a document. */
#include "server/media_front.h"
#include "server/admin.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const types[][2] = {
    {"jpg", "image/jpeg"}, {"png", "image/png"}, {"webp", "image/webp"}, {"gif", "image/gif"}};

/* NAME = 64 lowercase hex digits, ".", one of our extensions: its media type, or NULL. */
static const char *name_type(const char *name)
{
    size_t i = 0;

    while (i < 64 && ((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
        i++;
    if (i != 64 || name[64] != '.')
        return NULL;
    for (size_t k = 0; k < sizeof types / sizeof types[0]; k++)
        if (strcmp(name + 65, types[k][0]) == 0)
            return types[k][1];
    return NULL;
}

static enum MHD_Result reply_file(struct http_req *r, int fd, uint64_t size, const char *type,
                                  const char *etag)
{
    const char *inm = http_header(r, "If-None-Match");
    bool fresh = inm != NULL && strstr(inm, etag) != NULL;
    struct MHD_Response *resp = fresh ? MHD_create_response_from_buffer(0, NULL,
                                                                        MHD_RESPMEM_PERSISTENT)
                                      : MHD_create_response_from_fd(size, fd);
    enum MHD_Result ret;

    if (fresh)
        close(fd);
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "ETag", etag);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Cache-Control", "public, max-age=31536000, immutable");
    MHD_add_response_header(resp, "Content-Security-Policy", "default-src 'none'; sandbox");
    MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
    ret = MHD_queue_response(r->conn, fresh ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK, resp);
    r->replied = true;
    MHD_destroy_response(resp);
    return ret;
}

enum MHD_Result media_http_get(struct http_req *r)
{
    const char *name = r->url + strlen("/media/");
    const char *type = name_type(name);
    char path[4200], etag[70];
    struct stat sb;
    int fd;

    if (type == NULL)
        return http_reply_error(r, 404, "not_found", "no such media file");
    snprintf(path, sizeof path, "%s/media/%.2s/%s", r->app->data_dir, name, name);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        if (fd >= 0)
            close(fd);
        return http_reply_error(r, 404, "not_found", "no such media file");
    }
    snprintf(etag, sizeof etag, "\"%.64s\"", name); /* the name is the content's hash */
    return reply_file(r, fd, (uint64_t)sb.st_size, type, etag);
}

/* Whether METHOD URL is an admin route whose body may carry images. */
static bool carries_images(const char *method, const char *url)
{
    const char *p = url + strlen(ADMIN_PREFIX), *slash;
    size_t n = strlen(url);

    if (strcmp(method, "POST") != 0 || strncmp(url, ADMIN_PREFIX, strlen(ADMIN_PREFIX)) != 0)
        return false;
    if (strcmp(p, "drafts") == 0 || (strncmp(p, "drafts/", 7) == 0 && n > 5 &&
                                     strcmp(url + n - 5, "/edit") == 0))
        return true;
    slash = strncmp(p, "accounts/", 9) == 0 ? strchr(p + 9, '/') : NULL;
    return slash != NULL && strcmp(slash, "/profile") == 0;
}

uint64_t media_http_body_limit(const struct app *app, const char *method, const char *url)
{
    uint64_t base = app->cfg.inbox_max_body, media = app->cfg.media_max_body;

    return carries_images(method, url) && media > base ? media : base;
}

void media_api_images_free(unsigned char *owned[AGENCY_DRAFT_IMAGES_MAX])
{
    for (size_t i = 0; i < AGENCY_DRAFT_IMAGES_MAX; i++) {
        free(owned[i]);
        owned[i] = NULL;
    }
}

/* {"data": BASE64, "alt": TEXT} into IN's image I (bytes in *OWNED). */
static int api_image(const json_t *im, size_t i, struct agency_draft_input *in,
                     unsigned char **owned, struct hr_err *err)
{
    const char *data = json_string_value(json_object_get(im, "data"));
    const json_t *alt = json_object_get(im, "alt");
    struct hr_err e = {0};

    if (!json_is_object(im) || data == NULL || (alt != NULL && !json_is_string(alt)))
        return hr_fail(err, HR_EINVAL, "images[%zu]: {\"data\": base64 string, \"alt\": "
                                       "string} expected", i);
    if (agency_media_b64_decode(data, owned, &in->images[i].len, &e) != HR_OK)
        return hr_fail(err, e.code, "images[%zu]: %s", i, e.msg);
    in->images[i].bytes = *owned;
    in->images[i].alt = json_string_value(alt);
    return HR_OK;
}

int media_api_draft_images(const json_t *body, struct agency_draft_input *in,
                           unsigned char *owned[AGENCY_DRAFT_IMAGES_MAX], struct hr_err *err)
{
    const json_t *list = json_object_get(body, "images");
    int rc = HR_OK;

    if (list == NULL || json_is_null(list))
        return HR_OK;
    if (!json_is_array(list))
        return hr_fail(err, HR_EINVAL, "images: an array of {\"data\", \"alt\"} expected");
    if (json_array_size(list) > AGENCY_DRAFT_IMAGES_MAX)
        return hr_fail(err, HR_EINVAL, "at most %d images per post", AGENCY_DRAFT_IMAGES_MAX);
    for (size_t i = 0; i < json_array_size(list) && rc == HR_OK; i++)
        rc = api_image(json_array_get(list, i), i, in, &owned[i], err);
    if (rc == HR_OK)
        in->n_images = json_array_size(list);
    return rc;
}
