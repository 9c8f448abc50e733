/*
 * Helpers for the multiboot and PC board tests: temporary files, and a
 * builder for ELF32 and a.out-kludge multiboot images made at test time.
 * Header-only so that each test program stays self-contained.
 */
#ifndef TESTS_UNIT_MB_IMAGE_H
#define TESTS_UNIT_MB_IMAGE_H

#include <check.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/multiboot.h"
#include "memory/memory.h"

#define MiB (1024 * 1024)
#define RAM (16 * MiB)

/* ---- temporary files ------------------------------------------------------
 */

typedef struct Tmp {
    char dir[64];
    char paths[16][128];
    unsigned n;
} Tmp;

static inline void tmp_init(Tmp *t)
{
    strcpy(t->dir, "/tmp/test-multiboot-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(t->dir));
    t->n = 0;
}

static inline const char *tmp_file(Tmp *t, const char *name, const void *data,
                                   size_t len)
{
    char *p = t->paths[t->n++];
    char tmp[sizeof(t->paths[0])];
    FILE *f;

    snprintf(tmp, sizeof(tmp), "%s/%s", t->dir, name);
    strcpy(p, tmp);
    f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
    return p;
}

static inline void tmp_done(Tmp *t)
{
    for (unsigned i = 0; i < t->n; i++) {
        unlink(t->paths[i]);
    }
    rmdir(t->dir);
}

/* ---- image builder ---------------------------------------------------------
 */

typedef struct Img {
    uint8_t buf[64 * 1024];
    size_t len;
} Img;

static inline void img_put(Img *im, size_t off, const void *data, size_t n)
{
    ck_assert_uint_le(off + n, sizeof(im->buf));
    memcpy(im->buf + off, data, n);
    if (off + n > im->len) {
        im->len = off + n;
    }
}

static inline void img_put32(Img *im, size_t off, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
                    (uint8_t)(v >> 24)};
    img_put(im, off, b, 4);
}

static inline void img_fill(Img *im, size_t off, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t b = (uint8_t)(seed + i * 3);
        img_put(im, off + i, &b, 1);
    }
}

static inline void mb_header(Img *im, size_t off, uint32_t flags)
{
    img_put32(im, off, MULTIBOOT_HEADER_MAGIC);
    img_put32(im, off + 4, flags);
    img_put32(im, off + 8, -(MULTIBOOT_HEADER_MAGIC + flags));
}

static inline void mb_kludge(Img *im, size_t off, uint32_t header_addr,
                             uint32_t load_addr, uint32_t load_end,
                             uint32_t bss_end, uint32_t entry)
{
    mb_header(im, off, 0x00010003);
    img_put32(im, off + 12, header_addr);
    img_put32(im, off + 16, load_addr);
    img_put32(im, off + 20, load_end);
    img_put32(im, off + 24, bss_end);
    img_put32(im, off + 28, entry);
}

static inline void elf_header(Img *im, uint32_t entry, unsigned phnum)
{
    Elf32_Ehdr eh;

    memset(&eh, 0, sizeof(eh));
    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS32;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = ET_EXEC;
    eh.e_machine = EM_386;
    eh.e_version = EV_CURRENT;
    eh.e_entry = entry;
    eh.e_phoff = sizeof(eh);
    eh.e_ehsize = sizeof(eh);
    eh.e_phentsize = sizeof(Elf32_Phdr);
    eh.e_phnum = (Elf32_Half)phnum;
    img_put(im, 0, &eh, sizeof(eh));
}

static inline void elf_phdr(Img *im, unsigned i, uint32_t type, uint32_t offset,
                            uint32_t vaddr, uint32_t paddr, uint32_t filesz,
                            uint32_t memsz)
{
    Elf32_Phdr ph;

    memset(&ph, 0, sizeof(ph));
    ph.p_type = type;
    ph.p_offset = offset;
    ph.p_vaddr = vaddr;
    ph.p_paddr = paddr;
    ph.p_filesz = filesz;
    ph.p_memsz = memsz;
    ph.p_flags = PF_R | PF_X;
    ph.p_align = 0x1000;
    img_put(im, sizeof(Elf32_Ehdr) + i * sizeof(ph), &ph, sizeof(ph));
}

/*
 * The standard test kernel: text at 0x100000 (0x40 bytes), data at
 * 0x101000 (0x10 bytes of file, 0x2000 in memory), the multiboot header
 * at file offset 0x100 (after the program headers), entry 0x100010.
 */
static inline void std_elf(Img *im)
{
    memset(im, 0, sizeof(*im));
    elf_header(im, 0x100010, 3);
    elf_phdr(im, 0, PT_LOAD, 0x1000, 0x100000, 0x100000, 0x40, 0x40);
    elf_phdr(im, 1, PT_NOTE, 0x100, 0, 0, 12, 12);
    elf_phdr(im, 2, PT_LOAD, 0x2000, 0x101000, 0x101000, 0x10, 0x2000);
    mb_header(im, 0x100, 0x00000003);
    img_fill(im, 0x1000, 0x40, 0x11);
    img_fill(im, 0x2000, 0x10, 0x77);
}

/* ---- guest memory readers ------------------------------------------------ */

static inline uint32_t rd32(AddressSpace *as, uint32_t a)
{
    return as_read(as, a, 4);
}

static inline void rdstr(AddressSpace *as, uint32_t a, char *buf, size_t len)
{
    as_read_buf(as, a, buf, (uint32_t)len);
    buf[len - 1] = 0;
}

static inline uint64_t rd64(AddressSpace *as, uint32_t a)
{
    return rd32(as, a) | (uint64_t)rd32(as, a + 4) << 32;
}

#endif
