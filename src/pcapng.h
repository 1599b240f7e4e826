/* pcapng.h — private to the capture layer (capsrc.c): omnisniff's own
 * pcapng reader, which reads files whose interfaces differ in link type or
 * snaplen (each frame carries its interface's link type), from any FILE *
 * (a file, a pipe, a decompressed stream). Not a public header. */
#ifndef OMNISNIFF_PCAPNG_H
#define OMNISNIFF_PCAPNG_H

#include <stddef.h>
#include <stdio.h>

#include "capture_int.h"
#include "omnisniff/capture.h"

typedef struct os_pcapng os_pcapng;

#define OS_PCAPNG_MAX_BLOCK (16u << 20) /* longest block read (libpcap's limit too) */
#define OS_PCAPNG_MAX_IFACES 65536      /* interfaces a section may describe */

/* Start reading f, positioned at a section header block (the caller saw
 * the pcapng magic). Reads the blocks before the first packet, so the
 * interfaces described there are known. f stays the caller's (not closed).
 * NULL with a one-line message (no file name) if the section header is
 * bad, a block before the first packet is bad, or no interface is
 * described before the first packet or the end. */
os_pcapng *os_pcapng_open(FILE *f, char *err, size_t errlen);

/* Next packet (enhanced, simple or obsolete packet block), its bytes in
 * the reader's buffer (valid until the next call), fr->dlt its interface's
 * link type, fr->ts_ns from its interface's resolution and offset (a
 * simple packet block has no time: it gets the previous packet's).
 * OS_CAP_END at the end of f; OS_CAP_ERROR with a one-line message naming
 * the block's byte offset for every defect: a block length below the
 * minimum, not a multiple of 4, above OS_PCAPNG_MAX_BLOCK or unlike the
 * trailing copy; a block cut short; a block too short for its fields; a
 * captured length beyond the block or above the interface's snapshot
 * length; an unknown interface; a bad option; a bad section header.
 * A read error of f is an OS_CAP_ERROR too. */
os_cap_status os_pcapng_next(os_pcapng *r, os_frame *fr, char *err, size_t errlen);

/* Link type (DLT_) and snapshot length of the first interface whose link
 * type omnisniff decodes (os_dlt_supported), else of the first interface. */
int os_pcapng_dlt(const os_pcapng *r);
int os_pcapng_snaplen(const os_pcapng *r);

/* True once the interfaces described so far differ in link type. */
bool os_pcapng_mixed(const os_pcapng *r);

/* Bytes of the stream read so far. */
uint64_t os_pcapng_pos(const os_pcapng *r);

/* Free (NULL is fine); does not close f. */
void os_pcapng_close(os_pcapng *r);

#endif
