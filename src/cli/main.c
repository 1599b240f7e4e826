/* main.c — the omnisniff command: options, loading rules and hosts, the
 * capture loop, signals and exit codes. The only file that prints usage or
 * exits; every layer below returns status and an error message. */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "omnisniff/audit.h"
#include "omnisniff/capture.h"
#include "omnisniff/dot.h"
#include "omnisniff/dump.h"
#include "omnisniff/firewall.h"
#include "omnisniff/findings.h"
#include "omnisniff/hosts.h"
#include "omnisniff/mdreport.h"
#include "omnisniff/pipeline.h"
#include "omnisniff/rules.h"
#include "omnisniff/site.h"

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
    bool findings_all;       /* --findings all */
    bool dot_unclassified;   /* --dot-unclassified */
    const char *explain;     /* --explain KIND */
    const char *dot_file;    /* --dot FILE, or NULL */
    const char *report_file; /* --report FILE, or NULL */
    const char *hosts_out;   /* --write-hosts FILE, or NULL */
    const char *json_file;   /* --json-file FILE: JSON Lines appended there, or NULL */
    unsigned stats_secs;     /* --stats-interval SECONDS (0 = off) */
    char *filter;            /* joined trailing arguments (owned) */
    const char *write_file;  /* -w FILE: evidence capture */
    const char *write_role;  /* --write-role ROLE: write this role instead of flagged flows */
    const char *run_as;      /* -Z USER: drop privileges after opening the capture */
    unsigned status_secs;    /* --status SECONDS (live; 0 = off) */
    const char *site_file;   /* --site */
    bool audit;              /* --audit */
    int fw;                  /* --firewall-rules: os_fw_format, or -1 */
} opts;

static volatile sig_atomic_t g_stop;
static volatile sig_atomic_t g_usr1;
static volatile sig_atomic_t g_hup;
static os_capture *volatile g_cap;

static void on_signal(int sig)
{
    if (sig == SIGUSR1) {
        g_usr1 = 1; /* print the summary so far; keep going */
        return;
    }
    if (sig == SIGHUP) {
        g_hup = 1; /* reopen --json-file (logrotate moved it) */
        return;
    }
    g_stop = 1;
    os_capture_break(g_cap);
}

static void usage(FILE *f)
{
    fputs(
"usage: omnisniff [options] (-r FILE | -i IFACE) [BPF filter expression]\n"
"       omnisniff -D | --check-rules [-R FILE] | --explain KIND | --help | --version\n"
"\n"
"Label Genetec Omnicast 4.x traffic (KBA-00170) in a capture or on an interface,\n"
"and flag what breaks the documented ports and directions. Manual: man omnisniff.\n"
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
"  -H FILE            hosts file (format below)\n"
"  --check-rules      validate the rules (-R FILE or built-in), print the table\n"
"site audit\n"
"  --site FILE        site file: a hosts file (replaces -H) plus record,\n"
"                     primary-gateway, firewall and unused lines (format below)\n"
"  --audit            after the summary: the flows the site needs, each seen and\n"
"                     healthy, attempted and failed, or never seen; and what was\n"
"                     seen that it does not need (--json: 'audit' records)\n"
"  --firewall-rules F print only the allow rules for the flows that cross the\n"
"                     site's firewall: nftables, iptables, netsh or cisco-asa\n"
"findings and problems\n"
"  (findings fold into problems: one per kind, service host, traffic role and\n"
"  port range, across clients and attempts; reports lead with problems)\n"
"  --fail-on SEV      exit 1 when a problem of severity SEV or worse was found:\n"
"                     error (default), warning, info, or never; a dropped or\n"
"                     refused service that failed on every attempt from several\n"
"                     peers or for long (rules: persist-peers, persist-seconds)\n"
"                     is an error\n"
"  --findings WHICH   problems (default): live '!!' lines and the summary show\n"
"                     problems; all: also every finding, one per flow and kind\n"
"  --explain KIND     what a finding kind means, the KBA text behind it, what to check\n"
"output\n"
"  (default)          one line per packet, then the summary\n"
"  -q                 only the summary\n"
"  --json             JSON Lines: 'flow', 'finding', 'problem', 'audit' and a\n"
"                     final 'summary'\n"
"                     record, each with schema_version (docs/json-schema.md)\n"
"  -l                 line-buffer standard output; live: immediate mode\n"
"  --json-file FILE   JSON Lines appended to FILE instead of standard output, a\n"
"                     whole record a line; SIGHUP reopens it (after logrotate)\n"
"  --stats-interval S JSON: a 'stats' record every S seconds (of packet time)\n"
"  -w FILE            write the packets of flagged flows (all of each flow, both\n"
"                     directions) to FILE, a pcap for Wireshark or tcpdump\n"
"  --write-role ROLE  with -w: write every flow of traffic role ROLE instead\n"
"  --dot FILE         the system as observed, as a Graphviz graph\n"
"                     (render: dot -Tsvg FILE > site.svg); hosts of one role in\n"
"                     one /24 (/64) fold into one node from 5 of them on\n"
"  --dot-unclassified with --dot: also draw traffic no rule labels\n"
"  --write-hosts FILE a hosts file of every host with a role (inferred ones with\n"
"                     their evidence as a comment): correct it, pass it with -H\n"
"  --report FILE      a Markdown report for a ticket: capture, hosts, traffic by\n"
"                     role, findings with BPF filters and handshake ladders, audit\n"
"                     ('-' or /dev/stdout: after the summary, the graph first)\n"
"  --status SECONDS   live: redraw a per-role table (packets/s, flows, findings)\n"
"                     on standard error every SECONDS\n"
"  (SIGUSR1)          print the summary so far to standard error and go on\n"
"  (a file read with standard error on a terminal shows a progress line)\n"
"flows\n"
"  --max-flows N      keep at most N flows, evicting the least recently seen\n"
"  --tcp-timeout S    idle timeout of open TCP flows (default 300 s)\n"
"  --tcp-closed-timeout S  after FIN both ways or RST (default 10 s)\n"
"  --udp-timeout S    idle timeout of UDP flows (default 120 s)\n"
"  --other-timeout S  idle timeout of ICMP and other flows (default 60 s)\n"
"privileges\n"
"  -Z USER            after opening the capture, become USER (before any output\n"
"                     file is created)\n"
"  --help, --version  this text; the version\n"
"\n"
"files\n"
"  hosts file (-H)    one host or network a line, '#' starts a comment:\n"
"                       ADDRESS-or-CIDR  ROLE[,ROLE...]  [name]\n"
"                     roles: directory gateway archiver encoder client dfc\n"
"                     failover-directory federation remote-gateway virtual-matrix\n"
"  site file (--site) a hosts file plus lines\n"
"                       record ARCHIVER unicast|multicast ENCODER...\n"
"                       primary-gateway GATEWAY\n"
"                       firewall NAME inside NET-or-HOST...\n"
"                       unused RULE-ID [HOST...]\n"
"                     (grammar: rules/example.site)\n"
"  rules file (-R)    'set' lines and one traffic role a line:\n"
"                       rule ID proto=tcp|udp port=P[-Q] service=ROLE peer=ROLE...\n"
"                     (grammar at the top of rules/omnicast4.rules; --check-rules)\n"
"\n"
"exit status\n"
"  0  the input was read to its end (or the capture was stopped)\n"
"  1  findings at or above the --fail-on severity (default: error)\n"
"  2  usage error, bad rules, hosts or site file, unreadable or cut capture,\n"
"     unsupported link type, interface missing or not permitted, an output\n"
"     file that cannot be written (e.g. a full disk for -w)\n"
"\n"
"examples\n"
"  omnisniff -r site.pcap -H site.hosts\n"
"  omnisniff -q -r customer.pcapng\n"
"  omnisniff -i eth0 -s 96 udp portrange 15000-16000\n"
"  omnisniff -q -i eth0 --status 5 -Z nobody -w /tmp/evidence.pcap\n"
"  omnisniff -q -r customer.pcap -H site.hosts --report ticket.md --dot site.dot\n"
"  omnisniff -q -r customer.pcap --site site.txt --audit\n"
"  omnisniff -r customer.pcap --site site.txt --firewall-rules nftables > allow.nft\n"
"  omnisniff --json -r customer.pcap | jq 'select(.type == \"finding\")'\n"
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
       O_FAILON, O_EXPLAIN, O_WROLE, O_STATUS, O_DOT, O_REPORT, O_SITE, O_AUDIT, O_FIREWALL,
       O_FINDINGS, O_DOTUNCL, O_WHOSTS, O_JSONFILE, O_STATSINT };

static const struct option long_opts[] = {
    { "json", no_argument, NULL, O_JSON },
    { "check-rules", no_argument, NULL, O_CHECK },
    { "max-flows", required_argument, NULL, O_MAXFLOWS },
    { "tcp-timeout", required_argument, NULL, O_TTCP },
    { "tcp-closed-timeout", required_argument, NULL, O_TTCPC },
    { "udp-timeout", required_argument, NULL, O_TUDP },
    { "other-timeout", required_argument, NULL, O_TOTHER },
    { "fail-on", required_argument, NULL, O_FAILON },
    { "findings", required_argument, NULL, O_FINDINGS },
    { "dot-unclassified", no_argument, NULL, O_DOTUNCL },
    { "write-hosts", required_argument, NULL, O_WHOSTS },
    { "json-file", required_argument, NULL, O_JSONFILE },
    { "stats-interval", required_argument, NULL, O_STATSINT },
    { "explain", required_argument, NULL, O_EXPLAIN },
    { "write-role", required_argument, NULL, O_WROLE },
    { "status", required_argument, NULL, O_STATUS },
    { "dot", required_argument, NULL, O_DOT },
    { "report", required_argument, NULL, O_REPORT },
    { "site", required_argument, NULL, O_SITE },
    { "audit", no_argument, NULL, O_AUDIT },
    { "firewall-rules", required_argument, NULL, O_FIREWALL },
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
    case O_FINDINGS:
        if (strcmp(arg, "all") != 0 && strcmp(arg, "problems") != 0)
            return fail("--findings: problems or all, not '%s'", arg);
        o->findings_all = strcmp(arg, "all") == 0;
        return -1;
    case O_EXPLAIN: o->explain = arg; return -1;
    case O_DOTUNCL: o->dot_unclassified = true; return -1;
    case O_WHOSTS: o->hosts_out = arg; return -1;
    case O_JSONFILE: o->json_file = arg; o->mode = OS_MODE_JSON; return -1;
    case O_STATSINT:
        if (!parse_num(arg, 1, 86400, &v))
            return fail("--stats-interval: seconds from 1 to 86400, not '%s'", arg);
        o->stats_secs = (unsigned)v;
        return -1;
    case 'w': o->write_file = arg; return -1;
    case 'Z': o->run_as = arg; return -1;
    case O_WROLE: o->write_role = arg; return -1;
    case O_STATUS:
        if (!parse_num(arg, 1, 3600, &v))
            return fail("--status: seconds from 1 to 3600, not '%s'", arg);
        o->status_secs = (unsigned)v;
        return -1;
    case O_DOT: o->dot_file = arg; return -1;
    case O_REPORT: o->report_file = arg; return -1;
    case O_SITE: o->site_file = arg; return -1;
    case O_AUDIT: o->audit = true; return -1;
    case O_FIREWALL: {
        os_fw_format ff;
        if (!os_fw_format_parse(arg, &ff))
            return fail("--firewall-rules: nftables, iptables, netsh or cisco-asa, not '%s'", arg);
        o->fw = (int)ff;
        return -1;
    }
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
    o->fw = -1;
    while ((c = getopt_long(argc, argv, "+r:i:s:B:pc:DR:H:qlw:Z:", long_opts, NULL)) != -1)
        if ((rc = take_opt(o, c, optarg)) >= 0)
            return rc;
    o->filter = join_args(argc, argv, optind);
    if (o->list_ifaces || o->check_rules || o->explain)
        return -1;
    if (!o->cap.file == !o->cap.iface)
        return fail("give exactly one of -r FILE or -i IFACE (see --help)");
    if (o->write_role && !o->write_file)
        return fail("--write-role needs -w FILE (the file to write the role's flows to)");
    if ((o->audit || o->fw >= 0) && !o->site_file)
        return fail("--audit and --firewall-rules need the site: --site FILE");
    if (o->site_file && o->hosts_file)
        return fail("the site file declares the hosts: give --site FILE without -H");
    if (o->fw >= 0 && (o->audit || o->mode == OS_MODE_JSON))
        return fail("--firewall-rules prints only the ruleset: drop --audit and --json");
    if (o->fw >= 0)
        o->mode = OS_MODE_SILENT;
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

/* Parses a file's text into its target (see load_file). */
typedef bool (*parse_fn)(void *target, const char *path, const char *buf, size_t len,
                         os_diags *d);

/* Read and parse the `what` file (hosts, site): every diagnostic on stderr,
 * then one line saying it was refused. */
static bool load_file(const char *path, const char *what, parse_fn parse, void *target)
{
    char err[512];
    size_t len;
    char *buf = read_file(path, &len, err, sizeof err);
    os_diags d = { 0 };
    bool ok;

    if (!buf) {
        fail("cannot read %s file %s", what, err);
        return false;
    }
    ok = parse(target, path, buf, len, &d);
    print_diags(&d);
    if (!ok)
        fprintf(stderr, "omnisniff: %zu error%s in %s file %s; not running\n", d.errors,
                d.errors == 1 ? "" : "s", what, path);
    os_diags_free(&d);
    free(buf);
    return ok;
}

static bool parse_hosts(void *target, const char *path, const char *buf, size_t len, os_diags *d)
{
    return os_hosts_parse(path, buf, len, target, d);
}

/* What a site file is parsed with and into. */
typedef struct site_target {
    const os_ruleset *rs; /* the rules its unused lines name */
    os_site *site;        /* the result */
} site_target;

static bool parse_site(void *target, const char *path, const char *buf, size_t len, os_diags *d)
{
    site_target *t = target;
    return os_site_parse(path, buf, len, t->rs, t->site, d);
}

/* Load the -H hosts file. */
static bool load_hosts(const char *path, os_hostsfile *hf)
{
    return load_file(path, "hosts", parse_hosts, hf);
}

/* Load the --site file (its host lines are the hosts of the run). */
static bool load_site(const char *path, const os_ruleset *rs, os_site *site)
{
    site_target t = { rs, site };
    return load_file(path, "site", parse_site, &t);
}

/* The audit of --audit / --firewall-rules, made when the capture is done. */
typedef struct audit_run {
    const opts *o;          /* options */
    const os_site *site;    /* the site (NULL: no audit asked) */
    const os_ruleset *rs;   /* rules */
    os_audit a;             /* the audit */
    bool ok;                /* it was made */
    char err[256];          /* why not */
} audit_run;

/* Between the pipeline's flush and its summary: make the audit (JSON: write
 * its records, so the summary stays the last line). */
static void make_audit(audit_run *ar, os_pipeline *pl)
{
    ar->ok = os_audit_build(&ar->a, ar->site, ar->rs, ar->o->site_file, ar->err,
                            sizeof ar->err) &&
             os_audit_observe(&ar->a, os_pipeline_graph(pl), os_pipeline_stats(pl)->last_ns,
                              ar->err, sizeof ar->err);
    if (ar->ok && ar->o->audit && ar->o->mode == OS_MODE_JSON)
        os_audit_write_json(stdout, &ar->a);
}

/* After the summary: the audit text or the firewall rules. False if the audit failed. */
static bool write_audit(audit_run *ar)
{
    if (!ar->site)
        return true;
    if (!ar->ok) {
        fail("audit: %s", ar->err);
        return false;
    }
    if (ar->o->fw >= 0)
        os_fw_write(stdout, &ar->a, (os_fw_format)ar->o->fw);
    else if (ar->o->audit && ar->o->mode != OS_MODE_JSON)
        os_audit_write_text(stdout, &ar->a);
    fflush(stdout);
    return true;
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

static char g_sigbus_msg[700]; /* the SIGBUS line, made before it is needed */
static size_t g_sigbus_len;

/* SIGBUS on the mapped capture file: another program truncated it between
 * two of the reader's size checks (pcapfile.c). One line and exit 2; the
 * state of the run cannot be trusted from a signal handler, so no summary. */
static void on_sigbus(int sig)
{
    (void)sig;
    ssize_t w = write(STDERR_FILENO, g_sigbus_msg, g_sigbus_len);
    (void)w;
    _exit(EXIT_USAGE);
}

/* While a file is read through its mapping, a SIGBUS means the file shrank. */
static void guard_mapping(const os_capture *cap, const char *file)
{
    struct sigaction sa;
    if (!os_capture_is_mapped(cap))
        return;
    snprintf(g_sigbus_msg, sizeof g_sigbus_msg,
             "omnisniff: %s: the file was truncated while being read (bus error on "
             "its mapping); no summary: run again on a copy nothing writes to\n", file);
    g_sigbus_len = strlen(g_sigbus_msg);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigbus;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, NULL);
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

/* A run in progress: what the periodic work (--status, progress, SIGUSR1)
 * needs. */
typedef struct session {
    const opts *o;          /* options */
    os_capture *cap;        /* the capture */
    os_pipeline *pl;        /* the pipeline */
    const char *source;     /* file or interface name */
    double t0;              /* start (monotonic seconds) */
    double last_status;     /* last --status table */
    double next_progress;   /* next progress line */
    int status_lines;       /* lines of the last table (redrawn in place on a tty) */
    bool tty;               /* standard error is a terminal */
    bool progress_on;       /* a progress line is on the screen */
    FILE *json;             /* --json-file stream, or NULL */
    bool json_failed;       /* it could not be written or reopened (said once) */
} session;

/* Monotonic time in seconds. */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The wall clock in ns since the epoch (the time base of live packets). */
static uint64_t now_wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Seconds of work before the offline progress line appears
 * (OMNISNIFF_PROGRESS_AFTER overrides it, for tests). */
static double progress_after(void)
{
    const char *e = getenv("OMNISNIFF_PROGRESS_AFTER");
    return e && *e ? atof(e) : 2.0;
}

/* Erase the progress line, if one is shown. */
static void clear_progress(session *s)
{
    if (s->progress_on)
        fputs("\r\033[K", stderr);
    s->progress_on = false;
}

/* Offline, on a terminal: "omnisniff: 42% of FILE, 1234567 packets/s". */
static void show_progress(session *s, double t)
{
    uint64_t pos, size;
    if (!s->tty || t < s->next_progress || !os_capture_progress(s->cap, &pos, &size) || !size)
        return;
    fprintf(stderr, "\r\033[Komnisniff: %3.0f%% of %s, %.0f packets/s", 100.0 * (double)pos / (double)size,
            s->source, (double)os_pipeline_stats(s->pl)->packets / (t - s->t0));
    fflush(stderr);
    s->progress_on = true;
    s->next_progress = t + 0.5;
}

/* The --status table, redrawn in place on a terminal. */
static void show_status(session *s, double t)
{
    if (!s->o->status_secs || t - s->last_status < s->o->status_secs)
        return;
    clear_progress(s);
    if (s->tty && s->status_lines)
        fprintf(stderr, "\033[%dA\033[J", s->status_lines);
    s->status_lines = os_pipeline_status(s->pl, stderr, t - s->last_status);
    s->last_status = t;
}

/* --json-file failed: one line (once); during the capture it stops (records
 * would be lost). */
static void json_file_failed(session *s, const char *what, bool capturing)
{
    if (!s->json_failed)
        fail("%s: %s: %s (the file is incomplete; its last line may be cut)", s->o->json_file,
             what, strerror(errno ? errno : EIO));
    s->json_failed = true;
    if (capturing) {
        g_stop = 1;
        os_capture_break(s->cap);
    }
}

/* --json-file: reopen it after SIGHUP (logrotate moved it away); stop on a
 * write error. */
static void json_file_tick(session *s)
{
    if (fflush(s->json) != 0 || ferror(s->json)) {
        json_file_failed(s, "write error", true);
        return;
    }
    if (!g_hup)
        return;
    g_hup = 0;
    FILE *f = fopen(s->o->json_file, "a");
    if (!f) {
        json_file_failed(s, "cannot reopen", true);
        return;
    }
    setvbuf(f, NULL, _IOLBF, 0);
    fclose(s->json);
    s->json = f;
    os_pipeline_set_out(s->pl, f);
}

/* Periodic work: SIGUSR1's summary, --status, the progress line. */
static void tick(session *s)
{
    double t = now_s();
    if (g_usr1) {
        os_capture_stats ks = os_capture_get_stats(s->cap);
        g_usr1 = 0;
        clear_progress(s);
        s->status_lines = 0; /* the summary scrolls the table away */
        os_pipeline_summary_now(s->pl, stderr, s->source, os_capture_dlt_name(s->cap), &ks);
    }
    show_status(s, t);
    if (!os_capture_is_live(s->cap)) {
        show_progress(s, t);
    } else { /* live packets carry the wall clock: verdicts due by now are judged */
        os_capture_stats ks = os_capture_get_stats(s->cap);
        os_pipeline_set_kernel(s->pl, &ks);
        os_pipeline_tick(s->pl, now_wall_ns());
    }
    if (s->json)
        json_file_tick(s);
}

/* Read frames until the end, the count, a signal or an error. Returns the
 * read error message (in err) or NULL. */
static const char *capture_loop(session *s, uint64_t count, char *err, size_t errlen)
{
    uint64_t n = 0;
    os_frame fr;

    while (!g_stop && (!count || n < count)) {
        os_cap_status st = os_capture_next(s->cap, &fr, err, errlen);
        if (st == OS_CAP_PACKET) {
            if (!os_pipeline_packet(s->pl, &fr)) {
                snprintf(err, errlen, "out of memory");
                return err;
            }
            if ((++n & 1023) == 0 || g_usr1)
                tick(s);
        } else if (st == OS_CAP_TIMEOUT) {
            tick(s);
        } else if (st == OS_CAP_END) {
            break;
        } else if (st == OS_CAP_ERROR) {
            return err;
        }
    }
    clear_progress(s);
    return NULL;
}

/* -Z USER: become USER (groups, gid, uid), for good. */
static bool drop_privileges(const char *user, char *err, size_t errlen)
{
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        snprintf(err, errlen, "-Z %s: no such user", user);
        return false;
    }
    if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
        setuid(pw->pw_uid) != 0) {
        snprintf(err, errlen, "-Z %s: cannot switch to uid %u: %s", user, (unsigned)pw->pw_uid,
                 strerror(errno));
        return false;
    }
    if (pw->pw_uid != 0 && setuid(0) == 0) {
        snprintf(err, errlen, "-Z %s: privileges could not be dropped", user);
        return false;
    }
    return true;
}

/* Rule index of --write-role ROLE; -1 with err set if there is none. */
static int role_index(const os_ruleset *rs, const char *id, char *err, size_t errlen)
{
    size_t n = 0;
    for (size_t i = 0; i < rs->n; i++)
        if (!strcmp(rs->rule[i].id, id))
            return (int)i;
    n = (size_t)snprintf(err, errlen, "--write-role: no traffic role '%s'; roles:", id);
    for (size_t i = 0; i < rs->n && n < errlen; i++)
        n += (size_t)snprintf(err + n, errlen - n, " %s", rs->rule[i].id);
    return -1;
}

/* Open the -w evidence file (after -Z, so it belongs to USER). */
static bool open_outputs(const opts *o, const os_ruleset *rs, os_capture *cap,
                         os_pipeline_cfg *cfg, char *err, size_t errlen)
{
    int role = -1;
    if (o->run_as && !drop_privileges(o->run_as, err, errlen))
        return false;
    if (!o->write_file)
        return true;
    if (o->write_role && (role = role_index(rs, o->write_role, err, errlen)) < 0)
        return false;
    cfg->dump = os_dump_open(o->write_file, os_capture_dlt(cap), os_capture_snaplen(cap), role,
                             err, errlen);
    return cfg->dump != NULL;
}

/* Close the -w file and say what it holds; false if a write failed. */
static bool close_outputs(const opts *o, os_pipeline_cfg *cfg)
{
    char err[512];
    os_dump_stats ds;
    if (!cfg->dump)
        return true;
    if (!os_dump_close(cfg->dump, &ds, err, sizeof err)) {
        fail("%s", err);
        return false;
    }
    fprintf(stderr, "omnisniff: wrote %llu packets of %llu %s%s to %s\n",
            (unsigned long long)ds.written, (unsigned long long)ds.flows,
            o->write_role ? "flows of role " : "flagged flows", o->write_role ? o->write_role : "",
            o->write_file);
    if (ds.not_held)
        fprintf(stderr, "omnisniff: %s lacks %llu earlier packets of those flows: at most %d "
                "packets a flow are kept until it is flagged\n", o->write_file,
                (unsigned long long)ds.not_held, OS_DUMP_HOLD_PKTS);
    return true;
}

/* The pipeline configuration of a run. */
static void pipeline_cfg(const opts *o, const os_ruleset *rs, const os_hostsfile *hf,
                         os_capture *cap, os_pipeline_cfg *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->rules = rs;
    cfg->hosts = hf;
    cfg->flow = o->flow;
    cfg->dlt = os_capture_dlt(cap);
    cfg->mode = o->mode;
    cfg->out = stdout;
    cfg->graph = o->dot_file || o->report_file;
    cfg->findings_all = o->findings_all;
    cfg->stats_ns = (uint64_t)o->stats_secs * 1000000000ULL;
}

/* An output file of --dot / --report / --write-hosts, opened before the capture starts. */
typedef struct outfile {
    const char *path; /* as given, or NULL when not asked for */
    FILE *f;          /* the stream (stdout for '-' and /dev/stdout) */
} outfile;

/* Open o for path (NULL: nothing to do); false after one line on stderr. */
static bool out_open(outfile *o, const char *path)
{
    bool std = path && (!strcmp(path, "-") || !strcmp(path, "/dev/stdout"));
    o->path = path;
    o->f = !path ? NULL : std ? stdout : fopen(path, "w");
    if (path && !o->f)
        fail("cannot write %s: %s", path, strerror(errno));
    return !path || o->f;
}

/* Close o (stdout is only flushed); false after one line on stderr if a
 * write failed. */
static bool out_close(outfile *o)
{
    bool ok = !o->f || (o->f == stdout ? fflush(stdout) == 0 : fclose(o->f) == 0);
    if (!ok)
        fail("%s: write error: %s", o->path, strerror(errno));
    o->f = NULL;
    return ok;
}

/* The --report file, with the "Audit" section when a site file was given. */
static bool write_report(FILE *out, const os_mdreport_cfg *mc, const audit_run *ar, char *err,
                         size_t errlen)
{
    os_mdreport_write_body(out, mc);
    if (ar->site && ar->ok)
        os_audit_write_md(out, &ar->a);
    return os_mdreport_write_end(out, mc, err, errlen);
}

/* The files written after the summary. */
enum { OUT_DOT = 0, OUT_MD, OUT_HOSTS, OUT_N };

/* Write --dot, --report and --write-hosts after the summary; false if one failed. */
static bool write_outputs(outfile *out, os_pipeline *pl, const os_ruleset *rs, audit_run *ar,
                          bool unclassified)
{
    char err[256];
    bool ok = true;
    outfile *dot = &out[OUT_DOT], *md = &out[OUT_MD], *hosts = &out[OUT_HOSTS];
    os_dot_opts dopts = { .unclassified = unclassified, .fold_min = 0 };
    os_mdreport_cfg mc = { .st = os_pipeline_stats(pl), .cls = os_pipeline_classifier(pl),
                           .rules = rs, .graph = os_pipeline_graph(pl) };
    if (dot->f && !os_dot_write(dot->f, mc.graph, mc.cls, rs, &dopts, err, sizeof err)) {
        fail("%s: %s", dot->path, err);
        ok = false;
    }
    if (md->f && !write_report(md->f, &mc, ar, err, sizeof err)) {
        fail("%s: %s", md->path, err);
        ok = false;
    }
    if (hosts->f)
        os_classify_write_hosts(mc.cls, hosts->f, mc.st->source);
    for (int i = 0; i < OUT_N; i++)
        ok &= out_close(&out[i]);
    return ok;
}

/* Close what a run opened before it could start. */
static void abandon(outfile *out, os_pipeline_cfg *cfg, os_capture *cap)
{
    char err[512];
    for (int i = 0; i < OUT_N; i++)
        out_close(&out[i]);
    if (cfg->dump)
        os_dump_close(cfg->dump, NULL, err, sizeof err);
    os_capture_close(cap);
}

/* Close --json-file; false after one line if a write failed. */
static bool json_file_close(session *s)
{
    if (!s->json)
        return !s->json_failed;
    bool ok = fflush(s->json) == 0 && !ferror(s->json);
    if (fclose(s->json) != 0)
        ok = false;
    s->json = NULL;
    if (!ok)
        json_file_failed(s, "write error", false);
    return ok && !s->json_failed;
}

/* Everything written to standard output reached it (a full disk, a closed
 * pipe: one line, and the run fails). */
static bool stdout_ok(void)
{
    if (fflush(stdout) == 0 && !ferror(stdout))
        return true;
    fail("standard output: write error: %s (the output is incomplete)",
         strerror(errno ? errno : EIO));
    return false;
}

/* Open the capture, run the pipeline, print the summary. */
static int run(const opts *o, const os_ruleset *rs, const os_hostsfile *hf, const os_site *site)
{
    audit_run ar = { o, (o->audit || o->fw >= 0 || o->report_file) && o->site_file ? site : NULL,
                     rs, { 0 }, false, "" };
    char err[512], perr[256];
    os_capture *cap = os_capture_open(&o->cap, err, sizeof err);
    os_pipeline_cfg cfg;
    const char *read_err;
    os_capture_stats ks;
    os_pipeline *pl = NULL;
    outfile out[OUT_N] = { { 0 } };
    session s;

    if (!cap)
        return fail("%s", err);
    guard_mapping(cap, o->cap.file);
    pipeline_cfg(o, rs, hf, cap, &cfg);
    cfg.graph = cfg.graph || ar.site;
    if (!open_outputs(o, rs, cap, &cfg, err, sizeof err)) {
        os_capture_close(cap);
        return fail("%s", err);
    }
    if (!out_open(&out[OUT_DOT], o->dot_file) || !out_open(&out[OUT_MD], o->report_file) ||
        !out_open(&out[OUT_HOSTS], o->hosts_out)) {
        abandon(out, &cfg, cap); /* out_open said why */
        return EXIT_USAGE;
    }
    memset(&s, 0, sizeof s);
    if (o->json_file) {
        if (!(s.json = fopen(o->json_file, "a"))) {
            abandon(out, &cfg, cap);
            return fail("cannot write %s: %s", o->json_file, strerror(errno));
        }
        setvbuf(s.json, NULL, _IOLBF, 0);
        cfg.out = s.json;
    }
    if (!(pl = os_pipeline_new(&cfg, perr, sizeof perr))) {
        if (s.json)
            fclose(s.json);
        abandon(out, &cfg, cap);
        return fail("%s", perr);
    }
    s.o = o, s.cap = cap, s.pl = pl;
    s.source = o->cap.file ? o->cap.file : o->cap.iface;
    s.t0 = s.last_status = now_s();
    s.next_progress = s.t0 + progress_after();
    s.tty = isatty(STDERR_FILENO);
    g_cap = cap;
    install_signals();
    read_err = capture_loop(&s, o->count, err, sizeof err);
    g_cap = NULL;
    ks = os_capture_get_stats(cap);
    os_pipeline_flush(pl, s.source, os_capture_dlt_name(cap), &ks, read_err);
    if (ar.site)
        make_audit(&ar, pl);
    os_pipeline_summary(pl);
    bool audited = write_audit(&ar);
    if (read_err)
        fail("%s: %s", s.source, read_err);
    bool written = write_outputs(out, pl, rs, &ar, o->dot_unclassified);
    if (ar.site)
        os_audit_free(&ar.a);
    os_severity worst = os_pipeline_worst(pl);
    os_pipeline_free(pl);
    os_capture_close(cap);
    bool out_ok = stdout_ok() && json_file_close(&s);
    if (!close_outputs(o, &cfg) || read_err || !written || !audited || !out_ok)
        return EXIT_USAGE;
    return worst != OS_SEV_NEVER && o->fail_on != OS_SEV_NEVER && worst >= o->fail_on
               ? EXIT_FINDINGS : EXIT_OK;
}

int main(int argc, char **argv)
{
    opts o;
    os_ruleset rs = { 0 };
    os_hostsfile hf = { 0 };
    os_site site = { 0 };
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
    if (o.site_file && !load_site(o.site_file, &rs, &site))
        goto out;
    if (o.line_buffered || (o.cap.iface && isatty(STDOUT_FILENO)))
        setvbuf(stdout, NULL, _IOLBF, 0);
    o.cap.immediate = o.line_buffered || isatty(STDOUT_FILENO);
    /* not an option: for benchmarks and the reader comparison tests */
    o.cap.use_libpcap = getenv("OMNISNIFF_READER") && !strcmp(getenv("OMNISNIFF_READER"), "libpcap");
    rc = run(&o, &rs, o.site_file ? &site.hosts : &hf, &site);
out:
    os_rules_free(&rs);
    os_hosts_free(&hf);
    os_site_free(&site);
    free(o.filter);
    return rc;
}
