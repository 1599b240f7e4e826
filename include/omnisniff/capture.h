/* capture.h — where packets come from: one or several capture files
 * (merged by time), stdin, or a live interface. Files and stdin may be
 * gzip, zstd or lz4 compressed (read as a stream, told by their magic
 * bytes). Classic pcap files are read through a memory mapping (records
 * handed out in place, checked as libpcap checks them); pcapng by
 * omnisniff's own reader, whose interfaces may differ in link type and
 * snaplen (each frame carries its link type); classic pcap streams and
 * live capture by libpcap. Timestamps are always handed out in
 * nanoseconds. Errors are returned as status plus a one-line message in
 * the caller's buffer. */
#ifndef OMNISNIFF_CAPTURE_H
#define OMNISNIFF_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What to open. Exactly one of file, files (nfiles > 0) and iface is set. */
typedef struct os_capture_opts {
    const char *file;   /* capture file, "-" for stdin */
    const char *const *files; /* several capture files (at most one "-"), read as one
                                 capture merged by time as mergecap does: earliest
                                 frame first, ties in the order given */
    size_t nfiles;      /* how many in files */
    const char *iface;  /* live interface */
    int snaplen;        /* live: bytes kept per packet (0 = 262144) */
    bool promisc;       /* live: promiscuous mode */
    int buffer_kib;     /* live: kernel capture buffer in KiB (0 = OS_LIVE_BUFFER_KIB) */
    bool immediate;     /* live: hand each packet over at once (someone is watching);
                           else in blocks, at most 100 ms late, which holds far
                           more packets per buffer at full snaplen */
    const char *filter; /* BPF filter expression, or NULL */
    bool use_libpcap;   /* files: read every record through libpcap, not the mapping
                           nor omnisniff's pcapng reader (for comparisons) */
    uint64_t since_ns;  /* skip (and count) frames before this time (0: no bound) */
    uint64_t until_ns;  /* skip (and count) frames at or after this time (0: no bound);
                           both apply after merging, before the filter */
    uint8_t since_base; /* what since_ns counts from: os_when_base */
    uint8_t until_base; /* what until_ns counts from: os_when_base */
} os_capture_opts;

/* What a time window bound counts from. */
typedef enum os_when_base {
    OS_WHEN_EPOCH = 0, /* an absolute time (ns since the epoch) */
    OS_WHEN_FIRST,     /* an offset from the first frame read ("+90s") */
    OS_WHEN_DAY        /* a time of day (ns since midnight, UTC) on the first
                          frame's day ("14:02") */
} os_when_base;

/* Default live capture buffer: 32 MiB. libpcap's default (2 MiB) holds only
 * 32 packets on an interface with offloads at the full snaplen. */
#define OS_LIVE_BUFFER_KIB 32768

/* One captured packet, valid until the next call. */
typedef struct os_frame {
    uint64_t ts_ns;        /* time since the epoch, ns */
    uint32_t caplen;       /* bytes captured */
    uint32_t wirelen;      /* bytes on the wire */
    const uint8_t *data;   /* libpcap's buffer, or the mapped file */
    int dlt;               /* link type of this frame (DLT_ value): captures
                              merged from several files, or a pcapng file whose
                              interfaces differ, mix link types */
} os_frame;

/* Result of os_capture_next. */
typedef enum {
    OS_CAP_PACKET = 1,  /* *fr is filled */
    OS_CAP_TIMEOUT = 0, /* live: no packet this time, call again */
    OS_CAP_END = -1,    /* end of file, or os_capture_break was called */
    OS_CAP_ERROR = -2   /* read error (e.g. file cut mid-record): see err */
} os_cap_status;

/* What the capture layer skipped or noticed in the frames it read (files
 * and live alike). */
typedef struct os_capture_input_stats {
    uint64_t before_since;   /* frames skipped: earlier than since_ns */
    uint64_t after_until;    /* frames skipped: at or after until_ns */
    uint64_t unsupported;    /* frames skipped: a link type omnisniff does not decode
                                (a pcapng interface, a joined capture) */
    uint64_t backwards;      /* frames handed out whose time is earlier than the
                                frame handed out before them */
    uint64_t max_back_ns;    /* the largest such step back, ns */
    uint64_t joined;         /* classic pcap file headers found inside a file where a
                                record was due (captures joined with cat), read on */
} os_capture_input_stats;

/* Kernel counters of a live capture. */
typedef struct os_capture_stats {
    bool valid;        /* counters available (live only) */
    uint64_t received; /* packets the kernel handed to the filter */
    uint64_t dropped;  /* dropped for lack of buffer space */
    uint64_t ifdropped;/* dropped by the interface or driver */
} os_capture_stats;

typedef struct os_capture os_capture;

/* Open as o says; on failure returns NULL with a one-line message in err
 * (naming the file, interface or filter). A file (or live interface) with
 * no link type omnisniff decodes is an error too (the message names the
 * link type); a pcapng file with at least one such interface among those
 * described before its first packet is read, and frames of its other
 * interfaces are skipped (counted in os_capture_input_stats.unsupported,
 * with a note once per link type). All files of a merge are opened at once
 * and each must open. */
os_capture *os_capture_open(const os_capture_opts *o, char *err, size_t errlen);

/* Next packet (of a link type omnisniff decodes, inside the time window,
 * passing the filter). OS_CAP_ERROR leaves a message in err; with several
 * files the message starts with the file's name, and the read ends there:
 * a merged read ends with the first read error of any file (the frames
 * handed out so far make a partial summary, as for one cut file). */
os_cap_status os_capture_next(os_capture *c, os_frame *fr, char *err, size_t errlen);

/* Ask a running os_capture_next loop to end (async-signal-safe). */
void os_capture_break(os_capture *c);

/* The libpcap DLT_ value of the capture: of its first file's first
 * interface (for a pcapng file, the first interface whose link type
 * omnisniff decodes). Frames carry their own (os_frame.dlt). */
int os_capture_dlt(const os_capture *c);

/* Link type name ("EN10MB") of os_capture_dlt. */
const char *os_capture_dlt_name(const os_capture *c);

/* True when the capture mixes link types: its files differ, a pcapng
 * file's interfaces differ, or a frame of another link type than
 * os_capture_dlt was handed out. May turn true during the read (a pcapng
 * interface described late, a joined capture). */
bool os_capture_mixed_dlt(const os_capture *c);

/* Snapshot length of the capture (its first file's first interface). */
int os_capture_snaplen(const os_capture *c);

/* How far the capture files have been read: bytes read and size, summed
 * over all files (compressed files count their compressed bytes). False
 * for live captures, stdin and pipes (when any file is one). */
bool os_capture_progress(const os_capture *c, uint64_t *pos, uint64_t *size);

/* What was skipped or noticed so far (see os_capture_input_stats). */
os_capture_input_stats os_capture_get_input_stats(const os_capture *c);

/* The next note about the input not yet returned, or NULL: one line, not
 * an error, for the caller to print, e.g.
 *   "x.pcap: a second capture starts at byte 4194328 (files concatenated
 *    with cat?); read as one"
 *   "y.pcapng: frames of link type 127 (IEEE802_11_RADIO) are skipped:
 *    omnisniff decodes Ethernet, Linux cooked v1/v2, raw IP and BSD loopback"
 * Notes are made while reading (call after os_capture_next, or at the
 * end); at most 16 are kept. Valid until os_capture_close. */
const char *os_capture_note(os_capture *c);

/* True for a live capture. */
bool os_capture_is_live(const os_capture *c);

/* True when records come from the memory-mapped reader (every file is a
 * plain classic pcap file), false when another reader reads any. */
bool os_capture_is_mapped(const os_capture *c);

/* Kernel counters (valid only for live captures). */
os_capture_stats os_capture_get_stats(os_capture *c);

/* Close and free. */
void os_capture_close(os_capture *c);

/* Write the interfaces libpcap can capture on to f, numbered as tcpdump -D
 * does. Returns false with err set if they cannot be listed. */
bool os_capture_list(FILE *f, char *err, size_t errlen);

#endif
