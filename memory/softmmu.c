/*
 * Guest memory accesses by linear address through the CPU's software TLB
 * (DESIGN.md, "Memory"; entry format in memory/tlb.h).
 *
 * Paging is not implemented yet: the physical address is the linear one
 * with the A20 mask applied (the A20 gate forces address bit 20 to zero,
 * SDM Vol. 3A, 21.33.2).  softmmu_translate() is the one place the page walk
 * will go.
 *
 * A filled entry keeps the physical page address in its 'pad' field: the
 * slow path needs it for MMIO dispatch and code-write notification, and
 * tlb_protect_code_page() finds every linear alias of a physical page by
 * it.  The inline fast path never reads it.
 */
#include <endian.h>
#include <string.h>

#include "memory/host-access.h"
#include "memory/memory.h"
#include "memory/softmmu.h"

static inline int mmu_index_checked(int mmu_idx)
{
    return (unsigned)mmu_idx < TLB_NB_MMU ? mmu_idx : MMU_IDX_SUPER;
}

static inline TLBEntry *tlb_entry(CPUState *cpu, int mmu_idx, uint32_t vaddr)
{
    return &cpu->tlb
                .table[mmu_idx][(vaddr >> GUEST_PAGE_BITS) & (TLB_SIZE - 1)];
}

/* Does TAG translate PAGE (whatever slow-path flags it carries)? */
static inline bool tlb_hit(uint32_t tag, uint32_t page)
{
    return (tag & (GUEST_PAGE_MASK | TLB_INVALID)) == page;
}

static inline bool crosses_page(uint32_t vaddr, unsigned size)
{
    return (vaddr & ~GUEST_PAGE_MASK) + size > GUEST_PAGE_SIZE;
}

static inline uint8_t *tlb_host(const TLBEntry *e, uint32_t vaddr)
{
    return (uint8_t *)(uintptr_t)(vaddr + e->addend);
}

/* Linear page -> physical page.  ACCESS and MMU_IDX will matter to the
 * page walk (permission checks, #PF). */
static uint32_t softmmu_translate(CPUState *cpu, uint32_t page, int access,
                                  int mmu_idx)
{
    return page & cpu->a20_mask & GUEST_PAGE_MASK;
}

/*
 * Fill the entry for the page holding VADDR.  All three tags are filled
 * at once: RAM is readable, writable (unless it holds translated code) and
 * executable on the fast path; ROM is readable and executable there but
 * writes go to the slow path, which drops them; anything else (MMIO,
 * holes, unassigned) always takes the slow path.
 */
static TLBEntry *tlb_fill(CPUState *cpu, uint32_t vaddr, int access,
                          int mmu_idx)
{
    uint32_t page = vaddr & GUEST_PAGE_MASK;
    uint32_t ppage = softmmu_translate(cpu, page, access, mmu_idx);
    TLBEntry *e = tlb_entry(cpu, mmu_idx, vaddr);
    uint8_t *host = as_page_ptr(cpu->as, ppage);
    const uint8_t *rom;

    e->pad = ppage;
    if (host) {
        e->addr_read = page;
        e->addr_code = page;
        e->addr_write = page;
        if (as_is_code_page(cpu->as, ppage)) {
            e->addr_write |= TLB_NOTDIRTY;
        }
        e->addend = (uintptr_t)host - page;
    } else if ((rom = as_rom_page_ptr(cpu->as, ppage)) != NULL) {
        e->addr_read = page;
        e->addr_code = page;
        e->addr_write = page | TLB_MMIO;
        e->addend = (uintptr_t)rom - page;
    } else {
        e->addr_read = page | TLB_MMIO;
        e->addr_code = page | TLB_MMIO;
        e->addr_write = page | TLB_MMIO;
        e->addend = 0;
    }
    return e;
}

static inline uint32_t tlb_paddr(const TLBEntry *e, uint32_t vaddr)
{
    return e->pad | (vaddr & ~GUEST_PAGE_MASK);
}

/* ---- loads ------------------------------------------------------------- */

/*
 * A load byte by byte, each byte on its own page's terms.  With paging, a
 * fault on the second page comes after the first page's bytes were read;
 * loads may do that (the retry reads them again), and MMIO registers are
 * split like this on real buses too.
 */
static uint32_t mmu_load_bytes(CPUState *cpu, uint32_t vaddr, unsigned size,
                               int mmu_idx)
{
    uint32_t v = 0;

    for (unsigned i = 0; i < size && i < 4; i++) {
        v |= mmu_load(cpu, vaddr + i, 1, mmu_idx) << (8 * i);
    }
    return v;
}

uint32_t mmu_load_slow(CPUState *cpu, uint32_t vaddr, unsigned size,
                       int mmu_idx)
{
    uint32_t page = vaddr & GUEST_PAGE_MASK;
    TLBEntry *e;

    mmu_idx = mmu_index_checked(mmu_idx);
    if ((size != 1 && size != 2 && size != 4) || crosses_page(vaddr, size)) {
        return mmu_load_bytes(cpu, vaddr, size, mmu_idx);
    }
    e = tlb_entry(cpu, mmu_idx, vaddr);
    if (!tlb_hit(e->addr_read, page)) {
        e = tlb_fill(cpu, vaddr, MMU_DATA_LOAD, mmu_idx);
    }
    if (e->addr_read & TLB_MMIO) {
        return as_read(cpu->as, tlb_paddr(e, vaddr), size);
    }
    return host_ld_le(tlb_host(e, vaddr), size);
}

uint32_t mmu_load(CPUState *cpu, uint32_t vaddr, unsigned size, int mmu_idx)
{
    TLBEntry *e;

    mmu_idx = mmu_index_checked(mmu_idx);
    e = tlb_entry(cpu, mmu_idx, vaddr);
    if (((vaddr + size - 1) & GUEST_PAGE_MASK) == e->addr_read &&
        (size == 1 || size == 2 || size == 4)) {
        return host_ld_le(tlb_host(e, vaddr), size);
    }
    return mmu_load_slow(cpu, vaddr, size, mmu_idx);
}

/* ---- stores ------------------------------------------------------------ */

static void mmu_store_page(CPUState *cpu, uint32_t vaddr, uint32_t value,
                           unsigned size, int mmu_idx)
{
    uint32_t page = vaddr & GUEST_PAGE_MASK;
    TLBEntry *e = tlb_entry(cpu, mmu_idx, vaddr);
    uint32_t paddr;

    if (!tlb_hit(e->addr_write, page)) {
        e = tlb_fill(cpu, vaddr, MMU_DATA_STORE, mmu_idx);
    }
    if (!(e->addr_write & (TLB_MMIO | TLB_NOTDIRTY))) {
        host_st_le(tlb_host(e, vaddr), value, size);
        return;
    }
    paddr = tlb_paddr(e, vaddr);
    if (e->addr_write & TLB_MMIO) {
        as_write(cpu->as, paddr, value, size);
        return;
    }
    /* A page with translated code: as_write() tells the translator before
     * storing.  Once it has dropped the page's blocks, later writes may
     * take the fast path again. */
    as_write(cpu->as, paddr, value, size);
    if (tlb_hit(e->addr_write, page) && tlb_paddr(e, vaddr) == paddr &&
        !as_is_code_page(cpu->as, paddr)) {
        e->addr_write &= ~TLB_NOTDIRTY;
    }
}

void mmu_store_slow(CPUState *cpu, uint32_t vaddr, uint32_t value,
                    unsigned size, int mmu_idx)
{
    mmu_idx = mmu_index_checked(mmu_idx);
    if (size != 1 && size != 2 && size != 4) {
        size = size > 4 ? 4 : size;
    } else if (!crosses_page(vaddr, size)) {
        mmu_store_page(cpu, vaddr, value, size, mmu_idx);
        return;
    }
    /* Both pages are checked before the first byte is written, so that a
     * fault on the second leaves memory untouched (DESIGN.md). */
    mmu_probe_write(cpu, vaddr, size, mmu_idx);
    for (unsigned i = 0; i < size; i++) {
        mmu_store_page(cpu, vaddr + i, value >> (8 * i), 1, mmu_idx);
    }
}

void mmu_store(CPUState *cpu, uint32_t vaddr, uint32_t value, unsigned size,
               int mmu_idx)
{
    TLBEntry *e;

    mmu_idx = mmu_index_checked(mmu_idx);
    e = tlb_entry(cpu, mmu_idx, vaddr);
    if (((vaddr + size - 1) & GUEST_PAGE_MASK) == e->addr_write &&
        (size == 1 || size == 2 || size == 4)) {
        host_st_le(tlb_host(e, vaddr), value, size);
        return;
    }
    mmu_store_slow(cpu, vaddr, value, size, mmu_idx);
}

void mmu_probe_write(CPUState *cpu, uint32_t vaddr, uint32_t len, int mmu_idx)
{
    uint32_t page, last;

    if (len == 0) {
        return;
    }
    mmu_idx = mmu_index_checked(mmu_idx);
    page = vaddr & GUEST_PAGE_MASK;
    last = (vaddr + len - 1) & GUEST_PAGE_MASK;
    for (;;) {
        TLBEntry *e = tlb_entry(cpu, mmu_idx, page);
        if (!tlb_hit(e->addr_write, page)) {
            tlb_fill(cpu, page, MMU_DATA_STORE, mmu_idx);
        }
        if (page == last) {
            break;
        }
        page += GUEST_PAGE_SIZE; /* wraps at 4 GiB as linear addresses do */
    }
}

/* ---- instruction fetch ------------------------------------------------- */

static TLBEntry *tlb_code_entry(CPUState *cpu, uint32_t vaddr)
{
    int mmu_idx = cpu_mmu_index(cpu);
    TLBEntry *e = tlb_entry(cpu, mmu_idx, vaddr);

    if (!tlb_hit(e->addr_code, vaddr & GUEST_PAGE_MASK)) {
        e = tlb_fill(cpu, vaddr, MMU_INST_FETCH, mmu_idx);
    }
    return e;
}

uint8_t mmu_fetch_byte(CPUState *cpu, uint32_t vaddr)
{
    TLBEntry *e = tlb_code_entry(cpu, vaddr);

    if (e->addr_code & TLB_MMIO) {
        return (uint8_t)as_read(cpu->as, tlb_paddr(e, vaddr), 1);
    }
    return *tlb_host(e, vaddr);
}

uint32_t mmu_code_paddr(CPUState *cpu, uint32_t vaddr)
{
    return tlb_paddr(tlb_code_entry(cpu, vaddr), vaddr);
}

/* ---- flushes ----------------------------------------------------------- */

void tlb_flush(CPUState *cpu)
{
    /* All ones: every tag has TLB_INVALID set. */
    memset(&cpu->tlb, 0xff, sizeof(cpu->tlb));
}

static void tlb_invalidate_entry(TLBEntry *e)
{
    e->addr_read = TLB_INVALID;
    e->addr_write = TLB_INVALID;
    e->addr_code = TLB_INVALID;
    e->pad = 0xffffffffu;
    e->addend = 0;
}

void tlb_flush_page(CPUState *cpu, uint32_t vaddr)
{
    uint32_t page = vaddr & GUEST_PAGE_MASK;

    for (int mmu_idx = 0; mmu_idx < TLB_NB_MMU; mmu_idx++) {
        TLBEntry *e = tlb_entry(cpu, mmu_idx, vaddr);
        if (tlb_hit(e->addr_read, page) || tlb_hit(e->addr_write, page) ||
            tlb_hit(e->addr_code, page)) {
            tlb_invalidate_entry(e);
        }
    }
}

void tlb_protect_code_page(CPUState *cpu, uint32_t paddr)
{
    uint32_t ppage = paddr & GUEST_PAGE_MASK;

    /* Any linear page may map PADDR (A20 aliases now, paging later), so
     * every entry is checked; this runs once per newly translated page. */
    for (int mmu_idx = 0; mmu_idx < TLB_NB_MMU; mmu_idx++) {
        for (unsigned i = 0; i < TLB_SIZE; i++) {
            TLBEntry *e = &cpu->tlb.table[mmu_idx][i];
            if (!(e->addr_write & (TLB_INVALID | TLB_MMIO)) &&
                e->pad == ppage) {
                e->addr_write |= TLB_NOTDIRTY;
            }
        }
    }
}
