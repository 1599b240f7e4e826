/* graph.c — the system as observed: flows folded into edges per (initiator,
 * responder, transport, traffic role, service port), with the findings
 * raised on them. See graph.h. */
#include "omnisniff/graph.h"

#include <stdlib.h>
#include <string.h>

#include "omnisniff/classify.h"
#include "hash.h"

struct os_graph {
    os_edge *edges;        /* uthash by key */
    uint64_t alloc_failed; /* allocations that failed: edges not kept */
};

/* New empty graph; NULL on allocation failure. */
os_graph *os_graph_new(void) { return calloc(1, sizeof(os_graph)); }

/* Key of an edge from its endpoints. */
static os_edge_key edge_key(const os_addr *src, const os_addr *dst, uint8_t proto, int16_t rule,
                            uint16_t port)
{
    os_edge_key k;
    memset(&k, 0, sizeof k);
    memcpy(k.src, src->b, sizeof k.src);
    memcpy(k.dst, dst->b, sizeof k.dst);
    k.port = port;
    k.rule = rule;
    k.ipver = src->ver;
    k.proto = proto;
    return k;
}

/* The edge of k, made empty if new; NULL on allocation failure (counted). */
static os_edge *edge_get(os_graph *g, const os_edge_key *k, const os_addr *src,
                         const os_addr *dst)
{
    os_edge *e;
    HASH_FIND(hh, g->edges, k, sizeof *k, e);
    if (e)
        return e;
    if (!(e = calloc(1, sizeof *e))) {
        g->alloc_failed++;
        return NULL;
    }
    e->key = *k;
    e->src = *src;
    e->dst = *dst;
    e->first_ns = UINT64_MAX;
    e->worst = OS_SEV_NEVER;
    HASH_ADD(hh, g->edges, key, sizeof e->key, e);
    if (!os_hash_kept(e, &e->hh, &g->alloc_failed))
        return NULL;
    return e;
}

/* Account a flow leaving the table. */
bool os_graph_add_flow(os_graph *g, const os_flow *f)
{
    int ini = os_flow_client(f), rsp = !ini;
    os_addr src = os_flow_addr(f, ini), dst = os_flow_addr(f, rsp);
    bool classified = f->label.rule >= 0;
    int svc = classified ? f->label.svc_side : rsp;
    os_edge_key k = edge_key(&src, &dst, f->key.proto, f->label.rule, f->key.port[svc]);
    os_edge *e = edge_get(g, &k, &src, &dst);
    if (!e)
        return false;
    e->svc_is_dst = (uint8_t)(svc == rsp);
    e->flows++;
    e->packets[0] += f->pkts[ini];
    e->packets[1] += f->pkts[rsp];
    e->bytes[0] += f->bytes[ini];
    e->bytes[1] += f->bytes[rsp];
    if (f->key.proto == 6)
        e->hs[os_flow_hs(f)]++;
    if (f->first_ns < e->first_ns)
        e->first_ns = f->first_ns;
    if (f->last_ns > e->last_ns)
        e->last_ns = f->last_ns;
    if (f->label.conf > e->conf)
        e->conf = f->label.conf;
    return true;
}

/* The edge a finding's flow folded into: its role on either port, else any
 * role (host knowledge may have relabelled the flow since it was raised). */
static os_edge *finding_edge(os_graph *g, const os_finding *fd)
{
    os_edge_key k = edge_key(&fd->src, &fd->dst, fd->proto, fd->rule, fd->dport);
    os_edge *e, *tmp;
    HASH_FIND(hh, g->edges, &k, sizeof k, e);
    if (e)
        return e;
    k.port = fd->sport;
    HASH_FIND(hh, g->edges, &k, sizeof k, e);
    if (e)
        return e;
    HASH_ITER(hh, g->edges, e, tmp)
        if (!memcmp(e->key.src, k.src, 16) && !memcmp(e->key.dst, k.dst, 16) &&
            e->key.proto == fd->proto && (e->key.port == fd->dport || e->key.port == fd->sport))
            return e;
    k.port = fd->dport;
    if (!(e = edge_get(g, &k, &fd->src, &fd->dst)))
        return NULL;
    e->svc_is_dst = 1;
    e->first_ns = fd->first_ns;
    e->last_ns = fd->last_ns;
    return e;
}

/* Raise the edges of a problem to its severity. */
void os_graph_problem(os_graph *g, os_finding_kind kind, int16_t rule, const os_addr *svc,
                      os_severity sev)
{
    os_edge *e, *t;
    HASH_ITER(hh, g->edges, e, t) {
        bool at_svc = os_addr_cmp(&e->dst, svc) == 0 || os_addr_cmp(&e->src, svc) == 0;
        if (at_svc && e->key.rule == rule && (e->kinds & (1u << kind)) && e->worst < sev)
            e->worst = sev;
    }
}

/* Tie a finding to its edge. */
bool os_graph_add_finding(os_graph *g, const os_finding *fd)
{
    os_edge *e;
    if (!fd->has_flow)
        return true;
    if (!(e = finding_edge(g, fd)))
        return false;
    e->kinds |= 1u << fd->kind;
    if (e->worst == OS_SEV_NEVER || fd->sev > e->worst)
        e->worst = fd->sev;
    return true;
}

/* Order: initiator, responder, rule, port, transport. */
static int edge_cmp(const void *a, const void *b)
{
    const os_edge *x = *(const os_edge *const *)a, *y = *(const os_edge *const *)b;
    int c = os_addr_cmp(&x->src, &y->src);
    if (!c)
        c = os_addr_cmp(&x->dst, &y->dst);
    if (!c)
        c = (x->key.rule > y->key.rule) - (x->key.rule < y->key.rule);
    if (!c)
        c = (x->key.port > y->key.port) - (x->key.port < y->key.port);
    if (!c)
        c = (x->key.proto > y->key.proto) - (x->key.proto < y->key.proto);
    return c;
}

/* Every edge, sorted. */
const os_edge **os_graph_edges(const os_graph *g, size_t *n)
{
    size_t cnt = HASH_COUNT(g->edges), i = 0;
    const os_edge **v;
    os_edge *e, *tmp;
    *n = 0;
    if (!cnt || !(v = malloc(cnt * sizeof *v)))
        return NULL;
    HASH_ITER(hh, g->edges, e, tmp)
        v[i++] = e;
    qsort(v, cnt, sizeof *v, edge_cmp);
    *n = cnt;
    return v;
}

/* Allocations that failed so far. */
uint64_t os_graph_alloc_failed(const os_graph *g) { return g->alloc_failed; }

/* The edge of a key, or NULL. */
const os_edge *os_graph_find(const os_graph *g, const os_edge_key *k)
{
    os_edge *e;
    HASH_FIND(hh, g->edges, k, sizeof *k, e);
    return e;
}

/* Free it and its edges. */
void os_graph_free(os_graph *g)
{
    os_edge *e, *tmp;
    if (!g)
        return;
    HASH_ITER(hh, g->edges, e, tmp) {
        HASH_DEL(g->edges, e);
        free(e);
    }
    free(g);
}
