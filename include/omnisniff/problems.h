/* problems.h — findings folded into problems: the unit a technician reads.
 *
 * A fault on a real site repeats: ten clients retrying a dropped port every
 * 3 s make 2,000 flows and 2,000 findings, and they are one problem. Every
 * finding folds into the problem of its (kind, service host or multicast
 * group, traffic role, the role's port range), across clients, source ports
 * and attempts. A problem counts flows, packets and distinct peers, keeps
 * the ports tried, the first few peers, a bounded sample of the intervals
 * between one peer's attempts, a bounded list of flow ids and a copy of its
 * first few findings as examples, so its memory does not grow with the
 * number of flows behind it.
 *
 * Persistence (docs/omnicast-roles.md section 4): an unanswered or refused service that
 * failed on every attempt, from `persist-peers` peers or for
 * `persist-seconds`, is an error; occasional failures among successful
 * handshakes to the same service stay warnings. Both thresholds are `set`
 * lines of the rules file.
 *
 * Every table is bounded, so days of churning addresses do not grow it:
 *   problems   at most os_problems_set_max() (OS_PROBLEMS_MAX): past it the
 *              least recently folded problem of the lowest severity held is
 *              evicted (an error outlives any warning); it is forgotten,
 *              and the same fault later opens it again (same problem_id);
 *   answered services  at most OS_PROBLEMS_ANSWERED_MAX (service host,
 *              rule) handshake counts: past it the least recently answered
 *              is forgotten (its service counts as never answered again);
 *   peers      at most OS_PROBLEM_PEERS_MAX told apart per problem and
 *              OS_PROBLEM_PEERS_HELD over all problems: more are counted
 *              as "at least" (peers_capped).
 * The evictions are counted (os_problems_stats). */
#ifndef OMNISNIFF_PROBLEMS_H
#define OMNISNIFF_PROBLEMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uthash.h>

#include "omnisniff/classify.h"
#include "omnisniff/findings.h"
#include "omnisniff/lru.h"
#include "omnisniff/rules.h"

#define OS_PROBLEM_PORTS 8       /* distinct service ports kept */
#define OS_PROBLEM_PEERS_SHOWN 4 /* first peers named */
#define OS_PROBLEM_EXAMPLES 3    /* example findings kept */
#define OS_PROBLEM_FLOW_IDS 64   /* flow ids kept (the true count is `flows`) */
#define OS_PROBLEM_GAPS 63       /* intervals sampled for the typical one */
#define OS_PROBLEM_PEERS_MAX 65536 /* distinct peers told apart; more are counted as "at least" */
#define OS_PROBLEM_PEERS_HELD 262144 /* distinct peers told apart over all problems (~24 MiB) */
#define OS_PROBLEMS_MAX 4096       /* default bound on problems held (~3 KiB each) */
#define OS_PROBLEMS_ANSWERED_MAX 16384 /* (service host, rule) handshake counts kept */

/* Identity of a problem; memset to zero before filling (hashed as bytes). */
typedef struct os_problem_key {
    uint8_t svc[16];   /* service host, or multicast group (IPv4 in the first 4 bytes) */
    uint16_t port_lo;  /* the rule's first port (the port itself without a rule) */
    uint16_t port_hi;  /* the rule's last port */
    int16_t rule;      /* traffic role (rule index), or -1 */
    uint8_t kind;      /* os_finding_kind */
    uint8_t ipver;     /* 4 or 6 (0: no service host) */
} os_problem_key;
_Static_assert(sizeof(os_problem_key) == 24, "problem key must stay packed at 24 bytes");

typedef struct os_problem_peer os_problem_peer; /* private: one distinct peer */

/* One problem. */
typedef struct os_problem {
    os_problem_key key;         /* hash key */
    UT_hash_handle hh;          /* uthash handle */
    uint64_t id;                /* problem_id: a hash of the key, stable across runs */
    os_finding_kind kind;       /* what */
    os_severity sev;            /* severity now, persistence applied */
    os_severity base;           /* most severe of its findings */
    int16_t rule;               /* traffic role, or -1 */
    uint8_t proto;              /* transport of its flows (of the first) */
    bool has_svc;               /* svc is set */
    os_addr svc;                /* service host or multicast group */
    uint16_t ports[OS_PROBLEM_PORTS]; /* service ports tried, in order seen */
    uint8_t nports;             /* entries used */
    bool more_ports;            /* more ports than kept */
    uint64_t peers;             /* distinct peers (at least, past OS_PROBLEM_PEERS_MAX) */
    os_addr peer[OS_PROBLEM_PEERS_SHOWN]; /* the first peers */
    os_addr peer_lo, peer_hi;   /* lowest and highest peer address (of peer[0]'s version) */
    uint64_t flows;             /* findings folded: flows (or hosts, streams) */
    uint64_t packets;           /* packets behind them */
    uint64_t first_ns, last_ns; /* first and last time seen */
    uint32_t gap_ms[OS_PROBLEM_GAPS]; /* intervals between one peer's attempts (first ones) */
    uint8_t ngaps;              /* entries used */
    uint64_t flow_id[OS_PROBLEM_FLOW_IDS]; /* flow ids of its findings (first ones) */
    uint8_t nflow_ids;          /* entries used */
    os_finding example[OS_PROBLEM_EXAMPLES]; /* copies of its first findings */
    uint8_t nexamples;          /* entries used */
    uint64_t answered;          /* handshakes completed to the same service (connection kinds) */
    uint32_t seq;               /* order raised */
    bool peers_capped;          /* more peers than told apart: peers is a lower bound */
    os_problem_peer *peerset;   /* distinct peers (private) */
    os_lru_node order;          /* eviction order within its severity (private) */
} os_problem;

/* Counters of the bounded tables. */
typedef struct os_problem_stats {
    uint64_t problems;          /* problems held now */
    uint64_t problems_peak;     /* most held at once */
    uint64_t problems_evicted;  /* evicted past the bound */
    uint64_t answered;          /* (service host, rule) handshake counts held now */
    uint64_t answered_evicted;  /* forgotten past OS_PROBLEMS_ANSWERED_MAX */
    uint64_t peers_held;        /* distinct peers told apart over all problems */
    uint64_t alloc_failed;      /* allocations that failed: problems not opened, peers not
                                   told apart (peers_capped), answered services not kept */
} os_problem_stats;

/* What happened to a problem (for the callback and the JSON "event" key). */
typedef enum { OS_PROBLEM_OPEN = 0, OS_PROBLEM_UPDATE, OS_PROBLEM_FINAL } os_problem_event;

/* Stable id of an event: "open", "update", "final". */
const char *os_problem_event_name(os_problem_event e);

/* Called when a problem opens and whenever its severity changes. */
typedef void (*os_problem_fn)(void *user, const os_problem *p, os_problem_event ev);

typedef struct os_problems os_problems;

/* New empty table over rules rs (thresholds: rs->set); fn may be NULL.
 * NULL on allocation failure. */
os_problems *os_problems_new(const os_ruleset *rs, os_problem_fn fn, void *user);

/* Fold finding f (new or updated: `fresh` tells) into its problem, made if
 * need be; `svc`/`peer` are the service and peer host (peer NULL when there
 * is none, e.g. a host finding) and `port` the service port. Updates of a
 * finding already folded add only what changed (packets, last time).
 * Returns the problem, or NULL on allocation failure (counted). */
os_problem *os_problems_fold(os_problems *t, os_finding *f, bool fresh,
                             const os_addr *svc, const os_addr *peer, uint16_t port);

/* A handshake completed to service host svc for rule `rule` at ts: the
 * service answers (counts against persistence). False on allocation failure
 * (counted). */
bool os_problems_answered(os_problems *t, const os_addr *svc, int16_t rule, uint64_t ts);

/* Every problem held, most severe first, then in the order raised; *n
 * set. The array is owned by the table and valid until the next call or
 * the next fold (which may evict a problem). */
const os_problem *const *os_problems_sorted(os_problems *t, size_t *n);

/* Problems per severity (index os_severity, OS_SEV_NEVER unused) and the
 * worst severity (OS_SEV_NEVER if none). */
void os_problems_counts(const os_problems *t, uint64_t by_sev[OS_SEV_NEVER], os_severity *worst);

/* The typical interval between one peer's attempts, in seconds (the median
 * of the sample), or a negative number when there is no interval. */
double os_problem_interval(const os_problem *p);

/* The sentence of a problem for a technician: who cannot reach what, how
 * often, since when, and what to do (an allow rule where a firewall is the
 * likely cause). Hosts are named by their roles as cls knows them now.
 * Returns buf. */
const char *os_problem_say(const os_problem *p, const os_ruleset *rs, os_classifier *cls,
                           char *buf, size_t len);

/* "10.3.0.101-10.3.0.110" or the one address: the span of the peers. */
const char *os_problem_peer_range(const os_problem *p, char *buf, size_t len);

/* Bound the problems held to n (at least 1); takes effect at the next
 * problem opened. The default is OS_PROBLEMS_MAX. */
void os_problems_set_max(os_problems *t, size_t n);

/* The counters of the bounded tables (valid while t lives). */
const os_problem_stats *os_problems_stats(const os_problems *t);

/* Free the table and its problems. */
void os_problems_free(os_problems *t);

#endif
