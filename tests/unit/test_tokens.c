/* test_tokens.c — the one tokenizer of the rules, hosts and site files:
 * line ends, blanks, quotes and escapes, the comment rule ('#' outside
 * quotes, wherever it stands), KEY=VALUE splitting, offsets (columns) and
 * open quotes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "omnisniff/tokens.h"

/* Tokens of a NUL-terminated line (max 8 stored). */
static int toks(const char *l, os_token *t, size_t *open)
{
    *open = 12345;
    return os_tokens(l, strlen(l), t, 8, open);
}

/* Words: blanks and tabs separate, '#' ends the line, more than max counted. */
static void test_words_and_offsets(void **state)
{
    (void)state;
    os_token w[2];
    size_t open;
    const char *l = "  10.1.0.10\tgateway gw1 # comment";
    assert_int_equal(os_tokens(l, strlen(l), w, 2, &open), 3);
    assert_int_equal(w[0].off, 2);
    assert_int_equal(w[0].len, 9);
    assert_int_equal(w[1].off, 12);
    assert_int_equal(w[1].len, 7);
    assert_int_equal(os_tokens("x#y", 3, w, 2, &open), 1);
    assert_int_equal(w[0].len, 1);
    assert_int_equal(os_tokens("  # all comment", 15, w, 2, &open), 0);
    assert_int_equal(os_tokens("", 0, w, 2, &open), 0);
    assert_int_equal(os_tokens(" \t ", 3, w, 2, &open), 0);
}

/* The comment rule: '#' outside quotes starts a comment wherever it stands;
 * inside quotes it is an ordinary character. */
static void test_comment_rule(void **state)
{
    (void)state;
    os_token t[8];
    size_t open;
    assert_int_equal(toks("rule x port=81# x", t, &open), 3);
    assert_int_equal(t[2].off, 7);
    assert_int_equal(t[2].len, 7); /* port=81 */
    assert_int_equal(toks("10.0.0.1 gateway#gw1", t, &open), 2);
    assert_int_equal(t[1].len, 7);
    assert_int_equal(toks("a kba=\"one # two\" # three", t, &open), 2);
    assert_int_equal(t[1].off, 2);
    assert_int_equal(t[1].len, 15);
    assert_int_equal(toks("#\"open quote in a comment", t, &open), 0);
}

/* A quote opening a word or a value groups blanks; \" and \\ escape;
 * elsewhere in a word a quote is an ordinary character. */
static void test_quotes_and_escapes(void **state)
{
    (void)state;
    os_token t[8];
    size_t open;
    assert_int_equal(toks("\"a b\"c d", t, &open), 2);
    assert_int_equal(t[0].len, 6);
    assert_int_equal(t[1].off, 7);
    assert_int_equal(toks("k=\"a b\" d", t, &open), 2);
    assert_int_equal(t[0].len, 7);
    assert_int_equal(toks("a\"b c\"d e", t, &open), 3); /* a"b c"d e */
    assert_int_equal(t[0].len, 3);
    assert_int_equal(toks("gw\"1\\a # x", t, &open), 1); /* gw"1\a: a host name */
    assert_int_equal(t[0].len, 6);
    assert_int_equal(toks("k=v\"w x", t, &open), 2);
    assert_int_equal(toks("s=\"x \\\" y\" t", t, &open), 2); /* s="x \" y" t */
    assert_int_equal(t[0].len, 10);
    assert_int_equal(toks("s=\"a\\\\\" t", t, &open), 2);    /* s="a\\" t */
    assert_int_equal(t[0].len, 7);
    char *u = os_token_unquote("\"say \\\\ it \\\"now\\\"\"", 19);
    assert_string_equal(u, "say \\ it \"now\"");
    free(u);
    u = os_token_unquote("bare", 4);
    assert_string_equal(u, "bare");
    free(u);
    u = os_token_unquote("\"\"", 2);
    assert_string_equal(u, "");
    free(u);
}

/* KEY=VALUE: the first '=' outside quotes splits; none: key_len == len. */
static void test_key_value(void **state)
{
    (void)state;
    os_token t[8];
    size_t open;
    assert_int_equal(toks("port=1-2 a=b=c \"x=y\" bare k=", t, &open), 5);
    assert_int_equal(t[0].key_len, 4);
    assert_int_equal(t[1].key_len, 1);
    assert_int_equal(t[2].key_len, t[2].len);
    assert_int_equal(t[3].key_len, t[3].len);
    assert_int_equal(t[4].key_len, 1);
    assert_int_equal(t[4].len, 2);
}

/* An open quote: -1, *open at the quote (its column is open + 1). */
static void test_open_quote(void **state)
{
    (void)state;
    os_token t[8];
    size_t open;
    assert_int_equal(toks("rule x kba=\"never closed", t, &open), -1);
    assert_int_equal(open, 11);
    assert_int_equal(toks("a \"b\\\"", t, &open), -1); /* a "b\" : the escape hides it */
    assert_int_equal(open, 2);
    assert_int_equal(toks("a \"b\\\\\"", t, &open), 2); /* a "b\\" : closed */
}

/* More words than room: counted, the first max stored. */
static void test_more_than_max(void **state)
{
    (void)state;
    os_token t[2];
    size_t open;
    assert_int_equal(os_tokens("a b c d", 7, t, 2, &open), 4);
    assert_int_equal(t[1].off, 2);
    assert_int_equal(os_tokens("a b c d", 7, NULL, 0, &open), 4);
}

/* Lines: newline and CRLF endings, a last line without newline, empty lines. */
static void test_next_line(void **state)
{
    (void)state;
    const char buf[] = "a b\r\n\nlast";
    size_t pos = 0, len;
    const char *t;
    assert_true(os_next_line(buf, sizeof buf - 1, &pos, &t, &len));
    assert_int_equal(len, 3);
    assert_memory_equal(t, "a b", 3);
    assert_true(os_next_line(buf, sizeof buf - 1, &pos, &t, &len));
    assert_int_equal(len, 0);
    assert_true(os_next_line(buf, sizeof buf - 1, &pos, &t, &len));
    assert_int_equal(len, 4);
    assert_memory_equal(t, "last", 4);
    assert_false(os_next_line(buf, sizeof buf - 1, &pos, &t, &len));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_next_line),
        cmocka_unit_test(test_words_and_offsets),
        cmocka_unit_test(test_comment_rule),
        cmocka_unit_test(test_quotes_and_escapes),
        cmocka_unit_test(test_key_value),
        cmocka_unit_test(test_open_quote),
        cmocka_unit_test(test_more_than_max),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
