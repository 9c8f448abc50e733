/*
 * ModRM.reg opcode-extension groups (SDM Vol. 2, Appendix A.4, Table
 * one row of eight entries per opcode, selected by ModRM.reg.
 * Undefined cells are X86_OP_INVALID (#UD); they keep the ModRM byte so
 * the length stays that of the opcode's format.
 */
#include "cpu/decode-tables.h"

#define UD X86_E0(INVALID, F_MR)

/* Group 1: ALU with an immediate; CMP (/7) writes nothing, no LOCK. */
#define GRP1_ROW(f, im) { \
    X86_E2(ADD, F_MR | F_LK | (f), E, I, im), \
    X86_E2(OR, F_MR | F_LK | (f), E, I, im), \
    X86_E2(ADC, F_MR | F_LK | (f), E, I, im), \
    X86_E2(SBB, F_MR | F_LK | (f), E, I, im), \
    X86_E2(AND, F_MR | F_LK | (f), E, I, im), \
    X86_E2(SUB, F_MR | F_LK | (f), E, I, im), \
    X86_E2(XOR, F_MR | F_LK | (f), E, I, im), \
    X86_E2(CMP, F_MR | (f), E, I, im), \
}

/*
 * Group 2: shifts and rotates by 1, CL or imm8.  /6 is an undocumented
 * alias of /4 (SAL = SHL) that every processor since the 8086 executes;
 * Capstone spells it "sal".
 */
#define GRP2_ROW(f, src, im) { \
    X86_E2(ROL, F_MR | (f), E, src, im), \
    X86_E2(ROR, F_MR | (f), E, src, im), \
    X86_E2(RCL, F_MR | (f), E, src, im), \
    X86_E2(RCR, F_MR | (f), E, src, im), \
    X86_E2(SHL, F_MR | (f), E, src, im), \
    X86_E2(SHR, F_MR | (f), E, src, im), \
    X86_E2(SHL, F_MR | (f), E, src, im), \
    X86_E2(SAR, F_MR | (f), E, src, im), \
}

/* Group 3: /1 is an undocumented alias of TEST /0 on all processors. */
#define GRP3_ROW(f, im) { \
    X86_E2(TEST, F_MR | (f), E, I, im), \
    X86_E2(TEST, F_MR | (f), E, I, im), \
    X86_E1(NOT, F_MR | F_LK | (f), E, NONE), \
    X86_E1(NEG, F_MR | F_LK | (f), E, NONE), \
    X86_E1(MUL, F_MR | (f), E, NONE), \
    X86_E1(IMUL1, F_MR | (f), E, NONE), \
    X86_E1(DIV, F_MR | (f), E, NONE), \
    X86_E1(IDIV, F_MR | (f), E, NONE), \
}

/* Group 11: only /0 is MOV; C6 F8 / C7 F8 are RTM's xabort/xbegin. */
#define GRP11_ROW(f, im) { \
    X86_E2(MOV, F_MR | (f), E, I, im), UD, UD, UD, UD, UD, UD, UD, \
}

const X86OpcodeInfo x86_group_map[X86_GRP_COUNT][8] = {
    [X86_GRP_80] = GRP1_ROW(F_BY, B),
    [X86_GRP_81] = GRP1_ROW(0, Z),
    /* 82 is an alias of 80 outside 64-bit mode (SDM Vol. 2, Table A-2). */
    [X86_GRP_82] = GRP1_ROW(F_BY, B),
    [X86_GRP_83] = GRP1_ROW(0, BS),

    /* Group 1A: only POP; the rest is AMD's XOP escape (#UD here). */
    [X86_GRP_8F] = {
        X86_E1(POP, F_MR | F_SK, E, NONE), UD, UD, UD, UD, UD, UD, UD,
    },

    [X86_GRP_C0] = GRP2_ROW(F_BY, I, B),
    [X86_GRP_C1] = GRP2_ROW(0, I, B),
    [X86_GRP_D0] = GRP2_ROW(F_BY, ONE, NONE),
    [X86_GRP_D1] = GRP2_ROW(0, ONE, NONE),
    [X86_GRP_D2] = GRP2_ROW(F_BY, CL, NONE),
    [X86_GRP_D3] = GRP2_ROW(0, CL, NONE),

    [X86_GRP_F6] = GRP3_ROW(F_BY, B),
    [X86_GRP_F7] = GRP3_ROW(0, Z),

    /* Group 4 */
    [X86_GRP_FE] = {
        X86_E1(INC, F_MR | F_BY | F_LK, E, NONE),
        X86_E1(DEC, F_MR | F_BY | F_LK, E, NONE),
        UD, UD, UD, UD, UD, UD,
    },

    /* Group 5: far forms take an m16:16/32 pointer, never a register. */
    [X86_GRP_FF] = {
        X86_E1(INC, F_MR | F_LK, E, NONE),
        X86_E1(DEC, F_MR | F_LK, E, NONE),
        X86_E1(CALL_IND, F_MR, E, NONE),
        X86_E1(CALL_FAR_IND, F_MR, M, NONE),
        X86_E1(JMP_IND, F_MR, E, NONE),
        X86_E1(JMP_FAR_IND, F_MR, M, NONE),
        X86_E1(PUSH, F_MR | F_SK, E, NONE),
        UD,
    },

    [X86_GRP_C6] = GRP11_ROW(F_BY, B),
    [X86_GRP_C7] = GRP11_ROW(0, Z),

    /* Group 6 (0F 00): the loads and verifies read a 16-bit selector. */
    [X86_GRP_0F00] = {
        X86_E1(SLDT, F_MR, E, NONE),
        X86_E1(STR, F_MR, E, NONE),
        X86_E1(LLDT, F_MR | F_WD | F_PV, E, NONE),
        X86_E1(LTR, F_MR | F_WD | F_PV, E, NONE),
        X86_E1(VERR, F_MR | F_WD, E, NONE),
        X86_E1(VERW, F_MR | F_WD, E, NONE),
        UD, UD,
    },

    /* Group 7 (0F 01), memory forms. */
    [X86_GRP_0F01] = {
        X86_E1(SGDT, F_MR, M, NONE),
        X86_E1(SIDT, F_MR, M, NONE),
        X86_E1(LGDT, F_MR | F_PV, M, NONE),
        X86_E1(LIDT, F_MR | F_PV, M, NONE),
        X86_E1(SMSW, F_MR, E, NONE),
        UD,
        X86_E1(LMSW, F_MR | F_WD | F_PV, E, NONE),
        X86_E1(INVLPG, F_MR | F_PV, M, NONE),
    },
    /*
     * Group 7, mod == 3: besides SMSW/LMSW, later processors put single
     * instructions at fixed ModRM values (VMX, MONITOR, XGETBV, RDTSCP
     * ...); x86_grp7_reg_defined tells those (SIMD) from reserved ones.
     */
    [X86_GRP_0F01_REG] = {
        X86_E0(SIMD, F_MR), X86_E0(SIMD, F_MR),
        X86_E0(SIMD, F_MR), X86_E0(SIMD, F_MR),
        X86_E1(SMSW, F_MR, E, NONE),
        X86_E0(SIMD, F_MR),
        X86_E1(LMSW, F_MR | F_WD | F_PV, E, NONE),
        X86_E0(SIMD, F_MR),
    },

    /* Group 8 (0F BA): bit tests with an imm8 bit offset. */
    [X86_GRP_0FBA] = {
        UD, UD, UD, UD,
        X86_E2(BT, F_MR, E, I, B),
        X86_E2(BTS, F_MR | F_LK, E, I, B),
        X86_E2(BTR, F_MR | F_LK, E, I, B),
        X86_E2(BTC, F_MR | F_LK, E, I, B),
    },

    /*
     * Group 9 (0F C7): on the i686 only CMPXCHG8B m64; /3-/7 memory are
     * XSAVES/XRSTORS/XSAVEC and the VMX pointer instructions, /6 /7
     * register are RDRAND/RDSEED.
     */
    [X86_GRP_0FC7] = {
        UD,
        X86_E1(CMPXCHG8B, F_MR | F_LK, M, NONE),
        UD,
        X86_E0(SIMD, F_MR), X86_E0(SIMD, F_MR), X86_E0(SIMD, F_MR),
        X86_E0(SIMD, F_MR), X86_E0(SIMD, F_MR),
    },
    [X86_GRP_0FC7_REG] = {
        UD, UD, UD, UD, UD, UD,
        X86_E0(SIMD, F_MR), X86_E0(SIMD, F_MR),
    },

    /*
     * Group 16 (0F 18): PREFETCHh m8 (/0-/3) and reserved NOPs (/4-/7,
     * memory or register).  A prefetch is only a hint with no
     * architectural effect (SDM Vol. 2, PREFETCHh), so all of them are
     * NOP; PREFETCHh with a register operand is not an encoding.
     */
    [X86_GRP_0F18] = {
        X86_E1(NOP, F_MR, E, NONE), X86_E1(NOP, F_MR, E, NONE),
        X86_E1(NOP, F_MR, E, NONE), X86_E1(NOP, F_MR, E, NONE),
        X86_E1(NOP, F_MR, E, NONE), X86_E1(NOP, F_MR, E, NONE),
        X86_E1(NOP, F_MR, E, NONE), X86_E1(NOP, F_MR, E, NONE),
    },
    [X86_GRP_0F18_REG] = {
        UD, UD, UD, UD,
        X86_E1(NOP, F_MR, E, NONE), X86_E1(NOP, F_MR, E, NONE),
        X86_E1(NOP, F_MR, E, NONE), X86_E1(NOP, F_MR, E, NONE),
    },
};

/*
 * Group 7 mod == 3 encodings defined by later processors, bit rm of
 * entry reg (SDM Vol. 2, Table A-6 and the instruction pages):
 * /0 C1-C4 VMCALL VMLAUNCH VMRESUME VMXOFF;
 * /1 C8-CB MONITOR MWAIT CLAC STAC, CF ENCLS;
 * /2 D0 D1 XGETBV XSETBV, D4-D7 VMFUNC XEND XTEST ENCLU;
 * /3 D8-DF AMD SVM (VMRUN ... INVLPGA); /7 F8 SWAPGS, F9 RDTSCP.
 */
const uint8_t x86_grp7_reg_defined[8] = {
    [0] = 0x1e,
    [1] = 0x8f,
    [2] = 0xf3,
    [3] = 0xff,
    [7] = 0x03,
};
