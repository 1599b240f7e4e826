/* test_alloc.c — failed allocations on the per-packet path: the module that
 * could not allocate counts it (every injected failure, exactly once), goes
 * on without what it could not keep, and nothing crashes; the pipeline's
 * stats and summary name the modules, os_pipeline_oom() says so.
 *
 * Failures are injected below the library: this program is linked with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc (tests/CMakeLists.txt), so
 * every malloc/calloc/realloc of the library code linked into it, uthash's
 * own included, goes through the wrappers here, which fail on request. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "omnisniff/classify.h"
#include "omnisniff/findings.h"
#include "omnisniff/problems.h"
#include "outsite.h"
#include "pkt.h"

/* ---- the allocator's failure switch ----------------------------------- */

static long let_through = -1; /* allocations still allowed before all fail; -1: none fail */
static uint64_t injected;     /* allocations failed on purpose */

/* From now on let n allocations through, then fail every one. */
static void fail_after(long n) { let_through = n; }

/* Allocate normally again. */
static void fail_never(void) { let_through = -1; }

static int fail_now(void)
{
    if (let_through < 0)
        return 0;
    if (let_through > 0) {
        let_through--;
        return 0;
    }
    injected++;
    return 1;
}

void *__real_malloc(size_t n);
void *__real_calloc(size_t m, size_t n);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t m, size_t n);
void *__wrap_realloc(void *p, size_t n);

void *__wrap_malloc(size_t n) { return fail_now() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t m, size_t n) { return fail_now() ? NULL : __real_calloc(m, n); }
void *__wrap_realloc(void *p, size_t n) { return fail_now() ? NULL : __real_realloc(p, n); }

/* ---- modules on their own --------------------------------------------- */

#define S 1000000000ULL

/* The flow table, classifier, problems and checker over the default rules. */
typedef struct mods {
    os_ruleset rs;     /* default rules */
    os_flowtab *ft;    /* flows */
    os_classifier *c;  /* host roles */
    os_problems *pt;   /* problems */
    os_checker *k;     /* findings */
} mods;

static void mods_init(mods *m)
{
    os_diags d = { 0 };
    os_rules_text def = os_rules_default();
    os_flow_cfg cfg = os_flow_cfg_default();
    memset(m, 0, sizeof *m);
    assert_true(os_rules_parse("omnicast4.rules", def.text, def.len, &m->rs, &d));
    os_diags_free(&d);
    m->ft = os_flowtab_new(&cfg, NULL, NULL);
    m->c = os_classifier_new(&m->rs, NULL);
    m->pt = os_problems_new(&m->rs, NULL, NULL);
    m->k = os_checker_new(&m->rs, m->c, m->pt, NULL, NULL);
    assert_true(m->ft && m->c && m->pt && m->k);
    injected = 0;
}

static void mods_free(mods *m)
{
    os_checker_free(m->k);
    os_problems_free(m->pt);
    os_classifier_free(m->c);
    os_flowtab_free(m->ft);
    os_rules_free(&m->rs);
}

/* A packet into its flow (found or made while allocations succeed), then
 * learnt from and labelled with failures injected after `let` allocations
 * (-1: none) while the classifier works. *side: the sender's key side. */
static os_flow *learn(mods *m, os_pkt p, uint64_t ts, long let, int *side)
{
    bool created;
    os_flow *f = os_flowtab_add(m->ft, &p, ts, side, &created);
    assert_non_null(f);
    fail_after(let);
    os_classify_learn(m->c, f, *side, &p, created);
    os_classify_flow(m->c, f);
    fail_never();
    return f;
}

static os_hrole_set roles_of(mods *m, const char *ip)
{
    os_addr a;
    os_conf conf;
    assert_true(os_addr_parse(ip, &a));
    return os_classify_host_roles(m->c, &a, &conf);
}

/* A Directory answers a SYN on 7998: learning that needs a host record.
 * Without memory for it (the record itself, or uthash's table for it) the
 * role is not learnt and the failure is counted; with memory again it is. */
static void test_classifier_counts(void **state)
{
    (void)state;
    for (long let = 0; let <= 1; let++) { /* 0: the record; 1: the table for it */
        mods m;
        int side;
        mods_init(&m);
        learn(&m, tp_make(6, "10.1.0.13", 40000, "10.1.0.10", 7998, OS_TH_SYN, 60), 1 * S, -1,
              &side);
        os_pkt synack =
            tp_make(6, "10.1.0.10", 7998, "10.1.0.13", 40000, OS_TH_SYN | OS_TH_ACK, 60);
        learn(&m, synack, 1 * S, let, &side);
        assert_true(injected > 0);
        assert_int_equal(os_classify_stats(m.c)->alloc_failed, injected);
        assert_int_equal(roles_of(&m, "10.1.0.10"), 0);
        learn(&m, synack, 2 * S, -1, &side);
        assert_int_equal(roles_of(&m, "10.1.0.10"), OS_HR_BIT(OS_HR_DIRECTORY));
        assert_int_equal(os_classify_stats(m.c)->alloc_failed, injected); /* nothing new */
        mods_free(&m);
    }
}

/* A refused connection to the Directory port raises connection-refused.
 * Without memory for the finding (or uthash's table for it) none is raised
 * and the failure is counted; the next refusal, with memory, is raised. */
static void test_checker_counts(void **state)
{
    (void)state;
    for (long let = 0; let <= 1; let++) {
        mods m;
        uint64_t counts[OS_FK_COUNT];
        os_severity worst;
        int side;
        mods_init(&m);
        for (unsigned port = 40000; port <= 40001; port++) {
            os_pkt syn = tp_make(6, "10.3.0.23", port, "10.1.0.10", 7998, OS_TH_SYN, 60);
            os_pkt rst =
                tp_make(6, "10.1.0.10", 7998, "10.3.0.23", port, OS_TH_RST | OS_TH_ACK, 60);
            learn(&m, syn, 1 * S, -1, &side);
            os_flow *f = learn(&m, rst, 1 * S, -1, &side);
            fail_after(port == 40000 ? let : -1);
            os_check_tcp_packet(m.k, f, side, &rst, 1 * S);
            fail_never();
            os_checker_counts(m.k, counts, &worst);
            assert_int_equal(counts[OS_FK_CONNECTION_REFUSED], port - 40000);
        }
        assert_true(injected > 0);
        assert_int_equal(os_checker_stats(m.k)->alloc_failed, injected);
        os_checker_release_all(m.k);
        mods_free(&m);
    }
}

/* ---- the pipeline: stats, summary, os_pipeline_oom -------------------- */

/* Its summary (text or JSON) to a string; the caller frees it. */
static char *summary_of(outsite *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    os_pipeline_set_out(s->p, f);
    os_pipeline_summary(s->p);
    fclose(f);
    os_pipeline_set_out(s->p, s->sink);
    return buf;
}

static void outsite_free(outsite *s)
{
    os_pipeline_free(s->p);
    os_rules_free(&s->rs);
    os_hosts_free(&s->hf);
    fclose(s->sink);
    free(s);
}

/* Every frame of a connection refused by the Directory, then one with no
 * memory at all: its flow is not made (os_pipeline_packet says so), the
 * run goes on, and the summary names the failure; a run without failures
 * has no such line. */
static void test_pipeline_summary(void **state)
{
    (void)state;
    outsite *s = outsite_open(NULL);
    assert_non_null(s);
    injected = 0;
    assert_true(outsite_tcp(s, "10.3.0.23", 40000, "10.1.0.10", 7998, OS_TH_SYN, 0));
    assert_false(os_pipeline_oom(s->p));
    fail_after(0);
    assert_false(outsite_tcp(s, "10.3.0.24", 40001, "10.1.0.10", 7998, OS_TH_SYN, 0));
    fail_never();
    assert_true(outsite_tcp(s, "10.1.0.10", 7998, "10.3.0.23", 40000, OS_TH_RST | OS_TH_ACK, 0));
    assert_true(os_pipeline_oom(s->p));
    os_pipeline_flush(s->p, "mem", "EN10MB", NULL, NULL);
    const os_stats *st = os_pipeline_stats(s->p);
    assert_int_equal(os_stats_alloc_failed(st), injected);
    assert_int_equal(st->alloc_failed[OS_AM_FLOWS], injected);
    assert_int_equal(st->flows.created, 1);
    char *text = summary_of(s), want[96];
    snprintf(want, sizeof want, "\nout of memory: %llu allocation%s failed (flows %llu)\n",
             (unsigned long long)injected, injected == 1 ? "" : "s", (unsigned long long)injected);
    assert_non_null(strstr(text, want));
    free(text);
    outsite_free(s);

    s = outsite_open(NULL); /* the same without failures: no line */
    assert_true(outsite_tcp(s, "10.3.0.23", 40000, "10.1.0.10", 7998, OS_TH_SYN, 0));
    os_pipeline_flush(s->p, "mem", "EN10MB", NULL, NULL);
    assert_false(os_pipeline_oom(s->p));
    text = summary_of(s);
    assert_null(strstr(text, "out of memory"));
    free(text);
    outsite_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classifier_counts),
        cmocka_unit_test(test_checker_counts),
        cmocka_unit_test(test_pipeline_summary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
