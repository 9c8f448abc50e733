/*
 * Unit tests for devices/pc.c: the PC board's wiring (legacy hole around
 * the loader's ROM, COM1, isa-debug-exit, debug console, POST), its error
 * messages, and two boards in one process staying apart.
 */
#include <check.h>
#include <stdlib.h>

#include "devices/pc.h"
#include "tests/unit/mb-image.h"

/* ---- the PC board ----------------------------------------------------------
 */

START_TEST(test_pc_board)
{
    Tmp t;
    Img im;
    PCConfig cfg = {.ram_size = RAM, .serial = "null"};
    char err[512];
    Machine *m;

    tmp_init(&t);
    std_elf(&im);
    cfg.kernel = tmp_file(&t, "k.elf", im.buf, im.len);
    m = pc_new(&cfg, err, sizeof(err));
    ck_assert_msg(m != NULL, "%s", err);
    ck_assert(!pc_no_reboot(m));
    /* Legacy hole around the GDT ROM. */
    ck_assert_uint_eq(rd32(m->as, 0xa0000), 0xffffffff);
    ck_assert_uint_eq(rd32(m->as, 0xb8000), 0xffffffff);
    ck_assert_uint_eq(rd32(m->as, 0xffffc), 0xffffffff);
    ck_assert_uint_eq(rd32(m->as, 0xf000c), 0x00cf9b00);
    ck_assert_uint_eq(rd32(m->as, 0x9fffc), 0);
    /* Kernel and entry state. */
    ck_assert_uint_eq(m->cpu.eip, 0x100010);
    ck_assert_uint_eq(m->cpu.regs[R_EAX], MULTIBOOT_BOOTLOADER_MAGIC);
    /* COM1, the debug console, POST. */
    ck_assert_uint_eq(ports_read(m->ports, 0x3fd, 1), 0x60);
    ck_assert_uint_eq(ports_read(m->ports, 0xe9, 1), 0xe9);
    ports_write(m->ports, 0x80, 0x42, 1);
    ck_assert_uint_eq(ports_read(m->ports, 0x80, 1), 0x42);
    ck_assert_uint_eq(ports_read(m->ports, 0x2f8, 1), 0xff); /* no COM2 */
    ck_assert_int_ge(m->npolls, 1);
    for (int i = 0; i < m->npolls; i++) {
        m->poll_fn[i](m->poll_opaque[i]);
    }
    /* isa-debug-exit: status (value << 1) | 1. */
    ck_assert_uint_eq(ports_read(m->ports, 0xf4, 4), 0);
    ports_write(m->ports, 0xf4, 0x10, 4);
    ck_assert_int_eq(m->status, MACHINE_ENDED);
    ck_assert_int_eq(m->exit_status, 0x21);
    pc_free(m);
    tmp_done(&t);
}
END_TEST

START_TEST(test_pc_debug_exit_config)
{
    Tmp t;
    Img im;
    PCConfig cfg = {.ram_size = RAM,
                    .serial = "null",
                    .no_reboot = true,
                    .debug_exit_iobase = 0x501,
                    .debug_exit_iosize = 2};
    char err[512];
    Machine *m;

    tmp_init(&t);
    std_elf(&im);
    cfg.kernel = tmp_file(&t, "k.elf", im.buf, im.len);
    m = pc_new(&cfg, err, sizeof(err));
    ck_assert_msg(m != NULL, "%s", err);
    ck_assert(pc_no_reboot(m));
    ck_assert_uint_eq(ports_read(m->ports, 0xf4, 1), 0xff);
    ports_write(m->ports, 0x503, 1, 1); /* outside the range */
    ck_assert_int_ne(m->status, MACHINE_ENDED);
    ports_write(m->ports, 0x501, 0x80, 1);
    ck_assert_int_eq(m->status, MACHINE_ENDED);
    ck_assert_int_eq(m->exit_status, 0x101);
    pc_free(m);
    tmp_done(&t);
}
END_TEST

START_TEST(test_pc_errors)
{
    Tmp t;
    Img im;
    PCConfig cfg = {.ram_size = RAM, .serial = "null"};
    char err[512], want[512];

    tmp_init(&t);
    ck_assert_ptr_null(pc_new(&cfg, err, sizeof(err)));
    ck_assert_str_eq(err, "no kernel to boot (-kernel); BIOS boot "
                          "is not supported yet");
    memset(&im, 0, sizeof(im));
    im.len = 64;
    cfg.kernel = tmp_file(&t, "plain.bin", im.buf, im.len);
    ck_assert_ptr_null(pc_new(&cfg, err, sizeof(err)));
    snprintf(want, sizeof(want),
             "%s: not a multiboot image (no "
             "header in the first 8192 bytes)",
             cfg.kernel);
    ck_assert_str_eq(err, want);
    cfg.serial = "pty";
    ck_assert_ptr_null(pc_new(&cfg, err, sizeof(err)));
    ck_assert_str_eq(err, "-serial pty: unknown character device "
                          "(expected stdio, file:PATH, unix:PATH[,server][,nowait] or null)");
    cfg.serial = "null";
    cfg.debugcon = "file:/nonexistent/dir";
    ck_assert_ptr_null(pc_new(&cfg, err, sizeof(err)));
    ck_assert_str_eq(err, "-debugcon file:/nonexistent/dir: No "
                          "such file or directory");
    cfg.debugcon = NULL;
    cfg.debug_exit_iobase = 0x3f8;
    ck_assert_ptr_null(pc_new(&cfg, err, sizeof(err)));
    ck_assert_str_eq(err, "cannot add isa-debug-exit at 0x3f8 "
                          "(size 4): ports taken or out of range");
    tmp_done(&t);
}
END_TEST

START_TEST(test_two_pcs_separate)
{
    Tmp t;
    Img im;
    PCConfig cfg = {.ram_size = RAM, .serial = "null"};
    char err[512];
    Machine *a, *b;

    tmp_init(&t);
    std_elf(&im);
    cfg.kernel = tmp_file(&t, "k.elf", im.buf, im.len);
    a = pc_new(&cfg, err, sizeof(err));
    b = pc_new(&cfg, err, sizeof(err));
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ports_write(a->ports, 0x3ff, 0x11, 1);
    ports_write(b->ports, 0x3ff, 0x22, 1);
    ck_assert_uint_eq(ports_read(a->ports, 0x3ff, 1), 0x11);
    ck_assert_uint_eq(ports_read(b->ports, 0x3ff, 1), 0x22);
    as_write(a->as, 0x100000, 0xabcd, 2);
    ck_assert_uint_ne(as_read(b->as, 0x100000, 2), 0xabcd);
    ports_write(a->ports, 0xf4, 1, 1);
    ck_assert_int_eq(a->status, MACHINE_ENDED);
    ck_assert_int_ne(b->status, MACHINE_ENDED);
    pc_free(a);
    pc_free(b);
    tmp_done(&t);
}
END_TEST

static Suite *pc_suite(void)
{
    Suite *s = suite_create("pc");
    TCase *tc = tcase_create("board");

    tcase_add_test(tc, test_pc_board);
    tcase_add_test(tc, test_pc_debug_exit_config);
    tcase_add_test(tc, test_pc_errors);
    tcase_add_test(tc, test_two_pcs_separate);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pc_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
