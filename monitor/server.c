/*
 * Monitor transports: stdio, unix-socket and loopback-TCP listeners and
 * their clients, on the default GLib main context (GIO sockets).
 *
 * Why the care: the main thread also serves every other client and
 * forwards guest events, so nothing here may block.  Sockets are
 * non-blocking; output goes through a per-client buffer that is flushed
 * when the socket is writable; a client whose buffer passes MON_OUT_HIGH
 * is no longer read until it drains, and one that passes MON_OUT_MAX (it
 * stopped reading but events keep coming) is disconnected.
 */
#include <errno.h>
#include <glib-unix.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "monitor/monitor-int.h"

struct MonServer {
    Monitors *ms;
    MonKind kind;
    GSocket *sock;
    GSource *src;
    char *unix_path; /* unlinked at close */
    unsigned port;   /* TCP */
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
    if (c->out_src) {
        g_source_destroy(c->out_src);
        g_source_unref(c->out_src);
    }
    if (c->sock) {
        g_socket_close(c->sock, NULL);
        g_object_unref(c->sock);
    }
    if (c->hmp) {
        hmp_session_free(c->hmp);
    }
    qmp_client_free(c);
    g_string_free(c->out, TRUE);
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
    if (c->out_src) {
        g_source_destroy(c->out_src);
    }
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

/* Write what the socket takes now; -1 if the client is gone. */
static int client_flush(MonClient *c)
{
    while (c->out->len) {
        gssize n;
        if (c->sock) {
            GError *e = NULL;
            n = g_socket_send(c->sock, c->out->str, c->out->len, NULL, &e);
            if (n < 0) {
                bool again = g_error_matches(e, G_IO_ERROR,
                                             G_IO_ERROR_WOULD_BLOCK);
                g_error_free(e);
                return again ? 0 : -1;
            }
        } else {
            /* stdout may be shared with a guest's serial port, so it stays
             * blocking; poll said writable, and a pipe then takes at
             * least PIPE_BUF bytes without blocking. */
            n = write(c->out_fd, c->out->str, MIN(c->out->len, 4096));
            if (n < 0) {
                return errno == EAGAIN || errno == EINTR ? 0 : -1;
            }
            if (c->out->len > 4096) {
                g_string_erase(c->out, 0, n);
                return 0;
            }
        }
        g_string_erase(c->out, 0, n);
    }
    return 0;
}

void mon_client_close(MonClient *c)
{
    c->closing = true;
    if (!c->out->len) {
        mon_client_kill(c);
    }
}

static gboolean on_client_writable(gpointer opaque)
{
    MonClient *c = opaque;

    if (client_flush(c) < 0) {
        mon_client_kill(c);
        return G_SOURCE_REMOVE;
    }
    if (c->out->len) {
        return G_SOURCE_CONTINUE;
    }
    g_source_unref(c->out_src);
    c->out_src = NULL;
    if (c->closing) {
        mon_client_kill(c);
    } else if (!c->in_src) {
        client_watch_input(c); /* drained below the high-water mark */
    }
    return G_SOURCE_REMOVE;
}

static gboolean sock_writable_cb(GSocket *s, GIOCondition cond, gpointer p)
{
    return on_client_writable(p);
}

static gboolean fd_writable_cb(gint fd, GIOCondition cond, gpointer p)
{
    return on_client_writable(p);
}

static void client_watch_output(MonClient *c)
{
    if (c->out_src || c->dead) {
        return;
    }
    if (c->sock) {
        c->out_src = g_socket_create_source(c->sock, G_IO_OUT, NULL);
        g_source_set_callback(c->out_src, G_SOURCE_FUNC(sock_writable_cb), c,
                              NULL);
    } else {
        c->out_src = g_unix_fd_source_new(c->out_fd, G_IO_OUT);
        g_source_set_callback(c->out_src, G_SOURCE_FUNC(fd_writable_cb), c,
                              NULL);
    }
    g_source_attach(c->out_src, NULL);
}

void mon_client_write(MonClient *c, const char *s, size_t len)
{
    if (c->dead) {
        return;
    }
    if (c->out->len + len > MON_OUT_MAX) {
        mon_client_kill(c);
        return;
    }
    g_string_append_len(c->out, s, len);
    client_watch_output(c);
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
            bool again = g_error_matches(e, G_IO_ERROR,
                                         G_IO_ERROR_WOULD_BLOCK);
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
    if (c->out->len > MON_OUT_HIGH || c->closing) {
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
        c->in_src = g_socket_create_source(c->sock, G_IO_IN | G_IO_HUP |
                                                        G_IO_ERR, NULL);
        g_source_set_callback(c->in_src, G_SOURCE_FUNC(sock_readable_cb), c,
                              NULL);
    } else {
        c->in_src = g_unix_fd_source_new(c->in_fd, G_IO_IN | G_IO_HUP |
                                                      G_IO_ERR);
        g_source_set_callback(c->in_src, G_SOURCE_FUNC(fd_readable_cb), c,
                              NULL);
    }
    g_source_attach(c->in_src, NULL);
}

static MonClient *client_new(Monitors *ms, MonKind kind, GSocket *sock,
                             int in_fd, int out_fd)
{
    MonClient *c = g_new0(MonClient, 1);
    c->ms = ms;
    c->kind = kind;
    c->sock = sock;
    c->in_fd = in_fd;
    c->out_fd = out_fd;
    c->out = g_string_new(NULL);
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

static gboolean on_accept(GSocket *lsock, GIOCondition cond, gpointer opaque)
{
    MonServer *srv = opaque;
    GSocket *s = g_socket_accept(lsock, NULL, NULL);

    if (s) {
        g_socket_set_blocking(s, FALSE);
        client_new(srv->ms, srv->kind, s, g_socket_get_fd(s),
                   g_socket_get_fd(s));
    }
    return G_SOURCE_CONTINUE;
}

static void server_free(gpointer p)
{
    MonServer *srv = p;
    if (srv->src) {
        g_source_destroy(srv->src);
        g_source_unref(srv->src);
    }
    if (srv->sock) {
        g_socket_close(srv->sock, NULL);
        g_object_unref(srv->sock);
    }
    if (srv->unix_path) {
        unlink(srv->unix_path);
        g_free(srv->unix_path);
    }
    g_free(srv);
}

/*
 * Parse "unix:PATH,server,nowait" or "tcp:HOST:PORT,server,nowait" into a
 * GSocketAddress.  "server" and "nowait" are QEMU's words for what is the
 * only mode here (listen, do not wait for a client at start-up); they are
 * accepted and optional, anything else is refused.
 */
static GSocketAddress *parse_socket_spec(const char *spec, char **unix_path,
                                         char *err, size_t errlen)
{
    char **parts = g_strsplit(spec, ",", -1);
    GSocketAddress *addr = NULL;
    const char *where = parts[0];

    for (int i = 1; parts[i]; i++) {
        if (strcmp(parts[i], "server") && strcmp(parts[i], "nowait") &&
            strcmp(parts[i], "server=on") && strcmp(parts[i], "wait=off")) {
            snprintf(err, errlen, "'%s': unsupported option '%s' "
                     "(only server,nowait)", spec, parts[i]);
            goto out;
        }
    }
    if (g_str_has_prefix(where, "unix:")) {
        const char *path = where + 5;
        if (!*path || strlen(path) >= 100) {
            snprintf(err, errlen, "'%s': bad unix socket path", spec);
            goto out;
        }
        addr = g_unix_socket_address_new(path);
        *unix_path = g_strdup(path);
    } else if (g_str_has_prefix(where, "tcp:")) {
        const char *hp = where + 4;
        const char *colon = strrchr(hp, ':');
        char *host, *end;
        unsigned long port;
        GInetAddress *ia;

        if (!colon) {
            snprintf(err, errlen, "'%s': expected tcp:HOST:PORT", spec);
            goto out;
        }
        port = strtoul(colon + 1, &end, 10);
        if (!colon[1] || *end || port > 65535) {
            snprintf(err, errlen, "'%s': bad port", spec);
            goto out;
        }
        host = g_strndup(hp, colon - hp);
        if (!strcmp(host, "localhost")) {
            g_free(host);
            host = g_strdup("127.0.0.1");
        }
        ia = g_inet_address_new_from_string(host);
        /* The monitor can stop, add and delete guests: it must not be
         * reachable from other hosts. */
        if (!ia || !g_inet_address_get_is_loopback(ia)) {
            snprintf(err, errlen, "'%s': only a loopback address may "
                     "listen (127.0.0.1)", spec);
            g_free(host);
            if (ia) {
                g_object_unref(ia);
            }
            goto out;
        }
        addr = g_inet_socket_address_new(ia, port);
        g_object_unref(ia);
        g_free(host);
    } else {
        snprintf(err, errlen, "'%s': expected stdio, unix:PATH,server,nowait "
                 "or tcp:127.0.0.1:PORT,server,nowait", spec);
    }
out:
    g_strfreev(parts);
    return addr;
}

static int server_start(Monitors *ms, MonKind kind, const char *spec,
                        char *err, size_t errlen)
{
    char *unix_path = NULL;
    GSocketAddress *addr = parse_socket_spec(spec, &unix_path, err, errlen);
    GError *e = NULL;
    MonServer *srv;

    if (!addr) {
        return -1;
    }
    srv = g_new0(MonServer, 1);
    srv->ms = ms;
    srv->kind = kind;
    srv->sock = g_socket_new(g_socket_address_get_family(addr),
                             G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                             &e);
    if (srv->sock && unix_path) {
        unlink(unix_path); /* a stale socket from an earlier run */
    }
    if (!srv->sock || !g_socket_bind(srv->sock, addr, TRUE, &e) ||
        !g_socket_listen(srv->sock, &e)) {
        snprintf(err, errlen, "'%s': %s", spec, e->message);
        g_error_free(e);
        g_object_unref(addr);
        g_free(unix_path);
        server_free(srv);
        return -1;
    }
    srv->unix_path = unix_path;
    if (!unix_path) {
        GSocketAddress *local = g_socket_get_local_address(srv->sock, NULL);
        if (local) {
            srv->port = g_inet_socket_address_get_port(
                G_INET_SOCKET_ADDRESS(local));
            g_object_unref(local);
        }
    }
    g_object_unref(addr);
    g_socket_set_blocking(srv->sock, FALSE);
    srv->src = g_socket_create_source(srv->sock, G_IO_IN, NULL);
    g_source_set_callback(srv->src, G_SOURCE_FUNC(on_accept), srv, NULL);
    g_source_attach(srv->src, NULL);
    g_ptr_array_add(ms->servers, srv);
    return 0;
}

int monitor_start(Monitors *ms, const char *spec, char *err, size_t errlen)
{
    if (!strcmp(spec, "stdio")) {
        for (guint i = 0; i < ms->clients->len; i++) {
            MonClient *c = g_ptr_array_index(ms->clients, i);
            if (!c->sock) {
                snprintf(err, errlen, "-monitor stdio: already in use");
                return -1;
            }
        }
        client_new(ms, MON_HMP, NULL, 0, 1);
        return 0;
    }
    return server_start(ms, MON_HMP, spec, err, errlen);
}

int qmp_start(Monitors *ms, const char *spec, char *err, size_t errlen)
{
    if (!strcmp(spec, "stdio")) {
        snprintf(err, errlen, "-qmp stdio: not supported (use a socket)");
        return -1;
    }
    return server_start(ms, MON_QMP, spec, err, errlen);
}

unsigned monitors_listen_port(Monitors *ms, unsigned n)
{
    if (n >= ms->servers->len) {
        return 0;
    }
    return ((MonServer *)g_ptr_array_index(ms->servers, n))->port;
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
        /* Best effort, without blocking: the reply to "quit" is usually
         * still in the buffer when main() tears down. */
        client_flush(c);
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
