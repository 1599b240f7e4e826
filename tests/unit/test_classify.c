/* test_classify.c — traffic-role labels for every default role in both
 * directions, confidence from declared/inferred host roles, inference with
 * evidence, ambiguity, over=, match=role, non-default ports, IPv6; the
 * bounded host table and the per-host generation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>

#include "omnisniff/classify.h"
#include "pkt.h"


#define S 1000000000ULL

static const char site_hosts[] =
    "10.1.0.10 directory,gateway dir-gw1\n"
    "10.1.0.12 failover-directory\n"
    "10.1.0.20 archiver\n"
    "10.1.0.40 federation\n"
    "10.9.0.10 remote-gateway\n"
    "10.3.0.0/16 client\n";

typedef struct fixture {
    os_ruleset rs;
    os_hostsfile hf;
    os_flowtab *ft;
    os_classifier *c;
} fixture;

static void fx_init(fixture *fx, const char *rules, const char *hosts)
{
    os_diags d = { 0 };
    os_rules_text def = os_rules_default();
    const char *r = rules ? rules : def.text;
    size_t rl = rules ? strlen(rules) : def.len;
    os_flow_cfg cfg = os_flow_cfg_default();
    memset(fx, 0, sizeof *fx);
    assert_true(os_rules_parse("test.rules", r, rl, &fx->rs, &d));
    if (hosts)
        assert_true(os_hosts_parse("test.hosts", hosts, strlen(hosts), &fx->hf, &d));
    os_diags_free(&d);
    fx->ft = os_flowtab_new(&cfg, NULL, NULL);
    fx->c = os_classifier_new(&fx->rs, &fx->hf);
}

static void fx_free(fixture *fx)
{
    os_classifier_free(fx->c);
    os_flowtab_free(fx->ft);
    os_rules_free(&fx->rs);
    os_hosts_free(&fx->hf);
}

/* Feed one packet and return its flow with a current label. */
static os_flow *feed(fixture *fx, os_pkt p, uint64_t ts)
{
    int side;
    bool created;
    os_flow *f = os_flowtab_add(fx->ft, &p, ts, &side, &created);
    assert_non_null(f);
    os_classify_learn(fx->c, f, side, &p, created);
    os_classify_flow(fx->c, f);
    return f;
}

static const char *role_of(const fixture *fx, const os_flow *f)
{
    return f->label.rule < 0 ? "-" : fx->rs.rule[f->label.rule].id;
}

static const char *alt_of(const fixture *fx, const os_flow *f)
{
    return f->label.alt < 0 ? "-" : fx->rs.rule[f->label.alt].id;
}

/* A peer→service packet, and the same flow starting service→peer. */
typedef struct role_case {
    uint8_t proto;
    const char *peer, *svc;
    uint16_t pport, sport;
    const char *role, *alt;
    os_conf conf;
    bool hosts;
} role_case;

static const role_case cases[] = {
    { 6, "10.1.0.13", "10.1.0.10", 40000, 7998, "directory-link", "-", OS_CONF_PORT, false },
    { 6, "10.3.0.23", "10.1.0.10", 51000, 5001, "gateway-command", "-", OS_CONF_PORT, false },
    { 6, "10.3.0.23", "10.1.0.10", 51001, 5002, "gateway-tcp-video", "-", OS_CONF_PORT, false },
    { 17, "10.3.0.23", "10.1.0.10", 50000, 8001, "gateway-udp-video", "-", OS_CONF_PORT, false },
    { 17, "10.3.0.23", "10.1.0.10", 50002, 8000, "gateway-udp-discovery", "-", OS_CONF_PORT, false },
    { 6, "10.3.0.23", "10.1.0.10", 51002, 80, "gateway-web", "-", OS_CONF_PORT, false },
    { 17, "10.2.0.31", "239.10.0.1", 40000, 47806, "multicast-video", "-", OS_CONF_INFERRED, false },
    { 17, "10.2.0.31", "239.10.0.1", 40001, 47807, "multicast-audio", "-", OS_CONF_INFERRED, false },
    { 17, "10.2.0.31", "10.1.0.20", 40000, 15000, "encoder-archiver-unicast", "-", OS_CONF_PORT, false },
    { 6, "10.3.0.23", "10.1.0.20", 51003, 6061, "archiver-playback", "-", OS_CONF_PORT, false },
    { 17, "10.1.0.20", "10.1.0.10", 41000, 28001, "archiver-gateway-unicast", "-", OS_CONF_PORT, false },
    { 6, "10.9.0.10", "10.1.0.40", 52000, 6000, "federation-video", "virtual-matrix-video", OS_CONF_PORT, false },
    { 6, "10.3.0.23", "10.1.0.11", 51004, 7999, "dfc-command", "-", OS_CONF_PORT, false },
    { 6, "10.1.0.12", "10.1.0.10", 52001, 5001, "failover-directory-link", "-", OS_CONF_DECLARED, true },
    { 6, "10.1.0.40", "10.9.0.10", 52002, 5001, "federation-remote-command", "-", OS_CONF_DECLARED, true },
    { 6, "10.1.0.40", "10.9.0.10", 52003, 5002, "federation-remote-video", "-", OS_CONF_DECLARED, true },
    { 6, "10.9.0.10", "10.1.0.40", 52004, 6000, "federation-video", "-", OS_CONF_DECLARED, true },
    { 6, "10.3.0.23", "10.1.0.10", 51005, 5001, "gateway-command", "-", OS_CONF_DECLARED, true },
    { 17, "10.1.0.20", "10.1.0.10", 41001, 28002, "archiver-gateway-unicast", "-", OS_CONF_DECLARED, true },
};

static void check_case(const role_case *k, bool from_service)
{
    fixture fx;
    fx_init(&fx, NULL, k->hosts ? site_hosts : NULL);
    os_pkt p = from_service ? tp_make(k->proto, k->svc, k->sport, k->peer, k->pport, 0, 100)
                            : tp_make(k->proto, k->peer, k->pport, k->svc, k->sport, 0, 100);
    if (k->proto == 6)
        p.tcp_flags = OS_TH_ACK;
    os_flow *f = feed(&fx, p, 1 * S);
    print_message("case %s:%u %s\n", k->svc, k->sport, from_service ? "(service first)" : "");
    assert_string_equal(role_of(&fx, f), k->role);
    assert_string_equal(alt_of(&fx, f), k->alt);
    assert_int_equal(f->label.conf, k->conf);
    os_addr svc = os_flow_addr(f, f->label.svc_side), want;
    assert_true(os_addr_parse(k->svc, &want));
    assert_int_equal(os_addr_cmp(&svc, &want), 0);
    fx_free(&fx);
}

static void test_every_default_role_both_directions(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (!(cases[i].proto == 17 && strncmp(cases[i].svc, "239.", 4) == 0))
            check_case(&cases[i], true);
        check_case(&cases[i], false);
    }
}

static void test_unrelated_traffic_unclassified(void **state)
{
    (void)state;
    fixture fx;
    fx_init(&fx, NULL, NULL);
    os_flow *f = feed(&fx, tp_make(17, "10.3.0.23", 53000, "10.1.0.1", 53, 0, 80), 1 * S);
    assert_int_equal(f->label.rule, -1);
    assert_int_equal(f->label.conf, OS_CONF_NONE);
    fx_free(&fx);
}

static void test_match_role_rule_needs_confirmation(void **state)
{
    (void)state;
    fixture fx;
    fx_init(&fx, NULL, NULL); /* no hosts: 10.1.0.12 is not known as failover Directory */
    os_flow *f = feed(&fx, tp_make(6, "10.1.0.12", 52001, "10.1.0.10", 5001, OS_TH_SYN, 60), 1 * S);
    assert_string_equal(role_of(&fx, f), "gateway-command");
    fx_free(&fx);
}

static void test_directory_inferred_from_syn_ack_with_evidence(void **state)
{
    (void)state;
    fixture fx;
    fx_init(&fx, NULL, NULL);
    os_flow *f = feed(&fx, tp_make(6, "10.1.0.13", 40000, "10.1.0.10", 7998, OS_TH_SYN, 60), 1 * S);
    assert_int_equal(f->label.conf, OS_CONF_PORT);
    os_addr dir;
    os_conf c;
    assert_true(os_addr_parse("10.1.0.10", &dir));
    assert_int_equal(os_classify_host_roles(fx.c, &dir, &c), 0);
    feed(&fx, tp_make(6, "10.1.0.10", 7998, "10.1.0.13", 40000, OS_TH_SYN | OS_TH_ACK, 60), 2 * S);
    assert_int_equal(os_classify_host_roles(fx.c, &dir, &c), OS_HR_BIT(OS_HR_DIRECTORY));
    assert_int_equal(c, OS_CONF_INFERRED);
    const os_host *h = os_classify_host(fx.c, &dir);
    assert_int_equal(h->why[OS_HR_DIRECTORY].flow_id, f->id);
    assert_int_equal(h->why[OS_HR_DIRECTORY].first_ns, 2 * S);
    assert_string_equal(fx.rs.rule[h->why[OS_HR_DIRECTORY].rule].id, "directory-link");
    assert_int_equal(f->label.conf, OS_CONF_INFERRED);
    fx_free(&fx);
}

/* One server is Directory and Gateway: inferring "directory" from 7998 must
 * not stop its Gateway ports from being labelled. */
static void test_inferred_role_never_excludes_another(void **state)
{
    (void)state;
    fixture fx;
    os_addr dir;
    os_conf c;
    fx_init(&fx, NULL, NULL);
    feed(&fx, tp_make(6, "10.1.0.13", 40000, "10.1.0.10", 7998, OS_TH_SYN, 60), 1 * S);
    feed(&fx, tp_make(6, "10.1.0.10", 7998, "10.1.0.13", 40000, OS_TH_SYN | OS_TH_ACK, 60), 1 * S);
    assert_true(os_addr_parse("10.1.0.10", &dir));
    assert_int_equal(os_classify_host_roles(fx.c, &dir, &c), OS_HR_BIT(OS_HR_DIRECTORY));
    os_flow *f = feed(&fx, tp_make(6, "10.3.0.23", 51000, "10.1.0.10", 5001, OS_TH_SYN, 60), 2 * S);
    assert_string_equal(role_of(&fx, f), "gateway-command");
    assert_int_equal(f->label.conf, OS_CONF_PORT);
    f = feed(&fx, tp_make(17, "10.1.0.10", 8001, "10.3.0.23", 50002, 0, 1300), 3 * S);
    assert_string_equal(role_of(&fx, f), "gateway-udp-video");
    fx_free(&fx);
}

static void test_archiver_needs_two_sources(void **state)
{
    (void)state;
    fixture fx;
    os_addr arc, e1, e2;
    os_conf c;
    fx_init(&fx, NULL, NULL);
    assert_true(os_addr_parse("10.1.0.20", &arc));
    assert_true(os_addr_parse("10.2.0.31", &e1));
    assert_true(os_addr_parse("10.2.0.32", &e2));
    feed(&fx, tp_make(17, "10.2.0.31", 40000, "10.1.0.20", 15000, 0, 1300), 1 * S);
    feed(&fx, tp_make(17, "10.2.0.31", 40002, "10.1.0.20", 15002, 0, 1300), 2 * S);
    assert_int_equal(os_classify_host_roles(fx.c, &arc, &c), 0);
    os_flow *f = feed(&fx, tp_make(17, "10.2.0.32", 40000, "10.1.0.20", 15004, 0, 1300), 3 * S);
    assert_int_equal(os_classify_host_roles(fx.c, &arc, &c), OS_HR_BIT(OS_HR_ARCHIVER));
    assert_int_equal(os_classify_host_roles(fx.c, &e2, &c), OS_HR_BIT(OS_HR_ENCODER));
    assert_int_equal(f->label.conf, OS_CONF_INFERRED);
    /* the first source is an encoder too, with the evidence of its own flow */
    assert_int_equal(os_classify_host_roles(fx.c, &e1, &c), OS_HR_BIT(OS_HR_ENCODER));
    const os_host *h1 = os_classify_host(fx.c, &e1);
    assert_int_equal(h1->why[OS_HR_ENCODER].first_ns, 1 * S);
    assert_false(h1->why[OS_HR_ENCODER].as_service);
    fx_free(&fx);
}

static void test_multicast_sender_inferred_encoder(void **state)
{
    (void)state;
    fixture fx;
    os_addr e;
    os_conf c;
    fx_init(&fx, NULL, NULL);
    feed(&fx, tp_make(17, "10.2.0.31", 40000, "239.10.0.1", 47806, 0, 1300), 1 * S);
    assert_true(os_addr_parse("10.2.0.31", &e));
    assert_int_equal(os_classify_host_roles(fx.c, &e, &c), OS_HR_BIT(OS_HR_ENCODER));
    fx_free(&fx);
}

static void test_unicast_to_47806_is_not_multicast_video(void **state)
{
    (void)state;
    fixture fx;
    fx_init(&fx, NULL, NULL);
    os_flow *f = feed(&fx, tp_make(17, "10.2.0.31", 40000, "10.1.0.20", 47806, 0, 1300), 1 * S);
    assert_int_equal(f->label.rule, -1);
    fx_free(&fx);
}

static void test_declared_role_resolves_tcp_6000(void **state)
{
    (void)state;
    fixture fx;
    fx_init(&fx, NULL, "10.1.0.50 virtual-matrix vm1\n");
    os_flow *f = feed(&fx, tp_make(6, "10.3.0.23", 52000, "10.1.0.50", 6001, OS_TH_SYN, 60), 1 * S);
    assert_string_equal(role_of(&fx, f), "virtual-matrix-video");
    assert_int_equal(f->label.alt, -1);
    assert_int_equal(f->label.conf, OS_CONF_DECLARED);
    fx_free(&fx);
}

static void test_declared_conflicting_service_role_rejects_rule(void **state)
{
    (void)state;
    fixture fx;
    fx_init(&fx, NULL, "10.1.0.10 archiver\n");
    os_flow *f = feed(&fx, tp_make(6, "10.3.0.23", 51000, "10.1.0.10", 5001, OS_TH_SYN, 60), 1 * S);
    assert_int_equal(f->label.rule, -1);
    fx_free(&fx);
}

static void test_unexpected_peer_is_marked(void **state)
{
    (void)state;
    fixture fx;
    fx_init(&fx, NULL, "10.1.0.10 directory\n10.2.0.31 encoder\n");
    os_flow *f = feed(&fx, tp_make(6, "10.2.0.31", 40000, "10.1.0.10", 7998, OS_TH_SYN, 60), 1 * S);
    assert_string_equal(role_of(&fx, f), "directory-link");
    assert_true(f->label.peer_mismatch);
    fx_free(&fx);
}

static const char site_rules[] =
    "rule gateway-command proto=tcp port=4812 service=gateway peer=client kba=\"x\"\n"
    "rule archiver-playback proto=tcp port=7060-7080 service=archiver infer=service kba=\"y\"\n";

static void test_non_default_ports_from_rules_file(void **state)
{
    (void)state;
    fixture fx;
    fx_init(&fx, site_rules, NULL);
    os_flow *f = feed(&fx, tp_make(6, "10.3.0.23", 51000, "10.1.0.10", 4812, OS_TH_SYN, 60), 1 * S);
    assert_string_equal(role_of(&fx, f), "gateway-command");
    f = feed(&fx, tp_make(6, "10.3.0.23", 51001, "10.1.0.10", 5001, OS_TH_SYN, 60), 1 * S);
    assert_int_equal(f->label.rule, -1);
    f = feed(&fx, tp_make(6, "10.3.0.23", 51002, "10.1.0.20", 7080, OS_TH_SYN, 60), 1 * S);
    assert_string_equal(role_of(&fx, f), "archiver-playback");
    f = feed(&fx, tp_make(6, "10.3.0.23", 51003, "10.1.0.20", 7081, OS_TH_SYN, 60), 1 * S);
    assert_int_equal(f->label.rule, -1);
    fx_free(&fx);
}

static void test_ipv6(void **state)
{
    (void)state;
    fixture fx;
    fx_init(&fx, NULL, "fd00:1::10 gateway\n");
    os_flow *f = feed(&fx, tp_make(6, "fd00:3::23", 51000, "fd00:1::10", 5001, OS_TH_SYN, 80), 1 * S);
    assert_string_equal(role_of(&fx, f), "gateway-command");
    assert_int_equal(f->label.conf, OS_CONF_DECLARED);
    f = feed(&fx, tp_make(17, "fd00:2::31", 40000, "ff15::10:1", 47806, 0, 1300), 1 * S);
    assert_string_equal(role_of(&fx, f), "multicast-video");
    fx_free(&fx);
}

static void test_hosts_list_sorted(void **state)
{
    (void)state;
    fixture fx;
    size_t n;
    fx_init(&fx, NULL, site_hosts);
    feed(&fx, tp_make(6, "10.3.0.23", 51000, "10.1.0.10", 5001, OS_TH_SYN, 60), 1 * S);
    feed(&fx, tp_make(6, "10.1.0.40", 51000, "10.1.0.20", 6061, OS_TH_SYN, 60), 1 * S);
    const os_host **v = os_classify_hosts(fx.c, &n);
    assert_int_equal(n, 4);
    for (size_t i = 1; i < n; i++)
        assert_true(os_addr_cmp(&v[i - 1]->addr, &v[i]->addr) < 0);
    free(v);
    fx_free(&fx);
}

/* ---- inference as a chain, from traffic captured mid-life ------------------ */

static os_hrole_set roles_of(fixture *fx, const char *ip)
{
    os_addr a;
    os_conf c;
    assert_true(os_addr_parse(ip, &a));
    return os_classify_host_roles(fx->c, &a, &c);
}

static const char *words_of(fixture *fx, const char *ip, os_hrole r, char *buf, size_t n)
{
    os_addr a;
    assert_true(os_addr_parse(ip, &a));
    const os_host *h = os_classify_host(fx->c, &a);
    assert_non_null(h);
    return os_classify_evidence_words(fx->c, h, r, buf, n);
}

/* An already-open Directory link: data both ways, no handshake. The side
 * on 7998 is the Directory whichever spoke first; its peer is the primary
 * Gateway; the flow's client side comes from the port. */
static void test_midstream_directory_link_infers_both_ends(void **state)
{
    (void)state;
    fixture fx;
    char w[256];
    fx_init(&fx, NULL, NULL);
    os_flow *f = feed(&fx, tp_make(6, "10.1.0.10", 7998, "10.1.0.13", 40000, OS_TH_ACK | OS_TH_PSH, 64), 1 * S);
    assert_int_equal(roles_of(&fx, "10.1.0.10"), 0); /* one way only: not yet */
    feed(&fx, tp_make(6, "10.1.0.13", 40000, "10.1.0.10", 7998, OS_TH_ACK | OS_TH_PSH, 96), 2 * S);
    assert_int_equal(roles_of(&fx, "10.1.0.10"), OS_HR_BIT(OS_HR_DIRECTORY));
    assert_int_equal(roles_of(&fx, "10.1.0.13"), OS_HR_BIT(OS_HR_GATEWAY));
    assert_string_equal(words_of(&fx, "10.1.0.10", OS_HR_DIRECTORY, w, sizeof w),
                        "answers directory-link (TCP 7998) for Gateway 10.1.0.13");
    assert_string_equal(words_of(&fx, "10.1.0.13", OS_HR_GATEWAY, w, sizeof w),
                        "connects to directory-link (TCP 7998) of Directory 10.1.0.10");
    os_classify_flow(fx.c, f);
    os_addr gw;
    assert_true(os_addr_parse("10.1.0.13", &gw));
    os_addr client = os_flow_addr(f, os_flow_client(f));
    assert_int_equal(os_addr_cmp(&client, &gw), 0); /* the Gateway opened it, not the Directory */
    assert_int_equal(f->initiator == os_flow_client(f), 0); /* the Directory spoke first */
    assert_string_equal(os_flow_client_by(f), "port");
    fx_free(&fx);
}

/* The receiver of 28000-29000 is a Gateway only when a known Archiver
 * vouches for it (infer-from=known); the sender to a known Gateway is an
 * Archiver. */
static void test_archiver_vouches_for_gateway(void **state)
{
    (void)state;
    fixture fx;
    char w[256];
    fx_init(&fx, NULL, NULL);
    feed(&fx, tp_make(17, "10.1.0.20", 41000, "10.1.0.14", 28000, 0, 1300), 1 * S);
    assert_int_equal(roles_of(&fx, "10.1.0.14"), 0); /* the sender is not known yet */
    feed(&fx, tp_make(17, "10.2.0.31", 40000, "10.1.0.20", 15000, 0, 1300), 2 * S);
    feed(&fx, tp_make(17, "10.2.0.32", 40000, "10.1.0.20", 15002, 0, 1300), 3 * S);
    assert_int_equal(roles_of(&fx, "10.1.0.20"), OS_HR_BIT(OS_HR_ARCHIVER));
    /* the long-lived stream's next packet: the Archiver now vouches */
    feed(&fx, tp_make(17, "10.1.0.20", 41000, "10.1.0.14", 28000, 0, 1300), 4 * S);
    assert_int_equal(roles_of(&fx, "10.1.0.14"), OS_HR_BIT(OS_HR_GATEWAY));
    assert_string_equal(words_of(&fx, "10.1.0.14", OS_HR_GATEWAY, w, sizeof w),
                        "receives archiver-gateway-unicast (UDP 28000-29000) from Archiver 10.1.0.20");
    fx_free(&fx);
}

/* A known Gateway's video peers are clients; its 5001 peers are not
 * (federation servers and the failover Directory use 5001 too). */
static void test_gateway_vouches_for_video_clients_not_5001(void **state)
{
    (void)state;
    fixture fx;
    fx_init(&fx, NULL, NULL);
    feed(&fx, tp_make(6, "10.1.0.10", 7998, "10.1.0.13", 40000, OS_TH_ACK, 64), 1 * S);
    feed(&fx, tp_make(6, "10.1.0.13", 40000, "10.1.0.10", 7998, OS_TH_ACK, 64), 1 * S);
    feed(&fx, tp_make(6, "10.3.0.23", 50100, "10.1.0.13", 5001, OS_TH_ACK | OS_TH_PSH, 24), 2 * S);
    feed(&fx, tp_make(6, "10.1.0.13", 5001, "10.3.0.23", 50100, OS_TH_ACK | OS_TH_PSH, 48), 2 * S);
    assert_int_equal(roles_of(&fx, "10.3.0.23"), 0);
    feed(&fx, tp_make(17, "10.1.0.13", 8021, "10.3.0.23", 50200, 0, 100), 3 * S);
    assert_int_equal(roles_of(&fx, "10.3.0.23"), OS_HR_BIT(OS_HR_CLIENT));
    feed(&fx, tp_make(6, "10.1.0.13", 5002, "10.3.0.24", 50300, OS_TH_ACK | OS_TH_PSH, 1200), 4 * S);
    feed(&fx, tp_make(6, "10.3.0.24", 50300, "10.1.0.13", 5002, OS_TH_ACK, 0), 4 * S);
    assert_int_equal(roles_of(&fx, "10.3.0.24"), OS_HR_BIT(OS_HR_CLIENT));
    fx_free(&fx);
}

/* Shared ports never infer on their own: iperf on 5001, X11 on 6000, a web
 * server on 80, video-like UDP on 8001 between hosts of no known role. */
static void test_noise_on_shared_ports_infers_nothing(void **state)
{
    (void)state;
    fixture fx;
    size_t n;
    fx_init(&fx, NULL, NULL);
    for (int i = 0; i < 3; i++) {
        char src[32];
        snprintf(src, sizeof src, "10.9.9.%d", 10 + i);
        feed(&fx, tp_make(6, src, 41000, "10.9.9.72", 5001, OS_TH_SYN, 60), 1 * S);
        feed(&fx, tp_make(6, "10.9.9.72", 5001, src, 41000, OS_TH_SYN | OS_TH_ACK, 60), 1 * S);
        feed(&fx, tp_make(6, src, 42000, "10.9.9.81", 6000, OS_TH_SYN, 60), 1 * S);
        feed(&fx, tp_make(6, "10.9.9.81", 6000, src, 42000, OS_TH_SYN | OS_TH_ACK, 60), 1 * S);
        feed(&fx, tp_make(6, src, 43000, "10.9.9.80", 80, OS_TH_SYN, 60), 1 * S);
        feed(&fx, tp_make(6, "10.9.9.80", 80, src, 43000, OS_TH_SYN | OS_TH_ACK, 60), 1 * S);
        feed(&fx, tp_make(17, "10.9.9.90", 8001, src, 50000, 0, 1300), 1 * S);
    }
    const os_host **v = os_classify_hosts(fx.c, &n);
    assert_int_equal(n, 0);
    free(v);
    fx_free(&fx);
}

/* A host serving 5001 to two known clients is a Gateway; to one, not yet. */
static void test_known_clients_vouch_for_gateway(void **state)
{
    (void)state;
    fixture fx;
    fx_init(&fx, NULL, "10.3.0.0/24 client\n");
    feed(&fx, tp_make(6, "10.3.0.1", 50100, "10.1.0.15", 5001, OS_TH_SYN, 60), 1 * S);
    feed(&fx, tp_make(6, "10.1.0.15", 5001, "10.3.0.1", 50100, OS_TH_SYN | OS_TH_ACK, 60), 1 * S);
    assert_int_equal(roles_of(&fx, "10.1.0.15"), 0);
    feed(&fx, tp_make(6, "10.3.0.2", 50100, "10.1.0.15", 5001, OS_TH_SYN, 60), 2 * S);
    feed(&fx, tp_make(6, "10.1.0.15", 5001, "10.3.0.2", 50100, OS_TH_SYN | OS_TH_ACK, 60), 2 * S);
    assert_int_equal(roles_of(&fx, "10.1.0.15"), OS_HR_BIT(OS_HR_GATEWAY));
    fx_free(&fx);
}

/* Archiver playback: one client with a little data infers nothing; bulk to
 * one client (infer-bytes) or a second client does. */
static void test_playback_infers_archiver_from_two_clients_or_bulk(void **state)
{
    (void)state;
    fixture fx;
    fx_init(&fx, NULL, NULL);
    feed(&fx, tp_make(6, "10.3.0.23", 51000, "10.1.0.20", 6061, OS_TH_SYN, 60), 1 * S);
    os_flow *f = feed(&fx, tp_make(6, "10.1.0.20", 6061, "10.3.0.23", 51000, OS_TH_SYN | OS_TH_ACK, 60), 1 * S);
    assert_int_equal(roles_of(&fx, "10.1.0.20"), 0);
    for (int i = 0; i < 60; i++) /* 60 x 1200 bytes of playback to the client */
        f = feed(&fx, tp_make(6, "10.1.0.20", 6061, "10.3.0.23", 51000, OS_TH_ACK, 1200), 2 * S);
    assert_int_equal(roles_of(&fx, "10.1.0.20"), 0); /* judged when the flow ends */
    os_classify_settle(fx.c, f);
    assert_int_equal(roles_of(&fx, "10.1.0.20"), OS_HR_BIT(OS_HR_ARCHIVER));
    fx_free(&fx);
    fx_init(&fx, NULL, NULL);
    for (int i = 0; i < 2; i++) {
        char c[32];
        snprintf(c, sizeof c, "10.3.0.%d", 23 + i);
        feed(&fx, tp_make(6, c, 51000, "10.1.0.21", 6062, OS_TH_SYN, 60), 1 * S);
        feed(&fx, tp_make(6, "10.1.0.21", 6062, c, 51000, OS_TH_SYN | OS_TH_ACK, 60), 1 * S);
    }
    assert_int_equal(roles_of(&fx, "10.1.0.21"), OS_HR_BIT(OS_HR_ARCHIVER));
    fx_free(&fx);
}

/* Video-sized datagrams from the Gateway's first port are video, not
 * discovery (max-mean-size=), once the flow is judged whole. */
static void test_video_from_port_8000_is_not_discovery(void **state)
{
    (void)state;
    fixture fx;
    fx_init(&fx, NULL, NULL);
    os_flow *f = feed(&fx, tp_make(17, "10.1.0.10", 8000, "10.3.0.23", 50500, 0, 1200), 1 * S);
    for (int i = 0; i < 10; i++)
        feed(&fx, tp_make(17, "10.1.0.10", 8000, "10.3.0.23", 50500, 0, 1200), 2 * S);
    os_classify_settle(fx.c, f);
    assert_string_equal(role_of(&fx, f), "gateway-udp-video");
    os_flow *d = feed(&fx, tp_make(17, "10.3.0.24", 50400, "10.1.0.10", 8000, 0, 32), 3 * S);
    feed(&fx, tp_make(17, "10.1.0.10", 8000, "10.3.0.24", 50400, 0, 32), 3 * S);
    os_classify_settle(fx.c, d);
    assert_string_equal(role_of(&fx, d), "gateway-udp-discovery");
    fx_free(&fx);
}

/* A federation server and the remote Gateway corroborate each other: F
 * connects to R's 5001 and R sends to F's 6000 (infer-pair=). X11 on 6000
 * alone, or iperf on 5001 alone, infers nothing. */
static void test_federation_pair_corroborates(void **state)
{
    (void)state;
    fixture fx;
    fx_init(&fx, NULL, NULL);
    feed(&fx, tp_make(6, "10.9.9.82", 50321, "10.9.9.81", 6000, OS_TH_ACK | OS_TH_PSH, 200), 1 * S);
    feed(&fx, tp_make(6, "10.9.9.81", 6000, "10.9.9.82", 50321, OS_TH_ACK, 0), 1 * S);
    feed(&fx, tp_make(6, "10.1.0.40", 49960, "10.9.0.10", 5001, OS_TH_ACK | OS_TH_PSH, 80), 2 * S);
    feed(&fx, tp_make(6, "10.9.0.10", 5001, "10.1.0.40", 49960, OS_TH_ACK | OS_TH_PSH, 160), 2 * S);
    assert_int_equal(roles_of(&fx, "10.1.0.40"), 0); /* 5001 alone */
    assert_int_equal(roles_of(&fx, "10.9.9.81"), 0); /* 6000 alone */
    feed(&fx, tp_make(6, "10.9.0.10", 51010, "10.1.0.40", 6000, OS_TH_ACK | OS_TH_PSH, 1200), 3 * S);
    feed(&fx, tp_make(6, "10.1.0.40", 6000, "10.9.0.10", 51010, OS_TH_ACK, 0), 3 * S);
    assert_int_equal(roles_of(&fx, "10.1.0.40"), OS_HR_BIT(OS_HR_FEDERATION));
    assert_int_equal(roles_of(&fx, "10.9.0.10"), OS_HR_BIT(OS_HR_REMOTE_GATEWAY));
    assert_int_equal(roles_of(&fx, "10.9.9.81"), 0);
    assert_int_equal(roles_of(&fx, "10.9.9.82"), 0);
    fx_free(&fx);
}

/* A role vouched for by a known peer never overrides a declared one. */
static void test_vouched_role_never_overrides_declared(void **state)
{
    (void)state;
    fixture fx;
    fx_init(&fx, NULL, "10.3.0.23 client\n");
    feed(&fx, tp_make(6, "10.3.0.23", 40000, "10.1.0.10", 7998, OS_TH_SYN, 60), 1 * S);
    feed(&fx, tp_make(6, "10.1.0.10", 7998, "10.3.0.23", 40000, OS_TH_SYN | OS_TH_ACK, 60), 1 * S);
    assert_int_equal(roles_of(&fx, "10.1.0.10"), OS_HR_BIT(OS_HR_DIRECTORY));
    assert_int_equal(roles_of(&fx, "10.3.0.23"), OS_HR_BIT(OS_HR_CLIENT));
    fx_free(&fx);
}

/* ---- the bounded host table ------------------------------------------------ */

/* Encoder n (10.2.x.y) sends one datagram to the declared Archiver on
 * 15000 at second n: an inferred encoder, a new host record. */
static os_flow *encoder(fixture *fx, int n)
{
    char a[32];
    snprintf(a, sizeof a, "10.2.%d.%d", n / 250, 1 + n % 250);
    return feed(fx, tp_make(17, a, 40000, "10.1.0.20", 15000, 0, 1000), (uint64_t)(1 + n) * S);
}

static bool known(fixture *fx, const char *ip)
{
    os_addr a;
    assert_true(os_addr_parse(ip, &a));
    return os_classify_host(fx->c, &a) != NULL;
}

/* 40 encoders past a bound of 16: the table holds 16 of them (and the
 * declared Archiver, never evicted), 24 were evicted, the counters say so;
 * the oldest are gone, the newest known; bounds under OS_HOSTS_MIN are
 * raised to it. */
static void test_host_table_bounded(void **state)
{
    (void)state;
    fixture fx;
    fx_init(&fx, NULL, "10.1.0.20 archiver\n");
    os_classify_set_max_hosts(fx.c, 2); /* raised to OS_HOSTS_MIN */
    for (int n = 0; n < 40; n++)
        encoder(&fx, n);
    const os_host_stats *st = os_classify_stats(fx.c);
    assert_int_equal(OS_HOSTS_MIN, 16);
    assert_int_equal(st->hosts, 16 + 1);
    assert_int_equal(st->hosts_peak, 16 + 2);
    assert_int_equal(st->hosts_evicted, 40 - 16);
    assert_true(known(&fx, "10.1.0.20"));
    assert_int_equal(roles_of(&fx, "10.1.0.20"), OS_HR_BIT(OS_HR_ARCHIVER));
    assert_false(known(&fx, "10.2.0.1"));  /* encoder 0 */
    assert_false(known(&fx, "10.2.0.24")); /* encoder 23 */
    assert_int_equal(roles_of(&fx, "10.2.0.25"), OS_HR_BIT(OS_HR_ENCODER)); /* 24 */
    assert_int_equal(roles_of(&fx, "10.2.0.40"), OS_HR_BIT(OS_HR_ENCODER)); /* 39 */
    size_t n;
    const os_host **v = os_classify_hosts(fx.c, &n);
    assert_int_equal(n, 17);
    free(v);
    fx_free(&fx);
}

/* A busy host keeps its inferred role: encoder 0 keeps streaming while 60
 * others come and go (each new role makes its flow look at its hosts again:
 * they are seen), and is never evicted; a host declared on a line of its
 * own neither, one covered by a network line is, and gets its declared
 * role back from the file when next looked up. */
static void test_busy_and_declared_hosts_stay(void **state)
{
    (void)state;
    fixture fx;
    fx_init(&fx, NULL, "10.1.0.20 archiver\n10.2.0.0/16 encoder\n");
    os_classify_set_max_hosts(fx.c, 16);
    os_flow *busy = encoder(&fx, 0);
    for (int n = 1; n <= 60; n++) {
        feed(&fx, tp_make(17, "10.3.9.1", 40000 + (uint16_t)n, "10.1.0.21", 15000, 0, 1000), (uint64_t)n * S);
        feed(&fx, tp_make(17, "10.3.9.2", 40000 + (uint16_t)n, "10.1.0.21", 15000, 0, 1000), (uint64_t)n * S);
        char a[32];
        snprintf(a, sizeof a, "10.4.0.%d", n);
        feed(&fx, tp_make(17, a, 40000, "10.1.0.21", 15000, 0, 1000), (uint64_t)n * S);
        assert_ptr_equal(encoder(&fx, 0), busy);
    }
    const os_host_stats *st = os_classify_stats(fx.c);
    assert_true(st->hosts_evicted > 0);
    assert_true(st->hosts <= 16 + 1);
    assert_true(known(&fx, "10.2.0.1"));
    assert_true(known(&fx, "10.1.0.20"));
    assert_false(known(&fx, "10.4.0.1"));
    /* 40 more from the declared network: evicted like any other */
    uint64_t before = st->hosts_evicted;
    for (int n = 1; n <= 40; n++)
        encoder(&fx, 500 + n);
    assert_true(st->hosts_evicted >= before + 24);
    assert_true(st->hosts <= 16 + 1);
    assert_int_equal(roles_of(&fx, "10.2.2.2"), OS_HR_BIT(OS_HR_ENCODER)); /* from the file */
    fx_free(&fx);
}

/* A role learnt for a host relabels the flows touching it, not the others:
 * a discovery-sized flow to 8000 that turned video-sized keeps its label
 * while an unrelated Archiver is learnt (until it is judged whole), and
 * the first encoder's flow to that Archiver gets the new confidence. */
static void test_new_role_relabels_only_its_hosts_flows(void **state)
{
    (void)state;
    fixture fx;
    fx_init(&fx, NULL, NULL);
    os_flow *u = feed(&fx, tp_make(17, "10.3.0.23", 50500, "10.1.0.10", 8000, 0, 32), 1 * S);
    assert_string_equal(role_of(&fx, u), "gateway-udp-discovery");
    for (int i = 0; i < 4; i++)
        feed(&fx, tp_make(17, "10.3.0.23", 50500, "10.1.0.10", 8000, 0, 1200), 2 * S);
    os_flow *e1 = feed(&fx, tp_make(17, "10.2.0.31", 40000, "10.1.0.20", 15000, 0, 1000), 3 * S);
    assert_int_equal(e1->label.conf, OS_CONF_PORT);
    feed(&fx, tp_make(17, "10.2.0.32", 40000, "10.1.0.20", 15000, 0, 1000), 3 * S);
    assert_int_equal(roles_of(&fx, "10.1.0.20"), OS_HR_BIT(OS_HR_ARCHIVER));
    feed(&fx, tp_make(17, "10.2.0.31", 40000, "10.1.0.20", 15000, 0, 1000), 4 * S);
    assert_string_equal(role_of(&fx, e1), "encoder-archiver-unicast");
    assert_int_equal(e1->label.conf, OS_CONF_INFERRED);
    feed(&fx, tp_make(17, "10.3.0.23", 50500, "10.1.0.10", 8000, 0, 1200), 4 * S);
    assert_string_equal(role_of(&fx, u), "gateway-udp-discovery");
    os_classify_settle(fx.c, u);
    assert_string_equal(role_of(&fx, u), "gateway-udp-video");
    fx_free(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_default_role_both_directions),
        cmocka_unit_test(test_unrelated_traffic_unclassified),
        cmocka_unit_test(test_match_role_rule_needs_confirmation),
        cmocka_unit_test(test_directory_inferred_from_syn_ack_with_evidence),
        cmocka_unit_test(test_inferred_role_never_excludes_another),
        cmocka_unit_test(test_archiver_needs_two_sources),
        cmocka_unit_test(test_multicast_sender_inferred_encoder),
        cmocka_unit_test(test_unicast_to_47806_is_not_multicast_video),
        cmocka_unit_test(test_declared_role_resolves_tcp_6000),
        cmocka_unit_test(test_declared_conflicting_service_role_rejects_rule),
        cmocka_unit_test(test_unexpected_peer_is_marked),
        cmocka_unit_test(test_non_default_ports_from_rules_file),
        cmocka_unit_test(test_ipv6),
        cmocka_unit_test(test_hosts_list_sorted),
        cmocka_unit_test(test_midstream_directory_link_infers_both_ends),
        cmocka_unit_test(test_archiver_vouches_for_gateway),
        cmocka_unit_test(test_gateway_vouches_for_video_clients_not_5001),
        cmocka_unit_test(test_noise_on_shared_ports_infers_nothing),
        cmocka_unit_test(test_known_clients_vouch_for_gateway),
        cmocka_unit_test(test_playback_infers_archiver_from_two_clients_or_bulk),
        cmocka_unit_test(test_video_from_port_8000_is_not_discovery),
        cmocka_unit_test(test_vouched_role_never_overrides_declared),
        cmocka_unit_test(test_federation_pair_corroborates),
        cmocka_unit_test(test_host_table_bounded),
        cmocka_unit_test(test_busy_and_declared_hosts_stay),
        cmocka_unit_test(test_new_role_relabels_only_its_hosts_flows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
