/*
 * 64-bit division for i386, the helpers gcc calls for uint64_t and int64_t
 * "/" and "%" (libgcc's names; we link without libgcc).  Integer only: the
 * 32-bit "divl" does the real work, so a zero divisor raises #DE just as
 * the libgcc versions do.
 */
#include "rt.h"

/* (hi:lo) / d with hi < d, so the quotient fits in 32 bits. */
static inline uint32_t divl(uint32_t hi, uint32_t lo, uint32_t d,
                            uint32_t *rem)
{
    uint32_t q, r;

    __asm__("divl %4" : "=a"(q), "=d"(r) : "0"(lo), "1"(hi), "rm"(d));
    *rem = r;
    return q;
}

static inline unsigned clz32(uint32_t x)      /* x != 0 */
{
    uint32_t bit;

    __asm__("bsrl %1, %0" : "=r"(bit) : "rm"(x) : "cc");
    return 31 - bit;
}

uint64_t rt_udivmod64(uint64_t n, uint64_t d, uint64_t *rem)
{
    uint32_t nh = (uint32_t)(n >> 32), nl = (uint32_t)n;
    uint32_t dh = (uint32_t)(d >> 32), dl = (uint32_t)d;
    uint32_t r;

    if (dh == 0) {
        /* Schoolbook long division in two 32-bit digits. */
        uint32_t qh = 0;
        if (nh >= dl) {
            qh = divl(0, nh, dl, &r);
            nh = r;
        }
        uint32_t ql = divl(nh, nl, dl, &r);
        if (rem) {
            *rem = r;
        }
        return ((uint64_t)qh << 32) | ql;
    }

    /*
     * d >= 2^32: the quotient fits in 32 bits.  Hacker's Delight, 2nd ed.,
     * 9-5 ("divDU"): divide n/2 by the top 32 bits of the normalized d,
     * which under-estimates the quotient by at most one after the shifts;
     * one compare fixes that.
     */
    unsigned s = clz32(dh);
    uint32_t v1 = (uint32_t)((d << s) >> 32);
    uint64_t n1 = n >> 1;
    uint32_t q1 = divl((uint32_t)(n1 >> 32), (uint32_t)n1, v1, &r);
    uint64_t q0 = ((uint64_t)q1 << s) >> 31;
    if (q0 != 0) {
        q0--;
    }
    if (n - q0 * d >= d) {
        q0++;
    }
    if (rem) {
        *rem = n - q0 * d;
    }
    return q0;
}

uint64_t __udivdi3(uint64_t n, uint64_t d)
{
    return rt_udivmod64(n, d, NULL);
}

uint64_t __umoddi3(uint64_t n, uint64_t d)
{
    uint64_t r;

    rt_udivmod64(n, d, &r);
    return r;
}

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem)
{
    return rt_udivmod64(n, d, rem);
}

static inline uint64_t magnitude(int64_t v)
{
    return v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
}

/* C99 6.5.5: the quotient truncates toward zero, a % b has a's sign. */
int64_t __divdi3(int64_t n, int64_t d)
{
    uint64_t q = rt_udivmod64(magnitude(n), magnitude(d), NULL);

    return (int64_t)((n < 0) != (d < 0) ? 0 - q : q);
}

int64_t __moddi3(int64_t n, int64_t d)
{
    uint64_t r;

    rt_udivmod64(magnitude(n), magnitude(d), &r);
    return (int64_t)(n < 0 ? 0 - r : r);
}

int64_t __divmoddi4(int64_t n, int64_t d, int64_t *rem)
{
    uint64_t r;
    uint64_t q = rt_udivmod64(magnitude(n), magnitude(d), &r);

    *rem = (int64_t)(n < 0 ? 0 - r : r);
    return (int64_t)((n < 0) != (d < 0) ? 0 - q : q);
}
