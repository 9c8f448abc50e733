/*
 * softvisor's command line: QEMU's flags for one guest, parsed with GLib's
 * option parser, then the guest is built (devices/pc.c) and run.
 *
 * Exit status: the guest's own (isa-debug-exit: (value << 1) | 1), 0 when
 * the guest halts for good, 1 for bad usage or a bad image, 2 when the
 * guest fails (an exception it cannot survive, a feature this version
 * lacks).
 */
#include <errno.h>
#include <glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "devices/pc.h"
#include "monitor/options.h"
#include "translate/machine.h"

enum { EXIT_USAGE = 1, EXIT_GUEST_FAILED = 2 };

/* The built-in demo guest (roms/demo/image.S). */
extern const unsigned char demo_image[], demo_image_end[];

int main(int argc, char **argv)
{
    SoftvisorOptions opts;
    char err[1024];
    Machine *m;
    int status;

    if (options_parse(&opts, argc, argv, err, sizeof(err)) < 0) {
        fprintf(stderr, "softvisor: %s\n", err);
        options_free(&opts);
        return EXIT_USAGE;
    }
    if (opts.done) {
        options_free(&opts);
        return 0;
    }
    if (!opts.pc.kernel) {
        opts.pc.kernel_image = demo_image;
        opts.pc.kernel_image_size = demo_image_end - demo_image;
        opts.pc.kernel_name = "demo";
    }
    /* A guest writing to a closed pipe must not kill softvisor. */
    signal(SIGPIPE, SIG_IGN);
    m = pc_new(&opts.pc, err, sizeof(err));
    if (!m) {
        fprintf(stderr, "%s\n", err);
        options_free(&opts);
        return EXIT_USAGE;
    }
    switch (machine_run(m, -1)) {
    case MACHINE_ENDED: status = m->exit_status; break;
    case MACHINE_HALTED:
        fprintf(stderr, "softvisor: %s\n", m->reason);
        status = 0;
        break;
    default:
        fprintf(stderr, "softvisor: %s", m->reason);
        if (m->reason[0] && m->reason[strlen(m->reason) - 1] != '\n') {
            fputc('\n', stderr);
        }
        status = EXIT_GUEST_FAILED;
        break;
    }
    fflush(stdout);
    if (m->log_mask & LOG_STATS) {
        machine_print_stats(m, m->log);
    }
    pc_free(m);
    options_free(&opts);
    return status;
}
