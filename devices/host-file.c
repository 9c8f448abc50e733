/*
 * Opening host files without blocking, and refusing what is not a file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/host-file.h"

static const char *host_file_type(mode_t m)
{
    return S_ISDIR(m)    ? "a directory"
           : S_ISFIFO(m) ? "a FIFO"
           : S_ISSOCK(m) ? "a socket"
           : S_ISBLK(m)  ? "a block device"
           : S_ISCHR(m)  ? "a character device"
                         : "not a regular file";
}

int host_file_open(const char *path, HostFileMode mode, uint64_t *size,
                   char *err, size_t errlen)
{
    /* O_NONBLOCK makes open() of a FIFO return at once (or fail with
     * ENXIO when writing and nobody reads), so the check below can
     * refuse it; O_TRUNC waits until the type is known. */
    int flags = O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    struct stat st;
    int fd;

    flags |= mode == HOST_FILE_READ    ? O_RDONLY
             : mode == HOST_FILE_WRITE ? O_WRONLY | O_CREAT
                                       : O_WRONLY | O_CREAT | O_APPEND;
    fd = open(path, flags, 0666);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path,
                 errno == ENXIO ? "a FIFO or device with no reader; "
                                  "not a regular file"
                                : strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(st.st_mode) &&
        !(mode != HOST_FILE_READ && S_ISCHR(st.st_mode))) {
        snprintf(err, errlen, "%s: %s, not a regular file", path,
                 host_file_type(st.st_mode));
        close(fd);
        return -1;
    }
    if (S_ISREG(st.st_mode) && mode == HOST_FILE_WRITE &&
        ftruncate(fd, 0) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    /* Blocking again: a regular file never waits, and output to a
     * terminal should not be dropped. */
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    if (size) {
        *size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
    }
    return fd;
}

FILE *host_file_fopen(const char *path, HostFileMode mode, char *err,
                      size_t errlen)
{
    int fd = host_file_open(path, mode, NULL, err, errlen);
    FILE *f;

    if (fd < 0) {
        return NULL;
    }
    f = fdopen(fd, mode == HOST_FILE_READ    ? "r"
                   : mode == HOST_FILE_WRITE ? "w"
                                             : "a");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        close(fd);
    }
    return f;
}

char *host_file_read_all(const char *path, size_t max, size_t *len, char *err,
                         size_t errlen)
{
    uint64_t size;
    size_t got = 0;
    char *buf;
    int fd = host_file_open(path, HOST_FILE_READ, &size, err, errlen);

    if (fd < 0) {
        return NULL;
    }
    if (size > max) {
        snprintf(err, errlen, "%s: too large (%llu bytes, at most %zu)", path,
                 (unsigned long long)size, max);
        close(fd);
        return NULL;
    }
    buf = malloc((size_t)size + 1);
    if (!buf) {
        snprintf(err, errlen, "%s: out of memory", path);
        close(fd);
        return NULL;
    }
    /* The file may shrink meanwhile; it never gets more than SIZE bytes
     * of our memory. */
    while (got < size) {
        ssize_t n = read(fd, buf + got, (size_t)size - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            free(buf);
            close(fd);
            return NULL;
        }
        if (n == 0) {
            break;
        }
        got += (size_t)n;
    }
    close(fd);
    buf[got] = 0;
    *len = got;
    return buf;
}
