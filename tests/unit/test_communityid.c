/* test_communityid.c — Community ID v1 against published values: the
 * community-id documentation's TCP example, endpoint order, IPv6, and the
 * cases it does not cover (ICMP, mixed families). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "omnisniff/communityid.h"

static os_addr A(const char *s)
{
    os_addr a;
    assert_true(os_addr_parse(s, &a));
    return a;
}

/* The example of the Community ID documentation (tcp 1.2.3.4:4584 ->
 * 43.3.132.3:3483, seed 0), either direction. */
static void test_published_tcp_example(void **state)
{
    (void)state;
    char id[OS_COMMUNITY_ID_LEN];
    os_addr a = A("1.2.3.4"), b = A("43.3.132.3");
    assert_true(os_community_id(&a, 4584, &b, 3483, 6, 0, id));
    assert_string_equal(id, "1:koNcqhFRD5kb254ZrLsdv630jCM=");
    assert_true(os_community_id(&b, 3483, &a, 4584, 6, 0, id));
    assert_string_equal(id, "1:koNcqhFRD5kb254ZrLsdv630jCM=");
}

/* Same address on both sides: the lower port goes first. */
static void test_same_address_orders_by_port(void **state)
{
    (void)state;
    char x[OS_COMMUNITY_ID_LEN], y[OS_COMMUNITY_ID_LEN];
    os_addr a = A("127.0.0.1");
    assert_true(os_community_id(&a, 5001, &a, 40000, 6, 0, x));
    assert_true(os_community_id(&a, 40000, &a, 5001, 6, 0, y));
    assert_string_equal(x, y);
}

/* The seed, the transport and the ports change the id. */
static void test_inputs_change_the_id(void **state)
{
    (void)state;
    char base[OS_COMMUNITY_ID_LEN], other[OS_COMMUNITY_ID_LEN];
    os_addr a = A("10.3.0.23"), b = A("10.1.0.10");
    assert_true(os_community_id(&a, 51000, &b, 5002, 6, 0, base));
    assert_int_equal(strlen(base), 30);
    assert_true(os_community_id(&a, 51000, &b, 5002, 6, 1, other));
    assert_string_not_equal(base, other);
    assert_true(os_community_id(&a, 51000, &b, 5002, 17, 0, other));
    assert_string_not_equal(base, other);
    assert_true(os_community_id(&a, 51000, &b, 5003, 6, 0, other));
    assert_string_not_equal(base, other);
}

/* IPv6 hashes all 16 bytes; a transport without ports ignores them. */
static void test_ipv6_and_portless(void **state)
{
    (void)state;
    char x[OS_COMMUNITY_ID_LEN], y[OS_COMMUNITY_ID_LEN];
    os_addr a = A("fd00:1::10"), b = A("fd00:1::20"), c = A("fd00:1::21");
    assert_true(os_community_id(&a, 1, &b, 2, 47, 0, x));
    assert_true(os_community_id(&b, 9, &a, 7, 47, 0, y));
    assert_string_equal(x, y);
    assert_true(os_community_id(&a, 1, &c, 2, 47, 0, y));
    assert_string_not_equal(x, y);
}

/* ICMP (needs type/code) and mixed families are refused with "". */
static void test_refused_inputs(void **state)
{
    (void)state;
    char id[OS_COMMUNITY_ID_LEN];
    os_addr a = A("10.1.0.1"), b = A("10.1.0.2"), c = A("fd00::1");
    assert_false(os_community_id(&a, 0, &b, 0, 1, 0, id));
    assert_string_equal(id, "");
    assert_false(os_community_id(&c, 0, &c, 0, 58, 0, id));
    assert_false(os_community_id(&a, 1, &c, 2, 6, 0, id));
    assert_string_equal(id, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_tcp_example),
        cmocka_unit_test(test_same_address_orders_by_port),
        cmocka_unit_test(test_inputs_change_the_id),
        cmocka_unit_test(test_ipv6_and_portless),
        cmocka_unit_test(test_refused_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
