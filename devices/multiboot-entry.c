/*
 * Multiboot v1: the machine state a kernel is entered with (Multiboot
 * Specification 0.6.96, section 3.2), and the GDT ROM that backs the
 * segment selectors of that state.
 */
#include "devices/multiboot.h"
#include "memory/softmmu.h"

/* Descriptors of the ROM GDT: null, code (selector 0x08), data (0x10).
 * Base 0, limit 0xfffff with G=1 (4 GiB), D/B=1, P=1, DPL 0, S=1 (SDM
 * Vol. 3A, 3.4.5); type 0xb is code execute/read, 0x3 data read/write,
 * both with the accessed bit preset because the CPU cannot set it in
 * ROM. */
static const uint64_t multiboot_gdt[3] = {
    0,
    0x00cf9b000000ffffull,
    0x00cf93000000ffffull,
};

int multiboot_add_gdt_rom(AddressSpace *as)
{
    uint8_t rom[MULTIBOOT_GDT_ROM_SIZE] = {0};

    for (unsigned i = 0; i < 3; i++) {
        for (unsigned b = 0; b < 8; b++) {
            rom[8 * i + b] = (uint8_t)(multiboot_gdt[i] >> (8 * b));
        }
    }
    return as_add_rom(as, "multiboot-gdt", MULTIBOOT_GDT_ADDR, rom,
                      sizeof(rom));
}

void multiboot_enter(Machine *m, const MultibootBoot *boot)
{
    CPUState *cpu = &m->cpu;

    /* Flat 4 GiB segments, CPL 0, protected mode without paging, VM and
     * IF clear, A20 enabled. */
    machine_set_flat32(m);
    cpu->cr[0] = (cpu->cr[0] | CR0_PE) & ~CR0_PG;
    cpu->eflags &= ~(EFLAGS_VM | EFLAGS_IF);
    cpu->a20_mask = 0xffffffffu;
    /* Selectors that match the ROM GDT, as QEMU's multiboot option ROM
     * leaves them, so that a kernel reloading a segment register before
     * its own lgdt keeps the same flat segments. */
    cpu->seg[R_CS].selector = MULTIBOOT_CODE_SEL;
    cpu->seg[R_DS].selector = MULTIBOOT_DATA_SEL;
    cpu->seg[R_ES].selector = MULTIBOOT_DATA_SEL;
    cpu->seg[R_FS].selector = MULTIBOOT_DATA_SEL;
    cpu->seg[R_GS].selector = MULTIBOOT_DATA_SEL;
    cpu->seg[R_SS].selector = MULTIBOOT_DATA_SEL;
    cpu->gdt.base = boot->gdt_base;
    cpu->gdt.limit = boot->gdt_limit;
    cpu->regs[R_EAX] = MULTIBOOT_BOOTLOADER_MAGIC;
    cpu->regs[R_EBX] = boot->info_addr;
    cpu->eip = boot->entry;
    cpu_update_hflags(cpu);
    tlb_flush(cpu); /* the A20 mask may have changed */
}

int multiboot_load(Machine *m, const char *kernel, const char *append,
                   const char *initrd, char *err, size_t errlen)
{
    MultibootBoot boot;

    if (multiboot_load_image(m->as, kernel, append, initrd, &boot, err,
                             errlen) != 0) {
        return -1;
    }
    multiboot_enter(m, &boot);
    return 0;
}
