/* gen_bench.c — the benchmark captures: large, generated on demand, never
 * committed (bench/run.sh writes them to a scratch directory).
 *
 *   omnigen --bench site   N FILE   a busy site: N packets, mostly full-size
 *                                   video (unicast, multicast, UDP and TCP to
 *                                   clients, playback) among control traffic
 *   omnigen --bench snap96 N FILE   the same packets cut at snaplen 96
 *   omnigen --bench flows  N FILE   N distinct UDP flows, one packet each, all
 *                                   within N µs: N concurrent flows
 *   omnigen --bench churn  N FILE   N packets in flows of 10 packets, one flow
 *                                   every 10 ms, half TCP half UDP: the span
 *                                   grows with N, the live flows do not
 *   omnigen --bench synstorm N FILE N flows of one SYN each, from N distinct
 *                                   (address, port) pairs in 10.20.0.0/16 to
 *                                   the Archiver 10.10.0.20:6061, 10 000 per
 *                                   second, never answered
 *   omnigen --bench soak   N FILE   a site whose hosts keep changing (bench/
 *                                   soak.sh): 32 encoders stream to the
 *                                   Archiver throughout, and every round of
 *                                   12 packets (500 rounds a second) brings
 *                                   five addresses never seen before: an
 *                                   encoder (inferred), a Gateway (inferred),
 *                                   an unanswered service (a problem), a
 *                                   playback Archiver that answers, and the
 *                                   client of both
 *   omnigen --bench vxlan  N FILE   the site capture, every frame in one
 *                                   tunnel: VXLAN (VNI 5001), or geneve,
 *                                   erspan (type II), gre, mpls, pppoe,
 *                                   ipip (gen_tunnels.c wraps them)
 *
 * The frame buffer holds MAXP frames, so each capture is built and written
 * in chunks: build at most CHUNK frames in time order, append them, reset,
 * repeat. Everything depends on N and the packet index only: deterministic. */
#include "gen.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK 4000       /* frames built per round (< MAXP) */
#define SITE_GAP_NS 20000 /* 50 000 packets/s on the site capture */

static int wrapped; /* a tunnel kind: bench_flush wraps each frame first */

/* ---- streaming pcap writer ------------------------------------------ */

/* Open FILE and write a little-endian µs pcap header (Ethernet). */
static FILE *bench_open(const char *file, uint32_t snaplen)
{
    FILE *o = fopen(file, "wb");
    if (!o) {
        perror(file);
        exit(1);
    }
    setvbuf(o, NULL, _IOFBF, 1 << 20);
    w32(o, 0xa1b2c3d4, 0);
    w16(o, 2, 0);
    w16(o, 4, 0);
    w32(o, 0, 0);
    w32(o, 0, 0);
    w32(o, snaplen, 0);
    w32(o, LT_EN10MB, 0);
    return o;
}

/* Append the frames built so far (already in time order) and empty g. */
static void bench_flush(FILE *o, uint32_t snaplen)
{
    static uint8_t buf[MAXF + 64];
    if (wrapped)
        wrap_bench();
    for (int i = 0; i < g.n; i++) {
        const frame *f = &g.f[i];
        uint32_t len = l2(f, LT_EN10MB, buf);
        uint32_t cap = len < snaplen ? len : snaplen;
        w32(o, (uint32_t)(f->ts_ns / SEC), 0);
        w32(o, (uint32_t)(f->ts_ns % SEC / 1000), 0);
        w32(o, cap, 0);
        w32(o, len, 0);
        fwrite(buf, 1, cap, o);
    }
    g.n = 0;
}

static void bench_close(FILE *o, const char *file, uint64_t n)
{
    if (fclose(o) != 0) {
        perror(file);
        exit(1);
    }
    printf("%-30s %8llu packets\n", file, (unsigned long long)n);
}

/* ---- site: a busy Omnicast site ------------------------------------- */

/* One conversation of the site; TCP ones keep their sequence numbers. */
typedef struct stream {
    int tcp;            /* TCP (else UDP) */
    addr a, b;          /* a sends the bulk to b */
    unsigned ap, bp;    /* ports */
    uint32_t size;      /* payload of a bulk packet */
    int client_opens;   /* TCP: b opened the connection (b is the client) */
    uint32_t aseq, bseq;/* TCP sequence numbers */
    uint64_t sent;      /* packets of this stream so far */
} stream;

#define NSTREAMS 128
static stream streams[NSTREAMS];

/* The site's conversations: 48 encoders to the Archiver, 16 multicast
 * cameras, the Archiver to the Gateway, Gateway UDP and TCP video to 24
 * clients, playback, and the Gateway command channels. */
static void site_streams(void)
{
    for (int i = 0; i < NSTREAMS; i++) {
        stream *s = &streams[i];
        memset(s, 0, sizeof *s);
        s->size = 1400;
        s->aseq = 1000, s->bseq = 50000;
        if (i < 48) /* encoder -> Archiver, unicast */
            s->a = A4(10, 2, 0, 1 + i), s->ap = 40000, s->b = ARC, s->bp = 15000 + 2 * i;
        else if (i < 64) /* encoder -> multicast group, video */
            s->a = A4(10, 2, 1, i - 47), s->ap = 40010, s->b = A4(239, 10, 0, i - 47), s->bp = 47806;
        else if (i < 72) /* Archiver -> Gateway */
            s->a = ARC, s->ap = 41000 + i, s->b = GW, s->bp = 28000 + i;
        else if (i < 96) /* Gateway UDP video -> client */
            s->a = GW, s->ap = 8001 + i, s->b = A4(10, 3, 0, i - 71), s->bp = 50000 + i;
        else if (i < 112) /* Gateway TCP video -> client */
            s->tcp = 1, s->client_opens = 1, s->a = GW, s->ap = 5002,
            s->b = A4(10, 3, 1, i - 95), s->bp = 51000 + i;
        else if (i < 120) /* Archiver playback -> client */
            s->tcp = 1, s->client_opens = 1, s->a = ARC, s->ap = 6061,
            s->b = A4(10, 3, 2, i - 111), s->bp = 52000 + i;
        else /* client -> Gateway command: small requests */
            s->tcp = 1, s->a = A4(10, 3, 3, i - 119), s->ap = 53000 + i, s->b = GW, s->bp = 5001,
            s->size = 120;
    }
}

/* TCP handshakes of the site's connections, before the bulk starts. */
static uint64_t site_handshakes(uint64_t t)
{
    for (int i = 0; i < NSTREAMS; i++) {
        stream *s = &streams[i];
        if (!s->tcp)
            continue;
        addr c = s->client_opens ? s->b : s->a, v = s->client_opens ? s->a : s->b;
        unsigned cp = s->client_opens ? s->bp : s->ap, vp = s->client_opens ? s->ap : s->bp;
        tcp(t, c, cp, v, vp, 999, 0, SYN, 0);
        tcp(t + 100000, v, vp, c, cp, 49999, 1000, SYN | ACK, 0);
        tcp(t + 200000, c, cp, v, vp, 1000, 50000, ACK, 0);
        t += SITE_GAP_NS * 4;
    }
    sort_capture();
    return t + 300000; /* after the last handshake */
}

/* Packet k of the site at time t: the streams take turns; every fourth
 * packet of a TCP stream is the receiver's ACK. */
static void site_packet(uint64_t k, uint64_t t)
{
    stream *s = &streams[(k * 37) % NSTREAMS];
    if (!s->tcp) {
        udp(t, s->a, s->ap, s->b, s->bp, s->size);
    } else if (++s->sent % 4 == 0) {
        tcp(t, s->b, s->bp, s->a, s->ap, s->bseq, s->aseq, ACK, 0);
    } else {
        tcp(t, s->a, s->ap, s->b, s->bp, s->aseq, s->bseq, PSH | ACK, s->size);
        s->aseq += s->size;
    }
}

static void bench_site(FILE *o, uint32_t snaplen, uint64_t n)
{
    uint64_t t = T0 * SEC, k = 0;
    site_streams();
    reset();
    t = site_handshakes(t);
    k = (uint64_t)g.n;
    bench_flush(o, snaplen);
    while (k < n) {
        for (int i = 0; i < CHUNK && k < n; i++, k++, t += SITE_GAP_NS)
            site_packet(k, t);
        bench_flush(o, snaplen);
    }
}

/* ---- flows: N concurrent flows -------------------------------------- */

/* Flow i: client 10.64.0.0 + (i mod 65536) from port 1024 + i / 65536 to
 * the Archiver's unicast range, 1 µs apart: every flow is still live at the
 * end (the UDP idle timeout is 120 s). */
static void bench_flows(FILE *o, uint64_t n)
{
    uint64_t t = T0 * SEC;
    reset();
    for (uint64_t i = 0; i < n; i++, t += 1000) {
        unsigned h = (unsigned)(i & 0xffff);
        udp(t, A4(10, 64 + (h >> 14), (h >> 6) & 0xff, h & 0x3f), 1024 + (unsigned)(i >> 16),
            ARC, 15000 + (unsigned)(i % 1001), 64);
        if (g.n == CHUNK)
            bench_flush(o, 262144);
    }
    bench_flush(o, 262144);
}

/* ---- churn: flows that come and go ---------------------------------- */

/* Flow f, starting at t: a TCP connection (handshake, 3 requests, 1 reply,
 * close) or a 10-datagram UDP stream, 1 ms apart. Small packets: this
 * capture is about the flow table, not bytes. */
static void churn_flow(uint64_t f, uint64_t t)
{
    addr c = A4(10, 3, 4 + (unsigned)(f >> 8 & 0x3f), (unsigned)(f & 0xff));
    unsigned cp = 20000 + (unsigned)(f % 40000);
    if (f % 2 == 0)
        tcp_conn(t, c, cp, ARC, 6061, 3, 100, 1, 400);
    else
        udp_stream(t, ARC, 41000, c, 28000 + (unsigned)(f % 1000), 10, 200, MS);
}

static void bench_churn(FILE *o, uint64_t n)
{
    uint64_t t = T0 * SEC, f = 0, k = 0;
    reset();
    while (k < n) {
        churn_flow(f++, t);
        t += 10 * MS;
        k += 10;
        if (g.n >= CHUNK - 10)
            bench_flush(o, 262144);
    }
    bench_flush(o, 262144);
}

/* ---- synstorm: a million unanswered SYNs --------------------------- */

/* SYN i: source host h = i mod 64000 as 10.20.(h / 250).(1 + h % 250),
 * source port 1024 + (r * 4099 + h * 13) mod 64000 for round r = i / 64000
 * (4099 is prime to 64000, so a host never repeats a port within 64000
 * rounds: every SYN is its own flow), to the field site's Archiver
 * 10.10.0.20:6061, 100 µs apart (10 000 SYNs per second), never answered. */
static void bench_synstorm(FILE *o, uint64_t n)
{
    uint64_t t = T0 * SEC;
    addr arc = A4(10, 10, 0, 20);
    reset();
    for (uint64_t i = 0; i < n; i++, t += 100000) {
        unsigned h = (unsigned)(i % 64000), r = (unsigned)(i / 64000);
        unsigned sp = 1024 + (unsigned)(((uint64_t)r * 4099 + h * 13u) % 64000);
        tcp(t, A4(10, 20, h / 250, 1 + h % 250), sp, arc, 6061, 0x5e000000u + (uint32_t)i, 0, SYN, 0);
        if (g.n == CHUNK)
            bench_flush(o, 262144);
    }
    bench_flush(o, 262144);
}

/* ---- soak: addresses that never repeat ------------------------------ */

#define SOAK_ROUND_NS 2000000ULL /* 500 rounds a second */
#define SOAK_STEADY 32           /* encoders streaming throughout */

/* Address x (< 2^22) of a /10 starting at a.b.0.0. */
static addr soak_addr(unsigned a, unsigned b, uint64_t x)
{
    return A4(a, b + (unsigned)(x >> 16 & 63), (unsigned)(x >> 8 & 0xff), (unsigned)(x & 0xff));
}

/* A TCP handshake and close between client c and service s, 100 µs apart. */
static void soak_handshake(uint64_t t, addr c, unsigned cp, addr s, unsigned sp)
{
    tcp(t, c, cp, s, sp, 1000, 0, SYN, 0);
    tcp(t + 100000, s, sp, c, cp, 50000, 1001, SYN | ACK, 0);
    tcp(t + 200000, c, cp, s, sp, 1001, 50001, ACK, 0);
    tcp(t + 300000, c, cp, s, sp, 1001, 50001, FIN | ACK, 0);
    tcp(t + 400000, s, sp, c, cp, 50001, 1002, FIN | ACK, 0);
    tcp(t + 500000, c, cp, s, sp, 1002, 50002, ACK, 0);
}

/* Round r at t: one 1000-byte datagram of a steady encoder stream (each of
 * the 32 gets one every 32 rounds), then the round's new hosts: encoder E
 * -> Archiver 15000-15998 (2 datagrams of 200 bytes: no stream), Archiver
 * -> Gateway G on 28000-28999 (2 of 200), client C -> S:6061 never
 * answered (an unanswered-connection problem about S), C -> playback
 * Archiver P:6061 answered and closed (6 packets). E and G are inferred;
 * P is remembered for its min-peers. */
static void soak_round(uint64_t r, uint64_t t)
{
    unsigned k = (unsigned)(r % SOAK_STEADY), cp = 20000 + (unsigned)(r % 40000);
    addr e = soak_addr(10, 64, r), gw = soak_addr(10, 128, r), s = soak_addr(10, 192, r);
    addr p = soak_addr(172, 16, r & 0xfffff), c = soak_addr(100, 64, r);
    udp(t, A4(10, 2, 0, 100 + k), 40000, ARC, 15000 + 2 * k, 1000);
    udp_stream(t + 100000, e, 40000, ARC, 15000 + 2 * (unsigned)(r % 500), 2, 200, 100000);
    udp_stream(t + 300000, ARC, 41000, gw, 28000 + (unsigned)(r % 1000), 2, 200, 100000);
    tcp(t + 500000, c, cp, s, 6061, 7000, 0, SYN, 0);
    soak_handshake(t + 600000, c, cp + 1, p, 6061);
}

static void bench_soak(FILE *o, uint64_t n)
{
    uint64_t t = T0 * SEC, r = 0, k = 0;
    reset();
    while (k < n) {
        soak_round(r++, t);
        t += SOAK_ROUND_NS;
        k += 12;
        if (g.n >= CHUNK - 12)
            bench_flush(o, 262144);
    }
    bench_flush(o, 262144);
}

/* Write benchmark capture `kind` with about n packets to file; false for an
 * unknown kind. */
int write_bench(const char *kind, uint64_t n, const char *file)
{
    FILE *o;
    if (strcmp(kind, "site") == 0 || strcmp(kind, "snap96") == 0) {
        uint32_t snap = strcmp(kind, "snap96") == 0 ? 96 : 262144;
        o = bench_open(file, snap);
        bench_site(o, snap, n);
    } else if (strcmp(kind, "flows") == 0) {
        o = bench_open(file, 262144);
        bench_flows(o, n);
    } else if (strcmp(kind, "churn") == 0) {
        o = bench_open(file, 262144);
        bench_churn(o, n);
    } else if (strcmp(kind, "synstorm") == 0) {
        o = bench_open(file, 262144);
        bench_synstorm(o, n);
    } else if (strcmp(kind, "soak") == 0) {
        o = bench_open(file, 262144);
        bench_soak(o, n);
    } else if (bench_tunnel(kind)) {
        wrapped = 1;
        o = bench_open(file, 262144);
        bench_site(o, 262144, n);
    } else {
        return 0;
    }
    bench_close(o, file, n);
    return 1;
}
