/* decode.c — zero-copy decoder: link layer → IPv4/IPv6 → TCP/UDP/ICMP,
 * through tunnels (tunnels.c opens them and comes back here).
 *
 * Validate-then-fill: each layer checks what it needs through the bounds-
 * checked cursor (bytes.h) before it fills the view, and says why it
 * stopped. Captured bytes and wire bytes are tracked side by side: `cur`
 * covers what was captured, `wire` counts what was on the link from the
 * same point, so a header cut by the snaplen (truncated) is told apart from
 * a header that does not fit in the frame or contradicts itself (malformed). */
#include "omnisniff/decode.h"

#include <pcap/pcap.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "omnisniff/bytes.h"

#include "decode_int.h"

#define R(e, s) s,
static const char *const reason_names[] = { OS_REASONS(R) };
#undef R

/* Stable id of a reason. */
const char *os_reason_name(os_reason r)
{
    return (unsigned)r < OS_R_COUNT ? reason_names[r] : "unknown";
}

/* The names of each status: its stable id and its words for people. */
static const struct {
    const char *id;    /* JSON key, text summary, packet line */
    const char *words; /* the Markdown report */
} status_names[] = {
    [OS_DEC_OK] = { "ok", "ok" },
    [OS_DEC_NOT_IP] = { "not_ip", "not IP" },
    [OS_DEC_FRAGMENT] = { "fragment", "non-first fragment" },
    [OS_DEC_OTHER_PROTO] = { "other_proto", "other protocol" },
    [OS_DEC_TRUNCATED] = { "truncated", "truncated" },
    [OS_DEC_MALFORMED] = { "malformed", "malformed" },
};

#define E(e, s) s,
static const char *const encap_names[] = { OS_ENCAPS(E) };
#undef E

/* Stable id of an encapsulation. */
const char *os_encap_name(os_encap_type t)
{
    return (unsigned)t < OS_ENC_COUNT ? encap_names[t] : "unknown";
}

/* Add a VXLAN or Geneve port. */
bool os_decode_cfg_add(os_decode_cfg *cfg, bool geneve, uint16_t port)
{
    uint8_t *n = geneve ? &cfg->n_geneve : &cfg->n_vxlan;
    if (*n >= OS_MAX_TUNNEL_PORTS)
        return false;
    (geneve ? cfg->geneve_port : cfg->vxlan_port)[(*n)++] = port;
    cfg->quick |= 1ULL << (port & 63);
    return true;
}

/* Stable id of a status. */
const char *os_decode_status_name(os_decode_status s)
{
    return (unsigned)s <= OS_DEC_MALFORMED ? status_names[s].id : "unknown";
}

/* A status in words. */
const char *os_decode_status_words(os_decode_status s)
{
    return (unsigned)s <= OS_DEC_MALFORMED ? status_names[s].words : "unknown";
}

/* Transport name as EVE writes it. */
const char *os_proto_name(uint8_t proto, char buf[4])
{
    switch (proto) {
    case 6: return "TCP";
    case 17: return "UDP";
    case 1: return "ICMP";
    case 58: return "IPv6-ICMP";
    default:
        snprintf(buf, 4, "%u", proto);
        return buf;
    }
}

/* True if omnisniff can decode link type dlt. */
bool os_dlt_supported(int dlt)
{
    switch (dlt) {
    case DLT_EN10MB: case DLT_LINUX_SLL: case DLT_LINUX_SLL2: case DLT_RAW:
    case DLT_IPV4: case DLT_IPV6: case DLT_NULL: case DLT_LOOP:
        return true;
    default:
        return false;
    }
}

/* Stop: TRUNCATED if the wire had the n bytes the capture lacks, else MALFORMED. */
os_decode_status os_dc_cut(dc *d, size_t n, os_reason trunc, os_reason shrt)
{
    if (d->wire >= n) {
        d->why = trunc;
        return OS_DEC_TRUNCATED;
    }
    d->why = shrt;
    return OS_DEC_MALFORMED;
}

os_decode_status os_dc_bad(dc *d, os_reason r)
{
    d->why = r;
    return OS_DEC_MALFORMED;
}

/* Step over n bytes of header on the capture and the wire. */
void os_dc_advance(dc *d, size_t n)
{
    os_skip(&d->cur, n);
    d->wire = d->wire > n ? d->wire - n : 0;
}

/* Keep at most n bytes from here on (the claimed length of a layer). */
void os_dc_limit(dc *d, size_t n)
{
    if (d->cur.len > n)
        d->cur.len = n;
    if (d->wire > n)
        d->wire = n;
}

/* ---- transport -------------------------------------------------------- */

/* Payload view after a transport header of hl bytes; claimed = IP payload. */
static void set_payload(dc *d, size_t hl, size_t claimed)
{
    os_pkt *p = d->pkt;
    os_cur c = d->cur;
    p->payload_len = (uint32_t)(claimed - hl);
    if (os_skip(&c, hl)) {
        p->payload = c.p;
        p->payload_cap = (uint32_t)(c.len < p->payload_len ? c.len : p->payload_len);
    }
    p->payload_cut = p->payload_cap < p->payload_len;
}

static os_decode_status dec_tcp(dc *d)
{
    os_pkt *p = d->pkt;
    os_cur c = d->cur;
    size_t avail = d->wire;
    uint8_t off;

    if (avail < 20)
        return os_dc_bad(d, OS_R_TCP_SHORT);
    if (!os_have(&c, 20))
        return os_dc_cut(d, 20, OS_R_TCP_TRUNCATED, OS_R_TCP_SHORT);
    os_get_be16(&c, &p->sport);
    os_get_be16(&c, &p->dport);
    os_get_be32(&c, &p->tcp_seq);
    os_skip(&c, 4);
    os_get_u8(&c, &off);
    os_get_u8(&c, &p->tcp_flags);
    size_t hl = (size_t)(off >> 4) * 4;
    if (hl < 20 || hl > avail)
        return os_dc_bad(d, OS_R_TCP_BAD_OFFSET);
    set_payload(d, hl, avail); /* options cut by the snaplen: ports are known, still OK */
    return OS_DEC_OK;
}

static os_decode_status dec_udp(dc *d)
{
    os_pkt *p = d->pkt;
    os_cur c = d->cur;
    size_t avail = d->wire;
    uint16_t ulen;

    if (avail < 8)
        return os_dc_bad(d, OS_R_UDP_BAD_LENGTH);
    if (!os_have(&c, 8))
        return os_dc_cut(d, 8, OS_R_UDP_TRUNCATED, OS_R_UDP_BAD_LENGTH);
    os_get_be16(&c, &p->sport);
    os_get_be16(&c, &p->dport);
    os_get_be16(&c, &ulen);
    /* a first fragment carries the UDP length of the whole datagram: its
     * payload here is what the fragment holds */
    if (ulen < 8 || (ulen > avail && !p->ip_fragment))
        return os_dc_bad(d, OS_R_UDP_BAD_LENGTH);
    set_payload(d, 8, ulen);
    if (p->ip_fragment) { /* cut only if the snaplen took part of this fragment */
        size_t here = (ulen < avail ? ulen : avail) - 8;
        p->payload_cut = p->payload_cap < here;
        return OS_DEC_OK; /* a tunnel cut in pieces is not opened */
    }
    if (!d->cfg || !os_dc_tunnel_port(d->cfg, p->dport))
        return OS_DEC_OK;
    bool took;
    os_dc_limit(d, ulen);
    os_dc_advance(d, 8);
    os_decode_status st = os_dc_udp_tunnel(d, &took);
    return took ? st : OS_DEC_OK;
}

/* Ports of a quoted TCP/UDP header, if its first 4 bytes are there; a
 * TCP/UDP quote that ends before them was cut short (the quote stays valid:
 * addresses and transport are known). */
static os_reason quote_ports(os_cur *c, os_quoted *q)
{
    if (q->proto != 6 && q->proto != 17)
        return OS_R_NONE;
    if (!os_have(c, 4))
        return OS_R_ICMP_QUOTE_TRUNCATED;
    os_get_be16(c, &q->sport);
    os_get_be16(c, &q->dport);
    q->has_ports = true;
    return OS_R_NONE;
}

/* The IPv4 header quoted in an ICMP error. */
static os_reason quote_v4(os_cur c, os_quoted *q)
{
    uint8_t vhl;
    uint16_t frag;
    if (!os_have(&c, 20))
        return OS_R_ICMP_QUOTE_TRUNCATED;
    os_get_u8(&c, &vhl);
    size_t ihl = (size_t)(vhl & 15) * 4;
    if (vhl >> 4 != 4 || ihl < 20)
        return OS_R_ICMP_QUOTE_MALFORMED;
    os_skip(&c, 5);
    os_get_be16(&c, &frag);
    os_skip(&c, 1);
    os_get_u8(&c, &q->proto);
    os_skip(&c, 2);
    os_get_view(&c, 4, &q->src);
    os_get_view(&c, 4, &q->dst);
    q->ipver = 4;
    q->valid = true;
    if ((frag & 0x1fff) != 0)
        return OS_R_NONE; /* a later fragment: no transport header to quote */
    if (!os_skip(&c, ihl - 20))
        return q->proto == 6 || q->proto == 17 ? OS_R_ICMP_QUOTE_TRUNCATED : OS_R_NONE;
    return quote_ports(&c, q);
}

static bool is_ext(uint8_t nh) { return nh == 0 || nh == 43 || nh == 60 || nh == 51 || nh == 44; }

/* Walk quoted IPv6 extension headers (bounded) to the transport. */
static os_reason quote_v6(os_cur c, os_quoted *q)
{
    uint32_t vtf;
    uint8_t nh, len;
    if (!os_have(&c, 40))
        return OS_R_ICMP_QUOTE_TRUNCATED;
    os_get_be32(&c, &vtf);
    if (vtf >> 28 != 6)
        return OS_R_ICMP_QUOTE_MALFORMED;
    os_skip(&c, 2);
    os_get_u8(&c, &nh);
    os_skip(&c, 1);
    os_get_view(&c, 16, &q->src);
    os_get_view(&c, 16, &q->dst);
    q->ipver = 6;
    for (int i = 0; is_ext(nh); i++) {
        os_cur h = c;
        if (i >= OS_MAX_EXT)
            return OS_R_ICMP_QUOTE_MALFORMED; /* as ipv6-ext-too-many */
        if (!os_get_u8(&h, &len) || !os_get_u8(&h, &len))
            return OS_R_ICMP_QUOTE_TRUNCATED; /* transport unknown: not valid */
        size_t hl = nh == 51 ? ((size_t)len + 2) * 4 : nh == 44 ? 8 : ((size_t)len + 1) * 8;
        os_get_u8(&c, &nh);
        if (!os_skip(&c, hl - 1))
            return OS_R_ICMP_QUOTE_TRUNCATED;
    }
    q->proto = nh;
    q->valid = true;
    return quote_ports(&c, q);
}

static bool icmp_is_error(uint8_t proto, uint8_t type)
{
    if (proto == 1)
        return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
    return type >= 1 && type <= 4;
}

static os_decode_status dec_icmp(dc *d, uint8_t proto)
{
    os_pkt *p = d->pkt;
    os_cur c = d->cur;
    if (d->wire < 8)
        return os_dc_bad(d, OS_R_ICMP_SHORT);
    if (!os_have(&c, 8))
        return os_dc_cut(d, 8, OS_R_ICMP_TRUNCATED, OS_R_ICMP_SHORT);
    os_get_u8(&c, &p->icmp_type);
    os_get_u8(&c, &p->icmp_code);
    os_skip(&c, 6);
    set_payload(d, 8, d->wire);
    p->icmp_error = icmp_is_error(proto, p->icmp_type);
    if (p->icmp_error) {
        os_reason r = proto == 1 ? quote_v4(c, &p->quoted) : quote_v6(c, &p->quoted);
        if (r != OS_R_NONE)
            d->why = r;
    }
    return OS_DEC_OK;
}

static os_decode_status dec_l4(dc *d, uint8_t proto);

/* IPv4 Authentication Header (RFC 4302): stepped over to what it protects
 * (IPv6 walks it as an extension header). */
static os_decode_status dec_ah(dc *d)
{
    os_cur c = d->cur;
    uint8_t next, len;
    if (!os_have(&c, 2))
        return os_dc_cut(d, 2, OS_R_AH_TRUNCATED, OS_R_AH_BAD_LENGTH);
    os_get_u8(&c, &next);
    os_get_u8(&c, &len);
    size_t hl = ((size_t)len + 2) * 4;
    if (hl > d->wire)
        return os_dc_bad(d, OS_R_AH_BAD_LENGTH);
    if (!os_have(&d->cur, hl))
        return os_dc_cut(d, hl, OS_R_AH_TRUNCATED, OS_R_AH_BAD_LENGTH);
    os_dc_advance(d, hl);
    return next == 51 ? os_dc_bad(d, OS_R_AH_BAD_LENGTH) : dec_l4(d, next);
}

static os_decode_status dec_l4(dc *d, uint8_t proto)
{
    os_pkt *p = d->pkt;
    p->proto = proto;
    switch (proto) {
    case 6: return dec_tcp(d);
    case 17: return dec_udp(d);
    case 1: return p->ipver == 4 ? dec_icmp(d, 1) : OS_DEC_OTHER_PROTO;
    case 58: return p->ipver == 6 ? dec_icmp(d, 58) : OS_DEC_OTHER_PROTO;
    case 51: return p->ipver == 4 ? dec_ah(d) : OS_DEC_OTHER_PROTO;
    case 47: return p->ip_fragment ? OS_DEC_OTHER_PROTO : os_dc_gre(d);
    case 4: case 41: return p->ip_fragment ? OS_DEC_OTHER_PROTO : os_dc_ipip(d, proto);
    default: return OS_DEC_OTHER_PROTO;
    }
}

/* ---- IP --------------------------------------------------------------- */

/* The rest of the frame, for a length of 0 taken from it: what was on the
 * wire, or what was captured where a mirroring session cut the frame and
 * the wire length is unknown. */
static size_t frame_len(const dc *d)
{
    return d->wire_unknown ? d->cur.len : d->wire;
}

static os_decode_status dec_ipv4(dc *d)
{
    os_pkt *p = d->pkt;
    os_cur c = d->cur;
    uint8_t vhl, proto;
    uint16_t tot, frag;

    if (!os_have(&c, 20))
        return os_dc_cut(d, 20, OS_R_IPV4_TRUNCATED, OS_R_IPV4_SHORT);
    os_get_u8(&c, &vhl);
    size_t ihl = (size_t)(vhl & 15) * 4;
    if (vhl >> 4 != 4)
        return os_dc_bad(d, OS_R_IPV4_BAD_VERSION);
    if (ihl < 20)
        return os_dc_bad(d, OS_R_IPV4_BAD_IHL);
    os_skip(&c, 1);
    os_get_be16(&c, &tot);
    os_skip(&c, 2);
    os_get_be16(&c, &frag);
    os_get_u8(&c, &p->ttl);
    os_get_u8(&c, &proto);
    os_skip(&c, 2);
    os_get_view(&c, 4, &p->src);
    os_get_view(&c, 4, &p->dst);
    p->ipver = 4;
    p->proto = proto;
    size_t total = tot;
    if (tot == 0 && d->wire >= ihl) {
        total = frame_len(d); /* large-send offload: the frame says how long it is */
        d->why = OS_R_TSO_LENGTH_FROM_FRAME;
    }
    p->ip_len = (uint32_t)total;
    if (total < ihl)
        return os_dc_bad(d, OS_R_IPV4_BAD_TOTAL_LENGTH);
    if (total > d->wire)
        return os_dc_bad(d, OS_R_IPV4_LENGTH_EXCEEDS_WIRE);
    if (!os_have(&d->cur, ihl))
        return os_dc_cut(d, ihl, OS_R_IPV4_TRUNCATED, OS_R_IPV4_SHORT);
    os_dc_limit(d, total);
    os_dc_advance(d, ihl);
    p->ip_fragment = (frag & 0x3fff) != 0;
    if (frag & 0x1fff)
        return OS_DEC_FRAGMENT;
    return dec_l4(d, proto);
}

/* One IPv6 extension header at the cursor: sets *nh to the next one. */
static os_decode_status v6_ext(dc *d, uint8_t *nh)
{
    os_cur c = d->cur;
    uint8_t next, len;
    uint16_t frag;
    size_t hl;

    if (!os_have(&c, 2))
        return os_dc_cut(d, 2, OS_R_IPV6_EXT_TRUNCATED, OS_R_IPV6_EXT_BAD_LENGTH);
    os_get_u8(&c, &next);
    os_get_u8(&c, &len);
    hl = *nh == 51 ? ((size_t)len + 2) * 4 : *nh == 44 ? 8 : ((size_t)len + 1) * 8;
    if (hl > d->wire)
        return os_dc_bad(d, OS_R_IPV6_EXT_BAD_LENGTH);
    if (!os_have(&d->cur, hl))
        return os_dc_cut(d, hl, OS_R_IPV6_EXT_TRUNCATED, OS_R_IPV6_EXT_BAD_LENGTH);
    if (*nh == 44) {
        os_get_be16(&c, &frag);
        d->pkt->ip_fragment = true;
        if (frag >> 3) {
            d->pkt->proto = next;
            return OS_DEC_FRAGMENT;
        }
        d->pkt->ip_fragment = (frag & 1) != 0;
    }
    os_dc_advance(d, hl);
    *nh = next;
    return OS_DEC_OK;
}

static os_decode_status dec_ipv6(dc *d)
{
    os_pkt *p = d->pkt;
    os_cur c = d->cur;
    uint32_t vtf;
    uint16_t plen;
    uint8_t nh;

    if (!os_have(&c, 40))
        return os_dc_cut(d, 40, OS_R_IPV6_TRUNCATED, OS_R_IPV6_SHORT);
    os_get_be32(&c, &vtf);
    if (vtf >> 28 != 6)
        return os_dc_bad(d, OS_R_IPV6_BAD_VERSION);
    os_get_be16(&c, &plen);
    os_get_u8(&c, &nh);
    os_get_u8(&c, &p->ttl);
    os_get_view(&c, 16, &p->src);
    os_get_view(&c, 16, &p->dst);
    p->ipver = 6;
    p->proto = nh;
    if (plen == 0 && nh == 0)
        return os_dc_bad(d, OS_R_IPV6_JUMBOGRAM);
    size_t total = 40u + plen;
    if (plen == 0 && d->wire > 40) {
        total = frame_len(d); /* BIG TCP / large-send offload: no jumbo option */
        d->why = OS_R_TSO_LENGTH_FROM_FRAME;
    }
    p->ip_len = (uint32_t)total;
    if (total > d->wire)
        return os_dc_bad(d, OS_R_IPV6_LENGTH_EXCEEDS_WIRE);
    os_dc_limit(d, total);
    os_dc_advance(d, 40);
    for (int i = 0; is_ext(nh); i++) {
        if (i >= OS_MAX_EXT)
            return os_dc_bad(d, OS_R_IPV6_EXT_TOO_MANY);
        os_decode_status st = v6_ext(d, &nh);
        if (st != OS_DEC_OK)
            return st;
    }
    return dec_l4(d, nh);
}

/* ---- link layers ------------------------------------------------------ */

static os_decode_status dec_ethertype(dc *d, uint16_t type)
{
    switch (type) {
    case 0x0800: return dec_ipv4(d);
    case 0x86dd: return dec_ipv6(d);
    case 0x8847: case 0x8848: return os_dc_mpls(d);
    case 0x8864: return os_dc_pppoe(d);
    case 0x88e7: return os_dc_pbb(d);
    default: return OS_DEC_NOT_IP;
    }
}

static bool is_vlan(uint16_t t) { return t == 0x8100 || t == 0x88a8 || t == 0x9100; }

static os_decode_status dec_ether(dc *d)
{
    os_pkt *p = d->pkt;
    uint16_t type, tci;
    if (!os_have(&d->cur, 14))
        return os_dc_cut(d, 14, OS_R_LINK_TRUNCATED, OS_R_LINK_SHORT);
    os_skip(&d->cur, 12);
    os_get_be16(&d->cur, &type);
    d->wire -= 14;
    while (is_vlan(type)) {
        if (p->nvlan >= OS_MAX_VLAN)
            return os_dc_bad(d, OS_R_VLAN_TOO_DEEP);
        if (!os_have(&d->cur, 4))
            return os_dc_cut(d, 4, OS_R_VLAN_TRUNCATED, OS_R_LINK_SHORT);
        os_get_be16(&d->cur, &tci);
        os_get_be16(&d->cur, &type);
        d->wire -= 4;
        if (p->nvlan < 2)
            p->vlan[p->nvlan] = tci & 0x0fff;
        p->nvlan++;
    }
    return type <= 1500 ? OS_DEC_NOT_IP : dec_ethertype(d, type);
}

/* The Ethernet frame and EtherType a tunnel carries (decode_int.h). */
os_decode_status os_dc_ether(dc *d) { return dec_ether(d); }
os_decode_status os_dc_ethertype(dc *d, uint16_t type) { return dec_ethertype(d, type); }

/* An IP header whose version nibble decides (raw IP, MPLS, IP-in-IP). */
os_decode_status os_dc_ip_by_version(dc *d)
{
    uint8_t v;
    os_cur c = d->cur;
    if (!os_get_u8(&c, &v))
        return os_dc_cut(d, 1, OS_R_IPV4_TRUNCATED, OS_R_IPV4_SHORT);
    return v >> 4 == 6 ? dec_ipv6(d) : dec_ipv4(d); /* ipv4 reports a bad version */
}

/* Linux cooked v1 (16 bytes, protocol at 14) and v2 (20, protocol at 0). */
static os_decode_status dec_sll(dc *d, bool v2)
{
    size_t hl = v2 ? 20 : 16;
    uint16_t proto;
    os_cur c = d->cur;
    if (!os_have(&c, hl))
        return os_dc_cut(d, hl, OS_R_LINK_TRUNCATED, OS_R_LINK_SHORT);
    os_skip(&c, v2 ? 0 : 14);
    os_get_be16(&c, &proto);
    os_dc_advance(d, hl);
    return dec_ethertype(d, proto);
}

/* Raw IP: the version nibble decides (DLT_IPV4/IPV6 force it). */
static os_decode_status dec_raw(dc *d, int force)
{
    if (force)
        return force == 4 ? dec_ipv4(d) : dec_ipv6(d);
    return os_dc_ip_by_version(d);
}

/* BSD loopback: a 4-byte address family, host order (NULL) or network (LOOP). */
static os_decode_status dec_loop(dc *d)
{
    uint32_t af;
    os_cur c = d->cur;
    if (!os_get_le32(&c, &af))
        return os_dc_cut(d, 4, OS_R_LINK_TRUNCATED, OS_R_LINK_SHORT);
    if (af > 0xffff) /* written by a big-endian host, or DLT_LOOP */
        af = (af >> 24) | ((af >> 8) & 0xff00) | ((af << 8) & 0xff0000) | (af << 24);
    os_dc_advance(d, 4);
    if (af == 2)
        return dec_ipv4(d);
    if (af == 10 || af == 24 || af == 28 || af == 30)
        return dec_ipv6(d);
    return os_dc_bad(d, OS_R_LOOP_BAD_FAMILY);
}

/* Decode one frame of link type dlt. */
os_decode_status os_decode(const os_decode_cfg *cfg, int dlt, const uint8_t *data,
                           uint32_t caplen, uint32_t wirelen, os_pkt *pkt, os_reason *reason)
{
    dc d = { os_cur_make(data, caplen), wirelen, pkt, OS_R_NONE, cfg, false };
    os_decode_status st;

    memset(pkt, 0, offsetof(os_pkt, encap)); /* encap[] is set up to nencap */
    pkt->caplen = caplen;
    pkt->wirelen = wirelen;
    if (caplen > wirelen) {
        *reason = OS_R_CAPLEN_EXCEEDS_WIRE;
        return OS_DEC_MALFORMED;
    }
    switch (dlt) {
    case DLT_EN10MB: st = dec_ether(&d); break;
    case DLT_LINUX_SLL: st = dec_sll(&d, false); break;
    case DLT_LINUX_SLL2: st = dec_sll(&d, true); break;
    case DLT_RAW: st = dec_raw(&d, 0); break;
    case DLT_IPV4: st = dec_raw(&d, 4); break;
    case DLT_IPV6: st = dec_raw(&d, 6); break;
    case DLT_NULL: case DLT_LOOP: st = dec_loop(&d); break;
    default: st = os_dc_bad(&d, OS_R_LINK_SHORT); break;
    }
    *reason = d.why;
    return st;
}
