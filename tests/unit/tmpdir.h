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

/* Copies the regular files directly in FROM into TO (an existing directory): a store made
 * once (accounts with their RSA keys: slow under valgrind) serves each test as a fresh
 * copy. FROM's store must be closed. 0 or -1. */
static inline int tmpdir_copy(const char *from, const char *to)
{
    DIR *d = opendir(from);
    struct dirent *e;
    char src[1024], dst[1024], buf[65536];
    int rc = 0;

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL && rc == 0) {
        FILE *in, *out;
        size_t n;
        if (e->d_name[0] == '.' || snprintf(src, sizeof src, "%s/%s", from, e->d_name) >=
                                       (int)sizeof src ||
            snprintf(dst, sizeof dst, "%s/%s", to, e->d_name) >= (int)sizeof dst)
            continue;
        in = fopen(src, "rb");
        out = in ? fopen(dst, "wb") : NULL;
        while (out != NULL && (n = fread(buf, 1, sizeof buf, in)) > 0)
            if (fwrite(buf, 1, n, out) != n)
                rc = -1;
        if (in == NULL || out == NULL || ferror(in) || fclose(out) != 0)
            rc = -1;
        if (in != NULL)
            fclose(in);
    }
    closedir(d);
    return rc;
}

#endif
