/* pipeline.h — one packet through all layers: decode → flow → classify →
 * report, and the statistics the summary prints (os_stats: the pipeline
 * keeps the counters, report.h formats them). The command (src/cli/) feeds
 * it frames from a capture; fuzzers and tests can feed it frames from
 * memory. */
#ifndef OMNISNIFF_PIPELINE_H
#define OMNISNIFF_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "omnisniff/capture.h"
#include "omnisniff/decode.h"
#include "omnisniff/dump.h"
#include "omnisniff/findings.h"
#include "omnisniff/flow.h"
#include "omnisniff/graph.h"
#include "omnisniff/hosts.h"
#include "omnisniff/problems.h"
#include "omnisniff/rules.h"
#include "omnisniff/streams.h"

/* Packets, bytes and flows of one traffic role (or of unclassified flows). */
typedef struct os_total {
    uint64_t packets; /* packets */
    uint64_t bytes;   /* wire bytes */
    uint64_t flows;   /* flows */
    uint64_t ambiguous; /* of those, flows another role fitted equally well */
    int16_t alt;      /* that other role (the first seen) */
    bool mixed_alt;   /* ambiguous flows named different other roles */
} os_total;

/* The modules on the per-packet path that count the allocations they could
 * not make (each goes on without what it could not keep), in the order the
 * summary names them; stable ids. */
#define OS_ALLOC_MODULES(X)          \
    X(FINDINGS, "findings")          \
    X(CLASSIFY, "classify")          \
    X(FLOWS, "flows")                \
    X(PROBLEMS, "problems")          \
    X(STREAMS, "streams")            \
    X(GRAPH, "graph")                \
    X(DUMP, "dump")                  \
    X(PIPELINE, "pipeline")

#define OS_AM_ENUM(e, id) OS_AM_##e,
typedef enum os_alloc_module { OS_ALLOC_MODULES(OS_AM_ENUM) OS_AM_COUNT } os_alloc_module;
#undef OS_AM_ENUM

/* Stable id of a module ("findings"): its name in the summary's
 * out-of-memory line and its key in the JSON "alloc_failures" object;
 * NULL if out of range. */
const char *os_alloc_module_name(os_alloc_module m);

/* Everything the summary reports. */
typedef struct os_stats {
    uint64_t packets;                 /* frames read */
    uint64_t bytes;                   /* their wire bytes */
    uint64_t first_ns, last_ns;       /* first and last frame time */
    uint64_t status[OS_DEC_MALFORMED + 1]; /* frames by decode status */
    uint64_t reason[OS_R_COUNT];      /* truncated/malformed (and ICMP quote) by reason */
    uint64_t payload_cut;             /* decoded fully, payload cut by the snaplen */
    os_total *role;                   /* per rule index (rules->n entries) */
    os_total unclassified;            /* flows no rule matched */
    os_flow_stats flows;              /* flow table counters */
    uint64_t handshake[OS_HSV_PARTIAL + 1]; /* TCP flows by handshake verdict */
    os_capture_stats kernel;          /* live capture counters */
    const char *source;               /* file name or interface */
    const char *linktype;             /* link type name */
    const char *read_error;           /* the capture ended with this error, or NULL */
    uint64_t findings[OS_FK_COUNT];   /* findings raised per kind */
    const os_finding *const *finding; /* --findings all: every finding, most severe first */
    size_t nfindings;                 /* how many (0 without --findings all) */
    const os_problem *const *problem; /* problems, most severe first */
    size_t nproblems;                 /* how many */
    uint64_t problems[OS_SEV_NEVER];  /* problems per severity */
    const os_stream *const *stream;   /* streams, worst first */
    size_t nstreams;                  /* how many */
    uint64_t streams_untracked;       /* streams past OS_STREAMS_MAX */
    os_host_stats tab_hosts;          /* the classifier's host table (os_classify_stats) */
    os_problem_stats tab_problems;    /* the problem table (os_problems_stats) */
    os_checker_tables tab_first;      /* the checker's first peers (os_checker_stats) */
    uint64_t alloc_failed[OS_AM_COUNT]; /* allocations that failed, per module (0: all made) */
} os_stats;

/* Allocations that failed in all modules (the sum of s->alloc_failed). */
uint64_t os_stats_alloc_failed(const os_stats *s);

/* Output modes (SILENT: no packet lines and no summary; the caller writes
 * what it was asked for, e.g. --firewall-rules). */
typedef enum { OS_MODE_PACKETS = 0, OS_MODE_QUIET, OS_MODE_JSON, OS_MODE_SILENT } os_mode;

typedef struct os_pipeline os_pipeline;

/* How to run. */
typedef struct os_pipeline_cfg {
    const os_ruleset *rules;   /* rules (must outlive the pipeline) */
    const os_hostsfile *hosts; /* declared hosts or NULL (must outlive it) */
    os_flow_cfg flow;          /* timeouts and cap */
    int dlt;                   /* link type of the frames */
    os_mode mode;              /* what to print */
    FILE *out;                 /* where to print */
    bool graph;                /* build the observed system (os_pipeline_graph) */
    os_dump *dump;             /* evidence capture (-w), or NULL (the caller closes it) */
    bool findings_all;         /* text: every finding, live and in the summary (--findings all) */
    uint64_t stats_ns;         /* JSON: a "stats" record this often (packet time; 0 = never) */
} os_pipeline_cfg;

/* New pipeline; NULL with err set on allocation failure. */
os_pipeline *os_pipeline_new(const os_pipeline_cfg *cfg, char *err, size_t errlen);

/* Run one frame through every layer. False when the frame's flow could not
 * be made for lack of memory; that and every other failed allocation is
 * counted (os_pipeline_oom) and the pipeline goes on with what it has. */
bool os_pipeline_packet(os_pipeline *p, const os_frame *fr);

/* Time passes without packets (a quiet live link): judge the SYNs whose
 * quick-verdict wait ended by now_ns (the time base of the packets: the
 * wall clock, live), so a dropped port is flagged on time even when no
 * packet follows its SYNs. Output is flushed when anything was written. */
void os_pipeline_tick(os_pipeline *p, uint64_t now_ns);

/* Write records to `out` from now on (a reopened --json-file). */
void os_pipeline_set_out(os_pipeline *p, FILE *out);

/* The kernel's counters as they stand, for the next "stats" record (live). */
void os_pipeline_set_kernel(os_pipeline *p, const os_capture_stats *kernel);

/* End of input: end every flow (JSON flow and finding records), release
 * the findings held back, judge the streams and the waiting handshakes, and
 * write the final stream and problem records (JSON). Afterwards the
 * statistics, the graph and os_pipeline_worst are complete; write the
 * summary with os_pipeline_summary (the caller may write records of its own
 * in between, e.g. the audit's). `source`/`linktype` name the capture;
 * `kernel` holds live counters or is NULL; `read_error` is the error that
 * cut the input short, or NULL. Call it once. */
void os_pipeline_flush(os_pipeline *p, const char *source, const char *linktype,
                       const os_capture_stats *kernel, const char *read_error);

/* After os_pipeline_flush: the summary to the output (the last JSON record,
 * or the text summary; nothing in OS_MODE_SILENT), then flush the output. */
void os_pipeline_summary(os_pipeline *p);

/* The summary so far as text to out, without ending any flow (for SIGUSR1):
 * the role table counts active flows as they stand; problems as they stand. */
void os_pipeline_summary_now(os_pipeline *p, FILE *out, const char *source, const char *linktype,
                             const os_capture_stats *kernel);

/* The compact --status table to out: a line with packets, active flows and
 * problems; per traffic role with traffic, the packets per second over the
 * last `secs` seconds, the flows active now and the problems so far. Returns the number of lines printed (for redrawing
 * in place on a terminal). */
int os_pipeline_status(os_pipeline *p, FILE *out, double secs);

/* The most severe problem so far, persistence applied (OS_SEV_NEVER if none):
 * what --fail-on compares. */
os_severity os_pipeline_worst(const os_pipeline *p);

/* The observed system: edges with their findings, complete after
 * os_pipeline_flush. NULL unless cfg.graph was set. */
const os_graph *os_pipeline_graph(const os_pipeline *p);

/* The classifier: host roles and their evidence. */
os_classifier *os_pipeline_classifier(os_pipeline *p);

/* True when an allocation failed in any module so far (results are
 * incomplete; after os_pipeline_flush, os_pipeline_stats(p)->alloc_failed
 * says where). */
bool os_pipeline_oom(const os_pipeline *p);

/* The statistics so far. */
const os_stats *os_pipeline_stats(const os_pipeline *p);

/* Free it. */
void os_pipeline_free(os_pipeline *p);

#endif
