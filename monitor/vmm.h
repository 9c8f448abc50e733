/*
 * The Virtual Machine Monitor: the guests of this process, their
 * lifecycle, and the scheduler that shares the host CPUs among them
 * (DESIGN.md, "Guest", "Scheduler", "Threads").
 *
 * Threads: worker threads run guests (one guest on at most one thread at a
 * time); the main thread runs the GLib main loop with the monitor and QMP.
 * Every function here may be called from the main thread while workers
 * run: requests to a running guest are posted and take effect at its next
 * block boundary; inspection functions stop the guest first (or read a
 * snapshot), never a guest in mid-flight.
 */
#ifndef MONITOR_VMM_H
#define MONITOR_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "devices/pc.h"
#include "translate/machine.h"

typedef enum GuestState {
    GUEST_RUNNING, /* runnable: the scheduler gives it slices */
    GUEST_PAUSED,  /* stopped by the monitor (stop) */
    GUEST_HALTED,  /* hlt with nothing pending: uses no host CPU */
    GUEST_ENDED,   /* exit status set (debug exit, ...) */
    GUEST_FAILED,  /* guest fault or unsupported feature: see reason */
} GuestState;

const char *guest_state_name(GuestState s);

/* Everything that makes one guest: what -guest key=value,... gives. */
typedef struct GuestConfig {
    char name[64];
    PCConfig pc;       /* strings and log stream owned by the caller
                          until vmm_add_guest returns (it copies them) */
    unsigned weight;   /* default 1 */
    unsigned cap;      /* percent of one host CPU, 0 = no cap */
    unsigned reserve;  /* percent of one host CPU, 0 = none */
} GuestConfig;

/* A consistent snapshot of one guest, for monitors and reports. */
typedef struct GuestInfo {
    char name[64];
    GuestState state;
    unsigned weight, cap, reserve;
    int exit_status;         /* GUEST_ENDED */
    char reason[256];        /* GUEST_FAILED/ENDED: first line of it */
    uint64_t instructions;   /* retired */
    uint64_t cpu_ns;         /* host CPU time spent running it */
    uint64_t slices;
    uint64_t max_slice_ns;   /* the longest slice, in host CPU time */
    uint64_t preemptions;    /* slices cut for overrunning their time */
    double share_last;       /* fraction of one host CPU, last second */
    double share_total;      /* since start */
    size_t tb_bytes;         /* translation-block cache */
    uint64_t ram_bytes;
    MachineAccel accel;
} GuestInfo;

typedef struct VmmConfig {
    unsigned threads;       /* worker threads; 0: host cores, at most
                               the number of guests */
    unsigned slice_us;      /* target slice length; 0: default (2 ms) */
    uint64_t mem_limit;     /* sum of guest RAM; 0: none */
    const char *report;     /* -sched-report FILE, or NULL */
    unsigned report_interval_s; /* default 1 */
    bool defer_start;       /* guests wait for vmm_start (so that a bad
                               guest in a list stops the process before
                               any guest ran) */
} VmmConfig;

typedef struct Vmm Vmm;

/* Events for QMP and the monitor (GUEST_END, STOP, RESUME).  Called on
 * the main thread (through the GLib main context of vmm_new's caller). */
typedef enum VmmEvent { VMM_EVENT_END, VMM_EVENT_STOP, VMM_EVENT_RESUME } VmmEvent;
typedef void (*VmmEventFn)(void *opaque, VmmEvent ev, const GuestInfo *g);

Vmm *vmm_new(const VmmConfig *cfg, char *err, size_t errlen);
/* Stop every worker, free every guest. */
void vmm_free(Vmm *v);
void vmm_set_event_handler(Vmm *v, VmmEventFn fn, void *opaque);
/* With defer_start: let the workers run the guests added so far. */
void vmm_start(Vmm *v);

/* Create a guest (PC board, kernel loaded) and make it runnable.  -1 with
 * one line in ERR: duplicate name, over -mem-limit, reservation that
 * would overcommit the host, bad image... */
int vmm_add_guest(Vmm *v, const GuestConfig *cfg, char *err, size_t errlen);
int vmm_del_guest(Vmm *v, const char *name, char *err, size_t errlen);

/* NAME NULL means every guest.  -1 with ERR for an unknown name. */
int vmm_stop(Vmm *v, const char *name, char *err, size_t errlen);
int vmm_cont(Vmm *v, const char *name, char *err, size_t errlen);
int vmm_reset(Vmm *v, const char *name, char *err, size_t errlen);
int vmm_set_weight(Vmm *v, const char *name, unsigned w, char *err,
                   size_t errlen);
int vmm_set_cap(Vmm *v, const char *name, unsigned pct, char *err,
                size_t errlen);
int vmm_set_reserve(Vmm *v, const char *name, unsigned pct, char *err,
                    size_t errlen);

/* Snapshots of up to MAX guests, in creation order; returns the number of
 * guests. */
size_t vmm_list(Vmm *v, GuestInfo *out, size_t max);
int vmm_info(Vmm *v, const char *name, GuestInfo *out);

/*
 * Run FN on guest NAME's Machine while the guest is held still (it is
 * paused for the call if it was running, then resumed).  For info
 * registers, x/xp, disas.  -1 with ERR for an unknown name.
 */
int vmm_with_machine(Vmm *v, const char *name,
                     void (*fn)(Machine *m, void *opaque), void *opaque,
                     char *err, size_t errlen);

/* Block until every guest has ended or failed (or vmm_request_quit). */
void vmm_wait_all(Vmm *v);
void vmm_request_quit(Vmm *v);
bool vmm_all_done(Vmm *v);

#endif
