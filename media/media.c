/* media/media.c - untrusted image bytes to a file we are willing to serve, with libvips
 * (what Mastodon moved to; docs/decisions.md). In order, each step before any pixel is
 * decoded: the size limit, the container walk (media/container.c: type, whole, nothing
 * after it), libvips' own choice of loader (must be the one for that type: no SVG, PDF,
 * TIFF, matrix or other loader is ever reached), the header's width x height against a
 * decompression bomb; then one decode with fail_on=error (a truncated file is refused,
 * not half decoded) shrunk into the kind's box, and a re-encoding with every metadata
 * block stripped. */
#include "media/media.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static bool started;

/* libvips' own warnings (a CRC error, "error in tile") would reach stderr unformatted;
 * media_process reports the outcome itself, once, to whoever asked. */
static void quiet(const gchar *domain, GLogLevelFlags level, const gchar *msg, gpointer data)
{
    (void)domain, (void)level, (void)msg, (void)data;
}

static void start(void)
{
    /* libvips loads optional format modules (ImageMagick, poppler, OpenSlide, HEIF, JPEG XL:
     * Debian 12 ships them) from $VIPSHOME's libdir: pointing it nowhere keeps them all
     * out of the process. PNG, JPEG, WebP and GIF are built into libvips itself.
     * VIPS_NOVECTOR: no SIMD code generated at run time (orc): no executable memory
     * written while we decode untrusted bytes, and valgrind can follow every instruction;
     * our images are small. */
    if (setenv("VIPSHOME", "/dev/null", 1) != 0 || setenv("VIPS_NOVECTOR", "1", 1) != 0 ||
        VIPS_INIT("herald") != 0)
        return;
    vips_concurrency_set(1);        /* one request, one thread: no pool per image */
    vips_cache_set_max(0);          /* nothing of one image is kept for the next */
    vips_block_untrusted_set(TRUE); /* loaders libvips marks unfuzzed stay off (8.13+) */
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING, quiet, NULL);
    started = true;
}

int media_init(struct hr_err *err)
{
    pthread_once(&once, start);
    return started ? HR_OK : hr_fail(err, HR_EINTERNAL, "libvips did not start");
}

void media_shutdown(void)
{
    if (started)
        vips_shutdown();
}

void media_image_fini(struct media_image *img)
{
    if (img == NULL)
        return;
    g_free(img->data);
    memset(img, 0, sizeof *img);
}

/* The loaders libvips 8.14 uses for each accepted type (vips_foreign_find_load_buffer). */
static bool loader_ok(const char *type, const char *loader)
{
    static const struct { const char *type, *loader; } ok[] = {
        {"image/png", "VipsForeignLoadPngBuffer"},
        {"image/png", "VipsForeignLoadSpngBuffer"},
        {"image/jpeg", "VipsForeignLoadJpegBuffer"},
        {"image/webp", "VipsForeignLoadWebpBuffer"},
        {"image/gif", "VipsForeignLoadNsgifBuffer"},
        {"image/gif", "VipsForeignLoadGifBuffer"},
    };

    for (size_t i = 0; loader != NULL && i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(ok[i].type, type) == 0 && strcmp(ok[i].loader, loader) == 0)
            return true;
    return false;
}

/* Type, structure and size, before any decoding. */
static int check_input(const void *in, size_t len, struct hr_err *err)
{
    const char *why = NULL, *type, *loader;
    VipsImage *hdr;
    uint64_t pixels;

    if (len == 0)
        return hr_fail(err, HR_EINVAL, "the image is empty");
    if (len > MEDIA_INPUT_MAX)
        return hr_fail(err, HR_EINVAL, "the image is over %u MiB", MEDIA_INPUT_MAX >> 20);
    if ((type = media_container_check(in, len, &why)) == NULL)
        return hr_fail(err, HR_EINVAL, "%s", why);
    loader = vips_foreign_find_load_buffer(in, len);
    vips_error_clear();
    if (!loader_ok(type, loader))
        return hr_fail(err, HR_EINVAL, "not a PNG, JPEG, WebP or GIF image");
    hdr = vips_image_new_from_buffer(in, len, "", "access", VIPS_ACCESS_SEQUENTIAL, "fail_on",
                                     VIPS_FAIL_ON_ERROR, NULL); /* reads the header only */
    vips_error_clear();
    if (hdr == NULL)
        return hr_fail(err, HR_EINVAL, "the image header is corrupt");
    pixels = (uint64_t)vips_image_get_width(hdr) * (uint64_t)vips_image_get_height(hdr);
    g_object_unref(hdr);
    if (pixels > MEDIA_PIXELS_MAX)
        return hr_fail(err, HR_EINVAL, "the image has %llu pixels, over the limit of %llu",
                       (unsigned long long)pixels, MEDIA_PIXELS_MAX);
    return HR_OK;
}

static const struct { int w, h; bool crop; } boxes[] = {
    [MEDIA_AVATAR] = {400, 400, true},
    [MEDIA_HEADER] = {1500, 500, true},
    [MEDIA_ATTACHMENT] = {1920, 1920, false},
    [MEDIA_PREVIEW] = {400, 400, false},
};

/* One decode (first frame of a GIF), shrunk into KIND's box (never enlarged), turned
 * upright by its EXIF orientation, as 8-bit sRGB with or without alpha. */
static VipsImage *decode(const void *in, size_t len, enum media_kind kind)
{
    VipsImage *t = NULL, *c = NULL, *u = NULL, *m = NULL;

    if (vips_thumbnail_buffer((void *)(uintptr_t)in, len, &t, boxes[kind].w, "height",
                              boxes[kind].h, "size", VIPS_SIZE_DOWN, "crop",
                              boxes[kind].crop ? VIPS_INTERESTING_CENTRE
                                               : VIPS_INTERESTING_NONE,
                              "option_string", "fail_on=error", NULL) != 0)
        return NULL;
    if (vips_colourspace(t, &c, VIPS_INTERPRETATION_sRGB, NULL) == 0)
        (void)vips_cast(c, &u, VIPS_FORMAT_UCHAR, NULL);
    /* decoded here, once, into memory (at most 1920 x 1920 x 4 bytes): a truncated or
     * corrupt file fails now, and the encoder and the blurhash read the same pixels */
    if (u != NULL)
        m = vips_image_copy_memory(u);
    g_object_unref(t);
    if (c != NULL)
        g_object_unref(c);
    if (u != NULL)
        g_object_unref(u);
    return m;
}

/* Blurhash of IMG (sRGB, 3 or 4 bands) from a 32-pixel copy, alpha over white. */
static int hash_of(VipsImage *img, char *out, size_t cap)
{
    VipsImage *s = NULL, *f = NULL;
    unsigned char *px = NULL;
    size_t n = 0;
    int rc = HR_EINTERNAL;

    if (vips_thumbnail_image(img, &s, 32, "height", 32, NULL) != 0)
        goto out;
    if (vips_image_hasalpha(s)) {
        VipsArrayDouble *white = vips_array_double_newv(1, 255.0);
        rc = vips_flatten(s, &f, "background", white, NULL) == 0 ? HR_OK : HR_EINTERNAL;
        vips_area_unref(VIPS_AREA(white));
    } else {
        rc = vips_copy(s, &f, NULL) == 0 ? HR_OK : HR_EINTERNAL;
    }
    if (rc == HR_OK && vips_image_get_bands(f) == 3 &&
        (px = vips_image_write_to_memory(f, &n)) != NULL)
        rc = media_blurhash(px, vips_image_get_width(f), vips_image_get_height(f),
                            (size_t)vips_image_get_width(f) * 3, 4, 3, out, cap);
    else
        rc = HR_EINTERNAL;
out:
    g_free(px);
    if (s != NULL)
        g_object_unref(s);
    if (f != NULL)
        g_object_unref(f);
    return rc;
}

/* PNG keeps an alpha channel; everything else is a JPEG. strip: no EXIF (GPS), XMP, IPTC,
 * ICC or comment is written (the pixels are sRGB already). */
static int encode(VipsImage *img, struct media_image *out)
{
    void *buf = NULL;
    size_t n = 0;
    int rc;

    if (vips_image_hasalpha(img)) {
        rc = vips_pngsave_buffer(img, &buf, &n, "strip", TRUE, "compression", 6, NULL);
        out->media_type = "image/png", out->ext = "png";
    } else {
        rc = vips_jpegsave_buffer(img, &buf, &n, "strip", TRUE, "Q", 85, "optimize_coding",
                                  TRUE, NULL);
        out->media_type = "image/jpeg", out->ext = "jpg";
    }
    if (rc != 0)
        return HR_EINVAL;
    out->data = buf;
    out->len = n;
    out->width = vips_image_get_width(img);
    out->height = vips_image_get_height(img);
    return HR_OK;
}

int media_process(const void *in, size_t len, enum media_kind kind, struct media_image *out,
                  struct hr_err *err)
{
    struct media_image img = {0};
    VipsImage *v = NULL;
    int rc;

    rc = media_init(err); /* herald's main() has called it; a no-op then */
    if (rc == HR_OK)
        rc = check_input(in, len, err);
    if (rc == HR_OK && (v = decode(in, len, kind)) == NULL)
        rc = hr_fail(err, HR_EINVAL, "the image could not be decoded (truncated or corrupt)");
    if (rc == HR_OK && encode(v, &img) != HR_OK)
        rc = hr_fail(err, HR_EINVAL, "the image could not be decoded (truncated or corrupt)");
    if (rc == HR_OK && hash_of(v, img.blurhash, sizeof img.blurhash) != HR_OK)
        rc = hr_fail(err, HR_EINTERNAL, "blurhash of the image");
    vips_error_clear();
    if (v != NULL)
        g_object_unref(v);
    if (rc == HR_OK)
        *out = img;
    else
        media_image_fini(&img);
    return rc;
}
