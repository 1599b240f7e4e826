/* decode_int.h — private to the decoder (decode.c, tunnels.c): the state of
 * one frame's decoding and the steps both files take. */
#ifndef OMNISNIFF_DECODE_INT_H
#define OMNISNIFF_DECODE_INT_H

#include <stddef.h>

#include "omnisniff/bytes.h"
#include "omnisniff/decode.h"

/* Decoding state of one frame. */
typedef struct dc {
    os_cur cur;               /* captured bytes from the current layer on */
    size_t wire;              /* wire bytes from the current layer on */
    os_pkt *pkt;              /* what is being filled */
    os_reason why;            /* reason for TRUNCATED/MALFORMED */
    const os_decode_cfg *cfg; /* tunnel ports, or NULL */
    bool wire_unknown;        /* an ERSPAN session cut the mirrored frame: how
                                 long it was is not known (wire is a bound) */
} dc;

/* TRUNCATED with `trunc` if the wire had the n bytes the capture lacks,
 * else MALFORMED with `shrt`. */
os_decode_status os_dc_cut(dc *d, size_t n, os_reason trunc, os_reason shrt);
/* MALFORMED with reason r. */
os_decode_status os_dc_bad(dc *d, os_reason r);
/* Step over n header bytes on the capture and the wire. */
void os_dc_advance(dc *d, size_t n);
/* Keep at most n bytes from here on (a layer's claimed length). */
void os_dc_limit(dc *d, size_t n);

/* Layers decode.c offers the tunnels: an Ethernet frame (with its VLAN
 * tags), an EtherType's payload, an IPv4 or IPv6 header at the cursor. */
os_decode_status os_dc_ether(dc *d);
os_decode_status os_dc_ethertype(dc *d, uint16_t type);
os_decode_status os_dc_ip_by_version(dc *d);

/* True if UDP destination port `port` carries VXLAN or Geneve (cfg's
 * ports): the quick test before os_dc_udp_tunnel. */
static inline bool os_dc_tunnel_port(const os_decode_cfg *cfg, uint16_t port)
{
    if (!((cfg->quick >> (port & 63)) & 1))
        return false;
    for (unsigned i = 0; i < cfg->n_vxlan; i++)
        if (cfg->vxlan_port[i] == port)
            return true;
    for (unsigned i = 0; i < cfg->n_geneve; i++)
        if (cfg->geneve_port[i] == port)
            return true;
    return false;
}

/* Tunnels (tunnels.c). Each one, called with the cursor at its header,
 * records itself in d->pkt->encap and decodes what it carries. */
os_decode_status os_dc_gre(dc *d);                    /* IP protocol 47 */
os_decode_status os_dc_udp_tunnel(dc *d, bool *took); /* after a UDP header: VXLAN or
                                                       * Geneve on cfg's ports; *took
                                                       * false = not a tunnel port */
os_decode_status os_dc_mpls(dc *d);                   /* EtherType 0x8847/0x8848 */
os_decode_status os_dc_pppoe(dc *d);                  /* EtherType 0x8864 */
os_decode_status os_dc_pbb(dc *d);                    /* EtherType 0x88e7 */
os_decode_status os_dc_ipip(dc *d, uint8_t proto);    /* IP protocol 4 or 41 */
#endif
