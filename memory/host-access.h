/*
 * Little-endian loads and stores of 1, 2 or 4 bytes at any alignment in
 * host memory that holds guest bytes (guest RAM and ROM are
 * little-endian, as the guest is).
 */
#ifndef MEMORY_HOST_ACCESS_H
#define MEMORY_HOST_ACCESS_H

#include <endian.h>
#include <stdint.h>
#include <string.h>

static inline uint32_t host_ld_le(const uint8_t *p, unsigned size)
{
    uint16_t w;
    uint32_t l;

    switch (size) {
    case 1: return *p;
    case 2: memcpy(&w, p, 2); return le16toh(w);
    default: memcpy(&l, p, 4); return le32toh(l);
    }
}

static inline void host_st_le(uint8_t *p, uint32_t value, unsigned size)
{
    uint16_t w;
    uint32_t l;

    switch (size) {
    case 1: *p = (uint8_t)value; break;
    case 2:
        w = htole16((uint16_t)value);
        memcpy(p, &w, 2);
        break;
    default:
        l = htole32(value);
        memcpy(p, &l, 4);
        break;
    }
}

#endif
