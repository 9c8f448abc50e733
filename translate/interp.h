/*
 * The portable backend: IR compiled to a compact form and interpreted.
 * Helpers are called through libffi (as QEMU's TCI does), so this backend
 * runs on any host; it is also the oracle of the differential tests.
 */
#ifndef TRANSLATE_INTERP_H
#define TRANSLATE_INTERP_H

#include <stddef.h>
#include <stdint.h>

#include "cpu/cpu.h"
#include "translate/ir.h"

typedef struct InterpCode InterpCode;
struct TranslationBlock;

/* Compile block B for CPU (operands become pointers into CPU's state and
 * the code's own constant pool).  NULL if out of memory.  *BYTES gets the
 * memory it holds. */
InterpCode *interp_compile(const IRBlock *b, CPUState *cpu, size_t *bytes);
void interp_code_free(InterpCode *code);

/* Run a block.  Returns the chain slot of the exit taken (0, 1, or
 * IR_EXIT_NOCHAIN).  Guest exceptions leave by siglongjmp. */
unsigned interp_exec(CPUState *cpu, const struct TranslationBlock *tb);

/* libffi call of helper ID with ARGS (pointers to uint32_t values);
 * returns the helper's value (0 for void helpers). */
uint32_t helper_call_ffi(CPUState *cpu, int id, uint32_t *const *args);

#endif
