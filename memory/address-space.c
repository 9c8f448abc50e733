/*
 * A guest's physical address space: RAM, overlay regions (ROM, MMIO,
 * holes) and translated-code page tracking.
 *
 * RAM is one anonymous host mapping per AddressSpace, reserved lazily by
 * the kernel, with PROT_NONE guard areas before and after it: a host
 * address computed from a guest address that escaped its checks faults
 * instead of reaching another guest's memory (DESIGN.md, "Objects").
 *
 * Overlay regions live in a small array sorted by base address.  Lookups
 * use a binary search; the array is short (a PC has a handful of regions)
 * and never changes once the board is built, so nothing fancier is needed.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "memory/host-access.h"
#include "memory/memory.h"
#include "memory/tlb.h"

#define AS_MAX_REGIONS 64
#define AS_REGION_NAME_LEN 32
/* Bytes of PROT_NONE mapping on each side of RAM.  One host page would do
 * for the TLB fast path (it never reaches past a guest page); a larger
 * margin also catches small offsets added to a bad base. */
#define AS_GUARD_SIZE (64 * 1024)
/* 3.5 GiB: the top half-gigabyte of the 32-bit physical space is kept for
 * MMIO and firmware, as on a PC. */
#define AS_MAX_RAM 0xE0000000ull

typedef enum RegionKind { REGION_ROM, REGION_MMIO, REGION_HOLE } RegionKind;

typedef struct Region {
    uint32_t base;
    uint32_t last; /* inclusive, so that a region may end at 4 GiB */
    RegionKind kind;
    uint8_t *rom;  /* REGION_ROM: private copy of the contents */
    MemoryOps ops; /* REGION_MMIO */
    void *opaque;
    char name[AS_REGION_NAME_LEN];
} Region;

struct AddressSpace {
    uint8_t *mapping; /* guard + RAM + guard */
    size_t mapping_len;
    uint8_t *ram;
    uint32_t ram_size;

    Region regions[AS_MAX_REGIONS];
    unsigned nregions;

    uint8_t *code_bits; /* one bit per 4 KiB RAM page */
    CodeWriteHook code_hook;
    void *code_opaque;
};

/* What lies at a physical address: a region, RAM, or nothing. */
typedef struct Span {
    const Region *region; /* non-NULL: this region */
    uint8_t *ram;         /* non-NULL: plain RAM at this host address */
    uint64_t len;         /* bytes from the address on with the same kind */
} Span;

static inline uint32_t all_ones(unsigned size)
{
    return size >= 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

/* ---- lifetime ---------------------------------------------------------- */

AddressSpace *as_new(uint64_t ram_size)
{
    AddressSpace *as;
    size_t len;
    void *map;

    if (ram_size > AS_MAX_RAM || (ram_size & (GUEST_PAGE_SIZE - 1))) {
        errno = EINVAL;
        return NULL;
    }
    as = calloc(1, sizeof(*as));
    if (!as) {
        return NULL;
    }
    len = (size_t)ram_size + 2 * AS_GUARD_SIZE;
    /* Reserve everything inaccessible, then open the middle: the guards
     * are whatever stays PROT_NONE.  MAP_NORESERVE: a guest only costs the
     * host the pages it touches. */
    map = mmap(NULL, len, PROT_NONE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (map == MAP_FAILED) {
        free(as);
        return NULL;
    }
    if (ram_size && mprotect((uint8_t *)map + AS_GUARD_SIZE, ram_size,
                             PROT_READ | PROT_WRITE) != 0) {
        int e = errno;
        munmap(map, len);
        free(as);
        errno = e;
        return NULL;
    }
    as->mapping = map;
    as->mapping_len = len;
    as->ram = (uint8_t *)map + AS_GUARD_SIZE;
    as->ram_size = (uint32_t)ram_size;
    as->code_bits = calloc(ram_size / GUEST_PAGE_SIZE / 8 + 1, 1);
    if (!as->code_bits) {
        munmap(map, len);
        free(as);
        errno = ENOMEM;
        return NULL;
    }
    return as;
}

void as_free(AddressSpace *as)
{
    if (!as) {
        return;
    }
    for (unsigned i = 0; i < as->nregions; i++) {
        free(as->regions[i].rom);
    }
    munmap(as->mapping, as->mapping_len);
    free(as->code_bits);
    free(as);
}

uint8_t *as_ram_base(AddressSpace *as)
{
    return as->ram;
}

uint32_t as_ram_size(const AddressSpace *as)
{
    return as->ram_size;
}

/* ---- regions ----------------------------------------------------------- */

/* Number of regions whose base is <= PADDR. */
static unsigned as_upper_bound(const AddressSpace *as, uint32_t paddr)
{
    unsigned lo = 0, hi = as->nregions;

    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (as->regions[mid].base <= paddr) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static Span as_span(const AddressSpace *as, uint32_t paddr)
{
    unsigned i = as_upper_bound(as, paddr);
    uint64_t next = i < as->nregions ? as->regions[i].base : 1ull << 32;
    Span s = {NULL, NULL, 0};

    if (i > 0 && paddr <= as->regions[i - 1].last) {
        s.region = &as->regions[i - 1];
        s.len = (uint64_t)s.region->last - paddr + 1;
    } else if (paddr < as->ram_size) {
        s.ram = as->ram + paddr;
        s.len = (next < as->ram_size ? next : as->ram_size) - paddr;
    } else {
        s.len = next - paddr;
    }
    return s;
}

static Region *as_insert_region(AddressSpace *as, const char *name,
                                uint32_t base, uint32_t size, RegionKind kind)
{
    uint64_t last = (uint64_t)base + size - 1;
    unsigned i;
    Region *r;

    if (size == 0 || last > 0xffffffffull || as->nregions == AS_MAX_REGIONS) {
        return NULL;
    }
    i = as_upper_bound(as, base);
    if (i > 0 && as->regions[i - 1].last >= base) {
        return NULL;
    }
    if (i < as->nregions && as->regions[i].base <= last) {
        return NULL;
    }
    memmove(&as->regions[i + 1], &as->regions[i],
            (as->nregions - i) * sizeof(Region));
    as->nregions++;
    r = &as->regions[i];
    memset(r, 0, sizeof(*r));
    r->base = base;
    r->last = (uint32_t)last;
    r->kind = kind;
    snprintf(r->name, sizeof(r->name), "%s", name ? name : "");
    return r;
}

int as_add_rom(AddressSpace *as, const char *name, uint32_t base,
               const void *data, uint32_t size)
{
    uint8_t *copy = calloc(size ? size : 1, 1);
    Region *r;

    if (!copy) {
        return -1;
    }
    if (data) {
        memcpy(copy, data, size);
    }
    r = as_insert_region(as, name, base, size, REGION_ROM);
    if (!r) {
        free(copy);
        return -1;
    }
    r->rom = copy;
    return 0;
}

int as_add_mmio(AddressSpace *as, const char *name, uint32_t base,
                uint32_t size, const MemoryOps *ops, void *opaque)
{
    Region *r = as_insert_region(as, name, base, size, REGION_MMIO);

    if (!r) {
        return -1;
    }
    if (ops) {
        r->ops = *ops;
    }
    r->opaque = opaque;
    return 0;
}

int as_add_hole(AddressSpace *as, const char *name, uint32_t base,
                uint32_t size)
{
    return as_insert_region(as, name, base, size, REGION_HOLE) ? 0 : -1;
}

int as_fill_hole(AddressSpace *as, const char *name, uint32_t base,
                 uint32_t size)
{
    uint64_t addr = base, end = (uint64_t)base + size;

    if (end > 1ull << 32) {
        return -1;
    }
    while (addr < end) {
        Span s = as_span(as, (uint32_t)addr);
        uint64_t n = end - addr < s.len ? end - addr : s.len;

        if (!s.region &&
            as_add_hole(as, name, (uint32_t)addr, (uint32_t)n) != 0) {
            return -1;
        }
        addr += n;
    }
    return 0;
}

/* ---- host pointers ----------------------------------------------------- */

uint8_t *as_ram_ptr(AddressSpace *as, uint32_t paddr, uint32_t len)
{
    Span s;

    if (len == 0) {
        len = 1;
    }
    if ((uint64_t)paddr + len > as->ram_size) {
        return NULL;
    }
    s = as_span(as, paddr);
    return s.ram && s.len >= len ? s.ram : NULL;
}

uint8_t *as_page_ptr(AddressSpace *as, uint32_t paddr)
{
    return as_ram_ptr(as, paddr & GUEST_PAGE_MASK, GUEST_PAGE_SIZE);
}

const uint8_t *as_rom_page_ptr(AddressSpace *as, uint32_t paddr)
{
    uint32_t page = paddr & GUEST_PAGE_MASK;
    Span s = as_span(as, page);

    if (s.region && s.region->kind == REGION_ROM && s.len >= GUEST_PAGE_SIZE) {
        return s.region->rom + (page - s.region->base);
    }
    return NULL;
}

/* ---- code pages -------------------------------------------------------- */

void as_set_code_hook(AddressSpace *as, CodeWriteHook hook, void *opaque)
{
    as->code_hook = hook;
    as->code_opaque = opaque;
}

void as_mark_code_page(AddressSpace *as, uint32_t paddr)
{
    if (paddr < as->ram_size) {
        uint32_t pn = paddr >> GUEST_PAGE_BITS;
        as->code_bits[pn >> 3] |= 1u << (pn & 7);
    }
}

void as_clear_code_page(AddressSpace *as, uint32_t paddr)
{
    if (paddr < as->ram_size) {
        uint32_t pn = paddr >> GUEST_PAGE_BITS;
        as->code_bits[pn >> 3] &= ~(1u << (pn & 7));
    }
}

bool as_is_code_page(const AddressSpace *as, uint32_t paddr)
{
    uint32_t pn;

    if (paddr >= as->ram_size) {
        return false;
    }
    pn = paddr >> GUEST_PAGE_BITS;
    return as->code_bits[pn >> 3] & (1u << (pn & 7));
}

/*
 * Tell the translator that [paddr, paddr+len) of RAM is about to change.
 * It runs before the bytes are stored: a hook that unwinds to re-execute
 * the writing instruction (DESIGN.md, "Self-modifying code") must find
 * memory as the instruction first saw it.
 */
static void as_notify_code_write(AddressSpace *as, uint32_t paddr, uint32_t len)
{
    uint32_t first = paddr & GUEST_PAGE_MASK;
    uint32_t last = (paddr + len - 1) & GUEST_PAGE_MASK;

    if (!as->code_hook) {
        return;
    }
    if (as_is_code_page(as, first) ||
        (last != first && as_is_code_page(as, last))) {
        as->code_hook(as->code_opaque, paddr, len);
    }
}

/* ---- accesses ---------------------------------------------------------- */

static bool size_ok(unsigned size)
{
    return size == 1 || size == 2 || size == 4;
}

uint32_t as_read(AddressSpace *as, uint32_t paddr, unsigned size)
{
    Span s = as_span(as, paddr);
    uint32_t v;

    if (!size_ok(size) || s.len < size) {
        /* Crosses a boundary between kinds (or an odd size): byte by
         * byte, little-endian, each byte by its own rules. */
        v = 0;
        for (unsigned i = 0; i < size && i < 4; i++) {
            v |= as_read(as, paddr + i, 1) << (8 * i);
        }
        return v;
    }
    if (s.ram) {
        return host_ld_le(s.ram, size);
    }
    if (!s.region) {
        return all_ones(size);
    }
    switch (s.region->kind) {
    case REGION_ROM:
        return host_ld_le(s.region->rom + (paddr - s.region->base), size);
    case REGION_MMIO:
        if (!s.region->ops.read) {
            return all_ones(size);
        }
        return s.region->ops.read(s.region->opaque, paddr - s.region->base,
                                  size) &
               all_ones(size);
    default: return all_ones(size);
    }
}

void as_write(AddressSpace *as, uint32_t paddr, uint32_t value, unsigned size)
{
    Span s = as_span(as, paddr);

    if (!size_ok(size) || s.len < size) {
        for (unsigned i = 0; i < size && i < 4; i++) {
            as_write(as, paddr + i, value >> (8 * i), 1);
        }
        return;
    }
    if (s.ram) {
        as_notify_code_write(as, paddr, size);
        host_st_le(s.ram, value, size);
    } else if (s.region && s.region->kind == REGION_MMIO &&
               s.region->ops.write) {
        s.region->ops.write(s.region->opaque, paddr - s.region->base,
                            value & all_ones(size), size);
    }
    /* ROM, holes and unassigned space drop writes. */
}

void as_read_buf(AddressSpace *as, uint32_t paddr, void *buf, uint32_t len)
{
    uint8_t *out = buf;

    while (len) {
        Span s = as_span(as, paddr);
        uint32_t n = s.len < len ? (uint32_t)s.len : len;

        if (s.ram) {
            memcpy(out, s.ram, n);
        } else if (s.region && s.region->kind == REGION_ROM) {
            memcpy(out, s.region->rom + (paddr - s.region->base), n);
        } else if (s.region && s.region->kind == REGION_MMIO) {
            for (uint32_t i = 0; i < n; i++) {
                out[i] = (uint8_t)as_read(as, paddr + i, 1);
            }
        } else {
            memset(out, 0xff, n);
        }
        out += n;
        paddr += n;
        len -= n;
    }
}

void as_write_buf(AddressSpace *as, uint32_t paddr, const void *buf,
                  uint32_t len)
{
    const uint8_t *in = buf;

    while (len) {
        Span s = as_span(as, paddr);
        uint32_t n = s.len < len ? (uint32_t)s.len : len;

        if (s.ram) {
            /* Page by page, so that the hook sees only marked pages. */
            uint32_t done = 0;
            while (done < n) {
                uint32_t a = paddr + done;
                uint32_t chunk = GUEST_PAGE_SIZE - (a & ~GUEST_PAGE_MASK);
                if (chunk > n - done) {
                    chunk = n - done;
                }
                if (as->code_hook && as_is_code_page(as, a)) {
                    as->code_hook(as->code_opaque, a, chunk);
                }
                memcpy(s.ram + done, in + done, chunk);
                done += chunk;
            }
        } else if (s.region && s.region->kind == REGION_MMIO) {
            for (uint32_t i = 0; i < n; i++) {
                as_write(as, paddr + i, in[i], 1);
            }
        }
        in += n;
        paddr += n;
        len -= n;
    }
}
