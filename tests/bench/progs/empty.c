/*
 * empty: prints its checksum line and exits at once.  run-bench.sh times
 * it on every emulator and subtracts its median from the workloads' times,
 * which removes start-up (firmware, loader, process creation) and exit.
 */
#include "bench.h"

int main(uint32_t mb_magic, const void *mb_info)
{
    return rt_finish("empty", 0);
}
