/* test_firewall.c — allow rules in every dialect for the fixture site: the
 * needed flows that cross the firewall (commented with traffic role, host
 * roles and status), the observed ones commented out, nothing that stays on
 * one side, and the format ids. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "audit_fixture.h"
#include "omnisniff/firewall.h"

static os_ruleset g_rs;
static os_site g_site;
static os_graph *g_graph;
static os_audit g_audit;
static os_fw_format g_fmt;

static int setup(void **state)
{
    (void)state;
    fx_rules(NULL, &g_rs);
    fx_site(fx_site_text, &g_rs, &g_site);
    g_graph = fx_graph(&g_rs);
    fx_audit(&g_audit, &g_rs, &g_site, g_graph);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    os_audit_free(&g_audit);
    os_graph_free(g_graph);
    os_site_free(&g_site);
    os_rules_free(&g_rs);
    return 0;
}

static void write_fmt(FILE *f, const os_audit *a) { os_fw_write(f, a, g_fmt); }

static void expect(os_fw_format fmt, const char *want)
{
    g_fmt = fmt;
    char *got = fx_capture(write_fmt, &g_audit);
    if (strcmp(got, want))
        fprintf(stderr, "%s output:\n%s", os_fw_format_name(fmt), got);
    assert_string_equal(got, want);
    free(got);
}

#define ABOUT(m, d)                                                                          \
    m " omnisniff --firewall-rules " d ": site fx.site\n"                                      \
    m " Allow rules for the Omnicast flows that cross firewall 'fw1', each commented with its\n" \
    m " traffic role, host roles and audit status. Rows marked 'observed' were seen but are "  \
      "not in the\n"                                                                         \
    m " site file: they are commented out; enable one only if that traffic is wanted.\n"

static void test_nftables(void **state)
{
    (void)state;
    expect(OS_FW_NFTABLES,
        ABOUT("#", "nftables")
        "# Load with 'nft -f FILE'; then add 'jump omnicast_allow' to your forward chain\n"
        "# before its final drop.\n"
        "table inet omnisniff {\n"
        "\tchain omnicast_allow {\n"
        "\t\tct state established,related accept comment \"replies of allowed flows\"\n"
        "\t\tip saddr 10.3.0.0/24 ip daddr 10.1.0.13 tcp dport 5001 accept comment \"gateway-command: client -> Gateway gw1 (attempted-and-failed)\"\n"
        "\t\t# observed, not in the site file (review before enabling):\n"
        "\t\t# ip saddr 10.9.9.9 ip daddr 10.1.0.13 tcp dport 5001 accept comment \"observed gateway-command: 10.9.9.9 -> Gateway gw1 (seen-not-needed)\"\n"
        "\t}\n"
        "}\n"
    );
}

static void test_iptables(void **state)
{
    (void)state;
    expect(OS_FW_IPTABLES,
        ABOUT("#", "iptables")
        "# Load with 'iptables-restore --noflush FILE'; then add '-j OMNICAST-ALLOW' to\n"
        "# your FORWARD chain before its final drop. IPv6 flows are listed as comments:\n"
        "# give them to ip6tables-restore.\n"
        "*filter\n"
        ":OMNICAST-ALLOW - [0:0]\n"
        "-A OMNICAST-ALLOW -m conntrack --ctstate ESTABLISHED,RELATED -m comment --comment \"replies of allowed flows\" -j ACCEPT\n"
        "-A OMNICAST-ALLOW -s 10.3.0.0/24 -d 10.1.0.13 -p tcp -m tcp --dport 5001 -m comment --comment \"gateway-command: client -> Gateway gw1 (attempted-and-failed)\" -j ACCEPT\n"
        "# observed, not in the site file (review before enabling):\n"
        "#-A OMNICAST-ALLOW -s 10.9.9.9 -d 10.1.0.13 -p tcp -m tcp --dport 5001 -m comment --comment \"observed gateway-command: 10.9.9.9 -> Gateway gw1 (seen-not-needed)\" -j ACCEPT\n"
        "COMMIT\n");
}

static void test_netsh(void **state)
{
    (void)state;
    expect(OS_FW_NETSH,
        ABOUT("REM", "netsh")
        "REM Windows Defender Firewall: run each command on the receiving host named above it\n"
        "REM (outbound traffic and the replies of allowed flows pass by default).\n"
        "REM gateway-command: client -> Gateway gw1 (attempted-and-failed); run on Gateway gw1 (10.1.0.13)\n"
        "netsh advfirewall firewall add rule name=\"omnisniff gateway-command TCP from 10.3.0.0/24\" dir=in action=allow protocol=TCP localip=10.1.0.13 localport=5001 remoteip=10.3.0.0/24\n"
        "REM observed, not in the site file (review before enabling):\n"
        "REM observed gateway-command: 10.9.9.9 -> Gateway gw1 (seen-not-needed); run on Gateway gw1 (10.1.0.13)\n"
        "REM netsh advfirewall firewall add rule name=\"omnisniff gateway-command TCP from 10.9.9.9\" dir=in action=allow protocol=TCP localip=10.1.0.13 localport=5001 remoteip=10.9.9.9\n");
}

static void test_cisco_asa(void **state)
{
    (void)state;
    expect(OS_FW_CISCO_ASA,
        ABOUT("!", "cisco-asa")
        "! One access list per side a flow starts on; apply them with (your interface names):\n"
        "!   access-group omnicast-outside in interface outside\n"
        "!   access-group omnicast-inside in interface inside\n"
        "! Replies pass by the ASA's connection table.\n"
        "access-list omnicast-outside remark gateway-command: client -> Gateway gw1 (attempted-and-failed)\n"
        "access-list omnicast-outside extended permit tcp 10.3.0.0 255.255.255.0 host 10.1.0.13 eq 5001\n"
        "! observed, not in the site file (review before enabling):\n"
        "! access-list omnicast-outside remark observed gateway-command: 10.9.9.9 -> Gateway gw1 (seen-not-needed)\n"
        "! access-list omnicast-outside extended permit tcp host 10.9.9.9 host 10.1.0.13 eq 5001\n"
    );
}

/* Count occurrences of needle in hay. */
static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

/* Both transports, IPv6, multicast recorded by two Archivers (one rule),
 * flows that stay inside left out. */
static void test_transports_families_multicast(void **state)
{
    (void)state;
    os_site s;
    os_audit a;
    fx_site("10.1.0.40 federation fed1\n10.9.0.10 remote-gateway rgw\n"
            "fd00:1::20 archiver arch6\nfd00:2::31 encoder cam6\n10.1.0.20 archiver arch1\n"
            "10.1.0.21 archiver arch2\n10.4.0.33 encoder cam3\n10.1.0.13 gateway gw1\n"
            "record arch6 unicast cam6\nrecord arch1 multicast cam3\nrecord arch2 multicast cam3\n"
            "unused archiver-gateway-unicast\nunused archiver-playback\n"
            "firewall fw1 inside 10.1.0.0/16 fd00:1::/64\n", &g_rs, &s);
    fx_audit(&a, &g_rs, &s, NULL);
    g_fmt = OS_FW_NFTABLES;
    char *nft = fx_capture(write_fmt, &a);
    assert_int_equal(count(nft, "ip saddr 10.9.0.10 ip daddr 10.1.0.40 meta l4proto { tcp, udp } "
                                "th dport 6000-7000 accept comment \"federation-video: remote "
                                "Gateway rgw -> federation server fed1 (never-seen)\"\n"), 1);
    assert_int_equal(count(nft, "ip6 saddr fd00:2::31 ip6 daddr fd00:1::20 udp dport "
                                "15000-16000 accept"), 1);
    assert_int_equal(count(nft, "ip saddr 10.4.0.33 ip daddr 224.0.0.0/4 udp dport 47806 accept"), 1);
    assert_int_equal(count(nft, "ip saddr 10.4.0.33 ip daddr 224.0.0.0/4 udp dport 47807 accept"), 1);
    assert_int_equal(count(nft, "ip saddr 10.1.0.40 ip daddr 10.9.0.10 tcp dport 500"), 2);
    assert_int_equal(count(nft, "10.1.0.13"), 0); /* federation -> Gateway stays inside */
    free(nft);
    g_fmt = OS_FW_IPTABLES;
    char *ipt = fx_capture(write_fmt, &a);
    assert_int_equal(count(ipt, "\n-A OMNICAST-ALLOW -s 10.9.0.10 -d 10.1.0.40 -p tcp -m tcp "
                                "--dport 6000:7000 "), 1);
    assert_int_equal(count(ipt, "\n-A OMNICAST-ALLOW -s 10.9.0.10 -d 10.1.0.40 -p udp -m udp "
                                "--dport 6000:7000 "), 1);
    assert_int_equal(count(ipt, "\n# ip6tables: -A OMNICAST-ALLOW -s fd00:2::31 -d fd00:1::20 "
                                "-p udp -m udp --dport 15000:16000 "), 1);
    free(ipt);
    g_fmt = OS_FW_CISCO_ASA;
    char *asa = fx_capture(write_fmt, &a);
    assert_int_equal(count(asa, "\naccess-list omnicast-outside extended permit udp host "
                                "10.4.0.33 224.0.0.0 240.0.0.0 eq 47806\n"), 1);
    assert_int_equal(count(asa, "\naccess-list omnicast-outside extended permit udp host "
                                "fd00:2::31 host fd00:1::20 range 15000 16000\n"), 1);
    assert_int_equal(count(asa, "\naccess-list omnicast-inside extended permit tcp host "
                                "10.1.0.40 host 10.9.0.10 eq 5002\n"), 1);
    free(asa);
    g_fmt = OS_FW_NETSH;
    char *ns = fx_capture(write_fmt, &a);
    assert_int_equal(count(ns, "(never-seen); run on Archiver arch1 (10.1.0.20)\nnetsh advfirewall "
                               "firewall add rule name=\"omnisniff multicast-video UDP from "
                               "10.4.0.33\" dir=in action=allow protocol=UDP localport=47806 "
                               "remoteip=10.4.0.33\n"), 1);
    assert_int_equal(count(ns, "run on Archiver arch2 (10.1.0.21)\nnetsh advfirewall firewall "
                               "add rule name=\"omnisniff multicast-video UDP"), 1);
    free(ns);
    os_audit_free(&a);
    os_site_free(&s);
}

static void test_format_ids(void **state)
{
    (void)state;
    os_fw_format f;
    for (int i = 0; i < OS_FW_NFORMATS; i++) {
        assert_true(os_fw_format_parse(os_fw_format_name((os_fw_format)i), &f));
        assert_int_equal(f, i);
    }
    assert_false(os_fw_format_parse("pf", &f));
    assert_string_equal(os_fw_format_name(OS_FW_CISCO_ASA), "cisco-asa");
    assert_null(os_fw_format_name(OS_FW_NFORMATS));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nftables),
        cmocka_unit_test(test_iptables),
        cmocka_unit_test(test_netsh),
        cmocka_unit_test(test_cisco_asa),
        cmocka_unit_test(test_transports_families_multicast),
        cmocka_unit_test(test_format_ids),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
