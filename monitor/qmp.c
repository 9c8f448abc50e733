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
    JsonSplitter stream;
    bool negotiated;
    HmpSession *hmp; /* for human-monitor-command: keeps its selection */
};

typedef enum QmpErrClass { QMP_OK, QMP_GENERIC, QMP_NOT_FOUND } QmpErrClass;

typedef struct QmpCtx {
    MonClient *c;
    Monitors *ms;
    JsonObject *args; /* the arguments (empty when absent) */
    JsonNode *ret;    /* the "return" value; {} if left NULL */
    char desc[HOST_FILE_ERR_MAX];
} QmpCtx;

/* The JSON types an argument may be declared with. */
typedef enum QmpArgType { QMP_ARG_STRING, QMP_ARG_NUMBER } QmpArgType;

typedef struct QmpArg {
    const char *name;
    QmpArgType type;
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

/* ---- building replies ---------------------------------------------------- */

static JsonNode *qmp_object_node(JsonObject *o)
{
    JsonNode *n = json_node_new(JSON_NODE_OBJECT);

    json_node_take_object(n, o);
    return n;
}

static JsonNode *qmp_array_node(JsonArray *a)
{
    JsonNode *n = json_node_new(JSON_NODE_ARRAY);

    json_node_take_array(n, a);
    return n;
}

/* Argument KEY if it is a string, else NULL. */
static const char *qmp_arg_string(const QmpCtx *x, const char *key)
{
    JsonNode *n = json_object_get_member(x->args, key);

    return n && JSON_NODE_HOLDS_VALUE(n) &&
                   json_node_get_value_type(n) == G_TYPE_STRING
               ? json_node_get_string(n)
               : NULL;
}

/* ---- version ------------------------------------------------------------ */

static JsonObject *qmp_version(void)
{
    unsigned major = 0, minor = 0, micro = 0;
    JsonObject *v = json_object_new(), *q = json_object_new();

    sscanf(SOFTVISOR_VERSION, "%u.%u.%u", &major, &minor, &micro);
    json_object_set_int_member(q, "micro", micro);
    json_object_set_int_member(q, "minor", minor);
    json_object_set_int_member(q, "major", major);
    json_object_set_object_member(v, "qemu", q);
    json_object_set_string_member(v, "package", "softvisor");
    return v;
}

/* ---- commands ----------------------------------------------------------- */

static QmpErrClass qmp_query_version(QmpCtx *x)
{
    x->ret = qmp_object_node(qmp_version());
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
    JsonObject *o = json_object_new();

    for (size_t i = 0; i < n; i++) {
        running |= g[i].state == GUEST_RUNNING || g[i].state == GUEST_HALTED;
        paused |= g[i].state == GUEST_PAUSED;
    }
    g_free(g);
    /* QEMU's RunState names: "running" if any guest runs. */
    json_object_set_string_member(o, "status",
                                  running  ? "running"
                                  : paused ? "paused"
                                           : "shutdown");
    json_object_set_boolean_member(o, "singlestep", false);
    json_object_set_boolean_member(o, "running", running);
    x->ret = qmp_object_node(o);
    return QMP_OK;
}

static QmpErrClass qmp_query_list(QmpCtx *x, bool sched)
{
    size_t n;
    GuestInfo *g = qmp_list(x->ms->vmm, &n);
    JsonArray *a = json_array_new();

    for (size_t i = 0; i < n; i++) {
        JsonObject *o = json_object_new();
        json_guest_fill(o, &g[i], sched);
        json_array_add_object_element(a, o);
    }
    g_free(g);
    x->ret = qmp_array_node(a);
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
    if (fn(x->ms->vmm, qmp_arg_string(x, "guest"), err, sizeof(err)) < 0) {
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

static QmpErrClass qmp_set(QmpCtx *x, const char *key, VmmSetFn fn, int64_t min,
                           int64_t max)
{
    JsonNode *val = json_object_get_member(x->args, key);
    char err[256];
    gint64 i;

    /* The argument check made VAL a number. */
    if (json_node_get_value_type(val) != G_TYPE_INT64 ||
        (i = json_node_get_int(val)) < min || i > max) {
        return qmp_fail(x, "Parameter '%s' expects an integer in %lld-%lld",
                        key, (long long)min, (long long)max);
    }
    if (fn(x->ms->vmm, qmp_arg_string(x, "guest"), (unsigned)i, err,
           sizeof(err)) < 0) {
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

/* A guest-add member as the -guest key's text, or NULL if of no type a
 * key takes. */
static char *qmp_key_value(JsonNode *n)
{
    if (!JSON_NODE_HOLDS_VALUE(n)) {
        return NULL;
    }
    switch (json_node_get_value_type(n)) {
    case G_TYPE_STRING: return g_strdup(json_node_get_string(n));
    case G_TYPE_BOOLEAN:
        return g_strdup(json_node_get_boolean(n) ? "on" : "off");
    case G_TYPE_INT64:
        if (json_node_get_int(n) >= 0) {
            return g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(n));
        }
        return NULL;
    default: return NULL;
    }
}

/* The arguments are the -guest keys, as strings, numbers or booleans. */
static QmpErrClass qmp_guest_add(QmpCtx *x)
{
    GuestSpec *spec = guest_spec_new();
    const char *name = qmp_arg_string(x, "name");
    char err[HOST_FILE_ERR_MAX];
    QmpErrClass rc = QMP_OK;
    JsonObjectIter it;
    const char *key;
    JsonNode *member;

    spec->allow_dirs = x->ms->allow_dirs;
    if (!name) {
        rc = qmp_fail(x, "Parameter 'name' is missing");
        goto out;
    }
    if (guest_spec_set(spec, "name", name, err, sizeof(err)) < 0) {
        rc = qmp_vmm_fail(x, err);
        goto out;
    }
    json_object_iter_init(&it, x->args);
    while (json_object_iter_next(&it, &key, &member)) {
        char *val;
        int r;

        if (!strcmp(key, "name")) {
            continue;
        }
        val = qmp_key_value(member);
        if (!val) {
            rc = qmp_fail(x,
                          "Parameter '%s' expects a string, a "
                          "non-negative integer or a boolean",
                          key);
            goto out;
        }
        r = guest_spec_set(spec, key, val, err, sizeof(err));
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
    if (vmm_del_guest(x->ms->vmm, qmp_arg_string(x, "guest"), err,
                      sizeof(err)) < 0) {
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
    hmp_session_exec(q->hmp, qmp_arg_string(x, "command-line"), out);
    x->ret = json_node_init_string(json_node_alloc(), out->str);
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
    {"stop", qmp_stop, {{"guest", QMP_ARG_STRING}}},
    {"cont", qmp_cont, {{"guest", QMP_ARG_STRING}}},
    {"system_reset", qmp_system_reset, {{"guest", QMP_ARG_STRING}}},
    {"guest-add", qmp_guest_add, {{NULL}}, true},
    {"guest-del", qmp_guest_del, {{"guest", QMP_ARG_STRING, true}}},
    {"set-weight",
     qmp_set_weight,
     {{"guest", QMP_ARG_STRING, true}, {"weight", QMP_ARG_NUMBER, true}}},
    {"set-cap",
     qmp_set_cap,
     {{"guest", QMP_ARG_STRING, true}, {"cap", QMP_ARG_NUMBER, true}}},
    {"set-reserve",
     qmp_set_reserve,
     {{"guest", QMP_ARG_STRING, true}, {"reserve", QMP_ARG_NUMBER, true}}},
    {"human-monitor-command",
     qmp_hmp,
     {{"command-line", QMP_ARG_STRING, true}, {"cpu-index", QMP_ARG_NUMBER}}},
    {"quit", qmp_quit},
    {NULL},
};

static QmpErrClass qmp_query_commands(QmpCtx *x)
{
    JsonArray *a = json_array_new();

    for (const QmpCmd *c = qmp_cmds; c->name; c++) {
        JsonObject *o = json_object_new();
        json_object_set_string_member(o, "name", c->name);
        json_array_add_object_element(a, o);
    }
    x->ret = qmp_array_node(a);
    return QMP_OK;
}

static bool qmp_arg_type_ok(JsonNode *n, QmpArgType t)
{
    GType vt;

    if (!JSON_NODE_HOLDS_VALUE(n)) {
        return false;
    }
    vt = json_node_get_value_type(n);
    return t == QMP_ARG_STRING ? vt == G_TYPE_STRING
                               : vt == G_TYPE_INT64 || vt == G_TYPE_DOUBLE;
}

/* QEMU's argument checking: unknown, missing and mistyped members. */
static QmpErrClass qmp_check_args(QmpCtx *x, const QmpCmd *cmd)
{
    JsonObjectIter it;
    const char *key;
    JsonNode *member;

    if (cmd->any_args) {
        return QMP_OK;
    }
    json_object_iter_init(&it, x->args);
    while (json_object_iter_next(&it, &key, &member)) {
        const QmpArg *a = cmd->args;
        while (a->name && strcmp(a->name, key)) {
            a++;
        }
        if (!a->name) {
            return qmp_fail(x, "Parameter '%s' is unexpected", key);
        }
        if (!qmp_arg_type_ok(member, a->type)) {
            return qmp_fail(x,
                            "Invalid parameter type for '%s', expected: "
                            "%s",
                            key,
                            a->type == QMP_ARG_STRING ? "string" : "number");
        }
    }
    for (const QmpArg *a = cmd->args; a->name; a++) {
        if (a->required && !json_object_has_member(x->args, a->name)) {
            return qmp_fail(x, "Parameter '%s' is missing", a->name);
        }
    }
    return QMP_OK;
}

/* ---- the wire ------------------------------------------------------------ */

/* Send MSG (consumed). */
static void qmp_send(MonClient *c, JsonObject *msg)
{
    GString *s = g_string_new(NULL);
    JsonNode *n = qmp_object_node(msg);

    json_append_text(n, s);
    g_string_append(s, "\r\n"); /* QEMU ends each message so */
    mon_client_write(c, s->str, s->len);
    g_string_free(s, TRUE);
    json_node_unref(n);
}

static void qmp_send_error(MonClient *c, QmpErrClass cls, const char *desc,
                           JsonNode *id)
{
    JsonObject *msg = json_object_new(), *e = json_object_new();

    json_object_set_string_member(
        e, "class", cls == QMP_NOT_FOUND ? "CommandNotFound" : "GenericError");
    json_object_set_string_member(e, "desc", desc);
    json_object_set_object_member(msg, "error", e);
    if (id) {
        json_object_set_member(msg, "id", json_node_copy(id));
    }
    qmp_send(c, msg);
}

static void qmp_dispatch(MonClient *c, JsonNode *root)
{
    QmpSession *q = c->qmp;
    QmpCtx x = {.c = c, .ms = c->ms};
    JsonObject *req, *empty = NULL;
    JsonNode *id, *exec, *args;
    JsonObjectIter it;
    const char *key, *name;
    const QmpCmd *cmd;
    QmpErrClass cls;

    if (!JSON_NODE_HOLDS_OBJECT(root)) {
        qmp_send_error(c, QMP_GENERIC, "QMP input must be a JSON object", NULL);
        return;
    }
    req = json_node_get_object(root);
    id = json_object_get_member(req, "id");
    exec = json_object_get_member(req, "execute");
    args = json_object_get_member(req, "arguments");
    json_object_iter_init(&it, req);
    while (json_object_iter_next(&it, &key, NULL)) {
        if (strcmp(key, "execute") && strcmp(key, "arguments") &&
            strcmp(key, "id")) {
            char desc[128];
            snprintf(desc, sizeof(desc),
                     "QMP input member '%.64s' is "
                     "unexpected",
                     key);
            qmp_send_error(c, QMP_GENERIC, desc, id);
            return;
        }
    }
    if (!exec || !JSON_NODE_HOLDS_VALUE(exec) ||
        json_node_get_value_type(exec) != G_TYPE_STRING) {
        qmp_send_error(c, QMP_GENERIC,
                       exec ? "QMP input member 'execute' "
                              "must be a string"
                            : "QMP input lacks member "
                              "'execute'",
                       id);
        return;
    }
    if (args && !JSON_NODE_HOLDS_OBJECT(args)) {
        qmp_send_error(c, QMP_GENERIC,
                       "QMP input member 'arguments' must "
                       "be an object",
                       id);
        return;
    }
    name = json_node_get_string(exec);
    if (!q->negotiated) {
        if (strcmp(name, "qmp_capabilities")) {
            qmp_send_error(c, QMP_NOT_FOUND,
                           "Expecting capabilities "
                           "negotiation with 'qmp_capabilities'",
                           id);
            return;
        }
        q->negotiated = true;
        goto reply;
    }
    if (!strcmp(name, "qmp_capabilities")) {
        qmp_send_error(c, QMP_NOT_FOUND,
                       "Capabilities negotiation is "
                       "already complete, command ignored",
                       id);
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
    x.args = args ? json_node_get_object(args) : (empty = json_object_new());
    cls = qmp_check_args(&x, cmd);
    if (cls == QMP_OK) {
        cls = cmd->fn(&x);
    }
    if (empty) {
        json_object_unref(empty);
    }
    if (cls != QMP_OK) {
        if (x.ret) {
            json_node_unref(x.ret);
        }
        qmp_send_error(c, cls, x.desc, id);
        return;
    }
reply : {
    JsonObject *msg = json_object_new();
    json_object_set_member(msg, "return",
                           x.ret ? x.ret : qmp_object_node(json_object_new()));
    if (id) {
        json_object_set_member(msg, "id", json_node_copy(id));
    }
    qmp_send(c, msg);
}
    if (c->ms->quit) {
        mon_client_close(c); /* after the reply is out */
    }
}

static void qmp_on_text(void *opaque, const char *text, size_t len,
                        const char *why)
{
    MonClient *c = opaque;
    char err[256], desc[320];
    JsonNode *root;

    if (c->dead || c->closing) {
        return;
    }
    root = text ? json_parse_text(text, len, err, sizeof(err)) : NULL;
    if (!root) {
        snprintf(desc, sizeof(desc), "JSON parse error, %s", text ? err : why);
        qmp_send_error(c, QMP_GENERIC, desc, NULL);
        return;
    }
    qmp_dispatch(c, root);
    json_node_unref(root);
}

void qmp_client_open(MonClient *c)
{
    JsonObject *greet = json_object_new(), *qmp = json_object_new();

    c->qmp = g_new0(QmpSession, 1);
    json_splitter_init(&c->qmp->stream);
    json_object_set_object_member(qmp, "version", qmp_version());
    json_object_set_array_member(qmp, "capabilities", json_array_new());
    json_object_set_object_member(greet, "QMP", qmp);
    qmp_send(c, greet);
}

void qmp_client_input(MonClient *c, const char *data, size_t len)
{
    json_splitter_feed(&c->qmp->stream, data, len, qmp_on_text, c);
}

void qmp_client_free(MonClient *c)
{
    if (c->qmp) {
        json_splitter_destroy(&c->qmp->stream);
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
        JsonObject *msg, *data, *ts;

        /* QEMU sends events only after negotiation. */
        if (c->kind != MON_QMP || !c->qmp->negotiated || c->closing) {
            continue;
        }
        msg = json_object_new();
        data = json_object_new();
        json_object_set_string_member(data, "guest", g->name);
        json_object_set_string_member(data, "state",
                                      guest_state_name(g->state));
        if (ev == VMM_EVENT_END) {
            if (g->state == GUEST_ENDED) {
                json_object_set_int_member(data, "exit-status", g->exit_status);
            }
            json_object_set_string_member(data, "reason", g->reason);
        }
        ts = json_object_new();
        json_object_set_int_member(ts, "seconds", now / G_USEC_PER_SEC);
        json_object_set_int_member(ts, "microseconds", now % G_USEC_PER_SEC);
        json_object_set_string_member(msg, "event", names[ev]);
        json_object_set_object_member(msg, "data", data);
        json_object_set_object_member(msg, "timestamp", ts);
        qmp_send(c, msg); /* may kill C: the loop index stays valid only
                             if we step back */
        if (c->dead) {
            i--;
        }
    }
}
