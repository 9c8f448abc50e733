/*
 * QMP's JSON: the checks before json-glib, the guest records and the
 * stream splitter (see json.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/json.h"

/* ---- parsing -------------------------------------------------------------
 */

static bool json_is_number_char(char c)
{
    return g_ascii_isalnum(c) || c == '.' || c == '-' || c == '+';
}

/*
 * What json-glib would take badly, found on the raw text: nesting past
 * JSON_MAX_DEPTH (its parser recurses once per level) and integers that
 * do not fit 64 bits (it wraps them silently).  Strings are skipped.
 */
static bool json_check_text(const char *t, size_t len, char *err, size_t errlen)
{
    bool in_string = false, escape = false;
    int depth = 0;

    for (size_t i = 0; i < len; i++) {
        char c = t[i];

        if (in_string) {
            if (escape) {
                escape = false;
            } else if (c == '\\') {
                escape = true;
            } else if (c == '"') {
                in_string = false;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > JSON_MAX_DEPTH) {
                snprintf(err, errlen, "nested deeper than %d", JSON_MAX_DEPTH);
                return false;
            }
        } else if (c == ']' || c == '}') {
            depth--;
        } else if ((c == '-' || g_ascii_isdigit(c)) &&
                   (i == 0 || !json_is_number_char(t[i - 1]))) {
            size_t end = i + 1;
            bool integer = true;
            char num[64];

            while (end < len && json_is_number_char(t[end])) {
                integer &= g_ascii_isdigit(t[end]);
                end++;
            }
            /* Only long integers can overflow; json-glib checks the
             * rest of the number syntax. */
            if (integer && end - i >= 19) {
                if (end - i >= sizeof(num)) {
                    snprintf(err, errlen, "integer out of range");
                    return false;
                }
                memcpy(num, t + i, end - i);
                num[end - i] = 0;
                errno = 0;
                (void)g_ascii_strtoll(num, NULL, 10);
                if (errno == ERANGE) {
                    snprintf(err, errlen, "integer %s out of range", num);
                    return false;
                }
            }
            i = end - 1;
        }
    }
    return true;
}

/* Doubles that JSON cannot write back (1e400 parses as infinity). */
static bool json_node_finite(JsonNode *node)
{
    switch (json_node_get_node_type(node)) {
    case JSON_NODE_OBJECT: {
        JsonObjectIter it;
        JsonNode *member;

        json_object_iter_init(&it, json_node_get_object(node));
        while (json_object_iter_next(&it, NULL, &member)) {
            if (!json_node_finite(member)) {
                return false;
            }
        }
        return true;
    }
    case JSON_NODE_ARRAY: {
        JsonArray *a = json_node_get_array(node);

        for (guint i = 0; i < json_array_get_length(a); i++) {
            if (!json_node_finite(json_array_get_element(a, i))) {
                return false;
            }
        }
        return true;
    }
    case JSON_NODE_VALUE:
        return json_node_get_value_type(node) != G_TYPE_DOUBLE ||
               isfinite(json_node_get_double(node));
    default: return true;
    }
}

/* json-glib says "<data>:1:27: Parse error: unexpected ..."; keep the
 * position and the reason. */
static void json_parse_error(const char *msg, char *err, size_t errlen)
{
    unsigned line, col;
    int n = 0;

    if (g_str_has_prefix(msg, "<data>:")) {
        msg += strlen("<data>:");
    }
    if (sscanf(msg, "%u:%u: %n", &line, &col, &n) == 2 && n > 0) {
        msg += n;
        if (g_str_has_prefix(msg, "Parse error: ")) {
            msg += strlen("Parse error: ");
        }
        snprintf(err, errlen, "line %u column %u: %s", line, col, msg);
        return;
    }
    snprintf(err, errlen, "%s", msg);
}

JsonNode *json_parse_text(const char *text, size_t len, char *err,
                          size_t errlen)
{
    const char *bad;
    JsonParser *p;
    JsonNode *root = NULL;
    GError *e = NULL;

    if (errlen) {
        err[0] = 0;
    }
    if (len > JSON_MAX_INPUT) {
        snprintf(err, errlen, "larger than %u bytes", JSON_MAX_INPUT);
        return NULL;
    }
    bad = memchr(text, 0, len);
    if (bad) {
        snprintf(err, errlen, "NUL byte at offset %zu", (size_t)(bad - text));
        return NULL;
    }
    if (!g_utf8_validate(text, (gssize)len, &bad)) {
        snprintf(err, errlen, "invalid UTF-8 at offset %zu",
                 (size_t)(bad - text));
        return NULL;
    }
    if (!json_check_text(text, len, err, errlen)) {
        return NULL;
    }
    p = json_parser_new_immutable();
    if (!json_parser_load_from_data(p, text, (gssize)len, &e)) {
        json_parse_error(e->message, err, errlen);
        g_error_free(e);
    } else if (!json_parser_get_root(p)) {
        snprintf(err, errlen, "no value");
    } else {
        root = json_parser_steal_root(p);
        if (!json_node_finite(root)) {
            snprintf(err, errlen, "number out of range");
            json_node_unref(root);
            root = NULL;
        }
    }
    g_object_unref(p);
    return root;
}

void json_append_text(JsonNode *node, GString *out)
{
    char *s = json_to_string(node, FALSE);

    g_string_append(out, s);
    g_free(s);
}

/* ---- guest records ------------------------------------------------------
 */

/* Four decimals of a fraction of one CPU are 0.01 percentage points: more
 * would be noise, and the text stays short. */
static double json_share(double share)
{
    return isfinite(share) ? round(share * 1e4) / 1e4 : 0;
}

void json_guest_fill(JsonObject *o, const GuestInfo *g, bool sched)
{
    json_object_set_string_member(o, "name", g->name);
    json_object_set_string_member(o, "state", guest_state_name(g->state));
    json_object_set_int_member(o, "weight", g->weight);
    json_object_set_int_member(o, "cap", g->cap);
    json_object_set_int_member(o, "reserve", g->reserve);
    if (sched) {
        json_object_set_int_member(o, "instructions", (gint64)g->instructions);
        json_object_set_int_member(o, "cpu-ns", (gint64)g->cpu_ns);
        json_object_set_double_member(o, "share", json_share(g->share_last));
        json_object_set_double_member(o, "share-total",
                                      json_share(g->share_total));
        json_object_set_int_member(o, "slices", (gint64)g->slices);
        json_object_set_int_member(o, "max-slice-ns", (gint64)g->max_slice_ns);
        json_object_set_int_member(o, "preemptions", (gint64)g->preemptions);
        json_object_set_int_member(o, "tb-bytes", (gint64)g->tb_bytes);
        json_object_set_int_member(o, "ram-bytes", (gint64)g->ram_bytes);
        return;
    }
    json_object_set_string_member(o, "accel",
                                  g->accel == ACCEL_JIT ? "jit" : "interp");
    json_object_set_int_member(o, "ram", (gint64)g->ram_bytes);
    if (g->state == GUEST_ENDED) {
        json_object_set_int_member(o, "exit-status", g->exit_status);
    }
    if (g->state == GUEST_ENDED || g->state == GUEST_FAILED) {
        json_object_set_string_member(o, "reason", g->reason);
    }
}

/* ---- stream splitter -----------------------------------------------------
 */

void json_splitter_init(JsonSplitter *s)
{
    memset(s, 0, sizeof(*s));
    s->buf = g_string_new(NULL);
}

void json_splitter_destroy(JsonSplitter *s)
{
    if (s->buf) {
        g_string_free(s->buf, TRUE);
        s->buf = NULL;
    }
}

static void json_splitter_reset(JsonSplitter *s)
{
    g_string_truncate(s->buf, 0);
    s->depth = 0;
    s->in_string = false;
    s->escape = false;
}

static void json_splitter_emit(JsonSplitter *s, JsonSplitFn emit, void *opaque)
{
    if (s->buf->len) {
        emit(opaque, s->buf->str, s->buf->len, NULL);
    }
    json_splitter_reset(s);
}

/* Drop the text being collected; skip input up to the next newline
 * unless C, the byte that broke the limit, was that newline. */
static void json_splitter_drop(JsonSplitter *s, char c, JsonSplitFn emit,
                               void *opaque, const char *why)
{
    json_splitter_reset(s);
    s->skipping = c != '\n';
    emit(opaque, NULL, 0, why);
}

void json_splitter_feed(JsonSplitter *s, const char *data, size_t len,
                        JsonSplitFn emit, void *opaque)
{
    char why[64];

    for (size_t i = 0; i < len; i++) {
        char c = data[i];

        if (s->skipping) {
            s->skipping = c != '\n';
            continue;
        }
        if (s->depth == 0 && !s->in_string) {
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                /* Ends a top-level scalar; otherwise noise. */
                json_splitter_emit(s, emit, opaque);
                continue;
            }
            if (c == '}' || c == ']') {
                /* A stray closer: a text of its own, for the parser to
                 * reject. */
                g_string_append_c(s->buf, c);
                json_splitter_emit(s, emit, opaque);
                continue;
            }
        }
        g_string_append_c(s->buf, c);
        if (s->in_string) {
            if (s->escape) {
                s->escape = false;
            } else if (c == '\\') {
                s->escape = true;
            } else if (c == '"') {
                s->in_string = false;
            }
        } else if (c == '"') {
            s->in_string = true;
        } else if (c == '{' || c == '[') {
            if (s->depth == JSON_MAX_DEPTH) {
                snprintf(why, sizeof(why), "nested deeper than %d",
                         JSON_MAX_DEPTH);
                json_splitter_drop(s, c, emit, opaque, why);
                continue;
            }
            s->open[s->depth++] = c == '{' ? '}' : ']';
        } else if (c == '}' || c == ']') {
            /* The end of the text, or a mismatched closer that ends a bad
             * one. */
            if (c != s->open[--s->depth] || s->depth == 0) {
                json_splitter_emit(s, emit, opaque);
                continue;
            }
        }
        if (s->buf->len > JSON_MAX_INPUT) {
            snprintf(why, sizeof(why), "larger than %u bytes", JSON_MAX_INPUT);
            json_splitter_drop(s, c, emit, opaque, why);
        }
    }
}
