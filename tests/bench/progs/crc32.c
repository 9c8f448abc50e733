/*
 * crc32: the IEEE 802.3 CRC-32 (reflected, polynomial 0xEDB88320) of a
 * 256 KiB buffer, table-driven two ways: one byte per step through one
 * 256-entry table, and slicing-by-4 (four tables, one 32-bit load per
 * step).  Both must agree; the buffer changes a little every pass.
 */
#include "bench.h"

#ifndef CRC_ITERS
#define CRC_ITERS 2100
#endif
#define CRC_BUF (256 * 1024)

static uint8_t buf[CRC_BUF];
static uint32_t crc_table[4][256];

static void crc_make_tables(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) {
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        }
        crc_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = crc_table[0][i];
        for (int t = 1; t < 4; t++) {
            c = crc_table[0][c & 0xff] ^ (c >> 8);
            crc_table[t][i] = c;
        }
    }
}

static __attribute__((noinline)) uint32_t crc_bytewise(uint32_t crc,
                                                       const uint8_t *p,
                                                       size_t n)
{
    crc = ~crc;
    while (n--) {
        crc = crc_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    }
    return ~crc;
}

static __attribute__((noinline)) uint32_t crc_slice4(uint32_t crc,
                                                     const uint8_t *p,
                                                     size_t n)
{
    crc = ~crc;
    while (n >= 4) {
        crc ^= (uint32_t)p[0] | (uint32_t)p[1] << 8 |
               (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        crc = crc_table[3][crc & 0xff] ^ crc_table[2][(crc >> 8) & 0xff] ^
              crc_table[1][(crc >> 16) & 0xff] ^ crc_table[0][crc >> 24];
        p += 4;
        n -= 4;
    }
    while (n--) {
        crc = crc_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    }
    return ~crc;
}

int main(uint32_t mb_magic, const void *mb_info)
{
    uint32_t sum = 0, seed = 0xc0ffee11u;

    printf("crc32: %u passes over %u KiB, bytewise and slicing-by-4\n",
           CRC_ITERS, CRC_BUF / 1024);
    crc_make_tables();
    CHECK_EQ(crc_bytewise(0, (const uint8_t *)"123456789", 9), 0xcbf43926u);
    CHECK_EQ(crc_slice4(0, (const uint8_t *)"123456789", 9), 0xcbf43926u);
    for (size_t i = 0; i < CRC_BUF; i++) {
        buf[i] = (uint8_t)xorshift32(&seed);
    }
    for (uint32_t it = 0; it < CRC_ITERS; it++) {
        uint32_t a, b;

        buf[xorshift32(&seed) % CRC_BUF] ^= (uint8_t)(it | 1);
        /* An odd length and offset: the tail loops run too. */
        a = crc_bytewise(it, buf + (it & 3), CRC_BUF - 7);
        b = crc_slice4(it, buf + (it & 3), CRC_BUF - 7);
        CHECK_EQ(a, b);
        sum = mix32(sum, a);
    }
    return rt_finish("crc32", sum);
}
