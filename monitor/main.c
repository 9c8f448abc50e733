/*
 * softvisor's main(): parse the command line, build the VMM with its
 * guests (one guest "g0" from QEMU's single-guest flags, or -guest and
 * -config for many), start the monitors, and run the GLib main loop until
 * every guest is done and no monitor client is attached.
 *
 * Exit status with one guest: the guest's own (isa-debug-exit:
 * (value << 1) | 1), 0 when it halts for good, 1 for bad usage or a bad
 * image, 2 when it fails (an exception it cannot survive, a feature this
 * version lacks).  With several guests: 1 for bad usage, else 0, and one
 * line per guest on stderr saying how it ended.
 */
#include <errno.h>
#include <glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "devices/host-file.h"
#include "devices/pc.h"
#include "monitor/guest-options.h"
#include "monitor/monitor.h"
#include "monitor/options.h"
#include "monitor/vmm.h"
#include "translate/machine.h"

enum { EXIT_USAGE = 1, EXIT_GUEST_FAILED = 2 };

/* The built-in demo guest (roms/demo/image.S). */
extern const unsigned char demo_image[], demo_image_end[];

typedef struct Main {
    Vmm *vmm;
    Monitors *ms;
    GMainLoop *loop;
} Main;

/* The single guest's end, as softvisor has always reported it. */
typedef struct SingleEnd {
    MachineStatus status;
    int exit_status;
    char reason[1024];
} SingleEnd;

/* Quit the loop when nothing is left to do. */
static void main_check_done(Main *mn)
{
    if (monitors_quit_requested(mn->ms) ||
        (vmm_all_done(mn->vmm) && !monitors_any_attached(mn->ms))) {
        g_main_loop_quit(mn->loop);
    }
}

static void main_notify(void *opaque, MonitorsNotify what)
{
    main_check_done(opaque);
}

/* A safety net: a guest may end without an event reaching us (a halted
 * guest, a monitor detaching). */
static gboolean main_tick(gpointer opaque)
{
    main_check_done(opaque);
    return G_SOURCE_CONTINUE;
}

/* The guests to create, from -guest/-config or the single-guest flags. */
static int main_collect_guests(SoftvisorOptions *opts, GPtrArray *specs,
                               char *err, size_t errlen)
{
    bool many = (opts->guests && opts->guests[0]) || opts->config;
    GuestSpec *s;

    if (many && opts->kernel) {
        snprintf(err, errlen,
                 "-kernel with -guest or -config: give that guest as "
                 "-guest name=NAME,kernel=FILE");
        return -1;
    }
    if (!many) {
        /* The single-guest flags are the same keys as -guest's. */
        const char *flags[][2] = {
            {"kernel", opts->kernel},   {"append", opts->append},
            {"initrd", opts->initrd},   {"m", opts->mem},
            {"serial", opts->serial},   {"debugcon", opts->debugcon},
            {"accel", opts->accel},     {"jit-cache", opts->jit_cache},
            {"display", opts->display}, {"d", opts->log},
            {"D", opts->logfile},
        };

        s = guest_spec_new();
        g_ptr_array_add(specs, s);
        s->from_flags = true;
        g_strlcpy(s->cfg.name, "g0", sizeof(s->cfg.name));
        for (size_t i = 0; i < G_N_ELEMENTS(flags); i++) {
            if (flags[i][1] &&
                guest_spec_set(s, flags[i][0], flags[i][1], err, errlen) < 0) {
                return -1;
            }
        }
        if (opts->no_reboot &&
            guest_spec_set(s, "no-reboot", NULL, err, errlen) < 0) {
            return -1;
        }
        s->cfg.pc.debug_exit_iobase = opts->pc.debug_exit_iobase;
        s->cfg.pc.debug_exit_iosize = opts->pc.debug_exit_iosize;
        if (!s->cfg.pc.kernel) {
            s->cfg.pc.kernel_image = demo_image;
            s->cfg.pc.kernel_image_size = demo_image_end - demo_image;
            s->cfg.pc.kernel_name = "demo";
        }
        return 0;
    }
    for (int i = 0; opts->guests && opts->guests[i]; i++) {
        s = guest_spec_parse(opts->guests[i], NULL, err, errlen);
        if (!s) {
            return -1;
        }
        g_ptr_array_add(specs, s);
    }
    if (opts->config &&
        guest_config_load(opts->config, specs, err, errlen) < 0) {
        return -1;
    }
    /* Names must be unique before anything starts (vmm_add_guest checks
     * too, but a clean usage error is better here). */
    for (guint i = 0; i < specs->len; i++) {
        for (guint j = 0; j < i; j++) {
            const GuestSpec *a = specs->pdata[i], *b = specs->pdata[j];
            if (!strcmp(a->cfg.name, b->cfg.name)) {
                snprintf(err, errlen, "guest '%s': name given twice",
                         a->cfg.name);
                return -1;
            }
        }
    }
    return 0;
}

static void main_single_end(Machine *m, void *opaque)
{
    SingleEnd *e = opaque;

    e->status = m->status;
    e->exit_status = m->exit_status;
    g_strlcpy(e->reason, m->reason, sizeof(e->reason));
    fflush(stdout);
    if (m->log_mask & LOG_STATS) {
        machine_print_stats(m, m->log);
    }
}

/* Exit status and messages for one guest, as before the VMM existed. */
static int main_single_status(Vmm *v, const char *name)
{
    SingleEnd e = {.status = MACHINE_RUNNING};
    char err[256];

    if (vmm_with_machine(v, name, main_single_end, &e, err, sizeof(err)) < 0) {
        return 0;
    }
    switch (e.status) {
    case MACHINE_ENDED: return e.exit_status;
    case MACHINE_HALTED: fprintf(stderr, "softvisor: %s\n", e.reason); return 0;
    case MACHINE_FAILED:
        fprintf(stderr, "softvisor: %s", e.reason);
        if (e.reason[0] && e.reason[strlen(e.reason) - 1] != '\n') {
            fputc('\n', stderr);
        }
        return EXIT_GUEST_FAILED;
    default: return 0; /* quit while it ran */
    }
}

static void main_summary(Vmm *v)
{
    GuestInfo infos[256];
    size_t n = vmm_list(v, infos, 256);

    fflush(stdout);
    for (size_t i = 0; i < n && i < 256; i++) {
        const GuestInfo *g = &infos[i];
        if (g->state == GUEST_ENDED) {
            fprintf(stderr, "softvisor: guest %s: ended, status %d (%s)\n",
                    g->name, g->exit_status, g->reason);
        } else if (g->state == GUEST_HALTED || g->state == GUEST_FAILED) {
            fprintf(stderr, "softvisor: guest %s: %s: %s\n", g->name,
                    guest_state_name(g->state), g->reason);
        } else {
            fprintf(stderr, "softvisor: guest %s: %s at quit\n", g->name,
                    guest_state_name(g->state));
        }
    }
}

static int main_start_monitors(SoftvisorOptions *o, Monitors *ms, char *err,
                               size_t errlen)
{
    for (int i = 0; o->monitors && o->monitors[i]; i++) {
        if (monitor_start(ms, o->monitors[i], err, errlen) < 0) {
            return -1;
        }
    }
    for (int i = 0; o->qmps && o->qmps[i]; i++) {
        if (qmp_start(ms, o->qmps[i], err, errlen) < 0) {
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    SoftvisorOptions opts;
    GPtrArray *specs =
        g_ptr_array_new_with_free_func((GDestroyNotify)guest_spec_free);
    VmmConfig vc = {0};
    Main mn = {0};
    char err[HOST_FILE_ERR_MAX];
    int status = 0;
    guint tick;

    if (options_parse(&opts, argc, argv, err, sizeof(err)) < 0 ||
        (!opts.done &&
         main_collect_guests(&opts, specs, err, sizeof(err)) < 0)) {
        fprintf(stderr, "softvisor: %s\n", err);
        g_ptr_array_free(specs, TRUE);
        options_free(&opts);
        return EXIT_USAGE;
    }
    if (opts.done) {
        g_ptr_array_free(specs, TRUE);
        options_free(&opts);
        return 0;
    }
    /* A guest writing to a closed pipe must not kill softvisor. */
    signal(SIGPIPE, SIG_IGN);

    vc.threads = opts.sched_threads;
    vc.slice_us = opts.sched_slice_us;
    vc.mem_limit = opts.mem_limit;
    vc.report = opts.report_path;
    vc.report_interval_s = opts.report_interval_s;
    /* Every guest is built before any runs: a bad one stops us first. */
    vc.defer_start = true;
    mn.vmm = vmm_new(&vc, err, sizeof(err));
    if (!mn.vmm) {
        fprintf(stderr, "softvisor: %s\n", err);
        g_ptr_array_free(specs, TRUE);
        options_free(&opts);
        return EXIT_USAGE;
    }
    for (guint i = 0; i < specs->len; i++) {
        const GuestSpec *s = specs->pdata[i];
        if (vmm_add_guest(mn.vmm, &s->cfg, err, sizeof(err)) < 0) {
            /* The guest of the single-guest flags was never named by
             * the user: its message goes without the "guest 'g0': " the
             * VMM puts before it. */
            const char *msg = err, *p = strstr(err, "': ");
            if (s->from_flags && p && !strncmp(err, "guest '", 7)) {
                msg = p + 3;
            }
            fprintf(stderr, "softvisor: %s\n", msg);
            status = EXIT_USAGE;
            break;
        }
    }
    mn.ms = monitors_new(mn.vmm);
    if (status == 0 && opts.allow_dirs &&
        monitors_allow_dirs(mn.ms, opts.allow_dirs, err, sizeof(err)) < 0) {
        fprintf(stderr, "softvisor: %s\n", err);
        status = EXIT_USAGE;
    }
    if (status == 0 &&
        main_start_monitors(&opts, mn.ms, err, sizeof(err)) < 0) {
        fprintf(stderr, "softvisor: %s\n", err);
        status = EXIT_USAGE;
    }
    if (status == 0) {
        mn.loop = g_main_loop_new(NULL, FALSE);
        monitors_set_notify(mn.ms, main_notify, &mn);
        tick = g_timeout_add(50, main_tick, &mn);
        vmm_start(mn.vmm);
        g_main_loop_run(mn.loop);
        g_source_remove(tick);
        g_main_loop_unref(mn.loop);
        if (specs->len == 1) {
            const GuestSpec *s = specs->pdata[0];
            status = main_single_status(mn.vmm, s->cfg.name);
        } else {
            main_summary(mn.vmm);
        }
    }
    monitors_free(mn.ms);
    fflush(stdout);
    vmm_free(mn.vmm);
    g_ptr_array_free(specs, TRUE);
    options_free(&opts);
    return status;
}
