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
 */
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
