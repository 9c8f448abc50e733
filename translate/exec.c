/*
 * The execution loop: find or translate the block at cs:eip, run it,
 * account the instructions, and handle what made it stop (guest
 * exceptions, hlt, the budget, a device ending the guest).
 */
#include <stdlib.h>
#include <string.h>

#include "memory/softmmu.h"
#include "translate/frontend.h"
#include "translate/interp.h"
#include "translate/ir.h"
#include "translate/jit.h"
#include "translate/machine.h"
#include "translate/optimize.h"
#include "translate/tb.h"

/* Instructions per slice between two looks at devices and requests. */
#define SLICE_INSNS 200000

/* Drop every block and all generated code. */
static void machine_flush_code(Machine *m)
{
    tb_flush(m->tbs, m->as);
    if (m->jit) {
        jit_reset(m->jit);
        jit_cache_clear(&m->cpu);
    }
}

/* Compile the IR in m->ir for TB with the Machine's backend. */
static bool tb_compile(Machine *m, TranslationBlock *tb)
{
    size_t bytes = 0;

    if (m->jit) {
        FILE *log = (m->log_mask & LOG_OUT_ASM) ? m->log : NULL;
        if (jit_compile(m->jit, m->ir, tb, log)) {
            return true;
        }
        /* The code buffer is full: start it again (DESIGN.md, "Code
         * cache"). */
        machine_flush_code(m);
        return jit_compile(m->jit, m->ir, tb, log);
    }
    tb->interp = interp_compile(m->ir, &m->cpu, &bytes);
    tb->host_bytes += bytes;
    return tb->interp != NULL;
}

/* Translate the block at cs:eip.  CACHED blocks go into the cache; an
 * uncached one (one instruction, after self-modifying code) does not. */
static TranslationBlock *tb_translate(Machine *m, uint32_t pc, int max_insns,
                                      bool cached)
{
    CPUState *cpu = &m->cpu;
    TranslationBlock *tb = calloc(1, sizeof(*tb));

    if (!tb) {
        return NULL;
    }
    /* Flush early enough that the block about to be added still fits:
     * a quarter of the quota is far more than one block takes. */
    if (m->tbs->bytes > m->tbs->quota - m->tbs->quota / 4) {
        machine_flush_code(m);
    }
    m->translating = tb;
    x86_translate_block(cpu, m->ir, tb, max_insns,
                        (m->log_mask & LOG_IN_ASM) ? m->log : NULL);
    if (m->log_mask & LOG_OP) {
        fprintf(m->log, "OP: block at 0x%08x\n", pc);
        ir_print(m->ir, m->log);
        fprintf(m->log, "\n");
    }
    if (m->optimize) {
        ir_optimize(m->ir);
        if (m->log_mask & LOG_OP) {
            fprintf(m->log, "OP after optimization: block at 0x%08x\n", pc);
            ir_print(m->ir, m->log);
            fprintf(m->log, "\n");
        }
    }
    m->translating = NULL;
    tb->host_bytes = sizeof(*tb) + tb->icount * sizeof(TBInsnInfo);
    if (!tb->insns || !tb_compile(m, tb)) {
        tb_free(tb);
        return NULL;
    }
    if (!cached) {
        return tb;
    }
    tb_insert(m->tbs, m->as, tb);
    for (int i = 0; i < 2; i++) {
        if (tb->phys_page[i] != UINT32_MAX) {
            tlb_protect_code_page(cpu, tb->phys_page[i]);
        }
    }
    return tb;
}

static TranslationBlock *tb_find(Machine *m)
{
    CPUState *cpu = &m->cpu;
    uint32_t cs_base = cpu->seg[R_CS].base;
    uint32_t pc = cs_base + cpu->eip;
    uint32_t phys = mmu_code_paddr(cpu, pc) & GUEST_PAGE_MASK;
    TranslationBlock *tb = tb_lookup(m->tbs, pc, cs_base, cpu->hflags, phys);

    return tb ? tb : tb_translate(m, pc, TB_MAX_INSNS, true);
}

static void machine_fail(Machine *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void machine_fail(Machine *m, const char *fmt, ...)
{
    va_list ap;
    size_t n;

    m->status = MACHINE_FAILED;
    va_start(ap, fmt);
    vsnprintf(m->reason, sizeof(m->reason), fmt, ap);
    va_end(ap);
    n = strlen(m->reason);
    if (n < sizeof(m->reason) - 2) {
        m->reason[n++] = '\n';
        cpu_format_state(&m->cpu, m->reason + n, sizeof(m->reason) - n);
    }
}

/* The uncached one-instruction block is done with: free it at the loop's
 * top, like an invalidated block. */
static void machine_retire_single(Machine *m)
{
    TranslationBlock *tb = m->single_insn;

    m->single_insn = NULL;
    if ((m->last_exit & ~(uintptr_t)3) == (uintptr_t)tb) {
        m->last_exit = 0;
    }
    tb->invalid = true;
    tb->all_next = m->tbs->retired;
    m->tbs->retired = tb;
}

/*
 * A helper or the softMMU left a block by siglongjmp.  Put the CPU in
 * the state of the instruction that was running (DESIGN.md, "Precise
 * exceptions"), then decide what becomes of the guest.
 */
static void machine_handle_exit(Machine *m)
{
    CPUState *cpu = &m->cpu;
    const TranslationBlock *tb = cpu->cur_tb;
    int excp = cpu->exception_index;
    bool restore = excp < EXCP_INTERRUPT || excp == EXCP_SOFTINT ||
                   excp == EXCP_UNSUPPORTED || excp == EXCP_SMC;

    if (m->single_insn) {
        machine_retire_single(m);
    }
    if (m->translating) {
        /* The fault hit the translator fetching code: nothing ran. */
        tb_free(m->translating);
        m->translating = NULL;
    } else if (tb) {
        int done = cpu->cur_insn + (restore ? 0 : 1);
        if (done > (int)tb->icount) {
            done = tb->icount;
        }
        if (restore && cpu->cur_insn < (int)tb->icount) {
            const TBInsnInfo *info = &tb->insns[cpu->cur_insn];
            cpu->eip = info->eip;
            if (info->cc_op >= 0) {
                cpu->cc_op = info->cc_op;
            }
        }
        /* The block charged all its instructions at entry. */
        cpu->budget += tb->icount - done;
    }
    cpu->cur_tb = NULL;
    /* A fatal exit keeps its vector in exception_index for the caller. */
    if (excp >= EXCP_INTERRUPT && excp != EXCP_SOFTINT &&
        excp != EXCP_UNSUPPORTED) {
        cpu->exception_index = EXCP_NONE;
    }

    if ((m->log_mask & LOG_INT) && excp != EXCP_INTERRUPT) {
        fprintf(m->log, "exception %d (%s) at %04x:%08x\n", excp,
                excp < 32 ? cpu_exception_name(excp) : "exit",
                cpu->seg[R_CS].selector, cpu->eip);
    }
    if (m->status != MACHINE_RUNNING) {
        return;
    }
    if (excp == EXCP_SMC) {
        cpu->exception_index = EXCP_NONE;
        m->run_single = true;
        return;
    }
    if (excp < 32) {
        if (cpu->has_error_code) {
            machine_fail(m,
                         "guest exception %s (vector %d, error code 0x%x) "
                         "at eip=0x%08x",
                         cpu_exception_name(excp), excp, cpu->error_code,
                         cpu->eip);
        } else {
            machine_fail(m, "guest exception %s (vector %d) at eip=0x%08x",
                         cpu_exception_name(excp), excp, cpu->eip);
        }
    } else if (excp == EXCP_SOFTINT) {
        machine_fail(m,
                     "guest software interrupt 0x%02x at eip=0x%08x: "
                     "interrupt delivery is not implemented in this version",
                     cpu->soft_vector, cpu->eip);
    } else if (excp == EXCP_UNSUPPORTED) {
        machine_fail(m,
                     "guest used %s at eip=0x%08x: unsupported in this "
                     "version",
                     cpu->exit_reason ? cpu->exit_reason : "a feature",
                     cpu->eip);
    } else if (excp == EXCP_HLT) {
        cpu->exception_index = EXCP_NONE;
        /* No device can raise an interrupt yet, so nothing can wake it. */
        m->status = MACHINE_HALTED;
        snprintf(m->reason, sizeof(m->reason),
                 "guest halted at eip=0x%08x with %s", cpu->eip,
                 (cpu->eflags & EFLAGS_IF) ? "no interrupt source"
                                           : "interrupts disabled");
    }
}

static void machine_log_exec(Machine *m, const TranslationBlock *tb)
{
    if (m->log_mask & LOG_CPU) {
        char buf[2048];
        cpu_format_state(&m->cpu, buf, sizeof(buf));
        fputs(buf, m->log);
    }
    if (m->log_mask & LOG_EXEC) {
        fprintf(m->log, "Trace: [%08x/%08x/%08x] %u insns\n", tb->cs_base,
                tb->pc - tb->cs_base, tb->flags, tb->icount);
    }
}

/* Start a new slice of at most REMAINING instructions (-1: no limit);
 * false when the run should return. */
static bool machine_new_slice(Machine *m, int64_t remaining)
{
    for (int i = 0; i < m->npolls; i++) {
        m->poll_fn[i](m->poll_opaque[i]);
    }
    if (m->status != MACHINE_RUNNING || remaining == 0) {
        return false;
    }
    m->cpu.budget = remaining > 0 && remaining < SLICE_INSNS
                        ? (int32_t)remaining
                        : SLICE_INSNS;
    m->budget_mark = m->cpu.budget;
    return true;
}

/* Count the instructions charged to the budget since the last look,
 * taking back the exit requests made meanwhile. */
static void machine_account(Machine *m)
{
    CPUState *cpu = &m->cpu;

    while (cpu->budget < -(BUDGET_EXIT_REQUEST / 2)) {
        cpu->budget += BUDGET_EXIT_REQUEST;
    }
    cpu->icount += (int64_t)m->budget_mark - cpu->budget;
    m->budget_mark = cpu->budget;
}

/* Chain the block the JIT left through a direct exit to TB, which it
 * jumps to, when both are on the same guest page (DESIGN.md, "Chaining"). */
static void machine_chain(Machine *m, TranslationBlock *tb)
{
    uintptr_t last_exit = m->last_exit;
    TranslationBlock *last = (TranslationBlock *)(last_exit & ~(uintptr_t)3);

    m->last_exit = 0;
    if (last && !last->invalid && !tb->invalid &&
        last->phys_page[0] == tb->phys_page[0] &&
        tb->phys_page[1] == UINT32_MAX) {
        jit_chain(m->jit, last, last_exit & 3, tb);
    }
    jit_cache_insert(&m->cpu, tb);
}

MachineStatus machine_run(Machine *m, int64_t max_insns)
{
    CPUState *cpu = &m->cpu;
    const uint64_t start = cpu->icount;

    if (m->status != MACHINE_RUNNING) {
        return m->status;
    }
    cpu->budget = 0;
    m->budget_mark = 0;
    m->last_exit = 0;
    if (sigsetjmp(cpu->jmp_env, 0) != 0) {
        m->last_exit = 0;
        machine_handle_exit(m);
    }
    for (;;) {
        TranslationBlock *tb;
        int64_t remaining;

        machine_account(m);
        remaining =
            max_insns < 0 ? -1 : max_insns - (int64_t)(cpu->icount - start);
        if (m->status != MACHINE_RUNNING) {
            return m->status;
        }
        /* Load first: the exchange is a locked instruction. */
        if (__atomic_load_n(&m->leave_run, __ATOMIC_RELAXED) &&
            __atomic_exchange_n(&m->leave_run, false, __ATOMIC_ACQ_REL)) {
            return m->status;
        }
        if (cpu->budget <= 0 || (remaining >= 0 && remaining < cpu->budget)) {
            if (!machine_new_slice(m, remaining < 0 ? -1 : remaining)) {
                return m->status;
            }
        }
        cpu->cur_tb = NULL;
        if (m->run_single) {
            /* After self-modifying code: the writing instruction alone,
             * from a block that is not cached (DESIGN.md). */
            m->run_single = false;
            tb = tb_translate(m, cpu->seg[R_CS].base + cpu->eip, 1, false);
            m->single_insn = tb;
            m->last_exit = 0;
        } else {
            tb = tb_find(m);
        }
        if (!tb) {
            machine_fail(m, "out of memory translating code at eip=0x%08x",
                         cpu->eip);
            return m->status;
        }
        if (m->jit && !m->single_insn) {
            machine_chain(m, tb);
        }
        /* Nothing runs now: invalidated blocks can go. */
        tb_free_retired(m->tbs);
        if (cpu->budget < (int32_t)tb->icount) {
            /* Not enough left for the whole block: end the slice, or the
             * run if its instruction limit is what is left. */
            if (remaining >= 0 && remaining <= (int64_t)tb->icount &&
                cpu->budget > 0) {
                return m->status;
            }
            cpu->budget = 0;
            m->budget_mark = 0;
            continue;
        }
        if (m->log_mask & (LOG_EXEC | LOG_CPU)) {
            machine_log_exec(m, tb);
        }
        if (m->jit) {
            m->last_exit = jit_exec(m->jit, cpu, tb);
        } else {
            cpu->budget -= tb->icount;
            cpu->cur_tb = tb;
            cpu->cur_insn = 0;
            interp_exec(cpu, tb);
        }
        cpu->cur_tb = NULL;
        if (m->single_insn) {
            machine_retire_single(m);
        }
    }
}
