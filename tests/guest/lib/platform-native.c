/*
 * Native platform layer: the same program as a static Linux i386 process
 * without libc, talking to the kernel through int $0x80.
 */
#include "rt.h"

#define NR_exit_group   252
#define NR_write        4
#define NR_mmap2        192
#define NR_mprotect     125
#define PROT_RWX        7       /* PROT_READ | PROT_WRITE | PROT_EXEC */
#define MAP_PRIVATE_ANON 0x22
#define EINTR           4

/* Buffered so a test does not make one system call per character. */
static char out_buf[4096];
static size_t out_len;

static long sys_write(int fd, const void *buf, size_t len)
{
    long ret;

    __asm__ volatile("int $0x80"
                     : "=a"(ret)
                     : "0"(NR_write), "b"(fd), "c"(buf), "d"(len)
                     : "memory");
    return ret;
}

static void flush(void)
{
    size_t done = 0;

    while (done < out_len) {
        long n = sys_write(1, out_buf + done, out_len - done);
        if (n == -EINTR) {
            continue;
        }
        if (n <= 0) {
            break;              /* nowhere to report it; drop the rest */
        }
        done += (size_t)n;
    }
    out_len = 0;
}

void platform_init(void)
{
    out_len = 0;
}

void platform_write(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (out_len == sizeof(out_buf)) {
            flush();
        }
        out_buf[out_len++] = buf[i];
    }
}

_Noreturn void platform_exit(int code)
{
    flush();
    for (;;) {
        __asm__ volatile("int $0x80" : : "a"(NR_exit_group), "b"(code));
    }
}

int platform_boot_ok(uint32_t magic, const void *info)
{
    /* crt0-native.S passes (0, NULL): there is no loader to check. */
    return magic == 0 && info == NULL;
}

uint8_t *platform_code_buffer(void)
{
    long ret;
    register long r6 __asm__("ebp") = 0; /* offset, in pages */

    __asm__ volatile("int $0x80"
                     : "=a"(ret)
                     : "0"(NR_mmap2), "b"(0), "c"(65536), "d"(PROT_RWX),
                       "S"(MAP_PRIVATE_ANON), "D"(-1), "r"(r6)
                     : "memory");
    return (uint8_t *)ret;
}

/* The program's text, from the linker's symbols, made writable. */
void platform_text_writable(void)
{
    extern char __executable_start[], etext[];
    uintptr_t start = (uintptr_t)__executable_start & ~(uintptr_t)4095;
    uintptr_t end = ((uintptr_t)etext + 4095) & ~(uintptr_t)4095;
    long ret;

    __asm__ volatile("int $0x80"
                     : "=a"(ret)
                     : "0"(NR_mprotect), "b"(start), "c"(end - start),
                       "d"(PROT_RWX)
                     : "memory");
    (void)ret;
}
