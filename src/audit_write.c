/* audit_write.c — the site audit (audit.h) written three ways: text for
 * people after the summary, one JSON Lines "audit" record per row, and the
 * "## Audit" section of the Markdown report. Escaping and times come from
 * fmt.h; the words of a row's ends and ports from audit.c. */
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "omnisniff/audit.h"
#include "omnisniff/report.h"

/* Each status as a heading of the text, in os_audit_status order. */
static const char *const status_words[OS_AUDIT_NSTATUS] = {
    "seen and healthy", "attempted and failed", "never seen",
    "seen, not needed by the site" };

/* ---- words ------------------------------------------------------------ */

/* "TCP", "UDP" or "TCP/UDP". */
static const char *proto_str(uint8_t t)
{
    return t == (OS_T_TCP | OS_T_UDP) ? "TCP/UDP" : t == OS_T_TCP ? "TCP" : "UDP";
}

/* "icmp-unreachable (error), unanswered-connection (warning)" or "". */
static void kinds_str(const os_audit_row *r, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = '\0';
    for (int k = 0; k < OS_FK_COUNT && n < len; k++)
        if (r->kinds & (1u << k))
            n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? ", " : "",
                                  os_finding_kind_name((os_finding_kind)k));
}

/* "3 flows, 32 packets" (and the TCP handshakes when any failed). */
static void seen_str(const os_audit_row *r, char *buf, size_t len)
{
    uint64_t bad = r->hs[OS_HSV_REFUSED] + r->hs[OS_HSV_UNANSWERED];
    int n = snprintf(buf, len, "%llu flow%s, %llu packet%s", (unsigned long long)r->flows,
                     r->flows == 1 ? "" : "s", (unsigned long long)r->packets,
                     r->packets == 1 ? "" : "s");
    if (bad && n > 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, " (TCP: %llu established, %llu refused, %llu "
                 "unanswered)", (unsigned long long)(r->hs[OS_HSV_ESTABLISHED] +
                                                     r->hs[OS_HSV_MIDSTREAM]),
                 (unsigned long long)r->hs[OS_HSV_REFUSED],
                 (unsigned long long)r->hs[OS_HSV_UNANSWERED]);
}

/* A row in words, as the text and the Markdown table give it. */
typedef struct row_words {
    char src[160], dst[160]; /* its ends (os_audit_end_str) */
    char ports[16];          /* its service ports */
    char seen[128];          /* what was seen (seen_str) */
    char kinds[512];         /* the finding kinds raised on it (kinds_str) */
} row_words;

static void words_of(const os_audit *a, const os_audit_row *r, row_words *w)
{
    os_audit_end_str(a, &r->src, w->src, sizeof w->src);
    os_audit_end_str(a, &r->dst, w->dst, sizeof w->dst);
    os_audit_ports_str(r, w->ports, sizeof w->ports);
    seen_str(r, w->seen, sizeof w->seen);
    kinds_str(r, w->kinds, sizeof w->kinds);
}

/* ---- text ------------------------------------------------------------- */

/* ": 12 flows needed<dash>3 seen and healthy, …; 1 seen that the site does
 * not need": the counts of the headings of the text and of Markdown. */
static void counts(FILE *f, const os_audit *a, const char *dash)
{
    size_t need = a->n - a->count[OS_AUDIT_UNNEEDED];
    fprintf(f, ": %zu flow%s needed%s%zu seen and healthy, %zu attempted and failed, "
            "%zu never seen; %zu seen that the site does not need", need,
            need == 1 ? "" : "s", dash, a->count[OS_AUDIT_HEALTHY], a->count[OS_AUDIT_FAILED],
            a->count[OS_AUDIT_NEVER], a->count[OS_AUDIT_UNNEEDED]);
}

/* The heading line: site, firewall, counts. */
static void text_head(FILE *f, const os_audit *a)
{
    fprintf(f, "\naudit of site %s", a->site_file ? a->site_file : "-");
    if (a->site->firewall[0])
        fprintf(f, " (firewall %s)", a->site->firewall);
    counts(f, a, ": ");
    fputc('\n', f);
}

/* One row: role, transport, ports, ends; details below where there is something to act on. */
static void text_row(FILE *f, const os_audit *a, const os_audit_row *r)
{
    row_words w;
    char recv[160];
    words_of(a, r, &w);
    fprintf(f, "  %-25s %-7s %-11s %s > %s", a->rules->rule[r->rule].id, proto_str(r->transports),
            w.ports, w.src, w.dst);
    if (r->recv != SIZE_MAX)
        fprintf(f, " for %s", os_audit_end_str(a, &(os_audit_end){ r->recv,
                a->site->hosts.v[r->recv].net, a->site->hosts.v[r->recv].plen, false,
                OS_HR_ARCHIVER }, recv, sizeof recv));
    if (a->site->firewall[0] && r->crosses)
        fprintf(f, ", crosses %s", a->site->firewall);
    if (r->status == OS_AUDIT_HEALTHY)
        fprintf(f, ": %s", w.seen);
    fputc('\n', f);
    if (r->status == OS_AUDIT_FAILED || r->status == OS_AUDIT_UNNEEDED)
        fprintf(f, "      %s%s%s%s%s\n", w.seen, w.kinds[0] ? "; findings: " : "", w.kinds,
                r->worst != OS_SEV_NEVER ? ", worst " : "",
                r->worst != OS_SEV_NEVER ? os_severity_name(r->worst) : "");
    if (r->status == OS_AUDIT_FAILED || r->status == OS_AUDIT_NEVER)
        fprintf(f, "      KBA-00170: %s\n", a->rules->rule[r->rule].kba);
}

/* The audit as text. */
void os_audit_write_text(FILE *f, const os_audit *a)
{
    text_head(f, a);
    for (int st = 0; st < OS_AUDIT_NSTATUS; st++) {
        if (!a->count[st])
            continue;
        fprintf(f, "%s (%zu)\n", status_words[st], a->count[st]);
        for (size_t i = 0; i < a->n; i++)
            if (a->v[i].status == (os_audit_status)st)
                text_row(f, a, &a->v[i]);
    }
}

/* ---- JSON ------------------------------------------------------------- */

/* An end's address ("10.1.0.10", or "10.3.0.0/24" for a network). */
static void json_net(FILE *f, const os_audit_end *e)
{
    char net[OS_ADDRSTRLEN + 8];
    os_fmt_json_fputs(f, os_audit_net_str(e, net, sizeof net));
}

/* ,"src_host":{"name":…,"role":…} when the end is a site host. */
static void json_host(FILE *f, const os_audit *a, const char *k, const os_audit_end *e)
{
    if (e->host == SIZE_MAX)
        return;
    fprintf(f, ",\"%s\":{\"name\":", k);
    if (a->site->hosts.v[e->host].name[0])
        os_fmt_json_fputs(f, a->site->hosts.v[e->host].name);
    else
        fputs("null", f);
    fputs(",\"role\":", f);
    if (e->role >= 0)
        os_fmt_json_fputs(f, os_hrole_name((os_hrole)e->role));
    else
        fputs("null", f);
    fputc('}', f);
}

/* Ports, transport and hosts of a row. */
static void json_flow(FILE *f, const os_audit *a, const os_audit_row *r)
{
    const char *side = r->port_on_src ? "src" : "dest";
    fputs(",\"src_ip\":", f);
    json_net(f, &r->src);
    fputs(",\"dest_ip\":", f);
    json_net(f, &r->dst);
    fprintf(f, ",\"%s_port\":%u", side, r->port_lo);
    if (r->port_hi != r->port_lo)
        fprintf(f, ",\"%s_port_last\":%u", side, r->port_hi);
    fprintf(f, ",\"proto\":\"%s\"", proto_str(r->transports));
    json_host(f, a, "src_host", &r->src);
    json_host(f, a, "dest_host", &r->dst);
    if (r->recv != SIZE_MAX) {
        fputs(",\"recv_ip\":", f);
        json_net(f, &(os_audit_end){ r->recv, a->site->hosts.v[r->recv].net,
                                     a->site->hosts.v[r->recv].plen, false, -1 });
    }
    if (a->site->firewall[0]) {
        fputs(",\"firewall\":", f);
        os_fmt_json_fputs(f, a->site->firewall);
        fprintf(f, ",\"crosses_firewall\":%s", r->crosses ? "true" : "false");
    }
}

/* What was seen of a row. */
static void json_seen(FILE *f, const os_audit_row *r)
{
    char t[32];
    bool first = true;
    fprintf(f, ",\"flows\":%llu,\"packets\":%llu", (unsigned long long)r->flows,
            (unsigned long long)r->packets);
    if (r->edges && r->first_ns) {
        os_fmt_iso_time(r->first_ns, t);
        fprintf(f, ",\"first_seen\":\"%s\"", t);
        os_fmt_iso_time(r->last_ns, t);
        fprintf(f, ",\"last_seen\":\"%s\"", t);
    }
    if (r->transports & OS_T_TCP && r->edges)
        for (int v = 0; v <= OS_HSV_PARTIAL; v++) {
            fprintf(f, "%s\"%s\":%llu", first ? ",\"tcp_handshakes\":{" : ",",
                    os_flow_hs_name((os_hs_verdict)v), (unsigned long long)r->hs[v]);
            first = false;
        }
    if (!first)
        fputc('}', f);
    fputs(",\"findings\":[", f);
    first = true;
    for (int k = 0; k < OS_FK_COUNT; k++)
        if (r->kinds & (1u << k)) {
            fprintf(f, "%s\"%s\"", first ? "" : ",", os_finding_kind_name((os_finding_kind)k));
            first = false;
        }
    fputc(']', f);
    if (r->worst != OS_SEV_NEVER)
        fprintf(f, ",\"severity\":\"%s\"", os_severity_name(r->worst));
}

/* One "audit" record per row. */
void os_audit_write_json(FILE *f, const os_audit *a)
{
    char t[32];
    os_fmt_iso_time(a->ts_ns, t);
    for (size_t i = 0; i < a->n; i++) {
        const os_audit_row *r = &a->v[i];
        fprintf(f, "{\"timestamp\":\"%s\",\"type\":\"audit\",\"schema_version\":%d,"
                "\"status\":\"%s\",\"role\":", t, OS_JSON_SCHEMA_VERSION,
                os_audit_status_name(r->status));
        os_fmt_json_fputs(f, a->rules->rule[r->rule].id);
        json_flow(f, a, r);
        json_seen(f, r);
        fputs(",\"kba\":", f);
        os_fmt_json_fputs(f, a->rules->rule[r->rule].kba);
        fputs("}\n", f);
    }
}

/* ---- Markdown --------------------------------------------------------- */

/* One table row. */
static void md_row(FILE *f, const os_audit *a, const os_audit_row *r)
{
    row_words w;
    words_of(a, r, &w);
    fprintf(f, "| %s | `%s` | ", os_audit_status_name(r->status), a->rules->rule[r->rule].id);
    os_fmt_md_cell(f, w.src);
    fputs(" | ", f);
    os_fmt_md_cell(f, w.dst);
    fprintf(f, " | %s %s | %s | %s | %s |\n", proto_str(r->transports), w.ports,
            a->site->firewall[0] ? (r->crosses ? "yes" : "no") : "—",
            r->edges ? w.seen : "—", w.kinds[0] ? w.kinds : "—");
}

/* The KBA sentence of every traffic role a needed row rests on, once each. */
static void md_kba(FILE *f, const os_audit *a)
{
    fputs("\nWhy each of these flows is needed (rules file, KBA-00170):\n\n", f);
    for (int ri = 0; ri < a->rules->n; ri++)
        for (size_t i = 0; i < a->n; i++)
            if (a->v[i].rule == ri && a->v[i].status != OS_AUDIT_UNNEEDED) {
                fprintf(f, "- `%s`: ", a->rules->rule[ri].id);
                os_fmt_md_cell(f, a->rules->rule[ri].kba);
                fputc('\n', f);
                break;
            }
}

/* A Markdown "## Audit" section. */
void os_audit_write_md(FILE *f, const os_audit *a)
{
    size_t need = a->n - a->count[OS_AUDIT_UNNEEDED];
    fputs("## Audit\n\n", f);
    fprintf(f, "Site `%s`", a->site_file ? a->site_file : "-");
    if (a->site->firewall[0])
        fprintf(f, ", firewall `%s`", a->site->firewall);
    counts(f, a, " — ");
    fputs(".\n\n", f);
    if (!a->n)
        return;
    fprintf(f, "| status | traffic role | from | to | transport | crosses the firewall | "
            "seen | findings |\n|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < a->n; i++)
        md_row(f, a, &a->v[i]);
    if (need)
        md_kba(f, a);
}
