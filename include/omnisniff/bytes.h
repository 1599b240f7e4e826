/* bytes.h — bounds-checked big-endian reads over captured packet bytes.
 *
 * Every read of packet data in omnisniff goes through an os_cur. A cursor is
 * a view (pointer + remaining captured length) into libpcap's buffer; reads
 * never copy payload and never go past the captured length: each accessor
 * returns false and leaves the cursor untouched when fewer bytes remain.
 * Modelled on the idea of tcpdump's extract.h accessors (GET_ macros that
 * check the captured length first), written from scratch. */
#ifndef OMNISNIFF_BYTES_H
#define OMNISNIFF_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A read position inside captured bytes. */
typedef struct os_cur {
    const uint8_t *p; /* next unread byte (inside libpcap's buffer) */
    size_t len;       /* captured bytes left from p */
} os_cur;

/* Make a cursor over [p, p+len). */
static inline os_cur os_cur_make(const uint8_t *p, size_t len)
{
    os_cur c = { p, len };
    return c;
}

/* True when at least n bytes remain. */
static inline bool os_have(const os_cur *c, size_t n) { return c->len >= n; }

/* Advance by n bytes; false (cursor unchanged) if fewer remain. */
static inline bool os_skip(os_cur *c, size_t n)
{
    if (c->len < n)
        return false;
    c->p += n;
    c->len -= n;
    return true;
}

/* Read one byte. */
static inline bool os_get_u8(os_cur *c, uint8_t *v)
{
    if (c->len < 1)
        return false;
    *v = c->p[0];
    c->p += 1;
    c->len -= 1;
    return true;
}

/* Read a big-endian 16-bit value. */
static inline bool os_get_be16(os_cur *c, uint16_t *v)
{
    if (c->len < 2)
        return false;
    *v = (uint16_t)((unsigned)c->p[0] << 8 | c->p[1]);
    c->p += 2;
    c->len -= 2;
    return true;
}

/* Read a big-endian 32-bit value. */
static inline bool os_get_be32(os_cur *c, uint32_t *v)
{
    if (c->len < 4)
        return false;
    *v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 |
         (uint32_t)c->p[2] << 8 | c->p[3];
    c->p += 4;
    c->len -= 4;
    return true;
}

/* Read a little-endian 32-bit value (BSD loopback headers, pcap files). */
static inline bool os_get_le32(os_cur *c, uint32_t *v)
{
    if (c->len < 4)
        return false;
    *v = (uint32_t)c->p[3] << 24 | (uint32_t)c->p[2] << 16 |
         (uint32_t)c->p[1] << 8 | c->p[0];
    c->p += 4;
    c->len -= 4;
    return true;
}

/* Take a view of the next n bytes without copying; false if fewer remain. */
static inline bool os_get_view(os_cur *c, size_t n, const uint8_t **view)
{
    if (c->len < n)
        return false;
    *view = c->p;
    c->p += n;
    c->len -= n;
    return true;
}

/* Sub-cursor over the next n bytes (or fewer if the capture ends first);
 * *cut is set when the capture ends before n bytes. Does not advance c. */
static inline os_cur os_cur_sub(const os_cur *c, size_t n, bool *cut)
{
    os_cur s = { c->p, n <= c->len ? n : c->len };
    *cut = n > c->len;
    return s;
}

#endif
