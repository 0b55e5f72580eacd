/* server/cli.c - the herald command line (placeholder while the core lands). */
#include "server/cli.h"

int cli_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return 2;
}
