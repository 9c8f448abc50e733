/*
 * Unit tests for the socket side of the character devices
 * (devices/chardev-socket.c, devices/chardev.c): input reaches the device
 * through chardev_poll(), output reaches the client, clients come and go,
 * a client that stops reading never stalls the writer, and a socket path
 * in use (by anyone) is refused and never removed.
 *
 * There is no main loop here: the tests iterate the default GLib context
 * themselves, which is where the listener accepts and late output goes.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
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

static void iterate(void)
{
    while (g_main_context_iteration(NULL, FALSE)) {
    }
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

/* A listener of "another process": a plain socket bound at PATH. */
static int foreign_listener(const char *path)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    ck_assert_int_eq(listen(fd, 4), 0);
    return fd;
}

/* Poll until the sink holds WANT bytes (the client is accepted on the
 * main loop, its input read by chardev_poll). */
static void poll_until(CharDev *chr, Sink *k, size_t want)
{
    for (int i = 0; i < 200 && k->len < want; i++) {
        iterate();
        chardev_poll(chr);
        if (k->len < want) {
            usleep(5000);
        }
    }
    ck_assert_uint_eq(k->len, want);
}

/* Read exactly WANT from FD within a second, running the main loop
 * meanwhile (the chardev flushes from there). */
static void client_expect(int fd, const char *want)
{
    char buf[256];
    size_t len = strlen(want), got = 0;

    for (int i = 0; got < len && i < 200; i++) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        ssize_t n;

        iterate();
        if (poll(&p, 1, 5) != 1) {
            continue;
        }
        n = read(fd, buf + got, len - got);
        ck_assert_int_gt(n, 0);
        got += (size_t)n;
    }
    ck_assert_uint_eq(got, len);
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
    /* Without a newline: handed over at the end of the slice, and out
     * within a few ms, from the main loop. */
    chardev_write(chr, (const uint8_t *)"prompt> ", 8);
    chardev_sync(chr);
    client_expect(c, "prompt> ");
    /* Buffered output is not lost when the backend goes. */
    chardev_write(chr, (const uint8_t *)"bye", 3);
    chardev_free(chr);
    client_expect(c, "bye");
    close(c);
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
    /* A second client waits while the first is served. */
    c2 = client_connect(f.path);
    ck_assert_int_eq(write(c2, "b", 1), 1);
    iterate();
    chardev_poll(chr);
    ck_assert_uint_eq(k.len, 1);
    close(c1);
    /* The hang-up is seen in poll; the waiting client is taken next. */
    poll_until(chr, &k, 2);
    ck_assert_mem_eq(k.buf, "ab", 2);
    chardev_write(chr, (const uint8_t *)"to-b", 4);
    chardev_sync(chr);
    client_expect(c2, "to-b");

    /* A client gone while output is pending: EPIPE, no SIGPIPE, and the
     * next client gets what is written after. */
    close(c2);
    for (int i = 0; i < 4; i++) {
        chardev_write(chr, (const uint8_t *)"lost\n", 5);
        iterate();
    }
    c1 = client_connect(f.path);
    ck_assert_int_eq(write(c1, "c", 1), 1);
    poll_until(chr, &k, 3);
    chardev_write(chr, (const uint8_t *)"to-c", 4);
    chardev_sync(chr);
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
    /* No device attached: the client is accepted all the same. */
    iterate();
    chardev_poll(chr);
    memset(chunk, 'x', sizeof(chunk));
    t0 = now_s();
    for (int i = 0; i < 160; i++) { /* 10 MiB, never read */
        chardev_write(chr, chunk, sizeof(chunk));
        iterate();
    }
    ck_assert_msg(now_s() - t0 < 1.0, "10 MiB took %.2f s", now_s() - t0);
    t0 = now_s();
    chardev_free(chr); /* gives up on the rest soon */
    ck_assert_msg(now_s() - t0 < 1.0, "free took %.2f s", now_s() - t0);
    close(c);
    fixture_done(&f);
}
END_TEST

START_TEST(test_path_in_use)
{
    Fixture f;
    char err[512];
    CharDev *chr, *again;
    int fd;

    fixture_init(&f);
    /* Our own live listener (a monitor, another guest's port): refused,
     * and it keeps working. */
    chr = chardev_new(f.spec, err, sizeof(err));
    ck_assert_msg(chr, "%s", err);
    again = chardev_new(f.spec, err, sizeof(err));
    ck_assert_ptr_null(again);
    ck_assert_msg(strstr(err, "is in use: a server listens there (not "
                              "replaced)"),
                  "%s", err);
    ck_assert_ptr_null(strchr(err, '\n'));
    fd = client_connect(f.path);
    close(fd);
    chardev_free(chr);

    /* Another process's listener: refused, left alone. */
    fd = foreign_listener(f.path);
    ck_assert_ptr_null(chardev_new(f.spec, err, sizeof(err)));
    ck_assert_msg(strstr(err, "is in use"), "%s", err);
    close(client_connect(f.path));
    close(fd); /* its socket file stays: stale now */

    /* A stale socket nobody listens on is replaced. */
    chr = chardev_new(f.spec, err, sizeof(err));
    ck_assert_msg(chr, "%s", err);
    chardev_free(chr);

    /* A file that is not a socket is left alone: one clear error. */
    fclose(fopen(f.path, "w"));
    ck_assert_ptr_null(chardev_new(f.spec, err, sizeof(err)));
    ck_assert_msg(strstr(err, "exists and is not a socket (not replaced)"),
                  "%s", err);
    ck_assert_int_eq(access(f.path, F_OK), 0);
    fixture_done(&f);
}
END_TEST

START_TEST(test_free_leaves_foreign_path)
{
    Fixture f;
    char err[256];
    CharDev *chr;
    struct stat st;
    int fd;

    fixture_init(&f);
    chr = chardev_new(f.spec, err, sizeof(err));
    ck_assert_msg(chr, "%s", err);
    /* Someone else removes our socket file and puts theirs there. */
    ck_assert_int_eq(unlink(f.path), 0);
    fd = foreign_listener(f.path);
    chardev_free(chr);
    ck_assert_int_eq(lstat(f.path, &st), 0);
    close(client_connect(f.path));
    close(fd);
    fixture_done(&f);
}
END_TEST

START_TEST(test_socket_mode)
{
    Fixture f;
    char err[256];
    CharDev *chr;
    struct stat st;
    mode_t old = umask(0);

    fixture_init(&f);
    chr = chardev_new(f.spec, err, sizeof(err));
    umask(old);
    ck_assert_msg(chr, "%s", err);
    ck_assert_int_eq(lstat(f.path, &st), 0);
    ck_assert(S_ISSOCK(st.st_mode));
    ck_assert_uint_eq(st.st_mode & 0777, 0600);
    chardev_free(chr);
    fixture_done(&f);
}
END_TEST

static void on_accept(void *opaque, GSocket *conn)
{
    int *n = opaque;

    (*n)++;
    g_object_unref(conn);
}

START_TEST(test_tcp)
{
    char err[256], spec[64];
    CharSpec cs;
    CharListener *l;
    CharDev *chr;
    struct sockaddr_in a = {.sin_family = AF_INET};
    int accepted = 0, fd;

    ck_assert_int_eq(chardev_spec_parse("tcp:127.0.0.1:0,server,nowait", &cs,
                                        err, sizeof(err)),
                     0);
    l = chardev_listen(&cs, "tcp:127.0.0.1:0", on_accept, &accepted, err,
                       sizeof(err));
    ck_assert_msg(l, "%s", err);
    ck_assert_uint_ne(chardev_listener_port(l), 0);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_port = htons(chardev_listener_port(l));
    a.sin_addr.s_addr = htonl(0x7f000001);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    for (int i = 0; i < 200 && !accepted; i++) {
        iterate();
        usleep(1000);
    }
    ck_assert_int_eq(accepted, 1);
    /* The port is taken: a second listener there is refused. */
    snprintf(spec, sizeof(spec), "tcp:127.0.0.1:%u", chardev_listener_port(l));
    ck_assert_ptr_null(chardev_new(spec, err, sizeof(err)));
    close(fd);
    chardev_listener_free(l);
    chardev_spec_clear(&cs);

    chr = chardev_new("tcp:localhost:0", err, sizeof(err));
    ck_assert_msg(chr, "%s", err);
    chardev_free(chr);
}
END_TEST

START_TEST(test_specs)
{
    static const struct {
        const char *spec, *err;
    } bad[] = {
        {"unix:", "unix:: give a socket path after unix:"},
        {"unix:/tmp/x,wait", "unix:/tmp/x,wait: unsupported option 'wait' "
                             "(softvisor only serves: server,nowait)"},
        {"tcp:1", "tcp:1: expected tcp:HOST:PORT"},
        {"tcp:127.0.0.1:x", "tcp:127.0.0.1:x: bad port (0-65535)"},
        {"tcp:127.0.0.1:65536", "tcp:127.0.0.1:65536: bad port (0-65535)"},
        {"tcp:0.0.0.0:4444", "tcp:0.0.0.0:4444: only a loopback address may "
                             "listen (127.0.0.1, ::1 or localhost)"},
        {"tcp::4444", "tcp::4444: only a loopback address may listen "
                      "(127.0.0.1, ::1 or localhost)"},
        {"file:", "file:: give a path after file:"},
    };
    char err[256], longpath[200];
    CharSpec cs;

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        ck_assert_int_eq(chardev_spec_check(bad[i].spec, err, sizeof(err)), -1);
        ck_assert_str_eq(err, bad[i].err);
    }
    memset(longpath, 'a', sizeof(longpath) - 1);
    longpath[sizeof(longpath) - 1] = 0;
    memcpy(longpath, "unix:/", 6);
    ck_assert_int_eq(chardev_spec_check(longpath, err, sizeof(err)), -1);
    ck_assert(strstr(err, "socket path longer than 107 bytes"));

    ck_assert_int_eq(chardev_spec_parse("unix:/tmp/x,server=on,wait=off", &cs,
                                        err, sizeof(err)),
                     0);
    ck_assert_int_eq(cs.kind, CHAR_UNIX);
    ck_assert_str_eq(cs.path, "/tmp/x");
    chardev_spec_clear(&cs);
    ck_assert_int_eq(
        chardev_spec_parse("tcp:[::1]:4444,server", &cs, err, sizeof(err)), 0);
    ck_assert_int_eq(cs.kind, CHAR_TCP);
    ck_assert_str_eq(cs.host, "::1");
    ck_assert_uint_eq(cs.port, 4444);
    chardev_spec_clear(&cs);
    ck_assert_int_eq(chardev_spec_parse("file:/tmp/a,b", &cs, err, sizeof(err)),
                     0);
    ck_assert_str_eq(cs.path, "/tmp/a,b");
    chardev_spec_clear(&cs);
}
END_TEST

static Suite *chardev_unix_suite(void)
{
    Suite *s = suite_create("chardev-unix");
    TCase *tc = tcase_create("unix");

    tcase_add_test(tc, test_input_output);
    tcase_add_test(tc, test_reconnect);
    tcase_add_test(tc, test_slow_client_never_blocks);
    tcase_add_test(tc, test_path_in_use);
    tcase_add_test(tc, test_free_leaves_foreign_path);
    tcase_add_test(tc, test_socket_mode);
    tcase_add_test(tc, test_tcp);
    tcase_add_test(tc, test_specs);
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
