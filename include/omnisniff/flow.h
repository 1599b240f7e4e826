/* flow.h — the flow table: bidirectional flows keyed canonically, in uthash.
 *
 * A flow key holds the transport, both endpoints ordered canonically (lower
 * address/port first) and up to two VLAN ids, so both directions of a
 * conversation land in one flow. Each flow remembers which side initiated it
 * (the SYN sender, else the first packet's sender), counts packets and bytes
 * per side, and carries the classification the classify layer stores in it.
 * Idle flows are evicted per transport timeout; a cap on the number of flows
 * evicts the least recently seen. Evicted and flushed flows are handed to a
 * callback, so memory stays bounded on long live captures. */
#ifndef OMNISNIFF_FLOW_H
#define OMNISNIFF_FLOW_H

#include <stdbool.h>
#include <stdint.h>
#include <uthash.h>

#include "omnisniff/addr.h"
#include "omnisniff/decode.h"

/* Canonical flow key: endpoint 0 is the lower (address, port). memset to
 * zero before filling: it is hashed and compared as raw bytes. Packets
 * inside tunnels carry the tunnel context's number (os_flowtab_tunnel), so
 * two overlays with the same inner addresses stay two flows. */
typedef struct os_flow_key {
    uint8_t addr[2][16];  /* endpoint addresses (IPv4 in the first 4 bytes) */
    uint16_t port[2];     /* endpoint ports (0 for ICMP and other transports) */
    uint16_t vlan[2];     /* outer, inner VLAN id (0 = none) */
    uint8_t proto;        /* IP protocol number */
    uint8_t ipver;        /* 4 or 6 */
    uint16_t tunnel;      /* tunnel context (os_flowtab_tunnel); 0 = none */
} os_flow_key;
_Static_assert(sizeof(os_flow_key) == 44, "flow key must stay packed at 44 bytes");

/* Why a flow left the table. */
typedef enum { OS_END_IDLE = 0, OS_END_CAP, OS_END_FLUSH } os_flow_end;

/* TCP handshake as seen (bits of os_flow.hs). */
enum {
    OS_HS_SYN = 1,      /* the initiator sent a SYN */
    OS_HS_SYNACK = 2,   /* the responder answered SYN-ACK */
    OS_HS_ACK = 4,      /* the initiator acknowledged the SYN-ACK */
    OS_HS_REFUSED = 8,  /* the responder answered the SYN with RST */
    OS_HS_MID = 16      /* the first packet seen was not a SYN */
};

/* Handshake verdict of a TCP flow; stable ids (see os_flow_hs_name). */
typedef enum {
    OS_HSV_ESTABLISHED = 0, /* SYN, SYN-ACK, ACK */
    OS_HSV_REFUSED,         /* SYN answered by RST */
    OS_HSV_UNANSWERED,      /* SYN(s), no answer seen */
    OS_HSV_MIDSTREAM,       /* the capture began after the handshake */
    OS_HSV_PARTIAL          /* SYN-ACK seen but not the final ACK */
} os_hs_verdict;

/* Which idle list (and timeout) a flow is on. */
typedef enum { OS_FL_TCP = 0, OS_FL_TCP_CLOSED, OS_FL_UDP, OS_FL_OTHER, OS_FL_NLISTS } os_flow_list;

/* Classification the classify layer stores in a flow. */
typedef struct os_flow_label {
    int16_t rule;          /* rule index, or -1 (unclassified) */
    int16_t alt;           /* an equally possible other rule, or -1 */
    uint8_t conf;          /* os_conf (classify.h) */
    uint8_t svc_side;      /* key side (0/1) that is the service side */
    uint8_t peer_mismatch; /* the peer's known roles are not the expected ones */
    uint8_t pad;           /* zero */
    uint32_t gen;          /* classifier generation it was computed at (low 32 bits; UINT32_MAX: never) */
} os_flow_label;

/* One flow. */
typedef struct os_flow {
    os_flow_key key;         /* canonical key (hash key) */
    uint8_t flags[2];        /* TCP flags seen from side 0 / side 1 */
    uint8_t initiator;       /* side that initiated (SYN sender, else first sender) */
    uint8_t by_syn : 1;      /* initiator known from a SYN without ACK */
    uint8_t list : 3;        /* os_flow_list it is on */
    uint8_t spare : 4;       /* zero */
    UT_hash_handle hh;       /* uthash handle */
    struct os_flow *prev;    /* idle list: less recently seen */
    struct os_flow *next;    /* idle list: more recently seen */
    uint64_t id;             /* flow_id: hash of key and first time, < 2^53 */
    uint64_t first_ns;       /* first packet time (ns since the epoch) */
    uint64_t last_ns;        /* last packet time */
    uint64_t bytes[2];       /* wire bytes sent by side 0 / side 1 */
    uint32_t pkts[2];        /* packets sent by side 0 / side 1 */
    uint8_t hs;              /* OS_HS_* bits (TCP) */
    uint8_t syns;            /* bare SYNs from the initiator (saturates at 255) */
    uint16_t flagged;        /* finding kinds raised on it (bit per kind; findings layer) */
    os_flow_label label;     /* classification (classify layer) */
} os_flow;
/* The small fields fill the gap after the 44-byte key: 184 bytes, which
 * malloc serves from a 192-byte chunk (a 192-byte flow took 208). */
_Static_assert(sizeof(os_flow) <= 184 || sizeof(void *) != 8, "os_flow grew past 184 bytes");

/* Timeouts and limits. */
typedef struct os_flow_cfg {
    uint64_t timeout_ns[OS_FL_NLISTS]; /* idle timeout per list (0 = never) */
    uint64_t max_flows;                /* cap on concurrent flows (0 = none) */
} os_flow_cfg;

/* Called for every flow that leaves the table, before it is freed. */
typedef void (*os_flow_end_fn)(void *user, os_flow *f, os_flow_end why);

/* Counters kept by the table. */
typedef struct os_flow_stats {
    uint64_t active;        /* flows in the table now */
    uint64_t peak;          /* most flows at once */
    uint64_t created;       /* flows created */
    uint64_t ended_idle;    /* evicted by idle timeout */
    uint64_t ended_cap;     /* evicted by --max-flows */
    uint64_t tunnels;       /* tunnel contexts numbered */
    uint64_t tunnels_overflow; /* packets whose context came past OS_TUNNELS_MAX */
    uint64_t alloc_failed;  /* allocations that failed: flows not made (their
                               packets are in no flow), contexts not numbered,
                               a flush out of start-time order */
} os_flow_stats;

typedef struct os_flowtab os_flowtab;

/* Default configuration (TCP 300 s, closed TCP 10 s, UDP 120 s, other 60 s). */
os_flow_cfg os_flow_cfg_default(void);

/* Build the canonical key of a decoded packet (status OK), in the tunnel
 * context p->tunnel. Returns the key side the packet's sender is on (0/1). */
int os_flow_key_make(const os_pkt *p, os_flow_key *k);

/* New empty table; NULL on allocation failure. */
os_flowtab *os_flowtab_new(const os_flow_cfg *cfg, os_flow_end_fn fn, void *user);

/* Find or create the flow of packet p seen at ts_ns, and account it: counts,
 * flags, initiator, idle-list position. *side gets the sender's key side,
 * *created whether the flow is new. Evicts idle flows and, when the cap is
 * reached, the least recently seen one. NULL only on allocation failure
 * (counted in alloc_failed). */
os_flow *os_flowtab_add(os_flowtab *t, const os_pkt *p, uint64_t ts_ns,
                        int *side, bool *created);

/* Call fn for every flow in the table, in no particular order; fn must not
 * add or remove flows. */
void os_flowtab_foreach(os_flowtab *t, void (*fn)(void *user, const os_flow *f), void *user);

/* The flow with key k, or NULL. */
os_flow *os_flowtab_find(os_flowtab *t, const os_flow_key *k);

/* The flow_id a flow with key k first seen at first_ns gets. */
uint64_t os_flow_id(const os_flow_key *k, uint64_t first_ns);

/* Evict flows idle at time now_ns (packet time). */
void os_flowtab_expire(os_flowtab *t, uint64_t now_ns);

/* End every flow (OS_END_FLUSH), oldest first (first_ns, then id). */
void os_flowtab_flush(os_flowtab *t);

/* Counters. */
const os_flow_stats *os_flowtab_stats(const os_flowtab *t);

/* The address of key side `side` (0/1) of a flow. */
os_addr os_flow_addr(const os_flow *f, int side);

/* Handshake verdict of a TCP flow. */
os_hs_verdict os_flow_hs(const os_flow *f);

/* Stable id of a verdict: "established", "refused", "unanswered",
 * "midstream", "partial". */
const char *os_flow_hs_name(os_hs_verdict v);

/* Free the table (flows are freed without the callback). */
void os_flowtab_free(os_flowtab *t);

/* ---- tunnel contexts ----------------------------------------------------
 * A tunnel context is what tells overlays apart: the stack of tunnel types
 * a packet came through and their ids (VXLAN/Geneve VNI, GRE key, ERSPAN
 * session, PPPoE session, PBB I-SID; not MPLS labels, which change per hop
 * and per direction). Each distinct context gets a number once, up to
 * OS_TUNNELS_MAX; past that, every new context shares OS_TUNNEL_OVERFLOW
 * (counted in tunnels_overflow). */
#define OS_TUNNELS_MAX 65534u
#define OS_TUNNEL_OVERFLOW 65535u

/* A tunnel context as its first packet showed it. */
typedef struct os_tunnel_info {
    uint8_t n;                      /* layers, outermost first */
    uint8_t type[OS_MAX_ENCAP];     /* os_encap_type per layer */
    uint8_t has_id[OS_MAX_ENCAP];   /* id[] is meaningful */
    uint32_t id[OS_MAX_ENCAP];      /* the layer's id (MPLS: first label seen) */
    uint8_t ipver[OS_MAX_ENCAP];    /* 4/6: the IP header that carried the layer; 0 none */
    uint8_t src[OS_MAX_ENCAP][16];  /* that header's source address, first packet */
    uint8_t dst[OS_MAX_ENCAP][16];  /* its destination address */
} os_tunnel_info;

/* The context number of packet p (0 if it came through no tunnel); new
 * contexts are numbered in order of appearance. 0 also on allocation
 * failure (the packet is then keyed as if untunnelled, counted in
 * alloc_failed). */
uint16_t os_flowtab_tunnel(os_flowtab *t, const os_pkt *p);

/* Context number `id` as first seen, or NULL (0, unknown, or the overflow
 * context, which stands for many). */
const os_tunnel_info *os_flowtab_tunnel_info(const os_flowtab *t, uint16_t id);

#endif
