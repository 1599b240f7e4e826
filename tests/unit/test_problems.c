/* test_problems.c — folding findings into problems (problems.h): the
 * grouping key (kind, service host or group, role, the role's port range),
 * what a problem counts (flows, packets, distinct peers, ports tried, the
 * typical interval, capped lists), persistence (an unanswered or refused
 * service that never answered is an error from persist-peers peers or
 * after persist-seconds; a completed handshake keeps it a warning), the
 * open/update events, the sentence, and the bounds (problems, answered
 * services, peers over all problems). Findings are built by hand; the
 * rules are the embedded default set (archiver-playback: TCP 6060-6080). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "omnisniff/classify.h"
#include "omnisniff/problems.h"


#define T0 1768471200000000000ULL /* 2026-01-15T10:00:00Z */
#define SEC 1000000000ULL

typedef struct fx {
    os_ruleset rs;        /* default rules */
    os_classifier *cls;   /* no host roles */
    os_problems *t;       /* the table under test */
    int opened, updated;  /* events seen */
    os_severity last_sev; /* severity at the last event */
    uint32_t seq;         /* findings made */
} fx;

static void on_event(void *user, const os_problem *p, os_problem_event ev)
{
    fx *x = user;
    if (ev == OS_PROBLEM_OPEN)
        x->opened++;
    else
        x->updated++;
    x->last_sev = p->sev;
}

static int setup(void **state)
{
    fx *x = calloc(1, sizeof *x);
    os_diags d = { 0 };
    os_rules_text def = os_rules_default();
    if (!x || !os_rules_parse("default", def.text, def.len, &x->rs, &d))
        return -1;
    x->cls = os_classifier_new(&x->rs, NULL);
    x->t = os_problems_new(&x->rs, on_event, x);
    *state = x;
    return x->cls && x->t ? 0 : -1;
}

static int teardown(void **state)
{
    fx *x = *state;
    os_problems_free(x->t);
    os_classifier_free(x->cls);
    os_rules_free(&x->rs);
    free(x);
    return 0;
}

static os_addr ip(const char *s)
{
    os_addr a;
    assert_true(os_addr_parse(s, &a));
    return a;
}

/* A finding of kind k on a flow peer:sport -> svc:port at t, rule `role`. */
static os_finding make(fx *x, os_finding_kind k, const char *role, const char *peer,
                       uint16_t sport, const char *svc, uint16_t port, uint64_t t)
{
    os_finding f;
    memset(&f, 0, sizeof f);
    f.kind = k;
    f.sev = os_finding_default_severity(k);
    f.rule = (int16_t)os_rules_find(&x->rs, role);
    f.has_flow = true;
    f.flow_id = 1000 + x->seq;
    f.seq = x->seq++;
    f.src = f.peer = ip(peer);
    f.dst = f.svc = ip(svc);
    f.sport = sport;
    f.dport = f.svc_port = port;
    f.proto = 6;
    f.first_ns = f.last_ns = t;
    f.packets = 2;
    snprintf(f.text, sizeof f.text, "example %u", f.seq);
    return f;
}

static const os_problem *fold(fx *x, os_finding *f)
{
    const os_problem *p = os_problems_fold(x->t, f, true, &f->svc, &f->peer, f->svc_port);
    assert_non_null(p);
    assert_int_equal(f->problem_id, p->id);
    return p;
}

static size_t count(fx *x)
{
    size_t n;
    os_problems_sorted(x->t, &n);
    return n;
}

/* Ten clients retrying from new source ports, two ports of one role's
 * range: one problem, every flow counted. */
static void test_one_problem_across_clients_ports_and_attempts(void **state)
{
    fx *x = *state;
    const os_problem *p = NULL;
    char peer[32];
    for (int a = 0; a < 20; a++)
        for (int c = 0; c < 10; c++) {
            snprintf(peer, sizeof peer, "10.3.0.%d", 101 + c);
            os_finding f = make(x, OS_FK_UNANSWERED_CONNECTION, "archiver-playback", peer,
                                (uint16_t)(40000 + a * 10 + c), "10.1.0.20",
                                (uint16_t)(a % 2 ? 6062 : 6061), T0 + (uint64_t)a * 3 * SEC + (uint64_t)c);
            p = fold(x, &f);
        }
    assert_int_equal(count(x), 1);
    assert_int_equal(x->opened, 1);
    assert_int_equal(p->flows, 200);
    assert_int_equal(p->packets, 400);
    assert_int_equal(p->peers, 10);
    assert_int_equal(p->nports, 2);
    assert_int_equal(p->ports[0], 6061);
    assert_int_equal(p->ports[1], 6062);
    assert_int_equal(p->key.port_lo, 6060);
    assert_int_equal(p->key.port_hi, 6080);
    assert_int_equal(p->nflow_ids, OS_PROBLEM_FLOW_IDS); /* capped, the count is not */
    assert_int_equal(p->nexamples, OS_PROBLEM_EXAMPLES);
    assert_true(os_problem_interval(p) > 2.99 && os_problem_interval(p) < 3.01);
    char range[128];
    assert_string_equal(os_problem_peer_range(p, range, sizeof range), "10.3.0.101-10.3.0.110");
}

/* Another service host, another kind, another role: separate problems. */
static void test_key_separates_host_kind_and_role(void **state)
{
    fx *x = *state;
    os_finding a = make(x, OS_FK_UNANSWERED_CONNECTION, "archiver-playback", "10.3.0.1", 1, "10.1.0.20", 6061, T0);
    os_finding b = make(x, OS_FK_UNANSWERED_CONNECTION, "archiver-playback", "10.3.0.1", 2, "10.1.0.21", 6061, T0);
    os_finding c = make(x, OS_FK_CONNECTION_REFUSED, "archiver-playback", "10.3.0.1", 3, "10.1.0.20", 6061, T0);
    os_finding d = make(x, OS_FK_UNANSWERED_CONNECTION, "dfc-command", "10.3.0.1", 4, "10.1.0.20", 7999, T0);
    os_finding e = make(x, OS_FK_UNANSWERED_CONNECTION, "archiver-playback", "10.3.0.2", 5, "10.1.0.20", 6080, T0);
    const os_problem *pa = fold(x, &a);
    assert_ptr_not_equal(fold(x, &b), pa);
    assert_ptr_not_equal(fold(x, &c), pa);
    assert_ptr_not_equal(fold(x, &d), pa);
    assert_ptr_equal(fold(x, &e), pa); /* same host, kind, role and range */
    assert_int_equal(count(x), 4);
    assert_int_equal(pa->flows, 2);
    assert_int_equal(pa->peers, 2);
}

/* An update of a finding already folded adds what changed, not a flow. */
static void test_update_adds_only_the_difference(void **state)
{
    fx *x = *state;
    os_finding f = make(x, OS_FK_ICMP_UNREACHABLE, "archiver-playback", "10.3.0.1", 1, "10.1.0.20", 6061, T0);
    f.packets = 1;
    fold(x, &f);
    f.packets = 5;
    f.last_ns = T0 + 4 * SEC;
    const os_problem *p = os_problems_fold(x->t, &f, false, &f.svc, &f.peer, f.svc_port);
    assert_int_equal(p->flows, 1);
    assert_int_equal(p->packets, 5);
    assert_int_equal(p->last_ns, T0 + 4 * SEC);
    assert_int_equal(p->example[0].packets, 5); /* the example follows its finding */
}

/* One peer, a short while: a warning. A second peer: an error (an update). */
static void test_persistence_by_peers(void **state)
{
    fx *x = *state;
    os_finding a = make(x, OS_FK_UNANSWERED_CONNECTION, "archiver-playback", "10.3.0.1", 1, "10.1.0.20", 6061, T0);
    os_finding b = make(x, OS_FK_UNANSWERED_CONNECTION, "archiver-playback", "10.3.0.1", 2, "10.1.0.20", 6061, T0 + 3 * SEC);
    assert_int_equal(fold(x, &a)->sev, OS_SEV_WARNING);
    assert_int_equal(fold(x, &b)->sev, OS_SEV_WARNING); /* same peer, 3 s */
    assert_int_equal(x->updated, 0);
    os_finding c = make(x, OS_FK_UNANSWERED_CONNECTION, "archiver-playback", "10.3.0.2", 3, "10.1.0.20", 6061, T0 + 4 * SEC);
    assert_int_equal(fold(x, &c)->sev, OS_SEV_ERROR);
    assert_int_equal(x->updated, 1);
    assert_int_equal(x->last_sev, OS_SEV_ERROR);
}

/* One peer failing for persist-seconds (10): an error. */
static void test_persistence_by_time(void **state)
{
    fx *x = *state;
    os_finding a = make(x, OS_FK_CONNECTION_REFUSED, "gateway-tcp-video", "10.3.0.1", 1, "10.1.0.10", 5002, T0);
    os_finding b = make(x, OS_FK_CONNECTION_REFUSED, "gateway-tcp-video", "10.3.0.1", 2, "10.1.0.10", 5002, T0 + 9 * SEC);
    os_finding c = make(x, OS_FK_CONNECTION_REFUSED, "gateway-tcp-video", "10.3.0.1", 3, "10.1.0.10", 5002, T0 + 10 * SEC);
    assert_int_equal(fold(x, &a)->sev, OS_SEV_WARNING);
    assert_int_equal(fold(x, &b)->sev, OS_SEV_WARNING);
    assert_int_equal(fold(x, &c)->sev, OS_SEV_ERROR);
}

/* A completed handshake to the same service: occasional failures, a
 * warning again (an update back), and the sentence says how many answered. */
static void test_success_keeps_a_warning(void **state)
{
    fx *x = *state;
    os_addr svc = ip("10.1.0.20");
    os_finding a = make(x, OS_FK_UNANSWERED_CONNECTION, "archiver-playback", "10.3.0.1", 1, "10.1.0.20", 6061, T0);
    os_finding b = make(x, OS_FK_UNANSWERED_CONNECTION, "archiver-playback", "10.3.0.2", 2, "10.1.0.20", 6061, T0 + SEC);
    fold(x, &a);
    const os_problem *p = fold(x, &b);
    assert_int_equal(p->sev, OS_SEV_ERROR);
    assert_true(os_problems_answered(x->t, &svc, a.rule, T0 + 2 * SEC));
    assert_int_equal(p->sev, OS_SEV_WARNING);
    assert_int_equal(p->answered, 1);
    assert_int_equal(x->updated, 2);
    char say[1024];
    assert_non_null(strstr(os_problem_say(p, &x->rs, x->cls, say, sizeof say),
                           "2 of 3 attempts by 2 hosts (10.3.0.1-10.3.0.2)"));
    /* a handshake of another role on that host does not count for it */
    os_finding c = make(x, OS_FK_UNANSWERED_CONNECTION, "dfc-command", "10.3.0.1", 3, "10.1.0.20", 7999, T0);
    assert_true(os_problems_answered(x->t, &svc, a.rule, T0 + 3 * SEC));
    assert_int_equal(fold(x, &c)->answered, 0);
    assert_int_equal(p->answered, 2);
}

/* Kinds other than the connection ones keep their findings' severity. */
static void test_other_kinds_not_escalated(void **state)
{
    fx *x = *state;
    for (int i = 0; i < 5; i++) {
        char peer[32];
        snprintf(peer, sizeof peer, "10.3.0.%d", i + 1);
        os_finding f = make(x, OS_FK_UNDOCUMENTED_PORT, "archiver-playback", peer, 1, "10.1.0.20", 6061,
                            T0 + (uint64_t)i * 60 * SEC);
        assert_int_equal(fold(x, &f)->sev, OS_SEV_INFO);
    }
}

/* The sentence of a dropped port names the peers, the count, that none
 * answered, the interval and the allow rule. */
static void test_sentence_of_a_dropped_port(void **state)
{
    fx *x = *state;
    const os_problem *p = NULL;
    for (int a = 0; a < 4; a++)
        for (int c = 0; c < 3; c++) {
            char peer[32];
            snprintf(peer, sizeof peer, "10.3.0.%d", 11 + c);
            os_finding f = make(x, OS_FK_UNANSWERED_CONNECTION, "archiver-playback", peer, 1,
                                "10.1.0.20", 6061, T0 + (uint64_t)a * 5 * SEC);
            p = fold(x, &f);
        }
    char say[1024];
    os_problem_say(p, &x->rs, x->cls, say, sizeof say);
    assert_non_null(strstr(say, "3 hosts (10.3.0.11-10.3.0.13) cannot reach"));
    assert_non_null(strstr(say, "on archiver-playback TCP 6061: 12 attempts over 15.0 s, none answered, "
                                "each retrying every 5.0 s"));
    assert_non_null(strstr(say, "allow TCP 6061 from 10.3.0.11-10.3.0.13 to 10.1.0.20"));
}

/* More ports than kept: the first eight and a mark. */
static void test_ports_capped(void **state)
{
    fx *x = *state;
    const os_problem *p = NULL;
    for (int i = 0; i < 12; i++) {
        os_finding f = make(x, OS_FK_UNANSWERED_CONNECTION, "archiver-playback", "10.3.0.1", 1, "10.1.0.20",
                            (uint16_t)(6060 + i), T0);
        p = fold(x, &f);
    }
    assert_int_equal(p->nports, OS_PROBLEM_PORTS);
    assert_true(p->more_ports);
    assert_int_equal(p->flows, 12);
}

/* Worst first, then in the order opened. */
static void test_sorted_worst_first(void **state)
{
    fx *x = *state;
    os_finding a = make(x, OS_FK_UNDOCUMENTED_PORT, "archiver-playback", "10.3.0.1", 1, "10.1.0.21", 6061, T0);
    os_finding b = make(x, OS_FK_REVERSED_DIRECTION, "archiver-playback", "10.3.0.1", 1, "10.1.0.20", 6061, T0);
    fold(x, &a);
    fold(x, &b);
    size_t n;
    const os_problem *const *v = os_problems_sorted(x->t, &n);
    assert_int_equal(n, 2);
    assert_int_equal(v[0]->kind, OS_FK_REVERSED_DIRECTION);
    uint64_t by[OS_SEV_NEVER];
    os_severity worst;
    os_problems_counts(x->t, by, &worst);
    assert_int_equal(worst, OS_SEV_ERROR);
    assert_int_equal(by[OS_SEV_ERROR], 1);
    assert_int_equal(by[OS_SEV_INFO], 1);
}

/* ---- bounds ------------------------------------------------------------------ */

/* The problem of `kind` about svc, or NULL when none is held. */
static const os_problem *held(fx *x, os_finding_kind kind, const char *svc)
{
    size_t n;
    const os_problem *const *v = os_problems_sorted(x->t, &n);
    os_addr a = ip(svc);
    for (size_t i = 0; i < n; i++)
        if (v[i]->kind == kind && os_addr_cmp(&v[i]->svc, &a) == 0)
            return v[i];
    return NULL;
}

/* An unanswered attempt at playback service 10.5.0.n: a warning problem. */
static const os_problem *warn(fx *x, int n)
{
    char svc[32];
    snprintf(svc, sizeof svc, "10.5.0.%d", n);
    os_finding f = make(x, OS_FK_UNANSWERED_CONNECTION, "archiver-playback", "10.3.0.1", 1, svc, 6061, T0);
    return fold(x, &f);
}

/* At most 8 problems: the info one goes first, then the least recently
 * folded warnings; the error stays; a warning folded again stays; a fault
 * whose problem was evicted opens it again, with the same id. */
static void test_problems_bounded(void **state)
{
    fx *x = *state;
    const os_problem_stats *st = os_problems_stats(x->t);
    os_problems_set_max(x->t, 8);
    os_finding e = make(x, OS_FK_REVERSED_DIRECTION, "archiver-playback", "10.3.0.1", 1, "10.1.0.20", 6061, T0);
    os_finding i = make(x, OS_FK_UNDOCUMENTED_PORT, "archiver-playback", "10.3.0.1", 1, "10.1.0.21", 6061, T0);
    fold(x, &e);
    fold(x, &i);
    uint64_t id2 = 0;
    for (int n = 1; n <= 7; n++) {
        const os_problem *p = warn(x, n);
        if (n == 2)
            id2 = p->id;
    }
    assert_null(held(x, OS_FK_UNDOCUMENTED_PORT, "10.1.0.21")); /* the info one went first */
    warn(x, 1);                                                  /* folded again */
    warn(x, 8);
    assert_non_null(held(x, OS_FK_UNANSWERED_CONNECTION, "10.5.0.1"));
    assert_null(held(x, OS_FK_UNANSWERED_CONNECTION, "10.5.0.2"));
    for (int n = 9; n <= 20; n++)
        warn(x, n);
    assert_int_equal(count(x), 8);
    assert_int_equal(st->problems, 8);
    assert_int_equal(st->problems_peak, 8);
    assert_int_equal(st->problems_evicted, 22 - 8);
    assert_non_null(held(x, OS_FK_REVERSED_DIRECTION, "10.1.0.20"));
    assert_non_null(held(x, OS_FK_UNANSWERED_CONNECTION, "10.5.0.20"));
    int opened = x->opened;
    assert_int_equal(warn(x, 2)->id, id2);
    assert_int_equal(x->opened, opened + 1);
    assert_int_equal(st->problems_evicted, 22 - 8 + 1);
}

/* At most OS_PROBLEMS_ANSWERED_MAX answered services: the least recently
 * answered is forgotten first. */
static void test_answered_services_bounded(void **state)
{
    fx *x = *state;
    const os_problem_stats *st = os_problems_stats(x->t);
    int16_t rule = (int16_t)os_rules_find(&x->rs, "archiver-playback");
    os_addr first = ip("10.6.0.0");
    for (uint32_t n = 0; n < OS_PROBLEMS_ANSWERED_MAX + 10; n++) {
        os_addr a = first;
        a.b[2] = (uint8_t)(n >> 8);
        a.b[3] = (uint8_t)n;
        assert_true(os_problems_answered(x->t, &a, rule, T0));
        if (n == OS_PROBLEMS_ANSWERED_MAX - 1) /* the first answers again: kept */
            assert_true(os_problems_answered(x->t, &first, rule, T0));
    }
    assert_int_equal(st->answered, OS_PROBLEMS_ANSWERED_MAX);
    assert_int_equal(st->answered_evicted, 10);
    os_finding f = make(x, OS_FK_UNANSWERED_CONNECTION, "archiver-playback", "10.3.0.1", 1, "10.6.0.0", 6061, T0);
    assert_int_equal(fold(x, &f)->answered, 2);
    os_finding g = make(x, OS_FK_UNANSWERED_CONNECTION, "archiver-playback", "10.3.0.1", 1, "10.6.0.1", 6061, T0);
    assert_int_equal(fold(x, &g)->answered, 0); /* forgotten */
}

/* Peers told apart over all problems stop at OS_PROBLEM_PEERS_HELD (more
 * count as "at least"), and an evicted problem gives its share back. */
static void test_peers_held_bounded(void **state)
{
    fx *x = *state;
    const os_problem_stats *st = os_problems_stats(x->t);
    const os_problem *p = NULL;
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 60000; j++) {
            char svc[32], peer[32];
            snprintf(svc, sizeof svc, "10.1.0.%d", 20 + i);
            snprintf(peer, sizeof peer, "10.%d.%d.%d", 100 + i, j >> 8, j & 255);
            os_finding f = make(x, OS_FK_UNANSWERED_CONNECTION, "archiver-playback", peer, 1, svc, 6061, T0);
            p = fold(x, &f);
        }
    assert_int_equal(st->peers_held, OS_PROBLEM_PEERS_HELD);
    assert_int_equal(p->peers, OS_PROBLEM_PEERS_HELD - 4 * 60000);
    assert_true(p->peers_capped);
    assert_int_equal(p->flows, 60000);
    os_problems_set_max(x->t, 5);
    warn(x, 1); /* evicts 10.1.0.20's problem (60 000 peers), brings one */
    assert_int_equal(st->peers_held, OS_PROBLEM_PEERS_HELD - 60000 + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_one_problem_across_clients_ports_and_attempts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_key_separates_host_kind_and_role, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_adds_only_the_difference, setup, teardown),
        cmocka_unit_test_setup_teardown(test_persistence_by_peers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_persistence_by_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_success_keeps_a_warning, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_kinds_not_escalated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sentence_of_a_dropped_port, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ports_capped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sorted_worst_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_problems_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_answered_services_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_peers_held_bounded, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
