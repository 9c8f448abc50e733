/*
 * The flat Machine of the end-to-end unit tests (flat-machine.h).
 */
#include <check.h>

#include "memory/memory.h"
#include "tests/unit/flat-machine.h"

Machine *flat_machine_new(int backend, size_t cache)
{
    MachineConfig cfg = {.ram_size = FLAT_RAM,
                         .accel = backend ? ACCEL_JIT : ACCEL_INTERP,
                         .code_cache_size = cache};
    char err[256];
    Machine *m = machine_new(&cfg, err, sizeof(err));

    ck_assert_msg(m != NULL, "%s", err);
    machine_set_flat32(m);
    m->cpu.seg[R_CS].selector = 0x08;
    m->cpu.regs[R_ESP] = FLAT_STACK;
    return m;
}

MachineStatus flat_machine_run(Machine *m, uint32_t at, const uint8_t *code,
                               size_t len)
{
    as_write_buf(m->as, at, code, len);
    m->cpu.eip = at;
    return machine_run(m, 10000000);
}
