/* media/blurhash.c - the BlurHash encoder (https://github.com/woltapp/blurhash,
 * Algorithm.md): a DCT of the image in linear light, the DC as sRGB, the AC components
 * quantised to 19 levels relative to their maximum, all in base 83. Ours, not a library's:
 * it is forty lines, and a test holds it to strings the reference encoder produced. */
#include "media/media.h"

#include <math.h>

#define PI 3.14159265358979323846
#include <stdio.h>

static const char b83[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";

static void put83(char **o, unsigned long v, int digits)
{
    for (int i = digits - 1; i >= 0; i--) {
        unsigned long d = v;
        for (int k = 0; k < i; k++)
            d /= 83;
        *(*o)++ = b83[d % 83];
    }
}

static double to_linear(unsigned char c)
{
    double v = c / 255.0;
    return v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4);
}

static unsigned long to_srgb(double v)
{
    v = v < 0 ? 0 : (v > 1 ? 1 : v);
    if (v <= 0.0031308)
        return (unsigned long)(v * 12.92 * 255 + 0.5);
    return (unsigned long)((1.055 * pow(v, 1 / 2.4) - 0.055) * 255 + 0.5);
}

static double sign_pow(double v, double e)
{
    return copysign(pow(fabs(v), e), v);
}

/* Component (I, J): the image's mean of its cosine basis, per channel, in linear light. */
static void component(const unsigned char *rgb, int w, int h, size_t stride, int i, int j,
                      double f[3])
{
    double norm = (i == 0 && j == 0) ? 1 : 2;

    f[0] = f[1] = f[2] = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            const unsigned char *px = rgb + (size_t)y * stride + (size_t)x * 3;
            double basis = norm * cos(PI * i * x / w) * cos(PI * j * y / h);
            for (int c = 0; c < 3; c++)
                f[c] += basis * to_linear(px[c]);
        }
    for (int c = 0; c < 3; c++)
        f[c] /= (double)w * h;
}

static unsigned long quant_ac(double v, double max)
{
    double q = floor(sign_pow(v / max, 0.5) * 9 + 9.5);
    return (unsigned long)(q < 0 ? 0 : (q > 18 ? 18 : q));
}

int media_blurhash(const unsigned char *rgb, int w, int h, size_t stride, int xc, int yc,
                   char *out, size_t cap)
{
    double f[81][3], max = 0;
    int n = xc * yc;
    char *o = out;

    if (xc < 1 || xc > 9 || yc < 1 || yc > 9 || w < 1 || h < 1 || cap < (size_t)(5 + 2 * n))
        return HR_EINVAL;
    for (int j = 0; j < yc; j++)
        for (int i = 0; i < xc; i++)
            component(rgb, w, h, stride, i, j, f[j * xc + i]);
    put83(&o, (unsigned long)((xc - 1) + (yc - 1) * 9), 1);
    for (int k = 1; k < n; k++)
        for (int c = 0; c < 3; c++)
            max = fmax(max, fabs(f[k][c]));
    if (n > 1) {
        double q = floor(max * 166 - 0.5);
        q = q < 0 ? 0 : (q > 82 ? 82 : q);
        put83(&o, (unsigned long)q, 1);
        max = (q + 1) / 166;
    } else {
        put83(&o, 0, 1);
        max = 1;
    }
    put83(&o, to_srgb(f[0][0]) << 16 | to_srgb(f[0][1]) << 8 | to_srgb(f[0][2]), 4);
    for (int k = 1; k < n; k++)
        put83(&o, quant_ac(f[k][0], max) * 361 + quant_ac(f[k][1], max) * 19 +
                      quant_ac(f[k][2], max), 2);
    *o = '\0';
    return HR_OK;
}
