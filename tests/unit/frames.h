/* frames.h — build Ethernet/IPv4/IPv6/TCP/UDP/ICMP frames in memory for
 * unit tests. Lengths and header fields are correct by default; a test that
 * wants a defect pokes bytes at the documented offsets afterwards.
 * Offsets for an untagged IPv4 frame: IP at 14, transport at 34.
 * Checksums are left zero: omnisniff never verifies them. */
#ifndef TEST_FRAMES_H
#define TEST_FRAMES_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

typedef struct fb {
    uint8_t b[4096]; /* frame bytes */
    size_t n;        /* length */
} fb;

static void fb_be16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

static uint8_t *fb_put(fb *f, size_t n)
{
    uint8_t *p = f->b + f->n;
    memset(p, 0, n);
    f->n += n;
    return p;
}

/* Ethernet header with `nvlan` tags (ids in vlan[], first tag type tpid0). */
static void fb_eth(fb *f, unsigned type, const uint16_t *vlan, int nvlan, unsigned tpid0)
{
    uint8_t *p = fb_put(f, 12);
    p[0] = 2, p[5] = 2, p[6] = 2, p[11] = 1;
    for (int i = 0; i < nvlan; i++) {
        p = fb_put(f, 4);
        fb_be16(p, i == 0 && tpid0 ? tpid0 : 0x8100);
        fb_be16(p + 2, vlan[i]);
    }
    fb_be16(fb_put(f, 2), type);
}

/* IPv4 header (20 + optlen bytes) for `l4len` bytes of transport. */
static void fb_ipv4(fb *f, const char *src, const char *dst, uint8_t proto, size_t l4len,
                    size_t optlen, unsigned frag)
{
    uint8_t *p = fb_put(f, 20 + optlen);
    p[0] = (uint8_t)(0x40 | ((20 + optlen) / 4));
    fb_be16(p + 2, (unsigned)(20 + optlen + l4len));
    fb_be16(p + 6, frag);
    p[8] = 64;
    p[9] = proto;
    inet_pton(AF_INET, src, p + 12);
    inet_pton(AF_INET, dst, p + 16);
    for (size_t i = 0; i < optlen; i++)
        p[20 + i] = 1; /* NOP options */
}

/* IPv6 header: next header `nh`, payload length plen. */
static void fb_ipv6(fb *f, const char *src, const char *dst, uint8_t nh, size_t plen)
{
    uint8_t *p = fb_put(f, 40);
    p[0] = 0x60;
    fb_be16(p + 4, (unsigned)plen);
    p[6] = nh;
    p[7] = 64;
    inet_pton(AF_INET6, src, p + 8);
    inet_pton(AF_INET6, dst, p + 24);
}

/* An 8-byte IPv6 extension header (options or fragment) followed by `next`. */
static void fb_ext8(fb *f, uint8_t next, unsigned fragword)
{
    uint8_t *p = fb_put(f, 8);
    p[0] = next;
    fb_be16(p + 2, fragword);
}

/* TCP header with data offset `doff` words (>= 5) and `paylen` zero bytes. */
static void fb_tcp(fb *f, unsigned sport, unsigned dport, uint8_t flags, unsigned doff,
                   size_t paylen)
{
    uint8_t *p = fb_put(f, doff * 4);
    fb_be16(p, sport);
    fb_be16(p + 2, dport);
    p[4] = 0x11, p[7] = 0x22; /* seq 0x11000022 */
    p[12] = (uint8_t)(doff << 4);
    p[13] = flags;
    fb_put(f, paylen);
}

/* UDP header and `paylen` payload bytes. */
static void fb_udp(fb *f, unsigned sport, unsigned dport, size_t paylen)
{
    uint8_t *p = fb_put(f, 8);
    fb_be16(p, sport);
    fb_be16(p + 2, dport);
    fb_be16(p + 4, (unsigned)(8 + paylen));
    fb_put(f, paylen);
}

/* ICMP/ICMPv6 header (8 bytes) then the quoted bytes q[0..qn). */
static void fb_icmp(fb *f, uint8_t type, uint8_t code, const uint8_t *q, size_t qn)
{
    uint8_t *p = fb_put(f, 8);
    p[0] = type, p[1] = code;
    if (qn)
        memcpy(fb_put(f, qn), q, qn);
}

/* Ready-made: Ethernet + IPv4 + UDP with `paylen` bytes. */
static void fb_udp4(fb *f, const char *s, unsigned sp, const char *d, unsigned dp, size_t paylen)
{
    f->n = 0;
    fb_eth(f, 0x0800, NULL, 0, 0);
    fb_ipv4(f, s, d, 17, 8 + paylen, 0, 0x4000);
    fb_udp(f, sp, dp, paylen);
}

/* Ready-made: Ethernet + IPv4 + TCP (20-byte header) with `paylen` bytes. */
static void fb_tcp4(fb *f, const char *s, unsigned sp, const char *d, unsigned dp, uint8_t fl,
                    size_t paylen)
{
    f->n = 0;
    fb_eth(f, 0x0800, NULL, 0, 0);
    fb_ipv4(f, s, d, 6, 20 + paylen, 0, 0x4000);
    fb_tcp(f, sp, dp, fl, 5, paylen);
}

#endif
