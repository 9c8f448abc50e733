/*
 * The host half of the ALU oracle for the BCD instructions, which 64-bit
 * mode does not have: a 32-bit program (gcc -m32) that runs each record of
 * IN natively and writes the result to OUT.  See bcd.h.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "bcd.h"

/* EAX and EFLAGS in, EAX and EFLAGS out, around one instruction. */
#define RUN(insn)                                                           \
    asm volatile("pushl %1\n\tpopfl\n\t" insn "\n\tpushfl\n\tpopl %1"       \
                 : "+a"(*eax), "+r"(*fl)                                    \
                 :                                                          \
                 : "cc", "memory")

/* Every imm8, for AAM and AAD (D4 ib, D5 ib). */
#define H16(X, h)                                                           \
    X(0x##h##0) X(0x##h##1) X(0x##h##2) X(0x##h##3) X(0x##h##4)             \
    X(0x##h##5) X(0x##h##6) X(0x##h##7) X(0x##h##8) X(0x##h##9)             \
    X(0x##h##a) X(0x##h##b) X(0x##h##c) X(0x##h##d) X(0x##h##e)             \
    X(0x##h##f)
#define H256(X)                                                             \
    H16(X, 0) H16(X, 1) H16(X, 2) H16(X, 3) H16(X, 4) H16(X, 5) H16(X, 6)   \
    H16(X, 7) H16(X, 8) H16(X, 9) H16(X, a) H16(X, b) H16(X, c) H16(X, d)   \
    H16(X, e) H16(X, f)

/* The encoding itself: gas spells AAM/AAD with an operand differently
 * across versions. */
#define CASE_AAM(n)                                                         \
    case n:                                                                 \
        RUN(".byte 0xd4, " #n);                                             \
        break;
#define CASE_AAD(n)                                                         \
    case n:                                                                 \
        RUN(".byte 0xd5, " #n);                                             \
        break;

static void run(const BcdIn *in, uint32_t *eax, uint32_t *fl)
{
    switch (in->op) {
    case BCD_DAA: RUN("daa"); break;
    case BCD_DAS: RUN("das"); break;
    case BCD_AAA: RUN("aaa"); break;
    case BCD_AAS: RUN("aas"); break;
    case BCD_AAM:
        switch (in->imm) {
            H256(CASE_AAM)
        }
        break;
    case BCD_AAD:
        switch (in->imm) {
            H256(CASE_AAD)
        }
        break;
    default:
        fprintf(stderr, "bcd32: bad op %d\n", in->op);
        exit(2);
    }
}

/* AAM 0 raises #DE (SDM Vol. 2A AAM: "#DE If an immediate value of 0 is
 * used"); Linux delivers it as SIGFPE. */
static sigjmp_buf fpe_env;

static void on_fpe(int sig)
{
    (void)sig;
    siglongjmp(fpe_env, 1);
}

int main(int argc, char **argv)
{
    struct sigaction sa = { .sa_handler = on_fpe };
    FILE *in, *out;
    BcdIn rec;

    if (argc != 3) {
        fprintf(stderr, "usage: %s IN OUT\n", argv[0]);
        return 2;
    }
    in = fopen(argv[1], "rb");
    out = fopen(argv[2], "wb");
    if (!in || !out) {
        perror("bcd32");
        return 2;
    }
    sigemptyset(&sa.sa_mask);
    sigaction(SIGFPE, &sa, NULL);
    while (fread(&rec, sizeof(rec), 1, in) == 1) {
        /* volatile: read after a siglongjmp (C11 7.13.2.1). */
        volatile uint32_t eax = rec.eax, fl = rec.flags;
        BcdOut o = { 0, 0, 0 };
        /* Only AAM 0 can fault; saving the signal mask costs a syscall. */
        bool may_fault = rec.op == BCD_AAM && rec.imm == 0;

        if (!may_fault || sigsetjmp(fpe_env, 1) == 0) {
            uint32_t e = eax, f = fl;

            run(&rec, &e, &f);
            eax = e;
            fl = f;
        } else {
            o.fault = 1;
        }
        o.eax = eax;
        o.flags = fl;
        if (fwrite(&o, sizeof(o), 1, out) != 1) {
            perror("bcd32");
            return 2;
        }
    }
    if (ferror(in) || fclose(out) != 0) {
        perror("bcd32");
        return 2;
    }
    fclose(in);
    return 0;
}
