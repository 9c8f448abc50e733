/*
 * The JIT's runtime: the entry trampoline, compiling into the code
 * buffer, chaining and unchaining blocks, and the jump cache.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "translate/disas.h"
#include "translate/jit.h"
#include "translate/x64/emit.h"
#include "translate/x64/lower.h"
#include "translate/x64/regalloc.h"

/*
 * enter(env, code): save the callee-saved registers, keep RSP 16-byte
 * aligned for the helper calls blocks make, put env in RBP and jump to
 * the block.  Blocks return through the epilogue with RAX set.
 */
static bool jit_emit_trampoline(Jit *j)
{
    static const X64Reg saved[] = {X64_RBP, X64_RBX, X64_R12,
                                   X64_R13, X64_R14, X64_R15};
    X64Emit e;

    x64_emit_init(&e, codebuf_top(&j->cb),
                  codebuf_rx(&j->cb, codebuf_top(&j->cb)),
                  codebuf_avail(&j->cb));
    j->enter = x64_here(&e);
    for (size_t i = 0; i < sizeof(saved) / sizeof(saved[0]); i++) {
        x64_push_r(&e, saved[i]);
    }
    /* 8 (return address) + 6 * 8 pushed: one more slot aligns to 16. */
    x64_alu_ri(&e, X64_SUB, 8, X64_RSP, 8);
    x64_mov_rr(&e, 8, RA_ENV, X64_RDI);
    x64_jmp_r(&e, X64_RSI);

    j->epilogue = x64_here(&e);
    x64_alu_ri(&e, X64_ADD, 8, X64_RSP, 8);
    for (size_t i = sizeof(saved) / sizeof(saved[0]); i-- > 0;) {
        x64_pop_r(&e, saved[i]);
    }
    x64_ret(&e);
    if (e.overflow) {
        return false;
    }
    codebuf_commit(&j->cb, e.pos);
    j->cb.fixed = j->cb.used;
    return true;
}

Jit *jit_new(size_t size, char *err, size_t errlen)
{
    Jit *j = calloc(1, sizeof(*j));

    if (!j) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (codebuf_init(&j->cb, size) != 0) {
        snprintf(err, errlen, "cannot map the JIT code buffer: %s",
                 strerror(errno));
        free(j);
        return NULL;
    }
    j->scratch = malloc(x64_lower_scratch_size());
    if (!j->scratch) {
        snprintf(err, errlen, "out of memory");
        jit_free(j);
        return NULL;
    }
    /* GCC's cpuid query (tests turn it off to try the other code). */
    j->bmi2 = __builtin_cpu_supports("bmi2");
    if (!jit_emit_trampoline(j)) {
        snprintf(err, errlen, "JIT code buffer too small");
        jit_free(j);
        return NULL;
    }
    return j;
}

void jit_free(Jit *j)
{
    if (j) {
        codebuf_free(&j->cb);
        free(j->scratch);
        free(j);
    }
}

bool jit_compile(Jit *j, const IRBlock *b, TranslationBlock *tb, FILE *log)
{
    X64Emit e;
    X64LowerEnv env = {.epilogue = j->epilogue, .bmi2 = j->bmi2};
    uint8_t *top = codebuf_top(&j->cb);

    /* Block code starts on a 16-byte boundary (branch targets). */
    size_t pad = (16 - ((uintptr_t)top & 15)) & 15;
    if (codebuf_avail(&j->cb) <= pad) {
        return false;
    }
    codebuf_commit(&j->cb, pad);
    top = codebuf_top(&j->cb);
    x64_emit_init(&e, top, codebuf_rx(&j->cb, top), codebuf_avail(&j->cb));
    if (!x64_lower_block(&e, b, tb, &env, j->scratch)) {
        return false;
    }
    codebuf_commit(&j->cb, e.pos);
    tb->host_bytes += e.pos;
    if (log) {
        disas_log_host(top, e.pos, codebuf_rx(&j->cb, top), log);
    }
    return true;
}

static void jit_set_jump(TranslationBlock *tb, unsigned slot, uintptr_t to)
{
    x64_patch_rel32(tb->jmp_rel32_rw[slot], tb->jmp_rel32_rx[slot], to);
}

void jit_chain(Jit *j, TranslationBlock *from, unsigned slot,
               TranslationBlock *to)
{
    if (slot > 1 || !from->jmp_rel32_rw[slot] || from->jmp_dest[slot] ||
        from->invalid || to->invalid || !to->jit_code) {
        return;
    }
    from->jmp_dest[slot] = to;
    from->jmp_next[slot] = to->jmp_incoming;
    to->jmp_incoming = (uintptr_t)from | slot;
    jit_set_jump(from, slot, to->jit_code);
}

void jit_unlink(Jit *j, TranslationBlock *tb)
{
    /* Jumps into TB go back to their stubs. */
    for (uintptr_t p = tb->jmp_incoming; p;) {
        TranslationBlock *src = (TranslationBlock *)(p & ~(uintptr_t)3);
        unsigned slot = p & 3;
        p = src->jmp_next[slot];
        jit_set_jump(src, slot, src->jmp_stub[slot]);
        src->jmp_dest[slot] = NULL;
        src->jmp_next[slot] = 0;
    }
    tb->jmp_incoming = 0;
    /* TB leaves the lists of the blocks it jumps to. */
    for (unsigned slot = 0; slot < 2; slot++) {
        TranslationBlock *dst = tb->jmp_dest[slot];
        uintptr_t me = (uintptr_t)tb | slot, *pp;
        if (!dst) {
            continue;
        }
        for (pp = &dst->jmp_incoming; *pp;) {
            uintptr_t cur = *pp;
            TranslationBlock *src = (TranslationBlock *)(cur & ~(uintptr_t)3);
            if (cur == me) {
                *pp = src->jmp_next[cur & 3];
                break;
            }
            pp = &src->jmp_next[cur & 3];
        }
        tb->jmp_dest[slot] = NULL;
        jit_set_jump(tb, slot, tb->jmp_stub[slot]);
    }
}

void jit_reset(Jit *j)
{
    codebuf_reset(&j->cb);
}

void jit_cache_insert(CPUState *cpu, const TranslationBlock *tb)
{
    JmpCacheEntry *e = &cpu->jmp_cache[jmp_cache_index(tb->pc)];
    e->pc = tb->pc;
    e->flags = tb->flags;
    e->cs_base = tb->cs_base;
    e->code = tb->jit_code;
    e->tb = tb;
}

void jit_cache_remove(CPUState *cpu, const TranslationBlock *tb)
{
    JmpCacheEntry *e = &cpu->jmp_cache[jmp_cache_index(tb->pc)];
    if (e->tb == tb) {
        e->flags = UINT32_MAX; /* matches no block */
        e->code = 0;
        e->tb = NULL;
    }
}

void jit_cache_clear(CPUState *cpu)
{
    for (unsigned i = 0; i < JMP_CACHE_SIZE; i++) {
        cpu->jmp_cache[i].flags = UINT32_MAX;
        cpu->jmp_cache[i].code = 0;
        cpu->jmp_cache[i].tb = NULL;
    }
}
