/*
 * monitor/json.c: parsing through json-glib with the limits untrusted
 * input needs, the guest records, and the QMP stream splitter.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/json.h"

static JsonNode *parse(const char *s, char *err, size_t errlen)
{
    return json_parse_text(s, strlen(s), err, errlen);
}

/* Parse S and write it back. */
static char *roundtrip(const char *s)
{
    char err[256];
    JsonNode *n = parse(s, err, sizeof(err));
    GString *out;

    if (!n) {
        return NULL;
    }
    out = g_string_new(NULL);
    json_append_text(n, out);
    json_node_unref(n);
    return g_string_free(out, FALSE);
}

START_TEST(test_valid)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"null", "null"},
        {" true ", "true"},
        {"-12", "-12"},
        {"9223372036854775807", "9223372036854775807"},
        {"-9223372036854775808", "-9223372036854775808"},
        {"1.5", "1.5"},
        {"\"a\\\"b\\\\c\\/\\n\\t\"", "\"a\\\"b\\\\c/\\n\\t\""},
        {"\"\\u00e9\\ud83d\\ude00\"", "\"\xc3\xa9\xf0\x9f\x98\x80\""},
        {"\"\xc3\xa9\"", "\"\xc3\xa9\""},
        {"[]", "[]"},
        {"{}", "{}"},
        {"[1, [2, {\"a\": null}]]", "[1,[2,{\"a\":null}]]"},
        {"{\"execute\":\"x\",\"id\":[1,\"b\"]}",
         "{\"execute\":\"x\",\"id\":[1,\"b\"]}"},
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
    static const struct {
        const char *in, *why; /* WHY: part of the reason */
    } cases[] = {
        {"", "no value"},
        {" ", "no value"},
        {"nul", "line 1 column"},
        {"True", "line 1"},
        {"NaN", "line 1"},
        {"-", "line 1"},
        {"1e", "line 1"},
        {"+1", "line 1"},
        {"1 2", "line 1"},
        {"[1,]", "line 1"},
        {"{\"a\":1,}", "line 1"},
        {"{a:1}", "line 1"},
        {"{\"a\" 1}", "line 1"},
        {"[1", "line 1"},
        {"{\"a\":1", "line 1"},
        {"\"abc", "line 1"},
        {"\"\\ud800\\u0041\"", "line 1"},
        {"[1]]", "line 1"},
        {"\"\xff\"", "invalid UTF-8 at offset 1"},
        {"\"\xc3\"", "invalid UTF-8"},
        {"\"\xc0\xaf\"", "invalid UTF-8"},
        {"{\"id\": \"\xed\xa0\x80\"}", "invalid UTF-8 at offset 8"},
        {"18446744073709551616", "integer 18446744073709551616 out of range"},
        {"[-99999999999999999999]", "out of range"},
        {"1e400", "number out of range"},
        {"{\"id\": [-1e999]}", "number out of range"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char err[256] = "";
        JsonNode *n = parse(cases[i].in, err, sizeof(err));
        ck_assert_msg(!n, "accepted invalid '%s'", cases[i].in);
        ck_assert_msg(strstr(err, cases[i].why), "'%s': reason '%s'",
                      cases[i].in, err);
        ck_assert_ptr_null(strchr(err, '\n'));
    }
}
END_TEST

START_TEST(test_nul_bytes)
{
    char err[256];

    /* A raw NUL, in a string or between tokens, is refused before
     * json-glib (which would stop at it). */
    ck_assert_ptr_null(json_parse_text("\"a\0b\"", 5, err, sizeof(err)));
    ck_assert_str_eq(err, "NUL byte at offset 2");
    ck_assert_ptr_null(json_parse_text("{}\0", 3, err, sizeof(err)));
    ck_assert_str_eq(err, "NUL byte at offset 2");
}
END_TEST

START_TEST(test_deep_nesting)
{
    GString *s = g_string_new(NULL);
    char err[256], *ok, *deep;

    /* Exactly the limit parses; one more is refused before json-glib,
     * whose parser would recurse once per level. */
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
    ck_assert_ptr_null(parse(s->str, err, sizeof(err)));
    ck_assert_str_eq(err, "nested deeper than 64");
    g_string_free(s, TRUE);
    /* Brackets in strings do not count. */
    deep = g_strnfill(1000, '[');
    s = g_string_new("\"");
    g_string_append(s, deep);
    g_string_append_c(s, '"');
    ok = roundtrip(s->str);
    ck_assert_ptr_nonnull(ok);
    g_free(ok);
    g_string_free(s, TRUE);
    g_free(deep);

    deep = g_strnfill(1000000, '{');
    ck_assert_ptr_null(json_parse_text(deep, 1000000, err, sizeof(err)));
    g_free(deep);
    deep = g_strnfill(JSON_MAX_INPUT + 1, ' ');
    ck_assert_ptr_null(
        json_parse_text(deep, JSON_MAX_INPUT + 1, err, sizeof(err)));
    ck_assert_str_eq(err, "larger than 1048576 bytes");
    g_free(deep);
}
END_TEST

static char *guest_text(const GuestInfo *g, bool sched)
{
    JsonObject *o = json_object_new();
    JsonNode *n = json_node_new(JSON_NODE_OBJECT);
    GString *out = g_string_new(NULL);

    json_guest_fill(o, g, sched);
    json_node_take_object(n, o);
    json_append_text(n, out);
    json_node_unref(n);
    return g_string_free(out, FALSE);
}

START_TEST(test_guest_records)
{
    GuestInfo g = {
        .name = "web",
        .state = GUEST_ENDED,
        .weight = 3,
        .cap = 50,
        .reserve = 10,
        .exit_status = 1,
        .reason = "isa-debug-exit: \"bye\"",
        .instructions = 5000000000ull,
        .cpu_ns = 1234,
        .slices = 7,
        .max_slice_ns = 2100000,
        .preemptions = 2,
        .share_last = 0.24719,
        .share_total = 0.25,
        .tb_bytes = 4096,
        .ram_bytes = 16 << 20,
        .accel = ACCEL_JIT,
    };
    char *s = guest_text(&g, true);

    ck_assert_str_eq(s, "{\"name\":\"web\",\"state\":\"ended\",\"weight\":3,"
                        "\"cap\":50,\"reserve\":10,\"instructions\":"
                        "5000000000,\"cpu-ns\":1234,\"share\":0.2472,"
                        "\"share-total\":0.25,\"slices\":7,"
                        "\"max-slice-ns\":2100000,\"preemptions\":2,"
                        "\"tb-bytes\":4096,\"ram-bytes\":16777216}");
    g_free(s);
    s = guest_text(&g, false);
    ck_assert_str_eq(s, "{\"name\":\"web\",\"state\":\"ended\",\"weight\":3,"
                        "\"cap\":50,\"reserve\":10,\"accel\":\"jit\","
                        "\"ram\":16777216,\"exit-status\":1,\"reason\":"
                        "\"isa-debug-exit: \\\"bye\\\"\"}");
    g_free(s);
    g.state = GUEST_RUNNING;
    g.accel = ACCEL_INTERP;
    s = guest_text(&g, false);
    ck_assert_str_eq(s, "{\"name\":\"web\",\"state\":\"running\",\"weight\":3,"
                        "\"cap\":50,\"reserve\":10,\"accel\":\"interp\","
                        "\"ram\":16777216}");
    g_free(s);
}
END_TEST

typedef struct Texts {
    GPtrArray *got; /* "<dropped: WHY>" for a dropped text */
} Texts;

static void collect(void *opaque, const char *text, size_t len, const char *why)
{
    Texts *t = opaque;

    g_ptr_array_add(t->got, text ? g_strndup(text, len)
                                 : g_strdup_printf("<dropped: %s>", why));
}

static void feed(JsonSplitter *s, Texts *t, const char *in)
{
    json_splitter_feed(s, in, strlen(in), collect, t);
}

START_TEST(test_splitter_framing)
{
    JsonSplitter s;
    Texts t = {g_ptr_array_new_with_free_func(g_free)};
    const char *in = "{\"execute\": \"a\", \"s\": \"}{\\\"\"}\r\n"
                     "[1, [2]] 3 {\"b\":\n1}}";

    json_splitter_init(&s);
    /* Byte by byte: framing must not depend on read boundaries. */
    for (const char *p = in; *p; p++) {
        json_splitter_feed(&s, p, 1, collect, &t);
    }
    feed(&s, &t, "\n");
    ck_assert_uint_eq(t.got->len, 5);
    ck_assert_str_eq(t.got->pdata[0],
                     "{\"execute\": \"a\", \"s\": \"}{\\\"\"}");
    ck_assert_str_eq(t.got->pdata[1], "[1, [2]]");
    ck_assert_str_eq(t.got->pdata[2], "3");
    ck_assert_str_eq(t.got->pdata[3], "{\"b\":\n1}");
    ck_assert_str_eq(t.got->pdata[4], "}"); /* stray: for the parser */

    /* A mismatched closer ends the bad text there, so that the next
     * message is not swallowed by its open brace. */
    g_ptr_array_set_size(t.got, 0);
    feed(&s, &t, "{\"a\": [}\n{\"execute\": \"b\"}\n");
    ck_assert_uint_eq(t.got->len, 2);
    ck_assert_str_eq(t.got->pdata[0], "{\"a\": [}");
    ck_assert_str_eq(t.got->pdata[1], "{\"execute\": \"b\"}");
    json_splitter_destroy(&s);
    g_ptr_array_free(t.got, TRUE);
}
END_TEST

START_TEST(test_splitter_limits)
{
    JsonSplitter s;
    Texts t = {g_ptr_array_new_with_free_func(g_free)};
    char *deep = g_strnfill(JSON_MAX_DEPTH + 10, '[');
    char *junk = g_strnfill(1 << 16, 'x');

    json_splitter_init(&s);
    /* Too deep, and never closed: dropped once, the rest of the line
     * skipped, and the next line is a message again. */
    feed(&s, &t, deep);
    feed(&s, &t, "]]]\n{}");
    ck_assert_uint_eq(t.got->len, 2);
    ck_assert_str_eq(t.got->pdata[0], "<dropped: nested deeper than 64>");
    ck_assert_str_eq(t.got->pdata[1], "{}");

    /* A 10 MB line: dropped once, memory stays bounded, and the next
     * line is read. */
    g_ptr_array_set_size(t.got, 0);
    feed(&s, &t, "{\"execute\": \"x\", \"arguments\": {\"a\": \"");
    for (int i = 0; i < 160; i++) {
        json_splitter_feed(&s, junk, 1 << 16, collect, &t);
        ck_assert_uint_le(s.buf->len, JSON_MAX_INPUT + 1);
    }
    feed(&s, &t, "\"}}\n[1]");
    ck_assert_uint_eq(t.got->len, 2);
    ck_assert_str_eq(t.got->pdata[0], "<dropped: larger than 1048576 bytes>");
    ck_assert_str_eq(t.got->pdata[1], "[1]");

    /* NUL bytes pass through to the parser, which says where. */
    g_ptr_array_set_size(t.got, 0);
    json_splitter_feed(&s, "[\"a\0\"]", 6, collect, &t);
    ck_assert_uint_eq(t.got->len, 1);
    json_splitter_destroy(&s);
    g_ptr_array_free(t.got, TRUE);
    g_free(deep);
    g_free(junk);
}
END_TEST

/* Random bytes and mutations of valid text never crash or leak, and what
 * parses writes back as text that parses again. */
START_TEST(test_fuzz)
{
    static const char seed[] =
        "{\"execute\": \"guest-add\", \"arguments\": {\"name\": \"a\\u00e9\", "
        "\"mem\": 16, \"x\": [true, false, null, -1.5e3]}, \"id\": 1}";
    GRand *r = g_rand_new_with_seed(4);
    char buf[sizeof(seed)];
    char err[256];

    for (int i = 0; i < 20000; i++) {
        JsonNode *n;

        memcpy(buf, seed, sizeof(seed));
        int k = g_rand_int_range(r, 1, 4);
        while (k--) {
            buf[g_rand_int_range(r, 0, sizeof(seed) - 1)] =
                g_rand_int_range(r, 0, 256);
        }
        size_t len = g_rand_int_range(r, 0, sizeof(seed));
        n = json_parse_text(buf, len, err, sizeof(err));
        if (n) {
            GString *out = g_string_new(NULL);
            JsonNode *again;

            json_append_text(n, out);
            again = json_parse_text(out->str, out->len, err, sizeof(err));
            ck_assert_msg(again, "'%s' does not parse again: %s", out->str,
                          err);
            json_node_unref(again);
            g_string_free(out, TRUE);
            json_node_unref(n);
        }
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
    tcase_add_test(tc, test_nul_bytes);
    tcase_add_test(tc, test_deep_nesting);
    tcase_add_test(tc, test_guest_records);
    tcase_add_test(tc, test_splitter_framing);
    tcase_add_test(tc, test_splitter_limits);
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
