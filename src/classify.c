/* classify.c — label flows with Omnicast traffic roles; learn host roles.
 *
 * A flow is matched against the candidate rules of both of its ports (one
 * table lookup each, see rules.h). Each candidate is scored by what host
 * roles say about it (spec section 1: declared > inferred > port) and the
 * best one wins; `over=` settles ties between rules the file ranks, and a
 * remaining tie between different rules is kept as an alternative ("both
 * are possible", spec section 2 on TCP 6000). Host roles are inferred only
 * from rules that say so (infer=), on new flows and on TCP SYN-ACKs. */
#include "omnisniff/classify.h"

#include <stdlib.h>
#include <string.h>

struct os_classifier {
    const os_ruleset *rs;      /* rules */
    const os_hostsfile *hf;    /* declared hosts, or NULL */
    os_host *hosts;            /* uthash of known hosts */
    uint32_t gen;              /* bumped whenever an inferred role is added */
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
    return c;
}

/* Free it and its host table. */
void os_classifier_free(os_classifier *c)
{
    os_host *h, *tmp;
    if (!c)
        return;
    HASH_ITER(hh, c->hosts, h, tmp) {
        HASH_DEL(c->hosts, h);
        free(h);
    }
    free(c);
}

/* The address of key side `side` of a flow. */
os_addr os_flow_addr(const os_flow *f, int side)
{
    return os_addr_from(f->key.ipver, f->key.addr[side]);
}

static os_host *host_new(os_classifier *c, const os_addr *a, const os_hostdecl *d)
{
    os_host *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->addr = *a;
    h->decl = d;
    h->declared = d ? d->roles : 0;
    HASH_ADD_KEYPTR_BYHASHVALUE(hh, c->hosts, &h->addr, sizeof h->addr,
                                os_hash(&h->addr, sizeof h->addr), h);
    return h;
}

/* Host record of a; created when declared, or when `create` is set. */
static os_host *host_get(os_classifier *c, const os_addr *a, bool create)
{
    os_host *h;
    const os_hostdecl *d;

    HASH_FIND_BYHASHVALUE(hh, c->hosts, a, sizeof *a, os_hash(a, sizeof *a), h);
    if (h)
        return h;
    d = c->hf ? os_hosts_match(c->hf, a) : NULL;
    if (d || create)
        return host_new(c, a, d);
    return NULL;
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

/* Score rule ri with service side svc; false if it cannot apply. */
static bool eval(os_classifier *c, const os_flow *f, int ri, int svc, int port_side, cand *out)
{
    const os_rule *r = &c->rs->rule[ri];
    os_addr sa = os_flow_addr(f, svc), pa = os_flow_addr(f, !svc);
    fit s, p;

    if (!transport_ok(r, f->key.proto) || !dest_ok(c->rs, r, &sa))
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

/* Make f->label current (recomputed only if host knowledge changed). */
void os_classify_flow(os_classifier *c, os_flow *f)
{
    cand v[MAX_CANDS];
    int n;

    if (f->label.gen == c->gen)
        return;
    memset(&f->label, 0, sizeof f->label);
    f->label.rule = f->label.alt = -1;
    f->label.gen = c->gen;
    n = (f->key.proto == 6 || f->key.proto == 17) ? gather(c, f, v) : 0;
    if (n > 0)
        choose(c->rs, v, n, &f->label);
}

/* Give host h inferred role `role`, with evidence. */
static void infer(os_classifier *c, os_host *h, int role, const os_flow *f,
                  int rule, bool as_service, uint64_t ts)
{
    if (!h || role < 0 || (h->inferred & OS_HR_BIT(role)))
        return;
    h->inferred |= OS_HR_BIT(role);
    h->why[role] = (os_evidence){ f->id, ts, (int16_t)rule, as_service };
    c->gen++;
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
        h->peer[h->npeer++] = (os_peer_seen){ *pa, f->id, ts, (int16_t)ri };
    return seen + !known;
}

/* The service host's role is now known: the peers seen before it are what
 * the rule says they are too, each with the evidence of its own flow. */
static void infer_waiting_peers(os_classifier *c, os_host *sh, int ri, int role)
{
    for (unsigned i = 0; i < sh->npeer; i++) {
        const os_peer_seen *ps = &sh->peer[i];
        os_host *ph;
        if (ps->rule != ri || !(ph = host_get(c, &ps->addr, true)) ||
            (ph->inferred & OS_HR_BIT(role)))
            continue;
        ph->inferred |= OS_HR_BIT(role);
        ph->why[role] = (os_evidence){ ps->flow_id, ps->first_ns, (int16_t)ri, 0 };
        c->gen++;
    }
}

/* Apply rule ri's infer= with service side svc to flow f. */
static void infer_rule(os_classifier *c, const os_flow *f, int ri, int svc, uint64_t ts)
{
    const os_rule *r = &c->rs->rule[ri];
    os_addr sa = os_flow_addr(f, svc), pa = os_flow_addr(f, !svc);
    os_host *sh = NULL;

    if ((r->infer_service < 0 && r->infer_peer < 0) || !transport_ok(r, f->key.proto) ||
        !dest_ok(c->rs, r, &sa))
        return;
    if (r->infer_service >= 0) {
        sh = host_get(c, &sa, true);
        if (!sh)
            return;
        if (note_peer(sh, ri, &pa, f, ts) >= (r->min_peers ? r->min_peers : 1))
            infer(c, sh, r->infer_service, f, ri, true, ts);
        if (!(sh->inferred & OS_HR_BIT(r->infer_service)))
            return; /* the peer's role waits for the service side's */
        if (r->infer_peer >= 0)
            infer_waiting_peers(c, sh, ri, r->infer_peer);
    }
    if (r->infer_peer >= 0)
        infer(c, host_get(c, &pa, true), r->infer_peer, f, ri, false, ts);
}

/* Learn from one packet of flow f sent by key side `side`. */
void os_classify_learn(os_classifier *c, os_flow *f, int side,
                       const os_pkt *p, bool created)
{
    int svc;
    unsigned k;
    const uint16_t *ids;

    if (p->proto == 6 && (p->tcp_flags & (OS_TH_SYN | OS_TH_ACK)) == (OS_TH_SYN | OS_TH_ACK))
        svc = side;      /* the SYN-ACK sender answers on its service port */
    else if (p->proto == 17 && created)
        svc = !side;     /* a new UDP flow: the receiver's port */
    else
        return;
    ids = os_rules_candidates(c->rs, f->key.proto, f->key.port[svc], &k);
    for (unsigned i = 0; i < k; i++)
        infer_rule(c, f, ids[i], svc, f->last_ns);
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
