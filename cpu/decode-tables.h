/*
 * Private to the decoder: the opcode tables (decode-tables*.c) and what
 * decode.c needs to walk them.  Nothing outside cpu/decode*.c includes
 * this; the public API is cpu/decode.h.
 */
#ifndef CPU_DECODE_TABLES_H
#define CPU_DECODE_TABLES_H

#include "cpu/decode.h"

/*
 * ModRM.reg groups (SDM Vol. 2, Appendix A.4, Table A-6).  One row of
 * x86_group_map per opcode, because the opcodes of one group differ in
 * operand size and immediate (80 vs 81 vs 83); a few groups have a
 * second row for mod == 3, whose encodings differ from the memory forms.
 */
enum {
    X86_GRP_NONE,     /* not a group opcode */
    X86_GRP_80, X86_GRP_81, X86_GRP_82, X86_GRP_83,   /* group 1 */
    X86_GRP_8F,                                       /* group 1A */
    X86_GRP_C0, X86_GRP_C1, X86_GRP_D0, X86_GRP_D1,   /* group 2 */
    X86_GRP_D2, X86_GRP_D3,
    X86_GRP_F6, X86_GRP_F7,                           /* group 3 */
    X86_GRP_FE,                                       /* group 4 */
    X86_GRP_FF,                                       /* group 5 */
    X86_GRP_C6, X86_GRP_C7,                           /* group 11 */
    X86_GRP_0F00,                                     /* group 6 */
    X86_GRP_0F01, X86_GRP_0F01_REG,                   /* group 7 */
    X86_GRP_0FBA,                                     /* group 8 */
    X86_GRP_0FC7, X86_GRP_0FC7_REG,                   /* group 9 */
    X86_GRP_0F18, X86_GRP_0F18_REG,                   /* group 16 */
    X86_GRP_COUNT
};

/* Rows of x86_group_map an opcode uses, for mod != 3 and mod == 3. */
typedef struct X86GroupRef {
    uint8_t mem;
    uint8_t reg;
} X86GroupRef;

/*
 * Private table flag, above the public X86F_* bits: 0F 38 and 0F 3A are
 * escapes to three-byte maps, whose third opcode byte comes before ModRM.
 * Those maps hold only SIMD instructions here, so they have no table.
 */
#define X86F_ESC3 0x8000u

extern const X86OpcodeInfo x86_onebyte_map[256];
extern const X86OpcodeInfo x86_twobyte_map[256];
extern const X86GroupRef x86_onebyte_groups[256];
extern const X86GroupRef x86_twobyte_groups[256];
extern const X86OpcodeInfo x86_group_map[X86_GRP_COUNT][8];

/*
 * Group 7 with mod == 3 (0F 01 C0-FF): for ModRM.reg 0-3, 5 and 7, bit rm
 * of entry reg says whether some later processor defines that encoding
 * (vmcall, monitor, xgetbv, rdtscp...), so it decodes as X86_OP_SIMD, an
 * extension we lack; the other encodings are reserved (X86_OP_INVALID).
 */
extern const uint8_t x86_grp7_reg_defined[8];

/* Entry helpers for the tables: operands destination first. */
#define X86_E0(o, f) \
    { .op = X86_OP_##o, .flags = (f), .opnd = { OPK_NONE }, .imm = IMM_NONE }
#define X86_E1(o, f, a, im) \
    { .op = X86_OP_##o, .flags = (f), .opnd = { OPK_##a }, .imm = IMM_##im }
#define X86_E2(o, f, a, b, im) \
    { .op = X86_OP_##o, .flags = (f), .opnd = { OPK_##a, OPK_##b }, \
      .imm = IMM_##im }
#define X86_E3(o, f, a, b, c, im) \
    { .op = X86_OP_##o, .flags = (f), \
      .opnd = { OPK_##a, OPK_##b, OPK_##c }, .imm = IMM_##im }

/* Short flag names for the tables. */
#define F_MR X86F_MODRM
#define F_BY X86F_BYTE
#define F_WD X86F_WORD
#define F_LK X86F_LOCKABLE
#define F_ST X86F_STRING
#define F_PV X86F_PRIV
#define F_SK X86F_STACK

#endif
