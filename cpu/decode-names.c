/*
 * Names for decoded instructions: x86_op_name() for logs, and
 * x86_insn_mnemonic(), which spells an instruction as Capstone does in
 * Intel syntax so tests can compare the two decoders.
 */
#include "cpu/decode.h"

static const char *const x86_op_names[X86_OP_COUNT] = {
#define X86OP(name, desc) [X86_OP_##name] = #name,
#include "cpu/x86-ops.h"
#undef X86OP
};

const char *x86_op_name(X86Op op)
{
    return (unsigned)op < X86_OP_COUNT ? x86_op_names[op] : "?";
}

/* Mnemonic by operand size: [0] 8-bit, [1] 16-bit, [2] 32-bit. */
typedef struct X86Mnemonic {
    const char *name[3];
} X86Mnemonic;

#define N1(s) { { s, s, s } }
#define N3(b, w, d) { { b, w, d } }

static const X86Mnemonic x86_mnemonics[X86_OP_COUNT] = {
    [X86_OP_INVALID] = N1("(bad)"),
    [X86_OP_FPU] = N1("(fpu)"),
    [X86_OP_SIMD] = N1("(simd)"),
    [X86_OP_ADD] = N1("add"),
    [X86_OP_OR] = N1("or"),
    [X86_OP_ADC] = N1("adc"),
    [X86_OP_SBB] = N1("sbb"),
    [X86_OP_AND] = N1("and"),
    [X86_OP_SUB] = N1("sub"),
    [X86_OP_XOR] = N1("xor"),
    [X86_OP_CMP] = N1("cmp"),
    [X86_OP_TEST] = N1("test"),
    [X86_OP_INC] = N1("inc"),
    [X86_OP_DEC] = N1("dec"),
    [X86_OP_NOT] = N1("not"),
    [X86_OP_NEG] = N1("neg"),
    [X86_OP_MUL] = N1("mul"),
    [X86_OP_IMUL1] = N1("imul"),
    [X86_OP_IMUL] = N1("imul"),
    [X86_OP_DIV] = N1("div"),
    [X86_OP_IDIV] = N1("idiv"),
    [X86_OP_ROL] = N1("rol"),
    [X86_OP_ROR] = N1("ror"),
    [X86_OP_RCL] = N1("rcl"),
    [X86_OP_RCR] = N1("rcr"),
    [X86_OP_SHL] = N1("shl"),
    [X86_OP_SHR] = N1("shr"),
    [X86_OP_SAR] = N1("sar"),
    [X86_OP_SHLD] = N1("shld"),
    [X86_OP_SHRD] = N1("shrd"),
    [X86_OP_DAA] = N1("daa"),
    [X86_OP_DAS] = N1("das"),
    [X86_OP_AAA] = N1("aaa"),
    [X86_OP_AAS] = N1("aas"),
    [X86_OP_AAM] = N1("aam"),
    [X86_OP_AAD] = N1("aad"),
    [X86_OP_BT] = N1("bt"),
    [X86_OP_BTS] = N1("bts"),
    [X86_OP_BTR] = N1("btr"),
    [X86_OP_BTC] = N1("btc"),
    [X86_OP_BSF] = N1("bsf"),
    [X86_OP_BSR] = N1("bsr"),
    [X86_OP_MOV] = N1("mov"),
    [X86_OP_MOV_SEG_LOAD] = N1("mov"),
    [X86_OP_MOV_SEG_STORE] = N1("mov"),
    [X86_OP_MOV_CR_LOAD] = N1("mov"),
    [X86_OP_MOV_CR_STORE] = N1("mov"),
    [X86_OP_MOV_DR_LOAD] = N1("mov"),
    [X86_OP_MOV_DR_STORE] = N1("mov"),
    [X86_OP_LEA] = N1("lea"),
    [X86_OP_MOVZX] = N1("movzx"),
    [X86_OP_MOVSX] = N1("movsx"),
    [X86_OP_XCHG] = N1("xchg"),
    [X86_OP_XADD] = N1("xadd"),
    [X86_OP_CMPXCHG] = N1("cmpxchg"),
    [X86_OP_CMPXCHG8B] = N1("cmpxchg8b"),
    [X86_OP_BSWAP] = N1("bswap"),
    [X86_OP_CBW] = N3("cbw", "cbw", "cwde"),
    [X86_OP_CWD] = N3("cwd", "cwd", "cdq"),
    [X86_OP_LAHF] = N1("lahf"),
    [X86_OP_SAHF] = N1("sahf"),
    [X86_OP_XLAT] = N1("xlatb"),
    [X86_OP_LDS] = N1("lds"),
    [X86_OP_LES] = N1("les"),
    [X86_OP_LFS] = N1("lfs"),
    [X86_OP_LGS] = N1("lgs"),
    [X86_OP_LSS] = N1("lss"),
    [X86_OP_NOP] = N1("nop"),
    [X86_OP_CLC] = N1("clc"),
    [X86_OP_STC] = N1("stc"),
    [X86_OP_CMC] = N1("cmc"),
    [X86_OP_CLD] = N1("cld"),
    [X86_OP_STD] = N1("std"),
    [X86_OP_CLI] = N1("cli"),
    [X86_OP_STI] = N1("sti"),
    [X86_OP_PUSHF] = N3("pushf", "pushf", "pushfd"),
    [X86_OP_POPF] = N3("popf", "popf", "popfd"),
    [X86_OP_PUSH] = N1("push"),
    [X86_OP_POP] = N1("pop"),
    [X86_OP_PUSH_SEG] = N1("push"),
    [X86_OP_POP_SEG] = N1("pop"),
    [X86_OP_PUSHA] = N3("pushaw", "pushaw", "pushal"),
    [X86_OP_POPA] = N3("popaw", "popaw", "popal"),
    [X86_OP_ENTER] = N1("enter"),
    [X86_OP_LEAVE] = N1("leave"),
    [X86_OP_JMP] = N1("jmp"),
    [X86_OP_JMP_IND] = N1("jmp"),
    [X86_OP_JMP_FAR] = N1("ljmp"),
    [X86_OP_JMP_FAR_IND] = N1("ljmp"),
    [X86_OP_CALL] = N1("call"),
    [X86_OP_CALL_IND] = N1("call"),
    [X86_OP_CALL_FAR] = N1("lcall"),
    [X86_OP_CALL_FAR_IND] = N1("lcall"),
    [X86_OP_RET] = N1("ret"),
    [X86_OP_RET_FAR] = N1("retf"),
    [X86_OP_LOOP] = N1("loop"),
    [X86_OP_LOOPE] = N1("loope"),
    [X86_OP_LOOPNE] = N1("loopne"),
    [X86_OP_INT] = N1("int"),
    [X86_OP_INT3] = N1("int3"),
    [X86_OP_INTO] = N1("into"),
    [X86_OP_INT1] = N1("int1"),
    [X86_OP_IRET] = N3("iret", "iret", "iretd"),
    [X86_OP_BOUND] = N1("bound"),
    [X86_OP_MOVS] = N3("movsb", "movsw", "movsd"),
    [X86_OP_CMPS] = N3("cmpsb", "cmpsw", "cmpsd"),
    [X86_OP_STOS] = N3("stosb", "stosw", "stosd"),
    [X86_OP_LODS] = N3("lodsb", "lodsw", "lodsd"),
    [X86_OP_SCAS] = N3("scasb", "scasw", "scasd"),
    [X86_OP_INS] = N3("insb", "insw", "insd"),
    [X86_OP_OUTS] = N3("outsb", "outsw", "outsd"),
    [X86_OP_IN] = N1("in"),
    [X86_OP_OUT] = N1("out"),
    [X86_OP_HLT] = N1("hlt"),
    [X86_OP_CPUID] = N1("cpuid"),
    [X86_OP_RDTSC] = N1("rdtsc"),
    [X86_OP_RDMSR] = N1("rdmsr"),
    [X86_OP_WRMSR] = N1("wrmsr"),
    [X86_OP_RDPMC] = N1("rdpmc"),
    [X86_OP_LGDT] = N1("lgdt"),
    [X86_OP_LIDT] = N1("lidt"),
    [X86_OP_SGDT] = N1("sgdt"),
    [X86_OP_SIDT] = N1("sidt"),
    [X86_OP_LLDT] = N1("lldt"),
    [X86_OP_SLDT] = N1("sldt"),
    [X86_OP_LTR] = N1("ltr"),
    [X86_OP_STR] = N1("str"),
    [X86_OP_LMSW] = N1("lmsw"),
    [X86_OP_SMSW] = N1("smsw"),
    [X86_OP_CLTS] = N1("clts"),
    [X86_OP_INVLPG] = N1("invlpg"),
    [X86_OP_INVD] = N1("invd"),
    [X86_OP_WBINVD] = N1("wbinvd"),
    [X86_OP_VERR] = N1("verr"),
    [X86_OP_VERW] = N1("verw"),
    [X86_OP_LAR] = N1("lar"),
    [X86_OP_LSL] = N1("lsl"),
    [X86_OP_ARPL] = N1("arpl"),
    [X86_OP_UD2] = N1("ud2"),
    [X86_OP_SALC] = N1("salc"),
    [X86_OP_WAIT] = N1("wait"),
    [X86_OP_SYSENTER] = N1("sysenter"),
    [X86_OP_SYSEXIT] = N1("sysexit"),
    [X86_OP_RSM] = N1("rsm"),
};

/* Condition-code spellings, by the low nibble of the opcode. */
static const char *const x86_jcc_names[16] = {
    "jo", "jno", "jb", "jae", "je", "jne", "jbe", "ja",
    "js", "jns", "jp", "jnp", "jl", "jge", "jle", "jg",
};
static const char *const x86_setcc_names[16] = {
    "seto", "setno", "setb", "setae", "sete", "setne", "setbe", "seta",
    "sets", "setns", "setp", "setnp", "setl", "setge", "setle", "setg",
};
static const char *const x86_cmovcc_names[16] = {
    "cmovo", "cmovno", "cmovb", "cmovae", "cmove", "cmovne", "cmovbe",
    "cmova", "cmovs", "cmovns", "cmovp", "cmovnp", "cmovl", "cmovge",
    "cmovle", "cmovg",
};

/* 0F 18 /0-/3: the PREFETCHh hints, executed as NOP. */
static const char *const x86_prefetch_names[4] = {
    "prefetchnta", "prefetcht0", "prefetcht1", "prefetcht2",
};

/* NOP has the most spellings: pause, endbr, the prefetch hints. */
static const char *x86_nop_mnemonic(const X86Insn *insn)
{
    if (insn->opcode == 0x90 && insn->rep == 0xf3) {
        return "pause";
    }
    if (insn->opcode == 0x11e && insn->rep == 0xf3 &&
        (insn->modrm == 0xfb || insn->modrm == 0xfa)) {
        return insn->modrm == 0xfb ? "endbr32" : "endbr64";
    }
    if (insn->opcode == 0x118 && insn->reg < 4) {
        return x86_prefetch_names[insn->reg];
    }
    return "nop";
}

const char *x86_insn_mnemonic(const X86Insn *insn)
{
    unsigned cc = insn->opcode & 15;

    switch (insn->op) {
    case X86_OP_JCC:
        return x86_jcc_names[cc];
    case X86_OP_SETCC:
        return x86_setcc_names[cc];
    case X86_OP_CMOVCC:
        return x86_cmovcc_names[cc];
    case X86_OP_JCXZ:
        return insn->addrsize == 4 ? "jecxz" : "jcxz";
    case X86_OP_NOP:
        return x86_nop_mnemonic(insn);
    case X86_OP_SHL:
        /* Group 2 /6 is SAL's own encoding. */
        return insn->reg == 6 ? "sal" : "shl";
    default:
        if (insn->op >= X86_OP_COUNT || !x86_mnemonics[insn->op].name[0]) {
            return "(bad)";
        }
        return x86_mnemonics[insn->op].name[insn->opsize >> 1];
    }
}
