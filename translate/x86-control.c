/*
 * Control transfer: jmp, call, ret, jcc, loop, jcxz, far transfers,
 * iret, int n, bound, hlt.
 */
#include "translate/x86-gen.h"
#include "translate/x86-internal.h"

/* Target of a relative branch: next eip + displacement, truncated to 16
 * bits with a 16-bit operand size (SDM Vol. 2, JMP). */
static uint32_t rel_target(DisasContext *s, const X86Insn *insn)
{
    uint32_t t = s->next_eip + insn->imm;
    return insn->opsize == 2 ? t & 0xffff : t;
}

void gen_jmp(DisasContext *s, const X86Insn *insn)
{
    gen_jump_const(s, rel_target(s, insn), 0);
    s->end = DISAS_JUMP;
}

void gen_jcc(DisasContext *s, const X86Insn *insn)
{
    IRCond c;
    IRVal a, b;
    int taken = gen_new_label(s);

    gen_cond(s, insn->opcode & 15, &c, &a, &b);
    gen_brcond(s, c, a, b, taken);
    gen_jump_const(s, s->next_eip, 0);
    gen_label(s, taken);
    gen_jump_const(s, rel_target(s, insn), 1);
    s->end = DISAS_JUMP;
}

void gen_call(DisasContext *s, const X86Insn *insn)
{
    gen_push(s, gen_const(s, s->next_eip), insn->opsize);
    gen_jump_const(s, rel_target(s, insn), 0);
    s->end = DISAS_JUMP;
}

void gen_jmp_ind(DisasContext *s, const X86Insn *insn)
{
    Operand src;
    IRVal t;

    gen_operand(s, insn, 0, insn->opsize, false, &src);
    t = gen_read(s, &src);
    if (insn->op == X86_OP_CALL_IND) {
        gen_push(s, gen_const(s, s->next_eip), insn->opsize);
    }
    gen_exit(s, t, IR_EXIT_NOCHAIN);
    s->end = DISAS_JUMP;
}

void gen_ret(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    IRVal t = gen_stack_read(s, 0, size);
    uint32_t pop =
        size + (insn->info->opnd[0] == OPK_I ? insn->imm & 0xffff : 0);

    gen_stack_adjust(s, gen_const(s, pop));
    gen_exit(s, t, IR_EXIT_NOCHAIN);
    s->end = DISAS_JUMP;
}

/* Far transfers go through helpers, which set eip (and CS) themselves. */
static void gen_exit_after_helper(DisasContext *s)
{
    gen_exit(s, G_eip, IR_EXIT_NOCHAIN);
    s->end = DISAS_JUMP;
    gen_cc_dynamic(s);
}

/* The far pointer of a jmp/call: immediate, or m16:16/32 in memory. */
static void far_pointer(DisasContext *s, const X86Insn *insn, IRVal *sel,
                        IRVal *off)
{
    int size = insn->opsize;
    if (insn->info->opnd[0] == OPK_A) {
        *sel = gen_const(s, insn->imm2 & 0xffff);
        *off = gen_const(s, size == 2 ? insn->imm & 0xffff : insn->imm);
        return;
    }
    IRVal lin =
        gen_linear(s, x86_insn_seg(insn), gen_ea(s, insn), size + 2, false);
    *off = gen_ld(s, lin, size, false);
    *sel = gen_ld(s, gen_opi(s, IR_add, lin, size), 2, false);
}

void gen_jmp_far(DisasContext *s, const X86Insn *insn)
{
    IRVal sel, off;
    far_pointer(s, insn, &sel, &off);
    gen_helper(s, HELPER_ljmp, 2, sel, off);
    gen_exit_after_helper(s);
}

void gen_call_far(DisasContext *s, const X86Insn *insn)
{
    IRVal sel, off;
    far_pointer(s, insn, &sel, &off);
    gen_helper(s, HELPER_lcall, 4, sel, off, gen_const(s, insn->opsize),
               gen_const(s, s->next_eip));
    gen_exit_after_helper(s);
}

void gen_ret_far(DisasContext *s, const X86Insn *insn)
{
    uint32_t imm = insn->info->opnd[0] == OPK_I ? insn->imm & 0xffff : 0;
    gen_helper(s, HELPER_lret, 2, gen_const(s, insn->opsize),
               gen_const(s, imm));
    gen_exit_after_helper(s);
}

void gen_iret(DisasContext *s, const X86Insn *insn)
{
    gen_helper(s, HELPER_iret, 1, gen_const(s, insn->opsize));
    gen_exit_after_helper(s);
}

/* LOOP LOOPE LOOPNE JCXZ: the counter is CX or ECX by address size. */
void gen_loop(DisasContext *s, const X86Insn *insn)
{
    int asize = insn->addrsize;
    IRVal cx;
    int taken = gen_new_label(s);

    if (insn->op == X86_OP_JCXZ) {
        cx = gen_get_reg(s, R_ECX, asize);
        gen_brcond(s, IR_EQ, cx, gen_const(s, 0), taken);
    } else {
        cx = gen_zext(s, gen_opi(s, IR_sub, G_ecx, 1), asize);
        gen_set_reg(s, R_ECX, asize, cx);
        if (insn->op == X86_OP_LOOP) {
            gen_brcond(s, IR_NE, cx, gen_const(s, 0), taken);
        } else {
            /* ZF is tested after the count: both must hold. */
            int fall = gen_new_label(s);
            IRVal zf = gen_cond_value(s, CC_COND_E);
            gen_brcond(s, IR_EQ, cx, gen_const(s, 0), fall);
            gen_brcond(s, insn->op == X86_OP_LOOPE ? IR_NE : IR_EQ, zf,
                       gen_const(s, 0), taken);
            gen_label(s, fall);
        }
    }
    gen_jump_const(s, s->next_eip, 0);
    gen_label(s, taken);
    gen_jump_const(s, rel_target(s, insn), 1);
    s->end = DISAS_JUMP;
}

/* INT n, INT3, INTO, INT1: software interrupts. */
void gen_int(DisasContext *s, const X86Insn *insn)
{
    int vector = insn->op == X86_OP_INT    ? (int)(insn->imm & 0xff)
                 : insn->op == X86_OP_INT3 ? EXCP_BP
                 : insn->op == X86_OP_INTO ? EXCP_OF
                                           : EXCP_DB;
    if (insn->op == X86_OP_INTO) {
        int skip = gen_new_label(s);
        IRVal of = gen_cond_value(s, CC_COND_O);
        gen_brcond(s, IR_EQ, of, gen_const(s, 0), skip);
        gen_helper(s, HELPER_softint, 2, gen_const(s, vector),
                   gen_const(s, s->next_eip));
        gen_label(s, skip);
        return;
    }
    gen_helper(s, HELPER_softint, 2, gen_const(s, vector),
               gen_const(s, s->next_eip));
    s->end = DISAS_JUMP;
}

void gen_bound(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    IRVal lin =
        gen_linear(s, x86_insn_seg(insn), gen_ea(s, insn), 2 * size, false);
    gen_helper(s, HELPER_bound, 3, gen_get_reg(s, insn->reg, size), lin,
               gen_const(s, size));
}

void gen_hlt(DisasContext *s, const X86Insn *insn)
{
    if (gen_check_cpl0(s)) {
        gen_helper(s, HELPER_hlt, 1, gen_const(s, s->next_eip));
        s->end = DISAS_JUMP;
    }
}
