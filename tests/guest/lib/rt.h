/*
 * Freestanding runtime shared by the softvisor guest test programs.
 *
 * Every program under tests/guest/progs/ is compiled once and linked twice:
 * as a multiboot guest (crt0.S + platform-guest.c: COM1 and isa-debug-exit)
 * and as a native Linux -m32 program (crt0-native.S + platform-native.c:
 * write(2) and exit(2)).  Only the platform layer differs, so the two must
 * print the same bytes and end with the same code.
 */
#ifndef GUEST_RT_H
#define GUEST_RT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Multiboot v1: the loader passes this in eax (multiboot spec, 3.2). */
#define MULTIBOOT_BOOT_MAGIC 0x2BADB002u

/* ---- platform layer (platform-guest.c / platform-native.c) ---- */
void platform_init(void);
void platform_write(const char *buf, size_t len);
_Noreturn void platform_exit(int code);
/* 64 KiB of memory the program may write code into and run (the guest
 * has no NX; the native build maps it read-write-execute). */
uint8_t *platform_code_buffer(void);
/* Let the program write its own code (a no-op on the guest). */
void platform_text_writable(void);
/* True when the program was entered the way its platform promises. */
int platform_boot_ok(uint32_t magic, const void *info);

/* ---- program entry, called by crt0 ---- */
int main(uint32_t mb_magic, const void *mb_info);
_Noreturn void exit(int code);

/* ---- output ---- */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int puts(const char *s);
int putchar(int c);

/* ---- memory and strings (plain C; gcc may also call these itself) ---- */
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strcpy(char *dst, const char *src);
char *strchr(const char *s, int c);

/* ---- 64-bit division helpers gcc calls on i386 (divdi3.c) ---- */
uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
int64_t __divdi3(int64_t n, int64_t d);
int64_t __moddi3(int64_t n, int64_t d);
uint64_t rt_udivmod64(uint64_t n, uint64_t d, uint64_t *rem);

/* ---- self-checks and the final report ---- */
extern unsigned rt_failures;
void rt_check_failed(const char *file, int line, const char *what);
#define CHECK(cond)                                                         \
    do {                                                                    \
        if (!(cond)) {                                                      \
            rt_check_failed(__FILE__, __LINE__, #cond);                     \
        }                                                                   \
    } while (0)
#define CHECK_EQ(a, b)                                                      \
    do {                                                                    \
        unsigned long long a_ = (unsigned long long)(a);                    \
        unsigned long long b_ = (unsigned long long)(b);                    \
        if (a_ != b_) {                                                     \
            printf("  got 0x%llx, want 0x%llx\n", a_, b_);                  \
            rt_check_failed(__FILE__, __LINE__, #a " == " #b);              \
        }                                                                   \
    } while (0)

/*
 * Prints the line check-guests.sh quotes ("checksum NAME XXXXXXXX ...")
 * and returns the exit code: 0 when every CHECK passed.
 */
int rt_finish(const char *name, uint32_t checksum);

/* ---- small deterministic helpers ---- */

/* Order-sensitive mixing of one word into a running checksum. */
static inline uint32_t mix32(uint32_t h, uint32_t v)
{
    h ^= v;
    h *= 0x01000193u;
    return h ^ (h >> 15);
}

/* xorshift32: the programs' only source of "random" data. */
static inline uint32_t xorshift32(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif /* GUEST_RT_H */
