/*
 * End-to-end tests of the frontend and the execution loop on a bare
 * Machine: string instructions, segments from a GDT (bases, limits,
 * far transfers, 16-bit code), the stack, precise state at faults,
 * unsupported features, and code that is rewritten after it ran.
 * The code is hand-assembled; each byte string says what it is.  Each
 * test runs on the interpreter and on the JIT.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "memory/memory.h"
#include "translate/machine.h"
#include "tests/unit/flat-machine.h"

#define CODE 0x1000u
#define GDT 0x500u

/* Every test runs on both backends: Check's loop index picks one. */
#define new_machine() flat_machine_new(_i, 0)
#define run(m, code, len) flat_machine_run((m), CODE, (code), (len))

static uint32_t rd32(Machine *m, uint32_t a)
{
    uint32_t v;
    as_read_buf(m->as, a, &v, 4);
    return v;
}

/* A GDT descriptor (SDM Vol. 3A, 3.4.5): ACCESS is the P/DPL/S/type
 * byte, FLAGS the G and D/B nibble. */
static void put_desc(Machine *m, int index, uint32_t base, uint32_t limit,
                     uint8_t access, uint8_t flags)
{
    uint32_t d[2];
    d[0] = (limit & 0xffff) | (base & 0xffff) << 16;
    d[1] = ((base >> 16) & 0xff) | (uint32_t)access << 8 | (limit & 0xf0000) |
           (uint32_t)(flags & 0xf) << 20 | (base & 0xff000000);
    as_write_buf(m->as, GDT + index * 8, d, 8);
}

/* A GDT with null, flat code 0x08, flat data 0x10, a 256-byte data
 * segment at 0x2000 (0x18), a 16-bit code segment at 0x10000 (0x20), a
 * 32-bit code segment at 0x20000 (0x28), a read-only data segment (0x30);
 * the pseudo-descriptor for lgdt at 0x400. */
static void setup_gdt(Machine *m)
{
    uint8_t gdtr[6] = {7 * 8 - 1, 0, GDT & 0xff, GDT >> 8, 0, 0};
    put_desc(m, 1, 0, 0xfffff, 0x9a, 0xc);
    put_desc(m, 2, 0, 0xfffff, 0x92, 0xc);
    put_desc(m, 3, 0x2000, 0xff, 0x92, 0x4);
    put_desc(m, 4, 0x10000, 0xffff, 0x9a, 0x0);
    put_desc(m, 5, 0x20000, 0xfffff, 0x9a, 0xc);
    put_desc(m, 6, 0x3000, 0xfff, 0x90, 0x4);
    as_write_buf(m->as, 0x400, gdtr, sizeof(gdtr));
}

START_TEST(test_rep_strings)
{
    Machine *m = new_machine();
    static const uint8_t code[] = {
        0xfc,                         /* cld */
        0xbe, 0x00, 0x30, 0x00, 0x00, /* mov esi, 0x3000 */
        0xbf, 0x00, 0x40, 0x00, 0x00, /* mov edi, 0x4000 */
        0xb9, 0x10, 0x00, 0x00, 0x00, /* mov ecx, 16 */
        0xf3, 0xa4,                   /* rep movsb */
        0xfd,                         /* std */
        0xbe, 0x0f, 0x30, 0x00, 0x00, /* mov esi, 0x300f */
        0xbf, 0x0f, 0x50, 0x00, 0x00, /* mov edi, 0x500f */
        0xb9, 0x10, 0x00, 0x00, 0x00, /* mov ecx, 16 */
        0xf3, 0xa4,                   /* rep movsb (backwards) */
        0xfc,                         /* cld */
        0xbf, 0x00, 0x30, 0x00, 0x00, /* mov edi, 0x3000 */
        0xb9, 0x10, 0x00, 0x00, 0x00, /* mov ecx, 16 */
        0xb0, 0x07,                   /* mov al, 7 */
        0xf2, 0xae,                   /* repne scasb */
        0xf4,                         /* hlt */
    };
    uint8_t src[16], a[16], b[16];

    for (int i = 0; i < 16; i++) {
        src[i] = 0x10 - i + (i == 9 ? 0 : 0); /* 0x10..0x01, 7 at i=9 */
    }
    as_write_buf(m->as, 0x3000, src, 16);
    ck_assert_int_eq(run(m, code, sizeof(code)), MACHINE_HALTED);
    as_read_buf(m->as, 0x4000, a, 16);
    as_read_buf(m->as, 0x5000, b, 16);
    ck_assert(memcmp(a, src, 16) == 0);
    ck_assert(memcmp(b, src, 16) == 0);
    /* 7 is src[9]: scas stops after it, with ECX = 16 - 10 and ZF set. */
    ck_assert_uint_eq(m->cpu.regs[R_ECX], 6);
    ck_assert_uint_eq(m->cpu.regs[R_EDI], 0x300a);
    ck_assert(cpu_get_eflags(&m->cpu) & CC_Z);
    machine_free(m);
}
END_TEST

START_TEST(test_segment_base_and_limit)
{
    Machine *m = new_machine();
    static const uint8_t code[] = {
        0x0f, 0x01, 0x15, 0x00, 0x04, 0x00, 0x00, /* lgdt [0x400] */
        0x66, 0xb8, 0x18, 0x00,                   /* mov ax, 0x18 */
        0x8e, 0xd8,                               /* mov ds, ax */
        0xa1, 0x10, 0x00, 0x00, 0x00,             /* mov eax, [0x10] */
        0x89, 0xc3,                               /* mov ebx, eax */
        0xa0, 0xff, 0x00, 0x00, 0x00,             /* mov al, [0xff]: ok */
        0xa1, 0xfd, 0x00, 0x00, 0x00,             /* mov eax, [0xfd]: #GP */
        0xf4,
    };
    uint32_t v = 0xdeadbeef;

    setup_gdt(m);
    as_write_buf(m->as, 0x2010, &v, 4);
    ck_assert_int_eq(run(m, code, sizeof(code)), MACHINE_FAILED);
    ck_assert_uint_eq(m->cpu.regs[R_EBX], 0xdeadbeef);
    ck_assert_int_eq(m->cpu.exception_index, EXCP_GP);
    ck_assert_uint_eq(m->cpu.eip, CODE + 25);
    ck_assert_uint_eq(m->cpu.seg[R_DS].base, 0x2000);
    ck_assert_msg(strstr(m->reason, "#GP") != NULL, "%s", m->reason);
    machine_free(m);
}
END_TEST

START_TEST(test_read_only_segment_write)
{
    Machine *m = new_machine();
    static const uint8_t code[] = {
        0x0f, 0x01, 0x15, 0x00, 0x04, 0x00, 0x00, /* lgdt [0x400] */
        0x66, 0xb8, 0x30, 0x00,                   /* mov ax, 0x30 */
        0x8e, 0xc0,                               /* mov es, ax */
        0x26, 0x8b, 0x05, 0x00, 0x00, 0x00, 0x00, /* mov eax, es:[0]: ok */
        0x26, 0x89, 0x05, 0x00, 0x00, 0x00, 0x00, /* mov es:[0], eax: #GP */
        0xf4,
    };
    setup_gdt(m);
    ck_assert_int_eq(run(m, code, sizeof(code)), MACHINE_FAILED);
    ck_assert_int_eq(m->cpu.exception_index, EXCP_GP);
    ck_assert_uint_eq(m->cpu.eip, CODE + 20);
    machine_free(m);
}
END_TEST

START_TEST(test_far_jump_16bit_code)
{
    Machine *m = new_machine();
    static const uint8_t code[] = {
        0x0f, 0x01, 0x15, 0x00, 0x04, 0x00, 0x00, /* lgdt [0x400] */
        0xea, 0x00, 0x00, 0x00, 0x00, 0x20, 0x00, /* jmp 0x20:0 */
    };
    /* 16-bit code at 0x10000: mov ax,0x1234; mov bx,2; mov si,3;
     * mov word [bx+si], ax (ds flat: address 5); hlt */
    static const uint8_t code16[] = {
        0xb8, 0x34, 0x12, 0xbb, 0x02, 0x00, 0xbe, 0x03, 0x00,
        0x89, 0x00, 0x66, 0xb9, 0x78, 0x56, 0x34, 0x12, 0xf4,
    };
    setup_gdt(m);
    as_write_buf(m->as, 0x10000, code16, sizeof(code16));
    m->cpu.regs[R_EAX] = 0xffff0000;
    ck_assert_int_eq(run(m, code, sizeof(code)), MACHINE_HALTED);
    ck_assert_uint_eq(m->cpu.seg[R_CS].selector, 0x20);
    ck_assert_uint_eq(m->cpu.seg[R_CS].base, 0x10000);
    ck_assert_uint_eq(m->cpu.eip, sizeof(code16));
    ck_assert_uint_eq(m->cpu.regs[R_EAX], 0xffff1234);
    ck_assert_uint_eq(m->cpu.regs[R_ECX], 0x12345678);
    ck_assert_uint_eq(rd32(m, 5) & 0xffff, 0x1234);
    machine_free(m);
}
END_TEST

START_TEST(test_far_call_and_return)
{
    Machine *m = new_machine();
    static const uint8_t code[] = {
        0x0f, 0x01, 0x15, 0x00, 0x04, 0x00, 0x00, /* lgdt [0x400] */
        0x9a, 0x00, 0x00, 0x00, 0x00, 0x28, 0x00, /* call 0x28:0 */
        0xf4,                                     /* hlt */
    };
    static const uint8_t far[] = {
        0xb8, 0x2a, 0x00, 0x00, 0x00, /* mov eax, 42 */
        0xcb,                         /* retf */
    };
    setup_gdt(m);
    as_write_buf(m->as, 0x20000, far, sizeof(far));
    ck_assert_int_eq(run(m, code, sizeof(code)), MACHINE_HALTED);
    ck_assert_uint_eq(m->cpu.regs[R_EAX], 42);
    ck_assert_uint_eq(m->cpu.seg[R_CS].selector, 0x08);
    ck_assert_uint_eq(m->cpu.eip, CODE + 15);
    ck_assert_uint_eq(m->cpu.regs[R_ESP], FLAT_STACK);
    machine_free(m);
}
END_TEST

START_TEST(test_precise_fault_state)
{
    Machine *m = new_machine();
    static const uint8_t code[] = {
        0xb8, 0x05, 0x00, 0x00, 0x00, /* mov eax, 5 */
        0x31, 0xc9,                   /* xor ecx, ecx */
        0x41,                         /* inc ecx */
        0x49,                         /* dec ecx */
        0xbb, 0x07, 0x00, 0x00, 0x00, /* mov ebx, 7 */
        0xf7, 0xf1,                   /* div ecx: #DE */
        0xbb, 0x09, 0x00, 0x00, 0x00, /* mov ebx, 9 */
        0xf4,
    };
    ck_assert_int_eq(run(m, code, sizeof(code)), MACHINE_FAILED);
    ck_assert_int_eq(m->cpu.exception_index, EXCP_DE);
    ck_assert_uint_eq(m->cpu.eip, CODE + 14);
    ck_assert_uint_eq(m->cpu.regs[R_EAX], 5);
    ck_assert_uint_eq(m->cpu.regs[R_EBX], 7);
    /* ZF from the dec before the fault. */
    ck_assert(cpu_get_eflags(&m->cpu) & CC_Z);
    ck_assert_uint_eq(m->cpu.icount, 5);
    ck_assert_msg(strstr(m->reason, "#DE") && strstr(m->reason, "00001"),
                  "%s", m->reason);
    machine_free(m);
}
END_TEST

START_TEST(test_invalid_opcode_and_int3)
{
    Machine *m = new_machine();
    static const uint8_t ud[] = {0x90, 0x0f, 0x0b};
    static const uint8_t bp[] = {0x90, 0x90, 0xcc, 0xf4};

    ck_assert_int_eq(run(m, ud, sizeof(ud)), MACHINE_FAILED);
    ck_assert_int_eq(m->cpu.exception_index, EXCP_UD);
    ck_assert_uint_eq(m->cpu.eip, CODE + 1);
    machine_free(m);

    m = new_machine();
    ck_assert_int_eq(run(m, bp, sizeof(bp)), MACHINE_FAILED);
    ck_assert_uint_eq(m->cpu.eip, CODE + 2);
    ck_assert_msg(strstr(m->reason, "interrupt 0x03"), "%s", m->reason);
    machine_free(m);
}
END_TEST

START_TEST(test_paging_is_unsupported)
{
    Machine *m = new_machine();
    static const uint8_t code[] = {
        0x0f, 0x20, 0xc0,                   /* mov eax, cr0 */
        0x0d, 0x00, 0x00, 0x00, 0x80,       /* or eax, 0x80000000 */
        0x0f, 0x22, 0xc0,                   /* mov cr0, eax */
        0xf4,
    };
    ck_assert_int_eq(run(m, code, sizeof(code)), MACHINE_FAILED);
    ck_assert_uint_eq(m->cpu.eip, CODE + 8);
    ck_assert_msg(strstr(m->reason, "paging") &&
                      strstr(m->reason, "unsupported"),
                  "%s", m->reason);
    ck_assert(!(m->cpu.cr[0] & CR0_PG));
    machine_free(m);
}
END_TEST

START_TEST(test_stack_instructions)
{
    Machine *m = new_machine();
    static const uint8_t code[] = {
        0xb8, 0x01, 0x00, 0x00, 0x00, /* mov eax, 1 */
        0xbd, 0x55, 0x00, 0x00, 0x00, /* mov ebp, 0x55 */
        0x60,                         /* pusha */
        0x31, 0xc0,                   /* xor eax, eax */
        0x31, 0xed,                   /* xor ebp, ebp */
        0x61,                         /* popa */
        0xc8, 0x10, 0x00, 0x00,       /* enter 16, 0 */
        0xe8, 0x02, 0x00, 0x00, 0x00, /* call +2 */
        0xeb, 0x06,                   /* jmp +6 (to leave) */
        0x8b, 0x1c, 0x24,             /* mov ebx, [esp] (return address) */
        0xc2, 0x00, 0x00,             /* ret 0 */
        0x90,
        0xc9,                         /* leave */
        0xf4,
    };
    ck_assert_int_eq(run(m, code, sizeof(code)), MACHINE_HALTED);
    ck_assert_uint_eq(m->cpu.regs[R_EAX], 1);
    ck_assert_uint_eq(m->cpu.regs[R_EBP], 0x55);
    ck_assert_uint_eq(m->cpu.regs[R_EBX], CODE + 25);
    ck_assert_uint_eq(m->cpu.regs[R_ESP], FLAT_STACK);
    machine_free(m);
}
END_TEST

/* Code written after it was translated must run in its new form. */
START_TEST(test_rewritten_code)
{
    Machine *m = new_machine();
    static const uint8_t code[] = {
        0xe8, 0x0d, 0x00, 0x00, 0x00,             /* call sub */
        0xc6, 0x05, 0x13, 0x10, 0x00, 0x00, 0x02, /* mov byte [sub+1], 2 */
        0xe8, 0x01, 0x00, 0x00, 0x00,             /* call sub */
        0xf4,                                     /* hlt */
        /* sub (0x1012): */
        0x04, 0x01, /* add al, 1 (patched to add al, 2) */
        0xc3,       /* ret */
    };

    m->cpu.regs[R_EAX] = 0;
    ck_assert_int_eq(run(m, code, sizeof(code)), MACHINE_HALTED);
    ck_assert_uint_eq(m->cpu.regs[R_EAX] & 0xff, 3);
    machine_free(m);
}
END_TEST

/* A store to the next instruction of the same block: x86 executes the new
 * bytes (SDM Vol. 3A, 8.1.3), so the block must stop after the store. */
START_TEST(test_smc_next_instruction)
{
    Machine *m = new_machine();
    static const uint8_t code[] = {
        0xb3, 0x07,                               /* mov bl, 7 */
        0xc6, 0x05, 0x0a, 0x10, 0x00, 0x00, 0x05, /* mov byte [0x100a], 5 */
        0xb0, 0x01,                               /* mov al, 1 (imm at 0x100a) */
        0xb1, 0x03,                               /* mov cl, 3 */
        0xf4,
    };
    ck_assert_int_eq(run(m, code, sizeof(code)), MACHINE_HALTED);
    ck_assert_uint_eq(m->cpu.regs[R_EAX] & 0xff, 5);
    ck_assert_uint_eq(m->cpu.regs[R_EBX] & 0xff, 7);
    ck_assert_uint_eq(m->cpu.regs[R_ECX] & 0xff, 3);
    ck_assert_uint_eq(m->cpu.icount, 5);
    machine_free(m);
}
END_TEST

/* A loop that rewrites its own body on every iteration: add eax, K with
 * K = 1, 2, 3, ... so EAX ends as 1 + 2 + ... + 10. */
START_TEST(test_smc_loop_body)
{
    Machine *m = new_machine();
    static const uint8_t code[] = {
        0x31, 0xc0,                   /* xor eax, eax */
        0xb9, 0x0a, 0x00, 0x00, 0x00, /* mov ecx, 10 */
        0xbb, 0x01, 0x00, 0x00, 0x00, /* mov ebx, 1 */
        /* loop (0x100c): */
        0x89, 0x1d, 0x14, 0x10, 0x00, 0x00, /* mov [0x1014], ebx */
        0x90,                         /* nop */
        0x05, 0x00, 0x00, 0x00, 0x00, /* add eax, imm32 (imm at 0x1014) */
        0x43,                         /* inc ebx */
        0xe2, 0xf1,                   /* loop 0x100c */
        0xf4,
    };
    ck_assert_int_eq(run(m, code, sizeof(code)), MACHINE_HALTED);
    ck_assert_uint_eq(m->cpu.regs[R_EAX], 55);
    machine_free(m);
}
END_TEST

/* A JIT-like guest: writes a small function into a buffer, calls it,
 * writes another over it, calls again. */
START_TEST(test_smc_generated_code)
{
    Machine *m = new_machine();
    static const uint8_t code[] = {
        /* gen: mov eax, imm32 ; ret  -> at 0x3000 */
        0xc6, 0x05, 0x00, 0x30, 0x00, 0x00, 0xb8,       /* mov byte [0x3000], 0xb8 */
        0xc7, 0x05, 0x01, 0x30, 0x00, 0x00, 0x11, 0x00, 0x00, 0x00, /* mov dword [0x3001], 0x11 */
        0xc6, 0x05, 0x05, 0x30, 0x00, 0x00, 0xc3,       /* mov byte [0x3005], 0xc3 */
        0xbe, 0x00, 0x30, 0x00, 0x00,                   /* mov esi, 0x3000 */
        0xff, 0xd6,                                     /* call esi */
        0x89, 0xc3,                                     /* mov ebx, eax */
        0xc7, 0x05, 0x01, 0x30, 0x00, 0x00, 0x22, 0x00, 0x00, 0x00, /* mov dword [0x3001], 0x22 */
        0xff, 0xd6,                                     /* call esi */
        0x01, 0xc3,                                     /* add ebx, eax */
        0xf4,
    };
    ck_assert_int_eq(run(m, code, sizeof(code)), MACHINE_HALTED);
    ck_assert_uint_eq(m->cpu.regs[R_EBX], 0x33);
    machine_free(m);
}
END_TEST

/* REP MOVS/STOS against an element-by-element model in C: every size,
 * both directions, overlapping and page-crossing spans (the bulk path
 * must give the hardware's element-wise result). */
START_TEST(test_rep_bulk_model)
{
    enum { AREA = 0x20000, LEN = 0x10000 };
    static uint8_t before[LEN], model[LEN], got[LEN];
    static const int32_t deltas[] = {-9, -4, -1, 1, 3, 4, 8, 0x1000, -0x1800};
    static const uint32_t counts[] = {1, 2, 7, 100, 1500, 5000};
    unsigned seed = 12345;

    for (int size = 1; size <= 4; size *= 2) {
        for (int down = 0; down < 2; down++) {
            for (size_t di = 0; di < sizeof(deltas) / sizeof(deltas[0]); di++) {
                for (size_t ci = 0; ci < sizeof(counts) / sizeof(counts[0]);
                     ci++) {
                    for (int stos = 0; stos < 2; stos++) {
                        Machine *m = new_machine();
                        uint32_t n = counts[ci];
                        uint32_t dst = AREA + 0x7ff0;
                        uint32_t src = dst + deltas[di] * (stos ? 0 : 1);
                        uint8_t code[] = {
                            down ? 0xfd : 0xfc, 0xf3,
                            (uint8_t)(size == 1 ? (stos ? 0xaa : 0xa4)
                                                : (stos ? 0xab : 0xa5)),
                            0xf4,
                        };
                        uint8_t prefixed[8];
                        size_t len = 0;

                        prefixed[len++] = code[0];
                        if (size == 2) {
                            prefixed[len++] = 0x66;
                        }
                        prefixed[len++] = code[1];
                        prefixed[len++] = code[2];
                        prefixed[len++] = code[3];
                        for (int i = 0; i < LEN; i++) {
                            seed = seed * 1103515245 + 12345;
                            before[i] = seed >> 16;
                        }
                        memcpy(model, before, LEN);
                        as_write_buf(m->as, AREA, before, LEN);
                        /* The model: element by element. */
                        uint32_t d = dst - AREA, sr = src - AREA;
                        for (uint32_t k = 0; k < n; k++) {
                            uint8_t el[4];
                            if (stos) {
                                uint32_t v = 0xa1b2c3d4;
                                memcpy(el, &v, size);
                            } else {
                                memcpy(el, model + sr, size);
                            }
                            memcpy(model + d, el, size);
                            d += down ? -size : size;
                            sr += down ? -size : size;
                        }
                        m->cpu.regs[R_EAX] = 0xa1b2c3d4;
                        m->cpu.regs[R_ECX] = n;
                        m->cpu.regs[R_ESI] = src;
                        m->cpu.regs[R_EDI] = dst;
                        ck_assert_int_eq(run(m, prefixed, len), MACHINE_HALTED);
                        as_read_buf(m->as, AREA, got, LEN);
                        ck_assert_msg(memcmp(got, model, LEN) == 0,
                                      "size %d down %d delta %d count %u "
                                      "stos %d",
                                      size, down, deltas[di], n, stos);
                        ck_assert_uint_eq(m->cpu.regs[R_ECX], 0);
                        ck_assert_uint_eq(m->cpu.regs[R_EDI], AREA + d);
                        if (!stos) {
                            ck_assert_uint_eq(m->cpu.regs[R_ESI], AREA + sr);
                        }
                        machine_free(m);
                    }
                }
            }
        }
    }
}
END_TEST

/* A rep stos over the code that runs it: the instruction is overwritten
 * mid-way, and the rest of the block must not run stale. */
START_TEST(test_rep_stos_over_code)
{
    Machine *m = new_machine();
    static const uint8_t code[] = {
        0xbf, 0x0f, 0x10, 0x00, 0x00, /* mov edi, 0x100f (the inc below) */
        0xb9, 0x01, 0x00, 0x00, 0x00, /* mov ecx, 1 */
        0xb0, 0x90,                   /* mov al, 0x90 (nop) */
        0xfc,                         /* cld */
        0xf3, 0xaa,                   /* rep stosb: 0x100f becomes nop */
        0x43,                         /* inc ebx (overwritten) */
        0xf4,
    };
    m->cpu.regs[R_EBX] = 0;
    ck_assert_int_eq(run(m, code, sizeof(code)), MACHINE_HALTED);
    ck_assert_uint_eq(m->cpu.regs[R_EBX], 0);
    machine_free(m);
}
END_TEST

static Suite *exec_suite(void)
{
    Suite *s = suite_create("exec");
    TCase *tc = tcase_create("core");

    tcase_add_loop_test(tc, test_rep_strings, 0, 2);
    tcase_add_loop_test(tc, test_segment_base_and_limit, 0, 2);
    tcase_add_loop_test(tc, test_read_only_segment_write, 0, 2);
    tcase_add_loop_test(tc, test_far_jump_16bit_code, 0, 2);
    tcase_add_loop_test(tc, test_far_call_and_return, 0, 2);
    tcase_add_loop_test(tc, test_precise_fault_state, 0, 2);
    tcase_add_loop_test(tc, test_invalid_opcode_and_int3, 0, 2);
    tcase_add_loop_test(tc, test_paging_is_unsupported, 0, 2);
    tcase_add_loop_test(tc, test_stack_instructions, 0, 2);
    tcase_add_loop_test(tc, test_rewritten_code, 0, 2);
    tcase_add_loop_test(tc, test_smc_next_instruction, 0, 2);
    tcase_add_loop_test(tc, test_smc_loop_body, 0, 2);
    tcase_add_loop_test(tc, test_smc_generated_code, 0, 2);
    tcase_add_loop_test(tc, test_rep_bulk_model, 0, 2);
    tcase_add_loop_test(tc, test_rep_stos_over_code, 0, 2);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(exec_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
