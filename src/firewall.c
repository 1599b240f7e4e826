/* firewall.c — allow rules for the Omnicast flows that cross the firewall,
 * from an audit, in the nftables, iptables, netsh and Cisco ASA dialects.
 *
 * One pass over the needed rows that cross (rules), one over the
 * seen-not-needed rows that cross (commented out, marked "observed"); rows
 * that would give the same rule twice (an encoder's multicast stream
 * recorded by two Archivers) are written once. Ports, transports and which
 * side owns the port all come from the audit row, i.e. from the rules file. */
#include "omnisniff/firewall.h"

#include <stdint.h>
#include <string.h>

static const char *const fmt_id[OS_FW_NFORMATS] = { "nftables", "iptables", "netsh",
                                                    "cisco-asa" };

/* Parse a dialect id. */
bool os_fw_format_parse(const char *s, os_fw_format *out)
{
    for (int i = 0; i < OS_FW_NFORMATS; i++)
        if (!strcmp(s, fmt_id[i])) {
            *out = (os_fw_format)i;
            return true;
        }
    return false;
}

/* Stable id of a dialect. */
const char *os_fw_format_name(os_fw_format f) { return f < OS_FW_NFORMATS ? fmt_id[f] : NULL; }

/* What one rule is about, ready to print. */
typedef struct fw_rule {
    const os_audit *a;        /* the audit */
    const os_audit_row *r;    /* its row */
    bool observed;            /* a seen-not-needed row: write it commented out */
    char src[OS_ADDRSTRLEN + 4], dst[OS_ADDRSTRLEN + 4]; /* "10.3.0.0/24", "10.1.0.10" */
    char ports[16];           /* "5001" or "15000-16000" */
    char comment[128];        /* "gateway-command: client -> Gateway dir-gw1 (never-seen)" */
} fw_rule;

/* One dialect: header, one rule, trailer. */
typedef struct fw_dialect {
    void (*head)(FILE *, const os_audit *);  /* comments, table/chain openers */
    void (*rule)(FILE *, const fw_rule *);   /* one flow's rule(s) with its comment */
    void (*observed_head)(FILE *);           /* the "observed, not in the site file" mark */
    void (*tail)(FILE *, const os_audit *);  /* closers */
    bool per_host;   /* rules live on the receiving host (netsh): a multicast
                        stream needs one per recording Archiver */
} fw_dialect;

/* An end in a comment: role label and name ("Gateway dir-gw1"), or its address. */
static void end_word(const os_audit *a, const os_audit_end *e, char *buf, size_t len)
{
    const char *name = e->host != SIZE_MAX ? a->site->hosts.v[e->host].name : "";
    char net[OS_ADDRSTRLEN + 4];
    os_audit_net_str(e, net, sizeof net);
    if (e->multicast)
        snprintf(buf, len, "multicast");
    else if (e->role >= 0)
        snprintf(buf, len, "%s%s%s", os_hrole_label((os_hrole)e->role), name[0] ? " " : "",
                 name);
    else
        snprintf(buf, len, "%s", name[0] ? name : net);
}

/* The comment of a rule; quotes and backslashes become apostrophes. */
static void make_comment(fw_rule *w)
{
    char s[96], d[96], all[320];
    end_word(w->a, &w->r->src, s, sizeof s);
    end_word(w->a, &w->r->dst, d, sizeof d);
    snprintf(all, sizeof all, "%s%s: %s -> %s (%s)", w->observed ? "observed " : "",
             w->a->rules->rule[w->r->rule].id, s, d, os_audit_status_name(w->r->status));
    snprintf(w->comment, sizeof w->comment, "%.*s", (int)sizeof w->comment - 1, all);
    for (char *p = w->comment; *p; p++)
        if (*p == '"' || *p == '\\')
            *p = '\'';
}

/* Same rule text: same ends, transport, ports and port side (and receiving
 * host, for per-host dialects). */
static bool same_rule(const os_audit_row *x, const os_audit_row *y, bool per_host)
{
    return (!per_host || x->recv == y->recv) && x->transports == y->transports && x->port_lo == y->port_lo &&
           x->port_hi == y->port_hi && x->port_on_src == y->port_on_src &&
           x->src.plen == y->src.plen && x->dst.plen == y->dst.plen &&
           !os_addr_cmp(&x->src.net, &y->src.net) && !os_addr_cmp(&x->dst.net, &y->dst.net);
}

/* Rows of one pass: needed (observed false) or seen-not-needed, crossing. */
static bool in_pass(const os_audit_row *r, bool observed)
{
    return r->crosses && (r->status == OS_AUDIT_UNNEEDED) == observed;
}

/* Write every rule of one pass; returns how many. */
static size_t write_pass(FILE *f, const os_audit *a, const fw_dialect *d, bool observed)
{
    size_t n = 0;
    for (size_t i = 0; i < a->n; i++) {
        const os_audit_row *r = &a->v[i];
        bool dup = false;
        if (!in_pass(r, observed))
            continue;
        for (size_t j = 0; j < i && !dup; j++)
            dup = in_pass(&a->v[j], observed) && same_rule(&a->v[j], r, d->per_host);
        if (dup)
            continue;
        if (observed && !n)
            d->observed_head(f);
        fw_rule w = { .a = a, .r = r, .observed = observed };
        os_audit_net_str(&r->src, w.src, sizeof w.src);
        os_audit_net_str(&r->dst, w.dst, sizeof w.dst);
        os_audit_ports_str(r, w.ports, sizeof w.ports);
        make_comment(&w);
        d->rule(f, &w);
        n++;
    }
    return n;
}

/* The common first comment lines (prefix is the dialect's comment mark). */
static void about(FILE *f, const os_audit *a, const char *mark, const char *dialect)
{
    fprintf(f, "%s omnisniff --firewall-rules %s: site %s\n", mark, dialect,
            a->site_file ? a->site_file : "-");
    if (a->site->firewall[0])
        fprintf(f, "%s Allow rules for the Omnicast flows that cross firewall '%s', each "
                "commented with its\n", mark, a->site->firewall);
    else
        fprintf(f, "%s The site file declares no firewall: allow rules for every Omnicast "
                "flow it needs, each commented with its\n", mark);
    fprintf(f, "%s traffic role, host roles and audit status. Rows marked 'observed' were "
            "seen but are not in the\n%s site file: they are commented out; enable one only "
            "if that traffic is wanted.\n", mark, mark);
}

/* ---- nftables --------------------------------------------------------- */

static void nft_head(FILE *f, const os_audit *a)
{
    about(f, a, "#", "nftables");
    fputs("# Load with 'nft -f FILE'; then add 'jump omnicast_allow' to your forward chain\n"
          "# before its final drop.\ntable inet omnisniff {\n\tchain omnicast_allow {\n"
          "\t\tct state established,related accept comment \"replies of allowed flows\"\n", f);
}

static void nft_rule(FILE *f, const fw_rule *w)
{
    const os_audit_row *r = w->r;
    const char *fam = r->src.net.ver == 6 ? "ip6" : "ip";
    const char *side = r->port_on_src ? "sport" : "dport";
    fprintf(f, "\t\t%s%s saddr %s %s daddr %s ", w->observed ? "# " : "", fam, w->src, fam,
            w->dst);
    if (r->transports == (OS_T_TCP | OS_T_UDP))
        fprintf(f, "meta l4proto { tcp, udp } th %s %s", side, w->ports);
    else
        fprintf(f, "%s %s %s", r->transports == OS_T_TCP ? "tcp" : "udp", side, w->ports);
    fprintf(f, " accept comment \"%s\"\n", w->comment);
}

static void nft_observed(FILE *f)
{
    fputs("\t\t# observed, not in the site file (review before enabling):\n", f);
}

static void nft_tail(FILE *f, const os_audit *a)
{
    (void)a;
    fputs("\t}\n}\n", f);
}

/* ---- iptables --------------------------------------------------------- */

static void ipt_head(FILE *f, const os_audit *a)
{
    about(f, a, "#", "iptables");
    fputs("# Load with 'iptables-restore --noflush FILE'; then add '-j OMNICAST-ALLOW' to\n"
          "# your FORWARD chain before its final drop. IPv6 flows are listed as comments:\n"
          "# give them to ip6tables-restore.\n*filter\n:OMNICAST-ALLOW - [0:0]\n"
          "-A OMNICAST-ALLOW -m conntrack --ctstate ESTABLISHED,RELATED "
          "-m comment --comment \"replies of allowed flows\" -j ACCEPT\n", f);
}

/* One iptables line for one transport. */
static void ipt_line(FILE *f, const fw_rule *w, const char *proto)
{
    char ports[16];
    const char *mark = w->observed ? "#" : w->r->src.net.ver == 6 ? "# ip6tables: " : "";
    snprintf(ports, sizeof ports, "%s", w->ports);
    for (char *p = ports; *p; p++)
        if (*p == '-')
            *p = ':';
    fprintf(f, "%s-A OMNICAST-ALLOW -s %s -d %s -p %s -m %s --%s %s -m comment --comment \"%s\" "
            "-j ACCEPT\n", mark, w->src, w->dst, proto, proto,
            w->r->port_on_src ? "sport" : "dport", ports, w->comment);
}

static void ipt_rule(FILE *f, const fw_rule *w)
{
    if (w->r->transports & OS_T_TCP)
        ipt_line(f, w, "tcp");
    if (w->r->transports & OS_T_UDP)
        ipt_line(f, w, "udp");
}

static void ipt_observed(FILE *f) { fputs("# observed, not in the site file (review before enabling):\n", f); }

static void ipt_tail(FILE *f, const os_audit *a)
{
    (void)a;
    fputs("COMMIT\n", f);
}

/* ---- netsh ------------------------------------------------------------ */

static void netsh_head(FILE *f, const os_audit *a)
{
    about(f, a, "REM", "netsh");
    fputs("REM Windows Defender Firewall: run each command on the receiving host named above "
          "it\nREM (outbound traffic and the replies of allowed flows pass by default).\n", f);
}

/* One netsh command for one transport. */
static void netsh_line(FILE *f, const fw_rule *w, const char *proto)
{
    const os_audit_row *r = w->r;
    fprintf(f, "%snetsh advfirewall firewall add rule name=\"omnisniff %s %s from %s\" dir=in "
            "action=allow protocol=%s", w->observed ? "REM " : "", w->a->rules->rule[r->rule].id,
            proto, w->src, proto);
    if (!r->dst.multicast)
        fprintf(f, " localip=%s", w->dst);
    fprintf(f, " %s=%s remoteip=%s\n", r->port_on_src ? "remoteport" : "localport", w->ports,
            w->src);
}

static void netsh_rule(FILE *f, const fw_rule *w)
{
    const os_audit_row *r = w->r;
    char on[OS_ADDRSTRLEN + 80];
    const os_audit_end *rx = &r->dst;
    os_audit_end recv;
    if (r->dst.multicast && r->recv != SIZE_MAX) {
        recv = (os_audit_end){ r->recv, w->a->site->hosts.v[r->recv].net,
                               w->a->site->hosts.v[r->recv].plen, false, OS_HR_ARCHIVER };
        rx = &recv;
    }
    os_audit_end_str(w->a, rx, on, sizeof on);
    fprintf(f, "REM %s; run on %s%s\n", w->comment, rx->plen == (rx->net.ver == 6 ? 128 : 32)
            ? "" : "each host of ", on);
    if (r->transports & OS_T_TCP)
        netsh_line(f, w, "TCP");
    if (r->transports & OS_T_UDP)
        netsh_line(f, w, "UDP");
}

static void netsh_observed(FILE *f) { fputs("REM observed, not in the site file (review before enabling):\n", f); }

static void netsh_tail(FILE *f, const os_audit *a) { (void)f, (void)a; }

/* ---- Cisco ASA -------------------------------------------------------- */

static void asa_head(FILE *f, const os_audit *a)
{
    about(f, a, "!", "cisco-asa");
    if (a->site->firewall[0])
        fputs("! One access list per side a flow starts on; apply them with (your interface "
              "names):\n!   access-group omnicast-outside in interface outside\n"
              "!   access-group omnicast-inside in interface inside\n", f);
    else
        fputs("! Apply with: access-group omnicast in interface INTERFACE\n", f);
    fputs("! Replies pass by the ASA's connection table.\n", f);
}

/* An address as an ASA ACL wants it: "host A", "NET MASK", "NET/LEN" (IPv6). */
static void asa_addr(FILE *f, const os_audit_end *e, const char *text)
{
    unsigned full = e->net.ver == 6 ? 128 : 32;
    char ip[OS_ADDRSTRLEN];
    if (e->plen == full) {
        fprintf(f, " host %s", text);
    } else if (e->net.ver == 6) {
        fprintf(f, " %s", text);
    } else {
        uint32_t m = e->plen ? 0xffffffffu << (32 - e->plen) : 0;
        fprintf(f, " %s %u.%u.%u.%u", os_addr_str(&e->net, ip), m >> 24, m >> 16 & 255,
                m >> 8 & 255, m & 255);
    }
}

/* " eq 5001" or " range 15000 16000". */
static void asa_ports(FILE *f, const os_audit_row *r)
{
    if (r->port_lo == r->port_hi)
        fprintf(f, " eq %u", r->port_lo);
    else
        fprintf(f, " range %u %u", r->port_lo, r->port_hi);
}

/* One access-list entry for one transport. */
static void asa_line(FILE *f, const fw_rule *w, const char *acl, const char *proto)
{
    fprintf(f, "%saccess-list %s extended permit %s", w->observed ? "! " : "", acl, proto);
    asa_addr(f, &w->r->src, w->src);
    if (w->r->port_on_src)
        asa_ports(f, w->r);
    asa_addr(f, &w->r->dst, w->dst);
    if (!w->r->port_on_src)
        asa_ports(f, w->r);
    fputc('\n', f);
}

static void asa_rule(FILE *f, const fw_rule *w)
{
    const os_audit_row *r = w->r;
    const char *acl = !w->a->site->firewall[0] ? "omnicast"
                      : os_site_inside(w->a->site, &r->src.net, r->src.plen) ? "omnicast-inside"
                                                                             : "omnicast-outside";
    fprintf(f, "%saccess-list %s remark %.100s\n", w->observed ? "! " : "", acl, w->comment);
    if (r->transports & OS_T_TCP)
        asa_line(f, w, acl, "tcp");
    if (r->transports & OS_T_UDP)
        asa_line(f, w, acl, "udp");
}

static void asa_observed(FILE *f) { fputs("! observed, not in the site file (review before enabling):\n", f); }

static void asa_tail(FILE *f, const os_audit *a) { (void)f, (void)a; }

static const fw_dialect dialects[OS_FW_NFORMATS] = {
    { nft_head, nft_rule, nft_observed, nft_tail, false },
    { ipt_head, ipt_rule, ipt_observed, ipt_tail, false },
    { netsh_head, netsh_rule, netsh_observed, netsh_tail, true },
    { asa_head, asa_rule, asa_observed, asa_tail, false },
};

/* Write the rules. */
void os_fw_write(FILE *f, const os_audit *a, os_fw_format fmt)
{
    const fw_dialect *d = &dialects[fmt < OS_FW_NFORMATS ? fmt : OS_FW_NFTABLES];
    d->head(f, a);
    write_pass(f, a, d, false);
    write_pass(f, a, d, true);
    d->tail(f, a);
}
