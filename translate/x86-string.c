/*
 * String instructions and port I/O.
 */
#include "translate/x86-gen.h"
#include "translate/x86-internal.h"

/* eSI or eDI as the address size sees it. */
static IRVal str_index(DisasContext *s, const X86Insn *insn, int reg)
{
    return insn->addrsize == 2 ? gen_op1(s, IR_ext16u, G_eax + reg)
                               : G_eax + reg;
}

/* eSI/eDI += DF * size, wrapping within the address size. */
static void str_advance(DisasContext *s, const X86Insn *insn, int reg,
                        IRVal stride)
{
    IRVal v = gen_op2(s, IR_add, G_eax + reg, stride);
    gen_set_reg(s, reg, insn->addrsize, v);
}

/* A string instruction without REP, inline: one element, no helper. */
static void gen_string_once(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    int seg = insn->seg_override != X86_SEG_NONE ? insn->seg_override : R_DS;
    IRVal stride = gen_opi(s, IR_shl, G_df, __builtin_ctz(size));
    IRVal a = 0, b, dst;

    switch (insn->op) {
    case X86_OP_MOVS:
        a = gen_ld(s,
                   gen_linear(s, seg, str_index(s, insn, R_ESI), size, false),
                   size, false);
        dst = gen_linear(s, R_ES, str_index(s, insn, R_EDI), size, true);
        gen_st(s, dst, a, size);
        str_advance(s, insn, R_ESI, stride);
        str_advance(s, insn, R_EDI, stride);
        break;
    case X86_OP_STOS:
        dst = gen_linear(s, R_ES, str_index(s, insn, R_EDI), size, true);
        gen_st(s, dst, gen_get_reg(s, R_EAX, size), size);
        str_advance(s, insn, R_EDI, stride);
        break;
    case X86_OP_LODS:
        a = gen_ld(s,
                   gen_linear(s, seg, str_index(s, insn, R_ESI), size, false),
                   size, false);
        gen_set_reg(s, R_EAX, size, a);
        str_advance(s, insn, R_ESI, stride);
        break;
    default: /* CMPS: seg:eSI - ES:eDI; SCAS: eAX - ES:eDI */
        if (insn->op == X86_OP_CMPS) {
            a = gen_ld(
                s, gen_linear(s, seg, str_index(s, insn, R_ESI), size, false),
                size, false);
        } else {
            a = gen_get_reg(s, R_EAX, size);
        }
        b = gen_ld(s,
                   gen_linear(s, R_ES, str_index(s, insn, R_EDI), size, false),
                   size, false);
        if (insn->op == X86_OP_CMPS) {
            str_advance(s, insn, R_ESI, stride);
        }
        str_advance(s, insn, R_EDI, stride);
        gen_set_cc(s, CC_OP_SUBB + cc_size_index(size),
                   gen_zext(s, gen_op2(s, IR_sub, a, b), size), b, a);
        break;
    }
}

/* movs cmps stos lods scas ins outs.  A helper runs the whole (rep)
 * loop; when the budget runs out between iterations it returns 1 and the
 * instruction is restarted from the execution loop, as an interrupt
 * between iterations would on hardware (SDM Vol. 2, REP). */
void gen_string(DisasContext *s, const X86Insn *insn)
{
    static const HelperId helpers[] = {
        [X86_OP_MOVS - X86_OP_MOVS] = HELPER_movs,
        [X86_OP_CMPS - X86_OP_MOVS] = HELPER_cmps,
        [X86_OP_STOS - X86_OP_MOVS] = HELPER_stos,
        [X86_OP_LODS - X86_OP_MOVS] = HELPER_lods,
        [X86_OP_SCAS - X86_OP_MOVS] = HELPER_scas,
        [X86_OP_INS - X86_OP_MOVS] = HELPER_ins,
        [X86_OP_OUTS - X86_OP_MOVS] = HELPER_outs,
    };
    bool compares = insn->op == X86_OP_CMPS || insn->op == X86_OP_SCAS;
    int seg = insn->seg_override != X86_SEG_NONE ? insn->seg_override : R_DS;
    /* REPNE on a non-comparing string instruction acts as REP. */
    int rep = insn->rep == 0 ? 0 : (compares && insn->rep == 0xf2) ? 2 : 1;
    uint32_t packed = insn->opsize | insn->addrsize << 4 | seg << 8 | rep << 12;
    IRVal more;

    if (!rep && insn->op != X86_OP_INS && insn->op != X86_OP_OUTS) {
        gen_string_once(s, insn);
        return;
    }
    if ((insn->op == X86_OP_INS || insn->op == X86_OP_OUTS) &&
        (s->flags & HF_PE) && s->cpl > s->iopl) {
        gen_helper(s, HELPER_check_io, 2, gen_get_reg(s, R_EDX, 2),
                   gen_const(s, insn->opsize));
    }
    more =
        gen_helper(s, helpers[insn->op - X86_OP_MOVS], 1, gen_const(s, packed));
    if (compares) {
        gen_cc_dynamic(s);
    }
    if (rep) {
        int done = gen_new_label(s);
        gen_brcond(s, IR_EQ, more, gen_const(s, 0), done);
        gen_jump_const(s, s->eip, IR_EXIT_NOCHAIN);
        gen_label(s, done);
        gen_jump_const(s, s->next_eip, 0);
        s->end = DISAS_JUMP;
    } else if (insn->op == X86_OP_OUTS) {
        s->end = DISAS_STOP;
    }
}

static IRVal io_port(DisasContext *s, const X86Insn *insn, int index)
{
    return insn->info->opnd[index] == OPK_DX ? gen_get_reg(s, R_EDX, 2)
                                             : gen_const(s, insn->imm & 0xff);
}

/* IN OUT, with the I/O privilege check of SDM Vol. 1, 18.5. */
void gen_in_out(DisasContext *s, const X86Insn *insn)
{
    int size = insn->opsize;
    bool in = insn->op == X86_OP_IN;
    IRVal port = io_port(s, insn, in ? 1 : 0);

    if ((s->flags & HF_PE) && s->cpl > s->iopl) {
        gen_helper(s, HELPER_check_io, 2, port, gen_const(s, size));
    }
    if (in) {
        gen_set_reg(s, R_EAX, size,
                    gen_helper(s, HELPER_in, 2, port, gen_const(s, size)));
    } else {
        gen_helper(s, HELPER_out, 3, port, gen_get_reg(s, R_EAX, size),
                   gen_const(s, size));
        /* A device may have raised an interrupt or ended the guest. */
        s->end = DISAS_STOP;
    }
}
