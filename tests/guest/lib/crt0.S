/*
 * Guest entry: a multiboot v1 kernel image (multiboot spec 0.6.96, 3.1).
 *
 * The loader enters _start in 32-bit protected mode with flat segments,
 * paging off, interrupts off, eax = 0x2BADB002 and ebx = the multiboot
 * information structure (spec 3.2).  Nothing else about the machine state
 * is promised: esp in particular is undefined, so we switch to our own
 * stack before the first call.
 */

#define MB_HEADER_MAGIC 0x1BADB002
/* bit 0: page-align modules; bit 1: give us mem_lower/mem_upper. */
#define MB_HEADER_FLAGS 0x00000003
#ifdef MB_BAD_CHECKSUM
/* Only for check-bad-input.sh: a loader must refuse this image. */
#define MB_HEADER_CHECKSUM (-(MB_HEADER_MAGIC + MB_HEADER_FLAGS) + 1)
#else
#define MB_HEADER_CHECKSUM (-(MB_HEADER_MAGIC + MB_HEADER_FLAGS))
#endif

#define STACK_SIZE 65536
/* Written at the lowest stack word; platform_exit() checks it. */
#define STACK_CANARY 0x57ac4ca7

    /*
     * Its own non-executable output section (see guest.ld) so that it lies
     * in the first 8 KiB of the file, as the spec requires, and scan-isa
     * does not try to disassemble it.
     */
    .section .multiboot, "a"
    .balign 4
    .long MB_HEADER_MAGIC
    .long MB_HEADER_FLAGS
    .long MB_HEADER_CHECKSUM

    .section .bss
    .balign 16
    .globl guest_stack_bottom
guest_stack_bottom:
    .skip STACK_SIZE
guest_stack_top:

    .text
    .globl _start
    .type _start, @function
_start:
    cld
    movl $guest_stack_top, %esp
    xorl %ebp, %ebp
    movl $STACK_CANARY, guest_stack_bottom
    /* esi and ebx are callee-saved, so magic and info survive the call. */
    movl %eax, %esi
    call platform_init
    /* Keep the stack 16-byte aligned at each call, as the i386 ABI wants. */
    subl $8, %esp
    pushl %ebx
    pushl %esi
    call main
    addl $16, %esp
    subl $12, %esp
    pushl %eax
    call exit
    /* exit() does not return; stop here if a broken platform lets it. */
1:  cli
    hlt
    jmp 1b
    .size _start, . - _start

    .section .note.GNU-stack, "", @progbits
