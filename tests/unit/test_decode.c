/* test_decode.c — every link type, VLAN/QinQ, IPv4 options and fragments,
 * IPv6 extension headers, TCP/UDP/ICMP(v6) with quoted datagrams, every
 * truncated/malformed reason, and every snaplen prefix of valid frames.
 * Frames are copied into exactly-sized heap buffers so ASan catches any
 * read past the captured length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pcap/pcap.h>
#include <stdlib.h>

#include "frames.h"
#include "omnisniff/decode.h"

/* VXLAN and Geneve on their IANA ports (the shipped rules' values). */
static os_decode_cfg tunnel_ports;

/* Decode the first caplen bytes of f (a frame of f->n bytes on the wire). */
static os_decode_status dec_cut(const fb *f, int dlt, size_t caplen, size_t wirelen,
                                os_pkt *p, os_reason *why)
{
    uint8_t *b = malloc(caplen ? caplen : 1);
    memcpy(b, f->b, caplen);
    if (!tunnel_ports.quick) {
        os_decode_cfg_add(&tunnel_ports, false, 4789);
        os_decode_cfg_add(&tunnel_ports, true, 6081);
    }
    os_decode_status st =
        os_decode(&tunnel_ports, dlt, b, (uint32_t)caplen, (uint32_t)wirelen, p, why);
    /* pointers must not outlive b in the test: check they lie inside it */
    if (p->src)
        assert_true(p->src >= b && p->src + (p->ipver == 6 ? 16 : 4) <= b + caplen);
    if (p->payload)
        assert_true(p->payload >= b && p->payload + p->payload_cap <= b + caplen);
    free(b);
    return st;
}

static os_decode_status dec(const fb *f, int dlt, os_pkt *p, os_reason *why)
{
    return dec_cut(f, dlt, f->n, f->n, p, why);
}

/* Expect status st and reason r for frame f (Ethernet). */
static void expect(const fb *f, os_decode_status st, os_reason r)
{
    os_pkt p;
    os_reason why;
    os_decode_status got = dec(f, DLT_EN10MB, &p, &why);
    print_message("want %s/%s got %s/%s\n", os_decode_status_name(st), os_reason_name(r),
                  os_decode_status_name(got), os_reason_name(why));
    assert_int_equal(got, st);
    assert_int_equal(why, r);
}

static void test_udp4_ok(void **state)
{
    (void)state;
    fb f;
    os_pkt p;
    os_reason why;
    fb_udp4(&f, "10.2.0.31", 40000, "10.1.0.20", 15000, 1300);
    assert_int_equal(dec(&f, DLT_EN10MB, &p, &why), OS_DEC_OK);
    assert_int_equal(why, OS_R_NONE);
    assert_int_equal(p.ipver, 4);
    assert_int_equal(p.proto, 17);
    assert_int_equal(p.sport, 40000);
    assert_int_equal(p.dport, 15000);
    assert_int_equal(p.payload_len, 1300);
    assert_int_equal(p.payload_cap, 1300);
    assert_false(p.payload_cut);
    assert_int_equal(p.ttl, 64);
    assert_int_equal(p.ip_len, 1328);
}

static void test_snaplen96_classifies_fully(void **state)
{
    (void)state;
    fb f;
    os_pkt p;
    os_reason why;
    fb_udp4(&f, "10.2.0.31", 40000, "10.1.0.20", 15000, 1300);
    assert_int_equal(dec_cut(&f, DLT_EN10MB, 96, f.n, &p, &why), OS_DEC_OK);
    assert_int_equal(p.dport, 15000);
    assert_true(p.payload_cut);
    assert_int_equal(p.payload_cap, 96 - 42);
    assert_int_equal(p.payload_len, 1300);
}

static void test_tcp_flags_seq_and_options(void **state)
{
    (void)state;
    fb f;
    os_pkt p;
    os_reason why;
    f.n = 0;
    fb_eth(&f, 0x0800, NULL, 0, 0);
    fb_ipv4(&f, "10.3.0.23", "10.1.0.10", 6, 32 + 10, 8, 0x4000); /* 8 bytes IP options */
    fb_tcp(&f, 51000, 5001, 0x12, 8, 10);                        /* 12 bytes TCP options */
    assert_int_equal(dec(&f, DLT_EN10MB, &p, &why), OS_DEC_OK);
    assert_int_equal(p.sport, 51000);
    assert_int_equal(p.tcp_flags, 0x12);
    assert_int_equal(p.tcp_seq, 0x11000022);
    assert_int_equal(p.payload_len, 10);
}

static void test_vlan_and_qinq(void **state)
{
    (void)state;
    fb f;
    os_pkt p;
    os_reason why;
    uint16_t one[1] = { 100 }, two[2] = { 200, 300 }, five[5] = { 1, 2, 3, 4, 5 };
    f.n = 0;
    fb_eth(&f, 0x0800, one, 1, 0);
    fb_ipv4(&f, "10.0.0.1", "10.0.0.2", 17, 8, 0, 0);
    fb_udp(&f, 1, 2, 0);
    assert_int_equal(dec(&f, DLT_EN10MB, &p, &why), OS_DEC_OK);
    assert_int_equal(p.nvlan, 1);
    assert_int_equal(p.vlan[0], 100);
    f.n = 0;
    fb_eth(&f, 0x0800, two, 2, 0x88a8);
    fb_ipv4(&f, "10.0.0.1", "10.0.0.2", 17, 8, 0, 0);
    fb_udp(&f, 1, 2, 0);
    assert_int_equal(dec(&f, DLT_EN10MB, &p, &why), OS_DEC_OK);
    assert_int_equal(p.nvlan, 2);
    assert_int_equal(p.vlan[0], 200);
    assert_int_equal(p.vlan[1], 300);
    f.n = 0;
    fb_eth(&f, 0x0800, five, 5, 0);
    fb_ipv4(&f, "10.0.0.1", "10.0.0.2", 17, 8, 0, 0);
    fb_udp(&f, 1, 2, 0);
    expect(&f, OS_DEC_MALFORMED, OS_R_VLAN_TOO_DEEP);
}

static void test_not_ip(void **state)
{
    (void)state;
    fb f;
    f.n = 0;
    fb_eth(&f, 0x0806, NULL, 0, 0); /* ARP */
    fb_put(&f, 28);
    expect(&f, OS_DEC_NOT_IP, OS_R_NONE);
    f.n = 0;
    fb_eth(&f, 46, NULL, 0, 0);     /* 802.3 length field */
    fb_put(&f, 46);
    expect(&f, OS_DEC_NOT_IP, OS_R_NONE);
}

/* The same IPv4/UDP datagram behind every link type. */
static void test_link_types(void **state)
{
    (void)state;
    fb ip, f;
    os_pkt p;
    os_reason why;
    ip.n = 0;
    fb_ipv4(&ip, "10.2.0.31", "10.1.0.20", 17, 108, 0, 0);
    fb_udp(&ip, 40000, 15000, 100);
    static const struct { int dlt; uint8_t hdr[20]; size_t hl; } lt[] = {
        { DLT_LINUX_SLL, { 0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00 }, 16 },
        { DLT_LINUX_SLL2, { 0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6 }, 20 },
        { DLT_RAW, { 0 }, 0 },
        { DLT_IPV4, { 0 }, 0 },
        { DLT_NULL, { 2, 0, 0, 0 }, 4 },
        { DLT_NULL, { 0, 0, 0, 2 }, 4 }, /* written by a big-endian host */
        { DLT_LOOP, { 0, 0, 0, 2 }, 4 },
    };
    for (size_t i = 0; i < sizeof lt / sizeof lt[0]; i++) {
        f.n = 0;
        memcpy(fb_put(&f, lt[i].hl), lt[i].hdr, lt[i].hl);
        memcpy(fb_put(&f, ip.n), ip.b, ip.n);
        assert_true(os_dlt_supported(lt[i].dlt));
        assert_int_equal(dec(&f, lt[i].dlt, &p, &why), OS_DEC_OK);
        assert_int_equal(p.dport, 15000);
    }
    assert_false(os_dlt_supported(DLT_USER0));
    f.n = 0;
    memcpy(fb_put(&f, 4), "\x07\0\0\0", 4);
    memcpy(fb_put(&f, ip.n), ip.b, ip.n);
    assert_int_equal(dec(&f, DLT_NULL, &p, &why), OS_DEC_MALFORMED);
    assert_int_equal(why, OS_R_LOOP_BAD_FAMILY);
}

static void test_raw_ipv6_and_loop_af_inet6(void **state)
{
    (void)state;
    fb f;
    os_pkt p;
    os_reason why;
    static const uint8_t afs[] = { 10, 24, 28, 30 };
    f.n = 0;
    fb_ipv6(&f, "fd00:3::23", "fd00:1::10", 6, 20);
    fb_tcp(&f, 51000, 5001, 0x02, 5, 0);
    assert_int_equal(dec(&f, DLT_RAW, &p, &why), OS_DEC_OK);
    assert_int_equal(dec(&f, DLT_IPV6, &p, &why), OS_DEC_OK);
    assert_int_equal(p.ipver, 6);
    for (size_t i = 0; i < sizeof afs; i++) {
        fb g;
        g.n = 0;
        uint8_t *h = fb_put(&g, 4);
        h[0] = afs[i];
        memcpy(fb_put(&g, f.n), f.b, f.n);
        assert_int_equal(dec(&g, DLT_NULL, &p, &why), OS_DEC_OK);
        assert_int_equal(p.dport, 5001);
    }
}

static void test_ipv4_fragments(void **state)
{
    (void)state;
    fb f;
    os_pkt p;
    os_reason why;
    f.n = 0;
    fb_eth(&f, 0x0800, NULL, 0, 0);
    fb_ipv4(&f, "10.2.0.31", "10.1.0.20", 17, 208, 0, 0x2000); /* first, MF */
    fb_udp(&f, 40000, 15000, 1000);
    f.n -= 800; /* the first fragment carries 208 bytes of the datagram */
    /* UDP length 1008 > this fragment: legitimate for a first fragment */
    assert_int_equal(dec(&f, DLT_EN10MB, &p, &why), OS_DEC_OK);
    assert_true(p.ip_fragment);
    assert_int_equal(p.dport, 15000);
    assert_int_equal(p.payload_len, 1000);
    assert_int_equal(p.payload_cap, 200);
    f.n = 0;
    fb_eth(&f, 0x0800, NULL, 0, 0);
    fb_ipv4(&f, "10.2.0.31", "10.1.0.20", 17, 200, 0, 185); /* offset 185 */
    fb_put(&f, 200);
    assert_int_equal(dec(&f, DLT_EN10MB, &p, &why), OS_DEC_FRAGMENT);
    assert_true(p.ip_fragment);
    assert_int_equal(p.proto, 17);
    assert_int_equal(p.dport, 0);
}

static void test_ipv4_first_fragment_has_ports(void **state)
{
    (void)state;
    fb f;
    os_pkt p;
    os_reason why;
    f.n = 0;
    fb_eth(&f, 0x0800, NULL, 0, 0);
    fb_ipv4(&f, "10.3.0.23", "10.1.0.10", 6, 60, 0, 0x2000);
    fb_tcp(&f, 51000, 5001, 0x18, 5, 40);
    assert_int_equal(dec(&f, DLT_EN10MB, &p, &why), OS_DEC_OK);
    assert_true(p.ip_fragment);
    assert_int_equal(p.dport, 5001);
}

/* Ethernet + IPv6 + n 8-byte extension headers of types t[] + UDP. */
static void v6_ext_frame(fb *f, const uint8_t *t, int n, size_t paylen)
{
    f->n = 0;
    fb_eth(f, 0x86dd, NULL, 0, 0);
    fb_ipv6(f, "fd00:2::31", "fd00:1::20", n ? t[0] : 17, (size_t)n * 8 + 8 + paylen);
    for (int i = 0; i < n; i++)
        fb_ext8(f, i + 1 < n ? t[i + 1] : 17, 0);
    fb_udp(f, 40000, 15000, paylen);
}

static void test_ipv6_extension_chain(void **state)
{
    (void)state;
    fb f;
    os_pkt p;
    os_reason why;
    static const uint8_t chain[] = { 0, 60, 43, 60 };
    v6_ext_frame(&f, chain, 4, 100);
    assert_int_equal(dec(&f, DLT_EN10MB, &p, &why), OS_DEC_OK);
    assert_int_equal(p.proto, 17);
    assert_int_equal(p.dport, 15000);
    static const uint8_t many[OS_MAX_EXT + 1] = { 60, 60, 60, 60, 60, 60, 60, 60, 60 };
    v6_ext_frame(&f, many, OS_MAX_EXT, 10);
    expect(&f, OS_DEC_OK, OS_R_NONE);
    v6_ext_frame(&f, many, OS_MAX_EXT + 1, 10);
    expect(&f, OS_DEC_MALFORMED, OS_R_IPV6_EXT_TOO_MANY);
    v6_ext_frame(&f, chain, 1, 10);
    f.b[14 + 40 + 1] = 20; /* header length 21*8 runs past the payload */
    expect(&f, OS_DEC_MALFORMED, OS_R_IPV6_EXT_BAD_LENGTH);
}

static void test_ipv6_fragments(void **state)
{
    (void)state;
    fb f;
    os_pkt p;
    os_reason why;
    f.n = 0;
    fb_eth(&f, 0x86dd, NULL, 0, 0);
    fb_ipv6(&f, "fd00:2::31", "fd00:1::20", 44, 8 + 8 + 100);
    fb_ext8(&f, 17, 0x0001); /* offset 0, more fragments */
    fb_udp(&f, 40000, 15001, 100);
    assert_int_equal(dec(&f, DLT_EN10MB, &p, &why), OS_DEC_OK);
    assert_true(p.ip_fragment);
    assert_int_equal(p.dport, 15001);
    f.n = 0;
    fb_eth(&f, 0x86dd, NULL, 0, 0);
    fb_ipv6(&f, "fd00:2::31", "fd00:1::20", 44, 8 + 100);
    fb_ext8(&f, 17, 185 << 3);
    fb_put(&f, 100);
    assert_int_equal(dec(&f, DLT_EN10MB, &p, &why), OS_DEC_FRAGMENT);
    assert_int_equal(p.proto, 17);
}

static void test_icmp4_error_quotes_flow(void **state)
{
    (void)state;
    fb q, f;
    os_pkt p;
    os_reason why;
    q.n = 0;
    fb_ipv4(&q, "10.3.0.23", "10.1.0.20", 6, 20, 0, 0x4000);
    fb_tcp(&q, 51000, 6061, 0x02, 5, 0);
    f.n = 0;
    fb_eth(&f, 0x0800, NULL, 0, 0);
    fb_ipv4(&f, "10.1.0.1", "10.3.0.23", 1, 8 + 28, 0, 0);
    fb_icmp(&f, 3, 13, q.b, 28); /* IP header + first 8 bytes of TCP */
    assert_int_equal(dec(&f, DLT_EN10MB, &p, &why), OS_DEC_OK);
    assert_int_equal(why, OS_R_NONE);
    assert_true(p.icmp_error);
    assert_int_equal(p.icmp_type, 3);
    assert_int_equal(p.icmp_code, 13);
    assert_true(p.quoted.valid);
    assert_true(p.quoted.has_ports);
    assert_int_equal(p.quoted.proto, 6);
    assert_int_equal(p.quoted.sport, 51000);
    assert_int_equal(p.quoted.dport, 6061);
    assert_memory_equal(p.quoted.dst, "\x0a\x01\x00\x14", 4);
    /* a quote cut short: the packet is fine, the quote is not */
    f.n = 0;
    fb_eth(&f, 0x0800, NULL, 0, 0);
    fb_ipv4(&f, "10.1.0.1", "10.3.0.23", 1, 8 + 12, 0, 0);
    fb_icmp(&f, 3, 3, q.b, 12);
    assert_int_equal(dec(&f, DLT_EN10MB, &p, &why), OS_DEC_OK);
    assert_int_equal(why, OS_R_ICMP_QUOTE_TRUNCATED);
    assert_false(p.quoted.valid);
    q.b[0] = 0x35; /* quoted version 3 */
    f.n = 0;
    fb_eth(&f, 0x0800, NULL, 0, 0);
    fb_ipv4(&f, "10.1.0.1", "10.3.0.23", 1, 8 + 28, 0, 0);
    fb_icmp(&f, 3, 3, q.b, 28);
    assert_int_equal(dec(&f, DLT_EN10MB, &p, &why), OS_DEC_OK);
    assert_int_equal(why, OS_R_ICMP_QUOTE_MALFORMED);
}

/* Quotes cut or broken inside: counted, never shown as a made-up transport
 * (tests/gen hostile-headers.pcap has the same cases on file). */
static void test_icmp_quote_defects(void **state)
{
    (void)state;
    fb q, f;
    os_pkt p;
    os_reason why;
    /* IPv4 quote of the IP header only: transport known, ports cut */
    q.n = 0;
    fb_ipv4(&q, "10.2.0.31", "10.1.0.20", 17, 8, 0, 0x4000);
    fb_udp(&q, 40000, 15002, 0);
    f.n = 0;
    fb_eth(&f, 0x0800, NULL, 0, 0);
    fb_ipv4(&f, "10.1.0.20", "10.2.0.31", 1, 8 + 20, 0, 0);
    fb_icmp(&f, 3, 3, q.b, 20);
    assert_int_equal(dec(&f, DLT_EN10MB, &p, &why), OS_DEC_OK);
    assert_int_equal(why, OS_R_ICMP_QUOTE_TRUNCATED);
    assert_true(p.quoted.valid);
    assert_int_equal(p.quoted.proto, 17);
    assert_false(p.quoted.has_ports);
    /* a quoted chain of 12 extension headers: past the bound, like the outer one */
    q.n = 0;
    fb_ipv6(&q, "fd00:2::31", "fd00:1::20", 60, 12 * 8 + 8);
    for (int i = 0; i < 12; i++)
        fb_ext8(&q, i < 11 ? 60 : 17, 0);
    fb_udp(&q, 40000, 15000, 0);
    f.n = 0;
    fb_eth(&f, 0x86dd, NULL, 0, 0);
    fb_ipv6(&f, "fd00:1::1", "fd00:2::31", 58, 8 + q.n);
    fb_icmp(&f, 1, 1, q.b, q.n);
    assert_int_equal(dec(&f, DLT_EN10MB, &p, &why), OS_DEC_OK);
    assert_int_equal(why, OS_R_ICMP_QUOTE_MALFORMED);
    assert_false(p.quoted.valid);
    /* a quoted extension header running past the quote: transport unknown */
    q.n = 0;
    fb_ipv6(&q, "fd00:2::31", "fd00:1::20", 60, 8 + 8);
    fb_ext8(&q, 17, 0);
    q.b[41] = 255;
    fb_udp(&q, 40000, 15000, 0);
    f.n = 0;
    fb_eth(&f, 0x86dd, NULL, 0, 0);
    fb_ipv6(&f, "fd00:1::1", "fd00:2::31", 58, 8 + q.n);
    fb_icmp(&f, 1, 1, q.b, q.n);
    assert_int_equal(dec(&f, DLT_EN10MB, &p, &why), OS_DEC_OK);
    assert_int_equal(why, OS_R_ICMP_QUOTE_TRUNCATED);
    assert_false(p.quoted.valid);
}

static void test_icmp6_admin_prohibited_quotes_udp(void **state)
{
    (void)state;
    fb q, f;
    os_pkt p;
    os_reason why;
    q.n = 0;
    fb_ipv6(&q, "fd00:2::31", "fd00:1::20", 60, 8 + 8 + 10);
    fb_ext8(&q, 17, 0);
    fb_udp(&q, 40000, 15003, 10);
    f.n = 0;
    fb_eth(&f, 0x86dd, NULL, 0, 0);
    fb_ipv6(&f, "fd00:1::1", "fd00:2::31", 58, 8 + q.n);
    fb_icmp(&f, 1, 1, q.b, q.n);
    assert_int_equal(dec(&f, DLT_EN10MB, &p, &why), OS_DEC_OK);
    assert_true(p.icmp_error);
    assert_int_equal(p.quoted.ipver, 6);
    assert_int_equal(p.quoted.proto, 17);
    assert_int_equal(p.quoted.dport, 15003);
    /* echo request is not an error */
    f.n = 0;
    fb_eth(&f, 0x86dd, NULL, 0, 0);
    fb_ipv6(&f, "fd00:1::1", "fd00:2::31", 58, 8);
    fb_icmp(&f, 128, 0, NULL, 0);
    assert_int_equal(dec(&f, DLT_EN10MB, &p, &why), OS_DEC_OK);
    assert_false(p.icmp_error);
}

/* Every malformed reason from a poked valid frame. */
static void test_malformed_reasons(void **state)
{
    (void)state;
    fb f;
    fb_udp4(&f, "10.2.0.31", 40000, "10.1.0.20", 15000, 100);
    f.b[14] = 0x44;
    expect(&f, OS_DEC_MALFORMED, OS_R_IPV4_BAD_IHL);
    f.b[14] = 0x55;
    expect(&f, OS_DEC_MALFORMED, OS_R_IPV4_BAD_VERSION);
    f.b[14] = 0x45;
    fb_be16(f.b + 16, 16);
    expect(&f, OS_DEC_MALFORMED, OS_R_IPV4_BAD_TOTAL_LENGTH);
    fb_be16(f.b + 16, 1000);
    expect(&f, OS_DEC_MALFORMED, OS_R_IPV4_LENGTH_EXCEEDS_WIRE);
    fb_be16(f.b + 16, 128);
    fb_be16(f.b + 38, 4);
    expect(&f, OS_DEC_MALFORMED, OS_R_UDP_BAD_LENGTH);
    fb_be16(f.b + 38, 500);
    expect(&f, OS_DEC_MALFORMED, OS_R_UDP_BAD_LENGTH);
    fb_tcp4(&f, "10.3.0.23", 51000, "10.1.0.10", 5001, 0x02, 0);
    f.b[46] = 3 << 4;
    expect(&f, OS_DEC_MALFORMED, OS_R_TCP_BAD_OFFSET);
    f.b[46] = 15 << 4;
    expect(&f, OS_DEC_MALFORMED, OS_R_TCP_BAD_OFFSET);
    f.n = 0;
    fb_eth(&f, 0x0800, NULL, 0, 0);
    fb_ipv4(&f, "10.3.0.23", "10.1.0.10", 6, 10, 0, 0);
    fb_put(&f, 10);
    expect(&f, OS_DEC_MALFORMED, OS_R_TCP_SHORT);
    f.n = 0;
    fb_eth(&f, 0x0800, NULL, 0, 0);
    fb_ipv4(&f, "10.3.0.23", "10.1.0.10", 1, 4, 0, 0);
    fb_put(&f, 4);
    expect(&f, OS_DEC_MALFORMED, OS_R_ICMP_SHORT);
    f.n = 0;
    fb_eth(&f, 0x86dd, NULL, 0, 0);
    fb_ipv6(&f, "fd00:2::31", "fd00:1::20", 17, 500);
    fb_udp(&f, 1, 2, 10);
    expect(&f, OS_DEC_MALFORMED, OS_R_IPV6_LENGTH_EXCEEDS_WIRE);
    f.b[14] = 0x50;
    expect(&f, OS_DEC_MALFORMED, OS_R_IPV6_BAD_VERSION);
    f.n = 0;
    fb_eth(&f, 0x86dd, NULL, 0, 0);
    fb_ipv6(&f, "fd00:2::31", "fd00:1::20", 0, 0);
    fb_ext8(&f, 17, 0);
    expect(&f, OS_DEC_MALFORMED, OS_R_IPV6_JUMBOGRAM);
}

static void test_short_frames_on_the_wire(void **state)
{
    (void)state;
    fb f;
    os_pkt p;
    os_reason why;
    fb_udp4(&f, "10.2.0.31", 40000, "10.1.0.20", 15000, 100);
    assert_int_equal(dec_cut(&f, DLT_EN10MB, 10, 10, &p, &why), OS_DEC_MALFORMED);
    assert_int_equal(why, OS_R_LINK_SHORT);
    assert_int_equal(dec_cut(&f, DLT_EN10MB, 24, 24, &p, &why), OS_DEC_MALFORMED);
    assert_int_equal(why, OS_R_IPV4_SHORT);
    assert_int_equal(dec_cut(&f, DLT_EN10MB, f.n, f.n - 1, &p, &why), OS_DEC_MALFORMED);
    assert_int_equal(why, OS_R_CAPLEN_EXCEEDS_WIRE);
    fb g;
    g.n = 0;
    fb_eth(&g, 0x86dd, NULL, 0, 0);
    fb_put(&g, 30);
    assert_int_equal(dec(&g, DLT_EN10MB, &p, &why), OS_DEC_MALFORMED);
    assert_int_equal(why, OS_R_IPV6_SHORT);
}

/* Snaplen cuts (wire length = full frame) inside each header are TRUNCATED
 * with that header's reason. */
static void test_truncated_reasons(void **state)
{
    (void)state;
    fb f;
    os_pkt p;
    os_reason why;
    static const uint8_t dest[1] = { 60 };
    uint16_t vlan[1] = { 7 };
    fb_udp4(&f, "10.2.0.31", 40000, "10.1.0.20", 15000, 100);
    struct { size_t cut; os_reason r; } c4[] = {
        { 10, OS_R_LINK_TRUNCATED }, { 24, OS_R_IPV4_TRUNCATED }, { 38, OS_R_UDP_TRUNCATED } };
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(dec_cut(&f, DLT_EN10MB, c4[i].cut, f.n, &p, &why), OS_DEC_TRUNCATED);
        assert_int_equal(why, c4[i].r);
    }
    fb_tcp4(&f, "10.3.0.23", 51000, "10.1.0.10", 5001, 0x02, 0);
    assert_int_equal(dec_cut(&f, DLT_EN10MB, 44, f.n, &p, &why), OS_DEC_TRUNCATED);
    assert_int_equal(why, OS_R_TCP_TRUNCATED);
    f.n = 0;
    fb_eth(&f, 0x0800, NULL, 0, 0);
    fb_ipv4(&f, "10.3.0.23", "10.1.0.10", 1, 8, 0, 0);
    fb_icmp(&f, 8, 0, NULL, 0);
    assert_int_equal(dec_cut(&f, DLT_EN10MB, 37, f.n, &p, &why), OS_DEC_TRUNCATED);
    assert_int_equal(why, OS_R_ICMP_TRUNCATED);
    v6_ext_frame(&f, dest, 1, 100);
    assert_int_equal(dec_cut(&f, DLT_EN10MB, 30, f.n, &p, &why), OS_DEC_TRUNCATED);
    assert_int_equal(why, OS_R_IPV6_TRUNCATED);
    assert_int_equal(dec_cut(&f, DLT_EN10MB, 58, f.n, &p, &why), OS_DEC_TRUNCATED);
    assert_int_equal(why, OS_R_IPV6_EXT_TRUNCATED);
    f.n = 0;
    fb_eth(&f, 0x0800, vlan, 1, 0);
    fb_ipv4(&f, "10.0.0.1", "10.0.0.2", 17, 8, 0, 0);
    fb_udp(&f, 1, 2, 0);
    assert_int_equal(dec_cut(&f, DLT_EN10MB, 15, f.n, &p, &why), OS_DEC_TRUNCATED);
    assert_int_equal(why, OS_R_VLAN_TRUNCATED);
}

/* Every prefix of valid frames: never a read past caplen (ASan), never OK
 * with pointers outside the buffer (dec_cut checks), status never OK before
 * the transport header is complete. */
static void test_every_snaplen_prefix(void **state)
{
    (void)state;
    fb fr[4];
    os_pkt p;
    os_reason why;
    static const uint8_t chain[2] = { 0, 60 };
    fb_udp4(&fr[0], "10.2.0.31", 40000, "10.1.0.20", 15000, 64);
    fb_tcp4(&fr[1], "10.3.0.23", 51000, "10.1.0.10", 5001, 0x18, 64);
    v6_ext_frame(&fr[2], chain, 2, 64);
    fb q;
    q.n = 0;
    fb_ipv4(&q, "10.3.0.23", "10.1.0.20", 6, 20, 0, 0);
    fb_tcp(&q, 51000, 6061, 2, 5, 0);
    fr[3].n = 0;
    fb_eth(&fr[3], 0x0800, NULL, 0, 0);
    fb_ipv4(&fr[3], "10.1.0.1", "10.3.0.23", 1, 36, 0, 0);
    fb_icmp(&fr[3], 3, 3, q.b, 28);
    static const size_t l4end[4] = { 42, 54, 14 + 40 + 16 + 8, 42 };
    for (int k = 0; k < 4; k++)
        for (size_t n = 0; n <= fr[k].n; n++) {
            os_decode_status st = dec_cut(&fr[k], DLT_EN10MB, n, fr[k].n, &p, &why);
            if (n < l4end[k])
                assert_int_equal(st, OS_DEC_TRUNCATED);
            else
                assert_int_equal(st, OS_DEC_OK);
        }
}

static void test_names(void **state)
{
    (void)state;
    char b[4];
    assert_string_equal(os_reason_name(OS_R_IPV4_BAD_IHL), "ipv4-bad-ihl");
    assert_string_equal(os_reason_name(OS_R_COUNT), "unknown");
    assert_string_equal(os_decode_status_name(OS_DEC_TRUNCATED), "truncated");
    assert_string_equal(os_decode_status_name(OS_DEC_OTHER_PROTO), "other_proto");
    assert_string_equal(os_decode_status_words(OS_DEC_OTHER_PROTO), "other protocol");
    assert_string_equal(os_decode_status_words(OS_DEC_FRAGMENT), "non-first fragment");
    assert_string_equal(os_decode_status_name((os_decode_status)(OS_DEC_MALFORMED + 1)), "unknown");
    assert_string_equal(os_decode_status_words((os_decode_status)(OS_DEC_MALFORMED + 1)),
                        "unknown");
    for (int st = OS_DEC_OK; st <= OS_DEC_MALFORMED; st++)
        assert_true(strlen(os_decode_status_name((os_decode_status)st)) &&
                    strlen(os_decode_status_words((os_decode_status)st)));
    assert_string_equal(os_proto_name(58, b), "IPv6-ICMP");
    assert_string_equal(os_proto_name(47, b), "47");
    for (int r = 0; r < OS_R_COUNT; r++)
        assert_true(strlen(os_reason_name((os_reason)r)) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_udp4_ok),
        cmocka_unit_test(test_snaplen96_classifies_fully),
        cmocka_unit_test(test_tcp_flags_seq_and_options),
        cmocka_unit_test(test_vlan_and_qinq),
        cmocka_unit_test(test_not_ip),
        cmocka_unit_test(test_link_types),
        cmocka_unit_test(test_raw_ipv6_and_loop_af_inet6),
        cmocka_unit_test(test_ipv4_fragments),
        cmocka_unit_test(test_ipv4_first_fragment_has_ports),
        cmocka_unit_test(test_ipv6_extension_chain),
        cmocka_unit_test(test_ipv6_fragments),
        cmocka_unit_test(test_icmp4_error_quotes_flow),
        cmocka_unit_test(test_icmp6_admin_prohibited_quotes_udp),
        cmocka_unit_test(test_icmp_quote_defects),
        cmocka_unit_test(test_malformed_reasons),
        cmocka_unit_test(test_short_frames_on_the_wire),
        cmocka_unit_test(test_truncated_reasons),
        cmocka_unit_test(test_every_snaplen_prefix),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
