/* report_text.c — omnisniff for people: the tcpdump-like line of each
 * packet, a finding's "!!" line as it is raised, and the summary as
 * aligned text tables (header, problems, traffic roles, streams, hosts
 * folded per role and /24, findings, decode outcomes, handshakes, flows,
 * and the bounded tables that were full).
 * Packet lines are assembled in a stack buffer with the fmt.h appenders and
 * written with one fwrite: no per-packet allocation, no printf on the hot
 * path. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "omnisniff/report.h"
#include "report_int.h"

/* ---- packet lines ------------------------------------------------------ */

/* TCP flags as tcpdump writes them: S, F, R, P, U, E, W and '.' for ACK. */
static void sb_tcp_flags(sb *s, uint8_t fl)
{
    static const struct { uint8_t bit; char c; } m[] = {
        { OS_TH_SYN, 'S' }, { OS_TH_FIN, 'F' }, { OS_TH_RST, 'R' }, { OS_TH_PSH, 'P' },
        { OS_TH_URG, 'U' }, { OS_TH_ECE, 'E' }, { OS_TH_CWR, 'W' }, { OS_TH_ACK, '.' } };
    size_t n0 = s->n;
    sb_putc(s, '[');
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (fl & m[i].bit)
            sb_putc(s, m[i].c);
    if (s->n == n0 + 1)
        sb_lit(s, "none");
    sb_putc(s, ']');
}

static void sb_endpoint(sb *s, uint8_t ver, const uint8_t *a, uint16_t port, bool ports)
{
    sb_addr(s, ver, a);
    if (ports) {
        sb_putc(s, '.');
        sb_u64(s, port);
    }
}

/* Transport column and its detail (flags, ICMP type/code). */
static void sb_transport(sb *s, const os_pkt *p)
{
    char nb[4];
    size_t c0 = s->n;
    sb_puts(s, p->proto == 58 ? "ICMP6" : os_proto_name(p->proto, nb));
    sb_pad(s, c0, 6);
    c0 = s->n;
    if (p->proto == 6) {
        sb_tcp_flags(s, p->tcp_flags);
    } else if (p->proto == 1 || p->proto == 58) {
        sb_lit(s, "t");
        sb_u64(s, p->icmp_type);
        sb_lit(s, "/c");
        sb_u64(s, p->icmp_code);
    }
    sb_pad(s, c0, 7);
}

/* " quotes UDP 10.2.0.31.40000 > 10.1.0.20.15002": the datagram an ICMP error is about. */
static void sb_quoted(sb *s, const os_quoted *q)
{
    char nb[4];
    sb_lit(s, " quotes ");
    sb_puts(s, os_proto_name(q->proto, nb));
    sb_putc(s, ' ');
    sb_endpoint(s, q->ipver, q->src, q->sport, q->has_ports);
    sb_lit(s, " > ");
    sb_endpoint(s, q->ipver, q->dst, q->dport, q->has_ports);
}

/* The line of a decoded IP packet. */
static void packet_ok(os_report *r, sb *s, const os_pkt *p, const os_flow *f)
{
    bool ports = p->proto == 6 || p->proto == 17;
    size_t c0 = s->n;
    char rb[2 * OS_RULE_ID_MAX + 2];

    sb_endpoint(s, p->ipver, p->src, p->sport, ports);
    sb_pad(s, c0, 21);
    sb_lit(s, " > ");
    c0 = s->n;
    sb_endpoint(s, p->ipver, p->dst, p->dport, ports);
    sb_pad(s, c0, 21);
    sb_putc(s, ' ');
    sb_transport(s, p);
    sb_u64w(s, p->payload_len, 5);
    sb_lit(s, "  ");
    c0 = s->n;
    sb_puts(s, f ? os_report_role(r->rules, &f->label, rb, sizeof rb) : "-");
    sb_pad(s, c0, 24);
    sb_putc(s, ' ');
    sb_puts(s, f && f->label.rule >= 0 ? os_conf_name((os_conf)f->label.conf) : "-");
    if (p->icmp_error && p->quoted.valid)
        sb_quoted(s, &p->quoted);
}

/* The line of a frame that did not decode to a flow. */
static void packet_other(sb *s, os_decode_status st, os_reason why, const os_pkt *p)
{
    if (p->ipver) {
        sb_addr(s, p->ipver, p->src);
        sb_lit(s, " > ");
        sb_addr(s, p->ipver, p->dst);
        sb_putc(s, ' ');
    }
    sb_puts(s, os_decode_status_name(st));
    if (why != OS_R_NONE) {
        sb_lit(s, ": ");
        sb_puts(s, os_reason_name(why));
    }
    if (st == OS_DEC_FRAGMENT || st == OS_DEC_OTHER_PROTO) {
        char nb[4];
        sb_lit(s, " proto ");
        sb_puts(s, os_proto_name(p->proto, nb));
    }
    sb_lit(s, ", ");
    sb_u64(s, p->wirelen);
    sb_lit(s, " bytes");
}

/* " via erspan2:101/vxlan:5000": the tunnels a packet came through,
 * outermost first, with their ids. */
static void packet_encap(sb *s, const os_pkt *p)
{
    for (unsigned i = 0; i < p->nencap; i++) {
        sb_puts(s, i ? "/" : " via ");
        sb_puts(s, os_encap_name((os_encap_type)p->encap[i].type));
        if (p->encap[i].has_id) {
            sb_putc(s, ':');
            sb_u64(s, p->encap[i].id);
        }
    }
}

/* One text line for a frame. */
void os_report_packet(os_report *r, uint64_t ts_ns, os_decode_status st, os_reason why,
                      const os_pkt *p, const os_flow *f)
{
    sb s;
    s.n = 0;
    sb_time(r, &s, ts_ns);
    sb_putc(&s, ' ');
    if (st == OS_DEC_OK && p->ipver)
        packet_ok(r, &s, p, f);
    else
        packet_other(&s, st, why, p);
    if (p->nvlan) {
        sb_lit(&s, " vlan ");
        sb_u64(&s, p->vlan[0]);
        if (p->nvlan > 1) {
            sb_putc(&s, '.');
            sb_u64(&s, p->vlan[1]);
        }
    }
    packet_encap(&s, p);
    sb_flush(r, &s);
}

/* ---- findings ---------------------------------------------------------- */

/* A finding as it is raised (text mode, between packet lines): the time of
 * the packet that raised it, "!!", severity, kind and the sentence. */
void os_report_finding_live(os_report *r, const os_finding *f)
{
    os_report_live_line(r, f->last_ns, false, f->sev, f->kind, f->text);
}

/* One finding of the report: kind, flow, role, count, times, then the sentence. */
static void text_finding(os_report *r, const os_finding *f)
{
    char a[32], b[32], nb[4], sa[OS_ADDRSTRLEN], da[OS_ADDRSTRLEN];
    os_fmt_iso_time(f->first_ns, a);
    os_fmt_iso_time(f->last_ns, b);
    fprintf(r->out, "  %-25s ", os_finding_kind_name(f->kind));
    if (f->has_flow)
        fprintf(r->out, "%s %s.%u > %s.%u", os_proto_name(f->proto, nb), os_addr_str(&f->src, sa),
                f->sport, os_addr_str(&f->dst, da), f->dport);
    else
        fprintf(r->out, "host %s", os_addr_str(&f->src, sa));
    fprintf(r->out, "  %s, %" PRIu64 " packet%s, %s to %s\n      %s\n",
            f->rule >= 0 ? r->rules->rule[f->rule].id : "-", f->packets,
            f->packets == 1 ? "" : "s", a, b, f->text);
}

/* Findings grouped by severity, most severe first, with counts. */
static void text_findings(os_report *r, const os_stats *s)
{
    static const char *const head[] = { "info", "warnings", "errors" };
    uint64_t by[3] = { 0 };
    for (size_t i = 0; i < s->nfindings; i++)
        by[s->finding[i]->sev]++;
    fprintf(r->out, "\nfindings: %" PRIu64 " error%s, %" PRIu64 " warning%s, %" PRIu64 " info\n",
            by[2], by[2] == 1 ? "" : "s", by[1], by[1] == 1 ? "" : "s", by[0]);
    for (int sev = OS_SEV_ERROR; sev >= OS_SEV_INFO; sev--) {
        if (by[sev])
            fprintf(r->out, "%s (%" PRIu64 ")\n", head[sev], by[sev]);
        for (size_t i = 0; i < s->nfindings; i++)
            if (s->finding[i]->sev == (os_severity)sev)
                text_finding(r, s->finding[i]);
    }
}

/* ---- summary ---------------------------------------------------------- */

/* "out of memory: N allocations failed (findings N, classify N, ...)",
 * naming the modules that failed; nothing when every allocation was made. */
static void text_alloc_failed(os_report *r, const os_stats *s)
{
    uint64_t n = os_stats_alloc_failed(s);
    const char *sep = "";
    if (!n)
        return;
    fprintf(r->out, "out of memory: %" PRIu64 " allocation%s failed (", n, n == 1 ? "" : "s");
    for (int m = 0; m < OS_AM_COUNT; m++) {
        if (!s->alloc_failed[m])
            continue;
        fprintf(r->out, "%s%s %" PRIu64, sep, os_alloc_module_name((os_alloc_module)m),
                s->alloc_failed[m]);
        sep = ", ";
    }
    fputs(")\n", r->out);
}

static void text_header(os_report *r, const os_stats *s)
{
    char a[32], b[32], d[32];
    fprintf(r->out, "summary: %s (%s), %" PRIu64 " packets, %" PRIu64 " bytes",
            s->source ? s->source : "-", s->linktype ? s->linktype : "-", s->packets, s->bytes);
    if (s->packets) {
        os_fmt_iso_time(s->first_ns, a);
        os_fmt_iso_time(s->last_ns, b);
        fprintf(r->out, ", %s to %s (%s)", a, b,
                os_fmt_duration(s->last_ns - s->first_ns, d, sizeof d));
    }
    fputc('\n', r->out);
    if (s->read_error)
        fprintf(r->out, "input ended early: %s (summary of what was read)\n", s->read_error);
    text_alloc_failed(r, s);
}

#define ROLE_ROW "%-28s %8" PRIu64 " %10" PRIu64 " %14" PRIu64 "\n"

static void text_roles(os_report *r, const os_stats *s)
{
    fprintf(r->out, "\n%-28s %8s %10s %14s\n", "traffic role", "flows", "packets", "bytes");
    for (unsigned i = 0; i < r->rules->n; i++) {
        const os_total *t = &s->role[i];
        if (!t->flows)
            continue;
        fprintf(r->out, ROLE_ROW, r->rules->rule[i].id, t->flows, t->packets, t->bytes);
        if (t->ambiguous)
            fprintf(r->out, "  (%" PRIu64 " of them could also be %s%s: give host roles with -H)\n",
                    t->ambiguous, r->rules->rule[t->alt].id, t->mixed_alt ? " or another role" : "");
    }
    fprintf(r->out, ROLE_ROW, "(unclassified)", s->unclassified.flows, s->unclassified.packets,
            s->unclassified.bytes);
}

/* Hosts that fold together: same roles, same kind of confidence, no
 * hosts-file name, same /24 (IPv4) or /64 (IPv6). */
static int fold_cmp(const os_host *a, const os_host *b)
{
    size_t plen = a->addr.ver == 6 ? 8 : 3;
    bool na = a->decl && a->decl->name[0], nb = b->decl && b->decl->name[0];
    if (a->addr.ver != b->addr.ver)
        return a->addr.ver < b->addr.ver ? -1 : 1;
    int c = memcmp(a->addr.b, b->addr.b, plen);
    if (c)
        return c;
    if ((a->declared | a->inferred) != (b->declared | b->inferred))
        return (a->declared | a->inferred) < (b->declared | b->inferred) ? -1 : 1;
    if (!a->declared != !b->declared)
        return a->declared ? -1 : 1;
    if (na || nb)
        return na != nb ? (na ? 1 : -1) : os_addr_cmp(&a->addr, &b->addr) < 0 ? -1 : 1;
    return 0;
}

static int fold_order(const void *x, const void *y)
{
    const os_host *a = *(const os_host *const *)x, *b = *(const os_host *const *)y;
    int c = fold_cmp(a, b);
    return c ? c : os_addr_cmp(&a->addr, &b->addr);
}

/* One host line. */
static void host_line(os_report *r, const os_host *h)
{
    char a[OS_ADDRSTRLEN], roles[256], why[512];
    os_hrole_join(h->declared | h->inferred, ",", false, roles, sizeof roles);
    os_classify_evidence_line(r->cls, h, why, sizeof why);
    fprintf(r->out, "%-24s %-30s %-10s %s%s%s\n", os_addr_str(&h->addr, a), roles,
            h->declared ? "declared" : "inferred", h->decl && h->decl->name[0] ? h->decl->name : "",
            h->decl && h->decl->name[0] && why[0] ? "; " : "", why);
}

/* n hosts of one fold as one line: range, count, roles, the first's evidence. */
static void fold_line(os_report *r, const os_host *const *v, size_t n)
{
    char a[OS_ADDRSTRLEN], b[OS_ADDRSTRLEN], span[2 * OS_ADDRSTRLEN + 16], roles[256], why[512];
    os_addr_str(&v[0]->addr, a);
    os_addr_str(&v[n - 1]->addr, b);
    snprintf(span, sizeof span, "%s-%s", a, b);
    os_hrole_join(v[0]->declared | v[0]->inferred, ",", false, roles, sizeof roles);
    os_classify_evidence_line(r->cls, v[0], why, sizeof why);
    fprintf(r->out, "%-24s %-30s %-10s %zu hosts%s%s%s\n", span, roles,
            v[0]->declared ? "declared" : "inferred", n, why[0] ? " (first: " : "", why,
            why[0] ? ")" : "");
}

typedef struct fold_run {
    size_t at, n;   /* first index in the fold order, hosts */
    os_addr first;  /* its lowest address (the runs are shown in address order) */
} fold_run;

static int run_order(const void *x, const void *y)
{
    const fold_run *a = x, *b = y;
    return os_addr_cmp(&a->first, &b->first);
}

static void text_hosts(os_report *r)
{
    size_t n, nruns = 0;
    const os_host **v = os_classify_hosts(r->cls, &n);
    fold_run *runs = n ? malloc(n * sizeof *runs) : NULL;
    fprintf(r->out, "\n%-24s %-30s %-10s %s\n", "host", "roles", "confidence", "evidence");
    if (!n || !runs) {
        if (!n)
            fprintf(r->out, "(no host roles known: give a hosts file with -H, or none were inferred)\n");
        for (size_t i = 0; i < n; i++)
            host_line(r, v[i]);
        free(v);
        return;
    }
    qsort(v, n, sizeof *v, fold_order);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && fold_cmp(v[i], v[j]) == 0; j++)
            ;
        if (j - i >= OS_REPORT_FOLD_HOSTS)
            runs[nruns++] = (fold_run){ i, j - i, v[i]->addr };
        else
            for (size_t k = i; k < j; k++)
                runs[nruns++] = (fold_run){ k, 1, v[k]->addr };
    }
    qsort(runs, nruns, sizeof *runs, run_order);
    for (size_t i = 0; i < nruns; i++)
        if (runs[i].n == 1)
            host_line(r, v[runs[i].at]);
        else
            fold_line(r, v + runs[i].at, runs[i].n);
    free(runs);
    free(v);
}

static void text_decode(os_report *r, const os_stats *s)
{
    fprintf(r->out, "\n%-28s %8s\n", "decode", "packets");
    for (int i = 0; i <= OS_DEC_MALFORMED; i++)
        fprintf(r->out, "%-28s %8" PRIu64 "\n", os_decode_status_name((os_decode_status)i),
                s->status[i]);
    fprintf(r->out, "%-28s %8" PRIu64 "\n", "payload_cut_by_snaplen", s->payload_cut);
    for (int i = 1; i < OS_R_COUNT; i++)
        if (s->reason[i])
            fprintf(r->out, "  %-26s %8" PRIu64 "\n", os_reason_name((os_reason)i), s->reason[i]);
}

static void text_tail(os_report *r, const os_stats *s)
{
    fputs("\ntcp handshakes:", r->out);
    for (int v = 0; v <= OS_HSV_PARTIAL; v++)
        fprintf(r->out, "%s %" PRIu64 " %s", v ? "," : "", s->handshake[v],
                os_flow_hs_name((os_hs_verdict)v));
    fputc('\n', r->out);
    fprintf(r->out, "flows: %" PRIu64 " created, %" PRIu64 " at most at once, %" PRIu64
            " ended idle, %" PRIu64 " evicted by --max-flows\n", s->flows.created,
            s->flows.peak, s->flows.ended_idle, s->flows.ended_cap);
    if (s->kernel.valid)
        fprintf(r->out, "kernel: %" PRIu64 " packets received by filter, %" PRIu64
                " dropped by kernel, %" PRIu64 " dropped by interface\n",
                s->kernel.received, s->kernel.dropped, s->kernel.ifdropped);
}

/* One table of the "tables:" line, when it lost n: "N things evicted" (its
 * entries) or, for a table that keeps what it has, "a thing not kept N
 * times" (the times one could not be added); then "(limit max)". */
static void table_part(os_report *r, bool *first, uint64_t n, const char *thing, bool times,
                       const char *limit, uint64_t max)
{
    const char *plural = n == 1 ? "" : "s";
    if (!n)
        return;
    fputs(*first ? "" : ", ", r->out);
    if (times)
        fprintf(r->out, "a %s not kept %" PRIu64 " time%s", thing, n, plural);
    else
        fprintf(r->out, "%" PRIu64 " %s%s evicted", n, thing, plural);
    fprintf(r->out, " (%s %" PRIu64 ")", limit, max);
    *first = false;
}

/* The bounded tables that were full, on one line (none when none was). */
static void text_tables(os_report *r, const os_stats *s)
{
    bool first = true;
    if (!os_report_tables_full(s))
        return;
    fputs("tables: limits reached: ", r->out);
    table_part(r, &first, s->tab_hosts.hosts_evicted, "host", false, "max-hosts",
               r->rules->set.max_hosts);
    table_part(r, &first, s->tab_problems.problems_evicted, "problem", false, "max-problems",
               r->rules->set.max_problems);
    table_part(r, &first, s->tab_problems.answered_evicted, "answered-service count", false,
               "at most", OS_PROBLEMS_ANSWERED_MAX);
    table_part(r, &first, s->tab_hosts.pair_facts_dropped, "pair fact", true, "at most",
               OS_PAIR_FACTS_MAX);
    table_part(r, &first, s->tab_first.first_peers_dropped, "first peer", true, "at most",
               OS_FIRST_PEERS_MAX);
    fputc('\n', r->out);
}

/* The summary as aligned text tables. */
void os_report_summary_text(os_report *r, const os_stats *s)
{
    text_header(r, s);
    os_report_problems_text(r, s);
    text_roles(r, s);
    os_report_streams_text(r, s);
    text_hosts(r);
    if (s->nfindings)
        text_findings(r, s);
    text_decode(r, s);
    text_tail(r, s);
    text_tables(r, s);
}
