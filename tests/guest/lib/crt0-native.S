/*
 * Native twin of crt0.S: the entry of the same program linked as a static
 * Linux i386 executable without libc.  main() gets (0, NULL) in place of
 * the multiboot magic and information; platform_boot_ok() knows that.
 */

    .text
    .globl _start
    .type _start, @function
_start:
    cld
    xorl %ebp, %ebp
    /* Linux leaves esp 16-byte aligned at entry (argc on top). */
    andl $-16, %esp
    call platform_init
    subl $8, %esp
    pushl $0
    pushl $0
    call main
    addl $16, %esp
    subl $12, %esp
    pushl %eax
    call exit
1:  hlt
    jmp 1b
    .size _start, . - _start

    .section .note.GNU-stack, "", @progbits
