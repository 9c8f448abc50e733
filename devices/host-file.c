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

/*
 * A path of PATH_MAX bytes or more names no file (the kernel refuses it
 * with ENAMETOOLONG).  Say so, showing its two ends, so that the message
 * stays within HOST_FILE_ERR_MAX however long the path.  True if PATH is
 * such a path.
 */
static bool host_file_too_long(const char *path, char *err, size_t errlen)
{
    size_t n = strlen(path);

    if (n < PATH_MAX) {
        return false;
    }
    snprintf(err, errlen, "%.40s...%s: %s (%zu bytes)", path, path + n - 40,
             strerror(ENAMETOOLONG), n);
    return true;
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

    if (host_file_too_long(path, err, errlen)) {
        return -1;
    }
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

FILE *host_file_dup_stream(FILE *f, char *err, size_t errlen)
{
    int fd;
    FILE *copy;

    fflush(f);
    fd = fcntl(fileno(f), F_DUPFD_CLOEXEC, 0);
    /* "w" on a descriptor neither truncates nor moves it. */
    copy = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!copy) {
        snprintf(err, errlen, "cannot keep the log file open: %s",
                 strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
    }
    return copy;
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

char *host_file_resolve(const char *path, bool may_create, char *err,
                        size_t errlen)
{
    struct stat st;
    const char *slash, *name;
    char *dir, *rdir, *full;
    bool missing = false, link = false;

    if (!*path) {
        snprintf(err, errlen, "'': no file named");
        return NULL;
    }
    if (host_file_too_long(path, err, errlen)) {
        return NULL;
    }
    if (may_create && lstat(path, &st) != 0) {
        missing = errno == ENOENT;
    } else if (may_create) {
        link = S_ISLNK(st.st_mode);
    }
    if (!missing) {
        full = realpath(path, NULL);
        if (!full) {
            snprintf(err, errlen, "%s: %s", path,
                     link && errno == ENOENT ? "a symbolic link to nothing"
                                             : strerror(errno));
        }
        return full;
    }
    /* Not there yet: its parent directory must be. */
    slash = strrchr(path, '/');
    name = slash ? slash + 1 : path;
    if (!*name || !strcmp(name, ".") || !strcmp(name, "..")) {
        snprintf(err, errlen, "%s: not a file name", path);
        return NULL;
    }
    dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path))
                : strdup(".");
    rdir = dir ? realpath(dir, NULL) : NULL;
    if (!rdir) {
        snprintf(err, errlen, "%s: %s", path, strerror(dir ? errno : ENOMEM));
        free(dir);
        return NULL;
    }
    free(dir);
    full = malloc(strlen(rdir) + 1 + strlen(name) + 1);
    if (full) {
        sprintf(full, "%s%s%s", rdir, strcmp(rdir, "/") ? "/" : "", name);
    } else {
        snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
    }
    free(rdir);
    return full;
}

bool host_file_is_beneath(const char *resolved, const char *dir)
{
    size_t n = strlen(dir);

    if (!strcmp(dir, "/")) {
        return resolved[0] == '/';
    }
    return !strncmp(resolved, dir, n) && (resolved[n] == '/' || !resolved[n]);
}
