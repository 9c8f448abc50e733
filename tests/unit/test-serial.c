/*
 * Unit tests for devices/serial.c (16550A register semantics, FIFOs,
 * loopback, interrupt identification and the interrupt line),
 * devices/chardev.c and devices/debugcon.c.
 */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/chardev.h"
#include "devices/debugcon.h"
#include "devices/serial.h"
#include "memory/memory.h"

#define BASE 0x3f8
#define RBR 0
#define IER 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

typedef struct Line {
    int level;
    unsigned rises, falls;
    int n;
} Line;

static void line_set(void *opaque, int n, int level)
{
    Line *l = opaque;

    l->n = n;
    if (level && !l->level) {
        l->rises++;
    } else if (!level && l->level) {
        l->falls++;
    }
    l->level = level;
}

typedef struct Uart {
    PortSpace *ps;
    SerialState *s;
    CharDev *chr;
    Line line;
    char path[64];
} Uart;

/* A UART on a port space with its output in a temporary file. */
static Uart *uart_new(void)
{
    Uart *u = calloc(1, sizeof(*u));
    char spec[80], err[256];
    int fd;

    strcpy(u->path, "/tmp/test-serial-XXXXXX");
    fd = mkstemp(u->path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    snprintf(spec, sizeof(spec), "file:%s", u->path);
    u->chr = chardev_new(spec, err, sizeof(err));
    ck_assert_ptr_nonnull(u->chr);
    u->ps = ports_new();
    u->s = serial_new(u->ps, BASE, u->chr, (IrqLine){line_set, &u->line, 4});
    ck_assert_ptr_nonnull(u->s);
    return u;
}

static void uart_free(Uart *u)
{
    ports_free(u->ps);
    serial_free(u->s);
    chardev_free(u->chr);
    unlink(u->path);
    free(u);
}

static uint8_t rd(Uart *u, unsigned reg)
{
    return (uint8_t)ports_read(u->ps, BASE + reg, 1);
}

static void wr(Uart *u, unsigned reg, uint8_t v)
{
    ports_write(u->ps, BASE + reg, v, 1);
}

static void rx(Uart *u, const char *bytes)
{
    serial_receive(u->s, (const uint8_t *)bytes, strlen(bytes));
}

static size_t output(Uart *u, char *buf, size_t len)
{
    FILE *f;

    chardev_flush(u->chr); /* output is buffered (CharOut) */
    f = fopen(u->path, "rb");
    size_t n = fread(buf, 1, len - 1, f);

    fclose(f);
    buf[n] = 0;
    return n;
}

/* ---- registers ---------------------------------------------------------- */

START_TEST(test_reset_state)
{
    Uart *u = uart_new();

    ck_assert_uint_eq(rd(u, IER), 0);
    ck_assert_uint_eq(rd(u, IIR), 0x01);
    ck_assert_uint_eq(rd(u, LCR), 0);
    ck_assert_uint_eq(rd(u, MCR), 0);
    ck_assert_uint_eq(rd(u, LSR), 0x60);
    ck_assert_uint_eq(rd(u, MSR), 0xb0); /* CTS DSR DCD, no deltas */
    ck_assert_int_eq(u->line.level, 0);
    ck_assert_int_eq(serial_irq_level(u->s), 0);
    uart_free(u);
}
END_TEST

START_TEST(test_scratch_and_masks)
{
    Uart *u = uart_new();

    wr(u, SCR, 0xa5);
    ck_assert_uint_eq(rd(u, SCR), 0xa5);
    wr(u, IER, 0xff);
    ck_assert_uint_eq(rd(u, IER), 0x0f); /* bits 4-7 are zero */
    wr(u, MCR, 0xff);
    ck_assert_uint_eq(rd(u, MCR), 0x1f); /* bits 5-7 are zero */
    wr(u, LCR, 0x1b);
    ck_assert_uint_eq(rd(u, LCR), 0x1b);
    uart_free(u);
}
END_TEST

START_TEST(test_dlab)
{
    Uart *u = uart_new();
    char out[16];

    wr(u, IER, 0x05);
    wr(u, LCR, 0x83);
    wr(u, RBR, 0x01); /* DLL */
    wr(u, IER, 0x00); /* DLM */
    ck_assert_uint_eq(rd(u, RBR), 0x01);
    ck_assert_uint_eq(rd(u, IER), 0x00);
    wr(u, IER, 0x02);
    ck_assert_uint_eq(rd(u, IER), 0x02);
    ck_assert_uint_eq(rd(u, LCR), 0x83);
    ck_assert_uint_eq(output(u, out, sizeof(out)), 0); /* nothing sent */
    wr(u, LCR, 0x03);
    ck_assert_uint_eq(rd(u, IER), 0x05); /* IER was not touched */
    wr(u, RBR, 'Z');
    ck_assert_uint_eq(output(u, out, sizeof(out)), 1);
    ck_assert_str_eq(out, "Z");
    /* A 16-bit access to DLL/DLM reaches both as bytes. */
    wr(u, LCR, 0x80);
    ports_write(u->ps, BASE, 0x0180, 2);
    ck_assert_uint_eq(ports_read(u->ps, BASE, 2), 0x0180);
    ck_assert_uint_eq(rd(u, IER), 0x01);
    uart_free(u);
}
END_TEST

START_TEST(test_transmit)
{
    Uart *u = uart_new();
    char out[64];

    for (const char *p = "hello, world\n"; *p; p++) {
        ck_assert(rd(u, LSR) & 0x20);
        wr(u, RBR, (uint8_t)*p);
        /* Sent at once: THRE and TEMT stay set. */
        ck_assert_uint_eq(rd(u, LSR) & 0x60, 0x60);
    }
    output(u, out, sizeof(out));
    ck_assert_str_eq(out, "hello, world\n");
    uart_free(u);
}
END_TEST

START_TEST(test_thre_interrupt)
{
    Uart *u = uart_new();

    wr(u, IER, 0x02); /* enabling ETBEI with THR empty interrupts */
    ck_assert_int_eq(u->line.level, 1);
    ck_assert_int_eq(u->line.n, 4);
    ck_assert_uint_eq(rd(u, IIR), 0x02);
    /* The IIR read that reported THRE cleared it. */
    ck_assert_int_eq(u->line.level, 0);
    ck_assert_uint_eq(rd(u, IIR), 0x01);
    /* A THR write re-arms it, with a fresh edge. */
    unsigned rises = u->line.rises;
    wr(u, RBR, 'x');
    ck_assert_int_eq(u->line.level, 1);
    ck_assert_uint_eq(u->line.rises, rises + 1);
    /* While pending, a THR write drops and raises the line again. */
    unsigned falls = u->line.falls;
    wr(u, RBR, 'y');
    ck_assert_uint_eq(u->line.falls, falls + 1);
    ck_assert_uint_eq(u->line.rises, rises + 2);
    ck_assert_int_eq(u->line.level, 1);
    /* Disabling ETBEI hides it; re-enabling raises it. */
    wr(u, IER, 0x00);
    ck_assert_int_eq(u->line.level, 0);
    ck_assert_uint_eq(rd(u, IIR), 0x01);
    wr(u, IER, 0x02);
    ck_assert_int_eq(u->line.level, 1);
    /* Rewriting IER with ETBEI still set does not raise it again. */
    rd(u, IIR);
    wr(u, IER, 0x02);
    ck_assert_int_eq(u->line.level, 0);
    uart_free(u);
}
END_TEST

/* ---- receiver, 16450 mode ----------------------------------------------- */

START_TEST(test_rx_no_fifo)
{
    Uart *u = uart_new();

    ck_assert_uint_eq(serial_can_receive(u->s), 1);
    rx(u, "a");
    ck_assert_uint_eq(serial_can_receive(u->s), 0);
    ck_assert_uint_eq(rd(u, LSR), 0x61);
    ck_assert_int_eq(u->line.level, 0); /* ERBFI off */
    wr(u, IER, 0x01);
    ck_assert_int_eq(u->line.level, 1);
    ck_assert_uint_eq(rd(u, IIR), 0x04);
    ck_assert_uint_eq(rd(u, RBR), 'a');
    ck_assert_int_eq(u->line.level, 0);
    ck_assert_uint_eq(rd(u, LSR), 0x60);
    ck_assert_uint_eq(rd(u, IIR), 0x01);
    /* An empty RBR reads the last character again. */
    ck_assert_uint_eq(rd(u, RBR), 'a');

    /* Overrun: the new character replaces the unread one. */
    rx(u, "bc");
    ck_assert_uint_eq(rd(u, LSR), 0x63);
    ck_assert_uint_eq(rd(u, LSR), 0x61); /* OE cleared by the read */
    ck_assert_uint_eq(rd(u, RBR), 'c');
    uart_free(u);
}
END_TEST

START_TEST(test_line_status_interrupt)
{
    Uart *u = uart_new();

    wr(u, IER, 0x0f);
    rd(u, IIR); /* drop THRE */
    ck_assert_int_eq(u->line.level, 0);
    rx(u, "ab"); /* overrun */
    ck_assert_int_eq(u->line.level, 1);
    ck_assert_uint_eq(rd(u, IIR), 0x06); /* line status beats data */
    ck_assert_uint_eq(rd(u, LSR) & 0x03, 0x03);
    ck_assert_uint_eq(rd(u, IIR), 0x04);
    ck_assert_uint_eq(rd(u, RBR), 'b');
    ck_assert_uint_eq(rd(u, IIR), 0x01);
    ck_assert_int_eq(u->line.level, 0);
    uart_free(u);
}
END_TEST

START_TEST(test_priority_order)
{
    Uart *u = uart_new();

    wr(u, MCR, 0x10);           /* loopback: modem inputs change */
    wr(u, IER, 0x0f);           /* THRE pending too */
    serial_receive_break(u->s); /* ignored in loopback */
    wr(u, RBR, 'q');            /* looped back: data */
    wr(u, RBR, 'r');            /* overrun */
    ck_assert_uint_eq(rd(u, IIR), 0x06);
    rd(u, LSR);
    ck_assert_uint_eq(rd(u, IIR), 0x04);
    rd(u, RBR);
    ck_assert_uint_eq(rd(u, IIR), 0x02);
    ck_assert_uint_eq(rd(u, IIR), 0x00); /* modem status last */
    rd(u, MSR);
    ck_assert_uint_eq(rd(u, IIR), 0x01);
    ck_assert_int_eq(u->line.level, 0);
    uart_free(u);
}
END_TEST

/* ---- FIFOs -------------------------------------------------------------- */

START_TEST(test_fifo_trigger_levels)
{
    static const struct {
        uint8_t fcr;
        unsigned level;
    } t[] = {
        {0x01, 1},
        {0x41, 4},
        {0x81, 8},
        {0xc1, 14},
    };

    for (unsigned i = 0; i < 4; i++) {
        Uart *u = uart_new();
        wr(u, FCR, t[i].fcr);
        wr(u, IER, 0x01);
        ck_assert_uint_eq(rd(u, IIR), 0xc1);
        for (unsigned n = 1; n < t[i].level; n++) {
            rx(u, "x");
        }
        ck_assert_uint_eq(rd(u, IIR), 0xc1);
        ck_assert_int_eq(u->line.level, 0);
        rx(u, "y");
        ck_assert_uint_eq(rd(u, IIR), 0xc4);
        ck_assert_int_eq(u->line.level, 1);
        rd(u, RBR); /* below the level again */
        ck_assert_uint_eq(rd(u, IIR), 0xc1);
        uart_free(u);
    }
}
END_TEST

START_TEST(test_fifo_order_and_overflow)
{
    Uart *u = uart_new();
    char in[18] = "ABCDEFGHIJKLMNOPQ";

    wr(u, FCR, 0x07);
    ck_assert_uint_eq(serial_can_receive(u->s), 16);
    rx(u, "AB");
    ck_assert_uint_eq(serial_can_receive(u->s), 14);
    ck_assert_uint_eq(rd(u, RBR), 'A');
    ck_assert_uint_eq(rd(u, RBR), 'B');
    ck_assert_uint_eq(rd(u, LSR) & 0x01, 0);
    /* 17 characters into 16 places: the last is lost, OE set. */
    serial_receive(u->s, (const uint8_t *)in, 17);
    ck_assert_uint_eq(serial_can_receive(u->s), 0);
    ck_assert_uint_eq(rd(u, LSR), 0x63);
    for (unsigned i = 0; i < 16; i++) {
        ck_assert_uint_eq(rd(u, RBR), (uint8_t)in[i]);
    }
    ck_assert_uint_eq(rd(u, LSR), 0x60);
    uart_free(u);
}
END_TEST

START_TEST(test_fifo_control)
{
    Uart *u = uart_new();

    wr(u, FCR, 0xc1);
    rx(u, "abc");
    wr(u, FCR, 0xc3); /* RCVR FIFO reset */
    ck_assert_uint_eq(rd(u, LSR) & 0x01, 0);
    ck_assert_uint_eq(serial_can_receive(u->s), 16);
    rx(u, "abc");
    /* Leaving FIFO mode clears the FIFO; IIR bits 6-7 go. */
    wr(u, FCR, 0x00);
    ck_assert_uint_eq(rd(u, LSR) & 0x01, 0);
    ck_assert_uint_eq(rd(u, IIR), 0x01);
    ck_assert_uint_eq(serial_can_receive(u->s), 1);
    /* Trigger bits are not programmed while FCR0 is written as 0. */
    wr(u, FCR, 0x40);
    ck_assert_uint_eq(rd(u, IIR), 0x01);
    wr(u, FCR, 0x01);
    wr(u, IER, 0x01);
    rx(u, "x");
    ck_assert_uint_eq(rd(u, IIR), 0xc4); /* level 1 */
    uart_free(u);
}
END_TEST

START_TEST(test_fifo_timeout)
{
    Uart *u = uart_new();

    wr(u, FCR, 0xc1); /* trigger 14 */
    wr(u, IER, 0x01);
    rx(u, "ab");
    serial_poll(u->s); /* characters just arrived: no timeout yet */
    ck_assert_uint_eq(rd(u, IIR), 0xc1);
    serial_poll(u->s); /* a quiet interval */
    ck_assert_uint_eq(rd(u, IIR), 0xcc);
    ck_assert_int_eq(u->line.level, 1);
    ck_assert_uint_eq(rd(u, RBR), 'a'); /* reading clears it */
    ck_assert_uint_eq(rd(u, IIR), 0xc1);
    ck_assert_int_eq(u->line.level, 0);
    serial_poll(u->s);
    serial_poll(u->s);
    ck_assert_uint_eq(rd(u, IIR), 0xcc);
    ck_assert_uint_eq(rd(u, RBR), 'b');
    serial_poll(u->s);
    serial_poll(u->s);
    ck_assert_uint_eq(rd(u, IIR), 0xc1); /* empty: no timeout */
    /* No timeout in 16450 mode. */
    wr(u, FCR, 0x00);
    wr(u, IER, 0x00);
    rx(u, "c");
    serial_poll(u->s);
    serial_poll(u->s);
    ck_assert_uint_eq(rd(u, IIR), 0x01);
    uart_free(u);
}
END_TEST

START_TEST(test_break_and_fifo_error)
{
    Uart *u = uart_new();

    wr(u, FCR, 0x01);
    wr(u, IER, 0x04);
    rx(u, "a");
    serial_receive_break(u->s);
    rx(u, "b");
    serial_receive_break(u->s);
    /* BI belongs to the second character: not revealed yet; bit 7 is. */
    ck_assert_int_eq(u->line.level, 0);
    ck_assert_uint_eq(rd(u, LSR), 0xe1);
    ck_assert_uint_eq(rd(u, RBR), 'a');
    /* The break character is now on top. */
    ck_assert_int_eq(u->line.level, 1);
    ck_assert_uint_eq(rd(u, IIR), 0xc6);
    ck_assert_uint_eq(rd(u, LSR), 0xf1);
    ck_assert_int_eq(u->line.level, 0);
    /* Another break waits behind: bit 7 stays. */
    ck_assert_uint_eq(rd(u, LSR), 0xe1);
    ck_assert_uint_eq(rd(u, RBR), 0);
    ck_assert_uint_eq(rd(u, RBR), 'b');
    ck_assert_uint_eq(rd(u, LSR), 0xf1);
    ck_assert_uint_eq(rd(u, RBR), 0);
    ck_assert_uint_eq(rd(u, LSR), 0x60);
    /* 16450 mode: BI directly, no bit 7. */
    wr(u, FCR, 0x00);
    serial_receive_break(u->s);
    ck_assert_uint_eq(rd(u, LSR), 0x71);
    uart_free(u);
}
END_TEST

/* ---- loopback and modem status ------------------------------------------ */

START_TEST(test_loopback)
{
    Uart *u = uart_new();
    char out[16];

    wr(u, FCR, 0x01);
    wr(u, MCR, 0x10);
    ck_assert_uint_eq(serial_can_receive(u->s), 0); /* input disconnected */
    rx(u, "ignored");
    ck_assert_uint_eq(rd(u, LSR) & 0x01, 0);
    wr(u, RBR, 0x55);
    wr(u, RBR, 0xaa);
    ck_assert_uint_eq(rd(u, LSR) & 0x01, 1);
    ck_assert_uint_eq(rd(u, RBR), 0x55);
    ck_assert_uint_eq(rd(u, RBR), 0xaa);
    ck_assert_uint_eq(output(u, out, sizeof(out)), 0);
    wr(u, MCR, 0x00);
    wr(u, RBR, 'o');
    ck_assert_uint_eq(output(u, out, sizeof(out)), 1);
    ck_assert_uint_eq(serial_can_receive(u->s), 16);
    uart_free(u);
}
END_TEST

START_TEST(test_loopback_modem_lines)
{
    Uart *u = uart_new();

    /* Entering loopback with all outputs off: CTS DSR DCD fall. */
    wr(u, MCR, 0x10);
    ck_assert_uint_eq(rd(u, MSR), 0x0b);
    ck_assert_uint_eq(rd(u, MSR), 0x00); /* deltas cleared by reading */
    wr(u, MCR, 0x10 | 0x02);             /* RTS -> CTS */
    ck_assert_uint_eq(rd(u, MSR), 0x11);
    wr(u, MCR, 0x10 | 0x03); /* DTR -> DSR */
    ck_assert_uint_eq(rd(u, MSR), 0x32);
    wr(u, MCR, 0x10 | 0x0b); /* OUT2 -> DCD */
    ck_assert_uint_eq(rd(u, MSR), 0xb8);
    wr(u, MCR, 0x10 | 0x0f); /* OUT1 -> RI: leading edge, no TERI */
    ck_assert_uint_eq(rd(u, MSR), 0xf0);
    wr(u, MCR, 0x10 | 0x0b); /* RI falls: TERI */
    ck_assert_uint_eq(rd(u, MSR), 0xb4);
    /* Modem status interrupt. */
    wr(u, IER, 0x08);
    ck_assert_int_eq(u->line.level, 0);
    wr(u, MCR, 0x10 | 0x09);
    ck_assert_int_eq(u->line.level, 1);
    ck_assert_uint_eq(rd(u, IIR), 0x00);
    ck_assert_uint_eq(rd(u, MSR), 0xa1);
    ck_assert_int_eq(u->line.level, 0);
    /* Leaving loopback: the external lines (CTS DSR DCD) return. */
    wr(u, MCR, 0x00);
    ck_assert_uint_eq(rd(u, MSR), 0xb1);
    uart_free(u);
}
END_TEST

START_TEST(test_wide_port_access)
{
    Uart *u = uart_new();

    wr(u, SCR, 0x42);
    /* 16-bit read of LSR and MSR, 16-bit read of MSR and SCR. */
    ck_assert_uint_eq(ports_read(u->ps, BASE + 5, 2), 0xb060);
    ck_assert_uint_eq(ports_read(u->ps, BASE + 6, 2), 0x42b0);
    /* A 16-bit read at the last register: the next port is unclaimed. */
    ck_assert_uint_eq(ports_read(u->ps, BASE + 7, 2), 0xff42);
    ck_assert_ptr_null(
        serial_new(u->ps, BASE + 4, NULL, (IrqLine){NULL, NULL, 0}));
    uart_free(u);
}
END_TEST

START_TEST(test_no_backend_no_line)
{
    PortSpace *ps = ports_new();
    SerialState *s = serial_new(ps, 0x2f8, NULL, (IrqLine){NULL, NULL, 3});

    ck_assert_ptr_nonnull(s);
    ports_write(ps, 0x2f9, 0x02, 1);
    ports_write(ps, 0x2f8, 'x', 1); /* output dropped */
    ck_assert_int_eq(serial_irq_level(s), 1);
    serial_poll(s);
    ports_free(ps);
    serial_free(s);
}
END_TEST

/* ---- chardev --------------------------------------------------------------
 */

START_TEST(test_chardev_specs)
{
    char err[256];
    CharDev *c;

    c = chardev_new("null", err, sizeof(err));
    ck_assert_ptr_nonnull(c);
    chardev_write(c, (const uint8_t *)"x", 1);
    chardev_poll(c);
    chardev_free(c);

    ck_assert_ptr_null(chardev_new("tcp:1234", err, sizeof(err)));
    ck_assert_str_eq(err, "tcp:1234: expected tcp:HOST:PORT");
    ck_assert_ptr_null(chardev_new("pty", err, sizeof(err)));
    ck_assert_str_eq(err, "pty: unknown character device (expected null, "
                          "stdio, file:PATH, unix:PATH[,server][,nowait] or "
                          "tcp:HOST:PORT[,server][,nowait])");
    ck_assert_ptr_null(chardev_new("file:", err, sizeof(err)));
    ck_assert_ptr_null(
        chardev_new("file:/nonexistent-dir/x", err, sizeof(err)));
    ck_assert_str_eq(err, "file:/nonexistent-dir/x: No such file or "
                          "directory");
}
END_TEST

START_TEST(test_chardev_stdio_input)
{
    int fds[2];
    char err[256];
    CharDev *c;
    SerialState *s;
    PortSpace *ps = ports_new();

    /* Check runs each test in its own process: stdin is ours to replace. */
    ck_assert_int_eq(pipe(fds), 0);
    ck_assert_int_eq(dup2(fds[0], 0), 0);
    close(fds[0]);
    c = chardev_new("stdio", err, sizeof(err));
    ck_assert_ptr_nonnull(c);
    s = serial_new(ps, BASE, c, (IrqLine){NULL, NULL, 4});
    serial_poll(s); /* nothing there: returns at once */
    ck_assert_uint_eq(ports_read(ps, BASE + LSR, 1) & 1, 0);
    ck_assert_int_eq(write(fds[1], "hi!", 3), 3);
    serial_poll(s);
    /* 16450 mode takes one character at a time. */
    ck_assert_uint_eq(ports_read(ps, BASE, 1), 'h');
    serial_poll(s);
    ck_assert_uint_eq(ports_read(ps, BASE, 1), 'i');
    ports_write(ps, BASE + FCR, 0x01, 1);
    serial_poll(s);
    ck_assert_uint_eq(ports_read(ps, BASE, 1), '!');
    ck_assert_uint_eq(ports_read(ps, BASE + LSR, 1) & 1, 0);
    close(fds[1]); /* end of input */
    serial_poll(s);
    serial_poll(s);
    ck_assert_uint_eq(ports_read(ps, BASE + LSR, 1) & 1, 0);
    ports_free(ps);
    serial_free(s);
    chardev_free(c);
}
END_TEST

/* ---- debug console and POST port ---------------------------------------- */

START_TEST(test_debugcon_postcode)
{
    Uart *u = uart_new(); /* for its temp-file chardev */
    DebugCon *d = debugcon_new(u->ps, DEBUGCON_PORT, u->chr);
    PostCode *p = postcode_new(u->ps, POSTCODE_PORT);
    char out[16];

    ck_assert_ptr_nonnull(d);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_null(debugcon_new(u->ps, DEBUGCON_PORT, u->chr));
    ck_assert_uint_eq(ports_read(u->ps, 0xe9, 1), 0xe9);
    ports_write(u->ps, 0xe9, 'O', 1);
    ports_write(u->ps, 0xe9, 'K', 1);
    output(u, out, sizeof(out));
    ck_assert_str_eq(out, "OK");
    ck_assert_uint_eq(ports_read(u->ps, 0x80, 1), 0);
    ports_write(u->ps, 0x80, 0x5a, 1);
    ck_assert_uint_eq(ports_read(u->ps, 0x80, 1), 0x5a);
    ck_assert_uint_eq(postcode_last(p), 0x5a);
    debugcon_free(d);
    postcode_free(p);
    uart_free(u);
}
END_TEST

static Suite *serial_suite(void)
{
    Suite *s = suite_create("serial");
    TCase *tc = tcase_create("registers");

    tcase_add_test(tc, test_reset_state);
    tcase_add_test(tc, test_scratch_and_masks);
    tcase_add_test(tc, test_dlab);
    tcase_add_test(tc, test_transmit);
    tcase_add_test(tc, test_thre_interrupt);
    tcase_add_test(tc, test_rx_no_fifo);
    tcase_add_test(tc, test_line_status_interrupt);
    tcase_add_test(tc, test_priority_order);
    tcase_add_test(tc, test_wide_port_access);
    tcase_add_test(tc, test_no_backend_no_line);
    suite_add_tcase(s, tc);

    tc = tcase_create("fifo");
    tcase_add_test(tc, test_fifo_trigger_levels);
    tcase_add_test(tc, test_fifo_order_and_overflow);
    tcase_add_test(tc, test_fifo_control);
    tcase_add_test(tc, test_fifo_timeout);
    tcase_add_test(tc, test_break_and_fifo_error);
    suite_add_tcase(s, tc);

    tc = tcase_create("loopback");
    tcase_add_test(tc, test_loopback);
    tcase_add_test(tc, test_loopback_modem_lines);
    suite_add_tcase(s, tc);

    tc = tcase_create("backends");
    tcase_add_test(tc, test_chardev_specs);
    tcase_add_test(tc, test_chardev_stdio_input);
    tcase_add_test(tc, test_debugcon_postcode);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(serial_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
