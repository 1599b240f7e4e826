/* findings.h — flagged facts about Omnicast traffic (docs/omnicast-roles.md section 3).
 *
 * The checks run on what the lower layers already know: a flow's traffic
 * role, service side and confidence (classify), its TCP handshake verdict and
 * byte counts (flow), ICMP errors and the datagram they quote (decode), host
 * roles with their evidence. Every expectation (ports, service side,
 * expected initiator, bulk direction, peers) comes from the rules file.
 * One finding per flow and kind, counted; each carries a sentence a
 * technician can act on. Kinds and severities are stable ids. */
#ifndef OMNISNIFF_FINDINGS_H
#define OMNISNIFF_FINDINGS_H

#include <stdbool.h>
#include <stdint.h>
#include <uthash.h>

#include "omnisniff/classify.h"
#include "omnisniff/decode.h"
#include "omnisniff/finding_kinds.h"
#include "omnisniff/flow.h"
#include "omnisniff/rules.h"

/* Severities, lowest first; stable ids "info", "warning", "error". */
typedef enum { OS_SEV_INFO = 0, OS_SEV_WARNING, OS_SEV_ERROR, OS_SEV_NEVER } os_severity;

/* Finding kinds, in the order of their table (finding_kinds.h). */
#define OS_FK_ENUM(e, id, sev, persists, text) OS_FK_##e,
typedef enum os_finding_kind { OS_FINDING_KINDS(OS_FK_ENUM) OS_FK_COUNT } os_finding_kind;
#undef OS_FK_ENUM

#define OS_FINDING_TEXT_MAX 480

/* Identity of a finding: one per flow (or host, or stream) and kind. */
typedef struct os_finding_key {
    uint64_t subject;      /* flow_id, or a hash of the host / multicast stream */
    uint32_t kind;         /* os_finding_kind */
    uint32_t pad;          /* zero */
} os_finding_key;

/* One finding. */
typedef struct os_finding {
    os_finding_key key;         /* hash key */
    UT_hash_handle hh;          /* uthash handle */
    os_finding_kind kind;       /* what */
    os_severity sev;            /* how bad */
    uint64_t flow_id;           /* the flow (0 for host findings) */
    os_addr src, dst;           /* initiator → responder (ICMP: the quoted flow's) */
    uint16_t sport, dport;      /* ports (0 if none) */
    uint8_t proto;              /* transport */
    bool has_flow;              /* flow fields are set */
    os_addr reporter;           /* ICMP: the host that sent the error */
    bool has_reporter;          /* reporter is set */
    int16_t rule;               /* traffic role (rule index), or -1 */
    uint64_t first_ns, last_ns; /* first and last time seen */
    uint64_t packets;           /* packets behind it */
    char text[OS_FINDING_TEXT_MAX]; /* the sentence for the technician */
    uint32_t seq;               /* order found */
    os_addr svc;                /* service host (or multicast group) of its problem */
    os_addr peer;               /* the other host (ver 0: none) */
    uint16_t svc_port;          /* the service port (0: none) */
    uint64_t problem_id;        /* the problem it folds into (0 until folded) */
    uint64_t folded;            /* packets already counted in that problem */
} os_finding;

/* Stable id of a kind / a severity. */
const char *os_finding_kind_name(os_finding_kind k);
const char *os_severity_name(os_severity s);

/* Parse a kind id; false if unknown. */
bool os_finding_kind_parse(const char *s, os_finding_kind *out);

/* Parse "error", "warning", "info" or "never" (for --fail-on). */
bool os_severity_parse(const char *s, os_severity *out);

/* Default severity of a kind (icmp-unreachable may be raised to error). */
os_severity os_finding_default_severity(os_finding_kind k);

/* What a kind means and what to check, for --explain (several lines, each
 * ending in '\n', the first starting with its id and severity); "" for an
 * unknown kind. */
const char *os_finding_explain(os_finding_kind k);

/* True for the kinds whose problems persistence judges (problems.h): an
 * unanswered or refused service that failed on every attempt. */
bool os_finding_kind_persists(os_finding_kind k);

typedef struct os_checker os_checker;
struct os_problems;

/* Called once for each new finding, when it is first raised. */
typedef void (*os_finding_fn)(void *user, const os_finding *f);

/* New checker over rules rs and classifier c (both outlive it); findings
 * fold into the problems of `pt` (which outlives it). */
os_checker *os_checker_new(const os_ruleset *rs, os_classifier *c, struct os_problems *pt,
                           os_finding_fn fn, void *user);

/* Check a TCP flow whose SYN got no answer within the quick-verdict wait
 * (rules: set syn-verdict-seconds), at packet time ts. */
void os_check_syn_wait(os_checker *k, os_flow *f, uint64_t ts);

/* Findings held at once. A finding is held while its flow is in the table
 * (it may still change); past this many the oldest is released as it
 * stands, so a storm of a million flagged flows costs bounded memory. A
 * flow's `flagged` bits keep it from being raised twice. */
#define OS_FINDINGS_HELD 4096

/* Where released findings go (written, drawn, kept): fn gets each finding
 * once, just before it is freed. */
void os_checker_on_release(os_checker *k, void (*fn)(void *user, const os_finding *f),
                           void *user);

/* Release every finding about flow `flow_id` (the flow has ended and been
 * checked: its findings are final). */
void os_checker_release(os_checker *k, uint64_t flow_id);

/* Release every finding still held, most severe first, then in the order
 * found (end of run). */
void os_checker_release_all(os_checker *k);

/* Check a flow leaving the table (its label is current). */
void os_check_flow(os_checker *k, os_flow *f);

/* Check a TCP packet as it arrives: SYN retries and refusals, and at the
 * SYN-ACK a connection opened the wrong way or by an unexpected peer, are
 * flagged at once, so a live capture shows them without waiting for the
 * flow to end. */
void os_check_tcp_packet(os_checker *k, os_flow *f, int side, const os_pkt *p,
                         uint64_t ts);

/* Check an ICMP error whose quoted datagram belongs to flow `quoted` (which
 * may be a flow made up from the quote alone, not in the table). */
void os_check_icmp(os_checker *k, const os_pkt *p, os_flow *quoted, uint64_t ts);

/* Check a new UDP flow to a multicast group. */
void os_check_multicast(os_checker *k, os_flow *f, int sender);

struct os_stream;

/* A stream verdict on stream flow f (streams.h): kind is stream-gap (the gap
 * that ended at ts), stream-stopped (silent since the stream's last packet)
 * or stream-loss (RTP loss over the threshold). */
void os_check_stream(os_checker *k, os_flow *f, const struct os_stream *s, os_finding_kind kind,
                     uint64_t ts);

/* End of run: host-level checks (role conflicts). */
void os_check_finish(os_checker *k);

/* Findings held now (not yet released), most severe first, then in the
 * order found; *n set. Owned by the checker, valid until the next call. */
const os_finding *const *os_checker_findings(os_checker *k, size_t *n);

/* Findings raised per kind (released or not) and the most severe
 * severity of a finding (OS_SEV_NEVER if none). */
void os_checker_counts(const os_checker *k, uint64_t counts[OS_FK_COUNT], os_severity *worst);

/* First peers remembered: of each (service host, rule) of a one-peer=yes
 * rule and each (multicast group, port). Past this many a new one is not
 * remembered (a second peer or source on it goes unflagged) and counted. */
#define OS_FIRST_PEERS_MAX 65536

/* Counters of the checker's bounded tables. */
typedef struct os_checker_tables {
    uint64_t first_peers;         /* first peers held (at most OS_FIRST_PEERS_MAX) */
    uint64_t first_peers_dropped; /* times one was not remembered: the table was full */
    uint64_t alloc_failed;        /* allocations that failed: findings not raised, first
                                     peers not remembered (a second peer may go unseen) */
} os_checker_tables;

/* The counters of the first-peer table (valid while k lives). */
const os_checker_tables *os_checker_stats(const os_checker *k);

/* Free it. */
void os_checker_free(os_checker *k);

#endif
