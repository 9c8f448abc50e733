/*
 * Helper functions called from translated code (see helper-list.h), and
 * the table that describes them to the backends.
 */
#ifndef CPU_HELPER_H
#define CPU_HELPER_H

#include <stdint.h>

#include "cpu/cpu.h"

/* Helper flags. */
#define HLP_PURE 0x01  /* reads only its arguments, writes nothing */
#define HLP_READS 0x02 /* reads CPU state (globals must be written back) */
#define HLP_RW 0x06    /* reads and writes CPU state (globals reloaded) */
#define HLP_RAISE 0x08 /* may raise a guest exception (longjmp) */

typedef enum HelperId {
#define HELPER(name, ret, nargs, flags) HELPER_##name,
#include "cpu/helper-list.h"
#undef HELPER
    HELPER_COUNT
} HelperId;

typedef struct HelperInfo {
    const char *name;
    void (*func)(void); /* cast to the right type by the caller */
    uint8_t ret;        /* 1 if it returns a uint32_t */
    uint8_t nargs;      /* arguments after env */
    uint8_t flags;
} HelperInfo;

extern const HelperInfo helper_table[HELPER_COUNT];

#define HLP_ARGS0 CPUState *env
#define HLP_ARGS1 HLP_ARGS0, uint32_t a0
#define HLP_ARGS2 HLP_ARGS1, uint32_t a1
#define HLP_ARGS3 HLP_ARGS2, uint32_t a2
#define HLP_ARGS4 HLP_ARGS3, uint32_t a3
#define HLP_ARGS5 HLP_ARGS4, uint32_t a4
#define HLP_RET0 void
#define HLP_RET1 uint32_t
#define HELPER(name, ret, nargs, flags)                                   \
    HLP_RET##ret helper_##name(HLP_ARGS##nargs);
#include "cpu/helper-list.h"
#undef HELPER

/* Messages for helper_unsupported's argument. */
enum {
    UNSUP_PAGING,
    UNSUP_REAL_MODE,
    UNSUP_VM86,
    UNSUP_TASK_SWITCH,
    UNSUP_COUNT
};

#endif
