/*
 * Arithmetic, logic, shifts and rotates, multiply and divide, BCD, bit
 * instructions, setcc and cmovcc.  Flags follow the lazy scheme of
 * cpu/flags.h: each instruction stores its operation and operands.
 */
#include "translate/x86-gen.h"
#include "translate/x86-internal.h"

static int cc_sized(int base, int size)
{
    return base + cc_size_index(size);
}

/* ADD OR ADC SBB AND SUB XOR CMP TEST */
void gen_alu(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    int op = insn->op;
    bool writes = op != X86_OP_CMP && op != X86_OP_TEST;
    Operand d, src;
    IRVal a, b, r, c;

    gen_operand(s, insn, 0, size, writes, &d);
    gen_operand(s, insn, 1, size, false, &src);
    a = gen_read(s, &d);
    b = gen_read(s, &src);
    switch (op) {
    case X86_OP_ADD:
        r = gen_zext(s, gen_op2(s, IR_add, a, b), size);
        gen_write(s, &d, r);
        gen_set_cc(s, cc_sized(CC_OP_ADDB, size), r, b, a);
        break;
    case X86_OP_ADC:
        c = gen_cf(s);
        r = gen_zext(s, gen_op2(s, IR_add, gen_op2(s, IR_add, a, b), c), size);
        gen_write(s, &d, r);
        gen_set_cc(s, cc_sized(CC_OP_ADCB, size), r, b, a);
        break;
    case X86_OP_SUB:
    case X86_OP_CMP:
        r = gen_zext(s, gen_op2(s, IR_sub, a, b), size);
        if (writes) {
            gen_write(s, &d, r);
        }
        gen_set_cc(s, cc_sized(CC_OP_SUBB, size), r, b, a);
        break;
    case X86_OP_SBB:
        c = gen_cf(s);
        r = gen_zext(s, gen_op2(s, IR_sub, gen_op2(s, IR_sub, a, b), c), size);
        gen_write(s, &d, r);
        gen_set_cc(s, cc_sized(CC_OP_SBBB, size), r, b, a);
        break;
    default: {
        IROpcode opc = op == X86_OP_OR    ? IR_or
                       : op == X86_OP_XOR ? IR_xor
                                          : IR_and;
        r = gen_op2(s, opc, a, b);
        if (writes) {
            gen_write(s, &d, r);
        }
        gen_set_cc(s, cc_sized(CC_OP_LOGICB, size), r, gen_const(s, 0),
                   gen_const(s, 0));
        break;
    }
    }
}

/* INC DEC NOT NEG */
void gen_unary(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    Operand d;
    IRVal a, r, cf;

    gen_operand(s, insn, 0, size, true, &d);
    a = gen_read(s, &d);
    switch (insn->op) {
    case X86_OP_INC:
    case X86_OP_DEC:
        /* CF is kept (SDM Vol. 2, INC/DEC). */
        cf = gen_cf(s);
        r = gen_zext(s,
                     gen_opi(s, insn->op == X86_OP_INC ? IR_add : IR_sub, a, 1),
                     size);
        gen_write(s, &d, r);
        gen_set_cc(
            s, cc_sized(insn->op == X86_OP_INC ? CC_OP_INCB : CC_OP_DECB, size),
            r, cf, gen_const(s, 0));
        break;
    case X86_OP_NOT:
        gen_write(s, &d, gen_zext(s, gen_op1(s, IR_not, a), size));
        break;
    default: /* NEG: flags of 0 - a */
        r = gen_zext(s, gen_op1(s, IR_neg, a), size);
        gen_write(s, &d, r);
        gen_set_cc(s, cc_sized(CC_OP_SUBB, size), r, a, gen_const(s, 0));
        break;
    }
}

/* MUL and one-operand IMUL: eDX:eAX = eAX * r/m (AX = AL * r/m8). */
void gen_mul1(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    bool sign = insn->op == X86_OP_IMUL1;
    int cc = cc_sized(sign ? CC_OP_IMULB : CC_OP_MULB, size);
    Operand src;
    IRVal a, b, lo, hi, over;

    gen_operand(s, insn, 0, size, false, &src);
    b = gen_read(s, &src);
    a = gen_get_reg(s, R_EAX, size);
    if (size == 4) {
        lo = gen_tmp(s);
        hi = gen_tmp(s);
        uint32_t args[] = {lo, hi, a, b};
        ir_emit(s->b, sign ? IR_muls2 : IR_mulu2, args);
        over =
            sign ? gen_setcond(s, IR_NE, hi, gen_opi(s, IR_sar, lo, 31)) : hi;
        gen_set_reg(s, R_EAX, 4, lo);
        gen_set_reg(s, R_EDX, 4, hi);
        gen_set_cc(s, cc, lo, over, gen_const(s, 0));
        return;
    }
    /* 8 and 16 bits: the whole product fits in 32 bits. */
    if (sign) {
        a = gen_sext(s, a, size);
        b = gen_sext(s, b, size);
    }
    IRVal r = gen_op2(s, IR_mul, a, b);
    if (size == 1) {
        gen_set_reg(s, R_EAX, 2, r);
    } else {
        gen_set_reg(s, R_EAX, 2, r);
        gen_set_reg(s, R_EDX, 2, gen_extract(s, r, 16, 16));
    }
    over = sign ? gen_setcond(s, IR_NE, r, gen_sext(s, r, size))
                : gen_opi(s, IR_shr, r, size * 8);
    gen_set_cc(s, cc, gen_zext(s, r, size), over, gen_const(s, 0));
}

/* IMUL r, r/m [, imm]: truncated signed product. */
void gen_imul(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    int cc = cc_sized(CC_OP_IMULB, size);
    Operand d, s1, s2;
    IRVal a, b, r, over;

    gen_operand(s, insn, 0, size, true, &d);
    gen_operand(s, insn, 1, size, false, &s1);
    if (insn->info->opnd[2] != OPK_NONE) {
        gen_operand(s, insn, 2, size, false, &s2);
        a = gen_read(s, &s1);
        b = gen_read(s, &s2);
    } else {
        a = gen_read(s, &d);
        b = gen_read(s, &s1);
    }
    if (size == 4) {
        IRVal hi = gen_tmp(s);
        r = gen_tmp(s);
        uint32_t args[] = {r, hi, a, b};
        ir_emit(s->b, IR_muls2, args);
        over = gen_setcond(s, IR_NE, hi, gen_opi(s, IR_sar, r, 31));
    } else {
        IRVal p =
            gen_op2(s, IR_mul, gen_sext(s, a, size), gen_sext(s, b, size));
        over = gen_setcond(s, IR_NE, p, gen_sext(s, p, size));
        r = gen_zext(s, p, size);
    }
    gen_write(s, &d, r);
    gen_set_cc(s, cc, r, over, gen_const(s, 0));
}

/* DIV IDIV: the helper writes the quotient and remainder, raises #DE. */
void gen_div(DisasContext *s, const X86Insn *insn)
{
    Operand src;
    gen_operand(s, insn, 0, insn->opsize, false, &src);
    gen_helper(s, insn->op == X86_OP_DIV ? HELPER_div : HELPER_idiv, 2,
               gen_read(s, &src), gen_const(s, insn->opsize));
}

/* SHL SHR SAR (SDM Vol. 2, SAL/SAR/SHL/SHR): the count is masked to 5
 * bits; a zero count changes no flag. */
void gen_shift(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    int op = insn->op;
    int cc = cc_sized(op == X86_OP_SHL   ? CC_OP_SHLB
                      : op == X86_OP_SHR ? CC_OP_SHRB
                                         : CC_OP_SARB,
                      size);
    IROpcode opc = op == X86_OP_SHL   ? IR_shl
                   : op == X86_OP_SHR ? IR_shr
                                      : IR_sar;
    Operand d, cnt;
    IRVal v, n, r, last;

    gen_operand(s, insn, 0, size, true, &d);
    gen_operand(s, insn, 1, 1, false, &cnt);
    v = gen_read(s, &d);
    if (op == X86_OP_SAR) {
        v = gen_sext(s, v, size);
    }
    if (cnt.kind == OPND_IMM) {
        uint32_t k = cnt.imm & 31;
        if (k == 0) {
            return;
        }
        r = gen_zext(s, gen_opi(s, opc, v, k), size);
        last = gen_zext(s, gen_opi(s, opc, v, k - 1), size);
        gen_write(s, &d, r);
        gen_set_cc(s, cc, r, last, gen_const(s, 0));
        return;
    }
    n = gen_opi(s, IR_and, gen_read(s, &cnt), 31);
    r = gen_zext(s, gen_op2(s, opc, v, n), size);
    last = gen_zext(s, gen_op2(s, opc, v, gen_opi(s, IR_sub, n, 1)), size);
    gen_write(s, &d, r);
    int skip = gen_new_label(s);
    gen_brcond(s, IR_EQ, n, gen_const(s, 0), skip);
    gen_set_cc(s, cc, r, last, gen_const(s, 0));
    gen_label(s, skip);
    gen_cc_dynamic(s);
}

/* ROL ROR RCL RCR: helper, which also sets the flags. */
void gen_rotate(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    Operand d, cnt;
    IRVal r;

    gen_operand(s, insn, 0, size, true, &d);
    gen_operand(s, insn, 1, 1, false, &cnt);
    if (cnt.kind == OPND_IMM && (cnt.imm & 31) == 0) {
        return;
    }
    r = gen_helper(s, HELPER_rotate, 4, gen_const(s, insn->op - X86_OP_ROL),
                   gen_read(s, &d), gen_read(s, &cnt), gen_const(s, size));
    gen_write(s, &d, r);
    gen_cc_dynamic(s);
}

/* SHLD SHRD */
void gen_shiftd(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    Operand d, src, cnt;
    IRVal r;

    gen_operand(s, insn, 0, size, true, &d);
    gen_operand(s, insn, 1, size, false, &src);
    gen_operand(s, insn, 2, 1, false, &cnt);
    if (cnt.kind == OPND_IMM && (cnt.imm & 31) == 0) {
        return;
    }
    r = gen_helper(s, HELPER_shiftd, 5, gen_const(s, insn->op == X86_OP_SHLD),
                   gen_read(s, &d), gen_read(s, &src), gen_read(s, &cnt),
                   gen_const(s, size));
    gen_write(s, &d, r);
    gen_cc_dynamic(s);
}

/* DAA DAS AAA AAS AAM AAD */
void gen_bcd(DisasContext *s, const X86Insn *insn)
{
    switch (insn->op) {
    case X86_OP_DAA: gen_helper(s, HELPER_daa, 0); break;
    case X86_OP_DAS: gen_helper(s, HELPER_das, 0); break;
    case X86_OP_AAA: gen_helper(s, HELPER_aaa, 0); break;
    case X86_OP_AAS: gen_helper(s, HELPER_aas, 0); break;
    case X86_OP_AAM:
        gen_helper(s, HELPER_aam, 1, gen_const(s, insn->imm & 0xff));
        break;
    default:
        gen_helper(s, HELPER_aad, 1, gen_const(s, insn->imm & 0xff));
        break;
    }
    gen_cc_dynamic(s);
}

/* BT BTS BTR BTC (SDM Vol. 2, BT): with a register bit offset and a
 * memory operand, the offset is signed and selects the word or dword
 * anywhere around the address. */
void gen_bt(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    int bits = size * 8;
    bool writes = insn->op != X86_OP_BT;
    Operand d, off;
    IRVal bit, v, mask, f;

    gen_operand(s, insn, 1, size, false, &off);
    if (insn->has_mem && off.kind == OPND_REG) {
        IRVal o = gen_sext(s, gen_read(s, &off), size);
        IRVal ea = gen_ea(s, insn);
        IRVal disp = gen_opi(s, IR_and, gen_opi(s, IR_sar, o, 3), ~(size - 1u));
        ea = gen_op2(s, IR_add, ea, disp);
        if (insn->addrsize == 2) {
            ea = gen_op1(s, IR_ext16u, ea);
        }
        d.kind = OPND_MEM;
        d.size = size;
        d.addr = gen_linear(s, x86_insn_seg(insn), ea, size, writes);
        bit = gen_opi(s, IR_and, o, bits - 1);
    } else {
        gen_operand(s, insn, 0, size, writes, &d);
        bit = gen_opi(s, IR_and, gen_read(s, &off), bits - 1);
    }
    v = gen_read(s, &d);
    mask = gen_op2(s, IR_shl, gen_const(s, 1), bit);
    switch (insn->op) {
    case X86_OP_BTS: gen_write(s, &d, gen_op2(s, IR_or, v, mask)); break;
    case X86_OP_BTR: gen_write(s, &d, gen_op2(s, IR_andc, v, mask)); break;
    case X86_OP_BTC: gen_write(s, &d, gen_op2(s, IR_xor, v, mask)); break;
    default: break;
    }
    /* CF = the bit; ZF unaffected; OF SF AF PF undefined: kept. */
    f = gen_opi(s, IR_and, gen_eflags_arith(s), ~CC_C);
    f = gen_op2(s, IR_or, f, gen_opi(s, IR_and, gen_op2(s, IR_shr, v, bit), 1));
    gen_set_cc(s, CC_OP_EFLAGS, gen_const(s, 0), f, gen_const(s, 0));
}

/* BSF BSR */
void gen_bitscan(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    Operand d, src;
    IRVal r;

    gen_operand(s, insn, 0, size, true, &d);
    gen_operand(s, insn, 1, size, false, &src);
    r = gen_helper(s, insn->op == X86_OP_BSF ? HELPER_bsf : HELPER_bsr, 3,
                   gen_read(s, &src), gen_read(s, &d), gen_const(s, size));
    gen_write(s, &d, r);
    gen_cc_dynamic(s);
}

void gen_setcc(DisasContext *s, const X86Insn *insn)
{
    Operand d;
    gen_operand(s, insn, 0, 1, true, &d);
    gen_write(s, &d, gen_cond_value(s, insn->opcode & 15));
}

/* CMOVcc: the source is read whatever the condition (SDM Vol. 2). */
void gen_cmov(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    Operand d, src;
    IRVal v, old, a, b;
    IRCond c;

    gen_operand(s, insn, 0, size, true, &d);
    gen_operand(s, insn, 1, size, false, &src);
    v = gen_read(s, &src);
    old = gen_read(s, &d);
    gen_cond(s, insn->opcode & 15, &c, &a, &b);
    gen_write(s, &d, gen_movcond(s, c, a, b, v, old));
}
