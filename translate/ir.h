/*
 * The intermediate representation that the frontend emits and both
 * backends run: a linear list of ops over 32-bit temps.
 *
 * Temps are globals (guest state in CPUState, named by offset), block
 * locals, or constants.  Branches go to labels inside the block; a block
 * leaves through exit_tb after storing the next eip.  See ir-ops.h for
 * the operations.
 */
#ifndef TRANSLATE_IR_H
#define TRANSLATE_IR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Op flags. */
#define IRF_BRANCH 0x01         /* may jump to a label */
#define IRF_NO_FALLTHROUGH 0x02 /* control never reaches the next op */
#define IRF_LABEL 0x04
#define IRF_FAULT 0x08 /* may raise a guest exception */
#define IRF_SIDE 0x10  /* has an effect besides its outputs */
#define IRF_CALL 0x20

typedef enum IROpcode {
#define IROP(name, nout, nin, nconst, flags, desc) IR_##name,
#include "translate/ir-ops.h"
#undef IROP
    IR_NB_OPS
} IROpcode;

typedef struct IROpDef {
    const char *name;
    uint8_t nout, nin, nconst;
    uint8_t flags;
    const char *desc;
} IROpDef;

extern const IROpDef ir_op_defs[IR_NB_OPS];

/* Comparisons (setcond, movcond, brcond). */
typedef enum IRCond {
    IR_EQ,
    IR_NE,
    IR_LT,
    IR_GE,
    IR_LE,
    IR_GT, /* signed */
    IR_LTU,
    IR_GEU,
    IR_LEU,
    IR_GTU, /* unsigned */
    IR_TSTEQ,
    IR_TSTNE, /* (a & b) == 0, != 0 */
    IR_NB_CONDS
} IRCond;

/* Memory operations: size in the low bits, sign extension flag. */
typedef enum IRMemOp {
    IR_MO_8 = 0,
    IR_MO_16 = 1,
    IR_MO_32 = 2,
    IR_MO_SIZE = 3,
    IR_MO_SIGN = 4,
} IRMemOp;

#define IR_EXIT_NOCHAIN 0xffu
/* Or'ed into an exit_tb slot: the target is on another guest page, so
 * the exit may not be chained (DESIGN.md, "Chaining"). */
#define IR_EXIT_FAR 0x10u
#define IR_EXIT_SLOT(c) ((c) == IR_EXIT_NOCHAIN ? (c) : (c)&1u)

typedef enum IRTempKind {
    IR_TEMP_GLOBAL,
    IR_TEMP_LOCAL,
    IR_TEMP_CONST
} IRTempKind;
typedef enum IRType { IR_I32, IR_I64 } IRType;

typedef struct IRTemp {
    uint8_t kind;     /* IRTempKind */
    uint8_t type;     /* IRType */
    uint32_t val;     /* global: offset in CPUState; const: the value;
                         local: slot number */
    const char *name; /* globals only */
} IRTemp;

#define IR_MAX_ARGS 8

typedef struct IROp {
    uint16_t opc; /* IROpcode */
    uint8_t nout; /* number of output temps (for call: 0 or 1) */
    uint8_t nin;  /* number of input temps (for call: as the helper) */
    uint32_t args[IR_MAX_ARGS]; /* outputs, inputs, then constants */
} IROp;

/* Index of the constant args of OP (after outputs and inputs). */
static inline uint32_t ir_const(const IROp *op, int i)
{
    return op->args[op->nout + op->nin + i];
}

#define IR_MAX_OPS 4096
#define IR_MAX_TEMPS 1024
#define IR_MAX_LABELS 256

/* One block under construction, or translated. */
typedef struct IRBlock {
    IROp ops[IR_MAX_OPS];
    int nops;
    IRTemp temps[IR_MAX_TEMPS];
    int ntemps;
    int nglobals; /* temps [0, nglobals) are the globals, always */
    int nlabels;
    int nlocals;
    bool overflow; /* ran out of ops or temps: the frontend must stop */
} IRBlock;

typedef uint32_t IRVal; /* a temp index */

/* The globals' temp numbers: G_eax, G_ecx, ..., G_gs_base. */
enum {
#define IRGLOBAL(name, field) G_##name,
#include "translate/ir-globals.h"
#undef IRGLOBAL
    IR_NB_GLOBALS
};
/* G_eax + n is general register n; G_es_base + n segment n's base. */

/* Start an empty block whose first temps are the standard globals
 * (translate/ir-globals.h). */
void ir_block_init(IRBlock *b);
IRVal ir_new_local(IRBlock *b);
/* A constant temp (deduplicated within the block). */
IRVal ir_const_temp(IRBlock *b, uint32_t value);
int ir_new_label(IRBlock *b);
/* Append an op: ARGS holds outputs, inputs and constants in that order. */
IROp *ir_emit(IRBlock *b, IROpcode opc, const uint32_t *args);
/* Append a helper call: helper number, output temp or -1, inputs. */
IROp *ir_emit_call(IRBlock *b, int helper, int out, const IRVal *in, int nin);

/* Write the block as text (for -d op). */
void ir_print(const IRBlock *b, FILE *f);
const char *ir_cond_name(IRCond c);

/* Evaluate an IRCond on two 32-bit values (both backends and the
 * optimizer agree by using this). */
static inline bool ir_eval_cond(IRCond c, uint32_t a, uint32_t b)
{
    switch (c) {
    case IR_EQ: return a == b;
    case IR_NE: return a != b;
    case IR_LT: return (int32_t)a < (int32_t)b;
    case IR_GE: return (int32_t)a >= (int32_t)b;
    case IR_LE: return (int32_t)a <= (int32_t)b;
    case IR_GT: return (int32_t)a > (int32_t)b;
    case IR_LTU: return a < b;
    case IR_GEU: return a >= b;
    case IR_LEU: return a <= b;
    case IR_GTU: return a > b;
    case IR_TSTEQ: return (a & b) == 0;
    case IR_TSTNE: return (a & b) != 0;
    default: return false;
    }
}

#endif
