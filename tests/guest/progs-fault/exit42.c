/*
 * exit42: ends through isa-debug-exit with code 42, so softvisor must exit
 * with status (42 << 1) | 1 = 85.  The programs in progs/ all end with 0;
 * this one checks that the code is passed through.
 */
#include "rt.h"

int main(uint32_t mb_magic, const void *mb_info)
{
    printf("exit42: exiting with code 42\n");
    return 42;
}
