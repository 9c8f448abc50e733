/*
 * Listening sockets for character devices and monitors (see chardev.h),
 * on GIO, their connections accepted on the default main context.
 *
 * A unix socket path is a name in the file system that other programs,
 * and other parts of this one (the monitor, another guest's serial port),
 * may be using.  So a path is taken only when it is free: nothing there,
 * or a stale socket file that no process listens on (a connect() to it
 * is refused).  Anything else is refused with one line, never unlinked.
 * The check and the bind are two steps; a process that creates the path
 * between them makes the bind fail (EADDRINUSE), which is refused too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "devices/chardev.h"

struct CharListener {
    GSocket *sock;
    GSource *src;
    CharAcceptFn fn;
    void *opaque;
    char *unix_path; /* the socket file created, to remove at the end */
    dev_t dev;       /* ... if it is still that file */
    ino_t ino;
    unsigned port;
};

/*
 * Whether PATH may be bound: 0 if nothing is there or a stale socket was
 * removed; -1 with "SPEC: problem" in ERR if it is in use or not ours to
 * judge.
 */
static int chardev_unix_claim(const char *spec, const char *path, char *err,
                              size_t errlen)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    struct stat st;
    int fd, r, e;

    if (lstat(path, &st) != 0) {
        if (errno == ENOENT) {
            return 0;
        }
        snprintf(err, errlen, "%s: %s: %s", spec, path, strerror(errno));
        return -1;
    }
    if (!S_ISSOCK(st.st_mode)) {
        snprintf(err, errlen,
                 "%s: %s exists and is not a socket (not replaced)", spec,
                 path);
        return -1;
    }
    /* A socket file: does anyone listen?  Non-blocking, so that a
     * listener with a full backlog says EAGAIN rather than stall us. */
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", spec, strerror(errno));
        return -1;
    }
    memcpy(a.sun_path, path, strlen(path) + 1);
    r = connect(fd, (struct sockaddr *)&a, sizeof(a));
    e = errno;
    close(fd);
    if (r == 0 || e == EAGAIN || e == EINPROGRESS) {
        snprintf(err, errlen,
                 "%s: %s is in use: a server listens there (not replaced)",
                 spec, path);
        return -1;
    }
    if (e != ECONNREFUSED) {
        snprintf(err, errlen, "%s: %s: cannot tell whether it is in use: %s",
                 spec, path, strerror(e));
        return -1;
    }
    /* Nobody listens: a socket left by a process that is gone. */
    if (unlink(path) != 0 && errno != ENOENT) {
        snprintf(err, errlen, "%s: cannot remove the stale socket %s: %s", spec,
                 path, strerror(errno));
        return -1;
    }
    return 0;
}

/* Bind to PATH, mode 0600, and note which file that made. */
static int chardev_unix_bind(CharListener *l, const char *spec,
                             const char *path, char *err, size_t errlen)
{
    GSocketAddress *addr = g_unix_socket_address_new(path);
    GError *e = NULL;
    struct stat st;
    bool ok;

    /* The socket file takes the socket's mode at bind (less the umask):
     * only this user may connect, whatever the umask.  Not umask(),
     * which is the whole process's and would race other threads. */
    if (fchmod(g_socket_get_fd(l->sock), 0600) != 0) {
        snprintf(err, errlen, "%s: %s", spec, strerror(errno));
        g_object_unref(addr);
        return -1;
    }
    ok = g_socket_bind(l->sock, addr, FALSE, &e);
    g_object_unref(addr);
    if (!ok) {
        snprintf(err, errlen, "%s: cannot listen on %s: %s", spec, path,
                 e->message);
        g_error_free(e);
        return -1;
    }
    if (lstat(path, &st) != 0 || !S_ISSOCK(st.st_mode)) {
        snprintf(err, errlen, "%s: %s vanished after bind", spec, path);
        return -1;
    }
    /* Nobody can connect before listen(), so fixing the mode here is in
     * time should a file system not take it from the socket. */
    if ((st.st_mode & 077) && chmod(path, 0600) != 0) {
        snprintf(err, errlen, "%s: %s: %s", spec, path, strerror(errno));
        unlink(path);
        return -1;
    }
    l->unix_path = g_strdup(path);
    l->dev = st.st_dev;
    l->ino = st.st_ino;
    return 0;
}

static int chardev_tcp_bind(CharListener *l, const CharSpec *cs,
                            const char *spec, char *err, size_t errlen)
{
    const char *host = strcmp(cs->host, "localhost") ? cs->host : "127.0.0.1";
    GSocketAddress *addr =
        g_inet_socket_address_new_from_string(host, cs->port);
    GSocketAddress *local;
    GError *e = NULL;
    bool ok;

    ok = g_socket_bind(l->sock, addr, TRUE, &e);
    g_object_unref(addr);
    if (!ok) {
        snprintf(err, errlen, "%s: %s", spec, e->message);
        g_error_free(e);
        return -1;
    }
    local = g_socket_get_local_address(l->sock, NULL);
    if (local) {
        l->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(local));
        g_object_unref(local);
    }
    return 0;
}

static gboolean chardev_listener_accept(GSocket *lsock, GIOCondition cond,
                                        gpointer opaque)
{
    CharListener *l = opaque;
    GSocket *s;

    /* Everything waiting: the source is level-triggered anyway, but one
     * wake-up should serve a burst. */
    while ((s = g_socket_accept(lsock, NULL, NULL))) {
        g_socket_set_blocking(s, FALSE);
        l->fn(l->opaque, s);
    }
    return G_SOURCE_CONTINUE;
}

CharListener *chardev_listen(const CharSpec *cs, const char *spec,
                             CharAcceptFn fn, void *opaque, char *err,
                             size_t errlen)
{
    CharListener *l;
    GSocketFamily family = G_SOCKET_FAMILY_UNIX;
    GError *e = NULL;

    if (cs->kind == CHAR_TCP) {
        GInetAddress *ia = g_inet_address_new_from_string(cs->host);
        family = ia ? g_inet_address_get_family(ia) : G_SOCKET_FAMILY_IPV4;
        if (ia) {
            g_object_unref(ia);
        }
    } else if (cs->kind != CHAR_UNIX) {
        snprintf(err, errlen, "%s: not a socket", spec);
        return NULL;
    } else if (chardev_unix_claim(spec, cs->path, err, errlen) < 0) {
        return NULL;
    }
    l = g_new0(CharListener, 1);
    l->fn = fn;
    l->opaque = opaque;
    l->sock = g_socket_new(family, G_SOCKET_TYPE_STREAM,
                           G_SOCKET_PROTOCOL_DEFAULT, &e);
    if (!l->sock) {
        snprintf(err, errlen, "%s: %s", spec, e->message);
        g_error_free(e);
        chardev_listener_free(l);
        return NULL;
    }
    if ((cs->kind == CHAR_UNIX
             ? chardev_unix_bind(l, spec, cs->path, err, errlen)
             : chardev_tcp_bind(l, cs, spec, err, errlen)) < 0) {
        chardev_listener_free(l);
        return NULL;
    }
    if (!g_socket_listen(l->sock, &e)) {
        snprintf(err, errlen, "%s: %s", spec, e->message);
        g_error_free(e);
        chardev_listener_free(l);
        return NULL;
    }
    g_socket_set_blocking(l->sock, FALSE);
    l->src = g_socket_create_source(l->sock, G_IO_IN, NULL);
    g_source_set_callback(l->src, G_SOURCE_FUNC(chardev_listener_accept), l,
                          NULL);
    g_source_attach(l->src, NULL);
    return l;
}

unsigned chardev_listener_port(const CharListener *l)
{
    return l->port;
}

void chardev_listener_free(CharListener *l)
{
    struct stat st;

    if (!l) {
        return;
    }
    if (l->src) {
        g_source_destroy(l->src);
        g_source_unref(l->src);
    }
    if (l->sock) {
        g_socket_close(l->sock, NULL);
        g_object_unref(l->sock);
    }
    /* Only the file this listener made: if another process has put its
     * own socket there meanwhile, it is not ours to remove. */
    if (l->unix_path && lstat(l->unix_path, &st) == 0 && S_ISSOCK(st.st_mode) &&
        st.st_dev == l->dev && st.st_ino == l->ino) {
        unlink(l->unix_path);
    }
    g_free(l->unix_path);
    g_free(l);
}
