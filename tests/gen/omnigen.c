/* omnigen.c — writes omnisniff's sample captures (pcaps/) deterministically.
 *
 * usage: omnigen OUTDIR
 *        omnigen --bench KIND N FILE   (benchmark captures: gen_bench.c)
 *        omnigen --fuzz-seeds DIR      (fuzz_decode seeds from the tunnel
 *                                       captures: gen_tunnels.c)
 *
 * Every frame is built byte by byte (Ethernet, VLAN tags, Linux cooked v1/v2,
 * BSD loopback, raw IP; IPv4 and IPv6 with extension headers; TCP, UDP,
 * ICMP/ICMPv6 with correct checksums) and written as classic pcap (either
 * byte order, µs or ns) or pcapng. Times start at 2026-01-15 10:00:00 UTC and
 * never depend on the clock, so the output is the same on every run; a ctest
 * checks the committed captures against it. The site and its addresses are
 * described in tests/gen/README.md. Test data only: the product reads every
 * port from rules/omnicast4.rules. */
#include "gen.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the site --------------------------------------------------------- */


/* ARP who-has 10.1.0.20 tell 10.3.0.23, and the reply. */
static void arp_pair(uint64_t t)
{
    uint8_t b[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 0x17, 0x08, 0x06,
                      0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 0x17, 10, 3, 0, 23,
                      0, 0, 0, 0, 0, 0, 10, 1, 0, 20 };
    ether_raw(t, b, 42);
    b[21] = 2;
    memcpy(b, b + 6, 6);
    ether_raw(t + MS, b, 42);
}

/* Every traffic role of the spec, in its documented direction. */
static void site_omnicast(uint64_t t)
{
    tcp_conn(t, GW2, 40000, DIR, 7998, 2, 60, 2, 60);
    tcp_conn(t + 1 * SEC, CLI, 51000, GW, 5001, 3, 200, 3, 400);
    udp_stream(t + 2 * SEC, CLI, 50000, GW, 8000, 2, 32, 10 * MS);
    udp_stream(t + 2 * SEC + 5 * MS, GW, 8000, CLI, 50000, 2, 32, 10 * MS);
    udp_stream(t + 2500 * MS, GW, 8001, CLI, 50002, 20, 1300, 33 * MS);
    tcp_conn(t + 4 * SEC, CLI, 51001, GW, 5002, 1, 100, 10, 1400);
    tcp_conn(t + 5 * SEC, CLI2, 51002, GW, 80, 1, 300, 2, 1200);
    udp_stream(t + 6 * SEC, ENC1, 40000, ARC, 15000, 10, 1300, 33 * MS);
    udp_stream(t + 6 * SEC + 10 * MS, ENC2, 40000, ARC, 15002, 10, 1300, 33 * MS);
    udp(t + 6 * SEC + 500 * MS, ARC, 15000, ENC1, 40000, 40);
    udp_stream(t + 8 * SEC, ARC, 41000, GW, 28000, 15, 1300, 33 * MS);
    udp_stream(t + 10 * SEC, ENC1, 40010, MC1, 47806, 10, 1300, 33 * MS);
    udp_stream(t + 10 * SEC + 5 * MS, ENC1, 40011, MC1, 47807, 5, 200, 66 * MS);
    udp_stream(t + 10 * SEC + 10 * MS, ENC2, 40010, MC2, 47806, 10, 1300, 33 * MS);
    tcp_conn(t + 12 * SEC, CLI, 51003, ARC, 6061, 1, 80, 10, 1400);
    tcp_conn(t + 14 * SEC, CLI, 51004, DFC, 7999, 2, 100, 2, 100);
    tcp_conn(t + 15 * SEC, FODIR, 52001, GW, 5001, 2, 150, 2, 150);
    tcp_conn(t + 16 * SEC, FED, 52002, RGW, 5001, 2, 200, 2, 300);
    tcp_conn(t + 16 * SEC + 500 * MS, FED, 52003, RGW, 5002, 1, 100, 5, 1400);
    tcp_conn(t + 18 * SEC, RGW, 52004, FED, 6000, 5, 1400, 1, 100);
    tcp_conn(t + 19 * SEC, CLI, 51005, VM, 6001, 1, 100, 5, 1400);
}

/* DNS, NTP, SSH and ARP: traffic that is not Omnicast. */
static void site_background(uint64_t t)
{
    udp(t, CLI, 53000, INFRA, 53, 40);
    udp(t + MS, INFRA, 53, CLI, 53000, 80);
    udp(t + 2 * SEC, CLI, 123, INFRA, 123, 48);
    udp(t + 2 * SEC + MS, INFRA, 123, CLI, 123, 48);
    tcp_conn(t + 3 * SEC, CLI, 51010, ARC, 22, 3, 64, 3, 128);
    arp_pair(t + 4 * SEC);
}

static void build_site(void)
{
    reset();
    site_omnicast(T0 * SEC);
    site_background(T0 * SEC + 20 * SEC);
    sort_capture();
}

/* ---- other captures --------------------------------------------------- */

/* The same six packets for every link type. */
static void build_small(void)
{
    uint64_t t = T0 * SEC;
    reset();
    tcp(t, CLI, 51000, GW, 5001, 1000, 0, SYN, 0);
    tcp(t + MS, GW, 5001, CLI, 51000, 50000, 1001, SYN | ACK, 0);
    tcp(t + 2 * MS, CLI, 51000, GW, 5001, 1001, 50001, ACK, 0);
    tcp(t + 3 * MS, CLI, 51000, GW, 5001, 1001, 50001, PSH | ACK, 120);
    udp(t + 4 * MS, ENC1, 40000, ARC, 15000, 1300);
    udp(t + 5 * MS, ENC1, 40000, ARC, 15000, 1300);
}

/* One 5-tuple on VLAN 100, on QinQ 200/300 and untagged: three flows. */
static void build_vlan(void)
{
    uint64_t t = T0 * SEC;
    reset();
    for (int i = 0; i < 6; i++) {
        frame *f = udp(t + (uint64_t)i * MS, ENC1, 40000, ARC, 15000, 1300);
        if (i < 2) {
            f->nvlan = 1, f->vlan[0] = 100;
        } else if (i < 4) {
            f->nvlan = 2, f->vlan[0] = 200, f->vlan[1] = 300, f->tpid0 = 0x88a8;
        }
    }
}


static void build_ipv6(void)
{
    uint64_t t = T0 * SEC;
    addr gw = A6(0xfd00, 1, 0x10), arc = A6(0xfd00, 1, 0x20), enc = A6(0xfd00, 2, 0x31);
    addr cli = A6(0xfd00, 3, 0x23), rtr = A6(0xfd00, 1, 1), mc = A6(0xff15, 0, 0);
    ext hop = { 2, { 0, 60 }, 0 }, f1 = { 1, { 44 }, 0x0001 }, f2 = { 1, { 44 }, 185 << 3 };
    reset();
    be16(mc.b + 12, 0x10), be16(mc.b + 14, 1); /* ff15::10:1 */
    tcp_conn(t, cli, 51000, gw, 5001, 2, 200, 2, 400);
    for (int i = 0; i < 3; i++)
        udpx(t + SEC + (uint64_t)i * 33 * MS, enc, 40000, arc, 15000, 1200, &hop);
    udpx(t + 2 * SEC, enc, 40001, arc, 15001, 1472, &f1);
    frame *second = newf(t + 2 * SEC + MS);
    uint8_t data[300];
    fill(data, sizeof data, 7);
    ip_wrap(second, &enc, &arc, 17, data, sizeof data, &f2, 0);
    tcp(t + 3 * SEC, cli, 51020, arc, 6062, 2000, 0, SYN, 0);
    frame q = pop();
    icmp_err(t + 3 * SEC + MS, rtr, cli, 1, 1, &q, q.len);
    udp_stream(t + 4 * SEC, enc, 40010, mc, 47806, 5, 1300, 33 * MS);
}

/* One defect a packet; comments name the defect (see tests/gen/README.md). */
static void build_malformed(void)
{
    uint64_t t = T0 * SEC;
    ext ten = { 10, { 60, 60, 60, 60, 60, 60, 60, 60, 60, 60 }, 0 }, one = { 1, { 60 }, 0 };
    addr e6 = A6(0xfd00, 2, 0x31), a6 = A6(0xfd00, 1, 0x20);
    frame *f;
    reset();
    udp(t, ENC1, 40000, ARC, 15000, 100)->ip[0] = 0x44;            /* 1 IPv4 IHL 4 */
    udp(t + 1 * MS, ENC1, 40000, ARC, 15000, 100)->ip[0] = 0x55;   /* 2 version 5 */
    be16(udp(t + 2 * MS, ENC1, 40000, ARC, 15000, 100)->ip + 2, 16); /* 3 total < IHL*4 */
    f = udp(t + 3 * MS, ENC1, 40000, ARC, 15000, 100);             /* 4 total > frame */
    be16(f->ip + 2, f->len + 100);
    f = udp(t + 4 * MS, e6, 40000, a6, 15000, 100);                /* 5 v6 payload > frame */
    be16(f->ip + 4, f->len);
    udpx(t + 5 * MS, e6, 40000, a6, 15000, 100, &ten);             /* 6 10 ext headers */
    udpx(t + 6 * MS, e6, 40000, a6, 15000, 100, &one)->ip[41] = 20; /* 7 ext past payload */
    tcp(t + 7 * MS, CLI, 51000, GW, 5001, 1, 0, SYN, 0)->ip[32] = 3 << 4;  /* 8 offset 3 */
    tcp(t + 8 * MS, CLI, 51000, GW, 5001, 1, 0, SYN, 0)->ip[32] = 15 << 4; /* 9 offset 15 */
    be16(udp(t + 9 * MS, ENC1, 40000, ARC, 15000, 100)->ip + 24, 4);   /* 10 UDP length 4 */
    be16(udp(t + 10 * MS, ENC1, 40000, ARC, 15000, 100)->ip + 24, 500); /* 11 UDP > IP */
    f = newf(t + 11 * MS);                                          /* 12 ICMP, 4 bytes */
    uint8_t four[4] = { 8, 0, 0, 0 };
    addr s = CLI, d = GW;
    ip_wrap(f, &s, &d, 1, four, 4, NULL, 0);
    uint8_t tiny[10] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0 };
    ether_raw(t + 12 * MS, tiny, 10);                               /* 13 10-byte frame */
    f = udp(t + 13 * MS, ENC1, 40000, ARC, 15000, 100);            /* 14 caplen > wirelen */
    f->wire_override = 14 + f->len - 10;
    udpx(t + 14 * MS, ENC1, 40020, ARC, 15000, 1472, NULL);        /* 15 first fragment */
    g.f[g.n - 1].ip[6] = 0x20, g.f[g.n - 1].ip[7] = 0;
    f = newf(t + 15 * MS);                                          /* 16 fragment offset 185 */
    uint8_t data[200];
    fill(data, sizeof data, 3);
    s = ENC1, d = ARC;
    ip_wrap(f, &s, &d, 17, data, sizeof data, NULL, 185);
    udp(t + 16 * MS, ENC1, 40000, ARC, 15002, 100);                /* 17 ICMP port unreachable */
    frame q = pop();
    icmp_err(t + 16 * MS, ARC, ENC1, 3, 3, &q, 28);
    tcp(t + 17 * MS, CLI, 51000, ARC, 6061, 1, 0, SYN, 0);         /* 18 admin prohibited */
    q = pop();
    icmp_err(t + 17 * MS, INFRA, CLI, 3, 13, &q, 28);
    udp(t + 18 * MS, ENC1, 40000, ARC, 15000, 100);                /* 19-21 healthy */
    udp(t + 19 * MS, ENC2, 40000, ARC, 15002, 100);
    tcp(t + 20 * MS, CLI, 51001, GW, 5001, 1, 0, SYN, 0);
    udp(t + 21 * MS, ENC1, 40000, ARC, 15000, 100)->caplen_override = 14 + 10; /* 22 cut in IPv4 */
    tcp(t + 22 * MS, CLI, 51002, GW, 5001, 1, 0, SYN, 0)->caplen_override = 14 + 20 + 10; /* 23 cut in TCP */
}

/* A UDP datagram in 3 fragments and a TCP segment in 2. */
static void build_fragments(void)
{
    uint64_t t = T0 * SEC;
    addr s = ENC1, d = ARC, c = CLI, gw = GW;
    uint8_t l4[3000];
    reset();
    be16(l4, 40000), be16(l4 + 2, 15000), be16(l4 + 4, 8 + 2992), be16(l4 + 6, 0);
    fill(l4 + 8, 2992, 1);
    for (int i = 0; i < 3; i++) {
        uint16_t off = (uint16_t)(i * 1000 / 8), mf = i < 2 ? 0x2000 : 0;
        ip_wrap(newf(t + (uint64_t)i * MS), &s, &d, 17, l4 + i * 1000, 1000, NULL,
                (uint16_t)(mf | off | (i == 0 ? 0 : 0)));
        if (i == 0)
            g.f[g.n - 1].ip[6] = 0x20, g.f[g.n - 1].ip[7] = 0;
    }
    memset(l4, 0, 20);
    be16(l4, 51000), be16(l4 + 2, 5001), be32(l4 + 4, 1), l4[12] = 5 << 4, l4[13] = PSH | ACK;
    fill(l4 + 20, 1580, 2);
    ip_wrap(newf(t + 10 * MS), &c, &gw, 6, l4, 800, NULL, 0x2000);
    g.f[g.n - 1].ip[6] = 0x20, g.f[g.n - 1].ip[7] = 0;
    ip_wrap(newf(t + 11 * MS), &c, &gw, 6, l4 + 800, 800, NULL, 100);
}


/* The site capture cut inside its 21st record. */
static void write_cut(const char *dir)
{
    static const uint8_t junk[37] = { 0 };
    char path[1024];
    build_site();
    g.n = 20;
    write_pcap(dir, "cut-mid-record.pcap", LT_EN10MB, 0, 0, 262144, 20);
    snprintf(path, sizeof path, "%s/cut-mid-record.pcap", dir);
    FILE *o = fopen(path, "ab");
    if (!o)
        exit(1);
    w32(o, (uint32_t)T0 + 30, 0), w32(o, 0, 0), w32(o, 1000, 0), w32(o, 1000, 0);
    fwrite(junk, 1, sizeof junk, o);
    fclose(o);
}

static const char site_hosts[] =
    "# omnicast-site.hosts — host roles of the sample site (pcaps/omnicast-site.*)\n"
    "# ADDRESS-or-CIDR  ROLE[,ROLE...]       name\n"
    "10.1.0.10          directory,gateway    dir-gw1\n"
    "10.1.0.11          dfc                  dfc1\n"
    "10.1.0.12          failover-directory   dir2\n"
    "10.1.0.13          gateway              gw-primary\n"
    "10.1.0.20          archiver             arch1\n"
    "10.2.0.0/24        encoder\n"
    "10.3.0.0/24        client\n"
    "10.1.0.40          federation           fed1\n"
    "10.9.0.10          remote-gateway       remote-gw\n"
    "10.1.0.50          virtual-matrix       vm1\n";

/* ---- findings: one capture per finding kind --------------------------- *
 *
 * Each findings-*.pcap exercises ONE finding kind of docs/omnicast-roles.md section 3 (the
 * positives), next to healthy traffic of the same roles that must not be
 * flagged (the negatives); its hosts file declares what the check needs
 * (ports shared with other software are flagged only where host roles make
 * the flow Omnicast). healthy-extras.pcap must raise no error or warning with
 * or without its hosts file. tests/gen/README.md lists what each should
 * yield; the golden cases find-* pin omnisniff's answers. */


/* reversed-direction: TCP opened by the service side from its port (v4 and
 * v6), and bulk UDP against each documented direction. */
static void build_f_reversed(void)
{
    uint64_t t = T0 * SEC;
    reset();
    tcp_conn(t, GW, 5001, CLI, 51000, 2, 200, 2, 200);          /* Gateway opens from 5001 */
    udp_stream(t + 1 * SEC, CLI, 50000, GW, 8001, 20, 1300, 33 * MS); /* client -> 8001 bulk */
    udp_stream(t + 2 * SEC, GW, 28000, ARC, 41000, 15, 1300, 33 * MS); /* Gateway -> Archiver */
    udp_stream(t + 3 * SEC, ARC, 15000, ENC1, 40000, 10, 1300, 33 * MS); /* Archiver -> encoder */
    tcp_conn(t + 4 * SEC, GW6, 5001, CLI6, 51000, 1, 200, 1, 200); /* v6: Gateway opens */
    tcp_conn(t + 5 * SEC, CLI, 51001, GW, 5001, 2, 200, 2, 400); /* healthy: client opens */
    udp_stream(t + 6 * SEC, ARC, 41001, GW, 28002, 15, 1300, 33 * MS); /* healthy: Archiver -> GW */
    sort_capture();
}

static const char reversed_hosts[] =
    "# findings-reversed.hosts — roles for pcaps/findings-reversed.pcap\n"
    "10.1.0.10   directory,gateway  dir-gw1\n"
    "10.1.0.20   archiver           arch1\n"
    "10.2.0.0/24 encoder\n"
    "10.3.0.0/24 client\n"
    "fd00:1::10  gateway            gw-v6\n"
    "fd00:3::/48 client\n";

/* wrong-transport: UDP to the Archiver's playback port, TCP to the
 * Gateway's Archiver-stream port. */
static void build_f_wrong_transport(void)
{
    uint64_t t = T0 * SEC;
    reset();
    udp_stream(t, CLI, 50000, ARC, 6065, 3, 200, 100 * MS);      /* UDP to playback 6065 */
    tcp(t + 1 * SEC, CLI, 51000, GW, 28001, 1000, 0, SYN, 0);    /* TCP SYN to 28001 */
    tcp_conn(t + 2 * SEC, CLI, 51001, ARC, 6065, 1, 80, 4, 1400); /* healthy: TCP playback */
    udp_stream(t + 3 * SEC, ARC, 41000, GW, 28001, 10, 1300, 33 * MS); /* healthy: UDP 28001 */
    sort_capture();
}

static const char wrong_transport_hosts[] =
    "# findings-wrong-transport.hosts — roles for pcaps/findings-wrong-transport.pcap\n"
    "10.1.0.10   directory,gateway  dir-gw1\n"
    "10.1.0.20   archiver           arch1\n"
    "10.3.0.0/24 client\n";

/* unexpected-peer: a second Gateway on the Directory port, the Archiver's
 * Gateway stream sent to a client, the failover Directory reaching the
 * Directory on its own port. */
static void build_f_unexpected_peer(void)
{
    uint64_t t = T0 * SEC;
    reset();
    tcp_conn(t, GW2, 40000, DIR, 7998, 2, 60, 2, 60);           /* healthy: primary Gateway */
    tcp_conn(t + 1 * SEC, GW3, 40001, DIR, 7998, 2, 60, 2, 60);  /* a second Gateway */
    udp_stream(t + 2 * SEC, ARC, 41000, CLI, 28000, 15, 1300, 33 * MS); /* Archiver -> client */
    tcp_conn(t + 3 * SEC, FODIR, 52000, DIR, 7998, 1, 100, 1, 100); /* failover -> 7998 */
    tcp_conn(t + 4 * SEC, FODIR, 52001, GW, 5001, 2, 150, 2, 150); /* healthy: through 5001 */
    udp_stream(t + 5 * SEC, ARC, 41001, GW, 28002, 10, 1300, 33 * MS); /* healthy: to Gateway */
    sort_capture();
}

static const char unexpected_peer_hosts[] =
    "# findings-unexpected-peer.hosts — roles for pcaps/findings-unexpected-peer.pcap\n"
    "10.1.0.10   directory,gateway   dir-gw1\n"
    "10.1.0.12   failover-directory  dir2\n"
    "10.1.0.13   gateway             gw-primary\n"
    "10.1.0.14   gateway             gw-second\n"
    "10.1.0.20   archiver            arch1\n"
    "10.3.0.0/24 client\n";

/* unanswered-connection: SYN retries to playback, one last SYN to the DFC;
 * a capture joined mid-connection is no unanswered SYN. */
static void build_f_unanswered(void)
{
    uint64_t t = T0 * SEC;
    reset();
    syn_retries(t, CLI, 51000, ARC, 6061, 3);                    /* 3 SYNs, 0 + 1 + 2 s */
    tcp_midstream(t + 1 * SEC, CLI, 51002, GW, 5001, 3, 200, 300, 0); /* healthy: no SYN seen */
    tcp_midstream(t + 2 * SEC, CLI, 51003, ARC, 6062, 3, 0, 1400, 1); /* healthy: server first */
    tcp_conn(t + 4 * SEC, CLI, 51004, DFC, 7999, 1, 100, 1, 100); /* healthy: answered */
    tcp(t + 5 * SEC, CLI, 51001, DFC, 7999, 3000, 0, SYN, 0);    /* one SYN, end of capture */
    sort_capture();
}

static const char unanswered_hosts[] =
    "# findings-unanswered.hosts — roles for pcaps/findings-unanswered.pcap\n"
    "10.1.0.10   directory,gateway  dir-gw1\n"
    "10.1.0.11   dfc                dfc1\n"
    "10.1.0.20   archiver           arch1\n"
    "10.3.0.0/24 client\n";

/* connection-refused: RST|ACK in answer to SYNs on the Gateway's video port
 * (shared with iperf: needs the hosts file) and on a playback port. */
static void build_f_refused(void)
{
    uint64_t t = T0 * SEC;
    reset();
    tcp(t, CLI, 51000, GW, 5002, 1000, 0, SYN, 0);               /* SYN to 5002 */
    tcp(t + MS, GW, 5002, CLI, 51000, 0, 1001, RST | ACK, 0);    /* refused */
    tcp(t + 1 * SEC, CLI, 51001, ARC, 6063, 2000, 0, SYN, 0);    /* SYN to playback 6063 */
    tcp(t + 1 * SEC + MS, ARC, 6063, CLI, 51001, 0, 2001, RST | ACK, 0); /* refused */
    tcp_conn(t + 2 * SEC, CLI, 51002, GW, 5002, 1, 100, 5, 1400); /* healthy: accepted */
    sort_capture();
}

static const char refused_hosts[] =
    "# findings-refused.hosts — roles for pcaps/findings-refused.pcap\n"
    "10.1.0.10   directory,gateway  dir-gw1\n"
    "10.1.0.20   archiver           arch1\n"
    "10.3.0.0/24 client\n";

/* icmp-unreachable: errors quoting Omnicast flows (the quoted SYNs are not
 * in the capture: it sees only the error), and one quoting DNS. */
static void build_f_icmp(void)
{
    uint64_t t = T0 * SEC;
    frame q;
    reset();
    tcp(t, CLI, 51000, ARC, 6061, 1000, 0, SYN, 0);              /* quoted: SYN to 6061 */
    q = pop();
    icmp_err(t + MS, INFRA, CLI, 3, 13, &q, 28);                 /* admin prohibited: error */
    udp(t + 1 * SEC, ENC1, 40000, ARC, 15000, 1300);             /* encoder -> Archiver */
    q = last();
    icmp_err(t + 1 * SEC + MS, ARC, ENC1, 3, 3, &q, 28);         /* port unreachable: warning */
    tcp(t + 2 * SEC, CLI6, 51000, GW6, 5001, 1000, 0, SYN, 0);   /* quoted: v6 SYN to 5001 */
    q = pop();
    icmp_err(t + 2 * SEC + MS, RTR6, CLI6, 1, 1, &q, q.len);     /* v6 admin prohibited: error */
    udp(t + 3 * SEC, CLI, 53000, INFRA, 53, 40);                 /* healthy: DNS query */
    q = last();
    icmp_err(t + 3 * SEC + MS, INFRA, CLI, 3, 3, &q, 28);        /* not Omnicast: no finding */
    sort_capture();
}

static const char icmp_hosts[] =
    "# findings-icmp.hosts — roles for pcaps/findings-icmp.pcap\n"
    "10.1.0.20   archiver           arch1\n"
    "10.2.0.0/24 encoder\n"
    "10.3.0.0/24 client\n"
    "fd00:1::10  gateway            gw-v6\n"
    "fd00:3::/48 client\n";

/* multicast-*: two encoders on one group and port, an encoder on a port no
 * rule names, a group outside 239.10.0.1 + 16 (multicast-range.rules). */
static void build_f_multicast(void)
{
    uint64_t t = T0 * SEC;
    reset();
    udp_stream(t, ENC1, 40010, MC1, 47806, 10, 1300, 33 * MS);   /* first source on .1 */
    udp_stream(t + 1 * SEC, ENC2, 40010, MC1, 47806, 10, 1300, 33 * MS); /* second: conflict */
    udp_stream(t + 2 * SEC, ENC1, 40012, MC9, 47900, 10, 1300, 33 * MS); /* port 47900 */
    udp_stream(t + 3 * SEC, ENC3, 40010, MCX, 47806, 10, 1300, 33 * MS); /* out of range */
    udp_stream(t + 4 * SEC, ENC2, 40011, MC2, 47806, 10, 1300, 33 * MS); /* healthy: own group */
    udp_stream(t + 4 * SEC + 5 * MS, ENC1, 40011, MC1, 47807, 5, 200, 66 * MS); /* healthy audio */
    sort_capture();
}

/* role-conflict: 10.1.0.20 is declared a client, but two encoders stream to
 * its 15000-16000, which makes it an Archiver. */
static void build_f_role_conflict(void)
{
    uint64_t t = T0 * SEC;
    reset();
    udp_stream(t, ENC1, 40000, ARC, 15000, 10, 1300, 33 * MS);
    udp_stream(t + 10 * MS, ENC2, 40000, ARC, 15002, 10, 1300, 33 * MS);
    tcp_conn(t + 1 * SEC, CLI, 51000, GW, 5001, 2, 200, 2, 400); /* healthy: a client */
    sort_capture();
}

static const char role_conflict_hosts[] =
    "# findings-role-conflict.hosts — 10.1.0.20 is wrongly declared a client\n"
    "10.1.0.10   directory,gateway  dir-gw1\n"
    "10.1.0.20   client             not-really-a-client\n"
    "10.3.0.0/24 client\n";

/* undocumented-port: a client and the Archiver on TCP 9999. */
static void build_f_undocumented(void)
{
    uint64_t t = T0 * SEC;
    reset();
    tcp_conn(t, CLI, 51000, ARC, 9999, 2, 100, 2, 300);          /* no rule covers 9999 */
    tcp_conn(t + 1 * SEC, CLI, 51001, ARC, 6061, 1, 80, 3, 1400); /* healthy: playback */
    udp(t + 2 * SEC, CLI, 53000, INFRA, 53, 40);                  /* healthy: DNS, unknown host */
    udp(t + 2 * SEC + MS, INFRA, 53, CLI, 53000, 80);
    sort_capture();
}

static const char undocumented_hosts[] =
    "# findings-undocumented.hosts — roles for pcaps/findings-undocumented.pcap\n"
    "10.1.0.20   archiver           arch1\n"
    "10.3.0.0/24 client\n";

/* Healthy IPv4 traffic the findings must accept: midstream connections,
 * discovery both ways, small Archiver replies, normal connections. */
static void healthy_v4(uint64_t t)
{
    tcp_midstream(t, CLI, 51000, GW, 5001, 3, 200, 300, 0);          /* joined late, client first */
    tcp_midstream(t + 1 * SEC, CLI, 51001, GW, 5002, 3, 0, 1400, 1); /* joined late, video */
    tcp_midstream(t + 2 * SEC, GW2, 40000, DIR, 7998, 2, 60, 60, 1); /* late, Directory first */
    tcp_midstream(t + 3 * SEC, CLI, 51002, ARC, 6061, 3, 0, 1400, 1); /* joined late, playback */
    udp_stream(t + 4 * SEC, CLI, 50000, GW, 8000, 2, 32, 10 * MS); /* discovery, both ways */
    udp_stream(t + 4 * SEC + 5 * MS, GW, 8000, CLI, 50000, 2, 32, 10 * MS);
    udp_stream(t + 5 * SEC, ENC1, 40000, ARC, 15000, 10, 1300, 33 * MS);
    udp_stream(t + 5 * SEC + 10 * MS, ENC2, 40000, ARC, 15002, 10, 1300, 33 * MS);
    udp_stream(t + 5 * SEC + 500 * MS, ARC, 15000, ENC1, 40000, 3, 40, 20 * MS); /* replies */
    udp(t + 5 * SEC + 600 * MS, ARC, 15002, ENC2, 40000, 40);
    tcp_conn(t + 7 * SEC, CLI, 51003, GW, 5001, 3, 200, 3, 400);
    tcp_conn(t + 8 * SEC, CLI2, 51004, GW, 5002, 1, 100, 8, 1400);
    udp_stream(t + 9 * SEC, GW, 8001, CLI, 50002, 10, 1300, 33 * MS);
    udp_stream(t + 10 * SEC, ARC, 41000, GW, 28000, 10, 1300, 33 * MS);
}

/* The same over IPv6. */
static void healthy_v6(uint64_t t)
{
    tcp_conn(t, CLI6, 51000, GW6, 5001, 2, 200, 2, 400);
    tcp_midstream(t + 1 * SEC, CLI6, 51001, GW6, 5002, 3, 0, 1200, 1);
    udp_stream(t + 2 * SEC, ENC6, 40000, ARC6, 15000, 6, 1200, 33 * MS);
    udp_stream(t + 2 * SEC + 10 * MS, ENC6B, 40000, ARC6, 15001, 5, 1200, 33 * MS);
    udp(t + 2 * SEC + 400 * MS, ARC6, 15000, ENC6, 40000, 40);
    tcp_conn(t + 3 * SEC, CLI6, 51002, ARC6, 6061, 1, 80, 4, 1200);
}

static void build_healthy_extras(void)
{
    reset();
    healthy_v4(T0 * SEC);
    healthy_v6(T0 * SEC + 12 * SEC);
    sort_capture();
}

static const char healthy_hosts[] =
    "# healthy-extras.hosts — roles for pcaps/healthy-extras.pcap\n"
    "10.1.0.10   directory,gateway  dir-gw1\n"
    "10.1.0.13   gateway            gw-primary\n"
    "10.1.0.20   archiver           arch1\n"
    "10.2.0.0/24 encoder\n"
    "10.3.0.0/24 client\n"
    "fd00:1::10  gateway            gw-v6\n"
    "fd00:1::20  archiver           arch-v6\n"
    "fd00:2::/48 encoder\n"
    "fd00:3::/48 client\n";

/* A Gateway whose command port is 4812 (tests/golden/data/nondefault-4812.rules)
 * opens a connection from it; with the default rules 4812 is no role. */
static void build_f_nondefault(void)
{
    uint64_t t = T0 * SEC;
    reset();
    tcp_conn(t, CLI, 51000, GW, 4812, 2, 200, 2, 400);           /* healthy: client -> 4812 */
    tcp_conn(t + 1 * SEC, GW, 4812, CLI2, 51001, 1, 200, 1, 200); /* Gateway opens from 4812 */
    sort_capture();
}

static const char nondefault_hosts[] =
    "# findings-nondefault.hosts — roles for pcaps/findings-nondefault.pcap\n"
    "10.1.0.10   directory,gateway  dir-gw1\n"
    "10.3.0.0/24 client\n";

/* Every findings capture: file stem, builder, hosts file (NULL: none). */
static const struct fcap {
    const char *stem;
    void (*build)(void);
    const char *hosts;
} fcaps[] = {
    { "findings-reversed", build_f_reversed, reversed_hosts },
    { "findings-wrong-transport", build_f_wrong_transport, wrong_transport_hosts },
    { "findings-unexpected-peer", build_f_unexpected_peer, unexpected_peer_hosts },
    { "findings-unanswered", build_f_unanswered, unanswered_hosts },
    { "findings-refused", build_f_refused, refused_hosts },
    { "findings-icmp", build_f_icmp, icmp_hosts },
    { "findings-multicast", build_f_multicast, NULL },
    { "findings-role-conflict", build_f_role_conflict, role_conflict_hosts },
    { "findings-undocumented", build_f_undocumented, undocumented_hosts },
    { "healthy-extras", build_healthy_extras, healthy_hosts },
    { "findings-nondefault", build_f_nondefault, nondefault_hosts },
};

/* Every findings capture and its hosts file. */
static void write_findings(const char *dir)
{
    char name[96];
    for (size_t i = 0; i < sizeof fcaps / sizeof fcaps[0]; i++) {
        fcaps[i].build();
        snprintf(name, sizeof name, "%s.pcap", fcaps[i].stem);
        write_pcap(dir, name, LT_EN10MB, 0, 0, 262144, 0);
        if (fcaps[i].hosts) {
            snprintf(name, sizeof name, "%s.hosts", fcaps[i].stem);
            write_text(dir, name, fcaps[i].hosts);
        }
    }
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "pcaps";
    if (!(g.f = calloc(MAXP, sizeof *g.f)))
        return 1;
    if (argc == 5 && strcmp(argv[1], "--bench") == 0) { /* gen_bench.c */
        int ok = write_bench(argv[2], strtoull(argv[3], NULL, 10), argv[4]);
        if (!ok)
            fprintf(stderr, "omnigen: unknown benchmark capture '%s' (site, snap96, flows, churn, synstorm, soak; the site in a tunnel: vxlan, geneve, erspan, gre, mpls, pppoe, ipip)\n", argv[2]);
        free(g.f);
        return ok ? 0 : 1;
    }
    if (argc == 3 && strcmp(argv[1], "--fuzz-seeds") == 0) { /* gen_tunnels.c */
        write_tunnel_seeds(argv[2]);
        free(g.f);
        return 0;
    }
    build_site();
    write_pcap(dir, "omnicast-site.pcap", LT_EN10MB, 0, 0, 262144, 0);
    write_pcap(dir, "omnicast-site-snap96.pcap", LT_EN10MB, 0, 0, 96, 0);
    write_pcapng(dir, "omnicast-site.pcapng", LT_EN10MB, 1, 1);
    write_cut(dir);
    build_small();
    write_pcap(dir, "linktype-sll.pcap", LT_SLL, 0, 0, 262144, 0);
    write_pcap(dir, "linktype-sll2.pcap", LT_SLL2, 0, 0, 262144, 0);
    write_pcap(dir, "linktype-raw.pcap", LT_RAW, 1, 1, 262144, 0);
    write_pcap(dir, "linktype-null.pcap", LT_NULL, 0, 0, 262144, 0);
    write_pcap(dir, "linktype-loop.pcap", LT_LOOP, 0, 0, 262144, 0);
    g.n = 2;
    write_pcap(dir, "unknown-linktype.pcap", LT_USER0, 0, 0, 262144, 0);
    build_vlan();
    write_pcap(dir, "vlan-qinq.pcap", LT_EN10MB, 0, 0, 262144, 0);
    build_ipv6();
    write_pcapng(dir, "ipv6-site.pcapng", LT_EN10MB, 0, 0);
    build_malformed();
    write_pcap(dir, "malformed.pcap", LT_EN10MB, 0, 0, 262144, 0);
    build_fragments();
    write_pcap(dir, "fragments.pcap", LT_EN10MB, 0, 0, 262144, 0);
    reset();
    write_pcap(dir, "empty.pcap", LT_EN10MB, 0, 0, 262144, 0);
    write_text(dir, "not-a-capture.pcap", "this is not a capture: omnisniff must say so "
               "in one line and exit 2, never guess.\n");
    write_text(dir, "omnicast-site.hosts", site_hosts);
    write_findings(dir);
    write_hostile(dir);
    write_audit(dir);
    write_field(dir); /* last: it grows the frame buffer */
    { void write_streams(const char *); write_streams(dir); } /* gen_streams.c */
    write_tunnels(dir);
    free(g.f);
    return 0;
}
