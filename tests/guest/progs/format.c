/*
 * format: the runtime's printf engine.  snprintf of a list of conversions
 * with flags, widths and precisions against the strings C11 7.21.6.1
 * prescribes; truncation and return values; then a few hundred thousand
 * numbers formatted in every base (decimal conversion divides by ten:
 * divl for 32-bit values, __udivdi3 for 64-bit ones) and parsed back; and
 * a table of lines written to the console, which also tests bulk output.
 */
#include "rt.h"

/* Some cases below are deliberately odd (ignored flags, a NULL %s). */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-overflow"

static unsigned bad;

static void expect(const char *got, const char *want, int line)
{
    if (strcmp(got, want) != 0 && bad++ < 20) {
        printf("  line %d: got \"%s\", want \"%s\"\n", line, got, want);
    }
}

#define T(want, ...)                                                        \
    do {                                                                    \
        char buf_[128];                                                     \
        int n_ = snprintf(buf_, sizeof(buf_), __VA_ARGS__);                 \
        expect(buf_, want, __LINE__);                                       \
        if (n_ != (int)strlen(want) && bad++ < 20) {                        \
            printf("  line %d: returned %d\n", __LINE__, n_);               \
        }                                                                   \
    } while (0)

static void known_formats(void)
{
    T("42", "%d", 42);
    T("-42", "%d", -42);
    T("-2147483648", "%d", (int)0x80000000);
    T("4294967295", "%u", 0xffffffffu);
    T("ffffffff", "%x", 0xffffffffu);
    T("FFFFFFFF", "%X", 0xffffffffu);
    T("17", "%o", 15u);
    T("00001234", "%08x", 0x1234u);
    T("    1234", "%8x", 0x1234u);
    T("1234    |", "%-8x|", 0x1234u);
    T("-0042", "%05d", -42);
    T("  -42", "%5d", -42);
    T("+42", "%+d", 42);
    T(" 42", "% d", 42);
    T("+0", "%+d", 0);
    T("0x1f", "%#x", 31u);
    T("0X1F", "%#X", 31u);
    T("0", "%#x", 0u);
    T("017", "%#o", 15u);
    T("00042", "%.5d", 42);
    T("  00042", "%7.5d", 42);
    T("-00042", "%.5d", -42);
    T("", "%.0d", 0);
    T("    ", "%4.0d", 0);
    T("   42", "%05.0d", 42);
    T("   42", "%05.1d", 42);      /* with a precision, 0 is ignored */
    T("hello", "%s", "hello");
    T("  hello", "%7s", "hello");
    T("hello  |", "%-7s|", "hello");
    T("hel", "%.3s", "hello");
    T("   he", "%5.2s", "hello");
    T("(null)", "%s", (char *)NULL);
    T("x", "%c", 'x');
    T("  x", "%3c", 'x');
    T("x  |", "%-3c|", 'x');
    T("100%", "%d%%", 100);
    T("   42", "%*d", 5, 42);
    T("42   |", "%*d|", -5, 42);
    T("00042", "%.*d", 5, 42);
    T("123456789abcdef0", "%llx", 0x123456789abcdef0ull);
    T("18446744073709551615", "%llu", 0xffffffffffffffffull);
    T("-9223372036854775808", "%lld", (long long)0x8000000000000000ull);
    T("9223372036854775807", "%lld", 0x7fffffffffffffffll);
    T("1777777777777777777777", "%llo", 0xffffffffffffffffull);
    T("-1", "%ld", -1L);
    T("-1", "%hhd", 255);
    T("255", "%hhu", -1);
    T("-1", "%hd", 65535);
    T("65535", "%hu", -1);
    T("7", "%zu", (size_t)7);
    T("0x1000", "%p", (void *)0x1000);
    T("a1b2c3", "%c%d%c%d%c%d", 'a', 1, 'b', 2, 'c', 3);
    T("%", "%%");

    /* Truncation: the return value is the length it would have had. */
    char small[6];
    int n = snprintf(small, sizeof(small), "%d-%s", 12345, "abc");
    expect(small, "12345", __LINE__);
    CHECK_EQ(n, 9);
    n = snprintf(small, 1, "abc");
    CHECK(small[0] == '\0' && n == 3);
    n = snprintf(NULL, 0, "%08x", 1u);
    CHECK_EQ(n, 8);
}

/* Parse what %u / %x / %o / %d produced. */
static uint64_t parse(const char *s, unsigned base, int *neg)
{
    uint64_t v = 0;

    *neg = 0;
    while (*s == ' ') {
        s++;
    }
    if (*s == '-') {
        *neg = 1;
        s++;
    }
    for (; *s; s++) {
        unsigned d = *s <= '9' ? (unsigned)(*s - '0')
                   : *s >= 'a' ? (unsigned)(*s - 'a' + 10)
                               : (unsigned)(*s - 'A' + 10);
        v = v * base + d;
    }
    return v;
}

static uint32_t round_trips(void)
{
    uint32_t rng = 0x2468ace0;
    uint32_t h = 0;
    char buf[64];
    int neg;

    for (int i = 0; i < 4000; i++) {
        uint32_t x = xorshift32(&rng) >> (i % 32);
        uint64_t y = (uint64_t)xorshift32(&rng) << 32 | xorshift32(&rng);
        y >>= i % 64;

        snprintf(buf, sizeof(buf), "%u", x);
        CHECK(parse(buf, 10, &neg) == x);
        h = mix32(h, (uint32_t)strlen(buf));
        snprintf(buf, sizeof(buf), "%d", (int32_t)x);
        uint64_t m = parse(buf, 10, &neg);
        CHECK((uint32_t)(neg ? 0 - m : m) == x);
        snprintf(buf, sizeof(buf), "%x", x);
        CHECK(parse(buf, 16, &neg) == x);
        snprintf(buf, sizeof(buf), "%o", x);
        CHECK(parse(buf, 8, &neg) == x);
        snprintf(buf, sizeof(buf), "%llu", (unsigned long long)y);
        CHECK(parse(buf, 10, &neg) == y);
        h = mix32(h, (uint32_t)strlen(buf) << 8 | (uint8_t)buf[0]);
        snprintf(buf, sizeof(buf), "%lld", (long long)y);
        m = parse(buf, 10, &neg);
        CHECK((neg ? 0 - m : m) == y);
        snprintf(buf, sizeof(buf), "%016llX", (unsigned long long)y);
        CHECK(parse(buf, 16, &neg) == y);
        for (int k = 0; buf[k]; k++) {
            h = mix32(h, (uint8_t)buf[k]);
        }
    }
    return h;
}

int main(uint32_t mb_magic, const void *mb_info)
{
    uint32_t sum;

    printf("format: printf conversions, round trips, console output\n");
    known_formats();
    sum = round_trips();
    printf("  round trips: %08x\n", sum);

    /* A table, so a few kilobytes go through the console. */
    uint64_t f = 1;
    uint32_t a = 0, b = 1;
    for (int n = 1; n <= 60; n++) {
        uint32_t t = a + b;
        a = b;
        b = t;
        f = f * (uint64_t)n % 0xffffffffffffffc5ull;   /* a 64-bit prime */
        printf("  %2d|%-11d|%11u|%08X|%#14o|%-+6d|%20llu|%c%c\n", n,
               -(int)(a % 99991), a, b, b, n * 13 - 400, (unsigned long long)f,
               'A' + n % 26, 'a' + (n * 7) % 26);
        sum = mix32(sum, a ^ (uint32_t)f);
    }
    CHECK(bad == 0);
    return rt_finish("format", sum);
}
