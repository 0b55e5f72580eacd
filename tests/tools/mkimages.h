/* tests/tools/mkimages.h - test images made with libvips itself, good and hostile, for
 * tests/unit/media and (through tests/tools/mkimages) tests/integration/media.sh. Every
 * function returns a g_malloc'd buffer (g_free) and its length, or NULL. */
#ifndef HERALD_MKIMAGES_H
#define HERALD_MKIMAGES_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <vips/vips.h>

/* A W x H gradient, 3 bands (4 with ALPHA), sRGB. */
static inline VipsImage *mk_gradient(int w, int h, bool alpha)
{
    VipsImage *xy = NULL, *j = NULL, *k = NULL, *c = NULL, *out = NULL;

    if (vips_xyz(&xy, w, h, NULL) == 0 && vips_bandjoin_const1(xy, &j, 128, NULL) == 0 &&
        (!alpha || vips_bandjoin_const1(j, &k, 200, NULL) == 0) &&
        vips_cast(alpha ? k : j, &c, VIPS_FORMAT_UCHAR, NULL) == 0)
        vips_copy(c, &out, "interpretation", VIPS_INTERPRETATION_sRGB, NULL);
    VIPS_UNREF(xy);
    VIPS_UNREF(j);
    VIPS_UNREF(k);
    VIPS_UNREF(c);
    return out;
}

/* Saves IMG as FMT ("png", "jpg", "webp", "gif"), keeping its metadata; unrefs IMG. */
static inline void *mk_save(VipsImage *img, const char *fmt, size_t *len)
{
    void *buf = NULL;
    int rc = -1;

    if (img == NULL)
        return NULL;
    if (strcmp(fmt, "png") == 0)
        rc = vips_pngsave_buffer(img, &buf, len, NULL);
    else if (strcmp(fmt, "jpg") == 0)
        rc = vips_jpegsave_buffer(img, &buf, len, NULL);
    else if (strcmp(fmt, "webp") == 0)
        rc = vips_webpsave_buffer(img, &buf, len, NULL);
    else if (strcmp(fmt, "gif") == 0)
        rc = vips_gifsave_buffer(img, &buf, len, NULL);
    g_object_unref(img);
    return rc == 0 ? buf : NULL;
}

/* A TIFF/EXIF block whose GPS IFD says latitude "N" 12/1 deg: IFD0 has one entry, the GPS
 * IFD pointer (tag 0x8825), and the GPS IFD two (GPSLatitudeRef, GPSLatitude). */
static const unsigned char mk_exif_gps[] = {
    'E', 'x', 'i', 'f', 0, 0,
    'I', 'I', 42, 0, 8, 0, 0, 0,                  /* little-endian TIFF, IFD0 at 8 */
    1, 0, 0x25, 0x88, 4, 0, 1, 0, 0, 0, 26, 0, 0, 0, /* GPSInfo -> 26 */
    0, 0, 0, 0,                                   /* no IFD1 */
    2, 0,                                         /* GPS IFD at 26: two entries */
    1, 0, 2, 0, 2, 0, 0, 0, 'N', 0, 0, 0,         /* GPSLatitudeRef "N" */
    2, 0, 5, 0, 3, 0, 0, 0, 56, 0, 0, 0,          /* GPSLatitude 3 RATIONAL at 56 */
    0, 0, 0, 0,
    12, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
};

static const char mk_xmp[] = "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf="
                             "\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">secret-xmp"
                             "</rdf:RDF></x:xmpmeta>";

/* A JPEG that carries EXIF with GPS coordinates and XMP. */
static inline void *mk_jpeg_gps(int w, int h, size_t *len)
{
    VipsImage *img = mk_gradient(w, h, false);

    if (img == NULL)
        return NULL;
    vips_image_set_blob_copy(img, "exif-data", mk_exif_gps, sizeof mk_exif_gps);
    vips_image_set_blob_copy(img, "xmp-data", mk_xmp, sizeof mk_xmp - 1);
    return mk_save(img, "jpg", len);
}

static inline uint32_t mk_crc32(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;

    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
    }
    return ~c;
}

static inline void mk_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

/* A small real PNG whose header claims W x H (CRC fixed): a decompression bomb's header. */
static inline void *mk_png_bomb(uint32_t w, uint32_t h, size_t *len)
{
    unsigned char *p = mk_save(mk_gradient(8, 8, false), "png", len);

    if (p == NULL)
        return NULL;
    mk_be32(p + 16, w); /* IHDR data starts at 16: width, height */
    mk_be32(p + 20, h);
    mk_be32(p + 29, mk_crc32(p + 12, 17));
    return p;
}

/* P + TAIL: an image with something else after its end (a polyglot). */
static inline void *mk_append(void *p, size_t *len, const char *tail, size_t n)
{
    unsigned char *q = p ? g_realloc(p, *len + n) : NULL;

    if (q != NULL) {
        memcpy(q + *len, tail, n);
        *len += n;
    }
    return q;
}

#endif
