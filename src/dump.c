/* dump.c — the evidence capture (-w FILE): hold each flow's packets until
 * the flow is selected (flagged, or of the --write-role role), then write
 * them with libpcap's dumper; sort the file by time on close when flows
 * were written out of order. See dump.h. */
#include "omnisniff/dump.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <uthash.h>

#include "omnisniff/classify.h"

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
    uint64_t lost;         /* packets not held (limits) */
    bool selected;         /* written as they come */
} fstate;

struct os_dump {
    pcap_t *dead;          /* pcap handle the dumper writes for */
    pcap_dumper_t *out;    /* the open file */
    char path[4096];       /* its name */
    int role;              /* --write-role rule index, or -1: flagged flows */
    int dlt;               /* the file's link type */
    fstate *flows;         /* per-flow state by flow_id */
    uint64_t held_bytes;   /* bytes held in all */
    uint64_t last_ns;      /* time of the last packet written */
    bool unordered;        /* a packet was written before an older one */
    char werr[256];        /* the first write error, or "" */
    os_dump_stats st;      /* counters */
};

/* Create the file. */
os_dump *os_dump_open(const char *path, int dlt, int snaplen, int role, char *err,
                      size_t errlen)
{
    os_dump *d;
    if (!strcmp(path, "-")) {
        snprintf(err, errlen, "-w -: standard output carries the report; give a file name");
        return NULL;
    }
    if (!(d = calloc(1, sizeof *d))) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    snprintf(d->path, sizeof d->path, "%s", path);
    d->role = role;
    d->dlt = dlt;
    d->dead = pcap_open_dead_with_tstamp_precision(dlt, snaplen > 0 ? snaplen : 262144,
                                                   PCAP_TSTAMP_PRECISION_NANO);
    if (!d->dead || !(d->out = pcap_dump_open(d->dead, path))) {
        const char *why = d->dead ? pcap_geterr(d->dead) : "out of memory";
        snprintf(err, errlen, "%s%s%s", strstr(why, path) ? "" : path, strstr(why, path) ? "" : ": ", why);
        if (d->dead)
            pcap_close(d->dead);
        free(d);
        return NULL;
    }
    return d;
}

/* Write one packet; remember the first error (a full disk). */
static void write_pkt(os_dump *d, const struct pcap_pkthdr *h, const uint8_t *data)
{
    uint64_t ns = (uint64_t)h->ts.tv_sec * 1000000000ULL + (uint64_t)h->ts.tv_usec;
    FILE *f = pcap_dump_file(d->out);
    if (d->st.failed)
        return;
    errno = 0;
    pcap_dump((u_char *)d->out, h, data);
    if (ferror(f)) {
        d->st.failed = true;
        snprintf(d->werr, sizeof d->werr, "%s", strerror(errno ? errno : EIO));
        return;
    }
    d->st.written++;
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

/* The state of flow id, made if new; NULL on allocation failure. */
static fstate *state(os_dump *d, uint64_t id)
{
    fstate *s;
    HASH_FIND(hh, d->flows, &id, sizeof id, s);
    if (s || !(s = calloc(1, sizeof *s)))
        return s;
    s->id = id;
    HASH_ADD(hh, d->flows, id, sizeof s->id, s);
    return s;
}

/* Select a flow: write what it held; from now on write at once. */
static void select_flow(os_dump *d, fstate *s)
{
    if (s->selected)
        return;
    s->selected = true;
    d->st.flows++;
    d->st.not_held += s->lost;
    for (held *p = s->head; p; p = p->next)
        write_pkt(d, &p->h, p->data);
    free_held(d, s);
}

/* Hold a copy of a frame for a flow not selected yet (within the limits). */
static void hold(os_dump *d, fstate *s, const os_frame *fr)
{
    size_t need = sizeof(held) + fr->caplen;
    held *p;
    if (s->n >= OS_DUMP_HOLD_PKTS || d->held_bytes + need > OS_DUMP_HOLD_BYTES ||
        !(p = malloc(need))) {
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

/* One frame of flow f. */
void os_dump_packet(os_dump *d, const os_flow *f, const os_frame *fr)
{
    fstate *s;
    if (f && fr->dlt != d->dlt) {
        d->st.other_link++;
        return;
    }
    if (!f || d->st.failed || !(s = state(d, f->id)))
        return;
    /* a label confirmed by a host role is settled; one by the port alone may
     * change when roles are learnt, so that flow waits for its end */
    if (d->role >= 0 && f->label.rule == d->role && f->label.conf >= OS_CONF_INFERRED)
        select_flow(d, s);
    if (s->selected) {
        struct pcap_pkthdr h = frame_hdr(fr);
        write_pkt(d, &h, fr->data);
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

/* A frame that is evidence on its own. */
void os_dump_frame(os_dump *d, const os_frame *fr)
{
    struct pcap_pkthdr h = frame_hdr(fr);
    if (fr->dlt != d->dlt)
        d->st.other_link++;
    else if (d->role < 0)
        write_pkt(d, &h, fr->data);
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
    char tmp[4200];
    size_t n = 0;
    pcap_t *in = NULL;
    pcap_dumper_t *o = NULL;
    rec *v = read_back(d->path, &n, &in);
    bool ok = v && n == d->st.written;
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

/* Finish the file and free everything. */
bool os_dump_close(os_dump *d, os_dump_stats *st, char *err, size_t errlen)
{
    fstate *s, *tmp;
    struct stat sb;
    bool ok;
    HASH_ITER(hh, d->flows, s, tmp) {
        free_held(d, s);
        HASH_DEL(d->flows, s);
        free(s);
    }
    if (!d->st.failed && pcap_dump_flush(d->out) != 0) {
        d->st.failed = true;
        snprintf(d->werr, sizeof d->werr, "%s", strerror(errno ? errno : EIO));
    }
    pcap_dump_close(d->out);
    if (!d->st.failed && d->unordered && stat(d->path, &sb) == 0 &&
        (uint64_t)sb.st_size <= OS_DUMP_SORT_MAX && S_ISREG(sb.st_mode))
        d->st.sorted = sort_file(d);
    if (d->st.failed)
        snprintf(err, errlen, "%s: %s: the file is incomplete: it holds at most %llu packets",
                 d->path, d->werr, (unsigned long long)d->st.written);
    ok = !d->st.failed;
    if (st)
        *st = d->st;
    pcap_close(d->dead);
    free(d);
    return ok;
}
