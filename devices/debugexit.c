/*
 * isa-debug-exit, as QEMU defines it (hw/misc/debugexit.c behaviour): any
 * write, of any size at any offset of the range, ends the guest with exit
 * status (value << 1) | 1; reads return 0.
 */
#include <stdlib.h>

#include "devices/debugexit.h"

struct DebugExit {
    Machine *machine;
};

static uint32_t debugexit_read(void *opaque, uint32_t offset, unsigned size)
{
    return 0;
}

static void debugexit_write(void *opaque, uint32_t offset, uint32_t value,
                            unsigned size)
{
    DebugExit *d = opaque;
    /* Computed in 32 bits as QEMU does before exit() truncates it. */
    int status = (int)((value << 1) | 1);

    machine_end(d->machine, status, "isa-debug-exit: guest wrote 0x%x", value);
}

static const MemoryOps debugexit_ops = {
    .read = debugexit_read,
    .write = debugexit_write,
};

DebugExit *debugexit_new(Machine *m, uint16_t iobase, uint16_t iosize)
{
    DebugExit *d = calloc(1, sizeof(*d));

    if (!d) {
        return NULL;
    }
    d->machine = m;
    if (ports_register_sized(m->ports, "isa-debug-exit", iobase,
                             iosize ? iosize : 1, &debugexit_ops, d,
                             PORT_ACCESS_ALL) != 0) {
        free(d);
        return NULL;
    }
    return d;
}

void debugexit_free(DebugExit *d)
{
    free(d);
}
