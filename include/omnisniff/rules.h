/* rules.h — the Omnicast rules file: vocabulary, parser and compiled table.
 *
 * A rules file is data (grammar: top of rules/omnicast4.rules and
 * rules/README.md). os_rules_parse() is a pure function over a buffer: it
 * collects every diagnostic, and only when there is none does it hand back a
 * compiled ruleset. Compiling turns port ranges into per-transport tables so
 * that finding the candidate rules for a port costs one array lookup.
 * No Omnicast port number lives in C code: they all come from the file. */
#ifndef OMNISNIFF_RULES_H
#define OMNISNIFF_RULES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "omnisniff/addr.h"
#include "omnisniff/diag.h"
#include "omnisniff/roles.h"

/* Transport bits of a rule. */
enum { OS_T_TCP = 1, OS_T_UDP = 2 };

/* Where the matched port sits. */
typedef enum { OS_PORT_ON_SERVICE = 0, OS_PORT_ON_EITHER } os_port_on;
/* What the destination address must be. */
typedef enum {
    OS_DEST_ANY = 0,        /* unicast service port rule */
    OS_DEST_MULTICAST,      /* destination in 224.0.0.0/4 or ff00::/8 */
    OS_DEST_MCAST_TEST      /* destination is the multicast-test setting */
} os_dest;
/* Which host role must confirm a rule before it applies (match=). */
typedef enum {
    OS_NEED_NONE = 0,   /* match=port: the port is enough */
    OS_NEED_ANY,        /* match=role: a role on either side confirms it */
    OS_NEED_SERVICE,    /* match=service-role: the service side's role must */
    OS_NEED_PEER        /* match=peer-role: the peer's role must */
} os_need;
/* Expected TCP initiator. */
typedef enum { OS_INIT_PEER = 0, OS_INIT_SERVICE, OS_INIT_ANY } os_initiator;
/* What an inference of a rule needs besides the traffic (infer-from=). */
typedef enum {
    OS_INFER_FROM_ANY = 0, /* the traffic alone (a port only Omnicast uses) */
    OS_INFER_FROM_KNOWN    /* the other side already holds one of the rule's roles for it:
                              a known role vouches for its peer (shared ports) */
} os_infer_from;
/* Expected UDP bulk direction. */
typedef enum { OS_BULK_TO_SERVICE = 0, OS_BULK_FROM_SERVICE, OS_BULK_ANY } os_bulk;

#define OS_RULE_ID_MAX 48
#define OS_RULE_MAX_OVER 8

/* One compiled traffic-role rule. */
typedef struct os_rule {
    char id[OS_RULE_ID_MAX];   /* traffic role id, e.g. "gateway-command" */
    uint8_t transports;        /* OS_T_TCP | OS_T_UDP */
    uint16_t port_lo;          /* first service port */
    uint16_t port_hi;          /* last service port (== port_lo for one) */
    os_port_on port_on;        /* which side's port is matched */
    os_dest dest;              /* destination address requirement */
    os_hrole_set service;      /* host role(s) of the service side; 0 = any */
    os_hrole_set peers;        /* host roles expected on the other side; 0 = any */
    os_initiator initiator;    /* expected TCP initiator */
    os_bulk bulk;              /* expected UDP bulk direction */
    int8_t infer_service;      /* role inferred for the service side, or -1 */
    int8_t infer_peer;         /* role inferred for the peer side, or -1 */
    uint8_t min_peers;         /* distinct peers needed before inferring (>= 1) */
    os_infer_from infer_from;  /* what an inference needs besides the traffic */
    uint32_t infer_bytes;      /* or: one peer, when the service side sent this much (0 = off) */
    uint32_t max_mean_size;    /* applies only while a flow's mean packet is this small (0 = any) */
    bool stream;               /* its UDP flows are video/audio streams (stream=yes) */
    int16_t infer_pair;        /* infer-pair=: a rule whose flow the other way between the
                                  same two hosts corroborates this one's inference, or -1 */
    os_need needs;             /* which host role must confirm it (match=) */
    bool one_peer;             /* only one peer host may use it (one-peer=yes) */
    uint16_t over[OS_RULE_MAX_OVER]; /* indices of rules this one wins over */
    uint8_t nover;             /* entries used in over[] */
    char *shared;              /* other software on this port, or NULL (owned) */
    char *kba;                 /* the KBA sentence this rule rests on (owned) */
    unsigned line;             /* line in the rules file */
} os_rule;

/* Site settings with no published default (unset until the file sets them). */
typedef struct os_settings {
    bool mcast_start_set;   /* multicast-start given */
    os_addr mcast_start;    /* first multicast group of the site */
    uint32_t mcast_range;   /* groups in the site's range; 0 = unset */
    bool mcast_test_set;    /* multicast-test given */
    os_addr mcast_test;     /* the Gateway's multicast test address */
    uint32_t bulk_min;      /* bytes against the bulk direction before it is flagged */
    uint32_t syn_verdict_s; /* seconds an unanswered SYN waits for its verdict */
    uint32_t persist_peers; /* peers failing on every attempt that make a problem an error */
    uint32_t persist_s;     /* seconds of failing on every attempt that make it an error */
    uint32_t stream_gap_s;  /* a stream's pause this long is a gap */
    uint32_t stream_stop_s; /* a stream silent this long (at least) has stopped */
    uint32_t stream_loss_pct; /* RTP loss over this percentage is stream-loss */
    uint32_t vxlan_port;    /* UDP port whose datagrams are opened as VXLAN; 0 = none */
    uint32_t geneve_port;   /* UDP port whose datagrams are opened as Geneve; 0 = none */
    uint32_t max_hosts;     /* hosts with inferred roles held before the least recent goes */
    uint32_t max_problems;  /* problems held before the least recent of the lowest severity goes */
} os_settings;

/* Thresholds when the file does not set them (the shipped file sets each). */
#define OS_BULK_MIN_DEFAULT 4096
#define OS_SYN_VERDICT_DEFAULT 3
#define OS_PERSIST_PEERS_DEFAULT 2
#define OS_PERSIST_SECONDS_DEFAULT 10
#define OS_STREAM_GAP_DEFAULT 2
#define OS_STREAM_STOP_DEFAULT 5
#define OS_STREAM_LOSS_DEFAULT 1

/* A parsed and compiled rules file. */
typedef struct os_ruleset {
    os_rule *rule;          /* rules in file order (owned) */
    uint16_t n;             /* number of rules */
    os_settings set;        /* settings */
    uint16_t *port_set[2];  /* [0]=TCP,[1]=UDP: 65536 entries, index of a candidate set */
    uint16_t *set_off;      /* candidate set k is set_list[set_off[k] .. set_off[k+1]) */
    uint16_t *set_list;     /* rule indices, file order within a set */
    uint16_t nsets;         /* number of candidate sets (set 0 is empty) */
    bool size_rules;        /* some rule has max-mean-size (labels are settled at a flow's end) */
} os_ruleset;

/* Parse and compile the rules in buf[0..len) named `file` (for diagnostics).
 * Returns true and fills *out only if there was no error; otherwise *out is
 * left empty and every problem (syntax, unknown keys/roles, bad ranges,
 * duplicate ids, unresolved overlaps) is in *d as file:line:col: errors. */
bool os_rules_parse(const char *file, const char *buf, size_t len,
                    os_ruleset *out, os_diags *d);

/* Rule indices that may match `port` for transport `ipproto` (6 or 17):
 * sets *n and returns a pointer into the ruleset (NULL with *n = 0 for other
 * transports). O(1). */
const uint16_t *os_rules_candidates(const os_ruleset *rs, uint8_t ipproto,
                                    uint16_t port, unsigned *n);

/* Index of the rule with this id, or -1. */
int os_rules_find(const os_ruleset *rs, const char *id);

/* Write the compiled table (one line per rule, then settings) to f: the
 * --check-rules view, for a reader, not a rules file. */
void os_rules_dump(const os_ruleset *rs, FILE *f);

/* Write rs as a rules file (grammar: rules/README.md) to f: one rule line
 * per rule with every key that is required or differs from its default,
 * then every setting. Parsing what it writes gives the same ruleset (rule
 * lines aside). */
void os_rules_write(const os_ruleset *rs, FILE *f);

/* Free everything *rs owns and zero it. */
void os_rules_free(os_ruleset *rs);

/* The rules file built into the binary (rules/omnicast4.rules, embedded at
 * build time by cmake/embed.cmake). */
typedef struct os_rules_text {
    const char *name;   /* "<built-in omnicast4.rules>": the file name for diagnostics */
    const char *text;   /* its bytes, NUL-terminated (static) */
    size_t len;         /* its length, without the NUL */
} os_rules_text;

/* The built-in default rules: static data, valid for the whole run; never
 * fails. Parse them with os_rules_parse(t.name, t.text, t.len, ...). */
os_rules_text os_rules_default(void);

#endif
