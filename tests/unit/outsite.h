/* outsite.h — a pipeline with the observed-system graph on, fed frames built
 * in memory, for the tests of the whole-system outputs (--dot, --report).
 * Rules: the embedded default set; hosts: a hosts file given as text. The
 * clock starts at 2026-01-15T10:00:00Z and moves 1 ms per frame. */
#ifndef TEST_OUTSITE_H
#define TEST_OUTSITE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "omnisniff/pipeline.h"


#define OS_T0 1768471200000000000ULL /* 2026-01-15T10:00:00Z */
#define OS_MS 1000000ULL
#define OS_SEC 1000000000ULL

/* One pipeline and what it needs. */
typedef struct outsite {
    os_ruleset rs;      /* default rules */
    os_hostsfile hf;    /* declared hosts (empty if none) */
    os_pipeline *p;     /* the pipeline, graph on */
    FILE *sink;         /* where its summary goes (discarded) */
    uint64_t now;       /* time of the next frame */
    fb fr;              /* frame buffer */
} outsite;

/* A pipeline over the default rules and `hosts` (NULL: none); NULL on failure. */
static inline outsite *outsite_open(const char *hosts)
{
    os_diags d = { 0 };
    char err[128];
    outsite *s = calloc(1, sizeof *s);
    (void)fb_ext8; /* frames.h helper these tests need not (no unused warning) */
    os_rules_text def = os_rules_default();
    if (!s || !os_rules_parse("omnicast4.rules", def.text, def.len, &s->rs, &d))
        return NULL;
    if (hosts && !os_hosts_parse("test.hosts", hosts, strlen(hosts), &s->hf, &d))
        return NULL;
    os_diags_free(&d);
    s->sink = fopen("/dev/null", "w");
    os_pipeline_cfg cfg = { .rules = &s->rs, .hosts = hosts ? &s->hf : NULL,
                            .flow = os_flow_cfg_default(), .dlt = 1, .mode = OS_MODE_QUIET,
                            .out = s->sink, .graph = true, .findings_all = true };
    s->p = os_pipeline_new(&cfg, err, sizeof err);
    s->now = OS_T0;
    return s->p && s->sink ? s : NULL;
}

static inline bool outsite_send(outsite *s)
{
    os_frame fr = { s->now, (uint32_t)s->fr.n, (uint32_t)s->fr.n, s->fr.b, 1 /* DLT_EN10MB */ };
    s->now += OS_MS;
    return os_pipeline_packet(s->p, &fr);
}

/* One IPv4 or IPv6 TCP segment (by the address). */
static inline bool outsite_tcp(outsite *s, const char *src, unsigned sp, const char *dst,
                               unsigned dp, uint8_t fl, size_t pay)
{
    if (strchr(src, ':')) {
        s->fr.n = 0;
        fb_eth(&s->fr, 0x86dd, NULL, 0, 0);
        fb_ipv6(&s->fr, src, dst, 6, 20 + pay);
        fb_tcp(&s->fr, sp, dp, fl, 5, pay);
    } else {
        fb_tcp4(&s->fr, src, sp, dst, dp, fl, pay);
    }
    return outsite_send(s);
}

/* `n` IPv4 UDP datagrams. */
static inline bool outsite_udp(outsite *s, int n, const char *src, unsigned sp, const char *dst,
                               unsigned dp, size_t pay)
{
    for (int i = 0; i < n; i++) {
        fb_udp4(&s->fr, src, sp, dst, dp, pay);
        if (!outsite_send(s))
            return false;
    }
    return true;
}

/* A full TCP session peer → service. */
static inline bool outsite_session(outsite *s, const char *peer, unsigned pp, const char *svc,
                                   unsigned sp)
{
    return outsite_tcp(s, peer, pp, svc, sp, OS_TH_SYN, 0) &&
           outsite_tcp(s, svc, sp, peer, pp, OS_TH_SYN | OS_TH_ACK, 0) &&
           outsite_tcp(s, peer, pp, svc, sp, OS_TH_ACK, 0) &&
           outsite_tcp(s, peer, pp, svc, sp, OS_TH_PSH | OS_TH_ACK, 100) &&
           outsite_tcp(s, svc, sp, peer, pp, OS_TH_PSH | OS_TH_ACK, 200);
}

/* IPv4 ICMP destination unreachable `code` from rep to `to`, quoting a TCP
 * SYN (qproto 6) or UDP datagram (17) qsrc:qsp → qdst:qdp. */
static inline bool outsite_icmp(outsite *s, const char *rep, const char *to, uint8_t code,
                                uint8_t qproto, const char *qsrc, unsigned qsp, const char *qdst,
                                unsigned qdp)
{
    fb q;
    q.n = 0;
    fb_ipv4(&q, qsrc, qdst, qproto, qproto == 6 ? 20 : 8, 0, 0x4000);
    if (qproto == 6)
        fb_tcp(&q, qsp, qdp, OS_TH_SYN, 5, 0);
    else
        fb_udp(&q, qsp, qdp, 0);
    s->fr.n = 0;
    fb_eth(&s->fr, 0x0800, NULL, 0, 0);
    fb_ipv4(&s->fr, rep, to, 1, 8 + 28, 0, 0);
    fb_icmp(&s->fr, 3, code, q.b, 28);
    return outsite_send(s);
}

/* End of input. */
static inline void outsite_finish(outsite *s)
{
    os_pipeline_flush(s->p, "test.pcap", "EN10MB", NULL, NULL);
    os_pipeline_summary(s->p);
}

static inline void outsite_close(outsite *s)
{
    if (!s)
        return;
    os_pipeline_free(s->p);
    if (s->sink)
        fclose(s->sink);
    os_rules_free(&s->rs);
    os_hosts_free(&s->hf);
    free(s);
}

/* The site a test has open, so a failing assertion that leaves the test
 * early does not leak it: open with outsite_start, close with outsite_done,
 * and give outsite_teardown to cmocka as the teardown. */
static outsite *outsite_current;

/* outsite_open that must succeed, tracked for outsite_teardown. */
static inline outsite *outsite_start(const char *hosts)
{
    outsite *s = outsite_open(hosts);
    assert_non_null(s);
    outsite_current = s;
    return s;
}

/* Close a site opened with outsite_start. */
static inline void outsite_done(outsite *s)
{
    outsite_close(s);
    outsite_current = NULL;
}

/* cmocka teardown: close the site a failed test left open. */
static inline int outsite_teardown(void **state)
{
    (void)state;
    outsite_close(outsite_current);
    outsite_current = NULL;
    return 0;
}

#endif
