/*
 * A small strict JSON (RFC 8259) parser and writer for QMP.  GLib has
 * none, and QMP needs only a tree of values, so this is a few hundred
 * lines rather than a dependency.
 *
 * The parser takes untrusted input from sockets: it bounds nesting depth
 * and input size, rejects every non-standard extension (comments,
 * trailing commas, single quotes, NaN, leading zeros, raw control
 * characters, lone surrogates, invalid UTF-8), and never recurses more
 * than JSON_MAX_DEPTH levels.
 */
#ifndef MONITOR_JSON_H
#define MONITOR_JSON_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 64
#define JSON_MAX_INPUT (1u << 20) /* bytes of one value */

typedef enum JsonType {
    JSON_NULL,
    JSON_BOOL,
    JSON_NUMBER,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT,
} JsonType;

typedef struct JsonValue JsonValue;

/* Object members keep their input order (QMP replies are read by
 * people too); lookups are linear, which is fine at QMP's sizes. */
typedef struct JsonMember {
    char *key;
    JsonValue *value;
} JsonMember;

struct JsonValue {
    JsonType type;
    union {
        bool b;
        struct {
            double d;
            bool is_int; /* an integer that fits int64: i is exact */
            int64_t i;
        } num;
        struct {
            char *s; /* UTF-8, NUL-terminated; may hold U+0000 as "\0" */
            size_t len;
        } str;
        GPtrArray *arr; /* of JsonValue * */
        GArray *obj;    /* of JsonMember */
    } u;
};

/*
 * Parse exactly one JSON value from TEXT[0..LEN) (whitespace around it is
 * allowed).  NULL with a one-line reason in ERR on any error.
 */
JsonValue *json_parse(const char *text, size_t len, char *err, size_t errlen);
void json_free(JsonValue *v);

/* Builders: the container takes ownership of added values. */
JsonValue *json_null(void);
JsonValue *json_bool(bool b);
JsonValue *json_int(int64_t i);
JsonValue *json_double(double d);
JsonValue *json_string(const char *s);
JsonValue *json_array(void);
JsonValue *json_object(void);
void json_array_add(JsonValue *arr, JsonValue *v);
void json_object_set(JsonValue *obj, const char *key, JsonValue *v);
JsonValue *json_copy(const JsonValue *v);

/* Member KEY of OBJ, or NULL (also when OBJ is not an object). */
JsonValue *json_object_get(const JsonValue *obj, const char *key);
/* Typed lookups: NULL/false when absent or of another type. */
const char *json_object_get_string(const JsonValue *obj, const char *key);

/* Append V to OUT in compact QMP style: {"a": 1, "b": [1, 2]}. */
void json_write(const JsonValue *v, GString *out);
/* Append S as a JSON string literal (with quotes). */
void json_write_string(const char *s, size_t len, GString *out);

/*
 * Splits a byte stream into top-level JSON texts, as QMP needs: it tracks
 * strings and bracket depth only; the parser judges each text.  A text
 * over JSON_MAX_INPUT bytes or nested deeper than JSON_MAX_DEPTH is
 * reported as an error and skipped up to the next top-level newline.
 */
typedef struct JsonStreamer {
    GString *buf;
    int depth;
    bool in_string, escape, overflow;
} JsonStreamer;

void json_streamer_init(JsonStreamer *s);
void json_streamer_destroy(JsonStreamer *s);
/*
 * Feed LEN bytes; for each complete text call EMIT(opaque, text, len)
 * with text NULL when that text had to be dropped (too big or too deep).
 */
void json_streamer_feed(JsonStreamer *s, const char *data, size_t len,
                        void (*emit)(void *opaque, const char *text,
                                     size_t len),
                        void *opaque);

#endif
