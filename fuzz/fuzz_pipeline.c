/* fuzz_pipeline.c — libFuzzer target: a whole capture-file image (pcap or
 * pcapng) read by libpcap from memory and run through every layer with the
 * default rules and a hosts file, JSON output discarded. */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "omnisniff/pipeline.h"


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char hosts_text[] = "10.1.0.10 directory,gateway\n10.1.0.20 archiver\n"
                                 "10.2.0.0/24 encoder\n10.3.0.0/24 client\nfd00:1::/64 gateway\n";

/* Rules, hosts and the output sink, built once. */
static bool setup(os_ruleset *rs, os_hostsfile *hf, FILE **out)
{
    os_diags d = { 0 };
    os_rules_text def = os_rules_default();
    bool ok = os_rules_parse("default", def.text, def.len, rs, &d) &&
              os_hosts_parse("hosts", hosts_text, strlen(hosts_text), hf, &d);
    os_diags_free(&d);
    *out = fopen("/dev/null", "w");
    return ok && *out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static os_ruleset rs;
    static os_hostsfile hf;
    static FILE *out;
    static int ready;
    char ebuf[PCAP_ERRBUF_SIZE], err[256];
    if (!ready)
        ready = setup(&rs, &hf, &out) ? 1 : -1;
    if (ready < 0 || size == 0)
        return 0;
    FILE *f = fmemopen((void *)data, size, "rb");
    pcap_t *pc = f ? pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, ebuf) : NULL;
    if (!pc) {
        if (f)
            fclose(f);
        return 0;
    }
    os_pipeline_cfg cfg = { &rs, &hf, os_flow_cfg_default(), pcap_datalink(pc), OS_MODE_JSON, out };
    cfg.flow.max_flows = 64;
    os_pipeline *pl = os_dlt_supported(cfg.dlt) ? os_pipeline_new(&cfg, err, sizeof err) : NULL;
    struct pcap_pkthdr *h;
    const u_char *d;
    while (pl && pcap_next_ex(pc, &h, &d) == 1) {
        os_frame fr = { (uint64_t)h->ts.tv_sec * 1000000000ULL + (uint64_t)h->ts.tv_usec,
                        h->caplen, h->len, d, cfg.dlt };
        os_pipeline_packet(pl, &fr);
    }
    if (pl) {
        os_pipeline_flush(pl, "fuzz", "fuzz", NULL, NULL);
        os_pipeline_summary(pl);
    }
    os_pipeline_free(pl);
    pcap_close(pc); /* closes f */
    return 0;
}
