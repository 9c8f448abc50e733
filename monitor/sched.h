/*
 * The scheduler's side of the VMM (docs/SCHEDULER.md): the Guest and Vmm
 * objects as vmm.c and sched.c share them, the worker threads, and the
 * policy that picks the next guest.  Private to monitor/: the public API
 * is monitor/vmm.h.
 *
 * Locking: one mutex (Vmm.lock) guards every field below except a
 * guest's Machine while a worker runs it (Guest.on_cpu): then only that
 * worker touches the Machine, and everyone else waits for on_cpu to drop
 * (Vmm.cond is broadcast whenever it does).
 */
#ifndef MONITOR_SCHED_H
#define MONITOR_SCHED_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "monitor/vmm.h"

/* Share over the last second: CPU time per 100 ms bucket. */
#define SCHED_BUCKETS 10
#define SCHED_BUCKET_NS 100000000ull

typedef struct Guest {
    GuestConfig cfg; /* strings point to the copies below */
    char *kernel, *append, *initrd, *serial, *debugcon, *kernel_name;
    FILE *log;  /* its own stream on the -D file, or NULL */
    Machine *m; /* NULL while a reset rebuilds it */
    GuestState state;
    int exit_status;
    char reason[256];

    bool on_cpu;             /* a worker is running it */
    uint64_t slice_deadline; /* on_cpu: when the preempter cuts the slice */
    bool preempted;          /* on_cpu: the preempter asked it to leave */
    unsigned held; /* the monitor holds it still: no worker may take it */
    bool dead;     /* deleted: freed once the last holder lets go */

    /* Policy state (sched.c). */
    uint64_t vtime;     /* weighted virtual time: cpu ns * 1024 / weight */
    uint64_t cap_time;  /* cap: when the guest may run again */
    uint64_t res_time;  /* reservation: how far its reserve is served */
    double insn_per_ns; /* measured speed, for slice budgets */

    /* Accounting. */
    uint64_t insns, cpu_ns, slices;
    uint64_t preemptions; /* slices the preempter had to cut */
    uint64_t max_slice_ns;
    size_t tb_bytes;   /* as of its last slice */
    uint64_t start_ns; /* when it was created or reset */
    uint64_t bucket_ns[SCHED_BUCKETS];
    uint64_t bucket_epoch[SCHED_BUCKETS];

    struct Guest *next;
} Guest;

struct Vmm {
    GMutex lock;
    GCond cond;       /* on_cpu dropped, a guest became runnable, quit */
    Guest *guests;    /* creation order */
    unsigned nguests; /* not dead */
    VmmConfig cfg;
    unsigned max_threads; /* capacity for reservations */
    GThread **workers;
    unsigned nworkers;
    GThread *preempter; /* cuts slices that overrun their time */
    GCond preempt_cond; /* wakes the preempter: a deadline, or quit */
    bool preempt_idle;  /* it waits with no slice to watch */
    bool deferred;      /* workers wait for vmm_start */
    bool quit;
    VmmEventFn event_fn;
    void *event_opaque;
    GThread *reporter; /* -sched-report */
    FILE *report_file;
    bool report_stop;
    gint refs; /* vmm_free's, and one per queued event */
    uint64_t slice_ns;
};

uint64_t sched_now_ns(void);

/* Start worker threads up to what the configuration allows for the
 * current number of guests.  Lock held. */
void sched_grow_workers(Vmm *v);
/* Stop and join every worker (quit must be set).  Lock not held. */
void sched_join_workers(Vmm *v);

/* A guest (re)enters the runnable set: place it in virtual time so that
 * it neither starves the others nor is starved by its past.  Lock held. */
void sched_make_runnable(Vmm *v, Guest *g);

/* Snapshot of one guest.  Lock held. */
void sched_guest_info(Vmm *v, Guest *g, GuestInfo *out);

/* vmm.c: deliver an event on the main thread.  Lock held. */
void vmm_post_event(Vmm *v, Guest *g, VmmEvent ev);

#endif
