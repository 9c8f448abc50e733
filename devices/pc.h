/*
 * The PC board: a Machine with the PC's legacy devices and a kernel
 * loaded into it (DESIGN.md, "Objects": everything a guest has hangs off
 * its Machine).
 */
#ifndef DEVICES_PC_H
#define DEVICES_PC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "translate/machine.h"

typedef struct PCConfig {
    uint64_t ram_size;
    MachineAccel accel;
    size_t code_cache_size; /* JIT code buffer; 0: the default */
    unsigned log_mask;
    FILE *log; /* NULL: stderr; else borrowed for the Machine's life */
    const char *kernel, *append, *initrd;
    /* A kernel already in memory, used when KERNEL is NULL (the built-in
     * demo guest); KERNEL_NAME names it. */
    const void *kernel_image;
    size_t kernel_image_size;
    const char *kernel_name;
    const char *serial;   /* chardev spec, default "stdio" */
    const char *debugcon; /* default "null" */
    bool no_reboot;
    uint16_t debug_exit_iobase, debug_exit_iosize; /* 0: 0xf4, 4 */
} PCConfig;

/*
 * Build a PC: RAM, the legacy hole 0xA0000-0xFFFFF (except ROM the loader
 * put there), COM1 at 0x3f8 (IRQ4), isa-debug-exit, the debug console at
 * 0xe9, the POST port 0x80, and the multiboot kernel.  NULL with one line
 * in ERR naming the problem.
 */
Machine *pc_new(const PCConfig *cfg, char *err, size_t errlen);
/* Free the Machine and everything on the board.  NULL is fine. */
void pc_free(Machine *m);

/* What the execution loop's caller needs to know about the board. */
bool pc_no_reboot(const Machine *m);

#endif
