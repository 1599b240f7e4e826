/* tunnels.c — opening the tunnels a span session or an overlay wraps
 * traffic in, so the inner packet is what gets decoded, keyed and
 * classified: GRE (RFC 2784, key and sequence of RFC 2890), ERSPAN types
 * I, II and III (GRE 0x88be / 0x22eb), VXLAN (RFC 7348) and Geneve
 * (RFC 8926) on the rules' UDP ports, MPLS label stacks (RFC 3032, with a
 * pseudowire control word), PPPoE sessions (RFC 2516), IP-in-IP (protocols
 * 4 and 41) and 802.1ah provider backbone bridging.
 *
 * Each tunnel validates its header through the checked cursor, records
 * itself in pkt->encap (type, id, the outer IP endpoints) and hands what it
 * carries back to decode.c's layers. Depth is bounded by OS_MAX_ENCAP
 * (encap-too-deep past it). */
#include <string.h>

#include "decode_int.h"

/* Push one tunnel; `over_ip`: the current IP header carried it. */
static bool push(dc *d, os_encap_type t, bool has_id, uint32_t id, bool over_ip)
{
    os_pkt *p = d->pkt;
    if (p->nencap >= OS_MAX_ENCAP) {
        d->why = OS_R_ENCAP_TOO_DEEP;
        return false;
    }
    os_encap *e = &p->encap[p->nencap++];
    e->type = (uint8_t)t;
    e->has_id = has_id;
    e->id = has_id ? id : 0;
    e->ipver = over_ip ? p->ipver : 0;
    e->src = over_ip ? p->src : NULL;
    e->dst = over_ip ? p->dst : NULL;
    /* what the inner packet fills afresh */
    p->ipver = 0;
    p->src = p->dst = NULL;
    p->proto = 0;
    p->sport = p->dport = 0;
    p->tcp_flags = 0;
    p->tcp_seq = 0;
    p->icmp_type = p->icmp_code = 0;
    p->icmp_error = false;
    memset(&p->quoted, 0, sizeof p->quoted);
    p->payload = NULL;
    p->payload_len = p->payload_cap = 0;
    p->payload_cut = false;
    p->ip_fragment = false;
    p->nvlan = 0; /* the inner frame's own tags (the outer ones are the transport's) */
    p->vlan[0] = p->vlan[1] = 0;
    return true;
}

/* ---- GRE and ERSPAN --------------------------------------------------- */

/* ERSPAN type II (8-byte header, version 1) or III (12 bytes, version 2,
 * plus an 8-byte platform subheader when its O bit is set). A mirrored
 * frame cut by the session (T bit) is treated like a snaplen cut. */
static os_decode_status erspan(dc *d, int type)
{
    os_cur c = d->cur;
    uint16_t vv, sess, fl = 0;
    size_t hl = type == 2 ? 8 : 12;
    if (!os_have(&c, hl))
        return os_dc_cut(d, hl, OS_R_ERSPAN_TRUNCATED, OS_R_ERSPAN_SHORT);
    os_get_be16(&c, &vv);
    os_get_be16(&c, &sess);
    if (vv >> 12 != (type == 2 ? 1 : 2))
        return os_dc_bad(d, OS_R_ERSPAN_BAD_VERSION);
    if (type == 3) {
        os_skip(&c, 6);
        os_get_be16(&c, &fl);
        hl += (fl & 1) ? 8 : 0;
    }
    if (!os_have(&d->cur, hl))
        return os_dc_cut(d, hl, OS_R_ERSPAN_TRUNCATED, OS_R_ERSPAN_SHORT);
    os_dc_advance(d, hl);
    if (!push(d, type == 2 ? OS_ENC_ERSPAN2 : OS_ENC_ERSPAN3, true, sess & 0x3ffu, true))
        return OS_DEC_MALFORMED;
    if (sess & 0x0400u) { /* T: the session cut the mirrored frame */
        d->wire = (size_t)UINT32_MAX;
        d->wire_unknown = true;
    }
    unsigned ft = (fl >> 10) & 0x1fu; /* type III frame type: 0 Ethernet, 2 IP */
    if (ft == 2)
        return os_dc_ip_by_version(d);
    return ft == 0 ? os_dc_ether(d) : OS_DEC_NOT_IP;
}

/* Length of a GRE header with flags fl (checksum, key, sequence words). */
static size_t gre_len(uint16_t fl)
{
    return 4u + ((fl & 0x8000u) ? 4u : 0u) + ((fl & 0x2000u) ? 4u : 0u) +
           ((fl & 0x1000u) ? 4u : 0u);
}

/* What a GRE header carries, by its protocol type. */
static os_decode_status gre_payload(dc *d, uint16_t proto, bool seq, bool has_key, uint32_t key)
{
    if (proto == 0x88be && seq)
        return erspan(d, 2);
    if (proto == 0x22eb)
        return erspan(d, 3);
    if (proto == 0x88be) { /* type I: no header, no sequence number */
        if (!push(d, OS_ENC_ERSPAN1, false, 0, true))
            return OS_DEC_MALFORMED;
        return os_dc_ether(d);
    }
    if (!push(d, OS_ENC_GRE, has_key, key, true))
        return OS_DEC_MALFORMED;
    return proto == 0x6558 ? os_dc_ether(d) : os_dc_ethertype(d, proto);
}

/* GRE version 0; other versions (PPTP's enhanced GRE) and source routing
 * are counted as a protocol not decoded. */
os_decode_status os_dc_gre(dc *d)
{
    os_cur c = d->cur;
    uint16_t fl, proto;
    uint32_t key = 0;
    if (!os_have(&c, 4))
        return os_dc_cut(d, 4, OS_R_GRE_TRUNCATED, OS_R_GRE_SHORT);
    os_get_be16(&c, &fl);
    os_get_be16(&c, &proto);
    if ((fl & 7u) != 0 || (fl & 0x4000u))
        return OS_DEC_OTHER_PROTO;
    size_t hl = gre_len(fl);
    if (hl > d->wire)
        return os_dc_bad(d, OS_R_GRE_SHORT);
    if (!os_have(&d->cur, hl))
        return os_dc_cut(d, hl, OS_R_GRE_TRUNCATED, OS_R_GRE_SHORT);
    if (fl & 0x8000u)
        os_skip(&c, 4);
    if (fl & 0x2000u)
        os_get_be32(&c, &key);
    os_dc_advance(d, hl);
    return gre_payload(d, proto, (fl & 0x1000u) != 0, (fl & 0x2000u) != 0, key);
}

/* ---- UDP overlays ----------------------------------------------------- */

static bool port_in(const uint16_t *ports, unsigned n, uint16_t port)
{
    for (unsigned i = 0; i < n; i++)
        if (ports[i] == port)
            return true;
    return false;
}

/* VXLAN: 8 bytes, the I flag set, a 24-bit VNI, then an Ethernet frame.
 * Without the I flag the datagram is left as plain UDP. */
static os_decode_status vxlan(dc *d, bool *took)
{
    os_cur c = d->cur;
    uint8_t fl;
    uint32_t vni;
    if (!os_have(&c, 8)) {
        *took = true;
        return os_dc_cut(d, 8, OS_R_VXLAN_TRUNCATED, OS_R_VXLAN_SHORT);
    }
    os_get_u8(&c, &fl);
    os_skip(&c, 3);
    os_get_be32(&c, &vni);
    if (!(fl & 0x08u))
        return OS_DEC_OK;
    *took = true;
    os_dc_advance(d, 8);
    if (!push(d, OS_ENC_VXLAN, true, vni >> 8, true))
        return OS_DEC_MALFORMED;
    return os_dc_ether(d);
}

/* Geneve: 8 bytes plus options, version 0, then what its protocol type says. */
static os_decode_status geneve(dc *d)
{
    os_cur c = d->cur;
    uint8_t vo;
    uint16_t proto;
    uint32_t vni;
    if (!os_have(&c, 8))
        return os_dc_cut(d, 8, OS_R_GENEVE_TRUNCATED, OS_R_GENEVE_SHORT);
    os_get_u8(&c, &vo);
    os_skip(&c, 1);
    os_get_be16(&c, &proto);
    os_get_be32(&c, &vni);
    if (vo >> 6 != 0)
        return os_dc_bad(d, OS_R_GENEVE_BAD_VERSION);
    size_t hl = 8u + (size_t)(vo & 0x3fu) * 4u;
    if (hl > d->wire)
        return os_dc_bad(d, OS_R_GENEVE_SHORT);
    if (!os_have(&d->cur, hl))
        return os_dc_cut(d, hl, OS_R_GENEVE_TRUNCATED, OS_R_GENEVE_SHORT);
    os_dc_advance(d, hl);
    if (!push(d, OS_ENC_GENEVE, true, vni >> 8, true))
        return OS_DEC_MALFORMED;
    return proto == 0x6558 ? os_dc_ether(d) : os_dc_ethertype(d, proto);
}

os_decode_status os_dc_udp_tunnel(dc *d, bool *took)
{
    const os_decode_cfg *cfg = d->cfg;
    uint16_t port = d->pkt->dport;
    *took = false;
    if (!cfg)
        return OS_DEC_OK;
    if (port_in(cfg->vxlan_port, cfg->n_vxlan, port))
        return vxlan(d, took);
    if (port_in(cfg->geneve_port, cfg->n_geneve, port)) {
        *took = true;
        return geneve(d);
    }
    return OS_DEC_OK;
}

/* ---- link-level tunnels ----------------------------------------------- */

/* After the bottom label: IPv4 or IPv6 by the version nibble, or an
 * Ethernet pseudowire behind a control word (first nibble 0). */
static os_decode_status mpls_payload(dc *d)
{
    os_cur c = d->cur;
    uint8_t v;
    if (!os_get_u8(&c, &v))
        return os_dc_cut(d, 1, OS_R_MPLS_TRUNCATED, OS_R_MPLS_SHORT);
    if (v >> 4 == 4 || v >> 4 == 6)
        return os_dc_ip_by_version(d);
    if (v >> 4 != 0)
        return OS_DEC_NOT_IP;
    if (!os_have(&d->cur, 4))
        return os_dc_cut(d, 4, OS_R_MPLS_TRUNCATED, OS_R_MPLS_SHORT);
    os_dc_advance(d, 4);
    return os_dc_ether(d);
}

/* An MPLS label stack, recorded once with its bottom label. */
os_decode_status os_dc_mpls(dc *d)
{
    uint32_t e = 0;
    for (int i = 0; !(e & 0x100u); i++) {
        if (i >= OS_MAX_MPLS)
            return os_dc_bad(d, OS_R_MPLS_TOO_DEEP);
        if (!os_have(&d->cur, 4))
            return os_dc_cut(d, 4, OS_R_MPLS_TRUNCATED, OS_R_MPLS_SHORT);
        os_get_be32(&d->cur, &e);
        d->wire = d->wire > 4 ? d->wire - 4 : 0;
    }
    if (!push(d, OS_ENC_MPLS, true, e >> 12, false))
        return OS_DEC_MALFORMED;
    return mpls_payload(d);
}

/* A PPPoE session frame: version/type 0x11, code 0, then PPP carrying
 * IPv4 (0x0021) or IPv6 (0x0057); other PPP protocols carry no IP. */
os_decode_status os_dc_pppoe(dc *d)
{
    os_cur c = d->cur;
    uint8_t vt, code;
    uint16_t sess, len, ppp;
    if (!os_have(&c, 8))
        return os_dc_cut(d, 8, OS_R_PPPOE_TRUNCATED, OS_R_PPPOE_SHORT);
    os_get_u8(&c, &vt);
    os_get_u8(&c, &code);
    os_get_be16(&c, &sess);
    os_get_be16(&c, &len);
    os_get_be16(&c, &ppp);
    if (vt != 0x11 || code != 0)
        return OS_DEC_NOT_IP;
    if (len < 2 || (size_t)len + 6 > d->wire)
        return os_dc_bad(d, OS_R_PPPOE_BAD_LENGTH);
    os_dc_limit(d, (size_t)len + 6);
    os_dc_advance(d, 8);
    if (!push(d, OS_ENC_PPPOE, true, sess, false))
        return OS_DEC_MALFORMED;
    if (ppp == 0x0021 || ppp == 0x0057)
        return os_dc_ip_by_version(d);
    return OS_DEC_NOT_IP;
}

/* 802.1ah: a 4-byte I-TAG (24-bit I-SID), then the customer's frame. */
os_decode_status os_dc_pbb(dc *d)
{
    uint32_t itag;
    if (!os_have(&d->cur, 4))
        return os_dc_cut(d, 4, OS_R_PBB_TRUNCATED, OS_R_PBB_SHORT);
    os_get_be32(&d->cur, &itag);
    d->wire = d->wire > 4 ? d->wire - 4 : 0;
    if (!push(d, OS_ENC_PBB, true, itag & 0xffffffu, false))
        return OS_DEC_MALFORMED;
    return os_dc_ether(d);
}

/* IPv4 or IPv6 carried in IP (protocols 4 and 41: IP-in-IP, 6in4, 4in6, 6in6). */
os_decode_status os_dc_ipip(dc *d, uint8_t proto)
{
    (void)proto; /* the inner header's version nibble decides */
    if (!push(d, OS_ENC_IPIP, false, 0, true))
        return OS_DEC_MALFORMED;
    return os_dc_ip_by_version(d);
}
