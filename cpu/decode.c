/*
 * The i686 instruction decoder: prefixes, opcode maps, ModRM/SIB,
 * displacement and immediates (SDM Vol. 2, Chapter 2 and Appendix A).
 *
 * The format of each instruction comes from the tables in
 * decode-tables*.c and decode-groups.c; this file only walks them.  An
 * encoding the i686 rejects still gets its full length, so the frontend
 * can raise #UD at the right eip and logs can skip over it.
 */
#include <string.h>

#include "cpu/cpu.h"
#include "cpu/decode-tables.h"

/* Legacy prefixes (SDM Vol. 2, 2.1.1): groups 1-4, any order. */
enum {
    PFX_NONE,
    PFX_SEG,
    PFX_OPSIZE,
    PFX_ADDRSIZE,
    PFX_LOCK,
    PFX_REP,
};

typedef struct X86Prefix {
    uint8_t kind;
    uint8_t seg;
} X86Prefix;

static const X86Prefix x86_prefixes[256] = {
    [0x26] = { PFX_SEG, R_ES },
    [0x2e] = { PFX_SEG, R_CS },
    [0x36] = { PFX_SEG, R_SS },
    [0x3e] = { PFX_SEG, R_DS },
    [0x64] = { PFX_SEG, R_FS },
    [0x65] = { PFX_SEG, R_GS },
    [0x66] = { PFX_OPSIZE },
    [0x67] = { PFX_ADDRSIZE },
    [0xf0] = { PFX_LOCK },
    [0xf2] = { PFX_REP },
    [0xf3] = { PFX_REP },
};

/*
 * 16-bit ModRM memory forms by r/m (SDM Vol. 2, Table 2-1).  The forms
 * based on BP default to SS; mod == 0 with r/m == 6 is a bare disp16.
 */
typedef struct X86Modrm16 {
    uint8_t base;
    uint8_t index;
    uint8_t seg;
} X86Modrm16;

static const X86Modrm16 x86_modrm16[8] = {
    { R_EBX, R_ESI, R_DS },
    { R_EBX, R_EDI, R_DS },
    { R_EBP, R_ESI, R_SS },
    { R_EBP, R_EDI, R_SS },
    { R_ESI, X86_REG_NONE, R_DS },
    { R_EDI, X86_REG_NONE, R_DS },
    { R_EBP, X86_REG_NONE, R_SS },
    { R_EBX, X86_REG_NONE, R_DS },
};

/* Control registers that exist on the i686; MOV to/from the others is
 * #UD (SDM Vol. 2, MOV-Move to/from Control Registers). */
#define X86_VALID_CRS ((1u << 0) | (1u << 2) | (1u << 3) | (1u << 4))

/* Byte fetcher over the caller's buffer. */
typedef struct X86Fetch {
    const uint8_t *bytes;
    unsigned avail;
    unsigned pos;
} X86Fetch;

/* Status of a fetch: fine, short of bytes, or past the 15-byte limit. */
enum { FETCH_OK = 1, FETCH_SHORT = 0, FETCH_LONG = -1 };

/*
 * Read N (1, 2 or 4) little-endian bytes.  Past 15 bytes the instruction
 * is too long whatever follows, so that is checked before AVAIL.
 */
static int x86_fetch(X86Fetch *f, unsigned n, uint32_t *val)
{
    uint32_t v = 0;

    if (f->pos + n > X86_MAX_INSN_LEN) {
        return FETCH_LONG;
    }
    if (f->pos + n > f->avail) {
        return FETCH_SHORT;
    }
    for (unsigned i = 0; i < n; i++) {
        v |= (uint32_t)f->bytes[f->pos + i] << (8 * i);
    }
    f->pos += n;
    *val = v;
    return FETCH_OK;
}

static bool x86_info_has(const X86OpcodeInfo *info, X86OperandKind kind)
{
    return info->opnd[0] == kind || info->opnd[1] == kind ||
           info->opnd[2] == kind;
}

static int32_t x86_sext(uint32_t v, unsigned bytes)
{
    return bytes == 1 ? (int8_t)v : bytes == 2 ? (int16_t)v : (int32_t)v;
}

/* Displacement of N bytes, sign-extended. */
static int x86_decode_disp(X86Fetch *f, X86Insn *insn, unsigned n)
{
    uint32_t v;
    int r = x86_fetch(f, n, &v);

    if (r == FETCH_OK) {
        insn->disp = x86_sext(v, n);
    }
    return r;
}

static int x86_decode_mem16(X86Fetch *f, X86Insn *insn)
{
    const X86Modrm16 *m = &x86_modrm16[insn->rm];
    uint32_t v;
    int r;

    if (insn->mod == 0 && insn->rm == 6) {
        /* Bare disp16: an absolute offset, default segment DS. */
        r = x86_fetch(f, 2, &v);
        insn->disp = (int32_t)v;
        return r;
    }
    insn->base = m->base;
    insn->index = m->index;
    insn->default_seg = m->seg;
    return insn->mod == 0 ? FETCH_OK
                          : x86_decode_disp(f, insn, insn->mod == 1 ? 1 : 2);
}

/* 32-bit forms (SDM Vol. 2, Tables 2-2 and 2-3). */
static int x86_decode_mem32(X86Fetch *f, X86Insn *insn)
{
    uint32_t sib;
    int r;

    if (insn->rm == 4) {
        r = x86_fetch(f, 1, &sib);
        if (r != FETCH_OK) {
            return r;
        }
        insn->scale = 1 << (sib >> 6);
        /* Index 100b means no index (SDM Vol. 2, Table 2-3 note). */
        insn->index = ((sib >> 3) & 7) == R_ESP ? X86_REG_NONE
                                                : (sib >> 3) & 7;
        insn->base = sib & 7;
        if (insn->base == R_EBP && insn->mod == 0) {
            insn->base = X86_REG_NONE;
            return x86_decode_disp(f, insn, 4);
        }
    } else if (insn->rm == 5 && insn->mod == 0) {
        return x86_decode_disp(f, insn, 4);
    } else {
        insn->base = insn->rm;
    }
    /* eSP and eBP bases address the stack (SDM Vol. 1, 3.7.4.1). */
    if (insn->base == R_ESP || insn->base == R_EBP) {
        insn->default_seg = R_SS;
    }
    return insn->mod == 0 ? FETCH_OK
                          : x86_decode_disp(f, insn, insn->mod == 1 ? 1 : 4);
}

static int x86_decode_imm(X86Fetch *f, X86Insn *insn, X86ImmKind kind)
{
    unsigned z = insn->opsize == 2 ? 2 : 4;   /* size of an Iz/Jz field */
    uint32_t v = 0, v2 = 0;
    int r = FETCH_OK;

    switch (kind) {
    case IMM_NONE:
        break;
    case IMM_B:
        r = x86_fetch(f, 1, &v);
        break;
    case IMM_BS:
        r = x86_fetch(f, 1, &v);
        v = (uint32_t)(int8_t)v;
        if (insn->opsize == 2) {
            v &= 0xffff;
        }
        break;
    case IMM_W:
        r = x86_fetch(f, 2, &v);
        break;
    case IMM_Z:
        r = x86_fetch(f, z, &v);
        break;
    case IMM_WB:
        r = x86_fetch(f, 2, &v);
        if (r == FETCH_OK) {
            r = x86_fetch(f, 1, &v2);
        }
        break;
    case IMM_AP:
        r = x86_fetch(f, z, &v);
        if (r == FETCH_OK) {
            r = x86_fetch(f, 2, &v2);
        }
        break;
    case IMM_O:
        r = x86_fetch(f, insn->addrsize, &v);
        insn->has_mem = true;
        insn->disp = (int32_t)v;
        return r;
    case IMM_JB:
        r = x86_fetch(f, 1, &v);
        v = (uint32_t)(int8_t)v;
        break;
    case IMM_JZ:
        r = x86_fetch(f, z, &v);
        v = (uint32_t)x86_sext(v, z);
        break;
    }
    insn->imm = v;
    insn->imm2 = v2;
    return r;
}

/*
 * The one prefix-dependent length outside the three-byte maps: SSE4a's
 * EXTRQ (66 0F 78) and INSERTQ (F2 0F 78) carry two imm8 where VMREAD
 * (0F 78) has none (AMD APM Vol. 4).  SIMD_PFX is the last of 66, F2
 * and F3 seen, the one that selects among the forms; F3 0F 78 is
 * undefined.
 */
static unsigned x86_simd_extra_imm(const X86Insn *insn, uint8_t simd_pfx)
{
    if (insn->opcode == 0x178 && (simd_pfx == 0x66 || simd_pfx == 0xf2)) {
        return 2;
    }
    return 0;
}

/* Is this fully fetched encoding one the i686 executes? */
static bool x86_insn_valid(const X86Insn *insn, const X86OpcodeInfo *info)
{
    if (info->op == X86_OP_SIMD && insn->opcode == 0x101 && insn->mod == 3 &&
        !((x86_grp7_reg_defined[insn->reg] >> insn->rm) & 1)) {
        return false;
    }
    if (x86_info_has(info, OPK_M) && insn->mod == 3) {
        return false;
    }
    /* Sreg 6 and 7 do not exist; CS is loaded only by far transfers
     * (SDM Vol. 2, MOV: "#UD if attempt is made to load the CS"). */
    if (x86_info_has(info, OPK_S) &&
        (insn->reg > R_GS ||
         (info->op == X86_OP_MOV_SEG_LOAD && insn->reg == R_CS))) {
        return false;
    }
    if (x86_info_has(info, OPK_C) && !((X86_VALID_CRS >> insn->reg) & 1)) {
        return false;
    }
    /* LOCK is #UD unless the instruction is lockable and its destination
     * is memory (SDM Vol. 2, LOCK). */
    if (insn->lock && (!(info->flags & X86F_LOCKABLE) || !insn->has_mem)) {
        return false;
    }
    return true;
}

int x86_decode(X86Insn *insn, const uint8_t *bytes, unsigned avail,
               bool code32)
{
    X86Fetch f = { .bytes = bytes, .avail = avail, .pos = 0 };
    const X86OpcodeInfo *info;
    X86GroupRef grp;
    uint32_t b, v;
    uint8_t simd_pfx = 0;
    int r;

    memset(insn, 0, sizeof(*insn));
    insn->seg_override = X86_SEG_NONE;
    insn->base = X86_REG_NONE;
    insn->index = X86_REG_NONE;
    insn->scale = 1;
    insn->default_seg = R_DS;

    /* Prefixes: any number, any order, the last of a kind wins. */
    for (;;) {
        const X86Prefix *p;

        r = x86_fetch(&f, 1, &b);
        if (r != FETCH_OK) {
            return r;
        }
        p = &x86_prefixes[b];
        if (p->kind == PFX_NONE) {
            break;
        }
        insn->nprefixes++;
        switch (p->kind) {
        case PFX_SEG:
            insn->seg_override = p->seg;
            break;
        case PFX_OPSIZE:
            insn->opsize_prefix = true;
            simd_pfx = b;
            break;
        case PFX_ADDRSIZE:
            insn->addrsize_prefix = true;
            break;
        case PFX_LOCK:
            insn->lock = true;
            break;
        case PFX_REP:
            insn->rep = b;
            simd_pfx = b;
            break;
        }
    }

    /* Opcode: one byte, or 0F and a second byte. */
    if (b == 0x0f) {
        r = x86_fetch(&f, 1, &b);
        if (r != FETCH_OK) {
            return r;
        }
        insn->opcode = 0x100 | b;
        info = &x86_twobyte_map[b];
        grp = x86_twobyte_groups[b];
        insn->opreg = b & 7;
        if ((b & 0xf6) == 0xa0) {
            insn->opreg = R_FS + ((b >> 3) & 1);   /* 0F A0/A1 A8/A9 */
        }
    } else {
        insn->opcode = b;
        info = &x86_onebyte_map[b];
        grp = x86_onebyte_groups[b];
        insn->opreg = b & 7;
        if (info->opnd[0] == OPK_SREG) {
            insn->opreg = (b >> 3) & 3;              /* ES CS SS DS */
        }
    }
    if (info->flags & X86F_ESC3) {
        r = x86_fetch(&f, 1, &v);
        if (r != FETCH_OK) {
            return r;
        }
    }

    insn->addrsize = code32 != insn->addrsize_prefix ? 4 : 2;

    if (info->flags & X86F_MODRM) {
        r = x86_fetch(&f, 1, &v);
        if (r != FETCH_OK) {
            return r;
        }
        insn->has_modrm = true;
        insn->modrm = v;
        insn->mod = v >> 6;
        insn->reg = (v >> 3) & 7;
        insn->rm = v & 7;
        if (grp.mem != X86_GRP_NONE) {
            info = &x86_group_map[insn->mod == 3 ? grp.reg : grp.mem]
                                 [insn->reg];
        }
        /* CR/DR moves always name a register (mod is ignored). */
        if (insn->mod != 3 && !x86_info_has(info, OPK_R)) {
            insn->has_mem = true;
            r = insn->addrsize == 4 ? x86_decode_mem32(&f, insn)
                                    : x86_decode_mem16(&f, insn);
            if (r != FETCH_OK) {
                return r;
            }
        }
    }

    insn->info = info;
    if (info->flags & X86F_BYTE) {
        insn->opsize = 1;
    } else {
        insn->opsize = code32 != insn->opsize_prefix ? 4 : 2;
    }

    r = x86_decode_imm(&f, insn, info->imm);
    if (r != FETCH_OK) {
        return r;
    }
    for (unsigned i = x86_simd_extra_imm(insn, simd_pfx); i > 0; i--) {
        r = x86_fetch(&f, 1, &v);
        if (r != FETCH_OK) {
            return r;
        }
    }

    insn->len = f.pos;
    insn->op = x86_insn_valid(insn, info) ? info->op : X86_OP_INVALID;
    return f.pos;
}
