/* flow_int.h — private to the flow layer: the tunnel context table that
 * flow.c's table owns (flow_tunnel.c). */
#ifndef OMNISNIFF_FLOW_INT_H
#define OMNISNIFF_FLOW_INT_H

#include "omnisniff/flow.h"

typedef struct os_tunnels os_tunnels;

/* The number of p's tunnel context in *tp (created on first use, with the
 * table itself), counting in st: 0 on allocation failure, the overflow
 * number past OS_TUNNELS_MAX. p came through at least one tunnel. */
uint16_t os_tunnels_number(os_tunnels **tp, const os_pkt *p, os_flow_stats *st);

/* Context `id` as first seen, or NULL. */
const os_tunnel_info *os_tunnels_info(const os_tunnels *t, uint16_t id);

/* Free the table (NULL is fine). */
void os_tunnels_free(os_tunnels *t);

#endif
