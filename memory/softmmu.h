/*
 * Guest memory accesses by linear address, through the CPU's software TLB.
 * Used by helpers, the IR interpreter and the JIT's slow path.
 *
 * Paging is not implemented yet: linear = physical & a20_mask.  The TLB is
 * filled per page exactly as it will be once the page walk exists, so the
 * fast path does not change when paging arrives.
 */
#ifndef MEMORY_SOFTMMU_H
#define MEMORY_SOFTMMU_H

#include "cpu/cpu.h"

/* Access kinds for tlb_fill. */
enum { MMU_DATA_LOAD, MMU_DATA_STORE, MMU_INST_FETCH };

/* Loads and stores of 1, 2 or 4 bytes (little-endian, any alignment,
 * page-crossing allowed).  A fault raises the guest exception. */
uint32_t mmu_load(CPUState *cpu, uint32_t vaddr, unsigned size, int mmu_idx);
void mmu_store(CPUState *cpu, uint32_t vaddr, uint32_t value, unsigned size,
               int mmu_idx);
/* The slow paths behind the inline fast path. */
uint32_t mmu_load_slow(CPUState *cpu, uint32_t vaddr, unsigned size,
                       int mmu_idx);
void mmu_store_slow(CPUState *cpu, uint32_t vaddr, uint32_t value,
                    unsigned size, int mmu_idx);
/* Instruction fetch of one byte (translator). */
uint8_t mmu_fetch_byte(CPUState *cpu, uint32_t vaddr);
/* Physical address of a code byte (translation-block key), filling the
 * TLB; raises the fetch fault if the page is not mapped. */
uint32_t mmu_code_paddr(CPUState *cpu, uint32_t vaddr);

/* Check that [vaddr, vaddr+len) can be written, before a multi-place
 * instruction writes anything (DESIGN.md). */
void mmu_probe_write(CPUState *cpu, uint32_t vaddr, uint32_t len,
                     int mmu_idx);

void tlb_flush(CPUState *cpu);
void tlb_flush_page(CPUState *cpu, uint32_t vaddr);
/* Drop the write fast path of every entry mapping physical page PADDR
 * (it now holds translated code). */
void tlb_protect_code_page(CPUState *cpu, uint32_t paddr);

static inline int cpu_mmu_index(const CPUState *cpu)
{
    return (cpu->hflags & HF_CPL_MASK) == 3 ? MMU_IDX_USER : MMU_IDX_SUPER;
}

#endif
