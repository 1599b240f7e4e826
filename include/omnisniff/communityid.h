/* communityid.h — Community ID flow hash, version 1 (the corelight
 * community-id-spec, as Zeek, Suricata, Arkime and Wireshark emit it), so a
 * flow or finding of omnisniff can be looked up in those tools' logs.
 * SHA-1 and base64 come from nettle. */
#ifndef OMNISNIFF_COMMUNITYID_H
#define OMNISNIFF_COMMUNITYID_H

#include <stdbool.h>
#include <stdint.h>

#include "omnisniff/addr.h"

#define OS_COMMUNITY_ID_LEN 32 /* "1:" + 28 base64 characters + NUL, rounded up */

/* Community ID v1 of the flow a:pa <-> b:pb over IP protocol `proto`, with
 * `seed` (0 is what the other tools use by default). Ports are hashed only
 * for transports that have them (TCP, UDP, SCTP); for others pa/pb are
 * ignored. ICMP needs its type/code mapped to ports and is not supported:
 * returns false (out = "") for ICMP/ICMPv6 and for mismatched address
 * families; true with out = "1:…" otherwise. Either order of the two
 * endpoints gives the same id. */
bool os_community_id(const os_addr *a, uint16_t pa, const os_addr *b, uint16_t pb,
                     uint8_t proto, uint16_t seed, char out[OS_COMMUNITY_ID_LEN]);

#endif
