/*
 * Random-program differential test: what the generator, the in-process
 * runners (tests/fuzz/run.c) and the 32-bit native runner
 * (tests/fuzz/native32.c) agree on.  native32.c is built with gcc -m32, so
 * everything here uses fixed-width types only and has the same layout in
 * both builds.
 *
 * Guest linear addresses, identical in the emulated Machine (flat 32-bit,
 * paging off, so linear = physical) and in the native process (MAP_FIXED):
 * a program may compute and keep absolute addresses (call/pop, lea, moffs),
 * so the two must see the same ones.  They sit far below the 32-bit
 * process's executable (0x08048000) and libraries.
 */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stdint.h>

#define FUZZ_CODE_ADDR 0x00800000u
#define FUZZ_CODE_SIZE 0x00010000u
#define FUZZ_DATA_ADDR 0x00900000u
#define FUZZ_DATA_SIZE 0x2000u
/* A program starts somewhere in the first page of the code area, often
 * just below the second, so that blocks and instructions cross pages. */
#define FUZZ_CODE_MAX_OFF 0x1000u
/* EBP holds this for the whole program: the base of most memory operands. */
#define FUZZ_DATA_MID (FUZZ_DATA_ADDR + FUZZ_DATA_SIZE / 2)
#define FUZZ_STACK_ADDR 0x00a00000u
#define FUZZ_STACK_SIZE 0x1000u
/* ESP at entry; push/pop are balanced, so also at the end. */
#define FUZZ_STACK_INIT (FUZZ_STACK_ADDR + FUZZ_STACK_SIZE / 2)
/* Native runner only: its register save area and a small stack. */
#define FUZZ_CTL_ADDR 0x00b00000u
#define FUZZ_CTL_SIZE 0x1000u
/* Guest RAM of the in-process Machines: covers all of the above. */
#define FUZZ_RAM_SIZE (16u << 20)

/* EFLAGS bits (SDM Vol. 1, 3.4.3). */
#define FUZZ_CF 0x001u
#define FUZZ_PF 0x004u
#define FUZZ_AF 0x010u
#define FUZZ_ZF 0x040u
#define FUZZ_SF 0x080u
#define FUZZ_DF 0x400u
#define FUZZ_OF 0x800u
#define FUZZ_ARITH (FUZZ_CF | FUZZ_PF | FUZZ_AF | FUZZ_ZF | FUZZ_SF | FUZZ_OF)
/* What the comparison looks at, before the undefined flags are taken out. */
#define FUZZ_FLAGS_CMP (FUZZ_ARITH | FUZZ_DF)

/* Register slots, in the encoding order (SDM Vol. 2A, Table 2-1). */
enum { FR_EAX, FR_ECX, FR_EDX, FR_EBX, FR_ESP, FR_EBP, FR_ESI, FR_EDI,
       FR_NREGS };

typedef enum FuzzStatus {
    FUZZ_OK,      /* reached the final hlt */
    FUZZ_FAULT,   /* an exception: vector and eip say which and where */
    FUZZ_TIMEOUT, /* instruction limit (emulator) or alarm (native) */
    FUZZ_ERROR,   /* the runner itself failed: see the message */
} FuzzStatus;

/* A program's final state, from any runner.  For a fault, the registers
 * and flags are those the exception left (the faulting instruction's
 * start for #DE). */
typedef struct FuzzState {
    uint32_t status;   /* FuzzStatus */
    uint32_t vector;   /* FUZZ_FAULT: exception vector */
    uint32_t eip;      /* FUZZ_FAULT: faulting eip; FUZZ_OK: after hlt */
    uint32_t regs[FR_NREGS];
    uint32_t eflags;
    uint8_t data[FUZZ_DATA_SIZE];
    uint8_t stack[FUZZ_STACK_SIZE];
} FuzzState;

/*
 * The pipe protocol of the native runner: the parent writes a FuzzReq,
 * CODE_LEN bytes of code (ending with hlt), FUZZ_DATA_SIZE bytes of data
 * and FUZZ_STACK_SIZE bytes of stack; the runner answers with a
 * FuzzState.  End of input ends the runner.
 */
#define FUZZ_REQ_MAGIC 0x7a7546d1u

typedef struct FuzzReq {
    uint32_t magic;
    uint32_t code_addr; /* inside FUZZ_CODE_ADDR + FUZZ_CODE_SIZE */
    uint32_t code_len;
    uint32_t regs[FR_NREGS];
    uint32_t eflags;   /* FUZZ_FLAGS_CMP bits only */
} FuzzReq;

#endif
