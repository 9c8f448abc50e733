/*
 * The scheduler tests' guest (tests/vmm/check-*.sh).  What it does comes
 * from its command line (-append / append=):
 *
 *   count secs=S   count loop iterations for S seconds of host time (rdtsc
 *                  runs at 1 GHz of host time); secs=0 counts until the
 *                  process ends
 *   spin secs=S    the same loop with interrupts off
 *   work n=N       a fixed amount of work, then its checksum line
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
 *
 * Guests written to defeat the scheduler (check-hostile.sh), each for S
 * seconds (0: until the process ends):
 *
 *   rep secs=S     nearly every block is a rep stosd or rep movsd, with
 *                  ECX up to 16 Mi (64 MiB in one instruction), forwards,
 *                  backwards and overlapping; needs 80 MiB of RAM
 *   chain secs=S   loops of one block that chains to itself (of 1, 3 and
 *                  127 instructions)
 *   edge secs=S    string instructions across page ends and across the end
 *                  of RAM (reads there give all ones, writes are dropped),
 *                  checking what they read and wrote
 *   phases secs=S  a fast loop for 50 ms, then 100 ms of a string copy
 *                  between two addresses where nothing is (each element
 *                  takes the slow path, a hundred times slower per
 *                  instruction), over and over: slices sized from the
 *                  fast phase's speed would last far longer than meant
 *
 * The timed modes (count, spin, rep, chain, edge) report their progress
 * on COM1 so that a test can judge shares by the guest's own work: a line
 * "at US N" at most every 20 ms of host time while the guest runs (rep:
 * after each long instruction; US: its rdtsc in microseconds, N: units of
 * work done so far), "warm US" once it runs at its steady speed, and at
 * the end "total N ..." (the same units).  A unit is a loop iteration for
 * count and spin, an element (ECX) for rep and edge, an instruction for
 * chain.
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

/* Progress of a timed mode (see the top of the file): an "at" line at
 * most every 20 ms, so that a test can tell how much was done when,
 * within a few ms of the guest's own time, without a flood of output. */
#define PROGRESS_PERIOD_NS 20000000ull

typedef struct Progress {
    uint64_t end;    /* rdtsc at which to stop; 0: never */
    uint64_t next;   /* rdtsc at which to print the next "at" line */
    uint64_t period; /* between "at" lines, in ns */
    uint64_t n;      /* units done */
    int warm;        /* "warm" printed */
} Progress;

static void progress_start(Progress *p, uint32_t secs, uint64_t period)
{
    p->end = secs ? rdtsc() + (uint64_t)secs * 1000000000ull : 0;
    p->next = 0;
    p->period = period;
    p->n = 0;
    p->warm = 0;
}

/* From now on the guest runs at its steady speed: all the memory it uses
 * has been touched once (the host's first touch of a page is far slower
 * than the next).  A test judges only what comes after every guest's
 * "warm" line. */
static void progress_warm(Progress *p)
{
    if (!p->warm) {
        printf("warm %llu\n", rdtsc() / 1000);
        p->warm = 1;
    }
}

/* UNITS more done; whether time is left. */
static int progress(Progress *p, uint64_t units)
{
    uint64_t now = rdtsc();

    p->n += units;
    if (now >= p->next) {
        printf("at %llu %llu\n", now / 1000, p->n);
        /* From now, not from the last line: a guest that was not
         * scheduled for a while prints one line, not a burst. */
        p->next = now + p->period;
    }
    return !p->end || now < p->end;
}

/* The last "at" line, so that a test sees the end time, then the total. */
static void progress_end(Progress *p, const char *extra)
{
    p->next = 0;
    progress(p, 0);
    printf("total %llu%s\n", p->n, extra);
}

/* Say at once, not only at the end, that a check failed: a test may end
 * the guest before its end. */
static void tell_bad(const char *mode, uint32_t bad, int *told)
{
    if (bad && !*told) {
        printf("%s: FAIL: a string instruction left a wrong value\n", mode);
        *told = 1;
    }
}

/* count and spin: a loop of one self-chained block, 4096 iterations
 * between looks at the clock. */
static int count(uint32_t secs, int cli)
{
    Progress p;
    uint32_t x = 1;
    char tail[16];

    if (cli) {
        __asm__ volatile("cli");
    }
    progress_start(&p, secs, PROGRESS_PERIOD_NS);
    do {
        for (int i = 0; i < 4096; i++) {
            x = x * 1103515245u + 12345u;
        }
        progress_warm(&p);
    } while (progress(&p, 4096));
    snprintf(tail, sizeof(tail), " x %08x", x);
    progress_end(&p, tail);
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
            volatile uint32_t *p =
                (volatile uint32_t *)(uintptr_t)(a + ((x = x * 1103515245u +
                                                           12345u) &
                                                      0xfffc));
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
            uint32_t r = ((uint32_t(*)(void))(uintptr_t)c)();
            if (r != k + i) {
                printf("codegen FAIL at %p: got %08x want %08x\n", c, r, k + i);
                return 1;
            }
            calls++;
            /* After one whole pass (65536 fresh blocks: the cache has
             * overflowed), stop within a few ms of the end, not at the
             * end of a pass, so that the guest ends when its neighbours
             * do. */
            if (calls >= 65536 && !(calls & 4095) && rdtsc() >= end) {
                break;
            }
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

/* ---- guests written to defeat the scheduler ---------------------------- */

/* Scratch RAM for rep and edge: above the image (loaded at 1 MiB, about
 * 2 MiB with its 1 MiB code buffer), below the RAM end of any guest given
 * 128 MiB. */
#define SCRATCH 0x1000000u
/* 16 Mi dwords: 64 MiB in one instruction. */
#define REP_BIG (16u << 20)

static inline uint32_t rd32(uint32_t a)
{
    return *(volatile uint32_t *)(uintptr_t)a;
}

static inline uint16_t rd16(uint32_t a)
{
    return *(volatile uint16_t *)(uintptr_t)a;
}

static inline uint8_t rd8(uint32_t a)
{
    return *(volatile uint8_t *)(uintptr_t)a;
}

/* rep stosd/movsd/stosb of N elements at DST (and SRC), downwards when
 * DOWN (DF=1: the addresses are those of the first element done). */
static inline void rep_stosd(uint32_t dst, uint32_t v, uint32_t n, int down)
{
    if (down) {
        __asm__ volatile("std; rep stosl; cld"
                         : "+D"(dst), "+c"(n)
                         : "a"(v)
                         : "memory", "cc");
    } else {
        __asm__ volatile("rep stosl" : "+D"(dst), "+c"(n) : "a"(v) : "memory");
    }
}

static inline void rep_movsd(uint32_t dst, uint32_t src, uint32_t n, int down)
{
    if (down) {
        __asm__ volatile("std; rep movsl; cld"
                         : "+D"(dst), "+S"(src), "+c"(n)
                         :
                         : "memory", "cc");
    } else {
        __asm__ volatile("rep movsl"
                         : "+D"(dst), "+S"(src), "+c"(n)
                         :
                         : "memory");
    }
}

static inline void rep_stosb(uint32_t dst, uint8_t v, uint32_t n)
{
    __asm__ volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(v) : "memory");
}

static uint32_t ram_end(const void *info)
{
    const struct mb_info *mb = info;

    return 0x100000u + mb->mem_upper * 1024u;
}

/*
 * rep: the time goes into rep stosd and rep movsd, up to 16 Mi elements
 * each, so that nearly every block the guest runs is one of them and a
 * slice almost always ends inside one (the instruction resumes from its
 * registers in the next).  Sizes, alignment and direction vary so that
 * the budget runs out at every kind of point: mid-page, at a page end, in
 * an overlapping copy (done element by element), backwards, with ECX 1
 * and 0.  Spot checks catch an instruction resumed wrongly.  Everything
 * stays in 64 MiB, which the first pass touches ("warm").
 */
static int rep(uint32_t secs, uint32_t end)
{
    const uint32_t a = SCRATCH, b = SCRATCH + (32u << 20);
    uint32_t v = 0x9e3779b9u, bad = 0;
    int told = 0;
    Progress p;

    if (end < a + (REP_BIG << 2)) {
        printf("rep: needs 80 MiB of RAM\n");
        return 3;
    }
    /* An "at" line after each long instruction: they differ in cost per
     * element by up to 8 times, so lines further apart would make the
     * guest's progress between them look even when it is not. */
    progress_start(&p, secs, 0);
    for (int pass = 0;; pass++) {
        v = v * 1103515245u + 12345u;
        rep_stosd(a, v, REP_BIG, 0);
        bad += rd32(a + 4 * (v % REP_BIG)) != v;
        if (!progress(&p, REP_BIG)) {
            break;
        }
        /* The lower half over the upper, forwards or backwards, in
         * eight instructions of 1 Mi elements (an "at" line each). */
        if (!(pass & 1)) {
            rep_stosd(a, v + 1, 1, 0);
        }
        for (uint32_t k = 0; k < 8; k++) {
            uint32_t off =
                (pass & 1) ? (8 - k) * (4u << 20) - 4 : k * (4u << 20);

            rep_movsd(b + off, a + off, 1u << 20, pass & 1);
            if (!progress(&p, 1u << 20)) {
                goto out;
            }
        }
        bad += rd32(b + 4 * (v % (REP_BIG / 2))) != v;
        if (!(pass & 1)) {
            bad += rd32(b) != v + 1;
        }
        /* Unaligned, across four page ends; then one element apart, so
         * that every element is the first one's copy. */
        rep_stosd(a + 1, v ^ 1, 4097, 0);
        bad += rd32(a + 1 + 4 * 4096) != (v ^ 1);
        rep_movsd(a + 4, a, 1u << 20, 0);
        bad += rd32(a + 4 * (1u << 20)) != rd32(a);
        if (!progress(&p, 4097 + (1u << 20))) {
            break;
        }
        /* Backwards, from 8 MiB down. */
        rep_stosd(a + (8u << 20) - 4, v + 2, (1u << 20) + 3, 1);
        bad += rd32(a + (8u << 20) - 4 - 4 * ((1u << 20) + 2)) != v + 2;
        if (!progress(&p, (1u << 20) + 3)) {
            break;
        }
        rep_movsd(b, a, 1, 0);
        rep_movsd(b + 4, a, 2, 0);
        rep_stosd(b, 0, 0, 0);
        rep_stosd(b + 4090, v, 65537, 0);
        bad += rd32(b + 4090 + 4 * 65536) != v;
        if (!progress(&p, 3 + 65537)) {
            break;
        }
        tell_bad("rep", bad, &told);
        progress_warm(&p); /* the first rep stosd touched it all */
    }
out:
    progress_end(&p, bad ? " FAIL" : " ok");
    return bad != 0;
}

/*
 * chain: loops of one block whose taken branch chains to the block
 * itself, so the guest runs without coming back to the execution loop:
 * "loop" alone (a block of one instruction), add/dec/jnz, and a block of
 * 127 instructions (the frontend's limit is 128).
 */
static int chain(uint32_t secs)
{
    uint32_t acc = 0;
    Progress p;

    progress_start(&p, secs, PROGRESS_PERIOD_NS);
    do {
        uint32_t n = 1u << 18;

        __asm__ volatile("1: loop 1b" : "+c"(n));
        n = 1u << 18;
        __asm__ volatile("1: addl %%ecx, %%eax\n\t"
                         "decl %%ecx\n\t"
                         "jnz 1b"
                         : "+a"(acc), "+c"(n)
                         :
                         : "cc");
        n = 1u << 11;
        __asm__ volatile("1:\n\t"
                         ".rept 125\n\t"
                         "addl %%ecx, %%eax\n\t"
                         ".endr\n\t"
                         "decl %%ecx\n\t"
                         "jnz 1b"
                         : "+a"(acc), "+c"(n)
                         :
                         : "cc");
        progress_warm(&p);
    } while (progress(&p, (1u << 18) + 3 * (1u << 18) + 127 * (1u << 11)));
    progress_end(&p, "");
    return 0;
}

/*
 * edge: string instructions that cross page ends and the end of RAM
 * (END).  Beyond RAM is unassigned: reads give all ones, writes are
 * dropped (as wild checks).  Only bytes wholly inside or wholly outside
 * RAM are checked, not how a dword straddling the end reads.
 */
static int edge(uint32_t secs, uint32_t end)
{
    const uint32_t buf = SCRATCH, src = SCRATCH + 0x10000 + 4093;
    const uint32_t dst = SCRATCH + 0x20000 + 4090;
    const uint32_t dst2 = SCRATCH + 0x30000 + 4091;
    const uint32_t span = 4099 * 4;
    uint32_t v = 1, bad = 0;
    int told = 0;
    Progress p;

    if (end < SCRATCH + 0x100000) {
        printf("edge: needs 32 MiB of RAM\n");
        return 3;
    }
    progress_start(&p, secs, PROGRESS_PERIOD_NS);
    do {
        v = v * 1103515245u + 12345u;
        /* From 4098 bytes below the end of RAM, 8 KiB: element 1023 is
         * the last wholly inside, 1024 straddles, the rest is beyond. */
        rep_stosd(end - 4098, v, 2048, 0);
        bad += rd32(end - 4098) != v;
        bad += rd32(end - 6) != v;
        bad += rd16(end - 2) != (uint16_t)v;
        bad += rd32(end + 2) != 0xffffffffu;
        bad += rd32(end + 4000) != 0xffffffffu;
        /* The same 8 KiB copied back into RAM. */
        rep_movsd(buf, end - 4098, 2048, 0);
        bad += rd32(buf) != v;
        bad += rd32(buf + 4 * 1023) != v;
        bad += rd16(buf + 4 * 1024) != (uint16_t)v;
        bad += rd32(buf + 4 * 1025) != 0xffffffffu;
        bad += rd32(buf + 4 * 2047) != 0xffffffffu;
        /* From RAM to across its end: two elements land, the rest is
         * dropped. */
        rep_movsd(end - 8, buf + 4, 1024, 0);
        bad += rd32(end - 8) != v;
        bad += rd32(end - 4) != v;
        bad += rd32(end) != 0xffffffffu;
        /* Far above RAM, both ways: nothing there. */
        rep_movsd(0xe0000000u, 0xd0000000u, 1024, 0);
        rep_movsd(buf + 4 * 1023, 0xd0000000u - 4096, 1024, 1);
        bad += rd32(buf) != 0xffffffffu;
        bad += rd32(buf + 4 * 1023) != 0xffffffffu;
        /* Unaligned, across page ends inside RAM, forwards and
         * backwards. */
        for (uint32_t i = 0; i < span; i++) {
            *(volatile uint8_t *)(uintptr_t)(src + i) = (uint8_t)(v + i * 7);
        }
        rep_movsd(dst, src, 4099, 0);
        rep_movsd(dst2 + span - 4, src + span - 4, 4099, 1);
        bad += memcmp((const void *)(uintptr_t)dst,
                      (const void *)(uintptr_t)src, span) != 0;
        bad += memcmp((const void *)(uintptr_t)dst2,
                      (const void *)(uintptr_t)src, span) != 0;
        rep_stosb(buf + 0x40000 + 4095, (uint8_t)v, 3 * 4096 + 7);
        bad += rd8(buf + 0x40000 + 4095) != (uint8_t)v;
        bad += rd8(buf + 0x40000 + 4095 + 3 * 4096 + 6) != (uint8_t)v;
        tell_bad("edge", bad, &told);
        if (p.n) {
            progress_warm(&p); /* the second pass: all pages touched */
        }
    } while (progress(&p, 2048 * 2 + 1024 * 3 + 4099 * 2 + 3 * 4096 + 7));
    progress_end(&p, bad ? " FAIL" : " ok");
    if (bad) {
        printf("edge: %u wrong values\n", bad);
    }
    return bad != 0;
}

static int phases(uint32_t secs)
{
    Progress p;
    uint32_t x = 1;

    progress_start(&p, secs, PROGRESS_PERIOD_NS);
    do {
        uint64_t until = rdtsc() + 50000000ull;
        while (rdtsc() < until) {
            for (int i = 0; i < 4096; i++) {
                x = x * 1103515245u + 12345u;
            }
            p.n += 4096;
        }
        until = rdtsc() + 100000000ull;
        while (rdtsc() < until) {
            rep_movsd(0xe0000000u, 0xd0000000u, 1u << 20, 0);
            p.n += 1u << 20;
        }
        progress_warm(&p);
    } while (progress(&p, 0));
    progress_end(&p, x ? "" : " x");
    return 0;
}

int main(uint32_t mb_magic, const void *mb_info)
{
    const char *cl = cmdline(mb_magic, mb_info);

    if (contains(cl, "count")) {
        return count(arg(cl, "secs", 2), 0);
    }
    if (contains(cl, "spin")) {
        return count(arg(cl, "secs", 2), 1);
    }
    if (contains(cl, "rep") && magic_ok(mb_magic, mb_info)) {
        return rep(arg(cl, "secs", 2), ram_end(mb_info));
    }
    if (contains(cl, "chain")) {
        return chain(arg(cl, "secs", 2));
    }
    if (contains(cl, "edge") && magic_ok(mb_magic, mb_info)) {
        return edge(arg(cl, "secs", 2), ram_end(mb_info));
    }
    if (contains(cl, "phases")) {
        return phases(arg(cl, "secs", 2));
    }
    if (contains(cl, "work")) {
        return work(arg(cl, "n", 1000000));
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
        __asm__ volatile("xorl %%ecx, %%ecx; divl %%ecx"
                         :
                         :
                         : "eax", "edx", "ecx");
    }
    printf("unknown mode '%s'\n", cl);
    return 3;
}
