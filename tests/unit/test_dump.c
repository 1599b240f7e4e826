/* test_dump.c — the -w evidence capture: held packets written when a flow
 * is flagged, dropped when it ends unflagged, --write-role, hold limits,
 * sorting by time on close, a full disk (/dev/full), read back by libpcap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <pcap/pcap.h>

#include "omnisniff/classify.h"
#include "omnisniff/dump.h"

#define S 1000000000ULL

static char path[64];

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/test_dump_%d.pcap", (int)getpid());
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    remove(path);
    return 0;
}

/* A flow with an id and a role. */
static os_flow mkflow(uint64_t id, int16_t rule)
{
    os_flow f;
    memset(&f, 0, sizeof f);
    f.id = id;
    f.label.rule = rule;
    f.label.conf = OS_CONF_INFERRED; /* a label a host role confirms */
    return f;
}

/* A 60-byte frame at time t whose first byte tags it. */
static void pkt_to(os_dump *d, const os_flow *f, uint64_t t, uint8_t tag)
{
    static uint8_t b[60];
    os_frame fr = { .ts_ns = t, .caplen = sizeof b, .wirelen = 1500, .data = b, .dlt = DLT_EN10MB };
    b[0] = tag;
    os_dump_packet(d, f, &fr);
}

/* Read the file back with libpcap: tags in file order, times checked. */
static size_t read_tags(uint8_t *tags, size_t max, bool *in_order)
{
    char eb[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, eb);
    struct pcap_pkthdr *h;
    const u_char *data;
    uint64_t last = 0;
    size_t n = 0;
    assert_non_null(p);
    *in_order = true;
    while (pcap_next_ex(p, &h, &data) == 1) {
        uint64_t t = (uint64_t)h->ts.tv_sec * S + (uint64_t)h->ts.tv_usec;
        assert_int_equal(h->caplen, 60);
        assert_int_equal(h->len, 1500);
        if (t < last)
            *in_order = false;
        last = t;
        if (n < max)
            tags[n] = data[0];
        n++;
    }
    assert_int_equal(pcap_datalink(p), 1);
    pcap_close(p);
    return n;
}

static void test_held_until_flagged_dropped_if_not(void **state)
{
    (void)state;
    char err[256];
    uint8_t tags[16];
    bool ordered;
    os_dump_stats st;
    os_dump *d = os_dump_open(path, 1, 262144, -1, err, sizeof err);
    os_flow a = mkflow(11, 2), b = mkflow(22, 2);
    assert_non_null(d);
    pkt_to(d, &a, 1 * S, 'a');
    pkt_to(d, &b, 2 * S, 'b');
    pkt_to(d, &a, 3 * S, 'a');
    os_dump_flag(d, a.id);   /* both held packets of a go out */
    pkt_to(d, &a, 4 * S, 'a'); /* and later ones at once */
    os_dump_flow_end(d, &b); /* b never flagged: dropped */
    assert_true(os_dump_close(d, &st, err, sizeof err));
    assert_int_equal(st.written, 3);
    assert_int_equal(st.flows, 1);
    assert_int_equal(st.not_held, 0);
    assert_int_equal(read_tags(tags, 16, &ordered), 3);
    assert_memory_equal(tags, "aaa", 3);
    assert_true(ordered);
}

static void test_flows_flagged_late_are_sorted_on_close(void **state)
{
    (void)state;
    char err[256];
    uint8_t tags[16];
    bool ordered;
    os_dump_stats st;
    os_dump *d = os_dump_open(path, 1, 262144, -1, err, sizeof err);
    os_flow a = mkflow(11, 2), b = mkflow(22, 2);
    pkt_to(d, &a, 1 * S, 'a');
    pkt_to(d, &b, 2 * S, 'b');
    os_dump_flag(d, b.id); /* b at 2 s written first */
    pkt_to(d, &b, 3 * S, 'b');
    os_dump_flag(d, a.id); /* then a's packet of 1 s */
    assert_true(os_dump_close(d, &st, err, sizeof err));
    assert_true(st.sorted);
    assert_int_equal(read_tags(tags, 16, &ordered), 3);
    assert_true(ordered);
    assert_memory_equal(tags, "abb", 3);
}

static void test_write_role_selects_by_label(void **state)
{
    (void)state;
    char err[256];
    uint8_t tags[16];
    bool ordered;
    os_dump_stats st;
    os_dump *d = os_dump_open(path, 1, 262144, 5, err, sizeof err);
    os_flow a = mkflow(11, 5), b = mkflow(22, 2);
    pkt_to(d, &a, 1 * S, 'a');
    pkt_to(d, &b, 2 * S, 'b');
    os_dump_flag(d, b.id); /* findings do not select in role mode */
    pkt_to(d, &a, 3 * S, 'a');
    assert_true(os_dump_close(d, &st, err, sizeof err));
    assert_int_equal(read_tags(tags, 16, &ordered), 2);
    assert_memory_equal(tags, "aa", 2);
    assert_int_equal(st.flows, 1);
}

/* A label resting on the port alone may change (a role learnt later): such
 * a flow is held and judged by its label when it ends — written if it is
 * still of the role, dropped if it became another. */
static void test_write_role_port_label_waits_for_the_end(void **state)
{
    (void)state;
    char err[256];
    uint8_t tags[16];
    bool ordered;
    os_dump_stats st;
    os_dump *d = os_dump_open(path, 1, 262144, 5, err, sizeof err);
    os_flow a = mkflow(11, 5), b = mkflow(22, 5);
    a.label.conf = b.label.conf = OS_CONF_PORT;
    pkt_to(d, &a, 1 * S, 'a');
    pkt_to(d, &b, 2 * S, 'b');
    pkt_to(d, &a, 3 * S, 'a');
    b.label.rule = 7; /* relabelled: another role now */
    os_dump_flow_end(d, &b);
    os_dump_flow_end(d, &a);
    assert_true(os_dump_close(d, &st, err, sizeof err));
    assert_int_equal(read_tags(tags, 16, &ordered), 2);
    assert_memory_equal(tags, "aa", 2);
    assert_int_equal(st.flows, 1);
}

static void test_hold_limit_is_counted(void **state)
{
    (void)state;
    char err[256];
    bool ordered;
    os_dump_stats st;
    os_dump *d = os_dump_open(path, 1, 262144, -1, err, sizeof err);
    os_flow a = mkflow(11, 2);
    for (int i = 0; i < OS_DUMP_HOLD_PKTS + 44; i++)
        pkt_to(d, &a, (uint64_t)i * S, 'a');
    os_dump_flag(d, a.id);
    pkt_to(d, &a, 1000 * S, 'a');
    assert_true(os_dump_close(d, &st, err, sizeof err));
    assert_int_equal(st.not_held, 44);
    assert_int_equal(st.written, OS_DUMP_HOLD_PKTS + 1);
    assert_int_equal(read_tags(NULL, 0, &ordered), OS_DUMP_HOLD_PKTS + 1);
}

static void test_full_disk_is_reported(void **state)
{
    (void)state;
    char err[256];
    os_dump_stats st;
    os_dump *d = os_dump_open("/dev/full", 1, 262144, -1, err, sizeof err);
    os_flow a = mkflow(11, 2);
    assert_non_null(d);
    os_dump_flag(d, a.id);
    for (int i = 0; i < 200; i++) /* more than stdio buffers */
        pkt_to(d, &a, (uint64_t)i * S, 'a');
    assert_false(os_dump_close(d, &st, err, sizeof err));
    assert_true(st.failed);
    assert_non_null(strstr(err, "/dev/full: No space left on device: the file is incomplete"));
}

static void test_bad_paths(void **state)
{
    (void)state;
    char err[256];
    assert_null(os_dump_open("-", 1, 262144, -1, err, sizeof err));
    assert_non_null(strstr(err, "give a file name"));
    assert_null(os_dump_open("/nonexistent/x.pcap", 1, 262144, -1, err, sizeof err));
    assert_string_equal(err, "/nonexistent/x.pcap: No such file or directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_held_until_flagged_dropped_if_not, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flows_flagged_late_are_sorted_on_close, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_role_selects_by_label, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_role_port_label_waits_for_the_end, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hold_limit_is_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_disk_is_reported, setup, teardown),
        cmocka_unit_test(test_bad_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
