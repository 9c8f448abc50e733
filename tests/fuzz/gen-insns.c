/*
 * Random program generator: one function per instruction family, each
 * emitting one group (gen-internal.h).  Flag effects follow the SDM Vol. 2
 * "Flags Affected" sections, with the undefined cases as the ALU oracle
 * lists them (tests/unit/oracle/undef.c.inc).
 */
#include <stdio.h>
#include <stdlib.h>

#include "tests/fuzz/gen-internal.h"

void gen_alu_flags(int op, uint16_t *rd, uint16_t *wr, uint16_t *un)
{
    *rd = op == ADC || op == SBB ? F_CF : 0;
    if (op == OR || op == AND || op == XOR || op == TEST) {
        *wr = F_ALL & ~F_AF;  /* SDM AND/OR/XOR/TEST: AF undefined */
        *un = F_AF;
    } else {
        *wr = F_ALL;
        *un = 0;
    }
}

/* op r/m, imm (not TEST), with the short 83 form when the value allows. */
void gen_alu_imm(Gen *g, int op, int w, const GenRM *rm, uint32_t imm)
{
    uint16_t rd, wr, un;
    GenEnc e;

    gen_alu_flags(op, &rd, &wr, &un);
    gen_enc_init(&e);
    pfx_width(&e, w);
    if (w != 8 && (int32_t)(imm << (32 - w)) >> (32 - w) ==
                      (int32_t)(int8_t)imm) {
        gen_enc_op(&e, 1, 0x83);
        gen_enc_modrm(&e, op, rm);
        gen_enc_imm(&e, imm, 1);
    } else {
        gen_enc_op(&e, 1, 0x80 + wbit(w));
        gen_enc_modrm(&e, op, rm);
        imm_w(&e, imm, w);
    }
    gen_emit(g, &e, rd, wr, un);
}

/* ---- arithmetic and logic ---- */

/* OP < 0: any of the nine. */
void gi_alu_op(Gen *g, int op)
{
    int w = gen_width(g), form = gen_rand(g, 6);
    bool writes;
    uint16_t rd, wr, un;
    GenEnc e;
    GenRM rm;

    if (op < 0) {
        op = gen_rand(g, 9);
    }
    writes = op != CMP && op != TEST;
    gen_alu_flags(op, &rd, &wr, &un);
    gen_group(g);
    gen_enc_init(&e);
    pfx_width(&e, w);
    if (form <= 1) {
        /* op r/m, reg or op reg, r/m (TEST has only the first). */
        bool to_reg = form == 1 && op != TEST;
        int reg;

        gen_rm(g, w, writes && !to_reg, 0, 35, &rm);
        reg = writes && to_reg ? gen_dst_reg(g, w, 0) : gen_any_reg(g);
        if (writes && !to_reg) {
            maybe_lock(g, &e, &rm, 20);
        }
        gen_enc_op(&e, 1, op == TEST ? 0x84 + wbit(w)
                                     : op * 8 + (to_reg ? 2 : 0) + wbit(w));
        gen_enc_modrm(&e, reg, &rm);
    } else if (form == 2) {
        gen_enc_op(&e, 1, op == TEST ? 0xa8 + wbit(w) : op * 8 + 4 + wbit(w));
        imm_w(&e, gen_imm(g, w), w);
    } else {
        gen_rm(g, w, writes, 0, 35, &rm);
        if (writes) {
            maybe_lock(g, &e, &rm, 20);
        }
        if (op == TEST) {
            gen_enc_op(&e, 1, 0xf6 + wbit(w));
            gen_enc_modrm(&e, 0, &rm);
            imm_w(&e, gen_imm(g, w), w);
        } else if (form == 4 && w != 8) {
            gen_enc_op(&e, 1, 0x83);
            gen_enc_modrm(&e, op, &rm);
            gen_enc_imm(&e, gen_imm(g, 8), 1);
        } else {
            /* 82 is 80's alias, valid outside 64-bit mode (SDM Vol. 2,
             * Table A-6, note 1). */
            gen_enc_op(&e, 1, w == 8 && gen_chance(g, 15) ? 0x82
                                                           : 0x80 + wbit(w));
            gen_enc_modrm(&e, op, &rm);
            imm_w(&e, gen_imm(g, w), w);
        }
    }
    gen_need(g, rd);
    gen_emit(g, &e, rd, wr, un);
}

void gi_alu(Gen *g)
{
    gi_alu_op(g, -1);
}

/* inc dec not neg */
void gi_unary(Gen *g)
{
    static const uint16_t wrs[4] = { F_ALL & ~F_CF, F_ALL & ~F_CF, 0, F_ALL };
    int kind = gen_rand(g, 5), w = gen_width(g);
    GenEnc e;
    GenRM rm;

    gen_group(g);
    gen_enc_init(&e);
    if (kind == 4) {
        /* 40+r / 48+r */
        w = gen_width1632(g);
        kind = gen_rand(g, 2);
        pfx_width(&e, w);
        gen_enc_op(&e, 1, 0x40 + kind * 8 + gen_dst_reg(g, w, 0));
        gen_emit(g, &e, 0, wrs[kind], 0);
        return;
    }
    pfx_width(&e, w);
    gen_rm(g, w, true, 0, 35, &rm);
    maybe_lock(g, &e, &rm, 20);
    if (kind < 2) {
        gen_enc_op(&e, 1, 0xfe + wbit(w));
        gen_enc_modrm(&e, kind, &rm);
    } else {
        gen_enc_op(&e, 1, 0xf6 + wbit(w));
        gen_enc_modrm(&e, kind, &rm);
    }
    gen_emit(g, &e, 0, wrs[kind], 0);
}

/* ---- shifts and rotates ---- */

/* Shift/rotate /OP of width W by masked count M (-1: not known). */
static void shift_flags(int op, int w, int m, uint16_t *rd, uint16_t *wr,
                        uint16_t *un)
{
    bool rot = op < 4, shlr = op == 4 || op == 5 || op == 6;

    *rd = op == 2 || op == 3 ? F_CF : 0;
    *wr = *un = 0;
    if (m == 0) {
        *rd = 0;        /* a masked count of 0 affects no flags */
    } else if (m < 0) {
        /* Flags a zero count would keep stay as defined as they were. */
        *un = F_OF | (rot ? 0 : F_AF | (shlr && w < 32 ? F_CF : 0));
    } else if (rot) {
        *wr = F_CF | (m == 1 ? F_OF : 0);
        *un = m > 1 ? F_OF : 0;
    } else {
        *wr = F_CF | F_SF | F_ZF | F_PF | (m == 1 ? F_OF : 0);
        *un = F_AF | (m > 1 ? F_OF : 0);
        if (shlr && m >= w) {
            *wr &= ~F_CF;
            *un |= F_CF;
        }
    }
}

static uint32_t gen_count(Gen *g)
{
    switch (gen_rand(g, 12)) {
    case 0: case 1: return 1;
    case 2: return gen_rand(g, 8) * 32; /* masked to 0: flags unchanged */
    case 3: case 4: return gen_rand(g, 256);
    default: return gen_rand(g, 34);
    }
}

void gi_shift(Gen *g)
{
    int op = gen_rand(g, 8), w = gen_width(g), form = gen_rand(g, 4);
    uint32_t cnt = gen_count(g);
    uint16_t rd, wr, un;
    GenEnc e;
    GenRM rm;

    if (op == 6 && gen_chance(g, 70)) {
        op = 4; /* /6 is SAL's undocumented alias: now and then only */
    }
    gen_group(g);
    gen_rm(g, w, true, form == 2 ? REGBIT(FR_ECX) : 0, 35, &rm);
    gen_enc_init(&e);
    pfx_width(&e, w);
    switch (form) {
    case 0:
        gen_enc_op(&e, 1, 0xc0 + wbit(w));
        gen_enc_imm(&e, cnt, 1);
        break;
    case 1:
        cnt = 1;
        gen_enc_op(&e, 1, 0xd0 + wbit(w));
        break;
    case 2: {
        uint8_t b[2] = { 0xb1, cnt }; /* mov cl, imm8 */

        gen_raw(g, b, 2, 0, 0, 0);
        gen_enc_op(&e, 1, 0xd2 + wbit(w));
        break;
    }
    default:
        gen_enc_op(&e, 1, 0xd2 + wbit(w));
        break;
    }
    gen_enc_modrm(&e, op, &rm);
    shift_flags(op, w, form == 3 ? -1 : (int)(cnt & 31), &rd, &wr, &un);
    gen_need(g, rd);
    gen_emit(g, &e, rd, wr, un);
}

/* shld/shrd; 16-bit counts above 16 give undefined results (SDM), so
 * those forms always know their count. */
void gi_shxd(Gen *g)
{
    int w = gen_width1632(g), form = gen_rand(g, 3), m;
    bool right = gen_chance(g, 50);
    uint32_t cnt = gen_count(g);
    GenEnc e;
    GenRM rm;

    if (w == 16) {
        cnt = gen_rand(g, 17) | (gen_chance(g, 30) ? gen_rand(g, 8) << 5 : 0);
        if (form == 2) {
            form = 1;
        }
    }
    m = form == 2 ? -1 : (int)(cnt & 31);
    gen_group(g);
    gen_rm(g, w, true, form == 1 ? REGBIT(FR_ECX) : 0, 35, &rm);
    gen_enc_init(&e);
    pfx_width(&e, w);
    gen_enc_op(&e, 2, 0x0f, (right ? 0xac : 0xa4) + (form ? 1 : 0));
    gen_enc_modrm(&e, gen_any_reg(g), &rm);
    if (form == 0) {
        gen_enc_imm(&e, cnt, 1);
    } else if (form == 1) {
        uint8_t b[2] = { 0xb1, cnt };

        gen_raw(g, b, 2, 0, 0, 0);
    }
    if (m == 0) {
        gen_emit(g, &e, 0, 0, 0);
    } else if (m < 0) {
        gen_emit(g, &e, 0, 0, F_AF | F_OF);
    } else {
        gen_emit(g, &e, 0, F_CF | F_SF | F_ZF | F_PF | (m == 1 ? F_OF : 0),
                 F_AF | (m > 1 ? F_OF : 0));
    }
}

/* ---- multiply and divide ---- */

void gi_mul(Gen *g)
{
    int form = gen_rand(g, 4), w;
    GenEnc e;
    GenRM rm;

    gen_group(g);
    gen_enc_init(&e);
    if (form < 2) {
        /* mul / imul r/m: AX, DX:AX or EDX:EAX */
        w = gen_width(g);
        pfx_width(&e, w);
        gen_rm(g, w, false, 0, 35, &rm);
        gen_enc_op(&e, 1, 0xf6 + wbit(w));
        gen_enc_modrm(&e, 4 + form, &rm);
    } else {
        w = gen_width1632(g);
        pfx_width(&e, w);
        gen_rm(g, w, false, 0, 35, &rm);
        if (form == 2) {
            gen_enc_op(&e, 2, 0x0f, 0xaf);
        } else if (gen_chance(g, 50)) {
            gen_enc_op(&e, 1, 0x6b);
            gen_enc_imm(&e, gen_imm(g, 8), 1);
        } else {
            gen_enc_op(&e, 1, 0x69);
            imm_w(&e, gen_imm(g, w), w);
        }
        gen_enc_modrm(&e, gen_dst_reg(g, w, 0), &rm);
    }
    gen_emit(g, &e, 0, F_CF | F_OF, F_SF | F_ZF | F_AF | F_PF);
}

static void unary_rm(Gen *g, int w, int regf, const GenRM *rm,
                     uint16_t wr, uint16_t un)
{
    GenEnc e;

    gen_enc_init(&e);
    pfx_width(&e, w);
    gen_enc_op(&e, 1, 0xf6 + wbit(w));
    gen_enc_modrm(&e, regf, rm);
    gen_emit(g, &e, 0, wr, un);
}

/*
 * div/idiv with operands arranged so that no #DE can happen.  Unsigned:
 * divisor |= 2^k and high half &= 2^k - 1, so high < divisor.  Signed:
 * divisor = +-(d & max | 2^k), k >= 1, and the dividend either the sign
 * extension of the low half or a high half below 2^(k-1): the quotient
 * stays inside the signed range either way.
 */
void gi_div(Gen *g)
{
    static const uint8_t div8_regs[] = { 0, 1, 2, 3, 5, 6, 7 }; /* not AH */
    int w = gen_width(g), k;
    bool sgn = gen_chance(g, 50);
    GenRM d, hi;
    uint32_t wmax = w == 32 ? 0xffffffffu : (1u << w) - 1;

    gen_group(g);
    if (gen_chance(g, 25)) {
        gen_mem(g, w / 8, 0, REGBIT(FR_EAX) | REGBIT(FR_EDX), &d);
    } else if (w == 8) {
        gen_rm_reg(&d, div8_regs[gen_rand(g, 7)]);
    } else if (!sgn && gen_chance(g, 15)) {
        gen_rm_reg(&d, FR_ESP + gen_rand(g, 2)); /* fixed, >= 2^11 */
    } else {
        gen_rm_reg(&d, gen_pick(g, GEN_FREE_REGS & ~REGBIT(FR_EDX)));
    }
    gen_rm_reg(&hi, w == 8 ? 4 /* AH */ : FR_EDX);
    if (!sgn) {
        if (!d.mem && w != 8 && (d.reg == FR_ESP || d.reg == FR_EBP)) {
            k = gen_rand(g, w == 16 ? 12 : 24);
        } else {
            k = gen_rand(g, w);
            gen_alu_imm(g, OR, w, &d, 1u << k);
        }
        gen_alu_imm(g, AND, w, &hi, (1u << k) - 1);
    } else {
        k = 1 + gen_rand(g, w - 2);
        gen_alu_imm(g, AND, w, &d, wmax >> 1);
        gen_alu_imm(g, OR, w, &d, 1u << k);
        if (gen_chance(g, 50)) {
            unary_rm(g, w, 3, &d, F_ALL, 0); /* neg */
        }
        if (gen_chance(g, 50)) {
            /* cbw / cwd / cdq */
            uint8_t b[2] = { 0x66, w == 8 ? 0x98 : 0x99 };

            gen_raw(g, w == 32 ? b + 1 : b, w == 32 ? 1 : 2, 0, 0, 0);
        } else {
            gen_alu_imm(g, AND, w, &hi, (1u << (k - 1)) - 1);
        }
    }
    unary_rm(g, w, sgn ? 7 : 6, &d, 0, F_ALL);
}

/* ---- bits ---- */

void gi_bt(Gen *g)
{
    int op = gen_rand(g, 4), w = gen_width1632(g);
    bool writes = op != 0;
    GenEnc e;
    GenRM rm;
    int reg;

    gen_group(g);
    gen_enc_init(&e);
    pfx_width(&e, w);
    if (gen_chance(g, 50)) {
        /* 0F BA /4../7 ib: the offset is taken modulo the width */
        gen_rm(g, w, writes, 0, 40, &rm);
        gen_enc_op(&e, 2, 0x0f, 0xba);
        gen_enc_modrm(&e, 4 + op, &rm);
        gen_enc_imm(&e, gen_rand(g, 256), 1);
    } else {
        if (gen_chance(g, 40)) {
            /* A register offset reaches anywhere in memory (signed): keep
             * it in -128..127 bits by movsx from a byte register. */
            gen_mem(g, w / 8, 16, 0, &rm);
            reg = gen_dst_reg(g, 32, rm.used);
            {
                uint8_t b[3] = { 0x0f, 0xbe, 0xc0 | reg << 3 | gen_any_reg(g) };

                gen_raw(g, b, 3, 0, 0, 0);
            }
        } else {
            gen_rm_reg(&rm, writes ? gen_dst_reg(g, w, 0) : gen_any_reg(g));
            reg = gen_any_reg(g);
        }
        gen_enc_op(&e, 2, 0x0f, 0xa3 + op * 8);
        gen_enc_modrm(&e, reg, &rm);
    }
    if (writes) {
        maybe_lock(g, &e, &rm, 20);
    }
    gen_emit(g, &e, 0, F_CF, F_OF | F_SF | F_AF | F_PF);
}

/* bsf/bsr of a source made nonzero, or skipped when it is zero. */
void gi_bsf(Gen *g)
{
    int w = gen_width1632(g);
    GenEnc e;
    GenRM src;

    gen_group(g);
    gen_rm(g, w, false, 0, 35, &src);
    if (gen_chance(g, 40) && (src.mem || src.reg < 4 || src.reg > 5)) {
        gen_alu_imm(g, OR, w, &src, 1u << gen_rand(g, w));
    } else {
        static const uint8_t jz = 0x74;
        uint32_t br;

        gen_alu_imm(g, CMP, w, &src, 0);
        br = gen_branch(g, &jz, 1, true, F_ZF);
        gen_open(g, br, true, 1);
    }
    gen_enc_init(&e);
    pfx_width(&e, w);
    gen_enc_op(&e, 2, 0x0f, gen_chance(g, 50) ? 0xbc : 0xbd);
    gen_enc_modrm(&e, gen_dst_reg(g, w, 0), &src);
    gen_emit(g, &e, 0, F_ZF, F_CF | F_OF | F_SF | F_AF | F_PF);
}

/* ---- flag readers ---- */

/* A condition, mostly one whose flags are all defined here (else
 * gen_need() puts a compare first, and what came before goes unread). */
static int pick_cc(Gen *g)
{
    int cc = gen_rand(g, 16);

    for (int i = 0; i < 8 && (gen_cond_reads[cc] & g->u); i++) {
        cc = gen_rand(g, 16);
    }
    return cc;
}

void gi_setcc(Gen *g)
{
    GenEnc e;
    GenRM rm;
    int cc;

    gen_group(g);
    cc = pick_cc(g);
    gen_rm(g, 8, true, 0, 30, &rm);
    gen_enc_init(&e);
    gen_enc_op(&e, 2, 0x0f, 0x90 + cc);
    gen_enc_modrm(&e, 0, &rm);
    gen_need(g, gen_cond_reads[cc]);
    gen_emit(g, &e, gen_cond_reads[cc], 0, 0);
}

void gi_cmov(Gen *g)
{
    int w = gen_width1632(g), cc;
    GenEnc e;
    GenRM rm;

    gen_group(g);
    cc = pick_cc(g);
    gen_rm(g, w, false, 0, 30, &rm);
    gen_enc_init(&e);
    pfx_width(&e, w);
    gen_enc_op(&e, 2, 0x0f, 0x40 + cc);
    gen_enc_modrm(&e, gen_dst_reg(g, w, 0), &rm);
    gen_need(g, gen_cond_reads[cc]);
    gen_emit(g, &e, gen_cond_reads[cc], 0, 0);
}

/* Forward jcc, jmp, loop, loope, loopne, jecxz over 1-4 groups. */
void gi_branch_kind(Gen *g, int kind)
{
    uint8_t op[2];
    int n = 0, cc;
    bool rel8 = true;
    uint16_t rd = 0;
    uint32_t br;

    gen_group(g);
    cc = pick_cc(g);
    if (kind < 5) {
        rd = gen_cond_reads[cc];
        rel8 = gen_chance(g, 70);
        if (rel8) {
            op[n++] = 0x70 + cc;
        } else {
            op[n++] = 0x0f;
            op[n++] = 0x80 + cc;
        }
    } else if (kind == 5) {
        rel8 = gen_chance(g, 60);
        op[n++] = rel8 ? 0xeb : 0xe9;
    } else {
        /* e0 loopne, e1 loope, e2 loop, e3 jecxz; 0x67 makes them count
         * with CX. */
        static const uint8_t ops[] = { 0xe0, 0xe1, 0xe2, 0xe3 };
        int which = kind - 6;
        bool a16 = gen_chance(g, 25);

        if (gen_chance(g, 40)) {
            uint32_t v = gen_chance(g, 50) ? gen_rand(g, 3) : gen_imm(g, 32);
            uint8_t b[6] = { 0x66, 0xb9, v, v >> 8, v >> 16, v >> 24 };

            if (a16) {
                gen_raw(g, b, 4, 0, 0, 0);
            } else {
                gen_raw(g, b + 1, 5, 0, 0, 0);
            }
        }
        if (a16) {
            op[n++] = 0x67;
        }
        op[n++] = ops[which];
        rd = which < 2 ? F_ZF : 0;
    }
    gen_need(g, rd);
    br = gen_branch(g, op, n, rel8, rd);
    gen_open(g, br, rel8, 1 + gen_rand(g, 4));
}

void gi_branch(Gen *g)
{
    gi_branch_kind(g, gen_rand(g, 10));
}

/* ---- moves ---- */

void gi_mov(Gen *g)
{
    int w = gen_width(g), form = gen_rand(g, 6);
    GenEnc e;
    GenRM rm;

    gen_group(g);
    gen_enc_init(&e);
    switch (form) {
    case 0: /* 88/89 r/m, reg */
        pfx_width(&e, w);
        gen_rm(g, w, true, 0, 50, &rm);
        gen_enc_op(&e, 1, 0x88 + wbit(w));
        gen_enc_modrm(&e, gen_any_reg(g), &rm);
        break;
    case 1: /* 8A/8B reg, r/m */
        pfx_width(&e, w);
        gen_rm(g, w, false, 0, 50, &rm);
        gen_enc_op(&e, 1, 0x8a + wbit(w));
        gen_enc_modrm(&e, gen_dst_reg(g, w, 0), &rm);
        break;
    case 2: /* B0+r / B8+r */
        pfx_width(&e, w);
        gen_enc_op(&e, 1, (w == 8 ? 0xb0 : 0xb8) + gen_dst_reg(g, w, 0));
        imm_w(&e, gen_imm(g, w), w);
        break;
    case 3: /* C6/C7 /0 */
        pfx_width(&e, w);
        gen_rm(g, w, true, 0, 50, &rm);
        gen_enc_op(&e, 1, 0xc6 + wbit(w));
        gen_enc_modrm(&e, 0, &rm);
        imm_w(&e, gen_imm(g, w), w);
        break;
    case 4: { /* A0-A3: AL/AX/EAX and a moffs32 */
        uint32_t a = gen_in_range(g, FUZZ_DATA_ADDR + 64,
                                  FUZZ_DATA_ADDR + FUZZ_DATA_SIZE - 72);

        pfx_width(&e, w);
        if (gen_chance(g, 15)) {
            gen_enc_pfx(&e, 0x3e);
        }
        gen_enc_op(&e, 1, 0xa0 + (gen_chance(g, 50) ? 2 : 0) + wbit(w));
        gen_enc_imm(&e, a, 4);
        break;
    }
    default: { /* movzx / movsx */
        int sw = gen_chance(g, 60) ? 8 : 16;

        w = gen_width1632(g);
        pfx_width(&e, w);
        gen_rm(g, sw, false, 0, 35, &rm);
        gen_enc_op(&e, 2, 0x0f, (gen_chance(g, 50) ? 0xb6 : 0xbe) +
                                    (sw == 16 ? 1 : 0));
        gen_enc_modrm(&e, gen_dst_reg(g, w, 0), &rm);
        break;
    }
    }
    gen_emit(g, &e, 0, 0, 0);
}

void gi_lea(Gen *g)
{
    int w = gen_width1632(g);
    GenEnc e;
    GenRM rm;

    gen_group(g);
    gen_lea_rm(g, &rm);
    gen_enc_init(&e);
    pfx_width(&e, w);
    gen_enc_op(&e, 1, 0x8d);
    gen_enc_modrm(&e, gen_dst_reg(g, w, 0), &rm);
    gen_emit(g, &e, 0, 0, 0);
}

/* xchg, xadd, cmpxchg, cmpxchg8b */
void gi_xchg(Gen *g)
{
    int kind = gen_rand(g, 5), w = gen_width(g);
    GenEnc e;
    GenRM rm;

    gen_group(g);
    gen_enc_init(&e);
    if (kind == 0) {
        /* 90+r: xchg eAX, r (90 itself is nop) */
        w = gen_width1632(g);
        pfx_width(&e, w);
        gen_enc_op(&e, 1, 0x90 + gen_dst_reg(g, w, 0));
        gen_emit(g, &e, 0, 0, 0);
        return;
    }
    if (kind == 4) {
        /* cmpxchg8b m64; EDX:EAX loaded from it now and then, so that it
         * succeeds. */
        gen_mem(g, 8, 0, REGBIT(FR_EAX) | REGBIT(FR_EDX), &rm);
        if (gen_chance(g, 40) && rm.ndisp == 4) {
            GenRM hi = rm;
            GenEnc l;

            hi.disp += 4;
            for (int half = 0; half < 2; half++) {
                gen_enc_init(&l);
                gen_enc_op(&l, 1, 0x8b);
                gen_enc_modrm(&l, half ? FR_EDX : FR_EAX, half ? &hi : &rm);
                gen_emit(g, &l, 0, 0, 0);
            }
        }
        maybe_lock(g, &e, &rm, 30);
        gen_enc_op(&e, 2, 0x0f, 0xc7);
        gen_enc_modrm(&e, 1, &rm);
        gen_emit(g, &e, 0, F_ZF, 0);
        return;
    }
    pfx_width(&e, w);
    gen_rm(g, w, true, kind == 3 ? REGBIT(FR_EAX) : 0, 40, &rm);
    maybe_lock(g, &e, &rm, 25);
    switch (kind) {
    case 1: /* 86/87 */
        gen_enc_op(&e, 1, 0x86 + wbit(w));
        gen_enc_modrm(&e, gen_dst_reg(g, w, 0), &rm);
        gen_emit(g, &e, 0, 0, 0);
        break;
    case 2: /* xadd */
        gen_enc_op(&e, 2, 0x0f, 0xc0 + wbit(w));
        gen_enc_modrm(&e, gen_dst_reg(g, w, 0), &rm);
        gen_emit(g, &e, 0, F_ALL, 0);
        break;
    default: /* cmpxchg, the accumulator loaded from r/m now and then */
        if (gen_chance(g, 40)) {
            GenEnc l;

            gen_enc_init(&l);
            pfx_width(&l, w);
            gen_enc_op(&l, 1, 0x8a + wbit(w));
            gen_enc_modrm(&l, FR_EAX, &rm);
            gen_emit(g, &l, 0, 0, 0);
        }
        gen_enc_op(&e, 2, 0x0f, 0xb0 + wbit(w));
        gen_enc_modrm(&e, gen_any_reg(g), &rm);
        gen_emit(g, &e, 0, F_ALL, 0);
        break;
    }
}
