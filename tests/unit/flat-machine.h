/*
 * A bare Machine in flat 32-bit protected mode for the end-to-end unit
 * tests (test-exec, test-jit-edge): 16 MiB of RAM, CS selector 0x08,
 * ESP at 0x80000, hand-assembled code run from a given address.
 */
#ifndef TESTS_UNIT_FLAT_MACHINE_H
#define TESTS_UNIT_FLAT_MACHINE_H

#include <stddef.h>
#include <stdint.h>

#include "translate/machine.h"

#define FLAT_RAM (16u << 20)
#define FLAT_STACK 0x80000u

/* BACKEND 0: the interpreter, 1: the JIT; CACHE 0: the default. */
Machine *flat_machine_new(int backend, size_t cache);
/* Load CODE at AT and run it from there to hlt (or a failure). */
MachineStatus flat_machine_run(Machine *m, uint32_t at, const uint8_t *code,
                               size_t len);

#endif
