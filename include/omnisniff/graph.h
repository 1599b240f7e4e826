/* graph.h — the Omnicast system as observed: one edge per (initiator host,
 * responder host, transport, traffic role, service port), with the packets,
 * bytes and flows behind it, the TCP handshake verdicts of those flows and
 * the findings raised on them. Fed by every flow leaving the table and by
 * every finding at the end of the run; read by the outputs that draw or
 * audit the system as a whole (--dot, --report, --audit). Built only when
 * one of them is asked for, so a plain run pays nothing for it. */
#ifndef OMNISNIFF_GRAPH_H
#define OMNISNIFF_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uthash.h>

#include "omnisniff/addr.h"
#include "omnisniff/findings.h"
#include "omnisniff/flow.h"

/* Edge identity; memset to zero before filling (hashed as raw bytes). */
typedef struct os_edge_key {
    uint8_t src[16];  /* initiator address */
    uint8_t dst[16];  /* responder address */
    uint16_t port;    /* service port (the service side's; else the responder's) */
    int16_t rule;     /* traffic role (rule index), or -1 */
    uint8_t ipver;    /* 4 or 6 */
    uint8_t proto;    /* IP protocol */
    uint8_t pad[2];   /* zero */
} os_edge_key;
_Static_assert(sizeof(os_edge_key) == 40, "edge key must stay packed at 40 bytes");

/* One edge: what the initiator sent the responder for one traffic role. */
typedef struct os_edge {
    os_edge_key key;            /* hash key */
    UT_hash_handle hh;          /* uthash handle */
    os_addr src, dst;           /* initiator, responder */
    uint64_t flows;             /* flows seen (0: known only from a finding) */
    uint64_t packets[2];        /* packets initiator→responder, responder→initiator */
    uint64_t bytes[2];          /* wire bytes, same directions */
    uint64_t hs[OS_HSV_PARTIAL + 1]; /* TCP flows by handshake verdict */
    uint64_t first_ns, last_ns; /* first and last packet time of its flows */
    uint32_t kinds;             /* findings raised on it: bit (1 << os_finding_kind) */
    os_severity worst;          /* most severe of them (OS_SEV_NEVER: none) */
    uint8_t conf;               /* best label confidence of its flows (os_conf) */
    uint8_t svc_is_dst;         /* the service side is the responder (else the initiator) */
} os_edge;

typedef struct os_graph os_graph;

/* New empty graph; NULL on allocation failure. */
os_graph *os_graph_new(void);

/* Account a flow leaving the table (its label current). False only on
 * allocation failure (counted: os_graph_alloc_failed). */
bool os_graph_add_flow(os_graph *g, const os_flow *f);

/* Tie a finding to its edge (made if the flow was never seen, e.g. known
 * only from an ICMP quote). Findings without flow fields are ignored. False
 * only on allocation failure (counted). */
bool os_graph_add_finding(os_graph *g, const os_finding *fd);

/* Raise the severity of the edges a problem's findings are on to the
 * problem's own (persistence may have made a dropped port an error after
 * its findings were tied to the edges): edges to or from the problem's
 * service host, of its traffic role, that carry its kind. */
void os_graph_problem(os_graph *g, os_finding_kind kind, int16_t rule, const os_addr *svc,
                      os_severity sev);

/* Every edge, sorted by initiator, responder, rule, port, transport; *n set.
 * The array is the caller's (free()); the edges belong to the graph. NULL
 * with *n = 0 when there is none (or on allocation failure). */
const os_edge **os_graph_edges(const os_graph *g, size_t *n);

/* The edge of a key, or NULL. */
const os_edge *os_graph_find(const os_graph *g, const os_edge_key *k);

/* Allocations that failed so far: edges not kept (their flows and findings
 * are missing from the whole-system outputs). Never reset. */
uint64_t os_graph_alloc_failed(const os_graph *g);

/* Free it and its edges. */
void os_graph_free(os_graph *g);

#endif
