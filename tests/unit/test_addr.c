/* test_addr.c — addresses: parse, format, compare, multicast, prefixes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "omnisniff/addr.h"

static os_addr A(const char *s)
{
    os_addr a;
    assert_true(os_addr_parse(s, &a));
    return a;
}

static void test_parse_and_format(void **state)
{
    (void)state;
    char b[OS_ADDRSTRLEN];
    os_addr a = A("10.1.0.20");
    assert_int_equal(a.ver, 4);
    assert_string_equal(os_addr_str(&a, b), "10.1.0.20");
    a = A("FD00:1:0::10");
    assert_int_equal(a.ver, 6);
    assert_string_equal(os_addr_str(&a, b), "fd00:1::10");
    assert_false(os_addr_parse("10.1.0", &a));
    assert_false(os_addr_parse("", &a));
    assert_false(os_addr_parse("fd00::1::2", &a));
    static const uint8_t raw[4] = { 239, 10, 0, 1 };
    a = os_addr_from(4, raw);
    assert_string_equal(os_addr_str(&a, b), "239.10.0.1");
    assert_int_equal(a.b[4], 0);
}

/* Every digit count and the 0 inside an octet (109) that two-digit
 * formatting could drop. */
static void test_ipv4_fmt(void **state)
{
    (void)state;
    static const struct { uint8_t b[4]; const char *s; } c[] = {
        { { 0, 0, 0, 0 }, "0.0.0.0" },
        { { 255, 255, 255, 255 }, "255.255.255.255" },
        { { 1, 22, 100, 9 }, "1.22.100.9" },
        { { 99, 10, 109, 200 }, "99.10.109.200" },
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char b[OS_ADDRSTRLEN];
        char *end = os_ipv4_fmt(c[i].b, b);
        *end = '\0';
        assert_string_equal(b, c[i].s);
        assert_int_equal(end - b, strlen(c[i].s));
    }
}

static void test_multicast(void **state)
{
    (void)state;
    os_addr a = A("224.0.0.1"), b = A("239.255.255.255"), c = A("240.0.0.1"),
            d = A("223.255.255.255"), e = A("ff15::10:1"), f = A("fe80::1");
    assert_true(os_addr_is_multicast(&a));
    assert_true(os_addr_is_multicast(&b));
    assert_false(os_addr_is_multicast(&c));
    assert_false(os_addr_is_multicast(&d));
    assert_true(os_addr_is_multicast(&e));
    assert_false(os_addr_is_multicast(&f));
}

static void test_prefix_and_compare(void **state)
{
    (void)state;
    os_addr n = A("10.1.0.0"), a = A("10.1.255.1"), b = A("10.2.0.1"), z = A("0.0.0.0");
    os_addr six = A("fd00:1::"), s1 = A("fd00:1::ffff"), s2 = A("fd00:1:0:1::1");
    assert_true(os_addr_in_prefix(&a, &n, 16));
    assert_false(os_addr_in_prefix(&b, &n, 16));
    assert_true(os_addr_in_prefix(&b, &n, 14));
    assert_true(os_addr_in_prefix(&b, &z, 0));
    assert_false(os_addr_in_prefix(&s1, &z, 0)); /* families differ */
    assert_true(os_addr_in_prefix(&s1, &six, 64));
    assert_false(os_addr_in_prefix(&s2, &six, 64));
    assert_true(os_addr_in_prefix(&s2, &six, 47));
    assert_false(os_addr_in_prefix(&a, &n, 33));
    assert_true(os_addr_cmp(&n, &a) < 0);
    assert_true(os_addr_cmp(&a, &six) < 0); /* IPv4 sorts first */
    assert_int_equal(os_addr_cmp(&a, &a), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_and_format),
        cmocka_unit_test(test_ipv4_fmt),
        cmocka_unit_test(test_multicast),
        cmocka_unit_test(test_prefix_and_compare),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
