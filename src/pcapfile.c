/* pcapfile.c — classic pcap files read through a memory mapping: each
 * record's bytes are handed out in place, with no read() and no copy into a
 * packet buffer. This is the offline fast path of the capture layer;
 * libpcap stays the reader for pcapng, stdin, live capture and the rare
 * pcap variants (versions before 2.4, patched magics).
 *
 * libpcap has already opened the file and accepted its header (magic,
 * version, link type, snapshot length), so this reader starts at the first
 * record and checks each record header as strictly as libpcap does, with the
 * same messages: a header cut short, a captured length above 262144, data
 * cut short. Every read of the mapping goes through the bounds-checked
 * cursor of bytes.h. Pages already read are dropped from the mapping every
 * DROP_EVERY bytes, so resident memory does not grow with the file.
 *
 * A mapped file that another program truncates under the reader would end
 * the run with SIGBUS on the first page past the new end. So the file's
 * size is checked every CHECK_EVERY bytes: a file that shrank is read up to
 * its new end (a record cut there is a cut record: partial summary, exit 2),
 * and one that shrank below what was read ends the read with an error.
 * The command (src/cli/session.c) turns a SIGBUS that still slips through
 * (a truncation between two checks) into a one-line error.
 *
 * With two CPUs or more, a helper thread (readahead.c) maps the pages a few
 * MiB ahead of the reader and loads them into the cache, so the reader
 * itself rarely waits for a page fault or a cache miss. */
#include "pcapfile.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture_int.h"
#include "omnisniff/bytes.h"
#include "readahead.h"

#define FILE_HEADER 24        /* bytes of the pcap file header */
#define RECORD_HEADER 16      /* bytes of a record header */
#define MAX_CAPLEN 262144u    /* libpcap's largest sane caplen (MAXIMUM_SNAPLEN) */
#define DROP_EVERY (8u << 20) /* unmap what was read every 8 MiB */
#define CHECK_EVERY (1u << 20) /* size check (and page release) every 1 MiB */

struct os_pcapfile {
    uint8_t *map;        /* the whole file, read-only */
    size_t size;         /* its length */
    os_cur cur;          /* next record */
    size_t dropped;      /* bytes at the start already released */
    size_t checked;      /* position of the last size check */
    int fd;              /* the file, open for the size checks */
    os_readahead *ra;    /* helper thread preparing the pages ahead, or NULL */
    bool big_endian;     /* the file's fields are big-endian */
    bool nano;           /* timestamps are ns (else µs) */
    uint32_t snapshot;   /* libpcap's snapshot length */
    int dlt;             /* link type (DLT_) of the frames */
    uint64_t joins;      /* further file headers met (captures joined by cat) */
    os_capnotes *notes;  /* where the note about a join goes */
    char *name;          /* the file, for that note */
};

/* What a classic pcap file header says. */
typedef struct header {
    bool big_endian;   /* the fields are big-endian */
    bool nano;         /* timestamps are ns (else µs) */
    uint32_t snaplen;  /* snaplen field */
    uint32_t linktype; /* link type field (LINKTYPE_ value) */
} header;

/* Read the pcap file header at the cursor (24 bytes there, else false)
 * into *h; false for anything but a classic pcap header of version 2.4
 * (pcapng, patched magics, older versions). */
static bool classic_header(os_cur c, header *h)
{
    uint32_t magic = 0, version = 0, skip;
    if (!os_have(&c, FILE_HEADER))
        return false;
    os_get_be32(&c, &magic);
    h->big_endian = magic == 0xa1b2c3d4 || magic == 0xa1b23c4d;
    h->nano = magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
    if (!h->big_endian && magic != 0xd4c3b2a1 && magic != 0x4d3cb2a1)
        return false;
    bool (*get)(os_cur *, uint32_t *) = h->big_endian ? os_get_be32 : os_get_le32;
    get(&c, &version); /* major and minor: two 16-bit fields */
    if (!h->big_endian)
        version = version << 16 | version >> 16;
    get(&c, &skip), get(&c, &skip); /* thiszone, sigfigs */
    get(&c, &h->snaplen), get(&c, &h->linktype);
    return version == (2u << 16 | 4u);
}

/* Map a regular file of at least a pcap header, its descriptor in *fd;
 * NULL if that fails. */
static uint8_t *map_file(const char *path, size_t *size, int *fd)
{
    struct stat st;
    void *m = MAP_FAILED;
    if ((*fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return NULL;
    if (fstat(*fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= FILE_HEADER &&
        (uint64_t)st.st_size <= SIZE_MAX) {
        *size = (size_t)st.st_size;
        m = mmap(NULL, *size, PROT_READ, MAP_PRIVATE, *fd, 0);
    }
    if (m == MAP_FAILED) {
        close(*fd);
        return NULL;
    }
    madvise(m, *size, MADV_SEQUENTIAL);
    return m;
}

/* Map path if it is a classic pcap 2.4 file; NULL otherwise. */
os_pcapfile *os_pcapfile_open(const char *path, int snapshot, int dlt, bool readahead,
                              os_capnotes *notes)
{
    size_t size = 0;
    int fd;
    uint8_t *map = map_file(path, &size, &fd);
    os_pcapfile *m = NULL;
    header h;

    if (!map)
        return NULL;
    if (!classic_header(os_cur_make(map, size), &h) || !(m = calloc(1, sizeof *m)) ||
        !(m->name = strdup(path))) {
        free(m);
        munmap(map, size);
        close(fd);
        return NULL;
    }
    m->fd = fd;
    m->map = map;
    m->size = size;
    m->cur = os_cur_make(map, size);
    os_skip(&m->cur, FILE_HEADER);
    m->big_endian = h.big_endian;
    m->nano = h.nano;
    m->snapshot = snapshot > 0 ? (uint32_t)snapshot : MAX_CAPLEN;
    m->dlt = dlt;
    m->notes = notes;
    m->ra = readahead ? os_readahead_start(map, size, fd) : NULL;
    return m;
}

/* The fields of a record header, in file order. */
enum { SEC, FRAC, CAPLEN, WIRELEN };

/* The four 32-bit fields of the record header at the cursor (indexed by
 * the enum above), in the file's byte order; the caller checked that its
 * 16 bytes are there. One local cursor and one byte-order test for the four,
 * as this runs for every packet. */
static inline void record_fields(os_pcapfile *m, uint32_t f[4])
{
    os_cur c = m->cur;
    if (m->big_endian) {
#pragma GCC unroll 4
        for (int i = 0; i < 4; i++)
            os_get_be32(&c, &f[i]);
    } else {
#pragma GCC unroll 4
        for (int i = 0; i < 4; i++)
            os_get_le32(&c, &f[i]);
    }
    m->cur = c;
}

/* Release the pages before pos, once DROP_EVERY bytes were read since. */
static void drop_read_pages(os_pcapfile *m, size_t pos)
{
    size_t page = 4096;
    if (pos - m->dropped < DROP_EVERY)
        return;
    pos -= pos % page;
    madvise(m->map + m->dropped, pos - m->dropped, MADV_DONTNEED);
    m->dropped = pos;
}

/* Follow a file that shrinks while it is read (pos: where it is read):
 * the records up to its new end are read, as libpcap would read them, and
 * a record cut there is reported as a cut record. False, with a message,
 * if it shrank below what was read. */
static bool size_ok(os_pcapfile *m, size_t pos, char *err, size_t errlen)
{
    struct stat st;
    if (fstat(m->fd, &st) != 0 || (uint64_t)st.st_size >= pos + m->cur.len)
        return true;
    if ((uint64_t)st.st_size < pos) {
        snprintf(err, errlen, "the file shrank from %zu to %lld bytes while being read "
                 "(another program truncated or rewrote it)", m->size, (long long)st.st_size);
        return false;
    }
    m->cur.len = (size_t)st.st_size - pos;
    return true;
}

/* Once every CHECK_EVERY bytes read (one fstat a MiB costs nothing): check
 * the file's size, release the pages read and tell the read-ahead helper
 * where the reader is. False as size_ok. */
static bool every_mib(os_pcapfile *m, char *err, size_t errlen)
{
    size_t pos = (size_t)(m->cur.p - m->map);
    if (pos - m->checked < CHECK_EVERY)
        return true;
    m->checked = pos;
    drop_read_pages(m, pos);
    if (!size_ok(m, pos, err, errlen))
        return false;
    os_readahead_at(m->ra, pos, pos + m->cur.len);
    return true;
}

/* Check a record's caplen as libpcap does; false with its message. */
static bool caplen_ok(const os_pcapfile *m, uint32_t caplen, char *err, size_t errlen)
{
    if (caplen <= MAX_CAPLEN)
        return true;
    if (caplen > m->snapshot)
        snprintf(err, errlen, "invalid packet capture length %u, bigger than snaplen of %u",
                 caplen, m->snapshot);
    else
        snprintf(err, errlen, "invalid packet capture length %u, bigger than maximum of %u",
                 caplen, MAX_CAPLEN);
    return false;
}

/* Take the record's data: caplen bytes, of which at most the snapshot
 * length is handed out (libpcap reads and discards the rest). */
static bool take_data(os_pcapfile *m, uint32_t *caplen, const uint8_t **data, char *err,
                      size_t errlen)
{
    uint32_t keep = *caplen > m->snapshot ? m->snapshot : *caplen;
    if (!os_have(&m->cur, keep)) {
        snprintf(err, errlen, "truncated dump file; tried to read %u captured bytes, only got %zu",
                 keep, m->cur.len);
        return false;
    }
    if (!os_have(&m->cur, *caplen)) {
        snprintf(err, errlen, "truncated dump file; tried to read %u captured bytes, only got %zu",
                 *caplen, m->cur.len);
        return false;
    }
    *data = m->cur.p;
    os_skip(&m->cur, *caplen);
    /* start loading the next record header while this packet is worked on
     * (a hint: it never faults, and it is harmless past the end) */
    __builtin_prefetch(m->cur.p);
    *caplen = keep;
    return true;
}

/* True if a record's first field holds a pcap magic, in either byte order
 * (the set is closed under byte swapping): perhaps a file header. Three of
 * the four have the sign bit set (a time before 1970 or after 2038): one
 * test keeps the common case to two comparisons. */
static inline bool magic_like(uint32_t v)
{
    if (__builtin_expect((int32_t)v >= 0 && v != 0x4d3cb2a1, 1))
        return false;
    return v == 0xa1b2c3d4 || v == 0xd4c3b2a1 || v == 0xa1b23c4d || v == 0x4d3cb2a1;
}

/* At `at`, where a record header was due, a whole classic pcap file header
 * (magic and version 2.4 both): a second capture joined to the first (cat
 * a.pcap b.pcap > x.pcap). Take its byte order, precision, snaplen and link
 * type, step over it, count it and leave a note; false (read the record as
 * a record) if it is not one. */
static bool joined_capture(os_pcapfile *m, os_cur at)
{
    header h;
    int dlt = 0;
    uint32_t snapshot = 0;
    if (!classic_header(at, &h) || !os_linktype_info(h.linktype, h.snaplen, &dlt, &snapshot))
        return false;
    size_t pos = (size_t)(at.p - m->map);
    os_capnotes_add(m->notes, "%s: %s capture starts at byte %zu (files concatenated with "
                    "cat?); read as one%s", m->name, m->joins ? "another" : "a second", pos,
                    dlt != m->dlt ? ", with that capture's link type" : "");
    m->joins++;
    m->big_endian = h.big_endian;
    m->nano = h.nano;
    m->snapshot = snapshot;
    m->dlt = dlt;
    os_skip(&at, FILE_HEADER);
    m->cur = at;
    return true;
}

/* The header of the next record into f, stepping over the file headers of
 * joined captures: OS_CAP_PACKET, OS_CAP_END or OS_CAP_ERROR. */
static os_cap_status next_header(os_pcapfile *m, uint32_t f[4], char *err, size_t errlen)
{
    os_cur at;
    do {
        if (m->cur.len == 0)
            return OS_CAP_END;
        if (!os_have(&m->cur, RECORD_HEADER)) {
            snprintf(err, errlen, "truncated dump file; tried to read %d header bytes, only got %zu",
                     RECORD_HEADER, m->cur.len);
            return OS_CAP_ERROR;
        }
        if (!every_mib(m, err, errlen))
            return OS_CAP_ERROR;
        at = m->cur;
        record_fields(m, f);
    } while (magic_like(f[SEC]) && joined_capture(m, at));
    return OS_CAP_PACKET;
}

/* After a caplen above the maximum: was the "record" a pcapng section
 * header (block type, length, byte-order magic as caplen)? Then say so
 * in err instead. */
static void pcapng_inside(const os_pcapfile *m, uint32_t sec, uint32_t caplen, char *err,
                          size_t errlen)
{
    if (sec == 0x0A0D0D0Au && (caplen == 0x1A2B3C4Du || caplen == 0x4D3C2B1Au))
        snprintf(err, errlen, "a pcapng capture starts at byte %zu, where a record was due "
                 "(files concatenated with cat?): give the files to read one by one",
                 (size_t)(m->cur.p - m->map) - RECORD_HEADER);
}

/* Next record, in place. */
os_cap_status os_pcapfile_next(os_pcapfile *m, os_frame *fr, char *err, size_t errlen)
{
    uint32_t f[4] = {0}; /* SEC, FRAC, CAPLEN, WIRELEN */
    os_cap_status st = next_header(m, f, err, errlen);

    if (st != OS_CAP_PACKET)
        return st;
    if (!caplen_ok(m, f[CAPLEN], err, errlen)) {
        pcapng_inside(m, f[SEC], f[CAPLEN], err, errlen);
        return OS_CAP_ERROR;
    }
    if (!take_data(m, &f[CAPLEN], &fr->data, err, errlen))
        return OS_CAP_ERROR;
    /* the fields are signed 32-bit in the file, as libpcap reads them */
    fr->ts_ns = (uint64_t)(int64_t)(int32_t)f[SEC] * 1000000000ULL +
                (uint64_t)(int64_t)(int32_t)f[FRAC] * (m->nano ? 1 : 1000);
    fr->caplen = f[CAPLEN];
    fr->wirelen = f[WIRELEN];
    fr->dlt = m->dlt;
    return OS_CAP_PACKET;
}

/* Captures joined to the first one so far. */
uint64_t os_pcapfile_joins(const os_pcapfile *m) { return m->joins; }

/* Stop the helper, unmap and free. */
void os_pcapfile_close(os_pcapfile *m)
{
    if (!m)
        return;
    os_readahead_stop(m->ra);
    munmap(m->map, m->size);
    close(m->fd);
    free(m->name);
    free(m);
}

/* How far the file has been read. */
void os_pcapfile_progress(const os_pcapfile *m, uint64_t *pos, uint64_t *size)
{
    *size = m->size;
    *pos = (uint64_t)(m->cur.p - m->map);
}
