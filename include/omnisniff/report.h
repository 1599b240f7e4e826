/* report.h — what omnisniff prints: tcpdump-like packet lines, the summary
 * table for people, and JSON Lines records (Suricata EVE field names) for
 * machines. Formatting only: the numbers come from the pipeline (os_stats,
 * pipeline.h). Output is deterministic: UTC times, roles in rules-file
 * order, hosts by address. */
#ifndef OMNISNIFF_REPORT_H
#define OMNISNIFF_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "omnisniff/classify.h"
#include "omnisniff/decode.h"
#include "omnisniff/findings.h"
#include "omnisniff/flow.h"
#include "omnisniff/pipeline.h"
#include "omnisniff/problems.h"
#include "omnisniff/rules.h"
#include "omnisniff/streams.h"

/* Version of the JSON Lines schema (docs/json-schema.md), in every record as
 * "schema_version". Raised on any breaking change to a record's keys. */
#define OS_JSON_SCHEMA_VERSION 2

/* Hosts of one role set in one /24 (/64) shown as one line from this many. */
#define OS_REPORT_FOLD_HOSTS 5

/* Output context. */
typedef struct os_report {
    FILE *out;                 /* where to write */
    const os_ruleset *rules;   /* for role ids */
    os_classifier *cls;        /* for host roles */
    const os_flowtab *flows;   /* for the tunnels around a flow ("encap"), or NULL */
    uint64_t now_ns;           /* time of the packet being handled (live lines of problems) */
    uint64_t cached_sec;       /* second of cached_hms */
    char cached_hms[9];        /* "HH:MM:SS" of cached_sec */
} os_report;

/* One text line for a frame; f/side only for decoded (OK) packets. */
void os_report_packet(os_report *r, uint64_t ts_ns, os_decode_status st, os_reason why,
                      const os_pkt *p, const os_flow *f);

/* The JSON "flow" record of a flow leaving the table. */
void os_report_flow_json(os_report *r, const os_flow *f, os_flow_end why);

/* A finding as it is raised (text mode, between packet lines). */
void os_report_finding_live(os_report *r, const os_finding *f);

/* The JSON "finding" record. */
void os_report_finding_json(os_report *r, const os_finding *f);

/* A problem as it opens or changes severity (text mode, between packet
 * lines, at the time of the packet being handled): "!!", severity, kind,
 * the sentence. */
void os_report_problem_live(os_report *r, const os_problem *p, os_problem_event ev);

/* The JSON "stream" record of a stream whose flow ended (docs/json-schema.md). */
void os_report_stream_json(os_report *r, const os_stream *s);

/* The stream table of the text summary: worst first, at most
 * OS_REPORT_STREAM_ROWS rows (the rest are counted; --json has them all). */
#define OS_REPORT_STREAM_ROWS 20
void os_report_streams_text(os_report *r, const os_stats *s);

/* The JSON "stats" record at time ts: counters so far, the bounded tables'
 * among them (docs/json-schema.md); `active` flows in the table now. */
void os_report_stats_json(os_report *r, const os_stats *s, uint64_t ts, uint64_t active,
                          const uint64_t *role_pkts);

/* The JSON "problem" record (docs/json-schema.md). */
void os_report_problem_json(os_report *r, const os_problem *p, os_problem_event ev);

/* The problems section of the text summary: a count line, then each
 * problem worst first in a few lines (heading, sentence, facts, KBA). */
void os_report_problems_text(os_report *r, const os_stats *s);

/* The summary as aligned text tables: header, problems, traffic roles,
 * hosts (hosts of one role in one /24 or /64 folded into a line once there
 * are OS_REPORT_FOLD_HOSTS of them), the findings (--findings all), decode
 * outcomes, handshakes and flow counters, and a "tables:" line when a
 * bounded table was full (what it evicted or did not remember). */
void os_report_summary_text(os_report *r, const os_stats *s);

/* The JSON "summary" record ("tables" only when a bounded table was full). */
void os_report_summary_json(os_report *r, const os_stats *s);

/* Traffic role label of a flow: "id", "id|alt", or "-". */
const char *os_report_role(const os_ruleset *rs, const os_flow_label *l, char *buf, size_t len);

/* ISO 8601 UTC time as EVE writes it: 2026-01-15T10:00:00.000000+0000. */
void os_report_iso_time(uint64_t ts_ns, char buf[32]);

#endif
