/*
 * Guests from the command line: `-guest key=value,...` and `-config FILE`
 * (a GLib key file, one [guest NAME] group each).  Every single-guest flag
 * has a key of the same name.
 */
#ifndef MONITOR_GUEST_OPTIONS_H
#define MONITOR_GUEST_OPTIONS_H

#include <glib.h>

#include "monitor/vmm.h"

/* One parsed guest: the configuration and the strings it points to. */
typedef struct GuestSpec {
    GuestConfig cfg;
    GPtrArray *strings; /* owned; cfg.pc's strings point into them */
    FILE *log_file;     /* D=FILE, owned */
    bool from_flags;    /* set from the single-guest flags: errors name
                           the flag (-m '...') rather than the key */
    /* A monitor client's guest: every host path a key names must resolve
     * under one of these resolved directories (-monitor-allow-dir;
     * NULL-terminated, borrowed).  NULL: any path (the command line). */
    char *const *allow_dirs;
} GuestSpec;

/* A spec with the single-guest defaults (128M, jit, serial on stdio). */
GuestSpec *guest_spec_new(void);
void guest_spec_free(GuestSpec *s);

/* Set KEY to VALUE (NULL: a bare key, "on" for booleans).  -1 with ERR
 * naming the guest and the key. */
int guest_spec_set(GuestSpec *s, const char *key, const char *value, char *err,
                   size_t errlen);

/* Parse "name=NAME,kernel=FILE,..." (",," is a literal comma, as in
 * QEMU), with ALLOW_DIRS as in GuestSpec.  NULL with ERR. */
GuestSpec *guest_spec_parse(const char *text, char *const *allow_dirs,
                            char *err, size_t errlen);

/* Append the guests of key file PATH to SPECS (GuestSpec *).  -1 with
 * ERR. */
int guest_config_load(const char *path, GPtrArray *specs, char *err,
                      size_t errlen);

#endif
