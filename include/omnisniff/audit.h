/* audit.h — the site audit: the flows a site needs, and what the capture
 * shows of each.
 *
 * The needed flows come from the rules file and the site file together:
 * every rule pairs its service= hosts with its peer= hosts of the site
 * (unicast encoder rules only along 'record ... unicast' lines, dest=multicast
 * rules only from encoders recorded over multicast, one-peer= rules and the
 * failover Directory only with the primary Gateway), minus the site's
 * 'unused' lines. Direction and port side come from the rule's initiator=
 * (TCP) and bulk= (UDP). No port is written in C: every one is the rule's.
 * The observed system (graph.h) then gives each needed flow a status —
 * seen-and-healthy, attempted-and-failed (naming the findings) or
 * never-seen — and every observed Omnicast edge no needed flow covers is
 * listed as seen-not-needed. Writers: text, JSON Lines, Markdown. */
#ifndef OMNISNIFF_AUDIT_H
#define OMNISNIFF_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "omnisniff/findings.h"
#include "omnisniff/flow.h"
#include "omnisniff/graph.h"
#include "omnisniff/rules.h"
#include "omnisniff/site.h"

/* Status of an audit row; stable ids (os_audit_status_name). */
typedef enum {
    OS_AUDIT_HEALTHY = 0, /* "seen-and-healthy" */
    OS_AUDIT_FAILED,      /* "attempted-and-failed" */
    OS_AUDIT_NEVER,       /* "never-seen" */
    OS_AUDIT_UNNEEDED,    /* "seen-not-needed" */
    OS_AUDIT_NSTATUS
} os_audit_status;

/* One end of an audit row. */
typedef struct os_audit_end {
    size_t host;       /* index in site->hosts.v; SIZE_MAX: not a host of the site */
    os_addr net;       /* the host's address or network (multicast: 224.0.0.0/4, ff00::/8) */
    uint8_t plen;      /* prefix length */
    bool multicast;    /* the end is "any multicast group" */
    int8_t role;       /* host role it plays in the rule (os_hrole), or -1 */
} os_audit_end;

/* One row: a needed flow, or an observed edge no needed flow covers. */
typedef struct os_audit_row {
    int16_t rule;             /* traffic role (rule index) */
    os_audit_end src, dst;    /* initiator (sender of the bulk for UDP) → responder */
    size_t recv;              /* multicast: the Archiver that records it (hosts.v); else SIZE_MAX */
    uint8_t transports;       /* OS_T_TCP | OS_T_UDP */
    uint16_t port_lo, port_hi;/* service ports (observed rows: the ports seen) */
    bool port_on_src;         /* the service port is the initiator's (source) port */
    os_audit_status status;   /* what the capture shows */
    bool crosses;             /* its ends are on two sides of the firewall (or no firewall is declared) */
    uint64_t edges;           /* observed edges matched */
    uint64_t flows;           /* their flows */
    uint64_t packets;         /* their packets, both ways */
    uint64_t hs[OS_HSV_PARTIAL + 1]; /* their TCP flows by handshake verdict */
    uint64_t first_ns, last_ns; /* first and last packet seen (0 when never seen) */
    uint32_t kinds;           /* finding kinds raised on them: bit (1 << os_finding_kind) */
    os_severity worst;        /* most severe of them (OS_SEV_NEVER: none) */
} os_audit_row;

/* An audit: needed flows first (in rules-file order), then seen-not-needed. */
typedef struct os_audit {
    os_audit_row *v;          /* rows (owned), sorted by status, rule, ends */
    size_t n;                 /* how many */
    size_t count[OS_AUDIT_NSTATUS]; /* rows per status */
    const os_site *site;      /* the site (outlives the audit) */
    const os_ruleset *rules;  /* the rules (outlive the audit) */
    const char *site_file;    /* its name, for the headings */
    uint64_t ts_ns;           /* time of the records: the capture's last packet */
} os_audit;

/* Stable id of a status ("seen-and-healthy", …); NULL if out of range. */
const char *os_audit_status_name(os_audit_status s);

/* Build the needed flows of site s under rules rs (every row never-seen).
 * False with err set only on allocation failure. */
bool os_audit_build(os_audit *a, const os_site *s, const os_ruleset *rs, const char *site_file,
                    char *err, size_t errlen);

/* Give each needed row its status from the observed system g (NULL: an empty
 * capture), add a seen-not-needed row per observed Omnicast edge no needed
 * row covers, and sort. ts_ns stamps the JSON records. False with err set
 * only on allocation failure. */
bool os_audit_observe(os_audit *a, const os_graph *g, uint64_t ts_ns, char *err, size_t errlen);

/* The audit as text for people (after the summary). */
void os_audit_write_text(FILE *f, const os_audit *a);

/* One JSON Lines "audit" record per row. */
void os_audit_write_json(FILE *f, const os_audit *a);

/* A Markdown "## Audit" section (for the --report writer). */
void os_audit_write_md(FILE *f, const os_audit *a);

/* "client 10.3.0.0/24" / "Archiver arch1 (10.1.0.20)" / "multicast 224.0.0.0/4":
 * one end of a row in words, into buf; returns buf. */
const char *os_audit_end_str(const os_audit *a, const os_audit_end *e, char *buf, size_t len);

/* The address of an end, "10.1.0.10", or with its prefix length when it is
 * a network, "10.3.0.0/24", into buf; returns buf. */
const char *os_audit_net_str(const os_audit_end *e, char *buf, size_t len);

/* "15000-16000" or "5001" into buf; returns buf. */
const char *os_audit_ports_str(const os_audit_row *r, char *buf, size_t len);

/* Free the rows and zero *a. */
void os_audit_free(os_audit *a);

#endif
