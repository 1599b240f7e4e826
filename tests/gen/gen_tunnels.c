/* gen_tunnels.c — captures of traffic inside tunnels and of odd lengths
 * (issue 18), and the fuzz seeds taken from them.
 *
 *   tunnel-erspan.pcap    a remote span session: ERSPAN II (and a session
 *                         that truncates what it mirrors), ERSPAN III with a
 *                         platform subheader, ERSPAN I, GRE with a key, each
 *                         carrying Omnicast flows of the sample site
 *   tunnel-overlay.pcap   VXLAN (two VNIs carrying the same inner flows),
 *                         Geneve, MPLS (two labels, and a pseudowire with a
 *                         control word), PPPoE, IP-in-IP, 6in4, 4in6, 802.1ah,
 *                         and an AH-protected connection
 *   tunnel-too-deep.pcap  tunnels nested past the decoder's bound, and one
 *                         cut or broken tunnel header per reason
 *   tso.pcap              a playback transfer taken on the Archiver with
 *                         large-send offload (IPv4 total length 0, 9000-byte
 *                         frames) and an IPv6 BIG TCP frame (payload length
 *                         0, no jumbo option, 70 074 bytes)
 *   merge-a.pcap, merge-b.pcap  one small site taken at two points at once
 *                         (Ethernet on the client's access switch, Linux
 *                         cooked on the Archiver), interleaved in time
 *   merge-backwards.pcap  two captures concatenated: time jumps back 3 h
 *
 * Outer addresses are documentation prefixes (192.0.2.0/24, 2001:db8::/32);
 * inner ones the sample site's (gen.h). tests/gen/README.md ("Tunnel
 * captures") gives each capture's expected figures. Test data only: the
 * decoder reads the VXLAN and Geneve ports from its configuration. */
#include "gen.h"

#include <stdlib.h>
#include <string.h>

#define OS_DEPTH 4 /* tunnels the decoder opens (OS_MAX_ENCAP) */

enum { TK_GRE, TK_ERSPAN1, TK_ERSPAN2, TK_ERSPAN3, TK_VXLAN, TK_GENEVE, TK_MPLS, TK_PW,
       TK_PPPOE, TK_IPIP, TK_PBB };

/* One inner flow: a whole TCP connection (tcp_conn) or a UDP stream of
 * n_cs datagrams of sz_cs bytes, 33 ms apart. */
typedef struct inner {
    int tcp;            /* 1: TCP connection, 0: UDP stream */
    addr c, s;          /* initiator (sender), responder */
    unsigned cp, sp;    /* their ports */
    int n_cs;           /* segments (datagrams) from c */
    uint32_t sz_cs;     /* their size */
    int n_sc;           /* segments from s (TCP) */
    uint32_t sz_sc;     /* their size */
    uint64_t at;        /* start, ms after T0 */
} inner;

#define TCPF(ms, c, cp, s, sp, n1, z1, n2, z2) { 1, c, s, cp, sp, n1, z1, n2, z2, ms }
#define UDPF(ms, c, cp, s, sp, n, z) { 0, c, s, cp, sp, n, z, 0, 0, ms }

/* One tunnel and the inner flows it carries. The flows' initiators sit
 * behind a: their packets travel a -> b, the answers b -> a. */
typedef struct tunnel {
    const char *name;  /* fuzz seed name (NULL: no seed) */
    int kind;          /* TK_* */
    addr a, b;         /* outer endpoints (ERSPAN: the switch, the collector) */
    uint32_t id;       /* GRE key, ERSPAN session, VNI, MPLS label, PPPoE session, I-SID */
    inner fl[2];       /* what it carries (n_cs 0: none) */
    uint32_t cut;      /* ERSPAN: the session cuts mirrored frames to this (0 = no) */
    uint32_t seq;      /* GRE sequence number of the next frame (ERSPAN II/III) */
} tunnel;

/* The first frame of each named tunnel of the capture being built: the
 * fuzz seeds (write_tunnel_seeds). */
static struct {
    const char *name;  /* seed name */
    uint32_t seq;      /* its frame's creation number (frame.seq) */
} seeds[16];
static int nseeds;

static const uint8_t tmac[12] = { 2, 0, 0, 0, 0, 0xb, 2, 0, 0, 0, 0, 0xa }; /* routers */

/* ---- outer layers ----------------------------------------------------- */

/* An IP datagram of protocol proto from s to d carrying n bytes of b. */
static frame *ip_carry(uint64_t ts, addr s, addr d, uint8_t proto, const uint8_t *b, uint32_t n)
{
    frame *f = newf(ts);
    ip_wrap(f, &s, &d, proto, b, n, NULL, 0);
    return f;
}

/* A complete Ethernet frame of EtherType type carrying n bytes of b. */
static frame *eth_carry(uint64_t ts, unsigned type, const uint8_t *b, uint32_t n)
{
    uint8_t e[MAXF];
    memcpy(e, tmac, 12);
    be16(e + 12, type);
    memcpy(e + 14, b, n);
    ether_raw(ts, e, 14 + n);
    return &g.f[g.n - 1];
}

/* GRE header (RFC 2784/2890): key and sequence words as flags say. */
static uint32_t gre_head(uint8_t *b, unsigned flags, unsigned proto, uint32_t key, uint32_t seq)
{
    uint32_t n = 4;
    be16(b, flags);
    be16(b + 2, proto);
    if (flags & 0x2000)
        be32(b + n, key), n += 4;
    if (flags & 0x1000)
        be32(b + n, seq), n += 4;
    return n;
}

static unsigned ip_type(const frame *in) { return (in->ip[0] >> 4) == 6 ? 0x86dd : 0x0800; }

/* The inner frame travels a -> b (else b -> a): sent by an initiator. */
static int from_near(const tunnel *t, const frame *in)
{
    int v6 = (in->ip[0] >> 4) == 6;
    if (in->raw_l2)
        return 1;
    for (int i = 0; i < 2; i++) {
        const addr *c = &t->fl[i].c;
        if (t->fl[i].n_cs && c->v6 == v6 && memcmp(in->ip + (v6 ? 8 : 12), c->b, v6 ? 16 : 4) == 0)
            return 1;
    }
    return 0;
}

/* ---- one function per tunnel kind: the outer frame of `in` ---------- */

static frame *wrap_gre(tunnel *t, const frame *in, int fwd)
{
    uint8_t b[MAXF];
    unsigned proto = in->raw_l2 ? 0x6558 : ip_type(in);
    uint32_t n = gre_head(b, 0x2000, proto, t->id, 0);
    n += in->raw_l2 ? l2(in, LT_EN10MB, b + n) : (memcpy(b + n, in->ip, in->len), in->len);
    return ip_carry(in->ts_ns, fwd ? t->a : t->b, fwd ? t->b : t->a, 47, b, n);
}

/* ERSPAN I (no header), II (8 bytes: version 1, VLAN 10, session, port
 * index 5) or III (12 bytes: version 2, a 100 µs timestamp, hardware id 1,
 * frame type Ethernet, O set, then an 8-byte platform subheader), always
 * switch -> collector; a session with `cut` truncates the mirrored frame
 * and sets T. */
static frame *wrap_erspan(tunnel *t, const frame *in)
{
    uint8_t b[MAXF + 64], e[MAXF + 64];
    uint32_t m = l2(in, LT_EN10MB, e), trunc = t->cut && m > t->cut;
    uint32_t n = gre_head(b, t->kind == TK_ERSPAN1 ? 0 : 0x1000,
                          t->kind == TK_ERSPAN3 ? 0x22eb : 0x88be, 0, t->seq++);
    if (trunc)
        m = t->cut;
    if (t->kind != TK_ERSPAN1) {
        be16(b + n, (t->kind == TK_ERSPAN2 ? 0x1000u : 0x2000u) | 10);
        be16(b + n + 2, (trunc ? 0x0400u : 0) | t->id);
        n += 4;
    }
    if (t->kind == TK_ERSPAN2)
        be32(b + n, 5), n += 4;
    if (t->kind == TK_ERSPAN3) {
        be32(b + n, (uint32_t)(in->ts_ns / 100000)); /* granularity 0: 100 µs */
        be32(b + n + 4, 1u << 4 | 1u);                /* SGT 0, hw id 1, FT 0, O */
        be32(b + n + 8, 3u << 26 | 5);                 /* platform id 3, port 5 */
        be32(b + n + 12, 0);
        n += 16;
    }
    memcpy(b + n, e, m);
    return ip_carry(in->ts_ns, t->a, t->b, 47, b, n + m);
}

/* VXLAN (RFC 7348) to 4789 or Geneve (RFC 8926, one empty option) to 6081;
 * the outer source port hashes the inner ports (the same both ways). */
static frame *wrap_udp(tunnel *t, const frame *in, int fwd)
{
    uint8_t b[MAXF + 64];
    uint32_t n = 8, ihl = (in->ip[0] >> 4) == 6 ? 40 : 20;
    unsigned sp = 49152;
    if (!in->raw_l2)
        sp += ((unsigned)(in->ip[ihl] << 8 | in->ip[ihl + 1]) +
               (unsigned)(in->ip[ihl + 2] << 8 | in->ip[ihl + 3])) & 0x3fff;
    memset(b, 0, 12);
    be32(b + 4, t->id << 8);
    if (t->kind == TK_VXLAN) {
        b[0] = 0x08; /* I: the VNI is valid */
    } else {
        b[0] = 1;    /* version 0, one 4-byte option */
        be16(b + 2, 0x6558);
        be16(b + 8, 0x0101), b[10] = 0x80; /* option class 0x0101, type 0x80, no data */
        n += 4;
    }
    n += l2(in, LT_EN10MB, b + n);
    return udp_datax(in->ts_ns, fwd ? t->a : t->b, sp, fwd ? t->b : t->a,
                     t->kind == TK_VXLAN ? 4789 : 6081, b, n, NULL);
}

static uint32_t mpls_label(uint8_t *b, uint32_t label, int bottom)
{
    be32(b, label << 12 | (bottom ? 0x100u : 0) | 64);
    return 4;
}

/* MPLS: two labels over IP (both differ by direction, as real label
 * switched paths do), or one label, a zero control word and an Ethernet
 * frame (a pseudowire). */
static frame *wrap_mpls(tunnel *t, const frame *in, int fwd)
{
    uint8_t b[MAXF + 64];
    uint32_t lab = fwd ? t->id : t->id + 100, n = 0;
    if (t->kind == TK_MPLS) {
        n += mpls_label(b, lab, 0);
        n += mpls_label(b + n, lab + 1, 1);
        memcpy(b + n, in->ip, in->len);
        n += in->len;
    } else {
        n += mpls_label(b, lab, 1);
        memset(b + n, 0, 4), n += 4;
        n += l2(in, LT_EN10MB, b + n);
    }
    return eth_carry(in->ts_ns, 0x8847, b, n);
}

/* PPPoE session stage (RFC 2516): PPP carrying IPv4 (0x0021) or IPv6 (0x0057). */
static frame *wrap_pppoe(tunnel *t, const frame *in)
{
    uint8_t b[MAXF];
    b[0] = 0x11, b[1] = 0;
    be16(b + 2, t->id);
    be16(b + 4, 2 + in->len);
    be16(b + 6, ip_type(in) == 0x86dd ? 0x0057 : 0x0021);
    memcpy(b + 8, in->ip, in->len);
    return eth_carry(in->ts_ns, 0x8864, b, 8 + in->len);
}

/* 802.1ah: a B-TAG (B-VID 100), the I-TAG with the I-SID, the customer frame. */
static frame *wrap_pbb(tunnel *t, const frame *in)
{
    uint8_t b[MAXF + 64];
    be16(b, 100);
    be16(b + 2, 0x88e7);
    be32(b + 4, t->id & 0xffffff);
    uint32_t n = 8 + l2(in, LT_EN10MB, b + 8);
    return eth_carry(in->ts_ns, 0x88a8, b, n);
}

/* Remember f as seed `name` unless one is already known. */
static void note_seed(const char *name, const frame *f)
{
    for (int i = 0; i < nseeds; i++)
        if (strcmp(seeds[i].name, name) == 0)
            return;
    if (nseeds < (int)(sizeof seeds / sizeof seeds[0])) {
        seeds[nseeds].name = name;
        seeds[nseeds++].seq = f->seq;
    }
}

/* The outer frame of in through t (appended to g). */
static frame *wrap(tunnel *t, const frame *in)
{
    int fwd = from_near(t, in);
    frame *f;
    switch (t->kind) {
    case TK_GRE: f = wrap_gre(t, in, fwd); break;
    case TK_ERSPAN1: case TK_ERSPAN2: case TK_ERSPAN3: f = wrap_erspan(t, in); break;
    case TK_VXLAN: case TK_GENEVE: f = wrap_udp(t, in, fwd); break;
    case TK_MPLS: case TK_PW: f = wrap_mpls(t, in, fwd); break;
    case TK_PPPOE: f = wrap_pppoe(t, in); break;
    case TK_PBB: f = wrap_pbb(t, in); break;
    default: /* TK_IPIP: 4in4, 6in4, 4in6, 6in6 */
        f = ip_carry(in->ts_ns, fwd ? t->a : t->b, fwd ? t->b : t->a,
                     ip_type(in) == 0x86dd ? 41 : 4, in->ip, in->len);
    }
    if (t->name)
        note_seed(t->name, f);
    return f;
}

/* Every frame built since g.n was `mark`, in time order, through t. */
static void wrap_since(int mark, tunnel *t)
{
    int n = g.n - mark;
    frame *in = malloc((size_t)n * sizeof *in);
    if (!in) {
        fprintf(stderr, "omnigen: out of memory\n");
        exit(1);
    }
    memcpy(in, g.f + mark, (size_t)n * sizeof *in);
    qsort(in, (size_t)n, sizeof *in, frame_by_time);
    g.n = mark;
    for (int i = 0; i < n; i++)
        wrap(t, &in[i]);
    free(in);
}

/* The last frame built, taken out and wrapped in t (nesting). */
static frame *rewrap(tunnel *t)
{
    frame in = pop();
    return wrap(t, &in);
}

/* Build t's inner flows and wrap them. */
static void carry(tunnel *t)
{
    int m = g.n;
    for (int i = 0; i < 2; i++) {
        const inner *f = &t->fl[i];
        uint64_t at = T0 * SEC + f->at * MS;
        if (!f->n_cs)
            continue;
        if (f->tcp)
            tcp_conn(at, f->c, f->cp, f->s, f->sp, f->n_cs, f->sz_cs, f->n_sc, f->sz_sc);
        else
            udp_stream(at, f->c, f->cp, f->s, f->sp, f->n_cs, f->sz_cs, 33 * MS);
    }
    wrap_since(m, t);
}

static void carry_all(tunnel *t, size_t n)
{
    reset();
    nseeds = 0;
    for (size_t i = 0; i < n; i++)
        carry(&t[i]);
}

/* ---- tunnel-erspan.pcap ----------------------------------------------- */

#define COLLECTOR A4(192, 0, 2, 100)

static void build_erspan(void)
{
    tunnel span[] = {
        { "tunnel-erspan2", TK_ERSPAN2, A4(192, 0, 2, 2), COLLECTOR, 100,
          { TCPF(0, CLI, 51000, GW, 5001, 3, 200, 3, 400),
            UDPF(100, ENC1, 40000, ARC, 15000, 10, 1300) }, 0, 0 },
        { NULL, TK_ERSPAN2, A4(192, 0, 2, 2), COLLECTOR, 101,
          { UDPF(500, ENC2, 40000, ARC, 15002, 5, 1300) }, 128, 0 },
        { "tunnel-erspan3", TK_ERSPAN3, A4(192, 0, 2, 3), COLLECTOR, 200,
          { TCPF(1000, CLI2, 51003, ARC, 6061, 1, 80, 4, 1400),
            UDPF(1020, ARC, 41000, GW, 28000, 8, 1300) }, 0, 0 },
        { "tunnel-erspan1", TK_ERSPAN1, A4(192, 0, 2, 4), COLLECTOR, 0,
          { UDPF(2000, ENC1, 40010, MC1, 47806, 5, 1300) }, 0, 0 },
        { "tunnel-gre-key", TK_GRE, A4(192, 0, 2, 5), A4(192, 0, 2, 6), 1001,
          { TCPF(2500, GW2, 40000, DIR, 7998, 2, 60, 2, 60) }, 0, 0 },
    };
    carry_all(span, sizeof span / sizeof span[0]);
    sort_capture();
}

/* ---- tunnel-overlay.pcap ---------------------------------------------- */

#define VTEP1 A4(192, 0, 2, 11)
#define VTEP2 A4(192, 0, 2, 12)

/* A client -> Gateway 5001 connection with an IPv4 AH (transport mode:
 * SPI 0x1001, sequence 1, 2 …, a zero 12-byte ICV) before the TCP header. */
static void ah_conn(uint64_t t)
{
    int m = g.n;
    tcp_conn(t, CLI2, 51006, GW, 5001, 1, 100, 1, 100);
    for (int i = m; i < g.n; i++) {
        frame *f = &g.f[i];
        uint8_t b[MAXF];
        uint32_t n = f->len - 20;
        addr s = A4(f->ip[12], f->ip[13], f->ip[14], f->ip[15]);
        addr d = A4(f->ip[16], f->ip[17], f->ip[18], f->ip[19]);
        memset(b, 0, 24);
        b[0] = 6, b[1] = 4; /* next header TCP; (4 + 2) * 4 = 24 bytes */
        be32(b + 4, 0x1001);
        be32(b + 8, (uint32_t)(i - m + 1));
        memcpy(b + 24, f->ip + 20, n);
        ip_wrap(f, &s, &d, 51, b, 24 + n, NULL, 0);
    }
}

static void build_overlay(void)
{
    tunnel ov[] = { /* two tenants' VNIs carry the very same inner flows */
        { "tunnel-vxlan", TK_VXLAN, VTEP1, VTEP2, 5001,
          { TCPF(0, CLI, 51000, GW, 5001, 2, 200, 2, 400),
            UDPF(50, ENC1, 40000, ARC, 15000, 6, 1300) }, 0, 0 },
        { NULL, TK_VXLAN, VTEP1, VTEP2, 5002,
          { TCPF(200, CLI, 51000, GW, 5001, 2, 200, 2, 400),
            UDPF(250, ENC1, 40000, ARC, 15000, 6, 1300) }, 0, 0 },
        { "tunnel-geneve", TK_GENEVE, A4(192, 0, 2, 13), A4(192, 0, 2, 14), 7,
          { UDPF(1000, ARC, 41000, GW, 28000, 6, 1300) }, 0, 0 },
        { "tunnel-mpls", TK_MPLS, { 0 }, { 0 }, 1000,
          { TCPF(1500, CLI, 51003, ARC, 6061, 1, 80, 3, 1400) }, 0, 0 },
        { "tunnel-mpls-pw", TK_PW, { 0 }, { 0 }, 3000,
          { UDPF(2000, ENC2, 40000, ARC, 15002, 6, 1300) }, 0, 0 },
        { "tunnel-pppoe", TK_PPPOE, { 0 }, { 0 }, 0x42,
          { TCPF(2500, CLI2, 51001, GW, 5002, 1, 100, 3, 1400) }, 0, 0 },
        { "tunnel-ipip", TK_IPIP, A4(192, 0, 2, 21), A4(192, 0, 2, 22), 0,
          { TCPF(3000, CLI, 51004, DFC, 7999, 2, 100, 2, 100) }, 0, 0 },
        { "tunnel-6in4", TK_IPIP, A4(192, 0, 2, 23), A4(192, 0, 2, 24), 0,
          { TCPF(3500, CLI6, 51000, GW6, 5001, 2, 200, 2, 400) }, 0, 0 },
        { "tunnel-4in6", TK_IPIP, A6(0x2001, 0xdb8, 1), A6(0x2001, 0xdb8, 2), 0,
          { UDPF(4000, ENC2, 40010, MC2, 47806, 5, 1300) }, 0, 0 },
        { "tunnel-pbb", TK_PBB, { 0 }, { 0 }, 0x10001,
          { UDPF(4500, GW, 8001, CLI, 50002, 6, 1300) }, 0, 0 },
    };
    carry_all(ov, sizeof ov / sizeof ov[0]);
    ah_conn(T0 * SEC + 5 * SEC);
    sort_capture();
}

/* ---- tunnel-too-deep.pcap --------------------------------------------- */

/* A client SYN to the Gateway from port cp, then through the tunnels of
 * ks (innermost first), depth of them. */
static frame *nested(uint64_t ts, unsigned cp, const int *ks, int depth)
{
    tunnel t;
    frame *f = tcp(ts, CLI, cp, GW, 5001, 7000, 0, SYN, 0);
    for (int i = 0; i < depth; i++) {
        memset(&t, 0, sizeof t);
        t.kind = ks[i];
        t.a = A4(192, 0, 2, 30 + i), t.b = A4(192, 0, 2, 40 + i);
        t.id = 10 + (uint32_t)i;
        f = rewrap(&t);
    }
    return f;
}

static frame *cut(frame *f, uint32_t caplen)
{
    f->caplen_override = caplen;
    return f;
}

/* One tunnel frame of kind k carrying a client datagram, for surgery. */
static frame *one(uint64_t ts, int k)
{
    tunnel t = { NULL, k, A4(192, 0, 2, 50), A4(192, 0, 2, 51), 20, { { 0 } }, 0, 0 };
    udp(ts, CLI, 50000, ARC, 15000, 40);
    return rewrap(&t);
}

/* Datagrams (or Ethernet payloads) of n bytes given. */
static frame *dgram(uint64_t ts, uint8_t proto, const uint8_t *b, uint32_t n)
{
    return ip_carry(ts, A4(192, 0, 2, 50), A4(192, 0, 2, 51), proto, b, n);
}

static void deep_frames(uint64_t *t)
{
    static const int ipip[5] = { TK_IPIP, TK_IPIP, TK_IPIP, TK_IPIP, TK_IPIP };
    static const int mixed[5] = { TK_GRE, TK_IPIP, TK_MPLS, TK_VXLAN, TK_GRE };
    nested(*t += MS, 52004, ipip, OS_DEPTH);         /* the bound: decoded */
    nested(*t += MS, 52005, ipip, OS_DEPTH + 1);     /* encap-too-deep */
    nested(*t += MS, 52014, mixed, OS_DEPTH);        /* GRE, IP-in-IP, MPLS, VXLAN: decoded */
    note_seed("tunnel-too-deep", nested(*t += MS, 52015, mixed, OS_DEPTH + 1));
}

/* GRE and ERSPAN headers cut by the snaplen or by the datagram's end. */
static void broken_gre(uint64_t *t)
{
    uint8_t b[32];
    memset(b, 0, sizeof b);
    cut(one(*t += MS, TK_GRE), 14 + 20 + 6);          /* gre-truncated: 6 of 8 */
    gre_head(b, 0x2000, 0x0800, 0, 0);
    dgram(*t += MS, 47, b, 4);                        /* gre-short: the key is missing */
    cut(one(*t += MS, TK_ERSPAN2), 14 + 20 + 8 + 4);  /* erspan-truncated: 4 of 8 */
    uint32_t n = gre_head(b, 0x1000, 0x88be, 0, 1);
    be16(b + n, 0x1000);
    dgram(*t += MS, 47, b, n + 4);                    /* erspan-short: type II, 4 of 8 */
    memset(b, 0, sizeof b);
    n = gre_head(b, 0x1000, 0x22eb, 0, 1);
    be16(b + n, 0x2000), be16(b + n + 2, 200), b[n + 11] = 1;
    dgram(*t += MS, 47, b, n + 12);                   /* erspan-short: type III, O set, no subheader */
    frame *f = one(*t += MS, TK_ERSPAN2);
    f->ip[20 + 8] = (uint8_t)((f->ip[20 + 8] & 0x0f) | 0x20); /* erspan-bad-version: 2 in type II */
}

/* UDP overlay headers: cut, short, a version the decoder does not know. */
static void broken_udp(uint64_t *t)
{
    uint8_t b[32];
    memset(b, 0, sizeof b);
    cut(one(*t += MS, TK_VXLAN), 14 + 20 + 8 + 4);    /* vxlan-truncated: 4 of 8 */
    b[0] = 0x08;
    udp_datax(*t += MS, A4(192, 0, 2, 50), 49152, A4(192, 0, 2, 51), 4789, b, 4, NULL); /* vxlan-short */
    cut(one(*t += MS, TK_GENEVE), 14 + 20 + 8 + 6);   /* geneve-truncated: 6 of 8 */
    b[0] = 63, be16(b + 2, 0x6558);                   /* options 252 bytes, datagram 28 */
    udp_datax(*t += MS, A4(192, 0, 2, 50), 49152, A4(192, 0, 2, 51), 6081, b, 28, NULL); /* geneve-short */
    frame *f = one(*t += MS, TK_GENEVE);
    f->ip[28] |= 0x40;                                /* geneve-bad-version: 1 */
    f->ip[26] = f->ip[27] = 0;                        /* (UDP checksum: none) */
}

/* Link-level tunnels: MPLS, PPPoE, 802.1ah. */
static void broken_link(uint64_t *t)
{
    uint8_t b[64];
    memset(b, 0, sizeof b);
    cut(one(*t += MS, TK_MPLS), 14 + 6);              /* mpls-truncated: in the second label */
    mpls_label(b, 16, 0);
    eth_carry(*t += MS, 0x8847, b, 6);                /* mpls-short: 2 bytes of a second label */
    for (int i = 0; i < 9; i++)
        mpls_label(b + 4 * i, 16 + (uint32_t)i, 0);   /* mpls-too-deep: 9 labels, no bottom */
    eth_carry(*t += MS, 0x8847, b, 40);
    cut(one(*t += MS, TK_PPPOE), 14 + 4);             /* pppoe-truncated: 4 of 8 */
    memset(b, 0, sizeof b);
    b[0] = 0x11;
    eth_carry(*t += MS, 0x8864, b, 5);                /* pppoe-short: 5 of 8 */
    be16(b + 2, 0x42), be16(b + 4, 200), be16(b + 6, 0xc021); /* LCP claiming 200 bytes */
    b[8] = 9, b[9] = 1, be16(b + 10, 8);              /* an echo request */
    eth_carry(*t += MS, 0x8864, b, 16);               /* pppoe-bad-length */
    cut(one(*t += MS, TK_PBB), 14 + 4 + 2);           /* pbb-truncated: 2 of the I-TAG's 4 */
    eth_carry(*t += MS, 0x88e7, b, 2);                /* pbb-short */
}

/* IPv4 AH: cut by the snaplen, and a length past the datagram. */
static void broken_ah(uint64_t *t)
{
    uint8_t b[64];
    int m = g.n;
    ah_conn(*t += MS);
    g.n = m + 1;                                      /* its SYN alone */
    cut(&g.f[m], 14 + 20 + 10);                       /* ah-truncated: 10 of 24 */
    memset(b, 0, sizeof b);
    b[0] = 6, b[1] = 255;                             /* (255 + 2) * 4 bytes in 40 */
    dgram(*t += MS, 51, b, 40);                       /* ah-bad-length */
}

static void build_too_deep(void)
{
    uint64_t t = T0 * SEC;
    reset();
    nseeds = 0;
    deep_frames(&t);
    broken_gre(&t);
    broken_udp(&t);
    broken_link(&t);
    broken_ah(&t);
}

/* ---- tso.pcap --------------------------------------------------------- */

/* Add v to what the Internet checksum at c covers (RFC 1624). */
static void csum_add(uint8_t *c, uint32_t v)
{
    uint32_t s = (~(uint32_t)(c[0] << 8 | c[1]) & 0xffff) + (v >> 16) + (v & 0xffff);
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    be16(c, ~s & 0xffff);
}

/* A segment of len payload bytes as the sender's stack hands it to a NIC
 * doing the segmentation: IPv4 total length 0 (large-send offload) or IPv6
 * payload length 0 without a jumbo option (BIG TCP). The first 1200 bytes
 * are the fill pattern, the rest zeros (the frame's tail); the checksums
 * are right. */
static frame *lso(uint64_t ts, addr s, unsigned sp, addr d, unsigned dp, uint32_t seq,
                  uint32_t ack, uint32_t len)
{
    uint32_t here = len < 1200 ? len : 1200, ihl = s.v6 ? 40 : 20;
    frame *f = tcp(ts, s, sp, d, dp, seq, ack, PSH | ACK, here);
    f->tail = len - here;
    csum_add(f->ip + ihl + 16, f->tail); /* the pseudo header's length grows */
    if (s.v6) {
        be16(f->ip + 4, 0);
    } else {
        csum_add(f->ip + 10, ~(uint32_t)(f->ip[2] << 8 | f->ip[3]) & 0xffff);
        be16(f->ip + 2, 0);
    }
    return f;
}

/* A playback connection taken on the Archiver: the client's request, n
 * sends of len bytes by the Archiver (every second one ACKed), close. */
static uint64_t playback(uint64_t t, addr c, unsigned cp, addr s, unsigned sp, int n, uint32_t len)
{
    uint32_t cs = 1000, ss = 50000;
    tcp(t, c, cp, s, sp, cs++, 0, SYN, 0);
    tcp(t += MS, s, sp, c, cp, ss++, cs, SYN | ACK, 0);
    tcp(t += MS, c, cp, s, sp, cs, ss, ACK, 0);
    tcp(t += MS, c, cp, s, sp, cs, ss, PSH | ACK, 80), cs += 80;
    for (int i = 0; i < n; i++, ss += len) {
        frame *f = lso(t += MS, s, sp, c, cp, ss, cs, len);
        if (i == 0 && !s.v6) /* (the 70 074-byte one is past the fuzzer's 65 536) */
            note_seed("tso-ipv4", f);
        if (i % 2)
            tcp(t += MS, c, cp, s, sp, cs, ss + len, ACK, 0);
    }
    tcp(t += MS, s, sp, c, cp, ss, cs, PSH | ACK, 1400), ss += 1400; /* the last piece */
    tcp(t += MS, c, cp, s, sp, cs, ss, ACK, 0);
    tcp(t += MS, c, cp, s, sp, cs++, ss, FIN | ACK, 0);
    tcp(t += MS, s, sp, c, cp, ss++, cs, FIN | ACK, 0);
    tcp(t += MS, c, cp, s, sp, cs, ss, ACK, 0);
    return t;
}

static void build_tso(void)
{
    reset();
    nseeds = 0;
    playback(T0 * SEC, CLI, 51003, ARC, 6061, 6, 8946);    /* 9000-byte frames */
    playback(T0 * SEC + SEC, CLI6, 51000, ARC6, 6061, 1, 70000); /* one 70 074-byte frame */
}

/* ---- merge-a.pcap, merge-b.pcap, merge-backwards.pcap ----------------- */

/* One small site seen from two points at once: b = 0 a span of the client
 * access switch (the client and the Gateway), b = 1 the Archiver itself
 * (encoders in, its stream to the Gateway out). */
static void build_merge(int b)
{
    uint64_t t = T0 * SEC;
    reset();
    if (!b) {
        tcp_conn(t, CLI, 51000, GW, 5001, 3, 200, 3, 400);
        udp_stream(t + 5 * MS, GW, 8001, CLI, 50002, 20, 1300, 100 * MS);
    } else {
        udp_stream(t + 50 * MS, ENC1, 40000, ARC, 15000, 20, 1300, 100 * MS);
        udp_stream(t + 60 * MS, ENC2, 40000, ARC, 15002, 20, 1300, 100 * MS);
        udp_stream(t + 80 * MS, ARC, 41000, GW, 28000, 20, 1300, 100 * MS);
    }
    sort_capture();
}

/* A capture taken at 13:00 and, after it, one taken at 10:00 (cat of the
 * records): the same encoder stream in both, a client connection each. */
static void build_backwards(void)
{
    reset();
    for (int part = 0; part < 2; part++) {
        uint64_t t = T0 * SEC + (part ? 0 : 3 * 3600 * SEC);
        int m = g.n;
        tcp_conn(t, CLI, 51000 + (unsigned)part, GW, 5001, 2, 200, 2, 400);
        udp_stream(t + 3 * MS, ENC1, 40000, ARC, 15000, 10, 1300, 33 * MS);
        qsort(g.f + m, (size_t)(g.n - m), sizeof *g.f, frame_by_time);
    }
}

/* ---- the benchmark's tunnels (gen_bench.c) ---------------------------- */

/* What `omnigen --bench NAME` wraps the site capture in: one tunnel for the
 * whole capture, its endpoints documentation addresses. */
static const struct {
    const char *name;  /* benchmark capture kind */
    int kind;          /* TK_* */
    uint32_t id;       /* VNI, ERSPAN session, GRE key, label, PPPoE session */
} bench_kinds[] = {
    { "vxlan", TK_VXLAN, 5001 }, { "geneve", TK_GENEVE, 7 }, { "erspan", TK_ERSPAN2, 100 },
    { "gre", TK_GRE, 1001 },     { "mpls", TK_MPLS, 1000 },  { "pppoe", TK_PPPOE, 0x42 },
    { "ipip", TK_IPIP, 0 },
};

static tunnel bench_tun; /* the selected one; its GRE sequence runs on */

int bench_tunnel(const char *name)
{
    for (size_t i = 0; i < sizeof bench_kinds / sizeof bench_kinds[0]; i++) {
        if (strcmp(bench_kinds[i].name, name) != 0)
            continue;
        memset(&bench_tun, 0, sizeof bench_tun);
        bench_tun.kind = bench_kinds[i].kind;
        bench_tun.id = bench_kinds[i].id;
        bench_tun.a = A4(192, 0, 2, 11), bench_tun.b = A4(192, 0, 2, 12);
        return 1;
    }
    return 0;
}

void wrap_bench(void)
{
    wrap_since(0, &bench_tun);
}

/* ---- writers ---------------------------------------------------------- */

void write_tunnels(const char *dir)
{
    build_erspan();
    write_pcap(dir, "tunnel-erspan.pcap", LT_EN10MB, 0, 0, 262144, 0);
    build_overlay();
    write_pcap(dir, "tunnel-overlay.pcap", LT_EN10MB, 0, 0, 262144, 0);
    build_too_deep();
    write_pcap(dir, "tunnel-too-deep.pcap", LT_EN10MB, 0, 0, 262144, 0);
    build_tso();
    write_pcap(dir, "tso.pcap", LT_EN10MB, 0, 0, 262144, 0);
    build_merge(0);
    write_pcap(dir, "merge-a.pcap", LT_EN10MB, 0, 0, 262144, 0);
    build_merge(1);
    write_pcap(dir, "merge-b.pcap", LT_SLL, 0, 0, 262144, 0);
    build_backwards();
    write_pcap(dir, "merge-backwards.pcap", LT_EN10MB, 0, 0, 262144, 0);
}

/* fuzz_decode input: link type index 0 (Ethernet), no wire bytes beyond
 * the capture, then the frame (with its tail). */
static void write_seed(const char *dir, int num, const char *name, const frame *f)
{
    static uint8_t b[MAXF + 64];
    char path[1024];
    uint32_t n = l2(f, LT_EN10MB, b);
    snprintf(path, sizeof path, "%s/%02d-%s", dir, num, name);
    FILE *o = fopen(path, "wb");
    if (!o) {
        perror(path);
        exit(1);
    }
    fputc(0, o), fputc(0, o);
    fwrite(b, 1, n, o);
    for (uint32_t k = 0; k < f->tail; k++)
        fputc(0, o);
    fclose(o);
    printf("%02d-%s\n", num, name);
}

void write_tunnel_seeds(const char *dir)
{
    static void (*const build[])(void) = { build_erspan, build_overlay, build_too_deep, build_tso };
    int num = 47; /* after the seeds taken from the older captures */
    for (size_t b = 0; b < sizeof build / sizeof build[0]; b++) {
        build[b]();
        for (int s = 0; s < nseeds; s++)
            for (int i = 0; i < g.n; i++)
                if (g.f[i].seq == seeds[s].seq)
                    write_seed(dir, num++, seeds[s].name, &g.f[i]);
    }
}
