/* test_mdreport.c — the --report writer on sites built from frames in memory:
 * the sections and their order (with a section of the caller's between body
 * and end), capture facts
 * (kernel counters, read error, problem counts), a fault of many flows as
 * one problem with one ladder, two faults worst first, the hosts table
 * (escaping, evidence), the ladder of every failed-handshake kind exactly as
 * drawn, BPF filters that libpcap compiles and that match the finding's
 * packets and not others, write errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pcap/pcap.h>

#include "omnisniff/mdreport.h"
#include "outsite.h"

#define SYN OS_TH_SYN
#define RSTACK (OS_TH_RST | OS_TH_ACK)

/* The report of a finished site (caller frees); with a graph as given, and
 * the caller's section `extra` (or none) between body and end. */
static char *report_of(outsite *s, bool graph, const char *extra)
{
    char *buf = NULL, err[128] = "";
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    os_mdreport_cfg c = { .st = os_pipeline_stats(s->p), .cls = os_pipeline_classifier(s->p),
                          .rules = &s->rs, .graph = graph ? os_pipeline_graph(s->p) : NULL };
    assert_non_null(m);
    bool ok;
    if (extra) {
        os_mdreport_write_body(m, &c);
        fputs(extra, m);
        ok = os_mdreport_write_end(m, &c, err, sizeof err);
    } else {
        ok = os_mdreport_write(m, &c, err, sizeof err);
    }
    fclose(m);
    assert_true(ok);
    assert_string_equal(err, "");
    return buf;
}

/* Occurrences of `needle` in text between the first `from` and the next
 * `to` after it (the end of the text without one). */
static int count_between(const char *text, const char *from, const char *to, const char *needle)
{
    const char *p = strstr(text, from), *end;
    int n = 0;
    assert_non_null(p);
    end = strstr(p + strlen(from), to);
    if (!end)
        end = p + strlen(p);
    for (p = strstr(p, needle); p && p < end; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* Problem subsections and ladders in "## Problems" (up to "## Hosts"). */
static int problem_sections(const char *r)
{
    return count_between(r, "\n## Problems\n", "\n## Hosts\n", "\n### ");
}

static int problem_ladders(const char *r)
{
    return count_between(r, "\n## Problems\n", "\n## Hosts\n", "\n```text\n");
}

/* The first fenced text block after `after` (a copy, caller frees). */
static char *ladder_after(const char *text, const char *after)
{
    const char *p = strstr(text, after), *b, *e;
    assert_non_null(p);
    b = strstr(p, "```text\n");
    assert_non_null(b);
    b += 8;
    e = strstr(b, "```\n");
    assert_non_null(e);
    return strndup(b, (size_t)(e - b));
}

static const char hosts[] =
    "10.1.0.20   archiver  arch1\n"
    "10.1.0.10   gateway   gw|1\n" /* '|' must be escaped in a table cell */
    "10.3.0.0/24 client\n";

static void test_sections_in_order_with_extra(void **state)
{
    (void)state;
    outsite *s = outsite_start(hosts);
    assert_true(outsite_tcp(s, "10.3.0.23", 51000, "10.1.0.20", 6061, SYN, 0));
    outsite_finish(s);
    char *r = report_of(s, true, "\n## Audit\n\naudit text\n");
    const char *heads[] = { "# omnisniff report: test.pcap\n", "\n## Capture\n",
                            "\n## Problems\n",
                            "\n### 1. warning unanswered-connection — 10.1.0.20 "
                            "(archiver-playback)\n",
                            "\n## Hosts\n", "\n## Traffic by role\n", "\n## Conversations\n",
                            "\n## Audit\n\naudit text\n", "\n## What the findings mean\n",
                            "\n### unanswered-connection\n" };
    const char *prev = r;
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
        const char *p = strstr(r, heads[i]);
        if (!p || p < prev)
            fail_msg("'%s' missing or out of order in:\n%s", heads[i], r);
        prev = p;
    }
    assert_int_equal(strncmp(r, heads[0], strlen(heads[0])), 0);
    free(r);
    /* without a graph: no conversations; without a section of the caller's: no audit */
    r = report_of(s, false, NULL);
    assert_null(strstr(r, "## Conversations"));
    assert_null(strstr(r, "## Audit"));
    assert_non_null(strstr(r, "\n## Problems\n"));
    assert_null(strstr(r, "## Findings"));
    free(r);
    outsite_done(s);
}

static void test_capture_facts_kernel_and_read_error(void **state)
{
    (void)state;
    outsite *s = outsite_start(NULL);
    assert_true(outsite_session(s, "10.3.0.23", 51000, "10.1.0.10", 5001));
    s->now += 2 * OS_SEC;
    assert_true(outsite_udp(s, 1, "10.3.0.23", 53000, "10.1.0.1", 53, 40));
    os_capture_stats ks = { .valid = true, .received = 7, .dropped = 2, .ifdropped = 1 };
    os_pipeline_flush(s->p, "eth0", "EN10MB", &ks, "truncated dump file");
    os_pipeline_summary(s->p);
    char *r = report_of(s, true, NULL);
    assert_non_null(strstr(r, "| source | `eth0` |\n| link type | EN10MB |\n"
                              "| first packet | 2026-01-15T10:00:00.000000+0000 |\n"
                              "| last packet | 2026-01-15T10:00:02.005000+0000 |\n"
                              "| duration | 2.005 s |\n| packets | 6 |\n"));
    assert_non_null(strstr(r, "| kernel | 7 packets received by the filter, 2 dropped by the "
                              "kernel, 1 dropped by the interface |\n"));
    assert_non_null(strstr(r, "| input ended early | truncated dump file (this report covers "
                              "what was read) |\n"));
    assert_non_null(strstr(r, "| TCP handshakes | 1 established, 0 refused, 0 unanswered, "
                              "0 midstream, 0 partial |\n"));
    assert_non_null(strstr(r, "| gateway-command | 1 | 5 | 570 |  |\n"));
    assert_non_null(strstr(r, "| (unclassified) | 1 | 1 | 82 |  |\n"));
    assert_non_null(strstr(r, "| problems | none |\n"));
    assert_non_null(strstr(r, "\n## Problems\n\nNone: the traffic follows the rules file.\n"
                              "\n## Hosts\n"));
    assert_null(strstr(r, "## What the findings mean"));
    free(r);
    outsite_done(s);
}

/* The decode row names each status in words (os_decode_status_words), the ok
 * count always, the others only when there are some. */
static void test_capture_decode_words(void **state)
{
    (void)state;
    outsite *s = outsite_start(NULL);
    os_stats st;
    char *buf = NULL, err[128] = "";
    size_t len = 0;
    memset(&st, 0, sizeof st);
    st.role = calloc(s->rs.n, sizeof *st.role);
    assert_non_null(st.role);
    st.status[OS_DEC_NOT_IP] = 3;
    st.status[OS_DEC_FRAGMENT] = 2;
    st.status[OS_DEC_OTHER_PROTO] = 1;
    FILE *m = open_memstream(&buf, &len);
    os_mdreport_cfg c = { .st = &st, .cls = os_pipeline_classifier(s->p), .rules = &s->rs };
    assert_true(os_mdreport_write(m, &c, err, sizeof err));
    fclose(m);
    assert_non_null(strstr(buf, "| decode | 0 ok, 3 not IP, 2 non-first fragment, "
                                "1 other protocol |\n"));
    free(buf);
    free(st.role);
    outsite_done(s);
}

/* Ten clients each trying a dropped port three times, 3 s apart, from a new
 * source port each time: `rounds` x 10 flows of one SYN, at t0 + 3 s x round. */
static void dropped_port_retries(outsite *s, uint64_t t0, int rounds)
{
    char ip[16];
    for (int r = 0; r < rounds; r++)
        for (int i = 0; i < 10; i++) {
            snprintf(ip, sizeof ip, "10.3.0.%d", 101 + i);
            s->now = t0 + (uint64_t)r * 3 * OS_SEC + (uint64_t)i * OS_MS;
            assert_true(outsite_tcp(s, ip, 50000 + 10 * r + i, "10.1.0.20", 6061, SYN, 0));
        }
}

/* 30 SYNs from 10 clients to a dropped port: one problem, one section,
 * one ladder, with the counts of all 30 flows. */
static void test_many_flows_of_one_fault_one_problem(void **state)
{
    (void)state;
    outsite *s = outsite_start(hosts);
    dropped_port_retries(s, OS_T0, 3);
    outsite_finish(s);
    assert_int_equal(os_pipeline_stats(s->p)->findings[OS_FK_UNANSWERED_CONNECTION], 30);
    char *r = report_of(s, true, NULL);
    assert_int_equal(problem_sections(r), 1);
    assert_int_equal(problem_ladders(r), 1);
    assert_non_null(strstr(r, "| problems | 1 error, 0 warnings, 0 info, from 30 findings |\n"));
    assert_non_null(strstr(r, "\n### 1. error unanswered-connection — 10.1.0.20 "
                              "(archiver-playback)\n\n> 10 clients (10.3.0.101-10.3.0.110) "
                              "cannot reach Archiver 10.1.0.20 on archiver-playback TCP 6061: "));
    assert_non_null(strstr(r, "| flows | 30 |\n| packets | 30 |\n"
                              "| peers | 10 (10.3.0.101-10.3.0.110); the first: 10.3.0.101, "
                              "10.3.0.102, 10.3.0.103, 10.3.0.104, ... |\n"
                              "| ports tried | TCP 6061 |\n"
                              "| answered handshakes | 0 to the same service |\n"
                              "| first seen | 2026-01-15T10:00:00.000000+0000 |\n"
                              "| last seen | 2026-01-15T10:00:06.009000+0000 |\n"
                              "| typical interval between one peer's attempts | 3.000 s |\n"));
    assert_non_null(strstr(r, " (3 of 30; with `--json` every finding record names its "
                              "problem_id)\n- capture it again: `host 10.3.0.101 and host "
                              "10.1.0.20 and tcp port 6061`\n"));
    free(r);
    outsite_done(s);
}

/* A refusal raised first (one client: a warning) and a dropped port raised
 * later (ten clients: an error): two sections, the error first. */
static void test_two_faults_worst_first(void **state)
{
    (void)state;
    outsite *s = outsite_start(hosts);
    assert_true(outsite_tcp(s, "10.3.0.23", 51000, "10.1.0.20", 6063, SYN, 0));
    assert_true(outsite_tcp(s, "10.1.0.20", 6063, "10.3.0.23", 51000, RSTACK, 0));
    dropped_port_retries(s, OS_T0 + OS_SEC, 2);
    outsite_finish(s);
    char *r = report_of(s, true, NULL);
    assert_int_equal(problem_sections(r), 2);
    assert_int_equal(problem_ladders(r), 2);
    assert_non_null(strstr(r, "| problems | 1 error, 1 warning, 0 info, from 21 findings |\n"));
    const char *e = strstr(r, "\n### 1. error unanswered-connection — 10.1.0.20 "
                              "(archiver-playback)\n");
    const char *w = strstr(r, "\n### 2. warning connection-refused — 10.1.0.20 "
                              "(archiver-playback)\n");
    assert_non_null(e);
    assert_non_null(w);
    assert_true(e < w);
    free(r);
    outsite_done(s);
}

static void test_hosts_table_escapes_and_evidence(void **state)
{
    (void)state;
    outsite *s = outsite_start(hosts);
    assert_true(outsite_session(s, "10.3.0.23", 51000, "10.1.0.10", 5001));
    assert_true(outsite_udp(s, 2, "10.2.0.31", 40000, "10.1.0.21", 15000, 1300));
    assert_true(outsite_udp(s, 2, "10.2.0.32", 40000, "10.1.0.21", 15000, 1300));
    outsite_finish(s);
    char *r = report_of(s, true, NULL);
    assert_non_null(strstr(r, "| 10.1.0.10 | gw\\|1 | gateway | declared |  |\n"));
    assert_non_null(strstr(r, "| 10.1.0.21 |  | archiver | inferred | archiver: receives "
                              "encoder-archiver-unicast (UDP 15000-16000) from encoder 10.2.0.3"));
    assert_non_null(strstr(r, "| 10.2.0.31 |  | encoder | inferred | encoder: sends "
                              "encoder-archiver-unicast (UDP 15000-16000) to Archiver 10.1.0.21 |"));
    assert_non_null(strstr(r, "| 10.3.0.23 | 10.1.0.10 | gateway-command | TCP 5001 | 1 | 3 / 2 "
                              "| 262 / 308 | 1 established |  |\n"));
    free(r);
    outsite_done(s);
}

static void test_unanswered_ladder(void **state)
{
    (void)state;
    outsite *s = outsite_start(hosts);
    assert_true(outsite_tcp(s, "10.3.0.23", 51000, "10.1.0.20", 6061, SYN, 0));
    s->now = OS_T0 + 1 * OS_SEC;
    assert_true(outsite_tcp(s, "10.3.0.23", 51000, "10.1.0.20", 6061, SYN, 0));
    s->now = OS_T0 + 3 * OS_SEC;
    assert_true(outsite_tcp(s, "10.3.0.23", 51000, "10.1.0.20", 6061, SYN, 0));
    outsite_finish(s);
    char *r = report_of(s, true, NULL);
    char *l = ladder_after(r, "### 1. warning unanswered-connection — 10.1.0.20 "
                              "(archiver-playback)\n");
    assert_string_equal(l,
        "                 10.3.0.23:51000                   10.1.0.20:6061\n"
        "                 client                            Archiver\n"
        "                 |                                 |\n"
        "10:00:00.000000  |------------- SYN -------------->|  SYN 1 of 3\n"
        "                 |  ... 1 more SYN (retries) ...   |\n"
        "10:00:03.000000  |------------- SYN -------------->|  SYN 3 of 3\n"
        "                 |       no SYN-ACK, no RST        |\n");
    assert_non_null(strstr(r, "\n| | |\n|---|---|\n| flows | 1 |\n| packets | 3 |\n"
                              "| peers | 1: 10.3.0.23 |\n| ports tried | TCP 6061 |\n"
                              "| answered handshakes | 0 to the same service |\n"
                              "| first seen | 2026-01-15T10:00:00.000000+0000 |\n"
                              "| last seen | 2026-01-15T10:00:03.000000+0000 |\n"
                              "| KBA-00170 | Video Playback connections are requested on the "
                              "Archiver using TCP ports 6060 to 6080. |\n| problem_id | "));
    assert_null(strstr(r, "typical interval")); /* one flow: no interval between attempts */
    assert_non_null(strstr(r, "- capture it again: `host 10.3.0.23 and host 10.1.0.20 and tcp "
                              "port 6061`\n- the first example, flow "));
    free(l);
    free(r);
    outsite_done(s);
}

/* SYNs retried and then answered: the ladder says so, not "no SYN-ACK". */
static void test_late_answer_ladder(void **state)
{
    (void)state;
    outsite *s = outsite_start(hosts);
    assert_true(outsite_tcp(s, "10.3.0.23", 51000, "10.1.0.20", 6061, SYN, 0));
    s->now = OS_T0 + 1 * OS_SEC;
    assert_true(outsite_tcp(s, "10.3.0.23", 51000, "10.1.0.20", 6061, SYN, 0));
    assert_true(outsite_tcp(s, "10.1.0.20", 6061, "10.3.0.23", 51000, SYN | OS_TH_ACK, 0));
    assert_true(outsite_tcp(s, "10.3.0.23", 51000, "10.1.0.20", 6061, OS_TH_ACK, 0));
    outsite_finish(s);
    char *r = report_of(s, true, NULL);
    char *l = ladder_after(r, "### 1. warning unanswered-connection — 10.1.0.20 "
                              "(archiver-playback)\n");
    assert_string_equal(l,
        "                 10.3.0.23:51000                   10.1.0.20:6061\n"
        "                 client                            Archiver\n"
        "                 |                                 |\n"
        "10:00:00.000000  |------------- SYN -------------->|  SYN 1 of 2\n"
        "                 |------------- SYN -------------->|  the last retry\n"
        "                 |<---------- SYN-ACK -------------|  answered late, after the retries\n"
        "10:00:01.002000  |                                 |  last packet of the flow\n");
    free(l);
    free(r);
    outsite_done(s);
}

static void test_refused_ladder(void **state)
{
    (void)state;
    outsite *s = outsite_start(hosts);
    assert_true(outsite_tcp(s, "10.3.0.23", 51000, "10.1.0.20", 6063, SYN, 0));
    assert_true(outsite_tcp(s, "10.1.0.20", 6063, "10.3.0.23", 51000, RSTACK, 0));
    outsite_finish(s);
    char *r = report_of(s, true, NULL);
    char *l = ladder_after(r, "### 1. warning connection-refused — 10.1.0.20 "
                              "(archiver-playback)\n");
    assert_string_equal(l,
        "                 10.3.0.23:51000                   10.1.0.20:6063\n"
        "                 client                            Archiver\n"
        "                 |                                 |\n"
        "10:00:00.000000  |------------- SYN -------------->|\n"
        "10:00:00.001000  |<------------ RST ---------------|\n");
    free(l);
    free(r);
    outsite_done(s);
}

/* A firewall in between answers: three lifelines, the packet stops at it. */
static void test_icmp_ladder_from_firewall(void **state)
{
    (void)state;
    outsite *s = outsite_start(hosts);
    s->now = OS_T0 + 5 * OS_MS;
    assert_true(outsite_icmp(s, "10.1.0.1", "10.3.0.23", 13, 6, "10.3.0.23", 51000, "10.1.0.20",
                             6061));
    s->now = OS_T0 + 2 * OS_SEC;
    assert_true(outsite_icmp(s, "10.1.0.1", "10.3.0.23", 13, 6, "10.3.0.23", 51000, "10.1.0.20",
                             6061));
    outsite_finish(s);
    char *r = report_of(s, true, NULL);
    char *l = ladder_after(r, "### 1. error icmp-unreachable — 10.1.0.20 "
                              "(archiver-playback)\n");
    assert_string_equal(l,
        "                 10.3.0.23:51000                   10.1.0.1                          10.1.0.20:6061\n"
        "                 client                            reporter                          Archiver\n"
        "                 |                                 |                                 |\n"
        "                 |------------- TCP -------------->X                                 |  the quoted packet (time not kept)\n"
        "10:00:00.005000  |<------ ICMP unreachable --------|                                 |  administratively prohibited; 1st error\n"
        "10:00:02.000000  |<------ ICMP unreachable --------|                                 |  error 2 of 2\n");
    assert_non_null(strstr(r, "| ICMP errors from | 10.1.0.1 (host), in the first example |\n"));
    assert_non_null(strstr(r, "`(host 10.3.0.23 and host 10.1.0.20 and tcp port 6061) or "
                              "(icmp and host 10.1.0.1 and host 10.3.0.23)`"));
    free(l);
    free(r);
    outsite_done(s);
}

/* The server itself answers port unreachable: two lifelines. */
static void test_icmp_ladder_from_server(void **state)
{
    (void)state;
    outsite *s = outsite_start("10.1.0.20 archiver\n10.2.0.31 encoder\n");
    assert_true(outsite_icmp(s, "10.1.0.20", "10.2.0.31", 3, 17, "10.2.0.31", 40000, "10.1.0.20",
                             15000));
    outsite_finish(s);
    char *r = report_of(s, true, NULL);
    char *l = ladder_after(r, "### 1. warning icmp-unreachable — 10.1.0.20 "
                              "(encoder-archiver-unicast)\n");
    assert_string_equal(l,
        "                 10.2.0.31:40000                   10.1.0.20:15000\n"
        "                 encoder                           Archiver\n"
        "                 |                                 |\n"
        "                 |------------- UDP -------------->|  the quoted packet (time not kept)\n"
        "10:00:00.000000  |<------ ICMP unreachable --------|\n");
    free(l);
    free(r);
    outsite_done(s);
}

/* Whether `filter` compiles and matches frame f (Ethernet). */
static bool bpf_matches(const char *filter, const fb *f)
{
    pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
    struct bpf_program prog;
    struct pcap_pkthdr h = { .caplen = (bpf_u_int32)f->n, .len = (bpf_u_int32)f->n };
    assert_non_null(p);
    if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0)
        fail_msg("filter '%s' does not compile: %s", filter, pcap_geterr(p));
    bool m = pcap_offline_filter(&prog, &h, f->b) != 0;
    pcap_freecode(&prog);
    pcap_close(p);
    return m;
}

/* The filters of the problems' first examples (what the report shows)
 * compile, catch the finding's packets (both ways, and the ICMP error), and
 * leave other traffic out. */
static void test_bpf_filters_compile_and_match(void **state)
{
    (void)state;
    char bpf[400];
    fb f;
    outsite *s = outsite_start(hosts);
    /* reversed: the Gateway opens a connection from its command port */
    assert_true(outsite_tcp(s, "10.1.0.10", 5001, "10.3.0.23", 51000, SYN, 0));
    assert_true(outsite_icmp(s, "10.1.0.1", "10.3.0.24", 13, 6, "10.3.0.24", 51001, "10.1.0.20",
                             6061));
    outsite_finish(s);
    const os_stats *st = os_pipeline_stats(s->p);
    assert_int_equal(st->nproblems, 2);
    for (size_t i = 0; i < st->nproblems; i++) {
        assert_true(st->problem[i]->nexamples >= 1);
        const os_finding *x = &st->problem[i]->example[0];
        os_mdreport_bpf(x, &s->rs, bpf, sizeof bpf);
        if (x->kind == OS_FK_REVERSED_DIRECTION) {
            assert_string_equal(bpf, "host 10.1.0.10 and host 10.3.0.23 and tcp port 5001");
            fb_tcp4(&f, "10.3.0.23", 51999, "10.1.0.10", 5001, SYN, 0);
            assert_true(bpf_matches(bpf, &f));
            fb_tcp4(&f, "10.3.0.23", 51999, "10.1.0.10", 5002, SYN, 0);
            assert_false(bpf_matches(bpf, &f));
        } else {
            assert_int_equal(x->kind, OS_FK_ICMP_UNREACHABLE);
            fb_tcp4(&f, "10.1.0.20", 6061, "10.3.0.24", 51001, SYN | OS_TH_ACK, 0);
            assert_true(bpf_matches(bpf, &f));
            fb_udp4(&f, "10.1.0.1", 53, "10.3.0.24", 5353, 10);
            assert_false(bpf_matches(bpf, &f));
            f.n = 0;
            fb_eth(&f, 0x0800, NULL, 0, 0);
            fb_ipv4(&f, "10.1.0.1", "10.3.0.24", 1, 8, 0, 0);
            fb_icmp(&f, 3, 13, NULL, 0);
            assert_true(bpf_matches(bpf, &f));
        }
    }
    /* a host finding, and IPv6 with an ICMPv6 reporter */
    os_finding h;
    memset(&h, 0, sizeof h);
    assert_true(os_addr_parse("10.1.0.20", &h.src));
    assert_string_equal(os_mdreport_bpf(&h, &s->rs, bpf, sizeof bpf), "host 10.1.0.20");
    h.has_flow = h.has_reporter = true;
    assert_true(os_addr_parse("fd00:3::23", &h.src));
    assert_true(os_addr_parse("fd00:1::10", &h.dst));
    assert_true(os_addr_parse("fd00:1::1", &h.reporter));
    h.proto = 6, h.sport = 51000, h.dport = 5001, h.rule = -1;
    os_mdreport_bpf(&h, &s->rs, bpf, sizeof bpf);
    assert_string_equal(bpf, "(host fd00:3::23 and host fd00:1::10 and tcp port 5001) or "
                             "(icmp6 and host fd00:1::1 and host fd00:3::23)");
    f.n = 0;
    fb_eth(&f, 0x86dd, NULL, 0, 0);
    fb_ipv6(&f, "fd00:3::23", "fd00:1::10", 6, 20);
    fb_tcp(&f, 51000, 5001, SYN, 5, 0);
    assert_true(bpf_matches(bpf, &f));
    outsite_done(s);
}

static void test_write_error_reported(void **state)
{
    (void)state;
    char err[128] = "";
    outsite *s = outsite_start(hosts);
    assert_true(outsite_tcp(s, "10.3.0.23", 51000, "10.1.0.20", 6061, SYN, 0));
    outsite_finish(s);
    FILE *full = fopen("/dev/full", "w");
    if (!full) {
        outsite_done(s);
        skip();
    }
    os_mdreport_cfg c = { .st = os_pipeline_stats(s->p), .cls = os_pipeline_classifier(s->p),
                          .rules = &s->rs };
    assert_false(os_mdreport_write(full, &c, err, sizeof err));
    fclose(full);
    assert_string_equal(err, "write error: No space left on device");
    outsite_done(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_sections_in_order_with_extra, outsite_teardown),
        cmocka_unit_test_teardown(test_capture_facts_kernel_and_read_error, outsite_teardown),
        cmocka_unit_test_teardown(test_capture_decode_words, outsite_teardown),
        cmocka_unit_test_teardown(test_many_flows_of_one_fault_one_problem, outsite_teardown),
        cmocka_unit_test_teardown(test_two_faults_worst_first, outsite_teardown),
        cmocka_unit_test_teardown(test_hosts_table_escapes_and_evidence, outsite_teardown),
        cmocka_unit_test_teardown(test_unanswered_ladder, outsite_teardown),
        cmocka_unit_test_teardown(test_late_answer_ladder, outsite_teardown),
        cmocka_unit_test_teardown(test_refused_ladder, outsite_teardown),
        cmocka_unit_test_teardown(test_icmp_ladder_from_firewall, outsite_teardown),
        cmocka_unit_test_teardown(test_icmp_ladder_from_server, outsite_teardown),
        cmocka_unit_test_teardown(test_bpf_filters_compile_and_match, outsite_teardown),
        cmocka_unit_test_teardown(test_write_error_reported, outsite_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
