/* server/main.c - entry point. The interface languages (base/i18n.c) and libvips start
 * here, once, before any thread (media/media.h); libvips is shut down at exit so its
 * threads do not outlive main. */
#include "media/media.h"
#include "server/cli.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    struct hr_err err = {0};
    const char *localedir = getenv("HERALD_LOCALEDIR");
    int rc;

    if (hr_i18n_init(localedir && *localedir ? localedir : HERALD_LOCALEDIR, &err) != HR_OK) {
        fprintf(stderr, "herald: %s\n", err.msg);
        return 1;
    }
    if (media_init(&err) != HR_OK) {
        fprintf(stderr, "herald: %s\n", err.msg);
        return 1;
    }
    rc = cli_main(argc, argv);
    media_shutdown();
    return rc;
}
