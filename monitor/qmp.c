/*
 * The JSON protocol, wire-compatible with QEMU's QMP (docs/MONITOR.md):
 * a greeting, capabilities negotiation, {"execute": ..} commands answered
 * by {"return": ..} or {"error": {"class", "desc"}}, and events.  Existing
 * QMP clients (qemu.qmp, qmp-shell, libvirt's parser) can drive softvisor.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "devices/host-file.h"
#include "monitor/guest-options.h"
#include "monitor/json.h"
#include "monitor/monitor-int.h"

struct QmpSession {
    JsonStreamer stream;
    bool negotiated;
    HmpSession *hmp; /* for human-monitor-command: keeps its selection */
};

typedef enum QmpErrClass { QMP_OK, QMP_GENERIC, QMP_NOT_FOUND } QmpErrClass;

typedef struct QmpCtx {
    MonClient *c;
    Monitors *ms;
    const JsonValue *args; /* an object (empty when absent) */
    JsonValue *ret;        /* the "return" value; {} if left NULL */
    char desc[HOST_FILE_ERR_MAX];
} QmpCtx;

typedef struct QmpArg {
    const char *name;
    JsonType type;
    bool required;
} QmpArg;

typedef struct QmpCmd {
    const char *name;
    QmpErrClass (*fn)(QmpCtx *x);
    QmpArg args[4]; /* NULL-named end; guest-add takes any -guest key */
    bool any_args;
} QmpCmd;

static QmpErrClass qmp_fail(QmpCtx *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static QmpErrClass qmp_fail(QmpCtx *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->desc, sizeof(x->desc), fmt, ap);
    va_end(ap);
    return QMP_GENERIC;
}

static QmpErrClass qmp_vmm_fail(QmpCtx *x, const char *err)
{
    return qmp_fail(x, "%.*s", (int)strcspn(err, "\n"), err);
}

/* ---- version ------------------------------------------------------------ */

static JsonValue *qmp_version(void)
{
    unsigned major = 0, minor = 0, micro = 0;
    JsonValue *v = json_object(), *q = json_object();

    sscanf(SOFTVISOR_VERSION, "%u.%u.%u", &major, &minor, &micro);
    json_object_set(q, "micro", json_int(micro));
    json_object_set(q, "minor", json_int(minor));
    json_object_set(q, "major", json_int(major));
    json_object_set(v, "qemu", q);
    json_object_set(v, "package", json_string("softvisor"));
    return v;
}

/* ---- commands ----------------------------------------------------------- */

static QmpErrClass qmp_query_version(QmpCtx *x)
{
    x->ret = qmp_version();
    return QMP_OK;
}

static GuestInfo *qmp_list(Vmm *v, size_t *n)
{
    size_t max = 16;
    for (;;) {
        GuestInfo *g = g_new0(GuestInfo, max);
        *n = vmm_list(v, g, max);
        if (*n <= max) {
            return g;
        }
        g_free(g);
        max = *n;
    }
}

static QmpErrClass qmp_query_status(QmpCtx *x)
{
    size_t n;
    GuestInfo *g = qmp_list(x->ms->vmm, &n);
    bool running = false, paused = false;

    for (size_t i = 0; i < n; i++) {
        running |= g[i].state == GUEST_RUNNING || g[i].state == GUEST_HALTED;
        paused |= g[i].state == GUEST_PAUSED;
    }
    g_free(g);
    /* QEMU's RunState names: "running" if any guest runs. */
    x->ret = json_object();
    json_object_set(x->ret, "status", json_string(running  ? "running"
                                                  : paused ? "paused"
                                                           : "shutdown"));
    json_object_set(x->ret, "singlestep", json_bool(false));
    json_object_set(x->ret, "running", json_bool(running));
    return QMP_OK;
}

static JsonValue *guest_json(const GuestInfo *g, bool sched)
{
    JsonValue *o = json_object();

    json_object_set(o, "name", json_string(g->name));
    json_object_set(o, "state", json_string(guest_state_name(g->state)));
    json_object_set(o, "weight", json_int(g->weight));
    json_object_set(o, "cap", json_int(g->cap));
    json_object_set(o, "reserve", json_int(g->reserve));
    if (sched) {
        json_object_set(o, "instructions", json_int(g->instructions));
        json_object_set(o, "cpu-ns", json_int(g->cpu_ns));
        json_object_set(o, "share", json_double(g->share_last));
        json_object_set(o, "share-total", json_double(g->share_total));
        json_object_set(o, "slices", json_int(g->slices));
        json_object_set(o, "tb-bytes", json_int(g->tb_bytes));
    } else {
        json_object_set(o, "accel", json_string(g->accel == ACCEL_JIT
                                                    ? "jit" : "interp"));
        json_object_set(o, "ram", json_int(g->ram_bytes));
        if (g->state == GUEST_ENDED) {
            json_object_set(o, "exit-status", json_int(g->exit_status));
        }
        if (g->state == GUEST_ENDED || g->state == GUEST_FAILED) {
            json_object_set(o, "reason", json_string(g->reason));
        }
    }
    return o;
}

static QmpErrClass qmp_query_list(QmpCtx *x, bool sched)
{
    size_t n;
    GuestInfo *g = qmp_list(x->ms->vmm, &n);

    x->ret = json_array();
    for (size_t i = 0; i < n; i++) {
        json_array_add(x->ret, guest_json(&g[i], sched));
    }
    g_free(g);
    return QMP_OK;
}

static QmpErrClass qmp_query_guests(QmpCtx *x)
{
    return qmp_query_list(x, false);
}

static QmpErrClass qmp_query_sched(QmpCtx *x)
{
    return qmp_query_list(x, true);
}

typedef int (*VmmNameFn)(Vmm *v, const char *name, char *err, size_t errlen);

static QmpErrClass qmp_lifecycle(QmpCtx *x, VmmNameFn fn)
{
    char err[256];
    /* Without "guest", the whole "VM": every guest, as in QEMU. */
    if (fn(x->ms->vmm, json_object_get_string(x->args, "guest"), err,
           sizeof(err)) < 0) {
        return qmp_vmm_fail(x, err);
    }
    return QMP_OK;
}

static QmpErrClass qmp_stop(QmpCtx *x)
{
    return qmp_lifecycle(x, vmm_stop);
}

static QmpErrClass qmp_cont(QmpCtx *x)
{
    return qmp_lifecycle(x, vmm_cont);
}

static QmpErrClass qmp_system_reset(QmpCtx *x)
{
    return qmp_lifecycle(x, vmm_reset);
}

typedef int (*VmmSetFn)(Vmm *v, const char *name, unsigned val, char *err,
                        size_t errlen);

static QmpErrClass qmp_set(QmpCtx *x, const char *key, VmmSetFn fn,
                           int64_t min, int64_t max)
{
    const JsonValue *val = json_object_get(x->args, key);
    char err[256];

    if (!val->u.num.is_int || val->u.num.i < min || val->u.num.i > max) {
        return qmp_fail(x, "Parameter '%s' expects an integer in %lld-%lld",
                        key, (long long)min, (long long)max);
    }
    if (fn(x->ms->vmm, json_object_get_string(x->args, "guest"),
           val->u.num.i, err, sizeof(err)) < 0) {
        return qmp_vmm_fail(x, err);
    }
    return QMP_OK;
}

static QmpErrClass qmp_set_weight(QmpCtx *x)
{
    return qmp_set(x, "weight", vmm_set_weight, 1, 10000);
}

static QmpErrClass qmp_set_cap(QmpCtx *x)
{
    return qmp_set(x, "cap", vmm_set_cap, 0, 100);
}

static QmpErrClass qmp_set_reserve(QmpCtx *x)
{
    return qmp_set(x, "reserve", vmm_set_reserve, 0, 100);
}

/* The arguments are the -guest keys, as strings, numbers or booleans. */
static QmpErrClass qmp_guest_add(QmpCtx *x)
{
    GuestSpec *spec = guest_spec_new();
    const char *name = json_object_get_string(x->args, "name");
    char err[HOST_FILE_ERR_MAX];
    QmpErrClass rc = QMP_OK;

    spec->allow_dirs = x->ms->allow_dirs;
    if (!name) {
        rc = qmp_fail(x, "Parameter 'name' is missing");
        goto out;
    }
    if (guest_spec_set(spec, "name", name, err, sizeof(err)) < 0) {
        rc = qmp_vmm_fail(x, err);
        goto out;
    }
    for (guint i = 0; i < x->args->u.obj->len; i++) {
        JsonMember *m = &g_array_index(x->args->u.obj, JsonMember, i);
        char *val;

        if (!strcmp(m->key, "name")) {
            continue;
        }
        switch (m->value->type) {
        case JSON_STRING: val = g_strdup(m->value->u.str.s); break;
        case JSON_BOOL: val = g_strdup(m->value->u.b ? "on" : "off"); break;
        case JSON_NUMBER:
            if (m->value->u.num.is_int && m->value->u.num.i >= 0) {
                val = g_strdup_printf("%lld", (long long)m->value->u.num.i);
                break;
            }
            /* fall through */
        default:
            rc = qmp_fail(x, "Parameter '%s' expects a string, a "
                          "non-negative integer or a boolean", m->key);
            goto out;
        }
        int r = guest_spec_set(spec, m->key, val, err, sizeof(err));
        g_free(val);
        if (r < 0) {
            rc = qmp_vmm_fail(x, err);
            goto out;
        }
    }
    if (!spec->cfg.pc.kernel) {
        rc = qmp_fail(x, "Parameter 'kernel' is missing");
        goto out;
    }
    if (vmm_add_guest(x->ms->vmm, &spec->cfg, err, sizeof(err)) < 0) {
        rc = qmp_vmm_fail(x, err);
    }
out:
    guest_spec_free(spec);
    return rc;
}

static QmpErrClass qmp_guest_del(QmpCtx *x)
{
    char err[256];
    if (vmm_del_guest(x->ms->vmm, json_object_get_string(x->args, "guest"),
                      err, sizeof(err)) < 0) {
        return qmp_vmm_fail(x, err);
    }
    return QMP_OK;
}

static QmpErrClass qmp_hmp(QmpCtx *x)
{
    QmpSession *q = x->c->qmp;
    GString *out = g_string_new(NULL);

    if (!q->hmp) {
        q->hmp = hmp_session_new(x->ms);
    }
    /* As QEMU: an HMP error is still a successful QMP command; the text
     * says what went wrong. */
    hmp_session_exec(q->hmp, json_object_get_string(x->args, "command-line"),
                     out);
    x->ret = json_string(out->str);
    g_string_free(out, TRUE);
    return QMP_OK;
}

static QmpErrClass qmp_quit(QmpCtx *x)
{
    mon_request_quit(x->ms);
    return QMP_OK;
}

static QmpErrClass qmp_query_commands(QmpCtx *x);

static const QmpCmd qmp_cmds[] = {
    {"query-version", qmp_query_version},
    {"query-status", qmp_query_status},
    {"query-commands", qmp_query_commands},
    {"query-guests", qmp_query_guests},
    {"query-sched", qmp_query_sched},
    {"stop", qmp_stop, {{"guest", JSON_STRING}}},
    {"cont", qmp_cont, {{"guest", JSON_STRING}}},
    {"system_reset", qmp_system_reset, {{"guest", JSON_STRING}}},
    {"guest-add", qmp_guest_add, {{NULL}}, true},
    {"guest-del", qmp_guest_del, {{"guest", JSON_STRING, true}}},
    {"set-weight", qmp_set_weight,
     {{"guest", JSON_STRING, true}, {"weight", JSON_NUMBER, true}}},
    {"set-cap", qmp_set_cap,
     {{"guest", JSON_STRING, true}, {"cap", JSON_NUMBER, true}}},
    {"set-reserve", qmp_set_reserve,
     {{"guest", JSON_STRING, true}, {"reserve", JSON_NUMBER, true}}},
    {"human-monitor-command", qmp_hmp,
     {{"command-line", JSON_STRING, true}, {"cpu-index", JSON_NUMBER}}},
    {"quit", qmp_quit},
    {NULL},
};

static QmpErrClass qmp_query_commands(QmpCtx *x)
{
    x->ret = json_array();
    for (const QmpCmd *c = qmp_cmds; c->name; c++) {
        JsonValue *o = json_object();
        json_object_set(o, "name", json_string(c->name));
        json_array_add(x->ret, o);
    }
    return QMP_OK;
}

static const char *json_type_name(JsonType t)
{
    static const char *const names[] = {"null", "boolean", "number",
                                        "string", "array", "object"};
    return names[t];
}

/* QEMU's argument checking: unknown, missing and mistyped members. */
static QmpErrClass qmp_check_args(QmpCtx *x, const QmpCmd *cmd)
{
    if (cmd->any_args) {
        return QMP_OK;
    }
    for (guint i = 0; i < x->args->u.obj->len; i++) {
        JsonMember *m = &g_array_index(x->args->u.obj, JsonMember, i);
        const QmpArg *a = cmd->args;
        while (a->name && strcmp(a->name, m->key)) {
            a++;
        }
        if (!a->name) {
            return qmp_fail(x, "Parameter '%s' is unexpected", m->key);
        }
        if (m->value->type != a->type) {
            return qmp_fail(x, "Invalid parameter type for '%s', expected: "
                            "%s", m->key, json_type_name(a->type));
        }
    }
    for (const QmpArg *a = cmd->args; a->name; a++) {
        if (a->required && !json_object_get(x->args, a->name)) {
            return qmp_fail(x, "Parameter '%s' is missing", a->name);
        }
    }
    return QMP_OK;
}

/* ---- the wire ------------------------------------------------------------ */

static void qmp_send(MonClient *c, JsonValue *v)
{
    GString *s = g_string_new(NULL);
    json_write(v, s);
    g_string_append(s, "\r\n"); /* QEMU ends each message so */
    mon_client_write(c, s->str, s->len);
    g_string_free(s, TRUE);
    json_free(v);
}

static void qmp_send_error(MonClient *c, QmpErrClass cls, const char *desc,
                           const JsonValue *id)
{
    JsonValue *msg = json_object(), *e = json_object();

    json_object_set(e, "class", json_string(cls == QMP_NOT_FOUND
                                                ? "CommandNotFound"
                                                : "GenericError"));
    json_object_set(e, "desc", json_string(desc));
    json_object_set(msg, "error", e);
    if (id) {
        json_object_set(msg, "id", json_copy(id));
    }
    qmp_send(c, msg);
}

static void qmp_dispatch(MonClient *c, const JsonValue *req)
{
    QmpSession *q = c->qmp;
    const JsonValue *id = json_object_get(req, "id");
    const JsonValue *exec = json_object_get(req, "execute");
    const JsonValue *args = json_object_get(req, "arguments");
    JsonValue *empty = NULL;
    QmpCtx x = {.c = c, .ms = c->ms};
    const QmpCmd *cmd;
    QmpErrClass cls;

    if (req->type != JSON_OBJECT) {
        qmp_send_error(c, QMP_GENERIC, "QMP input must be a JSON object",
                       NULL);
        return;
    }
    for (guint i = 0; i < req->u.obj->len; i++) {
        const char *k = g_array_index(req->u.obj, JsonMember, i).key;
        if (strcmp(k, "execute") && strcmp(k, "arguments") &&
            strcmp(k, "id")) {
            char desc[128];
            snprintf(desc, sizeof(desc), "QMP input member '%.64s' is "
                     "unexpected", k);
            qmp_send_error(c, QMP_GENERIC, desc, id);
            return;
        }
    }
    if (!exec || exec->type != JSON_STRING) {
        qmp_send_error(c, QMP_GENERIC, exec ? "QMP input member 'execute' "
                       "must be a string" : "QMP input lacks member "
                       "'execute'", id);
        return;
    }
    if (args && args->type != JSON_OBJECT) {
        qmp_send_error(c, QMP_GENERIC, "QMP input member 'arguments' must "
                       "be an object", id);
        return;
    }
    const char *name = exec->u.str.s;
    if (!q->negotiated) {
        if (strcmp(name, "qmp_capabilities")) {
            qmp_send_error(c, QMP_NOT_FOUND, "Expecting capabilities "
                           "negotiation with 'qmp_capabilities'", id);
            return;
        }
        q->negotiated = true;
        x.ret = json_object();
        goto reply;
    }
    if (!strcmp(name, "qmp_capabilities")) {
        qmp_send_error(c, QMP_NOT_FOUND, "Capabilities negotiation is "
                       "already complete, command ignored", id);
        return;
    }
    for (cmd = qmp_cmds; cmd->name && strcmp(cmd->name, name); cmd++) {
    }
    if (!cmd->name) {
        char desc[128];
        snprintf(desc, sizeof(desc), "The command %.64s has not been found",
                 name);
        qmp_send_error(c, QMP_NOT_FOUND, desc, id);
        return;
    }
    x.args = args ? args : (empty = json_object());
    cls = qmp_check_args(&x, cmd);
    if (cls == QMP_OK) {
        cls = cmd->fn(&x);
    }
    json_free(empty);
    if (cls != QMP_OK) {
        json_free(x.ret);
        qmp_send_error(c, cls, x.desc, id);
        return;
    }
reply: {
        JsonValue *msg = json_object();
        json_object_set(msg, "return", x.ret ? x.ret : json_object());
        if (id) {
            json_object_set(msg, "id", json_copy(id));
        }
        qmp_send(c, msg);
    }
    if (c->ms->quit) {
        mon_client_close(c); /* after the reply is out */
    }
}

static void qmp_on_text(void *opaque, const char *text, size_t len)
{
    MonClient *c = opaque;
    char err[128], desc[192];
    JsonValue *v;

    if (c->dead || c->closing) {
        return;
    }
    if (!text) {
        snprintf(desc, sizeof(desc), "JSON parse error, input nested deeper "
                 "than %d or larger than %u bytes", JSON_MAX_DEPTH,
                 JSON_MAX_INPUT);
        qmp_send_error(c, QMP_GENERIC, desc, NULL);
        return;
    }
    v = json_parse(text, len, err, sizeof(err));
    if (!v) {
        snprintf(desc, sizeof(desc), "JSON parse error, %s", err);
        qmp_send_error(c, QMP_GENERIC, desc, NULL);
        return;
    }
    qmp_dispatch(c, v);
    json_free(v);
}

void qmp_client_open(MonClient *c)
{
    JsonValue *greet = json_object(), *qmp = json_object();

    c->qmp = g_new0(QmpSession, 1);
    json_streamer_init(&c->qmp->stream);
    json_object_set(qmp, "version", qmp_version());
    json_object_set(qmp, "capabilities", json_array());
    json_object_set(greet, "QMP", qmp);
    qmp_send(c, greet);
}

void qmp_client_input(MonClient *c, const char *data, size_t len)
{
    json_streamer_feed(&c->qmp->stream, data, len, qmp_on_text, c);
}

void qmp_client_free(MonClient *c)
{
    if (c->qmp) {
        json_streamer_destroy(&c->qmp->stream);
        hmp_session_free(c->qmp->hmp);
        g_free(c->qmp);
        c->qmp = NULL;
    }
}

void qmp_broadcast_event(Monitors *ms, VmmEvent ev, const GuestInfo *g)
{
    static const char *const names[] = {"GUEST_END", "STOP", "RESUME"};
    gint64 now = g_get_real_time();

    for (guint i = 0; i < ms->clients->len; i++) {
        MonClient *c = g_ptr_array_index(ms->clients, i);
        JsonValue *msg, *data, *ts;

        /* QEMU sends events only after negotiation. */
        if (c->kind != MON_QMP || !c->qmp->negotiated || c->closing) {
            continue;
        }
        msg = json_object();
        data = json_object();
        json_object_set(data, "guest", json_string(g->name));
        json_object_set(data, "state", json_string(guest_state_name(g->state)));
        if (ev == VMM_EVENT_END) {
            if (g->state == GUEST_ENDED) {
                json_object_set(data, "exit-status", json_int(g->exit_status));
            }
            json_object_set(data, "reason", json_string(g->reason));
        }
        ts = json_object();
        json_object_set(ts, "seconds", json_int(now / G_USEC_PER_SEC));
        json_object_set(ts, "microseconds", json_int(now % G_USEC_PER_SEC));
        json_object_set(msg, "event", json_string(names[ev]));
        json_object_set(msg, "data", data);
        json_object_set(msg, "timestamp", ts);
        qmp_send(c, msg); /* may kill C: the loop index stays valid only
                             if we step back */
        if (c->dead) {
            i--;
        }
    }
}
