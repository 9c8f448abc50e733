/*
 * Unit tests for devices/chardev-out.c: when buffered output is written
 * (a full batch, a newline after a quiet moment, a few ms after it came,
 * at the end), and the bounds on output a socket does not take.
 */
#define _GNU_SOURCE
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "devices/chardev.h"

typedef struct Target {
    char path[64];
    int fd;
} Target;

static void target_init(Target *t)
{
    strcpy(t->path, "/tmp/test-chardev-out-XXXXXX");
    t->fd = mkstemp(t->path);
    ck_assert_int_ge(t->fd, 0);
}

static void target_done(Target *t)
{
    close(t->fd);
    unlink(t->path);
}

/* Bytes in the file now. */
static long written(const Target *t)
{
    struct stat st;

    ck_assert_int_eq(stat(t->path, &st), 0);
    return (long)st.st_size;
}

/* Run the main loop for MS milliseconds. */
static void run_loop(int ms)
{
    gint64 end = g_get_monotonic_time() + ms * 1000;

    while (g_get_monotonic_time() < end) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(500);
    }
}

/* Run the main loop until the file holds WANT bytes (the time it takes
 * is not judged: the machine may be loaded). */
static void loop_until_written(const Target *t, long want)
{
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    while (written(t) != want && g_get_monotonic_time() < end) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(500);
    }
    ck_assert_int_eq(written(t), want);
}

static CharOut *file_out(Target *t)
{
    CharOutConfig cfg = {.full = CHAR_OUT_WAIT, .batch = CHAR_OUT_BATCH};
    CharOut *o = char_out_new(&cfg);

    char_out_set_fd(o, t->fd);
    return o;
}

START_TEST(test_flush_rules)
{
    static char big[CHAR_OUT_BATCH];
    Target t;
    CharOut *o;

    target_init(&t);
    o = file_out(&t);
    /* A prompt with no newline waits... */
    char_out_write(o, "login: ", 7);
    ck_assert_int_eq(written(&t), 0);
    /* ...for the timer on the main loop. */
    loop_until_written(&t, 7);

    /* A newline after a quiet moment goes out at once. */
    run_loop(CHAR_OUT_FLUSH_MS * 2);
    char_out_write(o, "root\n", 5);
    ck_assert_int_eq(written(&t), 12);
    /* One right after it is streaming output: it waits for the timer, so
     * that a flood of lines is not a write per line. */
    char_out_write(o, "x\n", 2);
    ck_assert_int_eq(written(&t), 12);
    loop_until_written(&t, 14);

    /* A full batch goes at once, newline or not. */
    memset(big, 'b', sizeof(big));
    char_out_write(o, big, sizeof(big) - 1);
    ck_assert_int_eq(written(&t), 14);
    char_out_write(o, "c", 1);
    ck_assert_int_eq(written(&t), 14 + CHAR_OUT_BATCH);
    /* Bigger than a batch in one call: all of it, in order. */
    char_out_write(o, "d", 1);
    char_out_write(o, big, sizeof(big));
    char_out_write(o, big, 3);
    ck_assert_int_ge(written(&t), 14 + 2 * CHAR_OUT_BATCH + 1);

    /* At the end nothing is left behind, without a main loop. */
    char_out_write(o, "end", 3);
    char_out_free(o, 0);
    ck_assert_int_eq(written(&t), 14 + 2 * CHAR_OUT_BATCH + 1 + 3 + 3);
    target_done(&t);
}
END_TEST

/* Byte by byte, as a UART writes, in 64-byte lines: how many writes?
 * A SOCK_SEQPACKET pair keeps each write a record of its own, so the
 * reader counts them. */
START_TEST(test_batches_under_flood)
{
    enum { TOTAL = 8 << 20 };
    CharOutConfig cfg = {.full = CHAR_OUT_WAIT, .batch = CHAR_OUT_BATCH};
    CharOut *o = char_out_new(&cfg);
    static char rec[CHAR_OUT_BATCH + 1];
    size_t got = 0, records = 0, bad = 0;
    pid_t pid;
    int sv[2], st;

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        close(sv[1]);
        char_out_set_fd(o, sv[0]);
        for (size_t i = 0; i < TOTAL; i++) {
            char c = (i & 63) == 63 ? '\n' : (char)('a' + i % 26);
            char_out_write(o, &c, 1);
        }
        char_out_free(o, 0);
        _exit(0);
    }
    close(sv[0]);
    for (;;) {
        ssize_t n = recv(sv[1], rec, sizeof(rec), 0);
        if (n <= 0) {
            break;
        }
        /* Not ck_assert per byte: each one costs Check a write. */
        for (ssize_t i = 0; i < n; i++, got++) {
            bad += rec[i] != ((got & 63) == 63 ? '\n' : 'a' + got % 26);
        }
        records++;
    }
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert_int_eq(st, 0);
    ck_assert_uint_eq(got, TOTAL);
    ck_assert_uint_eq(bad, 0);
    ck_assert_msg(records <= TOTAL / 4096, "%zu writes for %d bytes", records,
                  TOTAL);
    close(sv[1]);
    char_out_free(o, 0);
}
END_TEST

typedef struct Events {
    int drained, broken, overflow;
} Events;

static void on_event(void *opaque, CharOutEvent ev)
{
    Events *e = opaque;

    e->drained += ev == CHAR_OUT_DRAINED;
    e->broken += ev == CHAR_OUT_BROKEN;
    e->overflow += ev == CHAR_OUT_OVERFLOW;
}

START_TEST(test_socket_bounds)
{
    static char chunk[64 << 10];
    Events ev = {0};
    CharOutConfig cfg = {
        .full = CHAR_OUT_SIGNAL,
        .max = 256 << 10,
        .event = on_event,
        .opaque = &ev,
    };
    CharOut *o = char_out_new(&cfg);
    GSocket *s;
    size_t total = 0;
    int sv[2];

    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    s = g_socket_new_from_fd(sv[0], NULL);
    ck_assert_ptr_nonnull(s);
    g_socket_set_blocking(s, FALSE);
    char_out_set_socket(o, s);
    memset(chunk, 'm', sizeof(chunk));
    /* Nobody reads: the socket fills, then the buffer, then it is an
     * overflow; never a wait. */
    for (int i = 0; i < 64 && !ev.overflow; i++) {
        char_out_write(o, chunk, sizeof(chunk));
    }
    ck_assert_int_eq(ev.overflow, 1);
    ck_assert_uint_le(char_out_pending(o), 256 << 10);
    /* The reader catches up: the rest goes from the main loop, then
     * "drained". */
    for (int i = 0; i < 2000 && !ev.drained; i++) {
        ssize_t n = recv(sv[1], chunk, sizeof(chunk), MSG_DONTWAIT);
        total += n > 0 ? (size_t)n : 0;
        g_main_context_iteration(NULL, FALSE);
    }
    ck_assert_int_eq(ev.drained, 1);
    ck_assert_uint_eq(char_out_pending(o), 0);
    /* The peer goes: "broken" once, output dropped after. */
    close(sv[1]);
    char_out_write(o, "x", 1);
    char_out_write(o, "y", 1);
    ck_assert_int_eq(ev.broken, 1);
    ck_assert(char_out_broken(o));
    ck_assert_uint_eq(char_out_pending(o), 0);
    char_out_free(o, 0);
    g_object_unref(s);
}
END_TEST

static Suite *chardev_out_suite(void)
{
    Suite *s = suite_create("chardev-out");
    TCase *tc = tcase_create("out");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_flush_rules);
    tcase_add_test(tc, test_batches_under_flood);
    tcase_add_test(tc, test_socket_bounds);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(chardev_out_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
