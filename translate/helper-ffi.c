/*
 * Calling helpers through libffi.  Every helper has the signature
 * (CPUState *, uint32_t x nargs) -> void | uint32_t (cpu/helper-list.h),
 * so one prepared call interface per (returns, nargs) serves all of them.
 * The interfaces are built once, at first use, and never change after.
 */
#include <ffi.h>
#include <pthread.h>
#include <stdlib.h>

#include "cpu/helper.h"
#include "translate/interp.h"

#define MAX_HELPER_ARGS 5

typedef struct FfiTable {
    ffi_cif cif[2][MAX_HELPER_ARGS + 1];
    ffi_type *types[MAX_HELPER_ARGS + 1];
} FfiTable;

/* Immutable once built (DESIGN.md allows start-up tables). */
static FfiTable ffi_table;
static pthread_once_t ffi_once = PTHREAD_ONCE_INIT;

static void ffi_table_init(void)
{
    ffi_table.types[0] = &ffi_type_pointer;
    for (int i = 1; i <= MAX_HELPER_ARGS; i++) {
        ffi_table.types[i] = &ffi_type_uint32;
    }
    for (int ret = 0; ret < 2; ret++) {
        for (int n = 0; n <= MAX_HELPER_ARGS; n++) {
            if (ffi_prep_cif(&ffi_table.cif[ret][n], FFI_DEFAULT_ABI, n + 1,
                             ret ? &ffi_type_uint32 : &ffi_type_void,
                             ffi_table.types) != FFI_OK) {
                abort();
            }
        }
    }
}

uint32_t helper_call_ffi(CPUState *cpu, int id, uint32_t *const *args)
{
    const HelperInfo *h = &helper_table[id];
    void *avalue[MAX_HELPER_ARGS + 1];
    ffi_arg result = 0;

    pthread_once(&ffi_once, ffi_table_init);
    avalue[0] = &cpu;
    for (int i = 0; i < h->nargs; i++) {
        avalue[i + 1] = args[i];
    }
    ffi_call(&ffi_table.cif[h->ret][h->nargs], h->func, &result, avalue);
    return h->ret ? (uint32_t)result : 0;
}
