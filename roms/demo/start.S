/*
 * Entry of the built-in demo guest: a multiboot v1 header (Multiboot
 * Specification 0.6.96, section 3.1) and the jump to C with a stack.
 */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003 /* page-align modules, want memory info */

    .section .multiboot, "a"
    .balign 4
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)

    .text
    .globl _start
_start:
    mov $stack_top, %esp
    push %ebx            /* multiboot information */
    push %eax            /* boot loader magic */
    call demo_main
1:  cli
    hlt
    jmp 1b

    .bss
    .balign 16
    .space 16384
stack_top:
    .section .note.GNU-stack, "", @progbits
