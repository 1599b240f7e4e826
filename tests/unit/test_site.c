/* test_site.c — the site file: host lines as in a hosts file, the record,
 * primary-gateway, firewall and unused directives, references by name and
 * address, and exact diagnostics in line order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "omnisniff/site.h"


static os_ruleset g_rs;

static int setup(void **state)
{
    os_diags d = { 0 };
    (void)state;
    os_rules_text def = os_rules_default();
    if (!os_rules_parse("omnicast4.rules", def.text, def.len, &g_rs, &d))
        return -1;
    os_diags_free(&d);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    os_rules_free(&g_rs);
    return 0;
}

static bool parse(const char *text, os_site *s, os_diags *d)
{
    memset(d, 0, sizeof *d);
    return os_site_parse("s.site", text, strlen(text), &g_rs, s, d);
}

/* Index of the host line with this name. */
static size_t named(const os_site *s, const char *name)
{
    for (size_t i = 0; i < s->hosts.n; i++)
        if (!strcmp(s->hosts.v[i].name, name))
            return i;
    fail_msg("no host %s", name);
    return SIZE_MAX;
}

static const char site_text[] =
    "# a site\n"
    "10.1.0.10 directory dir1\n"
    "10.1.0.13 gateway gw1\n"
    "10.1.0.14 gateway gw2\n"
    "10.1.0.20 archiver arch1\n"
    "10.2.0.31 encoder cam1\n"
    "10.2.0.32 encoder\n"
    "10.3.0.0/24 client\n"
    "record arch1 unicast cam1 10.2.0.32   # by name and by address\n"
    "record arch1 multicast cam1\n"
    "primary-gateway gw2\n"
    "firewall fw1 inside 10.1.0.0/16 cam1\n"
    "firewall fw1 inside 10.2.0.32\n"
    "unused multicast-audio\n"
    "unused gateway-web 10.3.0.0/24\n";

static void test_directives(void **state)
{
    (void)state;
    os_site s;
    os_diags d;
    assert_true(parse(site_text, &s, &d));
    assert_int_equal(d.n, 0);
    assert_int_equal(s.hosts.n, 7);
    assert_int_equal(s.nrec, 3);
    assert_int_equal(s.rec[0].archiver, named(&s, "arch1"));
    assert_int_equal(s.rec[0].encoder, named(&s, "cam1"));
    assert_false(s.rec[0].multicast);
    assert_int_equal(s.rec[1].line, 9);
    assert_true(s.rec[2].multicast);
    assert_int_equal(s.primary, named(&s, "gw2"));
    assert_string_equal(s.firewall, "fw1");
    assert_int_equal(s.ninside, 3);
    assert_int_equal(s.nunused, 2);
    assert_int_equal(s.unused[0].rule, os_rules_find(&g_rs, "multicast-audio"));
    assert_int_equal(s.unused[0].host, SIZE_MAX);
    assert_int_equal(s.unused[1].rule, os_rules_find(&g_rs, "gateway-web"));
    assert_int_not_equal(s.unused[1].host, SIZE_MAX);

    os_addr a;
    assert_true(os_addr_parse("10.1.7.7", &a));
    assert_true(os_site_inside(&s, &a, 32));
    assert_true(os_addr_parse("10.2.0.32", &a));
    assert_true(os_site_inside(&s, &a, 32));
    assert_true(os_addr_parse("10.2.0.33", &a));
    assert_false(os_site_inside(&s, &a, 32));
    assert_true(os_addr_parse("10.0.0.0", &a));
    assert_false(os_site_inside(&s, &a, 8)); /* wider than the inside network */
    assert_true(os_addr_parse("10.3.0.77", &a));
    assert_int_equal(os_site_host_of(&s, &a), s.unused[1].host);
    assert_true(os_addr_parse("192.0.2.1", &a));
    assert_int_equal(os_site_host_of(&s, &a), SIZE_MAX);
    os_site_free(&s);
}

/* A plain hosts file is a site file: same hosts, no directives. */
static void test_hosts_file_is_a_site_file(void **state)
{
    (void)state;
    static const char hosts[] = "10.1.0.10 directory,gateway dir-gw1\n10.2.0.0/24 encoder\n"
                                "fd00:1::20 archiver\n";
    os_site s;
    os_hostsfile h;
    os_diags d;
    assert_true(parse(hosts, &s, &d));
    assert_true(os_hosts_parse("s.site", hosts, strlen(hosts), &h, &d));
    assert_int_equal(s.hosts.n, h.n);
    for (size_t i = 0; i < h.n; i++) {
        assert_int_equal(s.hosts.v[i].roles, h.v[i].roles);
        assert_int_equal(s.hosts.v[i].plen, h.v[i].plen);
        assert_int_equal(s.hosts.v[i].line, h.v[i].line);
    }
    assert_int_equal(s.nrec + s.ninside + s.nunused, 0);
    assert_int_equal(s.hosts.v[s.primary].roles, /* the one Gateway is the primary */
                     OS_HR_BIT(OS_HR_DIRECTORY) | OS_HR_BIT(OS_HR_GATEWAY));
    assert_string_equal(s.firewall, "");
    os_hosts_free(&h);
    os_site_free(&s);
}

static void expect(const char *text, size_t n, const char *const *want)
{
    os_site s;
    os_diags d;
    assert_false(parse(text, &s, &d));
    assert_int_equal(s.hosts.n, 0);
    assert_int_equal(d.n, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(d.msg[i], want[i]);
    os_diags_free(&d);
}

static void test_diagnostics(void **state)
{
    (void)state;
    const char *unknown[] = {
        "s.site:2:1: error: unknown directive 'archive' (directives: record primary-gateway "
        "firewall unused; a host line starts with an address)\narchive arch1\n^\n" };
    expect("10.1.0.20 archiver arch1\narchive arch1\n", 1, unknown);
    const char *refs[] = {
        "s.site:3:22: error: 'cam9' is not a name, address or network of a host line of this "
        "file\nrecord arch1 unicast cam9 cam1\n                     ^\n",
        "s.site:3:27: error: 'cam1' (line 1) is not declared encoder\n"
        "record arch1 unicast cam9 cam1\n                          ^\n",
        "s.site:4:14: error: 'stereo' must be 'unicast' or 'multicast'\n"
        "record arch1 stereo cam1\n             ^\n",
        "s.site:4:21: error: 'cam1' (line 1) is not declared encoder\n"
        "record arch1 stereo cam1\n                    ^\n" };
    expect("10.2.0.31 client cam1\n10.1.0.20 archiver arch1\nrecord arch1 unicast cam9 cam1\n"
           "record arch1 stereo cam1\n", 4, refs);
}

/* The lexical rules of tokens.h hold in directive lines too: a comment
 * after a word, an open quote reported once (by the host-line parser). */
static void test_comments_and_quotes(void **state)
{
    (void)state;
    os_site s;
    os_diags d;
    assert_true(parse("10.1.0.13 gateway gw1\nprimary-gateway gw1# the only one\n", &s, &d));
    assert_int_equal(s.primary, 0);
    os_site_free(&s);
    const char *open[] = {
        "s.site:2:17: error: unterminated quoted value (a closing \" is missing)\n"
        "primary-gateway \"gw1\n                ^\n" };
    expect("10.1.0.13 gateway gw1\nprimary-gateway \"gw1\n", 1, open);
}

/* Host-line errors and directive errors come out in line order. */
static void test_diagnostics_in_line_order(void **state)
{
    (void)state;
    const char *want[] = {
        "s.site:1:8: error: 'no-such-role' is not a traffic role of the rules file\n"
        "unused no-such-role\n       ^\n",
        "s.site:2:1: error: '10.1.0.300' is not an IPv4 or IPv6 address or network\n"
        "10.1.0.300 archiver\n^\n",
        "s.site:3:16: error: expected: primary-gateway GATEWAY\nprimary-gateway\n"
        "               ^\n",
        "s.site:5:10: error: a second firewall (the first, 'fw1', is on line 4): a site file "
        "describes one firewall; 'fw2' is not it\nfirewall fw2 inside 10.0.0.0/8\n"
        "         ^\n" };
    expect("unused no-such-role\n10.1.0.300 archiver\nprimary-gateway\n"
           "firewall fw1 inside 10.1.0.0/16\nfirewall fw2 inside 10.0.0.0/8\n", 4, want);
}

static void test_site_level_checks(void **state)
{
    (void)state;
    const char *gw[] = {
        "s.site:1:1: error: the site has 2 Gateways: name the one that connects to this "
        "Directory with 'primary-gateway NAME'\n10.1.0.10 directory dir1\n^\n" };
    expect("10.1.0.10 directory dir1\n10.1.0.13 gateway gw1\n10.1.0.14 gateway gw2\n", 1, gw);
    const char *names[] = {
        "s.site:2:1: error: name 'x' given twice (first on line 1)\n10.1.0.11 gateway x\n^\n" };
    expect("10.1.0.10 directory x\n10.1.0.11 gateway x\n", 1, names);
    const char *notgw[] = {
        "s.site:2:17: error: 'arch1' (line 1) is not declared gateway\n"
        "primary-gateway arch1\n                ^\n" };
    expect("10.1.0.20 archiver arch1\nprimary-gateway arch1\n", 1, notgw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_directives),
        cmocka_unit_test(test_comments_and_quotes),
        cmocka_unit_test(test_hosts_file_is_a_site_file),
        cmocka_unit_test(test_diagnostics),
        cmocka_unit_test(test_diagnostics_in_line_order),
        cmocka_unit_test(test_site_level_checks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
