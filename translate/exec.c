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

/* Start a new slice of at most LEFT instructions (-1: no limit); false
 * when the run should return. */
static bool machine_new_slice(Machine *m, int64_t left)
{
    for (int i = 0; i < m->npolls; i++) {
        m->poll_fn[i](m->poll_opaque[i]);
    }
    if (m->status != MACHINE_RUNNING) {
        return false;
    }
    m->cpu.budget = left >= 0 && left < SLICE_INSNS ? (int32_t)left
                                                     : SLICE_INSNS;
    m->budget_mark = m->cpu.budget;
    return true;
}

/* Count the instructions charged to the budget since the last look. */
static void machine_account(Machine *m)
{
    CPUState *cpu = &m->cpu;

    cpu->icount += (int64_t)m->budget_mark - cpu->budget;
    m->budget_mark = cpu->budget;
}

/* Run the work other threads queued. */
static void machine_run_work(Machine *m)
{
    MachineWork *w;

    pthread_mutex_lock(&m->work_lock);
    w = m->work_head;
    m->work_head = NULL;
    m->work_tail = &m->work_head;
    pthread_mutex_unlock(&m->work_lock);
    while (w) {
        /* FN may free or requeue its item. */
        MachineWork *next = w->next;
        w->fn(m, w->opaque);
        w = next;
    }
}

/* Take the requests posted since the last look; false when machine_run
 * must return (CPU_REQ_LEAVE).  CPU_REQ_EXIT needs nothing more: the loop
 * looks at the Machine's status after this. */
static bool machine_take_requests(Machine *m)
{
    uint32_t req = cpu_request_take(&m->cpu);

    __atomic_store_n(&m->nrequests, m->nrequests + 1, __ATOMIC_RELEASE);
    if (req & CPU_REQ_WORK) {
        machine_run_work(m);
    }
    return !(req & CPU_REQ_LEAVE);
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

/*
 * The budget is a hard limit (DESIGN.md, "Budget"): a block runs only if
 * the budget covers all its instructions, bulk string instructions stop
 * when it is spent, so it never goes negative, and a run never retires
 * more than MAX_INSNS instructions, save one block when the run's first
 * block alone is larger than the limit (so that every run makes progress).
 */
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
        int64_t left; /* instructions left in this run; -1: no limit */

        if (cpu->budget < 0) {
            machine_fail(m, "internal error: instruction budget overrun (%d)",
                         cpu->budget);
            return m->status;
        }
        machine_account(m);
        if (cpu_request_pending(cpu) && !machine_take_requests(m)) {
            return m->status;
        }
        if (m->status != MACHINE_RUNNING) {
            return m->status;
        }
        left = max_insns < 0 ? -1 : max_insns - (int64_t)(cpu->icount - start);
        if (max_insns >= 0 && left <= 0) {
            return m->status;
        }
        if (cpu->budget == 0 && !machine_new_slice(m, left)) {
            return m->status;
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
            if (left < 0 || left > cpu->budget) {
                /* The slice is spent, not the run: a new slice. */
                cpu->budget = 0;
                m->budget_mark = 0;
            } else if (cpu->icount == start) {
                /* The run's limit is smaller than its first block. */
                cpu->budget = m->budget_mark = (int32_t)tb->icount;
            } else {
                if (m->single_insn) {
                    machine_retire_single(m);
                }
                return m->status;
            }
            if (cpu->budget == 0) {
                if (m->single_insn) {
                    /* Translated again after the new slice. */
                    machine_retire_single(m);
                    m->run_single = true;
                }
                continue;
            }
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
