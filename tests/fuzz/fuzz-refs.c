/*
 * Recorded references of the differential test (fuzz-refs.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz-refs.h"

uint32_t fuzz_flag_mask(const GenCode *c, const FuzzState *s)
{
    uint16_t undef = s->status == FUZZ_FAULT ? gen_undef_at(c, s->eip - c->addr)
                                             : c->final_undef;

    return FUZZ_FLAGS_CMP & ~undef;
}

static uint32_t fnv_bytes(uint32_t h, const uint8_t *p, size_t n)
{
    while (n--) {
        h = (h ^ *p++) * 16777619u;
    }
    return h;
}

/* Little-endian, whatever the host. */
static uint32_t fnv_u32(uint32_t h, uint32_t v)
{
    uint8_t b[4] = {v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24};

    return fnv_bytes(h, b, 4);
}

#define FNV_BASIS 2166136261u

uint32_t fuzz_prog_hash(const GenProg *p, const GenCode *c)
{
    uint32_t h = FNV_BASIS;

    for (int i = 0; i < FR_NREGS; i++) {
        h = fnv_u32(h, p->regs[i]);
    }
    h = fnv_u32(h, p->eflags);
    h = fnv_u32(h, c->addr);
    h = fnv_u32(h, c->len);
    h = fnv_bytes(h, c->bytes, c->len);
    h = fnv_bytes(h, p->data, FUZZ_DATA_SIZE);
    return fnv_bytes(h, p->stack, FUZZ_STACK_SIZE);
}

uint32_t fuzz_state_hash(const GenCode *c, const FuzzState *s)
{
    uint32_t h = fnv_u32(FNV_BASIS, s->status);

    if (s->status == FUZZ_FAULT) {
        h = fnv_u32(h, s->vector);
        h = fnv_u32(h, s->eip);
    }
    for (int i = 0; i < FR_NREGS; i++) {
        h = fnv_u32(h, s->regs[i]);
    }
    h = fnv_u32(h, s->eflags & fuzz_flag_mask(c, s));
    h = fnv_bytes(h, s->data, FUZZ_DATA_SIZE);
    return fnv_bytes(h, s->stack, FUZZ_STACK_SIZE);
}

void fuzz_refs_name(uint64_t seed, char *buf, size_t len)
{
    snprintf(buf, len, "fuzz-%#" PRIx64 ".txt", seed);
}

void fuzz_refs_free(FuzzRefs *r)
{
    free(r->prog);
    free(r->state);
    memset(r, 0, sizeof(*r));
}

/*
 * The file: "# " comment lines (the first "# recorded: ..."), then
 * "seed S count N", then N lines "INDEX PROG-HASH STATE-HASH" in order.
 */
bool fuzz_refs_load(FuzzRefs *r, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    char line[2048];
    uint32_t i = 0;
    bool have_header = false;

    memset(r, 0, sizeof(*r));
    if (!f) {
        snprintf(err, errlen,
                 "%s: cannot open it (make record-refs "
                 "RECORD=fuzz)",
                 path);
        return false;
    }
    while (fgets(line, sizeof(line), f)) {
        unsigned long idx, ph, sh;
        unsigned long long seed;
        unsigned long count;

        if (line[0] == '#') {
            if (!r->recorded[0] && !strncmp(line, "# recorded: ", 12)) {
                snprintf(r->recorded, sizeof(r->recorded), "%.1000s",
                         line + 12);
                r->recorded[strcspn(r->recorded, "\n")] = 0;
            }
            continue;
        }
        if (!have_header) {
            if (sscanf(line, "seed %llx count %lu", &seed, &count) != 2 ||
                count == 0 || count > 10000000) {
                break;
            }
            r->seed = seed;
            r->count = (uint32_t)count;
            r->prog = calloc(count, sizeof(uint32_t));
            r->state = calloc(count, sizeof(uint32_t));
            if (!r->prog || !r->state) {
                break;
            }
            have_header = true;
            continue;
        }
        if (i == r->count || sscanf(line, "%lu %lx %lx", &idx, &ph, &sh) != 3 ||
            idx != i) {
            break;
        }
        r->prog[i] = (uint32_t)ph;
        r->state[i++] = (uint32_t)sh;
    }
    fclose(f);
    if (!have_header || i != r->count) {
        snprintf(err, errlen,
                 "%s: malformed at record %u (want a \"seed S "
                 "count N\" line and N records)",
                 path, i);
        fuzz_refs_free(r);
        return false;
    }
    return true;
}
