/* gen_streams.c — "stream" captures: stream health. Every video stream is
 * thin (one small datagram every 0.5 or 1 s) and most carry RTP (RFC 3550:
 * version 2, payload type 96, one SSRC each, sequence numbers advancing by
 * one, 90 kHz timestamps advancing by 90 000 per second of sending time), so
 * a stream analyser can be checked against exact figures: packets, bytes,
 * first/last time, largest gap, gaps over 2 s, alive at the end, RTP loss,
 * out-of-order packets and interarrival jitter.
 *
 *   streams-cameras.pcap         10 min: 12 cameras -> Archiver 10.30.0.20,
 *                                one stops (A), one pauses 120 s (B), one
 *                                loses 4 % (C), one reorders (D), one
 *                                jitters (E), one is not RTP (X); Archiver
 *                                -> Gateway; Gateway -> two clients, one of
 *                                which stops at 7 min (it still receives a
 *                                second camera)
 *   streams-cameras-snap96.pcap  the same packets cut at 96 bytes
 *   streams-switch-down.pcap     3 min: ten cameras behind one switch go
 *                                dark together at 1:30 while five others go
 *                                on; two multicast encoders, one stops at 2:00
 *
 * Address plan 10.30.0.0/16 (tests/gen/README.md, "Stream captures"). Every
 * time is fixed from T0: deterministic. No ARP, DNS or other traffic. */
#include "gen.h"

#include <string.h>

/* Called from omnigen.c's main (declared there too: gen.h is shared). */
void write_streams(const char *dir);

#define S_GW A4(10, 30, 0, 11)   /* Gateway */
#define S_ARC A4(10, 30, 0, 20)  /* Archiver */
#define S_ARC2 A4(10, 30, 0, 21) /* second Archiver */

#define VSZ 80   /* UDP payload of a video datagram (RTP header included) */
#define ASZ 160  /* UDP payload of an Archiver -> Gateway datagram */
#define RTP_PT 96
#define RTP_HZ 90000ULL

/* One stream: nslots sending slots first + k * period (k = 0 .. nslots-1);
 * the datagram of slot k carries RTP timestamp ts0 + k * 90 kHz * period
 * (wrapping at 2^32) and, unless skipped, sequence number seq0 + k (mod
 * 2^16) — for a pause, seq0 + the number sent before it. */
typedef struct stream {
    addr s, d;
    unsigned sp, dp;
    uint64_t first, period; /* ns from T0 */
    int nslots;
    uint32_t paylen;
    int rtp;                /* 0: random-looking bytes, first byte version 0 or 1 */
    uint32_t ssrc, ts0;
    uint16_t seq0;
    int pause_from, pause_to; /* slots pause_from .. pause_to-1 not sent, seq not advanced */
    int lose_mod, lose_rem;   /* slot k with k % lose_mod == lose_rem not sent, seq skipped */
    int swap_mod;             /* slot k with k % swap_mod == swap_mod-1 (and a successor)
                                 sent 1 ms after slot k+1 */
    int jitter;               /* send time + 0/+20/0/-20 ms by k % 4 */
} stream;

/* Slots from first, period apart, before end (ns from T0). */
static int slots_before(uint64_t first, uint64_t period, uint64_t end)
{
    return first >= end ? 0 : (int)((end - first + period - 1) / period);
}

static stream rtp_stream(addr s, unsigned sp, addr d, unsigned dp, uint64_t first,
                         uint64_t period, uint64_t end, uint32_t ssrc, uint16_t seq0, uint32_t ts0)
{
    stream x;
    memset(&x, 0, sizeof x);
    x.s = s, x.d = d, x.sp = sp, x.dp = dp;
    x.first = first, x.period = period;
    x.nslots = slots_before(first, period, end);
    x.paylen = VSZ;
    x.rtp = 1;
    x.ssrc = ssrc, x.seq0 = seq0, x.ts0 = ts0;
    x.pause_from = x.pause_to = -1;
    return x;
}

/* A small deterministic generator for the non-RTP payloads. */
static uint32_t xs(uint32_t *st)
{
    uint32_t v = *st;
    v ^= v << 13, v ^= v >> 17, v ^= v << 5;
    return *st = v;
}

static void emit(const stream *x)
{
    static const int jit_ms[4] = { 0, 20, 0, -20 };
    uint8_t p[MAXF];
    uint32_t st = 0x2545f491u ^ (x->s.b[3] * 65537u) ^ x->dp;
    int sent = 0;
    for (int k = 0; k < x->nslots; k++) {
        int64_t t = (int64_t)(T0 * SEC + x->first + (uint64_t)k * x->period);
        if (k >= x->pause_from && k < x->pause_to)
            continue;
        if (x->lose_mod && k % x->lose_mod == x->lose_rem)
            continue;
        if (x->swap_mod && k + 1 < x->nslots) {
            if (k % x->swap_mod == x->swap_mod - 1)
                t += (int64_t)(x->period + MS); /* after its successor */
        }
        if (x->jitter)
            t += (int64_t)jit_ms[k % 4] * (int64_t)MS;
        if (x->rtp) {
            uint16_t seq = (uint16_t)(x->seq0 + (x->pause_to > 0 ? sent : k));
            uint32_t ts = x->ts0 + (uint32_t)((uint64_t)k * (RTP_HZ * x->period / SEC));
            p[0] = 0x80;          /* V=2, no padding, extension or CSRC */
            p[1] = RTP_PT;        /* marker clear (Wireshark leaves marked packets out of its jitter figures) */
            be16(p + 2, seq);
            be32(p + 4, ts);
            be32(p + 8, x->ssrc);
            fill(p + 12, x->paylen - 12, seq);
        } else {
            for (uint32_t i = 0; i < x->paylen; i++)
                p[i] = (uint8_t)(xs(&st) >> 11);
            p[0] &= 0x7f; /* version 0 or 1: never RTP */
        }
        udp_datax((uint64_t)t, x->s, x->sp, x->d, x->dp, p, x->paylen, NULL);
        sent++;
    }
}

static uint32_t ssrc_of(unsigned n) { return 0x9e3779b9u * n; }

/* ---- streams-cameras.pcap ------------------------------------------------ */

static void build_cameras(void)
{
    const uint64_t end = 600 * SEC;
    stream x;
    for (int i = 0; i < 12; i++) {
        /* camera i: 10.30.2.(1+i):40000 -> 10.30.0.20:15000+2i from 0.1 + 0.037 i s */
        uint64_t first = 100 * MS + (uint64_t)i * 37 * MS;
        uint64_t period = (i == 2 || i == 3) ? 500 * MS : SEC;
        uint16_t seq0 = (uint16_t)(1000 + 5000 * i);
        uint32_t ts0 = 0x01000000u * (uint32_t)(i + 1) + 12345u * (uint32_t)i;
        if (i == 6) /* healthy, but its sequence number and timestamp wrap */
            seq0 = 65200, ts0 = (uint32_t)(0x100000000ULL - 300 * RTP_HZ - RTP_HZ / 2);
        x = rtp_stream(A4(10, 30, 2, 1 + (unsigned)i), 40000, S_ARC, 15000 + 2 * (unsigned)i,
                       first, period, end, ssrc_of((unsigned)i + 1), seq0, ts0);
        switch (i) {
        case 0: /* A: stops for good at 5:00 */
            x.nslots = slots_before(first, period, 300 * SEC);
            break;
        case 1: /* B: silent for 120 s after its packet at 3:00.137 */
            x.pause_from = 181, x.pause_to = 300;
            break;
        case 2: /* C: every 25th packet lost (slots 12, 37, 62 ...) */
            x.lose_mod = 25, x.lose_rem = 12;
            break;
        case 3: /* D: the 100th, 200th ... packet sent 1 ms after its successor */
            x.swap_mod = 100;
            break;
        case 4: /* E: send times wander 0/+20/0/-20 ms */
            x.jitter = 1;
            break;
        case 5: /* X: not RTP */
            x.rtp = 0;
            break;
        default:
            break;
        }
        emit(&x);
    }

    /* Archiver -> Gateway, not RTP: 10.30.0.20:41000 -> 10.30.0.11:28000. */
    x = rtp_stream(S_ARC, 41000, S_GW, 28000, 50 * MS, SEC, end, 0, 0, 0);
    x.rtp = 0;
    x.paylen = ASZ;
    emit(&x);

    /* Gateway UDP video from 8001, RTP, to two clients; the second stops at
     * 7:00 while it goes on receiving another camera from 8002 (so the stop
     * shows against the same sender and the same receiver). */
    x = rtp_stream(S_GW, 8001, A4(10, 30, 3, 1), 50100, 60 * MS, SEC, end, ssrc_of(101), 20000,
                   0x20000000u);
    emit(&x);
    x = rtp_stream(S_GW, 8001, A4(10, 30, 3, 2), 50100, 80 * MS, SEC, 420 * SEC, ssrc_of(102),
                   30000, 0x30000000u);
    emit(&x);
    x = rtp_stream(S_GW, 8002, A4(10, 30, 3, 2), 50102, 90 * MS, SEC, end, ssrc_of(103), 40000,
                   0x38000000u);
    emit(&x);
}

/* ---- streams-switch-down.pcap -------------------------------------------- */

static void build_switch_down(void)
{
    const uint64_t end = 180 * SEC;
    stream x;
    /* Ten cameras behind one switch, 10.30.4.i:40000 -> 10.30.0.21:15100+i
     * (i = 1..10) from 0.1 + 0.037 i s: nothing from 1:30 on. */
    for (unsigned i = 1; i <= 10; i++) {
        x = rtp_stream(A4(10, 30, 4, i), 40000, S_ARC2, 15100 + i, 100 * MS + i * 37 * MS, SEC,
                       90 * SEC, ssrc_of(200 + i), (uint16_t)(2000 + 3000 * i),
                       0x04000000u * i);
        emit(&x);
    }
    /* Five other cameras to the same Archiver go on: 10.30.2.(50+j):40000 ->
     * 10.30.0.21:15150+j (j = 1..5) from 0.52 + 0.041 j s. */
    for (unsigned j = 1; j <= 5; j++) {
        x = rtp_stream(A4(10, 30, 2, 50 + j), 40000, S_ARC2, 15150 + j, 520 * MS + j * 41 * MS,
                       SEC, end, ssrc_of(250 + j), (uint16_t)(40000 + 1000 * j), 0x08000000u * j);
        emit(&x);
    }
    /* Multicast: 10.30.5.1:40010 -> 239.30.0.1:47806 throughout, 10.30.5.2:40010
     * -> 239.30.0.2:47806 until 2:00; from 0.03 s and 0.07 s. */
    for (unsigned m = 1; m <= 2; m++) {
        x = rtp_stream(A4(10, 30, 5, m), 40010, A4(239, 30, 0, m), 47806, (m == 1 ? 30 : 70) * MS,
                       SEC, m == 1 ? end : 120 * SEC, ssrc_of(300 + m), (uint16_t)(500 * m),
                       0x0c000000u * m);
        emit(&x);
    }
}

void write_streams(const char *dir)
{
    capture_grow(12000);
    reset();
    build_cameras();
    sort_capture();
    write_pcap(dir, "streams-cameras.pcap", LT_EN10MB, 0, 0, 262144, 0);
    write_pcap(dir, "streams-cameras-snap96.pcap", LT_EN10MB, 0, 0, 96, 0);

    reset();
    build_switch_down();
    sort_capture();
    write_pcap(dir, "streams-switch-down.pcap", LT_EN10MB, 0, 0, 262144, 0);
}
