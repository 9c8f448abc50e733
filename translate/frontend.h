/*
 * The x86 -> IR frontend.
 */
#ifndef TRANSLATE_FRONTEND_H
#define TRANSLATE_FRONTEND_H

#include <stdio.h>

#include "cpu/cpu.h"
#include "translate/ir.h"
#include "translate/tb.h"

/* Maximum guest instructions in one block. */
#define TB_MAX_INSNS 128

/*
 * Translate the block at the CPU's current cs:eip into B, and fill TB's
 * key, size, instruction count and instruction table (tb->insns is
 * malloc'd).  The CPU's state gives the mode; fetches go through its TLB
 * and may raise a guest exception (a fault on the first instruction's
 * bytes).  At most MAX_INSNS instructions (at most TB_MAX_INSNS).  LOG, if not
 * NULL, gets Capstone's disassembly of the block.
 */
void x86_translate_block(CPUState *cpu, IRBlock *b, TranslationBlock *tb,
                         int max_insns, FILE *log);

#endif
