/* dot.c — the observed system as a Graphviz digraph (see dot.h).
 *
 * Labels are built as plain text with real newlines in a bounded buffer and
 * escaped once, when written (quote, backslash, newline). Edges of the graph
 * layer are folded: per (initiator, responder, role, transport) their
 * service ports become one label; unclassified ones per (initiator,
 * responder). */
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

/* One node: address, name, roles; border by what the roles rest on. */
static void write_node(FILE *out, os_classifier *cls, const os_addr *a)
{
    char t[OS_ADDRSTRLEN];
    const os_host *h = os_classify_host(cls, a);
    os_hrole_set decl = h ? h->declared : 0, inf = h ? (os_hrole_set)(h->inferred & ~decl) : 0;
    lbuf l = { .n = 0 };

    lb_add(&l, "%s", os_addr_str(a, t));
    if (!decl && !inf && os_addr_is_multicast(a))
        lb_add(&l, "\nmulticast group");
    if (h && h->decl && h->decl->name[0])
        lb_add(&l, "\n%s", h->decl->name);
    if (decl) {
        lb_add(&l, "\n");
        lb_roles(&l, decl);
    }
    if (inf) {
        lb_add(&l, decl ? "\ninferred: " : "\n");
        lb_roles(&l, inf);
        if (!decl)
            lb_add(&l, " (inferred)");
    }
    fputs("  ", out);
    put_quoted(out, t);
    fputs(" [label=", out);
    put_quoted(out, l.b);
    if (decl)
        fprintf(out, ", style=\"rounded,filled\", penwidth=1.5, fillcolor=\"%s\"", role_fill(decl));
    else if (inf)
        fprintf(out, ", style=\"rounded,filled,dashed\", fillcolor=\"%s\"", role_fill(inf));
    else if (os_addr_is_multicast(a))
        fputs(", shape=ellipse, color=grey40, fontcolor=grey25", out);
    else
        fputs(", color=grey60, fontcolor=grey40", out);
    fputs("];\n", out);
}

/* Edges folded into one drawn edge. */
typedef struct fold {
    const os_edge *e0;              /* first edge of the group (addresses, rule) */
    uint64_t flows, packets, bytes; /* totals, both directions */
    uint64_t hs[OS_HSV_PARTIAL + 1]; /* TCP flows by handshake verdict */
    uint32_t kinds;                 /* finding kinds on any of them */
    os_severity worst;              /* most severe finding (OS_SEV_NEVER: none) */
    uint16_t port[MAX_PORTS_LISTED]; /* first ports */
    uint8_t proto[MAX_PORTS_LISTED]; /* and their transports */
    size_t nports;                  /* ports folded */
    uint16_t lo, hi;                /* lowest and highest port */
    bool mixed;                     /* more than one transport */
    uint8_t conf;                   /* best label confidence (os_conf) */
} fold;

/* Drawing order: initiator, responder, role, transport (roles only), port. */
static int draw_cmp(const void *a, const void *b)
{
    const os_edge *x = *(const os_edge *const *)a, *y = *(const os_edge *const *)b;
    int c = os_addr_cmp(&x->src, &y->src);
    if (!c)
        c = os_addr_cmp(&x->dst, &y->dst);
    if (!c)
        c = (x->key.rule > y->key.rule) - (x->key.rule < y->key.rule);
    if (!c && x->key.rule >= 0)
        c = (x->key.proto > y->key.proto) - (x->key.proto < y->key.proto);
    if (!c)
        c = (x->key.port > y->key.port) - (x->key.port < y->key.port);
    if (!c)
        c = (x->key.proto > y->key.proto) - (x->key.proto < y->key.proto);
    return c;
}

/* Whether edge e joins the group of f. */
static bool same_group(const fold *f, const os_edge *e)
{
    const os_edge *a = f->e0;
    return !os_addr_cmp(&a->src, &e->src) && !os_addr_cmp(&a->dst, &e->dst) &&
           a->key.rule == e->key.rule && (a->key.rule < 0 || a->key.proto == e->key.proto);
}

static void fold_add(fold *f, const os_edge *e)
{
    if (!f->nports++) {
        f->e0 = e;
        f->lo = f->hi = e->key.port;
    }
    if (f->nports <= MAX_PORTS_LISTED) {
        f->port[f->nports - 1] = e->key.port;
        f->proto[f->nports - 1] = e->key.proto;
    }
    f->lo = e->key.port < f->lo ? e->key.port : f->lo;
    f->hi = e->key.port > f->hi ? e->key.port : f->hi;
    f->mixed |= e->key.proto != f->e0->key.proto;
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

/* Flows, packets, bytes; failed handshakes; findings. */
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
}

/* One drawn edge. */
static void write_edge(FILE *out, const os_ruleset *rs, const fold *f)
{
    char a[OS_ADDRSTRLEN], b[OS_ADDRSTRLEN];
    int16_t rule = f->e0->key.rule;
    lbuf l = { .n = 0 };

    lb_add(&l, "%s%s\n", rule >= 0 && rule < rs->n ? rs->rule[rule].id : "unclassified",
           rule >= 0 && f->conf == OS_CONF_PORT ? " (by port only)" : "");
    lb_ports(&l, f);
    lb_counts(&l, f);
    fputs("  ", out);
    put_quoted(out, os_addr_str(&f->e0->src, a));
    fputs(" -> ", out);
    put_quoted(out, os_addr_str(&f->e0->dst, b));
    fputs(" [label=", out);
    put_quoted(out, l.b);
    if (f->worst != OS_SEV_NEVER)
        fprintf(out, ", color=red, fontcolor=red, penwidth=%s",
                f->worst == OS_SEV_ERROR ? "2.5" : "1.8");
    else if (rule < 0)
        fputs(", color=grey60, fontcolor=grey40, style=dashed", out);
    fputs("];\n", out);
}

static int addr_cmp(const void *a, const void *b) { return os_addr_cmp(a, b); }

/* Every address to draw: edge ends and hosts with a role, sorted, unique. */
static os_addr *collect_nodes(const os_edge **ev, size_t ne, os_classifier *cls, size_t *n)
{
    size_t nh, k = 0;
    const os_host **hv = os_classify_hosts(cls, &nh);
    os_addr *v = malloc((2 * ne + nh + 1) * sizeof *v);
    *n = 0;
    if (!v || (nh && !hv)) {
        free(hv);
        free(v);
        return NULL;
    }
    for (size_t i = 0; i < ne; i++) {
        v[k++] = ev[i]->src;
        v[k++] = ev[i]->dst;
    }
    for (size_t i = 0; i < nh; i++)
        v[k++] = hv[i]->addr;
    free(hv);
    qsort(v, k, sizeof *v, addr_cmp);
    for (size_t i = 0; i < k; i++)
        if (!*n || os_addr_cmp(&v[*n - 1], &v[i]))
            v[(*n)++] = v[i];
    return v;
}

static void write_head(FILE *out)
{
    fputs("digraph omnicast {\n"
          "  graph [rankdir=LR, fontname=\"Helvetica\", fontsize=10, nodesep=0.25, ranksep=1.1,\n"
          "         labelloc=b, labeljust=l, label=\"omnisniff: the Omnicast system as observed."
          "\\lBox: host (solid border: declared role; dashed: inferred; grey: none known);"
          " ellipse: multicast group.\\lEdge: from initiator to responder, one per traffic role"
          " (service ports, flows, packets, bytes); red: finding; grey dashed: unclassified.\\l\"];\n"
          "  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n"
          "  edge [fontname=\"Helvetica\", fontsize=8, color=\"#333333\", arrowsize=0.7];\n",
          out);
}

/* Write the graph. */
bool os_dot_write(FILE *out, const os_graph *g, os_classifier *cls, const os_ruleset *rs,
                  char *err, size_t errlen)
{
    size_t ne = 0, nn = 0;
    const os_edge **ev = os_graph_edges(g, &ne);
    os_addr *nv = collect_nodes(ev, ne, cls, &nn);
    bool ok = nv != NULL;

    if (ok) {
        if (ne)
            qsort(ev, ne, sizeof *ev, draw_cmp);
        write_head(out);
        for (size_t i = 0; i < nn; i++)
            write_node(out, cls, &nv[i]);
        for (size_t i = 0; i < ne;) {
            fold f = { .worst = OS_SEV_NEVER };
            fold_add(&f, ev[i++]);
            while (i < ne && same_group(&f, ev[i]))
                fold_add(&f, ev[i++]);
            write_edge(out, rs, &f);
        }
        fputs("}\n", out);
    } else {
        snprintf(err, errlen, "out of memory");
    }
    free(ev);
    free(nv);
    if (ok && (fflush(out) != 0 || ferror(out))) {
        snprintf(err, errlen, "write error: %s", strerror(errno ? errno : EIO));
        ok = false;
    }
    return ok;
}
