/*
 * Unit tests for memory/softmmu.c: TLB fill and tags (the fast-path
 * contract of memory/tlb.h), page-crossing accesses, MMIO and ROM through
 * the TLB, translated-code pages (TLB_NOTDIRTY), A20 and flushes.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "memory/memory.h"
#include "memory/softmmu.h"

#define MiB (1024 * 1024)

typedef struct Env {
    CPUState *cpu;
    AddressSpace *as;
} Env;

static Env env_new(void)
{
    Env e;

    e.cpu = calloc(1, sizeof(CPUState));
    e.as = as_new(4 * MiB);
    ck_assert_ptr_nonnull(e.cpu);
    ck_assert_ptr_nonnull(e.as);
    e.cpu->as = e.as;
    e.cpu->a20_mask = 0xffffffff;
    tlb_flush(e.cpu);
    return e;
}

static void env_free(Env e)
{
    as_free(e.as);
    free(e.cpu);
}

static TLBEntry *entry(CPUState *cpu, int mmu_idx, uint32_t vaddr)
{
    return &cpu->tlb
                .table[mmu_idx][(vaddr >> GUEST_PAGE_BITS) & (TLB_SIZE - 1)];
}

/* The fast path exactly as tlb.h writes it down; NULL on a miss. */
static uint8_t *fast_path(CPUState *cpu, int mmu_idx, uint32_t vaddr,
                          unsigned size, int kind)
{
    TLBEntry *e = entry(cpu, mmu_idx, vaddr);
    uint32_t tag = kind == MMU_DATA_LOAD    ? e->addr_read
                   : kind == MMU_DATA_STORE ? e->addr_write
                                            : e->addr_code;

    if (((vaddr + size - 1) & GUEST_PAGE_MASK) == tag) {
        return (uint8_t *)(uintptr_t)(vaddr + e->addend);
    }
    return NULL;
}

typedef struct Mmio {
    unsigned nreads, nwrites;
    uint32_t offset[8], value[8];
    unsigned size[8];
} Mmio;

static uint32_t mmio_read(void *opaque, uint32_t offset, unsigned size)
{
    Mmio *m = opaque;

    m->offset[m->nreads & 7] = offset;
    m->size[m->nreads & 7] = size;
    m->nreads++;
    return 0x5a5a5a5a;
}

static void mmio_write(void *opaque, uint32_t offset, uint32_t value,
                       unsigned size)
{
    Mmio *m = opaque;

    m->offset[m->nwrites & 7] = offset;
    m->value[m->nwrites & 7] = value;
    m->size[m->nwrites & 7] = size;
    m->nwrites++;
}

static const MemoryOps mmio_ops = {mmio_read, mmio_write};

START_TEST(test_flush_invalidates)
{
    Env e = env_new();

    for (int m = 0; m < TLB_NB_MMU; m++) {
        for (unsigned i = 0; i < TLB_SIZE; i++) {
            TLBEntry *t = &e.cpu->tlb.table[m][i];
            ck_assert(t->addr_read & TLB_INVALID);
            ck_assert(t->addr_write & TLB_INVALID);
            ck_assert(t->addr_code & TLB_INVALID);
        }
    }
    ck_assert_ptr_null(fast_path(e.cpu, 0, 0, 1, MMU_DATA_LOAD));
    ck_assert_ptr_null(fast_path(e.cpu, 0, 0xfffff000, 4, MMU_DATA_LOAD));
    env_free(e);
}
END_TEST

START_TEST(test_ram_fill_and_fast_path)
{
    Env e = env_new();
    TLBEntry *t;
    uint8_t *host;

    as_write(e.as, 0x12344, 0xdeadbeef, 4);
    ck_assert_uint_eq(mmu_load(e.cpu, 0x12344, 4, MMU_IDX_SUPER), 0xdeadbeef);
    t = entry(e.cpu, MMU_IDX_SUPER, 0x12344);
    ck_assert_uint_eq(t->addr_read, 0x12000);
    ck_assert_uint_eq(t->addr_write, 0x12000);
    ck_assert_uint_eq(t->addr_code, 0x12000);
    host = fast_path(e.cpu, MMU_IDX_SUPER, 0x12344, 4, MMU_DATA_LOAD);
    ck_assert_ptr_eq(host, as_ram_base(e.as) + 0x12344);
    ck_assert_ptr_eq(
        fast_path(e.cpu, MMU_IDX_SUPER, 0x12ffc, 4, MMU_DATA_STORE),
        as_ram_base(e.as) + 0x12ffc);
    /* Crossing into the next page misses. */
    ck_assert_ptr_null(
        fast_path(e.cpu, MMU_IDX_SUPER, 0x12ffe, 4, MMU_DATA_LOAD));
    /* The other privilege class has its own TLB. */
    ck_assert(entry(e.cpu, MMU_IDX_USER, 0x12344)->addr_read & TLB_INVALID);
    mmu_store(e.cpu, 0x12346, 0x7788, 2, MMU_IDX_USER);
    ck_assert_uint_eq(entry(e.cpu, MMU_IDX_USER, 0x12344)->addr_write, 0x12000);
    ck_assert_uint_eq(as_read(e.as, 0x12344, 4), 0x7788beef);
    ck_assert_uint_eq(mmu_load(e.cpu, 0x12345, 1, MMU_IDX_USER), 0xbe);
    env_free(e);
}
END_TEST

START_TEST(test_page_crossing)
{
    Env e = env_new();

    mmu_store(e.cpu, 0x1ffe, 0x44332211, 4, MMU_IDX_SUPER);
    ck_assert_uint_eq(as_read(e.as, 0x1ffe, 4), 0x44332211);
    ck_assert_uint_eq(mmu_load(e.cpu, 0x1ffe, 4, MMU_IDX_SUPER), 0x44332211);
    ck_assert_uint_eq(mmu_load(e.cpu, 0x1fff, 2, MMU_IDX_SUPER), 0x3322);
    ck_assert_uint_eq(mmu_load_slow(e.cpu, 0x1ffd, 4, MMU_IDX_SUPER),
                      0x33221100);
    /* Both pages are in the TLB now. */
    ck_assert_uint_eq(entry(e.cpu, 0, 0x1000)->addr_read, 0x1000);
    ck_assert_uint_eq(entry(e.cpu, 0, 0x2000)->addr_read, 0x2000);
    ck_assert_uint_eq(entry(e.cpu, 0, 0x2000)->addr_write, 0x2000);
    /* RAM page followed by unassigned space (RAM ends at 4 MiB). */
    mmu_store(e.cpu, 4 * MiB - 2, 0xaabbccdd, 4, MMU_IDX_SUPER);
    ck_assert_uint_eq(mmu_load(e.cpu, 4 * MiB - 2, 4, MMU_IDX_SUPER),
                      0xffffccdd);
    /* Linear addresses wrap at 4 GiB. */
    as_write(e.as, 0, 0x99, 1);
    ck_assert_uint_eq(mmu_load(e.cpu, 0xffffffff, 2, MMU_IDX_SUPER), 0x99ff);
    env_free(e);
}
END_TEST

START_TEST(test_mmio_through_tlb)
{
    Env e = env_new();
    Mmio m = {0};
    TLBEntry *t;

    ck_assert_int_eq(
        as_add_mmio(e.as, "dev", 0xfec00000, 0x1000, &mmio_ops, &m), 0);
    ck_assert_uint_eq(mmu_load(e.cpu, 0xfec00010, 4, MMU_IDX_SUPER),
                      0x5a5a5a5a);
    ck_assert_uint_eq(m.nreads, 1);
    ck_assert_uint_eq(m.offset[0], 0x10);
    ck_assert_uint_eq(m.size[0], 4);
    t = entry(e.cpu, MMU_IDX_SUPER, 0xfec00000);
    ck_assert_uint_eq(t->addr_read, 0xfec00000 | TLB_MMIO);
    ck_assert_uint_eq(t->addr_write, 0xfec00000 | TLB_MMIO);
    ck_assert_uint_eq(t->addr_code, 0xfec00000 | TLB_MMIO);
    ck_assert_ptr_null(fast_path(e.cpu, 0, 0xfec00010, 4, MMU_DATA_LOAD));
    /* Every access goes to the device, even with the entry filled. */
    mmu_store(e.cpu, 0xfec00020, 0x12345678, 4, MMU_IDX_SUPER);
    mmu_store(e.cpu, 0xfec00024, 0xab, 1, MMU_IDX_SUPER);
    ck_assert_uint_eq(m.nwrites, 2);
    ck_assert_uint_eq(m.value[0], 0x12345678);
    ck_assert_uint_eq(m.offset[1], 0x24);
    ck_assert_uint_eq(m.size[1], 1);
    ck_assert_uint_eq(mmu_load(e.cpu, 0xfec00000, 2, MMU_IDX_SUPER), 0x5a5a);
    ck_assert_uint_eq(m.nreads, 2);
    ck_assert_uint_eq(mmu_fetch_byte(e.cpu, 0xfec00003), 0x5a);
    /* Unassigned space and a hole: all ones, writes dropped. */
    ck_assert_uint_eq(mmu_load(e.cpu, 0x80000000, 4, MMU_IDX_SUPER),
                      0xffffffff);
    ck_assert_int_eq(as_add_hole(e.as, "hole", 0xa0000, 0x60000), 0);
    tlb_flush(e.cpu);
    mmu_store(e.cpu, 0xa0000, 0, 4, MMU_IDX_SUPER);
    ck_assert_uint_eq(mmu_load(e.cpu, 0xa0000, 4, MMU_IDX_SUPER), 0xffffffff);
    ck_assert(entry(e.cpu, 0, 0xa0000)->addr_read & TLB_MMIO);
    env_free(e);
}
END_TEST

START_TEST(test_crossing_into_mmio)
{
    Env e = env_new();
    Mmio m = {0};

    ck_assert_int_eq(as_add_mmio(e.as, "dev", 0x10000, 0x1000, &mmio_ops, &m),
                     0);
    mmu_store(e.cpu, 0xfffe, 0x44332211, 4, MMU_IDX_SUPER);
    ck_assert_uint_eq(as_read(e.as, 0xfffe, 2), 0x2211);
    ck_assert_uint_eq(m.nwrites, 2);
    ck_assert_uint_eq(m.offset[0], 0);
    ck_assert_uint_eq(m.value[0], 0x33);
    ck_assert_uint_eq(m.offset[1], 1);
    ck_assert_uint_eq(m.value[1], 0x44);
    ck_assert_uint_eq(mmu_load(e.cpu, 0xffff, 2, MMU_IDX_SUPER), 0x5a22);
    env_free(e);
}
END_TEST

START_TEST(test_rom_through_tlb)
{
    Env e = env_new();
    uint8_t rom[0x2000];
    TLBEntry *t;

    for (unsigned i = 0; i < sizeof(rom); i++) {
        rom[i] = (uint8_t)(i ^ 0x3c);
    }
    ck_assert_int_eq(as_add_rom(e.as, "bios", 0xf0000, rom, sizeof(rom)), 0);
    ck_assert_uint_eq(mmu_load(e.cpu, 0xf1001, 1, MMU_IDX_SUPER),
                      (uint8_t)(0x1001 ^ 0x3c));
    t = entry(e.cpu, MMU_IDX_SUPER, 0xf1000);
    /* Reads and fetches on the fast path, writes never. */
    ck_assert_uint_eq(t->addr_read, 0xf1000);
    ck_assert_uint_eq(t->addr_code, 0xf1000);
    ck_assert(t->addr_write & TLB_MMIO);
    ck_assert_ptr_nonnull(fast_path(e.cpu, 0, 0xf1001, 1, MMU_DATA_LOAD));
    ck_assert_uint_eq(*fast_path(e.cpu, 0, 0xf1001, 1, MMU_DATA_LOAD),
                      (uint8_t)(0x1001 ^ 0x3c));
    ck_assert_ptr_null(fast_path(e.cpu, 0, 0xf1001, 1, MMU_DATA_STORE));
    mmu_store(e.cpu, 0xf1001, 0, 1, MMU_IDX_SUPER);
    ck_assert_uint_eq(mmu_load(e.cpu, 0xf1001, 1, MMU_IDX_SUPER),
                      (uint8_t)(0x1001 ^ 0x3c));
    ck_assert_uint_eq(mmu_fetch_byte(e.cpu, 0xf0005), 5 ^ 0x3c);
    ck_assert_uint_eq(mmu_code_paddr(e.cpu, 0xf0005), 0xf0005);
    env_free(e);
}
END_TEST

typedef struct Smc {
    AddressSpace *as;
    unsigned calls;
    uint32_t paddr, len;
    bool drop; /* drop the page's blocks (clear the mark) */
} Smc;

static void smc_hook(void *opaque, uint32_t paddr, uint32_t len)
{
    Smc *s = opaque;

    s->calls++;
    s->paddr = paddr;
    s->len = len;
    if (s->drop) {
        as_clear_code_page(s->as, paddr);
    }
}

START_TEST(test_notdirty)
{
    Env e = env_new();
    Smc smc = {.as = e.as, .drop = false};
    TLBEntry *t;

    as_set_code_hook(e.as, smc_hook, &smc);
    as_mark_code_page(e.as, 0x5000);
    /* Filled after marking: NOTDIRTY from the start; reads stay fast. */
    ck_assert_uint_eq(mmu_load(e.cpu, 0x5000, 4, MMU_IDX_SUPER), 0);
    t = entry(e.cpu, MMU_IDX_SUPER, 0x5000);
    ck_assert_uint_eq(t->addr_read, 0x5000);
    ck_assert_uint_eq(t->addr_code, 0x5000);
    ck_assert_uint_eq(t->addr_write, 0x5000 | TLB_NOTDIRTY);
    ck_assert_ptr_null(fast_path(e.cpu, 0, 0x5010, 4, MMU_DATA_STORE));
    mmu_store(e.cpu, 0x5010, 0xfeedface, 4, MMU_IDX_SUPER);
    ck_assert_uint_eq(smc.calls, 1);
    ck_assert_uint_eq(smc.paddr, 0x5010);
    ck_assert_uint_eq(smc.len, 4);
    ck_assert_uint_eq(as_read(e.as, 0x5010, 4), 0xfeedface);
    /* Still code: still slow. */
    ck_assert_uint_eq(t->addr_write, 0x5000 | TLB_NOTDIRTY);
    /* Once the translator drops the page, writes become fast again. */
    smc.drop = true;
    mmu_store(e.cpu, 0x5014, 1, 1, MMU_IDX_SUPER);
    ck_assert_uint_eq(smc.calls, 2);
    ck_assert_uint_eq(t->addr_write, 0x5000);
    mmu_store(e.cpu, 0x5014, 2, 1, MMU_IDX_SUPER);
    ck_assert_uint_eq(smc.calls, 2);
    ck_assert_uint_eq(as_read(e.as, 0x5014, 1), 2);
    env_free(e);
}
END_TEST

START_TEST(test_protect_code_page)
{
    Env e = env_new();
    Smc smc = {.as = e.as};

    as_set_code_hook(e.as, smc_hook, &smc);
    /* A20 off: linear 0x106000 and 0x6000 are the same physical page
     * (they also share a TLB slot, so put one in each privilege class). */
    e.cpu->a20_mask = 0xffefffff;
    mmu_store(e.cpu, 0x106000, 2, 4, MMU_IDX_SUPER);
    mmu_store(e.cpu, 0x6000, 3, 4, MMU_IDX_USER);
    mmu_store(e.cpu, 0x7000, 3, 4, MMU_IDX_SUPER);
    ck_assert_uint_eq(as_read(e.as, 0x6000, 4), 3);
    ck_assert_uint_eq(mmu_load(e.cpu, 0x106000, 4, MMU_IDX_SUPER), 3);
    ck_assert_uint_eq(entry(e.cpu, 0, 0x106000)->addr_write, 0x106000);

    as_mark_code_page(e.as, 0x6000);
    tlb_protect_code_page(e.cpu, 0x6abc);
    ck_assert_uint_eq(entry(e.cpu, 0, 0x106000)->addr_write,
                      0x106000 | TLB_NOTDIRTY);
    ck_assert_uint_eq(entry(e.cpu, 1, 0x6000)->addr_write,
                      0x6000 | TLB_NOTDIRTY);
    ck_assert_uint_eq(entry(e.cpu, 0, 0x7000)->addr_write, 0x7000);
    ck_assert_uint_eq(entry(e.cpu, 0, 0x106000)->addr_read, 0x106000);
    mmu_store(e.cpu, 0x106004, 9, 1, MMU_IDX_SUPER);
    ck_assert_uint_eq(smc.calls, 1);
    ck_assert_uint_eq(smc.paddr, 0x6004);
    env_free(e);
}
END_TEST

START_TEST(test_a20)
{
    Env e = env_new();

    as_write(e.as, 0x000010, 0x11, 1);
    as_write(e.as, 0x100010, 0x22, 1);
    ck_assert_uint_eq(mmu_load(e.cpu, 0x100010, 1, 0), 0x22);
    e.cpu->a20_mask = 0xffefffff;
    tlb_flush(e.cpu);
    ck_assert_uint_eq(mmu_load(e.cpu, 0x100010, 1, 0), 0x11);
    ck_assert_uint_eq(mmu_code_paddr(e.cpu, 0x100010), 0x10);
    ck_assert_uint_eq(mmu_load(e.cpu, 0x300010, 1, 0), 0);
    env_free(e);
}
END_TEST

START_TEST(test_fetch)
{
    Env e = env_new();

    as_write(e.as, 0x7c00, 0x90c3, 2);
    ck_assert_uint_eq(mmu_fetch_byte(e.cpu, 0x7c00), 0xc3);
    ck_assert_uint_eq(mmu_fetch_byte(e.cpu, 0x7c01), 0x90);
    ck_assert_uint_eq(mmu_code_paddr(e.cpu, 0x7c01), 0x7c01);
    ck_assert_uint_eq(entry(e.cpu, cpu_mmu_index(e.cpu), 0x7c00)->addr_code,
                      0x7000);
    /* User mode fetches use the user TLB. */
    e.cpu->hflags |= 3;
    ck_assert_int_eq(cpu_mmu_index(e.cpu), MMU_IDX_USER);
    ck_assert_uint_eq(mmu_fetch_byte(e.cpu, 0x7c00), 0xc3);
    ck_assert_uint_eq(entry(e.cpu, MMU_IDX_USER, 0x7c00)->addr_code, 0x7000);
    ck_assert_uint_eq(mmu_fetch_byte(e.cpu, 0x80000000), 0xff);
    env_free(e);
}
END_TEST

START_TEST(test_flush_page_and_probe)
{
    Env e = env_new();

    mmu_probe_write(e.cpu, 0x2ff0, 0x20, MMU_IDX_SUPER);
    ck_assert_uint_eq(entry(e.cpu, 0, 0x2000)->addr_write, 0x2000);
    ck_assert_uint_eq(entry(e.cpu, 0, 0x3000)->addr_write, 0x3000);
    ck_assert(entry(e.cpu, 0, 0x4000)->addr_write & TLB_INVALID);
    mmu_probe_write(e.cpu, 0x9000, 0, MMU_IDX_SUPER); /* nothing */
    ck_assert(entry(e.cpu, 0, 0x9000)->addr_write & TLB_INVALID);
    mmu_probe_write(e.cpu, 0xfffffffe, 4, MMU_IDX_SUPER); /* wraps */
    ck_assert_uint_eq(entry(e.cpu, 0, 0)->addr_write, 0);
    ck_assert_uint_eq(entry(e.cpu, 0, 0xfffff000)->addr_write,
                      0xfffff000 | TLB_MMIO);

    /* Flushing another page that shares the slot leaves the entry. */
    tlb_flush_page(e.cpu, 0x2000 + TLB_SIZE * GUEST_PAGE_SIZE);
    ck_assert_uint_eq(entry(e.cpu, 0, 0x2000)->addr_write, 0x2000);
    tlb_flush_page(e.cpu, 0x2abc);
    ck_assert(entry(e.cpu, 0, 0x2000)->addr_read & TLB_INVALID);
    ck_assert(entry(e.cpu, 0, 0x2000)->addr_write & TLB_INVALID);
    ck_assert(entry(e.cpu, 0, 0x2000)->addr_code & TLB_INVALID);
    ck_assert_uint_eq(entry(e.cpu, 0, 0x3000)->addr_write, 0x3000);
    ck_assert_ptr_null(fast_path(e.cpu, 0, 0x2000, 1, MMU_DATA_LOAD));
    /* Still correct through the slow path. */
    mmu_store(e.cpu, 0x2000, 0x66, 1, MMU_IDX_SUPER);
    ck_assert_uint_eq(as_read(e.as, 0x2000, 1), 0x66);
    tlb_flush(e.cpu);
    ck_assert(entry(e.cpu, 0, 0x3000)->addr_write & TLB_INVALID);
    env_free(e);
}
END_TEST

static Suite *softmmu_suite(void)
{
    Suite *s = suite_create("softmmu");
    TCase *tc = tcase_create("tlb");

    tcase_add_test(tc, test_flush_invalidates);
    tcase_add_test(tc, test_ram_fill_and_fast_path);
    tcase_add_test(tc, test_page_crossing);
    tcase_add_test(tc, test_mmio_through_tlb);
    tcase_add_test(tc, test_crossing_into_mmio);
    tcase_add_test(tc, test_rom_through_tlb);
    tcase_add_test(tc, test_notdirty);
    tcase_add_test(tc, test_protect_code_page);
    tcase_add_test(tc, test_a20);
    tcase_add_test(tc, test_fetch);
    tcase_add_test(tc, test_flush_page_and_probe);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(softmmu_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
