/* test_fmt.c — the shared formatting helper (src/fmt.h): JSON escaping into
 * a bounded buffer and to a FILE, Markdown cell escaping, ISO 8601 and
 * HH:MM:SS times, durations, the line buffer's bounds, and the role word
 * of a host with its fallbacks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "omnisniff/hosts.h"

extern const char os_default_rules[];
extern const unsigned long os_default_rules_len;

#define T0 1768471200000000000ULL /* 2026-01-15T10:00:00Z */

/* What writer(f, arg) wrote, as a string (free it). */
static char *capture(void (*writer)(FILE *, const char *), const char *arg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    writer(f, arg);
    fclose(f);
    return buf;
}

static void test_json_escape(void **state)
{
    (void)state;
    char *t = capture(os_fmt_json_fputs, "a\"b\\c\nd\x01\x1f" "e\x7f\xc3\xa9/");
    assert_string_equal(t, "\"a\\\"b\\\\c\\u000ad\\u0001\\u001fe\x7f\xc3\xa9/\"");
    free(t);
    t = capture(os_fmt_json_fputs, "");
    assert_string_equal(t, "\"\"");
    free(t);
}

/* The FILE writer escapes a buffer at a time: a long string comes out whole. */
static void test_json_escape_long(void **state)
{
    (void)state;
    char in[1001], want[2004];
    for (int i = 0; i < 1000; i++)
        in[i] = i % 3 ? 'x' : '"';
    in[1000] = '\0';
    size_t n = 0;
    want[n++] = '"';
    for (int i = 0; i < 1000; i++) {
        if (in[i] == '"')
            want[n++] = '\\';
        want[n++] = in[i];
    }
    want[n++] = '"';
    want[n] = '\0';
    char *t = capture(os_fmt_json_fputs, in);
    assert_string_equal(t, want);
    free(t);
}

/* The escape stops before a character whose escape does not fit, and says
 * how far it got. */
static void test_json_escape_bounds(void **state)
{
    (void)state;
    char out[16];
    const char *src = "ab\n";
    memset(out, '#', sizeof out);
    assert_int_equal(os_fmt_json_escape(out, 7, &src), 2);
    assert_string_equal(src, "\n");
    assert_int_equal(out[2], '#');
    assert_int_equal(os_fmt_json_escape(out, 6, &src), 6);
    assert_memory_equal(out, "\\u000a", 6);
    assert_string_equal(src, "");
    src = "\"";
    assert_int_equal(os_fmt_json_escape(out, 1, &src), 0);
    assert_string_equal(src, "\"");
    assert_int_equal(os_fmt_json_escape(out, 0, &src), 0);
}

static void test_md_cell(void **state)
{
    (void)state;
    char *t = capture(os_fmt_md_cell, "a|b\nc\r\nd `e`");
    assert_string_equal(t, "a\\|b c  d `e`");
    free(t);
}

static void test_times(void **state)
{
    (void)state;
    char t[32], d[32];
    os_fmt_iso_time(T0 + 123456789, t);
    assert_string_equal(t, "2026-01-15T10:00:00.123456+0000");
    os_fmt_iso_time(0, t);
    assert_string_equal(t, "1970-01-01T00:00:00.000000+0000");
    os_fmt_iso_time(1709251199999999999ULL, t); /* the last of a leap February */
    assert_string_equal(t, "2024-02-29T23:59:59.999999+0000");
    os_fmt_iso_time(4102444800000000000ULL, t); /* past 2038 */
    assert_string_equal(t, "2100-01-01T00:00:00.000000+0000");
    assert_string_equal(os_fmt_hms(T0 + 3723000042000ULL, false, t), "11:02:03");
    assert_string_equal(os_fmt_hms(T0 + 3723000042000ULL, true, t), "11:02:03.000042");
    assert_string_equal(os_fmt_duration(0, d, sizeof d), "0.000 s");
    assert_string_equal(os_fmt_duration(12345678901ULL, d, sizeof d), "12.345 s");
    assert_string_equal(os_fmt_duration(999999ULL, d, sizeof d), "0.000 s");
    char four[4];
    os_fmt_digits(four, 123456, 4);
    assert_memory_equal(four, "3456", 4);
    os_fmt_digits(four, 7, 3);
    assert_memory_equal(four, "007", 3);
}

/* No appender writes past the last byte but one, whatever it is given. */
static void test_appender_bounds(void **state)
{
    (void)state;
    static sb s;
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';

    s.n = 0;
    sb_puts(&s, big);
    assert_int_equal(s.n, sizeof s.b - 1);
    sb_putc(&s, 'y');
    sb_u64(&s, 12345);
    sb_pad(&s, 0, 4000);
    sb_json_str(&s, "z");
    assert_int_equal(s.n, sizeof s.b - 1);

    s.n = 0;
    sb_pad(&s, 10, 4000);
    assert_int_equal(s.n, sizeof s.b - 1);

    /* an escape that would straddle the end is left out, not cut */
    s.n = sizeof s.b - 5;
    sb_json_str(&s, "\n");
    assert_int_equal(s.n, sizeof s.b - 3);
    assert_memory_equal(s.b + sizeof s.b - 5, "\"\"", 2);

    s.n = 0;
    sb_u64(&s, 0);
    sb_putc(&s, ' ');
    sb_u64(&s, UINT64_MAX);
    sb_putc(&s, ' ');
    sb_u64w(&s, 42, 5);
    sb_lit(&s, "|");
    sb_u64w(&s, 123456, 3);
    assert_int_equal(s.n, strlen("0 18446744073709551615    42|123456"));
    assert_memory_equal(s.b, "0 18446744073709551615    42|123456", s.n);
}

static void test_json_members(void **state)
{
    (void)state;
    static sb s;
    bool first = true;
    s.n = 0;
    sb_putc(&s, '{');
    sb_member(&s, &first, "a\"");
    sb_u64(&s, 1);
    sb_kv_str(&s, "b", "c\\");
    sb_kv_time(&s, "t", T0);
    sb_key(&s, "r");
    sb_roles(&s, OS_HR_BIT(OS_HR_GATEWAY) | OS_HR_BIT(OS_HR_DIRECTORY));
    sb_putc(&s, '}');
    s.b[s.n] = '\0';
    assert_string_equal(s.b, "{\"a\\\"\":1,\"b\":\"c\\\\\",\"t\":\"2026-01-15T10:00:00.000000"
                             "+0000\",\"r\":[\"directory\",\"gateway\"]}");
}

/* Known and preferred, known, guessed from the preferred, the fallback word. */
static void test_role_word(void **state)
{
    (void)state;
    os_ruleset rs;
    os_hostsfile hf;
    os_diags d = { 0 };
    os_addr both, enc, none;
    const char *hosts = "10.1.0.10 directory,gateway\n10.1.0.30 encoder\n";
    assert_true(os_rules_parse("r", os_default_rules, os_default_rules_len, &rs, &d));
    assert_true(os_hosts_parse("h", hosts, strlen(hosts), &hf, &d));
    os_classifier *c = os_classifier_new(&rs, &hf);
    assert_true(os_addr_parse("10.1.0.10", &both));
    assert_true(os_addr_parse("10.1.0.30", &enc));
    assert_true(os_addr_parse("10.9.9.9", &none));
    os_hrole_set gw = OS_HR_BIT(OS_HR_GATEWAY), arc = OS_HR_BIT(OS_HR_ARCHIVER);

    assert_string_equal(os_fmt_role_word(c, &both, gw, 0, "host"), "Gateway");
    assert_string_equal(os_fmt_role_word(c, &both, 0, 0, "host"), "Directory");
    assert_string_equal(os_fmt_role_word(c, &enc, gw, gw, "server"), "encoder");
    assert_string_equal(os_fmt_role_word(c, &none, arc, arc, "server"), "Archiver");
    assert_string_equal(os_fmt_role_word(c, &none, arc, 0, "host"), "host");
    os_classifier_free(c);
    os_hosts_free(&hf);
    os_rules_free(&rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_escape),
        cmocka_unit_test(test_json_escape_long),
        cmocka_unit_test(test_json_escape_bounds),
        cmocka_unit_test(test_md_cell),
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_appender_bounds),
        cmocka_unit_test(test_json_members),
        cmocka_unit_test(test_role_word),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
