/*
 * Constant folding and copy propagation, one forward walk over the block.
 *
 * The facts are equivalence classes of temps that hold the same value:
 * rep[t] is the representative of t's class (rep[rep[t]] == rep[t]).  A
 * class that holds a constant temp has it as representative, so "t is the
 * constant c" is just "rep[t] is a constant temp".  Every input is
 * replaced by its representative; an op whose value is known becomes a mov
 * from a constant or from a temp, and a mov into a temp that already holds
 * the value disappears (the redundant guest-register store).
 *
 * Writing a temp takes it out of its class.  A call of a helper that may
 * write CPU state takes every global out of its class (rule 2).  Facts
 * flow along forward branches: each label keeps the meet of the facts at
 * the branches to it (and at its fallthrough), which is the partition
 * whose classes are the pairwise intersections of the incoming classes.
 */
#include <stdlib.h>

#include "translate/opt-internal.h"

typedef struct OptFold {
    IRBlock *b;
    uint16_t rep[IR_MAX_TEMPS];
    uint16_t nmemb[IR_MAX_TEMPS]; /* members besides itself, for a rep */
    uint16_t *lab_rep;            /* nlabels rows of IR_MAX_TEMPS */
    bool lab_seen[IR_MAX_LABELS];
    /* scratch for opt_meet */
    int16_t first[IR_MAX_TEMPS];
    int16_t next[IR_MAX_TEMPS];
    uint16_t res[IR_MAX_TEMPS];
} OptFold;

static bool opt_known(const OptFold *f, uint32_t t, uint32_t *val)
{
    uint32_t r = f->rep[t];

    if (opt_is_const(f->b, r)) {
        *val = f->b->temps[r].val;
        return true;
    }
    return false;
}

static void opt_count_members(OptFold *f)
{
    memset(f->nmemb, 0, sizeof(f->nmemb));
    for (int t = 0; t < f->b->ntemps; t++) {
        if (f->rep[t] != t) {
            f->nmemb[f->rep[t]]++;
        }
    }
}

/* T is about to be written: take it out of its class.  When T was the
 * representative, the lowest-numbered other member (a global when there
 * is one: they are read most) takes over. */
static void opt_forget(OptFold *f, uint32_t t)
{
    uint32_t r = f->rep[t];
    int nr = -1;

    if (r != t) {
        f->nmemb[r]--;
        f->rep[t] = t;
        return;
    }
    if (!f->nmemb[t]) {
        return;
    }
    for (int u = 0; u < f->b->ntemps; u++) {
        if (u == (int)t || f->rep[u] != t) {
            continue;
        }
        if (nr < 0) {
            nr = u;
            f->nmemb[nr] = f->nmemb[t] - 1;
        }
        f->rep[u] = nr;
    }
    f->nmemb[t] = 0;
}

/* D (just forgotten) now holds the value of S. */
static void opt_join(OptFold *f, uint32_t d, uint32_t s)
{
    uint32_t r = f->rep[s];

    if (r != d) {
        f->rep[d] = r;
        f->nmemb[r]++;
    }
}

static void opt_forget_globals(OptFold *f)
{
    for (int g = 0; g < f->b->nglobals; g++) {
        opt_forget(f, g);
    }
}

/* A := the meet of partitions A and B.  Constants are visited first so
 * that each stays the representative of its class. */
static void opt_meet(OptFold *f, uint16_t *a, const uint16_t *b)
{
    int n = f->b->ntemps;

    for (int t = 0; t < n; t++) {
        f->first[t] = -1;
    }
    for (int pass = 0; pass < 2; pass++) {
        for (int t = 0; t < n; t++) {
            int u;

            if (opt_is_const(f->b, t) != (pass == 0)) {
                continue;
            }
            for (u = f->first[a[t]]; u >= 0; u = f->next[u]) {
                if (b[u] == b[t]) {
                    break;
                }
            }
            if (u < 0) {
                u = t;
                f->next[t] = f->first[a[t]];
                f->first[a[t]] = t;
            }
            f->res[t] = u;
        }
    }
    memcpy(a, f->res, n * sizeof(a[0]));
}

static uint16_t *opt_lab_row(OptFold *f, uint32_t label)
{
    return f->lab_rep + (size_t)label * IR_MAX_TEMPS;
}

/* Control may go from here to LABEL. */
static void opt_flow_to(OptFold *f, uint32_t label)
{
    uint16_t *row = opt_lab_row(f, label);

    if (f->lab_seen[label]) {
        opt_meet(f, row, f->rep);
    } else {
        memcpy(row, f->rep, sizeof(f->rep));
        f->lab_seen[label] = true;
    }
}

/* Enter LABEL; REACHABLE says whether control falls into it.  Returns
 * whether the label is reachable at all. */
static bool opt_enter_label(OptFold *f, uint32_t label, bool reachable)
{
    uint16_t *row = opt_lab_row(f, label);

    if (!f->lab_seen[label]) {
        return reachable;
    }
    if (reachable) {
        opt_meet(f, f->rep, row);
    } else {
        memcpy(f->rep, row, sizeof(f->rep));
    }
    opt_count_members(f);
    return true;
}

/* The value of a single-output op on constant inputs, as interp.c
 * computes it.  False where the backends leave it undefined. */
static bool opt_eval(const IROp *op, const uint32_t *in, uint32_t *res)
{
    uint32_t a = in[0], b = in[1], n = b & 31;

    switch ((IROpcode)op->opc) {
    case IR_mov: *res = a; return true;
    case IR_add: *res = a + b; return true;
    case IR_sub: *res = a - b; return true;
    case IR_mul: *res = a * b; return true;
    case IR_and: *res = a & b; return true;
    case IR_or: *res = a | b; return true;
    case IR_xor: *res = a ^ b; return true;
    case IR_andc: *res = a & ~b; return true;
    case IR_neg: *res = -a; return true;
    case IR_not: *res = ~a; return true;
    case IR_shl: *res = a << n; return true;
    case IR_shr: *res = a >> n; return true;
    case IR_sar: *res = (uint32_t)((int32_t)a >> n); return true;
    case IR_rotl: *res = n ? (a << n) | (a >> (32 - n)) : a; return true;
    case IR_rotr: *res = n ? (a >> n) | (a << (32 - n)) : a; return true;
    case IR_ext8s: *res = (uint32_t)(int8_t)a; return true;
    case IR_ext8u: *res = (uint8_t)a; return true;
    case IR_ext16s: *res = (uint32_t)(int16_t)a; return true;
    case IR_ext16u: *res = (uint16_t)a; return true;
    case IR_bswap: *res = __builtin_bswap32(a); return true;
    case IR_extract: {
        uint32_t len = ir_const(op, 1), v = a >> (ir_const(op, 0) & 31);
        *res = len >= 32 ? v : v & ((1u << len) - 1);
        return true;
    }
    case IR_deposit: {
        uint32_t pos = ir_const(op, 0), len = ir_const(op, 1), mask;
        if (pos >= 32) {
            return false;
        }
        mask = (len >= 32 ? ~0u : (1u << len) - 1) << pos;
        *res = (a & ~mask) | ((b << pos) & mask);
        return true;
    }
    case IR_setcond: *res = ir_eval_cond(ir_const(op, 0), a, b); return true;
    case IR_movcond:
        *res = ir_eval_cond(ir_const(op, 0), a, b) ? in[2] : in[3];
        return true;
    default: return false;
    }
}

/* Whether (A C B) is decided: 1 true, 0 false, -1 not known.  SAME says
 * A and B hold one value. */
static int opt_decide(IRCond c, bool ka, uint32_t a, bool kb, uint32_t b,
                      bool same)
{
    if (ka && kb) {
        return ir_eval_cond(c, a, b);
    }
    if (same) {
        switch (c) {
        case IR_EQ: case IR_GE: case IR_LE: case IR_GEU: case IR_LEU:
            return 1;
        case IR_NE: case IR_LT: case IR_GT: case IR_LTU: case IR_GTU:
            return 0;
        default: return -1;
        }
    }
    if ((kb && b == 0 && c == IR_LTU) || (ka && a == 0 && c == IR_GTU)) {
        return 0;
    }
    if ((kb && b == 0 && c == IR_GEU) || (ka && a == 0 && c == IR_LEU)) {
        return 1;
    }
    if (((ka && a == 0) || (kb && b == 0)) &&
        (c == IR_TSTEQ || c == IR_TSTNE)) {
        return c == IR_TSTEQ;
    }
    return -1;
}

/*
 * An exact identity for a single-output op with inputs IN (K[i]: input i
 * is the constant V[i]).  Returns the temp the result equals, or -1; a
 * result that is a constant is returned through *CVAL with -2.
 */
static int opt_identity(const IROp *op, const uint32_t *in, const bool *k,
                        const uint32_t *v, uint32_t *cval)
{
    uint32_t a = in[0], b = in[1];
    bool same = a == b; /* inputs are representatives */
    bool za = k[0] && v[0] == 0, zb = k[1] && v[1] == 0;
    bool ma = k[0] && v[0] == ~0u, mb = k[1] && v[1] == ~0u;

#define OPT_CONST(x) (*cval = (x), -2)
    switch ((IROpcode)op->opc) {
    case IR_add:
        return zb ? (int)a : za ? (int)b : -1;
    case IR_sub:
        return zb ? (int)a : same ? OPT_CONST(0) : -1;
    case IR_mul:
        if (za || zb) {
            return OPT_CONST(0);
        }
        return k[1] && v[1] == 1 ? (int)a : k[0] && v[0] == 1 ? (int)b : -1;
    case IR_and:
        if (za || zb) {
            return OPT_CONST(0);
        }
        return same || mb ? (int)a : ma ? (int)b : -1;
    case IR_or:
        if (ma || mb) {
            return OPT_CONST(~0u);
        }
        return same || zb ? (int)a : za ? (int)b : -1;
    case IR_xor:
        return same ? OPT_CONST(0) : zb ? (int)a : za ? (int)b : -1;
    case IR_andc:
        if (same || za || mb) {
            return OPT_CONST(0);
        }
        return zb ? (int)a : -1;
    case IR_shl: case IR_shr: case IR_sar: case IR_rotl: case IR_rotr:
        if (k[1] && (v[1] & 31) == 0) {
            return a;
        }
        if (za) {
            return OPT_CONST(0);
        }
        return ma && op->opc != IR_shl && op->opc != IR_shr ? OPT_CONST(~0u)
                                                            : -1;
    case IR_extract:
        return (ir_const(op, 0) & 31) == 0 && ir_const(op, 1) >= 32 ? (int)a
                                                                     : -1;
    case IR_deposit:
        return ir_const(op, 0) == 0 && ir_const(op, 1) >= 32 ? (int)b : -1;
    case IR_setcond: {
        int d = opt_decide(ir_const(op, 0), k[0], v[0], k[1], v[1], same);
        return d < 0 ? -1 : OPT_CONST((uint32_t)d);
    }
    case IR_movcond: {
        int d = opt_decide(ir_const(op, 0), k[0], v[0], k[1], v[1], same);
        if (d >= 0) {
            return d ? (int)in[2] : (int)in[3];
        }
        return in[2] == in[3] ? (int)in[2] : -1;
    }
    default:
        return -1;
    }
#undef OPT_CONST
}

static void opt_make_mov(IROp *op, uint32_t d, uint32_t s)
{
    op->opc = IR_mov;
    op->nout = 1;
    op->nin = 1;
    op->args[0] = d;
    op->args[1] = s;
}

/* A mov: drop it when D already holds S's value, else record D == S. */
static bool opt_fold_mov(OptFold *f, IROp *op)
{
    uint32_t d = op->args[0], s = op->args[1];

    if (f->rep[d] == f->rep[s]) {
        opt_delete(op);
        return true;
    }
    opt_forget(f, d);
    opt_join(f, d, s);
    return false;
}

/* An op with one output and no side effect.  Returns whether it changed. */
static bool opt_fold_value(OptFold *f, IROp *op)
{
    uint32_t in[4] = {0}, v[4] = {0}, cval, t;
    bool k[4] = {false}, all = true;
    int id;

    for (int i = 0; i < op->nin; i++) {
        in[i] = op->args[1 + i];
        k[i] = opt_known(f, in[i], &v[i]);
        all &= k[i];
    }
    if (op->opc == IR_mov) {
        return opt_fold_mov(f, op);
    }
    if (all && opt_eval(op, v, &cval)) {
        id = -2;
    } else {
        id = opt_identity(op, in, k, v, &cval);
    }
    if (id == -2 && opt_const_temp(f->b, cval, &t)) {
        id = t;
    }
    if (id >= 0) {
        opt_make_mov(op, op->args[0], id);
        opt_fold_mov(f, op);
        return true;
    }
    opt_forget(f, op->args[0]);
    return false;
}

/* mulu2/muls2: the op stays (it has two outputs) but its known results
 * are recorded, so its readers fold and it dies if they all do. */
static void opt_fold_mul2(OptFold *f, IROp *op)
{
    uint32_t a = 0, b = 0, lo, hi;
    bool known = opt_known(f, op->args[2], &a) &&
                 opt_known(f, op->args[3], &b);
    uint64_t r = op->opc == IR_mulu2
                     ? (uint64_t)a * b
                     : (uint64_t)((int64_t)(int32_t)a * (int32_t)b);

    opt_forget(f, op->args[0]);
    if (known && opt_const_temp(f->b, (uint32_t)r, &lo)) {
        opt_join(f, op->args[0], lo);
    }
    opt_forget(f, op->args[1]);
    if (known && opt_const_temp(f->b, (uint32_t)(r >> 32), &hi)) {
        opt_join(f, op->args[1], hi);
    }
}

/* A brcond: decided ones become br or vanish.  Returns whether the
 * branch can fall through. */
static bool opt_fold_brcond(OptFold *f, IROp *op, bool *changed)
{
    uint32_t va = 0, vb = 0, label = ir_const(op, 1);
    bool ka = opt_known(f, op->args[0], &va);
    bool kb = opt_known(f, op->args[1], &vb);
    int d = opt_decide(ir_const(op, 0), ka, va, kb, vb,
                       op->args[0] == op->args[1]);

    if (d == 0) {
        opt_delete(op);
        *changed = true;
        return true;
    }
    opt_flow_to(f, label);
    if (d == 1) {
        op->opc = IR_br;
        op->nin = 0;
        op->args[0] = label;
        *changed = true;
        return false;
    }
    return true;
}

static bool opt_fold_walk(OptFold *f)
{
    IRBlock *b = f->b;
    bool changed = false, reachable = true;

    for (int i = 0; i < b->nops; i++) {
        IROp *op = &b->ops[i];

        if (op->opc == IR_label) {
            reachable = opt_enter_label(f, ir_const(op, 0), reachable);
            continue;
        }
        if (!reachable) {
            continue; /* opt_cfg() removes it */
        }
        for (int k = op->nout; k < op->nout + op->nin; k++) {
            if (f->rep[op->args[k]] != op->args[k]) {
                op->args[k] = f->rep[op->args[k]];
                changed = true;
            }
        }
        switch ((IROpcode)op->opc) {
        case IR_movi: {
            uint32_t t;
            if (opt_const_temp(b, ir_const(op, 0), &t)) {
                opt_make_mov(op, op->args[0], t);
                opt_fold_mov(f, op);
                changed = true;
            } else {
                opt_forget(f, op->args[0]);
            }
            break;
        }
        case IR_mulu2:
        case IR_muls2:
            opt_fold_mul2(f, op);
            break;
        case IR_brcond:
            reachable = opt_fold_brcond(f, op, &changed);
            break;
        case IR_br:
            opt_flow_to(f, ir_const(op, 0));
            reachable = false;
            break;
        case IR_exit_tb:
            reachable = false;
            break;
        case IR_ld:
            opt_forget(f, op->args[0]);
            break;
        case IR_st:
        case IR_insn_start:
            break;
        case IR_call:
            if (opt_call_kind(op) == OPT_CALL_WRITES) {
                opt_forget_globals(f);
            }
            if (op->nout) {
                opt_forget(f, op->args[0]);
            }
            break;
        default:
            changed |= opt_fold_value(f, op);
            break;
        }
    }
    return changed;
}

bool opt_fold(IRBlock *b)
{
    OptFold *f = malloc(sizeof(*f));
    bool changed;

    if (!f) {
        return false;
    }
    f->b = b;
    f->lab_rep = malloc((size_t)(b->nlabels ? b->nlabels : 1) *
                        IR_MAX_TEMPS * sizeof(uint16_t));
    if (!f->lab_rep) {
        free(f);
        return false;
    }
    /* Temps that do not exist yet (constants added on the way) are in
     * classes of their own, in every row. */
    for (int t = 0; t < IR_MAX_TEMPS; t++) {
        f->rep[t] = t;
    }
    memset(f->nmemb, 0, sizeof(f->nmemb));
    memset(f->lab_seen, 0, sizeof(f->lab_seen));
    changed = opt_fold_walk(f);
    opt_compact(b);
    free(f->lab_rep);
    free(f);
    return changed;
}
