/* streams.c — stream health (see streams.h).
 *
 * A uthash of streams keyed by flow id. Per packet of a stream flow: one
 * lookup, a few counters, and while the first three packets are checked for
 * RTP (RFC 3550 5.1: version 2, one SSRC, sequence +1) or once it is RTP,
 * the sequence and jitter arithmetic of RFC 3550 A.1 and A.8. The RTP
 * header is read through the bounds-checked cursor (bytes.h), never past
 * the captured payload. */
#include "omnisniff/streams.h"

#include <stdlib.h>
#include <string.h>

#include "omnisniff/bytes.h"
#include "hash.h"

#define RTP_CHECK 3            /* packets that must look like one RTP stream */
#define RTP_HZ 90000ULL        /* the video RTP clock */
#define BUCKET0_NS 1000000000ULL /* first bitrate bucket width: 1 s */
#define STREAM_CACHE 4096        /* direct-mapped: flow pointer -> its stream */

/* The cache slot of a flow pointer. */
static unsigned cache_slot(const os_flow *f)
{
    return (unsigned)(((uintptr_t)f * 0x9e3779b97f4a7c15ULL) >> 52);
}

/* The latest packet of any stream to (or from) one address. */
typedef struct os_addr_last {
    os_addr addr;        /* hash key */
    UT_hash_handle hh;   /* uthash handle */
    uint64_t last_ns;    /* latest packet time */
} os_addr_last;

struct os_streams {
    const os_ruleset *rs;     /* stream=yes rules, thresholds */
    os_stream_fn fn;          /* verdicts */
    void *user;               /* its argument */
    os_stream *set;           /* uthash by flow id */
    os_addr_last *rx, *tx;    /* uthash by receiver / sender address */
    os_stream *cache[STREAM_CACHE]; /* by flow pointer: the stream of a flow in the table */
    uint64_t untracked;       /* streams past OS_STREAMS_MAX */
    os_stream **sorted;       /* last sorted view */
    uint64_t alloc_failed;    /* allocations that failed: streams not followed */
};

/* New table. */
os_streams *os_streams_new(const os_ruleset *rs, os_stream_fn fn, void *user)
{
    os_streams *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->rs = rs;
    t->fn = fn;
    t->user = user;
    return t;
}

/* Free it. */
void os_streams_free(os_streams *t)
{
    os_stream *s, *x;
    if (!t)
        return;
    os_addr_last *a, *b;
    HASH_ITER(hh, t->set, s, x) {
        HASH_DEL(t->set, s);
        free(s);
    }
    for (int k = 0; k < 2; k++) {
        os_addr_last **h = k ? &t->tx : &t->rx;
        HASH_ITER(hh, *h, a, b) {
            HASH_DEL(*h, a);
            free(a);
        }
    }
    free(t->sorted);
    free(t);
}

/* Is flow f a stream? */
bool os_streams_is_stream(const os_streams *t, const os_flow *f)
{
    return f->key.proto == 17 && f->label.rule >= 0 && t->rs->rule[f->label.rule].stream;
}

static uint64_t secs_ns(uint32_t s) { return (uint64_t)s * 1000000000ULL; }

/* ---- RTP ----------------------------------------------------------------- */

/* The RTP header fields omnisniff reads; false if the payload is no RTP v2. */
static bool rtp_header(const os_pkt *p, uint16_t *seq, uint32_t *ts, uint32_t *ssrc)
{
    os_cur c = os_cur_make(p->payload, p->payload_cap);
    uint8_t b0, b1;
    return p->payload && os_get_u8(&c, &b0) && (b0 >> 6) == 2 && os_get_u8(&c, &b1) &&
           os_get_be16(&c, seq) && os_get_be32(&c, ts) && os_get_be32(&c, ssrc);
}

/* Arrival time in RTP clock units. */
static int64_t rtp_arrival(uint64_t ts_ns)
{
    return (int64_t)((ts_ns / 1000000000ULL) * RTP_HZ + (ts_ns % 1000000000ULL) * RTP_HZ / 1000000000ULL);
}

/* RFC 3550 A.1 (sequence) and A.8 (jitter) for one RTP packet. */
static void rtp_account(os_rtp *r, uint16_t seq, uint32_t rts, uint64_t ts_ns)
{
    uint16_t delta = (uint16_t)(seq - r->max_seq);
    int64_t transit = rtp_arrival(ts_ns) - (int64_t)rts;
    if (r->received && delta == 0)
        r->out_of_order++; /* a duplicate counts with the disorder */
    else if (delta < 0x8000) {
        if (seq < r->max_seq)
            r->cycles++;
        r->max_seq = seq;
    } else {
        r->out_of_order++;
    }
    if (r->received) {
        int64_t d = transit - r->last_transit;
        r->jitter += ((double)(d < 0 ? -d : d) - r->jitter) / 16.0;
    }
    r->last_transit = transit;
    r->received++;
}

/* The first packets decide whether the stream is RTP; then every packet
 * is accounted. */
static void rtp_packet(os_stream *s, const os_pkt *p, uint64_t ts)
{
    uint16_t seq;
    uint32_t rts, ssrc;
    if (s->rtp_state == 2)
        return; /* not RTP: nothing more to read */
    bool ok = rtp_header(p, &seq, &rts, &ssrc);
    if (s->rtp_state == 0) {
        bool fits = ok && (!s->rtp_checked || (ssrc == s->rtp.ssrc &&
                                                seq == (uint16_t)(s->rtp.max_seq + 1)));
        if (!fits) {
            s->rtp_state = 2;
            return;
        }
        if (!s->rtp_checked) {
            s->rtp.ssrc = ssrc;
            s->rtp.base_seq = seq;
            s->rtp.max_seq = (uint16_t)(seq - 1);
        }
        if (++s->rtp_checked == RTP_CHECK)
            s->rtp_state = 1;
    } else if (!ok || ssrc != s->rtp.ssrc) {
        return; /* another source's packet in the flow: not this stream's */
    }
    rtp_account(&s->rtp, seq, rts, ts);
}

/* Lost RTP packets: expected (from the sequence numbers) - received. */
int64_t os_stream_rtp_lost(const os_stream *s)
{
    if (s->rtp_state != 1)
        return 0;
    int64_t expected = (int64_t)s->rtp.cycles * 65536 + s->rtp.max_seq - (int64_t)s->rtp.base_seq + 1;
    int64_t lost = expected - (int64_t)s->rtp.received;
    return lost > 0 ? lost : 0;
}

/* Jitter in milliseconds. */
double os_stream_jitter_ms(const os_stream *s)
{
    return s->rtp_state == 1 ? s->rtp.jitter * 1000.0 / (double)RTP_HZ : 0.0;
}

/* ---- counters ------------------------------------------------------------ */

/* Bytes into the bitrate buckets; a full series halves its resolution.
 * The current bucket's end is kept, so a packet in it costs no division. */
static void bucket_add(os_stream *s, uint64_t ts, uint64_t bytes)
{
    if (ts < s->bucket_end && ts >= s->bucket_end - s->bucket_ns) {
        uint32_t *b = &s->bucket[s->bucket_i];
        *b += (uint32_t)(bytes > UINT32_MAX - *b ? UINT32_MAX - *b : bytes);
        return;
    }
    uint64_t i = (ts - s->first_ns) / s->bucket_ns;
    while (i >= OS_STREAM_BUCKETS) {
        for (unsigned k = 0; k < OS_STREAM_BUCKETS / 2; k++)
            s->bucket[k] = s->bucket[2 * k] + s->bucket[2 * k + 1];
        memset(s->bucket + OS_STREAM_BUCKETS / 2, 0, sizeof s->bucket / 2);
        s->bucket_ns *= 2;
        i = (ts - s->first_ns) / s->bucket_ns;
    }
    s->bucket[i] += (uint32_t)(bytes > UINT32_MAX - s->bucket[i] ? UINT32_MAX - s->bucket[i] : bytes);
    s->bucket_i = (uint8_t)i;
    s->bucket_end = s->first_ns + (i + 1) * s->bucket_ns;
}

/* Bytes of the current second; the peak of the finished ones. */
static void second_add(os_stream *s, uint64_t ts, uint64_t bytes)
{
    if (ts >= s->sec + 1000000000ULL || ts < s->sec) { /* s->sec: the second's start */
        s->sec = ts - ts % 1000000000ULL;
        s->sec_bytes = 0;
    }
    s->sec_bytes += bytes;
    if (s->sec_bytes * 8 > s->peak_bps)
        s->peak_bps = s->sec_bytes * 8;
}

/* The entry of address a in h, made if need be; NULL when memory ran out. */
static os_addr_last *addr_last(os_addr_last **h, const os_addr *a)
{
    os_addr_last *e;
    HASH_FIND(hh, *h, a, sizeof *a, e);
    if (!e && (e = calloc(1, sizeof *e))) {
        e->addr = *a;
        HASH_ADD(hh, *h, addr, sizeof e->addr, e);
        if (!os_hash_kept(e, &e->hh, NULL)) /* counted by the caller */
            return NULL;
    }
    return e;
}

/* A new stream for flow f; NULL past OS_STREAMS_MAX or when memory ran
 * out (counted). */
static os_stream *stream_new(os_streams *t, os_flow *f, uint64_t ts)
{
    os_stream *s;
    if (HASH_COUNT(t->set) >= OS_STREAMS_MAX)
        return NULL;
    if (!(s = calloc(1, sizeof *s))) {
        t->alloc_failed++;
        return NULL;
    }
    s->key = f->key;
    s->flow_id = f->id; /* (attached by the caller, which catches its packets up) */
    int from = t->rs->rule[f->label.rule].bulk == OS_BULK_FROM_SERVICE ? f->label.svc_side
                                                                         : !f->label.svc_side;
    s->src = os_flow_addr(f, from);
    s->dst = os_flow_addr(f, !from);
    s->sport = f->key.port[from];
    s->dport = f->key.port[!from];
    s->rule = f->label.rule;
    s->first_ns = s->last_ns = ts;
    s->bucket_ns = BUCKET0_NS;
    /* every multicast group on one port is one receiver: the Archivers that
     * record the site's groups */
    os_addr rx = s->dst;
    if (os_addr_is_multicast(&rx)) {
        memset(rx.b, 0, sizeof rx.b);
        rx.b[0] = (uint8_t)(s->dport >> 8);
        rx.b[1] = (uint8_t)s->dport;
    }
    if (!(s->rx = addr_last(&t->rx, &rx)) || !(s->tx = addr_last(&t->tx, &s->src))) {
        free(s);
        t->alloc_failed++;
        return NULL;
    }
    HASH_ADD_KEYPTR_BYHASHVALUE(hh, t->set, &s->key, sizeof s->key, f->hh.hashv, s);
    if (!os_hash_kept(s, &s->hh, &t->alloc_failed))
        return NULL;
    return s;
}

static void account(os_streams *t, os_stream *s, uint64_t ts, uint64_t packets,
                    uint64_t bytes, bool one);

/* The earlier packets of the flow a stream is followed in from its third
 * packet on: counted as one step at the flow's first time. */
static void catch_up(os_streams *t, os_stream *s, const os_flow *f, int side, uint32_t now_bytes)
{
    uint64_t n = f->pkts[side] - 1, b = f->bytes[side] - now_bytes;
    if (n)
        account(t, s, f->first_ns, n, b, false);
    if (s->rtp_state == 1) /* a resumed RTP stream: those packets were received */
        s->rtp.received += n;
    s->last_ns = f->last_ns; /* the gap to the packet in hand is not known: not judged */
}

/* A pause is a gap from max(stream-gap-seconds, 4 x the mean interval so
 * far): a camera sending ten packets a second that pauses 2 s has a gap; a
 * stream that sends every 4 s does not. */
static uint64_t gap_threshold(const os_streams *t, const os_stream *s)
{
    uint64_t d = secs_ns(t->rs->set.stream_gap_s);
    uint64_t mean = s->packets > 1 ? (s->last_ns - s->first_ns) / (s->packets - 1) : 0;
    return 4 * mean > d ? 4 * mean : d;
}

/* Count `packets` packets of `bytes` at ts: gaps, totals, bitrate (the
 * peak only from `one` packet at a time: earlier packets caught up in one
 * step would inflate it). */
static void account(os_streams *t, os_stream *s, uint64_t ts, uint64_t packets,
                    uint64_t bytes, bool one)
{
    if (s->packets && ts > s->last_ns) {
        uint64_t gap = ts - s->last_ns;
        if (gap > s->max_gap_ns) {
            s->max_gap_ns = gap;
            s->max_gap_at = s->last_ns;
        }
        if (s->packets >= 2 && gap >= secs_ns(t->rs->set.stream_gap_s) &&
            gap >= gap_threshold(t, s)) { /* an interval is known */
            s->gaps++;
            if (t->fn)
                t->fn(t->user, s, OS_STREAM_GAP, ts);
        }
    }
    if (ts > s->last_ns)
        s->last_ns = ts;
    if (ts > s->rx->last_ns)
        s->rx->last_ns = ts;
    if (ts > s->tx->last_ns)
        s->tx->last_ns = ts;
    s->packets += packets;
    s->bytes += bytes;
    if (ts >= s->first_ns) {
        bucket_add(s, ts, bytes);
        if (one)
            second_add(s, ts, bytes);
    }
}

/* Account a packet of a stream flow. */
bool os_streams_packet(os_streams *t, os_flow *f, int side, const os_pkt *p, uint64_t ts)
{
    const os_rule *r = &t->rs->rule[f->label.rule];
    int sender = r->bulk == OS_BULK_FROM_SERVICE ? f->label.svc_side : !f->label.svc_side;
    if (side != sender)
        return true; /* replies, or a stream the wrong way (reversed-direction says so) */
    os_stream **slot = &t->cache[cache_slot(f)], *s = *slot;
    if (!s || s->flow != f) { /* (a flow that ended was detached: s->flow is NULL) */
        if (f->pkts[side] < OS_STREAM_MIN_PKTS)
            return true; /* a flow of one or two datagrams is no stream (yet) */
        /* the flow table hashed this key already: its hash value finds the stream */
        HASH_FIND_BYHASHVALUE(hh, t->set, &f->key, sizeof f->key, f->hh.hashv, s);
        if (!s && !(s = stream_new(t, f, f->first_ns))) {
            bool full = HASH_COUNT(t->set) >= OS_STREAMS_MAX;
            t->untracked += full; /* else memory ran out: counted in alloc_failed */
            return full;
        }
        *slot = s;
        if (s->flow != f) { /* new, or the same stream in a new flow after a long pause */
            s->flow = f;
            s->flow_id = f->id;
            catch_up(t, s, f, side, p->wirelen); /* the flow's earlier packets */
        }
    }
    account(t, s, ts, 1, p->wirelen, true);
    rtp_packet(s, p, ts);
    return true;
}

/* ---- verdicts ------------------------------------------------------------ */

/* max(stream-stop-seconds, 4 x the mean interval between packets). */
uint64_t os_stream_stop_delay(const os_streams *t, const os_stream *s)
{
    uint64_t d = secs_ns(t->rs->set.stream_stop_s);
    uint64_t mean = s->packets > 1 ? (s->last_ns - s->first_ns) / (s->packets - 1) : 0;
    return 4 * mean > d ? 4 * mean : d;
}

/* Did another stream to s's receiver (or from its sender) send after
 * `after` (which is past s's own last packet)? */
static bool others_went_on(const os_stream *s, uint64_t after)
{
    return s->rx->last_ns > after || s->tx->last_ns > after;
}

/* Stopped: a stream that lived at least stream-stop-seconds (a burst of a
 * few datagrams is no camera), silent for its delay by `now`, while others
 * went on. */
static void judge_stop(os_streams *t, os_stream *s, uint64_t now)
{
    uint64_t delay = os_stream_stop_delay(t, s);
    if (s->stopped || s->last_ns - s->first_ns < secs_ns(t->rs->set.stream_stop_s) ||
        now < s->last_ns + delay || !others_went_on(s, s->last_ns + delay))
        return;
    s->stopped = true;
    if (t->fn)
        t->fn(t->user, s, OS_STREAM_STOPPED, now);
}

/* Live: every stream still in the table, at time now. */
void os_streams_check(os_streams *t, uint64_t now_ns)
{
    os_stream *s, *x;
    HASH_ITER(hh, t->set, s, x)
        if (s->flow)
            judge_stop(t, s, now_ns);
}

/* A stream flow leaves the table: keep a copy of it, detach it. */
void os_streams_flow_end(os_streams *t, const os_flow *f)
{
    os_stream *s;
    HASH_FIND_BYHASHVALUE(hh, t->set, &f->key, sizeof f->key, f->hh.hashv, s);
    if (!s || s->flow != f)
        return;
    s->snap = *f;
    s->flow = NULL;
}

/* RTP loss over the threshold? */
static bool lossy(const os_streams *t, const os_stream *s)
{
    int64_t lost = os_stream_rtp_lost(s);
    uint64_t expected = (uint64_t)lost + s->rtp.received;
    return lost > 0 && (uint64_t)lost * 100 > expected * t->rs->set.stream_loss_pct;
}

/* End of input: every stream judged with hindsight. */
void os_streams_finish(os_streams *t, uint64_t end_ns)
{
    os_stream *s, *x;
    HASH_ITER(hh, t->set, s, x) {
        s->alive_at_end = end_ns < s->last_ns + os_stream_stop_delay(t, s);
        judge_stop(t, s, end_ns);
        if (lossy(t, s) && t->fn)
            t->fn(t->user, s, OS_STREAM_LOSS, end_ns);
    }
}

/* ---- views --------------------------------------------------------------- */

static int badness(const os_stream *s)
{
    return s->stopped ? 3 : s->gaps ? 2 : os_stream_rtp_lost(s) > 0 ? 1 : 0;
}

static int worst_first(const void *a, const void *b)
{
    const os_stream *x = *(os_stream *const *)a, *y = *(os_stream *const *)b;
    if (badness(x) != badness(y))
        return badness(y) - badness(x);
    if (x->bytes != y->bytes)
        return x->bytes > y->bytes ? -1 : 1;
    return memcmp(&x->key, &y->key, sizeof x->key);
}

/* Every stream, worst first. */
const os_stream *const *os_streams_sorted(os_streams *t, size_t *n)
{
    OS_HASH_SORTED(t->set, os_stream, worst_first, &t->sorted, n);
    return (const os_stream *const *)t->sorted;
}

/* Streams not tracked. */
uint64_t os_streams_untracked(const os_streams *t) { return t->untracked; }

/* Allocations that failed so far. */
uint64_t os_streams_alloc_failed(const os_streams *t) { return t->alloc_failed; }
