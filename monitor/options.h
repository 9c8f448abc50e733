/*
 * Command-line options (QEMU's spelling), parsed with GLib.
 */
#ifndef MONITOR_OPTIONS_H
#define MONITOR_OPTIONS_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "devices/pc.h"

/* An integer option that was not given (GLib leaves it as it was). */
#define OPTIONS_UNSET INT_MIN

typedef struct SoftvisorOptions {
    PCConfig pc;
    bool done; /* --help or --version printed: exit 0 */
    /* strings owned by the parser */
    char *mem, *kernel, *append, *initrd, *serial, *display, *accel, *log,
        *logfile, *debugcon, *jit_cache;
    char **devices;
    gboolean nographic, no_reboot, version;
    /* Many guests and the VMM (issue 4). */
    char **guests;           /* -guest SPEC, repeated */
    char *config;            /* -config FILE */
    char **monitors, **qmps; /* -monitor SPEC, -qmp SPEC */
    char **allow_dirs;       /* -monitor-allow-dir DIR, repeated */
    char *sched_report, *mem_limit_str;
    gint sched_threads, sched_slice_us; /* after parsing, 0: the default */
    char *report_path; /* from -sched-report FILE[,interval=SEC] */
    unsigned report_interval_s;
    uint64_t mem_limit;
} SoftvisorOptions;

/* Parse ARGV into OPTS.  0, or -1 with a one-line message in ERR. */
int options_parse(SoftvisorOptions *opts, int argc, char **argv, char *err,
                  size_t errlen);
void options_free(SoftvisorOptions *opts);
/* Parse a size with an optional K/M/G suffix (default unit MiB, as QEMU's
 * -m).  0, or -1 if malformed. */
int options_parse_size(const char *s, uint64_t *out);

#endif
