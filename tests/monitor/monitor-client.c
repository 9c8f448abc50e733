/*
 * A scripted monitor client for tests/monitor/check-monitor.sh: plain
 * sockets, no Python.  Reads commands from stdin, one a line, sends each
 * and prints a transcript to stdout.
 *
 *   monitor-client PATH          HMP: prints the banner, then for each
 *                                line "(softvisor) LINE" and its output
 *                                (everything up to the next prompt)
 *   monitor-client --qmp PATH    QMP: prints the greeting, then each line
 *                                sent as "-> LINE" and every message
 *                                received as "<- MSG" up to the reply
 *                                ("return" or "error"); a script line
 *                                "wait EVENT" reads until that event
 *
 * Exit 1 when the server goes silent for 10 s or closes early.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define PROMPT "(softvisor) "
#define TIMEOUT_MS 10000

static char buf[1 << 20];
static size_t blen;

/* Read more into buf; 0 at EOF, -1 on timeout or error. */
static int fill(int fd)
{
    struct pollfd p = {fd, POLLIN, 0};
    ssize_t n;

    if (poll(&p, 1, TIMEOUT_MS) <= 0) {
        fprintf(stderr, "monitor-client: timeout\n");
        return -1;
    }
    if (blen + 1 >= sizeof(buf)) {
        fprintf(stderr, "monitor-client: reply too long\n");
        return -1;
    }
    n = read(fd, buf + blen, sizeof(buf) - blen - 1);
    if (n < 0) {
        perror("monitor-client: read");
        return -1;
    }
    blen += n;
    buf[blen] = 0;
    return n ? 1 : 0;
}

/* HMP: everything up to and including the next prompt. */
static int read_to_prompt(int fd, bool eof_ok)
{
    size_t pl = strlen(PROMPT);

    for (;;) {
        if (blen >= pl && !memcmp(buf + blen - pl, PROMPT, pl)) {
            fwrite(buf, 1, blen - pl, stdout);
            blen = 0;
            return 0;
        }
        int r = fill(fd);
        if (r <= 0) {
            fwrite(buf, 1, blen, stdout);
            blen = 0;
            return r == 0 && eof_ok ? 0 : -1;
        }
    }
}

/* QMP: one line (without CR LF) into LINE; 0 at EOF, -1 on error. */
static int read_line(int fd, char *line, size_t size)
{
    for (;;) {
        char *nl = memchr(buf, '\n', blen);
        if (nl) {
            size_t n = nl - buf;
            size_t copy = n < size - 1 ? n : size - 1;
            memcpy(line, buf, copy);
            line[copy] = 0;
            if (copy && line[copy - 1] == '\r') {
                line[copy - 1] = 0;
            }
            memmove(buf, nl + 1, blen - n - 1);
            blen -= n + 1;
            return 1;
        }
        int r = fill(fd);
        if (r <= 0) {
            return r;
        }
    }
}

static int send_line(int fd, const char *s)
{
    size_t len = strlen(s);
    if (write(fd, s, len) != (ssize_t)len || write(fd, "\n", 1) != 1) {
        perror("monitor-client: write");
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    bool qmp = argc == 3 && !strcmp(argv[1], "--qmp");
    const char *path = argv[argc - 1];
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    static char line[1 << 16], msg[1 << 20];
    int fd;

    if (argc != 2 && !qmp) {
        fprintf(stderr, "usage: monitor-client [--qmp] SOCKET < script\n");
        return 2;
    }
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    strncpy(sa.sun_path, path, sizeof(sa.sun_path) - 1);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        perror("monitor-client: connect");
        return 1;
    }
    if (qmp ? read_line(fd, msg, sizeof(msg)) <= 0
            : read_to_prompt(fd, false) < 0) {
        return 1;
    }
    if (qmp) {
        printf("<- %s\n", msg);
    }
    while (fgets(line, sizeof(line), stdin)) {
        line[strcspn(line, "\n")] = 0;
        bool quit = strstr(line, "quit") != NULL;
        if (!qmp) {
            printf(PROMPT "%s\n", line);
            if (send_line(fd, line) < 0 || read_to_prompt(fd, quit) < 0) {
                return 1;
            }
            continue;
        }
        const char *want = NULL;
        if (!strncmp(line, "wait ", 5)) {
            want = line + 5;
        } else {
            printf("-> %s\n", line);
            if (send_line(fd, line) < 0) {
                return 1;
            }
        }
        for (;;) {
            int r = read_line(fd, msg, sizeof(msg));
            if (r <= 0) {
                return quit && r == 0 ? 0 : 1;
            }
            printf("<- %s\n", msg);
            if (want ? strstr(msg, "\"event\"") && strstr(msg, want)
                     : strncmp(msg, "{\"event\"", 8) != 0) {
                break;
            }
        }
        fflush(stdout);
    }
    return 0;
}
