/* util.h — small shared vocabulary: IP addresses, collected diagnostics,
 * and the eviction order of the bounded tables.
 *
 * os_addr holds an IPv4 or IPv6 address by value (flow keys and host tables
 * need owned copies of the 4/16 address bytes; payload is never copied).
 * os_diags collects parser diagnostics, every one formatted as
 * "file:line:col: error: message" followed by the offending line and a caret,
 * so a parser can report all problems at once. */
#ifndef OMNISNIFF_UTIL_H
#define OMNISNIFF_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* An IPv4 or IPv6 address. IPv4 uses b[0..3], the rest is zero. */
typedef struct os_addr {
    uint8_t ver;    /* 4 or 6 (0 = unset) */
    uint8_t b[16];  /* address bytes, network order */
} os_addr;

#define OS_ADDRSTRLEN 46 /* INET6_ADDRSTRLEN */

/* A sorted view of the elements of uthash `head` (elements of type T with
 * handle `hh`): *arr (a T ** owned by the caller's table, freed first) gets
 * them in `cmp` order, *n their count; NULL and 0 when empty or when the
 * allocation failed. Needs <stdlib.h> and <uthash.h>. */
#define OS_HASH_SORTED(head, T, cmp, arr, n)                          \
    do {                                                              \
        T *os_e_, *os_t_;                                             \
        size_t os_i_ = 0;                                             \
        *(n) = HASH_COUNT(head);                                      \
        free(*(arr));                                                 \
        *(arr) = *(n) ? malloc(*(n) * sizeof **(arr)) : NULL;         \
        if (!*(arr))                                                  \
            *(n) = 0;                                                 \
        HASH_ITER(hh, head, os_e_, os_t_)                             \
            if (*(arr))                                               \
                (*(arr))[os_i_++] = os_e_;                            \
        if (*(n))                                                     \
            qsort(*(arr), *(n), sizeof **(arr), cmp);                 \
    } while (0)

/* An eviction order: the entries of a bounded table, doubly linked from
 * the least to the most recently used. Each entry embeds an os_lru_node;
 * OS_LRU_ENTRY gets the entry back from its node. Every operation is O(1). */
typedef struct os_lru_node {
    struct os_lru_node *older, *newer; /* neighbours (NULL at the ends) */
} os_lru_node;

typedef struct os_lru {
    os_lru_node *oldest, *newest;      /* ends (NULL when empty) */
} os_lru;

/* The entry of type T whose member `field` is node (node may be NULL). */
#define OS_LRU_ENTRY(node, T, field) \
    ((node) ? (T *)(void *)((char *)(node) - offsetof(T, field)) : (T *)NULL)

/* Put node n last (most recently used) in l; n must not be in a list.
 * (Inline, as the next two: a host lookup on the per-packet path uses them.) */
static inline void os_lru_append(os_lru *l, os_lru_node *n)
{
    n->older = l->newest;
    n->newer = NULL;
    if (l->newest)
        l->newest->newer = n;
    else
        l->oldest = n;
    l->newest = n;
}

/* Take node n out of l (n must be in it). */
static inline void os_lru_unlink(os_lru *l, os_lru_node *n)
{
    if (n->older)
        n->older->newer = n->newer;
    else
        l->oldest = n->newer;
    if (n->newer)
        n->newer->older = n->older;
    else
        l->newest = n->older;
    n->older = n->newer = NULL;
}

/* Node n of l was used: it goes last. */
static inline void os_lru_touch(os_lru *l, os_lru_node *n)
{
    if (l->newest == n)
        return;
    os_lru_unlink(l, n);
    os_lru_append(l, n);
}

/* Four address bytes (of an os_addr or a decoded packet's address) as a
 * big-endian number: such numbers order as memcmp orders the bytes. */
static inline uint32_t os_addr_be32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Hash of n key bytes for the uthash tables on the per-packet path (flows,
 * hosts): 64-bit words folded by multiplication, then a final mix so the
 * low bits (uthash's bucket index) depend on every input bit. A few
 * instructions a word: uthash's default (Jenkins) hash was the largest cost
 * per packet in the profile. Like that default, not built to resist inputs
 * chosen to collide. */
static inline unsigned os_hash(const void *key, size_t n)
{
    const uint8_t *p = key;
    uint64_t h = n, w;
#pragma GCC unroll 8 /* keys are short and of constant size: no loop left */
    for (; n >= 8; n -= 8, p += 8) {
        memcpy(&w, p, 8);
        h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
    }
    w = 0;
    memcpy(&w, p, n);
    h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
    h ^= h >> 32; /* fold the well-mixed high half onto the bucket bits */
    return (unsigned)((h * 0xff51afd7ed558ccdULL) >> 32);
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

/* A list of diagnostics, each a full message ending in '\n'. */
typedef struct os_diags {
    char **msg;   /* formatted messages, owned */
    size_t n;     /* messages held */
    size_t cap;   /* capacity of msg */
    size_t errors;/* how many are errors (the rest are notes) */
} os_diags;

/* Append "file:line:col: error: <fmt>\n<line text>\n<caret>\n" to d.
 * `line_text`/`line_len` is the offending line (without its newline);
 * col is 1-based. Allocation failure is recorded as a bare error count. */
void os_diag_error(os_diags *d, const char *file, unsigned line, unsigned col,
                   const char *line_text, size_t line_len, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* Free all messages held by d and reset it to empty. */
void os_diags_free(os_diags *d);

/* The next line of a text buffer, for the file parsers: from *pos, up to
 * (not including) its newline and a trailing '\r'; *pos moves past the
 * newline. False at the end of buf. Its words: os_tokens() (tokens.h). */
bool os_next_line(const char *buf, size_t len, size_t *pos, const char **text, size_t *line_len);

#endif
