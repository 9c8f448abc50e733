/*
 * An interrupt line from a device to an interrupt controller.
 *
 * The device holds the line and drives its level; the controller supplies
 * the function that receives it (DESIGN.md: a lower layer calls up only
 * through function pointers it was handed).  A line with no function is
 * not connected: driving it does nothing.
 */
#ifndef DEVICES_IRQ_H
#define DEVICES_IRQ_H

typedef struct IrqLine {
    void (*set)(void *opaque, int n, int level);
    void *opaque;
    int n; /* input number on the controller (IRQ4 for COM1...) */
} IrqLine;

static inline void irq_set_level(const IrqLine *line, int level)
{
    if (line->set) {
        line->set(line->opaque, line->n, level);
    }
}

#endif
