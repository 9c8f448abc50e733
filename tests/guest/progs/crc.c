/*
 * crc: table-driven checksums that verify themselves.  CRC-32 (IEEE,
 * reflected), CRC-32C (Castagnoli), CRC-16/CCITT-FALSE and Adler-32, each
 * checked against published check values ("123456789" and friends), the
 * generated tables against known entries, and the bitwise, byte-table and
 * slicing-by-4 CRC-32 against each other over a large pseudo-random
 * buffer.
 */
#include "rt.h"

static uint32_t crc32_table[4][256];
static uint32_t crc32c_table[256];
static uint16_t crc16_table[256];

static void make_reflected_table(uint32_t *t, uint32_t poly)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) {
            c = (c & 1) ? (c >> 1) ^ poly : c >> 1;
        }
        t[i] = c;
    }
}

static void make_tables(void)
{
    make_reflected_table(crc32_table[0], 0xedb88320u);
    /* Slicing-by-4: table k advances a byte followed by k zero bytes. */
    for (int i = 0; i < 256; i++) {
        uint32_t c = crc32_table[0][i];
        for (int k = 1; k < 4; k++) {
            c = crc32_table[0][c & 0xff] ^ (c >> 8);
            crc32_table[k][i] = c;
        }
    }
    make_reflected_table(crc32c_table, 0x82f63b78u);
    for (uint32_t i = 0; i < 256; i++) {
        uint16_t c = (uint16_t)(i << 8);
        for (int k = 0; k < 8; k++) {
            c = (uint16_t)((c & 0x8000) ? (c << 1) ^ 0x1021 : c << 1);
        }
        crc16_table[i] = c;
    }
}

static uint32_t crc32_bitwise(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;

    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++) {
            /* Branch-free: the mask is all ones when the low bit is set. */
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
        }
    }
    return ~c;
}

static uint32_t crc32_bytes(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;

    while (n--) {
        c = crc32_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
    }
    return ~c;
}

static uint32_t crc32_slice4(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;

    while (n >= 4) {
        c ^= (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
             (uint32_t)p[3] << 24;
        c = crc32_table[3][c & 0xff] ^ crc32_table[2][(c >> 8) & 0xff] ^
            crc32_table[1][(c >> 16) & 0xff] ^ crc32_table[0][c >> 24];
        p += 4;
        n -= 4;
    }
    while (n--) {
        c = crc32_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
    }
    return ~c;
}

static uint32_t crc32c(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;

    while (n--) {
        c = crc32c_table[(c ^ *p++) & 0xff] ^ (c >> 8);
    }
    return ~c;
}

static uint16_t crc16_ccitt(const uint8_t *p, size_t n)
{
    uint16_t c = 0xffff;

    while (n--) {
        c = (uint16_t)(crc16_table[((c >> 8) ^ *p++) & 0xff] ^ (c << 8));
    }
    return c;
}

static uint32_t adler32(const uint8_t *p, size_t n)
{
    uint32_t a = 1, b = 0;

    while (n) {
        /* 5552 bytes keep b below 2^32 before the modulo (zlib's NMAX). */
        size_t chunk = n < 5552 ? n : 5552;
        n -= chunk;
        while (chunk--) {
            a += *p++;
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    return b << 16 | a;
}

#define BUF_SIZE 65536
static uint8_t buf[BUF_SIZE];

int main(uint32_t mb_magic, const void *mb_info)
{
    static const char check[] = "123456789";
    static const char fox[] = "The quick brown fox jumps over the lazy dog";
    const uint8_t *c9 = (const uint8_t *)check;
    uint32_t sum = 0;

    printf("crc: CRC-32, CRC-32C, CRC-16, Adler-32 with known vectors\n");
    make_tables();
    CHECK_EQ(crc32_table[0][1], 0x77073096u);
    CHECK_EQ(crc32_table[0][255], 0x2d02ef8du);
    CHECK_EQ(crc32c_table[1], 0xf26b8303u);
    CHECK_EQ(crc16_table[1], 0x1021);

    uint32_t v1 = crc32_bytes(c9, 9);
    uint32_t v2 = crc32c(c9, 9);
    uint16_t v3 = crc16_ccitt(c9, 9);
    uint32_t v4 = adler32((const uint8_t *)"Wikipedia", 9);
    printf("  CRC-32(\"123456789\") = %08x\n", v1);
    printf("  CRC-32C(\"123456789\") = %08x\n", v2);
    printf("  CRC-16/CCITT-FALSE(\"123456789\") = %04x\n", v3);
    printf("  Adler-32(\"Wikipedia\") = %08x\n", v4);
    CHECK_EQ(v1, 0xcbf43926u);
    CHECK_EQ(crc32_bitwise(c9, 9), 0xcbf43926u);
    CHECK_EQ(crc32_slice4(c9, 9), 0xcbf43926u);
    CHECK_EQ(v2, 0xe3069283u);
    CHECK_EQ(v3, 0x29b1);
    CHECK_EQ(v4, 0x11e60398u);
    CHECK_EQ(crc32_bytes((const uint8_t *)fox, sizeof(fox) - 1), 0x414fa339u);
    CHECK_EQ(crc32_bytes(c9, 0), 0);
    CHECK_EQ(adler32(c9, 0), 1);
    sum = mix32(mix32(mix32(mix32(sum, v1), v2), v3), v4);

    uint32_t rng = 0x87654321;
    for (size_t i = 0; i < BUF_SIZE; i++) {
        buf[i] = (uint8_t)(xorshift32(&rng) >> 11);
    }
    uint32_t big = crc32_bitwise(buf, BUF_SIZE);
    CHECK_EQ(crc32_bytes(buf, BUF_SIZE), big);
    CHECK_EQ(crc32_slice4(buf, BUF_SIZE), big);
    printf("  64 KiB buffer: crc32 %08x crc32c %08x crc16 %04x adler32 %08x\n",
           big, crc32c(buf, BUF_SIZE), crc16_ccitt(buf, BUF_SIZE),
           adler32(buf, BUF_SIZE));
    sum = mix32(sum, big);
    sum = mix32(sum, crc32c(buf, BUF_SIZE));
    sum = mix32(sum, crc16_ccitt(buf, BUF_SIZE));
    sum = mix32(sum, adler32(buf, BUF_SIZE));

    /* Odd lengths and offsets exercise the slicing tail loop. */
    for (size_t off = 0; off < 64; off++) {
        size_t n = 1000 + off * 37;
        uint32_t a = crc32_slice4(buf + off, n);
        if (a != crc32_bytes(buf + off, n)) {
            CHECK(0);
        }
        sum = mix32(sum, a);
    }
    /* Appending the CRC makes the residue constant (the "magic" check). */
    uint32_t c = crc32_bytes(buf, 1000);
    for (int i = 0; i < 4; i++) {
        buf[1000 + i] = (uint8_t)(c >> (8 * i));
    }
    CHECK_EQ(crc32_bytes(buf, 1004), 0x2144df1cu);
    return rt_finish("crc", sum);
}
