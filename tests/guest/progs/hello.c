/*
 * hello: the smallest end-to-end guest.  Boots, prints a few lines, checks
 * that the loader zeroed .bss and set up .data, exits with code 0.
 */
#include "rt.h"

static uint32_t zeroed[4096];               /* .bss */
static volatile uint32_t preset[4] = { 1, 2, 3, 4 }; /* .data */

int main(uint32_t mb_magic, const void *mb_info)
{
    uint32_t sum = 0;

    printf("Hello from softvisor guest!\n");
    printf("boot: %s\n",
           platform_boot_ok(mb_magic, mb_info) ? "ok" : "unexpected state");
    for (size_t i = 0; i < ARRAY_SIZE(zeroed); i++) {
        sum |= zeroed[i];
    }
    printf("bss: %s\n", sum == 0 ? "zeroed" : "NOT zeroed");
    printf("data: %u %u %u %u\n", preset[0], preset[1], preset[2], preset[3]);
    printf("numbers: %d %u %x %08x %s %c %llx\n", -42, 42u, 0xbeefu, 0x1234u,
           "str", 'c', 0x123456789abcdef0ull);
    CHECK(platform_boot_ok(mb_magic, mb_info));
    CHECK(sum == 0);
    CHECK(preset[0] + preset[1] + preset[2] + preset[3] == 10);
    printf("Goodbye.\n");
    return rt_finish("hello", 0);
}
