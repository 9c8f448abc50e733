/*
 * -guest key=value,... and -config FILE.  The keys are the single-guest
 * flags' names (docs/USAGE.md), plus the scheduling ones.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/chardev.h"
#include "devices/host-file.h"
#include "devices/multiboot.h"
#include "monitor/guest-options.h"
#include "monitor/options.h"

/* A -config file is a few lines per guest; a larger one is a mistake. */
#define GUEST_CONFIG_MAX (1u << 20)

GuestSpec *guest_spec_new(void)
{
    GuestSpec *s = g_new0(GuestSpec, 1);

    s->strings = g_ptr_array_new_with_free_func(g_free);
    s->cfg.weight = 1;
    s->cfg.pc.ram_size = 128ull << 20;
    s->cfg.pc.accel = ACCEL_JIT;
    s->cfg.pc.serial = "stdio";
    s->cfg.pc.debugcon = "null";
    s->cfg.pc.debug_exit_iobase = 0xf4;
    s->cfg.pc.debug_exit_iosize = 4;
    return s;
}

void guest_spec_free(GuestSpec *s)
{
    if (!s) {
        return;
    }
    g_ptr_array_free(s->strings, TRUE);
    if (s->log_file) {
        fclose(s->log_file);
    }
    g_free(s);
}

static const char *spec_strdup(GuestSpec *s, const char *v)
{
    char *copy = g_strdup(v);

    g_ptr_array_add(s->strings, copy);
    return copy;
}

static int parse_uint(const char *v, unsigned max, unsigned *out)
{
    char *end;
    unsigned long n;

    errno = 0;
    n = strtoul(v, &end, 10);
    if (errno || end == v || *end || n > max) {
        return -1;
    }
    *out = n;
    return 0;
}

static int parse_bool(const char *v, bool *out)
{
    if (!v || !strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true")) {
        *out = true;
    } else if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false")) {
        *out = false;
    } else {
        return -1;
    }
    return 0;
}

/* ---- -monitor-allow-dir --------------------------------------------- */

typedef struct PathCheck {
    const GuestSpec *s;
    const char *key;
    bool may_create;
    char *err;
    size_t errlen;
} PathCheck;

/* PATH must resolve (symbolic links and ".." followed, as open() will)
 * under one of the allowed directories. */
static int guest_spec_check_path(const char *path, void *opaque)
{
    const PathCheck *pc = opaque;
    const char *name = pc->s->cfg.name[0] ? pc->s->cfg.name : "?";
    char ferr[HOST_FILE_ERR_MAX];
    char *real = host_file_resolve(path, pc->may_create, ferr, sizeof(ferr));

    if (!real) {
        snprintf(pc->err, pc->errlen, "guest '%s': key '%s': %s", name, pc->key,
                 ferr);
        return -1;
    }
    for (char *const *d = pc->s->allow_dirs; *d; d++) {
        if (host_file_is_beneath(real, *d)) {
            free(real);
            return 0;
        }
    }
    if (strcmp(real, path) != 0) {
        snprintf(pc->err, pc->errlen,
                 "guest '%s': key '%s': %s (%s) is outside -monitor-allow-dir",
                 name, pc->key, path, real);
    } else {
        snprintf(pc->err, pc->errlen,
                 "guest '%s': key '%s': %s is outside -monitor-allow-dir", name,
                 pc->key, path);
    }
    free(real);
    return -1;
}

/* For a monitor client's guest: the host paths VALUE of KEY names. */
static int guest_spec_check_paths(const GuestSpec *s, const char *key,
                                  const char *value, char *err, size_t errlen)
{
    PathCheck pc = {s, key, false, err, errlen};
    char *path;
    int ret;

    if (!s->allow_dirs) {
        return 0;
    }
    if (!strcmp(key, "kernel")) {
        return guest_spec_check_path(value, &pc);
    }
    if (!strcmp(key, "initrd")) {
        ret = multiboot_module_paths(value, guest_spec_check_path, &pc);
        if (ret < 0 && !err[0]) {
            snprintf(err, errlen, "out of memory");
        }
        return ret;
    }
    if (!strcmp(key, "D")) {
        pc.may_create = true;
        return guest_spec_check_path(value, &pc);
    }
    if (strcmp(key, "serial") && strcmp(key, "debugcon")) {
        return 0;
    }
    /* A backend that names no path is harmless; one this check does not
     * know is refused rather than let through. */
    path = chardev_spec_path(value);
    if (!path) {
        if (!strcmp(value, "stdio") || !strcmp(value, "mon:stdio") ||
            !strcmp(value, "null")) {
            return 0;
        }
        snprintf(err, errlen,
                 "guest '%s': key '%s': %s is not allowed with "
                 "-monitor-allow-dir",
                 s->cfg.name, key, value);
        return -1;
    }
    pc.may_create = true;
    ret = guest_spec_check_path(path, &pc);
    free(path);
    return ret;
}

int guest_spec_set(GuestSpec *s, const char *key, const char *value, char *err,
                   size_t errlen)
{
    PCConfig *pc = &s->cfg.pc;
    const char *name = s->cfg.name[0] ? s->cfg.name : "?";
    const char *why = NULL;
    char cerr[HOST_FILE_ERR_MAX];
    bool flag;

    if (!value && strcmp(key, "no-reboot") && strcmp(key, "nographic")) {
        snprintf(err, errlen, "guest '%s': key '%s' needs a value", name, key);
        return -1;
    }
    if (value) {
        err[0] = 0;
        if (guest_spec_check_paths(s, key, value, err, errlen) < 0) {
            return -1;
        }
    }
    if (!strcmp(key, "name")) {
        if (strlen(value) >= sizeof(s->cfg.name)) {
            why = "too long (at most 63 characters)";
        } else {
            g_strlcpy(s->cfg.name, value, sizeof(s->cfg.name));
        }
    } else if (!strcmp(key, "kernel")) {
        pc->kernel = spec_strdup(s, value);
    } else if (!strcmp(key, "append")) {
        pc->append = spec_strdup(s, value);
    } else if (!strcmp(key, "initrd")) {
        pc->initrd = spec_strdup(s, value);
    } else if (!strcmp(key, "mem") || !strcmp(key, "m")) {
        if (options_parse_size(value, &pc->ram_size) < 0) {
            why = "not a size (e.g. 128M, 1G)";
        }
    } else if (!strcmp(key, "weight")) {
        if (parse_uint(value, 10000, &s->cfg.weight) < 0 || !s->cfg.weight) {
            why = "give a weight from 1 to 10000";
        }
    } else if (!strcmp(key, "cap")) {
        if (parse_uint(value, 100, &s->cfg.cap) < 0) {
            why = "give a percent of one host CPU, 0-100 (0: no cap)";
        }
    } else if (!strcmp(key, "reserve")) {
        if (parse_uint(value, 100, &s->cfg.reserve) < 0) {
            why = "give a percent of one host CPU, 0-100";
        }
    } else if (!strcmp(key, "serial") || !strcmp(key, "debugcon")) {
        const char *v = !strcmp(value, "mon:stdio") ? "stdio" : value;
        if (chardev_spec_check(v, cerr, sizeof(cerr)) < 0) {
            /* Inside -guest, commas between unix:PATH's options are
             * doubled: serial=unix:PATH,,server,,nowait.  CERR names the
             * spec already. */
            if (s->from_flags) {
                snprintf(err, errlen, "-%s %s", key, cerr);
            } else {
                snprintf(err, errlen, "guest '%s': key '%s': %s", name, key,
                         cerr);
            }
            return -1;
        } else if (key[0] == 's') {
            pc->serial = spec_strdup(s, v);
        } else {
            pc->debugcon = spec_strdup(s, v);
        }
    } else if (!strcmp(key, "accel")) {
        if (!strcmp(value, "interp")) {
            pc->accel = ACCEL_INTERP;
        } else if (!strcmp(value, "jit") || !strcmp(value, "tcg")) {
            pc->accel = ACCEL_JIT;
        } else {
            why = "unknown backend (jit or interp)";
        }
    } else if (!strcmp(key, "jit-cache")) {
        uint64_t size;
        if (options_parse_size(value, &size) < 0 || size < (64u << 10) ||
            size > (1ull << 30)) {
            why = "give a size from 64K to 1G (e.g. 32M)";
        } else {
            pc->code_cache_size = size;
        }
    } else if (!strcmp(key, "no-reboot")) {
        if (parse_bool(value, &pc->no_reboot) < 0) {
            why = "expected on or off";
        }
    } else if (!strcmp(key, "nographic")) {
        if (parse_bool(value, &flag) < 0) {
            why = "expected on or off";
        }
    } else if (!strcmp(key, "display")) {
        if (strcmp(value, "none")) {
            why = "only 'none' is available in this version";
        }
    } else if (!strcmp(key, "d")) {
        char lerr[256];
        int mask = machine_parse_log(value, lerr, sizeof(lerr));
        if (mask < 0) {
            if (s->from_flags) {
                snprintf(err, errlen, "-d: %s", lerr);
            } else {
                snprintf(err, errlen, "guest '%s': key 'd': %s", name, lerr);
            }
            return -1;
        }
        pc->log_mask = mask;
    } else if (!strcmp(key, "D")) {
        if (s->log_file) {
            fclose(s->log_file);
        }
        char ferr[HOST_FILE_ERR_MAX];
        s->log_file =
            host_file_fopen(value, HOST_FILE_WRITE, ferr, sizeof(ferr));
        if (!s->log_file) {
            if (s->from_flags) {
                snprintf(err, errlen, "-D %s", ferr);
            } else {
                snprintf(err, errlen, "guest '%s': key 'D': %s", name, ferr);
            }
            return -1;
        }
        pc->log = s->log_file;
    } else {
        snprintf(err, errlen, "guest '%s': unknown key '%s'", name, key);
        return -1;
    }
    if (why && s->from_flags) {
        snprintf(err, errlen, "-%s '%s': %s", key, value, why);
        return -1;
    }
    if (why) {
        snprintf(err, errlen, "guest '%s': %s='%s': %s", name, key, value, why);
        return -1;
    }
    return 0;
}

/* Split "a=1,b=x,,y" into key/value pairs; ",," is a comma. */
static GPtrArray *split_pairs(const char *text)
{
    GPtrArray *items = g_ptr_array_new_with_free_func(g_free);
    GString *cur = g_string_new(NULL);

    for (const char *p = text;; p++) {
        if (*p == ',' && p[1] == ',') {
            g_string_append_c(cur, ',');
            p++;
        } else if (*p == ',' || *p == 0) {
            if (cur->len) {
                g_ptr_array_add(items, g_strdup(cur->str));
            }
            g_string_truncate(cur, 0);
            if (!*p) {
                break;
            }
        } else {
            g_string_append_c(cur, *p);
        }
    }
    g_string_free(cur, TRUE);
    return items;
}

GuestSpec *guest_spec_parse(const char *text, char *const *allow_dirs,
                            char *err, size_t errlen)
{
    GuestSpec *s = guest_spec_new();
    GPtrArray *items = split_pairs(text);
    int ret = 0;

    s->allow_dirs = allow_dirs;
    /* The name first, so that every later message can give it. */
    for (guint i = 0; i < items->len; i++) {
        const char *it = items->pdata[i];
        if (!strncmp(it, "name=", 5)) {
            ret = guest_spec_set(s, "name", it + 5, err, errlen);
        }
    }
    if (ret == 0 && !s->cfg.name[0]) {
        snprintf(err, errlen, "-guest '%s': name=NAME is required", text);
        ret = -1;
    }
    for (guint i = 0; i < items->len && ret == 0; i++) {
        char *it = items->pdata[i], *eq = strchr(it, '=');
        if (eq) {
            *eq = 0;
        }
        if (strcmp(it, "name") != 0) {
            ret = guest_spec_set(s, it, eq ? eq + 1 : NULL, err, errlen);
        }
    }
    if (ret == 0 && !s->cfg.pc.kernel) {
        snprintf(err, errlen, "guest '%s': kernel=FILE is required",
                 s->cfg.name);
        ret = -1;
    }
    g_ptr_array_free(items, TRUE);
    if (ret < 0) {
        guest_spec_free(s);
        return NULL;
    }
    return s;
}

/*
 * GKeyFile merges two groups of the same name into one, so that a second
 * [guest a] would silently add to (or override) the first.  Find group
 * lines as GKeyFile does (after leading blanks, "[NAME]"), in TEXT that
 * it has already accepted.  -1 with ERR at the first repeated one.
 */
static int guest_config_check_groups(const char *path, const char *text,
                                     char *err, size_t errlen)
{
    GHashTable *seen =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    gchar **lines = g_strsplit(text, "\n", -1);
    int ret = 0;

    for (int i = 0; lines[i] && ret == 0; i++) {
        const char *l = lines[i], *close;

        while (g_ascii_isspace(*l)) {
            l++;
        }
        close = strrchr(l, ']');
        if (*l != '[' || !close) {
            continue;
        }
        char *name = g_strndup(l + 1, (size_t)(close - l - 1));
        gpointer first = g_hash_table_lookup(seen, name);
        if (first) {
            snprintf(err, errlen,
                     "-config %s: group [%s] on lines %d and %d: give each "
                     "guest once",
                     path, name, GPOINTER_TO_INT(first), i + 1);
            g_free(name);
            ret = -1;
        } else {
            g_hash_table_insert(seen, name, GINT_TO_POINTER(i + 1));
        }
    }
    g_strfreev(lines);
    g_hash_table_destroy(seen);
    return ret;
}

int guest_config_load(const char *path, GPtrArray *specs, char *err,
                      size_t errlen)
{
    GKeyFile *kf = g_key_file_new();
    GError *gerr = NULL;
    gchar **groups;
    int ret = 0;

    char ferr[HOST_FILE_ERR_MAX];
    size_t len;
    char *text =
        host_file_read_all(path, GUEST_CONFIG_MAX, &len, ferr, sizeof(ferr));

    if (!text) {
        snprintf(err, errlen, "-config %s", ferr);
        g_key_file_free(kf);
        return -1;
    }
    if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &gerr)) {
        snprintf(err, errlen, "-config %s: %s", path, gerr->message);
        g_error_free(gerr);
        g_key_file_free(kf);
        free(text);
        return -1;
    }
    if (guest_config_check_groups(path, text, err, errlen) < 0) {
        g_key_file_free(kf);
        free(text);
        return -1;
    }
    free(text);
    groups = g_key_file_get_groups(kf, NULL);
    if (!groups[0]) {
        snprintf(err, errlen,
                 "-config %s: no guests (give each a [guest NAME] group)",
                 path);
        ret = -1;
    }
    for (int i = 0; groups[i] && ret == 0; i++) {
        GuestSpec *s;
        gchar **keys;

        if (strncmp(groups[i], "guest ", 6) != 0) {
            snprintf(err, errlen,
                     "-config %s: group [%s]: expected [guest NAME]", path,
                     groups[i]);
            ret = -1;
            break;
        }
        s = guest_spec_new();
        ret = guest_spec_set(s, "name", groups[i] + 6, err, errlen);
        keys = g_key_file_get_keys(kf, groups[i], NULL, NULL);
        for (int k = 0; keys && keys[k] && ret == 0; k++) {
            gchar *val = g_key_file_get_string(kf, groups[i], keys[k], NULL);
            ret = guest_spec_set(s, keys[k], val, err, errlen);
            g_free(val);
        }
        g_strfreev(keys);
        if (ret == 0 && !s->cfg.pc.kernel) {
            snprintf(err, errlen, "guest '%s': kernel=FILE is required",
                     s->cfg.name);
            ret = -1;
        }
        if (ret < 0) {
            guest_spec_free(s);
        } else {
            g_ptr_array_add(specs, s);
        }
    }
    g_strfreev(groups);
    g_key_file_free(kf);
    return ret;
}
