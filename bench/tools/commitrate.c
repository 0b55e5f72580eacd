/* bench/tools/commitrate.c - the one-durable-commit-per-write ceiling of a filesystem: how
 * many writes a second can each be made durable on their own, the rate a server that
 * commits every inbox POST separately cannot pass.
 *
 *   commitrate --dir DIR [--max N] [--seconds S]
 *
 * Two measurements in DIR (use the data directory's filesystem), each stopping after N
 * writes (default 5000) or S seconds (default 3), whichever comes first:
 *   fdatasync  write 200 bytes + fdatasync, in a loop, on one file (the raw disk flush rate)
 *   store      one Herald store write transaction per write (store_inbound_add of a
 *              200-byte activity + store_txn_commit) in a fresh temporary store: what LMDB
 *              does per durable commit (data pages and meta page are synced separately)
 * Prints "fdatasync n=.. seconds=.. per_s=.." and "store n=.. seconds=.. per_s=..".
 * Removes what it created. Exit 0, 1 on I/O errors, 2 on usage errors. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/hr.h"
#include "store/store.h"

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int raw_rate(const char *dir, uint64_t max, double secs)
{
    char path[4096], rec[200];
    double t0, t;
    uint64_t n = 0;
    int fd;

    snprintf(path, sizeof path, "%s/commitrate.dat", dir);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        fprintf(stderr, "commitrate: %s: %s\n", path, strerror(errno));
        return 1;
    }
    memset(rec, 'x', sizeof rec);
    t0 = now_s();
    do {
        if (write(fd, rec, sizeof rec) != (ssize_t)sizeof rec || fdatasync(fd) != 0) {
            fprintf(stderr, "commitrate: write: %s\n", strerror(errno));
            close(fd);
            unlink(path);
            return 1;
        }
        n++;
        t = now_s() - t0;
    } while (n < max && t < secs);
    close(fd);
    unlink(path);
    printf("fdatasync n=%llu seconds=%.3f per_s=%.1f\n", (unsigned long long)n, t, (double)n / t);
    return 0;
}

static void remove_dir(const char *dir)
{
    static const char *const files[] = {"data.mdb", "lock.mdb"};
    char path[4200];

    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        unlink(path);
    }
    rmdir(dir);
}

static int store_rate(const char *dir, uint64_t max, double secs)
{
    char sdir[4096], body[256];
    struct store *st = NULL;
    struct hr_err err = {0};
    double t0, t = 0;
    uint64_t n = 0;
    int rc;

    snprintf(sdir, sizeof sdir, "%s/commitrate-store", dir);
    remove_dir(sdir);
    rc = store_open(sdir, STORE_CREATE, 256, &st, &err);
    t0 = now_s();
    while (rc == HR_OK && n < max && t < secs) {
        struct store_txn *txn = NULL;
        int len = snprintf(body, sizeof body,
                           "{\"id\":\"http://127.0.0.9/activities/%016llu\",\"type\":\"Like\","
                           "\"actor\":\"http://127.0.0.9/users/bench\",\"object\":"
                           "\"http://127.0.0.1/users/agency/notes/1\",\"pad\":\"%*s\"}",
                           (unsigned long long)n, 40, "");
        rc = store_txn_begin(st, STORE_WRITE, &txn, &err);
        if (rc == HR_OK)
            rc = store_inbound_add(txn, "agency", "http://127.0.0.9/users/bench", "Like", body,
                                   (size_t)len, &err);
        if (rc == HR_OK)
            rc = store_txn_commit(txn, &err);
        else
            store_txn_abort(txn);
        n++;
        t = now_s() - t0;
    }
    store_close(st);
    remove_dir(sdir);
    if (rc != HR_OK) {
        fprintf(stderr, "commitrate: store: %s\n", err.msg);
        return 1;
    }
    printf("store n=%llu seconds=%.3f per_s=%.1f\n", (unsigned long long)n, t, (double)n / t);
    return 0;
}

int main(int argc, char **argv)
{
    const char *dir = NULL;
    uint64_t max = 5000, secs = 3;

    bool bad = argc % 2 != 1;

    for (int i = 1; i + 1 < argc && !bad; i += 2) {
        if (strcmp(argv[i], "--dir") == 0)
            dir = argv[i + 1];
        else if (strcmp(argv[i], "--max") == 0)
            bad = hr_parse_u64(argv[i + 1], 100000000, &max) != HR_OK;
        else if (strcmp(argv[i], "--seconds") == 0)
            bad = hr_parse_u64(argv[i + 1], 3600, &secs) != HR_OK;
        else
            bad = true;
    }
    if (bad || dir == NULL || max == 0 || secs == 0) {
        fprintf(stderr, "usage: commitrate --dir DIR [--max N] [--seconds S]\n");
        return 2;
    }
    if (raw_rate(dir, max, (double)secs) != 0 || store_rate(dir, max, (double)secs) != 0)
        return 1;
    return 0;
}
