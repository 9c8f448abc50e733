/*
 * Character devices: every byte stream softvisor serves or writes, the
 * guests' serial ports and debug consoles as well as the text monitor and
 * QMP (DESIGN.md, "Control").  One spec syntax, QEMU's, parsed here only:
 *
 *   "null"       output dropped; no input
 *   "stdio"      standard output; standard input for input
 *   "file:PATH"  output to PATH (created or truncated; devices/host-file.h
 *                refuses what is not a regular file or a character device)
 *   "unix:PATH[,server][,nowait]"
 *                a unix socket server at PATH
 *   "tcp:HOST:PORT[,server][,nowait]"
 *                a TCP server on a loopback address (PORT 0: any free port)
 *
 * "server" and "nowait" are accepted for QEMU compatibility; they are what
 * softvisor does anyway (it never connects out, and never waits for a
 * client at start-up).  A unix socket is created mode 0600, and a path
 * that is in use (anything but a socket, or a socket some process, this
 * one included, listens on) is refused, never replaced; a stale socket
 * that nobody listens on is replaced.  The socket file is removed when
 * its listener goes, unless something else has taken the path meanwhile.
 *
 * The pieces, from the bottom:
 * - CharSpec: a parsed spec;
 * - CharListener: a listening socket whose new connections are handed to
 *   a callback on the GLib main loop (the monitor takes every client,
 *   a guest's port one at a time);
 * - CharOut: buffered output to a descriptor or socket, written in
 *   batches, bounded, usable from any thread;
 * - CharDev: a guest device's backend (serial port, debug console) built
 *   from a spec.
 *
 * Threads: sockets are accepted, and output a socket could not take at
 * once is finished, on the thread that runs the default GLib main context
 * (the main thread, DESIGN.md "Threads").  A guest writes and polls its
 * CharDev from its worker thread; nothing a guest calls waits for a
 * client.  Without a main loop (unit tests) call
 * g_main_context_iteration(NULL, FALSE) to let those happen.
 */
#ifndef DEVICES_CHARDEV_H
#define DEVICES_CHARDEV_H

#include <gio/gio.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- specs ----------------------------------------------------------------
 */

typedef enum CharKind {
    CHAR_NULL,
    CHAR_STDIO,
    CHAR_FILE,
    CHAR_UNIX,
    CHAR_TCP,
} CharKind;

typedef struct CharSpec {
    CharKind kind;
    char *path;    /* CHAR_FILE, CHAR_UNIX */
    char *host;    /* CHAR_TCP: a loopback address, as given */
    unsigned port; /* CHAR_TCP */
} CharSpec;

/* Parse SPEC into CS (clear it with chardev_spec_clear); 0, or -1 with
 * "SPEC: problem" in ERR.  Nothing is opened. */
int chardev_spec_parse(const char *spec, CharSpec *cs, char *err,
                       size_t errlen);
void chardev_spec_clear(CharSpec *cs);
/* Check SPEC's syntax only; 0, or -1 with ERR set. */
int chardev_spec_check(const char *spec, char *err, size_t errlen);
/* The host path a valid SPEC names (file:PATH, unix:PATH), malloc'd; NULL
 * for a backend without one (stdio, null, tcp:) or a bad SPEC. */
char *chardev_spec_path(const char *spec);

/* ---- listening sockets ----------------------------------------------------
 */

typedef struct CharListener CharListener;

/* A new connection (non-blocking; the callee owns the reference). */
typedef void (*CharAcceptFn)(void *opaque, GSocket *conn);

/*
 * Listen as CS (CHAR_UNIX or CHAR_TCP) says, handing each connection to
 * FN on the default main context.  NULL with "SPEC: problem" in ERR, SPEC
 * being the text given for messages.
 */
CharListener *chardev_listen(const CharSpec *cs, const char *spec,
                             CharAcceptFn fn, void *opaque, char *err,
                             size_t errlen);
/* The TCP port it listens on (the one picked for port 0), or 0. */
unsigned chardev_listener_port(const CharListener *l);
/* Stop listening (on the main thread, or where no main loop runs); the
 * unix socket file is removed if it is still the one created. */
void chardev_listener_free(CharListener *l);

/* ---- buffered output ------------------------------------------------------
 */

typedef struct CharOut CharOut;

typedef enum CharOutEvent {
    CHAR_OUT_DRAINED,  /* everything buffered is written */
    CHAR_OUT_BROKEN,   /* the peer is gone or a write failed */
    CHAR_OUT_OVERFLOW, /* over the bound, with CHAR_OUT_SIGNAL */
} CharOutEvent;

typedef void (*CharOutEventFn)(void *opaque, CharOutEvent ev);

typedef enum CharOutFull {
    /* The writer waits for the descriptor (a file or a terminal): output
     * is never lost, and the buffer never passes its batch size. */
    CHAR_OUT_WAIT,
    /* What a socket cannot take is kept up to the bound, then dropped
     * (a guest's client that stops reading must not stop the guest). */
    CHAR_OUT_DROP,
    /* As DROP, but passing the bound is a CHAR_OUT_OVERFLOW event (a
     * monitor client that stopped reading is disconnected). */
    CHAR_OUT_SIGNAL,
} CharOutFull;

typedef struct CharOutConfig {
    CharOutFull full;
    /* Bytes buffered before a write is due; 0: write at once. */
    size_t batch;
    /* The most kept for a socket that cannot take it (DROP, SIGNAL). */
    size_t max;
    /* Called without the lock, on the thread that found the event:
     * DRAINED and OVERFLOW on the main loop or in char_out_write,
     * BROKEN wherever a write failed. */
    CharOutEventFn event;
    void *opaque;
} CharOutConfig;

/*
 * When buffered output is written: once BATCH bytes are there; at a
 * newline, when the output began after a quiet moment (nothing written
 * for CHAR_OUT_FLUSH_MS: a prompt, a line typed, a message); else by a
 * timer on the main loop, CHAR_OUT_FLUSH_MS after its first byte came,
 * or CHAR_OUT_STREAM_MS when it came right after a write (a flood, where
 * a batch is worth more than the lines as they come); and when the guest
 * stops or the CharOut is freed.  So output never waits longer than that,
 * and under a flood a write carries a full batch or CHAR_OUT_STREAM_MS of
 * output, however short its lines.
 */
#define CHAR_OUT_FLUSH_MS 5
#define CHAR_OUT_STREAM_MS 20
#define CHAR_OUT_BATCH (64u << 10)

CharOut *char_out_new(const CharOutConfig *cfg);
/*
 * Where the output goes: a descriptor (not owned; blocking, as stdout
 * and files are) or a connected socket (non-blocking; a reference is
 * taken).  Pending output for the old target is dropped.  With neither,
 * output is dropped.
 */
void char_out_set_fd(CharOut *o, int fd);
void char_out_set_socket(CharOut *o, GSocket *sock);
void char_out_write(CharOut *o, const void *buf, size_t len);
/* Write what is buffered now, as far as the target takes it. */
void char_out_flush(CharOut *o);
/* Bytes waiting. */
size_t char_out_pending(CharOut *o);
/* True once a write failed (the peer went away); until the next target. */
bool char_out_broken(CharOut *o);
/*
 * Flush and free.  A descriptor gets everything; a socket what it takes
 * within WAIT_MS.  From the main thread (or where no main loop runs).
 */
void char_out_free(CharOut *o, unsigned wait_ms);

/* ---- guest device backends ------------------------------------------------
 */

typedef struct CharDev CharDev;

/* How many bytes the device can take now (0: none). */
typedef size_t (*CharCanReceiveFn)(void *opaque);
/* Bytes for the device; LEN is never more than it said it can take. */
typedef void (*CharReceiveFn)(void *opaque, const uint8_t *buf, size_t len);

/*
 * Open a backend for a device; NULL with "SPEC: problem" in ERR.  A
 * socket backend serves one client at a time; the next one waits until
 * it hangs up.  Output with no client, or more than a client that does
 * not read can take (a bounded buffer), is dropped.
 */
CharDev *chardev_new(const char *spec, char *err, size_t errlen);
/* Flush the output, close, and give a terminal in raw mode back its
 * settings.  On the main thread (or where no main loop runs). */
void chardev_free(CharDev *chr);

/*
 * Output, from the device's thread.  Gathered a line at a time, then
 * buffered by a CharOut (written in batches, at a newline after a quiet
 * moment or within CHAR_OUT_FLUSH_MS); the guest sees no baud rate.
 * The device's thread hands over a partial line with chardev_sync() (at
 * the end of a slice) or chardev_poll() (between slices).
 */
void chardev_write(CharDev *chr, const uint8_t *buf, size_t len);
/* Hand what the device wrote to the buffer, whose rules write it. */
void chardev_sync(CharDev *chr);
/* Hand it over and write it all now (when the guest stops, say). */
void chardev_flush(CharDev *chr);

/*
 * Attach the device that takes the input (NULL functions: detach).
 * Attaching a receiver to "stdio" on a terminal puts the terminal in raw
 * mode (no echo, no line editing; signals such as Ctrl-C kept), restored
 * by chardev_free() or at process exit.
 */
void chardev_set_handlers(CharDev *chr, CharCanReceiveFn can_receive,
                          CharReceiveFn receive, void *opaque);

/*
 * Deliver pending input to the attached device without blocking, from
 * the device's thread (between slices).  A socket backend also notices
 * here that its client hung up, and takes the next one.
 */
void chardev_poll(CharDev *chr);

#endif
