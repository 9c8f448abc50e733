/*
 * softvisor's built-in demo guest: says hello on COM1, shows what the
 * boot loader handed it, does a little integer work, and halts.
 */
#include <stdint.h>

#define COM1 0x3f8

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static void serial_init(void)
{
    outb(COM1 + 1, 0x00); /* no interrupts */
    outb(COM1 + 3, 0x80); /* DLAB */
    outb(COM1 + 0, 0x01); /* 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03); /* 8N1 */
    outb(COM1 + 2, 0xc7); /* FIFOs on, cleared */
}

static void putc_serial(char c)
{
    while (!(inb(COM1 + 5) & 0x20)) {
        /* wait for THR empty */
    }
    outb(COM1, c);
}

static void puts_serial(const char *s)
{
    for (; *s; s++) {
        if (*s == '\n') {
            putc_serial('\r');
        }
        putc_serial(*s);
    }
}

static void put_dec(uint32_t v)
{
    char buf[11];
    int n = 0;
    do {
        buf[n++] = '0' + v % 10;
        v /= 10;
    } while (v);
    while (n) {
        putc_serial(buf[--n]);
    }
}

static void put_hex(uint32_t v)
{
    for (int i = 28; i >= 0; i -= 4) {
        putc_serial("0123456789abcdef"[(v >> i) & 15]);
    }
}

struct mb_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
    uint32_t mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
    uint32_t drives_length, drives_addr, config_table, boot_loader_name;
};

static uint8_t sieve[65536];

void demo_main(uint32_t magic, const struct mb_info *mbi)
{
    uint32_t count = 0, vendor[3], eax = 0;

    serial_init();
    puts_serial("Hello from the softvisor demo guest!\n");
    if (magic != 0x2BADB002) {
        puts_serial("not started by a multiboot loader\n");
        return;
    }
    if (mbi->flags & (1u << 9)) {
        puts_serial("boot loader: ");
        puts_serial((const char *)mbi->boot_loader_name);
        puts_serial("\n");
    }
    if (mbi->flags & 1) {
        puts_serial("memory: ");
        put_dec(mbi->mem_lower);
        puts_serial(" KiB low, ");
        put_dec(mbi->mem_upper);
        puts_serial(" KiB high\n");
    }
    if (mbi->flags & (1u << 2)) {
        puts_serial("command line: ");
        puts_serial((const char *)mbi->cmdline);
        puts_serial("\n");
    }
    __asm__ volatile("cpuid"
                     : "+a"(eax), "=b"(vendor[0]), "=d"(vendor[1]),
                       "=c"(vendor[2]));
    puts_serial("cpu vendor: ");
    for (int i = 0; i < 12; i++) {
        putc_serial(((const char *)vendor)[i]);
    }
    puts_serial("\n");

    for (uint32_t i = 2; i < sizeof(sieve); i++) {
        if (!sieve[i]) {
            count++;
            for (uint32_t j = i * 2; j < sizeof(sieve); j += i) {
                sieve[j] = 1;
            }
        }
    }
    puts_serial("primes below 65536: ");
    put_dec(count);
    puts_serial(" (expected 6542)\n");
    puts_serial("checksum: 0x");
    put_hex(count * 0x9e3779b1u);
    puts_serial("\nThe demo guest halts now.\n");
}
