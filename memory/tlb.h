/*
 * The software TLB: per-CPU cache of linear page -> host address, consulted
 * on every guest memory access (DESIGN.md, "Memory").  Kept in its own
 * header so that CPUState can embed it without pulling in the rest of the
 * memory module.
 */
#ifndef MEMORY_TLB_H
#define MEMORY_TLB_H

#include <stdint.h>

#define GUEST_PAGE_BITS 12
#define GUEST_PAGE_SIZE (1u << GUEST_PAGE_BITS)
#define GUEST_PAGE_MASK (~(GUEST_PAGE_SIZE - 1))

#define TLB_BITS 8
#define TLB_SIZE (1u << TLB_BITS)

/* One TLB per privilege class, as QEMU keeps one per MMU index. */
enum { MMU_IDX_SUPER, MMU_IDX_USER, TLB_NB_MMU };

/*
 * Flag bits kept in the low bits of a tag.  Any of them makes the fast
 * path's compare fail, so the access takes the slow path.
 */
#define TLB_INVALID 0x001u  /* entry holds no translation for this access */
#define TLB_MMIO 0x002u     /* not RAM: dispatch through the address space */
#define TLB_NOTDIRTY 0x004u /* page holds translated code: writes invalidate */

/*
 * A tag is the page's linear address, or TLB_INVALID.  The fast path for an
 * access of SIZE bytes at VADDR is:
 *   e = &tlb->table[mmu][(vaddr >> GUEST_PAGE_BITS) & (TLB_SIZE - 1)];
 *   if (((vaddr + size - 1) & GUEST_PAGE_MASK) == e->addr_read)   (tags
 *       never have TLB_* bits set when usable)
 *       host = (uint8_t *)(uintptr_t)(vaddr + e->addend);
 * An access crossing a page fails the compare and takes the slow path.
 */
typedef struct TLBEntry {
    uint32_t addr_read;
    uint32_t addr_write;
    uint32_t addr_code;
    uint32_t pad;
    uintptr_t addend; /* host address - linear address, for RAM pages */
    uintptr_t pad2;
} TLBEntry;

typedef struct SoftTLB {
    TLBEntry table[TLB_NB_MMU][TLB_SIZE];
} SoftTLB;

#endif
