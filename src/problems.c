/* problems.c — fold findings into problems (see problems.h).
 *
 * A uthash of problems keyed by (service host or group, the rule's port
 * range, rule, kind); each problem keeps bounded state (ports, first peers,
 * a sample of intervals, flow ids, example findings) plus a set of its
 * distinct peers capped at OS_PROBLEM_PEERS_MAX. A second small hash counts
 * completed handshakes per (service host, rule), which persistence reads:
 * docs/omnicast-roles.md section 3, "become errors when the service fails on every attempt,
 * from several peers or for longer than a threshold". Both hashes are
 * bounded; each keeps its entries in eviction order (doubly linked, least
 * recent first; problems one list per severity), so an eviction is O(1). */
#include "omnisniff/problems.h"
#include "hash.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One distinct peer of a problem. */
struct os_problem_peer {
    os_addr addr;        /* hash key */
    UT_hash_handle hh;   /* uthash handle */
    uint64_t last_ns;    /* its last attempt */
};

/* Handshakes completed to one (service host, rule). */
typedef struct svc_ok {
    uint8_t key[20];     /* address bytes, version, pad, rule */
    UT_hash_handle hh;   /* uthash handle */
    uint64_t n;          /* handshakes */
    os_lru_node order;   /* eviction order: by last handshake */
} svc_ok;

struct os_problems {
    const os_ruleset *rs;   /* thresholds and port ranges */
    os_problem_fn fn;       /* open / update callback */
    void *user;             /* its argument */
    os_problem *set;        /* uthash of problems */
    svc_ok *ok;             /* uthash of answered services */
    uint32_t seq;           /* problems opened */
    os_problem **sorted;    /* last sorted view */
    os_lru by_sev[OS_SEV_NEVER]; /* problems per current severity, least recently folded first */
    os_lru ok_order;        /* answered services, least recently answered first */
    size_t max;             /* bound on problems */
    os_problem_stats st;    /* counters */
};

/* Stable id of an event. */
const char *os_problem_event_name(os_problem_event e)
{
    static const char *const n[] = { "open", "update", "final" };
    return (unsigned)e <= OS_PROBLEM_FINAL ? n[e] : "unknown";
}

/* New empty table. */
os_problems *os_problems_new(const os_ruleset *rs, os_problem_fn fn, void *user)
{
    os_problems *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->rs = rs;
    t->fn = fn;
    t->user = user;
    t->max = OS_PROBLEMS_MAX;
    return t;
}

/* Bound the problems held. */
void os_problems_set_max(os_problems *t, size_t n)
{
    t->max = n ? n : 1;
}

/* The counters of the bounded tables. */
const os_problem_stats *os_problems_stats(const os_problems *t)
{
    return &t->st;
}

static void free_peers(os_problem *p)
{
    os_problem_peer *e, *x;
    HASH_ITER(hh, p->peerset, e, x) {
        HASH_DEL(p->peerset, e);
        free(e);
    }
}

/* Forget the least recently folded problem of the lowest severity held. */
static void evict_problem(os_problems *t)
{
    os_problem *p = NULL;
    for (int s = 0; s < OS_SEV_NEVER && !p; s++)
        p = OS_LRU_ENTRY(t->by_sev[s].oldest, os_problem, order);
    if (!p)
        return;
    os_lru_unlink(&t->by_sev[p->sev], &p->order);
    HASH_DEL(t->set, p);
    t->st.peers_held -= HASH_COUNT(p->peerset);
    free_peers(p);
    free(p);
    t->st.problems--;
    t->st.problems_evicted++;
}

/* Forget the least recently answered service. */
static void evict_answered(os_problems *t)
{
    svc_ok *o = OS_LRU_ENTRY(t->ok_order.oldest, svc_ok, order);
    os_lru_unlink(&t->ok_order, &o->order);
    HASH_DEL(t->ok, o);
    free(o);
    t->st.answered--;
    t->st.answered_evicted++;
}

/* Free the table and its problems. */
void os_problems_free(os_problems *t)
{
    os_problem *p, *q;
    svc_ok *o, *r;
    if (!t)
        return;
    HASH_ITER(hh, t->set, p, q) {
        HASH_DEL(t->set, p);
        free_peers(p);
        free(p);
    }
    HASH_ITER(hh, t->ok, o, r) {
        HASH_DEL(t->ok, o);
        free(o);
    }
    free(t->sorted);
    free(t);
}

/* ---- keys ---------------------------------------------------------------- */

static void make_key(const os_ruleset *rs, os_finding_kind kind, int16_t rule, const os_addr *svc,
                     uint16_t port, os_problem_key *k)
{
    memset(k, 0, sizeof *k);
    if (svc) {
        memcpy(k->svc, svc->b, sizeof k->svc);
        k->ipver = svc->ver;
    }
    k->rule = rule;
    k->kind = (uint8_t)kind;
    if (rule >= 0 && (unsigned)rule < rs->n && rs->rule[rule].port_lo) {
        k->port_lo = rs->rule[rule].port_lo;
        k->port_hi = rs->rule[rule].port_hi;
    } else {
        k->port_lo = k->port_hi = port;
    }
}

/* FNV-1a of the key, cut to 53 bits so JSON readers keep it exact. */
static uint64_t key_id(const os_problem_key *k)
{
    const uint8_t *b = (const uint8_t *)k;
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < sizeof *k; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return (h & ((1ULL << 53) - 1)) | 1;
}

static void ok_key(const os_addr *svc, int16_t rule, uint8_t key[20])
{
    memset(key, 0, 20);
    memcpy(key, svc->b, 16);
    key[16] = svc->ver;
    key[18] = (uint8_t)((uint16_t)rule >> 8);
    key[19] = (uint8_t)rule;
}

/* Handshakes completed to the service of problem p. */
static uint64_t answered_of(const os_problems *t, const os_problem *p)
{
    uint8_t key[20];
    svc_ok *o;
    if (!p->has_svc)
        return 0;
    ok_key(&p->svc, p->rule, key);
    HASH_FIND(hh, t->ok, key, sizeof key, o);
    return o ? o->n : 0;
}

/* ---- severity ------------------------------------------------------------ */

/* Severity with persistence applied: a connection problem whose service
 * never answered, from persist-peers peers or for persist-seconds, is an
 * error; with any answered handshake it stays what its findings say. */
static os_severity judge(const os_problems *t, os_problem *p)
{
    const os_settings *s = &t->rs->set;
    p->answered = answered_of(t, p);
    if (!os_finding_kind_persists(p->kind) || p->answered)
        return p->base;
    if (p->peers >= s->persist_peers ||
        p->last_ns - p->first_ns >= (uint64_t)s->persist_s * 1000000000ULL)
        return OS_SEV_ERROR;
    return p->base;
}

/* Judge p again (moving it to its severity's order, last) and tell the
 * callback what changed. */
static void rejudge(os_problems *t, os_problem *p, bool opened)
{
    os_severity was = p->sev;
    p->sev = judge(t, p);
    if (p->sev != was) {
        os_lru_unlink(&t->by_sev[was], &p->order);
        os_lru_append(&t->by_sev[p->sev], &p->order);
    }
    if (t->fn && (opened || p->sev != was))
        t->fn(t->user, p, opened ? OS_PROBLEM_OPEN : OS_PROBLEM_UPDATE);
}

/* ---- folding ------------------------------------------------------------- */

static os_problem *problem_new(os_problems *t, const os_problem_key *k, const os_finding *f,
                               const os_addr *svc)
{
    os_problem *p;
    while (t->st.problems >= t->max && t->st.problems)
        evict_problem(t);
    if (!(p = calloc(1, sizeof *p))) {
        t->st.alloc_failed++;
        return NULL;
    }
    p->key = *k;
    p->id = key_id(k);
    p->kind = f->kind;
    p->sev = p->base = f->sev;
    p->rule = f->rule;
    p->proto = f->proto;
    p->has_svc = svc->ver != 0;
    p->svc = *svc;
    p->first_ns = f->first_ns;
    p->last_ns = f->last_ns;
    HASH_ADD(hh, t->set, key, sizeof p->key, p);
    if (!os_hash_kept(p, &p->hh, &t->st.alloc_failed))
        return NULL;
    p->seq = t->seq++;
    os_lru_append(&t->by_sev[p->sev], &p->order);
    if (++t->st.problems > t->st.problems_peak)
        t->st.problems_peak = t->st.problems;
    return p;
}

static void add_port(os_problem *p, uint16_t port)
{
    for (unsigned i = 0; i < p->nports; i++)
        if (p->ports[i] == port)
            return;
    if (p->nports < OS_PROBLEM_PORTS)
        p->ports[p->nports++] = port;
    else
        p->more_ports = true;
}

/* Count a distinct peer; sample the interval since its previous attempt.
 * Past the bounds, or when memory ran out (counted), the count is a lower
 * bound (peers_capped). */
static void add_peer(os_problems *t, os_problem *p, const os_addr *a, uint64_t ts)
{
    os_problem_peer *e;
    HASH_FIND(hh, p->peerset, a, sizeof *a, e);
    if (e) {
        if (ts > e->last_ns && p->ngaps < OS_PROBLEM_GAPS)
            p->gap_ms[p->ngaps++] = (uint32_t)((ts - e->last_ns) / 1000000ULL);
        if (ts > e->last_ns)
            e->last_ns = ts;
        return;
    }
    if (p->peers < OS_PROBLEM_PEERS_SHOWN)
        p->peer[p->peers] = *a;
    if (!p->peers || (a->ver == p->peer_lo.ver && os_addr_cmp(a, &p->peer_lo) < 0))
        p->peer_lo = *a;
    if (!p->peers || (a->ver == p->peer_hi.ver && os_addr_cmp(a, &p->peer_hi) > 0))
        p->peer_hi = *a;
    if (p->peers >= OS_PROBLEM_PEERS_MAX || t->st.peers_held >= OS_PROBLEM_PEERS_HELD) {
        p->peers_capped = true;
        return;
    }
    if (!(e = calloc(1, sizeof *e))) {
        t->st.alloc_failed++;
        p->peers_capped = true;
        return;
    }
    e->addr = *a;
    e->last_ns = ts;
    HASH_ADD(hh, p->peerset, addr, sizeof e->addr, e);
    if (!os_hash_kept(e, &e->hh, &t->st.alloc_failed)) {
        p->peers_capped = true;
        return;
    }
    p->peers++;
    t->st.peers_held++;
}

/* A new finding joins p. */
static void add_finding(os_problems *t, os_problem *p, os_finding *f, const os_addr *peer,
                        uint16_t port)
{
    p->flows++;
    if (port)
        add_port(p, port);
    if (peer && peer->ver)
        add_peer(t, p, peer, f->first_ns);
    if (f->has_flow && p->nflow_ids < OS_PROBLEM_FLOW_IDS)
        p->flow_id[p->nflow_ids++] = f->flow_id;
    if (p->nexamples < OS_PROBLEM_EXAMPLES)
        p->example[p->nexamples++] = *f;
}

/* What changed in f since it was last folded. */
static void sync_finding(os_problem *p, os_finding *f)
{
    if (f->packets > f->folded)
        p->packets += f->packets - f->folded;
    f->folded = f->packets;
    if (f->first_ns < p->first_ns)
        p->first_ns = f->first_ns;
    if (f->last_ns > p->last_ns)
        p->last_ns = f->last_ns;
    if (f->sev > p->base)
        p->base = f->sev;
    for (unsigned i = 0; i < p->nexamples; i++)
        if (p->example[i].flow_id == f->flow_id && p->example[i].seq == f->seq)
            p->example[i] = *f;
}

/* Fold a finding into its problem. */
os_problem *os_problems_fold(os_problems *t, os_finding *f, bool fresh, const os_addr *svc,
                             const os_addr *peer, uint16_t port)
{
    os_problem_key k;
    os_problem *p;
    bool opened = false;
    make_key(t->rs, f->kind, f->rule, svc, port, &k);
    HASH_FIND(hh, t->set, &k, sizeof k, p);
    if (!p) {
        if (!(p = problem_new(t, &k, f, svc)))
            return NULL;
        opened = true;
    } else {
        os_lru_touch(&t->by_sev[p->sev], &p->order); /* folded now: evicted last */
    }
    f->problem_id = p->id;
    if (fresh || opened)
        add_finding(t, p, f, peer, port);
    sync_finding(p, f);
    rejudge(t, p, opened);
    return p;
}

/* A handshake completed to a service: persistence is judged again. */
bool os_problems_answered(os_problems *t, const os_addr *svc, int16_t rule, uint64_t ts)
{
    uint8_t key[20];
    svc_ok *o;
    (void)ts;
    ok_key(svc, rule, key);
    HASH_FIND(hh, t->ok, key, sizeof key, o);
    if (o) {
        os_lru_touch(&t->ok_order, &o->order);
    } else {
        if (t->st.answered >= OS_PROBLEMS_ANSWERED_MAX)
            evict_answered(t);
        if (!(o = calloc(1, sizeof *o))) {
            t->st.alloc_failed++;
            return false;
        }
        memcpy(o->key, key, sizeof key);
        HASH_ADD(hh, t->ok, key, sizeof o->key, o);
        if (!os_hash_kept(o, &o->hh, &t->st.alloc_failed))
            return false;
        t->st.answered++;
        os_lru_append(&t->ok_order, &o->order);
    }
    o->n++;
    for (int kind = 0; kind < OS_FK_COUNT; kind++) {
        os_problem_key k;
        os_problem *p;
        if (!os_finding_kind_persists((os_finding_kind)kind))
            continue;
        make_key(t->rs, (os_finding_kind)kind, rule, svc, 0, &k);
        HASH_FIND(hh, t->set, &k, sizeof k, p);
        if (p)
            rejudge(t, p, false);
    }
    return true;
}

/* ---- views --------------------------------------------------------------- */

static int by_severity(const void *a, const void *b)
{
    const os_problem *x = *(os_problem *const *)a, *y = *(os_problem *const *)b;
    if (x->sev != y->sev)
        return x->sev > y->sev ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Every problem, most severe first, then in the order raised. */
const os_problem *const *os_problems_sorted(os_problems *t, size_t *n)
{
    OS_HASH_SORTED(t->set, os_problem, by_severity, &t->sorted, n);
    return (const os_problem *const *)t->sorted;
}

/* Problems per severity and the worst. */
void os_problems_counts(const os_problems *t, uint64_t by_sev[OS_SEV_NEVER], os_severity *worst)
{
    const os_problem *p, *q;
    memset(by_sev, 0, sizeof(uint64_t) * OS_SEV_NEVER);
    *worst = OS_SEV_NEVER;
    HASH_ITER(hh, t->set, p, q) {
        by_sev[p->sev]++;
        if (*worst == OS_SEV_NEVER || p->sev > *worst)
            *worst = p->sev;
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The median of the sampled intervals, in seconds; -1 without one. */
double os_problem_interval(const os_problem *p)
{
    uint32_t v[OS_PROBLEM_GAPS];
    if (!p->ngaps)
        return -1.0;
    memcpy(v, p->gap_ms, p->ngaps * sizeof v[0]);
    qsort(v, p->ngaps, sizeof v[0], cmp_u32);
    return v[p->ngaps / 2] / 1000.0;
}

/* The span of the peers. */
const char *os_problem_peer_range(const os_problem *p, char *buf, size_t len)
{
    char a[OS_ADDRSTRLEN], b[OS_ADDRSTRLEN];
    os_addr_str(&p->peer_lo, a);
    if (p->peers <= 1 || os_addr_cmp(&p->peer_lo, &p->peer_hi) == 0)
        snprintf(buf, len, "%s", a);
    else
        snprintf(buf, len, "%s-%s", a, os_addr_str(&p->peer_hi, b));
    return buf;
}
