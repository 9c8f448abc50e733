/*
 * calls: the stack and control transfer.  Recursion (fib, ackermann,
 * mutual recursion), a deep chain of distinct functions, varargs, calls
 * through function-pointer tables, stdcall (ret imm16), regparm, struct
 * returns through a hidden pointer, variable-length arrays, a setjmp /
 * longjmp of our own out of deep recursion, enter/leave with a nesting
 * level, and far return (lret) and iret to the same privilege level.
 * Stack use stays well under the guest's 64 KiB.
 */
#include "rt.h"

#define NOINLINE __attribute__((noinline))

static volatile uint32_t calls_made;

/* ---- plain recursion ---- */

static NOINLINE uint32_t fib(uint32_t n)
{
    calls_made++;
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static NOINLINE uint32_t ackermann(uint32_t m, uint32_t n)
{
    calls_made++;
    if (m == 0) {
        return n + 1;
    }
    if (n == 0) {
        return ackermann(m - 1, 1);
    }
    return ackermann(m - 1, ackermann(m, n - 1));
}

static NOINLINE int is_odd(uint32_t n);

static NOINLINE int is_even(uint32_t n)
{
    __asm__ volatile("" ::: "memory");  /* no tail call into a loop */
    return n == 0 ? 1 : is_odd(n - 1) + 0 * (int)calls_made;
}

static NOINLINE int is_odd(uint32_t n)
{
    __asm__ volatile("" ::: "memory");
    return n == 0 ? 0 : is_even(n - 1) + 0 * (int)calls_made;
}

/* ---- a chain of distinct functions ---- */

#define LINK(name, next, k)                                                 \
    static NOINLINE uint32_t name(uint32_t x, uint32_t depth)               \
    {                                                                       \
        uint32_t local[3] = { x, x * k, depth };                            \
        __asm__ volatile("" : : "r"(local) : "memory");                     \
        if (depth == 0) {                                                   \
            return x;                                                       \
        }                                                                   \
        return next(x * 31 + k, depth - 1) ^ (local[1] + local[2]);         \
    }

static NOINLINE uint32_t chain0(uint32_t x, uint32_t depth);
LINK(chain7, chain0, 7)
LINK(chain6, chain7, 6)
LINK(chain5, chain6, 5)
LINK(chain4, chain5, 4)
LINK(chain3, chain4, 3)
LINK(chain2, chain3, 2)
LINK(chain1, chain2, 1)
LINK(chain0, chain1, 11)

/* ---- varargs ---- */

static NOINLINE uint32_t va_mix(int count, ...)
{
    va_list ap;
    uint32_t h = 0;

    va_start(ap, count);
    for (int i = 0; i < count; i++) {
        /* Even positions hold ints, odd ones long longs. */
        if (i & 1) {
            uint64_t v = va_arg(ap, uint64_t);
            h = mix32(h, (uint32_t)v);
            h = mix32(h, (uint32_t)(v >> 32));
        } else {
            h = mix32(h, (uint32_t)va_arg(ap, int));
        }
    }
    va_end(ap);
    return h;
}

static NOINLINE uint32_t va_forward(const char *fmt, ...)
{
    char buf[96];
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    uint32_t h = (uint32_t)n;
    for (int i = 0; buf[i]; i++) {
        h = mix32(h, (uint8_t)buf[i]);
    }
    return h;
}

/* ---- calling conventions ---- */

static NOINLINE __attribute__((stdcall)) uint32_t
std3(uint32_t a, uint32_t b, uint32_t c)
{
    return a * 3 + b * 5 + c * 7;
}

static NOINLINE __attribute__((regparm(3))) uint32_t
reg3(uint32_t a, uint32_t b, uint32_t c)
{
    return (a ^ b) + (b ^ c) * 9;
}

static NOINLINE __attribute__((fastcall)) uint32_t
fast2(uint32_t a, uint32_t b)
{
    return a - b * 3;
}

typedef struct Triple {
    uint32_t a, b, c;
} Triple;

/* Returned through a hidden pointer; the callee pops it (ret $4). */
static NOINLINE Triple make_triple(uint32_t x)
{
    Triple t = { x, x * x, x ^ 0xdeadbeef };
    return t;
}

typedef struct Big {
    uint32_t w[12];
} Big;

static NOINLINE uint32_t by_value(Big b, uint32_t k)
{
    uint32_t h = k;

    for (int i = 0; i < 12; i++) {
        h = mix32(h, b.w[i]);
    }
    return h;
}

static NOINLINE uint32_t vla_sum(uint32_t n, uint32_t seed)
{
    uint32_t a[n];      /* dynamic stack allocation */

    for (uint32_t i = 0; i < n; i++) {
        a[i] = seed + i * i;
    }
    uint32_t h = 0;
    for (uint32_t i = 0; i < n; i++) {
        h = mix32(h, a[n - 1 - i]);
    }
    return h;
}

/* ---- function pointer tables ---- */

static uint32_t op_add(uint32_t a, uint32_t b) { return a + b; }
static uint32_t op_sub(uint32_t a, uint32_t b) { return a - b; }
static uint32_t op_xor(uint32_t a, uint32_t b) { return a ^ b; }
static uint32_t op_mul(uint32_t a, uint32_t b) { return a * b; }
static uint32_t op_rot(uint32_t a, uint32_t b)
{
    b &= 31;
    return b ? (a << b) | (a >> (32 - b)) : a;
}

static uint32_t (*const ops[])(uint32_t, uint32_t) = {
    op_add, op_sub, op_xor, op_mul, op_rot,
};

/* ---- setjmp / longjmp ---- */

typedef struct JmpBuf {
    uint32_t ebx, esi, edi, ebp, esp, eip;
} JmpBuf;

int my_setjmp(JmpBuf *jb) __attribute__((returns_twice));
_Noreturn void my_longjmp(JmpBuf *jb, int val);

__asm__(".text\n"
        ".globl my_setjmp\n"
        ".type my_setjmp, @function\n"
        "my_setjmp:\n\t"
        "movl 4(%esp), %eax\n\t"
        "movl %ebx, 0(%eax)\n\t"
        "movl %esi, 4(%eax)\n\t"
        "movl %edi, 8(%eax)\n\t"
        "movl %ebp, 12(%eax)\n\t"
        "leal 4(%esp), %ecx\n\t"    /* esp after our return */
        "movl %ecx, 16(%eax)\n\t"
        "movl (%esp), %ecx\n\t"     /* return address */
        "movl %ecx, 20(%eax)\n\t"
        "xorl %eax, %eax\n\t"
        "ret\n"
        ".size my_setjmp, . - my_setjmp\n"
        ".globl my_longjmp\n"
        ".type my_longjmp, @function\n"
        "my_longjmp:\n\t"
        "movl 4(%esp), %edx\n\t"
        "movl 8(%esp), %eax\n\t"
        "testl %eax, %eax\n\t"
        "jnz 1f\n\t"
        "incl %eax\n"               /* longjmp(jb, 0) returns 1 */
        "1:\n\t"
        "movl 0(%edx), %ebx\n\t"
        "movl 4(%edx), %esi\n\t"
        "movl 8(%edx), %edi\n\t"
        "movl 12(%edx), %ebp\n\t"
        "movl 16(%edx), %esp\n\t"
        "jmp *20(%edx)\n"
        ".size my_longjmp, . - my_longjmp\n");

static NOINLINE uint32_t dive(JmpBuf *jb, uint32_t depth, uint32_t acc)
{
    uint32_t pad[4] = { acc, depth, acc ^ depth, 0 };

    __asm__ volatile("" : : "r"(pad) : "memory");
    if (jb == NULL) {
        return acc;             /* never: keeps gcc's recursion check quiet */
    }
    if (depth == 0) {
        my_longjmp(jb, (int)(acc & 0x7fffffff) | 1);
    }
    return dive(jb, depth - 1, acc * 17 + depth) + pad[3];
}

/* Only volatile locals may be relied on after my_setjmp returns twice. */
static NOINLINE uint32_t longjmps(void)
{
    volatile uint32_t lj = 0;

    for (volatile uint32_t i = 0; i < 200; i++) {
        JmpBuf jb;
        int r = my_setjmp(&jb);
        if (r == 0) {
            dive(&jb, 50 + i % 150, i);
            CHECK(0);           /* dive never returns */
        }
        lj = mix32(lj, (uint32_t)r + i);
    }
    return lj;
}

/* ---- enter/leave, lret, iret (assembly) ---- */

/*
 * enter $8, $2 inside an ordinary frame: enter pushes the old ebp, copies
 * one outer frame pointer from [old ebp - 4], pushes the new frame
 * pointer and reserves 8 bytes (SDM vol. 2A, ENTER).  The marker sits at
 * [old ebp - 4], so it is what gets copied; it is handed back through
 * *copied.  Returns 0 when the frame looks as the SDM says.
 */
uint32_t enter_probe(uint32_t marker, uint32_t *copied);
__asm__(".text\n"
        ".globl enter_probe\n"
        ".type enter_probe, @function\n"
        "enter_probe:\n\t"
        "pushl %ebp\n\t"
        "movl %esp, %ebp\n\t"
        "pushl 8(%ebp)\n\t"          /* marker at [ebp - 4]            */
        "pushl %ebx\n\t"
        "movl %ebp, %ecx\n\t"        /* the outer frame pointer        */
        "enter $8, $2\n\t"
        "xorl %eax, %eax\n\t"
        "cmpl %ecx, (%ebp)\n\t"      /* [ebp] = outer ebp              */
        "setne %al\n\t"
        "cmpl %ebp, -8(%ebp)\n\t"    /* [ebp - 8] = ebp itself         */
        "setne %dl\n\t"
        "orb %dl, %al\n\t"
        "leal 16(%esp), %edx\n\t"    /* esp = ebp - 16                 */
        "cmpl %ebp, %edx\n\t"
        "setne %dl\n\t"
        "orb %dl, %al\n\t"
        "movl -4(%ebp), %edx\n\t"    /* the copied word                */
        "leave\n\t"
        "popl %ebx\n\t"
        "movl 12(%ebp), %ecx\n\t"
        "movl %edx, (%ecx)\n\t"
        "leave\n\t"
        "ret\n"
        ".size enter_probe, . - enter_probe\n");

/* Called with "pushl %cs; call": returns with lret. */
uint32_t far_double(void);
/* Called with "pushfl; pushl %cs; call": returns with iret. */
uint32_t iret_triple(void);
__asm__(".text\n"
        ".globl far_double\n"
        ".type far_double, @function\n"
        "far_double:\n\t"
        "addl %eax, %eax\n\t"
        "lret\n"
        ".size far_double, . - far_double\n"
        ".globl iret_triple\n"
        ".type iret_triple, @function\n"
        "iret_triple:\n\t"
        "leal (%eax,%eax,2), %eax\n\t"
        "iret\n"
        ".size iret_triple, . - iret_triple\n");

static uint32_t far_and_iret(uint32_t x)
{
    uint32_t r = x;

    __asm__ volatile("pushl %%cs\n\t"
                     "call far_double\n\t"
                     "pushfl\n\t"
                     "pushl %%cs\n\t"
                     "call iret_triple\n\t"
                     "pushl %%cs\n\t"
                     "call far_double"
                     : "+a"(r) : : "memory", "cc");
    return r;
}

int main(uint32_t mb_magic, const void *mb_info)
{
    uint32_t sum = 0;

    printf("calls: recursion, conventions, varargs, longjmp, enter, lret\n");

    uint32_t f = fib(24);
    CHECK_EQ(f, 46368);
    uint32_t a = ackermann(2, 200) + ackermann(3, 6);
    CHECK_EQ(a, 403 + 509);
    printf("  fib(24)=%u ackermann(2,200)+ackermann(3,6)=%u calls=%u\n", f, a,
           calls_made);
    sum = mix32(mix32(mix32(sum, f), a), calls_made);

    uint32_t parity = 0;
    for (uint32_t n = 0; n < 600; n += 7) {
        parity = (parity << 1 | (uint32_t)is_even(n)) ^
                 (uint32_t)is_odd(n * 3) << 9;
    }
    sum = mix32(sum, parity);

    uint32_t ch = 0;
    for (uint32_t i = 0; i < 400; i++) {
        ch = mix32(ch, chain0(i, 100 + i % 200));
    }
    printf("  mutual recursion %08x, call chain %08x\n", parity, ch);
    sum = mix32(sum, ch);

    uint32_t v = 0;
    for (int i = 0; i < 2000; i++) {
        v = mix32(v, va_mix(7, i, (uint64_t)i << 33 | 5u, -i, 0x123456789ull,
                            i * i, (uint64_t)-1ll, 42));
        v = mix32(v, va_mix(i % 5, i, (uint64_t)i, i, (uint64_t)i, i));
    }
    for (int i = 0; i < 300; i++) {
        v = mix32(v, va_forward("%d:%x:%s:%lld:%c", i, i * 7919, "abc",
                                -(long long)i << 30, 'a' + i % 26));
    }
    printf("  varargs %08x\n", v);
    sum = mix32(sum, v);

    uint32_t cc = 0;
    Big big;
    for (int i = 0; i < 12; i++) {
        big.w[i] = (uint32_t)i * 0x9e3779b9u;
    }
    for (uint32_t i = 0; i < 20000; i++) {
        cc = mix32(cc, std3(i, cc, i ^ 5));
        cc = mix32(cc, reg3(cc, i, 77));
        cc = mix32(cc, fast2(i, cc));
        Triple t = make_triple(i + cc);
        cc = mix32(cc, t.a + t.b + t.c);
        cc = mix32(cc, ops[i % ARRAY_SIZE(ops)](cc, i));
        if ((i & 255) == 0) {
            big.w[i % 12] ^= cc;
            cc = mix32(cc, by_value(big, i));
            cc = mix32(cc, vla_sum(1 + i % 500, cc));
        }
    }
    printf("  conventions %08x\n", cc);
    sum = mix32(sum, cc);

    uint32_t lj = longjmps();
    printf("  longjmp %08x\n", lj);
    sum = mix32(sum, lj);

    uint32_t e = 0;
    for (uint32_t i = 0; i < 2000; i++) {
        uint32_t copied = 0;
        uint32_t bad = enter_probe(0x5a5a0000u + i, &copied);
        CHECK_EQ(bad, 0);
        CHECK_EQ(copied, 0x5a5a0000u + i);
        e = mix32(e, copied + bad);
        uint32_t fr = far_and_iret(i);
        CHECK_EQ(fr, i * 12);
        e = mix32(e, fr);
    }
    printf("  enter/leave, lret, iret %08x\n", e);
    sum = mix32(sum, e);
    return rt_finish("calls", sum);
}
