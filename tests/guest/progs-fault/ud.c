/*
 * ud: prints a line, then executes ud2 at the global label ud2_insn.  No
 * IDT is loaded, so softvisor must stop the guest and report #UD with
 * eip = ud2_insn (check-bad-input.sh finds the address with nm).
 */
#include "rt.h"

int main(uint32_t mb_magic, const void *mb_info)
{
    printf("ud: executing ud2\n");
    __asm__ volatile(".globl ud2_insn\n"
                     "ud2_insn:\n\t"
                     "ud2");
    printf("ud: still running after ud2\n");
    return 3;
}
