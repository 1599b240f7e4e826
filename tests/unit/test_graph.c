/* test_graph.c — flows folded into edges (initiator → responder, role,
 * service port), handshake verdicts, findings tied to their edge. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "omnisniff/graph.h"
#include "pkt.h"

#define S 1000000000ULL

/* A flow from a packet: src:sport initiated; label rule with service side
 * the responder unless svc_is_src. */
static os_flow mkflow(uint8_t proto, const char *src, uint16_t sp, const char *dst, uint16_t dp,
                      int16_t rule, bool svc_is_src, uint32_t pkts_out, uint32_t pkts_back)
{
    os_flow f;
    os_pkt p = tp_make(proto, src, sp, dst, dp, OS_TH_SYN, 60);
    memset(&f, 0, sizeof f);
    int side = os_flow_key_make(&p, &f.key);
    f.initiator = (uint8_t)side;
    f.by_syn = proto == 6; /* opened by that SYN: src is the initiator */
    f.pkts[side] = pkts_out;
    f.pkts[!side] = pkts_back;
    f.bytes[side] = 100ULL * pkts_out;
    f.bytes[!side] = 10ULL * pkts_back;
    f.first_ns = 5 * S;
    f.last_ns = 9 * S;
    f.label.rule = rule;
    f.label.alt = -1;
    f.label.svc_side = (uint8_t)(svc_is_src ? side : !side);
    f.label.conf = 1;
    return f;
}

static os_finding mkfinding(os_finding_kind k, os_severity sev, const char *src, uint16_t sp,
                            const char *dst, uint16_t dp, int16_t rule)
{
    os_finding fd;
    memset(&fd, 0, sizeof fd);
    fd.kind = k;
    fd.sev = sev;
    fd.has_flow = true;
    assert_true(os_addr_parse(src, &fd.src));
    assert_true(os_addr_parse(dst, &fd.dst));
    fd.sport = sp;
    fd.dport = dp;
    fd.proto = 6;
    fd.rule = rule;
    fd.first_ns = fd.last_ns = 7 * S;
    return fd;
}

static void test_flows_fold_per_role_and_service_port(void **state)
{
    (void)state;
    os_graph *g = os_graph_new();
    size_t n;
    /* two client connections to one Gateway port fold into one edge */
    os_flow a = mkflow(6, "10.3.0.23", 50001, "10.1.0.10", 5001, 2, false, 5, 4);
    os_flow b = mkflow(6, "10.3.0.23", 50002, "10.1.0.10", 5001, 2, false, 3, 2);
    a.hs = OS_HS_SYN | OS_HS_SYNACK | OS_HS_ACK;
    b.hs = OS_HS_SYN;
    /* reversed: the service side initiated; the edge keeps its port */
    os_flow c = mkflow(6, "10.1.0.10", 5001, "10.3.0.23", 50003, 2, true, 1, 0);
    assert_true(os_graph_add_flow(g, &a));
    assert_true(os_graph_add_flow(g, &b));
    assert_true(os_graph_add_flow(g, &c));
    const os_edge **v = os_graph_edges(g, &n);
    assert_int_equal(n, 2);
    /* sorted by initiator: 10.1.0.10 first */
    assert_int_equal(v[0]->key.port, 5001);
    assert_int_equal(v[0]->svc_is_dst, 0);
    assert_int_equal(v[0]->flows, 1);
    assert_int_equal(v[1]->flows, 2);
    assert_int_equal(v[1]->packets[0], 8);
    assert_int_equal(v[1]->packets[1], 6);
    assert_int_equal(v[1]->bytes[0], 800);
    assert_int_equal(v[1]->hs[OS_HSV_ESTABLISHED], 1);
    assert_int_equal(v[1]->hs[OS_HSV_UNANSWERED], 1);
    assert_int_equal(v[1]->svc_is_dst, 1);
    assert_int_equal(v[1]->worst, OS_SEV_NEVER);
    free(v);
    os_graph_free(g);
}

static void test_unclassified_keyed_by_responder_port(void **state)
{
    (void)state;
    os_graph *g = os_graph_new();
    size_t n;
    os_flow a = mkflow(17, "10.1.0.1", 40000, "10.1.0.2", 53, -1, true, 1, 1);
    assert_true(os_graph_add_flow(g, &a));
    const os_edge **v = os_graph_edges(g, &n);
    assert_int_equal(n, 1);
    assert_int_equal(v[0]->key.port, 53);
    assert_int_equal(v[0]->key.rule, -1);
    free(v);
    os_graph_free(g);
}

static void test_findings_tie_to_edges(void **state)
{
    (void)state;
    os_graph *g = os_graph_new();
    size_t n;
    os_flow a = mkflow(6, "10.1.0.20", 50001, "10.1.0.10", 28000, 5, false, 3, 0);
    assert_true(os_graph_add_flow(g, &a));
    os_finding f1 = mkfinding(OS_FK_UNANSWERED_CONNECTION, OS_SEV_ERROR, "10.1.0.20", 50001,
                              "10.1.0.10", 28000, 5);
    /* labelled with another role when raised: still this edge (same ports) */
    os_finding f2 = mkfinding(OS_FK_UNDOCUMENTED_PORT, OS_SEV_INFO, "10.1.0.20", 50001,
                              "10.1.0.10", 28000, -1);
    /* a flow never seen (known from an ICMP quote): an edge of its own */
    os_finding f3 = mkfinding(OS_FK_ICMP_UNREACHABLE, OS_SEV_WARNING, "10.3.0.23", 50100,
                              "10.1.0.10", 5002, 3);
    os_finding host = f1;
    host.has_flow = false;
    assert_true(os_graph_add_finding(g, &f1));
    assert_true(os_graph_add_finding(g, &f2));
    assert_true(os_graph_add_finding(g, &f3));
    assert_true(os_graph_add_finding(g, &host));
    const os_edge **v = os_graph_edges(g, &n);
    assert_int_equal(n, 2);
    assert_int_equal(v[0]->kinds,
                     (1u << OS_FK_UNANSWERED_CONNECTION) | (1u << OS_FK_UNDOCUMENTED_PORT));
    assert_int_equal(v[0]->worst, OS_SEV_ERROR);
    assert_int_equal(v[1]->flows, 0);
    assert_int_equal(v[1]->key.port, 5002);
    assert_int_equal(v[1]->kinds, 1u << OS_FK_ICMP_UNREACHABLE);
    assert_int_equal(v[1]->worst, OS_SEV_WARNING);
    free(v);
    os_graph_free(g);
}

static void test_empty_graph(void **state)
{
    (void)state;
    os_graph *g = os_graph_new();
    size_t n = 7;
    assert_null(os_graph_edges(g, &n));
    assert_int_equal(n, 0);
    os_graph_free(g);
    os_graph_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flows_fold_per_role_and_service_port),
        cmocka_unit_test(test_unclassified_keyed_by_responder_port),
        cmocka_unit_test(test_findings_tie_to_edges),
        cmocka_unit_test(test_empty_graph),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
