/*
 * Segmentation and system helpers (cpu/seg.c, helper-string.c,
 * helper-io.c, helper-system.c) on a CPU whose GDT, LDT, stack and data
 * live in the guest RAM of a real AddressSpace:
 *   - segment register loads and their faults (SDM Vol. 2, MOV), the
 *     segment limit/type check, LLDT/LTR/LGDT/SGDT;
 *   - far JMP/CALL/RET/IRET, same level and (IRET) to an outer level;
 *   - LAR LSL VERR VERW ARPL ENTER BOUND;
 *   - string instructions with REP, both directions, 16-bit wrap, faults
 *     in mid-loop and the budget;
 *   - IN/OUT/INS/OUTS through a port range, with the IOPL check;
 *   - control/debug registers, CPUID, TSC and MSRs, CMPXCHG8B, and the
 *     helpers that leave the loop (HLT, INT n, exceptions, unsupported).
 */
#include <check.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/flags.h"
#include "cpu/helper.h"
#include "memory/memory.h"

#define GDT_BASE 0x1000
#define LDT_BASE 0x2000
#define TSS_BASE 0x3000

/* Descriptor attribute sets, DESC_* layout. */
#define F_CODE32 (DESC_P | DESC_S | DESC_CODE | DESC_RW | DESC_B | DESC_G)
#define F_DATA32 (DESC_P | DESC_S | DESC_RW | DESC_B | DESC_G)
#define F_DPL3 (3u << DESC_DPL_SHIFT)

/* The GDT: selector -> (base, raw limit, flags). */
static const struct {
    uint32_t sel, base, limit, flags;
} gdt_entries[] = {
    {0x08, 0, 0xfffff, F_CODE32},
    {0x10, 0, 0xfffff, F_DATA32},
    {0x18, 0x40000, 0xfff, DESC_P | DESC_S | DESC_RW | DESC_B},
    {0x20, 0, 0xfffff, DESC_P | DESC_S | DESC_B | DESC_G},  /* read-only */
    {0x28, 0, 0xfffff, DESC_S | DESC_RW | DESC_B | DESC_G}, /* not present */
    {0x30, 0, 0xfffff, DESC_P | DESC_S | DESC_CODE | DESC_B | DESC_G},
    {0x38, 0, 0xfffff, F_CODE32},
    {0x40, 0, 0xfffff, F_DATA32 | F_DPL3},
    {0x48, 0, 0xfff,
     DESC_P | DESC_S | DESC_RW | DESC_CONFORM_EXPDOWN |
         DESC_B}, /* expand-down */
    {0x50, LDT_BASE, 0xf, DESC_P | 2u << DESC_TYPE_SHIFT},
    {0x58, TSS_BASE, 0x67, DESC_P | 9u << DESC_TYPE_SHIFT},
    {0x60, 0, 0xffff, DESC_P | DESC_S | DESC_CODE | DESC_RW}, /* 16-bit */
    {0x68, 0, 0, DESC_P | 12u << DESC_TYPE_SHIFT},            /* call gate */
    {0x70, 0, 0xfffff, F_CODE32 | DESC_CONFORM_EXPDOWN},
    {0x78, 0, 0xfffff, F_CODE32 | F_DPL3},
};
#define GDT_LIMIT 0x7f

static uint64_t make_desc(uint32_t base, uint32_t limit, uint32_t flags)
{
    uint32_t lo = (limit & 0xffff) | base << 16;
    uint32_t hi =
        ((base >> 16) & 0xff) | (base & 0xff000000) | (limit & 0xf0000) | flags;

    return (uint64_t)hi << 32 | lo;
}

static void put32(CPUState *cpu, uint32_t addr, uint32_t v)
{
    as_write_buf(cpu->as, addr, &v, 4);
}

static uint32_t get32(CPUState *cpu, uint32_t addr)
{
    uint32_t v;

    as_read_buf(cpu->as, addr, &v, 4);
    return v;
}

/* Flat 32-bit protected mode at CPL 0, GDT loaded, LDT with one flat data
 * descriptor (selector 0x0c). */
static CPUState *seg_cpu_new(void)
{
    CPUState *cpu = calloc(1, sizeof(*cpu));
    uint64_t d;
    unsigned i;

    cpu->as = as_new(1 << 20);
    cpu->ports = ports_new();
    ck_assert_ptr_nonnull(cpu->as);
    cpu_reset(cpu);
    for (i = 0; i < sizeof(gdt_entries) / sizeof(gdt_entries[0]); i++) {
        d = make_desc(gdt_entries[i].base, gdt_entries[i].limit,
                      gdt_entries[i].flags);
        as_write_buf(cpu->as, GDT_BASE + gdt_entries[i].sel, &d, 8);
    }
    d = make_desc(0, 0xfffff, F_DATA32);
    as_write_buf(cpu->as, LDT_BASE + 8, &d, 8);
    cpu->gdt.base = GDT_BASE;
    cpu->gdt.limit = GDT_LIMIT;
    cpu->cr[0] |= CR0_PE;
    for (i = 0; i < CPU_NB_SEGS; i++) {
        cpu->seg[i].selector = i == R_CS ? 0x08 : 0x10;
        cpu->seg[i].base = 0;
        cpu->seg[i].limit = 0xffffffff;
        cpu->seg[i].flags = (i == R_CS ? F_CODE32 : F_DATA32) | DESC_A;
    }
    cpu->regs[R_ESP] = 0x9000;
    cpu->budget = 1000000; /* the execution loop's slice */
    cpu_update_hflags(cpu);
    return cpu;
}

static void seg_cpu_free(CPUState *cpu)
{
    as_free(cpu->as);
    ports_free(cpu->ports);
    free(cpu);
}

/* Run STMT expecting exception VEC with error code ERR (-1: none). */
#define EXPECT_FAULT(cpu, vec, err, stmt)                                      \
    do {                                                                       \
        (cpu)->exception_index = EXCP_NONE;                                    \
        if (sigsetjmp((cpu)->jmp_env, 0) == 0) {                               \
            stmt;                                                              \
            ck_abort_msg("no exception from %s", #stmt);                       \
        }                                                                      \
        ck_assert_int_eq((cpu)->exception_index, (vec));                       \
        if ((err) >= 0) {                                                      \
            ck_assert((cpu)->has_error_code);                                  \
            ck_assert_uint_eq((cpu)->error_code, (uint32_t)(err));             \
        }                                                                      \
    } while (0)

#define CATCH_UNEXPECTED(cpu)                                                  \
    do {                                                                       \
        if (sigsetjmp((cpu)->jmp_env, 0) != 0) {                               \
            ck_abort_msg("unexpected %s (%d) error %#x",                       \
                         cpu_exception_name((cpu)->exception_index),           \
                         (cpu)->exception_index, (cpu)->error_code);           \
        }                                                                      \
    } while (0)

static void set_cpl3(CPUState *cpu)
{
    cpu->seg[R_CS].selector = 0x7b;
    cpu_update_hflags(cpu);
    ck_assert_uint_eq(cpu->hflags & HF_CPL_MASK, 3);
}

static bool zf(CPUState *cpu)
{
    return cpu_get_eflags(cpu) & CC_Z;
}

START_TEST(test_load_seg)
{
    CPUState *cpu = seg_cpu_new();
    uint8_t pseudo[6] = {0x7f, 0, 0x00, 0x10, 0x00, 0xff}, out[6];

    CATCH_UNEXPECTED(cpu);
    /* LGDT/SGDT, 32- and 16-bit operand size. */
    as_write_buf(cpu->as, 0x500, pseudo, 6);
    helper_lgdt(cpu, 0x500, 4);
    ck_assert_uint_eq(cpu->gdt.base, 0xff001000);
    helper_lgdt(cpu, 0x500, 2);
    ck_assert_uint_eq(cpu->gdt.base, GDT_BASE);
    ck_assert_uint_eq(cpu->gdt.limit, GDT_LIMIT);
    cpu->idt.base = 0x12345678;
    cpu->idt.limit = 0x7ff;
    helper_sidt(cpu, 0x600, 2);
    as_read_buf(cpu->as, 0x600, out, 6);
    ck_assert(out[0] == 0xff && out[1] == 0x07 && out[2] == 0x78 &&
              out[3] == 0x56 && out[4] == 0x34 && out[5] == 0);
    helper_sidt(cpu, 0x600, 4);
    ck_assert_uint_eq(get32(cpu, 0x602), 0x12345678);

    /* A byte-granular segment: base, limit, accessed bit written back. */
    ck_assert_uint_eq(get32(cpu, GDT_BASE + 0x18 + 4) & DESC_A, 0);
    helper_load_seg(cpu, R_DS, 0x18);
    ck_assert_uint_eq(cpu->seg[R_DS].base, 0x40000);
    ck_assert_uint_eq(cpu->seg[R_DS].limit, 0xfff);
    ck_assert_uint_ne(cpu->seg[R_DS].flags & DESC_A, 0);
    ck_assert_uint_ne(get32(cpu, GDT_BASE + 0x18 + 4) & DESC_A, 0);
    ck_assert_uint_eq(cpu->hflags & HF_FLAT, 0);
    helper_load_seg(cpu, R_DS, 0x10);
    ck_assert_uint_eq(cpu->seg[R_DS].limit, 0xffffffff);
    ck_assert_uint_ne(cpu->hflags & HF_FLAT, 0);
    helper_load_seg(cpu, R_DS, 0x38); /* readable code */
    helper_load_seg(cpu, R_FS, 0x43); /* DPL 3 data, RPL 3 */

    /* Null selectors. */
    helper_load_seg(cpu, R_ES, 0x3);
    ck_assert_uint_eq(cpu->seg[R_ES].flags & DESC_P, 0);
    EXPECT_FAULT(cpu, EXCP_GP, 0, helper_check_seg(cpu, R_ES, 0, 1, 0));
    EXPECT_FAULT(cpu, EXCP_GP, 0, helper_load_seg(cpu, R_SS, 0));

    /* Faults, with the selector as error code. */
    EXPECT_FAULT(cpu, EXCP_GP, 0x400, helper_load_seg(cpu, R_DS, 0x402));
    EXPECT_FAULT(cpu, EXCP_NP, 0x28, helper_load_seg(cpu, R_DS, 0x28));
    EXPECT_FAULT(cpu, EXCP_SS, 0x28, helper_load_seg(cpu, R_SS, 0x28));
    EXPECT_FAULT(cpu, EXCP_GP, 0x30, helper_load_seg(cpu, R_DS, 0x30));
    EXPECT_FAULT(cpu, EXCP_GP, 0x20, helper_load_seg(cpu, R_SS, 0x20));
    EXPECT_FAULT(cpu, EXCP_GP, 0x38, helper_load_seg(cpu, R_SS, 0x38));
    EXPECT_FAULT(cpu, EXCP_GP, 0x40, helper_load_seg(cpu, R_SS, 0x40));
    EXPECT_FAULT(cpu, EXCP_GP, 0x08, helper_load_seg(cpu, R_SS, 0x0b));
    EXPECT_FAULT(cpu, EXCP_GP, 0x50, helper_load_seg(cpu, R_DS, 0x50));
    EXPECT_FAULT(cpu, EXCP_UD, -1, helper_load_seg(cpu, R_CS, 0x08));
    /* The reset LDTR (base 0) holds no descriptor at index 1. */
    EXPECT_FAULT(cpu, EXCP_GP, 0x0c, helper_load_seg(cpu, R_DS, 0x0f));

    /* LLDT, then a selector in the LDT; LTR marks the TSS busy. */
    CATCH_UNEXPECTED(cpu);
    helper_lldt(cpu, 0x50);
    ck_assert_uint_eq(cpu->ldt.base, LDT_BASE);
    helper_load_seg(cpu, R_GS, 0x0c);
    ck_assert_uint_eq(cpu->seg[R_GS].limit, 0xffffffff);
    helper_ltr(cpu, 0x58);
    ck_assert_uint_eq(cpu->tr.base, TSS_BASE);
    ck_assert_uint_eq((get32(cpu, GDT_BASE + 0x58 + 4) >> 8) & 0xf, 11);
    EXPECT_FAULT(cpu, EXCP_GP, 0x58, helper_ltr(cpu, 0x58));
    EXPECT_FAULT(cpu, EXCP_GP, 0x10, helper_lldt(cpu, 0x10));
    EXPECT_FAULT(cpu, EXCP_GP, 0, helper_ltr(cpu, 0));
    CATCH_UNEXPECTED(cpu);
    helper_lldt(cpu, 0); /* LDTR null: every LDT selector faults */
    EXPECT_FAULT(cpu, EXCP_GP, 0x0c, helper_load_seg(cpu, R_DS, 0x0c));
    set_cpl3(cpu);
    EXPECT_FAULT(cpu, EXCP_GP, 0, helper_lgdt(cpu, 0x500, 4));
    EXPECT_FAULT(cpu, EXCP_GP, 0x10, helper_load_seg(cpu, R_DS, 0x10));

    /* Real mode: base = selector << 4, the rest stays. */
    cpu->seg[R_CS].selector = 0;
    cpu->cr[0] &= ~CR0_PE;
    cpu_update_hflags(cpu);
    CATCH_UNEXPECTED(cpu);
    helper_load_seg(cpu, R_DS, 0x1234);
    ck_assert_uint_eq(cpu->seg[R_DS].base, 0x12340);
    ck_assert_uint_eq(cpu->seg[R_DS].selector, 0x1234);
    seg_cpu_free(cpu);
}
END_TEST

START_TEST(test_check_seg)
{
    CPUState *cpu = seg_cpu_new();

    CATCH_UNEXPECTED(cpu);
    helper_load_seg(cpu, R_DS, 0x18); /* limit 0xfff */
    helper_check_seg(cpu, R_DS, 0xffc, 4, 1);
    EXPECT_FAULT(cpu, EXCP_GP, 0, helper_check_seg(cpu, R_DS, 0xffd, 4, 0));
    CATCH_UNEXPECTED(cpu);
    helper_load_seg(cpu, R_DS, 0x20); /* read-only */
    helper_check_seg(cpu, R_DS, 0x100, 4, 0);
    EXPECT_FAULT(cpu, EXCP_GP, 0, helper_check_seg(cpu, R_DS, 0x100, 4, 1));
    CATCH_UNEXPECTED(cpu);
    helper_load_seg(cpu, R_DS, 0x38); /* readable code */
    helper_check_seg(cpu, R_DS, 0x100, 4, 0);
    EXPECT_FAULT(cpu, EXCP_GP, 0, helper_check_seg(cpu, R_DS, 0x100, 4, 1));
    CATCH_UNEXPECTED(cpu);
    helper_load_seg(cpu, R_ES, 0x48); /* expand-down, limit 0xfff, B=1 */
    helper_check_seg(cpu, R_ES, 0x1000, 4, 1);
    helper_check_seg(cpu, R_ES, 0xfffffffc, 4, 1);
    EXPECT_FAULT(cpu, EXCP_GP, 0, helper_check_seg(cpu, R_ES, 0xfff, 1, 0));
    EXPECT_FAULT(cpu, EXCP_GP, 0,
                 helper_check_seg(cpu, R_ES, 0xfffffffd, 4, 0));
    CATCH_UNEXPECTED(cpu);
    helper_load_seg(cpu, R_SS, 0x18);
    ck_assert_uint_eq(cpu->hflags & HF_SS32, HF_SS32);
    EXPECT_FAULT(cpu, EXCP_SS, 0, helper_check_seg(cpu, R_SS, 0x1000, 1, 0));
    seg_cpu_free(cpu);
}
END_TEST

START_TEST(test_far_jump_call_ret)
{
    CPUState *cpu = seg_cpu_new();

    CATCH_UNEXPECTED(cpu);
    helper_ljmp(cpu, 0x60, 0x1234);
    ck_assert_uint_eq(cpu->seg[R_CS].selector, 0x60);
    ck_assert_uint_eq(cpu->eip, 0x1234);
    ck_assert_uint_eq(cpu->hflags & HF_CS32, 0);
    helper_ljmp(cpu, 0x73, 0x100); /* conforming: RPL becomes CPL */
    ck_assert_uint_eq(cpu->seg[R_CS].selector, 0x70);
    helper_ljmp(cpu, 0x08, 0x100);
    ck_assert_uint_ne(cpu->hflags & HF_CS32, 0);
    EXPECT_FAULT(cpu, EXCP_GP, 0, helper_ljmp(cpu, 0x60, 0x10000));
    EXPECT_FAULT(cpu, EXCP_GP, 0x10, helper_ljmp(cpu, 0x10, 0));
    EXPECT_FAULT(cpu, EXCP_GP, 0, helper_ljmp(cpu, 0, 0));
    EXPECT_FAULT(cpu, EXCP_GP, 0x78, helper_ljmp(cpu, 0x78, 0));
    EXPECT_FAULT(cpu, EXCP_UNSUPPORTED, -1, helper_ljmp(cpu, 0x68, 0));
    ck_assert_ptr_nonnull(strstr(cpu->exit_reason, "call gate"));
    EXPECT_FAULT(cpu, EXCP_UNSUPPORTED, -1, helper_ljmp(cpu, 0x58, 0));
    ck_assert_ptr_nonnull(strstr(cpu->exit_reason, "task switch"));
    ck_assert_uint_eq(cpu->seg[R_CS].selector, 0x08);

    /* CALL FAR 0x60:0x2000 from 0x08, return address 0x4444, and back
     * with RETF 8. */
    CATCH_UNEXPECTED(cpu);
    helper_lcall(cpu, 0x60, 0x2000, 4, 0x4444);
    ck_assert_uint_eq(cpu->regs[R_ESP], 0x8ff8);
    ck_assert_uint_eq(get32(cpu, 0x8ffc), 0x08);
    ck_assert_uint_eq(get32(cpu, 0x8ff8), 0x4444);
    ck_assert_uint_eq(cpu->seg[R_CS].selector, 0x60);
    ck_assert_uint_eq(cpu->eip, 0x2000);
    helper_lret(cpu, 4, 8);
    ck_assert_uint_eq(cpu->seg[R_CS].selector, 0x08);
    ck_assert_uint_eq(cpu->eip, 0x4444);
    ck_assert_uint_eq(cpu->regs[R_ESP], 0x9008);
    /* 16-bit operand size. */
    helper_lcall(cpu, 0x60, 0x2000, 2, 0x5555);
    ck_assert_uint_eq(cpu->regs[R_ESP], 0x9004);
    ck_assert_uint_eq(get32(cpu, 0x9004), 0x00085555);
    helper_lret(cpu, 2, 0);
    ck_assert_uint_eq(cpu->eip, 0x5555);
    /* RET to a higher privilege level is #GP(selector). */
    put32(cpu, 0x9000, 0x1111);
    put32(cpu, 0x9004, 0x78 | 0); /* RPL 0 < DPL 3: non-conforming */
    cpu->regs[R_ESP] = 0x9000;
    EXPECT_FAULT(cpu, EXCP_GP, 0x78, helper_lret(cpu, 4, 0));
    /* A push past the stack limit is #SS(0) and changes nothing. */
    CATCH_UNEXPECTED(cpu);
    helper_load_seg(cpu, R_SS, 0x18);
    cpu->regs[R_ESP] = 4;
    EXPECT_FAULT(cpu, EXCP_SS, 0, helper_lcall(cpu, 0x60, 0, 4, 0));
    ck_assert_uint_eq(cpu->regs[R_ESP], 4);
    ck_assert_uint_eq(cpu->seg[R_CS].selector, 0x08);
    seg_cpu_free(cpu);
}
END_TEST

START_TEST(test_iret)
{
    CPUState *cpu = seg_cpu_new();

    CATCH_UNEXPECTED(cpu);
    /* Same level: EIP, CS, EFLAGS. */
    put32(cpu, 0x8ff4, 0x5555);
    put32(cpu, 0x8ff8, 0x08);
    put32(cpu, 0x8ffc, EFLAGS_IF | CC_C | EFLAGS_IOPL | 2);
    cpu->regs[R_ESP] = 0x8ff4;
    helper_iret(cpu, 4);
    ck_assert_uint_eq(cpu->eip, 0x5555);
    ck_assert_uint_eq(cpu->regs[R_ESP], 0x9000);
    ck_assert_uint_eq(cpu_get_eflags(cpu), EFLAGS_IF | CC_C | EFLAGS_IOPL | 2);
    /* To CPL 3: also ESP and SS; DS (DPL 0) becomes null; IOPL may
     * change at CPL 0. */
    put32(cpu, 0x8fec, 0x7777);
    put32(cpu, 0x8ff0, 0x7b);
    put32(cpu, 0x8ff4, EFLAGS_IF | 2);
    put32(cpu, 0x8ff8, 0x6000);
    put32(cpu, 0x8ffc, 0x43);
    cpu->regs[R_ESP] = 0x8fec;
    helper_load_seg(cpu, R_FS, 0x43);
    helper_iret(cpu, 4);
    ck_assert_uint_eq(cpu->hflags & HF_CPL_MASK, 3);
    ck_assert_uint_eq(cpu->eip, 0x7777);
    ck_assert_uint_eq(cpu->seg[R_SS].selector, 0x43);
    ck_assert_uint_eq(cpu->regs[R_ESP], 0x6000);
    ck_assert_uint_eq(cpu->seg[R_DS].flags & DESC_P, 0);
    ck_assert_uint_eq(cpu->seg[R_FS].selector, 0x43);
    ck_assert_uint_eq(cpu_get_eflags(cpu), EFLAGS_IF | 2);
    /* At CPL 3 with IOPL 0, IRET can change neither IF nor IOPL. */
    put32(cpu, 0x5ff4, 0x8888);
    put32(cpu, 0x5ff8, 0x7b);
    put32(cpu, 0x5ffc, EFLAGS_IOPL | CC_Z | 2);
    cpu->regs[R_ESP] = 0x5ff4;
    helper_iret(cpu, 4);
    ck_assert_uint_eq(cpu_get_eflags(cpu), EFLAGS_IF | CC_Z | 2);
    /* Nested task: not supported. */
    cpu_set_eflags(cpu, EFLAGS_NT, EFLAGS_NT);
    EXPECT_FAULT(cpu, EXCP_UNSUPPORTED, -1, helper_iret(cpu, 4));
    seg_cpu_free(cpu);
}
END_TEST

START_TEST(test_lar_lsl_verify)
{
    CPUState *cpu = seg_cpu_new();

    CATCH_UNEXPECTED(cpu);
    ck_assert_uint_eq(helper_lar(cpu, 0x08, 0), 0x00cf9a00);
    ck_assert(zf(cpu));
    ck_assert_uint_eq(helper_lar(cpu, 0x402, 0x77), 0x77);
    ck_assert(!zf(cpu));
    ck_assert_uint_eq(helper_lar(cpu, 0x58, 0), 0x00008900);
    ck_assert_uint_eq(helper_lsl(cpu, 0x58, 0), 0x67);
    ck_assert_uint_eq(helper_lar(cpu, 0x68, 0), 0x00008c00); /* call gate */
    ck_assert_uint_eq(helper_lsl(cpu, 0x68, 5), 5);
    ck_assert(!zf(cpu));
    ck_assert_uint_eq(helper_lsl(cpu, 0x08, 0), 0xffffffff);
    ck_assert_uint_eq(helper_lsl(cpu, 0x18, 0), 0xfff);
    helper_verr(cpu, 0x30);
    ck_assert(!zf(cpu));
    helper_verr(cpu, 0x38);
    ck_assert(zf(cpu));
    helper_verw(cpu, 0x20);
    ck_assert(!zf(cpu));
    helper_verw(cpu, 0x10);
    ck_assert(zf(cpu));
    helper_verw(cpu, 0x08);
    ck_assert(!zf(cpu));
    helper_verr(cpu, 0);
    ck_assert(!zf(cpu));
    ck_assert_uint_eq(helper_arpl(cpu, 0x10, 3), 0x13);
    ck_assert(zf(cpu));
    ck_assert_uint_eq(helper_arpl(cpu, 0x13, 1), 0x13);
    ck_assert(!zf(cpu));
    /* From CPL 3, DPL 0 descriptors are invisible, conforming code is
     * not. */
    set_cpl3(cpu);
    helper_lar(cpu, 0x08, 0);
    ck_assert(!zf(cpu));
    helper_lar(cpu, 0x70, 0);
    ck_assert(zf(cpu));
    helper_verw(cpu, 0x43);
    ck_assert(zf(cpu));
    seg_cpu_free(cpu);
}
END_TEST

START_TEST(test_enter_bound)
{
    CPUState *cpu = seg_cpu_new();

    CATCH_UNEXPECTED(cpu);
    cpu->regs[R_EBP] = 0x1234;
    helper_enter(cpu, 16, 0, 4);
    ck_assert_uint_eq(get32(cpu, 0x8ffc), 0x1234);
    ck_assert_uint_eq(cpu->regs[R_EBP], 0x8ffc);
    ck_assert_uint_eq(cpu->regs[R_ESP], 0x8ffc - 16);
    /* Level 3: two frame pointers copied from the old frame. */
    cpu->regs[R_ESP] = 0x9000;
    cpu->regs[R_EBP] = 0x9100;
    put32(cpu, 0x90fc, 0xaaaa);
    put32(cpu, 0x90f8, 0xbbbb);
    helper_enter(cpu, 8, 3 + 32, 4); /* level is taken mod 32 */
    ck_assert_uint_eq(get32(cpu, 0x8ffc), 0x9100);
    ck_assert_uint_eq(get32(cpu, 0x8ff8), 0xaaaa);
    ck_assert_uint_eq(get32(cpu, 0x8ff4), 0xbbbb);
    ck_assert_uint_eq(get32(cpu, 0x8ff0), 0x8ffc);
    ck_assert_uint_eq(cpu->regs[R_EBP], 0x8ffc);
    ck_assert_uint_eq(cpu->regs[R_ESP], 0x8ff0 - 8);
    /* 16-bit operand size: BP only. */
    cpu->regs[R_ESP] = 0x9000;
    cpu->regs[R_EBP] = 0xabcd1234;
    helper_enter(cpu, 4, 1, 2);
    ck_assert_uint_eq(get32(cpu, 0x8ffc) & 0xffff, 0x8ffe);
    ck_assert_uint_eq(get32(cpu, 0x8ffc) >> 16, 0x1234);
    ck_assert_uint_eq(cpu->regs[R_EBP], 0xabcd8ffe);
    ck_assert_uint_eq(cpu->regs[R_ESP], 0x8ffc - 4);
    /* A fault leaves ESP and EBP alone. */
    helper_load_seg(cpu, R_SS, 0x18);
    cpu->regs[R_ESP] = 6;
    cpu->regs[R_EBP] = 0x100;
    EXPECT_FAULT(cpu, EXCP_SS, 0, helper_enter(cpu, 0, 1, 4));
    ck_assert_uint_eq(cpu->regs[R_ESP], 6);
    ck_assert_uint_eq(cpu->regs[R_EBP], 0x100);

    /* BOUND: signed, inclusive. */
    put32(cpu, 0x700, (uint32_t)-5);
    put32(cpu, 0x704, 10);
    CATCH_UNEXPECTED(cpu);
    helper_bound(cpu, 3, 0x700, 4);
    helper_bound(cpu, 10, 0x700, 4);
    helper_bound(cpu, (uint32_t)-5, 0x700, 4);
    EXPECT_FAULT(cpu, EXCP_BR, -1, helper_bound(cpu, 11, 0x700, 4));
    EXPECT_FAULT(cpu, EXCP_BR, -1, helper_bound(cpu, (uint32_t)-6, 0x700, 4));
    put32(cpu, 0x708, 0x0005fff0); /* 16-bit: -16 .. 5 */
    CATCH_UNEXPECTED(cpu);
    helper_bound(cpu, 0xfff0, 0x708, 2);
    EXPECT_FAULT(cpu, EXCP_BR, -1, helper_bound(cpu, 6, 0x708, 2));
    seg_cpu_free(cpu);
}
END_TEST

#define STR_ARG(size, asize, seg, rep)                                         \
    ((size) | (asize) << 4 | (seg) << 8 | (rep) << 12)

START_TEST(test_strings)
{
    CPUState *cpu = seg_cpu_new();
    char buf[32];
    int n;

    CATCH_UNEXPECTED(cpu);
    as_write_buf(cpu->as, 0x10000, "hello world", 11);
    cpu->regs[R_ESI] = 0x10000;
    cpu->regs[R_EDI] = 0x20000;
    cpu->regs[R_ECX] = 11;
    ck_assert_uint_eq(helper_movs(cpu, STR_ARG(1, 4, R_DS, 1)), 0);
    as_read_buf(cpu->as, 0x20000, buf, 11);
    ck_assert(memcmp(buf, "hello world", 11) == 0);
    ck_assert_uint_eq(cpu->regs[R_ECX], 0);
    ck_assert_uint_eq(cpu->regs[R_ESI], 0x1000b);
    ck_assert_uint_eq(cpu->regs[R_EDI], 0x2000b);
    /* ECX = 0: nothing at all. */
    ck_assert_uint_eq(helper_movs(cpu, STR_ARG(1, 4, R_DS, 1)), 0);
    ck_assert_uint_eq(cpu->regs[R_ESI], 0x1000b);
    /* Backwards, dwords, FS override (base 0x10000). */
    cpu->seg[R_FS].base = 0x10000;
    cpu_set_eflags(cpu, EFLAGS_DF, EFLAGS_DF);
    cpu->regs[R_ESI] = 4;
    cpu->regs[R_EDI] = 0x30004;
    cpu->regs[R_ECX] = 2;
    helper_movs(cpu, STR_ARG(4, 4, R_FS, 1));
    as_read_buf(cpu->as, 0x30000, buf, 8);
    ck_assert(memcmp(buf, "hello wo", 8) == 0);
    ck_assert_uint_eq(cpu->regs[R_ESI], (uint32_t)-4);
    cpu_set_eflags(cpu, 0, EFLAGS_DF);
    /* 16-bit addresses wrap in DI; the upper half of EDI stays. */
    cpu->regs[R_EDI] = 0xabcdfffe;
    cpu->regs[R_ECX] = 0x55550003;
    cpu->regs[R_EAX] = 0x7777;
    helper_stos(cpu, STR_ARG(2, 2, R_DS, 1));
    ck_assert_uint_eq(cpu->regs[R_EDI], 0xabcd0004);
    ck_assert_uint_eq(cpu->regs[R_ECX], 0x55550000);
    ck_assert_uint_eq(get32(cpu, 0xfffc) >> 16, 0x7777);
    ck_assert_uint_eq(get32(cpu, 0), 0x77777777);
    /* REPE CMPSB stops at the first difference, flags of the SUB. */
    as_write_buf(cpu->as, 0x11000, "abcXef", 6);
    as_write_buf(cpu->as, 0x12000, "abcYef", 6);
    cpu->regs[R_ESI] = 0x11000;
    cpu->regs[R_EDI] = 0x12000;
    cpu->regs[R_ECX] = 10;
    helper_cmps(cpu, STR_ARG(1, 4, R_DS, 1));
    ck_assert_uint_eq(cpu->regs[R_ECX], 6);
    ck_assert_uint_eq(cpu->regs[R_ESI], 0x11004);
    ck_assert_uint_eq(cpu->cc_op, CC_OP_SUBB);
    ck_assert_uint_eq(cpu_get_eflags(cpu) & (CC_Z | CC_C | CC_S), CC_C | CC_S);
    /* REPNE SCASB finds 'o'; REP LODSB leaves the last byte in AL. */
    cpu->regs[R_EDI] = 0x10000;
    cpu->regs[R_ECX] = 100;
    cpu->regs[R_EAX] = 0x1200 | 'o';
    helper_scas(cpu, STR_ARG(1, 4, R_DS, 2));
    ck_assert_uint_eq(cpu->regs[R_ECX], 95);
    ck_assert(zf(cpu));
    cpu->regs[R_ESI] = 0x10000;
    cpu->regs[R_ECX] = 3;
    helper_lods(cpu, STR_ARG(1, 4, R_DS, 1));
    ck_assert_uint_eq(cpu->regs[R_EAX], 0x1200 | 'l');
    /* A fault in mid-loop: ES limit 0xfff, 4 bytes fit. */
    helper_load_seg(cpu, R_ES, 0x18);
    cpu->regs[R_EDI] = 0xffc;
    cpu->regs[R_ECX] = 10;
    EXPECT_FAULT(cpu, EXCP_GP, 0, helper_stos(cpu, STR_ARG(1, 4, R_DS, 1)));
    ck_assert_uint_eq(cpu->regs[R_ECX], 6);
    ck_assert_uint_eq(cpu->regs[R_EDI], 0x1000);
    /* The budget: return 1 with the registers where they are, restart. */
    CATCH_UNEXPECTED(cpu);
    helper_load_seg(cpu, R_ES, 0x10);
    cpu->regs[R_EDI] = 0x13000;
    cpu->regs[R_ECX] = 10;
    cpu->regs[R_EAX] = 'z';
    cpu->budget = 2;
    ck_assert_uint_eq(helper_stos(cpu, STR_ARG(1, 4, R_DS, 1)), 1);
    ck_assert_uint_eq(cpu->regs[R_ECX], 7);
    for (n = 0; n < 10 && cpu->regs[R_ECX]; n++) {
        cpu->budget = 2;
        helper_stos(cpu, STR_ARG(1, 4, R_DS, 1));
    }
    ck_assert_uint_eq(cpu->regs[R_ECX], 0);
    as_read_buf(cpu->as, 0x13000, buf, 11);
    ck_assert(memcmp(buf, "zzzzzzzzzz\0", 11) == 0);
    seg_cpu_free(cpu);
}
END_TEST

/* A port range for IN/OUT: reads count up, writes are recorded. */
typedef struct TestPort {
    uint32_t next;
    uint32_t written[16];
    int nwritten;
} TestPort;

static uint32_t test_port_read(void *opaque, uint32_t offset, unsigned size)
{
    TestPort *p = opaque;

    return ++p->next;
}

static void test_port_write(void *opaque, uint32_t offset, uint32_t value,
                            unsigned size)
{
    TestPort *p = opaque;

    if (p->nwritten < 16) {
        p->written[p->nwritten++] = value;
    }
}

START_TEST(test_io)
{
    static const MemoryOps ops = {test_port_read, test_port_write};
    CPUState *cpu = seg_cpu_new();
    TestPort port = {0};
    uint8_t buf[4];

    ck_assert_int_eq(ports_register_sized(cpu->ports, "test", 0x300, 4, &ops,
                                          &port, PORT_ACCESS_ALL),
                     0);
    CATCH_UNEXPECTED(cpu);
    ck_assert_uint_eq(helper_in(cpu, 0x300, 1), 1);
    helper_out(cpu, 0x301, 0xab, 1);
    ck_assert_uint_eq(port.written[0], 0xab);
    cpu->regs[R_EDX] = 0x300;
    cpu->regs[R_EDI] = 0x14000;
    cpu->regs[R_ECX] = 4;
    helper_ins(cpu, STR_ARG(1, 4, R_DS, 1));
    as_read_buf(cpu->as, 0x14000, buf, 4);
    ck_assert(buf[0] == 2 && buf[1] == 3 && buf[2] == 4 && buf[3] == 5);
    put32(cpu, 0x15000, 0x00220011);
    cpu->regs[R_ESI] = 0x15000;
    cpu->regs[R_ECX] = 2;
    helper_outs(cpu, STR_ARG(2, 4, R_DS, 1));
    ck_assert_int_eq(port.nwritten, 3);
    ck_assert_uint_eq(port.written[2], 0x22);
    /* INS checks its destination before it reads the port. */
    helper_load_seg(cpu, R_ES, 0x20); /* read-only */
    cpu->regs[R_EDI] = 0;
    EXPECT_FAULT(cpu, EXCP_GP, 0, helper_ins(cpu, STR_ARG(1, 4, R_DS, 0)));
    ck_assert_uint_eq(port.next, 5);
    /* CPL 3 > IOPL 0: #GP(0); with IOPL 3 allowed. */
    set_cpl3(cpu);
    EXPECT_FAULT(cpu, EXCP_GP, 0, helper_in(cpu, 0x300, 1));
    EXPECT_FAULT(cpu, EXCP_GP, 0, helper_outs(cpu, STR_ARG(1, 4, R_DS, 0)));
    cpu_set_eflags(cpu, EFLAGS_IOPL, EFLAGS_IOPL);
    CATCH_UNEXPECTED(cpu);
    ck_assert_uint_eq(helper_in(cpu, 0x300, 1), 6);
    seg_cpu_free(cpu);
}
END_TEST

START_TEST(test_control_registers)
{
    CPUState *cpu = seg_cpu_new();

    CATCH_UNEXPECTED(cpu);
    helper_write_cr(cpu, 0, CR0_PE | CR0_TS | 0x100); /* reserved: ignored */
    ck_assert_uint_eq(helper_read_cr(cpu, 0), CR0_PE | CR0_TS | CR0_ET);
    ck_assert_uint_ne(cpu->hflags & HF_TS, 0);
    helper_clts(cpu);
    ck_assert_uint_eq(cpu->hflags & HF_TS, 0);
    helper_lmsw(cpu, CR0_MP | CR0_TS); /* cannot clear PE */
    ck_assert_uint_eq(cpu->cr[0], CR0_PE | CR0_MP | CR0_TS | CR0_ET);
    helper_write_cr(cpu, 3, 0x123000);
    ck_assert_uint_eq(helper_read_cr(cpu, 3), 0x123000);
    helper_write_cr(cpu, 4, 0x4);
    ck_assert_uint_eq(helper_read_cr(cpu, 4), 0x4);
    EXPECT_FAULT(cpu, EXCP_GP, 0, helper_write_cr(cpu, 4, 0x10));
    EXPECT_FAULT(cpu, EXCP_GP, 0, helper_write_cr(cpu, 0, CR0_PG));
    EXPECT_FAULT(cpu, EXCP_GP, 0, helper_write_cr(cpu, 0, CR0_PE | CR0_NW));
    EXPECT_FAULT(cpu, EXCP_UNSUPPORTED, -1,
                 helper_write_cr(cpu, 0, CR0_PE | CR0_PG));
    ck_assert_ptr_nonnull(strstr(cpu->exit_reason, "paging"));
    EXPECT_FAULT(cpu, EXCP_UNSUPPORTED, -1, helper_write_cr(cpu, 0, 0));
    ck_assert_ptr_nonnull(strstr(cpu->exit_reason, "real mode"));
    EXPECT_FAULT(cpu, EXCP_UD, -1, helper_read_cr(cpu, 1));
    EXPECT_FAULT(cpu, EXCP_UD, -1, helper_write_cr(cpu, 5, 0));
    /* Debug registers: fixed bits, DR4/DR5 alias DR6/DR7. */
    CATCH_UNEXPECTED(cpu);
    helper_write_dr(cpu, 0, 0xdeadbeef);
    ck_assert_uint_eq(helper_read_dr(cpu, 0), 0xdeadbeef);
    helper_write_dr(cpu, 7, 0);
    ck_assert_uint_eq(helper_read_dr(cpu, 5), 0x400);
    helper_write_dr(cpu, 4, 0x1);
    ck_assert_uint_eq(helper_read_dr(cpu, 6), 0xffff0ff1);
    EXPECT_FAULT(cpu, EXCP_UD, -1, helper_read_dr(cpu, 8));
    set_cpl3(cpu);
    EXPECT_FAULT(cpu, EXCP_GP, 0, helper_write_cr(cpu, 0, CR0_PE));
    EXPECT_FAULT(cpu, EXCP_GP, 0, helper_read_dr(cpu, 0));
    EXPECT_FAULT(cpu, EXCP_GP, 0, helper_hlt(cpu, 0));
    EXPECT_FAULT(cpu, EXCP_GP, 0, helper_rdmsr(cpu));
    EXPECT_FAULT(cpu, EXCP_GP, 0, helper_rdtsc(cpu)); /* CR4.TSD */
    seg_cpu_free(cpu);
}
END_TEST

START_TEST(test_cpuid_tsc_msr)
{
    CPUState *cpu = seg_cpu_new();
    char vendor[13];
    uint32_t lo1, lo2;

    CATCH_UNEXPECTED(cpu);
    cpu->regs[R_EAX] = 0;
    helper_cpuid(cpu);
    ck_assert_uint_eq(cpu->regs[R_EAX], 1);
    memcpy(vendor, &cpu->regs[R_EBX], 4);
    memcpy(vendor + 4, &cpu->regs[R_EDX], 4);
    memcpy(vendor + 8, &cpu->regs[R_ECX], 4);
    vendor[12] = 0;
    ck_assert_str_eq(vendor, "GenuineIntel");
    cpu->regs[R_EAX] = 1;
    helper_cpuid(cpu);
    ck_assert_uint_eq(cpu->regs[R_EAX], CPU_SIGNATURE);
    ck_assert_uint_eq(cpu->regs[R_EDX], 0x8130); /* TSC MSR CX8 CMOV */
    ck_assert_uint_eq(cpu->regs[R_ECX], 0);
    cpu->regs[R_EAX] = 0x80000000;
    helper_cpuid(cpu);
    ck_assert_uint_eq(cpu->regs[R_EAX], CPU_SIGNATURE);

    helper_rdtsc(cpu);
    lo1 = cpu->regs[R_EAX];
    helper_rdtsc(cpu);
    lo2 = cpu->regs[R_EAX];
    ck_assert_int_ge((int32_t)(lo2 - lo1), 0);
    ck_assert_uint_lt(lo2 - lo1, 1000000000);
    cpu->regs[R_ECX] = 0x10;
    cpu->regs[R_EDX] = 5;
    cpu->regs[R_EAX] = 0x1000;
    helper_wrmsr(cpu); /* P6: EDX ignored, high half cleared */
    helper_rdmsr(cpu);
    ck_assert_uint_eq(cpu->regs[R_EDX], 0);
    ck_assert_uint_ge(cpu->regs[R_EAX], 0x1000);
    ck_assert_uint_lt(cpu->regs[R_EAX], 0x1000 + 100000000);
    cpu->regs[R_ECX] = 0x8b;
    helper_rdmsr(cpu);
    ck_assert_uint_eq(cpu->regs[R_EDX], 0);
    cpu->regs[R_ECX] = 0x1b;
    EXPECT_FAULT(cpu, EXCP_GP, 0, helper_rdmsr(cpu));
    EXPECT_FAULT(cpu, EXCP_GP, 0, helper_wrmsr(cpu));
    seg_cpu_free(cpu);
}
END_TEST

START_TEST(test_cmpxchg8b_and_exits)
{
    CPUState *cpu = seg_cpu_new();

    CATCH_UNEXPECTED(cpu);
    put32(cpu, 0x800, 0x11111111);
    put32(cpu, 0x804, 0x22222222);
    cpu->regs[R_EAX] = 0x11111111;
    cpu->regs[R_EDX] = 0x22222222;
    cpu->regs[R_EBX] = 0x33333333;
    cpu->regs[R_ECX] = 0x44444444;
    cpu_set_eflags(cpu, CC_C, CC_ALL);
    helper_cmpxchg8b(cpu, 0x800);
    ck_assert_uint_eq(get32(cpu, 0x800), 0x33333333);
    ck_assert_uint_eq(get32(cpu, 0x804), 0x44444444);
    ck_assert_uint_eq(cpu_get_eflags(cpu) & CC_ALL, CC_Z | CC_C);
    helper_cmpxchg8b(cpu, 0x800);
    ck_assert_uint_eq(cpu->regs[R_EAX], 0x33333333);
    ck_assert_uint_eq(cpu->regs[R_EDX], 0x44444444);
    ck_assert_uint_eq(cpu_get_eflags(cpu) & CC_ALL, CC_C);

    EXPECT_FAULT(cpu, EXCP_HLT, -1, helper_hlt(cpu, 0x1234));
    ck_assert_uint_eq(cpu->eip, 0x1234);
    EXPECT_FAULT(cpu, EXCP_SOFTINT, -1, helper_softint(cpu, 0x180, 0x99));
    ck_assert_uint_eq(cpu->soft_vector, 0x80);
    ck_assert_uint_eq(cpu->next_eip, 0x99);
    EXPECT_FAULT(cpu, EXCP_GP, 0x18, helper_raise_err(cpu, EXCP_GP, 0x18));
    EXPECT_FAULT(cpu, EXCP_UD, -1, helper_raise(cpu, EXCP_UD));
    ck_assert(!cpu->has_error_code);
    EXPECT_FAULT(cpu, EXCP_UNSUPPORTED, -1,
                 helper_unsupported(cpu, UNSUP_VM86));
    ck_assert_str_eq(cpu->exit_reason, "virtual-8086 mode");
    EXPECT_FAULT(cpu, EXCP_UNSUPPORTED, -1, helper_unsupported(cpu, 99));
    EXPECT_FAULT(cpu, EXCP_INTERRUPT, -1, cpu_loop_exit(cpu));
    seg_cpu_free(cpu);
}
END_TEST

static Suite *seg_suite(void)
{
    Suite *s = suite_create("seg");
    TCase *tc = tcase_create("seg");

    tcase_add_test(tc, test_load_seg);
    tcase_add_test(tc, test_check_seg);
    tcase_add_test(tc, test_far_jump_call_ret);
    tcase_add_test(tc, test_iret);
    tcase_add_test(tc, test_lar_lsl_verify);
    tcase_add_test(tc, test_enter_bound);
    tcase_add_test(tc, test_strings);
    tcase_add_test(tc, test_io);
    tcase_add_test(tc, test_control_registers);
    tcase_add_test(tc, test_cpuid_tsc_msr);
    tcase_add_test(tc, test_cmpxchg8b_and_exits);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(seg_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
