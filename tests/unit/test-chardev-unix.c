/*
 * Unit tests for the unix-socket chardev backend (devices/chardev-socket.c):
 * input reaches the device through chardev_poll(), output reaches the
 * client, clients come and go, and a client that stops reading never
 * stalls the writer.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "devices/chardev.h"

typedef struct Sink {
    uint8_t buf[4096];
    size_t len;
    size_t room; /* what can_receive reports; receiving uses it up */
} Sink;

static size_t sink_can_receive(void *opaque)
{
    Sink *k = opaque;

    return k->room;
}

static void sink_receive(void *opaque, const uint8_t *buf, size_t len)
{
    Sink *k = opaque;

    ck_assert_uint_le(len, k->room);
    ck_assert_uint_le(k->len + len, sizeof(k->buf));
    memcpy(k->buf + k->len, buf, len);
    k->len += len;
    k->room -= len;
}

/* Each test's socket lives in its own temporary directory. */
typedef struct Fixture {
    char dir[64];
    char path[96];
    char spec[128];
} Fixture;

static void fixture_init(Fixture *f)
{
    snprintf(f->dir, sizeof(f->dir), "/tmp/sv-chr-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/serial.sock", f->dir);
    snprintf(f->spec, sizeof(f->spec), "unix:%s,server,nowait", f->path);
}

static void fixture_done(Fixture *f)
{
    unlink(f->path);
    rmdir(f->dir);
}

static int client_connect(const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    ck_assert_int_ge(fd, 0);
    snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    return fd;
}

/* Poll until the sink holds WANT bytes (the chardev sees the client only
 * once it accepts it, from chardev_poll). */
static void poll_until(CharDev *chr, Sink *k, size_t want)
{
    for (int i = 0; i < 200 && k->len < want; i++) {
        chardev_poll(chr);
        if (k->len < want) {
            usleep(5000);
        }
    }
    ck_assert_uint_eq(k->len, want);
}

/* Read exactly LEN bytes from FD within a second. */
static void client_expect(int fd, const char *want)
{
    char buf[256];
    size_t len = strlen(want), got = 0;

    while (got < len) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        ssize_t n;

        ck_assert_int_eq(poll(&p, 1, 1000), 1);
        n = read(fd, buf + got, len - got);
        ck_assert_int_gt(n, 0);
        got += (size_t)n;
    }
    ck_assert_mem_eq(buf, want, len);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

START_TEST(test_input_output)
{
    Fixture f;
    Sink k = {.room = 3};
    char err[256];
    CharDev *chr;
    int c;

    fixture_init(&f);
    chr = chardev_new(f.spec, err, sizeof(err));
    ck_assert_msg(chr, "%s", err);
    chardev_set_handlers(chr, sink_can_receive, sink_receive, &k);
    c = client_connect(f.path);
    ck_assert_int_eq(write(c, "hello", 5), 5);
    /* The device takes 3 bytes; the rest waits in the socket. */
    poll_until(chr, &k, 3);
    chardev_poll(chr);
    ck_assert_uint_eq(k.len, 3);
    ck_assert_uint_eq(k.room, 0);
    k.room = 100;
    poll_until(chr, &k, 5);
    ck_assert_mem_eq(k.buf, "hello", 5);

    chardev_write(chr, (const uint8_t *)"world\n", 6);
    client_expect(c, "world\n");
    close(c);
    chardev_free(chr);
    /* The socket file goes with the backend. */
    ck_assert_int_ne(access(f.path, F_OK), 0);
    fixture_done(&f);
}
END_TEST

START_TEST(test_reconnect)
{
    Fixture f;
    Sink k = {.room = 100};
    char err[256];
    CharDev *chr;
    int c1, c2;

    fixture_init(&f);
    chr = chardev_new(f.spec, err, sizeof(err));
    ck_assert_msg(chr, "%s", err);
    chardev_set_handlers(chr, sink_can_receive, sink_receive, &k);
    c1 = client_connect(f.path);
    ck_assert_int_eq(write(c1, "a", 1), 1);
    poll_until(chr, &k, 1);
    /* A second client waits in the backlog while the first is served. */
    c2 = client_connect(f.path);
    ck_assert_int_eq(write(c2, "b", 1), 1);
    chardev_poll(chr);
    ck_assert_uint_eq(k.len, 1);
    close(c1);
    /* The hang-up is seen in poll; the waiting client is taken next. */
    poll_until(chr, &k, 2);
    ck_assert_mem_eq(k.buf, "ab", 2);
    chardev_write(chr, (const uint8_t *)"to-b", 4);
    client_expect(c2, "to-b");

    /* A client gone while output is pending: EPIPE, no SIGPIPE, and the
     * next client gets what is written after. */
    close(c2);
    for (int i = 0; i < 4; i++) {
        chardev_write(chr, (const uint8_t *)"lost", 4);
    }
    c1 = client_connect(f.path);
    ck_assert_int_eq(write(c1, "c", 1), 1);
    poll_until(chr, &k, 3);
    chardev_write(chr, (const uint8_t *)"to-c", 4);
    client_expect(c1, "to-c");
    close(c1);
    chardev_free(chr);
    fixture_done(&f);
}
END_TEST

START_TEST(test_slow_client_never_blocks)
{
    Fixture f;
    char err[256];
    CharDev *chr;
    static uint8_t chunk[64 << 10];
    double t0;
    int c;

    fixture_init(&f);
    chr = chardev_new(f.spec, err, sizeof(err));
    ck_assert_msg(chr, "%s", err);
    c = client_connect(f.path);
    /* No device attached: poll still accepts the client. */
    chardev_poll(chr);
    memset(chunk, 'x', sizeof(chunk));
    t0 = now_s();
    for (int i = 0; i < 160; i++) { /* 10 MiB, never read */
        chardev_write(chr, chunk, sizeof(chunk));
    }
    ck_assert_msg(now_s() - t0 < 1.0, "10 MiB took %.2f s", now_s() - t0);
    close(c);
    chardev_free(chr);
    fixture_done(&f);
}
END_TEST

START_TEST(test_errors)
{
    Fixture f;
    char err[256];
    CharDev *chr, *stale;
    FILE *fp;

    fixture_init(&f);
    /* A stale socket from an earlier run is replaced. */
    stale = chardev_new(f.spec, err, sizeof(err));
    ck_assert_msg(stale, "%s", err);
    chr = chardev_new(f.spec, err, sizeof(err));
    ck_assert_msg(chr, "%s", err);
    chardev_free(chr);
    chardev_free(stale);

    /* A file that is not a socket is left alone: one clear error. */
    fp = fopen(f.path, "w");
    ck_assert_ptr_nonnull(fp);
    fclose(fp);
    ck_assert_ptr_null(chardev_new(f.spec, err, sizeof(err)));
    ck_assert_msg(strstr(err, "cannot listen on"), "%s", err);
    ck_assert_ptr_null(strchr(err, '\n'));
    ck_assert_int_eq(access(f.path, F_OK), 0);

    ck_assert_ptr_null(chardev_new("unix:", err, sizeof(err)));
    ck_assert_ptr_null(chardev_new("unix:/tmp/x,wait", err, sizeof(err)));
    ck_assert_msg(strstr(err, "'wait'"), "%s", err);
    ck_assert_int_eq(chardev_spec_check("unix:/tmp/x,server,nowait", err,
                                        sizeof(err)),
                     0);
    ck_assert_int_eq(chardev_spec_check("tcp:1", err, sizeof(err)), -1);
    fixture_done(&f);
}
END_TEST

static Suite *chardev_unix_suite(void)
{
    Suite *s = suite_create("chardev-unix");
    TCase *tc = tcase_create("unix");

    tcase_add_test(tc, test_input_output);
    tcase_add_test(tc, test_reconnect);
    tcase_add_test(tc, test_slow_client_never_blocks);
    tcase_add_test(tc, test_errors);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(chardev_unix_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
