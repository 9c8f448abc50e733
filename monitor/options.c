/*
 * softvisor's command line.  QEMU spells long options with one dash
 * (-kernel); GLib wants two, so known names are rewritten before GLib's
 * parser sees them.
 */
#include <glib.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "monitor/options.h"

static const char summary[] =
    "Runs an emulated i686 PC on the host CPU, without hardware\n"
    "virtualization.  Without -kernel it runs its built-in demo guest.\n"
    "\n"
    "Exit status: the guest's own (isa-debug-exit: (value << 1) | 1),\n"
    "0 when the guest halts, 1 for bad usage or a bad image, 2 when the\n"
    "guest fails (an exception it cannot survive, an unsupported feature).";

/* Fill GLib's table; the option strings land in OPTS. */
static GOptionEntry *option_entries(SoftvisorOptions *o)
{
    GOptionEntry entries[] = {
        {"m", 'm', 0, G_OPTION_ARG_STRING, &o->mem,
         "guest RAM size (default 128M; suffix K, M or G)", "SIZE"},
        {"kernel", 0, 0, G_OPTION_ARG_FILENAME, &o->kernel,
         "boot this multiboot kernel image", "FILE"},
        {"append", 0, 0, G_OPTION_ARG_STRING, &o->append,
         "the kernel's command line", "STR"},
        {"initrd", 0, 0, G_OPTION_ARG_STRING, &o->initrd,
         "multiboot modules: \"FILE[ ARGS][,FILE[ ARGS]...]\"", "MODULES"},
        {"serial", 0, 0, G_OPTION_ARG_STRING, &o->serial,
         "COM1 backend: stdio (default), file:PATH, "
         "unix:PATH[,server][,nowait] or null",
         "DEV"},
        {"debugcon", 0, 0, G_OPTION_ARG_STRING, &o->debugcon,
         "port 0xe9 debug console backend: stdio, file:PATH, unix:PATH or null "
         "(default)",
         "DEV"},
        {"nographic", 0, 0, G_OPTION_ARG_NONE, &o->nographic,
         "no display; the serial port on the terminal", NULL},
        {"display", 0, 0, G_OPTION_ARG_STRING, &o->display,
         "display type: none", "TYPE"},
        {"no-reboot", 0, 0, G_OPTION_ARG_NONE, &o->no_reboot,
         "end the guest instead of resetting it", NULL},
        {"accel", 0, 0, G_OPTION_ARG_STRING, &o->accel,
         "execution backend: jit (x86-64 code, the default) or interp (the "
         "portable IR interpreter); tcg is a synonym of jit",
         "NAME"},
        {"jit-cache", 0, 0, G_OPTION_ARG_STRING, &o->jit_cache,
         "JIT code buffer size (default 32M; suffix K, M or G)", "SIZE"},
        {"device", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->devices,
         "isa-debug-exit[,iobase=PORT][,iosize=N] (present by default)",
         "DRIVER[,PROP=VALUE...]"},
        {"d", 'd', 0, G_OPTION_ARG_STRING, &o->log,
         "log items, comma separated (-d help lists them)", "ITEMS"},
        {"D", 'D', 0, G_OPTION_ARG_FILENAME, &o->logfile,
         "write the log to FILE instead of stderr", "FILE"},
        {"guest", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->guests,
         "add a guest (repeatable): name=NAME,kernel=FILE[,append=STR]"
         "[,initrd=FILE][,mem=SIZE][,weight=N][,cap=PCT][,reserve=PCT]"
         "[,serial=DEV][,accel=jit|interp][,no-reboot=on|off]...",
         "KEY=VALUE,..."},
        {"config", 0, 0, G_OPTION_ARG_FILENAME, &o->config,
         "add the guests of a key file, one [guest NAME] group each", "FILE"},
        {"sched-threads", 0, 0, G_OPTION_ARG_INT, &o->sched_threads,
         "worker threads, 1-256 (default: host cores, at most the guests)",
         "N"},
        {"sched-slice-us", 0, 0, G_OPTION_ARG_INT, &o->sched_slice_us,
         "target length of a scheduling slice, 100-1000000 (default 2000)",
         "US"},
        {"sched-report", 0, 0, G_OPTION_ARG_STRING, &o->sched_report,
         "append one JSON line per guest per interval to FILE",
         "FILE[,interval=SEC]"},
        {"mem-limit", 0, 0, G_OPTION_ARG_STRING, &o->mem_limit_str,
         "cap the sum of guest RAM (suffix K, M or G)", "SIZE"},
        {"monitor", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->monitors,
         "text monitor: stdio, unix:PATH,server,nowait or "
         "tcp:127.0.0.1:PORT,server,nowait",
         "SPEC"},
        {"qmp", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->qmps,
         "QMP server: unix:PATH,server,nowait or "
         "tcp:127.0.0.1:PORT,server,nowait",
         "SPEC"},
        {"monitor-allow-dir", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->allow_dirs,
         "monitor and QMP clients may name only host files under DIR "
         "(symbolic links followed; repeatable)",
         "DIR"},
        {"version", 0, 0, G_OPTION_ARG_NONE, &o->version,
         "print the version and exit", NULL},
        {NULL},
    };
    return g_memdup2(entries, sizeof(entries));
}

/* Options GLib knows only as --name; QEMU users write -name. */
static bool is_long_option(const GOptionEntry *e, const char *name)
{
    for (; e->long_name; e++) {
        if (strlen(e->long_name) > 1 && !strcmp(e->long_name, name)) {
            return true;
        }
    }
    return false;
}

int options_parse_size(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    uint64_t unit = 1ull << 20;

    if (!strncmp(s, "size=", 5)) {
        s += 5;
    }
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s) {
        return -1;
    }
    switch (*end) {
    case 0: break;
    case 'k':
    case 'K':
        unit = 1ull << 10;
        end++;
        break;
    case 'm':
    case 'M':
        unit = 1ull << 20;
        end++;
        break;
    case 'g':
    case 'G':
        unit = 1ull << 30;
        end++;
        break;
    default: return -1;
    }
    if ((*end == 'B' || *end == 'b') && end[1] == 0) {
        end++;
    }
    if (*end || v > (1ull << 40) / unit) {
        return -1;
    }
    *out = v * unit;
    return 0;
}

/* -device isa-debug-exit,iobase=0xf4,iosize=0x04 */
static int parse_device(SoftvisorOptions *o, const char *spec, char *err,
                        size_t errlen)
{
    gchar **parts = g_strsplit(spec, ",", -1);
    int ret = 0;

    if (strcmp(parts[0], "isa-debug-exit") != 0) {
        snprintf(err, errlen,
                 "-device '%s': unsupported device (softvisor has "
                 "isa-debug-exit)",
                 parts[0]);
        g_strfreev(parts);
        return -1;
    }
    for (int i = 1; parts[i] && ret == 0; i++) {
        char *eq = strchr(parts[i], '='), *end;
        unsigned long v;
        if (!eq) {
            ret = -1;
            break;
        }
        *eq = 0;
        errno = 0;
        v = strtoul(eq + 1, &end, 0);
        if (errno || *end || end == eq + 1) {
            ret = -1;
        } else if (!strcmp(parts[i], "iobase") && v <= 0xffff) {
            o->pc.debug_exit_iobase = v;
        } else if (!strcmp(parts[i], "iosize") && v >= 1 && v <= 4) {
            o->pc.debug_exit_iosize = v;
        } else {
            ret = -1;
        }
        if (ret) {
            *eq = '=';
        }
    }
    if (ret) {
        snprintf(err, errlen, "-device isa-debug-exit: bad property in '%s'",
                 spec);
    }
    g_strfreev(parts);
    return ret;
}

/* The VMM's flags: -sched-*, -mem-limit. */
static int options_check_vmm(SoftvisorOptions *o, char *err, size_t errlen)
{
    /* OPTIONS_UNSET (not given) becomes 0, the VMM's "default"; a 0
     * given by the user is out of range like any other. */
    if (o->sched_threads == OPTIONS_UNSET) {
        o->sched_threads = 0;
    } else if (o->sched_threads < 1 || o->sched_threads > 256) {
        snprintf(err, errlen, "-sched-threads %d: give 1 to 256",
                 o->sched_threads);
        return -1;
    }
    if (o->sched_slice_us == OPTIONS_UNSET) {
        o->sched_slice_us = 0;
    } else if (o->sched_slice_us < 100 || o->sched_slice_us > 1000000) {
        snprintf(err, errlen,
                 "-sched-slice-us %d: give 100 to 1000000 microseconds",
                 o->sched_slice_us);
        return -1;
    }
    if (o->mem_limit_str &&
        options_parse_size(o->mem_limit_str, &o->mem_limit) < 0) {
        snprintf(err, errlen, "-mem-limit '%s': not a size (e.g. 1G)",
                 o->mem_limit_str);
        return -1;
    }
    o->report_interval_s = 1;
    if (o->sched_report) {
        char *comma = strchr(o->sched_report, ',');
        o->report_path =
            g_strndup(o->sched_report, comma ? (size_t)(comma - o->sched_report)
                                             : strlen(o->sched_report));
        if (comma) {
            char *end;
            unsigned long n = 0;
            if (!strncmp(comma + 1, "interval=", 9)) {
                errno = 0;
                n = strtoul(comma + 10, &end, 10);
                if (errno || *end || end == comma + 10) {
                    n = 0;
                }
            }
            if (n < 1 || n > 86400) {
                snprintf(err, errlen,
                         "-sched-report '%s': expected FILE[,interval=SEC] "
                         "with SEC from 1 to 86400",
                         o->sched_report);
                return -1;
            }
            o->report_interval_s = n;
        }
        if (!o->report_path[0]) {
            snprintf(err, errlen, "-sched-report: missing FILE");
            return -1;
        }
    }
    return 0;
}

static int options_check(SoftvisorOptions *o, char *err, size_t errlen)
{
    if (options_check_vmm(o, err, errlen) < 0) {
        return -1;
    }

    /* The guest flags (-m, -kernel, -accel, -serial, -d ...) are checked
     * where they are applied, by guest_spec_set(), the same code that
     * checks -guest keys. */
    for (int i = 0; o->devices && o->devices[i]; i++) {
        if (parse_device(o, o->devices[i], err, errlen) < 0) {
            return -1;
        }
    }
    if (o->log && !strcmp(o->log, "help")) {
        fputs(machine_log_help(), stdout);
        o->done = true;
    }
    return 0;
}

int options_parse(SoftvisorOptions *o, int argc, char **argv, char *err,
                  size_t errlen)
{
    GOptionContext *ctx;
    GOptionEntry *entries;
    GError *gerr = NULL;
    char **args = g_new0(char *, argc + 1);
    int ret = 0;

    memset(o, 0, sizeof(*o));
    o->sched_threads = OPTIONS_UNSET;
    o->sched_slice_us = OPTIONS_UNSET;
    o->pc.debug_exit_iobase = 0xf4;
    o->pc.debug_exit_iosize = 4;

    entries = option_entries(o);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (i > 0 && a[0] == '-' && a[1] != '-' &&
            is_long_option(entries, a + 1)) {
            args[i] = g_strconcat("-", a, NULL);
        } else {
            args[i] = g_strdup(a);
        }
    }
    ctx = g_option_context_new("- the softvisor pure-software hypervisor");
    g_option_context_set_summary(ctx, summary);
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse_strv(ctx, &args, &gerr)) {
        snprintf(err, errlen, "%s (see --help)", gerr->message);
        g_error_free(gerr);
        ret = -1;
    } else if (args[0] && args[1]) {
        snprintf(err, errlen, "unexpected argument '%s' (see --help)", args[1]);
        ret = -1;
    }
    g_strfreev(args);
    g_option_context_free(ctx);
    g_free(entries);
    if (ret == 0 && o->version) {
        printf("softvisor version %s\n", SOFTVISOR_VERSION);
        o->done = true;
        return 0;
    }
    if (ret == 0) {
        ret = options_check(o, err, errlen);
    }
    return ret;
}

void options_free(SoftvisorOptions *o)
{
    g_free(o->mem);
    g_free(o->kernel);
    g_free(o->append);
    g_free(o->initrd);
    g_free(o->serial);
    g_free(o->display);
    g_free(o->accel);
    g_free(o->log);
    g_free(o->logfile);
    g_free(o->debugcon);
    g_free(o->jit_cache);
    g_strfreev(o->devices);
    g_strfreev(o->guests);
    g_strfreev(o->monitors);
    g_strfreev(o->qmps);
    g_strfreev(o->allow_dirs);
    g_free(o->config);
    g_free(o->sched_report);
    g_free(o->mem_limit_str);
    g_free(o->report_path);
}
