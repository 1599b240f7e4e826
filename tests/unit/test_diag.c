/* test_diag.c — the diagnostic format: position, the line, the caret under
 * the column (tabs kept), and freeing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "omnisniff/diag.h"

static void test_diag_format(void **state)
{
    (void)state;
    os_diags d = { 0 };
    const char *line = "\tset x 1";
    os_diag_error(&d, "f.rules", 7, 6, line, strlen(line), "unknown setting '%s'", "x");
    os_diag_error(&d, "f.rules", 8, 1, "", 0, "second");
    assert_int_equal(d.n, 2);
    assert_int_equal(d.errors, 2);
    assert_string_equal(d.msg[0], "f.rules:7:6: error: unknown setting 'x'\n\tset x 1\n\t    ^\n");
    assert_string_equal(d.msg[1], "f.rules:8:1: error: second\n\n^\n");
    os_diags_free(&d);
    assert_int_equal(d.n, 0);
    assert_null(d.msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_diag_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
