/* test_audit.c — the needed-flow matrix (from the rules and the site file:
 * record lines, primary Gateway, failover Directory, local Directory link,
 * unused, the firewall), the status of each row in an observed system, the
 * seen-not-needed rows, and the text, JSON and Markdown writers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "audit_fixture.h"

/* The row of rule id whose source (or, for src NULL, destination) is the
 * host named / addressed `end`; fails when there is not exactly one. */
static const os_audit_row *row_of(const os_audit *a, const char *id, const char *src,
                                  const char *dst)
{
    const os_audit_row *found = NULL;
    char s[160], d[160];
    for (size_t i = 0; i < a->n; i++) {
        const os_audit_row *r = &a->v[i];
        os_audit_end_str(a, &r->src, s, sizeof s);
        os_audit_end_str(a, &r->dst, d, sizeof d);
        if (strcmp(a->rules->rule[r->rule].id, id) || strcmp(s, src) || strcmp(d, dst))
            continue;
        assert_null(found);
        found = r;
    }
    if (!found)
        fail_msg("no row %s %s > %s", id, src, dst);
    return found;
}

static void test_matrix_of_the_fixture(void **state)
{
    (void)state;
    os_ruleset rs;
    os_site s;
    os_audit a;
    char err[64];
    fx_rules(NULL, &rs);
    fx_site(fx_site_text, &rs, &s);
    assert_true(os_audit_build(&a, &s, &rs, "fx.site", err, sizeof err));
    assert_int_equal(a.n, 6);
    assert_int_equal(a.count[OS_AUDIT_NEVER], 6);
    const os_audit_row *r = row_of(&a, "directory-link", "Gateway gw1 (10.1.0.13)",
                                   "Directory dir1 (10.1.0.10)");
    assert_int_equal(r->port_lo, 7998);
    assert_int_equal(r->transports, OS_T_TCP);
    assert_false(r->port_on_src);
    assert_false(r->crosses);
    r = row_of(&a, "gateway-command", "client 10.3.0.0/24", "Gateway gw1 (10.1.0.13)");
    assert_true(r->crosses);
    r = row_of(&a, "encoder-archiver-unicast", "encoder cam1 (10.2.0.31)",
               "Archiver arch1 (10.1.0.20)");
    assert_int_equal(r->port_lo, 15000);
    assert_int_equal(r->port_hi, 16000);
    r = row_of(&a, "multicast-video", "encoder cam2 (10.2.0.32)", "multicast 224.0.0.0/4");
    assert_true(r->dst.multicast);
    assert_string_equal(s.hosts.v[r->recv].name, "arch1");
    row_of(&a, "multicast-audio", "encoder cam2 (10.2.0.32)", "multicast 224.0.0.0/4");
    r = row_of(&a, "archiver-gateway-unicast", "Archiver arch1 (10.1.0.20)",
               "Gateway gw1 (10.1.0.13)");
    assert_int_equal(r->port_lo, 28000);
    os_audit_free(&a);
    os_site_free(&s);
    os_rules_free(&rs);
}

/* Ports and directions are the rules file's: move gateway-command to 4812
 * and the row moves; a bulk=from-service rule puts the port on the source. */
static void test_matrix_follows_the_rules(void **state)
{
    (void)state;
    static const char from[] = "rule gateway-command proto=tcp port=5001";
    os_rules_text def = os_rules_default();
    char *text = malloc(def.len + 1), *at;
    os_ruleset rs;
    os_site s;
    os_audit a;
    char err[64];
    memcpy(text, def.text, def.len);
    text[def.len] = '\0';
    assert_non_null(at = strstr(text, from));
    memcpy(at + strlen(from) - 4, "4812", 4);
    fx_rules(text, &rs);
    fx_site("10.1.0.13 gateway gw1\n10.3.0.0/24 client\n", &rs, &s);
    assert_true(os_audit_build(&a, &s, &rs, "fx.site", err, sizeof err));
    const os_audit_row *r = row_of(&a, "gateway-command", "client 10.3.0.0/24",
                                   "Gateway gw1 (10.1.0.13)");
    assert_int_equal(r->port_lo, 4812);
    r = row_of(&a, "gateway-udp-video", "Gateway gw1 (10.1.0.13)", "client 10.3.0.0/24");
    assert_true(r->port_on_src);
    assert_int_equal(r->port_lo, 8000);
    assert_int_equal(r->port_hi, 9000);
    assert_true(r->crosses); /* no firewall declared: every flow is listed */
    assert_int_equal(a.n, 5); /* command, TCP video, UDP video, discovery, web; no Directory */
    os_audit_free(&a);
    os_site_free(&s);
    os_rules_free(&rs);
    free(text);
}

/* Two Gateways: the primary one alone talks to the Directory and hears the
 * failover Directory, whose 5001 is failover-directory-link, not
 * gateway-command (over=). */
static void test_primary_gateway_and_failover(void **state)
{
    (void)state;
    os_ruleset rs;
    os_site s;
    os_audit a;
    char err[64];
    fx_rules(NULL, &rs);
    fx_site("10.1.0.10 directory dir1\n10.1.0.13 gateway gw1\n10.1.0.14 gateway gw2\n"
            "10.1.0.12 failover-directory dir2\nprimary-gateway gw2\n", &rs, &s);
    assert_true(os_audit_build(&a, &s, &rs, "fx.site", err, sizeof err));
    assert_int_equal(a.n, 2);
    row_of(&a, "directory-link", "Gateway gw2 (10.1.0.14)", "Directory dir1 (10.1.0.10)");
    row_of(&a, "failover-directory-link", "failover Directory dir2 (10.1.0.12)",
           "Gateway gw2 (10.1.0.14)");
    os_audit_free(&a);
    os_site_free(&s);
    os_rules_free(&rs);
}

/* The Directory and its Gateway on one server: a local channel, no flow. */
static void test_local_directory_link(void **state)
{
    (void)state;
    os_ruleset rs;
    os_site s;
    os_audit a;
    char err[64];
    fx_rules(NULL, &rs);
    fx_site("10.1.0.10 directory,gateway dirgw\n10.1.0.20 archiver arch1\n"
            "10.2.0.31 encoder\n10.2.0.32 encoder\nunused archiver-playback\n", &rs, &s);
    assert_true(os_audit_build(&a, &s, &rs, "fx.site", err, sizeof err));
    /* without record lines, the Archiver records every encoder over unicast */
    assert_int_equal(a.n, 3);
    row_of(&a, "encoder-archiver-unicast", "encoder 10.2.0.31", "Archiver arch1 (10.1.0.20)");
    row_of(&a, "encoder-archiver-unicast", "encoder 10.2.0.32", "Archiver arch1 (10.1.0.20)");
    row_of(&a, "archiver-gateway-unicast", "Archiver arch1 (10.1.0.20)",
           "Gateway dirgw (10.1.0.10)");
    os_audit_free(&a);
    os_site_free(&s);
    os_rules_free(&rs);
}

static void test_statuses(void **state)
{
    (void)state;
    os_ruleset rs;
    os_site s;
    os_audit a;
    fx_rules(NULL, &rs);
    fx_site(fx_site_text, &rs, &s);
    os_graph *g = fx_graph(&rs);
    fx_audit(&a, &rs, &s, g);
    assert_int_equal(a.n, 7);
    assert_int_equal(a.count[OS_AUDIT_HEALTHY], 2);
    assert_int_equal(a.count[OS_AUDIT_FAILED], 2);
    assert_int_equal(a.count[OS_AUDIT_NEVER], 2);
    assert_int_equal(a.count[OS_AUDIT_UNNEEDED], 1);
    const os_audit_row *r = row_of(&a, "directory-link", "Gateway gw1 (10.1.0.13)",
                                   "Directory dir1 (10.1.0.10)");
    assert_int_equal(r->status, OS_AUDIT_HEALTHY);
    assert_int_equal(r->hs[OS_HSV_ESTABLISHED], 1);
    r = row_of(&a, "gateway-command", "client 10.3.0.0/24", "Gateway gw1 (10.1.0.13)");
    assert_int_equal(r->status, OS_AUDIT_FAILED);
    assert_int_equal(r->kinds, 1u << OS_FK_UNANSWERED_CONNECTION);
    assert_int_equal(r->worst, OS_SEV_WARNING);
    assert_int_equal(r->hs[OS_HSV_UNANSWERED], 1);
    r = row_of(&a, "multicast-video", "encoder cam2 (10.2.0.32)", "multicast 224.0.0.0/4");
    assert_int_equal(r->status, OS_AUDIT_HEALTHY);
    assert_int_equal(r->packets, 10);
    r = row_of(&a, "multicast-audio", "encoder cam2 (10.2.0.32)", "multicast 224.0.0.0/4");
    assert_int_equal(r->status, OS_AUDIT_NEVER);
    r = row_of(&a, "encoder-archiver-unicast", "encoder cam1 (10.2.0.31)",
               "Archiver arch1 (10.1.0.20)");
    assert_int_equal(r->status, OS_AUDIT_NEVER);
    r = row_of(&a, "archiver-gateway-unicast", "Archiver arch1 (10.1.0.20)",
               "Gateway gw1 (10.1.0.13)");
    assert_int_equal(r->status, OS_AUDIT_FAILED); /* known only from its ICMP error */
    assert_int_equal(r->flows, 0);
    assert_int_equal(r->kinds, 1u << OS_FK_ICMP_UNREACHABLE);
    r = row_of(&a, "gateway-command", "10.9.9.9", "Gateway gw1 (10.1.0.13)");
    assert_int_equal(r->status, OS_AUDIT_UNNEEDED);
    assert_int_equal(r->port_lo, 5001);
    assert_true(r->crosses);
    assert_int_equal(a.v[a.n - 1].status, OS_AUDIT_UNNEEDED); /* sorted by status */
    os_audit_free(&a);
    os_graph_free(g);
    os_site_free(&s);
    os_rules_free(&rs);
}

static void test_writers(void **state)
{
    (void)state;
    os_ruleset rs;
    os_site s;
    os_audit a;
    fx_rules(NULL, &rs);
    fx_site(fx_site_text, &rs, &s);
    os_graph *g = fx_graph(&rs);
    fx_audit(&a, &rs, &s, g);

    char *text = fx_capture(os_audit_write_text, &a);
    assert_non_null(strstr(text, "\naudit of site fx.site (firewall fw1): 6 flows needed: 2 seen "
                                 "and healthy, 2 attempted and failed, 2 never seen; 1 seen "
                                 "that the site does not need\nseen and healthy (2)\n"));
    assert_non_null(strstr(text, "      1 flow, 3 packets (TCP: 0 established, 0 refused, 1 unanswered)"
                                 "; findings: unanswered-connection, worst warning\n"));
    free(text);

    char *json = fx_capture(os_audit_write_json, &a);
    size_t lines = 0;
    for (char *p = json; (p = strchr(p, '\n')); p++)
        lines++;
    assert_int_equal(lines, a.n);
    assert_memory_equal(json, "{\"timestamp\":\"1970-01-01T00:00:10.000000+0000\",\"type\":"
                              "\"audit\",\"schema_version\":2,\"status\":\"seen-and-healthy\","
                              "\"role\":\"directory-link\",\"src_ip\":\"10.1.0.13\"", 151);
    assert_non_null(strstr(json, "\"status\":\"seen-not-needed\",\"role\":\"gateway-command\","
                                 "\"src_ip\":\"10.9.9.9\",\"dest_ip\":\"10.1.0.13\","
                                 "\"dest_port\":5001,\"proto\":\"TCP\",\"dest_host\":{\"name\":"
                                 "\"gw1\",\"role\":\"gateway\"},\"firewall\":\"fw1\","
                                 "\"crosses_firewall\":true,\"flows\":1,\"packets\":8"));
    assert_non_null(strstr(json, "\"dest_port\":15000,\"dest_port_last\":16000,\"proto\":\"UDP\""));
    assert_non_null(strstr(json, "\"findings\":[\"icmp-unreachable\"],\"severity\":\"error\""));
    free(json);

    char *md = fx_capture(os_audit_write_md, &a);
    assert_memory_equal(md, "## Audit\n\nSite `fx.site`, firewall `fw1`: 6 flows needed", 55);
    assert_non_null(strstr(md, "| attempted-and-failed | `gateway-command` | client 10.3.0.0/24 "
                               "| Gateway gw1 (10.1.0.13) | TCP 5001 | yes | 1 flow, 3 packets "
                               "(TCP: 0 established, 0 refused, 1 unanswered) | "
                               "unanswered-connection |\n"));
    assert_non_null(strstr(md, "- `directory-link`: The Directory communicates only"));
    free(md);
    os_audit_free(&a);
    os_graph_free(g);
    os_site_free(&s);
    os_rules_free(&rs);
}

/* A KBA sentence with '|', a newline and a quote: Markdown keeps each
 * cell and list item on one line, JSON escapes it; an end's address. */
static void test_writers_escape(void **state)
{
    (void)state;
    os_ruleset rs;
    os_site s;
    os_audit a;
    char net[64];
    fx_rules(NULL, &rs);
    fx_site(fx_site_text, &rs, &s);
    os_graph *g = fx_graph(&rs);
    fx_audit(&a, &rs, &s, g);
    const os_audit_row *r = row_of(&a, "gateway-command", "client 10.3.0.0/24",
                                   "Gateway gw1 (10.1.0.13)");
    assert_string_equal(os_audit_net_str(&r->src, net, sizeof net), "10.3.0.0/24");
    assert_string_equal(os_audit_net_str(&r->dst, net, sizeof net), "10.1.0.13");
    free(rs.rule[r->rule].kba);
    rs.rule[r->rule].kba = strdup("a | b\nc \"d\"");

    char *md = fx_capture(os_audit_write_md, &a);
    assert_non_null(strstr(md, "- `gateway-command`: a \\| b c \"d\"\n"));
    free(md);
    char *json = fx_capture(os_audit_write_json, &a);
    assert_non_null(strstr(json, "\"kba\":\"a | b\\u000ac \\\"d\\\"\"}\n"));
    free(json);
    os_audit_free(&a);
    os_graph_free(g);
    os_site_free(&s);
    os_rules_free(&rs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix_of_the_fixture),
        cmocka_unit_test(test_matrix_follows_the_rules),
        cmocka_unit_test(test_primary_gateway_and_failover),
        cmocka_unit_test(test_local_directory_link),
        cmocka_unit_test(test_statuses),
        cmocka_unit_test(test_writers),
        cmocka_unit_test(test_writers_escape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
