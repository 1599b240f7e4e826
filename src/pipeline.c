/* pipeline.c — drive one frame through decode, flow, classify and report,
 * and keep the counters the summary prints. Per packet it does one decode
 * (no allocation), one hash lookup, and a cached-label check; work that
 * depends on host knowledge is redone only when that knowledge changes. */
#include "omnisniff/pipeline.h"

#include <stdlib.h>
#include <string.h>

#include "omnisniff/classify.h"
#include "omnisniff/decode.h"

struct os_pipeline {
    os_pipeline_cfg cfg;   /* configuration */
    os_flowtab *flows;     /* flow table */
    os_classifier *cls;    /* roles */
    os_report rep;         /* output context */
    os_stats st;           /* counters */
};

/* A flow leaves the table: settle its label, count it, maybe print it. */
static void on_flow_end(void *user, os_flow *f, os_flow_end why)
{
    os_pipeline *p = user;
    os_total *t;

    os_classify_flow(p->cls, f);
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
    if (p->cfg.mode == OS_MODE_JSON)
        os_report_flow_json(&p->rep, f, why);
}

/* New pipeline; NULL with err set on allocation failure. */
os_pipeline *os_pipeline_new(const os_pipeline_cfg *cfg, char *err, size_t errlen)
{
    os_pipeline *p = calloc(1, sizeof *p);
    if (!p)
        goto oom;
    p->cfg = *cfg;
    p->st.role = calloc(cfg->rules->n ? cfg->rules->n : 1, sizeof *p->st.role);
    p->flows = os_flowtab_new(&cfg->flow, on_flow_end, p);
    p->cls = os_classifier_new(cfg->rules, cfg->hosts);
    if (!p->st.role || !p->flows || !p->cls)
        goto oom;
    p->rep.out = cfg->out;
    p->rep.rules = cfg->rules;
    p->rep.cls = p->cls;
    p->rep.cached_sec = UINT64_MAX;
    return p;
oom:
    snprintf(err, errlen, "out of memory");
    os_pipeline_free(p);
    return NULL;
}

/* Count a frame and its decode outcome. */
static void count_frame(os_stats *s, const os_frame *fr, os_status st, os_reason why,
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
static bool makes_flow(os_status st, const os_pkt *pk)
{
    return st == OS_DEC_OK && pk->ipver != 0;
}

/* Run one frame through every layer. */
bool os_pipeline_packet(os_pipeline *p, const os_frame *fr)
{
    os_pkt pk;
    os_reason why = OS_R_NONE;
    os_status st = os_decode(p->cfg.dlt, fr->data, fr->caplen, fr->wirelen, &pk, &why);
    os_flow *f = NULL;

    count_frame(&p->st, fr, st, why, &pk);
    if (makes_flow(st, &pk)) {
        int side;
        bool created;
        if (!(f = os_flowtab_add(p->flows, &pk, fr->ts_ns, &side, &created)))
            return false;
        os_classify_learn(p->cls, f, side, &pk, created);
        if (p->cfg.mode == OS_MODE_PACKETS)
            os_classify_flow(p->cls, f);
    } else {
        os_flowtab_expire(p->flows, fr->ts_ns);
    }
    if (p->cfg.mode == OS_MODE_PACKETS)
        os_report_packet(&p->rep, fr->ts_ns, st, why, &pk, f);
    return true;
}

/* End of input: flush flows and print the summary. */
void os_pipeline_finish(os_pipeline *p, const char *source, const char *linktype,
                        const os_capture_stats *kernel, const char *read_error)
{
    os_flowtab_flush(p->flows);
    p->st.flows = *os_flowtab_stats(p->flows);
    if (kernel)
        p->st.kernel = *kernel;
    p->st.source = source;
    p->st.linktype = linktype;
    p->st.read_error = read_error;
    if (p->cfg.mode == OS_MODE_JSON)
        os_report_summary_json(&p->rep, &p->st);
    else
        os_report_summary_text(&p->rep, &p->st);
    fflush(p->cfg.out);
}

/* The statistics so far. */
const os_stats *os_pipeline_stats(const os_pipeline *p) { return &p->st; }

/* Free it. */
void os_pipeline_free(os_pipeline *p)
{
    if (!p)
        return;
    os_flowtab_free(p->flows);
    os_classifier_free(p->cls);
    free(p->st.role);
    free(p);
}
