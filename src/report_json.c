/* report_json.c — omnisniff for machines: the JSON Lines "flow", "finding"
 * and "summary" records. Field names follow Suricata EVE (timestamp,
 * flow_id, src_ip, src_port, dest_ip, dest_port, proto); the flow's
 * initiator is the source. Every key is documented in README.md ("JSON
 * Lines") and docs/json-schema.md. */
#include <stdlib.h>

#include "omnisniff/communityid.h"
#include "omnisniff/report.h"
#include "report_int.h"

/* ---- flow records ------------------------------------------------------ */

/* A byte as a quoted pair of hex digits ("1b"). */
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
    os_addr a = os_flow_addr(f, src), b = os_flow_addr(f, dst);
    sb_endpoints(s, &a, f->key.port[src], &b, f->key.port[dst], f->key.proto);
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

/* One tunnel around a flow: {"type":"vxlan","id":5000,"src_ip":..,"dest_ip":..}. */
static void sb_encap_layer(sb *s, const os_tunnel_info *in, unsigned i)
{
    char a[OS_ADDRSTRLEN];
    sb_lit(s, "{\"type\":");
    sb_json_str(s, os_encap_name((os_encap_type)in->type[i]));
    if (in->has_id[i])
        sb_kv_u64(s, "id", in->id[i]);
    if (in->ipver[i]) {
        os_addr o = os_addr_from(in->ipver[i], in->src[i]);
        sb_kv_str(s, "src_ip", os_addr_str(&o, a));
        o = os_addr_from(in->ipver[i], in->dst[i]);
        sb_kv_str(s, "dest_ip", os_addr_str(&o, a));
    }
    sb_putc(s, '}');
}

/* ,"encap":[...] for a flow seen inside tunnels, outermost first (the outer
 * addresses as the flow's first packet carried them). */
static void sb_flow_encap(const os_report *r, sb *s, const os_flow *f)
{
    const os_tunnel_info *in;
    if (!f->key.tunnel || !r->flows || !(in = os_flowtab_tunnel_info(r->flows, f->key.tunnel)))
        return;
    sb_key(s, "encap");
    sb_putc(s, '[');
    for (unsigned i = 0; i < in->n; i++) {
        if (i)
            sb_putc(s, ',');
        sb_encap_layer(s, in, i);
    }
    sb_putc(s, ']');
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
    sb_flow_encap(r, &s, f);
    sb_flow_role(r, &s, f);
    sb_host_addr(r, &s, "src_host", os_flow_addr(f, os_flow_client(f)));
    sb_host_addr(r, &s, "dest_host", os_flow_addr(f, !os_flow_client(f)));
    sb_flow_counters(&s, f, why);
    sb_putc(&s, '}');
    sb_flush(r, &s);
}

/* ---- finding records --------------------------------------------------- */

static void sb_finding_flow(sb *s, const os_finding *f)
{
    sb_kv_u64(s, "flow_id", f->flow_id);
    sb_community_id(s, &f->src, f->sport, &f->dst, f->dport, f->proto);
    sb_endpoints(s, &f->src, f->sport, &f->dst, f->dport, f->proto);
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
    sb_role_kba(r, &s, f->rule);
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

/* ---- the summary record ------------------------------------------------ */

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
        sb_member(s, &first, os_decode_status_name((os_decode_status)i));
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

/* "alloc_failures": failed allocations per module, only when there were any. */
static void json_alloc_failed(sb *s, const os_stats *st)
{
    bool first = true;
    if (!os_stats_alloc_failed(st))
        return;
    sb_lit(s, ",\"alloc_failures\":{");
    for (int m = 0; m < OS_AM_COUNT; m++) {
        sb_member(s, &first, os_alloc_module_name((os_alloc_module)m));
        sb_u64(s, st->alloc_failed[m]);
    }
    sb_putc(s, '}');
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
    if (os_report_tables_full(st))
        sb_tables(s, st);
    if (st->kernel.valid) {
        sb_lit(s, ",\"kernel\":{\"received\":");
        sb_u64(s, st->kernel.received);
        sb_kv_u64(s, "dropped", st->kernel.dropped);
        sb_kv_u64(s, "ifdropped", st->kernel.ifdropped);
        sb_putc(s, '}');
    }
    if (st->read_error)
        sb_kv_str(s, "read_error", st->read_error);
    json_alloc_failed(s, st);
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
