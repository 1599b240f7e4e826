/* gen_audit.c — the site-audit captures of the generator: one small site
 * (Directory, Gateway, DFC, an Archiver with two unicast encoders and one
 * multicast encoder, a client network outside firewall fw1), captured
 *   healthy          — every flow the site file needs, in its documented
 *                      direction, nothing else Omnicast;
 *   blocked-archiver — the same, plus a second Archiver beyond the firewall
 *                      that the firewall blocks: its encoder's UDP is
 *                      answered with ICMP administratively prohibited, the
 *                      Gateway's playback SYNs are dropped, its stream to the
 *                      Gateway never starts;
 *   missing-encoder  — the healthy site where encoder cam2 never streams,
 *                      an undeclared host streams to the Archiver instead, and
 *                      a client opens TCP 6001 on an undeclared server inside.
 * The site files are written next to the captures (pcaps/audit-*.site).
 * Test data only: the product reads every port from rules/omnicast4.rules. */
#include "gen.h"

#define A_DIR A4(10, 1, 0, 10)
#define A_GW A4(10, 1, 0, 13)
#define A_DFC A4(10, 1, 0, 11)
#define A_ARC A4(10, 1, 0, 20)
#define A_CAM1 A4(10, 2, 0, 31)
#define A_CAM2 A4(10, 2, 0, 32)
#define A_CAM3 A4(10, 2, 0, 33)
#define A_CAM4 A4(10, 2, 0, 34)
#define A_CLI A4(10, 3, 0, 23)
#define A_CLI2 A4(10, 3, 0, 24)
#define A_ARC2 A4(10, 5, 0, 21)   /* beyond the firewall */
#define A_FW A4(10, 1, 0, 1)      /* the firewall's inside address */
#define A_STRAY A4(10, 2, 0, 99)  /* an encoder the site file does not know */
#define A_MC A4(239, 10, 0, 3)
#define A_VM A4(10, 1, 0, 50)     /* a Virtual Matrix the site file does not know */

static const char healthy_site[] =
    "# audit-healthy.site — the site of pcaps/audit-*.pcap (grammar: rules/example.site)\n"
    "# ADDRESS-or-CIDR  ROLE[,ROLE...]  name\n"
    "10.1.0.10          directory       dir1\n"
    "10.1.0.13          gateway         gw1\n"
    "10.1.0.11          dfc             dfc1\n"
    "10.1.0.20          archiver        arch1\n"
    "10.2.0.31          encoder         cam1\n"
    "10.2.0.32          encoder         cam2\n"
    "10.2.0.33          encoder         cam3\n"
    "10.3.0.0/24        client\n"
    "\n"
    "record arch1 unicast cam1 cam2\n"
    "record arch1 multicast cam3\n"
    "unused multicast-audio           # the cameras have no microphones\n"
    "firewall fw1 inside 10.1.0.0/16 10.2.0.0/16\n";

static const char blocked_site[] =
    "# audit-blocked-archiver.site — audit-healthy.site plus a second Archiver beyond\n"
    "# the firewall, recording cam4 (grammar: rules/example.site)\n"
    "10.1.0.10          directory       dir1\n"
    "10.1.0.13          gateway         gw1\n"
    "10.1.0.11          dfc             dfc1\n"
    "10.1.0.20          archiver        arch1\n"
    "10.5.0.21          archiver        arch2\n"
    "10.2.0.31          encoder         cam1\n"
    "10.2.0.32          encoder         cam2\n"
    "10.2.0.33          encoder         cam3\n"
    "10.2.0.34          encoder         cam4\n"
    "10.3.0.0/24        client\n"
    "\n"
    "record arch1 unicast cam1 cam2\n"
    "record arch1 multicast cam3\n"
    "record arch2 unicast cam4\n"
    "unused multicast-audio\n"
    "firewall fw1 inside 10.1.0.0/16 10.2.0.0/16\n";

/* The Gateway, Directory, DFC and client flows of the site. */
static void audit_core(uint64_t t)
{
    tcp_conn(t, A_GW, 40000, A_DIR, 7998, 2, 60, 2, 60);
    tcp_conn(t + 1 * SEC, A_CLI, 51000, A_GW, 5001, 2, 200, 2, 400);
    udp(t + 2 * SEC, A_CLI, 50000, A_GW, 8000, 32);
    udp(t + 2 * SEC + 5 * MS, A_GW, 8000, A_CLI, 50000, 32);
    udp_stream(t + 2500 * MS, A_GW, 8001, A_CLI, 50002, 8, 1300, 33 * MS);
    tcp_conn(t + 3 * SEC, A_CLI, 51001, A_GW, 5002, 1, 100, 6, 1400);
    tcp_conn(t + 4 * SEC, A_CLI2, 51002, A_GW, 80, 1, 300, 2, 1200);
    tcp_conn(t + 5 * SEC, A_CLI, 51003, A_DFC, 7999, 1, 100, 1, 100);
}

/* The Archiver: recording, playback, its stream to the Gateway. */
static void audit_archiver(uint64_t t, int with_cam2)
{
    udp_stream(t, A_CAM1, 40000, A_ARC, 15000, 8, 1300, 33 * MS);
    if (with_cam2)
        udp_stream(t + 10 * MS, A_CAM2, 40000, A_ARC, 15002, 8, 1300, 33 * MS);
    udp_stream(t + 20 * MS, A_CAM3, 40010, A_MC, 47806, 8, 1300, 33 * MS);
    tcp_conn(t + 1 * SEC, A_CLI, 51004, A_ARC, 6061, 1, 80, 5, 1400);
    tcp_conn(t + 2 * SEC, A_GW, 41000, A_ARC, 6062, 1, 80, 5, 1400);
    udp_stream(t + 3 * SEC, A_ARC, 41001, A_GW, 28000, 8, 1300, 33 * MS);
}

/* The second Archiver, blocked by the firewall. */
static void audit_blocked(uint64_t t)
{
    udp_stream(t, A_CAM4, 40000, A_ARC2, 15000, 3, 1300, 33 * MS);
    frame q = last();
    icmp_err(t + 70 * MS, A_FW, A_CAM4, 3, 13, &q, 28);
    syn_retries(t + 1 * SEC, A_GW, 41010, A_ARC2, 6060, 3);
    tcp_conn(t + 2 * SEC, A_CLI2, 51010, A_ARC2, 6060, 1, 80, 3, 1400);
}

/* Write the audit captures into dir. */
void write_audit(const char *dir)
{
    uint64_t t = T0 * SEC;
    reset();
    audit_core(t);
    audit_archiver(t + 6 * SEC, 1);
    sort_capture();
    write_pcap(dir, "audit-healthy.pcap", LT_EN10MB, 0, 0, 262144, 0);
    write_text(dir, "audit-healthy.site", healthy_site);

    reset();
    audit_core(t);
    audit_archiver(t + 6 * SEC, 1);
    audit_blocked(t + 10 * SEC);
    sort_capture();
    write_pcap(dir, "audit-blocked-archiver.pcap", LT_EN10MB, 0, 0, 262144, 0);
    write_text(dir, "audit-blocked-archiver.site", blocked_site);

    reset();
    audit_core(t);
    audit_archiver(t + 6 * SEC, 0);
    udp_stream(t + 6 * SEC + 10 * MS, A_STRAY, 40000, A_ARC, 15002, 8, 1300, 33 * MS);
    tcp_conn(t + 10 * SEC, A_CLI, 51020, A_VM, 6001, 1, 100, 3, 1400);
    sort_capture();
    write_pcap(dir, "audit-missing-encoder.pcap", LT_EN10MB, 0, 0, 262144, 0);
}
