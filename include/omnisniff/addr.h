/* addr.h — IP addresses by value: parse, print, compare, multicast, prefixes.
 *
 * os_addr holds an IPv4 or IPv6 address by value (flow keys and host tables
 * need owned copies of the 4/16 address bytes; payload is never copied).
 * Every layer names hosts with it; the hosts, site and rules files parse
 * into it and every report prints it from here. */
#ifndef OMNISNIFF_ADDR_H
#define OMNISNIFF_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An IPv4 or IPv6 address. IPv4 uses b[0..3], the rest is zero. */
typedef struct os_addr {
    uint8_t ver;    /* 4 or 6 (0 = unset) */
    uint8_t b[16];  /* address bytes, network order */
} os_addr;

#define OS_ADDRSTRLEN 46 /* INET6_ADDRSTRLEN */

/* Four address bytes (of an os_addr or a decoded packet's address) as a
 * big-endian number: such numbers order as memcmp orders the bytes. */
static inline uint32_t os_addr_be32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Build an os_addr from 4 or 16 raw bytes (ver 4 or 6). */
os_addr os_addr_from(uint8_t ver, const uint8_t *bytes);

/* Parse a textual IPv4/IPv6 address; false if it is not one. */
bool os_addr_parse(const char *s, os_addr *out);

/* "00" to "99", two characters each: decimal output two digits per division. */
extern const char os_digit_pairs[201];

/* Write the dotted quad of the 4 bytes b at p (at most 15 chars, no NUL);
 * returns the end of what was written. */
char *os_ipv4_fmt(const uint8_t *b, char *p);

/* Format an address into buf (>= OS_ADDRSTRLEN); returns buf. */
const char *os_addr_str(const os_addr *a, char *buf);

/* True if a is in a multicast range (224.0.0.0/4 or ff00::/8). */
bool os_addr_is_multicast(const os_addr *a);

/* True if a lies within net/plen (same family; plen in bits). */
bool os_addr_in_prefix(const os_addr *a, const os_addr *net, unsigned plen);

/* Compare two addresses (family first, then bytes): <0, 0, >0. */
int os_addr_cmp(const os_addr *a, const os_addr *b);

#endif
