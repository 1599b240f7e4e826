/* lru.h — the eviction order of the bounded tables (hosts, problems,
 * answered services): an intrusive doubly linked list from the least to the
 * most recently used entry, every operation O(1). Public because the
 * entries it orders (os_host, os_problem) embed its node. */
#ifndef OMNISNIFF_LRU_H
#define OMNISNIFF_LRU_H

#include <stddef.h>

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

#endif
