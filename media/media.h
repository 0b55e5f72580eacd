/* media/media.h - images as Herald stores them: decoded from untrusted bytes with libvips,
 * checked (type, size, structure) and re-encoded without metadata at a bounded size
 * (docs/decisions.md, "Images with libvips"). The stored file is always our re-encoding,
 * never the bytes we were given. Thread-safe after media_init(). */
#ifndef HERALD_MEDIA_H
#define HERALD_MEDIA_H

#include "base/hr.h"

#include <stddef.h>
#include <stdint.h>

#define MEDIA_INPUT_MAX (16u << 20)   /* bytes of one image as given */
#define MEDIA_PIXELS_MAX 40000000ull  /* width x height from the header, before decoding */

/* Starts libvips, once per process (later calls, from any thread, only report how that
 * went; media_process calls it too). HR_EINTERNAL when libvips cannot start. */
int media_init(struct hr_err *err);
/* Releases libvips' threads and caches, at exit (no media_ call may follow). */
void media_shutdown(void);

/* What an image becomes: each has its box (docs/publishing.md). */
enum media_kind {
    MEDIA_AVATAR,     /* 400x400, cropped square around the centre */
    MEDIA_HEADER,     /* 1500x500, cropped around the centre */
    MEDIA_ATTACHMENT, /* longest side at most 1920, never enlarged */
    MEDIA_PREVIEW,    /* longest side at most 400, never enlarged */
};

struct media_image {
    unsigned char *data; /* the re-encoded file (media_image_fini frees) */
    size_t len;
    const char *media_type; /* "image/jpeg" or "image/png" (static) */
    const char *ext;        /* "jpg" or "png" (static) */
    int width, height;
    char blurhash[32]; /* 4x3 components of the result */
};

/* Decodes IN (LEN bytes) and re-encodes it for KIND into OUT: PNG when it has an alpha
 * channel, else JPEG; EXIF, XMP, IPTC, ICC and comments dropped. HR_EINVAL with a message
 * for an operator: empty, too large, not PNG/JPEG/WebP/GIF (SVG included), bytes after
 * the image's end (a polyglot), truncated or corrupt, too many pixels. */
int media_process(const void *in, size_t len, enum media_kind kind, struct media_image *out,
                  struct hr_err *err);
void media_image_fini(struct media_image *img); /* NULL or zeroed: no-op */

/* ---- internals shared with the unit tests ---- */
/* "image/png", "image/jpeg", "image/webp", "image/gif" from the magic bytes, and only when
 * the container is whole and nothing follows it; else NULL with *WHY set (static). */
const char *media_container_check(const unsigned char *p, size_t len, const char **why);
/* Blurhash (https://github.com/woltapp/blurhash, Algorithm.md) of W x H RGB pixels (3
 * bytes each, rows STRIDE bytes apart), XC x YC components (1..9 each); OUT: at least
 * 2 + 4 + 2*(XC*YC-1) + 1 bytes. HR_EINVAL for bad sizes. */
int media_blurhash(const unsigned char *rgb, int w, int h, size_t stride, int xc, int yc,
                   char *out, size_t cap);

#endif
