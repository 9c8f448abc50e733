/*
 * Inside the character backends: the unix-socket server backend
 * (devices/chardev-socket.c), which chardev.c hands its calls to.
 */
#ifndef DEVICES_CHARDEV_INT_H
#define DEVICES_CHARDEV_INT_H

#include <stddef.h>
#include <stdint.h>

#include "devices/chardev.h"

typedef struct CharSocket CharSocket;

/*
 * Check "unix:PATH[,server][,nowait]"; 0, or -1 with "SPEC: problem" in
 * ERR.  PATH (at most PATHLEN - 1 bytes) is copied out when PATH is given.
 */
int chardev_socket_parse(const char *spec, char *path, size_t pathlen,
                         char *err, size_t errlen);
/* Listen on the spec's path; NULL with "SPEC: problem" in ERR. */
CharSocket *chardev_socket_new(const char *spec, char *err, size_t errlen);
/* Close the client and the listener and remove the socket file. */
void chardev_socket_free(CharSocket *s);
/* Send to the client if there is one; what does not fit now is dropped. */
void chardev_socket_write(CharSocket *s, const uint8_t *buf, size_t len);
/* Accept a waiting client, then deliver its input; never blocks. */
void chardev_socket_poll(CharSocket *s, CharCanReceiveFn can_receive,
                         CharReceiveFn receive, void *opaque);

#endif
