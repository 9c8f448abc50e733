/*
 * x86-64 instruction emitter (see emit.h).
 *
 * Every form goes through three encoders: x64_enc_rr (ModRM with a
 * register operand), x64_enc_rm (ModRM with a memory operand) and
 * x64_enc_o (register in the opcode's low bits, or no operand), each
 * followed by an optional immediate.  The encoders place the legacy
 * operand-size prefix and REX; the instruction functions only choose the
 * opcode and the ModRM.reg field.  Instruction format: SDM Vol. 2A,
 * chapter 2 (Figure 2-1, legacy prefixes, REX, opcode, ModRM, SIB,
 * displacement, immediate, in that order).
 */
#include <assert.h>
#include <string.h>

#include "translate/x64/emit.h"

/* ---- Buffer ------------------------------------------------------------- */

void x64_emit_init(X64Emit *e, uint8_t *buf, uintptr_t base, size_t cap)
{
    *e = (X64Emit){.buf = buf, .base = base, .pos = 0, .cap = cap};
}

/* Whether a whole instruction fits; sets overflow if not.  Once set,
 * nothing more is written, so the buffer ends on an instruction. */
static bool x64_room(X64Emit *e)
{
    if (e->overflow || e->cap - e->pos < X64_MAX_INSN) {
        e->overflow = true;
        return false;
    }
    return true;
}

static void x64_put8(X64Emit *e, uint8_t b)
{
    e->buf[e->pos++] = b;
}

/* Little-endian, as every x86 displacement and immediate. */
static void x64_put_le(X64Emit *e, unsigned nbytes, uint64_t v)
{
    for (unsigned i = 0; i < nbytes; i++) {
        x64_put8(e, (uint8_t)(v >> (8 * i)));
    }
}

static bool x64_fits8(int64_t v)
{
    return v == (int8_t)v;
}

static bool x64_fits32(int64_t v)
{
    return v == (int32_t)v;
}

/* v as a signed value of `size` bytes. */
static int64_t x64_sext(int64_t v, unsigned size)
{
    unsigned sh = 64 - 8 * size;
    return (int64_t)((uint64_t)v << sh) >> sh;
}

/* ---- Encoders ----------------------------------------------------------- */

/* What an instruction needs besides its opcode bytes. */
enum {
    X64F_W = 1 << 0,      /* REX.W: 64-bit operand size */
    X64F_OPSIZE = 1 << 1, /* 0x66: 16-bit operand size */
    X64F_REG8 = 1 << 2,   /* ModRM.reg names a byte register */
    X64F_RM8 = 1 << 3,    /* ModRM.rm (or opcode+r) names a byte register */
};

/*
 * Operand size to prefixes: 32 bits is the default, 0x66 selects 16 and
 * REX.W 64 (SDM Vol. 2A, 2.2.1.2 and Table 2-4 note; Vol. 1, 3.6.1).
 * 8-bit forms have opcodes of their own.
 */
static const uint8_t x64_size_flags[9] = {
    [1] = X64F_REG8 | X64F_RM8,
    [2] = X64F_OPSIZE,
    [4] = 0,
    [8] = X64F_W,
};

static unsigned x64_sz(unsigned size)
{
    assert(x64_size_valid(size));
    return x64_size_flags[size];
}

/* The same, for forms whose ModRM.reg is an opcode extension. */
static unsigned x64_szx(unsigned size)
{
    return x64_sz(size) & ~X64F_REG8;
}

static uint32_t x64_op8(unsigned size, uint32_t op8, uint32_t op)
{
    return size == 1 ? op8 : op;
}

/* Immediate width of the "iz" forms: 16 or 32 bits, sign-extended to 64
 * (SDM Vol. 2A, 2.2.1.5). */
static unsigned x64_isz(unsigned size)
{
    return size == 8 ? 4 : size;
}

/*
 * 0x66 and REX.  Bit 3 of the ModRM.reg, SIB.index and ModRM.rm/SIB.base
 * registers go to REX.R, REX.X and REX.B (SDM Vol. 2A, 2.2.1.2, Table
 * 2-4).  An empty REX (0x40) is needed to name spl bpl sil dil instead
 * of ah ch dh bh (2.2.1.2, "byte registers").
 */
static void x64_prefixes(X64Emit *e, unsigned flags, unsigned r, unsigned x,
                         unsigned b)
{
    unsigned rex =
        (flags & X64F_W ? 8 : 0) | (r & 8) >> 1 | (x & 8) >> 2 | (b & 8) >> 3;
    bool byte_hi = ((flags & X64F_REG8) && r - 4u < 4u) ||
                   ((flags & X64F_RM8) && b - 4u < 4u);

    if (flags & X64F_OPSIZE) {
        x64_put8(e, 0x66);
    }
    if (rex || byte_hi) {
        x64_put8(e, 0x40 | rex);
    }
}

/* One to three opcode bytes, most significant first (0x0f 0xaf as
 * 0x0faf); a one-byte opcode of 0x00 is valid. */
static void x64_opcode(X64Emit *e, uint32_t op)
{
    if (op > 0xffff) {
        x64_put8(e, (uint8_t)(op >> 16));
    }
    if (op > 0xff) {
        x64_put8(e, (uint8_t)(op >> 8));
    }
    x64_put8(e, (uint8_t)op);
}

static uint8_t x64_modrm(unsigned mod, unsigned reg, unsigned rm)
{
    return (uint8_t)(mod << 6 | (reg & 7) << 3 | (rm & 7));
}

/* opcode ModRM(11, reg, rm) [imm] */
static void x64_enc_rr(X64Emit *e, unsigned flags, uint32_t op, unsigned reg,
                       unsigned rm, unsigned isz, uint64_t imm)
{
    if (!x64_room(e)) {
        return;
    }
    x64_prefixes(e, flags, reg, 0, rm);
    x64_opcode(e, op);
    x64_put8(e, x64_modrm(3, reg, rm));
    x64_put_le(e, isz, imm);
}

/*
 * ModRM, SIB and displacement for [base + index*scale + disp] (SDM Vol.
 * 2A, 2.1.5, Tables 2-2 and 2-3; 2.2.1.2 for REX):
 *  - rm = 100 means "a SIB follows", so rsp and r12 as a base need a SIB
 *    (with index = 100, "none"); so does any index.
 *  - mod = 00 with rm or SIB.base = 101 means "no base, disp32" (with rm,
 *    RIP-relative in 64-bit mode, 2.2.1.6), so rbp and r13 as a base
 *    need mod = 01 and a zero disp8.
 *  - An absolute address therefore takes mod = 00, rm = 100 and a SIB
 *    with base = 101.
 */
static void x64_modrm_mem(X64Emit *e, unsigned reg, const X64Mem *m)
{
    unsigned ss = 0, index = 4, mod; /* SIB.index 100: no index */

    if (m->index != X64_NOREG) {
        ss = (unsigned)__builtin_ctz(m->scale); /* log2: Table 2-3 */
        index = (unsigned)m->index;
    }
    if (m->base == X64_NOREG) {
        x64_put8(e, x64_modrm(0, reg, 4));
        x64_put8(e, x64_modrm(ss, index, 5));
        x64_put_le(e, 4, (uint32_t)m->disp);
        return;
    }
    if (m->disp == 0 && (m->base & 7) != X64_RBP) {
        mod = 0;
    } else {
        mod = x64_fits8(m->disp) ? 1 : 2;
    }
    if (m->index != X64_NOREG || (m->base & 7) == X64_RSP) {
        x64_put8(e, x64_modrm(mod, reg, 4));
        x64_put8(e, x64_modrm(ss, index, m->base));
    } else {
        x64_put8(e, x64_modrm(mod, reg, m->base));
    }
    x64_put_le(e, mod == 1 ? 1 : mod == 2 ? 4 : 0, (uint32_t)m->disp);
}

/* opcode ModRM(mem) [SIB] [disp] [imm] */
static void x64_enc_rm(X64Emit *e, unsigned flags, uint32_t op, unsigned reg,
                       const X64Mem *m, unsigned isz, uint64_t imm)
{
    unsigned x = m->index == X64_NOREG ? 0 : (unsigned)m->index;
    unsigned b = m->base == X64_NOREG ? 0 : (unsigned)m->base;

    assert(m->index != X64_RSP);
    assert(m->index == X64_NOREG || x64_size_valid(m->scale)); /* 1,2,4,8 */
    if (!x64_room(e)) {
        return;
    }
    x64_prefixes(e, flags & ~X64F_RM8, reg, x, b);
    x64_opcode(e, op);
    x64_modrm_mem(e, reg, m);
    x64_put_le(e, isz, imm);
}

/* opcode+reg [imm]; with reg 0, just opcode [imm].  The register's bit 3
 * goes to REX.B (SDM Vol. 2A, 2.2.1.2, Figure 2-7). */
static void x64_enc_o(X64Emit *e, unsigned flags, uint32_t op, unsigned reg,
                      unsigned isz, uint64_t imm)
{
    if (!x64_room(e)) {
        return;
    }
    x64_prefixes(e, flags, 0, 0, reg);
    x64_opcode(e, op + (reg & 7));
    x64_put_le(e, isz, imm);
}

/*
 * A relative branch: opcode (one or two bytes), then a rel8 or rel32
 * counted from the end of the instruction (SDM Vol. 2A, JMP, Jcc, CALL).
 * False, writing nothing, if target is out of reach.
 */
static bool x64_enc_rel(X64Emit *e, uint32_t op, unsigned rsz, uintptr_t target)
{
    unsigned len = (op > 0xff ? 2 : 1) + rsz;
    int64_t rel = (int64_t)(target - (x64_here(e) + len));

    if (rsz == 1 ? !x64_fits8(rel) : !x64_fits32(rel)) {
        return false;
    }
    x64_enc_o(e, 0, op, 0, rsz, (uint64_t)rel);
    return true;
}

/* ---- Moves -------------------------------------------------------------- */

/* MOV: 88/89 /r (r/m, r), 8A/8B /r (r, r/m), B0+r/B8+r (r, imm),
 * C6/C7 /0 (r/m, imm) (SDM Vol. 2B, MOV). */
void x64_mov_rr(X64Emit *e, unsigned size, X64Reg dst, X64Reg src)
{
    x64_enc_rr(e, x64_sz(size), x64_op8(size, 0x88, 0x89), src, dst, 0, 0);
}

void x64_mov_ri(X64Emit *e, unsigned size, X64Reg dst, uint64_t imm)
{
    if (size == 8 && imm > UINT32_MAX) {
        if (x64_fits32((int64_t)imm)) {
            /* REX.W C7 /0 id: sign-extended imm32, 7 bytes */
            x64_enc_rr(e, X64F_W, 0xc7, 0, dst, 4, imm);
        } else {
            /* REX.W B8+r io: movabs, 10 bytes */
            x64_enc_o(e, X64F_W, 0xb8, dst, 8, imm);
        }
        return;
    }
    /* B8+r id writes a 32-bit register and so zero-extends: 5-6 bytes */
    if (size == 8) {
        size = 4;
    }
    x64_enc_o(e, x64_sz(size), x64_op8(size, 0xb0, 0xb8), dst, size, imm);
}

void x64_mov_rm(X64Emit *e, unsigned size, X64Reg dst, X64Mem m)
{
    x64_enc_rm(e, x64_sz(size), x64_op8(size, 0x8a, 0x8b), dst, &m, 0, 0);
}

void x64_mov_mr(X64Emit *e, unsigned size, X64Mem m, X64Reg src)
{
    x64_enc_rm(e, x64_sz(size), x64_op8(size, 0x88, 0x89), src, &m, 0, 0);
}

void x64_mov_mi(X64Emit *e, unsigned size, X64Mem m, int32_t imm)
{
    x64_enc_rm(e, x64_szx(size), x64_op8(size, 0xc6, 0xc7), 0, &m,
               x64_isz(size), (uint64_t)(int64_t)imm);
}

/*
 * MOVZX 0F B6/B7, MOVSX 0F BE/BF, MOVSXD REX.W 63 (SDM Vol. 2B); a
 * zero extension from 32 bits is a plain 32-bit MOV 8B.  Indexed by
 * [sign][source size].
 */
static const uint16_t x64_ext_ops[2][5] = {
    {[1] = 0x0fb6, [2] = 0x0fb7, [4] = 0x8b},
    {[1] = 0x0fbe, [2] = 0x0fbf, [4] = 0x63},
};

static unsigned x64_ext_flags(bool sign, unsigned dsize, unsigned ssize)
{
    assert(dsize > ssize && dsize != 1 && ssize != 8);
    assert(ssize != 4 || dsize == 8);
    if (ssize == 4 && !sign) {
        return 0;
    }
    return (x64_sz(dsize) & (X64F_W | X64F_OPSIZE)) |
           (ssize == 1 ? X64F_RM8 : 0);
}

void x64_movzx_rr(X64Emit *e, unsigned dsize, unsigned ssize, X64Reg dst,
                  X64Reg src)
{
    x64_enc_rr(e, x64_ext_flags(false, dsize, ssize), x64_ext_ops[0][ssize],
               dst, src, 0, 0);
}

void x64_movzx_rm(X64Emit *e, unsigned dsize, unsigned ssize, X64Reg dst,
                  X64Mem m)
{
    x64_enc_rm(e, x64_ext_flags(false, dsize, ssize), x64_ext_ops[0][ssize],
               dst, &m, 0, 0);
}

void x64_movsx_rr(X64Emit *e, unsigned dsize, unsigned ssize, X64Reg dst,
                  X64Reg src)
{
    x64_enc_rr(e, x64_ext_flags(true, dsize, ssize), x64_ext_ops[1][ssize], dst,
               src, 0, 0);
}

void x64_movsx_rm(X64Emit *e, unsigned dsize, unsigned ssize, X64Reg dst,
                  X64Mem m)
{
    x64_enc_rm(e, x64_ext_flags(true, dsize, ssize), x64_ext_ops[1][ssize], dst,
               &m, 0, 0);
}

/* LEA 8D /r (SDM Vol. 2A, LEA). */
void x64_lea(X64Emit *e, unsigned size, X64Reg dst, X64Mem m)
{
    assert(size != 1);
    x64_enc_rm(e, x64_sz(size), 0x8d, dst, &m, 0, 0);
}

/*
 * XCHG 86/87 /r, or 90+r with rAX.  Not 90+r when both are eax: 90 is
 * NOP in 64-bit mode and would not zero-extend (SDM Vol. 2B, XCHG and
 * NOP); nor with ax,ax or rax,rax, to keep a real xchg.
 */
void x64_xchg_rr(X64Emit *e, unsigned size, X64Reg a, X64Reg b)
{
    if (size != 1 && a != b && (a == X64_RAX || b == X64_RAX)) {
        x64_enc_o(e, x64_sz(size), 0x90, a == X64_RAX ? b : a, 0, 0);
    } else {
        x64_enc_rr(e, x64_sz(size), x64_op8(size, 0x86, 0x87), b, a, 0, 0);
    }
}

void x64_xchg_mr(X64Emit *e, unsigned size, X64Mem m, X64Reg r)
{
    x64_enc_rm(e, x64_sz(size), x64_op8(size, 0x86, 0x87), r, &m, 0, 0);
}

/* CMPXCHG 0F B0/B1 /r (SDM Vol. 2A, CMPXCHG). */
void x64_cmpxchg_rr(X64Emit *e, unsigned size, X64Reg dst, X64Reg src)
{
    x64_enc_rr(e, x64_sz(size), x64_op8(size, 0x0fb0, 0x0fb1), src, dst, 0, 0);
}

void x64_cmpxchg_mr(X64Emit *e, unsigned size, X64Mem m, X64Reg src)
{
    x64_enc_rm(e, x64_sz(size), x64_op8(size, 0x0fb0, 0x0fb1), src, &m, 0, 0);
}

/* ---- Arithmetic and logic ----------------------------------------------- */

/*
 * Group 1 (SDM Vol. 2A, ADD and Table A-6): op*8 + 00/01 (r/m, r),
 * 02/03 (r, r/m), 04/05 (al/eAX, imm), 80 /op ib, 81 /op iz, 83 /op ib
 * sign-extended.
 */
void x64_alu_rr(X64Emit *e, X64Alu op, unsigned size, X64Reg dst, X64Reg src)
{
    x64_enc_rr(e, x64_sz(size), x64_op8(size, 0x00, 0x01) + op * 8u, src, dst,
               0, 0);
}

void x64_alu_ri(X64Emit *e, X64Alu op, unsigned size, X64Reg dst, int32_t imm)
{
    int64_t v = x64_sext(imm, size);

    if (size != 1 && x64_fits8(v)) {
        x64_enc_rr(e, x64_szx(size), 0x83, op, dst, 1, (uint64_t)v);
    } else if (dst == X64_RAX) {
        x64_enc_o(e, x64_szx(size), x64_op8(size, 0x04, 0x05) + op * 8u, 0,
                  x64_isz(size), (uint64_t)v);
    } else {
        x64_enc_rr(e, x64_szx(size), x64_op8(size, 0x80, 0x81), op, dst,
                   x64_isz(size), (uint64_t)v);
    }
}

void x64_alu_rm(X64Emit *e, X64Alu op, unsigned size, X64Reg dst, X64Mem m)
{
    x64_enc_rm(e, x64_sz(size), x64_op8(size, 0x02, 0x03) + op * 8u, dst, &m, 0,
               0);
}

void x64_alu_mr(X64Emit *e, X64Alu op, unsigned size, X64Mem m, X64Reg src)
{
    x64_enc_rm(e, x64_sz(size), x64_op8(size, 0x00, 0x01) + op * 8u, src, &m, 0,
               0);
}

void x64_alu_mi(X64Emit *e, X64Alu op, unsigned size, X64Mem m, int32_t imm)
{
    int64_t v = x64_sext(imm, size);

    if (size != 1 && x64_fits8(v)) {
        x64_enc_rm(e, x64_szx(size), 0x83, op, &m, 1, (uint64_t)v);
    } else {
        x64_enc_rm(e, x64_szx(size), x64_op8(size, 0x80, 0x81), op, &m,
                   x64_isz(size), (uint64_t)v);
    }
}

/* TEST 84/85 /r, A8/A9 (al/eAX, imm), F6/F7 /0 (SDM Vol. 2B, TEST). */
void x64_test_rr(X64Emit *e, unsigned size, X64Reg a, X64Reg b)
{
    x64_enc_rr(e, x64_sz(size), x64_op8(size, 0x84, 0x85), b, a, 0, 0);
}

void x64_test_ri(X64Emit *e, unsigned size, X64Reg r, int32_t imm)
{
    if (r == X64_RAX) {
        x64_enc_o(e, x64_szx(size), x64_op8(size, 0xa8, 0xa9), 0, x64_isz(size),
                  (uint64_t)(int64_t)imm);
    } else {
        x64_enc_rr(e, x64_szx(size), x64_op8(size, 0xf6, 0xf7), 0, r,
                   x64_isz(size), (uint64_t)(int64_t)imm);
    }
}

void x64_test_mi(X64Emit *e, unsigned size, X64Mem m, int32_t imm)
{
    x64_enc_rm(e, x64_szx(size), x64_op8(size, 0xf6, 0xf7), 0, &m,
               x64_isz(size), (uint64_t)(int64_t)imm);
}

/* Groups 3 (F6/F7) and 4/5 (FE/FF) by X64Unary (SDM Vol. 2A, Table A-6). */
static const struct {
    uint8_t op8, op, ext;
} x64_unary_enc[] = {
    [X64_INC] = {0xfe, 0xff, 0}, [X64_DEC] = {0xfe, 0xff, 1},
    [X64_NOT] = {0xf6, 0xf7, 2}, [X64_NEG] = {0xf6, 0xf7, 3},
    [X64_MUL] = {0xf6, 0xf7, 4}, [X64_IMUL1] = {0xf6, 0xf7, 5},
    [X64_DIV] = {0xf6, 0xf7, 6}, [X64_IDIV] = {0xf6, 0xf7, 7},
};

void x64_unary_r(X64Emit *e, X64Unary op, unsigned size, X64Reg r)
{
    x64_enc_rr(e, x64_szx(size),
               x64_op8(size, x64_unary_enc[op].op8, x64_unary_enc[op].op),
               x64_unary_enc[op].ext, r, 0, 0);
}

void x64_unary_m(X64Emit *e, X64Unary op, unsigned size, X64Mem m)
{
    x64_enc_rm(e, x64_szx(size),
               x64_op8(size, x64_unary_enc[op].op8, x64_unary_enc[op].op),
               x64_unary_enc[op].ext, &m, 0, 0);
}

/* IMUL 0F AF /r, 6B /r ib, 69 /r iz (SDM Vol. 2A, IMUL). */
void x64_imul_rr(X64Emit *e, unsigned size, X64Reg dst, X64Reg src)
{
    assert(size != 1);
    x64_enc_rr(e, x64_sz(size), 0x0faf, dst, src, 0, 0);
}

void x64_imul_rm(X64Emit *e, unsigned size, X64Reg dst, X64Mem m)
{
    assert(size != 1);
    x64_enc_rm(e, x64_sz(size), 0x0faf, dst, &m, 0, 0);
}

void x64_imul_rri(X64Emit *e, unsigned size, X64Reg dst, X64Reg src,
                  int32_t imm)
{
    int64_t v = x64_sext(imm, size);

    assert(size != 1);
    if (x64_fits8(v)) {
        x64_enc_rr(e, x64_sz(size), 0x6b, dst, src, 1, (uint64_t)v);
    } else {
        x64_enc_rr(e, x64_sz(size), 0x69, dst, src, x64_isz(size), (uint64_t)v);
    }
}

/* CWD/CDQ/CQO 99, CBW/CWDE/CDQE 98 (SDM Vol. 2A). */
void x64_cwd(X64Emit *e, unsigned size)
{
    assert(size != 1);
    x64_enc_o(e, x64_sz(size), 0x99, 0, 0, 0);
}

void x64_cbw(X64Emit *e, unsigned size)
{
    assert(size != 1);
    x64_enc_o(e, x64_sz(size), 0x98, 0, 0, 0);
}

/* Group 2: D0/D1 /op (by 1), D2/D3 /op (by cl), C0/C1 /op ib
 * (SDM Vol. 2B, SAL/SAR/SHL/SHR and RCL/RCR/ROL/ROR). */
void x64_shift_ri(X64Emit *e, X64Shift op, unsigned size, X64Reg r,
                  uint8_t count)
{
    if (count == 1) {
        x64_enc_rr(e, x64_szx(size), x64_op8(size, 0xd0, 0xd1), op, r, 0, 0);
    } else {
        x64_enc_rr(e, x64_szx(size), x64_op8(size, 0xc0, 0xc1), op, r, 1,
                   count);
    }
}

void x64_shift_rcl(X64Emit *e, X64Shift op, unsigned size, X64Reg r)
{
    x64_enc_rr(e, x64_szx(size), x64_op8(size, 0xd2, 0xd3), op, r, 0, 0);
}

/* RORX: VEX.LZ.F2.0F3A.W0/W1 F0 /r ib (SDM Vol. 2B, RORX; VEX in Vol. 2A,
 * 2.3.5): C4, then R X B (inverted) with map 0F3A (00011), then W, vvvv
 * unused (1111), L = 0 and pp = F2 (11). */
void x64_rorx(X64Emit *e, unsigned size, X64Reg dst, X64Reg src, uint8_t count)
{
    if (!x64_room(e)) {
        return;
    }
    x64_put8(e, 0xc4);
    x64_put8(e, (uint8_t)((dst & 8 ? 0 : 0x80) | 0x40 | (src & 8 ? 0 : 0x20) |
                          0x03));
    x64_put8(e, (uint8_t)((size == 8 ? 0x80 : 0) | 0x78 | 0x03));
    x64_put8(e, 0xf0);
    x64_put8(e, x64_modrm(3, dst, src));
    x64_put8(e, count);
}

/* SHLD 0F A4 /r ib, 0F A5 /r; SHRD 0F AC, 0F AD (SDM Vol. 2B). */
static void x64_shxd(X64Emit *e, uint32_t op, unsigned size, X64Reg dst,
                     X64Reg src, unsigned isz, uint8_t count)
{
    assert(size != 1);
    x64_enc_rr(e, x64_sz(size), op, src, dst, isz, count);
}

void x64_shld_ri(X64Emit *e, unsigned size, X64Reg dst, X64Reg src,
                 uint8_t count)
{
    x64_shxd(e, 0x0fa4, size, dst, src, 1, count);
}

void x64_shld_rcl(X64Emit *e, unsigned size, X64Reg dst, X64Reg src)
{
    x64_shxd(e, 0x0fa5, size, dst, src, 0, 0);
}

void x64_shrd_ri(X64Emit *e, unsigned size, X64Reg dst, X64Reg src,
                 uint8_t count)
{
    x64_shxd(e, 0x0fac, size, dst, src, 1, count);
}

void x64_shrd_rcl(X64Emit *e, unsigned size, X64Reg dst, X64Reg src)
{
    x64_shxd(e, 0x0fad, size, dst, src, 0, 0);
}

/* BSWAP 0F C8+r (SDM Vol. 2A; the 16-bit form is undefined). */
void x64_bswap(X64Emit *e, unsigned size, X64Reg r)
{
    assert(size == 4 || size == 8);
    x64_enc_o(e, x64_sz(size), 0x0fc8, r, 0, 0);
}

/* Group 8 0F BA /op ib; BT 0F A3, BTS 0F AB, BTR 0F B3, BTC 0F BB
 * (SDM Vol. 2A, BT/BTC/BTR/BTS). */
void x64_bt_ri(X64Emit *e, X64BitOp op, unsigned size, X64Reg r, uint8_t bit)
{
    assert(size != 1);
    x64_enc_rr(e, x64_sz(size), 0x0fba, op, r, 1, bit);
}

void x64_bt_rr(X64Emit *e, X64BitOp op, unsigned size, X64Reg r, X64Reg bit)
{
    assert(size != 1);
    x64_enc_rr(e, x64_sz(size), 0x0fa3 + (op - X64_BT) * 8u, bit, r, 0, 0);
}

/* BSF 0F BC, BSR 0F BD (SDM Vol. 2A). */
void x64_bsf(X64Emit *e, unsigned size, X64Reg dst, X64Reg src)
{
    assert(size != 1);
    x64_enc_rr(e, x64_sz(size), 0x0fbc, dst, src, 0, 0);
}

void x64_bsr(X64Emit *e, unsigned size, X64Reg dst, X64Reg src)
{
    assert(size != 1);
    x64_enc_rr(e, x64_sz(size), 0x0fbd, dst, src, 0, 0);
}

/* SETcc 0F 90+cc /0, CMOVcc 0F 40+cc /r (SDM Vol. 2A/2B). */
void x64_setcc(X64Emit *e, X64Cond cc, X64Reg r)
{
    x64_enc_rr(e, X64F_RM8, 0x0f90 + (unsigned)cc, 0, r, 0, 0);
}

void x64_cmov(X64Emit *e, X64Cond cc, unsigned size, X64Reg dst, X64Reg src)
{
    assert(size != 1);
    x64_enc_rr(e, x64_sz(size), 0x0f40 + (unsigned)cc, dst, src, 0, 0);
}

/* ---- Stack and flags ---------------------------------------------------- */

/* PUSH 50+r, 6A ib, 68 id; POP 58+r: 64-bit by default in 64-bit mode
 * (SDM Vol. 2B, PUSH, POP). */
void x64_push_r(X64Emit *e, X64Reg r)
{
    x64_enc_o(e, 0, 0x50, r, 0, 0);
}

void x64_pop_r(X64Emit *e, X64Reg r)
{
    x64_enc_o(e, 0, 0x58, r, 0, 0);
}

void x64_push_i(X64Emit *e, int32_t imm)
{
    bool short_form = x64_fits8(imm);

    x64_enc_o(e, 0, short_form ? 0x6a : 0x68, 0, short_form ? 1 : 4,
              (uint64_t)(int64_t)imm);
}

/* ---- Control transfer --------------------------------------------------- */

/* CALL E8 cd, FF /2; JMP EB cb, E9 cd, FF /4; Jcc 70+cc cb, 0F 80+cc cd.
 * Near branches are 64-bit by default (SDM Vol. 2A, CALL, Jcc;
 * Vol. 2B, JMP, RET). */
bool x64_call(X64Emit *e, uintptr_t target)
{
    return x64_enc_rel(e, 0xe8, 4, target);
}

void x64_call_via(X64Emit *e, uintptr_t target, X64Reg scratch)
{
    if (!x64_call(e, target)) {
        x64_mov_ri(e, 8, scratch, target);
        x64_call_r(e, scratch);
    }
}

void x64_call_r(X64Emit *e, X64Reg r)
{
    x64_enc_rr(e, 0, 0xff, 2, r, 0, 0);
}

void x64_call_m(X64Emit *e, X64Mem m)
{
    x64_enc_rm(e, 0, 0xff, 2, &m, 0, 0);
}

bool x64_jmp(X64Emit *e, uintptr_t target)
{
    return x64_enc_rel(e, 0xeb, 1, target) || x64_jmp32(e, target);
}

bool x64_jmp32(X64Emit *e, uintptr_t target)
{
    return x64_enc_rel(e, 0xe9, 4, target);
}

bool x64_jcc(X64Emit *e, X64Cond cc, uintptr_t target)
{
    return x64_enc_rel(e, 0x70 + (unsigned)cc, 1, target) ||
           x64_jcc32(e, cc, target);
}

bool x64_jcc32(X64Emit *e, X64Cond cc, uintptr_t target)
{
    return x64_enc_rel(e, 0x0f80 + (unsigned)cc, 4, target);
}

void x64_jmp_r(X64Emit *e, X64Reg r)
{
    x64_enc_rr(e, 0, 0xff, 4, r, 0, 0);
}

void x64_jmp_m(X64Emit *e, X64Mem m)
{
    x64_enc_rm(e, 0, 0xff, 4, &m, 0, 0);
}

/* ---- Forward branches and patching -------------------------------------- */

/* A branch with a zero rel of rsz bytes; the position of the rel. */
static size_t x64_enc_fwd(X64Emit *e, uint32_t op, unsigned rsz)
{
    size_t start = e->pos;

    x64_enc_o(e, 0, op, 0, rsz, 0);
    return e->pos == start ? X64_NOPATCH : e->pos - rsz;
}

size_t x64_jmp_fwd(X64Emit *e)
{
    return x64_enc_fwd(e, 0xe9, 4);
}

size_t x64_jcc_fwd(X64Emit *e, X64Cond cc)
{
    return x64_enc_fwd(e, 0x0f80 + (unsigned)cc, 4);
}

size_t x64_jmp8_fwd(X64Emit *e)
{
    return x64_enc_fwd(e, 0xeb, 1);
}

size_t x64_jcc8_fwd(X64Emit *e, X64Cond cc)
{
    return x64_enc_fwd(e, 0x70 + (unsigned)cc, 1);
}

void x64_patch_here(X64Emit *e, size_t patch_pos)
{
    if (patch_pos > e->pos || e->pos - patch_pos < 4) {
        return; /* X64_NOPATCH */
    }
    x64_patch_rel32(e->buf + patch_pos, e->base + patch_pos, x64_here(e));
}

bool x64_patch8_here(X64Emit *e, size_t patch_pos)
{
    int64_t rel;

    if (patch_pos > e->pos || e->pos - patch_pos < 1) {
        return true; /* X64_NOPATCH */
    }
    rel = (int64_t)(e->pos - (patch_pos + 1));
    if (!x64_fits8(rel)) {
        return false;
    }
    e->buf[patch_pos] = (uint8_t)rel;
    return true;
}

/*
 * A 4-byte aligned store is atomic (SDM Vol. 3A, 8.1.1), and an aligned
 * rel32 never straddles a cache line, so another processor fetching the
 * jmp sees either the old or the new target.  The SDM's cross-modifying
 * code protocol (Vol. 3A, 8.1.3) asks for a serializing instruction on
 * the executing processor before it may rely on the new one; chaining
 * only needs the old target to stay valid meanwhile, which it does.
 */
bool x64_patch_rel32(uint8_t *rw_at, uintptr_t rx_at, uintptr_t target)
{
    int64_t rel = (int64_t)(target - (rx_at + 4));
    uint8_t le[4];
    uint32_t word;

    if (!x64_fits32(rel)) {
        return false;
    }
    for (unsigned i = 0; i < 4; i++) {
        le[i] = (uint8_t)((uint64_t)rel >> (8 * i));
    }
    if (((uintptr_t)rw_at & 3) == 0) {
        memcpy(&word, le, 4);
        __atomic_store_n((uint32_t *)(void *)rw_at, word, __ATOMIC_RELEASE);
    } else {
        memcpy(rw_at, le, 4);
    }
    return true;
}

void x64_align_for_patch(X64Emit *e)
{
    /* the rel32 of E9 cd starts one byte after the instruction */
    x64_nop(e, (size_t)(-(x64_here(e) + 1)) & 3);
}

/* ---- Miscellaneous ------------------------------------------------------ */

/* Recommended multi-byte NOPs, 1 to 9 bytes (SDM Vol. 2B, NOP, Table
 * 4-12): 90, 66 90, then 0F 1F /0 with growing ModRM/SIB/disp forms. */
static const uint8_t x64_nops[9][9] = {
    {0x90},
    {0x66, 0x90},
    {0x0f, 0x1f, 0x00},
    {0x0f, 0x1f, 0x40, 0x00},
    {0x0f, 0x1f, 0x44, 0x00, 0x00},
    {0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00},
    {0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00},
    {0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
    {0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00},
};

void x64_nop(X64Emit *e, size_t n)
{
    while (n > 0 && x64_room(e)) {
        size_t k = n < 9 ? n : 9;

        memcpy(e->buf + e->pos, x64_nops[k - 1], k);
        e->pos += k;
        n -= k;
    }
}

/*
 * Instructions without operands: PUSHFQ 9C, POPFQ 9D, SAHF 9E, LAHF 9F,
 * RET C3, UD2 0F 0B, INT3 CC (SDM Vol. 2A/2B), and the LOCK prefix F0
 * (Vol. 2A, 2.1.1).
 */
#define X64_PLAIN(name, opcode)                                                \
    void x64_##name(X64Emit *e)                                                \
    {                                                                          \
        x64_enc_o(e, 0, opcode, 0, 0, 0);                                      \
    }

X64_PLAIN(pushfq, 0x9c)
X64_PLAIN(popfq, 0x9d)
X64_PLAIN(sahf, 0x9e)
X64_PLAIN(lahf, 0x9f)
X64_PLAIN(ret, 0xc3)
X64_PLAIN(ud2, 0x0f0b)
X64_PLAIN(int3, 0xcc)
X64_PLAIN(lock, 0xf0)
