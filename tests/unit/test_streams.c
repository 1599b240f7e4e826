/* test_streams.c — stream health arithmetic (streams.h) against values
 * computed by hand: gaps over max(stream-gap-seconds, 4 x the interval),
 * RTP detection on the first three packets, loss and disorder from the
 * sequence numbers (RFC 3550 A.1, across a wrap), the interarrival jitter
 * of RFC 3550 A.8, the stop verdict (another stream went on) and the pause
 * across flows. Packets are built in memory with pkt.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "omnisniff/classify.h"
#include "omnisniff/streams.h"
#include "pkt.h"


#define S 1000000000ULL
#define MS 1000000ULL
#define ABS(v) ((v) < 0 ? -(v) : (v))

typedef struct fx {
    os_ruleset rs;
    os_hostsfile hf;
    os_flowtab *ft;
    os_classifier *c;
    os_streams *t;
    int verdicts[3];        /* per os_stream_verdict */
    const os_stream *last;  /* stream of the last verdict */
} fx;

static void on_verdict(void *user, const os_stream *s, os_stream_verdict v, uint64_t ts)
{
    fx *x = user;
    (void)ts;
    x->verdicts[v]++;
    x->last = s;
}

static int setup(void **state)
{
    fx *x = calloc(1, sizeof *x);
    os_diags d = { 0 };
    os_flow_cfg cfg = os_flow_cfg_default();
    os_rules_text def = os_rules_default();
    if (!x || !os_rules_parse("default", def.text, def.len, &x->rs, &d))
        return -1;
    x->ft = os_flowtab_new(&cfg, NULL, NULL);
    x->c = os_classifier_new(&x->rs, &x->hf);
    x->t = os_streams_new(&x->rs, on_verdict, x);
    *state = x;
    return x->ft && x->c && x->t ? 0 : -1;
}

static int teardown(void **state)
{
    fx *x = *state;
    os_streams_free(x->t);
    os_classifier_free(x->c);
    os_flowtab_free(x->ft);
    os_rules_free(&x->rs);
    free(x);
    return 0;
}

/* A datagram src -> Archiver port with an RTP header (seq, timestamp,
 * ssrc) or, with rtp false, a payload that is no RTP. */
static os_flow *send_dgram(fx *x, const char *src, uint16_t dport, bool rtp, uint16_t seq,
                           uint32_t rts, uint32_t ssrc, uint64_t ts)
{
    static uint8_t pay[64];
    int side;
    bool created;
    os_pkt p = tp_make(17, src, 40000, "10.1.0.20", dport, 0, sizeof pay);
    memset(pay, 0x11, sizeof pay);
    if (rtp) {
        uint8_t h[12] = { 0x80, 96, (uint8_t)(seq >> 8), (uint8_t)seq,
                          (uint8_t)(rts >> 24), (uint8_t)(rts >> 16), (uint8_t)(rts >> 8), (uint8_t)rts,
                          (uint8_t)(ssrc >> 24), (uint8_t)(ssrc >> 16), (uint8_t)(ssrc >> 8), (uint8_t)ssrc };
        memcpy(pay, h, sizeof h);
    }
    p.payload = pay;
    p.payload_cap = p.payload_len = sizeof pay;
    os_flow *f = os_flowtab_add(x->ft, &p, ts, &side, &created);
    assert_non_null(f);
    os_classify_learn(x->c, f, side, &p, created);
    os_classify_flow(x->c, f);
    assert_true(os_streams_is_stream(x->t, f));
    assert_true(os_streams_packet(x->t, f, side, &p, ts));
    return f;
}

static const os_stream *only(fx *x, size_t want, size_t i)
{
    size_t n;
    const os_stream *const *v = os_streams_sorted(x->t, &n);
    assert_int_equal(n, want);
    return v[i];
}

/* 10 packets a second with one pause of 3 s: one gap (over 2 s); a stream
 * sending every 4 s has no gap (4 x its interval); the largest gap and its
 * start are kept. */
static void test_gaps_relative_to_interval(void **state)
{
    fx *x = *state;
    uint64_t t = 100 * S;
    for (int i = 0; i < 20; i++, t += 100 * MS)
        send_dgram(x, "10.2.0.31", 15000, false, 0, 0, 0, t);
    uint64_t pause_at = t - 100 * MS;
    t = pause_at + 3 * S;
    for (int i = 0; i < 5; i++, t += 100 * MS)
        send_dgram(x, "10.2.0.31", 15000, false, 0, 0, 0, t);
    for (int i = 0; i < 5; i++)
        send_dgram(x, "10.2.0.32", 15002, false, 0, 0, 0, 100 * S + (uint64_t)i * 4 * S);
    assert_int_equal(x->verdicts[OS_STREAM_GAP], 1);
    const os_stream *s = x->last;
    assert_int_equal(s->gaps, 1);
    assert_int_equal(s->max_gap_ns, 3 * S);
    assert_int_equal(s->max_gap_at, pause_at);
    assert_int_equal(s->packets, 25);
    assert_int_equal(s->rtp_state, 2); /* no RTP */
}

/* RTP: 100 packets, seq from 65500 (a wrap), every 10th missing, two
 * swapped: lost 10 (of 100 expected after the start), out of order 1. */
static void test_rtp_loss_and_disorder_across_wrap(void **state)
{
    fx *x = *state;
    uint16_t seq = 65500;
    uint64_t t = 10 * S;
    int sent = 0;
    for (int i = 0; i < 100; i++, seq++, t += 20 * MS) {
        if (i % 10 == 9)
            continue; /* lost */
        uint16_t s = seq;
        if (i == 50)
            s = (uint16_t)(seq + 1); /* 51 goes before 50 */
        else if (i == 51)
            s = (uint16_t)(seq - 1);
        send_dgram(x, "10.2.0.31", 15000, true, s, (uint32_t)i * 1800, 0xabcd, t);
        sent++;
    }
    const os_stream *st = only(x, 1, 0);
    assert_int_equal(st->rtp_state, 1);
    assert_int_equal(st->rtp.ssrc, 0xabcd);
    /* followed from the 3rd packet (seq 65502): the last sent is i = 98,
     * expected 97 from 65502, received 88 */
    assert_int_equal(st->rtp.received, sent - 2);
    assert_int_equal(st->rtp.cycles, 1);
    assert_int_equal(os_stream_rtp_lost(st), 97 - 88);
    assert_int_equal(st->packets, sent);
    assert_int_equal(st->rtp.out_of_order, 1);
}

/* RFC 3550 A.8 by hand: transit differences |D| of 0, 900, 900 (10 ms at
 * 90 kHz): J = 0, then 900/16 = 56.25, then 56.25 + (900 - 56.25)/16 =
 * 108.984375 units, 1.2109375 ms. */
static void test_jitter_rfc3550_a8(void **state)
{
    fx *x = *state;
    uint64_t t = 10 * S;
    /* two packets before the stream is followed (from the 3rd), then
     * arrivals 40, 60, 90, 100 ms; RTP timestamps step 1800 (20 ms):
     * transit 0, 0, 900, 0 => |D| = 0, 900, 900 */
    static const uint64_t at[] = { 0, 20, 40, 60, 90, 100 };
    for (int i = 0; i < 6; i++)
        send_dgram(x, "10.2.0.31", 15000, true, (uint16_t)(7 + i), (uint32_t)i * 1800, 5,
                   t + at[i] * MS);
    const os_stream *s = only(x, 1, 0);
    double j = 0;
    j += (0 - j) / 16;
    j += (900 - j) / 16;
    j += (900 - j) / 16;
    assert_true(ABS(s->rtp.jitter - j) < 1e-9);
    assert_true(ABS(os_stream_jitter_ms(s) - j / 90.0) < 1e-9);
    assert_true(ABS(j - 108.984375) < 1e-9); /* the hand value of the banner */
}

/* A stream that does not start like RTP (or changes SSRC in its first
 * packets) is not RTP: no RTP figures. */
static void test_rtp_checked_not_assumed(void **state)
{
    fx *x = *state;
    for (int i = 0; i < 3; i++) /* followed from the 3rd packet */
        send_dgram(x, "10.2.0.31", 15000, true, (uint16_t)(1 + i), 0, 1, (uint64_t)(1 + i) * S);
    send_dgram(x, "10.2.0.31", 15000, true, 4, 0, 2, 4 * S); /* another SSRC */
    send_dgram(x, "10.2.0.31", 15000, true, 5, 0, 2, 5 * S);
    const os_stream *s = only(x, 1, 0);
    assert_int_equal(s->rtp_state, 2);
    assert_int_equal(os_stream_rtp_lost(s), 0);
    assert_true(os_stream_jitter_ms(s) == 0.0);
}

/* Stopped: silent for 5 s (at least) while another stream to the same
 * Archiver went on; not while nothing else did. Loss over 1% is a verdict
 * at the end. */
static void test_stopped_needs_another_stream(void **state)
{
    fx *x = *state;
    uint64_t t = 0;
    for (int i = 0; i < 90; i++, t += 100 * MS) { /* camera 31 for 6 s, then silent */
        if (i < 60)
            send_dgram(x, "10.2.0.31", 15000, false, 0, 0, 0, S + t);
        send_dgram(x, "10.2.0.32", 15002, false, 0, 0, 0, S + t);
    }
    os_streams_check(x->t, S + t); /* 3 s after camera 31's last: not yet */
    assert_int_equal(x->verdicts[OS_STREAM_STOPPED], 0);
    for (int i = 0; i < 40; i++, t += 100 * MS)
        send_dgram(x, "10.2.0.32", 15002, false, 0, 0, 0, S + t);
    os_streams_check(x->t, S + t);
    assert_int_equal(x->verdicts[OS_STREAM_STOPPED], 1);
    assert_true(x->last->stopped);
    char a[OS_ADDRSTRLEN];
    assert_string_equal(os_addr_str(&x->last->src, a), "10.2.0.31");
    os_streams_finish(x->t, S + t);
    assert_int_equal(x->verdicts[OS_STREAM_STOPPED], 1); /* once */
    assert_false(only(x, 2, 0)->alive_at_end);
    assert_true(only(x, 2, 1)->alive_at_end);
}

/* A burst of a few datagrams that ends is no camera that stopped. */
static void test_short_burst_is_not_a_stop(void **state)
{
    fx *x = *state;
    for (int i = 0; i < 5; i++)
        send_dgram(x, "10.2.0.31", 15000, false, 0, 0, 0, S + (uint64_t)i * 20 * MS);
    for (int i = 0; i < 200; i++)
        send_dgram(x, "10.2.0.32", 15002, false, 0, 0, 0, S + (uint64_t)i * 100 * MS);
    os_streams_finish(x->t, 21 * S);
    assert_int_equal(x->verdicts[OS_STREAM_STOPPED], 0);
}

static void test_lone_stream_silence_is_not_a_stop(void **state)
{
    fx *x = *state;
    for (int i = 0; i < 20; i++)
        send_dgram(x, "10.2.0.31", 15000, false, 0, 0, 0, S + (uint64_t)i * 100 * MS);
    os_streams_finish(x->t, 60 * S);
    assert_int_equal(x->verdicts[OS_STREAM_STOPPED], 0);
    assert_false(only(x, 1, 0)->alive_at_end);
}

/* Flows of one or two datagrams (a scan, a burst) are no streams: nothing
 * is kept for them; the third datagram makes one, counting all three. */
static void test_young_flows_are_no_streams(void **state)
{
    fx *x = *state;
    size_t n;
    for (int i = 0; i < 100; i++) {
        char src[32];
        snprintf(src, sizeof src, "10.64.0.%d", i);
        send_dgram(x, src, 15000, false, 0, 0, 0, S + (uint64_t)i * MS);
    }
    send_dgram(x, "10.2.0.31", 15002, false, 0, 0, 0, 2 * S);
    send_dgram(x, "10.2.0.31", 15002, false, 0, 0, 0, 3 * S);
    os_streams_sorted(x->t, &n);
    assert_int_equal(n, 0);
    send_dgram(x, "10.2.0.31", 15002, false, 0, 0, 0, 4 * S);
    const os_stream *st = only(x, 1, 0);
    assert_int_equal(st->packets, 3);
    assert_int_equal(st->first_ns, 2 * S);
    assert_int_equal(st->gaps, 0);
}

/* A pause longer than the flow's life: the flow ends, the stream goes on in
 * a new flow of the same 5-tuple; one stream with one gap. */
static void test_pause_across_flows_is_one_stream(void **state)
{
    fx *x = *state;
    os_flow *f = NULL;
    for (int i = 0; i < 10; i++)
        f = send_dgram(x, "10.2.0.31", 15000, false, 0, 0, 0, S + (uint64_t)i * 100 * MS);
    os_flow copy = *f;
    os_streams_flow_end(x->t, f);
    os_flowtab_free(x->ft); /* the flow is gone */
    os_flow_cfg cfg = os_flow_cfg_default();
    x->ft = os_flowtab_new(&cfg, NULL, NULL);
    for (int i = 0; i < 10; i++)
        send_dgram(x, "10.2.0.31", 15000, false, 0, 0, 0, 200 * S + (uint64_t)i * 100 * MS);
    const os_stream *s = only(x, 1, 0);
    assert_int_equal(s->packets, 20);
    assert_int_equal(s->gaps, 1);
    assert_int_equal(x->verdicts[OS_STREAM_GAP], 1);
    assert_int_equal(s->snap.id, copy.id); /* the old flow kept for verdicts */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_gaps_relative_to_interval, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rtp_loss_and_disorder_across_wrap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_jitter_rfc3550_a8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rtp_checked_not_assumed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stopped_needs_another_stream, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lone_stream_silence_is_not_a_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_short_burst_is_not_a_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pause_across_flows_is_one_stream, setup, teardown),
        cmocka_unit_test_setup_teardown(test_young_flows_are_no_streams, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
