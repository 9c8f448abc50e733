/*
 * monitor/json.c: valid, invalid and hostile input, the writer, and the
 * QMP stream splitter.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/json.h"

static JsonValue *parse(const char *s)
{
    char err[128];
    return json_parse(s, strlen(s), err, sizeof(err));
}

/* Parse S and write it back compactly. */
static char *roundtrip(const char *s)
{
    JsonValue *v = parse(s);
    GString *out;

    if (!v) {
        return NULL;
    }
    out = g_string_new(NULL);
    json_write(v, out);
    json_free(v);
    return g_string_free(out, FALSE);
}

START_TEST(test_valid)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"null", "null"},
        {" true ", "true"},
        {"false", "false"},
        {"0", "0"},
        {"-12", "-12"},
        {"9223372036854775807", "9223372036854775807"},
        {"1.5", "1.5"},
        {"-0.25e2", "-25"},
        {"\"a\\\"b\\\\c\\/\\n\\t\"", "\"a\\\"b\\\\c/\\n\\t\""},
        {"\"\\u00e9\\ud83d\\ude00\"", "\"\xc3\xa9\xf0\x9f\x98\x80\""},
        {"\"\xc3\xa9\"", "\"\xc3\xa9\""},
        {"[]", "[]"},
        {"{}", "{}"},
        {"[1, [2, {\"a\": null}]]", "[1, [2, {\"a\": null}]]"},
        {"{\"execute\":\"x\",\"id\":[1,\"b\"]}",
         "{\"execute\": \"x\", \"id\": [1, \"b\"]}"},
        {"\"\\u0001\"", "\"\\u0001\""},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *got = roundtrip(cases[i].in);
        ck_assert_msg(got, "rejected valid '%s'", cases[i].in);
        ck_assert_str_eq(got, cases[i].out);
        g_free(got);
    }
}
END_TEST

START_TEST(test_invalid)
{
    static const char *const cases[] = {
        "", " ", "nul", "tru", "True", "NaN", "Infinity", "-", "01", "1.",
        ".5", "1e", "+1", "0x10", "1 2", "[1,]", "[,1]", "{\"a\":1,}",
        "{a:1}", "{'a':1}", "{\"a\" 1}", "{\"a\":}", "[1", "{\"a\":1",
        "\"abc", "\"\\x41\"", "\"\\u12\"", "\"\\u12g4\"", "\"\\ud800\"",
        "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"a\nb\"", "\"\xff\"",
        "\"\xc3\"", "\"\xc0\xaf\"", "// c\n1", "[1]]", "{\"a\":1}}",
        "{\"a\":1,\"a\":2}", "{\"a\\u0000b\":1}", "1e400", "-1e400",
        "\"\\", "[\"\\u",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char err[128] = "";
        JsonValue *v = json_parse(cases[i], strlen(cases[i]), err,
                                  sizeof(err));
        ck_assert_msg(!v, "accepted invalid '%s'", cases[i]);
        ck_assert_msg(err[0], "no reason for '%s'", cases[i]);
    }
}
END_TEST

START_TEST(test_embedded_nul)
{
    char err[128];
    JsonValue *v = json_parse("\"a\\u0000b\"", 10, err, sizeof(err));
    ck_assert_ptr_nonnull(v);
    ck_assert_uint_eq(v->u.str.len, 3);
    json_free(v);
    /* A raw NUL byte is a control character. */
    ck_assert_ptr_null(json_parse("\"a\0b\"", 5, err, sizeof(err)));
}
END_TEST

START_TEST(test_numbers)
{
    JsonValue *v = parse("18446744073709551616"); /* 2^64: not an int64 */
    ck_assert_ptr_nonnull(v);
    ck_assert(!v->u.num.is_int);
    ck_assert(v->u.num.d > 1.8e19);
    json_free(v);
    v = parse("-9223372036854775808");
    ck_assert(v->u.num.is_int);
    ck_assert(v->u.num.i == INT64_MIN);
    json_free(v);
    v = parse("3.0");
    ck_assert(!v->u.num.is_int); /* written as a double: not an integer */
    json_free(v);
    /* Huge digit strings are refused, not parsed slowly. */
    char *big = g_strnfill(5000, '9');
    ck_assert_ptr_null(parse(big));
    g_free(big);
}
END_TEST

START_TEST(test_deep_nesting)
{
    GString *s = g_string_new(NULL);
    char *ok;

    /* Exactly the limit parses; one more is refused without recursion
     * past it, and a million levels do not touch the stack. */
    for (int i = 0; i < JSON_MAX_DEPTH; i++) {
        g_string_append_c(s, '[');
    }
    for (int i = 0; i < JSON_MAX_DEPTH; i++) {
        g_string_append_c(s, ']');
    }
    ok = roundtrip(s->str);
    ck_assert_ptr_nonnull(ok);
    g_free(ok);
    g_string_prepend_c(s, '[');
    g_string_append_c(s, ']');
    ck_assert_ptr_null(parse(s->str));
    g_string_free(s, TRUE);

    char *deep = g_strnfill(1000000, '{');
    char err[128];
    ck_assert_ptr_null(json_parse(deep, 1000000, err, sizeof(err)));
    g_free(deep);
    deep = g_strnfill(JSON_MAX_INPUT + 1, ' ');
    ck_assert_ptr_null(json_parse(deep, JSON_MAX_INPUT + 1, err, sizeof(err)));
    ck_assert(strstr(err, "larger"));
    g_free(deep);
}
END_TEST

START_TEST(test_builders)
{
    JsonValue *o = json_object(), *a = json_array(), *c;
    GString *out = g_string_new(NULL);

    json_array_add(a, json_int(1));
    json_array_add(a, json_double(0.5));
    json_array_add(a, json_bool(true));
    json_array_add(a, json_null());
    json_object_set(o, "k", json_string("v\"\x01"));
    json_object_set(o, "a", a);
    json_object_set(o, "k", json_string("w")); /* replaces, keeps order */
    c = json_copy(o);
    json_write(c, out);
    ck_assert_str_eq(out->str, "{\"k\": \"w\", \"a\": [1, 0.5, true, null]}");
    ck_assert_str_eq(json_object_get_string(c, "k"), "w");
    ck_assert_ptr_null(json_object_get_string(c, "a"));
    ck_assert_ptr_null(json_object_get(a, "k"));
    json_free(o);
    json_free(c);
    g_string_free(out, TRUE);
}
END_TEST

typedef struct Texts {
    GPtrArray *got; /* "<dropped>" for a dropped text */
} Texts;

static void collect(void *opaque, const char *text, size_t len)
{
    Texts *t = opaque;
    g_ptr_array_add(t->got, text ? g_strndup(text, len)
                                 : g_strdup("<dropped>"));
}

START_TEST(test_streamer)
{
    JsonStreamer s;
    Texts t = {g_ptr_array_new_with_free_func(g_free)};
    const char *in = "{\"execute\": \"a\", \"s\": \"}{\\\"\"}\r\n"
                     "[1, [2]] 3 {\"b\":\n1}}";

    json_streamer_init(&s);
    /* Byte by byte: framing must not depend on read boundaries. */
    for (const char *p = in; *p; p++) {
        json_streamer_feed(&s, p, 1, collect, &t);
    }
    json_streamer_feed(&s, "\n", 1, collect, &t);
    ck_assert_uint_eq(t.got->len, 5);
    ck_assert_str_eq(t.got->pdata[0], "{\"execute\": \"a\", \"s\": \"}{\\\"\"}");
    ck_assert_str_eq(t.got->pdata[1], "[1, [2]]");
    ck_assert_str_eq(t.got->pdata[2], "3");
    ck_assert_str_eq(t.got->pdata[3], "{\"b\":\n1}");
    ck_assert_str_eq(t.got->pdata[4], "}"); /* stray: for the parser */

    /* Too deep: dropped once, then the stream recovers. */
    g_ptr_array_set_size(t.got, 0);
    char *deep = g_strnfill(JSON_MAX_DEPTH + 10, '[');
    char *close = g_strnfill(JSON_MAX_DEPTH + 10, ']');
    json_streamer_feed(&s, deep, strlen(deep), collect, &t);
    json_streamer_feed(&s, close, strlen(close), collect, &t);
    json_streamer_feed(&s, "{}", 2, collect, &t);
    ck_assert_uint_eq(t.got->len, 2);
    ck_assert_str_eq(t.got->pdata[0], "<dropped>");
    ck_assert_str_eq(t.got->pdata[1], "{}");
    g_free(deep);
    g_free(close);

    /* Too big: dropped, memory stays bounded. */
    g_ptr_array_set_size(t.got, 0);
    json_streamer_feed(&s, "[\"", 2, collect, &t);
    char *junk = g_strnfill(1 << 16, 'x');
    for (int i = 0; i < 40; i++) {
        json_streamer_feed(&s, junk, 1 << 16, collect, &t);
    }
    ck_assert_uint_le(s.buf->len, JSON_MAX_INPUT + 1);
    json_streamer_feed(&s, "\"]{}", 4, collect, &t);
    ck_assert_uint_eq(t.got->len, 2);
    ck_assert_str_eq(t.got->pdata[0], "<dropped>");
    ck_assert_str_eq(t.got->pdata[1], "{}");
    g_free(junk);

    json_streamer_destroy(&s);
    g_ptr_array_free(t.got, TRUE);
}
END_TEST

/* Random bytes and mutations of valid text never crash or leak. */
START_TEST(test_fuzz)
{
    static const char seed[] =
        "{\"execute\": \"guest-add\", \"arguments\": {\"name\": \"a\\u00e9\", "
        "\"mem\": 16, \"x\": [true, false, null, -1.5e3]}, \"id\": 1}";
    GRand *r = g_rand_new_with_seed(4);
    char buf[sizeof(seed)];
    char err[128];

    for (int i = 0; i < 20000; i++) {
        memcpy(buf, seed, sizeof(seed));
        int n = g_rand_int_range(r, 1, 4);
        for (int k = 0; k < n; k++) {
            buf[g_rand_int_range(r, 0, sizeof(seed) - 1)] =
                g_rand_int_range(r, 0, 256);
        }
        size_t len = g_rand_int_range(r, 0, sizeof(seed));
        json_free(json_parse(buf, len, err, sizeof(err)));
    }
    g_rand_free(r);
}
END_TEST

static Suite *json_suite(void)
{
    Suite *s = suite_create("json");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_valid);
    tcase_add_test(tc, test_invalid);
    tcase_add_test(tc, test_embedded_nul);
    tcase_add_test(tc, test_numbers);
    tcase_add_test(tc, test_deep_nesting);
    tcase_add_test(tc, test_builders);
    tcase_add_test(tc, test_streamer);
    tcase_add_test(tc, test_fuzz);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(json_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
