/* report_problem.c — problems as people and machines read them: the live
 * "!!" line when a problem opens or changes severity, the problems section
 * that leads the text summary (a few lines a problem, worst first), and the
 * JSON "problem" record (docs/json-schema.md). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "omnisniff/report.h"
#include "report_int.h"

#define SAY_MAX 1024 /* a problem's sentence */

/* The problem as it opens or changes severity, at the time of the packet
 * being handled. */
void os_report_problem_live(os_report *r, const os_problem *p, os_problem_event ev)
{
    char say[SAY_MAX];
    os_report_live_line(r, r->now_ns ? r->now_ns : p->last_ns, ev == OS_PROBLEM_UPDATE, p->sev,
                        p->kind, os_problem_say(p, r->rules, r->cls, say, sizeof say));
}

/* ---- JSON ---------------------------------------------------------------- */

static void json_u64_array(sb *s, const char *k, const uint64_t *v, size_t n)
{
    sb_key(s, k);
    sb_putc(s, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_putc(s, ',');
        sb_u64(s, v[i]);
    }
    sb_putc(s, ']');
}

static void json_ports(sb *s, const os_problem *p)
{
    uint64_t v[OS_PROBLEM_PORTS];
    for (unsigned i = 0; i < p->nports; i++)
        v[i] = p->ports[i];
    json_u64_array(s, "ports", v, p->nports);
    sb_key(s, "port_range");
    sb_putc(s, '[');
    sb_u64(s, p->key.port_lo);
    sb_putc(s, ',');
    sb_u64(s, p->key.port_hi);
    sb_putc(s, ']');
}

static void json_peers(sb *s, const os_problem *p)
{
    char t[2 * OS_ADDRSTRLEN + 2];
    uint64_t shown = p->peers < OS_PROBLEM_PEERS_SHOWN ? p->peers : OS_PROBLEM_PEERS_SHOWN;
    sb_kv_u64(s, "peers", p->peers);
    if (p->peers_capped)
        sb_lit(s, ",\"peers_at_least\":true");
    sb_key(s, "peer_examples");
    sb_putc(s, '[');
    for (uint64_t i = 0; i < shown; i++) {
        if (i)
            sb_putc(s, ',');
        sb_json_str(s, os_addr_str(&p->peer[i], t));
    }
    sb_putc(s, ']');
    if (p->peers)
        sb_kv_str(s, "peer_range", os_problem_peer_range(p, t, sizeof t));
}

static void json_flows(sb *s, const os_problem *p)
{
    uint64_t ex[OS_PROBLEM_EXAMPLES];
    size_t n = 0;
    for (unsigned i = 0; i < p->nexamples; i++)
        if (p->example[i].has_flow)
            ex[n++] = p->example[i].flow_id;
    sb_kv_u64(s, "flows", p->flows);
    sb_kv_u64(s, "packets", p->packets);
    sb_kv_u64(s, "answered", p->answered);
    json_u64_array(s, "example_flow_ids", ex, n);
    json_u64_array(s, "flow_ids", p->flow_id, p->nflow_ids);
    sb_kv_u64(s, "flow_ids_total", p->flows);
}

/* The JSON "problem" record. */
void os_report_problem_json(os_report *r, const os_problem *p, os_problem_event ev)
{
    char say[SAY_MAX], t[OS_ADDRSTRLEN], nb[4];
    double iv = os_problem_interval(p);
    sb s;
    sb_record(&s, ev == OS_PROBLEM_FINAL || !r->now_ns ? p->last_ns : r->now_ns, "problem");
    sb_kv_str(&s, "event", os_problem_event_name(ev));
    sb_kv_u64(&s, "problem_id", p->id);
    sb_kv_str(&s, "kind", os_finding_kind_name(p->kind));
    sb_kv_str(&s, "severity", os_severity_name(p->sev));
    sb_role_kba(r, &s, p->rule);
    sb_kv_str(&s, "proto", os_proto_name(p->proto, nb));
    if (p->has_svc) {
        sb_kv_str(&s, "service_ip", os_addr_str(&p->svc, t));
        sb_host_addr(r, &s, "service_host", p->svc);
    }
    json_ports(&s, p);
    json_peers(&s, p);
    sb_spill(r, &s);
    json_flows(&s, p);
    sb_kv_time(&s, "first_seen", p->first_ns);
    sb_kv_time(&s, "last_seen", p->last_ns);
    if (iv >= 0) {
        char b[32];
        snprintf(b, sizeof b, "%.3f", iv);
        sb_key(&s, "interval_s");
        sb_puts(&s, b);
    }
    sb_kv_str(&s, "explanation", os_problem_say(p, r->rules, r->cls, say, sizeof say));
    sb_putc(&s, '}');
    sb_flush(r, &s);
}

/* ---- text summary -------------------------------------------------------- */

/* The facts line: counts, span and example flows. */
static void problem_facts(os_report *r, const os_problem *p)
{
    char a[32], b[32], sa[OS_ADDRSTRLEN], da[OS_ADDRSTRLEN];
    fprintf(r->out, "   %" PRIu64 " flow%s, %" PRIu64 " packet%s, %s%" PRIu64 " peer%s", p->flows,
            p->flows == 1 ? "" : "s", p->packets, p->packets == 1 ? "" : "s",
            p->peers_capped ? "at least " : "", p->peers, p->peers == 1 ? "" : "s");
    if (os_finding_kind_persists(p->kind)) /* connection kinds count handshakes */
        fprintf(r->out, ", %" PRIu64 " handshake%s completed", p->answered,
                p->answered == 1 ? "" : "s");
    if (!strcmp(os_fmt_hms(p->first_ns, false, a), os_fmt_hms(p->last_ns, false, b)))
        fprintf(r->out, ", at %s", a);
    else
        fprintf(r->out, ", %s to %s", a, b);
    for (unsigned i = 0; i < p->nexamples && i < 2; i++) {
        const os_finding *f = &p->example[i];
        if (f->has_flow)
            fprintf(r->out, "%s flow %" PRIu64 " %s.%u > %s.%u", i ? "," : "; e.g.", f->flow_id,
                    os_addr_str(&f->src, sa), f->sport, os_addr_str(&f->dst, da), f->dport);
    }
    fputc('\n', r->out);
}

/* One problem: heading, sentence, facts, KBA. */
static void text_problem(os_report *r, const os_problem *p)
{
    char say[SAY_MAX], t[OS_ADDRSTRLEN];
    const os_rule *rule = p->rule >= 0 ? &r->rules->rule[p->rule] : NULL;
    fprintf(r->out, "%s %-7s %s  %s  %s\n", p->sev == OS_SEV_ERROR ? "!!" : p->sev ? " !" : "  ",
            os_severity_name(p->sev), os_finding_kind_name(p->kind), rule ? rule->id : "-",
            p->has_svc ? os_addr_str(&p->svc, t) : "-");
    fprintf(r->out, "   %s\n", os_problem_say(p, r->rules, r->cls, say, sizeof say));
    problem_facts(r, p);
    if (rule && rule->kba)
        fprintf(r->out, "   KBA-00170: \"%s\"\n", rule->kba);
}

/* The problems section that leads the summary. */
void os_report_problems_text(os_report *r, const os_stats *s)
{
    uint64_t nf = os_report_findings_total(s);
    if (!s->nproblems) {
        fprintf(r->out, "\nproblems: none\n");
        return;
    }
    fprintf(r->out, "\nproblems: %" PRIu64 " error%s, %" PRIu64 " warning%s, %" PRIu64
            " info, from %" PRIu64 " finding%s (per flow: --findings all, or --json)\n",
            s->problems[OS_SEV_ERROR], s->problems[OS_SEV_ERROR] == 1 ? "" : "s",
            s->problems[OS_SEV_WARNING], s->problems[OS_SEV_WARNING] == 1 ? "" : "s",
            s->problems[OS_SEV_INFO], nf, nf == 1 ? "" : "s");
    for (size_t i = 0; i < s->nproblems; i++)
        text_problem(r, s->problem[i]);
}

/* ---- stats ----------------------------------------------------------------- */

/* The JSON "stats" record: the counters so far. */
void os_report_stats_json(os_report *r, const os_stats *s, uint64_t ts, uint64_t active,
                          const uint64_t *role_pkts)
{
    bool first = true;
    sb b;
    sb_record(&b, ts, "stats");
    sb_kv_u64(&b, "packets", s->packets);
    sb_kv_u64(&b, "bytes", s->bytes);
    sb_kv_u64(&b, "flows_active", active);
    sb_lit(&b, ",\"roles\":{");
    for (unsigned i = 0; i < r->rules->n; i++) {
        if (!role_pkts[i])
            continue;
        sb_member(&b, &first, r->rules->rule[i].id);
        sb_u64(&b, role_pkts[i]);
    }
    sb_putc(&b, '}');
    sb_kv_u64(&b, "unclassified", role_pkts[r->rules->n]);
    sb_kv_u64(&b, "findings", os_report_findings_total(s));
    sb_lit(&b, ",\"problems\":{\"error\":");
    sb_u64(&b, s->problems[OS_SEV_ERROR]);
    sb_kv_u64(&b, "warning", s->problems[OS_SEV_WARNING]);
    sb_kv_u64(&b, "info", s->problems[OS_SEV_INFO]);
    sb_putc(&b, '}');
    sb_tables(&b, s);
    if (s->kernel.valid) {
        sb_lit(&b, ",\"kernel\":{\"received\":");
        sb_u64(&b, s->kernel.received);
        sb_kv_u64(&b, "dropped", s->kernel.dropped);
        sb_kv_u64(&b, "ifdropped", s->kernel.ifdropped);
        sb_putc(&b, '}');
    }
    sb_putc(&b, '}');
    sb_flush(r, &b);
}
