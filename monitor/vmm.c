/*
 * The VMM: the guest registry and each guest's lifecycle (monitor/vmm.h).
 * The scheduler that runs the guests is in sched.c.
 *
 * Requests from the main thread (stop, reset, del, inspection) take
 * effect when the guest is off its worker: the caller "holds" the guest
 * (no worker may pick it), asks a running guest to leave its slice at the
 * next block boundary (machine_request_leave), and waits for that, which
 * is at most one block.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "devices/host-file.h"
#include "monitor/json.h"
#include "monitor/sched.h"

#define DEFAULT_SLICE_US 2000

const char *guest_state_name(GuestState s)
{
    switch (s) {
    case GUEST_RUNNING: return "running";
    case GUEST_PAUSED: return "paused";
    case GUEST_HALTED: return "halted";
    case GUEST_ENDED: return "ended";
    case GUEST_FAILED: return "failed";
    }
    return "unknown";
}

/* ---- events ---- */

typedef struct VmmEventMsg {
    Vmm *v;
    VmmEvent ev;
    GuestInfo info;
} VmmEventMsg;

static void vmm_unref(Vmm *v);

static gboolean vmm_deliver_event(gpointer opaque)
{
    VmmEventMsg *msg = opaque;
    Vmm *v = msg->v;
    VmmEventFn fn;
    void *fn_opaque;

    g_mutex_lock(&v->lock);
    fn = v->event_fn;
    fn_opaque = v->event_opaque;
    g_mutex_unlock(&v->lock);
    if (fn) {
        fn(fn_opaque, msg->ev, &msg->info);
    }
    vmm_unref(v);
    g_free(msg);
    return G_SOURCE_REMOVE;
}

void vmm_post_event(Vmm *v, Guest *g, VmmEvent ev)
{
    VmmEventMsg *msg = g_new0(VmmEventMsg, 1);
    GSource *src = g_idle_source_new();

    msg->v = v;
    msg->ev = ev;
    sched_guest_info(v, g, &msg->info);
    g_atomic_int_inc(&v->refs);
    /* Always through the main loop, never called in place: workers hold
     * the lock here, and handlers belong to the main thread. */
    g_source_set_callback(src, vmm_deliver_event, msg, NULL);
    g_source_attach(src, g_main_context_default());
    g_source_unref(src);
}

/* ---- the registry ---- */

static Guest *vmm_find(Vmm *v, const char *name)
{
    for (Guest *g = v->guests; g; g = g->next) {
        if (!g->dead && !strcmp(g->cfg.name, name)) {
            return g;
        }
    }
    return NULL;
}

static bool vmm_done_state(GuestState s)
{
    /* Nothing can wake a halted guest yet (no interrupt sources). */
    return s == GUEST_ENDED || s == GUEST_FAILED || s == GUEST_HALTED;
}

/* Wait until no worker runs G and none will take it.  Lock held. */
static void vmm_hold(Vmm *v, Guest *g)
{
    g->held++;
    if (g->on_cpu && g->m) {
        machine_request_leave(g->m);
    }
    while (g->on_cpu) {
        g_cond_wait(&v->cond, &v->lock);
    }
}

static void vmm_unhold(Vmm *v, Guest *g)
{
    g->held--;
    g_cond_broadcast(&v->cond);
}

static void guest_free(Guest *g)
{
    pc_free(g->m);
    if (g->log) {
        fclose(g->log);
    }
    g_free(g->kernel);
    g_free(g->append);
    g_free(g->initrd);
    g_free(g->serial);
    g_free(g->debugcon);
    g_free(g->kernel_name);
    g_free(g);
}

/*
 * Copy the strings of CFG into G, which owns them from now on, and take
 * a stream of its own on the log file: the guest logs, and is rebuilt
 * from G->cfg at reset, long after the caller's stream (a monitor
 * command's) is closed.  -1 with ERR.
 */
static int guest_copy_config(Guest *g, const GuestConfig *cfg, char *err,
                             size_t errlen)
{
    g->cfg = *cfg;
    if (cfg->pc.log && cfg->pc.log != stderr && cfg->pc.log != stdout) {
        char ferr[256];

        g->log = host_file_dup_stream(cfg->pc.log, ferr, sizeof(ferr));
        if (!g->log) {
            snprintf(err, errlen, "guest '%s': %s", cfg->name, ferr);
            return -1;
        }
        g->cfg.pc.log = g->log;
    }
    g->kernel = g_strdup(cfg->pc.kernel);
    g->append = g_strdup(cfg->pc.append);
    g->initrd = g_strdup(cfg->pc.initrd);
    g->serial = g_strdup(cfg->pc.serial);
    g->debugcon = g_strdup(cfg->pc.debugcon);
    g->kernel_name = g_strdup(cfg->pc.kernel_name);
    g->cfg.pc.kernel = g->kernel;
    g->cfg.pc.append = g->append;
    g->cfg.pc.initrd = g->initrd;
    g->cfg.pc.serial = g->serial;
    g->cfg.pc.debugcon = g->debugcon;
    g->cfg.pc.kernel_name = g->kernel_name;
    if (!g->cfg.weight) {
        g->cfg.weight = 1;
    }
    return 0;
}

/* Sum of a field over the live guests, but EXCEPT. */
static uint64_t vmm_sum_reserve(Vmm *v, const Guest *except)
{
    uint64_t sum = 0;

    for (Guest *g = v->guests; g; g = g->next) {
        if (!g->dead && g != except && !vmm_done_state(g->state)) {
            sum += g->cfg.reserve;
        }
    }
    return sum;
}

static int vmm_check_quota(Vmm *v, const Guest *self, const char *name,
                           unsigned cap, unsigned reserve, char *err,
                           size_t errlen)
{
    uint64_t total = vmm_sum_reserve(v, self) + reserve;

    if (cap > 100 || reserve > 100) {
        snprintf(err, errlen,
                 "guest '%s': cap and reserve are percent of one host CPU "
                 "(0-100)",
                 name);
        return -1;
    }
    if (cap && reserve > cap) {
        snprintf(err, errlen, "guest '%s': reserve=%u%% is above its cap=%u%%",
                 name, reserve, cap);
        return -1;
    }
    if (reserve && total > 100ull * v->max_threads) {
        snprintf(err, errlen,
                 "guest '%s': reserve=%u%% refused: reservations would "
                 "total %llu%% of %u host CPU%s (at most %u%%)",
                 name, reserve, (unsigned long long)total, v->max_threads,
                 v->max_threads == 1 ? "" : "s", 100 * v->max_threads);
        return -1;
    }
    return 0;
}

static bool vmm_name_ok(const char *name)
{
    if (!name[0]) {
        return false;
    }
    for (const char *p = name; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("_-.", *p)) {
            return false;
        }
    }
    return true;
}

int vmm_add_guest(Vmm *v, const GuestConfig *cfg, char *err, size_t errlen)
{
    uint64_t ram = 0;
    char perr[HOST_FILE_ERR_MAX];
    Guest *g, **tail;
    Machine *m;

    if (!vmm_name_ok(cfg->name)) {
        snprintf(err, errlen,
                 "guest name '%s': use letters, digits, '_', '-' or '.'",
                 cfg->name);
        return -1;
    }
    g_mutex_lock(&v->lock);
    if (vmm_find(v, cfg->name)) {
        g_mutex_unlock(&v->lock);
        snprintf(err, errlen, "guest '%s' already exists", cfg->name);
        return -1;
    }
    if (vmm_check_quota(v, NULL, cfg->name, cfg->cap, cfg->reserve, err,
                        errlen) < 0) {
        g_mutex_unlock(&v->lock);
        return -1;
    }
    for (Guest *o = v->guests; o; o = o->next) {
        ram += o->dead ? 0 : o->cfg.pc.ram_size;
    }
    if (v->cfg.mem_limit && ram + cfg->pc.ram_size > v->cfg.mem_limit) {
        g_mutex_unlock(&v->lock);
        snprintf(err, errlen,
                 "guest '%s': %llu MiB of RAM refused: guests would use "
                 "%llu MiB, over -mem-limit %llu MiB",
                 cfg->name, (unsigned long long)(cfg->pc.ram_size >> 20),
                 (unsigned long long)((ram + cfg->pc.ram_size) >> 20),
                 (unsigned long long)(v->cfg.mem_limit >> 20));
        return -1;
    }
    /* Insert it held, so that the name and the RAM are taken while the
     * board is built without the lock. */
    g = g_new0(Guest, 1);
    if (guest_copy_config(g, cfg, err, errlen) < 0) {
        g_mutex_unlock(&v->lock);
        guest_free(g);
        return -1;
    }
    g->held = 1;
    g->state = GUEST_RUNNING;
    for (tail = &v->guests; *tail; tail = &(*tail)->next) {
    }
    *tail = g;
    v->nguests++;
    g_mutex_unlock(&v->lock);

    m = pc_new(&g->cfg.pc, perr, sizeof(perr));

    g_mutex_lock(&v->lock);
    if (!m) {
        for (tail = &v->guests; *tail != g; tail = &(*tail)->next) {
        }
        *tail = g->next;
        v->nguests--;
        g_mutex_unlock(&v->lock);
        snprintf(err, errlen, "guest '%s': %s", cfg->name, perr);
        guest_free(g);
        return -1;
    }
    g->m = m;
    g->start_ns = sched_now_ns();
    sched_make_runnable(v, g);
    g->held = 0;
    sched_grow_workers(v);
    g_cond_broadcast(&v->cond);
    g_mutex_unlock(&v->lock);
    return 0;
}

int vmm_del_guest(Vmm *v, const char *name, char *err, size_t errlen)
{
    Guest *g, **pp;

    g_mutex_lock(&v->lock);
    g = vmm_find(v, name);
    if (!g) {
        g_mutex_unlock(&v->lock);
        snprintf(err, errlen, "no guest named '%s'", name);
        return -1;
    }
    vmm_hold(v, g);
    if (g->held > 1) {
        vmm_unhold(v, g);
        g_mutex_unlock(&v->lock);
        snprintf(err, errlen, "guest '%s' is busy", name);
        return -1;
    }
    for (pp = &v->guests; *pp != g; pp = &(*pp)->next) {
    }
    *pp = g->next;
    g->dead = true;
    v->nguests--;
    g_cond_broadcast(&v->cond);
    g_mutex_unlock(&v->lock);
    guest_free(g);
    return 0;
}

/* ---- lifecycle requests ---- */

typedef int (*GuestOp)(Vmm *v, Guest *g, char *err, size_t errlen);

/* Apply OP to guest NAME, or to every guest when NAME is NULL (the first
 * error is reported, the others still done).  Lock held by OP's caller. */
static int vmm_for_guests(Vmm *v, const char *name, GuestOp op, char *err,
                          size_t errlen)
{
    int ret = 0;

    g_mutex_lock(&v->lock);
    if (name) {
        Guest *g = vmm_find(v, name);
        if (!g) {
            snprintf(err, errlen, "no guest named '%s'", name);
            ret = -1;
        } else {
            ret = op(v, g, err, errlen);
        }
    } else {
        for (Guest *g = v->guests; g; g = g->next) {
            if (op(v, g, err, errlen) < 0 && ret == 0) {
                ret = -1;
                /* Keep the first message. */
                err = NULL;
                errlen = 0;
            }
        }
    }
    g_mutex_unlock(&v->lock);
    return ret;
}

static int guest_stop(Vmm *v, Guest *g, char *err, size_t errlen)
{
    if (g->state != GUEST_RUNNING) {
        return 0;
    }
    vmm_hold(v, g);
    /* The slice it was on may have ended it meanwhile. */
    if (g->state == GUEST_RUNNING) {
        g->state = GUEST_PAUSED;
        vmm_post_event(v, g, VMM_EVENT_STOP);
    }
    vmm_unhold(v, g);
    return 0;
}

static int guest_cont(Vmm *v, Guest *g, char *err, size_t errlen)
{
    if (g->state != GUEST_PAUSED) {
        return 0;
    }
    g->state = GUEST_RUNNING;
    sched_make_runnable(v, g);
    vmm_post_event(v, g, VMM_EVENT_RESUME);
    g_cond_broadcast(&v->cond);
    return 0;
}

/* Reset = a new board from the saved configuration: the simplest reset
 * that is certainly complete (RAM, devices, code cache, CPU). */
static int guest_reset(Vmm *v, Guest *g, char *err, size_t errlen)
{
    char perr[HOST_FILE_ERR_MAX];
    Machine *old, *m;
    bool paused;

    vmm_hold(v, g);
    if (g->held > 1) {
        vmm_unhold(v, g);
        if (err) {
            snprintf(err, errlen, "guest '%s' is busy", g->cfg.name);
        }
        return -1;
    }
    old = g->m;
    g->m = NULL;
    paused = g->state == GUEST_PAUSED;
    g_mutex_unlock(&v->lock);
    pc_free(old);
    m = pc_new(&g->cfg.pc, perr, sizeof(perr));
    g_mutex_lock(&v->lock);
    g->m = m;
    if (!m) {
        g->state = GUEST_FAILED;
        snprintf(g->reason, sizeof(g->reason), "reset: %.200s", perr);
        vmm_post_event(v, g, VMM_EVENT_END);
    } else {
        g->state = paused ? GUEST_PAUSED : GUEST_RUNNING;
        g->reason[0] = 0;
        g->exit_status = 0;
        sched_make_runnable(v, g);
    }
    vmm_unhold(v, g);
    if (!m && err) {
        snprintf(err, errlen, "guest '%s': reset: %s", g->cfg.name, perr);
    }
    return m ? 0 : -1;
}

int vmm_stop(Vmm *v, const char *name, char *err, size_t errlen)
{
    return vmm_for_guests(v, name, guest_stop, err, errlen);
}

int vmm_cont(Vmm *v, const char *name, char *err, size_t errlen)
{
    return vmm_for_guests(v, name, guest_cont, err, errlen);
}

int vmm_reset(Vmm *v, const char *name, char *err, size_t errlen)
{
    return vmm_for_guests(v, name, guest_reset, err, errlen);
}

/* ---- quotas ---- */

enum { QUOTA_WEIGHT, QUOTA_CAP, QUOTA_RESERVE };

static int vmm_set_quota(Vmm *v, const char *name, int which, unsigned val,
                         char *err, size_t errlen)
{
    Guest *g;
    int ret = 0;

    g_mutex_lock(&v->lock);
    g = vmm_find(v, name);
    if (!g) {
        snprintf(err, errlen, "no guest named '%s'", name);
        ret = -1;
    } else if (which == QUOTA_WEIGHT) {
        if (val < 1 || val > 10000) {
            snprintf(err, errlen, "guest '%s': weight must be 1-10000", name);
            ret = -1;
        } else {
            g->cfg.weight = val;
        }
    } else {
        unsigned cap = which == QUOTA_CAP ? val : g->cfg.cap;
        unsigned res = which == QUOTA_RESERVE ? val : g->cfg.reserve;
        ret = vmm_check_quota(v, g, name, cap, res, err, errlen);
        if (ret == 0) {
            g->cfg.cap = cap;
            g->cfg.reserve = res;
            sched_make_runnable(v, g);
            g_cond_broadcast(&v->cond);
        }
    }
    g_mutex_unlock(&v->lock);
    return ret;
}

int vmm_set_weight(Vmm *v, const char *name, unsigned w, char *err,
                   size_t errlen)
{
    return vmm_set_quota(v, name, QUOTA_WEIGHT, w, err, errlen);
}

int vmm_set_cap(Vmm *v, const char *name, unsigned pct, char *err,
                size_t errlen)
{
    return vmm_set_quota(v, name, QUOTA_CAP, pct, err, errlen);
}

int vmm_set_reserve(Vmm *v, const char *name, unsigned pct, char *err,
                    size_t errlen)
{
    return vmm_set_quota(v, name, QUOTA_RESERVE, pct, err, errlen);
}

/* ---- inspection ---- */

size_t vmm_list(Vmm *v, GuestInfo *out, size_t max)
{
    size_t n = 0;

    g_mutex_lock(&v->lock);
    for (Guest *g = v->guests; g; g = g->next, n++) {
        if (n < max) {
            sched_guest_info(v, g, &out[n]);
        }
    }
    g_mutex_unlock(&v->lock);
    return n;
}

int vmm_info(Vmm *v, const char *name, GuestInfo *out)
{
    Guest *g;

    g_mutex_lock(&v->lock);
    g = vmm_find(v, name);
    if (g) {
        sched_guest_info(v, g, out);
    }
    g_mutex_unlock(&v->lock);
    return g ? 0 : -1;
}

int vmm_with_machine(Vmm *v, const char *name,
                     void (*fn)(Machine *m, void *opaque), void *opaque,
                     char *err, size_t errlen)
{
    Guest *g;

    g_mutex_lock(&v->lock);
    g = vmm_find(v, name);
    if (!g || !g->m) {
        g_mutex_unlock(&v->lock);
        snprintf(err, errlen,
                 g ? "guest '%s' has no machine (resetting)"
                   : "no guest named '%s'",
                 name);
        return -1;
    }
    vmm_hold(v, g);
    g_mutex_unlock(&v->lock);
    fn(g->m, opaque);
    g_mutex_lock(&v->lock);
    vmm_unhold(v, g);
    g_mutex_unlock(&v->lock);
    return 0;
}

static bool vmm_all_done_locked(Vmm *v)
{
    for (Guest *g = v->guests; g; g = g->next) {
        if (!vmm_done_state(g->state)) {
            return false;
        }
    }
    return true;
}

bool vmm_all_done(Vmm *v)
{
    bool done;

    g_mutex_lock(&v->lock);
    done = vmm_all_done_locked(v);
    g_mutex_unlock(&v->lock);
    return done;
}

void vmm_wait_all(Vmm *v)
{
    g_mutex_lock(&v->lock);
    while (!v->quit && !vmm_all_done_locked(v)) {
        g_cond_wait(&v->cond, &v->lock);
    }
    g_mutex_unlock(&v->lock);
}

void vmm_request_quit(Vmm *v)
{
    g_mutex_lock(&v->lock);
    v->quit = true;
    g_cond_broadcast(&v->cond);
    g_mutex_unlock(&v->lock);
}

/* ---- -sched-report ---- */

/* One line per guest: the time, then query-sched's record of it. */
static void vmm_write_report(Vmm *v, FILE *f, uint64_t t0)
{
    double t = (double)(sched_now_ns() - t0) / 1e9;
    GString *line = g_string_new(NULL);
    GuestInfo *infos;
    size_t n;

    g_mutex_lock(&v->lock);
    infos = g_new0(GuestInfo, v->nguests ? v->nguests : 1);
    n = 0;
    for (Guest *g = v->guests; g && n < v->nguests; g = g->next) {
        sched_guest_info(v, g, &infos[n++]);
    }
    g_mutex_unlock(&v->lock);
    for (size_t i = 0; i < n; i++) {
        JsonObject *o = json_object_new();
        JsonNode *node = json_node_new(JSON_NODE_OBJECT);

        json_object_set_double_member(o, "time", round(t * 1000) / 1000);
        json_guest_fill(o, &infos[i], true);
        json_node_take_object(node, o);
        g_string_truncate(line, 0);
        json_append_text(node, line);
        g_string_append_c(line, '\n');
        fputs(line->str, f);
        json_node_unref(node);
    }
    fflush(f);
    g_free(infos);
    g_string_free(line, TRUE);
}

static gpointer vmm_reporter(gpointer opaque)
{
    Vmm *v = opaque;
    uint64_t t0 = sched_now_ns(), next = t0;
    uint64_t step = (uint64_t)v->cfg.report_interval_s * 1000000000ull;
    FILE *f = v->report_file;

    for (;;) {
        bool quit;

        next += step;
        g_mutex_lock(&v->lock);
        while (!v->quit && !v->report_stop && sched_now_ns() < next) {
            g_cond_wait_until(&v->cond, &v->lock, (gint64)(next / 1000 + 1));
        }
        quit = v->quit || v->report_stop;
        g_mutex_unlock(&v->lock);
        /* The last line per guest gives the totals at the end. */
        vmm_write_report(v, f, t0);
        if (quit) {
            return NULL;
        }
    }
}

/* ---- the Vmm ---- */

Vmm *vmm_new(const VmmConfig *cfg, char *err, size_t errlen)
{
    Vmm *v = g_new0(Vmm, 1);

    g_mutex_init(&v->lock);
    g_cond_init(&v->cond);
    g_cond_init(&v->preempt_cond);
    v->refs = 1;
    v->cfg = *cfg;
    v->cfg.report = NULL;
    v->max_threads = cfg->threads ? cfg->threads : g_get_num_processors();
    v->slice_ns =
        (uint64_t)(cfg->slice_us ? cfg->slice_us : DEFAULT_SLICE_US) * 1000;
    v->deferred = cfg->defer_start;
    if (!v->cfg.report_interval_s) {
        v->cfg.report_interval_s = 1;
    }
    if (cfg->report) {
        char ferr[HOST_FILE_ERR_MAX];
        v->report_file =
            host_file_fopen(cfg->report, HOST_FILE_APPEND, ferr, sizeof(ferr));
        if (!v->report_file) {
            snprintf(err, errlen, "-sched-report %s", ferr);
            vmm_unref(v);
            return NULL;
        }
        v->reporter = g_thread_new("sched-report", vmm_reporter, v);
    }
    return v;
}

void vmm_start(Vmm *v)
{
    g_mutex_lock(&v->lock);
    v->deferred = false;
    g_cond_broadcast(&v->cond);
    g_mutex_unlock(&v->lock);
}

void vmm_set_event_handler(Vmm *v, VmmEventFn fn, void *opaque)
{
    g_mutex_lock(&v->lock);
    v->event_fn = fn;
    v->event_opaque = opaque;
    g_mutex_unlock(&v->lock);
}

static void vmm_unref(Vmm *v)
{
    if (!g_atomic_int_dec_and_test(&v->refs)) {
        return;
    }
    g_mutex_clear(&v->lock);
    g_cond_clear(&v->cond);
    g_cond_clear(&v->preempt_cond);
    g_free(v);
}

void vmm_free(Vmm *v)
{
    Guest *g;

    if (!v) {
        return;
    }
    /* The final report line first, while the guests still exist. */
    if (v->reporter) {
        g_mutex_lock(&v->lock);
        v->report_stop = true;
        g_cond_broadcast(&v->cond);
        g_mutex_unlock(&v->lock);
        g_thread_join(v->reporter);
        fclose(v->report_file);
    }
    g_mutex_lock(&v->lock);
    v->quit = true;
    v->event_fn = NULL;
    g_cond_broadcast(&v->cond);
    for (g = v->guests; g; g = g->next) {
        if (g->on_cpu && g->m) {
            machine_request_leave(g->m);
        }
    }
    g_mutex_unlock(&v->lock);
    sched_join_workers(v);
    while ((g = v->guests)) {
        v->guests = g->next;
        guest_free(g);
    }
    /* Events still queued hold a reference; they find no handler. */
    vmm_unref(v);
}
