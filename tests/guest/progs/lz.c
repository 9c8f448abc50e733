/*
 * lz: an LZ77 compressor with hash chains and its decompressor, round
 * trip on generated text, repetitive data, runs, random (incompressible)
 * bytes and tiny inputs.  The format is LZ4-like: a token byte with a
 * literal count and a match length in its two nibbles (15 = more length
 * bytes follow), the literals, then a 16-bit offset.  Matches may overlap
 * their own output (offset < length), which the decompressor must copy
 * byte by byte.
 */
#include "rt.h"

#define WINDOW 4096
#define MIN_MATCH 4
#define MAX_CHAIN 32
#define HASH_BITS 12

static uint16_t head[1 << HASH_BITS];
static uint16_t chain[WINDOW];

static uint32_t hash4(const uint8_t *p)
{
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                 (uint32_t)p[3] << 24;
    return (v * 2654435761u) >> (32 - HASH_BITS);
}

static uint8_t *put_length(uint8_t *out, uint32_t n)
{
    while (n >= 255) {
        *out++ = 255;
        n -= 255;
    }
    *out++ = (uint8_t)n;
    return out;
}

static uint8_t *emit(uint8_t *out, const uint8_t *lit, uint32_t nlit,
                     uint32_t offset, uint32_t mlen)
{
    uint32_t m = mlen ? mlen - MIN_MATCH : 0;
    uint8_t *token = out++;

    *token = (uint8_t)((nlit < 15 ? nlit : 15) << 4 | (m < 15 ? m : 15));
    if (nlit >= 15) {
        out = put_length(out, nlit - 15);
    }
    memcpy(out, lit, nlit);
    out += nlit;
    if (mlen) {
        *out++ = (uint8_t)offset;
        *out++ = (uint8_t)(offset >> 8);
        if (m >= 15) {
            out = put_length(out, m - 15);
        }
    }
    return out;
}

/*
 * Positions are stored modulo 64 Ki in head[] and chain[] (0xffff = none);
 * a candidate more than WINDOW back is out of reach and ends the chain.
 */
static size_t compress(uint8_t *out, const uint8_t *in, size_t n)
{
    uint8_t *o = out;
    size_t lit_start = 0, i = 0;

    memset(head, 0xff, sizeof(head));
    while (i + MIN_MATCH <= n) {
        uint32_t h = hash4(in + i);
        uint32_t best_len = 0, best_off = 0;
        uint32_t cand = head[h];
        for (int depth = 0; depth < MAX_CHAIN && cand != 0xffff; depth++) {
            uint32_t dist = (uint32_t)(i - cand) & 0xffff;
            if (dist == 0 || dist > WINDOW - 1) {
                break;
            }
            const uint8_t *a = in + i, *b = in + i - dist;
            uint32_t len = 0, max = (uint32_t)(n - i);
            while (len < max && a[len] == b[len]) {
                len++;
            }
            if (len > best_len) {
                best_len = len;
                best_off = dist;
            }
            cand = chain[cand % WINDOW];
        }
        chain[i % WINDOW] = head[h];
        head[h] = (uint16_t)i;
        if (best_len >= MIN_MATCH) {
            o = emit(o, in + lit_start, (uint32_t)(i - lit_start), best_off,
                     best_len);
            /* Index the positions inside the match as well. */
            size_t match_end = i + best_len;
            for (size_t k = i + 1; k < match_end && k + MIN_MATCH <= n; k++) {
                uint32_t hk = hash4(in + k);
                chain[k % WINDOW] = head[hk];
                head[hk] = (uint16_t)k;
            }
            i += best_len;
            lit_start = i;
        } else {
            i++;
        }
    }
    /* The final literals, with a zero match length that means "end". */
    o = emit(o, in + lit_start, (uint32_t)(n - lit_start), 0, 0);
    return (size_t)(o - out);
}

static uint32_t get_length(const uint8_t **p, uint32_t base)
{
    uint32_t n = base;

    if (base == 15) {
        uint8_t b;
        do {
            b = *(*p)++;
            n += b;
        } while (b == 255);
    }
    return n;
}

/* Returns the decompressed size, or (size_t)-1 on malformed input. */
static size_t decompress(uint8_t *out, size_t cap, const uint8_t *in,
                         size_t n)
{
    const uint8_t *p = in, *end = in + n;
    uint8_t *o = out;

    while (p < end) {
        uint8_t token = *p++;
        uint32_t nlit = get_length(&p, token >> 4);
        if ((size_t)(o - out) + nlit > cap || p + nlit > end) {
            return (size_t)-1;
        }
        memcpy(o, p, nlit);
        o += nlit;
        p += nlit;
        if (p == end) {
            break;                      /* the final literals */
        }
        uint32_t off = (uint32_t)p[0] | (uint32_t)p[1] << 8;
        p += 2;
        uint32_t mlen = get_length(&p, token & 15) + MIN_MATCH;
        if (off == 0 || off > (size_t)(o - out) ||
            (size_t)(o - out) + mlen > cap) {
            return (size_t)-1;
        }
        /* Byte by byte: with off < mlen the copy reads its own output. */
        const uint8_t *src = o - off;
        for (uint32_t k = 0; k < mlen; k++) {
            o[k] = src[k];
        }
        o += mlen;
    }
    return (size_t)(o - out);
}

#define MAX_IN 40000
static uint8_t input[MAX_IN];
static uint8_t packed[MAX_IN + MAX_IN / 8 + 64];
static uint8_t unpacked[MAX_IN];

static size_t make_text(uint32_t *rng)
{
    static const char *const words[] = {
        "the", "guest", "emulator", "translates", "blocks", "of", "code",
        "and", "runs", "them", "on", "a", "virtual", "cpu", "with", "its",
        "own", "memory", "interrupts", "devices", "timer", "serial", "port",
    };
    size_t n = 0;

    while (n < 30000) {
        const char *w = words[xorshift32(rng) % ARRAY_SIZE(words)];
        while (*w) {
            input[n++] = (uint8_t)*w++;
        }
        input[n++] = (xorshift32(rng) % 11 == 0) ? '\n' : ' ';
    }
    return n;
}

static uint32_t round_trip(const char *name, size_t n)
{
    size_t c = compress(packed, input, n);
    memset(unpacked, 0xee, n);
    size_t d = decompress(unpacked, sizeof(unpacked), packed, c);
    uint32_t h = 0;

    CHECK_EQ(d, n);
    CHECK(d == n && memcmp(unpacked, input, n) == 0);
    for (size_t i = 0; i < c; i++) {
        h = mix32(h, packed[i]);
    }
    printf("  %-10s %6u -> %6u bytes, %08x\n", name, (unsigned)n, (unsigned)c,
           h);
    return mix32(h, (uint32_t)c);
}

int main(uint32_t mb_magic, const void *mb_info)
{
    uint32_t rng = 0x7a7a7a7a;
    uint32_t sum = 0;
    size_t n;

    printf("lz: LZ77 with hash chains, compress/decompress round trips\n");

    n = make_text(&rng);
    sum = mix32(sum, round_trip("text", n));

    for (n = 0; n < 36000; n++) {
        input[n] = (uint8_t)("abcabcabd"[n % 9] + (n / 3000));
    }
    sum = mix32(sum, round_trip("pattern", n));

    memset(input, 'z', 20000);
    sum = mix32(sum, round_trip("run", 20000));

    for (n = 0; n < 12000; n++) {
        input[n] = (uint8_t)xorshift32(&rng);
    }
    sum = mix32(sum, round_trip("random", n));

    static const char tiny[] = "abcdabcdabcdX";
    for (size_t k = 0; k < sizeof(tiny); k++) {
        memcpy(input, tiny, k);
        size_t c = compress(packed, input, k);
        size_t d = decompress(unpacked, sizeof(unpacked), packed, c);
        CHECK(d == k && memcmp(unpacked, input, k) == 0);
        sum = mix32(sum, (uint32_t)(c << 8 | d));
    }

    /* Corrupted input must be refused, not overrun the buffer. */
    static const uint8_t bad[] = { 0x00, 0x10, 0x00 };     /* offset 16 > 0 */
    CHECK(decompress(unpacked, sizeof(unpacked), bad, sizeof(bad)) ==
          (size_t)-1);
    return rt_finish("lz", sum);
}
