/*
 * Lazy arithmetic flags (DESIGN.md).  An instruction that sets flags stores
 * what it did (cc_op) and its inputs and result; flags are computed only
 * when read.  Conventions, for operation size N bits (mask M, sign bit S):
 *
 *   op          cc_dst     cc_src             cc_src2
 *   EFLAGS      -          CF|PF|AF|ZF|SF|OF  -
 *   ADD/ADC     result     source operand     destination operand (before);
 *                                             ADC's carry-in is
 *                                             (result - dst - src) & M
 *   SUB/SBB     result     source operand     destination operand (before);
 *                                             SBB's borrow-in is
 *                                             (dst - src - result) & M
 *   LOGIC       result     -                  -           (CF = OF = AF = 0)
 *   INC/DEC     result     CF before (0/1)    -
 *   SHL         result     dst << (count-1)   -           (CF = its bit N-1)
 *   SHR         result     dst >> (count-1)   -           (CF = bit 0,
 *                                                          OF = bit N-1)
 *   SAR         result     dst >>s (count-1)  -           (CF = bit 0, OF = 0)
 *   MUL/IMUL    low half   nonzero iff CF=OF=1 -
 *
 * ZF, SF and PF come from cc_dst for every op but EFLAGS.  Flags the SDM
 * leaves undefined get the values of the common Intel implementation where
 * that is known, documented at each op in flags.c.
 */
#ifndef CPU_FLAGS_H
#define CPU_FLAGS_H

#include <stdint.h>

#define CC_OPS(X)                                                         \
    X(ADD) X(ADC) X(SUB) X(SBB) X(LOGIC) X(INC) X(DEC) X(SHL) X(SHR)      \
    X(SAR) X(MUL) X(IMUL)

typedef enum CCOp {
    CC_OP_DYNAMIC = -1, /* frontend only: not known at translation time */
    CC_OP_EFLAGS = 0,
#define CC_OP_SIZED(name) CC_OP_##name##B, CC_OP_##name##W, CC_OP_##name##L,
    CC_OPS(CC_OP_SIZED)
#undef CC_OP_SIZED
    CC_OP_NB
} CCOp;

/* The sized op for size 1, 2 or 4 bytes: CC_OP_ADDB + cc_size_index(4). */
static inline int cc_size_index(unsigned size)
{
    return size == 1 ? 0 : size == 2 ? 1 : 2;
}

/* Condition codes in the encoding order of Jcc/SETcc/CMOVcc
 * (SDM Vol. 1, Appendix B). */
enum {
    CC_COND_O, CC_COND_NO, CC_COND_B, CC_COND_AE, CC_COND_E, CC_COND_NE,
    CC_COND_BE, CC_COND_A, CC_COND_S, CC_COND_NS, CC_COND_P, CC_COND_NP,
    CC_COND_L, CC_COND_GE, CC_COND_LE, CC_COND_G
};

/* CF|PF|AF|ZF|SF|OF from the lazy state. */
uint32_t cc_compute_all(uint32_t op, uint32_t dst, uint32_t src,
                        uint32_t src2);
/* CF alone (0 or 1), cheaper. */
uint32_t cc_compute_c(uint32_t op, uint32_t dst, uint32_t src,
                      uint32_t src2);
/* Evaluate condition COND (0..15) on the lazy state: 0 or 1. */
uint32_t cc_eval_cond(uint32_t cond, uint32_t op, uint32_t dst, uint32_t src,
                      uint32_t src2);
/* Condition COND on an EFLAGS value. */
uint32_t cc_cond_from_eflags(uint32_t cond, uint32_t eflags);
/* Parity flag of the low byte: CC_P or 0. */
uint32_t cc_parity(uint32_t value);
const char *cc_op_name(uint32_t op);

#endif
