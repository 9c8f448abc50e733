/*
 * Monitor transports: stdio, and unix-socket and loopback-TCP listeners
 * and their clients, on the default GLib main context.  The specs, the
 * listening sockets and each client's output buffer are the character
 * device layer's (devices/chardev.h), shared with the guests' serial
 * ports.
 *
 * Why the care: the main thread also serves every other client and
 * forwards guest events, so nothing here may block.  Sockets are
 * non-blocking; output goes through a per-client CharOut that finishes
 * on the main loop what the socket could not take at once; a client
 * whose output passes MON_OUT_HIGH is no longer read until it drains,
 * and one that passes MON_OUT_MAX (it stopped reading but events keep
 * coming) is disconnected.
 */
#include <errno.h>
#include <glib-unix.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "devices/host-file.h"
#include "monitor/monitor-int.h"

struct MonServer {
    Monitors *ms;
    MonKind kind;
    CharListener *listener;
};

static void client_watch_input(MonClient *c);

/* ---- notifications ----------------------------------------------------- */

void mon_notify(Monitors *ms, MonitorsNotify what)
{
    if (ms->notify) {
        ms->notify(ms->notify_opaque, what);
    }
}

void mon_request_quit(Monitors *ms)
{
    ms->quit = true;
    vmm_request_quit(ms->vmm);
    mon_notify(ms, MONITORS_QUIT);
}

static void on_vmm_event(void *opaque, VmmEvent ev, const GuestInfo *g)
{
    Monitors *ms = opaque;
    qmp_broadcast_event(ms, ev, g);
    mon_notify(ms, MONITORS_GUEST_EVENT);
}

/* ---- clients ----------------------------------------------------------- */

static void client_free(MonClient *c)
{
    if (c->in_src) {
        g_source_destroy(c->in_src);
        g_source_unref(c->in_src);
    }
    char_out_free(c->out, 0);
    if (c->sock) {
        g_socket_close(c->sock, NULL);
        g_object_unref(c->sock);
    }
    if (c->hmp) {
        hmp_session_free(c->hmp);
    }
    qmp_client_free(c);
    g_free(c);
}

static gboolean reap_dead(gpointer opaque)
{
    Monitors *ms = opaque;
    ms->reap_id = 0;
    g_ptr_array_set_size(ms->dead, 0); /* frees each */
    return G_SOURCE_REMOVE;
}

void mon_client_kill(MonClient *c)
{
    Monitors *ms = c->ms;

    if (c->dead) {
        return;
    }
    c->dead = true;
    /* Stop the I/O now; the memory goes later, because a caller up the
     * stack (an input callback) may still hold C. */
    if (c->in_src) {
        g_source_destroy(c->in_src);
    }
    char_out_set_fd(c->out, -1); /* unsent output is dropped */
    if (c->sock) {
        g_socket_close(c->sock, NULL);
    }
    g_ptr_array_remove(ms->clients, c);
    g_ptr_array_add(ms->dead, c);
    if (!ms->reap_id) {
        ms->reap_id = g_idle_add(reap_dead, ms);
    }
    mon_notify(ms, MONITORS_CLIENT_CHANGED);
}

void mon_client_close(MonClient *c)
{
    c->closing = true;
    if (!char_out_pending(c->out)) {
        mon_client_kill(c);
    }
}

/* Output events, on the main thread (from a write or the main loop). */
static void client_out_event(void *opaque, CharOutEvent ev)
{
    MonClient *c = opaque;

    if (c->dead) {
        return;
    }
    if (ev != CHAR_OUT_DRAINED) {
        mon_client_kill(c); /* gone, or stopped reading */
    } else if (c->closing) {
        mon_client_kill(c);
    } else if (!c->in_src) {
        client_watch_input(c); /* drained below the high-water mark */
    }
}

void mon_client_write(MonClient *c, const char *s, size_t len)
{
    if (!c->dead) {
        char_out_write(c->out, s, len);
    }
}

void mon_client_printf(MonClient *c, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    mon_client_write(c, s, strlen(s));
    g_free(s);
}

static gboolean on_client_readable(gpointer opaque)
{
    MonClient *c = opaque;
    char buf[4096];
    gssize n;

    if (c->sock) {
        GError *e = NULL;
        n = g_socket_receive(c->sock, buf, sizeof(buf), NULL, &e);
        if (n < 0) {
            bool again = g_error_matches(e, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK);
            g_error_free(e);
            if (again) {
                return G_SOURCE_CONTINUE;
            }
        }
    } else {
        n = read(c->in_fd, buf, sizeof(buf));
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            return G_SOURCE_CONTINUE;
        }
    }
    if (n <= 0) {
        mon_client_kill(c);
        return G_SOURCE_REMOVE;
    }
    if (c->kind == MON_HMP) {
        hmp_client_input(c, buf, n);
    } else {
        qmp_client_input(c, buf, n);
    }
    if (c->dead) {
        return G_SOURCE_REMOVE;
    }
    if (char_out_pending(c->out) > MON_OUT_HIGH || c->closing) {
        /* Back-pressure: read again once the client took its output. */
        g_source_unref(c->in_src);
        c->in_src = NULL;
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static gboolean sock_readable_cb(GSocket *s, GIOCondition cond, gpointer p)
{
    return on_client_readable(p);
}

static gboolean fd_readable_cb(gint fd, GIOCondition cond, gpointer p)
{
    return on_client_readable(p);
}

static void client_watch_input(MonClient *c)
{
    if (c->sock) {
        c->in_src = g_socket_create_source(c->sock,
                                           G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
        g_source_set_callback(c->in_src, G_SOURCE_FUNC(sock_readable_cb), c,
                              NULL);
    } else {
        c->in_src =
            g_unix_fd_source_new(c->in_fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
        g_source_set_callback(c->in_src, G_SOURCE_FUNC(fd_readable_cb), c,
                              NULL);
    }
    g_source_attach(c->in_src, NULL);
}

/* A client on SOCK, or on stdin and stdout when SOCK is NULL. */
static MonClient *client_new(Monitors *ms, MonKind kind, GSocket *sock)
{
    MonClient *c = g_new0(MonClient, 1);
    CharOutConfig oc = {
        .full = CHAR_OUT_SIGNAL, /* batch 0: replies go out at once */
        .max = MON_OUT_MAX,
        .event = client_out_event,
        .opaque = c,
    };

    c->ms = ms;
    c->kind = kind;
    c->sock = sock;
    c->in_fd = sock ? g_socket_get_fd(sock) : STDIN_FILENO;
    c->out = char_out_new(&oc);
    if (sock) {
        char_out_set_socket(c->out, sock);
    } else {
        char_out_set_fd(c->out, STDOUT_FILENO);
    }
    g_ptr_array_add(ms->clients, c);
    client_watch_input(c);
    if (kind == MON_HMP) {
        hmp_client_open(c);
    } else {
        qmp_client_open(c);
    }
    mon_notify(ms, MONITORS_CLIENT_CHANGED);
    return c;
}

/* ---- listeners --------------------------------------------------------- */

static void on_accept(void *opaque, GSocket *conn)
{
    MonServer *srv = opaque;

    client_new(srv->ms, srv->kind, conn);
}

static void server_free(gpointer p)
{
    MonServer *srv = p;

    chardev_listener_free(srv->listener);
    g_free(srv);
}

/* FLAG SPEC: the stdio client, or a listener for unix: and tcp:. */
static int server_start(Monitors *ms, MonKind kind, const char *flag,
                        const char *spec, char *err, size_t errlen)
{
    char cerr[HOST_FILE_ERR_MAX];
    MonServer *srv;
    CharSpec cs;

    if (chardev_spec_parse(spec, &cs, cerr, sizeof(cerr)) < 0) {
        snprintf(err, errlen, "%s %s", flag, cerr);
        return -1;
    }
    if (cs.kind == CHAR_STDIO && kind == MON_HMP) {
        chardev_spec_clear(&cs);
        for (guint i = 0; i < ms->clients->len; i++) {
            MonClient *c = g_ptr_array_index(ms->clients, i);
            if (!c->sock) {
                snprintf(err, errlen, "%s stdio: already in use", flag);
                return -1;
            }
        }
        client_new(ms, MON_HMP, NULL);
        return 0;
    }
    if (cs.kind != CHAR_UNIX && cs.kind != CHAR_TCP) {
        snprintf(err, errlen,
                 "%s %s: expected %sunix:PATH,server,nowait or "
                 "tcp:127.0.0.1:PORT,server,nowait",
                 flag, spec, kind == MON_HMP ? "stdio, " : "");
        chardev_spec_clear(&cs);
        return -1;
    }
    srv = g_new0(MonServer, 1);
    srv->ms = ms;
    srv->kind = kind;
    srv->listener =
        chardev_listen(&cs, spec, on_accept, srv, cerr, sizeof(cerr));
    chardev_spec_clear(&cs);
    if (!srv->listener) {
        snprintf(err, errlen, "%s %s", flag, cerr);
        g_free(srv);
        return -1;
    }
    g_ptr_array_add(ms->servers, srv);
    return 0;
}

int monitor_start(Monitors *ms, const char *spec, char *err, size_t errlen)
{
    return server_start(ms, MON_HMP, "-monitor", spec, err, errlen);
}

int qmp_start(Monitors *ms, const char *spec, char *err, size_t errlen)
{
    return server_start(ms, MON_QMP, "-qmp", spec, err, errlen);
}

unsigned monitors_listen_port(Monitors *ms, unsigned n)
{
    if (n >= ms->servers->len) {
        return 0;
    }
    return chardev_listener_port(
        ((MonServer *)g_ptr_array_index(ms->servers, n))->listener);
}

/* ---- the Monitors object ----------------------------------------------- */

Monitors *monitors_new(Vmm *v)
{
    Monitors *ms = g_new0(Monitors, 1);
    ms->vmm = v;
    ms->servers = g_ptr_array_new_with_free_func(server_free);
    ms->clients = g_ptr_array_new();
    ms->dead = g_ptr_array_new_with_free_func((GDestroyNotify)client_free);
    ms->session = hmp_session_new(ms);
    vmm_set_event_handler(v, on_vmm_event, ms);
    return ms;
}

void monitors_free(Monitors *ms)
{
    if (!ms) {
        return;
    }
    vmm_set_event_handler(ms->vmm, NULL, NULL);
    ms->notify = NULL; /* no callbacks into a main() that is tearing down */
    while (ms->clients->len) {
        MonClient *c = g_ptr_array_index(ms->clients, 0);
        /* Best effort, without blocking: the reply to "quit" may still
         * be in the buffer when main() tears down. */
        char_out_flush(c->out);
        mon_client_kill(c);
    }
    if (ms->reap_id) {
        g_source_remove(ms->reap_id);
    }
    g_ptr_array_free(ms->dead, TRUE);
    g_ptr_array_free(ms->clients, TRUE);
    g_ptr_array_free(ms->servers, TRUE);
    hmp_session_free(ms->session);
    g_strfreev(ms->allow_dirs);
    g_free(ms);
}

void monitors_set_notify(Monitors *ms, MonitorsNotifyFn fn, void *opaque)
{
    ms->notify = fn;
    ms->notify_opaque = opaque;
}

bool monitors_any_attached(Monitors *ms)
{
    return ms->clients->len > 0;
}

bool monitors_quit_requested(Monitors *ms)
{
    return ms->quit;
}

int monitors_hmp_command(Monitors *ms, const char *line, GString *out)
{
    return hmp_session_exec(ms->session, line, out);
}
