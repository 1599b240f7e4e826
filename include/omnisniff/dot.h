/* dot.h — the Omnicast system as observed, as a Graphviz graph (--dot),
 * kept readable on a site of a hundred hosts.
 *
 * Nodes. One node per host seen on a drawn edge or holding a role, labelled
 * with its address, its hosts-file name and its roles: a solid border when a
 * role is declared, dashed when every role is inferred, plain grey when none
 * is known; multicast groups are ellipses. Hosts alike are folded into one
 * node: the same declared roles and the same inferred roles (so the same
 * set of known roles resting on the same kind of evidence), in the same
 * IPv4 /24 (IPv6 /64), at least fold_min of them. A host with a name of
 * its own in the hosts file (a single-address entry) is never folded; hosts
 * of a named network fold with its name. Hosts with no known role fold the
 * same way (grey boxes; multicast groups into one ellipse). A folded node is
 * labelled with its role(s), "N hosts" ("N multicast groups") and its
 * address range "10.3.0.101 – 10.3.0.140" (lowest – highest; hosts of other
 * nodes may lie between), which is also its DOT id.
 *
 * Edges. One edge per (initiator node, responder node, traffic role,
 * transport): the flows, packets and bytes of the graph edges behind it
 * summed, its distinct service ports folded into one label. An edge with a
 * finding is red and names the finding kinds; when it stands for several
 * host pairs it says on how many of them a finding was raised (the graph
 * keeps finding kinds per edge, not how many flows raised them).
 *
 * Unclassified traffic (no rule matched) is left out unless asked for: the
 * legend says how many host pairs were left out and which option draws
 * them. With the option it is one grey dashed edge per (initiator node,
 * responder node), folded with the nodes. Unclassified traffic with a
 * finding is always drawn (red).
 *
 * Output is deterministic: nodes by address (a folded node at its lowest
 * address), edges by their nodes in that order, then role, transport and
 * port. */
#ifndef OMNISNIFF_DOT_H
#define OMNISNIFF_DOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "omnisniff/classify.h"
#include "omnisniff/graph.h"
#include "omnisniff/rules.h"

#define OS_DOT_FOLD_MIN_DEFAULT 5 /* hosts alike folded from this many on */

/* The command-line option that draws unclassified traffic (named in the
 * legend when some was left out). */
#define OS_DOT_UNCLASSIFIED_OPTION "--dot-unclassified"

/* What to draw. Zero-initialised: the defaults. */
typedef struct os_dot_opts {
    bool unclassified; /* draw unclassified traffic without a finding too */
    unsigned fold_min; /* fold hosts alike from this many on (one host is drawn as
                          itself); 0: OS_DOT_FOLD_MIN_DEFAULT; UINT_MAX: never fold */
} os_dot_opts;

/* Write graph g as a DOT digraph to out, with host roles from cls and role
 * ids from rs, as opts says (NULL: the defaults). Returns false with a
 * one-line message in err on allocation failure or when writing to out
 * failed (out is flushed). */
bool os_dot_write(FILE *out, const os_graph *g, os_classifier *cls, const os_ruleset *rs,
                  const os_dot_opts *opts, char *err, size_t errlen);

#endif
