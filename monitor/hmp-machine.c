/*
 * Monitor commands that read a held-still guest Machine: registers, code
 * cache, memory map, memory dumps and disassembly.  Nothing here writes
 * guest state or can fault: memory is read with as_read_buf, which reads
 * all ones where nothing is mapped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memory/memory.h"
#include "monitor/hmp-machine.h"
#include "translate/disas.h"
#include "translate/tb.h"

static int mq_error(MachineQuery *q, const char *msg, const char *arg)
{
    snprintf(q->err, sizeof(q->err), msg, arg);
    q->rc = -1;
    return -1;
}

int dump_parse_format(const char *fmt, MachineQuery *q, GString *out)
{
    const char *p = fmt + 1;
    char *end;
    bool have_size = false;

    q->count = 1;
    q->format = 'x';
    q->size = 4;
    if (*p >= '0' && *p <= '9') {
        unsigned long n = strtoul(p, &end, 10);
        if (n == 0 || n > DUMP_MAX_BYTES) {
            g_string_append_printf(out, "Error: bad count in '%s'\n", fmt);
            return -1;
        }
        q->count = n;
        p = end;
    }
    for (; *p; p++) {
        if (strchr("xduocis", *p)) {
            q->format = *p;
        } else if (strchr("bhwg", *p)) {
            q->size = *p == 'b' ? 1 : *p == 'h' ? 2 : *p == 'w' ? 4 : 8;
            have_size = true;
        } else {
            g_string_append_printf(out, "Error: bad format '%s' (/Nfu: f in "
                                   "xduocis, u in bhwg)\n", fmt);
            return -1;
        }
    }
    if (q->format == 'c' && !have_size) {
        q->size = 1;
    }
    if ((q->format == 'x' || q->format == 'd' || q->format == 'u' ||
         q->format == 'o' || q->format == 'c') &&
        (uint64_t)q->count * q->size > DUMP_MAX_BYTES) {
        g_string_append_printf(out, "Error: '%s' asks for more than %u "
                               "bytes\n", fmt, DUMP_MAX_BYTES);
        return -1;
    }
    if ((q->format == 'i' || q->format == 's') && q->count > 1000) {
        g_string_append_printf(out, "Error: '%s': at most 1000 items\n", fmt);
        return -1;
    }
    return 0;
}

/* A number (C syntax) or a register: $eax ... $edi, $eip. */
static int eval_addr(Machine *m, MachineQuery *q, uint32_t *addr)
{
    static const char *const regs[CPU_NB_REGS] = {
        "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
    const char *e = q->addr_expr;
    char *end;

    if (e[0] == '$') {
        if (!strcmp(e + 1, "eip") || !strcmp(e + 1, "pc")) {
            /* A linear address: add the CS base, as QEMU's $pc does. */
            *addr = m->cpu.seg[R_CS].base + m->cpu.eip;
            return 0;
        }
        for (int i = 0; i < CPU_NB_REGS; i++) {
            if (!strcmp(e + 1, regs[i])) {
                *addr = m->cpu.regs[i];
                return 0;
            }
        }
        return mq_error(q, "unknown register '%s'", e);
    }
    unsigned long long v = strtoull(e, &end, 0);
    if (!*e || *end || *e == '-' || v > 0xffffffffull) {
        return mq_error(q, "bad address '%s'", e);
    }
    *addr = v;
    return 0;
}

/* No paging yet (memory/softmmu.h): linear = physical & A20 mask. */
static uint32_t linear_to_phys(Machine *m, uint32_t addr)
{
    return addr & m->cpu.a20_mask;
}

static void read_mem(Machine *m, MachineQuery *q, uint32_t addr, void *buf,
                     uint32_t len)
{
    uint8_t *b = buf;
    /* Byte by byte through the A20 mask for linear reads: a range may
     * wrap around it. */
    for (uint32_t i = 0; i < len; i++) {
        uint32_t a = addr + i;
        as_read_buf(m->as, q->phys ? a : linear_to_phys(m, a), b + i, 1);
    }
}

static void dump_chars(GString *out, const uint8_t *b, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (b[i] >= 0x20 && b[i] < 0x7f && b[i] != '\\' && b[i] != '\'') {
            g_string_append_printf(out, " '%c'", b[i]);
        } else {
            g_string_append_printf(out, " \\x%02x", b[i]);
        }
    }
}

/* QEMU's memory_dump shape: "ADDR: item item ...", 16 bytes a line (8 for
 * bytes). */
static void query_dump(Machine *m, MachineQuery *q, uint32_t addr)
{
    GString *out = q->out;

    if (q->format == 's') {
        for (unsigned n = 0; n < q->count; n++) {
            uint8_t buf[256];
            unsigned len = 0;
            read_mem(m, q, addr, buf, sizeof(buf));
            while (len < sizeof(buf) && buf[len]) {
                len++;
            }
            g_string_append_printf(out, "%08x: \"", addr);
            for (unsigned i = 0; i < len; i++) {
                if (buf[i] >= 0x20 && buf[i] < 0x7f && buf[i] != '"' &&
                    buf[i] != '\\') {
                    g_string_append_c(out, buf[i]);
                } else {
                    g_string_append_printf(out, "\\x%02x", buf[i]);
                }
            }
            g_string_append(out, len == sizeof(buf) ? "\"...\n" : "\"\n");
            addr += len + 1;
        }
        return;
    }
    unsigned total = q->count * q->size;
    unsigned line = q->size == 1 ? 8 : 16;
    uint8_t *buf = g_malloc(total);
    read_mem(m, q, addr, buf, total);
    for (unsigned off = 0; off < total; off += line) {
        unsigned n = MIN(line, total - off);
        g_string_append_printf(out, "%08x:", addr + off);
        if (q->format == 'c') {
            dump_chars(out, buf + off, n);
            g_string_append_c(out, '\n');
            continue;
        }
        for (unsigned i = 0; i < n; i += q->size) {
            uint64_t v = 0;
            for (unsigned k = 0; k < q->size; k++) {
                v |= (uint64_t)buf[off + i + k] << (8 * k);
            }
            int64_t sv = q->size == 8 ? (int64_t)v
                                      : (int64_t)(v << (64 - 8 * q->size)) >>
                                            (64 - 8 * q->size);
            switch (q->format) {
            case 'x':
                g_string_append_printf(out, " 0x%0*" G_GINT64_MODIFIER "x",
                                       q->size * 2, v);
                break;
            case 'o':
                g_string_append_printf(out, " %#" G_GINT64_MODIFIER "o", v);
                break;
            case 'u':
                g_string_append_printf(out, " %" G_GUINT64_FORMAT, v);
                break;
            default: /* 'd' */
                g_string_append_printf(out, " %" G_GINT64_FORMAT, sv);
                break;
            }
        }
        g_string_append_c(out, '\n');
    }
    g_free(buf);
}

/* Capture a FILE * printer into Q's output. */
static FILE *capture_open(char **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    return open_memstream(buf, len);
}

/* BUF and LEN are only valid after fclose. */
static void capture_close(MachineQuery *q, FILE *f, char **buf, size_t *len)
{
    fclose(f);
    g_string_append_len(q->out, *buf, *len);
    free(*buf);
}

static void query_disas(Machine *m, MachineQuery *q, uint32_t addr)
{
    char *buf;
    size_t len;
    FILE *f = capture_open(&buf, &len);

    if (!f) {
        mq_error(q, "%s", "out of memory");
        return;
    }
    disas_guest(&m->cpu, addr, q->count, m->cpu.hflags & HF_CS32, f);
    capture_close(q, f, &buf, &len);
}

static void query_jit(Machine *m, MachineQuery *q)
{
    TBCache *c = m->tbs;
    uint64_t live = 0;
    char *buf;
    size_t len;
    FILE *f;

    for (TranslationBlock *tb = c->all; tb; tb = tb->all_next) {
        live++;
    }
    g_string_append_printf(
        q->out,
        "backend: %s\n"
        "translation blocks: %llu live, %llu translated, %llu invalidated\n"
        "code cache: %zu of %zu bytes (%.1f%%), %llu flushes\n",
        m->accel == ACCEL_JIT ? "jit" : "interp", (unsigned long long)live,
        (unsigned long long)c->ntranslated,
        (unsigned long long)c->ninvalidated, c->bytes, c->quota,
        c->quota ? 100.0 * c->bytes / c->quota : 0.0,
        (unsigned long long)c->nflushes);
    f = capture_open(&buf, &len);
    if (f) {
        machine_print_stats(m, f);
        capture_close(q, f, &buf, &len);
    }
}

typedef enum PageKind { PAGE_RAM, PAGE_ROM, PAGE_OTHER } PageKind;

static PageKind page_kind(AddressSpace *as, uint32_t paddr)
{
    if (as_page_ptr(as, paddr)) {
        return PAGE_RAM;
    }
    return as_rom_page_ptr(as, paddr) ? PAGE_ROM : PAGE_OTHER;
}

/* The physical map as runs of RAM, ROM and the rest, found by asking the
 * address space about each page (it has no region iterator; 1 Mi pages
 * take a few ms, and the guest is paused anyway). */
static void query_mem(Machine *m, MachineQuery *q)
{
    static const char *const kind_name[] = {
        "ram", "rom", "mmio/unassigned"};
    uint64_t start = 0;
    PageKind kind = page_kind(m->as, 0);
    uint32_t ram = as_ram_size(m->as);

    g_string_append_printf(q->out, "RAM: %u MiB (%u bytes), A20 %s\n",
                           ram >> 20, ram,
                           m->cpu.a20_mask & (1u << 20) ? "on" : "off");
    for (uint64_t a = 4096; a <= 0x100000000ull; a += 4096) {
        PageKind k = a < 0x100000000ull ? page_kind(m->as, a) : PAGE_OTHER;
        if (a < 0x100000000ull && k == kind) {
            continue;
        }
        g_string_append_printf(q->out, "%08llx-%08llx %s\n",
                               (unsigned long long)start,
                               (unsigned long long)(a - 1), kind_name[kind]);
        start = a;
        kind = k;
    }
}

void machine_query_run(Machine *m, void *opaque)
{
    MachineQuery *q = opaque;
    uint32_t addr;

    switch (q->kind) {
    case MQ_REGISTERS: {
        char buf[4096];
        cpu_format_state(&m->cpu, buf, sizeof(buf));
        g_string_append(q->out, buf);
        if (q->out->len && q->out->str[q->out->len - 1] != '\n') {
            g_string_append_c(q->out, '\n');
        }
        break;
    }
    case MQ_JIT: query_jit(m, q); break;
    case MQ_MEM: query_mem(m, q); break;
    case MQ_DUMP:
    case MQ_DISAS:
        if (eval_addr(m, q, &addr) < 0) {
            return;
        }
        if (q->kind == MQ_DISAS || q->format == 'i') {
            query_disas(m, q, addr); /* linear == physical until paging */
        } else {
            query_dump(m, q, addr);
        }
        break;
    }
}
