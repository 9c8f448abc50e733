/*
 * QEMU's isa-debug-exit: a guest ends its run by writing a value to a
 * port; the exit status is (value << 1) | 1, so it is never 0 and a test
 * harness can tell it from a normal shutdown.
 */
#ifndef DEVICES_DEBUGEXIT_H
#define DEVICES_DEBUGEXIT_H

#include <stdint.h>

#include "translate/machine.h"

typedef struct DebugExit DebugExit;

/* Claim [iobase, iobase+iosize) on M's port space (1-, 2- and 4-byte
 * accesses); NULL if the ports are taken. */
DebugExit *debugexit_new(Machine *m, uint16_t iobase, uint16_t iosize);
void debugexit_free(DebugExit *d);

#endif
