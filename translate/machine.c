/*
 * The Machine object: creation, teardown, and the services devices use
 * (ending the guest, polling between slices).  The execution loop that
 * runs it is in exec.c.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "memory/softmmu.h"
#include "translate/ir.h"
#include "translate/machine.h"
#include "translate/tb.h"

#define DEFAULT_CODE_CACHE (32u << 20)

/* A guest, loader or device wrote a page that holds translated code. */
static void machine_code_written(void *opaque, uint32_t paddr, uint32_t len)
{
    Machine *m = opaque;
    uint32_t first = paddr & GUEST_PAGE_MASK;
    uint32_t last = (paddr + (len ? len - 1 : 0)) & GUEST_PAGE_MASK;

    for (uint32_t page = first;; page += GUEST_PAGE_SIZE) {
        tb_invalidate_page(m->tbs, m->as, page);
        if (page == last) {
            break;
        }
    }
    /* Leave the running block at its next boundary so that nothing stale
     * runs after this one. */
    __atomic_store_n(&m->cpu.budget, -1, __ATOMIC_RELAXED);
}

Machine *machine_new(const MachineConfig *cfg, char *err, size_t errlen)
{
    Machine *m = calloc(1, sizeof(*m));

    if (!m) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (cfg->ram_size < (1u << 20) || cfg->ram_size > (3584ull << 20) ||
        (cfg->ram_size & (GUEST_PAGE_SIZE - 1))) {
        snprintf(err, errlen,
                 "RAM size must be a multiple of 4 KiB between 1 MiB and "
                 "3584 MiB");
        free(m);
        return NULL;
    }
    m->as = as_new(cfg->ram_size);
    m->ports = ports_new();
    m->tbs = tb_cache_new(cfg->code_cache_size ? cfg->code_cache_size
                                               : DEFAULT_CODE_CACHE);
    m->ir = malloc(sizeof(IRBlock));
    if (!m->as || !m->ports || !m->tbs || !m->ir) {
        snprintf(err, errlen, "cannot allocate %llu MiB of guest RAM",
                 (unsigned long long)(cfg->ram_size >> 20));
        machine_free(m);
        return NULL;
    }
    m->accel = cfg->accel;
    m->log_mask = cfg->log_mask;
    m->log = cfg->log ? cfg->log : stderr;
    m->optimize = true;
    m->status = MACHINE_RUNNING;
    as_set_code_hook(m->as, machine_code_written, m);

    m->cpu.as = m->as;
    m->cpu.ports = m->ports;
    m->cpu.machine = m;
    cpu_reset(&m->cpu);
    tlb_flush(&m->cpu);
    return m;
}

void machine_free(Machine *m)
{
    if (!m) {
        return;
    }
    if (m->translating) {
        tb_free(m->translating);
    }
    tb_cache_free(m->tbs);
    free(m->ir);
    if (m->ports) {
        ports_free(m->ports);
    }
    if (m->as) {
        as_free(m->as);
    }
    free(m);
}

/* Flat segment caches (SDM Vol. 3A, 3.4.5): present, DPL 0, 4 KiB
 * granularity, 32-bit. */
void machine_set_flat32(Machine *m)
{
    CPUState *cpu = &m->cpu;
    const uint32_t data = DESC_P | DESC_S | DESC_RW | DESC_A | DESC_B | DESC_G;
    const uint32_t code = data | DESC_CODE;

    for (int i = 0; i < CPU_NB_SEGS; i++) {
        cpu->seg[i].base = 0;
        cpu->seg[i].limit = 0xffffffff;
        cpu->seg[i].flags = i == R_CS ? code : data;
    }
    cpu->cr[0] |= CR0_PE | CR0_ET;
    cpu->cr[0] &= ~CR0_PG;
    cpu_set_eflags(cpu, EFLAGS_FIXED, ~0u);
    cpu->a20_mask = 0xffffffff;
    cpu_update_hflags(cpu);
    tlb_flush(cpu);
}

void machine_end(Machine *m, int status, const char *fmt, ...)
{
    va_list ap;

    if (m->status != MACHINE_RUNNING) {
        return;
    }
    m->status = MACHINE_ENDED;
    m->exit_status = status;
    va_start(ap, fmt);
    vsnprintf(m->reason, sizeof(m->reason), fmt, ap);
    va_end(ap);
    __atomic_store_n(&m->cpu.budget, -1, __ATOMIC_RELAXED);
}

int machine_add_poll(Machine *m, MachinePollFn fn, void *opaque)
{
    if (m->npolls >= MACHINE_MAX_POLLS) {
        return -1;
    }
    m->poll_fn[m->npolls] = fn;
    m->poll_opaque[m->npolls] = opaque;
    m->npolls++;
    return 0;
}

/* -d items, as in machine_log_help(). */
static const struct {
    const char *name;
    unsigned mask;
} log_items[] = {
    {"in_asm", LOG_IN_ASM}, {"op", LOG_OP},   {"exec", LOG_EXEC},
    {"cpu", LOG_CPU},       {"int", LOG_INT}, {"unimp", LOG_UNIMP},
};

int machine_parse_log(const char *list, char *err, size_t errlen)
{
    unsigned mask = 0;
    char *copy = strdup(list), *save = NULL;

    if (!copy) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (char *item = strtok_r(copy, ",", &save); item;
         item = strtok_r(NULL, ",", &save)) {
        size_t i;
        for (i = 0; i < sizeof(log_items) / sizeof(log_items[0]); i++) {
            if (!strcmp(item, log_items[i].name)) {
                mask |= log_items[i].mask;
                break;
            }
        }
        if (i == sizeof(log_items) / sizeof(log_items[0])) {
            snprintf(err, errlen, "unknown log item '%s' (see -d help)", item);
            free(copy);
            return -1;
        }
    }
    free(copy);
    return (int)mask;
}

const char *machine_log_help(void)
{
    return "Log items (comma separated):\n"
           "in_asm  show guest code of each translated block\n"
           "op      show the IR of each translated block\n"
           "exec    show each block as it is executed\n"
           "cpu     show the CPU registers before each block\n"
           "int     show exceptions and interrupts\n"
           "unimp   show use of unimplemented features\n";
}
