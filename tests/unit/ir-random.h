/*
 * Random IR blocks for the unit tests that run the same IR two ways
 * (test-optimize: with and without the optimizer; test-jit-edge: the
 * interpreter and the JIT), and the guest state they compare.
 */
#ifndef TESTS_UNIT_IR_RANDOM_H
#define TESTS_UNIT_IR_RANDOM_H

#include <stdint.h>

#include "translate/ir.h"
#include "translate/machine.h"

#define RND_RAM (1u << 20)
#define RND_MEM 0x1000u /* ld/st touch [RND_MEM, RND_MEM + 0x2003) */
#define RND_MEM_LEN 0x2004u
#define RND_MAX_LOCALS 16

typedef struct Rnd {
    uint64_t s;
} Rnd;

uint32_t rnd(Rnd *r);
uint32_t rnd_below(Rnd *r, uint32_t n);
/* A value with a fair chance of being an edge case. */
uint32_t rnd_value(Rnd *r);

/* Emit OPC with its outputs, inputs and constants, in that order. */
void ir_test_emit(IRBlock *b, IROpcode opc, ...);

/* A random valid block over NLOCALS (at most RND_MAX_LOCALS) locals. */
void ir_random_block(Rnd *r, IRBlock *b, int nlocals);

/* What a run leaves: the globals, hflags, the memory the block can touch,
 * how it left. */
typedef struct RunState {
    uint32_t globals[IR_NB_GLOBALS];
    uint32_t hflags;
    uint8_t mem[RND_MEM_LEN];
    unsigned exit; /* chain slot, or 0x100 | vector after a fault */
    int cur_insn;
} RunState;

void ir_state_load(Machine *m, const IRBlock *b, const RunState *s);
void ir_state_save(Machine *m, const IRBlock *b, RunState *s);

#endif
