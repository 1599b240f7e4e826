/* test_findings.c — the findings of docs/omnicast-roles.md section 3, driven through the public
 * pipeline with frames built in memory: every kind with its severity, the
 * flow fields (initiator as source; for ICMP the quoted flow's, with the
 * reporter apart), the traffic role it rests on, its packet count, and one
 * finding per flow (or stream, or host) and kind, never one per packet.
 * Also what must NOT be flagged (midstream flows, discovery, small replies,
 * shared ports without host roles, unset multicast settings, a healthy
 * site), rules files with non-default ports and multicast settings, IPv6,
 * and the --fail-on / --explain plumbing (kind and severity ids, worst).
 *
 * A test that shows src/ disagreeing with the spec is named *_SPEC_BUG_*
 * and states what the spec asks for (none at present). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "omnisniff/decode.h"
#include "omnisniff/findings.h"
#include "omnisniff/pipeline.h"


#define T0 1768471200000000000ULL /* 2026-01-15T10:00:00Z */
#define MS 1000000ULL
#define SEC 1000000000ULL
#define DLT_EN10MB 1

#define SYN OS_TH_SYN
#define SYNACK (OS_TH_SYN | OS_TH_ACK)
#define ACK OS_TH_ACK
#define PSHACK (OS_TH_PSH | OS_TH_ACK)
#define RSTACK (OS_TH_RST | OS_TH_ACK)

/* The hosts file of the test site (a subset is used where a test says so). */
static const char site_hosts[] =
    "10.1.0.9    directory          dir1\n"
    "10.1.0.10   gateway            gw1\n"
    "10.1.0.11   dfc                dfc1\n"
    "10.1.0.20   archiver           arch1\n"
    "10.2.0.31   encoder            cam1\n"
    "10.2.0.32   encoder            cam2\n"
    "10.3.0.0/16 client\n";

/* ---- fixture: one pipeline over rules and hosts given as text ---------- */

typedef struct site {
    os_ruleset rs;      /* rules */
    os_hostsfile hf;    /* declared hosts (empty if none) */
    os_pipeline *p;     /* the pipeline */
    FILE *out;          /* its output (memory) */
    char *buf;          /* output text */
    size_t len;         /* its length */
    uint64_t now;       /* time of the next frame */
    uint64_t last;      /* time of the last frame sent */
    fb fr;              /* the last frame sent */
    const os_stats *st; /* statistics, after site_finish */
} site;

static void parse_rules(const char *text, size_t len, os_ruleset *rs)
{
    os_diags d = { 0 };
    bool ok = os_rules_parse("test.rules", text, len, rs, &d);
    for (size_t i = 0; i < d.n; i++)
        print_message("%s", d.msg[i]);
    os_diags_free(&d);
    assert_true(ok);
}

/* Sites still open: a failing assertion leaves its test early, and the
 * teardown closes what it left (no leak reports under ASan). */
#define MAX_OPEN 4
static site *open_sites[MAX_OPEN];

/* The next site shows problems only (the default of the command line);
 * otherwise every finding too (--findings all), which most tests count. */
static bool problems_only;

/* A pipeline over `rules` (NULL: the embedded default set; the text may be
 * freed after) and `hosts` (NULL: none). */
static site *site_open_mode(const char *rules, const char *hosts, os_mode mode)
{
    os_diags d = { 0 };
    site *s = calloc(1, sizeof *s);
    assert_non_null(s);
    for (int i = 0; i <= MAX_OPEN; i++) {
        assert_true(i < MAX_OPEN);
        if (!open_sites[i]) {
            open_sites[i] = s;
            break;
        }
    }
    s->out = open_memstream(&s->buf, &s->len);
    assert_non_null(s->out);
    if (rules)
        parse_rules(rules, strlen(rules), &s->rs);
    else
        parse_rules(os_rules_default().text, os_rules_default().len, &s->rs);
    if (hosts) {
        bool ok = os_hosts_parse("test.hosts", hosts, strlen(hosts), &s->hf, &d);
        os_diags_free(&d);
        assert_true(ok);
    }
    os_pipeline_cfg cfg = { .rules = &s->rs, .hosts = hosts ? &s->hf : NULL,
                            .flow = os_flow_cfg_default(), .dlt = DLT_EN10MB,
                            .mode = mode, .out = s->out, .findings_all = !problems_only };
    char err[128];
    s->p = os_pipeline_new(&cfg, err, sizeof err);
    assert_non_null(s->p);
    s->now = T0;
    return s;
}

static site *site_open(const char *rules, const char *hosts)
{
    return site_open_mode(rules, hosts, OS_MODE_QUIET);
}

/* A site in packet-line mode as `omnisniff -r` runs by default. */
static site *site_open_default(void)
{
    problems_only = true;
    site *s = site_open_mode(NULL, NULL, OS_MODE_PACKETS);
    problems_only = false;
    return s;
}

/* Everything the pipeline printed so far. */
static const char *site_text(site *s)
{
    fflush(s->out);
    return s->buf ? s->buf : "";
}

static void site_close(site *s)
{
    for (int i = 0; i < MAX_OPEN; i++)
        if (open_sites[i] == s)
            open_sites[i] = NULL;
    os_pipeline_free(s->p);
    if (s->out)
        fclose(s->out);
    free(s->buf);
    os_rules_free(&s->rs);
    os_hosts_free(&s->hf);
    free(s);
}

/* Per-test teardown: close what a failed test left open. */
static int close_leftovers(void **state)
{
    (void)state;
    for (int i = 0; i < MAX_OPEN; i++)
        if (open_sites[i])
            site_close(open_sites[i]);
    return 0;
}

static void dump_findings(const site *s)
{
    for (size_t i = 0; i < s->st->nfindings; i++) {
        const os_finding *f = s->st->finding[i];
        print_message("  finding %s %s: %s\n", os_severity_name(f->sev),
                      os_finding_kind_name(f->kind), f->text);
    }
}

/* End of input: flush flows, run host checks, take the statistics. */
static const os_stats *site_finish(site *s)
{
    os_pipeline_flush(s->p, "test", "EN10MB", NULL, NULL);
    os_pipeline_summary(s->p);
    s->st = os_pipeline_stats(s->p);
    return s->st;
}

/* ---- frames ------------------------------------------------------------ */

static bool is_v6(const char *a) { return strchr(a, ':') != NULL; }

/* Send s->fr at s->now; the clock moves on 1 ms. */
static void send_frame(site *s)
{
    os_frame fr = { s->now, (uint32_t)s->fr.n, (uint32_t)s->fr.n, s->fr.b, DLT_EN10MB };
    assert_true(os_pipeline_packet(s->p, &fr));
    s->last = s->now;
    s->now += MS;
}

/* One TCP segment (IPv4 or IPv6, by the address). */
static void tcp(site *s, const char *src, unsigned sp, const char *dst, unsigned dp, uint8_t fl,
                size_t pay)
{
    if (is_v6(src)) {
        s->fr.n = 0;
        fb_eth(&s->fr, 0x86dd, NULL, 0, 0);
        fb_ipv6(&s->fr, src, dst, 6, 20 + pay);
        fb_tcp(&s->fr, sp, dp, fl, 5, pay);
    } else {
        fb_tcp4(&s->fr, src, sp, dst, dp, fl, pay);
    }
    send_frame(s);
}

/* `n` UDP datagrams of `pay` bytes (IPv4 or IPv6, by the address). */
static void udp(site *s, int n, const char *src, unsigned sp, const char *dst, unsigned dp,
                size_t pay)
{
    for (int i = 0; i < n; i++) {
        if (is_v6(src)) {
            s->fr.n = 0;
            fb_eth(&s->fr, 0x86dd, NULL, 0, 0);
            fb_ipv6(&s->fr, src, dst, 17, 8 + pay);
            fb_udp(&s->fr, sp, dp, pay);
        } else {
            fb_udp4(&s->fr, src, sp, dst, dp, pay);
        }
        send_frame(s);
    }
}

/* A full handshake peer→service, `data` bytes each way, then FINs. */
static void tcp_session(site *s, const char *peer, unsigned pp, const char *svc, unsigned sp,
                        size_t up, size_t down)
{
    tcp(s, peer, pp, svc, sp, SYN, 0);
    tcp(s, svc, sp, peer, pp, SYNACK, 0);
    tcp(s, peer, pp, svc, sp, ACK, 0);
    if (up)
        tcp(s, peer, pp, svc, sp, PSHACK, up);
    if (down)
        tcp(s, svc, sp, peer, pp, PSHACK, down);
    tcp(s, peer, pp, svc, sp, OS_TH_FIN | ACK, 0);
    tcp(s, svc, sp, peer, pp, OS_TH_FIN | ACK, 0);
}

/* An ICMP destination unreachable (IPv4 type 3, or ICMPv6 type 1) with
 * `code`, from `rep` to `to`, quoting q[0..qn). */
static void icmp_send(site *s, const char *rep, const char *to, uint8_t code, const uint8_t *q,
                      size_t qn)
{
    s->fr.n = 0;
    if (is_v6(rep)) {
        fb_eth(&s->fr, 0x86dd, NULL, 0, 0);
        fb_ipv6(&s->fr, rep, to, 58, 8 + qn);
        fb_icmp(&s->fr, 1, code, q, qn);
    } else {
        fb_eth(&s->fr, 0x0800, NULL, 0, 0);
        fb_ipv4(&s->fr, rep, to, 1, 8 + qn, 0, 0);
        fb_icmp(&s->fr, 3, code, q, qn);
    }
    send_frame(s);
}

/* The same quoting the IP header and first 8 bytes of a TCP SYN (qproto 6)
 * or a UDP datagram (17) qsrc:qsp → qdst:qdp. */
static void icmp_unreach(site *s, const char *rep, const char *to, uint8_t code, uint8_t qproto,
                         const char *qsrc, unsigned qsp, const char *qdst, unsigned qdp)
{
    fb q;
    bool v6 = is_v6(rep);
    size_t l4 = qproto == 6 ? 20 : 8;
    q.n = 0;
    if (v6)
        fb_ipv6(&q, qsrc, qdst, qproto, l4);
    else
        fb_ipv4(&q, qsrc, qdst, qproto, l4, 0, 0x4000);
    if (qproto == 6)
        fb_tcp(&q, qsp, qdp, SYN, 5, 0);
    else
        fb_udp(&q, qsp, qdp, 0);
    icmp_send(s, rep, to, code, q.b, (v6 ? 40 : 20) + 8);
}

/* flow_id of the flow the last frame sent belongs to, if that frame was its
 * first (flow ids hash the key and the first time). */
static uint64_t last_flow_id(const site *s)
{
    os_pkt pk;
    os_reason why;
    os_flow_key k;
    assert_int_equal(os_decode(NULL, DLT_EN10MB, s->fr.b, (uint32_t)s->fr.n, (uint32_t)s->fr.n, &pk,
                               &why),
                     OS_DEC_OK);
    os_flow_key_make(&pk, &k);
    return os_flow_id(&k, s->last);
}

/* ---- assertions -------------------------------------------------------- */

/* The one finding of kind k (asserts there is exactly one). */
static const os_finding *one(const site *s, os_finding_kind k)
{
    const os_finding *hit = NULL;
    size_t n = 0;
    for (size_t i = 0; i < s->st->nfindings; i++)
        if (s->st->finding[i]->kind == k) {
            hit = s->st->finding[i];
            n++;
        }
    if (n != 1 || s->st->findings[k] != 1) {
        print_message("expected one %s, found %zu:\n", os_finding_kind_name(k), n);
        dump_findings(s);
    }
    assert_int_equal(s->st->findings[k], 1);
    assert_int_equal(n, 1);
    assert_int_equal(hit->kind, k);
    assert_true(hit->text[0] != '\0'); /* the sentence for the technician */
    return hit;
}

/* Findings of kind k, into v (up to max); returns how many. */
static size_t all_of(const site *s, os_finding_kind k, const os_finding **v, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < s->st->nfindings; i++)
        if (s->st->finding[i]->kind == k && n < max)
            v[n++] = s->st->finding[i];
    return n;
}

static void none_of(const site *s, os_finding_kind k)
{
    if (s->st->findings[k]) {
        print_message("expected no %s:\n", os_finding_kind_name(k));
        dump_findings(s);
    }
    assert_int_equal(s->st->findings[k], 0);
}

/* Exactly n findings in all. */
static void count_is(const site *s, size_t n)
{
    if (s->st->nfindings != n) {
        print_message("expected %zu finding(s), found %zu:\n", n, s->st->nfindings);
        dump_findings(s);
    }
    assert_int_equal(s->st->nfindings, n);
}

/* No finding at warning or error. */
static void no_warning_or_error(const site *s)
{
    dump_findings(s);
    for (size_t i = 0; i < s->st->nfindings; i++)
        assert_int_equal(s->st->finding[i]->sev, OS_SEV_INFO);
    assert_true(os_pipeline_worst(s->p) == OS_SEV_INFO || os_pipeline_worst(s->p) == OS_SEV_NEVER);
}

static void addr_is(const os_addr *a, const char *want)
{
    char t[OS_ADDRSTRLEN];
    assert_string_equal(os_addr_str(a, t), want);
}

/* The flow fields: proto, initiator src:sp → responder dst:dp. */
static void flow_is(const os_finding *f, uint8_t proto, const char *src, unsigned sp,
                    const char *dst, unsigned dp)
{
    assert_true(f->has_flow);
    assert_int_equal(f->proto, proto);
    addr_is(&f->src, src);
    assert_int_equal(f->sport, sp);
    addr_is(&f->dst, dst);
    assert_int_equal(f->dport, dp);
}

/* The traffic role a finding rests on ("-" for none). */
static void rule_is(const site *s, const os_finding *f, const char *id)
{
    assert_string_equal(f->rule >= 0 ? s->rs.rule[f->rule].id : "-", id);
}

/* Flows the summary counts for a traffic role. */
static uint64_t role_flows(const site *s, const char *id)
{
    int r = os_rules_find(&s->rs, id);
    assert_true(r >= 0);
    return s->st->role[r].flows;
}

/* `text` with every `from` replaced by `to`, which must occur (caller frees). */
static char *replace_all(const char *text, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to), len = strlen(text), n = 0;
    char *out = malloc(len * (tl > fl ? tl : 1) + 1);
    assert_non_null(out);
    assert_non_null(strstr(text, from));
    for (size_t i = 0; i < len;) {
        if (strncmp(text + i, from, fl) == 0) {
            memcpy(out + n, to, tl);
            n += tl;
            i += fl;
        } else {
            out[n++] = text[i++];
        }
    }
    out[n] = '\0';
    return out;
}

/* The default rules with `from` replaced by `to` (caller frees). */
static char *default_rules_edit(const char *from, const char *to)
{
    os_rules_text def = os_rules_default();
    char *d = malloc(def.len + 1), *r;
    assert_non_null(d);
    memcpy(d, def.text, def.len);
    d[def.len] = '\0';
    r = replace_all(d, from, to);
    free(d);
    return r;
}

/* The default rules with the site's multicast settings: NULL leaves a
 * setting unset (caller frees). */
static char *default_rules_mcast(const char *start, const char *range)
{
    char line[96], *a, *b;
    snprintf(line, sizeof line, "set multicast-start %s", start ? start : "unset");
    a = default_rules_edit("set multicast-start unset", line);
    snprintf(line, sizeof line, "set multicast-range %s", range ? range : "unset");
    b = replace_all(a, "set multicast-range unset", line);
    free(a);
    return b;
}

/* ======================================================================== */
/* unanswered-connection                                                    */

/* Three SYNs of one flow, none answered: ONE finding counting 3, raised as
 * soon as the SYN is retried (a live capture shows it at once). */
static void test_unanswered_syn_retries_one_finding(void **state)
{
    (void)state;
    site *s = site_open(NULL, NULL);
    tcp(s, "10.3.0.23", 51003, "10.1.0.20", 6061, SYN, 0);
    uint64_t id = last_flow_id(s), t1 = s->last;
    assert_int_equal(os_pipeline_worst(s->p), OS_SEV_NEVER);
    s->now += 1 * SEC;
    tcp(s, "10.3.0.23", 51003, "10.1.0.20", 6061, SYN, 0);
    assert_int_equal(os_pipeline_worst(s->p), OS_SEV_WARNING); /* raised live */
    s->now += 2 * SEC;
    tcp(s, "10.3.0.23", 51003, "10.1.0.20", 6061, SYN, 0);
    uint64_t t3 = s->last;
    site_finish(s);
    const os_finding *f = one(s, OS_FK_UNANSWERED_CONNECTION);
    assert_int_equal(f->sev, OS_SEV_WARNING);
    flow_is(f, 6, "10.3.0.23", 51003, "10.1.0.20", 6061);
    rule_is(s, f, "archiver-playback");
    assert_int_equal(f->packets, 3);
    assert_int_equal(f->flow_id, id);
    assert_int_equal(f->first_ns, t1);
    assert_int_equal(f->last_ns, t3);
    count_is(s, 1);
    assert_int_equal(os_pipeline_worst(s->p), OS_SEV_WARNING);
    site_close(s);
}

/* Two SYNs, then the SYN-ACK: the finding raised at the retry stays, and
 * its sentence says the server answered late, not that it never answered. */
static void test_unanswered_then_answered_says_late(void **state)
{
    (void)state;
    site *s = site_open(NULL, NULL);
    tcp(s, "10.3.0.23", 51003, "10.1.0.20", 6061, SYN, 0);
    s->now += 1 * SEC;
    tcp(s, "10.3.0.23", 51003, "10.1.0.20", 6061, SYN, 0);
    assert_int_equal(os_pipeline_worst(s->p), OS_SEV_WARNING);
    tcp(s, "10.1.0.20", 6061, "10.3.0.23", 51003, SYN | ACK, 0);
    tcp(s, "10.3.0.23", 51003, "10.1.0.20", 6061, ACK, 0);
    site_finish(s);
    const os_finding *f = one(s, OS_FK_UNANSWERED_CONNECTION);
    assert_int_equal(f->packets, 2);
    assert_non_null(strstr(f->text, "only after 2 SYNs"));
    assert_null(strstr(f->text, "never answered"));
    site_close(s);
}

/* The same three SYNs in packet mode: one live "!!" line, not three. */
static void test_unanswered_live_line_once(void **state)
{
    (void)state;
    site *s = site_open_mode(NULL, NULL, OS_MODE_PACKETS);
    for (int i = 0; i < 3; i++) {
        tcp(s, "10.3.0.23", 51003, "10.1.0.20", 6061, SYN, 0);
        s->now += 1 * SEC;
    }
    const char *t = site_text(s);
    const char *hit = strstr(t, "!! warning unanswered-connection");
    assert_non_null(hit);
    assert_null(strstr(hit + 1, "!! warning unanswered-connection"));
    site_finish(s);
    assert_int_equal(s->st->findings[OS_FK_UNANSWERED_CONNECTION], 1);
    site_close(s);
}

/* A single SYN, never answered until the end of the capture: flagged when
 * the flow is flushed, with one packet. */
static void test_unanswered_single_syn_until_end(void **state)
{
    (void)state;
    site *s = site_open(NULL, NULL);
    tcp(s, "10.1.0.13", 40000, "10.1.0.9", 7998, SYN, 0);
    uint64_t id = last_flow_id(s);
    assert_int_equal(os_pipeline_worst(s->p), OS_SEV_NEVER); /* not before the end */
    site_finish(s);
    const os_finding *f = one(s, OS_FK_UNANSWERED_CONNECTION);
    assert_int_equal(f->sev, OS_SEV_WARNING);
    flow_is(f, 6, "10.1.0.13", 40000, "10.1.0.9", 7998);
    rule_is(s, f, "directory-link");
    assert_int_equal(f->packets, 1);
    assert_int_equal(f->flow_id, id);
    count_is(s, 1);
    site_close(s);
}

/* A single SYN, then the flow's idle timeout (TCP: 300 s) passes: flagged
 * when the flow leaves the table, before the end of the capture. */
static void test_unanswered_single_syn_until_timeout(void **state)
{
    (void)state;
    site *s = site_open(NULL, NULL);
    tcp(s, "10.3.0.23", 51003, "10.1.0.20", 6061, SYN, 0);
    s->now += 301 * SEC;
    udp(s, 1, "10.3.0.23", 53000, "10.1.0.1", 53, 40); /* the clock moves on */
    assert_int_equal(os_pipeline_worst(s->p), OS_SEV_WARNING);
    site_finish(s);
    const os_finding *f = one(s, OS_FK_UNANSWERED_CONNECTION);
    flow_is(f, 6, "10.3.0.23", 51003, "10.1.0.20", 6061);
    assert_int_equal(f->packets, 1);
    count_is(s, 1);
    site_close(s);
}

/* How many times `what` occurs in text. */
static size_t count_records(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, what)); p++)
        n++;
    return n;
}

/* The quick verdict: a single SYN is judged once syn-verdict-seconds (3)
 * of packet time have passed, not at the flow's 300 s timeout; the line
 * comes before the packet that crossed the deadline. */
static void test_unanswered_quick_verdict(void **state)
{
    (void)state;
    site *s = site_open_default();
    tcp(s, "10.3.0.23", 51003, "10.1.0.20", 6061, SYN, 0);
    s->now = T0 + 2900 * MS;
    udp(s, 1, "10.3.0.23", 53000, "10.1.0.1", 53, 40);
    assert_int_equal(os_pipeline_worst(s->p), OS_SEV_NEVER); /* not yet */
    assert_null(strstr(site_text(s), "!! "));
    s->now = T0 + 3000 * MS;
    udp(s, 1, "10.3.0.23", 53001, "10.1.0.1", 53, 40);
    assert_int_equal(os_pipeline_worst(s->p), OS_SEV_WARNING);
    const char *t = site_text(s);
    const char *hit = strstr(t, "10:00:03.000000 !! warning unanswered-connection: host 10.3.0.23 "
                                "cannot reach Archiver 10.1.0.20 (by the port) on archiver-playback TCP 6061");
    assert_non_null(hit);
    assert_non_null(strstr(hit, "10.3.0.23.53001")); /* the packet's line follows */
    site_finish(s);
    assert_int_equal(s->st->findings[OS_FK_UNANSWERED_CONNECTION], 1);
    site_close(s);
}

/* Clients retrying from new source ports: each attempt joins the one
 * problem at once; one '!!' line when it opens, one when a second client
 * makes it an error (persist-peers 2), none per flow. */
static void test_retries_join_one_problem_live(void **state)
{
    (void)state;
    site *s = site_open_default();
    for (int a = 0; a < 10; a++)
        for (int c = 0; c < 3; c++) {
            char src[32];
            snprintf(src, sizeof src, "10.3.0.%d", 101 + c);
            s->now = T0 + (uint64_t)a * 3 * SEC + (uint64_t)c * 100 * MS;
            tcp(s, src, 40000u + (unsigned)(a * 3 + c), "10.1.0.20", 6061, SYN, 0);
        }
    const char *t = site_text(s);
    const char *open = strstr(t, "!! warning unanswered-connection: ");
    assert_non_null(open);
    assert_null(strstr(open + 1, "!! warning unanswered-connection: "));
    const char *now = strstr(t, "!! now error unanswered-connection: 2 hosts (10.3.0.101-10.3.0.102)");
    assert_non_null(now);
    assert_null(strstr(now + 1, "!! "));
    assert_int_equal(os_pipeline_worst(s->p), OS_SEV_ERROR);
    site_finish(s);
    assert_int_equal(s->st->nproblems, 1);
    assert_int_equal(s->st->problem[0]->flows, 30);
    assert_int_equal(s->st->problem[0]->peers, 3);
    assert_int_equal(s->st->findings[OS_FK_UNANSWERED_CONNECTION], 30);
    site_close(s);
}

/* A storm of flagged flows: at most OS_FINDINGS_HELD findings are held at
 * once (the oldest go out as they stand), yet every flow is counted once:
 * no finding is raised twice when its flow ends after it went out. */
static void test_storm_bounded_and_counted_once(void **state)
{
    (void)state;
    site *s = site_open_mode(NULL, NULL, OS_MODE_JSON);
    unsigned n = OS_FINDINGS_HELD + 1000;
    for (unsigned i = 0; i < n; i++) {
        char src[32];
        snprintf(src, sizeof src, "10.20.%u.%u", i / 250, 1 + i % 250);
        s->now = T0 + (uint64_t)i * MS;
        tcp(s, src, 1024, "10.1.0.20", 6061, SYN, 0);
    }
    s->now += 4 * SEC; /* every wait ends: every flow is judged */
    udp(s, 1, "10.3.0.23", 53000, "10.1.0.1", 53, 40);
    /* every flow is still in the table, yet only OS_FINDINGS_HELD are held:
     * the others went out (their JSON records are written) */
    assert_int_equal(count_records(site_text(s), "\"type\":\"finding\""), n - OS_FINDINGS_HELD);
    site_finish(s);
    assert_int_equal(s->st->findings[OS_FK_UNANSWERED_CONNECTION], n);
    assert_int_equal(s->st->nproblems, 1);
    assert_int_equal(s->st->problem[0]->flows, n);
    assert_int_equal(count_records(site_text(s), "\"type\":\"finding\""), n);
    site_close(s);
}

/* A capture that starts mid-connection (ACK/data only, no SYN) on a service
 * port is not an unanswered connection — whether or not the server speaks. */
static void test_midstream_not_flagged(void **state)
{
    (void)state;
    site *s = site_open(NULL, NULL);
    for (int i = 0; i < 3; i++) /* client only */
        tcp(s, "10.3.0.23", 51003, "10.1.0.20", 6061, PSHACK, 100);
    tcp(s, "10.3.0.23", 51004, "10.1.0.20", 6062, ACK, 0); /* both ways */
    tcp(s, "10.1.0.20", 6062, "10.3.0.23", 51004, PSHACK, 1300);
    tcp(s, "10.3.0.23", 51004, "10.1.0.20", 6062, ACK, 0);
    site_finish(s);
    assert_int_equal(role_flows(s, "archiver-playback"), 2);
    count_is(s, 0);
    site_close(s);
}

/* SYN, SYN-ACK, ACK, data, FINs: nothing to flag. */
static void test_established_not_flagged(void **state)
{
    (void)state;
    site *s = site_open(NULL, NULL);
    tcp_session(s, "10.3.0.23", 51003, "10.1.0.20", 6061, 200, 1300);
    tcp_session(s, "10.1.0.13", 40000, "10.1.0.9", 7998, 100, 100);
    site_finish(s);
    assert_int_equal(role_flows(s, "archiver-playback"), 1);
    assert_int_equal(role_flows(s, "directory-link"), 1);
    count_is(s, 0);
    assert_int_equal(os_pipeline_worst(s->p), OS_SEV_NEVER);
    site_close(s);
}

/* ======================================================================== */
/* connection-refused                                                       */

static void test_refused_syn_answered_by_rst(void **state)
{
    (void)state;
    site *s = site_open(NULL, NULL);
    tcp(s, "10.3.0.23", 51003, "10.1.0.20", 6061, SYN, 0);
    uint64_t id = last_flow_id(s);
    tcp(s, "10.1.0.20", 6061, "10.3.0.23", 51003, RSTACK, 0);
    assert_int_equal(os_pipeline_worst(s->p), OS_SEV_WARNING); /* raised live */
    site_finish(s);
    const os_finding *f = one(s, OS_FK_CONNECTION_REFUSED);
    assert_int_equal(f->sev, OS_SEV_WARNING);
    flow_is(f, 6, "10.3.0.23", 51003, "10.1.0.20", 6061);
    rule_is(s, f, "archiver-playback");
    assert_int_equal(f->packets, 2);
    assert_int_equal(f->flow_id, id);
    none_of(s, OS_FK_UNANSWERED_CONNECTION);
    count_is(s, 1);
    site_close(s);
}

/* On a shared port (5001: iperf) a refusal is flagged only when host roles
 * make the flow Omnicast. */
static void test_refused_on_shared_port_needs_roles(void **state)
{
    (void)state;
    site *s = site_open(NULL, NULL);
    tcp(s, "10.3.0.23", 51000, "10.1.0.10", 5001, SYN, 0);
    tcp(s, "10.1.0.10", 5001, "10.3.0.23", 51000, RSTACK, 0);
    site_finish(s);
    count_is(s, 0);
    site_close(s);

    s = site_open(NULL, site_hosts);
    tcp(s, "10.3.0.23", 51000, "10.1.0.10", 5001, SYN, 0);
    tcp(s, "10.1.0.10", 5001, "10.3.0.23", 51000, RSTACK, 0);
    site_finish(s);
    const os_finding *f = one(s, OS_FK_CONNECTION_REFUSED);
    flow_is(f, 6, "10.3.0.23", 51000, "10.1.0.10", 5001);
    rule_is(s, f, "gateway-command");
    count_is(s, 1);
    site_close(s);
}

/* ======================================================================== */
/* reversed-direction                                                       */

/* The Gateway opens a TCP connection from its command port 5001 to a client. */
static void test_reversed_tcp_opened_from_service_port(void **state)
{
    (void)state;
    site *s = site_open(NULL, site_hosts);
    tcp(s, "10.1.0.10", 5001, "10.3.0.23", 51000, SYN, 0);
    uint64_t id = last_flow_id(s);
    assert_int_equal(os_pipeline_worst(s->p), OS_SEV_NEVER);
    tcp(s, "10.3.0.23", 51000, "10.1.0.10", 5001, SYNACK, 0);
    assert_int_equal(os_pipeline_worst(s->p), OS_SEV_ERROR); /* raised at the SYN-ACK */
    tcp(s, "10.1.0.10", 5001, "10.3.0.23", 51000, ACK, 0);
    site_finish(s);
    const os_finding *f = one(s, OS_FK_REVERSED_DIRECTION);
    assert_int_equal(f->sev, OS_SEV_ERROR);
    flow_is(f, 6, "10.1.0.10", 5001, "10.3.0.23", 51000);
    rule_is(s, f, "gateway-command");
    assert_int_equal(f->packets, 3);
    assert_int_equal(f->flow_id, id);
    count_is(s, 1);
    assert_int_equal(os_pipeline_worst(s->p), OS_SEV_ERROR);
    site_close(s);
}

/* The same without host roles: TCP 5001 is iperf's too (docs/omnicast-roles.md section 1),
 * so port confidence alone flags nothing. */
static void test_reversed_tcp_shared_port_without_roles_not_flagged(void **state)
{
    (void)state;
    site *s = site_open(NULL, NULL);
    tcp(s, "10.1.0.10", 5001, "10.3.0.23", 51000, SYN, 0);
    tcp(s, "10.3.0.23", 51000, "10.1.0.10", 5001, SYNACK, 0);
    tcp(s, "10.1.0.10", 5001, "10.3.0.23", 51000, ACK, 0);
    site_finish(s);
    count_is(s, 0);
    site_close(s);
}

/* Bulk UDP from a client into the Gateway's video range 8000-9000. */
static void test_reversed_udp_client_to_gateway_video(void **state)
{
    (void)state;
    site *s = site_open(NULL, site_hosts);
    udp(s, 1, "10.3.0.23", 50000, "10.1.0.10", 8001, 1300);
    uint64_t id = last_flow_id(s);
    udp(s, 9, "10.3.0.23", 50000, "10.1.0.10", 8001, 1300);
    site_finish(s);
    const os_finding *f = one(s, OS_FK_REVERSED_DIRECTION);
    assert_int_equal(f->sev, OS_SEV_ERROR);
    flow_is(f, 17, "10.3.0.23", 50000, "10.1.0.10", 8001);
    rule_is(s, f, "gateway-udp-video");
    assert_int_equal(f->packets, 10);
    assert_int_equal(f->flow_id, id);
    count_is(s, 1);
    site_close(s);
}

/* Bulk UDP from the Gateway to the Archiver on 28000-29000, the range's
 * port on either side (the KBA does not say which): declared roles. */
static void test_reversed_udp_gateway_to_archiver(void **state)
{
    (void)state;
    site *s = site_open(NULL, site_hosts);
    udp(s, 10, "10.1.0.10", 28000, "10.1.0.20", 41000, 1300); /* port on the Gateway */
    udp(s, 8, "10.1.0.10", 41001, "10.1.0.20", 28001, 1300);  /* port on the Archiver */
    site_finish(s);
    const os_finding *v[4];
    assert_int_equal(s->st->findings[OS_FK_REVERSED_DIRECTION], 2);
    assert_int_equal(all_of(s, OS_FK_REVERSED_DIRECTION, v, 4), 2);
    for (int i = 0; i < 2; i++) {
        const os_finding *f = v[i];
        assert_int_equal(f->sev, OS_SEV_ERROR);
        rule_is(s, f, "archiver-gateway-unicast");
        if (f->sport == 28000) {
            flow_is(f, 17, "10.1.0.10", 28000, "10.1.0.20", 41000);
            assert_int_equal(f->packets, 10);
        } else {
            flow_is(f, 17, "10.1.0.10", 41001, "10.1.0.20", 28001);
            assert_int_equal(f->packets, 8);
        }
    }
    assert_int_not_equal(v[0]->sport, v[1]->sport);
    count_is(s, 2);
    site_close(s);
}

/* Bulk from the Archiver's 15000-16000 back to an encoder. */
static void test_reversed_udp_archiver_to_encoder(void **state)
{
    (void)state;
    site *s = site_open(NULL, NULL);
    udp(s, 10, "10.1.0.20", 15000, "10.2.0.31", 40000, 1300);
    site_finish(s);
    const os_finding *f = one(s, OS_FK_REVERSED_DIRECTION);
    flow_is(f, 17, "10.1.0.20", 15000, "10.2.0.31", 40000);
    rule_is(s, f, "encoder-archiver-unicast");
    assert_int_equal(f->packets, 10);
    count_is(s, 1);
    site_close(s);
}

/* Discovery on the first port of the range (8000): small datagrams either
 * way, even mostly one way, are not reversed video. */
static void test_discovery_both_ways_not_reversed(void **state)
{
    (void)state;
    for (int h = 0; h < 2; h++) {
        site *s = site_open(NULL, h ? site_hosts : NULL);
        for (int i = 0; i < 24; i++) {
            udp(s, 1, "10.3.0.23", 50002, "10.1.0.10", 8000, 160);
            if (i % 6 == 0)
                udp(s, 1, "10.1.0.10", 8000, "10.3.0.23", 50002, 160);
        }
        site_finish(s);
        assert_int_equal(role_flows(s, "gateway-udp-discovery"), 1);
        count_is(s, 0);
        site_close(s);
    }
}

/* Small replies from the Archiver's 15000 to an encoder streaming to it. */
static void test_archiver_small_replies_not_reversed(void **state)
{
    (void)state;
    for (int h = 0; h < 2; h++) {
        site *s = site_open(NULL, h ? site_hosts : NULL);
        for (int i = 0; i < 10; i++) {
            udp(s, 1, "10.2.0.31", 40000, "10.1.0.20", 15000, 1300);
            if (i % 4 == 1)
                udp(s, 1, "10.1.0.20", 15000, "10.2.0.31", 40000, 60);
        }
        site_finish(s);
        assert_int_equal(role_flows(s, "encoder-archiver-unicast"), 1);
        count_is(s, 0);
        site_close(s);
    }
}

/* The volume threshold is the rules file's (set bulk-min-bytes): 13420
 * bytes against the direction is reversed at the shipped 4096, not at 20000;
 * 26840 is, at 20000 too. */
static void test_reversed_udp_threshold_from_rules(void **state)
{
    (void)state;
    char *rules = default_rules_edit("set bulk-min-bytes  4096", "set bulk-min-bytes 20000");
    site *s = site_open(rules, site_hosts);
    free(rules);
    udp(s, 10, "10.3.0.23", 50000, "10.1.0.10", 8001, 1300);
    udp(s, 20, "10.3.0.24", 50000, "10.1.0.10", 8002, 1300);
    site_finish(s);
    const os_finding *f = one(s, OS_FK_REVERSED_DIRECTION);
    flow_is(f, 17, "10.3.0.24", 50000, "10.1.0.10", 8002);
    assert_int_equal(f->packets, 20);
    count_is(s, 1);
    site_close(s);
}

/* ======================================================================== */
/* non-default ports from a rules file                                      */

/* A site whose Gateway command port is 4812 (KBA: "gateway_name:4812"). */
static const char rules_4812[] =
    "# site with the Gateway command port moved\n"
    "rule directory-link proto=tcp port=7998 service=directory peer=gateway initiator=peer "
    "infer=service one-peer=yes kba=\"Directory port (default 7998)\"\n"
    "rule gateway-command proto=tcp port=4812 service=gateway "
    "peer=client,federation,failover-directory initiator=peer "
    "kba=\"TCP command port (moved to 4812 on this site)\"\n"
    "rule archiver-playback proto=tcp port=6060-6080 service=archiver peer=client,gateway "
    "initiator=peer infer=service kba=\"Video Playback connections ... TCP ports 6060 to 6080\"\n";

static void test_nondefault_port_reversed_on_4812(void **state)
{
    (void)state;
    site *s = site_open(rules_4812, NULL);
    tcp_session(s, "10.3.0.23", 51000, "10.1.0.10", 4812, 100, 100); /* the right way */
    tcp(s, "10.1.0.10", 4812, "10.3.0.24", 51001, SYN, 0);          /* reversed */
    tcp(s, "10.3.0.24", 51001, "10.1.0.10", 4812, SYNACK, 0);
    tcp(s, "10.1.0.10", 4812, "10.3.0.24", 51001, ACK, 0);
    site_finish(s);
    assert_int_equal(role_flows(s, "gateway-command"), 2);
    const os_finding *f = one(s, OS_FK_REVERSED_DIRECTION);
    flow_is(f, 6, "10.1.0.10", 4812, "10.3.0.24", 51001);
    rule_is(s, f, "gateway-command");
    assert_int_equal(f->packets, 3);
    count_is(s, 1);
    site_close(s);
}

/* With that file, the same traffic on 5001 is not gateway-command: not
 * reversed, and between two known Omnicast hosts it is undocumented. */
static void test_nondefault_rules_5001_is_not_gateway_command(void **state)
{
    (void)state;
    site *s = site_open(rules_4812, "10.1.0.10 gateway\n10.3.0.0/16 client\n");
    tcp(s, "10.1.0.10", 5001, "10.3.0.24", 51001, SYN, 0);
    tcp(s, "10.3.0.24", 51001, "10.1.0.10", 5001, SYNACK, 0);
    tcp(s, "10.1.0.10", 5001, "10.3.0.24", 51001, ACK, 0);
    site_finish(s);
    assert_int_equal(role_flows(s, "gateway-command"), 0);
    assert_int_equal(s->st->unclassified.flows, 1);
    none_of(s, OS_FK_REVERSED_DIRECTION);
    const os_finding *f = one(s, OS_FK_UNDOCUMENTED_PORT);
    assert_int_equal(f->sev, OS_SEV_INFO);
    flow_is(f, 6, "10.1.0.10", 5001, "10.3.0.24", 51001);
    count_is(s, 1);
    site_close(s);
}

/* ======================================================================== */
/* IPv6                                                                     */

/* The Directory opens the connection from 7998 (not a shared port: no host
 * roles needed). */
static void test_ipv6_reversed_directory_link(void **state)
{
    (void)state;
    site *s = site_open(NULL, NULL);
    tcp(s, "fd00:1::10", 7998, "fd00:1::13", 40000, SYN, 0);
    uint64_t id = last_flow_id(s);
    tcp(s, "fd00:1::13", 40000, "fd00:1::10", 7998, SYNACK, 0);
    tcp(s, "fd00:1::10", 7998, "fd00:1::13", 40000, ACK, 0);
    site_finish(s);
    const os_finding *f = one(s, OS_FK_REVERSED_DIRECTION);
    assert_int_equal(f->sev, OS_SEV_ERROR);
    flow_is(f, 6, "fd00:1::10", 7998, "fd00:1::13", 40000);
    rule_is(s, f, "directory-link");
    assert_int_equal(f->packets, 3);
    assert_int_equal(f->flow_id, id);
    count_is(s, 1);
    site_close(s);
}

static void test_ipv6_unanswered_and_refused(void **state)
{
    (void)state;
    site *s = site_open(NULL, NULL);
    tcp(s, "fd00:3::23", 51003, "fd00:1::20", 6061, SYN, 0);
    tcp(s, "fd00:3::23", 51003, "fd00:1::20", 6061, SYN, 0);
    tcp(s, "fd00:3::23", 51004, "fd00:1::20", 6062, SYN, 0);
    tcp(s, "fd00:1::20", 6062, "fd00:3::23", 51004, RSTACK, 0);
    site_finish(s);
    const os_finding *f = one(s, OS_FK_UNANSWERED_CONNECTION);
    flow_is(f, 6, "fd00:3::23", 51003, "fd00:1::20", 6061);
    rule_is(s, f, "archiver-playback");
    assert_int_equal(f->packets, 2);
    f = one(s, OS_FK_CONNECTION_REFUSED);
    flow_is(f, 6, "fd00:3::23", 51004, "fd00:1::20", 6062);
    count_is(s, 2);
    site_close(s);
}

/* ======================================================================== */
/* wrong-transport                                                          */

/* UDP to the Archiver's playback port 6065 (TCP only). */
static void test_wrong_transport_udp_to_archiver_playback(void **state)
{
    (void)state;
    site *s = site_open(NULL, "10.1.0.20 archiver\n");
    udp(s, 1, "10.3.0.23", 50000, "10.1.0.20", 6065, 200);
    uint64_t id = last_flow_id(s);
    udp(s, 2, "10.3.0.23", 50000, "10.1.0.20", 6065, 200);
    site_finish(s);
    const os_finding *f = one(s, OS_FK_WRONG_TRANSPORT);
    assert_int_equal(f->sev, OS_SEV_ERROR);
    flow_is(f, 17, "10.3.0.23", 50000, "10.1.0.20", 6065);
    rule_is(s, f, "archiver-playback");
    assert_int_equal(f->packets, 3);
    assert_int_equal(f->flow_id, id);
    count_is(s, 1);
    site_close(s);
}

/* A TCP SYN to the Gateway's 28001 (UDP only). */
static void test_wrong_transport_tcp_syn_to_28001(void **state)
{
    (void)state;
    site *s = site_open(NULL, site_hosts);
    tcp(s, "10.1.0.20", 41000, "10.1.0.10", 28001, SYN, 0);
    site_finish(s);
    const os_finding *f = one(s, OS_FK_WRONG_TRANSPORT);
    assert_int_equal(f->sev, OS_SEV_ERROR);
    flow_is(f, 6, "10.1.0.20", 41000, "10.1.0.10", 28001);
    rule_is(s, f, "archiver-gateway-unicast");
    assert_int_equal(f->packets, 1);
    site_close(s);
}

/* Spec: undocumented-port is for "ports no rule covers"; 28001 is covered
 * (archiver-gateway-unicast, UDP), and wrong-transport already says so. The
 * same flow must not also be called undocumented ("which no rule covers"). */
static void test_wrong_transport_not_also_undocumented(void **state)
{
    (void)state;
    site *s = site_open(NULL, site_hosts);
    tcp(s, "10.1.0.20", 41000, "10.1.0.10", 28001, SYN, 0);
    site_finish(s);
    assert_int_equal(s->st->findings[OS_FK_WRONG_TRANSPORT], 1);
    none_of(s, OS_FK_UNDOCUMENTED_PORT);
    site_close(s);
}

/* Without the host's role known, a port is just a port. */
static void test_wrong_transport_needs_host_role(void **state)
{
    (void)state;
    site *s = site_open(NULL, NULL);
    tcp(s, "10.1.0.20", 41000, "10.1.0.10", 28001, SYN, 0);
    site_finish(s);
    none_of(s, OS_FK_WRONG_TRANSPORT);
    site_close(s);
}

/* ======================================================================== */
/* unexpected-peer                                                          */

/* A second Gateway on the Directory's 7998 (the primary is the only one);
 * the primary connecting twice is fine. */
static void test_unexpected_peer_second_gateway_on_directory(void **state)
{
    (void)state;
    site *s = site_open(NULL, NULL);
    tcp_session(s, "10.1.0.13", 40000, "10.1.0.9", 7998, 100, 100);
    tcp_session(s, "10.1.0.13", 40001, "10.1.0.9", 7998, 100, 100);
    s->now += 1 * SEC;
    tcp(s, "10.1.0.14", 40100, "10.1.0.9", 7998, SYN, 0);
    uint64_t id = last_flow_id(s);
    tcp(s, "10.1.0.9", 7998, "10.1.0.14", 40100, SYNACK, 0);
    tcp(s, "10.1.0.14", 40100, "10.1.0.9", 7998, ACK, 0);
    site_finish(s);
    const os_finding *f = one(s, OS_FK_UNEXPECTED_PEER);
    assert_int_equal(f->sev, OS_SEV_ERROR);
    flow_is(f, 6, "10.1.0.14", 40100, "10.1.0.9", 7998);
    rule_is(s, f, "directory-link");
    assert_int_equal(f->packets, 3);
    assert_int_equal(f->flow_id, id);
    count_is(s, 1);
    site_close(s);
}

/* Spec: "a second host connecting to the Directory's 7998". The primary
 * Gateway's link is long-lived; a second Gateway connects later and its
 * short connection ends (and leaves the flow table) first. The second host
 * to connect is the unexpected one, not the primary. */
static void test_unexpected_peer_second_gateway_ends_first(void **state)
{
    (void)state;
    site *s = site_open(NULL, NULL);
    tcp(s, "10.1.0.13", 40000, "10.1.0.9", 7998, SYN, 0); /* the primary, stays up */
    tcp(s, "10.1.0.9", 7998, "10.1.0.13", 40000, SYNACK, 0);
    tcp(s, "10.1.0.13", 40000, "10.1.0.9", 7998, ACK, 0);
    s->now += 1 * SEC;
    tcp(s, "10.1.0.14", 40100, "10.1.0.9", 7998, SYN, 0);
    uint64_t id = last_flow_id(s);
    tcp(s, "10.1.0.9", 7998, "10.1.0.14", 40100, SYNACK, 0);
    tcp(s, "10.1.0.14", 40100, "10.1.0.9", 7998, ACK, 0);
    tcp(s, "10.1.0.14", 40100, "10.1.0.9", 7998, RSTACK, 0); /* closed */
    for (int i = 0; i < 3; i++) { /* the primary keeps talking for 30 s */
        s->now += 10 * SEC;
        tcp(s, "10.1.0.13", 40000, "10.1.0.9", 7998, PSHACK, 100);
        tcp(s, "10.1.0.9", 7998, "10.1.0.13", 40000, PSHACK, 100);
    }
    site_finish(s);
    const os_finding *f = one(s, OS_FK_UNEXPECTED_PEER);
    flow_is(f, 6, "10.1.0.14", 40100, "10.1.0.9", 7998);
    assert_int_equal(f->flow_id, id);
    site_close(s);
}

/* The Directory talking to anything but a Gateway: a declared client. */
static void test_unexpected_peer_client_on_directory(void **state)
{
    (void)state;
    site *s = site_open(NULL, site_hosts);
    tcp_session(s, "10.3.0.23", 51000, "10.1.0.9", 7998, 100, 100);
    site_finish(s);
    const os_finding *f = one(s, OS_FK_UNEXPECTED_PEER);
    flow_is(f, 6, "10.3.0.23", 51000, "10.1.0.9", 7998);
    rule_is(s, f, "directory-link");
    count_is(s, 1);
    site_close(s);
}

/* The failover Directory reaching the Directory directly instead of through
 * the Gateway's 5001; through 5001 is the documented path. */
static void test_unexpected_peer_failover_bypasses_gateway(void **state)
{
    (void)state;
    site *s = site_open(NULL, "10.1.0.10 directory,gateway\n10.1.0.12 failover-directory\n");
    tcp_session(s, "10.1.0.12", 52001, "10.1.0.10", 5001, 100, 100);
    tcp(s, "10.1.0.12", 52002, "10.1.0.10", 7998, SYN, 0);
    uint64_t id = last_flow_id(s);
    tcp(s, "10.1.0.10", 7998, "10.1.0.12", 52002, SYNACK, 0);
    tcp(s, "10.1.0.12", 52002, "10.1.0.10", 7998, ACK, 0);
    site_finish(s);
    assert_int_equal(role_flows(s, "failover-directory-link"), 1);
    const os_finding *f = one(s, OS_FK_UNEXPECTED_PEER);
    flow_is(f, 6, "10.1.0.12", 52002, "10.1.0.10", 7998);
    assert_int_equal(f->flow_id, id);
    count_is(s, 1);
    site_close(s);
}

/* Spec: "a non-gateway receiving 28000-29000 from an archiver" is an
 * unexpected-peer (error). Declared roles: the sender is an Archiver, the
 * receiver a client. */
static void test_unexpected_peer_non_gateway_receives_archiver_stream(void **state)
{
    (void)state;
    site *s = site_open(NULL, site_hosts);
    udp(s, 1, "10.1.0.20", 41000, "10.3.0.23", 28000, 1300);
    uint64_t id = last_flow_id(s);
    udp(s, 9, "10.1.0.20", 41000, "10.3.0.23", 28000, 1300);
    site_finish(s);
    const os_finding *f = one(s, OS_FK_UNEXPECTED_PEER);
    assert_int_equal(f->sev, OS_SEV_ERROR);
    flow_is(f, 17, "10.1.0.20", 41000, "10.3.0.23", 28000);
    rule_is(s, f, "archiver-gateway-unicast");
    assert_int_equal(f->packets, 10);
    assert_int_equal(f->flow_id, id);
    site_close(s);
}

/* ======================================================================== */
/* icmp-unreachable                                                         */

/* Administratively prohibited (type 3 code 13) quoting a SYN to the
 * Archiver's 6061: error; flow fields are the quoted flow's; the firewall
 * is the reporter. */
static void test_icmp_admin_prohibited_is_error(void **state)
{
    (void)state;
    site *s = site_open(NULL, NULL);
    tcp(s, "10.3.0.23", 51003, "10.1.0.20", 6061, SYN, 0);
    uint64_t id = last_flow_id(s);
    icmp_unreach(s, "10.1.0.1", "10.3.0.23", 13, 6, "10.3.0.23", 51003, "10.1.0.20", 6061);
    uint64_t t = s->last;
    assert_int_equal(os_pipeline_worst(s->p), OS_SEV_ERROR); /* raised live */
    site_finish(s);
    const os_finding *f = one(s, OS_FK_ICMP_UNREACHABLE);
    assert_int_equal(f->sev, OS_SEV_ERROR);
    flow_is(f, 6, "10.3.0.23", 51003, "10.1.0.20", 6061);
    assert_true(f->has_reporter);
    addr_is(&f->reporter, "10.1.0.1");
    rule_is(s, f, "archiver-playback");
    assert_int_equal(f->packets, 1);
    assert_int_equal(f->flow_id, id);
    assert_int_equal(f->first_ns, t);
    none_of(s, OS_FK_UNANSWERED_CONNECTION); /* the ICMP error answered the SYN */
    count_is(s, 1);
    site_close(s);
}

/* Port unreachable (code 3) quoting a datagram to the Archiver's 15000,
 * the datagram itself not captured: warning. */
static void test_icmp_port_unreachable_is_warning(void **state)
{
    (void)state;
    site *s = site_open(NULL, NULL);
    icmp_unreach(s, "10.1.0.20", "10.2.0.31", 3, 17, "10.2.0.31", 40000, "10.1.0.20", 15000);
    site_finish(s);
    const os_finding *f = one(s, OS_FK_ICMP_UNREACHABLE);
    assert_int_equal(f->sev, OS_SEV_WARNING);
    flow_is(f, 17, "10.2.0.31", 40000, "10.1.0.20", 15000);
    assert_true(f->has_reporter);
    addr_is(&f->reporter, "10.1.0.20");
    rule_is(s, f, "encoder-archiver-unicast");
    assert_int_equal(f->packets, 1);
    count_is(s, 1);
    assert_int_equal(os_pipeline_worst(s->p), OS_SEV_WARNING);
    site_close(s);
}

/* ICMPv6 type 1 code 1 (administratively prohibited): error. */
static void test_icmp6_admin_prohibited_is_error(void **state)
{
    (void)state;
    site *s = site_open(NULL, NULL);
    tcp(s, "fd00:3::23", 51003, "fd00:1::20", 6061, SYN, 0);
    icmp_unreach(s, "fd00:1::1", "fd00:3::23", 1, 6, "fd00:3::23", 51003, "fd00:1::20", 6061);
    site_finish(s);
    const os_finding *f = one(s, OS_FK_ICMP_UNREACHABLE);
    assert_int_equal(f->sev, OS_SEV_ERROR);
    flow_is(f, 6, "fd00:3::23", 51003, "fd00:1::20", 6061);
    assert_true(f->has_reporter);
    addr_is(&f->reporter, "fd00:1::1");
    rule_is(s, f, "archiver-playback");
    assert_int_equal(f->packets, 1);
    site_close(s);
}

/* Other ICMPv6 unreachable codes (4: port unreachable) are warnings; the
 * quoted datagram here carries a destination-options header. */
static void test_icmp6_port_unreachable_is_warning(void **state)
{
    (void)state;
    site *s;
    fb q;
    s = site_open(NULL, NULL);
    q.n = 0;
    fb_ipv6(&q, "fd00:2::31", "fd00:1::20", 60, 8 + 8 + 100);
    fb_ext8(&q, 17, 0);
    fb_udp(&q, 40000, 15000, 100);
    icmp_send(s, "fd00:1::20", "fd00:2::31", 4, q.b, 40 + 8 + 8);
    site_finish(s);
    const os_finding *f = one(s, OS_FK_ICMP_UNREACHABLE);
    assert_int_equal(f->sev, OS_SEV_WARNING);
    flow_is(f, 17, "fd00:2::31", 40000, "fd00:1::20", 15000);
    site_close(s);
}

/* Codes 9 and 10 are administratively prohibited too. */
static void test_icmp_codes_9_10_are_errors(void **state)
{
    (void)state;
    for (uint8_t code = 9; code <= 10; code++) {
        site *s = site_open(NULL, NULL);
        icmp_unreach(s, "10.1.0.1", "10.3.0.23", code, 6, "10.3.0.23", 51003, "10.1.0.20", 6061);
        site_finish(s);
        assert_int_equal(one(s, OS_FK_ICMP_UNREACHABLE)->sev, OS_SEV_ERROR);
        site_close(s);
    }
}

/* Several ICMP errors about one flow (SYN retried, each one rejected): one
 * finding, counted. */
static void test_icmp_repeated_errors_one_finding_counted(void **state)
{
    (void)state;
    site *s = site_open(NULL, NULL);
    uint64_t t1 = 0, t3 = 0, id = 0;
    for (int i = 0; i < 3; i++) {
        tcp(s, "10.3.0.23", 51003, "10.1.0.20", 6061, SYN, 0);
        if (i == 0)
            id = last_flow_id(s);
        icmp_unreach(s, "10.1.0.1", "10.3.0.23", 13, 6, "10.3.0.23", 51003, "10.1.0.20", 6061);
        if (i == 0)
            t1 = s->last;
        t3 = s->last;
        s->now += 1 * SEC;
    }
    site_finish(s);
    const os_finding *f = one(s, OS_FK_ICMP_UNREACHABLE);
    assert_int_equal(f->sev, OS_SEV_ERROR);
    flow_is(f, 6, "10.3.0.23", 51003, "10.1.0.20", 6061);
    assert_int_equal(f->packets, 3);
    assert_int_equal(f->flow_id, id);
    assert_int_equal(f->first_ns, t1);
    assert_int_equal(f->last_ns, t3);
    site_close(s);
}

/* An ICMP error about traffic that is not Omnicast is none of our business. */
static void test_icmp_about_other_traffic_not_flagged(void **state)
{
    (void)state;
    site *s = site_open(NULL, NULL);
    icmp_unreach(s, "10.1.0.1", "10.3.0.23", 13, 17, "10.3.0.23", 53000, "10.1.0.53", 53);
    site_finish(s);
    count_is(s, 0);
    site_close(s);
}

/* On a shared port (5001: iperf) an ICMP error is about Omnicast only when
 * host roles say so. */
static void test_icmp_on_shared_port_needs_roles(void **state)
{
    (void)state;
    site *s = site_open(NULL, NULL);
    icmp_unreach(s, "10.1.0.1", "10.3.0.23", 13, 6, "10.3.0.23", 51000, "10.1.0.10", 5001);
    site_finish(s);
    count_is(s, 0);
    site_close(s);

    s = site_open(NULL, site_hosts);
    icmp_unreach(s, "10.1.0.1", "10.3.0.23", 13, 6, "10.3.0.23", 51000, "10.1.0.10", 5001);
    site_finish(s);
    const os_finding *f = one(s, OS_FK_ICMP_UNREACHABLE);
    flow_is(f, 6, "10.3.0.23", 51000, "10.1.0.10", 5001);
    rule_is(s, f, "gateway-command");
    site_close(s);
}

/* Port unreachable and administratively prohibited about one flow, in
 * either order: one finding, counted, an error (a firewall is involved). */
static void test_icmp_mixed_codes_one_finding_error(void **state)
{
    (void)state;
    for (int order = 0; order < 2; order++) {
        site *s = site_open(NULL, NULL);
        icmp_unreach(s, "10.1.0.1", "10.3.0.23", order ? 13 : 3, 6, "10.3.0.23", 51003,
                     "10.1.0.20", 6061);
        icmp_unreach(s, "10.1.0.1", "10.3.0.23", order ? 3 : 13, 6, "10.3.0.23", 51003,
                     "10.1.0.20", 6061);
        site_finish(s);
        const os_finding *f = one(s, OS_FK_ICMP_UNREACHABLE);
        assert_int_equal(f->sev, OS_SEV_ERROR);
        assert_int_equal(f->packets, 2);
        site_close(s);
    }
}

/* ======================================================================== */
/* multicast                                                                */

/* Two sources on one group and port; one source from two ports is not a
 * conflict, nor the same source on the audio port. */
static void test_multicast_group_conflict(void **state)
{
    (void)state;
    site *s = site_open(NULL, NULL);
    udp(s, 3, "10.2.0.31", 40000, "239.10.0.1", 47806, 1300);
    udp(s, 2, "10.2.0.31", 40002, "239.10.0.1", 47806, 1300);
    udp(s, 2, "10.2.0.31", 40001, "239.10.0.1", 47807, 200);
    udp(s, 1, "10.2.0.32", 40000, "239.10.0.1", 47806, 1300);
    uint64_t id = last_flow_id(s);
    udp(s, 2, "10.2.0.32", 40000, "239.10.0.1", 47806, 1300);
    site_finish(s);
    const os_finding *f = one(s, OS_FK_MULTICAST_GROUP_CONFLICT);
    assert_int_equal(f->sev, OS_SEV_ERROR);
    flow_is(f, 17, "10.2.0.32", 40000, "239.10.0.1", 47806);
    rule_is(s, f, "multicast-video");
    assert_int_equal(f->flow_id, id);
    count_is(s, 1);
    site_close(s);
}

/* The rules' table bounds reach the pipeline: 40 encoders on 20 groups,
 * two to a group, overflow set max-hosts 16 and set max-problems 2 (a
 * group conflict each), and the summary says what each table evicted;
 * with the shipped bounds nothing is evicted and the line is left out. */
static void test_table_bounds_from_rules(void **state)
{
    (void)state;
    char src[32], grp[32];
    char *a = default_rules_edit("set max-hosts           131072", "set max-hosts 16");
    char *rules = replace_all(a, "set max-problems        4096", "set max-problems 2");
    site *s[2] = { site_open(rules, NULL), site_open(NULL, NULL) };
    free(a);
    free(rules);
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < 40; i++) {
            snprintf(src, sizeof src, "10.2.1.%d", i + 1);
            snprintf(grp, sizeof grp, "239.10.0.%d", i / 2 + 1);
            udp(s[k], 2, src, 40000, grp, 47806, 1300);
        }
        site_finish(s[k]);
    }
    assert_int_equal(s[0]->st->tab_hosts.hosts, 16);
    assert_int_equal(s[0]->st->tab_hosts.hosts_evicted, 24);
    assert_int_equal(s[0]->st->tab_problems.problems, 2);
    /* each conflict opens as its flow starts and, evicted, again as it ends:
     * 40 opened, 2 held */
    assert_int_equal(s[0]->st->tab_problems.problems_evicted, 38);
    assert_non_null(strstr(site_text(s[0]), "\ntables: limits reached: 24 hosts evicted "
                                            "(max-hosts 16), 38 problems evicted "
                                            "(max-problems 2)\n"));
    assert_int_equal(s[1]->st->tab_hosts.hosts, 40);
    assert_int_equal(s[1]->st->tab_hosts.hosts_evicted, 0);
    assert_int_equal(s[1]->st->tab_problems.problems, 20);
    assert_int_equal(s[1]->st->tab_problems.problems_evicted, 0);
    assert_null(strstr(site_text(s[1]), "tables:"));
    site_close(s[0]);
    site_close(s[1]);
}

/* The first-peer table is bounded: past OS_FIRST_PEERS_MAX (group, port)
 * pairs a new one is not remembered (a second source on it goes unflagged)
 * and each time is counted; a pair remembered before still flags one. */
static void test_first_peers_bounded(void **state)
{
    (void)state;
    char grp[32];
    site *s = site_open(NULL, NULL);
    for (unsigned i = 0; i < OS_FIRST_PEERS_MAX; i++) {
        snprintf(grp, sizeof grp, "239.%u.%u.%u", 1 + (i >> 16), (i >> 8) & 255, i & 255);
        udp(s, 1, "10.2.0.31", 40000, grp, 47806, 200);
    }
    udp(s, 1, "10.2.0.31", 40000, "239.200.0.1", 47806, 200); /* full: not remembered */
    udp(s, 1, "10.2.0.32", 40000, "239.200.0.1", 47806, 200); /* so this is no conflict */
    udp(s, 1, "10.2.0.32", 40000, "239.1.0.0", 47806, 200);   /* the first's second source */
    const os_stats *st = site_finish(s);
    assert_int_equal(st->tab_first.first_peers, OS_FIRST_PEERS_MAX);
    assert_int_equal(st->tab_first.first_peers_dropped, 4); /* as each flow began and ended */
    flow_is(one(s, OS_FK_MULTICAST_GROUP_CONFLICT), 17, "10.2.0.32", 40000, "239.1.0.0", 47806);
    assert_non_null(strstr(site_text(s), "\ntables: limits reached: a first peer not kept 4 "
                                         "times (at most 65536)\n"));
    site_close(s);
}

/* A declared encoder streams to a group on a port that is neither the video
 * nor the audio multicast port; an unknown host's SSDP is not Omnicast. */
static void test_multicast_port_mismatch_declared_encoder(void **state)
{
    (void)state;
    site *s = site_open(NULL, site_hosts);
    udp(s, 1, "10.2.0.31", 40000, "239.10.0.5", 47900, 1300);
    uint64_t id = last_flow_id(s);
    udp(s, 2, "10.2.0.31", 40000, "239.10.0.5", 47900, 1300);
    udp(s, 2, "10.9.9.9", 1900, "239.255.255.250", 1900, 200);
    site_finish(s);
    const os_finding *f = one(s, OS_FK_MULTICAST_PORT_MISMATCH);
    assert_int_equal(f->sev, OS_SEV_WARNING);
    flow_is(f, 17, "10.2.0.31", 40000, "239.10.0.5", 47900);
    rule_is(s, f, "-");
    assert_int_equal(f->flow_id, id);
    count_is(s, 1);
    site_close(s);
}

/* The same with the encoder known from its multicast video first. */
static void test_multicast_port_mismatch_inferred_encoder(void **state)
{
    (void)state;
    site *s = site_open(NULL, NULL);
    udp(s, 2, "10.2.0.31", 40010, "239.10.0.1", 47806, 1300);
    udp(s, 2, "10.2.0.31", 40000, "239.10.0.5", 47900, 1300);
    site_finish(s);
    const os_finding *f = one(s, OS_FK_MULTICAST_PORT_MISMATCH);
    flow_is(f, 17, "10.2.0.31", 40000, "239.10.0.5", 47900);
    count_is(s, 1);
    site_close(s);
}

/* Findings use what is known when a flow ends (README, "Confidence"): the
 * source is known as an encoder by then, though its stream on the wrong
 * port started first. */
static void test_multicast_port_mismatch_encoder_known_later(void **state)
{
    (void)state;
    site *s = site_open(NULL, NULL);
    udp(s, 2, "10.2.0.31", 40000, "239.10.0.5", 47900, 1300);
    udp(s, 2, "10.2.0.31", 40010, "239.10.0.1", 47806, 1300);
    udp(s, 2, "10.2.0.31", 40000, "239.10.0.5", 47900, 1300);
    site_finish(s);
    const os_finding *f = one(s, OS_FK_MULTICAST_PORT_MISMATCH);
    flow_is(f, 17, "10.2.0.31", 40000, "239.10.0.5", 47900);
    site_close(s);
}

/* The groups an encoder may use with start 239.10.0.0 and range 16. */
static void send_groups(site *s)
{
    udp(s, 2, "10.2.0.31", 40000, "239.10.0.0", 47806, 1300);  /* first: in */
    udp(s, 2, "10.2.0.31", 40001, "239.10.0.15", 47806, 1300); /* last: in */
    udp(s, 2, "10.2.0.31", 40002, "239.10.0.16", 47806, 1300); /* one past: out */
    udp(s, 2, "10.2.0.31", 40003, "239.9.255.255", 47807, 200); /* below: out */
}

static void test_multicast_out_of_range(void **state)
{
    (void)state;
    char *rules = default_rules_mcast("239.10.0.0", "16");
    site *s = site_open(rules, NULL);
    free(rules);
    assert_true(s->rs.set.mcast_start_set);
    assert_int_equal(s->rs.set.mcast_range, 16);
    send_groups(s);
    site_finish(s);
    const os_finding *v[4];
    assert_int_equal(s->st->findings[OS_FK_MULTICAST_OUT_OF_RANGE], 2);
    assert_int_equal(all_of(s, OS_FK_MULTICAST_OUT_OF_RANGE, v, 4), 2);
    for (int i = 0; i < 2; i++) {
        const os_finding *f = v[i];
        assert_int_equal(f->sev, OS_SEV_WARNING);
        if (f->dport == 47806) {
            flow_is(f, 17, "10.2.0.31", 40002, "239.10.0.16", 47806);
            rule_is(s, f, "multicast-video");
        } else {
            flow_is(f, 17, "10.2.0.31", 40003, "239.9.255.255", 47807);
            rule_is(s, f, "multicast-audio");
        }
    }
    assert_int_not_equal(v[0]->dport, v[1]->dport);
    count_is(s, 2);
    site_close(s);
}

/* The same over IPv6: start ff15::a00:0, range 16. */
static void test_multicast_out_of_range_ipv6(void **state)
{
    (void)state;
    char *rules = default_rules_mcast("ff15::a00:0", "16");
    site *s = site_open(rules, NULL);
    free(rules);
    udp(s, 2, "fd00:2::31", 40000, "ff15::a00:5", 47806, 1300);  /* in */
    udp(s, 2, "fd00:2::31", 40001, "ff15::a00:10", 47806, 1300); /* one past: out */
    udp(s, 2, "fd00:2::31", 40002, "ff16::a00:5", 47806, 1300);  /* other prefix: out */
    site_finish(s);
    const os_finding *v[4];
    assert_int_equal(s->st->findings[OS_FK_MULTICAST_OUT_OF_RANGE], 2);
    assert_int_equal(all_of(s, OS_FK_MULTICAST_OUT_OF_RANGE, v, 4), 2);
    for (int i = 0; i < 2; i++) {
        if (v[i]->sport == 40001)
            flow_is(v[i], 17, "fd00:2::31", 40001, "ff15::a00:10", 47806);
        else
            flow_is(v[i], 17, "fd00:2::31", 40002, "ff16::a00:5", 47806);
    }
    assert_int_not_equal(v[0]->sport, v[1]->sport);
    count_is(s, 2);
    site_close(s);
}

/* Unset (the default), or only the start set: no range check. */
static void test_multicast_range_unchecked_when_unset(void **state)
{
    (void)state;
    site *s = site_open(NULL, NULL);
    send_groups(s);
    site_finish(s);
    count_is(s, 0);
    site_close(s);

    char *rules = default_rules_mcast("239.10.0.0", NULL);
    s = site_open(rules, NULL);
    free(rules);
    send_groups(s);
    site_finish(s);
    count_is(s, 0);
    site_close(s);
}

/* ======================================================================== */
/* role-conflict                                                            */

/* A host declared a client answers SYNs on the Archiver's playback port:
 * the traffic makes it an Archiver; the declaration is not silently
 * overridden. */
static void test_role_conflict_declared_client_acts_as_archiver(void **state)
{
    (void)state;
    site *s = site_open(NULL, "10.1.0.20 client\n");
    /* playback from two clients (rules: archiver-playback min-peers=2) */
    tcp(s, "10.3.0.24", 51002, "10.1.0.20", 6061, SYN, 0);
    tcp(s, "10.1.0.20", 6061, "10.3.0.24", 51002, SYNACK, 0);
    tcp(s, "10.3.0.24", 51002, "10.1.0.20", 6061, ACK, 0);
    tcp(s, "10.3.0.23", 51003, "10.1.0.20", 6061, SYN, 0);
    uint64_t id = last_flow_id(s);
    tcp(s, "10.1.0.20", 6061, "10.3.0.23", 51003, SYNACK, 0);
    uint64_t t = s->last;
    tcp(s, "10.3.0.23", 51003, "10.1.0.20", 6061, ACK, 0);
    site_finish(s);
    const os_finding *f = one(s, OS_FK_ROLE_CONFLICT);
    assert_int_equal(f->sev, OS_SEV_WARNING);
    addr_is(&f->src, "10.1.0.20");
    rule_is(s, f, "archiver-playback");
    assert_int_equal(f->flow_id, id); /* the evidence */
    assert_int_equal(f->first_ns, t);
    assert_non_null(strstr(f->text, "client"));
    assert_non_null(strstr(f->text, "Archiver"));
    count_is(s, 1);
    site_close(s);
}

/* Without a hosts file, a host that traffic shows as both a client (video
 * from a known Gateway) and a Gateway (the Archiver's stream) is reported,
 * not resolved: one role-conflict naming both pieces of evidence. */
static void test_role_conflict_inferred_client_and_gateway(void **state)
{
    (void)state;
    site *s = site_open(NULL, NULL);
    tcp(s, "10.1.0.10", 7998, "10.1.0.13", 40000, PSHACK, 64); /* Directory link, open */
    tcp(s, "10.1.0.13", 40000, "10.1.0.10", 7998, PSHACK, 64);
    udp(s, 1, "10.1.0.13", 8021, "10.3.0.50", 50200, 100);     /* video to a client */
    udp(s, 2, "10.2.0.31", 40000, "10.1.0.20", 15000, 1300);   /* an Archiver */
    udp(s, 2, "10.2.0.32", 40000, "10.1.0.20", 15002, 1300);
    udp(s, 1, "10.1.0.20", 41000, "10.3.0.50", 28000, 1300);   /* ...streaming to the client */
    site_finish(s);
    const os_finding *f = one(s, OS_FK_ROLE_CONFLICT);
    addr_is(&f->src, "10.3.0.50");
    assert_non_null(strstr(f->text, "10.3.0.50 looks like both a client (it receives gateway-udp-video"));
    assert_non_null(strstr(f->text, "and a Gateway (it receives archiver-gateway-unicast"));
    site_close(s);
}

/* Traffic that agrees with the declaration is no conflict. */
static void test_role_conflict_not_when_traffic_agrees(void **state)
{
    (void)state;
    site *s = site_open(NULL, "10.1.0.20 archiver\n");
    tcp_session(s, "10.3.0.23", 51003, "10.1.0.20", 6061, 100, 1300);
    site_finish(s);
    none_of(s, OS_FK_ROLE_CONFLICT);
    count_is(s, 0);
    site_close(s);
}

/* A declared Archiver re-streaming to multicast is inferred an encoder by
 * the multicast rule, which accepts Archivers as senders: no conflict. */
static void test_role_conflict_not_for_archiver_restreaming(void **state)
{
    (void)state;
    site *s = site_open(NULL, "10.1.0.20 archiver\n");
    udp(s, 5, "10.1.0.20", 40010, "239.10.0.1", 47806, 1300);
    site_finish(s);
    assert_int_equal(role_flows(s, "multicast-video"), 1);
    none_of(s, OS_FK_ROLE_CONFLICT);
    count_is(s, 0);
    site_close(s);
}

/* ======================================================================== */
/* undocumented-port                                                        */

static void test_undocumented_port_between_omnicast_hosts(void **state)
{
    (void)state;
    site *s = site_open(NULL, site_hosts);
    udp(s, 1, "10.1.0.20", 41000, "10.1.0.10", 12345, 300);
    uint64_t id = last_flow_id(s);
    udp(s, 1, "10.1.0.10", 12345, "10.1.0.20", 41000, 300);
    udp(s, 3, "10.1.0.10", 41001, "10.9.9.9", 12346, 300); /* other end unknown */
    site_finish(s);
    const os_finding *f = one(s, OS_FK_UNDOCUMENTED_PORT);
    assert_int_equal(f->sev, OS_SEV_INFO);
    flow_is(f, 17, "10.1.0.20", 41000, "10.1.0.10", 12345);
    rule_is(s, f, "-");
    assert_int_equal(f->packets, 2);
    assert_int_equal(f->flow_id, id);
    count_is(s, 1);
    assert_int_equal(os_pipeline_worst(s->p), OS_SEV_INFO);
    site_close(s);
}

/* ======================================================================== */
/* --fail-on / --explain plumbing                                           */

static void test_severity_parse(void **state)
{
    (void)state;
    static const struct { const char *id; os_severity sev; } ok[] = {
        { "info", OS_SEV_INFO }, { "warning", OS_SEV_WARNING },
        { "error", OS_SEV_ERROR }, { "never", OS_SEV_NEVER },
    };
    os_severity s;
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        s = (os_severity)-1;
        assert_true(os_severity_parse(ok[i].id, &s));
        assert_int_equal(s, ok[i].sev);
        assert_string_equal(os_severity_name(ok[i].sev), ok[i].id);
    }
    assert_true(OS_SEV_INFO < OS_SEV_WARNING && OS_SEV_WARNING < OS_SEV_ERROR &&
                OS_SEV_ERROR < OS_SEV_NEVER);
    s = OS_SEV_WARNING;
    assert_false(os_severity_parse("bogus", &s));
    assert_false(os_severity_parse("", &s));
    assert_false(os_severity_parse("Error", &s));
    assert_false(os_severity_parse("errors", &s));
    assert_int_equal(s, OS_SEV_WARNING); /* untouched */
}

static void test_kind_parse_every_id(void **state)
{
    (void)state;
    static const char *const ids[OS_FK_COUNT] = {
        "reversed-direction", "wrong-transport", "unexpected-peer", "unanswered-connection",
        "connection-refused", "icmp-unreachable", "multicast-port-mismatch",
        "multicast-group-conflict", "multicast-out-of-range", "role-conflict",
        "undocumented-port", "stream-stopped", "stream-gap", "stream-loss",
    };
    for (int k = 0; k < OS_FK_COUNT; k++) {
        os_finding_kind got = OS_FK_COUNT;
        assert_string_equal(os_finding_kind_name((os_finding_kind)k), ids[k]);
        assert_true(os_finding_kind_parse(ids[k], &got));
        assert_int_equal(got, k);
    }
    os_finding_kind got = OS_FK_ROLE_CONFLICT;
    assert_false(os_finding_kind_parse("bogus", &got));
    assert_false(os_finding_kind_parse("", &got));
    assert_false(os_finding_kind_parse("reversed", &got));
    assert_false(os_finding_kind_parse("Reversed-Direction", &got));
    assert_int_equal(got, OS_FK_ROLE_CONFLICT);
    assert_string_equal(os_finding_kind_name(OS_FK_COUNT), "unknown");
}

/* The severities of the spec's table. */
static void test_default_severity_per_spec(void **state)
{
    (void)state;
    static const os_severity want[OS_FK_COUNT] = {
        [OS_FK_REVERSED_DIRECTION] = OS_SEV_ERROR,
        [OS_FK_WRONG_TRANSPORT] = OS_SEV_ERROR,
        [OS_FK_UNEXPECTED_PEER] = OS_SEV_ERROR,
        [OS_FK_UNANSWERED_CONNECTION] = OS_SEV_WARNING,
        [OS_FK_CONNECTION_REFUSED] = OS_SEV_WARNING,
        [OS_FK_ICMP_UNREACHABLE] = OS_SEV_WARNING, /* raised to error when prohibited */
        [OS_FK_MULTICAST_PORT_MISMATCH] = OS_SEV_WARNING,
        [OS_FK_MULTICAST_GROUP_CONFLICT] = OS_SEV_ERROR,
        [OS_FK_MULTICAST_OUT_OF_RANGE] = OS_SEV_WARNING,
        [OS_FK_ROLE_CONFLICT] = OS_SEV_WARNING,
        [OS_FK_UNDOCUMENTED_PORT] = OS_SEV_INFO,
        [OS_FK_STREAM_STOPPED] = OS_SEV_ERROR,
        [OS_FK_STREAM_GAP] = OS_SEV_WARNING,
        [OS_FK_STREAM_LOSS] = OS_SEV_WARNING,
    };
    for (int k = 0; k < OS_FK_COUNT; k++) {
        print_message("kind %s\n", os_finding_kind_name((os_finding_kind)k));
        assert_int_equal(os_finding_default_severity((os_finding_kind)k), want[k]);
    }
}

/* --explain: a text for every kind, about that kind, naming its severity. */
static void test_explain_every_kind(void **state)
{
    (void)state;
    for (int k = 0; k < OS_FK_COUNT; k++) {
        const char *id = os_finding_kind_name((os_finding_kind)k);
        const char *t = os_finding_explain((os_finding_kind)k);
        print_message("kind %s\n", id);
        assert_non_null(t);
        assert_true(strlen(t) > 40);
        assert_int_equal(strncmp(t, id, strlen(id)), 0);
        assert_non_null(strstr(t, os_severity_name(os_finding_default_severity(
                                      (os_finding_kind)k))));
        assert_true(t[strlen(t) - 1] == '\n');
    }
}

/* The kind table (finding_kinds.h): every row has an id that parses back to
 * it (so ids are unique), an explanation that starts with the id and its
 * default severity in parentheses, and persistence only on kinds whose
 * explanation says they become errors when persistent. */
static void test_kind_table(void **state)
{
    (void)state;
    for (int k = 0; k < OS_FK_COUNT; k++) {
        const char *id = os_finding_kind_name((os_finding_kind)k);
        const char *t = os_finding_explain((os_finding_kind)k), *close;
        const char *sev = os_severity_name(os_finding_default_severity((os_finding_kind)k));
        os_finding_kind back = OS_FK_COUNT;
        char head[96];
        print_message("kind %s\n", id);
        assert_true(id[0] && strcmp(id, "unknown") != 0);
        assert_true(os_finding_kind_parse(id, &back));
        assert_int_equal(back, k);
        assert_true(t[0] && t[strlen(t) - 1] == '\n');
        assert_int_equal(strncmp(t, id, strlen(id)), 0);
        assert_memory_equal(t + strlen(id), " (", 2);
        assert_non_null(close = strstr(t, "): "));
        snprintf(head, sizeof head, "%.*s", (int)(close - t), t);
        assert_non_null(strstr(head, sev));
        assert_int_equal(os_finding_kind_persists((os_finding_kind)k),
                         strstr(head, "error when persistent") != NULL);
    }
    assert_true(os_finding_kind_persists(OS_FK_UNANSWERED_CONNECTION));
    assert_false(os_finding_kind_persists(OS_FK_COUNT));
    assert_string_equal(os_finding_explain(OS_FK_COUNT), "");
}

/* os_pipeline_worst: NEVER on nothing, and it rises as findings come. */
static void test_pipeline_worst(void **state)
{
    (void)state;
    site *s = site_open(NULL, NULL);
    assert_int_equal(os_pipeline_worst(s->p), OS_SEV_NEVER);
    tcp_session(s, "10.3.0.23", 51003, "10.1.0.20", 6061, 100, 100);
    assert_int_equal(os_pipeline_worst(s->p), OS_SEV_NEVER);
    tcp(s, "10.3.0.23", 51004, "10.1.0.20", 6062, SYN, 0);
    tcp(s, "10.3.0.23", 51004, "10.1.0.20", 6062, SYN, 0);
    assert_int_equal(os_pipeline_worst(s->p), OS_SEV_WARNING);
    icmp_unreach(s, "10.1.0.1", "10.3.0.23", 13, 6, "10.3.0.23", 51005, "10.1.0.20", 6063);
    assert_int_equal(os_pipeline_worst(s->p), OS_SEV_ERROR);
    site_finish(s);
    assert_int_equal(os_pipeline_worst(s->p), OS_SEV_ERROR);
    /* most severe first */
    assert_true(s->st->nfindings >= 2);
    for (size_t i = 1; i < s->st->nfindings; i++)
        assert_true(s->st->finding[i - 1]->sev >= s->st->finding[i]->sev);
    site_close(s);

    s = site_open(NULL, site_hosts); /* info only */
    udp(s, 2, "10.1.0.20", 41000, "10.1.0.10", 12345, 300);
    site_finish(s);
    assert_int_equal(os_pipeline_worst(s->p), OS_SEV_INFO);
    site_close(s);
}

/* ======================================================================== */
/* JSON finding records                                                     */

static void test_json_finding_records(void **state)
{
    (void)state;
    site *s = site_open_mode(NULL, site_hosts, OS_MODE_JSON);
    tcp(s, "10.1.0.10", 5001, "10.3.0.23", 51000, SYN, 0);
    tcp(s, "10.3.0.23", 51000, "10.1.0.10", 5001, SYNACK, 0);
    tcp(s, "10.1.0.10", 5001, "10.3.0.23", 51000, ACK, 0);
    icmp_unreach(s, "10.1.0.1", "10.3.0.23", 13, 6, "10.3.0.23", 51003, "10.1.0.20", 6061);
    site_finish(s);
    const char *t = site_text(s);
    const char *rev = strstr(t, "\"type\":\"finding\",\"schema_version\":2,\"kind\":\"reversed-direction\"");
    assert_non_null(rev);
    const char *eol = strchr(rev, '\n');
    assert_non_null(eol);
    size_t n = (size_t)(eol - rev);
    char line[2048];
    assert_true(n < sizeof line);
    memcpy(line, rev, n);
    line[n] = '\0';
    assert_non_null(strstr(line, "\"severity\":\"error\""));
    assert_non_null(strstr(line, "\"src_ip\":\"10.1.0.10\",\"src_port\":5001"));
    assert_non_null(strstr(line, "\"dest_ip\":\"10.3.0.23\",\"dest_port\":51000"));
    assert_non_null(strstr(line, "\"role\":\"gateway-command\""));
    const char *ic = strstr(t, "\"type\":\"finding\",\"schema_version\":2,\"kind\":\"icmp-unreachable\"");
    assert_non_null(ic);
    eol = strchr(ic, '\n');
    assert_non_null(eol);
    n = (size_t)(eol - ic);
    assert_true(n < sizeof line);
    memcpy(line, ic, n);
    line[n] = '\0';
    assert_non_null(strstr(line, "\"src_ip\":\"10.3.0.23\",\"src_port\":51003"));
    assert_non_null(strstr(line, "\"dest_ip\":\"10.1.0.20\",\"dest_port\":6061"));
    assert_non_null(strstr(line, "\"reporter_ip\":\"10.1.0.1\""));
    site_close(s);
}

/* ======================================================================== */
/* a healthy site                                                           */

/* A handful of flows, each in its documented direction. */
static void healthy_traffic(site *s)
{
    tcp_session(s, "10.1.0.10", 40000, "10.1.0.9", 7998, 100, 100);      /* directory-link */
    tcp_session(s, "10.3.0.23", 51000, "10.1.0.10", 5001, 300, 600);     /* gateway-command */
    tcp_session(s, "10.3.0.23", 51001, "10.1.0.10", 5002, 100, 1300);    /* gateway-tcp-video */
    tcp_session(s, "10.3.0.23", 51002, "10.1.0.10", 80, 300, 1300);      /* gateway-web */
    udp(s, 2, "10.3.0.23", 50002, "10.1.0.10", 8000, 60);                /* discovery */
    udp(s, 2, "10.1.0.10", 8000, "10.3.0.23", 50002, 60);
    udp(s, 10, "10.1.0.10", 8001, "10.3.0.23", 50000, 1300);             /* gateway-udp-video */
    udp(s, 10, "10.2.0.31", 40000, "10.1.0.20", 15000, 1300);            /* encoder→archiver */
    udp(s, 1, "10.1.0.20", 15000, "10.2.0.31", 40000, 60);
    udp(s, 10, "10.2.0.32", 40000, "10.1.0.20", 15002, 1300);
    udp(s, 10, "10.1.0.20", 41000, "10.1.0.10", 28000, 1300);            /* archiver→gateway */
    udp(s, 5, "10.2.0.31", 40010, "239.10.0.1", 47806, 1300);            /* multicast */
    udp(s, 5, "10.2.0.32", 40010, "239.10.0.2", 47806, 1300);
    udp(s, 5, "10.2.0.31", 40011, "239.10.0.3", 47807, 200);
    tcp_session(s, "10.3.0.23", 51003, "10.1.0.20", 6061, 200, 1300);    /* archiver-playback */
    tcp_session(s, "10.3.0.23", 51004, "10.1.0.11", 7999, 100, 100);     /* dfc-command */
}

static void test_healthy_site_no_warnings(void **state)
{
    (void)state;
    for (int h = 0; h < 2; h++) {
        site *s;
        print_message("%s hosts file\n", h ? "with" : "without");
        s = site_open(NULL, h ? site_hosts : NULL);
        healthy_traffic(s);
        site_finish(s);
        assert_int_equal(s->st->unclassified.flows, 0);
        assert_int_equal(role_flows(s, "directory-link"), 1);
        assert_int_equal(role_flows(s, "gateway-udp-video"), 1);
        assert_int_equal(role_flows(s, "encoder-archiver-unicast"), 2);
        assert_int_equal(role_flows(s, "archiver-gateway-unicast"), 1);
        assert_int_equal(role_flows(s, "multicast-video"), 2);
        no_warning_or_error(s);
        count_is(s, 0);
        site_close(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* unanswered-connection */
        cmocka_unit_test_teardown(test_unanswered_syn_retries_one_finding, close_leftovers),
        cmocka_unit_test_teardown(test_unanswered_then_answered_says_late, close_leftovers),
        cmocka_unit_test_teardown(test_unanswered_live_line_once, close_leftovers),
        cmocka_unit_test_teardown(test_unanswered_single_syn_until_end, close_leftovers),
        cmocka_unit_test_teardown(test_unanswered_single_syn_until_timeout, close_leftovers),
        cmocka_unit_test_teardown(test_unanswered_quick_verdict, close_leftovers),
        cmocka_unit_test_teardown(test_retries_join_one_problem_live, close_leftovers),
        cmocka_unit_test_teardown(test_storm_bounded_and_counted_once, close_leftovers),
        cmocka_unit_test_teardown(test_midstream_not_flagged, close_leftovers),
        cmocka_unit_test_teardown(test_established_not_flagged, close_leftovers),
        /* connection-refused */
        cmocka_unit_test_teardown(test_refused_syn_answered_by_rst, close_leftovers),
        cmocka_unit_test_teardown(test_refused_on_shared_port_needs_roles, close_leftovers),
        /* reversed-direction */
        cmocka_unit_test_teardown(test_reversed_tcp_opened_from_service_port, close_leftovers),
        cmocka_unit_test_teardown(test_reversed_tcp_shared_port_without_roles_not_flagged, close_leftovers),
        cmocka_unit_test_teardown(test_reversed_udp_client_to_gateway_video, close_leftovers),
        cmocka_unit_test_teardown(test_reversed_udp_gateway_to_archiver, close_leftovers),
        cmocka_unit_test_teardown(test_reversed_udp_archiver_to_encoder, close_leftovers),
        cmocka_unit_test_teardown(test_discovery_both_ways_not_reversed, close_leftovers),
        cmocka_unit_test_teardown(test_archiver_small_replies_not_reversed, close_leftovers),
        cmocka_unit_test_teardown(test_reversed_udp_threshold_from_rules, close_leftovers),
        /* non-default ports */
        cmocka_unit_test_teardown(test_nondefault_port_reversed_on_4812, close_leftovers),
        cmocka_unit_test_teardown(test_nondefault_rules_5001_is_not_gateway_command, close_leftovers),
        /* IPv6 */
        cmocka_unit_test_teardown(test_ipv6_reversed_directory_link, close_leftovers),
        cmocka_unit_test_teardown(test_ipv6_unanswered_and_refused, close_leftovers),
        /* wrong-transport */
        cmocka_unit_test_teardown(test_wrong_transport_udp_to_archiver_playback, close_leftovers),
        cmocka_unit_test_teardown(test_wrong_transport_tcp_syn_to_28001, close_leftovers),
        cmocka_unit_test_teardown(test_wrong_transport_not_also_undocumented, close_leftovers),
        cmocka_unit_test_teardown(test_wrong_transport_needs_host_role, close_leftovers),
        /* unexpected-peer */
        cmocka_unit_test_teardown(test_unexpected_peer_second_gateway_on_directory, close_leftovers),
        cmocka_unit_test_teardown(test_unexpected_peer_second_gateway_ends_first, close_leftovers),
        cmocka_unit_test_teardown(test_unexpected_peer_client_on_directory, close_leftovers),
        cmocka_unit_test_teardown(test_unexpected_peer_failover_bypasses_gateway, close_leftovers),
        cmocka_unit_test_teardown(test_unexpected_peer_non_gateway_receives_archiver_stream, close_leftovers),
        /* icmp-unreachable */
        cmocka_unit_test_teardown(test_icmp_admin_prohibited_is_error, close_leftovers),
        cmocka_unit_test_teardown(test_icmp_port_unreachable_is_warning, close_leftovers),
        cmocka_unit_test_teardown(test_icmp6_admin_prohibited_is_error, close_leftovers),
        cmocka_unit_test_teardown(test_icmp6_port_unreachable_is_warning, close_leftovers),
        cmocka_unit_test_teardown(test_icmp_codes_9_10_are_errors, close_leftovers),
        cmocka_unit_test_teardown(test_icmp_repeated_errors_one_finding_counted, close_leftovers),
        cmocka_unit_test_teardown(test_icmp_about_other_traffic_not_flagged, close_leftovers),
        cmocka_unit_test_teardown(test_icmp_on_shared_port_needs_roles, close_leftovers),
        cmocka_unit_test_teardown(test_icmp_mixed_codes_one_finding_error, close_leftovers),
        /* multicast */
        cmocka_unit_test_teardown(test_multicast_group_conflict, close_leftovers),
        cmocka_unit_test_teardown(test_table_bounds_from_rules, close_leftovers),
        cmocka_unit_test_teardown(test_first_peers_bounded, close_leftovers),
        cmocka_unit_test_teardown(test_multicast_port_mismatch_declared_encoder, close_leftovers),
        cmocka_unit_test_teardown(test_multicast_port_mismatch_inferred_encoder, close_leftovers),
        cmocka_unit_test_teardown(test_multicast_port_mismatch_encoder_known_later, close_leftovers),
        cmocka_unit_test_teardown(test_multicast_out_of_range, close_leftovers),
        cmocka_unit_test_teardown(test_multicast_out_of_range_ipv6, close_leftovers),
        cmocka_unit_test_teardown(test_multicast_range_unchecked_when_unset, close_leftovers),
        /* role-conflict */
        cmocka_unit_test_teardown(test_role_conflict_declared_client_acts_as_archiver, close_leftovers),
        cmocka_unit_test_teardown(test_role_conflict_inferred_client_and_gateway, close_leftovers),
        cmocka_unit_test_teardown(test_role_conflict_not_when_traffic_agrees, close_leftovers),
        cmocka_unit_test_teardown(test_role_conflict_not_for_archiver_restreaming, close_leftovers),
        /* undocumented-port */
        cmocka_unit_test_teardown(test_undocumented_port_between_omnicast_hosts, close_leftovers),
        /* plumbing */
        cmocka_unit_test_teardown(test_severity_parse, close_leftovers),
        cmocka_unit_test_teardown(test_kind_parse_every_id, close_leftovers),
        cmocka_unit_test_teardown(test_default_severity_per_spec, close_leftovers),
        cmocka_unit_test_teardown(test_explain_every_kind, close_leftovers),
        cmocka_unit_test_teardown(test_kind_table, close_leftovers),
        cmocka_unit_test_teardown(test_pipeline_worst, close_leftovers),
        cmocka_unit_test_teardown(test_json_finding_records, close_leftovers),
        /* healthy site */
        cmocka_unit_test_teardown(test_healthy_site_no_warnings, close_leftovers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
