/* mdreport.h — a Markdown report of a run, to attach to a ticket (--report).
 *
 * Sections, in this order (level-2 headings, stable titles):
 *   ## Capture            file or interface, link type, times, duration,
 *                         packets, bytes, decode outcomes, handshakes, flows,
 *                         kernel drops (live), read error, problem counts by
 *                         severity and the number of findings they fold
 *   ## Problems           worst first, one "### N. severity kind — service
 *                         (traffic role)" each: the sentence (os_problem_say),
 *                         a facts table (flows, packets, peers, ports tried,
 *                         answered handshakes, first and last seen, typical
 *                         interval, KBA, problem_id), the example flow ids, a
 *                         BPF filter for the first example and, for failed
 *                         handshakes (unanswered-connection,
 *                         connection-refused, icmp-unreachable), one ASCII
 *                         ladder diagram of that first example
 *   ## Hosts              every host with a role: name, roles, declared or
 *                         inferred, the evidence of each inferred role
 *   ## Traffic by role    flows, packets, bytes per traffic role
 *   ## Conversations      the graph's edges with a role or a finding (only
 *                         when a graph is given)
 *   (more sections)       the caller's own (e.g. "## Audit"), written
 *                         between os_mdreport_write_body and _end
 *   ## What the findings mean   os_finding_explain() of each kind found
 * The report's size grows with the problems, not with the flows behind
 * them: a fault retried by many clients is one section and one ladder.
 * Per-flow findings (os_stats.finding, --findings all) are not listed.
 * Output is deterministic (UTC, sorted as the layers sort). */
#ifndef OMNISNIFF_MDREPORT_H
#define OMNISNIFF_MDREPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "omnisniff/classify.h"
#include "omnisniff/findings.h"
#include "omnisniff/graph.h"
#include "omnisniff/report.h"
#include "omnisniff/rules.h"

/* What the report is made from. */
typedef struct os_mdreport_cfg {
    const os_stats *st;          /* counters and problems (os_pipeline_stats) */
    os_classifier *cls;          /* host roles and evidence */
    const os_ruleset *rules;     /* role ids */
    const os_graph *graph;       /* conversations; NULL leaves that section out */
} os_mdreport_cfg;

/* Write the whole report to out: os_mdreport_write_body, then
 * os_mdreport_write_end. Returns false with a one-line message in err when
 * writing failed (out is flushed). */
bool os_mdreport_write(FILE *out, const os_mdreport_cfg *c, char *err, size_t errlen);

/* Write the report up to "## Conversations" (or "## Traffic by role"
 * without a graph). The caller may then write sections of its own, each
 * starting with a blank line and a "## " heading, and ends the report with
 * os_mdreport_write_end. */
void os_mdreport_write_body(FILE *out, const os_mdreport_cfg *c);

/* End a report begun with os_mdreport_write_body: "## What the findings
 * mean", then flush out. Returns false with a one-line message in err when
 * any write to out failed. */
bool os_mdreport_write_end(FILE *out, const os_mdreport_cfg *c, char *err, size_t errlen);

/* A BPF filter (tcpdump / omnisniff syntax) that captures the traffic of
 * finding f (e.g. a problem's first example) again: "host A and host B and tcp port P" with P the role's
 * service port; for icmp-unreachable also the reporter's ICMP errors; for a
 * host finding "host A". Returns buf (truncated to len). */
const char *os_mdreport_bpf(const os_finding *f, const os_ruleset *rs, char *buf, size_t len);

#endif
