/*
 * The frontend's core: the block loop, the dispatch table, and the IR
 * building blocks every instruction class uses (register and memory
 * operands, segments, the stack, lazy flags and conditions, exits).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "memory/softmmu.h"
#include "translate/disas.h"
#include "translate/frontend.h"
#include "translate/x86-internal.h"
#include "translate/x86-gen.h"

/* ------------------------------------------------------------------ */
/* IR building */

IRVal gen_tmp(DisasContext *s)
{
    return ir_new_local(s->b);
}

IRVal gen_const(DisasContext *s, uint32_t v)
{
    return ir_const_temp(s->b, v);
}

void gen_mov(DisasContext *s, IRVal d, IRVal a)
{
    uint32_t args[] = {d, a};
    ir_emit(s->b, IR_mov, args);
}

IRVal gen_op1(DisasContext *s, IROpcode opc, IRVal a)
{
    IRVal d = gen_tmp(s);
    uint32_t args[] = {d, a};
    ir_emit(s->b, opc, args);
    return d;
}

IRVal gen_op2(DisasContext *s, IROpcode opc, IRVal a, IRVal b)
{
    IRVal d = gen_tmp(s);
    uint32_t args[] = {d, a, b};
    ir_emit(s->b, opc, args);
    return d;
}

IRVal gen_opi(DisasContext *s, IROpcode opc, IRVal a, uint32_t imm)
{
    return gen_op2(s, opc, a, gen_const(s, imm));
}

IRVal gen_extract(DisasContext *s, IRVal a, int pos, int len)
{
    IRVal d = gen_tmp(s);
    uint32_t args[] = {d, a, pos, len};
    ir_emit(s->b, IR_extract, args);
    return d;
}

IRVal gen_setcond(DisasContext *s, IRCond c, IRVal a, IRVal b)
{
    IRVal d = gen_tmp(s);
    uint32_t args[] = {d, a, b, c};
    ir_emit(s->b, IR_setcond, args);
    return d;
}

IRVal gen_movcond(DisasContext *s, IRCond c, IRVal a, IRVal b, IRVal t, IRVal f)
{
    IRVal d = gen_tmp(s);
    uint32_t args[] = {d, a, b, t, f, c};
    ir_emit(s->b, IR_movcond, args);
    return d;
}

void gen_brcond(DisasContext *s, IRCond c, IRVal a, IRVal b, int label)
{
    uint32_t args[] = {a, b, c, label};
    ir_emit(s->b, IR_brcond, args);
}

int gen_new_label(DisasContext *s)
{
    return ir_new_label(s->b);
}

void gen_label(DisasContext *s, int label)
{
    uint32_t args[] = {label};
    ir_emit(s->b, IR_label, args);
}

IRVal gen_zext(DisasContext *s, IRVal v, int size)
{
    return size == 1   ? gen_op1(s, IR_ext8u, v)
           : size == 2 ? gen_op1(s, IR_ext16u, v)
                       : v;
}

IRVal gen_sext(DisasContext *s, IRVal v, int size)
{
    return size == 1   ? gen_op1(s, IR_ext8s, v)
           : size == 2 ? gen_op1(s, IR_ext16s, v)
                       : v;
}

IRVal gen_helper(DisasContext *s, HelperId id, int nargs, ...)
{
    IRVal in[8];
    va_list ap;
    int out = -1;

    va_start(ap, nargs);
    for (int i = 0; i < nargs && i < 8; i++) {
        in[i] = va_arg(ap, IRVal);
    }
    va_end(ap);
    if (helper_table[id].ret) {
        out = gen_tmp(s);
    }
    ir_emit_call(s->b, id, out, in, nargs);
    return out >= 0 ? (IRVal)out : 0;
}

/* ------------------------------------------------------------------ */
/* registers and memory */

IRVal gen_get_reg(DisasContext *s, int reg, int size)
{
    switch (size) {
    case 1:
        /* AL CL DL BL AH CH DH BH (SDM Vol. 2, Table 2-1) */
        return reg < 4 ? gen_op1(s, IR_ext8u, G_eax + reg)
                       : gen_extract(s, G_eax + reg - 4, 8, 8);
    case 2: return gen_op1(s, IR_ext16u, G_eax + reg);
    default: {
        /* A copy: the caller may hold it across a write of the register. */
        IRVal t = gen_tmp(s);
        gen_mov(s, t, G_eax + reg);
        return t;
    }
    }
}

void gen_set_reg(DisasContext *s, int reg, int size, IRVal v)
{
    uint32_t args[5];
    switch (size) {
    case 1: {
        int r = reg & 3, pos = reg < 4 ? 0 : 8;
        uint32_t a[] = {G_eax + r, G_eax + r, v, pos, 8};
        ir_emit(s->b, IR_deposit, a);
        break;
    }
    case 2: {
        uint32_t a[] = {G_eax + reg, G_eax + reg, v, 0, 16};
        ir_emit(s->b, IR_deposit, a);
        break;
    }
    default:
        args[0] = G_eax + reg;
        args[1] = v;
        ir_emit(s->b, IR_mov, args);
        break;
    }
}

IRVal gen_ea(DisasContext *s, const X86Insn *insn)
{
    IRVal ea = 0;
    bool have = false;

    if (insn->base != X86_REG_NONE) {
        ea = gen_tmp(s);
        gen_mov(s, ea, G_eax + insn->base);
        if (insn->base == R_ESP && s->esp_adjust) {
            ea = gen_opi(s, IR_add, ea, s->esp_adjust);
        }
        have = true;
    }
    if (insn->index != X86_REG_NONE) {
        IRVal idx = G_eax + insn->index;
        if (insn->scale > 1) {
            idx = gen_opi(s, IR_shl, idx, __builtin_ctz(insn->scale));
        }
        if (have) {
            ea = gen_op2(s, IR_add, ea, idx);
        } else {
            ea = gen_tmp(s);
            gen_mov(s, ea, idx);
            have = true;
        }
    }
    if (!have) {
        uint32_t d = insn->disp;
        return gen_const(s, insn->addrsize == 2 ? d & 0xffff : d);
    }
    if (insn->disp) {
        ea = gen_opi(s, IR_add, ea, insn->disp);
    }
    if (insn->addrsize == 2) {
        ea = gen_op1(s, IR_ext16u, ea);
    }
    return ea;
}

IRVal gen_linear(DisasContext *s, int seg, IRVal off, int size, bool write)
{
    /* HF_FLAT: CS, SS, DS and ES have base 0 and a 4 GiB limit, so the
     * address is the offset and no limit can be exceeded (the wrap of a
     * 4-byte access at 4 GiB is the softMMU's business).  A write through
     * CS still faults (code segments are never writable). */
    if (s->flat && seg != R_FS && seg != R_GS && !(seg == R_CS && write)) {
        return off;
    }
    gen_helper(s, HELPER_check_seg, 4, gen_const(s, seg), off,
               gen_const(s, size), gen_const(s, write));
    return gen_op2(s, IR_add, off, G_es_base + seg);
}

IRVal gen_ld(DisasContext *s, IRVal lin, int size, bool sign)
{
    IRVal d = gen_tmp(s);
    uint32_t memop = (size == 1   ? IR_MO_8
                      : size == 2 ? IR_MO_16
                                  : IR_MO_32) |
                     (sign ? IR_MO_SIGN : 0);
    uint32_t args[] = {d, lin, memop, s->mmu_idx};
    ir_emit(s->b, IR_ld, args);
    return d;
}

void gen_st(DisasContext *s, IRVal lin, IRVal v, int size)
{
    uint32_t memop = size == 1 ? IR_MO_8 : size == 2 ? IR_MO_16 : IR_MO_32;
    uint32_t args[] = {lin, v, memop, s->mmu_idx};
    ir_emit(s->b, IR_st, args);
}

void gen_operand(DisasContext *s, const X86Insn *insn, int index, int size,
                 bool write, Operand *op)
{
    op->size = size;
    switch (insn->info->opnd[index]) {
    case OPK_E:
    case OPK_M:
    case OPK_O:
        if (insn->has_mem) {
            op->kind = OPND_MEM;
            op->addr =
                gen_linear(s, x86_insn_seg(insn), gen_ea(s, insn), size, write);
        } else {
            op->kind = OPND_REG;
            op->reg = insn->rm;
        }
        break;
    case OPK_R:
        op->kind = OPND_REG;
        op->reg = insn->rm;
        break;
    case OPK_G:
        op->kind = OPND_REG;
        op->reg = insn->reg;
        break;
    case OPK_ZREG:
        op->kind = OPND_REG;
        op->reg = insn->opreg;
        break;
    case OPK_AL:
        op->kind = OPND_REG;
        op->reg = R_EAX;
        break;
    case OPK_DX:
        op->kind = OPND_REG;
        op->reg = R_EDX;
        break;
    case OPK_CL:
        op->kind = OPND_REG;
        op->reg = R_ECX;
        break;
    case OPK_ONE:
        op->kind = OPND_IMM;
        op->imm = 1;
        break;
    case OPK_I2:
        op->kind = OPND_IMM;
        op->imm = insn->imm2;
        break;
    default:
        op->kind = OPND_IMM;
        op->imm = insn->imm;
        break;
    }
    if (op->kind == OPND_REG && op->reg == R_ECX &&
        insn->info->opnd[index] == OPK_CL) {
        op->size = 1;
    }
}

IRVal gen_read(DisasContext *s, const Operand *op)
{
    switch (op->kind) {
    case OPND_REG: return gen_get_reg(s, op->reg, op->size);
    case OPND_MEM: return gen_ld(s, op->addr, op->size, false);
    default:
        return gen_const(s, op->size == 1   ? op->imm & 0xff
                            : op->size == 2 ? op->imm & 0xffff
                                            : op->imm);
    }
}

void gen_write(DisasContext *s, const Operand *op, IRVal v)
{
    if (op->kind == OPND_REG) {
        gen_set_reg(s, op->reg, op->size, v);
    } else if (op->kind == OPND_MEM) {
        gen_st(s, op->addr, v, op->size);
    }
}

/* ------------------------------------------------------------------ */
/* the stack */

/* eSP as the stack's address size sees it. */
static IRVal gen_sp(DisasContext *s)
{
    return s->ss32 ? G_esp : gen_op1(s, IR_ext16u, G_esp);
}

static void gen_set_sp(DisasContext *s, IRVal v)
{
    if (s->ss32) {
        gen_mov(s, G_esp, v);
    } else {
        uint32_t a[] = {G_esp, G_esp, v, 0, 16};
        ir_emit(s->b, IR_deposit, a);
    }
}

static IRVal gen_stack_addr(DisasContext *s, IRVal sp, int size, bool write)
{
    if (!s->ss32) {
        sp = gen_op1(s, IR_ext16u, sp);
    }
    return gen_linear(s, R_SS, sp, size, write);
}

void gen_push(DisasContext *s, IRVal v, int size)
{
    IRVal sp = gen_opi(s, IR_sub, gen_sp(s), size);
    gen_st(s, gen_stack_addr(s, sp, size, true), v, size);
    gen_set_sp(s, sp);
}

IRVal gen_stack_read(DisasContext *s, int offset, int size)
{
    IRVal sp = gen_sp(s);
    if (offset) {
        sp = gen_opi(s, IR_add, sp, offset);
    }
    return gen_ld(s, gen_stack_addr(s, sp, size, false), size, false);
}

void gen_stack_adjust(DisasContext *s, IRVal bytes)
{
    gen_set_sp(s, gen_op2(s, IR_add, gen_sp(s), bytes));
}

IRVal gen_pop(DisasContext *s, int size)
{
    IRVal v = gen_stack_read(s, 0, size);
    gen_stack_adjust(s, gen_const(s, size));
    return v;
}

/* ------------------------------------------------------------------ */
/* lazy flags */

void gen_set_cc(DisasContext *s, int cc_op, IRVal dst, IRVal src, IRVal src2)
{
    gen_mov(s, G_cc_dst, dst);
    gen_mov(s, G_cc_src, src);
    gen_mov(s, G_cc_src2, src2);
    gen_mov(s, G_cc_op, gen_const(s, cc_op));
    s->cc_op = cc_op;
}

void gen_cc_dynamic(DisasContext *s)
{
    s->cc_op = CC_OP_DYNAMIC;
}

IRVal gen_eflags_arith(DisasContext *s)
{
    if (s->cc_op == CC_OP_EFLAGS) {
        IRVal t = gen_tmp(s);
        gen_mov(s, t, G_cc_src);
        return t;
    }
    return gen_helper(s, HELPER_cc_compute_all, 4, G_cc_op, G_cc_dst, G_cc_src,
                      G_cc_src2);
}

/* The sized class of the static lazy op: CC_OP_ADDB -> CC_OP_ADDB, with
 * *size set; -1 if unknown or EFLAGS. */
static int cc_class(int cc_op, int *size)
{
    if (cc_op <= CC_OP_EFLAGS) {
        return -1;
    }
    *size = 1 << ((cc_op - CC_OP_ADDB) % 3);
    return cc_op - (cc_op - CC_OP_ADDB) % 3;
}

IRVal gen_cf(DisasContext *s)
{
    int size;
    switch (cc_class(s->cc_op, &size)) {
    case CC_OP_SUBB: return gen_setcond(s, IR_LTU, G_cc_src2, G_cc_src);
    case CC_OP_ADDB: return gen_setcond(s, IR_LTU, G_cc_dst, G_cc_src);
    case CC_OP_LOGICB: return gen_const(s, 0);
    default: break;
    }
    if (s->cc_op == CC_OP_EFLAGS) {
        return gen_opi(s, IR_and, G_cc_src, CC_C);
    }
    return gen_helper(s, HELPER_cc_compute_c, 4, G_cc_op, G_cc_dst, G_cc_src,
                      G_cc_src2);
}

static IRCond ir_cond_invert(IRCond c)
{
    static const IRCond inv[IR_NB_CONDS] = {
        [IR_EQ] = IR_NE,   [IR_NE] = IR_EQ,       [IR_LT] = IR_GE,
        [IR_GE] = IR_LT,   [IR_LE] = IR_GT,       [IR_GT] = IR_LE,
        [IR_LTU] = IR_GEU, [IR_GEU] = IR_LTU,     [IR_LEU] = IR_GTU,
        [IR_GTU] = IR_LEU, [IR_TSTEQ] = IR_TSTNE, [IR_TSTNE] = IR_TSTEQ,
    };
    return inv[c];
}

/* Fast forms of the even (non-negated) conditions for a known lazy op;
 * false if there is none. */
static bool gen_cond_fast(DisasContext *s, int cc, IRCond *c, IRVal *a,
                          IRVal *b)
{
    int size = 4;
    int cls = cc_class(s->cc_op, &size);
    uint32_t sign = 1u << (size * 8 - 1);

    if (cls < 0) {
        return false;
    }
    /* ZF and SF come from cc_dst for every sized op (flags.h). */
    if (cc == CC_COND_E) {
        *c = IR_EQ, *a = G_cc_dst, *b = gen_const(s, 0);
        return true;
    }
    if (cc == CC_COND_S) {
        *c = IR_TSTNE, *a = G_cc_dst, *b = gen_const(s, sign);
        return true;
    }
    if (cls == CC_OP_SUBB) {
        /* cmp/sub: src2 is the destination operand, src the source */
        static const IRCond ucond[16] = {
            [CC_COND_B] = IR_LTU,
            [CC_COND_BE] = IR_LEU,
            [CC_COND_L] = IR_LT,
            [CC_COND_LE] = IR_LE,
        };
        if (cc == CC_COND_B || cc == CC_COND_BE) {
            *c = ucond[cc], *a = G_cc_src2, *b = G_cc_src;
            return true;
        }
        if (cc == CC_COND_L || cc == CC_COND_LE) {
            *c = ucond[cc];
            *a = gen_sext(s, G_cc_src2, size);
            *b = gen_sext(s, G_cc_src, size);
            return true;
        }
    }
    if (cls == CC_OP_LOGICB) {
        /* CF = OF = 0: L is SF, LE is ZF or SF, B never, BE is ZF */
        if (cc == CC_COND_L || cc == CC_COND_LE) {
            *c = cc == CC_COND_L ? IR_LT : IR_LE;
            *a = gen_sext(s, G_cc_dst, size);
            *b = gen_const(s, 0);
            return true;
        }
        if (cc == CC_COND_BE) {
            *c = IR_EQ, *a = G_cc_dst, *b = gen_const(s, 0);
            return true;
        }
        if (cc == CC_COND_B) {
            *c = IR_NE, *a = gen_const(s, 0), *b = gen_const(s, 0);
            return true;
        }
    }
    return false;
}

void gen_cond(DisasContext *s, int cc, IRCond *c, IRVal *a, IRVal *b)
{
    int base = cc & ~1;
    IRVal f, t;

    if (!gen_cond_fast(s, base, c, a, b)) {
        f = gen_eflags_arith(s);
        *b = gen_const(s, CC_O);
        *c = IR_TSTNE;
        switch (base) {
        case CC_COND_O: *a = f; break;
        case CC_COND_B: *a = f, *b = gen_const(s, CC_C); break;
        case CC_COND_E: *a = f, *b = gen_const(s, CC_Z); break;
        case CC_COND_BE: *a = f, *b = gen_const(s, CC_C | CC_Z); break;
        case CC_COND_S: *a = f, *b = gen_const(s, CC_S); break;
        case CC_COND_P: *a = f, *b = gen_const(s, CC_P); break;
        case CC_COND_L:
            /* SF (bit 7) moved onto OF (bit 11): bit 11 = SF ^ OF */
            *a = gen_op2(s, IR_xor, f, gen_opi(s, IR_shl, f, 4));
            break;
        default: /* LE: ZF (bit 6) onto bit 11 too */
            t = gen_op2(s, IR_xor, f, gen_opi(s, IR_shl, f, 4));
            *a = gen_op2(s, IR_or, t, gen_opi(s, IR_shl, f, 5));
            break;
        }
    }
    if (cc & 1) {
        *c = ir_cond_invert(*c);
    }
}

IRVal gen_cond_value(DisasContext *s, int cc)
{
    IRCond c;
    IRVal a, b;
    gen_cond(s, cc, &c, &a, &b);
    return gen_setcond(s, c, a, b);
}

/* ------------------------------------------------------------------ */
/* control */

void gen_exit(DisasContext *s, IRVal eip, unsigned slot)
{
    uint32_t args[] = {slot};
    gen_mov(s, G_eip, eip);
    ir_emit(s->b, IR_exit_tb, args);
}

void gen_jump_const(DisasContext *s, uint32_t eip, unsigned slot)
{
    if (slot != IR_EXIT_NOCHAIN && ((s->cs_base + eip) & GUEST_PAGE_MASK) !=
                                       (s->pc_start & GUEST_PAGE_MASK)) {
        slot |= IR_EXIT_FAR;
    }
    gen_exit(s, gen_const(s, eip), slot);
}

void gen_exception(DisasContext *s, int vector)
{
    gen_helper(s, HELPER_raise, 1, gen_const(s, vector));
    s->end = DISAS_JUMP;
}

void gen_exception_err(DisasContext *s, int vector, uint32_t code)
{
    gen_helper(s, HELPER_raise_err, 2, gen_const(s, vector),
               gen_const(s, code));
    s->end = DISAS_JUMP;
}

bool gen_check_cpl0(DisasContext *s)
{
    if (s->cpl != 0) {
        gen_exception_err(s, EXCP_GP, 0);
        return false;
    }
    return true;
}

/* ------------------------------------------------------------------ */
/* dispatch */

static void gen_ud(DisasContext *s, const X86Insn *insn)
{
    gen_exception(s, EXCP_UD);
}

static const X86GenFn x86_gen_table[X86_OP_COUNT] = {
#define X86GEN(op, fn) [X86_OP_##op] = fn,
#include "translate/x86-dispatch.h"
#undef X86GEN
};

/* ------------------------------------------------------------------ */
/* the block loop */

/* Fetch the instruction at linear PC into BUF; returns its decoded length
 * or -1 (too long).  *PAGE2 gets the physical page of a second page the
 * instruction reaches into, if any. */
static int fetch_insn(CPUState *cpu, uint32_t pc, bool code32, X86Insn *insn,
                      uint32_t *page2)
{
    uint8_t buf[X86_MAX_INSN_LEN];
    unsigned in_page = GUEST_PAGE_SIZE - (pc & ~GUEST_PAGE_MASK);
    unsigned n = in_page < X86_MAX_INSN_LEN ? in_page : X86_MAX_INSN_LEN;
    int len;

    for (unsigned i = 0; i < n; i++) {
        buf[i] = mmu_fetch_byte(cpu, pc + i);
    }
    len = x86_decode(insn, buf, n, code32);
    if (len == 0) {
        /* It reaches into the next page: fetching there may fault, as it
         * does on hardware. */
        *page2 = mmu_code_paddr(cpu, pc + n) & GUEST_PAGE_MASK;
        for (unsigned i = n; i < X86_MAX_INSN_LEN; i++) {
            buf[i] = mmu_fetch_byte(cpu, pc + i);
        }
        len = x86_decode(insn, buf, X86_MAX_INSN_LEN, code32);
    }
    return len > 0 ? len : -1;
}

void x86_translate_block(CPUState *cpu, IRBlock *b, TranslationBlock *tb,
                         int max_insns, FILE *log)
{
    DisasContext ctx = {0}, *s = &ctx;
    TBInsnInfo insns[TB_MAX_INSNS];
    const SegmentCache *cs = &cpu->seg[R_CS];
    uint32_t eip = cpu->eip, end_eip = eip;
    int n = 0;

    s->cpu = cpu;
    s->b = b;
    s->flags = cpu->hflags;
    s->cs_base = cs->base;
    s->code32 = s->flags & HF_CS32;
    s->ss32 = s->flags & HF_SS32;
    s->flat = s->flags & HF_FLAT;
    s->cpl = s->flags & HF_CPL_MASK;
    s->iopl = (s->flags >> HF_IOPL_SHIFT) & 3;
    s->mmu_idx = cpu_mmu_index(cpu);
    s->cc_op = CC_OP_DYNAMIC;

    tb->pc = s->cs_base + eip;
    s->pc_start = tb->pc;
    tb->cs_base = s->cs_base;
    tb->flags = s->flags;
    tb->phys_page[0] = mmu_code_paddr(cpu, tb->pc) & GUEST_PAGE_MASK;
    tb->phys_page[1] = UINT32_MAX;
    ir_block_init(b);

    for (;;) {
        X86Insn insn;
        uint32_t pc = s->cs_base + eip, page2 = UINT32_MAX;
        int saved_nops = b->nops, saved_ntemps = b->ntemps;
        int saved_nlocals = b->nlocals, saved_nlabels = b->nlabels;
        int saved_cc_op = s->cc_op;
        int len;

        uint32_t args[] = {n, eip};
        ir_emit(b, IR_insn_start, args);
        insns[n].eip = eip;
        insns[n].cc_op = s->cc_op;

        s->eip = eip;
        s->end = DISAS_NEXT;
        s->esp_adjust = 0;
        s->next_eip = eip + 1;
        len = fetch_insn(cpu, pc, s->code32, &insn, &page2);
        s->insn = &insn;
        if (len < 0) {
            /* Longer than 15 bytes: #GP(0) (SDM Vol. 2, 2.3.11). */
            gen_exception_err(s, EXCP_GP, 0);
        } else {
            s->next_eip = eip + len;
            if (!s->code32) {
                s->next_eip &= 0xffff;
            }
            if (!s->flat && eip + len - 1 > cs->limit) {
                /* Code beyond the CS limit: #GP(0) (SDM Vol. 3A, 5.3). */
                gen_exception_err(s, EXCP_GP, 0);
            } else {
                x86_gen_table[insn.op](s, &insn);
            }
        }
        if (b->overflow) {
            /* Out of IR space: end the block before this instruction. */
            b->nops = saved_nops;
            b->ntemps = saved_ntemps;
            b->nlocals = saved_nlocals;
            b->nlabels = saved_nlabels;
            b->overflow = false;
            s->cc_op = saved_cc_op;
            gen_jump_const(s, eip, IR_EXIT_NOCHAIN);
            break;
        }
        n++;
        end_eip = s->next_eip;
        if (page2 != UINT32_MAX) {
            tb->phys_page[1] = page2;
        }
        if (s->end == DISAS_JUMP) {
            break;
        }
        eip = s->next_eip;
        if (s->end == DISAS_STOP || page2 != UINT32_MAX || n >= TB_MAX_INSNS ||
            n >= max_insns || b->nops > IR_MAX_OPS - 512 ||
            b->nlocals > CPU_NB_IR_TEMPS - 128 ||
            b->ntemps > IR_MAX_TEMPS - 128 ||
            ((s->cs_base + eip) & GUEST_PAGE_MASK) != (pc & GUEST_PAGE_MASK)) {
            gen_jump_const(s, eip, 0);
            break;
        }
    }
    tb->icount = n;
    /* Bytes covered (16-bit code may wrap at 64 KiB: count modulo). */
    tb->size = (end_eip - (tb->pc - tb->cs_base)) &
               (s->code32 ? 0xffffffffu : 0xffffu);
    if (tb->size == 0) {
        /* Only when the first instruction overflowed, which cannot happen
         * with the sizes above; keep the block well-formed anyway. */
        tb->size = 1;
    }
    tb->insns = malloc(sizeof(TBInsnInfo) * (n ? n : 1));
    if (tb->insns) {
        memcpy(tb->insns, insns, sizeof(TBInsnInfo) * (n ? n : 1));
    }
    if (log) {
        disas_log_block(cpu, tb, log);
    }
}
