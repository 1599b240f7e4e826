/* communityid.c — Community ID flow hash v1: SHA-1 over seed, the ordered
 * endpoints, protocol and ports, base64 encoded (nettle does both). */
#include "omnisniff/communityid.h"

#include <nettle/base64.h>
#include <nettle/sha1.h>
#include <string.h>

/* Transports whose ports go into the hash (TCP, UDP, SCTP). */
static bool has_ports(uint8_t proto) { return proto == 6 || proto == 17 || proto == 132; }

/* Community ID v1 of a:pa <-> b:pb. */
bool os_community_id(const os_addr *a, uint16_t pa, const os_addr *b, uint16_t pb,
                     uint8_t proto, uint16_t seed, char out[OS_COMMUNITY_ID_LEN])
{
    struct sha1_ctx ctx;
    uint8_t buf[2 + 16 + 16 + 2 + 4], digest[SHA1_DIGEST_SIZE];
    size_t alen = a->ver == 6 ? 16 : 4, n = 0;
    bool ports = has_ports(proto);
    out[0] = '\0';
    if (proto == 1 || proto == 58 || a->ver != b->ver || (a->ver != 4 && a->ver != 6))
        return false;
    int c = memcmp(a->b, b->b, alen);
    if (c > 0 || (c == 0 && ports && pa > pb)) { /* the lower endpoint goes first */
        const os_addr *t = a;
        uint16_t tp = pa;
        a = b, b = t, pa = pb, pb = tp;
    }
    buf[n++] = (uint8_t)(seed >> 8), buf[n++] = (uint8_t)seed;
    memcpy(buf + n, a->b, alen), n += alen;
    memcpy(buf + n, b->b, alen), n += alen;
    buf[n++] = proto, buf[n++] = 0;
    if (ports) {
        buf[n++] = (uint8_t)(pa >> 8), buf[n++] = (uint8_t)pa;
        buf[n++] = (uint8_t)(pb >> 8), buf[n++] = (uint8_t)pb;
    }
    sha1_init(&ctx);
    sha1_update(&ctx, n, buf);
    sha1_digest(&ctx, sizeof digest, digest);
    memcpy(out, "1:", 2);
    base64_encode_raw(out + 2, sizeof digest, digest);
    out[2 + BASE64_ENCODE_RAW_LENGTH(SHA1_DIGEST_SIZE)] = '\0';
    return true;
}
