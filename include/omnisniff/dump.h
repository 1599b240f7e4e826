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
 * of packets the file holds.
 *
 * Rotation (tcpdump's -G, -C, -W): by packet time, a file per period of
 * SECONDS (aligned to the epoch, so -G 3600 files hold clock hours, UTC),
 * named by strftime of the period's start; by size, a new file before one
 * would grow past a limit, its name numbered; a ring of COUNT sizes, or a
 * stop after COUNT periods. The dump's clock is the newest packet time it
 * saw (live: the wall clock too, os_dump_tick); a packet goes to the file
 * open when it is written, so a flow's held packets, written when it is
 * flagged, land in the file of that moment together with the flow's later
 * ones: each file holds whole flows, and is sorted by time on its own when
 * it is closed. A period whose name is the open file's (a name coarser
 * than SECONDS) goes on in that file, so rotation never overwrites the
 * evidence it just wrote; only a ring does, on purpose. */
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

/* Counters of the evidence capture: of one file (os_dump_file_fn), or of
 * all of them (os_dump_close). */
typedef struct os_dump_stats {
    uint64_t written;      /* packets written */
    uint64_t flows;        /* flows selected (of a file: those with packets in it,
                              or selected while it was open) */
    uint64_t not_held;     /* packets of selected flows that were not held (limits) */
    uint64_t other_link;   /* frames not written: their link type is not the file's
                              (a pcap file has one; merged or mixed input) */
    bool sorted;           /* the file (of all: one of them) was re-sorted by time on close */
    bool failed;           /* a write failed: the file is incomplete (or missing) */
} os_dump_stats;

typedef struct os_dump os_dump;

/* How the evidence rotates over files (all 0: one file). */
typedef struct os_dump_rotate {
    uint64_t seconds;      /* -G: a file per this many seconds of packet time; 0: off */
    uint64_t bytes;        /* -C: a new file before one would grow past this; 0: off */
    uint32_t files;        /* -W: with bytes, a ring of this many files (per period
                              with seconds); with seconds alone, stop after this
                              many (os_dump_ended); 0: no limit */
} os_dump_rotate;

/* A finished file (closed, sorted): its name and what it holds. */
typedef void (*os_dump_file_fn)(void *ctx, const char *name, const os_dump_stats *st);

/* What os_dump_start needs. */
typedef struct os_dump_cfg {
    const char *path;      /* the file, or with rotation the pattern of the names */
    int dlt;               /* link type of the file(s) */
    int snaplen;           /* snapshot length (<= 0: 262144) */
    int role;              /* >= 0: write the flows of this rule index; -1: flagged flows */
    os_dump_rotate rot;    /* rotation */
    os_dump_file_fn on_file; /* told of each file that is finished without a write
                                error (the last one in os_dump_close), or NULL */
    void *ctx;             /* passed to on_file */
} os_dump_cfg;

/* The name of one file of a rotation into buf (len bytes), as tcpdump
 * names them: `pattern` through strftime (UTC) of start_s (seconds since
 * the epoch) when rot->seconds, else as it is; then with rot->bytes the
 * number n appended: none for n 0 without rot->files, else zero-padded to
 * the digits of rot->files - 1 (-W 10: 0..9, -W 100: 00..99). False when
 * the name does not fit or comes out empty. Pure. */
bool os_dump_name(const char *pattern, const os_dump_rotate *rot, int64_t start_s, uint32_t n,
                  char *buf, size_t len);

/* Whether pattern holds a strftime conversion (a '%' not in "%%"): without
 * one, every period of -G would go to the same file. Pure. */
bool os_dump_name_has_time(const char *pattern);

/* Start the evidence capture of cfg: the first file is created now, or
 * with rot.seconds at the first packet or os_dump_tick (its name needs the
 * time; a file that cannot be created then is a write error, see
 * os_dump_close). NULL with a one-line message in err when the (first)
 * file cannot be created or its name cannot be made. */
os_dump *os_dump_start(const os_dump_cfg *cfg, char *err, size_t errlen);

/* Create `path` as a pcap of link type dlt and snapshot length snaplen, no
 * rotation: os_dump_start with those. */
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

/* Live, where no packet may come for a while: the wall clock now_ns is
 * packet time too, so a -G period that is over closes its file and the
 * next one's is created (the first, too, before any packet). */
void os_dump_tick(os_dump *d, uint64_t now_ns);

/* Whether the run must stop before a packet of time ts_ns: -G with -W COUNT
 * (no -C) wrote its COUNT files and ts_ns starts one more. Pure. */
bool os_dump_ended(const os_dump *d, uint64_t ts_ns);

/* Allocations that failed so far: flows not followed and packets not held
 * (counted in not_held once their flow is selected). Never reset. */
uint64_t os_dump_alloc_failed(const os_dump *d);

/* Finish the (last) file (flush; sort by time if needed; on_file) and free
 * everything. Returns false with a one-line message in err if a write
 * failed at any point (naming the file; nothing was written after it: the
 * file is incomplete, or could not be created). *st (may be NULL) counts
 * all files: flows counts each selected flow once. */
bool os_dump_close(os_dump *d, os_dump_stats *st, char *err, size_t errlen);

#endif
