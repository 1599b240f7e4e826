/* capture.c — one os_capture over its inputs (capsrc.c: a live interface,
 * stdin, or one or several files, each read by the reader that fits it):
 * several files merged by time, frames of link types omnisniff does not
 * decode skipped, the time window (since/until), the BPF filter, and what
 * the read noticed (time going back, captures joined with cat, notes).
 *
 * Merging is mergecap's: each file reads one frame ahead, and the earliest
 * of those is handed out (ties to the file given first); only that file
 * then reads on. Frames stay valid until the next call, as each reader's
 * buffer holds the one frame read ahead. A read error in any file ends
 * the merged read.
 *
 * A live capture's filter runs in the kernel (pcap_setfilter). Offline,
 * the filter is compiled once per link type met (a merge or a pcapng file
 * may bring several) and applied with pcap_offline_filter, as libpcap
 * would apply it. */
#include "omnisniff/capture.h"

#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "capsrc.h"
#include "omnisniff/decode.h"

#define MAX_FILTERS 16    /* link types a filter is compiled for */
#define MAX_READAHEAD 8   /* files merged with the read-ahead helper each */

/* The filter compiled for one link type. */
typedef struct os_filt {
    int dlt;                 /* link type */
    struct bpf_program prog; /* its program */
} os_filt;

/* One input and the frame it read ahead (merging). */
typedef struct os_slot {
    os_capsrc src;           /* the input */
    os_frame fr;             /* the frame read ahead */
    bool have;               /* fr is waiting to be handed out */
    bool done;               /* the input has ended */
} os_slot;

struct os_capture {
    os_slot *in;                 /* the inputs */
    size_t n;                    /* how many */
    bool primed;                 /* merging: every input has read ahead once */
    long last;                   /* merging: input of the frame handed out last, -1 */
    int dlt;                     /* link type of the first input */
    int ok_dlt;                  /* last link type handed out (decodable) */
    bool mixed;                  /* link types differ */
    uint64_t since, until;       /* the time window [since, until) */
    uint8_t since_base, until_base; /* os_when_base of each, until the first frame */
    char *filter;                /* the filter expression (offline), or NULL */
    os_filt filt[MAX_FILTERS];   /* ... compiled per link type */
    int nfilt;                   /* how many compiled */
    int noted[MAX_FILTERS];      /* undecodable link types already noted */
    int nnoted;                  /* how many */
    bool live_prog;              /* live: filt[0].prog is set in the kernel */
    uint64_t prev_ts;            /* time of the frame handed out last (0 before) */
    os_capture_input_stats st;   /* what was skipped or noticed */
    os_capnotes notes;           /* notes for the caller */
    volatile sig_atomic_t stop;  /* os_capture_break was called */
};

void os_capnotes_add(os_capnotes *notes, const char *fmt, ...)
{
    va_list ap;
    if (!notes)
        return;
    if (notes->n == OS_CAPNOTES_MAX) {
        snprintf(notes->text[OS_CAPNOTES_MAX - 1], OS_CAPNOTE_LEN, "(more notes about the "
                 "input were dropped)");
        return;
    }
    va_start(ap, fmt);
    vsnprintf(notes->text[notes->n++], OS_CAPNOTE_LEN, fmt, ap);
    va_end(ap);
}

/* Compile expr for link type dlt into f; false with a message. */
static bool compile_for(const char *expr, int dlt, int snaplen, os_filt *f, char *err,
                        size_t errlen)
{
    pcap_t *dead = pcap_open_dead(dlt, snaplen > 0 ? snaplen : 262144);
    bool ok = dead && pcap_compile(dead, &f->prog, expr, 1, PCAP_NETMASK_UNKNOWN) == 0;
    if (!ok)
        snprintf(err, errlen, "bad filter '%s': %s", expr, dead ? pcap_geterr(dead) : "out of memory");
    if (dead)
        pcap_close(dead);
    f->dlt = dlt;
    return ok;
}

/* Live: compile on the interface's handle and set the filter in the kernel. */
static bool set_live_filter(os_capture *c, const char *expr, char *err, size_t errlen)
{
    pcap_t *p = c->in[0].src.p;
    if (pcap_compile(p, &c->filt[0].prog, expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        snprintf(err, errlen, "bad filter '%s': %s", expr, pcap_geterr(p));
        return false;
    }
    c->live_prog = true;
    if (pcap_setfilter(p, &c->filt[0].prog) != 0) {
        snprintf(err, errlen, "cannot set filter '%s': %s", expr, pcap_geterr(p));
        return false;
    }
    return true;
}

/* Offline: keep the expression and compile it for the first link type now
 * (a bad expression is an open error), for the others when they come. */
static bool set_filter(os_capture *c, const char *expr, char *err, size_t errlen)
{
    if (c->in[0].src.live)
        return set_live_filter(c, expr, err, errlen);
    if (!(c->filter = strdup(expr))) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    if (!compile_for(expr, c->dlt, c->in[0].src.snaplen, &c->filt[0], err, errlen))
        return false;
    c->nfilt = 1;
    return true;
}

/* The link type check of every input at open: as before merging, a file
 * with no link type omnisniff decodes is refused. */
static bool dlt_ok(const os_capsrc *s, char *err, size_t errlen)
{
    const char *n = pcap_datalink_val_to_name(s->dlt);
    if (os_dlt_supported(s->dlt))
        return true;
    snprintf(err, errlen, "%s: unsupported link type %d (%s); omnisniff reads Ethernet, "
             "Linux cooked v1/v2, raw IP and BSD loopback", os_capsrc_label(s), s->dlt,
             n ? n : "unknown");
    return false;
}

/* The files o names: files[] or file. */
static const char *file_at(const os_capture_opts *o, size_t i)
{
    return o->nfiles ? o->files[i] : o->file;
}

/* Open every input; false with a message. */
static bool open_inputs(os_capture *c, const os_capture_opts *o, char *err, size_t errlen)
{
    os_capsrc_how how = { o->use_libpcap, c->n <= MAX_READAHEAD, &c->notes };
    int stdins = 0;
    for (size_t i = 0; !o->iface && i < c->n; i++)
        stdins += file_at(o, i) && strcmp(file_at(o, i), "-") == 0;
    if (stdins > 1) {
        snprintf(err, errlen, "standard input (-) can be read only once");
        return false;
    }
    for (size_t i = 0; i < c->n; i++) {
        os_capsrc *s = &c->in[i].src;
        if (!o->iface && !file_at(o, i)) {
            snprintf(err, errlen, "capture file %zu of %zu is not given", i + 1, c->n);
            return false;
        }
        if (o->iface ? !os_capsrc_open_live(s, o, err, errlen)
                     : !os_capsrc_open_file(s, file_at(o, i), &how, err, errlen))
            return false;
        if (!dlt_ok(s, err, errlen))
            return false;
        c->mixed |= s->dlt != c->in[0].src.dlt || os_capsrc_mixed(s);
    }
    return true;
}

/* Open as o says; NULL with a one-line message on failure. */
os_capture *os_capture_open(const os_capture_opts *o, char *err, size_t errlen)
{
    os_capture *c = calloc(1, sizeof *c);
    size_t n = o->iface ? 1 : o->nfiles ? o->nfiles : 1;
    if (!c || !(c->in = calloc(n, sizeof *c->in))) {
        free(c);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    c->n = n;
    c->last = -1;
    c->since = o->since_ns;
    c->until = o->until_ns || o->until_base ? o->until_ns : UINT64_MAX;
    c->since_base = o->since_base;
    c->until_base = o->until_base;
    if (!o->iface && !o->file && !o->nfiles) {
        snprintf(err, errlen, "no capture file or interface given");
        goto fail;
    }
    if (!open_inputs(c, o, err, errlen))
        goto fail;
    c->dlt = c->ok_dlt = c->in[0].src.dlt;
    if (o->filter && *o->filter && !set_filter(c, o->filter, err, errlen))
        goto fail;
    return c;
fail:
    os_capture_close(c);
    return NULL;
}

/* Read the next frame of input i ahead; OS_CAP_ERROR with the message
 * prefixed by the file's name when several are merged. */
static os_cap_status read_ahead(os_capture *c, size_t i, char *err, size_t errlen)
{
    os_slot *s = &c->in[i];
    char e[512];
    os_cap_status st = os_capsrc_next(&s->src, &s->fr, e, sizeof e);
    s->have = st == OS_CAP_PACKET;
    s->done = st == OS_CAP_END;
    if (st == OS_CAP_ERROR)
        snprintf(err, errlen, "%s: %s", os_capsrc_label(&s->src), e);
    return st;
}

/* Next frame of a merge: every input reads one frame ahead at first, then
 * only the one whose frame was handed out; the earliest frame waiting is
 * handed out (ties: the input given first). */
static os_cap_status next_merged(os_capture *c, os_frame *fr, char *err, size_t errlen)
{
    long best = -1;
    for (size_t i = 0; i < c->n; i++) {
        bool due = c->primed ? (long)i == c->last : true;
        if (due && !c->in[i].done && read_ahead(c, i, err, errlen) == OS_CAP_ERROR)
            return OS_CAP_ERROR;
    }
    c->primed = true;
    for (size_t i = 0; i < c->n; i++)
        if (c->in[i].have && (best < 0 || c->in[i].fr.ts_ns < c->in[best].fr.ts_ns))
            best = (long)i;
    c->last = best;
    if (best < 0)
        return OS_CAP_END;
    c->in[best].have = false;
    *fr = c->in[best].fr;
    return OS_CAP_PACKET;
}

/* A frame of another link type than the last one handed out: true if
 * omnisniff decodes it (it becomes the current one); else it is counted,
 * noted once per link type, and skipped. */
static bool dlt_change(os_capture *c, int dlt)
{
    const char *n;
    if (os_dlt_supported(dlt)) {
        c->ok_dlt = dlt;
        c->mixed |= dlt != c->dlt;
        return true;
    }
    c->st.unsupported++;
    c->mixed = true;
    for (int i = 0; i < c->nnoted; i++)
        if (c->noted[i] == dlt)
            return false;
    if (c->nnoted < MAX_FILTERS)
        c->noted[c->nnoted++] = dlt;
    n = pcap_datalink_val_to_name(dlt);
    os_capnotes_add(&c->notes, "%s: frames of link type %d (%s) are skipped: omnisniff decodes "
                    "Ethernet, Linux cooked v1/v2, raw IP and BSD loopback",
                    os_capsrc_label(&c->in[c->last < 0 ? 0 : c->last].src), dlt, n ? n : "unknown");
    return false;
}

/* The filter's program for dlt, compiled on first use; NULL with a
 * message if it does not compile for that link type. */
static const struct bpf_program *program(os_capture *c, int dlt, char *err, size_t errlen)
{
    char e[512];
    for (int i = 0; i < c->nfilt; i++)
        if (c->filt[i].dlt == dlt)
            return &c->filt[i].prog;
    if (c->nfilt == MAX_FILTERS) {
        snprintf(err, errlen, "the filter is needed for more than %d link types", MAX_FILTERS);
        return NULL;
    }
    if (!compile_for(c->filter, dlt, 0, &c->filt[c->nfilt], e, sizeof e)) {
        const char *n = pcap_datalink_val_to_name(dlt);
        snprintf(err, errlen, "%s (for the frames of link type %s)", e, n ? n : "unknown");
        return NULL;
    }
    return &c->filt[c->nfilt++].prog;
}

/* A window bound counted from the first frame (at ts) made absolute. */
static uint64_t resolve(uint64_t v, uint8_t *base, uint64_t ts)
{
    const uint64_t day = 86400ULL * 1000000000ULL;
    uint64_t from = *base == OS_WHEN_FIRST ? ts : ts - ts % day;
    *base = OS_WHEN_EPOCH;
    return from + v;
}

/* Should fr be handed out: 1 yes, 0 skip it, -1 an error (in err). */
static int keep(os_capture *c, const os_frame *fr, char *err, size_t errlen)
{
    if (fr->dlt != c->ok_dlt && !dlt_change(c, fr->dlt))
        return 0;
    if (c->since_base)
        c->since = resolve(c->since, &c->since_base, fr->ts_ns);
    if (c->until_base)
        c->until = resolve(c->until, &c->until_base, fr->ts_ns);
    if (fr->ts_ns < c->since || fr->ts_ns >= c->until) {
        if (fr->ts_ns < c->since)
            c->st.before_since++;
        else
            c->st.after_until++;
        return 0;
    }
    if (c->filter) {
        struct pcap_pkthdr h = { .caplen = fr->caplen, .len = fr->wirelen };
        const struct bpf_program *prog = fr->dlt == c->filt[0].dlt ? &c->filt[0].prog
                                         : program(c, fr->dlt, err, errlen);
        if (!prog)
            return -1;
        return pcap_offline_filter(prog, &h, fr->data) != 0;
    }
    return 1;
}

/* Count a frame handed out whose time goes back. */
static void time_order(os_capture *c, uint64_t ts)
{
    if (ts < c->prev_ts) {
        c->st.backwards++;
        if (c->prev_ts - ts > c->st.max_back_ns)
            c->st.max_back_ns = c->prev_ts - ts;
    }
    c->prev_ts = ts;
}

/* Next packet. */
os_cap_status os_capture_next(os_capture *c, os_frame *fr, char *err, size_t errlen)
{
    for (;;) {
        os_cap_status st;
        int k;
        if (c->stop)
            return OS_CAP_END;
        st = c->n == 1 ? os_capsrc_next(&c->in[0].src, fr, err, errlen)
                       : next_merged(c, fr, err, errlen);
        if (st != OS_CAP_PACKET)
            return st;
        if ((k = keep(c, fr, err, errlen)) < 0)
            return OS_CAP_ERROR;
        if (k) {
            time_order(c, fr->ts_ns);
            return OS_CAP_PACKET;
        }
    }
}

/* Ask a running loop to end (async-signal-safe). */
void os_capture_break(os_capture *c)
{
    if (!c)
        return;
    c->stop = 1;
    for (size_t i = 0; i < c->n; i++)
        if (c->in[i].src.p)
            pcap_breakloop(c->in[i].src.p);
}

int os_capture_dlt(const os_capture *c) { return c->dlt; }

const char *os_capture_dlt_name(const os_capture *c)
{
    const char *n = pcap_datalink_val_to_name(c->dlt);
    return n ? n : "unknown";
}

bool os_capture_mixed_dlt(const os_capture *c)
{
    bool mixed = c->mixed;
    for (size_t i = 0; i < c->n && !mixed; i++)
        mixed = os_capsrc_mixed(&c->in[i].src);
    return mixed;
}

int os_capture_snaplen(const os_capture *c) { return c->in[0].src.snaplen; }

/* How far the files have been read, summed. */
bool os_capture_progress(const os_capture *c, uint64_t *pos, uint64_t *size)
{
    uint64_t p, s;
    *pos = *size = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (!os_capsrc_progress(&c->in[i].src, &p, &s))
            return false;
        *pos += p;
        *size += s;
    }
    return true;
}

os_capture_input_stats os_capture_get_input_stats(const os_capture *c)
{
    os_capture_input_stats st = c->st;
    for (size_t i = 0; i < c->n; i++)
        st.joined += os_capsrc_joins(&c->in[i].src);
    return st;
}

const char *os_capture_note(os_capture *c)
{
    return c->notes.taken < c->notes.n ? c->notes.text[c->notes.taken++] : NULL;
}

bool os_capture_is_live(const os_capture *c) { return c->in[0].src.live; }

bool os_capture_is_mapped(const os_capture *c)
{
    for (size_t i = 0; i < c->n; i++)
        if (!c->in[i].src.mapped)
            return false;
    return true;
}

/* Kernel counters (live only). */
os_capture_stats os_capture_get_stats(os_capture *c)
{
    os_capture_stats s;
    struct pcap_stat ps;
    memset(&s, 0, sizeof s);
    if (c->in[0].src.live && pcap_stats(c->in[0].src.p, &ps) == 0) {
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
    for (int i = 0; i < c->nfilt; i++)
        pcap_freecode(&c->filt[i].prog);
    if (c->live_prog)
        pcap_freecode(&c->filt[0].prog);
    for (size_t i = 0; c->in && i < c->n; i++)
        os_capsrc_close(&c->in[i].src);
    free(c->in);
    free(c->filter);
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
