/* server/main.c - entry point. */
#include "server/cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
