/*
 * copy: block moves over 1 MiB buffers: rep stosd (fill), rep movsd,
 * rep movsb at misaligned offsets, and a memcpy-style word-copy loop
 * (unrolled by four), then a strided scan so the copies are all used.
 */
#include "bench.h"

#ifndef COPY_ITERS
#define COPY_ITERS 95
#endif
#define COPY_BYTES (1024 * 1024)
#define COPY_WORDS (COPY_BYTES / 4)

static uint32_t buf_a[COPY_WORDS], buf_b[COPY_WORDS], buf_c[COPY_WORDS];

static inline void rep_stosd(void *dst, uint32_t v, size_t words)
{
    __asm__ volatile("rep stosl"
                     : "+D"(dst), "+c"(words) : "a"(v) : "memory");
}

static inline void rep_movsd(void *dst, const void *src, size_t words)
{
    __asm__ volatile("rep movsl"
                     : "+D"(dst), "+S"(src), "+c"(words) : : "memory");
}

static inline void rep_movsb(void *dst, const void *src, size_t bytes)
{
    __asm__ volatile("rep movsb"
                     : "+D"(dst), "+S"(src), "+c"(bytes) : : "memory");
}

static __attribute__((noinline)) void word_copy(uint32_t *dst,
                                                const uint32_t *src,
                                                size_t words)
{
    for (size_t n = words / 4; n; n--) {
        uint32_t w0 = src[0], w1 = src[1], w2 = src[2], w3 = src[3];
        dst[0] = w0;
        dst[1] = w1;
        dst[2] = w2;
        dst[3] = w3;
        src += 4;
        dst += 4;
    }
    for (size_t n = words & 3; n; n--) {
        *dst++ = *src++;
    }
}

static __attribute__((noinline)) uint32_t strided_hash(const uint32_t *p,
                                                       size_t words,
                                                       size_t stride)
{
    uint32_t h = 0;

    for (size_t i = 0; i < words; i += stride) {
        h = mix32(h, p[i]);
    }
    return h;
}

int main(uint32_t mb_magic, const void *mb_info)
{
    uint32_t sum = 0, seed = 0xdeadbeefu;

    printf("copy: %u passes of rep stosd/movsd/movsb and a word loop, "
           "%u KiB\n", COPY_ITERS, COPY_BYTES / 1024);
    for (size_t i = 0; i < COPY_WORDS; i++) {
        buf_a[i] = xorshift32(&seed);
    }
    for (uint32_t it = 0; it < COPY_ITERS; it++) {
        uint32_t pos = xorshift32(&seed) % COPY_WORDS;

        buf_a[pos] ^= it + 1;

        rep_stosd(buf_b, 0x01010101u * (it & 0xff), COPY_WORDS);
        CHECK_EQ(buf_b[pos], 0x01010101u * (it & 0xff));
        rep_movsd(buf_b, buf_a, COPY_WORDS);
        CHECK_EQ(buf_b[pos], buf_a[pos]);
        /* Misaligned on both sides, an odd length. */
        rep_movsb((uint8_t *)buf_c + 3, (const uint8_t *)buf_b + 1,
                  COPY_BYTES - 7);
        word_copy(buf_b, buf_c, COPY_WORDS);
        sum = mix32(sum, strided_hash(buf_b, COPY_WORDS, 61));
        sum = mix32(sum, buf_c[pos]);
    }
    sum = mix32(sum, strided_hash(buf_c, COPY_WORDS, 1));
    return rt_finish("copy", sum);
}
