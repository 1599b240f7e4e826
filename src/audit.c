/* audit.c — the site audit: the flows a site needs (rules × site file), the
 * status of each in the observed system, the observed Omnicast edges the
 * site does not need, and the words of a row (status id, ends, ports) that
 * the writers (audit_write.c) and the firewall rules (firewall.c) use.
 * See audit.h for how needed flows are derived. Every port and direction is
 * a rule's; the only knowledge in C is about host roles (which Archiver
 * records which encoder, which Gateway is primary). */
#include "omnisniff/audit.h"

#include <stdlib.h>
#include <string.h>

static const char *const status_id[OS_AUDIT_NSTATUS] = {
    "seen-and-healthy", "attempted-and-failed", "never-seen", "seen-not-needed" };

/* Stable id of a status. */
const char *os_audit_status_name(os_audit_status s)
{
    return s < OS_AUDIT_NSTATUS ? status_id[s] : NULL;
}

/* ---- the needed flows ------------------------------------------------- */

/* Room for one more row; NULL on allocation failure. */
static os_audit_row *new_row(os_audit *a, size_t *cap)
{
    if (a->n == *cap) {
        size_t nc = *cap ? *cap * 2 : 32;
        os_audit_row *nv = realloc(a->v, nc * sizeof *nv);
        if (!nv)
            return NULL;
        a->v = nv;
        *cap = nc;
    }
    os_audit_row *r = &a->v[a->n++];
    memset(r, 0, sizeof *r);
    r->recv = SIZE_MAX;
    r->worst = OS_SEV_NEVER;
    return r;
}

/* The end for site host h playing a role of `want`. */
static os_audit_end host_end(const os_site *s, size_t h, os_hrole_set want)
{
    os_audit_end e;
    memset(&e, 0, sizeof e);
    e.host = h;
    e.net = s->hosts.v[h].net;
    e.plen = s->hosts.v[h].plen;
    e.role = (int8_t)os_hrole_first(s->hosts.v[h].roles & want);
    return e;
}

/* "Any multicast group" of the family of `like`. */
static os_audit_end mcast_end(const os_addr *like)
{
    os_audit_end e;
    memset(&e, 0, sizeof e);
    e.host = SIZE_MAX;
    e.multicast = true;
    e.role = -1;
    e.net.ver = like->ver;
    e.net.b[0] = like->ver == 6 ? 0xff : 0xe0;
    e.plen = like->ver == 6 ? 8 : 4;
    return e;
}

/* Does the peer open the flow (TCP: initiator=; UDP: bulk=)? */
static bool peer_initiates(const os_rule *r)
{
    if (r->transports & OS_T_TCP)
        return r->initiator != OS_INIT_SERVICE;
    return r->bulk != OS_BULK_FROM_SERVICE;
}

/* Rules that name hosts on both sides (or an encoder and a multicast group). */
static bool auditable(const os_rule *r)
{
    if (r->port_lo == 0 || r->dest == OS_DEST_MCAST_TEST || !r->peers)
        return false;
    return r->dest == OS_DEST_MULTICAST || r->service;
}

/* Is (Archiver arc, encoder enc) recorded this way? Without any record line,
 * every Archiver records every encoder over unicast. */
static bool recorded(const os_site *s, size_t arc, size_t enc, bool multicast)
{
    if (!s->nrec)
        return !multicast;
    for (size_t i = 0; i < s->nrec; i++)
        if (s->rec[i].archiver == arc && s->rec[i].encoder == enc &&
            s->rec[i].multicast == multicast)
            return true;
    return false;
}

/* Has the site said rule ri is not used (for these hosts)? */
static bool unused(const os_site *s, int ri, size_t h1, size_t h2)
{
    for (size_t i = 0; i < s->nunused; i++)
        if (s->unused[i].rule == ri &&
            (s->unused[i].host == SIZE_MAX || s->unused[i].host == h1 ||
             s->unused[i].host == h2))
            return true;
    return false;
}

/* Does host pair (service sv, peer pe) need rule r? */
static bool pair_needed(const os_site *s, const os_rule *r, size_t sv, size_t pe)
{
    os_hrole_set svr = s->hosts.v[sv].roles & r->service, per = s->hosts.v[pe].roles & r->peers;
    bool gw_peer = per & OS_HR_BIT(OS_HR_GATEWAY);
    if (sv == pe || !svr || !per)
        return false;
    if ((svr & OS_HR_BIT(OS_HR_ARCHIVER)) && (per & OS_HR_BIT(OS_HR_ENCODER)) &&
        !recorded(s, sv, pe, false))
        return false;
    if ((svr & OS_HR_BIT(OS_HR_ENCODER)) && (per & OS_HR_BIT(OS_HR_ARCHIVER)) &&
        !recorded(s, pe, sv, false))
        return false;
    if (r->one_peer && gw_peer && s->primary != SIZE_MAX && pe != s->primary)
        return false;
    /* the failover Directory reaches the Directory through the primary Gateway */
    if (per == OS_HR_BIT(OS_HR_FAILOVER_DIRECTORY) && (svr & OS_HR_BIT(OS_HR_GATEWAY)) &&
        s->primary != SIZE_MAX && sv != s->primary)
        return false;
    return true;
}

/* Fill the direction, ports and transports of a row from its rule. */
static void row_rule(os_audit_row *row, int ri, const os_rule *r)
{
    row->rule = (int16_t)ri;
    row->transports = r->transports;
    row->port_lo = r->port_lo;
    row->port_hi = r->port_hi;
    row->status = OS_AUDIT_NEVER;
}

/* Add the row for service host sv and peer host pe of rule ri. */
static bool add_pair(os_audit *a, size_t *cap, int ri, size_t sv, size_t pe)
{
    const os_rule *r = &a->rules->rule[ri];
    os_audit_row *row = new_row(a, cap);
    os_audit_end svc = host_end(a->site, sv, r->service), peer = host_end(a->site, pe, r->peers);
    if (!row)
        return false;
    row_rule(row, ri, r);
    row->port_on_src = !peer_initiates(r);
    row->src = row->port_on_src ? svc : peer;
    row->dst = row->port_on_src ? peer : svc;
    return true;
}

/* Rows of a dest=multicast rule: each encoder recorded over multicast. */
static bool add_multicast(os_audit *a, size_t *cap, int ri)
{
    const os_rule *r = &a->rules->rule[ri];
    const os_site *s = a->site;
    for (size_t i = 0; i < s->nrec; i++) {
        const os_site_record *rc = &s->rec[i];
        if (!rc->multicast || !(s->hosts.v[rc->encoder].roles & r->peers) ||
            unused(s, ri, rc->encoder, rc->archiver))
            continue;
        os_audit_row *row = new_row(a, cap);
        if (!row)
            return false;
        row_rule(row, ri, r);
        row->src = host_end(s, rc->encoder, r->peers);
        row->dst = mcast_end(&row->src.net);
        row->recv = rc->archiver;
    }
    return true;
}

/* Rows of a unicast rule: every (service host, peer host) pair it needs. */
static bool add_unicast(os_audit *a, size_t *cap, int ri)
{
    const os_rule *r = &a->rules->rule[ri];
    const os_site *s = a->site;
    for (size_t sv = 0; sv < s->hosts.n; sv++)
        for (size_t pe = 0; pe < s->hosts.n; pe++)
            if (pair_needed(s, r, sv, pe) && !unused(s, ri, sv, pe) &&
                !add_pair(a, cap, ri, sv, pe))
                return false;
    return true;
}

/* Same hosts both ends, same transport and overlapping ports. */
static bool same_flow(const os_audit_row *x, const os_audit_row *y)
{
    return x->src.host == y->src.host && x->dst.host == y->dst.host &&
           (x->transports & y->transports) && x->port_lo <= y->port_hi &&
           y->port_lo <= x->port_hi;
}

/* Does rule w win over rule l (over=)? */
static bool wins_over(const os_rule *w, int l)
{
    for (unsigned i = 0; i < w->nover; i++)
        if (w->over[i] == l)
            return true;
    return false;
}

/* Drop a row when another rule's row of the same flow wins over it (the
 * failover Directory's 5001 is failover-directory-link, not gateway-command). */
static void drop_overruled(os_audit *a)
{
    size_t k = 0;
    for (size_t i = 0; i < a->n; i++) {
        bool lose = false;
        for (size_t j = 0; j < a->n && !lose; j++)
            lose = j != i && same_flow(&a->v[i], &a->v[j]) &&
                   wins_over(&a->rules->rule[a->v[j].rule], a->v[i].rule);
        if (!lose)
            a->v[k++] = a->v[i];
    }
    a->n = k;
}

/* Is a row's end inside the firewall? (multicast: where its Archiver is) */
static bool end_inside(const os_audit *a, const os_audit_row *r, const os_audit_end *e)
{
    if (e->multicast && r->recv != SIZE_MAX)
        return os_site_inside(a->site, &a->site->hosts.v[r->recv].net,
                              a->site->hosts.v[r->recv].plen);
    return os_site_inside(a->site, &e->net, e->plen);
}

/* Mark the rows whose ends are on two sides of the firewall. */
static void mark_crossing(os_audit *a)
{
    for (size_t i = 0; i < a->n; i++) {
        os_audit_row *r = &a->v[i];
        r->crosses = !a->site->firewall[0] ||
                     end_inside(a, r, &r->src) != end_inside(a, r, &r->dst);
    }
}

/* Build the needed flows. */
bool os_audit_build(os_audit *a, const os_site *s, const os_ruleset *rs, const char *site_file,
                    char *err, size_t errlen)
{
    size_t cap = 0;
    memset(a, 0, sizeof *a);
    a->site = s;
    a->rules = rs;
    a->site_file = site_file;
    for (int ri = 0; ri < rs->n; ri++) {
        const os_rule *r = &rs->rule[ri];
        if (!auditable(r))
            continue;
        if (!(r->dest == OS_DEST_MULTICAST ? add_multicast(a, &cap, ri)
                                           : add_unicast(a, &cap, ri))) {
            snprintf(err, errlen, "out of memory");
            os_audit_free(a);
            return false;
        }
    }
    drop_overruled(a);
    mark_crossing(a);
    a->count[OS_AUDIT_NEVER] = a->n;
    return true;
}

/* ---- what the capture shows ------------------------------------------- */

/* Does an observed address (site host index h) fit a row end? */
static bool end_fits(const os_audit_end *e, const os_addr *addr, size_t h)
{
    return e->multicast ? os_addr_is_multicast(addr) && addr->ver == e->net.ver
                        : h != SIZE_MAX && h == e->host;
}

/* Transport bit of an IP protocol number (0 for others). */
static uint8_t tbit(uint8_t proto) { return proto == 6 ? OS_T_TCP : proto == 17 ? OS_T_UDP : 0; }

/* Does edge e (its ends' site hosts hs, hd) belong to row r? */
static bool edge_fits(const os_audit_row *r, const os_edge *e, size_t hs, size_t hd)
{
    if (e->key.rule != r->rule || !(tbit(e->key.proto) & r->transports))
        return false;
    return (end_fits(&r->src, &e->src, hs) && end_fits(&r->dst, &e->dst, hd)) ||
           (end_fits(&r->src, &e->dst, hd) && end_fits(&r->dst, &e->src, hs));
}

/* Add an edge's counts to a row. */
static void account(os_audit_row *r, const os_edge *e)
{
    r->edges++;
    r->flows += e->flows;
    r->packets += e->packets[0] + e->packets[1];
    for (int v = 0; v <= OS_HSV_PARTIAL; v++)
        r->hs[v] += e->hs[v];
    if (e->first_ns && (!r->first_ns || e->first_ns < r->first_ns))
        r->first_ns = e->first_ns;
    if (e->last_ns > r->last_ns)
        r->last_ns = e->last_ns;
    r->kinds |= e->kinds;
    if (e->worst != OS_SEV_NEVER && (r->worst == OS_SEV_NEVER || e->worst > r->worst))
        r->worst = e->worst;
}

/* Status of a needed row from what was accounted. */
static os_audit_status judge(const os_audit_row *r)
{
    uint64_t tcp = 0;
    for (int v = 0; v <= OS_HSV_PARTIAL; v++)
        tcp += r->hs[v];
    if (!r->edges)
        return OS_AUDIT_NEVER;
    if (r->worst != OS_SEV_NEVER && r->worst >= OS_SEV_WARNING)
        return OS_AUDIT_FAILED;
    if (!r->flows || (tcp && !r->hs[OS_HSV_ESTABLISHED] && !r->hs[OS_HSV_MIDSTREAM] &&
                      !r->hs[OS_HSV_PARTIAL]))
        return OS_AUDIT_FAILED;
    return OS_AUDIT_HEALTHY;
}

/* The end of an observed address: its site host's line (playing a role of
 * the rule if it holds one), else the address. */
static os_audit_end seen_end(const os_site *s, const os_rule *r, const os_addr *addr, size_t h)
{
    os_audit_end e;
    if (os_addr_is_multicast(addr))
        return mcast_end(addr);
    if (h != SIZE_MAX)
        return host_end(s, h, s->hosts.v[h].roles & (r->service | r->peers)
                                  ? r->service | r->peers : s->hosts.v[h].roles);
    memset(&e, 0, sizeof e);
    e.host = SIZE_MAX;
    e.net = *addr;
    e.plen = addr->ver == 6 ? 128 : 32;
    e.role = -1;
    return e;
}

/* Same end (same host line, or same address / multicast family). */
static bool same_end(const os_audit_end *x, const os_audit_end *y)
{
    return x->host == y->host && x->multicast == y->multicast && x->plen == y->plen &&
           !os_addr_cmp(&x->net, &y->net);
}

/* Fold an edge no needed row covers into its seen-not-needed row. */
static bool add_unneeded(os_audit *a, size_t *cap, const os_edge *e, size_t hs, size_t hd)
{
    const os_rule *rl = &a->rules->rule[e->key.rule];
    os_audit_end src = seen_end(a->site, rl, &e->src, hs), dst = seen_end(a->site, rl, &e->dst, hd);
    os_audit_row *r = NULL;
    for (size_t i = 0; i < a->n && !r; i++)
        if (a->v[i].status == OS_AUDIT_UNNEEDED && a->v[i].rule == e->key.rule &&
            a->v[i].transports == tbit(e->key.proto) &&
            a->v[i].port_on_src == !e->svc_is_dst && same_end(&a->v[i].src, &src) &&
            same_end(&a->v[i].dst, &dst))
            r = &a->v[i];
    if (!r) {
        if (!(r = new_row(a, cap)))
            return false;
        r->rule = e->key.rule;
        r->src = src;
        r->dst = dst;
        r->transports = tbit(e->key.proto);
        r->port_lo = r->port_hi = e->key.port;
        r->port_on_src = !e->svc_is_dst;
        r->status = OS_AUDIT_UNNEEDED;
    }
    r->port_lo = e->key.port < r->port_lo ? e->key.port : r->port_lo;
    r->port_hi = e->key.port > r->port_hi ? e->key.port : r->port_hi;
    account(r, e);
    return true;
}

/* Order: status, rule, source, destination. */
static int row_cmp(const void *x, const void *y)
{
    const os_audit_row *a = x, *b = y;
    int c;
    if (a->status != b->status)
        return a->status < b->status ? -1 : 1;
    if (a->rule != b->rule)
        return a->rule < b->rule ? -1 : 1;
    if ((c = os_addr_cmp(&a->src.net, &b->src.net)) || a->src.plen != b->src.plen)
        return c ? c : a->src.plen < b->src.plen ? -1 : 1;
    if ((c = os_addr_cmp(&a->dst.net, &b->dst.net)) || a->dst.plen != b->dst.plen)
        return c ? c : a->dst.plen < b->dst.plen ? -1 : 1;
    return (a->recv > b->recv) - (a->recv < b->recv);
}

/* Match every edge against the needed rows; unmatched Omnicast edges become
 * seen-not-needed rows. */
static bool match_edges(os_audit *a, const os_edge **ev, size_t ne, size_t *cap)
{
    size_t needed = a->n;
    for (size_t k = 0; k < ne; k++) {
        const os_edge *e = ev[k];
        size_t hs = os_site_host_of(a->site, &e->src), hd = os_site_host_of(a->site, &e->dst);
        bool covered = false;
        for (size_t i = 0; i < needed; i++)
            if (edge_fits(&a->v[i], e, hs, hd)) {
                account(&a->v[i], e);
                covered = true;
            }
        if (!covered && e->key.rule >= 0 && !add_unneeded(a, cap, e, hs, hd))
            return false;
    }
    for (size_t i = 0; i < needed; i++)
        a->v[i].status = judge(&a->v[i]);
    return true;
}

/* Status of every needed row, the seen-not-needed rows, sorted. */
bool os_audit_observe(os_audit *a, const os_graph *g, uint64_t ts_ns, char *err, size_t errlen)
{
    size_t ne = 0, cap = a->n;
    const os_edge **ev = g ? os_graph_edges(g, &ne) : NULL;
    bool ok = match_edges(a, ev, ne, &cap);
    free(ev);
    if (!ok) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    mark_crossing(a);
    if (a->n)
        qsort(a->v, a->n, sizeof *a->v, row_cmp);
    memset(a->count, 0, sizeof a->count);
    for (size_t i = 0; i < a->n; i++)
        a->count[a->v[i].status]++;
    a->ts_ns = ts_ns;
    return true;
}

/* Free the rows. */
void os_audit_free(os_audit *a)
{
    free(a->v);
    memset(a, 0, sizeof *a);
}

/* ---- words ------------------------------------------------------------ */

/* One end of a row in words. */
const char *os_audit_end_str(const os_audit *a, const os_audit_end *e, char *buf, size_t len)
{
    char net[OS_ADDRSTRLEN + 8];
    const char *name = e->host != SIZE_MAX ? a->site->hosts.v[e->host].name : "";
    const char *role = e->multicast ? "multicast" : e->role >= 0
                                                    ? os_hrole_label((os_hrole)e->role) : NULL;
    os_audit_net_str(e, net, sizeof net);
    snprintf(buf, len, "%s%s%s%s%s%s", role ? role : "", role ? " " : "", name,
             name[0] ? " (" : "", net, name[0] ? ")" : "");
    return buf;
}

/* "10.1.0.10" or "10.3.0.0/24". */
const char *os_audit_net_str(const os_audit_end *e, char *buf, size_t len)
{
    char ip[OS_ADDRSTRLEN];
    os_addr_str(&e->net, ip);
    if (e->plen == (e->net.ver == 6 ? 128 : 32))
        snprintf(buf, len, "%s", ip);
    else
        snprintf(buf, len, "%s/%u", ip, e->plen);
    return buf;
}

/* "15000-16000" or "5001". */
const char *os_audit_ports_str(const os_audit_row *r, char *buf, size_t len)
{
    if (r->port_lo == r->port_hi)
        snprintf(buf, len, "%u", r->port_lo);
    else
        snprintf(buf, len, "%u-%u", r->port_lo, r->port_hi);
    return buf;
}
