/* capture_int.h — private to the capture layer (capture.c, capsrc.c and the
 * readers pcapfile.c, pcapng.c): the notes a read leaves for the user, and
 * what a link type and snaplen field of a capture file mean to libpcap.
 * Not a public header. */
#ifndef OMNISNIFF_CAPTURE_INT_H
#define OMNISNIFF_CAPTURE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OS_CAPNOTES_MAX 16   /* notes kept; the last one says more were dropped */
#define OS_CAPNOTE_LEN 320   /* bytes of one note */

/* One-line notes about the input that are not errors (two captures joined
 * by cat, frames of a link type that is skipped), in the order they were
 * made, for the caller to print. */
typedef struct os_capnotes {
    char text[OS_CAPNOTES_MAX][OS_CAPNOTE_LEN]; /* the notes */
    int n;                                      /* notes kept */
    int taken;                                  /* notes handed out so far */
} os_capnotes;

/* Add a note (printf format); once the store is full, the last note says
 * that more were dropped. NULL notes is fine (nothing kept). */
void os_capnotes_add(os_capnotes *notes, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* What libpcap makes of a capture file's link type field (a LINKTYPE_
 * value, as classic pcap headers and pcapng interface blocks carry) and
 * snaplen field: the DLT_ value and the snapshot length it would use
 * (0 or too large becomes the link type's maximum). Asked of libpcap
 * itself (a header in memory), so the answer is libpcap's on every
 * platform. False if libpcap cannot say (out of memory). */
bool os_linktype_info(uint32_t linktype, uint32_t snaplen, int *dlt, uint32_t *snapshot);

#endif
