/* server/main.c - entry point. libvips starts here, once, before any thread of ours
 * (media/media.h), and is shut down at exit so its threads do not outlive main. */
#include "media/media.h"
#include "server/cli.h"

#include <stdio.h>

int main(int argc, char **argv)
{
    struct hr_err err = {0};
    int rc;

    if (media_init(&err) != HR_OK) {
        fprintf(stderr, "herald: %s\n", err.msg);
        return 1;
    }
    rc = cli_main(argc, argv);
    media_shutdown();
    return rc;
}
