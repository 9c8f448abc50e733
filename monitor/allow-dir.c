/*
 * -monitor-allow-dir: the directories a monitor client's host paths must
 * resolve under.  The paths themselves are checked where guest keys are
 * parsed (guest-options.c), before anything is opened.
 */
#include <stdlib.h>
#include <sys/stat.h>

#include "devices/host-file.h"
#include "monitor/monitor-int.h"

int monitors_allow_dirs(Monitors *ms, char *const *dirs, char *err,
                        size_t errlen)
{
    GPtrArray *real = g_ptr_array_new_with_free_func(g_free);

    for (char *const *d = dirs; *d; d++) {
        char ferr[HOST_FILE_ERR_MAX];
        char *r = host_file_resolve(*d, false, ferr, sizeof(ferr));
        struct stat st;

        if (r && (stat(r, &st) != 0 || !S_ISDIR(st.st_mode))) {
            snprintf(ferr, sizeof(ferr), "%s: not a directory", *d);
            free(r);
            r = NULL;
        }
        if (!r) {
            snprintf(err, errlen, "-monitor-allow-dir %s", ferr);
            g_ptr_array_free(real, TRUE);
            return -1;
        }
        g_ptr_array_add(real, g_strdup(r));
        free(r);
    }
    g_ptr_array_add(real, NULL);
    g_strfreev(ms->allow_dirs);
    ms->allow_dirs = (char **)g_ptr_array_free(real, FALSE);
    return 0;
}
