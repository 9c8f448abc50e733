/*
 * Multiboot v1 loader (Multiboot Specification 0.6.96, "spec" below).
 *
 * Loading happens in two passes: the first reads headers and checks every
 * range (file bounds, RAM, the legacy hole, the boot information area,
 * other segments, module placement); the second writes guest memory.  A
 * kernel that fails any check leaves the guest untouched.  Guest memory is
 * written with as_write_buf() so that code pages are invalidated.
 *
 * The file is read with pread() as the segments need it; it is never held
 * whole, so a large file costs no host memory beyond a copy buffer.  No
 * size a header gives is trusted: what is allocated or read is bounded by
 * what is used (the Elf32_Phdr of each program header entry, not its
 * e_phentsize; each module's command line, not the rest of the list), by
 * the file's size, or by the guest's RAM and boot information area.  The
 * loader reads no section headers.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/host-file.h"
#include "devices/multiboot.h"

/* Header flags (spec 3.1.2).  Bits 0-15 are requirements: a loader that
 * does not understand one that is set must refuse the image. */
#define MBH_PAGE_ALIGN 0x00000001u
#define MBH_MEMORY_INFO 0x00000002u
#define MBH_VIDEO_MODE 0x00000004u
#define MBH_AOUT_KLUDGE 0x00010000u
/* Bit 2 (video mode) is accepted and ignored, as QEMU does: the kernel
 * gets no video information and must not rely on it. */
#define MBH_SUPPORTED_REQUIRED                                                 \
    (MBH_PAGE_ALIGN | MBH_MEMORY_INFO | MBH_VIDEO_MODE)

#define MB_HEADER_SIZE 12
#define MB_KLUDGE_HEADER_SIZE 32

/* Boot information layout (spec 3.3), offsets from MULTIBOOT_INFO_ADDR. */
#define MBI_FLAGS 0
#define MBI_MEM_LOWER 4
#define MBI_MEM_UPPER 8
#define MBI_CMDLINE 16
#define MBI_MODS_COUNT 20
#define MBI_MODS_ADDR 24
#define MBI_MMAP_LENGTH 44
#define MBI_MMAP_ADDR 48
#define MBI_LOADER_NAME 64
#define MBI_SIZE 116 /* through the framebuffer fields of 0.6.96 */
#define MBI_MMAP_OFFSET ((MBI_SIZE + 7) & ~7)
#define MB_MMAP_ENTRY_SIZE 24 /* size field + base + length + type */
#define MB_MMAP_ENTRIES 4
#define MB_MOD_ENTRY_SIZE 16

#define MB_LOW_RESERVED 0x9fc00u /* EBDA: reserved up to the hole */
#define MB_HOLE_START 0xa0000u
#define MB_BIOS_START 0xf0000u
#define MB_HIGH_START 0x100000u

#define MB_LOADER_NAME "softvisor"
#define MB_COPY_CHUNK (64 * 1024)

#define PAGE_ALIGN_UP(x) (((x) + 0xfffull) & ~0xfffull)

typedef struct MbSegment {
    unsigned index; /* program header number, for messages */
    uint32_t paddr;
    uint32_t vaddr;
    uint64_t offset;
    uint32_t filesz;
    uint32_t memsz;
} MbSegment;

typedef struct MbModule {
    char *cmdline; /* "FILE ARGS" as given */
    char *path;    /* FILE */
    uint32_t size;
    uint32_t addr;
} MbModule;

typedef struct MbLoad {
    AddressSpace *as;
    const char *path;
    const uint8_t *image; /* the kernel's bytes, when not in a file */
    int fd;
    uint64_t file_size;
    uint32_t ram_size;
    char *err;
    size_t errlen;

    uint32_t flags;
    MbSegment *segs;
    unsigned nsegs;
    uint32_t entry;

    char *cmdline;
    MbModule *mods;
    unsigned nmods;
    uint32_t info_size;
} MbLoad;

static int __attribute__((format(printf, 3, 4)))
mb_fail(MbLoad *ld, const char *file, const char *fmt, ...)
{
    char msg[HOST_FILE_ERR_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (file) {
        snprintf(ld->err, ld->errlen, "%s: %s", file, msg);
    } else {
        snprintf(ld->err, ld->errlen, "%s", msg);
    }
    return -1;
}

static uint32_t ld32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static void st32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void st64(uint8_t *p, uint64_t v)
{
    st32(p, (uint32_t)v);
    st32(p + 4, (uint32_t)(v >> 32));
}

/* ---- files ------------------------------------------------------------- */

/* Open PATH for reading, with its size; -1 with the error in LD. */
static int mb_open(MbLoad *ld, const char *path, int *fd, uint64_t *size)
{
    char err[HOST_FILE_ERR_MAX];

    *fd = host_file_open(path, HOST_FILE_READ, size, err, sizeof(err));
    if (*fd < 0) {
        /* ERR already names the file. */
        return mb_fail(ld, NULL, "%s", err);
    }
    return 0;
}

/* Read exactly LEN bytes at OFFSET; -1 (error in LD) if the file is
 * shorter than it said or cannot be read. */
static int mb_pread(MbLoad *ld, const char *path, int fd, void *buf, size_t len,
                    uint64_t offset)
{
    uint8_t *p = buf;

    if (fd < 0 && ld->image) {
        /* Callers check offsets against file_size first. */
        memcpy(buf, ld->image + offset, len);
        return 0;
    }
    while (len) {
        ssize_t n = pread(fd, p, len, (off_t)offset);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return mb_fail(ld, path, "%s", strerror(errno));
        }
        if (n == 0) {
            return mb_fail(ld, path, "file shrank while loading");
        }
        p += n;
        len -= (size_t)n;
        offset += (uint64_t)n;
    }
    return 0;
}

/* Copy LEN file bytes at OFFSET to guest PADDR. */
static int mb_copy_to_guest(MbLoad *ld, const char *path, int fd,
                            uint64_t offset, uint32_t paddr, uint32_t len,
                            uint8_t *buf)
{
    while (len) {
        uint32_t n = len < MB_COPY_CHUNK ? len : MB_COPY_CHUNK;
        if (mb_pread(ld, path, fd, buf, n, offset) != 0) {
            return -1;
        }
        as_write_buf(ld->as, paddr, buf, n);
        offset += n;
        paddr += n;
        len -= n;
    }
    return 0;
}

static void mb_zero_guest(MbLoad *ld, uint32_t paddr, uint32_t len,
                          uint8_t *buf)
{
    /* Only what is used: 65535 one-byte segments must not clear 4 GB. */
    memset(buf, 0, len < MB_COPY_CHUNK ? len : MB_COPY_CHUNK);
    while (len) {
        uint32_t n = len < MB_COPY_CHUNK ? len : MB_COPY_CHUNK;
        as_write_buf(ld->as, paddr, buf, n);
        paddr += n;
        len -= n;
    }
}

/* ---- header (spec 3.1) ------------------------------------------------- */

/*
 * Find the header: 32-bit aligned, wholly inside the first 8192 bytes,
 * magic + flags + checksum == 0 (mod 2^32).  Like GRUB and QEMU, a magic
 * with a bad checksum is skipped; it is only reported if no good header
 * follows.  Returns the header's offset or -1.
 */
static long mb_find_header(MbLoad *ld, uint8_t *head, size_t len)
{
    long bad = -1;

    for (size_t off = 0; off + MB_HEADER_SIZE <= len; off += 4) {
        if (ld32(head + off) != MULTIBOOT_HEADER_MAGIC) {
            continue;
        }
        uint32_t sum = MULTIBOOT_HEADER_MAGIC + ld32(head + off + 4) +
                       ld32(head + off + 8);
        if (sum == 0) {
            return (long)off;
        }
        if (bad < 0) {
            bad = (long)off;
        }
    }
    if (bad >= 0) {
        return mb_fail(ld, ld->path,
                       "bad multiboot header checksum at offset 0x%lx", bad);
    }
    return mb_fail(ld, ld->path,
                   "not a multiboot image (no header in the first %d bytes)",
                   MULTIBOOT_SEARCH);
}

/* The a.out kludge (spec 3.1.3): the header's address fields say where
 * the image goes. */
static int mb_parse_kludge(MbLoad *ld, const uint8_t *h, uint32_t hoff)
{
    uint32_t header_addr = ld32(h + 12), load_addr = ld32(h + 16);
    uint32_t load_end = ld32(h + 20), bss_end = ld32(h + 24);
    uint32_t entry = ld32(h + 28);
    uint64_t offset, filesz, memsz;

    if (header_addr < load_addr) {
        return mb_fail(ld, ld->path,
                       "header_addr 0x%x is below load_addr "
                       "0x%x",
                       header_addr, load_addr);
    }
    if (header_addr - load_addr > hoff) {
        return mb_fail(ld, ld->path,
                       "load_addr 0x%x is before the start of "
                       "the file",
                       load_addr);
    }
    offset = hoff - (header_addr - load_addr);
    if (load_end == 0) {
        filesz = ld->file_size - offset;
    } else if (load_end < load_addr) {
        return mb_fail(ld, ld->path,
                       "load_end_addr 0x%x is below load_addr "
                       "0x%x",
                       load_end, load_addr);
    } else {
        filesz = load_end - load_addr;
    }
    if (offset + filesz > ld->file_size) {
        return mb_fail(ld, ld->path,
                       "truncated: load_addr..load_end_addr "
                       "needs 0x%llx bytes from file offset 0x%llx, the file "
                       "has 0x%llx",
                       (unsigned long long)filesz, (unsigned long long)offset,
                       (unsigned long long)ld->file_size);
    }
    memsz = filesz;
    if (bss_end != 0) {
        if (bss_end < load_addr + filesz) {
            return mb_fail(ld, ld->path,
                           "bss_end_addr 0x%x is below the end "
                           "of the loaded image 0x%llx",
                           bss_end, (unsigned long long)(load_addr + filesz));
        }
        memsz = bss_end - load_addr;
    }
    if (load_addr + memsz > ld->ram_size) {
        return mb_fail(ld, ld->path,
                       "image 0x%x-0x%llx is outside RAM "
                       "(0x%x bytes)",
                       load_addr, (unsigned long long)(load_addr + memsz),
                       ld->ram_size);
    }
    ld->segs = calloc(1, sizeof(MbSegment));
    if (!ld->segs) {
        return mb_fail(ld, ld->path, "%s", strerror(ENOMEM));
    }
    ld->segs[0] = (MbSegment){0,      load_addr,        load_addr,
                              offset, (uint32_t)filesz, (uint32_t)memsz};
    ld->nsegs = 1;
    ld->entry = entry;
    return 0;
}

/* ---- ELF (spec 3.1.3: "the loader uses the ELF program headers") ------- */

static int mb_parse_elf(MbLoad *ld)
{
    Elf32_Ehdr eh;
    uint64_t phsize;
    int ret = 0;

    if (ld->file_size < sizeof(eh) ||
        mb_pread(ld, ld->path, ld->fd, &eh, sizeof(eh), 0) != 0 ||
        memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) {
        return mb_fail(ld, ld->path,
                       "not an ELF image and no a.out kludge "
                       "(header flag bit 16)");
    }
    if (eh.e_ident[EI_CLASS] != ELFCLASS32 ||
        eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != EM_386) {
        return mb_fail(ld, ld->path,
                       "not a 32-bit little-endian i386 ELF "
                       "image");
    }
    if (eh.e_type != ET_EXEC) {
        return mb_fail(ld, ld->path, "not an ELF executable (e_type %u)",
                       eh.e_type);
    }
    if (eh.e_phnum == 0 || eh.e_phentsize < sizeof(Elf32_Phdr)) {
        return mb_fail(ld, ld->path, "no usable ELF program headers");
    }
    phsize = (uint64_t)eh.e_phnum * eh.e_phentsize;
    if (eh.e_phoff + phsize > ld->file_size) {
        return mb_fail(ld, ld->path,
                       "truncated: program headers end past "
                       "the end of the file");
    }
    /* At most 65535 entries of 28 bytes, whatever e_phentsize says: only
     * the Elf32_Phdr at the start of each entry is read, never the
     * padding a hostile e_phentsize puts between them. */
    ld->segs = calloc(eh.e_phnum, sizeof(MbSegment));
    if (!ld->segs) {
        return mb_fail(ld, ld->path, "%s", strerror(ENOMEM));
    }
    for (unsigned i = 0; i < eh.e_phnum && ret == 0; i++) {
        Elf32_Phdr p;

        ret = mb_pread(ld, ld->path, ld->fd, &p, sizeof(p),
                       eh.e_phoff + (uint64_t)i * eh.e_phentsize);
        if (ret != 0 || p.p_type != PT_LOAD || p.p_memsz == 0) {
            continue;
        }
        if (p.p_filesz > p.p_memsz) {
            ret = mb_fail(ld, ld->path,
                          "segment %u: file size 0x%x is "
                          "larger than its memory size 0x%x",
                          i, p.p_filesz, p.p_memsz);
        } else if ((uint64_t)p.p_offset + p.p_filesz > ld->file_size) {
            ret = mb_fail(ld, ld->path,
                          "truncated: segment %u needs file "
                          "bytes 0x%x-0x%llx, the file has 0x%llx",
                          i, p.p_offset,
                          (unsigned long long)p.p_offset + p.p_filesz,
                          (unsigned long long)ld->file_size);
        } else {
            ld->segs[ld->nsegs++] = (MbSegment){
                i, p.p_paddr, p.p_vaddr, p.p_offset, p.p_filesz, p.p_memsz};
        }
    }
    if (ret != 0) {
        return ret;
    }
    if (ld->nsegs == 0) {
        return mb_fail(ld, ld->path, "no loadable ELF segments");
    }
    /* A higher-half kernel links its entry point at a virtual address;
     * like GRUB, translate it through the segment that holds it. */
    for (unsigned i = 0; i < ld->nsegs; i++) {
        const MbSegment *s = &ld->segs[i];
        if (eh.e_entry - s->vaddr < s->memsz) {
            ld->entry = eh.e_entry - s->vaddr + s->paddr;
            return 0;
        }
    }
    ld->entry = eh.e_entry;
    return 0;
}

/* ---- checks ------------------------------------------------------------ */

static bool overlaps(uint64_t a, uint64_t a_end, uint64_t b, uint64_t b_end)
{
    return a < b_end && b < a_end;
}

/* Order by address, then by program header number. */
static int mb_segment_cmp(const void *a, const void *b)
{
    const MbSegment *s = a, *t = b;

    if (s->paddr != t->paddr) {
        return s->paddr < t->paddr ? -1 : 1;
    }
    return s->index < t->index ? -1 : s->index > t->index;
}

static int mb_check_segments(MbLoad *ld)
{
    uint64_t info_end = (uint64_t)MULTIBOOT_INFO_ADDR + ld->info_size;
    bool entry_ok = false;

    for (unsigned i = 0; i < ld->nsegs; i++) {
        const MbSegment *s = &ld->segs[i];
        uint64_t end = (uint64_t)s->paddr + s->memsz;

        if (end > ld->ram_size) {
            return mb_fail(ld, ld->path,
                           "segment %u at 0x%x-0x%llx is "
                           "outside RAM (0x%x bytes)",
                           s->index, s->paddr, (unsigned long long)end,
                           ld->ram_size);
        }
        if (overlaps(s->paddr, end, MB_LOW_RESERVED, MB_HIGH_START)) {
            return mb_fail(ld, ld->path,
                           "segment %u at 0x%x-0x%llx is in "
                           "the reserved area and legacy hole 0x%x-0x%x",
                           s->index, s->paddr, (unsigned long long)end,
                           MB_LOW_RESERVED, MB_HIGH_START);
        }
        if (overlaps(s->paddr, end, MULTIBOOT_INFO_ADDR, info_end)) {
            return mb_fail(ld, ld->path,
                           "segment %u at 0x%x-0x%llx overlaps "
                           "the multiboot information at 0x%x-0x%llx",
                           s->index, s->paddr, (unsigned long long)end,
                           MULTIBOOT_INFO_ADDR, (unsigned long long)info_end);
        }
        if (ld->entry - s->paddr < s->memsz) {
            entry_ok = true;
        }
    }
    if (!entry_ok) {
        return mb_fail(ld, ld->path,
                       "entry point 0x%x is outside the loaded "
                       "segments",
                       ld->entry);
    }
    /* Sorted by address, two segments overlap only if two neighbours do:
     * n log n, where comparing every pair would let 65535 headers keep
     * the main loop busy for seconds.  Loading does not depend on the
     * order. */
    qsort(ld->segs, ld->nsegs, sizeof(MbSegment), mb_segment_cmp);
    for (unsigned i = 1; i < ld->nsegs; i++) {
        const MbSegment *s = &ld->segs[i - 1], *t = &ld->segs[i];
        uint64_t s_end = (uint64_t)s->paddr + s->memsz;
        const MbSegment *hi = s->index > t->index ? s : t;
        const MbSegment *lo = s->index > t->index ? t : s;

        if (t->paddr < s_end) {
            return mb_fail(ld, ld->path,
                           "segment %u at 0x%x-0x%llx "
                           "overlaps segment %u at 0x%x-0x%llx",
                           hi->index, hi->paddr,
                           (unsigned long long)hi->paddr + hi->memsz, lo->index,
                           lo->paddr,
                           (unsigned long long)lo->paddr + lo->memsz);
        }
    }
    return 0;
}

/* ---- modules (QEMU's -initrd syntax) ----------------------------------- */

/*
 * One item of "FILE[ ARGS][,FILE[ ARGS]...]", split at single commas;
 * ",," stands for a comma.  The item is a module's command line; its file
 * name is the part before the first space.  Sets *CMDLINE and *PATH
 * (malloc'd; NULL when out of memory) and returns where the next item
 * starts, or NULL after the last.
 */
static const char *mb_next_module(const char *p, char **cmdline, char **path)
{
    size_t n = 0;
    char *q, *space;

    /* The item's length first: sizing each item by the rest of the list
     * would cost memory quadratic in the list's length. */
    for (const char *e = p; *e && !(e[0] == ',' && e[1] != ',');
         e += e[0] == ',' ? 2 : 1) {
        n++;
    }
    *path = NULL;
    *cmdline = q = malloc(n + 1);
    if (q) {
        for (; *p && !(p[0] == ',' && p[1] != ','); p++) {
            if (p[0] == ',') {
                p++; /* ",," */
            }
            *q++ = *p;
        }
        *q = '\0';
        space = strchr(*cmdline, ' ');
        *path = space ? strndup(*cmdline, (size_t)(space - *cmdline))
                      : strdup(*cmdline);
    } else {
        p += strlen(p);
    }
    return *p == ',' ? p + 1 : NULL;
}

int multiboot_module_paths(const char *initrd,
                           int (*fn)(const char *path, void *opaque),
                           void *opaque)
{
    const char *p = initrd && *initrd ? initrd : NULL;
    int ret = 0;

    while (p && ret == 0) {
        char *cmdline, *path;

        p = mb_next_module(p, &cmdline, &path);
        ret = path ? fn(path, opaque) : -1;
        free(cmdline);
        free(path);
    }
    return ret;
}

static int mb_parse_modules(MbLoad *ld, const char *list)
{
    size_t cap = 0;
    const char *p = list;

    while (p) {
        MbModule *m;

        if (ld->nmods == cap) {
            size_t ncap = cap ? cap * 2 : 4;
            MbModule *nm = realloc(ld->mods, ncap * sizeof(MbModule));
            if (!nm) {
                return mb_fail(ld, ld->path, "%s", strerror(ENOMEM));
            }
            ld->mods = nm;
            cap = ncap;
        }
        m = &ld->mods[ld->nmods++];
        memset(m, 0, sizeof(*m));
        p = mb_next_module(p, &m->cmdline, &m->path);
        if (!m->path) {
            return mb_fail(ld, ld->path, "%s", strerror(ENOMEM));
        }
    }
    return 0;
}

/*
 * Give every module a page-aligned place after the kernel.  Each file is
 * open only while it is looked at, here and again when it is copied: a
 * list of thousands of modules must not take as many descriptors.
 */
static int mb_place_modules(MbLoad *ld, uint32_t kernel_end)
{
    uint64_t addr =
        PAGE_ALIGN_UP(kernel_end > MB_HIGH_START ? kernel_end : MB_HIGH_START);

    for (unsigned i = 0; i < ld->nmods; i++) {
        MbModule *m = &ld->mods[i];
        uint64_t size;
        int fd;

        if (mb_open(ld, m->path, &fd, &size) != 0) {
            return -1;
        }
        close(fd);
        if (addr + size > ld->ram_size) {
            return mb_fail(ld, m->path,
                           "module does not fit in RAM (it "
                           "would end at 0x%llx, RAM ends at 0x%x)",
                           (unsigned long long)(addr + size), ld->ram_size);
        }
        m->addr = (uint32_t)addr;
        m->size = (uint32_t)size;
        addr = PAGE_ALIGN_UP(addr + size);
    }
    return 0;
}

/* Copy module M to its place; it must still have the size it was placed
 * with. */
static int mb_copy_module(MbLoad *ld, const MbModule *m, uint8_t *buf)
{
    uint64_t size;
    int fd, ret;

    if (mb_open(ld, m->path, &fd, &size) != 0) {
        return -1;
    }
    if (size != m->size) {
        ret = mb_fail(ld, m->path, "file changed while loading");
    } else {
        ret = mb_copy_to_guest(ld, m->path, fd, 0, m->addr, m->size, buf);
    }
    close(fd);
    return ret;
}

/* ---- boot information (spec 3.3) -------------------------------------- */

static uint32_t mb_info_size(const MbLoad *ld)
{
    uint64_t size = MBI_MMAP_OFFSET + MB_MMAP_ENTRIES * MB_MMAP_ENTRY_SIZE +
                    (uint64_t)ld->nmods * MB_MOD_ENTRY_SIZE +
                    sizeof(MB_LOADER_NAME) + strlen(ld->cmdline) + 1;

    for (unsigned i = 0; i < ld->nmods; i++) {
        size += strlen(ld->mods[i].cmdline) + 1;
    }
    return size > 0xffffffffull ? 0xffffffffu : (uint32_t)size;
}

static uint8_t *mb_mmap_entry(uint8_t *p, uint64_t base, uint64_t end,
                              uint32_t type)
{
    /* 'size' counts the entry without itself (spec 3.3). */
    st32(p, MB_MMAP_ENTRY_SIZE - 4);
    st64(p + 4, base);
    st64(p + 12, end > base ? end - base : 0);
    st32(p + 20, type);
    return p + MB_MMAP_ENTRY_SIZE;
}

static int mb_write_info(MbLoad *ld)
{
    uint32_t base = MULTIBOOT_INFO_ADDR, ram = ld->ram_size;
    uint8_t *buf = calloc(1, ld->info_size), *p;
    uint32_t mods = MBI_MMAP_OFFSET + MB_MMAP_ENTRIES * MB_MMAP_ENTRY_SIZE;
    uint32_t str = mods + ld->nmods * MB_MOD_ENTRY_SIZE;

    if (!buf) {
        return mb_fail(ld, ld->path, "%s", strerror(ENOMEM));
    }
    st32(buf + MBI_FLAGS, MULTIBOOT_INFO_MEMORY | MULTIBOOT_INFO_CMDLINE |
                              MULTIBOOT_INFO_MODS | MULTIBOOT_INFO_MMAP |
                              MULTIBOOT_INFO_LOADER_NAME);
    /* mem_lower: KiB from 0 (at most 640); mem_upper: KiB from 1 MiB to
     * the first hole, i.e. to the end of RAM here. */
    st32(buf + MBI_MEM_LOWER, ram < 0xa0000 ? ram / 1024 : 640);
    st32(buf + MBI_MEM_UPPER,
         ram > MB_HIGH_START ? (ram - MB_HIGH_START) / 1024 : 0);

    /* The memory map QEMU's BIOS reports for a PC without ACPI tables. */
    p = buf + MBI_MMAP_OFFSET;
    p = mb_mmap_entry(p, 0, ram < MB_LOW_RESERVED ? ram : MB_LOW_RESERVED,
                      MULTIBOOT_MEMORY_AVAILABLE);
    p = mb_mmap_entry(p, MB_LOW_RESERVED, MB_HOLE_START,
                      MULTIBOOT_MEMORY_RESERVED);
    p = mb_mmap_entry(p, MB_BIOS_START, MB_HIGH_START,
                      MULTIBOOT_MEMORY_RESERVED);
    mb_mmap_entry(p, MB_HIGH_START, ram > MB_HIGH_START ? ram : MB_HIGH_START,
                  MULTIBOOT_MEMORY_AVAILABLE);
    st32(buf + MBI_MMAP_ADDR, base + MBI_MMAP_OFFSET);
    st32(buf + MBI_MMAP_LENGTH, MB_MMAP_ENTRIES * MB_MMAP_ENTRY_SIZE);

    st32(buf + MBI_LOADER_NAME, base + str);
    memcpy(buf + str, MB_LOADER_NAME, sizeof(MB_LOADER_NAME));
    str += sizeof(MB_LOADER_NAME);

    st32(buf + MBI_CMDLINE, base + str);
    memcpy(buf + str, ld->cmdline, strlen(ld->cmdline) + 1);
    str += strlen(ld->cmdline) + 1;

    st32(buf + MBI_MODS_COUNT, ld->nmods);
    st32(buf + MBI_MODS_ADDR, base + mods);
    for (unsigned i = 0; i < ld->nmods; i++) {
        const MbModule *m = &ld->mods[i];
        uint8_t *e = buf + mods + i * MB_MOD_ENTRY_SIZE;
        size_t n = strlen(m->cmdline) + 1;

        st32(e, m->addr);
        st32(e + 4, m->addr + m->size); /* one past the end, as GRUB */
        st32(e + 8, base + str);
        memcpy(buf + str, m->cmdline, n);
        str += (uint32_t)n;
    }
    as_write_buf(ld->as, base, buf, ld->info_size);
    free(buf);
    return 0;
}

static int mb_map_gdt(MbLoad *ld)
{
    if (multiboot_add_gdt_rom(ld->as) != 0) {
        return mb_fail(ld, ld->path,
                       "cannot map the GDT ROM at 0x%x: the "
                       "address is taken",
                       MULTIBOOT_GDT_ADDR);
    }
    return 0;
}

/* ---- loading ----------------------------------------------------------- */

/* Copy the segments (zeroing their bss) and the modules into the guest. */
static int mb_write_image(MbLoad *ld)
{
    uint8_t *buf = malloc(MB_COPY_CHUNK);
    int ret = 0;

    if (!buf) {
        return mb_fail(ld, ld->path, "%s", strerror(ENOMEM));
    }
    for (unsigned i = 0; i < ld->nsegs && ret == 0; i++) {
        const MbSegment *s = &ld->segs[i];
        ret = mb_copy_to_guest(ld, ld->path, ld->fd, s->offset, s->paddr,
                               s->filesz, buf);
        mb_zero_guest(ld, s->paddr + s->filesz, s->memsz - s->filesz, buf);
    }
    for (unsigned i = 0; i < ld->nmods && ret == 0; i++) {
        ret = mb_copy_module(ld, &ld->mods[i], buf);
    }
    free(buf);
    return ret;
}

static int mb_load(MbLoad *ld, const char *append, const char *initrd,
                   MultibootBoot *boot)
{
    uint8_t head[MULTIBOOT_SEARCH];
    size_t head_len;
    long hoff;
    uint32_t kstart = 0xffffffffu, kend = 0;

    if (!ld->image && mb_open(ld, ld->path, &ld->fd, &ld->file_size) != 0) {
        return -1;
    }
    head_len =
        ld->file_size < sizeof(head) ? (size_t)ld->file_size : sizeof(head);
    if (mb_pread(ld, ld->path, ld->fd, head, head_len, 0) != 0) {
        return -1;
    }
    hoff = mb_find_header(ld, head, head_len);
    if (hoff < 0) {
        return -1;
    }
    ld->flags = ld32(head + hoff + 4);
    if (ld->flags & 0xffffu & ~MBH_SUPPORTED_REQUIRED) {
        return mb_fail(ld, ld->path,
                       "multiboot header requires unsupported "
                       "features (flags 0x%x)",
                       ld->flags);
    }

    /* QEMU passes "KERNEL APPEND", with the space even if APPEND is empty. */
    if (asprintf(&ld->cmdline, "%s %s", ld->path, append ? append : "") < 0) {
        ld->cmdline = NULL;
        return mb_fail(ld, ld->path, "%s", strerror(ENOMEM));
    }
    if (initrd && *initrd && mb_parse_modules(ld, initrd) != 0) {
        return -1;
    }
    ld->info_size = mb_info_size(ld);
    if ((uint64_t)MULTIBOOT_INFO_ADDR + ld->info_size >
        (ld->ram_size < MULTIBOOT_INFO_LIMIT ? ld->ram_size
                                             : MULTIBOOT_INFO_LIMIT)) {
        return mb_fail(ld, ld->path,
                       "no room for the multiboot information "
                       "(0x%x bytes at 0x%x): command lines too long or RAM "
                       "too small",
                       ld->info_size, MULTIBOOT_INFO_ADDR);
    }

    if (ld->flags & MBH_AOUT_KLUDGE) {
        if (hoff + MB_KLUDGE_HEADER_SIZE > head_len) {
            return mb_fail(ld, ld->path,
                           "truncated multiboot header: the "
                           "address fields run past the first %d bytes or "
                           "the file",
                           MULTIBOOT_SEARCH);
        }
        if (mb_parse_kludge(ld, head + hoff, (uint32_t)hoff) != 0) {
            return -1;
        }
    } else if (mb_parse_elf(ld) != 0) {
        return -1;
    }
    if (mb_check_segments(ld) != 0) {
        return -1;
    }
    for (unsigned i = 0; i < ld->nsegs; i++) {
        if (ld->segs[i].paddr < kstart) {
            kstart = ld->segs[i].paddr;
        }
        if (ld->segs[i].paddr + ld->segs[i].memsz > kend) {
            kend = ld->segs[i].paddr + ld->segs[i].memsz;
        }
    }
    if (mb_place_modules(ld, kend) != 0 || mb_map_gdt(ld) != 0) {
        return -1;
    }

    /* Second pass: everything fits; write. */
    if (mb_write_image(ld) != 0 || mb_write_info(ld) != 0) {
        return -1;
    }
    boot->entry = ld->entry;
    boot->info_addr = MULTIBOOT_INFO_ADDR;
    boot->info_size = ld->info_size;
    boot->gdt_base = MULTIBOOT_GDT_ADDR;
    boot->gdt_limit = 3 * 8 - 1;
    boot->kernel_start = kstart;
    boot->kernel_end = kend;
    boot->mods_end =
        ld->nmods ? ld->mods[ld->nmods - 1].addr + ld->mods[ld->nmods - 1].size
                  : kend;
    return 0;
}

int multiboot_load_image(AddressSpace *as, const char *kernel,
                         const char *append, const char *initrd,
                         MultibootBoot *boot, char *err, size_t errlen)
{
    return multiboot_load_memory(as, kernel, NULL, 0, append, initrd, boot, err,
                                 errlen);
}

int multiboot_load_memory(AddressSpace *as, const char *name, const void *image,
                          size_t size, const char *append, const char *initrd,
                          MultibootBoot *boot, char *err, size_t errlen)
{
    MbLoad ld = {
        .as = as,
        .path = name,
        .image = image,
        .file_size = size,
        .fd = -1,
        .ram_size = as_ram_size(as),
        .err = err,
        .errlen = errlen,
    };
    int ret;

    memset(boot, 0, sizeof(*boot));
    ret = mb_load(&ld, append, initrd, boot);
    if (ld.fd >= 0) {
        close(ld.fd);
    }
    for (unsigned i = 0; i < ld.nmods; i++) {
        free(ld.mods[i].cmdline);
        free(ld.mods[i].path);
    }
    free(ld.mods);
    free(ld.segs);
    free(ld.cmdline);
    return ret;
}
