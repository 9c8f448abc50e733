/*
 * bcd: the decimal-adjust instructions (32-bit mode only).  Every AL value
 * with every AF/CF input through daa, das, aaa and aas, and every AL/AH
 * pair through aam and aad with several bases; results and the flags the
 * SDM defines (OF, and for aaa/aas also SF ZF PF, are undefined) go into
 * the checksum, and daa/das/aam/aad are also checked against the SDM
 * pseudo-code written in C.  Then real decimal arithmetic: Fibonacci
 * numbers as 64-digit packed BCD with adc + daa, checked by sbb + das and
 * against binary below 2^64, and unpacked (ASCII) decimal addition,
 * subtraction, multiplication and division with aaa, aas, aam and aad.
 */
#include "rt.h"

#define CF 0x001u
#define PF 0x004u
#define AF 0x010u
#define ZF 0x040u
#define SF 0x080u
#define OF 0x800u

#define DEF_ADJ(name)                                                       \
    static uint32_t name##_op(uint32_t *ax, uint32_t fin)                   \
    {                                                                       \
        uint32_t f;                                                         \
        __asm__("pushl %2\n\tpopfl\n\t" #name "\n\tpushfl\n\tpopl %1"       \
                : "+a"(*ax), "=&r"(f) : "r"(fin) : "cc");                   \
        return f;                                                           \
    }

DEF_ADJ(daa)
DEF_ADJ(das)
DEF_ADJ(aaa)
DEF_ADJ(aas)

/* aam and aad take their base as an immediate. */
#define DEF_BASE(name, base)                                                \
    static uint32_t name##_##base(uint32_t *ax)                             \
    {                                                                       \
        uint32_t f;                                                         \
        __asm__(#name " $" #base "\n\tpushfl\n\tpopl %1"                    \
                : "+a"(*ax), "=r"(f) : : "cc");                             \
        return f;                                                           \
    }

DEF_BASE(aam, 10)
DEF_BASE(aam, 16)
DEF_BASE(aam, 7)
DEF_BASE(aam, 255)
DEF_BASE(aad, 10)
DEF_BASE(aad, 16)
DEF_BASE(aad, 3)

static int parity8(uint32_t v)
{
    v &= 0xff;
    v ^= v >> 4;
    v ^= v >> 2;
    v ^= v >> 1;
    return !(v & 1);
}

static uint32_t szp(uint8_t al)
{
    return (al == 0 ? ZF : 0) | (al & 0x80 ? SF : 0) | (parity8(al) ? PF : 0);
}

/* SDM vol. 2A, DAA "Operation". */
static void daa_ref(uint8_t *al, uint32_t *f)
{
    uint8_t old_al = *al;
    int old_cf = *f & CF;
    int cf = 0, af = 0;

    if ((*al & 0x0f) > 9 || (*f & AF)) {
        cf = old_cf || *al > 0xf9;
        *al = (uint8_t)(*al + 6);
        af = 1;
    }
    if (old_al > 0x99 || old_cf) {
        *al = (uint8_t)(*al + 0x60);
        cf = 1;
    }
    *f = (cf ? CF : 0) | (af ? AF : 0) | szp(*al);
}

/* SDM vol. 2A, DAS "Operation". */
static void das_ref(uint8_t *al, uint32_t *f)
{
    uint8_t old_al = *al;
    int old_cf = *f & CF;
    int cf = 0, af = 0;

    if ((*al & 0x0f) > 9 || (*f & AF)) {
        cf = old_cf || *al < 6;
        *al = (uint8_t)(*al - 6);
        af = 1;
    }
    if (old_al > 0x99 || old_cf) {
        *al = (uint8_t)(*al - 0x60);
        cf = 1;
    }
    *f = (cf ? CF : 0) | (af ? AF : 0) | szp(*al);
}

static unsigned bad;

static uint32_t exhaustive(void)
{
    uint32_t h = 0;
    const uint32_t full = CF | PF | AF | ZF | SF;

    for (uint32_t v = 0; v < 256; v++) {
        for (uint32_t fl = 0; fl < 4; fl++) {
            uint32_t fin = (fl & 1 ? CF : 0) | (fl & 2 ? AF : 0) | 2;
            uint32_t ah = (v * 37) & 0xff;
            uint32_t ax, f;
            uint8_t ral;
            uint32_t rf;

            ax = ah << 8 | v;
            f = daa_op(&ax, fin);
            ral = (uint8_t)v;
            rf = fin;
            daa_ref(&ral, &rf);
            if (((ax & 0xff) != ral || (f & full) != rf) && bad++ < 10) {
                printf("  daa %02x fl %u: %02x/%03x want %02x/%03x\n", v, fl,
                       ax & 0xff, f & full, ral, rf);
            }
            h = mix32(h, ax ^ (f & full) << 16);

            ax = ah << 8 | v;
            f = das_op(&ax, fin);
            ral = (uint8_t)v;
            rf = fin;
            das_ref(&ral, &rf);
            if (((ax & 0xff) != ral || (f & full) != rf) && bad++ < 10) {
                printf("  das %02x fl %u: %02x/%03x want %02x/%03x\n", v, fl,
                       ax & 0xff, f & full, ral, rf);
            }
            h = mix32(h, ax ^ (f & full) << 16);

            ax = ah << 8 | v;
            f = aaa_op(&ax, fin);
            h = mix32(h, ax ^ (f & (AF | CF)) << 16);

            ax = ah << 8 | v;
            f = aas_op(&ax, fin);
            h = mix32(h, ax ^ (f & (AF | CF)) << 16);
        }

        /* aam: AH = AL / base, AL = AL % base; aad: AL = AL + AH * base. */
        for (uint32_t hi = 0; hi < 256; hi += 15) {
            uint32_t ax, f;
            const uint32_t m = SF | ZF | PF;
#define TRY(fn, want_ax)                                                    \
            ax = hi << 8 | v;                                               \
            f = fn(&ax);                                                    \
            if (((ax & 0xffff) != (want_ax) ||                              \
                 (f & m) != szp((uint8_t)ax)) && bad++ < 10) {              \
                printf("  " #fn " %04x: %04x\n", hi << 8 | v, ax & 0xffff); \
            }                                                               \
            h = mix32(h, ax ^ (f & m) << 16);
            TRY(aam_10, (v / 10) << 8 | v % 10)
            TRY(aam_16, (v / 16) << 8 | v % 16)
            TRY(aam_7, (v / 7) << 8 | v % 7)
            TRY(aam_255, (v / 255) << 8 | v % 255)
            TRY(aad_10, (v + hi * 10) & 0xff)
            TRY(aad_16, (v + hi * 16) & 0xff)
            TRY(aad_3, (v + hi * 3) & 0xff)
#undef TRY
        }
    }
    return h;
}

/* ---- packed BCD: 64 digits in 32 bytes, least significant first ---- */

#define BCD_BYTES 32

typedef struct Bcd {
    uint8_t b[BCD_BYTES];
} Bcd;

/* r = x + y with add/adc and daa, byte by byte; returns the final carry. */
static int bcd_add(Bcd *r, const Bcd *x, const Bcd *y)
{
    uint32_t carry = 0;

    for (int i = 0; i < BCD_BYTES; i++) {
        uint32_t a = x->b[i];
        __asm__("shrl $1, %1\n\t"       /* CF = carry */
                "adcb %2, %%al\n\t"
                "daa\n\t"
                "setc %b1"
                : "+a"(a), "+q"(carry) : "qm"(y->b[i]) : "cc");
        r->b[i] = (uint8_t)a;
    }
    return (int)(carry & 1);
}

/* r = x - y with sub/sbb and das; returns the final borrow. */
static int bcd_sub(Bcd *r, const Bcd *x, const Bcd *y)
{
    uint32_t borrow = 0;

    for (int i = 0; i < BCD_BYTES; i++) {
        uint32_t a = x->b[i];
        __asm__("shrl $1, %1\n\t"
                "sbbb %2, %%al\n\t"
                "das\n\t"
                "setc %b1"
                : "+a"(a), "+q"(borrow) : "qm"(y->b[i]) : "cc");
        r->b[i] = (uint8_t)a;
    }
    return (int)(borrow & 1);
}

static uint64_t bcd_to_u64(const Bcd *x)
{
    uint64_t v = 0;

    for (int i = BCD_BYTES - 1; i >= 0; i--) {
        v = v * 100 + (x->b[i] >> 4) * 10 + (x->b[i] & 0x0f);
    }
    return v;
}

/* Decimal string of x without leading zeros; s has 2 * BCD_BYTES + 1. */
static void bcd_to_string(char *s, const Bcd *x)
{
    int n = 0, started = 0;

    for (int i = BCD_BYTES - 1; i >= 0; i--) {
        for (int k = 1; k >= 0; k--) {
            int d = (x->b[i] >> (4 * k)) & 0x0f;
            started |= d != 0 || (i == 0 && k == 0);
            if (started) {
                s[n++] = (char)('0' + d);
            }
        }
    }
    s[n] = '\0';
}

static uint32_t fibonacci_bcd(void)
{
    static Bcd fib[300];
    uint32_t h = 0;
    uint64_t a = 0, b = 1;

    memset(fib, 0, sizeof(fib));
    fib[1].b[0] = 1;
    for (int n = 2; n < 300; n++) {
        int carry = bcd_add(&fib[n], &fib[n - 1], &fib[n - 2]);
        CHECK(!carry);
        Bcd back;
        int borrow = bcd_sub(&back, &fib[n], &fib[n - 1]);
        CHECK(!borrow && memcmp(&back, &fib[n - 2], sizeof(Bcd)) == 0);
        uint64_t t = a + b;
        a = b;
        b = t;
        if (n <= 93) {                  /* F(93) is the last below 2^64 */
            CHECK_EQ(bcd_to_u64(&fib[n]), b);
        }
        for (int i = 0; i < BCD_BYTES; i += 4) {
            const uint8_t *b = &fib[n].b[i];
            h = mix32(h, (uint32_t)b[0] | (uint32_t)b[1] << 8 |
                             (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24);
        }
    }
    char s[2 * BCD_BYTES + 1];
    bcd_to_string(s, &fib[93]);
    printf("  F(93) = %s\n", s);
    bcd_to_string(s, &fib[299]);
    printf("  F(299) = %s\n", s);
    CHECK(strcmp(s, "1373470805771631154320257717102791318457002752127674"
                    "67264610201") == 0);
    /* Smaller minus larger borrows out of the top digit. */
    Bcd r;
    CHECK(bcd_sub(&r, &fib[10], &fib[11]));
    return h;
}

/* ---- unpacked decimal (one digit per byte, ASCII-adjusted) ---- */

#define DIGITS 24

/* r = x + y, digits least significant first, with add + aaa. */
static void ascii_add(uint8_t *r, const uint8_t *x, const uint8_t *y)
{
    uint32_t carry = 0;

    for (int i = 0; i < DIGITS; i++) {
        uint32_t ax = x[i];
        __asm__("addb %b1, %%al\n\t"
                "addb %2, %%al\n\t"
                "movb $0, %%ah\n\t"
                "aaa\n\t"
                "movzbl %%ah, %1"
                : "+a"(ax), "+q"(carry) : "qm"(y[i]) : "cc");
        r[i] = (uint8_t)ax;
    }
}

/* r = x - y (x >= y) with sub + aas. */
static void ascii_sub(uint8_t *r, const uint8_t *x, const uint8_t *y)
{
    uint32_t borrow = 0;

    for (int i = 0; i < DIGITS; i++) {
        uint32_t ax = x[i];
        __asm__("subb %b1, %%al\n\t"
                "movb $0, %%ah\n\t"
                "aas\n\t"
                "movzbl %%ah, %1\n\t"
                "subb %2, %%al\n\t"
                "movb $0, %%ah\n\t"
                "aas\n\t"
                "addb %%ah, %b1\n\t"    /* each borrow left 0xff (-1) */
                "negb %b1"
                : "+a"(ax), "+q"(borrow) : "qm"(y[i]) : "cc");
        r[i] = (uint8_t)(ax & 0x0f);
        borrow &= 0xff;
    }
}

/* r = x * d (one digit) with mul + aam. */
static void ascii_mul_digit(uint8_t *r, const uint8_t *x, uint8_t d)
{
    uint32_t carry = 0;

    for (int i = 0; i < DIGITS; i++) {
        uint32_t ax = x[i];
        __asm__("mulb %2\n\t"           /* ax = digit * d <= 81 */
                "addl %1, %%eax\n\t"    /* plus carry <= 8 */
                "aam\n\t"
                "movzbl %%ah, %1"
                : "+a"(ax), "+r"(carry) : "qm"(d) : "edx", "cc");
        r[i] = (uint8_t)ax;
    }
}

/* r = x / d with aad + div, most significant digit first; returns rem. */
static uint32_t ascii_div_digit(uint8_t *r, const uint8_t *x, uint8_t d)
{
    uint32_t rem = 0;

    for (int i = DIGITS - 1; i >= 0; i--) {
        uint32_t ax = rem << 8 | x[i];
        __asm__("aad\n\t"               /* al = rem * 10 + digit */
                "divb %1"               /* al = quotient, ah = remainder */
                : "+a"(ax) : "qm"(d) : "cc");
        r[i] = (uint8_t)ax;
        rem = (ax >> 8) & 0xff;
    }
    return rem;
}

static void to_digits(uint8_t *r, uint64_t v)
{
    for (int i = 0; i < DIGITS; i++) {
        r[i] = (uint8_t)(v % 10);
        v /= 10;
    }
}

static uint64_t from_digits(const uint8_t *x)
{
    uint64_t v = 0;

    for (int i = DIGITS - 1; i >= 0; i--) {
        v = v * 10 + x[i];
    }
    return v;
}

static uint32_t unpacked(void)
{
    uint32_t rng = 0x600df00d;
    uint32_t h = 0;

    for (int i = 0; i < 1500; i++) {
        uint64_t a = ((uint64_t)xorshift32(&rng) << 32 | xorshift32(&rng)) >> 5;
        uint64_t b = ((uint64_t)xorshift32(&rng) << 32 | xorshift32(&rng)) >>
                     (5 + i % 40);
        uint8_t d = (uint8_t)(1 + xorshift32(&rng) % 9);
        uint8_t x[DIGITS], y[DIGITS], r[DIGITS];

        if (a < b) {
            uint64_t t = a;
            a = b;
            b = t;
        }
        to_digits(x, a);
        to_digits(y, b);
        ascii_add(r, x, y);
        CHECK_EQ(from_digits(r), a + b);
        h = mix32(h, (uint32_t)from_digits(r));
        ascii_sub(r, x, y);
        CHECK_EQ(from_digits(r), a - b);
        h = mix32(h, (uint32_t)from_digits(r));
        ascii_mul_digit(r, y, d);
        CHECK_EQ(from_digits(r), b * d);
        h = mix32(h, (uint32_t)from_digits(r));
        uint32_t rem = ascii_div_digit(r, x, d);
        CHECK_EQ(from_digits(r), a / d);
        CHECK_EQ(rem, a % d);
        h = mix32(h, (uint32_t)from_digits(r) ^ rem);
    }
    return h;
}

int main(uint32_t mb_magic, const void *mb_info)
{
    uint32_t sum = 0;

    printf("bcd: daa das aaa aas aam aad\n");
    uint32_t e = exhaustive();
    printf("  all inputs: %08x\n", e);
    CHECK(bad == 0);
    sum = mix32(sum, e);
    uint32_t f = fibonacci_bcd();
    printf("  packed BCD Fibonacci: %08x\n", f);
    sum = mix32(sum, f);
    uint32_t u = unpacked();
    printf("  unpacked decimal: %08x\n", u);
    sum = mix32(sum, u);
    return rt_finish("bcd", sum);
}
