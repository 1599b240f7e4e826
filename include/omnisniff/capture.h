/* capture.h — where packets come from: a capture file, stdin, or a live
 * interface, through libpcap (which reads pcap and pcapng, µs and ns, either
 * byte order). Classic pcap files are read through a memory mapping instead
 * (records handed out in place, checked as libpcap checks them); pcapng,
 * stdin and live capture stay with libpcap. Timestamps are always handed out
 * in nanoseconds. Errors are returned as status plus a one-line message in
 * the caller's buffer. */
#ifndef OMNISNIFF_CAPTURE_H
#define OMNISNIFF_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* What to open. Exactly one of file / iface is set. */
typedef struct os_capture_opts {
    const char *file;   /* capture file, "-" for stdin */
    const char *iface;  /* live interface */
    int snaplen;        /* live: bytes kept per packet (0 = 262144) */
    bool promisc;       /* live: promiscuous mode */
    int buffer_kib;     /* live: kernel capture buffer in KiB (0 = OS_LIVE_BUFFER_KIB) */
    bool immediate;     /* live: hand each packet over at once (someone is watching);
                           else in blocks, at most 100 ms late, which holds far
                           more packets per buffer at full snaplen */
    const char *filter; /* BPF filter expression, or NULL */
    bool use_libpcap;   /* files: read every record through libpcap, not the mapping */
} os_capture_opts;

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

/* Kernel counters of a live capture. */
typedef struct os_capture_stats {
    bool valid;        /* counters available (live only) */
    uint64_t received; /* packets the kernel handed to the filter */
    uint64_t dropped;  /* dropped for lack of buffer space */
    uint64_t ifdropped;/* dropped by the interface or driver */
} os_capture_stats;

typedef struct os_capture os_capture;

/* Open as o says; on failure returns NULL with a one-line message in err
 * (naming the file, interface or filter). Unsupported link types are an
 * error too (the message names the link type). */
os_capture *os_capture_open(const os_capture_opts *o, char *err, size_t errlen);

/* Next packet. OS_CAP_ERROR leaves a message in err. */
os_cap_status os_capture_next(os_capture *c, os_frame *fr, char *err, size_t errlen);

/* Ask a running os_capture_next loop to end (async-signal-safe). */
void os_capture_break(os_capture *c);

/* The libpcap DLT_ value of the capture. */
int os_capture_dlt(const os_capture *c);

/* Link type name ("EN10MB") and description. */
const char *os_capture_dlt_name(const os_capture *c);

/* Snapshot length of the capture. */
int os_capture_snaplen(const os_capture *c);

/* How far a regular capture file has been read: byte offset and file size.
 * False for live captures, stdin and pipes. */
bool os_capture_progress(const os_capture *c, uint64_t *pos, uint64_t *size);

/* True for a live capture. */
bool os_capture_is_live(const os_capture *c);

/* True when records come from the memory-mapped reader (a classic pcap
 * file), false when libpcap reads them. */
bool os_capture_is_mapped(const os_capture *c);

/* Kernel counters (valid only for live captures). */
os_capture_stats os_capture_get_stats(os_capture *c);

/* Close and free. */
void os_capture_close(os_capture *c);

/* Write the interfaces libpcap can capture on to f, numbered as tcpdump -D
 * does. Returns false with err set if they cannot be listed. */
bool os_capture_list(FILE *f, char *err, size_t errlen);

#endif
