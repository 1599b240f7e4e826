/* pkt.h — build decoded packets (os_pkt) directly for flow/classify tests.
 * Addresses are parsed from text into static storage that outlives the
 * packet (a small ring, enough for a few packets in flight). */
#ifndef TEST_PKT_H
#define TEST_PKT_H

#include <string.h>

#include "omnisniff/addr.h"
#include "omnisniff/decode.h"

static uint8_t *tp_addr(const char *s, uint8_t *ver)
{
    static uint8_t ring[16][16];
    static unsigned k;
    os_addr a;
    uint8_t *b = ring[k++ % 16];
    if (!os_addr_parse(s, &a))
        return NULL;
    memcpy(b, a.b, 16);
    *ver = a.ver;
    return b;
}

/* A decoded packet: proto 6/17/1, src:sport > dst:dport, TCP flags, wire length. */
static os_pkt tp_make(uint8_t proto, const char *src, uint16_t sport, const char *dst,
                      uint16_t dport, uint8_t flags, uint32_t wirelen)
{
    os_pkt p;
    memset(&p, 0, sizeof p);
    p.src = tp_addr(src, &p.ipver);
    p.dst = tp_addr(dst, &p.ipver);
    p.proto = proto;
    p.sport = sport;
    p.dport = dport;
    p.tcp_flags = flags;
    p.caplen = p.wirelen = wirelen;
    return p;
}

#endif
