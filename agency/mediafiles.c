/* agency/mediafiles.c - our media files, content-addressed: DATA_DIR/media/AB/SHA256.EXT,
 * where SHA256 is the hash of the re-encoded bytes (never of what we were given) and AB its
 * first two hex digits (a few hundred entries per directory at most). A file is written to
 * a temporary name, fsync'd, renamed into place and its directory fsync'd, so a file an
 * operator or an approver was told about is on disk (the same durability as a commit).
 * Each file has a record in STORE_T_MEDIA, written first: a file never exists without one,
 * so the collector (agency/mediagc.c), which walks the records, finds every file. */
#include "agency/agency_int.h"
#include "federation/fed.h"
#include "keys/keys.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int agency_media_path(struct fed *fed, const char *sha256, const char *media_type, char *out,
                      size_t cap)
{
    const char *ext = fed_media_ext(media_type);
    int n;

    if (fed == NULL || ext == NULL || strlen(sha256) != 64)
        return HR_EINVAL;
    n = snprintf(out, cap, "%s/media/%.2s/%s.%s", fed_data_dir(fed), sha256, sha256, ext);
    return n > 0 && (size_t)n < cap ? HR_OK : HR_EINVAL;
}

/* fsync of the directory DIR: a rename or a new entry in it survives a crash. */
static int dir_sync(const char *dir, struct hr_err *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    int rc = HR_OK;

    if (fd < 0 || fsync(fd) != 0)
        rc = hr_fail(err, HR_EIO, "media: sync %s: %s", dir, strerror(errno));
    if (fd >= 0)
        close(fd);
    return rc;
}

/* Makes DIR (mode 0755: media are public) unless it exists; syncs its parent PARENT. */
static int dir_make(const char *dir, const char *parent, struct hr_err *err)
{
    if (mkdir(dir, 0755) == 0)
        return dir_sync(parent, err);
    if (errno == EEXIST)
        return HR_OK;
    return hr_fail(err, HR_EIO, "media: mkdir %s: %s", dir, strerror(errno));
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* IMG's bytes at PATH (in directory SUB), durably; an existing file of the same size is
 * the same content (its name is its hash) and is kept. */
static int file_put(const char *path, const char *sub, const struct media_image *img,
                    struct hr_err *err)
{
    char tmp[4200];
    struct stat sb;
    int fd, rc = HR_OK;

    if (stat(path, &sb) == 0 && (size_t)sb.st_size == img->len)
        return HR_OK;
    snprintf(tmp, sizeof tmp, "%s/.tmp-XXXXXX", sub);
    if ((fd = mkstemp(tmp)) < 0)
        return hr_fail(err, HR_EIO, "media: create in %s: %s", sub, strerror(errno));
    if (fchmod(fd, 0644) != 0 || write_all(fd, img->data, img->len) != 0 || fsync(fd) != 0)
        rc = hr_fail(err, HR_EIO, "media: write %s: %s", tmp, strerror(errno));
    if (close(fd) != 0 && rc == HR_OK)
        rc = hr_fail(err, HR_EIO, "media: close %s: %s", tmp, strerror(errno));
    if (rc == HR_OK && rename(tmp, path) != 0)
        rc = hr_fail(err, HR_EIO, "media: rename to %s: %s", path, strerror(errno));
    if (rc != HR_OK)
        unlink(tmp);
    return rc == HR_OK ? dir_sync(sub, err) : rc;
}

/* The record SHA256 -> {media_type,size,width,height,created_ms,touched_ms}; touched_ms is
 * renewed by every put, so the collector spares a file a new draft is about to use. */
static int record_put(struct store *st, const char *sha, const struct media_image *img,
                      struct hr_err *err)
{
    struct store_txn *txn = NULL;
    json_t *old = NULL, *rec = NULL;
    int64_t now = hr_now_ms();
    int rc = store_txn_begin(st, STORE_WRITE, &txn, err);

    if (rc == HR_OK && agency_rec_json(txn, STORE_T_MEDIA, sha, &old, NULL) == HR_OK &&
        json_integer_value(json_object_get(old, "created_ms")) > 0)
        now = json_integer_value(json_object_get(old, "created_ms"));
    rec = json_pack("{s:s,s:I,s:i,s:i,s:I,s:I}", "media_type", img->media_type, "size",
                    (json_int_t)img->len, "width", img->width, "height", img->height,
                    "created_ms", (json_int_t)now, "touched_ms", (json_int_t)hr_now_ms());
    if (rc == HR_OK && rec == NULL)
        rc = hr_fail(err, HR_ENOMEM, "media record");
    if (rc == HR_OK)
        rc = agency_rec_put_json(txn, STORE_T_MEDIA, sha, rec, 0, err);
    if (rc == HR_OK) {
        rc = store_txn_commit(txn, err);
        txn = NULL;
    }
    store_txn_abort(txn);
    json_decref(old);
    json_decref(rec);
    return rc;
}

int agency_media_store(struct store *st, struct fed *fed, const struct media_image *img,
                       json_t **out, struct hr_err *err)
{
    char sha[65], path[4200], media[4100], sub[4104];
    int rc;

    keys_sha256_hex(img->data, img->len, sha);
    if (agency_media_path(fed, sha, img->media_type, path, sizeof path) != HR_OK)
        return hr_fail(err, HR_EINTERNAL, "media: no data directory");
    snprintf(media, sizeof media, "%s/media", fed_data_dir(fed));
    snprintf(sub, sizeof sub, "%s/%.2s", media, sha);
    rc = record_put(st, sha, img, err);
    if (rc == HR_OK)
        rc = dir_make(media, fed_data_dir(fed), err);
    if (rc == HR_OK)
        rc = dir_make(sub, media, err);
    if (rc == HR_OK)
        rc = file_put(path, sub, img, err);
    if (rc == HR_OK) {
        *out = json_pack("{s:s,s:s,s:i,s:i,s:s,s:I}", "sha256", sha, "media_type",
                         img->media_type, "width", img->width, "height", img->height,
                         "blurhash", img->blurhash, "size", (json_int_t)img->len);
        if (*out == NULL)
            rc = hr_fail(err, HR_ENOMEM, "media");
    }
    return rc;
}

int agency_media_b64_decode(const char *text, unsigned char **out, size_t *len,
                            struct hr_err *err)
{
    size_t n = text ? strlen(text) : 0, cap = n / 4 * 3 + 3;
    unsigned char *buf;

    *out = NULL;
    *len = 0;
    if (n > ((size_t)MEDIA_INPUT_MAX / 3 + 1) * 4)
        return hr_fail(err, HR_EINVAL, "the image is over %u MiB", MEDIA_INPUT_MAX >> 20);
    if ((buf = malloc(cap)) == NULL)
        return hr_fail(err, HR_ENOMEM, "image");
    if (keys_base64_decode((struct hr_slice){text ? text : "", n}, buf, cap, len) != HR_OK) {
        free(buf);
        return hr_fail(err, HR_EINVAL, "the image is not standard base64");
    }
    *out = buf;
    return HR_OK;
}

char *agency_media_b64_encode(const void *p, size_t n)
{
    return keys_base64_encode(p, n);
}
