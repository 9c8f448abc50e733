/*
 * Random 32-bit x86 programs for the differential test.
 *
 * A program is a list of instructions in groups.  A group is the unit the
 * minimizer removes: an instruction together with the instructions that
 * make it safe (the index masking of a memory operand, the operand
 * arrangement of a divide, the pops of its pushes).  Any subset of whole
 * groups is again a program that cannot fault or leave the data and stack
 * areas, except where a group is meant to fault (#DE).
 *
 * Each instruction records the arithmetic flags it reads, writes with a
 * defined value, and may leave undefined (SDM).  gen_assemble() follows
 * them through the program, forward branches included: a subset in which
 * an instruction reads a flag that may be undefined is rejected, and the
 * flags that may be undefined at the end (or at a fault) are left out of
 * the comparison.
 *
 * Register convention: EBP = FUZZ_DATA_MID and ESP = FUZZ_STACK_INIT (less
 * what a group pushes) throughout; no instruction writes them except
 * push/pop/call/ret, balanced within their group.  EAX ECX EDX EBX ESI
 * EDI are free.
 */
#ifndef TESTS_FUZZ_GEN_H
#define TESTS_FUZZ_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tests/fuzz/fuzz.h"

#define GEN_MAX_BYTES 15

typedef enum GenBranch {
    GB_NONE,
    GB_REL8,  /* b[] is the opcode; a rel8 to TARGET follows */
    GB_REL32, /* b[] is the opcode; a rel32 to TARGET follows */
} GenBranch;

typedef struct GenInsn {
    uint8_t b[GEN_MAX_BYTES];
    uint8_t len;
    uint8_t br;        /* GenBranch */
    uint16_t rd;       /* flags read */
    uint16_t wr;       /* flags always written with a defined value */
    uint16_t un;       /* flags that may be left undefined */
    uint32_t group;
    uint32_t target;   /* branch: first instruction index jumped to */
} GenInsn;

typedef struct GenProg {
    GenInsn *insn;
    uint32_t n, cap;
    uint32_t ngroups;
    int32_t fault_group;   /* the group meant to fault, or -1 */
    uint32_t fault_vector; /* its exception: #DE or #UD */
    uint32_t code_addr;    /* where it runs */
    uint32_t regs[FR_NREGS];
    uint32_t eflags;
    uint8_t data[FUZZ_DATA_SIZE];
    uint8_t stack[FUZZ_STACK_SIZE];
} GenProg;

/* A subset of a program's groups, assembled at GenProg.code_addr. */
typedef struct GenCode {
    uint32_t addr;       /* GenProg.code_addr */
    uint8_t *bytes;      /* code, ending with hlt */
    uint32_t len;
    uint32_t nkept;      /* instructions assembled */
    uint32_t *off;       /* code offset of each assembled instruction */
    uint16_t *undef;     /* flags that may be undefined before each */
    uint16_t final_undef; /* ... at the final hlt */
} GenCode;

typedef struct FuzzRng {
    uint64_t s;
} FuzzRng;

/* splitmix64: small, and the same sequence on every host. */
static inline uint64_t fuzz_rng_next(FuzzRng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n), n > 0. */
static inline uint32_t fuzz_rng_below(FuzzRng *r, uint32_t n)
{
    return (uint32_t)(((fuzz_rng_next(r) >> 32) * n) >> 32);
}

/* The seed of program INDEX of a run with SEED. */
static inline uint64_t fuzz_prog_seed(uint64_t seed, uint64_t index)
{
    FuzzRng r = { seed ^ (index * 0xd1342543de82ef95ull) };

    return fuzz_rng_next(&r);
}

/* Fill P (zeroed or freed before) with a random program. */
void gen_program(GenProg *p, uint64_t seed);
void gen_prog_free(GenProg *p);

/*
 * Assemble the groups G with KEEP[G] (NULL: all).  False, with a reason in
 * WHY, if that subset is not a valid program (it reads a flag that may be
 * undefined).  gen_code_free() frees OUT either way.
 */
bool gen_assemble(const GenProg *p, const bool *keep, GenCode *out,
                  char *why, size_t why_len);
void gen_code_free(GenCode *c);

/* Flags that may be undefined at code offset OFF (a fault), or all. */
uint16_t gen_undef_at(const GenCode *c, uint32_t off);

#endif
