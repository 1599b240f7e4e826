/* capture.c — where frames come from: open offline or live, filter, hand
 * out frames.
 *
 * libpcap opens every capture and checks its header. Offline captures are
 * opened with nanosecond precision so pcap (µs/ns) and pcapng files all
 * yield ns timestamps; live captures use immediate mode when someone watches
 * the lines (packets arrive as they happen), block mode otherwise, and ask
 * for ns timestamps where the kernel offers them.
 * Classic pcap files (not stdin) are then read through the memory-mapped
 * reader of pcapfile.c, which hands out records in place; the BPF filter is
 * applied to them with pcap_offline_filter, as libpcap would. */
#include "omnisniff/capture.h"

#include <errno.h>
#include <signal.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>

#include "omnisniff/decode.h"
#include "pcapfile.h"

#define OS_LIVE_POLL_MS 100 /* longest wait for a packet before OS_CAP_TIMEOUT */

struct os_capture {
    pcap_t *p;                  /* libpcap handle */
    bool live;                  /* live interface */
    bool nano;                  /* timestamps are in ns */
    int dlt;                    /* link type */
    os_pcapfile *mapped;        /* the mapped reader, or NULL: libpcap reads */
    struct bpf_program prog;    /* the filter, for the mapped reader */
    bool has_prog;              /* prog is compiled */
    volatile sig_atomic_t stop; /* os_capture_break was called */
};

/* Open a file (or stdin) with ns timestamps. */
static pcap_t *open_offline(const char *file, char *err, size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p;

    if (strcmp(file, "-") == 0)
        p = pcap_fopen_offline_with_tstamp_precision(stdin, PCAP_TSTAMP_PRECISION_NANO, ebuf);
    else
        p = pcap_open_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO, ebuf);
    if (!p && strstr(ebuf, "unknown file format"))
        snprintf(err, errlen, "%s: not a pcap or pcapng capture file (%s)",
                 strcmp(file, "-") ? file : "<stdin>", ebuf);
    else if (!p && strncmp(ebuf, file, strlen(file)) == 0)
        snprintf(err, errlen, "%s", ebuf); /* libpcap named the file already */
    else if (!p)
        snprintf(err, errlen, "%s: %s", strcmp(file, "-") ? file : "<stdin>", ebuf);
    return p;
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
    /* Reads do not block: os_capture_next polls the descriptor itself with
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

/* Compile the BPF filter into c->prog and install it in libpcap. */
static bool set_filter(os_capture *c, const char *expr, char *err, size_t errlen)
{
    if (pcap_compile(c->p, &c->prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(err, errlen, "bad filter '%s': %s", expr, pcap_geterr(c->p));
        return false;
    }
    c->has_prog = true;
    if (pcap_setfilter(c->p, &c->prog) != 0) {
        snprintf(err, errlen, "cannot set filter '%s': %s", expr, pcap_geterr(c->p));
        return false;
    }
    return true;
}

/* Offline, from a named file, unless told otherwise: the mapped reader. */
static void try_mapped(os_capture *c, const os_capture_opts *o)
{
    if (!c->live && strcmp(o->file, "-") != 0 && !o->use_libpcap)
        c->mapped = os_pcapfile_open(o->file, pcap_snapshot(c->p));
}

/* Open as o says; NULL with a one-line message on failure. */
os_capture *os_capture_open(const os_capture_opts *o, char *err, size_t errlen)
{
    os_capture *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->live = o->iface != NULL;
    c->nano = !c->live;
    c->p = c->live ? open_live(o, &c->nano, err, errlen) : open_offline(o->file, err, errlen);
    if (!c->p)
        goto fail;
    c->dlt = pcap_datalink(c->p);
    if (!os_dlt_supported(c->dlt)) {
        const char *n = pcap_datalink_val_to_name(c->dlt);
        snprintf(err, errlen, "%s: unsupported link type %d (%s); omnisniff reads Ethernet, "
                 "Linux cooked v1/v2, raw IP and BSD loopback", c->live ? o->iface : o->file,
                 c->dlt, n ? n : "unknown");
        goto fail;
    }
    if (o->filter && *o->filter && !set_filter(c, o->filter, err, errlen))
        goto fail;
    try_mapped(c, o);
    return c;
fail:
    os_capture_close(c);
    return NULL;
}

/* libpcap's message for a failed read, with what to do when it is the
 * pcapng limit: every interface of the file must share the first one's link
 * type and snaplen, else libpcap stops at the second interface's block. */
static void read_error(os_capture *c, char *err, size_t errlen)
{
    const char *why = pcap_geterr(c->p);
    if (strstr(why, "different from the") && strstr(why, "of the first interface"))
        snprintf(err, errlen, "%s: libpcap reads a pcapng file only when all its interfaces "
                 "have one link type and snaplen; split it per interface first, e.g. "
                 "tshark -r FILE -Y 'frame.interface_id == 0' -w if0.pcapng", why);
    else
        snprintf(err, errlen, "%s", why);
}

/* Next record of the mapped reader that passes the filter. */
static os_cap_status next_mapped(os_capture *c, os_frame *fr, char *err, size_t errlen)
{
    struct pcap_pkthdr h;
    os_cap_status st;

    memset(&h, 0, sizeof h);
    do {
        if (c->stop)
            return OS_CAP_END;
        if ((st = os_pcapfile_next(c->mapped, fr, err, errlen)) != OS_CAP_PACKET)
            return st;
        h.caplen = fr->caplen;
        h.len = fr->wirelen;
    } while (c->has_prog && !pcap_offline_filter(&c->prog, &h, fr->data));
    fr->dlt = c->dlt;
    return OS_CAP_PACKET;
}

/* Next packet. */
os_cap_status os_capture_next(os_capture *c, os_frame *fr, char *err, size_t errlen)
{
    struct pcap_pkthdr *h;
    const u_char *d;
    int rc;

    if (c->mapped)
        return next_mapped(c, fr, err, errlen);
    rc = pcap_next_ex(c->p, &h, &d);

    if (rc == 1) {
        uint64_t frac = (uint64_t)h->ts.tv_usec * (c->nano ? 1 : 1000);
        fr->ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ULL + frac;
        fr->caplen = h->caplen;
        fr->wirelen = h->len;
        fr->data = d;
        fr->dlt = c->dlt;
        return OS_CAP_PACKET;
    }
    if (rc == 0) { /* live and nothing waiting: wait up to OS_LIVE_POLL_MS */
        struct pollfd pfd = { .fd = pcap_get_selectable_fd(c->p), .events = POLLIN };
        if (pfd.fd >= 0)
            poll(&pfd, 1, OS_LIVE_POLL_MS); /* EINTR (a signal) is a timeout too */
        return OS_CAP_TIMEOUT;
    }
    if (rc == PCAP_ERROR_BREAK)
        return OS_CAP_END;
    read_error(c, err, errlen);
    return OS_CAP_ERROR;
}

/* Ask a running loop to end (async-signal-safe). */
void os_capture_break(os_capture *c)
{
    if (c)
        c->stop = 1;
    if (c && c->p)
        pcap_breakloop(c->p);
}

/* The libpcap DLT_ value. */
int os_capture_dlt(const os_capture *c) { return c->dlt; }

/* Link type name. */
const char *os_capture_dlt_name(const os_capture *c)
{
    const char *n = pcap_datalink_val_to_name(c->dlt);
    return n ? n : "unknown";
}

/* Snapshot length. */
int os_capture_snaplen(const os_capture *c) { return pcap_snapshot(c->p); }

/* How far a capture file has been read. */
bool os_capture_progress(const os_capture *c, uint64_t *pos, uint64_t *size)
{
    FILE *f = c->live ? NULL : pcap_file(c->p);
    struct stat sb;
    long at;
    if (c->mapped) {
        os_pcapfile_progress(c->mapped, pos, size);
        return true;
    }
    if (!f || fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode) || (at = ftell(f)) < 0)
        return false;
    *pos = (uint64_t)at;
    *size = (uint64_t)sb.st_size;
    return true;
}

/* True for a live capture. */
bool os_capture_is_live(const os_capture *c) { return c->live; }

/* True when the mapped reader hands out the records. */
bool os_capture_is_mapped(const os_capture *c) { return c->mapped != NULL; }

/* Kernel counters (live only). */
os_capture_stats os_capture_get_stats(os_capture *c)
{
    os_capture_stats s;
    struct pcap_stat ps;
    memset(&s, 0, sizeof s);
    if (c->live && pcap_stats(c->p, &ps) == 0) {
        s.valid = true;
        s.received = ps.ps_recv;
        s.dropped = ps.ps_drop;
        s.ifdropped = ps.ps_ifdrop;
    }
    return s;
}

/* Close and free. */
void os_capture_close(os_capture *c)
{
    if (!c)
        return;
    os_pcapfile_close(c->mapped);
    if (c->has_prog)
        pcap_freecode(&c->prog);
    if (c->p)
        pcap_close(c->p);
    free(c);
}

/* List interfaces, numbered as tcpdump -D does. */
bool os_capture_list(FILE *f, char *err, size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    pcap_if_t *all, *d;
    int i = 1;

    if (pcap_findalldevs(&all, ebuf) != 0) {
        snprintf(err, errlen, "cannot list interfaces: %s", ebuf);
        return false;
    }
    for (d = all; d; d = d->next, i++)
        fprintf(f, "%d.%s%s%s%s\n", i, d->name, d->description ? " (" : "",
                d->description ? d->description : "", d->description ? ")" : "");
    pcap_freealldevs(all);
    return true;
}
