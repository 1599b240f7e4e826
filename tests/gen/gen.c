/* gen.c — the generator's toolkit: frames built byte by byte (IPv4/IPv6,
 * TCP, UDP, ICMP errors with correct checksums), link headers, and the pcap
 * and pcapng writers. The capture sets (omnigen.c, gen_*.c) use it. */
#include "gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

capture g; /* the capture being built */

void capture_grow(int max)
{
    frame *f;
    if (max <= (g.max ? g.max : MAXP))
        return;
    if (!(f = realloc(g.f, (size_t)max * sizeof *f))) {
        fprintf(stderr, "omnigen: out of memory\n");
        exit(1);
    }
    g.f = f;
    g.max = max;
}

frame *newf(uint64_t ts_ns)
{
    if (g.n >= (g.max ? g.max : MAXP)) {
        fprintf(stderr, "omnigen: too many packets\n");
        exit(1);
    }
    frame *f = &g.f[g.n++];
    memset(f, 0, sizeof *f);
    f->ts_ns = ts_ns;
    f->seq = (uint32_t)g.n;
    return f;
}

void be16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
void be32(uint8_t *p, uint32_t v) { be16(p, v >> 16); be16(p + 2, v & 0xffff); }

/* Internet checksum over a pseudo header sum plus data. */
static uint16_t csum(uint32_t sum, const uint8_t *d, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(d[i] << 8 | d[i + 1]);
    if (n & 1)
        sum += (uint32_t)d[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}


addr A4(unsigned a, unsigned b, unsigned c, unsigned d)
{
    addr x;
    memset(&x, 0, sizeof x);
    x.b[0] = (uint8_t)a, x.b[1] = (uint8_t)b, x.b[2] = (uint8_t)c, x.b[3] = (uint8_t)d;
    return x;
}

/* fdNN:x::y style IPv6: prefix word p0, p1, last word h. */
addr A6(unsigned p0, unsigned p1, unsigned h)
{
    addr x;
    memset(&x, 0, sizeof x);
    x.v6 = 1;
    be16(x.b, p0);
    be16(x.b + 2, p1);
    be16(x.b + 14, h);
    return x;
}

static uint32_t pseudo(const addr *s, const addr *d, uint8_t proto, uint32_t len)
{
    uint32_t sum = proto + len;
    int n = s->v6 ? 16 : 4;
    for (int i = 0; i < n; i += 2)
        sum += (uint32_t)(s->b[i] << 8 | s->b[i + 1]) + (uint32_t)(d->b[i] << 8 | d->b[i + 1]);
    return sum;
}


uint16_t ip_id = 1;


/* IPv4 or IPv6 header + ext headers + l4 into f->ip. */
void ip_wrap(frame *f, const addr *s, const addr *d, uint8_t proto, const uint8_t *l4,
                    uint32_t l4len, const ext *x, uint16_t frag4)
{
    uint8_t *p = f->ip;
    if (!s->v6) {
        memset(p, 0, 20);
        p[0] = 0x45;
        be16(p + 2, 20 + l4len);
        be16(p + 4, ip_id++);
        be16(p + 6, frag4 ? frag4 : 0x4000);
        p[8] = 64;
        p[9] = proto;
        memcpy(p + 12, s->b, 4);
        memcpy(p + 16, d->b, 4);
        be16(p + 10, csum(0, p, 20));
        memcpy(p + 20, l4, l4len);
        f->len = 20 + l4len;
        return;
    }
    uint32_t hl = 0;
    uint8_t *e = p + 40;
    for (int i = 0; x && i < x->n; i++, e += 8, hl += 8) {
        memset(e, 0, 8);
        e[0] = i + 1 < x->n ? x->type[i + 1] : proto;
        if (x->type[i] == 44)
            be16(e + 2, x->frag), be32(e + 4, 0x1234);
        else
            e[2] = 1, e[3] = 4; /* PadN option filling the 6 bytes */
    }
    memset(p, 0, 40);
    p[0] = 0x60;
    be16(p + 4, hl + l4len);
    p[6] = x && x->n ? x->type[0] : proto;
    p[7] = 64;
    memcpy(p + 8, s->b, 16);
    memcpy(p + 24, d->b, 16);
    memcpy(p + 40 + hl, l4, l4len);
    f->len = 40 + hl + l4len;
}

void fill(uint8_t *p, uint32_t n, uint32_t seed)
{
    for (uint32_t i = 0; i < n; i++)
        p[i] = (uint8_t)((seed * 31 + i * 7) & 0xff);
}

/* One TCP segment. */
frame *tcp(uint64_t ts, addr s, unsigned sp, addr d, unsigned dp, uint32_t seq,
                  uint32_t ack, uint8_t flags, uint32_t paylen)
{
    return tcp_data(ts, s, sp, d, dp, seq, ack, flags, NULL, paylen);
}

/* One TCP segment carrying paylen bytes of data (NULL: the fill pattern). */
frame *tcp_data(uint64_t ts, addr s, unsigned sp, addr d, unsigned dp, uint32_t seq,
                uint32_t ack, uint8_t flags, const uint8_t *data, uint32_t paylen)
{
    uint8_t l4[MAXF];
    frame *f = newf(ts);
    memset(l4, 0, 20);
    be16(l4, sp);
    be16(l4 + 2, dp);
    be32(l4 + 4, seq);
    be32(l4 + 8, ack);
    l4[12] = 5 << 4;
    l4[13] = flags;
    be16(l4 + 14, 64240);
    if (data)
        memcpy(l4 + 20, data, paylen);
    else
        fill(l4 + 20, paylen, seq);
    be16(l4 + 16, csum(pseudo(&s, &d, 6, 20 + paylen), l4, 20 + paylen));
    ip_wrap(f, &s, &d, 6, l4, 20 + paylen, NULL, 0);
    return f;
}

/* One UDP datagram (with optional IPv6 extension headers). */
frame *udpx(uint64_t ts, addr s, unsigned sp, addr d, unsigned dp, uint32_t paylen,
                   const ext *x)
{
    return udp_datax(ts, s, sp, d, dp, NULL, paylen, x);
}

/* One UDP datagram carrying paylen bytes of data (NULL: the fill pattern). */
frame *udp_datax(uint64_t ts, addr s, unsigned sp, addr d, unsigned dp, const uint8_t *data,
                 uint32_t paylen, const ext *x)
{
    uint8_t l4[MAXF];
    frame *f = newf(ts);
    be16(l4, sp);
    be16(l4 + 2, dp);
    be16(l4 + 4, 8 + paylen);
    be16(l4 + 6, 0);
    if (data)
        memcpy(l4 + 8, data, paylen);
    else
        fill(l4 + 8, paylen, sp + dp);
    uint16_t c = csum(pseudo(&s, &d, 17, 8 + paylen), l4, 8 + paylen);
    be16(l4 + 6, c ? c : 0xffff);
    ip_wrap(f, &s, &d, 17, l4, 8 + paylen, x, 0);
    return f;
}

frame *udp(uint64_t ts, addr s, unsigned sp, addr d, unsigned dp, uint32_t paylen)
{
    return udpx(ts, s, sp, d, dp, paylen, NULL);
}


/* A whole TCP connection: handshake, n data segments each way, close. */
uint64_t tcp_conn(uint64_t t, addr c, unsigned cp, addr s, unsigned sp, int n_cs,
                         uint32_t sz_cs, int n_sc, uint32_t sz_sc)
{
    uint32_t cs = 1000, ss = 50000;
    tcp(t, c, cp, s, sp, cs++, 0, SYN, 0);
    tcp(t += MS, s, sp, c, cp, ss++, cs, SYN | ACK, 0);
    tcp(t += MS, c, cp, s, sp, cs, ss, ACK, 0);
    for (int i = 0; i < n_cs; i++, cs += sz_cs)
        tcp(t += MS, c, cp, s, sp, cs, ss, PSH | ACK, sz_cs);
    for (int i = 0; i < n_sc; i++, ss += sz_sc)
        tcp(t += MS, s, sp, c, cp, ss, cs, PSH | ACK, sz_sc);
    tcp(t += MS, c, cp, s, sp, cs++, ss, FIN | ACK, 0);
    tcp(t += MS, s, sp, c, cp, ss++, cs, FIN | ACK, 0);
    tcp(t += MS, c, cp, s, sp, cs, ss, ACK, 0);
    return t;
}

/* n datagrams of sz bytes, dt apart. */
uint64_t udp_stream(uint64_t t, addr s, unsigned sp, addr d, unsigned dp, int n,
                           uint32_t sz, uint64_t dt)
{
    for (int i = 0; i < n; i++, t += dt)
        udp(t, s, sp, d, dp, sz);
    return t;
}


/* Link header + datagram of f for link type lt into out; returns length. */
uint32_t l2(const frame *f, int lt, uint8_t *out)
{
    int v6 = (f->ip[0] >> 4) == 6;
    unsigned et = v6 ? 0x86dd : 0x0800;
    uint32_t h = 0;
    if (f->raw_l2 || lt == LT_RAW || lt == LT_USER0) {
        memcpy(out, f->ip, f->len);
        return f->len;
    }
    if (lt == LT_EN10MB) {
        static const uint8_t mac[12] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1 };
        memcpy(out, mac, 12);
        h = 12;
        for (int i = 0; i < f->nvlan; i++, h += 4) {
            be16(out + h, i == 0 && f->tpid0 ? f->tpid0 : 0x8100);
            be16(out + h + 2, f->vlan[i]);
        }
        be16(out + h, et);
        h += 2;
    } else if (lt == LT_SLL) {
        memset(out, 0, 16);
        be16(out + 2, 1);
        be16(out + 4, 6);
        out[6] = 2;
        be16(out + 14, et);
        h = 16;
    } else if (lt == LT_SLL2) {
        memset(out, 0, 20);
        be16(out, et);
        be32(out + 4, 2);
        be16(out + 8, 1);
        out[11] = 6;
        h = 20;
    } else { /* NULL: host order (little-endian here); LOOP: network order */
        uint32_t af = v6 ? 30 : 2;
        if (lt == LT_LOOP)
            be32(out, af);
        else
            out[0] = (uint8_t)af, out[1] = out[2] = out[3] = 0;
        h = 4;
    }
    memcpy(out + h, f->ip, f->len);
    return h + f->len;
}

void w16(FILE *o, unsigned v, int be)
{
    uint8_t b[2] = { (uint8_t)(be ? v >> 8 : v), (uint8_t)(be ? v : v >> 8) };
    fwrite(b, 1, 2, o);
}

void w32(FILE *o, uint32_t v, int be)
{
    if (be) {
        w16(o, v >> 16, 1);
        w16(o, v & 0xffff, 1);
    } else {
        w16(o, v & 0xffff, 0);
        w16(o, v >> 16, 0);
    }
}

int frame_by_time(const void *a, const void *b)
{
    const frame *x = a, *y = b;
    if (x->ts_ns != y->ts_ns)
        return x->ts_ns < y->ts_ns ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

FILE *open_out(const char *dir, const char *name, int npkts)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *o = fopen(path, "wb");
    if (!o) {
        perror(path);
        exit(1);
    }
    printf("%-30s %4d packets\n", name, npkts);
    return o;
}

/* Classic pcap; be = big-endian, ns = nanosecond magic. */
void write_pcap(const char *dir, const char *name, int lt, int be, int ns,
                       uint32_t snaplen, uint32_t cut_after)
{
    FILE *o = open_out(dir, name, g.n);
    static uint8_t buf[MAXF + 64];
    w32(o, ns ? 0xa1b23c4d : 0xa1b2c3d4, be);
    w16(o, 2, be);
    w16(o, 4, be);
    w32(o, 0, be);
    w32(o, 0, be);
    w32(o, snaplen, be);
    w32(o, (uint32_t)lt, be);
    for (int i = 0; i < g.n && (!cut_after || (uint32_t)i < cut_after); i++) {
        const frame *f = &g.f[i];
        uint32_t len = l2(f, lt, buf), full = len + f->tail;
        uint32_t cap = full < snaplen ? full : snaplen;
        if (f->caplen_override)
            cap = f->caplen_override;
        w32(o, (uint32_t)(f->ts_ns / SEC), be);
        w32(o, (uint32_t)(f->ts_ns % SEC / (ns ? 1 : 1000)), be);
        w32(o, cap, be);
        w32(o, f->wire_override ? f->wire_override : full, be);
        fwrite(buf, 1, cap <= len ? cap : len, o);
        for (uint32_t k = len; k < cap; k++)
            fputc(0, o); /* the tail, or caplen larger than the frame: pad */
    }
    fclose(o);
}

/* pcapng: one section, one interface, enhanced packet blocks. */
void write_pcapng(const char *dir, const char *name, int lt, int be, int ns)
{
    FILE *o = open_out(dir, name, g.n);
    static uint8_t buf[MAXF + 64];
    w32(o, 0x0A0D0D0A, be); w32(o, 28, be); w32(o, 0x1A2B3C4D, be);
    w16(o, 1, be); w16(o, 0, be); w32(o, 0xffffffff, be); w32(o, 0xffffffff, be);
    w32(o, 28, be);
    uint32_t idb = ns ? 32 : 20;
    w32(o, 1, be); w32(o, idb, be); w16(o, (unsigned)lt, be); w16(o, 0, be); w32(o, 262144, be);
    if (ns) { /* if_tsresol = 9 (10^-9), then opt_endofopt */
        w16(o, 9, be); w16(o, 1, be); fputc(9, o); fputc(0, o); fputc(0, o); fputc(0, o);
        w16(o, 0, be); w16(o, 0, be);
    }
    w32(o, idb, be);
    for (int i = 0; i < g.n; i++) {
        uint32_t len = l2(&g.f[i], lt, buf), pad = (4 - len % 4) % 4;
        uint64_t t = ns ? g.f[i].ts_ns : g.f[i].ts_ns / 1000;
        w32(o, 6, be); w32(o, 32 + len + pad, be); w32(o, 0, be);
        w32(o, (uint32_t)(t >> 32), be); w32(o, (uint32_t)t, be);
        w32(o, len, be); w32(o, len, be);
        fwrite(buf, 1, len, o);
        for (uint32_t k = 0; k < pad; k++)
            fputc(0, o);
        w32(o, 32 + len + pad, be);
    }
    fclose(o);
}

void reset(void) { g.n = 0; ip_id = 1; }

void sort_capture(void) { qsort(g.f, (size_t)g.n, sizeof *g.f, frame_by_time); }


/* A raw Ethernet frame (ARP and other non-IP). */
void ether_raw(uint64_t ts, const uint8_t *b, uint32_t n)
{
    frame *f = newf(ts);
    memcpy(f->ip, b, n);
    f->len = n;
    f->raw_l2 = 1;
}
/* ICMP(v6) error quoting datagram q (q->len bytes); type/code. */
frame *icmp_err(uint64_t ts, addr from, addr to, int type, int code, const frame *q,
                       uint32_t qlen)
{
    uint8_t l4[MAXF];
    frame *f = newf(ts);
    uint8_t proto = from.v6 ? 58 : 1;
    memset(l4, 0, 8);
    l4[0] = (uint8_t)type;
    l4[1] = (uint8_t)code;
    memcpy(l4 + 8, q->ip, qlen);
    uint32_t n = 8 + qlen;
    be16(l4 + 2, from.v6 ? csum(pseudo(&from, &to, 58, n), l4, n) : csum(0, l4, n));
    ip_wrap(f, &from, &to, proto, l4, n, NULL, 0);
    return f;
}

/* Take the last frame out of the capture (used as a quote). */
frame pop(void) { return g.f[--g.n]; }
void write_text(const char *dir, const char *name, const char *text)
{
    FILE *o = open_out(dir, name, g.n);
    fputs(text, o);
    fclose(o);
}

/* The last frame built, as a datagram to quote (it stays in the capture). */
frame last(void) { return g.f[g.n - 1]; }

/* n SYNs never answered, the classic retry schedule: 1 s, 2 s, 4 s apart. */
uint64_t syn_retries(uint64_t t, addr c, unsigned cp, addr s, unsigned sp, int n)
{
    uint64_t gap = SEC;
    for (int i = 0; i < n; i++, t += gap, gap *= 2)
        tcp(t, c, cp, s, sp, 7000, 0, SYN, 0);
    return t;
}

/* A TCP connection the capture joined late: n rounds of one data segment
 * each way (sz_cs client -> server, sz_sc back; 0 = a bare ACK), no SYN;
 * the server (sp) speaks first when srv_first. */
uint64_t tcp_midstream(uint64_t t, addr c, unsigned cp, addr s, unsigned sp, int n,
                              uint32_t sz_cs, uint32_t sz_sc, int srv_first)
{
    uint32_t cs = 90000, ss = 190000;
    for (int i = 0; i < n; i++) {
        if (srv_first)
            tcp(t += MS, s, sp, c, cp, ss, cs, PSH | ACK, sz_sc), ss += sz_sc;
        tcp(t += MS, c, cp, s, sp, cs, ss, sz_cs ? PSH | ACK : ACK, sz_cs), cs += sz_cs;
        if (!srv_first)
            tcp(t += MS, s, sp, c, cp, ss, cs, PSH | ACK, sz_sc), ss += sz_sc;
    }
    return t;
}
