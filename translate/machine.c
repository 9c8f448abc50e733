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
#include "translate/jit.h"
#include "translate/machine.h"
#include "translate/tb.h"

#define DEFAULT_CODE_CACHE (32u << 20)

/*
 * A guest, loader or device is about to write [paddr, paddr+len) on a
 * page that holds translated code: the blocks overlapping it go.  If the
 * block that is running is one of them, it stops before the write: the
 * loop restores the writing instruction's state and runs that instruction
 * alone, so that nothing stale runs after it (DESIGN.md, "Self-modifying
 * code").
 */
static void machine_code_written(void *opaque, uint32_t paddr, uint32_t len)
{
    Machine *m = opaque;
    CPUState *cpu = &m->cpu;
    const TranslationBlock *running = cpu->cur_tb;
    uint32_t end = paddr + (len ? len : 1);

    for (uint32_t a = paddr; a != end;) {
        uint32_t page_end = (a & GUEST_PAGE_MASK) + GUEST_PAGE_SIZE;
        uint32_t n = (end - a) < (page_end - a) ? end - a : page_end - a;
        tb_invalidate_range(m->tbs, m->as, a, n);
        a += n;
    }
    if (running && running->invalid) {
        cpu->exception_index = EXCP_SMC;
        siglongjmp(cpu->jmp_env, 1);
    }
}

/* A block leaves the cache: no jump may lead into it any more. */
static void machine_tb_invalidated(void *opaque, TranslationBlock *tb)
{
    Machine *m = opaque;
    if (m->jit) {
        jit_unlink(m->jit, tb);
        jit_cache_remove(&m->cpu, tb);
    }
}

void machine_request_exit(Machine *m)
{
    cpu_request(&m->cpu, CPU_REQ_EXIT);
}

void machine_request_leave(Machine *m)
{
    cpu_request(&m->cpu, CPU_REQ_LEAVE);
}

void machine_queue_work(Machine *m, MachineWork *w)
{
    w->next = NULL;
    pthread_mutex_lock(&m->work_lock);
    *m->work_tail = w;
    m->work_tail = &w->next;
    pthread_mutex_unlock(&m->work_lock);
    /* After the item is in the queue: the loop takes the request first
     * and the queue after, so it never misses an item (at worst it
     * finds the queue already emptied by the previous look). */
    cpu_request(&m->cpu, CPU_REQ_WORK);
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
    if (m->accel == ACCEL_JIT) {
        m->jit = jit_new(cfg->code_cache_size ? cfg->code_cache_size
                                              : DEFAULT_CODE_CACHE,
                         err, errlen);
        if (!m->jit) {
            machine_free(m);
            return NULL;
        }
    }
    m->tbs->on_invalidate = machine_tb_invalidated;
    m->tbs->opaque = m;
    m->log_mask = cfg->log_mask;
    m->log = cfg->log ? cfg->log : stderr;
    m->optimize = true;
    m->status = MACHINE_RUNNING;
    pthread_mutex_init(&m->work_lock, NULL);
    m->work_tail = &m->work_head;
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
    if (m->single_insn) {
        /* A run that ended on the uncached instruction after
         * self-modifying code. */
        tb_free(m->single_insn);
    }
    tb_cache_free(m->tbs);
    jit_free(m->jit);
    free(m->ir);
    if (m->ports) {
        ports_free(m->ports);
    }
    if (m->as) {
        as_free(m->as);
    }
    if (m->work_tail) {
        pthread_mutex_destroy(&m->work_lock);
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
    machine_request_exit(m);
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
    {"in_asm", LOG_IN_ASM},   {"op", LOG_OP},       {"exec", LOG_EXEC},
    {"cpu", LOG_CPU},         {"int", LOG_INT},     {"unimp", LOG_UNIMP},
    {"out_asm", LOG_OUT_ASM}, {"stats", LOG_STATS},
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
           "op      show the IR of each translated block, before and after\n"
           "        the optimizer\n"
           "out_asm show the host code of each translated block (jit)\n"
           "stats   show counters when the guest ends\n"
           "exec    show each block as it is executed\n"
           "cpu     show the CPU registers before each block\n"
           "int     show exceptions and interrupts\n"
           "unimp   show use of unimplemented features\n";
}

void machine_print_stats(const Machine *m, FILE *f)
{
    fprintf(f,
            "instructions retired: %llu\n"
            "blocks translated: %llu (invalidated %llu, cache flushes %llu)\n"
            "block memory: %zu bytes\n"
            "requests taken: %llu\n",
            (unsigned long long)m->cpu.icount,
            (unsigned long long)m->tbs->ntranslated,
            (unsigned long long)m->tbs->ninvalidated,
            (unsigned long long)m->tbs->nflushes, m->tbs->bytes,
            (unsigned long long)m->nrequests);
}
