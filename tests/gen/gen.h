/* gen.h — the generator's toolkit, shared by the capture sets: omnigen.c
 * (sample site, link types, findings), gen_hostile.c (corrupt on purpose),
 * gen_audit.c (site-audit captures), gen_field.c (field captures: a second
 * site joined mid-life, repeated faults, noise), gen_bench.c (benchmark
 * captures), gen_streams.c (stream health), gen_tunnels.c (tunnels, odd
 * lengths, captures to merge).
 * Test data only: the product reads every port from rules/omnicast4.rules. */
#ifndef OMNIGEN_GEN_H
#define OMNIGEN_GEN_H

#include <stdint.h>
#include <stdio.h>

#define T0 1768471200ULL /* 2026-01-15T10:00:00Z */
#define MAXF 2048        /* frame buffer */
#define MAXP 4096        /* packets per capture (capture_grow raises it) */

/* One built frame (link-layer agnostic: the IP datagram is kept and the
 * link header is added when the capture is written). */
typedef struct frame {
    uint64_t ts_ns;       /* time */
    uint8_t ip[MAXF];     /* IP datagram */
    uint32_t len;         /* its length */
    uint16_t vlan[2];     /* VLAN ids (0 = none) */
    uint8_t nvlan;        /* tags */
    uint16_t tpid0;       /* outer tag type */
    int raw_l2;           /* ip[] is a complete Ethernet frame (non-IP, broken) */
    uint32_t caplen_override; /* != 0: write this caplen (may exceed len) */
    uint32_t wire_override;   /* != 0: claim this wire length */
    uint32_t seq;             /* creation order: ties in time keep it */
    uint32_t tail;            /* zero bytes written after the datagram (write_pcap
                                 only): frames longer than MAXF (large-send offload) */
} frame;

typedef struct capture {
    frame *f;
    int n;
    int max; /* frames g.f holds; 0 = MAXP */
} capture;

typedef struct addr {
    int v6;
    uint8_t b[16];
} addr;

/* Extension headers to put in front of the transport (IPv6 only). */
typedef struct ext {
    int n;            /* how many */
    uint8_t type[12]; /* header types (0, 60, 43, 44) */
    uint16_t frag;    /* fragment offset/flags word for a 44 */
} ext;

enum { FIN = 1, SYN = 2, RST = 4, PSH = 8, ACK = 16 };

#define MS 1000000ULL
#define SEC 1000000000ULL

enum { LT_NULL = 0, LT_EN10MB = 1, LT_RAW = 101, LT_LOOP = 108, LT_SLL = 113, LT_USER0 = 147,
       LT_SLL2 = 276 };

#define DIR A4(10, 1, 0, 10)  /* Directory + Gateway (same server) */
#define GW DIR
#define DFC A4(10, 1, 0, 11)
#define FODIR A4(10, 1, 0, 12)
#define GW2 A4(10, 1, 0, 13)  /* the primary Gateway's Directory link */
#define ARC A4(10, 1, 0, 20)
#define ENC1 A4(10, 2, 0, 31)
#define ENC2 A4(10, 2, 0, 32)
#define CLI A4(10, 3, 0, 23)
#define CLI2 A4(10, 3, 0, 24)
#define FED A4(10, 1, 0, 40)
#define RGW A4(10, 9, 0, 10)
#define VM A4(10, 1, 0, 50)
#define INFRA A4(10, 1, 0, 1) /* DNS/NTP server, router */
#define MC1 A4(239, 10, 0, 1)
#define MC2 A4(239, 10, 0, 2)
#define GW3 A4(10, 1, 0, 14)  /* a second, non-primary Gateway */
#define ENC3 A4(10, 2, 0, 33)
#define MC9 A4(239, 10, 0, 9)
#define MCX A4(239, 20, 0, 1) /* outside the range 239.10.0.1 + 16 */
#define GW6 A6(0xfd00, 1, 0x10)
#define ARC6 A6(0xfd00, 1, 0x20)
#define ENC6 A6(0xfd00, 2, 0x31)
#define ENC6B A6(0xfd00, 2, 0x32)
#define CLI6 A6(0xfd00, 3, 0x23)
#define RTR6 A6(0xfd00, 1, 1)

extern capture g;       /* the capture being built */
extern uint16_t ip_id;  /* next IPv4 id */

/* Frame building (appends to g). */
frame *newf(uint64_t ts_ns);
/* Let g hold max frames (at least MAXP) from now on (the field captures:
 * tens of thousands of packets). */
void capture_grow(int max);
addr A4(unsigned a, unsigned b, unsigned c, unsigned d);
addr A6(unsigned p0, unsigned p1, unsigned h);
frame *tcp(uint64_t ts, addr s, unsigned sp, addr d, unsigned dp, uint32_t seq, uint32_t ack, uint8_t flags, uint32_t paylen);
frame *udpx(uint64_t ts, addr s, unsigned sp, addr d, unsigned dp, uint32_t paylen, const ext *x);
frame *udp(uint64_t ts, addr s, unsigned sp, addr d, unsigned dp, uint32_t paylen);
/* The same carrying given bytes (data NULL: the fill pattern). */
frame *tcp_data(uint64_t ts, addr s, unsigned sp, addr d, unsigned dp, uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *data, uint32_t paylen);
frame *udp_datax(uint64_t ts, addr s, unsigned sp, addr d, unsigned dp, const uint8_t *data, uint32_t paylen, const ext *x);
uint64_t tcp_conn(uint64_t t, addr c, unsigned cp, addr s, unsigned sp, int n_cs, uint32_t sz_cs, int n_sc, uint32_t sz_sc);
uint64_t udp_stream(uint64_t t, addr s, unsigned sp, addr d, unsigned dp, int n, uint32_t sz, uint64_t dt);
uint32_t l2(const frame *f, int lt, uint8_t *out);
void w16(FILE *o, unsigned v, int be);
void w32(FILE *o, uint32_t v, int be);
/* Create DIR/NAME for writing and print "NAME  N packets"; exits on failure. */
FILE *open_out(const char *dir, const char *name, int npkts);
void write_pcap(const char *dir, const char *name, int lt, int be, int ns, uint32_t snaplen, uint32_t cut_after);
void write_pcapng(const char *dir, const char *name, int lt, int be, int ns);
void ether_raw(uint64_t ts, const uint8_t *b, uint32_t n);
frame *icmp_err(uint64_t ts, addr from, addr to, int type, int code, const frame *q, uint32_t qlen);
void write_text(const char *dir, const char *name, const char *text);
uint64_t syn_retries(uint64_t t, addr c, unsigned cp, addr s, unsigned sp, int n);
uint64_t tcp_midstream(uint64_t t, addr c, unsigned cp, addr s, unsigned sp, int n, uint32_t sz_cs, uint32_t sz_sc, int srv_first);
void be16(uint8_t *p, unsigned v);
void be32(uint8_t *p, uint32_t v);
void reset(void);
void sort_capture(void);
/* qsort order of frames: by time, ties in creation order (sort_capture's). */
int frame_by_time(const void *a, const void *b);
frame pop(void);
frame last(void);

void ip_wrap(frame *f, const addr *s, const addr *d, uint8_t proto, const uint8_t *l4, uint32_t l4len, const ext *x, uint16_t frag4);
void fill(uint8_t *p, uint32_t n, uint32_t seed);

/* Capture sets written by other files of the generator. */
void write_hostile(const char *dir); /* gen_hostile.c */
void write_audit(const char *dir);   /* gen_audit.c */
void write_field(const char *dir);   /* gen_field.c */
void write_tunnels(const char *dir); /* gen_tunnels.c */
/* One fuzz_decode seed per encapsulation, from the tunnel captures' frames,
 * into dir (gen_tunnels.c). */
void write_tunnel_seeds(const char *dir);
/* Select the tunnel the benchmark wraps the site capture in: vxlan,
 * geneve, erspan (type II), gre, mpls, pppoe or ipip; 0 for another name
 * (gen_tunnels.c). */
int bench_tunnel(const char *name);
/* Every frame of g, in time order, wrapped in the selected tunnel (the
 * frames stay as many; one tunnel's ERSPAN/GRE sequence runs on from call
 * to call). The IP tunnels' frames all go 192.0.2.12 -> 192.0.2.11
 * (ERSPAN: .11 -> .12): with no initiators to tell, every inner frame
 * counts as the far side's; the decoder keys no tunnel by outer address. */
void wrap_bench(void);
/* Benchmark capture `kind` (site, snap96, flows, churn, synstorm, soak, or
 * a tunnel of bench_tunnel: the site capture wrapped) of about n packets
 * into file; 0 for an unknown kind (gen_bench.c). */
int write_bench(const char *kind, uint64_t n, const char *file);

#endif
