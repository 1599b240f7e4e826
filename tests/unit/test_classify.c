/* test_classify.c — traffic-role labels for every default role in both
 * directions, confidence from declared/inferred host roles, inference with
 * evidence, ambiguity, over=, match=role, non-default ports, IPv6. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "omnisniff/classify.h"
#include "pkt.h"

extern const char os_default_rules[];
extern const unsigned long os_default_rules_len;

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
    const char *r = rules ? rules : os_default_rules;
    size_t rl = rules ? strlen(rules) : os_default_rules_len;
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
