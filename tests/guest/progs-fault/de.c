/*
 * de: prints a line, then divides by zero at the global label div_insn.
 * softvisor must stop the guest and report #DE with eip = div_insn (a
 * fault: eip points at the divide, not after it).
 */
#include "rt.h"

static volatile uint32_t zero;

int main(uint32_t mb_magic, const void *mb_info)
{
    uint32_t divisor = zero, q, r;

    printf("de: dividing by zero\n");
    __asm__ volatile(".globl div_insn\n"
                     "div_insn:\n\t"
                     "divl %2"
                     : "=a"(q), "=d"(r) : "r"(divisor), "0"(1), "1"(0));
    printf("de: still running after divl (%u %u)\n", q, r);
    return 3;
}
