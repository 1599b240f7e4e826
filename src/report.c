/* report.c — text lines, summary tables and JSON Lines records.
 *
 * Packet lines are assembled in a stack buffer with small appenders and
 * written with one fwrite: no per-packet allocation, no printf on the hot
 * path. JSON records use Suricata EVE names (timestamp, flow_id, src_ip,
 * src_port, dest_ip, dest_port, proto); the flow's initiator is the source.
 * Every key is documented in README.md ("JSON Lines"). */
#include "omnisniff/report.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "omnisniff/communityid.h"
#include "sb.h"













/* ISO 8601 UTC time as EVE writes it: 2026-01-15T10:00:00.000000+0000. */
void os_report_iso_time(uint64_t ts_ns, char buf[32])
{
    time_t sec = (time_t)(ts_ns / 1000000000ULL);
    struct tm tm;
    char *p = buf;
    gmtime_r(&sec, &tm);
    p = put_digits(p, (unsigned)(tm.tm_year + 1900), 4);
    *p++ = '-';
    p = put_digits(p, (unsigned)tm.tm_mon + 1, 2);
    *p++ = '-';
    p = put_digits(p, (unsigned)tm.tm_mday, 2);
    *p++ = 'T';
    p = put_digits(p, (unsigned)tm.tm_hour, 2);
    *p++ = ':';
    p = put_digits(p, (unsigned)tm.tm_min, 2);
    *p++ = ':';
    p = put_digits(p, (unsigned)tm.tm_sec, 2);
    *p++ = '.';
    p = put_digits(p, (unsigned)(ts_ns % 1000000000ULL / 1000), 6);
    memcpy(p, "+0000", 6);
}


/* Traffic role label of a flow: "id", "id|alt", or "-". */
const char *os_report_role(const os_ruleset *rs, const os_flow_label *l, char *buf, size_t len)
{
    if (l->rule < 0)
        return "-";
    if (l->alt < 0)
        return rs->rule[l->rule].id;
    snprintf(buf, len, "%s|%s", rs->rule[l->rule].id, rs->rule[l->alt].id);
    return buf;
}

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
static void packet_other(sb *s, os_status st, os_reason why, const os_pkt *p)
{
    if (p->ipver) {
        sb_addr(s, p->ipver, p->src);
        sb_lit(s, " > ");
        sb_addr(s, p->ipver, p->dst);
        sb_putc(s, ' ');
    }
    sb_puts(s, os_status_name(st));
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

/* One text line for a frame. */
void os_report_packet(os_report *r, uint64_t ts_ns, os_status st, os_reason why,
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
    sb_flush(r, &s);
}

/* ---- JSON flow records ------------------------------------------------ */





static void sb_hex8(sb *s, uint8_t v)
{
    static const char hex[] = "0123456789abcdef";
    char t[2] = { hex[v >> 4], hex[v & 15] };
    sb_putc(s, '"');
    sb_putn(s, t, 2);
    sb_putc(s, '"');
}



/* Endpoints with the initiator as source. */
static void sb_flow_endpoints(sb *s, const os_flow *f)
{
    int src = os_flow_client(f), dst = !src;
    bool ports = f->key.proto == 6 || f->key.proto == 17;
    char nb[4];
    os_addr a = os_flow_addr(f, src), b = os_flow_addr(f, dst);
    char t[OS_ADDRSTRLEN];

    sb_kv_str(s, "src_ip", os_addr_str(&a, t));
    if (ports)
        sb_kv_u64(s, "src_port", f->key.port[src]);
    sb_kv_str(s, "dest_ip", os_addr_str(&b, t));
    if (ports)
        sb_kv_u64(s, "dest_port", f->key.port[dst]);
    sb_kv_str(s, "proto", os_proto_name(f->key.proto, nb));
    if (f->key.vlan[0]) {
        sb_key(s, "vlan");
        sb_putc(s, '[');
        sb_u64(s, f->key.vlan[0]);
        if (f->key.vlan[1]) {
            sb_putc(s, ',');
            sb_u64(s, f->key.vlan[1]);
        }
        sb_putc(s, ']');
    }
}

/* "role", "role_alternatives", "confidence", "service". */
static void sb_flow_role(os_report *r, sb *s, const os_flow *f)
{
    const os_flow_label *l = &f->label;
    sb_key(s, "role");
    if (l->rule < 0) {
        sb_lit(s, "null");
        sb_kv_str(s, "confidence", "none");
        return;
    }
    sb_json_str(s, r->rules->rule[l->rule].id);
    if (l->alt >= 0) {
        sb_key(s, "role_alternatives");
        sb_putc(s, '[');
        sb_json_str(s, r->rules->rule[l->alt].id);
        sb_putc(s, ']');
    }
    sb_kv_str(s, "confidence", os_conf_name((os_conf)l->conf));
    sb_kv_str(s, "service", l->svc_side == os_flow_client(f) ? "src" : "dest");
    sb_kv_str(s, "service_by", os_flow_client_by(f));
}

/* The EVE-like "flow" object: counters to server (initiator→) and back. */
static void sb_flow_counters(sb *s, const os_flow *f, os_flow_end why)
{
    static const char *const reason[] = { "timeout", "max-flows", "end" };
    int src = os_flow_client(f);
    sb_lit(s, ",\"flow\":{\"pkts_toserver\":");
    sb_u64(s, f->pkts[src]);
    sb_kv_u64(s, "pkts_toclient", f->pkts[!src]);
    sb_kv_u64(s, "bytes_toserver", f->bytes[src]);
    sb_kv_u64(s, "bytes_toclient", f->bytes[!src]);
    sb_kv_time(s, "start", f->first_ns);
    sb_kv_time(s, "end", f->last_ns);
    sb_kv_str(s, "reason", reason[why]);
    sb_putc(s, '}');
    if (f->key.proto == 6) {
        sb_lit(s, ",\"tcp\":{\"tcp_flags\":");
        sb_hex8(s, (uint8_t)(f->flags[0] | f->flags[1]));
        sb_lit(s, ",\"tcp_flags_ts\":");
        sb_hex8(s, f->flags[src]);
        sb_lit(s, ",\"tcp_flags_tc\":");
        sb_hex8(s, f->flags[!src]);
        sb_kv_str(s, "state", os_flow_hs_name(os_flow_hs(f)));
        sb_kv_u64(s, "syn_count", f->syns);
        sb_putc(s, '}');
    }
}


/* "community_id" of a flow tuple (omitted where Community ID has none:
 * ICMP, whose ids hash the message type omnisniff does not keep per flow). */
static void sb_community_id(sb *s, const os_addr *a, uint16_t pa, const os_addr *b, uint16_t pb,
                            uint8_t proto)
{
    char id[OS_COMMUNITY_ID_LEN];
    if (os_community_id(a, pa, b, pb, proto, 0, id))
        sb_kv_str(s, "community_id", id);
}

/* The JSON "flow" record of a flow leaving the table. */
void os_report_flow_json(os_report *r, const os_flow *f, os_flow_end why)
{
    sb s;
    os_addr a = os_flow_addr(f, 0), b = os_flow_addr(f, 1);
    sb_record(&s, f->first_ns, "flow");
    sb_kv_u64(&s, "flow_id", f->id);
    sb_community_id(&s, &a, f->key.port[0], &b, f->key.port[1], f->key.proto);
    sb_flow_endpoints(&s, f);
    sb_flow_role(r, &s, f);
    sb_host_addr(r, &s, "src_host", os_flow_addr(f, os_flow_client(f)));
    sb_host_addr(r, &s, "dest_host", os_flow_addr(f, !os_flow_client(f)));
    sb_flow_counters(&s, f, why);
    sb_putc(&s, '}');
    sb_flush(r, &s);
}

/* ---- findings ---------------------------------------------------------- */

/* A finding as it is raised (text mode, between packet lines): the time of
 * the packet that raised it, "!!", severity, kind and the sentence. */
void os_report_finding_live(os_report *r, const os_finding *f)
{
    sb s;
    s.n = 0;
    sb_time(r, &s, f->last_ns);
    sb_lit(&s, " !! ");
    sb_puts(&s, os_severity_name(f->sev));
    sb_putc(&s, ' ');
    sb_puts(&s, os_finding_kind_name(f->kind));
    sb_lit(&s, ": ");
    sb_puts(&s, f->text);
    sb_flush(r, &s);
}

static void sb_finding_flow(sb *s, const os_finding *f)
{
    char t[OS_ADDRSTRLEN], nb[4];
    bool ports = f->proto == 6 || f->proto == 17;
    sb_kv_u64(s, "flow_id", f->flow_id);
    sb_community_id(s, &f->src, f->sport, &f->dst, f->dport, f->proto);
    sb_kv_str(s, "src_ip", os_addr_str(&f->src, t));
    if (ports)
        sb_kv_u64(s, "src_port", f->sport);
    sb_kv_str(s, "dest_ip", os_addr_str(&f->dst, t));
    if (ports)
        sb_kv_u64(s, "dest_port", f->dport);
    sb_kv_str(s, "proto", os_proto_name(f->proto, nb));
}

/* The JSON "finding" record. */
void os_report_finding_json(os_report *r, const os_finding *f)
{
    sb s;
    char t[OS_ADDRSTRLEN];
    sb_record(&s, f->first_ns, "finding");
    sb_kv_str(&s, "kind", os_finding_kind_name(f->kind));
    sb_kv_str(&s, "severity", os_severity_name(f->sev));
    if (f->has_flow)
        sb_finding_flow(&s, f);
    else
        sb_kv_str(&s, "host_ip", os_addr_str(&f->src, t));
    if (f->has_reporter)
        sb_kv_str(&s, "reporter_ip", os_addr_str(&f->reporter, t));
    sb_key(&s, "role");
    if (f->rule >= 0) {
        sb_json_str(&s, r->rules->rule[f->rule].id);
        sb_kv_str(&s, "kba", r->rules->rule[f->rule].kba);
    } else {
        sb_lit(&s, "null");
    }
    sb_kv_time(&s, "first_seen", f->first_ns);
    sb_kv_time(&s, "last_seen", f->last_ns);
    sb_kv_u64(&s, "packets", f->packets);
    sb_host_addr(r, &s, f->has_flow ? "src_host" : "host", f->src);
    if (f->has_flow)
        sb_host_addr(r, &s, "dest_host", f->dst);
    sb_kv_str(&s, "explanation", f->text);
    if (f->problem_id)
        sb_kv_u64(&s, "problem_id", f->problem_id);
    sb_putc(&s, '}');
    sb_flush(r, &s);
}

/* One finding of the report: kind, flow, role, count, times, then the sentence. */
static void text_finding(os_report *r, const os_finding *f)
{
    char a[32], b[32], nb[4], sa[OS_ADDRSTRLEN], da[OS_ADDRSTRLEN];
    os_report_iso_time(f->first_ns, a);
    os_report_iso_time(f->last_ns, b);
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

static const char *const status_key[] = { "ok", "not_ip", "fragment", "other_proto",
                                          "truncated", "malformed" };

/* Seconds with millisecond precision. */
static void fmt_duration(const os_stats *s, char *buf, size_t len)
{
    uint64_t d = s->packets ? s->last_ns - s->first_ns : 0;
    snprintf(buf, len, "%" PRIu64 ".%03u s", (uint64_t)(d / 1000000000ULL),
             (unsigned)(d % 1000000000ULL / 1000000));
}

static void text_header(os_report *r, const os_stats *s)
{
    char a[32], b[32], d[32];
    fprintf(r->out, "summary: %s (%s), %" PRIu64 " packets, %" PRIu64 " bytes",
            s->source ? s->source : "-", s->linktype ? s->linktype : "-", s->packets, s->bytes);
    if (s->packets) {
        os_report_iso_time(s->first_ns, a);
        os_report_iso_time(s->last_ns, b);
        fmt_duration(s, d, sizeof d);
        fprintf(r->out, ", %s to %s (%s)", a, b, d);
    }
    fputc('\n', r->out);
    if (s->read_error)
        fprintf(r->out, "input ended early: %s (summary of what was read)\n", s->read_error);
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
        fprintf(r->out, "%-28s %8" PRIu64 "\n", status_key[i], s->status[i]);
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
}



/* "k":{"packets":N,"bytes":N,"flows":N} */
static void json_total(sb *s, bool *first, const char *k, const os_total *t)
{
    sb_member(s, first, k);
    sb_lit(s, "{\"packets\":");
    sb_u64(s, t->packets);
    sb_kv_u64(s, "bytes", t->bytes);
    sb_kv_u64(s, "flows", t->flows);
    sb_kv_u64(s, "ambiguous_flows", t->ambiguous);
    sb_putc(s, '}');
}

static void json_roles(os_report *r, sb *s, const os_stats *st)
{
    bool first = true;
    sb_lit(s, ",\"roles\":{");
    for (unsigned i = 0; i < r->rules->n; i++) {
        json_total(s, &first, r->rules->rule[i].id, &st->role[i]);
        sb_spill(r, s);
    }
    sb_putc(s, '}');
    first = false;
    json_total(s, &first, "unclassified", &st->unclassified);
}

static void json_decode(sb *s, const os_stats *st)
{
    bool first = true;
    sb_lit(s, ",\"decode\":{");
    for (int i = 0; i <= OS_DEC_MALFORMED; i++) {
        sb_member(s, &first, status_key[i]);
        sb_u64(s, st->status[i]);
    }
    sb_kv_u64(s, "payload_cut", st->payload_cut);
    sb_lit(s, "},\"decode_errors\":{");
    first = true;
    for (int i = 1; i < OS_R_COUNT; i++) {
        if (!st->reason[i])
            continue;
        sb_member(s, &first, os_reason_name((os_reason)i));
        sb_u64(s, st->reason[i]);
    }
    sb_putc(s, '}');
}

/* Evidence object: {"archiver":{"rule":..,"flow_id":..,"first_seen":..},…} */
static void json_evidence(os_report *r, sb *s, const os_host *h)
{
    char ip[OS_ADDRSTRLEN], why[256];
    bool first = true;
    sb_lit(s, ",\"evidence\":{");
    for (int i = 0; i < OS_HR_COUNT; i++) {
        const os_evidence *e = &h->why[i];
        if (!(h->inferred & OS_HR_BIT(i)))
            continue;
        sb_member(s, &first, os_hrole_name((os_hrole)i));
        sb_lit(s, "{\"rule\":");
        sb_json_str(s, r->rules->rule[e->rule].id);
        sb_kv_str(s, "as", e->as_service ? "service" : "peer");
        sb_kv_u64(s, "flow_id", e->flow_id);
        sb_kv_time(s, "first_seen", e->first_ns);
        if (e->other.ver)
            sb_kv_str(s, "peer_ip", os_addr_str(&e->other, ip));
        sb_kv_str(s, "why", os_classify_evidence_words(r->cls, h, (os_hrole)i, why, sizeof why));
        sb_putc(s, '}');
    }
    sb_putc(s, '}');
}

static void json_hosts(os_report *r, sb *s)
{
    size_t n;
    const os_host **v = os_classify_hosts(r->cls, &n);
    char a[OS_ADDRSTRLEN];

    sb_lit(s, ",\"hosts\":[");
    for (size_t i = 0; i < n; i++) {
        const os_host *h = v[i];
        sb_puts(s, i ? ",{\"ip\":" : "{\"ip\":");
        sb_json_str(s, os_addr_str(&h->addr, a));
        sb_key(s, "roles");
        sb_roles(s, (os_hrole_set)(h->declared | h->inferred));
        sb_key(s, "declared");
        sb_roles(s, h->declared);
        sb_key(s, "inferred");
        sb_roles(s, h->inferred);
        if (h->decl && h->decl->name[0])
            sb_kv_str(s, "name", h->decl->name);
        json_evidence(r, s, h);
        sb_putc(s, '}');
        sb_spill(r, s);
    }
    sb_putc(s, ']');
    free(v);
}

static void json_tail(sb *s, const os_stats *st)
{
    bool first = true;
    sb_lit(s, ",\"findings\":{");
    for (int k = 0; k < OS_FK_COUNT; k++) {
        if (!st->findings[k])
            continue;
        sb_member(s, &first, os_finding_kind_name((os_finding_kind)k));
        sb_u64(s, st->findings[k]);
    }
    sb_putc(s, '}');
    sb_lit(s, ",\"problems\":{\"error\":");
    sb_u64(s, st->problems[OS_SEV_ERROR]);
    sb_kv_u64(s, "warning", st->problems[OS_SEV_WARNING]);
    sb_kv_u64(s, "info", st->problems[OS_SEV_INFO]);
    sb_putc(s, '}');
    first = true;
    sb_lit(s, ",\"tcp_handshakes\":{");
    for (int v = 0; v <= OS_HSV_PARTIAL; v++) {
        sb_member(s, &first, os_flow_hs_name((os_hs_verdict)v));
        sb_u64(s, st->handshake[v]);
    }
    sb_putc(s, '}');
    sb_lit(s, ",\"flows\":{\"created\":");
    sb_u64(s, st->flows.created);
    sb_kv_u64(s, "peak", st->flows.peak);
    sb_kv_u64(s, "ended_idle", st->flows.ended_idle);
    sb_kv_u64(s, "evicted_max_flows", st->flows.ended_cap);
    sb_putc(s, '}');
    if (st->kernel.valid) {
        sb_lit(s, ",\"kernel\":{\"received\":");
        sb_u64(s, st->kernel.received);
        sb_kv_u64(s, "dropped", st->kernel.dropped);
        sb_kv_u64(s, "ifdropped", st->kernel.ifdropped);
        sb_putc(s, '}');
    }
    if (st->read_error)
        sb_kv_str(s, "read_error", st->read_error);
}

/* The JSON "summary" record. */
void os_report_summary_json(os_report *r, const os_stats *st)
{
    sb s;
    sb_record(&s, st->last_ns, "summary");
    sb_kv_str(&s, "source", st->source ? st->source : "-");
    sb_kv_str(&s, "linktype", st->linktype ? st->linktype : "-");
    sb_kv_u64(&s, "packets", st->packets);
    sb_kv_u64(&s, "bytes", st->bytes);
    if (st->packets) {
        sb_kv_time(&s, "first_seen", st->first_ns);
        sb_kv_time(&s, "last_seen", st->last_ns);
    }
    json_roles(r, &s, st);
    json_decode(&s, st);
    sb_spill(r, &s);
    json_hosts(r, &s);
    json_tail(&s, st);
    sb_putc(&s, '}');
    sb_flush(r, &s);
}
