/* decode.h — zero-copy packet decoder: link layer, IPv4/IPv6, TCP/UDP/ICMP.
 *
 * os_decode() turns one captured frame into an os_pkt: a view made of
 * pointers and lengths into the caller's buffer (libpcap's), valid until that
 * buffer is reused. It allocates nothing and copies no payload. Every read
 * goes through the bounds-checked cursor in bytes.h.
 *
 * Three lengths are kept apart: the captured length (what the snaplen kept),
 * the wire length (what was on the link) and the lengths the headers claim.
 * A header cut by the snaplen is TRUNCATED; a header that contradicts itself
 * or the wire length is MALFORMED; both carry a reason (os_reason). A frame
 * whose headers are complete but whose payload was cut by the snaplen is OK
 * and has payload_cut set: such frames classify fully. */
#ifndef OMNISNIFF_DECODE_H
#define OMNISNIFF_DECODE_H

#include <stdbool.h>
#include <stdint.h>

/* Decode outcome classes. */
typedef enum os_decode_status {
    OS_DEC_OK = 0,       /* transport (or ICMP) header decoded */
    OS_DEC_NOT_IP,       /* a well-formed frame that carries no IP (ARP, LLDP…) */
    OS_DEC_FRAGMENT,     /* IP fragment other than the first: no ports, not classified */
    OS_DEC_OTHER_PROTO,  /* IP packet with a transport we do not decode (GRE, ESP…) */
    OS_DEC_TRUNCATED,    /* the capture ended inside a header (snaplen cut) */
    OS_DEC_MALFORMED     /* a header contradicts itself or the wire length */
} os_decode_status;

/* Reasons, stable ids (used as JSON keys in decode_errors / summary).
 * X(enum-suffix, "id"). Add at the end only. */
#define OS_REASONS(X)                                                        \
    X(NONE, "none")                                                          \
    X(CAPLEN_EXCEEDS_WIRE, "caplen-exceeds-wirelen") /* corrupt record */    \
    X(LINK_TRUNCATED, "link-truncated")   /* snaplen cut the L2 header */    \
    X(LINK_SHORT, "link-short")           /* frame shorter than L2 header */ \
    X(VLAN_TRUNCATED, "vlan-truncated")                                      \
    X(VLAN_TOO_DEEP, "vlan-too-deep")     /* > OS_MAX_VLAN tags */           \
    X(LOOP_BAD_FAMILY, "loopback-bad-family") /* NULL/LOOP AF value */       \
    X(IPV4_TRUNCATED, "ipv4-truncated")   /* snaplen cut the IPv4 header */  \
    X(IPV4_SHORT, "ipv4-short")           /* frame ends inside the header */ \
    X(IPV4_BAD_VERSION, "ipv4-bad-version")                                  \
    X(IPV4_BAD_IHL, "ipv4-bad-ihl")       /* IHL < 5 */                      \
    X(IPV4_BAD_TOTAL_LENGTH, "ipv4-bad-total-length") /* < IHL*4 */          \
    X(IPV4_LENGTH_EXCEEDS_WIRE, "ipv4-length-exceeds-wire")                  \
    X(IPV6_TRUNCATED, "ipv6-truncated")                                      \
    X(IPV6_SHORT, "ipv6-short")                                              \
    X(IPV6_BAD_VERSION, "ipv6-bad-version")                                  \
    X(IPV6_LENGTH_EXCEEDS_WIRE, "ipv6-length-exceeds-wire")                  \
    X(IPV6_EXT_TRUNCATED, "ipv6-ext-truncated")                              \
    X(IPV6_EXT_TOO_MANY, "ipv6-ext-too-many") /* > OS_MAX_EXT */             \
    X(IPV6_EXT_BAD_LENGTH, "ipv6-ext-bad-length") /* runs past payload */    \
    X(IPV6_JUMBOGRAM, "ipv6-jumbogram")   /* payload length 0 + hop-by-hop */\
    X(TCP_TRUNCATED, "tcp-truncated")                                        \
    X(TCP_SHORT, "tcp-short")             /* IP payload < 20 bytes */        \
    X(TCP_BAD_OFFSET, "tcp-bad-data-offset") /* < 5 or past the segment */   \
    X(UDP_TRUNCATED, "udp-truncated")                                        \
    X(UDP_BAD_LENGTH, "udp-bad-length")   /* < 8 or > IP payload */          \
    X(ICMP_TRUNCATED, "icmp-truncated")                                      \
    X(ICMP_SHORT, "icmp-short")           /* IP payload < 8 bytes */         \
    /* ICMP quotes (the packet's status stays OK): cut before the quoted   \
     * TCP/UDP ports, or before its IPv6 chain reaches the transport;      \
     * malformed: bad version or IHL, or a chain deeper than OS_MAX_EXT */ \
    X(ICMP_QUOTE_TRUNCATED, "icmp-quote-truncated")                          \
    X(ICMP_QUOTE_MALFORMED, "icmp-quote-malformed")                          \
    /* a length of 0 taken from the frame (large-send offload, BIG TCP):   \
     * the packet stays OK and is classified */                             \
    X(TSO_LENGTH_FROM_FRAME, "tso-length-from-frame")                        \
    X(ENCAP_TOO_DEEP, "encap-too-deep")   /* > OS_MAX_ENCAP tunnels */       \
    X(GRE_TRUNCATED, "gre-truncated")                                        \
    X(GRE_SHORT, "gre-short")                                                \
    X(ERSPAN_TRUNCATED, "erspan-truncated")                                  \
    X(ERSPAN_SHORT, "erspan-short")                                          \
    X(ERSPAN_BAD_VERSION, "erspan-bad-version")                              \
    X(VXLAN_TRUNCATED, "vxlan-truncated")                                    \
    X(VXLAN_SHORT, "vxlan-short")                                            \
    X(GENEVE_TRUNCATED, "geneve-truncated")                                  \
    X(GENEVE_SHORT, "geneve-short")      /* also: options past the datagram */\
    X(GENEVE_BAD_VERSION, "geneve-bad-version")                              \
    X(MPLS_TRUNCATED, "mpls-truncated")                                      \
    X(MPLS_SHORT, "mpls-short")                                              \
    X(MPLS_TOO_DEEP, "mpls-too-deep")     /* > OS_MAX_MPLS labels */         \
    X(PPPOE_TRUNCATED, "pppoe-truncated")                                    \
    X(PPPOE_SHORT, "pppoe-short")                                            \
    X(PPPOE_BAD_LENGTH, "pppoe-bad-length") /* past the frame */             \
    X(PBB_TRUNCATED, "pbb-truncated")                                        \
    X(PBB_SHORT, "pbb-short")                                                \
    X(AH_TRUNCATED, "ah-truncated")                                          \
    X(AH_BAD_LENGTH, "ah-bad-length")     /* runs past the datagram */

#define OS_REASON_ENUM(e, s) OS_R_##e,
typedef enum os_reason { OS_REASONS(OS_REASON_ENUM) OS_R_COUNT } os_reason;
#undef OS_REASON_ENUM

#define OS_MAX_VLAN 4  /* 802.1Q/802.1ad tags walked at most */
#define OS_MAX_EXT 8   /* IPv6 extension headers walked at most */
#define OS_MAX_ENCAP 4 /* tunnels opened at most, outermost first */
#define OS_MAX_MPLS 8  /* MPLS labels walked at most */

/* Encapsulations, stable ids (JSON "encap" list). X(enum-suffix, "id").
 * Add at the end only. */
#define OS_ENCAPS(X)                                                      \
    X(NONE, "none")                                                       \
    X(GRE, "gre")           /* RFC 2784/2890; id: the key, if present */   \
    X(ERSPAN1, "erspan1")   /* GRE 0x88be without sequence number */       \
    X(ERSPAN2, "erspan2")   /* GRE 0x88be; id: the session id */           \
    X(ERSPAN3, "erspan3")   /* GRE 0x22eb; id: the session id */           \
    X(VXLAN, "vxlan")       /* RFC 7348; id: the VNI */                    \
    X(GENEVE, "geneve")     /* RFC 8926; id: the VNI */                    \
    X(MPLS, "mpls")         /* RFC 3032 label stack */                     \
    X(PPPOE, "pppoe")       /* RFC 2516 session stage */                   \
    X(IPIP, "ip-in-ip")     /* IPv4/IPv6 in IPv4/IPv6 (protocols 4, 41) */ \
    X(PBB, "pbb")           /* 802.1ah; id: the I-SID */

#define OS_ENCAP_ENUM(e, s) OS_ENC_##e,
typedef enum os_encap_type { OS_ENCAPS(OS_ENCAP_ENUM) OS_ENC_COUNT } os_encap_type;
#undef OS_ENCAP_ENUM

/* One tunnel opened on the way to the inner packet. */
typedef struct os_encap {
    uint8_t type;          /* os_encap_type */
    uint8_t has_id;        /* id is meaningful (a key, VNI, session id, I-SID) */
    uint8_t ipver;         /* 4 or 6: the IP header that carried it; 0 if none */
    const uint8_t *src;    /* that header's source address (in buffer), or NULL */
    const uint8_t *dst;    /* its destination address */
    uint32_t id;           /* tunnel id, if has_id */
} os_encap;

/* What the decoder needs besides the frame: the UDP ports that carry
 * tunnels. They come from the rules file (set vxlan-ports / geneve-ports),
 * like every other port. */
#define OS_MAX_TUNNEL_PORTS 4
typedef struct os_decode_cfg {
    uint16_t vxlan_port[OS_MAX_TUNNEL_PORTS];  /* UDP destination ports of VXLAN */
    uint8_t n_vxlan;                           /* entries used */
    uint16_t geneve_port[OS_MAX_TUNNEL_PORTS]; /* UDP destination ports of Geneve */
    uint8_t n_geneve;                          /* entries used */
    uint64_t quick;  /* bit (port & 63) set for every port above: most UDP
                        datagrams are told apart from tunnels by one test */
} os_decode_cfg;

/* Add a UDP port carrying VXLAN (geneve false) or Geneve to cfg (zeroed
 * first by the caller). False if OS_MAX_TUNNEL_PORTS are already set. */
bool os_decode_cfg_add(os_decode_cfg *cfg, bool geneve, uint16_t port);

/* The header of the original datagram quoted inside an ICMP/ICMPv6 error. */
typedef struct os_quoted {
    bool valid;          /* an IP header was quoted and decoded */
    bool has_ports;      /* the first 4 transport bytes were present */
    uint8_t ipver;       /* 4 or 6 */
    uint8_t proto;       /* quoted transport protocol (IPPROTO_*) */
    const uint8_t *src;  /* quoted source address (4 or 16 bytes, in buffer) */
    const uint8_t *dst;  /* quoted destination address */
    uint16_t sport;      /* quoted source port (if has_ports) */
    uint16_t dport;      /* quoted destination port (if has_ports) */
} os_quoted;

/* A decoded packet: views into the captured buffer, valid until it is reused. */
typedef struct os_pkt {
    uint32_t caplen;        /* bytes captured */
    uint32_t wirelen;       /* bytes on the wire */
    uint16_t vlan[2];       /* outer and inner VLAN id (0 = none) */
    uint8_t nvlan;          /* VLAN tags seen (may exceed 2; ids kept for 2) */
    uint8_t ipver;          /* 4 or 6; 0 if no IP */
    const uint8_t *src;     /* source address (4 or 16 bytes, in buffer) */
    const uint8_t *dst;     /* destination address */
    uint8_t proto;          /* transport protocol number (after IPv6 ext hdrs) */
    uint8_t ttl;            /* IPv4 TTL / IPv6 hop limit */
    uint32_t ip_len;        /* IP length as the header claims (hdr + payload) */
    uint16_t sport;         /* TCP/UDP source port (0 otherwise) */
    uint16_t dport;         /* TCP/UDP destination port (0 otherwise) */
    uint8_t tcp_flags;      /* TCP flags byte (FIN=0x01 … CWR=0x80) */
    uint32_t tcp_seq;       /* TCP sequence number */
    uint8_t icmp_type;      /* ICMP / ICMPv6 type */
    uint8_t icmp_code;      /* ICMP / ICMPv6 code */
    bool icmp_error;        /* an ICMP error message that quotes a datagram */
    os_quoted quoted;       /* the quoted datagram, for ICMP errors */
    const uint8_t *payload; /* transport payload (in buffer) */
    uint32_t payload_len;   /* payload length as the headers claim */
    uint32_t payload_cap;   /* payload bytes actually captured (<= payload_len) */
    bool payload_cut;       /* snaplen cut the payload (headers complete) */
    bool ip_fragment;       /* part of a fragmented datagram (first or not) */
    uint16_t tunnel;        /* tunnel context number (flow layer's; decoder sets 0) */
    uint8_t nencap;         /* tunnels opened (entries of encap[]) */
    os_encap encap[OS_MAX_ENCAP]; /* outermost first; set up to nencap only */
} os_pkt;

/* TCP flag bits. */
enum { OS_TH_FIN = 0x01, OS_TH_SYN = 0x02, OS_TH_RST = 0x04, OS_TH_PSH = 0x08,
       OS_TH_ACK = 0x10, OS_TH_URG = 0x20, OS_TH_ECE = 0x40, OS_TH_CWR = 0x80 };

/* True if omnisniff can decode link type `dlt` (a libpcap DLT_ value). */
bool os_dlt_supported(int dlt);

/* Decode one frame of link type `dlt` (DLT_ value as pcap_datalink() gives).
 * `data` holds `caplen` captured bytes of a frame that was `wirelen` long.
 * Tunnels (GRE, ERSPAN, VXLAN and Geneve on cfg's ports, MPLS, PPPoE,
 * IP-in-IP, PBB) are opened up to OS_MAX_ENCAP deep: *pkt describes the
 * innermost packet, and pkt->encap[] the tunnels around it. cfg may be NULL
 * (no UDP tunnel ports). Fills *pkt (every field up to nencap, and the
 * first nencap entries of encap[]) and *reason (OS_R_NONE unless the status
 * is TRUNCATED or MALFORMED, or an OK packet has an ICMP quote problem or a
 * length taken from the frame). Never reads past data+caplen. Callers check
 * os_dlt_supported() first. */
os_decode_status os_decode(const os_decode_cfg *cfg, int dlt, const uint8_t *data,
                           uint32_t caplen, uint32_t wirelen, os_pkt *pkt, os_reason *reason);

/* Stable id of an encapsulation ("gre", "vxlan"…). */
const char *os_encap_name(os_encap_type t);

/* Stable id of a reason ("ipv4-bad-ihl"…). */
const char *os_reason_name(os_reason r);

/* Stable id of a status ("ok", "not_ip", "truncated"…): the key of the
 * JSON summary's "decode" object and the name in the text summary and
 * packet lines; "unknown" if out of range. */
const char *os_decode_status_name(os_decode_status s);

/* A status in words for people ("ok", "not IP", "non-first fragment"…),
 * from the same table as os_decode_status_name; "unknown" if out of range. */
const char *os_decode_status_words(os_decode_status s);

/* Transport name as EVE writes it: "TCP", "UDP", "ICMP", "IPv6-ICMP", or
 * the protocol number in decimal written into buf (>= 4 bytes). */
const char *os_proto_name(uint8_t proto, char buf[4]);

#endif
