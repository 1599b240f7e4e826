/* gen_hostile.c — the hostile capture set: captures corrupt on purpose.
 *
 * pcaps/hostile-*: every header length field too small and too large
 * (Ethernet/VLAN, IPv4, IPv6, UDP, TCP, ICMP quotes), IPv6 extension-header
 * chains past any sane depth, odd record lengths (zero, 262144, caplen above
 * the snaplen or the wire length), files cut inside their header, a record
 * header or a pcapng block, pcapng with several interfaces and with corrupt
 * block lengths. Each defect a packet (or a file), the comments name it;
 * tests/gen/README.md says what each capture must yield. They extend
 * malformed.pcap and cut-mid-record.pcap (omnigen.c) and repeat none of
 * their defects. Test data only. */
#include "gen.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t mac12[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };

/* ---- writers for what write_pcap/write_pcapng cannot express ----------- */

/* Classic pcap file header: little-endian, µs. */
static void pcap_head(FILE *o, uint32_t snaplen, int lt)
{
    w32(o, 0xa1b2c3d4, 0), w16(o, 2, 0), w16(o, 4, 0), w32(o, 0, 0), w32(o, 0, 0);
    w32(o, snaplen, 0), w32(o, (uint32_t)lt, 0);
}

/* One record: the header says caplen and wire; n bytes of d follow. */
static void pcap_rec(FILE *o, uint64_t ts, uint32_t usec, uint32_t caplen, uint32_t wire,
                     const uint8_t *d, uint32_t n)
{
    w32(o, (uint32_t)(ts / SEC), 0), w32(o, usec, 0), w32(o, caplen, 0), w32(o, wire, 0);
    fwrite(d, 1, n, o);
}

static void le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* pcapng section header block (little-endian, section length unknown). */
static void ng_shb(FILE *o)
{
    w32(o, 0x0A0D0D0A, 0), w32(o, 28, 0), w32(o, 0x1A2B3C4D, 0), w16(o, 1, 0), w16(o, 0, 0);
    w32(o, 0xffffffff, 0), w32(o, 0xffffffff, 0), w32(o, 28, 0);
}

/* pcapng interface description block, µs timestamps (no options). */
static void ng_idb(FILE *o, int lt, uint32_t snaplen)
{
    w32(o, 1, 0), w32(o, 20, 0), w16(o, (unsigned)lt, 0), w16(o, 0, 0), w32(o, snaplen, 0);
    w32(o, 20, 0);
}

/* pcapng enhanced packet block; blen = its total length as written in both
 * length fields (0 = the right one); only n bytes of the block are written
 * (0 = all of it). */
static void ng_epb(FILE *o, uint32_t ifid, uint64_t ts_ns, const uint8_t *d, uint32_t len,
                   uint32_t blen, uint32_t n)
{
    static uint8_t b[MAXF + 64];
    uint32_t pad = (4 - len % 4) % 4, right = 32 + len + pad, k = 0;
    uint64_t t = ts_ns / 1000;
    memset(b, 0, sizeof b);
    if (!blen)
        blen = right;
    uint32_t v[7] = { 6, blen, ifid, (uint32_t)(t >> 32), (uint32_t)t, len, len };
    for (int i = 0; i < 7; i++, k += 4)
        le32(b + k, v[i]);
    memcpy(b + k, d, len);
    le32(b + right - 4, blen);
    fwrite(b, 1, n ? n : right, o);
}

/* ---- frame surgery ---------------------------------------------------- */

/* Turn f into a complete Ethernet frame: ntags 802.1Q tags (ids 100, 101…),
 * then `type` (0 = what the IP version says), then its datagram. */
static frame *to_ether(frame *f, int ntags, unsigned type)
{
    uint8_t b[MAXF];
    uint32_t h = 12;
    memcpy(b, mac12, 12);
    for (int i = 0; i < ntags; i++, h += 4)
        be16(b + h, 0x8100), be16(b + h + 2, 100u + (unsigned)i);
    be16(b + h, type ? type : (f->ip[0] >> 4) == 6 ? 0x86dd : 0x0800);
    h += 2;
    memcpy(b + h, f->ip, f->len);
    memcpy(f->ip, b, h + f->len);
    f->len += h;
    f->raw_l2 = 1;
    return f;
}

/* A datagram of proto carrying only the n bytes of l4 (too few for it). */
static frame *ip_bytes(uint64_t ts, addr s, addr d, uint8_t proto, uint32_t n)
{
    uint8_t l4[64];
    frame *f = newf(ts);
    fill(l4, sizeof l4, n);
    ip_wrap(f, &s, &d, proto, l4, n, NULL, 0);
    return f;
}

/* An IPv6 UDP datagram behind n extension headers of the types in pat
 * (repeated), each 8 bytes; the chain may be longer than ext allows. */
static frame *v6_chain(uint64_t ts, int n, const uint8_t *pat, int npat)
{
    addr s = ENC6, d = ARC6;
    frame *f = udp(ts, s, 40000, d, 15000, 16);
    uint8_t l4[64];
    uint32_t l4len = f->len - 40, hl = (uint32_t)n * 8;
    memcpy(l4, f->ip + 40, l4len);
    for (int i = 0; i < n; i++) {
        uint8_t *e = f->ip + 40 + i * 8;
        memset(e, 0, 8);
        e[0] = i + 1 < n ? pat[(i + 1) % npat] : 17;
        if (pat[i % npat] != 44)
            e[2] = 1, e[3] = 4; /* PadN */
    }
    f->ip[6] = pat[0];
    be16(f->ip + 4, hl + l4len);
    memcpy(f->ip + 40 + hl, l4, l4len);
    f->len = 40 + hl + l4len;
    return f;
}

/* ---- hostile-headers.pcap: each header length field too small / large -- */

static void hdr_ethernet(uint64_t *t)
{
    uint8_t b[60];
    frame *f;
    udp(*t += MS, ENC1, 40000, ARC, 15000, 100)->caplen_override = 10; /* snaplen cut in Ethernet */
    memset(b, 0, sizeof b);
    memcpy(b, mac12, 12);
    be16(b + 12, 46), b[14] = 0xaa, b[15] = 0xaa, b[16] = 3;   /* 802.3 length 46: LLC/SNAP */
    ether_raw(*t += MS, b, 60);
    be16(b + 12, 1500);                                          /* 802.3 length 1500 > frame */
    ether_raw(*t += MS, b, 60);
    be16(b + 12, 0x8100), be16(b + 14, 100);                     /* frame ends inside a tag */
    ether_raw(*t += MS, b, 16);
    f = udp(*t += MS, ENC1, 40000, ARC, 15000, 100);             /* snaplen cut inside a tag */
    f->nvlan = 1, f->vlan[0] = 100, f->caplen_override = 16;
    to_ether(udp(*t += MS, ENC1, 40000, ARC, 15000, 100), 5, 0); /* 5 tags: too deep */
    to_ether(udp(*t += MS, ENC1, 40000, ARC, 15000, 100), 4, 0); /* 4 tags: the most, OK */
}

static void hdr_ipv4(uint64_t *t)
{
    frame *f;
    udp(*t += MS, ENC1, 40000, ARC, 15000, 100)->ip[0] = 0x40;   /* IHL 0 */
    udp(*t += MS, ENC1, 40000, ARC, 15000, 12)->ip[0] = 0x4f;    /* IHL 15, total 40 < 60 */
    f = udp(*t += MS, ENC1, 40000, ARC, 15000, 12);              /* IHL 15, total 60 > frame */
    f->ip[0] = 0x4f, be16(f->ip + 2, 60);
    udp(*t += MS, ENC1, 40000, ARC, 15000, 32)->ip[0] = 0x4f;    /* IHL 15 swallows UDP */
    f = udp(*t += MS, ENC1, 40000, ARC, 15000, 72);              /* options cut by snaplen */
    f->ip[0] = 0x4f, f->caplen_override = 14 + 40;
    udp(*t += MS, ENC1, 40000, ARC, 15000, 100)->len = 12;       /* frame ends in the header */
    be16(udp(*t += MS, ENC1, 40000, ARC, 15000, 100)->ip + 2, 0);      /* total length 0 */
    be16(udp(*t += MS, ENC1, 40000, ARC, 15000, 100)->ip + 2, 65535);  /* total length 65535 */
    udp(*t += MS, ENC1, 40000, ARC, 15000, 10)->len += 20;       /* total < frame: trailer, OK */
    f = udp(*t += MS, ENC1, 40000, ARC, 15000, 20);              /* IHL 6 with options, OK */
    memmove(f->ip + 24, f->ip + 20, f->len - 20);
    f->ip[20] = f->ip[21] = f->ip[22] = 1, f->ip[23] = 0;
    f->ip[0] = 0x46, f->len += 4, be16(f->ip + 2, f->len);
    ip_bytes(*t += MS, ENC1, ARC, 58, 8);                        /* ICMPv6 in IPv4: other */
}

static void hdr_ipv6(uint64_t *t)
{
    addr e = ENC6, a = ARC6;
    ext hop = { 1, { 0 }, 0 };
    frame *f;
    be16(udp(*t += MS, e, 40000, a, 15000, 20)->ip + 4, 0);     /* payload length 0 */
    be16(udp(*t += MS, e, 40000, a, 15000, 20)->ip + 4, 7);     /* payload length 7 < UDP */
    be16(udp(*t += MS, e, 40000, a, 15000, 20)->ip + 4, 65535); /* payload length 65535 */
    be16(udpx(*t += MS, e, 40000, a, 15000, 20, &hop)->ip + 4, 0); /* jumbogram */
    udp(*t += MS, e, 40000, a, 15000, 20)->len = 30;             /* frame ends in the header */
    udp(*t += MS, e, 40000, a, 15000, 20)->caplen_override = 14 + 30; /* snaplen cut in it */
    f = udp(*t += MS, e, 40000, a, 15000, 20);                   /* version 4 behind 0x86dd */
    f->ip[0] = 0x40;
    to_ether(f, 0, 0x86dd);
    udp(*t += MS, e, 40000, a, 15000, 10)->len += 20;            /* payload < frame: OK */
    ip_bytes(*t += MS, e, a, 1, 8);                              /* ICMPv4 in IPv6: other */
}

static void hdr_udp_tcp(uint64_t *t)
{
    be16(udp(*t += MS, ENC1, 40000, ARC, 15000, 100)->ip + 24, 0);     /* UDP length 0 */
    be16(udp(*t += MS, ENC1, 40000, ARC, 15000, 100)->ip + 24, 7);     /* UDP length 7 */
    udp(*t += MS, ENC1, 40000, ARC, 15000, 0);                         /* UDP length 8: OK */
    be16(udp(*t += MS, ENC1, 40000, ARC, 15000, 100)->ip + 24, 65535); /* UDP length 65535 */
    ip_bytes(*t += MS, ENC1, ARC, 17, 4);                              /* 4 bytes of UDP */
    udp(*t += MS, ENC1, 40000, ARC, 15000, 100)->caplen_override = 14 + 24; /* cut in UDP */
    be16(udp(*t += MS, ENC1, 40000, ARC, 15000, 20)->ip + 24, 18);     /* UDP < IP: OK */
    tcp(*t += MS, CLI, 51000, GW, 5001, 1, 0, SYN, 0)->ip[32] = 0;      /* offset 0 */
    tcp(*t += MS, CLI, 51000, GW, 5001, 1, 0, SYN, 0)->ip[32] = 4 << 4; /* offset 4 */
    tcp(*t += MS, CLI, 51000, GW, 5001, 1, 0, SYN, 0)->ip[32] = 6 << 4; /* offset 6 > 20 B */
    ip_bytes(*t += MS, CLI, GW, 6, 10);                                 /* 10 bytes of TCP */
    frame *f = tcp(*t += MS, CLI, 51001, GW, 5001, 1, 0, SYN, 40);      /* options cut: OK */
    f->ip[32] = 15 << 4, f->caplen_override = 14 + 20 + 24;
}

/* ICMP errors whose quote is cut short or broken. */
static void hdr_icmp(uint64_t *t)
{
    addr e6 = ENC6, a6 = ARC6, r6 = RTR6;
    ext twelve = { 12, { 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60 }, 0 }, one = { 1, { 60 }, 0 };
    frame q, q6;
    udp(*t += MS, ENC1, 40000, ARC, 15002, 100);
    q = pop();
    icmp_err(*t += MS, ARC, ENC1, 3, 3, &q, 28)->caplen_override = 14 + 24; /* cut in ICMP */
    icmp_err(*t += MS, ARC, ENC1, 3, 3, &q, 0);                  /* no quote at all */
    icmp_err(*t += MS, ARC, ENC1, 3, 3, &q, 10);                 /* quote of 10 bytes */
    icmp_err(*t += MS, ARC, ENC1, 3, 3, &q, 20);                 /* IP header only: no ports */
    icmp_err(*t += MS, ARC, ENC1, 3, 3, &q, 22);                 /* half the ports */
    q.ip[0] = 0x44;
    icmp_err(*t += MS, ARC, ENC1, 3, 3, &q, 28);                 /* quoted IHL 4 */
    q.ip[0] = 0x4f;
    icmp_err(*t += MS, ARC, ENC1, 3, 3, &q, 28);                 /* quoted IHL 15, 28 bytes */
    udp(*t, e6, 40000, a6, 15000, 20);
    q6 = pop();
    icmp_err(*t += MS, ARC, ENC1, 3, 3, &q6, 48);                /* IPv6 quoted in ICMPv4 */
    icmp_err(*t += MS, r6, e6, 1, 1, &q6, 30);                   /* ICMPv6: quote of 30 bytes */
    udpx(*t, e6, 40000, a6, 15000, 8, &twelve);
    q6 = pop();
    icmp_err(*t += MS, r6, e6, 1, 1, &q6, q6.len);               /* quote: 12 ext headers */
    udpx(*t, e6, 40000, a6, 15000, 8, &one);
    q6 = pop();
    q6.ip[41] = 255;
    icmp_err(*t += MS, r6, e6, 1, 1, &q6, q6.len);               /* quoted ext past the quote */
}

static void build_headers(void)
{
    uint64_t t = T0 * SEC;
    reset();
    hdr_ethernet(&t);
    hdr_ipv4(&t);
    hdr_ipv6(&t);
    hdr_udp_tcp(&t);
    hdr_icmp(&t);
}

/* ---- hostile-ipv6-ext.pcap: extension-header chains and loops ---------- */

static void build_ipv6_ext(void)
{
    static const uint8_t dst[1] = { 60 }, hbh[1] = { 0 }, rt[1] = { 43 }, frag[1] = { 44 },
                         ah[1] = { 51 }, mix[5] = { 0, 60, 43, 44, 51 };
    uint64_t t = T0 * SEC;
    addr e = ENC6, a = ARC6, r = RTR6;
    frame *f;
    reset();
    v6_chain(t += MS, 8, dst, 1);            /* 8 destination options: the most, OK */
    v6_chain(t += MS, 9, dst, 1);            /* 9: too many */
    v6_chain(t += MS, 200, dst, 1);          /* 200: 60 -> 60 -> ... a loop in all but name */
    v6_chain(t += MS, 3, hbh, 1);            /* hop-by-hop repeated: accepted */
    v6_chain(t += MS, 9, frag, 1);           /* 9 fragment headers, offset 0 */
    v6_chain(t += MS, 8, rt, 1);             /* 8 routing headers, OK */
    v6_chain(t += MS, 12, mix, 5);           /* every kind, 12 deep */
    v6_chain(t += MS, 2, ah, 1)->ip[41] = 255;        /* AH length 255: past the payload */
    v6_chain(t += MS, 2, dst, 1)->ip[41] = 255;       /* ext length 255 (2048 B) */
    f = v6_chain(t += MS, 1, dst, 1);                 /* payload length 0, ext claimed */
    be16(f->ip + 4, 0);
    v6_chain(t += MS, 4, dst, 1)->caplen_override = 14 + 40 + 20; /* snaplen cut in the chain */
    f = v6_chain(t += MS, 3, dst, 1);                 /* chain ends in No Next Header (59) */
    f->ip[40 + 16] = 59;
    v6_chain(t += MS, 40, dst, 1);                    /* quoted below: 40 deep */
    frame q = pop();
    icmp_err(t += MS, r, e, 1, 1, &q, q.len);          /* ICMPv6 quoting that chain */
    udp(t += MS, e, 40000, a, 15000, 16);             /* healthy */
}

/* ---- record-level defects (classic pcap) ------------------------------ */

/* Zero-length records, caplen above the wire length, a wire length of
 * 4 GiB, a microsecond field past one second. */
static void write_records(const char *dir)
{
    uint8_t b[MAXF + 64];
    uint64_t t = T0 * SEC;
    reset();
    udp(t, ENC1, 40000, ARC, 15000, 100);
    uint32_t n = l2(&g.f[0], LT_EN10MB, b);
    FILE *o = open_out(dir, "hostile-records.pcap", 6);
    pcap_head(o, 262144, LT_EN10MB);
    pcap_rec(o, t, 0, 0, 0, b, 0);                /* caplen 0, wire 0 */
    pcap_rec(o, t, 1000, 0, n, b, 0);             /* caplen 0, wire 142 */
    pcap_rec(o, t, 2000, n, n, b, n);             /* healthy */
    pcap_rec(o, t, 3000, n, 0, b, n);             /* wire 0 < caplen */
    pcap_rec(o, t, 4000, n, 0xffffffff, b, n);    /* wire 4 GiB */
    pcap_rec(o, t, 1500000, n, n, b, n);          /* µs field 1500000 */
    fclose(o);
}

/* One record of the maximum length libpcap reads (262144): an IPv4 UDP
 * datagram of the maximum size (65535) and Ethernet trailer after it. */
static void write_max_record(const char *dir)
{
    uint32_t max = 262144, paylen = 65535 - 28;
    uint8_t *b = calloc(1, max);
    if (!b)
        exit(1);
    memcpy(b, mac12, 12), be16(b + 12, 0x0800);
    b[14] = 0x45, be16(b + 16, 65535), b[22] = 64, b[23] = 17;
    memcpy(b + 26, (uint8_t[]){ 10, 2, 0, 31, 10, 1, 0, 20 }, 8);
    be16(b + 34, 40000), be16(b + 36, 15000), be16(b + 38, 8 + paylen);
    fill(b + 42, paylen, 9);
    FILE *o = open_out(dir, "hostile-max-record.pcap", 1);
    pcap_head(o, max, LT_EN10MB);
    pcap_rec(o, T0 * SEC, 0, max, max, b, max);
    fclose(o);
    free(b);
}

/* Records longer than the file's snaplen (64): caplen 142 and 200 (> wire). */
static void write_over_snaplen(const char *dir)
{
    uint8_t b[MAXF + 64];
    reset();
    udp(T0 * SEC, ENC1, 40000, ARC, 15000, 100);
    uint32_t n = l2(&g.f[0], LT_EN10MB, b);
    FILE *o = open_out(dir, "hostile-over-snaplen.pcap", 3);
    pcap_head(o, 64, LT_EN10MB);
    pcap_rec(o, T0 * SEC, 0, 64, n, b, 64);       /* healthy, cut at the snaplen */
    pcap_rec(o, T0 * SEC, 1000, n, n, b, n);      /* caplen 142 > snaplen 64 */
    memset(b + n, 0, 200 - n);
    pcap_rec(o, T0 * SEC, 2000, 200, n, b, 200);  /* caplen 200 > snaplen, > wire */
    fclose(o);
}

/* Two healthy records, then one whose caplen is 262145: above what libpcap
 * reads at all. */
static void write_caplen_too_big(const char *dir)
{
    uint8_t b[MAXF + 64];
    reset();
    udp(T0 * SEC, ENC1, 40000, ARC, 15000, 100);
    uint32_t n = l2(&g.f[0], LT_EN10MB, b);
    FILE *o = open_out(dir, "hostile-caplen-too-big.pcap", 3);
    pcap_head(o, 262144, LT_EN10MB);
    pcap_rec(o, T0 * SEC, 0, n, n, b, n);
    pcap_rec(o, T0 * SEC, 1000, n, n, b, n);
    pcap_rec(o, T0 * SEC, 2000, 262145, 262145, b, n);
    fclose(o);
}

/* Files cut inside the file header, a record header, a pcapng block. */
static void write_cuts(const char *dir)
{
    uint8_t b[MAXF + 64];
    FILE *o = open_out(dir, "hostile-zero-bytes.pcap", 0);
    fclose(o);
    o = open_out(dir, "hostile-cut-file-header.pcap", 0);
    w32(o, 0xa1b2c3d4, 0), w16(o, 2, 0), w16(o, 4, 0), w32(o, 0, 0); /* 12 of 24 bytes */
    fclose(o);
    o = open_out(dir, "hostile-cut-file-header.pcapng", 0);
    w32(o, 0x0A0D0D0A, 0), w32(o, 28, 0), w32(o, 0x1A2B3C4D, 0), w16(o, 1, 0); /* 14 of 28 */
    fclose(o);
    reset();
    udp(T0 * SEC, ENC1, 40000, ARC, 15000, 100);
    uint32_t n = l2(&g.f[0], LT_EN10MB, b);
    o = open_out(dir, "hostile-cut-record-header.pcap", 3);
    pcap_head(o, 262144, LT_EN10MB);
    pcap_rec(o, T0 * SEC, 0, n, n, b, n);
    pcap_rec(o, T0 * SEC, 1000, n, n, b, n);
    w32(o, (uint32_t)T0, 0), w32(o, 2000, 0);                      /* 8 of 16 bytes */
    fclose(o);
    o = open_out(dir, "hostile-cut-block.pcapng", 3);
    ng_shb(o), ng_idb(o, LT_EN10MB, 262144);
    ng_epb(o, 0, T0 * SEC, b, n, 0, 0);
    ng_epb(o, 0, T0 * SEC + MS, b, n, 0, 0);
    ng_epb(o, 0, T0 * SEC + 2 * MS, b, n, 0, 100);                 /* 100 of 176 bytes */
    fclose(o);
}

/* ---- pcapng: several interfaces, corrupt block lengths ----------------- */

/* The same UDP datagram as each interface's link type frames it. */
static uint32_t framed(int lt, uint8_t *out)
{
    return l2(&g.f[0], lt, out);
}

/* Interfaces of three link types (Ethernet, raw IP, Linux cooked), two
 * packets on each; a second Ethernet interface of another snaplen added
 * after two packets; two alike Ethernet interfaces, two packets on each. */
static void write_multi_iface(const char *dir)
{
    static const int lts[3] = { LT_EN10MB, LT_RAW, LT_SLL };
    uint8_t b[MAXF + 64];
    reset();
    udp(T0 * SEC, ENC1, 40000, ARC, 15000, 100);
    FILE *o = open_out(dir, "hostile-multi-linktype.pcapng", 6);
    ng_shb(o);
    for (int i = 0; i < 3; i++)
        ng_idb(o, lts[i], 262144);
    for (int k = 0; k < 6; k++) {
        uint32_t n = framed(lts[k % 3], b);
        ng_epb(o, (uint32_t)(k % 3), T0 * SEC + (uint64_t)k * MS, b, n, 0, 0);
    }
    fclose(o);
    o = open_out(dir, "hostile-multi-snaplen.pcapng", 4);
    ng_shb(o);
    ng_idb(o, LT_EN10MB, 262144);                  /* Ethernet, 262144 */
    uint32_t n = framed(LT_EN10MB, b);
    ng_epb(o, 0, T0 * SEC, b, n, 0, 0);
    ng_epb(o, 0, T0 * SEC + MS, b, n, 0, 0);
    ng_idb(o, LT_EN10MB, 96);                      /* added later: Ethernet, 96 */
    ng_epb(o, 1, T0 * SEC + 2 * MS, b, 96, 0, 0);
    ng_epb(o, 0, T0 * SEC + 3 * MS, b, n, 0, 0);
    fclose(o);
    o = open_out(dir, "hostile-multi-iface.pcapng", 4);
    ng_shb(o);
    ng_idb(o, LT_EN10MB, 262144), ng_idb(o, LT_EN10MB, 262144);
    for (int k = 0; k < 4; k++)
        ng_epb(o, (uint32_t)(k % 2), T0 * SEC + (uint64_t)k * MS, b, n, 0, 0);
    fclose(o);
}

/* A pcapng whose third block claims a length of 8 (below the minimum, 12),
 * and one whose third block claims 1 GiB. */
static void write_bad_block_len(const char *dir)
{
    uint8_t b[MAXF + 64];
    static const struct { const char *name; uint32_t blen; } bad[] = {
        { "hostile-block-len-small.pcapng", 8 },
        { "hostile-block-len-huge.pcapng", 0x40000000 },
        { "hostile-block-len-odd.pcapng", 174 },
    };
    reset();
    udp(T0 * SEC, ENC1, 40000, ARC, 15000, 100);
    uint32_t n = l2(&g.f[0], LT_EN10MB, b);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        FILE *o = open_out(dir, bad[i].name, 3);
        ng_shb(o), ng_idb(o, LT_EN10MB, 262144);
        ng_epb(o, 0, T0 * SEC, b, n, 0, 0);
        ng_epb(o, 0, T0 * SEC + MS, b, n, 0, 0);
        ng_epb(o, 0, T0 * SEC + 2 * MS, b, n, bad[i].blen, 0);
        ng_epb(o, 0, T0 * SEC + 3 * MS, b, n, 0, 0);
        fclose(o);
    }
}

/* Write the hostile captures into dir. */
void write_hostile(const char *dir)
{
    build_headers();
    write_pcap(dir, "hostile-headers.pcap", LT_EN10MB, 0, 0, 262144, 0);
    build_ipv6_ext();
    write_pcap(dir, "hostile-ipv6-ext.pcap", LT_EN10MB, 0, 0, 262144, 0);
    write_records(dir);
    write_max_record(dir);
    write_over_snaplen(dir);
    write_caplen_too_big(dir);
    write_cuts(dir);
    write_multi_iface(dir);
    write_bad_block_len(dir);
}
