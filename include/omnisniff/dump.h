/* dump.h — the evidence capture (-w FILE): the packets of the flows a
 * technician needs to attach to a ticket, written as a classic pcap (ns
 * timestamps) that Wireshark and tcpdump open.
 *
 * Which flows: the flagged ones (a finding names them), or with
 * --write-role every flow of one traffic role. A flow is usually flagged
 * after its first packets went by (the second SYN, the end of the flow), so
 * each flow's packets are held in memory until the flow is selected (then
 * written, and every later packet of it at once) or ends unselected (then
 * dropped). Holding is bounded: at most OS_DUMP_HOLD_PKTS packets per flow
 * and OS_DUMP_HOLD_BYTES in all; what could not be held is counted and
 * reported, never silently lost. Flows flagged at different times write
 * their packets out of time order; closing the file sorts it by time (when
 * it is no larger than OS_DUMP_SORT_MAX), so it reads like any capture.
 * A write error (a full disk) stops writing and is reported with the number
 * of packets the file holds. */
#ifndef OMNISNIFF_DUMP_H
#define OMNISNIFF_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "omnisniff/capture.h"
#include "omnisniff/flow.h"

#define OS_DUMP_HOLD_PKTS 256                 /* packets held per unselected flow */
#define OS_DUMP_HOLD_BYTES (64ULL << 20)      /* bytes held in all */
#define OS_DUMP_SORT_MAX (1ULL << 30)         /* largest file sorted on close */

/* Counters of the evidence capture. */
typedef struct os_dump_stats {
    uint64_t written;      /* packets written */
    uint64_t flows;        /* flows selected */
    uint64_t not_held;     /* packets of selected flows that were not held (limits) */
    uint64_t other_link;   /* frames not written: their link type is not the file's
                              (a pcap file has one; merged or mixed input) */
    bool sorted;           /* the file was re-sorted by time on close */
    bool failed;           /* a write failed: the file is incomplete */
} os_dump_stats;

typedef struct os_dump os_dump;

/* Create `path` as a pcap of link type dlt and snapshot length snaplen.
 * role >= 0 selects the flows of that rule index instead of flagged ones.
 * NULL with a one-line message in err when the file cannot be created. */
os_dump *os_dump_open(const char *path, int dlt, int snaplen, int role, char *err,
                      size_t errlen);

/* One frame of flow f (after classification and checks), or of no flow
 * (f NULL: not written). Selected flows are written, others held. A frame
 * whose link type is not the file's is counted (other_link), not written. */
void os_dump_packet(os_dump *d, const os_flow *f, const os_frame *fr);

/* A finding names flow `flow_id`: select it (its held packets are written). */
void os_dump_flag(os_dump *d, uint64_t flow_id);

/* A frame that is evidence on its own (the ICMP error that raised a
 * finding about another flow): written at once. */
void os_dump_frame(os_dump *d, const os_frame *fr);

/* Flow f leaves the table: forget it (held packets of an unselected flow
 * are dropped). Call after the last os_dump_flag for it. */
void os_dump_flow_end(os_dump *d, const os_flow *f);

/* Finish the file (flush; sort by time if needed) and free everything.
 * Returns false with a one-line message in err if a write failed at any
 * point (the file is then incomplete: *st says how many packets it holds).
 * st may be NULL. */
bool os_dump_close(os_dump *d, os_dump_stats *st, char *err, size_t errlen);

#endif
