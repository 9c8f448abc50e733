/*
 * Program-level runtime: exit, self-checks and the final report.
 */
#include "rt.h"

unsigned rt_failures;

_Noreturn void exit(int code)
{
    platform_exit(code);
}

void rt_check_failed(const char *file, int line, const char *what)
{
    rt_failures++;
    printf("FAIL %s:%d: %s\n", file, line, what);
}

int rt_finish(const char *name, uint32_t checksum)
{
    if (rt_failures) {
        printf("checksum %s %08x (%u self-check failures)\n", name, checksum,
               rt_failures);
        return 1;
    }
    printf("checksum %s %08x (self-checks ok)\n", name, checksum);
    return 0;
}
