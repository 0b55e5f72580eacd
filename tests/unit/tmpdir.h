/* tests/unit/tmpdir.h - the temporary data directory every store-backed unit test makes in
 * its setup and removes in its teardown. Header-only: each test is its own executable. */
#ifndef HERALD_TEST_TMPDIR_H
#define HERALD_TEST_TMPDIR_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A fresh directory "/tmp/herald-TAG-XXXXXX" into DIR; -1 when it cannot be made. */
static inline int tmpdir_make(char dir[64], const char *tag)
{
    if (snprintf(dir, 64, "/tmp/herald-%s-XXXXXX", tag) >= 64)
        return -1;
    return mkdtemp(dir) != NULL ? 0 : -1;
}

/* Removes DIR and all it holds (depth first, no shell;
 * subdirectories are followed, symbolic links are not); 0 or -1. */
static inline int tmpdir_remove(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    struct stat sb;
    char path[1024];
    int rc = 0;

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path) {
            rc = -1;
            continue;
        }
        if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
            rc |= tmpdir_remove(path);
        else
            rc |= remove(path);
    }
    closedir(d);
    return rc | rmdir(dir);
}

#endif
