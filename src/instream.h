/* instream.h — private to the capture layer (capsrc.c): an input stream
 * that undoes gzip, zstd or lz4 compression on the fly, recognised by the
 * magic bytes at its start (never by the file name). The decompressed
 * bytes are read through an ordinary FILE * (fopencookie), so libpcap and
 * the pcapng reader read them as they read a file; nothing is decompressed
 * to disk or into memory whole. Not a public header. */
#ifndef OMNISNIFF_INSTREAM_H
#define OMNISNIFF_INSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct os_instream os_instream;

/* Compressions recognised. */
typedef enum {
    OS_Z_NONE = 0, /* not compressed: the bytes pass through */
    OS_Z_GZIP,     /* gzip (1f 8b), several members read one after another */
    OS_Z_ZSTD,     /* Zstandard frames (28 b5 2f fd) */
    OS_Z_LZ4       /* LZ4 frames (04 22 4d 18) */
} os_zkind;

/* The compression whose magic starts b[0..n) (OS_Z_NONE if none). */
os_zkind os_instream_kind(const uint8_t *b, size_t n);

/* Name of a compression ("gzip", "zstd", "lz4"; "" for none). */
const char *os_instream_kind_name(os_zkind k);

/* Start reading raw (from where it stands): its first bytes say whether it
 * is compressed, and the first 4 bytes of the content are read ahead so
 * the caller can see which format it is (os_instream_magic). close_raw:
 * fclose(raw) when the stream is closed. NULL with a one-line message in
 * err (without a file name) when memory runs out, a decoder cannot start,
 * or the compressed data is bad from its first bytes. */
os_instream *os_instream_open(FILE *raw, bool close_raw, char *err, size_t errlen);

/* The first bytes of the (decompressed) content, up to 4; returns how many
 * there are (fewer at the end of a short input). */
size_t os_instream_magic(const os_instream *in, uint8_t m[4]);

/* The compression of the stream. */
os_zkind os_instream_compression(const os_instream *in);

/* The content as a FILE * (from its first byte, the magic included).
 * Reading past a defect of the compressed data (corrupt, or cut short)
 * fails as a read error; os_instream_error then says what it was. Closing
 * it (fclose, or libpcap's pcap_close) closes the stream: then call
 * neither os_instream_close nor anything else on `in`. */
FILE *os_instream_file(os_instream *in);

/* What went wrong in the compressed data (one line), or NULL. */
const char *os_instream_error(const os_instream *in);

/* Bytes of the raw (compressed) input used so far, for the progress line. */
uint64_t os_instream_raw_pos(const os_instream *in);

/* The raw input (for its size). */
FILE *os_instream_raw(const os_instream *in);

/* Close the stream through its FILE * (NULL is fine). */
void os_instream_close(os_instream *in);

#endif
