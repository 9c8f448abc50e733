/*
 * Guest device backends (see chardev.h, CharDev): null, stdio, file, and
 * unix or TCP socket servers serving one client at a time.
 *
 * Output goes through a CharOut in every case.  A socket backend's
 * listener accepts on the main loop and hands the client over under the
 * CharDev's lock; the guest's worker reads the client in chardev_poll()
 * and, when it hangs up, takes the next one waiting.
 *
 * Nothing here is global: a terminal's saved settings live in a small
 * record owned by the process's exit handler list, so that the terminal
 * is restored even if the program exits without freeing the backend.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "devices/chardev.h"
#include "devices/host-file.h"

/* Clients that may wait while one is served; more are turned away. */
#define CHARDEV_MAX_WAITING 8
/* Output kept for a socket client that does not keep up: a guest
 * flooding its console at ~10 MB/s gives the client ~100 ms. */
#define CHARDEV_SOCKET_MAX (1u << 20)
/* Bytes a device writes that gather before the CharOut takes them. */
#define CHARDEV_STAGE 256
/* How long a socket client gets to take the rest at the end. */
#define CHARDEV_CLOSE_WAIT_MS 100

/* Saved terminal state; freed by the exit handler that restores it. */
typedef struct TtyRestore {
    int fd;
    bool active;
    struct termios saved;
} TtyRestore;

struct CharDev {
    CharKind kind;
    CharOut *out; /* NULL: output dropped */
    /* The device's thread only (or anyone while the device is still):
     * a UART writes a byte at a time, and the CharOut's lock per byte
     * cost a third of the guest's time; here it is taken once a line. */
    uint8_t stage[CHARDEV_STAGE];
    size_t staged;
    int file_fd; /* CHAR_FILE: ours to close */
    int in_fd;   /* CHAR_STDIO: standard input; else -1 */
    bool in_eof;
    TtyRestore *tty; /* non-NULL once stdin was put in raw mode */

    /* Socket backends.  LOCK guards CLIENT and WAITING, which the main
     * loop's accept and the worker's poll both change. */
    CharListener *listener;
    GMutex lock;
    GSocket *client;
    GQueue waiting; /* GSocket *, accepted while CLIENT is served */

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

/* ---- sockets --------------------------------------------------------------
 */

static void chardev_close_socket(GSocket *s)
{
    g_socket_close(s, NULL);
    g_object_unref(s);
}

/* The served client is gone: the next one waiting, if any.  Lock held. */
static void chardev_next_client(CharDev *chr)
{
    if (chr->client) {
        chardev_close_socket(chr->client);
    }
    chr->client = g_queue_pop_head(&chr->waiting);
    char_out_set_socket(chr->out, chr->client);
}

/* On the main loop. */
static void chardev_accept(void *opaque, GSocket *conn)
{
    CharDev *chr = opaque;

    g_mutex_lock(&chr->lock);
    if (!chr->client) {
        chr->client = conn;
        char_out_set_socket(chr->out, conn);
    } else if (g_queue_get_length(&chr->waiting) < CHARDEV_MAX_WAITING) {
        g_queue_push_tail(&chr->waiting, conn);
    } else {
        chardev_close_socket(conn);
    }
    g_mutex_unlock(&chr->lock);
}

static void chardev_poll_socket(CharDev *chr)
{
    uint8_t buf[256];
    /* Bounded so that a client flooding a device that discards its input
     * cannot keep the worker here. */
    int reads = 64;

    g_mutex_lock(&chr->lock);
    while (reads-- > 0) {
        GError *e = NULL;
        size_t room;
        gssize n;

        if (!chr->client || char_out_broken(chr->out)) {
            if (!chr->client && g_queue_is_empty(&chr->waiting)) {
                break;
            }
            chardev_next_client(chr);
            continue;
        }
        /* With no device taking input, read and discard anyway: that is
         * how a client's hang-up is seen, freeing the place for the next. */
        room = chr->receive && chr->can_receive ? chr->can_receive(chr->opaque)
                                                : sizeof(buf);
        if (room == 0) {
            break;
        }
        n = g_socket_receive(chr->client, (char *)buf, MIN(room, sizeof(buf)),
                             NULL, &e);
        if (n < 0 && g_error_matches(e, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
            g_error_free(e);
            break;
        }
        if (e) {
            g_error_free(e);
        }
        if (n <= 0) {
            chardev_next_client(chr); /* hang-up or reset */
            continue;
        }
        if (chr->receive && chr->can_receive) {
            chr->receive(chr->opaque, buf, (size_t)n);
        }
    }
    g_mutex_unlock(&chr->lock);
}

/* ---- the backend ------------------------------------------------------------
 */

CharDev *chardev_new(const char *spec, char *err, size_t errlen)
{
    CharOutConfig cfg = {.full = CHAR_OUT_WAIT, .batch = CHAR_OUT_BATCH};
    CharSpec cs;
    CharDev *chr;

    if (!spec) {
        spec = "null";
    }
    if (chardev_spec_parse(spec, &cs, err, errlen) < 0) {
        return NULL;
    }
    chr = g_new0(CharDev, 1);
    chr->kind = cs.kind;
    chr->file_fd = -1;
    chr->in_fd = -1;
    g_mutex_init(&chr->lock);
    g_queue_init(&chr->waiting);
    switch (cs.kind) {
    case CHAR_NULL: break;
    case CHAR_STDIO:
        chr->in_fd = STDIN_FILENO;
        chr->out = char_out_new(&cfg);
        char_out_set_fd(chr->out, STDOUT_FILENO);
        break;
    case CHAR_FILE: {
        char ferr[HOST_FILE_ERR_MAX];

        chr->file_fd =
            host_file_open(cs.path, HOST_FILE_WRITE, NULL, ferr, sizeof(ferr));
        if (chr->file_fd < 0) {
            /* "PATH: problem" as "file:PATH: problem". */
            snprintf(err, errlen, "file:%s", ferr);
            goto fail;
        }
        chr->out = char_out_new(&cfg);
        char_out_set_fd(chr->out, chr->file_fd);
        break;
    }
    case CHAR_UNIX:
    case CHAR_TCP:
        cfg.full = CHAR_OUT_DROP;
        cfg.max = CHARDEV_SOCKET_MAX;
        chr->out = char_out_new(&cfg);
        chr->listener =
            chardev_listen(&cs, spec, chardev_accept, chr, err, errlen);
        if (!chr->listener) {
            goto fail;
        }
        break;
    }
    chardev_spec_clear(&cs);
    return chr;
fail:
    chardev_spec_clear(&cs);
    chardev_free(chr);
    return NULL;
}

void chardev_free(CharDev *chr)
{
    GSocket *s;

    if (!chr) {
        return;
    }
    chardev_tty_restore(chr);
    /* No new clients; the one served gets what is buffered. */
    chardev_listener_free(chr->listener);
    chardev_sync(chr);
    char_out_free(chr->out, CHARDEV_CLOSE_WAIT_MS);
    while ((s = g_queue_pop_head(&chr->waiting))) {
        chardev_close_socket(s);
    }
    if (chr->client) {
        chardev_close_socket(chr->client);
    }
    if (chr->file_fd >= 0) {
        close(chr->file_fd);
    }
    g_mutex_clear(&chr->lock);
    g_free(chr);
}

void chardev_sync(CharDev *chr)
{
    if (chr && chr->staged) {
        char_out_write(chr->out, chr->stage, chr->staged);
        chr->staged = 0;
    }
}

void chardev_write(CharDev *chr, const uint8_t *buf, size_t len)
{
    bool newline;

    if (!chr || !chr->out) {
        return;
    }
    if (chr->staged + len > sizeof(chr->stage)) {
        chardev_sync(chr);
        if (len > sizeof(chr->stage)) {
            char_out_write(chr->out, buf, len);
            return;
        }
    }
    /* A byte at a time is the common case: no library calls for it. */
    if (len == 1) {
        chr->stage[chr->staged++] = buf[0];
        newline = buf[0] == '\n';
    } else {
        memcpy(chr->stage + chr->staged, buf, len);
        chr->staged += len;
        newline = memchr(buf, '\n', len) != NULL;
    }
    /* A line is what the CharOut's rules look at. */
    if (newline || chr->staged == sizeof(chr->stage)) {
        chardev_sync(chr);
    }
}

void chardev_flush(CharDev *chr)
{
    if (chr && chr->out) {
        chardev_sync(chr);
        char_out_flush(chr->out);
    }
}

void chardev_set_handlers(CharDev *chr, CharCanReceiveFn can_receive,
                          CharReceiveFn receive, void *opaque)
{
    if (!chr) {
        return;
    }
    g_mutex_lock(&chr->lock);
    chr->can_receive = can_receive;
    chr->receive = receive;
    chr->opaque = opaque;
    g_mutex_unlock(&chr->lock);
    if (receive) {
        chardev_tty_raw(chr);
    } else {
        chardev_tty_restore(chr);
    }
}

static void chardev_poll_stdio(CharDev *chr)
{
    uint8_t buf[256];

    if (chr->in_fd < 0 || chr->in_eof || !chr->receive || !chr->can_receive) {
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

void chardev_poll(CharDev *chr)
{
    if (!chr) {
        return;
    }
    chardev_sync(chr);
    if (chr->listener) {
        chardev_poll_socket(chr);
    } else {
        chardev_poll_stdio(chr);
    }
}
