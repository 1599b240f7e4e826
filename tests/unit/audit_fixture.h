/* audit_fixture.h — a small site, the default rules and an observed system
 * built from flows made in memory, shared by test_audit.c and
 * test_firewall.c. */
#ifndef AUDIT_FIXTURE_H
#define AUDIT_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include "omnisniff/audit.h"
#include "omnisniff/graph.h"
#include "pkt.h"


#define FX_S 1000000000ULL

/* The fixture site: clients outside fw1, the rest inside; most client
 * roles unused so the matrix stays small. */
static const char fx_site_text[] =
    "10.1.0.10 directory dir1\n"
    "10.1.0.13 gateway gw1\n"
    "10.1.0.20 archiver arch1\n"
    "10.2.0.31 encoder cam1\n"
    "10.2.0.32 encoder cam2\n"
    "10.3.0.0/24 client\n"
    "record arch1 unicast cam1\n"
    "record arch1 multicast cam2\n"
    "firewall fw1 inside 10.1.0.0/16 10.2.0.0/16\n"
    "unused gateway-web\n"
    "unused gateway-udp-video\n"
    "unused gateway-udp-discovery\n"
    "unused gateway-tcp-video\n"
    "unused archiver-playback\n";

/* Parse rules text (NULL: the default rules). */
static void fx_rules(const char *text, os_ruleset *rs)
{
    os_diags d = { 0 };
    os_rules_text def = os_rules_default();
    const char *t = text ? text : def.text;
    size_t n = text ? strlen(text) : def.len;
    assert_true(os_rules_parse("r.rules", t, n, rs, &d));
    os_diags_free(&d);
}

/* Parse a site text against rs. */
static void fx_site(const char *text, const os_ruleset *rs, os_site *s)
{
    os_diags d = { 0 };
    bool ok = os_site_parse("fx.site", text, strlen(text), rs, s, &d);
    for (size_t i = 0; i < d.n; i++)
        print_error("%s", d.msg[i]);
    assert_true(ok);
    os_diags_free(&d);
}

/* Add one flow to g: src:sp initiated it; rule by id (NULL: unclassified);
 * hs: OS_HS_* bits for TCP. */
static void fx_flow(os_graph *g, const os_ruleset *rs, uint8_t proto, const char *src,
                    uint16_t sp, const char *dst, uint16_t dp, const char *rule, uint8_t hs,
                    uint32_t pkts)
{
    os_flow f;
    os_pkt p = tp_make(proto, src, sp, dst, dp, OS_TH_SYN, 60);
    memset(&f, 0, sizeof f);
    int side = os_flow_key_make(&p, &f.key);
    f.initiator = (uint8_t)side;
    f.pkts[side] = pkts;
    f.bytes[side] = 100ULL * pkts;
    f.first_ns = 5 * FX_S;
    f.last_ns = 9 * FX_S;
    f.hs = hs;
    f.label.rule = (int16_t)(rule ? os_rules_find(rs, rule) : -1);
    f.label.alt = -1;
    f.label.svc_side = (uint8_t)!side;
    f.label.conf = 3;
    assert_true(os_graph_add_flow(g, &f));
}

/* Tie a finding of kind k (severity sev) to the TCP/UDP flow src:sp > dst:dp. */
static void fx_finding(os_graph *g, const os_ruleset *rs, uint8_t proto, const char *src,
                       uint16_t sp, const char *dst, uint16_t dp, const char *rule,
                       os_finding_kind k, os_severity sev)
{
    os_finding fd;
    memset(&fd, 0, sizeof fd);
    fd.kind = k;
    fd.sev = sev;
    fd.has_flow = true;
    assert_true(os_addr_parse(src, &fd.src));
    assert_true(os_addr_parse(dst, &fd.dst));
    fd.sport = sp;
    fd.dport = dp;
    fd.proto = proto;
    fd.rule = (int16_t)os_rules_find(rs, rule);
    fd.first_ns = fd.last_ns = 7 * FX_S;
    assert_true(os_graph_add_finding(g, &fd));
}

/* The observed system of the fixture: a healthy Directory link, a client
 * whose SYNs to the Gateway go unanswered, cam2's multicast video (no
 * audio), the Archiver's stream known only from an ICMP error, and a host
 * the site does not know on the Gateway's command port. cam1 never streams. */
static os_graph *fx_graph(const os_ruleset *rs)
{
    os_graph *g = os_graph_new();
    const uint8_t est = OS_HS_SYN | OS_HS_SYNACK | OS_HS_ACK;
    fx_flow(g, rs, 6, "10.1.0.13", 40000, "10.1.0.10", 7998, "directory-link", est, 5);
    fx_flow(g, rs, 6, "10.3.0.23", 51000, "10.1.0.13", 5001, "gateway-command", OS_HS_SYN, 3);
    fx_finding(g, rs, 6, "10.3.0.23", 51000, "10.1.0.13", 5001, "gateway-command",
               OS_FK_UNANSWERED_CONNECTION, OS_SEV_WARNING);
    fx_flow(g, rs, 17, "10.2.0.32", 40010, "239.10.0.2", 47806, "multicast-video", 0, 10);
    fx_finding(g, rs, 17, "10.1.0.20", 41000, "10.1.0.13", 28000, "archiver-gateway-unicast",
               OS_FK_ICMP_UNREACHABLE, OS_SEV_ERROR);
    fx_flow(g, rs, 6, "10.9.9.9", 52000, "10.1.0.13", 5001, "gateway-command", est, 8);
    fx_flow(g, rs, 17, "10.3.0.23", 53000, "10.1.0.1", 53, NULL, 0, 2);
    return g;
}

/* The audit of the fixture (rules, site and graph kept by the caller). */
static void fx_audit(os_audit *a, const os_ruleset *rs, const os_site *s, const os_graph *g)
{
    char err[64];
    assert_true(os_audit_build(a, s, rs, "fx.site", err, sizeof err));
    assert_true(os_audit_observe(a, g, 10 * FX_S, err, sizeof err));
}

/* Everything written by fn(f, a) as a string (caller frees). */
static char *fx_capture(void (*fn)(FILE *, const os_audit *), const os_audit *a)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    fn(f, a);
    fclose(f);
    return buf;
}

#endif
