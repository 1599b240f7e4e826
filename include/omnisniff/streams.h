/* streams.h — stream health: which camera went dark, when, how badly each
 * video stream suffers.
 *
 * A *stream* is a UDP flow of a traffic role the rules file marks
 * `stream=yes` (encoder -> Archiver unicast, multicast video and audio,
 * Archiver -> Gateway, Gateway -> client video), counted from its sender's
 * packets: packets, bytes, mean and peak bitrate (per second), first and
 * last packet, the largest gap between packets and when, the gaps over
 * max(`stream-gap-seconds`, 4 x its mean interval so far), and whether it
 * was still alive at the end. If the
 * payload is RTP (RFC 3550: version 2, one SSRC, sequence numbers advancing
 * by one — checked on the first three packets, never assumed), also lost
 * and out-of-order packets from the sequence numbers and the interarrival
 * jitter of RFC 3550 section 6.4.1 from the RTP timestamps (90 kHz, the
 * video clock; a capture cut at snaplen 96 still has the RTP header).
 *
 * Verdicts: a gap over the threshold that the stream recovered from
 * (stream-gap, at the packet that ended it); a stream silent for
 * max(stream-stop-seconds, 4 x its mean interval) while another stream to
 * its receiver (for multicast: to any group on its port) — or from its
 * sender — went on (stream-stopped: live at the
 * next check; from a file at its end, with hindsight, so a stream that
 * resumed is a gap); RTP loss over stream-loss-percent (stream-loss, at the
 * end). State per stream is fixed-size; at
 * most OS_STREAMS_MAX streams are tracked (more are counted). */
#ifndef OMNISNIFF_STREAMS_H
#define OMNISNIFF_STREAMS_H

#include <stdbool.h>
#include <stdint.h>
#include <uthash.h>

#include "omnisniff/decode.h"
#include "omnisniff/flow.h"
#include "omnisniff/rules.h"

#define OS_STREAMS_MAX 8192   /* streams tracked; more are counted only */
#define OS_STREAM_MIN_PKTS 3  /* a flow is followed as a stream from its sender's 3rd packet */
#define OS_STREAM_BUCKETS 48  /* bitrate-over-time buckets (a sparkline) */

/* RTP analysis of a stream (valid when rtp is set). */
typedef struct os_rtp {
    uint32_t ssrc;          /* the stream's SSRC */
    uint16_t max_seq;       /* highest sequence number seen */
    uint32_t cycles;        /* sequence wraps (x 65536) */
    uint32_t base_seq;      /* first sequence number */
    uint64_t received;      /* RTP packets counted */
    uint64_t out_of_order;  /* packets older than the highest seen */
    double jitter;          /* interarrival jitter, 90 kHz units (RFC 3550 A.8) */
    int64_t last_transit;   /* previous relative transit time */
} os_rtp;

/* One stream: one 5-tuple, across flows (a pause longer than the UDP idle
 * timeout ends a flow, not the stream). */
typedef struct os_stream {
    os_flow_key key;            /* hash key: the flow key */
    UT_hash_handle hh;          /* uthash handle */
    uint64_t flow_id;           /* its (latest) flow */
    os_flow *flow;              /* that flow while it is in the table, else NULL */
    os_flow snap;               /* a copy of the flow when it left the table (for verdicts) */
    os_addr src, dst;           /* sender, receiver */
    uint16_t sport, dport;      /* their ports */
    int16_t rule;               /* traffic role */
    uint64_t packets, bytes;    /* sent by the sender (wire bytes) */
    uint64_t first_ns, last_ns; /* first and last packet */
    uint64_t max_gap_ns;        /* largest gap between two packets */
    uint64_t max_gap_at;        /* when it began */
    uint64_t gaps;              /* gaps over stream-gap-seconds */
    uint64_t sec, sec_bytes;    /* the current second's start (ns) and its bytes (peak) */
    uint64_t peak_bps;          /* highest bytes in one second x 8 */
    uint32_t bucket[OS_STREAM_BUCKETS]; /* bytes per bucket, from first_ns */
    uint64_t bucket_ns;         /* bucket width (doubles as the stream grows) */
    uint64_t bucket_end;        /* end of the current bucket (0: none yet) */
    uint8_t bucket_i;           /* the current bucket */
    uint8_t rtp_state;          /* 0 checking, 1 RTP, 2 not RTP */
    uint8_t rtp_checked;        /* packets checked so far */
    bool stopped;               /* stream-stopped raised */
    bool alive_at_end;          /* still sending when the capture ended */
    os_rtp rtp;                 /* RTP figures */
    struct os_addr_last *rx, *tx; /* latest packet to its receiver / from its sender (private) */
} os_stream;

typedef struct os_streams os_streams;

/* What a verdict reports: the stream, the kind, and the figure. */
typedef enum { OS_STREAM_GAP = 0, OS_STREAM_STOPPED, OS_STREAM_LOSS } os_stream_verdict;

/* Called with each verdict; the stream's flow is s->flow, or s->snap once
 * it left the table. */
typedef void (*os_stream_fn)(void *user, const os_stream *s, os_stream_verdict v, uint64_t ts);

/* New table; thresholds from rs->set. NULL on allocation failure. */
os_streams *os_streams_new(const os_ruleset *rs, os_stream_fn fn, void *user);

/* Is flow f (labelled) a stream? */
bool os_streams_is_stream(const os_streams *t, const os_flow *f);

/* Account a packet of stream flow f sent by key side `side` at ts. False
 * only on allocation failure (counted: os_streams_alloc_failed). */
bool os_streams_packet(os_streams *t, os_flow *f, int side, const os_pkt *p, uint64_t ts);

/* Live: judge streams silent for their stop delay at time now. */
void os_streams_check(os_streams *t, uint64_t now_ns);

/* Stream flow f leaves the table: keep a copy of it, detach it. */
void os_streams_flow_end(os_streams *t, const os_flow *f);

/* End of input at end_ns: alive or not, stopped, lossy — the verdicts with
 * hindsight, once for every stream. */
void os_streams_finish(os_streams *t, uint64_t end_ns);

/* Every stream, worst first (stopped, then gaps, then loss, then bytes);
 * *n set. The array is the table's, valid until the next call. */
const os_stream *const *os_streams_sorted(os_streams *t, size_t *n);

/* Streams not tracked (past OS_STREAMS_MAX). */
uint64_t os_streams_untracked(const os_streams *t);

/* Allocations that failed so far: streams not followed (their health is
 * not judged). Never reset. */
uint64_t os_streams_alloc_failed(const os_streams *t);

/* RTP figures: lost packets (expected - received, >= 0), and jitter in ms. */
int64_t os_stream_rtp_lost(const os_stream *s);
double os_stream_jitter_ms(const os_stream *s);

/* The stop delay of a stream: max(stream-stop-seconds, 4 x mean interval). */
uint64_t os_stream_stop_delay(const os_streams *t, const os_stream *s);

/* Free it. */
void os_streams_free(os_streams *t);

#endif
