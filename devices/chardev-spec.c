/*
 * The one parser of character device specs (see chardev.h), for the
 * guests' devices and the monitors alike.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "devices/chardev.h"

#define CHARDEV_EXPECTED                                                       \
    "expected null, stdio, file:PATH, unix:PATH[,server][,nowait] or "         \
    "tcp:HOST:PORT[,server][,nowait]"

/* QEMU's words for the only mode there is; anything else is refused. */
static int chardev_spec_options(const char *spec, const char *opts, char *err,
                                size_t errlen)
{
    while (opts) {
        const char *opt = opts + 1;
        size_t len;

        opts = strchr(opt, ',');
        len = opts ? (size_t)(opts - opt) : strlen(opt);
        if (!(len == 6 && !strncmp(opt, "server", 6)) &&
            !(len == 9 && !strncmp(opt, "server=on", 9)) &&
            !(len == 6 && !strncmp(opt, "nowait", 6)) &&
            !(len == 8 && !strncmp(opt, "wait=off", 8))) {
            snprintf(err, errlen,
                     "%s: unsupported option '%.*s' (softvisor only "
                     "serves: server,nowait)",
                     spec, (int)len, opt);
            return -1;
        }
    }
    return 0;
}

static int chardev_spec_unix(const char *spec, const char *where, CharSpec *cs,
                             char *err, size_t errlen)
{
    size_t max = sizeof(((struct sockaddr_un *)0)->sun_path) - 1;

    if (!where[0]) {
        snprintf(err, errlen, "%s: give a socket path after unix:", spec);
        return -1;
    }
    if (strlen(where) > max) {
        snprintf(err, errlen, "%s: socket path longer than %zu bytes", spec,
                 max);
        return -1;
    }
    cs->kind = CHAR_UNIX;
    cs->path = g_strdup(where);
    return 0;
}

/*
 * The monitor can stop, add and delete guests, and a guest's console is
 * its keyboard: neither may be reachable from other hosts.
 */
static bool chardev_host_is_loopback(const char *host)
{
    GInetAddress *ia;
    bool ok;

    if (!strcmp(host, "localhost")) {
        return true;
    }
    ia = g_inet_address_new_from_string(host);
    ok = ia && g_inet_address_get_is_loopback(ia);
    if (ia) {
        g_object_unref(ia);
    }
    return ok;
}

static int chardev_spec_tcp(const char *spec, const char *where, CharSpec *cs,
                            char *err, size_t errlen)
{
    const char *colon = strrchr(where, ':');
    unsigned long port;
    char *host, *end;

    if (!colon) {
        snprintf(err, errlen, "%s: expected tcp:HOST:PORT", spec);
        return -1;
    }
    port = strtoul(colon + 1, &end, 10);
    if (!colon[1] || *end || colon[1] == '-' || port > 65535) {
        snprintf(err, errlen, "%s: bad port (0-65535)", spec);
        return -1;
    }
    host = g_strndup(where, colon - where);
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        char *bare = g_strndup(host + 1, strlen(host) - 2);
        g_free(host);
        host = bare;
    }
    if (!chardev_host_is_loopback(host)) {
        snprintf(err, errlen,
                 "%s: only a loopback address may listen (127.0.0.1, ::1 "
                 "or localhost)",
                 spec);
        g_free(host);
        return -1;
    }
    cs->kind = CHAR_TCP;
    cs->host = host;
    cs->port = (unsigned)port;
    return 0;
}

int chardev_spec_parse(const char *spec, CharSpec *cs, char *err, size_t errlen)
{
    const char *comma;
    char *where;
    int ret;

    memset(cs, 0, sizeof(*cs));
    if (!strcmp(spec, "null")) {
        cs->kind = CHAR_NULL;
        return 0;
    }
    if (!strcmp(spec, "stdio")) {
        cs->kind = CHAR_STDIO;
        return 0;
    }
    if (g_str_has_prefix(spec, "file:")) {
        /* The rest is the path, commas and all. */
        if (!spec[5]) {
            snprintf(err, errlen, "%s: give a path after file:", spec);
            return -1;
        }
        cs->kind = CHAR_FILE;
        cs->path = g_strdup(spec + 5);
        return 0;
    }
    if (!g_str_has_prefix(spec, "unix:") && !g_str_has_prefix(spec, "tcp:")) {
        snprintf(err, errlen, "%s: unknown character device (%s)", spec,
                 CHARDEV_EXPECTED);
        return -1;
    }
    comma = strchr(spec, ',');
    if (chardev_spec_options(spec, comma, err, errlen) < 0) {
        return -1;
    }
    where = g_strndup(spec, comma ? (size_t)(comma - spec) : strlen(spec));
    ret = spec[0] == 'u' ? chardev_spec_unix(spec, where + 5, cs, err, errlen)
                         : chardev_spec_tcp(spec, where + 4, cs, err, errlen);
    g_free(where);
    return ret;
}

void chardev_spec_clear(CharSpec *cs)
{
    g_free(cs->path);
    g_free(cs->host);
    memset(cs, 0, sizeof(*cs));
}

int chardev_spec_check(const char *spec, char *err, size_t errlen)
{
    CharSpec cs;

    if (chardev_spec_parse(spec, &cs, err, errlen) < 0) {
        return -1;
    }
    chardev_spec_clear(&cs);
    return 0;
}

char *chardev_spec_path(const char *spec)
{
    char err[64], *path = NULL;
    CharSpec cs;

    if (chardev_spec_parse(spec, &cs, err, sizeof(err)) < 0) {
        return NULL;
    }
    if (cs.path) {
        path = strdup(cs.path); /* free()d by the caller */
    }
    chardev_spec_clear(&cs);
    return path;
}
