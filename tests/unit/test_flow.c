/* test_flow.c — flow keys, initiator, eviction by idle timeout and cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "omnisniff/flow.h"
#include "pkt.h"

#define S 1000000000ULL

typedef struct ended {
    uint64_t ids[16];
    os_flow_end why[16];
    int n;
} ended;

static void on_end(void *user, os_flow *f, os_flow_end why)
{
    ended *e = user;
    if (e->n < 16) {
        e->ids[e->n] = f->id;
        e->why[e->n++] = why;
    }
}

static void test_key_canonical_both_directions(void **state)
{
    (void)state;
    os_flow_key a, b;
    os_pkt p = tp_make(6, "10.3.0.23", 51000, "10.1.0.10", 5001, OS_TH_SYN, 60);
    os_pkt q = tp_make(6, "10.1.0.10", 5001, "10.3.0.23", 51000, OS_TH_SYN | OS_TH_ACK, 60);
    int sa = os_flow_key_make(&p, &a), sb = os_flow_key_make(&q, &b);
    assert_memory_equal(&a, &b, sizeof a);
    assert_int_not_equal(sa, sb);
    /* lower address first: 10.1.0.10 < 10.3.0.23 */
    assert_int_equal(a.port[0], 5001);
    assert_int_equal(a.port[1], 51000);
    assert_int_equal(sa, 1);
}

static void test_key_same_address_orders_by_port(void **state)
{
    (void)state;
    os_flow_key k;
    os_pkt p = tp_make(17, "127.0.0.1", 9000, "127.0.0.1", 8000, 0, 60);
    assert_int_equal(os_flow_key_make(&p, &k), 1);
    assert_int_equal(k.port[0], 8000);
}

/* The lower endpoint is the one whose address bytes come first unsigned,
 * byte by byte (as memcmp orders them), whichever byte differs. */
static void test_key_orders_addresses_bytewise(void **state)
{
    (void)state;
    static const char *pairs[][2] = {
        {"10.0.0.9", "200.0.0.1"},   /* first byte, high bit set on the larger */
        {"10.0.0.9", "10.0.0.10"},   /* last byte */
        {"10.0.0.255", "10.0.1.0"},  /* a carry between bytes */
        {"2001:db8::1", "2001:db8::ff00:1"}, /* IPv6: the third 4-byte word */
        {"2001:db8::ff:1", "2001:db8::1:0:0"},
        {"fe80::1", "ff02::1"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        os_flow_key k;
        /* the higher address sends: it goes to side 1 */
        os_pkt p = tp_make(17, pairs[i][1], 1000, pairs[i][0], 2000, 0, 60);
        assert_int_equal(os_flow_key_make(&p, &k), 1);
        assert_int_equal(k.port[0], 2000);
        os_pkt q = tp_make(17, pairs[i][0], 2000, pairs[i][1], 1000, 0, 60);
        assert_int_equal(os_flow_key_make(&q, &k), 0);
        assert_int_equal(k.port[0], 2000);
    }
}

static void test_vlan_separates_flows(void **state)
{
    (void)state;
    os_flow_cfg cfg = os_flow_cfg_default();
    os_flowtab *t = os_flowtab_new(&cfg, NULL, NULL);
    os_pkt p = tp_make(17, "10.2.0.31", 40000, "10.1.0.20", 15000, 0, 1300);
    int side;
    bool created;
    os_flow *f1 = os_flowtab_add(t, &p, 1 * S, &side, &created);
    p.vlan[0] = 100;
    os_flow *f2 = os_flowtab_add(t, &p, 2 * S, &side, &created);
    assert_true(created);
    assert_ptr_not_equal(f1, f2);
    assert_int_equal(os_flowtab_stats(t)->active, 2);
    os_flowtab_free(t);
}

static void test_counts_and_initiator_first_sender(void **state)
{
    (void)state;
    os_flow_cfg cfg = os_flow_cfg_default();
    os_flowtab *t = os_flowtab_new(&cfg, NULL, NULL);
    os_pkt a = tp_make(17, "10.2.0.31", 40000, "10.1.0.20", 15000, 0, 1300);
    os_pkt b = tp_make(17, "10.1.0.20", 15000, "10.2.0.31", 40000, 0, 80);
    int sa, sb;
    bool c1, c2;
    os_flow *f = os_flowtab_add(t, &a, 1 * S, &sa, &c1);
    os_flowtab_add(t, &a, 2 * S, &sa, &c1);
    os_flowtab_add(t, &b, 3 * S, &sb, &c2);
    assert_false(c2);
    assert_int_equal(f->initiator, sa);
    assert_int_equal(f->pkts[sa], 2);
    assert_int_equal(f->pkts[sb], 1);
    assert_int_equal(f->bytes[sa], 2600);
    assert_int_equal(f->bytes[sb], 80);
    assert_int_equal(f->first_ns, 1 * S);
    assert_int_equal(f->last_ns, 3 * S);
    os_flowtab_free(t);
}

static void test_initiator_is_syn_sender_even_if_seen_second(void **state)
{
    (void)state;
    os_flow_cfg cfg = os_flow_cfg_default();
    os_flowtab *t = os_flowtab_new(&cfg, NULL, NULL);
    /* the capture starts with a stray ACK from the server, then the SYN */
    os_pkt srv = tp_make(6, "10.1.0.10", 5001, "10.3.0.23", 51000, OS_TH_ACK, 60);
    os_pkt syn = tp_make(6, "10.3.0.23", 51000, "10.1.0.10", 5001, OS_TH_SYN, 60);
    int s1, s2;
    bool c;
    os_flow *f = os_flowtab_add(t, &srv, 1 * S, &s1, &c);
    assert_int_equal(f->initiator, s1);
    os_flowtab_add(t, &syn, 2 * S, &s2, &c);
    assert_int_equal(f->initiator, s2);
    assert_true(f->by_syn);
    os_flowtab_free(t);
}

static void test_idle_timeout_per_transport(void **state)
{
    (void)state;
    ended e = { 0 };
    os_flow_cfg cfg = os_flow_cfg_default();
    cfg.timeout_ns[OS_FL_UDP] = 10 * S;
    cfg.timeout_ns[OS_FL_TCP] = 100 * S;
    os_flowtab *t = os_flowtab_new(&cfg, on_end, &e);
    os_pkt u = tp_make(17, "10.2.0.31", 40000, "10.1.0.20", 15000, 0, 100);
    os_pkt tc = tp_make(6, "10.3.0.23", 51000, "10.1.0.10", 5001, OS_TH_SYN, 60);
    int s;
    bool c;
    os_flow *fu = os_flowtab_add(t, &u, 0, &s, &c);
    uint64_t uid = fu->id;
    os_flowtab_add(t, &tc, 1 * S, &s, &c);
    os_flowtab_expire(t, 9 * S);
    assert_int_equal(e.n, 0);
    os_flowtab_expire(t, 10 * S);
    assert_int_equal(e.n, 1);
    assert_int_equal(e.ids[0], uid);
    assert_int_equal(e.why[0], OS_END_IDLE);
    assert_int_equal(os_flowtab_stats(t)->active, 1);
    assert_int_equal(os_flowtab_stats(t)->ended_idle, 1);
    os_flowtab_free(t);
}

/* Packet times that go backwards leave a list out of time order; a flow
 * behind the head becomes the head when the head gets a packet, and must
 * then expire on time although it is older than the old head. */
static void test_expiry_exact_when_time_goes_backwards(void **state)
{
    (void)state;
    ended e = { 0 };
    os_flow_cfg cfg = os_flow_cfg_default();
    cfg.timeout_ns[OS_FL_UDP] = 10 * S;
    os_flowtab *t = os_flowtab_new(&cfg, on_end, &e);
    os_pkt b = tp_make(17, "10.0.0.2", 1000, "10.0.0.9", 15000, 0, 100);
    os_pkt a = tp_make(17, "10.0.0.1", 1000, "10.0.0.9", 15000, 0, 100);
    int s;
    bool c;
    os_flowtab_add(t, &b, 200 * S, &s, &c);
    uint64_t ida = os_flowtab_add(t, &a, 100 * S, &s, &c)->id; /* behind b, older */
    os_flowtab_expire(t, 205 * S); /* head b is not idle: nothing ends */
    assert_int_equal(e.n, 0);
    os_flowtab_add(t, &b, 206 * S, &s, &c); /* a is now the head, idle since 110 s */
    os_flowtab_expire(t, 207 * S);
    assert_int_equal(e.n, 1);
    assert_int_equal(e.ids[0], ida);
    assert_int_equal(os_flowtab_stats(t)->active, 1);
    os_flowtab_free(t);
}

static void test_closed_tcp_uses_closed_timeout(void **state)
{
    (void)state;
    ended e = { 0 };
    os_flow_cfg cfg = os_flow_cfg_default();
    cfg.timeout_ns[OS_FL_TCP] = 100 * S;
    cfg.timeout_ns[OS_FL_TCP_CLOSED] = 5 * S;
    os_flowtab *t = os_flowtab_new(&cfg, on_end, &e);
    os_pkt syn = tp_make(6, "10.3.0.23", 51000, "10.1.0.10", 5001, OS_TH_SYN, 60);
    os_pkt rst = tp_make(6, "10.1.0.10", 5001, "10.3.0.23", 51000, OS_TH_RST | OS_TH_ACK, 60);
    int s;
    bool c;
    os_flow *f = os_flowtab_add(t, &syn, 0, &s, &c);
    os_flowtab_add(t, &rst, 1 * S, &s, &c);
    assert_int_equal(f->list, OS_FL_TCP_CLOSED);
    os_flowtab_expire(t, 6 * S);
    assert_int_equal(e.n, 1);
    os_flowtab_free(t);
}

static void test_max_flows_evicts_least_recently_seen(void **state)
{
    (void)state;
    ended e = { 0 };
    os_flow_cfg cfg = os_flow_cfg_default();
    cfg.max_flows = 2;
    os_flowtab *t = os_flowtab_new(&cfg, on_end, &e);
    os_pkt a = tp_make(17, "10.0.0.1", 1000, "10.0.0.9", 15000, 0, 100);
    os_pkt b = tp_make(17, "10.0.0.2", 1000, "10.0.0.9", 15000, 0, 100);
    os_pkt c3 = tp_make(17, "10.0.0.3", 1000, "10.0.0.9", 15000, 0, 100);
    int s;
    bool c;
    os_flow *fa = os_flowtab_add(t, &a, 1 * S, &s, &c);
    uint64_t ida = fa->id;
    os_flow *fb = os_flowtab_add(t, &b, 2 * S, &s, &c);
    uint64_t idb = fb->id;
    os_flowtab_add(t, &a, 3 * S, &s, &c); /* a is now more recent than b */
    os_flowtab_add(t, &c3, 4 * S, &s, &c);
    assert_int_equal(e.n, 1);
    assert_int_equal(e.ids[0], idb);
    assert_int_equal(e.why[0], OS_END_CAP);
    assert_int_equal(os_flowtab_stats(t)->ended_cap, 1);
    assert_int_equal(os_flowtab_stats(t)->active, 2);
    assert_int_equal(os_flowtab_stats(t)->peak, 2);
    (void)ida;
    os_flowtab_free(t);
}

static void test_flush_oldest_first(void **state)
{
    (void)state;
    ended e = { 0 };
    os_flow_cfg cfg = os_flow_cfg_default();
    os_flowtab *t = os_flowtab_new(&cfg, on_end, &e);
    uint64_t ids[5];
    int s;
    bool c;
    for (int i = 0; i < 5; i++) {
        os_pkt p = tp_make(17, "10.0.0.1", (uint16_t)(2000 - i), "10.0.0.9", 15000, 0, 100);
        ids[i] = os_flowtab_add(t, &p, (uint64_t)(10 - i) * S, &s, &c)->id;
    }
    os_flowtab_flush(t);
    assert_int_equal(e.n, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(e.ids[i], ids[4 - i]);
        assert_int_equal(e.why[i], OS_END_FLUSH);
    }
    assert_int_equal(os_flowtab_stats(t)->active, 0);
    os_flowtab_free(t);
}

static void test_flow_id_deterministic_and_53_bits(void **state)
{
    (void)state;
    os_flow_cfg cfg = os_flow_cfg_default();
    os_flowtab *t1 = os_flowtab_new(&cfg, NULL, NULL), *t2 = os_flowtab_new(&cfg, NULL, NULL);
    os_pkt p = tp_make(6, "fd00:3::23", 51000, "fd00:1::10", 5001, OS_TH_SYN, 80);
    int s;
    bool c;
    uint64_t a = os_flowtab_add(t1, &p, 7 * S, &s, &c)->id;
    uint64_t b = os_flowtab_add(t2, &p, 7 * S, &s, &c)->id;
    assert_int_equal(a, b);
    assert_true(a < (1ULL << 53));
    os_flowtab_free(t1);
    os_flowtab_free(t2);
}

/* Feed (sender is client?, flags) steps of one TCP flow; return it. */
static os_flow *tcp_steps(os_flowtab *t, const uint8_t (*steps)[2], int n)
{
    os_flow *f = NULL;
    int s;
    bool c;
    for (int i = 0; i < n; i++) {
        os_pkt p = steps[i][0] ? tp_make(6, "10.3.0.23", 51000, "10.1.0.20", 6061, steps[i][1], 60)
                               : tp_make(6, "10.1.0.20", 6061, "10.3.0.23", 51000, steps[i][1], 60);
        f = os_flowtab_add(t, &p, (uint64_t)(i + 1) * S, &s, &c);
    }
    return f;
}

static void test_handshake_verdicts(void **state)
{
    (void)state;
    enum { C = 1, Sv = 0, SYN = OS_TH_SYN, SA = OS_TH_SYN | OS_TH_ACK, A = OS_TH_ACK,
           RA = OS_TH_RST | OS_TH_ACK, PA = OS_TH_PSH | OS_TH_ACK };
    static const uint8_t est[][2] = { { C, SYN }, { Sv, SA }, { C, A }, { C, PA } };
    static const uint8_t refused[][2] = { { C, SYN }, { Sv, RA } };
    static const uint8_t unanswered[][2] = { { C, SYN }, { C, SYN }, { C, SYN } };
    static const uint8_t mid[][2] = { { Sv, PA }, { C, A } };
    static const uint8_t partial[][2] = { { C, SYN }, { Sv, SA } };
    static const uint8_t late_rst[][2] = { { C, SYN }, { Sv, SA }, { C, A }, { Sv, RA } };
    static const struct { const uint8_t (*s)[2]; int n; os_hs_verdict v; uint8_t syns; } k[] = {
        { est, 4, OS_HSV_ESTABLISHED, 1 }, { refused, 2, OS_HSV_REFUSED, 1 },
        { unanswered, 3, OS_HSV_UNANSWERED, 3 }, { mid, 2, OS_HSV_MIDSTREAM, 0 },
        { partial, 2, OS_HSV_PARTIAL, 1 }, { late_rst, 4, OS_HSV_ESTABLISHED, 1 },
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        os_flow_cfg cfg = os_flow_cfg_default();
        os_flowtab *t = os_flowtab_new(&cfg, NULL, NULL);
        os_flow *f = tcp_steps(t, k[i].s, k[i].n);
        print_message("case %zu: %s\n", i, os_flow_hs_name(os_flow_hs(f)));
        assert_int_equal(os_flow_hs(f), k[i].v);
        assert_int_equal(f->syns, k[i].syns);
        os_flowtab_free(t);
    }
    assert_string_equal(os_flow_hs_name(OS_HSV_UNANSWERED), "unanswered");
}

static void test_syn_ack_first_makes_the_other_side_initiator(void **state)
{
    (void)state;
    os_flow_cfg cfg = os_flow_cfg_default();
    os_flowtab *t = os_flowtab_new(&cfg, NULL, NULL);
    os_pkt sa = tp_make(6, "10.1.0.10", 5001, "10.3.0.23", 51000, OS_TH_SYN | OS_TH_ACK, 60);
    int s;
    bool c;
    os_flow *f = os_flowtab_add(t, &sa, 1 * S, &s, &c);
    assert_int_equal(f->initiator, !s);
    assert_int_equal(os_flow_hs(f), OS_HSV_MIDSTREAM);
    os_flowtab_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_canonical_both_directions),
        cmocka_unit_test(test_key_same_address_orders_by_port),
        cmocka_unit_test(test_key_orders_addresses_bytewise),
        cmocka_unit_test(test_vlan_separates_flows),
        cmocka_unit_test(test_counts_and_initiator_first_sender),
        cmocka_unit_test(test_initiator_is_syn_sender_even_if_seen_second),
        cmocka_unit_test(test_idle_timeout_per_transport),
        cmocka_unit_test(test_closed_tcp_uses_closed_timeout),
        cmocka_unit_test(test_expiry_exact_when_time_goes_backwards),
        cmocka_unit_test(test_max_flows_evicts_least_recently_seen),
        cmocka_unit_test(test_flush_oldest_first),
        cmocka_unit_test(test_flow_id_deterministic_and_53_bits),
        cmocka_unit_test(test_handshake_verdicts),
        cmocka_unit_test(test_syn_ack_first_makes_the_other_side_initiator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
