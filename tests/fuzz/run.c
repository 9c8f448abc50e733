/*
 * Runners of the differential test (run.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "memory/memory.h"
#include "tests/fuzz/run.h"

/* Far more than any program runs (forward branches only, rep counts of
 * at most 16): reaching it means a runaway. */
#define FUZZ_MAX_INSNS 200000

bool fuzz_machine_init(FuzzRunner *r, const char *name, MachineAccel accel,
                       bool optimize, char *err, size_t errlen)
{
    MachineConfig cfg = { .ram_size = FUZZ_RAM_SIZE, .accel = accel };

    memset(r, 0, sizeof(*r));
    r->name = name;
    r->m = machine_new(&cfg, err, errlen);
    if (!r->m) {
        return false;
    }
    r->m->optimize = optimize;
    machine_set_flat32(r->m);
    return true;
}

void fuzz_machine_run(FuzzRunner *r, const GenProg *p, const GenCode *c,
                      FuzzState *out)
{
    Machine *m = r->m;
    CPUState *cpu = &m->cpu;
    uint32_t hlt = c->addr + c->len - 1;
    MachineStatus st;

    /* as_write_buf() invalidates the blocks of the last program. */
    as_write_buf(m->as, c->addr, c->bytes, c->len);
    as_write_buf(m->as, FUZZ_DATA_ADDR, p->data, FUZZ_DATA_SIZE);
    as_write_buf(m->as, FUZZ_STACK_ADDR, p->stack, FUZZ_STACK_SIZE);
    memcpy(cpu->regs, p->regs, sizeof(cpu->regs));
    cpu->eip = c->addr;
    /* IF=0, so that hlt ends the run (machine.h); TF=0. */
    cpu_set_eflags(cpu, p->eflags,
                   FUZZ_FLAGS_CMP | EFLAGS_TF | EFLAGS_IF | EFLAGS_AC);
    cpu->exception_index = EXCP_NONE;
    m->status = MACHINE_RUNNING;
    st = machine_run(m, FUZZ_MAX_INSNS);

    memset(out, 0, sizeof(*out));
    r->note[0] = 0;
    switch (st) {
    case MACHINE_HALTED:
        out->status = FUZZ_OK;
        if (cpu->eip != hlt && cpu->eip != hlt + 1) {
            /* Some other byte f4 ran: as wrong as any other result. */
            out->status = FUZZ_ERROR;
            snprintf(r->note, sizeof(r->note), "halted at %#x, not at the "
                     "final hlt %#x", cpu->eip, hlt);
        }
        break;
    case MACHINE_FAILED:
        out->status = FUZZ_FAULT;
        out->vector = (uint32_t)cpu->exception_index;
        out->eip = cpu->eip;
        snprintf(r->note, sizeof(r->note), "%.200s", m->reason);
        r->note[strcspn(r->note, "\n")] = 0;
        break;
    case MACHINE_RUNNING:
        out->status = FUZZ_TIMEOUT;
        snprintf(r->note, sizeof(r->note), "still running after %d "
                 "instructions, eip=%#x", FUZZ_MAX_INSNS, cpu->eip);
        break;
    default:
        out->status = FUZZ_ERROR;
        snprintf(r->note, sizeof(r->note), "ended: %.200s", m->reason);
        break;
    }
    memcpy(out->regs, cpu->regs, sizeof(out->regs));
    out->eflags = cpu_get_eflags(cpu);
    as_read_buf(m->as, FUZZ_DATA_ADDR, out->data, FUZZ_DATA_SIZE);
    as_read_buf(m->as, FUZZ_STACK_ADDR, out->stack, FUZZ_STACK_SIZE);
}

/* ---- the native runner ---- */

bool fuzz_native_init(FuzzRunner *r, char *const *argv, char *err,
                      size_t errlen)
{
    memset(r, 0, sizeof(*r));
    r->name = "native";
    r->native = true;
    return fuzz_native_start(&r->nat, argv, err, errlen);
}

bool fuzz_runner_send(FuzzRunner *r, const GenProg *p, const GenCode *c)
{
    return fuzz_native_send(&r->nat, p, c);
}

void fuzz_runner_recv(FuzzRunner *r, FuzzState *out)
{
    r->note[0] = 0;
    if (!fuzz_native_recv(&r->nat, out)) {
        snprintf(r->note, sizeof(r->note), "native runner died");
        return;
    }
    if (out->status == FUZZ_FAULT) {
        snprintf(r->note, sizeof(r->note), "vector %u at %#x", out->vector,
                 out->eip);
    } else if (out->status != FUZZ_OK) {
        snprintf(r->note, sizeof(r->note), "status %u (signal %u at %#x)",
                 out->status, out->vector, out->eip);
    }
}

void fuzz_runner_fini(FuzzRunner *r)
{
    if (r->m) {
        machine_free(r->m);
        r->m = NULL;
    }
    if (r->native) {
        fuzz_native_stop(&r->nat);
    }
}
