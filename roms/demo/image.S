/* The demo guest's image, linked into the softvisor program so that it
 * runs with no -kernel at all. */
    .section .rodata
    .globl demo_image, demo_image_end
    .balign 16
demo_image:
    .incbin "roms/demo/demo.elf"
demo_image_end:
    .section .note.GNU-stack, "", @progbits
