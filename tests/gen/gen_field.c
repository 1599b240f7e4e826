/* gen_field.c — "field" captures: a site as a technician meets it. The
 * capture starts while the site runs, so its long-lived connections show no
 * handshake (Directory link, command channels, TCP video, federation, SMB,
 * RDP, X11); clients 101-138 each watch a camera through a Gateway, 139 and
 * 140 only hold a command channel (their role cannot be told from traffic);
 * faults are repeated by many clients from new source ports; ordinary noise
 * (DNS, NTP, SMB, RDP, iperf, X11, web, ARP) runs alongside.
 *
 *   field-dropped-playback.pcap  10 min: ten clients retry TCP playback on
 *                                the Archiver 10.10.0.20:6061 every 3 s,
 *                                a firewall drops every SYN; playback from
 *                                the second Archiver works
 *   field-six-problems.pcap      5 min: six faults, each repeated (+ .hosts)
 *   field-healthy.pcap           2 min: the site alone, no fault
 *
 * Address plan (10.10.0.0/16, see tests/gen/README.md). Steady streams are
 * thinned (one small packet every 1-8 s) to keep each file at 1.5-2.5 MB.
 * Everything depends on fixed times from T0: deterministic. */
#include "gen.h"

#include <stdio.h>
#include <string.h>

/* ---- address plan ----------------------------------------------------- */

#define F_RTR A4(10, 10, 0, 1)    /* router / firewall */
#define F_DIR A4(10, 10, 0, 10)   /* Directory (own server) */
#define F_GW1 A4(10, 10, 0, 11)   /* primary Gateway (Directory link on 7998) */
#define F_GW2 A4(10, 10, 0, 12)   /* second Gateway */
#define F_DFC A4(10, 10, 0, 15)   /* Directory Failover Coordinator */
#define F_FODIR A4(10, 10, 0, 16) /* failover Directory */
#define F_ARC1 A4(10, 10, 0, 20)  /* Archiver */
#define F_ARC2 A4(10, 10, 0, 21)  /* second Archiver */
#define F_FED A4(10, 10, 0, 40)   /* federation server */
#define F_RGW A4(10, 10, 5, 10)   /* remote Gateway (another Omnicast system) */
#define F_DNS A4(10, 10, 9, 53)   /* DNS and NTP server */
#define F_SMB A4(10, 10, 9, 45)   /* Windows file server */
#define F_IPERF_C A4(10, 10, 9, 71)
#define F_IPERF_S A4(10, 10, 9, 72)
#define F_WEB A4(10, 10, 9, 80)   /* intranet web server */
#define F_XSRV A4(10, 10, 9, 81)  /* X server (display) */
#define F_XCLI A4(10, 10, 9, 82)  /* X client (application) */
#define F_ADMIN A4(10, 10, 9, 100) /* admin PC: RDP to the Archiver */
#define F_FOREIGN A4(10, 10, 8, 31) /* a foreign multicast source */
#define F_MC_CONFLICT A4(239, 10, 0, 5)

#define NENC 8
#define NCLI 40

static addr enc(int i) { return A4(10, 10, 2, 31 + (unsigned)i); }    /* i = 0..7 */
static addr cli(int i) { return A4(10, 10, 3, 101 + (unsigned)i); }   /* i = 0..39 */

/* ---- building blocks ---------------------------------------------------- */

/* A TCP connection already open when the capture starts: its sequence
 * numbers go on from wherever it was. */
typedef struct mconn {
    addr c, s;
    unsigned cp, sp;
    uint32_t cs, ss;
} mconn;

static mconn mconn_at(addr c, unsigned cp, addr s, unsigned sp)
{
    mconn m;
    m.c = c, m.s = s, m.cp = cp, m.sp = sp;
    m.cs = 0x11000000u + (uint32_t)cp * 7919u + c.b[3] * 104729u;
    m.ss = 0x66000000u + (uint32_t)sp * 6151u + s.b[3] * 15485863u + c.b[3] * 7u;
    return m;
}

/* n bytes client -> server (0: a bare ACK). */
static void mc_c(uint64_t t, mconn *m, uint32_t n)
{
    tcp(t, m->c, m->cp, m->s, m->sp, m->cs, m->ss, n ? PSH | ACK : ACK, n);
    m->cs += n;
}

/* n bytes server -> client (0: a bare ACK). */
static void mc_s(uint64_t t, mconn *m, uint32_t n)
{
    tcp(t, m->s, m->sp, m->c, m->cp, m->ss, m->cs, n ? PSH | ACK : ACK, n);
    m->ss += n;
}

/* ARP who-has `want` tell `from`, and the reply. */
static void arp_pair(uint64_t t, addr from, addr want)
{
    uint8_t b[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 0, 0x08, 0x06,
                      0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 0 };
    b[11] = b[27] = from.b[3];
    memcpy(b + 28, from.b, 4);
    memcpy(b + 38, want.b, 4);
    ether_raw(t, b, 42);
    b[21] = 2; /* reply: sender and target swap */
    memcpy(b, b + 6, 6);
    b[6 + 5] = b[22 + 5] = want.b[3];
    memcpy(b + 28, want.b, 4);
    memcpy(b + 32, b, 6);
    memcpy(b + 38, from.b, 4);
    ether_raw(t + 300000, b, 42);
}

/* A DNS query for name (A record) from c and the answer addr, 0.8 ms later. */
static void dns_pair(uint64_t t, addr c, unsigned cp, const char *name, addr answer, unsigned id)
{
    uint8_t q[128], r[160];
    uint32_t n = 12, k;
    memset(q, 0, 12);
    be16(q, id);
    be16(q + 2, 0x0100); /* standard query, recursion desired */
    be16(q + 4, 1);
    for (const char *p = name; *p;) { /* labels */
        const char *dot = strchr(p, '.');
        k = dot ? (uint32_t)(dot - p) : (uint32_t)strlen(p);
        q[n++] = (uint8_t)k;
        memcpy(q + n, p, k);
        n += k;
        p += k + (dot ? 1 : 0);
    }
    q[n++] = 0;
    be16(q + n, 1), be16(q + n + 2, 1); /* A, IN */
    n += 4;
    udp_datax(t, c, cp, F_DNS, 53, q, n, NULL);
    memcpy(r, q, n);
    be16(r + 2, 0x8180); /* response, recursion available, no error */
    be16(r + 6, 1);
    be16(r + n, 0xc00c), be16(r + n + 2, 1), be16(r + n + 4, 1); /* name pointer, A, IN */
    be32(r + n + 6, 300), be16(r + n + 10, 4);
    memcpy(r + n + 12, answer.b, 4);
    udp_datax(t + 800000, F_DNS, 53, c, cp, r, n + 16, NULL);
}

/* An NTP client request from h and the server's answer, 0.5 ms later. */
static void ntp_pair(uint64_t t, addr h)
{
    uint8_t m[48];
    fill(m, 48, h.b[3]);
    m[0] = 0x23, m[1] = 0, m[2] = 6, m[3] = 0xe9; /* v4, client */
    udp_datax(t, h, 123, F_DNS, 123, m, 48, NULL);
    m[0] = 0x24, m[1] = 2; /* v4, server, stratum 2 */
    udp_datax(t + 500000, F_DNS, 123, h, 123, m, 48, NULL);
}

/* A whole HTTP/1.1 exchange: handshake, GET path from host, a 200 with a
 * body of body bytes, close (client first). */
static void http_conn(uint64_t t, addr c, unsigned cp, addr s, unsigned sp, const char *host,
                      const char *path, uint32_t body)
{
    char req[256], rsp[MAXF];
    uint32_t cs = 0x7a000000u + cp * 131u, ss = 0x1c000000u + cp * 17u;
    int nq = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\n"
                      "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64)\r\n"
                      "Accept: text/html\r\n\r\n", path, host);
    int nh = snprintf(rsp, sizeof rsp, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                      "Content-Length: %u\r\n\r\n", body);
    memset(rsp + nh, '.', body);
    memcpy(rsp + nh, "<html><body>", 12);
    memcpy(rsp + nh + body - 15, "</body></html>\n", 15);
    tcp(t, c, cp, s, sp, cs++, 0, SYN, 0);
    tcp(t += MS, s, sp, c, cp, ss++, cs, SYN | ACK, 0);
    tcp(t += MS, c, cp, s, sp, cs, ss, ACK, 0);
    tcp_data(t += MS, c, cp, s, sp, cs, ss, PSH | ACK, (const uint8_t *)req, (uint32_t)nq);
    cs += (uint32_t)nq;
    tcp_data(t += 3 * MS, s, sp, c, cp, ss, cs, PSH | ACK, (const uint8_t *)rsp, (uint32_t)nh + body);
    ss += (uint32_t)nh + body;
    tcp(t += MS, c, cp, s, sp, cs++, ss, FIN | ACK, 0);
    tcp(t += MS, s, sp, c, cp, ss++, cs, FIN | ACK, 0);
    tcp(t += MS, c, cp, s, sp, cs, ss, ACK, 0);
}

/* The time window of a capture and how thin its steady streams are. */
typedef struct fsite {
    uint64_t t0, end; /* [t0, end) */
    uint64_t dt;      /* period of a steady video stream */
    uint32_t vsz;     /* payload of a video packet */
    uint64_t cdt;     /* period of a client's own camera stream (thinner) */
} fsite;

/* ---- the healthy site, joined mid-life ---------------------------------- */

static void site_omnicast(const fsite *s)
{
    uint64_t t;
    int i, n;

    /* Directory link: primary Gateway 10.10.0.11 <-> Directory 7998, every
     * 5 s, data both ways; opened long before the capture. */
    mconn dl = mconn_at(F_GW1, 49801, F_DIR, 7998);
    for (t = s->t0; t < s->end; t += 5 * SEC) {
        mc_s(t, &dl, 64);
        mc_c(t + 2 * MS, &dl, 96);
    }

    /* 40 command channels client -> primary Gateway 5001: every 10 s a
     * request and a reply, each client at its own offset. */
    for (i = 0; i < NCLI; i++) {
        mconn cc = mconn_at(cli(i), 50100 + (unsigned)i, F_GW1, 5001);
        for (t = s->t0 + (uint64_t)i * 250 * MS; t < s->end; t += 10 * SEC) {
            mc_c(t, &cc, 24);
            mc_s(t + 3 * MS, &cc, 48);
        }
    }

    /* Failover Directory -> primary Gateway 5001, every 15 s. */
    mconn fo = mconn_at(F_FODIR, 49901, F_GW1, 5001);
    for (t = s->t0 + 1100 * MS; t < s->end; t += 15 * SEC) {
        mc_c(t, &fo, 120);
        mc_s(t + 2 * MS, &fo, 60);
    }

    /* Two clients on the DFC 7999, every 30 s. */
    for (i = 0; i < 2; i++) {
        mconn dfc = mconn_at(cli(i), 50700, F_DFC, 7999);
        for (t = s->t0 + 2 * SEC + (uint64_t)i * 7 * SEC; t < s->end; t += 30 * SEC) {
            mc_c(t, &dfc, 48);
            mc_s(t + 2 * MS, &dfc, 48);
        }
    }

    /* TCP video 5002: clients 133-136 watch through the primary Gateway,
     * which sends the bulk; the client ACKs every 4th segment. */
    for (i = 0; i < 4; i++) {
        mconn v = mconn_at(cli(32 + i), 50300 + (unsigned)i, F_GW1, 5002);
        n = 0;
        for (t = s->t0 + 150 * MS + (uint64_t)i * 97 * MS; t < s->end; t += s->dt, n++) {
            mc_s(t, &v, s->vsz * 2);
            if (n % 4 == 3)
                mc_c(t + 20 * MS, &v, 0);
        }
    }

    /* Encoders 35-38 -> Archiver 10.10.0.20, unicast UDP 15000-15006. */
    for (i = 4; i < NENC; i++)
        for (t = s->t0 + 40 * MS + (uint64_t)i * 61 * MS; t < s->end; t += s->dt)
            udp(t, enc(i), 40000, F_ARC1, 15000 + 2 * (unsigned)(i - 4), s->vsz);

    /* Encoders 31-34 multicast (the Archiver records them from the group):
     * 239.10.0.5 (encoder 31's group), .2, .3, .4, port 47806. */
    for (i = 0; i < 4; i++)
        for (t = s->t0 + 70 * MS + (uint64_t)i * 53 * MS; t < s->end; t += s->dt)
            udp(t, enc(i), 40010, A4(239, 10, 0, i == 0 ? 5 : 1 + (unsigned)i), 47806, s->vsz);

    /* Archiver -> both Gateways, UDP 28000 and 28001. */
    for (i = 0; i < 2; i++)
        for (t = s->t0 + 90 * MS + (uint64_t)i * 131 * MS; t < s->end; t += s->dt)
            udp(t, F_ARC1, 41000 + (unsigned)i, i ? F_GW2 : F_GW1, 28000 + (unsigned)i, s->vsz);

    /* Gateway UDP video: primary 8001-8003 to clients 129-131, second
     * Gateway 8010 to client 132. */
    for (i = 0; i < 4; i++)
        for (t = s->t0 + 110 * MS + (uint64_t)i * 71 * MS; t < s->end; t += s->dt)
            udp(t, i < 3 ? F_GW1 : F_GW2, i < 3 ? 8001 + (unsigned)i : 8010, cli(28 + i),
                50200 + (unsigned)(28 + i), s->vsz);

    /* Discovery on 8000: a client and the primary Gateway, both ways,
     * every 60 s (a client checking unicast still works). */
    for (t = s->t0 + 5 * SEC, n = 0; t < s->end; t += 60 * SEC, n++) {
        udp(t, cli(28 + n % 4), 50400, F_GW1, 8000, 32);
        udp(t + 2 * MS, F_GW1, 8000, cli(28 + n % 4), 50400, 32);
    }

    /* Every client 101-138 watches one camera through a Gateway for the whole
     * capture (clients 129-136 above; the others here), a thin stream of one
     * vsz-byte packet every cdt from its own offset: clients 105, 110, 115,
     * 120 and 125 by TCP 5002 from the primary Gateway (midstream, the
     * Gateway sends, the client ACKs every 4th), the rest by UDP from a
     * Gateway port 8020 + i (the primary Gateway for an even address, the
     * second one for an odd) to the client's 50200 + i. Clients 139 and 140
     * watch nothing: only their command channel is Omnicast. */
    for (i = 0; i < NCLI - 2; i++) {
        uint64_t off = 130 * MS + (uint64_t)((i * 37) % 64) * (s->cdt / 64);
        if (i >= 28 && i < 36)
            continue;
        if (i % 5 == 4) {
            mconn v = mconn_at(cli(i), 50300 + (unsigned)i, F_GW1, 5002);
            for (t = s->t0 + off, n = 0; t < s->end; t += s->cdt, n++) {
                mc_s(t, &v, s->vsz);
                if (n % 4 == 3)
                    mc_c(t + 20 * MS, &v, 0);
            }
        } else {
            addr gw = cli(i).b[3] % 2 ? F_GW2 : F_GW1;
            for (t = s->t0 + off; t < s->end; t += s->cdt)
                udp(t, gw, 8020 + (unsigned)i, cli(i), 50200 + (unsigned)i, s->vsz);
        }
    }

    /* Video from the primary Gateway's first UDP port (also its discovery
     * port): 10.10.0.11:8000 -> client 137:50500, 200 datagrams of 1000-1200
     * bytes evenly over the capture, nothing back. */
    {
        uint64_t per = (s->end - s->t0) / 200;
        for (n = 0; n < 200; n++)
            udp(s->t0 + 350 * MS + (uint64_t)n * per, F_GW1, 8000, cli(36), 50500,
                1000 + (uint32_t)(n * 73) % 201);
    }

    /* Playback from the second Archiver 10.10.0.21:6062, full connections:
     * every 20 s one of clients 135-138 asks, gets 6 segments, closes
     * (not 139-140: they show nothing but their command channel). */
    for (t = s->t0 + 3 * SEC, n = 0; t < s->end - SEC; t += 20 * SEC, n++)
        tcp_conn(t, cli(34 + n % 4), 50600 + (unsigned)n, F_ARC2, 6062, 1, 80, 6, 300);

    /* Web client on the primary Gateway's port 80, every 60 s. */
    for (t = s->t0 + 17 * SEC, n = 0; t < s->end - SEC; t += 60 * SEC, n++)
        http_conn(t, cli(10 + n % 10), 50900 + (unsigned)n, F_GW1, 80, "gw1", "/webclient/", 800);

    /* Federation: the federation server 10.10.0.40 holds a command channel
     * to the remote Gateway 10.10.5.10:5001 (every 15 s, 80 bytes out, 160
     * back), and the remote Gateway streams a federated camera over TCP to
     * the federation server's 6000 (2 x vsz every cdt, an ACK every 4th);
     * both opened long before the capture. */
    mconn fc = mconn_at(F_FED, 49960, F_RGW, 5001);
    for (t = s->t0 + 6300 * MS; t < s->end; t += 15 * SEC) {
        mc_c(t, &fc, 80);
        mc_s(t + 4 * MS, &fc, 160);
    }
    mconn fv = mconn_at(F_RGW, 51010, F_FED, 6000);
    for (t = s->t0 + 190 * MS, n = 0; t < s->end; t += s->cdt, n++) {
        mc_c(t, &fv, s->vsz * 2);
        if (n % 4 == 3)
            mc_s(t + 20 * MS, &fv, 0);
    }
}

/* Traffic that is not Omnicast. */
static void site_noise(const fsite *s)
{
    uint64_t t;
    int i, n;

    /* DNS: every 5 s a client asks 10.10.9.53 for a server's address. */
    static const char *const names[] = { "dir1.site.local", "gw1.site.local", "arch1.site.local",
                                         "intranet.site.local", "files.site.local" };
    static const unsigned answers[] = { 10, 11, 20, 80, 45 };
    for (t = s->t0 + 400 * MS, n = 0; t < s->end; t += 5 * SEC, n++)
        dns_pair(t, cli((n * 7) % NCLI), 49400 + (unsigned)n, names[n % 5],
                 A4(10, 10, n % 5 < 3 ? 0 : 9, answers[n % 5]), 0x3000 + (unsigned)n);

    /* NTP: the servers poll 10.10.9.53 every 64 s. */
    static const unsigned srv[] = { 10, 11, 12, 15, 16, 20, 21 };
    for (i = 0; i < 7; i++)
        for (t = s->t0 + 600 * MS + (uint64_t)i * 3 * SEC; t < s->end; t += 64 * SEC)
            ntp_pair(t, A4(10, 10, 0, srv[i]));

    /* SMB: clients 101-106 hold sessions on the file server, every 30 s. */
    for (i = 0; i < 6; i++) {
        mconn sm = mconn_at(cli(i), 50800, F_SMB, 445);
        for (t = s->t0 + 800 * MS + (uint64_t)i * 3 * SEC; t < s->end; t += 30 * SEC) {
            mc_c(t, &sm, 120);
            mc_s(t + MS, &sm, 240);
        }
    }

    /* RDP: the admin PC on the Archiver 3389; screen updates every dt,
     * input every 3rd. */
    mconn rdp = mconn_at(F_ADMIN, 50123, F_ARC1, 3389);
    for (t = s->t0 + 230 * MS, n = 0; t < s->end; t += s->dt, n++) {
        mc_s(t, &rdp, 200);
        if (n % 3 == 0)
            mc_c(t + 40 * MS, &rdp, 40);
    }

    /* X11: the application 10.10.9.82 draws on the display 10.10.9.81:6000;
     * requests every 4 s, an event back every 20 s. */
    mconn x = mconn_at(F_XCLI, 50321, F_XSRV, 6000);
    for (t = s->t0 + 300 * MS, n = 0; t < s->end; t += 4 * SEC, n++) {
        mc_c(t, &x, 160);
        if (n % 5 == 0)
            mc_s(t + 5 * MS, &x, 32);
        else if (n % 5 == 2)
            mc_s(t + 5 * MS, &x, 0);
    }

    /* Web: every 30 s a client fetches a page from 10.10.9.80. */
    for (t = s->t0 + 7 * SEC, n = 0; t < s->end - SEC; t += 30 * SEC, n++)
        http_conn(t, cli((n * 3 + 5) % NCLI), 50500 + (unsigned)n, F_WEB, 80, "intranet.site.local",
                  "/", 1100);

    /* iperf: 10.10.9.71 sends 100 x 1400 bytes to 10.10.9.72:5001 with a
     * handshake and a close, 30 s into the capture. */
    {
        addr c = F_IPERF_C, v = F_IPERF_S;
        uint32_t cs = 0x2a000000, ss = 0x5b000000;
        t = s->t0 + 30 * SEC;
        tcp(t, c, 41234, v, 5001, cs++, 0, SYN, 0);
        tcp(t + 200000, v, 5001, c, 41234, ss++, cs, SYN | ACK, 0);
        tcp(t + 400000, c, 41234, v, 5001, cs, ss, ACK, 0);
        t += MS;
        for (i = 0; i < 100; i++, t += 500000) {
            tcp(t, c, 41234, v, 5001, cs, ss, i % 10 == 9 ? PSH | ACK : ACK, 1400);
            cs += 1400;
            if (i % 2 == 1)
                tcp(t + 150000, v, 5001, c, 41234, ss, cs, ACK, 0);
        }
        tcp(t, c, 41234, v, 5001, cs++, ss, FIN | ACK, 0);
        tcp(t + 200000, v, 5001, c, 41234, ss++, cs, FIN | ACK, 0);
        tcp(t + 400000, c, 41234, v, 5001, cs, ss, ACK, 0);
    }

    /* ARP every 30 s. */
    for (t = s->t0 + 11 * SEC, n = 0; t < s->end - SEC; t += 30 * SEC, n++)
        arp_pair(t, cli((n * 11) % NCLI), n % 2 ? F_GW1 : F_DNS);
}

/* ---- faults -------------------------------------------------------------- */

/* Dropped playback: clients first..first+nc-1 try Archiver 10.10.0.20:6061
 * every 3 s from a new source port: a SYN and its retransmission 1 s later,
 * never answered. */
static void fault_dropped(const fsite *s, int first, int nc)
{
    for (int k = 0; k < nc; k++) {
        unsigned n = 0;
        for (uint64_t t = s->t0 + SEC + (uint64_t)k * 100 * MS; t + SEC < s->end; t += 3 * SEC, n++) {
            unsigned sp = 52000 + (unsigned)k * 256 + n;
            uint32_t isn = 0x31000000u + (uint32_t)k * 0x10000u + n * 977u;
            tcp(t, cli(first + k), sp, F_ARC1, 6061, isn, 0, SYN, 0);
            tcp(t + SEC, cli(first + k), sp, F_ARC1, 6061, isn, 0, SYN, 0);
        }
    }
}

/* Refused: clients 111-118 SYN to the second Gateway 10.10.0.12:5002 every
 * 5 s from a new source port; RST|ACK in answer. */
static void fault_refused(const fsite *s)
{
    for (int k = 0; k < 8; k++) {
        unsigned n = 0;
        for (uint64_t t = s->t0 + 2 * SEC + (uint64_t)k * 250 * MS; t < s->end; t += 5 * SEC, n++) {
            unsigned sp = 55000 + (unsigned)k * 128 + n;
            uint32_t isn = 0x42000000u + (uint32_t)k * 0x10000u + n * 1231u;
            tcp(t, cli(10 + k), sp, F_GW2, 5002, isn, 0, SYN, 0);
            tcp(t + 400000, F_GW2, 5002, cli(10 + k), sp, 0, isn + 1, RST | ACK, 0);
        }
    }
}

/* ICMP-rejected encoder streams: encoders 35-38 stream to the second
 * Archiver 10.10.0.21:15010-15013 once a second; the router 10.10.0.1 answers
 * every 2nd datagram of each with type 3 code 13, quoting 28 bytes. */
static void fault_icmp(const fsite *s)
{
    for (int k = 0; k < 4; k++) {
        unsigned n = 0;
        for (uint64_t t = s->t0 + 500 * MS + (uint64_t)k * 113 * MS; t < s->end; t += SEC, n++) {
            udp(t, enc(4 + k), 40020, F_ARC2, 15010 + (unsigned)k, s->vsz);
            if (n % 2 == 0) {
                frame q = last();
                icmp_err(t + 250000, F_RTR, enc(4 + k), 3, 13, &q, 28);
            }
        }
    }
}

/* Reversed bulk UDP: clients 121-124 send 1200-byte datagrams into the
 * second Gateway's 8001-8004, bursts of 5 (33 ms apart) every 30 s; the
 * Gateway sends a 40-byte datagram back every 30 s. */
static void fault_reversed(const fsite *s)
{
    for (int k = 0; k < 4; k++) {
        addr c = cli(20 + k);
        unsigned cp = 57000 + (unsigned)k, gp = 8001 + (unsigned)k;
        for (uint64_t t = s->t0 + 10 * SEC + (uint64_t)k * 2 * SEC; t + SEC < s->end; t += 30 * SEC) {
            udp_stream(t, c, cp, F_GW2, gp, 5, 1200, 33 * MS);
            udp(t + 500 * MS, F_GW2, gp, c, cp, 40);
        }
    }
}

/* Wrong transport: clients 125-129 send UDP to the Archiver's playback
 * port 6065 every 20 s, from a new source port each time: a request and its
 * repeat 1 s later. */
static void fault_wrong_transport(const fsite *s)
{
    for (int k = 0; k < 5; k++) {
        unsigned n = 0;
        for (uint64_t t = s->t0 + 4 * SEC + (uint64_t)k * 3 * SEC; t + SEC < s->end; t += 20 * SEC, n++) {
            unsigned sp = 56000 + (unsigned)k * 64 + n;
            udp(t, cli(24 + k), sp, F_ARC1, 6065, 120);
            udp(t + SEC, cli(24 + k), sp, F_ARC1, 6065, 120);
        }
    }
}

/* Multicast conflict: a foreign source 10.10.8.31 sends to encoder 31's
 * group 239.10.0.5:47806 throughout (encoder 31 starts first). */
static void fault_multicast(const fsite *s)
{
    for (uint64_t t = s->t0 + 700 * MS; t < s->end; t += s->dt)
        udp(t, F_FOREIGN, 40010, F_MC_CONFLICT, 47806, s->vsz);
}

/* ---- the captures ---------------------------------------------------------- */

static fsite site_of(uint64_t seconds, uint64_t dt, uint32_t vsz, uint64_t cdt)
{
    fsite s;
    s.t0 = T0 * SEC;
    s.end = s.t0 + seconds * SEC;
    s.dt = dt;
    s.vsz = vsz;
    s.cdt = cdt;
    return s;
}

static const char six_hosts[] =
    "# field-six-problems.hosts — roles for pcaps/field-*.pcap (tests/gen/README.md)\n"
    "# The noise hosts (10.10.9.0/24), the router 10.10.0.1 and the foreign\n"
    "# multicast source 10.10.8.31 are left undeclared on purpose.\n"
    "10.10.0.10    directory           dir1\n"
    "10.10.0.11    gateway             gw1-primary\n"
    "10.10.0.12    gateway             gw2\n"
    "10.10.0.15    dfc                 dfc1\n"
    "10.10.0.16    failover-directory  dir2\n"
    "10.10.0.20    archiver            arch1\n"
    "10.10.0.21    archiver            arch2\n"
    "10.10.0.40    federation          fed1\n"
    "10.10.5.10    remote-gateway      remote-gw1\n"
    "10.10.2.0/24  encoder\n"
    "10.10.3.0/24  client\n";

void write_field(const char *dir)
{
    fsite s;
    capture_grow(40000);

    s = site_of(600, 4 * SEC, 100, 8 * SEC);
    reset();
    site_omnicast(&s);
    site_noise(&s);
    fault_dropped(&s, 0, 10);
    sort_capture();
    write_pcap(dir, "field-dropped-playback.pcap", LT_EN10MB, 0, 0, 262144, 0);

    s = site_of(300, 2 * SEC, 100, 6 * SEC);
    reset();
    site_omnicast(&s);
    site_noise(&s);
    fault_dropped(&s, 0, 10);
    fault_refused(&s);
    fault_icmp(&s);
    fault_reversed(&s);
    fault_wrong_transport(&s);
    fault_multicast(&s);
    sort_capture();
    write_pcap(dir, "field-six-problems.pcap", LT_EN10MB, 0, 0, 262144, 0);
    write_text(dir, "field-six-problems.hosts", six_hosts);

    s = site_of(120, SEC, 200, 4 * SEC);
    reset();
    site_omnicast(&s);
    site_noise(&s);
    sort_capture();
    write_pcap(dir, "field-healthy.pcap", LT_EN10MB, 0, 0, 262144, 0);
}
