/* classify.h — Omnicast traffic roles for flows, host roles for addresses.
 *
 * The classifier owns what is known about hosts: roles declared in the
 * user's hosts file and roles inferred from traffic that only that role
 * produces (each inference keeps its evidence: which rule, which flow, when).
 * It labels a flow with the best-matching rule of the ruleset and the
 * confidence that label rests on:
 *   declared  — a declared host role confirms the rule,
 *   inferred  — an inferred host role confirms it,
 *   port      — only the port matched.
 * Labels are cached in the flow and recomputed only when the roles of one
 * of its two hosts have changed since: each host keeps the generation of
 * its last role change, so a role inferred for host X relabels only the
 * flows touching X. The per-packet cost is one integer compare while no
 * role changes anywhere, and two host lookups on a flow's next packet
 * after one did.
 *
 * The host table is bounded: at most os_classify_set_max_hosts() hosts
 * (OS_HOSTS_MAX by default) that are not named on a line of their own in
 * the hosts file. Past it the least recently seen of them is evicted: its
 * inferred roles, evidence and peer notes are forgotten (a flow labelled
 * with them keeps its label; a new flow sees the host as unknown until
 * traffic shows its role again; a host covered by a network line of the
 * hosts file gets its declared roles back from the file). A host is seen
 * when a flow touching it is labelled or learnt from, and on every 256th
 * packet of such a flow, so busy hosts keep their inferred roles; "least
 * recently seen" is the second-chance (CLOCK) approximation of it. Hosts
 * are evicted only as os_classify_learn, os_classify_flow and
 * os_classify_settle return (one call may first add a few past the
 * bound), never by a lookup: a host pointer from os_classify_host or
 * os_classify_hosts stays valid until the next call of one of those three. */
#ifndef OMNISNIFF_CLASSIFY_H
#define OMNISNIFF_CLASSIFY_H

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <uthash.h>

#include "omnisniff/flow.h"
#include "omnisniff/hosts.h"
#include "omnisniff/lru.h"
#include "omnisniff/rules.h"

/* Confidence of a label; stable ids "port", "inferred", "declared". */
typedef enum { OS_CONF_NONE = 0, OS_CONF_PORT, OS_CONF_INFERRED, OS_CONF_DECLARED } os_conf;

/* Stable id of a confidence ("-" for none). */
const char *os_conf_name(os_conf c);

/* Why a host holds an inferred role. */
typedef struct os_evidence {
    uint64_t flow_id;   /* the flow that showed it */
    uint64_t first_ns;  /* when */
    int16_t rule;       /* rule index */
    uint8_t as_service; /* the host was the service side (else the peer) */
    os_addr other;      /* the host on the other side of that flow */
} os_evidence;

#define OS_PEER_TRACK 4 /* distinct peers remembered per host for min-peers */
#define OS_HOSTS_MAX 131072 /* default bound on evictable hosts (~86 MiB of 688-byte records) */
#define OS_HOSTS_MIN 16    /* smallest bound accepted (one packet can add a few hosts) */
#define OS_PAIR_FACTS_MAX 65536 /* infer-pair facts remembered; more are not */

/* A peer seen on a rule whose service-side inference waits for min-peers. */
typedef struct os_peer_seen {
    uint64_t flow_id;   /* its first flow on the rule */
    uint64_t first_ns;  /* when */
    int16_t rule;       /* rule index */
    uint8_t done;       /* the service's role was given to it (or it is declared or had it) */
    os_addr addr;       /* the peer (last: the 17 bytes pack after the 3 above, 40 not 48) */
} os_peer_seen;

/* What is known of one address. */
typedef struct os_host {
    os_addr addr;                  /* hash key */
    uint8_t npeer;                 /* entries of peer[] used */
    bool kept;                     /* named on its own hosts-file line: never evicted */
    bool seen;                     /* looked up since the eviction order last passed it */
    UT_hash_handle hh;             /* uthash handle */
    os_hrole_set declared;         /* from the hosts file */
    os_hrole_set inferred;         /* from traffic */
    uint32_t gen;                  /* classifier generation of its last role change (low
                                      32 bits, compared as flow labels' are) */
    const os_hostdecl *decl;       /* hosts-file entry, or NULL */
    os_evidence why[OS_HR_COUNT];  /* evidence per inferred role */
    os_peer_seen peer[OS_PEER_TRACK]; /* peers seen for a pending inference */
    os_lru_node order;             /* eviction order (evictable hosts only; see hosts_trim) */
} os_host;

/* Counters of the classifier's bounded tables. */
typedef struct os_host_stats {
    uint64_t hosts;              /* host records held now (kept ones included) */
    uint64_t hosts_peak;         /* most held at once */
    uint64_t hosts_evicted;      /* evicted past the bound (least recently seen first) */
    uint64_t pair_facts;         /* infer-pair facts held (at most OS_PAIR_FACTS_MAX) */
    uint64_t pair_facts_dropped; /* times a fact was not remembered: the pair table was full */
    uint64_t alloc_failed;       /* allocations that failed: hosts, pair facts not kept (what
                                    they would have shown is not learnt) */
} os_host_stats;

typedef struct os_classifier os_classifier;

/* New classifier over rules rs and (optional) hosts file h; both must outlive
 * it. NULL on allocation failure. */
os_classifier *os_classifier_new(const os_ruleset *rs, const os_hostsfile *h);

/* Free it and its host table. */
void os_classifier_free(os_classifier *c);

/* Bound the hosts that can be evicted (all but those named on a line of
 * their own in the hosts file) to n, at least OS_HOSTS_MIN (smaller values
 * are raised to it). Takes effect at the next host the classifier learns
 * of; the default is OS_HOSTS_MAX. */
void os_classify_set_max_hosts(os_classifier *c, size_t n);

/* The counters of the host and pair tables (valid while c lives). */
const os_host_stats *os_classify_stats(const os_classifier *c);

/* Learn from one packet of flow f sent by key side `side` (call after
 * os_flowtab_add). Inference only runs on new flows and TCP SYN-ACKs. */
void os_classify_learn(os_classifier *c, os_flow *f, int side,
                       const os_pkt *p, bool created);

/* Make f->label current (recomputed only if host knowledge changed; then
 * what the flow has shown so far is learnt again, so a role inferred later
 * lets a long-lived flow vouch for its peers on its next packet). */
void os_classify_flow(os_classifier *c, os_flow *f);

/* A flow leaves the table: learn from all it showed (bytes each way) and
 * settle its label (a rule limited by max-mean-size is judged on the whole
 * flow). */
void os_classify_settle(os_classifier *c, os_flow *f);

/* The side that opened flow f as far as is known: the SYN sender; for TCP
 * whose handshake was not seen, the side off its rule's service port (the
 * client of an already-open connection); else the first packet's sender. */
int os_flow_client(const os_flow *f);

/* How os_flow_client decided: "syn" (handshake seen), "port" (the rule's
 * service port), or NULL (the first packet's sender: no rule, or UDP). */
const char *os_flow_client_by(const os_flow *f);

/* Write every host with a role as a hosts file (-H syntax) to out: one
 * line a host, "ADDRESS ROLE[,ROLE...] [name]", with how each is known as a
 * comment (declared, or inferred and why in words), under a header naming
 * `source`. A draft to correct and pass back with -H. */
void os_classify_write_hosts(os_classifier *c, FILE *out, const char *source);

/* How sentences name a host: "Archiver 10.1.0.20" (a known role,
 * preferring those in `prefer`), "Archiver 10.1.0.20 (by the port)" (the one
 * role `prefer` names) or "host 10.1.0.20". Returns buf. */
const char *os_classify_who(os_classifier *c, const os_addr *a, os_hrole_set prefer, char *buf,
                            size_t n);

/* The evidence of host h's inferred role r in words, e.g. "receives
 * archiver-gateway-unicast (UDP 28000-29000) from Archiver 10.1.0.20".
 * Returns buf. */
const char *os_classify_evidence_words(os_classifier *c, const os_host *h, os_hrole r,
                                       char *buf, size_t len);

/* Every inferred role of h with its evidence in words, "; "-separated:
 * "gateway: receives archiver-gateway-unicast (UDP 28000-29000) from
 * Archiver 10.1.0.20". "" when none is inferred. Returns buf. */
const char *os_classify_evidence_line(os_classifier *c, const os_host *h, char *buf, size_t len);

/* Known roles of an address (declared | inferred) and the best confidence
 * behind them; OS_CONF_NONE and 0 when nothing is known. */
os_hrole_set os_classify_host_roles(os_classifier *c, const os_addr *a, os_conf *conf);

/* The host record of an address, or NULL if nothing is known about it. */
const os_host *os_classify_host(os_classifier *c, const os_addr *a);

/* Every host with a declared or inferred role, sorted by address; *n set.
 * The array is owned by the caller (free()); NULL with *n = 0 if none. */
const os_host **os_classify_hosts(os_classifier *c, size_t *n);

#endif
