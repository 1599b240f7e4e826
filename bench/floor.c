/* floor.c — the benchmark floor: the least a libpcap program can do per
 * packet. A bare pcap_next_ex loop that reads each packet's two ports
 * (Ethernet, optional 802.1Q tag, IPv4 or IPv6 without extension headers,
 * TCP or UDP) and sums them so the compiler cannot drop the reads. Built by
 * bench/run.sh; not part of the product and not installed.
 *
 * usage: floor FILE */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

/* The two ports of an Ethernet frame, summed; 0 when it has none. */
static unsigned ports(const u_char *d, uint32_t caplen)
{
    uint32_t off = 12, l4;
    unsigned et;
    if (caplen < 14)
        return 0;
    et = (unsigned)d[12] << 8 | d[13];
    if (et == 0x8100 && caplen >= 18)
        off += 4, et = (unsigned)d[16] << 8 | d[17];
    off += 2;
    if (et == 0x0800 && caplen >= off + 20 && (d[off + 9] == 6 || d[off + 9] == 17))
        l4 = off + (uint32_t)(d[off] & 0x0f) * 4;
    else if (et == 0x86dd && caplen >= off + 40 && (d[off + 6] == 6 || d[off + 6] == 17))
        l4 = off + 40;
    else
        return 0;
    if (caplen < l4 + 4)
        return 0;
    return ((unsigned)d[l4] << 8 | d[l4 + 1]) + ((unsigned)d[l4 + 2] << 8 | d[l4 + 3]);
}

int main(int argc, char **argv)
{
    char ebuf[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr *h;
    const u_char *d;
    unsigned long long n = 0, sum = 0;
    pcap_t *p;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: floor FILE\n");
        return 2;
    }
    if (!(p = pcap_open_offline(argv[1], ebuf))) {
        fprintf(stderr, "floor: %s\n", ebuf);
        return 2;
    }
    while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
        n++;
        sum += ports(d, h->caplen);
    }
    pcap_close(p);
    printf("%llu packets, port sum %llu\n", n, sum);
    return rc == PCAP_ERROR ? 1 : 0;
}
