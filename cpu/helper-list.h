/*
 * Helpers the frontend may call, declared once:
 *   HELPER(name, returns, nargs, flags)
 * Every helper has the C signature
 *   uint32_t helper_NAME(CPUState *env, uint32_t a0, ..., uint32_t a(nargs-1))
 * (or void when RETURNS is 0), so that one libffi call interface per
 * (returns, nargs) serves them all.  Flags (HLP_*, cpu/helper.h) say what
 * CPU state a helper may see and whether it may raise an exception.
 * Packed arguments are documented at each helper's definition.
 */

/* lazy flags (cpu/flags.c) */
HELPER(cc_compute_all, 1, 4, HLP_PURE)      /* op, dst, src, src2 */
HELPER(cc_compute_c, 1, 4, HLP_PURE)        /* op, dst, src, src2 */
HELPER(read_eflags, 1, 0, HLP_READS)
HELPER(write_eflags, 0, 2, HLP_RW)          /* value, mask of writable bits */

/* multiply/divide, BCD, rotates, bit scans (cpu/helper-arith.c) */
HELPER(div, 0, 2, HLP_RW | HLP_RAISE)       /* divisor, size */
HELPER(idiv, 0, 2, HLP_RW | HLP_RAISE)      /* divisor, size */
HELPER(rotate, 1, 4, HLP_RW)  /* kind (0 rol 1 ror 2 rcl 3 rcr), value,
                                 count (unmasked), size; returns result,
                                 sets CC_OP_EFLAGS */
HELPER(shiftd, 1, 5, HLP_RW)  /* left?, dst, src, count (unmasked), size;
                                 shld/shrd; returns result */
HELPER(daa, 0, 0, HLP_RW)
HELPER(das, 0, 0, HLP_RW)
HELPER(aaa, 0, 0, HLP_RW)
HELPER(aas, 0, 0, HLP_RW)
HELPER(aam, 0, 1, HLP_RW | HLP_RAISE)       /* base (0 raises #DE) */
HELPER(aad, 0, 1, HLP_RW)                   /* base */
HELPER(bsf, 1, 3, HLP_RW)     /* src, old dst, size; returns new dst */
HELPER(bsr, 1, 3, HLP_RW)     /* src, old dst, size; returns new dst */

/* string instructions, whole rep loop (cpu/helper-string.c).  The packed
 * argument is size | addrsize << 4 | seg << 8 | rep << 12 where rep is 0,
 * 1 (rep/repe) or 2 (repne).  They update eCX/eSI/eDI per iteration, so a
 * fault leaves them where hardware does; when the budget runs out between
 * iterations they return 1 and the instruction restarts, else 0. */
HELPER(movs, 1, 1, HLP_RW | HLP_RAISE)
HELPER(cmps, 1, 1, HLP_RW | HLP_RAISE)
HELPER(stos, 1, 1, HLP_RW | HLP_RAISE)
HELPER(lods, 1, 1, HLP_RW | HLP_RAISE)
HELPER(scas, 1, 1, HLP_RW | HLP_RAISE)
HELPER(ins, 1, 1, HLP_RW | HLP_RAISE)
HELPER(outs, 1, 1, HLP_RW | HLP_RAISE)

/* I/O ports (cpu/helper-io.c) */
HELPER(in, 1, 2, HLP_RW | HLP_RAISE)        /* port, size */
HELPER(out, 0, 3, HLP_RW | HLP_RAISE)       /* port, value, size */

/* segments and far transfers (cpu/seg.c) */
HELPER(load_seg, 0, 2, HLP_RW | HLP_RAISE)  /* seg, selector */
HELPER(ljmp, 0, 2, HLP_RW | HLP_RAISE)      /* selector, offset */
HELPER(lcall, 0, 4, HLP_RW | HLP_RAISE)     /* selector, offset, opsize,
                                               return eip */
HELPER(lret, 0, 2, HLP_RW | HLP_RAISE)      /* opsize, bytes to pop */
HELPER(iret, 0, 1, HLP_RW | HLP_RAISE)      /* opsize */
HELPER(lgdt, 0, 2, HLP_RW | HLP_RAISE)      /* linear address, opsize */
HELPER(lidt, 0, 2, HLP_RW | HLP_RAISE)
HELPER(sgdt, 0, 2, HLP_RW | HLP_RAISE)
HELPER(sidt, 0, 2, HLP_RW | HLP_RAISE)
HELPER(lldt, 0, 1, HLP_RW | HLP_RAISE)      /* selector */
HELPER(ltr, 0, 1, HLP_RW | HLP_RAISE)       /* selector */
HELPER(lar, 1, 2, HLP_RW)     /* selector, old dst; sets ZF; returns dst */
HELPER(lsl, 1, 2, HLP_RW)     /* selector, old dst; sets ZF; returns dst */
HELPER(verr, 0, 1, HLP_RW)    /* selector; sets ZF */
HELPER(verw, 0, 1, HLP_RW)
HELPER(arpl, 1, 2, HLP_RW)    /* dst selector, src selector; sets ZF */
HELPER(enter, 0, 3, HLP_RW | HLP_RAISE)     /* frame size, level, opsize */
HELPER(bound, 0, 3, HLP_RW | HLP_RAISE)     /* index, linear addr, size */
HELPER(check_seg, 0, 4, HLP_READS | HLP_RAISE) /* seg, offset, size,
                                                  write? : limit check */

/* system (cpu/helper-system.c) */
HELPER(write_cr, 0, 2, HLP_RW | HLP_RAISE)  /* n, value */
HELPER(read_cr, 1, 1, HLP_RW | HLP_RAISE)   /* n */
HELPER(write_dr, 0, 2, HLP_RW | HLP_RAISE)
HELPER(read_dr, 1, 1, HLP_RW | HLP_RAISE)
HELPER(lmsw, 0, 1, HLP_RW | HLP_RAISE)
HELPER(clts, 0, 0, HLP_RW | HLP_RAISE)
HELPER(invlpg, 0, 1, HLP_RW | HLP_RAISE)    /* linear address */
HELPER(cpuid, 0, 0, HLP_RW)
HELPER(rdtsc, 0, 0, HLP_RW | HLP_RAISE)
HELPER(rdmsr, 0, 0, HLP_RW | HLP_RAISE)
HELPER(wrmsr, 0, 0, HLP_RW | HLP_RAISE)
HELPER(hlt, 0, 1, HLP_RW | HLP_RAISE)       /* next eip */
HELPER(raise, 0, 1, HLP_RW | HLP_RAISE)     /* vector: fault here */
HELPER(raise_err, 0, 2, HLP_RW | HLP_RAISE) /* vector, error code */
HELPER(softint, 0, 2, HLP_RW | HLP_RAISE)   /* vector, next eip: int n,
                                               int3, into */
HELPER(cmpxchg8b, 0, 1, HLP_RW | HLP_RAISE) /* linear address */
HELPER(check_io, 0, 2, HLP_RW | HLP_RAISE)  /* port, size: IOPL check */
HELPER(unsupported, 0, 1, HLP_RW | HLP_RAISE) /* which (index into a
                                                 message table) */
