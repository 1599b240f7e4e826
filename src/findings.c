/* findings.c — the direction rules and firewall diagnosis of docs/omnicast-roles.md section 3.
 *
 * Each check reads what the lower layers established (label, service side,
 * confidence, handshake verdict, byte counts, quoted ICMP datagrams, host
 * roles) and every expectation from the rules file. Findings are kept in a
 * uthash keyed by (subject, kind), so each flow/host/stream yields one
 * finding per kind, counted. Ports that other software shares are flagged
 * only when host roles make the flow Omnicast (docs/omnicast-roles.md section 1). */
#include "omnisniff/findings.h"

#include "omnisniff/problems.h"
#include "omnisniff/streams.h"
#include "hash.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fmt.h"

/* The kind table (finding_kinds.h), indexed by kind. */
static const struct kind_row {
    const char *id;       /* stable name */
    os_severity sev;      /* default severity */
    bool persists;        /* persistence judges its problems */
    const char *explain;  /* --explain text: the id, then the row's text */
} kinds[] = {
#define FK_ROW(e, id, sev, persists, text) [OS_FK_##e] = { id, sev, persists, id text },
    OS_FINDING_KINDS(FK_ROW)
#undef FK_ROW
};
_Static_assert(OS_FK_COUNT <= 16, "os_flow.flagged holds one bit per finding kind");

/* The first source seen on a (service host, rule) or (group, port). */
typedef struct first_peer {
    uint8_t key[20];     /* address bytes + rule or port */
    UT_hash_handle hh;   /* uthash handle */
    os_addr peer;        /* first peer / source */
} first_peer;

struct os_checker {
    const os_ruleset *rs;     /* expectations */
    os_classifier *cls;       /* host roles */
    os_finding_fn fn;         /* new-finding callback */
    void *user;               /* its argument */
    os_finding *set;          /* uthash of findings */
    first_peer *peers;        /* first peers (max-one-peer rules, multicast streams) */
    os_checker_tables tab;    /* its counters */
    os_problems *pt;          /* the problems findings fold into */
    uint32_t seq;             /* findings raised */
    uint64_t count[OS_FK_COUNT]; /* findings raised per kind */
    uint64_t live[OS_FK_COUNT];  /* findings held per kind (not yet released) */
    os_severity worst;        /* most severe finding raised (OS_SEV_NEVER: none) */
    void (*rel_fn)(void *, const os_finding *); /* where released findings go */
    void *rel_user;           /* its argument */
    os_finding **sorted;      /* last sorted view */
};

/* Stable id of a kind. */
const char *os_finding_kind_name(os_finding_kind k)
{
    return (unsigned)k < OS_FK_COUNT ? kinds[k].id : "unknown";
}

/* Stable id of a severity. */
const char *os_severity_name(os_severity s)
{
    static const char *const n[] = { "info", "warning", "error", "never" };
    return (unsigned)s <= OS_SEV_NEVER ? n[s] : "unknown";
}

/* Parse a kind id. */
bool os_finding_kind_parse(const char *s, os_finding_kind *out)
{
    for (int i = 0; i < OS_FK_COUNT; i++)
        if (strcmp(s, kinds[i].id) == 0) {
            *out = (os_finding_kind)i;
            return true;
        }
    return false;
}

/* Parse a --fail-on severity. */
bool os_severity_parse(const char *s, os_severity *out)
{
    for (int i = 0; i <= OS_SEV_NEVER; i++)
        if (strcmp(s, os_severity_name((os_severity)i)) == 0) {
            *out = (os_severity)i;
            return true;
        }
    return false;
}

/* Default severity of a kind (docs/omnicast-roles.md section 3). */
os_severity os_finding_default_severity(os_finding_kind k)
{
    return (unsigned)k < OS_FK_COUNT ? kinds[k].sev : OS_SEV_WARNING;
}

/* True for the kinds persistence judges. */
bool os_finding_kind_persists(os_finding_kind k)
{
    return (unsigned)k < OS_FK_COUNT && kinds[k].persists;
}

/* What a kind means and what to check, for --explain. */
const char *os_finding_explain(os_finding_kind k)
{
    return (unsigned)k < OS_FK_COUNT ? kinds[k].explain : "";
}

/* New checker. */
os_checker *os_checker_new(const os_ruleset *rs, os_classifier *c, os_problems *pt,
                           os_finding_fn fn, void *user)
{
    os_checker *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    k->rs = rs;
    k->cls = c;
    k->pt = pt;
    k->worst = OS_SEV_NEVER;
    k->fn = fn;
    k->user = user;
    return k;
}

/* Free it. */
void os_checker_free(os_checker *k)
{
    os_finding *f, *t;
    first_peer *p, *q;
    if (!k)
        return;
    HASH_ITER(hh, k->set, f, t) {
        HASH_DEL(k->set, f);
        free(f);
    }
    HASH_ITER(hh, k->peers, p, q) {
        HASH_DEL(k->peers, p);
        free(p);
    }
    free(k->sorted);
    free(k);
}

/* ---- raising ----------------------------------------------------------- */

/* The finding for (subject, kind), or NULL: never creates one. */
static os_finding *find_finding(os_checker *k, uint64_t subject, os_finding_kind kind)
{
    os_finding_key key = { subject, (uint32_t)kind, 0 };
    os_finding *x;
    HASH_FIND(hh, k->set, &key, sizeof key, x);
    return x;
}

/* Forget finding x after handing it to the release callback. */
static void release_one(os_checker *k, os_finding *x)
{
    if (k->rel_fn)
        k->rel_fn(k->rel_user, x);
    HASH_DEL(k->set, x);
    k->live[x->kind]--;
    free(x);
}

/* The finding for (subject, kind): the existing one, or a new one (*fresh);
 * NULL (counted) when memory ran out. */
static os_finding *raise_finding(os_checker *k, uint64_t subject, os_finding_kind kind,
                                 bool *fresh)
{
    os_finding *x = find_finding(k, subject, kind);
    *fresh = x == NULL;
    if (x)
        return x;
    if (!(x = calloc(1, sizeof *x))) {
        k->tab.alloc_failed++;
        return NULL;
    }
    x->key = (os_finding_key){ subject, (uint32_t)kind, 0 };
    x->kind = kind;
    x->sev = os_finding_default_severity(kind);
    x->rule = -1;
    HASH_ADD(hh, k->set, key, sizeof x->key, x);
    if (!os_hash_kept(x, &x->hh, &k->tab.alloc_failed))
        return NULL;
    x->seq = k->seq++;
    k->count[kind]++;
    k->live[kind]++;
    if (HASH_COUNT(k->set) > OS_FINDINGS_HELD) /* bounded: the oldest goes out as it stands */
        release_one(k, k->set);
    return x;
}

/* The finding of `kind` on flow f (see raise_finding); NULL also when one
 * was raised on f and released early: a flow is flagged once per kind. */
static os_finding *raise_on(os_checker *k, os_flow *f, os_finding_kind kind, bool *fresh)
{
    uint16_t bit = (uint16_t)(1u << kind);
    os_finding *x;
    if ((f->flagged & bit) && !find_finding(k, f->id, kind))
        return NULL;
    if ((x = raise_finding(k, f->id, kind, fresh)))
        f->flagged |= bit;
    return x;
}

/* Flow fields with the initiator as source. */
static void set_flow(os_finding *x, const os_flow *f)
{
    int s = os_flow_client(f);
    x->has_flow = true;
    x->flow_id = f->id;
    x->src = os_flow_addr(f, s);
    x->dst = os_flow_addr(f, !s);
    x->sport = f->key.port[s];
    x->dport = f->key.port[!s];
    x->proto = f->key.proto;
    x->rule = f->label.rule;
    x->first_ns = f->first_ns;
    x->last_ns = f->last_ns;
    x->packets = (uint64_t)f->pkts[0] + f->pkts[1];
    x->svc = x->dst;
    x->peer = x->src;
    x->svc_port = x->dport;
}

__attribute__((format(printf, 2, 3))) static void say(os_finding *x, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->text, sizeof x->text, fmt, ap);
    va_end(ap);
}

/* A finding raised or updated: fold it into its problem; tell the
 * callback of a new one. */
static void announce(os_checker *k, os_finding *x, bool fresh)
{
    if (k->worst == OS_SEV_NEVER || x->sev > k->worst)
        k->worst = x->sev;
    if (k->pt)
        os_problems_fold(k->pt, x, fresh, &x->svc, &x->peer, x->svc_port);
    if (fresh && k->fn)
        k->fn(k->user, x);
}

/* Lowest role in a set, or -1. */
/* "an" before a vowel, else "a". */
static const char *article(const char *word)
{
    return word && strchr("AEIOUaeiou", word[0]) && word[0] ? "an" : "a";
}

static const char *who(os_checker *k, const os_addr *a, os_hrole_set prefer, char *buf, size_t n)
{
    return os_classify_who(k->cls, a, prefer, buf, n);
}

/* The role a host is named by ("Archiver"): its known role, preferring
 * those in `prefer`, else the rule's, else "server". */
static const char *role_word(os_checker *k, const os_addr *a, os_hrole_set prefer)
{
    return os_fmt_role_word(k->cls, a, prefer, prefer, "server");
}

/* Seconds between two times, one decimal. */
static double secs(uint64_t a, uint64_t b) { return b > a ? (double)(b - a) / 1e9 : 0.0; }

static const char *tname(uint8_t proto) { return proto == 6 ? "TCP" : "UDP"; }

/* ---- flow checks ------------------------------------------------------- */

/* Context of one labelled flow. */
typedef struct fctx {
    os_checker *k;         /* the checker */
    os_flow *f;      /* the flow */
    const os_rule *r;      /* its rule */
    int svc;               /* service side */
    os_addr sa, pa;        /* service and peer addresses */
    char sw[96], pw[96];   /* their descriptions ("Archiver 10.1.0.20"), "" until used */
    const char *sr;        /* the service host's role alone ("Archiver", or "server") */
} fctx;

static void fctx_init(os_checker *k, fctx *c, os_flow *f)
{
    c->k = k;
    c->f = f;
    c->r = &k->rs->rule[f->label.rule];
    c->svc = f->label.svc_side;
    c->sa = os_flow_addr(f, c->svc);
    c->pa = os_flow_addr(f, !c->svc);
    c->sw[0] = c->pw[0] = '\0';
    c->sr = role_word(k, &c->sa, c->r->service);
}

/* Flow fields, with the service and peer sides of the flow's rule. */
static void set_flow_c(os_finding *x, const fctx *c)
{
    set_flow(x, c->f);
    x->svc = c->sa;
    x->peer = c->pa;
    x->svc_port = c->f->key.port[c->svc];
}

/* The service and peer host as a finding's sentence names them, formatted
 * on first use: most flows raise nothing, and formatting both for every
 * flow was most of the cost of a flow's end in the profile. */
static const char *svc_who(fctx *c)
{
    if (!c->sw[0])
        who(c->k, &c->sa, c->r->service, c->sw, sizeof c->sw);
    return c->sw;
}

static const char *peer_who(fctx *c)
{
    if (!c->pw[0])
        who(c->k, &c->pa, c->r->peers, c->pw, sizeof c->pw);
    return c->pw;
}

/* Flag only flows that are Omnicast: a port no other software uses, or a
 * shared port whose hosts' roles confirm it (docs/omnicast-roles.md section 1). */
static bool is_omnicast(const fctx *c)
{
    return !c->r->shared || c->f->label.conf >= OS_CONF_INFERRED;
}

/* SYNs retried (raised as unanswered at the retry) and answered at last:
 * the finding stays, its words say what happened. */
static void late_answer(os_checker *k, fctx *c)
{
    os_flow *f = c->f;
    os_finding *x = find_finding(k, f->id, OS_FK_UNANSWERED_CONNECTION);
    if (!x || !(f->hs & OS_HS_SYNACK))
        return;
    set_flow_c(x, c);
    x->packets = f->syns;
    say(x, "%s answered %s only after %u SYNs from %s to %s port %u: the first were lost or "
        "dropped between the capture point and the %s; look for packet loss, or a firewall or "
        "IPS that lets the connection through late", svc_who(c), c->r->id, f->syns, peer_who(c), c->r->id,
        f->key.port[c->svc], c->sr);
    announce(k, x, false);
}

/* Unanswered and refused TCP connections to a service port. */
static void check_handshake(os_checker *k, fctx *c)
{
    os_flow *f = c->f;
    os_hs_verdict v = os_flow_hs(f);
    bool fresh;
    os_finding *x;
    if (f->initiator == c->svc)
        return;
    if (v != OS_HSV_UNANSWERED && v != OS_HSV_REFUSED) {
        late_answer(k, c);
        return;
    }
    uint16_t port = f->key.port[c->svc];
    if (v == OS_HSV_UNANSWERED) {
        if (find_finding(k, f->id, OS_FK_ICMP_UNREACHABLE))
            return; /* the SYN was answered, by an ICMP error: that finding says why */
        if (!(x = raise_on(k, f, OS_FK_UNANSWERED_CONNECTION, &fresh)))
            return;
        set_flow_c(x, c);
        x->packets = f->syns;
        say(x, "%s never answered %u SYN%s from %s to %s port %u over %.1f s: blocked between "
            "the capture point and the %s, or the %s service is down",
            svc_who(c), f->syns, f->syns == 1 ? "" : "s", peer_who(c), c->r->id, port,
            secs(f->first_ns, f->last_ns), c->sr, c->r->id);
    } else {
        if (!(x = raise_on(k, f, OS_FK_CONNECTION_REFUSED, &fresh)))
            return;
        set_flow_c(x, c);
        say(x, "%s refused the connection from %s to %s port %u (RST in answer to the SYN): "
            "nothing listens there; is the service down, or configured on a non-default port?",
            svc_who(c), peer_who(c), c->r->id, port);
    }
    announce(k, x, fresh);
}

/* A TCP connection opened by the wrong side (rules: initiator=). */
static void check_tcp_direction(os_checker *k, fctx *c)
{
    os_flow *f = c->f;
    bool by_service = f->initiator == c->svc, fresh;
    os_finding *x;
    if (!f->by_syn || c->r->initiator == OS_INIT_ANY ||
        by_service == (c->r->initiator == OS_INIT_SERVICE))
        return;
    if (!(x = raise_on(k, f, OS_FK_REVERSED_DIRECTION, &fresh)))
        return;
    set_flow_c(x, c);
    say(x, "%s opened a TCP connection %s %s on %s port %u, but %s connections are opened by the "
        "%s: look for NAT or port forwarding that swaps the direction, or a host configured "
        "with the wrong role", by_service ? svc_who(c) : peer_who(c), by_service ? "from its port to" : "to",
        by_service ? peer_who(c) : svc_who(c), c->r->id, f->key.port[c->svc], c->r->id,
        c->r->initiator == OS_INIT_PEER ? "other side" : "service side");
    announce(k, x, fresh);
}

/* Bulk UDP against the documented direction (rules: bulk=). */
static void check_bulk(os_checker *k, fctx *c)
{
    os_flow *f = c->f;
    uint64_t to_svc = f->bytes[!c->svc], from_svc = f->bytes[c->svc];
    uint64_t against = c->r->bulk == OS_BULK_TO_SERVICE ? from_svc : to_svc;
    uint64_t expected = c->r->bulk == OS_BULK_TO_SERVICE ? to_svc : from_svc;
    bool fresh;
    os_finding *x;
    if (c->r->bulk == OS_BULK_ANY || against < k->rs->set.bulk_min || against <= 2 * expected)
        return;
    if (c->r->port_on == OS_PORT_ON_EITHER && f->label.conf < OS_CONF_INFERRED)
        return; /* which side is which is known only from host roles */
    if (!(x = raise_on(k, f, OS_FK_REVERSED_DIRECTION, &fresh)))
        return;
    set_flow_c(x, c);
    bool to = c->r->bulk == OS_BULK_TO_SERVICE;
    say(x, "%" PRIu64 " bytes of %s flowed from %s to %s (%" PRIu64 " the documented way): %s "
        "streams go %s the %s port %u; check which host is configured to send",
        against, c->r->id, to ? svc_who(c) : peer_who(c), to ? peer_who(c) : svc_who(c), expected, c->r->id,
        to ? "to" : "from", c->r->id, f->key.port[c->svc]);
    announce(k, x, fresh);
}

/* The first peer remembered for key; records p when there is none (and
 * there is room: OS_FIRST_PEERS_MAX). */
static const os_addr *first_of(os_checker *k, const os_addr *a, uint16_t tag, const os_addr *p)
{
    uint8_t key[20] = { 0 };
    first_peer *e;
    memcpy(key, a->b, 16);
    key[16] = a->ver;
    key[17] = (uint8_t)(tag >> 8);
    key[18] = (uint8_t)tag;
    HASH_FIND(hh, k->peers, key, sizeof key, e);
    if (e)
        return &e->peer;
    if (k->tab.first_peers >= OS_FIRST_PEERS_MAX) {
        k->tab.first_peers_dropped++;
        return p;
    }
    if (!(e = calloc(1, sizeof *e))) {
        k->tab.alloc_failed++;
        return p;
    }
    memcpy(e->key, key, sizeof key);
    e->peer = *p;
    HASH_ADD(hh, k->peers, key, sizeof e->key, e);
    if (os_hash_kept(e, &e->hh, &k->tab.alloc_failed))
        k->tab.first_peers++;
    return p;
}

/* The counters of the first-peer table. */
const os_checker_tables *os_checker_stats(const os_checker *k)
{
    return &k->tab;
}

/* A peer whose known roles the rule does not expect, or a second peer on a
 * one-peer rule (the primary Gateway is the only one on the Directory). */
static void check_peer(os_checker *k, fctx *c)
{
    os_flow *f = c->f;
    const os_addr *first = NULL;
    char want[160], fw[96];
    bool fresh;
    os_finding *x;
    if (c->r->one_peer)
        first = first_of(k, &c->sa, (uint16_t)f->label.rule, &c->pa);
    bool second = first && os_addr_cmp(first, &c->pa) != 0;
    if (!second && !(f->label.peer_mismatch && f->label.conf >= OS_CONF_INFERRED))
        return;
    if (!(x = raise_on(k, f, OS_FK_UNEXPECTED_PEER, &fresh)))
        return;
    if (!fresh) { /* raised already (the failover path, or at the SYN-ACK): keep its words */
        x->last_ns = f->last_ns;
        x->packets = (uint64_t)f->pkts[0] + f->pkts[1];
        announce(k, x, false);
        return;
    }
    set_flow_c(x, c);
    os_hrole_join(c->r->peers, " or ", true, want, sizeof want);
    if (second)
        say(x, "%s talks to %s on %s port %u, but %s already does: only one %s may use this "
            "port; find out which is the primary", peer_who(c), svc_who(c), c->r->id, f->key.port[c->svc],
            who(k, first, c->r->peers, fw, sizeof fw), want);
    else
        say(x, "%s talks to %s on %s port %u, which is for %s %s only: check the host's "
            "configuration (or the hosts file)", peer_who(c), svc_who(c), c->r->id, f->key.port[c->svc],
            article(want), want);
    announce(k, x, fresh);
}

/* KBA: "Failover Directory connects to the primary Directory through the
 * Gateway using only the TCP port 5001": any other flow between the two. */
static void check_failover_path(os_checker *k, os_flow *f)
{
    os_addr a = os_flow_addr(f, 0), b = os_flow_addr(f, 1);
    os_conf c;
    os_hrole_set ra = os_classify_host_roles(k->cls, &a, &c), rb = os_classify_host_roles(k->cls, &b, &c);
    os_hrole_set fo = OS_HR_BIT(OS_HR_FAILOVER_DIRECTORY), dir = OS_HR_BIT(OS_HR_DIRECTORY);
    char aw[96], bw[96];
    bool fresh;
    os_finding *x;
    if (!(((ra & fo) && (rb & dir)) || ((rb & fo) && (ra & dir))))
        return;
    if (f->label.rule >= 0) {
        const os_rule *r = &k->rs->rule[f->label.rule];
        if ((r->service & OS_HR_BIT(OS_HR_GATEWAY)) && (r->peers & fo))
            return; /* the documented path: the Gateway's command port */
    }
    if (!(x = raise_on(k, f, OS_FK_UNEXPECTED_PEER, &fresh)))
        return;
    set_flow(x, f);
    say(x, "%s and %s talk directly (%s port %u): the failover Directory must reach the "
        "primary Directory only through the Gateway's command port",
        who(k, &x->src, 0, aw, sizeof aw), who(k, &x->dst, 0, bw, sizeof bw), tname(f->key.proto),
        x->dport);
    announce(k, x, fresh);
}

/* KBA: "The Directory communicates only with the Gateway through a local TCP
 * channel": a host declared Directory and not Gateway, talking to a host
 * whose known roles hold no Gateway. Only a declaration can say a host is
 * not also a Gateway (Gateway ports are shared, so that role is rarely
 * inferred); hosts of unknown role (DNS, NTP, domain controllers) are not
 * Omnicast peers and are left alone. */
static void check_directory_peer(os_checker *k, os_flow *f)
{
    os_hrole_set dir = OS_HR_BIT(OS_HR_DIRECTORY), gw = OS_HR_BIT(OS_HR_GATEWAY);
    os_hrole_set r[2];
    os_conf c;
    char aw[96], bw[96];
    bool fresh;
    os_finding *x;
    os_hrole_set decl[2] = { 0, 0 };
    for (int s = 0; s < 2; s++) {
        os_addr a = os_flow_addr(f, s);
        const os_host *h = os_classify_host(k->cls, &a);
        r[s] = os_classify_host_roles(k->cls, &a, &c);
        decl[s] = h ? h->declared : 0;
    }
    int d = (decl[0] & dir) && !(r[0] & gw) ? 0 : (decl[1] & dir) && !(r[1] & gw) ? 1 : -1;
    if (d < 0 || !r[!d] || (r[!d] & gw) ||
        !(x = raise_on(k, f, OS_FK_UNEXPECTED_PEER, &fresh)))
        return;
    set_flow(x, f);
    os_addr da = os_flow_addr(f, d), oa = os_flow_addr(f, !d);
    say(x, "%s talks to %s (%s port %u), but the Directory communicates only with the Gateway: "
        "check what this host expects of the Directory, and the hosts file",
        who(k, &da, dir, aw, sizeof aw), who(k, &oa, 0, bw, sizeof bw), tname(f->key.proto),
        x->dport);
    announce(k, x, fresh);
}

/* An Omnicast host's role port used with the other transport. Only the
 * responder's port counts: an initiator's ephemeral port may fall in any range.
 * True when raised. */
static bool check_wrong_transport(os_checker *k, os_flow *f)
{
    uint8_t other = f->key.proto == 6 ? 17 : 6;
    int s = !os_flow_client(f);
    os_addr a = os_flow_addr(f, s);
    os_conf c;
    os_hrole_set roles = os_classify_host_roles(k->cls, &a, &c);
    unsigned n;
    const uint16_t *ids = os_rules_candidates(k->rs, other, f->key.port[s], &n);
    for (unsigned i = 0; roles && i < n; i++) {
        const os_rule *r = &k->rs->rule[ids[i]];
        char w[96];
        bool fresh;
        os_finding *x;
        if (r->dest != OS_DEST_ANY || !(r->service & roles))
            continue;
        if (!(x = raise_on(k, f, OS_FK_WRONG_TRANSPORT, &fresh)))
            return false;
        set_flow(x, f);
        x->rule = (int16_t)ids[i];
        say(x, "%s port %u is its %s port, which is %s only, but this flow uses %s: the "
            "other end is misconfigured, or something else uses the port",
            who(k, &a, r->service, w, sizeof w), f->key.port[s], r->id,
            r->transports == OS_T_TCP ? "TCP" : "UDP", tname(f->key.proto));
        announce(k, x, fresh);
        return true;
    }
    return false;
}

/* A flow no rule could label because a host's declared or inferred role
 * rules it out: the port is a rule's service port, the other host fits the
 * rule's peers, but this host is not the rule's service role (an Archiver
 * streaming 28000-29000 to a client). True when raised. */
static bool check_wrong_service(os_checker *k, os_flow *f)
{
    os_addr a[2] = { os_flow_addr(f, 0), os_flow_addr(f, 1) };
    os_hrole_set roles[2];
    os_conf c;
    for (int i = 0; i < 2; i++)
        roles[i] = os_classify_host_roles(k->cls, &a[i], &c);
    for (int s = 0; s < 2 && roles[0] && roles[1]; s++) {
        unsigned n;
        const uint16_t *ids = os_rules_candidates(k->rs, f->key.proto, f->key.port[s], &n);
        for (unsigned i = 0; i < n; i++) {
            const os_rule *r = &k->rs->rule[ids[i]];
            char sw[96], pw[96], want[160];
            bool fresh;
            os_finding *x;
            if (r->dest != OS_DEST_ANY || !(roles[!s] & r->peers) || (roles[s] & r->service) ||
                !(x = raise_on(k, f, OS_FK_UNEXPECTED_PEER, &fresh)))
                continue;
            set_flow(x, f);
            x->rule = (int16_t)ids[i];
            x->svc = a[s];
            x->peer = a[!s];
            x->svc_port = f->key.port[s];
            os_hrole_join(r->service, " or ", true, want, sizeof want);
            say(x, "%s sends %s traffic to %s on port %u, which is for %s %s only: check where "
                "the %s is configured to send (or the hosts file)",
                who(k, &a[!s], r->peers, pw, sizeof pw), r->id, who(k, &a[s], 0, sw, sizeof sw),
                f->key.port[s], article(want), want, os_hrole_label((os_hrole)os_hrole_first(roles[!s] & r->peers)));
            announce(k, x, fresh);
            return true;
        }
    }
    return false;
}

/* Two Omnicast hosts on a port no rule covers. */
static void check_undocumented(os_checker *k, os_flow *f)
{
    os_addr a = os_flow_addr(f, os_flow_client(f)), b = os_flow_addr(f, !os_flow_client(f));
    os_conf c;
    char aw[96], bw[96];
    bool fresh;
    os_finding *x;
    if (!os_classify_host_roles(k->cls, &a, &c) || !os_classify_host_roles(k->cls, &b, &c))
        return;
    if (!(x = raise_on(k, f, OS_FK_UNDOCUMENTED_PORT, &fresh)))
        return;
    set_flow(x, f);
    say(x, "%s and %s exchange traffic on %s port %u (from port %u), which no rule covers: a "
        "non-default configuration (describe it in a rules file) or not Omnicast",
        who(k, &a, 0, aw, sizeof aw), who(k, &b, 0, bw, sizeof bw), tname(f->key.proto),
        f->key.port[!os_flow_client(f)], f->key.port[os_flow_client(f)]);
    announce(k, x, fresh);
}

/* Multicast checks again at the flow's end: the sender's role may have been
 * learnt after the flow began. Duplicates fold into the existing finding. */
static void recheck_multicast(os_checker *k, os_flow *f)
{
    if (f->key.proto == 17)
        os_check_multicast(k, f, f->initiator);
}

/* Check a flow leaving the table. */
void os_check_flow(os_checker *k, os_flow *f)
{
    fctx c;
    if (f->key.proto != 6 && f->key.proto != 17)
        return;
    check_failover_path(k, f);
    check_directory_peer(k, f);
    recheck_multicast(k, f);
    if (f->label.rule < 0) {
        if (!check_wrong_transport(k, f) && !check_wrong_service(k, f))
            check_undocumented(k, f);
        return;
    }
    /* a port-only label on a host whose known role owns the port with the
     * other transport (UDP to an Archiver's 6065, labelled federation-video
     * by the port): the role explains the flow better than the port */
    if (f->label.conf == OS_CONF_PORT && check_wrong_transport(k, f))
        return;
    fctx_init(k, &c, f);
    if (!is_omnicast(&c))
        return;
    if (f->key.proto == 6) {
        check_handshake(k, &c);
        check_tcp_direction(k, &c);
    } else {
        check_bulk(k, &c);
    }
    check_peer(k, &c);
}


/* SYN retries and refusals, and at the SYN-ACK a connection opened the wrong
 * way or by an unexpected peer, are flagged as they happen (live captures). */
void os_check_tcp_packet(os_checker *k, os_flow *f, int side, const os_pkt *p, uint64_t ts)
{
    fctx c;
    bool retry = side == f->initiator && f->syns >= 2 && !(f->hs & OS_HS_SYNACK);
    bool refused = side != f->initiator && (p->tcp_flags & OS_TH_RST) && (f->hs & OS_HS_REFUSED);
    bool synack = side != f->initiator && (p->tcp_flags & (OS_TH_SYN | OS_TH_ACK)) ==
                                              (OS_TH_SYN | OS_TH_ACK);
    if ((!retry && !refused && !synack) || f->label.rule < 0)
        return;
    fctx_init(k, &c, f);
    if (!is_omnicast(&c))
        return;
    if (synack) { /* who opened it, and to whom, is known now */
        if (k->pt && f->pkts[side] == 1 && f->initiator != c.svc) /* the first answer only */
            os_problems_answered(k->pt, &c.sa, f->label.rule, ts);
        check_tcp_direction(k, &c);
        check_peer(k, &c);
    } else {
        check_handshake(k, &c);
    }
}

/* A SYN unanswered for syn-verdict-seconds: judged now, not at the flow's
 * idle timeout, so a live capture flags a dropped port within seconds. */
void os_check_syn_wait(os_checker *k, os_flow *f, uint64_t ts)
{
    fctx c;
    (void)ts;
    if (f->key.proto != 6 || f->label.rule < 0 || os_flow_hs(f) != OS_HSV_UNANSWERED)
        return;
    fctx_init(k, &c, f);
    if (is_omnicast(&c))
        check_handshake(k, &c);
}

/* ---- streams ------------------------------------------------------------ */

/* The sentence of a stream verdict. */
static void stream_say(os_checker *k, os_finding *x, fctx *c, const os_stream *s,
                       os_finding_kind kind, uint64_t ts)
{
    char sw[96], rw[96], a[32], b[32];
    os_hrole_set sender = c->svc == c->f->initiator ? c->r->service : c->r->peers;
    os_hrole_set receiver = c->svc == c->f->initiator ? c->r->peers : c->r->service;
    who(k, &s->src, sender, sw, sizeof sw);
    who(k, &s->dst, receiver, rw, sizeof rw);
    if (kind == OS_FK_STREAM_GAP)
        say(x, "%s paused its %s stream to %s for %.1f s at %s and resumed (%" PRIu64 " gap%s "
            "over %u s so far): a camera or encoder restart, or a path that drops it now and "
            "then (a switch port, a link, a firewall's state table)", sw, c->r->id, rw,
            (double)(ts - s->last_ns) / 1e9, os_fmt_hms(s->last_ns, false, a), s->gaps,
            s->gaps == 1 ? "" : "s",
            k->rs->set.stream_gap_s);
    else if (kind == OS_FK_STREAM_STOPPED)
        say(x, "%s stopped sending its %s stream to %s at %s (silent %.1f s by %s) while other "
            "streams went on: the camera or encoder is down, or the path from it is cut",
            sw, c->r->id, rw, os_fmt_hms(s->last_ns, false, a), (double)(ts - s->last_ns) / 1e9,
            os_fmt_hms(ts, false, b));
    else
        say(x, "%s's %s stream to %s lost %" PRId64 " of %" PRIu64 " RTP packets (%.1f%%), "
            "%" PRIu64 " out of order, jitter %.1f ms: check the path (duplex mismatch, errors, "
            "full queues) and the encoder's bitrate", sw, c->r->id, rw, os_stream_rtp_lost(s),
            (uint64_t)os_stream_rtp_lost(s) + s->rtp.received,
            100.0 * (double)os_stream_rtp_lost(s) / (double)((uint64_t)os_stream_rtp_lost(s) + s->rtp.received),
            s->rtp.out_of_order, os_stream_jitter_ms(s));
}

/* A stream verdict. */
void os_check_stream(os_checker *k, os_flow *f, const os_stream *s, os_finding_kind kind,
                     uint64_t ts)
{
    fctx c;
    bool fresh;
    os_finding *x;
    if (f->label.rule < 0)
        return;
    fctx_init(k, &c, f);
    if (!is_omnicast(&c) || !(x = raise_on(k, f, kind, &fresh)))
        return;
    set_flow_c(x, &c);
    x->packets = s->packets;
    x->first_ns = fresh ? s->last_ns : x->first_ns;
    x->last_ns = ts;
    stream_say(k, x, &c, s, kind, ts);
    announce(k, x, fresh);
}

/* ---- ICMP, multicast, hosts -------------------------------------------- */

/* What an ICMP/ICMPv6 destination-unreachable code says. */
static const char *unreach_text(const os_pkt *p)
{
    static const char *const v4[] = { "network unreachable", "host unreachable",
                                      "protocol unreachable", "port unreachable" };
    static const char *const v6[] = { "no route", "administratively prohibited",
                                      "beyond scope", "address unreachable", "port unreachable" };
    if (p->proto == 1)
        return p->icmp_code < 4 ? v4[p->icmp_code]
             : (p->icmp_code == 9 || p->icmp_code == 10 || p->icmp_code == 13)
                 ? "administratively prohibited" : "unreachable";
    return p->icmp_code < 5 ? v6[p->icmp_code] : "unreachable";
}

static bool admin_prohibited(const os_pkt *p)
{
    if (p->proto == 1)
        return p->icmp_code == 9 || p->icmp_code == 10 || p->icmp_code == 13;
    return p->icmp_code == 1;
}

/* The sentence of an ICMP finding: who rejected what, and what to change. */
static void icmp_say(os_checker *k, os_finding *x, fctx *c, const os_pkt *p)
{
    char rw[96], sa[OS_ADDRSTRLEN], pa[OS_ADDRSTRLEN], why[200];
    bool admin = admin_prohibited(p), self = os_addr_cmp(&x->reporter, &c->sa) == 0;
    unsigned port = c->f->key.port[c->svc];
    const char *t = tname(c->f->key.proto);
    os_addr_str(&c->sa, sa);
    os_addr_str(&c->pa, pa);
    if (admin && self)
        snprintf(why, sizeof why, "the %s's own firewall rejects it: allow %s %u in from %s on it",
                 c->sr, t, port, pa);
    else if (admin)
        snprintf(why, sizeof why, "a firewall at or behind %s rejects it: allow %s %u from %s to %s",
                 who(k, &x->reporter, 0, rw, sizeof rw), t, port, pa, sa);
    else if (self)
        snprintf(why, sizeof why, "nothing listens on that port: is the %s's service running, "
                 "and configured on this port?", c->sr);
    else
        snprintf(why, sizeof why, "the %s or its network cannot be reached from there: check "
                 "routing, and that the host is up", c->sr);
    say(x, "%s answered %s from %s to %s port %u (%s) with ICMP destination unreachable, %s "
        "(type %u code %u, %" PRIu64 " time%s): %s", self ? svc_who(c) : who(k, &x->reporter, 0, rw, sizeof rw),
        t, peer_who(c), self ? "its" : svc_who(c), port, c->r->id, unreach_text(p), p->icmp_type,
        p->icmp_code, x->packets, x->packets == 1 ? "" : "s", why);
}

/* An ICMP destination-unreachable quoting an Omnicast flow. */
void os_check_icmp(os_checker *k, const os_pkt *p, os_flow *q, uint64_t ts)
{
    fctx c;
    bool fresh;
    os_finding *x;
    if ((p->proto == 1 ? p->icmp_type != 3 : p->icmp_type != 1) || q->label.rule < 0)
        return;
    fctx_init(k, &c, q);
    if (!is_omnicast(&c) || !(x = raise_on(k, q, OS_FK_ICMP_UNREACHABLE, &fresh)))
        return;
    if (fresh) {
        set_flow_c(x, &c);
        x->first_ns = ts;
        x->packets = 0;
        x->has_reporter = true;
        x->reporter = os_addr_from(p->ipver, p->src);
    }
    x->last_ns = ts;
    x->packets++;
    if (admin_prohibited(p))
        x->sev = OS_SEV_ERROR;
    icmp_say(k, x, &c, p);
    announce(k, x, fresh);
}

/* Group offset from multicast-start, or -1 when outside the same /96 or /0. */
static int64_t group_offset(const os_addr *g, const os_addr *start)
{
    size_t pre = g->ver == 6 ? 12 : 0, at = g->ver == 6 ? 12 : 0;
    if (g->ver != start->ver || memcmp(g->b, start->b, pre) != 0)
        return -1;
    uint32_t a = os_addr_be32(g->b + at), b = os_addr_be32(start->b + at);
    return a >= b ? (int64_t)(a - b) : -1;
}

static uint64_t stream_id(const os_addr *g, uint16_t port)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < sizeof g->b; i++)
        h = (h ^ g->b[i]) * 1099511628211ULL;
    return (h ^ port ^ ((uint64_t)g->ver << 20)) * 1099511628211ULL;
}

/* Two sources on one group and port; a group outside the site's range. */
static void check_stream(os_checker *k, os_flow *f, int sender, const os_addr *g)
{
    const os_settings *set = &k->rs->set;
    os_addr src = os_flow_addr(f, sender);
    uint16_t port = f->key.port[!sender];
    const os_addr *first = first_of(k, g, port, &src);
    char gw[OS_ADDRSTRLEN], a[96], b[96];
    bool fresh;
    os_finding *x;
    os_addr_str(g, gw);
    if (os_addr_cmp(first, &src) != 0 &&
        (x = raise_finding(k, stream_id(g, port), OS_FK_MULTICAST_GROUP_CONFLICT, &fresh))) {
        set_flow(x, f);
        x->svc = *g;
        x->peer = src;
        x->svc_port = port;
        say(x, "%s and %s both send to multicast group %s port %u: two sources on one group "
            "(two Omnicast systems with the same multicast settings?) — give each system its "
            "own start multicast address", who(k, first, 0, a, sizeof a),
            who(k, &src, 0, b, sizeof b), gw, port);
        announce(k, x, fresh);
    }
    int64_t off = set->mcast_start_set && set->mcast_range ? group_offset(g, &set->mcast_start) : 0;
    if ((off < 0 || off >= (int64_t)set->mcast_range) && set->mcast_start_set && set->mcast_range &&
        (x = raise_on(k, f, OS_FK_MULTICAST_OUT_OF_RANGE, &fresh))) {
        char st[OS_ADDRSTRLEN];
        set_flow(x, f);
        say(x, "%s sends to multicast group %s, outside the site's range of %u groups from %s: "
            "another system, or an encoder configured by hand", who(k, &src, 0, a, sizeof a), gw,
            set->mcast_range, os_addr_str(&set->mcast_start, st));
        announce(k, x, fresh);
    }
}

/* Check a new UDP flow to a multicast group. */
void os_check_multicast(os_checker *k, os_flow *f, int sender)
{
    os_addr g = os_flow_addr(f, !sender), src = os_flow_addr(f, sender);
    os_conf c;
    char a[96], gw[OS_ADDRSTRLEN];
    bool fresh;
    os_finding *x;
    if (f->key.proto != 17 || !os_addr_is_multicast(&g))
        return;
    if (f->label.rule >= 0 && k->rs->rule[f->label.rule].dest == OS_DEST_MULTICAST) {
        check_stream(k, f, sender, &g);
        return;
    }
    os_hrole_set roles = os_classify_host_roles(k->cls, &src, &c);
    if (f->label.rule >= 0 ||
        !(roles & (OS_HR_BIT(OS_HR_ENCODER) | OS_HR_BIT(OS_HR_ARCHIVER))) ||
        !(x = raise_on(k, f, OS_FK_MULTICAST_PORT_MISMATCH, &fresh)))
        return;
    set_flow(x, f);
    say(x, "%s streams to multicast group %s on port %u, not on the site's multicast video or "
        "audio port: an encoder with non-default multicast settings (match them, or describe "
        "the port in a rules file)", who(k, &src, 0, a, sizeof a), os_addr_str(&g, gw),
        f->key.port[!sender]);
    announce(k, x, fresh);
}

/* Does the traffic behind h's inferred role r also fit a role h is declared
 * in? (An Archiver re-streaming to multicast is inferred an encoder, but the
 * multicast rule accepts Archivers as senders: no conflict.) */
static bool fits_declared(const os_checker *k, const os_host *h, int r)
{
    const os_evidence *e = &h->why[r];
    if (e->rule < 0 || (unsigned)e->rule >= k->rs->n)
        return false;
    const os_rule *rule = &k->rs->rule[e->rule];
    return ((e->as_service ? rule->service : rule->peers) & h->declared) != 0;
}

/* Declared roles that traffic contradicts (spec: never silently overridden). */
/* Inferred roles that cannot be one host's: a client that also looks like
 * a server (spec: conflicting evidence is reported, not resolved). */
static void check_inferred_conflict(os_checker *k, const os_host *h)
{
    os_hrole_set servers = OS_HR_BIT(OS_HR_DIRECTORY) | OS_HR_BIT(OS_HR_GATEWAY) |
                           OS_HR_BIT(OS_HR_ARCHIVER) | OS_HR_BIT(OS_HR_DFC);
    int r = os_hrole_first(h->inferred & servers);
    char ip[OS_ADDRSTRLEN], cw[256], sw[256];
    bool fresh;
    os_finding *x;
    if (h->declared || !(h->inferred & OS_HR_BIT(OS_HR_CLIENT)) || r < 0 ||
        !(x = raise_finding(k, stream_id(&h->addr, 0xfffe), OS_FK_ROLE_CONFLICT, &fresh)))
        return;
    x->first_ns = x->last_ns = h->why[r].first_ns;
    x->flow_id = h->why[r].flow_id;
    x->rule = h->why[r].rule;
    x->src = x->svc = h->addr;
    say(x, "%s looks like both a client (it %s) and %s %s (it %s): give its role in a hosts "
        "file (-H); until then both are shown", os_addr_str(&h->addr, ip),
        os_classify_evidence_words(k->cls, h, OS_HR_CLIENT, cw, sizeof cw),
        article(os_hrole_label((os_hrole)r)), os_hrole_label((os_hrole)r),
        os_classify_evidence_words(k->cls, h, (os_hrole)r, sw, sizeof sw));
    announce(k, x, fresh);
}

void os_check_finish(os_checker *k)
{
    size_t n;
    const os_host **v = os_classify_hosts(k->cls, &n);
    for (size_t i = 0; i < n; i++) {
        const os_host *h = v[i];
        check_inferred_conflict(k, h);
        os_hrole_set extra = (os_hrole_set)(h->inferred & ~h->declared);
        for (int r = 0; r < OS_HR_COUNT; r++) /* the rule accepts a declared role there */
            if ((extra & OS_HR_BIT(r)) && fits_declared(k, h, r))
                extra &= (os_hrole_set)~OS_HR_BIT(r);
        char ip[OS_ADDRSTRLEN], decl[160], t[32];
        bool fresh;
        os_finding *x;
        int r = os_hrole_first(extra);
        if (!h->declared || r < 0 ||
            !(x = raise_finding(k, stream_id(&h->addr, 0xffff), OS_FK_ROLE_CONFLICT, &fresh)))
            continue;
        const os_evidence *e = &h->why[r];
        x->first_ns = x->last_ns = e->first_ns;
        x->flow_id = e->flow_id;
        x->rule = e->rule;
        x->src = h->addr;
        x->svc = h->addr;
        os_hrole_join(h->declared, " or ", true, decl, sizeof decl);
        os_addr_str(&h->addr, ip);
        snprintf(t, sizeof t, "%" PRIu64, e->flow_id);
        say(x, "%s is declared %s in the hosts file, but traffic shows it is %s %s (%s as %s, "
            "flow %s): correct the hosts file, or find out why this host acts as one", ip, decl,
            article(os_hrole_label((os_hrole)r)), os_hrole_label((os_hrole)r), k->rs->rule[e->rule].id,
            e->as_service ? "service" : "peer", t);
        announce(k, x, fresh);
    }
    free(v);
}

static int by_severity(const void *a, const void *b)
{
    const os_finding *x = *(os_finding *const *)a, *y = *(os_finding *const *)b;
    if (x->sev != y->sev)
        return x->sev > y->sev ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Every finding, most severe first, then in the order found. */
const os_finding *const *os_checker_findings(os_checker *k, size_t *n)
{
    OS_HASH_SORTED(k->set, os_finding, by_severity, &k->sorted, n);
    return (const os_finding *const *)k->sorted;
}

/* Findings per kind and the worst severity. */
void os_checker_counts(const os_checker *k, uint64_t counts[OS_FK_COUNT], os_severity *worst)
{
    memcpy(counts, k->count, sizeof k->count);
    *worst = k->worst;
}

/* Where released findings go. */
void os_checker_on_release(os_checker *k, void (*fn)(void *user, const os_finding *f), void *user)
{
    k->rel_fn = fn;
    k->rel_user = user;
}

/* Hand the findings of an ended flow over and forget them. */
void os_checker_release(os_checker *k, uint64_t flow_id)
{
    if (!k->set)
        return;
    for (int kind = 0; kind < OS_FK_COUNT; kind++) {
        os_finding *x;
        if (k->live[kind] && (x = find_finding(k, flow_id, (os_finding_kind)kind)))
            release_one(k, x);
    }
}

/* Hand every finding still held over, in report order, and forget them. */
void os_checker_release_all(os_checker *k)
{
    size_t n;
    os_finding **v = (os_finding **)os_checker_findings(k, &n);
    for (size_t i = 0; i < n; i++)
        release_one(k, v[i]);
    free(k->sorted);
    k->sorted = NULL;
}
