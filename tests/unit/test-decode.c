/*
 * Hand-picked encodings for the i686 decoder (cpu/decode.c): lengths,
 * fields the frontend reads, 16- and 32-bit addressing, prefixes, #UD
 * forms and the 15-byte limit.  test-decode-capstone.c covers the bulk
 * against Capstone; this file pins the conventions Capstone cannot see.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/decode.h"

/* Parse hex like "66 0f 1f 44 00 00" into BUF; returns the byte count. */
static unsigned parse_hex(const char *hex, uint8_t *buf, unsigned max)
{
    unsigned n = 0;

    while (*hex && n < max) {
        unsigned v;
        if (*hex == ' ') {
            hex++;
            continue;
        }
        ck_assert_msg(sscanf(hex, "%2x", &v) == 1, "bad hex '%s'", hex);
        buf[n++] = v;
        hex += 2;
    }
    return n;
}

/* Decode HEX (exactly its bytes available). */
static int dec(X86Insn *insn, const char *hex, bool code32)
{
    uint8_t buf[32];
    unsigned n = parse_hex(hex, buf, sizeof(buf));

    return x86_decode(insn, buf, n, code32);
}

/* ------------------------------------------------------------------ */
/* Lengths, ops and mnemonics                                          */

typedef struct DecodeCase {
    const char *hex;
    bool code32;
    int len;
    X86Op op;
    const char *mnem;
} DecodeCase;

#define C32(h, l, o, m) { h, true, l, X86_OP_##o, m }
#define C16(h, l, o, m) { h, false, l, X86_OP_##o, m }

static const DecodeCase decode_cases[] = {
    /* ALU forms */
    C32("00 00", 2, ADD, "add"),
    C32("04 7f", 2, ADD, "add"),
    C32("05 78 56 34 12", 5, ADD, "add"),
    C32("66 05 34 12", 4, ADD, "add"),
    C16("05 34 12", 3, ADD, "add"),
    C16("66 05 78 56 34 12", 6, ADD, "add"),
    C32("80 c0 01", 3, ADD, "add"),
    C32("81 c0 78 56 34 12", 6, ADD, "add"),
    C32("82 f8 01", 3, CMP, "cmp"),
    C32("83 e8 01", 3, SUB, "sub"),
    C32("38 c0", 2, CMP, "cmp"),
    C32("84 c0", 2, TEST, "test"),
    C32("a9 00 00 00 80", 5, TEST, "test"),
    C32("f6 c0 01", 3, TEST, "test"),
    C32("f6 c8 01", 3, TEST, "test"),           /* /1 alias */
    C32("f7 c0 01 00 00 00", 6, TEST, "test"),
    C32("f7 d0", 2, NOT, "not"),
    C32("f7 d8", 2, NEG, "neg"),
    C32("f7 e0", 2, MUL, "mul"),
    C32("f7 e8", 2, IMUL1, "imul"),
    C32("f7 f0", 2, DIV, "div"),
    C32("f7 f8", 2, IDIV, "idiv"),
    C32("69 c0 00 01 00 00", 6, IMUL, "imul"),
    C32("6b c0 10", 3, IMUL, "imul"),
    C32("0f af c1", 3, IMUL, "imul"),
    C32("40", 1, INC, "inc"),
    C32("4f", 1, DEC, "dec"),
    C32("fe c0", 2, INC, "inc"),
    C32("ff c8", 2, DEC, "dec"),
    /* shifts */
    C32("d0 e0", 2, SHL, "shl"),
    C32("d0 f0", 2, SHL, "sal"),
    C32("d1 e8", 2, SHR, "shr"),
    C32("d3 f8", 2, SAR, "sar"),
    C32("c0 c0 03", 3, ROL, "rol"),
    C32("c1 c8 03", 3, ROR, "ror"),
    C32("d2 d0", 2, RCL, "rcl"),
    C32("d2 d8", 2, RCR, "rcr"),
    C32("0f a4 c0 04", 4, SHLD, "shld"),
    C32("0f a5 c0", 3, SHLD, "shld"),
    C32("0f ac c0 04", 4, SHRD, "shrd"),
    C32("0f ad c0", 3, SHRD, "shrd"),
    /* BCD and flags */
    C32("27", 1, DAA, "daa"), C32("2f", 1, DAS, "das"),
    C32("37", 1, AAA, "aaa"), C32("3f", 1, AAS, "aas"),
    C32("d4 0a", 2, AAM, "aam"), C32("d5 0a", 2, AAD, "aad"),
    C32("d6", 1, SALC, "salc"),
    C32("f5", 1, CMC, "cmc"), C32("f8", 1, CLC, "clc"),
    C32("f9", 1, STC, "stc"), C32("fa", 1, CLI, "cli"),
    C32("fb", 1, STI, "sti"), C32("fc", 1, CLD, "cld"),
    C32("fd", 1, STD, "std"),
    C32("9e", 1, SAHF, "sahf"), C32("9f", 1, LAHF, "lahf"),
    /* sized spellings */
    C32("98", 1, CBW, "cwde"), C32("66 98", 2, CBW, "cbw"),
    C16("98", 1, CBW, "cbw"), C16("66 98", 2, CBW, "cwde"),
    C32("99", 1, CWD, "cdq"), C16("99", 1, CWD, "cwd"),
    C32("60", 1, PUSHA, "pushal"), C16("60", 1, PUSHA, "pushaw"),
    C32("61", 1, POPA, "popal"), C32("66 61", 2, POPA, "popaw"),
    C32("9c", 1, PUSHF, "pushfd"), C16("9c", 1, PUSHF, "pushf"),
    C32("9d", 1, POPF, "popfd"), C32("66 9d", 2, POPF, "popf"),
    C32("cf", 1, IRET, "iretd"), C16("cf", 1, IRET, "iret"),
    /* strings */
    C32("a4", 1, MOVS, "movsb"), C32("a5", 1, MOVS, "movsd"),
    C32("66 a5", 2, MOVS, "movsw"), C16("a5", 1, MOVS, "movsw"),
    C32("f3 a5", 2, MOVS, "movsd"),
    C32("a6", 1, CMPS, "cmpsb"), C32("a7", 1, CMPS, "cmpsd"),
    C32("aa", 1, STOS, "stosb"), C32("ab", 1, STOS, "stosd"),
    C32("ac", 1, LODS, "lodsb"), C32("ad", 1, LODS, "lodsd"),
    C32("ae", 1, SCAS, "scasb"), C32("af", 1, SCAS, "scasd"),
    C32("6c", 1, INS, "insb"), C32("6d", 1, INS, "insd"),
    C32("6e", 1, OUTS, "outsb"), C16("6f", 1, OUTS, "outsw"),
    C32("d7", 1, XLAT, "xlatb"),
    /* data movement */
    C32("88 00", 2, MOV, "mov"),
    C32("8b 45 fc", 3, MOV, "mov"),
    C32("b0 12", 2, MOV, "mov"),
    C32("b8 78 56 34 12", 5, MOV, "mov"),
    C16("b8 34 12", 3, MOV, "mov"),
    C32("c6 00 12", 3, MOV, "mov"),
    C32("c7 00 78 56 34 12", 6, MOV, "mov"),
    C32("66 c7 00 34 12", 5, MOV, "mov"),
    C32("a0 78 56 34 12", 5, MOV, "mov"),
    C32("67 a1 34 12", 4, MOV, "mov"),
    C16("a3 34 12", 3, MOV, "mov"),
    C32("8c d8", 2, MOV_SEG_STORE, "mov"),
    C32("8e d8", 2, MOV_SEG_LOAD, "mov"),
    C32("8e d0", 2, MOV_SEG_LOAD, "mov"),
    C32("0f 20 c0", 3, MOV_CR_STORE, "mov"),
    C32("0f 20 00", 3, MOV_CR_STORE, "mov"),    /* mod ignored */
    C32("0f 22 e0", 3, MOV_CR_LOAD, "mov"),
    C32("0f 22 d8", 3, MOV_CR_LOAD, "mov"),
    C32("0f 21 f8", 3, MOV_DR_STORE, "mov"),
    C32("0f 23 c0", 3, MOV_DR_LOAD, "mov"),
    C32("8d 04 24", 3, LEA, "lea"),
    C32("0f b6 c0", 3, MOVZX, "movzx"),
    C32("0f b7 00", 3, MOVZX, "movzx"),
    C32("0f be c0", 3, MOVSX, "movsx"),
    C32("0f bf c0", 3, MOVSX, "movsx"),
    C32("86 00", 2, XCHG, "xchg"),
    C32("87 c8", 2, XCHG, "xchg"),
    C32("91", 1, XCHG, "xchg"),
    C32("0f c0 00", 3, XADD, "xadd"),
    C32("0f b1 08", 3, CMPXCHG, "cmpxchg"),
    C32("0f c7 08", 3, CMPXCHG8B, "cmpxchg8b"),
    C32("0f c9", 2, BSWAP, "bswap"),
    C32("c5 00", 2, LDS, "lds"), C32("c4 00", 2, LES, "les"),
    C32("0f b2 00", 3, LSS, "lss"), C32("0f b4 00", 3, LFS, "lfs"),
    C32("0f b5 00", 3, LGS, "lgs"),
    /* NOPs and their spellings */
    C32("90", 1, NOP, "nop"),
    C32("66 90", 2, NOP, "nop"),
    C32("f3 90", 2, NOP, "pause"),
    C32("0f 1f 00", 3, NOP, "nop"),
    C32("0f 1f 44 00 00", 5, NOP, "nop"),
    C32("66 0f 1f 84 00 00 00 00 00", 9, NOP, "nop"),
    C32("0f 1f c0", 3, NOP, "nop"),
    C32("0f 19 c0", 3, NOP, "nop"),
    C32("f3 0f 1e fb", 4, NOP, "endbr32"),
    C32("0f 18 00", 3, NOP, "prefetchnta"),
    C32("0f 18 08", 3, NOP, "prefetcht0"),
    C32("0f 18 20", 3, NOP, "nop"),
    /* bits */
    C32("0f a3 c0", 3, BT, "bt"), C32("0f ab c0", 3, BTS, "bts"),
    C32("0f b3 c0", 3, BTR, "btr"), C32("0f bb c0", 3, BTC, "btc"),
    C32("0f ba e0 05", 4, BT, "bt"), C32("0f ba e8 05", 4, BTS, "bts"),
    C32("0f ba f0 05", 4, BTR, "btr"), C32("0f ba f8 05", 4, BTC, "btc"),
    C32("0f bc c0", 3, BSF, "bsf"), C32("0f bd c0", 3, BSR, "bsr"),
    C32("f3 0f bc c0", 4, BSF, "bsf"),   /* tzcnt on BMI1 processors */
    C32("0f 94 c0", 3, SETCC, "sete"), C32("0f 9f 00", 3, SETCC, "setg"),
    C32("0f 45 c1", 3, CMOVCC, "cmovne"),
    C32("0f 42 c1", 3, CMOVCC, "cmovb"),
    /* stack */
    C32("50", 1, PUSH, "push"), C32("5f", 1, POP, "pop"),
    C32("68 78 56 34 12", 5, PUSH, "push"),
    C32("66 68 34 12", 4, PUSH, "push"),
    C32("6a ff", 2, PUSH, "push"),
    C32("ff 30", 2, PUSH, "push"),
    C32("8f 00", 2, POP, "pop"),
    C32("06", 1, PUSH_SEG, "push"), C32("0e", 1, PUSH_SEG, "push"),
    C32("07", 1, POP_SEG, "pop"), C32("1f", 1, POP_SEG, "pop"),
    C32("0f a0", 2, PUSH_SEG, "push"), C32("0f a9", 2, POP_SEG, "pop"),
    C32("c8 10 00 01", 4, ENTER, "enter"),
    C32("c9", 1, LEAVE, "leave"),
    /* control transfer */
    C32("eb fe", 2, JMP, "jmp"),
    C32("e9 00 00 00 00", 5, JMP, "jmp"),
    C32("66 e9 00 00", 4, JMP, "jmp"),
    C16("e9 00 00", 3, JMP, "jmp"),
    C32("e8 00 00 00 00", 5, CALL, "call"),
    C32("ff d0", 2, CALL_IND, "call"),
    C32("ff 20", 2, JMP_IND, "jmp"),
    C32("ff 18", 2, CALL_FAR_IND, "lcall"),
    C32("ff 28", 2, JMP_FAR_IND, "ljmp"),
    C32("ea 78 56 34 12 08 00", 7, JMP_FAR, "ljmp"),
    C16("ea 34 12 00 f0", 5, JMP_FAR, "ljmp"),
    C32("9a 78 56 34 12 08 00", 7, CALL_FAR, "lcall"),
    C32("c3", 1, RET, "ret"), C32("c2 08 00", 3, RET, "ret"),
    C32("cb", 1, RET_FAR, "retf"), C32("ca 08 00", 3, RET_FAR, "retf"),
    C32("74 00", 2, JCC, "je"), C32("7f 00", 2, JCC, "jg"),
    C32("0f 85 00 00 00 00", 6, JCC, "jne"),
    C16("0f 82 00 00", 4, JCC, "jb"),
    C32("e0 fe", 2, LOOPNE, "loopne"), C32("e1 fe", 2, LOOPE, "loope"),
    C32("e2 fe", 2, LOOP, "loop"),
    C32("e3 fe", 2, JCXZ, "jecxz"), C32("67 e3 fe", 3, JCXZ, "jcxz"),
    C16("e3 fe", 2, JCXZ, "jcxz"),
    C32("cd 80", 2, INT, "int"), C32("cc", 1, INT3, "int3"),
    C32("ce", 1, INTO, "into"), C32("f1", 1, INT1, "int1"),
    C32("62 00", 2, BOUND, "bound"),
    /* I/O */
    C32("e4 60", 2, IN, "in"), C32("ed", 1, IN, "in"),
    C32("e6 80", 2, OUT, "out"), C32("ee", 1, OUT, "out"),
    /* system */
    C32("f4", 1, HLT, "hlt"), C32("9b", 1, WAIT, "wait"),
    C32("0f a2", 2, CPUID, "cpuid"), C32("0f 31", 2, RDTSC, "rdtsc"),
    C32("0f 30", 2, WRMSR, "wrmsr"), C32("0f 32", 2, RDMSR, "rdmsr"),
    C32("0f 33", 2, RDPMC, "rdpmc"), C32("0f 06", 2, CLTS, "clts"),
    C32("0f 08", 2, INVD, "invd"), C32("0f 09", 2, WBINVD, "wbinvd"),
    C32("0f 0b", 2, UD2, "ud2"), C32("0f 34", 2, SYSENTER, "sysenter"),
    C32("0f 35", 2, SYSEXIT, "sysexit"), C32("0f aa", 2, RSM, "rsm"),
    C32("0f 00 c0", 3, SLDT, "sldt"), C32("0f 00 c8", 3, STR, "str"),
    C32("0f 00 d0", 3, LLDT, "lldt"), C32("0f 00 d8", 3, LTR, "ltr"),
    C32("0f 00 e0", 3, VERR, "verr"), C32("0f 00 e8", 3, VERW, "verw"),
    C32("0f 01 00", 3, SGDT, "sgdt"), C32("0f 01 08", 3, SIDT, "sidt"),
    C32("0f 01 10", 3, LGDT, "lgdt"), C32("0f 01 18", 3, LIDT, "lidt"),
    C32("0f 01 e0", 3, SMSW, "smsw"), C32("0f 01 f0", 3, LMSW, "lmsw"),
    C32("0f 01 38", 3, INVLPG, "invlpg"),
    C32("0f 02 c0", 3, LAR, "lar"), C32("0f 03 c0", 3, LSL, "lsl"),
    C32("63 c0", 2, ARPL, "arpl"),

    /* #UD forms keep their length */
    C32("8d c0", 2, INVALID, "(bad)"),          /* lea reg */
    C32("c4 c0", 2, INVALID, "(bad)"),          /* les reg (VEX later) */
    C32("62 c0", 2, INVALID, "(bad)"),          /* bound reg */
    C32("0f b2 c0", 3, INVALID, "(bad)"),       /* lss reg */
    C32("ff d8", 2, INVALID, "(bad)"),          /* lcall reg */
    C32("ff e8", 2, INVALID, "(bad)"),          /* ljmp reg */
    C32("ff f8", 2, INVALID, "(bad)"),          /* group 5 /7 */
    C32("fe d0", 2, INVALID, "(bad)"),          /* group 4 /2 */
    C32("8f c8", 2, INVALID, "(bad)"),          /* group 1A /1 */
    C32("c6 c8 00", 2, INVALID, "(bad)"),       /* group 11 /1 */
    C32("0f ba c0 00", 3, INVALID, "(bad)"),    /* group 8 /0 */
    C32("0f 00 f0", 3, INVALID, "(bad)"),       /* group 6 /6 */
    C32("0f 01 28", 3, INVALID, "(bad)"),       /* group 7 /5 mem */
    C32("0f 01 c0", 3, INVALID, "(bad)"),       /* group 7 reserved */
    C32("0f 01 d0", 3, SIMD, "(simd)"),         /* xgetbv */
    C32("0f 01 f9", 3, SIMD, "(simd)"),         /* rdtscp */
    C32("0f 01 f8", 3, SIMD, "(simd)"),         /* swapgs */
    C32("0f c7 c8", 3, INVALID, "(bad)"),       /* cmpxchg8b reg */
    C32("0f c7 00", 3, INVALID, "(bad)"),       /* group 9 /0 */
    C32("0f c7 f0", 3, SIMD, "(simd)"),         /* rdrand */
    C32("0f 18 c0", 3, INVALID, "(bad)"),       /* prefetch reg */
    C32("8e c8", 2, INVALID, "(bad)"),          /* mov cs, r/m */
    C32("8e f0", 2, INVALID, "(bad)"),          /* Sreg 6 */
    C32("8c f8", 2, INVALID, "(bad)"),          /* Sreg 7 */
    C32("0f 22 c8", 3, INVALID, "(bad)"),       /* cr1 */
    C32("0f 20 e8", 3, INVALID, "(bad)"),       /* cr5 */
    C32("0f 24 c0", 2, INVALID, "(bad)"),       /* test registers */
    C32("0f 04", 2, INVALID, "(bad)"),
    C32("0f ff c0", 3, INVALID, "(bad)"),       /* UD0 */
    C32("0f b9 c0", 3, INVALID, "(bad)"),       /* UD1 */
    C32("0f 05", 2, SIMD, "(simd)"),            /* syscall */

    /* LOCK (SDM Vol. 2, LOCK) */
    C32("f0 01 00", 3, ADD, "add"),
    C32("f0 01 c0", 3, INVALID, "(bad)"),
    C32("f0 38 00", 3, INVALID, "(bad)"),       /* cmp */
    C32("f0 80 38 01", 4, INVALID, "(bad)"),    /* cmp imm */
    C32("f0 80 30 01", 4, XOR, "xor"),
    C32("f0 90", 2, INVALID, "(bad)"),
    C32("f0 87 00", 3, XCHG, "xchg"),
    C32("f0 91", 2, INVALID, "(bad)"),          /* xchg eax, ecx */
    C32("f0 0f c7 08", 4, CMPXCHG8B, "cmpxchg8b"),
    C32("f0 0f b1 08", 4, CMPXCHG, "cmpxchg"),
    C32("f0 0f c1 08", 4, XADD, "xadd"),
    C32("f0 0f ab 00", 4, BTS, "bts"),
    C32("f0 0f a3 00", 4, INVALID, "(bad)"),    /* bt */
    C32("f0 0f ba 28 01", 5, BTS, "bts"),
    C32("f0 0f ba 20 01", 5, INVALID, "(bad)"), /* bt imm */
    C32("f0 f6 10", 3, NOT, "not"),
    C32("f0 f6 18", 3, NEG, "neg"),
    C32("f0 f6 00 01", 4, INVALID, "(bad)"),    /* test */
    C32("f0 fe 00", 3, INC, "inc"),
    C32("f0 ff 08", 3, DEC, "dec"),
    C32("f0 ff 10", 3, INVALID, "(bad)"),       /* call */
    C32("f0 a4", 2, INVALID, "(bad)"),          /* movsb */
    C32("f0 89 00", 3, INVALID, "(bad)"),       /* mov */
    C32("f0 d8 00", 3, INVALID, "(bad)"),       /* x87 */
    C32("f0 0f 10 00", 4, INVALID, "(bad)"),    /* SSE */
    C32("f0 40", 2, INVALID, "(bad)"),          /* inc reg */

    /* x87: ModRM and displacement */
    C32("d9 c0", 2, FPU, "(fpu)"),
    C32("d9 e8", 2, FPU, "(fpu)"),
    C32("dd 05 78 56 34 12", 6, FPU, "(fpu)"),
    C32("d8 44 24 04", 4, FPU, "(fpu)"),
    C16("dd 46 fe", 3, FPU, "(fpu)"),
    C16("df 06 34 12", 4, FPU, "(fpu)"),
    C32("9b db e3", 1, WAIT, "wait"),           /* fwait is its own insn */

    /* SIMD: the length the hardware fetches */
    C32("0f 10 00", 3, SIMD, "(simd)"),
    C32("66 0f 6f 44 24 10", 6, SIMD, "(simd)"),
    C32("0f 70 c0 1b", 4, SIMD, "(simd)"),
    C32("66 0f 73 d8 08", 5, SIMD, "(simd)"),
    C32("0f c2 c1 00", 4, SIMD, "(simd)"),
    C32("0f c6 c1 00", 4, SIMD, "(simd)"),
    C32("0f 77", 2, SIMD, "(simd)"),
    C32("0f 0e", 2, SIMD, "(simd)"),
    C32("0f 0f c1 b4", 4, SIMD, "(simd)"),      /* 3DNow! pfmul */
    C32("0f 0f 44 24 08 9e", 6, SIMD, "(simd)"),
    C32("66 0f 38 00 c1", 5, SIMD, "(simd)"),   /* pshufb */
    C32("66 0f 3a 0f c1 08", 6, SIMD, "(simd)"),/* palignr */
    C32("66 0f 3a 0f 44 24 10 08", 8, SIMD, "(simd)"),
    C32("0f 78 c0", 3, SIMD, "(simd)"),         /* vmread */
    C32("66 0f 78 c0 04 08", 6, SIMD, "(simd)"),/* extrq */
    C32("f2 0f 78 c1 04 08", 6, SIMD, "(simd)"),/* insertq */
    C32("66 f3 0f 78 c0", 5, SIMD, "(simd)"),   /* F3 last: undefined */
    C32("f3 0f b8 c0", 4, SIMD, "(simd)"),      /* popcnt */
    C32("0f ae f0", 3, SIMD, "(simd)"),         /* mfence */
    C32("0f ae 00", 3, SIMD, "(simd)"),         /* fxsave */
    C32("0f c7 30", 3, SIMD, "(simd)"),         /* vmptrld */
    C32("0f 37", 2, SIMD, "(simd)"),            /* getsec */
    C32("c5 f8 77", 2, INVALID, "(bad)"),       /* vzeroupper: lds reg */
};

START_TEST(test_decode_cases)
{
    const DecodeCase *c = &decode_cases[_i];
    X86Insn insn;
    int len = dec(&insn, c->hex, c->code32);

    ck_assert_msg(len == c->len, "%s (%d-bit): length %d, want %d", c->hex,
                  c->code32 ? 32 : 16, len, c->len);
    ck_assert_msg(insn.len == (unsigned)len, "%s: insn.len", c->hex);
    ck_assert_msg(insn.op == c->op, "%s (%d-bit): op %s, want %s", c->hex,
                  c->code32 ? 32 : 16, x86_op_name(insn.op),
                  x86_op_name(c->op));
    ck_assert_msg(!strcmp(x86_insn_mnemonic(&insn), c->mnem),
                  "%s: mnemonic %s, want %s", c->hex,
                  x86_insn_mnemonic(&insn), c->mnem);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Memory operands                                                     */

typedef struct MemCase {
    const char *hex;
    bool code32;
    uint8_t base, index, scale, seg;
    int32_t disp;
    uint8_t addrsize;
} MemCase;

#define NO X86_REG_NONE

static const MemCase mem_cases[] = {
    /* 32-bit: ModRM, SIB, SS default for eSP/eBP bases */
    { "8b 00", true, R_EAX, NO, 1, R_DS, 0, 4 },
    { "8b 45 fc", true, R_EBP, NO, 1, R_SS, -4, 4 },
    { "8b 85 00 01 00 00", true, R_EBP, NO, 1, R_SS, 256, 4 },
    { "8b 05 78 56 34 12", true, NO, NO, 1, R_DS, 0x12345678, 4 },
    { "8b 04 24", true, R_ESP, NO, 1, R_SS, 0, 4 },
    { "8b 44 24 08", true, R_ESP, NO, 1, R_SS, 8, 4 },
    { "8b 04 8d 00 10 00 00", true, NO, R_ECX, 4, R_DS, 0x1000, 4 },
    { "8b 04 c8", true, R_EAX, R_ECX, 8, R_DS, 0, 4 },
    { "8b 44 4d 10", true, R_EBP, R_ECX, 2, R_SS, 16, 4 },
    { "8b 04 65 00 00 00 00", true, NO, NO, 2, R_DS, 0, 4 },  /* no index */
    { "8b 04 2c", true, R_ESP, R_EBP, 1, R_SS, 0, 4 },
    { "8b 04 28", true, R_EAX, R_EBP, 1, R_DS, 0, 4 },    /* index eBP: DS */
    { "8b 80 00 00 00 80", true, R_EAX, NO, 1, R_DS, INT32_MIN, 4 },
    /* 16-bit: Table 2-1, SS default for BP-based forms */
    { "8b 00", false, R_EBX, R_ESI, 1, R_DS, 0, 2 },
    { "8b 01", false, R_EBX, R_EDI, 1, R_DS, 0, 2 },
    { "8b 02", false, R_EBP, R_ESI, 1, R_SS, 0, 2 },
    { "8b 03", false, R_EBP, R_EDI, 1, R_SS, 0, 2 },
    { "8b 04", false, R_ESI, NO, 1, R_DS, 0, 2 },
    { "8b 05", false, R_EDI, NO, 1, R_DS, 0, 2 },
    { "8b 06 34 12", false, NO, NO, 1, R_DS, 0x1234, 2 },
    { "8b 07", false, R_EBX, NO, 1, R_DS, 0, 2 },
    { "8b 46 fe", false, R_EBP, NO, 1, R_SS, -2, 2 },
    { "8b 86 00 80", false, R_EBP, NO, 1, R_SS, -0x8000, 2 },
    { "8b 40 7f", false, R_EBX, R_ESI, 1, R_DS, 127, 2 },
    /* address-size prefix switches tables */
    { "67 8b 00", true, R_EBX, R_ESI, 1, R_DS, 0, 2 },
    { "67 8b 46 00", true, R_EBP, NO, 1, R_SS, 0, 2 },
    { "67 8b 00", false, R_EAX, NO, 1, R_DS, 0, 4 },
    { "67 8b 44 24 04", false, R_ESP, NO, 1, R_SS, 4, 4 },
    /* moffs */
    { "a1 78 56 34 12", true, NO, NO, 1, R_DS, 0x12345678, 4 },
    { "a1 34 12", false, NO, NO, 1, R_DS, 0x1234, 2 },
    { "67 a3 34 12", true, NO, NO, 1, R_DS, 0x1234, 2 },
};

START_TEST(test_mem_cases)
{
    const MemCase *c = &mem_cases[_i];
    uint32_t mask = c->addrsize == 2 ? 0xffffu : 0xffffffffu;
    X86Insn insn;
    int len = dec(&insn, c->hex, c->code32);

    ck_assert_msg(len > 0 && insn.op != X86_OP_INVALID, "%s: decode", c->hex);
    ck_assert_msg(insn.has_mem, "%s: has_mem", c->hex);
    ck_assert_msg(insn.base == c->base, "%s: base %u want %u", c->hex,
                  insn.base, c->base);
    ck_assert_msg(insn.index == c->index, "%s: index %u want %u", c->hex,
                  insn.index, c->index);
    ck_assert_msg(insn.scale == c->scale, "%s: scale %u want %u", c->hex,
                  insn.scale, c->scale);
    ck_assert_msg(insn.default_seg == c->seg, "%s: seg %u want %u", c->hex,
                  insn.default_seg, c->seg);
    /* Only the low addrsize bytes of disp take part in the address. */
    ck_assert_msg(((uint32_t)insn.disp & mask) == ((uint32_t)c->disp & mask),
                  "%s: disp %d want %d", c->hex, insn.disp, c->disp);
    ck_assert_msg(insn.addrsize == c->addrsize, "%s: addrsize", c->hex);
    ck_assert_int_eq(insn.seg_override, X86_SEG_NONE);
    ck_assert_int_eq(x86_insn_seg(&insn), c->seg);
}
END_TEST

START_TEST(test_segment_override)
{
    X86Insn insn;

    ck_assert_int_eq(dec(&insn, "64 8b 00", true), 3);
    ck_assert_int_eq(insn.seg_override, R_FS);
    ck_assert_int_eq(x86_insn_seg(&insn), R_FS);
    /* an override beats the SS default of eBP forms */
    ck_assert_int_eq(dec(&insn, "26 8b 45 00", true), 4);
    ck_assert_int_eq(insn.default_seg, R_SS);
    ck_assert_int_eq(x86_insn_seg(&insn), R_ES);
    /* the last segment prefix wins */
    ck_assert_int_eq(dec(&insn, "2e 36 65 8b 00", true), 5);
    ck_assert_int_eq(x86_insn_seg(&insn), R_GS);
    ck_assert_int_eq(insn.nprefixes, 3);
    ck_assert_int_eq(dec(&insn, "3e 8b 04 24", true), 4);
    ck_assert_int_eq(x86_insn_seg(&insn), R_DS);
    ck_assert_int_eq(dec(&insn, "2e a1 00 00 00 00", true), 6);
    ck_assert_int_eq(x86_insn_seg(&insn), R_CS);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Other fields                                                        */

START_TEST(test_prefix_fields)
{
    X86Insn insn;

    ck_assert_int_eq(dec(&insn, "f3 a4", true), 2);
    ck_assert_int_eq(insn.rep, 0xf3);
    ck_assert(insn.info->flags & X86F_STRING);
    ck_assert(insn.info->flags & X86F_BYTE);
    ck_assert_int_eq(insn.opsize, 1);
    /* the last of F2/F3 is the one in effect */
    ck_assert_int_eq(dec(&insn, "f3 f2 a6", true), 3);
    ck_assert_int_eq(insn.rep, 0xf2);
    ck_assert_int_eq(insn.nprefixes, 2);
    /* repeated and mixed prefixes, in any order */
    ck_assert_int_eq(dec(&insn, "66 67 66 f3 26 a5", true), 6);
    ck_assert(insn.opsize_prefix && insn.addrsize_prefix);
    ck_assert_int_eq(insn.opsize, 2);
    ck_assert_int_eq(insn.addrsize, 2);
    ck_assert_int_eq(insn.rep, 0xf3);
    ck_assert_int_eq(insn.seg_override, R_ES);
    ck_assert_int_eq(insn.nprefixes, 5);
    ck_assert_str_eq(x86_insn_mnemonic(&insn), "movsw");
    /* 66 in 16-bit code selects 32-bit operands */
    ck_assert_int_eq(dec(&insn, "66 a5", false), 2);
    ck_assert_int_eq(insn.opsize, 4);
    ck_assert_int_eq(insn.addrsize, 2);
    /* BYTE forms ignore 66 */
    ck_assert_int_eq(dec(&insn, "66 00 c0", true), 3);
    ck_assert_int_eq(insn.opsize, 1);
    ck_assert(!insn.lock);
    ck_assert_int_eq(dec(&insn, "f0 00 00", true), 3);
    ck_assert(insn.lock);
    ck_assert_int_eq(insn.op, X86_OP_ADD);
}
END_TEST

START_TEST(test_modrm_fields)
{
    X86Insn insn;

    ck_assert_int_eq(dec(&insn, "01 d9", true), 2);      /* add ecx, ebx */
    ck_assert(insn.has_modrm && !insn.has_mem);
    ck_assert_int_eq(insn.modrm, 0xd9);
    ck_assert_int_eq(insn.mod, 3);
    ck_assert_int_eq(insn.reg, R_EBX);
    ck_assert_int_eq(insn.rm, R_ECX);
    ck_assert_int_eq(insn.opcode, 0x01);
    ck_assert_int_eq(insn.info->opnd[0], OPK_E);
    ck_assert_int_eq(insn.info->opnd[1], OPK_G);
    ck_assert_uint_eq(insn.info->flags & (X86F_MODRM | X86F_LOCKABLE),
                      X86F_MODRM | X86F_LOCKABLE);
    /* mov CR: mod is ignored, never a memory operand */
    ck_assert_int_eq(dec(&insn, "0f 22 18", true), 3);
    ck_assert_int_eq(insn.op, X86_OP_MOV_CR_LOAD);
    ck_assert(!insn.has_mem);
    ck_assert_int_eq(insn.reg, 3);
    ck_assert_int_eq(insn.rm, R_EAX);
    ck_assert_int_eq(insn.info->opnd[0], OPK_C);
    ck_assert_int_eq(insn.info->opnd[1], OPK_R);
    ck_assert_int_eq(insn.opcode, 0x122);
    ck_assert(insn.info->flags & X86F_PRIV);
    /* 0F map opcode numbering */
    ck_assert_int_eq(dec(&insn, "0f 8e 00 00 00 00", true), 6);
    ck_assert_int_eq(insn.opcode, 0x18e);
    ck_assert_int_eq(insn.opcode & 15, 0xe);
}
END_TEST

START_TEST(test_opreg)
{
    X86Insn insn;

    ck_assert_int_eq(dec(&insn, "53", true), 1);
    ck_assert_int_eq(insn.opreg, R_EBX);
    ck_assert_int_eq(insn.info->opnd[0], OPK_ZREG);
    ck_assert(insn.info->flags & X86F_STACK);
    ck_assert_int_eq(dec(&insn, "b4 12", true), 2);       /* mov ah, 12 */
    ck_assert_int_eq(insn.opreg, 4);
    ck_assert_int_eq(insn.opsize, 1);
    ck_assert_int_eq(insn.imm, 0x12);
    ck_assert_int_eq(dec(&insn, "97", true), 1);
    ck_assert_int_eq(insn.opreg, R_EDI);
    ck_assert_int_eq(insn.info->opnd[1], OPK_AL);
    ck_assert_int_eq(dec(&insn, "0f cd", true), 2);
    ck_assert_int_eq(insn.opreg, R_EBP);
    /* segment register numbers of the push/pop forms */
    static const struct { const char *hex; int seg; } segs[] = {
        { "06", R_ES }, { "07", R_ES }, { "0e", R_CS }, { "16", R_SS },
        { "17", R_SS }, { "1e", R_DS }, { "1f", R_DS }, { "0f a0", R_FS },
        { "0f a1", R_FS }, { "0f a8", R_GS }, { "0f a9", R_GS },
    };
    for (unsigned i = 0; i < sizeof(segs) / sizeof(segs[0]); i++) {
        ck_assert(dec(&insn, segs[i].hex, true) > 0);
        ck_assert_int_eq(insn.info->opnd[0], OPK_SREG);
        ck_assert_msg(insn.opreg == segs[i].seg, "%s: opreg %u", segs[i].hex,
                      insn.opreg);
    }
}
END_TEST

START_TEST(test_immediates)
{
    X86Insn insn;

    /* Ib sign-extended to the operand size */
    ck_assert_int_eq(dec(&insn, "83 c0 ff", true), 3);
    ck_assert_uint_eq(insn.imm, 0xffffffffu);
    ck_assert_int_eq(insn.info->imm, IMM_BS);
    ck_assert_int_eq(dec(&insn, "66 83 c0 80", true), 4);
    ck_assert_uint_eq(insn.imm, 0xff80u);
    ck_assert_int_eq(dec(&insn, "6a 80", false), 2);
    ck_assert_uint_eq(insn.imm, 0xff80u);
    ck_assert_int_eq(dec(&insn, "6b c0 fe", true), 3);
    ck_assert_uint_eq(insn.imm, 0xfffffffeu);
    ck_assert_int_eq(insn.info->opnd[2], OPK_I);
    /* Ib zero-extended */
    ck_assert_int_eq(dec(&insn, "80 c0 ff", true), 3);
    ck_assert_uint_eq(insn.imm, 0xffu);
    ck_assert_int_eq(dec(&insn, "c1 e0 1f", true), 3);
    ck_assert_uint_eq(insn.imm, 0x1fu);
    ck_assert_int_eq(dec(&insn, "e4 f0", true), 2);
    ck_assert_uint_eq(insn.imm, 0xf0u);
    /* Iz */
    ck_assert_int_eq(dec(&insn, "69 c0 78 56 34 12", true), 6);
    ck_assert_uint_eq(insn.imm, 0x12345678u);
    ck_assert_int_eq(dec(&insn, "66 68 fe ff", true), 4);
    ck_assert_uint_eq(insn.imm, 0xfffeu);
    /* Iw, enter's Iw Ib */
    ck_assert_int_eq(dec(&insn, "c2 fe ff", true), 3);
    ck_assert_uint_eq(insn.imm, 0xfffeu);
    ck_assert_int_eq(dec(&insn, "c8 34 12 03", true), 4);
    ck_assert_uint_eq(insn.imm, 0x1234u);
    ck_assert_uint_eq(insn.imm2, 3);
    /* far pointer: offset then selector */
    ck_assert_int_eq(dec(&insn, "ea 78 56 34 12 08 00", true), 7);
    ck_assert_uint_eq(insn.imm, 0x12345678u);
    ck_assert_uint_eq(insn.imm2, 8);
    ck_assert_int_eq(dec(&insn, "66 9a 34 12 cd ab", true), 6);
    ck_assert_uint_eq(insn.imm, 0x1234u);
    ck_assert_uint_eq(insn.imm2, 0xabcdu);
    /* relative branches, sign-extended to 32 bits */
    ck_assert_int_eq(dec(&insn, "eb fe", true), 2);
    ck_assert_uint_eq(insn.imm, 0xfffffffeu);
    ck_assert_int_eq(dec(&insn, "e8 fb ff ff ff", true), 5);
    ck_assert_uint_eq(insn.imm, 0xfffffffbu);
    ck_assert_int_eq(dec(&insn, "66 e9 fd ff", true), 4);
    ck_assert_uint_eq(insn.imm, 0xfffffffdu);
    ck_assert_int_eq(dec(&insn, "0f 84 00 80", false), 4);
    ck_assert_uint_eq(insn.imm, 0xffff8000u);
    ck_assert_int_eq(dec(&insn, "70 7f", true), 2);
    ck_assert_uint_eq(insn.imm, 0x7fu);
    /* immediates after a displacement */
    ck_assert_int_eq(dec(&insn, "c7 44 24 04 78 56 34 12", true), 8);
    ck_assert_int_eq(insn.disp, 4);
    ck_assert_uint_eq(insn.imm, 0x12345678u);
    ck_assert_int_eq(dec(&insn, "81 86 34 12 cd ab", false), 6);
    ck_assert_int_eq(insn.disp, 0x1234);
    ck_assert_uint_eq(insn.imm, 0xabcdu);
}
END_TEST

/* The operand conventions the frontend codes against. */
START_TEST(test_table_conventions)
{
    static const struct {
        const char *hex;
        X86Op op;
        uint8_t o0, o1, o2, imm;
        uint16_t flags;          /* these bits must be set */
    } t[] = {
        { "00 00", X86_OP_ADD, OPK_E, OPK_G, 0, IMM_NONE,
          X86F_BYTE | X86F_MODRM | X86F_LOCKABLE },
        { "04 00", X86_OP_ADD, OPK_AL, OPK_I, 0, IMM_B, X86F_BYTE },
        { "05 00 00 00 00", X86_OP_ADD, OPK_AL, OPK_I, 0, IMM_Z, 0 },
        { "83 00 00", X86_OP_ADD, OPK_E, OPK_I, 0, IMM_BS, X86F_LOCKABLE },
        { "69 00 00 00 00 00", X86_OP_IMUL, OPK_G, OPK_E, OPK_I, IMM_Z, 0 },
        { "0f af 00", X86_OP_IMUL, OPK_G, OPK_E, 0, IMM_NONE, 0 },
        { "f7 28", X86_OP_IMUL1, OPK_E, 0, 0, IMM_NONE, 0 },
        { "d0 00", X86_OP_ROL, OPK_E, OPK_ONE, 0, IMM_NONE, X86F_BYTE },
        { "d3 00", X86_OP_ROL, OPK_E, OPK_CL, 0, IMM_NONE, 0 },
        { "c0 00 01", X86_OP_ROL, OPK_E, OPK_I, 0, IMM_B, X86F_BYTE },
        { "0f a4 00 01", X86_OP_SHLD, OPK_E, OPK_G, OPK_I, IMM_B, 0 },
        { "0f ad 00", X86_OP_SHRD, OPK_E, OPK_G, OPK_CL, IMM_NONE, 0 },
        { "b0 00", X86_OP_MOV, OPK_ZREG, OPK_I, 0, IMM_B, X86F_BYTE },
        { "b8 00 00 00 00", X86_OP_MOV, OPK_ZREG, OPK_I, 0, IMM_Z, 0 },
        { "68 00 00 00 00", X86_OP_PUSH, OPK_I, 0, 0, IMM_Z, 0 },
        { "6a 00", X86_OP_PUSH, OPK_I, 0, 0, IMM_BS, 0 },
        { "a0 00 00 00 00", X86_OP_MOV, OPK_AL, OPK_O, 0, IMM_O, X86F_BYTE },
        { "a3 00 00 00 00", X86_OP_MOV, OPK_O, OPK_AL, 0, IMM_O, 0 },
        { "ec", X86_OP_IN, OPK_AL, OPK_DX, 0, IMM_NONE, X86F_BYTE },
        { "e7 00", X86_OP_OUT, OPK_I, OPK_AL, 0, IMM_B, 0 },
        { "ef", X86_OP_OUT, OPK_DX, OPK_AL, 0, IMM_NONE, 0 },
        { "0f 80 00 00 00 00", X86_OP_JCC, OPK_J, 0, 0, IMM_JZ, 0 },
        { "7c 00", X86_OP_JCC, OPK_J, 0, 0, IMM_JB, 0 },
        { "0f 90 00", X86_OP_SETCC, OPK_E, 0, 0, IMM_NONE, X86F_BYTE },
        { "0f 40 00", X86_OP_CMOVCC, OPK_G, OPK_E, 0, IMM_NONE, 0 },
        { "0f b6 00", X86_OP_MOVZX, OPK_G, OPK_E, 0, IMM_NONE, X86F_SRC8 },
        { "0f bf 00", X86_OP_MOVSX, OPK_G, OPK_E, 0, IMM_NONE, X86F_SRC16 },
        { "8e 18", X86_OP_MOV_SEG_LOAD, OPK_S, OPK_E, 0, IMM_NONE, X86F_WORD },
        { "8c 18", X86_OP_MOV_SEG_STORE, OPK_E, OPK_S, 0, IMM_NONE, 0 },
        { "0f 20 c0", X86_OP_MOV_CR_STORE, OPK_R, OPK_C, 0, IMM_NONE, 0 },
        { "0f 23 c0", X86_OP_MOV_DR_LOAD, OPK_D, OPK_R, 0, IMM_NONE, 0 },
        { "ea 00 00 00 00 00 00", X86_OP_JMP_FAR, OPK_A, 0, 0, IMM_AP, 0 },
        { "ff 18", X86_OP_CALL_FAR_IND, OPK_M, 0, 0, IMM_NONE, 0 },
        { "ff 20", X86_OP_JMP_IND, OPK_E, 0, 0, IMM_NONE, 0 },
        { "ca 00 00", X86_OP_RET_FAR, OPK_I, 0, 0, IMM_W, 0 },
        { "c8 00 00 00", X86_OP_ENTER, OPK_I, OPK_I2, 0, IMM_WB, 0 },
        { "e8 00 00 00 00", X86_OP_CALL, OPK_J, 0, 0, IMM_JZ, 0 },
        { "e3 00", X86_OP_JCXZ, OPK_J, 0, 0, IMM_JB, 0 },
        { "cd 00", X86_OP_INT, OPK_I, 0, 0, IMM_B, 0 },
        { "d4 0a", X86_OP_AAM, OPK_I, 0, 0, IMM_B, 0 },
        { "8d 00", X86_OP_LEA, OPK_G, OPK_M, 0, IMM_NONE, 0 },
        { "c5 00", X86_OP_LDS, OPK_G, OPK_M, 0, IMM_NONE, 0 },
        { "62 00", X86_OP_BOUND, OPK_G, OPK_M, 0, IMM_NONE, 0 },
        { "63 00", X86_OP_ARPL, OPK_E, OPK_G, 0, IMM_NONE, X86F_WORD },
        { "0f 00 10", X86_OP_LLDT, OPK_E, 0, 0, IMM_NONE, X86F_WORD },
        { "0f 01 00", X86_OP_SGDT, OPK_M, 0, 0, IMM_NONE, 0 },
        { "0f 01 30", X86_OP_LMSW, OPK_E, 0, 0, IMM_NONE, X86F_WORD },
        { "0f 02 00", X86_OP_LAR, OPK_G, OPK_E, 0, IMM_NONE, 0 },
        { "0f ba 20 00", X86_OP_BT, OPK_E, OPK_I, 0, IMM_B, 0 },
        { "0f c7 08", X86_OP_CMPXCHG8B, OPK_M, 0, 0, IMM_NONE,
          X86F_LOCKABLE },
        { "0f 1f 00", X86_OP_NOP, OPK_E, 0, 0, IMM_NONE, X86F_MODRM },
        { "86 00", X86_OP_XCHG, OPK_E, OPK_G, 0, IMM_NONE, X86F_LOCKABLE },
        { "92", X86_OP_XCHG, OPK_ZREG, OPK_AL, 0, IMM_NONE, 0 },
        { "a5", X86_OP_MOVS, 0, 0, 0, IMM_NONE, X86F_STRING },
        { "6c", X86_OP_INS, 0, 0, 0, IMM_NONE, X86F_STRING | X86F_BYTE },
        { "f4", X86_OP_HLT, 0, 0, 0, IMM_NONE, X86F_PRIV },
    };

    for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        X86Insn insn;
        ck_assert_msg(dec(&insn, t[i].hex, true) > 0, "%s", t[i].hex);
        ck_assert_msg(insn.op == t[i].op, "%s: op %s", t[i].hex,
                      x86_op_name(insn.op));
        ck_assert_msg(insn.info->opnd[0] == t[i].o0 &&
                      insn.info->opnd[1] == t[i].o1 &&
                      insn.info->opnd[2] == t[i].o2, "%s: operands",
                      t[i].hex);
        ck_assert_msg(insn.info->imm == t[i].imm, "%s: imm kind", t[i].hex);
        ck_assert_msg((insn.info->flags & t[i].flags) == t[i].flags,
                      "%s: flags %#x", t[i].hex, insn.info->flags);
        ck_assert_msg(insn.info->op == insn.op, "%s: info->op", t[i].hex);
    }
}
END_TEST

/* ------------------------------------------------------------------ */
/* Limits                                                              */

START_TEST(test_length_limit)
{
    uint8_t buf[32];
    X86Insn insn;

    /* 14 prefixes and a one-byte opcode: exactly 15 */
    memset(buf, 0x66, sizeof(buf));
    buf[14] = 0x90;
    ck_assert_int_eq(x86_decode(&insn, buf, sizeof(buf), true), 15);
    ck_assert_int_eq(insn.nprefixes, 14);
    /* 15 prefixes: the opcode would be byte 16 (SDM Vol. 2, 2.3.11) */
    buf[14] = 0x66;
    buf[15] = 0x90;
    ck_assert_int_eq(x86_decode(&insn, buf, sizeof(buf), true), -1);
    /* only 15 bytes available and all prefixes: still too long */
    ck_assert_int_eq(x86_decode(&insn, buf, 15, true), -1);
    /* 11 prefixes + 81 /0 iw: 11 + 2 + 2 = 15 */
    memset(buf, 0x66, 11);
    memcpy(buf + 11, "\x81\xc0\x34\x12", 4);
    ck_assert_int_eq(x86_decode(&insn, buf, 15, true), 15);
    ck_assert_uint_eq(insn.imm, 0x1234u);
    /* one more prefix: the immediate crosses byte 15 */
    memset(buf, 0x66, 12);
    memcpy(buf + 12, "\x81\xc0\x34\x12", 4);
    ck_assert_int_eq(x86_decode(&insn, buf, 16, true), -1);
    ck_assert_int_eq(x86_decode(&insn, buf, 15, true), -1);
    /* the limit counts ModRM, SIB and displacement too */
    memset(buf, 0x3e, 8);
    memcpy(buf + 8, "\xc7\x84\x24\x00\x00\x00\x00\x78\x56\x34\x12", 11);
    ck_assert_int_eq(x86_decode(&insn, buf, 32, true), -1);
    ck_assert_int_eq(x86_decode(&insn, buf + 1, 32, true), -1);
    ck_assert_int_eq(x86_decode(&insn, buf + 4, 32, true), 15);
}
END_TEST

START_TEST(test_short_input)
{
    static const char *const whole[] = {
        "8b 44 24 08", "c7 44 24 04 78 56 34 12", "0f 84 00 00 00 00",
        "66 0f 3a 0f 44 24 10 08", "ea 78 56 34 12 08 00", "c8 10 00 01",
        "f3 a5", "0f 0f 44 24 08 9e", "a1 78 56 34 12",
    };
    uint8_t buf[32] = { 0 };
    X86Insn insn;

    ck_assert_int_eq(x86_decode(&insn, buf, 0, true), 0);
    for (unsigned i = 0; i < sizeof(whole) / sizeof(whole[0]); i++) {
        unsigned n = parse_hex(whole[i], buf, sizeof(buf));
        ck_assert_int_eq(x86_decode(&insn, buf, n, true), (int)n);
        for (unsigned k = 0; k < n; k++) {
            ck_assert_msg(x86_decode(&insn, buf, k, true) == 0,
                          "%s with %u bytes", whole[i], k);
        }
    }
}
END_TEST

/* Every opcode of both maps decodes to something sane. */
START_TEST(test_all_opcodes)
{
    for (unsigned map = 0; map < 2; map++) {
        for (unsigned b = 0; b < 256; b++) {
            for (unsigned modrm = 0; modrm < 256; modrm += 0x08) {
                uint8_t buf[16] = { 0 };
                unsigned p = 0;
                X86Insn insn;
                int len;

                if (map) {
                    buf[p++] = 0x0f;
                }
                buf[p++] = b;
                buf[p++] = modrm;
                len = x86_decode(&insn, buf, sizeof(buf), modrm & 8);
                ck_assert_msg(len >= 1 && len <= 15, "%s%02x %02x: len %d",
                              map ? "0f " : "", b, modrm, len);
                ck_assert_msg(insn.op < X86_OP_COUNT, "op");
                ck_assert_ptr_nonnull(x86_insn_mnemonic(&insn));
                ck_assert_ptr_nonnull(x86_op_name(insn.op));
                if (len > 0 && insn.info && insn.op != X86_OP_INVALID) {
                    ck_assert_msg(insn.info->op == insn.op, "info->op");
                }
            }
        }
    }
    ck_assert_str_eq(x86_op_name(X86_OP_ADD), "ADD");
    ck_assert_str_eq(x86_op_name(X86_OP_MOV_CR_LOAD), "MOV_CR_LOAD");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("decode");
    TCase *tc = tcase_create("decode");
    SRunner *sr;
    int failed;

    tcase_add_loop_test(tc, test_decode_cases, 0,
                        sizeof(decode_cases) / sizeof(decode_cases[0]));
    tcase_add_loop_test(tc, test_mem_cases, 0,
                        sizeof(mem_cases) / sizeof(mem_cases[0]));
    tcase_add_test(tc, test_segment_override);
    tcase_add_test(tc, test_prefix_fields);
    tcase_add_test(tc, test_modrm_fields);
    tcase_add_test(tc, test_opreg);
    tcase_add_test(tc, test_immediates);
    tcase_add_test(tc, test_table_conventions);
    tcase_add_test(tc, test_length_limit);
    tcase_add_test(tc, test_short_input);
    tcase_add_test(tc, test_all_opcodes);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
