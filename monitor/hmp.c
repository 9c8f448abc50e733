/*
 * The text monitor: QEMU's HMP conventions (prompt "(softvisor) ", one
 * command per line, `help`, `info ...`, `x /FMT ADDR`), over the guests of
 * a Vmm.  Commands that look at a guest's machine (registers, memory,
 * code) run through vmm_with_machine, which holds the guest still; the
 * others use the Vmm's snapshots and posted requests.
 *
 * Every failing command writes exactly one line starting "Error: " (or
 * QEMU's "unknown command: '...'").
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "devices/host-file.h"
#include "monitor/guest-options.h"
#include "monitor/hmp-machine.h"
#include "monitor/monitor-int.h"

#define HMP_PROMPT "(softvisor) "

struct HmpSession {
    Monitors *ms;
    MonClient *client; /* NULL for monitors_hmp_command's session */
    char selected[64]; /* "": the first guest */
    GString *line;
    bool discarding; /* rest of an over-long line */
};

typedef struct HmpCmd {
    const char *name; /* one or two words */
    const char *args;
    const char *help;
    int min_args, max_args;
    int (*fn)(HmpSession *s, int argc, char **argv, const char *rest,
              GString *out);
} HmpCmd;

static const HmpCmd hmp_cmds[];

/* ---- helpers ----------------------------------------------------------- */

static int hmp_error(GString *out, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int hmp_error(GString *out, const char *fmt, ...)
{
    va_list ap;
    gsize start = out->len;

    g_string_append(out, "Error: ");
    va_start(ap, fmt);
    g_string_append_vprintf(out, fmt, ap);
    va_end(ap);
    /* One line, whatever a lower layer put in its message. */
    for (gsize i = start; i < out->len; i++) {
        if (out->str[i] == '\n' || out->str[i] == '\r') {
            g_string_truncate(out, i);
            break;
        }
    }
    g_string_append_c(out, '\n');
    return -1;
}

/* Snapshots of every guest; *N their number. */
static GuestInfo *list_guests(Vmm *v, size_t *n)
{
    size_t max = 16;
    GuestInfo *g;

    for (;;) {
        g = g_new0(GuestInfo, max);
        *n = vmm_list(v, g, max);
        if (*n <= max) {
            return g;
        }
        g_free(g);
        max = *n;
    }
}

/*
 * The guest a command acts on: ARG if given, else the selected guest, else
 * the first one.  Copies its name to NAME (64 bytes); -1 with the error
 * line in OUT.
 */
static int hmp_guest(HmpSession *s, const char *arg, char *name,
                     GString *out)
{
    GuestInfo gi;
    Vmm *v = s->ms->vmm;

    if (arg) {
        if (vmm_info(v, arg, &gi) < 0) {
            return hmp_error(out, "no guest named '%s'", arg);
        }
    } else if (!s->selected[0] || vmm_info(v, s->selected, &gi) < 0) {
        GuestInfo first;
        if (vmm_list(v, &first, 1) == 0) {
            return hmp_error(out, "no guests");
        }
        gi = first;
    }
    g_strlcpy(name, gi.name, 64);
    return 0;
}

static int parse_uint(const char *s, unsigned max, unsigned *out)
{
    char *end;
    unsigned long v;

    if (!s || !*s || *s == '-' || *s == '+') {
        return -1;
    }
    v = strtoul(s, &end, 0);
    if (*end || v > max) {
        return -1;
    }
    *out = v;
    return 0;
}

/* ---- info -------------------------------------------------------------- */

static const char *accel_name(MachineAccel a)
{
    return a == ACCEL_JIT ? "jit" : "interp";
}

static int hmp_info_guests(HmpSession *s, int argc, char **argv,
                           const char *rest, GString *out)
{
    size_t n;
    GuestInfo *g = list_guests(s->ms->vmm, &n);
    char sel[64] = "";

    if (n) {
        GString *dummy = g_string_new(NULL);
        hmp_guest(s, NULL, sel, dummy);
        g_string_free(dummy, TRUE);
    }
    g_string_append_printf(out, "  %-16s %-8s %6s %4s %7s %5s %8s  %s\n",
                           "name", "state", "weight", "cap", "reserve",
                           "accel", "ram(MiB)", "status");
    for (size_t i = 0; i < n; i++) {
        g_string_append_printf(
            out, "%c %-16s %-8s %6u %3u%% %6u%% %5s %8llu  ",
            strcmp(g[i].name, sel) ? ' ' : '*', g[i].name,
            guest_state_name(g[i].state), g[i].weight, g[i].cap,
            g[i].reserve, accel_name(g[i].accel),
            (unsigned long long)(g[i].ram_bytes >> 20));
        if (g[i].state == GUEST_ENDED) {
            g_string_append_printf(out, "exit %d", g[i].exit_status);
        } else if (g[i].state == GUEST_FAILED) {
            g_string_append_printf(out, "%.*s",
                                   (int)strcspn(g[i].reason, "\n"),
                                   g[i].reason);
        } else {
            g_string_append(out, "-");
        }
        g_string_append_c(out, '\n');
    }
    if (!n) {
        g_string_append(out, "no guests\n");
    }
    g_free(g);
    return 0;
}

static int hmp_info_sched(HmpSession *s, int argc, char **argv,
                          const char *rest, GString *out)
{
    size_t n;
    GuestInfo *g = list_guests(s->ms->vmm, &n);

    g_string_append_printf(out, "%-16s %-8s %6s %4s %7s %7s %7s %14s %10s "
                           "%8s %9s\n", "name", "state", "weight", "cap",
                           "reserve", "share", "total", "instructions",
                           "cpu-ms", "slices", "tb-bytes");
    for (size_t i = 0; i < n; i++) {
        g_string_append_printf(
            out, "%-16s %-8s %6u %3u%% %6u%% %6.1f%% %6.1f%% %14llu %10.1f "
                 "%8llu %9zu\n",
            g[i].name, guest_state_name(g[i].state), g[i].weight, g[i].cap,
            g[i].reserve, g[i].share_last * 100, g[i].share_total * 100,
            (unsigned long long)g[i].instructions, g[i].cpu_ns / 1e6,
            (unsigned long long)g[i].slices, g[i].tb_bytes);
    }
    g_free(g);
    return 0;
}

/* Run a machine-inspection command (hmp-machine.c) on guest NAME. */
static int with_machine(HmpSession *s, const char *name, MachineQuery *q,
                        GString *out)
{
    char err[256];

    q->out = out;
    q->rc = 0;
    if (vmm_with_machine(s->ms->vmm, name, machine_query_run, q, err,
                         sizeof(err)) < 0) {
        return hmp_error(out, "%s", err);
    }
    if (q->rc < 0) {
        return hmp_error(out, "%s", q->err);
    }
    return 0;
}

static int hmp_info_machine(HmpSession *s, int argc, char **argv,
                            MachineQueryKind kind, GString *out)
{
    char name[64];
    MachineQuery q = {.kind = kind};

    if (hmp_guest(s, argc > 0 ? argv[0] : NULL, name, out) < 0) {
        return -1;
    }
    return with_machine(s, name, &q, out);
}

static int hmp_info_registers(HmpSession *s, int argc, char **argv,
                              const char *rest, GString *out)
{
    return hmp_info_machine(s, argc, argv, MQ_REGISTERS, out);
}

static int hmp_info_jit(HmpSession *s, int argc, char **argv,
                        const char *rest, GString *out)
{
    return hmp_info_machine(s, argc, argv, MQ_JIT, out);
}

static int hmp_info_mem(HmpSession *s, int argc, char **argv,
                        const char *rest, GString *out)
{
    return hmp_info_machine(s, argc, argv, MQ_MEM, out);
}

/* ---- memory and code ----------------------------------------------------- */

static int hmp_dump(HmpSession *s, int argc, char **argv, bool phys,
                    GString *out)
{
    char name[64];
    MachineQuery q = {.kind = MQ_DUMP, .phys = phys};
    const char *fmt = argv[0], *addr;

    /* "x /10xw ADDR" or "x ADDR" (QEMU's defaults: 1 word in hex). */
    if (fmt[0] == '/') {
        if (argc != 2) {
            return hmp_error(out, "usage: %s /FMT ADDR", phys ? "xp" : "x");
        }
        addr = argv[1];
    } else {
        if (argc != 1) {
            return hmp_error(out, "usage: %s /FMT ADDR", phys ? "xp" : "x");
        }
        addr = fmt;
        fmt = "/1xw";
    }
    if (dump_parse_format(fmt, &q, out) < 0) {
        return -1;
    }
    q.addr_expr = addr;
    if (hmp_guest(s, NULL, name, out) < 0) {
        return -1;
    }
    return with_machine(s, name, &q, out);
}

static int hmp_x(HmpSession *s, int argc, char **argv, const char *rest,
                 GString *out)
{
    return hmp_dump(s, argc, argv, false, out);
}

static int hmp_xp(HmpSession *s, int argc, char **argv, const char *rest,
                  GString *out)
{
    return hmp_dump(s, argc, argv, true, out);
}

static int hmp_disas(HmpSession *s, int argc, char **argv, const char *rest,
                     GString *out)
{
    char name[64];
    MachineQuery q = {.kind = MQ_DISAS, .addr_expr = argv[0], .count = 10};

    if (argc > 1 && parse_uint(argv[1], 1000, &q.count) < 0) {
        return hmp_error(out, "disas: bad count '%s' (1-1000)", argv[1]);
    }
    if (q.count == 0) {
        return hmp_error(out, "disas: bad count '0' (1-1000)");
    }
    if (hmp_guest(s, NULL, name, out) < 0) {
        return -1;
    }
    return with_machine(s, name, &q, out);
}

/* ---- guests and scheduling --------------------------------------------- */

static int hmp_guest_select(HmpSession *s, int argc, char **argv,
                            const char *rest, GString *out)
{
    char name[64];

    if (hmp_guest(s, argv[0], name, out) < 0) {
        return -1;
    }
    g_strlcpy(s->selected, name, sizeof(s->selected));
    return 0;
}

static int hmp_guest_add(HmpSession *s, int argc, char **argv,
                         const char *rest, GString *out)
{
    char err[HOST_FILE_ERR_MAX];
    GuestSpec *spec =
        guest_spec_parse(rest, s->ms->allow_dirs, err, sizeof(err));
    int rc;

    if (!spec) {
        return hmp_error(out, "%s", err);
    }
    rc = vmm_add_guest(s->ms->vmm, &spec->cfg, err, sizeof(err));
    guest_spec_free(spec);
    return rc < 0 ? hmp_error(out, "%s", err) : 0;
}

static int hmp_guest_del(HmpSession *s, int argc, char **argv,
                         const char *rest, GString *out)
{
    char err[256];

    if (vmm_del_guest(s->ms->vmm, argv[0], err, sizeof(err)) < 0) {
        return hmp_error(out, "%s", err);
    }
    if (!strcmp(s->selected, argv[0])) {
        s->selected[0] = 0;
    }
    return 0;
}

typedef int (*VmmNameFn)(Vmm *v, const char *name, char *err, size_t errlen);

/* stop / cont / reset: NAME, "all", or the selected guest. */
static int hmp_lifecycle(HmpSession *s, int argc, char **argv, VmmNameFn fn,
                         GString *out)
{
    char name[64], err[256];
    const char *target = NULL;

    if (argc == 0 || strcmp(argv[0], "all")) {
        if (hmp_guest(s, argc ? argv[0] : NULL, name, out) < 0) {
            return -1;
        }
        target = name;
    }
    if (fn(s->ms->vmm, target, err, sizeof(err)) < 0) {
        return hmp_error(out, "%s", err);
    }
    return 0;
}

static int hmp_stop(HmpSession *s, int argc, char **argv, const char *rest,
                    GString *out)
{
    return hmp_lifecycle(s, argc, argv, vmm_stop, out);
}

static int hmp_cont(HmpSession *s, int argc, char **argv, const char *rest,
                    GString *out)
{
    return hmp_lifecycle(s, argc, argv, vmm_cont, out);
}

static int hmp_reset(HmpSession *s, int argc, char **argv, const char *rest,
                     GString *out)
{
    return hmp_lifecycle(s, argc, argv, vmm_reset, out);
}

typedef int (*VmmSetFn)(Vmm *v, const char *name, unsigned val, char *err,
                        size_t errlen);

static int hmp_set(HmpSession *s, char **argv, VmmSetFn fn, unsigned min,
                   unsigned max, const char *what, GString *out)
{
    unsigned val;
    char err[256];

    if (parse_uint(argv[1], max, &val) < 0 || val < min) {
        return hmp_error(out, "bad %s '%s' (%u-%u)", what, argv[1], min, max);
    }
    if (fn(s->ms->vmm, argv[0], val, err, sizeof(err)) < 0) {
        return hmp_error(out, "%s", err);
    }
    return 0;
}

static int hmp_weight(HmpSession *s, int argc, char **argv, const char *rest,
                      GString *out)
{
    return hmp_set(s, argv, vmm_set_weight, 1, 10000, "weight", out);
}

static int hmp_cap(HmpSession *s, int argc, char **argv, const char *rest,
                   GString *out)
{
    return hmp_set(s, argv, vmm_set_cap, 0, 100, "cap", out);
}

static int hmp_reserve(HmpSession *s, int argc, char **argv,
                       const char *rest, GString *out)
{
    return hmp_set(s, argv, vmm_set_reserve, 0, 100, "reservation", out);
}

static int hmp_quit(HmpSession *s, int argc, char **argv, const char *rest,
                    GString *out)
{
    if (s->client) {
        mon_client_close(s->client);
    }
    mon_request_quit(s->ms);
    return 0;
}

/* ---- help and dispatch -------------------------------------------------- */

static int hmp_help(HmpSession *s, int argc, char **argv, const char *rest,
                    GString *out)
{
    size_t plen = rest ? strlen(rest) : 0;
    bool found = false;

    /* "help" lists all; "help info" every info command; "help x" one. */
    for (const HmpCmd *c = hmp_cmds; c->name; c++) {
        size_t nlen = strlen(c->name);
        if (plen && !(!strcmp(c->name, rest) ||
                      (nlen > plen && !strncmp(c->name, rest, plen) &&
                       c->name[plen] == ' '))) {
            continue;
        }
        found = true;
        g_string_append_printf(out, "%s%s%s -- %s\n", c->name,
                               *c->args ? " " : "", c->args, c->help);
    }
    if (!found) {
        return hmp_error(out, "help: unknown command '%s'", rest);
    }
    return 0;
}

static int hmp_info(HmpSession *s, int argc, char **argv, const char *rest,
                    GString *out)
{
    /* Only reached for "info" alone or an unknown subcommand. */
    if (argc) {
        return hmp_error(out, "info: unknown subcommand '%s' (try 'help "
                         "info')", argv[0]);
    }
    return hmp_help(s, 1, (char *[]){"info"}, "info", out);
}

static const HmpCmd hmp_cmds[] = {
    {"help", "[CMD]", "show the commands, or the help of CMD", 0, 2, hmp_help},
    {"info", "SUBCOMMAND", "show the state of the guests (see below)", 0, 1,
     hmp_info},
    {"info guests", "", "list the guests and their state", 0, 0,
     hmp_info_guests},
    {"info sched", "", "scheduler figures of every guest", 0, 0,
     hmp_info_sched},
    {"info registers", "[GUEST]", "CPU registers of the guest", 0, 1,
     hmp_info_registers},
    {"info jit", "[GUEST]", "translation-block cache use of the guest", 0, 1,
     hmp_info_jit},
    {"info mem", "[GUEST]", "RAM size and physical memory map of the guest",
     0, 1, hmp_info_mem},
    {"x", "/FMT ADDR", "dump memory at linear ADDR: /Nfu, N count, f format "
     "(x d u o c i s), u unit (b h w g)", 1, 2, hmp_x},
    {"xp", "/FMT ADDR", "dump memory at physical ADDR (format as x)", 1, 2,
     hmp_xp},
    {"disas", "ADDR [N]", "disassemble N (10) instructions at linear ADDR "
     "($eip works)", 1, 2, hmp_disas},
    {"guest select", "NAME", "make NAME the guest commands act on", 1, 1,
     hmp_guest_select},
    {"guest add", "key=value,...", "create and start a guest (the -guest "
     "keys)", 1, 1000, hmp_guest_add},
    {"guest del", "NAME", "destroy a guest", 1, 1, hmp_guest_del},
    {"stop", "[NAME|all]", "pause the selected guest, NAME, or every guest",
     0, 1, hmp_stop},
    {"cont", "[NAME|all]", "resume the selected guest, NAME, or every guest",
     0, 1, hmp_cont},
    {"reset", "[NAME]", "reset the selected guest or NAME", 0, 1, hmp_reset},
    {"weight", "NAME N", "set NAME's scheduling weight (1-10000)", 2, 2,
     hmp_weight},
    {"cap", "NAME PCT", "cap NAME at PCT % of one host CPU (0: none)", 2, 2,
     hmp_cap},
    {"reserve", "NAME PCT", "reserve PCT % of one host CPU for NAME", 2, 2,
     hmp_reserve},
    {"quit", "", "quit softvisor", 0, 0, hmp_quit},
    {NULL},
};

/* The command whose (one- or two-word) name ARGV starts with. */
static const HmpCmd *hmp_find(int argc, char **argv, int *nwords)
{
    const HmpCmd *one = NULL;

    for (const HmpCmd *c = hmp_cmds; c->name; c++) {
        const char *sp = strchr(c->name, ' ');
        if (!sp && !strcmp(c->name, argv[0])) {
            one = c;
        } else if (sp && argc > 1 &&
                   !strncmp(c->name, argv[0], sp - c->name) &&
                   !argv[0][sp - c->name] && !strcmp(sp + 1, argv[1])) {
            *nwords = 2;
            return c;
        }
    }
    *nwords = 1;
    return one;
}

/* Where word N of LINE starts (for commands that take the rest raw). */
static const char *skip_words(const char *line, int n)
{
    const char *p = line + strspn(line, " \t");
    while (n-- > 0) {
        p += strcspn(p, " \t");
        p += strspn(p, " \t");
    }
    return p;
}

int hmp_session_exec(HmpSession *s, const char *line, GString *out)
{
    char **argv;
    char *cmdline;
    int argc, nwords, rc;
    const HmpCmd *c;
    GPtrArray *words = g_ptr_array_new();

    /* QEMU allows "x/4xb addr": split the format from the name. */
    cmdline = g_strdup(line);
    g_strstrip(cmdline);
    if (g_str_has_prefix(cmdline, "x/") || g_str_has_prefix(cmdline, "xp/")) {
        char *slash = strchr(cmdline, '/');
        char *fixed = g_strdup_printf("%.*s %s", (int)(slash - cmdline),
                                      cmdline, slash);
        g_free(cmdline);
        cmdline = fixed;
    }
    argv = g_strsplit_set(cmdline, " \t", -1);
    for (char **w = argv; *w; w++) {
        if (**w) {
            g_ptr_array_add(words, *w);
        }
    }
    argc = words->len;
    g_ptr_array_add(words, NULL);
    if (argc == 0) {
        rc = 0; /* empty line: just a new prompt */
        goto out;
    }
    char **av = (char **)words->pdata;
    c = hmp_find(argc, av, &nwords);
    if (!c) {
        g_string_append_printf(out, "unknown command: '%s'\n", av[0]);
        rc = -1;
        goto out;
    }
    argc -= nwords;
    if (argc < c->min_args || argc > c->max_args) {
        rc = hmp_error(out, "%s: %s; usage: %s %s", c->name,
                       argc < c->min_args ? "missing argument"
                                          : "too many arguments",
                       c->name, c->args);
        goto out;
    }
    rc = c->fn(s, argc, av + nwords, argc ? skip_words(cmdline, nwords)
                                          : NULL, out);
out:
    g_ptr_array_free(words, TRUE);
    g_strfreev(argv);
    g_free(cmdline);
    return rc;
}

/* ---- sessions on a client ------------------------------------------------ */

HmpSession *hmp_session_new(Monitors *ms)
{
    HmpSession *s = g_new0(HmpSession, 1);
    s->ms = ms;
    s->line = g_string_new(NULL);
    return s;
}

void hmp_session_free(HmpSession *s)
{
    if (s) {
        g_string_free(s->line, TRUE);
        g_free(s);
    }
}

void hmp_client_open(MonClient *c)
{
    c->hmp = hmp_session_new(c->ms);
    c->hmp->client = c;
    mon_client_printf(c, "softvisor %s monitor - type 'help' for more "
                      "information\n" HMP_PROMPT, SOFTVISOR_VERSION);
}

void hmp_client_input(MonClient *c, const char *data, size_t len)
{
    HmpSession *s = c->hmp;

    for (size_t i = 0; i < len && !c->dead && !c->closing; i++) {
        if (data[i] != '\n') {
            if (s->discarding) {
                continue;
            }
            if (s->line->len >= HMP_LINE_MAX) {
                s->discarding = true;
                continue;
            }
            g_string_append_c(s->line, data[i]);
            continue;
        }
        GString *out = g_string_new(NULL);
        if (s->discarding) {
            hmp_error(out, "line longer than %d bytes", HMP_LINE_MAX);
        } else {
            /* Terminals and telnet send CR LF. */
            if (s->line->len && s->line->str[s->line->len - 1] == '\r') {
                g_string_truncate(s->line, s->line->len - 1);
            }
            hmp_session_exec(s, s->line->str, out);
        }
        s->discarding = false;
        g_string_truncate(s->line, 0);
        if (!c->closing) {
            g_string_append(out, HMP_PROMPT);
        }
        mon_client_write(c, out->str, out->len);
        g_string_free(out, TRUE);
    }
}
