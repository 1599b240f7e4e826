/* flow.c — the flow table: canonical keys, uthash lookup, idle lists.
 *
 * Flows live in a uthash table keyed on os_flow_key and, at the same time,
 * on one of four idle lists (TCP, closed TCP, UDP, other) ordered by last
 * packet time, so eviction by idle timeout looks only at list heads and the
 * cap evicts the least recently seen head. Freed flows are kept on a free
 * list for reuse, so steady-state churn allocates nothing.
 *
 * The expiry check runs for every packet, so the table keeps due_ns, a time
 * before which no head can be idle: a packet earlier than that skips the
 * check. It is recomputed after each check and lowered whenever a list gets
 * a new head (list_unlink of a head, list_append to an empty list), which
 * keeps expiry exact even when packet times go backwards. */
#include "omnisniff/flow.h"
#include "flow_int.h"
#include "hash.h"

#include <stdlib.h>
#include <string.h>

/* Start the table with 1024 buckets (16 KiB) rather than uthash's 32, which
 * it keeps until a chain reaches 10: a site's few hundred flows then cost
 * one bucket probe per packet instead of a walk along a chain. */
#undef HASH_INITIAL_NUM_BUCKETS
#undef HASH_INITIAL_NUM_BUCKETS_LOG2
#define HASH_INITIAL_NUM_BUCKETS 1024U
#define HASH_INITIAL_NUM_BUCKETS_LOG2 10U

#define NS_PER_S 1000000000ULL

struct os_flowtab {
    os_flow *hash;                    /* uthash head */
    os_flow *head[OS_FL_NLISTS];      /* least recently seen per list */
    os_flow *tail[OS_FL_NLISTS];      /* most recently seen per list */
    os_flow *free_list;               /* recycled flows (linked by next) */
    os_flow_cfg cfg;                  /* timeouts and cap */
    os_flow_end_fn end_fn;            /* eviction callback */
    void *user;                       /* callback argument */
    os_flow_stats st;                 /* counters */
    uint64_t due_ns;                  /* no list head is idle before this time */
    os_tunnels *tun;                  /* tunnel contexts (flow_tunnel.c), or NULL */
};

/* Default configuration (TCP 300 s, closed TCP 10 s, UDP 120 s, other 60 s). */
os_flow_cfg os_flow_cfg_default(void)
{
    os_flow_cfg c;
    memset(&c, 0, sizeof c);
    c.timeout_ns[OS_FL_TCP] = 300 * NS_PER_S;
    c.timeout_ns[OS_FL_TCP_CLOSED] = 10 * NS_PER_S;
    c.timeout_ns[OS_FL_UDP] = 120 * NS_PER_S;
    c.timeout_ns[OS_FL_OTHER] = 60 * NS_PER_S;
    return c;
}

/* -1/0/1 ordering of two (address, port) endpoints: addresses in memcmp
 * order, four bytes at a time (memcmp for an order is a library call). */
static inline int endpoint_cmp(const uint8_t *a, uint16_t pa, const uint8_t *b,
                               uint16_t pb, size_t alen)
{
    for (size_t i = 0; i < alen; i += 4) {
        uint32_t x = os_addr_be32(a + i), y = os_addr_be32(b + i);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return (pa > pb) - (pa < pb);
}

/* Fill the endpoints of k from p, alen address bytes each, sender on side
 * `swap`. Called with alen constant (4 or 16) so the compiler inlines the
 * compare and the copies: this runs once per packet. */
static inline int put_endpoints(const os_pkt *p, os_flow_key *k, size_t alen)
{
    int swap = endpoint_cmp(p->src, p->sport, p->dst, p->dport, alen) > 0;
    memcpy(k->addr[swap], p->src, alen);
    memcpy(k->addr[!swap], p->dst, alen);
    k->port[swap] = p->sport;
    k->port[!swap] = p->dport;
    return swap;
}

/* Build the canonical key of a decoded packet; returns the sender's side. */
int os_flow_key_make(const os_pkt *p, os_flow_key *k)
{
    int swap;
    memset(k, 0, sizeof *k);
    swap = p->ipver == 6 ? put_endpoints(p, k, 16) : put_endpoints(p, k, 4);
    k->vlan[0] = p->vlan[0];
    k->vlan[1] = p->vlan[1];
    k->proto = p->proto;
    k->ipver = p->ipver;
    k->tunnel = p->tunnel;
    return swap;
}

/* New empty table; NULL on allocation failure. */
os_flowtab *os_flowtab_new(const os_flow_cfg *cfg, os_flow_end_fn fn, void *user)
{
    os_flowtab *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->cfg = *cfg;
    t->end_fn = fn;
    t->user = user;
    return t;
}

/* List l has a new head: it may be idle sooner than due_ns says. */
static void new_head(os_flowtab *t, int l)
{
    uint64_t to = t->cfg.timeout_ns[l];
    if (to && t->head[l] && t->head[l]->last_ns + to < t->due_ns)
        t->due_ns = t->head[l]->last_ns + to;
}

static void list_unlink(os_flowtab *t, os_flow *f)
{
    bool was_head = !f->prev;
    if (f->prev)
        f->prev->next = f->next;
    else
        t->head[f->list] = f->next;
    if (f->next)
        f->next->prev = f->prev;
    else
        t->tail[f->list] = f->prev;
    f->prev = f->next = NULL;
    if (was_head)
        new_head(t, f->list);
}

static void list_append(os_flowtab *t, os_flow *f, os_flow_list l)
{
    f->list = (uint8_t)l;
    f->next = NULL;
    f->prev = t->tail[l];
    t->tail[l] = f;
    if (f->prev) {
        f->prev->next = f;
    } else {
        t->head[l] = f;
        new_head(t, l);
    }
}

/* Remove f from the table, hand it to the callback, recycle it. */
static void flow_end(os_flowtab *t, os_flow *f, os_flow_end why)
{
    list_unlink(t, f);
    HASH_DEL(t->hash, f);
    t->st.active--;
    if (why == OS_END_IDLE)
        t->st.ended_idle++;
    else if (why == OS_END_CAP)
        t->st.ended_cap++;
    if (t->end_fn)
        t->end_fn(t->user, f, why);
    f->next = t->free_list;
    t->free_list = f;
}

/* Evict flows idle at time now_ns (packet time). */
void os_flowtab_expire(os_flowtab *t, uint64_t now_ns)
{
    if (now_ns < t->due_ns)
        return;
    for (int l = 0; l < OS_FL_NLISTS; l++) {
        uint64_t to = t->cfg.timeout_ns[l];
        while (to && t->head[l] && t->head[l]->last_ns + to <= now_ns)
            flow_end(t, t->head[l], OS_END_IDLE);
    }
    t->due_ns = UINT64_MAX;
    for (int l = 0; l < OS_FL_NLISTS; l++)
        new_head(t, l);
}

/* The least recently seen flow over all lists. */
static os_flow *oldest(os_flowtab *t)
{
    os_flow *o = NULL;
    for (int l = 0; l < OS_FL_NLISTS; l++)
        if (t->head[l] && (!o || t->head[l]->last_ns < o->last_ns))
            o = t->head[l];
    return o;
}

/* 53-bit flow id from key and first time (FNV-1a 64). */
uint64_t os_flow_id(const os_flow_key *k, uint64_t first_ns)
{
    uint64_t h = 1469598103934665603ULL;
    const uint8_t *b = (const uint8_t *)k;
    for (size_t i = 0; i < sizeof *k; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    for (int i = 0; i < 8; i++)
        h = (h ^ ((first_ns >> (8 * i)) & 0xff)) * 1099511628211ULL;
    return h & ((1ULL << 53) - 1);
}

static os_flow_list list_for(uint8_t proto)
{
    return proto == 6 ? OS_FL_TCP : proto == 17 ? OS_FL_UDP : OS_FL_OTHER;
}

/* Allocate and insert a new flow for key k; NULL (counted) when memory
 * ran out. */
static os_flow *flow_create(os_flowtab *t, const os_flow_key *k, uint64_t ts, int side)
{
    os_flow *f = t->free_list;
    if (f)
        t->free_list = f->next;
    else if (!(f = malloc(sizeof *f))) {
        t->st.alloc_failed++;
        return NULL;
    }
    memset(f, 0, sizeof *f);
    f->key = *k;
    f->first_ns = f->last_ns = ts;
    f->id = os_flow_id(k, ts);
    f->initiator = (uint8_t)side;
    f->label.rule = f->label.alt = -1;
    f->label.gen = UINT32_MAX;
    HASH_ADD_KEYPTR_BYHASHVALUE(hh, t->hash, &f->key, sizeof f->key, os_hash(k, sizeof *k), f);
    if (!os_hash_kept(f, &f->hh, &t->st.alloc_failed))
        return NULL;
    list_append(t, f, list_for(k->proto));
    t->st.created++;
    if (++t->st.active > t->st.peak)
        t->st.peak = t->st.active;
    return f;
}

/* Follow the handshake: SYN (and retries), SYN-ACK or RST, final ACK. */
static void handshake(os_flow *f, int side, uint8_t fl, bool first)
{
    bool syn = (fl & (OS_TH_SYN | OS_TH_ACK)) == OS_TH_SYN;
    if (first && !syn)
        f->hs |= OS_HS_MID;
    if (syn && side == f->initiator) {
        f->hs |= OS_HS_SYN;
        if (f->syns < 255)
            f->syns++;
    } else if (side != f->initiator && (fl & OS_TH_SYN) && (fl & OS_TH_ACK)) {
        f->hs |= OS_HS_SYNACK;
    } else if (side != f->initiator && (fl & OS_TH_RST) && !(f->hs & OS_HS_SYNACK) &&
               (f->hs & OS_HS_SYN)) {
        f->hs |= OS_HS_REFUSED;
    } else if (side == f->initiator && (fl & OS_TH_ACK) && (f->hs & OS_HS_SYNACK)) {
        f->hs |= OS_HS_ACK;
    }
}

/* Update TCP state: initiator from a bare SYN, closed list on RST/FINs. */
static void tcp_update(os_flowtab *t, os_flow *f, int side, uint8_t fl, bool first)
{
    f->flags[side] |= fl;
    if ((fl & (OS_TH_SYN | OS_TH_ACK)) == OS_TH_SYN && !f->by_syn) {
        f->initiator = (uint8_t)side;
        f->by_syn = 1;
    } else if (first && (fl & OS_TH_SYN)) {
        f->initiator = (uint8_t)!side; /* a SYN-ACK answers the other side's SYN */
    }
    handshake(f, side, fl, first);
    bool closed = (fl & OS_TH_RST) ||
                  ((f->flags[0] & OS_TH_FIN) && (f->flags[1] & OS_TH_FIN));
    if (closed && f->list != OS_FL_TCP_CLOSED) {
        list_unlink(t, f);
        list_append(t, f, OS_FL_TCP_CLOSED);
    }
}

/* Find or create the flow of p and account the packet. */
/* A packet earlier than flow f began, by more than f's idle timeout: time
 * went back (captures merged or concatenated out of order), and the packet
 * belongs to a conversation of its own. */
static bool went_back(const os_flowtab *t, const os_flow *f, uint64_t ts_ns)
{
    uint64_t idle = t->cfg.timeout_ns[f->list];
    return idle && f->first_ns - ts_ns > idle;
}

os_flow *os_flowtab_add(os_flowtab *t, const os_pkt *p, uint64_t ts_ns,
                        int *side, bool *created)
{
    os_flow_key k;
    os_flow *f;

    *side = os_flow_key_make(p, &k);
    os_flowtab_expire(t, ts_ns);
    HASH_FIND_BYHASHVALUE(hh, t->hash, &k, sizeof k, os_hash(&k, sizeof k), f);
    if (f && ts_ns < f->first_ns && went_back(t, f, ts_ns)) {
        flow_end(t, f, OS_END_IDLE); /* time went back past its idle timeout: */
        f = NULL;                    /* another capture's conversation */
    }
    *created = f == NULL;
    if (!f) {
        if (t->cfg.max_flows && t->st.active >= t->cfg.max_flows)
            flow_end(t, oldest(t), OS_END_CAP);
        if (!(f = flow_create(t, &k, ts_ns, *side)))
            return NULL;
    } else {
        list_unlink(t, f);
        list_append(t, f, (os_flow_list)f->list);
    }
    if (ts_ns > f->last_ns)
        f->last_ns = ts_ns;
    f->pkts[*side]++;
    f->bytes[*side] += p->wirelen;
    if (p->proto == 6)
        tcp_update(t, f, *side, p->tcp_flags, *created);
    return f;
}

/* The address of key side `side` of a flow. */
os_addr os_flow_addr(const os_flow *f, int side)
{
    return os_addr_from(f->key.ipver, f->key.addr[side]);
}

/* Handshake verdict of a TCP flow. */
os_hs_verdict os_flow_hs(const os_flow *f)
{
    if (!(f->hs & OS_HS_SYN))
        return OS_HSV_MIDSTREAM;
    if (f->hs & OS_HS_REFUSED)
        return OS_HSV_REFUSED;
    if (!(f->hs & OS_HS_SYNACK))
        return OS_HSV_UNANSWERED;
    return (f->hs & OS_HS_ACK) ? OS_HSV_ESTABLISHED : OS_HSV_PARTIAL;
}

/* Stable id of a verdict. */
const char *os_flow_hs_name(os_hs_verdict v)
{
    static const char *const n[] = { "established", "refused", "unanswered", "midstream",
                                     "partial" };
    return (unsigned)v <= OS_HSV_PARTIAL ? n[v] : "unknown";
}

static int cmp_first(const void *a, const void *b)
{
    const os_flow *x = *(os_flow *const *)a, *y = *(os_flow *const *)b;
    if (x->first_ns != y->first_ns)
        return x->first_ns < y->first_ns ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* End every flow, oldest first; falls back to table order without memory. */
void os_flowtab_flush(os_flowtab *t)
{
    size_t n = HASH_COUNT(t->hash), i = 0;
    os_flow **v = n ? malloc(n * sizeof *v) : NULL;
    os_flow *f, *tmp;

    if (!v) {
        t->st.alloc_failed += n != 0;
        HASH_ITER(hh, t->hash, f, tmp)
            flow_end(t, f, OS_END_FLUSH);
        return;
    }
    HASH_ITER(hh, t->hash, f, tmp)
        v[i++] = f;
    qsort(v, n, sizeof *v, cmp_first);
    for (i = 0; i < n; i++)
        flow_end(t, v[i], OS_END_FLUSH);
    free(v);
}

/* Call fn for every flow in the table (any order; do not modify it). */
void os_flowtab_foreach(os_flowtab *t, void (*fn)(void *user, const os_flow *f), void *user)
{
    os_flow *f, *tmp;
    HASH_ITER(hh, t->hash, f, tmp)
        fn(user, f);
}

/* The flow with key k, or NULL. */
os_flow *os_flowtab_find(os_flowtab *t, const os_flow_key *k)
{
    os_flow *f;
    HASH_FIND_BYHASHVALUE(hh, t->hash, k, sizeof *k, os_hash(k, sizeof *k), f);
    return f;
}

/* Counters. */
const os_flow_stats *os_flowtab_stats(const os_flowtab *t) { return &t->st; }

/* The number of p's tunnel context. */
uint16_t os_flowtab_tunnel(os_flowtab *t, const os_pkt *p)
{
    return p->nencap ? os_tunnels_number(&t->tun, p, &t->st) : 0;
}

/* A tunnel context as first seen. */
const os_tunnel_info *os_flowtab_tunnel_info(const os_flowtab *t, uint16_t id)
{
    return os_tunnels_info(t->tun, id);
}

/* Free the table (flows are freed without the callback). */
void os_flowtab_free(os_flowtab *t)
{
    os_flow *f, *tmp;
    if (!t)
        return;
    HASH_ITER(hh, t->hash, f, tmp) {
        HASH_DEL(t->hash, f);
        free(f);
    }
    while ((f = t->free_list)) {
        t->free_list = f->next;
        free(f);
    }
    os_tunnels_free(t->tun);
    free(t);
}
