/* pipeline.c — drive one frame through decode, flow, classify and report,
 * and keep the counters the summary prints. Per packet it does one decode
 * (no allocation), one hash lookup, and a cached-label check; work that
 * depends on host knowledge is redone only when that knowledge changes. */
#include "omnisniff/pipeline.h"

#include <stdlib.h>
#include <string.h>

#include "omnisniff/classify.h"
#include "omnisniff/decode.h"
#include "omnisniff/findings.h"
#include "omnisniff/problems.h"
#include "omnisniff/report.h"
#include "omnisniff/streams.h"

/* A TCP flow whose SYN waits for its quick verdict. */
typedef struct syn_wait {
    os_flow_key key;   /* the flow */
    uint64_t id;       /* its flow_id (a flow of the same key made later differs) */
    uint64_t due_ns;   /* packet time of the verdict */
} syn_wait;

struct os_pipeline {
    os_pipeline_cfg cfg;   /* configuration */
    os_decode_cfg dec;     /* the decoder's tunnel ports (from the rules) */
    os_flowtab *flows;     /* flow table */
    os_classifier *cls;    /* roles */
    os_checker *chk;       /* findings */
    os_problems *probs;    /* findings folded into problems */
    os_streams *streams;   /* stream health */
    uint64_t next_check;   /* live: packet time of the next stream check */
    uint64_t next_stats;   /* packet time of the next "stats" record (0: at the first) */
    syn_wait *waits;       /* ring of SYNs waiting for their verdict, in time order */
    size_t wcap, whead, wlen; /* its capacity, first entry, entries */
    os_finding *kept;      /* released findings kept for --findings all */
    size_t nkept, kcap;    /* entries, capacity */
    const os_finding **kept_view; /* sorted pointers into kept */
    os_report rep;         /* output context */
    os_stats st;           /* counters */
    os_graph *graph;       /* the system as observed (cfg.graph), or NULL */
    uint64_t cur_flow;     /* flow_id of the packet being checked (0: none) */
    bool raised_other;     /* it raised a finding about another flow (ICMP) */
    uint64_t *role_pkts;   /* packets per rule index, [n] unclassified (--status) */
    uint64_t *status_prev; /* role_pkts at the previous status table */
    uint64_t *status_flows;/* active flows per rule index (scratch) */
    uint64_t alloc_failed; /* its own allocations that failed: kept findings, SYN waits */
};

/* Keep a released finding for the --findings all list. */
static void keep_finding(os_pipeline *p, const os_finding *f)
{
    if (p->nkept == p->kcap) {
        size_t cap = p->kcap ? 2 * p->kcap : 64;
        os_finding *v = realloc(p->kept, cap * sizeof *v);
        if (!v) {
            p->alloc_failed++;
            return;
        }
        p->kept = v;
        p->kcap = cap;
    }
    p->kept[p->nkept++] = *f;
}

/* A finding is final (its flow ended, or the run did): write and forget it. */
static void on_release(void *user, const os_finding *f)
{
    os_pipeline *p = user;
    if (p->graph)
        os_graph_add_finding(p->graph, f); /* a failure is counted by the graph */
    if (p->cfg.mode == OS_MODE_JSON)
        os_report_finding_json(&p->rep, f);
    if (p->cfg.findings_all)
        keep_finding(p, f);
}

/* A problem opened or changed severity: shown at once. */
static void on_problem(void *user, const os_problem *pr, os_problem_event ev)
{
    os_pipeline *p = user;
    if (p->cfg.mode == OS_MODE_JSON)
        os_report_problem_json(&p->rep, pr, ev);
    else if (p->cfg.mode == OS_MODE_PACKETS && (ev != OS_PROBLEM_OPEN || !p->cfg.findings_all))
        os_report_problem_live(&p->rep, pr, ev); /* --findings all: each finding has a line */
}

/* A stream verdict: a finding on the stream's flow (in the table). */
static void on_stream(void *user, const os_stream *s, os_stream_verdict v, uint64_t ts)
{
    static const os_finding_kind kind[] = { OS_FK_STREAM_GAP, OS_FK_STREAM_STOPPED,
                                            OS_FK_STREAM_LOSS };
    os_pipeline *p = user;
    os_check_stream(p->chk, s->flow ? s->flow : (os_flow *)&s->snap, s, kind[v], ts);
}

/* A flow leaves the table: settle its label, count it, maybe print it. */
static void on_flow_end(void *user, os_flow *f, os_flow_end why)
{
    os_pipeline *p = user;
    os_total *t;

    os_classify_settle(p->cls, f);
    os_check_flow(p->chk, f);
    if (p->cfg.dump)
        os_dump_flow_end(p->cfg.dump, f);
    t = f->label.rule >= 0 ? &p->st.role[f->label.rule] : &p->st.unclassified;
    t->packets += (uint64_t)f->pkts[0] + f->pkts[1];
    t->bytes += f->bytes[0] + f->bytes[1];
    t->flows++;
    if (f->key.proto == 6)
        p->st.handshake[os_flow_hs(f)]++;
    if (f->label.alt >= 0) {
        if (!t->ambiguous++)
            t->alt = f->label.alt;
        else if (t->alt != f->label.alt)
            t->mixed_alt = true;
    }
    if (p->graph)
        os_graph_add_flow(p->graph, f); /* a failure is counted by the graph */
    if (os_streams_is_stream(p->streams, f))
        os_streams_flow_end(p->streams, f);
    if (p->cfg.mode == OS_MODE_JSON)
        os_report_flow_json(&p->rep, f, why);
    os_checker_release(p->chk, f->id);
}

/* A new finding: shown at once between the packet lines. */
static void on_finding(void *user, const os_finding *f)
{
    os_pipeline *p = user;
    if (p->cfg.mode == OS_MODE_PACKETS && p->cfg.findings_all)
        os_report_finding_live(&p->rep, f);
    if (p->cfg.dump && f->has_flow) {
        os_dump_flag(p->cfg.dump, f->flow_id);
        if (f->flow_id != p->cur_flow)
            p->raised_other = true;
    }
}

/* New pipeline; NULL with err set on allocation failure. */
os_pipeline *os_pipeline_new(const os_pipeline_cfg *cfg, char *err, size_t errlen)
{
    os_pipeline *p = calloc(1, sizeof *p);
    if (!p)
        goto oom;
    p->cfg = *cfg;
    if (cfg->rules->set.vxlan_port)
        os_decode_cfg_add(&p->dec, false, (uint16_t)cfg->rules->set.vxlan_port);
    if (cfg->rules->set.geneve_port)
        os_decode_cfg_add(&p->dec, true, (uint16_t)cfg->rules->set.geneve_port);
    p->st.role = calloc(cfg->rules->n ? cfg->rules->n : 1, sizeof *p->st.role);
    p->flows = os_flowtab_new(&cfg->flow, on_flow_end, p);
    p->cls = os_classifier_new(cfg->rules, cfg->hosts);
    p->probs = os_problems_new(cfg->rules, on_problem, p);
    if (p->cls)
        os_classify_set_max_hosts(p->cls, cfg->rules->set.max_hosts);
    if (p->probs)
        os_problems_set_max(p->probs, cfg->rules->set.max_problems);
    p->streams = os_streams_new(cfg->rules, on_stream, p);
    p->chk = p->cls && p->probs ? os_checker_new(cfg->rules, p->cls, p->probs, on_finding, p)
                                : NULL;
    if (p->chk)
        os_checker_on_release(p->chk, on_release, p);
    if (cfg->graph && !(p->graph = os_graph_new()))
        goto oom;
    p->role_pkts = calloc(cfg->rules->n + 1, sizeof *p->role_pkts);
    p->status_prev = calloc(cfg->rules->n + 1, sizeof *p->status_prev);
    p->status_flows = calloc(cfg->rules->n + 1, sizeof *p->status_flows);
    if (!p->role_pkts || !p->status_prev || !p->status_flows)
        goto oom;
    if (!p->st.role || !p->flows || !p->cls || !p->chk || !p->streams)
        goto oom;
    p->rep.out = cfg->out;
    p->rep.rules = cfg->rules;
    p->rep.cls = p->cls;
    p->rep.flows = p->flows;
    p->rep.cached_sec = UINT64_MAX;
    return p;
oom:
    snprintf(err, errlen, "out of memory");
    os_pipeline_free(p);
    return NULL;
}

/* Count a frame and its decode outcome. */
static void count_frame(os_stats *s, const os_frame *fr, os_decode_status st, os_reason why,
                        const os_pkt *pk)
{
    if (s->packets == 0 || fr->ts_ns < s->first_ns)
        s->first_ns = fr->ts_ns;
    if (fr->ts_ns > s->last_ns)
        s->last_ns = fr->ts_ns;
    s->packets++;
    s->bytes += fr->wirelen;
    s->status[st]++;
    if (why != OS_R_NONE)
        s->reason[why]++;
    if (st == OS_DEC_OK && pk->payload_cut)
        s->payload_cut++;
}

/* Only transports with ports, and ICMP that is not an error, make flows;
 * ICMP errors are flows of their own too (tying them to the flow they quote
 * is the findings layer's job). */
static bool makes_flow(os_decode_status st, const os_pkt *pk)
{
    return st == OS_DEC_OK && pk->ipver != 0;
}

/* Tie an ICMP error to the flow it quotes (from the table, or made up from
 * the quote when that flow was never seen) and check it. */
static void check_quote(os_pipeline *p, const os_pkt *pk, uint64_t ts)
{
    const os_quoted *q = &pk->quoted;
    os_pkt t;
    os_flow_key k;
    os_flow tmp, *f;
    memset(&t, 0, sizeof t);
    t.ipver = q->ipver;
    t.src = q->src;
    t.dst = q->dst;
    t.sport = q->sport;
    t.dport = q->dport;
    t.proto = q->proto;
    t.vlan[0] = pk->vlan[0];
    t.vlan[1] = pk->vlan[1];
    t.tunnel = pk->tunnel;
    int side = os_flow_key_make(&t, &k);
    if (!(f = os_flowtab_find(p->flows, &k))) {
        memset(&tmp, 0, sizeof tmp);
        tmp.key = k;
        tmp.id = os_flow_id(&k, 0);
        tmp.initiator = (uint8_t)side;
        tmp.first_ns = tmp.last_ns = ts;
        tmp.label.rule = tmp.label.alt = -1;
        tmp.label.gen = UINT32_MAX;
        f = &tmp;
    }
    os_classify_flow(p->cls, f);
    os_check_icmp(p->chk, pk, f, ts);
}

/* Per-packet checks: SYN retries and refusals, new multicast streams,
 * ICMP errors. */
static void check_packet(os_pipeline *p, os_flow *f, int side, const os_pkt *pk, bool created,
                         uint64_t ts)
{
    if (pk->proto == 6)
        os_check_tcp_packet(p->chk, f, side, pk, ts);
    else if (pk->proto == 17 && created)
        os_check_multicast(p->chk, f, side);
    else if (pk->icmp_error && pk->quoted.valid && pk->quoted.has_ports)
        check_quote(p, pk, ts);
}

/* Queue a new TCP flow opened by a bare SYN for its quick verdict. */
static void wait_for_answer(os_pipeline *p, const os_flow *f, uint64_t ts)
{
    if (p->wlen == p->wcap) {
        size_t cap = p->wcap ? 2 * p->wcap : 256;
        syn_wait *v = malloc(cap * sizeof *v);
        if (!v) {
            p->alloc_failed++;
            return;
        }
        for (size_t i = 0; i < p->wlen; i++)
            v[i] = p->waits[(p->whead + i) % p->wcap];
        free(p->waits);
        p->waits = v;
        p->wcap = cap;
        p->whead = 0;
    }
    syn_wait *w = &p->waits[(p->whead + p->wlen++) % p->wcap];
    w->key = f->key;
    w->id = f->id;
    w->due_ns = ts + (uint64_t)p->cfg.rules->set.syn_verdict_s * 1000000000ULL;
}

/* Judge the SYNs whose wait ended by packet time ts (time order: the head
 * is due first; a capture whose time runs backwards judges them later). */
static void judge_waits(os_pipeline *p, uint64_t ts)
{
    while (p->wlen && p->waits[p->whead].due_ns <= ts) {
        syn_wait *w = &p->waits[p->whead];
        os_flow *f = os_flowtab_find(p->flows, &w->key);
        p->whead = (p->whead + 1) % p->wcap;
        p->wlen--;
        if (!f || f->id != w->id)
            continue;
        os_classify_flow(p->cls, f);
        p->cur_flow = f->id;
        os_check_syn_wait(p->chk, f, ts);
    }
}

/* The counters of the bounded tables, into s. */
static void fill_tables(const os_pipeline *p, os_stats *s)
{
    s->tab_hosts = *os_classify_stats(p->cls);
    s->tab_problems = *os_problems_stats(p->probs);
    s->tab_first = *os_checker_stats(p->chk);
}

/* A "stats" record when one is due at time now (JSON, --stats-interval). */
static void stats_due(os_pipeline *p, uint64_t now)
{
    if (!p->cfg.stats_ns || p->cfg.mode != OS_MODE_JSON)
        return;
    if (!p->next_stats)
        p->next_stats = now - now % p->cfg.stats_ns + p->cfg.stats_ns;
    if (now < p->next_stats)
        return;
    os_problems_counts(p->probs, p->st.problems, &(os_severity){ 0 });
    os_checker_counts(p->chk, p->st.findings, &(os_severity){ 0 });
    fill_tables(p, &p->st);
    os_report_stats_json(&p->rep, &p->st, now - now % p->cfg.stats_ns,
                         os_flowtab_stats(p->flows)->active, p->role_pkts);
    p->next_stats = now - now % p->cfg.stats_ns + p->cfg.stats_ns;
}

/* Write records to out from now on. */
void os_pipeline_set_out(os_pipeline *p, FILE *out)
{
    p->cfg.out = out;
    p->rep.out = out;
}

/* The kernel's counters for the next stats record. */
void os_pipeline_set_kernel(os_pipeline *p, const os_capture_stats *kernel)
{
    p->st.kernel = *kernel;
}

/* Time passes without packets (live): SYN verdicts due, once a second the
 * streams that went silent, a stats record when due. */
void os_pipeline_tick(os_pipeline *p, uint64_t now_ns)
{
    bool waits = p->wlen && p->waits[p->whead].due_ns <= now_ns;
    bool streams = now_ns >= p->next_check;
    stats_due(p, now_ns);
    if (!waits && !streams)
        return;
    p->rep.now_ns = now_ns;
    if (waits)
        judge_waits(p, now_ns);
    if (streams) {
        os_streams_check(p->streams, now_ns);
        p->next_check = now_ns + 1000000000ULL;
    }
    fflush(p->cfg.out);
}

/* Run one frame through every layer. */
bool os_pipeline_packet(os_pipeline *p, const os_frame *fr)
{
    os_pkt pk;
    os_reason why = OS_R_NONE;
    os_decode_status st = os_decode(&p->dec, fr->dlt, fr->data, fr->caplen, fr->wirelen, &pk, &why);
    os_flow *f = NULL;
    int side = 0;
    bool created = false;

    count_frame(&p->st, fr, st, why, &pk);
    p->rep.now_ns = fr->ts_ns;
    if (p->wlen && p->waits[p->whead].due_ns <= fr->ts_ns)
        judge_waits(p, fr->ts_ns);
    if (p->cfg.stats_ns && fr->ts_ns >= p->next_stats)
        stats_due(p, fr->ts_ns);
    if (makes_flow(st, &pk)) {
        if (pk.nencap)
            pk.tunnel = os_flowtab_tunnel(p->flows, &pk);
        if (!(f = os_flowtab_add(p->flows, &pk, fr->ts_ns, &side, &created)))
            return false;
        os_classify_learn(p->cls, f, side, &pk, created);
        os_classify_flow(p->cls, f);
        p->role_pkts[f->label.rule >= 0 ? (size_t)f->label.rule : p->cfg.rules->n]++;
        if (pk.proto == 17 && f->label.rule >= 0 && p->cfg.rules->rule[f->label.rule].stream)
            os_streams_packet(p->streams, f, side, &pk, fr->ts_ns); /* failures: counted there */
    } else {
        os_flowtab_expire(p->flows, fr->ts_ns);
    }
    if (p->cfg.mode == OS_MODE_PACKETS)
        os_report_packet(&p->rep, fr->ts_ns, st, why, &pk, f);
    if (f) { /* after the packet's line: a finding it raises follows it */
        p->cur_flow = f->id;
        p->raised_other = false;
        check_packet(p, f, side, &pk, created, fr->ts_ns);
        if (created && f->by_syn && pk.proto == 6)
            wait_for_answer(p, f, fr->ts_ns);
    }
    if (p->cfg.dump) { /* after the checks: a flow this packet flagged is selected */
        if (p->raised_other)
            os_dump_frame(p->cfg.dump, fr);
        os_dump_packet(p->cfg.dump, f, fr);
    }
    return true;
}

static int kept_order(const void *a, const void *b)
{
    const os_finding *x = *(os_finding *const *)a, *y = *(os_finding *const *)b;
    if (x->sev != y->sev)
        return x->sev > y->sev ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Problems, finding counts, the bounded tables' counters and (--findings
 * all) the findings kept, into s. */
static void fill_findings(os_pipeline *p, os_stats *s)
{
    os_severity worst;
    s->problem = os_problems_sorted(p->probs, &s->nproblems);
    s->stream = os_streams_sorted(p->streams, &s->nstreams);
    s->streams_untracked = os_streams_untracked(p->streams);
    os_problems_counts(p->probs, s->problems, &worst);
    os_checker_counts(p->chk, s->findings, &worst);
    fill_tables(p, s);
    free(p->kept_view);
    p->kept_view = p->nkept ? malloc(p->nkept * sizeof *p->kept_view) : NULL;
    p->alloc_failed += p->nkept && !p->kept_view;
    s->nfindings = p->kept_view ? p->nkept : 0;
    for (size_t i = 0; i < s->nfindings; i++)
        p->kept_view[i] = &p->kept[i];
    if (s->nfindings)
        qsort(p->kept_view, s->nfindings, sizeof *p->kept_view, kept_order);
    s->finding = (const os_finding *const *)p->kept_view;
}

/* Stable id of a module that counts its failed allocations. */
const char *os_alloc_module_name(os_alloc_module m)
{
#define AM_NAME(e, id) id,
    static const char *const n[] = { OS_ALLOC_MODULES(AM_NAME) };
#undef AM_NAME
    return (unsigned)m < OS_AM_COUNT ? n[m] : NULL;
}

/* Allocations that failed in all modules. */
uint64_t os_stats_alloc_failed(const os_stats *s)
{
    uint64_t n = 0;
    for (int m = 0; m < OS_AM_COUNT; m++)
        n += s->alloc_failed[m];
    return n;
}

/* Each module's failed allocations so far, into v. */
static void alloc_counts(const os_pipeline *p, uint64_t v[OS_AM_COUNT])
{
    v[OS_AM_FINDINGS] = os_checker_stats(p->chk)->alloc_failed;
    v[OS_AM_CLASSIFY] = os_classify_stats(p->cls)->alloc_failed;
    v[OS_AM_FLOWS] = os_flowtab_stats(p->flows)->alloc_failed;
    v[OS_AM_PROBLEMS] = os_problems_stats(p->probs)->alloc_failed;
    v[OS_AM_STREAMS] = os_streams_alloc_failed(p->streams);
    v[OS_AM_GRAPH] = p->graph ? os_graph_alloc_failed(p->graph) : 0;
    v[OS_AM_DUMP] = p->cfg.dump ? os_dump_alloc_failed(p->cfg.dump) : 0;
    v[OS_AM_PIPELINE] = p->alloc_failed;
}

/* End of input: end the flows, release the findings, make the final verdicts. */
void os_pipeline_flush(os_pipeline *p, const char *source, const char *linktype,
                       const os_capture_stats *kernel, const char *read_error)
{
    /* live, time went on past the last packet (the ticks' wall clock) */
    uint64_t end = p->rep.now_ns > p->st.last_ns ? p->rep.now_ns : p->st.last_ns;
    p->rep.now_ns = p->st.last_ns; /* flows ending now end at the capture's last time */
    os_flowtab_flush(p->flows);
    os_streams_finish(p->streams, end);
    os_check_finish(p->chk);
    os_checker_release_all(p->chk);
    fill_findings(p, &p->st);
    for (size_t i = 0; p->cfg.mode == OS_MODE_JSON && i < p->st.nstreams; i++)
        os_report_stream_json(&p->rep, p->st.stream[i]);
    for (size_t i = 0; p->graph && i < p->st.nproblems; i++) {
        const os_problem *pr = p->st.problem[i];
        os_graph_problem(p->graph, pr->kind, pr->rule, &pr->svc, pr->sev);
    }
    if (p->cfg.mode == OS_MODE_JSON)
        for (size_t i = 0; i < p->st.nproblems; i++)
            os_report_problem_json(&p->rep, p->st.problem[i], OS_PROBLEM_FINAL);
    p->st.flows = *os_flowtab_stats(p->flows);
    alloc_counts(p, p->st.alloc_failed);
    if (kernel)
        p->st.kernel = *kernel;
    p->st.source = source;
    p->st.linktype = linktype;
    p->st.read_error = read_error;
}

/* The summary of a flushed run. */
void os_pipeline_summary(os_pipeline *p)
{
    if (p->cfg.mode == OS_MODE_JSON)
        os_report_summary_json(&p->rep, &p->st);
    else if (p->cfg.mode != OS_MODE_SILENT)
        os_report_summary_text(&p->rep, &p->st);
    fflush(p->cfg.out);
}

/* Count a flow still in the table into the role totals of a summary so far. */
static void add_active(void *user, const os_flow *f)
{
    os_stats *s = user;
    os_total *t = f->label.rule >= 0 ? &s->role[f->label.rule] : &s->unclassified;
    t->packets += (uint64_t)f->pkts[0] + f->pkts[1];
    t->bytes += f->bytes[0] + f->bytes[1];
    t->flows++;
}

/* The summary so far, as text, to out (SIGUSR1): flows still active are
 * counted in the role table as they stand. */
void os_pipeline_summary_now(os_pipeline *p, FILE *out, const char *source, const char *linktype,
                             const os_capture_stats *kernel)
{
    os_stats s = p->st;
    os_report r = p->rep;
    size_t n = p->cfg.rules->n ? p->cfg.rules->n : 1;
    if (!(s.role = malloc(n * sizeof *s.role)))
        return;
    memcpy(s.role, p->st.role, n * sizeof *s.role);
    os_flowtab_foreach(p->flows, add_active, &s);
    fill_findings(p, &s);
    s.flows = *os_flowtab_stats(p->flows);
    alloc_counts(p, s.alloc_failed);
    if (kernel)
        s.kernel = *kernel;
    s.source = source;
    s.linktype = linktype;
    r.out = out;
    r.cached_sec = UINT64_MAX;
    fprintf(out, "--- summary so far (%llu flows still active, counted as they stand)\n",
            (unsigned long long)s.flows.active);
    os_report_summary_text(&r, &s);
    fflush(out);
    free(s.role);
}

/* Count a flow still in the table under its role (--status). */
static void count_active(void *user, const os_flow *f)
{
    os_pipeline *p = user;
    p->status_flows[f->label.rule >= 0 ? (size_t)f->label.rule : p->cfg.rules->n]++;
}

/* One row of the status table. */
static void status_row(FILE *out, const char *name, uint64_t pkts, uint64_t prev, double secs,
                       uint64_t flows, uint64_t probs)
{
    fprintf(out, "%-26s %10.0f %8llu %8llu\n", name, secs > 0 ? (double)(pkts - prev) / secs : 0.0,
            (unsigned long long)flows, (unsigned long long)probs);
}

/* The compact per-role table of --status; returns the lines printed. */
int os_pipeline_status(os_pipeline *p, FILE *out, double secs)
{
    size_t n = p->cfg.rules->n, np = 0;
    uint64_t *probs = calloc(n + 1, sizeof *probs), by[OS_SEV_NEVER];
    const os_problem *const *pv = os_problems_sorted(p->probs, &np);
    os_severity worst;
    int lines = 2;
    if (!probs)
        return 0;
    os_problems_counts(p->probs, by, &worst);
    for (size_t i = 0; i < np; i++)
        probs[pv[i]->rule >= 0 ? (size_t)pv[i]->rule : n]++;
    memset(p->status_flows, 0, (n + 1) * sizeof *p->status_flows);
    os_flowtab_foreach(p->flows, count_active, p);
    fprintf(out, "omnisniff: %llu packets, %llu flows active, %zu problem%s (%llu error%s, "
            "%llu warning%s)\n", (unsigned long long)p->st.packets,
            (unsigned long long)os_flowtab_stats(p->flows)->active, np, np == 1 ? "" : "s",
            (unsigned long long)by[OS_SEV_ERROR], by[OS_SEV_ERROR] == 1 ? "" : "s",
            (unsigned long long)by[OS_SEV_WARNING], by[OS_SEV_WARNING] == 1 ? "" : "s");
    fprintf(out, "%-26s %10s %8s %8s\n", "role", "pkts/s", "flows", "problems");
    for (size_t i = 0; i <= n; i++) {
        if (!p->role_pkts[i] && !p->status_flows[i] && !probs[i])
            continue;
        status_row(out, i < n ? p->cfg.rules->rule[i].id : "(unclassified)", p->role_pkts[i],
                   p->status_prev[i], secs, p->status_flows[i], probs[i]);
        p->status_prev[i] = p->role_pkts[i];
        lines++;
    }
    free(probs);
    fflush(out);
    return lines;
}

/* The most severe problem so far, persistence applied (OS_SEV_NEVER if none). */
os_severity os_pipeline_worst(const os_pipeline *p)
{
    uint64_t by[OS_SEV_NEVER];
    os_severity worst;
    os_problems_counts(p->probs, by, &worst);
    return worst;
}

/* The observed system (NULL unless cfg.graph). */
const os_graph *os_pipeline_graph(const os_pipeline *p) { return p->graph; }

/* The classifier (host roles and evidence). */
os_classifier *os_pipeline_classifier(os_pipeline *p) { return p->cls; }

/* True when an allocation failed in any module (results are incomplete). */
bool os_pipeline_oom(const os_pipeline *p)
{
    os_stats s;
    alloc_counts(p, s.alloc_failed);
    return os_stats_alloc_failed(&s) != 0;
}

/* The statistics so far. */
const os_stats *os_pipeline_stats(const os_pipeline *p) { return &p->st; }

/* Free it. */
void os_pipeline_free(os_pipeline *p)
{
    if (!p)
        return;
    os_flowtab_free(p->flows);
    os_graph_free(p->graph);
    free(p->role_pkts);
    free(p->status_prev);
    free(p->status_flows);
    os_checker_free(p->chk);
    os_problems_free(p->probs);
    os_streams_free(p->streams);
    free(p->waits);
    free(p->kept);
    free(p->kept_view);
    os_classifier_free(p->cls);
    free(p->st.role);
    free(p);
}
