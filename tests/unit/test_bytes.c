/* test_bytes.c — the bounds-checked cursor: exact end, one short, empty. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "omnisniff/bytes.h"

/* Exactly-sized heap copies so ASan would catch a read past the end. */
static uint8_t *dup(const uint8_t *b, size_t n)
{
    uint8_t *p = malloc(n ? n : 1);
    memcpy(p, b, n);
    return p;
}

static void test_reads_big_endian_to_exact_end(void **state)
{
    (void)state;
    static const uint8_t src[7] = { 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde };
    uint8_t *b = dup(src, sizeof src);
    os_cur c = os_cur_make(b, sizeof src);
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    assert_true(os_get_be32(&c, &u32));
    assert_int_equal(u32, 0x12345678);
    assert_true(os_get_be16(&c, &u16));
    assert_int_equal(u16, 0x9abc);
    assert_true(os_get_u8(&c, &u8));
    assert_int_equal(u8, 0xde);
    assert_int_equal(c.len, 0);
    assert_false(os_get_u8(&c, &u8));
    free(b);
}

static void test_short_read_fails_and_leaves_cursor(void **state)
{
    (void)state;
    static const uint8_t src[3] = { 1, 2, 3 };
    uint8_t *b = dup(src, sizeof src);
    os_cur c = os_cur_make(b, sizeof src);
    uint32_t u32 = 0xdeadbeef;
    uint16_t u16;
    const uint8_t *v = NULL;
    assert_false(os_get_be32(&c, &u32));
    assert_false(os_get_le32(&c, &u32));
    assert_int_equal(u32, 0xdeadbeef);
    assert_false(os_get_view(&c, 4, &v));
    assert_null(v);
    assert_false(os_skip(&c, 4));
    assert_ptr_equal(c.p, b);
    assert_int_equal(c.len, 3);
    assert_true(os_skip(&c, 2));
    assert_false(os_get_be16(&c, &u16));
    assert_int_equal(c.len, 1);
    free(b);
}

static void test_zero_length(void **state)
{
    (void)state;
    os_cur c = os_cur_make(NULL, 0);
    uint8_t u8;
    assert_false(os_get_u8(&c, &u8));
    assert_true(os_skip(&c, 0));
    assert_true(os_have(&c, 0));
    assert_false(os_have(&c, 1));
}

static void test_le32_and_view_and_sub(void **state)
{
    (void)state;
    static const uint8_t src[6] = { 0x02, 0, 0, 0, 0xaa, 0xbb };
    uint8_t *b = dup(src, sizeof src);
    os_cur c = os_cur_make(b, sizeof src);
    uint32_t af;
    const uint8_t *v;
    bool cut;
    assert_true(os_get_le32(&c, &af));
    assert_int_equal(af, 2);
    os_cur s = os_cur_sub(&c, 10, &cut);
    assert_true(cut);
    assert_int_equal(s.len, 2);
    s = os_cur_sub(&c, 1, &cut);
    assert_false(cut);
    assert_int_equal(s.len, 1);
    assert_true(os_get_view(&c, 2, &v));
    assert_ptr_equal(v, b + 4);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_big_endian_to_exact_end),
        cmocka_unit_test(test_short_read_fails_and_leaves_cursor),
        cmocka_unit_test(test_zero_length),
        cmocka_unit_test(test_le32_and_view_and_sub),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
