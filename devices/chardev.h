/*
 * Character backends: where a serial port's or a debug console's bytes go
 * and come from.  Specs follow QEMU's -serial spelling:
 *   "stdio"      standard output; standard input for input
 *   "file:PATH"  output to PATH (created or truncated); no input
 *   "null"       output dropped; no input
 *   "unix:PATH[,server][,nowait]"
 *                a unix socket server at PATH, one client at a time;
 *                output the client cannot take at once is dropped
 *
 * Input is polled: the execution loop calls chardev_poll() between slices
 * (through the board's poll function), which reads what is there without
 * blocking and hands the device only as much as it says it can take.
 */
#ifndef DEVICES_CHARDEV_H
#define DEVICES_CHARDEV_H

#include <stddef.h>
#include <stdint.h>

typedef struct CharDev CharDev;

/* How many bytes the device can take now (0: none). */
typedef size_t (*CharCanReceiveFn)(void *opaque);
/* Bytes for the device; LEN is never more than it said it can take. */
typedef void (*CharReceiveFn)(void *opaque, const uint8_t *buf, size_t len);

/* Check SPEC's syntax without opening anything; 0, or -1 with ERR set. */
int chardev_spec_check(const char *spec, char *err, size_t errlen);
/* The host path a valid SPEC names (file:PATH, unix:PATH), malloc'd; NULL
 * for a backend without one (stdio, null). */
char *chardev_spec_path(const char *spec);
/* Open a backend; NULL with "SPEC: problem" in ERR on failure. */
CharDev *chardev_new(const char *spec, char *err, size_t errlen);
/* Close it; a terminal put in raw mode gets its settings back. */
void chardev_free(CharDev *chr);

/* Output: written through at once (the guest sees no baud rate). */
void chardev_write(CharDev *chr, const uint8_t *buf, size_t len);

/*
 * Attach the device that takes the input (NULL functions: detach).
 * Attaching a receiver to "stdio" on a terminal puts the terminal in raw
 * mode (no echo, no line editing; signals such as Ctrl-C kept), restored
 * by chardev_free() or at process exit.
 */
void chardev_set_handlers(CharDev *chr, CharCanReceiveFn can_receive,
                          CharReceiveFn receive, void *opaque);

/* Deliver pending input to the attached device without blocking. */
void chardev_poll(CharDev *chr);

#endif
