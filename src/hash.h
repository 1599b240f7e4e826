/* hash.h — helpers for the library's uthash tables (private to src/).
 *
 * os_hash is the key hash of the tables on the per-packet path (flows,
 * hosts); os_hash_kept tells whether a HASH_ADD could allocate what it
 * needed; OS_HASH_SORTED turns a table into an array sorted for output
 * (findings, problems, streams). Nothing else lives here. */
#ifndef OMNISNIFF_HASH_H
#define OMNISNIFF_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#if !HASH_NONFATAL_OOM
#error "build the library with HASH_NONFATAL_OOM=1 (CMakeLists.txt): uthash must not exit()"
#endif

/* After HASH_ADD*(..., e) (hh: e's handle): true if e went into its table.
 * When uthash cannot allocate its table or grow its buckets it leaves e out
 * (hh->tbl NULL; HASH_NONFATAL_OOM) and the table stays as it was: then e
 * is freed, the failure counted in *failed (failed NULL: the caller counts
 * it) and the answer is false. */
static inline bool os_hash_kept(void *e, const UT_hash_handle *hh, uint64_t *failed)
{
    if (hh->tbl)
        return true;
    free(e);
    if (failed)
        (*failed)++;
    return false;
}

/* A sorted view of the elements of uthash `head` (elements of type T with
 * handle `hh`): *arr (a T ** owned by the caller's table, freed first) gets
 * them in `cmp` order, *n their count; NULL and 0 when empty or when the
 * allocation failed. */
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

#endif
