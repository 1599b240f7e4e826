/* capsrc.c — one input of the capture layer and the reader that fits it,
 * chosen by the input's first bytes, never by its name:
 *
 *   gzip, zstd, lz4     decompressed as a stream (instream.c), then as below
 *   pcapng              omnisniff's reader (pcapng.c): interfaces may differ
 *   classic pcap file   libpcap checks the header (and names what is wrong),
 *                       the mapped reader (pcapfile.c) reads the records
 *   classic pcap stream libpcap (stdin, decompressed data)
 *   live interface      libpcap, non-blocking, polled here
 *
 * Offline captures are opened with nanosecond precision so every reader
 * hands out ns. Live captures use immediate mode when someone watches the
 * lines, block mode otherwise, and ask for ns timestamps where the kernel
 * offers them. Also here: what libpcap makes of a file's link type field
 * (os_linktype_info), asked of libpcap itself. */
#define _GNU_SOURCE /* fmemopen */
#include "capsrc.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define OS_LIVE_POLL_MS 100 /* longest wait for a packet before OS_CAP_TIMEOUT */
#define FILE_BUF (256u << 10) /* stdio buffer of a pcapng file read plainly */

bool os_linktype_info(uint32_t linktype, uint32_t snaplen, int *dlt, uint32_t *snapshot)
{
    uint32_t h[6] = { 0xa1b2c3d4u, 2u | 4u << 16, 0, 0, snaplen, linktype }; /* host order */
    char ebuf[PCAP_ERRBUF_SIZE];
    FILE *f = fmemopen(h, sizeof h, "rb");
    pcap_t *p = f ? pcap_fopen_offline(f, ebuf) : NULL;
    if (!p) {
        if (f)
            fclose(f);
        return false;
    }
    *dlt = pcap_datalink(p);
    *snapshot = (uint32_t)pcap_snapshot(p);
    pcap_close(p);
    return true;
}

const char *os_capsrc_label(const os_capsrc *s)
{
    return strcmp(s->name, "-") ? s->name : "<stdin>";
}

/* libpcap could not open the file: one line naming it. */
static void offline_error(const os_capsrc *s, const char *ebuf, char *err, size_t errlen)
{
    const char *what = s->in && os_instream_compression(s->in) ? "compressed, but " : "";
    if (s->in && os_instream_error(s->in))
        snprintf(err, errlen, "%s: %s", os_capsrc_label(s), os_instream_error(s->in));
    else if (strstr(ebuf, "unknown file format"))
        snprintf(err, errlen, "%s: %snot a pcap or pcapng capture file (%s)",
                 os_capsrc_label(s), what, ebuf);
    else if (strncmp(ebuf, s->name, strlen(s->name)) == 0)
        snprintf(err, errlen, "%s", ebuf); /* libpcap named the file already */
    else
        snprintf(err, errlen, "%s: %s", os_capsrc_label(s), ebuf);
}

/* Omnisniff's pcapng reader on f; false with a message. */
static bool open_ng(os_capsrc *s, FILE *f, char *err, size_t errlen)
{
    char e[512];
    if (!(s->ng = os_pcapng_open(f, e, sizeof e))) {
        const char *why = s->in && os_instream_error(s->in) ? os_instream_error(s->in) : e;
        snprintf(err, errlen, "%s: %s", os_capsrc_label(s), why);
        return false;
    }
    s->dlt = os_pcapng_dlt(s->ng);
    s->snaplen = os_pcapng_snaplen(s->ng);
    s->nano = true;
    return true;
}

static bool is_pcapng(const uint8_t *m, size_t n)
{
    return n >= 4 && m[0] == 0x0a && m[1] == 0x0d && m[2] == 0x0d && m[3] == 0x0a;
}

/* libpcap opened s->p offline (ns timestamps), or said why not in ebuf. */
static bool took_offline(os_capsrc *s, const char *ebuf, char *err, size_t errlen)
{
    if (!s->p) {
        offline_error(s, ebuf, err, errlen);
        return false;
    }
    s->nano = true;
    s->dlt = pcap_datalink(s->p);
    s->snaplen = pcap_snapshot(s->p);
    return true;
}

/* A stream (stdin, compressed data, a pipe): decompressed if it is
 * compressed, then read by the pcapng reader or libpcap. */
static bool open_stream(os_capsrc *s, FILE *raw, bool close_raw, const os_capsrc_how *how,
                        char *err, size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    uint8_t m[4];
    if (!(s->in = os_instream_open(raw, close_raw, ebuf, sizeof ebuf))) {
        snprintf(err, errlen, "%s: %s", os_capsrc_label(s), ebuf);
        return false;
    }
    size_t n = os_instream_magic(s->in, m);
    FILE *f = os_instream_file(s->in);
    if (is_pcapng(m, n) && !how->use_libpcap)
        return open_ng(s, f, err, errlen);
    s->p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, ebuf);
    return took_offline(s, ebuf, err, errlen);
}

/* A plain named file libpcap opens (classic pcap, or anything it may
 * know); then the mapped reader takes the records of a classic pcap file. */
static bool open_libpcap(os_capsrc *s, const os_capsrc_how *how, char *err, size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    s->p = pcap_open_offline_with_tstamp_precision(s->name, PCAP_TSTAMP_PRECISION_NANO, ebuf);
    if (!took_offline(s, ebuf, err, errlen))
        return false;
    if (!how->use_libpcap)
        s->mapped = os_pcapfile_open(s->name, s->snaplen, s->dlt, how->readahead, how->notes);
    return true;
}

bool os_capsrc_open_file(os_capsrc *s, const char *name, const os_capsrc_how *how, char *err,
                         size_t errlen)
{
    uint8_t m[4];
    ssize_t n;
    memset(s, 0, sizeof *s);
    s->name = name;
    if (strcmp(name, "-") == 0)
        return open_stream(s, stdin, false, how, err, errlen);
    FILE *f = fopen(name, "rb");
    if (!f) /* libpcap says why, as it always did */
        return open_libpcap(s, how, err, errlen);
    while ((n = pread(fileno(f), m, sizeof m, 0)) < 0 && errno == EINTR)
        ;
    if ((n < 0 && errno == ESPIPE) || (n > 0 && os_instream_kind(m, (size_t)n) != OS_Z_NONE))
        return open_stream(s, f, true, how, err, errlen); /* a named pipe, or compressed */
    if (n > 0 && is_pcapng(m, (size_t)n) && !how->use_libpcap) {
        s->f = f;
        setvbuf(f, NULL, _IOFBF, FILE_BUF);
        return open_ng(s, f, err, errlen);
    }
    fclose(f);
    return open_libpcap(s, how, err, errlen);
}

/* Report a pcap_activate() problem as one line. */
static void activate_error(pcap_t *p, int rc, const char *iface, char *err, size_t errlen)
{
    const char *why = pcap_geterr(p);
    if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
        snprintf(err, errlen, "%s: no such interface (%s); list them with -D", iface, why);
    else if (rc == PCAP_ERROR_PERM_DENIED)
        snprintf(err, errlen, "%s: permission denied: capturing needs root or CAP_NET_RAW (%s)", iface, why);
    else
        snprintf(err, errlen, "%s: %s%s%s", iface, pcap_statustostr(rc),
                 why && *why ? ": " : "", why ? why : "");
}

/* Create, configure and activate a live capture. */
static pcap_t *open_live(const os_capture_opts *o, bool *nano, char *err, size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_create(o->iface, ebuf);
    int rc;

    if (!p) {
        snprintf(err, errlen, "%s: %s", o->iface, ebuf);
        return NULL;
    }
    pcap_set_snaplen(p, o->snaplen > 0 ? o->snaplen : 262144);
    pcap_set_promisc(p, o->promisc);
    pcap_set_buffer_size(p, (o->buffer_kib > 0 ? o->buffer_kib : OS_LIVE_BUFFER_KIB) * 1024);
    /* immediate mode makes libpcap use fixed frames of snaplen bytes in the
     * ring: at full snaplen 32 MiB holds only ~128 packets, and a replay at
     * top speed lost 44% of them where block mode lost none */
    pcap_set_immediate_mode(p, o->immediate);
    pcap_set_timeout(p, 100);
    *nano = pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO) == 0;
    rc = pcap_activate(p);
    if (rc < 0) {
        activate_error(p, rc, o->iface, err, errlen);
        pcap_close(p);
        return NULL;
    }
    *nano = pcap_get_tstamp_precision(p) == PCAP_TSTAMP_PRECISION_NANO;
    /* Reads do not block: os_capsrc_next polls the descriptor itself with
     * a timeout, so the caller gets OS_CAP_TIMEOUT regularly (for --status,
     * SIGUSR1) even on a quiet link, where in immediate mode libpcap's own
     * read timeout never fires. */
    if (pcap_setnonblock(p, 1, ebuf) != 0) {
        snprintf(err, errlen, "%s: %s", o->iface, ebuf);
        pcap_close(p);
        return NULL;
    }
    return p;
}

bool os_capsrc_open_live(os_capsrc *s, const os_capture_opts *o, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    s->name = o->iface;
    s->live = true;
    if (!(s->p = open_live(o, &s->nano, err, errlen)))
        return false;
    s->dlt = pcap_datalink(s->p);
    s->snaplen = pcap_snapshot(s->p);
    return true;
}

/* libpcap's message for a failed read (or the decompressor's, when the
 * compressed data was at fault), with what to do when it is libpcap's
 * pcapng limit (OMNISNIFF_READER=libpcap): every interface of the file
 * must share the first one's link type and snaplen. */
static void read_error(const os_capsrc *s, char *err, size_t errlen)
{
    const char *why = pcap_geterr(s->p);
    if (s->in && os_instream_error(s->in))
        snprintf(err, errlen, "%s", os_instream_error(s->in));
    else if (strstr(why, "different from the") && strstr(why, "of the first interface"))
        snprintf(err, errlen, "%s: libpcap reads a pcapng file only when all its interfaces "
                 "have one link type and snaplen; omnisniff's own reader does not have that "
                 "limit (do not set OMNISNIFF_READER=libpcap)", why);
    else
        snprintf(err, errlen, "%s", why);
}

/* Next frame through libpcap. */
static os_cap_status next_pcap(os_capsrc *s, os_frame *fr, char *err, size_t errlen)
{
    struct pcap_pkthdr *h;
    const u_char *d;
    int rc = pcap_next_ex(s->p, &h, &d);

    if (rc == 1) {
        uint64_t frac = (uint64_t)h->ts.tv_usec * (s->nano ? 1 : 1000);
        fr->ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ULL + frac;
        fr->caplen = h->caplen;
        fr->wirelen = h->len;
        fr->data = d;
        fr->dlt = s->dlt;
        return OS_CAP_PACKET;
    }
    if (rc == 0) { /* live and nothing waiting: wait up to OS_LIVE_POLL_MS */
        struct pollfd pfd = { .fd = pcap_get_selectable_fd(s->p), .events = POLLIN };
        if (pfd.fd >= 0)
            poll(&pfd, 1, OS_LIVE_POLL_MS); /* EINTR (a signal) is a timeout too */
        return OS_CAP_TIMEOUT;
    }
    if (rc == PCAP_ERROR_BREAK)
        return OS_CAP_END;
    read_error(s, err, errlen);
    return OS_CAP_ERROR;
}

os_cap_status os_capsrc_next_other(os_capsrc *s, os_frame *fr, char *err, size_t errlen)
{
    if (!s->ng)
        return next_pcap(s, fr, err, errlen);
    os_cap_status st = os_pcapng_next(s->ng, fr, err, errlen);
    if (st == OS_CAP_ERROR && s->in && os_instream_error(s->in))
        snprintf(err, errlen, "%s", os_instream_error(s->in));
    return st;
}

/* Position of f (or, under a decompressor, of its raw input) and the
 * size of the regular file beneath. */
static bool file_progress(FILE *f, uint64_t at, uint64_t *pos, uint64_t *size)
{
    struct stat sb;
    if (!f || fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode))
        return false;
    *pos = at;
    *size = (uint64_t)sb.st_size;
    return true;
}

bool os_capsrc_progress(const os_capsrc *s, uint64_t *pos, uint64_t *size)
{
    long at;
    if (s->mapped) {
        os_pcapfile_progress(s->mapped, pos, size);
        return true;
    }
    if (s->live || (s->in && strcmp(s->name, "-") == 0))
        return false;
    if (s->in)
        return file_progress(os_instream_raw(s->in), os_instream_raw_pos(s->in), pos, size);
    if (s->ng)
        return file_progress(s->f, os_pcapng_pos(s->ng), pos, size);
    FILE *f = pcap_file(s->p);
    return f && (at = ftell(f)) >= 0 && file_progress(f, (uint64_t)at, pos, size);
}

bool os_capsrc_mixed(const os_capsrc *s) { return s->ng && os_pcapng_mixed(s->ng); }

uint64_t os_capsrc_joins(const os_capsrc *s) { return s->mapped ? os_pcapfile_joins(s->mapped) : 0; }

void os_capsrc_close(os_capsrc *s)
{
    os_pcapfile_close(s->mapped);
    os_pcapng_close(s->ng);
    if (s->p)
        pcap_close(s->p); /* closes its FILE: the stream's, if any */
    else if (s->in)
        os_instream_close(s->in);
    if (s->f)
        fclose(s->f);
    memset(s, 0, sizeof *s);
}
