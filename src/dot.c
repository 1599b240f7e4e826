/* dot.c — the observed system as a Graphviz digraph (see dot.h).
 *
 * A write goes in four steps over one context (dctx): the graph edges to
 * draw (unclassified ones without a finding only when asked); the hosts to
 * draw, sorted by address with what is known of them; the nodes, hosts
 * alike folded; the drawn edges, each graph edge mapped to its two nodes and
 * folded per (node, node, role, transport) with its distinct service ports
 * in one label. Labels are built as plain text with real newlines in a
 * bounded buffer and escaped once, when written (quote, backslash,
 * newline). */
#include "omnisniff/dot.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "omnisniff/decode.h"

#define MAX_PORTS_LISTED 4 /* ports named in an edge label before a range is shown */

/* A bounded label under construction. */
typedef struct lbuf {
    char b[1024]; /* text, real newlines */
    size_t n;     /* used */
} lbuf;

__attribute__((format(printf, 2, 3))) static void lb_add(lbuf *l, const char *fmt, ...)
{
    va_list ap;
    int k;
    if (l->n >= sizeof l->b - 1)
        return;
    va_start(ap, fmt);
    k = vsnprintf(l->b + l->n, sizeof l->b - l->n, fmt, ap);
    va_end(ap);
    if (k > 0)
        l->n += (size_t)k < sizeof l->b - l->n ? (size_t)k : sizeof l->b - 1 - l->n;
}

/* Write s as a DOT quoted string. */
static void put_quoted(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fputc('\\', out);
        if (*s == '\n')
            fputs("\\n", out);
        else
            fputc(*s, out);
    }
    fputc('"', out);
}

/* Bytes for a label: exact below 10 kB, then kB / MB / GB with one decimal. */
static void lb_bytes(lbuf *l, uint64_t v)
{
    static const char *const unit[] = { "kB", "MB", "GB", "TB" };
    uint64_t scale = 1000;
    int u = 0;
    if (v < 10000) {
        lb_add(l, "%" PRIu64 " B", v);
        return;
    }
    while (u < 3 && v / scale >= 1000) {
        scale *= 1000;
        u++;
    }
    uint64_t tenths = (v + scale / 20) / (scale / 10);
    lb_add(l, "%" PRIu64 ".%u %s", tenths / 10, (unsigned)(tenths % 10), unit[u]);
}

/* Fill colour of a host by its first role (declared first, then inferred). */
static const char *role_fill(os_hrole_set set)
{
    static const char *const fill[OS_HR_COUNT] = {
        "#cfe2f3", "#d9ead3", "#fff2cc", "#fce5cd", "#ead1dc",
        "#d0e0e3", "#c9daf8", "#f4cccc", "#e6b8af", "#d9d2e9" };
    int r = os_hrole_first(set);
    return r >= 0 ? fill[r] : "#ffffff";
}

/* Comma list of the role ids in set. */
static void lb_roles(lbuf *l, os_hrole_set set)
{
    char b[OS_HROLES_STRLEN];
    lb_add(l, "%s", os_hrole_join(set, ", ", false, b, sizeof b));
}

/* One address to draw and what is known of it. */
typedef struct dhost {
    os_addr a;         /* address */
    os_hrole_set decl; /* declared roles */
    os_hrole_set inf;  /* inferred roles not declared */
    const char *name;  /* hosts-file name (of the host or its network), or NULL */
    bool named_host;   /* the name is the host's own (such a host is never folded) */
    size_t lead;       /* lowest host of its fold (itself when not folded) */
    size_t node;       /* its node (index in dctx.node) */
} dhost;

/* One drawn node: a host, or hosts folded. */
typedef struct dnode {
    size_t lo, hi; /* lowest and highest of its hosts (indices in dctx.host) */
    size_t n;      /* hosts in it (1: the host drawn as itself) */
} dnode;

/* A graph edge to draw and the nodes it joins. */
typedef struct dedge {
    const os_edge *e; /* the edge */
    size_t from, to;  /* nodes of its initiator and responder */
} dedge;

/* Everything one write works on. */
typedef struct dctx {
    FILE *out;            /* where the graph goes */
    os_classifier *cls;   /* host roles */
    const os_ruleset *rs; /* role ids */
    os_dot_opts o;        /* options, defaults filled in */
    const os_edge **ev;   /* every graph edge, graph order (owned) */
    size_t ne;            /* their number */
    dedge *dv;            /* the edges to draw (owned) */
    size_t nd;            /* their number */
    const os_edge **tmp;  /* scratch of nd entries (owned) */
    dhost *host;          /* the hosts to draw, by address (owned) */
    size_t nh;            /* their number */
    dnode *node;          /* the nodes, by lowest address (owned) */
    size_t nn;            /* their number */
    size_t left_out;      /* unclassified host pairs not drawn */
    bool folded;          /* some node holds several hosts */
} dctx;

/* ---- labels ------------------------------------------------------------ */

/* The role lines of a label, each after a newline: declared roles, then
 * inferred ones ("inferred: " after declared ones, " (inferred)" alone). */
static void lb_role_lines(lbuf *l, os_hrole_set decl, os_hrole_set inf)
{
    if (decl) {
        lb_add(l, "\n");
        lb_roles(l, decl);
    }
    if (inf) {
        lb_add(l, decl ? "\ninferred: " : "\n");
        lb_roles(l, inf);
        if (!decl)
            lb_add(l, " (inferred)");
    }
}

#define NODE_ID_LEN (2 * OS_ADDRSTRLEN + 8) /* "LO – HI" */

/* The DOT id of node k: its address, or for a folded node its range. */
static const char *node_id(const dctx *c, size_t k, char *buf, size_t len)
{
    char lo[OS_ADDRSTRLEN], hi[OS_ADDRSTRLEN];
    const dnode *n = &c->node[k];
    if (n->n == 1)
        snprintf(buf, len, "%s", os_addr_str(&c->host[n->lo].a, lo));
    else
        snprintf(buf, len, "%s \xe2\x80\x93 %s", os_addr_str(&c->host[n->lo].a, lo),
                 os_addr_str(&c->host[n->hi].a, hi));
    return buf;
}

/* ---- nodes ------------------------------------------------------------- */

/* Border and fill of a node by what its roles rest on; ellipse for a group. */
static void put_node_style(FILE *out, const dhost *h)
{
    if (h->decl)
        fprintf(out, ", style=\"rounded,filled\", penwidth=1.5, fillcolor=\"%s\"",
                role_fill(h->decl));
    else if (h->inf)
        fprintf(out, ", style=\"rounded,filled,dashed\", fillcolor=\"%s\"", role_fill(h->inf));
    else if (os_addr_is_multicast(&h->a))
        fputs(", shape=ellipse, color=grey40, fontcolor=grey25", out);
    else
        fputs(", color=grey60, fontcolor=grey40", out);
}

/* The label of node k: address, "multicast group", name, roles; or for a
 * folded node the name of its network (if named), its roles, how many
 * hosts, their range. */
static void node_label(const dctx *c, size_t k, lbuf *l)
{
    char t[NODE_ID_LEN];
    const dnode *n = &c->node[k];
    const dhost *h = &c->host[n->lo];
    bool group = !h->decl && !h->inf && os_addr_is_multicast(&h->a);

    if (n->n == 1) {
        lb_add(l, "%s", node_id(c, k, t, sizeof t));
        if (group)
            lb_add(l, "\nmulticast group");
        if (h->name)
            lb_add(l, "\n%s", h->name);
        lb_role_lines(l, h->decl, h->inf);
        return;
    }
    if (h->name)
        lb_add(l, "\n%s", h->name);
    lb_role_lines(l, h->decl, h->inf);
    lb_add(l, "\n%zu %s\n%s", n->n, group ? "multicast groups" : "hosts",
           node_id(c, k, t, sizeof t));
}

/* One node line. */
static void write_node(const dctx *c, size_t k)
{
    char t[NODE_ID_LEN];
    lbuf l = { .n = 0 };
    node_label(c, k, &l);
    fputs("  ", c->out);
    put_quoted(c->out, node_id(c, k, t, sizeof t));
    fputs(" [label=", c->out);
    put_quoted(c->out, l.b[0] == '\n' ? l.b + 1 : l.b);
    put_node_style(c->out, &c->host[c->node[k].lo]);
    fputs("];\n", c->out);
}

/* ---- hosts ------------------------------------------------------------- */

/* Whether edge e is drawn: a traffic role, a finding, or unclassified
 * traffic asked for. */
static bool is_drawn(const dctx *c, const os_edge *e)
{
    return e->key.rule >= 0 || e->worst != OS_SEV_NEVER || c->o.unclassified;
}

/* The edges to draw, in graph order; the host pairs of those left out
 * counted (graph order keeps the edges of one pair together). */
static bool select_edges(dctx *c)
{
    const os_edge *prev = NULL; /* the last edge left out */
    c->dv = malloc((c->ne + 1) * sizeof *c->dv);
    c->tmp = malloc((c->ne + 1) * sizeof *c->tmp);
    if (!c->dv || !c->tmp)
        return false;
    for (size_t i = 0; i < c->ne; i++) {
        const os_edge *e = c->ev[i];
        if (is_drawn(c, e)) {
            c->dv[c->nd++] = (dedge){ .e = e };
            continue;
        }
        if (!prev || os_addr_cmp(&prev->src, &e->src) || os_addr_cmp(&prev->dst, &e->dst))
            c->left_out++;
        prev = e;
    }
    return true;
}

/* Hosts by address. */
static int host_cmp(const void *a, const void *b)
{
    return os_addr_cmp(&((const dhost *)a)->a, &((const dhost *)b)->a);
}

/* What the classifier knows of host d. A name counts as the host's own only
 * on a single-address entry; a named network's hosts may fold. */
static void host_facts(dctx *c, dhost *d)
{
    const os_host *h = os_classify_host(c->cls, &d->a);
    const os_hostdecl *hd = h ? h->decl : NULL;
    d->decl = h ? h->declared : 0;
    d->inf = h ? (os_hrole_set)(h->inferred & ~d->decl) : 0;
    d->name = hd && hd->name[0] ? hd->name : NULL;
    d->named_host = d->name && hd->plen == (d->a.ver == 6 ? 128 : 32);
}

/* Every host to draw: ends of drawn edges and hosts with a role, sorted by
 * address, each once, with what is known of it. */
static bool collect_hosts(dctx *c)
{
    size_t nh, k = 0;
    const os_host **hv = os_classify_hosts(c->cls, &nh);
    c->host = calloc(2 * c->nd + nh + 1, sizeof *c->host);
    if (!c->host || (nh && !hv)) {
        free(hv);
        return false;
    }
    for (size_t i = 0; i < c->nd; i++) {
        c->host[k++].a = c->dv[i].e->src;
        c->host[k++].a = c->dv[i].e->dst;
    }
    for (size_t i = 0; i < nh; i++)
        c->host[k++].a = hv[i]->addr;
    free(hv);
    qsort(c->host, k, sizeof *c->host, host_cmp);
    for (size_t i = 0; i < k; i++)
        if (!c->nh || os_addr_cmp(&c->host[c->nh - 1].a, &c->host[i].a))
            c->host[c->nh++].a = c->host[i].a;
    for (size_t i = 0; i < c->nh; i++)
        host_facts(c, &c->host[i]);
    return true;
}

/* ---- nodes: hosts alike folded ----------------------------------------- */

/* What hosts folded together share: family, /24 (IPv6 /64), declared and
 * inferred roles, hosts-file name. */
static int fold_key_cmp(const dhost *x, const dhost *y)
{
    int c = (x->a.ver > y->a.ver) - (x->a.ver < y->a.ver);
    if (!c)
        c = memcmp(x->a.b, y->a.b, x->a.ver == 6 ? 8 : 3);
    if (!c)
        c = (x->decl > y->decl) - (x->decl < y->decl);
    if (!c)
        c = (x->inf > y->inf) - (x->inf < y->inf);
    if (!c)
        c = (x->named_host > y->named_host) - (x->named_host < y->named_host);
    if (!c)
        c = strcmp(x->name ? x->name : "", y->name ? y->name : "");
    return c;
}

/* Fold key, then address. */
static int fold_cmp(const void *a, const void *b)
{
    const dhost *x = *(const dhost *const *)a, *y = *(const dhost *const *)b;
    int c = fold_key_cmp(x, y);
    return c ? c : os_addr_cmp(&x->a, &y->a);
}

/* The nodes, in address order: a host leading its fold (or alone) opens
 * one, the others join their leader's (leaders come first). */
static bool make_nodes(dctx *c)
{
    c->node = malloc((c->nh + 1) * sizeof *c->node);
    if (!c->node)
        return false;
    for (size_t i = 0; i < c->nh; i++) {
        dhost *h = &c->host[i];
        if (h->lead == i) {
            c->node[c->nn] = (dnode){ .lo = i, .hi = i, .n = 1 };
            h->node = c->nn++;
            continue;
        }
        h->node = c->host[h->lead].node;
        c->node[h->node].hi = i;
        c->node[h->node].n++;
        c->folded = true;
    }
    return true;
}

/* Fold every run of at least fold_min hosts alike (none with a name of its
 * own): each host's leader is the lowest of its run. */
static bool fold_hosts(dctx *c)
{
    const dhost **iv = malloc((c->nh + 1) * sizeof *iv);
    if (!iv)
        return false;
    for (size_t i = 0; i < c->nh; i++) {
        iv[i] = &c->host[i];
        c->host[i].lead = i;
    }
    qsort(iv, c->nh, sizeof *iv, fold_cmp);
    for (size_t i = 0, j; i < c->nh; i = j) {
        for (j = i + 1; j < c->nh && !fold_key_cmp(iv[i], iv[j]); j++)
            ;
        if (j - i > 1 && j - i >= c->o.fold_min && !iv[i]->named_host)
            for (size_t k = i; k < j; k++)
                c->host[iv[k] - c->host].lead = (size_t)(iv[i] - c->host);
    }
    free(iv);
    return make_nodes(c);
}

/* ---- edges: folded per (node, node, role, transport) ------------------- */

/* An address against a host's (bsearch). */
static int addr_in_host_cmp(const void *key, const void *elem)
{
    return os_addr_cmp(key, &((const dhost *)elem)->a);
}

/* The node of a drawn address (every end of a drawn edge is a host, so the
 * search does not fail). */
static size_t node_of(const dctx *c, const os_addr *a)
{
    const dhost *h = bsearch(a, c->host, c->nh, sizeof *c->host, addr_in_host_cmp);
    return h ? h->node : 0;
}

/* Within two nodes: role, transport (roles only), port, transport, then the
 * host pair (a total order: the output does not depend on qsort). */
static int edge_cmp(const os_edge *x, const os_edge *y)
{
    int c = (x->key.rule > y->key.rule) - (x->key.rule < y->key.rule);
    if (!c && x->key.rule >= 0)
        c = (x->key.proto > y->key.proto) - (x->key.proto < y->key.proto);
    if (!c)
        c = (x->key.port > y->key.port) - (x->key.port < y->key.port);
    if (!c)
        c = (x->key.proto > y->key.proto) - (x->key.proto < y->key.proto);
    if (!c)
        c = os_addr_cmp(&x->src, &y->src);
    if (!c)
        c = os_addr_cmp(&x->dst, &y->dst);
    return c;
}

/* Drawing order: initiator node, responder node, then edge_cmp. */
static int draw_cmp(const void *a, const void *b)
{
    const dedge *x = a, *y = b;
    int c = (x->from > y->from) - (x->from < y->from);
    if (!c)
        c = (x->to > y->to) - (x->to < y->to);
    return c ? c : edge_cmp(x->e, y->e);
}

/* Each drawn edge's nodes; the drawing order. */
static void map_edges(dctx *c)
{
    for (size_t i = 0; i < c->nd; i++) {
        c->dv[i].from = node_of(c, &c->dv[i].e->src);
        c->dv[i].to = node_of(c, &c->dv[i].e->dst);
    }
    if (c->nd)
        qsort(c->dv, c->nd, sizeof *c->dv, draw_cmp);
}

/* Graph edges folded into one drawn edge. */
typedef struct fold {
    const os_edge *e0;              /* first edge of the group (rule, transport) */
    const os_edge *last;            /* last edge folded */
    size_t from, to;                /* its nodes */
    uint64_t flows, packets, bytes; /* totals, both directions */
    uint64_t hs[OS_HSV_PARTIAL + 1]; /* TCP flows by handshake verdict */
    uint32_t kinds;                 /* finding kinds on any of them */
    os_severity worst;              /* most severe finding (OS_SEV_NEVER: none) */
    uint16_t port[MAX_PORTS_LISTED]; /* first distinct ports */
    uint8_t proto[MAX_PORTS_LISTED]; /* and their transports */
    size_t nports;                  /* distinct (port, transport) folded */
    uint16_t lo, hi;                /* lowest and highest port */
    bool mixed;                     /* more than one transport */
    uint8_t conf;                   /* best label confidence (os_conf) */
    size_t pairs, flagged;          /* host pairs behind it; those with a finding */
} fold;

/* Whether drawn edge d joins the group of f. */
static bool same_group(const fold *f, const dedge *d)
{
    const os_edge *a = f->e0, *e = d->e;
    return d->from == f->from && d->to == f->to && a->key.rule == e->key.rule &&
           (a->key.rule < 0 || a->key.proto == e->key.proto);
}

/* The service port of e, unless the last edge folded had the same (edges of
 * one port and transport are adjacent in drawing order). */
static void fold_port(fold *f, const os_edge *e)
{
    if (f->last && f->last->key.port == e->key.port && f->last->key.proto == e->key.proto)
        return;
    if (!f->nports)
        f->lo = f->hi = e->key.port;
    if (f->nports < MAX_PORTS_LISTED) {
        f->port[f->nports] = e->key.port;
        f->proto[f->nports] = e->key.proto;
    }
    f->nports++;
    f->lo = e->key.port < f->lo ? e->key.port : f->lo;
    f->hi = e->key.port > f->hi ? e->key.port : f->hi;
    f->mixed |= e->key.proto != f->e0->key.proto;
}

/* Add graph edge e to f: its port, counts, handshakes and findings. */
static void fold_add(fold *f, const os_edge *e)
{
    if (!f->e0)
        f->e0 = e;
    fold_port(f, e);
    f->last = e;
    f->flows += e->flows;
    f->packets += e->packets[0] + e->packets[1];
    f->bytes += e->bytes[0] + e->bytes[1];
    for (int v = 0; v <= OS_HSV_PARTIAL; v++)
        f->hs[v] += e->hs[v];
    f->kinds |= e->kinds;
    f->conf = e->conf > f->conf ? e->conf : f->conf;
    if (e->worst != OS_SEV_NEVER && (f->worst == OS_SEV_NEVER || e->worst > f->worst))
        f->worst = e->worst;
}

/* Graph edges by host pair (initiator, responder). */
static int pair_cmp(const void *a, const void *b)
{
    const os_edge *x = *(const os_edge *const *)a, *y = *(const os_edge *const *)b;
    int c = os_addr_cmp(&x->src, &y->src);
    return c ? c : os_addr_cmp(&x->dst, &y->dst);
}

/* The host pairs behind drawn edges dv[i, j), and those with a finding. */
static void count_pairs(dctx *c, size_t i, size_t j, fold *f)
{
    size_t n = j - i;
    for (size_t k = 0; k < n; k++)
        c->tmp[k] = c->dv[i + k].e;
    qsort(c->tmp, n, sizeof *c->tmp, pair_cmp);
    for (size_t k = 0, m; k < n; k = m) {
        bool flagged = false;
        for (m = k; m < n && !pair_cmp(&c->tmp[k], &c->tmp[m]); m++)
            flagged |= c->tmp[m]->worst != OS_SEV_NEVER;
        f->pairs++;
        f->flagged += flagged;
    }
}

/* The ports of a fold: "TCP P", "UDP P1, P2", "UDP LO-HI (N ports)" past
 * MAX_PORTS_LISTED, or each with its transport when they are mixed. */
static void lb_ports(lbuf *l, const fold *f)
{
    char nb[4];
    if (f->nports > MAX_PORTS_LISTED) {
        lb_add(l, "%s %u-%u (%zu ports)", f->mixed ? "ports" : os_proto_name(f->e0->key.proto, nb),
               f->lo, f->hi, f->nports);
        return;
    }
    for (size_t i = 0; i < f->nports; i++) {
        bool named = i == 0 || f->mixed, ports = f->proto[i] == 6 || f->proto[i] == 17;
        if (named)
            lb_add(l, "%s%s", i ? ", " : "", os_proto_name(f->proto[i], nb));
        if (ports)
            lb_add(l, "%s%u", named ? " " : ", ", f->port[i]);
    }
}

/* Flows, packets, bytes; failed handshakes; findings, and on how many of
 * its host pairs when it stands for several. */
static void lb_counts(lbuf *l, const fold *f)
{
    if (f->flows)
        lb_add(l, "\n%" PRIu64 " flow%s, %" PRIu64 " pkt%s, ", f->flows, f->flows == 1 ? "" : "s",
               f->packets, f->packets == 1 ? "" : "s");
    else
        lb_add(l, "\nseen only in an ICMP error, ");
    lb_bytes(l, f->bytes);
    if (f->hs[OS_HSV_UNANSWERED] || f->hs[OS_HSV_REFUSED])
        lb_add(l, "\nTCP: %" PRIu64 " unanswered, %" PRIu64 " refused", f->hs[OS_HSV_UNANSWERED],
               f->hs[OS_HSV_REFUSED]);
    if (f->worst == OS_SEV_NEVER)
        return;
    lb_add(l, "\n%s:", os_severity_name(f->worst));
    for (int k = 0; k < OS_FK_COUNT; k++)
        if (f->kinds & (1u << k))
            lb_add(l, " %s", os_finding_kind_name((os_finding_kind)k));
    if (f->pairs > 1)
        lb_add(l, "\non %zu of %zu host pairs", f->flagged, f->pairs);
}

/* One drawn edge. */
static void write_edge(const dctx *c, const fold *f)
{
    char a[NODE_ID_LEN], b[NODE_ID_LEN];
    int16_t rule = f->e0->key.rule;
    lbuf l = { .n = 0 };

    lb_add(&l, "%s%s\n", rule >= 0 && rule < c->rs->n ? c->rs->rule[rule].id : "unclassified",
           rule >= 0 && f->conf == OS_CONF_PORT ? " (by port only)" : "");
    lb_ports(&l, f);
    lb_counts(&l, f);
    fputs("  ", c->out);
    put_quoted(c->out, node_id(c, f->from, a, sizeof a));
    fputs(" -> ", c->out);
    put_quoted(c->out, node_id(c, f->to, b, sizeof b));
    fputs(" [label=", c->out);
    put_quoted(c->out, l.b);
    if (f->worst != OS_SEV_NEVER)
        fprintf(c->out, ", color=red, fontcolor=red, penwidth=%s",
                f->worst == OS_SEV_ERROR ? "2.5" : "1.8");
    else if (rule < 0)
        fputs(", color=grey60, fontcolor=grey40, style=dashed", c->out);
    fputs("];\n", c->out);
}

/* Every drawn edge, the graph edges of one group folded. */
static void write_edges(dctx *c)
{
    for (size_t i = 0, j; i < c->nd; i = j) {
        fold f = { .worst = OS_SEV_NEVER, .from = c->dv[i].from, .to = c->dv[i].to };
        for (j = i; j < c->nd && (j == i || same_group(&f, &c->dv[j])); j++)
            fold_add(&f, c->dv[j].e);
        count_pairs(c, i, j, &f);
        write_edge(c, &f);
    }
}

/* ---- the graph --------------------------------------------------------- */

/* Graph attributes and the legend: what boxes and edges mean, whether hosts
 * were folded, how much unclassified traffic was left out. */
static void write_head(const dctx *c)
{
    fputs("digraph omnicast {\n"
          "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=10, nodesep=0.25, ranksep=1.1,\n"
          "         labelloc=b, labeljust=l, label=\"omnisniff: the Omnicast system as observed."
          "\\lBox: host (solid border: declared role; dashed: inferred; grey: none known);"
          " ellipse: multicast group.\\l",
          c->out);
    if (c->folded)
        fputs("Box with a count: that many hosts of the same roles in one /24 (IPv6: /64),"
              " lowest \xe2\x80\x93 highest address; their edges summed per traffic role.\\l",
              c->out);
    fprintf(c->out, "Edge: from initiator to responder, one per traffic role (service ports,"
            " flows, packets, bytes); red: finding%s.\\l",
            c->o.unclassified ? "; grey dashed: unclassified" : "");
    if (c->left_out)
        fprintf(c->out, "Left out: unclassified traffic without a finding between %zu host"
                " pair%s (%s draws it).\\l", c->left_out, c->left_out == 1 ? "" : "s",
                OS_DOT_UNCLASSIFIED_OPTION);
    fputs("\"];\n"
          "  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n"
          "  edge [fontname=\"Helvetica\", fontsize=8, color=\"#333333\", arrowsize=0.7];\n",
          c->out);
}

/* Write the graph: edges chosen, hosts collected and folded, then drawn. */
bool os_dot_write(FILE *out, const os_graph *g, os_classifier *cls, const os_ruleset *rs,
                  const os_dot_opts *opts, char *err, size_t errlen)
{
    dctx c = { .out = out, .cls = cls, .rs = rs, .o = opts ? *opts : (os_dot_opts){ 0 } };
    bool ok;

    if (!c.o.fold_min)
        c.o.fold_min = OS_DOT_FOLD_MIN_DEFAULT;
    c.ev = os_graph_edges(g, &c.ne);
    ok = select_edges(&c) && collect_hosts(&c) && fold_hosts(&c);
    if (ok) {
        map_edges(&c);
        write_head(&c);
        for (size_t k = 0; k < c.nn; k++)
            write_node(&c, k);
        write_edges(&c);
        fputs("}\n", out);
    } else {
        snprintf(err, errlen, "out of memory");
    }
    free(c.ev);
    free(c.dv);
    free(c.tmp);
    free(c.host);
    free(c.node);
    if (ok && (fflush(out) != 0 || ferror(out))) {
        snprintf(err, errlen, "write error: %s", strerror(errno ? errno : EIO));
        ok = false;
    }
    return ok;
}
