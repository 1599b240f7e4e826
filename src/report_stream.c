/* report_stream.c — streams as people and machines read them: the stream
 * table of the text summary (worst first, a screen at most) and the JSON
 * "stream" record (docs/json-schema.md). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "omnisniff/report.h"
#include "report_int.h"

/* Mean bitrate in bit/s over the stream's life (its packets / duration). */
static uint64_t mean_bps(const os_stream *s)
{
    uint64_t d = s->last_ns - s->first_ns;
    return d ? (uint64_t)((double)s->bytes * 8.0 * 1e9 / (double)d) : 0;
}

/* ---- JSON ---------------------------------------------------------------- */

static void json_rtp(sb *b, const os_stream *s)
{
    char t[32];
    if (s->rtp_state != 1)
        return;
    sb_kv_u64(b, "rtp_ssrc", s->rtp.ssrc);
    sb_kv_u64(b, "rtp_lost", (uint64_t)os_stream_rtp_lost(s));
    sb_kv_u64(b, "rtp_out_of_order", s->rtp.out_of_order);
    snprintf(t, sizeof t, "%.3f", os_stream_jitter_ms(s));
    sb_key(b, "rtp_jitter_ms");
    sb_puts(b, t);
}

/* The JSON "stream" record. */
void os_report_stream_json(os_report *r, const os_stream *s)
{
    char g[32];
    sb b;
    sb_record(&b, s->first_ns, "stream");
    sb_kv_u64(&b, "flow_id", s->flow_id);
    sb_endpoints(&b, &s->src, s->sport, &s->dst, s->dport, 17);
    sb_kv_str(&b, "role", r->rules->rule[s->rule].id);
    sb_kv_u64(&b, "packets", s->packets);
    sb_kv_u64(&b, "bytes", s->bytes);
    sb_kv_time(&b, "first_seen", s->first_ns);
    sb_kv_time(&b, "last_seen", s->last_ns);
    sb_kv_u64(&b, "mean_bps", mean_bps(s));
    sb_kv_u64(&b, "peak_bps", s->peak_bps);
    snprintf(g, sizeof g, "%.3f", (double)s->max_gap_ns / 1e9);
    sb_key(&b, "max_gap_s");
    sb_puts(&b, g);
    if (s->max_gap_ns)
        sb_kv_time(&b, "max_gap_at", s->max_gap_at);
    sb_kv_u64(&b, "gaps", s->gaps);
    sb_key(&b, "alive_at_end");
    sb_puts(&b, s->alive_at_end ? "true" : "false");
    sb_key(&b, "stopped");
    sb_puts(&b, s->stopped ? "true" : "false");
    json_rtp(&b, s);
    sb_putc(&b, '}');
    sb_flush(r, &b);
}

/* ---- text ---------------------------------------------------------------- */

/* "stopped", "gaps", "loss", "ok": the stream's state in one word. */
static const char *state_word(const os_stream *s)
{
    if (s->stopped)
        return "stopped";
    if (s->gaps)
        return "gaps";
    if (os_stream_rtp_lost(s) > 0)
        return "loss";
    return s->alive_at_end ? "ok" : "ended";
}

/* One row: sender > receiver.port, role, packets, kbit/s mean and peak,
 * largest gap (and when), gaps, state, RTP lost / out of order / jitter. */
static void stream_row(os_report *r, const os_stream *s)
{
    char a[OS_ADDRSTRLEN], b[OS_ADDRSTRLEN], ep[2 * OS_ADDRSTRLEN + 16], at[32], rtp[48];
    snprintf(ep, sizeof ep, "%s > %s.%u", os_addr_str(&s->src, a), os_addr_str(&s->dst, b),
             s->dport);
    os_fmt_hms(s->max_gap_at, false, at);
    if (s->rtp_state == 1)
        snprintf(rtp, sizeof rtp, "%" PRId64 "/%" PRIu64 "/%.1f", os_stream_rtp_lost(s),
                 s->rtp.out_of_order, os_stream_jitter_ms(s));
    else
        snprintf(rtp, sizeof rtp, "-");
    fprintf(r->out, "%-36s %-25s %8" PRIu64 " %7.1f %7.1f %7.1f s %-8s %5" PRIu64 " %-7s %s\n",
            ep, r->rules->rule[s->rule].id, s->packets, (double)mean_bps(s) / 1e3,
            (double)s->peak_bps / 1e3, (double)s->max_gap_ns / 1e9,
            s->max_gap_ns ? at : "-", s->gaps, state_word(s), rtp);
}

static bool troubled(const os_stream *s)
{
    return s->stopped || s->gaps || os_stream_rtp_lost(s) > 0;
}

/* The stream table: the streams in trouble (worst first, at most
 * OS_REPORT_STREAM_ROWS), then one line for the healthy ones. */
void os_report_streams_text(os_report *r, const os_stats *s)
{
    size_t bad = 0, shown;
    uint64_t ok_bps = 0;
    if (!s->nstreams)
        return;
    while (bad < s->nstreams && troubled(s->stream[bad]))
        bad++;
    for (size_t i = bad; i < s->nstreams; i++)
        ok_bps += mean_bps(s->stream[i]);
    shown = bad < OS_REPORT_STREAM_ROWS ? bad : OS_REPORT_STREAM_ROWS;
    fprintf(r->out, "\nstreams: %zu, %zu in trouble (--json: a 'stream' record each)\n",
            s->nstreams, bad);
    if (shown)
        fprintf(r->out, "%-36s %-25s %8s %7s %7s %9s %-8s %5s %-7s %s\n", "stream", "role",
                "packets", "kbit/s", "peak", "max gap", "at", "gaps", "state",
                "rtp lost/ooo/jitter ms");
    for (size_t i = 0; i < shown; i++)
        stream_row(r, s->stream[i]);
    if (bad > shown)
        fprintf(r->out, "(%zu more in trouble)\n", bad - shown);
    if (s->nstreams > bad)
        fprintf(r->out, "%zu stream%s healthy, %.1f kbit/s in all\n", s->nstreams - bad,
                s->nstreams - bad == 1 ? "" : "s", (double)ok_bps / 1e3);
    if (s->streams_untracked)
        fprintf(r->out, "(%" PRIu64 " more streams not tracked: over %d)\n", s->streams_untracked,
                OS_STREAMS_MAX);
}
