/* pcapng.c — omnisniff's pcapng reader. libpcap reads a pcapng file only
 * while every interface has the first one's link type and snaplen; a
 * capture of several interfaces at once (Wireshark on Windows, `-i any`
 * next to a tunnel) breaks that. This reader gives each frame its own
 * interface's link type (fr->dlt), and reads from a FILE *, so it works
 * as well on a pipe or a decompressed stream (instream.c).
 *
 * Blocks read: section header (either byte order; several sections, each
 * with its own interfaces and byte order), interface description (link
 * type, snaplen, if_tsresol in powers of 10 or 2, if_tsoffset), enhanced,
 * simple and obsolete packet blocks. Every other block is skipped by its
 * length. Every length is checked before it is used, and every field is
 * read through the bounds-checked cursor of bytes.h over the block, which
 * is read whole into the reader's buffer (at most OS_PCAPNG_MAX_BLOCK):
 * a block length below 12, not a multiple of 4, above the maximum or
 * unlike its trailing copy, a block cut short, a block too short for its
 * fields, a captured length past the block or above its interface's
 * snapshot length (libpcap's rule), an unknown interface, an option
 * running past its block, a time resolution finer than 10^-19 or 2^-63:
 * each is a one-line error naming the block's byte offset, and ends the
 * read. What link types omnisniff decodes is the caller's business: frames
 * of every interface are handed out. */
#define _GNU_SOURCE /* fread_unlocked */
#include "pcapng.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "omnisniff/bytes.h"
#include "omnisniff/decode.h"

#define BT_SHB 0x0A0D0D0Au /* section header (the same in both byte orders) */
#define BT_IDB 1u          /* interface description */
#define BT_OPB 2u          /* (obsolete) packet block */
#define BT_SPB 3u          /* simple packet block */
#define BT_EPB 6u          /* enhanced packet block */
#define BYTE_ORDER_MAGIC 0x1A2B3C4Du
#define MIN_BLOCK 12u      /* type, length, trailing length */
#define OPT_TSRESOL 9      /* if_tsresol */
#define OPT_TSOFFSET 14    /* if_tsoffset */

/* One interface of the current section. */
typedef struct iface {
    int dlt;           /* link type, DLT_ */
    uint32_t snapshot; /* libpcap's snapshot length for its snaplen */
    uint64_t units;    /* time stamp units per second */
    uint64_t mul, div; /* decimal units: fraction * mul / div = ns */
    unsigned shift;    /* binary units (2^shift a second), else 0 */
    int64_t offset;    /* if_tsoffset: seconds added */
} iface;

struct os_pcapng {
    FILE *f;             /* the stream */
    uint8_t *buf;        /* the current block, whole */
    size_t cap;          /* buf's size */
    uint32_t type, len;  /* the current block's type and total length */
    uint64_t at;         /* its byte offset in the stream */
    uint64_t pos;        /* bytes read from the stream */
    bool be;             /* the section is big-endian */
    bool pending;        /* buf holds a packet block that open read ahead */
    bool opened;         /* open is done: the first interface is fixed */
    iface *ifs;          /* the section's interfaces */
    uint32_t nif, ifcap; /* how many, room for */
    int first_dlt;       /* link type of the first interface (see os_pcapng_dlt) */
    uint32_t first_snap; /* its snapshot length */
    bool have_first;     /* an interface was described */
    bool mixed;          /* interfaces differ in link type */
    uint64_t last_ts;    /* time of the last packet (for simple packet blocks) */
    uint32_t memo_lt, memo_snap, memo_snapshot; /* last link type asked of libpcap */
    int memo_dlt;        /* and its answer */
    bool memo;           /* the memo holds an answer */
};

/* Read a 16- or 32-bit field in the section's byte order. */
static bool get16(const os_pcapng *r, os_cur *c, uint16_t *v)
{
    uint8_t a = 0, b = 0;
    if (!os_have(c, 2))
        return false;
    os_get_u8(c, &a), os_get_u8(c, &b);
    *v = r->be ? (uint16_t)(a << 8 | b) : (uint16_t)(b << 8 | a);
    return true;
}

static bool get32(const os_pcapng *r, os_cur *c, uint32_t *v)
{
    return r->be ? os_get_be32(c, v) : os_get_le32(c, v);
}

/* Up to n bytes of the stream into dst; how many came. */
static size_t take(os_pcapng *r, uint8_t *dst, size_t n)
{
    size_t got = fread_unlocked(dst, 1, n, r->f);
    r->pos += got;
    return got;
}

/* The block (or its first `want` bytes) is not all there: a read error, or
 * the stream ends inside it. */
static int cut(os_pcapng *r, size_t got, uint32_t want, bool header, char *err, size_t errlen)
{
    if (ferror(r->f))
        snprintf(err, errlen, "read error in the pcapng block at byte %llu: %s",
                 (unsigned long long)r->at, strerror(errno ? errno : EIO));
    else if (header)
        snprintf(err, errlen, "pcapng file cut short in the block at byte %llu: "
                 "%zu of its first %u bytes are there", (unsigned long long)r->at, got, want);
    else
        snprintf(err, errlen, "pcapng file cut short in the block at byte %llu: "
                 "%zu of its %u bytes are there", (unsigned long long)r->at, got, want);
    return -1;
}

/* The byte order of the section header in h[0..12); false, with a message,
 * if its byte-order magic is neither. */
static bool section_order(os_pcapng *r, const uint8_t *h, char *err, size_t errlen)
{
    os_cur c = os_cur_make(h + 8, 4);
    uint32_t bom = 0;
    os_get_be32(&c, &bom);
    if (bom == BYTE_ORDER_MAGIC || bom == 0x4D3C2B1Au) {
        r->be = bom == BYTE_ORDER_MAGIC;
        return true;
    }
    snprintf(err, errlen, "pcapng section header at byte %llu has a bad byte-order magic "
             "0x%08x (not a pcapng file, or a corrupt one)", (unsigned long long)r->at, bom);
    return false;
}

/* A total length that is below the minimum, not a multiple of 4 or above
 * the maximum: false with the message. */
static bool length_ok(const os_pcapng *r, uint32_t len, char *err, size_t errlen)
{
    const char *why = len < MIN_BLOCK ? "below the minimum of 12"
                      : len % 4 ? "not a multiple of 4"
                      : len > OS_PCAPNG_MAX_BLOCK ? "above the maximum of 16777216" : NULL;
    if (why)
        snprintf(err, errlen, "pcapng block at byte %llu claims a length of %u, %s",
                 (unsigned long long)r->at, len, why);
    return !why;
}

/* Make room for a block of len bytes; false if memory runs out. */
static bool room(os_pcapng *r, uint32_t len)
{
    if (len <= r->cap)
        return true;
    size_t cap = r->cap ? r->cap : 4096;
    while (cap < len)
        cap *= 2;
    uint8_t *b = realloc(r->buf, cap);
    if (!b)
        return false;
    r->buf = b;
    r->cap = cap;
    return true;
}

/* Read the rest of the block whose first `have` bytes are in h, into buf,
 * and check its trailing length. */
static int read_rest(os_pcapng *r, const uint8_t *h, size_t have, char *err, size_t errlen)
{
    if (!room(r, r->len)) {
        snprintf(err, errlen, "out of memory for a pcapng block of %u bytes", r->len);
        return -1;
    }
    memcpy(r->buf, h, have);
    size_t got = take(r, r->buf + have, r->len - have);
    if (got < r->len - have)
        return cut(r, have + got, r->len, false, err, errlen);
    os_cur c = os_cur_make(r->buf + r->len - 4, 4);
    uint32_t tail = 0;
    get32(r, &c, &tail);
    if (tail != r->len) {
        snprintf(err, errlen, "pcapng block at byte %llu claims a length of %u at its start "
                 "and %u at its end", (unsigned long long)r->at, r->len, tail);
        return -1;
    }
    return 1;
}

/* Read the next block whole into buf: 1, 0 at the clean end of the
 * stream, -1 with a message. A section header sets the byte order. */
static int read_block(os_pcapng *r, char *err, size_t errlen)
{
    uint8_t h[12];
    size_t have = 8;
    r->at = r->pos;
    size_t got = take(r, h, 8);
    if (got == 0 && !ferror(r->f))
        return 0;
    if (got < 8)
        return cut(r, got, 8, true, err, errlen);
    os_cur c = os_cur_make(h, 8);
    os_get_be32(&c, &r->type);
    if (r->type == BT_SHB) {
        if ((got = take(r, h + 8, 4)) < 4)
            return cut(r, 8 + got, 12, true, err, errlen);
        if (!section_order(r, h, err, errlen))
            return -1;
        have = 12;
    } else {
        c = os_cur_make(h, 8);
        get32(r, &c, &r->type);
    }
    get32(r, &c, &r->len);
    if (!length_ok(r, r->len, err, errlen)) /* so len >= 12 >= have */
        return -1;
    return read_rest(r, h, have, err, errlen);
}

/* The block's fields (after type and length, before the trailing length),
 * or false with a message if the block is shorter than `need` bytes. */
static bool body(const os_pcapng *r, uint32_t need, const char *what, os_cur *c, char *err,
                 size_t errlen)
{
    if (r->len < need) {
        snprintf(err, errlen, "pcapng %s block at byte %llu is %u bytes long, too short for "
                 "its fields (%u)", what, (unsigned long long)r->at, r->len, need);
        return false;
    }
    *c = os_cur_make(r->buf + 8, r->len - MIN_BLOCK);
    return true;
}

/* Section header: byte order (read already), version 1.x; the section's
 * interfaces start anew. */
static int section(os_pcapng *r, char *err, size_t errlen)
{
    os_cur c;
    uint32_t bom = 0;
    uint16_t major = 0, minor = 0;
    if (!body(r, 28, "section header", &c, err, errlen))
        return -1;
    get32(r, &c, &bom), get16(r, &c, &major), get16(r, &c, &minor);
    if (major != 1) {
        snprintf(err, errlen, "pcapng section header at byte %llu has version %u.%u; "
                 "omnisniff reads version 1", (unsigned long long)r->at, major, minor);
        return -1;
    }
    r->nif = 0;
    return 0;
}

/* Set i's time resolution from an if_tsresol byte; false if too fine. */
static bool tsresol(iface *i, uint8_t v)
{
    unsigned e = v & 0x7fu;
    if (v & 0x80) {
        if (e > 63)
            return false;
        i->shift = e;
        i->units = (uint64_t)1 << e;
        return true;
    }
    if (e > 19)
        return false;
    i->shift = 0;
    i->units = 1;
    for (unsigned k = 0; k < e; k++)
        i->units *= 10;
    i->mul = i->div = 1;
    for (unsigned k = e; k < 9; k++)
        i->mul *= 10;
    for (unsigned k = 9; k < e; k++)
        i->div *= 10;
    return true;
}

/* The options of an interface description: if_tsresol, if_tsoffset. */
static bool idb_options(os_pcapng *r, os_cur *c, iface *i, char *err, size_t errlen)
{
    uint16_t code = 0, olen = 0;
    while (get16(r, c, &code) && get16(r, c, &olen) && code != 0) {
        os_cur v = os_cur_make(c->p, olen);
        uint8_t res = 0;
        uint32_t hi = 0, lo = 0;
        if (!os_skip(c, ((size_t)olen + 3) & ~(size_t)3)) {
            snprintf(err, errlen, "pcapng interface description at byte %llu: option %u "
                     "(%u bytes) runs past the block's end", (unsigned long long)r->at, code, olen);
            return false;
        }
        if (code == OPT_TSRESOL && os_get_u8(&v, &res) && !tsresol(i, res)) {
            snprintf(err, errlen, "pcapng interface description at byte %llu: time resolution "
                     "%s-%u is finer than omnisniff reads (10^-19, 2^-63)",
                     (unsigned long long)r->at, res & 0x80 ? "2^" : "10^", res & 0x7fu);
            return false;
        }
        if (code == OPT_TSOFFSET && olen >= 8) {
            if (r->be)
                get32(r, &v, &hi), get32(r, &v, &lo);
            else
                get32(r, &v, &lo), get32(r, &v, &hi);
            i->offset = (int64_t)((uint64_t)hi << 32 | lo);
        }
    }
    return true;
}

/* libpcap's DLT_ and snapshot length for a link type and snaplen field,
 * remembering the last answer (files repeat them). */
static bool link_info(os_pcapng *r, uint16_t lt, uint32_t snap, iface *i)
{
    if (!r->memo || r->memo_lt != lt || r->memo_snap != snap) {
        if (!os_linktype_info(lt, snap, &r->memo_dlt, &r->memo_snapshot))
            return false;
        r->memo = true;
        r->memo_lt = lt;
        r->memo_snap = snap;
    }
    i->dlt = r->memo_dlt;
    i->snapshot = r->memo_snapshot;
    return true;
}

/* Remember the first interface (the first one omnisniff decodes, else
 * the very first) and whether link types differ. */
static void note_iface(os_pcapng *r, const iface *i)
{
    if (r->have_first && i->dlt != r->first_dlt)
        r->mixed = true;
    if (r->opened || (r->have_first && os_dlt_supported(r->first_dlt)))
        return;
    if (!r->have_first || os_dlt_supported(i->dlt)) {
        r->first_dlt = i->dlt;
        r->first_snap = i->snapshot;
    }
    r->have_first = true;
}

/* Add an interface to the section; false with a message. */
static bool add_iface(os_pcapng *r, const iface *i, char *err, size_t errlen)
{
    if (r->nif == r->ifcap) {
        uint32_t cap = r->ifcap ? r->ifcap * 2 : 8;
        iface *n = r->nif < OS_PCAPNG_MAX_IFACES ? realloc(r->ifs, cap * sizeof *n) : NULL;
        if (!n) {
            snprintf(err, errlen, "pcapng interface description at byte %llu: %s",
                     (unsigned long long)r->at, r->nif < OS_PCAPNG_MAX_IFACES ? "out of memory"
                     : "more than 65536 interfaces in one section");
            return false;
        }
        r->ifs = n;
        r->ifcap = cap;
    }
    r->ifs[r->nif++] = *i;
    note_iface(r, i);
    return true;
}

/* Interface description: link type, snaplen, options. */
static int interface(os_pcapng *r, char *err, size_t errlen)
{
    os_cur c;
    uint16_t lt = 0, reserved = 0;
    uint32_t snap = 0;
    iface i = { .units = 1000000, .mul = 1000, .div = 1 }; /* µs unless told */
    if (!body(r, 20, "interface description", &c, err, errlen))
        return -1;
    get16(r, &c, &lt), get16(r, &c, &reserved), get32(r, &c, &snap);
    if (!idb_options(r, &c, &i, err, errlen))
        return -1;
    if (!link_info(r, lt, snap, &i)) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return add_iface(r, &i, err, errlen) ? 0 : -1;
}

/* A time stamp of interface i in ns since the epoch (wrapping as libpcap's
 * seconds do for absurd values). */
static uint64_t to_ns(const iface *i, uint64_t t)
{
    uint64_t sec = t / i->units, frac = t % i->units, ns;
    if (i->shift)
        ns = (uint64_t)(((unsigned __int128)frac * 1000000000u) >> i->shift);
    else
        ns = frac * i->mul / i->div;
    return (sec + (uint64_t)i->offset) * 1000000000ull + ns;
}

/* The fixed fields of a packet block into *ifid, *ts, *caplen, *wire;
 * false with a message. */
static bool packet_fields(os_pcapng *r, os_cur *c, uint32_t *ifid, uint64_t *ts,
                          uint32_t *caplen, uint32_t *wire, char *err, size_t errlen)
{
    uint32_t hi = 0, lo = 0;
    uint16_t id16 = 0, drops = 0;
    if (r->type == BT_SPB) {
        *ifid = 0;
        return body(r, 16, "simple packet", c, err, errlen) && get32(r, c, wire);
    }
    if (!body(r, 32, r->type == BT_EPB ? "enhanced packet" : "packet", c, err, errlen))
        return false;
    if (r->type == BT_EPB)
        get32(r, c, ifid);
    else
        get16(r, c, &id16), get16(r, c, &drops), *ifid = id16;
    get32(r, c, &hi), get32(r, c, &lo), get32(r, c, caplen), get32(r, c, wire);
    *ts = (uint64_t)hi << 32 | lo;
    return true;
}

/* A packet block into fr: 1, or -1 with a message. */
static int packet(os_pcapng *r, os_frame *fr, char *err, size_t errlen)
{
    os_cur c;
    uint32_t ifid = 0, caplen = 0, wire = 0;
    uint64_t ts = 0;
    if (!packet_fields(r, &c, &ifid, &ts, &caplen, &wire, err, errlen))
        return -1;
    if (ifid >= r->nif) {
        snprintf(err, errlen, "pcapng packet block at byte %llu is from interface %u, but the "
                 "section describes %u interface%s before it", (unsigned long long)r->at,
                 ifid, r->nif, r->nif == 1 ? "" : "s");
        return -1;
    }
    const iface *i = &r->ifs[ifid];
    if (r->type == BT_SPB)
        caplen = wire < i->snapshot ? wire : i->snapshot;
    if (!os_get_view(&c, caplen, &fr->data)) {
        snprintf(err, errlen, "pcapng packet block at byte %llu: captured length %u runs past "
                 "the block's end (%zu bytes there)", (unsigned long long)r->at, caplen, c.len);
        return -1;
    }
    if (caplen > i->snapshot) {
        snprintf(err, errlen, "pcapng packet block at byte %llu: captured length %u is above "
                 "interface %u's snapshot length %u", (unsigned long long)r->at, caplen, ifid,
                 i->snapshot);
        return -1;
    }
    fr->caplen = caplen;
    fr->wirelen = wire;
    fr->dlt = i->dlt;
    fr->ts_ns = r->type == BT_SPB ? r->last_ts : to_ns(i, ts);
    r->last_ts = fr->ts_ns;
    return 1;
}

static bool is_packet(uint32_t type)
{
    return type == BT_EPB || type == BT_SPB || type == BT_OPB;
}

/* Act on the block in buf: 1 a packet (in fr), 0 none, -1 an error. */
static int handle(os_pcapng *r, os_frame *fr, char *err, size_t errlen)
{
    switch (r->type) {
    case BT_SHB:
        return section(r, err, errlen);
    case BT_IDB:
        return interface(r, err, errlen);
    case BT_EPB: case BT_SPB: case BT_OPB:
        return packet(r, fr, err, errlen);
    default:
        return 0; /* name resolution, statistics, custom…: skipped */
    }
}

os_pcapng *os_pcapng_open(FILE *f, char *err, size_t errlen)
{
    os_pcapng *r = calloc(1, sizeof *r);
    os_frame unused;
    int rc;
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->f = f;
    if ((rc = read_block(r, err, errlen)) > 0 && r->type != BT_SHB) {
        snprintf(err, errlen, "not a pcapng file (no section header block at its start)");
        rc = -1;
    }
    for (; rc > 0 && !is_packet(r->type); rc = read_block(r, err, errlen)) {
        if (handle(r, &unused, err, errlen) < 0) {
            rc = -1;
            break;
        }
    }
    r->pending = rc > 0;
    if (rc >= 0 && !r->have_first)
        snprintf(err, errlen, "the pcapng file describes no interface before %s",
                 r->pending ? "its first packet" : "its end");
    if (rc < 0 || !r->have_first) {
        os_pcapng_close(r);
        return NULL;
    }
    r->opened = true;
    return r;
}

os_cap_status os_pcapng_next(os_pcapng *r, os_frame *fr, char *err, size_t errlen)
{
    for (;;) {
        if (!r->pending) {
            int rc = read_block(r, err, errlen);
            if (rc <= 0)
                return rc == 0 ? OS_CAP_END : OS_CAP_ERROR;
        }
        r->pending = false;
        int rc = handle(r, fr, err, errlen);
        if (rc != 0)
            return rc > 0 ? OS_CAP_PACKET : OS_CAP_ERROR;
    }
}

int os_pcapng_dlt(const os_pcapng *r) { return r->first_dlt; }

int os_pcapng_snaplen(const os_pcapng *r) { return (int)r->first_snap; }

bool os_pcapng_mixed(const os_pcapng *r) { return r->mixed; }

uint64_t os_pcapng_pos(const os_pcapng *r) { return r->pos; }

void os_pcapng_close(os_pcapng *r)
{
    if (!r)
        return;
    free(r->ifs);
    free(r->buf);
    free(r);
}
