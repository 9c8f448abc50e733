/*
 * A guest's physical address space and I/O port space.
 *
 * RAM is one host mapping per guest, with inaccessible guard pages on both
 * sides, so that no computed guest address can reach another guest's or the
 * host's memory.  ROM and MMIO regions overlay the physical space; an
 * access that hits nothing reads all ones and drops writes.
 */
#ifndef MEMORY_MEMORY_H
#define MEMORY_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Callbacks of an MMIO region or a port range.  OFFSET is relative to the
 * region's start; SIZE is 1, 2 or 4. */
typedef struct MemoryOps {
    uint32_t (*read)(void *opaque, uint32_t offset, unsigned size);
    void (*write)(void *opaque, uint32_t offset, uint32_t value,
                  unsigned size);
} MemoryOps;

typedef struct AddressSpace AddressSpace;
typedef struct PortSpace PortSpace;

/* Called when the guest, a loader or a device writes physical memory on a
 * page marked as holding translated code (set by the translator). */
typedef void (*CodeWriteHook)(void *opaque, uint32_t paddr, uint32_t len);

/* Create an address space with RAM_SIZE bytes of RAM at physical 0
 * (RAM_SIZE a multiple of 4 KiB, at most 3.5 GiB).  NULL on failure
 * (errno set). */
AddressSpace *as_new(uint64_t ram_size);
void as_free(AddressSpace *as);

uint8_t *as_ram_base(AddressSpace *as);
uint32_t as_ram_size(const AddressSpace *as);

/*
 * Overlay regions.  A region hides the RAM under it.  Regions must not
 * overlap each other; return 0, or -1 if they would.  ROM data is copied.
 */
int as_add_rom(AddressSpace *as, const char *name, uint32_t base,
               const void *data, uint32_t size);
int as_add_mmio(AddressSpace *as, const char *name, uint32_t base,
                uint32_t size, const MemoryOps *ops, void *opaque);
/* Hide RAM in [base, base+size): accesses there read all ones
 * (e.g. the PC's legacy hole at 0xA0000-0xFFFFF). */
int as_add_hole(AddressSpace *as, const char *name, uint32_t base,
                uint32_t size);
/* Hide RAM in every part of [base, base+size) that no region covers yet
 * (the PC board's legacy hole around ROM a loader put there). */
int as_fill_hole(AddressSpace *as, const char *name, uint32_t base,
                 uint32_t size);

/*
 * Host pointer to [paddr, paddr+len) when that whole range is plain RAM,
 * else NULL.  For reads only; writers use as_write_buf() so that code
 * pages are invalidated.
 */
uint8_t *as_ram_ptr(AddressSpace *as, uint32_t paddr, uint32_t len);
/* Same, for a page the TLB may cache: the page's host address if the
 * whole page at PADDR is RAM (paddr page-aligned), else NULL. */
uint8_t *as_page_ptr(AddressSpace *as, uint32_t paddr);
/* Host address of the ROM contents at page PADDR if one ROM region covers
 * the whole page, else NULL: the TLB may serve reads and fetches from it
 * (never writes). */
const uint8_t *as_rom_page_ptr(AddressSpace *as, uint32_t paddr);

/* Slow-path accesses of 1, 2 or 4 bytes: RAM, ROM, MMIO or unassigned;
 * little-endian; may cross a region boundary. */
uint32_t as_read(AddressSpace *as, uint32_t paddr, unsigned size);
void as_write(AddressSpace *as, uint32_t paddr, uint32_t value,
              unsigned size);
/* Bulk copies (loaders, DMA, tests): same rules byte by byte. */
void as_read_buf(AddressSpace *as, uint32_t paddr, void *buf, uint32_t len);
void as_write_buf(AddressSpace *as, uint32_t paddr, const void *buf,
                  uint32_t len);

/* Translated-code tracking, per 4 KiB RAM page. */
void as_set_code_hook(AddressSpace *as, CodeWriteHook hook, void *opaque);
void as_mark_code_page(AddressSpace *as, uint32_t paddr);
void as_clear_code_page(AddressSpace *as, uint32_t paddr);
bool as_is_code_page(const AddressSpace *as, uint32_t paddr);

/* The I/O port space: 65536 byte ports. */
PortSpace *ports_new(void);
void ports_free(PortSpace *ps);
/* Access sizes a port range's handlers accept (a mask of these). */
#define PORT_ACCESS_8 1u
#define PORT_ACCESS_16 2u
#define PORT_ACCESS_32 4u
#define PORT_ACCESS_ALL (PORT_ACCESS_8 | PORT_ACCESS_16 | PORT_ACCESS_32)

/* Claim [port, port+count) for byte accesses only (what an 8-bit ISA
 * device sees: wider accesses reach it as consecutive byte accesses);
 * -1 if any of them is taken. */
int ports_register(PortSpace *ps, const char *name, uint16_t port,
                   uint32_t count, const MemoryOps *ops, void *opaque);
/* Same, for handlers that take the access sizes in SIZES (PORT_ACCESS_*).
 * An access of another size, or one that runs past the range, is split in
 * halves until the pieces fit. */
int ports_register_sized(PortSpace *ps, const char *name, uint16_t port,
                         uint32_t count, const MemoryOps *ops, void *opaque,
                         unsigned sizes);
/* An unclaimed port reads all ones; writes to it are dropped.  A 16- or
 * 32-bit access to a range that accepts only bytes is split. */
uint32_t ports_read(PortSpace *ps, uint16_t port, unsigned size);
void ports_write(PortSpace *ps, uint16_t port, uint32_t value,
                 unsigned size);

#endif
