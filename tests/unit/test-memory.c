/*
 * Unit tests for memory/address-space.c and memory/ioport.c: RAM, ROM,
 * MMIO, holes and unassigned space; guard pages; code-page tracking; the
 * port space and its access splitting.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "memory/memory.h"

#define MiB (1024 * 1024)

/* ---- an MMIO / port device that records its accesses ------------------- */

typedef struct Recorder {
    unsigned nreads, nwrites;
    uint32_t last_offset, last_value;
    unsigned last_size;
    uint32_t offsets[16];
    unsigned sizes[16];
    uint32_t values[16];
} Recorder;

static uint32_t rec_read(void *opaque, uint32_t offset, unsigned size)
{
    Recorder *r = opaque;

    r->offsets[r->nreads % 16] = offset;
    r->sizes[r->nreads % 16] = size;
    r->nreads++;
    r->last_offset = offset;
    r->last_size = size;
    /* Each byte reads as 0xA0 + its offset, so splits are visible. */
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        v |= (uint32_t)(0xa0 + ((offset + i) & 0xf)) << (8 * i);
    }
    return v | 0xdead0000u * (size < 4); /* junk above SIZE must be masked */
}

static void rec_write(void *opaque, uint32_t offset, uint32_t value,
                      unsigned size)
{
    Recorder *r = opaque;

    r->offsets[r->nwrites % 16] = offset;
    r->sizes[r->nwrites % 16] = size;
    r->values[r->nwrites % 16] = value;
    r->nwrites++;
    r->last_offset = offset;
    r->last_value = value;
    r->last_size = size;
}

static const MemoryOps rec_ops = {rec_read, rec_write};

/* ---- RAM ------------------------------------------------------------------
 */

START_TEST(test_ram_rw)
{
    AddressSpace *as = as_new(4 * MiB);

    ck_assert_ptr_nonnull(as);
    ck_assert_uint_eq(as_ram_size(as), 4 * MiB);
    as_write(as, 0x1000, 0x11223344, 4);
    ck_assert_uint_eq(as_read(as, 0x1000, 4), 0x11223344);
    ck_assert_uint_eq(as_read(as, 0x1000, 1), 0x44);
    ck_assert_uint_eq(as_read(as, 0x1001, 2), 0x2233);
    ck_assert_uint_eq(as_ram_base(as)[0x1003], 0x11);
    as_write(as, 0x1ffe, 0xaabbccdd, 4); /* crosses a page: still RAM */
    ck_assert_uint_eq(as_read(as, 0x1ffe, 4), 0xaabbccdd);
    as_write(as, 0x10, 0x1234, 2);
    ck_assert_uint_eq(as_read(as, 0x10, 2), 0x1234);
    /* Fresh RAM is zero. */
    ck_assert_uint_eq(as_read(as, 0x3ffffc, 4), 0);
    as_free(as);
}
END_TEST

START_TEST(test_bad_sizes)
{
    ck_assert_ptr_null(as_new(0x1001));
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_ptr_null(as_new(0xE0001000ull));
}
END_TEST

START_TEST(test_unassigned)
{
    AddressSpace *as = as_new(1 * MiB);

    ck_assert_uint_eq(as_read(as, 2 * MiB, 4), 0xffffffff);
    ck_assert_uint_eq(as_read(as, 2 * MiB, 2), 0xffff);
    ck_assert_uint_eq(as_read(as, 0xffffffff, 1), 0xff);
    as_write(as, 2 * MiB, 0, 4); /* dropped */
    ck_assert_uint_eq(as_read(as, 2 * MiB, 4), 0xffffffff);
    /* The last RAM bytes and beyond, in one access. */
    as_write(as, MiB - 2, 0x5566, 2);
    ck_assert_uint_eq(as_read(as, MiB - 2, 4), 0xffff5566);
    as_write(as, MiB - 1, 0x12345678, 4); /* only the first byte lands */
    ck_assert_uint_eq(as_read(as, MiB - 2, 2), 0x7866);
    ck_assert_ptr_null(as_ram_ptr(as, MiB - 1, 2));
    ck_assert_ptr_nonnull(as_ram_ptr(as, MiB - 1, 1));
    /* Wrap at 4 GiB: bytes 0xffffffff (unassigned) and 0 (RAM). */
    as_write(as, 0, 0x42, 1);
    ck_assert_uint_eq(as_read(as, 0xffffffff, 2), 0x42ff);
    as_free(as);
}
END_TEST

/* ---- guard pages ----------------------------------------------------------
 */

static void segv_exit(int sig)
{
    _exit(42);
}

static int touch_in_child(volatile uint8_t *p)
{
    int status;
    pid_t pid = fork();

    if (pid == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = segv_exit;
        sigaction(SIGSEGV, &sa, NULL);
        sigaction(SIGBUS, &sa, NULL);
        *p = 1;
        _exit(0);
    }
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Find the permissions of the mapping holding P in /proc/self/maps. */
static int maps_perms(const void *p, char perms[5])
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    uintptr_t a = (uintptr_t)p;
    int found = 0;

    if (!f) {
        return 0;
    }
    while (fgets(line, sizeof(line), f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 && a >= lo &&
            a < hi) {
            found = 1;
            break;
        }
    }
    fclose(f);
    return found;
}

START_TEST(test_guard_pages)
{
    AddressSpace *as = as_new(1 * MiB);
    uint8_t *ram = as_ram_base(as);
    char perms[5];

    ck_assert_int_eq(touch_in_child(ram), 0);
    ck_assert_int_eq(touch_in_child(ram + MiB - 1), 0);
    ck_assert_int_eq(touch_in_child(ram - 1), 42);
    ck_assert_int_eq(touch_in_child(ram + MiB), 42);
    ck_assert_int_eq(touch_in_child(ram - 4096), 42);
    ck_assert_int_eq(touch_in_child(ram + MiB + 4095), 42);
    ck_assert(maps_perms(ram - 1, perms));
    ck_assert_str_eq(perms, "---p");
    ck_assert(maps_perms(ram + MiB, perms));
    ck_assert_str_eq(perms, "---p");
    ck_assert(maps_perms(ram, perms));
    ck_assert_str_eq(perms, "rw-p");
    as_free(as);
}
END_TEST

START_TEST(test_two_spaces_separate)
{
    AddressSpace *a = as_new(1 * MiB), *b = as_new(1 * MiB);

    as_write(a, 0x100, 0xaaaaaaaa, 4);
    as_write(b, 0x100, 0xbbbbbbbb, 4);
    ck_assert_uint_eq(as_read(a, 0x100, 4), 0xaaaaaaaa);
    ck_assert_uint_eq(as_read(b, 0x100, 4), 0xbbbbbbbb);
    ck_assert_ptr_ne(as_ram_base(a), as_ram_base(b));
    as_free(a);
    as_free(b);
}
END_TEST

/* ---- regions --------------------------------------------------------------
 */

START_TEST(test_rom)
{
    AddressSpace *as = as_new(2 * MiB);
    uint8_t data[8192];

    for (unsigned i = 0; i < sizeof(data); i++) {
        data[i] = (uint8_t)(i * 7);
    }
    as_write(as, 0xf0000, 0x55555555, 4); /* RAM that the ROM will hide */
    ck_assert_int_eq(as_add_rom(as, "rom", 0xf0000, data, sizeof(data)), 0);
    memset(data, 0, sizeof(data)); /* the ROM holds a copy */
    ck_assert_uint_eq(as_read(as, 0xf0001, 1), 7);
    ck_assert_uint_eq(as_read(as, 0xf0000, 4), 0x150e0700);
    as_write(as, 0xf0000, 0xffffffff, 4); /* dropped */
    ck_assert_uint_eq(as_read(as, 0xf0000, 4), 0x150e0700);
    /* RAM under the ROM is untouched but unreachable. */
    ck_assert_uint_eq(as_ram_base(as)[0xf0000], 0x55);
    ck_assert_ptr_null(as_ram_ptr(as, 0xf0000, 1));
    ck_assert_ptr_null(as_page_ptr(as, 0xf0000));
    ck_assert_ptr_nonnull(as_rom_page_ptr(as, 0xf1000));
    ck_assert_uint_eq(as_rom_page_ptr(as, 0xf1000)[1], (uint8_t)(4097 * 7));
    ck_assert_ptr_null(as_rom_page_ptr(as, 0xf2000));
    ck_assert_ptr_null(as_rom_page_ptr(as, 0x1000));
    /* An access that straddles ROM and RAM: byte by byte. */
    as_write(as, 0xf2000, 0x99, 1);
    ck_assert_uint_eq(as_read(as, 0xf1fff, 2), 0x9900 | (uint8_t)(8191 * 7));
    as_write(as, 0xf1fff, 0x1234, 2); /* ROM byte dropped, RAM byte kept */
    ck_assert_uint_eq(as_read(as, 0xf2000, 1), 0x12);
    ck_assert_uint_eq(as_read(as, 0xf1fff, 1), (uint8_t)(8191 * 7));
    as_free(as);
}
END_TEST

START_TEST(test_rom_not_page_sized)
{
    AddressSpace *as = as_new(1 * MiB);
    const uint8_t data[3] = {1, 2, 3};

    ck_assert_int_eq(as_add_rom(as, "tiny", 0x5001, data, 3), 0);
    ck_assert_ptr_null(as_rom_page_ptr(as, 0x5000));
    ck_assert_uint_eq(as_read(as, 0x5000, 4), 0x03020100);
    ck_assert_ptr_null(as_page_ptr(as, 0x5000));
    ck_assert_ptr_nonnull(as_page_ptr(as, 0x6000));
    as_free(as);
}
END_TEST

START_TEST(test_mmio)
{
    AddressSpace *as = as_new(1 * MiB);
    Recorder r = {0};

    ck_assert_int_eq(as_add_mmio(as, "dev", 0xfee00000, 0x1000, &rec_ops, &r),
                     0);
    ck_assert_uint_eq(as_read(as, 0xfee00010, 4), 0xa3a2a1a0);
    ck_assert_uint_eq(r.last_offset, 0x10);
    ck_assert_uint_eq(r.last_size, 4);
    ck_assert_uint_eq(as_read(as, 0xfee00004, 2), 0xa5a4); /* masked */
    as_write(as, 0xfee00020, 0xcafebabe, 4);
    ck_assert_uint_eq(r.nwrites, 1);
    ck_assert_uint_eq(r.last_value, 0xcafebabe);
    as_write(as, 0xfee00021, 0x1ff, 1);
    ck_assert_uint_eq(r.last_value, 0xff); /* masked to the size */
    ck_assert_uint_eq(r.last_size, 1);
    /* Crossing the region's end: split into bytes, the outside one reads
     * all ones. */
    r.nreads = 0;
    ck_assert_uint_eq(as_read(as, 0xfee00ffe, 4), 0xffffafae);
    ck_assert_uint_eq(r.nreads, 2);
    ck_assert_uint_eq(r.sizes[0], 1);
    ck_assert_ptr_null(as_ram_ptr(as, 0xfee00000, 1));
    /* Bulk copies dispatch byte by byte. */
    uint8_t buf[4];
    as_read_buf(as, 0xfee00001, buf, 4);
    ck_assert_uint_eq(buf[0], 0xa1);
    ck_assert_uint_eq(buf[3], 0xa4);
    r.nwrites = 0;
    as_write_buf(as, 0xfee00008, "\x01\x02", 2);
    ck_assert_uint_eq(r.nwrites, 2);
    ck_assert_uint_eq(r.offsets[1], 9);
    ck_assert_uint_eq(r.values[1], 2);
    as_free(as);
}
END_TEST

START_TEST(test_mmio_no_callbacks)
{
    AddressSpace *as = as_new(1 * MiB);
    MemoryOps none = {NULL, NULL};

    ck_assert_int_eq(as_add_mmio(as, "dumb", 0x8000, 0x100, &none, NULL), 0);
    ck_assert_uint_eq(as_read(as, 0x8000, 4), 0xffffffff);
    as_write(as, 0x8000, 0, 4);
    ck_assert_uint_eq(as_read(as, 0x8000, 4), 0xffffffff);
    as_free(as);
}
END_TEST

START_TEST(test_hole)
{
    AddressSpace *as = as_new(2 * MiB);
    uint8_t buf[8];

    as_write(as, 0xa0000, 0x12345678, 4);
    ck_assert_int_eq(as_add_hole(as, "hole", 0xa0000, 0x60000), 0);
    ck_assert_uint_eq(as_read(as, 0xa0000, 4), 0xffffffff);
    ck_assert_uint_eq(as_read(as, 0xfffff, 1), 0xff);
    as_write(as, 0xa0000, 0, 4);
    ck_assert_uint_eq(as_read(as, 0xa0000, 4), 0xffffffff);
    ck_assert_ptr_null(as_ram_ptr(as, 0xa0000, 1));
    ck_assert_ptr_null(as_page_ptr(as, 0x9f000 + 0x1000));
    ck_assert_ptr_nonnull(as_page_ptr(as, 0x9f000));
    ck_assert_ptr_nonnull(as_page_ptr(as, 0x100000));
    ck_assert_ptr_null(as_ram_ptr(as, 0x9fffe, 4));
    /* Bulk read over the edge: RAM then all ones. */
    as_write(as, 0x9fffe, 0x4142, 2);
    as_read_buf(as, 0x9fffe, buf, 4);
    ck_assert_uint_eq(buf[0], 0x42);
    ck_assert_uint_eq(buf[1], 0x41);
    ck_assert_uint_eq(buf[2], 0xff);
    ck_assert_uint_eq(buf[3], 0xff);
    /* Bulk write over a hole: dropped there, kept on both sides. */
    as_write_buf(as, 0x9ffff, "\x01\x02\x03", 3);
    ck_assert_uint_eq(as_read(as, 0x9ffff, 1), 1);
    ck_assert_uint_eq(as_ram_base(as)[0xa0000], 0x78); /* untouched */
    as_free(as);
}
END_TEST

START_TEST(test_region_overlap)
{
    AddressSpace *as = as_new(1 * MiB);
    const uint8_t *d = NULL; /* zero-filled ROM */

    ck_assert_int_eq(as_add_hole(as, "a", 0x10000, 0x1000), 0);
    ck_assert_int_eq(as_add_rom(as, "b", 0x10fff, d, 2), -1);
    ck_assert_int_eq(as_add_rom(as, "c", 0xf000, d, 0x1001), -1);
    ck_assert_int_eq(as_add_hole(as, "d", 0xf800, 0x2000), -1);
    ck_assert_int_eq(as_add_hole(as, "e", 0x11000, 0x1000), 0); /* adjacent */
    ck_assert_int_eq(as_add_rom(as, "f", 0xf000, d, 0x1000), 0);
    ck_assert_int_eq(as_add_hole(as, "zero", 0x20000, 0), -1);
    ck_assert_int_eq(as_add_hole(as, "wrap", 0xfffff000, 0x2000), -1);
    ck_assert_int_eq(as_add_hole(as, "top", 0xfffff000, 0x1000), 0);
    ck_assert_uint_eq(as_read(as, 0xfffffffc, 4), 0xffffffff);
    as_free(as);
}
END_TEST

START_TEST(test_fill_hole)
{
    AddressSpace *as = as_new(2 * MiB);
    uint8_t rom[0x1000];

    memset(rom, 0x5a, sizeof(rom));
    ck_assert_int_eq(as_add_rom(as, "rom", 0xf0000, rom, sizeof(rom)), 0);
    ck_assert_int_eq(as_fill_hole(as, "hole", 0xa0000, 0x60000), 0);
    ck_assert_uint_eq(as_read(as, 0xf0000, 1), 0x5a);
    ck_assert_uint_eq(as_read(as, 0xa0000, 1), 0xff);
    ck_assert_uint_eq(as_read(as, 0xeffff, 1), 0xff);
    ck_assert_uint_eq(as_read(as, 0xf1000, 1), 0xff);
    ck_assert_uint_eq(as_read(as, 0xfffff, 1), 0xff);
    ck_assert_ptr_nonnull(as_page_ptr(as, 0x100000));
    ck_assert_ptr_nonnull(as_page_ptr(as, 0x9f000));
    /* Filling again adds nothing and does not fail. */
    ck_assert_int_eq(as_fill_hole(as, "hole", 0xa0000, 0x60000), 0);
    ck_assert_int_eq(as_fill_hole(as, "wrap", 0xfffff000, 0x2000), -1);
    as_free(as);
}
END_TEST

/* ---- code pages -----------------------------------------------------------
 */

typedef struct HookLog {
    AddressSpace *as;
    unsigned calls;
    uint32_t paddr[8], len[8];
    uint32_t seen_before; /* memory contents when the hook ran */
} HookLog;

static void hook_fn(void *opaque, uint32_t paddr, uint32_t len)
{
    HookLog *h = opaque;

    if (h->calls < 8) {
        h->paddr[h->calls] = paddr;
        h->len[h->calls] = len;
    }
    h->calls++;
    h->seen_before = as_ram_base(h->as)[paddr];
}

START_TEST(test_code_pages)
{
    AddressSpace *as = as_new(1 * MiB);
    HookLog h = {.as = as};
    uint8_t big[3 * 4096];

    as_set_code_hook(as, hook_fn, &h);
    ck_assert(!as_is_code_page(as, 0x3000));
    as_mark_code_page(as, 0x3123);
    ck_assert(as_is_code_page(as, 0x3000));
    ck_assert(as_is_code_page(as, 0x3fff));
    ck_assert(!as_is_code_page(as, 0x4000));
    ck_assert(!as_is_code_page(as, 2 * MiB)); /* beyond RAM: never */
    as_mark_code_page(as, 2 * MiB);           /* ignored, no crash */

    as_write(as, 0x2000, 1, 4); /* not a code page */
    ck_assert_uint_eq(h.calls, 0);
    as_write(as, 0x3010, 0xab, 1);
    ck_assert_uint_eq(h.calls, 1);
    ck_assert_uint_eq(h.paddr[0], 0x3010);
    ck_assert_uint_eq(h.len[0], 1);
    ck_assert_uint_eq(h.seen_before, 0); /* the hook runs before the store */
    ck_assert_uint_eq(as_read(as, 0x3010, 1), 0xab);
    as_write(as, 0x2ffe, 0x11223344, 4); /* reaches into the code page */
    ck_assert_uint_eq(h.calls, 2);
    ck_assert_uint_eq(h.paddr[1], 0x2ffe);
    ck_assert_uint_eq(h.len[1], 4);

    /* Bulk writes: the hook sees only the part on the code page. */
    memset(big, 0x77, sizeof(big));
    as_write_buf(as, 0x2800, big, sizeof(big));
    ck_assert_uint_eq(h.calls, 3);
    ck_assert_uint_eq(h.paddr[2], 0x3000);
    ck_assert_uint_eq(h.len[2], 0x1000);
    ck_assert_uint_eq(as_read(as, 0x5000 + 0x7ff, 1), 0x77);

    as_clear_code_page(as, 0x3000);
    ck_assert(!as_is_code_page(as, 0x3000));
    as_write(as, 0x3010, 0, 1);
    ck_assert_uint_eq(h.calls, 3);
    as_free(as);
}
END_TEST

/* ---- ports ----------------------------------------------------------------
 */

START_TEST(test_ports_unclaimed)
{
    PortSpace *ps = ports_new();

    ck_assert_uint_eq(ports_read(ps, 0x1234, 1), 0xff);
    ck_assert_uint_eq(ports_read(ps, 0x1234, 2), 0xffff);
    ck_assert_uint_eq(ports_read(ps, 0xffff, 4), 0xffffffff);
    ports_write(ps, 0x1234, 0, 4); /* dropped */
    ports_free(ps);
}
END_TEST

START_TEST(test_ports_byte_device)
{
    PortSpace *ps = ports_new();
    Recorder r = {0};

    ck_assert_int_eq(ports_register(ps, "dev", 0x3f8, 8, &rec_ops, &r), 0);
    ck_assert_int_eq(ports_register(ps, "dup", 0x3ff, 2, &rec_ops, &r), -1);
    ck_assert_int_eq(ports_register(ps, "empty", 0x500, 0, &rec_ops, &r), -1);
    ck_assert_int_eq(ports_register(ps, "big", 0xffff, 2, &rec_ops, &r), -1);
    ck_assert_uint_eq(ports_read(ps, 0x3f9, 1), 0xa1);
    ck_assert_uint_eq(r.last_offset, 1);
    /* A 32-bit access to a byte device: four byte accesses in order. */
    r.nreads = 0;
    ck_assert_uint_eq(ports_read(ps, 0x3fa, 4), 0xa5a4a3a2);
    ck_assert_uint_eq(r.nreads, 4);
    for (unsigned i = 0; i < 4; i++) {
        ck_assert_uint_eq(r.sizes[i], 1);
        ck_assert_uint_eq(r.offsets[i], 2 + i);
    }
    r.nwrites = 0;
    ports_write(ps, 0x3f8, 0x44332211, 4);
    ck_assert_uint_eq(r.nwrites, 4);
    ck_assert_uint_eq(r.values[0], 0x11);
    ck_assert_uint_eq(r.values[3], 0x44);
    ck_assert_uint_eq(r.offsets[3], 3);
    /* Straddling the end of the range: the outside byte is unclaimed. */
    ck_assert_uint_eq(ports_read(ps, 0x3ff, 2), 0xffa7);
    ck_assert_uint_eq(ports_read(ps, 0x3f7, 2), 0xa0ff);
    ports_free(ps);
}
END_TEST

START_TEST(test_ports_sized_device)
{
    PortSpace *ps = ports_new();
    Recorder r = {0}, r8 = {0};

    ck_assert_int_eq(ports_register_sized(ps, "wide", 0xcf8, 8, &rec_ops, &r,
                                          PORT_ACCESS_ALL),
                     0);
    ck_assert_uint_eq(ports_read(ps, 0xcfc, 4), 0xa7a6a5a4);
    ck_assert_uint_eq(r.nreads, 1);
    ck_assert_uint_eq(r.last_size, 4);
    ports_write(ps, 0xcfe, 0xbeef, 2);
    ck_assert_uint_eq(r.nwrites, 1);
    ck_assert_uint_eq(r.last_size, 2);
    ck_assert_uint_eq(r.last_offset, 6);
    ck_assert_uint_eq(r.last_value, 0xbeef);
    /* 32-bit access running past the end: halves. */
    r.nreads = 0;
    ck_assert_uint_eq(ports_read(ps, 0xcfe, 4), 0xffffa7a6);
    ck_assert_uint_eq(r.nreads, 1);
    ck_assert_uint_eq(r.sizes[0], 2);

    /* A 16-bit-only device: 32-bit accesses become two 16-bit ones. */
    ck_assert_int_eq(ports_register_sized(ps, "w16", 0x1f0, 8, &rec_ops, &r8,
                                          PORT_ACCESS_16),
                     0);
    ck_assert_uint_eq(ports_read(ps, 0x1f0, 4), 0xa3a2a1a0);
    ck_assert_uint_eq(r8.nreads, 2);
    ck_assert_uint_eq(r8.sizes[0], 2);
    ck_assert_uint_eq(r8.offsets[1], 2);
    ck_assert_int_eq(
        ports_register_sized(ps, "none", 0x2000, 1, &rec_ops, &r8, 0), -1);
    ports_free(ps);
}
END_TEST

START_TEST(test_ports_straddle_two_devices)
{
    PortSpace *ps = ports_new();
    Recorder a = {0}, b = {0};

    ck_assert_int_eq(ports_register(ps, "a", 0x60, 1, &rec_ops, &a), 0);
    ck_assert_int_eq(ports_register(ps, "b", 0x61, 1, &rec_ops, &b), 0);
    ports_write(ps, 0x60, 0xbbaa, 2);
    ck_assert_uint_eq(a.last_value, 0xaa);
    ck_assert_uint_eq(b.last_value, 0xbb);
    ck_assert_uint_eq(b.last_offset, 0);
    ck_assert_uint_eq(ports_read(ps, 0x60, 2), 0xa0a0);
    /* Port 0xffff: the second byte wraps to port 0. */
    ck_assert_int_eq(ports_register(ps, "top", 0xffff, 1, &rec_ops, &a), 0);
    ck_assert_int_eq(ports_register(ps, "zero", 0, 1, &rec_ops, &b), 0);
    ck_assert_uint_eq(ports_read(ps, 0xffff, 2), 0xa0a0);
    ports_free(ps);
}
END_TEST

START_TEST(test_ports_no_callbacks)
{
    PortSpace *ps = ports_new();
    MemoryOps none = {NULL, NULL};

    ck_assert_int_eq(ports_register(ps, "x", 0x70, 2, &none, NULL), 0);
    ck_assert_uint_eq(ports_read(ps, 0x70, 2), 0xffff);
    ports_write(ps, 0x70, 1, 1);
    ports_free(ps);
}
END_TEST

static Suite *memory_suite(void)
{
    Suite *s = suite_create("memory");
    TCase *tc = tcase_create("address-space");

    tcase_add_test(tc, test_ram_rw);
    tcase_add_test(tc, test_bad_sizes);
    tcase_add_test(tc, test_unassigned);
    tcase_add_test(tc, test_guard_pages);
    tcase_add_test(tc, test_two_spaces_separate);
    tcase_add_test(tc, test_rom);
    tcase_add_test(tc, test_rom_not_page_sized);
    tcase_add_test(tc, test_mmio);
    tcase_add_test(tc, test_mmio_no_callbacks);
    tcase_add_test(tc, test_hole);
    tcase_add_test(tc, test_region_overlap);
    tcase_add_test(tc, test_fill_hole);
    tcase_add_test(tc, test_code_pages);
    suite_add_tcase(s, tc);

    tc = tcase_create("ports");
    tcase_add_test(tc, test_ports_unclaimed);
    tcase_add_test(tc, test_ports_byte_device);
    tcase_add_test(tc, test_ports_sized_device);
    tcase_add_test(tc, test_ports_straddle_two_devices);
    tcase_add_test(tc, test_ports_no_callbacks);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(memory_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
