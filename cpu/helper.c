/*
 * The table of helpers callable from translated code, built from
 * cpu/helper-list.h so that the list, the prototypes and the table cannot
 * disagree.  The IR interpreter prepares one libffi call interface per
 * entry from it; the JIT reads the flags to know what to write back.
 */
#include "cpu/helper.h"

const HelperInfo helper_table[HELPER_COUNT] = {
/* Fields in HelperInfo order: name, func, ret, nargs, flags. */
#define HELPER(hname, hret, hnargs, hflags)                                    \
    [HELPER_##hname] = {#hname, (void (*)(void))helper_##hname, hret, hnargs,  \
                        hflags},
#include "cpu/helper-list.h"
#undef HELPER
};
