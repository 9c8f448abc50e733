/*
 * A 16550A UART (National Semiconductor PC16550D datasheet), as COM1-4 of
 * a PC.  Transmitted bytes go to the character backend at once; there is
 * no baud-rate timing.  The interrupt output drives an IrqLine.
 */
#ifndef DEVICES_SERIAL_H
#define DEVICES_SERIAL_H

#include <stddef.h>
#include <stdint.h>

#include "devices/chardev.h"
#include "devices/irq.h"
#include "memory/memory.h"

typedef struct SerialState SerialState;

/*
 * A UART with its eight registers at ports [base, base+8) of PS, output to
 * and input from CHR (NULL: no backend), interrupt output on IRQ.  NULL if
 * the ports are taken.  The serial port does not own CHR.
 */
SerialState *serial_new(PortSpace *ps, uint16_t base, CharDev *chr,
                        IrqLine irq);
/* Detaches from CHR.  The ports stay claimed: free the PortSpace first. */
void serial_free(SerialState *s);

/* Master reset (datasheet Table III: "UART Reset Configuration"). */
void serial_reset(SerialState *s);

/* The register file, OFFSET 0..7 (what the port handlers call). */
uint32_t serial_ioport_read(void *opaque, uint32_t offset, unsigned size);
void serial_ioport_write(void *opaque, uint32_t offset, uint32_t value,
                         unsigned size);

/* Receiver side, the handlers given to the backend: how many bytes the
 * receiver takes now, and bytes arriving on the serial input. */
size_t serial_can_receive(void *opaque);
void serial_receive(void *opaque, const uint8_t *buf, size_t len);
/* A break condition on the serial input. */
void serial_receive_break(SerialState *s);

/* Between slices: take backend input, then run the receiver's character
 * timeout (one poll interval without receiver activity stands for the
 * datasheet's four character times).  A MachinePollFn. */
void serial_poll(void *opaque);

/* Level of the interrupt output (for tests and monitor dumps). */
int serial_irq_level(const SerialState *s);

#endif
