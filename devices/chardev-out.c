/*
 * Buffered output for character devices and monitor clients (see
 * chardev.h, CharOut).
 *
 * Why: a guest writes its serial port a byte at a time, and one write(2)
 * per byte held serial output to a file or socket near 0.5 MB/s.  Here
 * bytes gather in a buffer and go out in batches; the rules in chardev.h
 * (a full batch, a newline after a pause, a deadline) keep interactive
 * output prompt and bound the number of writes under a flood.
 *
 * Threads: a guest's worker writes (a line at a time, chardev.c); the
 * main loop runs the timer that flushes what a guest left behind, and the
 * watch that finishes output a socket could not take at once.  One mutex
 * guards the buffer and the target, and is held across the write(2)
 * itself, so that batches stay in order.  The GSources hold a reference,
 * so their callbacks never see a freed CharOut; one that runs after
 * char_out_free() finds it closed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <glib-unix.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/chardev.h"

struct CharOut {
    GMutex lock;
    gint refs;
    CharOutConfig cfg;
    int fd;        /* target: a descriptor (not owned), or -1 */
    GSocket *sock; /* target: a socket (a reference), or NULL */
    bool broken;   /* a write failed: drop output until the next target */
    bool closed;   /* char_out_free() ran */
    bool fd_file;  /* FD is a regular file: writes never wait long */
    uint8_t *buf;
    size_t len, size; /* SIZE: allocated, grown up to CAP */
    size_t cap;
    gint64 last_write; /* g_get_monotonic_time() of the last write */
    gint64 first;      /* ... when the first byte now buffered came */
    gint64 deadline;   /* ... when it must be out */
    GSource *timer;    /* flushes by the deadline */
    GSource *watch;    /* the target takes more */
};

/* Events found under the lock, reported after it is dropped. */
enum {
    EV_DRAINED = 1 << CHAR_OUT_DRAINED,
    EV_BROKEN = 1 << CHAR_OUT_BROKEN,
    EV_OVERFLOW = 1 << CHAR_OUT_OVERFLOW,
};

static CharOut *char_out_ref(CharOut *o)
{
    g_atomic_int_inc(&o->refs);
    return o;
}

static void char_out_unref(gpointer p)
{
    CharOut *o = p;

    if (g_atomic_int_dec_and_test(&o->refs)) {
        if (o->sock) {
            g_object_unref(o->sock);
        }
        g_mutex_clear(&o->lock);
        g_free(o->buf);
        g_free(o);
    }
}

static void char_out_fire(CharOut *o, unsigned ev)
{
    for (int i = CHAR_OUT_DRAINED; i <= CHAR_OUT_OVERFLOW; i++) {
        if ((ev & (1u << i)) && o->cfg.event) {
            o->cfg.event(o->cfg.opaque, (CharOutEvent)i);
        }
    }
}

static void char_out_drop_source(GSource **src)
{
    if (*src) {
        g_source_destroy(*src);
        g_source_unref(*src);
        *src = NULL;
    }
}

/* ---- writing ------------------------------------------------------------ */

/*
 * One write to the target: bytes written, or -errno.  Sockets never wait.
 * A descriptor that may not wait (NOWAIT) but stays blocking, because
 * others share it (stdout), gets only what poll() says it takes at once
 * (a pipe takes PIPE_BUF bytes then); a regular file takes everything.
 */
static ssize_t char_out_write_once(CharOut *o, const uint8_t *buf, size_t len,
                                   bool nowait)
{
    ssize_t n;

    if (o->sock) {
        GError *e = NULL;

        n = g_socket_send(o->sock, (const char *)buf, len, NULL, &e);
        if (n < 0) {
            n = g_error_matches(e, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK) ? -EAGAIN
                                                                       : -EPIPE;
            g_error_free(e);
        }
        return n;
    }
    if (nowait && !o->fd_file) {
        struct pollfd p = {.fd = o->fd, .events = POLLOUT};

        if (poll(&p, 1, 0) <= 0 || !(p.revents & POLLOUT)) {
            return (p.revents & (POLLERR | POLLNVAL)) ? -EPIPE : -EAGAIN;
        }
        len = MIN(len, PIPE_BUF);
    }
    n = write(o->fd, buf, len);
    return n < 0 ? -errno : n;
}

static gboolean char_out_watch_cb(gpointer opaque);

static gboolean char_out_sock_watch_cb(GSocket *s, GIOCondition c,
                                       gpointer opaque)
{
    return char_out_watch_cb(opaque);
}

static gboolean char_out_fd_watch_cb(gint fd, GIOCondition c, gpointer opaque)
{
    return char_out_watch_cb(opaque);
}

/* Finish on the main loop once the target takes more.  Lock held. */
static void char_out_arm_watch(CharOut *o)
{
    if (o->watch) {
        return;
    }
    if (o->sock) {
        o->watch = g_socket_create_source(o->sock, G_IO_OUT, NULL);
        g_source_set_callback(o->watch, G_SOURCE_FUNC(char_out_sock_watch_cb),
                              char_out_ref(o), char_out_unref);
    } else {
        o->watch = g_unix_fd_source_new(o->fd, G_IO_OUT);
        g_source_set_callback(o->watch, G_SOURCE_FUNC(char_out_fd_watch_cb),
                              char_out_ref(o), char_out_unref);
    }
    g_source_attach(o->watch, NULL);
}

/* How a flush may go. */
typedef enum CharOutFlush {
    FLUSH_NORMAL, /* as the mode says; nothing if the watch waits */
    FLUSH_FORCE,  /* try now even if the watch waits */
    FLUSH_LOOP,   /* on the main loop: never wait for a descriptor */
} CharOutFlush;

static void char_out_arm_timer(CharOut *o);

/* Write the buffer out.  What a socket (or a descriptor that may not
 * wait) cannot take now waits for the watch; on the main loop, what a
 * waiting descriptor cannot take now waits for the timer.  Lock held;
 * returns events. */
static unsigned char_out_flush_locked(CharOut *o, CharOutFlush how)
{
    bool wait = o->cfg.full == CHAR_OUT_WAIT && how != FLUSH_LOOP;
    size_t done = 0;
    unsigned ev = 0;

    if ((o->watch && how != FLUSH_FORCE) || !o->len) {
        return 0;
    }
    while (done < o->len) {
        ssize_t n = char_out_write_once(o, o->buf + done, o->len - done, !wait);

        if (n > 0) {
            done += (size_t)n;
        } else if (n == -EINTR) {
            continue;
        } else if (n == -EAGAIN && wait) {
            /* Someone made the descriptor non-blocking: wait for room
             * rather than lose guest output. */
            struct pollfd p = {.fd = o->fd, .events = POLLOUT};
            poll(&p, 1, 100);
        } else if (n == -EAGAIN && o->cfg.full == CHAR_OUT_WAIT) {
            break; /* the timer comes back; the writer would wait */
        } else if (n == -EAGAIN) {
            char_out_arm_watch(o);
            break;
        } else {
            /* Gone (closed pipe, reset socket, full disk): drop output
             * from now on rather than stop the guest over it. */
            o->broken = true;
            done = o->len;
            ev |= EV_BROKEN;
        }
    }
    memmove(o->buf, o->buf + done, o->len - done);
    o->len -= done;
    o->last_write = g_get_monotonic_time();
    return ev;
}

static gboolean char_out_watch_cb(gpointer opaque)
{
    CharOut *o = opaque;
    unsigned ev = 0;

    g_mutex_lock(&o->lock);
    if (o->watch == g_main_current_source()) {
        g_source_unref(o->watch);
        o->watch = NULL;
        ev = char_out_flush_locked(o, FLUSH_NORMAL);
        if (!o->len && !o->closed) {
            ev |= EV_DRAINED;
        }
    }
    g_mutex_unlock(&o->lock);
    char_out_fire(o, ev);
    return G_SOURCE_REMOVE;
}

static gboolean char_out_timer_cb(gpointer opaque)
{
    CharOut *o = opaque;
    unsigned ev = 0;

    g_mutex_lock(&o->lock);
    if (o->timer == g_main_current_source()) {
        g_source_unref(o->timer);
        o->timer = NULL;
        /* Armed for an earlier batch, which went out full: wait for this
         * one's deadline. */
        if (g_get_monotonic_time() < o->deadline - 1000) {
            char_out_arm_timer(o);
        } else {
            /* The main loop never waits for a slow terminal or pipe:
             * what it does not take now is tried again later (or by the
             * guest's worker, which may wait, once a batch is full). */
            ev = char_out_flush_locked(o, FLUSH_LOOP);
            if (o->len) {
                o->deadline = g_get_monotonic_time() + CHAR_OUT_FLUSH_MS * 1000;
                char_out_arm_timer(o);
            }
        }
    }
    g_mutex_unlock(&o->lock);
    char_out_fire(o, ev);
    return G_SOURCE_REMOVE;
}

/* Output that began right after a write: the guest is streaming. */
static bool char_out_streaming(const CharOut *o)
{
    return o->first - o->last_write < CHAR_OUT_FLUSH_MS * 1000;
}

/* Make sure what is buffered goes out by its deadline.  Lock held. */
static void char_out_arm_timer(CharOut *o)
{
    gint64 ms;

    if (o->timer || o->watch || !o->len) {
        return;
    }
    ms = (o->deadline - g_get_monotonic_time() + 999) / 1000;
    o->timer = g_timeout_source_new((guint)CLAMP(ms, 0, CHAR_OUT_STREAM_MS));
    g_source_set_callback(o->timer, char_out_timer_cb, char_out_ref(o),
                          char_out_unref);
    g_source_attach(o->timer, NULL);
}

/* ---- the API ------------------------------------------------------------ */

CharOut *char_out_new(const CharOutConfig *cfg)
{
    CharOut *o = g_new0(CharOut, 1);

    g_mutex_init(&o->lock);
    o->refs = 1;
    o->cfg = *cfg;
    o->fd = -1;
    /* A buffer never holds more than a batch when the writer waits, and
     * never more than the bound otherwise. */
    o->cap = cfg->full == CHAR_OUT_WAIT ? MAX(cfg->batch, 1) : cfg->max;
    return o;
}

/* Room for LEN more bytes (LEN within the cap).  Lock held. */
static void char_out_reserve(CharOut *o, size_t len)
{
    if (o->len + len > o->size) {
        o->size = MIN(MAX(o->size * 2, MAX(o->len + len, 4096)), o->cap);
        o->buf = g_realloc(o->buf, o->size);
    }
}

/* A new target: nothing pending for the old one survives.  Lock held. */
static void char_out_retarget(CharOut *o)
{
    char_out_drop_source(&o->timer);
    char_out_drop_source(&o->watch);
    if (o->sock) {
        g_object_unref(o->sock);
        o->sock = NULL;
    }
    o->fd = -1;
    o->len = 0;
    o->broken = false;
}

void char_out_set_fd(CharOut *o, int fd)
{
    struct stat st;

    g_mutex_lock(&o->lock);
    char_out_retarget(o);
    o->fd = fd;
    o->fd_file = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    g_mutex_unlock(&o->lock);
}

void char_out_set_socket(CharOut *o, GSocket *sock)
{
    g_mutex_lock(&o->lock);
    char_out_retarget(o);
    o->sock = sock ? g_object_ref(sock) : NULL;
    g_mutex_unlock(&o->lock);
}

void char_out_write(CharOut *o, const void *data, size_t len)
{
    const uint8_t *buf = data;
    unsigned ev = 0;

    g_mutex_lock(&o->lock);
    if (o->closed || o->broken || (o->fd < 0 && !o->sock) || !len) {
        g_mutex_unlock(&o->lock);
        return;
    }
    if (o->cfg.full == CHAR_OUT_WAIT && o->len + len > o->cap) {
        ev |= char_out_flush_locked(o, FLUSH_NORMAL);
        if (len >= o->cap && !o->broken) {
            /* Bigger than a batch itself: straight out. */
            char_out_reserve(o, o->cap);
            while (len && !o->broken) {
                size_t k = MIN(len, o->cap);
                memcpy(o->buf, buf, k);
                o->len = k;
                ev |= char_out_flush_locked(o, FLUSH_NORMAL);
                buf += k;
                len -= k;
            }
            len = 0;
        }
    }
    if (o->cfg.full != CHAR_OUT_WAIT && o->len + len > o->cap) {
        /* The main loop may just not have come round to the watch yet. */
        ev |= char_out_flush_locked(o, FLUSH_FORCE);
    }
    if (o->cfg.full != CHAR_OUT_WAIT && o->len + len > o->cap) {
        /* A socket that does not take its output: keep what fits. */
        len = o->cap - o->len;
        if (o->cfg.full == CHAR_OUT_SIGNAL) {
            ev |= EV_OVERFLOW;
        }
    }
    if (len && !o->broken) {
        if (!o->len) {
            o->first = g_get_monotonic_time();
            o->deadline =
                o->first + (char_out_streaming(o) ? CHAR_OUT_STREAM_MS
                                                  : CHAR_OUT_FLUSH_MS) *
                               1000;
        }
        char_out_reserve(o, len);
        memcpy(o->buf + o->len, buf, len);
        o->len += len;
    }
    if (o->len >= o->cfg.batch ||
        (memchr(buf, '\n', len) && !char_out_streaming(o))) {
        ev |= char_out_flush_locked(o, FLUSH_NORMAL);
    }
    if (o->len) {
        char_out_arm_timer(o);
    }
    g_mutex_unlock(&o->lock);
    char_out_fire(o, ev);
}

void char_out_flush(CharOut *o)
{
    unsigned ev;

    g_mutex_lock(&o->lock);
    ev = char_out_flush_locked(o, FLUSH_NORMAL);
    g_mutex_unlock(&o->lock);
    char_out_fire(o, ev);
}

size_t char_out_pending(CharOut *o)
{
    size_t n;

    g_mutex_lock(&o->lock);
    n = o->len;
    g_mutex_unlock(&o->lock);
    return n;
}

bool char_out_broken(CharOut *o)
{
    bool b;

    g_mutex_lock(&o->lock);
    b = o->broken;
    g_mutex_unlock(&o->lock);
    return b;
}

void char_out_free(CharOut *o, unsigned wait_ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)wait_ms * 1000;

    if (!o) {
        return;
    }
    g_mutex_lock(&o->lock);
    char_out_drop_source(&o->timer);
    char_out_drop_source(&o->watch);
    /* What is left goes now: a guest's output must not be lost when it
     * ends or the process quits.  A socket gets WAIT_MS to take it. */
    for (;;) {
        gint64 left = end - g_get_monotonic_time();
        struct pollfd p = {.events = POLLOUT};

        char_out_flush_locked(o, FLUSH_NORMAL);
        if (!o->watch || left <= 0) {
            break;
        }
        char_out_drop_source(&o->watch);
        p.fd = o->sock ? g_socket_get_fd(o->sock) : o->fd;
        poll(&p, 1, (int)MAX(left / 1000, 1));
    }
    char_out_drop_source(&o->watch);
    o->closed = true;
    g_mutex_unlock(&o->lock);
    char_out_unref(o);
}
