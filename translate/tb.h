/*
 * Translation blocks and their cache (DESIGN.md, "TranslationBlock").
 */
#ifndef TRANSLATE_TB_H
#define TRANSLATE_TB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include <glib.h>

#include "memory/memory.h"

/* What the execution loop needs to restore the state of an instruction of
 * the block (precise exceptions): its eip and the static lazy-flag op. */
typedef struct TBInsnInfo {
    uint32_t eip;
    int32_t cc_op; /* CC_OP_DYNAMIC when not known statically */
} TBInsnInfo;

struct InterpCode;

typedef struct TranslationBlock {
    /* key */
    uint32_t pc; /* linear address of the first byte */
    uint32_t cs_base;
    uint32_t flags;        /* cpu->hflags at translation */
    uint32_t phys_page[2]; /* physical pages of the code; [1] = -1 if one */

    uint32_t size;   /* guest bytes */
    uint32_t icount; /* guest instructions */
    TBInsnInfo *insns;
    struct InterpCode *interp; /* interpreter backend's code */
    /* JIT backend: entry of the host code, and per exit slot the
     * writable address of the patchable jmp's rel32, its execution
     * address, and the stub it jumps to when not chained. */
    uintptr_t jit_code;
    uint8_t *jmp_rel32_rw[2];
    uintptr_t jmp_rel32_rx[2];
    uintptr_t jmp_stub[2];
    /* Chaining: the block each slot jumps to, and the list of (block,
     * slot) pairs jumping here, linked through jmp_next. */
    struct TranslationBlock *jmp_dest[2];
    uintptr_t jmp_next[2];
    uintptr_t jmp_incoming; /* TB pointer | slot, 0 if none */
    size_t host_bytes;      /* memory charged to the cache quota */
    bool invalid;

    struct TranslationBlock *hash_next;
    struct TranslationBlock *page_next[2];
    struct TranslationBlock *all_next; /* every block, for flushes */
} TranslationBlock;

#define TB_HASH_BITS 15

typedef struct TBCache TBCache;
struct TBCache {
    TranslationBlock *hash[1u << TB_HASH_BITS];
    GHashTable *pages;         /* physical page number -> first TB */
    TranslationBlock *all;     /* all live blocks */
    TranslationBlock *retired; /* invalidated, freed at the loop's top */
    size_t bytes;              /* memory held by live blocks */
    /* Called for each block invalidated (the JIT unchains it). */
    void (*on_invalidate)(void *opaque, TranslationBlock *tb);
    void *opaque;
    size_t quota;
    uint64_t ntranslated, nflushes, ninvalidated;
};

TBCache *tb_cache_new(size_t quota);
void tb_cache_free(TBCache *c);

TranslationBlock *tb_lookup(TBCache *c, uint32_t pc, uint32_t cs_base,
                            uint32_t flags, uint32_t phys_page0);
/* Insert a translated block; its pages are marked as holding code. */
void tb_insert(TBCache *c, AddressSpace *as, TranslationBlock *tb);
/* Invalidate the blocks whose code overlaps [PADDR, PADDR+LEN), within
 * one page; the page stays marked while blocks remain on it. */
void tb_invalidate_range(TBCache *c, AddressSpace *as, uint32_t paddr,
                         uint32_t len);
/* Drop every block (quota reached, or a global change). */
void tb_flush(TBCache *c, AddressSpace *as);
/* Free the blocks invalidated since the last call: only when none runs. */
void tb_free_retired(TBCache *c);
void tb_free(TranslationBlock *tb);

#endif
