/*
 * The PC board (see pc.h).
 *
 * Devices are wired in the order the PC decodes addresses: RAM and the
 * loader's ROM first, then the legacy hole over whatever low-memory area
 * below 1 MiB is left (video memory and option ROM space have no device
 * yet, so they read all ones as on a PC without them), then the ports.
 * There is no interrupt controller yet: COM1's IRQ4 line is connected to
 * nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "devices/chardev.h"
#include "devices/debugcon.h"
#include "devices/debugexit.h"
#include "devices/host-file.h"
#include "devices/irq.h"
#include "devices/multiboot.h"
#include "devices/pc.h"
#include "devices/serial.h"
#include "memory/softmmu.h"

#define PC_HOLE_START 0xa0000u
#define PC_HOLE_END 0x100000u
#define PC_COM1_BASE 0x3f8
#define PC_COM1_IRQ 4
#define PC_DEBUG_EXIT_IOBASE 0xf4
#define PC_DEBUG_EXIT_IOSIZE 4

typedef struct PCBoard {
    CharDev *serial_chr;
    CharDev *debugcon_chr;
    SerialState *com1;
    DebugExit *debug_exit;
    DebugCon *debugcon;
    PostCode *post;
    bool no_reboot;
} PCBoard;

static void pc_board_free(PCBoard *b)
{
    if (!b) {
        return;
    }
    serial_free(b->com1);
    debugexit_free(b->debug_exit);
    debugcon_free(b->debugcon);
    postcode_free(b->post);
    chardev_free(b->serial_chr);
    chardev_free(b->debugcon_chr);
    free(b);
}

/* Open a chardev for FLAG ("-serial"...), with the flag in the message. */
static CharDev *pc_chardev(const char *flag, const char *spec, char *err,
                           size_t errlen)
{
    char msg[HOST_FILE_ERR_MAX];
    CharDev *chr = chardev_new(spec, msg, sizeof(msg));

    if (!chr) {
        snprintf(err, errlen, "%s %s", flag, msg);
    }
    return chr;
}

/* The debug console takes no input, but a socket backend accepts its
 * clients from its poll function. */
static void pc_poll_debugcon(void *opaque)
{
    chardev_poll(opaque);
}

static int pc_add_devices(Machine *m, PCBoard *b, const PCConfig *cfg,
                          char *err, size_t errlen)
{
    IrqLine irq4 = {.set = NULL, .opaque = NULL, .n = PC_COM1_IRQ};
    uint16_t exit_base =
        cfg->debug_exit_iobase ? cfg->debug_exit_iobase : PC_DEBUG_EXIT_IOBASE;
    uint16_t exit_size =
        cfg->debug_exit_iosize ? cfg->debug_exit_iosize : PC_DEBUG_EXIT_IOSIZE;

    b->serial_chr =
        pc_chardev("-serial", cfg->serial ? cfg->serial : "stdio", err, errlen);
    if (!b->serial_chr) {
        return -1;
    }
    b->debugcon_chr = pc_chardev(
        "-debugcon", cfg->debugcon ? cfg->debugcon : "null", err, errlen);
    if (!b->debugcon_chr) {
        return -1;
    }
    b->com1 = serial_new(m->ports, PC_COM1_BASE, b->serial_chr, irq4);
    if (!b->com1) {
        snprintf(err, errlen, "cannot add COM1 at 0x%x", PC_COM1_BASE);
        return -1;
    }
    b->debug_exit = debugexit_new(m, exit_base, exit_size);
    if (!b->debug_exit) {
        snprintf(err, errlen,
                 "cannot add isa-debug-exit at "
                 "0x%x (size %u): ports taken or out of range",
                 exit_base, exit_size);
        return -1;
    }
    b->debugcon = debugcon_new(m->ports, DEBUGCON_PORT, b->debugcon_chr);
    b->post = postcode_new(m->ports, POSTCODE_PORT);
    if (!b->debugcon || !b->post) {
        snprintf(err, errlen,
                 "cannot add the debug console "
                 "(0x%x) and POST (0x%x) ports: taken by isa-debug-exit?",
                 DEBUGCON_PORT, POSTCODE_PORT);
        return -1;
    }
    if (machine_add_poll(m, serial_poll, b->com1) != 0 ||
        machine_add_poll(m, pc_poll_debugcon, b->debugcon_chr) != 0) {
        snprintf(err, errlen, "too many poll functions");
        return -1;
    }
    return 0;
}

static int pc_load_kernel(Machine *m, const PCConfig *cfg, char *err,
                          size_t errlen)
{
    MultibootBoot boot;

    if (cfg->kernel) {
        return multiboot_load(m, cfg->kernel, cfg->append, cfg->initrd, err,
                              errlen);
    }
    if (multiboot_load_memory(
            m->as, cfg->kernel_name ? cfg->kernel_name : "kernel",
            cfg->kernel_image, cfg->kernel_image_size, cfg->append, cfg->initrd,
            &boot, err, errlen) != 0) {
        return -1;
    }
    multiboot_enter(m, &boot);
    return 0;
}

Machine *pc_new(const PCConfig *cfg, char *err, size_t errlen)
{
    MachineConfig mc = {
        .ram_size = cfg->ram_size,
        .accel = cfg->accel,
        .code_cache_size = cfg->code_cache_size,
        .log_mask = cfg->log_mask,
        .log = cfg->log,
    };
    Machine *m;
    PCBoard *b;

    if (!cfg->kernel && !cfg->kernel_image) {
        snprintf(err, errlen,
                 "no kernel to boot (-kernel); "
                 "BIOS boot is not supported yet");
        return NULL;
    }
    m = machine_new(&mc, err, errlen);
    if (!m) {
        return NULL;
    }
    b = calloc(1, sizeof(*b));
    if (!b) {
        snprintf(err, errlen, "out of memory");
        machine_free(m);
        return NULL;
    }
    b->no_reboot = cfg->no_reboot;
    m->board = b;
    if (pc_add_devices(m, b, cfg, err, errlen) != 0 ||
        pc_load_kernel(m, cfg, err, errlen) != 0) {
        pc_free(m);
        return NULL;
    }
    if (as_fill_hole(m->as, "legacy-hole", PC_HOLE_START,
                     PC_HOLE_END - PC_HOLE_START) != 0) {
        snprintf(err, errlen,
                 "cannot map the legacy hole "
                 "0x%x-0x%x",
                 PC_HOLE_START, PC_HOLE_END - 1);
        pc_free(m);
        return NULL;
    }
    /* The TLB may not cache a page whose region just changed. */
    tlb_flush(&m->cpu);
    return m;
}

void pc_free(Machine *m)
{
    PCBoard *b;

    if (!m) {
        return;
    }
    b = m->board;
    m->board = NULL;
    /* The Machine (and its port space) goes first: nothing can call into
     * the devices after that. */
    machine_free(m);
    pc_board_free(b);
}

bool pc_no_reboot(const Machine *m)
{
    const PCBoard *b = m->board;

    return b && b->no_reboot;
}
