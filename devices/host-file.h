/*
 * Host files named by a user or a monitor client (kernels, modules,
 * config files, logs, serial output).  They are opened without ever
 * blocking: a FIFO with no writer, or with no reader, would otherwise
 * stall the whole process at open().  Anything that is not a regular
 * file is refused, except a character device (/dev/null, a terminal)
 * where output may go.
 */
#ifndef DEVICES_HOST_FILE_H
#define DEVICES_HOST_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum HostFileMode {
    HOST_FILE_READ,   /* a regular file, read only */
    HOST_FILE_WRITE,  /* created or truncated; or a character device */
    HOST_FILE_APPEND, /* created or appended to; or a character device */
} HostFileMode;

/* A descriptor for PATH (close-on-exec, blocking again once open), and
 * for HOST_FILE_READ its size in *SIZE (may be NULL); -1 with
 * "PATH: problem" in ERR. */
int host_file_open(const char *path, HostFileMode mode, uint64_t *size,
                   char *err, size_t errlen);

/* The same as a stdio stream ("r", "w" or "a" by MODE). */
FILE *host_file_fopen(const char *path, HostFileMode mode, char *err,
                      size_t errlen);

/* The whole of a regular file of at most MAX bytes, NUL-terminated
 * (free() it), its length in *LEN; NULL with "PATH: problem" in ERR. */
char *host_file_read_all(const char *path, size_t max, size_t *len, char *err,
                         size_t errlen);

#endif
