/*
 * Unit tests for devices/multiboot.c: ELF32 and a.out-kludge images built
 * at test time in a temporary directory; loaded bytes, bss, the boot
 * information (memory fields, memory map, command lines, modules), the CPU
 * entry state, and every error case with its message.
 */
#include <check.h>
#include <glib.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "devices/multiboot.h"
#include "tests/unit/mb-image.h"

/* ---- loading ------------------------------------------------------------- */

START_TEST(test_elf_load)
{
    Tmp t;
    Img im;
    AddressSpace *as = as_new(RAM);
    MultibootBoot boot;
    char err[256], s[256], want[256];
    const char *k;

    tmp_init(&t);
    std_elf(&im);
    k = tmp_file(&t, "kernel.elf", im.buf, im.len);
    /* Garbage where bss goes: the loader must zero it. */
    for (uint32_t a = 0x101000; a < 0x103004; a += 4) {
        as_write(as, a, 0xcccccccc, 4);
    }
    ck_assert_int_eq(multiboot_load_image(as, k, "console=ttyS0 debug", NULL,
                                          &boot, err, sizeof(err)),
                     0);
    ck_assert_uint_eq(boot.entry, 0x100010);
    ck_assert_uint_eq(boot.info_addr, MULTIBOOT_INFO_ADDR);
    ck_assert_uint_eq(boot.kernel_start, 0x100000);
    ck_assert_uint_eq(boot.kernel_end, 0x103000);
    for (uint32_t i = 0; i < 0x40; i++) {
        ck_assert_uint_eq(as_read(as, 0x100000 + i, 1),
                          (uint8_t)(0x11 + i * 3));
    }
    for (uint32_t i = 0; i < 0x10; i++) {
        ck_assert_uint_eq(as_read(as, 0x101000 + i, 1),
                          (uint8_t)(0x77 + i * 3));
    }
    for (uint32_t a = 0x101010; a < 0x103000; a++) {
        ck_assert_uint_eq(as_read(as, a, 1), 0);
    }
    ck_assert_uint_eq(as_read(as, 0x103000, 4), 0xcccccccc);
    ck_assert_uint_eq(as_read(as, 0x100040, 4), 0); /* nothing else */

    /* The boot information. */
    uint32_t mbi = boot.info_addr;
    ck_assert_uint_eq(rd32(as, mbi), 0x24d); /* mem cmdline mods mmap name */
    ck_assert_uint_eq(rd32(as, mbi + 4), 640);
    ck_assert_uint_eq(rd32(as, mbi + 8), (RAM - MiB) / 1024);
    rdstr(as, rd32(as, mbi + 16), s, sizeof(s));
    snprintf(want, sizeof(want), "%s console=ttyS0 debug", k);
    ck_assert_str_eq(s, want);
    ck_assert_uint_eq(rd32(as, mbi + 20), 0);
    rdstr(as, rd32(as, mbi + 64), s, 16);
    ck_assert_str_eq(s, "softvisor");
    uint32_t info_end = mbi + boot.info_size;
    ck_assert_uint_le(info_end, 0x9fc00);
    ck_assert_uint_ge(rd32(as, mbi + 16), mbi);
    ck_assert_uint_lt(rd32(as, mbi + 16), info_end);

    /* The memory map. */
    uint32_t mlen = rd32(as, mbi + 44), maddr = rd32(as, mbi + 48);
    static const struct {
        uint64_t base, len;
        uint32_t type;
    } map[] = {
        {0, 0x9fc00, 1},
        {0x9fc00, 0x400, 2},
        {0xf0000, 0x10000, 2},
        {0x100000, RAM - 0x100000, 1},
    };
    ck_assert_uint_eq(mlen, 4 * 24);
    for (unsigned i = 0; i < 4; i++) {
        uint32_t e = maddr + i * 24;
        ck_assert_uint_eq(rd32(as, e), 20);
        ck_assert_uint_eq(rd64(as, e + 4), map[i].base);
        ck_assert_uint_eq(rd64(as, e + 12), map[i].len);
        ck_assert_uint_eq(rd32(as, e + 20), map[i].type);
    }

    /* The GDT ROM at 0xf0000: null, flat code, flat data; read-only. */
    ck_assert_uint_eq(boot.gdt_base, MULTIBOOT_GDT_ADDR);
    ck_assert_uint_eq(boot.gdt_limit, 23);
    ck_assert_uint_eq(rd64(as, 0xf0000), 0);
    ck_assert_uint_eq(rd64(as, 0xf0008), 0x00cf9b000000ffffull);
    ck_assert_uint_eq(rd64(as, 0xf0010), 0x00cf93000000ffffull);
    as_write(as, 0xf0008, 0, 4);
    ck_assert_uint_eq(rd64(as, 0xf0008), 0x00cf9b000000ffffull);
    as_free(as);
    tmp_done(&t);
}
END_TEST

START_TEST(test_elf_no_append)
{
    Tmp t;
    Img im;
    AddressSpace *as = as_new(RAM);
    MultibootBoot boot;
    char err[256], s[256], want[256];
    const char *k;

    tmp_init(&t);
    std_elf(&im);
    k = tmp_file(&t, "k.elf", im.buf, im.len);
    ck_assert_int_eq(
        multiboot_load_image(as, k, NULL, "", &boot, err, sizeof(err)), 0);
    /* QEMU passes "KERNEL " with the space even without -append. */
    rdstr(as, rd32(as, boot.info_addr + 16), s, sizeof(s));
    snprintf(want, sizeof(want), "%s ", k);
    ck_assert_str_eq(s, want);
    as_free(as);
    tmp_done(&t);
}
END_TEST

START_TEST(test_elf_higher_half)
{
    Tmp t;
    Img im;
    AddressSpace *as = as_new(RAM);
    MultibootBoot boot;
    char err[256];
    const char *k;

    tmp_init(&t);
    memset(&im, 0, sizeof(im));
    elf_header(&im, 0xc0200020, 1);
    elf_phdr(&im, 0, PT_LOAD, 0x1000, 0xc0200000, 0x200000, 0x100, 0x100);
    mb_header(&im, 0x200, 0);
    img_fill(&im, 0x1000, 0x100, 1);
    k = tmp_file(&t, "hh.elf", im.buf, im.len);
    ck_assert_int_eq(
        multiboot_load_image(as, k, NULL, NULL, &boot, err, sizeof(err)), 0);
    ck_assert_uint_eq(boot.entry, 0x200020);
    ck_assert_uint_eq(as_read(as, 0x200000, 1), 1);
    as_free(as);
    tmp_done(&t);
}
END_TEST

START_TEST(test_aout_kludge)
{
    Tmp t;
    Img im;
    AddressSpace *as = as_new(RAM);
    MultibootBoot boot;
    char err[256];
    const char *k;

    tmp_init(&t);
    memset(&im, 0, sizeof(im));
    /* A flat binary loaded at 0x200000: header at file offset 0x40, 0x300
     * bytes loaded, bss to 0x201800.  Bytes past load_end stay out. */
    img_fill(&im, 0, 0x400, 0x21);
    mb_kludge(&im, 0x40, 0x200040, 0x200000, 0x200300, 0x201800, 0x200080);
    k = tmp_file(&t, "flat.bin", im.buf, im.len);
    as_write(as, 0x200300, 0xdddddddd, 4);
    ck_assert_int_eq(
        multiboot_load_image(as, k, "x", NULL, &boot, err, sizeof(err)), 0);
    ck_assert_uint_eq(boot.entry, 0x200080);
    ck_assert_uint_eq(boot.kernel_end, 0x201800);
    ck_assert_uint_eq(as_read(as, 0x200000, 1), 0x21);
    ck_assert_uint_eq(rd32(as, 0x200040), MULTIBOOT_HEADER_MAGIC);
    ck_assert_uint_eq(as_read(as, 0x2002ff, 1), (uint8_t)(0x21 + 0x2ff * 3));
    for (uint32_t a = 0x200300; a < 0x201800; a++) {
        ck_assert_uint_eq(as_read(as, a, 1), 0);
    }
    as_free(as);
    tmp_done(&t);
}
END_TEST

START_TEST(test_aout_kludge_whole_file)
{
    Tmp t;
    Img im;
    AddressSpace *as = as_new(RAM);
    MultibootBoot boot;
    char err[256];
    const char *k;

    tmp_init(&t);
    memset(&im, 0, sizeof(im));
    /* Header 0x20 bytes into the loaded image, which starts at file offset
     * 0x10 (load_addr 0x110000, header_addr 0x110020, file offset 0x30);
     * load_end_addr 0: to the end of the file; bss_end_addr 0: no bss.
     * Low memory below the info area is allowed too. */
    img_fill(&im, 0, 0x1234, 0x40);
    mb_kludge(&im, 0x30, 0x110020, 0x110000, 0, 0, 0x110000);
    k = tmp_file(&t, "whole.bin", im.buf, im.len);
    ck_assert_int_eq(
        multiboot_load_image(as, k, NULL, NULL, &boot, err, sizeof(err)), 0);
    ck_assert_uint_eq(boot.kernel_start, 0x110000);
    ck_assert_uint_eq(boot.kernel_end, 0x110000 + 0x1234 - 0x10);
    ck_assert_uint_eq(as_read(as, 0x110000, 1), (uint8_t)(0x40 + 0x10 * 3));
    ck_assert_uint_eq(rd32(as, 0x110020), MULTIBOOT_HEADER_MAGIC);
    as_free(as);
    tmp_done(&t);
}
END_TEST

START_TEST(test_modules)
{
    Tmp t;
    Img im;
    AddressSpace *as = as_new(RAM);
    MultibootBoot boot;
    char err[256], s[256], want[256], list[512];
    uint8_t m1[5000], m2[3] = {'a', 'b', 'c'};
    const char *k, *p1, *p2, *p3;

    tmp_init(&t);
    std_elf(&im);
    k = tmp_file(&t, "kernel.elf", im.buf, im.len);
    for (unsigned i = 0; i < sizeof(m1); i++) {
        m1[i] = (uint8_t)(i * 13);
    }
    p1 = tmp_file(&t, "initrd.img", m1, sizeof(m1));
    p2 = tmp_file(&t, "a,b.mod", m2, sizeof(m2));
    p3 = tmp_file(&t, "empty.mod", "", 0);
    /* "FILE ARGS" items; ",," stands for a comma in a name. */
    snprintf(list, sizeof(list), "%s root=/dev/ram0 rw,%s/a,,b.mod x,,y,%s", p1,
             t.dir, p3);
    ck_assert_int_eq(
        multiboot_load_image(as, k, "", list, &boot, err, sizeof(err)), 0);
    uint32_t mbi = boot.info_addr;
    ck_assert_uint_eq(rd32(as, mbi + 20), 3);
    uint32_t mods = rd32(as, mbi + 24);

    /* Module 0: page-aligned after the kernel (which ends at 0x103000). */
    ck_assert_uint_eq(rd32(as, mods), 0x103000);
    ck_assert_uint_eq(rd32(as, mods + 4), 0x103000 + sizeof(m1));
    for (unsigned i = 0; i < sizeof(m1); i++) {
        ck_assert_uint_eq(as_read(as, 0x103000 + i, 1), m1[i]);
    }
    rdstr(as, rd32(as, mods + 8), s, sizeof(s));
    snprintf(want, sizeof(want), "%s root=/dev/ram0 rw", p1);
    ck_assert_str_eq(s, want);

    /* Module 1: next page boundary; its name had the escaped comma. */
    ck_assert_uint_eq(rd32(as, mods + 16), 0x105000);
    ck_assert_uint_eq(rd32(as, mods + 20), 0x105003);
    ck_assert_uint_eq(as_read(as, 0x105000, 2), 'a' | 'b' << 8);
    rdstr(as, rd32(as, mods + 24), s, sizeof(s));
    snprintf(want, sizeof(want), "%s x,y", p2);
    ck_assert_str_eq(s, want);

    /* Module 2: empty. */
    ck_assert_uint_eq(rd32(as, mods + 32), 0x106000);
    ck_assert_uint_eq(rd32(as, mods + 36), 0x106000);
    rdstr(as, rd32(as, mods + 40), s, sizeof(s));
    ck_assert_str_eq(s, p3);
    ck_assert_uint_eq(boot.mods_end, 0x106000);
    as_free(as);
    tmp_done(&t);
}
END_TEST

START_TEST(test_entry_state)
{
    Tmp t;
    Img im;
    MachineConfig mc = {.ram_size = RAM, .accel = ACCEL_INTERP};
    char err[256];
    Machine *m;
    const char *k;

    tmp_init(&t);
    std_elf(&im);
    k = tmp_file(&t, "kernel.elf", im.buf, im.len);
    m = machine_new(&mc, err, sizeof(err));
    ck_assert_ptr_nonnull(m);
    m->cpu.a20_mask = 0xffefffff;
    ck_assert_int_eq(multiboot_load(m, k, "a", NULL, err, sizeof(err)), 0);
    CPUState *cpu = &m->cpu;
    ck_assert_uint_eq(cpu->regs[R_EAX], 0x2badb002);
    ck_assert_uint_eq(cpu->regs[R_EBX], MULTIBOOT_INFO_ADDR);
    ck_assert_uint_eq(cpu->eip, 0x100010);
    ck_assert_uint_eq(cpu->seg[R_CS].selector, 0x08);
    for (int r = 0; r < CPU_NB_SEGS; r++) {
        if (r != R_CS) {
            ck_assert_uint_eq(cpu->seg[r].selector, 0x10);
        }
        ck_assert_uint_eq(cpu->seg[r].base, 0);
        ck_assert_uint_eq(cpu->seg[r].limit, 0xffffffff);
        ck_assert(cpu->seg[r].flags & DESC_B);
    }
    ck_assert(cpu->seg[R_CS].flags & DESC_CODE);
    ck_assert(!(cpu->seg[R_DS].flags & DESC_CODE));
    ck_assert(cpu->cr[0] & CR0_PE);
    ck_assert(!(cpu->cr[0] & CR0_PG));
    ck_assert(!(cpu->eflags & (EFLAGS_IF | EFLAGS_VM)));
    ck_assert(cpu->hflags & HF_PE);
    ck_assert_uint_eq(cpu->a20_mask, 0xffffffff);
    ck_assert_uint_eq(cpu->gdt.base, 0xf0000);
    ck_assert_uint_eq(cpu->gdt.limit, 23);
    machine_free(m);
    tmp_done(&t);
}
END_TEST

/* ---- errors
 * ------------------------------------------------------------------ */

/* Load an image expecting failure with exactly WANT (after "PATH: "), and
 * nothing written to RAM. */
static void expect_error(Tmp *t, Img *im, const char *initrd, const char *want)
{
    AddressSpace *as = as_new(RAM);
    MultibootBoot boot;
    char err[512], full[512];
    const char *k = tmp_file(t, "bad.elf", im->buf, im->len);

    ck_assert_int_eq(
        multiboot_load_image(as, k, "a", initrd, &boot, err, sizeof(err)), -1);
    snprintf(full, sizeof(full), "%s: %s", k, want);
    ck_assert_str_eq(err, full);
    ck_assert_ptr_null(strchr(err, '\n'));
    ck_assert_uint_eq(rd32(as, MULTIBOOT_INFO_ADDR), 0);
    ck_assert_uint_eq(rd32(as, 0x100000), 0);
    ck_assert_uint_eq(rd32(as, 0x101000), 0);
    as_free(as);
    t->n--; /* reuse the slot; the file is overwritten next time */
    unlink(k);
}

START_TEST(test_err_missing_file)
{
    AddressSpace *as = as_new(RAM);
    MultibootBoot boot;
    char err[256];

    ck_assert_int_eq(multiboot_load_image(as, "/nonexistent/k.elf", NULL, NULL,
                                          &boot, err, sizeof(err)),
                     -1);
    ck_assert_str_eq(err, "/nonexistent/k.elf: No such file or "
                          "directory");
    ck_assert_int_eq(
        multiboot_load_image(as, "/tmp", NULL, NULL, &boot, err, sizeof(err)),
        -1);
    ck_assert_str_eq(err, "/tmp: a directory, not a regular file");
    as_free(as);
}
END_TEST

START_TEST(test_err_header)
{
    Tmp t;
    Img im;

    tmp_init(&t);
    memset(&im, 0, sizeof(im));
    img_fill(&im, 0, 9000, 0);
    expect_error(&t, &im, NULL,
                 "not a multiboot image (no header in the "
                 "first 8192 bytes)");
    /* Past the first 8192 bytes does not count. */
    mb_header(&im, 8192, 0);
    expect_error(&t, &im, NULL,
                 "not a multiboot image (no header in the "
                 "first 8192 bytes)");
    /* Nor does a header that is not 4-byte aligned. */
    memset(&im, 0, sizeof(im));
    mb_header(&im, 0x42, 0);
    im.len = 0x100;
    expect_error(&t, &im, NULL,
                 "not a multiboot image (no header in the "
                 "first 8192 bytes)");
    /* A file shorter than a header. */
    im.len = 5;
    expect_error(&t, &im, NULL,
                 "not a multiboot image (no header in the "
                 "first 8192 bytes)");
    /* Bad checksum. */
    memset(&im, 0, sizeof(im));
    im.len = 0x100;
    img_put32(&im, 0x40, MULTIBOOT_HEADER_MAGIC);
    img_put32(&im, 0x44, 3);
    img_put32(&im, 0x48, 12345);
    expect_error(&t, &im, NULL,
                 "bad multiboot header checksum at offset "
                 "0x40");
    /* Unsupported requirement bits (3 here; 0-2 are fine). */
    memset(&im, 0, sizeof(im));
    mb_header(&im, 0, 0x0000000b);
    im.len = 0x100;
    expect_error(&t, &im, NULL,
                 "multiboot header requires unsupported "
                 "features (flags 0xb)");
    mb_header(&im, 0, 0x00008000);
    expect_error(&t, &im, NULL,
                 "multiboot header requires unsupported "
                 "features (flags 0x8000)");
    /* Good header, no ELF, no kludge. */
    mb_header(&im, 0, 0x00000007);
    expect_error(&t, &im, NULL,
                 "not an ELF image and no a.out kludge "
                 "(header flag bit 16)");
    tmp_done(&t);
}
END_TEST

START_TEST(test_err_elf)
{
    Tmp t;
    Img im;

    tmp_init(&t);
    std_elf(&im);
    im.buf[EI_CLASS] = ELFCLASS64;
    expect_error(&t, &im, NULL, "not a 32-bit little-endian i386 ELF image");
    std_elf(&im);
    im.buf[18] = EM_X86_64;
    expect_error(&t, &im, NULL, "not a 32-bit little-endian i386 ELF image");
    std_elf(&im);
    im.buf[16] = ET_DYN;
    expect_error(&t, &im, NULL, "not an ELF executable (e_type 3)");
    std_elf(&im);
    elf_header(&im, 0x100010, 0);
    expect_error(&t, &im, NULL, "no usable ELF program headers");
    std_elf(&im);
    elf_header(&im, 0x100010, 1000);
    expect_error(&t, &im, NULL,
                 "truncated: program headers end past the "
                 "end of the file");
    std_elf(&im);
    elf_phdr(&im, 0, PT_NOTE, 0x1000, 0x100000, 0x100000, 0x40, 0x40);
    elf_phdr(&im, 2, PT_NULL, 0x1000, 0x100000, 0x100000, 0x40, 0x40);
    expect_error(&t, &im, NULL, "no loadable ELF segments");
    tmp_done(&t);
}
END_TEST

START_TEST(test_err_segments)
{
    Tmp t;
    Img im;

    tmp_init(&t);
    std_elf(&im);
    elf_phdr(&im, 2, PT_LOAD, 0x2000, 0x101000, 0x101000, 0x3000, 0x2000);
    expect_error(&t, &im, NULL,
                 "segment 2: file size 0x3000 is larger than "
                 "its memory size 0x2000");
    std_elf(&im);
    elf_phdr(&im, 2, PT_LOAD, 0x2000, 0x101000, 0x101000, 0x1000, 0x2000);
    expect_error(&t, &im, NULL,
                 "truncated: segment 2 needs file bytes "
                 "0x2000-0x3000, the file has 0x2010");
    std_elf(&im);
    elf_phdr(&im, 2, PT_LOAD, 0x2000, 0x101000, 0xfff000, 0x10, 0x2000);
    expect_error(&t, &im, NULL,
                 "segment 2 at 0xfff000-0x1001000 is outside "
                 "RAM (0x1000000 bytes)");
    std_elf(&im);
    elf_phdr(&im, 2, PT_LOAD, 0x2000, 0x101000, 0xfffff000, 0x10, 0x2000);
    expect_error(&t, &im, NULL,
                 "segment 2 at 0xfffff000-0x100001000 is "
                 "outside RAM (0x1000000 bytes)");
    std_elf(&im);
    elf_phdr(&im, 2, PT_LOAD, 0x2000, 0xb8000, 0xb8000, 0x10, 0x10);
    expect_error(&t, &im, NULL,
                 "segment 2 at 0xb8000-0xb8010 is in the "
                 "reserved area and legacy hole "
                 "0x9fc00-0x100000");
    std_elf(&im);
    elf_phdr(&im, 2, PT_LOAD, 0x2000, 0x9f000, 0x9f000, 0x10, 0x1000);
    expect_error(&t, &im, NULL,
                 "segment 2 at 0x9f000-0xa0000 is in the "
                 "reserved area and legacy hole "
                 "0x9fc00-0x100000");
    std_elf(&im);
    elf_phdr(&im, 2, PT_LOAD, 0x2000, 0x100020, 0x100020, 0x10, 0x10);
    expect_error(&t, &im, NULL,
                 "segment 2 at 0x100020-0x100030 overlaps "
                 "segment 0 at 0x100000-0x100040");
    tmp_done(&t);
}
END_TEST

START_TEST(test_err_info_area_and_entry)
{
    Tmp t;
    Img im;
    char want[256];

    tmp_init(&t);
    std_elf(&im);
    elf_phdr(&im, 2, PT_LOAD, 0x2000, 0x8000, 0x8000, 0x10, 0x1100);
    /* The info area's end depends on the command line (the kernel path),
     * so compute the message the same way. */
    {
        AddressSpace *as = as_new(RAM);
        MultibootBoot boot;
        char err[256];
        Img ok;
        std_elf(&ok);
        const char *k = tmp_file(&t, "bad.elf", ok.buf, ok.len);
        ck_assert_int_eq(
            multiboot_load_image(as, k, "a", NULL, &boot, err, sizeof(err)), 0);
        snprintf(want, sizeof(want),
                 "segment 2 at 0x8000-0x9100 overlaps "
                 "the multiboot information at 0x9000-0x%x",
                 boot.info_addr + boot.info_size);
        as_free(as);
        t.n--;
    }
    expect_error(&t, &im, NULL, want);
    std_elf(&im);
    elf_header(&im, 0x200000, 3);
    expect_error(&t, &im, NULL,
                 "entry point 0x200000 is outside the "
                 "loaded segments");
    std_elf(&im);
    elf_header(&im, 0x100040, 3); /* one past the end of segment 0 */
    expect_error(&t, &im, NULL,
                 "entry point 0x100040 is outside the "
                 "loaded segments");
    tmp_done(&t);
}
END_TEST

START_TEST(test_err_kludge)
{
    Tmp t;
    Img im;

    tmp_init(&t);
    memset(&im, 0, sizeof(im));
    img_fill(&im, 0, 0x400, 1);
    mb_kludge(&im, 0x40, 0x200040, 0x200000, 0x200800, 0, 0x200000);
    expect_error(&t, &im, NULL,
                 "truncated: load_addr..load_end_addr needs "
                 "0x800 bytes from file offset 0x0, the file "
                 "has 0x400");
    mb_kludge(&im, 0x40, 0x1ff000, 0x200000, 0x200100, 0, 0x200000);
    expect_error(&t, &im, NULL,
                 "header_addr 0x1ff000 is below load_addr "
                 "0x200000");
    mb_kludge(&im, 0x40, 0x200040, 0x1ff000, 0x200100, 0, 0x200000);
    expect_error(&t, &im, NULL,
                 "load_addr 0x1ff000 is before the start of "
                 "the file");
    mb_kludge(&im, 0x40, 0x200040, 0x200000, 0x1fff00, 0, 0x200000);
    expect_error(&t, &im, NULL,
                 "load_end_addr 0x1fff00 is below load_addr "
                 "0x200000");
    mb_kludge(&im, 0x40, 0x200040, 0x200000, 0x200100, 0x200080, 0x200000);
    expect_error(&t, &im, NULL,
                 "bss_end_addr 0x200080 is below the end of "
                 "the loaded image 0x200100");
    mb_kludge(&im, 0x40, 0x200040, 0x200000, 0x200100, 0, 0x300000);
    expect_error(&t, &im, NULL,
                 "entry point 0x300000 is outside the loaded "
                 "segments");
    mb_kludge(&im, 0x40, 0xfff040, 0xfff000, 0, 0x1001000, 0xfff000);
    expect_error(&t, &im, NULL,
                 "image 0xfff000-0x1001000 is outside RAM "
                 "(0x1000000 bytes)");
    /* The address fields must lie in the first 8192 bytes. */
    memset(&im, 0, sizeof(im));
    img_fill(&im, 0, 0x2100, 1);
    memset(im.buf, 0, 0x2000);
    mb_kludge(&im, 8180, 0x200000, 0x200000, 0, 0, 0x200000);
    expect_error(&t, &im, NULL,
                 "truncated multiboot header: the address "
                 "fields run past the first 8192 bytes or "
                 "the file");
    tmp_done(&t);
}
END_TEST

START_TEST(test_err_modules)
{
    Tmp t;
    Img im;
    AddressSpace *as = as_new(2 * MiB);
    MultibootBoot boot;
    char err[512], want[512], list[256];
    static uint8_t big[1536 * 1024];
    const char *k, *b;

    tmp_init(&t);
    std_elf(&im);
    k = tmp_file(&t, "k.elf", im.buf, im.len);
    snprintf(list, sizeof(list), "%s/missing.mod arg", t.dir);
    ck_assert_int_eq(
        multiboot_load_image(as, k, NULL, list, &boot, err, sizeof(err)), -1);
    snprintf(want, sizeof(want),
             "%s/missing.mod: No such file "
             "or directory",
             t.dir);
    ck_assert_str_eq(err, want);
    ck_assert_uint_eq(rd32(as, 0x100000), 0); /* nothing loaded */
    /* A module that does not fit in 2 MiB of RAM. */
    b = tmp_file(&t, "big.mod", big, sizeof(big));
    ck_assert_int_eq(
        multiboot_load_image(as, k, NULL, b, &boot, err, sizeof(err)), -1);
    snprintf(want, sizeof(want),
             "%s: module does not fit in RAM "
             "(it would end at 0x283000, RAM ends at 0x200000)",
             b);
    ck_assert_str_eq(err, want);
    /* A trailing comma names an empty file. */
    snprintf(list, sizeof(list), "%s,", k);
    ck_assert_int_eq(
        multiboot_load_image(as, k, NULL, list, &boot, err, sizeof(err)), -1);
    ck_assert_str_eq(err, ": No such file or directory");
    as_free(as);
    tmp_done(&t);
}
END_TEST

START_TEST(test_err_gdt_rom_taken)
{
    Tmp t;
    Img im;
    AddressSpace *as = as_new(RAM);
    MultibootBoot boot;
    char err[512], want[512];
    const char *k;

    tmp_init(&t);
    std_elf(&im);
    k = tmp_file(&t, "k.elf", im.buf, im.len);
    ck_assert_int_eq(as_add_hole(as, "hole", 0xa0000, 0x60000), 0);
    ck_assert_int_eq(
        multiboot_load_image(as, k, NULL, NULL, &boot, err, sizeof(err)), -1);
    snprintf(want, sizeof(want),
             "%s: cannot map the GDT ROM at "
             "0xf0000: the address is taken",
             k);
    ck_assert_str_eq(err, want);
    as_free(as);
    tmp_done(&t);
}
END_TEST

/* ---- hostile images: what a header says never sizes an allocation ----- */

/* Peak resident memory (KiB) and bytes read by this process so far
 * (rchar of /proc/self/io; 0 where the kernel does not give it). */
static void usage_now(uint64_t *maxrss_kib, uint64_t *rchar)
{
    struct rusage ru;
    char line[128];
    FILE *f = fopen("/proc/self/io", "r");

    ck_assert_int_eq(getrusage(RUSAGE_SELF, &ru), 0);
    *maxrss_kib = (uint64_t)ru.ru_maxrss;
    *rchar = 0;
    while (f && fgets(line, sizeof(line), f)) {
        if (!strncmp(line, "rchar: ", 7)) {
            *rchar = strtoull(line + 7, NULL, 10);
        }
    }
    if (f) {
        fclose(f);
    }
}

/* Load KERNEL with INITRD, expecting an error that contains WANT; the
 * load may read at most READ_MAX bytes and grow the process's peak memory
 * by at most RSS_MAX_KIB. */
static void expect_bounded_error(const char *kernel, const char *initrd,
                                 const char *want, uint64_t read_max,
                                 uint64_t rss_max_kib)
{
    AddressSpace *as = as_new(RAM);
    MultibootBoot boot;
    char err[512];
    uint64_t rss0, rd0, rss1, rd1;

    usage_now(&rss0, &rd0);
    ck_assert_int_eq(
        multiboot_load_image(as, kernel, NULL, initrd, &boot, err, sizeof(err)),
        -1);
    usage_now(&rss1, &rd1);
    ck_assert_msg(strstr(err, want), "error '%s', want '%s'", err, want);
    ck_assert_msg(rd1 - rd0 <= read_max, "read %llu bytes (at most %llu)",
                  (unsigned long long)(rd1 - rd0),
                  (unsigned long long)read_max);
    ck_assert_msg(rss1 - rss0 <= rss_max_kib,
                  "peak memory grew by %llu KiB (at most %llu)",
                  (unsigned long long)(rss1 - rss0),
                  (unsigned long long)rss_max_kib);
    as_free(as);
}

/*
 * 20000 program headers 65535 bytes apart: a 1.3 GB table in a sparse
 * file of 4 KiB of data.  Only the 32 bytes of each entry may be read
 * (640 KB), and no copy of the table made.
 */
START_TEST(test_hostile_phdr_table)
{
    Tmp t;
    Img im;
    const char *k;
    int fd;

    tmp_init(&t);
    memset(&im, 0, sizeof(im));
    elf_header(&im, 0x100000, 20000);
    im.buf[offsetof(Elf32_Ehdr, e_phentsize)] = 0xff;
    im.buf[offsetof(Elf32_Ehdr, e_phentsize) + 1] = 0xff;
    mb_header(&im, 0x1000, 0x00000003);
    im.len = 4096 + 12;
    k = tmp_file(&t, "sparse.elf", im.buf, im.len);
    fd = open(k, O_WRONLY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(ftruncate(fd, sizeof(Elf32_Ehdr) + 20000ull * 65535), 0);
    close(fd);
    expect_bounded_error(k, NULL, "no loadable ELF segments", 4u << 20,
                         64u << 10);
    tmp_done(&t);
}
END_TEST

/* 64Ki modules in a 128 KiB list: their command lines cannot fit in the
 * boot information area; saying so must cost memory in proportion to the
 * list, not to its square. */
START_TEST(test_hostile_module_list)
{
    Tmp t;
    Img im;
    const char *k;
    size_t n = 65536;
    char *list = malloc(2 * n);

    tmp_init(&t);
    std_elf(&im);
    k = tmp_file(&t, "k.elf", im.buf, im.len);
    for (size_t i = 0; i < n; i++) {
        list[2 * i] = 'x';
        list[2 * i + 1] = i + 1 < n ? ',' : 0;
    }
    expect_bounded_error(k, list, "no room for the multiboot information",
                         64u << 10, 64u << 10);
    free(list);
    tmp_done(&t);
}
END_TEST

/* 200 modules with 64 file descriptors to spare: each file is open only
 * while it is looked at. */
START_TEST(test_many_modules)
{
    Tmp t;
    Img im;
    AddressSpace *as = as_new(RAM);
    MultibootBoot boot;
    char err[512];
    struct rlimit old, low;
    const char *k, *mod;
    GString *list = g_string_new(NULL);

    tmp_init(&t);
    std_elf(&im);
    k = tmp_file(&t, "k.elf", im.buf, im.len);
    mod = tmp_file(&t, "m.mod", "module", 6);
    for (int i = 0; i < 200; i++) {
        g_string_append_printf(list, "%s%s", i ? "," : "", mod);
    }
    ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
    low = old;
    low.rlim_cur = 64;
    ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
    ck_assert_int_eq(
        multiboot_load_image(as, k, NULL, list->str, &boot, err, sizeof(err)),
        0);
    setrlimit(RLIMIT_NOFILE, &old);
    ck_assert_uint_eq(rd32(as, MULTIBOOT_INFO_ADDR + 20), 200); /* mods */
    ck_assert_uint_eq(boot.mods_end, 0x103000 + 199 * 0x1000 + 6);
    g_string_free(list, TRUE);
    as_free(as);
    tmp_done(&t);
}
END_TEST

/*
 * 65535 one-byte segments side by side (a 2 MiB file): all loaded, and
 * the overlap check takes n log n, not 2 billion comparisons.
 */
START_TEST(test_many_segments)
{
    static Img im;
    Tmp t;
    AddressSpace *as = as_new(RAM);
    MultibootBoot boot;
    char err[512];
    const unsigned n = 65535;
    const char *k;
    uint8_t *buf;
    size_t len = 0x2000 + (size_t)n * sizeof(Elf32_Phdr);
    Elf32_Ehdr *eh;

    tmp_init(&t);
    memset(&im, 0, sizeof(im));
    elf_header(&im, 0x100000, n);
    mb_header(&im, 0x100, 0x00000003);
    buf = calloc(1, len);
    memcpy(buf, im.buf, 0x200);
    eh = (Elf32_Ehdr *)buf;
    eh->e_phoff = 0x2000;
    for (unsigned i = 0; i < n; i++) {
        /* Backwards, so that sorting has work to do. */
        Elf32_Phdr *p = (Elf32_Phdr *)(buf + 0x2000) + i;
        p->p_type = PT_LOAD;
        p->p_paddr = p->p_vaddr = 0x100000 + 2 * (n - 1 - i);
        p->p_memsz = 2;
    }
    k = tmp_file(&t, "many.elf", buf, len);
    ck_assert_int_eq(
        multiboot_load_image(as, k, NULL, NULL, &boot, err, sizeof(err)), 0);
    ck_assert_uint_eq(boot.kernel_start, 0x100000);
    ck_assert_uint_eq(boot.kernel_end, 0x100000 + 2 * n);
    /* One byte moved onto its neighbour is found. */
    ((Elf32_Phdr *)(buf + 0x2000))[1000].p_paddr += 1;
    k = tmp_file(&t, "overlap.elf", buf, len);
    ck_assert_int_eq(
        multiboot_load_image(as, k, NULL, NULL, &boot, err, sizeof(err)), -1);
    ck_assert_msg(strstr(err, "segment 1000 at 0x11f82d-0x11f82f overlaps "
                              "segment 999 at 0x11f82e-0x11f830"),
                  "%s", err);
    free(buf);
    as_free(as);
    tmp_done(&t);
}
END_TEST

static Suite *multiboot_suite(void)
{
    Suite *s = suite_create("multiboot");
    TCase *tc = tcase_create("load");

    tcase_add_test(tc, test_elf_load);
    tcase_add_test(tc, test_elf_no_append);
    tcase_add_test(tc, test_elf_higher_half);
    tcase_add_test(tc, test_aout_kludge);
    tcase_add_test(tc, test_aout_kludge_whole_file);
    tcase_add_test(tc, test_modules);
    tcase_add_test(tc, test_entry_state);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_test(tc, test_err_missing_file);
    tcase_add_test(tc, test_err_header);
    tcase_add_test(tc, test_err_elf);
    tcase_add_test(tc, test_err_segments);
    tcase_add_test(tc, test_err_info_area_and_entry);
    tcase_add_test(tc, test_err_kludge);
    tcase_add_test(tc, test_err_modules);
    tcase_add_test(tc, test_err_gdt_rom_taken);
    suite_add_tcase(s, tc);

    tc = tcase_create("hostile");
    tcase_add_test(tc, test_hostile_phdr_table);
    tcase_add_test(tc, test_hostile_module_list);
    tcase_add_test(tc, test_many_modules);
    tcase_add_test(tc, test_many_segments);
    suite_add_tcase(s, tc);

    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(multiboot_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
