/*
 * IN and OUT (SDM Vol. 2), and the I/O permission check they and INS/OUTS
 * share (SDM Vol. 1, 18.5).
 */
#include "cpu/cpu.h"
#include "cpu/helper.h"
#include "memory/memory.h"

/*
 * Protected mode with CPL > IOPL, or virtual-8086 mode, would consult the
 * I/O permission bitmap of the TSS.  There is no TSS support yet, so the
 * bitmap is taken as denying every port: #GP(0).
 */
void helper_check_io(CPUState *env, uint32_t port, uint32_t size)
{
    unsigned cpl = env->hflags & HF_CPL_MASK;
    unsigned iopl = (env->eflags & EFLAGS_IOPL) >> 12;

    if ((env->cr[0] & CR0_PE) && (cpl > iopl || (env->eflags & EFLAGS_VM))) {
        cpu_raise_exception_err(env, EXCP_GP, 0);
    }
}

/* port: 16 bits; size: 1, 2 or 4.  Returns the value read (the frontend
 * writes AL/AX/EAX). */
uint32_t helper_in(CPUState *env, uint32_t port, uint32_t size)
{
    helper_check_io(env, port, size);
    return ports_read(env->ports, port & 0xffff, size);
}

void helper_out(CPUState *env, uint32_t port, uint32_t value, uint32_t size)
{
    helper_check_io(env, port, size);
    ports_write(env->ports, port & 0xffff, value, size);
}
