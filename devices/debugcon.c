/*
 * Debug console and POST code ports.
 *
 * The debug console is Bochs's "port e9 hack", also in QEMU as
 * isa-debugcon: each byte written is output; a read returns 0xe9 so that
 * a guest can tell the console is there.  Port 0x80 is where firmware
 * writes POST codes; it is kept so that a monitor can show the last one.
 */
#include <stdlib.h>

#include "devices/debugcon.h"

#define DEBUGCON_READBACK 0xe9

struct DebugCon {
    CharDev *chr;
};

struct PostCode {
    uint8_t last;
};

static uint32_t debugcon_read(void *opaque, uint32_t offset, unsigned size)
{
    return DEBUGCON_READBACK;
}

static void debugcon_write(void *opaque, uint32_t offset, uint32_t value,
                           unsigned size)
{
    DebugCon *d = opaque;
    uint8_t byte = (uint8_t)value;

    chardev_write(d->chr, &byte, 1);
}

static const MemoryOps debugcon_ops = {
    .read = debugcon_read,
    .write = debugcon_write,
};

DebugCon *debugcon_new(PortSpace *ps, uint16_t port, CharDev *chr)
{
    DebugCon *d = calloc(1, sizeof(*d));

    if (!d) {
        return NULL;
    }
    d->chr = chr;
    if (ports_register(ps, "debugcon", port, 1, &debugcon_ops, d) != 0) {
        free(d);
        return NULL;
    }
    return d;
}

void debugcon_free(DebugCon *d)
{
    free(d);
}

static uint32_t postcode_read(void *opaque, uint32_t offset, unsigned size)
{
    PostCode *p = opaque;

    return p->last;
}

static void postcode_write(void *opaque, uint32_t offset, uint32_t value,
                           unsigned size)
{
    PostCode *p = opaque;

    p->last = (uint8_t)value;
}

static const MemoryOps postcode_ops = {
    .read = postcode_read,
    .write = postcode_write,
};

PostCode *postcode_new(PortSpace *ps, uint16_t port)
{
    PostCode *p = calloc(1, sizeof(*p));

    if (!p) {
        return NULL;
    }
    if (ports_register(ps, "post", port, 1, &postcode_ops, p) != 0) {
        free(p);
        return NULL;
    }
    return p;
}

void postcode_free(PostCode *p)
{
    free(p);
}

uint8_t postcode_last(const PostCode *p)
{
    return p->last;
}
