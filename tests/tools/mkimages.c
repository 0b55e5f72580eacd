/* tests/tools/mkimages DIR - writes the test images of tests/integration/media.sh into DIR:
 * good (gradient.png, alpha.png, gps.jpg, photo.webp, anim.gif, wide.jpg) and hostile
 * (drawing.svg, truncated.jpg, bomb.png, polyglot.jpg, polyglot.gif). */
#include "tests/tools/mkimages.h"

#include <stdio.h>

static int put(const char *dir, const char *name, void *p, size_t n)
{
    char path[4096];
    FILE *f;
    int rc = 1;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (p != NULL && (f = fopen(path, "wb")) != NULL) {
        rc = fwrite(p, 1, n, f) == n ? 0 : 1;
        rc |= fclose(f) != 0;
    }
    if (rc != 0)
        fprintf(stderr, "mkimages: %s failed\n", path);
    g_free(p);
    return rc;
}

int main(int argc, char **argv)
{
    static const char svg[] = "<svg xmlns=\"http://www.w3.org/2000/svg\">"
                              "<script>x()</script></svg>";
    static const char html[] = "<html><script>alert(1)</script></html>";
    size_t n = 0;
    int rc = 0;
    void *p;

    if (argc != 2 || VIPS_INIT(argv[0]) != 0)
        return 2;
    p = mk_save(mk_gradient(64, 48, false), "png", &n);
    rc |= put(argv[1], "gradient.png", p, n);
    p = mk_save(mk_gradient(32, 32, true), "png", &n);
    rc |= put(argv[1], "alpha.png", p, n);
    p = mk_jpeg_gps(64, 64, &n);
    rc |= put(argv[1], "gps.jpg", p, n);
    p = mk_save(mk_gradient(48, 48, false), "webp", &n);
    rc |= put(argv[1], "photo.webp", p, n);
    p = mk_save(mk_gradient(24, 24, false), "gif", &n);
    rc |= put(argv[1], "anim.gif", p, n);
    p = mk_save(mk_gradient(2400, 600, false), "jpg", &n);
    rc |= put(argv[1], "wide.jpg", p, n);
    rc |= put(argv[1], "drawing.svg", g_memdup2(svg, sizeof svg - 1), sizeof svg - 1);
    p = mk_save(mk_gradient(64, 64, false), "jpg", &n);
    rc |= put(argv[1], "truncated.jpg", p, n / 2);
    p = mk_png_bomb(30000, 30000, &n);
    rc |= put(argv[1], "bomb.png", p, n);
    p = mk_save(mk_gradient(16, 16, false), "jpg", &n);
    p = mk_append(p, &n, html, sizeof html - 1);
    rc |= put(argv[1], "polyglot.jpg", p, n);
    p = mk_save(mk_gradient(16, 16, false), "gif", &n);
    p = mk_append(p, &n, "PK\x03\x04\x14\0\0\0", 8);
    rc |= put(argv[1], "polyglot.gif", p, n);
    vips_shutdown();
    return rc;
}
