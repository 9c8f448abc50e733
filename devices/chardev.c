/*
 * Character backends (see chardev.h).
 *
 * Nothing here is global: a terminal's saved settings live in a small
 * record owned by the process's exit handler list, so that the terminal
 * is restored even if the program exits without freeing the backend.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "devices/chardev-int.h"
#include "devices/chardev.h"
#include "devices/host-file.h"

typedef enum CharKind { CHR_NULL, CHR_STDIO, CHR_FILE, CHR_UNIX } CharKind;

/* Saved terminal state; freed by the exit handler that restores it. */
typedef struct TtyRestore {
    int fd;
    bool active;
    struct termios saved;
} TtyRestore;

struct CharDev {
    CharKind kind;
    int out_fd;   /* -1: output dropped */
    int in_fd;    /* -1: no input */
    bool own_out; /* out_fd is ours to close */
    bool in_eof;
    bool out_broken;
    TtyRestore *tty;  /* non-NULL once stdin was put in raw mode */
    CharSocket *sock; /* CHR_UNIX: the listening socket and its client */

    CharCanReceiveFn can_receive;
    CharReceiveFn receive;
    void *opaque;
};

static void chardev_tty_at_exit(int status, void *arg)
{
    TtyRestore *r = arg;

    if (r->active) {
        tcsetattr(r->fd, TCSANOW, &r->saved);
    }
    free(r);
}

/*
 * Raw input as QEMU's stdio backend sets it: no canonical mode, no echo,
 * 8-bit clean input, one byte at a time; output post-processing and
 * signal keys (Ctrl-C) are kept.
 */
static void chardev_tty_raw(CharDev *chr)
{
    struct termios t;
    TtyRestore *r;

    if (chr->tty || chr->in_fd < 0 || !isatty(chr->in_fd)) {
        return;
    }
    r = calloc(1, sizeof(*r));
    if (!r || tcgetattr(chr->in_fd, &r->saved) != 0) {
        free(r);
        return;
    }
    r->fd = chr->in_fd;
    if (on_exit(chardev_tty_at_exit, r) != 0) {
        free(r);
        return;
    }
    t = r->saved;
    t.c_iflag &=
        ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t.c_oflag |= OPOST;
    t.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
    t.c_cflag &= ~(CSIZE | PARENB);
    t.c_cflag |= CS8;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    if (tcsetattr(chr->in_fd, TCSANOW, &t) == 0) {
        r->active = true;
    }
    chr->tty = r; /* owned by the exit handler from now on */
}

static void chardev_tty_restore(CharDev *chr)
{
    if (chr->tty && chr->tty->active) {
        tcsetattr(chr->tty->fd, TCSANOW, &chr->tty->saved);
        chr->tty->active = false;
    }
    chr->tty = NULL;
}

int chardev_spec_check(const char *spec, char *err, size_t errlen)
{
    if (!strcmp(spec, "null") || !strcmp(spec, "stdio") ||
        (strncmp(spec, "file:", 5) == 0 && spec[5])) {
        return 0;
    }
    if (strncmp(spec, "unix:", 5) == 0) {
        return chardev_socket_parse(spec, NULL, 0, err, errlen);
    }
    snprintf(err, errlen,
             "%s: unknown character device (expected stdio, file:PATH, "
             "unix:PATH[,server][,nowait] or null)",
             spec);
    return -1;
}

char *chardev_spec_path(const char *spec)
{
    char path[PATH_MAX], err[64];

    if (strncmp(spec, "file:", 5) == 0) {
        return strdup(spec + 5);
    }
    if (strncmp(spec, "unix:", 5) == 0 &&
        chardev_socket_parse(spec, path, sizeof(path), err, sizeof(err)) == 0) {
        return strdup(path);
    }
    return NULL;
}

CharDev *chardev_new(const char *spec, char *err, size_t errlen)
{
    CharDev *chr;

    if (!spec) {
        spec = "null";
    }
    chr = calloc(1, sizeof(*chr));
    if (!chr) {
        snprintf(err, errlen, "%s: %s", spec, strerror(ENOMEM));
        return NULL;
    }
    chr->out_fd = -1;
    chr->in_fd = -1;
    if (strcmp(spec, "null") == 0) {
        chr->kind = CHR_NULL;
    } else if (strcmp(spec, "stdio") == 0) {
        chr->kind = CHR_STDIO;
        chr->out_fd = STDOUT_FILENO;
        chr->in_fd = STDIN_FILENO;
    } else if (strncmp(spec, "unix:", 5) == 0) {
        chr->kind = CHR_UNIX;
        chr->sock = chardev_socket_new(spec, err, errlen);
        if (!chr->sock) {
            free(chr);
            return NULL;
        }
    } else if (strncmp(spec, "file:", 5) == 0 && spec[5]) {
        chr->kind = CHR_FILE;
        char ferr[HOST_FILE_ERR_MAX];
        chr->out_fd =
            host_file_open(spec + 5, HOST_FILE_WRITE, NULL, ferr, sizeof(ferr));
        if (chr->out_fd < 0) {
            snprintf(err, errlen, "file:%s", ferr);
            free(chr);
            return NULL;
        }
        chr->own_out = true;
    } else {
        snprintf(err, errlen,
                 "%s: unknown character device (expected stdio, file:PATH, "
                 "unix:PATH[,server][,nowait] or null)",
                 spec);
        free(chr);
        return NULL;
    }
    return chr;
}

void chardev_free(CharDev *chr)
{
    if (!chr) {
        return;
    }
    chardev_tty_restore(chr);
    chardev_socket_free(chr->sock);
    if (chr->own_out) {
        close(chr->out_fd);
    }
    free(chr);
}

void chardev_write(CharDev *chr, const uint8_t *buf, size_t len)
{
    if (chr && chr->sock) {
        chardev_socket_write(chr->sock, buf, len);
        return;
    }
    if (!chr || chr->out_fd < 0 || chr->out_broken) {
        return;
    }
    while (len) {
        ssize_t n = write(chr->out_fd, buf, len);
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            /* Someone made the descriptor non-blocking: wait for room
             * rather than lose guest output. */
            struct pollfd p = {.fd = chr->out_fd, .events = POLLOUT};
            poll(&p, 1, 100);
        } else {
            /* Gone (closed pipe, full disk): drop output from now on
             * rather than stop the guest over it. */
            chr->out_broken = true;
            return;
        }
    }
}

void chardev_set_handlers(CharDev *chr, CharCanReceiveFn can_receive,
                          CharReceiveFn receive, void *opaque)
{
    if (!chr) {
        return;
    }
    chr->can_receive = can_receive;
    chr->receive = receive;
    chr->opaque = opaque;
    if (receive) {
        chardev_tty_raw(chr);
    } else {
        chardev_tty_restore(chr);
    }
}

void chardev_poll(CharDev *chr)
{
    uint8_t buf[256];

    if (chr && chr->sock) {
        chardev_socket_poll(chr->sock, chr->can_receive, chr->receive,
                            chr->opaque);
        return;
    }
    if (!chr || chr->in_fd < 0 || chr->in_eof || !chr->receive ||
        !chr->can_receive) {
        return;
    }
    for (;;) {
        struct pollfd p = {.fd = chr->in_fd, .events = POLLIN};
        size_t room = chr->can_receive(chr->opaque);
        ssize_t n;

        if (room == 0) {
            return;
        }
        /* poll() first and never O_NONBLOCK: the flag would be shared with
         * every process using the same terminal. */
        if (poll(&p, 1, 0) <= 0) {
            return;
        }
        if (p.revents & POLLNVAL) {
            chr->in_eof = true;
            return;
        }
        if (!(p.revents & (POLLIN | POLLHUP | POLLERR))) {
            return;
        }
        if (room > sizeof(buf)) {
            room = sizeof(buf);
        }
        n = read(chr->in_fd, buf, room);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            return;
        }
        if (n <= 0) {
            chr->in_eof = true; /* end of input or a read error */
            return;
        }
        chr->receive(chr->opaque, buf, (size_t)n);
    }
}
