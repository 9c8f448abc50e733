/*
 * The IR's operations, declared once:
 *   IROP(name, outputs, inputs, constant args, flags, "description")
 * Outputs and inputs are temps; constant args are raw numbers stored after
 * them in IROp.args.  The printer, the optimizer and both backends read
 * this table.  Every op is defined for all inputs: shift and rotate counts
 * are taken modulo 32, division never reaches the IR (helpers do it).
 * All values are 32 bits wide (IR_I32) until x86-64 guests arrive.
 */

/* moves and constants */
IROP(mov, 1, 1, 0, 0, "d = a")
IROP(movi, 1, 0, 1, 0, "d = constant c")
/* arithmetic and logic */
IROP(add, 1, 2, 0, 0, "d = a + b")
IROP(sub, 1, 2, 0, 0, "d = a - b")
IROP(mul, 1, 2, 0, 0, "d = low 32 bits of a * b")
IROP(mulu2, 2, 2, 0, 0, "d0:d1 = a * b unsigned 64-bit (d0 low, d1 high)")
IROP(muls2, 2, 2, 0, 0, "d0:d1 = a * b signed 64-bit (d0 low, d1 high)")
IROP(and, 1, 2, 0, 0, "d = a & b")
IROP(or, 1, 2, 0, 0, "d = a | b")
IROP(xor, 1, 2, 0, 0, "d = a ^ b")
IROP(andc, 1, 2, 0, 0, "d = a & ~b")
IROP(neg, 1, 1, 0, 0, "d = -a")
IROP(not, 1, 1, 0, 0, "d = ~a")
IROP(shl, 1, 2, 0, 0, "d = a << (b & 31)")
IROP(shr, 1, 2, 0, 0, "d = a >> (b & 31), logical")
IROP(sar, 1, 2, 0, 0, "d = a >> (b & 31), arithmetic")
IROP(rotl, 1, 2, 0, 0, "d = a rotated left by b & 31")
IROP(rotr, 1, 2, 0, 0, "d = a rotated right by b & 31")
/* width changes and bit fields */
IROP(ext8s, 1, 1, 0, 0, "d = sign-extend low 8 bits of a")
IROP(ext8u, 1, 1, 0, 0, "d = zero-extend low 8 bits of a")
IROP(ext16s, 1, 1, 0, 0, "d = sign-extend low 16 bits of a")
IROP(ext16u, 1, 1, 0, 0, "d = zero-extend low 16 bits of a")
IROP(extract, 1, 1, 2, 0, "d = bits [c0, c0+c1) of a, zero-extended")
IROP(deposit, 1, 2, 2, 0,
     "d = a with bits [c0, c0+c1) replaced by the low c1 bits of b")
IROP(bswap, 1, 1, 0, 0, "d = a with its four bytes reversed")
/* comparisons; c0 is an IRCond */
IROP(setcond, 1, 2, 1, 0, "d = (a c0 b) ? 1 : 0")
IROP(movcond, 1, 4, 1, 0, "d = (a c0 b) ? c : e  (inputs a b c e)")
/* control flow inside the block */
IROP(brcond, 0, 2, 2, IRF_BRANCH, "if (a c0 b) goto label c1")
IROP(br, 0, 0, 1, IRF_BRANCH | IRF_NO_FALLTHROUGH, "goto label c0")
IROP(label, 0, 0, 1, IRF_LABEL, "label c0: a branch target")
/* guest memory, through the softMMU; c0 is an IRMemOp, c1 the MMU index */
IROP(ld, 1, 1, 2, IRF_FAULT, "d = guest memory at linear address a")
IROP(st, 0, 2, 2, IRF_FAULT | IRF_SIDE, "guest memory at linear address a = b")
/* helpers: c0 is the helper number; inputs per the helper's signature;
 * one output if the helper returns a value (see IROp.nargs) */
IROP(call, 0, 0, 1, IRF_CALL | IRF_SIDE, "call helper c0")
/* block structure */
IROP(insn_start, 0, 0, 2, IRF_SIDE,
     "guest instruction c0 (index into the block's table) starts at eip c1")
IROP(exit_tb, 0, 0, 1, IRF_SIDE | IRF_NO_FALLTHROUGH,
     "leave the block; c0 = chain slot (0 or 1, | IR_EXIT_FAR when the "
     "target is on another page) or IR_EXIT_NOCHAIN")
