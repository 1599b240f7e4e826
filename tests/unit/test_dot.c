/* test_dot.c — the --dot writer on a site built from frames in memory:
 * nodes by address with name and roles (solid declared, dashed inferred,
 * grey unknown, ellipse multicast), one edge per traffic role with its ports
 * folded and its counts, red edges naming their findings, unclassified
 * traffic left out unless asked for (then folded per host pair), hosts alike
 * in one subnet folded into one node with their edges, quoting,
 * determinism, write errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "omnisniff/dot.h"
#include "outsite.h"

#define SYN OS_TH_SYN

/* The DOT text of a finished site drawn with options o (NULL: defaults;
 * caller frees). */
static char *dot_with(outsite *s, const os_dot_opts *o)
{
    char *buf = NULL, err[128] = "";
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    assert_non_null(m);
    bool ok = os_dot_write(m, os_pipeline_graph(s->p), os_pipeline_classifier(s->p), &s->rs, o,
                           err, sizeof err);
    fclose(m);
    assert_true(ok);
    assert_string_equal(err, "");
    return buf;
}

/* The DOT text with the defaults (caller frees). */
static char *dot_of(outsite *s) { return dot_with(s, NULL); }

/* The DOT text with unclassified traffic drawn (caller frees). */
static char *dot_all(outsite *s)
{
    os_dot_opts o = { .unclassified = true };
    return dot_with(s, &o);
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
    char *d = dot_all(s);
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
    char *d = dot_all(s);
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
    char *d = dot_all(s);
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
    char *da = dot_all(a);
    char *da2 = dot_all(a);
    outsite_close(a);
    outsite *b = small_site();
    char *db = dot_all(b);
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
                              NULL, err, sizeof err));
    fclose(full);
    assert_string_equal(err, "write error: No space left on device");
    outsite_done(s);
}

/* ---- hosts alike folded ------------------------------------------------ */

static const char site_hosts[] = "10.1.0.10 gateway gw1\n"
                                 "10.1.0.20 archiver arch1\n"
                                 "10.3.0.0/16 client\n"
                                 "2001:db8:1::10 gateway gw6\n"
                                 "2001:db8:3::/64 client\n";

/* Clients PREFIX.first .. PREFIX.(first + n - 1), each with a command and a
 * TCP video session on the Gateway of their family. */
static void add_clients(outsite *s, const char *prefix, unsigned first, unsigned n)
{
    char a[64];
    const char *gw = strchr(prefix, ':') ? "2001:db8:1::10" : "10.1.0.10";
    for (unsigned i = first; i < first + n; i++) {
        snprintf(a, sizeof a, "%s%u", prefix, i);
        assert_true(outsite_session(s, a, 51000, gw, 5001));
        assert_true(outsite_session(s, a, 51001, gw, 5002));
    }
}

/* Node lines (a node line has " [label=" and no " -> "). */
static size_t count_nodes(const char *d)
{
    size_t n = 0;
    for (const char *p = d; (p = strstr(p, "\n  \"")); p++) {
        const char *e = strchr(p + 1, '\n');
        const char *arrow = strstr(p + 1, " -> ");
        n += !arrow || (e && arrow > e);
    }
    return n;
}

/* 40 clients of one /24 on one Gateway: one node with their count and
 * range, one edge per role with the flows of all 40. */
static void test_forty_clients_fold_into_one_node(void **state)
{
    (void)state;
    char l[512];
    outsite *s = outsite_start(site_hosts);
    add_clients(s, "10.3.0.", 101, 40);
    outsite_finish(s);
    char *d = dot_of(s);
    assert_string_equal(line_with(d, "\"10.3.0.101 – 10.3.0.140\" [", l, sizeof l),
                        "  \"10.3.0.101 – 10.3.0.140\" [label=\"client\\n40 hosts\\n"
                        "10.3.0.101 – 10.3.0.140\", style=\"rounded,filled\", penwidth=1.5, "
                        "fillcolor=\"#ead1dc\"];");
    assert_int_equal(count_nodes(d), 2); /* the clients, gw1 */
    assert_null(strstr(d, "\"10.3.0.101\""));
    assert_int_equal(count(d, " -> "), 2);
    assert_string_equal(line_with(d, "gateway-command", l, sizeof l),
                        "  \"10.3.0.101 – 10.3.0.140\" -> \"10.1.0.10\" [label=\"gateway-command\\n"
                        "TCP 5001\\n40 flows, 200 pkts, 22.8 kB\"];");
    assert_non_null(strstr(line_with(d, "gateway-tcp-video", l, sizeof l), "TCP 5002\\n40 flows"));
    assert_non_null(strstr(d, "Box with a count:"));
    free(d);
    outsite_done(s);
}

/* 4 clients (below the default fold_min of 5) stay one node each, and fold
 * once fold_min is 4. */
static void test_few_clients_stay_separate(void **state)
{
    (void)state;
    outsite *s = outsite_start(site_hosts);
    add_clients(s, "10.3.0.", 101, 4);
    outsite_finish(s);
    char *d = dot_of(s);
    for (unsigned i = 101; i <= 104; i++) {
        char node[64];
        snprintf(node, sizeof node, "\n  \"10.3.0.%u\" [label=\"10.3.0.%u\\nclient\"", i, i);
        assert_int_equal(count(d, node), 1);
    }
    assert_int_equal(count(d, " -> "), 8);
    assert_null(strstr(d, " hosts\\n"));
    assert_null(strstr(d, "Box with a count:"));
    free(d);
    os_dot_opts o = { .fold_min = 4 };
    d = dot_with(s, &o);
    assert_int_equal(count(d, "[label=\"client\\n4 hosts\\n10.3.0.101 – 10.3.0.104\""), 1);
    assert_int_equal(count(d, " -> "), 2);
    free(d);
    outsite_done(s);
}

/* A client with a name of its own in the hosts file is drawn alone (even
 * beside another of the same name); the others of its /24 fold around it. */
static void test_named_host_not_folded(void **state)
{
    (void)state;
    char l[512], named[256];
    snprintf(named, sizeof named, "%s10.3.0.105 client boss-pc\n10.3.0.107 client desk\n"
             "10.3.0.108 client desk\n", site_hosts);
    outsite *s = outsite_start(named);
    add_clients(s, "10.3.0.", 101, 8);
    outsite_finish(s);
    char *d = dot_of(s);
    assert_int_equal(count(d, "[label=\"client\\n5 hosts\\n10.3.0.101 – 10.3.0.106\""), 1);
    assert_string_equal(line_with(d, "\"10.3.0.105\" [", l, sizeof l),
                        "  \"10.3.0.105\" [label=\"10.3.0.105\\nboss-pc\\nclient\", "
                        "style=\"rounded,filled\", penwidth=1.5, fillcolor=\"#ead1dc\"];");
    assert_int_equal(count(d, "\"10.3.0.105\" -> \"10.1.0.10\""), 2);
    assert_int_equal(count(d, "\"10.3.0.101 – 10.3.0.106\" -> \"10.1.0.10\""), 2);
    assert_int_equal(count(d, " -> "), 8);
    free(d);
    /* two hosts named alike, fold_min 2: still one node each */
    os_dot_opts o = { .fold_min = 2 };
    d = dot_with(s, &o);
    assert_int_equal(count(d, "\n  \"10.3.0.107\" [label=\"10.3.0.107\\ndesk\\nclient\""), 1);
    assert_int_equal(count(d, "\n  \"10.3.0.108\" [label=\"10.3.0.108\\ndesk\\nclient\""), 1);
    assert_int_equal(count(d, "[label=\"client\\n5 hosts\\n10.3.0.101 – 10.3.0.106\""), 1);
    free(d);
    outsite_done(s);
}

/* Hosts of a named network fold with its name in the label. */
static void test_named_network_folds_with_its_name(void **state)
{
    (void)state;
    outsite *s = outsite_start("10.1.0.10 gateway gw1\n10.4.0.0/24 client lab\n");
    add_clients(s, "10.4.0.", 1, 5);
    outsite_finish(s);
    char *d = dot_of(s);
    assert_int_equal(count(d, "[label=\"lab\\nclient\\n5 hosts\\n10.4.0.1 – 10.4.0.5\""), 1);
    assert_int_equal(count(d, " -> "), 2);
    free(d);
    outsite_done(s);
}

/* Clients in two /24s (and an IPv6 /64): one node per subnet, one edge per
 * role from each. */
static void test_two_subnets_two_nodes(void **state)
{
    (void)state;
    outsite *s = outsite_start(site_hosts);
    add_clients(s, "10.3.0.", 11, 5);
    add_clients(s, "10.3.1.", 11, 6);
    add_clients(s, "2001:db8:3::", 11, 5);
    outsite_finish(s);
    char *d = dot_of(s);
    assert_int_equal(count(d, "[label=\"client\\n5 hosts\\n10.3.0.11 – 10.3.0.15\""), 1);
    assert_int_equal(count(d, "[label=\"client\\n6 hosts\\n10.3.1.11 – 10.3.1.16\""), 1);
    assert_int_equal(count(d, "[label=\"client\\n5 hosts\\n2001:db8:3::11 – 2001:db8:3::15\""), 1);
    assert_int_equal(count(d, "\"10.3.0.11 – 10.3.0.15\" -> \"10.1.0.10\""), 2);
    assert_int_equal(count(d, "\"10.3.1.11 – 10.3.1.16\" -> \"10.1.0.10\""), 2);
    assert_int_equal(count(d, "\"2001:db8:3::11 – 2001:db8:3::15\" -> \"2001:db8:1::10\""), 2);
    assert_int_equal(count(d, " -> "), 6);
    /* nodes by lowest address: IPv4 before IPv6, 10.3.0 before 10.3.1 */
    assert_true(strstr(d, "\n  \"10.3.0.11 – ") < strstr(d, "\n  \"10.3.1.11 – "));
    assert_true(strstr(d, "\n  \"10.3.1.11 – ") < strstr(d, "\n  \"2001:db8:3::11 – "));
    free(d);
    outsite_done(s);
}

/* DNS from six clients: left out by default (the legend says so), one grey
 * dashed edge from their node with the option, the DNS server grey. */
static void test_unclassified_left_out_unless_asked(void **state)
{
    (void)state;
    char l[512];
    outsite *s = outsite_start(site_hosts);
    add_clients(s, "10.3.0.", 101, 6);
    for (unsigned i = 101; i <= 106; i++) {
        char a[32];
        snprintf(a, sizeof a, "10.3.0.%u", i);
        assert_true(outsite_udp(s, 1, a, 53000, "10.1.0.1", 53, 40));
    }
    outsite_finish(s);
    char *d = dot_of(s);
    assert_null(strstr(d, "unclassified\\n"));
    assert_null(strstr(d, "\"10.1.0.1\""));
    assert_non_null(strstr(d, "\\lLeft out: unclassified traffic without a finding between 6 host "
                              "pairs (" OS_DOT_UNCLASSIFIED_OPTION " draws it).\\l"));
    assert_int_equal(count(d, " -> "), 2);
    free(d);
    d = dot_all(s);
    assert_null(strstr(d, "Left out:"));
    assert_non_null(strstr(d, "grey dashed: unclassified"));
    assert_string_equal(line_with(d, "\"10.1.0.1\" [", l, sizeof l),
                        "  \"10.1.0.1\" [label=\"10.1.0.1\", color=grey60, fontcolor=grey40];");
    assert_string_equal(line_with(d, "-> \"10.1.0.1\"", l, sizeof l),
                        "  \"10.3.0.101 – 10.3.0.106\" -> \"10.1.0.1\" [label=\"unclassified\\n"
                        "UDP 53\\n6 flows, 6 pkts, 492 B\", color=grey60, fontcolor=grey40, "
                        "style=dashed];");
    assert_int_equal(count(d, " -> "), 3);
    free(d);
    outsite_done(s);
}

/* Eight clients play back from the Archiver, three get no answer: one red
 * edge naming the finding kind and on how many host pairs it was raised. */
static void test_folded_edge_with_finding_is_red(void **state)
{
    (void)state;
    char l[512];
    outsite *s = outsite_start(site_hosts);
    for (unsigned i = 101; i <= 108; i++) {
        char a[32];
        snprintf(a, sizeof a, "10.3.0.%u", i);
        if (i % 3)
            assert_true(outsite_session(s, a, 51002, "10.1.0.20", 6061));
        else
            for (int k = 0; k < 2; k++)
                assert_true(outsite_tcp(s, a, 51002, "10.1.0.20", 6061, SYN, 0));
    }
    outsite_finish(s);
    char *d = dot_of(s);
    assert_int_equal(count(d, " -> "), 1);
    assert_string_equal(line_with(d, " -> ", l, sizeof l),
                        "  \"10.3.0.101 – 10.3.0.108\" -> \"10.1.0.20\" [label=\"archiver-playback\\n"
                        "TCP 6061\\n8 flows, 31 pkts, 3174 B\\nTCP: 3 unanswered, 0 refused\\n"
                        "warning: unanswered-connection\\non 3 of 8 host pairs\", color=red, "
                        "fontcolor=red, penwidth=1.8];");
    free(d);
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
        cmocka_unit_test_teardown(test_forty_clients_fold_into_one_node, outsite_teardown),
        cmocka_unit_test_teardown(test_few_clients_stay_separate, outsite_teardown),
        cmocka_unit_test_teardown(test_named_host_not_folded, outsite_teardown),
        cmocka_unit_test_teardown(test_named_network_folds_with_its_name, outsite_teardown),
        cmocka_unit_test_teardown(test_two_subnets_two_nodes, outsite_teardown),
        cmocka_unit_test_teardown(test_unclassified_left_out_unless_asked, outsite_teardown),
        cmocka_unit_test_teardown(test_folded_edge_with_finding_is_red, outsite_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
