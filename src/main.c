/* main.c — the omnisniff command: options, loading rules and hosts, the
 * capture loop, signals and exit codes. The only file that prints usage or
 * exits; every layer below returns status and an error message. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "omnisniff/capture.h"
#include "omnisniff/findings.h"
#include "omnisniff/hosts.h"
#include "omnisniff/pipeline.h"
#include "omnisniff/rules.h"

enum { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2 };

extern const char os_default_rules[];
extern const unsigned long os_default_rules_len;
extern const char os_default_rules_name[];

/* Parsed command line. */
typedef struct opts {
    os_capture_opts cap;     /* what to capture from */
    const char *rules_file;  /* -R */
    const char *hosts_file;  /* -H */
    os_mode mode;            /* output */
    bool check_rules;        /* --check-rules */
    bool list_ifaces;        /* -D */
    bool line_buffered;      /* -l */
    uint64_t count;          /* -c (0 = all) */
    os_flow_cfg flow;        /* timeouts and cap */
    os_severity fail_on;     /* --fail-on */
    const char *explain;     /* --explain KIND */
    char *filter;            /* joined trailing arguments (owned) */
} opts;

static volatile sig_atomic_t g_stop;
static os_capture *volatile g_cap;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
    os_capture_break(g_cap);
}

static void usage(FILE *f)
{
    fputs(
"usage: omnisniff [options] (-r FILE | -i IFACE) [BPF filter expression]\n"
"       omnisniff -D | --check-rules [-R FILE] | --help | --version\n"
"\n"
"Label Genetec Omnicast 4.x traffic (KBA-00170) in a capture or on an interface.\n"
"\n"
"input\n"
"  -r FILE            read a pcap or pcapng file ('-' = standard input)\n"
"  -i IFACE           capture live on IFACE (immediate mode with -l or on a terminal)\n"
"  -s SNAPLEN         live: bytes kept per packet (default 262144; 96 is enough)\n"
"  -B KIB             live: kernel capture buffer in KiB (default 32768)\n"
"  -p                 live: do not put the interface in promiscuous mode\n"
"  -c COUNT           stop after COUNT packets\n"
"  -D                 list the interfaces omnisniff can capture on\n"
"  FILTER...          trailing arguments form a BPF filter, as with tcpdump\n"
"rules and hosts\n"
"  -R FILE            use FILE instead of the built-in rules (omnicast4.rules)\n"
"  -H FILE            hosts file: 'ADDRESS-or-CIDR ROLE[,ROLE...] [name]' a line\n"
"  --check-rules      validate the rules (-R FILE or built-in), print the table\n"
"findings\n"
"  --fail-on SEV      exit 1 when a finding of severity SEV or worse was found:\n"
"                     error (default), warning, info, or never\n"
"  --explain KIND     what a finding kind means, the KBA text behind it, what to check\n"
"output\n"
"  (default)          one line per packet, then the summary\n"
"  -q                 only the summary\n"
"  --json             JSON Lines: a 'flow' record per flow, a 'finding' record per\n"
"                     finding, a final 'summary'\n"
"  -l                 line-buffer standard output; live: immediate mode\n"
"flows\n"
"  --max-flows N      keep at most N flows, evicting the least recently seen\n"
"  --tcp-timeout S    idle timeout of open TCP flows (default 300 s)\n"
"  --tcp-closed-timeout S  after FIN both ways or RST (default 10 s)\n"
"  --udp-timeout S    idle timeout of UDP flows (default 120 s)\n"
"  --other-timeout S  idle timeout of ICMP and other flows (default 60 s)\n"
"\n"
"exit status\n"
"  0  the input was read to its end (or the capture was stopped)\n"
"  1  findings at or above the --fail-on severity (default: error)\n"
"  2  usage error, bad rules or hosts file, unreadable or cut capture,\n"
"     unsupported link type, interface missing or not permitted\n"
"\n"
"examples\n"
"  omnisniff -r site.pcap -H site.hosts\n"
"  omnisniff -q -r customer.pcapng\n"
"  omnisniff -i eth0 -s 96 udp portrange 15000-16000\n"
"  omnisniff --check-rules -R my-site.rules\n"
"  omnisniff -q --fail-on warning -r customer.pcap || echo 'look at the findings'\n"
"  omnisniff --explain unanswered-connection\n", f);
}

/* Print "omnisniff: msg" on one line and return the usage exit code. */
__attribute__((format(printf, 1, 2))) static int fail(const char *fmt, ...)
{
    va_list ap;
    fputs("omnisniff: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return EXIT_USAGE;
}

/* Parse a whole number in [lo, hi]. */
static bool parse_num(const char *s, unsigned long long lo, unsigned long long hi,
                      unsigned long long *out)
{
    char *end;
    errno = 0;
    if (!s || !*s || *s == '-')
        return false;
    *out = strtoull(s, &end, 10);
    return !errno && !*end && *out >= lo && *out <= hi;
}

/* Join argv[i..] with spaces (the BPF filter), or NULL if none. */
static char *join_args(int argc, char **argv, int i)
{
    size_t n = 1;
    char *s;
    if (i >= argc)
        return NULL;
    for (int k = i; k < argc; k++)
        n += strlen(argv[k]) + 1;
    if (!(s = calloc(1, n)))
        return NULL;
    for (int k = i; k < argc; k++) {
        if (k > i)
            strcat(s, " ");
        strcat(s, argv[k]);
    }
    return s;
}

enum { O_JSON = 256, O_CHECK, O_MAXFLOWS, O_TTCP, O_TTCPC, O_TUDP, O_TOTHER, O_HELP, O_VERSION,
       O_FAILON, O_EXPLAIN };

static const struct option long_opts[] = {
    { "json", no_argument, NULL, O_JSON },
    { "check-rules", no_argument, NULL, O_CHECK },
    { "max-flows", required_argument, NULL, O_MAXFLOWS },
    { "tcp-timeout", required_argument, NULL, O_TTCP },
    { "tcp-closed-timeout", required_argument, NULL, O_TTCPC },
    { "udp-timeout", required_argument, NULL, O_TUDP },
    { "other-timeout", required_argument, NULL, O_TOTHER },
    { "fail-on", required_argument, NULL, O_FAILON },
    { "explain", required_argument, NULL, O_EXPLAIN },
    { "help", no_argument, NULL, O_HELP },
    { "version", no_argument, NULL, O_VERSION },
    { NULL, 0, NULL, 0 },
};

/* A timeout option: whole seconds, 0 = never. */
static bool set_timeout(opts *o, os_flow_list l, const char *arg)
{
    unsigned long long v;
    if (!parse_num(arg, 0, 365ULL * 86400, &v))
        return false;
    o->flow.timeout_ns[l] = v * 1000000000ULL;
    return true;
}

/* Handle one option; returns -1 to go on, else an exit code. */
static int take_opt(opts *o, int c, const char *arg)
{
    unsigned long long v;
    switch (c) {
    case 'r': o->cap.file = arg; return -1;
    case 'i': o->cap.iface = arg; return -1;
    case 'p': o->cap.promisc = false; return -1;
    case 'q': o->mode = OS_MODE_QUIET; return -1;
    case 'l': o->line_buffered = true; return -1;
    case 'D': o->list_ifaces = true; return -1;
    case 'R': o->rules_file = arg; return -1;
    case 'H': o->hosts_file = arg; return -1;
    case O_JSON: o->mode = OS_MODE_JSON; return -1;
    case O_CHECK: o->check_rules = true; return -1;
    case 's':
        if (!parse_num(arg, 1, 262144, &v))
            return fail("-s: snaplen must be a number from 1 to 262144, not '%s'", arg);
        o->cap.snaplen = (int)v;
        return -1;
    case 'B':
        if (!parse_num(arg, 1, 4194304, &v))
            return fail("-B: buffer size must be a number of KiB from 1 to 4194304, not '%s'", arg);
        o->cap.buffer_kib = (int)v;
        return -1;
    case 'c':
        if (!parse_num(arg, 1, ULLONG_MAX, &v))
            return fail("-c: count must be a positive number, not '%s'", arg);
        o->count = v;
        return -1;
    case O_MAXFLOWS:
        if (!parse_num(arg, 1, ULLONG_MAX, &v))
            return fail("--max-flows: must be a positive number, not '%s'", arg);
        o->flow.max_flows = v;
        return -1;
    case O_TTCP: case O_TTCPC: case O_TUDP: case O_TOTHER:
        if (!set_timeout(o, c == O_TTCP ? OS_FL_TCP : c == O_TTCPC ? OS_FL_TCP_CLOSED
                            : c == O_TUDP ? OS_FL_UDP : OS_FL_OTHER, arg))
            return fail("timeout must be whole seconds (0 = never), not '%s'", arg);
        return -1;
    case O_FAILON:
        if (!os_severity_parse(arg, &o->fail_on))
            return fail("--fail-on: error, warning, info or never, not '%s'", arg);
        return -1;
    case O_EXPLAIN: o->explain = arg; return -1;
    case O_HELP: usage(stdout); return EXIT_OK;
    case O_VERSION: printf("omnisniff %s\n", OMNISNIFF_VERSION); return EXIT_OK;
    default: usage(stderr); return EXIT_USAGE;
    }
}

/* Parse argv into *o; returns -1 to go on, else an exit code. */
static int parse_args(int argc, char **argv, opts *o)
{
    int c, rc;
    memset(o, 0, sizeof *o);
    o->cap.promisc = true;
    o->flow = os_flow_cfg_default();
    o->fail_on = OS_SEV_ERROR;
    while ((c = getopt_long(argc, argv, "+r:i:s:B:pc:DR:H:ql", long_opts, NULL)) != -1)
        if ((rc = take_opt(o, c, optarg)) >= 0)
            return rc;
    o->filter = join_args(argc, argv, optind);
    if (o->list_ifaces || o->check_rules || o->explain)
        return -1;
    if (!o->cap.file == !o->cap.iface)
        return fail("give exactly one of -r FILE or -i IFACE (see --help)");
    o->cap.filter = o->filter;
    return -1;
}

/* Read a whole file into a NUL-terminated buffer; NULL with err set. */
static char *read_file(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;

    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    for (;;) {
        if (n + 4096 + 1 > cap) {
            char *nb = realloc(buf, cap = cap ? cap * 2 : 8192);
            if (!nb)
                break;
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f) || !buf) {
        snprintf(err, errlen, "%s: %s", path, ferror(f) ? strerror(errno) : "out of memory");
        free(buf);
        buf = NULL;
    } else {
        buf[n] = '\0';
        *len = n;
    }
    fclose(f);
    return buf;
}

/* Print collected diagnostics to stderr. */
static void print_diags(const os_diags *d)
{
    for (size_t i = 0; i < d->n; i++)
        fputs(d->msg[i], stderr);
}

/* Load -R FILE or the built-in rules. */
static bool load_rules(const char *path, os_ruleset *rs)
{
    char err[512];
    size_t len = os_default_rules_len;
    const char *buf = os_default_rules;
    char *owned = NULL;
    os_diags d = { 0 };
    bool ok;

    if (path && !(buf = owned = read_file(path, &len, err, sizeof err))) {
        fail("cannot read rules file %s", err);
        return false;
    }
    ok = os_rules_parse(path ? path : os_default_rules_name, buf, len, rs, &d);
    print_diags(&d);
    if (!ok)
        fprintf(stderr, "omnisniff: %zu error%s in rules file %s; not running\n", d.errors,
                d.errors == 1 ? "" : "s", path ? path : os_default_rules_name);
    os_diags_free(&d);
    free(owned);
    return ok;
}

/* Load the -H hosts file. */
static bool load_hosts(const char *path, os_hostsfile *hf)
{
    char err[512];
    size_t len;
    char *buf = read_file(path, &len, err, sizeof err);
    os_diags d = { 0 };
    bool ok;

    if (!buf) {
        fail("cannot read hosts file %s", err);
        return false;
    }
    ok = os_hosts_parse(path, buf, len, hf, &d);
    print_diags(&d);
    if (!ok)
        fprintf(stderr, "omnisniff: %zu error%s in hosts file %s; not running\n", d.errors,
                d.errors == 1 ? "" : "s", path);
    os_diags_free(&d);
    free(buf);
    return ok;
}

/* --explain KIND. */
static int explain(const char *kind)
{
    os_finding_kind k;
    if (!os_finding_kind_parse(kind, &k)) {
        fprintf(stderr, "omnisniff: --explain: unknown finding kind '%s'; kinds:", kind);
        for (int i = 0; i < OS_FK_COUNT; i++)
            fprintf(stderr, " %s", os_finding_kind_name((os_finding_kind)i));
        fputc('\n', stderr);
        return EXIT_USAGE;
    }
    fputs(os_finding_explain(k), stdout);
    return EXIT_OK;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* Read frames until the end, the count, a signal or an error. Returns the
 * read error message (in err) or NULL. */
static const char *capture_loop(os_capture *cap, os_pipeline *pl, uint64_t count,
                                char *err, size_t errlen)
{
    uint64_t n = 0;
    os_frame fr;

    while (!g_stop && (!count || n < count)) {
        os_cap_status st = os_capture_next(cap, &fr, err, errlen);
        if (st == OS_CAP_PACKET) {
            if (!os_pipeline_packet(pl, &fr)) {
                snprintf(err, errlen, "out of memory");
                return err;
            }
            n++;
        } else if (st == OS_CAP_END) {
            break;
        } else if (st == OS_CAP_ERROR) {
            return err;
        }
    }
    return NULL;
}

/* Open the capture, run the pipeline, print the summary. */
static int run(const opts *o, const os_ruleset *rs, const os_hostsfile *hf)
{
    char err[512], perr[256];
    os_capture *cap = os_capture_open(&o->cap, err, sizeof err);
    os_pipeline *pl;
    os_pipeline_cfg cfg;
    const char *read_err;
    os_capture_stats ks;

    if (!cap)
        return fail("%s", err);
    memset(&cfg, 0, sizeof cfg);
    cfg.rules = rs;
    cfg.hosts = hf;
    cfg.flow = o->flow;
    cfg.dlt = os_capture_dlt(cap);
    cfg.mode = o->mode;
    cfg.out = stdout;
    if (!(pl = os_pipeline_new(&cfg, perr, sizeof perr))) {
        os_capture_close(cap);
        return fail("%s", perr);
    }
    g_cap = cap;
    install_signals();
    read_err = capture_loop(cap, pl, o->count, err, sizeof err);
    g_cap = NULL;
    ks = os_capture_get_stats(cap);
    os_pipeline_finish(pl, o->cap.file ? o->cap.file : o->cap.iface, os_capture_dlt_name(cap),
                       &ks, read_err);
    if (read_err)
        fail("%s: %s", o->cap.file ? o->cap.file : o->cap.iface, read_err);
    os_severity worst = os_pipeline_worst(pl);
    os_pipeline_free(pl);
    os_capture_close(cap);
    if (read_err)
        return EXIT_USAGE;
    return worst != OS_SEV_NEVER && o->fail_on != OS_SEV_NEVER && worst >= o->fail_on
               ? EXIT_FINDINGS : EXIT_OK;
}

int main(int argc, char **argv)
{
    opts o;
    os_ruleset rs = { 0 };
    os_hostsfile hf = { 0 };
    char err[512];
    int rc = parse_args(argc, argv, &o);

    if (rc >= 0)
        goto out;
    if (o.explain) {
        rc = explain(o.explain);
        goto out;
    }
    if (o.list_ifaces) {
        rc = os_capture_list(stdout, err, sizeof err) ? EXIT_OK : fail("%s", err);
        goto out;
    }
    rc = EXIT_USAGE;
    if (!load_rules(o.rules_file, &rs))
        goto out;
    if (o.check_rules) {
        os_rules_dump(&rs, stdout);
        rc = EXIT_OK;
        goto out;
    }
    if (o.hosts_file && !load_hosts(o.hosts_file, &hf))
        goto out;
    if (o.line_buffered || (o.cap.iface && isatty(STDOUT_FILENO)))
        setvbuf(stdout, NULL, _IOLBF, 0);
    o.cap.immediate = o.line_buffered || isatty(STDOUT_FILENO);
    /* not an option: for benchmarks and the reader comparison tests */
    o.cap.use_libpcap = getenv("OMNISNIFF_READER") && !strcmp(getenv("OMNISNIFF_READER"), "libpcap");
    rc = run(&o, &rs, &hf);
out:
    os_rules_free(&rs);
    os_hosts_free(&hf);
    free(o.filter);
    return rc;
}
