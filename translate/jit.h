/*
 * The x86-64 JIT backend: translated blocks as host code in a per-Machine
 * code buffer, entered through a trampoline, chained to each other.
 */
#ifndef TRANSLATE_JIT_H
#define TRANSLATE_JIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cpu/cpu.h"
#include "translate/codebuf.h"
#include "translate/ir.h"
#include "translate/tb.h"

typedef struct Jit {
    CodeBuffer cb;
    uintptr_t enter;    /* uintptr_t enter(CPUState *env, uintptr_t code) */
    uintptr_t epilogue; /* blocks jump here to return from enter() */
    void *scratch;      /* the lowering's working memory */
    bool bmi2;          /* the host has BMI2: rorx in the TLB lookup */
} Jit;

/* A JIT with a code buffer of SIZE bytes; NULL with a message in ERR. */
Jit *jit_new(size_t size, char *err, size_t errlen);
void jit_free(Jit *j);

/* Compile block B of TB into the buffer; false if the buffer is full
 * (flush everything and translate again).  LOG, if not NULL, gets the
 * host code's disassembly. */
bool jit_compile(Jit *j, const IRBlock *b, TranslationBlock *tb, FILE *log);

/*
 * Run TB and every block it chains to.  Returns the exit taken by the
 * last block: that block's address with the slot (0 or 1) in the low
 * bits, or 0 for an exit that cannot be chained.
 */
static inline uintptr_t jit_exec(Jit *j, CPUState *cpu,
                                 const TranslationBlock *tb)
{
    uintptr_t (*enter)(CPUState *, uintptr_t) =
        (uintptr_t(*)(CPUState *, uintptr_t))j->enter;
    return enter(cpu, tb->jit_code);
}

/* Patch FROM's exit SLOT to jump straight into TO. */
void jit_chain(Jit *j, TranslationBlock *from, unsigned slot,
               TranslationBlock *to);
/* TB is going away: every jump into it goes back to its stub, and it
 * leaves the incoming lists of the blocks it jumps to. */
void jit_unlink(Jit *j, TranslationBlock *tb);
/* Drop all code (after every block was retired). */
void jit_reset(Jit *j);

/* Remember TB in the CPU's jump cache, and forget it. */
void jit_cache_insert(CPUState *cpu, const TranslationBlock *tb);
void jit_cache_remove(CPUState *cpu, const TranslationBlock *tb);
void jit_cache_clear(CPUState *cpu);

#endif
