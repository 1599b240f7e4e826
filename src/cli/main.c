/* main.c — the omnisniff command: parse the command line, load the rules,
 * hosts and site, run the capture, and turn the outcome into the exit code.
 * src/cli/ is the only code that prints to stdout/stderr or exits; every
 * layer below returns status and an error message
 * (tests/lint/cli_only_prints.sh). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cli_fail(const char *fmt, ...)
{
    va_list ap;
    fputs("omnisniff: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_USAGE;
}

/* The link type the summary names: the capture's, or "mixed". */
const char *cli_linktype(const os_capture *cap)
{
    return os_capture_mixed_dlt(cap) ? "mixed" : os_capture_dlt_name(cap);
}

/* What the capture layer noticed about the input, one note a line: joined
 * captures, link types skipped, time going back, a time window that kept
 * nothing. */
static void say_notes(os_capture *cap)
{
    const char *n;
    os_capture_input_stats in = os_capture_get_input_stats(cap);
    while ((n = os_capture_note(cap)))
        fprintf(stderr, "omnisniff: note: %s\n", n);
    /* a live interface's times may step back a few µs (packets taken on
     * several queues or CPUs); a capture file's by a second or more means
     * captures merged or joined out of order */
    if (in.backwards && !os_capture_is_live(cap) && in.max_back_ns >= 1000000000ULL)
        fprintf(stderr, "omnisniff: note: time went back %llu time%s (at most %.3f s): "
                "captures merged or joined out of order? the summary spans the earliest "
                "to the latest packet\n", (unsigned long long)in.backwards,
                in.backwards == 1 ? "" : "s", (double)in.max_back_ns / 1e9);
    if (in.before_since || in.after_until)
        fprintf(stderr, "omnisniff: note: --since/--until left out %llu packets before and "
                "%llu after the window\n", (unsigned long long)in.before_since,
                (unsigned long long)in.after_until);
}

/* After the capture: the final records, the audit, the summary, the files
 * written and closed. Returns the exit code. */
static int finish(const cli_opts *o, os_capture *cap, os_pipeline *pl, cli_outputs *out,
                  const char *read_err)
{
    const char *source = o->source;
    os_capture_stats ks = os_capture_get_stats(cap);

    say_notes(cap);
    os_pipeline_flush(pl, source, cli_linktype(cap), &ks, read_err);
    cli_audit_make(out, pl);
    os_pipeline_summary(pl);
    bool ok = cli_audit_write(out);
    if (read_err)
        cli_fail("%s: %s", source, read_err);
    uint64_t failed = os_stats_alloc_failed(os_pipeline_stats(pl)); /* as the summary says */
    if (failed)
        cli_fail("out of memory: %" PRIu64 " allocation%s failed; the results are incomplete",
                 failed, failed == 1 ? "" : "s");
    ok = cli_outputs_write(out, pl) && ok;
    os_severity worst = os_pipeline_worst(pl);
    os_pipeline_free(pl);
    os_capture_close(cap);
    ok = cli_outputs_close(out) && ok;
    if (!ok || read_err || failed)
        return EXIT_USAGE;
    return worst != OS_SEV_NEVER && o->fail_on != OS_SEV_NEVER && worst >= o->fail_on
               ? EXIT_FINDINGS : EXIT_OK;
}

/* Open the capture and the outputs, capture, finish. */
static int run(const cli_opts *o, const os_ruleset *rs, const os_hostsfile *hf, const os_site *site)
{
    char err[512];
    cli_outputs out;
    os_pipeline *pl;
    os_capture *cap = os_capture_open(&o->cap, err, sizeof err);

    if (!cap)
        return cli_fail("%s", err);
    cli_guard_mapping(cap, o->source);
    if (o->run_as && !cli_drop_privileges(o->run_as, err, sizeof err)) {
        os_capture_close(cap);
        return cli_fail("%s", err);
    }
    if (!cli_outputs_open(&out, o, rs, site, cap)) { /* after -Z: the files are USER's */
        os_capture_close(cap);
        return EXIT_USAGE;
    }
    if (!(pl = cli_pipeline_new(o, rs, hf, cap, &out, err, sizeof err))) {
        cli_outputs_abandon(&out);
        os_capture_close(cap);
        return cli_fail("%s", err);
    }
    return finish(o, cap, pl, &out, cli_capture(o, cap, pl, &out, err, sizeof err));
}

/* Do what the parsed command line asks for; the exit code. */
static int act(cli_opts *o, os_ruleset *rs, os_hostsfile *hf, os_site *site)
{
    char err[512];
    if (o->explain)
        return cli_explain(o->explain);
    if (o->list_ifaces)
        return os_capture_list(stdout, err, sizeof err) ? EXIT_OK : cli_fail("%s", err);
    if (!cli_load_rules(o->rules_file, rs))
        return EXIT_USAGE;
    if (o->check_rules) {
        os_rules_dump(rs, stdout);
        return EXIT_OK;
    }
    if ((o->hosts_file && !cli_load_hosts(o->hosts_file, hf)) ||
        (o->site_file && !cli_load_site(o->site_file, rs, site)))
        return EXIT_USAGE;
    if (o->line_buffered || (o->cap.iface && isatty(STDOUT_FILENO)))
        setvbuf(stdout, NULL, _IOLBF, 0);
    o->cap.immediate = o->line_buffered || isatty(STDOUT_FILENO);
    /* not an option: for benchmarks and the reader comparison tests */
    o->cap.use_libpcap =
        getenv("OMNISNIFF_READER") && !strcmp(getenv("OMNISNIFF_READER"), "libpcap");
    return run(o, rs, o->site_file ? &site->hosts : hf, site);
}

int main(int argc, char **argv)
{
    cli_opts o;
    os_ruleset rs = { 0 };
    os_hostsfile hf = { 0 };
    os_site site = { 0 };
    int rc = cli_parse(argc, argv, &o);

    if (rc < 0)
        rc = act(&o, &rs, &hf, &site);
    os_rules_free(&rs);
    os_hosts_free(&hf);
    os_site_free(&site);
    free(o.filter);
    free(o.sources);
    return rc;
}
