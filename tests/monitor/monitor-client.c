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
 *                                "wait EVENT" reads until that event,
 *                                "raw TEXT" sends TEXT with \xHH
 *                                escapes decoded (NUL bytes, bad UTF-8),
 *                                "long N" sends a message with a string
 *                                of N bytes, both ended by a newline
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

static int send_all(int fd, const char *s, size_t len)
{
    while (len) {
        ssize_t n = write(fd, s, len);
        if (n <= 0) {
            perror("monitor-client: write");
            return -1;
        }
        s += n;
        len -= n;
    }
    return 0;
}

static int send_line(int fd, const char *s)
{
    if (send_all(fd, s, strlen(s)) < 0 || send_all(fd, "\n", 1) < 0) {
        return -1;
    }
    return 0;
}

/* "raw TEXT": TEXT with \xHH decoded, then a newline. */
static int send_raw(int fd, const char *s)
{
    static char out[1 << 16];
    size_t n = 0;

    while (*s && n < sizeof(out) - 1) {
        unsigned v;
        if (s[0] == '\\' && s[1] == 'x' && sscanf(s + 2, "%2x", &v) == 1) {
            out[n++] = (char)v;
            s += 4;
        } else {
            out[n++] = *s++;
        }
    }
    out[n++] = '\n';
    return send_all(fd, out, n);
}

/* "long N": {"execute": "query-status", "id": "xxx...(N bytes)"}. */
static int send_long(int fd, size_t n)
{
    static const char head[] = "{\"execute\": \"query-status\", \"id\": \"";
    static const char tail[] = "\"}\n";
    char chunk[4096];

    memset(chunk, 'x', sizeof(chunk));
    if (send_all(fd, head, strlen(head)) < 0) {
        return -1;
    }
    while (n) {
        size_t k = n < sizeof(chunk) ? n : sizeof(chunk);
        if (send_all(fd, chunk, k) < 0) {
            return -1;
        }
        n -= k;
    }
    return send_all(fd, tail, strlen(tail));
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
        } else if (!strncmp(line, "raw ", 4) || !strncmp(line, "long ", 5)) {
            printf("-> %s\n", line);
            if (line[0] == 'r'
                    ? send_raw(fd, line + 4) < 0
                    : send_long(fd, strtoul(line + 5, NULL, 10)) < 0) {
                return 1;
            }
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
