/* dot.h — the Omnicast system as observed, as a Graphviz graph (--dot).
 *
 * One node per host seen on an edge or holding a role, labelled with its
 * address, its hosts-file name and its roles: a solid border when a role is
 * declared, dashed when every role is inferred, plain grey when none is
 * known; multicast groups are ellipses. One edge per traffic role between
 * two hosts (initiator → responder), its service ports folded into one
 * label with the flows, packets and bytes behind it; an edge with a finding
 * is red and names the finding kinds. Unclassified traffic is folded into
 * one grey dashed edge per (initiator, responder) pair so the picture stays
 * readable. Output is deterministic: nodes by address, edges in graph order. */
#ifndef OMNISNIFF_DOT_H
#define OMNISNIFF_DOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "omnisniff/classify.h"
#include "omnisniff/graph.h"
#include "omnisniff/rules.h"

/* Write graph g as a DOT digraph to out, with host roles from cls and role
 * ids from rs. Returns false with a one-line message in err on allocation
 * failure or when writing to out failed (out is flushed). */
bool os_dot_write(FILE *out, const os_graph *g, os_classifier *cls, const os_ruleset *rs,
                  char *err, size_t errlen);

#endif
