/*
 * Records exchanged between the ALU oracle test and its 32-bit BCD helper
 * (bcd32.c): DAA DAS AAA AAS AAM AAD are invalid in 64-bit mode (SDM Vol.
 * 2A, each: "64-Bit Mode Exceptions: #UD"), so a -m32 program runs them.
 * Usage: bcd32 IN OUT; IN holds BcdIn records, OUT gets one BcdOut each.
 */
#ifndef TESTS_UNIT_ORACLE_BCD_H
#define TESTS_UNIT_ORACLE_BCD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { BCD_DAA, BCD_DAS, BCD_AAA, BCD_AAS, BCD_AAM, BCD_AAD, BCD_NOPS };

typedef struct BcdIn {
    uint8_t op;  /* BCD_* */
    uint8_t imm; /* AAM/AAD base */
    uint16_t pad;
    uint32_t eax;
    uint32_t flags;
} BcdIn;

typedef struct BcdOut {
    uint32_t eax;
    uint32_t flags;
    uint32_t fault; /* 1: the instruction raised #DE (AAM 0) */
} BcdOut;

/* Run N records through the helper into OUT; false with ERR if it could
 * not be run (tests/unit/bcd-host.c). */
bool bcd_run(const BcdIn *in, size_t n, BcdOut *out, char *err,
             size_t errlen);

#endif
