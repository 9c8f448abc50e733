/* Port I/O for the guest platform layer and the guests that need it. */
#ifndef GUEST_IO_H
#define GUEST_IO_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t val)
{
    __asm__ volatile("outb %0, %1" : : "a"(val), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t val)
{
    __asm__ volatile("outl %0, %1" : : "a"(val), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t val;

    __asm__ volatile("inb %1, %0" : "=a"(val) : "Nd"(port));
    return val;
}

#endif /* GUEST_IO_H */
