/*
 * IR -> x86-64 lowering (the JIT backend's code generator).
 */
#ifndef TRANSLATE_X64_LOWER_H
#define TRANSLATE_X64_LOWER_H

#include <stdbool.h>
#include <stdint.h>

#include "translate/ir.h"
#include "translate/tb.h"
#include "translate/x64/emit.h"

typedef struct X64LowerEnv {
    uintptr_t epilogue; /* where blocks return to the execution loop */
    bool bmi2;          /* the host has BMI2 (rorx) */
} X64LowerEnv;

/*
 * Emit host code for block B of TB at the emitter's position, using
 * SCRATCH (x64_lower_scratch_size() bytes) as working memory.  Fills
 * tb->jit_code and the exit-slot fields.  Returns false if the emitter
 * ran out of room (nothing may then be run).
 */
bool x64_lower_block(X64Emit *e, const IRBlock *b, TranslationBlock *tb,
                     const X64LowerEnv *env, void *scratch);
/* Bytes of SCRATCH x64_lower_block needs (allocate once, reuse). */
size_t x64_lower_scratch_size(void);

#endif
