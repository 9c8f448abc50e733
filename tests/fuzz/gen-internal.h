/*
 * The generator's internals, shared by gen.c (program, operands,
 * encoding, assembly) and gen-insns.c (one function per instruction
 * family).
 */
#ifndef TESTS_FUZZ_GEN_INTERNAL_H
#define TESTS_FUZZ_GEN_INTERNAL_H

#include "tests/fuzz/gen.h"

/* Registers a group may write (not ESP, EBP), as a mask by number. */
#define GEN_FREE_REGS 0xcfu
#define REGBIT(r) (1u << (r))

/* A forward branch waiting for its target: the start of a later group. */
typedef struct GenOpenBranch {
    uint32_t insn;        /* the branch instruction */
    uint32_t bytes_at;    /* code bytes up to its end */
    uint16_t u;           /* flags that may be undefined when it jumps */
    int groups_left;      /* groups to jump over */
    bool rel8;
} GenOpenBranch;

#define GEN_MAX_OPEN 16
/* A group is at most this long, so a rel8 closed before it starts always
 * reaches (checked again by gen_assemble()). */
#define GEN_MAX_GROUP_BYTES 60

typedef struct Gen {
    FuzzRng rng;
    GenProg *p;
    uint16_t u;           /* flags that may be undefined now */
    uint32_t bytes;       /* code bytes so far */
    uint32_t group_start; /* bytes at the current group's start */
    int esp_off;          /* bytes pushed so far in the current group */
    GenOpenBranch open[GEN_MAX_OPEN];
    int nopen;
    bool ended;           /* a group that faults ended the program */
} Gen;

/* A ModRM operand: a register (mod 3) or a memory address. */
typedef struct GenRM {
    bool mem;
    uint8_t reg;          /* register operand */
    uint8_t mod, rm;
    bool has_sib;
    uint8_t sib;
    uint8_t ndisp;        /* 0, 1, 2 or 4 */
    uint32_t disp;
    uint8_t seg;          /* segment override prefix, or 0 */
    bool addr16;          /* 0x67: 16-bit addressing (lea/nop only) */
    unsigned used;        /* scratch registers the address depends on */
} GenRM;

/* One instruction being encoded. */
typedef struct GenEnc {
    uint8_t pfx[8];
    int npfx;
    uint8_t op[3];
    int nop;
    bool has_modrm;
    uint8_t regf;         /* ModRM reg field */
    GenRM rm;
    uint8_t imm[4];
    int nimm;
} GenEnc;

/* Flags each condition code reads (SDM Vol. 1, Appendix B). */
extern const uint16_t gen_cond_reads[16];

/* ---- gen.c ---- */
uint32_t gen_rand(Gen *g, uint32_t n);
bool gen_chance(Gen *g, unsigned pct);
uint32_t gen_imm(Gen *g, int width);
int gen_width(Gen *g);
int gen_width1632(Gen *g);
int gen_pick(Gen *g, unsigned mask);
int gen_dst_reg(Gen *g, int width, unsigned avoid);
int gen_any_reg(Gen *g);

void gen_group(Gen *g);
void gen_raw(Gen *g, const uint8_t *b, int len, uint16_t rd, uint16_t wr,
             uint16_t un);
uint32_t gen_branch(Gen *g, const uint8_t *op, int oplen, bool rel8,
                    uint16_t rd);
void gen_open(Gen *g, uint32_t insn, bool rel8, int groups);
void gen_need(Gen *g, uint16_t flags);

void gen_enc_init(GenEnc *e);
void gen_enc_pfx(GenEnc *e, uint8_t p);
void gen_enc_op(GenEnc *e, int n, ...);
void gen_enc_imm(GenEnc *e, uint32_t v, int bytes);
void gen_enc_modrm(GenEnc *e, int regf, const GenRM *rm);
void gen_emit(Gen *g, GenEnc *e, uint16_t rd, uint16_t wr, uint16_t un);

void gen_mov_imm32(Gen *g, int r, uint32_t v);
void gen_set_pointer(Gen *g, int r, uint32_t addr);
uint32_t gen_in_range(Gen *g, uint32_t lo, uint32_t hi);
void gen_rm_reg(GenRM *rm, int reg);
void gen_mem(Gen *g, int size, int slack, unsigned avoid, GenRM *rm);
void gen_rm(Gen *g, int width, bool write, unsigned avoid, unsigned mem_pct,
            GenRM *rm);
void gen_lea_rm(Gen *g, GenRM *rm);

static inline void pfx_width(GenEnc *e, int w)
{
    if (w == 16) {
        gen_enc_pfx(e, 0x66);
    }
}

/* The low opcode bit: byte or full size. */
static inline int wbit(int w)
{
    return w == 8 ? 0 : 1;
}

static inline void imm_w(GenEnc *e, uint32_t v, int w)
{
    gen_enc_imm(e, v, w / 8);
}

static inline void maybe_lock(Gen *g, GenEnc *e, const GenRM *rm,
                              unsigned pct)
{
    if (rm->mem && gen_chance(g, pct)) {
        gen_enc_pfx(e, 0xf0);
    }
}

/* Group 1 operations, in their ModRM reg / opcode order, and TEST. */
enum { ADD, OR, ADC, SBB, AND, SUB, XOR, CMP, TEST };

#define F_ALL FUZZ_ARITH
#define F_CF FUZZ_CF
#define F_PF FUZZ_PF
#define F_AF FUZZ_AF
#define F_ZF FUZZ_ZF
#define F_SF FUZZ_SF
#define F_OF FUZZ_OF
#define F_SZAPC (F_SF | F_ZF | F_AF | F_PF | F_CF)

/* ---- gen-insns.c: arithmetic, bits, flag readers, branches, moves ---- */
void gen_alu_flags(int op, uint16_t *rd, uint16_t *wr, uint16_t *un);
void gen_alu_imm(Gen *g, int op, int w, const GenRM *rm, uint32_t imm);
void gi_alu_op(Gen *g, int op);
void gi_alu(Gen *g);
void gi_unary(Gen *g);
void gi_shift(Gen *g);
void gi_shxd(Gen *g);
void gi_mul(Gen *g);
void gi_div(Gen *g);
void gi_fault(Gen *g);
void gi_bt(Gen *g);
void gi_bsf(Gen *g);
void gi_setcc(Gen *g);
void gi_cmov(Gen *g);
void gi_branch_kind(Gen *g, int kind);
void gi_branch(Gen *g);
void gi_mov(Gen *g);
void gi_lea(Gen *g);
void gi_xchg(Gen *g);

/* ---- gen-misc.c: the rest, and the choice among all ---- */
void gen_one(Gen *g);

#endif
