/*
 * Records exchanged between the ALU oracle test and its 32-bit BCD helper
 * (bcd32.c): DAA DAS AAA AAS AAM AAD are invalid in 64-bit mode (SDM Vol.
 * 2A, each: "64-Bit Mode Exceptions: #UD"), so a -m32 program runs them.
 * Usage: bcd32 IN OUT; IN holds BcdIn records, OUT gets one BcdOut each.
 * Where i386 binaries cannot run, a table recorded from bcd32 answers
 * instead (below).
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

/*
 * The recorded table (tests/refs/bcd-table.bin.gz, its layout in
 * tests/refs/README.md): AX and the low 16 bits of EFLAGS after each
 * instruction, little-endian, for these inputs in this order:
 *   DAA DAS AAA AAS: AH in BCD_TABLE_AH, AL 0..255, EFLAGS in
 *                    BCD_TABLE_FLAGS (each with bit 1);
 *   AAM imm8 1..255: AL 0..255, AH 0x5a, EFLAGS in BCD_TABLE_MUL_FLAGS;
 *   AAD imm8 in BCD_TABLE_AAD_IMMS: AH 0..255, AL 0..255, EFLAGS in
 *                    BCD_TABLE_MUL_FLAGS.
 * 0x8d4 is OF SF ZF AF PF; 0x8e4 has bit 5 (reserved, ignored by POPF)
 * instead of AF, so the eight values are CF x AF, with OF SF ZF PF clear
 * and set.  AAM 0 raises #DE and has no record.
 */
#define BCD_TABLE_NAH 3
#define BCD_TABLE_NFLAGS 8
#define BCD_TABLE_NMUL_FLAGS 2
#define BCD_TABLE_NAAD 14
#define BCD_TABLE_AAM_AH 0x5a
static const uint8_t BCD_TABLE_AH[BCD_TABLE_NAH] = {0x00, 0x7f, 0xff};
static const uint16_t BCD_TABLE_FLAGS[BCD_TABLE_NFLAGS] = {
    0x000, 0x001, 0x010, 0x011, 0x8d4, 0x8d5, 0x8e4, 0x8e5,
};
static const uint16_t BCD_TABLE_MUL_FLAGS[BCD_TABLE_NMUL_FLAGS] = {
    0x000,
    0x8d5,
};
static const uint8_t BCD_TABLE_AAD_IMMS[BCD_TABLE_NAAD] = {
    0, 1, 2, 7, 8, 9, 10, 15, 16, 100, 127, 128, 200, 255,
};
/* The input flags a record is keyed on: OF SF ZF AF PF CF. */
#define BCD_TABLE_KEY_FLAGS 0x8d5u

#define BCD_TABLE_ADJ_RECORDS (BCD_TABLE_NAH * 256 * BCD_TABLE_NFLAGS)
#define BCD_TABLE_AAM_FIRST (4 * BCD_TABLE_ADJ_RECORDS)
#define BCD_TABLE_AAD_FIRST                                                    \
    (BCD_TABLE_AAM_FIRST + 255 * 256 * BCD_TABLE_NMUL_FLAGS)
#define BCD_TABLE_RECORDS                                                      \
    (BCD_TABLE_AAD_FIRST + BCD_TABLE_NAAD * 65536 * BCD_TABLE_NMUL_FLAGS)

typedef struct BcdTableRec {
    uint16_t ax, flags;
} BcdTableRec;

/* The input of record I of the table (with EAX bits 31..16 zero). */
void bcd_table_input(size_t i, BcdIn *in);
/* The records of instruction OP (BCD_*): FIRST and COUNT. */
void bcd_table_range(int op, size_t *first, size_t *count);

/*
 * The oracle for these instructions: the -m32 helper (oracle-bcd/bcd32,
 * run directly or under $I386_RUNNER) or the recorded table, as
 * tests/unit/i386-oracle.h chooses.  Its description says which.
 */
typedef struct BcdOracle BcdOracle;

BcdOracle *bcd_oracle_open(char *err, size_t errlen);
void bcd_oracle_close(BcdOracle *o);
const char *bcd_oracle_describe(const BcdOracle *o);
bool bcd_oracle_is_native(const BcdOracle *o);

/* Run N records through the oracle into OUT; false with ERR if it could
 * not, or if the recorded table has no answer for one of them (a test
 * must ask only what the table holds: a missing answer is a failure). */
bool bcd_oracle_run(BcdOracle *o, const BcdIn *in, size_t n, BcdOut *out,
                    char *err, size_t errlen);

/* The recorded table, loaded (also with the native oracle, to check it
 * against the hardware); NULL with ERR if it is missing or malformed. */
const BcdTableRec *bcd_oracle_table(BcdOracle *o, char *err, size_t errlen);
/* Where the table is, and its "# recorded:" line. */
const char *bcd_oracle_table_path(const BcdOracle *o);
char *bcd_oracle_table_recorded(const BcdOracle *o);

/* The answer the table gives for IN; false if it holds none. */
bool bcd_table_lookup(const BcdTableRec *table, const BcdIn *in, BcdOut *out);

#endif
