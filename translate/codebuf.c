/*
 * The JIT code buffer, mapped twice from one memfd: a read-write view the
 * emitter writes, and a read-execute view the CPU runs.  W^X holds per
 * address, and no mprotect is needed when code is added or patched.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "translate/codebuf.h"

int codebuf_init(CodeBuffer *cb, size_t size)
{
    long page = sysconf(_SC_PAGESIZE);

    memset(cb, 0, sizeof(*cb));
    cb->fd = -1;
    size = (size + page - 1) & ~(size_t)(page - 1);
    cb->fd = memfd_create("softvisor-jit", MFD_CLOEXEC);
    if (cb->fd < 0) {
        return -1;
    }
    if (ftruncate(cb->fd, (off_t)size) != 0) {
        goto fail;
    }
    cb->size = size;
    cb->rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, cb->fd, 0);
    if (cb->rw == MAP_FAILED) {
        cb->rw = NULL;
        goto fail;
    }
    cb->rx = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED, cb->fd, 0);
    if (cb->rx == MAP_FAILED) {
        cb->rx = NULL;
        goto fail;
    }
    return 0;

fail : {
    int e = errno;
    codebuf_free(cb);
    errno = e;
    return -1;
}
}

void codebuf_free(CodeBuffer *cb)
{
    if (cb->rw) {
        munmap(cb->rw, cb->size);
    }
    if (cb->rx) {
        munmap(cb->rx, cb->size);
    }
    if (cb->fd >= 0) {
        close(cb->fd);
    }
    memset(cb, 0, sizeof(*cb));
    cb->fd = -1;
}

void codebuf_commit(CodeBuffer *cb, size_t n)
{
    cb->used += n;
}

void codebuf_reset(CodeBuffer *cb)
{
    cb->used = cb->fixed;
}
