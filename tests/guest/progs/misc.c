/*
 * misc: instructions the compiler rarely picks.  xchg, cmpxchg (both
 * outcomes), xadd, cmpxchg8b, lock-prefixed read-modify-write, loop /
 * loope / loopne / jecxz, xlat, pushad/popad, push %esp and "pop (%esp)"
 * (whose address uses the incremented esp: SDM vol. 2B, POP), 16-bit
 * push/pop, push/pop of memory, lea in every addressing form including a
 * 16-bit address size, movsx/movzx, cbw/cwde/cwd/cdq, byte registers
 * ah..dh, setcc to memory, sbb of a register with itself, and segment
 * override prefixes on flat segments.
 */
#include "rt.h"

static uint32_t sum;

static void fold(uint32_t v)
{
    sum = mix32(sum, v);
}

static void atomics(uint32_t a, uint32_t b)
{
    uint32_t mem = a, old, ok;

    /* xchg with memory (implicitly locked) and between registers. */
    uint32_t r = b;
    __asm__ volatile("xchgl %0, %1" : "+r"(r), "+m"(mem));
    CHECK(r == a && mem == b);
    uint32_t x = a, y = b;
    __asm__("xchgl %0, %1" : "+r"(x), "+r"(y));
    CHECK(x == b && y == a);
    __asm__("xchgw %w0, %w1" : "+r"(x), "+r"(y));
    fold(x ^ y << 1);

    /* cmpxchg: equal stores the source and sets ZF; else loads eax. */
    mem = a;
    old = a;
    __asm__ volatile("lock cmpxchgl %3, %1\n\tsetz %b2"
                     : "+a"(old), "+m"(mem), "=q"(ok) : "r"(b) : "cc");
    CHECK((ok & 0xff) == 1 && mem == b && old == a);
    old = a ^ 1;
    __asm__ volatile("lock cmpxchgl %3, %1\n\tsetz %b2"
                     : "+a"(old), "+m"(mem), "=q"(ok) : "r"(a) : "cc");
    CHECK((ok & 0xff) == 0 && mem == b && old == b);
    uint8_t m8 = (uint8_t)a, o8 = (uint8_t)a;
    __asm__ volatile("cmpxchgb %2, %1" : "+a"(o8), "+m"(m8) : "q"((uint8_t)b)
                     : "cc");
    CHECK(m8 == (uint8_t)b);

    /* xadd: exchange and add. */
    mem = a;
    uint32_t add = b;
    __asm__ volatile("lock xaddl %0, %1" : "+r"(add), "+m"(mem) : : "cc");
    CHECK(add == a && mem == a + b);
    uint16_t m16 = (uint16_t)a, a16 = (uint16_t)b;
    __asm__ volatile("xaddw %0, %1" : "+r"(a16), "+m"(m16) : : "cc");
    CHECK(a16 == (uint16_t)a && m16 == (uint16_t)(a + b));
    fold(mem ^ m16);

    /* cmpxchg8b: edx:eax against memory, ecx:ebx stored on a match. */
    uint64_t q = (uint64_t)a << 32 | b;
    uint32_t lo = b, hi = a;
    uint8_t z;
    __asm__ volatile("lock cmpxchg8b %0\n\tsetz %3"
                     : "+m"(q), "+a"(lo), "+d"(hi), "=m"(z)
                     : "b"(a ^ 0x5555), "c"(b ^ 0xaaaa) : "cc");
    CHECK(z == 1 && q == ((uint64_t)(b ^ 0xaaaa) << 32 | (a ^ 0x5555)));
    lo = 0;
    hi = 0;
    __asm__ volatile("cmpxchg8b %0\n\tsetz %3"
                     : "+m"(q), "+a"(lo), "+d"(hi), "=m"(z)
                     : "b"(1), "c"(2) : "cc");
    CHECK(z == (q == 0) && lo == (uint32_t)q && hi == (uint32_t)(q >> 32));
    fold(lo ^ hi);

    /* Other locked read-modify-write forms. */
    mem = a;
    __asm__ volatile("lock incl %0\n\tlock addl %1, %0\n\tlock notl %0\n\t"
                     "lock btsl $3, %0\n\tlock andl $0xfff0fff0, %0\n\t"
                     "lock sbbl %1, %0\n\tlock negl %0"
                     : "+m"(mem) : "r"(b) : "cc");
    fold(mem);
}

static void loops(uint32_t n)
{
    uint32_t c = n & 63, count = 0;

    /* loop: dec ecx, jump while nonzero; jecxz guards ecx = 0. */
    __asm__("jecxz 2f\n"
            "1:\n\t"
            "incl %1\n\t"
            "loop 1b\n"
            "2:"
            : "+c"(c), "+r"(count) : : "cc");
    CHECK(count == (n & 63) && c == 0);

    /* loopne: stop at the first zero byte in a string, or at the count. */
    static const uint8_t bytes[] = { 5, 7, 9, 0, 4, 0, 1, 2 };
    const uint8_t *p = bytes;
    c = 8;
    __asm__("1:\n\t"
            "movb (%1), %%al\n\t"
            "incl %1\n\t"
            "testb %%al, %%al\n\t"
            "loopne 1b"
            : "+c"(c), "+r"(p) : : "eax", "cc");
    CHECK(c == 4 && p == bytes + 4);

    /* loope: skip a run of equal bytes. */
    static const uint8_t run[] = { 3, 3, 3, 3, 3, 8, 3 };
    p = run;
    c = 7;
    __asm__("1:\n\t"
            "cmpb $3, (%1)\n\t"
            "leal 1(%1), %1\n\t"        /* lea: keep the flags of cmp */
            "loope 1b"
            : "+c"(c), "+r"(p) : : "cc");
    CHECK(c == 1 && p == run + 6);
    fold(count);
}

static void table_and_stack(uint32_t a, uint32_t b)
{
    static const uint8_t tbl[256] = {
        [0] = 1, [1] = 2, [17] = 99, [128] = 7, [200] = 201, [255] = 42,
    };
    uint32_t al = a & 0xff;

    /* xlat: al = [ebx + al]. */
    __asm__("xlat" : "+a"(al) : "b"(tbl) : "memory");
    CHECK((al & 0xff) == tbl[a & 0xff]);
    fold(al & 0xff);

    /* pushad stores eax..edi with the original esp; popad restores all
     * of them (esp from the stack pointer, not the slot), so the results
     * leave through memory at a fixed address in edi. */
    static uint32_t pushad_out[2];
    __asm__ volatile("pushal\n\t"
                     "movl 12(%%esp), %%eax\n\t"  /* the esp slot */
                     "subl %%esp, %%eax\n\t"      /* = 32 */
                     "movl %%eax, (%%edi)\n\t"
                     "movl 28(%%esp), %%eax\n\t"  /* the saved eax */
                     "movl %%eax, 4(%%edi)\n\t"
                     "xorl %%eax, %%eax\n\t"      /* popad restores it */
                     "popal"
                     : "+a"(a) : "D"(pushad_out) : "memory");
    CHECK_EQ(pushad_out[0], 32);
    CHECK_EQ(pushad_out[1], a);

    /* push %esp pushes the value esp had before the push. */
    uint32_t pushed_delta;
    __asm__ volatile("pushl %%esp\n\t"
                     "movl (%%esp), %0\n\t"
                     "subl %%esp, %0\n\t"           /* = 4 */
                     "addl $4, %%esp"
                     : "=&r"(pushed_delta) : : "memory");
    CHECK_EQ(pushed_delta, 4);

    /* pop (%esp): the destination address is computed after esp += 4,
     * so the value lands in the slot above the popped one. */
    uint32_t landed;
    __asm__ volatile("pushl %2\n\t"                 /* the slot above */
                     "pushl %1\n\t"                 /* the value to pop */
                     "popl (%%esp)\n\t"
                     "popl %0"
                     : "=&r"(landed) : "r"(a), "r"(b) : "memory");
    CHECK_EQ(landed, a);

    /* push and pop of memory operands, and 16-bit pushes (esp moves 2). */
    uint32_t src = a, dst = 0, delta;
    __asm__ volatile("pushl %1\n\tpopl %0" : "=m"(dst) : "m"(src));
    CHECK_EQ(dst, a);
    __asm__ volatile("movl %%esp, %0\n\t"
                     "pushw %w2\n\t"
                     "pushw $0x1234\n\t"
                     "subl %%esp, %0\n\t"           /* = 4 */
                     "popw %w1\n\t"
                     "shll $16, %1\n\t"
                     "popw %w1"
                     : "=&r"(delta), "=&r"(dst) : "r"(b) : "memory");
    CHECK_EQ(delta, 4);
    CHECK_EQ(dst, 0x12340000u | (b & 0xffff));
    fold(dst);
}

static void addressing(uint32_t a, uint32_t b)
{
    uint32_t r[8];

    __asm__("leal (%4), %0\n\t"
            "leal 5(%4,%5), %1\n\t"
            "leal -128(%4,%5,2), %2\n\t"
            "leal 0x12345678(%4,%5,4), %3"
            : "=&r"(r[0]), "=&r"(r[1]), "=&r"(r[2]), "=&r"(r[3])
            : "r"(a), "r"(b));
    __asm__("leal 127(,%5,8), %0\n\t"
            "leal 0xdeadbeef, %1\n\t"
            "leal (%4,%4,8), %2\n\t"
            "leal -1(%5,%4,1), %3"
            : "=&r"(r[4]), "=&r"(r[5]), "=&r"(r[6]), "=&r"(r[7])
            : "r"(a), "r"(b));
    CHECK(r[1] == a + b + 5 && r[2] == a + 2 * b - 128);
    CHECK(r[3] == a + 4 * b + 0x12345678u && r[4] == 8 * b + 127);
    CHECK(r[5] == 0xdeadbeefu && r[6] == 9 * a && r[7] == a + b - 1);
    for (int i = 0; i < 8; i++) {
        fold(r[i]);
    }

    /* lea with a 16-bit address size: the sum wraps at 64 KiB and is
     * zero-extended.  No memory is touched, so this is safe anywhere. */
    uint32_t e16;
    __asm__("addr16 leal 0x7fff(%%bx,%%si), %0"
            : "=r"(e16) : "b"(a), "S"(b));
    CHECK_EQ(e16, (a + b + 0x7fff) & 0xffff);
    fold(e16);

    /* Segment overrides: ds, es and ss are flat on both platforms. */
    uint32_t v = a, x1, x2, x3;
    __asm__ volatile("movl %%ds:%3, %0\n\t"
                     "movl %%es:%3, %1\n\t"
                     "movl %%ss:%3, %2"
                     : "=&r"(x1), "=&r"(x2), "=&r"(x3) : "m"(v));
    CHECK(x1 == a && x2 == a && x3 == a);
}

static void extensions(uint32_t a)
{
    uint32_t r[6];

    __asm__("movsbl %b3, %0\n\t"
            "movzbl %b3, %1\n\t"
            "movswl %w3, %2"
            : "=&r"(r[0]), "=&r"(r[1]), "=&r"(r[2]) : "q"(a));
    /* The 16-bit forms leave the upper halves alone. */
    __asm__("movzwl %w3, %0\n\t"
            "movsbw %b3, %w1\n\t"
            "movzbw %b3, %w2"
            : "=&r"(r[3]), "=&r"(r[4]), "=&r"(r[5])
            : "q"(a), "1"(0xffffffffu), "2"(0u));
    CHECK(r[0] == (uint32_t)(int32_t)(int8_t)a && r[1] == (a & 0xff));
    CHECK(r[2] == (uint32_t)(int32_t)(int16_t)a && r[3] == (a & 0xffff));
    CHECK(r[4] == (0xffff0000u | (uint16_t)(int16_t)(int8_t)a));
    CHECK(r[5] == (a & 0xff));

    /* cbw, cwde, cwd, cdq. */
    uint32_t ax = a, dx = 0x5555;
    __asm__("cbtw" : "+a"(ax));
    CHECK(ax == ((a & 0xffff0000u) | (uint16_t)(int16_t)(int8_t)a));
    ax = a;
    __asm__("cwtl" : "+a"(ax));
    CHECK(ax == (uint32_t)(int32_t)(int16_t)a);
    ax = a;
    __asm__("cwtd" : "+a"(ax), "+d"(dx));
    CHECK((dx & 0xffff) == ((a & 0x8000) ? 0xffff : 0) && (dx >> 16) == 0);
    ax = a;
    __asm__("cltd" : "+a"(ax), "=d"(dx));
    CHECK(dx == ((a & 0x80000000u) ? 0xffffffffu : 0));
    for (int i = 0; i < 6; i++) {
        fold(r[i]);
    }

    /* The high byte registers. */
    uint32_t w = a, z = 0x11223344;
    __asm__("movb %%al, %%ah\n\t"
            "xchgb %%ah, %%bl\n\t"
            "addb %%bh, %%al\n\t"
            "movb %%ah, %%bh"
            : "+a"(w), "+b"(z) : : "cc");
    fold(w ^ z);

    /* setcc into memory, and sbb reg,reg giving 0 or -1 from CF. */
    uint8_t flags_mem[3];
    uint32_t mask;
    __asm__("cmpl %4, %3\n\t"
            "setb %0\n\t"
            "setg %1\n\t"
            "sete %2"
            : "=m"(flags_mem[0]), "=m"(flags_mem[1]), "=m"(flags_mem[2])
            : "r"(a), "r"(a ^ 0x10) : "cc");
    __asm__("cmpl %2, %1\n\tsbbl %0, %0" : "=r"(mask) : "r"(a), "r"(~a) : "cc");
    CHECK(flags_mem[0] == (a < (a ^ 0x10)) && flags_mem[2] == 0);
    CHECK(mask == (a < ~a ? 0xffffffffu : 0));
    fold(flags_mem[0] | flags_mem[1] << 8 | mask << 16);
}

int main(uint32_t mb_magic, const void *mb_info)
{
    uint32_t rng = 0x31415926;

    printf("misc: atomics, loops, xlat, stack oddities, lea, extensions\n");
    for (int i = 0; i < 30000; i++) {
        uint32_t a = xorshift32(&rng), b = xorshift32(&rng);
        if (i & 1) {
            a >>= i % 29;
        }
        atomics(a, b);
        loops(a);
        table_and_stack(a, b);
        addressing(a, b);
        extensions(a);
        if (i % 10000 == 0) {
            printf("  round %d: %08x\n", i, sum);
        }
    }
    return rt_finish("misc", sum);
}
