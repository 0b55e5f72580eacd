/* bench/tools/benchutil.c - small helpers for bench/run and bench/soak.
 *
 *   benchutil port ADDR             prints a currently free TCP port on ADDR (127.x.x.x)
 *   benchutil wait200 URL MS        polls http://127.x.x.x:PORT/PATH every millisecond until
 *                                   it answers 200 (at most MS ms); prints the wall-clock
 *                                   time of that answer in Unix nanoseconds
 *
 * Exit 0, 1 on failure or timeout, 2 on usage errors. Loopback only. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "base/hr.h"

static int loopback(const char *addr, struct sockaddr_in *sa)
{
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    if (inet_pton(AF_INET, addr, &sa->sin_addr) != 1 || (ntohl(sa->sin_addr.s_addr) >> 24) != 127)
        return -1;
    return 0;
}

static int cmd_port(const char *addr)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    int fd;

    if (loopback(addr, &sa) != 0)
        return 2;
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
        return 1;
    printf("%u\n", (unsigned)ntohs(sa.sin_port));
    close(fd);
    return 0;
}

static int64_t now_ns(clockid_t clk)
{
    struct timespec ts;

    clock_gettime(clk, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One GET; returns the status, or -1 when there is no answer yet. */
static int get_status(const struct sockaddr_in *sa, const char *hostport, const char *path)
{
    char req[1400], resp[64];
    size_t got = 0;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), n, status = -1;
    struct timeval tv = {.tv_sec = 1};

    if (fd < 0)
        return -1;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (const struct sockaddr *)sa, sizeof *sa) != 0)
        goto out;
    n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path,
                 hostport);
    if (n < 0 || (size_t)n >= sizeof req || send(fd, req, (size_t)n, MSG_NOSIGNAL) != n)
        goto out;
    while (got < 12) {
        ssize_t r = recv(fd, resp + got, sizeof resp - 1 - got, 0);
        if (r <= 0)
            goto out;
        got += (size_t)r;
    }
    resp[got] = '\0';
    if (strncmp(resp, "HTTP/1.", 7) == 0)
        status = (int)strtol(resp + 9, NULL, 10);
out:
    close(fd);
    return status;
}

static int cmd_wait200(const char *url, const char *ms)
{
    char host[64], hostport[80];
    const char *p = url + 7, *slash, *colon;
    struct sockaddr_in sa;
    uint64_t limit, port;
    int64_t start = now_ns(CLOCK_MONOTONIC);

    if (strncmp(url, "http://", 7) != 0 || hr_parse_u64(ms, 3600000, &limit) != HR_OK)
        return 2;
    slash = strchr(p, '/');
    colon = slash ? memchr(p, ':', (size_t)(slash - p)) : NULL;
    if (colon == NULL || (size_t)(colon - p) >= sizeof host ||
        (size_t)(slash - p) >= sizeof hostport)
        return 2;
    memcpy(host, p, (size_t)(colon - p));
    host[colon - p] = '\0';
    memcpy(hostport, p, (size_t)(slash - p));
    hostport[slash - p] = '\0';
    {
        char ps[8];
        size_t pl = (size_t)(slash - colon - 1);
        if (pl == 0 || pl >= sizeof ps)
            return 2;
        memcpy(ps, colon + 1, pl);
        ps[pl] = '\0';
        if (hr_parse_u64(ps, 65535, &port) != HR_OK || loopback(host, &sa) != 0)
            return 2;
    }
    sa.sin_port = htons((uint16_t)port);
    while (now_ns(CLOCK_MONOTONIC) - start < (int64_t)limit * 1000000) {
        if (get_status(&sa, hostport, slash) == 200) {
            printf("%lld\n", (long long)now_ns(CLOCK_REALTIME));
            return 0;
        }
        nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
    }
    return 1;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "port") == 0)
        return cmd_port(argv[2]);
    if (argc == 4 && strcmp(argv[1], "wait200") == 0)
        return cmd_wait200(argv[2], argv[3]);
    fprintf(stderr, "usage: benchutil port ADDR | benchutil wait200 URL MS\n");
    return 2;
}
