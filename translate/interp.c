/*
 * The IR interpreter backend.
 *
 * A block's IR is compiled once into InterpOps whose operands are pointers:
 * globals point into CPUState, locals into cpu->ir_temps, constants into
 * the code's own pool.  Execution is one switch per op.  Guest memory goes
 * through the same TLB fast path the JIT inlines.
 */
#include <stdlib.h>
#include <string.h>

#include "cpu/helper.h"
#include "memory/host-access.h"
#include "memory/softmmu.h"
#include "translate/interp.h"
#include "translate/tb.h"

#define INTERP_MAX_OPERANDS 6

typedef struct InterpOp {
    uint16_t opc;
    uint8_t nin;
    uint8_t nout;
    uint32_t c[2]; /* constants; branch labels resolved to op indices */
    uint32_t *a[INTERP_MAX_OPERANDS]; /* outputs then inputs */
} InterpOp;

struct InterpCode {
    int nops;
    InterpOp *ops;
    uint32_t *consts;
};

void interp_code_free(InterpCode *code)
{
    if (code) {
        free(code->ops);
        free(code->consts);
        free(code);
    }
}

InterpCode *interp_compile(const IRBlock *b, CPUState *cpu, size_t *bytes)
{
    InterpCode *code = calloc(1, sizeof(*code));
    uint32_t label_pos[IR_MAX_LABELS];
    int nconsts = 0;

    if (!code) {
        return NULL;
    }
    code->ops = calloc(b->nops ? b->nops : 1, sizeof(InterpOp));
    code->consts = calloc(b->ntemps, sizeof(uint32_t));
    if (!code->ops || !code->consts) {
        interp_code_free(code);
        return NULL;
    }
    /* Constants: one pool slot per constant temp, indexed by temp. */
    for (int t = 0; t < b->ntemps; t++) {
        if (b->temps[t].kind == IR_TEMP_CONST) {
            code->consts[t] = b->temps[t].val;
            nconsts++;
        }
    }
    /* Labels are dropped; remember where each lands. */
    int n = 0;
    for (int i = 0; i < b->nops; i++) {
        if (b->ops[i].opc == IR_label) {
            label_pos[ir_const(&b->ops[i], 0)] = n;
        } else {
            n++;
        }
    }
    n = 0;
    for (int i = 0; i < b->nops; i++) {
        const IROp *op = &b->ops[i];
        InterpOp *io;
        int nconst;

        if (op->opc == IR_label) {
            continue;
        }
        io = &code->ops[n++];
        io->opc = op->opc;
        io->nin = op->nin;
        io->nout = op->nout;
        nconst = op->opc == IR_call ? 1 : ir_op_defs[op->opc].nconst;
        for (int k = 0; k < op->nout + op->nin && k < INTERP_MAX_OPERANDS;
             k++) {
            const IRTemp *t = &b->temps[op->args[k]];
            switch (t->kind) {
            case IR_TEMP_GLOBAL:
                io->a[k] = (uint32_t *)((char *)cpu + t->val);
                break;
            case IR_TEMP_LOCAL: io->a[k] = &cpu->ir_temps[t->val]; break;
            default: io->a[k] = &code->consts[op->args[k]]; break;
            }
        }
        for (int k = 0; k < nconst && k < 2; k++) {
            io->c[k] = ir_const(op, k);
        }
        if (op->opc == IR_br) {
            io->c[0] = label_pos[io->c[0]];
        } else if (op->opc == IR_brcond) {
            io->c[1] = label_pos[io->c[1]];
        }
    }
    code->nops = n;
    *bytes =
        sizeof(*code) + n * sizeof(InterpOp) + b->ntemps * sizeof(uint32_t);
    (void)nconsts;
    return code;
}

static inline uint32_t interp_load(CPUState *cpu, uint32_t addr, uint32_t memop,
                                   uint32_t mmu)
{
    unsigned size = 1u << (memop & IR_MO_SIZE);
    const TLBEntry *e =
        &cpu->tlb.table[mmu][(addr >> GUEST_PAGE_BITS) & (TLB_SIZE - 1)];
    uint32_t v;

    if (__builtin_expect(((addr + size - 1) & GUEST_PAGE_MASK) == e->addr_read,
                         1)) {
        v = host_ld_le((const uint8_t *)(uintptr_t)(addr + e->addend), size);
    } else {
        v = mmu_load_slow(cpu, addr, size, mmu);
    }
    if (memop & IR_MO_SIGN) {
        v = size == 1   ? (uint32_t)(int8_t)v
            : size == 2 ? (uint32_t)(int16_t)v
                        : v;
    }
    return v;
}

static inline void interp_store(CPUState *cpu, uint32_t addr, uint32_t v,
                                uint32_t memop, uint32_t mmu)
{
    unsigned size = 1u << (memop & IR_MO_SIZE);
    const TLBEntry *e =
        &cpu->tlb.table[mmu][(addr >> GUEST_PAGE_BITS) & (TLB_SIZE - 1)];

    if (__builtin_expect(((addr + size - 1) & GUEST_PAGE_MASK) == e->addr_write,
                         1)) {
        host_st_le((uint8_t *)(uintptr_t)(addr + e->addend), v, size);
    } else {
        mmu_store_slow(cpu, addr, v, size, mmu);
    }
}

static inline uint32_t interp_deposit(uint32_t a, uint32_t b, uint32_t pos,
                                      uint32_t len)
{
    uint32_t mask = (len >= 32 ? ~0u : ((1u << len) - 1)) << pos;
    return (a & ~mask) | ((b << pos) & mask);
}

unsigned interp_exec(CPUState *cpu, const TranslationBlock *tb)
{
    const InterpOp *ops = tb->interp->ops;
    const int nops = tb->interp->nops;

    for (int pc = 0; pc < nops;) {
        const InterpOp *o = &ops[pc++];
        uint32_t *const *a = o->a;

        switch ((IROpcode)o->opc) {
        case IR_mov: *a[0] = *a[1]; break;
        case IR_movi: *a[0] = o->c[0]; break;
        case IR_add: *a[0] = *a[1] + *a[2]; break;
        case IR_sub: *a[0] = *a[1] - *a[2]; break;
        case IR_mul: *a[0] = *a[1] * *a[2]; break;
        case IR_mulu2: {
            uint64_t r = (uint64_t)*a[2] * *a[3];
            *a[0] = (uint32_t)r;
            *a[1] = (uint32_t)(r >> 32);
            break;
        }
        case IR_muls2: {
            int64_t r = (int64_t)(int32_t)*a[2] * (int32_t)*a[3];
            *a[0] = (uint32_t)r;
            *a[1] = (uint32_t)((uint64_t)r >> 32);
            break;
        }
        case IR_and: *a[0] = *a[1] & *a[2]; break;
        case IR_or: *a[0] = *a[1] | *a[2]; break;
        case IR_xor: *a[0] = *a[1] ^ *a[2]; break;
        case IR_andc: *a[0] = *a[1] & ~*a[2]; break;
        case IR_neg: *a[0] = -*a[1]; break;
        case IR_not: *a[0] = ~*a[1]; break;
        case IR_shl: *a[0] = *a[1] << (*a[2] & 31); break;
        case IR_shr: *a[0] = *a[1] >> (*a[2] & 31); break;
        case IR_sar: *a[0] = (uint32_t)((int32_t)*a[1] >> (*a[2] & 31)); break;
        case IR_rotl: {
            uint32_t v = *a[1], n = *a[2] & 31;
            *a[0] = n ? (v << n) | (v >> (32 - n)) : v;
            break;
        }
        case IR_rotr: {
            uint32_t v = *a[1], n = *a[2] & 31;
            *a[0] = n ? (v >> n) | (v << (32 - n)) : v;
            break;
        }
        case IR_ext8s: *a[0] = (uint32_t)(int8_t)*a[1]; break;
        case IR_ext8u: *a[0] = (uint8_t)*a[1]; break;
        case IR_ext16s: *a[0] = (uint32_t)(int16_t)*a[1]; break;
        case IR_ext16u: *a[0] = (uint16_t)*a[1]; break;
        case IR_extract: {
            uint32_t len = o->c[1];
            uint32_t v = *a[1] >> (o->c[0] & 31);
            *a[0] = len >= 32 ? v : v & ((1u << len) - 1);
            break;
        }
        case IR_deposit:
            *a[0] = interp_deposit(*a[1], *a[2], o->c[0], o->c[1]);
            break;
        case IR_bswap: *a[0] = __builtin_bswap32(*a[1]); break;
        case IR_setcond: *a[0] = ir_eval_cond(o->c[0], *a[1], *a[2]); break;
        case IR_movcond:
            *a[0] = ir_eval_cond(o->c[0], *a[1], *a[2]) ? *a[3] : *a[4];
            break;
        case IR_brcond:
            if (ir_eval_cond(o->c[0], *a[0], *a[1])) {
                pc = o->c[1];
            }
            break;
        case IR_br: pc = o->c[0]; break;
        case IR_ld: *a[0] = interp_load(cpu, *a[1], o->c[0], o->c[1]); break;
        case IR_st: interp_store(cpu, *a[0], *a[1], o->c[0], o->c[1]); break;
        case IR_call: {
            uint32_t r = helper_call_ffi(cpu, o->c[0], a + o->nout);
            if (o->nout) {
                *a[0] = r;
            }
            break;
        }
        case IR_insn_start: cpu->cur_insn = o->c[0]; break;
        case IR_exit_tb: return IR_EXIT_SLOT(o->c[0]);
        case IR_label:
        case IR_NB_OPS: break;
        }
    }
    return IR_EXIT_NOCHAIN;
}
