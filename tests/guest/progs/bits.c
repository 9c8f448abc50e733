/*
 * bits: bit manipulation.  Population count three ways, byte swaps
 * (__builtin_bswap32, bswap, xchg of byte registers, rol of a word), bit
 * scans (bsf/bsr against loops), bt/bts/btr/btc on registers (offset
 * taken modulo 32) and on memory with immediate and register offsets,
 * including negative ones that address bytes below the operand (SDM vol.
 * 2A, BT: "bit string" addressing), shld/shrd with their flags, and bit
 * reversal.
 */
#include "rt.h"

#define CF 0x001u
#define PF 0x004u
#define ZF 0x040u
#define SF 0x080u
#define OF 0x800u

static int popcount_loop(uint32_t x)
{
    int n = 0;

    for (int i = 0; i < 32; i++) {
        n += (x >> i) & 1;
    }
    return n;
}

static int popcount_kernighan(uint32_t x)
{
    int n = 0;

    while (x) {
        x &= x - 1;
        n++;
    }
    return n;
}

static int popcount_swar(uint32_t x)
{
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0f0f0f0fu;
    return (int)((x * 0x01010101u) >> 24);
}

static uint32_t bswap_asm(uint32_t x)
{
    __asm__("bswap %0" : "+r"(x));
    return x;
}

static uint32_t bswap_shifts(uint32_t x)
{
    return x >> 24 | (x >> 8 & 0xff00) | (x << 8 & 0xff0000) | x << 24;
}

/* Swap the two low bytes with xchg %ah, %al, and the high word with rol. */
static uint32_t swap_halves(uint32_t x)
{
    __asm__("xchgb %%ah, %%al\n\troll $16, %%eax\n\trolw $8, %%ax\n\t"
            "roll $16, %%eax"
            : "+a"(x) : : "cc");
    return x;
}

static uint32_t bsf(uint32_t x)
{
    uint32_t r;

    __asm__("bsfl %1, %0" : "=r"(r) : "rm"(x) : "cc");
    return r;
}

static uint32_t bsr(uint32_t x)
{
    uint32_t r;

    __asm__("bsrl %1, %0" : "=r"(r) : "rm"(x) : "cc");
    return r;
}

static uint16_t bsr16(uint16_t x)
{
    uint16_t r;

    __asm__("bsrw %1, %0" : "=r"(r) : "rm"(x) : "cc");
    return r;
}

/* bsf/bsr with a zero source set ZF; the destination is then undefined,
 * so only the flag is looked at. */
static int bsf_zero_flag(uint32_t x)
{
    uint8_t z;
    uint32_t dummy = 0;

    __asm__("bsfl %2, %1\n\tsetz %0" : "=q"(z), "+r"(dummy) : "rm"(x) : "cc");
    return z;
}

/* ---- bt family ---- */

#define BT_REG(insn)                                                        \
    static uint32_t insn##_reg(uint32_t *v, uint32_t bit)                   \
    {                                                                       \
        uint32_t f;                                                         \
        __asm__(#insn "l %2, %1\n\tpushfl\n\tpopl %0"                       \
                : "=r"(f), "+r"(*v) : "r"(bit) : "cc");                     \
        return f & CF;                                                      \
    }

#define BT_MEM(insn)                                                        \
    static uint32_t insn##_mem(uint32_t *base, int32_t bit)                 \
    {                                                                       \
        uint32_t f;                                                         \
        __asm__ volatile(#insn "l %2, %1\n\tpushfl\n\tpopl %0"              \
                         : "=r"(f), "+m"(*base) : "r"(bit)                  \
                         : "cc", "memory");                                 \
        return f & CF;                                                      \
    }

BT_REG(bt)
BT_REG(bts)
BT_REG(btr)
BT_REG(btc)
BT_MEM(bt)
BT_MEM(bts)
BT_MEM(btr)
BT_MEM(btc)

/* Immediate offsets: taken modulo the operand size even for memory. */
static uint32_t bt_imm_mem(uint32_t *p)
{
    uint32_t f1, f2;

    __asm__ volatile("btsl $37, %2\n\tpushfl\n\tpopl %0\n\t"
                     "btcw $21, %3\n\tpushfl\n\tpopl %1"
                     : "=r"(f1), "=r"(f2), "+m"(p[0]), "+m"(*(uint16_t *)&p[1])
                     : : "cc", "memory");
    return (f1 & CF) | (f2 & CF) << 1;
}

static uint32_t ref_bit_get(const uint8_t *bytes, int32_t bit)
{
    return bytes[bit >> 3] >> (bit & 7) & 1;
}

/* ---- double shifts ---- */

static uint32_t shld32(uint32_t *d, uint32_t s, uint8_t c)
{
    uint32_t f;

    __asm__("shldl %%cl, %2, %1\n\tpushfl\n\tpopl %0"
            : "=r"(f), "+r"(*d) : "r"(s), "c"(c) : "cc");
    return f;
}

static uint32_t shrd32(uint32_t *d, uint32_t s, uint8_t c)
{
    uint32_t f;

    __asm__("shrdl %%cl, %2, %1\n\tpushfl\n\tpopl %0"
            : "=r"(f), "+r"(*d) : "r"(s), "c"(c) : "cc");
    return f;
}

static uint32_t dshift_mask(unsigned c)
{
    c &= 31;
    return c == 0 ? 0 : c == 1 ? (CF | PF | ZF | SF | OF) : (CF | PF | ZF | SF);
}

static uint32_t reverse_bits(uint32_t x)
{
    x = (x >> 1 & 0x55555555u) | (x & 0x55555555u) << 1;
    x = (x >> 2 & 0x33333333u) | (x & 0x33333333u) << 2;
    x = (x >> 4 & 0x0f0f0f0fu) | (x & 0x0f0f0f0fu) << 4;
    return __builtin_bswap32(x);
}

static uint32_t reverse_loop(uint32_t x)
{
    uint32_t r = 0;

    for (int i = 0; i < 32; i++) {
        r = r << 1 | (x >> i & 1);
    }
    return r;
}

static unsigned bad;
#define EXPECT(cond)                                                        \
    do {                                                                    \
        if (!(cond) && bad++ < 10) {                                        \
            printf("  line %d: %s fails for %08x\n", __LINE__, #cond, x);   \
        }                                                                   \
    } while (0)

int main(uint32_t mb_magic, const void *mb_info)
{
    uint32_t rng = 0xdecafbad;
    uint32_t sum = 0;
    static uint32_t area[64];

    printf("bits: popcount, bswap, bsf/bsr, bt*, shld/shrd, reversal\n");
    CHECK_EQ(__builtin_bswap32(0x12345678u), 0x78563412u);
    CHECK_EQ(bsr(1), 0);
    CHECK_EQ(bsf(0x80000000u), 31);
    CHECK_EQ(bsr16(0x0100), 8);
    CHECK(bsf_zero_flag(0) && !bsf_zero_flag(8));
    CHECK_EQ(swap_halves(0x11223344u), 0x22114433u);

    for (int i = 0; i < 30000; i++) {
        uint32_t x = xorshift32(&rng);
        /* Sparse and dense values too, not only half-full ones. */
        if (i % 3 == 1) {
            x &= xorshift32(&rng) & xorshift32(&rng);
        } else if (i % 3 == 2) {
            x |= xorshift32(&rng) | xorshift32(&rng);
        }
        if (x == 0) {
            x = 1;
        }

        int pc = popcount_swar(x);
        EXPECT(pc == popcount_kernighan(x));
        if (i % 8 == 0) {
            EXPECT(pc == popcount_loop(x));
        }
        uint32_t bs = __builtin_bswap32(x);
        EXPECT(bs == bswap_asm(x) && bs == bswap_shifts(x));
        uint32_t lo = bsf(x), hi = bsr(x);
        EXPECT((x >> lo & 1) && (x & ((1u << lo) - 1)) == 0);
        EXPECT((x >> hi) == 1);
        EXPECT((uint32_t)__builtin_ctz(x) == lo &&
               31u - (uint32_t)__builtin_clz(x) == hi);
        uint32_t rv = reverse_bits(x);
        if (i % 8 == 0) {
            EXPECT(rv == reverse_loop(x));
        }
        sum = mix32(sum, (uint32_t)pc | lo << 8 | hi << 16);
        sum = mix32(sum, rv ^ swap_halves(x));

        /* Register bt*: offset modulo 32. */
        uint32_t bit = xorshift32(&rng);
        uint32_t v = x, f;
        f = bt_reg(&v, bit);
        EXPECT(f == (x >> (bit & 31) & 1) && v == x);
        f = bts_reg(&v, bit);
        EXPECT(v == (x | 1u << (bit & 31)));
        f |= btr_reg(&v, bit + 1) << 1;
        f |= btc_reg(&v, bit + 2) << 2;
        sum = mix32(sum, v ^ f);

        /* Memory bt* with offsets from -512 to 1535 around area + 16. */
        int32_t off = (int32_t)(xorshift32(&rng) % 2048) - 512;
        uint32_t *base = &area[16];
        uint32_t before = ref_bit_get((const uint8_t *)base, off);
        EXPECT(bt_mem(base, off) == before);
        uint32_t fs;
        switch (i & 3) {
        case 0: fs = bts_mem(base, off); break;
        case 1: fs = btr_mem(base, off); break;
        default: fs = btc_mem(base, off); break;
        }
        uint32_t after = ref_bit_get((const uint8_t *)base, off);
        uint32_t want = (i & 3) == 0 ? 1 : (i & 3) == 1 ? 0 : !before;
        EXPECT(fs == before && after == want);

        /* Double shifts: result and defined flags. */
        uint8_t c = (uint8_t)(xorshift32(&rng) % 40);
        uint32_t d1 = x, d2 = x;
        uint32_t s = bs ^ 0x5a5a5a5a;
        uint32_t f1 = shld32(&d1, s, c), f2 = shrd32(&d2, s, c);
        unsigned cm = c & 31;
        uint32_t w1 = cm ? x << cm | s >> (32 - cm) : x;
        uint32_t w2 = cm ? x >> cm | s << (32 - cm) : x;
        EXPECT(d1 == w1 && d2 == w2);
        sum = mix32(sum, d1 ^ (f1 & dshift_mask(c)));
        sum = mix32(sum, d2 ^ (f2 & dshift_mask(c)) << 3);
    }
    uint32_t fi = bt_imm_mem(area);
    sum = mix32(sum, fi);
    for (size_t i = 0; i < ARRAY_SIZE(area); i++) {
        sum = mix32(sum, area[i]);
    }
    printf("  bit area: %08x %08x %08x %08x\n", area[0], area[15], area[16],
           area[63]);
    CHECK(bad == 0);
    return rt_finish("bits", sum);
}
