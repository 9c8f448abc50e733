/*
 * Shared between the frontend's files (x86-*.c): the translation context
 * and the IR-building helpers every instruction class uses.
 */
#ifndef TRANSLATE_X86_INTERNAL_H
#define TRANSLATE_X86_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include "cpu/decode.h"
#include "cpu/flags.h"
#include "cpu/helper.h"
#include "translate/ir.h"

/* How the block goes on after an instruction. */
typedef enum DisasEnd {
    DISAS_NEXT, /* next instruction in this block */
    DISAS_STOP, /* end the block; eip = next instruction (mode change) */
    DISAS_JUMP, /* the instruction stored eip and emitted its exits */
} DisasEnd;

typedef struct DisasContext {
    CPUState *cpu;
    IRBlock *b;
    const X86Insn *insn;
    uint32_t cs_base;
    uint32_t pc_start; /* linear address of the block */
    uint32_t eip;      /* this instruction */
    uint32_t next_eip; /* the one after it */
    uint32_t flags;    /* hflags */
    bool code32, ss32, flat;
    int cpl, iopl, mmu_idx;
    int cc_op; /* CC_OP_* known statically, or CC_OP_DYNAMIC */
    DisasEnd end;
    /* pop r/m with an eSP-based address sees eSP after the pop
     * (SDM Vol. 2, POP): the bytes popped. */
    int esp_adjust;
} DisasContext;

/* An instruction operand, ready to read and write. */
typedef enum { OPND_REG, OPND_MEM, OPND_IMM } OperandKind;
typedef struct Operand {
    OperandKind kind;
    int size;     /* bytes */
    int reg;      /* OPND_REG */
    IRVal addr;   /* OPND_MEM: linear address */
    uint32_t imm; /* OPND_IMM */
} Operand;

typedef void (*X86GenFn)(DisasContext *s, const X86Insn *insn);

/* ---- IR building ---- */
IRVal gen_tmp(DisasContext *s);
IRVal gen_const(DisasContext *s, uint32_t v);
void gen_mov(DisasContext *s, IRVal d, IRVal a);
IRVal gen_op1(DisasContext *s, IROpcode opc, IRVal a);
IRVal gen_op2(DisasContext *s, IROpcode opc, IRVal a, IRVal b);
/* gen_op2 with an immediate second operand */
IRVal gen_opi(DisasContext *s, IROpcode opc, IRVal a, uint32_t imm);
IRVal gen_extract(DisasContext *s, IRVal a, int pos, int len);
IRVal gen_setcond(DisasContext *s, IRCond c, IRVal a, IRVal b);
IRVal gen_movcond(DisasContext *s, IRCond c, IRVal a, IRVal b, IRVal t,
                  IRVal f);
void gen_brcond(DisasContext *s, IRCond c, IRVal a, IRVal b, int label);
int gen_new_label(DisasContext *s);
void gen_label(DisasContext *s, int label);
/* Zero- or sign-extend the low SIZE bytes of V. */
IRVal gen_zext(DisasContext *s, IRVal v, int size);
IRVal gen_sext(DisasContext *s, IRVal v, int size);
/* Call a helper: returns its result temp (or 0 for void helpers). */
IRVal gen_helper(DisasContext *s, HelperId id, int nargs, ...);

/* ---- guest state ---- */
IRVal gen_get_reg(DisasContext *s, int reg, int size);
void gen_set_reg(DisasContext *s, int reg, int size, IRVal v);
/* Effective address of the instruction's memory operand (addrsize-masked
 * offset, before the segment). */
IRVal gen_ea(DisasContext *s, const X86Insn *insn);
/* Linear address of SIZE bytes at segment SEG offset OFF; checks the
 * segment limit (WRITE: for writing) unless segments are flat. */
IRVal gen_linear(DisasContext *s, int seg, IRVal off, int size, bool write);
IRVal gen_ld(DisasContext *s, IRVal lin, int size, bool sign);
void gen_st(DisasContext *s, IRVal lin, IRVal v, int size);

/* Operand INDEX of the instruction, with size SIZE. WRITE: it will be
 * written (memory operands are limit-checked for writing). */
void gen_operand(DisasContext *s, const X86Insn *insn, int index, int size,
                 bool write, Operand *op);
IRVal gen_read(DisasContext *s, const Operand *op);
void gen_write(DisasContext *s, const Operand *op, IRVal v);

/* ---- stack ---- */
/* Push V (SIZE bytes); eSP changes only after the store succeeded. */
void gen_push(DisasContext *s, IRVal v, int size);
/* Read the value at the top of the stack, OFFSET bytes above eSP, without
 * popping. */
IRVal gen_stack_read(DisasContext *s, int offset, int size);
/* eSP += BYTES (respecting the stack size). */
void gen_stack_adjust(DisasContext *s, IRVal bytes_or_const);
IRVal gen_pop(DisasContext *s, int size);

/* ---- lazy flags ---- */
void gen_set_cc(DisasContext *s, int cc_op, IRVal dst, IRVal src, IRVal src2);
/* After a helper that may have changed the lazy state itself. */
void gen_cc_dynamic(DisasContext *s);
IRVal gen_eflags_arith(DisasContext *s); /* CF|PF|AF|ZF|SF|OF */
IRVal gen_cf(DisasContext *s);           /* 0 or 1 */
/* Condition CC (0..15) as a comparison *C of *A and *B. */
void gen_cond(DisasContext *s, int cc, IRCond *c, IRVal *a, IRVal *b);
IRVal gen_cond_value(DisasContext *s, int cc); /* 0 or 1 */

/* ---- control ---- */
/* Leave the block: eip = V (const or temp), through chain slot SLOT. */
void gen_exit(DisasContext *s, IRVal eip, unsigned slot);
void gen_jump_const(DisasContext *s, uint32_t eip, unsigned slot);
/* Raise a guest exception at this instruction. */
void gen_exception(DisasContext *s, int vector);
void gen_exception_err(DisasContext *s, int vector, uint32_t code);
/* CPL-0-only instruction: raises #GP(0) and returns false otherwise. */
bool gen_check_cpl0(DisasContext *s);

#endif
