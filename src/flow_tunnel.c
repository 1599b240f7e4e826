/* flow_tunnel.c — tunnel contexts: each distinct stack of tunnel types and
 * ids gets a small number, which goes into the flow key, so the key stays
 * 44 bytes however deep the tunnels are. The ids that tell overlays apart
 * key the context; MPLS labels do not (a label changes per hop and differs
 * between the two directions of one flow), nor do outer addresses (the two
 * directions swap them). */
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "flow_int.h"
#include "hash.h"

/* What a context is looked up by. memset before filling (hashed as bytes). */
typedef struct tkey {
    uint8_t n;                   /* layers */
    uint8_t type[OS_MAX_ENCAP];  /* os_encap_type per layer */
    uint8_t pad[3];              /* zero */
    uint32_t id[OS_MAX_ENCAP];   /* keyed ids (0 where the layer has none) */
} tkey;
_Static_assert(sizeof(tkey) == 24, "tunnel key must stay packed");

/* One numbered context. */
typedef struct tctx {
    tkey key;            /* lookup key */
    os_tunnel_info info; /* as the first packet showed it */
    uint16_t num;        /* its number (1 ...) */
    UT_hash_handle hh;   /* uthash handle */
} tctx;

struct os_tunnels {
    tctx *hash;          /* contexts by key */
    tctx **by_num;       /* contexts by number - 1 */
    size_t n, cap;       /* numbered, capacity of by_num */
    tctx *last;          /* the context found last: a tunnel's packets come in runs */
};

static bool keyed(const os_encap *e)
{
    return e->has_id && e->type != OS_ENC_MPLS;
}

static void key_of(const os_pkt *p, tkey *k)
{
    memset(k, 0, sizeof *k);
    k->n = p->nencap;
    for (unsigned i = 0; i < p->nencap; i++) {
        k->type[i] = p->encap[i].type;
        k->id[i] = keyed(&p->encap[i]) ? p->encap[i].id : 0;
    }
}

static void info_of(const os_pkt *p, os_tunnel_info *in)
{
    memset(in, 0, sizeof *in);
    in->n = p->nencap;
    for (unsigned i = 0; i < p->nencap; i++) {
        const os_encap *e = &p->encap[i];
        size_t al = e->ipver == 6 ? 16 : 4;
        in->type[i] = e->type;
        in->has_id[i] = e->has_id;
        in->id[i] = e->id;
        in->ipver[i] = e->src ? e->ipver : 0;
        if (e->src) {
            memcpy(in->src[i], e->src, al);
            memcpy(in->dst[i], e->dst, al);
        }
    }
}

/* Room for one more number; false on allocation failure. */
static bool grow(os_tunnels *t)
{
    if (t->n < t->cap)
        return true;
    size_t cap = t->cap ? t->cap * 2 : 16;
    tctx **b = realloc(t->by_num, cap * sizeof *b);
    if (!b)
        return false;
    t->by_num = b;
    t->cap = cap;
    return true;
}

static tctx *create(os_tunnels *t, const tkey *k, const os_pkt *p)
{
    tctx *c;
    if (!grow(t) || !(c = calloc(1, sizeof *c)))
        return NULL;
    c->key = *k;
    info_of(p, &c->info);
    HASH_ADD_BYHASHVALUE(hh, t->hash, key, sizeof c->key, os_hash(&c->key, sizeof c->key), c);
    if (!os_hash_kept(c, &c->hh, NULL)) /* counted by the caller */
        return NULL;
    t->by_num[t->n++] = c;
    c->num = (uint16_t)t->n;
    return c;
}

uint16_t os_tunnels_number(os_tunnels **tp, const os_pkt *p, os_flow_stats *st)
{
    tkey k;
    tctx *c;
    if (!*tp && !(*tp = calloc(1, sizeof **tp))) {
        st->alloc_failed++;
        return 0;
    }
    os_tunnels *t = *tp;
    key_of(p, &k);
    if (t->last && memcmp(&t->last->key, &k, sizeof k) == 0)
        return t->last->num;
    HASH_FIND_BYHASHVALUE(hh, t->hash, &k, sizeof k, os_hash(&k, sizeof k), c);
    if (c)
        return (t->last = c)->num;
    if (t->n >= OS_TUNNELS_MAX) {
        st->tunnels_overflow++;
        return OS_TUNNEL_OVERFLOW;
    }
    if (!(c = create(t, &k, p))) {
        st->alloc_failed++;
        return 0;
    }
    st->tunnels++;
    return c->num;
}

const os_tunnel_info *os_tunnels_info(const os_tunnels *t, uint16_t id)
{
    if (!t || id == 0 || id > t->n)
        return NULL;
    return &t->by_num[id - 1]->info;
}

void os_tunnels_free(os_tunnels *t)
{
    tctx *c, *tmp;
    if (!t)
        return;
    HASH_ITER(hh, t->hash, c, tmp) {
        HASH_DEL(t->hash, c);
        free(c);
    }
    free(t->by_num);
    free(t);
}
