/*
 * Multiboot v1 loader (Multiboot Specification 0.6.96), with QEMU's
 * conventions for the command line and -initrd modules.
 *
 * Guest physical layout it produces:
 *   0x9000 ... < 0x9fc00   boot information: the structure, memory map,
 *                          module list, strings
 *   0xf0000 (ROM page)     a flat GDT: null, code 0x08, data 0x10
 *   kernel                 where its ELF program headers (physical
 *                          addresses) or a.out-kludge fields put it
 *   modules                page-aligned after the kernel, at or above 1 MiB
 */
#ifndef DEVICES_MULTIBOOT_H
#define DEVICES_MULTIBOOT_H

#include <stddef.h>
#include <stdint.h>

#include "memory/memory.h"
#include "translate/machine.h"

#define MULTIBOOT_HEADER_MAGIC 0x1BADB002u
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002u
#define MULTIBOOT_SEARCH 8192

#define MULTIBOOT_INFO_ADDR 0x9000u
#define MULTIBOOT_INFO_LIMIT 0x9fc00u /* info must end at or below this */
#define MULTIBOOT_GDT_ADDR 0xf0000u
#define MULTIBOOT_GDT_ROM_SIZE 0x1000u
#define MULTIBOOT_CODE_SEL 0x08
#define MULTIBOOT_DATA_SEL 0x10

/* Boot information flags (spec 3.3). */
#define MULTIBOOT_INFO_MEMORY 0x001u
#define MULTIBOOT_INFO_CMDLINE 0x004u
#define MULTIBOOT_INFO_MODS 0x008u
#define MULTIBOOT_INFO_MMAP 0x040u
#define MULTIBOOT_INFO_LOADER_NAME 0x200u

/* Memory map entry types (spec 3.3). */
#define MULTIBOOT_MEMORY_AVAILABLE 1u
#define MULTIBOOT_MEMORY_RESERVED 2u

/* What the loader leaves for the CPU's entry state. */
typedef struct MultibootBoot {
    uint32_t entry;     /* EIP */
    uint32_t info_addr; /* EBX */
    uint32_t info_size; /* bytes at info_addr */
    uint32_t gdt_base;
    uint16_t gdt_limit;
    uint32_t kernel_start; /* lowest loaded address */
    uint32_t kernel_end;   /* end of the highest segment (bss included) */
    uint32_t mods_end;     /* end of the last module, or kernel_end */
} MultibootBoot;

/*
 * Load KERNEL (and the modules in INITRD: QEMU's "FILE[ ARGS][,FILE...]",
 * ",," for a comma) into AS, write the boot information and map the GDT
 * ROM.  APPEND may be NULL.  Everything is checked before the first byte
 * is written.  0, or -1 with one line "FILE: problem" in ERR (the program
 * puts its name before it).
 */
int multiboot_load_image(AddressSpace *as, const char *kernel,
                         const char *append, const char *initrd,
                         MultibootBoot *boot, char *err, size_t errlen);

/* Map the ROM page at MULTIBOOT_GDT_ADDR holding the flat GDT (null,
 * code 0x08, data 0x10); -1 if the address is taken.  Called by
 * multiboot_load_image(). */
int multiboot_add_gdt_rom(AddressSpace *as);

/* The same for a kernel already in memory (the built-in demo guest):
 * IMAGE/SIZE are its bytes, NAME what messages and the command line call
 * it. */
int multiboot_load_memory(AddressSpace *as, const char *name, const void *image,
                          size_t size, const char *append, const char *initrd,
                          MultibootBoot *boot, char *err, size_t errlen);

/* Call FN with the file name of each module in INITRD (as above; NULL or
 * "" for none), as the loader will open it; stops at the first non-zero
 * return, which it returns (-1 when out of memory). */
int multiboot_module_paths(const char *initrd,
                           int (*fn)(const char *path, void *opaque),
                           void *opaque);

/* Put M's CPU in the state of spec 3.2 for BOOT. */
void multiboot_enter(Machine *m, const MultibootBoot *boot);

/* Both of the above on M. */
int multiboot_load(Machine *m, const char *kernel, const char *append,
                   const char *initrd, char *err, size_t errlen);

#endif
