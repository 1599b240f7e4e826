/* test_report.c — exact text lines, EVE timestamps, JSON flow records
 * (field names, initiator as source, escaping of user-given names). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>

#include "omnisniff/report.h"
#include "pkt.h"


#define T0 1768471200000000000ULL /* 2026-01-15T10:00:00Z */

typedef struct rfx {
    os_ruleset rs;
    os_hostsfile hf;
    os_classifier *c;
    os_flowtab *ft;
    os_report r;
    char *buf;
    size_t len;
} rfx;

static void rfx_init(rfx *x, const char *hosts)
{
    os_diags d = { 0 };
    os_flow_cfg cfg = os_flow_cfg_default();
    memset(x, 0, sizeof *x);
    os_rules_text def = os_rules_default();
    assert_true(os_rules_parse("r", def.text, def.len, &x->rs, &d));
    if (hosts)
        assert_true(os_hosts_parse("h", hosts, strlen(hosts), &x->hf, &d));
    x->c = os_classifier_new(&x->rs, &x->hf);
    x->ft = os_flowtab_new(&cfg, NULL, NULL);
    x->r.out = open_memstream(&x->buf, &x->len);
    x->r.rules = &x->rs;
    x->r.cls = x->c;
    x->r.cached_sec = UINT64_MAX;
}

static const char *rfx_text(rfx *x)
{
    fflush(x->r.out);
    return x->buf;
}

static void rfx_free(rfx *x)
{
    fclose(x->r.out);
    free(x->buf);
    os_flowtab_free(x->ft);
    os_classifier_free(x->c);
    os_rules_free(&x->rs);
    os_hosts_free(&x->hf);
}

static os_flow *rfx_feed(rfx *x, os_pkt *p, uint64_t ts)
{
    int side;
    bool created;
    os_flow *f = os_flowtab_add(x->ft, p, ts, &side, &created);
    os_classify_learn(x->c, f, side, p, created);
    os_classify_flow(x->c, f);
    return f;
}

static void test_iso_time(void **state)
{
    (void)state;
    char t[32];
    os_report_iso_time(T0 + 123456789, t);
    assert_string_equal(t, "2026-01-15T10:00:00.123456+0000");
    os_report_iso_time(0, t);
    assert_string_equal(t, "1970-01-01T00:00:00.000000+0000");
}

static void test_packet_line_tcp(void **state)
{
    (void)state;
    rfx x;
    rfx_init(&x, NULL);
    os_pkt p = tp_make(6, "10.3.0.23", 51000, "10.1.0.10", 5001, OS_TH_SYN, 74);
    os_flow *f = rfx_feed(&x, &p, T0 + 1000);
    os_report_packet(&x.r, T0 + 1000, OS_DEC_OK, OS_R_NONE, &p, f);
    assert_string_equal(rfx_text(&x),
        "10:00:00.000001 10.3.0.23.51000       > 10.1.0.10.5001        TCP   [S]        0  "
        "gateway-command          port\n");
    rfx_free(&x);
}

static void test_packet_line_ambiguous_and_vlan(void **state)
{
    (void)state;
    rfx x;
    rfx_init(&x, NULL);
    os_pkt p = tp_make(6, "10.9.0.10", 52000, "10.1.0.40", 6000, OS_TH_ACK | OS_TH_PSH, 1400);
    p.payload_len = 1346;
    p.nvlan = 2;
    p.vlan[0] = 200;
    p.vlan[1] = 300;
    os_flow *f = rfx_feed(&x, &p, T0);
    os_report_packet(&x.r, T0, OS_DEC_OK, OS_R_NONE, &p, f);
    assert_string_equal(rfx_text(&x),
        "10:00:00.000000 10.9.0.10.52000       > 10.1.0.40.6000        TCP   [P.]    1346  "
        "federation-video|virtual-matrix-video port vlan 200.300\n");
    rfx_free(&x);
}

static void test_packet_line_malformed(void **state)
{
    (void)state;
    rfx x;
    rfx_init(&x, NULL);
    os_pkt p;
    memset(&p, 0, sizeof p);
    p.wirelen = 60;
    os_report_packet(&x.r, T0, OS_DEC_MALFORMED, OS_R_IPV4_BAD_IHL, &p, NULL);
    assert_string_equal(rfx_text(&x), "10:00:00.000000 malformed: ipv4-bad-ihl, 60 bytes\n");
    rfx_free(&x);
}

static void test_flow_json_initiator_is_source_and_escapes(void **state)
{
    (void)state;
    rfx x;
    rfx_init(&x, "10.1.0.10 gateway gw\"1\\a\n");
    os_pkt syn = tp_make(6, "10.3.0.23", 51000, "10.1.0.10", 5001, OS_TH_SYN, 74);
    os_pkt sa = tp_make(6, "10.1.0.10", 5001, "10.3.0.23", 51000, OS_TH_SYN | OS_TH_ACK, 74);
    rfx_feed(&x, &sa, T0); /* the answer is captured first */
    os_flow *f = rfx_feed(&x, &syn, T0 + 1000);
    os_report_flow_json(&x.r, f, OS_END_FLUSH);
    char want[1024];
    snprintf(want, sizeof want,
        "{\"timestamp\":\"2026-01-15T10:00:00.000000+0000\",\"type\":\"flow\",\"schema_version\":2,"
        "\"flow_id\":%llu,\"community_id\":\"1:VuPNq2krVIDaL8xUp1OGl0kVAjk=\","
        "\"src_ip\":\"10.3.0.23\",\"src_port\":51000,\"dest_ip\":\"10.1.0.10\",\"dest_port\":5001,"
        "\"proto\":\"TCP\",\"role\":\"gateway-command\",\"confidence\":\"declared\",\"service\":\"dest\",\"service_by\":\"syn\","
        "\"dest_host\":{\"roles\":[\"gateway\"],\"confidence\":\"declared\",\"name\":\"gw\\\"1\\\\a\"},"
        "\"flow\":{\"pkts_toserver\":1,\"pkts_toclient\":1,\"bytes_toserver\":74,\"bytes_toclient\":74,"
        "\"start\":\"2026-01-15T10:00:00.000000+0000\",\"end\":\"2026-01-15T10:00:00.000001+0000\","
        "\"reason\":\"end\"},\"tcp\":{\"tcp_flags\":\"12\",\"tcp_flags_ts\":\"02\",\"tcp_flags_tc\":\"12\",\"state\":\"partial\",\"syn_count\":1}}\n",
        (unsigned long long)f->id);
    assert_string_equal(rfx_text(&x), want);
    rfx_free(&x);
}

/* Numbers are written two digits per division: 0, numbers with a 0 digit
 * inside and the largest 64-bit counter come out whole. */
static void test_numbers(void **state)
{
    (void)state;
    rfx x;
    rfx_init(&x, NULL);
    os_pkt p = tp_make(17, "10.3.0.23", 100, "10.1.0.10", 65535, 0, 1400);
    p.payload_len = 1009;
    os_flow *f = rfx_feed(&x, &p, T0 + 100109000);
    os_report_packet(&x.r, T0 + 100109000, OS_DEC_OK, OS_R_NONE, &p, f);
    assert_non_null(strstr(rfx_text(&x), "10:00:00.100109 10.3.0.23.100 "));
    assert_non_null(strstr(rfx_text(&x), "> 10.1.0.10.65535 "));
    assert_non_null(strstr(rfx_text(&x), "UDP           1009  "));
    rfx_free(&x);
    rfx_init(&x, NULL);
    f = rfx_feed(&x, &p, T0);
    f->bytes[f->initiator] = UINT64_MAX;
    f->pkts[f->initiator] = UINT32_MAX;
    os_report_flow_json(&x.r, f, OS_END_FLUSH);
    assert_non_null(strstr(rfx_text(&x), "\"bytes_toserver\":18446744073709551615,"));
    assert_non_null(strstr(rfx_text(&x), "\"pkts_toserver\":4294967295,"));
    assert_non_null(strstr(rfx_text(&x), "\"src_port\":100,"));
    rfx_free(&x);
}

/* Empty statistics over x's rules (free st->role). */
static void stats_init(const rfx *x, os_stats *st)
{
    memset(st, 0, sizeof *st);
    st->role = calloc(x->rs.n, sizeof *st->role);
    assert_non_null(st->role);
}

/* The decode table of the text summary and the "decode" object of the
 * JSON summary name each status by its one id (os_decode_status_name). */
static void test_summary_decode_names(void **state)
{
    (void)state;
    rfx x;
    os_stats st;
    rfx_init(&x, NULL);
    stats_init(&x, &st);
    st.status[OS_DEC_NOT_IP] = 3;
    st.status[OS_DEC_OTHER_PROTO] = 1;
    st.reason[OS_R_IPV4_BAD_IHL] = 4;
    os_report_summary_text(&x.r, &st);
    assert_non_null(strstr(rfx_text(&x), "\ndecode                        packets\n"
                                          "ok                                  0\n"
                                          "not_ip                              3\n"
                                          "fragment                            0\n"
                                          "other_proto                         1\n"));
    assert_non_null(strstr(rfx_text(&x), "\n  ipv4-bad-ihl                      4\n"));
    os_report_summary_json(&x.r, &st);
    assert_non_null(strstr(rfx_text(&x), ",\"decode\":{\"ok\":0,\"not_ip\":3,\"fragment\":0,"
                                          "\"other_proto\":1,\"truncated\":0,\"malformed\":0,"
                                          "\"payload_cut\":0},\"decode_errors\":"
                                          "{\"ipv4-bad-ihl\":4}"));
    free(st.role);
    rfx_free(&x);
}

/* Failed allocations: one text line naming the modules that failed, and a
 * JSON "alloc_failures" object naming every module; neither when none did. */
static void test_summary_alloc_failures(void **state)
{
    (void)state;
    rfx x;
    os_stats st;
    rfx_init(&x, NULL);
    stats_init(&x, &st);
    os_report_summary_text(&x.r, &st);
    os_report_summary_json(&x.r, &st);
    assert_null(strstr(rfx_text(&x), "out of memory"));
    assert_null(strstr(rfx_text(&x), "alloc_failures"));
    st.alloc_failed[OS_AM_CLASSIFY] = 2;
    st.alloc_failed[OS_AM_FINDINGS] = 1;
    os_report_summary_text(&x.r, &st);
    assert_non_null(strstr(rfx_text(&x), "\nout of memory: 3 allocations failed "
                                          "(findings 1, classify 2)\n"));
    os_report_summary_json(&x.r, &st);
    assert_non_null(strstr(rfx_text(&x), ",\"alloc_failures\":{\"findings\":1,\"classify\":2,"
                                          "\"flows\":0,\"problems\":0,\"streams\":0,"
                                          "\"graph\":0,\"dump\":0,\"pipeline\":0}}\n"));
    assert_int_equal(os_stats_alloc_failed(&st), 3);
    assert_string_equal(os_alloc_module_name(OS_AM_PIPELINE), "pipeline");
    assert_null(os_alloc_module_name(OS_AM_COUNT));
    free(st.role);
    rfx_free(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso_time),
        cmocka_unit_test(test_packet_line_tcp),
        cmocka_unit_test(test_packet_line_ambiguous_and_vlan),
        cmocka_unit_test(test_packet_line_malformed),
        cmocka_unit_test(test_flow_json_initiator_is_source_and_escapes),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_summary_decode_names),
        cmocka_unit_test(test_summary_alloc_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
