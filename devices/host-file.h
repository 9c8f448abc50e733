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

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Room for an error message that names host files: two paths of up to
 * PATH_MAX (a path and what it resolves to, or a spec and its path) and
 * the words around them, so that such a message always comes out whole.
 * Buffers that may hold one, at every layer it passes, are this large.  A
 * longer path names no file; messages shorten it.
 */
#define HOST_FILE_ERR_MAX (2 * PATH_MAX + 1024)

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

/* A second stream on F's open file (the same file offset), for an owner
 * that outlives F; F is flushed first.  NULL with ERR. */
FILE *host_file_dup_stream(FILE *f, char *err, size_t errlen);

/*
 * PATH as open() would find it: absolute, every symbolic link, "." and
 * ".." resolved (realpath(3); a relative PATH from the working
 * directory).  With MAY_CREATE, a PATH that does not exist yet resolves
 * through its parent directory (where open(O_CREAT) or bind() would make
 * it); a dangling symbolic link never resolves, since creating through it
 * would create its target.  A malloc'd string, or NULL with "PATH:
 * problem" in ERR.
 */
char *host_file_resolve(const char *path, bool may_create, char *err,
                        size_t errlen);

/* Whether RESOLVED (from host_file_resolve) is DIR or lies below it; DIR
 * is resolved too. */
bool host_file_is_beneath(const char *resolved, const char *dir);

#endif
