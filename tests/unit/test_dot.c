/* test_dot.c — the --dot writer on a site built from frames in memory:
 * nodes by address with name and roles (solid declared, dashed inferred,
 * grey unknown, ellipse multicast), one edge per traffic role with its ports
 * folded and its counts, red edges naming their findings, unclassified
 * traffic folded per host pair, quoting, determinism, write errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "omnisniff/dot.h"
#include "outsite.h"

#define SYN OS_TH_SYN

/* The DOT text of a finished site (caller frees). */
static char *dot_of(outsite *s)
{
    char *buf = NULL, err[128] = "";
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    bool ok = os_dot_write(m, os_pipeline_graph(s->p), os_pipeline_classifier(s->p), &s->rs, err,
                           sizeof err);
    fclose(m);
    assert_true(ok);
    assert_string_equal(err, "");
    return buf;
}

/* The line of `text` holding `needle` (a copy in line[]), or fail. */
static const char *line_with(const char *text, const char *needle, char *line, size_t len)
{
    const char *p = strstr(text, needle), *b, *e;
    if (!p)
        fail_msg("no line with '%s' in:\n%s", needle, text);
    for (b = p; b > text && b[-1] != '\n'; b--)
        ;
    e = strchr(p, '\n');
    snprintf(line, len, "%.*s", (int)(e ? e - b : (long)strlen(b)), b);
    return line;
}

static size_t count(const char *text, const char *needle)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

static const char hosts[] =
    "10.1.0.10  gateway   gw\"1\\x\n"   /* a name DOT must quote */
    "10.3.0.0/24 client\n";

/* A small site: a declared client on a declared Gateway, encoders found by
 * traffic, DNS and NTP (unclassified), an unanswered SYN to the Archiver. */
static outsite *small_site(void)
{
    outsite *s = outsite_start(hosts);
    assert_true(outsite_session(s, "10.3.0.23", 51000, "10.1.0.10", 5001));
    assert_true(outsite_udp(s, 3, "10.2.0.31", 40000, "10.1.0.20", 15000, 1300));
    assert_true(outsite_udp(s, 3, "10.2.0.32", 40000, "10.1.0.20", 15002, 1300));
    assert_true(outsite_udp(s, 2, "10.2.0.31", 40010, "239.10.0.1", 47806, 1300));
    assert_true(outsite_udp(s, 1, "10.3.0.23", 53000, "10.1.0.1", 53, 40));
    assert_true(outsite_udp(s, 1, "10.3.0.23", 53001, "10.1.0.1", 123, 48));
    assert_true(outsite_tcp(s, "10.3.0.23", 51001, "10.1.0.20", 6061, SYN, 0));
    s->now += 1 * OS_SEC;
    assert_true(outsite_tcp(s, "10.3.0.23", 51001, "10.1.0.20", 6061, SYN, 0));
    outsite_finish(s);
    return s;
}

static void test_nodes_by_what_roles_rest_on(void **state)
{
    (void)state;
    char l[512];
    outsite *s = small_site();
    char *d = dot_of(s);
    /* declared: solid, with the name quoted */
    assert_string_equal(line_with(d, "\"10.1.0.10\" [", l, sizeof l),
                        "  \"10.1.0.10\" [label=\"10.1.0.10\\ngw\\\"1\\\\x\\ngateway\", "
                        "style=\"rounded,filled\", penwidth=1.5, fillcolor=\"#d9ead3\"];");
    /* inferred only: dashed */
    assert_string_equal(line_with(d, "\"10.1.0.20\" [", l, sizeof l),
                        "  \"10.1.0.20\" [label=\"10.1.0.20\\narchiver (inferred)\", "
                        "style=\"rounded,filled,dashed\", fillcolor=\"#fff2cc\"];");
    /* nothing known: grey */
    assert_string_equal(line_with(d, "\"10.1.0.1\" [", l, sizeof l),
                        "  \"10.1.0.1\" [label=\"10.1.0.1\", color=grey60, fontcolor=grey40];");
    /* a multicast group */
    assert_non_null(strstr(line_with(d, "\"239.10.0.1\" [", l, sizeof l), "shape=ellipse"));
    /* a declared client (by prefix) */
    assert_non_null(strstr(line_with(d, "\"10.3.0.23\" [", l, sizeof l), "\\nclient\", style=\"rounded,filled\""));
    /* every host once, in address order */
    const char *order[] = { "\n  \"10.1.0.1\" [", "\n  \"10.1.0.10\" [", "\n  \"10.1.0.20\" [",
                            "\n  \"10.2.0.31\" [", "\n  \"10.2.0.32\" [", "\n  \"10.3.0.23\" [",
                            "\n  \"239.10.0.1\" [" };
    const char *prev = d;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const char *p = strstr(d, order[i]);
        assert_non_null(p);
        assert_true(p > prev);
        assert_int_equal(count(d, order[i]), 1);
        prev = p;
    }
    free(d);
    outsite_done(s);
}

static void test_edges_per_role_with_counts_and_findings(void **state)
{
    (void)state;
    char l[512];
    outsite *s = small_site();
    char *d = dot_of(s);
    /* initiator -> responder, role, port, flows, packets (both ways), bytes */
    assert_string_equal(line_with(d, "\"10.3.0.23\" -> \"10.1.0.10\"", l, sizeof l),
                        "  \"10.3.0.23\" -> \"10.1.0.10\" [label=\"gateway-command\\nTCP 5001\\n"
                        "1 flow, 5 pkts, 570 B\"];");
    assert_string_equal(line_with(d, "\"10.2.0.31\" -> \"10.1.0.20\"", l, sizeof l),
                        "  \"10.2.0.31\" -> \"10.1.0.20\" [label=\"encoder-archiver-unicast\\n"
                        "UDP 15000\\n1 flow, 3 pkts, 4026 B\"];");
    /* the unanswered SYNs: red, with the finding and the handshake verdict */
    assert_string_equal(line_with(d, "\"10.3.0.23\" -> \"10.1.0.20\"", l, sizeof l),
                        "  \"10.3.0.23\" -> \"10.1.0.20\" [label=\"archiver-playback\\nTCP 6061\\n"
                        "1 flow, 2 pkts, 108 B\\nTCP: 1 unanswered, 0 refused\\n"
                        "warning: unanswered-connection\", color=red, fontcolor=red, "
                        "penwidth=1.8];");
    /* DNS and NTP to one host: one grey edge naming both ports */
    assert_int_equal(count(d, "\"10.3.0.23\" -> \"10.1.0.1\""), 1);
    assert_string_equal(line_with(d, "\"10.3.0.23\" -> \"10.1.0.1\"", l, sizeof l),
                        "  \"10.3.0.23\" -> \"10.1.0.1\" [label=\"unclassified\\nUDP 53, 123\\n"
                        "2 flows, 2 pkts, 172 B\", color=grey60, fontcolor=grey40, "
                        "style=dashed];");
    assert_int_equal(count(d, " -> "), 6);
    assert_int_equal(strncmp(d, "digraph omnicast {\n", 19), 0);
    assert_string_equal(d + strlen(d) - 2, "}\n");
    free(d);
    outsite_done(s);
}

/* Many service ports of one role between two hosts: one edge, a range. */
static void test_ports_folded_into_one_edge(void **state)
{
    (void)state;
    char l[512];
    outsite *s = outsite_start("10.1.0.10 gateway\n10.3.0.23 client\n10.3.0.24 client\n");
    for (unsigned p = 8001; p <= 8006; p++)
        assert_true(outsite_udp(s, 1, "10.1.0.10", p, "10.3.0.23", 50000 + p, 1300));
    assert_true(outsite_udp(s, 1, "10.1.0.10", 8001, "10.3.0.24", 50000, 1300));
    assert_true(outsite_udp(s, 1, "10.1.0.10", 8003, "10.3.0.24", 50001, 1300));
    outsite_finish(s);
    char *d = dot_of(s);
    assert_int_equal(count(d, " -> "), 2);
    assert_non_null(strstr(line_with(d, "-> \"10.3.0.23\"", l, sizeof l),
                           "gateway-udp-video\\nUDP 8001-8006 (6 ports)\\n6 flows, 6 pkts, 8052 B"));
    assert_non_null(strstr(line_with(d, "-> \"10.3.0.24\"", l, sizeof l),
                           "gateway-udp-video\\nUDP 8001, 8003\\n2 flows"));
    free(d);
    outsite_done(s);
}

/* An ICMP error about a flow never seen: the edge is drawn from the
 * finding, red for an error (thicker). */
static void test_edge_known_only_from_icmp(void **state)
{
    (void)state;
    char l[512];
    outsite *s = outsite_start("10.1.0.20 archiver\n10.3.0.0/24 client\n");
    assert_true(outsite_icmp(s, "10.1.0.1", "10.3.0.23", 13, 6, "10.3.0.23", 51000, "10.1.0.20",
                             6061));
    outsite_finish(s);
    char *d = dot_of(s);
    assert_string_equal(line_with(d, "\"10.1.0.1\" -> \"10.3.0.23\"", l, sizeof l),
                        "  \"10.1.0.1\" -> \"10.3.0.23\" [label=\"unclassified\\nICMP\\n1 flow, "
                        "1 pkt, 70 B\", color=grey60, fontcolor=grey40, style=dashed];");
    assert_string_equal(line_with(d, "\"10.3.0.23\" -> \"10.1.0.20\"", l, sizeof l),
                        "  \"10.3.0.23\" -> \"10.1.0.20\" [label=\"archiver-playback\\nTCP 6061\\n"
                        "seen only in an ICMP error, 0 B\\nerror: icmp-unreachable\", color=red, "
                        "fontcolor=red, penwidth=2.5];");
    free(d);
    outsite_done(s);
}

/* Port-only labels say so; nothing known: no filled nodes. */
static void test_port_only_label(void **state)
{
    (void)state;
    outsite *s = outsite_start(NULL);
    assert_true(outsite_session(s, "10.3.0.23", 51000, "10.1.0.10", 5001));
    outsite_finish(s);
    char *d = dot_of(s);
    assert_non_null(strstr(d, "gateway-command (by port only)\\nTCP 5001"));
    assert_null(strstr(d, "filled"));
    free(d);
    outsite_done(s);
}

static void test_same_input_same_output(void **state)
{
    (void)state;
    outsite *a = small_site();
    char *da = dot_of(a);
    char *da2 = dot_of(a);
    outsite_close(a);
    outsite *b = small_site();
    char *db = dot_of(b);
    assert_string_equal(da, da2);
    assert_string_equal(da, db);
    free(da);
    free(da2);
    free(db);
    outsite_done(b);
}

static void test_empty_graph_is_valid(void **state)
{
    (void)state;
    outsite *s = outsite_start(NULL);
    outsite_finish(s);
    char *d = dot_of(s);
    assert_null(strstr(d, " -> "));
    assert_string_equal(d + strlen(d) - 2, "}\n");
    free(d);
    outsite_done(s);
}

static void test_write_error_reported(void **state)
{
    (void)state;
    char err[128] = "";
    outsite *s = small_site();
    FILE *full = fopen("/dev/full", "w");
    if (!full) {
        outsite_done(s);
        skip();
    }
    assert_false(os_dot_write(full, os_pipeline_graph(s->p), os_pipeline_classifier(s->p), &s->rs,
                              err, sizeof err));
    fclose(full);
    assert_string_equal(err, "write error: No space left on device");
    outsite_done(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_nodes_by_what_roles_rest_on, outsite_teardown),
        cmocka_unit_test_teardown(test_edges_per_role_with_counts_and_findings, outsite_teardown),
        cmocka_unit_test_teardown(test_ports_folded_into_one_edge, outsite_teardown),
        cmocka_unit_test_teardown(test_edge_known_only_from_icmp, outsite_teardown),
        cmocka_unit_test_teardown(test_port_only_label, outsite_teardown),
        cmocka_unit_test_teardown(test_same_input_same_output, outsite_teardown),
        cmocka_unit_test_teardown(test_empty_graph_is_valid, outsite_teardown),
        cmocka_unit_test_teardown(test_write_error_reported, outsite_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
