/* dump.c — the evidence capture (-w FILE): hold each flow's packets until
 * the flow is selected (flagged, or of the --write-role role), then write
 * them with libpcap's dumper; sort each file by time on close when flows
 * were written out of order; rotate over files by packet time and size
 * (-G, -C, -W). See dump.h. */
#include "omnisniff/dump.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <uthash.h>

#include "omnisniff/classify.h"
#include "hash.h"

#define PCAP_FILE_HDR 24u  /* bytes of a pcap file header */
#define PCAP_REC_HDR 16u   /* bytes of a pcap record header */

/* One held packet (a copy: the capture buffer is reused). */
typedef struct held {
    struct held *next;     /* next held packet of the flow */
    struct pcap_pkthdr h;  /* header (ts in ns, pcap nano precision) */
    uint8_t data[];        /* h.caplen bytes */
} held;

/* What the dumper knows of one flow. */
typedef struct fstate {
    uint64_t id;           /* flow_id (hash key) */
    UT_hash_handle hh;     /* uthash handle */
    held *head, *tail;     /* held packets, oldest first */
    uint32_t n;            /* how many */
    uint32_t file;         /* the file (os_dump.fileno) it was last counted in, or 0 */
    uint64_t lost;         /* packets not held (limits) */
    bool selected;         /* written as they come */
} fstate;

struct os_dump {
    pcap_t *dead;          /* pcap handle the dumper writes for */
    pcap_dumper_t *out;    /* the open file, or NULL (-G: before the first packet,
                              or after a failure or the last file) */
    char pattern[4096];    /* -w as given: the name, or the names' pattern */
    char path[4200];       /* the open (or last) file's name */
    os_dump_rotate rot;    /* rotation */
    os_dump_file_fn on_file; /* told of finished files, or NULL */
    void *ctx;             /* its context */
    int role;              /* --write-role rule index, or -1: flagged flows */
    int dlt;               /* the file's link type */
    fstate *flows;         /* per-flow state by flow_id */
    uint64_t held_bytes;   /* bytes held in all */
    uint64_t clock_ns;     /* newest packet time seen */
    bool started;          /* a packet time was seen (clock_ns is set) */
    int64_t period;        /* -G: start (s) of the open file's period */
    uint32_t num;          /* -C: number of the open file (in its period) */
    uint32_t periods;      /* -G: files opened for a new period */
    uint32_t fileno;       /* files opened in all (fstate.file) */
    uint64_t file_bytes;   /* bytes in the open file */
    uint64_t last_ns;      /* time of the last packet written to it */
    bool unordered;        /* a packet was written before an older one */
    bool failed;           /* a write (or a file's creation) failed: writing stopped */
    uint64_t alloc_failed; /* allocations that failed: flow states, held packets */
    char werr[4600];       /* the failure's one line, or "" */
    uint64_t selected;     /* flows selected */
    os_dump_stats cur;     /* the open file's counters */
    os_dump_stats tot;     /* the finished files' counters */
};

/* ---- names ------------------------------------------------------------ */

/* Decimal digits of x (0 for 0), as tcpdump sizes -W's numbers. */
static int digits(uint32_t x)
{
    int c = 0;
    for (; x; x /= 10)
        c++;
    return c;
}

/* strftime of the user's pattern: a format that is not a literal is the
 * point here (-G's names, as tcpdump makes them). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static size_t utc_strftime(char *buf, size_t len, const char *pattern, const struct tm *tm)
{
    return strftime(buf, len, pattern, tm);
}
#pragma GCC diagnostic pop

bool os_dump_name(const char *pattern, const os_dump_rotate *rot, int64_t start_s, uint32_t n,
                  char *buf, size_t len)
{
    time_t t = (time_t)start_s;
    struct tm tm;
    size_t k;
    int m;
    if (!len)
        return false;
    if (rot->seconds) {
        if (!gmtime_r(&t, &tm) || !(k = utc_strftime(buf, len, pattern, &tm)))
            return false;
    } else if ((k = strlen(pattern)) >= len || !k) {
        return false;
    } else {
        memcpy(buf, pattern, k + 1);
    }
    if (!rot->bytes || (n == 0 && !rot->files))
        return true;
    m = snprintf(buf + k, len - k, "%0*u", digits(rot->files ? rot->files - 1 : 0), n);
    return m > 0 && (size_t)m < len - k;
}

bool os_dump_name_has_time(const char *pattern)
{
    for (const char *p = strchr(pattern, '%'); p && p[1]; p = strchr(p + 2, '%'))
        if (p[1] != '%')
            return true;
    return false;
}

/* The start (s) of the -G period of time ns. */
static int64_t period_of(const os_dump *d, uint64_t ns)
{
    uint64_t s = ns / 1000000000ULL;
    return (int64_t)(s - s % d->rot.seconds);
}

/* Whether the files of periods a and b have one name (-G coarser names). */
static bool same_name(const os_dump *d, int64_t a, int64_t b)
{
    char x[sizeof d->path], y[sizeof d->path];
    return os_dump_name(d->pattern, &d->rot, a, 0, x, sizeof x) &&
           os_dump_name(d->pattern, &d->rot, b, 0, y, sizeof y) && !strcmp(x, y);
}

/* ---- files ------------------------------------------------------------ */

/* Create file `name` (the pcap header written); false with err set. */
static bool create(os_dump *d, const char *name, char *err, size_t errlen)
{
    const char *why;
    if (!(d->out = pcap_dump_open(d->dead, name))) {
        why = pcap_geterr(d->dead);
        snprintf(err, errlen, "%s%s%s", strstr(why, name) ? "" : name,
                 strstr(why, name) ? "" : ": ", why);
        return false;
    }
    snprintf(d->path, sizeof d->path, "%s", name);
    d->fileno++;
    d->file_bytes = PCAP_FILE_HDR;
    d->last_ns = 0;
    d->unordered = false;
    return true;
}

/* Open the file of period `period`, number n; a failure stops writing. */
static void open_next(os_dump *d, int64_t period, uint32_t n)
{
    char name[sizeof d->path], why[sizeof d->path + 256];
    d->period = period;
    d->num = n;
    if (!os_dump_name(d->pattern, &d->rot, period, n, name, sizeof name))
        snprintf(d->werr, sizeof d->werr, "%s: the name of the next file does not fit; "
                 "nothing was written from then on", d->pattern);
    else if (!create(d, name, why, sizeof why))
        snprintf(d->werr, sizeof d->werr, "%s: could not create it; nothing was written "
                 "from then on", why);
    else
        return;
    d->failed = true;
}

/* A write of the open file failed: say it once, stop writing. */
static void write_failed(os_dump *d)
{
    if (d->failed)
        return;
    d->failed = true;
    snprintf(d->werr, sizeof d->werr, "%s: %s: the file is incomplete: it holds at most %llu packets",
             d->path, strerror(errno ? errno : EIO), (unsigned long long)d->cur.written);
}

/* One record read back for sorting. */
typedef struct rec {
    struct pcap_pkthdr h;  /* header */
    uint8_t *data;         /* bytes */
    size_t seq;            /* order in the file (ties keep it) */
} rec;

static int rec_cmp(const void *a, const void *b)
{
    const rec *x = a, *y = b;
    if (x->h.ts.tv_sec != y->h.ts.tv_sec)
        return x->h.ts.tv_sec < y->h.ts.tv_sec ? -1 : 1;
    if (x->h.ts.tv_usec != y->h.ts.tv_usec)
        return x->h.ts.tv_usec < y->h.ts.tv_usec ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Read the whole file back; NULL on failure. */
static rec *read_back(const char *path, size_t *n, pcap_t **pp)
{
    char eb[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr *h;
    const u_char *data;
    size_t cap = 1024;
    rec *v = malloc(cap * sizeof *v), *nv;
    *n = 0;
    if (!v || !(*pp = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, eb))) {
        free(v);
        return NULL;
    }
    while (pcap_next_ex(*pp, &h, &data) == 1) {
        if (*n == cap) {
            if (!(nv = realloc(v, 2 * cap * sizeof *v)))
                break;
            v = nv;
            cap *= 2;
        }
        if (!(v[*n].data = malloc(h->caplen ? h->caplen : 1)))
            break;
        v[*n].h = *h;
        memcpy(v[*n].data, data, h->caplen);
        v[*n].seq = *n;
        (*n)++;
    }
    return v;
}

/* Rewrite the file sorted by time (through PATH.sorting, renamed over it).
 * False if it could not be done; the file is then left as it was. */
static bool sort_file(os_dump *d)
{
    char tmp[sizeof d->path + 16];
    size_t n = 0;
    pcap_t *in = NULL;
    pcap_dumper_t *o = NULL;
    rec *v = read_back(d->path, &n, &in);
    bool ok = v && n == d->cur.written;
    snprintf(tmp, sizeof tmp, "%s.sorting", d->path);
    if (ok) {
        qsort(v, n, sizeof *v, rec_cmp);
        ok = (o = pcap_dump_open(in, tmp)) != NULL;
        for (size_t i = 0; ok && i < n; i++)
            pcap_dump((u_char *)o, &v[i].h, v[i].data);
        ok = ok && pcap_dump_flush(o) == 0 && !ferror(pcap_dump_file(o));
        if (o)
            pcap_dump_close(o);
        ok = ok && rename(tmp, d->path) == 0;
        if (!ok)
            remove(tmp);
    }
    for (size_t i = 0; v && i < n; i++)
        free(v[i].data);
    free(v);
    if (in)
        pcap_close(in);
    return ok;
}


/* Add a file's counters to all files' (flows are counted apart). */
static void add_stats(os_dump_stats *to, const os_dump_stats *f)
{
    to->written += f->written;
    to->not_held += f->not_held;
    to->other_link += f->other_link;
    to->sorted = to->sorted || f->sorted;
}

/* Close the open file (flush; sort by time if needed), tell on_file of it
 * unless a write failed, and start the counters of the next. */
static void finish_file(os_dump *d)
{
    struct stat sb;
    if (d->out) {
        if (!d->failed && pcap_dump_flush(d->out) != 0)
            write_failed(d);
        pcap_dump_close(d->out);
        d->out = NULL;
        if (!d->failed && d->unordered && stat(d->path, &sb) == 0 &&
            (uint64_t)sb.st_size <= OS_DUMP_SORT_MAX && S_ISREG(sb.st_mode))
            d->cur.sorted = sort_file(d);
        if (!d->failed && d->on_file)
            d->on_file(d->ctx, d->path, &d->cur);
    }
    add_stats(&d->tot, &d->cur);
    memset(&d->cur, 0, sizeof d->cur);
}

/* -G: the clock moved on to time ns; the first file, or the next period's
 * (a new name only: a coarser name goes on in the open file), or after
 * -W's last file none. */
static void rotate_by_time(os_dump *d, uint64_t ns)
{
    int64_t p = period_of(d, ns);
    if (d->fileno && (p <= d->period || same_name(d, p, d->period))) {
        d->period = p > d->period ? p : d->period;
        return;
    }
    finish_file(d);
    if (d->rot.files && !d->rot.bytes && d->periods >= d->rot.files)
        return; /* -W COUNT files written: no more (os_dump_ended stops the run) */
    d->periods++;
    open_next(d, p, 0);
}

/* A packet of time ns was seen: the clock, and -G's rotation. */
static void advance(os_dump *d, uint64_t ns)
{
    if (d->started && ns <= d->clock_ns)
        return;
    d->clock_ns = ns;
    d->started = true;
    if (d->rot.seconds && !d->failed)
        rotate_by_time(d, ns);
}

/* -C: the next file (the ring's next with -W), when a record of caplen
 * bytes would grow the open one past the limit. */
static void rotate_by_size(os_dump *d, uint32_t caplen)
{
    uint32_t n = d->num + 1;
    if (!d->rot.bytes || !d->cur.written ||
        d->file_bytes + PCAP_REC_HDR + caplen <= d->rot.bytes)
        return;
    finish_file(d);
    open_next(d, d->period, d->rot.files && n >= d->rot.files ? 0 : n);
}

/* Count flow s (NULL: no flow) in the open file's flows once. */
static void count_flow(os_dump *d, fstate *s)
{
    if (s && s->file != d->fileno) {
        s->file = d->fileno;
        d->cur.flows++;
    }
}

/* Write one packet of flow s (or NULL) to the open file; remember the
 * first error (a full disk). */
static void write_pkt(os_dump *d, fstate *s, const struct pcap_pkthdr *h, const uint8_t *data)
{
    uint64_t ns = (uint64_t)h->ts.tv_sec * 1000000000ULL + (uint64_t)h->ts.tv_usec;
    if (!d->started)
        advance(d, ns); /* -G: written before any packet was seen */
    if (!d->failed)
        rotate_by_size(d, h->caplen);
    if (d->failed || !d->out)
        return;
    count_flow(d, s);
    errno = 0;
    pcap_dump((u_char *)d->out, h, data);
    if (ferror(pcap_dump_file(d->out))) {
        write_failed(d);
        return;
    }
    d->cur.written++;
    d->file_bytes += PCAP_REC_HDR + h->caplen;
    if (ns < d->last_ns)
        d->unordered = true;
    else
        d->last_ns = ns;
}

/* The pcap header of a frame (nanosecond precision). */
static struct pcap_pkthdr frame_hdr(const os_frame *fr)
{
    struct pcap_pkthdr h;
    memset(&h, 0, sizeof h);
    h.ts.tv_sec = (time_t)(fr->ts_ns / 1000000000ULL);
    h.ts.tv_usec = (suseconds_t)(fr->ts_ns % 1000000000ULL);
    h.caplen = fr->caplen;
    h.len = fr->wirelen;
    return h;
}

/* Drop a flow's held packets. */
static void free_held(os_dump *d, fstate *s)
{
    held *p = s->head, *n;
    for (; p; p = n) {
        n = p->next;
        d->held_bytes -= sizeof *p + p->h.caplen;
        free(p);
    }
    s->head = s->tail = NULL;
    s->n = 0;
}

/* The state of flow id, made if new; NULL on allocation failure (counted). */
static fstate *state(os_dump *d, uint64_t id)
{
    fstate *s;
    HASH_FIND(hh, d->flows, &id, sizeof id, s);
    if (s)
        return s;
    if (!(s = calloc(1, sizeof *s))) {
        d->alloc_failed++;
        return NULL;
    }
    s->id = id;
    HASH_ADD(hh, d->flows, id, sizeof s->id, s);
    if (!os_hash_kept(s, &s->hh, &d->alloc_failed))
        return NULL;
    return s;
}

/* Select a flow: write what it held; from now on write at once. */
static void select_flow(os_dump *d, fstate *s)
{
    if (s->selected)
        return;
    s->selected = true;
    d->selected++;
    d->cur.not_held += s->lost;
    for (held *p = s->head; p; p = p->next)
        write_pkt(d, s, &p->h, p->data);
    count_flow(d, s); /* selected with no packet held: counted in the open file */
    free_held(d, s);
}

/* Hold a copy of a frame for a flow not selected yet (within the limits). */
static void hold(os_dump *d, fstate *s, const os_frame *fr)
{
    size_t need = sizeof(held) + fr->caplen;
    held *p;
    if (s->n >= OS_DUMP_HOLD_PKTS || d->held_bytes + need > OS_DUMP_HOLD_BYTES) {
        s->lost++;
        return;
    }
    if (!(p = malloc(need))) {
        d->alloc_failed++;
        s->lost++;
        return;
    }
    p->next = NULL;
    p->h = frame_hdr(fr);
    memcpy(p->data, fr->data, fr->caplen);
    if (s->tail)
        s->tail->next = p;
    else
        s->head = p;
    s->tail = p;
    s->n++;
    d->held_bytes += need;
}

/* ---- the interface ---------------------------------------------------- */

os_dump *os_dump_start(const os_dump_cfg *cfg, char *err, size_t errlen)
{
    os_dump *d;
    char name[sizeof d->path];
    if (!strcmp(cfg->path, "-")) {
        snprintf(err, errlen, "-w -: standard output carries the report; give a file name");
        return NULL;
    }
    if (!(d = calloc(1, sizeof *d))) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    snprintf(d->pattern, sizeof d->pattern, "%s", cfg->path);
    d->rot = cfg->rot;
    d->on_file = cfg->on_file;
    d->ctx = cfg->ctx;
    d->role = cfg->role;
    d->dlt = cfg->dlt;
    d->dead = pcap_open_dead_with_tstamp_precision(
        cfg->dlt, cfg->snaplen > 0 ? cfg->snaplen : 262144, PCAP_TSTAMP_PRECISION_NANO);
    if (!d->dead)
        snprintf(err, errlen, "out of memory");
    else if (!os_dump_name(d->pattern, &d->rot, 0, 0, name, sizeof name))
        snprintf(err, errlen, "%s: the file name is too long", cfg->path);
    else if (d->rot.seconds || create(d, name, err, errlen))
        return d; /* -G: the first file at the first packet (its name needs the time) */
    if (d->dead)
        pcap_close(d->dead);
    free(d);
    return NULL;
}

os_dump *os_dump_open(const char *path, int dlt, int snaplen, int role, char *err,
                      size_t errlen)
{
    os_dump_cfg cfg = { .path = path, .dlt = dlt, .snaplen = snaplen, .role = role };
    return os_dump_start(&cfg, err, errlen);
}

/* One frame of flow f. */
void os_dump_packet(os_dump *d, const os_flow *f, const os_frame *fr)
{
    fstate *s;
    advance(d, fr->ts_ns);
    if (f && fr->dlt != d->dlt) {
        d->cur.other_link++;
        return;
    }
    if (!f || d->failed || !(s = state(d, f->id)))
        return;
    /* a label confirmed by a host role is settled; one by the port alone may
     * change when roles are learnt, so that flow waits for its end */
    if (d->role >= 0 && f->label.rule == d->role && f->label.conf >= OS_CONF_INFERRED)
        select_flow(d, s);
    if (s->selected) {
        struct pcap_pkthdr h = frame_hdr(fr);
        write_pkt(d, s, &h, fr->data);
    } else {
        hold(d, s, fr);
    }
}

/* A finding names a flow. */
void os_dump_flag(os_dump *d, uint64_t flow_id)
{
    fstate *s;
    if (d->role < 0 && (s = state(d, flow_id)))
        select_flow(d, s);
}

/* Allocations that failed so far. */
uint64_t os_dump_alloc_failed(const os_dump *d) { return d->alloc_failed; }

/* A frame that is evidence on its own. */
void os_dump_frame(os_dump *d, const os_frame *fr)
{
    struct pcap_pkthdr h = frame_hdr(fr);
    advance(d, fr->ts_ns);
    if (fr->dlt != d->dlt)
        d->cur.other_link++;
    else if (d->role < 0)
        write_pkt(d, NULL, &h, fr->data);
}

/* Flow f leaves the table. */
void os_dump_flow_end(os_dump *d, const os_flow *f)
{
    fstate *s;
    HASH_FIND(hh, d->flows, &f->id, sizeof f->id, s);
    if (!s)
        return;
    if (d->role >= 0 && f->label.rule == d->role)
        select_flow(d, s); /* its role as it ended: write what was held */
    free_held(d, s);
    HASH_DEL(d->flows, s);
    free(s);
}

void os_dump_tick(os_dump *d, uint64_t now_ns)
{
    advance(d, now_ns);
}

bool os_dump_ended(const os_dump *d, uint64_t ts_ns)
{
    int64_t p;
    if (!d->rot.seconds || !d->rot.files || d->rot.bytes || d->periods < d->rot.files)
        return false;
    p = period_of(d, ts_ns);
    return p > d->period && !same_name(d, p, d->period);
}

/* Finish the last file and free everything. */
bool os_dump_close(os_dump *d, os_dump_stats *st, char *err, size_t errlen)
{
    fstate *s, *tmp;
    HASH_ITER(hh, d->flows, s, tmp) {
        free_held(d, s);
        HASH_DEL(d->flows, s);
        free(s);
    }
    finish_file(d);
    if (d->failed)
        snprintf(err, errlen, "%s", d->werr);
    d->tot.flows = d->selected;
    d->tot.failed = d->failed;
    bool ok = !d->failed;
    if (st)
        *st = d->tot;
    pcap_close(d->dead);
    free(d);
    return ok;
}
