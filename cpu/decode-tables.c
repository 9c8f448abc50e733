/*
 * The one-byte opcode map (SDM Vol. 2, Appendix A.3, Table A-2).
 *
 * Entries left out are zero: X86_OP_INVALID with no ModRM.  Prefix bytes
 * (26 2E 36 3E 64-67 F0 F2 F3) and the 0F escape never reach the table.
 * Opcodes whose ModRM.reg picks the instruction point into x86_group_map
 * through x86_onebyte_groups.
 */
#include "cpu/decode-tables.h"

/* The six forms of the classic ALU block (00-05, 08-0D, ... 38-3D). */
#define ALU_BLOCK(o, lk) \
    X86_E2(o, F_MR | F_BY | (lk), E, G, NONE), \
    X86_E2(o, F_MR | (lk), E, G, NONE), \
    X86_E2(o, F_MR | F_BY, G, E, NONE), \
    X86_E2(o, F_MR, G, E, NONE), \
    X86_E2(o, F_BY, AL, I, B), \
    X86_E2(o, 0, AL, I, Z)

/* A group opcode: the real entry is in x86_group_map; ModRM is known. */
#define GROUP X86_E0(INVALID, F_MR)

const X86OpcodeInfo x86_onebyte_map[256] = {
    /* 00-3F: ALU blocks, segment push/pop, BCD adjusts */
    [0x00] = ALU_BLOCK(ADD, F_LK),
    [0x06] = X86_E1(PUSH_SEG, F_SK, SREG, NONE),
    [0x07] = X86_E1(POP_SEG, F_SK, SREG, NONE),
    [0x08] = ALU_BLOCK(OR, F_LK),
    [0x0e] = X86_E1(PUSH_SEG, F_SK, SREG, NONE),
    [0x10] = ALU_BLOCK(ADC, F_LK),
    [0x16] = X86_E1(PUSH_SEG, F_SK, SREG, NONE),
    [0x17] = X86_E1(POP_SEG, F_SK, SREG, NONE),
    [0x18] = ALU_BLOCK(SBB, F_LK),
    [0x1e] = X86_E1(PUSH_SEG, F_SK, SREG, NONE),
    [0x1f] = X86_E1(POP_SEG, F_SK, SREG, NONE),
    [0x20] = ALU_BLOCK(AND, F_LK),
    [0x27] = X86_E0(DAA, 0),
    [0x28] = ALU_BLOCK(SUB, F_LK),
    [0x2f] = X86_E0(DAS, 0),
    [0x30] = ALU_BLOCK(XOR, F_LK),
    [0x37] = X86_E0(AAA, 0),
    /* CMP never writes its destination, so LOCK is #UD with it. */
    [0x38] = ALU_BLOCK(CMP, 0),
    [0x3f] = X86_E0(AAS, 0),

    /* 40-5F: register in opcode bits 2:0 */
    [0x40 ... 0x47] = X86_E1(INC, 0, ZREG, NONE),
    [0x48 ... 0x4f] = X86_E1(DEC, 0, ZREG, NONE),
    [0x50 ... 0x57] = X86_E1(PUSH, F_SK, ZREG, NONE),
    [0x58 ... 0x5f] = X86_E1(POP, F_SK, ZREG, NONE),

    /* 60-6F */
    [0x60] = X86_E0(PUSHA, F_SK),
    [0x61] = X86_E0(POPA, F_SK),
    [0x62] = X86_E2(BOUND, F_MR, G, M, NONE),
    [0x63] = X86_E2(ARPL, F_MR | F_WD, E, G, NONE),
    [0x68] = X86_E1(PUSH, F_SK, I, Z),
    [0x69] = X86_E3(IMUL, F_MR, G, E, I, Z),
    [0x6a] = X86_E1(PUSH, F_SK, I, BS),
    [0x6b] = X86_E3(IMUL, F_MR, G, E, I, BS),
    [0x6c] = X86_E0(INS, F_ST | F_BY),
    [0x6d] = X86_E0(INS, F_ST),
    [0x6e] = X86_E0(OUTS, F_ST | F_BY),
    [0x6f] = X86_E0(OUTS, F_ST),

    /* 70-7F: Jcc rel8, condition in the low nibble */
    [0x70 ... 0x7f] = X86_E1(JCC, 0, J, JB),

    /* 80-8F */
    [0x80 ... 0x83] = GROUP,
    [0x84] = X86_E2(TEST, F_MR | F_BY, E, G, NONE),
    [0x85] = X86_E2(TEST, F_MR, E, G, NONE),
    [0x86] = X86_E2(XCHG, F_MR | F_BY | F_LK, E, G, NONE),
    [0x87] = X86_E2(XCHG, F_MR | F_LK, E, G, NONE),
    [0x88] = X86_E2(MOV, F_MR | F_BY, E, G, NONE),
    [0x89] = X86_E2(MOV, F_MR, E, G, NONE),
    [0x8a] = X86_E2(MOV, F_MR | F_BY, G, E, NONE),
    [0x8b] = X86_E2(MOV, F_MR, G, E, NONE),
    [0x8c] = X86_E2(MOV_SEG_STORE, F_MR, E, S, NONE),
    [0x8d] = X86_E2(LEA, F_MR, G, M, NONE),
    [0x8e] = X86_E2(MOV_SEG_LOAD, F_MR | F_WD, S, E, NONE),
    [0x8f] = GROUP,

    /* 90-9F */
    [0x90] = X86_E0(NOP, 0),
    [0x91 ... 0x97] = X86_E2(XCHG, 0, ZREG, AL, NONE),
    [0x98] = X86_E0(CBW, 0),
    [0x99] = X86_E0(CWD, 0),
    [0x9a] = X86_E1(CALL_FAR, 0, A, AP),
    [0x9b] = X86_E0(WAIT, 0),
    [0x9c] = X86_E0(PUSHF, F_SK),
    [0x9d] = X86_E0(POPF, F_SK),
    [0x9e] = X86_E0(SAHF, 0),
    [0x9f] = X86_E0(LAHF, 0),

    /* A0-AF: moffs moves and string instructions */
    [0xa0] = X86_E2(MOV, F_BY, AL, O, O),
    [0xa1] = X86_E2(MOV, 0, AL, O, O),
    [0xa2] = X86_E2(MOV, F_BY, O, AL, O),
    [0xa3] = X86_E2(MOV, 0, O, AL, O),
    [0xa4] = X86_E0(MOVS, F_ST | F_BY),
    [0xa5] = X86_E0(MOVS, F_ST),
    [0xa6] = X86_E0(CMPS, F_ST | F_BY),
    [0xa7] = X86_E0(CMPS, F_ST),
    [0xa8] = X86_E2(TEST, F_BY, AL, I, B),
    [0xa9] = X86_E2(TEST, 0, AL, I, Z),
    [0xaa] = X86_E0(STOS, F_ST | F_BY),
    [0xab] = X86_E0(STOS, F_ST),
    [0xac] = X86_E0(LODS, F_ST | F_BY),
    [0xad] = X86_E0(LODS, F_ST),
    [0xae] = X86_E0(SCAS, F_ST | F_BY),
    [0xaf] = X86_E0(SCAS, F_ST),

    /* B0-BF: mov register, immediate */
    [0xb0 ... 0xb7] = X86_E2(MOV, F_BY, ZREG, I, B),
    [0xb8 ... 0xbf] = X86_E2(MOV, 0, ZREG, I, Z),

    /* C0-CF */
    [0xc0 ... 0xc1] = GROUP,
    [0xc2] = X86_E1(RET, 0, I, W),
    [0xc3] = X86_E0(RET, 0),
    [0xc4] = X86_E2(LES, F_MR, G, M, NONE),
    [0xc5] = X86_E2(LDS, F_MR, G, M, NONE),
    [0xc6 ... 0xc7] = GROUP,
    [0xc8] = X86_E2(ENTER, 0, I, I2, WB),
    [0xc9] = X86_E0(LEAVE, 0),
    [0xca] = X86_E1(RET_FAR, 0, I, W),
    [0xcb] = X86_E0(RET_FAR, 0),
    [0xcc] = X86_E0(INT3, 0),
    [0xcd] = X86_E1(INT, 0, I, B),
    [0xce] = X86_E0(INTO, 0),
    [0xcf] = X86_E0(IRET, 0),

    /* D0-DF: shift groups, AAM/AAD, SALC, XLAT, x87 escapes */
    [0xd0 ... 0xd3] = GROUP,
    [0xd4] = X86_E1(AAM, 0, I, B),
    [0xd5] = X86_E1(AAD, 0, I, B),
    [0xd6] = X86_E0(SALC, 0),
    [0xd7] = X86_E0(XLAT, 0),
    /* Every x87 escape has a ModRM byte (SDM Vol. 2, A.5). */
    [0xd8 ... 0xdf] = X86_E0(FPU, F_MR),

    /* E0-EF: loops, port I/O, near and far branches */
    [0xe0] = X86_E1(LOOPNE, 0, J, JB),
    [0xe1] = X86_E1(LOOPE, 0, J, JB),
    [0xe2] = X86_E1(LOOP, 0, J, JB),
    [0xe3] = X86_E1(JCXZ, 0, J, JB),
    [0xe4] = X86_E2(IN, F_BY, AL, I, B),
    [0xe5] = X86_E2(IN, 0, AL, I, B),
    [0xe6] = X86_E2(OUT, F_BY, I, AL, B),
    [0xe7] = X86_E2(OUT, 0, I, AL, B),
    [0xe8] = X86_E1(CALL, 0, J, JZ),
    [0xe9] = X86_E1(JMP, 0, J, JZ),
    [0xea] = X86_E1(JMP_FAR, 0, A, AP),
    [0xeb] = X86_E1(JMP, 0, J, JB),
    [0xec] = X86_E2(IN, F_BY, AL, DX, NONE),
    [0xed] = X86_E2(IN, 0, AL, DX, NONE),
    [0xee] = X86_E2(OUT, F_BY, DX, AL, NONE),
    [0xef] = X86_E2(OUT, 0, DX, AL, NONE),

    /* F0-FF */
    [0xf1] = X86_E0(INT1, 0),
    [0xf4] = X86_E0(HLT, F_PV),
    [0xf5] = X86_E0(CMC, 0),
    [0xf6 ... 0xf7] = GROUP,
    [0xf8] = X86_E0(CLC, 0),
    [0xf9] = X86_E0(STC, 0),
    [0xfa] = X86_E0(CLI, 0),
    [0xfb] = X86_E0(STI, 0),
    [0xfc] = X86_E0(CLD, 0),
    [0xfd] = X86_E0(STD, 0),
    [0xfe ... 0xff] = GROUP,
};

#define SAME(g) { X86_GRP_##g, X86_GRP_##g }

const X86GroupRef x86_onebyte_groups[256] = {
    [0x80] = SAME(80), [0x81] = SAME(81), [0x82] = SAME(82),
    [0x83] = SAME(83), [0x8f] = SAME(8F),
    [0xc0] = SAME(C0), [0xc1] = SAME(C1),
    [0xc6] = SAME(C6), [0xc7] = SAME(C7),
    [0xd0] = SAME(D0), [0xd1] = SAME(D1), [0xd2] = SAME(D2),
    [0xd3] = SAME(D3),
    [0xf6] = SAME(F6), [0xf7] = SAME(F7),
    [0xfe] = SAME(FE), [0xff] = SAME(FF),
};
