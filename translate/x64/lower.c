/*
 * IR -> x86-64.  One pass over the block: each op gets its operands in
 * host registers from the allocator (regalloc.c) and becomes one or a few
 * host instructions; guest memory accesses get the softMMU fast path
 * inline and an out-of-line slow path; exits become patchable jumps
 * (chaining) or a jump-cache lookup.  Out-of-line code follows the
 * block's body.
 *
 * Register conventions: RBP = CPUState; RAX, RCX, RDX scratch; RSP 16-byte
 * aligned while block code runs (the entry trampoline arranges it).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/helper.h"
#include "memory/softmmu.h"
#include "translate/x64/lower.h"
#include "translate/x64/regalloc.h"

#define MAX_SLOW 512
#define MAX_PATCHES 512

/* An out-of-line softMMU slow path, recorded while the body is emitted. */
typedef struct SlowPath {
    bool store;
    uint8_t memop, mmu;
    int8_t addr, val, dst; /* host registers; val -1 if immediate */
    uint32_t imm;
    int insn;
    X64RegSet save; /* caller-saved registers to preserve */
    /* Dirty globals to store before the call, which may raise: the fast
     * path itself cannot fault, so only the slow path pays for precise
     * state. */
    uint8_t nsync;
    struct {
        int8_t reg;
        int32_t off;
    } sync[X64_NREGS];
    size_t jump_pos; /* the fast path's jne rel32 */
    uintptr_t join;  /* where to continue */
} SlowPath;

typedef struct Lower {
    X64Emit *e;
    RegAlloc ra;
    const IRBlock *b;
    TranslationBlock *tb;
    const X64LowerEnv *env;
    bool flat;
    bool hflags_known; /* hflags at every exit are tb->flags */
    int insn;
    SlowPath slow[MAX_SLOW];
    int nslow;
    struct {
        uint32_t label;
        size_t pos;
    } patch[MAX_PATCHES];
    int npatch;
    size_t exit_pos[2]; /* the chain jumps' rel32, X64_NOPATCH if none */
    bool exit_far[2];   /* the slot's target is on another page */
    bool failed;
} Lower;

#define ENV_OFF(field) ((int32_t)offsetof(CPUState, field))

static X64Mem env_mem(int32_t off)
{
    return x64_mem(RA_ENV, off);
}

static const X64Cond ir_to_x64_cond[IR_NB_CONDS] = {
    [IR_EQ] = X64_CC_E,  [IR_NE] = X64_CC_NE,   [IR_LT] = X64_CC_L,
    [IR_GE] = X64_CC_GE, [IR_LE] = X64_CC_LE,   [IR_GT] = X64_CC_G,
    [IR_LTU] = X64_CC_B, [IR_GEU] = X64_CC_AE,  [IR_LEU] = X64_CC_BE,
    [IR_GTU] = X64_CC_A, [IR_TSTEQ] = X64_CC_E, [IR_TSTNE] = X64_CC_NE,
};

/* Where precise state is restored from if a helper or slow path raises. */
static void lower_mark_insn(Lower *l)
{
    x64_mov_ri(l->e, 8, X64_RAX, (uintptr_t)l->tb);
    x64_mov_mr(l->e, 8, env_mem(ENV_OFF(cur_tb)), X64_RAX);
    x64_mov_mi(l->e, 4, env_mem(ENV_OFF(cur_insn)), l->insn);
}

/* ------------------------------------------------------------------ */
/* arithmetic */

/* cmp/test A, B for condition C; returns the host condition. */
static X64Cond lower_compare(Lower *l, IRCond c, IRVal a, IRVal b)
{
    X64Reg ra = ra_in(&l->ra, a);
    bool tst = c == IR_TSTEQ || c == IR_TSTNE;

    if (ra_is_const(&l->ra, b)) {
        int32_t imm = (int32_t)ra_const(&l->ra, b);
        if (tst) {
            x64_test_ri(l->e, 4, ra, imm);
        } else {
            x64_alu_ri(l->e, X64_CMP, 4, ra, imm);
        }
    } else {
        X64Reg rb = ra_in(&l->ra, b);
        if (tst) {
            x64_test_rr(l->e, 4, ra, rb);
        } else {
            x64_alu_rr(l->e, X64_CMP, 4, ra, rb);
        }
    }
    return ir_to_x64_cond[c];
}

static bool ir_commutes(IROpcode opc)
{
    return opc == IR_add || opc == IR_and || opc == IR_or || opc == IR_xor ||
           opc == IR_mul;
}

/* d = a OP b for the group-1 ALU ops and imul. */
static void lower_binop(Lower *l, const IROp *op)
{
    static const X64Alu alu[IR_NB_OPS] = {
        [IR_add] = X64_ADD, [IR_sub] = X64_SUB, [IR_and] = X64_AND,
        [IR_or] = X64_OR,   [IR_xor] = X64_XOR,
    };
    X64Emit *e = l->e;
    IRVal d = op->args[0], a = op->args[1], b = op->args[2];
    bool mul = op->opc == IR_mul;
    X64Reg ra = ra_in(&l->ra, a), rb, rd;

    if (ra_is_const(&l->ra, b)) {
        int32_t imm = (int32_t)ra_const(&l->ra, b);
        rd = ra_out(&l->ra, d);
        if (mul) {
            x64_imul_rri(e, 4, rd, ra, imm);
            return;
        }
        if (rd != ra &&
            (op->opc == IR_add || (op->opc == IR_sub && imm != INT32_MIN))) {
            /* Three-operand add: one lea instead of mov + add (no flags
             * are live between IR ops). */
            x64_lea(e, 4, rd, x64_mem(ra, op->opc == IR_add ? imm : -imm));
            return;
        }
        if (rd != ra) {
            x64_mov_rr(e, 4, rd, ra);
        }
        x64_alu_ri(e, alu[op->opc], 4, rd, imm);
        return;
    }
    rb = ra_in(&l->ra, b);
    rd = ra_out(&l->ra, d);
    if (rd == rb && rd != ra) {
        if (ir_commutes(op->opc)) {
            rb = ra;
        } else {
            x64_mov_rr(e, 4, X64_RAX, ra);
            x64_alu_rr(e, alu[op->opc], 4, X64_RAX, rb);
            x64_mov_rr(e, 4, rd, X64_RAX);
            return;
        }
    } else if (rd != ra) {
        x64_mov_rr(e, 4, rd, ra);
    }
    if (mul) {
        x64_imul_rr(e, 4, rd, rb);
    } else {
        x64_alu_rr(e, alu[op->opc], 4, rd, rb);
    }
}

static void lower_andc(Lower *l, const IROp *op)
{
    X64Reg ra = ra_in(&l->ra, op->args[1]);
    X64Reg rb = ra_in(&l->ra, op->args[2]);
    X64Reg rd;

    x64_mov_rr(l->e, 4, X64_RAX, rb);
    x64_unary_r(l->e, X64_NOT, 4, X64_RAX);
    x64_alu_rr(l->e, X64_AND, 4, X64_RAX, ra);
    rd = ra_out(&l->ra, op->args[0]);
    x64_mov_rr(l->e, 4, rd, X64_RAX);
}

static void lower_mul2(Lower *l, const IROp *op)
{
    X64Reg ra = ra_in(&l->ra, op->args[2]);
    X64Reg rb = ra_in(&l->ra, op->args[3]);
    X64Reg lo, hi;

    x64_mov_rr(l->e, 4, X64_RAX, ra);
    x64_unary_r(l->e, op->opc == IR_muls2 ? X64_IMUL1 : X64_MUL, 4, rb);
    lo = ra_out(&l->ra, op->args[0]);
    hi = ra_out(&l->ra, op->args[1]);
    x64_mov_rr(l->e, 4, lo, X64_RAX);
    x64_mov_rr(l->e, 4, hi, X64_RDX);
}

static void lower_unary(Lower *l, const IROp *op)
{
    X64Reg ra = ra_in(&l->ra, op->args[1]);
    X64Reg rd = ra_out(&l->ra, op->args[0]);

    switch (op->opc) {
    case IR_ext8u: x64_movzx_rr(l->e, 4, 1, rd, ra); return;
    case IR_ext16u: x64_movzx_rr(l->e, 4, 2, rd, ra); return;
    case IR_ext8s: x64_movsx_rr(l->e, 4, 1, rd, ra); return;
    case IR_ext16s: x64_movsx_rr(l->e, 4, 2, rd, ra); return;
    default: break;
    }
    if (rd != ra) {
        x64_mov_rr(l->e, 4, rd, ra);
    }
    switch (op->opc) {
    case IR_neg: x64_unary_r(l->e, X64_NEG, 4, rd); break;
    case IR_not: x64_unary_r(l->e, X64_NOT, 4, rd); break;
    default: x64_bswap(l->e, 4, rd); break;
    }
}

static void lower_shift(Lower *l, const IROp *op)
{
    static const X64Shift sh[IR_NB_OPS] = {
        [IR_shl] = X64_SHL,  [IR_shr] = X64_SHR,  [IR_sar] = X64_SAR,
        [IR_rotl] = X64_ROL, [IR_rotr] = X64_ROR,
    };
    X64Reg ra = ra_in(&l->ra, op->args[1]), rd;

    if (ra_is_const(&l->ra, op->args[2])) {
        uint8_t n = ra_const(&l->ra, op->args[2]) & 31;
        rd = ra_out(&l->ra, op->args[0]);
        if (rd != ra) {
            x64_mov_rr(l->e, 4, rd, ra);
        }
        if (n) {
            x64_shift_ri(l->e, sh[op->opc], 4, rd, n);
        }
        return;
    }
    /* The host masks a 32-bit shift count to 5 bits, as the IR does. */
    x64_mov_rr(l->e, 4, X64_RCX, ra_in(&l->ra, op->args[2]));
    rd = ra_out(&l->ra, op->args[0]);
    if (rd != ra) {
        x64_mov_rr(l->e, 4, rd, ra);
    }
    x64_shift_rcl(l->e, sh[op->opc], 4, rd);
}

static void lower_extract(Lower *l, const IROp *op)
{
    uint32_t pos = ir_const(op, 0), len = ir_const(op, 1);
    X64Reg ra = ra_in(&l->ra, op->args[1]);
    X64Reg rd = ra_out(&l->ra, op->args[0]);

    if (pos == 0 && (len == 8 || len == 16)) {
        x64_movzx_rr(l->e, 4, len / 8, rd, ra);
        return;
    }
    if (rd != ra) {
        x64_mov_rr(l->e, 4, rd, ra);
    }
    if (pos & 31) {
        x64_shift_ri(l->e, X64_SHR, 4, rd, pos & 31);
    }
    if (len < 32 && pos + len < 32) {
        x64_alu_ri(l->e, X64_AND, 4, rd, (int32_t)((1u << len) - 1));
    }
}

static void lower_deposit(Lower *l, const IROp *op)
{
    uint32_t pos = ir_const(op, 0), len = ir_const(op, 1);
    X64Reg ra = ra_in(&l->ra, op->args[1]);
    X64Reg rb = ra_in(&l->ra, op->args[2]);
    X64Reg rd;
    uint32_t mask = (len >= 32 ? ~0u : (1u << len) - 1) << pos;

    if (pos == 0 && (len == 8 || len == 16)) {
        /* A partial-register move keeps the other bits. */
        x64_mov_rr(l->e, 4, X64_RAX, ra);
        x64_mov_rr(l->e, len / 8, X64_RAX, rb);
        rd = ra_out(&l->ra, op->args[0]);
        x64_mov_rr(l->e, 4, rd, X64_RAX);
        return;
    }
    x64_mov_rr(l->e, 4, X64_RAX, rb);
    if (pos) {
        x64_shift_ri(l->e, X64_SHL, 4, X64_RAX, pos);
    }
    x64_mov_ri(l->e, 4, X64_RCX, mask);
    x64_alu_rr(l->e, X64_AND, 4, X64_RAX, X64_RCX);
    x64_unary_r(l->e, X64_NOT, 4, X64_RCX);
    x64_alu_rr(l->e, X64_AND, 4, X64_RCX, ra);
    x64_alu_rr(l->e, X64_OR, 4, X64_RAX, X64_RCX);
    rd = ra_out(&l->ra, op->args[0]);
    x64_mov_rr(l->e, 4, rd, X64_RAX);
}

static void lower_setcond(Lower *l, const IROp *op)
{
    X64Cond cc = lower_compare(l, ir_const(op, 0), op->args[1], op->args[2]);
    X64Reg rd;

    x64_setcc(l->e, cc, X64_RAX);
    rd = ra_out(&l->ra, op->args[0]);
    x64_movzx_rr(l->e, 4, 1, rd, X64_RAX);
}

static void lower_movcond(Lower *l, const IROp *op)
{
    X64Reg rt = ra_in(&l->ra, op->args[3]);
    X64Reg rf = ra_in(&l->ra, op->args[4]);
    X64Cond cc = lower_compare(l, ir_const(op, 0), op->args[1], op->args[2]);
    X64Reg rd;

    x64_mov_rr(l->e, 4, X64_RAX, rf);
    x64_cmov(l->e, cc, 4, X64_RAX, rt);
    rd = ra_out(&l->ra, op->args[0]);
    x64_mov_rr(l->e, 4, rd, X64_RAX);
}

static void lower_mov(Lower *l, const IROp *op)
{
    IRVal d = op->args[0], a = op->args[1];
    X64Reg rd;

    if (ra_is_const(&l->ra, a)) {
        if (l->b->temps[d].kind == IR_TEMP_GLOBAL) {
            /* Guest state set to a constant (eip, cc_op...): store it
             * at once; it is rarely read again in the block. */
            ra_forget(&l->ra, d);
            x64_mov_mi(l->e, 4, ra_home(&l->ra, d),
                       (int32_t)ra_const(&l->ra, a));
            return;
        }
        rd = ra_out(&l->ra, d);
        x64_mov_ri(l->e, 4, rd, ra_const(&l->ra, a));
        return;
    }
    X64Reg ra = ra_in(&l->ra, a);
    if (a != d && ra_dies(&l->ra, a)) {
        /* The source dies here: its register becomes the destination's,
         * no code. */
        ra_rename(&l->ra, d, a);
        return;
    }
    rd = ra_out(&l->ra, d);
    if (rd != ra) {
        x64_mov_rr(l->e, 4, rd, ra);
    }
}

/* ------------------------------------------------------------------ */
/* control flow inside the block */

static void lower_branch_to(Lower *l, uint32_t label, size_t pos)
{
    if (l->npatch >= MAX_PATCHES) {
        l->failed = true;
        return;
    }
    l->patch[l->npatch].label = label;
    l->patch[l->npatch].pos = pos;
    l->npatch++;
}

static void lower_brcond(Lower *l, const IROp *op)
{
    IRCond c = ir_const(op, 0);
    bool tst = c == IR_TSTEQ || c == IR_TSTNE;
    IRVal a = op->args[0], b = op->args[1];
    bool bimm = ra_is_const(&l->ra, b);

    /* Operands to scratch registers, then everything to memory (the
     * label's code expects that), then compare and branch. */
    x64_mov_rr(l->e, 4, X64_RAX, ra_in(&l->ra, a));
    if (!bimm) {
        x64_mov_rr(l->e, 4, X64_RCX, ra_in(&l->ra, b));
    }
    ra_release_dying(&l->ra, op);
    ra_flush(&l->ra);
    if (bimm) {
        int32_t imm = (int32_t)ra_const(&l->ra, b);
        if (tst) {
            x64_test_ri(l->e, 4, X64_RAX, imm);
        } else {
            x64_alu_ri(l->e, X64_CMP, 4, X64_RAX, imm);
        }
    } else if (tst) {
        x64_test_rr(l->e, 4, X64_RAX, X64_RCX);
    } else {
        x64_alu_rr(l->e, X64_CMP, 4, X64_RAX, X64_RCX);
    }
    lower_branch_to(l, ir_const(op, 1), x64_jcc_fwd(l->e, ir_to_x64_cond[c]));
}

static void lower_label(Lower *l, uint32_t label)
{
    ra_flush(&l->ra);
    for (int i = 0; i < l->npatch; i++) {
        if (l->patch[i].label == label) {
            x64_patch_here(l->e, l->patch[i].pos);
            l->patch[i] = l->patch[--l->npatch];
            i--;
        }
    }
}

/* ------------------------------------------------------------------ */
/* guest memory */

#define TLB_ENTRY_SHIFT 5 /* sizeof(TLBEntry) == 32 */

/* The inline TLB lookup (DESIGN.md, "Memory"): leaves the entry's offset
 * from the TLB table in RAX and jumps to a slow path on a miss; returns
 * the jne's patch position. */
static size_t lower_tlb_lookup(Lower *l, X64Reg addr, unsigned size, int mmu,
                               bool store)
{
    X64Emit *e = l->e;
    int32_t table = ENV_OFF(tlb.table) +
                    mmu * (int32_t)sizeof(TLBEntry) * (int32_t)TLB_SIZE;
    int32_t tag = store ? (int32_t)offsetof(TLBEntry, addr_write)
                        : (int32_t)offsetof(TLBEntry, addr_read);

    /* The entry's offset: page number mod TLB_SIZE, times the entry
     * size.  A rotate leaves the same bits under the mask as a shift,
     * and rorx needs no copy of the address first. */
    if (l->env->bmi2) {
        x64_rorx(e, 4, X64_RAX, addr, GUEST_PAGE_BITS - TLB_ENTRY_SHIFT);
    } else {
        x64_mov_rr(e, 4, X64_RAX, addr);
        x64_shift_ri(e, X64_SHR, 4, X64_RAX, GUEST_PAGE_BITS - TLB_ENTRY_SHIFT);
    }
    x64_alu_ri(e, X64_AND, 4, X64_RAX,
               (int32_t)((TLB_SIZE - 1) << TLB_ENTRY_SHIFT));
    /* The tag of the access's last byte: a page-crossing access misses. */
    if (size == 1) {
        x64_mov_rr(e, 4, X64_RCX, addr);
    } else {
        x64_lea(e, 4, X64_RCX, x64_mem(addr, (int32_t)size - 1));
    }
    x64_alu_ri(e, X64_AND, 4, X64_RCX, (int32_t)GUEST_PAGE_MASK);
    x64_alu_rm(e, X64_CMP, 4, X64_RCX,
               x64_mem_index(RA_ENV, X64_RAX, 1, table + tag));
    size_t pos = x64_jcc_fwd(e, X64_CC_NE);
    x64_mov_rm(e, 8, X64_RAX,
               x64_mem_index(RA_ENV, X64_RAX, 1,
                             table + (int32_t)offsetof(TLBEntry, addend)));
    return pos;
}

/* The dirty globals the slow path must store (all but EXCEPT, the
 * load's own destination, written after the access). */
static void lower_record_sync(Lower *l, SlowPath *sp, X64Reg except)
{
    sp->nsync = 0;
    for (int r = 0; r < X64_NREGS; r++) {
        int t = l->ra.owner[r];
        if (t >= 0 && r != except && l->b->temps[t].kind == IR_TEMP_GLOBAL &&
            l->ra.t[t].dirty) {
            sp->sync[sp->nsync].reg = r;
            sp->sync[sp->nsync].off = (int32_t)l->b->temps[t].val;
            sp->nsync++;
        }
    }
}

static SlowPath *lower_new_slow(Lower *l)
{
    if (l->nslow >= MAX_SLOW) {
        l->failed = true;
        return &l->slow[0];
    }
    return &l->slow[l->nslow++];
}

static void lower_ld(Lower *l, const IROp *op)
{
    uint32_t memop = ir_const(op, 0), mmu = ir_const(op, 1);
    unsigned size = 1u << (memop & IR_MO_SIZE);
    X64Reg addr = ra_in(&l->ra, op->args[1]);
    X64Reg rd;
    SlowPath *sp;
    size_t pos;

    rd = ra_out(&l->ra, op->args[0]);
    pos = lower_tlb_lookup(l, addr, size, mmu, false);
    X64Mem host = x64_mem_index(X64_RAX, addr, 1, 0);
    if (size == 4) {
        x64_mov_rm(l->e, 4, rd, host);
    } else if (memop & IR_MO_SIGN) {
        x64_movsx_rm(l->e, 4, size, rd, host);
    } else {
        x64_movzx_rm(l->e, 4, size, rd, host);
    }
    sp = lower_new_slow(l);
    *sp = (SlowPath){.store = false,
                     .memop = memop,
                     .mmu = mmu,
                     .addr = addr,
                     .val = -1,
                     .dst = rd,
                     .insn = l->insn,
                     .jump_pos = pos,
                     .join = x64_here(l->e)};
    sp->save = ra_live_regs(&l->ra, X64_CALLER_SAVED & RA_ALLOCATABLE) &
               ~X64_REGBIT(rd);
    lower_record_sync(l, sp, rd);
}

static void lower_st(Lower *l, const IROp *op)
{
    uint32_t memop = ir_const(op, 0), mmu = ir_const(op, 1);
    unsigned size = 1u << (memop & IR_MO_SIZE);
    X64Reg addr = ra_in(&l->ra, op->args[0]);
    bool vimm = ra_is_const(&l->ra, op->args[1]);
    X64Reg val = vimm ? X64_NOREG : ra_in(&l->ra, op->args[1]);
    uint32_t imm = vimm ? ra_const(&l->ra, op->args[1]) : 0;
    SlowPath *sp;
    size_t pos;

    pos = lower_tlb_lookup(l, addr, size, mmu, true);
    X64Mem host = x64_mem_index(X64_RAX, addr, 1, 0);
    if (vimm) {
        x64_mov_mi(l->e, size, host, (int32_t)imm);
    } else {
        x64_mov_mr(l->e, size, host, val);
    }
    sp = lower_new_slow(l);
    *sp = (SlowPath){.store = true,
                     .memop = memop,
                     .mmu = mmu,
                     .addr = addr,
                     .val = val,
                     .imm = imm,
                     .dst = -1,
                     .insn = l->insn,
                     .jump_pos = pos,
                     .join = x64_here(l->e)};
    sp->save = ra_live_regs(&l->ra, X64_CALLER_SAVED & RA_ALLOCATABLE);
    lower_record_sync(l, sp, X64_NOREG);
}

/* Push the registers in SAVE, keeping RSP 16-byte aligned; returns the
 * number of bytes to pop. */
static int lower_save(X64Emit *e, X64RegSet save)
{
    int n = 0;
    for (int r = 0; r < X64_NREGS; r++) {
        if (save & X64_REGBIT(r)) {
            x64_push_r(e, r);
            n++;
        }
    }
    if (n & 1) {
        x64_alu_ri(e, X64_SUB, 8, X64_RSP, 8);
    }
    return n;
}

static void lower_restore(X64Emit *e, X64RegSet save, int n)
{
    if (n & 1) {
        x64_alu_ri(e, X64_ADD, 8, X64_RSP, 8);
    }
    for (int r = X64_NREGS - 1; r >= 0; r--) {
        if (save & X64_REGBIT(r)) {
            x64_pop_r(e, r);
        }
    }
}

static void lower_slow_path(Lower *l, const SlowPath *sp)
{
    X64Emit *e = l->e;
    unsigned size = 1u << (sp->memop & IR_MO_SIZE);
    int n;

    x64_patch_here(e, sp->jump_pos);
    l->insn = sp->insn;
    lower_mark_insn(l);
    for (int i = 0; i < sp->nsync; i++) {
        x64_mov_mr(e, 4, env_mem(sp->sync[i].off), sp->sync[i].reg);
    }
    n = lower_save(e, sp->save);
    /* Arguments (env, vaddr, [value,] size, mmu): ESI first, since the
     * address may sit in a register the later arguments use. */
    if (sp->store) {
        if (sp->val >= 0) {
            x64_mov_rr(e, 4, X64_RAX, sp->val);
        } else {
            x64_mov_ri(e, 4, X64_RAX, sp->imm);
        }
        x64_mov_rr(e, 4, X64_RSI, sp->addr);
        x64_mov_rr(e, 4, X64_RDX, X64_RAX);
        x64_mov_ri(e, 4, X64_RCX, size);
        x64_mov_ri(e, 4, X64_R8, sp->mmu);
        x64_mov_rr(e, 8, X64_RDI, RA_ENV);
        x64_call_via(e, (uintptr_t)mmu_store_slow, X64_RAX);
    } else {
        x64_mov_rr(e, 4, X64_RSI, sp->addr);
        x64_mov_ri(e, 4, X64_RDX, size);
        x64_mov_ri(e, 4, X64_RCX, sp->mmu);
        x64_mov_rr(e, 8, X64_RDI, RA_ENV);
        x64_call_via(e, (uintptr_t)mmu_load_slow, X64_RAX);
    }
    lower_restore(e, sp->save, n);
    if (!sp->store) {
        if ((sp->memop & IR_MO_SIGN) && size < 4) {
            x64_movsx_rr(e, 4, size, sp->dst, X64_RAX);
        } else {
            x64_mov_rr(e, 4, sp->dst, X64_RAX);
        }
    }
    if (!x64_jmp(e, sp->join)) {
        l->failed = true;
    }
}

/* ------------------------------------------------------------------ */
/* helper calls */

static void lower_call(Lower *l, const IROp *op)
{
    int id = ir_const(op, 0);
    const HelperInfo *h = &helper_table[id];
    X64Emit *e = l->e;

    if (h->flags & HLP_RAISE) {
        lower_mark_insn(l);
    }
    if (!(h->flags & HLP_PURE)) {
        ra_sync_globals(&l->ra);
    }
    /* Caller-saved registers do not survive the call: their values go
     * home first, so the arguments can be loaded in any order. */
    ra_spill(&l->ra, X64_CALLER_SAVED & RA_ALLOCATABLE);
    for (int i = 0; i < op->nin; i++) {
        IRVal t = op->args[op->nout + i];
        X64Reg dst = x64_arg_reg(i + 1);
        if (ra_is_const(&l->ra, t)) {
            x64_mov_ri(e, 4, dst, ra_const(&l->ra, t));
        } else if (l->ra.t[t].reg >= 0) {
            x64_mov_rr(e, 4, dst, l->ra.t[t].reg);
        } else {
            x64_mov_rm(e, 4, dst, ra_home(&l->ra, t));
        }
    }
    x64_mov_rr(e, 8, X64_RDI, RA_ENV);
    x64_call_via(e, (uintptr_t)h->func, X64_RAX);
    if ((h->flags & HLP_RW) == HLP_RW) {
        ra_drop_globals(&l->ra);
    }
    if (op->nout) {
        X64Reg rd = ra_out(&l->ra, op->args[0]);
        x64_mov_rr(e, 4, rd, X64_RAX);
    }
}

/* ------------------------------------------------------------------ */
/* exits */

/* Indirect exits look the next block up in the jump cache and jump to it
 * directly on a hit (DESIGN.md, "Chaining"). */
static void lower_jump_cache(Lower *l, uintptr_t miss_value)
{
    X64Emit *e = l->e;
    int32_t jc = ENV_OFF(jmp_cache);
    size_t miss[3];
    int nmiss;

    x64_mov_rm(e, 4, X64_RAX, env_mem(ENV_OFF(eip)));
    if (!l->flat) {
        x64_alu_rm(e, X64_ADD, 4, X64_RAX, env_mem(ENV_OFF(seg[R_CS].base)));
    }
    x64_mov_rr(e, 4, X64_RCX, X64_RAX);
    x64_alu_ri(e, X64_AND, 4, X64_RCX, JMP_CACHE_SIZE - 1);
    x64_shift_ri(e, X64_SHL, 4, X64_RCX, 5);
    x64_alu_rm(e, X64_CMP, 4, X64_RAX,
               x64_mem_index(RA_ENV, X64_RCX, 1,
                             jc + (int32_t)offsetof(JmpCacheEntry, pc)));
    miss[0] = x64_jcc_fwd(e, X64_CC_NE);
    /* With the mode bits known, they are a constant; and flat ones say
     * CS base is 0 in the block found as in the running one. */
    if (l->hflags_known) {
        x64_alu_mi(e, X64_CMP, 4,
                   x64_mem_index(RA_ENV, X64_RCX, 1,
                                 jc + (int32_t)offsetof(JmpCacheEntry, flags)),
                   (int32_t)l->tb->flags);
    } else {
        x64_mov_rm(e, 4, X64_RDX, env_mem(ENV_OFF(hflags)));
        x64_alu_rm(e, X64_CMP, 4, X64_RDX,
                   x64_mem_index(RA_ENV, X64_RCX, 1,
                                 jc + (int32_t)offsetof(JmpCacheEntry, flags)));
    }
    miss[1] = x64_jcc_fwd(e, X64_CC_NE);
    nmiss = 2;
    if (!l->hflags_known || !(l->tb->flags & HF_FLAT)) {
        x64_mov_rm(e, 4, X64_RDX, env_mem(ENV_OFF(seg[R_CS].base)));
        x64_alu_rm(
            e, X64_CMP, 4, X64_RDX,
            x64_mem_index(RA_ENV, X64_RCX, 1,
                          jc + (int32_t)offsetof(JmpCacheEntry, cs_base)));
        miss[nmiss++] = x64_jcc_fwd(e, X64_CC_NE);
    }
    x64_jmp_m(e, x64_mem_index(RA_ENV, X64_RCX, 1,
                               jc + (int32_t)offsetof(JmpCacheEntry, code)));
    for (int i = 0; i < nmiss; i++) {
        x64_patch_here(e, miss[i]);
    }
    x64_mov_ri(e, 8, X64_RAX, miss_value);
    if (!x64_jmp(e, l->env->epilogue)) {
        l->failed = true;
    }
}

static void lower_exit(Lower *l, const IROp *op)
{
    unsigned slot = IR_EXIT_SLOT(ir_const(op, 0));

    ra_sync_globals(&l->ra);
    if (slot < 2 && l->exit_pos[slot] == X64_NOPATCH) {
        x64_align_for_patch(l->e);
        l->exit_pos[slot] = x64_jmp_fwd(l->e);
        l->exit_far[slot] = ir_const(op, 0) & IR_EXIT_FAR;
    } else {
        lower_jump_cache(l, 0);
    }
}

/* ------------------------------------------------------------------ */

static void lower_op(Lower *l, const IROp *op)
{
    switch ((IROpcode)op->opc) {
    case IR_mov: lower_mov(l, op); break;
    case IR_movi:
        x64_mov_ri(l->e, 4, ra_out(&l->ra, op->args[0]), ir_const(op, 0));
        break;
    case IR_add:
    case IR_sub:
    case IR_and:
    case IR_or:
    case IR_xor:
    case IR_mul: lower_binop(l, op); break;
    case IR_andc: lower_andc(l, op); break;
    case IR_mulu2:
    case IR_muls2: lower_mul2(l, op); break;
    case IR_neg:
    case IR_not:
    case IR_bswap:
    case IR_ext8s:
    case IR_ext8u:
    case IR_ext16s:
    case IR_ext16u: lower_unary(l, op); break;
    case IR_shl:
    case IR_shr:
    case IR_sar:
    case IR_rotl:
    case IR_rotr: lower_shift(l, op); break;
    case IR_extract: lower_extract(l, op); break;
    case IR_deposit: lower_deposit(l, op); break;
    case IR_setcond: lower_setcond(l, op); break;
    case IR_movcond: lower_movcond(l, op); break;
    case IR_brcond: lower_brcond(l, op); break;
    case IR_br:
        ra_flush(&l->ra);
        lower_branch_to(l, ir_const(op, 0), x64_jmp_fwd(l->e));
        break;
    case IR_label: lower_label(l, ir_const(op, 0)); break;
    case IR_ld: lower_ld(l, op); break;
    case IR_st: lower_st(l, op); break;
    case IR_call: lower_call(l, op); break;
    case IR_insn_start: l->insn = ir_const(op, 0); break;
    case IR_exit_tb: lower_exit(l, op); break;
    case IR_NB_OPS: break;
    }
}

size_t x64_lower_scratch_size(void)
{
    return sizeof(Lower);
}

bool x64_lower_block(X64Emit *e, const IRBlock *b, TranslationBlock *tb,
                     const X64LowerEnv *env, void *scratch)
{
    /* Reused from block to block: only the counters are reset (the
     * arrays are filled before they are read). */
    Lower *l = scratch;
    size_t budget_exit;
    bool ok;

    l->nslow = 0;
    l->npatch = 0;
    l->insn = 0;
    l->failed = false;
    l->e = e;
    l->b = b;
    l->tb = tb;
    l->env = env;
    l->flat = tb->flags & HF_FLAT;
    /* Only helpers that may write CPU state can change the mode bits
     * (segment loads, far transfers, popf, control registers...); in a
     * block without them, hflags at every exit is the block's own. */
    l->hflags_known = true;
    for (int i = 0; i < b->nops; i++) {
        if (b->ops[i].opc == IR_call &&
            (helper_table[ir_const(&b->ops[i], 0)].flags & HLP_RW) == HLP_RW) {
            l->hflags_known = false;
        }
    }
    l->exit_pos[0] = l->exit_pos[1] = X64_NOPATCH;
    ra_init(&l->ra, e, b);

    /* Entry: charge the block's instructions, unless the budget is too
     * small or a request is pending: then the run word minus the count is
     * negative (cpu/cpu.h).  Only the low half is stored back, so a
     * request another thread posts meanwhile stays (DESIGN.md, "Budget"). */
    tb->jit_code = x64_here(e);
    x64_mov_rm(e, 8, X64_RAX, env_mem(ENV_OFF(run_word)));
    x64_alu_ri(e, X64_SUB, 8, X64_RAX, (int32_t)tb->icount);
    budget_exit = x64_jcc_fwd(e, X64_CC_S);
    x64_mov_mr(e, 4, env_mem(ENV_OFF(budget)), X64_RAX);

    for (int i = 0; i < b->nops && !l->failed; i++) {
        ra_begin_op(&l->ra, i);
        lower_op(l, &b->ops[i]);
        ra_end_op(&l->ra, &b->ops[i]);
    }

    /* Out-of-line code. */
    for (int i = 0; i < l->nslow; i++) {
        lower_slow_path(l, &l->slow[i]);
    }
    x64_patch_here(e, budget_exit);
    x64_mov_ri(e, 4, X64_RAX, 0);
    if (!x64_jmp(e, env->epilogue)) {
        l->failed = true;
    }
    for (int slot = 0; slot < 2; slot++) {
        tb->jmp_rel32_rw[slot] = NULL;
        if (l->exit_pos[slot] == X64_NOPATCH) {
            continue;
        }
        tb->jmp_rel32_rw[slot] = e->buf + l->exit_pos[slot];
        tb->jmp_rel32_rx[slot] = e->base + l->exit_pos[slot];
        tb->jmp_stub[slot] = x64_here(e);
        x64_patch_here(e, l->exit_pos[slot]);
        if (l->exit_far[slot]) {
            /* Another page: never chained, found in the jump cache. */
            lower_jump_cache(l, 0);
        } else {
            /* Back to the loop, which chains this exit. */
            x64_mov_ri(e, 8, X64_RAX, (uintptr_t)tb | slot);
            if (!x64_jmp(e, env->epilogue)) {
                l->failed = true;
            }
        }
    }
    ok = !l->failed && !e->overflow && l->npatch == 0;
    return ok;
}
