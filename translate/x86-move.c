/*
 * Data movement and the stack: mov, lea, movzx/movsx, xchg, xadd,
 * cmpxchg, bswap, cbw/cwd, lahf/sahf, xlat, push/pop, pusha/popa,
 * enter/leave.
 */
#include "translate/x86-gen.h"
#include "translate/x86-internal.h"

void gen_nop(DisasContext *s, const X86Insn *insn)
{
}

void gen_mov_insn(DisasContext *s, const X86Insn *insn)
{
    Operand d, src;
    gen_operand(s, insn, 0, insn->opsize, true, &d);
    gen_operand(s, insn, 1, insn->opsize, false, &src);
    gen_write(s, &d, gen_read(s, &src));
}

void gen_lea(DisasContext *s, const X86Insn *insn)
{
    gen_set_reg(s, insn->reg, insn->opsize, gen_ea(s, insn));
}

void gen_movx(DisasContext *s, const X86Insn *insn)
{
    int ssize = insn->info->flags & X86F_SRC8 ? 1 : 2;
    Operand src;
    IRVal v;

    gen_operand(s, insn, 1, ssize, false, &src);
    v = gen_read(s, &src);
    if (insn->op == X86_OP_MOVSX) {
        v = gen_sext(s, v, ssize);
    }
    gen_set_reg(s, insn->reg, insn->opsize, v);
}

void gen_xchg(DisasContext *s, const X86Insn *insn)
{
    Operand a, b;
    IRVal va, vb;

    gen_operand(s, insn, 0, insn->opsize, true, &a);
    gen_operand(s, insn, 1, insn->opsize, true, &b);
    va = gen_read(s, &a);
    vb = gen_read(s, &b);
    /* The memory side (if any) is operand 0: store it first so that a
     * fault leaves the register untouched. */
    gen_write(s, &a, vb);
    gen_write(s, &b, va);
}

/* XADD: TEMP = SRC + DEST; SRC = DEST; DEST = TEMP (SDM Vol. 2). */
void gen_xadd(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    Operand d, src;
    IRVal a, b, r;

    gen_operand(s, insn, 0, size, true, &d);
    gen_operand(s, insn, 1, size, true, &src);
    a = gen_read(s, &d);
    b = gen_read(s, &src);
    r = gen_zext(s, gen_op2(s, IR_add, a, b), size);
    if (d.kind == OPND_MEM) {
        gen_write(s, &d, r);
        gen_write(s, &src, a);
    } else {
        gen_write(s, &src, a);
        gen_write(s, &d, r);
    }
    gen_set_cc(s, CC_OP_ADDB + cc_size_index(size), r, b, a);
}

/* CMPXCHG: compare the accumulator with DEST; equal: DEST = SRC, else
 * accumulator = DEST, and DEST is written back either way (SDM Vol. 2). */
void gen_cmpxchg(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    Operand d, src;
    IRVal acc, old, v, newd;
    int skip;

    gen_operand(s, insn, 0, size, true, &d);
    gen_operand(s, insn, 1, size, false, &src);
    acc = gen_get_reg(s, R_EAX, size);
    old = gen_read(s, &d);
    v = gen_read(s, &src);
    newd = gen_movcond(s, IR_EQ, acc, old, v, old);
    gen_write(s, &d, newd);
    skip = gen_new_label(s);
    gen_brcond(s, IR_EQ, acc, old, skip);
    gen_set_reg(s, R_EAX, size, old);
    gen_label(s, skip);
    gen_set_cc(s, CC_OP_SUBB + cc_size_index(size),
               gen_zext(s, gen_op2(s, IR_sub, acc, old), size), old, acc);
}

void gen_cmpxchg8b(DisasContext *s, const X86Insn *insn)
{
    IRVal lin = gen_linear(s, x86_insn_seg(insn), gen_ea(s, insn), 8, true);
    gen_helper(s, HELPER_cmpxchg8b, 1, lin);
    gen_cc_dynamic(s);
}

/* BSWAP; with a 16-bit operand the result is undefined (SDM Vol. 2):
 * processors clear the low word, and so do we. */
void gen_bswap(DisasContext *s, const X86Insn *insn)
{
    int r = insn->opreg;
    if (insn->opsize == 4) {
        gen_set_reg(s, r, 4, gen_op1(s, IR_bswap, G_eax + r));
    } else {
        gen_set_reg(s, r, 2, gen_const(s, 0));
    }
}

void gen_cbw(DisasContext *s, const X86Insn *insn)
{
    int half = insn->opsize / 2;
    gen_set_reg(s, R_EAX, insn->opsize,
                gen_sext(s, gen_get_reg(s, R_EAX, half), half));
}

void gen_cwd(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    IRVal a = gen_sext(s, gen_get_reg(s, R_EAX, size), size);
    gen_set_reg(s, R_EDX, size, gen_opi(s, IR_sar, a, 31));
}

#define LAHF_MASK (CC_S | CC_Z | CC_A | CC_P | CC_C)

void gen_lahf(DisasContext *s, const X86Insn *insn)
{
    IRVal f = gen_opi(s, IR_and, gen_eflags_arith(s), LAHF_MASK);
    gen_set_reg(s, 4 /* AH */, 1, gen_opi(s, IR_or, f, EFLAGS_FIXED));
}

void gen_sahf(DisasContext *s, const X86Insn *insn)
{
    IRVal f = gen_opi(s, IR_and, gen_eflags_arith(s), ~LAHF_MASK);
    IRVal ah = gen_opi(s, IR_and, gen_get_reg(s, 4, 1), LAHF_MASK);
    gen_set_cc(s, CC_OP_EFLAGS, gen_const(s, 0), gen_op2(s, IR_or, f, ah),
               gen_const(s, 0));
}

void gen_salc(DisasContext *s, const X86Insn *insn)
{
    gen_set_reg(s, R_EAX, 1, gen_op1(s, IR_neg, gen_cf(s)));
}

/* XLAT: AL = [seg:eBX + AL] */
void gen_xlat(DisasContext *s, const X86Insn *insn)
{
    IRVal ea = gen_op2(s, IR_add, G_ebx, gen_get_reg(s, R_EAX, 1));
    int seg = insn->seg_override != X86_SEG_NONE ? insn->seg_override : R_DS;
    if (insn->addrsize == 2) {
        ea = gen_op1(s, IR_ext16u, ea);
    }
    gen_set_reg(s, R_EAX, 1,
                gen_ld(s, gen_linear(s, seg, ea, 1, false), 1, false));
}

/* ------------------------------------------------------------------ */
/* the stack */

void gen_push_insn(DisasContext *s, const X86Insn *insn)
{
    Operand src;
    gen_operand(s, insn, 0, insn->opsize, false, &src);
    gen_push(s, gen_read(s, &src), insn->opsize);
}

void gen_pop_insn(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    Operand d;
    IRVal v;

    if (!insn->has_mem) {
        v = gen_pop(s, size);
        gen_operand(s, insn, 0, size, true, &d);
        gen_write(s, &d, v);
        return;
    }
    /* The destination's address is computed with eSP after the pop
     * (SDM Vol. 2, POP); eSP changes only once the store is done. */
    v = gen_stack_read(s, 0, size);
    s->esp_adjust = size;
    gen_operand(s, insn, 0, size, true, &d);
    s->esp_adjust = 0;
    gen_write(s, &d, v);
    gen_stack_adjust(s, gen_const(s, size));
}

/* PUSHA: all eight stores first, then eSP, so a fault changes nothing. */
void gen_pusha(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    IRVal sp = s->ss32 ? G_esp : gen_op1(s, IR_ext16u, G_esp);
    IRVal old_sp = gen_tmp(s);

    gen_mov(s, old_sp, G_esp);
    for (int i = 0; i < 8; i++) {
        IRVal a = gen_opi(s, IR_sub, sp, (i + 1) * size);
        IRVal v = i == R_ESP ? old_sp : G_eax + i;
        if (!s->ss32) {
            a = gen_op1(s, IR_ext16u, a);
        }
        gen_st(s, gen_linear(s, R_SS, a, size, true), v, size);
    }
    gen_stack_adjust(s, gen_const(s, (uint32_t)(-8 * size)));
}

/* POPA: loads first, eSP's slot skipped (SDM Vol. 2, POPA). */
void gen_popa(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    IRVal v[8];

    for (int i = 0; i < 8; i++) {
        if (i != R_ESP) {
            v[i] = gen_stack_read(s, (7 - i) * size, size);
        }
    }
    for (int i = 0; i < 8; i++) {
        if (i != R_ESP) {
            gen_set_reg(s, i, size, v[i]);
        }
    }
    gen_stack_adjust(s, gen_const(s, 8 * size));
}

void gen_enter(DisasContext *s, const X86Insn *insn)
{
    gen_helper(s, HELPER_enter, 3, gen_const(s, insn->imm & 0xffff),
               gen_const(s, insn->imm2 & 0xff), gen_const(s, insn->opsize));
}

/* LEAVE: eSP = eBP, then pop eBP; done as load-then-write so a fault on
 * the load leaves both registers as they were. */
void gen_leave(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    IRVal bp = s->ss32 ? G_ebp : gen_op1(s, IR_ext16u, G_ebp);
    IRVal v = gen_ld(s, gen_linear(s, R_SS, bp, size, false), size, false);
    IRVal sp = gen_opi(s, IR_add, bp, size);

    if (s->ss32) {
        gen_mov(s, G_esp, sp);
    } else {
        gen_set_reg(s, R_ESP, 2, sp);
    }
    gen_set_reg(s, R_EBP, size, v);
}
