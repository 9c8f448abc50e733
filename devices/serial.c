/*
 * 16550A UART (National Semiconductor PC16550D datasheet, June 1995;
 * sections cited as "DS" below).
 *
 * Model:
 * - Transmission completes the moment a byte is written: the transmitter
 *   FIFO is always empty, so LSR.THRE and LSR.TEMT always read one.  The
 *   THRE interrupt still goes away on a THR write and comes back when the
 *   byte is "sent", so an edge-triggered controller sees a new edge.
 * - The receiver FIFO is modelled byte by byte with the error bits of each
 *   character (DS, "Line Status Register": errors are revealed when their
 *   character reaches the top of the FIFO).  Without FIFOs (16450 mode)
 *   the receiver buffer is a FIFO of one.
 * - The character timeout interrupt (DS, "FIFO Interrupt Mode Operation")
 *   fires when a poll interval passes with characters in the FIFO and no
 *   character received or read.
 * - The interrupt output is the chip's INTR pin.  On a PC, OUT2 gates it to
 *   the interrupt controller; like QEMU we leave that gate out, because
 *   some guests never set OUT2 yet expect interrupts there.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "devices/serial.h"

#define UART_FIFO_SIZE 16

/* Register offsets (DS Table II). */
enum {
    UART_RBR = 0, /* THR on write; DLL when DLAB */
    UART_IER = 1, /* DLM when DLAB */
    UART_IIR = 2, /* FCR on write */
    UART_LCR = 3,
    UART_MCR = 4,
    UART_LSR = 5,
    UART_MSR = 6,
    UART_SCR = 7,
};

#define IER_ERBFI 0x01 /* received data available */
#define IER_ETBEI 0x02 /* transmitter holding register empty */
#define IER_ELSI 0x04  /* receiver line status */
#define IER_EDSSI 0x08 /* modem status */
#define IER_MASK 0x0f

/* IIR identification (DS Table IV). */
#define IIR_NO_INT 0x01
#define IIR_MSI 0x00
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_RLSI 0x06
#define IIR_CTI 0x0c
#define IIR_FIFOS 0xc0 /* bits 6-7: FCR0 is set */

#define FCR_ENABLE 0x01
#define FCR_RX_RESET 0x02
#define FCR_TX_RESET 0x04
#define FCR_DMA 0x08
#define FCR_TRIGGER 0xc0

#define LCR_SBC 0x40
#define LCR_DLAB 0x80

#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define MCR_MASK 0x1f

#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_PE 0x04
#define LSR_FE 0x08
#define LSR_BI 0x10
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define LSR_FIFOE 0x80
#define LSR_ERRORS (LSR_OE | LSR_PE | LSR_FE | LSR_BI)

#define MSR_DCTS 0x01
#define MSR_DDSR 0x02
#define MSR_TERI 0x04
#define MSR_DDCD 0x08
#define MSR_DELTAS 0x0f
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

/* What the modem inputs say with loopback off: a terminal is attached
 * and ready (CTS, DSR, DCD; no ring), as QEMU reports for a backend that
 * has no modem lines. */
#define MSR_EXTERNAL (MSR_CTS | MSR_DSR | MSR_DCD)

/* Receiver FIFO trigger levels by FCR bits 6-7 (DS Table "RCVR FIFO
 * Trigger Level"). */
static const uint8_t rx_trigger_levels[4] = {1, 4, 8, 14};

struct SerialState {
    uint8_t rx[UART_FIFO_SIZE];
    uint8_t rx_err[UART_FIFO_SIZE]; /* LSR_PE/FE/BI of each character */
    unsigned rx_head;
    unsigned rx_count;
    uint8_t rbr; /* last character read (an empty RBR reads it again) */

    uint8_t ier;
    uint8_t fcr;
    uint8_t lcr;
    uint8_t mcr;
    uint8_t lsr_err; /* OE PE FE BI, cleared by an LSR read */
    bool fifo_error; /* LSR bit 7 */
    uint8_t msr;
    uint8_t scr;
    uint16_t divisor;

    bool thr_ipending;
    bool timeout_ipending;
    bool rx_activity; /* a character came in or was read since last poll */

    int irq_level;
    IrqLine irq;
    CharDev *chr;
};

static bool fifo_on(const SerialState *s)
{
    return s->fcr & FCR_ENABLE;
}

static unsigned rx_capacity(const SerialState *s)
{
    return fifo_on(s) ? UART_FIFO_SIZE : 1;
}

/* Any character after the top one that carries an error. */
static bool rx_later_errors(const SerialState *s)
{
    for (unsigned i = 1; i < s->rx_count; i++) {
        if (s->rx_err[(s->rx_head + i) % UART_FIFO_SIZE]) {
            return true;
        }
    }
    return false;
}

/* ---- interrupts (DS Table IV) ------------------------------------------ */

static uint8_t serial_iir(const SerialState *s)
{
    uint8_t fifos = fifo_on(s) ? IIR_FIFOS : 0;
    bool rx_ready = fifo_on(s) ? s->rx_count >= rx_trigger_levels[s->fcr >> 6]
                               : s->rx_count > 0;

    /* Priority 1: overrun, parity, framing error or break. */
    if ((s->ier & IER_ELSI) && (s->lsr_err & LSR_ERRORS)) {
        return fifos | IIR_RLSI;
    }
    /* Priority 2: data at the trigger level, then character timeout. */
    if ((s->ier & IER_ERBFI) && rx_ready) {
        return fifos | IIR_RDI;
    }
    if ((s->ier & IER_ERBFI) && s->timeout_ipending && s->rx_count) {
        return fifos | IIR_CTI;
    }
    /* Priority 3: transmitter holding register empty. */
    if ((s->ier & IER_ETBEI) && s->thr_ipending) {
        return fifos | IIR_THRI;
    }
    /* Priority 4: CTS, DSR, RI or DCD changed. */
    if ((s->ier & IER_EDSSI) && (s->msr & MSR_DELTAS)) {
        return fifos | IIR_MSI;
    }
    return fifos | IIR_NO_INT;
}

static void serial_update_irq(SerialState *s)
{
    int level = !(serial_iir(s) & IIR_NO_INT);

    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set_level(&s->irq, level);
    }
}

int serial_irq_level(const SerialState *s)
{
    return s->irq_level;
}

/* ---- receiver ---------------------------------------------------------- */

static void rx_clear(SerialState *s)
{
    s->rx_head = 0;
    s->rx_count = 0;
    s->fifo_error = false;
    s->timeout_ipending = false;
}

/*
 * A character (with its PE/FE/BI bits) finishes arriving in the receiver
 * shift register.  DS, LSR bit 1: without FIFOs an unread character is
 * overwritten by the new one; with FIFOs a full FIFO keeps its contents and
 * the new character is lost.  Either way OE is set at once.
 */
static void rx_push(SerialState *s, uint8_t byte, uint8_t err)
{
    if (s->rx_count == rx_capacity(s)) {
        s->lsr_err |= LSR_OE;
        if (!fifo_on(s)) {
            s->rx[s->rx_head] = byte;
            s->rx_err[s->rx_head] = err;
            s->lsr_err |= err;
        }
    } else {
        unsigned slot = (s->rx_head + s->rx_count) % UART_FIFO_SIZE;
        s->rx[slot] = byte;
        s->rx_err[slot] = err;
        if (s->rx_count++ == 0) {
            s->lsr_err |= err; /* already at the top */
        }
        if (err && fifo_on(s)) {
            s->fifo_error = true;
        }
    }
    s->rx_activity = true;
}

static uint8_t rx_pop(SerialState *s)
{
    if (s->rx_count == 0) {
        return s->rbr;
    }
    s->rbr = s->rx[s->rx_head];
    s->rx_head = (s->rx_head + 1) % UART_FIFO_SIZE;
    s->rx_count--;
    if (s->rx_count) {
        s->lsr_err |= s->rx_err[s->rx_head]; /* new top reveals its errors */
    }
    /* DS: reading a character clears a timeout interrupt and restarts the
     * timer. */
    s->timeout_ipending = false;
    s->rx_activity = true;
    return s->rbr;
}

size_t serial_can_receive(void *opaque)
{
    SerialState *s = opaque;

    /* Loopback disconnects the serial input (DS, MCR bit 4). */
    if (s->mcr & MCR_LOOP) {
        return 0;
    }
    return rx_capacity(s) - s->rx_count;
}

void serial_receive(void *opaque, const uint8_t *buf, size_t len)
{
    SerialState *s = opaque;

    if (s->mcr & MCR_LOOP) {
        return;
    }
    for (size_t i = 0; i < len; i++) {
        rx_push(s, buf[i], 0);
    }
    serial_update_irq(s);
}

void serial_receive_break(SerialState *s)
{
    if (s->mcr & MCR_LOOP) {
        return; /* the serial input is disconnected */
    }
    /* DS, LSR bit 4: one zero character is loaded into the FIFO. */
    rx_push(s, 0, LSR_BI);
    serial_update_irq(s);
}

void serial_poll(void *opaque)
{
    SerialState *s = opaque;

    chardev_poll(s->chr);
    if (fifo_on(s) && s->rx_count && !s->rx_activity) {
        s->timeout_ipending = true;
    }
    s->rx_activity = false;
    serial_update_irq(s);
}

/* ---- modem lines ------------------------------------------------------- */

/*
 * Load new modem input levels into MSR bits 4-7, setting the delta bits
 * (DS, MSR bits 0-3).  TERI is set when RI (the complement of the RI pin)
 * goes from one to zero, the pin's trailing edge.
 */
static void serial_set_modem_inputs(SerialState *s, uint8_t in)
{
    uint8_t old = s->msr;
    uint8_t changed = (old ^ in) & 0xf0;
    uint8_t deltas = 0;

    if (changed & MSR_CTS) {
        deltas |= MSR_DCTS;
    }
    if (changed & MSR_DSR) {
        deltas |= MSR_DDSR;
    }
    if (changed & MSR_DCD) {
        deltas |= MSR_DDCD;
    }
    if ((old & MSR_RI) && !(in & MSR_RI)) {
        deltas |= MSR_TERI;
    }
    s->msr = (old & MSR_DELTAS) | deltas | (in & 0xf0);
}

/* DS, MCR bit 4: in loopback RTS drives CTS, DTR drives DSR, OUT1 drives
 * RI and OUT2 drives DCD. */
static uint8_t serial_modem_inputs(const SerialState *s)
{
    if (!(s->mcr & MCR_LOOP)) {
        return MSR_EXTERNAL;
    }
    return ((s->mcr & MCR_RTS) ? MSR_CTS : 0) |
           ((s->mcr & MCR_DTR) ? MSR_DSR : 0) |
           ((s->mcr & MCR_OUT1) ? MSR_RI : 0) |
           ((s->mcr & MCR_OUT2) ? MSR_DCD : 0);
}

/* ---- registers --------------------------------------------------------- */

static void serial_write_thr(SerialState *s, uint8_t byte)
{
    /* DS Table IV: writing THR clears the THRE interrupt... */
    s->thr_ipending = false;
    serial_update_irq(s);
    if (s->mcr & MCR_LOOP) {
        rx_push(s, byte, 0);
    } else {
        chardev_write(s->chr, &byte, 1);
    }
    /* ...and the holding register empties again at once. */
    s->thr_ipending = true;
}

static void serial_write_fcr(SerialState *s, uint8_t val)
{
    /* DS, FCR bit 0: switching FIFO mode on or off clears both FIFOs, and
     * the other bits are only programmed while bit 0 is written as one. */
    if ((val ^ s->fcr) & FCR_ENABLE) {
        rx_clear(s);
    }
    if (!(val & FCR_ENABLE)) {
        s->fcr &= ~FCR_ENABLE;
        return;
    }
    s->fcr = val & (FCR_ENABLE | FCR_DMA | FCR_TRIGGER);
    if (val & FCR_RX_RESET) {
        rx_clear(s);
    }
    /* FCR_TX_RESET: the transmitter FIFO is always empty here. */
}

void serial_ioport_write(void *opaque, uint32_t offset, uint32_t value,
                         unsigned size)
{
    SerialState *s = opaque;
    uint8_t val = (uint8_t)value;
    bool dlab = s->lcr & LCR_DLAB;

    switch (offset & 7) {
    case UART_RBR:
        if (dlab) {
            s->divisor = (s->divisor & 0xff00) | val;
        } else {
            serial_write_thr(s, val);
        }
        break;
    case UART_IER:
        if (dlab) {
            s->divisor = (s->divisor & 0x00ff) | (uint16_t)(val << 8);
        } else {
            uint8_t old = s->ier;
            s->ier = val & IER_MASK;
            /* Enabling ETBEI while THR is empty raises the THRE interrupt
             * (THR is always empty here), as on the 16550A. */
            if ((s->ier & IER_ETBEI) && !(old & IER_ETBEI)) {
                s->thr_ipending = true;
            }
        }
        break;
    case UART_IIR: serial_write_fcr(s, val); break;
    case UART_LCR: s->lcr = val; break;
    case UART_MCR:
        s->mcr = val & MCR_MASK;
        serial_set_modem_inputs(s, serial_modem_inputs(s));
        break;
    case UART_LSR:
        /* DS: "writing to this register is not recommended" (factory
         * test use); ignored. */
        break;
    case UART_MSR: break;
    case UART_SCR: s->scr = val; break;
    }
    serial_update_irq(s);
}

uint32_t serial_ioport_read(void *opaque, uint32_t offset, unsigned size)
{
    SerialState *s = opaque;
    bool dlab = s->lcr & LCR_DLAB;
    uint8_t val = 0xff;

    switch (offset & 7) {
    case UART_RBR: val = dlab ? (uint8_t)s->divisor : rx_pop(s); break;
    case UART_IER: val = dlab ? (uint8_t)(s->divisor >> 8) : s->ier; break;
    case UART_IIR:
        val = serial_iir(s);
        /* DS Table IV: reading IIR clears THRE when it is the source. */
        if ((val & 0x0f) == IIR_THRI) {
            s->thr_ipending = false;
        }
        break;
    case UART_LCR: val = s->lcr; break;
    case UART_MCR: val = s->mcr; break;
    case UART_LSR:
        val = s->lsr_err | LSR_THRE | LSR_TEMT | (s->rx_count ? LSR_DR : 0) |
              (fifo_on(s) && s->fifo_error ? LSR_FIFOE : 0);
        /* DS, LSR bits 1-4 and 7: cleared by reading LSR; bit 7 stays if
         * more characters with errors wait behind the top one. */
        s->lsr_err = 0;
        s->fifo_error = rx_later_errors(s);
        break;
    case UART_MSR:
        val = s->msr;
        s->msr &= ~MSR_DELTAS;
        break;
    case UART_SCR: val = s->scr; break;
    }
    serial_update_irq(s);
    return val;
}

static const MemoryOps serial_ops = {
    .read = serial_ioport_read,
    .write = serial_ioport_write,
};

/* ---- lifetime ---------------------------------------------------------- */

void serial_reset(SerialState *s)
{
    rx_clear(s);
    s->rbr = 0;
    s->ier = 0;
    s->fcr = 0;
    s->lcr = 0;
    s->mcr = 0;
    s->lsr_err = 0;
    s->msr = MSR_EXTERNAL; /* no deltas after reset */
    s->divisor = 12;       /* 9600 baud: undefined by DS; QEMU's choice */
    s->thr_ipending = false;
    s->rx_activity = false;
    serial_update_irq(s);
}

SerialState *serial_new(PortSpace *ps, uint16_t base, CharDev *chr, IrqLine irq)
{
    SerialState *s = calloc(1, sizeof(*s));

    if (!s) {
        return NULL;
    }
    s->chr = chr;
    s->irq = irq;
    if (ps && ports_register(ps, "serial", base, 8, &serial_ops, s) != 0) {
        free(s);
        return NULL;
    }
    serial_reset(s);
    chardev_set_handlers(chr, serial_can_receive, serial_receive, s);
    return s;
}

void serial_free(SerialState *s)
{
    if (!s) {
        return;
    }
    chardev_set_handlers(s->chr, NULL, NULL, NULL);
    free(s);
}
