/*
 * ALU oracle test (tests/unit/test-alu-oracle.c): shared types.
 *
 * A case is the state one instruction sees: EAX, ECX, EDX, EBX and the
 * arithmetic flags, plus the immediate the instruction was encoded with.
 * The guest loop and the host run the instruction over the same cases and
 * store the same output record; the test compares the two.
 *
 * These files are #included by the test, never compiled on their own: every
 * tests/unit/ *.c file that is not a test is linked into every unit test.
 */
#ifndef TESTS_UNIT_ORACLE_ORACLE_H
#define TESTS_UNIT_ORACLE_ORACLE_H

#include <stdint.h>

/* Register slots of a case, in both the guest tables and host asm. */
enum { O_EAX, O_ECX, O_EDX, O_EBX, O_NREGS };

typedef struct OracleCase {
    uint32_t r[O_NREGS];
    uint32_t flags; /* EFLAGS loaded before the instruction (popf) */
    uint32_t imm;   /* immediate / condition code the body encodes */
} OracleCase;

/*
 * What one case leaves: the guest stores it from its loop, the host from
 * its asm.  Layout shared with the guest loop (guest.c.inc), 40 bytes.
 */
typedef struct OracleOut {
    uint32_t r[O_NREGS];
    uint32_t flags;   /* EFLAGS after (pushf) */
    uint8_t cc[16];   /* SETcc of each condition after the instruction */
    uint8_t jcc_not_taken; /* 1 if the Jcc after the instruction fell through */
    uint8_t pad[3];
} OracleOut;

#define OUT_CC_OFFSET 20
#define OUT_JCC_OFFSET 36
_Static_assert(sizeof(OracleOut) == 40, "guest loop assumes 40 bytes");
_Static_assert(__builtin_offsetof(OracleOut, cc) == OUT_CC_OFFSET, "cc");
_Static_assert(__builtin_offsetof(OracleOut, jcc_not_taken) == OUT_JCC_OFFSET,
               "jcc");

/* The guest's input record: the first 20 bytes of an OracleCase. */
#define IN_RECORD_SIZE 20

/* Flags compared, and their names for reports (SDM Vol. 1, 3.4.3.1). */
#define O_CF 0x001u
#define O_PF 0x004u
#define O_AF 0x010u
#define O_ZF 0x040u
#define O_SF 0x080u
#define O_OF 0x800u
#define O_ARITH (O_CF | O_PF | O_AF | O_ZF | O_SF | O_OF)

/* Bit-string memory of the memory-operand forms: host and guest both hold
 * BITBUF_SIZE bytes and address them from the middle. */
#define BITBUF_SIZE (8u << 20)
#define BITBUF_HALF (BITBUF_SIZE / 2)

#endif
