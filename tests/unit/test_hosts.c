/* test_hosts.c — the hosts file: v4/v6, CIDR, most specific wins, names,
 * and exact diagnostics for every kind of mistake. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "omnisniff/hosts.h"

static bool parse(const char *text, os_hostsfile *h, os_diags *d)
{
    memset(d, 0, sizeof *d);
    return os_hosts_parse("h.hosts", text, strlen(text), h, d);
}

static const os_hostdecl *match(const os_hostsfile *h, const char *ip)
{
    os_addr a;
    assert_true(os_addr_parse(ip, &a));
    return os_hosts_match(h, &a);
}

static void test_most_specific_wins(void **state)
{
    (void)state;
    os_hostsfile h;
    os_diags d;
    assert_true(parse("# site\n10.0.0.0/8 client\n10.1.0.0/16 encoder\n"
                      "10.1.0.10 directory,gateway dir-gw1  # the server\n"
                      "fd00:1::/64 archiver\nfd00:1::10/128 gateway gw6\n", &h, &d));
    assert_int_equal(d.n, 0);
    assert_int_equal(h.n, 5);
    const os_hostdecl *e = match(&h, "10.1.0.10");
    assert_int_equal(e->roles, OS_HR_BIT(OS_HR_DIRECTORY) | OS_HR_BIT(OS_HR_GATEWAY));
    assert_string_equal(e->name, "dir-gw1");
    assert_int_equal(e->line, 4);
    assert_int_equal(match(&h, "10.1.0.11")->roles, OS_HR_BIT(OS_HR_ENCODER));
    assert_int_equal(match(&h, "10.9.9.9")->roles, OS_HR_BIT(OS_HR_CLIENT));
    assert_null(match(&h, "192.0.2.1"));
    assert_string_equal(match(&h, "fd00:1::10")->name, "gw6");
    assert_int_equal(match(&h, "fd00:1::11")->roles, OS_HR_BIT(OS_HR_ARCHIVER));
    assert_null(match(&h, "fd00:2::1"));
    assert_null(match(&h, "::ffff:10.1.0.10")); /* IPv6 never matches an IPv4 entry */
    os_hosts_free(&h);
}

static void test_zero_prefix_and_empty(void **state)
{
    (void)state;
    os_hostsfile h;
    os_diags d;
    assert_true(parse("0.0.0.0/0 client\n", &h, &d));
    assert_non_null(match(&h, "203.0.113.9"));
    os_hosts_free(&h);
    assert_true(parse("\n# nothing\n   \n", &h, &d));
    assert_int_equal(h.n, 0);
    os_hosts_free(&h);
}

static void expect_one(const char *text, const char *want)
{
    os_hostsfile h;
    os_diags d;
    assert_false(parse(text, &h, &d));
    assert_int_equal(h.n, 0);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.msg[0], want);
    os_diags_free(&d);
}

static void test_exact_diagnostics(void **state)
{
    (void)state;
    expect_one("10.1.0.300 archiver\n",
               "h.hosts:1:1: error: '10.1.0.300' is not an IPv4 or IPv6 address or network\n"
               "10.1.0.300 archiver\n^\n");
    expect_one("10.2.0.0/33 encoder\n",
               "h.hosts:1:10: error: prefix length must be 0 to 32\n10.2.0.0/33 encoder\n         ^\n");
    expect_one("fd00::/129 encoder\n",
               "h.hosts:1:8: error: prefix length must be 0 to 128\nfd00::/129 encoder\n       ^\n");
    expect_one("10.3.0.1/24 client\n",
               "h.hosts:1:1: error: '10.3.0.1/24' has host bits set beyond the prefix length\n"
               "10.3.0.1/24 client\n^\n");
    expect_one("10.1.0.11 dfc,warden\n",
               "h.hosts:1:15: error: unknown host role 'warden' (roles: directory gateway archiver "
               "encoder client dfc failover-directory federation remote-gateway virtual-matrix)\n"
               "10.1.0.11 dfc,warden\n              ^\n");
    expect_one("10.1.0.12\n", "h.hosts:1:10: error: expected ROLE[,ROLE...] after the address\n"
               "10.1.0.12\n         ^\n");
    expect_one("10.1.0.13 gateway gw2 extra\n",
               "h.hosts:1:23: error: unexpected 'extra': a line is ADDRESS-or-CIDR ROLE[,ROLE...] [name]\n"
               "10.1.0.13 gateway gw2 extra\n                      ^\n");
    expect_one("10.1.0.10 gateway\n10.1.0.10/32 archiver\n",
               "h.hosts:2:1: error: network declared twice (first on line 1)\n10.1.0.10/32 archiver\n^\n");
}

/* The lexical rules of tokens.h: '#' outside quotes starts a comment
 * wherever it stands; a quote left open is an error at its column. */
static void test_comments_and_quotes(void **state)
{
    (void)state;
    os_hostsfile h;
    os_diags d;
    assert_true(parse("10.1.0.10 gateway#gw1\n10.1.0.11 archiver arch1# the Archiver\n", &h, &d));
    assert_int_equal(h.n, 2);
    assert_string_equal(match(&h, "10.1.0.10")->name, "");
    assert_string_equal(match(&h, "10.1.0.11")->name, "arch1");
    os_hosts_free(&h);
    expect_one("10.1.0.12 client \"lab pc\n",
               "h.hosts:1:18: error: unterminated quoted value (a closing \" is missing)\n"
               "10.1.0.12 client \"lab pc\n                 ^\n");
}

static void test_all_errors_collected(void **state)
{
    (void)state;
    os_hostsfile h;
    os_diags d;
    assert_false(parse("bad archiver\n10.0.0.1 nothing\n10.0.0.2 client\n10.0.0.3/99 client\n",
                       &h, &d));
    assert_int_equal(d.errors, 3);
    assert_int_equal(h.n, 0);
    assert_null(h.v);
    os_diags_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_most_specific_wins),
        cmocka_unit_test(test_zero_prefix_and_empty),
        cmocka_unit_test(test_exact_diagnostics),
        cmocka_unit_test(test_comments_and_quotes),
        cmocka_unit_test(test_all_errors_collected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
