/*
 * Random program generator: stack, BCD, string, the groups that fault,
 * the small instructions, and gen_one(), which picks the next group.
 */
#include <stdio.h>
#include <stdlib.h>

#include "tests/fuzz/gen-internal.h"

/* ---- stack ---- */

/* [esp + K] as a memory operand. */
static void esp_rm(GenRM *rm, int k)
{
    gen_rm_reg(rm, 0);
    rm->mem = true;
    rm->rm = 4;
    rm->has_sib = true;
    rm->sib = 0x24;
    rm->mod = k ? 1 : 0;
    rm->ndisp = k ? 1 : 0;
    rm->disp = k;
}

/* Push something; returns the bytes pushed. */
static int push_one(Gen *g)
{
    int size = gen_chance(g, 25) ? 2 : 4;
    GenEnc e;
    GenRM rm;

    gen_enc_init(&e);
    if (size == 2) {
        gen_enc_pfx(&e, 0x66);
    }
    switch (gen_rand(g, 4)) {
    case 0: /* push r: ESP and EBP too (push esp pushes the old value) */
        gen_enc_op(&e, 1, 0x50 + gen_any_reg(g));
        break;
    case 1:
        gen_enc_op(&e, 1, 0x6a);
        gen_enc_imm(&e, gen_imm(g, 8), 1);
        break;
    case 2:
        gen_enc_op(&e, 1, 0x68);
        gen_enc_imm(&e, gen_imm(g, 32), size);
        break;
    default: /* FF /6, [esp + d] addressed before the decrement */
        gen_rm(g, size * 8, false, 0, 70, &rm);
        gen_enc_op(&e, 1, 0xff);
        gen_enc_modrm(&e, 6, &rm);
        break;
    }
    gen_emit(g, &e, 0, 0, 0);
    g->esp_off += size;
    return size;
}

static void pop_one(Gen *g, int size, bool cheap)
{
    GenEnc e;
    GenRM rm;

    gen_enc_init(&e);
    if (size == 2) {
        gen_enc_pfx(&e, 0x66);
    }
    /* pop r/m with an ESP base addresses after the increment (SDM POP). */
    g->esp_off -= size;
    if (cheap || gen_chance(g, 70)) {
        gen_enc_op(&e, 1, 0x58 + gen_dst_reg(g, size * 8, 0));
    } else {
        gen_rm(g, size * 8, true, 0, 60, &rm);
        gen_enc_op(&e, 1, 0x8f);
        gen_enc_modrm(&e, 0, &rm);
    }
    gen_emit(g, &e, 0, 0, 0);
}

/* Balanced pushes and pops, something done to the pushed data between. */
static void gi_push_pop(Gen *g)
{
    static const int ops[] = { ADD, OR, AND, SUB, XOR };
    int total = 0, np = 1 + gen_rand(g, 3);
    GenEnc e;
    GenRM rm;

    for (int i = 0; i < np; i++) {
        total += push_one(g);
    }
    if (gen_chance(g, 50)) {
        int op = ops[gen_rand(g, 5)], w = gen_chance(g, 30) ? 16 : 32;
        uint16_t rd, wr, un;

        esp_rm(&rm, gen_rand(g, total));
        gen_enc_init(&e);
        pfx_width(&e, w);
        if (gen_chance(g, 30)) {
            gen_enc_op(&e, 1, 0x8b); /* read it back */
            gen_enc_modrm(&e, gen_dst_reg(g, w, 0), &rm);
            gen_emit(g, &e, 0, 0, 0);
        } else {
            gen_alu_flags(op, &rd, &wr, &un);
            gen_enc_op(&e, 1, op * 8 + 1);
            gen_enc_modrm(&e, gen_any_reg(g), &rm);
            gen_emit(g, &e, rd, wr, un);
        }
    }
    while (total > 0) {
        int size = total >= 4 && gen_chance(g, 70) ? 4 : 2;

        pop_one(g, size, g->bytes - g->group_start > 30);
        total -= size;
    }
}

static void gi_stack(Gen *g)
{
    int w = gen_chance(g, 30) ? 16 : 32;
    uint8_t b[8];
    int n = 0, r;
    GenRM top;

    gen_group(g);
    esp_rm(&top, 0);
    if (w == 16) {
        b[n++] = 0x66;
    }
    switch (gen_rand(g, 7)) {
    case 0:
    case 1:
        gi_push_pop(g);
        break;
    case 6: { /* enter size, level; use the frame; leave */
        uint32_t size = gen_rand(g, 64) * (gen_chance(g, 50) ? 4 : 1);
        uint8_t en[4] = { 0xc8, size, size >> 8,
                          gen_chance(g, 60) ? 0 : 1 + gen_rand(g, 3) };
        bool load = gen_chance(g, 50);
        /* A store must spare [ebp], the saved EBP that leave pops. */
        uint8_t mv[3] = { load ? 0x8b : 0x89,
                          0x45 | (load ? gen_dst_reg(g, 32, 0)
                                       : gen_any_reg(g)) << 3,
                          (uint8_t)(-4 * (int)gen_rand(g, 16) -
                                    (load ? 0 : 4)) };
        uint8_t lv = 0xc9;

        gen_raw(g, en, 4, 0, 0, 0);
        if (gen_chance(g, 60)) {
            gen_raw(g, mv, 3, 0, 0, 0); /* mov r32, [ebp-k] or back */
        }
        gen_raw(g, &lv, 1, 0, 0, 0);
        break;
    }
    case 2: /* pusha, a pushed register changed (not EBP's slot), popa */
        b[n] = 0x60;
        gen_raw(g, b, n + 1, 0, 0, 0);
        g->esp_off += w;
        if (gen_chance(g, 70)) {
            static const int slots[] = { 0, 1, 3, 4, 5, 6, 7 };
            GenRM rm;

            esp_rm(&rm, slots[gen_rand(g, 7)] * (w / 8));
            gen_alu_imm(g, ADD, w, &rm, gen_imm(g, 8));
        }
        b[n] = 0x61;
        gen_raw(g, b, n + 1, 0, 0, 0);
        break;
    case 3: /* pushf; keep the arithmetic flags and DF; pop r */
        gen_need(g, F_ALL);
        b[n] = 0x9c;
        gen_raw(g, b, n + 1, F_ALL, 0, 0);
        gen_alu_imm(g, AND, w, &top, FUZZ_FLAGS_CMP);
        b[n] = 0x58 + gen_dst_reg(g, w, 0);
        gen_raw(g, b, n + 1, 0, 0, 0);
        break;
    case 4: /* push value; keep the arithmetic flags and DF; popf */
        b[n] = 0x50 + gen_any_reg(g);
        gen_raw(g, b, n + 1, 0, 0, 0);
        gen_alu_imm(g, AND, w, &top, FUZZ_FLAGS_CMP);
        b[n] = 0x9d;
        gen_raw(g, b, n + 1, 0, F_ALL, 0);
        break;
    default: /* call and ret, within the group */
        r = gen_dst_reg(g, 32, 0);
        switch (gen_rand(g, 5)) {
        case 0: { /* call next; pop r */
            static const uint8_t c[] = { 0xe8, 0, 0, 0, 0 };

            gen_raw(g, c, 5, 0, 0, 0);
            b[0] = 0x58 + r;
            gen_raw(g, b, 1, 0, 0, 0);
            break;
        }
        case 1: { /* call L; jmp +1; L: ret */
            static const uint8_t c[] = { 0xe8, 2, 0, 0, 0, 0xeb, 1, 0xc3 };

            gen_raw(g, c, 5, 0, 0, 0);
            gen_raw(g, c + 5, 2, 0, 0, 0);
            gen_raw(g, c + 7, 1, 0, 0, 0);
            break;
        }
        case 2: { /* push imm; call L; jmp +3; L: ret 4 */
            static const uint8_t c[] = { 0xe8, 2, 0, 0, 0, 0xeb, 3,
                                         0xc2, 4, 0 };
            uint32_t v = gen_imm(g, 32);
            uint8_t p[5] = { 0x68, v, v >> 8, v >> 16, v >> 24 };

            gen_raw(g, p, 5, 0, 0, 0);
            gen_raw(g, c, 5, 0, 0, 0);
            gen_raw(g, c + 5, 2, 0, 0, 0);
            gen_raw(g, c + 7, 3, 0, 0, 0);
            break;
        }
        default: { /* call next; pop r; add r, k; jmp r / call r ... */
            static const uint8_t c[] = { 0xe8, 0, 0, 0, 0 };
            bool call = gen_chance(g, 50);
            uint8_t add[3] = { 0x83, 0xc0 | r, call ? 8 : 6 };
            uint8_t jmp[2] = { 0xff, (call ? 0xd0 : 0xe0) | r };
            static const uint8_t tail[] = { 0xeb, 1, 0xc3 };

            gen_raw(g, c, 5, 0, 0, 0);
            b[0] = 0x58 + r;
            gen_raw(g, b, 1, 0, 0, 0);
            gen_raw(g, add, 3, 0, F_ALL, 0);
            gen_raw(g, jmp, 2, 0, 0, 0);
            if (call) {
                gen_raw(g, tail, 2, 0, 0, 0);
                gen_raw(g, tail + 2, 1, 0, 0, 0);
            }
            break;
        }
        }
        break;
    }
}

/* ---- BCD ---- */

static void gi_bcd(Gen *g)
{
    static const struct {
        uint8_t op;
        uint16_t rd, wr, un;
    } ops[] = {
        { 0x27, F_AF | F_CF, F_SZAPC, F_OF },                /* daa */
        { 0x2f, F_AF | F_CF, F_SZAPC, F_OF },                /* das */
        { 0x37, F_AF, F_AF | F_CF, F_OF | F_SF | F_ZF | F_PF }, /* aaa */
        { 0x3f, F_AF, F_AF | F_CF, F_OF | F_SF | F_ZF | F_PF }, /* aas */
        { 0xd4, 0, F_SF | F_ZF | F_PF, F_OF | F_AF | F_CF },  /* aam */
        { 0xd5, 0, F_SF | F_ZF | F_PF, F_OF | F_AF | F_CF },  /* aad */
    };
    int k = gen_rand(g, 6);
    uint8_t b[2] = { ops[k].op, 10 };

    gen_group(g);
    if (gen_chance(g, 50)) {
        /* add/sub al, imm8 or r8 first, as BCD code does */
        uint8_t a[2];

        if (gen_chance(g, 50)) {
            a[0] = gen_chance(g, 50) ? 0x04 : 0x2c;
            a[1] = gen_rand(g, 256);
        } else {
            a[0] = gen_chance(g, 50) ? 0x02 : 0x2a;
            a[1] = 0xc0 | gen_any_reg(g);
        }
        gen_raw(g, a, 2, 0, F_ALL, 0);
    }
    gen_need(g, ops[k].rd);
    if (k >= 4 && gen_chance(g, 50)) {
        b[1] = k == 4 ? 1 + gen_rand(g, 255) : gen_rand(g, 256);
    }
    gen_raw(g, b, k >= 4 ? 2 : 1, ops[k].rd, ops[k].wr, ops[k].un);
}

/* ---- strings ---- */

/* An address with ROOM bytes either side, in the data or stack area. */
static uint32_t string_addr(Gen *g, uint32_t room)
{
    if (gen_chance(g, 20)) {
        return gen_in_range(g, FUZZ_STACK_ADDR + room,
                            FUZZ_STACK_ADDR + FUZZ_STACK_SIZE - room);
    }
    return gen_in_range(g, FUZZ_DATA_ADDR + room,
                        FUZZ_DATA_ADDR + FUZZ_DATA_SIZE - room);
}

static void gi_string(Gen *g)
{
    static const uint8_t ops[] = { 0xa4, 0xa6, 0xaa, 0xac, 0xae };
    static const uint8_t segs[] = { 0x26, 0x2e, 0x36, 0x3e };
    int op = gen_rand(g, 5), w = gen_width(g), n = gen_rand(g, 17);
    bool rep = gen_chance(g, 60), cmp = op == 1 || op == 4;
    bool src = op <= 1 || op == 3, dst = op != 3;
    uint32_t room = 17 * (w / 8) + 8, si = string_addr(g, room), di;
    GenEnc e;

    di = string_addr(g, room);
    if (op == 0 && gen_chance(g, 30)) {
        di = si + gen_rand(g, 17) - 8; /* overlapping moves */
    }
    gen_group(g);
    if (src) {
        gen_set_pointer(g, FR_ESI, si);
    }
    if (dst) {
        gen_set_pointer(g, FR_EDI, di);
    }
    if (rep) {
        gen_mov_imm32(g, FR_ECX, n);
    }
    if (gen_chance(g, 70)) {
        /* else DF as it is: the room is there both ways */
        uint8_t d = gen_chance(g, 50) ? 0xfc : 0xfd;

        gen_raw(g, &d, 1, 0, 0, 0);
    }
    gen_enc_init(&e);
    pfx_width(&e, w);
    if (rep) {
        gen_enc_pfx(&e, cmp && gen_chance(g, 50) ? 0xf2 : 0xf3);
    }
    if (src && gen_chance(g, 20)) {
        /* The source segment can be overridden; cs is readable. */
        gen_enc_pfx(&e, segs[gen_rand(g, 4)]);
    }
    gen_enc_op(&e, 1, ops[op] + wbit(w));
    gen_emit(g, &e, 0, cmp && !(rep && n == 0) ? F_ALL : 0, 0);
}

static void gi_xlat(Gen *g)
{
    uint8_t b[2] = { 0x3e, 0xd7 };

    gen_group(g);
    gen_set_pointer(g, FR_EBX,
                    gen_in_range(g, FUZZ_DATA_ADDR + 64,
                                 FUZZ_DATA_ADDR + FUZZ_DATA_SIZE - 320));
    if (gen_chance(g, 20)) {
        gen_raw(g, b, 2, 0, 0, 0);
    } else {
        gen_raw(g, b + 1, 1, 0, 0, 0);
    }
}

static void gi_consumer(Gen *g);

/* ---- faults ---- */

/* #UD: ud2, or LOCK where it is not allowed (SDM Vol. 2A, LOCK: on a
 * register destination, or on an instruction outside the lockable list). */
static void fault_ud(Gen *g)
{
    GenEnc e;
    GenRM rm;

    g->p->fault_vector = 6;
    gen_enc_init(&e);
    gen_enc_pfx(&e, 0xf0);
    switch (gen_rand(g, 5)) {
    case 0: /* ud2, lock prefix dropped */
        e.npfx = 0;
        gen_enc_op(&e, 2, 0x0f, 0x0b);
        break;
    case 1: /* lock add r, r */
        gen_enc_op(&e, 1, 0x01);
        gen_rm_reg(&rm, gen_any_reg(g));
        gen_enc_modrm(&e, gen_any_reg(g), &rm);
        break;
    case 2: /* lock inc r / lock not r */
        gen_enc_op(&e, 1, 0xff - gen_rand(g, 2) * 8);
        gen_rm_reg(&rm, gen_any_reg(g));
        gen_enc_modrm(&e, gen_chance(g, 50) ? 0 : 2, &rm);
        if (e.op[0] == 0xff && e.regf == 2) {
            e.op[0] = 0xf7;
        }
        break;
    case 3: /* lock mov [mem], r / lock cmp [mem], r */
        gen_mem(g, 4, 0, 0, &rm);
        gen_enc_op(&e, 1, gen_chance(g, 50) ? 0x89 : 0x39);
        gen_enc_modrm(&e, gen_any_reg(g), &rm);
        break;
    default: /* lock bt [mem], imm: BT alone cannot be locked */
        gen_mem(g, 4, 0, 0, &rm);
        gen_enc_op(&e, 2, 0x0f, 0xba);
        gen_enc_modrm(&e, 4, &rm);
        gen_enc_imm(&e, gen_rand(g, 32), 1);
        break;
    }
    gen_emit(g, &e, 0, 0, 0);
}

/* #GP: a write through CS (a code segment is never writable, SDM Vol. 3A,
 * 5.4.1; the native CS is flat too, but execute/read). */
static void fault_cs_write(Gen *g)
{
    GenEnc e;
    GenRM rm;
    int w = gen_width(g);

    g->p->fault_vector = 13;
    gen_mem(g, w / 8, 0, 0, &rm);
    rm.seg = 0x2e;
    gen_enc_init(&e);
    pfx_width(&e, w);
    if (gen_chance(g, 50)) {
        gen_enc_op(&e, 1, 0x88 + wbit(w)); /* mov cs:[mem], r */
        gen_enc_modrm(&e, gen_any_reg(g), &rm);
    } else {
        gen_enc_op(&e, 1, 0xfe + wbit(w)); /* inc cs:[mem] */
        gen_enc_modrm(&e, 0, &rm);
    }
    gen_emit(g, &e, 0, 0, 0);
}

/* A group that raises #DE, #UD or #GP; nothing runs after it. */
void gi_fault(Gen *g)
{
    static const uint8_t idiv_ovf[] = {
        0xb8, 0, 0, 0, 0x80, /* mov eax, 0x80000000 */
        0x99,                /* cdq */
        0xb9, 0xff, 0xff, 0xff, 0xff, /* mov ecx, -1 */
        0xf7, 0xf9,          /* idiv ecx */
    };
    int r = gen_pick(g, GEN_FREE_REGS & ~(REGBIT(FR_EAX) | REGBIT(FR_EDX)));
    uint8_t b[3];

    /* Land every open branch here: none may jump over the fault. */
    for (int i = 0; i < g->nopen; i++) {
        g->open[i].groups_left = 1;
    }
    gen_group(g);
    g->p->fault_group = g->p->ngroups - 1;
    g->p->fault_vector = 0;
    g->ended = true;
    if (gen_chance(g, 30)) {
        fault_ud(g);
        return;
    }
    if (gen_chance(g, 15)) {
        fault_cs_write(g);
        return;
    }
    switch (gen_rand(g, 4)) {
    case 0: /* div by zero */
        gen_mov_imm32(g, r, 0);
        b[0] = 0xf7;
        b[1] = 0xf0 | r;
        gen_raw(g, b, 2, 0, 0, F_ALL);
        break;
    case 1: /* quotient overflow */
        gen_raw(g, idiv_ovf, 5, 0, 0, 0);
        gen_raw(g, idiv_ovf + 5, 1, 0, 0, 0);
        gen_raw(g, idiv_ovf + 6, 5, 0, 0, 0);
        gen_raw(g, idiv_ovf + 11, 2, 0, 0, F_ALL);
        break;
    case 2: /* aam 0 */
        b[0] = 0xd4;
        b[1] = 0;
        gen_raw(g, b, 2, 0, F_SF | F_ZF | F_PF, F_OF | F_AF | F_CF);
        break;
    default: { /* ax = 0xffff / cl = 1 */
        static const uint8_t ovf8[] = { 0x66, 0xb8, 0xff, 0xff, 0xb1, 0x01,
                                        0xf6, 0xf1 };

        gen_raw(g, ovf8, 4, 0, 0, 0);
        gen_raw(g, ovf8 + 4, 2, 0, 0, 0);
        gen_raw(g, ovf8 + 6, 2, 0, 0, F_ALL);
        break;
    }
    }
}

/* ---- the small ones ---- */

static void carry_op(Gen *g)
{
    uint8_t b;

    switch (gen_rand(g, 3)) {
    case 0: b = 0xf8; gen_raw(g, &b, 1, 0, F_CF, 0); break;
    case 1: b = 0xf9; gen_raw(g, &b, 1, 0, F_CF, 0); break;
    default:
        gen_need(g, F_CF);
        b = 0xf5;
        gen_raw(g, &b, 1, F_CF, F_CF, 0);
        break;
    }
}

/* clc stc cmc sahf: writers of some of the flags. */
static void gi_partial_flags(Gen *g)
{
    uint8_t b = 0x9e;

    gen_group(g);
    if (gen_chance(g, 70)) {
        carry_op(g);
    } else {
        gen_raw(g, &b, 1, 0, F_SZAPC, 0);
    }
}

static void gi_misc(Gen *g)
{
    int w = gen_width1632(g), r = gen_dst_reg(g, 32, 0);
    uint8_t b[8] = { 0x66 };
    int o = w == 16 ? 1 : 0; /* b + o: without the 0x66 for 32 bits */

    gen_group(g);
    switch (gen_rand(g, 11)) {
    case 0: /* bswap r32 (16-bit is undefined) */
        b[1] = 0x0f;
        b[2] = 0xc8 + r;
        gen_raw(g, b + 1, 2, 0, 0, 0);
        break;
    case 1: /* cbw cwde / cwd cdq */
        b[1] = gen_chance(g, 50) ? 0x98 : 0x99;
        gen_raw(g, b + 1 - o, 1 + o, 0, 0, 0);
        break;
    case 2: /* lahf */
        gen_need(g, F_SZAPC);
        b[0] = 0x9f;
        gen_raw(g, b, 1, F_SZAPC, 0, 0);
        break;
    case 3: /* sahf */
        b[0] = 0x9e;
        gen_raw(g, b, 1, 0, F_SZAPC, 0);
        break;
    case 4: /* clc stc cmc */
        carry_op(g);
        break;
    case 5: /* cld std */
        b[0] = gen_chance(g, 50) ? 0xfc : 0xfd;
        gen_raw(g, b, 1, 0, 0, 0);
        break;
    case 6: /* salc: AL = CF ? ff : 0, undocumented but on every x86 */
        gen_need(g, F_CF);
        b[0] = 0xd6;
        gen_raw(g, b, 1, F_CF, 0, 0);
        break;
    case 7: /* nop forms: 90, 66 90, pause, 0F 1F /0 */
        switch (gen_rand(g, 4)) {
        case 0: b[0] = 0x90; gen_raw(g, b, 1, 0, 0, 0); break;
        case 1: b[1] = 0x90; gen_raw(g, b, 2, 0, 0, 0); break;
        case 2: b[0] = 0xf3; b[1] = 0x90; gen_raw(g, b, 2, 0, 0, 0); break;
        default: {
            GenEnc e;
            GenRM rm;

            gen_lea_rm(g, &rm);
            gen_enc_init(&e);
            pfx_width(&e, w);
            gen_enc_op(&e, 2, 0x0f, 0x1f);
            gen_enc_modrm(&e, 0, &rm);
            gen_emit(g, &e, 0, 0, 0);
            break;
        }
        }
        break;
    default: /* a fresh value */
        switch (gen_rand(g, 4)) {
        case 0: {
            uint32_t v = gen_imm(g, 32);
            uint8_t m[2] = { 0xb0 + gen_any_reg(g), v };

            gen_raw(g, m, 2, 0, 0, 0);
            break;
        }
        case 1: /* xor r, r / sub r, r */
            b[1] = gen_chance(g, 50) ? 0x31 : 0x29;
            b[2] = 0xc0 | r << 3 | r;
            gen_raw(g, b + 1 - o, 2 + o, 0,
                    b[1] == 0x31 ? F_ALL & ~F_AF : F_ALL,
                    b[1] == 0x31 ? F_AF : 0);
            break;
        default:
            gen_mov_imm32(g, r, gen_imm(g, 32));
            break;
        }
        break;
    }
}

/* A flag reader, put after a flag writer now and then. */
/* A flag writer, writers of some flags, a reader: the lazy flags, and the
 * optimizer's flag liveness, across partial writers and blocks. */
static void gi_chain(Gen *g)
{
    static void (*const partial[])(Gen *g) = {
        gi_unary, gi_shift, gi_bt, gi_bsf, gi_partial_flags, gi_shxd,
        gi_mov, gi_lea, gi_branch,
    };
    int n = 1 + gen_rand(g, 3);

    gi_alu(g);
    for (int i = 0; i < n; i++) {
        partial[gen_rand(g, sizeof(partial) / sizeof(partial[0]))](g);
    }
    gi_consumer(g);
}

static void gi_consumer(Gen *g)
{
    switch (gen_rand(g, 5)) {
    case 0: gi_setcc(g); break;
    case 1: gi_cmov(g); break;
    case 2: gi_branch_kind(g, 0); break;
    case 3: gi_alu_op(g, gen_chance(g, 50) ? ADC : SBB); break;
    default: gi_bcd(g); break;
    }
}

void gen_one(Gen *g)
{
    static const struct {
        void (*fn)(Gen *g);
        int weight;
    } fams[] = {
        { gi_alu, 16 }, { gi_unary, 5 }, { gi_shift, 9 }, { gi_shxd, 4 },
        { gi_mul, 5 }, { gi_div, 4 }, { gi_bt, 4 }, { gi_bsf, 3 },
        { gi_setcc, 4 }, { gi_cmov, 4 }, { gi_branch, 7 }, { gi_mov, 6 },
        { gi_lea, 3 }, { gi_xchg, 5 }, { gi_stack, 5 }, { gi_bcd, 4 },
        { gi_string, 5 }, { gi_xlat, 1 }, { gi_misc, 8 }, { gi_chain, 6 },
    };
    int total = 0, pick;
    uint16_t wr;

    if (gen_rand(g, 2000) < 3) {
        gi_fault(g);
        return;
    }
    for (size_t i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
        total += fams[i].weight;
    }
    pick = gen_rand(g, total);
    for (size_t i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
        if (pick < fams[i].weight) {
            fams[i].fn(g);
            break;
        }
        pick -= fams[i].weight;
    }
    wr = g->p->n ? g->p->insn[g->p->n - 1].wr : 0;
    if (wr && gen_chance(g, 30)) {
        gi_consumer(g);
    }
}
