/*
 * A Machine: one bare emulated computer (DESIGN.md): a CPU, its RAM,
 * address space and port space, its translation-block cache, and the
 * execution loop that runs it.  A bare Machine has no devices; the PC
 * board (devices/pc.c) adds them.  Nothing here is shared between two
 * Machines.
 */
#ifndef TRANSLATE_MACHINE_H
#define TRANSLATE_MACHINE_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cpu/cpu.h"
#include "memory/memory.h"

/* Backends. */
typedef enum MachineAccel { ACCEL_INTERP, ACCEL_JIT } MachineAccel;

/* -d log items (QEMU's names). */
#define LOG_IN_ASM 0x01u  /* guest code of each translated block */
#define LOG_EXEC 0x02u    /* each block executed */
#define LOG_OP 0x04u      /* IR of each block */
#define LOG_INT 0x08u     /* exceptions and interrupts */
#define LOG_CPU 0x10u     /* registers before each block */
#define LOG_UNIMP 0x20u   /* unimplemented features used */
#define LOG_OUT_ASM 0x40u /* host code of each block (JIT) */
#define LOG_STATS 0x80u   /* counters when the guest ends */

/* What the guest's run came to. */
typedef enum MachineStatus {
    MACHINE_RUNNING, /* budget or instruction limit reached, can go on */
    MACHINE_HALTED,  /* hlt and nothing can wake it */
    MACHINE_ENDED,   /* ended with an exit status (debug exit...) */
    MACHINE_FAILED,  /* guest fault or unsupported feature: see reason */
} MachineStatus;

typedef struct TBCache TBCache;
typedef struct Machine Machine;
typedef void (*MachinePollFn)(void *opaque);

/* A function to run on the thread running a Machine, at a block
 * boundary (machine_queue_work).  The caller owns the item and keeps it
 * alive until FN has been called. */
typedef struct MachineWork {
    void (*fn)(Machine *m, void *opaque);
    void *opaque;
    struct MachineWork *next;
} MachineWork;

#define MACHINE_MAX_POLLS 8

struct Machine {
    CPUState cpu;
    AddressSpace *as;
    PortSpace *ports;
    TBCache *tbs;
    struct Jit *jit;     /* the JIT backend, NULL for interp */
    uintptr_t last_exit; /* the JIT's last exit, for chaining */
    struct TranslationBlock *single_insn; /* running uncached (after SMC) */
    bool run_single;                      /* next: one instruction, uncached */
    int32_t budget_mark;                  /* budget when instructions were last
                                             counted */
    struct IRBlock *ir;                   /* scratch block for the translator */
    struct TranslationBlock *translating; /* freed if translation faults */
    MachineAccel accel;
    unsigned log_mask;
    FILE *log;     /* -D file, or stderr */
    bool optimize; /* run the IR optimizer (on by default) */

    MachineStatus status;
    int exit_status;   /* for MACHINE_ENDED */
    char reason[1024]; /* for MACHINE_FAILED/ENDED: what happened */

    /* Called from the execution loop between slices (device input). */
    MachinePollFn poll_fn[MACHINE_MAX_POLLS];
    void *poll_opaque[MACHINE_MAX_POLLS];
    int npolls;

    void *board; /* the board that built this Machine */

    /* Work queued by other threads (machine_queue_work), taken when the
     * loop sees CPU_REQ_WORK. */
    pthread_mutex_t work_lock;
    MachineWork *work_head, **work_tail;
    /* Times the loop took posted requests (-d stats). */
    uint64_t nrequests;
};

typedef struct MachineConfig {
    uint64_t ram_size;
    size_t code_cache_size; /* 0: the default (32 MiB) */
    MachineAccel accel;
    unsigned log_mask;
    FILE *log;
} MachineConfig;

/* A bare Machine: RAM at 0, no devices, unassigned I/O reads all ones, the
 * CPU in its reset state.  NULL with a message in ERR on failure. */
Machine *machine_new(const MachineConfig *cfg, char *err, size_t errlen);
void machine_free(Machine *m);

/* Put the CPU in flat 32-bit protected mode (CS/DS/ES/FS/GS/SS base 0,
 * limit 4 GiB, CPL 0, interrupts off), as the multiboot spec and unit
 * tests want it.  The GDTR is left as it is. */
void machine_set_flat32(Machine *m);

/* Run until the guest ends, fails or halts, or about MAX_INSNS instructions
 * have retired (-1: no limit).  Returns m->status. */
MachineStatus machine_run(Machine *m, int64_t max_insns);

/*
 * Requests from other threads (monitor, scheduler, devices, timers).  Each
 * takes effect at the next block boundary, whatever the guest runs (a
 * chained loop, a long rep string), and none is ever lost (cpu/cpu.h,
 * the run word).  They cost the guest no instruction.
 */
/* Leave translated code and look at the Machine's status again. */
void machine_request_exit(Machine *m);
/* Make machine_run return at the next block boundary, the guest still
 * runnable (the scheduler preempting a guest for the monitor). */
void machine_request_leave(Machine *m);
/* Run W->fn(m, W->opaque) once, on the thread running M, at its next
 * block boundary inside machine_run (or when machine_run is next
 * called). */
void machine_queue_work(Machine *m, MachineWork *w);

/* End the guest with STATUS (devices: debug exit).  Safe to call from a
 * device callback inside the execution loop: the guest stops at the end of
 * the current instruction. */
void machine_end(Machine *m, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Register a function the loop calls between slices (at most
 * MACHINE_MAX_POLLS); returns 0 or -1. */
int machine_add_poll(Machine *m, MachinePollFn fn, void *opaque);

/* Write the Machine's counters (instructions, blocks...) to F. */
void machine_print_stats(const Machine *m, FILE *f);

/* Parse a -d list ("in_asm,exec"); returns the mask or -1 (and the bad
 * item in ERR). */
int machine_parse_log(const char *list, char *err, size_t errlen);
/* The help text for -d help. */
const char *machine_log_help(void);

#endif
