/* The translators of the dispatch table (x86-dispatch.h). */
#ifndef TRANSLATE_X86_GEN_H
#define TRANSLATE_X86_GEN_H

#include "translate/x86-internal.h"

void gen_alu(DisasContext *s, const X86Insn *insn);
void gen_bcd(DisasContext *s, const X86Insn *insn);
void gen_bitscan(DisasContext *s, const X86Insn *insn);
void gen_bound(DisasContext *s, const X86Insn *insn);
void gen_bswap(DisasContext *s, const X86Insn *insn);
void gen_bt(DisasContext *s, const X86Insn *insn);
void gen_call(DisasContext *s, const X86Insn *insn);
void gen_call_far(DisasContext *s, const X86Insn *insn);
void gen_carry_op(DisasContext *s, const X86Insn *insn);
void gen_cbw(DisasContext *s, const X86Insn *insn);
void gen_cli_sti(DisasContext *s, const X86Insn *insn);
void gen_cmov(DisasContext *s, const X86Insn *insn);
void gen_cmpxchg(DisasContext *s, const X86Insn *insn);
void gen_cmpxchg8b(DisasContext *s, const X86Insn *insn);
void gen_cpuid(DisasContext *s, const X86Insn *insn);
void gen_cwd(DisasContext *s, const X86Insn *insn);
void gen_desc_table(DisasContext *s, const X86Insn *insn);
void gen_direction(DisasContext *s, const X86Insn *insn);
void gen_div(DisasContext *s, const X86Insn *insn);
void gen_enter(DisasContext *s, const X86Insn *insn);
void gen_hlt(DisasContext *s, const X86Insn *insn);
void gen_imul(DisasContext *s, const X86Insn *insn);
void gen_in_out(DisasContext *s, const X86Insn *insn);
void gen_int(DisasContext *s, const X86Insn *insn);
void gen_iret(DisasContext *s, const X86Insn *insn);
void gen_jcc(DisasContext *s, const X86Insn *insn);
void gen_jmp(DisasContext *s, const X86Insn *insn);
void gen_jmp_far(DisasContext *s, const X86Insn *insn);
void gen_jmp_ind(DisasContext *s, const X86Insn *insn);
void gen_lahf(DisasContext *s, const X86Insn *insn);
void gen_ldt_tr(DisasContext *s, const X86Insn *insn);
void gen_lea(DisasContext *s, const X86Insn *insn);
void gen_leave(DisasContext *s, const X86Insn *insn);
void gen_load_far(DisasContext *s, const X86Insn *insn);
void gen_loop(DisasContext *s, const X86Insn *insn);
void gen_mov_cr(DisasContext *s, const X86Insn *insn);
void gen_mov_insn(DisasContext *s, const X86Insn *insn);
void gen_mov_seg_load(DisasContext *s, const X86Insn *insn);
void gen_mov_seg_store(DisasContext *s, const X86Insn *insn);
void gen_movx(DisasContext *s, const X86Insn *insn);
void gen_msw(DisasContext *s, const X86Insn *insn);
void gen_mul1(DisasContext *s, const X86Insn *insn);
void gen_nop(DisasContext *s, const X86Insn *insn);
void gen_pop_insn(DisasContext *s, const X86Insn *insn);
void gen_pop_seg(DisasContext *s, const X86Insn *insn);
void gen_popa(DisasContext *s, const X86Insn *insn);
void gen_popf(DisasContext *s, const X86Insn *insn);
void gen_privileged(DisasContext *s, const X86Insn *insn);
void gen_push_insn(DisasContext *s, const X86Insn *insn);
void gen_push_seg(DisasContext *s, const X86Insn *insn);
void gen_pusha(DisasContext *s, const X86Insn *insn);
void gen_pushf(DisasContext *s, const X86Insn *insn);
void gen_rdpmc(DisasContext *s, const X86Insn *insn);
void gen_rdtsc(DisasContext *s, const X86Insn *insn);
void gen_ret(DisasContext *s, const X86Insn *insn);
void gen_ret_far(DisasContext *s, const X86Insn *insn);
void gen_rotate(DisasContext *s, const X86Insn *insn);
void gen_sahf(DisasContext *s, const X86Insn *insn);
void gen_salc(DisasContext *s, const X86Insn *insn);
void gen_seg_query(DisasContext *s, const X86Insn *insn);
void gen_setcc(DisasContext *s, const X86Insn *insn);
void gen_shift(DisasContext *s, const X86Insn *insn);
void gen_shiftd(DisasContext *s, const X86Insn *insn);
void gen_string(DisasContext *s, const X86Insn *insn);
void gen_unary(DisasContext *s, const X86Insn *insn);
void gen_wait(DisasContext *s, const X86Insn *insn);
void gen_xadd(DisasContext *s, const X86Insn *insn);
void gen_xchg(DisasContext *s, const X86Insn *insn);
void gen_xlat(DisasContext *s, const X86Insn *insn);

#endif
