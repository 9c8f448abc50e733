/*
 * QMP's JSON.  Values are json-glib's (JsonNode, JsonObject, JsonArray):
 * json-glib parses and writes them.  What json-glib lacks is here:
 *
 * - a splitter that cuts a socket's byte stream into JSON texts (json-glib
 *   parses whole documents only);
 * - the limits untrusted input needs before it reaches json-glib, whose
 *   parser recurses without bound and takes some input it should not: a
 *   text is refused when it is larger than JSON_MAX_INPUT, nested deeper
 *   than JSON_MAX_DEPTH, holds a NUL byte or invalid UTF-8, or a number
 *   that no double or 64-bit integer holds (json-glib would wrap 2^64 to
 *   -1 and write 1e400 back out as "inf", which is not JSON);
 * - the guest records that query-guests, query-sched and -sched-report
 *   share.
 */
#ifndef MONITOR_JSON_H
#define MONITOR_JSON_H

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "monitor/vmm.h"

#define JSON_MAX_DEPTH 64
#define JSON_MAX_INPUT (1u << 20) /* bytes of one text */

/*
 * Parse exactly one JSON text from TEXT[0..LEN) (whitespace around it is
 * allowed).  NULL with a one-line reason in ERR on any error.  Free the
 * result with json_node_unref().
 */
JsonNode *json_parse_text(const char *text, size_t len, char *err,
                          size_t errlen);

/* Append NODE to OUT as compact JSON text. */
void json_append_text(JsonNode *node, GString *out);

/*
 * Set GUEST's members in OBJ, in this order: name, state, weight, cap,
 * reserve, then for SCHED (query-sched, -sched-report) instructions,
 * cpu-ns, share, share-total, slices, tb-bytes, ram-bytes, or else
 * (query-guests) accel, ram, exit-status (ended guests) and reason
 * (ended and failed guests).
 */
void json_guest_fill(JsonObject *obj, const GuestInfo *guest, bool sched);

/*
 * Splits a byte stream into top-level JSON texts, as QMP needs.  It tracks
 * strings and brackets only; json_parse_text() judges each text.  A
 * closing bracket that does not match its opener ends the text there (so
 * that one bad message does not swallow the next).  A text that grows
 * past JSON_MAX_INPUT bytes or JSON_MAX_DEPTH levels is reported once
 * and the input is skipped up to the next newline.
 */
typedef struct JsonSplitter {
    GString *buf;
    char open[JSON_MAX_DEPTH]; /* the closer each open level expects */
    int depth;
    bool in_string, escape;
    bool skipping; /* dropping input up to the next newline */
} JsonSplitter;

/*
 * Called for each text: TEXT[0..LEN), or TEXT NULL when the text was
 * dropped, WHY then saying why ("larger than N bytes", "nested deeper
 * than N").
 */
typedef void (*JsonSplitFn)(void *opaque, const char *text, size_t len,
                            const char *why);

void json_splitter_init(JsonSplitter *s);
void json_splitter_destroy(JsonSplitter *s);
void json_splitter_feed(JsonSplitter *s, const char *data, size_t len,
                        JsonSplitFn emit, void *opaque);

#endif
