/*
 * The two-byte opcode map, 0F xx (SDM Vol. 2, Appendix A.3, Table A-3).
 *
 * The i686 integer and system instructions get their X86Op.  Cells that
 * later processors fill with MMX, SSE, 3DNow!, VMX and the like are
 * X86_OP_SIMD with the format the hardware fetches (ModRM, and an imm8
 * where the encoding has one) so the length is right even though the
 * instruction raises #UD here.  Blank cells are zero: X86_OP_INVALID.
 */
#include "cpu/decode-tables.h"

#define GROUP X86_E0(INVALID, F_MR)
#define SIMD_NM X86_E0(SIMD, 0)              /* no ModRM */
#define SIMD_M X86_E0(SIMD, F_MR)
#define SIMD_MI X86_E1(SIMD, F_MR, NONE, B)  /* ModRM and imm8 */

const X86OpcodeInfo x86_twobyte_map[256] = {
    /* 00-0F */
    [0x00 ... 0x01] = GROUP,
    [0x02] = X86_E2(LAR, F_MR, G, E, NONE),
    [0x03] = X86_E2(LSL, F_MR, G, E, NONE),
    /* SYSCALL/SYSRET are #UD on Intel outside 64-bit mode. */
    [0x05] = SIMD_NM,
    [0x06] = X86_E0(CLTS, F_PV),
    [0x07] = SIMD_NM,
    [0x08] = X86_E0(INVD, F_PV),
    [0x09] = X86_E0(WBINVD, F_PV),
    [0x0b] = X86_E0(UD2, 0),
    [0x0d] = SIMD_M,                         /* PREFETCHW group (3DNow!) */
    [0x0e] = SIMD_NM,                        /* FEMMS */
    /* 3DNow!: ModRM, then the opcode proper as a trailing imm8. */
    [0x0f] = SIMD_MI,

    /* 10-1F: SSE moves, prefetch group 16, hint NOPs */
    [0x10 ... 0x17] = SIMD_M,
    [0x18] = GROUP,
    /*
     * 0F 19-1F are reserved NOPs taking a ModRM operand (SDM Vol. 2,
     * Table A-3 and NOP: "0F 1F /0 NOP r/m"); MPX and CET later put
     * instructions here that execute as NOP on processors without them.
     */
    [0x19 ... 0x1f] = X86_E1(NOP, F_MR, E, NONE),

    /* 20-2F: control and debug registers; the operand is always a
     * register whatever ModRM.mod says (SDM Vol. 2, MOV-Move to/from
     * Control Registers). */
    [0x20] = X86_E2(MOV_CR_STORE, F_MR | F_PV, R, C, NONE),
    [0x21] = X86_E2(MOV_DR_STORE, F_MR | F_PV, R, D, NONE),
    [0x22] = X86_E2(MOV_CR_LOAD, F_MR | F_PV, C, R, NONE),
    [0x23] = X86_E2(MOV_DR_LOAD, F_MR | F_PV, D, R, NONE),
    [0x28 ... 0x2f] = SIMD_M,

    /* 30-3F */
    [0x30] = X86_E0(WRMSR, F_PV),
    [0x31] = X86_E0(RDTSC, 0),
    [0x32] = X86_E0(RDMSR, F_PV),
    [0x33] = X86_E0(RDPMC, 0),
    [0x34] = X86_E0(SYSENTER, 0),
    [0x35] = X86_E0(SYSEXIT, F_PV),
    [0x37] = SIMD_NM,                        /* GETSEC (SMX) */
    /* Three-byte maps: all SSSE3/SSE4 and later; 0F 3A ones take imm8. */
    [0x38] = X86_E0(SIMD, F_MR | X86F_ESC3),
    [0x3a] = X86_E1(SIMD, F_MR | X86F_ESC3, NONE, B),

    /* 40-4F: CMOVcc, condition in the low nibble */
    [0x40 ... 0x4f] = X86_E2(CMOVCC, F_MR, G, E, NONE),

    /* 50-7F: SSE and MMX */
    [0x50 ... 0x6f] = SIMD_M,
    [0x70 ... 0x73] = SIMD_MI,               /* PSHUF*, groups 12-14 */
    [0x74 ... 0x76] = SIMD_M,
    [0x77] = SIMD_NM,                        /* EMMS */
    /* VMREAD/VMWRITE; with 66 or F2, SSE4a EXTRQ/INSERTQ, whose 0F 78
     * forms carry two imm8 (decode.c adds them). */
    [0x78 ... 0x79] = SIMD_M,
    [0x7c ... 0x7f] = SIMD_M,

    /* 80-8F: Jcc rel16/32 */
    [0x80 ... 0x8f] = X86_E1(JCC, 0, J, JZ),

    /* 90-9F: SETcc r/m8 */
    [0x90 ... 0x9f] = X86_E1(SETCC, F_MR | F_BY, E, NONE),

    /* A0-AF */
    [0xa0] = X86_E1(PUSH_SEG, F_SK, SREG, NONE),
    [0xa1] = X86_E1(POP_SEG, F_SK, SREG, NONE),
    [0xa2] = X86_E0(CPUID, 0),
    [0xa3] = X86_E2(BT, F_MR, E, G, NONE),
    [0xa4] = X86_E3(SHLD, F_MR, E, G, I, B),
    [0xa5] = X86_E3(SHLD, F_MR, E, G, CL, NONE),
    [0xa8] = X86_E1(PUSH_SEG, F_SK, SREG, NONE),
    [0xa9] = X86_E1(POP_SEG, F_SK, SREG, NONE),
    [0xaa] = X86_E0(RSM, 0),
    [0xab] = X86_E2(BTS, F_MR | F_LK, E, G, NONE),
    [0xac] = X86_E3(SHRD, F_MR, E, G, I, B),
    [0xad] = X86_E3(SHRD, F_MR, E, G, CL, NONE),
    [0xae] = SIMD_M,                         /* group 15: FXSAVE, fences */
    [0xaf] = X86_E2(IMUL, F_MR, G, E, NONE),

    /* B0-BF */
    [0xb0] = X86_E2(CMPXCHG, F_MR | F_BY | F_LK, E, G, NONE),
    [0xb1] = X86_E2(CMPXCHG, F_MR | F_LK, E, G, NONE),
    [0xb2] = X86_E2(LSS, F_MR, G, M, NONE),
    [0xb3] = X86_E2(BTR, F_MR | F_LK, E, G, NONE),
    [0xb4] = X86_E2(LFS, F_MR, G, M, NONE),
    [0xb5] = X86_E2(LGS, F_MR, G, M, NONE),
    [0xb6] = X86_E2(MOVZX, F_MR | X86F_SRC8, G, E, NONE),
    [0xb7] = X86_E2(MOVZX, F_MR | X86F_SRC16, G, E, NONE),
    [0xb8] = SIMD_M,                         /* F3: POPCNT */
    [0xb9] = X86_E0(INVALID, F_MR),          /* UD1 */
    [0xba] = GROUP,
    [0xbb] = X86_E2(BTC, F_MR | F_LK, E, G, NONE),
    [0xbc] = X86_E2(BSF, F_MR, G, E, NONE),
    [0xbd] = X86_E2(BSR, F_MR, G, E, NONE),
    [0xbe] = X86_E2(MOVSX, F_MR | X86F_SRC8, G, E, NONE),
    [0xbf] = X86_E2(MOVSX, F_MR | X86F_SRC16, G, E, NONE),

    /* C0-CF */
    [0xc0] = X86_E2(XADD, F_MR | F_BY | F_LK, E, G, NONE),
    [0xc1] = X86_E2(XADD, F_MR | F_LK, E, G, NONE),
    [0xc2] = SIMD_MI,                        /* CMPPS */
    [0xc3] = SIMD_M,                         /* MOVNTI */
    [0xc4 ... 0xc6] = SIMD_MI,               /* PINSRW PEXTRW SHUFPS */
    [0xc7] = GROUP,
    [0xc8 ... 0xcf] = X86_E1(BSWAP, 0, ZREG, NONE),

    /* D0-FF: MMX and SSE; FF is UD0 */
    [0xd0 ... 0xfe] = SIMD_M,
    [0xff] = X86_E0(INVALID, F_MR),
};

#define SAME(g) { X86_GRP_##g, X86_GRP_##g }

const X86GroupRef x86_twobyte_groups[256] = {
    [0x00] = SAME(0F00),
    [0x01] = { X86_GRP_0F01, X86_GRP_0F01_REG },
    [0x18] = { X86_GRP_0F18, X86_GRP_0F18_REG },
    [0xba] = SAME(0FBA),
    [0xc7] = { X86_GRP_0FC7, X86_GRP_0FC7_REG },
};
