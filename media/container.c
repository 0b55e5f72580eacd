/* media/container.c - the outer structure of an image file, walked before any decoder sees
 * it: which of the four accepted formats it claims to be (magic bytes), that it is whole,
 * and that nothing follows its end. Bytes after the end are how a file is made to be an
 * image and a ZIP, PDF or HTML page at once (a polyglot); we refuse those outright, and
 * what we store is our own re-encoding anyway. Only lengths are read here: no pixel is
 * decoded by hand (libvips does that). */
#include "media/media.h"

#include <string.h>

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* PNG (ISO/IEC 15948 §5.2-5.3): signature, then chunks (length, type, data, CRC) up to
 * IEND. Returns the offset just past IEND, or 0 when truncated. */
static size_t png_end(const unsigned char *p, size_t len)
{
    size_t pos = 8;

    while (len - pos >= 12) {
        uint32_t n = be32(p + pos);

        if (n > 0x7fffffffu || len - pos - 12 < n)
            return 0;
        pos += 12 + (size_t)n;
        if (memcmp(p + pos - n - 8, "IEND", 4) == 0)
            return pos;
    }
    return 0;
}

/* Past one JPEG entropy-coded segment starting at POS: stops at a marker that is not a
 * stuffed 0xFF00 or a restart (ITU-T T.81 §B.1.1.5, §F.1.2.3). 0: ran off the end. */
static size_t jpeg_scan(const unsigned char *p, size_t len, size_t pos)
{
    for (; pos + 1 < len; pos++)
        if (p[pos] == 0xFF && p[pos + 1] != 0x00 && (p[pos + 1] < 0xD0 || p[pos + 1] > 0xD7))
            return pos;
    return 0;
}

/* JPEG (ITU-T T.81 §B.1.1): SOI, marker segments with their lengths, scans after SOS, up
 * to EOI. Returns the offset just past EOI, or 0 when truncated or malformed. */
static size_t jpeg_end(const unsigned char *p, size_t len)
{
    size_t pos = 2;

    while (pos < len && p[pos] == 0xFF) {
        unsigned m;

        while (pos < len && p[pos] == 0xFF) /* fill bytes (§B.1.1.2) */
            pos++;
        if (pos >= len)
            return 0;
        m = p[pos++];
        if (m == 0xD9)
            return pos;
        if (m == 0x01 || (m >= 0xD0 && m <= 0xD7))
            continue;
        if (len - pos < 2 || (size_t)(p[pos] << 8 | p[pos + 1]) < 2 ||
            len - pos < (size_t)(p[pos] << 8 | p[pos + 1]))
            return 0;
        pos += (size_t)(p[pos] << 8 | p[pos + 1]);
        if (m == 0xDA && (pos = jpeg_scan(p, len, pos)) == 0)
            return 0;
    }
    return 0;
}

/* Past a chain of GIF data sub-blocks (GIF89a §15) at POS; 0 when truncated. */
static size_t gif_blocks(const unsigned char *p, size_t len, size_t pos)
{
    while (pos < len) {
        size_t n = p[pos++];

        if (n == 0)
            return pos;
        if (len - pos < n)
            return 0;
        pos += n;
    }
    return 0;
}

/* GIF (GIF89a §17-§27): header, logical screen and its colour table, then extensions and
 * images up to the trailer 0x3B. Returns the offset just past the trailer, or 0. */
static size_t gif_end(const unsigned char *p, size_t len)
{
    size_t pos = 13;

    if (len < 13)
        return 0;
    if (p[10] & 0x80)
        pos += (size_t)3 << ((p[10] & 7) + 1);
    while (pos > 0 && pos < len) {
        unsigned char b = p[pos++];

        if (b == 0x3B)
            return pos;
        if (b == 0x21 && pos < len) {
            pos = gif_blocks(p, len, pos + 1);
        } else if (b == 0x2C && len - pos >= 10) {
            size_t lct = (p[pos + 8] & 0x80) ? (size_t)3 << ((p[pos + 8] & 7) + 1) : 0;
            pos += 9 + lct + 1; /* descriptor, local colour table, LZW code size */
            pos = pos < len ? gif_blocks(p, len, pos) : 0;
        } else {
            return 0;
        }
    }
    return 0;
}

/* WebP (RFC 9649 §2.4-2.5): a RIFF container whose size field covers the file and whose
 * chunks (padded to even sizes) fill it exactly. Returns 8 + the RIFF size, or 0. */
static size_t webp_end(const unsigned char *p, size_t len)
{
    size_t end = 8 + (size_t)le32(p + 4), pos = 12;

    if (end > len || end < 20)
        return 0;
    while (end - pos >= 8) {
        size_t n = le32(p + pos + 4);

        if (n > end - pos - 8)
            return 0;
        pos += 8 + n + (n & 1);
    }
    return pos == end ? end : 0;
}

static const struct {
    const char *type, *magic;
    size_t off, n;
    size_t (*end)(const unsigned char *p, size_t len);
} formats[] = {
    {"image/png", "\x89PNG\r\n\x1a\n", 0, 8, png_end},
    {"image/jpeg", "\xFF\xD8\xFF", 0, 3, jpeg_end},
    {"image/gif", "GIF87a", 0, 6, gif_end},
    {"image/gif", "GIF89a", 0, 6, gif_end},
    {"image/webp", "WEBP", 8, 4, webp_end}, /* after "RIFF" and the size */
};

static bool looks_like_markup(const unsigned char *p, size_t len)
{
    size_t i = (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0; /* UTF-8 BOM */

    while (i < len && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    return i < len && p[i] == '<';
}

const char *media_container_check(const unsigned char *p, size_t len, const char **why)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        size_t end;

        if (len < formats[i].off + formats[i].n + 4 ||
            memcmp(p + formats[i].off, formats[i].magic, formats[i].n) != 0)
            continue;
        if (formats[i].off == 8 && memcmp(p, "RIFF", 4) != 0)
            continue;
        end = formats[i].end(p, len);
        if (end == 0) {
            *why = "the file is truncated or corrupt";
            return NULL;
        }
        if (end != len) {
            *why = "bytes follow the end of the image (a file that is also another format?); "
                   "save it again as a plain image";
            return NULL;
        }
        return formats[i].type;
    }
    *why = looks_like_markup(p, len) ? "SVG and other markup are not accepted: use PNG, JPEG, "
                                       "WebP or GIF"
                                     : "not a PNG, JPEG, WebP or GIF image";
    return NULL;
}
