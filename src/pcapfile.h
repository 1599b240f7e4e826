/* pcapfile.h — private to the capture layer (capture.c): the memory-mapped
 * reader of classic pcap files. Not a public header: callers see only
 * include/omnisniff/capture.h, which picks this reader or libpcap. */
#ifndef OMNISNIFF_PCAPFILE_H
#define OMNISNIFF_PCAPFILE_H

#include <stddef.h>

#include "capture_int.h"
#include "omnisniff/capture.h"

typedef struct os_pcapfile os_pcapfile;

/* Map `path` if it is a regular file in classic pcap format 2.4 (µs or ns
 * magic, either byte order) whose header libpcap has already accepted;
 * `snapshot` and `dlt` are libpcap's snapshot length and link type for it
 * (pcap_snapshot, pcap_datalink). readahead: start the read-ahead helper
 * (readahead.c) when it would help. Notes (captures joined with cat) go to
 * `notes` (NULL: none kept). Returns NULL when this reader does not apply
 * (pcapng, older versions, patched formats, a pipe, mmap refused): the
 * caller keeps reading with libpcap. */
os_pcapfile *os_pcapfile_open(const char *path, int snapshot, int dlt, bool readahead,
                              os_capnotes *notes);

/* Next record, handed out in place (valid until the next call), fr->dlt
 * set: OS_CAP_PACKET, OS_CAP_END at the clean end of the file, or
 * OS_CAP_ERROR with libpcap's message for the same defect in err (record
 * header cut, caplen above 262144, data cut). A caplen above the snapshot
 * length is cut to it, as libpcap does. A whole pcap file header where a
 * record header was due (two captures joined with cat) is stepped over:
 * the records after it are read with its byte order, precision, snaplen
 * and link type, and a note says where it was. A pcapng section header
 * there is an OS_CAP_ERROR saying so. */
os_cap_status os_pcapfile_next(os_pcapfile *m, os_frame *fr, char *err, size_t errlen);

/* File headers of joined captures stepped over so far. */
uint64_t os_pcapfile_joins(const os_pcapfile *m);

/* Bytes of the file read so far, and its size (for the progress line). */
void os_pcapfile_progress(const os_pcapfile *m, uint64_t *pos, uint64_t *size);

/* Unmap and free (NULL is fine). */
void os_pcapfile_close(os_pcapfile *m);

#endif
