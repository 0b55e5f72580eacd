/* tests/unit/media/test_media.c - media_process on good and hostile images (made with
 * libvips in tests/tools/mkimages.h), and the blurhash encoder against strings the
 * reference encoder produced (npm blurhash 2.0.5, run once; the inputs are rebuilt here). */
#include "media/media.h"
#include "tests/tools/mkimages.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

static bool contains(const unsigned char *p, size_t n, const char *s)
{
    size_t k = strlen(s);

    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(p + i, s, k) == 0)
            return true;
    return false;
}

/* Processes IN as KIND and expects success with the given type and size. */
static void expect_ok(void *in, size_t len, enum media_kind kind, const char *type, int w, int h)
{
    struct media_image img = {0};
    struct hr_err err = {0};

    assert_non_null(in);
    if (media_process(in, len, kind, &img, &err) != HR_OK)
        fail_msg("refused: %s", err.msg);
    assert_string_equal(img.media_type, type);
    assert_int_equal(img.width, w);
    assert_int_equal(img.height, h);
    assert_true(strlen(img.blurhash) == 28);
    media_image_fini(&img);
    g_free(in);
}

/* Expects HR_EINVAL with a message containing WHY, and nothing produced. */
static void expect_refused(void *in, size_t len, const char *why)
{
    struct media_image img = {0};
    struct hr_err err = {0};

    assert_non_null(in);
    if (media_process(in, len, MEDIA_ATTACHMENT, &img, &err) != HR_EINVAL)
        fail_msg("accepted, expected '%s'", why);
    assert_null(img.data);
    if (strstr(err.msg, why) == NULL)
        fail_msg("message '%s' lacks '%s'", err.msg, why);
    g_free(in);
}

static void png_jpeg_webp_gif_are_accepted(void **state)
{
    size_t n = 0;
    void *p;

    (void)state;
    p = mk_save(mk_gradient(64, 48, false), "png", &n);
    expect_ok(p, n, MEDIA_ATTACHMENT, "image/jpeg", 64, 48);
    p = mk_save(mk_gradient(64, 48, false), "jpg", &n);
    expect_ok(p, n, MEDIA_ATTACHMENT, "image/jpeg", 64, 48);
    p = mk_save(mk_gradient(64, 48, false), "webp", &n);
    expect_ok(p, n, MEDIA_ATTACHMENT, "image/jpeg", 64, 48);
    p = mk_save(mk_gradient(64, 48, false), "gif", &n);
    expect_ok(p, n, MEDIA_ATTACHMENT, "image/jpeg", 64, 48);
}

static void an_image_with_alpha_stays_png(void **state)
{
    size_t n = 0;
    void *p = mk_save(mk_gradient(40, 30, true), "png", &n);

    (void)state;
    expect_ok(p, n, MEDIA_ATTACHMENT, "image/png", 40, 30);
    p = mk_save(mk_gradient(40, 30, true), "webp", &n);
    expect_ok(p, n, MEDIA_ATTACHMENT, "image/png", 40, 30);
}

static void sizes_are_capped_per_kind_and_never_enlarged(void **state)
{
    size_t n = 0;

    (void)state;
    static const struct { int w, h; enum media_kind kind; int ow, oh; } c[] = {
        {3000, 1000, MEDIA_ATTACHMENT, 1920, 640}, {3000, 1000, MEDIA_PREVIEW, 400, 133},
        {3000, 1000, MEDIA_AVATAR, 400, 400},      {3000, 2000, MEDIA_HEADER, 1500, 500},
        {100, 50, MEDIA_AVATAR, 100, 50},
    };

    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        void *p = mk_save(mk_gradient(c[i].w, c[i].h, false), "jpg", &n);
        expect_ok(p, n, c[i].kind, "image/jpeg", c[i].ow, c[i].oh);
    }
}

static void exif_gps_and_comments_are_stripped(void **state)
{
    struct media_image img = {0};
    size_t n = 0;
    unsigned char *p = mk_jpeg_gps(64, 64, &n);

    (void)state;
    assert_non_null(p);
    assert_true(contains(p, n, "Exif"));
    assert_true(contains(p, n, "secret-xmp"));
    assert_int_equal(media_process(p, n, MEDIA_ATTACHMENT, &img, NULL), HR_OK);
    assert_false(contains(img.data, img.len, "Exif"));
    assert_false(contains(img.data, img.len, "secret-xmp"));
    assert_false(contains(img.data, img.len, "ICC_PROFILE"));
    assert_false(contains(img.data, img.len, "http://ns.adobe.com/xap"));
    assert_false(contains(img.data, img.len, "\xFF\xE1")); /* no APP1 segment at all */
    media_image_fini(&img);
    g_free(p);
}

static void svg_and_unknown_formats_are_refused(void **state)
{
    static const char svg[] = "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/"
                              "svg\" width=\"10\" height=\"10\"><script>x()</script></svg>";
    static const char tiff[] = "II*\0\x08\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0";

    (void)state;
    expect_refused(g_memdup2(svg, sizeof svg - 1), sizeof svg - 1, "SVG");
    expect_refused(g_memdup2(tiff, sizeof tiff - 1), sizeof tiff - 1, "not a PNG, JPEG");
    expect_refused(g_memdup2("hello", 5), 5, "not a PNG, JPEG");
    expect_refused(g_malloc(1), 0, "empty");
}

static void polyglots_are_refused(void **state)
{
    static const char html[] = "<html><script>alert(1)</script></html>";
    static const char zip[] = "PK\x03\x04\x14\0\0\0\0\0";
    size_t n = 0;

    (void)state;
    static const struct { const char *fmt, *tail; size_t n; } c[] = {
        {"jpg", html, sizeof html - 1}, {"gif", zip, sizeof zip - 1},
        {"png", "%PDF-1.4", 8},          {"webp", html, sizeof html - 1},
    };

    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        void *p = mk_save(mk_gradient(16, 16, false), c[i].fmt, &n);
        p = mk_append(p, &n, c[i].tail, c[i].n);
        expect_refused(p, n, "bytes follow");
    }
}

static void truncated_files_are_refused_not_half_decoded(void **state)
{
    static const char *const fmts[] = {"jpg", "png", "gif", "webp"};
    size_t n = 0;

    (void)state;
    for (size_t i = 0; i < 4; i++) {
        unsigned char *p = mk_save(mk_gradient(64, 64, false), fmts[i], &n);
        expect_refused(p, n * 2 / 3, "truncated");
    }
}

static void a_corrupt_body_in_a_whole_container_is_refused(void **state)
{
    size_t n = 0;
    unsigned char *p = mk_save(mk_gradient(64, 64, false), "png", &n);

    (void)state;
    assert_non_null(p);
    memset(p + 60, 0x55, 10); /* inside IDAT: the chunk walk still ends at IEND */
    expect_refused(p, n, "");
}

static void decompression_bombs_are_refused_from_the_header(void **state)
{
    size_t n = 0;
    void *p = mk_png_bomb(20000, 20000, &n);

    (void)state;
    expect_refused(p, n, "over the limit");
    p = g_malloc0(MEDIA_INPUT_MAX + 1);
    expect_refused(p, MEDIA_INPUT_MAX + 1, "over 16 MiB");
}

/* Expected strings: npm blurhash 2.0.5's encode() on the same pixels, run once. For the
 * gradient, whose largest AC component is negative, npm takes the signed maximum where
 * the reference C encoder and Algorithm.md take the absolute one ("L9Gugw3p|cyD_f9#sUij
 * gJfjfQfj"); ours follows the C encoder (Mastodon's gem wraps it), and the string below
 * is npm's with that one expression changed to Math.abs. */
static void check_hash(int w, int h, int xc, int yc, void (*px)(int x, int y, unsigned char c[3]),
                       const char *want)
{
    unsigned char *rgb = malloc((size_t)w * h * 3);
    char out[64];

    assert_non_null(rgb);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            px(x, y, rgb + ((size_t)y * w + x) * 3);
    assert_int_equal(media_blurhash(rgb, w, h, (size_t)w * 3, xc, yc, out, sizeof out), HR_OK);
    assert_string_equal(out, want);
    free(rgb);
}

static void red(int x, int y, unsigned char c[3]) { (void)x, (void)y, c[0] = 255, c[1] = c[2] = 0; }
static void grey(int x, int y, unsigned char c[3]) { (void)x, (void)y, c[0] = c[1] = c[2] = 128; }
static void red_blue(int x, int y, unsigned char c[3])
{
    (void)y;
    c[0] = x < 4 ? 255 : 0, c[1] = 0, c[2] = x < 4 ? 0 : 255;
}
static void white_black(int x, int y, unsigned char c[3])
{
    (void)x;
    c[0] = c[1] = c[2] = y < 3 ? 255 : 0;
}
static void gradient(int x, int y, unsigned char c[3])
{
    c[0] = (unsigned char)(x * 16), c[1] = (unsigned char)(y * 28), c[2] = 128;
}

static void blurhash_matches_the_reference_encoder(void **state)
{
    char out[8];

    (void)state;
    check_hash(4, 4, 4, 3, red, "L~TI:j|cfQ|c|c$5fQ$5fQfQfQfQ");
    check_hash(3, 2, 1, 1, grey, "00Eyb[");
    check_hash(8, 4, 4, 3, red_blue, "L~LjfL|T,SST,e,TsRWtfQfQfQfQ");
    check_hash(6, 6, 3, 3, white_black, "K~Lqe9%MfQ~q%MfQ?bt7fQ");
    check_hash(16, 9, 4, 3, gradient, "LsGugw2@wxozu]R-jtjIf%fQfQfQ");
    assert_int_equal(media_blurhash((const unsigned char *)"abc", 1, 1, 3, 10, 1, out, 64),
                     HR_EINVAL);
    assert_int_equal(media_blurhash((const unsigned char *)"abc", 1, 1, 3, 4, 3, out, sizeof out),
                     HR_EINVAL);
}

static int setup(void **state)
{
    (void)state;
    return media_init(NULL) == HR_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    media_shutdown();
    return 0;
}

int main(void)
{
    const struct CMUnitTest t[] = {
        cmocka_unit_test(png_jpeg_webp_gif_are_accepted),
        cmocka_unit_test(an_image_with_alpha_stays_png),
        cmocka_unit_test(sizes_are_capped_per_kind_and_never_enlarged),
        cmocka_unit_test(exif_gps_and_comments_are_stripped),
        cmocka_unit_test(svg_and_unknown_formats_are_refused),
        cmocka_unit_test(polyglots_are_refused),
        cmocka_unit_test(truncated_files_are_refused_not_half_decoded),
        cmocka_unit_test(a_corrupt_body_in_a_whole_container_is_refused),
        cmocka_unit_test(decompression_bombs_are_refused_from_the_header),
        cmocka_unit_test(blurhash_matches_the_reference_encoder),
    };
    return cmocka_run_group_tests(t, setup, teardown);
}
