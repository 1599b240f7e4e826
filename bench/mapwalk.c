/* mapwalk.c — the floor of any reader that maps a classic pcap file: map
 * it (MADV_SEQUENTIAL, as omnisniff's reader does), walk the record
 * headers and read each packet's ports, nothing else: no decoding checks,
 * no flows, no output. It shows what touching each packet costs on this
 * machine (page faults of the mapping and one cache miss per record), the
 * part of omnisniff's time no per-packet optimisation can remove. Built by
 * bench/run.sh; not part of the product and not installed. Assumes a
 * little-endian, microsecond, Ethernet capture of untagged IPv4 (the
 * generator's site capture); exits 2 on anything else.
 *
 * usage: mapwalk FILE */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* A little-endian 32-bit field of the file. */
static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int main(int argc, char **argv)
{
    struct stat st;
    int fd = argc == 2 ? open(argv[1], O_RDONLY) : -1;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < 24) {
        fprintf(stderr, "usage: mapwalk FILE (a classic pcap file)\n");
        return 2;
    }
    size_t size = (size_t)st.st_size, off = 24;
    const uint8_t *m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED || le32(m) != 0xa1b2c3d4 || le32(m + 20) != 1) {
        fprintf(stderr, "mapwalk: %s: not a little-endian microsecond Ethernet pcap\n", argv[1]);
        return 2;
    }
    madvise((void *)m, size, MADV_SEQUENTIAL);
    unsigned long long n = 0, sum = 0;
    while (off + 16 <= size) {
        uint32_t caplen = le32(m + off + 8);
        const uint8_t *d = m + off + 16;
        if (caplen > size - off - 16)
            break;
        /* ports of IPv4 without options: bytes 34..37 of the frame */
        if (caplen >= 38 && d[12] == 0x08 && d[13] == 0x00)
            sum += (unsigned)(d[34] << 8 | d[35]) + (unsigned)(d[36] << 8 | d[37]);
        off += 16 + (size_t)caplen;
        n++;
    }
    printf("%llu packets, port sum %llu\n", n, sum);
    return 0;
}
