/*
 * The x86 I/O port space: 65536 byte-wide ports (SDM Vol. 1, 19.2).
 *
 * A direct map from port number to range keeps in/out a table lookup:
 * 128 KiB per guest, cheap next to its RAM.  A range says which access
 * sizes its handlers take; an access of another size, or one that leaves
 * the range, is cut in halves until the pieces fit, which is what an ISA
 * bus does for an 8-bit device and what lets a 16-bit access straddle two
 * devices.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memory/memory.h"

#define PORT_COUNT 65536
#define PORT_NAME_LEN 32
/* map[] holds index + 1 in 16 bits. */
#define PORT_MAX_RANGES 65535

typedef struct PortRange {
    uint16_t base;
    uint32_t count;
    unsigned sizes; /* PORT_ACCESS_* */
    MemoryOps ops;
    void *opaque;
    char name[PORT_NAME_LEN];
} PortRange;

struct PortSpace {
    uint16_t map[PORT_COUNT]; /* 0: unclaimed, else range index + 1 */
    PortRange *ranges;
    unsigned nranges;
    unsigned capacity;
};

static inline uint32_t all_ones(unsigned size)
{
    return size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

PortSpace *ports_new(void)
{
    return calloc(1, sizeof(PortSpace));
}

void ports_free(PortSpace *ps)
{
    if (ps) {
        free(ps->ranges);
        free(ps);
    }
}

int ports_register_sized(PortSpace *ps, const char *name, uint16_t port,
                         uint32_t count, const MemoryOps *ops, void *opaque,
                         unsigned sizes)
{
    PortRange *r;

    if (count == 0 || (uint32_t)port + count > PORT_COUNT ||
        ps->nranges == PORT_MAX_RANGES || !(sizes & PORT_ACCESS_ALL)) {
        return -1;
    }
    for (uint32_t p = port; p < (uint32_t)port + count; p++) {
        if (ps->map[p]) {
            return -1;
        }
    }
    if (ps->nranges == ps->capacity) {
        unsigned cap = ps->capacity ? ps->capacity * 2 : 16;
        PortRange *n = realloc(ps->ranges, cap * sizeof(PortRange));
        if (!n) {
            return -1;
        }
        ps->ranges = n;
        ps->capacity = cap;
    }
    r = &ps->ranges[ps->nranges++];
    memset(r, 0, sizeof(*r));
    r->base = port;
    r->count = count;
    r->sizes = sizes & PORT_ACCESS_ALL;
    if (ops) {
        r->ops = *ops;
    }
    r->opaque = opaque;
    snprintf(r->name, sizeof(r->name), "%s", name ? name : "");
    for (uint32_t p = port; p < (uint32_t)port + count; p++) {
        ps->map[p] = (uint16_t)ps->nranges;
    }
    return 0;
}

int ports_register(PortSpace *ps, const char *name, uint16_t port,
                   uint32_t count, const MemoryOps *ops, void *opaque)
{
    return ports_register_sized(ps, name, port, count, ops, opaque,
                                PORT_ACCESS_8);
}

/*
 * The range that takes a SIZE-byte access at PORT whole, or NULL.  The
 * access must stay inside one range: the last port (without wrapping
 * past 0xffff) must map to the same range as the first.
 */
static const PortRange *ports_whole(const PortSpace *ps, uint16_t port,
                                    unsigned size)
{
    unsigned idx = ps->map[port];
    uint32_t last = (uint32_t)port + size - 1;

    if (!idx || last >= PORT_COUNT || ps->map[last] != idx) {
        return NULL;
    }
    /* PORT_ACCESS_8/16/32 are 1, 2, 4: the size itself is the bit. */
    return ps->ranges[idx - 1].sizes & size ? &ps->ranges[idx - 1] : NULL;
}

uint32_t ports_read(PortSpace *ps, uint16_t port, unsigned size)
{
    const PortRange *r;
    unsigned half;
    uint32_t lo, hi;

    if (size != 1 && size != 2 && size != 4) {
        return 0xffffffffu;
    }
    r = ports_whole(ps, port, size);
    if (r) {
        if (!r->ops.read) {
            return all_ones(size);
        }
        return r->ops.read(r->opaque, port - r->base, size) & all_ones(size);
    }
    if (size == 1) {
        return 0xff; /* unclaimed */
    }
    /* Low half first, as the bus does it: two statements, because the
     * operands of '|' are evaluated in no fixed order. */
    half = size / 2;
    lo = ports_read(ps, port, half);
    hi = ports_read(ps, (uint16_t)(port + half), half);
    return lo | hi << (8 * half);
}

void ports_write(PortSpace *ps, uint16_t port, uint32_t value, unsigned size)
{
    const PortRange *r;
    unsigned half;

    if (size != 1 && size != 2 && size != 4) {
        return;
    }
    r = ports_whole(ps, port, size);
    if (r) {
        if (r->ops.write) {
            r->ops.write(r->opaque, port - r->base, value & all_ones(size),
                         size);
        }
        return;
    }
    if (size == 1) {
        return; /* unclaimed */
    }
    half = size / 2;
    ports_write(ps, port, value & all_ones(half), half);
    ports_write(ps, (uint16_t)(port + half), value >> (8 * half), half);
}
