/*
 * The "unix:PATH[,server][,nowait]" character backend: softvisor listens
 * on PATH and serves one client at a time, like QEMU's
 * -serial unix:PATH,server,nowait.
 *
 * Everything runs on the guest's worker thread between slices, so nothing
 * here may block: the listener and the client are non-blocking, a client
 * is accepted from the poll function, and output the client has no room
 * for is dropped (a client that stops reading must not stop the guest,
 * which a real UART with no one listening would not notice either).
 * "server" and "nowait" are accepted for QEMU compatibility; they are
 * what softvisor does anyway ("wait" would stall the guest's start).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "devices/chardev-int.h"

struct CharSocket {
    int listen_fd;
    int conn_fd; /* -1: no client */
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
};

int chardev_socket_parse(const char *spec, char *path, size_t pathlen,
                         char *err, size_t errlen)
{
    const char *p = spec + strlen("unix:");
    const char *comma = strchr(p, ',');
    size_t n = comma ? (size_t)(comma - p) : strlen(p);
    size_t max = sizeof(((struct sockaddr_un *)0)->sun_path) - 1;

    if (n == 0) {
        snprintf(err, errlen, "%s: give a socket path after unix:", spec);
        return -1;
    }
    if (n > max) {
        snprintf(err, errlen, "%s: socket path longer than %zu bytes", spec,
                 max);
        return -1;
    }
    while (comma) {
        const char *opt = comma + 1;
        size_t len;

        comma = strchr(opt, ',');
        len = comma ? (size_t)(comma - opt) : strlen(opt);
        if (!(len == 6 && !strncmp(opt, "server", 6)) &&
            !(len == 9 && !strncmp(opt, "server=on", 9)) &&
            !(len == 6 && !strncmp(opt, "nowait", 6)) &&
            !(len == 8 && !strncmp(opt, "wait=off", 8))) {
            snprintf(err, errlen,
                     "%s: unsupported option '%.*s' (softvisor only serves: "
                     "server,nowait)",
                     spec, (int)len, opt);
            return -1;
        }
    }
    if (path) {
        if (n >= pathlen) {
            snprintf(err, errlen, "%s: socket path too long", spec);
            return -1;
        }
        memcpy(path, p, n);
        path[n] = '\0';
    }
    return 0;
}

CharSocket *chardev_socket_new(const char *spec, char *err, size_t errlen)
{
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    CharSocket *s = calloc(1, sizeof(*s));
    struct stat st;

    if (!s) {
        snprintf(err, errlen, "%s: %s", spec, strerror(ENOMEM));
        return NULL;
    }
    s->conn_fd = -1;
    if (chardev_socket_parse(spec, s->path, sizeof(s->path), err, errlen)) {
        free(s);
        return NULL;
    }
    memcpy(addr.sun_path, s->path, strlen(s->path) + 1);
    /* A socket left by an earlier run would make bind() fail; anything
     * else at PATH is not ours to remove. */
    if (lstat(s->path, &st) == 0 && S_ISSOCK(st.st_mode)) {
        unlink(s->path);
    }
    s->listen_fd =
        socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->listen_fd < 0 ||
        bind(s->listen_fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
        listen(s->listen_fd, 4) != 0) {
        snprintf(err, errlen, "%s: cannot listen on %s: %s", spec, s->path,
                 strerror(errno));
        if (s->listen_fd >= 0) {
            close(s->listen_fd);
        }
        free(s);
        return NULL;
    }
    return s;
}

void chardev_socket_free(CharSocket *s)
{
    if (!s) {
        return;
    }
    if (s->conn_fd >= 0) {
        close(s->conn_fd);
    }
    close(s->listen_fd);
    unlink(s->path);
    free(s);
}

static void chardev_socket_drop_client(CharSocket *s)
{
    close(s->conn_fd);
    s->conn_fd = -1;
}

void chardev_socket_write(CharSocket *s, const uint8_t *buf, size_t len)
{
    while (s->conn_fd >= 0 && len) {
        /* MSG_NOSIGNAL: a vanished client is EPIPE here, not SIGPIPE. */
        ssize_t n = send(s->conn_fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);

        if (n > 0) {
            buf += n;
            len -= (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return; /* the client is not reading: drop the rest */
        } else {
            chardev_socket_drop_client(s); /* EPIPE, ECONNRESET, ... */
        }
    }
}

void chardev_socket_poll(CharSocket *s, CharCanReceiveFn can_receive,
                         CharReceiveFn receive, void *opaque)
{
    uint8_t buf[256];
    /* Bounded so that a client flooding a device that discards its input
     * cannot keep the worker here. */
    int reads = 64;

    while (reads-- > 0) {
        size_t room;
        ssize_t n;

        if (s->conn_fd < 0) {
            s->conn_fd =
                accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (s->conn_fd < 0) {
                return; /* nobody waiting (EAGAIN) or a failed accept */
            }
        }
        /* With no device taking input, read and discard anyway: that is
         * how a client's hang-up is seen, freeing the place for the next. */
        room = receive && can_receive ? can_receive(opaque) : sizeof(buf);
        if (room == 0) {
            return;
        }
        if (room > sizeof(buf)) {
            room = sizeof(buf);
        }
        n = recv(s->conn_fd, buf, room, MSG_DONTWAIT);
        if (n < 0 && (errno == EINTR || errno == EAGAIN ||
                      errno == EWOULDBLOCK)) {
            return;
        }
        if (n <= 0) {
            chardev_socket_drop_client(s); /* hang-up or reset: next one */
            continue;
        }
        if (receive && can_receive) {
            receive(opaque, buf, (size_t)n);
        }
    }
}
