/* capsrc.h — private to the capture layer (capture.c): one input of an
 * os_capture — a capture file, standard input or a live interface — and
 * the reader that fits it. capture.c merges several of them, filters and
 * counts. Not a public header. */
#ifndef OMNISNIFF_CAPSRC_H
#define OMNISNIFF_CAPSRC_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>

#include "capture_int.h"
#include "instream.h"
#include "omnisniff/capture.h"
#include "pcapfile.h"
#include "pcapng.h"

/* One input and its reader: exactly one of mapped, ng, p reads frames. */
typedef struct os_capsrc {
    const char *name;     /* file as given ("-": stdin), or the interface */
    bool live;            /* a live interface */
    pcap_t *p;            /* libpcap reads it (live; classic pcap not mapped), or NULL */
    os_pcapfile *mapped;  /* the mapped reader (plain classic pcap files), or NULL */
    os_pcapng *ng;        /* omnisniff's pcapng reader, or NULL */
    os_instream *in;      /* the stream p or ng reads (compressed, or stdin), or NULL;
                             owned by p when p is set */
    FILE *f;              /* the plain file ng reads, or NULL */
    bool nano;            /* p gives ns timestamps (else µs) */
    int dlt;              /* link type of the first frames (first interface) */
    int snaplen;          /* snapshot length of the first interface */
} os_capsrc;

/* How to open a file. */
typedef struct os_capsrc_how {
    bool use_libpcap;     /* libpcap reads classic pcap and pcapng (no mapping,
                             not omnisniff's pcapng reader) */
    bool readahead;       /* the mapped reader may start its read-ahead helper */
    os_capnotes *notes;   /* notes about the input go here */
} os_capsrc_how;

/* Open a file or "-" (stdin). The first bytes decide: gzip, zstd or lz4
 * magic: decompressed as a stream; pcapng magic: omnisniff's pcapng
 * reader; a plain classic pcap file: libpcap checks the header, the mapped
 * reader reads the records; anything else: libpcap (which may refuse it).
 * False with a one-line message naming the file. */
bool os_capsrc_open_file(os_capsrc *s, const char *name, const os_capsrc_how *how, char *err,
                         size_t errlen);

/* Open a live interface as o says (o->iface). False with a one-line
 * message naming it. */
bool os_capsrc_open_live(os_capsrc *s, const os_capture_opts *o, char *err, size_t errlen);

/* Next frame of an input not read by the mapped reader (below). */
os_cap_status os_capsrc_next_other(os_capsrc *s, os_frame *fr, char *err, size_t errlen);

/* Next frame (fr->dlt set). Live: OS_CAP_TIMEOUT after waiting up to
 * 100 ms for one. OS_CAP_ERROR with a one-line message (no file name).
 * Inline: the mapped reader's records go straight through. */
static inline os_cap_status os_capsrc_next(os_capsrc *s, os_frame *fr, char *err, size_t errlen)
{
    if (__builtin_expect(s->mapped != NULL, 1))
        return os_pcapfile_next(s->mapped, fr, err, errlen);
    return os_capsrc_next_other(s, fr, err, errlen);
}

/* Bytes of the file read and its size (compressed bytes for a compressed
 * file); false for live, stdin and pipes. */
bool os_capsrc_progress(const os_capsrc *s, uint64_t *pos, uint64_t *size);

/* True once the input's interfaces differ in link type (pcapng). */
bool os_capsrc_mixed(const os_capsrc *s);

/* Captures joined by cat found inside a mapped file. */
uint64_t os_capsrc_joins(const os_capsrc *s);

/* "<stdin>" for "-", else the name. */
const char *os_capsrc_label(const os_capsrc *s);

/* Close and forget (a zeroed source is fine). */
void os_capsrc_close(os_capsrc *s);

#endif
