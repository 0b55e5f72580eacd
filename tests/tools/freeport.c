/* tests/tools/freeport.c - prints a currently free TCP port on ADDR (default 127.0.0.1).
 * The harness retries when the port is taken between this check and herald's bind. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct sockaddr_in sa = {.sin_family = AF_INET};
    socklen_t len = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0 || inet_pton(AF_INET, argc > 1 ? argv[1] : "127.0.0.1", &sa.sin_addr) != 1)
        return 1;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
        return 1;
    printf("%u\n", (unsigned)ntohs(sa.sin_port));
    close(fd);
    return 0;
}
