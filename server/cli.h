/* server/cli.h - the herald command line. */
#ifndef HERALD_CLI_H
#define HERALD_CLI_H

/* Runs the command in ARGV; returns the process exit code (0 ok, 1 error, 2 usage). */
int cli_main(int argc, char **argv);

#endif
