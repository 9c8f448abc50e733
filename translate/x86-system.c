/*
 * Flags, segment registers and system instructions.
 */
#include "translate/x86-gen.h"
#include "translate/x86-internal.h"

/* ------------------------------------------------------------------ */
/* flags */

void gen_carry_op(DisasContext *s, const X86Insn *insn)
{
    IRVal f = gen_eflags_arith(s);
    switch (insn->op) {
    case X86_OP_CLC: f = gen_opi(s, IR_and, f, ~CC_C); break;
    case X86_OP_STC: f = gen_opi(s, IR_or, f, CC_C); break;
    default: f = gen_opi(s, IR_xor, f, CC_C); break;
    }
    gen_set_cc(s, CC_OP_EFLAGS, gen_const(s, 0), f, gen_const(s, 0));
}

void gen_direction(DisasContext *s, const X86Insn *insn)
{
    gen_mov(s, G_df, gen_const(s, insn->op == X86_OP_CLD ? 1 : (uint32_t)-1));
}

/* CLI STI: IOPL-sensitive in protected mode (SDM Vol. 2, CLI/STI; no VME
 * or PVI). */
void gen_cli_sti(DisasContext *s, const X86Insn *insn)
{
    if ((s->flags & HF_PE) && s->cpl > s->iopl) {
        gen_exception_err(s, EXCP_GP, 0);
        return;
    }
    if (insn->op == X86_OP_CLI) {
        gen_mov(s, G_eflags, gen_opi(s, IR_and, G_eflags, ~EFLAGS_IF));
    } else {
        gen_mov(s, G_eflags, gen_opi(s, IR_or, G_eflags, EFLAGS_IF));
        s->end = DISAS_STOP;
    }
}

void gen_pushf(DisasContext *s, const X86Insn *insn)
{
    /* VM and RF are cleared in the pushed image (SDM Vol. 2, PUSHF). */
    IRVal f = gen_helper(s, HELPER_read_eflags, 0);
    f = gen_opi(s, IR_and, f, ~(EFLAGS_VM | EFLAGS_RF));
    gen_push(s, f, insn->opsize);
}

/* POPF: which bits may change depends on CPL and IOPL (SDM Vol. 2, POPF,
 * protected mode without VM86). */
void gen_popf(DisasContext *s, const X86Insn *insn)
{
    uint32_t mask = CC_ALL | EFLAGS_TF | EFLAGS_DF | EFLAGS_NT | EFLAGS_AC |
                    EFLAGS_ID | EFLAGS_RF;
    IRVal v = gen_stack_read(s, 0, insn->opsize);

    if (s->cpl == 0 || !(s->flags & HF_PE)) {
        mask |= EFLAGS_IOPL | EFLAGS_IF;
    } else if (s->cpl <= s->iopl) {
        mask |= EFLAGS_IF;
    }
    if (insn->opsize == 2) {
        mask &= 0xffff;
    }
    gen_helper(s, HELPER_write_eflags, 2, v, gen_const(s, mask));
    gen_stack_adjust(s, gen_const(s, insn->opsize));
    gen_cc_dynamic(s);
    s->end = DISAS_STOP;
}

/* ------------------------------------------------------------------ */
/* segment registers */

/* Operand size of a store of a 16-bit system value (selector, MSW, LDTR)
 * to a register: 32-bit with a 32-bit operand size, zero-extended, as
 * P6-family processors do (SDM Vol. 2, MOV, SMSW, SLDT, STR). */
static void gen_store_selector(DisasContext *s, const X86Insn *insn, IRVal v)
{
    bool op32 = s->code32 != insn->opsize_prefix;
    if (insn->has_mem) {
        IRVal lin = gen_linear(s, x86_insn_seg(insn), gen_ea(s, insn), 2, true);
        gen_st(s, lin, v, 2);
    } else {
        gen_set_reg(s, insn->rm, op32 ? 4 : 2, gen_op1(s, IR_ext16u, v));
    }
}

static IRVal gen_read_word(DisasContext *s, const X86Insn *insn)
{
    Operand src;
    gen_operand(s, insn, insn->info->opnd[0] == OPK_S ? 1 : 0, 2, false, &src);
    return gen_read(s, &src);
}

static void gen_load_seg(DisasContext *s, int seg, IRVal sel)
{
    gen_helper(s, HELPER_load_seg, 2, gen_const(s, seg), sel);
    /* The block key holds the flat bit and the stack size. */
    s->end = DISAS_STOP;
}

void gen_mov_seg_load(DisasContext *s, const X86Insn *insn)
{
    gen_load_seg(s, insn->reg, gen_read_word(s, insn));
}

void gen_mov_seg_store(DisasContext *s, const X86Insn *insn)
{
    gen_store_selector(s, insn, G_es_sel + insn->reg);
}

void gen_push_seg(DisasContext *s, const X86Insn *insn)
{
    /* SDM Vol. 2, PUSH: with a 32-bit operand size the selector may be
     * zero-extended; we do so. */
    gen_push(s, gen_op1(s, IR_ext16u, G_es_sel + insn->opreg), insn->opsize);
}

void gen_pop_seg(DisasContext *s, const X86Insn *insn)
{
    IRVal v = gen_stack_read(s, 0, insn->opsize);
    gen_load_seg(s, insn->opreg, gen_op1(s, IR_ext16u, v));
    gen_stack_adjust(s, gen_const(s, insn->opsize));
}

/* LDS LES LFS LGS LSS: offset then selector in memory. */
void gen_load_far(DisasContext *s, const X86Insn *insn)
{
    static const int segs[] = {
        [X86_OP_LDS - X86_OP_LDS] = R_DS, [X86_OP_LES - X86_OP_LDS] = R_ES,
        [X86_OP_LFS - X86_OP_LDS] = R_FS, [X86_OP_LGS - X86_OP_LDS] = R_GS,
        [X86_OP_LSS - X86_OP_LDS] = R_SS,
    };
    int size = insn->opsize;
    IRVal lin =
        gen_linear(s, x86_insn_seg(insn), gen_ea(s, insn), size + 2, false);
    IRVal off = gen_ld(s, lin, size, false);
    IRVal sel = gen_ld(s, gen_opi(s, IR_add, lin, size), 2, false);

    gen_load_seg(s, segs[insn->op - X86_OP_LDS], sel);
    gen_set_reg(s, insn->reg, size, off);
}

/* ------------------------------------------------------------------ */
/* descriptor tables and system registers */

void gen_desc_table(DisasContext *s, const X86Insn *insn)
{
    bool load = insn->op == X86_OP_LGDT || insn->op == X86_OP_LIDT;
    HelperId h = insn->op == X86_OP_LGDT   ? HELPER_lgdt
                 : insn->op == X86_OP_LIDT ? HELPER_lidt
                 : insn->op == X86_OP_SGDT ? HELPER_sgdt
                                           : HELPER_sidt;
    IRVal lin;

    if (load && !gen_check_cpl0(s)) {
        return;
    }
    lin = gen_linear(s, x86_insn_seg(insn), gen_ea(s, insn), 6, !load);
    gen_helper(s, h, 2, lin, gen_const(s, insn->opsize));
}

void gen_ldt_tr(DisasContext *s, const X86Insn *insn)
{
    if (!(s->flags & HF_PE)) {
        gen_exception(s, EXCP_UD);
        return;
    }
    switch (insn->op) {
    case X86_OP_SLDT: gen_store_selector(s, insn, G_ldt_sel); return;
    case X86_OP_STR: gen_store_selector(s, insn, G_tr_sel); return;
    default: break;
    }
    if (gen_check_cpl0(s)) {
        gen_helper(s, insn->op == X86_OP_LLDT ? HELPER_lldt : HELPER_ltr, 1,
                   gen_read_word(s, insn));
    }
}

/* LAR LSL VERR VERW ARPL: protected mode only (#UD in real mode). */
void gen_seg_query(DisasContext *s, const X86Insn *insn)
{
    Operand d;
    IRVal sel, r;

    if (!(s->flags & HF_PE)) {
        gen_exception(s, EXCP_UD);
        return;
    }
    switch (insn->op) {
    case X86_OP_VERR:
    case X86_OP_VERW:
        gen_helper(s, insn->op == X86_OP_VERR ? HELPER_verr : HELPER_verw, 1,
                   gen_read_word(s, insn));
        break;
    case X86_OP_ARPL: {
        Operand src;
        gen_operand(s, insn, 0, 2, true, &d);
        gen_operand(s, insn, 1, 2, false, &src);
        r = gen_helper(s, HELPER_arpl, 2, gen_read(s, &d), gen_read(s, &src));
        gen_write(s, &d, r);
        break;
    }
    default: { /* LAR LSL */
        Operand src;
        gen_operand(s, insn, 1, 2, false, &src);
        sel = gen_read(s, &src);
        r = gen_helper(s, insn->op == X86_OP_LAR ? HELPER_lar : HELPER_lsl, 2,
                       sel, gen_get_reg(s, insn->reg, 4));
        gen_set_reg(s, insn->reg, insn->opsize, r);
        break;
    }
    }
    gen_cc_dynamic(s);
}

void gen_mov_cr(DisasContext *s, const X86Insn *insn)
{
    bool load =
        insn->op == X86_OP_MOV_CR_LOAD || insn->op == X86_OP_MOV_DR_LOAD;
    bool cr = insn->op == X86_OP_MOV_CR_LOAD || insn->op == X86_OP_MOV_CR_STORE;

    if (!gen_check_cpl0(s)) {
        return;
    }
    if (load) {
        gen_helper(s, cr ? HELPER_write_cr : HELPER_write_dr, 2,
                   gen_const(s, insn->reg), gen_get_reg(s, insn->rm, 4));
        s->end = DISAS_STOP;
    } else {
        gen_set_reg(s, insn->rm, 4,
                    gen_helper(s, cr ? HELPER_read_cr : HELPER_read_dr, 1,
                               gen_const(s, insn->reg)));
    }
}

void gen_msw(DisasContext *s, const X86Insn *insn)
{
    if (insn->op == X86_OP_SMSW) {
        gen_store_selector(s, insn,
                           gen_helper(s, HELPER_read_cr, 1, gen_const(s, 0)));
        return;
    }
    if (gen_check_cpl0(s)) {
        gen_helper(s, HELPER_lmsw, 1, gen_read_word(s, insn));
        s->end = DISAS_STOP;
    }
}

/* CPL-0 instructions without operands, or with a memory address. */
void gen_privileged(DisasContext *s, const X86Insn *insn)
{
    if (!gen_check_cpl0(s)) {
        return;
    }
    switch (insn->op) {
    case X86_OP_CLTS:
        gen_helper(s, HELPER_clts, 0);
        s->end = DISAS_STOP;
        break;
    case X86_OP_INVLPG: {
        IRVal ea = gen_ea(s, insn);
        int seg = x86_insn_seg(insn);
        if (!s->flat || seg == R_FS || seg == R_GS) {
            ea = gen_op2(s, IR_add, ea, G_es_base + seg);
        }
        gen_helper(s, HELPER_invlpg, 1, ea);
        s->end = DISAS_STOP;
        break;
    }
    case X86_OP_RDMSR: gen_helper(s, HELPER_rdmsr, 0); break;
    case X86_OP_WRMSR:
        gen_helper(s, HELPER_wrmsr, 0);
        s->end = DISAS_STOP;
        break;
    default: /* INVD WBINVD: no caches to write back */ break;
    }
}

void gen_cpuid(DisasContext *s, const X86Insn *insn)
{
    gen_helper(s, HELPER_cpuid, 0);
}

void gen_rdtsc(DisasContext *s, const X86Insn *insn)
{
    gen_helper(s, HELPER_rdtsc, 0);
}

/* RDPMC: no performance counters are implemented, so every counter
 * number is invalid: #GP(0) (SDM Vol. 2, RDPMC). */
void gen_rdpmc(DisasContext *s, const X86Insn *insn)
{
    gen_exception_err(s, EXCP_GP, 0);
}

/* WAIT: #NM when CR0.MP and CR0.TS are both set (SDM Vol. 2, WAIT). */
void gen_wait(DisasContext *s, const X86Insn *insn)
{
    if ((s->flags & HF_MP) && (s->flags & HF_TS)) {
        gen_exception(s, EXCP_NM);
    }
}
