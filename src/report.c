/* report.c — what the report's writers share (report_int.h): the frame of
 * a text line or JSON Lines record on the report's stream, the cached
 * packet time, a host's roles as JSON, the role label of a flow and the
 * counts more than one writer gives (findings, the bounded tables). The writers are report_text.c (packet
 * lines, text summary), report_json.c (flow, finding and summary records),
 * report_problem.c and report_stream.c. */
#include "omnisniff/report.h"

#include "report_int.h"

/* ISO 8601 UTC time as EVE writes it (os_fmt_iso_time, for modules
 * outside src/). */
void os_report_iso_time(uint64_t ts_ns, char buf[32])
{
    os_fmt_iso_time(ts_ns, buf);
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

/* Every finding raised, of any kind. */
uint64_t os_report_findings_total(const os_stats *s)
{
    uint64_t n = 0;
    for (int k = 0; k < OS_FK_COUNT; k++)
        n += s->findings[k];
    return n;
}

/* True when a bounded table was full: it evicted or did not remember. */
bool os_report_tables_full(const os_stats *s)
{
    return s->tab_hosts.hosts_evicted || s->tab_hosts.pair_facts_dropped ||
           s->tab_problems.problems_evicted || s->tab_problems.answered_evicted ||
           s->tab_first.first_peers_dropped;
}

/* ,"tables":{…}: what each bounded table holds and what it lost. */
void sb_tables(sb *s, const os_stats *st)
{
    sb_lit(s, ",\"tables\":{\"hosts\":");
    sb_u64(s, st->tab_hosts.hosts);
    sb_kv_u64(s, "hosts_evicted", st->tab_hosts.hosts_evicted);
    sb_kv_u64(s, "problems", st->tab_problems.problems);
    sb_kv_u64(s, "problems_evicted", st->tab_problems.problems_evicted);
    sb_kv_u64(s, "pair_facts", st->tab_hosts.pair_facts);
    sb_kv_u64(s, "pair_facts_dropped", st->tab_hosts.pair_facts_dropped);
    sb_kv_u64(s, "answered", st->tab_problems.answered);
    sb_kv_u64(s, "answered_evicted", st->tab_problems.answered_evicted);
    sb_kv_u64(s, "problem_peers", st->tab_problems.peers_held);
    sb_kv_u64(s, "first_peers", st->tab_first.first_peers);
    sb_kv_u64(s, "first_peers_dropped", st->tab_first.first_peers_dropped);
    sb_putc(s, '}');
}

/* ---- the frame of a line or record ------------------------------------- */

/* The "!!" line of a finding or problem. */
void os_report_live_line(os_report *r, uint64_t ts, bool now, os_severity sev,
                         os_finding_kind kind, const char *text)
{
    sb s;
    s.n = 0;
    sb_time(r, &s, ts);
    sb_lit(&s, " !! ");
    if (now)
        sb_lit(&s, "now ");
    sb_puts(&s, os_severity_name(sev));
    sb_putc(&s, ' ');
    sb_puts(&s, os_finding_kind_name(kind));
    sb_lit(&s, ": ");
    sb_puts(&s, text);
    sb_flush(r, &s);
}

void sb_spill(os_report *r, sb *s)
{
    fwrite(s->b, 1, s->n, r->out);
    s->n = 0;
}

/* Start a JSON Lines record: {"timestamp":…,"type":…,"schema_version":… */
void sb_record(sb *s, uint64_t ts, const char *type)
{
    char t[32];
    s->n = 0;
    os_fmt_iso_time(ts, t);
    sb_lit(s, "{\"timestamp\":");
    sb_json_str(s, t);
    sb_kv_str(s, "type", type);
    sb_kv_u64(s, "schema_version", OS_JSON_SCHEMA_VERSION);
}

/* Endpoints as EVE names them. */
void sb_endpoints(sb *s, const os_addr *a, uint16_t pa, const os_addr *b, uint16_t pb,
                  uint8_t proto)
{
    char t[OS_ADDRSTRLEN], nb[4];
    bool ports = proto == 6 || proto == 17;
    sb_kv_str(s, "src_ip", os_addr_str(a, t));
    if (ports)
        sb_kv_u64(s, "src_port", pa);
    sb_kv_str(s, "dest_ip", os_addr_str(b, t));
    if (ports)
        sb_kv_u64(s, "dest_port", pb);
    sb_kv_str(s, "proto", os_proto_name(proto, nb));
}

/* The traffic role of a finding or problem, and its KBA sentence. */
void sb_role_kba(os_report *r, sb *s, int rule)
{
    sb_key(s, "role");
    if (rule < 0) {
        sb_lit(s, "null");
        return;
    }
    sb_json_str(s, r->rules->rule[rule].id);
    sb_kv_str(s, "kba", r->rules->rule[rule].kba);
}

/* "src_host"/"dest_host": roles and confidence of an endpoint, if known. */
void sb_host_addr(os_report *r, sb *s, const char *k, os_addr a)
{
    os_conf c;
    os_hrole_set set = os_classify_host_roles(r->cls, &a, &c);
    const os_host *h;
    if (!set)
        return;
    h = os_classify_host(r->cls, &a);
    sb_key(s, k);
    sb_lit(s, "{\"roles\":");
    sb_roles(s, set);
    sb_kv_str(s, "confidence", os_conf_name(c));
    if (h && h->decl && h->decl->name[0])
        sb_kv_str(s, "name", h->decl->name);
    sb_putc(s, '}');
}
