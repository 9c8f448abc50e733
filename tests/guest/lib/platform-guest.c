/*
 * Guest platform layer: output on COM1, exit through isa-debug-exit.
 */
#include "io.h"
#include "rt.h"

#define COM1            0x3f8
#define UART_THR        0       /* transmit holding (DLAB = 0) */
#define UART_DLL        0       /* divisor latch low (DLAB = 1) */
#define UART_IER        1       /* interrupt enable (DLAB = 0) */
#define UART_DLM        1       /* divisor latch high (DLAB = 1) */
#define UART_FCR        2
#define UART_LCR        3
#define UART_MCR        4
#define UART_LSR        5
#define UART_LCR_DLAB   0x80
#define UART_LCR_8N1    0x03
#define UART_LSR_THRE   0x20    /* THR empty: may write one more byte */
#define UART_LSR_TEMT   0x40    /* THR and shift register both empty */

/* QEMU's isa-debug-exit: the process ends with status (value << 1) | 1. */
#define DEBUG_EXIT_PORT 0xf4

#define STACK_CANARY    0x57ac4ca7u

extern uint32_t guest_stack_bottom[];

void platform_init(void)
{
    /* 16550 data sheet, "Programming": we poll, so no interrupts. */
    outb(COM1 + UART_IER, 0x00);
    outb(COM1 + UART_LCR, UART_LCR_DLAB);
    outb(COM1 + UART_DLL, 0x01);            /* 115200 baud */
    outb(COM1 + UART_DLM, 0x00);
    outb(COM1 + UART_LCR, UART_LCR_8N1);
    outb(COM1 + UART_FCR, 0xc7);            /* FIFO on, cleared, 14 bytes */
    outb(COM1 + UART_MCR, 0x03);            /* DTR, RTS; OUT2 off: no IRQ */
}

void platform_write(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        while (!(inb(COM1 + UART_LSR) & UART_LSR_THRE)) {
            /* wait for room */
        }
        /* No "\n" to "\r\n" here: stdout must match the native build. */
        outb(COM1 + UART_THR, (uint8_t)buf[i]);
    }
}

_Noreturn void platform_exit(int code)
{
    /*
     * Drain the UART so the last line is on the wire before the machine
     * goes away.  Bounded: a UART that never drains must not hang us.
     */
    for (int i = 0; i < 100000; i++) {
        if (inb(COM1 + UART_LSR) & UART_LSR_TEMT) {
            break;
        }
    }
    if (guest_stack_bottom[0] != STACK_CANARY) {
        static const char msg[] = "guest: stack overflow detected\n";
        platform_write(msg, sizeof(msg) - 1);
        code = 125;
    }
    outl(DEBUG_EXIT_PORT, (uint32_t)code);
    /* No debug-exit device: stop for good. */
    for (;;) {
        __asm__ volatile("cli; hlt");
    }
}

int platform_boot_ok(uint32_t magic, const void *info)
{
    return magic == MULTIBOOT_BOOT_MAGIC && info != NULL;
}

/* A page-aligned buffer in .bss: guest memory is all executable. */
static uint8_t code_buffer[65536] __attribute__((aligned(4096)));

uint8_t *platform_code_buffer(void)
{
    return code_buffer;
}

void platform_text_writable(void)
{
}
