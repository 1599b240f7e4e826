/* test_tunnels.c — the decoder opens GRE, ERSPAN I/II/III, VXLAN, Geneve,
 * MPLS, PPPoE, IP-in-IP and PBB into the inner packet and records each
 * layer; nesting is bounded; every snaplen prefix of every tunnel frame
 * decodes without reading past the capture; large-send offload lengths are
 * taken from the frame; a UDP first fragment is not "cut"; the flow layer
 * keeps two overlays with the same inner addresses apart and both
 * directions of one flow together. Frames are built in memory and copied
 * into exactly-sized heap buffers so ASan catches any over-read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pcap/pcap.h>
#include <stdlib.h>

#pragma GCC diagnostic ignored "-Wunused-function" /* frames.h builders this file does not use */
#include "frames.h"
#include "omnisniff/decode.h"
#include "omnisniff/flow.h"

/* VXLAN and Geneve on their IANA ports (the shipped rules' values). */
static os_decode_cfg ports_cfg;
static const os_decode_cfg *ports_of(void)
{
    if (!ports_cfg.quick) {
        os_decode_cfg_add(&ports_cfg, false, 4789);
        os_decode_cfg_add(&ports_cfg, true, 6081);
    }
    return &ports_cfg;
}

static os_decode_status dec_cut(const fb *f, size_t caplen, os_pkt *p, os_reason *why)
{
    uint8_t *b = malloc(caplen ? caplen : 1);
    memcpy(b, f->b, caplen);
    os_decode_status st =
        os_decode(ports_of(), DLT_EN10MB, b, (uint32_t)caplen, (uint32_t)f->n, p, why);
    if (p->payload)
        assert_true(p->payload >= b && p->payload + p->payload_cap <= b + caplen);
    free(b);
    return st;
}

static os_decode_status dec(const fb *f, os_pkt *p, os_reason *why)
{
    return dec_cut(f, f->n, p, why);
}

static void be32(uint8_t *p, uint32_t v)
{
    fb_be16(p, v >> 16);
    fb_be16(p + 2, v & 0xffff);
}

/* The inner packet every test carries: 10.9.0.1:50000 > 10.9.0.2:5001 TCP SYN. */
enum { INNER_IP = 20 + 20 + 10, INNER_ETH = 14 + INNER_IP };
static void inner_ip(fb *f)
{
    fb_ipv4(f, "10.9.0.1", "10.9.0.2", 6, 30, 0, 0x4000);
    fb_tcp(f, 50000, 5001, OS_TH_SYN, 5, 10);
}
static void inner_eth(fb *f)
{
    fb_eth(f, 0x0800, NULL, 0, 0);
    inner_ip(f);
}

static void expect_inner(const fb *f, os_encap_type t, bool has_id, uint32_t id, unsigned n)
{
    os_pkt p;
    os_reason why;
    assert_int_equal(dec(f, &p, &why), OS_DEC_OK);
    assert_int_equal(why, OS_R_NONE);
    assert_int_equal(p.ipver, 4);
    assert_int_equal(p.proto, 6);
    assert_int_equal(p.sport, 50000);
    assert_int_equal(p.dport, 5001);
    assert_int_equal(p.tcp_flags, OS_TH_SYN);
    assert_int_equal(p.payload_len, 10);
    assert_memory_equal(p.src, "\x0a\x09\x00\x01", 4);
    assert_int_equal(p.nencap, n);
    assert_int_equal(p.encap[n - 1].type, t);
    assert_int_equal(p.encap[n - 1].has_id, has_id);
    assert_int_equal(p.encap[n - 1].id, id);
}

/* Outer Ethernet + IPv4 192.0.2.1 > 192.0.2.2 for `len` bytes of protocol proto. */
static void outer4(fb *f, uint8_t proto, size_t len)
{
    f->n = 0;
    fb_eth(f, 0x0800, NULL, 0, 0);
    fb_ipv4(f, "192.0.2.1", "192.0.2.2", proto, len, 0, 0x4000);
}

static void gre(fb *f, unsigned flags, unsigned proto, uint32_t key, size_t inner)
{
    size_t hl = 4 + ((flags & 0x2000) ? 4 : 0) + ((flags & 0x1000) ? 4 : 0);
    outer4(f, 47, hl + inner);
    uint8_t *g = fb_put(f, hl);
    fb_be16(g, flags);
    fb_be16(g + 2, proto);
    if (flags & 0x2000)
        be32(g + 4, key);
}

static void test_gre(void **state)
{
    (void)state;
    fb f;
    gre(&f, 0x2000, 0x0800, 0xabcd, INNER_IP);
    inner_ip(&f);
    expect_inner(&f, OS_ENC_GRE, true, 0xabcd, 1);
    os_pkt p;
    os_reason why;
    dec(&f, &p, &why);
    assert_int_equal(p.encap[0].ipver, 4);
    assert_memory_equal(p.encap[0].src, "\xc0\x00\x02\x01", 4);
    assert_memory_equal(p.encap[0].dst, "\xc0\x00\x02\x02", 4);
    gre(&f, 0, 0x6558, 0, INNER_ETH); /* transparent Ethernet bridging, no key */
    inner_eth(&f);
    expect_inner(&f, OS_ENC_GRE, false, 0, 1);
    gre(&f, 1, 0x880b, 0, 8); /* version 1 (PPTP): not opened */
    fb_put(&f, 8);
    assert_int_equal(dec(&f, &p, &why), OS_DEC_OTHER_PROTO);
}

static void test_erspan(void **state)
{
    (void)state;
    fb f;
    gre(&f, 0x1000, 0x88be, 0, 8 + INNER_ETH); /* type II */
    uint8_t *e = fb_put(&f, 8);
    fb_be16(e, 0x1000 | 12); /* version 1, VLAN 12 */
    fb_be16(e + 2, 77);      /* session 77 */
    inner_eth(&f);
    expect_inner(&f, OS_ENC_ERSPAN2, true, 77, 1);
    e[0] = 0x20; /* version 2 in a type II header */
    os_pkt p;
    os_reason why;
    assert_int_equal(dec(&f, &p, &why), OS_DEC_MALFORMED);
    assert_int_equal(why, OS_R_ERSPAN_BAD_VERSION);

    gre(&f, 0, 0x22eb, 0, 12 + 8 + INNER_ETH); /* type III with a platform subheader */
    e = fb_put(&f, 12);
    fb_be16(e, 0x2000);
    fb_be16(e + 2, 5);
    fb_be16(e + 10, 1); /* O: 8 more bytes */
    fb_put(&f, 8);
    inner_eth(&f);
    expect_inner(&f, OS_ENC_ERSPAN3, true, 5, 1);

    gre(&f, 0, 0x88be, 0, INNER_ETH); /* type I: no header */
    inner_eth(&f);
    expect_inner(&f, OS_ENC_ERSPAN1, false, 0, 1);
}

/* Outer UDP to dport carrying n bytes. */
static void udp_outer(fb *f, unsigned dport, size_t n)
{
    outer4(f, 17, 8 + n);
    fb_udp(f, 40000, dport, 0);
    fb_be16(f->b + f->n - 4, (unsigned)(8 + n));
}

static void test_vxlan_geneve(void **state)
{
    (void)state;
    fb f;
    udp_outer(&f, 4789, 8 + INNER_ETH);
    uint8_t *v = fb_put(&f, 8);
    v[0] = 0x08;
    be32(v + 4, 5000u << 8);
    inner_eth(&f);
    expect_inner(&f, OS_ENC_VXLAN, true, 5000, 1);
    /* without the tunnel ports it is a UDP datagram to 4789 */
    os_pkt p;
    os_reason why;
    assert_int_equal(os_decode(NULL, DLT_EN10MB, f.b, (uint32_t)f.n, (uint32_t)f.n, &p, &why),
                     OS_DEC_OK);
    assert_int_equal(p.dport, 4789);
    assert_int_equal(p.nencap, 0);
    v[0] = 0; /* no I flag: not VXLAN */
    assert_int_equal(dec(&f, &p, &why), OS_DEC_OK);
    assert_int_equal(p.dport, 4789);
    assert_int_equal(p.nencap, 0);

    udp_outer(&f, 6081, 8 + 4 + INNER_ETH);
    v = fb_put(&f, 12);
    v[0] = 1; /* version 0, 4 bytes of options */
    fb_be16(v + 2, 0x6558);
    be32(v + 4, 77u << 8);
    inner_eth(&f);
    expect_inner(&f, OS_ENC_GENEVE, true, 77, 1);
    v[0] = 0x41; /* version 1 */
    assert_int_equal(dec(&f, &p, &why), OS_DEC_MALFORMED);
    assert_int_equal(why, OS_R_GENEVE_BAD_VERSION);
}

static void test_mpls_pppoe_pbb(void **state)
{
    (void)state;
    fb f = { .n = 0 };
    fb_eth(&f, 0x8847, NULL, 0, 0);
    be32(fb_put(&f, 4), (100u << 12) | 64);
    be32(fb_put(&f, 4), (200u << 12) | 0x100 | 64); /* bottom of stack */
    inner_ip(&f);
    expect_inner(&f, OS_ENC_MPLS, true, 200, 1);

    f.n = 0; /* a pseudowire: control word, then Ethernet */
    fb_eth(&f, 0x8847, NULL, 0, 0);
    be32(fb_put(&f, 4), (300u << 12) | 0x100 | 64);
    fb_put(&f, 4);
    inner_eth(&f);
    expect_inner(&f, OS_ENC_MPLS, true, 300, 1);

    f.n = 0;
    fb_eth(&f, 0x8864, NULL, 0, 0);
    uint8_t *h = fb_put(&f, 8);
    h[0] = 0x11;
    fb_be16(h + 2, 0x1234);
    fb_be16(h + 4, 2 + INNER_IP);
    fb_be16(h + 6, 0x0021);
    inner_ip(&f);
    expect_inner(&f, OS_ENC_PPPOE, true, 0x1234, 1);
    fb_be16(h + 4, 2 + INNER_IP + 100); /* claims more than the frame */
    os_pkt p;
    os_reason why;
    assert_int_equal(dec(&f, &p, &why), OS_DEC_MALFORMED);
    assert_int_equal(why, OS_R_PPPOE_BAD_LENGTH);

    f.n = 0;
    fb_eth(&f, 0x88e7, NULL, 0, 0);
    be32(fb_put(&f, 4), 0x00abcdef);
    inner_eth(&f);
    expect_inner(&f, OS_ENC_PBB, true, 0xabcdef, 1);
}

static void test_ipip_and_depth(void **state)
{
    (void)state;
    fb f;
    outer4(&f, 4, INNER_IP);
    inner_ip(&f);
    expect_inner(&f, OS_ENC_IPIP, false, 0, 1);

    /* 6in4 */
    outer4(&f, 41, 40 + 20);
    fb_ipv6(&f, "2001:db8::1", "2001:db8::2", 6, 20);
    fb_tcp(&f, 50000, 5001, OS_TH_SYN, 5, 0);
    os_pkt p;
    os_reason why;
    assert_int_equal(dec(&f, &p, &why), OS_DEC_OK);
    assert_int_equal(p.ipver, 6);
    assert_int_equal(p.nencap, 1);
    assert_int_equal(p.encap[0].ipver, 4);

    /* OS_MAX_ENCAP tunnels open, one more is too deep */
    for (int depth = OS_MAX_ENCAP; depth <= OS_MAX_ENCAP + 1; depth++) {
        f.n = 0;
        fb_eth(&f, 0x0800, NULL, 0, 0);
        for (int i = 0; i < depth; i++)
            fb_ipv4(&f, "192.0.2.1", "192.0.2.2", 4, (size_t)(depth - i - 1) * 20 + INNER_IP,
                    0, 0x4000);
        inner_ip(&f);
        os_decode_status st = dec(&f, &p, &why);
        if (depth == OS_MAX_ENCAP) {
            assert_int_equal(st, OS_DEC_OK);
            assert_int_equal(p.nencap, OS_MAX_ENCAP);
        } else {
            assert_int_equal(st, OS_DEC_MALFORMED);
            assert_int_equal(why, OS_R_ENCAP_TOO_DEEP);
        }
    }
}

/* Every prefix of a tunnel frame: no over-read, never OK-with-garbage,
 * and truncated (the wire had the rest), never malformed. */
static void prefixes(const fb *f)
{
    for (size_t c = 0; c < f->n; c++) {
        os_pkt p;
        os_reason why;
        os_decode_status st = dec_cut(f, c, &p, &why);
        assert_true(st == OS_DEC_TRUNCATED || st == OS_DEC_OK);
        if (st == OS_DEC_OK)
            assert_true(p.payload_cut || p.payload_cap == p.payload_len);
    }
}

static void test_every_prefix(void **state)
{
    (void)state;
    fb f;
    gre(&f, 0x3000, 0x88be, 9, 8 + INNER_ETH);
    uint8_t *e = fb_put(&f, 8);
    fb_be16(e, 0x1000);
    inner_eth(&f);
    prefixes(&f);
    udp_outer(&f, 4789, 8 + INNER_ETH);
    fb_put(&f, 8)[0] = 0x08;
    inner_eth(&f);
    prefixes(&f);
    f.n = 0;
    fb_eth(&f, 0x8847, NULL, 0, 0);
    be32(fb_put(&f, 4), 0x100);
    inner_ip(&f);
    prefixes(&f);
}

static void test_tso_length_from_frame(void **state)
{
    (void)state;
    fb f;
    fb_tcp4(&f, "10.0.0.1", 50000, "10.0.0.2", 5001, OS_TH_ACK, 3000);
    fb_be16(f.b + 16, 0); /* total length 0: large-send offload */
    os_pkt p;
    os_reason why;
    assert_int_equal(dec(&f, &p, &why), OS_DEC_OK);
    assert_int_equal(why, OS_R_TSO_LENGTH_FROM_FRAME);
    assert_int_equal(p.ip_len, 20 + 20 + 3000);
    assert_int_equal(p.payload_len, 3000);

    f.n = 0;
    fb_eth(&f, 0x86dd, NULL, 0, 0);
    fb_ipv6(&f, "2001:db8::1", "2001:db8::2", 6, 0); /* BIG TCP: payload length 0 */
    fb_tcp(&f, 50000, 5001, OS_TH_ACK, 5, 3000);
    assert_int_equal(dec(&f, &p, &why), OS_DEC_OK);
    assert_int_equal(why, OS_R_TSO_LENGTH_FROM_FRAME);
    assert_int_equal(p.sport, 50000);
    assert_int_equal(p.payload_len, 3000);
}

/* An ERSPAN session that cut the mirrored frame (T bit), around a
 * large-send frame (IPv4 total length 0): the length comes from what was
 * captured, not from the unknown wire length; outer VLAN tags stay outside. */
static void test_erspan_cut_lso(void **state)
{
    (void)state;
    fb f;
    gre(&f, 0x1000, 0x88be, 0, 8 + 18 + 40 + 60);
    uint8_t *e = fb_put(&f, 8);
    fb_be16(e, 0x1000);
    fb_be16(e + 2, 0x0400 | 101); /* T bit, session 101 */
    uint16_t vlan = 7;
    fb_eth(&f, 0x0800, &vlan, 1, 0);
    fb_ipv4(&f, "10.1.0.20", "10.3.0.23", 6, 9000, 0, 0x4000);
    fb_be16(f.b + f.n - 20 + 2, 0); /* total length 0 */
    fb_tcp(&f, 6061, 51003, OS_TH_ACK, 5, 60); /* 60 of the 9000 bytes mirrored */
    os_pkt p;
    os_reason why;
    assert_int_equal(dec(&f, &p, &why), OS_DEC_OK);
    assert_int_equal(why, OS_R_TSO_LENGTH_FROM_FRAME);
    assert_int_equal(p.payload_len, 60);
    assert_int_equal(p.nencap, 1);
    assert_int_equal(p.encap[0].id, 101);
    assert_int_equal(p.nvlan, 1); /* the mirrored frame's own tag */
    assert_int_equal(p.vlan[0], 7);
}

static void test_fragment_not_cut(void **state)
{
    (void)state;
    fb f = { .n = 0 };
    fb_eth(&f, 0x0800, NULL, 0, 0);
    fb_ipv4(&f, "10.0.0.1", "10.0.0.2", 17, 8 + 1000, 0, 0x2000); /* MF, offset 0 */
    fb_udp(&f, 40000, 15000, 1000);
    fb_be16(f.b + 34 + 4, 8 + 3000); /* the whole datagram is 3000 bytes */
    os_pkt p;
    os_reason why;
    assert_int_equal(dec(&f, &p, &why), OS_DEC_OK);
    assert_true(p.ip_fragment);
    assert_false(p.payload_cut);
    assert_int_equal(p.payload_len, 3000); /* as the UDP header claims */
    assert_int_equal(p.payload_cap, 1000);
    assert_int_equal(dec_cut(&f, f.n - 1, &p, &why), OS_DEC_OK); /* a real snaplen cut */
    assert_true(p.payload_cut);
}

static void test_ipv4_ah(void **state)
{
    (void)state;
    fb f;
    outer4(&f, 51, 16 + 20);
    uint8_t *a = fb_put(&f, 16);
    a[0] = 6; /* next: TCP */
    a[1] = 2; /* (2 + 2) * 4 = 16 bytes */
    fb_tcp(&f, 50000, 5001, OS_TH_SYN, 5, 0);
    os_pkt p;
    os_reason why;
    assert_int_equal(dec(&f, &p, &why), OS_DEC_OK);
    assert_int_equal(p.proto, 6);
    assert_int_equal(p.dport, 5001);
}

/* VXLAN frame: VNI vni, inner a:ap > b:bp UDP. */
static void vx(fb *f, uint32_t vni, const char *a, unsigned ap, const char *b, unsigned bp)
{
    udp_outer(f, 4789, 8 + 14 + 28);
    uint8_t *v = fb_put(f, 8);
    v[0] = 0x08;
    be32(v + 4, vni << 8);
    fb_eth(f, 0x0800, NULL, 0, 0);
    fb_ipv4(f, a, b, 17, 8, 0, 0x4000);
    fb_udp(f, ap, bp, 0);
}

static os_flow *add(os_flowtab *t, const fb *f)
{
    os_pkt p;
    os_reason why;
    int side;
    bool created;
    /* decoded in place: the flow layer reads the view (dec() frees its copy) */
    assert_int_equal(os_decode(ports_of(), DLT_EN10MB, f->b, (uint32_t)f->n, (uint32_t)f->n, &p,
                               &why),
                     OS_DEC_OK);
    p.tunnel = os_flowtab_tunnel(t, &p);
    return os_flowtab_add(t, &p, 1, &side, &created);
}

static void test_flow_contexts(void **state)
{
    (void)state;
    os_flow_cfg cfg = os_flow_cfg_default();
    os_flowtab *t = os_flowtab_new(&cfg, NULL, NULL);
    fb f;
    vx(&f, 100, "10.0.0.1", 40000, "10.0.0.2", 15000);
    os_flow *a = add(t, &f);
    vx(&f, 100, "10.0.0.2", 15000, "10.0.0.1", 40000); /* the other direction */
    assert_ptr_equal(add(t, &f), a);
    vx(&f, 200, "10.0.0.1", 40000, "10.0.0.2", 15000); /* another overlay */
    os_flow *b = add(t, &f);
    assert_ptr_not_equal(b, a);
    assert_int_equal(os_flowtab_stats(t)->active, 2);
    assert_int_equal(os_flowtab_stats(t)->tunnels, 2);
    const os_tunnel_info *in = os_flowtab_tunnel_info(t, b->key.tunnel);
    assert_non_null(in);
    assert_int_equal(in->n, 1);
    assert_int_equal(in->type[0], OS_ENC_VXLAN);
    assert_int_equal(in->id[0], 200);
    assert_memory_equal(in->src[0], "\xc0\x00\x02\x01", 4);
    assert_null(os_flowtab_tunnel_info(t, 0));
    assert_null(os_flowtab_tunnel_info(t, 3));
    os_flowtab_free(t);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(os_encap_name(OS_ENC_ERSPAN2), "erspan2");
    assert_string_equal(os_encap_name(OS_ENC_IPIP), "ip-in-ip");
    assert_string_equal(os_encap_name((os_encap_type)99), "unknown");
    assert_string_equal(os_reason_name(OS_R_TSO_LENGTH_FROM_FRAME), "tso-length-from-frame");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gre),
        cmocka_unit_test(test_erspan),
        cmocka_unit_test(test_vxlan_geneve),
        cmocka_unit_test(test_mpls_pppoe_pbb),
        cmocka_unit_test(test_ipip_and_depth),
        cmocka_unit_test(test_every_prefix),
        cmocka_unit_test(test_tso_length_from_frame),
        cmocka_unit_test(test_erspan_cut_lso),
        cmocka_unit_test(test_fragment_not_cut),
        cmocka_unit_test(test_ipv4_ah),
        cmocka_unit_test(test_flow_contexts),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
