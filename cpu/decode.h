/*
 * The i686 instruction decoder: bytes -> X86Insn.  Table-driven (one-byte
 * map, 0F map, ModRM groups), covering every prefix and 16/32-bit
 * addressing.  It knows encodings, not semantics: the frontend
 * (translate/) gives each X86Op its meaning.
 */
#ifndef CPU_DECODE_H
#define CPU_DECODE_H

#include <stdbool.h>
#include <stdint.h>

typedef enum X86Op {
#define X86OP(name, desc) X86_OP_##name,
#include "cpu/x86-ops.h"
#undef X86OP
    X86_OP_COUNT
} X86Op;

/* Operand kinds of a table entry (SDM Vol. 2, Appendix A.2 notation). */
typedef enum X86OperandKind {
    OPK_NONE,
    OPK_E,    /* ModRM r/m: register or memory */
    OPK_M,    /* ModRM r/m, memory only (mod == 3 is #UD) */
    OPK_R,    /* ModRM r/m, register only (mov CR/DR; mod ignored) */
    OPK_G,    /* ModRM reg: general register */
    OPK_S,    /* ModRM reg: segment register (>5 is #UD) */
    OPK_C,    /* ModRM reg: control register */
    OPK_D,    /* ModRM reg: debug register */
    OPK_I,    /* immediate (insn->imm) */
    OPK_I2,   /* second immediate (enter's imm8, in insn->imm2) */
    OPK_J,    /* relative branch target (insn->imm sign-extended) */
    OPK_A,    /* far pointer: offset insn->imm, selector insn->imm2 */
    OPK_O,    /* moffs: memory at disp (insn->disp), no ModRM */
    OPK_ZREG, /* general register in opcode bits 2:0 (insn->opreg) */
    OPK_AL,   /* accumulator of the operand size (AL/AX/EAX) */
    OPK_DX,   /* DX (port number) */
    OPK_CL,   /* CL (shift count) */
    OPK_ONE,  /* constant 1 (shift count) */
    OPK_SREG, /* segment register fixed by the opcode (insn->opreg) */
} X86OperandKind;

/* Immediate sizes of a table entry. */
typedef enum X86ImmKind {
    IMM_NONE,
    IMM_B,    /* 8 bits, zero-extended */
    IMM_BS,   /* 8 bits, sign-extended to operand size */
    IMM_W,    /* 16 bits */
    IMM_Z,    /* 16 or 32 bits by operand size */
    IMM_WB,   /* enter: imm16 then imm8 (imm2) */
    IMM_AP,   /* far pointer: 16/32-bit offset then 16-bit selector */
    IMM_O,    /* moffs: 16/32-bit address by address size, into disp */
    IMM_JB,   /* 8-bit relative, sign-extended */
    IMM_JZ,   /* 16/32-bit relative by operand size */
} X86ImmKind;

/* Table entry flags. */
#define X86F_MODRM 0x0001u   /* has a ModRM byte */
#define X86F_BYTE 0x0002u    /* operands are 8-bit */
#define X86F_WORD 0x0004u    /* operands are 16-bit whatever the size */
#define X86F_SRC8 0x0008u    /* movzx/movsx source is 8-bit */
#define X86F_SRC16 0x0010u   /* movzx/movsx source is 16-bit */
#define X86F_LOCKABLE 0x0020u/* lock allowed with a memory destination */
#define X86F_STRING 0x0040u  /* string instruction: rep prefixes apply */
#define X86F_PRIV 0x0080u    /* CPL 0 only (#GP otherwise) */
#define X86F_STACK 0x0100u   /* operand size defaults, push/pop */

typedef struct X86OpcodeInfo {
    uint16_t op;       /* X86Op */
    uint16_t flags;    /* X86F_* */
    uint8_t opnd[3];   /* X86OperandKind: destination first */
    uint8_t imm;       /* X86ImmKind */
} X86OpcodeInfo;

#define X86_SEG_NONE 0xff
#define X86_REG_NONE 0xff
#define X86_MAX_INSN_LEN 15

typedef struct X86Insn {
    uint32_t len;         /* total length in bytes, prefixes included */
    const X86OpcodeInfo *info;
    uint16_t op;          /* info->op, or X86_OP_INVALID */
    uint16_t opcode;      /* 0x00-0xff one-byte map, 0x100-0x1ff 0F map */
    uint8_t opsize;       /* operand size in bytes: 1, 2 or 4 */
    uint8_t addrsize;     /* address size in bytes: 2 or 4 */
    uint8_t seg_override; /* R_ES..R_GS or X86_SEG_NONE */
    uint8_t rep;          /* 0, 0xf3 or 0xf2: the last of them seen */
    bool lock;
    bool opsize_prefix;   /* 66 seen */
    bool addrsize_prefix; /* 67 seen */
    uint8_t nprefixes;

    bool has_modrm;
    uint8_t modrm, mod, reg, rm;
    uint8_t opreg;        /* register or sreg number from the opcode */

    /* Memory operand (has_modrm && mod != 3, or OPK_O): the effective
     * address is base + index * scale + disp, truncated to addrsize. */
    bool has_mem;
    uint8_t base;         /* register number or X86_REG_NONE */
    uint8_t index;        /* register number or X86_REG_NONE */
    uint8_t scale;        /* 1, 2, 4 or 8 */
    uint8_t default_seg;  /* R_DS, or R_SS for eBP/eSP-based addressing */
    int32_t disp;

    uint32_t imm;         /* immediate, already sign/zero-extended */
    uint32_t imm2;        /* enter's imm8, far pointer's selector */
} X86Insn;

/*
 * Decode one instruction from BYTES (AVAIL of them readable) in a code
 * segment whose D bit is CODE32.  Returns the length (1..15) and fills
 * INSN.  A byte string that is not a valid i686 instruction still decodes,
 * with insn->op = X86_OP_INVALID (or FPU/SIMD for escapes not implemented)
 * and the length the processor would fetch.  Returns 0 if AVAIL bytes are
 * not enough, and -1 if the instruction would be longer than 15 bytes
 * (which raises #GP(0), SDM Vol. 2, 2.3.11).
 */
int x86_decode(X86Insn *insn, const uint8_t *bytes, unsigned avail,
               bool code32);

/* The segment the memory operand uses: the override, or the default. */
static inline int x86_insn_seg(const X86Insn *insn)
{
    return insn->seg_override != X86_SEG_NONE ? insn->seg_override
                                              : insn->default_seg;
}

/* The mnemonic as Capstone (Intel syntax) spells it for this instruction,
 * operand size included ("cwde", "movsd", "pushal"...); for tests and
 * logs.  "(bad)" for invalid encodings. */
const char *x86_insn_mnemonic(const X86Insn *insn);

/* Name of an X86Op, for logs. */
const char *x86_op_name(X86Op op);

#endif
