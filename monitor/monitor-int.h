/*
 * What server.c, hmp.c and qmp.c share: the Monitors object, its clients
 * and the protocol hooks.  Not a public API (see monitor.h).
 */
#ifndef MONITOR_MONITOR_INT_H
#define MONITOR_MONITOR_INT_H

#include <gio/gio.h>

#include "monitor/monitor.h"

/* A client's output beyond this is not worth keeping: it stopped
 * reading, so it is disconnected (guests never wait for it). */
#define MON_OUT_MAX (1u << 20)
/* Above this, its input is no longer read until the output drains. */
#define MON_OUT_HIGH (64u << 10)
#define HMP_LINE_MAX 4096

typedef enum MonKind { MON_HMP, MON_QMP } MonKind;

typedef struct HmpSession HmpSession;
typedef struct QmpSession QmpSession;
typedef struct MonServer MonServer;

typedef struct MonClient {
    Monitors *ms;
    MonKind kind;
    GSocket *sock; /* NULL for stdio */
    int in_fd, out_fd;
    GSource *in_src, *out_src;
    GString *out;
    bool dead;      /* detached; freed from an idle callback */
    bool closing;   /* flush the output, then detach (quit) */
    HmpSession *hmp;
    QmpSession *qmp;
} MonClient;

struct Monitors {
    Vmm *vmm;
    GPtrArray *servers; /* MonServer * */
    GPtrArray *clients; /* MonClient *, attached */
    GPtrArray *dead;    /* MonClient *, waiting to be freed */
    guint reap_id;
    HmpSession *session; /* for monitors_hmp_command */
    MonitorsNotifyFn notify;
    void *notify_opaque;
    char **allow_dirs; /* resolved -monitor-allow-dir, or NULL: any path */
    bool quit;
};

/* server.c */
void mon_client_write(MonClient *c, const char *s, size_t len);
void mon_client_printf(MonClient *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Detach now (the client vanishes, unsent output is lost). */
void mon_client_kill(MonClient *c);
/* Detach once the pending output is sent (after quit). */
void mon_client_close(MonClient *c);
void mon_notify(Monitors *ms, MonitorsNotify what);
/* Ask the process to quit (HMP quit, QMP quit). */
void mon_request_quit(Monitors *ms);

/* hmp.c */
HmpSession *hmp_session_new(Monitors *ms);
void hmp_session_free(HmpSession *s);
/* Run LINE; 0, or -1 with one error line in OUT. */
int hmp_session_exec(HmpSession *s, const char *line, GString *out);
void hmp_client_open(MonClient *c);
void hmp_client_input(MonClient *c, const char *data, size_t len);

/* qmp.c */
void qmp_client_open(MonClient *c);
void qmp_client_input(MonClient *c, const char *data, size_t len);
void qmp_client_free(MonClient *c);
void qmp_broadcast_event(Monitors *ms, VmmEvent ev, const GuestInfo *g);

#endif
