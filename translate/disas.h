/*
 * Guest code disassembly with Capstone, for -d in_asm and the monitor.
 */
#ifndef TRANSLATE_DISAS_H
#define TRANSLATE_DISAS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cpu/cpu.h"
#include "translate/tb.h"

/* Print the guest instructions of TB as QEMU's -d in_asm does. */
void disas_log_block(CPUState *cpu, const TranslationBlock *tb, FILE *log);
/* Print host code [START, START+LEN) as QEMU's -d out_asm does. */
void disas_log_host(const uint8_t *code, size_t len, uintptr_t addr, FILE *log);
/* Disassemble COUNT instructions at linear ADDR (EIP-relative addresses
 * shown as CS-relative when CODE32 is the mode). */
void disas_guest(CPUState *cpu, uint32_t addr, int count, bool code32,
                 FILE *out);

#endif
