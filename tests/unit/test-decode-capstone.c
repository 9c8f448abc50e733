/*
 * The decoder against an oracle nobody here wrote: Capstone 4.
 *
 * (a) Random 15-byte strings, in 32-bit and 16-bit code: where Capstone
 *     decodes an i686 integer instruction, length, mnemonic and operands
 *     (memory operand, immediates, branch targets) must agree; where
 *     softvisor says INVALID/FPU/SIMD, Capstone must say invalid or name
 *     an extension (and, for FPU/SIMD, agree on the length); where
 *     Capstone says invalid, softvisor must too.
 * (b) Every instruction of a real i386 binary, /usr/lib32/libc.so.6,
 *     by a linear sweep over its executable sections.
 *
 * Where Capstone contradicts the SDM, the case is in x86_cs_exceptions
 * below, with the SDM section that decides it; every use is counted.
 *
 * DECODE_SEED and DECODE_COUNT override the seed and the number of
 * random strings; the seed is printed so a failure can be replayed.
 */
#include <check.h>
#include <capstone/capstone.h>
#include <elf.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Capstone's x86.h has an X86_OP_INVALID of its own (operand type);
 * rename ours in this file so both headers fit in one unit.
 */
#define X86_OP_INVALID SV_X86_OP_INVALID
#include "cpu/decode.h"

#define DEFAULT_SEED 0x5eedc0de2024ull
#define DEFAULT_COUNT 1000000ul
#ifndef LIBC_PATH
#define LIBC_PATH "/usr/lib32/libc.so.6"
#endif
#define MAX_REPORTS 40

/* ------------------------------------------------------------------ */
/* What Capstone calls an i686 integer instruction                     */

/* Capstone ids of the instructions softvisor decodes itself. */
static const unsigned cs_i686_ids[] = {
    X86_INS_AAA, X86_INS_AAD, X86_INS_AAM, X86_INS_AAS, X86_INS_ADC,
    X86_INS_ADD, X86_INS_AND, X86_INS_ARPL, X86_INS_BOUND, X86_INS_BSF,
    X86_INS_BSR, X86_INS_BSWAP, X86_INS_BT, X86_INS_BTC, X86_INS_BTR,
    X86_INS_BTS, X86_INS_CALL, X86_INS_LCALL, X86_INS_CBW, X86_INS_CWDE,
    X86_INS_CWD, X86_INS_CDQ, X86_INS_CLC, X86_INS_CLD, X86_INS_CLI,
    X86_INS_CLTS, X86_INS_CMC, X86_INS_CMOVA, X86_INS_CMOVAE,
    X86_INS_CMOVB, X86_INS_CMOVBE, X86_INS_CMOVE, X86_INS_CMOVG,
    X86_INS_CMOVGE, X86_INS_CMOVL, X86_INS_CMOVLE, X86_INS_CMOVNE,
    X86_INS_CMOVNO, X86_INS_CMOVNP, X86_INS_CMOVNS, X86_INS_CMOVO,
    X86_INS_CMOVP, X86_INS_CMOVS, X86_INS_CMP, X86_INS_CMPSB,
    X86_INS_CMPSW, X86_INS_CMPSD, X86_INS_CMPXCHG, X86_INS_CMPXCHG8B,
    X86_INS_CPUID, X86_INS_DAA, X86_INS_DAS, X86_INS_DEC, X86_INS_DIV,
    X86_INS_ENTER, X86_INS_HLT, X86_INS_IDIV, X86_INS_IMUL, X86_INS_IN,
    X86_INS_INC, X86_INS_INSB, X86_INS_INSW, X86_INS_INSD, X86_INS_INT,
    X86_INS_INT1, X86_INS_INT3, X86_INS_INTO, X86_INS_INVD,
    X86_INS_INVLPG, X86_INS_IRET, X86_INS_IRETD, X86_INS_JAE, X86_INS_JA,
    X86_INS_JBE, X86_INS_JB, X86_INS_JCXZ, X86_INS_JECXZ, X86_INS_JE,
    X86_INS_JGE, X86_INS_JG, X86_INS_JLE, X86_INS_JL, X86_INS_JMP,
    X86_INS_LJMP, X86_INS_JNE, X86_INS_JNO, X86_INS_JNP, X86_INS_JNS,
    X86_INS_JO, X86_INS_JP, X86_INS_JS, X86_INS_LAHF, X86_INS_LAR,
    X86_INS_LDS, X86_INS_LEA, X86_INS_LEAVE, X86_INS_LES, X86_INS_LFS,
    X86_INS_LGDT, X86_INS_LGS, X86_INS_LIDT, X86_INS_LLDT, X86_INS_LMSW,
    X86_INS_LODSB, X86_INS_LODSW, X86_INS_LODSD, X86_INS_LOOP,
    X86_INS_LOOPE, X86_INS_LOOPNE, X86_INS_LSL, X86_INS_LSS, X86_INS_LTR,
    X86_INS_MOV, X86_INS_MOVSB, X86_INS_MOVSW, X86_INS_MOVSD,
    X86_INS_MOVSX, X86_INS_MOVZX, X86_INS_MUL, X86_INS_NEG, X86_INS_NOP,
    X86_INS_NOT, X86_INS_OR, X86_INS_OUT, X86_INS_OUTSB, X86_INS_OUTSW,
    X86_INS_OUTSD, X86_INS_PAUSE, X86_INS_POP, X86_INS_POPAW,
    X86_INS_POPAL, X86_INS_POPF, X86_INS_POPFD, X86_INS_PUSH,
    X86_INS_PUSHAW, X86_INS_PUSHAL, X86_INS_PUSHF, X86_INS_PUSHFD,
    X86_INS_RCL, X86_INS_RCR, X86_INS_RDMSR, X86_INS_RDPMC, X86_INS_RDTSC,
    X86_INS_RET, X86_INS_RETF, X86_INS_ROL, X86_INS_ROR, X86_INS_RSM,
    X86_INS_SAHF, X86_INS_SAL, X86_INS_SAR, X86_INS_SBB, X86_INS_SCASB,
    X86_INS_SCASW, X86_INS_SCASD, X86_INS_SETAE, X86_INS_SETA,
    X86_INS_SETBE, X86_INS_SETB, X86_INS_SETE, X86_INS_SETGE,
    X86_INS_SETG, X86_INS_SETLE, X86_INS_SETL, X86_INS_SETNE,
    X86_INS_SETNO, X86_INS_SETNP, X86_INS_SETNS, X86_INS_SETO,
    X86_INS_SETP, X86_INS_SETS, X86_INS_SGDT, X86_INS_SHL, X86_INS_SHLD,
    X86_INS_SHR, X86_INS_SHRD, X86_INS_SIDT, X86_INS_SLDT, X86_INS_SMSW,
    X86_INS_STC, X86_INS_STD, X86_INS_STI, X86_INS_STOSB, X86_INS_STOSW,
    X86_INS_STOSD, X86_INS_STR, X86_INS_SUB, X86_INS_SYSENTER,
    X86_INS_SYSEXIT, X86_INS_TEST, X86_INS_UD2, X86_INS_VERR,
    X86_INS_VERW, X86_INS_WAIT, X86_INS_WBINVD, X86_INS_WRMSR,
    X86_INS_XADD, X86_INS_XCHG, X86_INS_XLATB, X86_INS_XOR, X86_INS_SALC,
    X86_INS_ENDBR32, X86_INS_ENDBR64, X86_INS_PREFETCHNTA,
    X86_INS_PREFETCHT0, X86_INS_PREFETCHT1, X86_INS_PREFETCHT2,
};

/*
 * Ids above that Capstone files under an extension group although the
 * i686 executes them: WAIT (group fpu), PAUSE (sse2: a NOP before it),
 * the PREFETCHh hints (sse1: reserved NOPs before).
 */
static const unsigned cs_i686_in_ext_group[] = {
    X86_INS_WAIT, X86_INS_PAUSE, X86_INS_PREFETCHNTA, X86_INS_PREFETCHT0,
    X86_INS_PREFETCHT1, X86_INS_PREFETCHT2,
};

/* Capstone groups of instructions softvisor does not implement. */
static const uint8_t cs_ext_groups[] = {
    X86_GRP_VM, X86_GRP_3DNOW, X86_GRP_AES, X86_GRP_ADX, X86_GRP_AVX,
    X86_GRP_AVX2, X86_GRP_AVX512, X86_GRP_BMI, X86_GRP_BMI2, X86_GRP_F16C,
    X86_GRP_FMA, X86_GRP_FMA4, X86_GRP_FSGSBASE, X86_GRP_HLE, X86_GRP_MMX,
    X86_GRP_RTM, X86_GRP_SHA, X86_GRP_SSE1, X86_GRP_SSE2, X86_GRP_SSE3,
    X86_GRP_SSE41, X86_GRP_SSE42, X86_GRP_SSE4A, X86_GRP_SSSE3,
    X86_GRP_PCLMUL, X86_GRP_XOP, X86_GRP_CDI, X86_GRP_ERI, X86_GRP_TBM,
    X86_GRP_SGX, X86_GRP_DQI, X86_GRP_BWI, X86_GRP_PFI, X86_GRP_VLX,
    X86_GRP_SMAP, X86_GRP_NOVLX, X86_GRP_FPU,
};

/* Look-up tables built from the lists above, once per run. */
typedef struct CsClass {
    bool i686[X86_INS_ENDING];
    bool i686_in_ext[X86_INS_ENDING];
    bool ext_group[256];
} CsClass;

static void cs_class_init(CsClass *c)
{
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < sizeof(cs_i686_ids) / sizeof(cs_i686_ids[0]); i++) {
        c->i686[cs_i686_ids[i]] = true;
    }
    for (size_t i = 0; i < sizeof(cs_i686_in_ext_group) /
                           sizeof(cs_i686_in_ext_group[0]); i++) {
        c->i686_in_ext[cs_i686_in_ext_group[i]] = true;
    }
    for (size_t i = 0; i < sizeof(cs_ext_groups); i++) {
        c->ext_group[cs_ext_groups[i]] = true;
    }
}

/* Is Capstone's instruction one of the i686 integer set? */
static bool cs_is_i686(const CsClass *c, const cs_insn *ci)
{
    if (ci->id >= X86_INS_ENDING || !c->i686[ci->id]) {
        return false;
    }
    if (c->i686_in_ext[ci->id]) {
        return true;
    }
    /* MOVSD, CMPSD also name SSE2 instructions: tell them by group. */
    for (int i = 0; i < ci->detail->groups_count; i++) {
        if (c->ext_group[ci->detail->groups[i]]) {
            return false;
        }
    }
    return true;
}

/* Capstone's mnemonic without the prefixes it prints in front. */
static const char *cs_bare_mnemonic(const char *m)
{
    static const char *const prefixes[] = {
        "lock ", "rep ", "repe ", "repne ", "repz ", "repnz ", "bnd ",
        "xacquire ", "xrelease ", "notrack ",
    };
    bool again = true;

    while (again) {
        again = false;
        for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
            size_t n = strlen(prefixes[i]);
            if (!strncmp(m, prefixes[i], n)) {
                m += n;
                again = true;
            }
        }
    }
    return m;
}

/* ------------------------------------------------------------------ */
/* Operands: memory operand, immediates, branch targets                */

/* General register number (EAX=0 ... EDI=7) of a Capstone 16/32-bit
 * register, X86_REG_NONE for none, 0xfe for anything else. */
static unsigned cs_gpr_num(x86_reg r)
{
    static const x86_reg regs[2][8] = {
        { X86_REG_EAX, X86_REG_ECX, X86_REG_EDX, X86_REG_EBX,
          X86_REG_ESP, X86_REG_EBP, X86_REG_ESI, X86_REG_EDI },
        { X86_REG_AX, X86_REG_CX, X86_REG_DX, X86_REG_BX,
          X86_REG_SP, X86_REG_BP, X86_REG_SI, X86_REG_DI },
    };

    if (r == X86_REG_INVALID) {
        return X86_REG_NONE;
    }
    for (unsigned w = 0; w < 2; w++) {
        for (unsigned i = 0; i < 8; i++) {
            if (regs[w][i] == r) {
                return i;
            }
        }
    }
    return 0xfe;
}

static unsigned cs_seg_num(x86_reg r)
{
    static const x86_reg segs[6] = {
        X86_REG_ES, X86_REG_CS, X86_REG_SS, X86_REG_DS, X86_REG_FS,
        X86_REG_GS,
    };

    for (unsigned i = 0; i < 6; i++) {
        if (segs[i] == r) {
            return i;
        }
    }
    return X86_SEG_NONE;
}

static bool sv_has_opnd(const X86Insn *sv, X86OperandKind k)
{
    return sv->info->opnd[0] == k || sv->info->opnd[1] == k ||
           sv->info->opnd[2] == k;
}

/*
 * Do the fields the frontend uses agree with Capstone's operands?  The
 * memory operand (base, index, scale, displacement and segment
 * override), the immediates, relative branch targets, far pointers.
 * Returns NULL or what differs.
 */
static const char *operands_differ(const X86Insn *sv, const cs_insn *ci,
                                   bool code32)
{
    const cs_x86 *x = &ci->detail->x86;
    const cs_x86_op *mem = NULL, *imm[2] = { NULL, NULL };
    uint32_t amask = sv->addrsize == 4 ? 0xffffffffu : 0xffffu;
    uint32_t omask = sv->opsize == 4 ? 0xffffffffu
                     : sv->opsize == 2 ? 0xffffu : 0xffu;
    unsigned nimm = 0;

    for (int i = 0; i < x->op_count; i++) {
        if (x->operands[i].type == X86_OP_MEM && !mem) {
            mem = &x->operands[i];
        } else if (x->operands[i].type == X86_OP_IMM && nimm < 2) {
            imm[nimm++] = &x->operands[i];
        }
    }

    if (sv->has_mem) {
        if (!mem) {
            return "Capstone has no memory operand";
        }
        if (cs_gpr_num(mem->mem.base) != sv->base) {
            return "memory base";
        }
        if (cs_gpr_num(mem->mem.index) != sv->index) {
            return "memory index";
        }
        if (sv->index != X86_REG_NONE && mem->mem.scale != sv->scale) {
            return "memory scale";
        }
        if (((uint32_t)mem->mem.disp & amask) != ((uint32_t)sv->disp & amask)) {
            return "displacement";
        }
        if (mem->mem.segment != X86_REG_INVALID &&
            cs_seg_num(mem->mem.segment) != (unsigned)x86_insn_seg(sv)) {
            return "segment";
        }
    }

    if (sv_has_opnd(sv, OPK_A)) {
        if (nimm != 2 || (uint32_t)imm[0]->imm != sv->imm2 ||
            (uint32_t)imm[1]->imm != sv->imm) {
            return "far pointer";
        }
    } else if (sv_has_opnd(sv, OPK_J)) {
        /*
         * Capstone gives the target, from address 0.  The new eIP is
         * truncated to the operand size (SDM Vol. 2, JMP/Jcc), but
         * Capstone 4 truncates by the address size or the mode; compare
         * the low 16 bits whenever one of them is 16.
         */
        uint32_t m = sv->addrsize == 4 && code32 ? omask : 0xffffu;
        uint32_t target = (sv->len + sv->imm) & m;
        if (nimm != 1 || ((uint32_t)imm[0]->imm & m) != target) {
            return "branch target";
        }
    } else if (sv_has_opnd(sv, OPK_I) && nimm > 0) {
        /* aam/aad with base 10 print no operand, hence nimm > 0.
         * Capstone prints immediates signed: compare field widths. */
        static const uint32_t width_mask[IMM_JZ + 1] = {
            [IMM_B] = 0xff, [IMM_W] = 0xffff, [IMM_WB] = 0xffff,
        };
        uint32_t mask = sv->info->imm <= IMM_JZ && width_mask[sv->info->imm]
                        ? width_mask[sv->info->imm] : omask;
        if (((uint32_t)imm[0]->imm & mask) != sv->imm) {
            return "immediate";
        }
        if (sv_has_opnd(sv, OPK_I2) &&
            (nimm != 2 || ((uint32_t)imm[1]->imm & 0xff) != sv->imm2)) {
            return "second immediate";
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* One comparison                                                      */

typedef struct Case {
    const uint8_t *bytes;
    unsigned avail;
    bool code32;
    int sv_len;              /* x86_decode's return */
    const X86Insn *sv;
    const cs_insn *cs;       /* NULL when Capstone says invalid */
    const char *cs_mnem;     /* bare mnemonic, or "" */
} Case;

static bool sv_is_int(const Case *c)
{
    return c->sv_len > 0 && c->sv->op != X86_OP_INVALID &&
           c->sv->op != X86_OP_FPU && c->sv->op != X86_OP_SIMD;
}

/*
 * Capstone-vs-SDM disagreements.  Each matcher sees a case that would
 * otherwise fail and says whether it is this known disagreement.
 */
typedef struct CsException {
    const char *what;
    bool (*match)(const Case *c);
} CsException;

/*
 * The case as softvisor reads it with every prefix byte PFX turned into
 * a DS override, which changes neither length nor validity: ALT and COPY
 * receive the new case.  Lets a matcher check that Capstone and
 * softvisor differ only by that prefix.
 */
static bool case_without_prefix(const Case *c, uint8_t pfx, Case *alt,
                                X86Insn *alt_sv, uint8_t *copy)
{
    unsigned n = c->avail < X86_MAX_INSN_LEN ? c->avail : X86_MAX_INSN_LEN;

    if (!c->cs || c->sv_len <= 0) {
        return false;
    }
    memcpy(copy, c->bytes, n);
    for (unsigned i = 0; i < c->sv->nprefixes; i++) {
        if (copy[i] == pfx) {
            copy[i] = 0x3e;
        }
    }
    *alt = *c;
    alt->bytes = copy;
    alt->sv = alt_sv;
    alt->sv_len = x86_decode(alt_sv, copy, n, c->code32);
    return true;
}

static bool case_same_insn(const Case *c)
{
    return sv_is_int(c) && c->cs && c->sv_len == (int)c->cs->size &&
           !strcmp(x86_insn_mnemonic(c->sv), c->cs_mnem);
}

static bool excused_by_others(const Case *c);

/* SDM Vol. 2, LOCK: "#UD if the LOCK prefix is used with an instruction
 * not listed, or the destination operand is not memory"; Capstone 4
 * accepts LOCK on register forms and, with F2/F3 present, anywhere.
 * Without the LOCK, the two must agree (or differ by another entry). */
static bool exc_lock(const Case *c)
{
    uint8_t copy[X86_MAX_INSN_LEN];
    X86Insn alt_sv;
    Case alt;

    return c->sv_len > 0 && c->sv->lock && c->sv->op == X86_OP_INVALID &&
           case_without_prefix(c, 0xf0, &alt, &alt_sv, copy) &&
           sv_is_int(&alt) &&
           (case_same_insn(&alt) || excused_by_others(&alt));
}

static bool exc_66_rep_same(const Case *c)
{
    uint8_t copy[X86_MAX_INSN_LEN];
    X86Insn alt_sv;
    Case alt;

    return case_without_prefix(c, 0x66, &alt, &alt_sv, copy) &&
           case_same_insn(&alt);
}

/* SDM Vol. 2, 2.1.1 and 2.2.1: 66 and F2/F3 are independent prefixes
 * that may come in any order; F2/F3 are ignored by instructions that do
 * not use them.  Capstone 4 drops a 66 that precedes F2/F3 (or rejects
 * the instruction), as if they formed an SSE mandatory prefix. */
static bool exc_66_rep(const Case *c)
{
    return sv_is_int(c) && c->sv->opsize_prefix && c->sv->rep &&
           (!c->cs || exc_66_rep_same(c));
}

/* SDM Vol. 2, MOV: "#UD if an attempt is made to load the CS register";
 * Capstone 4 decodes 8E /1 as "mov cs, r/m16". */
static bool exc_mov_cs(const Case *c)
{
    return c->cs && c->sv_len > 0 && c->sv->opcode == 0x8e &&
           c->sv->reg == 1 && c->sv->op == X86_OP_INVALID &&
           !strcmp(c->cs_mnem, "mov") && (int)c->cs->size == c->sv_len;
}

/* SDM Vol. 2, MOV-Move to/from Control Registers: CR1, CR5-CR7 are
 * reserved, #UD; Capstone 4 decodes "mov eax, cr1". */
static bool exc_mov_crn(const Case *c)
{
    return c->cs && c->sv_len > 0 &&
           (c->sv->opcode == 0x120 || c->sv->opcode == 0x122) &&
           ((0xe2 >> c->sv->reg) & 1) && c->sv->op == X86_OP_INVALID &&
           !strcmp(c->cs_mnem, "mov") && (int)c->cs->size == c->sv_len;
}

/* The last prefix byte before the opcode, or 0. */
static uint8_t last_prefix(const Case *c)
{
    return c->sv->nprefixes ? c->bytes[c->sv->nprefixes - 1] : 0;
}

/* SDM Vol. 2, CBW/CWDE and CWD/CDQ: with a 16-bit operand size 98 is
 * CBW and 99 is CWD.  Capstone 4 prints cwde/cdq in 16-bit code, and in
 * 32-bit code unless the 66 is the last prefix. */
static bool exc_cbw_cwd(const Case *c)
{
    return c->cs && c->sv_len > 0 && c->sv->opsize == 2 &&
           (!c->code32 || last_prefix(c) != 0x66) &&
           (int)c->cs->size == c->sv_len &&
           ((c->sv->op == X86_OP_CBW && !strcmp(c->cs_mnem, "cwde")) ||
            (c->sv->op == X86_OP_CWD && !strcmp(c->cs_mnem, "cdq")));
}

/* SDM Vol. 2, JCXZ: the address size picks CX or ECX, and a 67 prefix
 * counts wherever it is among the prefixes (2.1.1).  Capstone 4 applies
 * 67 to E3 only when it is the last prefix. */
static bool exc_jcxz(const Case *c)
{
    return c->cs && c->sv_len > 0 && c->sv->op == X86_OP_JCXZ &&
           c->sv->addrsize_prefix && last_prefix(c) != 0x67 &&
           (int)c->cs->size == c->sv_len &&
           (!strcmp(c->cs_mnem, "jcxz") || !strcmp(c->cs_mnem, "jecxz"));
}

/* SDM Vol. 2, PAUSE: F3 90 in any mode, F3 being the repeat prefix in
 * effect.  Capstone 4 says "nop" in 16-bit code or when F3 is not the
 * last prefix. */
static bool exc_pause(const Case *c)
{
    return c->cs && c->sv_len > 0 && c->sv->op == X86_OP_NOP &&
           c->sv->opcode == 0x90 && c->sv->rep == 0xf3 &&
           (!c->code32 || last_prefix(c) != 0xf3) &&
           (int)c->cs->size == c->sv_len && !strcmp(c->cs_mnem, "nop");
}

/* AMD APM Vol. 4, EXTRQ/INSERTQ: 66/F2 0F 78 carry two imm8; the last of
 * 66/F2/F3 selects the form wherever other prefixes are (SDM Vol. 2,
 * 2.1.1: prefix order is free).  Capstone 4 decodes VMREAD (no imm)
 * unless the 66/F2 is the very last prefix byte (not always even then),
 * and always in 16-bit code. */
static bool exc_extrq(const Case *c)
{
    /* x86_decode sets opcode before it runs out of the 15 bytes */
    return c->cs && c->sv->opcode == 0x178 &&
           !strcmp(c->cs_mnem, "vmread") &&
           (c->sv_len < 0 ||
            (c->sv->op == X86_OP_SIMD && (int)c->cs->size == c->sv_len - 2));
}

/* SDM Vol. 2, TZCNT and LZCNT: on processors without BMI1/LZCNT, F3 0F
 * BC/BD execute as BSF/BSR (the F3 prefix is ignored), as on the i686. */
static bool exc_tzcnt_lzcnt(const Case *c)
{
    return c->sv_len > 0 && c->sv->rep == 0xf3 && c->cs &&
           ((c->sv->op == X86_OP_BSF && !strcmp(c->cs_mnem, "tzcnt")) ||
            (c->sv->op == X86_OP_BSR && !strcmp(c->cs_mnem, "lzcnt"))) &&
           (int)c->cs->size == c->sv_len;
}

/* SDM Vol. 2, UD: "0F B9 /r UD1" and "0F FF /r UD0" have a ModRM byte
 * (so more prefixes may push them past 15 bytes); Capstone 4 decodes
 * ud2b and ud0 without one. */
static bool exc_ud1_ud0(const Case *c)
{
    return c->cs && (c->sv_len <= 0 || c->sv->op == X86_OP_INVALID) &&
           (!strcmp(c->cs_mnem, "ud2b") || !strcmp(c->cs_mnem, "ud0"));
}

/* SDM Vol. 2, NOP ("0F 1F /0 NOP r/m16/32") and Table A-3 (0F 19-1E
 * reserved NOPs): the operand may be a register.  Capstone 4 rejects
 * most register forms of 0F 1A-1F. */
static bool exc_hint_nop_reg(const Case *c)
{
    return !c->cs && c->sv_len > 0 && c->sv->op == X86_OP_NOP &&
           c->sv->opcode >= 0x119 && c->sv->opcode <= 0x11f &&
           c->sv->mod == 3;
}

static const CsException x86_cs_exceptions[] = {
    { "LOCK on a register/non-lockable form is #UD", exc_lock },
    { "66 before F2/F3 still sets the operand size", exc_66_rep },
    { "8E /1: mov cs, r/m is #UD", exc_mov_cs },
    { "0F 20/22 CR1 CR5-7: reserved, #UD", exc_mov_crn },
    { "98/99 with 16-bit operands are cbw/cwd", exc_cbw_cwd },
    { "E3 with 67 anywhere among the prefixes", exc_jcxz },
    { "F3 90 is pause with other prefixes, in 16-bit code", exc_pause },
    { "66/F2 0F 78 (extrq/insertq) have two imm8", exc_extrq },
    { "F3 0F BC/BD: bsf/bsr on the i686 (tzcnt/lzcnt later)",
      exc_tzcnt_lzcnt },
    { "0F 19-1F hint NOP with a register operand", exc_hint_nop_reg },
    { "0F B9 (UD1) and 0F FF (UD0) have a ModRM byte", exc_ud1_ud0 },
};
#define N_EXCEPTIONS (sizeof(x86_cs_exceptions) / sizeof(x86_cs_exceptions[0]))

/* Does an entry other than LOCK's (the first) excuse case C? */
static bool excused_by_others(const Case *c)
{
    for (size_t i = 1; i < N_EXCEPTIONS; i++) {
        if (x86_cs_exceptions[i].match(c)) {
            return true;
        }
    }
    return false;
}

/* Outcome categories, for the printed summary. */
enum {
    CAT_INT_AGREE,      /* both decode the same i686 instruction */
    CAT_BOTH_INVALID,   /* softvisor INVALID/FPU/SIMD, Capstone invalid */
    CAT_EXT_AGREE,      /* softvisor FPU/SIMD, Capstone an extension,
                         * same length */
    CAT_INVALID_EXT,    /* softvisor INVALID, Capstone an extension */
    CAT_TOO_LONG,       /* past 15 bytes: softvisor -1, Capstone invalid */
    CAT_EXCEPTION,      /* a listed Capstone-vs-SDM disagreement */
    CAT_MISMATCH,       /* anything else: a failure */
    CAT_COUNT
};

static const char *const cat_names[CAT_COUNT] = {
    "agree (i686 integer, operands too)", "agree (both invalid)",
    "agree (FPU/SIMD = Capstone extension, same length)",
    "agree (INVALID = Capstone extension)",
    "agree (over 15 bytes)", "known Capstone/SDM exceptions", "MISMATCHES",
};

typedef struct Stats {
    unsigned long cat[CAT_COUNT];
    unsigned long exc[N_EXCEPTIONS];
    unsigned reports;
} Stats;

static void report(Stats *st, const Case *c, const char *why)
{
    char hex[3 * X86_MAX_INSN_LEN + 1] = "";
    unsigned n = c->avail < X86_MAX_INSN_LEN ? c->avail : X86_MAX_INSN_LEN;

    if (st->reports++ >= MAX_REPORTS) {
        return;
    }
    for (unsigned i = 0; i < n; i++) {
        sprintf(hex + 3 * i, "%02x ", c->bytes[i]);
    }
    printf("  MISMATCH (%s, %d-bit) %s\n    softvisor: len %d %s (%s)\n"
           "    capstone:  %s%s%s len %u\n",
           why, c->code32 ? 32 : 16, hex, c->sv_len,
           c->sv_len > 0 ? x86_insn_mnemonic(c->sv) : "-",
           c->sv_len > 0 ? x86_op_name(c->sv->op) : "-",
           c->cs ? c->cs->mnemonic : "invalid", c->cs ? " " : "",
           c->cs ? c->cs->op_str : "", c->cs ? c->cs->size : 0);
}

/* Sort one case into its category; a failure is reported. */
static int classify(const CsClass *cls, Stats *st, const Case *c)
{
    const char *why;

    if (c->sv_len <= 0) {
        if (!c->cs) {
            return CAT_TOO_LONG;
        }
        why = "softvisor needs more bytes, Capstone decodes";
    } else if (sv_is_int(c)) {
        if (c->cs && (int)c->cs->size == c->sv_len &&
            !strcmp(c->cs_mnem, x86_insn_mnemonic(c->sv))) {
            why = operands_differ(c->sv, c->cs, c->code32);
            if (!why) {
                return CAT_INT_AGREE;
            }
        } else {
            why = !c->cs ? "softvisor valid, Capstone invalid"
                  : (int)c->cs->size != c->sv_len ? "length"
                                                  : "mnemonic";
        }
    } else if (!c->cs) {
        return CAT_BOTH_INVALID;
    } else if (cs_is_i686(cls, c->cs)) {
        why = "softvisor invalid, Capstone an i686 instruction";
    } else if (c->sv->op == X86_OP_INVALID) {
        return CAT_INVALID_EXT;
    } else if ((int)c->cs->size == c->sv_len) {
        return CAT_EXT_AGREE;
    } else {
        why = "extension length";
    }

    for (size_t i = 0; i < N_EXCEPTIONS; i++) {
        if (x86_cs_exceptions[i].match(c)) {
            st->exc[i]++;
            return CAT_EXCEPTION;
        }
    }
    report(st, c, why);
    return CAT_MISMATCH;
}

/* Decode BYTES with both decoders and classify; returns Capstone's
 * length, 0 if it found no instruction. */
static unsigned compare(const CsClass *cls, Stats *st, csh cs, cs_insn *ci,
                    const uint8_t *bytes, unsigned avail, bool code32)
{
    X86Insn sv;
    Case c = { .bytes = bytes, .avail = avail, .code32 = code32, .sv = &sv };
    const uint8_t *p = bytes;
    size_t size = avail;
    uint64_t addr = 0;

    c.sv_len = x86_decode(&sv, bytes, avail, code32);
    if (cs_disasm_iter(cs, &p, &size, &addr, ci)) {
        c.cs = ci;
        c.cs_mnem = cs_bare_mnemonic(ci->mnemonic);
    } else {
        c.cs_mnem = "";
    }
    st->cat[classify(cls, st, &c)]++;
    return c.cs ? c.cs->size : 0;
}

static void print_stats(const char *title, const Stats *st)
{
    printf("%s:\n", title);
    for (int i = 0; i < CAT_COUNT; i++) {
        printf("  %-55s %10lu\n", cat_names[i], st->cat[i]);
    }
    for (size_t i = 0; i < N_EXCEPTIONS; i++) {
        printf("    exception: %-50s %8lu\n", x86_cs_exceptions[i].what,
               st->exc[i]);
    }
    fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* (a) random byte strings                                             */

static uint64_t rng_next(uint64_t *s)
{
    /* xorshift64* (Vigna), good enough to spread bytes. */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dull;
}

static unsigned long env_ulong(const char *name, unsigned long def)
{
    const char *s = getenv(name);
    return s && *s ? strtoull(s, NULL, 0) : def;
}

static const uint8_t legacy_prefixes[] = {
    0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65,
};

/*
 * Fill BUF with 15 random bytes.  Uniform bytes rarely reach the 0F map
 * or stack prefixes, so half the strings are steered there: some start
 * with 0F, some with a few legacy prefixes first, and a few with so many
 * prefixes that the 15-byte limit is at stake.
 */
static void random_insn(uint64_t *rng, uint8_t *buf)
{
    uint64_t r = rng_next(rng);
    unsigned pos = 0, style = r & 15, nprefix = 0;

    for (unsigned i = 0; i < X86_MAX_INSN_LEN; i += 8) {
        uint64_t v = rng_next(rng);
        for (unsigned j = 0; j < 8 && i + j < X86_MAX_INSN_LEN; j++) {
            buf[i + j] = v >> (8 * j);
        }
    }
    if (style < 8) {
        return;                                /* uniform */
    } else if (style < 10) {
        nprefix = 0;                           /* 0F map */
    } else if (style < 15) {
        nprefix = 1 + ((r >> 8) & 3);          /* prefixes, then either */
    } else {
        nprefix = 6 + (r >> 8) % 9;            /* 6-14 prefixes */
    }
    for (; pos < nprefix; pos++) {
        buf[pos] = legacy_prefixes[(rng_next(rng) >> 33) %
                                   sizeof(legacy_prefixes)];
    }
    if (style < 10 || style == 13 || style == 14) {
        buf[pos] = 0x0f;
    }
}

START_TEST(test_random)
{
    uint64_t seed = env_ulong("DECODE_SEED", DEFAULT_SEED);
    unsigned long count = env_ulong("DECODE_COUNT", DEFAULT_COUNT);
    uint64_t rng = seed ? seed : 1;
    CsClass *cls = malloc(sizeof(*cls));
    Stats st32 = { 0 }, st16 = { 0 };
    csh h32, h16;
    cs_insn *ci32, *ci16;

    ck_assert_ptr_nonnull(cls);
    cs_class_init(cls);
    ck_assert_int_eq(cs_open(CS_ARCH_X86, CS_MODE_32, &h32), CS_ERR_OK);
    ck_assert_int_eq(cs_open(CS_ARCH_X86, CS_MODE_16, &h16), CS_ERR_OK);
    cs_option(h32, CS_OPT_DETAIL, CS_OPT_ON);
    cs_option(h16, CS_OPT_DETAIL, CS_OPT_ON);
    ci32 = cs_malloc(h32);
    ci16 = cs_malloc(h16);

    printf("random: seed 0x%" PRIx64 " (DECODE_SEED), %lu strings "
           "(DECODE_COUNT), one in four in 16-bit code\n", seed, count);
    for (unsigned long i = 0; i < count; i++) {
        uint8_t buf[X86_MAX_INSN_LEN];
        bool code32 = (rng_next(&rng) & 3) != 0;

        random_insn(&rng, buf);
        if (code32) {
            compare(cls, &st32, h32, ci32, buf, sizeof(buf), true);
        } else {
            compare(cls, &st16, h16, ci16, buf, sizeof(buf), false);
        }
    }
    print_stats("random, 32-bit code", &st32);
    print_stats("random, 16-bit code", &st16);

    cs_free(ci32, 1);
    cs_free(ci16, 1);
    cs_close(&h32);
    cs_close(&h16);
    free(cls);
    ck_assert_msg(st32.cat[CAT_MISMATCH] == 0 && st16.cat[CAT_MISMATCH] == 0,
                  "%lu + %lu mismatches with Capstone (seed 0x%" PRIx64 ")",
                  st32.cat[CAT_MISMATCH], st16.cat[CAT_MISMATCH], seed);
}
END_TEST

/* ------------------------------------------------------------------ */
/* (b) a real i386 binary                                              */

static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    uint8_t *data = NULL;
    long n;

    if (!fp) {
        return NULL;
    }
    if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) > 0 &&
        fseek(fp, 0, SEEK_SET) == 0) {
        data = malloc(n);
        if (data && fread(data, 1, n, fp) != (size_t)n) {
            free(data);
            data = NULL;
        }
        *size = n;
    }
    fclose(fp);
    return data;
}

START_TEST(test_libc)
{
    size_t size = 0, nsec = 0;
    uint8_t *elf = read_file(LIBC_PATH, &size);
    const Elf32_Ehdr *eh = (const Elf32_Ehdr *)elf;
    CsClass *cls = malloc(sizeof(*cls));
    Stats st = { 0 };
    unsigned long bytes_swept = 0, cs_skipped = 0;
    csh h;
    cs_insn *ci;

    ck_assert_msg(elf != NULL,
                  "cannot read " LIBC_PATH ": install Debian's libc6-i386 "
                  "(apt-get install libc6-i386, or gcc-multilib)");
    ck_assert_msg(size >= sizeof(*eh) && !memcmp(eh->e_ident, ELFMAG, SELFMAG)
                  && eh->e_ident[EI_CLASS] == ELFCLASS32 &&
                  eh->e_machine == EM_386, LIBC_PATH " is not an i386 ELF");
    ck_assert_msg(eh->e_shentsize == sizeof(Elf32_Shdr) &&
                  eh->e_shoff + (size_t)eh->e_shnum * sizeof(Elf32_Shdr)
                  <= size, LIBC_PATH ": bad section header table");
    ck_assert_ptr_nonnull(cls);
    cs_class_init(cls);
    ck_assert_int_eq(cs_open(CS_ARCH_X86, CS_MODE_32, &h), CS_ERR_OK);
    cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
    ci = cs_malloc(h);

    for (unsigned s = 0; s < eh->e_shnum; s++) {
        Elf32_Shdr sh;

        memcpy(&sh, elf + eh->e_shoff + s * sizeof(sh), sizeof(sh));
        if (sh.sh_type != SHT_PROGBITS || !(sh.sh_flags & SHF_EXECINSTR) ||
            sh.sh_offset > size || sh.sh_size > size - sh.sh_offset) {
            continue;
        }
        nsec++;
        /* Linear sweep, stepping by Capstone's length (1 if invalid). */
        for (size_t off = 0; off < sh.sh_size;) {
            const uint8_t *p = elf + sh.sh_offset + off;
            size_t left = sh.sh_size - off;
            unsigned avail = left < X86_MAX_INSN_LEN ? left : X86_MAX_INSN_LEN;
            unsigned step = compare(cls, &st, h, ci, p, avail, true);

            if (step == 0) {
                cs_skipped++;
                step = 1;
            }
            off += step;
        }
        bytes_swept += sh.sh_size;
    }
    printf("libc: %s, %zu executable sections, %lu bytes, "
           "%lu bytes Capstone could not decode\n",
           LIBC_PATH, nsec, bytes_swept, cs_skipped);
    print_stats("libc, 32-bit code", &st);

    cs_free(ci, 1);
    cs_close(&h);
    free(cls);
    free(elf);
    ck_assert_msg(nsec > 0, LIBC_PATH ": no executable section");
    ck_assert_msg(st.cat[CAT_MISMATCH] == 0, "%lu mismatches in " LIBC_PATH,
                  st.cat[CAT_MISMATCH]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("decode-capstone");
    TCase *tc = tcase_create("capstone");
    SRunner *sr;
    int failed;

    /* Long loops, and slower under sanitizers; never a timed test. */
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, test_random);
    tcase_add_test(tc, test_libc);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
