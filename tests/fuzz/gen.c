/*
 * Random program generator, framework: randomness, operand choice and
 * ModRM/SIB encoding, the group and branch bookkeeping, the flag
 * definedness tracking, and the assembler that lays out any subset of a
 * program's groups (for the minimizer).  The instruction families are in
 * gen-insns.c and gen-misc.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/gen-internal.h"

const uint16_t gen_cond_reads[16] = {
    FUZZ_OF, FUZZ_OF, FUZZ_CF, FUZZ_CF, FUZZ_ZF, FUZZ_ZF,
    FUZZ_CF | FUZZ_ZF, FUZZ_CF | FUZZ_ZF, FUZZ_SF, FUZZ_SF, FUZZ_PF, FUZZ_PF,
    FUZZ_SF | FUZZ_OF, FUZZ_SF | FUZZ_OF,
    FUZZ_ZF | FUZZ_SF | FUZZ_OF, FUZZ_ZF | FUZZ_SF | FUZZ_OF,
};

/* ---- randomness ---- */

uint32_t gen_rand(Gen *g, uint32_t n)
{
    return fuzz_rng_below(&g->rng, n);
}

bool gen_chance(Gen *g, unsigned pct)
{
    return gen_rand(g, 100) < pct;
}

/* Values at the edges of each width are where flag logic goes wrong. */
static uint32_t gen_value(Gen *g)
{
    static const uint32_t edges[] = {
        0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
        0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 0x80000001,
        0x0f, 0x09, 0x99, 0x0a, 0xf0f0f0f0, 0x55555555,
    };
    uint32_t v = (uint32_t)fuzz_rng_next(&g->rng);

    switch (gen_rand(g, 8)) {
    case 0:
    case 1:
        return edges[gen_rand(g, sizeof(edges) / sizeof(edges[0]))];
    case 2:
        return v & 0xff;
    case 3:
        return (uint32_t)(int32_t)(int8_t)v;
    default:
        return v;
    }
}

uint32_t gen_imm(Gen *g, int width)
{
    uint32_t v = gen_value(g);

    return width == 32 ? v : v & ((1u << width) - 1);
}

int gen_width(Gen *g)
{
    static const int w[] = { 8, 8, 8, 16, 16, 32, 32, 32, 32, 32 };

    return w[gen_rand(g, 10)];
}

int gen_width1632(Gen *g)
{
    return gen_chance(g, 35) ? 16 : 32;
}

/* A random register from MASK (not empty). */
int gen_pick(Gen *g, unsigned mask)
{
    int regs[8], n = 0;

    for (int r = 0; r < 8; r++) {
        if (mask & REGBIT(r)) {
            regs[n++] = r;
        }
    }
    return regs[gen_rand(g, n)];
}

/* 32-bit register number under an 8-bit one (AH is EAX). */
static int reg8_base(int r)
{
    return r & 3;
}

/* A register the instruction may write: any byte register, or a free
 * 16/32-bit one; not one of AVOID (32-bit register mask). */
int gen_dst_reg(Gen *g, int width, unsigned avoid)
{
    if (width == 8) {
        int cand[8], n = 0;

        for (int r = 0; r < 8; r++) {
            if (!(avoid & REGBIT(reg8_base(r)))) {
                cand[n++] = r;
            }
        }
        return n ? cand[gen_rand(g, n)] : 0;
    }
    avoid &= GEN_FREE_REGS;
    return gen_pick(g, (avoid & GEN_FREE_REGS) == GEN_FREE_REGS
                           ? GEN_FREE_REGS : GEN_FREE_REGS & ~avoid);
}

int gen_any_reg(Gen *g)
{
    return gen_rand(g, 8);
}

/* ---- groups, instructions, branches, flags ---- */

static GenInsn *gen_new_insn(Gen *g)
{
    GenProg *p = g->p;
    GenInsn *in;

    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 256;
        p->insn = realloc(p->insn, p->cap * sizeof(*p->insn));
        if (!p->insn) {
            abort();
        }
    }
    in = &p->insn[p->n++];
    memset(in, 0, sizeof(*in));
    in->group = p->ngroups - 1;
    return in;
}

static void gen_close(Gen *g, int i)
{
    g->p->insn[g->open[i].insn].target = g->p->n;
    g->u |= g->open[i].u;
    g->open[i] = g->open[--g->nopen];
}

/*
 * Start a group.  Branches whose jump-over count is used up land here;
 * so do rel8 branches that could not reach past one more group.
 */
void gen_group(Gen *g)
{
    if (g->bytes - g->group_start > GEN_MAX_GROUP_BYTES) {
        fprintf(stderr, "fuzz gen: %u-byte group (generator bug)\n",
                g->bytes - g->group_start);
        abort();
    }
    g->p->ngroups++;
    g->group_start = g->bytes;
    g->esp_off = 0;
    for (int i = 0; i < g->nopen;) {
        GenOpenBranch *b = &g->open[i];

        if (--b->groups_left <= 0 ||
            (b->rel8 && g->bytes - b->bytes_at > 127 - GEN_MAX_GROUP_BYTES)) {
            gen_close(g, i);
        } else {
            i++;
        }
    }
}

static void gen_check_flags(Gen *g, uint16_t rd)
{
    if (rd & g->u) {
        fprintf(stderr, "fuzz gen: instruction reads undefined flags %#x "
                "(generator bug)\n", rd & g->u);
        abort();
    }
}

void gen_raw(Gen *g, const uint8_t *b, int len, uint16_t rd, uint16_t wr,
             uint16_t un)
{
    GenInsn *in = gen_new_insn(g);

    gen_check_flags(g, rd);
    memcpy(in->b, b, len);
    in->len = len;
    in->rd = rd;
    in->wr = wr;
    in->un = un;
    g->u = (g->u & ~wr) | un;
    g->bytes += len;
}

/* A forward branch with opcode OP; gen_open() or the caller's group end
 * gives it a target.  Returns its index. */
uint32_t gen_branch(Gen *g, const uint8_t *op, int oplen, bool rel8,
                    uint16_t rd)
{
    GenInsn *in = gen_new_insn(g);

    gen_check_flags(g, rd);
    memcpy(in->b, op, oplen);
    in->len = oplen;
    in->br = rel8 ? GB_REL8 : GB_REL32;
    in->rd = rd;
    g->bytes += oplen + (rel8 ? 1 : 4);
    return g->p->n - 1;
}

/* Branch INSN lands at the start of the GROUPS-th group from here. */
void gen_open(Gen *g, uint32_t insn, bool rel8, int groups)
{
    GenOpenBranch *b;

    if (g->nopen == GEN_MAX_OPEN) {
        /* Cannot happen: a group opens at most one branch, for at most
         * four groups.  Landing one here would put it inside a group. */
        fprintf(stderr, "fuzz gen: too many open branches (generator bug)\n");
        abort();
    }
    b = &g->open[g->nopen++];
    b->insn = insn;
    b->bytes_at = g->bytes;
    b->u = g->u;
    b->groups_left = groups;
    b->rel8 = rel8;
}

/*
 * Before an instruction that reads FLAGS: if any may be undefined, put an
 * instruction that defines all six first, in the same group (so the
 * minimizer cannot separate them).
 */
void gen_need(Gen *g, uint16_t flags)
{
    uint32_t v = gen_imm(g, 32);
    uint8_t b[6] = { 0x81, 0xf8 | gen_any_reg(g), v, v >> 8, v >> 16,
                     v >> 24 };

    if (!(g->u & flags)) {
        return;
    }
    /* Only compares: they write no register, so they cannot disturb the
     * operands the group has set up. */
    switch (gen_rand(g, 3)) {
    case 0: /* cmp r32, r32 */
        b[0] = 0x39;
        b[1] = 0xc0 | gen_any_reg(g) << 3 | gen_any_reg(g);
        gen_raw(g, b, 2, 0, FUZZ_ARITH, 0);
        break;
    case 1: /* cmp r8, imm8 */
        b[0] = 0x80;
        b[1] = 0xf8 | gen_any_reg(g);
        gen_raw(g, b, 3, 0, FUZZ_ARITH, 0);
        break;
    default: /* cmp r32, imm32 */
        gen_raw(g, b, 6, 0, FUZZ_ARITH, 0);
        break;
    }
}

/* ---- encoding ---- */

void gen_enc_init(GenEnc *e)
{
    memset(e, 0, sizeof(*e));
}

void gen_enc_pfx(GenEnc *e, uint8_t p)
{
    e->pfx[e->npfx++] = p;
}

void gen_enc_op(GenEnc *e, int n, ...)
{
    va_list ap;

    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        e->op[e->nop++] = (uint8_t)va_arg(ap, int);
    }
    va_end(ap);
}

void gen_enc_imm(GenEnc *e, uint32_t v, int bytes)
{
    for (int i = 0; i < bytes; i++) {
        e->imm[e->nimm++] = v >> (8 * i);
    }
}

void gen_enc_modrm(GenEnc *e, int regf, const GenRM *rm)
{
    e->has_modrm = true;
    e->regf = regf;
    e->rm = *rm;
}

/* Emit E; prefixes go in random order (they may come in any). */
void gen_emit(Gen *g, GenEnc *e, uint16_t rd, uint16_t wr, uint16_t un)
{
    uint8_t b[GEN_MAX_BYTES + 8];
    int n = 0;

    if (e->has_modrm && e->rm.seg) {
        e->pfx[e->npfx++] = e->rm.seg;
    }
    if (e->has_modrm && e->rm.addr16) {
        e->pfx[e->npfx++] = 0x67;
    }
    if (e->npfx && e->npfx < 4 && gen_chance(g, 3)) {
        /* A prefix twice changes nothing (a segment: the last one counts,
         * and all of ours are flat alike). */
        e->pfx[e->npfx] = e->pfx[gen_rand(g, e->npfx)];
        e->npfx++;
    }
    for (int i = e->npfx - 1; i > 0; i--) {
        int j = gen_rand(g, i + 1);
        uint8_t t = e->pfx[i];

        e->pfx[i] = e->pfx[j];
        e->pfx[j] = t;
    }
    memcpy(b, e->pfx, e->npfx);
    n = e->npfx;
    memcpy(b + n, e->op, e->nop);
    n += e->nop;
    if (e->has_modrm) {
        const GenRM *rm = &e->rm;

        if (rm->mem) {
            b[n++] = rm->mod << 6 | (e->regf & 7) << 3 | rm->rm;
            if (rm->has_sib) {
                b[n++] = rm->sib;
            }
            for (int i = 0; i < rm->ndisp; i++) {
                b[n++] = rm->disp >> (8 * i);
            }
        } else {
            b[n++] = 0xc0 | (e->regf & 7) << 3 | rm->reg;
        }
    }
    memcpy(b + n, e->imm, e->nimm);
    n += e->nimm;
    if (n > GEN_MAX_BYTES) {
        fprintf(stderr, "fuzz gen: %d-byte instruction (generator bug)\n", n);
        abort();
    }
    gen_raw(g, b, n, rd, wr, un);
}

/* ---- operands ---- */

void gen_rm_reg(GenRM *rm, int reg)
{
    memset(rm, 0, sizeof(*rm));
    rm->reg = reg;
}

void gen_mov_imm32(Gen *g, int r, uint32_t v)
{
    uint8_t b[5] = { 0xb8 | r, v, v >> 8, v >> 16, v >> 24 };

    gen_raw(g, b, 5, 0, 0, 0);
}

/* Point scratch register R at linear address ADDR without touching the
 * flags: mov r, imm32 or lea r, [ebp + disp]. */
void gen_set_pointer(Gen *g, int r, uint32_t addr)
{
    uint32_t d = addr - FUZZ_DATA_MID;
    uint8_t b[6] = { 0x8d, 0x85 | r << 3, d, d >> 8, d >> 16, d >> 24 };

    if (gen_chance(g, 50)) {
        gen_mov_imm32(g, r, addr);
    } else if ((int32_t)d >= -128 && (int32_t)d < 128) {
        b[1] = 0x45 | r << 3;
        gen_raw(g, b, 3, 0, 0, 0);
    } else {
        gen_raw(g, b, 6, 0, 0, 0);
    }
}

static void set_disp(GenRM *rm, int32_t d, bool allow8)
{
    if (allow8 && d >= -128 && d < 128) {
        rm->mod = 1;
        rm->ndisp = 1;
    } else {
        rm->mod = 2;
        rm->ndisp = 4;
    }
    rm->disp = (uint32_t)d;
}

uint32_t gen_in_range(Gen *g, uint32_t lo, uint32_t hi)
{
    return lo + gen_rand(g, hi - lo + 1);
}

/*
 * A memory operand of SIZE bytes, with SLACK bytes to spare on each side
 * (a bit-string offset), inside the data area or the stack area.  The
 * setup instructions (index masking, base pointers) go into the current
 * group; they use scratch registers outside AVOID and leave the flags
 * alone.
 */
void gen_mem(Gen *g, int size, int slack, unsigned avoid, GenRM *rm)
{
    bool stack = gen_chance(g, 20);
    uint32_t base = stack ? FUZZ_STACK_ADDR : FUZZ_DATA_ADDR;
    uint32_t lim = stack ? FUZZ_STACK_SIZE : FUZZ_DATA_SIZE;
    uint32_t lo = base + 64 + slack, hi = base + lim - 64 - slack - size;
    uint32_t esp = FUZZ_STACK_INIT - g->esp_off;
    unsigned scratch = GEN_FREE_REGS & ~avoid;
    uint32_t ea = gen_in_range(g, lo, hi);
    int mode = gen_rand(g, 8);

    memset(rm, 0, sizeof(*rm));
    rm->mem = true;
    if (gen_chance(g, 15)) {
        static const uint8_t segs[] = { 0x26, 0x36, 0x3e };

        rm->seg = segs[gen_rand(g, 3)];
    }
    if (!scratch && mode >= 4) {
        mode = 0;
    }
    switch (mode) {
    case 0: /* [disp32] */
        rm->rm = 5;
        rm->ndisp = 4;
        rm->disp = ea;
        break;
    case 1: /* [ebp + disp] */
        if (!stack && gen_chance(g, 50)) {
            ea = gen_in_range(g, FUZZ_DATA_MID - 128, FUZZ_DATA_MID + 127 - size);
        }
        rm->rm = 5;
        set_disp(rm, (int32_t)(ea - FUZZ_DATA_MID), true);
        break;
    case 2: /* [esp + disp], redundant scale bits included */
        rm->rm = 4;
        rm->has_sib = true;
        rm->sib = gen_rand(g, 4) << 6 | 4 << 3 | 4;
        if (stack && gen_chance(g, 60)) {
            ea = gen_in_range(g, esp - 128, esp + 120 - size);
        }
        if (ea == esp && gen_chance(g, 50)) {
            rm->mod = 0;
        } else {
            set_disp(rm, (int32_t)(ea - esp), true);
        }
        break;
    case 3: { /* [none + ebp*s + disp32] or [ebp + ebp*s + disp] */
        int s = gen_rand(g, 4);

        rm->rm = 4;
        rm->has_sib = true;
        if (gen_chance(g, 50)) {
            rm->sib = s << 6 | 5 << 3 | 5;
            rm->ndisp = 4;
            rm->disp = ea - (FUZZ_DATA_MID << s);
        } else {
            rm->sib = s << 6 | 5 << 3 | 5;
            set_disp(rm, (int32_t)(ea - (FUZZ_DATA_MID << s) - FUZZ_DATA_MID),
                     true);
        }
        break;
    }
    case 4:
    case 5: { /* [reg + disp], reg set up to point in */
        int r = gen_pick(g, scratch);
        int32_t d = 0;

        switch (gen_rand(g, 3)) {
        case 0: rm->mod = 0; break;
        case 1: d = (int8_t)gen_rand(g, 256); rm->mod = 1; rm->ndisp = 1; break;
        default: d = (int32_t)gen_rand(g, 512) - 256; rm->mod = 2;
                 rm->ndisp = 4; break;
        }
        if (ea - d < base || ea - d >= base + lim) {
            d = 0;
            rm->mod = 0;
            rm->ndisp = 0;
        }
        gen_set_pointer(g, r, ea - d);
        rm->rm = r;
        rm->disp = d;
        rm->used = REGBIT(r);
        break;
    }
    default: { /* SIB: [base + idx*s + disp], idx masked to 0..255 */
        int s = gen_rand(g, 4), idx = gen_pick(g, scratch), b;
        uint32_t span = 255u << s;
        uint8_t mz[3] = { 0x0f, 0xb6, 0xc0 | idx << 3 | gen_any_reg(g) };

        if (hi - lo < span) {
            s = 0;
            span = 255;
        }
        ea = gen_in_range(g, lo, hi - span);
        gen_raw(g, mz, 3, 0, 0, 0);     /* movzx idx, r8 */
        rm->rm = 4;
        rm->has_sib = true;
        rm->used = REGBIT(idx);
        switch (gen_rand(g, 4)) {
        case 0: /* no base */
            b = 5;
            rm->ndisp = 4;
            rm->disp = ea;
            break;
        case 1:
            b = 5;
            set_disp(rm, (int32_t)(ea - FUZZ_DATA_MID), true);
            break;
        case 2:
            b = 4;
            set_disp(rm, (int32_t)(ea - esp), true);
            break;
        default:
            if (scratch & ~REGBIT(idx)) {
                b = gen_pick(g, scratch & ~REGBIT(idx));
                gen_set_pointer(g, b, ea);
                rm->used |= REGBIT(b);
                rm->mod = 0;
            } else {
                b = 5;
                set_disp(rm, (int32_t)(ea - FUZZ_DATA_MID), true);
            }
            break;
        }
        rm->sib = s << 6 | idx << 3 | b;
        break;
    }
    }
}

/* A register (to write if WRITE) or, MEM_PCT percent of the time, a
 * memory operand of WIDTH bits. */
void gen_rm(Gen *g, int width, bool write, unsigned avoid, unsigned mem_pct,
            GenRM *rm)
{
    if (gen_chance(g, mem_pct)) {
        gen_mem(g, width / 8, 0, avoid, rm);
    } else {
        gen_rm_reg(rm, write ? gen_dst_reg(g, width, avoid) : gen_any_reg(g));
    }
}

/* Any address form, for instructions that compute but never access it
 * (lea, nop r/m): every register as base or index, 16-bit forms too. */
void gen_lea_rm(Gen *g, GenRM *rm)
{
    memset(rm, 0, sizeof(*rm));
    rm->mem = true;
    rm->mod = gen_rand(g, 3);
    rm->rm = gen_rand(g, 8);
    rm->disp = (uint32_t)fuzz_rng_next(&g->rng);
    if (gen_chance(g, 20)) {
        rm->addr16 = true;
        rm->ndisp = rm->mod == 1 ? 1 : rm->mod == 2 || rm->rm == 6 ? 2 : 0;
        return;
    }
    if (rm->rm == 4) {
        rm->has_sib = true;
        rm->sib = gen_rand(g, 256);
    }
    rm->ndisp = rm->mod == 1 ? 1 : rm->mod == 2 ? 4 : 0;
    if (rm->mod == 0 && (rm->rm == 5 || (rm->has_sib && (rm->sib & 7) == 5))) {
        rm->ndisp = 4;
    }
}

/* ---- programs ---- */

void gen_program(GenProg *p, uint64_t seed)
{
    Gen g = { .rng = { seed }, .p = p };
    uint32_t target;

    memset(p, 0, sizeof(*p));
    p->fault_group = -1;
    for (int r = 0; r < FR_NREGS; r++) {
        p->regs[r] = gen_value(&g);
    }
    p->regs[FR_ESP] = FUZZ_STACK_INIT;
    p->regs[FR_EBP] = FUZZ_DATA_MID;
    p->eflags = ((uint32_t)fuzz_rng_next(&g.rng) & FUZZ_FLAGS_CMP) | 2;
    for (uint32_t i = 0; i < FUZZ_DATA_SIZE; i += 4) {
        uint32_t v = gen_value(&g);

        memcpy(&p->data[i], &v, 4);
    }
    for (uint32_t i = 0; i < FUZZ_STACK_SIZE; i += 4) {
        uint32_t v = gen_value(&g);

        memcpy(&p->stack[i], &v, 4);
    }
    p->code_addr = FUZZ_CODE_ADDR + (gen_chance(&g, 50)
                                         ? FUZZ_CODE_MAX_OFF - gen_rand(&g, 256)
                                         : gen_rand(&g, FUZZ_CODE_MAX_OFF));
    target = 4 + gen_rand(&g, 77);
    while (p->ngroups < target && !g.ended) {
        gen_one(&g);
    }
    gen_group(&g); /* checks the last group; an empty one at the end */
    while (g.nopen) {
        gen_close(&g, 0);
    }
}

void gen_prog_free(GenProg *p)
{
    free(p->insn);
    memset(p, 0, sizeof(*p));
}

/* ---- assembly of a subset ---- */

static uint32_t insn_size(const GenInsn *in)
{
    return in->len + (in->br == GB_REL8 ? 1 : in->br == GB_REL32 ? 4 : 0);
}

bool gen_assemble(const GenProg *p, const bool *keep, GenCode *c,
                  char *why, size_t why_len)
{
    uint32_t n = p->n, k = 0;
    uint32_t *next = malloc((n + 1) * sizeof(*next));
    uint32_t *at = malloc((n + 1) * sizeof(*at));
    uint16_t *join = calloc(n + 1, sizeof(*join));
    uint16_t u = 0;
    bool ok = true;

    memset(c, 0, sizeof(*c));
    c->addr = p->code_addr;
    c->off = malloc((n + 1) * sizeof(*c->off));
    c->undef = malloc((n + 1) * sizeof(*c->undef));
    if (!next || !at || !join || !c->off || !c->undef) {
        abort();
    }
    /* next[i]: the first kept instruction at or after i (n: the hlt). */
    next[n] = n;
    for (uint32_t i = n; i-- > 0;) {
        next[i] = !keep || keep[p->insn[i].group] ? i : next[i + 1];
    }
    at[0] = 0;
    for (uint32_t i = 0; i < n; i++) {
        at[i + 1] = at[i] + (next[i] == i ? insn_size(&p->insn[i]) : 0);
    }
    c->len = at[n] + 1;
    c->bytes = malloc(c->len);
    if (!c->bytes) {
        abort();
    }
    for (uint32_t i = 0; i < n && ok; i++) {
        const GenInsn *in = &p->insn[i];
        uint8_t *b = c->bytes + at[i];

        if (next[i] != i) {
            continue;
        }
        u |= join[i];
        c->off[k] = at[i];
        c->undef[k++] = u;
        if (in->rd & u) {
            snprintf(why, why_len, "instruction at +%#x reads flags %#x "
                     "that may be undefined", at[i], in->rd & u);
            ok = false;
            break;
        }
        memcpy(b, in->b, in->len);
        if (in->br != GB_NONE) {
            uint32_t t = next[in->target];
            int32_t rel = (int32_t)(at[t] - at[i + 1]);

            if (in->target <= i || (in->br == GB_REL8 && rel > 127)) {
                snprintf(why, why_len, "branch at +%#x cannot reach +%#x "
                         "(generator bug)", at[i], at[t]);
                ok = false;
                break;
            }
            if (in->br == GB_REL8) {
                b[in->len] = (uint8_t)rel;
            } else {
                memcpy(b + in->len, &rel, 4);
            }
        }
        u = (u & ~in->wr) | in->un;
        if (in->br != GB_NONE) {
            join[next[in->target]] |= u;
        }
    }
    if (ok) {
        u |= join[n];
        c->off[k] = at[n];
        c->undef[k] = u;
        c->final_undef = u;
        c->nkept = k;
        c->bytes[c->len - 1] = 0xf4; /* hlt */
    }
    free(next);
    free(at);
    free(join);
    return ok;
}

void gen_code_free(GenCode *c)
{
    free(c->bytes);
    free(c->off);
    free(c->undef);
    memset(c, 0, sizeof(*c));
}

uint16_t gen_undef_at(const GenCode *c, uint32_t off)
{
    for (uint32_t k = 0; k <= c->nkept; k++) {
        if (c->off[k] == off) {
            return c->undef[k];
        }
    }
    return FUZZ_ARITH;
}
