/*
 * The scheduler tests' guest (tests/vmm/check-sched.sh).  What it does
 * comes from its command line (-append / append=):
 *
 *   count secs=S   count loop iterations for S seconds of host time (rdtsc
 *                  runs at 1 GHz of host time), printing "count N" every
 *                  2^26 iterations and "total N" at the end
 *   work n=N       a fixed amount of work, then its checksum line
 *   spin secs=S    spin with interrupts off for S seconds, then end
 *   halt           halt with interrupts off (nothing can wake it)
 *   fault          divide by zero with no IDT: the guest fails
 *   wild secs=S    read and write all over the 4 GiB physical space above
 *                  its RAM for S seconds (reads of nothing must give all
 *                  ones, writes there are dropped), then "wild ... ok"
 *   codegen secs=S write fresh code into a 1 MiB buffer and run it, over
 *                  and over, for S seconds: with a small jit-cache the
 *                  code cache fills and is flushed again and again; ends
 *                  with "codegen N calls ok" if every result was right
 *   flood bytes=N  write N bytes (a multiple of 64) to COM1 as a real
 *                  driver does, byte by byte after reading LSR, in
 *                  64-byte lines: "%08x" of the line number, a space,
 *                  54 letters 'a' + (line * 7 + column) % 26, '\n';
 *                  with "debugcon" in the command line, to port 0xe9;
 *                  with "wait", only once a byte came in on COM1 (so
 *                  that a socket client is there before the first line)
 */
#include "io.h"
#include "rt.h"

struct mb_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
};

static const char *cmdline(uint32_t magic, const void *info)
{
    const struct mb_info *mb = info;

    if (magic != MULTIBOOT_BOOT_MAGIC || !(mb->flags & 4)) {
        return "";
    }
    /* "FILE ARGS": the path may contain any word, skip it. */
    const char *s = (const char *)(uintptr_t)mb->cmdline;
    while (*s && *s != ' ') {
        s++;
    }
    return s;
}

/* Whether INFO is a multiboot record with the memory size in it. */
static int magic_ok(uint32_t magic, const void *info)
{
    const struct mb_info *mb = info;

    return magic == MULTIBOOT_BOOT_MAGIC && (mb->flags & 1);
}

/* The number after "KEY=" in S, or DEF. */
static uint32_t arg(const char *s, const char *key, uint32_t def)
{
    size_t n = strlen(key);

    for (; *s; s++) {
        if (!strncmp(s, key, n) && s[n] == '=') {
            uint32_t v = 0;
            for (s += n + 1; *s >= '0' && *s <= '9'; s++) {
                v = v * 10 + (*s - '0');
            }
            return v;
        }
    }
    return def;
}

static int contains(const char *s, const char *word)
{
    size_t n = strlen(word);

    for (; *s; s++) {
        if (!strncmp(s, word, n)) {
            return 1;
        }
    }
    return 0;
}

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static int count(uint32_t secs)
{
    uint64_t end = rdtsc() + (uint64_t)secs * 1000000000ull;
    uint32_t x = 1, n = 0;

    for (;;) {
        for (int i = 0; i < 4096; i++) {
            x = x * 1103515245u + 12345u;
        }
        n += 4096;
        if (!(n & ((1u << 26) - 1))) {
            printf("count %u\n", n);
        }
        if (rdtsc() >= end) {
            break;
        }
    }
    printf("total %u x %08x\n", n, x);
    return 0;
}

static int work(uint32_t n)
{
    uint32_t h = 0x811c9dc5u;

    for (uint32_t i = 0; i < n; i++) {
        h = mix32(h, i * 2654435761u);
    }
    return rt_finish("counter-work", h);
}

/*
 * Unassigned physical memory: everything from the end of RAM to 4 GiB
 * (the BIOS ROM near the top takes writes silently too).  Only what is
 * above RAM is written, so the guest stays alive to report.
 */
static int wild(uint32_t secs, const void *info)
{
    const struct mb_info *mb = info;
    uint32_t ram_end = 0x100000u + mb->mem_upper * 1024u;
    uint64_t end = rdtsc() + (uint64_t)secs * 1000000000ull;
    uint32_t sweeps = 0, bad = 0, x = 1;

    do {
        for (uint64_t a = ram_end; a < 0xfff00000ull; a += 0x10000) {
            volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)(
                a + ((x = x * 1103515245u + 12345u) & 0xfffc));
            *p = x;
            if (*p != 0xffffffffu) {
                bad++;
            }
        }
        sweeps++;
    } while (rdtsc() < end);
    printf("wild %u sweeps from %08x, %u reads not all ones %s\n", sweeps,
           ram_end, bad, bad ? "FAIL" : "ok");
    return bad != 0;
}

/*
 * Fresh code, every time: "mov eax, K; add eax, I; ret" at a new place in
 * the buffer each call, each a new translation block, so a 64K code cache
 * overflows many times a second; the sum checks each block ran as written.
 */
static uint8_t code_buf[1u << 20] __attribute__((aligned(16)));

static int codegen(uint32_t secs)
{
    uint64_t end = rdtsc() + (uint64_t)secs * 1000000000ull;
    uint32_t calls = 0, k = 0x1234567u;

    do {
        for (uint32_t off = 0; off + 16 <= sizeof(code_buf); off += 16) {
            uint8_t *c = code_buf + off;
            uint32_t i = calls;

            k = k * 1103515245u + 12345u;
            c[0] = 0xb8; /* mov eax, imm32 */
            memcpy(c + 1, &k, 4);
            c[5] = 0x05; /* add eax, imm32 */
            memcpy(c + 6, &i, 4);
            c[10] = 0xc3; /* ret */
            uint32_t r = ((uint32_t (*)(void))(uintptr_t)c)();
            if (r != k + i) {
                printf("codegen FAIL at %p: got %08x want %08x\n", c, r,
                       k + i);
                return 1;
            }
            calls++;
        }
    } while (rdtsc() < end);
    printf("codegen %u calls ok\n", calls);
    return 0;
}

static void flood_line(uint32_t line, char *out)
{
    static const char hex[] = "0123456789abcdef";

    for (int i = 0; i < 8; i++) {
        out[i] = hex[(line >> (28 - 4 * i)) & 15];
    }
    out[8] = ' ';
    for (uint32_t j = 0; j < 54; j++) {
        out[9 + j] = (char)('a' + (line * 7 + j) % 26);
    }
    out[63] = '\n';
}

static int flood(uint32_t bytes, int debugcon, int wait)
{
    char line[64];

    while (wait && !(inb(0x3f8 + 5) & 1)) { /* LSR.DR */
    }
    if (wait) {
        (void)inb(0x3f8); /* RBR */
    }
    for (uint32_t n = 0; n < bytes / 64; n++) {
        flood_line(n, line);
        if (debugcon) {
            for (int i = 0; i < 64; i++) {
                outb(0xe9, (uint8_t)line[i]);
            }
        } else {
            platform_write(line, sizeof(line));
        }
    }
    return 0;
}

int main(uint32_t mb_magic, const void *mb_info)
{
    const char *cl = cmdline(mb_magic, mb_info);

    if (contains(cl, "count")) {
        return count(arg(cl, "secs", 2));
    }
    if (contains(cl, "work")) {
        return work(arg(cl, "n", 1000000));
    }
    if (contains(cl, "spin")) {
        uint64_t end = rdtsc() + (uint64_t)arg(cl, "secs", 2) * 1000000000ull;
        __asm__ volatile("cli");
        while (rdtsc() < end) {
        }
        return 0;
    }
    if (contains(cl, "wild") && magic_ok(mb_magic, mb_info)) {
        return wild(arg(cl, "secs", 2), mb_info);
    }
    if (contains(cl, "codegen")) {
        return codegen(arg(cl, "secs", 2));
    }
    if (contains(cl, "flood")) {
        return flood(arg(cl, "bytes", 1u << 20), contains(cl, "debugcon"),
                     contains(cl, "wait"));
    }
    if (contains(cl, "halt")) {
        __asm__ volatile("cli; hlt");
    }
    if (contains(cl, "fault")) {
        printf("dividing by zero\n");
        __asm__ volatile("xorl %%ecx, %%ecx; divl %%ecx" : : : "eax", "edx",
                         "ecx");
    }
    printf("unknown mode '%s'\n", cl);
    return 3;
}
