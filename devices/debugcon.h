/*
 * Bochs/QEMU debug console (port 0xe9) and the POST code port (0x80).
 */
#ifndef DEVICES_DEBUGCON_H
#define DEVICES_DEBUGCON_H

#include <stdint.h>

#include "devices/chardev.h"
#include "memory/memory.h"

#define DEBUGCON_PORT 0xe9
#define POSTCODE_PORT 0x80

typedef struct DebugCon DebugCon;
typedef struct PostCode PostCode;

/* Bytes written to PORT go to CHR (not owned); reads return 0xe9, which
 * guests use to detect the console.  NULL if the port is taken. */
DebugCon *debugcon_new(PortSpace *ps, uint16_t port, CharDev *chr);
void debugcon_free(DebugCon *d);

/* A POST code latch: writes are kept, reads return the last one (0 before
 * any write).  NULL if the port is taken. */
PostCode *postcode_new(PortSpace *ps, uint16_t port);
void postcode_free(PostCode *p);
uint8_t postcode_last(const PostCode *p);

#endif
