/*
 * strings: the string instructions.  memcpy, memmove, memset, memcmp,
 * memchr, strlen, strcmp and strcpy written with rep movsb/movsw/movsd,
 * stosb/stosw/stosd, repe cmpsb, repne scasb, lodsb/lodsd and loop, plus
 * backward copies and fills with std.  Every result is compared with the
 * plain C versions over many lengths, alignments and overlaps, including
 * the guard bytes around each destination and the ecx = 0 cases, which
 * must not touch memory or flags.
 */
#include "rt.h"

/* ---- rep-prefixed implementations ---- */

static void *movsb_copy(void *dst, const void *src, size_t n)
{
    void *d = dst;

    __asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
    return dst;
}

/* Dwords first, then the 0-3 byte tail. */
static void *movsd_copy(void *dst, const void *src, size_t n)
{
    void *d = dst;
    size_t dwords = n >> 2;

    __asm__ volatile("rep movsl\n\t"
                     "movl %3, %%ecx\n\t"
                     "rep movsb"
                     : "+D"(d), "+S"(src), "+c"(dwords)
                     : "r"(n & 3)
                     : "memory");
    return dst;
}

/* Words and one odd byte. */
static void *movsw_copy(void *dst, const void *src, size_t n)
{
    void *d = dst;
    size_t words = n >> 1;

    __asm__ volatile("rep movsw\n\t"
                     "movl %3, %%ecx\n\t"
                     "rep movsb"
                     : "+D"(d), "+S"(src), "+c"(words)
                     : "r"(n & 1)
                     : "memory");
    return dst;
}

/*
 * memmove: forward when that is safe, else backward with DF set: first the
 * 0-3 byte tail with movsb, then dwords with movsd from the end down.
 */
static void *std_memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    if (d <= s || d >= s + n) {
        return movsd_copy(dst, src, n);
    }
    if (n == 0) {
        return dst;
    }
    unsigned char *de = d + n - 1;
    const unsigned char *se = s + n - 1;
    size_t tail = n & 3, dwords = n >> 2;
    __asm__ volatile("std\n\t"
                     "rep movsb\n\t"
                     "subl $3, %%esi\n\t"
                     "subl $3, %%edi\n\t"
                     "movl %3, %%ecx\n\t"
                     "rep movsl\n\t"
                     "cld"
                     : "+D"(de), "+S"(se), "+c"(tail)
                     : "r"(dwords)
                     : "memory");
    return dst;
}

/* Byte-wise backward copy, the simplest std user. */
static void *std_movsb_backward(void *dst, const void *src, size_t n)
{
    if (n == 0) {
        return dst;
    }
    unsigned char *de = (unsigned char *)dst + n - 1;
    const unsigned char *se = (const unsigned char *)src + n - 1;
    __asm__ volatile("std\n\trep movsb\n\tcld"
                     : "+D"(de), "+S"(se), "+c"(n) : : "memory");
    return dst;
}

static void *stosb_set(void *dst, int c, size_t n)
{
    void *d = dst;

    __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return dst;
}

static void *stosd_set(void *dst, int c, size_t n)
{
    void *d = dst;
    uint32_t v = (uint8_t)c * 0x01010101u;
    size_t dwords = n >> 2;

    __asm__ volatile("rep stosl\n\t"
                     "movl %3, %%ecx\n\t"
                     "rep stosb"
                     : "+D"(d), "+c"(dwords)
                     : "a"(v), "r"(n & 3)
                     : "memory");
    return dst;
}

/* Fill from the last byte down, with stosw for the pairs. */
static void *std_stosw_set(void *dst, int c, size_t n)
{
    if (n == 0) {
        return dst;
    }
    unsigned char *de = (unsigned char *)dst + n - 1;
    size_t odd = n & 1, words = n >> 1;
    uint32_t v = (uint8_t)c * 0x0101u;
    __asm__ volatile("std\n\t"
                     "rep stosb\n\t"
                     "decl %%edi\n\t"
                     "movl %3, %%ecx\n\t"
                     "rep stosw\n\t"
                     "cld"
                     : "+D"(de), "+c"(odd)
                     : "a"(v), "r"(words)
                     : "memory");
    return dst;
}

/*
 * repe cmpsb.  With n = 0 it compares nothing and leaves the flags alone,
 * so they are set to "equal" first; that case is tested on purpose.
 */
static int cmpsb_memcmp(const void *a, const void *b, size_t n)
{
    uint32_t above, below;

    __asm__ volatile("cmpl %%eax, %%eax\n\t"
                     "repe cmpsb\n\t"
                     "seta %b0\n\t"
                     "setb %b1"
                     : "=&q"(above), "=&q"(below), "+S"(a), "+D"(b), "+c"(n)
                     : "0"(0), "1"(0)
                     : "memory", "cc");
    return (int)(above & 0xff) - (int)(below & 0xff);
}

static size_t scasb_strlen(const char *s)
{
    size_t cnt = (size_t)-1;

    __asm__ volatile("repne scasb"
                     : "+D"(s), "+c"(cnt) : "a"(0) : "memory", "cc");
    return ~cnt - 1;
}

static void *scasb_memchr(const void *s, int c, size_t n)
{
    const unsigned char *p = s;
    uint8_t found;

    if (n == 0) {
        return NULL;
    }
    __asm__ volatile("repne scasb\n\tsete %2"
                     : "+D"(p), "+c"(n), "=q"(found)
                     : "a"(c) : "memory", "cc");
    return found ? (void *)(p - 1) : NULL;
}

/* lodsb from one string, scasb against the other. */
static int lods_strcmp(const char *a, const char *b)
{
    int r;

    __asm__ volatile("1:\n\t"
                     "lodsb\n\t"
                     "scasb\n\t"
                     "jne 2f\n\t"
                     "testb %%al, %%al\n\t"
                     "jne 1b\n\t"
                     "xorl %%eax, %%eax\n\t"
                     "jmp 3f\n"
                     "2:\n\t"
                     "sbbl %%eax, %%eax\n\t"
                     "orl $1, %%eax\n"
                     "3:"
                     : "=a"(r), "+S"(a), "+D"(b) : : "memory", "cc");
    return r;
}

static char *lods_strcpy(char *dst, const char *src)
{
    char *d = dst;

    __asm__ volatile("1:\n\t"
                     "lodsb\n\t"
                     "stosb\n\t"
                     "testb %%al, %%al\n\t"
                     "jne 1b"
                     : "+S"(src), "+D"(d) : : "eax", "memory", "cc");
    return dst;
}

/* Sum of n dwords with lodsl and loop (n > 0). */
static uint32_t lodsd_sum(const void *p, size_t n)
{
    uint32_t s = 0;

    __asm__ volatile("1:\n\t"
                     "lodsl\n\t"
                     "addl %%eax, %0\n\t"
                     "loop 1b"
                     : "+d"(s), "+S"(p), "+c"(n) : : "eax", "memory", "cc");
    return s;
}

/* ---- test harness ---- */

#define AREA 1024
#define GUARD 16
static unsigned char src_buf[AREA + 2 * GUARD];
static unsigned char dst_buf[AREA + 2 * GUARD];
static unsigned char ref_buf[AREA + 2 * GUARD];

static uint32_t sum;
static unsigned mismatches;

/* Compares [off, off + n) plus GUARD bytes on either side. */
static void compare_areas(const char *what, size_t off, size_t n)
{
    size_t lo = off >= GUARD ? off - GUARD : 0;
    size_t hi = off + n + GUARD;

    if (hi > sizeof(dst_buf)) {
        hi = sizeof(dst_buf);
    }
    if (memcmp(dst_buf + lo, ref_buf + lo, hi - lo) != 0) {
        if (mismatches++ < 10) {
            printf("  %s: mismatch at offset %u, length %u\n", what,
                   (unsigned)off, (unsigned)n);
        }
    }
}

static void fill_random(unsigned char *p, size_t n, uint32_t *rng)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (unsigned char)xorshift32(rng);
    }
}

static void test_copies(uint32_t *rng)
{
    typedef void *(*copy_fn)(void *, const void *, size_t);
    static const struct {
        const char *name;
        copy_fn fn;
    } copies[] = {
        { "rep movsb", movsb_copy },
        { "rep movsd", movsd_copy },
        { "rep movsw", movsw_copy },
        { "std memmove", std_memmove },
        { "std movsb", std_movsb_backward },
    };

    fill_random(src_buf, sizeof(src_buf), rng);
    for (size_t k = 0; k < ARRAY_SIZE(copies); k++) {
        for (size_t n = 0; n < 300; n += 1 + n / 16) {
            for (size_t so = 0; so < 8; so++) {
                size_t dof = (so * 3 + n) & 7;
                memset(dst_buf, 0xcc, n + 2 * GUARD + 8);
                memset(ref_buf, 0xcc, n + 2 * GUARD + 8);
                copies[k].fn(dst_buf + GUARD + dof, src_buf + GUARD + so, n);
                memcpy(ref_buf + GUARD + dof, src_buf + GUARD + so, n);
                compare_areas(copies[k].name, GUARD + dof, n);
            }
        }
        sum = mix32(sum, lodsd_sum(dst_buf, sizeof(dst_buf) / 4));
    }
}

/* Overlapping moves in both directions, by the std and the C versions. */
static void test_overlaps(uint32_t *rng)
{
    for (size_t n = 1; n < 200; n += 1 + n / 8) {
        for (int delta = -9; delta <= 9; delta++) {
            size_t from = 300, to = (size_t)(300 + delta);
            fill_random(dst_buf + from - GUARD, n + 2 * GUARD, rng);
            memcpy(ref_buf + from - GUARD, dst_buf + from - GUARD,
                   n + 2 * GUARD);
            std_memmove(dst_buf + to, dst_buf + from, n);
            memmove(ref_buf + to, ref_buf + from, n);
            compare_areas("overlapping memmove", to, n);
            sum = mix32(sum, dst_buf[to] | (uint32_t)dst_buf[to + n - 1] << 8);
        }
    }
}

static void test_fills(void)
{
    typedef void *(*set_fn)(void *, int, size_t);
    static const set_fn sets[] = { stosb_set, stosd_set, std_stosw_set };

    for (size_t k = 0; k < ARRAY_SIZE(sets); k++) {
        for (size_t n = 0; n < 400; n += 1 + n / 10) {
            for (size_t off = 0; off < 4; off++) {
                int c = (int)(n * 7 + off + k);
                memset(dst_buf, 0x5a, n + 2 * GUARD + 4);
                memset(ref_buf, 0x5a, n + 2 * GUARD + 4);
                sets[k](dst_buf + GUARD + off, c, n);
                memset(ref_buf + GUARD + off, c, n);
                compare_areas("fill", GUARD + off, n);
            }
        }
        sum = mix32(sum, lodsd_sum(dst_buf, sizeof(dst_buf) / 4));
    }
}

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

static void test_compares(uint32_t *rng)
{
    static unsigned char a[512], b[512];

    for (int iter = 0; iter < 1500; iter++) {
        size_t n = xorshift32(rng) % 300;
        fill_random(a, n + 1, rng);
        memcpy(b, a, n + 1);
        /* Usually one differing byte somewhere, sometimes none. */
        if (iter % 5 != 0 && n > 0) {
            size_t at = xorshift32(rng) % n;
            b[at] = (unsigned char)(b[at] + 1 + xorshift32(rng) % 255);
        }
        int got = cmpsb_memcmp(a, b, n), want = sign(memcmp(a, b, n));
        if (got != want && mismatches++ < 10) {
            printf("  repe cmpsb: n=%u got %d want %d\n", (unsigned)n, got,
                   want);
        }
        sum = mix32(sum, (uint32_t)got);

        /* memchr for a byte that is (or is not) there. */
        int c = a[n / 2] ^ (iter & 1 ? 0 : 0x80);
        void *g = scasb_memchr(a, c, n), *w = memchr(a, c, n);
        if (g != w && mismatches++ < 10) {
            printf("  repne scasb memchr: n=%u\n", (unsigned)n);
        }
        sum = mix32(sum, g ? (uint32_t)((unsigned char *)g - a) : 0xffff);
    }
}

static void test_strings(uint32_t *rng)
{
    static char s1[300], s2[300], s3[300];

    for (int iter = 0; iter < 1500; iter++) {
        size_t n1 = xorshift32(rng) % 250, n2 = n1;
        for (size_t i = 0; i < n1; i++) {
            s1[i] = (char)('a' + xorshift32(rng) % 26);
        }
        s1[n1] = '\0';
        lods_strcpy(s2, s1);
        if (strcmp(s1, s2) != 0 && mismatches++ < 10) {
            printf("  lodsb/stosb strcpy differs\n");
        }
        switch (iter % 4) {
        case 0:
            break;                              /* equal */
        case 1:
            if (n1) {
                s2[xorshift32(rng) % n1] ^= 0x20; /* case flip */
            }
            break;
        case 2:
            n2 = n1 / 2;
            s2[n2] = '\0';                      /* prefix */
            break;
        default:
            s2[n1] = 'z';                       /* longer */
            s2[n1 + 1] = '\0';
            n2 = n1 + 1;
            break;
        }
        int got = lods_strcmp(s1, s2), want = sign(strcmp(s1, s2));
        size_t l1 = scasb_strlen(s1), l2 = scasb_strlen(s2);
        if ((got != want || l1 != n1 || l2 != n2) && mismatches++ < 10) {
            printf("  strcmp/strlen: %d/%d %u/%u %u/%u\n", got, want,
                   (unsigned)l1, (unsigned)n1, (unsigned)l2, (unsigned)n2);
        }
        movsd_copy(s3, s2, l2 + 1);
        sum = mix32(sum, (uint32_t)got ^ (uint32_t)(l1 << 8) ^
                             (uint32_t)(l2 << 20) ^ (uint8_t)s3[l2 / 2]);
    }
}

/* ecx = 0: no iteration, no memory access, flags and registers kept. */
static void test_zero_counts(void)
{
    unsigned char buf[4] = { 1, 2, 3, 4 };
    void *d = buf, *s = buf + 2;
    size_t n = 0;
    uint32_t f;

    __asm__ volatile("stc\n\trep movsb\n\trep stosb\n\tpushfl\n\tpopl %3"
                     : "+D"(d), "+S"(s), "+c"(n), "=r"(f)
                     : "a"(0xee) : "memory", "cc");
    CHECK(d == buf && s == buf + 2 && (f & 1));
    CHECK(buf[0] == 1 && buf[1] == 2 && buf[2] == 3 && buf[3] == 4);
    CHECK(cmpsb_memcmp("a", "b", 0) == 0);
}

int main(uint32_t mb_magic, const void *mb_info)
{
    uint32_t rng = 0xabcdef01;

    printf("strings: rep movs/stos/cmps/scas/lods, std copies\n");
    test_zero_counts();
    test_copies(&rng);
    printf("  copies: %08x\n", sum);
    test_overlaps(&rng);
    printf("  overlaps: %08x\n", sum);
    test_fills();
    printf("  fills: %08x\n", sum);
    test_compares(&rng);
    printf("  compares: %08x\n", sum);
    test_strings(&rng);
    printf("  strings: %08x\n", sum);
    CHECK(mismatches == 0);
    return rt_finish("strings", sum);
}
