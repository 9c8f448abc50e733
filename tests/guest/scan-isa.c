/*
 * scan-isa: fail if an ELF32 i386 image contains floating-point or vector
 * instructions.
 *
 *   scan-isa [-v] FILE...
 *
 * The guest CPU has no FPU (and no MMX/SSE) yet, so a guest test program
 * that the compiler sneaked such an instruction into would test the wrong
 * thing.  Every executable section is disassembled linearly with Capstone;
 * an instruction is rejected if Capstone puts it in an x87, MMX, 3DNow!,
 * SSE*, AVX* or related group, if it names or implicitly uses an x87, MMX,
 * XMM/YMM/ZMM or mask register, or if it is an x87 mnemonic (all start
 * with "f") or wait/emms.  The offenders are listed with the symbol they
 * fall in.  Exit status: 0 clean, 1 offenders found, 2 unreadable input.
 */
#include <capstone/capstone.h>
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct Image {
    const char *path;
    unsigned char *data;
    size_t size;
    const Elf32_Shdr *shdrs;
    unsigned nshdrs;
} Image;

static const struct {
    unsigned group;
    const char *name;
} forbidden_groups[] = {
    { X86_GRP_FPU, "x87" },
    { X86_GRP_MMX, "MMX" },
    { X86_GRP_3DNOW, "3DNow!" },
    { X86_GRP_SSE1, "SSE" },
    { X86_GRP_SSE2, "SSE2" },
    { X86_GRP_SSE3, "SSE3" },
    { X86_GRP_SSSE3, "SSSE3" },
    { X86_GRP_SSE41, "SSE4.1" },
    { X86_GRP_SSE42, "SSE4.2" },
    { X86_GRP_SSE4A, "SSE4a" },
    { X86_GRP_AVX, "AVX" },
    { X86_GRP_AVX2, "AVX2" },
    { X86_GRP_AVX512, "AVX-512" },
    { X86_GRP_CDI, "AVX-512" },
    { X86_GRP_ERI, "AVX-512" },
    { X86_GRP_PFI, "AVX-512" },
    { X86_GRP_DQI, "AVX-512" },
    { X86_GRP_BWI, "AVX-512" },
    { X86_GRP_VLX, "AVX-512" },
    { X86_GRP_FMA, "FMA" },
    { X86_GRP_FMA4, "FMA4" },
    { X86_GRP_F16C, "F16C" },
    { X86_GRP_XOP, "XOP" },
    { X86_GRP_AES, "AES-NI" },
    { X86_GRP_PCLMUL, "PCLMUL" },
    { X86_GRP_SHA, "SHA" },
};

static int is_fp_or_vector_reg(unsigned reg)
{
    return (reg >= X86_REG_ST0 && reg <= X86_REG_ST7) ||
           (reg >= X86_REG_MM0 && reg <= X86_REG_MM7) ||
           (reg >= X86_REG_XMM0 && reg <= X86_REG_XMM31) ||
           (reg >= X86_REG_YMM0 && reg <= X86_REG_YMM31) ||
           (reg >= X86_REG_ZMM0 && reg <= X86_REG_ZMM31) ||
           (reg >= X86_REG_K0 && reg <= X86_REG_K7) ||
           reg == X86_REG_FPSW;
}

/* Why insn is forbidden, or NULL if it is fine. */
static const char *forbidden_reason(csh cs, const cs_insn *insn)
{
    const cs_detail *d = insn->detail;

    for (unsigned i = 0; i < d->groups_count; i++) {
        for (size_t j = 0; j < sizeof(forbidden_groups) /
                                   sizeof(forbidden_groups[0]); j++) {
            if (d->groups[i] == forbidden_groups[j].group) {
                return forbidden_groups[j].name;
            }
        }
    }
    /* Capstone does not tag every x87 instruction with X86_GRP_FPU. */
    if (insn->mnemonic[0] == 'f' || !strcmp(insn->mnemonic, "wait")) {
        return "x87";
    }
    if (!strcmp(insn->mnemonic, "emms")) {
        return "MMX";
    }

    cs_regs rd, wr;
    uint8_t nrd, nwr;
    if (cs_regs_access(cs, insn, rd, &nrd, wr, &nwr) == CS_ERR_OK) {
        for (unsigned i = 0; i < nrd; i++) {
            if (is_fp_or_vector_reg(rd[i])) {
                return "FP/vector register";
            }
        }
        for (unsigned i = 0; i < nwr; i++) {
            if (is_fp_or_vector_reg(wr[i])) {
                return "FP/vector register";
            }
        }
    }
    for (unsigned i = 0; i < d->x86.op_count; i++) {
        if (d->x86.operands[i].type == X86_OP_REG &&
            is_fp_or_vector_reg(d->x86.operands[i].reg)) {
            return "FP/vector register";
        }
    }
    return NULL;
}

static int load_image(Image *img, const char *path)
{
    FILE *f = fopen(path, "rb");

    memset(img, 0, sizeof(*img));
    img->path = path;
    if (!f) {
        fprintf(stderr, "scan-isa: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16;
    img->data = malloc(cap);
    for (;;) {
        if (img->size == cap) {
            cap *= 2;
            img->data = realloc(img->data, cap);
        }
        if (!img->data) {
            fprintf(stderr, "scan-isa: %s: out of memory\n", path);
            fclose(f);
            return -1;
        }
        size_t n = fread(img->data + img->size, 1, cap - img->size, f);
        if (n == 0) {
            break;
        }
        img->size += n;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        fprintf(stderr, "scan-isa: %s: read error\n", path);
        return -1;
    }

    const Elf32_Ehdr *eh = (const Elf32_Ehdr *)img->data;
    if (img->size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
        eh->e_ident[EI_CLASS] != ELFCLASS32 ||
        eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_386) {
        fprintf(stderr, "scan-isa: %s: not an ELF32 i386 file\n", path);
        return -1;
    }
    if (eh->e_shentsize != sizeof(Elf32_Shdr) || eh->e_shoff == 0 ||
        eh->e_shoff > img->size ||
        (size_t)eh->e_shnum * sizeof(Elf32_Shdr) > img->size - eh->e_shoff) {
        fprintf(stderr, "scan-isa: %s: bad section header table\n", path);
        return -1;
    }
    img->shdrs = (const Elf32_Shdr *)(img->data + eh->e_shoff);
    img->nshdrs = eh->e_shnum;
    for (unsigned i = 0; i < img->nshdrs; i++) {
        const Elf32_Shdr *sh = &img->shdrs[i];
        if (sh->sh_type != SHT_NOBITS &&
            (sh->sh_offset > img->size ||
             sh->sh_size > img->size - sh->sh_offset)) {
            fprintf(stderr, "scan-isa: %s: section %u out of file\n", path, i);
            return -1;
        }
    }
    return 0;
}

/* The function symbol containing addr in section shndx, for messages. */
static const char *symbol_at(const Image *img, unsigned shndx, uint32_t addr,
                             uint32_t *offset)
{
    const char *best = NULL;
    uint32_t best_value = 0;

    for (unsigned i = 0; i < img->nshdrs; i++) {
        const Elf32_Shdr *sh = &img->shdrs[i];
        if (sh->sh_type != SHT_SYMTAB || sh->sh_link >= img->nshdrs) {
            continue;
        }
        const Elf32_Shdr *strsh = &img->shdrs[sh->sh_link];
        const Elf32_Sym *syms = (const Elf32_Sym *)(img->data + sh->sh_offset);
        size_t nsyms = sh->sh_size / sizeof(Elf32_Sym);
        const char *strs = (const char *)img->data + strsh->sh_offset;
        for (size_t k = 0; k < nsyms; k++) {
            const Elf32_Sym *s = &syms[k];
            int type = ELF32_ST_TYPE(s->st_info);
            if (s->st_shndx != shndx || s->st_name >= strsh->sh_size ||
                (type != STT_FUNC && type != STT_NOTYPE) ||
                !strs[s->st_name] || s->st_value > addr) {
                continue;
            }
            if (!best || s->st_value > best_value) {
                best = strs + s->st_name;
                best_value = s->st_value;
            }
        }
    }
    *offset = addr - best_value;
    return best;
}

static int scan_image(csh cs, const Image *img, int verbose)
{
    const Elf32_Ehdr *eh = (const Elf32_Ehdr *)img->data;
    const Elf32_Shdr *shstr =
        eh->e_shstrndx < img->nshdrs ? &img->shdrs[eh->e_shstrndx] : NULL;
    unsigned long ninsns = 0, nbad = 0, nundecodable = 0;
    cs_insn *insn = cs_malloc(cs);

    for (unsigned i = 0; i < img->nshdrs; i++) {
        const Elf32_Shdr *sh = &img->shdrs[i];
        if (sh->sh_type != SHT_PROGBITS || !(sh->sh_flags & SHF_EXECINSTR)) {
            continue;
        }
        const char *secname = "?";
        if (shstr && sh->sh_name < shstr->sh_size) {
            secname = (const char *)img->data + shstr->sh_offset + sh->sh_name;
        }
        const uint8_t *code = img->data + sh->sh_offset;
        size_t left = sh->sh_size;
        uint64_t addr = sh->sh_addr;

        while (left > 0) {
            if (!cs_disasm_iter(cs, &code, &left, &addr, insn)) {
                /* Data or padding Capstone cannot decode: step over it. */
                nundecodable++;
                code++;
                left--;
                addr++;
                continue;
            }
            ninsns++;
            const char *why = forbidden_reason(cs, insn);
            if (!why) {
                continue;
            }
            uint32_t off;
            const char *sym = symbol_at(img, i, (uint32_t)insn->address, &off);
            if (nbad++ == 0) {
                fprintf(stderr, "scan-isa: %s: forbidden instructions:\n",
                        img->path);
            }
            fprintf(stderr, "  %s 0x%08x <%s+0x%x>: %s %s  [%s]\n", secname,
                    (uint32_t)insn->address, sym ? sym : "?", off,
                    insn->mnemonic, insn->op_str, why);
        }
    }
    cs_free(insn, 1);

    if (nbad) {
        fprintf(stderr, "scan-isa: %s: %lu forbidden of %lu instructions\n",
                img->path, nbad, ninsns);
        return 1;
    }
    if (verbose) {
        printf("scan-isa: %s: %lu instructions, none forbidden", img->path,
               ninsns);
        if (nundecodable) {
            printf(" (%lu undecodable bytes skipped)", nundecodable);
        }
        printf("\n");
    }
    return 0;
}

int main(int argc, char **argv)
{
    int verbose = 0;
    int first = 1;
    int status = 0;
    csh cs;

    if (argc > 1 && !strcmp(argv[1], "-v")) {
        verbose = 1;
        first = 2;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: scan-isa [-v] ELF32-FILE...\n");
        return 2;
    }
    if (cs_open(CS_ARCH_X86, CS_MODE_32, &cs) != CS_ERR_OK) {
        fprintf(stderr, "scan-isa: cannot open Capstone\n");
        return 2;
    }
    cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);

    for (int i = first; i < argc; i++) {
        Image img;
        if (load_image(&img, argv[i]) < 0) {
            status = 2;
        } else if (scan_image(cs, &img, verbose) && status == 0) {
            status = 1;
        }
        free(img.data);
    }
    cs_close(&cs);
    return status;
}
