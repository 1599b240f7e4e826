/* instream.c — compressed captures read as they come: gzip (zlib), zstd
 * (libzstd) and lz4 frames (liblz4), recognised by their magic bytes and
 * undone a buffer at a time behind a FILE * made with fopencookie, so
 * libpcap (pcap_fopen_offline) and the pcapng reader read the content as
 * they read any file. Memory stays at a few hundred KiB whatever the size.
 *
 * The raw input is read with read(2), not stdio, so a pipe hands over what
 * it has (a capture written to the pipe as it happens is not held back
 * until a buffer fills). Several gzip members, zstd frames or lz4 frames
 * one after another (what `cat a.gz b.gz` makes) are read as one stream.
 * Corrupt compressed data, and compressed data that ends inside a member or
 * frame (a file cut short), are read errors with a message of their own
 * (os_instream_error); libpcap and the pcapng reader see a failed read.
 * An uncompressed stream (standard input) passes through, its first bytes
 * replayed after the format check. */
#define _GNU_SOURCE /* fopencookie */
#include "instream.h"

#include <errno.h>
#include <lz4frame.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#define IN_BUF (128u << 10)  /* raw bytes read at a time */
#define OUT_BUF (64u << 10)  /* stdio buffer of the content FILE */

struct os_instream {
    FILE *raw;             /* the compressed input */
    bool close_raw;        /* fclose(raw) on close */
    FILE *f;               /* the content, through the cookie below */
    os_zkind kind;         /* compression */
    uint8_t *in;           /* raw bytes read, used up to in_off */
    size_t in_len, in_off; /* bytes in `in`, bytes of them used */
    uint64_t raw_read;     /* raw bytes read in all */
    bool raw_eof;          /* read(2) said end of file */
    bool in_frame;         /* inside a member/frame: its end is still due */
    uint8_t head[4];       /* first content bytes, read ahead for the magic */
    size_t head_len, head_off; /* bytes in head, bytes of them handed out */
    z_stream z;            /* gzip decoder */
    bool z_ready;          /* z initialised */
    ZSTD_DStream *zs;      /* zstd decoder */
    LZ4F_dctx *lz;         /* lz4 decoder */
    char err[256];         /* what went wrong, "" if nothing */
};

os_zkind os_instream_kind(const uint8_t *b, size_t n)
{
    if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
        return OS_Z_GZIP;
    if (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd)
        return OS_Z_ZSTD;
    if (n >= 4 && b[0] == 0x04 && b[1] == 0x22 && b[2] == 0x4d && b[3] == 0x18)
        return OS_Z_LZ4;
    return OS_Z_NONE;
}

const char *os_instream_kind_name(os_zkind k)
{
    static const char *const names[] = { "", "gzip", "zstd", "lz4" };
    return names[k];
}

/* Read more raw bytes, appended to `in` (moved to its start first); false
 * at the end of the input or on a read error (err set). */
static bool read_raw(os_instream *s)
{
    ssize_t n;
    if (s->raw_eof)
        return false;
    if (s->in_off > 0) {
        memmove(s->in, s->in + s->in_off, s->in_len - s->in_off);
        s->in_len -= s->in_off;
        s->in_off = 0;
    }
    do
        n = read(fileno(s->raw), s->in + s->in_len, IN_BUF - s->in_len);
    while (n < 0 && errno == EINTR);
    if (n <= 0) {
        s->raw_eof = true;
        if (n < 0)
            snprintf(s->err, sizeof s->err, "read error: %s", strerror(errno));
        return false;
    }
    s->in_len += (size_t)n;
    s->raw_read += (uint64_t)n;
    return true;
}

/* One gzip decoding step into out[0..cap); bytes made, -1 on corrupt data. */
static ssize_t step_gzip(os_instream *s, uint8_t *out, size_t cap)
{
    if (!s->in_frame && s->in_off < s->in_len) {
        inflateReset(&s->z); /* the next member */
        s->in_frame = true;
    }
    s->z.next_in = s->in + s->in_off;
    s->z.avail_in = (uInt)(s->in_len - s->in_off);
    s->z.next_out = out;
    s->z.avail_out = (uInt)cap;
    int rc = inflate(&s->z, Z_NO_FLUSH);
    s->in_off = s->in_len - s->z.avail_in;
    if (rc == Z_STREAM_END)
        s->in_frame = false;
    else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        snprintf(s->err, sizeof s->err, "corrupt gzip data (%s)",
                 s->z.msg ? s->z.msg : zError(rc));
        return -1;
    }
    return (ssize_t)(cap - s->z.avail_out);
}

/* One zstd decoding step. */
static ssize_t step_zstd(os_instream *s, uint8_t *out, size_t cap)
{
    ZSTD_inBuffer ib = { s->in, s->in_len, s->in_off };
    ZSTD_outBuffer ob = { out, cap, 0 };
    if (s->in_off < s->in_len)
        s->in_frame = true;
    size_t r = ZSTD_decompressStream(s->zs, &ob, &ib);
    s->in_off = ib.pos;
    if (ZSTD_isError(r)) {
        snprintf(s->err, sizeof s->err, "corrupt zstd data (%s)", ZSTD_getErrorName(r));
        return -1;
    }
    if (r == 0)
        s->in_frame = false;
    return (ssize_t)ob.pos;
}

/* One lz4 decoding step. */
static ssize_t step_lz4(os_instream *s, uint8_t *out, size_t cap)
{
    size_t outsz = cap, insz = s->in_len - s->in_off;
    if (insz > 0)
        s->in_frame = true;
    size_t r = LZ4F_decompress(s->lz, out, &outsz, s->in + s->in_off, &insz, NULL);
    s->in_off += insz;
    if (LZ4F_isError(r)) {
        snprintf(s->err, sizeof s->err, "corrupt lz4 data (%s)", LZ4F_getErrorName(r));
        return -1;
    }
    if (r == 0)
        s->in_frame = false;
    return (ssize_t)outsz;
}

/* Uncompressed: the raw bytes as they are. */
static ssize_t step_none(os_instream *s, uint8_t *out, size_t cap)
{
    size_t n = s->in_len - s->in_off < cap ? s->in_len - s->in_off : cap;
    memcpy(out, s->in + s->in_off, n);
    s->in_off += n;
    return (ssize_t)n;
}

/* Content bytes into out[0..cap): how many (> 0), 0 at the clean end, -1
 * with err set (corrupt data, a member or frame cut short, a read error). */
static ssize_t decode(os_instream *s, uint8_t *out, size_t cap)
{
    static ssize_t (*const step[])(os_instream *, uint8_t *, size_t) = {
        step_none, step_gzip, step_zstd, step_lz4
    };
    for (;;) {
        bool have = s->in_off < s->in_len || read_raw(s);
        if (!have && s->err[0])
            return -1;
        if (!have && !s->in_frame)
            return 0;
        ssize_t n = step[s->kind](s, out, cap);
        if (n != 0)
            return n;
        if (!have) { /* no input left, nothing more comes out, frame open */
            snprintf(s->err, sizeof s->err, "the %s data ends early (the file was cut short?)",
                     os_instream_kind_name(s->kind));
            return -1;
        }
    }
}

/* fopencookie read: the bytes read ahead first, then the decoder's. */
static ssize_t cookie_read(void *cookie, char *buf, size_t size)
{
    os_instream *s = cookie;
    if (s->head_off < s->head_len) {
        size_t n = s->head_len - s->head_off < size ? s->head_len - s->head_off : size;
        memcpy(buf, s->head + s->head_off, n);
        s->head_off += n;
        return (ssize_t)n;
    }
    if (s->err[0])
        return -1;
    return decode(s, (uint8_t *)buf, size);
}

/* Free the decoders, the buffer and the raw input. */
static void release(os_instream *s)
{
    if (s->z_ready)
        inflateEnd(&s->z);
    ZSTD_freeDStream(s->zs);
    if (s->lz)
        LZ4F_freeDecompressionContext(s->lz);
    if (s->close_raw && s->raw)
        fclose(s->raw);
    free(s->in);
    free(s);
}

static int cookie_close(void *cookie)
{
    release(cookie);
    return 0;
}

/* Start the decoder of s->kind; false with err set. */
static bool start_decoder(os_instream *s)
{
    switch (s->kind) {
    case OS_Z_GZIP:
        s->z_ready = inflateInit2(&s->z, 15 + 16) == Z_OK; /* gzip wrapper only */
        break;
    case OS_Z_ZSTD:
        s->zs = ZSTD_createDStream();
        break;
    case OS_Z_LZ4:
        if (LZ4F_isError(LZ4F_createDecompressionContext(&s->lz, LZ4F_VERSION)))
            s->lz = NULL;
        break;
    case OS_Z_NONE:
        return true;
    }
    if (s->z_ready || s->zs || s->lz)
        return true;
    snprintf(s->err, sizeof s->err, "cannot start the %s decoder (out of memory)",
             os_instream_kind_name(s->kind));
    return false;
}

/* Read the first raw bytes (for the compression magic) and the first
 * content bytes (for the format magic); false with err set. */
static bool read_heads(os_instream *s)
{
    while (s->in_len < 4 && read_raw(s))
        ;
    if (s->err[0])
        return false;
    s->kind = os_instream_kind(s->in, s->in_len);
    if (!start_decoder(s))
        return false;
    while (s->head_len < sizeof s->head) {
        ssize_t n = decode(s, s->head + s->head_len, sizeof s->head - s->head_len);
        if (n < 0)
            return false;
        if (n == 0)
            break;
        s->head_len += (size_t)n;
    }
    return true;
}

os_instream *os_instream_open(FILE *raw, bool close_raw, char *err, size_t errlen)
{
    static const cookie_io_functions_t io = { cookie_read, NULL, NULL, cookie_close };
    os_instream *s = calloc(1, sizeof *s);
    if (!s || !(s->in = malloc(IN_BUF))) {
        free(s);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    s->raw = raw;
    s->close_raw = close_raw;
    if (!read_heads(s) || !(s->f = fopencookie(s, "rb", io))) {
        snprintf(err, errlen, "%s", s->err[0] ? s->err : "out of memory");
        release(s);
        return NULL;
    }
    setvbuf(s->f, NULL, _IOFBF, OUT_BUF);
    return s;
}

size_t os_instream_magic(const os_instream *in, uint8_t m[4])
{
    memcpy(m, in->head, in->head_len);
    return in->head_len;
}

os_zkind os_instream_compression(const os_instream *in) { return in->kind; }

FILE *os_instream_file(os_instream *in) { return in->f; }

const char *os_instream_error(const os_instream *in) { return in->err[0] ? in->err : NULL; }

uint64_t os_instream_raw_pos(const os_instream *in)
{
    return in->raw_read - (in->in_len - in->in_off);
}

FILE *os_instream_raw(const os_instream *in) { return in->raw; }

void os_instream_close(os_instream *in)
{
    if (in)
        fclose(in->f);
}
