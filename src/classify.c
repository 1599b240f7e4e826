/* classify.c — label flows with Omnicast traffic roles; learn host roles.
 *
 * A flow is matched against the candidate rules of both of its ports (one
 * table lookup each, see rules.h). Each candidate is scored by what host
 * roles say about it (docs/omnicast-roles.md section 1: declared > inferred > port) and the
 * best one wins; `over=` settles ties between rules the file ranks, and a
 * remaining tie between different rules is kept as an alternative ("both
 * are possible", docs/omnicast-roles.md section 2 on TCP 6000). Host roles are inferred only
 * from rules that say so (infer=), on new flows and on TCP SYN-ACKs. */
#include "omnisniff/classify.h"
#include "hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LABEL_NEVER UINT32_MAX /* os_flow_label.gen of a flow never labelled */
#define SEEN_EVERY 255u         /* mask: a flow's hosts are seen every 256th packet of it */

/* A flow of a rule that takes part in an infer-pair=, seen between two hosts. */
typedef struct pair_fact {
    uint8_t key[36];          /* service address, peer address (16 + ver each), rule (2) */
    UT_hash_handle hh;        /* uthash handle */
    uint64_t flow_id;         /* the flow that showed it */
} pair_fact;

struct os_classifier {
    const os_ruleset *rs;      /* rules */
    const os_hostsfile *hf;    /* declared hosts, or NULL */
    os_host *hosts;            /* uthash of known hosts */
    uint64_t gen;              /* bumped whenever a host's roles change (low 32 bits never LABEL_NEVER) */
    pair_fact *pairs;          /* flows of rules that corroborate each other (infer-pair=) */
    bool *in_pair;             /* per rule: takes part in an infer-pair= */
    os_lru order;              /* evictable hosts, least recently seen first */
    size_t nevictable;         /* how many */
    size_t max_hosts;          /* bound on them */
    os_host_stats st;          /* counters */
};

/* How a side's known roles relate to what a rule wants there. */
typedef enum { FIT_UNKNOWN = 0, FIT_CONFLICT, FIT_INFERRED, FIT_DECLARED } fit;

/* One way a rule can match a flow. */
typedef struct cand {
    int rule;          /* rule index */
    int svc;           /* service side */
    int dest_class;    /* 2 multicast-test, 1 multicast, 0 any */
    int confirms;      /* sides whose roles confirm the rule */
    os_conf conf;      /* resulting confidence */
    bool mismatch;     /* peer roles known and not expected */
    bool port_on_svc;  /* the matched port is the service side's */
    bool dir_ok;       /* TCP initiator agrees with the rule */
} cand;

#define MAX_CANDS 32

/* Stable id of a confidence. */
const char *os_conf_name(os_conf c)
{
    static const char *const n[] = { "-", "port", "inferred", "declared" };
    return c <= OS_CONF_DECLARED ? n[c] : "-";
}

/* New classifier over rules rs and optional hosts file h. */
os_classifier *os_classifier_new(const os_ruleset *rs, const os_hostsfile *h)
{
    os_classifier *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->rs = rs;
    c->hf = h && h->n ? h : NULL;
    c->max_hosts = OS_HOSTS_MAX;
    if (!(c->in_pair = calloc(rs->n ? rs->n : 1, sizeof *c->in_pair))) {
        free(c);
        return NULL;
    }
    for (unsigned i = 0; i < rs->n; i++)
        if (rs->rule[i].infer_pair >= 0)
            c->in_pair[i] = c->in_pair[rs->rule[i].infer_pair] = true;
    return c;
}

/* Free it and its host table. */
void os_classifier_free(os_classifier *c)
{
    os_host *h, *tmp;
    if (!c)
        return;
    pair_fact *p, *q;
    HASH_ITER(hh, c->hosts, h, tmp) {
        HASH_DEL(c->hosts, h);
        free(h);
    }
    HASH_ITER(hh, c->pairs, p, q) {
        HASH_DEL(c->pairs, p);
        free(p);
    }
    free(c->in_pair);
    free(c);
}

/* Bound the evictable hosts. */
void os_classify_set_max_hosts(os_classifier *c, size_t n)
{
    c->max_hosts = n < OS_HOSTS_MIN ? OS_HOSTS_MIN : n;
}

/* The counters of the host and pair tables. */
const os_host_stats *os_classify_stats(const os_classifier *c)
{
    return &c->st;
}

/* ---- the host table: bounded, least recently seen evicted first ---------- */

/* Evict the least recently seen hosts while there are more than the bound:
 * the eviction order is by creation, and a host seen since it was last
 * looked at here gets a second chance (it goes last, unmarked) instead of
 * going — a lookup only marks the host, one store on the per-packet path.
 * Called only as the learning entry points return (learning can add a few
 * hosts past the bound first): no host pointer is held then, neither by
 * the inference code nor by reports (a lookup never evicts). */
static void hosts_trim(os_classifier *c)
{
    while (c->nevictable > c->max_hosts && c->order.oldest) {
        os_host *h = OS_LRU_ENTRY(c->order.oldest, os_host, order);
        os_lru_unlink(&c->order, &h->order);
        if (h->seen) {
            h->seen = false;
            os_lru_append(&c->order, &h->order);
            continue;
        }
        HASH_DELETE(hh, c->hosts, h);
        free(h);
        c->nevictable--;
        c->st.hosts--;
        c->st.hosts_evicted++;
    }
}

/* Is d a single address (a line of its own), not a network? */
static bool decl_single(const os_hostdecl *d)
{
    return d && d->plen == (d->net.ver == 6 ? 128 : 32);
}

static os_host *host_new(os_classifier *c, const os_addr *a, const os_hostdecl *d)
{
    os_host *h = calloc(1, sizeof *h);
    if (!h) {
        c->st.alloc_failed++;
        return NULL;
    }
    h->addr = *a;
    h->decl = d;
    h->declared = d ? d->roles : 0;
    h->kept = decl_single(d);
    h->seen = true;
    h->gen = (uint32_t)c->gen; /* a host coming back after eviction lost its inferred roles */
    HASH_ADD_KEYPTR_BYHASHVALUE(hh, c->hosts, &h->addr, sizeof h->addr,
                                os_hash(&h->addr, sizeof h->addr), h);
    if (!os_hash_kept(h, &h->hh, &c->st.alloc_failed))
        return NULL;
    if (!h->kept) {
        os_lru_append(&c->order, &h->order);
        c->nevictable++;
    }
    if (++c->st.hosts > c->st.hosts_peak)
        c->st.hosts_peak = c->st.hosts;
    return h;
}

/* Host record of a (now seen); created when declared, or when `create` is
 * set (learning). */
static os_host *host_get(os_classifier *c, const os_addr *a, bool create)
{
    os_host *h;
    const os_hostdecl *d;

    HASH_FIND_BYHASHVALUE(hh, c->hosts, a, sizeof *a, os_hash(a, sizeof *a), h);
    if (h) {
        h->seen = true;
        return h;
    }
    d = c->hf ? os_hosts_match(c->hf, a) : NULL;
    if (!d && !create)
        return NULL;
    return host_new(c, a, d);
}

/* A host's roles changed: a new generation, which flows touching it see. */
static void roles_changed(os_classifier *c, os_host *h)
{
    if ((uint32_t)++c->gen == LABEL_NEVER)
        c->gen++;
    h->gen = (uint32_t)c->gen;
}

/* The host record of an address, or NULL if nothing is known about it. */
const os_host *os_classify_host(os_classifier *c, const os_addr *a)
{
    return host_get(c, a, false);
}

/* Known roles of an address and the best confidence behind them. */
os_hrole_set os_classify_host_roles(os_classifier *c, const os_addr *a, os_conf *conf)
{
    const os_host *h = host_get(c, a, false);
    *conf = !h ? OS_CONF_NONE : h->declared ? OS_CONF_DECLARED
          : h->inferred ? OS_CONF_INFERRED : OS_CONF_NONE;
    return h ? (os_hrole_set)(h->declared | h->inferred) : 0;
}

/* How the roles of host h fit the wanted set (0 = any). Only declared roles
 * can contradict a rule: inferred roles are what traffic has shown so far,
 * and one server often holds several roles (Directory + Gateway), so an
 * inferred role confirms but never excludes. */
static fit role_fit(const os_host *h, os_hrole_set want)
{
    if (!want || !h)
        return FIT_UNKNOWN;
    if (h->declared & want)
        return FIT_DECLARED;
    if (h->inferred & want)
        return FIT_INFERRED;
    return h->declared ? FIT_CONFLICT : FIT_UNKNOWN;
}

/* Does the service side's address meet the rule's dest requirement? */
static bool dest_ok(const os_ruleset *rs, const os_rule *r, const os_addr *a)
{
    switch (r->dest) {
    case OS_DEST_MULTICAST:
        return os_addr_is_multicast(a);
    case OS_DEST_MCAST_TEST:
        return rs->set.mcast_test_set && os_addr_cmp(a, &rs->set.mcast_test) == 0;
    default:
        return true;
    }
}

static bool transport_ok(const os_rule *r, uint8_t proto)
{
    return (proto == 6 && (r->transports & OS_T_TCP)) ||
           (proto == 17 && (r->transports & OS_T_UDP));
}

/* A rule limited to small packets (max-mean-size=: discovery datagrams)
 * applies while the flow's mean packet is that small. */
static bool size_ok(const os_rule *r, const os_flow *f)
{
    uint64_t pk = (uint64_t)f->pkts[0] + f->pkts[1];
    return !r->max_mean_size || !pk || (f->bytes[0] + f->bytes[1]) / pk <= r->max_mean_size;
}

/* Score rule ri with service side svc; false if it cannot apply. */
static bool eval(os_classifier *c, const os_flow *f, int ri, int svc, int port_side, cand *out)
{
    const os_rule *r = &c->rs->rule[ri];
    os_addr sa = os_flow_addr(f, svc), pa = os_flow_addr(f, !svc);
    fit s, p;

    if (!transport_ok(r, f->key.proto) || !dest_ok(c->rs, r, &sa) || !size_ok(r, f))
        return false;
    s = role_fit(host_get(c, &sa, false), r->service);
    p = role_fit(host_get(c, &pa, false), r->peers);
    if (s == FIT_CONFLICT)
        return false;
    out->rule = ri;
    out->svc = svc;
    out->dest_class = r->dest == OS_DEST_MCAST_TEST ? 2 : r->dest == OS_DEST_MULTICAST;
    out->confirms = (s >= FIT_INFERRED) + (p >= FIT_INFERRED);
    if ((r->needs == OS_NEED_ANY && !out->confirms) ||
        (r->needs == OS_NEED_SERVICE && s < FIT_INFERRED) ||
        (r->needs == OS_NEED_PEER && p < FIT_INFERRED))
        return false;
    out->mismatch = p == FIT_CONFLICT;
    out->conf = !out->confirms ? OS_CONF_PORT
              : (s == FIT_DECLARED || p == FIT_DECLARED) ? OS_CONF_DECLARED
                                                         : OS_CONF_INFERRED;
    out->port_on_svc = port_side == svc;
    out->dir_ok = f->key.proto != 6 || !f->by_syn || r->initiator == OS_INIT_ANY ||
                  (r->initiator == OS_INIT_PEER) == (f->initiator != svc);
    return true;
}

/* Collect every way a rule can match f. */
static int gather(os_classifier *c, const os_flow *f, cand *v)
{
    int n = 0;
    for (int side = 0; side < 2; side++) {
        unsigned k;
        const uint16_t *ids = os_rules_candidates(c->rs, f->key.proto, f->key.port[side], &k);
        for (unsigned i = 0; i < k && n < MAX_CANDS; i++) {
            const os_rule *r = &c->rs->rule[ids[i]];
            n += eval(c, f, ids[i], side, side, &v[n]);
            if (r->port_on == OS_PORT_ON_EITHER && n < MAX_CANDS)
                n += eval(c, f, ids[i], !side, side, &v[n]);
        }
    }
    return n;
}

/* >0 when a ranks above b. */
static int rank_cmp(const cand *a, const cand *b)
{
    if (a->dest_class != b->dest_class)
        return a->dest_class - b->dest_class;
    if (a->confirms != b->confirms)
        return a->confirms - b->confirms;
    if (a->conf != b->conf)
        return (int)a->conf - (int)b->conf;
    if (a->mismatch != b->mismatch)
        return b->mismatch - a->mismatch;
    if (a->port_on_svc != b->port_on_svc)
        return a->port_on_svc - b->port_on_svc;
    return a->dir_ok - b->dir_ok;
}

static bool rule_over(const os_ruleset *rs, int a, int b)
{
    for (unsigned i = 0; i < rs->rule[a].nover; i++)
        if (rs->rule[a].over[i] == b)
            return true;
    return false;
}

/* Is v[i] beaten by another top-ranked candidate through over=? */
static bool overruled(const os_ruleset *rs, const cand *v, int n, int i)
{
    for (int j = 0; j < n; j++)
        if (j != i && rank_cmp(&v[j], &v[i]) == 0 && rule_over(rs, v[j].rule, v[i].rule))
            return true;
    return false;
}

/* Pick the winner (and an equally possible different rule) among v:
 * top rank first, then not beaten through over=, then file order. */
static void choose(const os_ruleset *rs, const cand *v, int n, os_flow_label *l)
{
    int top = 0, best = -1, alt = -1;
    for (int i = 1; i < n; i++)
        if (rank_cmp(&v[i], &v[top]) > 0)
            top = i;
    for (int i = 0; i < n; i++)
        if (rank_cmp(&v[i], &v[top]) == 0 && !overruled(rs, v, n, i) &&
            (best < 0 || v[i].rule < v[best].rule))
            best = i;
    if (best < 0)
        best = top; /* over= cycle: the file order decides */
    for (int i = 0; i < n; i++)
        if (rank_cmp(&v[i], &v[top]) == 0 && v[i].rule != v[best].rule &&
            !overruled(rs, v, n, i) && (alt < 0 || v[i].rule < v[alt].rule))
            alt = i;
    l->rule = (int16_t)v[best].rule;
    l->alt = alt >= 0 ? (int16_t)v[alt].rule : -1;
    l->conf = (uint8_t)v[best].conf;
    l->svc_side = (uint8_t)v[best].svc;
    l->peer_mismatch = v[best].mismatch;
}

/* Compute f->label from what is known now. */
static void label_flow(os_classifier *c, os_flow *f)
{
    cand v[MAX_CANDS];
    int n;
    memset(&f->label, 0, sizeof f->label);
    f->label.rule = f->label.alt = -1;
    f->label.gen = (uint32_t)c->gen;
    n = (f->key.proto == 6 || f->key.proto == 17) ? gather(c, f, v) : 0;
    if (n > 0)
        choose(c->rs, v, n, &f->label);
}

static void learn_flow(os_classifier *c, const os_flow *f);

/* The records of f's two hosts (NULL where none), each now seen. */
static void flow_hosts(os_classifier *c, const os_flow *f, const os_host *h[2])
{
    for (int side = 0; side < 2; side++) {
        os_addr a = os_flow_addr(f, side);
        h[side] = host_get(c, &a, false);
    }
}

/* Is f's label older than a role change of one of its two hosts (or was it
 * never computed)? A change elsewhere leaves it current. A host evicted
 * since counts as unchanged: the flow keeps its label. */
static bool label_stale(os_classifier *c, const os_flow *f)
{
    uint32_t age = (uint32_t)c->gen - f->label.gen; /* generations since the label */
    const os_host *h[2];
    if (f->label.gen == LABEL_NEVER)
        return true;
    if (!age)
        return false;
    flow_hosts(c, f, h);
    uint32_t now = (uint32_t)c->gen;
    return (h[0] && (uint32_t)(now - h[0]->gen) < age) || (h[1] && (uint32_t)(now - h[1]->gen) < age);
}

/* Some host's roles changed since f was labelled: if one of f's did,
 * label f again and learn from it again (and label it once more if that
 * taught something); else its label is current. (Not inlined, like
 * hosts_seen: the per-packet os_classify_flow then needs no stack frame.) */
__attribute__((noinline)) static void relabel(os_classifier *c, os_flow *f)
{
    if (!label_stale(c, f)) {
        f->label.gen = (uint32_t)c->gen;
        return;
    }
    label_flow(c, f);
    learn_flow(c, f);
    if (f->label.gen != (uint32_t)c->gen)
        label_flow(c, f);
    hosts_trim(c);
}

/* Every SEEN_EVERY + 1 packets of a flow, its hosts are seen (a busy flow's
 * hosts are not evicted). */
__attribute__((noinline)) static void hosts_seen(os_classifier *c, const os_flow *f)
{
    const os_host *h[2];
    flow_hosts(c, f, h);
}

/* Make f->label current. */
void os_classify_flow(os_classifier *c, os_flow *f)
{
    if (f->label.gen != (uint32_t)c->gen)
        relabel(c, f);
    else if (!((f->pkts[0] + f->pkts[1]) & SEEN_EVERY))
        hosts_seen(c, f);
}

/* A flow leaves the table: learn what only its whole shows (infer-bytes),
 * settle its label (a max-mean-size rule is judged on the whole flow). */
void os_classify_settle(os_classifier *c, os_flow *f)
{
    if (f->label.rule >= 0 && c->rs->rule[f->label.rule].infer_bytes)
        learn_flow(c, f);
    if ((c->rs->size_rules && f->key.proto == 17) || label_stale(c, f))
        label_flow(c, f);
    hosts_trim(c);
}

/* The side that opened the flow, as far as is known. */
int os_flow_client(const os_flow *f)
{
    if (f->key.proto == 6 && !f->by_syn && f->label.rule >= 0)
        return !f->label.svc_side;
    return f->initiator;
}

/* How os_flow_client decided. */
const char *os_flow_client_by(const os_flow *f)
{
    if (f->label.rule < 0)
        return NULL;
    if (f->key.proto == 6)
        return f->by_syn ? "syn" : "port";
    return "port";
}

/* Give host h inferred role `role`, with evidence (the other host). */
static void infer(os_classifier *c, os_host *h, int role, const os_flow *f, int rule,
                  bool as_service, uint64_t ts, const os_addr *other)
{
    if (!h || role < 0 || (h->inferred & OS_HR_BIT(role)))
        return;
    h->inferred |= OS_HR_BIT(role);
    h->why[role] = (os_evidence){ f->id, ts, (int16_t)rule, as_service, *other };
    roles_changed(c, h);
}

/* Does a hold one of the roles in set (declared or inferred)? */
static bool holds(os_classifier *c, const os_addr *a, os_hrole_set set)
{
    const os_host *h = host_get(c, a, false);
    return h && ((h->declared | h->inferred) & set);
}

/* Remember peer pa of host h on rule ri; returns distinct peers so far. */
static unsigned note_peer(os_host *h, int ri, const os_addr *pa, const os_flow *f, uint64_t ts)
{
    unsigned seen = 0;
    bool known = false;
    for (unsigned i = 0; i < h->npeer; i++) {
        if (h->peer[i].rule != ri)
            continue;
        seen++;
        known |= os_addr_cmp(&h->peer[i].addr, pa) == 0;
    }
    if (!known && h->npeer < OS_PEER_TRACK)
        h->peer[h->npeer++] = (os_peer_seen){ f->id, ts, (int16_t)ri, 0, *pa };
    return seen + !known;
}

/* The service host's role is now known: the peers seen before it are what
 * the rule says they are too, each with the evidence of its own flow. */
static void infer_waiting_peers(os_classifier *c, os_host *sh, int ri, int role)
{
    for (unsigned i = 0; i < sh->npeer; i++) {
        os_peer_seen *ps = &sh->peer[i];
        os_host *ph;
        if (ps->rule != ri || ps->done || !(ph = host_get(c, &ps->addr, true)))
            continue;
        ps->done = 1; /* once: a peer evicted since is not brought back */
        if (ph->declared || (ph->inferred & OS_HR_BIT(role)))
            continue;
        ph->inferred |= OS_HR_BIT(role);
        ph->why[role] = (os_evidence){ ps->flow_id, ps->first_ns, (int16_t)ri, 0, sh->addr };
        roles_changed(c, ph);
    }
}

/* The service side of rule ri on flow f: inferred from min-peers distinct
 * peers (with infer-from=known, peers known in the rule's peer roles), or
 * from one peer it sent infer-bytes to. */
static os_host *infer_service_side(os_classifier *c, const os_flow *f, int ri, int svc,
                                   uint64_t ts)
{
    const os_rule *r = &c->rs->rule[ri];
    os_addr sa = os_flow_addr(f, svc), pa = os_flow_addr(f, !svc);
    os_host *sh;
    if (r->infer_from == OS_INFER_FROM_KNOWN && !holds(c, &pa, r->peers))
        return host_get(c, &sa, false);
    if (!(sh = host_get(c, &sa, true)) || (r->infer_from == OS_INFER_FROM_KNOWN && sh->declared))
        return sh; /* a vouched role never overrides a declared one */
    if (note_peer(sh, ri, &pa, f, ts) >= (r->min_peers ? r->min_peers : 1) ||
        (r->infer_bytes && f->bytes[svc] >= r->infer_bytes))
        infer(c, sh, r->infer_service, f, ri, true, ts, &pa);
    return sh;
}

/* Apply rule ri's infer= with service side svc to flow f. A peer's role
 * waits for the service side's (a role the rule infers there, or with
 * infer-from=known one of the rule's service roles): a known role vouches
 * for its peers. */
static void infer_rule(os_classifier *c, const os_flow *f, int ri, int svc, uint64_t ts)
{
    const os_rule *r = &c->rs->rule[ri];
    os_addr sa = os_flow_addr(f, svc), pa = os_flow_addr(f, !svc);
    os_host *sh = NULL;

    if ((r->infer_service < 0 && r->infer_peer < 0) || r->infer_pair >= 0 ||
        !transport_ok(r, f->key.proto) || !dest_ok(c->rs, r, &sa) || !size_ok(r, f))
        return; /* (an infer-pair= rule infers only with its counterpart: pair_note) */
    if (r->infer_service >= 0)
        sh = infer_service_side(c, f, ri, svc, ts);
    if (r->infer_peer < 0)
        return;
    if (r->infer_service >= 0 ? !holds(c, &sa, OS_HR_BIT(r->infer_service))
                              : r->infer_from == OS_INFER_FROM_KNOWN && !holds(c, &sa, r->service))
        return;
    if (sh)
        infer_waiting_peers(c, sh, ri, r->infer_peer);
    os_host *ph = host_get(c, &pa, true);
    if (ph && !ph->declared) /* a vouched role never overrides a declared one */
        infer(c, ph, r->infer_peer, f, ri, false, ts, &sa);
}

/* The key of a pair fact: rule ri between service sa and peer pa. */
static void pair_key(const os_addr *sa, const os_addr *pa, int ri, uint8_t key[36])
{
    memset(key, 0, 36);
    memcpy(key, sa->b, 16);
    key[16] = sa->ver;
    memcpy(key + 17, pa->b, 16);
    key[33] = pa->ver;
    key[34] = (uint8_t)((uint16_t)ri >> 8);
    key[35] = (uint8_t)ri;
}

static pair_fact *pair_find(os_classifier *c, const os_addr *sa, const os_addr *pa, int ri)
{
    uint8_t key[36];
    pair_fact *e;
    pair_key(sa, pa, ri, key);
    HASH_FIND(hh, c->pairs, key, sizeof key, e);
    return e;
}

/* Rule y's flow from peer q to service s, and rule y's infer-pair= flow
 * the other way (q serving s): the two vouch for each other's ends. */
static void pair_infer(os_classifier *c, const os_flow *f, int y, const os_addr *s,
                       const os_addr *q, uint64_t ts)
{
    const os_rule *r = &c->rs->rule[y];
    os_host *sh = host_get(c, s, true), *qh = host_get(c, q, true);
    if (sh && !sh->declared)
        infer(c, sh, r->infer_service, f, y, true, ts, q);
    if (qh && !qh->declared)
        infer(c, qh, r->infer_peer, f, y, false, ts, s);
}

/* Remember a flow of a rule in an infer-pair= (service sa, peer pa) and
 * infer when its counterpart the other way was seen too. */
static void pair_note(os_classifier *c, const os_flow *f, int ri, const os_addr *sa,
                      const os_addr *pa, uint64_t ts)
{
    const os_ruleset *rs = c->rs;
    if (!pair_find(c, sa, pa, ri)) {
        pair_fact *e = calloc(1, sizeof *e);
        if (!e) {
            c->st.alloc_failed++;
            return;
        }
        pair_key(sa, pa, ri, e->key);
        e->flow_id = f->id;
        HASH_ADD(hh, c->pairs, key, sizeof e->key, e);
        if (!os_hash_kept(e, &e->hh, &c->st.alloc_failed))
            return;
        c->st.pair_facts++;
    }
    if (rs->rule[ri].infer_pair >= 0 && pair_find(c, pa, sa, rs->rule[ri].infer_pair))
        pair_infer(c, f, ri, sa, pa, ts);
    for (unsigned y = 0; y < rs->n; y++) /* rules corroborated by this one */
        if (rs->rule[y].infer_pair == ri && pair_find(c, pa, sa, (int)y))
            pair_infer(c, f, (int)y, pa, sa, ts);
}

/* Rules on the port of side `side`, with that side as the service side
 * (and the other one too, for rules whose port may sit on either side). */
static void learn_side(os_classifier *c, const os_flow *f, int side, bool sender_port)
{
    unsigned k;
    const uint16_t *ids = os_rules_candidates(c->rs, f->key.proto, f->key.port[side], &k);
    for (unsigned i = 0; i < k; i++) {
        const os_rule *r = &c->rs->rule[ids[i]];
        if (c->in_pair[ids[i]] && f->label.rule == (int)ids[i] && !sender_port) {
            os_addr sa = os_flow_addr(f, side), pa = os_flow_addr(f, !side);
            if (HASH_COUNT(c->pairs) < OS_PAIR_FACTS_MAX)
                pair_note(c, f, ids[i], &sa, &pa, f->last_ns);
            else
                c->st.pair_facts_dropped++;
        }
        if (r->port_on == OS_PORT_ON_EITHER)
            infer_rule(c, f, ids[i], !side, f->last_ns);
        if (!sender_port || r->bulk == OS_BULK_FROM_SERVICE || r->port_on == OS_PORT_ON_EITHER)
            infer_rule(c, f, ids[i], side, f->last_ns);
    }
}

/* Learn host roles from what flow f has shown so far. TCP: once data went
 * both ways; the service side is the SYN-ACK sender, or without a handshake
 * the side on a rule's port. UDP: the receiver's port, and the sender's
 * for rules whose service side sends (Gateway video) or either side. */
static void learn_flow(os_classifier *c, const os_flow *f)
{
    if (f->key.proto == 6) {
        if (!f->pkts[0] || !f->pkts[1] || (f->by_syn && !(f->hs & OS_HS_SYNACK)))
            return;
        if (f->by_syn) {
            learn_side(c, f, !f->initiator, false);
        } else {
            learn_side(c, f, 0, false);
            learn_side(c, f, 1, false);
        }
    } else if (f->key.proto == 17) {
        learn_side(c, f, !f->initiator, false);
        learn_side(c, f, f->initiator, true);
    }
}

/* Learn from one packet of flow f sent by key side `side`: at a TCP
 * SYN-ACK, and at the first packet of the second side of a TCP flow whose
 * handshake was not seen (a new flow, UDP included, is learnt from when
 * os_classify_flow first labels it). */
void os_classify_learn(os_classifier *c, os_flow *f, int side,
                       const os_pkt *p, bool created)
{
    bool synack = p->proto == 6 && (p->tcp_flags & (OS_TH_SYN | OS_TH_ACK)) ==
                                       (OS_TH_SYN | OS_TH_ACK);
    bool both = p->proto == 6 && !f->by_syn && f->pkts[side] == 1 && f->pkts[!side];
    (void)created; /* a new flow is learnt from when it is first labelled */
    if (synack || both) {
        learn_flow(c, f);
        hosts_trim(c);
    }
}

/* How sentences name a host. */
const char *os_classify_who(os_classifier *c, const os_addr *a, os_hrole_set prefer, char *buf,
                            size_t n)
{
    char ip[OS_ADDRSTRLEN];
    os_conf cf;
    os_hrole_set known = os_classify_host_roles(c, a, &cf);
    int r = os_hrole_first(known & prefer) >= 0 ? os_hrole_first(known & prefer) : os_hrole_first(known);
    os_addr_str(a, ip);
    if (os_addr_is_multicast(a))
        snprintf(buf, n, "multicast group %s", ip);
    else if (r >= 0)
        snprintf(buf, n, "%s %s", os_hrole_label((os_hrole)r), ip);
    else if (prefer && !(prefer & (prefer - 1)))
        snprintf(buf, n, "%s %s (by the port)", os_hrole_label((os_hrole)os_hrole_first(prefer)), ip);
    else
        snprintf(buf, n, "host %s", ip);
    return buf;
}

/* "TCP 7998", "UDP 28000-29000", "TCP/UDP 6000-7000". */
static const char *rule_ports(const os_rule *r, char *buf, size_t n)
{
    const char *t = r->transports == OS_T_TCP ? "TCP" : r->transports == OS_T_UDP ? "UDP" : "TCP/UDP";
    if (r->port_lo == r->port_hi)
        snprintf(buf, n, "%s %u", t, r->port_lo);
    else
        snprintf(buf, n, "%s %u-%u", t, r->port_lo, r->port_hi);
    return buf;
}

/* Peers of h remembered for rule ri (at most OS_PEER_TRACK). */
static unsigned peers_on(const os_host *h, int ri)
{
    unsigned n = 0;
    for (unsigned i = 0; i < h->npeer; i++)
        n += h->peer[i].rule == ri;
    return n;
}

/* The verb and preposition of an inference: what the host did on the
 * rule's traffic, and to or from whom. */
static void evidence_verb(const os_rule *r, bool as_service, const char **verb, const char **prep)
{
    bool udp = r->transports == OS_T_UDP, sends;
    if (!udp) {
        *verb = as_service ? "answers" : "connects to";
        *prep = as_service ? "for" : "of";
        return;
    }
    sends = as_service ? r->bulk == OS_BULK_FROM_SERVICE
                       : r->dest == OS_DEST_MULTICAST || r->bulk != OS_BULK_FROM_SERVICE;
    *verb = sends ? "sends" : "receives";
    *prep = sends ? "to" : "from";
}

/* The evidence of an inferred role in words. */
const char *os_classify_evidence_words(os_classifier *c, const os_host *h, os_hrole r,
                                       char *buf, size_t len)
{
    const os_evidence *e = &h->why[r];
    char other[96], ports[32];
    size_t k;
    buf[0] = '\0';
    if (!(h->inferred & OS_HR_BIT(r)) || e->rule < 0 || (unsigned)e->rule >= c->rs->n)
        return buf;
    const os_rule *rule = &c->rs->rule[e->rule];
    if (e->other.ver)
        os_classify_who(c, &e->other, e->as_service ? rule->peers : rule->service, other,
                        sizeof other);
    else
        snprintf(other, sizeof other, "another host");
    const char *verb, *prep;
    evidence_verb(rule, e->as_service, &verb, &prep);
    k = (size_t)snprintf(buf, len, "%s %s (%s) %s %s", verb, rule->id,
                         rule_ports(rule, ports, sizeof ports), prep, other);
    unsigned more = e->as_service ? peers_on(h, e->rule) : 0;
    if (more > 1 && k < len)
        snprintf(buf + k, len - k, " and %s%u more", more >= OS_PEER_TRACK ? "at least " : "",
                 more - 1);
    return buf;
}

/* Every inferred role with its evidence in words. */
const char *os_classify_evidence_line(os_classifier *c, const os_host *h, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int i = 0; i < OS_HR_COUNT && n < len; i++) {
        char w[256];
        if (!(h->inferred & OS_HR_BIT(i)))
            continue;
        n += (size_t)snprintf(buf + n, len - n, "%s%s: %s", n ? "; " : "", os_hrole_name((os_hrole)i),
                              os_classify_evidence_words(c, h, (os_hrole)i, w, sizeof w));
    }
    return buf;
}

/* One line of a draft hosts file. */
static void hosts_line(os_classifier *c, FILE *out, const os_host *h)
{
    char a[OS_ADDRSTRLEN], roles[OS_HROLES_STRLEN], why[1024];
    const char *name = h->decl && h->decl->name[0] ? h->decl->name : "";
    os_hrole_join((os_hrole_set)(h->declared | h->inferred), ",", false, roles, sizeof roles);
    os_classify_evidence_line(c, h, why, sizeof why);
    fprintf(out, "%-15s %-20s %-10s # %s%s%s\n", os_addr_str(&h->addr, a), roles, name,
            h->declared ? "declared" : "inferred: ", h->declared && why[0] ? "; also inferred: " : "",
            why);
}

/* Every host with a role as a hosts file. */
void os_classify_write_hosts(os_classifier *c, FILE *out, const char *source)
{
    size_t n;
    const os_host **v = os_classify_hosts(c, &n);
    fprintf(out, "# Hosts file drafted by omnisniff --write-hosts from %s.\n"
            "# Roles inferred from traffic say why; check each line, correct or add\n"
            "# what is missing, and pass the file back with -H (or start a --site file).\n"
            "# ADDRESS-or-CIDR  ROLE[,ROLE...]  [name]\n", source ? source : "-");
    for (size_t i = 0; i < n; i++)
        hosts_line(c, out, v[i]);
    if (!n)
        fputs("# (no host role was declared or inferred)\n", out);
    free(v);
}

static int host_cmp(const void *a, const void *b)
{
    const os_host *x = *(const os_host *const *)a, *y = *(const os_host *const *)b;
    return os_addr_cmp(&x->addr, &y->addr);
}

/* Every host with a declared or inferred role, sorted by address. */
const os_host **os_classify_hosts(os_classifier *c, size_t *n)
{
    size_t cnt = 0;
    os_host *h, *tmp;
    const os_host **v;

    HASH_ITER(hh, c->hosts, h, tmp)
        cnt += (h->declared | h->inferred) != 0;
    *n = 0;
    if (!cnt || !(v = malloc(cnt * sizeof *v)))
        return NULL;
    HASH_ITER(hh, c->hosts, h, tmp)
        if (h->declared | h->inferred)
            v[(*n)++] = h;
    qsort(v, *n, sizeof *v, host_cmp);
    return v;
}
