/* mdreport.c — the Markdown report for a ticket (see mdreport.h).
 *
 * Everything comes from what the layers already hold: the pipeline's
 * statistics and problems (findings folded, with example flows), the
 * classifier's hosts and evidence, the graph's edges. Table cells are
 * escaped ('|' and newlines); ladder diagrams are drawn in a fixed
 * character grid, one lifeline per host. */
#include "omnisniff/mdreport.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "report_int.h"
#include "omnisniff/decode.h"

/* ---- small writers ---------------------------------------------------- */

/* "A:P", "[v6]:P", or "A" when there is no port. */
static const char *endpoint(const os_addr *a, uint16_t port, bool ports, char *buf, size_t len)
{
    char t[OS_ADDRSTRLEN];
    os_addr_str(a, t);
    if (!ports)
        snprintf(buf, len, "%s", t);
    else
        snprintf(buf, len, a->ver == 6 ? "[%s]:%u" : "%s:%u", t, port);
    return buf;
}

/* Host roles a finding's traffic role expects at either end (0: none). */
static os_hrole_set expected_roles(const os_ruleset *rs, const os_finding *f)
{
    if (f->rule < 0 || f->rule >= rs->n)
        return 0;
    return (os_hrole_set)(rs->rule[f->rule].service | rs->rule[f->rule].peers);
}

/* Comma list of role ids. */
static void put_roles(FILE *out, os_hrole_set set)
{
    char b[OS_HROLES_STRLEN];
    fputs(os_hrole_join(set, ", ", false, b, sizeof b), out);
}

static const char *plural(uint64_t n) { return n == 1 ? "" : "s"; }

/* "1 error, 2 warnings, 0 info, from 30 findings". */
static void problem_counts(FILE *out, const os_stats *s)
{
    const uint64_t *by = s->problems, nf = os_report_findings_total(s);
    fprintf(out, "%" PRIu64 " error%s, %" PRIu64 " warning%s, %" PRIu64 " info, from %" PRIu64
            " finding%s", by[OS_SEV_ERROR], plural(by[OS_SEV_ERROR]), by[OS_SEV_WARNING],
            plural(by[OS_SEV_WARNING]), by[OS_SEV_INFO], nf, plural(nf));
}

/* ---- ## Capture --------------------------------------------------------- */

static void capture_times(FILE *out, const os_stats *s)
{
    char a[32], b[32], d[32];
    os_fmt_iso_time(s->first_ns, a);
    os_fmt_iso_time(s->last_ns, b);
    fprintf(out, "| first packet | %s |\n| last packet | %s |\n", a, b);
    fprintf(out, "| duration | %s |\n", os_fmt_duration(s->last_ns - s->first_ns, d, sizeof d));
}

static void capture_decode(FILE *out, const os_stats *s)
{
    fputs("| decode |", out);
    for (int i = 0, first = 1; i <= OS_DEC_MALFORMED; i++)
        if (s->status[i] || i == OS_DEC_OK) {
            fprintf(out, "%s %" PRIu64 " %s", first ? "" : ",", s->status[i],
                    os_decode_status_words((os_decode_status)i));
            first = 0;
        }
    if (s->payload_cut)
        fprintf(out, " (%" PRIu64 " with the payload cut by the snaplen)", s->payload_cut);
    fputs(" |\n| TCP handshakes |", out);
    for (int v = 0; v <= OS_HSV_PARTIAL; v++)
        fprintf(out, "%s %" PRIu64 " %s", v ? "," : "", s->handshake[v],
                os_flow_hs_name((os_hs_verdict)v));
    fprintf(out, " |\n| flows | %" PRIu64 " (at most %" PRIu64 " at once)", s->flows.created,
            s->flows.peak);
    if (s->flows.ended_cap)
        fprintf(out, ", %" PRIu64 " evicted by --max-flows", s->flows.ended_cap);
    fputs(" |\n", out);
}

static void section_capture(FILE *out, const os_stats *s)
{
    fputs("## Capture\n\n| | |\n|---|---|\n| source | `", out);
    os_fmt_md_cell(out, s->source ? s->source : "-");
    fprintf(out, "` |\n| link type | %s |\n", s->linktype ? s->linktype : "-");
    if (s->packets)
        capture_times(out, s);
    fprintf(out, "| packets | %" PRIu64 " |\n| bytes | %" PRIu64 " |\n", s->packets, s->bytes);
    capture_decode(out, s);
    if (s->kernel.valid)
        fprintf(out, "| kernel | %" PRIu64 " packets received by the filter, %" PRIu64
                " dropped by the kernel, %" PRIu64 " dropped by the interface |\n",
                s->kernel.received, s->kernel.dropped, s->kernel.ifdropped);
    if (s->read_error) {
        fputs("| input ended early | ", out);
        os_fmt_md_cell(out, s->read_error);
        fputs(" (this report covers what was read) |\n", out);
    }
    fputs("| problems | ", out);
    if (s->nproblems)
        problem_counts(out, s);
    else
        fputs("none", out);
    fputs(" |\n", out);
}

/* ---- ## Hosts ----------------------------------------------------------- */


static void section_hosts(FILE *out, os_classifier *cls)
{
    size_t n;
    const os_host **v = os_classify_hosts(cls, &n);
    char a[OS_ADDRSTRLEN], why[1024];

    fputs("\n## Hosts\n\n", out);
    if (!n) {
        fputs("No host role is known: give a hosts file with -H, or none was inferred.\n", out);
        return;
    }
    fputs("| host | name | roles | from | evidence of inferred roles |\n"
          "|---|---|---|---|---|\n", out);
    for (size_t i = 0; i < n; i++) {
        const os_host *h = v[i];
        fprintf(out, "| %s | ", os_addr_str(&h->addr, a));
        os_fmt_md_cell(out, h->decl ? h->decl->name : "");
        fputs(" | ", out);
        put_roles(out, (os_hrole_set)(h->declared | h->inferred));
        fprintf(out, " | %s | ", h->declared && (h->inferred & ~h->declared) ? "declared + inferred"
                                 : h->declared ? "declared" : "inferred");
        os_fmt_md_cell(out, os_classify_evidence_line(cls, h, why, sizeof why));
        fputs(" |\n", out);
    }
    free(v);
}

/* ---- ## Traffic by role ------------------------------------------------- */

static void section_roles(FILE *out, const os_stats *s, const os_ruleset *rs)
{
    fputs("\n## Traffic by role\n\n| traffic role | flows | packets | bytes | note |\n"
          "|---|---:|---:|---:|---|\n", out);
    for (unsigned i = 0; i < rs->n; i++) {
        const os_total *t = &s->role[i];
        if (!t->flows)
            continue;
        fprintf(out, "| %s | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | ", rs->rule[i].id,
                t->flows, t->packets, t->bytes);
        if (t->ambiguous && t->alt >= 0 && t->alt < rs->n)
            fprintf(out, "%" PRIu64 " could also be %s%s: give host roles with -H", t->ambiguous,
                    rs->rule[t->alt].id, t->mixed_alt ? " or another role" : "");
        fputs(" |\n", out);
    }
    fprintf(out, "| (unclassified) | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " |  |\n",
            s->unclassified.flows, s->unclassified.packets, s->unclassified.bytes);
}

/* ---- ## Conversations --------------------------------------------------- */

/* Handshake verdicts of an edge's TCP flows, only those seen. */
static void edge_handshakes(FILE *out, const os_edge *e)
{
    bool first = true;
    for (int v = 0; v <= OS_HSV_PARTIAL; v++)
        if (e->hs[v]) {
            fprintf(out, "%s%" PRIu64 " %s", first ? "" : ", ", e->hs[v],
                    os_flow_hs_name((os_hs_verdict)v));
            first = false;
        }
}

static void edge_row(FILE *out, const os_edge *e, const os_ruleset *rs)
{
    char a[OS_ADDRSTRLEN], b[OS_ADDRSTRLEN], nb[4];
    bool first = true;
    fprintf(out, "| %s | %s | %s | %s %u | %" PRIu64 " | %" PRIu64 " / %" PRIu64 " | %" PRIu64
            " / %" PRIu64 " | ", os_addr_str(&e->src, a), os_addr_str(&e->dst, b),
            e->key.rule >= 0 && e->key.rule < rs->n ? rs->rule[e->key.rule].id : "-",
            os_proto_name(e->key.proto, nb), e->key.port, e->flows, e->packets[0], e->packets[1],
            e->bytes[0], e->bytes[1]);
    edge_handshakes(out, e);
    fputs(" | ", out);
    for (int k = 0; k < OS_FK_COUNT; k++)
        if (e->kinds & (1u << k)) {
            fprintf(out, "%s%s", first ? "" : ", ", os_finding_kind_name((os_finding_kind)k));
            first = false;
        }
    fputs(" |\n", out);
}

static void section_conversations(FILE *out, const os_graph *g, const os_ruleset *rs)
{
    size_t n, skipped = 0;
    uint64_t skipped_flows = 0;
    const os_edge **v = os_graph_edges(g, &n);

    if (!n) {
        fputs("\n## Conversations\n\nNone: no flow was seen.\n", out);
        return;
    }
    fputs("\n## Conversations\n\nInitiator -> responder per traffic role and service port; "
          "packets and bytes are initiator -> responder / back.\n\n"
          "| initiator | responder | traffic role | port | flows | packets | bytes "
          "| TCP handshakes | findings |\n|---|---|---|---|---:|---:|---:|---|---|\n", out);
    for (size_t i = 0; i < n; i++) {
        if (v[i]->key.rule < 0 && !v[i]->kinds) {
            skipped++;
            skipped_flows += v[i]->flows;
            continue;
        }
        edge_row(out, v[i], rs);
    }
    if (skipped)
        fprintf(out, "\n%zu unclassified conversation%s (%" PRIu64 " flow%s) without findings "
                "not listed.\n", skipped, plural(skipped), skipped_flows, plural(skipped_flows));
    free(v);
}

/* ---- BPF filter --------------------------------------------------------- */

/* The service port of a finding's flow: the one its role's range holds. */
static uint16_t service_port(const os_finding *f, const os_ruleset *rs)
{
    if (f->rule >= 0 && f->rule < rs->n) {
        const os_rule *r = &rs->rule[f->rule];
        bool d = f->dport >= r->port_lo && f->dport <= r->port_hi;
        bool s = f->sport >= r->port_lo && f->sport <= r->port_hi;
        if (s && !d)
            return f->sport;
    }
    return f->dport;
}

/* A BPF filter for finding f. */
const char *os_mdreport_bpf(const os_finding *f, const os_ruleset *rs, char *buf, size_t len)
{
    char a[OS_ADDRSTRLEN], b[OS_ADDRSTRLEN], r[OS_ADDRSTRLEN], flow[160];
    os_addr_str(&f->src, a);
    if (!f->has_flow) {
        snprintf(buf, len, "host %s", a);
        return buf;
    }
    os_addr_str(&f->dst, b);
    if (f->proto == 6 || f->proto == 17)
        snprintf(flow, sizeof flow, "host %s and host %s and %s port %u", a, b,
                 f->proto == 6 ? "tcp" : "udp", service_port(f, rs));
    else
        snprintf(flow, sizeof flow, "host %s and host %s", a, b);
    if (f->has_reporter)
        snprintf(buf, len, "(%s) or (%s and host %s and host %s)", flow,
                 f->reporter.ver == 6 ? "icmp6" : "icmp", os_addr_str(&f->reporter, r), a);
    else
        snprintf(buf, len, "%s", flow);
    return buf;
}

/* ---- ladder diagrams ---------------------------------------------------- */

#define LADDER_MAX 3   /* lifelines at most: initiator, reporter, responder */
#define LADDER_W 320   /* characters in a ladder line */
#define LADDER_X0 17   /* column of the first lifeline (after the time) */

/* A ladder: lifelines at columns x[], labelled, drawn line by line. */
typedef struct ladder {
    FILE *out;              /* where */
    int n;                  /* lifelines */
    int x[LADDER_MAX];      /* their columns */
    char top[LADDER_MAX][64]; /* endpoint labels */
    char sub[LADDER_MAX][48]; /* role words */
} ladder;

/* Place the lifelines: each gap wide enough for its left label. */
static void ladder_layout(ladder *l)
{
    l->x[0] = LADDER_X0;
    for (int i = 1; i < l->n; i++) {
        int w = (int)strlen(l->top[i - 1]);
        int s = (int)strlen(l->sub[i - 1]);
        w = w > s ? w : s;
        l->x[i] = l->x[i - 1] + (w + 4 > 34 ? w + 4 : 34);
    }
}

/* A blank line with the lifelines; returns its length. */
static int ladder_blank(const ladder *l, char *line)
{
    int end = l->x[l->n - 1] + 1;
    memset(line, ' ', LADDER_W);
    for (int i = 0; i < l->n; i++)
        line[l->x[i]] = '|';
    return end;
}

/* Write a line: time (or blank), the drawing, and a note. */
static void ladder_put(const ladder *l, char *line, int end, const uint64_t *ts, const char *note)
{
    char t[32];
    if (ts) {
        os_fmt_hms(*ts, true, t);
        memcpy(line, t, strlen(t));
    }
    line[end] = '\0';
    fputs(line, l->out);
    if (note && *note)
        fprintf(l->out, "  %s", note);
    fputc('\n', l->out);
}

/* Text centred between columns a < b. */
static void ladder_text(char *line, int a, int b, const char *text)
{
    int len = (int)strlen(text), at = a + (b - a - len) / 2;
    if (at <= a)
        at = a + 1;
    for (int i = 0; i < len && at + i < b; i++)
        line[at + i] = text[i];
}

/* An arrow from lifeline `from` to `to` with text; `stop` ends it with an
 * 'X' on the target (the packet went no further). */
static void ladder_arrow(const ladder *l, int from, int to, const char *text, bool stop,
                         const uint64_t *ts, const char *note)
{
    char line[LADDER_W + 1];
    int end = ladder_blank(l, line), a = l->x[from < to ? from : to], b = l->x[from < to ? to : from];
    for (int i = a + 1; i < b; i++)
        line[i] = '-';
    if (from < to)
        line[b - 1] = '>';
    else
        line[a + 1] = '<';
    if (stop)
        line[l->x[to]] = 'X';
    char pad[80];
    snprintf(pad, sizeof pad, " %s ", text);
    ladder_text(line, a + 2, b - 2, pad);
    ladder_put(l, line, end, ts, note);
}

/* A line of text between the first and last lifeline (no arrow). */
static void ladder_say(const ladder *l, const char *text)
{
    char line[LADDER_W + 1];
    int end = ladder_blank(l, line);
    ladder_text(line, l->x[0], l->x[l->n - 1], text);
    ladder_put(l, line, end, NULL, NULL);
}

/* A line with only the lifelines, a time and a note. */
static void ladder_note(const ladder *l, const uint64_t *ts, const char *note)
{
    char line[LADDER_W + 1];
    int end = ladder_blank(l, line);
    ladder_put(l, line, end, ts, note);
}

/* The heading lines: endpoint labels and role words over each lifeline. */
static void ladder_head(ladder *l)
{
    char line[LADDER_W + 1];
    for (int row = 0; row < 2; row++) {
        int end = 0;
        memset(line, ' ', LADDER_W);
        for (int i = 0; i < l->n; i++) {
            const char *s = row ? l->sub[i] : l->top[i];
            size_t len = strlen(s);
            memcpy(line + l->x[i], s, len);
            end = l->x[i] + (int)len;
        }
        line[end] = '\0';
        fprintf(l->out, "%s\n", line);
    }
    ladder_say(l, "");
}

/* Lifelines for a finding's initiator, (reporter,) responder. */
static void ladder_init(ladder *l, FILE *out, const os_finding *f, const os_mdreport_cfg *c,
                        bool rep)
{
    bool ports = f->proto == 6 || f->proto == 17;
    os_classifier *cls = c->cls;
    os_hrole_set want = expected_roles(c->rules, f);
    memset(l, 0, sizeof *l);
    l->out = out;
    endpoint(&f->src, f->sport, ports, l->top[0], sizeof l->top[0]);
    snprintf(l->sub[0], sizeof l->sub[0], "%s",
             os_fmt_role_word(cls, &f->src, want, 0, "host"));
    if (rep) {
        endpoint(&f->reporter, 0, false, l->top[1], sizeof l->top[1]);
        const char *w = os_fmt_role_word(cls, &f->reporter, want, 0, "host");
        snprintf(l->sub[1], sizeof l->sub[1], strcmp(w, "host") ? "%s (reporter)" : "reporter", w);
    }
    l->n = rep ? 3 : 2;
    endpoint(&f->dst, f->dport, ports, l->top[l->n - 1], sizeof l->top[0]);
    snprintf(l->sub[l->n - 1], sizeof l->sub[0], "%s",
             os_fmt_role_word(cls, &f->dst, want, 0, "host"));
    ladder_layout(l);
    ladder_head(l);
}

/* SYNs that got no answer (or, answered_late, a late one). */
static void ladder_unanswered(ladder *l, const os_finding *f, bool answered_late)
{
    char note[96];
    uint64_t n = f->packets ? f->packets : 1;
    snprintf(note, sizeof note, n == 1 ? "the only SYN" : "SYN 1 of %" PRIu64, n);
    ladder_arrow(l, 0, 1, "SYN", false, &f->first_ns, note);
    if (n > 2) {
        snprintf(note, sizeof note, "... %" PRIu64 " more SYN%s (retries) ...", n - 2,
                 plural(n - 2));
        ladder_say(l, note);
    }
    if (answered_late) {
        if (n > 1)
            ladder_arrow(l, 0, 1, "SYN", false, NULL, "the last retry");
        ladder_arrow(l, 1, 0, "SYN-ACK", false, NULL, "answered late, after the retries");
        ladder_note(l, &f->last_ns, "last packet of the flow");
        return;
    }
    if (n > 1) {
        snprintf(note, sizeof note, "SYN %" PRIu64 " of %" PRIu64, n, n);
        ladder_arrow(l, 0, 1, "SYN", false, &f->last_ns, note);
    }
    ladder_say(l, "no SYN-ACK, no RST");
}

/* A SYN answered by RST. */
static void ladder_refused(ladder *l, const os_finding *f)
{
    char note[64] = "";
    if (f->packets > 2)
        snprintf(note, sizeof note, "%" PRIu64 " packets in the flow", f->packets);
    ladder_arrow(l, 0, 1, "SYN", false, &f->first_ns, "");
    ladder_arrow(l, 1, 0, "RST", false, &f->last_ns, note);
}

/* The quoted packet, stopped where the ICMP error came from, and the errors. */
static void ladder_icmp(ladder *l, const os_finding *f)
{
    char what[32], note[96], nb[4];
    int rep = l->n == 3 ? 1 : l->n - 1;
    snprintf(what, sizeof what, "%s", os_proto_name(f->proto, nb));
    ladder_arrow(l, 0, rep, what, l->n == 3, NULL, "the quoted packet (time not kept)");
    snprintf(what, sizeof what, "%s unreachable", f->reporter.ver == 6 ? "ICMPv6" : "ICMP");
    snprintf(note, sizeof note, "%s%s", f->sev == OS_SEV_ERROR ? "administratively prohibited" : "",
             f->packets > 1 ? (f->sev == OS_SEV_ERROR ? "; 1st error" : "1st error") : "");
    ladder_arrow(l, rep, 0, what, false, &f->first_ns, note);
    if (f->packets > 1) {
        snprintf(note, sizeof note, "error %" PRIu64 " of %" PRIu64, f->packets, f->packets);
        ladder_arrow(l, rep, 0, what, false, &f->last_ns, note);
    }
}

/* Whether the graph shows the flow of an unanswered-connection finding was
 * answered after all: its edge (by either port) has TCP flows, none of them
 * unanswered or refused. */
static bool answered_late(const os_graph *g, const os_finding *f)
{
    os_edge_key k;
    const os_edge *e;
    if (!g)
        return false;
    memset(&k, 0, sizeof k);
    memcpy(k.src, f->src.b, sizeof k.src);
    memcpy(k.dst, f->dst.b, sizeof k.dst);
    k.port = f->dport;
    k.rule = f->rule;
    k.ipver = f->src.ver;
    k.proto = f->proto;
    if (!(e = os_graph_find(g, &k))) {
        k.port = f->sport;
        e = os_graph_find(g, &k);
    }
    return e && e->flows && !e->hs[OS_HSV_UNANSWERED] && !e->hs[OS_HSV_REFUSED];
}

/* Whether finding f gets a ladder: a failed handshake of a flow. */
static bool has_ladder(const os_finding *f)
{
    return f->has_flow && (f->kind == OS_FK_UNANSWERED_CONNECTION ||
                           f->kind == OS_FK_CONNECTION_REFUSED || f->kind == OS_FK_ICMP_UNREACHABLE);
}

/* The ladder of a failed handshake, in a fenced block; nothing for other kinds. */
static void finding_ladder(FILE *out, const os_mdreport_cfg *c, const os_finding *f)
{
    ladder l;
    bool rep;
    if (!has_ladder(f))
        return;
    rep = f->kind == OS_FK_ICMP_UNREACHABLE && f->has_reporter &&
          os_addr_cmp(&f->reporter, &f->dst) != 0;
    fputs("\n```text\n", out);
    ladder_init(&l, out, f, c, rep);
    if (f->kind == OS_FK_UNANSWERED_CONNECTION)
        ladder_unanswered(&l, f, answered_late(c->graph, f));
    else if (f->kind == OS_FK_CONNECTION_REFUSED)
        ladder_refused(&l, f);
    else
        ladder_icmp(&l, f);
    fputs("```\n", out);
}

/* ---- ## Problems -------------------------------------------------------- */

#define SAY_MAX 1024 /* a problem's sentence */

/* Whether a kind counts handshakes answered by the same service. */
static bool connection_kind(os_finding_kind k) { return os_finding_kind_persists(k); }

/* "### 1. error unanswered-connection — 10.1.0.20 (archiver-playback)". */
static void problem_heading(FILE *out, const os_mdreport_cfg *c, const os_problem *p, size_t no)
{
    char a[OS_ADDRSTRLEN];
    bool role = p->rule >= 0 && p->rule < c->rules->n;
    fprintf(out, "\n### %zu. %s %s — %s (%s)\n", no, os_severity_name(p->sev),
            os_finding_kind_name(p->kind), p->has_svc ? os_addr_str(&p->svc, a) : "-",
            role ? c->rules->rule[p->rule].id : "no traffic role");
}

/* The peers row (p has some): how many, their range, the first few. */
static void fact_peers(FILE *out, const os_problem *p)
{
    char a[OS_ADDRSTRLEN], range[2 * OS_ADDRSTRLEN + 2];
    uint64_t shown = p->peers < OS_PROBLEM_PEERS_SHOWN ? p->peers : OS_PROBLEM_PEERS_SHOWN;
    fprintf(out, "| peers | %s%" PRIu64, p->peers_capped ? "at least " : "", p->peers);
    if (p->peers > 1)
        fprintf(out, " (%s)", os_problem_peer_range(p, range, sizeof range));
    fputs(p->peers > shown ? "; the first: " : ": ", out);
    for (uint64_t i = 0; i < shown; i++)
        fprintf(out, "%s%s", i ? ", " : "", os_addr_str(&p->peer[i], a));
    fputs(p->peers > shown ? ", ... |\n" : " |\n", out);
}

/* The ports row: "TCP 6061, 6062, ..." (nothing without a port). */
static void fact_ports(FILE *out, const os_problem *p)
{
    char nb[4];
    if (!p->nports)
        return;
    fprintf(out, "| ports tried | %s", os_proto_name(p->proto, nb));
    for (unsigned i = 0; i < p->nports; i++)
        fprintf(out, "%s%u", i ? ", " : " ", p->ports[i]);
    fputs(p->more_ports ? ", ... |\n" : " |\n", out);
}

/* Rows from the first example and the traffic role: who sent the ICMP
 * errors, and what KBA-00170 says of the role. */
static void fact_context(FILE *out, const os_mdreport_cfg *c, const os_problem *p)
{
    const os_finding *f = p->nexamples ? &p->example[0] : NULL;
    char a[OS_ADDRSTRLEN];
    if (f && f->has_reporter)
        fprintf(out, "| ICMP errors from | %s (%s), in the first example |\n",
                os_addr_str(&f->reporter, a),
                os_fmt_role_word(c->cls, &f->reporter, expected_roles(c->rules, f), 0, "host"));
    if (p->rule >= 0 && p->rule < c->rules->n && c->rules->rule[p->rule].kba) {
        fputs("| KBA-00170 | ", out);
        os_fmt_md_cell(out, c->rules->rule[p->rule].kba);
        fputs(" |\n", out);
    }
}

/* The facts table of a problem. */
static void problem_facts(FILE *out, const os_mdreport_cfg *c, const os_problem *p)
{
    char a[32], b[32];
    double iv = os_problem_interval(p);
    fputs("| | |\n|---|---|\n", out);
    if (p->nexamples && !p->example[0].has_flow) /* a host finding: hosts, no packets, no peer */
        fprintf(out, "| hosts | %" PRIu64 " |\n", p->flows);
    else
        fprintf(out, "| flows | %" PRIu64 " |\n| packets | %" PRIu64 " |\n", p->flows, p->packets);
    if (p->peers)
        fact_peers(out, p);
    fact_ports(out, p);
    if (connection_kind(p->kind))
        fprintf(out, "| answered handshakes | %" PRIu64 " to the same service |\n", p->answered);
    os_fmt_iso_time(p->first_ns, a);
    os_fmt_iso_time(p->last_ns, b);
    fprintf(out, "| first seen | %s |\n| last seen | %s |\n", a, b);
    if (iv >= 0)
        fprintf(out, "| typical interval between one peer's attempts | %.3f s |\n", iv);
    fact_context(out, c, p);
    fprintf(out, "| problem_id | %" PRIu64 " |\n", p->id);
}

/* The example flow ids, a filter to capture the first example again, and
 * its ladder for a failed handshake. */
static void problem_examples(FILE *out, const os_mdreport_cfg *c, const os_problem *p)
{
    const os_finding *f = &p->example[0];
    char bpf[400];
    unsigned n = 0;
    if (!p->nexamples)
        return;
    for (unsigned i = 0; i < p->nexamples; i++)
        if (p->example[i].has_flow)
            n++;
    if (n)
        fprintf(out, "\n- example flow%s:", plural(n));
    for (unsigned i = 0, k = 0; i < p->nexamples; i++)
        if (p->example[i].has_flow)
            fprintf(out, "%s %" PRIu64, k++ ? "," : "", p->example[i].flow_id);
    if (n && p->flows > n)
        fprintf(out, " (%u of %" PRIu64 "; with `--json` every finding record names its "
                "problem_id)", n, p->flows);
    fprintf(out, "\n- capture it again: `%s`\n", os_mdreport_bpf(f, c->rules, bpf, sizeof bpf));
    if (has_ladder(f)) {
        fprintf(out, "- the first example, flow %" PRIu64 ", as a ladder:\n", f->flow_id);
        finding_ladder(out, c, f);
    }
}

/* One problem: heading, sentence, facts, examples. */
static void problem_entry(FILE *out, const os_mdreport_cfg *c, const os_problem *p, size_t no)
{
    char say[SAY_MAX];
    problem_heading(out, c, p, no);
    fputs("\n> ", out);
    os_fmt_md_cell(out, os_problem_say(p, c->rules, c->cls, say, sizeof say));
    fputs("\n\n", out);
    problem_facts(out, c, p);
    problem_examples(out, c, p);
}

/* The problems, worst first (os_stats keeps them sorted). */
static void section_problems(FILE *out, const os_mdreport_cfg *c)
{
    const os_stats *s = c->st;
    fputs("\n## Problems\n\n", out);
    if (!s->nproblems) {
        fputs("None: the traffic follows the rules file.\n", out);
        return;
    }
    problem_counts(out, s);
    fputs(" (one per flow and kind), folded by service and traffic role; worst first, each "
          "with its facts, example flows, a BPF filter (`tcpdump`, `omnisniff`) to capture "
          "them again and, for a failed handshake, the ladder of its first example.\n", out);
    for (size_t i = 0; i < s->nproblems; i++)
        problem_entry(out, c, s->problem[i], i + 1);
}

/* What each kind found means, once per kind. */
static void section_kinds(FILE *out, const os_stats *s)
{
    bool any = false;
    for (int k = 0; k < OS_FK_COUNT; k++) {
        if (!s->findings[k])
            continue;
        if (!any)
            fputs("\n## What the findings mean\n", out);
        any = true;
        fprintf(out, "\n### %s\n\n```text\n%s```\n", os_finding_kind_name((os_finding_kind)k),
                os_finding_explain((os_finding_kind)k));
    }
}

/* Write the report. */
/* ---- ## Streams ---------------------------------------------------------- */

/* The stream's bitrate over its life as a sparkline (one block a bucket). */
static void sparkline(FILE *out, const os_stream *s)
{
    static const char *const level[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
    uint64_t used = (s->last_ns - s->first_ns) / s->bucket_ns + 1, max = 0;
    if (used > OS_STREAM_BUCKETS)
        used = OS_STREAM_BUCKETS;
    for (uint64_t i = 0; i < used; i++)
        max = s->bucket[i] > max ? s->bucket[i] : max;
    for (uint64_t i = 0; i < used; i++)
        fputs(!s->bucket[i] ? " " : level[max ? (s->bucket[i] * 7 + max - 1) / max : 0], out);
}

/* One stream row. */
static void stream_row(FILE *out, const os_stream *s, const os_ruleset *rs)
{
    char a[OS_ADDRSTRLEN], b[OS_ADDRSTRLEN], f[32], l[32];
    os_fmt_iso_time(s->first_ns, f);
    os_fmt_iso_time(s->last_ns, l);
    fprintf(out, "| %s > %s.%u | %s | %" PRIu64 " | %.8s – %.8s | %.1f s | %" PRIu64 " | %s | ",
            os_addr_str(&s->src, a), os_addr_str(&s->dst, b), s->dport, rs->rule[s->rule].id,
            s->packets, f + 11, l + 11, (double)s->max_gap_ns / 1e9, s->gaps,
            s->stopped ? "stopped" : s->alive_at_end ? "alive" : "ended");
    if (s->rtp_state == 1)
        fprintf(out, "%" PRId64 " / %" PRIu64 " / %.1f | `", os_stream_rtp_lost(s),
                s->rtp.out_of_order, os_stream_jitter_ms(s));
    else
        fputs("not RTP | `", out);
    sparkline(out, s);
    fputs("` |\n", out);
}

/* Streams: those in trouble (stopped, gaps, RTP loss) each with its
 * bitrate over time; the healthy ones counted. */
static void section_streams(FILE *out, const os_stats *st, const os_ruleset *rs)
{
    size_t bad = 0;
    if (!st->nstreams)
        return;
    while (bad < st->nstreams && (st->stream[bad]->stopped || st->stream[bad]->gaps ||
                                  os_stream_rtp_lost(st->stream[bad]) > 0))
        bad++;
    fprintf(out, "\n## Streams\n\n%zu video/audio streams, %zu in trouble; every stream is a "
            "`stream` record with `--json`.\n", st->nstreams, bad);
    if (!bad)
        return;
    fputs("\n| stream | role | packets | first – last | max gap | gaps | end | RTP lost / "
          "out of order / jitter ms | bitrate over its life |\n"
          "|---|---|---|---|---|---|---|---|---|\n", out);
    for (size_t i = 0; i < bad && i < 50; i++)
        stream_row(out, st->stream[i], rs);
    if (bad > 50)
        fprintf(out, "\n(%zu more in trouble: see `--json`)\n", bad - 50);
}

void os_mdreport_write_body(FILE *out, const os_mdreport_cfg *c)
{
    fprintf(out, "# omnisniff report: ");
    os_fmt_md_cell(out, c->st->source ? c->st->source : "-");
    fputs("\n\n", out);
    section_capture(out, c->st);
    section_problems(out, c);
    section_streams(out, c->st, c->rules);
    section_hosts(out, c->cls);
    section_roles(out, c->st, c->rules);
    if (c->graph)
        section_conversations(out, c->graph, c->rules);
}

bool os_mdreport_write_end(FILE *out, const os_mdreport_cfg *c, char *err, size_t errlen)
{
    section_kinds(out, c->st);
    if (fflush(out) != 0 || ferror(out)) {
        snprintf(err, errlen, "write error: %s", strerror(errno ? errno : EIO));
        return false;
    }
    return true;
}

bool os_mdreport_write(FILE *out, const os_mdreport_cfg *c, char *err, size_t errlen)
{
    os_mdreport_write_body(out, c);
    return os_mdreport_write_end(out, c, err, errlen);
}
