/*
 * The text monitor (HMP-like) and the JSON protocol (QMP-compatible) of
 * softvisor, served on the main thread's GLib main loop (DESIGN.md,
 * "Control", "Threads").
 *
 * Everything hangs off one Monitors object: its listening sockets, its
 * clients, and the per-client state (selected guest, QMP negotiation).
 * All functions here are for the main thread, which must iterate the
 * default GLib main context; socket I/O is non-blocking, and each client
 * has a bounded output buffer, so no client can stall the guests.
 *
 * Use from main():
 *
 *     Monitors *ms = monitors_new(vmm);
 *     monitors_set_notify(ms, on_monitor_change, loop);
 *     if (monitor_start(ms, "-monitor spec", err, sizeof(err)) < 0) ...
 *     if (qmp_start(ms, "-qmp spec", err, sizeof(err)) < 0) ...
 *     run the main loop; in on_monitor_change and after each guest event:
 *         quit when monitors_quit_requested(ms), or when
 *         vmm_all_done(vmm) && !monitors_any_attached(ms)
 *     monitors_free(ms);   before vmm_free(vmm)
 *
 * monitors_new installs the Vmm's event handler (vmm_set_event_handler):
 * it forwards GUEST_END/STOP/RESUME to QMP clients and then calls the
 * notify function, so main() need not (and must not) install its own.
 */
#ifndef MONITOR_MONITOR_H
#define MONITOR_MONITOR_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "monitor/vmm.h"

typedef struct Monitors Monitors;

typedef enum MonitorsNotify {
    MONITORS_CLIENT_CHANGED, /* a client attached or detached */
    MONITORS_GUEST_EVENT,    /* a guest ended, stopped or resumed */
    MONITORS_QUIT,           /* `quit` (HMP) or "quit" (QMP) */
} MonitorsNotify;

typedef void (*MonitorsNotifyFn)(void *opaque, MonitorsNotify what);

Monitors *monitors_new(Vmm *v);
/* Close every socket and client (nothing is flushed). */
void monitors_free(Monitors *ms);
void monitors_set_notify(Monitors *ms, MonitorsNotifyFn fn, void *opaque);

/*
 * -monitor SPEC: "stdio", "unix:PATH,server,nowait" or
 * "tcp:127.0.0.1:PORT,server,nowait" (loopback addresses only; PORT 0
 * picks a free port, see monitors_listen_port).  QMP takes the socket
 * forms.  0, or -1 with one line in ERR.  Several may be started.
 */
int monitor_start(Monitors *ms, const char *spec, char *err, size_t errlen);
int qmp_start(Monitors *ms, const char *spec, char *err, size_t errlen);
/*
 * -monitor-allow-dir DIR (NULL-terminated DIRS, each an existing
 * directory): from now on every host path a client names (guest add's
 * kernel, initrd modules, serial/debugcon file: and unix: paths, D) must
 * resolve, symbolic links followed, under one of them.  0, or -1 with one
 * line in ERR.
 */
int monitors_allow_dirs(Monitors *ms, char *const *dirs, char *err,
                        size_t errlen);
/* The port of the Nth (0-based, in start order) TCP listener, or 0. */
unsigned monitors_listen_port(Monitors *ms, unsigned n);

/* True while the stdio monitor's input is open or any socket client is
 * connected.  A listening socket without a client does not count. */
bool monitors_any_attached(Monitors *ms);
/* True once a client asked to quit. */
bool monitors_quit_requested(Monitors *ms);

/*
 * Run one HMP command line as a monitor session of its own (the guest
 * selection persists across calls) and append its output to OUT.  0, or
 * -1 when the command failed (OUT then ends with its one error line).
 * QMP's human-monitor-command uses the session of its client instead.
 */
int monitors_hmp_command(Monitors *ms, const char *line, GString *out);

#endif
