/*
 * The monitor commands that look inside one guest's Machine (info
 * registers, info jit, info mem, x, xp, disas).  machine_query_run is
 * handed to vmm_with_machine, so it runs while the guest is held still.
 */
#ifndef MONITOR_HMP_MACHINE_H
#define MONITOR_HMP_MACHINE_H

#include <glib.h>
#include <stdbool.h>

#include "translate/machine.h"

typedef enum MachineQueryKind {
    MQ_REGISTERS,
    MQ_JIT,
    MQ_MEM,
    MQ_DUMP,  /* x, xp */
    MQ_DISAS,
} MachineQueryKind;

#define DUMP_MAX_BYTES (64u << 10) /* bounds the output of one x/xp */

typedef struct MachineQuery {
    MachineQueryKind kind;
    /* MQ_DUMP and MQ_DISAS */
    const char *addr_expr; /* number, or $reg ($eip, $esp...) */
    unsigned count;
    char format;   /* x d u o c i s */
    unsigned size; /* 1 2 4 8 */
    bool phys;
    /* results */
    GString *out;
    int rc;
    char err[256];
} MachineQuery;

/* Parse "/Nfu" into Q's count, format and size; -1 with an error line. */
int dump_parse_format(const char *fmt, MachineQuery *q, GString *out);
void machine_query_run(Machine *m, void *opaque);

#endif
