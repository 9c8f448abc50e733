/*
 * The native runner behind a pipe (run-native.h).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/fuzz/run-native.h"

bool fuzz_native_start(FuzzNative *n, char *const *argv, char *err,
                       size_t errlen)
{
    int to[2], from[2];

    n->pid = -1;
    n->to_fd = n->from_fd = -1;
    if (strchr(argv[0], '/') && access(argv[0], X_OK) != 0) {
        snprintf(err, errlen, "%s: %s (build it with make)", argv[0],
                 strerror(errno));
        return false;
    }
    if (pipe(to) != 0 || pipe(from) != 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return false;
    }
    n->pid = fork();
    if (n->pid < 0) {
        snprintf(err, errlen, "fork: %s", strerror(errno));
        return false;
    }
    if (n->pid == 0) {
        dup2(to[0], 0);
        dup2(from[1], 1);
        close(to[0]);
        close(to[1]);
        close(from[0]);
        close(from[1]);
        execvp(argv[0], argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(to[0]);
    close(from[1]);
    n->to_fd = to[1];
    n->from_fd = from[0];
    /* A dead runner must show up as a failed write, not kill the test. */
    signal(SIGPIPE, SIG_IGN);
    return true;
}

static bool write_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    while (len) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        p += n;
        len -= n;
    }
    return true;
}

static bool read_all(int fd, void *buf, size_t len)
{
    uint8_t *p = buf;

    while (len) {
        ssize_t n = read(fd, p, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        p += n;
        len -= n;
    }
    return true;
}

bool fuzz_native_send(FuzzNative *n, const GenProg *p, const GenCode *c)
{
    FuzzReq req = {
        .magic = FUZZ_REQ_MAGIC,
        .code_addr = c->addr,
        .code_len = c->len,
        .eflags = p->eflags & FUZZ_FLAGS_CMP,
    };

    memcpy(req.regs, p->regs, sizeof(req.regs));
    return n->to_fd >= 0 && write_all(n->to_fd, &req, sizeof(req)) &&
           write_all(n->to_fd, c->bytes, c->len) &&
           write_all(n->to_fd, p->data, FUZZ_DATA_SIZE) &&
           write_all(n->to_fd, p->stack, FUZZ_STACK_SIZE);
}

bool fuzz_native_recv(FuzzNative *n, FuzzState *out)
{
    if (n->from_fd < 0 || !read_all(n->from_fd, out, sizeof(*out))) {
        memset(out, 0, sizeof(*out));
        out->status = FUZZ_ERROR;
        if (n->from_fd >= 0) {
            close(n->from_fd);
            close(n->to_fd);
        }
        n->from_fd = n->to_fd = -1;
        return false;
    }
    return true;
}

void fuzz_native_stop(FuzzNative *n)
{
    if (n->to_fd >= 0) {
        close(n->to_fd);
    }
    if (n->from_fd >= 0) {
        close(n->from_fd);
    }
    n->to_fd = n->from_fd = -1;
    if (n->pid > 0) {
        waitpid(n->pid, NULL, 0);
        n->pid = -1;
    }
}
