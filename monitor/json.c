/*
 * JSON parser, writer and stream splitter (see json.h).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/json.h"

/* ---- values ---------------------------------------------------------- */

static JsonValue *json_new(JsonType t)
{
    JsonValue *v = g_new0(JsonValue, 1);
    v->type = t;
    return v;
}

JsonValue *json_null(void)
{
    return json_new(JSON_NULL);
}

JsonValue *json_bool(bool b)
{
    JsonValue *v = json_new(JSON_BOOL);
    v->u.b = b;
    return v;
}

JsonValue *json_int(int64_t i)
{
    JsonValue *v = json_new(JSON_NUMBER);
    v->u.num.d = (double)i;
    v->u.num.i = i;
    v->u.num.is_int = true;
    return v;
}

JsonValue *json_double(double d)
{
    JsonValue *v = json_new(JSON_NUMBER);
    v->u.num.d = isfinite(d) ? d : 0; /* JSON has no NaN or infinity */
    return v;
}

static JsonValue *json_string_len(const char *s, size_t len)
{
    JsonValue *v = json_new(JSON_STRING);
    v->u.str.s = g_malloc(len + 1);
    memcpy(v->u.str.s, s, len);
    v->u.str.s[len] = 0;
    v->u.str.len = len;
    return v;
}

JsonValue *json_string(const char *s)
{
    return json_string_len(s, strlen(s));
}

static void member_clear(gpointer p)
{
    JsonMember *m = p;
    g_free(m->key);
    json_free(m->value);
}

JsonValue *json_array(void)
{
    JsonValue *v = json_new(JSON_ARRAY);
    v->u.arr = g_ptr_array_new_with_free_func((GDestroyNotify)json_free);
    return v;
}

JsonValue *json_object(void)
{
    JsonValue *v = json_new(JSON_OBJECT);
    v->u.obj = g_array_new(FALSE, FALSE, sizeof(JsonMember));
    g_array_set_clear_func(v->u.obj, member_clear);
    return v;
}

void json_free(JsonValue *v)
{
    if (!v) {
        return;
    }
    switch (v->type) {
    case JSON_STRING: g_free(v->u.str.s); break;
    case JSON_ARRAY: g_ptr_array_free(v->u.arr, TRUE); break;
    case JSON_OBJECT: g_array_free(v->u.obj, TRUE); break;
    default: break;
    }
    g_free(v);
}

void json_array_add(JsonValue *arr, JsonValue *v)
{
    g_ptr_array_add(arr->u.arr, v);
}

void json_object_set(JsonValue *obj, const char *key, JsonValue *v)
{
    for (guint i = 0; i < obj->u.obj->len; i++) {
        JsonMember *m = &g_array_index(obj->u.obj, JsonMember, i);
        if (!strcmp(m->key, key)) {
            json_free(m->value);
            m->value = v;
            return;
        }
    }
    JsonMember m = {g_strdup(key), v};
    g_array_append_val(obj->u.obj, m);
}

JsonValue *json_object_get(const JsonValue *obj, const char *key)
{
    if (!obj || obj->type != JSON_OBJECT) {
        return NULL;
    }
    for (guint i = 0; i < obj->u.obj->len; i++) {
        JsonMember *m = &g_array_index(obj->u.obj, JsonMember, i);
        if (!strcmp(m->key, key)) {
            return m->value;
        }
    }
    return NULL;
}

const char *json_object_get_string(const JsonValue *obj, const char *key)
{
    JsonValue *v = json_object_get(obj, key);
    return v && v->type == JSON_STRING ? v->u.str.s : NULL;
}

JsonValue *json_copy(const JsonValue *v)
{
    JsonValue *c;

    switch (v->type) {
    case JSON_STRING: return json_string_len(v->u.str.s, v->u.str.len);
    case JSON_ARRAY:
        c = json_array();
        for (guint i = 0; i < v->u.arr->len; i++) {
            json_array_add(c, json_copy(g_ptr_array_index(v->u.arr, i)));
        }
        return c;
    case JSON_OBJECT:
        c = json_object();
        for (guint i = 0; i < v->u.obj->len; i++) {
            JsonMember *m = &g_array_index(v->u.obj, JsonMember, i);
            json_object_set(c, m->key, json_copy(m->value));
        }
        return c;
    default:
        c = json_new(v->type);
        c->u = v->u;
        return c;
    }
}

/* ---- parser ------------------------------------------------------------ */

typedef struct Parser {
    const char *p, *end;
    char *err;
    size_t errlen;
    bool failed;
} Parser;

static void perr(Parser *ps, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void perr(Parser *ps, const char *fmt, ...)
{
    va_list ap;

    if (ps->failed) {
        return; /* keep the first, innermost reason */
    }
    ps->failed = true;
    if (ps->errlen) {
        va_start(ap, fmt);
        vsnprintf(ps->err, ps->errlen, fmt, ap);
        va_end(ap);
    }
}

static void skip_ws(Parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
                               *ps->p == '\n' || *ps->p == '\r')) {
        ps->p++;
    }
}

static bool literal(Parser *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) >= n && !memcmp(ps->p, word, n)) {
        ps->p += n;
        return true;
    }
    return false;
}

static int hex4(Parser *ps)
{
    int v = 0;
    if (ps->end - ps->p < 4) {
        perr(ps, "truncated \\u escape");
        return -1;
    }
    for (int i = 0; i < 4; i++) {
        char c = *ps->p++;
        v <<= 4;
        if (c >= '0' && c <= '9') {
            v |= c - '0';
        } else if (c >= 'a' && c <= 'f') {
            v |= c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            v |= c - 'A' + 10;
        } else {
            perr(ps, "bad hex digit in \\u escape");
            return -1;
        }
    }
    return v;
}

static void put_utf8(GString *s, uint32_t cp)
{
    char buf[6];
    gint n = g_unichar_to_utf8(cp, buf);
    g_string_append_len(s, buf, n);
}

/* A string literal, ps->p just past the opening quote. */
static JsonValue *parse_string(Parser *ps)
{
    GString *s = g_string_new(NULL);
    JsonValue *v;

    for (;;) {
        if (ps->p >= ps->end) {
            perr(ps, "unterminated string");
            goto fail;
        }
        unsigned char c = *ps->p;
        if (c == '"') {
            ps->p++;
            break;
        }
        if (c < 0x20) {
            perr(ps, "control character in string");
            goto fail;
        }
        if (c != '\\') {
            /* Copy one whole UTF-8 sequence, validated. */
            const char *start = ps->p;
            gunichar u = g_utf8_get_char_validated(start, ps->end - start);
            if (u == (gunichar)-1 || u == (gunichar)-2) {
                perr(ps, "invalid UTF-8 in string");
                goto fail;
            }
            const char *next = g_utf8_next_char(start);
            g_string_append_len(s, start, next - start);
            ps->p = next;
            continue;
        }
        ps->p++;
        if (ps->p >= ps->end) {
            perr(ps, "truncated escape");
            goto fail;
        }
        c = *ps->p++;
        switch (c) {
        case '"': g_string_append_c(s, '"'); break;
        case '\\': g_string_append_c(s, '\\'); break;
        case '/': g_string_append_c(s, '/'); break;
        case 'b': g_string_append_c(s, '\b'); break;
        case 'f': g_string_append_c(s, '\f'); break;
        case 'n': g_string_append_c(s, '\n'); break;
        case 'r': g_string_append_c(s, '\r'); break;
        case 't': g_string_append_c(s, '\t'); break;
        case 'u': {
            int hi = hex4(ps), lo;
            if (hi < 0) {
                goto fail;
            }
            if (hi >= 0xdc00 && hi <= 0xdfff) {
                perr(ps, "lone low surrogate in \\u escape");
                goto fail;
            }
            if (hi >= 0xd800 && hi <= 0xdbff) {
                if (!literal(ps, "\\u") || (lo = hex4(ps)) < 0 ||
                    lo < 0xdc00 || lo > 0xdfff) {
                    perr(ps, "lone high surrogate in \\u escape");
                    goto fail;
                }
                hi = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
            }
            put_utf8(s, hi);
            break;
        }
        default:
            perr(ps, "bad escape '\\%c' in string", c >= 0x20 && c < 0x7f ? c : '?');
            goto fail;
        }
    }
    v = json_new(JSON_STRING);
    v->u.str.len = s->len;
    v->u.str.s = g_string_free(s, FALSE);
    return v;
fail:
    g_string_free(s, TRUE);
    return NULL;
}

static bool is_digit(const Parser *ps)
{
    return ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9';
}

/* RFC 8259 number grammar, checked by hand because strtod accepts more
 * (hex, inf, nan, leading '+'). */
static JsonValue *parse_number(Parser *ps)
{
    const char *start = ps->p;
    bool frac = false;
    char buf[64];
    JsonValue *v;

    if (*ps->p == '-') {
        ps->p++;
    }
    if (!is_digit(ps)) {
        perr(ps, "bad number");
        return NULL;
    }
    if (*ps->p == '0') {
        ps->p++;
        if (is_digit(ps)) {
            perr(ps, "leading zero in number");
            return NULL;
        }
    } else {
        while (is_digit(ps)) {
            ps->p++;
        }
    }
    if (ps->p < ps->end && *ps->p == '.') {
        frac = true;
        ps->p++;
        if (!is_digit(ps)) {
            perr(ps, "bad fraction in number");
            return NULL;
        }
        while (is_digit(ps)) {
            ps->p++;
        }
    }
    if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
        frac = true;
        ps->p++;
        if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-')) {
            ps->p++;
        }
        if (!is_digit(ps)) {
            perr(ps, "bad exponent in number");
            return NULL;
        }
        while (is_digit(ps)) {
            ps->p++;
        }
    }
    size_t n = ps->p - start;
    if (n >= sizeof(buf)) {
        perr(ps, "number too long");
        return NULL;
    }
    memcpy(buf, start, n);
    buf[n] = 0;
    v = json_new(JSON_NUMBER);
    errno = 0;
    v->u.num.d = strtod(buf, NULL);
    if (!isfinite(v->u.num.d)) {
        json_free(v);
        perr(ps, "number out of range");
        return NULL;
    }
    if (!frac) {
        errno = 0;
        long long i = strtoll(buf, NULL, 10);
        if (errno == 0) {
            v->u.num.i = i;
            v->u.num.is_int = true;
        }
    }
    return v;
}

static JsonValue *parse_value(Parser *ps, int depth);

static JsonValue *parse_array(Parser *ps, int depth)
{
    JsonValue *arr = json_array();

    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        return arr;
    }
    for (;;) {
        JsonValue *e = parse_value(ps, depth);
        if (!e) {
            goto fail;
        }
        json_array_add(arr, e);
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == ']') {
            ps->p++;
            return arr;
        }
        perr(ps, ps->p < ps->end ? "expected ',' or ']' in array"
                                 : "truncated array");
        goto fail;
    }
fail:
    json_free(arr);
    return NULL;
}

static JsonValue *parse_object(Parser *ps, int depth)
{
    JsonValue *obj = json_object();

    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        return obj;
    }
    for (;;) {
        JsonValue *key, *val;
        skip_ws(ps);
        if (ps->p >= ps->end || *ps->p != '"') {
            perr(ps, ps->p < ps->end ? "expected a string key in object"
                                     : "truncated object");
            goto fail;
        }
        ps->p++;
        key = parse_string(ps);
        if (!key) {
            goto fail;
        }
        if (strlen(key->u.str.s) != key->u.str.len ||
            json_object_get(obj, key->u.str.s)) {
            perr(ps, "duplicate or NUL-holding key in object");
            json_free(key);
            goto fail;
        }
        skip_ws(ps);
        if (ps->p >= ps->end || *ps->p != ':') {
            perr(ps, "expected ':' in object");
            json_free(key);
            goto fail;
        }
        ps->p++;
        val = parse_value(ps, depth);
        if (!val) {
            json_free(key);
            goto fail;
        }
        json_object_set(obj, key->u.str.s, val);
        json_free(key);
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == '}') {
            ps->p++;
            return obj;
        }
        perr(ps, ps->p < ps->end ? "expected ',' or '}' in object"
                                 : "truncated object");
        goto fail;
    }
fail:
    json_free(obj);
    return NULL;
}

static JsonValue *parse_value(Parser *ps, int depth)
{
    skip_ws(ps);
    if (ps->p >= ps->end) {
        perr(ps, "unexpected end of input");
        return NULL;
    }
    switch (*ps->p) {
    case '{':
    case '[':
        if (depth >= JSON_MAX_DEPTH) {
            perr(ps, "nesting deeper than %d", JSON_MAX_DEPTH);
            return NULL;
        }
        return *ps->p++ == '{' ? parse_object(ps, depth + 1)
                               : parse_array(ps, depth + 1);
    case '"': ps->p++; return parse_string(ps);
    case 't':
        if (literal(ps, "true")) {
            return json_bool(true);
        }
        break;
    case 'f':
        if (literal(ps, "false")) {
            return json_bool(false);
        }
        break;
    case 'n':
        if (literal(ps, "null")) {
            return json_null();
        }
        break;
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9')) {
            return parse_number(ps);
        }
        break;
    }
    perr(ps, "unexpected character '%c'",
         *ps->p >= 0x20 && *ps->p < 0x7f ? *ps->p : '?');
    return NULL;
}

JsonValue *json_parse(const char *text, size_t len, char *err, size_t errlen)
{
    Parser ps = {text, text + len, err, errlen, false};
    JsonValue *v;

    if (errlen) {
        err[0] = 0;
    }
    if (len > JSON_MAX_INPUT) {
        perr(&ps, "input larger than %u bytes", JSON_MAX_INPUT);
        return NULL;
    }
    v = parse_value(&ps, 0);
    if (!v) {
        return NULL;
    }
    skip_ws(&ps);
    if (ps.p != ps.end) {
        perr(&ps, "trailing characters after the value");
        json_free(v);
        return NULL;
    }
    return v;
}

/* ---- writer ------------------------------------------------------------ */

void json_write_string(const char *s, size_t len, GString *out)
{
    g_string_append_c(out, '"');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = s[i];
        switch (c) {
        case '"': g_string_append(out, "\\\""); break;
        case '\\': g_string_append(out, "\\\\"); break;
        case '\n': g_string_append(out, "\\n"); break;
        case '\r': g_string_append(out, "\\r"); break;
        case '\t': g_string_append(out, "\\t"); break;
        default:
            if (c < 0x20 || c == 0x7f) {
                g_string_append_printf(out, "\\u%04x", c);
            } else {
                g_string_append_c(out, c);
            }
        }
    }
    g_string_append_c(out, '"');
}

void json_write(const JsonValue *v, GString *out)
{
    switch (v->type) {
    case JSON_NULL: g_string_append(out, "null"); break;
    case JSON_BOOL: g_string_append(out, v->u.b ? "true" : "false"); break;
    case JSON_NUMBER:
        if (v->u.num.is_int) {
            g_string_append_printf(out, "%" G_GINT64_FORMAT, v->u.num.i);
        } else {
            char buf[G_ASCII_DTOSTR_BUF_SIZE];
            /* Locale-independent, round-trips exactly. */
            g_ascii_dtostr(buf, sizeof(buf), v->u.num.d);
            g_string_append(out, buf);
        }
        break;
    case JSON_STRING: json_write_string(v->u.str.s, v->u.str.len, out); break;
    case JSON_ARRAY:
        g_string_append_c(out, '[');
        for (guint i = 0; i < v->u.arr->len; i++) {
            if (i) {
                g_string_append(out, ", ");
            }
            json_write(g_ptr_array_index(v->u.arr, i), out);
        }
        g_string_append_c(out, ']');
        break;
    case JSON_OBJECT:
        g_string_append_c(out, '{');
        for (guint i = 0; i < v->u.obj->len; i++) {
            JsonMember *m = &g_array_index(v->u.obj, JsonMember, i);
            if (i) {
                g_string_append(out, ", ");
            }
            json_write_string(m->key, strlen(m->key), out);
            g_string_append(out, ": ");
            json_write(m->value, out);
        }
        g_string_append_c(out, '}');
        break;
    }
}

/* ---- stream splitter --------------------------------------------------- */

void json_streamer_init(JsonStreamer *s)
{
    memset(s, 0, sizeof(*s));
    s->buf = g_string_new(NULL);
}

void json_streamer_destroy(JsonStreamer *s)
{
    if (s->buf) {
        g_string_free(s->buf, TRUE);
        s->buf = NULL;
    }
}

static void streamer_emit(JsonStreamer *s,
                          void (*emit)(void *, const char *, size_t),
                          void *opaque)
{
    if (s->overflow) {
        s->overflow = false; /* the error was reported when it began */
    } else if (s->buf->len) {
        emit(opaque, s->buf->str, s->buf->len);
    }
    g_string_truncate(s->buf, 0);
    s->depth = 0;
}

void json_streamer_feed(JsonStreamer *s, const char *data, size_t len,
                        void (*emit)(void *opaque, const char *text,
                                     size_t len),
                        void *opaque)
{
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        bool ws = c == ' ' || c == '\t' || c == '\n' || c == '\r';

        /* Whitespace at top level ends a scalar and is otherwise noise. */
        if (s->depth == 0 && !s->in_string && ws) {
            if (s->buf->len || s->overflow) {
                streamer_emit(s, emit, opaque);
            }
            continue;
        }
        if (!s->overflow) {
            g_string_append_c(s->buf, c);
        }
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
            if (s->depth < (1 << 20)) { /* bounded even while skipping */
                s->depth++;
            }
        } else if (c == '}' || c == ']') {
            /* A stray closer at top level is emitted for the parser to
             * reject. */
            if (s->depth <= 1) {
                streamer_emit(s, emit, opaque);
                continue;
            }
            s->depth--;
        }
        if (!s->overflow &&
            (s->buf->len > JSON_MAX_INPUT || s->depth > JSON_MAX_DEPTH)) {
            s->overflow = true;
            g_string_truncate(s->buf, 0);
            emit(opaque, NULL, 0);
        }
    }
}
