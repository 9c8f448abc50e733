/*
 * The JIT's code buffer: one per Machine, with a size quota.  The same
 * memory is mapped twice, writable at one address and executable at
 * another, so no page is ever writable and executable at once
 * (docs/ARCHITECTURE.md, "Code buffer").
 */
#ifndef TRANSLATE_CODEBUF_H
#define TRANSLATE_CODEBUF_H

#include <stddef.h>
#include <stdint.h>

typedef struct CodeBuffer {
    uint8_t *rw; /* the writable view */
    uint8_t *rx; /* the executable view of the same bytes */
    size_t size;
    size_t fixed; /* bytes at the start that survive a flush */
    size_t used;
    int fd;
} CodeBuffer;

/* Map SIZE bytes (rounded up to pages).  0, or -1 with errno set. */
int codebuf_init(CodeBuffer *cb, size_t size);
void codebuf_free(CodeBuffer *cb);

/* The executable address of writable address P. */
static inline uintptr_t codebuf_rx(const CodeBuffer *cb, const uint8_t *p)
{
    return (uintptr_t)(cb->rx + (p - cb->rw));
}

/* Free space at the end, and committing N bytes written there. */
static inline uint8_t *codebuf_top(const CodeBuffer *cb)
{
    return cb->rw + cb->used;
}
static inline size_t codebuf_avail(const CodeBuffer *cb)
{
    return cb->size - cb->used;
}
void codebuf_commit(CodeBuffer *cb, size_t n);
/* Drop everything after the fixed part (the prologue). */
void codebuf_reset(CodeBuffer *cb);

#endif
