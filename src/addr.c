/* addr.c — IP addresses by value: parse, print, compare, prefixes.
 *
 * Addresses are parsed with inet_pton; IPv6 is printed with inet_ntop,
 * IPv4 by hand (os_ipv4_fmt: the packet lines print two per packet). */
#include "omnisniff/addr.h"

#include <arpa/inet.h>
#include <string.h>

/* Build an os_addr from 4 or 16 raw bytes. */
os_addr os_addr_from(uint8_t ver, const uint8_t *bytes)
{
    os_addr a;
    memset(&a, 0, sizeof a);
    a.ver = ver;
    memcpy(a.b, bytes, ver == 6 ? 16 : 4);
    return a;
}

/* Parse a textual IPv4/IPv6 address. */
bool os_addr_parse(const char *s, os_addr *out)
{
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, s, out->b) == 1) {
        out->ver = 4;
        return true;
    }
    if (inet_pton(AF_INET6, s, out->b) == 1) {
        out->ver = 6;
        return true;
    }
    memset(out, 0, sizeof *out);
    return false;
}

/* Format an address into buf (>= OS_ADDRSTRLEN). */
const char *os_addr_str(const os_addr *a, char *buf)
{
    char *p = buf;
    if (a->ver == 6) {
        if (!inet_ntop(AF_INET6, a->b, buf, OS_ADDRSTRLEN))
            strcpy(buf, "?");
        return buf;
    }
    *os_ipv4_fmt(a->b, p) = '\0';
    return buf;
}

/* "00" to "99", two characters each. */
const char os_digit_pairs[201] =
    "0001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546474849"
    "5051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";

/* Dotted quad of 4 bytes at p, not terminated; returns the end. */
char *os_ipv4_fmt(const uint8_t *b, char *p)
{
    /* by hand, two digits at a time: glibc's inet_ntop formats it with
     * sprintf, which was half the time of a packet line in profiles */
    for (int i = 0; i < 4; i++) {
        unsigned v = b[i];
        if (i)
            *p++ = '.';
        if (v >= 100) {
            *p++ = (char)('0' + v / 100);
            v %= 100;
        } else if (v < 10) {
            *p++ = (char)('0' + v);
            continue;
        }
        memcpy(p, os_digit_pairs + 2 * v, 2);
        p += 2;
    }
    return p;
}

/* True for 224.0.0.0/4 and ff00::/8. */
bool os_addr_is_multicast(const os_addr *a)
{
    return a->ver == 4 ? (a->b[0] & 0xf0) == 0xe0 : a->ver == 6 && a->b[0] == 0xff;
}

/* True if a lies within net/plen. */
bool os_addr_in_prefix(const os_addr *a, const os_addr *net, unsigned plen)
{
    unsigned full = plen / 8, rest = plen % 8;
    if (a->ver != net->ver || plen > (a->ver == 6 ? 128u : 32u))
        return false;
    if (memcmp(a->b, net->b, full) != 0)
        return false;
    if (!rest)
        return true;
    uint8_t mask = (uint8_t)(0xff00 >> rest);
    return (a->b[full] & mask) == (net->b[full] & mask);
}

/* Family first, then bytes. */
int os_addr_cmp(const os_addr *a, const os_addr *b)
{
    if (a->ver != b->ver)
        return a->ver < b->ver ? -1 : 1;
    return memcmp(a->b, b->b, sizeof a->b);
}
